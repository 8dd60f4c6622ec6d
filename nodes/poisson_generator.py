"""poisson_generator: independent Poisson spike trains, one per target.

Parameters: ``rate`` (Hz, >= 0), ``origin``, ``start``, ``stop`` (ms).  For every
step whose beginning lies in ``(origin + start, origin + stop]`` the generator
draws, for each connection separately, a Poisson count with mean
``rate * h`` and sends it as one spike of that multiplicity stamped at the end
of the step, as NEST does.  The counts come from a generator seeded by the
kernel's ``rng_seed``, the generator's global id and the target population,
so runs are reproducible, also when cut into several ``Simulate`` calls.  A
spike_recorder connected directly records each connection's train (stamps
without delay, one entry per spike of a multiplicity), as in NEST.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import ConnectionBatch
from eventsim.registry import register
from .base import StimulationDevice, as_float

__all__ = ["PoissonGenerator", "MAX_MEAN_COUNT_PER_STEP"]

#: Largest mean spike count per step and target: each spike may be stored or relayed one by one
#: (spike_recorder, parrot_neuron), so larger counts could not fit in memory.
MAX_MEAN_COUNT_PER_STEP = 1e9


@register
class PoissonGenerator(StimulationDevice):
    """Sends each target an independent Poisson train of rate ``rate`` (Hz)."""

    model_name = "poisson_generator"
    defaults = {**StimulationDevice.common_defaults, "rate": 0.0}
    emits = "spikes"
    emits_spikes = True

    def validate(self, status):
        status = super().validate(status)
        rate = as_float("rate", status["rate"])
        if rate < 0:
            raise BadProperty(f"rate must not be negative, got {rate} Hz")
        mean_per_step = rate * self.kernel.resolution * 1e-3
        if mean_per_step > MAX_MEAN_COUNT_PER_STEP:
            raise BadProperty(f"rate {rate} Hz means {mean_per_step:.3g} spikes per step of "
                              f"{self.kernel.resolution} ms per target; at most {MAX_MEAN_COUNT_PER_STEP:.0e} are "
                              "supported (rate <= " f"{MAX_MEAN_COUNT_PER_STEP / (self.kernel.resolution * 1e-3):.3g}"
                              " Hz at this resolution)")
        status["rate"] = rate
        return status

    def pre_run(self):
        if getattr(self, "_rng_seed", None) != self.kernel.rng_seed:
            self._rngs = {}
            self._rng_seed = self.kernel.rng_seed

    def _rng(self, i, target):
        """Generator of node `i` for its connections to population `target`.

        One stream per (generator, target population) makes the trains
        independent of how the run is cut into chunks and ``Simulate`` calls,
        and of connections made to other populations.
        """
        key = (i, target.first_gid)
        rng = self._rngs.get(key)
        if rng is None:
            rng = self._rngs[key] = self.kernel.rng_for(self.model_name,
                                                        (self.first_gid + i) * (1 << 32) + target.first_gid)
        return rng

    def max_chunk_steps(self):
        n_conn = sum(len(p) for p in self.outgoing) or 1
        return max(1, min(1 << 16, (1 << 22) // n_conn))

    def _draw(self, i, target, stamps, n_conns):
        """Counts of node `i` for `n_conns` connections to `target` at `stamps`: (rows, counts) or None."""
        lo, hi = self.window_steps(i)
        active = (stamps - 1 > lo) & (stamps - 1 <= hi)
        rate = self._statuses[i]["rate"]
        if not active.any() or rate == 0:
            return None
        rows = np.flatnonzero(active)
        return rows, self._rng(i, target).poisson(rate * self.kernel.resolution * 1e-3, size=(len(rows), n_conns))

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        for proj in self.outgoing:
            src = proj.arrays[0]
            target = proj.target
            for i in np.unique(src):
                conns = np.flatnonzero(src == i)
                drawn = self._draw(i, target, stamps, len(conns))
                if drawn is None:
                    continue
                rows, drawn = drawn
                counts = np.zeros((len(stamps), len(conns)))
                counts[rows] = drawn
                self.kernel.send_per_connection(self, ConnectionBatch(proj, conns, t_from + 1, counts, "spikes"))
