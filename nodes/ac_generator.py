"""ac_generator: a sinusoidal current.

Parameters: ``amplitude`` (pA), ``offset`` (pA), ``frequency`` (Hz), ``phase``
(deg), ``origin``, ``start``, ``stop`` (ms).  While active (steps ending in
``(origin + start, origin + stop]``) the generator sends
``offset + amplitude * sin(2 pi frequency t + phase)`` with t the beginning
of the step, computed by NEST's step-wise rotation (:mod:`nodes.oscillator`),
restarted at every ``Simulate`` call from the current time, so the values
equal NEST's bit for bit; as in NEST, the first step of a later call still
sends the value the recursion of the previous call reached
(:mod:`nodes.current_device`).  The
state ``y_0``, ``y_1`` (pA) reads back as in NEST.
"""

import numpy as np

from eventsim.registry import register
from eventsim.timegrid import steps_to_ms
from .base import StimulationDevice, as_float
from .current_device import CurrentDevice
from .oscillator import initial_phase, rotate, rotation

__all__ = ["AcGenerator"]


@register
class AcGenerator(CurrentDevice):
    """Injects ``offset + amplitude * sin(2 pi frequency t + phase)`` (pA) while active."""

    model_name = "ac_generator"
    defaults = {**StimulationDevice.common_defaults, "amplitude": 0.0, "offset": 0.0, "frequency": 0.0,
                "phase": 0.0}
    units = {"amplitude": "pA", "offset": "pA", "frequency": "Hz", "phase": "deg", "y_0": "pA", "y_1": "pA"}

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._y = np.zeros((n, 2))

    def validate(self, status):
        status = super().validate(status)
        for k in ("amplitude", "offset", "frequency", "phase"):
            status[k] = as_float(k, status[k])
        return status

    def _state_status(self, i):
        return {"y_0": float(self._y[i, 0]), "y_1": float(self._y[i, 1])}

    def pre_run(self):
        super().pre_run()
        h = self.kernel.resolution
        t = float(steps_to_ms(self.kernel.steps, h))
        self._a = []
        self._y_before = self._y.copy()
        for i, s in enumerate(self._params):
            self._y[i] = initial_phase(s["amplitude"], s["frequency"], s["phase"], t)
            self._a.append(np.array(rotation(s["frequency"], h)))

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        values = np.zeros((len(stamps), self.n))
        every_step = np.ones(len(stamps), dtype=np.bool_)
        y1 = np.empty(len(stamps))
        for i, s in enumerate(self._params):
            rotate(self._y[i], self._a[i], every_step, y1, True)
            offset = s["offset"]
            if t_from == self.run_start:
                y1[0] = self._y_before[i, 1]      # NEST sends the last value of the previous call first
                offset = np.full(len(stamps), offset)
                offset[0] = self.first_step_statuses[i]["offset"]
            values[:, i] = np.where(self.active_rows(i, stamps), y1 + offset, 0.0)
        if values.any():
            self.send(t_from, values)
