"""``TripartiteConnect`` scenarios run unchanged by NEST 3.10 and by eventsim (``import eventsim as nest``).

The draws differ between the simulators (each has its own random streams), so every scenario
returns structural properties that NEST's rule fixes: connection counts per set, which third
nodes each target may be paired with (its pool), that every third-factor pair goes through one
third node (source -> third -> target, the same node for a primary connection's two halves),
synapse properties per set, error classes, and spikes that travel through fixed block pools.
Random pools are checked with enough primary connections per target that every pool member is
drawn (the chance that one is missed is below 1e-8).  ``test_tripartite_connect.py`` runs them
all with NEST once, in a subprocess, and requires eventsim's results to be equal.
"""

import sys
from collections import Counter

import numpy as np

MARKER = "@@JSON@@"
RULE = "third_factor_bernoulli_with_pool"


def _conns(sim, source, target):
    """(sources, targets) global-id lists of the connections from `source` to `target`."""
    c = sim.GetConnections(source, target)
    return [int(s) for s in c.sources()], [int(t) for t in c.targets()]


def _positions(nodes, ids):
    """Positions in the NodeCollection `nodes` of the global ids `ids`."""
    order = [int(g) for g in nodes.tolist()]
    return [order.index(int(g)) for g in ids]


def _structure(sim, pre, post, third):
    """Counts of the three sets, whether they pair up through third nodes, and each target's third partners.

    ``paired``: the primary sources, counted, equal the third_in sources; the primary targets the
    third_out targets (p = 1); each third node has as many inputs from pre as outputs to post.
    """
    ps, pt = _conns(sim, pre, post)
    is_, it = _conns(sim, pre, third)
    os_, ot = _conns(sim, third, post)
    partners = {}
    for s, t in zip(os_, ot):
        partners.setdefault(_positions(post, [t])[0], set()).add(_positions(third, [s])[0])
    return {"counts": [len(ps), len(is_), len(os_)],
            "sources_match": Counter(ps) == Counter(is_),
            "targets_match": Counter(pt) == Counter(ot),
            "third_balanced": Counter(it) == Counter(os_),
            "partners": {str(k): sorted(v) for k, v in sorted(partners.items())}}


def scenario_default_pool(sim):
    """p = 1 and the default pool (all of third): every primary connection gets a pair through some third node."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 40), sim.Create("parrot_neuron", 3), sim.Create("parrot_neuron", 4)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE})
    out = _structure(sim, pre, post, third)
    out["num_connections"] = sim.num_connections
    return out


def scenario_random_pools(sim):
    """pool_type random, pool_size 2 of 7: each target's partners are 2 nodes of third."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 40), sim.Create("parrot_neuron", 5), sim.Create("parrot_neuron", 7)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"},
                          {"rule": RULE, "pool_type": "random", "pool_size": 2})
    out = _structure(sim, pre, post, third)
    out["pool_sizes"] = [len(v) for v in out.pop("partners").values()]
    return out


def scenario_random_pool_of_one(sim):
    """pool_size 1: every target is paired with one third node only, for all of its primary connections."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 6), sim.Create("parrot_neuron", 4), sim.Create("parrot_neuron", 3)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE, "pool_size": 1})
    out = _structure(sim, pre, post, third)
    out["pool_sizes"] = [len(v) for v in out.pop("partners").values()]
    return out


def scenario_block_pools_wide(sim):
    """pool_type block, pool_size 3: target i is paired with third[3i:3i+3]."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 40), sim.Create("parrot_neuron", 3), sim.Create("parrot_neuron", 9)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"},
                          {"rule": RULE, "pool_type": "block", "pool_size": 3})
    return _structure(sim, pre, post, third)


def scenario_block_pools_shared(sim):
    """pool_type block, pool_size 1, 6 targets and 2 third nodes: targets 0-2 share third[0], 3-5 third[1]."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 3), sim.Create("parrot_neuron", 6), sim.Create("parrot_neuron", 2)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"},
                          {"rule": RULE, "pool_type": "block", "pool_size": 1})
    return _structure(sim, pre, post, third)


def scenario_block_pools_of_parts(sim):
    """Block pools over parts of populations from several Create calls: positions follow the NodeCollections."""
    sim.ResetKernel()
    a, b = sim.Create("parrot_neuron", 5), sim.Create("glif_psc", 4)
    c, d = sim.Create("parrot_neuron", 6), sim.Create("parrot_neuron", 3)
    pre = a[1:4] + b
    post = c[5] + a[0] + c[0]
    third = c[1:4] + d
    sim.TripartiteConnect(pre, post, third, {"rule": "fixed_indegree", "indegree": 20},
                          {"rule": RULE, "pool_type": "block", "pool_size": 2})
    return _structure(sim, pre, post, third)


def scenario_primary_rules(sim):
    """Every primary rule, p = 1: as many third-factor pairs as primary connections."""
    out = {}
    for spec in ({"rule": "one_to_one"}, {"rule": "all_to_all", "allow_autapses": False},
                 {"rule": "fixed_indegree", "indegree": 3}, {"rule": "fixed_outdegree", "outdegree": 2},
                 {"rule": "fixed_total_number", "N": 17}, {"rule": "pairwise_bernoulli", "p": 1.0},
                 {"rule": "one_to_one", "make_symmetric": False}):
        sim.ResetKernel()
        n = sim.Create("parrot_neuron", 6)
        third = sim.Create("parrot_neuron", 5)
        sim.TripartiteConnect(n, n, third, spec, {"rule": RULE, "p": 1})
        counts = [len(sim.GetConnections(n, n)), len(sim.GetConnections(n, third)), len(sim.GetConnections(third, n))]
        out[repr(sorted(spec.items()))] = counts
    return out


def scenario_probability(sim):
    """p = 0 makes no third-factor pair; p = 0.3 about 30 % of 4000 (within 6 standard deviations)."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 80), sim.Create("parrot_neuron", 50), sim.Create("parrot_neuron", 5)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE, "p": 0.0})
    out = {"p0": [len(sim.GetConnections(pre, post)), len(sim.GetConnections(pre, third)),
                  len(sim.GetConnections(third, post))]}
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 80), sim.Create("parrot_neuron", 50), sim.Create("parrot_neuron", 5)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE, "p": 0.3})
    n_in, n_out = len(sim.GetConnections(pre, third)), len(sim.GetConnections(third, post))
    sd = (4000 * 0.3 * 0.7) ** 0.5
    out["p03"] = [n_in == n_out, abs(n_in - 1200) < 6 * sd]
    return out


def scenario_syn_specs(sim):
    """Synapse specifications of the three sets: numbers, model names, a copied model, random weights."""
    sim.ResetKernel()
    sim.CopyModel("static_synapse", "third_syn", {"weight": 4.5, "delay": 2.5})
    pre, post, third = sim.Create("parrot_neuron", 3), sim.Create("glif_psc", 2, params={"tau_syn": [2.0, 1.0]}), sim.Create("parrot_neuron", 2)
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"}, {"rule": RULE},
                          {"primary": {"weight": 2.5, "delay": 1.5, "receptor_type": 1},
                           "third_in": "third_syn",
                           "third_out": {"synapse_model": "static_synapse", "receptor_type": 2,
                                         "weight": sim.random.uniform(0.5, 1.5)}})
    out = {}
    for name, (s, t) in {"primary": (pre, post), "third_in": (pre, third), "third_out": (third, post)}.items():
        c = sim.GetConnections(s, t)
        weights = [float(w) for w in np.atleast_1d(c.get("weight"))]
        out[name] = {"n": len(c), "models": sorted(set(np.atleast_1d(c.get("synapse_model")).tolist())),
                     "delays": sorted(set(float(d) for d in np.atleast_1d(c.get("delay")))),
                     "receptors": sorted(set(int(r) for r in np.atleast_1d(c.get("receptor")))),
                     "distinct_weights": len(set(weights)), "weights": [min(weights) >= 0.5, max(weights) <= 1.5]
                     if name == "third_out" else sorted(set(weights))}
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 2), sim.Create("parrot_neuron", 2), sim.Create("parrot_neuron", 2)
    sim.TripartiteConnect(pre, post, third, {"rule": "one_to_one"}, {"rule": RULE})
    out["defaults"] = sorted(set((float(w), float(d)) for w, d in zip(*sim.GetConnections().get(["weight", "delay"])
                                                                         .values())))
    return out


def _error(fn, words):
    """None if `fn()` succeeds, else its exception's class name and whether its message names `words`."""
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the class and message are the result
        return [type(err).__name__, words.lower() in str(err).lower()]
    return None


def scenario_errors(sim):
    """Bad arguments: NEST's error classes, messages naming the problem; nothing is connected."""
    sim.ResetKernel()
    pre, post, third = sim.Create("parrot_neuron", 4), sim.Create("parrot_neuron", 2), sim.Create("parrot_neuron", 8)
    prim = {"rule": "pairwise_bernoulli", "p": 1.0}

    def connect(conn_spec=prim, third_spec=None, syn_specs=None, nodes=(pre, post, third)):
        return lambda: sim.TripartiteConnect(*nodes, conn_spec, third_spec or {"rule": RULE}, syn_specs)

    cases = {  # name: (call, words its message contains)
        "third_rule_one_to_one": (connect(third_spec={"rule": "one_to_one"}),
                                  "Unknown third-factor connection rule 'one_to_one'"),
        "third_rule_missing": (connect(third_spec={"p": 1.0}),
                               "The third-factor connection specification must contain a connection rule."),
        "primary_rule_missing": (connect(conn_spec={"p": 1.0}),
                                 "The connection specification must contain a connection rule."),
        "primary_third_rule": (connect(conn_spec={"rule": RULE}), f"connection rule '{RULE}'"),
        "make_symmetric": (connect(conn_spec={"rule": "one_to_one", "make_symmetric": True}, nodes=(pre, pre, third)),
                           "Third-factor connectivity cannot be used with 'make_symmetric == True'."),
        "pool_type": (connect(third_spec={"rule": RULE, "pool_type": "blocks"}),
                      "pool_type must be 'random' or 'block'"),
        "pool_size_0": (connect(third_spec={"rule": RULE, "pool_size": 0}), "pool_size"),
        "pool_size_9": (connect(third_spec={"rule": RULE, "pool_size": 9}), "size of third-factor population"),
        "pool_size_float": (connect(third_spec={"rule": RULE, "pool_size": 2.0}), "pool_size"),
        "p_above_1": (connect(third_spec={"rule": RULE, "p": 1.5}),
                      "Conditional probability of third-factor connection"),
        "p_negative": (connect(third_spec={"rule": RULE, "p": -0.1}), "probability"),
        "block_misfit": (connect(third_spec={"rule": RULE, "pool_type": "block", "pool_size": 3}), "do not fit"),
        "block_one_misfit": (connect(third_spec={"rule": RULE, "pool_type": "block", "pool_size": 1},
                                     nodes=(pre, post, third[:3])), "multiple"),
        "weight_list": (connect(syn_specs={"primary": {"weight": [1.0] * 8}}),
                        "do not accept parameter lists"),
        "delay_array": (connect(syn_specs={"third_out": {"delay": np.ones(8)}}), "'syn_specs[third_out][delay]'"),
        "unknown_synapse_model": (connect(syn_specs={"third_in": {"synapse_model": "no_such_synapse"}}),
                                  "no_such_synapse"),
        "third_not_nodes": (connect(nodes=(pre, post, [7, 8])), "Third-factor nodes must be a NodeCollection"),
        "pre_not_nodes": (connect(nodes=([1, 2], post, third)), "Presynaptic nodes must be a NodeCollection"),
    }
    out = {name: _error(fn, words) for name, (fn, words) in cases.items()}
    out["num_connections"] = sim.num_connections
    return out


def scenario_spikes_through_block_pools(sim):
    """Spikes travel along all three sets: each post parrot repeats its primary inputs and its third node's."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 4.0, 9.5]})
    pre, post, third = sim.Create("parrot_neuron", 2), sim.Create("parrot_neuron", 4), sim.Create("parrot_neuron", 2)
    sr = sim.Create("spike_recorder")
    sim.Connect(sg, pre[0])
    sim.TripartiteConnect(pre, post, third, {"rule": "all_to_all"},
                          {"rule": RULE, "pool_type": "block", "pool_size": 1},
                          {"primary": {"delay": 2.0}, "third_in": {"delay": 1.0}, "third_out": {"delay": 3.0}})
    sim.Connect(post + third, sr)
    sim.Simulate(10.0)
    sim.Simulate(12.0)
    ev = sr.get("events")
    return sorted(zip([int(s) for s in ev["senders"]], [float(t) for t in ev["times"]]))


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
