"""Exceptions raised by eventsim.

All errors derive from :class:`EventSimError`; the subclasses carry NEST's names
so that code catching ``nest.kernel.NESTError``-style failures reads the same.
Every message names the offending value.
"""

__all__ = [
    "EventSimError",
    "BadProperty",
    "BadParameter",
    "BadDelay",
    "UnknownModelName",
    "UnknownReceptorType",
    "IncompatibleReceptorType",
    "IllegalConnection",
    "KernelException",
    "StepMultipleRequired",
]


class EventSimError(Exception):
    """Base class of all eventsim errors."""


class BadProperty(EventSimError, ValueError):
    """A parameter or state value is illegal (wrong type, length or range)."""


class BadParameter(EventSimError, ValueError):
    """An argument of an API call is illegal."""


class BadDelay(BadProperty):
    """A connection delay is illegal (shorter than one step once rounded to the grid)."""


class UnknownModelName(EventSimError, KeyError):
    """The model name is not registered."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class UnknownReceptorType(EventSimError, ValueError):
    """The target has no receptor port of that number."""


class IncompatibleReceptorType(EventSimError, ValueError):
    """The receptor port exists but does not accept this kind of event."""


class IllegalConnection(EventSimError, ValueError):
    """The connection cannot be made (bad pair of nodes, delay or rule)."""


class KernelException(EventSimError, RuntimeError):
    """The kernel is in a state that does not allow the request."""


class StepMultipleRequired(BadProperty):
    """A time that must be a whole multiple of the resolution is not (e.g. noise_generator's dt)."""
