"""inhomogeneous_poisson_generator: Poisson trains with a piecewise-constant rate, one per target.

Parameters: ``rate_times`` (ms, strictly increasing, in the future, on the
grid unless ``allow_offgrid_times``, which moves a time to the end of its
step), ``rate_values`` (Hz, one per time; a negative rate sends nothing, as
NEST, which accepts it), ``allow_offgrid_times``,
``origin``, ``start``, ``stop`` (ms).  A spike stamped at step s is drawn
with the rate of the last rate time at or before s (0 before the first), as
NEST, and only while s - 1 lies in ``(origin + start, origin + stop]``; each
connection gets its own Poisson count per step (see
:mod:`nodes.poisson_generator`).
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.registry import register
from eventsim.timegrid import is_on_grid, offgrid_to_steps, steps_to_ms
from .base import StimulationDevice, as_bool, as_float_array
from .poisson_generator import PoissonGenerator

__all__ = ["InhomogeneousPoissonGenerator"]


@register
class InhomogeneousPoissonGenerator(PoissonGenerator):
    """Sends each target an independent Poisson train whose rate (Hz) changes at ``rate_times`` (ms)."""

    model_name = "inhomogeneous_poisson_generator"
    array_parameters = frozenset({"rate_times", "rate_values"})
    defaults = {**StimulationDevice.common_defaults, "rate_times": [], "rate_values": [],
                "allow_offgrid_times": False}
    units = {"rate_times": "ms", "rate_values": "Hz"}

    def validate(self, status):
        status = StimulationDevice.validate(self, status)
        status["allow_offgrid_times"] = as_bool("allow_offgrid_times", status["allow_offgrid_times"])
        times = as_float_array("rate_times", status["rate_times"])
        values = as_float_array("rate_values", status["rate_values"])
        if len(times) != len(values):
            raise BadProperty(f"inhomogeneous_poisson_generator: Rate times and values have to be the same size; got "
                              f"{len(times)} rate_times and {len(values)} rate_values")
        h = self.kernel.resolution
        now = float(steps_to_ms(self.kernel.steps, h))
        if np.any(times <= now):
            raise BadProperty(f"inhomogeneous_poisson_generator: Time points must lie strictly in the future. "
                              f"{times[times <= now][0]} ms is not after {now} ms")
        off = ~is_on_grid(times, h)
        if np.any(off) and not status["allow_offgrid_times"]:
            raise BadProperty(f"inhomogeneous_poisson_generator: Time point {times[off][0]} is not representable in "
                              f"current resolution ({h} ms); set allow_offgrid_times to move it to the end of its step")
        steps = offgrid_to_steps(times, h)
        if np.any(np.diff(steps) <= 0):
            i = int(np.flatnonzero(np.diff(steps) <= 0)[0])
            raise BadProperty(f"inhomogeneous_poisson_generator: Rate times must be strictly increasing (on the "
                              f"grid); {times[i + 1]} ms follows {times[i]} ms")
        status["rate_times"], status["rate_values"] = steps_to_ms(steps, h), values
        return status

    def set_status(self, local, updates):
        """Set parameters as NEST does: rate_times and rate_values only together; allow_offgrid_times
        only with rate_times or while there are none."""
        for i, upd in zip(local, updates):
            if ("rate_times" in upd) != ("rate_values" in upd):
                raise BadProperty("inhomogeneous_poisson_generator: Rate times and values must be reset together "
                                  f"(got only {'rate_times' if 'rate_times' in upd else 'rate_values'})")
            if "allow_offgrid_times" in upd and "rate_times" not in upd and len(self._params[i]["rate_times"]):
                raise BadProperty("inhomogeneous_poisson_generator: allow_offgrid_times: Option can only be set "
                                  "together with rate times or if no rate times have been set")
        super().set_status(local, updates)

    def _plan(self, i, stamps):
        """Rows of `stamps` at which node `i` draws and the mean count per step of each; None if none."""
        s = self._params[i]
        if len(s["rate_values"]) == 0:
            return None
        h = self.kernel.resolution
        steps = np.round(s["rate_times"] / h).astype(np.int64)
        k = np.searchsorted(steps, stamps, side="right") - 1
        rate = np.where(k >= 0, s["rate_values"][np.maximum(k, 0)], 0.0)
        lo, hi = self.window_steps(i)
        active = (stamps - 1 > lo) & (stamps - 1 <= hi)
        rows = np.flatnonzero(active & (rate > 0))
        if rows.size == 0:
            return None
        return rows, rate[rows] * h * 1e-3
