"""PyNEST scenarios of a control loop (``Simulate`` in pieces, ``set`` of dc_generators between them), run
unchanged by NEST 3.10 and by eventsim.

``test_set_loop.py`` runs them with NEST once, in a subprocess, and compares
with eventsim in-process.  Run as a script (``python nest_set_loop_scenarios.py
MODULE``) it prints one line ``@@JSON@@{...}`` with the results of every scenario.
"""

import sys

import numpy as np

MARKER = "@@JSON@@"


def _floats(x):
    return [float(v) for v in np.asarray(x, dtype=float).ravel()]


def _raises(fn):
    """Run `fn`; return whether it raised."""
    try:
        fn()
    except Exception:  # noqa: BLE001 - only whether it failed matters here
        return True
    return False


def _loop_network(sim):
    """Three dc_generators (two Create calls) one to one onto three glif_cond, with a multimeter of I."""
    sim.ResetKernel()
    sim.resolution = 0.1
    drive = sim.Create("dc_generator", 2) + sim.Create("dc_generator", 1, params={"amplitude": 5.0})
    neurons = sim.Create("glif_cond", 3)
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    sim.Connect(drive, neurons, "one_to_one", syn_spec={"delay": 0.3})
    sim.Connect(mm, neurons)
    return drive, neurons, mm


def _traces(mm, neurons):
    ev = mm.events
    senders, current = np.asarray(ev["senders"]), np.asarray(ev["I"])
    return {f"I_{k}": _floats(current[senders == gid]) for k, gid in enumerate(neurons.tolist())}


def scenario_set_between_calls(sim):
    """Every way of setting amplitudes between short calls: list of dicts, per-node lists, scalars,
    parts of populations, a window change; the values read back after each set."""
    drive, neurons, mm = _loop_network(sim)
    read = []
    steps = [
        lambda: drive.set([{"amplitude": 10.0}, {"amplitude": -20.0}, {"amplitude": 30.0}]),
        lambda: drive.set(amplitude=[11.5, 12.5, 13.5]),
        lambda: drive[1:3].set(amplitude=7.0),
        lambda: drive[0].set({"amplitude": -3.25}),
        lambda: sim.SetStatus(drive[0:2], {"amplitude": 2.0}),
        lambda: drive[2].set(stop=3.0),
        lambda: drive[0:1].set([{"amplitude": 40.0, "start": 4.0}]),
        lambda: drive.set(amplitude=[1.0, 2.0, 3.0]),
    ]
    for step in steps:
        sim.Simulate(0.5)
        step()
        read.append(_floats(drive.get("amplitude")))
    sim.Simulate(1.0)
    sim.Simulate(0.2)
    return {**_traces(mm, neurons), "read": read}


def scenario_bad_values_leave_nothing_set(sim):
    """Bad values raise and change nothing (not even the nodes before the bad one); the run goes on."""
    drive, neurons, mm = _loop_network(sim)
    sim.Simulate(0.5)
    drive.set(amplitude=[1.0, 2.0, 3.0], start=0.2)
    sim.Simulate(0.5)
    raised = [
        _raises(lambda: drive.set([{"amplitude": 4.0}, {"amplitude": 5.0}, {"amplitude": "x"}])),
        _raises(lambda: drive.set([{"amplitude": 4.0}, {"amplitude": 5.0}, {"start": 0.25}])),
        _raises(lambda: drive.set([{"amplitude": 4.0}, {"stop": 0.1}, {"amplitude": 6.0}])),
        _raises(lambda: drive.set([{"amplitude": 4.0}, {"amplitde": 5.0}, {"amplitude": 6.0}])),
    ]
    after = {k: _floats(drive.get(k)) for k in ("amplitude", "start")}
    sim.Simulate(1.0)
    drive.set(start=0.3)
    sim.Simulate(1.0)
    return {**_traces(mm, neurons), "raised": raised, "after": after}


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
