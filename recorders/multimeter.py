"""multimeter: samples state variables of the neurons it is connected to.

``Connect(multimeter, neurons)``.  The multimeter samples ``record_from`` at
the steps whose end time t is ``offset + k * interval`` (k = 0, 1, ...) and
lies in ``(origin + start, origin + stop]``, at the end of the update of
that step: after spike detection and reset and after the input due at t has
been added, as NEST does.  There is no sample at t = 0.

Visibility, as NEST 3.10: NEST advances in slices of ``min_delay`` (aligned
to multiples of ``min_delay`` from t = 0) and hands a slice's samples to the
multimeter at the start of the next slice, so after ``Simulate`` up to step
T the samples up to ``((T - 1) // min_delay) * min_delay`` are visible; the
rest appear after the next ``Simulate`` call.  ``events`` lists the samples
in NEST's order: slice by slice, within a slice by sender in the order the
senders were connected, then time.

Storage: one preallocated ``(samples, senders)`` float64 block per recorded
variable, columns in ascending global id.  Before each ``Simulate`` the
multimeter reserves room for exactly the samples of that call, so a
recording of N senders, S samples and V variables holds N x S x V x 8 bytes
(plus 8 bytes per sample for the time stamps).  With ``record_to="netcdf"``
the block holds at most about :data:`eventsim.recorders.base.STREAM_BUFFER_BYTES`,
and full chunks are appended to the file ``filename`` during the run.
"""

import numpy as np
from eventsim.lazy import lazy_module

xr = lazy_module("xarray")

from eventsim.errors import BadProperty, IllegalConnection
from eventsim.recording import multimeter_dataset, recorder_attrs
from eventsim.registry import register
from eventsim.timegrid import steps_to_ms
from . import base
from .base import GrowableArray, RecordingDevice
from .netcdf_stream import NetCDFStream

__all__ = ["Multimeter", "nest_event_order"]

#: Parameters that fix the layout of the recording; they cannot change once the multimeter is connected.
LAYOUT_PARAMETERS = ("interval", "offset", "record_from")


def nest_event_order(steps, n_senders, min_delay):
    """Positions of the samples in NEST's flat ``events`` arrays.

    Parameters
    ----------
    steps : numpy.ndarray of int, shape (T,)
        Ascending sample time stamps (steps).
    n_senders : int
        Number of senders S.
    min_delay : int
        NEST's slice length (steps).

    Returns
    -------
    numpy.ndarray of int64, shape (T, S)
        ``out[pos[t, s]]`` is the sample of time ``t`` and sender ``s``:
        slice by slice, within a slice sender by sender, then by time.
    """
    T = len(steps)
    rows = np.arange(T)
    block = (np.asarray(steps) - 1) // min_delay
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]]) if T else np.empty(0, np.int64)
    lengths = np.diff(np.r_[starts, T])
    first = np.repeat(starts, lengths)
    length = np.repeat(lengths, lengths)
    cols = np.arange(n_senders)
    return (first * n_senders + (rows - first))[:, None] + cols[None, :] * length[:, None]


@register
class Multimeter(RecordingDevice):
    """Samples ``record_from`` of its targets every ``interval`` ms.

    Parameters (``Create``/``set``)
    -------------------------------
    interval : float
        Sampling interval (ms), a positive multiple of the resolution
        (default 1.0).
    offset : float
        Time (ms) of the first possible sample, a non-negative multiple of
        the resolution (default 0.0).
    record_from : list of str
        Recordables to sample; checked against each target at ``Connect``.
    origin, start, stop, label, record_to, filename
        See :class:`eventsim.recorders.base.RecordingDevice`.

    Read-only: ``events`` (dict of flat arrays as PyNEST: ``senders``,
    ``times`` in ms, one array per recordable), ``n_events``.
    """

    model_name = "multimeter"
    samples_targets = True
    array_parameters = frozenset({"record_from"})
    defaults = {**RecordingDevice.common_defaults, "interval": 1.0, "offset": 0.0, "record_from": [],
                "frozen": False}

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self.targets = []
        """Recorded populations, in the order they were connected."""
        self._store = {}
        """Per target population: ``local`` (its recorded local indices), ``columns``, ``rows`` written."""
        self._senders = np.empty(0, dtype=np.int64)
        self._connected = []
        """Global ids of the recorded nodes in the order they were connected (NEST's order of senders)."""
        self._steps = GrowableArray(dtype=np.int64)
        self._values = {}
        self._stream = None
        self._flushed = 0
        self._file_complete_steps = 0
        self._started = False
        self._window = self.window_steps()

    # --- parameters ----------------------------------------------------------------
    def validate(self, status):
        status = super().validate(status)
        status["interval"] = self._grid_time("interval", status["interval"])
        if status["interval"] <= 0:
            raise BadProperty(f"interval must be positive, got {status['interval']} ms")
        status["offset"] = self._grid_time("offset", status["offset"])
        if status["offset"] < 0:
            raise BadProperty(f"offset must not be negative, got {status['offset']} ms")
        status["record_from"] = self._record_from(status["record_from"])
        old = getattr(self, "_params", None)
        if old and getattr(self, "targets", None):
            changed = [k for k in LAYOUT_PARAMETERS if status[k] != old[0][k]]
            if changed:
                raise BadProperty(f"multimeter: {changed[0]} cannot change after the multimeter was connected")
        return status

    @staticmethod
    def _record_from(names):
        if isinstance(names, str) or not isinstance(names, (list, tuple)) \
                or not all(isinstance(x, str) for x in names):
            raise BadProperty(f"record_from must be a list of recordable names, got {names!r}")
        if len(set(names)) != len(names):
            raise BadProperty(f"record_from lists a name twice: {list(names)!r}")
        return list(names)

    @property
    def interval_steps(self):
        """Sampling interval (steps)."""
        return int(round(self.status["interval"] / self.kernel.resolution))

    @property
    def offset_steps(self):
        """Offset of the sampling grid (steps)."""
        return int(round(self.status["offset"] / self.kernel.resolution))

    @property
    def record_from(self):
        """Names of the recorded variables (list of str)."""
        return self.status["record_from"]

    def has_started(self):
        return self._started

    # --- connection ------------------------------------------------------------------
    def register_target(self, pop, local):
        """Check that local nodes `local` of population `pop` can be recorded (called by ``Connect``
        before anything changes).

        Raises
        ------
        BadProperty
            If `pop` lacks a name of ``record_from``.
        IllegalConnection
            If the multimeter has recorded samples already, or would be connected twice to a node
            (NEST allows one connection per multimeter and node).
        """
        missing = [v for v in self.record_from if v not in pop.recordable_names()]
        if missing:
            raise BadProperty(f"{pop.model_name} cannot record {missing[0]!r} (record_from of multimeter "
                              f"{self.first_gid}); its recordables are {', '.join(pop.recordable_names())}")
        if self._flushed or self._steps.size:
            raise IllegalConnection(f"multimeter {self.first_gid} has recorded samples; connect it to all its "
                                    "neurons before they are recorded, or create another multimeter")
        local = np.asarray(local)
        known = self._store[pop]["local"] if pop in self._store else np.empty(0, dtype=np.int64)
        unique, counts = np.unique(local, return_counts=True)
        twice = unique[(counts > 1) | np.isin(unique, known)]
        if twice.size:
            raise IllegalConnection(f"multimeter {self.first_gid} would be connected twice to node "
                                    f"{pop.first_gid + int(twice[0])}; each multimeter can only be connected "
                                    "once to a given node")

    def add_target(self, pop, local):
        """Record local nodes `local` (array of int) of population `pop` from now on."""
        self._connected.append(pop.first_gid + np.asarray(local, dtype=np.int64))
        if pop not in self._store:
            self.targets.append(pop)
            self._store[pop] = {"local": np.unique(local), "rows": 0}
        else:
            entry = self._store[pop]
            entry["local"] = np.union1d(entry["local"], local)
        self._assign_columns()

    def receive_samples(self, pop, batch):
        """Store, from `batch` (a :class:`~eventsim.messages.SampleBatch` of population `pop`), the recorded
        variables of the nodes connected to this multimeter at its sample steps."""
        steps = self.sample_steps(batch.t_from, batch.t_to)
        if steps.size == 0:
            return
        rows = steps - batch.t_from - 1
        local = self._store[pop]["local"]
        self.record(pop, steps, {name: batch.read(name, rows, local) for name in self.record_from})

    def _assign_columns(self):
        """Give each target's nodes their columns in ascending global id."""
        gids = {pop: pop.first_gid + e["local"] for pop, e in self._store.items()}
        self._senders = np.unique(np.concatenate(list(gids.values())))
        for pop, g in gids.items():
            cols = np.searchsorted(self._senders, g)
            contiguous = len(cols) and cols[-1] - cols[0] + 1 == len(cols)
            self._store[pop]["columns"] = slice(int(cols[0]), int(cols[-1]) + 1) if contiguous else cols
        self._values = {name: GrowableArray(width=len(self._senders), dtype=np.float64)
                        for name in self.record_from}

    # --- running -------------------------------------------------------------------------
    def prepare_recording(self, t_end=None):
        """Fix the window, open the stream if any and reserve room for the samples up to `t_end` (steps)."""
        self._started = True
        self._window = self.window_steps()
        if self.streaming:
            self._open_stream()
        if t_end is not None:
            n_new = len(self.sample_steps(self.kernel.steps, t_end))
            if self.streaming:
                n_new = min(n_new, self._chunk_rows())
            self._reserve(n_new)

    def _reserve(self, rows):
        self._steps.reserve(rows)
        for arr in self._values.values():
            arr.reserve(rows)

    def _chunk_rows(self):
        """Samples buffered before a streaming multimeter appends them to its file."""
        row_bytes = 8 * max(1, len(self._senders)) * max(1, len(self._values)) + 8
        return max(1, base.STREAM_BUFFER_BYTES // row_bytes)

    def sample_steps(self, t_from, t_to):
        """Steps in ``(t_from, t_to]`` (steps) at which to sample (int64 array)."""
        lo, hi = self._window
        iv, off = self.interval_steps, self.offset_steps
        after = max(t_from, lo)
        first = off if after < off else off + ((after - off) // iv + 1) * iv
        last = min(t_to, hi)
        if last < first:
            return np.empty(0, dtype=np.int64)
        return np.arange(first, last + 1, iv, dtype=np.int64)

    def record(self, pop, steps, values):
        """Store samples of `pop`: `steps` (n,) and ``values[name]`` of shape (n, number of its local nodes)."""
        entry = self._store[pop]
        r0 = entry["rows"]
        r1 = r0 + len(steps)
        if r1 > self._steps.size:
            self._steps.resize(r1)
            for arr in self._values.values():
                arr.resize(r1)
        self._steps.buffer[r0:r1] = steps
        cols = entry["columns"]
        for name in self.record_from:
            self._values[name].buffer[r0:r1, cols] = values[name]
        entry["rows"] = r1

    def flush_during_run(self):
        """Append the buffered samples up to the kernel's consistent time once the buffer is full."""
        if self._stream is not None and not self._stream.failed and self._steps.size >= self._chunk_rows():
            self._flush(self._rows_safe_during_run())

    def after_run(self, t_end):
        """Append the samples that became visible to the stream and commit it (with what it holds if a
        write failed)."""
        if self._stream is None:
            return
        error = None
        if not self._stream.failed:
            try:
                self._flush(self._visible_rows())
            except OSError as err:
                error = err
        attrs = recorder_attrs(self) | self._extra_attrs()
        if self._stream.failed:
            attrs["simulated_ms"] = float(steps_to_ms(self._file_complete_steps, self.kernel.resolution))
        self._stream.commit(attrs)
        if error is not None:
            raise error

    # --- buffer bookkeeping -------------------------------------------------------------
    def _complete_rows(self):
        """Rows written by every target population."""
        return min((e["rows"] for e in self._store.values()), default=0)

    def visible_until(self):
        """Last step (int) whose samples are visible: the end of the last completed ``min_delay`` slice."""
        steps, md = self.kernel.steps, self.kernel.min_delay
        return ((steps - 1) // md) * md if steps > 0 else 0

    def _visible_rows(self):
        """Buffered rows that are complete and visible."""
        steps = self._steps.view()[:self._complete_rows()]
        return int(np.searchsorted(steps, self.visible_until(), side="right"))

    def _rows_safe_during_run(self):
        """Complete rows up to the last ``min_delay`` slice that every population has finished: visible
        whenever the run ends, interrupted or not."""
        n = self._complete_rows()
        if n == 0:
            return 0
        reached, md = self.kernel.consistent_steps(), self.kernel.min_delay
        limit = ((reached - 1) // md) * md if reached > 0 else 0
        return int(np.searchsorted(self._steps.view()[:n], limit, side="right"))

    def _drop_rows(self, n):
        self._steps.drop_front(n)
        for arr in self._values.values():
            arr.drop_front(n)
        for entry in self._store.values():
            entry["rows"] -= n

    def _flush(self, n):
        """Append the first `n` buffered rows to the stream and drop them from the buffer."""
        if n == 0:
            return
        columns = {"time": steps_to_ms(self._steps.view()[:n], self.kernel.resolution)}
        columns.update({name: arr.view()[:n] for name, arr in self._values.items()})
        last = int(self._steps.view()[n - 1])
        self._stream.append(columns, attrs={"simulated_ms": float(steps_to_ms(last, self.kernel.resolution))})
        self._flushed += n
        self._file_complete_steps = last
        self._drop_rows(n)

    # --- streaming ------------------------------------------------------------------------
    def _open_stream(self):
        if self._stream is None:
            empty = {name: np.empty((0, len(self._senders))) for name in self.record_from}
            template = self._dataset(np.empty(0), empty)
            self._stream = NetCDFStream(self.status["filename"], template, "time")
        elif self._stream.committed:
            self._stream.reopen()

    # --- results ----------------------------------------------------------------------------
    @property
    def nbytes(self):
        """Bytes allocated for the samples and their time stamps (int)."""
        return self._steps.nbytes + sum(arr.nbytes for arr in self._values.values())

    def table(self):
        """Visible samples in memory: times (ms, shape (T,)), senders (S,), ``{name: (T, S) view}``."""
        n = self._visible_rows()
        times = steps_to_ms(self._steps.view()[:n], self.kernel.resolution)
        data = {name: self._values[name].view()[:n] if name in self._values else np.empty((n, 0))
                for name in self.record_from}
        return times, self._senders.copy(), data

    def _extra_attrs(self):
        return {"interval_ms": float(self.status["interval"]), "offset_ms": float(self.status["offset"])}

    def _dataset(self, times, data):
        units, models = {}, []
        for pop in self.targets:
            units.update(pop.recordable_units())
        model_of = {int(g): pop.model_name for pop in self.targets for g in pop.first_gid + self._store[pop]["local"]}
        models = [model_of[int(g)] for g in self._senders]
        return multimeter_dataset(times, self._senders, data, units=units, models=models,
                                  attrs=recorder_attrs(self) | self._extra_attrs())

    def to_dataset(self):
        """The recording as an :class:`xarray.Dataset` (dims ``time`` x ``sender``).

        With ``record_to="netcdf"`` the dataset is opened from the file and
        read lazily (only what is used is loaded; ``.load()`` reads it all).
        """
        if self._stream is not None and self._stream.committed:
            return xr.open_dataset(self._stream.path, engine="netcdf4")
        times, _, data = self.table()
        return self._dataset(times, {name: arr.copy() for name, arr in data.items()})

    @property
    def events(self):
        """Samples as PyNEST's flat arrays: ``senders``, ``times`` (ms; with ``time_in_steps`` steps and
        ``offsets``) and one array per recorded variable, in NEST's order (see the module docstring)."""
        if self._stream is not None and self._stream.committed:
            ds = self.to_dataset().load()
            times, senders = ds["time"].values, ds["sender"].values.astype(np.int64)
            data = {name: ds[name].values for name in self.record_from}
        else:
            times, senders, data = self.table()
        if len(senders) > 1:
            by_connection = np.searchsorted(senders, np.concatenate(self._connected))
            senders = senders[by_connection]
            data = {name: arr[:, by_connection] for name, arr in data.items()}
        steps = np.round(times / self.kernel.resolution).astype(np.int64)
        pos = nest_event_order(steps, len(senders), self.kernel.min_delay).ravel()
        out = {"senders": _scatter(pos, np.broadcast_to(senders, (len(times), len(senders)))),
               "times": _scatter(pos, np.broadcast_to(times[:, None], (len(times), len(senders))))}
        out.update({name: _scatter(pos, arr) for name, arr in data.items()})
        if self.status["time_in_steps"]:   # NEST: times as steps, and offsets (always 0 for samples)
            out["times"] = np.round(out["times"] / self.kernel.resolution).astype(np.int64)
            out["offsets"] = np.zeros(len(out["times"]))
        return out

    @property
    def n_events(self):
        """Number of visible samples (one per sender and time)."""
        return (self._flushed + self._visible_rows()) * len(self._senders)

    def clear(self):
        """Forget the visible samples (``n_events = 0``); samples not yet visible are kept, as in NEST."""
        if self.streaming and self._started:
            raise BadProperty("n_events cannot be reset for record_to='netcdf': the samples are in "
                              f"{self.status['filename']!r}")
        self._drop_rows(self._visible_rows())

    def _state_status(self, i):
        return {"n_events": self.n_events}


def _scatter(pos, values):
    """Flat array with ``out[pos] = values.ravel()``."""
    values = np.asarray(values)
    out = np.empty(values.size, dtype=values.dtype)
    out[pos] = values.ravel()
    return out
