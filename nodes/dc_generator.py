"""dc_generator: a constant current.

Parameters: ``amplitude`` (pA), ``origin``, ``start``, ``stop`` (ms).  The
generator sends ``amplitude`` for every step ending in ``(origin + start,
origin + stop]``, as NEST; with delay d the target sees it one step less than
d later (see :mod:`nodes.step_current_generator`), except for the first step
of a new connection (:mod:`nodes.current_delivery`).
"""

import numpy as np

from eventsim.registry import register
from .base import StimulationDevice, as_float
from .current_delivery import CurrentDelivery

__all__ = ["DcGenerator", "active_rows"]


def active_rows(device, i, stamps):
    """Boolean mask over `stamps` (ends of steps): is current device node `i` sending at that step?"""
    lo, hi = device.window_steps(i)
    return (stamps > lo) & (stamps <= hi)


@register
class DcGenerator(StimulationDevice):
    """Injects a constant current ``amplitude`` (pA) while active."""

    model_name = "dc_generator"
    defaults = {**StimulationDevice.common_defaults, "amplitude": 0.0}
    units = {"amplitude": "pA"}
    emits = "current"

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._delivery = CurrentDelivery()

    def validate(self, status):
        status = super().validate(status)
        status["amplitude"] = as_float("amplitude", status["amplitude"])
        return status

    def pre_run(self):
        self._delivery.start_run(self)

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        values = np.zeros((len(stamps), self.n))
        for i, s in enumerate(self._statuses):
            values[:, i] = np.where(active_rows(self, i, stamps), s["amplitude"], 0.0)
        if values.any():
            self._delivery.send(self, t_from, values)
