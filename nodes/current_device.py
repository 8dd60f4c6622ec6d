"""Base of the current devices (dc, ac, noise generators) with NEST's rule for the first step of a call.

NEST sends, in the first step of every ``Simulate`` call, what the device
computed at the end of the previous call: with the parameters it had then,
and only over the connections that existed then.  Measured in NEST 3.10:

- a dc_generator whose amplitude is set between two calls still sends the old
  amplitude in the first step of the second call;
- an ac_generator sends the value its recursion reached, not the restarted one;
- a connection made since the last call (or before the first call) carries
  nothing in that step: with ``start`` 0 and delay d the current shows from
  d + h, and a noise_generator draws its first amplitude one step after it
  was created.

:class:`CurrentDevice` keeps the parameters in force when the last call
ended and the number of connections each projection had, and delivers the
values of a chunk to the targets' current port (port 0).
"""

import numpy as np

from eventsim.messages import ConnectionBatch

from .base import StimulationDevice

__all__ = ["CurrentDevice"]


class CurrentDevice(StimulationDevice):
    """A device that injects currents into port 0 of its targets, following NEST's first-step rule."""

    emits = "current"

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._seen = {}
        self._fresh = {}
        self._has_run = False
        self._statuses_at_end = None
        self.run_start = None
        """Step at which the current ``Simulate`` call began."""
        self.first_step_statuses = None
        """Parameters that govern the first step of the call (those in force when the last call ended)."""
        self._first_step_windows = None
        self._window_cache = None

    def set_status(self, local, updates):
        if self._has_run and self._statuses_at_end is None:
            # parameters are replaced on set, never changed in place: copies of the dicts suffice
            self._statuses_at_end = [dict(s) for s in self._params]
        super().set_status(local, updates)

    def pre_run(self):
        self.run_start = self.kernel.steps
        self.first_step_statuses = self._statuses_at_end or self._params
        self._statuses_at_end = None
        # None: the first step follows the current parameters (nothing was set since the last call)
        self._first_step_windows = (None if self.first_step_statuses is self._params
                                    else self._windows(self.first_step_statuses))
        self.is_new = not self._has_run
        self._has_run = True
        for proj in self.kernel.outgoing(self):
            n_old = self._seen.get(id(proj), 0)
            self._fresh[id(proj)] = np.arange(len(proj)) >= n_old if n_old != len(proj) else None
            self._seen[id(proj)] = len(proj)

    def active_rows(self, i, stamps):
        """Boolean mask over `stamps` (ends of steps): does node `i` send in that step?

        Active for steps beginning in ``[origin + start, origin + stop)``, judged
        with :attr:`first_step_statuses` for the first step of the call.
        """
        active = _window_mask(self._params[i], stamps, self.kernel.resolution)
        if len(stamps) and stamps[0] == self.run_start + 1:
            active[0] = _window_mask(self.first_step_statuses[i], stamps[:1], self.kernel.resolution)[0]
        return active

    def active_matrix(self, stamps):
        """Boolean ``(len(stamps), n)`` mask: does node i send in the step ending at each stamp?

        The vectorised :meth:`active_rows` of all nodes at once (same rule, same rounding).
        """
        if self._window_cache is None or self._window_cache[0] != self.status_version:
            self._window_cache = (self.status_version, *self._windows(self._params))
        _, lo, hi = self._window_cache
        active = (stamps[:, None] > lo) & (stamps[:, None] <= hi)
        if len(stamps) and stamps[0] == self.run_start + 1:
            lo0, hi0 = self._first_step_windows or (lo, hi)
            active[0] = (stamps[0] > lo0) & (stamps[0] <= hi0)
        return active

    def _windows(self, statuses):
        """Activity windows ``(lo, hi]`` in steps (int64 arrays over the nodes) of `statuses`.

        Same rounding as :func:`_window_bounds` (``np.rint`` rounds half to even, as ``round``).
        """
        h = self.kernel.resolution
        origin = np.array([s["origin"] for s in statuses], dtype=float)
        start = np.array([s["start"] for s in statuses], dtype=float)
        stop = np.array([s["stop"] for s in statuses], dtype=float)
        lo = np.rint((origin + start) / h).astype(np.int64)
        finite = ~np.isinf(stop)
        hi = np.full(len(statuses), 1 << 62, dtype=np.int64)
        hi[finite] = np.rint((origin[finite] + stop[finite]) / h).astype(np.int64)
        return lo, hi

    def first_step_dropped(self, proj, t_from):
        """Mask over the connections of `proj` that carry nothing in step `t_from` (None if none)."""
        if t_from != self.run_start:
            return None
        fresh = self._fresh.get(id(proj))
        return fresh if fresh is not None and fresh.any() else None

    def send(self, t_from, values):
        """Deliver ``values[k, i]`` (pA), sent by node i in the step beginning at ``t_from + k``, x weight."""
        for proj in self.outgoing:
            src = proj.arrays[0]
            block = values[:, src]
            dropped = self.first_step_dropped(proj, t_from)
            if dropped is not None:
                block[0, dropped] = 0.0
            self.kernel.send_per_connection(self, ConnectionBatch(proj, np.arange(len(src)), t_from + 1, block,
                                                                  "current"))


def _window_mask(status, stamps, h):
    """Steps ending at `stamps` whose beginning lies in ``[origin + start, origin + stop)`` of `status`."""
    lo, hi = _window_bounds(status, h)
    return (stamps > lo) & (stamps <= hi)


def _window_bounds(status, h):
    """``(lo, hi)`` in steps of the window ``[origin + start, origin + stop)`` of `status` (step `h` ms)."""
    lo = int(round((status["origin"] + status["start"]) / h))
    hi = (1 << 62) if np.isinf(status["stop"]) else int(round((status["origin"] + status["stop"]) / h))
    return lo, hi
