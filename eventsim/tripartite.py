"""PyNEST's ``TripartiteConnect``: primary connections plus connections through third-factor nodes.

The primary connections (``pre`` -> ``post``) follow an ordinary connection rule.  For each of
them, the third-factor rule ``third_factor_bernoulli_with_pool`` decides with probability ``p``
to add a pair of connections through one node of ``third``: primary source -> third node
(``third_in``) and third node -> primary target (``third_out``).  The third node is drawn
uniformly from the target's *pool* of ``pool_size`` nodes of ``third``:

- ``pool_type="random"`` (default): each target's pool is a random subset of ``third``, drawn
  once per ``TripartiteConnect`` call when the target receives its first third-factor pair;
  the default ``pool_size`` (all of ``third``) makes every node of ``third`` eligible;
- ``pool_type="block"``: the target at position ``i`` of ``post`` has the consecutive block
  ``third[i * pool_size:(i + 1) * pool_size]``, which needs ``len(post) * pool_size ==
  len(third)``; with ``pool_size=1`` the targets may instead share third nodes in equal runs,
  ``third[i // (len(post) // len(third))]``, which needs ``len(post)`` to be a multiple of
  ``len(third)``.

These are NEST 3.10's semantics; the draws come from eventsim's seeded connection stream, so
the individual connections differ from NEST's while their structure (pools, counts, synapse
properties) is the same.
"""

import numbers

import numpy as np

from .api import get_kernel
from .connections import RULES, resolve_rule
from .errors import BadParameter, BadProperty, IllegalConnection, TypeMismatch
from .nodecollection import NodeCollection

__all__ = ["TripartiteConnect", "THIRD_FACTOR_RULES", "SYN_SPEC_KEYS"]

#: Third-factor connection rules.
THIRD_FACTOR_RULES = ("third_factor_bernoulli_with_pool",)
#: The three connection sets whose synapse specifications ``syn_specs`` may give.
SYN_SPEC_KEYS = ("primary", "third_in", "third_out")
_THIRD_SPEC_KEYS = ("rule", "p", "pool_type", "pool_size")
_POOL_TYPES = ("random", "block")
#: Largest number of random numbers drawn at once when choosing random pools (memory bound).
_POOL_DRAW_CHUNK = 1 << 20


def TripartiteConnect(pre, post, third, conn_spec, third_factor_conn_spec, syn_specs=None):
    """Connect `pre` to `post` and, for some of these connections, both through a node of `third`.

    Parameters
    ----------
    pre, post, third : NodeCollection
        Sources, targets and third-factor nodes (none may be empty).
    conn_spec : dict
        Rule of the primary connections ``pre -> post``, as for :func:`eventsim.Connect` (``rule``
        required; ``make_symmetric=True`` is refused, as in NEST).
    third_factor_conn_spec : dict
        ``{"rule": "third_factor_bernoulli_with_pool", "p": ..., "pool_type": ..., "pool_size": ...}``:
        ``p`` (default 1.0) is the probability that a primary connection gets a third-factor pair;
        ``pool_type`` ``"random"`` (default) or ``"block"``; ``pool_size`` (default ``len(third)``)
        the number of third nodes each target may be paired with.  See the module's description.
    syn_specs : dict, optional
        ``{"primary": ..., "third_in": ..., "third_out": ...}``, each a synapse specification as for
        :func:`eventsim.Connect` (weight in the target's unit, delay in ms, receptor_type,
        synapse_model) or a synapse model name; missing ones are ``static_synapse`` with its
        defaults.  Values must be scalars or random parameters (``nest.random``), not lists or
        arrays, as in NEST.

    Raises
    ------
    TypeError
        `pre`, `post` or `third` is not a NodeCollection, or a specification is not a dict.
    IllegalConnection
        An empty NodeCollection, or an unknown rule.
    BadProperty, TypeMismatch
        A missing rule, ``make_symmetric=True``, or a ``p``, ``pool_type`` or ``pool_size`` NEST
        refuses (including block pools that do not fit the sizes of `post` and `third`).
    BadParameter
        A key of `third_factor_conn_spec` or `syn_specs` that is not listed above.
    ValueError
        A list or array in a synapse specification.

    Nothing is connected unless all three connection sets can be made.
    """
    for name, nodes in (("Presynaptic", pre), ("Postsynaptic", post), ("Third-factor", third)):
        if not isinstance(nodes, NodeCollection):
            raise TypeError(f"TripartiteConnect: {name.lower()} nodes must be a NodeCollection, "
                            f"got {type(nodes).__name__}")
    specs = _normalised_syn_specs(syn_specs)
    kernel = get_kernel()
    kernel.check_idle("TripartiteConnect")
    pre_g = kernel.node_ids(pre, "pre", "TripartiteConnect")
    post_g = kernel.node_ids(post, "post", "TripartiteConnect")
    third_g = kernel.node_ids(third, "third", "TripartiteConnect")
    for name, ids in (("Presynaptic", pre_g), ("Postsynaptic", post_g), ("Third-factor", third_g)):
        if len(ids) == 0:
            raise IllegalConnection(f"TripartiteConnect: {name} nodes cannot be an empty NodeCollection")
    primary_spec = _primary_conn_spec(conn_spec)
    p, pool_type, pool_size = _third_factor_settings(third_factor_conn_spec, len(post_g), len(third_g))

    rng = kernel.connections_rng
    src, tgt = resolve_rule(primary_spec, pre_g, post_g, rng)
    chosen = np.flatnonzero(rng.random(len(src)) < p) if p < 1.0 else np.arange(len(src))
    if pool_type == "block":
        third_nodes = _block_pool_draw(tgt[chosen], post_g, third_g, pool_size, rng)
    else:
        third_nodes = _random_pool_draw(tgt[chosen], third_g, pool_size, rng)
    kernel.connect_pairs([(src, tgt, specs["primary"], None),
                          (src[chosen], third_nodes, specs["third_in"], None),
                          (third_nodes, tgt[chosen], specs["third_out"], None)])


def _normalised_syn_specs(syn_specs):
    """``{"primary", "third_in", "third_out"}`` -> syn_spec dict, with the defaults filled in."""
    if syn_specs is None:
        syn_specs = {}
    if not isinstance(syn_specs, dict):
        raise TypeError(f"TripartiteConnect: syn_specs must be a dict with keys among {', '.join(SYN_SPEC_KEYS)}, "
                        f"got {syn_specs!r}")
    unknown = sorted(set(syn_specs) - set(SYN_SPEC_KEYS))
    if unknown:
        raise BadParameter(f"TripartiteConnect: unknown syn_specs keys {unknown}; known: {', '.join(SYN_SPEC_KEYS)}")
    specs = {}
    for key in SYN_SPEC_KEYS:
        spec = syn_specs.get(key, {"synapse_model": "static_synapse"})
        if isinstance(spec, str):
            spec = {"synapse_model": spec}
        if not isinstance(spec, dict):
            raise BadParameter(f"TripartiteConnect: syn_specs[{key!r}] must be a dict or a synapse model name, "
                               f"got {spec!r}")
        for entry, value in spec.items():
            if isinstance(value, (list, tuple, np.ndarray)):
                raise ValueError(f"Tripartite connections do not accept parameter lists, but "
                                 f"'syn_specs[{key}][{entry}]' is a list or similar")
        specs[key] = spec
    return specs


def _primary_conn_spec(conn_spec):
    """The primary `conn_spec` checked as NEST checks it, without ``make_symmetric``."""
    if not isinstance(conn_spec, dict):
        raise TypeError(f"TripartiteConnect: conn_spec must be a dict, got {conn_spec!r}")
    if "rule" not in conn_spec:
        raise BadProperty("The connection specification must contain a connection rule.")
    if conn_spec["rule"] not in RULES:
        raise IllegalConnection(f"TripartiteConnect: unknown connection rule {conn_spec['rule']!r} for the primary "
                                f"connections; known rules: {', '.join(RULES)}")
    if conn_spec.get("make_symmetric", False):
        raise BadProperty("Third-factor connectivity cannot be used with 'make_symmetric == True'.")
    return {key: value for key, value in conn_spec.items() if key != "make_symmetric"}


def _third_factor_settings(spec, n_post, n_third):
    """``(p, pool_type, pool_size)`` of a third-factor conn_spec, checked as NEST checks them."""
    if not isinstance(spec, dict):
        raise TypeError(f"TripartiteConnect: third_factor_conn_spec must be a dict, got {spec!r}")
    if "rule" not in spec:
        raise BadProperty("The third-factor connection specification must contain a connection rule.")
    if spec["rule"] not in THIRD_FACTOR_RULES:
        raise IllegalConnection(f"Unknown third-factor connection rule {spec['rule']!r}; known: "
                                f"{', '.join(THIRD_FACTOR_RULES)}")
    unknown = sorted(set(spec) - set(_THIRD_SPEC_KEYS))
    if unknown:
        # NEST ignores them (allow_autapses and allow_multapses included); eventsim names them
        raise BadParameter(f"TripartiteConnect: third_factor_conn_spec keys {unknown} are not used by "
                           f"{spec['rule']!r}; its keys: {', '.join(_THIRD_SPEC_KEYS)}")
    pool_size = spec.get("pool_size", n_third)
    if isinstance(pool_size, (bool, np.bool_)) or not isinstance(pool_size, numbers.Integral):
        raise TypeMismatch(f"pool_size must be an integer, got {pool_size!r}")
    if not 1 <= pool_size <= n_third:
        raise BadProperty(f"Pool size 1 <= pool_size <= size of third-factor population ({n_third}) required, "
                          f"got {pool_size}")
    pool_type = spec.get("pool_type", "random")
    if pool_type not in _POOL_TYPES:
        raise BadProperty(f"pool_type must be 'random' or 'block', got {pool_type!r}")
    p = spec.get("p", 1.0)
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise TypeMismatch(f"p must be a number, got {p!r}")
    if not 0.0 <= p <= 1.0:
        raise BadProperty(f"Conditional probability of third-factor connection 0 <= p <= 1 required, got {p}")
    if pool_type == "block" and not (n_post * pool_size == n_third or (pool_size == 1 and n_post % n_third == 0)):
        raise BadProperty(f"block pools of size {pool_size} do not fit {n_post} targets and {n_third} third-factor "
                          "nodes: with pool_size 1 the number of targets must be a multiple of the number of "
                          "third-factor nodes, otherwise targets * pool_size == third-factor nodes is required; "
                          "for other sizes use pool_type 'random'")
    return float(p), pool_type, int(pool_size)


def _block_pool_draw(targets, post, third, pool_size, rng):
    """Third node (global id) for each primary target in `targets`, from its block pool."""
    order = np.argsort(post, kind="stable")
    position = order[np.searchsorted(post[order], targets)]   # first position in `post` of each target
    if pool_size == 1:
        return third[position // (len(post) // len(third))]
    return third[position * pool_size + rng.integers(0, pool_size, size=len(targets))]


def _random_pool_draw(targets, third, pool_size, rng):
    """Third node (global id) for each primary target in `targets`, from a random pool drawn per target."""
    if pool_size == len(third):      # every target's pool is all of `third`
        return third[rng.integers(0, len(third), size=len(targets))]
    distinct, which = np.unique(targets, return_inverse=True)
    pools = np.empty((len(distinct), pool_size), dtype=np.int64)
    rows = max(1, _POOL_DRAW_CHUNK // len(third))
    for start in range(0, len(distinct), rows):
        keys = rng.random((min(rows, len(distinct) - start), len(third)))
        pools[start:start + rows] = np.argpartition(keys, pool_size - 1, axis=1)[:, :pool_size]
    return third[pools[which, rng.integers(0, pool_size, size=len(targets))]]
