"""``TripartiteConnect`` against NEST 3.10, live, and the checks eventsim adds to NEST's.

NEST runs :mod:`tripartite_scenarios` once, in a subprocess; eventsim runs the same code here
and must give the same structure (counts, pools, synapse properties, errors, spikes).
"""

import json

import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim as nest
import tripartite_scenarios
from eventsim.errors import BadParameter, IllegalConnection, IncompatibleReceptorType

RULE = tripartite_scenarios.RULE


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    return run_under_nest(tripartite_scenarios, timeout=300)


@pytest.mark.parametrize("name", sorted(tripartite_scenarios.SCENARIOS))
def test_scenario_equals_nest(name, nest_results):
    """eventsim's result of the scenario equals NEST's."""
    got = json.loads(json.dumps(tripartite_scenarios.SCENARIOS[name](nest)))
    assert got == nest_results[name]


def _populations():
    return nest.Create("parrot_neuron", 4), nest.Create("parrot_neuron", 3), nest.Create("parrot_neuron", 6)


@pytest.mark.parametrize("third_spec, word", [
    ({"rule": RULE, "pool_sise": 2}, "pool_sise"),
    ({"rule": RULE, "allow_autapses": False}, "allow_autapses"),
    ({"rule": RULE, "allow_multapses": False}, "allow_multapses"),
])
def test_unused_third_factor_keys_are_refused(third_spec, word):
    """NEST ignores keys its third-factor rule does not read; eventsim names them and connects nothing."""
    pre, post, third = _populations()
    with pytest.raises(BadParameter, match=word):
        nest.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, third_spec)
    assert nest.num_connections == 0


def test_unknown_syn_specs_key_is_refused():
    """A misspelt set name (NEST fails with an AttributeError from its internals) is named."""
    pre, post, third = _populations()
    with pytest.raises(BadParameter, match="third-in"):
        nest.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE}, {"third-in": {"weight": 2.0}})
    assert nest.num_connections == 0


def test_nothing_is_connected_when_one_set_fails():
    """A receptor the third_out targets lack is found before the primary connections are stored."""
    pre, third = nest.Create("parrot_neuron", 2), nest.Create("parrot_neuron", 2)
    post = nest.Create("glif_psc", 2)
    with pytest.raises(IncompatibleReceptorType):
        nest.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE},
                               {"primary": {"receptor_type": 1}, "third_out": {"receptor_type": 5}})
    assert nest.num_connections == 0
    assert len(nest.GetConnections()) == 0


def test_empty_collections_are_refused():
    """An empty NodeCollection is an IllegalConnection, as in NEST."""
    pre, post, third = _populations()
    with pytest.raises(IllegalConnection, match="Third-factor"):
        nest.TripartiteConnect(pre, post, third[3:3], {"rule": "all_to_all"}, {"rule": RULE})


def test_specifications_must_be_dicts():
    """A rule name instead of a dict is a TypeError (NEST fails on it with an AttributeError)."""
    pre, post, third = _populations()
    with pytest.raises(TypeError, match="conn_spec"):
        nest.TripartiteConnect(pre, post, third, "all_to_all", {"rule": RULE})
    with pytest.raises(TypeError, match="third_factor_conn_spec"):
        nest.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, RULE)


def _third_pairs(seed):
    nest.ResetKernel()
    nest.rng_seed = seed
    pre, post, third = nest.Create("parrot_neuron", 20), nest.Create("parrot_neuron", 10), nest.Create("parrot_neuron", 8)
    nest.TripartiteConnect(pre, post, third, {"rule": "pairwise_bernoulli", "p": 0.5},
                           {"rule": RULE, "p": 0.5, "pool_size": 3})
    c = nest.GetConnections()
    return list(zip(c.sources(), c.targets()))


def test_draws_follow_the_seed():
    """The same rng_seed gives the same connections; another seed other ones."""
    assert _third_pairs(3) == _third_pairs(3)
    assert _third_pairs(3) != _third_pairs(4)


def test_random_pools_are_drawn_per_target_from_third():
    """Random pools of parts of populations: each target's third partners are pool_size nodes of `third`."""
    a, b = nest.Create("parrot_neuron", 30), nest.Create("parrot_neuron", 12)
    third = a[20:25] + b[2:9]
    post = b[0:2] + a[25:28]
    nest.TripartiteConnect(a[:20], post, third, {"rule": "all_to_all"},
                           {"rule": RULE, "pool_type": "random", "pool_size": 4})
    out = nest.GetConnections(third, post)
    partners = {}
    for s, t in zip(out.sources(), out.targets()):
        partners.setdefault(t, set()).add(s)
    assert sorted(partners) == post.tolist()
    pools = [frozenset(v) for v in partners.values()]
    assert all(len(p) == 4 and p <= set(third.tolist()) for p in pools)
    assert len(set(pools)) > 1          # drawn per target, not one pool for all
