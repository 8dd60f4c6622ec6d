"""dc_generator: a constant current.

Parameters: ``amplitude`` (pA), ``origin``, ``start``, ``stop`` (ms).  The
generator sends ``amplitude`` for every step beginning in ``[origin + start,
origin + stop)``, as NEST; with delay d the target sees the current of a step
beginning at t from t + d on (see :mod:`nodes.step_current_generator`), with
NEST's rule for the first step of each call (:mod:`nodes.current_device`).
"""

import numpy as np

from eventsim.registry import register
from .base import StimulationDevice, as_float
from .current_device import CurrentDevice

__all__ = ["DcGenerator"]


@register
class DcGenerator(CurrentDevice):
    """Injects a constant current ``amplitude`` (pA) while active."""

    model_name = "dc_generator"
    defaults = {**StimulationDevice.common_defaults, "amplitude": 0.0}
    units = {"amplitude": "pA"}
    independent_parameters = {"amplitude": as_float}

    def validate(self, status):
        status = super().validate(status)
        status["amplitude"] = as_float("amplitude", status["amplitude"])
        return status

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        amplitude = np.array([s["amplitude"] for s in self._params], dtype=float)
        values = np.repeat(amplitude[None, :], len(stamps), axis=0)
        if t_from == self.run_start and len(stamps):
            values[0] = [s["amplitude"] for s in self.first_step_statuses]
        values = np.where(self.active_matrix(stamps), values, 0.0)
        if values.any():
            self.send(t_from, values)
