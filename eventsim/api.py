"""PyNEST-style module-level functions acting on the default kernel.

Each function is one call into the current :class:`~eventsim.kernel.Kernel`;
``ResetKernel`` replaces that kernel with a fresh one.
"""

import numpy as np

from . import kernel_properties
from .errors import BadParameter
from .kernel import Kernel, _per_node_params
from .registry import model_class
from .synapsecollection import SynapseCollection
from .nodecollection import NodeCollection

__all__ = ["ResetKernel", "Create", "Connect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "get_kernel", "NodeCollection", "get", "set"]

_kernel = Kernel()


def get_kernel():
    """The kernel the module-level functions act on."""
    return _kernel


def ResetKernel():
    """Discard all nodes, connections and recordings; time returns to 0 and parameters to their defaults."""
    global _kernel
    _kernel.discarded = True
    _kernel = Kernel()


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
        per_node = _per_node_params(params, n, model)
        return sum((_kernel.create(model, 1, p, positions) for p in per_node), NodeCollection(_kernel, []))
    return _kernel.create(model, n, params, positions)


def _is_recorder(model):
    """True if `model` names a recording device (a population of exactly one node)."""
    try:
        return model_class(model).element_type == "recorder"
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

    As in PyNEST, `pre` and `post` may also be lists (or tuples or arrays) of
    global ids, ascending and without repetitions.
    """
    _kernel.connect(_as_nodes(pre, "pre"), _as_nodes(post, "post"), conn_spec, syn_spec)


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
    _kernel.simulate(t)


def GetDefaults(model, keys=None, output=""):
    """Default parameters of `model` (dict), the value of one key, or a list of values for a list of keys."""
    if isinstance(keys, (list, tuple)):
        values = _kernel.get_defaults(model, list(keys))
        return [values[k] for k in keys]
    return _kernel.get_defaults(model, keys)


def SetDefaults(model, params, val=None):
    """Set defaults of `model` for nodes created afterwards."""
    if isinstance(params, str):
        params = {params: val}
    _kernel.set_defaults(model, params)


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
    return _kernel.get_connections(ids.get("source"), ids.get("target"), synapse_model)


def GetKernelStatus(keys=None):
    """Kernel properties (see :mod:`eventsim.kernel_properties`; times in ms).

    No key: a dict of all; a key: its value; a list or a tuple of keys: a
    tuple of values (as NEST).  An unknown key raises KeyError.
    """
    return kernel_properties.get_status(_kernel, tuple(keys) if isinstance(keys, list) else keys)


def SetKernelStatus(params):
    """Set kernel properties from a dict (``resolution`` in ms, ``rng_seed``, ``local_num_threads``,
    ``print_time``, ...); unknown and read-only keys raise BadProperty (a ValueError, as in NEST)."""
    kernel_properties.set_status(_kernel, params)


def get(*keys):
    """``nest.get()``: all kernel properties (dict), one value for one key, a tuple for several or a list."""
    if not keys:
        return GetKernelStatus()
    if len(keys) == 1:
        return GetKernelStatus(keys[0])
    return GetKernelStatus(keys)


def set(params=None, **kwargs):
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
    out = tuple(n.get() for n in nodes)
    if keys is None:
        return out
    if isinstance(keys, str):
        return tuple(o[keys] for o in out)
    return tuple(tuple(o[k] for k in keys) for o in out)


def SetStatus(nodes, params, val=None):
    """Set parameters of `nodes` or of connections (a SynapseCollection): dict, list of dicts, or key and value."""
    if isinstance(params, str):
        params = {params: val}
    if not isinstance(nodes, (NodeCollection, SynapseCollection)):
        raise TypeError(f"SetStatus needs a NodeCollection or a SynapseCollection, got {type(nodes).__name__}")
    nodes.set(params)
