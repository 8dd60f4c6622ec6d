"""SetStatus of current devices between short Simulate calls (the PyNEST control loop) against NEST 3.10.

NEST runs the scenarios of :mod:`nest_set_loop_scenarios` once, in a subprocess;
eventsim runs the same code here and must give the same currents bit for bit,
read back the same values, and refuse the same bad values without setting any
node.  The in-process tests check what the fast paths of ``set`` (remembered
grid times and activity windows, cached windows of the dc_generator) must not
skip: every bad value is reported, naming the parameter, wherever it occurs.
"""

import json

import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim
import nest_set_loop_scenarios as scenarios
from eventsim.errors import BadProperty


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    return run_under_nest(scenarios, timeout=300)


@pytest.mark.parametrize("name", sorted(scenarios.SCENARIOS))
def test_scenario_matches_nest(nest_results, name):
    ours = json.loads(json.dumps(scenarios.SCENARIOS[name](eventsim)))
    assert ours.keys() == nest_results[name].keys()
    for key in ours:
        assert ours[key] == nest_results[name][key], key


def _drive():
    eventsim.ResetKernel()
    eventsim.resolution = 0.1
    drive = eventsim.Create("dc_generator", 3, params={"amplitude": 1.0})
    eventsim.Simulate(0.5)
    return drive


@pytest.mark.parametrize("params, name", [
    ([{"start": 0.2}, {"start": 0.2}, {"start": 0.25}], "start"),
    ([{"origin": 0.1}, {"origin": 0.15}, {"origin": 0.1}], "origin"),
    ([{"stop": 0.3}, {"stop": 0.3}, {"stop": 0.35}], "stop"),
    ([{"amplitude": 2.0}, {"amplitude": float("nan")}, {"amplitude": 2.0}], "amplitude"),
    ([{"amplitude": 2.0}, {"amplitude": True}, {"amplitude": 2.0}], "amplitude"),
])
def test_bad_value_after_accepted_ones_raises_and_sets_nothing(params, name):
    """The values of the nodes before the bad one were accepted (and remembered): the bad one still raises."""
    drive = _drive()
    before = drive.get(["amplitude", "origin", "start", "stop"])
    with pytest.raises(BadProperty, match=name):
        drive.set(params)
    assert drive.get(["amplitude", "origin", "start", "stop"]) == before


def test_stop_before_start_raises_though_both_times_were_accepted_before():
    drive = _drive()
    drive.set(start=0.5, stop=1.0)
    drive.set(start=0.0, stop=0.2)
    with pytest.raises(BadProperty, match="stop"):
        drive[1].set(start=0.5)
    assert drive.get("start") == (0.0, 0.0, 0.0)


def test_remembered_times_follow_the_resolution():
    """A time accepted at one resolution is checked again at another (a new kernel)."""
    drive = _drive()
    drive.set(start=0.5)
    eventsim.ResetKernel()
    eventsim.resolution = 0.2
    drive = eventsim.Create("dc_generator", 1)
    with pytest.raises(BadProperty, match="start"):
        drive.set(start=0.3)
    drive.set(start=0.4)
    assert drive.get("start") == 0.4


def _independent_models():
    from eventsim.registry import model_class, node_models
    return sorted(name for name in node_models() if model_class(name).independent_parameters)


@pytest.mark.parametrize("model", _independent_models())
def test_independent_checks_agree_with_validate(model):
    """A model's ``independent_parameters`` checks accept and refuse what its full ``validate`` does, and
    store the same value (the fast path of ``set`` skips ``validate``)."""
    for name in eventsim.registry.model_class(model).independent_parameters:
        for value in (2.5, 3, -1.0, 0.0, "x", float("nan"), float("inf"), True, None, [1.0]):
            results = []
            for how in ("fast", "full"):
                eventsim.ResetKernel()
                node = eventsim.Create(model)
                eventsim.Simulate(0.1)
                pop = node._kernel.node_of(node.global_id)[0]
                if how == "full":
                    pop.independent_parameters = {}   # this node only: forces validate
                try:
                    node.set({name: value})
                    results.append(("ok", node.get(name)))
                except BadProperty:
                    results.append(("refused", None))
            assert results[0] == results[1], (name, value, results)
