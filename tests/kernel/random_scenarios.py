"""Random parameters (``nest.random``, ``nest.math``) drawn by NEST 3.10 and by eventsim: summary statistics.

``test_random_parameters.py`` runs :func:`run_all` with NEST in a subprocess
and with eventsim in-process; values differ (other generators), their
distributions must not.  As a script (``python random_scenarios.py MODULE``)
it prints one line ``@@JSON@@{...}``.
"""

import sys

import numpy as np

MARKER = "@@JSON@@"
N_SIDE = 70           # all_to_all between 70 parrots: 4,900 connections per expression
N_NEURONS = 400

#: syn_spec weight expressions, as source code evaluated with ``sim`` bound to the simulator.
WEIGHT_EXPRESSIONS = [
    "sim.random.uniform(1.0, 3.0)",
    "sim.random.uniform()",
    "sim.random.normal(2.0, 0.5)",
    "sim.random.normal()",
    "sim.random.lognormal(0.0, 0.5)",
    "sim.random.exponential(2.0)",
    "sim.random.exponential()",
    "sim.random.uniform_int(5)",
    "2.0 * sim.random.uniform() + sim.random.normal()",
    "sim.random.uniform() - sim.random.uniform()",
    "-sim.random.exponential(0.5) / 2.0",
    "1.0 / sim.random.uniform(1.0, 2.0)",
    "sim.random.uniform() ** 2",
    "sim.random.uniform() < 0.3",
    "sim.math.exp(sim.random.uniform(0.0, 1.0))",
    "sim.math.min(sim.random.normal(), 0.0)",
    "sim.math.max(sim.random.normal(), 0.5)",
    "sim.math.redraw(sim.random.normal(0.0, 2.0), -1.0, 1.0)",
    "sim.math.sin(sim.random.uniform(0.0, 3.0)) * sim.math.cos(sim.random.uniform(0.0, 3.0))",
]


def _summary(x):
    x = np.asarray(x, dtype=float)
    return {"mean": float(x.mean()), "std": float(x.std()), "min": float(x.min()), "max": float(x.max()),
            "n": int(x.size)}


def scenario_weights(sim):
    """Mean, std, min, max of syn_spec weights drawn from each expression."""
    out = {}
    for expr in WEIGHT_EXPRESSIONS:
        sim.ResetKernel()
        a = sim.Create("parrot_neuron", N_SIDE)
        sim.Connect(a, a, syn_spec={"weight": eval(expr, {"sim": sim})})
        out[expr] = _summary(sim.GetConnections().get("weight"))
    return out


def scenario_delays(sim):
    """Random delays: drawn and rounded to the grid (h = 0.1 ms), counts per step."""
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", N_SIDE)
    sim.Connect(a, a, syn_spec={"delay": sim.random.uniform(0.5, 2.0)})
    d = np.round(np.asarray(sim.GetConnections().get("delay")) / 0.1).astype(int)
    return {"steps": sorted(set(d.tolist())), "counts": np.bincount(d, minlength=21).tolist(), **_summary(d)}


def scenario_create_and_set(sim):
    """Initial V_m and a parameter drawn in Create, set and SetStatus, one value per node."""
    sim.ResetKernel()
    n = sim.Create("glif_cond", N_NEURONS, params={"V_m": sim.random.uniform(-70.0, -60.0)})
    out = {"create_V_m": _summary(n.get("V_m"))}
    n.set(V_m=sim.random.normal(-65.0, 2.0))
    out["set_V_m"] = _summary(n.get("V_m"))
    n[::2].set({"C_m": 50.0 + sim.random.exponential(10.0)})
    out["set_C_m_half"] = _summary(n[::2].get("C_m"))
    out["untouched_C_m"] = sorted(set(float(x) for x in n[1::2].get("C_m")))
    sim.SetStatus(n, {"t_ref": sim.math.redraw(sim.random.normal(2.0, 1.0), 1.0, 3.0)})
    out["setstatus_t_ref"] = _summary(n.get("t_ref"))
    return out


def _error(fn):
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the class name is the result
        return type(err).__name__
    return None


def scenario_errors(sim):
    """Which random parameters NEST refuses (class names)."""
    cases = ["sim.random.uniform(2.0, 1.0)", "sim.random.normal(0.0, -1.0)", "sim.random.uniform_int(0)",
             "sim.random.lognormal(0.0, -1.0)", "sim.random.exponential(-1.0)", "sim.random.uniform(1.0, 1.0)",
             "sim.random.normal(0.0, 0.0)"]
    out = {c: _error(lambda: eval(c, {"sim": sim})) for c in cases}
    sim.ResetKernel()
    a = sim.Create("parrot_neuron", 20)
    out["delay below resolution"] = _error(lambda: sim.Connect(a, a, syn_spec={"delay":
                                                                                 sim.random.uniform(0.01, 0.3)}))
    return out


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
