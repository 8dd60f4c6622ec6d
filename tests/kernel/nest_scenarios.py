"""PyNEST scenarios run unchanged by NEST 3.10 and by eventsim (``import eventsim as nest``).

Each ``scenario_*`` function takes the simulator module, builds and runs one
small network and returns JSON-able results.  ``test_nest_crosscheck.py``
runs all of them with NEST once, in a subprocess (NEST keeps global state and
prints a banner), and compares with eventsim in-process.

Run as a script (``python nest_scenarios.py MODULE``) it prints one line
``@@JSON@@{...}`` with the results of every scenario.
"""

import sys

import numpy as np

MARKER = "@@JSON@@"


def _floats(x):
    return [float(v) for v in np.asarray(x, dtype=float).ravel()]


def _ints(x):
    return [int(v) for v in np.asarray(x).ravel()]


def _events(sr):
    ev = sr.events
    return {"times": _floats(ev["times"]), "senders": _ints(ev["senders"])}


def _error_name(fn):
    """Run `fn`; return None or the class name of the exception it raised."""
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the class name is the result
        return type(err).__name__
    return None


def _conns(sim, keys=("source", "target")):
    c = sim.GetConnections()
    if len(c) == 0:
        return {k: [] for k in keys}
    out = c.get(list(keys))
    return {k: np.atleast_1d(np.asarray(out[k])).tolist() for k in keys}


# --- devices -----------------------------------------------------------------------

SG_CASES = [
    # delay, origin, start, stop, resolution
    (0.1, 0.0, 0.0, None, 0.1),
    (1.0, 0.0, 0.0, None, 0.1),
    (2.3, 0.0, 0.0, None, 0.1),
    (1.0, 0.5, 1.0, 3.0, 0.1),
    (0.1, 1.0, 0.0, 2.0, 0.1),
    (0.3, 0.0, 2.0, 2.0, 0.1),
    (0.05, 0.0, 1.5, 4.25, 0.05),
]


def scenario_spike_generator_parrot(sim):
    """spike_generator -> 2 parrots -> spike_recorder, with multiplicities and windows."""
    out = []
    for delay, origin, start, stop, h in SG_CASES:
        sim.ResetKernel()
        sim.resolution = h
        params = {"spike_times": [0.1, 1.0, 1.5, 2.0, 3.0, 4.2, 5.5], "spike_multiplicities": [1, 2, 3, 1, 2, 1, 4],
                  "origin": origin, "start": start}
        if stop is not None:
            params["stop"] = stop
        sg = sim.Create("spike_generator", params=params)
        parrots = sim.Create("parrot_neuron", 2)
        sr = sim.Create("spike_recorder")
        sim.Connect(sg, parrots, syn_spec={"delay": delay})
        sim.Connect(parrots, sr)
        sim.Simulate(12.0)
        out.append(_events(sr))
    return out


def scenario_spike_generator_recorder(sim):
    """Two spike_generators straight into a spike_recorder with a window; NEST's event order."""
    sim.ResetKernel()
    sg1 = sim.Create("spike_generator", params={"spike_times": [0.5, 1.0, 2.7, 3.0, 6.1],
                                                  "spike_multiplicities": [2, 1, 1, 3, 1]})
    sg2 = sim.Create("spike_generator", params={"spike_times": [0.2, 1.0, 2.0, 5.0]})
    sr = sim.Create("spike_recorder", params={"start": 0.5, "stop": 6.0})
    sim.Connect(sg1 + sg2, sr)
    sim.Simulate(10.0)
    return _events(sr)


def scenario_spike_weights(sim):
    """spike_weights x multiplicity x connection weight: g_1 of a glif_cond (alpha peak = weight)."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 10.0], "spike_weights": [2.0, 0.5],
                                                 "spike_multiplicities": [1, 3]})
    n = sim.Create("glif_cond", params={"tau_syn": [2.0], "E_rev": [0.0]})
    mm = sim.Create("multimeter", params={"record_from": ["g_1"], "interval": 0.1})
    sim.Connect(sg, n, syn_spec={"weight": 1.5, "delay": 1.0, "receptor_type": 1})
    sim.Connect(mm, n)
    sim.Simulate(30.0)
    ev = mm.events
    return {"times": _floats(ev["times"]), "g_1": _floats(ev["g_1"])}


SC_CASES = [
    # resolution, delay, origin, start, stop, amplitude_times, amplitude_values
    (0.05, 0.05, 0.0, 200.0, 500.0, [200.0], [400.0]),
    (0.1, 0.1, 0.0, 0.0, None, [1.0, 2.5, 4.0], [10.0, -5.0, 3.0]),
    (0.1, 1.0, 0.0, 0.0, None, [1.0, 2.5, 4.0], [10.0, -5.0, 3.0]),
    (0.1, 0.3, 1.0, 0.5, 3.0, [1.0, 2.5, 4.0], [10.0, -5.0, 3.0]),
    (0.1, 0.1, 0.0, 1.5, 2.0, [0.5, 1.7], [7.0, 9.0]),
]


def scenario_step_current(sim):
    """Recorded input current I of a glif_cond driven by a step_current_generator."""
    out = []
    for h, delay, origin, start, stop, times, values in SC_CASES:
        sim.ResetKernel()
        sim.resolution = h
        params = {"amplitude_times": times, "amplitude_values": values, "origin": origin, "start": start}
        if stop is not None:
            params["stop"] = stop
        sc = sim.Create("step_current_generator", params=params)
        n = sim.Create("glif_cond")
        mm = sim.Create("multimeter", params={"record_from": ["I"], "interval": h})
        sim.Connect(sc, n, syn_spec={"delay": delay})
        sim.Connect(mm, n)
        sim.Simulate(600.0 if h == 0.05 else 8.0)
        ev = mm.events
        t, current = np.asarray(ev["times"]), np.asarray(ev["I"])
        on = current != 0
        out.append({"n": int(len(t)), "on_times": _floats(t[on]), "on_values": _floats(current[on])})
    return out


PG_CASES = [
    # start, stop, origin, delay, resolution
    (1.0, 3.0, 0.0, 1.0, 0.1),
    (1.0, 3.0, 2.0, 0.5, 0.1),
    (0.0, 2.0, 0.0, 0.1, 0.1),
    (10.0, 10.5, 0.0, 1.0, 0.05),
]


def scenario_poisson_window(sim):
    """First and last spike time of a 1 MHz poisson_generator through parrots, and straight to a recorder."""
    out = []
    for start, stop, origin, delay, h in PG_CASES:
        sim.ResetKernel()
        sim.resolution = h
        pg = sim.Create("poisson_generator", params={"rate": 1e6, "start": start, "stop": stop, "origin": origin})
        parrots = sim.Create("parrot_neuron", 3)
        sr = sim.Create("spike_recorder")
        direct = sim.Create("spike_recorder")
        sim.Connect(pg, parrots, syn_spec={"delay": delay})
        sim.Connect(parrots, sr)
        sim.Connect(pg, direct)
        sim.Simulate(20.0)
        t = np.asarray(sr.events["times"])
        td = np.asarray(direct.events["times"])
        out.append({"min": float(t.min()), "max": float(t.max()), "n_stamps": int(len(np.unique(t))),
                    "direct_min": float(td.min()), "direct_max": float(td.max()),
                    "senders": sorted(set(_ints(sr.events["senders"]))),
                    "direct_senders": sorted(set(_ints(direct.events["senders"])))})
    return out


def scenario_parrot_port1(sim):
    """Spikes reaching a parrot on receptor 1 are not repeated."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.0]})
    p = sim.Create("parrot_neuron", 2)
    sr = sim.Create("spike_recorder")
    sim.Connect(sg, p[0], syn_spec={"receptor_type": 1})
    sim.Connect(sg, p[1], syn_spec={"receptor_type": 0})
    sim.Connect(p, sr)
    sim.Simulate(5.0)
    return _events(sr)


def scenario_pieces(sim):
    """parrot spike times with Simulate in pieces (the same as in one call, as NEST)."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [0.1, 0.9, 1.0, 1.1, 2.0, 2.9, 3.0, 4.4]})
    p = sim.Create("parrot_neuron", 2)
    sr = sim.Create("spike_recorder")
    sim.Connect(sg, p[0], syn_spec={"delay": 0.1})
    sim.Connect(p[0], p[1], syn_spec={"delay": 1.3})
    sim.Connect(p, sr)
    for _ in range(7):
        sim.Simulate(1.0)
    return _events(sr)


def scenario_spike_times_after_simulate(sim):
    """spike_times and origin changed between Simulate calls: past times are skipped."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.0]})
    p = sim.Create("parrot_neuron")
    sr = sim.Create("spike_recorder")
    sim.Connect(sg, p)
    sim.Connect(p, sr)
    sim.Simulate(5.0)
    sg.set(spike_times=[3.0, 5.0, 5.1, 7.0])
    sim.Simulate(5.0)
    first = _events(sr)
    sg.set(origin=10.0)
    sim.Simulate(10.0)
    return {"first": first, "second": _events(sr)}


def scenario_recorder_window(sim):
    """spike_recorder windows (origin, start, stop) on a parrot chain, and n_events = 0."""
    out = []
    for params in ({"start": 3.0}, {"stop": 4.0}, {"origin": 1.0, "start": 2.0, "stop": 4.0},
                   {"start": 3.0, "stop": 3.0}):
        sim.ResetKernel()
        sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.0, 3.0, 4.0, 5.0]})
        p = sim.Create("parrot_neuron", 2)
        sr = sim.Create("spike_recorder", params=params)
        sim.Connect(sg, p)
        sim.Connect(p, sr)
        sim.Simulate(4.5)
        before = _events(sr)
        sr.n_events = 0
        sim.Simulate(5.5)
        out.append({"before": before, "after_clear": _events(sr), "n_events": int(sr.n_events)})
    return out


# --- connections ------------------------------------------------------------------------

def scenario_deterministic_rules(sim):
    """(source, target) pairs of the deterministic rules."""
    specs = [
        ("all_to_all", False),
        ({"rule": "all_to_all", "allow_autapses": False}, True),
        ("one_to_one", True),
        ({"rule": "one_to_one", "allow_autapses": False}, True),
        ({"rule": "pairwise_bernoulli", "p": 1.0}, False),
        ({"rule": "pairwise_bernoulli", "p": 1.0, "allow_autapses": False}, True),
        ({"rule": "pairwise_bernoulli", "p": 0.0}, False),
    ]
    out = []
    for spec, self_conn in specs:
        sim.ResetKernel()
        a = sim.Create("parrot_neuron", 4)
        b = sim.Create("parrot_neuron", 4)
        sim.Connect(a, a if self_conn else b, spec)
        c = _conns(sim)
        out.append(sorted(zip(c["source"], c["target"])))
    return out


def _degrees(src, tgt, pre, post):
    src, tgt = np.asarray(src, dtype=np.int64), np.asarray(tgt, dtype=np.int64)
    return {"indegree": [int((tgt == g).sum()) for g in post], "outdegree": [int((src == g).sum()) for g in pre],
            "n": int(len(src)), "autapses": int((src == tgt).sum()),
            "multapses": int(len(src) - len(set(zip(src.tolist(), tgt.tolist())))),
            "in_range": bool(np.isin(src, pre).all() and np.isin(tgt, post).all())}


def scenario_random_rules(sim):
    """Degrees and autapse/multapse counts of the random rules."""
    specs = [
        ({"rule": "fixed_indegree", "indegree": 3}, False),
        ({"rule": "fixed_indegree", "indegree": 4, "allow_autapses": False, "allow_multapses": False}, True),
        ({"rule": "fixed_outdegree", "outdegree": 7}, False),
        ({"rule": "fixed_outdegree", "outdegree": 4, "allow_autapses": False, "allow_multapses": False}, True),
        ({"rule": "fixed_total_number", "N": 23}, False),
        ({"rule": "fixed_total_number", "N": 20, "allow_autapses": False}, True),
    ]
    out = []
    for spec, self_conn in specs:
        sim.ResetKernel()
        a = sim.Create("parrot_neuron", 5)
        b = sim.Create("parrot_neuron", 6)
        post = a if self_conn else b
        sim.Connect(a, post, spec)
        c = _conns(sim)
        d = _degrees(c["source"], c["target"], a.tolist(), post.tolist())
        if spec["rule"] == "fixed_indegree":
            d.pop("outdegree")
        elif spec["rule"] == "fixed_outdegree":
            d.pop("indegree")
        elif spec["rule"] == "fixed_total_number":
            d.pop("indegree")
            d.pop("outdegree")
        if spec.get("allow_multapses", True):
            d.pop("multapses")
        if spec.get("allow_autapses", True):
            d.pop("autapses")
        out.append(d)
    return out


def scenario_syn_arrays(sim):
    """Per-connection weights and delays from arrays, and GetConnections with filters."""
    out = {}
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 2)
    b = sim.Create("parrot_neuron", 3)
    sim.Connect(a, b, "all_to_all", {"weight": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
                                     "delay": np.array([[1.0, 1.1], [1.2, 1.3], [1.4, 2.5]])})
    c = _conns(sim, ("source", "target", "weight", "delay", "receptor"))
    out["all_to_all"] = sorted(zip(c["source"], c["target"], c["weight"], c["delay"], c["receptor"]))
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 3)
    b = sim.Create("parrot_neuron", 3)
    sim.Connect(a, b, "one_to_one", {"weight": [1.5, -2.0, 3.0], "delay": np.array([0.1, 0.2, 0.3])})
    c = _conns(sim, ("source", "target", "weight", "delay"))
    out["one_to_one"] = sorted(zip(c["source"], c["target"], c["weight"], c["delay"]))
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 4)
    b = sim.Create("parrot_neuron", 3)
    sim.Connect(a, b, {"rule": "fixed_indegree", "indegree": 2}, {"weight": np.array([[1.0, 2.0], [3.0, 4.0],
                                                                                       [5.0, 6.0]])})
    c = _conns(sim, ("target", "weight"))
    out["fixed_indegree"] = sorted(zip(c["target"], c["weight"]))
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 2)
    b = sim.Create("parrot_neuron", 4)
    sim.Connect(a, b, {"rule": "fixed_outdegree", "outdegree": 3},
                {"weight": np.arange(6.0).reshape(2, 3)})
    c = _conns(sim, ("source", "weight"))
    out["fixed_outdegree"] = sorted(zip(c["source"], c["weight"]))
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 4)
    b = sim.Create("parrot_neuron", 3)
    sim.Connect(a, b)
    sel = sim.GetConnections(source=a[1], target=b[1:])
    out["filter"] = sorted(zip(np.atleast_1d(sel.get("source")).tolist(), np.atleast_1d(sel.get("target")).tolist()))
    return out


def scenario_get_connections_format(sim):
    """Types of GetConnections results: scalars for one connection, lists for several."""
    keys = ["source", "target", "weight", "delay", "receptor", "synapse_model"]
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 3)
    sim.Connect(a[0], a[1], syn_spec={"weight": 2.5, "delay": 1.5})
    one = sim.GetConnections()
    single = {"get": one.get(keys), "weight": one.weight, "delay": one.get("delay"), "len": len(one)}
    sim.Connect(a[1], a[2])
    several = sim.GetConnections()
    return {"single": single, "several": {"get": several.get(keys), "weight": several.weight,
                                          "len": len(several)}}


DELAYS = [0.04, 0.05, 0.06, 0.15, 0.25, 1.04, 1.15, 1.25, 2.35, 2.3, 0.7, 0.0, -0.1]


def scenario_delays(sim):
    """Delays are rounded to the grid as NEST does (and rejected below one step)."""
    out = []
    for h in (0.1, 0.05):
        for d in DELAYS:
            sim.ResetKernel()
            sim.resolution = h
            a = sim.Create("parrot_neuron", 2)
            err = _error_name(lambda: sim.Connect(a[0], a[1], syn_spec={"delay": d}))
            delay = None if err else float(np.atleast_1d(sim.GetConnections().get("delay"))[0])
            out.append({"h": h, "d": d, "error": err, "delay": delay})
    return out


def scenario_connect_errors(sim):
    """Class names of the errors NEST raises for illegal connections (None where it connects)."""
    out = {}

    def fresh():
        sim.ResetKernel()
        return sim.Create("parrot_neuron", 4), sim.Create("parrot_neuron", 3)

    a, b = fresh()
    out["one_to_one_mismatch"] = _error_name(lambda: sim.Connect(a, b, "one_to_one")) is not None
    a, b = fresh()
    out["unknown_rule"] = _error_name(lambda: sim.Connect(a, b, "no_such_rule")) is not None
    a, b = fresh()
    out["bernoulli_p"] = _error_name(lambda: sim.Connect(a, b, {"rule": "pairwise_bernoulli", "p": 1.5})) is not None
    a, b = fresh()
    out["indegree_too_large"] = _error_name(lambda: sim.Connect(
        a, b, {"rule": "fixed_indegree", "indegree": 5, "allow_multapses": False})) is not None
    a, b = fresh()
    out["total_too_large"] = _error_name(lambda: sim.Connect(
        a, b, {"rule": "fixed_total_number", "N": 13, "allow_multapses": False})) is not None
    a, b = fresh()
    out["weights_1d_all_to_all"] = _error_name(lambda: sim.Connect(a, b, "all_to_all",
                                                                    {"weight": np.ones(12)})) is not None
    a, b = fresh()
    out["weights_2d_wrong_shape"] = _error_name(lambda: sim.Connect(a, b, "all_to_all",
                                                                     {"weight": np.ones((4, 3))})) is not None
    a, b = fresh()
    out["weights_wrong_length"] = _error_name(lambda: sim.Connect(a[:3], b, "one_to_one",
                                                                   {"weight": [1.0, 2.0]})) is not None
    a, b = fresh()
    out["weights_bernoulli_array"] = _error_name(lambda: sim.Connect(
        a, b, {"rule": "pairwise_bernoulli", "p": 1.0}, {"weight": np.ones(12)})) is not None
    a, b = fresh()
    out["parrot_receptor_1"] = _error_name(lambda: sim.Connect(a, b, syn_spec={"receptor_type": 1}))
    a, b = fresh()
    out["parrot_receptor_2"] = _error_name(lambda: sim.Connect(a, b, syn_spec={"receptor_type": 2}))
    for r in (0, 1, 2, 3):
        sim.ResetKernel()
        p, g = sim.Create("parrot_neuron"), sim.Create("glif_cond")
        out[f"glif_spike_receptor_{r}"] = _error_name(lambda: sim.Connect(p, g, syn_spec={"receptor_type": r}))
    for r in (0, 1):
        sim.ResetKernel()
        s, g = sim.Create("step_current_generator"), sim.Create("glif_cond")
        out[f"glif_current_receptor_{r}"] = _error_name(lambda: sim.Connect(s, g, syn_spec={"receptor_type": r}))
    sim.ResetKernel()
    out["current_to_parrot"] = _error_name(lambda: sim.Connect(sim.Create("step_current_generator"),
                                                                sim.Create("parrot_neuron")))
    sim.ResetKernel()
    out["recorder_as_source"] = _error_name(lambda: sim.Connect(sim.Create("spike_recorder"),
                                                                 sim.Create("parrot_neuron")))
    sim.ResetKernel()
    out["into_generator"] = _error_name(lambda: sim.Connect(sim.Create("parrot_neuron"),
                                                             sim.Create("spike_generator")))
    sim.ResetKernel()
    out["current_to_recorder"] = _error_name(lambda: sim.Connect(sim.Create("step_current_generator"),
                                                                  sim.Create("spike_recorder")))
    return out


def scenario_generator_errors(sim):
    """Which device parameters NEST rejects (True) or accepts (False)."""
    cases = {
        "sg_unsorted": ("spike_generator", {"spike_times": [2.0, 1.0]}),
        "sg_zero": ("spike_generator", {"spike_times": [0.0, 1.0]}),
        "sg_negative": ("spike_generator", {"spike_times": [-1.0, 1.0]}),
        "sg_offgrid": ("spike_generator", {"spike_times": [1.05]}),
        "sg_within_half_tic": ("spike_generator", {"spike_times": [1.0004]}),
        "sg_duplicate_times": ("spike_generator", {"spike_times": [1.0, 1.0]}),
        "sg_weights_length": ("spike_generator", {"spike_times": [1.0, 2.0], "spike_weights": [1.0]}),
        "sg_multiplicities_length": ("spike_generator", {"spike_times": [1.0, 2.0], "spike_multiplicities": [1]}),
        "sg_multiplicity_zero": ("spike_generator", {"spike_times": [1.0, 2.0], "spike_multiplicities": [0, 2]}),
        "sg_stop_before_start": ("spike_generator", {"start": 5.0, "stop": 2.0}),
        "sg_start_offgrid": ("spike_generator", {"start": 5.05}),
        "sc_length": ("step_current_generator", {"amplitude_times": [1.0, 2.0], "amplitude_values": [1.0]}),
        "sc_unsorted": ("step_current_generator", {"amplitude_times": [2.0, 1.0], "amplitude_values": [1.0, 2.0]}),
        "sc_equal": ("step_current_generator", {"amplitude_times": [1.0, 1.0], "amplitude_values": [1.0, 2.0]}),
        "sc_offgrid": ("step_current_generator", {"amplitude_times": [1.05], "amplitude_values": [1.0]}),
        "sc_zero": ("step_current_generator", {"amplitude_times": [0.0], "amplitude_values": [1.0]}),
        "sc_offgrid_collide": ("step_current_generator", {"amplitude_times": [1.04, 1.06],
                                                          "amplitude_values": [1.0, 2.0],
                                                          "allow_offgrid_times": True}),
        "pg_negative": ("poisson_generator", {"rate": -1.0}),
        "pg_string": ("poisson_generator", {"rate": "fast"}),
    }
    out = {}
    for name, (model, params) in cases.items():
        sim.ResetKernel()
        out[name] = _error_name(lambda: sim.Create(model, params=params)) is not None
    return out


def scenario_offgrid_rounding(sim):
    """Off-grid times accepted with allow_offgrid_times are moved to the end of their step."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0004, 1.0006, 1.04, 1.05, 1.15, 1.25, 2.0],
                                                 "allow_offgrid_times": True})
    sc = sim.Create("step_current_generator", params={"amplitude_times": [1.04, 1.25, 1.36, 2.0],
                                                        "amplitude_values": [1.0, 2.0, 3.0, 4.0],
                                                        "allow_offgrid_times": True})
    return {"spike_times": _floats(sg.get("spike_times")), "amplitude_times": _floats(sc.get("amplitude_times"))}


def scenario_kernel(sim):
    """Kernel properties: defaults, min_delay, biological_time after odd steps."""
    sim.ResetKernel()
    out = {"resolution": float(sim.resolution), "rng_seed": int(sim.rng_seed),
           "min_delay_fresh": float(sim.GetKernelStatus("min_delay"))}
    a = sim.Create("parrot_neuron", 2)
    sim.Connect(a[0], a[1], syn_spec={"delay": 2.0})
    out["min_delay_connected"] = float(sim.GetKernelStatus("min_delay"))
    times = []
    for t in (0.1, 0.2, 0.3, 1.7, 2.9):
        sim.Simulate(t)
        times.append(float(sim.biological_time))
    out["biological_time"] = times
    out["network_size"] = int(sim.GetKernelStatus("network_size"))
    return out


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
