"""A ``nest`` package that is eventsim, for running PyNEST code unchanged against eventsim.

Put the folder holding this package first on ``sys.path`` (``tools/nest_suite.py`` does so
for the pytest run of NEST's own test suite).  ``import nest`` then yields the ``eventsim``
module object itself, so ``nest.resolution = 0.1`` and every other module attribute behave
exactly as in ``import eventsim as nest``.  Submodules are aliases too: ``import nest.X``
and ``from nest.X import Y`` resolve to ``eventsim.X`` (or to a module-valued attribute
``eventsim.X``) when eventsim has it, and fail with ``ModuleNotFoundError`` otherwise.
Nothing here adds names that eventsim lacks: the shim measures eventsim's API, it does
not complete it.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import types

import eventsim

_PREFIX = __name__ + "."


class _EventsimAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder and loader mapping ``nest.<tail>`` to the existing ``eventsim.<tail>``."""

    def find_spec(self, fullname, path=None, target=None):
        """Spec for ``nest.<tail>`` if eventsim has ``<tail>``; None (not found) otherwise."""
        if not fullname.startswith(_PREFIX):
            return None
        if _eventsim_module(fullname[len(_PREFIX):]) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        """Return eventsim's module itself (no copy), remembering its own spec."""
        module = _eventsim_module(spec.name[len(_PREFIX):])
        self._own_spec = getattr(module, "__spec__", None)
        return module

    def exec_module(self, module):
        """Nothing to run: the module is eventsim's; give it back its own ``__spec__``."""
        module.__spec__ = self._own_spec


def _eventsim_module(tail):
    """``eventsim.<tail>`` as a module (submodule or module-valued attribute), or None."""
    name = "eventsim." + tail
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and not name.startswith(error.name):
            raise  # a dependency of an existing eventsim submodule is missing: show that
    obj = eventsim
    for part in tail.split("."):
        obj = getattr(obj, part, None)
    return obj if isinstance(obj, types.ModuleType) else None


sys.meta_path.insert(0, _EventsimAliasFinder())
# The import system returns whatever sys.modules holds under our name once this file has run.
sys.modules[__name__] = eventsim
