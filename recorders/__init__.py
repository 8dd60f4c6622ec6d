"""Recording devices: multimeter and spike_recorder."""

from .multimeter import Multimeter
from .spike_recorder import SpikeRecorder

__all__ = ["Multimeter", "SpikeRecorder"]
