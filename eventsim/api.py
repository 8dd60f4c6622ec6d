"""PyNEST-style module-level functions acting on the default kernel.

Each function is one call into the current :class:`~eventsim.kernel.Kernel`;
``ResetKernel`` replaces that kernel with a fresh one.
"""

import numpy as np

from . import kernel_properties
from . import synapse_defaults
from .errors import BadParameter, InexistentConnection, KernelException, NewModelNameExists
from .json_output import to_json
from .kernel import _per_node_params
from .synapsecollection import SynapseCollection
from .thread_kernels import PerThreadKernel
from .nodecollection import NodeCollection

__all__ = ["ResetKernel", "Create", "Connect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "get_kernel", "NodeCollection", "kernel_get", "kernel_set",
           "CopyModel", "Disconnect", "GetNodes", "PrintNodes", "Prepare", "Run", "Cleanup", "RunManager", "Rank",
           "NumProcesses"]

_kernels = PerThreadKernel()


def get_kernel():
    """The kernel the module-level functions act on: the calling thread's (see :mod:`eventsim.thread_kernels`)."""
    return _kernels.current



def ResetKernel():
    """Discard all nodes, connections and recordings; time returns to 0 and parameters to their defaults."""
    _kernels.reset()


def Create(model, n=1, params=None, positions=None):
    """Create `n` nodes of `model`.

    Parameters
    ----------
    model : str
        Model name, e.g. ``"glif_cond"``, ``"spike_generator"``, ``"multimeter"``.
    n : int
        Number of nodes.
    params : dict or list of dict, optional
        Parameters in NEST units (ms, mV, pF, nS, pA, Hz): a dict of scalars
        (same value for all nodes), a dict whose values are lists with one
        entry per node, or a list of `n` dicts.

    Returns
    -------
    NodeCollection
        The new nodes; global ids continue from the last ``Create`` call.

    Raises
    ------
    UnknownModelName, BadProperty, BadParameter
    """
    if _is_recorder(model) and isinstance(n, int) and not isinstance(n, bool) and n > 1:
        # a recorder is a population of one node: make `n` independent ones, as NEST's n recorders
        per_node = _per_node_params(params, n, model, get_kernel().model_class(model).array_parameters,
                                    get_kernel().draw_parameter)
        return sum((get_kernel().create(model, 1, p, positions) for p in per_node), NodeCollection(get_kernel(), []))
    return get_kernel().create(model, n, params, positions)


def _is_recorder(model):
    """True if `model` names a recording device (a population of exactly one node)."""
    try:
        return get_kernel().model_class(model).element_type == "recorder"
    except Exception:  # noqa: BLE001 - Create reports unknown models itself
        return False


def Connect(pre, post, conn_spec=None, syn_spec=None):
    """Connect nodes.

    Parameters
    ----------
    pre, post : NodeCollection
        Sources and targets.
    conn_spec : str or dict, optional
        Rule: ``"all_to_all"`` (default), ``"one_to_one"``,
        ``{"rule": "fixed_indegree", "indegree": k}``,
        ``{"rule": "fixed_outdegree", "outdegree": k}``,
        ``{"rule": "pairwise_bernoulli", "p": p}``,
        ``{"rule": "fixed_total_number", "N": n}``; flags ``allow_autapses``
        and ``allow_multapses`` (both default True).
    syn_spec : dict, optional
        ``weight`` (nS for conductance receptors, pA for currents; default 1),
        ``delay`` (ms, default 1.0; rounded to the nearest step, halves up,
        as NEST, and at least one step) and ``receptor_type`` (default 0).
        Each is a scalar or, as in NEST, an array: 1-D with one value per
        connection for ``one_to_one`` and ``fixed_total_number``, 2-D of shape
        (n_targets, n_sources) for ``all_to_all``, (n_targets, indegree) for
        ``fixed_indegree`` and (n_sources, outdegree) for ``fixed_outdegree``.

    Raises
    ------
    IllegalConnection, BadParameter, BadProperty, BadDelay, UnknownReceptorType, IncompatibleReceptorType

    As in PyNEST, `pre` and `post` may also be lists (or tuples or 1-D
    arrays) of global ids.  With the rule ``one_to_one`` they are connected
    pair by pair in the order given (unsorted and repeated ids allowed, equal
    lengths required).  With any other rule a list must hold unique ids in
    ascending order (it becomes a NodeCollection); a list with repeated ids
    is an error there.
    """
    rule = conn_spec.get("rule", "all_to_all") if isinstance(conn_spec, dict) else conn_spec
    one_to_one = rule == "one_to_one"
    as_arrays = False
    if not isinstance(pre, NodeCollection):
        if not one_to_one and _unique(pre):
            pre = _as_nodes(pre, "pre")
        else:
            as_arrays = True
    if not isinstance(post, NodeCollection):
        if not one_to_one and _unique(post):
            post = _as_nodes(post, "post")
        else:
            as_arrays = True
    if as_arrays:
        pre, post = _id_arrays(pre, post, one_to_one)
    get_kernel().connect(pre, post, conn_spec, syn_spec)


def _unique(ids):
    """True if the ids in `ids` (any iterable that is not a NodeCollection) are unique; False if not iterable."""
    if isinstance(ids, (str, bytes, dict)):
        return True
    try:
        values = list(ids)
        return len(values) == len({int(v) if isinstance(v, (int, np.integer)) else v for v in values})
    except TypeError:
        return True  # not a list: let _as_nodes name the problem


def _id_arrays(pre, post, one_to_one):
    """Sources and targets of PyNEST's connect-arrays mode: id lists connected pair by pair (``one_to_one``)."""
    if len(pre) != len(post):
        raise BadParameter("if 'pre' or 'post' contain non-unique IDs, then they must have the same length "
                           f"(got {len(pre)} and {len(post)})")
    out = []
    for name, ids in (("pre", pre), ("post", post)):
        if isinstance(ids, NodeCollection):
            ids.check_valid()
            out.append(np.asarray(ids.tolist(), dtype=np.int64))
            continue
        arr = np.asarray(ids)
        if arr.size and arr.dtype.kind not in "iu":
            raise TypeError(f"Connect: '{name}' node IDs must be integers, got {ids!r}")
        if arr.ndim != 1:
            raise BadParameter(f"Connect: '{name}' must be one-dimensional, got shape {arr.shape}")
        out.append(arr.astype(np.int64))
    if not one_to_one:
        raise BadParameter("when connecting two arrays with non-unique IDs, conn_spec must be 'one_to_one'")
    for arr in out:
        list(get_kernel().split_by_population(arr))  # raises UnknownNode for ids that name no node
    return NodeCollection(get_kernel(), out[0]), NodeCollection(get_kernel(), out[1])


def _as_nodes(nodes, name):
    """`nodes` as a NodeCollection of the default kernel (lists of global ids are converted)."""
    if isinstance(nodes, (list, tuple, np.ndarray)) and not isinstance(nodes, NodeCollection):
        from .errors import IllegalConnection
        arr = np.asarray(nodes)
        if arr.size and (arr.ndim != 1 or arr.dtype.kind not in "iu"):
            raise IllegalConnection(f"Connect: {name} must be a NodeCollection or a list of global ids, "
                                    f"got {nodes!r}")
        return NodeCollection(arr.tolist())
    return nodes


def Simulate(t):
    """Simulate for `t` ms (a multiple of the resolution); repeated calls continue where the last stopped."""
    if get_kernel().prepared:
        raise KernelException("Simulate called between Prepare and Cleanup: use Run, or call Cleanup first")
    get_kernel().simulate(t)


def GetDefaults(model, keys=None, output=""):
    """Default parameters of `model` (a node or synapse model): a dict, the value of one key, or a list of
    values for a list of keys; ``output="json"`` gives it as a JSON string."""
    if output not in ("", None, "json"):
        raise BadParameter(f"GetDefaults: output={output!r} is not supported; use output='' or 'json'")
    result = _get_defaults(model, keys)
    return to_json(result) if output == "json" else result


def _get_defaults(model, keys):
    if isinstance(keys, (set, frozenset)):
        keys = sorted(keys)
    if keys is not None and not isinstance(keys, (str, list, tuple)):
        raise KeyError(f"GetDefaults: keys must be a name or a list of names, got {keys!r}")
    if synapse_defaults.is_synapse_model(get_kernel(), model):
        status = synapse_defaults.get_defaults(get_kernel(), model)
        if keys is None:
            return status
        missing = [k for k in ([keys] if isinstance(keys, str) else keys) if k not in status]
        if missing:
            raise KeyError(f"{model} has no default {missing[0]!r}; it has {', '.join(sorted(status))}")
        return status[keys] if isinstance(keys, str) else [status[k] for k in keys]
    if isinstance(keys, (list, tuple)):
        values = get_kernel().get_defaults(model, list(keys))
        return [values[k] for k in keys]
    return get_kernel().get_defaults(model, keys)


def SetDefaults(model, params, val=None):
    """Set defaults of `model` for nodes (or, for a synapse model, connections) created afterwards.

    Synapse models take ``weight``, ``delay`` (ms, rounded to the nearest step) and ``receptor_type``.
    """
    if isinstance(params, str):
        params = {params: val}
    if synapse_defaults.is_synapse_model(get_kernel(), model):
        synapse_defaults.set_defaults(get_kernel(), model, params)
    else:
        get_kernel().set_defaults(model, params)


def CopyModel(existing, new, params=None):
    """Make model `new` a copy of `existing` (neuron, device or synapse model) with its current defaults,
    updated by `params`; `new` is usable wherever a model name is (``Create``, syn_spec ``synapse_model``).

    Raises
    ------
    NewModelNameExists
        `new` names a model already.
    UnknownModelName
        `existing` names no model.
    """
    if not isinstance(new, str) or not new:
        raise BadParameter(f"CopyModel: the new model name must be a non-empty string, got {new!r}")
    if new in get_kernel().synapse_models or new in get_kernel().copied_models or new in _builtin_models():
        raise NewModelNameExists(f"model {new} is the name of an existing model and cannot be re-used")
    if synapse_defaults.is_synapse_model(get_kernel(), existing):
        synapse_defaults.copy(get_kernel(), existing, new, params)
    else:
        get_kernel().copy_model(existing, new, params)


def _builtin_models():
    from .registry import node_models
    return node_models()


def GetConnections(source=None, target=None, synapse_model=None, synapse_label=None):
    """Connections from `source` and/or to `target` (NodeCollections) of `synapse_model` (a name), as a
    :class:`~eventsim.synapsecollection.SynapseCollection` (source, target, weight, delay in ms, receptor,
    synapse_model).

    Raises
    ------
    TypeError
        `source` or `target` is not a NodeCollection (as NEST).
    UnknownSynapseType
        `synapse_model` names no synapse model.
    """
    ids = {}
    for name, nodes in (("source", source), ("target", target)):
        if nodes is None:
            continue
        if not isinstance(nodes, NodeCollection):
            raise TypeError(f"{name} must be NodeCollection, got {type(nodes).__name__}")
        nodes.check_valid()
        ids[name] = np.asarray(nodes.tolist(), dtype=np.int64)
    if synapse_label is not None:
        raise BadParameter("synapse_label is not supported: eventsim has no labelled synapses")
    return get_kernel().get_connections(ids.get("source"), ids.get("target"), synapse_model)


def GetKernelStatus(keys=None):
    """Kernel properties (see :mod:`eventsim.kernel_properties`; times in ms).

    No key: a dict of all; a key: its value; a list or a tuple of keys: a
    tuple of values (as NEST).  An unknown key raises KeyError.
    """
    return kernel_properties.get_status(get_kernel(), tuple(keys) if isinstance(keys, list) else keys)


def SetKernelStatus(params):
    """Set kernel properties from a dict (``resolution`` in ms, ``rng_seed``, ``local_num_threads``,
    ``print_time``, ...); unknown and read-only keys raise BadProperty (a ValueError, as in NEST)."""
    kernel_properties.set_status(get_kernel(), params)


def kernel_get(*keys):
    """``nest.get()``: all kernel properties (dict), one value for one key, a tuple for several or a list."""
    if not keys:
        return GetKernelStatus()
    if len(keys) == 1:
        return GetKernelStatus(keys[0])
    return GetKernelStatus(keys)


def kernel_set(params=None, **kwargs):
    """``nest.set(resolution=0.05, ...)``: set kernel properties from keyword arguments (or one dict)."""
    SetKernelStatus({**(params or {}), **kwargs})


def GetStatus(nodes, keys=None):
    """Status of each node of `nodes`: a tuple of dicts, of values for one key, or of tuples for a list of keys.

    For connections (a SynapseCollection): a tuple of dicts, one per connection, or a list of the values of
    one key, as PyNEST.
    """
    if isinstance(nodes, SynapseCollection):
        if isinstance(keys, str):
            return list(np.atleast_1d(nodes.get(keys)).tolist()) if len(nodes) else []
        return tuple(c.get(keys) for c in nodes)
    if keys is None:
        return tuple(n.get() for n in nodes)
    if isinstance(keys, str):
        return tuple(n.get(keys) for n in nodes)
    return tuple(tuple(n.get(list(keys)).values()) if len(keys) else () for n in nodes)


def SetStatus(nodes, params, val=None):
    """Set parameters of `nodes` or of connections (a SynapseCollection): dict, list of dicts, or key and value."""
    if isinstance(params, str):
        params = {params: val}
    if not isinstance(nodes, (NodeCollection, SynapseCollection)):
        raise TypeError(f"SetStatus needs a NodeCollection or a SynapseCollection, got {type(nodes).__name__}")
    nodes.set(params)


def Disconnect(*args, conn_spec=None, syn_spec=None):
    """Remove connections: ``Disconnect(pre, post, conn_spec="one_to_one", syn_spec=None)`` removes, for each
    pair the rule (``one_to_one`` or ``all_to_all``) makes, the oldest connection of the synapse model of
    `syn_spec` (default static_synapse); ``Disconnect(connections)`` removes a SynapseCollection.

    Raises
    ------
    InexistentConnection
        A pair has no such connection (nothing is removed).
    """
    if len(args) == 1 and isinstance(args[0], SynapseCollection):
        if conn_spec is not None or syn_spec is not None:
            raise BadParameter("Disconnect(connections) takes no conn_spec or syn_spec")
        get_kernel().remove_connections(args[0])
        return
    if len(args) != 2:
        raise TypeError("Disconnect takes a SynapseCollection or two NodeCollections (conn_spec and syn_spec "
                        "as keywords)")
    pre, post = (_as_nodes(a, n) for a, n in zip(args, ("pre", "post")))
    for nc in (pre, post):
        if not isinstance(nc, NodeCollection):
            raise TypeError(f"Disconnect: pre and post must be NodeCollections, got {type(nc).__name__}")
        nc.check_valid()
    if get_kernel().distribution.active:
        raise KernelException("Disconnect(pre, post) is not supported under MPI, where each rank holds only the "
                              "connections to its own neurons; remove connections with "
                              "Disconnect(nest.GetConnections(...)), which each rank applies to those it holds")
    conn_spec = "one_to_one" if conn_spec is None else conn_spec
    rule = conn_spec if isinstance(conn_spec, str) else conn_spec.get("rule", "all_to_all")
    if rule not in ("one_to_one", "all_to_all") or (isinstance(conn_spec, dict) and set(conn_spec) - {"rule"}):
        raise BadParameter(f"Disconnect supports the rules 'one_to_one' and 'all_to_all', got {conn_spec!r}")
    model = syn_spec if isinstance(syn_spec, str) else (syn_spec or {}).get("synapse_model", "static_synapse")
    if isinstance(syn_spec, dict) and set(syn_spec) - {"synapse_model"}:
        raise BadParameter(f"Disconnect: syn_spec may only name the synapse_model, got {syn_spec!r}")
    pre_ids, post_ids = np.asarray(pre.tolist()), np.asarray(post.tolist())
    if rule == "one_to_one":
        if len(pre_ids) != len(post_ids):
            raise BadParameter(f"one_to_one needs equal numbers of sources and targets, got {len(pre_ids)} and "
                               f"{len(post_ids)}")
        pairs = list(zip(pre_ids.tolist(), post_ids.tolist()))
    else:
        pairs = [(s, t) for t in post_ids.tolist() for s in pre_ids.tolist()]
    candidates = get_kernel().get_connections(np.unique(pre_ids), np.unique(post_ids), model)
    cols = candidates.get(["source", "target"]) if len(candidates) else {"source": [], "target": []}
    src, tgt = np.atleast_1d(cols["source"]), np.atleast_1d(cols["target"])
    free = {}
    for k, key in enumerate(zip(src.tolist(), tgt.tolist())):
        free.setdefault(key, []).append(k)
    chosen = []
    for pair in pairs:
        slots = free.get(pair)
        if not slots:
            raise InexistentConnection(f"Disconnect: there is no {model} connection from node {pair[0]} to node "
                                       f"{pair[1]}; nothing was removed")
        chosen.append(slots.pop(0))
    get_kernel().remove_connections(_pick(candidates, chosen))


def _pick(conns, positions):
    """The connections of `conns` at `positions` (list of int) as a SynapseCollection."""
    pos = np.asarray(sorted(positions), dtype=np.int64)
    return conns._subset(pos)


def GetNodes(properties=None, local_only=False):
    """All nodes (a NodeCollection), or those whose status has every key of `properties` with an equal value."""
    ids = np.arange(1, get_kernel().n_nodes + 1)
    if properties:
        if not isinstance(properties, dict):
            raise BadParameter(f"GetNodes needs a dict of properties, got {properties!r}")
        keep = []
        for g in ids.tolist():
            status = get_kernel().get_status(g)
            keep.append(all(k in status and np.array_equal(status[k], v) for k, v in properties.items()))
        ids = ids[np.asarray(keep, dtype=bool)]
    return NodeCollection(get_kernel(), ids)


def PrintNodes():
    """Print the nodes as NEST does: one line per run of consecutive ids of one model (``2 .. 3 parrot_neuron``)."""
    runs = []
    for g in range(1, get_kernel().n_nodes + 1):
        model = get_kernel().get_status(g)["model"]
        if runs and runs[-1][2] == model and runs[-1][1] == g - 1:
            runs[-1][1] = g
        else:
            runs.append([g, g, model])
    spans = [str(a) if a == b else f"{a} .. {b}" for a, b, _ in runs]
    width = max((len(s) for s in spans), default=0)
    for span, (_, _, model) in zip(spans, runs):
        print(f"{span:<{width}} {model}")


def Prepare():
    """Start a sequence of ``Run`` calls (as NEST's Prepare); ``Cleanup`` ends it."""
    if get_kernel().prepared:
        raise KernelException("Prepare called twice: call Cleanup first")
    get_kernel().prepared = True


def Run(t):
    """Simulate `t` ms (a multiple of the resolution) between ``Prepare`` and ``Cleanup``."""
    if not get_kernel().prepared:
        raise KernelException("Run called without calling Prepare")
    get_kernel().simulate(t)


def Cleanup():
    """End a sequence of ``Run`` calls started by ``Prepare``."""
    if not get_kernel().prepared:
        raise KernelException("Cleanup called without calling Prepare")
    get_kernel().prepared = False


class RunManager:
    """Context manager: ``Prepare`` on entry, ``Cleanup`` on exit, ``Run`` calls in between."""

    def __enter__(self):
        Prepare()
        return self

    def __exit__(self, *exc):
        Cleanup()
        return False


def Rank():
    """MPI rank (int) of this process: 0 unless the script runs under ``mpiexec -n R`` (see docs/mpi.md)."""
    return get_kernel().distribution.rank


def NumProcesses():
    """Number of MPI processes (int) the network is split over: 1 unless run under ``mpiexec -n R``."""
    return get_kernel().distribution.size
