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
from eventsim.timegrid import steps_to_ms
from . import base
from .base import GrowableArray, RecordingDevice
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
        self._offsets = GrowableArray(dtype=np.float64)
        """Precise spike offsets (ms before the end of the stamp's step; 0 for on-grid spikes)."""
        self._sorted = None
        self.sources = np.empty(0, dtype=np.int64)
        """Global ids of the nodes connected to the recorder (ascending int64)."""
        self._feeders = []
        self._stream = None
        self._streamed_counts = np.empty(0, dtype=np.int64)
        self._flush_pending = False
        self._file_complete_steps = 0
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

    def receive_spikes(self, source, projection, batch):
        """Record a spike batch once per connection: unconnected senders are not recorded, a repeated
        connection records twice."""
        counts = projection.fan_out(batch.sources)
        lowest, highest = counts.min(), counts.max()
        if highest == 0:
            return
        if lowest == 1 and highest == 1:          # every sender connected once: the batch as it is
            self.record_spikes(source.first_gid + batch.sources, batch.stamps.copy(), batch.multiplicities,
                               None if batch.offsets is None else batch.offsets.copy())
            return
        self.record_spikes(source.first_gid + np.repeat(batch.sources, counts), np.repeat(batch.stamps, counts),
                           np.repeat(batch.multiplicities, counts),
                           None if batch.offsets is None else np.repeat(batch.offsets, counts))

    def receive_per_connection(self, source, batch):
        """Record spike counts drawn per connection (a poisson_generator's trains) as each connection's train."""
        src = batch.projection.arrays[0]
        step, col = np.nonzero(batch.values)
        if step.size:
            self.record_spikes(source.first_gid + src[batch.conns[col]], batch.first_stamp + step,
                               batch.values[step, col].astype(np.int64))

    def record_spikes(self, gids, stamps, multiplicities, offsets=None):
        """Store spikes of global ids `gids` at `stamps` (steps) that fall in the recording window.

        `offsets` (ms, or None for 0): how long before the end of its step each spike happened.
        """
        if offsets is None:
            offsets = np.zeros(len(stamps))
        lo, hi = self._window
        if stamps.size and not (stamps.min() > lo and stamps.max() <= hi):
            keep = (stamps > lo) & (stamps <= hi)
            gids, stamps, multiplicities, offsets = gids[keep], stamps[keep], multiplicities[keep], offsets[keep]
        if multiplicities.size and (multiplicities.min() != 1 or multiplicities.max() != 1):
            gids, stamps = np.repeat(gids, multiplicities), np.repeat(stamps, multiplicities)
            offsets = np.repeat(offsets, multiplicities)
        self._senders.append(gids)
        self._stamps.append(stamps)
        self._offsets.append(offsets)
        self._sorted = None
        if self._stream is not None and self._senders.size * BYTES_PER_SPIKE >= base.STREAM_BUFFER_BYTES:
            self._flush(min((src.t for src in self._feeders), default=self.kernel.steps))

    def after_run(self, t_end):
        """Append the buffered spikes stamped up to `t_end` (steps) to the stream and commit it (with what
        it holds if a write failed)."""
        if self._stream is None:
            return
        error = None
        if not self._stream.failed:
            try:
                self._append_to_stream(t_end)
            except OSError as err:
                error = err
        self._stream.write("spike_count", self._streamed_counts.astype(np.int32))
        attrs = recorder_attrs(self)
        if self._stream.failed:
            attrs["simulated_ms"] = float(steps_to_ms(self._file_complete_steps, self.kernel.resolution))
        self._stream.commit(attrs)
        if error is not None:
            raise error

    def flush_during_run(self):
        """Append the buffered spikes up to the kernel's consistent time once the buffer is full."""
        if self._flush_pending and self._stream is not None and not self._stream.failed:
            self._flush_pending = False
            self._append_to_stream(self.kernel.consistent_steps())

    # --- buffer -------------------------------------------------------------------------
    def _ordered(self):
        """Buffered spikes as (senders, stamps, offsets), sorted by stamp, then sender."""
        if self._sorted is None:
            s, t, o = self._senders.view(), self._stamps.view(), self._offsets.view()
            order = np.lexsort((s, t))
            self._sorted = (s[order], t[order], o[order])
        return self._sorted

    def _visible(self):
        """Buffered spikes stamped up to the kernel's time (senders, stamps, offsets): after an interrupted
        run, populations that ran ahead may have sent later ones."""
        senders, stamps, offsets = self._ordered()
        n = int(np.searchsorted(stamps, self.kernel.steps, side="right"))
        return senders[:n], stamps[:n], offsets[:n]

    def _times(self, stamps, offsets):
        """Spike times (ms): the end of the stamp's step less the offset."""
        return steps_to_ms(stamps, self.kernel.resolution) - offsets

    def _keep_buffered(self, n):
        """Drop the first `n` spikes of the ordered buffer and keep the rest."""
        senders, stamps, offsets = self._ordered()
        rest = senders[n:].copy(), stamps[n:].copy(), offsets[n:].copy()
        self._clear_buffer()
        self._senders.append(rest[0])
        self._stamps.append(rest[1])
        self._offsets.append(rest[2])

    def _flush(self, limit):
        """Ask for the buffer to be appended to the stream at the next point between two updates
        (a write failure must not land inside a population's update)."""
        self._flush_pending = True

    def _append_to_stream(self, limit):
        """Append the buffered spikes stamped up to `limit` (steps) to the stream, in order."""
        senders, stamps, offsets = self._ordered()
        n = int(np.searchsorted(stamps, limit, side="right"))
        if n > 0:
            index = np.searchsorted(self.sources, senders[:n])
            counts = self._streamed_counts.copy()
            np.add.at(counts, index, 1)
            self._stream.append({"spike_time": self._times(stamps[:n], offsets[:n]),
                                 "spike_sender_index": index.astype(np.int32),
                                 "spike_sender": senders[:n].astype(np.int32)},
                                fixed={"spike_count": counts.astype(np.int32)},
                                attrs={"simulated_ms": float(steps_to_ms(limit, self.kernel.resolution))})
            self._streamed_counts = counts
            self._keep_buffered(n)
        self._file_complete_steps = max(self._file_complete_steps, int(limit))

    def _clear_buffer(self):
        """Drop the buffered spikes."""
        self._senders.clear()
        self._stamps.clear()
        self._offsets.clear()
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
        """The recording as an :class:`xarray.Dataset` (a CF indexed ragged array: ``spike_time``,
        ``spike_sender_index``, ``spike_sender``, ``spike_count``; see :mod:`eventsim.recording`).

        With ``record_to="netcdf"`` the dataset is opened from the file and
        read lazily.
        """
        if self._stream is not None and self._stream.committed:
            return xr.open_dataset(self._stream.path, engine="netcdf4")
        senders, stamps, offsets = self._visible()
        return self._dataset(self._times(stamps, offsets), senders)

    @property
    def events(self):
        """Recorded spikes as PyNEST's flat arrays: ``senders`` (global ids, int64) and ``times`` (ms),
        in NEST's order (see the module docstring); with ``time_in_steps``, ``times`` in steps (int64)
        and ``offsets`` (ms before the end of the step)."""
        h = self.kernel.resolution
        if self._stream is not None and self._stream.committed:
            ds = self.to_dataset().load()
            senders = ds["spike_sender"].values.astype(np.int64)
            times = ds["spike_time"].values
            stamps = np.ceil(np.round(times / h, 9)).astype(np.int64)
            offsets = np.where(np.isclose(stamps * h, times, rtol=0, atol=5e-7), 0.0,
                               steps_to_ms(stamps, h) - times)
        else:
            senders, stamps, offsets = self._visible()
        order = np.lexsort((stamps, senders, (stamps - 1) // self.kernel.min_delay))
        senders, stamps, offsets = senders[order], stamps[order], offsets[order]
        if self.status["time_in_steps"]:
            return {"senders": senders, "times": stamps, "offsets": offsets}
        return {"senders": senders, "times": self._times(stamps, offsets)}

    @property
    def n_events(self):
        """Number of recorded spikes (int)."""
        if self._stream is not None and self._stream.committed:
            return self._stream.size
        return int(np.count_nonzero(self._stamps.view() <= self.kernel.steps))

    def clear(self):
        """Forget all recorded spikes (``n_events = 0``)."""
        if self.streaming and self._started:
            raise BadProperty("n_events cannot be reset for record_to='netcdf': the spikes are in "
                              f"{self.status['filename']!r}")
        self._keep_buffered(len(self._visible()[0]))

    def _state_status(self, i):
        return {"n_events": self.n_events}
