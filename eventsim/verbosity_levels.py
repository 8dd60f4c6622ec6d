"""Verbosity of eventsim's messages, as PyNEST's ``nest.verbosity``.

The level survives ``ResetKernel`` (as in NEST).  Messages of eventsim go out
as Python warnings through :func:`message`, which drops those below the level.
"""

import enum
import warnings

from .errors import BadParameter, TypeMismatch

__all__ = ["VerbosityLevel", "get_verbosity", "set_verbosity", "set_level", "message"]


class VerbosityLevel(enum.IntEnum):
    """Message levels, NEST's names and numbers: a message is shown when its level is >= the verbosity."""

    ALL = 0
    DEBUG = 5
    STATUS = 7
    INFO = 10
    PROGRESS = 15
    DEPRECATED = 18
    WARNING = 20
    ERROR = 30
    FATAL = 40
    QUIET = 100


_level = VerbosityLevel.WARNING


def get_verbosity():
    """The current :class:`VerbosityLevel`."""
    return _level


def set_level(level):
    """Set the verbosity to a :class:`VerbosityLevel` (what ``nest.verbosity = ...`` does).

    Raises
    ------
    TypeMismatch
        If `level` is not a VerbosityLevel (NEST refuses plain ints and strings too).
    """
    global _level
    if not isinstance(level, VerbosityLevel):
        raise TypeMismatch(f"verbosity must be a nest.VerbosityLevel (e.g. nest.VerbosityLevel.ERROR), got {level!r}")
    _level = level


def set_verbosity(level):
    """PyNEST's older form: ``set_verbosity("M_ERROR")``; a VerbosityLevel is accepted too."""
    if isinstance(level, str):
        name = level[2:] if level.startswith("M_") else None
        if name not in VerbosityLevel.__members__:
            raise BadParameter(f"unknown verbosity {level!r}; use one of "
                               f"{', '.join('M_' + n for n in VerbosityLevel.__members__)}")
        level = VerbosityLevel[name]
    set_level(level)


def message(text, level=VerbosityLevel.WARNING, category=UserWarning, stacklevel=3):
    """Issue `text` as a Python warning of `category` unless `level` is below the verbosity."""
    if level >= _level:
        warnings.warn(text, category, stacklevel=stacklevel)
