"""poisson_generator: independent Poisson spike trains, one per target.

Parameters: ``rate`` (Hz, >= 0), ``origin``, ``start``, ``stop`` (ms).  For every
step whose beginning lies in ``(origin + start, origin + stop]`` the generator
draws, for each connection separately, a Poisson count with mean
``rate * h`` and sends it as one spike of that multiplicity stamped at the end
of the step, as NEST does.  Each connection draws from its own stream, keyed
by the kernel's ``rng_seed``, the generator's and the target's global ids and
the connection's rank among the multapses of that pair
(:mod:`nodes.connection_streams`), so runs are reproducible, also when cut
into several ``Simulate`` calls, and the same for any number of threads.  A
spike_recorder connected directly records each connection's train (stamps
without delay, one entry per spike of a multiplicity), as in NEST.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import ConnectionBatch
from eventsim.registry import register
from .base import StimulationDevice, as_float
from .connection_streams import ConnectionStreams
from .counter_rng import warm_up

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

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._streams = ConnectionStreams(self, self.model_name)
        if not PoissonGenerator.__dict__.get("_compiled", False):
            warm_up()                    # compile (or load from numba's cache) the draws now, not in Simulate
            PoissonGenerator._compiled = True

    def max_chunk_steps(self):
        # About 8 MiB of counts per advance: the targets' inboxes must hold every step drawn ahead of them, so
        # larger chunks cost memory (4x larger: 342 MiB instead of 243 MiB peak at N = 1000) and time.
        n_conn = sum(len(p) for p in self.outgoing) or 1
        return max(1, min(1 << 16, (1 << 20) // n_conn))

    def _plan(self, i, stamps):
        """Rows of `stamps` at which node `i` draws, and the mean count per step there (a number or an array
        of one per row); None if it draws nothing."""
        lo, hi = self.window_steps(i)
        active = (stamps - 1 > lo) & (stamps - 1 <= hi)
        rate = self._params[i]["rate"]
        if not active.any() or rate == 0:
            return None
        return np.flatnonzero(active), rate * self.kernel.resolution * 1e-3

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        plans = {}
        for proj, groups in self._streams.groups().items():
            for i, conns, ids in groups:
                if i not in plans:
                    plans[i] = self._plan(i, stamps)
                if plans[i] is None:
                    continue
                rows, lam = plans[i]
                counts = self._streams.poisson(ids, len(stamps), rows, lam)
                self.kernel.send_per_connection(self, ConnectionBatch(proj, conns, t_from + 1, counts, "spikes"))
