"""Recording devices.

.. autosummary::

   Multimeter
   SpikeRecorder

Both keep their recording in memory (``record_to="memory"``) or stream it to
a netCDF file while the simulation runs (``record_to="netcdf"``); see
:mod:`eventsim.recorders.netcdf_stream`.  Their datasets are described in
:mod:`eventsim.recording`.
"""

from .multimeter import Multimeter
from .spike_recorder import SpikeRecorder

__all__ = ["Multimeter", "SpikeRecorder"]
