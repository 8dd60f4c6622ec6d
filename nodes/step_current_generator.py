"""step_current_generator: a piecewise-constant current.

Parameters: ``amplitude_times`` (ms, strictly increasing, > 0, on the grid),
``amplitude_values`` (pA, one per time), ``allow_offgrid_times`` (move
off-grid times to the end of the step they lie in, as NEST), ``origin``,
``start``, ``stop`` (ms).  For every step ending in ``(origin + start,
origin + stop]`` the generator sends the amplitude set by the last
amplitude time at or before the beginning of that step (0 before the first).
With delay d the target sees the current one step less than d later, as in
NEST: with d = h, amplitude_times [200] and start 200 the target's I is the
amplitude from 200.05 ms (h = 0.05) to ``stop`` inclusive.  The first step of
each call follows NEST's rule (:mod:`nodes.current_device`): nothing on
connections made since the last call.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.registry import register
from eventsim.timegrid import is_on_grid, offgrid_to_steps, steps_to_ms
from .base import StimulationDevice, as_bool, as_float_array
from .current_device import CurrentDevice

__all__ = ["StepCurrentGenerator"]


@register
class StepCurrentGenerator(CurrentDevice):
    """Injects a current (pA) that changes at ``amplitude_times`` (ms)."""

    model_name = "step_current_generator"
    array_parameters = frozenset({"amplitude_times", "amplitude_values"})
    defaults = {**StimulationDevice.common_defaults, "amplitude_times": [], "amplitude_values": [],
                "allow_offgrid_times": False}

    def validate(self, status):
        status = super().validate(status)
        status["allow_offgrid_times"] = as_bool("allow_offgrid_times", status["allow_offgrid_times"])
        times = as_float_array("amplitude_times", status["amplitude_times"])
        values = as_float_array("amplitude_values", status["amplitude_values"])
        if len(times) != len(values):
            raise BadProperty(f"amplitude_times ({len(times)}) and amplitude_values ({len(values)}) must have "
                              "the same length")
        if np.any(np.diff(times) <= 0):
            i = int(np.flatnonzero(np.diff(times) <= 0)[0])
            raise BadProperty(f"amplitude_times must be strictly increasing; {times[i + 1]} ms follows "
                              f"{times[i]} ms")
        if np.any(times <= 0):
            raise BadProperty(f"amplitude_times must be positive, got {times[times <= 0][0]} ms")
        h = self.kernel.resolution
        off = ~is_on_grid(times, h)
        if np.any(off) and not status["allow_offgrid_times"]:
            raise BadProperty(f"amplitude time {times[off][0]} ms is not a multiple of the resolution {h} ms "
                              "(set allow_offgrid_times to move it to the end of its step)")
        steps = offgrid_to_steps(times, h)
        if np.any(np.diff(steps) <= 0):
            i = int(np.flatnonzero(np.diff(steps) <= 0)[0])
            raise BadProperty(f"amplitude_times must be at strictly increasing time steps; {times[i]} ms and "
                              f"{times[i + 1]} ms fall on the same step")
        status["amplitude_times"], status["amplitude_values"] = steps_to_ms(steps, h), values
        return status

    def pre_run(self):
        super().pre_run()
        h = self.kernel.resolution
        self._steps = [np.round(s["amplitude_times"] / h).astype(np.int64) for s in self._params]

    def _amplitudes(self, status, steps, begin):
        """Amplitude (pA) in force at the beginning `begin` (steps) of each step; 0 before the first time."""
        if len(steps) == 0:
            return np.zeros(len(begin))
        k = np.searchsorted(steps, begin, side="right") - 1
        return np.where(k >= 0, status["amplitude_values"][np.maximum(k, 0)], 0.0)

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        values = np.zeros((len(stamps), self.n))
        h = self.kernel.resolution
        for i, s in enumerate(self._params):
            active = self.active_rows(i, stamps)
            if not active.any():
                continue
            amp = self._amplitudes(s, self._steps[i], stamps - 1)
            if t_from == self.run_start:
                old = self.first_step_statuses[i]
                if old is not s:
                    amp[0] = self._amplitudes(old, np.round(old["amplitude_times"] / h).astype(np.int64),
                                              stamps[:1] - 1)[0]
            values[:, i] = np.where(active, amp, 0.0)
        if values.any():
            self.send(t_from, values)
