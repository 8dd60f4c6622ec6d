"""multimeter: samples state variables of the neurons it is connected to.

``Connect(multimeter, neurons)``.  Every ``interval`` ms (a multiple of the
resolution) the multimeter takes the values of ``record_from`` at the end of
the update of each step whose end time t satisfies ``t % interval == 0`` and
``origin + start < t <= origin + stop``: after spike detection and reset and
after the input due at t has been added, as NEST does.  As in NEST, the
samples of the last ``min_delay`` of the simulated time become visible only
after the next ``Simulate`` call (there is no sample at t = 0).
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.registry import register
from nodes.base import as_float
from .base import GrowableArray, RecordingDevice

__all__ = ["Multimeter"]


@register
class Multimeter(RecordingDevice):
    """Samples ``record_from`` every ``interval`` ms.

    Parameters: ``interval`` (ms, default 1.0), ``record_from`` (list of
    recordable names), ``origin``, ``start``, ``stop`` (ms), ``label``,
    ``record_to``, ``filename``.
    """

    model_name = "multimeter"
    defaults = {**RecordingDevice.common_defaults, "interval": 1.0, "record_from": []}

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self.targets = []
        self._store = {}

    def validate(self, status):
        status = super().validate(status)
        iv = as_float("interval", status["interval"])
        h = self.kernel.resolution
        q = iv / h
        if iv <= 0 or abs(q - round(q)) > 1e-9 * max(1.0, q):
            raise BadProperty(f"interval {status['interval']!r} ms must be a positive multiple of the resolution "
                              f"{h} ms")
        status["interval"] = iv
        rf = status["record_from"]
        if isinstance(rf, str) or not all(isinstance(x, str) for x in rf):
            raise BadProperty(f"record_from must be a list of recordable names, got {rf!r}")
        if len(set(rf)) != len(rf):
            raise BadProperty(f"record_from lists a name twice: {rf!r}")
        status["record_from"] = list(rf)
        if getattr(self, "targets", None):
            raise BadProperty("multimeter parameters cannot change after it has been connected")
        return status

    @property
    def interval_steps(self):
        """Sampling interval in steps."""
        return int(round(self.status["interval"] / self.kernel.resolution))

    @property
    def record_from(self):
        """Names of the recorded variables."""
        return self.status["record_from"]

    def register_target(self, pop):
        """Check that population `pop` has every recorded variable (called by Connect)."""
        missing = [v for v in self.record_from if v not in pop.recordable_names()]
        if missing:
            raise BadProperty(f"{pop.model_name} cannot record {missing[0]!r}; its recordables are "
                              f"{', '.join(pop.recordable_names())}")

    def prepare_recording(self):
        self._window = self.window_steps()

    def add_target(self, pop, local):
        """Start recording local nodes `local` of population `pop`."""
        if pop not in self._store:
            self.targets.append(pop)
            self._store[pop] = {"local": np.unique(local), "steps": GrowableArray(dtype=np.int64),
                                "values": {v: None for v in self.record_from}}
        else:
            entry = self._store[pop]
            entry["local"] = np.union1d(entry["local"], local)

    def sample_steps(self, t_from, t_to):
        """Steps in ``(t_from, t_to]`` at which to sample."""
        lo, hi = self._window
        iv = self.interval_steps
        first = max(t_from, lo) // iv * iv + iv
        last = min(t_to, hi)
        if last < first:
            return np.empty(0, dtype=np.int64)
        return np.arange(first, last + 1, iv, dtype=np.int64)

    def record(self, pop, steps, values):
        """Store samples: `steps` (n_samples,) and ``values[name]`` of shape (n_samples, n_local)."""
        entry = self._store[pop]
        entry["steps"].append(steps)
        for name in self.record_from:
            col = entry["values"][name]
            if col is None:
                col = entry["values"][name] = GrowableArray(width=len(entry["local"]))
            col.append(values[name])

    def reserve(self, pop, n_samples):
        """Preallocate room for `n_samples` more samples of `pop`."""
        entry = self._store[pop]
        entry["steps"].reserve(n_samples)
        for name in self.record_from:
            if entry["values"][name] is None:
                entry["values"][name] = GrowableArray(width=len(entry["local"]))
            entry["values"][name].reserve(n_samples)

    def visible_until(self):
        """Last step whose samples are visible (NEST shows samples up to the end minus min_delay)."""
        return self.kernel.steps - self.kernel.min_delay

    def table(self):
        """Recorded data as (times_ms (T,), senders (S,), {name: (T, S) array}), senders sorted."""
        limit = self.visible_until()
        if not self.targets:
            return np.empty(0), np.empty(0, dtype=np.int64), {v: np.empty((0, 0)) for v in self.record_from}
        parts = []
        for pop in self.targets:
            e = self._store[pop]
            steps = e["steps"].view()
            n = int(np.searchsorted(steps, limit, side="right"))
            parts.append((pop.first_gid + e["local"], steps[:n], e))
        steps = parts[0][1]
        senders = np.concatenate([p[0] for p in parts])
        data = {}
        for name in self.record_from:
            cols = []
            for gids, st, e in parts:
                arr = e["values"][name]
                cols.append(arr.view()[:len(st)] if arr is not None else np.empty((len(st), len(gids))))
            data[name] = np.concatenate(cols, axis=1)
        order = np.argsort(senders, kind="stable")
        return steps * self.kernel.resolution, senders[order], {k: v[:, order] for k, v in data.items()}

    @property
    def events(self):
        """Samples as PyNEST flat arrays: ``senders``, ``times`` (ms) and one array per recorded variable,
        ordered by time, then sender."""
        times, senders, data = self.table()
        T, S = len(times), len(senders)
        out = {"senders": np.tile(senders, T), "times": np.repeat(times, S)}
        for name, arr in data.items():
            out[name] = arr.reshape(-1)
        return out

    @property
    def n_events(self):
        """Number of samples (one per sender and time)."""
        times, senders, _ = self.table()
        return len(times) * len(senders)

    def clear(self):
        for e in self._store.values():
            e["steps"].clear()
            for col in e["values"].values():
                if col is not None:
                    col.clear()

    def _state_status(self, i):
        return {"n_events": self.n_events}

    def to_dataset(self):
        """The recording as an :class:`xarray.Dataset`; see :func:`eventsim.recording.multimeter_dataset`."""
        from eventsim.recording import multimeter_dataset
        return multimeter_dataset(self)
