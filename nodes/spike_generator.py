"""spike_generator: emits spikes at given times.

Parameters (NEST names and units): ``spike_times`` (ms, sorted, > 0, on the
grid: within half a tic of 1 us of a step), ``spike_weights`` (factors on the
connection weight; empty or one per spike), ``spike_multiplicities`` (empty or
one non-negative int per spike; 0 sends nothing), ``allow_offgrid_times``
(move off-grid times to the end of the step they lie in instead of raising, as
NEST), ``origin``, ``start``, ``stop`` (ms).  ``spike_times`` reads back as the
grid times, in NEST's float representation.  A spike at time t is emitted,
stamped ``origin + t``, if ``origin + start < origin + t <= origin + stop``.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import SpikeBatch
from eventsim.registry import register
from eventsim.timegrid import is_on_grid, offgrid_to_steps, steps_to_ms
from .base import StimulationDevice, as_bool, as_float_array

__all__ = ["SpikeGenerator"]


@register
class SpikeGenerator(StimulationDevice):
    """Emits spikes at ``spike_times`` (ms), optionally weighted and with multiplicities."""

    model_name = "spike_generator"
    array_parameters = frozenset({"spike_times", "spike_weights", "spike_multiplicities"})
    defaults = {**StimulationDevice.common_defaults, "spike_times": [], "spike_weights": [],
                "spike_multiplicities": [], "allow_offgrid_times": False}
    emits_spikes = True
    emits = "spikes"

    def validate(self, status):
        status = super().validate(status)
        status["allow_offgrid_times"] = as_bool("allow_offgrid_times", status["allow_offgrid_times"])
        times = as_float_array("spike_times", status["spike_times"])
        h = self.kernel.resolution
        if np.any(np.diff(times) < 0):
            i = int(np.flatnonzero(np.diff(times) < 0)[0])
            raise BadProperty(f"spike_times must be sorted in non-descending order; {times[i + 1]} ms follows "
                              f"{times[i]} ms")
        if np.any(times <= 0):
            raise BadProperty(f"spike_times must be positive, got {times[times <= 0][0]} ms")
        off = ~is_on_grid(times, h)
        if np.any(off) and not status["allow_offgrid_times"]:
            raise BadProperty(f"spike time {times[off][0]} ms is not a multiple of the resolution {h} ms "
                              "(set allow_offgrid_times to move it to the end of its step)")
        status["spike_times"] = steps_to_ms(offgrid_to_steps(times, h), h)
        n = len(times)
        weights = as_float_array("spike_weights", status["spike_weights"])
        if len(weights) not in (0, n):
            raise BadProperty(f"spike_weights must be empty or have one entry per spike time ({n}), "
                              f"got {len(weights)}")
        status["spike_weights"] = weights
        mult = as_float_array("spike_multiplicities", status["spike_multiplicities"])
        if len(mult) not in (0, n):
            raise BadProperty(f"spike_multiplicities must be empty or have one entry per spike time ({n}), "
                              f"got {len(mult)}")
        if np.any(mult != np.round(mult)) or np.any(mult < 0):
            raise BadProperty(f"spike_multiplicities must be non-negative integers, got {mult.tolist()}")
        status["spike_multiplicities"] = mult.astype(np.int64)
        return status

    def pre_run(self):
        h = self.kernel.resolution
        src, stamps, mult, weights = [], [], [], []
        for i, s in enumerate(self._statuses):
            lo, hi = self.window_steps(i)
            st = int(round(s["origin"] / h)) + np.round(s["spike_times"] / h).astype(np.int64)
            m = s["spike_multiplicities"] if len(s["spike_multiplicities"]) else np.ones(len(st), np.int64)
            keep = (st > lo) & (st <= hi) & (m > 0)
            stamps.append(st[keep])
            src.append(np.full(keep.sum(), i, dtype=np.int64))
            mult.append(m[keep])
            weights.append(s["spike_weights"][keep] if len(s["spike_weights"]) else np.ones(keep.sum()))
        order = np.argsort(np.concatenate(stamps), kind="stable")
        self._src = np.concatenate(src)[order]
        self._stamps = np.concatenate(stamps)[order]
        self._mult = np.concatenate(mult)[order]
        self._weights = np.concatenate(weights)[order]
        self._has_weights = any(len(s["spike_weights"]) for s in self._statuses)

    def advance(self, t_from, t_to):
        a, b = np.searchsorted(self._stamps, [t_from, t_to], side="right")
        if b > a:
            self.kernel.send_spikes(self, SpikeBatch(self._src[a:b], self._stamps[a:b], self._mult[a:b],
                                                     self._weights[a:b] if self._has_weights else None))
