"""spike_recorder: records the spikes of the nodes connected to it.

Each spike is stored with its sender's global id and its time stamp; a spike
of multiplicity m is stored m times, as NEST does.  ``events`` gives
``senders`` and ``times`` (ms) sorted by time, then sender.
"""

import numpy as np

from eventsim.registry import register
from .base import GrowableArray, RecordingDevice

__all__ = ["SpikeRecorder"]


@register
class SpikeRecorder(RecordingDevice):
    """Records spikes within ``(origin + start, origin + stop]`` ms.

    Parameters: ``origin``, ``start``, ``stop`` (ms), ``label``, ``record_to``,
    ``filename``.  Read-only: ``n_events``, ``events``.
    """

    model_name = "spike_recorder"
    defaults = dict(RecordingDevice.common_defaults)
    units = {"times": "ms"}

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._senders = GrowableArray(dtype=np.int64)
        self._stamps = GrowableArray(dtype=np.int64)
        self._sorted = None
        self.sources = np.empty(0, dtype=np.int64)

    def prepare_recording(self):
        gids = [np.asarray(src.gids[np.unique(p.arrays[0])]) for p in self.kernel.projections.values()
                if p.target is self for src in [p.source]]
        self.sources = np.unique(np.concatenate(gids)) if gids else np.empty(0, dtype=np.int64)
        self._window = self.window_steps()

    def record_spikes(self, gids, stamps, multiplicities):
        """Store spikes of global ids `gids` at `stamps` (steps) that fall in the recording window."""
        lo, hi = self._window
        keep = (stamps > lo) & (stamps <= hi)
        if not np.all(keep):
            gids, stamps, multiplicities = gids[keep], stamps[keep], multiplicities[keep]
        if np.any(multiplicities != 1):
            gids, stamps = np.repeat(gids, multiplicities), np.repeat(stamps, multiplicities)
        self._senders.append(gids)
        self._stamps.append(stamps)
        self._sorted = None

    def _ordered(self):
        if self._sorted is None:
            s, t = self._senders.view(), self._stamps.view()
            order = np.lexsort((s, t))
            self._sorted = (s[order], t[order])
        return self._sorted

    @property
    def events(self):
        """Recorded spikes: dict with ``senders`` (global ids) and ``times`` (ms) arrays."""
        s, t = self._ordered()
        return {"senders": s.copy(), "times": t * self.kernel.resolution}

    @property
    def n_events(self):
        """Number of recorded spikes."""
        return self._senders.size

    def clear(self):
        self._senders.clear()
        self._stamps.clear()
        self._sorted = None

    def _state_status(self, i):
        return {"n_events": self.n_events}

    def to_dataset(self):
        """The recording as an :class:`xarray.Dataset`; see :func:`eventsim.recording.spike_dataset`."""
        from eventsim.recording import spike_dataset
        return spike_dataset(self)
