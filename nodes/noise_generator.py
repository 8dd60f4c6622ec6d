"""noise_generator: Gaussian white-noise current, an independent one per target.

Parameters: ``mean``, ``std`` (pA, >= 0), ``dt`` (ms, a multiple of the
resolution), ``std_mod`` (pA, 0 <= std_mod <= std), ``frequency`` (Hz),
``phase`` (deg), ``origin``, ``start``, ``stop`` (ms).  As NEST: at the first
active step (beginning of the step in ``[origin + start, origin + stop)``)
and every ``dt`` after it, each connection gets a new amplitude
``mean + sqrt(std**2 + y_1 * std_mod**2) * z`` with ``z`` standard normal and
``y_1 = sin(2 pi frequency t + phase)`` (NEST's rotation, advanced on active
steps only); the amplitude is held until the next draw.  Each connection draws from its
own stream, keyed by ``rng_seed``, the generator's and the target's global
ids and the connection's rank among that pair's multapses
(:mod:`nodes.connection_streams`), so runs are reproducible, also cut into
``Simulate`` calls, and the same for any number of threads.
The first step of each call follows :mod:`nodes.current_device`: a new
generator draws nothing in it, an older one draws with the parameters the
previous call ended with.
"""

import numpy as np

from eventsim.errors import BadProperty, StepMultipleRequired
from eventsim.messages import ConnectionBatch
from eventsim.registry import register
from eventsim.timegrid import is_on_grid, ms_to_steps, steps_to_ms
from .ac_generator import AcGenerator
from .base import StimulationDevice, as_float
from .connection_streams import ConnectionStreams
from .current_device import CurrentDevice
from .oscillator import initial_phase, rotate, rotation

__all__ = ["NoiseGenerator"]


@register
class NoiseGenerator(CurrentDevice):
    """Injects piecewise-constant Gaussian noise (pA), redrawn every ``dt`` (ms), independently per target."""

    model_name = "noise_generator"
    defaults = {**StimulationDevice.common_defaults, "mean": 0.0, "std": 0.0, "dt": 1.0, "std_mod": 0.0,
                "frequency": 0.0, "phase": 0.0}
    units = {"mean": "pA", "std": "pA", "dt": "ms", "std_mod": "pA", "frequency": "Hz", "phase": "deg"}

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._y = np.zeros((n, 2))
        self._next_step = np.zeros(n, dtype=np.int64)
        self._amps = {}
        self._streams = ConnectionStreams(self, self.model_name)

    def validate(self, status):
        status = super().validate(status)
        for k in ("mean", "std", "std_mod", "frequency", "phase"):
            status[k] = as_float(k, status[k])
        if status["std"] < 0 or status["std_mod"] < 0:
            raise BadProperty(f"noise_generator: the standard deviations std ({status['std']} pA) and std_mod "
                              f"({status['std_mod']} pA) cannot be negative")
        if status["std_mod"] > status["std"]:
            raise BadProperty(f"noise_generator: the modulation amplitude std_mod ({status['std_mod']} pA) must "
                              f"be smaller or equal to std ({status['std']} pA)")
        dt = as_float("dt", status["dt"])
        h = self.kernel.resolution
        if dt <= 0 or not is_on_grid(dt, h):
            raise StepMultipleRequired(f"noise_generator: dt must be a positive multiple of the resolution {h} ms, "
                                       f"got {dt} ms")
        status["dt"] = self._time("dt", dt)
        return status

    _state_status = AcGenerator._state_status

    def pre_run(self):
        super().pre_run()
        h = self.kernel.resolution
        t = float(steps_to_ms(self.kernel.steps, h))
        self._a, self._dt_steps = [], []
        for i, s in enumerate(self._params):
            self._y[i] = initial_phase(1.0, s["frequency"], s["phase"], t)
            self._a.append(np.array(rotation(s["frequency"], h)))
            self._dt_steps.append(ms_to_steps(s["dt"], h, "dt"))

    def _draw_steps(self, i, stamps):
        """Rows of `stamps` at which node `i` draws new amplitudes, their mean and std (pA), and the active mask."""
        s = self._params[i]
        active = self.active_rows(i, stamps)
        y1 = np.empty(len(stamps))
        rotate(self._y[i], self._a[i], active & (s["std_mod"] != 0.0), y1, False)
        first = len(stamps) > 0 and stamps[0] == self.run_start + 1
        if first and self.is_new:
            active[0] = False       # a new generator draws nothing in its first step
        rows = []
        now = stamps - 1
        k = 0
        while True:
            cand = np.flatnonzero(active[k:] & (now[k:] >= self._next_step[i]))
            if cand.size == 0:
                break
            k += int(cand[0])
            rows.append(k)
            self._next_step[i] = now[k] + self._dt_steps[i]
            k += 1
        rows = np.array(rows, dtype=np.int64)
        sd = np.sqrt(s["std"] ** 2 + y1[rows] * s["std_mod"] ** 2)
        mean = np.full(len(rows), s["mean"])
        if first and len(rows) and rows[0] == 0:
            old = self.first_step_statuses[i]
            sd[0] = np.sqrt(old["std"] ** 2 + y1[0] * old["std_mod"] ** 2)
            mean[0] = old["mean"]
        return rows, mean, sd, active

    def max_chunk_steps(self):
        n_conn = sum(len(p) for p in self.outgoing) or 1
        return max(1, min(1 << 16, (1 << 22) // n_conn))

    def advance(self, t_from, t_to):
        stamps = np.arange(t_from + 1, t_to + 1, dtype=np.int64)
        plans = [self._draw_steps(i, stamps) for i in range(self.n)]
        for proj, groups in self._streams.groups().items():
            dropped = self.first_step_dropped(proj, t_from)
            for i, conns, ids in groups:
                rows, mean, sd, active = plans[i]
                if not active.any():
                    continue
                key = (i, id(proj))
                held = self._amps.get(key)
                if held is None or len(held) != len(conns):
                    held = np.zeros(len(conns))
                z = self._streams.draw(ids, len(rows), np.arange(len(rows)),
                                       lambda gen: gen.standard_normal(len(rows)))
                drawn = mean[:, None] + sd[:, None] * z
                if len(rows):
                    which = np.searchsorted(rows, np.arange(len(stamps)), side="right") - 1
                    values = np.where((which >= 0)[:, None], drawn[np.maximum(which, 0)], held)
                else:
                    values = np.tile(held, (len(stamps), 1))
                values[~active] = 0.0
                if dropped is not None:
                    values[0, dropped[conns]] = 0.0
                if len(rows):
                    self._amps[key] = drawn[-1]
                self.kernel.send_per_connection(self, ConnectionBatch(proj, conns, t_from + 1, values, "current"))
