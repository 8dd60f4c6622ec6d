"""Connection rules, synapse specifications, GetConnections and Connect errors."""

from collections import Counter

import warnings

import numpy as np
import pytest

import eventsim as nest


def pairs():
    """All connections as a list of (source, target) tuples."""
    c = nest.GetConnections()
    return list(zip(c.get("source"), c.get("target")))


def populations(n_pre=4, n_post=3):
    return nest.Create("parrot_neuron", n_pre), nest.Create("parrot_neuron", n_post)


# --- deterministic rules ---------------------------------------------------------------

def test_all_to_all_is_the_default():
    """Without conn_spec every source connects to every target once."""
    a, b = populations()
    nest.Connect(a, b)
    assert sorted(pairs()) == [(s, t) for s in a.tolist() for t in b.tolist()]


def test_all_to_all_without_autapses():
    """allow_autapses=False drops exactly the n self-connections."""
    a = nest.Create("parrot_neuron", 5)
    nest.Connect(a, a, {"rule": "all_to_all", "allow_autapses": False})
    assert sorted(pairs()) == [(s, t) for s in a.tolist() for t in a.tolist() if s != t]


def test_one_to_one():
    """one_to_one connects the i-th source to the i-th target."""
    a, b = populations(3, 3)
    nest.Connect(a, b, "one_to_one")
    assert sorted(pairs()) == list(zip(a.tolist(), b.tolist()))


def test_one_to_one_without_autapses_onto_itself_is_empty():
    """one_to_one of a population onto itself without autapses makes nothing."""
    a = nest.Create("parrot_neuron", 3)
    nest.Connect(a, a, {"rule": "one_to_one", "allow_autapses": False})
    assert len(nest.GetConnections()) == 0


def test_repeated_connect_adds_multapses():
    """Connecting twice makes two connections per pair (multapses are allowed by default)."""
    a, b = populations(2, 2)
    nest.Connect(a, b)
    nest.Connect(a, b)
    assert Counter(pairs()) == {(s, t): 2 for s in a.tolist() for t in b.tolist()}


# --- random rules ------------------------------------------------------------------------

@pytest.mark.parametrize("autapses, multapses", [(True, True), (False, True), (True, False), (False, False)])
def test_fixed_indegree(autapses, multapses):
    """Each target gets exactly `indegree` sources from pre, obeying the autapse and multapse flags."""
    a = nest.Create("parrot_neuron", 8)
    nest.Connect(a, a, {"rule": "fixed_indegree", "indegree": 5, "allow_autapses": autapses,
                        "allow_multapses": multapses})
    p = pairs()
    assert Counter(t for _, t in p) == {t: 5 for t in a.tolist()}
    assert all(s in a.tolist() for s, _ in p)
    if not autapses:
        assert all(s != t for s, t in p)
    if not multapses:
        assert len(set(p)) == len(p)


@pytest.mark.parametrize("autapses, multapses", [(True, True), (False, True), (True, False), (False, False)])
def test_fixed_outdegree(autapses, multapses):
    """Each source sends exactly `outdegree` connections to post, obeying the autapse and multapse flags."""
    a = nest.Create("parrot_neuron", 8)
    nest.Connect(a, a, {"rule": "fixed_outdegree", "outdegree": 6, "allow_autapses": autapses,
                        "allow_multapses": multapses})
    p = pairs()
    assert Counter(s for s, _ in p) == {s: 6 for s in a.tolist()}
    if not autapses:
        assert all(s != t for s, t in p)
    if not multapses:
        assert len(set(p)) == len(p)


@pytest.mark.parametrize("autapses, multapses", [(True, True), (False, True), (False, False)])
def test_fixed_total_number(autapses, multapses):
    """Exactly N connections between pre and post, obeying the flags."""
    a = nest.Create("parrot_neuron", 6)
    nest.Connect(a, a, {"rule": "fixed_total_number", "N": 25, "allow_autapses": autapses,
                        "allow_multapses": multapses})
    p = pairs()
    assert len(p) == 25
    if not autapses:
        assert all(s != t for s, t in p)
    if not multapses:
        assert len(set(p)) == 25


def test_pairwise_bernoulli_extremes():
    """p = 1 connects every pair once, p = 0 none."""
    a, b = populations(5, 4)
    nest.Connect(a, b, {"rule": "pairwise_bernoulli", "p": 0.0})
    assert len(nest.GetConnections()) == 0
    nest.Connect(a, b, {"rule": "pairwise_bernoulli", "p": 1.0})
    assert sorted(pairs()) == [(s, t) for s in a.tolist() for t in b.tolist()]


def test_pairwise_bernoulli_count_and_no_multapses():
    """With p = 0.3 the count is Binomial(n_pairs, p) (within 5 sd); no pair twice; no autapses if excluded."""
    a = nest.Create("parrot_neuron", 100)
    nest.Connect(a, a, {"rule": "pairwise_bernoulli", "p": 0.3, "allow_autapses": False})
    p = pairs()
    n_pairs = 100 * 99
    assert abs(len(p) - 0.3 * n_pairs) < 5 * np.sqrt(n_pairs * 0.3 * 0.7)
    assert len(set(p)) == len(p)
    assert all(s != t for s, t in p)


def test_random_rules_reproducible_and_seeded():
    """The same rng_seed gives the same random connections, another seed other ones."""
    def draw(seed):
        nest.ResetKernel()
        nest.rng_seed = seed
        a = nest.Create("parrot_neuron", 20)
        nest.Connect(a, a, {"rule": "fixed_indegree", "indegree": 5})
        return sorted(pairs())
    assert draw(11) == draw(11)
    assert draw(11) != draw(12)


# --- synapse specification -----------------------------------------------------------------

def test_scalar_weight_delay_receptor():
    """Scalars apply to every connection; GetConnections reports weight, delay (ms), receptor and model."""
    n = nest.Create("glif_cond", 2)
    p = nest.Create("parrot_neuron")
    nest.Connect(p, n, syn_spec={"weight": 2.5, "delay": 1.5, "receptor_type": 2})
    c = nest.GetConnections().get()
    assert c == {"source": [3, 3], "target": [1, 2], "weight": [2.5, 2.5], "delay": [1.5, 1.5],
                 "receptor": [2, 2], "synapse_model": ["static_synapse"] * 2}


def test_defaults_weight_1_delay_1_receptor_0():
    """Without syn_spec: weight 1, delay 1 ms, receptor 0; one connection gives scalars, as in PyNEST."""
    a, b = populations(1, 1)
    nest.Connect(a, b)
    c = nest.GetConnections()
    assert (c.weight, c.delay, c.receptor) == (1.0, 1.0, 0)
    assert c.get() == {"source": 1, "target": 2, "weight": 1.0, "delay": 1.0, "receptor": 0,
                       "synapse_model": "static_synapse"}


def test_one_to_one_arrays():
    """1-D weight, delay and receptor arrays give one value per one_to_one connection, in order."""
    a, b = populations(3, 3)
    nest.Connect(a, b, "one_to_one", {"weight": [1.0, -2.0, 3.5], "delay": np.array([0.1, 0.5, 2.0]),
                                      "receptor_type": [0, 1, 0]})
    c = nest.GetConnections().get()
    assert list(zip(c["source"], c["target"], c["weight"], c["delay"], c["receptor"])) == [
        (1, 4, 1.0, 0.1, 0), (2, 5, -2.0, 0.5, 1), (3, 6, 3.5, 2.0, 0)]


def test_all_to_all_2d_arrays_are_target_by_source():
    """all_to_all takes (n_targets, n_sources) arrays: entry [i, j] is the connection from source j to target i."""
    a, b = populations(2, 3)
    w = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    nest.Connect(a, b, "all_to_all", {"weight": w, "delay": w / 10})
    c = nest.GetConnections().get()
    got = {(s, t): (wt, d) for s, t, wt, d in zip(c["source"], c["target"], c["weight"], c["delay"])}
    for i, t in enumerate(b.tolist()):
        for j, s in enumerate(a.tolist()):
            assert got[(s, t)][0] == w[i, j]
            np.testing.assert_allclose(got[(s, t)][1], w[i, j] / 10, rtol=1e-12)


def test_all_to_all_array_without_autapses_skips_the_diagonal():
    """Without autapses the diagonal entries of the (n, n) array belong to connections not made."""
    a = nest.Create("parrot_neuron", 3)
    w = np.arange(9.0).reshape(3, 3)
    nest.Connect(a, a, {"rule": "all_to_all", "allow_autapses": False}, {"weight": w})
    c = nest.GetConnections().get()
    got = {(s, t): wt for s, t, wt in zip(c["source"], c["target"], c["weight"])}
    assert got == {(s, t): w[t - 1, s - 1] for s in (1, 2, 3) for t in (1, 2, 3) if s != t}


def test_indegree_and_outdegree_2d_arrays():
    """fixed_indegree takes (n_targets, indegree) arrays, fixed_outdegree (n_sources, outdegree)."""
    a, b = populations(4, 3)
    nest.Connect(a, b, {"rule": "fixed_indegree", "indegree": 2},
                 {"weight": np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])})
    c = nest.GetConnections().get()
    by_target = {}
    for t, wt in zip(c["target"], c["weight"]):
        by_target.setdefault(t, []).append(wt)
    assert {t: sorted(v) for t, v in by_target.items()} == {5: [1.0, 2.0], 6: [3.0, 4.0], 7: [5.0, 6.0]}
    nest.ResetKernel()
    a, b = populations(2, 4)
    nest.Connect(a, b, {"rule": "fixed_outdegree", "outdegree": 3}, {"weight": np.arange(6.0).reshape(2, 3)})
    c = nest.GetConnections().get()
    by_source = {}
    for s, wt in zip(c["source"], c["weight"]):
        by_source.setdefault(s, []).append(wt)
    assert {s: sorted(v) for s, v in by_source.items()} == {1: [0.0, 1.0, 2.0], 2: [3.0, 4.0, 5.0]}


def test_fixed_total_number_1d_array():
    """fixed_total_number takes an array of N values."""
    a, b = populations()
    nest.Connect(a, b, {"rule": "fixed_total_number", "N": 5}, {"weight": np.arange(5.0)})
    assert sorted(nest.GetConnections().get("weight")) == [0.0, 1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize("conn_spec, weight, match", [
    ("all_to_all", np.ones(12), "one-dimensional parameter arrays"),
    ({"rule": "fixed_indegree", "indegree": 2}, np.ones(6), "one-dimensional parameter arrays"),
    ("all_to_all", np.ones((4, 3)), r"shape \(3, 4\)"),
    ("one_to_one", np.ones(2), r"shape \(3,\)"),
    ("one_to_one", np.ones((3, 1)), r"needs an array of shape \(3,\)"),
    ({"rule": "pairwise_bernoulli", "p": 1.0}, np.ones(9), "accepts no parameter arrays"),
    ("all_to_all", "heavy", "number or an array"),
    ("all_to_all", True, "number or an array"),
])
def test_array_shape_errors(conn_spec, weight, match):
    """Weight arrays must have the shape NEST requires for the rule."""
    a, b = populations(3, 3)
    if conn_spec == "all_to_all" and np.ndim(weight) == 2:
        a, b = populations(4, 3)
    if isinstance(conn_spec, dict) and conn_spec["rule"] == "fixed_indegree":
        a, b = populations(4, 3)
    with pytest.raises(nest.BadParameter, match=match):
        nest.Connect(a, b, conn_spec, {"weight": weight})
    assert len(nest.GetConnections()) == 0


@pytest.mark.parametrize("h, delay, expected", [(0.1, 0.1, 0.1), (0.1, 2.3, 2.3000000000000003), (0.05, 1.1, 1.1)])
def test_on_grid_delays_read_back_as_nest(h, delay, expected):
    """Delays on the grid are stored in steps and read back as NEST reports them."""
    nest.resolution = h
    a = nest.Create("parrot_neuron", 2)
    nest.Connect(a[0], a[1], syn_spec={"delay": delay})
    assert nest.GetConnections().delay == expected


@pytest.mark.parametrize("h, delay, expected", [(0.1, 0.15, 0.2), (0.1, 1.04, 1.0), (0.1, 1.25, 1.3),
                                                (0.05, 1.075, 1.1), (0.1, 0.05, 0.1), (0.1, 0.09, 0.1)])
def test_off_grid_delays_are_rounded_with_one_warning(h, delay, expected):
    """An off-grid delay is rounded to the nearest step (halves up) as NEST does, with one warning per kernel."""
    nest.resolution = h
    a = nest.Create("parrot_neuron", 2)
    with pytest.warns(UserWarning, match=f"delay {delay} ms is not a multiple of the resolution"):
        nest.Connect(a[0], a[1], syn_spec={"delay": delay})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nest.Connect(a[1], a[0], syn_spec={"delay": delay})  # no second warning
    assert nest.GetConnections().delay == pytest.approx([expected, expected], abs=1e-12)


def test_delay_rounding_warning_follows_verbosity():
    """At verbosity ERROR the rounding is silent."""
    old = nest.verbosity
    nest.verbosity = nest.VerbosityLevel.ERROR
    try:
        a = nest.Create("parrot_neuron", 2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            nest.Connect(a[0], a[1], syn_spec={"delay": 1.04})
    finally:
        nest.verbosity = old


@pytest.mark.parametrize("delay", [0.0, 0.04, 0.0499, -1.0, np.inf, np.nan])
def test_delay_below_one_step_is_refused(delay):
    """A delay that rounds to less than one step (or is not finite) raises BadDelay, as NEST."""
    a, b = populations(1, 1)
    with pytest.raises(nest.BadDelay, match="delay"):
        nest.Connect(a, b, syn_spec={"delay": delay})
    assert len(nest.GetConnections()) == 0


def test_delay_array_with_one_bad_entry_connects_nothing():
    """One illegal delay in an array refuses the whole Connect call."""
    a, b = populations(3, 3)
    with pytest.raises(nest.BadDelay, match="0.01"):
        nest.Connect(a, b, "one_to_one", {"delay": [1.0, 0.01, 1.0]})
    assert len(nest.GetConnections()) == 0


# --- receptors ----------------------------------------------------------------------------------

def test_glif_cond_spike_receptors():
    """glif_cond takes spikes on receptors 1..n (n = len(tau_syn)); 0 and n + 1 are IncompatibleReceptorType."""
    p = nest.Create("parrot_neuron")
    n = nest.Create("glif_cond", params={"tau_syn": [0.2, 2.0, 5.0], "E_rev": [0.0, -85.0, 0.0]})
    nest.Connect(p, n, syn_spec={"receptor_type": 3})
    for r in (0, 4):
        with pytest.raises(nest.IncompatibleReceptorType, match=f"receptor_type {r}"):
            nest.Connect(p, n, syn_spec={"receptor_type": r})
    assert nest.GetConnections().receptor == 3


def test_default_receptor_0_is_not_a_spike_receptor_of_glif_cond():
    """Connecting spikes to a glif_cond without receptor_type fails, as in NEST (receptor 0 takes currents)."""
    with pytest.raises(nest.IncompatibleReceptorType, match="receptor_type 0"):
        nest.Connect(nest.Create("parrot_neuron"), nest.Create("glif_cond"))


@pytest.mark.parametrize("receptor, match", [(-1, "non-negative"), (1.5, "non-negative integers")])
def test_illegal_receptor_values(receptor, match):
    """receptor_type must be a non-negative integer."""
    a, b = populations(1, 1)
    with pytest.raises(nest.BadParameter, match=match):
        nest.Connect(a, b, syn_spec={"receptor_type": receptor})


# --- GetConnections --------------------------------------------------------------------------------

def test_get_connections_filters():
    """GetConnections(source=, target=) selects by source and/or target."""
    a, b = populations()
    nest.Connect(a, b)
    assert sorted(zip(*[nest.GetConnections(source=a[1], target=b[1:]).get(k) for k in ("source", "target")])) \
        == [(2, 6), (2, 7)]
    assert len(nest.GetConnections(source=a[:2])) == 6
    assert set(nest.GetConnections(target=b[0]).get("target")) == {5}
    assert len(nest.GetConnections()) == 12


def test_get_connections_keys_and_attributes():
    """get(key), get([keys]) and attributes give the same lists."""
    a, b = populations(2, 1)
    nest.Connect(a, b, syn_spec={"weight": np.array([[0.5, 1.5]])})
    c = nest.GetConnections()
    assert c.get("weight") == c.weight == [0.5, 1.5]
    assert c.get(["source", "weight"]) == {"source": [1, 2], "weight": [0.5, 1.5]}
    with pytest.raises(AttributeError, match="no property 'colour'"):
        c.colour


def test_get_connections_empty():
    """Without connections GetConnections is empty."""
    populations()
    assert len(nest.GetConnections()) == 0


# --- errors --------------------------------------------------------------------------------------------

def test_one_to_one_size_mismatch():
    """one_to_one needs as many targets as sources."""
    a, b = populations(4, 3)
    with pytest.raises(nest.BadParameter, match="one_to_one needs equal numbers.*4 and 3"):
        nest.Connect(a, b, "one_to_one")


@pytest.mark.parametrize("conn_spec, match", [
    ("no_such_rule", "unknown connection rule 'no_such_rule'"),
    ({"rule": "all_to_all", "colour": 1}, "unknown conn_spec keys"),
    ({"rule": "fixed_indegree"}, "needs 'indegree'"),
    ({"rule": "fixed_indegree", "indegree": -1}, "non-negative integer"),
    ({"rule": "fixed_indegree", "indegree": 5, "allow_multapses": False}, "exceeds"),
    ({"rule": "fixed_outdegree", "outdegree": 4, "allow_multapses": False}, "exceeds"),
    ({"rule": "fixed_total_number", "N": 13, "allow_multapses": False}, "exceeds"),
    ({"rule": "pairwise_bernoulli", "p": 1.5}, "probability"),
    ({"rule": "pairwise_bernoulli"}, "probability"),
    ({"rule": "all_to_all", "allow_autapses": "no"}, "boolean"),
    (42, "conn_spec must be"),
])
def test_conn_spec_errors(conn_spec, match):
    """Illegal conn_specs raise BadParameter naming the problem and connect nothing."""
    a, b = populations(4, 3)
    with pytest.raises(nest.BadParameter, match=match):
        nest.Connect(a, b, conn_spec)
    assert len(nest.GetConnections()) == 0


@pytest.mark.parametrize("syn_spec, match", [
    ({"colour": 1}, "unknown syn_spec keys"),
    ({"synapse_model": "stdp_synapse"}, "unknown synapse_model 'stdp_synapse'"),
    ({"weight": np.nan}, "finite"),
    ([1.0], "syn_spec must be a dict"),
])
def test_syn_spec_errors(syn_spec, match):
    """Illegal syn_specs raise errors naming the problem."""
    a, b = populations(2, 2)
    with pytest.raises((nest.BadParameter, nest.BadProperty), match=match):
        nest.Connect(a, b, syn_spec=syn_spec)


@pytest.mark.parametrize("pre", [1, "parrots", {"nodes": [1]}, 2.0])
def test_connect_needs_node_collections(pre):
    """Connect refuses sources that are neither a NodeCollection nor a list of global ids."""
    _, b = populations(1, 1)
    with pytest.raises(nest.IllegalConnection, match="NodeCollection"):
        nest.Connect(pre, b)


def test_connect_accepts_lists_of_ids_like_pynest():
    """As in PyNEST, lists (and tuples) of existing global ids work as NodeCollections."""
    a, b = populations(2, 2)
    nest.Connect([1, 2], (3,))
    assert sorted(pairs()) == [(1, 3), (2, 3)]
    with pytest.raises(nest.BadParameter, match="Node with id 9 does not exist"):
        nest.Connect([9], b)
    with pytest.raises(nest.BadProperty, match="ascending"):
        nest.Connect([2, 1], b)


def test_connect_with_nodes_of_a_reset_kernel():
    """NodeCollections from before ResetKernel cannot be connected (KernelException, as NEST)."""
    a, b = populations(1, 1)
    nest.ResetKernel()
    c = nest.Create("parrot_neuron", 5)
    with pytest.raises(nest.NESTErrors.KernelException, match="before ResetKernel"):
        nest.Connect(a, c)


@pytest.mark.parametrize("pre_model, post_model", [("parrot_neuron", "spike_generator"),
                                                   ("spike_recorder", "parrot_neuron"),
                                                   ("parrot_neuron", "multimeter")])
def test_illegal_pairs(pre_model, post_model):
    """Stimulators take no input, recorders send nothing, multimeters are connected to what they record."""
    with pytest.raises(nest.IllegalConnection):
        nest.Connect(nest.Create(pre_model), nest.Create(post_model))


def test_csr_rows_sorted_by_target_with_multapses_in_creation_order():
    from types import SimpleNamespace
    from eventsim.connections import Projection

    rng = np.random.default_rng(5)
    n_src, n_tgt, n = 70_000, 90_000, 5000       # above 2**16 nodes: the two-digit radix sort
    proj = Projection(SimpleNamespace(n=n_src), SimpleNamespace(n=n_tgt))
    src = rng.integers(0, n_src, n)
    src[:300] = 12                                # one long row with repeated targets (multapses)
    tgt = rng.integers(0, n_tgt, n)
    tgt[:300] = rng.integers(0, 5, 300)
    weight = np.arange(n, dtype=float)            # the creation order, to check it is kept
    proj.add(src[:2000], tgt[:2000], weight[:2000], np.ones(2000, np.int64), np.zeros(2000, np.int64))
    proj.add(src[2000:], tgt[2000:], weight[2000:], np.ones(n - 2000, np.int64), np.zeros(n - 2000, np.int64))
    ptr, t, w, d, r = proj.csr()
    order = np.lexsort((tgt, src))               # stable: by source, then target, then creation
    assert np.array_equal(np.diff(ptr), np.bincount(src, minlength=n_src))
    assert np.array_equal(t, tgt[order]) and np.array_equal(w, weight[order])
