"""eventsim: an event-driven spiking neuron simulator with the PyNEST 3.10 API.

``import eventsim as nest`` runs PyNEST scripts with the same meaning:
``Create``, ``Connect``, ``Simulate``, ``GetDefaults`` and friends act on a
default :class:`~eventsim.kernel.Kernel`, and the module attributes
``resolution`` (ms), ``rng_seed``, ``biological_time`` (ms, read-only) and
``node_models`` read and set that kernel's properties.  Recordings are
available as PyNEST ``events`` dicts and as xarray datasets
(:func:`recordings`); :func:`sweep` runs a model over a parameter grid
and seeds, serially, on an executor or on Dask, as one xarray result.
"""

import importlib
import sys
import types

from . import api
from .api import (Connect, Create, GetConnections, GetDefaults, GetKernelStatus, GetStatus, NodeCollection,
                  ResetKernel, SetDefaults, SetKernelStatus, SetStatus, Simulate, get_kernel)
from .errors import (BadDelay, BadParameter, BadProperty, EventSimError, IllegalConnection,
                     IncompatibleReceptorType, KernelException, UnknownModelName, UnknownReceptorType)
from .kernel import Kernel
from .recording import recordings, save_recordings
from .sweep import SweepError, load_sweep, sweep

__version__ = "0.1.0"

__all__ = ["ResetKernel", "Create", "Connect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "NodeCollection", "Kernel",
           "get_kernel", "recordings", "save_recordings", "sweep", "load_sweep", "SweepError", "EventSimError", "BadProperty", "BadParameter",
           "BadDelay", "UnknownModelName", "UnknownReceptorType", "IncompatibleReceptorType", "IllegalConnection",
           "KernelException", "resolution", "rng_seed", "biological_time", "node_models", "report",
           "__version__"]

_KERNEL_ATTRS = ("resolution", "rng_seed", "biological_time")
#: Named progress reports (besides None and callables); see :mod:`eventsim.progress`.
_REPORT_MODES = ("bar", "text", "stderr")


class _Module(types.ModuleType):
    """Module type whose kernel attributes read and write the default kernel, as PyNEST's do."""

    def __reduce__(self):
        # pickled by name, as plain modules are by cloudpickle (Dask), so that functions of a
        # user's script that use ``nest.`` can travel to workers
        return importlib.import_module, (self.__name__,)

    def __getattr__(self, name):
        if name in _KERNEL_ATTRS:
            return getattr(api.get_kernel(), name)
        if name == "node_models":
            return api.node_models_tuple()
        if name == "report":
            return api.get_kernel().report
        raise AttributeError(f"module 'eventsim' has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name in ("resolution", "rng_seed"):
            setattr(api.get_kernel(), name, value)
        elif name == "report":
            if not (value is None or callable(value) or (isinstance(value, str) and value in _REPORT_MODES)):
                raise BadParameter(f"eventsim.report must be None, a callable or one of {', '.join(_REPORT_MODES)}; "
                                   f"got {value!r}")
            api.get_kernel().report = value
        elif name in ("biological_time", "node_models"):
            raise AttributeError(f"eventsim.{name} is read-only")
        else:
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Module
