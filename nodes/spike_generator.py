"""spike_generator: emits spikes at given times.

Parameters (NEST names and units): ``spike_times`` (ms, sorted, > 0, on the
grid: within half a tic of 1 us of a step), ``spike_weights`` (factors on the
connection weight; empty or one per spike), ``spike_multiplicities`` (empty or
one non-negative int per spike; 0 sends nothing), ``allow_offgrid_times``
(move off-grid times to the end of the step they lie in instead of raising, as
NEST), ``precise_times`` (keep off-grid times as given: each spike carries its
offset before the end of the step it lies in, as in NEST; a spike_recorder
records the exact time, neurons, which are all on-grid models here, receive
it at the end of its step, as in NEST), ``shift_now_spikes`` (a spike at the current time, e.g. 0,
moves to the next step instead of being refused or lost), ``origin``,
``start``, ``stop`` (ms).  ``spike_times`` reads back as the grid times, in
NEST's float representation (as given with ``precise_times``).  A spike at
time t is emitted, stamped ``origin + t``, if
``origin + start < origin + t <= origin + stop``.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import SpikeBatch
from eventsim.registry import register
from eventsim.timegrid import is_on_grid, offgrid_to_steps, steps_to_ms
from .base import StimulationDevice, as_bool, as_float_array

__all__ = ["SpikeGenerator", "precise_steps"]


def precise_steps(t_ms, resolution):
    """Steps of precise spike times (ms): the end of the step each lies in, a time on the grid its own step.

    Unlike :func:`~eventsim.timegrid.offgrid_to_steps`, a time a fraction of a tic after a grid
    point (3.0001 ms at 0.1 ms) belongs to the next step, as NEST keeps its offset exactly; only
    the rounding of the division (1e-9 of a step) counts as on the grid.
    """
    return np.ceil(np.asarray(t_ms, dtype=float) / resolution - 1e-9).astype(np.int64)


@register
class SpikeGenerator(StimulationDevice):
    """Emits spikes at ``spike_times`` (ms), optionally weighted and with multiplicities."""

    model_name = "spike_generator"
    array_parameters = frozenset({"spike_times", "spike_weights", "spike_multiplicities"})
    defaults = {**StimulationDevice.common_defaults, "spike_times": [], "spike_weights": [],
                "spike_multiplicities": [], "allow_offgrid_times": False, "precise_times": False,
                "shift_now_spikes": False}
    emits_spikes = True
    emits = "spikes"

    def validate(self, status):
        status = super().validate(status)
        for flag in ("allow_offgrid_times", "precise_times", "shift_now_spikes"):
            status[flag] = as_bool(flag, status[flag])
        if status["precise_times"] and (status["allow_offgrid_times"] or status["shift_now_spikes"]):
            raise BadProperty("Option precise_times cannot be set to true when either allow_offgrid_times or "
                              "shift_now_spikes is set to true.")
        times = as_float_array("spike_times", status["spike_times"])
        h = self.kernel.resolution
        if np.any(np.diff(times) < 0):
            i = int(np.flatnonzero(np.diff(times) < 0)[0])
            raise BadProperty(f"spike_times must be sorted in non-descending order; {times[i + 1]} ms follows "
                              f"{times[i]} ms")
        if np.any(times < 0):
            raise BadProperty(f"spike_times must be positive: Time point {times[times < 0][0]:g} is not "
                              "representable in current resolution")
        if np.any(times == 0) and not status["shift_now_spikes"]:
            raise BadProperty("spike_times must be positive: spike time cannot be set to 0 "
                              "(set shift_now_spikes to move it to the first step)")
        off = ~is_on_grid(times, h)
        if np.any(off) and not (status["allow_offgrid_times"] or status["precise_times"]):
            raise BadProperty(f"spike time {times[off][0]} ms is not a multiple of the resolution {h} ms: "
                              f"Time point {times[off][0]:g} is not representable in current resolution "
                              "(set allow_offgrid_times to move it to the end of its step, or precise_times)")
        if not status["precise_times"]:
            steps = offgrid_to_steps(times, h)
            if status["shift_now_spikes"]:
                now = self.kernel.steps - int(round(status["origin"] / h))
                steps = np.where(steps == now, steps + 1, steps)
            times = steps_to_ms(steps, h)
        status["spike_times"] = times
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
        src, stamps, mult, weights, offsets = [], [], [], [], []
        for i, s in enumerate(self._params):
            lo, hi = self.window_steps(i)
            origin_steps = int(round(s["origin"] / h))
            grid = precise_steps(s["spike_times"], h) if s["precise_times"] else offgrid_to_steps(s["spike_times"], h)
            st = origin_steps + grid
            m = s["spike_multiplicities"] if len(s["spike_multiplicities"]) else np.ones(len(st), np.int64)
            keep = (st > lo) & (st <= hi) & (m > 0)
            stamps.append(st[keep])
            src.append(np.full(keep.sum(), i, dtype=np.int64))
            mult.append(m[keep])
            weights.append(s["spike_weights"][keep] if len(s["spike_weights"]) else np.ones(keep.sum()))
            # precise times: how long before the end of its step each spike lies (0 on the grid)
            off = np.maximum(steps_to_ms(grid, h) - s["spike_times"], 0.0) if s["precise_times"] else np.zeros(len(st))
            offsets.append(off[keep])
        order = np.argsort(np.concatenate(stamps), kind="stable")
        self._src = np.concatenate(src)[order]
        self._stamps = np.concatenate(stamps)[order]
        self._mult = np.concatenate(mult)[order]
        self._weights = np.concatenate(weights)[order]
        self._has_weights = any(len(s["spike_weights"]) for s in self._params)
        self._offsets = np.concatenate(offsets)[order]
        self._has_offsets = bool(np.any(self._offsets != 0.0))

    def advance(self, t_from, t_to):
        a, b = np.searchsorted(self._stamps, [t_from, t_to], side="right")
        if b > a:
            self.kernel.send_spikes(self, SpikeBatch(self._src[a:b], self._stamps[a:b], self._mult[a:b],
                                                     self._weights[a:b] if self._has_weights else None,
                                                     self._offsets[a:b] if self._has_offsets else None))
