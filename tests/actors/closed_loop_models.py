"""The PI rate controller of the closed-loop tests, written twice: as an actor and as a PyNEST-style loop.

Both count the neuron's spikes stamped in each control interval ((k-1) T, k T]
and set the current from k T + h on (h the resolution): the actor acts one step
after each interval, when the spikes of the interval (delay h) have arrived;
the loop simulates T ms, reads ``events`` and sets a step_current_generator's
next amplitude at k T + h.
"""

import numpy as np

import eventsim as nest

GAINS = {"target_rate": 40.0, "Kp": 2.0, "Ki": 40.0, "I0": 150.0}


def pi_step(state, count, interval_ms, p):
    """One PI update from a spike `count` over `interval_ms`; returns the current (pA)."""
    rate = count / (interval_ms / 1000.0)
    error = p["target_rate"] - rate
    state["integral"] += error * interval_ms / 1000.0
    return p["I0"] + p["Kp"] * error + p["Ki"] * state["integral"]


class PIController(nest.Actor, model="test_pi_controller"):
    """Holds a neuron's rate at target_rate (Hz) with a PI law on spike counts every interval (ms)."""

    defaults = {"interval": 5.0, **GAINS}
    units = {"interval": "ms", "target_rate": "Hz", "Kp": "pA s", "Ki": "pA", "I0": "pA"}
    emits = "current"

    def run(self):
        p, state = self.params, {"integral": 0.0}
        self.currents = []
        yield self.timeout(self.kernel.resolution)
        while True:
            yield self.timeout(p["interval"])
            count = sum(int(m.multiplicities.sum()) for m in self.received())
            current = pi_step(state, count, p["interval"], p)
            self.currents.append(current)
            self.send_current(current)


def neurons(n):
    """`n` glif_cond neurons of different thresholds, so that the loops differ per neuron."""
    return nest.Create("glif_cond", n, params={"V_th": list(-51.0 + np.arange(n))})


def run_actor_loop(n, interval, t_ms, delay):
    """Closed loop with one controller actor per neuron; returns the neurons' spike recorder events."""
    nest.ResetKernel()
    cells = neurons(n)
    ctrl = nest.Create("test_pi_controller", n, params={"interval": interval})
    sr = nest.Create("spike_recorder")
    nest.Connect(cells, sr)
    nest.Connect(cells, ctrl, "one_to_one", syn_spec={"delay": nest.resolution})
    nest.Connect(ctrl, cells, "one_to_one", syn_spec={"delay": delay})
    nest.Simulate(t_ms)
    actors = nest.get_kernel().node_of(ctrl[0].global_id)[0].actors
    return sr.events, [a.currents for a in actors]


def run_pynest_loop(n, interval, t_ms, delay):
    """The same control law PyNEST style: Simulate(interval) in a loop, read events, set the generators."""
    nest.ResetKernel()
    cells = neurons(n)
    scg = nest.Create("step_current_generator", n)
    sr = nest.Create("spike_recorder")
    nest.Connect(cells, sr)
    nest.Connect(scg, cells, "one_to_one", syn_spec={"delay": delay})
    h = nest.resolution
    states = [{"integral": 0.0} for _ in range(n)]
    times, values = [], [[] for _ in range(n)]
    steps = int(round(t_ms / interval))
    for k in range(1, steps + 1):
        nest.Simulate(interval)
        ev = sr.events
        window = (ev["times"] > (k - 1) * interval + 1e-9) & (ev["times"] <= k * interval + 1e-9)
        times.append(round(k * interval + h, 10))
        for i, cell in enumerate(cells):
            count = int(np.count_nonzero(ev["senders"][window] == cell.global_id))
            values[i].append(pi_step(states[i], count, interval, {**GAINS}))
        if k < steps:
            scg.set([{"amplitude_times": list(times), "amplitude_values": list(values[i])} for i in range(n)])
    return sr.events, values
