"""parrot_neuron: re-emits every spike it receives.

A spike (of any multiplicity) reaching the parrot on receptor 0 at step t is
sent on, stamped t, with the same multiplicity; the connection weight is
ignored, as in NEST.  Spikes arriving on receptor 1 are accepted and not
repeated (NEST uses that port for plasticity only).
"""

import numpy as np

from eventsim.messages import Inbox, SpikeBatch
from eventsim.registry import register
from .base import Population

__all__ = ["ParrotNeuron"]


@register
class ParrotNeuron(Population):
    """Relays incoming spikes with their multiplicity."""

    model_name = "parrot_neuron"
    defaults = {}
    spike_ports = (0, 1)
    input_mode = "count"
    emits_spikes = True
    emits = "spikes"

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self.inbox = Inbox(2, n)

    def n_receptors(self, i):
        return 1

    def advance(self, t_from, t_to):
        counts = self.inbox.take(t_from + 1, t_to - t_from, self.kernel.workers)[0]
        step, node = np.nonzero(counts)
        if step.size:
            order = np.lexsort((node, step))
            step, node = step[order], node[order]
            mult = np.round(counts[step, node]).astype(np.int64)
            self.kernel.send_spikes(self, SpikeBatch(node, step + t_from + 1, mult))
