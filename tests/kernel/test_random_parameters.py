"""Random parameters (``nest.random``, ``nest.math``): distributions against NEST 3.10, reproducibility, errors.

NEST runs :mod:`random_scenarios` once in a subprocess; eventsim draws from
other generators, so values differ but means agree within five standard
errors of the difference, standard deviations within a few percent, random
delays round to the same steps with the same frequencies.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from nest_subprocess import nest_results as run_under_nest, run_scenarios

import eventsim
import eventsim as nest
import random_scenarios as scenarios

SCRIPT = Path(scenarios.__file__)

#: Support of the bounded expressions: eventsim's draws must lie in it.
SUPPORT = {"sim.random.uniform(1.0, 3.0)": (1.0, 3.0), "sim.random.uniform()": (0.0, 1.0),
           "sim.random.uniform_int(5)": (0.0, 4.0), "sim.random.uniform() < 0.3": (0.0, 1.0),
           "1.0 / sim.random.uniform(1.0, 2.0)": (0.5, 1.0), "sim.math.min(sim.random.normal(), 0.0)": (-np.inf, 0.0),
           "sim.math.max(sim.random.normal(), 0.5)": (0.5, np.inf),
           "sim.math.redraw(sim.random.normal(0.0, 2.0), -1.0, 1.0)": (-1.0, 1.0),
           "sim.math.exp(sim.random.uniform(0.0, 1.0))": (1.0, np.e), "sim.random.exponential(2.0)": (0.0, np.inf)}


@pytest.fixture(scope="module")
def nest_results():
    """Summaries of every scenario drawn by NEST."""
    return run_under_nest(scenarios, timeout=300)


@pytest.fixture(scope="module")
def our_results():
    """Summaries of every scenario drawn by eventsim."""
    return json.loads(json.dumps(run_scenarios(scenarios, "eventsim")))


def same_distribution(got, ref, std_rtol):
    """Means within 5 standard errors of their difference and standard deviations within `std_rtol`."""
    se = np.hypot(got["std"] / np.sqrt(got["n"]), ref["std"] / np.sqrt(ref["n"]))
    assert abs(got["mean"] - ref["mean"]) < 5 * se + 1e-12, (got, ref)
    assert got["std"] == pytest.approx(ref["std"], rel=std_rtol, abs=1e-12), (got, ref)


@pytest.mark.parametrize("expr", scenarios.WEIGHT_EXPRESSIONS)
def test_random_weights_match_nest(expr, nest_results, our_results):
    """syn_spec weights drawn from each expression: NEST's mean and std; values inside the support."""
    got, ref = our_results["weights"][expr], nest_results["weights"][expr]
    same_distribution(got, ref, std_rtol=0.08)
    lo, hi = SUPPORT.get(expr, (-np.inf, np.inf))
    assert lo <= got["min"] and got["max"] <= hi


def test_random_delays_round_as_nest(nest_results, our_results):
    """uniform(0.5, 2.0) delays round to the same steps as NEST's, half-weight at both ends, same counts."""
    got, ref = our_results["delays"], nest_results["delays"]
    assert got["steps"] == ref["steps"]
    a, b = np.array(got["counts"]), np.array(ref["counts"])
    assert np.all(np.abs(a - b) <= 5 * np.sqrt(a + b + 1))


@pytest.mark.parametrize("key", ["create_V_m", "set_V_m", "set_C_m_half", "setstatus_t_ref"])
def test_random_node_parameters_match_nest(key, nest_results, our_results):
    """Create, set, set on a slice and SetStatus with random parameters: NEST's distributions, one value per node."""
    got, ref = our_results["create_and_set"][key], nest_results["create_and_set"][key]
    assert got["n"] == ref["n"]
    same_distribution(got, ref, std_rtol=0.2)


def test_set_on_a_slice_leaves_the_others(nest_results, our_results):
    """Nodes outside the slice keep their value, as in NEST."""
    assert our_results["create_and_set"]["untouched_C_m"] == nest_results["create_and_set"]["untouched_C_m"]


def test_errors_as_nest(nest_results, our_results):
    """Illegal distribution parameters and delays that round to zero fail with NEST's error classes."""
    assert our_results["errors"] == nest_results["errors"]


def draws(seed):
    """Weights, delays and V_m drawn with `seed`."""
    nest.ResetKernel()
    nest.rng_seed = seed
    n = nest.Create("glif_cond", 5, params={"V_m": nest.random.normal(-65.0, 3.0)})
    a = nest.Create("parrot_neuron", 10)
    nest.Connect(a, a, syn_spec={"weight": nest.random.uniform(0.5, 1.5), "delay": nest.random.uniform(0.1, 3.0)})
    c = nest.GetConnections()
    return list(n.get("V_m")), c.get("weight"), c.get("delay")


def test_reproducible_from_rng_seed():
    """The same rng_seed draws the same values; another seed other values; every node and connection its own."""
    first = draws(1)
    assert draws(1) == first
    second = draws(2)
    assert all(x != y for x, y in zip(first, second))
    v_m, weights, _ = first
    assert len(set(v_m)) == 5 and len(set(weights)) == 100


def test_list_of_dicts_and_one_to_one():
    """A random value in a list of per-node dicts, and random weights with one_to_one, are drawn once each."""
    n = nest.Create("glif_cond", 3, params=[{"V_m": nest.random.uniform(-70.0, -60.0)}] * 3)
    assert len(set(n.get("V_m"))) == 3
    a, b = nest.Create("parrot_neuron", 4), nest.Create("parrot_neuron", 4)
    nest.Connect(a, b, "one_to_one", {"weight": nest.random.normal(5.0, 1.0)})
    assert len(set(nest.GetConnections().get("weight"))) == 4


def test_random_weights_drive_a_simulation():
    """Random weights into glif_cond receptors: the run works and each neuron gets its own conductance."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0]})
    neurons = nest.Create("glif_cond", 4)
    mm = nest.Create("multimeter", params={"record_from": ["g_1"], "interval": 0.1})
    nest.Connect(sg, neurons, syn_spec={"weight": nest.random.uniform(1.0, 2.0), "receptor_type": 1})
    nest.Connect(mm, neurons)
    nest.Simulate(5.0)
    ev = mm.events
    peaks = [np.max(np.asarray(ev["g_1"])[np.asarray(ev["senders"]) == g]) for g in neurons.tolist()]
    assert len(set(peaks)) == 4 and min(peaks) > 0


def test_expressions_and_get_value():
    """Arithmetic builds parameters; GetValue draws one value; misuse raises a clear error."""
    p = nest.random.uniform(2.0, 3.0)
    assert 2.0 <= p.GetValue() < 3.0
    assert 5.0 <= (p + 3).GetValue() < 6.0 and -3.0 < (-p).GetValue() <= -2.0
    assert (p < 1.0).GetValue() == 0.0
    assert "uniform" in repr(nest.math.exp(p) * 2)
    with pytest.raises(TypeError):
        p + "a"
    with pytest.raises(TypeError, match="drawn when used"):
        bool(p)
    with pytest.raises(nest.BadProperty, match="boolean"):
        nest.Create("glif_cond", params={"spike_dependent_threshold": p})
    with pytest.raises(nest.BadParameter, match="receptor_type"):
        nest.Connect(nest.Create("spike_generator"), nest.Create("glif_cond"),
                     syn_spec={"receptor_type": nest.random.uniform_int(2)})
    with pytest.raises(nest.BadProperty, match="min <= max"):
        nest.math.redraw(p, 2.0, 1.0)


def test_submodules_do_not_shadow_the_standard_library():
    """eventsim.random and eventsim.math are reachable as attributes and leave ``import random`` alone."""
    import math
    import random
    assert eventsim.random.__name__ == "eventsim.random" and eventsim.math.__name__ == "eventsim.math"
    assert hasattr(random, "shuffle") and hasattr(math, "isclose")


def test_create_parameter_and_equality():
    """CreateParameter("constant" or a distribution) and == / != comparisons as NEST's parameters."""
    one, two = nest.CreateParameter("constant", {"value": 1.0}), nest.CreateParameter("constant", {"value": 2.0})
    assert (one == two - one).GetValue() == 1.0 and (one != two).GetValue() == 1.0
    assert (one + two).GetValue() == 3.0 and (one / two).GetValue() == 0.5
    assert (nest.CreateParameter("constant", {"value": -2.0}) ** 3).GetValue() == -8.0
    assert 0.0 <= nest.CreateParameter("uniform", {"min": 0.0, "max": 0.5}).GetValue() < 0.5
    with pytest.raises(nest.BadParameter, match="unknown parameter type 'distance'"):
        nest.CreateParameter("distance", {})
    with pytest.raises(nest.BadParameter, match="sigma"):
        nest.CreateParameter("normal", {"sigma": 1.0})
    with pytest.raises(nest.BadProperty, match="no value in"):
        nest.math.redraw(nest.random.uniform(0.0, 1.0), 1.5, 2.0).GetValue()
