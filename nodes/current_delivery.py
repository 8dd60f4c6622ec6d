"""Delivery of device currents into the targets' current port, with NEST's first-step rule.

NEST loses the current a device sends in the first step of the first
``Simulate`` call after a connection was made, on that connection only: a
dc_generator with ``start`` 0 connected with delay d before the first call
shows at d + h, not at d, and one connected after ``Simulate(1.0)`` shows
from 1.0 + d + h.  :class:`CurrentDelivery` remembers how many connections of
the device each projection had at its last run and drops that step for the
newer ones, so that traces equal NEST's.
"""

import numpy as np

__all__ = ["CurrentDelivery"]


class CurrentDelivery:
    """Sends a current device's values to its targets (port 0), dropping the first step of new connections."""

    def __init__(self):
        self._seen = {}
        self._fresh = {}
        self.run_start = None
        """Step at which the current ``Simulate`` call began."""

    def start_run(self, device):
        """Call from the device's ``pre_run``: mark the connections made since the last run."""
        self.run_start = device.kernel.steps
        for proj in device.kernel.outgoing(device):
            n_old = self._seen.get(id(proj), 0)
            self._fresh[id(proj)] = np.arange(len(proj)) >= n_old
            self._seen[id(proj)] = len(proj)

    def first_step_dropped(self, proj, t_from):
        """Boolean mask over the connections of `proj` whose value of step ``t_from`` is dropped, or None."""
        if t_from != self.run_start:
            return None
        fresh = self._fresh.get(id(proj))
        return fresh if fresh is not None and fresh.any() else None

    def send(self, device, t_from, values):
        """Deliver ``values[k, i]`` (pA), sent by node i for the step beginning at ``t_from + k``, x weight."""
        for proj in device.outgoing:
            src, tgt, w, d, r = proj.arrays
            dropped = self.first_step_dropped(proj, t_from)
            for delay in np.unique(d):
                m = d == delay
                block = values[:, src[m]] * w[m]
                if dropped is not None:
                    block[0, dropped[m]] = 0.0
                proj.target.inbox.add_dense(t_from + int(delay), 0, tgt[m], block)
