"""Exceptions raised by eventsim.

All errors derive from :class:`EventSimError`, which is also available as
``NESTError`` (PyNEST's base of all kernel errors); the subclasses carry NEST's
names, and :data:`NESTErrors` holds them under every name PyNEST's
``nest.NESTErrors`` has, so that ``except nest.NESTErrors.BadProperty`` reads
the same in a ported script.  Every message names the offending value.
"""

import types

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
    "UnknownNode",
    "UnknownSynapseType",
    "NewModelNameExists",
    "InexistentConnection",
    "UnaccessedDictionaryEntry",
    "TypeMismatch",
    "StepMultipleRequired",
    "TimeMultipleRequired",
    "BadParameterValue",
    "OutputFileExists",
    "NESTError",
    "NESTErrors",
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


class UnknownNode(BadParameter):
    """A global id names no node of the current kernel."""


class UnknownSynapseType(BadParameter):
    """The synapse model name is not known."""


class NewModelNameExists(BadParameter):
    """``CopyModel``: the new name is already taken by a model."""


class InexistentConnection(EventSimError, ValueError):
    """``Disconnect``: the connection to delete does not exist."""


class UnaccessedDictionaryEntry(BadProperty):
    """A dictionary of parameters contains a key the model does not know."""


class TypeMismatch(EventSimError, TypeError):
    """A value has the wrong type."""


class StepMultipleRequired(BadProperty):
    """A time must be a whole number of steps."""


class TimeMultipleRequired(BadProperty):
    """A time must be a multiple of another time."""


class BadParameterValue(BadParameter):
    """A parameter value is out of range."""


class OutputFileExists(EventSimError, FileExistsError):
    """A recorder would replace an existing file while the kernel property ``overwrite_files`` is False
    (NEST's ``IOError``, also available as ``NESTErrors.IOError``)."""


#: PyNEST's base class of all kernel errors (``nest.NESTError``).
NESTError = EventSimError

#: NEST's error names that eventsim never raises: defined so that ``except``
#: clauses of ported scripts name a real class.
_NEVER_RAISED = ("BackendAlreadyRegistered", "BackendNotPrepared", "BackendPrepared", "DimensionMismatch",
                 "DistributionError", "DynamicModuleManagementError", "GSLSolverFailure",
                 "InternalError", "InvalidDefaultResolution", "InvalidTimeInModel", "KeyError", "LayerExpected",
                 "LayerNodeExpected", "LocalNodeExpected", "MPIErrorCode", "MPIPortsFileMissing",
                 "MPIPortsFileUnknown", "MUSICChannelAlreadyMapped", "MUSICChannelUnknown",
                 "MUSICPortAlreadyPublished", "MUSICPortHasNoWidth", "MUSICPortUnconnected", "MUSICPortUnknown",
                 "MUSICSimulationHasRun", "ModelInUse", "NamingConflict", "NoThreadSiblingsAvailable",
                 "NodeWithProxiesExpected", "NotImplemented", "NumericalInstability", "RangeCheck",
                 "UndefinedName", "UnexpectedEvent", "UnknownCompartment", "UnknownComponent", "UnknownPort",
                 "UnknownThread", "UnmatchedSteps", "UnsupportedEvent")


def _nest_errors_namespace():
    """The ``NESTErrors`` namespace: eventsim's error classes under NEST's names.

    In NEST every error derives from ``KernelException``; here that name is the
    common base :class:`EventSimError`, so ``except NESTErrors.KernelException``
    catches every eventsim error, as in NEST.
    """
    ns = types.ModuleType("NESTErrors", "eventsim's error classes under the names of PyNEST's nest.NESTErrors.")
    ours = {name: globals()[name] for name in __all__ if name not in ("EventSimError", "NESTError", "NESTErrors")}
    for name, cls in ours.items():
        setattr(ns, name, cls)
    ns.KernelException = EventSimError
    ns.IOError = OutputFileExists
    for name in _NEVER_RAISED:
        setattr(ns, name, type(name, (EventSimError,), {"__doc__": f"NEST's {name} (never raised by eventsim).",
                                                         "__module__": "NESTErrors"}))
    return ns


#: eventsim's errors under PyNEST's names (``nest.NESTErrors.BadProperty`` ...).
NESTErrors = _nest_errors_namespace()
