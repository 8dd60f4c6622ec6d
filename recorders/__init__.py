"""Recording devices.

.. autosummary::

   Multimeter
   SpikeRecorder

Both keep their recording in memory (``record_to="memory"``) or stream it to
a netCDF file while the simulation runs (``record_to="netcdf"``); see
:mod:`eventsim.recorders.netcdf_stream`.  Their datasets are described in
:mod:`eventsim.recording`.
"""

if __name__ != "eventsim.recorders":
    # imported by its folder name from a checkout: a second copy would register the models twice and
    # write numba caches under a module name the installed package does not have
    raise ImportError(f"import the recorders package as eventsim.recorders, not as {__name__}")

from .multimeter import Multimeter
from .spike_recorder import SpikeRecorder

__all__ = ["Multimeter", "SpikeRecorder"]
