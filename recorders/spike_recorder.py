"""spike_recorder: records the spikes of the nodes connected to it.

``Connect(neurons, spike_recorder)``.  Each spike stamped t in
``(origin + start, origin + stop]`` is stored with its sender's global id; a
spike of multiplicity m is stored m times, as NEST does.  Unlike multimeter
samples, spikes are visible as soon as ``Simulate`` returns.  ``events``
gives ``senders`` and ``times`` (ms) in NEST's order: by ``min_delay``
slice, within a slice by sender, then by time.  The dataset
(:meth:`SpikeRecorder.to_dataset`) orders them by time, then sender.

With ``record_to="netcdf"`` the spikes are appended to the file
``filename`` in that order: during a run, whenever about
:data:`eventsim.recorders.base.STREAM_BUFFER_BYTES` are buffered, those stamped up to
the time every source has reached, and the rest at the end of the run.
"""

import numpy as np
from eventsim.lazy import lazy_module

xr = lazy_module("xarray")

from eventsim.errors import KernelException, BadProperty
from eventsim.recording import recorder_attrs, spike_dataset
from eventsim.registry import register
from . import base
from .base import GrowableArray, RecordingDevice, stamps_to_ms
from .netcdf_stream import NetCDFStream

__all__ = ["SpikeRecorder"]

#: Buffered bytes per spike (sender and stamp, int64 each).
BYTES_PER_SPIKE = 16


@register
class SpikeRecorder(RecordingDevice):
    """Records spikes within ``(origin + start, origin + stop]`` ms.

    Parameters (``Create``/``set``): ``origin``, ``start``, ``stop`` (ms),
    ``label``, ``record_to``, ``filename`` (see
    :class:`eventsim.recorders.base.RecordingDevice`).  Read-only: ``n_events``,
    ``events`` (dict with ``senders`` and ``times`` in ms).
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
        """Global ids of the nodes connected to the recorder (ascending int64)."""
        self._feeders = []
        self._stream = None
        self._streamed_counts = np.empty(0, dtype=np.int64)
        self._started = False
        self._window = self.window_steps()

    def has_started(self):
        return self._started

    # --- running ----------------------------------------------------------------------
    def prepare_recording(self, t_end=None):
        """Collect the sources and the recording window; open the stream if any."""
        projections = [p for p in self.kernel.projections.values() if p.target is self]
        self._feeders = list({id(p.source): p.source for p in projections}.values())
        gids = [p.source.gids[np.unique(p.arrays[0])] for p in projections]
        sources = np.unique(np.concatenate(gids)) if gids else np.empty(0, dtype=np.int64)
        if self._stream is not None and not np.array_equal(sources, self.sources):
            raise KernelException(f"spike_recorder {self.first_gid} streams to {self.status['filename']!r}, "
                                  "whose senders are fixed; connect all sources before the first Simulate")
        self.sources = sources
        self._started = True
        self._window = self.window_steps()
        if self.streaming:
            self._open_stream()

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
        if self._stream is not None and self._senders.size * BYTES_PER_SPIKE >= base.STREAM_BUFFER_BYTES:
            self._flush(min((src.t for src in self._feeders), default=self.kernel.steps))

    def after_run(self, t_end):
        """Append all buffered spikes to the stream and commit it."""
        if self._stream is not None:
            self._flush(t_end)
            self._stream.write("spike_count", self._streamed_counts.astype(np.int32))
            self._stream.commit(recorder_attrs(self))

    def abort_recording(self):
        """Close the stream after a failed Simulate; a first, uncommitted file is deleted."""
        if self._stream is not None:
            self._stream.abort()
            if not self._stream.committed:
                self._stream = None

    # --- buffer -------------------------------------------------------------------------
    def _ordered(self):
        """Buffered spikes as (senders, stamps), sorted by stamp, then sender."""
        if self._sorted is None:
            s, t = self._senders.view(), self._stamps.view()
            order = np.lexsort((s, t))
            self._sorted = (s[order], t[order])
        return self._sorted

    def _flush(self, limit):
        """Append the buffered spikes stamped up to `limit` (steps) to the stream, in order."""
        senders, stamps = self._ordered()
        n = int(np.searchsorted(stamps, limit, side="right"))
        if n == 0:
            return
        self._stream.append({"spike_time": stamps_to_ms(stamps[:n], self.kernel.resolution),
                             "spike_sender": senders[:n].astype(np.int32)})
        np.add.at(self._streamed_counts, np.searchsorted(self.sources, senders[:n]), 1)
        rest_s, rest_t = senders[n:].copy(), stamps[n:].copy()
        self._clear_buffer()
        self._senders.append(rest_s)
        self._stamps.append(rest_t)

    def _clear_buffer(self):
        """Drop the buffered spikes."""
        self._senders.clear()
        self._stamps.clear()
        self._sorted = None

    # --- streaming --------------------------------------------------------------------------
    def _open_stream(self):
        if self._stream is None:
            template = self._dataset(np.empty(0), np.empty(0, dtype=np.int64))
            self._stream = NetCDFStream(self.status["filename"], template, "spike")
            self._streamed_counts = np.zeros(len(self.sources), dtype=np.int64)
        elif self._stream.committed:
            self._stream.reopen()

    # --- results -------------------------------------------------------------------------------
    def _dataset(self, times, senders):
        return spike_dataset(times, senders, self.sources, attrs=recorder_attrs(self))

    def to_dataset(self):
        """The recording as an :class:`xarray.Dataset` (``spike_time``, ``spike_sender``, ``spike_count``).

        With ``record_to="netcdf"`` the dataset is read from the file.
        """
        if self._stream is not None and self._stream.committed:
            return xr.load_dataset(self._stream.path, engine="netcdf4")
        senders, stamps = self._ordered()
        return self._dataset(stamps_to_ms(stamps, self.kernel.resolution), senders)

    @property
    def events(self):
        """Recorded spikes as PyNEST's flat arrays: ``senders`` (global ids, int64) and ``times`` (ms),
        in NEST's order (see the module docstring)."""
        if self._stream is not None and self._stream.committed:
            ds = self.to_dataset()
            senders = ds["spike_sender"].values.astype(np.int64)
            stamps = np.round(ds["spike_time"].values / self.kernel.resolution).astype(np.int64)
        else:
            senders, stamps = self._ordered()
        order = np.lexsort((stamps, senders, (stamps - 1) // self.kernel.min_delay))
        return {"senders": senders[order], "times": stamps_to_ms(stamps[order], self.kernel.resolution)}

    @property
    def n_events(self):
        """Number of recorded spikes (int)."""
        streamed = self._stream.size if self._stream is not None else 0
        return streamed + self._senders.size

    def clear(self):
        """Forget all recorded spikes (``n_events = 0``)."""
        if self.streaming and self._started:
            raise BadProperty("n_events cannot be reset for record_to='netcdf': the spikes are in "
                              f"{self.status['filename']!r}")
        self._clear_buffer()

    def _state_status(self, i):
        return {"n_events": self.n_events}
