"""Probes: samples of neurons' recordables at chosen times, delivered as messages at their time.

A :class:`Probe` is attached to the observed populations as a sampler, as a
multimeter is: each advance of a population hands it a
:class:`~eventsim.messages.SampleBatch`, from which the probe takes the rows of
its sample steps.  A population may compute a step long before the SimPy clock
reaches it; the probe holds each sample back and hands it over, as a
:class:`~eventsim.messages.Samples` message, when the clock reaches the sample
step (before the user processes of that step run).  ``Kernel.observe`` makes
probes; actors use ``Actor.observe``.
"""

import numpy as np
import simpy

from .errors import BadParameter, BadProperty
from .messages import Samples

__all__ = ["Probe"]


class Probe:
    """Samples of `record_from` of some nodes at `steps`, delivered at their time.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel
    parts : list of (population, local indices, positions)
        The observed nodes split by population (``Kernel.split_by_population``).
    record_from : list of str
        Recordable names.
    steps : numpy.ndarray of int64
        Sample steps.
    deliver : callable or None
        Called with each :class:`~eventsim.messages.Samples` message at its step; None: the messages go
        to :meth:`get`.
    """

    def __init__(self, kernel, parts, record_from, steps, deliver=None):
        if isinstance(record_from, str) or not all(isinstance(x, str) for x in record_from) or not record_from:
            raise BadParameter(f"record_from must be a non-empty list of recordable names, got {record_from!r}")
        self.kernel = kernel
        self.record_from = list(record_from)
        self.steps = np.unique(steps)
        self._targets = {}
        for pop, local, _ in parts:
            names = pop.recordable_names() if not pop.clock_driven else []
            if pop.element_type != "neuron" or not names:
                raise BadParameter(f"{pop.model_name} nodes have no recordables to observe")
            missing = [name for name in self.record_from if name not in names]
            if missing:
                raise BadProperty(f"{pop.model_name} cannot be observed for {missing[0]!r}; its recordables are "
                                  f"{', '.join(names)}")
            if self.steps.size and self.steps[0] <= pop.t:
                raise BadParameter(f"sample time {kernel.steps_to_ms(int(self.steps[0]))} ms is not later than "
                                   f"{kernel.steps_to_ms(pop.t)} ms, the time {pop.model_name} nodes "
                                   f"{pop.first_gid}..{pop.first_gid + pop.n - 1} have reached; ask for samples "
                                   "ahead of time")
            local = np.unique(local)
            self._targets[pop] = local
        self._queue = simpy.Store(kernel.env) if deliver is None else None
        self._deliver = deliver if deliver is not None else self._queue.put
        for pop in self._targets:
            pop.samplers.append(self)

    def get(self):
        """SimPy event: the next :class:`~eventsim.messages.Samples` message (for a probe without `deliver`)."""
        if self._queue is None:
            raise BadParameter("this probe delivers its samples to an actor's mailbox; receive them there")
        return self._queue.get()

    def receive_samples(self, pop, batch):
        """Take the sample steps in ``(batch.t_from, batch.t_to]`` and deliver each at its step."""
        lo, hi = np.searchsorted(self.steps, [batch.t_from, batch.t_to], side="right")
        if hi > lo:
            steps = self.steps[lo:hi]
            local = self._targets[pop]
            rows = steps - batch.t_from - 1
            values = {name: batch.read(name, rows, local) for name in self.record_from}
            senders = pop.first_gid + local
            for k, step in enumerate(steps.tolist()):
                message = Samples(step, self.kernel.steps_to_ms(step), senders,
                                  {name: v[k].copy() for name, v in values.items()})
                self.kernel.deliver_at(step, self._deliver, message)
        if hi == len(self.steps):
            pop.samplers.remove(self)
