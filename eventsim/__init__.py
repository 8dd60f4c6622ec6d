"""eventsim: an event-driven spiking neuron simulator with the PyNEST 3.10 API.

``import eventsim as nest`` runs PyNEST scripts with the same meaning:
``Create``, ``Connect``, ``Simulate``, ``GetDefaults`` and friends act on a
default :class:`~eventsim.kernel.Kernel`, and the module attributes named
after kernel properties (``resolution`` in ms, ``rng_seed``,
``biological_time`` in ms, ``min_delay`` in ms, ``node_models``...; see
:mod:`eventsim.kernel_properties`) read and set that kernel's properties.  Recordings are
available as PyNEST ``events`` dicts and as xarray datasets
(:func:`recordings`).
"""

import sys
import types

from . import _checkout_layout

_checkout_layout.install(__path__[0])

from . import api  # noqa: E402  (after the layout finder, which the models' import needs)
from . import kernel_properties  # noqa: E402
from . import math, random  # noqa: F401,E402  (PyNEST's nest.math and nest.random)
from . import raster_plot, voltage_trace  # noqa: F401,E402  (matplotlib is imported when they draw)
from .random import create_parameter as CreateParameter  # noqa: E402
from .api import (Cleanup, Connect, CopyModel, Create, Disconnect, GetConnections, GetNodes, Prepare, PrintNodes, Run,
                  RunManager, GetDefaults, GetKernelStatus, GetStatus, NodeCollection,
                  ResetKernel, SetDefaults, SetKernelStatus, SetStatus, Simulate, get_kernel)
from .api import kernel_get as get, kernel_set as set  # noqa: A001 - PyNEST's names nest.get and nest.set
from .errors import (BadDelay, BadParameter, BadProperty, EventSimError, IllegalConnection,
                     IncompatibleReceptorType, KernelException, NESTError, NESTErrors, UnknownModelName,
                     UnknownReceptorType)
from .kernel import Kernel
from .recording import recordings, save_recordings
from .synapsecollection import SynapseCollection
from .verbosity_levels import VerbosityLevel, get_verbosity, set_verbosity

from ._version import __version__  # noqa: E402

__all__ = ["ResetKernel", "Create", "Connect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "NodeCollection", "Kernel",
           "get_kernel", "SynapseCollection", "recordings", "save_recordings", "EventSimError", "BadProperty", "BadParameter",
           "BadDelay", "UnknownModelName", "UnknownReceptorType", "IncompatibleReceptorType", "IllegalConnection",
           "KernelException", "NESTError", "NESTErrors", "VerbosityLevel", "set_verbosity", "get_verbosity",
           "CreateParameter", "get", "set", "CopyModel", "Disconnect", "GetNodes", "PrintNodes", "Prepare", "Run", "Cleanup",
           "RunManager", "build_info", "kernel_status", "resolution", "rng_seed", "biological_time",
           "node_models", "report", "__version__"]

#: Named progress reports (besides None and callables); see :mod:`eventsim.progress`.
_REPORT_MODES = ("bar", "text", "stderr")
#: Module attributes that are not kernel properties but are computed on access.
_COMPUTED = {"kernel_status": lambda: kernel_properties.get_status(api.get_kernel()),
             "build_info": kernel_properties.build_info,
             "report": lambda: api.get_kernel().report}


class _Module(types.ModuleType):
    """Module type whose kernel attributes read and write the default kernel, as PyNEST's do.

    Every kernel property (``resolution``, ``min_delay``, ``local_num_threads``
    ...) reads as ``eventsim.<key>``; the settable ones are set by assignment.
    Assigning any other name that the module does not have raises
    AttributeError, so that a misspelt ``nest.resolutoin = 0.05`` is not stored
    silently.
    """

    def __getattr__(self, name):
        if name in kernel_properties.READABLE:
            return kernel_properties.READABLE[name](api.get_kernel())
        if name in _COMPUTED:
            return _COMPUTED[name]()
        raise AttributeError(f"module 'eventsim' has no attribute {name!r}")

    def __setattr__(self, name, value):
        if name == "report":
            if not (value is None or callable(value) or (isinstance(value, str) and value in _REPORT_MODES)):
                raise BadParameter(f"eventsim.report must be None, a callable or one of {', '.join(_REPORT_MODES)}; "
                                   f"got {value!r}")
            api.get_kernel().report = value
        elif name in kernel_properties.SETTABLE:
            kernel_properties.set_status(api.get_kernel(), {name: value})
        elif name in kernel_properties.READABLE or name in _COMPUTED:
            raise AttributeError(f"eventsim.{name} is read-only")
        elif name in self.__dict__ or f"{__name__}.{name}" in sys.modules:
            super().__setattr__(name, value)   # rebinding an existing name (monkeypatching) or a submodule
        else:
            raise AttributeError(f"cannot set attribute {name!r} on module 'eventsim': it is no kernel property "
                                 f"(settable: {', '.join(sorted(kernel_properties.SETTABLE))}, report)")


sys.modules[__name__].__class__ = _Module
