"""PyNEST-style module-level functions acting on the default kernel.

Each function is one call into the current :class:`~eventsim.kernel.Kernel`;
``ResetKernel`` replaces that kernel with a fresh one.
"""

import numpy as np

from .default_kernel import PerThreadKernel
from .nodecollection import NodeCollection
from .registry import node_models as _node_models

__all__ = ["ResetKernel", "Create", "Connect", "Simulate", "GetDefaults", "SetDefaults", "GetConnections",
           "GetKernelStatus", "SetKernelStatus", "GetStatus", "SetStatus", "get_kernel", "NodeCollection"]

_kernel = PerThreadKernel()


def get_kernel():
    """The kernel the module-level functions act on: the calling thread's (see :mod:`eventsim.default_kernel`)."""
    return _kernel.current


def ResetKernel():
    """Discard all nodes, connections and recordings; time returns to 0 and parameters to their defaults."""
    _kernel.reset()


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
    return _kernel.create(model, n, params, positions)


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


def GetConnections(source=None, target=None, synapse_model=None):
    """Connections from `source` and/or to `target` (NodeCollections), with source, target, weight, delay (ms)
    and receptor."""
    return _kernel.get_connections(source, target)


_KERNEL_KEYS = ("resolution", "rng_seed", "biological_time", "min_delay", "network_size")


def GetKernelStatus(keys=None):
    """Kernel properties: resolution (ms), rng_seed, biological_time (ms), min_delay (ms), network_size."""
    k = _kernel
    status = {"resolution": k.resolution, "rng_seed": k.rng_seed, "biological_time": k.biological_time,
              "min_delay": k.min_delay * k.resolution, "network_size": k.n_nodes}
    if keys is None:
        return status
    if isinstance(keys, str):
        return status[keys]
    return {key: status[key] for key in keys}


def SetKernelStatus(params):
    """Set kernel properties: ``resolution`` (ms), ``rng_seed``."""
    for key, value in params.items():
        if key not in ("resolution", "rng_seed"):
            from .errors import BadProperty
            raise BadProperty(f"kernel property {key!r} cannot be set; settable: resolution, rng_seed")
        setattr(_kernel, key, value)


def GetStatus(nodes, keys=None):
    """Status of each node of `nodes`: a tuple of dicts, of values for one key, or of tuples for a list of keys."""
    out = tuple(n.get() for n in nodes)
    if keys is None:
        return out
    if isinstance(keys, str):
        return tuple(o[keys] for o in out)
    return tuple(tuple(o[k] for k in keys) for o in out)


def SetStatus(nodes, params, val=None):
    """Set parameters of `nodes` (dict, list of dicts, or key and value)."""
    if isinstance(params, str):
        params = {params: val}
    nodes.set(params)


def node_models_tuple():
    """Names of all available models (tuple of str, sorted); ``eventsim.node_models`` reads it."""
    return _node_models()
