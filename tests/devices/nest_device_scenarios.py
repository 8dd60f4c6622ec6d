"""PyNEST scenarios of the current and rate generators, run unchanged by NEST 3.10 and by eventsim.

``test_nest_devices.py`` runs every scenario with NEST once, in a subprocess
(NEST keeps global state and prints a banner), and compares with eventsim
in-process.  Run as a script (``python nest_device_scenarios.py MODULE``) it
prints one line ``@@JSON@@{...}`` with the results of every scenario.
"""

import sys

import numpy as np

MARKER = "@@JSON@@"


def _floats(x):
    return [float(v) for v in np.asarray(x, dtype=float).ravel()]


def _error_name(fn):
    """Run `fn`; return None or the class name of the exception it raised."""
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the class name is the result
        return type(err).__name__
    return None


def _current_traces(sim, generator, params, n_neurons=2, delay=1.0, weights=None, pieces=(12.0,), h=0.1):
    """`generator` -> `n_neurons` glif_cond (two Create calls); their recorded I (pA) per neuron."""
    sim.ResetKernel()
    sim.resolution = h
    gen = sim.Create(generator, params=params)
    first = sim.Create("glif_cond", 1)
    rest = sim.Create("glif_cond", n_neurons - 1)
    neurons = first + rest
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": h})
    syn = {"delay": delay}
    if weights is not None:
        syn["weight"] = np.array(weights, dtype=float).reshape(n_neurons, 1)
    sim.Connect(gen, neurons, syn_spec=syn)
    sim.Connect(mm, neurons)
    for t in pieces:
        sim.Simulate(t)
    ev = mm.events
    senders, times, current = (np.asarray(ev[k]) for k in ("senders", "times", "I"))
    out = {"times": _floats(times[senders == neurons[0].global_id])}
    for k, gid in enumerate(neurons.tolist()):
        out[f"I_{k}"] = _floats(current[senders == gid])
    return out


DC_CASES = [
    # params, delay, pieces
    ({"amplitude": 250.0}, 1.0, (12.0,)),
    ({"amplitude": -80.0, "start": 2.0, "stop": 6.5}, 0.1, (12.0,)),
    ({"amplitude": 40.0, "origin": 1.5, "start": 0.5, "stop": 3.0}, 2.3, (3.3, 8.7)),
]


def scenario_dc(sim):
    """dc_generator into two glif_cond of two Create calls, with windows, weights and delays."""
    return [_current_traces(sim, "dc_generator", p, delay=d, weights=[1.0, -0.5], pieces=pieces)
            for p, d, pieces in DC_CASES]


AC_CASES = [
    ({"amplitude": 100.0, "offset": 20.0, "frequency": 37.0, "phase": 30.0}, 1.0, (40.0,), 0.1),
    ({"amplitude": 55.5, "frequency": 123.4, "phase": -70.0, "start": 3.0, "stop": 17.2}, 0.3, (7.1, 12.9, 20.0),
     0.1),
    ({"amplitude": 10.0, "offset": -3.0, "frequency": 1000.0, "origin": 0.5, "start": 1.0}, 0.05, (9.95,), 0.05),
]


def scenario_ac(sim):
    """ac_generator into glif_cond: NEST's recursive values, also when simulated in pieces."""
    out = []
    for p, d, pieces, h in AC_CASES:
        res = _current_traces(sim, "ac_generator", p, delay=d, pieces=pieces, h=h)
        gen = sim.NodeCollection([1])
        res["state"] = [float(gen.get("y_0")), float(gen.get("y_1"))]
        out.append(res)
    return out


def _traces_of(mm, gids):
    ev = mm.events
    senders, times, current = (np.asarray(ev[k]) for k in ("senders", "times", "I"))
    return {"times": _floats(times[senders == gids[0]]), **{f"I_{g}": _floats(current[senders == g]) for g in gids}}


def scenario_set_between_calls(sim):
    """Amplitudes, phases and windows changed between Simulate calls; generators feeding parts of populations."""
    sim.ResetKernel()
    dc = sim.Create("dc_generator", params={"amplitude": 100.0})
    ac = sim.Create("ac_generator", params={"amplitude": 50.0, "frequency": 80.0, "offset": 5.0})
    neurons = sim.Create("glif_cond", 4)
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    sim.Connect(dc, neurons[1:3], syn_spec={"delay": 0.4})
    sim.Connect(ac, neurons[::2], syn_spec={"delay": 0.2})
    sim.Connect(mm, neurons)
    sim.Simulate(3.0)
    dc.set(amplitude=-40.0, stop=6.0)
    ac.set(amplitude=20.0, phase=45.0, frequency=120.0)
    sim.Simulate(4.0)
    ac.set(start=8.0, stop=9.5)
    sim.Simulate(4.0)
    out = _traces_of(mm, neurons.tolist())
    out["ac_state"] = [float(ac.get("y_0")), float(ac.get("y_1"))]
    return out


def scenario_late_connection(sim):
    """dc, ac and step current generators connected after a first Simulate: nothing in the next call's first step."""
    sim.ResetKernel()
    dc = sim.Create("dc_generator", params={"amplitude": 10.0})
    ac = sim.Create("ac_generator", params={"amplitude": 3.0, "frequency": 200.0})
    sc = sim.Create("step_current_generator", params={"amplitude_times": [0.5, 4.0], "amplitude_values": [7.0, 9.0]})
    neurons = sim.Create("glif_cond", 5)
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    sim.Connect(dc, neurons[0], syn_spec={"delay": 1.0})
    sim.Connect(sc, neurons[3], syn_spec={"delay": 1.0})
    sim.Connect(mm, neurons)
    sim.Simulate(2.0)
    sim.Connect(dc, neurons[1], syn_spec={"delay": 1.0})
    sim.Connect(ac, neurons[2], syn_spec={"delay": 1.0})
    sim.Connect(sc, neurons[4], syn_spec={"delay": 1.0})
    sim.Simulate(3.0)
    return _traces_of(mm, neurons.tolist())


def scenario_noise_first_step(sim):
    """noise_generator active from 0: when each target's current first flows and changes (dt 1 ms)."""
    res = _current_traces(sim, "noise_generator", {"std": 10.0, "dt": 1.0}, n_neurons=2, delay=0.5,
                          pieces=(6.0,))
    t = np.asarray(res["times"])
    return {f"changes_{k}": _floats(t[1:][np.diff(np.asarray(res[f"I_{k}"])) != 0]) for k in range(2)}


def scenario_ipg_set_between_calls(sim):
    """inhomogeneous_poisson_generator: rate times set after a first Simulate, at 1e6 Hz."""
    sim.ResetKernel()
    gen = sim.Create("inhomogeneous_poisson_generator", params={"rate_times": [1.0, 2.0],
                                                               "rate_values": [1e6, 0.0]})
    sr = sim.Create("spike_recorder")
    sim.Connect(gen, sr)
    sim.Simulate(5.0)
    gen.set(rate_times=[6.0, 7.5], rate_values=[1e6, 0.0])
    sim.Simulate(5.0)
    return _floats(np.unique(sr.events["times"]))


def scenario_noise_timing(sim):
    """noise_generator: the times at which each target's current changes (dt 0.5 ms, window, delay)."""
    res = _current_traces(sim, "noise_generator", {"mean": 10.0, "std": 50.0, "dt": 0.5, "start": 2.0,
                                                   "stop": 9.0}, n_neurons=3, delay=1.3, pieces=(4.0, 8.0))
    t = np.asarray(res["times"])
    out = {}
    for k in range(3):
        current = np.asarray(res[f"I_{k}"])
        out[f"changes_{k}"] = _floats(t[1:][np.diff(current) != 0])
        out[f"nonzero_{k}"] = _floats(t[current != 0][[0, -1]]) if np.any(current != 0) else []
    out["distinct_targets"] = bool(not np.array_equal(res["I_0"], res["I_1"]))
    return out


def scenario_noise_statistics(sim):
    """noise_generator into 200 glif_cond for 200 ms, dt 1 ms: mean and std of the amplitudes."""
    sim.ResetKernel()
    sim.rng_seed = 11
    gen = sim.Create("noise_generator", params={"mean": 25.0, "std": 40.0, "dt": 1.0})
    neurons = sim.Create("glif_cond", 200)
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": 1.0})
    sim.Connect(gen, neurons, syn_spec={"delay": 1.0})
    sim.Connect(mm, neurons)
    sim.Simulate(200.0)
    ev = mm.events
    times, senders, current = (np.asarray(ev[k]) for k in ("times", "senders", "I"))
    amps = current[times > 2.0].reshape(-1, 200)
    lag1 = np.corrcoef(amps[:-1].ravel(), amps[1:].ravel())[0, 1]
    between = np.corrcoef(amps.T)[~np.eye(200, dtype=bool)].mean()
    return {"mean": float(amps.mean()), "std": float(amps.std()), "n": int(amps.size),
            "lag1": float(lag1), "between_targets": float(between)}


def scenario_noise_modulated(sim):
    """noise_generator with std_mod: variance across 400 targets at the peak and trough of the sine."""
    sim.ResetKernel()
    sim.rng_seed = 5
    gen = sim.Create("noise_generator", params={"std": 50.0, "std_mod": 40.0, "dt": 0.1, "frequency": 50.0})
    neurons = sim.Create("glif_cond", 400)
    mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    sim.Connect(gen, neurons, syn_spec={"delay": 0.1})
    sim.Connect(mm, neurons)
    sim.Simulate(40.0)
    ev = mm.events
    times, current = np.asarray(ev["times"]), np.asarray(ev["I"]).reshape(-1, 400)
    t = times.reshape(-1, 400)[:, 0]
    phase = np.mod(t - 0.1, 20.0)          # the sine of the step that began 0.1 ms earlier, period 20 ms
    peak = (phase > 3.0) & (phase < 7.0)
    trough = (phase > 13.0) & (phase < 17.0)
    return {"var_peak": float(current[peak].var()), "var_trough": float(current[trough].var()),
            "n_peak": int(current[peak].size), "n_trough": int(current[trough].size)}


IPG_CASES = [
    # rate_times, rate_values, extra params, delay, h
    ([1.0, 3.0, 5.5], [1e6, 0.0, 1e6], {}, 1.0, 0.1),
    ([0.5, 2.0], [1e6, 0.0], {"start": 1.0, "stop": 4.0}, 0.1, 0.1),
    ([1.03, 2.26], [1e6, 0.0], {"allow_offgrid_times": True}, 0.5, 0.1),
    ([0.25, 1.0], [1e6, 0.0], {"origin": 0.5, "start": 0.2}, 0.05, 0.05),
]


def scenario_ipg_timing(sim):
    """inhomogeneous_poisson_generator at 1e6 Hz: exactly the steps with spikes (parrots and recorder)."""
    out = []
    for times, values, extra, delay, h in IPG_CASES:
        sim.ResetKernel()
        sim.resolution = h
        gen = sim.Create("inhomogeneous_poisson_generator",
                         params={"rate_times": times, "rate_values": values, **extra})
        parrots = sim.Create("parrot_neuron", 2)
        sr, direct = sim.Create("spike_recorder"), sim.Create("spike_recorder")
        sim.Connect(gen, parrots, syn_spec={"delay": delay})
        sim.Connect(parrots, sr)
        sim.Connect(gen, direct)
        sim.Simulate(8.0)
        out.append({"relayed": _floats(np.unique(sr.events["times"])),
                    "direct": _floats(np.unique(direct.events["times"])),
                    "rate_times": _floats(gen.get("rate_times"))})
    return out


def scenario_ipg_statistics(sim):
    """inhomogeneous_poisson_generator into 100 parrots: counts per target in each rate segment."""
    sim.ResetKernel()
    sim.rng_seed = 3
    gen = sim.Create("inhomogeneous_poisson_generator",
                     params={"rate_times": [10.0, 60.0, 110.0], "rate_values": [200.0, 1000.0, 50.0]})
    parrots = sim.Create("parrot_neuron", 100)
    sr = sim.Create("spike_recorder")
    sim.Connect(gen, parrots, syn_spec={"delay": 0.1})
    sim.Connect(parrots, sr)
    sim.Simulate(210.0)
    t = np.asarray(sr.events["times"]) - 0.1
    senders = np.asarray(sr.events["senders"])
    edges = [0.0, 10.0, 60.0, 110.0, 210.0]
    counts = [np.bincount(senders[(t > a) & (t <= b)] - parrots[0].global_id, minlength=100)
              for a, b in zip(edges[:-1], edges[1:])]
    return {"mean": [float(c.mean()) for c in counts], "var": [float(c.var()) for c in counts]}


ERROR_CASES = [
    ("dc_generator", {"amplitude": "x"}),
    ("ac_generator", {"frequency": "x"}),
    ("noise_generator", {"std": -1.0}),
    ("noise_generator", {"std": 1.0, "std_mod": 2.0}),
    ("noise_generator", {"dt": 0.25}),
    ("noise_generator", {"dt": 0.0}),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.0, 2.0], "rate_values": [1.0]}),
    ("inhomogeneous_poisson_generator", {"rate_times": [2.0, 1.0], "rate_values": [1.0, 2.0]}),
    ("inhomogeneous_poisson_generator", {"rate_times": [0.0], "rate_values": [1.0]}),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.05], "rate_values": [1.0]}),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.0], "rate_values": [-5.0]}),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.0]}),
    ("dc_generator", {"stop": 1.0, "start": 2.0}),
]


def scenario_errors(sim):
    """Which illegal parameters raise an error, with NEST's class names."""
    out = []
    for model, params in ERROR_CASES:
        sim.ResetKernel()
        sim.resolution = 0.1
        out.append(_error_name(lambda: sim.Create(model, params=params)))
    return out


def scenario_defaults(sim):
    """GetDefaults of the new devices (the parameters eventsim models)."""
    keys = {"dc_generator": ["amplitude", "origin", "start"],
            "ac_generator": ["amplitude", "offset", "frequency", "phase", "origin", "start", "y_0", "y_1"],
            "noise_generator": ["mean", "std", "dt", "std_mod", "frequency", "phase", "origin", "start"],
            "inhomogeneous_poisson_generator": ["rate_times", "rate_values", "allow_offgrid_times", "origin",
                                                "start"]}
    sim.ResetKernel()
    out = {}
    for model, names in keys.items():
        d = sim.GetDefaults(model)
        out[model] = {k: (_floats(d[k]) if np.ndim(d[k]) else (bool(d[k]) if isinstance(d[k], bool) else
                                                                 float(d[k]))) for k in names}
        out[model]["element_type"] = str(d["element_type"])
    return out


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
