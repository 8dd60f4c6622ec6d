"""eventsim: an event-driven spiking neuron simulator with the PyNEST 3.10 API.

``import eventsim as nest`` runs PyNEST scripts with the same meaning:
``Create``, ``Connect``, ``Simulate``, ``GetDefaults`` and friends act on a
default :class:`~eventsim.kernel.Kernel`, and the module attributes named
after kernel properties (``resolution`` in ms, ``rng_seed``,
``biological_time`` in ms, ``min_delay`` in ms, ``node_models``...; see
:mod:`eventsim.kernel_properties`) read and set that kernel's properties.
Recordings are available as PyNEST ``events`` dicts and as xarray datasets
(:func:`recordings`); :func:`sweep` runs a model over a parameter grid
and seeds, serially, on an executor or on Dask, as one xarray result.

The front end's names are imported from their submodules on first use, so
``import eventsim`` (and so loading the pytest plugin in a session that never
simulates) imports neither numpy nor simpy.
"""

import importlib
import sys
import types

from . import _checkout_layout

_checkout_layout.install(__path__[0])

from . import default_kernel as _default_kernel  # noqa: E402  (after the layout finder)
from . import registry as _registry  # noqa: E402
from ._version import __version__  # noqa: E402
from .errors import (BadDelay, BadParameter, BadProperty, EventSimError, IllegalConnection,  # noqa: E402
                     IncompatibleReceptorType, KernelException, NESTError, NESTErrors, UnknownModelName,
                     UnknownReceptorType)

_API_NAMES = ("Cleanup", "Connect", "CopyModel", "Create", "Disconnect", "GetConnections", "GetDefaults",
              "GetKernelStatus", "GetNodes", "GetStatus", "NodeCollection", "NumProcesses", "Prepare", "PrintNodes",
              "Rank", "ResetKernel", "Run", "RunManager", "SetDefaults", "SetKernelStatus", "SetStatus", "Simulate",
              "get_kernel")
#: Front-end name -> (submodule, attribute), imported on first use.
_LAZY_NAMES = {
    **{name: ("api", name) for name in _API_NAMES},
    "get": ("api", "kernel_get"),
    "set": ("api", "kernel_set"),
    "Kernel": ("kernel", "Kernel"),
    "Actor": ("nodes.actor", "Actor"),
    "Spikes": ("messages", "Spikes"),
    "Current": ("messages", "Current"),
    "Samples": ("messages", "Samples"),
    "CreateParameter": ("random", "create_parameter"),
    "to_json": ("json_output", "to_json"),
    "sweep": ("sweep", "sweep"),
    "load_sweep": ("sweep", "load_sweep"),
    "SweepError": ("sweep", "SweepError"),
    "recordings": ("recording", "recordings"),
    "save_recordings": ("recording", "save_recordings"),
    "SynapseCollection": ("synapsecollection", "SynapseCollection"),
    "TripartiteConnect": ("tripartite", "TripartiteConnect"),
    "VerbosityLevel": ("verbosity_levels", "VerbosityLevel"),
    "get_verbosity": ("verbosity_levels", "get_verbosity"),
    "set_verbosity": ("verbosity_levels", "set_verbosity"),
}
#: Submodules PyNEST scripts use as attributes (``nest.random.uniform``, ``nest.raster_plot``).
_SUBMODULES = ("api", "math", "random", "raster_plot", "voltage_trace", "kernel_properties")

__all__ = ["ResetKernel", "Create", "Connect", "TripartiteConnect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "NodeCollection", "Kernel",
           "get_kernel", "Actor", "Spikes", "Current", "Samples", "SynapseCollection", "recordings", "save_recordings", "sweep", "load_sweep", "SweepError", "EventSimError", "BadProperty",
           "BadParameter", "BadDelay", "UnknownModelName", "UnknownReceptorType", "IncompatibleReceptorType",
           "IllegalConnection", "KernelException", "NESTError", "NESTErrors", "VerbosityLevel", "set_verbosity",
           "get_verbosity", "CreateParameter", "get", "set", "CopyModel", "Disconnect", "GetNodes", "PrintNodes", "Prepare", "Run",
           "Cleanup", "RunManager", "Rank", "NumProcesses", "to_json", "build_info", "kernel_status", "resolution", "rng_seed", "biological_time",
           "node_models", "report", "__version__"]

#: Named progress reports (besides None and callables); see :mod:`eventsim.progress`.
_REPORT_MODES = ("bar", "text", "stderr")


def _submodule(name):
    return importlib.import_module(f"{__name__}.{name}")


def _load_builtin_models():
    from . import nodes, quick_exit, recorders  # noqa: F401  (importing them registers the models)
    quick_exit.install()


# The core asks these on first use; they import the front end and the models only then.
_registry.add_loader(_load_builtin_models)
_default_kernel.set_provider(lambda: _submodule("api").get_kernel())

#: Module attributes that are not kernel properties but are computed on access.
_COMPUTED = {"kernel_status": lambda: _submodule("kernel_properties").get_status(_submodule("api").get_kernel()),
             "build_info": lambda: _submodule("kernel_properties").build_info(),
             "report": lambda: _submodule("api").get_kernel().report}


class _Module(types.ModuleType):
    """Module type whose kernel attributes read and write the default kernel, as PyNEST's do.

    Every kernel property (``resolution``, ``min_delay``, ``local_num_threads``
    ...) reads as ``eventsim.<key>``; the settable ones are set by assignment.
    Assigning any other public name raises AttributeError (as in PyNEST), so
    that a misspelt ``nest.resolutoin = 0.05`` is not stored silently and
    ``nest.get = 5`` does not replace a function.
    """

    def __reduce__(self):
        # pickled by name, as plain modules are by cloudpickle (Dask), so that functions of a
        # user's script that use ``nest.`` can travel to workers
        return importlib.import_module, (self.__name__,)

    def __getattr__(self, name):
        if name in _LAZY_NAMES:
            module, attribute = _LAZY_NAMES[name]
            value = getattr(_submodule(module), attribute)
            types.ModuleType.__setattr__(self, name, value)
            return value
        if name in _SUBMODULES:
            return _submodule(name)
        if name in _COMPUTED:
            return _COMPUTED[name]()
        properties = _submodule("kernel_properties")
        if name in properties.READABLE:
            return properties.READABLE[name](_submodule("api").get_kernel())
        raise AttributeError(f"module 'eventsim' has no attribute {name!r}")

    def __setattr__(self, name, value):
        if f"{__name__}.{name}" in sys.modules:
            # the import system binding a submodule; where a function has the module's name
            # (eventsim.sweep), the name stays the function
            if name in _LAZY_NAMES and isinstance(value, types.ModuleType):
                value = getattr(value, _LAZY_NAMES[name][1])
            super().__setattr__(name, value)
            return
        properties = _submodule("kernel_properties")
        if name == "report":
            if not (value is None or callable(value) or (isinstance(value, str) and value in _REPORT_MODES)):
                raise BadParameter(f"eventsim.report must be None, a callable or one of {', '.join(_REPORT_MODES)}; "
                                   f"got {value!r}")
            _submodule("api").get_kernel().report = value
        elif name in properties.SETTABLE:
            properties.set_status(_submodule("api").get_kernel(), {name: value})
        elif name in properties.READABLE or name in _COMPUTED:
            raise AttributeError(f"eventsim.{name} is read-only")
        elif name.startswith("_") or f"{__name__}.{name}" in sys.modules:
            super().__setattr__(name, value)   # private names, and submodules bound by the import system
        else:
            # as PyNEST: neither new names nor the module's functions can be assigned
            raise AttributeError(f"cannot set attribute {name!r} on module 'eventsim': it is no kernel property "
                                 f"(settable: {', '.join(sorted(properties.SETTABLE))}, report)")


sys.modules[__name__].__class__ = _Module
