"""Connection rules, synapse specifications and connection storage.

``Connect`` turns a rule into arrays of (source, target) global ids, resolves
the synapse specification into per-connection weight, delay (steps) and
receptor arrays, and appends them to a :class:`Projection` per
(source population, target population).  Before a run each projection is
sorted by source into CSR form so that a spike batch is scattered over all its
targets with a few numpy operations.
"""

import numbers

import numpy as np

from .errors import BadDelay, BadParameter, BadProperty, UnknownSynapseType
from .parameters import Parameter
from .timegrid import delay_to_steps, is_on_grid

__all__ = ["RULES", "resolve_rule", "resolve_syn_spec", "syn_array_layout", "ArrayLayout", "Projection"]

RULES = ("all_to_all", "one_to_one", "fixed_indegree", "fixed_outdegree", "pairwise_bernoulli",
         "fixed_total_number")
SYN_KEYS = ("synapse_model", "weight", "delay", "receptor_type")


def _flag(conn_spec, key, default=True):
    v = conn_spec.get(key, default)
    if not isinstance(v, (bool, np.bool_)):
        raise BadParameter(f"conn_spec[{key!r}] must be a boolean, got {v!r}")
    return bool(v)


def _count(conn_spec, key):
    if key not in conn_spec:
        raise BadParameter(f"connection rule {conn_spec['rule']!r} needs {key!r}")
    v = conn_spec[key]
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
        raise BadParameter(f"conn_spec[{key!r}] must be a non-negative integer, got {v!r}")
    return int(v)


def resolve_rule(conn_spec, pre, post, rng):
    """Return (sources, targets) global-id arrays for a connection rule.

    Parameters
    ----------
    conn_spec : None, str or dict
        NEST connection specification; ``None`` means ``all_to_all``.
    pre, post : numpy.ndarray of int64
        Global ids of the source and target nodes.
    rng : numpy.random.Generator
        Generator used by the random rules.
    """
    if conn_spec is None:
        conn_spec = {"rule": "all_to_all"}
    elif isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    elif not isinstance(conn_spec, dict):
        raise BadParameter(f"conn_spec must be a dict or a rule name, got {conn_spec!r}")
    rule = conn_spec.get("rule", "all_to_all")
    if rule not in RULES:
        raise BadParameter(f"unknown connection rule {rule!r}; known rules: {', '.join(RULES)}")
    known = {"rule", "allow_autapses", "allow_multapses", "indegree", "outdegree", "p", "N"}
    unknown = set(conn_spec) - known
    if unknown:
        raise BadParameter(f"unknown conn_spec keys {sorted(unknown)}; known: {sorted(known)}")
    autapses = _flag(conn_spec, "allow_autapses")
    multapses = _flag(conn_spec, "allow_multapses")
    n_pre, n_post = len(pre), len(post)

    if rule == "all_to_all":
        src = np.tile(pre, n_post)
        tgt = np.repeat(post, n_pre)
    elif rule == "one_to_one":
        if n_pre != n_post:
            raise BadParameter(f"one_to_one needs equal numbers of sources and targets, got {n_pre} and {n_post}")
        src, tgt = pre.copy(), post.copy()
    elif rule == "fixed_indegree":
        k = _count(conn_spec, "indegree")
        src = _draw_partners(pre, post, k, autapses, multapses, rng, "indegree")
        tgt = np.repeat(post, k)
    elif rule == "fixed_outdegree":
        k = _count(conn_spec, "outdegree")
        tgt = _draw_partners(post, pre, k, autapses, multapses, rng, "outdegree")
        src = np.repeat(pre, k)
    elif rule == "fixed_total_number":
        total = _count(conn_spec, "N")
        if not multapses and total > n_pre * n_post:
            raise BadParameter(f"fixed_total_number N={total} exceeds the {n_pre * n_post} possible pairs")
        src, tgt = _draw_total(pre, post, total, autapses, multapses, rng)
    else:  # pairwise_bernoulli
        p = conn_spec.get("p")
        if p is None or isinstance(p, bool) or not np.isscalar(p) or not 0.0 <= float(p) <= 1.0:
            raise BadParameter(f"pairwise_bernoulli needs a probability 'p' in [0, 1], got {p!r}")
        if not multapses:
            pass  # a pair is drawn at most once anyway
        mask = rng.random((n_post, n_pre)) < float(p)
        ti, si = np.nonzero(mask)
        src, tgt = pre[si], post[ti]
    if not autapses and rule in ("all_to_all", "one_to_one", "pairwise_bernoulli"):
        keep = src != tgt
        src, tgt = src[keep], tgt[keep]
    return src.astype(np.int64), tgt.astype(np.int64)


def _draw_partners(pool, anchors, k, autapses, multapses, rng, what):
    """For each anchor node draw `k` partners from `pool`; return them concatenated."""
    out = np.empty(len(anchors) * k, dtype=np.int64)
    for j, a in enumerate(anchors):
        cand = pool if autapses else pool[pool != a]
        if len(cand) == 0 and k > 0:
            raise BadParameter(f"{what} {k}: node {a} has no possible partner")
        if multapses:
            out[j * k:(j + 1) * k] = cand[rng.integers(0, len(cand), size=k)]
        else:
            if k > len(cand):
                raise BadParameter(f"{what} {k} exceeds the {len(cand)} possible partners without multapses")
            out[j * k:(j + 1) * k] = rng.choice(cand, size=k, replace=False)
    return out


def _draw_total(pre, post, total, autapses, multapses, rng):
    src = np.empty(0, dtype=np.int64)
    tgt = np.empty(0, dtype=np.int64)
    while len(src) < total:
        need = total - len(src)
        s = pre[rng.integers(0, len(pre), size=need)]
        t = post[rng.integers(0, len(post), size=need)]
        keep = np.ones(need, bool) if autapses else s != t
        src, tgt = np.concatenate([src, s[keep]]), np.concatenate([tgt, t[keep]])
        if not multapses:
            pairs = np.unique(np.stack([src, tgt], axis=1), axis=0)
            src, tgt = pairs[:, 0], pairs[:, 1]
    return src[:total], tgt[:total]


def stable_order(keys, n_keys):
    """The permutation that sorts `keys` (ints in ``0 .. n_keys - 1``) stably, as np.argsort(kind="stable").

    Sorts by 16-bit digits, least significant first, where numpy's stable sort is a radix sort (about
    4x faster than on int64 for half a million connections).
    """
    keys = np.asarray(keys)
    if n_keys <= 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    if n_keys > 1 << 32:
        return np.argsort(keys, kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


class ArrayLayout:
    """How per-connection parameter arrays map onto the connections of one ``Connect`` call (NEST's rules).

    Attributes
    ----------
    rule : str
        Connection rule.
    shape : tuple of int or None
        Shape an array must have: ``(n,)`` for ``one_to_one``, ``(N,)`` for
        ``fixed_total_number``, ``(n_post, n_pre)`` for ``all_to_all``,
        ``(n_post, indegree)`` for ``fixed_indegree`` and ``(n_pre, outdegree)``
        for ``fixed_outdegree``; None where NEST accepts no arrays
        (``pairwise_bernoulli``).
    keep : numpy.ndarray of bool or None
        For the deterministic rules with ``allow_autapses=False``: which entries
        of the flattened array belong to connections that were made.
    """

    def __init__(self, rule, shape, keep=None):
        self.rule, self.shape, self.keep = rule, shape, keep


def syn_array_layout(conn_spec, pre, post):
    """The :class:`ArrayLayout` of `conn_spec` for source and target global-id arrays `pre` and `post`.

    Call after :func:`resolve_rule` has validated `conn_spec`.
    """
    if conn_spec is None:
        conn_spec = {"rule": "all_to_all"}
    elif isinstance(conn_spec, str):
        conn_spec = {"rule": conn_spec}
    rule = conn_spec.get("rule", "all_to_all")
    autapses = bool(conn_spec.get("allow_autapses", True))
    pre, post = np.asarray(pre), np.asarray(post)
    if rule == "one_to_one":
        return ArrayLayout(rule, (len(pre),), None if autapses else pre != post)
    if rule == "all_to_all":
        keep = None if autapses else (np.tile(pre, len(post)) != np.repeat(post, len(pre)))
        return ArrayLayout(rule, (len(post), len(pre)), keep)
    if rule == "fixed_indegree":
        return ArrayLayout(rule, (len(post), int(conn_spec["indegree"])))
    if rule == "fixed_outdegree":
        return ArrayLayout(rule, (len(pre), int(conn_spec["outdegree"])))
    if rule == "fixed_total_number":
        return ArrayLayout(rule, (int(conn_spec["N"]),))
    return ArrayLayout(rule, None)


def _per_connection(name, value, n_conn, layout, draw=None):
    """Broadcast a syn_spec value to one entry per connection (float64).

    `layout` is an :class:`ArrayLayout` (NEST's rules for arrays: 1-D only
    with ``one_to_one`` and ``fixed_total_number``, 2-D with ``all_to_all``,
    ``fixed_indegree`` and ``fixed_outdegree``), or None to accept any array
    with one value per connection.
    """
    if isinstance(value, Parameter) and draw is not None:
        return draw(value, n_conn)
    if isinstance(value, (bool, str, dict, np.bool_)) or value is None:
        raise BadParameter(f"syn_spec[{name!r}] must be a number or an array of numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise BadParameter(f"syn_spec[{name!r}] must be a number or an array of numbers, got {value!r}") from None
    if arr.ndim == 0:
        return np.full(n_conn, float(arr))
    if layout is None:
        if arr.size != n_conn:
            raise BadParameter(f"syn_spec[{name!r}] has {arr.size} values but the rule makes {n_conn} connections")
        return arr.reshape(-1)
    if layout.shape is None:
        raise BadParameter(f"syn_spec[{name!r}]: rule {layout.rule!r} accepts no parameter arrays; one-dimensional "
                           "arrays work with 'one_to_one' and 'fixed_total_number', two-dimensional ones with "
                           "'all_to_all', 'fixed_indegree' and 'fixed_outdegree'")
    if arr.ndim != len(layout.shape):
        if arr.ndim == 1:
            raise BadParameter(f"syn_spec[{name!r}]: one-dimensional parameter arrays can only be used with the "
                               f"rules 'one_to_one' and 'fixed_total_number', not {layout.rule!r}; give an array "
                               f"of shape {layout.shape}")
        raise BadParameter(f"syn_spec[{name!r}]: rule {layout.rule!r} needs an array of shape {layout.shape}, "
                           f"got {arr.ndim} dimensions")
    if arr.shape != layout.shape:
        what = {"all_to_all": " (n_targets, n_sources)", "fixed_indegree": " (n_targets, indegree)",
                "fixed_outdegree": " (n_sources, outdegree)"}.get(layout.rule, "")
        raise BadParameter(f"syn_spec[{name!r}] must have shape {layout.shape}{what} for rule {layout.rule!r}, "
                           f"got {arr.shape}")
    flat = arr.reshape(-1)
    if layout.keep is not None:
        flat = flat[layout.keep]
    if flat.size != n_conn:
        raise BadParameter(f"syn_spec[{name!r}] has {flat.size} values but the rule makes {n_conn} connections")
    return flat


def resolve_syn_spec(syn_spec, n_conn, rule_shape, resolution, synapse_models=None, on_rounding=None, draw=None):
    """Return per-connection (weight, delay_steps, receptor) arrays from a NEST syn_spec.

    Weights are in the unit the target expects (nS for glif_cond, pA for
    currents).  Delays in ms are rounded to the nearest whole step as NEST
    rounds them (half up) and must come to at least one step; if a delay
    is off the grid, `on_rounding` (a callable, optional) is called with a
    message naming it.  `rule_shape` is the
    :class:`ArrayLayout` of the rule (or None to accept flat arrays of
    `n_conn` values).  `synapse_models` maps the known synapse model names to
    their defaults (``weight``, ``delay`` in ms); None means static_synapse
    with weight 1 and delay 1 ms.  A random weight or delay
    (:class:`~eventsim.parameters.Parameter`) is drawn with ``draw(param,
    n_conn)``; random delays are rounded to the grid, as NEST does.

    Raises
    ------
    BadParameter
        Unknown keys or synapse model, arrays of the wrong shape, bad receptor types.
    BadProperty
        Non-finite weights.
    BadDelay
        Delays that are not finite or round to less than one step.
    """
    if syn_spec is None:
        syn_spec = {}
    elif isinstance(syn_spec, str):
        syn_spec = {"synapse_model": syn_spec}
    elif not isinstance(syn_spec, dict):
        raise BadParameter(f"syn_spec must be a dict, got {syn_spec!r}")
    unknown = set(syn_spec) - set(SYN_KEYS)
    if unknown:
        raise BadParameter(f"unknown syn_spec keys {sorted(unknown)}; supported: {', '.join(SYN_KEYS)}")
    model = syn_spec.get("synapse_model", "static_synapse")
    if synapse_models is None:
        synapse_models = {"static_synapse": {"weight": 1.0, "delay": 1.0}}
    if not isinstance(model, str) or model not in synapse_models:
        raise UnknownSynapseType(f"unknown synapse_model {model!r}; available: {', '.join(sorted(synapse_models))}")
    defaults = synapse_models[model]
    weight = _per_connection("weight", syn_spec.get("weight", defaults["weight"]), n_conn, rule_shape, draw)
    if not np.all(np.isfinite(weight)):
        raise BadProperty(f"weights must be finite, got {syn_spec.get('weight')!r}")
    delay_ms = _per_connection("delay", syn_spec.get("delay", defaults["delay"]), n_conn, rule_shape, draw)
    if np.any(~np.isfinite(delay_ms)):
        raise BadDelay(f"delays must be finite, got {syn_spec.get('delay')!r}")
    delay = delay_to_steps(delay_ms, resolution)
    too_short = delay < 1
    if np.any(too_short):
        raise BadDelay(f"delay {float(delay_ms[too_short][0])} ms is below the resolution {resolution} ms once "
                       "rounded to the nearest step")
    off_grid = ~is_on_grid(delay_ms, resolution)
    if np.any(off_grid) and on_rounding is not None and not isinstance(syn_spec.get("delay"), Parameter):
        d = float(delay_ms[off_grid][0])
        on_rounding(f"delay {d} ms is not a multiple of the resolution {resolution} ms; rounded to "
                    f"{int(delay[off_grid][0]) * resolution:g} ms as NEST does")
    rec = syn_spec.get("receptor_type", defaults.get("receptor_type", 0))
    rec_arr = _per_connection("receptor_type", rec, n_conn, rule_shape)
    if np.any(rec_arr != np.round(rec_arr)) or np.any(rec_arr < 0):
        raise BadParameter(f"receptor_type must be non-negative integers, got {rec!r}")
    return weight, delay, rec_arr.astype(np.int64)


#: Creation number of the next connection, across all projections (GetConnections lists a source's
#: connections in creation order).
_next_sequence = [0]


class Projection:
    """All connections of one synapse model from one source population to one target population.

    Attributes
    ----------
    source, target : Population
    synapse_model : str
        Name of the synapse model (``static_synapse`` or a copy of it).
    src, tgt : numpy.ndarray of int64
        Local indices of source and target nodes.
    weight : numpy.ndarray of float64
    delay : numpy.ndarray of int64
        Delays in steps.
    receptor : numpy.ndarray of int64
    version : int
        Incremented whenever connections are removed, so that handles to them can tell they are stale.
    """

    def __init__(self, source, target, synapse_model="static_synapse"):
        self.source = source
        self.target = target
        self.synapse_model = synapse_model
        self.version = 0
        self._parts = []
        self._seq_parts = []
        self._csr = None
        self._extent = None

    def add(self, src, tgt, weight, delay, receptor):
        """Append connections (local indices) and invalidate the sorted form."""
        self._parts.append((src, tgt, weight, delay, receptor))
        start = _next_sequence[0]
        _next_sequence[0] += len(src)
        self._seq_parts.append(np.arange(start, start + len(src), dtype=np.int64))
        self._csr = None

    def _merged(self):
        if len(self._parts) > 1:
            self._parts = [tuple(np.concatenate(x) for x in zip(*self._parts))]
            self._seq_parts = [np.concatenate(self._seq_parts)]
        return self._parts[0]

    @property
    def arrays(self):
        """(src, tgt, weight, delay, receptor) in the order the connections were made."""
        return self._merged()

    @property
    def sequence(self):
        """Creation number of each connection (int64 array, increasing in the order they were made)."""
        self._merged()
        return self._seq_parts[0]

    def update(self, key, index, values):
        """Overwrite ``weight`` or ``delay`` (steps) of the connections at `index` (into :attr:`arrays`)."""
        src, tgt, w, d, r = self._merged()
        column = {"weight": w, "delay": d}[key]
        column[index] = values
        self._csr = None

    def remove(self, index):
        """Delete the connections at `index` (into :attr:`arrays`); handles to this projection become stale."""
        keep = np.ones(len(self), bool)
        keep[index] = False
        arrays, seq = self._merged(), self.sequence
        self._parts = [tuple(a[keep] for a in arrays)]
        self._seq_parts = [seq[keep]]
        self._csr = None
        self.version += 1

    def __len__(self):
        return sum(len(p[0]) for p in self._parts)

    @property
    def min_delay(self):
        """Smallest delay of this projection, in steps."""
        return int(self._merged()[3].min())

    def csr(self):
        """Connections sorted by source, then target: (ptr, tgt, weight, delay, receptor); ptr has n_source + 1
        entries.  The sort is stable, so connections of one source to one target keep the order they were
        made in, and a slice of the targets is a contiguous run of each source's row."""
        if self._csr is None:
            src, tgt, w, d, r = self._merged()
            by_target = stable_order(tgt, self.target.n)
            order = by_target[stable_order(src[by_target], self.source.n)]
            ptr = np.zeros(self.source.n + 1, dtype=np.int64)
            np.cumsum(np.bincount(src, minlength=self.source.n), out=ptr[1:])
            self._csr = (ptr, tgt[order], w[order], d[order], r[order])
            self._extent = None
        return self._csr

    def csr_extent(self):
        """(smallest delay, largest delay, largest receptor) of the connections (steps, steps, port), as ints;
        (0, -1, -1) for none.  Cached with :meth:`csr`."""
        ptr, tgt, w, d, r = self.csr()
        if self._extent is None:
            self._extent = (int(d.min()), int(d.max()), int(r.max())) if len(d) else (0, -1, -1)
        return self._extent

    def fan_out(self, sources):
        """Number of connections of each of the local `sources` (int64 array)."""
        ptr = self.csr()[0]
        return ptr[sources + 1] - ptr[sources]

    def expand(self, sources):
        """Indices (into the CSR arrays) of all connections of local `sources`, and the repeat counts."""
        ptr = self.csr()[0]
        starts, ends = ptr[sources], ptr[sources + 1]
        counts = ends - starts
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64), counts
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        return np.arange(total, dtype=np.int64) + offsets, counts
