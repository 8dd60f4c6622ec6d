"""NodeCollection: an immutable, ordered set of node global ids, as in PyNEST."""

import itertools
from collections.abc import Iterable
import numbers
import os
import weakref

import numpy as np

from .default_kernel import default_kernel
from .errors import BadParameter, BadProperty, KernelException
from .json_output import to_json

__all__ = ["NodeCollection"]


class NodeCollection:
    """Handle to nodes of one kernel, identified by 1-based global ids.

    Supports ``len``, iteration (one-node collections), indexing, slicing,
    ``+`` (including ``0 + nc`` so that ``sum()`` works), ``tolist()``,
    ``get``/``set`` of parameters and, for recorders, ``events``,
    ``n_events`` and ``to_dataset()`` (an :class:`xarray.Dataset`).

    As in PyNEST, values of several nodes come back as tuples (``get``,
    ``global_id``) and a collection is always sorted without repetitions.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel
        The kernel that owns the nodes.
    gids : array_like of int
        Global ids, in the order given.

    ``NodeCollection(ids)`` with only a list of existing global ids (ascending)
    makes a collection of the default kernel, as ``nest.NodeCollection(ids)``.
    """

    __slots__ = ("_kernel", "_gids")

    def __init__(self, kernel=None, gids=None):
        if gids is None and not hasattr(kernel, "node_of"):
            gids = [] if kernel is None else kernel
            kernel = default_kernel()
            gids = _checked_ids(kernel, gids)
        self._kernel = kernel
        self._gids = np.asarray(gids, dtype=np.int64).reshape(-1)
        self._gids.flags.writeable = False

    # --- sequence protocol -------------------------------------------------
    def __len__(self):
        return len(self._gids)

    def __iter__(self):
        for g in self._gids:
            yield NodeCollection(self._kernel, [g])

    def __getitem__(self, key):
        if isinstance(key, slice):
            if key.step is not None and key.step < 1:
                raise IndexError(f"slicing step must be a positive integer, got {key.step}")
            n = len(self)
            if key.start is not None and not -n <= key.start < n:
                raise IndexError(f"slice start value {key.start} outside of the NodeCollection (length {n})")
            if key.stop is not None and not -n <= key.stop <= n:
                raise IndexError(f"slice stop value {key.stop} outside of the NodeCollection (length {n})")
            return NodeCollection(self._kernel, self._gids[key])
        if isinstance(key, (list, tuple, np.ndarray)):
            if not isinstance(key, np.ndarray):
                is_bool = [isinstance(k, (bool, np.bool_)) for k in key]
                if any(is_bool) and not all(is_bool):
                    raise TypeError(f"indices must be all booleans or all integers, got {list(key)!r}")
            key = np.asarray(key)
            if key.ndim > 1:
                raise TypeError(f"indices must be one-dimensional, got shape {key.shape}")
            if key.dtype == bool:
                if key.size != len(self):
                    raise IndexError(f"boolean index of length {key.size} for NodeCollection of length {len(self)}")
                return NodeCollection(self._kernel, self._gids[key])
            if key.size == 0:
                return NodeCollection(self._kernel, [])
            if key.dtype.kind not in "iu":
                raise TypeError(f"indices must be integers or booleans, got {key.dtype}")
            if np.any(key >= len(self)) or np.any(key < -len(self)):
                raise IndexError(f"index out of range for NodeCollection of length {len(self)}")
            picked = self._gids[key]
            if np.any(np.diff(picked) <= 0):
                raise BadProperty(f"indices must be unique and sorted in ascending order, got {key.tolist()}")
            return NodeCollection(self._kernel, picked)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if not -len(self) <= key < len(self):
                raise IndexError(f"index {key} out of range for NodeCollection of length {len(self)}")
            return NodeCollection(self._kernel, [self._gids[key]])
        raise TypeError(f"indices must be integers, slices or lists, got {type(key).__name__}")

    def __contains__(self, other):
        if isinstance(other, NodeCollection):
            return bool(np.all(np.isin(other._gids, self._gids)))
        return int(other) in set(self._gids.tolist())

    def __add__(self, other):
        if isinstance(other, numbers.Integral) and other == 0:
            return self
        if not isinstance(other, NodeCollection):
            return NotImplemented
        if other._kernel is not self._kernel:
            raise BadParameter("cannot join NodeCollections of different kernels")
        joined = np.concatenate([self._gids, other._gids])
        if len(np.unique(joined)) != len(joined):
            raise BadProperty("NodeCollections to be joined must not overlap")
        return NodeCollection(self._kernel, np.sort(joined))

    def __radd__(self, other):
        return self.__add__(other)

    def __eq__(self, other):
        # as PyNEST: the same global ids (also across ResetKernel)
        return isinstance(other, NodeCollection) and np.array_equal(other._gids, self._gids)

    def __hash__(self):
        return hash(self._gids.tobytes())

    def __reduce__(self):
        # Pickled as its ids and a token of its kernel; see _restore_node_collection.
        return _restore_node_collection, (_kernel_token(self._kernel), self._gids.tolist())

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._gids, dtype=dtype)

    def __repr__(self):
        if len(self) == 0:
            return "NodeCollection(<empty>)"
        if self._kernel.discarded:
            return f"NodeCollection(<invalid: from before ResetKernel>, size={len(self)})"
        pops = [self._kernel.node_of(int(g))[0] for g in self._gids]
        models = {getattr(pop, "copy_name", None) or pop.model_name for pop in pops}
        g = self._gids
        contiguous = np.all(np.diff(g) == 1)
        span = f"{g[0]}..{g[-1]}" if contiguous else ",".join(map(str, g[:6])) + ("..." if len(g) > 6 else "")
        return f"NodeCollection(model={'/'.join(sorted(models))}, size={len(g)}, global_ids={span})"

    # --- ids -----------------------------------------------------------------
    def tolist(self):
        """Global ids as a list of int."""
        return self._gids.tolist()

    @property
    def global_id(self):
        """Global id (int) of a single node, or a tuple of ids."""
        return int(self._gids[0]) if len(self) == 1 else tuple(self.tolist())

    def index(self, gid):
        """Position (int) of global id `gid` in the collection."""
        pos = np.flatnonzero(self._gids == int(gid))
        if pos.size == 0:
            raise ValueError(f"node {gid} is not in the NodeCollection")
        return int(pos[0])

    @property
    def kernel(self):
        """The :class:`~eventsim.kernel.Kernel` owning these nodes."""
        return self._kernel

    def check_valid(self):
        """Raise KernelException if ResetKernel has discarded the kernel of these nodes."""
        if self._kernel.discarded and len(self):
            raise KernelException(f"this NodeCollection ({len(self)} nodes) was created before ResetKernel; its "
                                  "nodes no longer exist: create new nodes after ResetKernel")

    # --- status ----------------------------------------------------------------
    def get(self, *keys, output=""):
        """Return parameters and state.

        With no key: a dict of all parameters (a dict of tuples for several
        nodes).  With one key: its value (a tuple for several nodes).  With
        several keys, or a list of keys: a dict of them.  Units are those of
        NEST (ms, mV, pF, nS, pA).  A recorder's status includes ``events``
        (dict of arrays); as in PyNEST, ``get("events", "times")`` addresses
        into it: the array for one recorder, a list of arrays for several,
        and a dict for a list of names (``get("events", ["senders", "V_m"])``).
        """
        self.check_valid()
        if output == "pandas":
            return self._get_pandas(keys)
        if output == "json":
            return to_json(self.get(*keys))
        if output not in ("", None):
            raise BadParameter(f"NodeCollection.get: output={output!r} is not supported; use output='', "
                               "'pandas' or 'json'")
        as_dict = len(keys) > 1
        if len(keys) == 1 and not isinstance(keys[0], str) and isinstance(keys[0], Iterable):
            names = keys[0]   # a list, tuple, dict (its keys), set or dict view of names
            keys, as_dict = tuple(sorted(names) if isinstance(names, (set, frozenset)) else names), True
        with_events = not keys or "events" in keys
        statuses = [self._status(int(g), with_events) for g in self._gids]
        if not keys:
            if len(statuses) == 1:
                return statuses[0]
            if not statuses:
                return {}
            return {k: tuple(s.get(k) for s in statuses) for k in statuses[0]}
        if len(keys) == 2 and isinstance(keys[0], str) and statuses and \
                all(isinstance(s.get(keys[0]), dict) for s in statuses):
            return _hierarchical(statuses, keys[0], keys[1])
        for k in keys:
            if not isinstance(k, str):
                raise TypeError(f"parameter names must be strings, got {k!r}")
            for g, s in zip(self._gids, statuses):
                if k not in s:
                    raise KeyError(f"node {g} ({s['model']}) has no parameter {k!r}")
        if not as_dict:
            vals = tuple(s[keys[0]] for s in statuses)
            return vals[0] if len(vals) == 1 else vals
        if len(statuses) == 1:
            return {k: statuses[0][k] for k in keys}
        return {k: tuple(s[k] for s in statuses) for k in keys}

    def _get_pandas(self, keys):
        """``get(..., output="pandas")``: a DataFrame indexed by global id, one column per key (pandas needed)."""
        import pandas
        if len(keys) == 1 and isinstance(keys[0], (list, tuple)):
            keys = tuple(keys[0])
        statuses = [self._status(int(g), with_events=not keys or "events" in keys) for g in self._gids]
        names = list(keys) if keys else list(statuses[0]) if statuses else []
        return pandas.DataFrame({k: [s[k] for s in statuses] for k in names}, index=self._gids.tolist())

    def _status(self, gid, with_events=True):
        """Status dict of node `gid`; a recorder's includes its ``events`` if `with_events` (building them
        reads all recorded data, so ``get("n_events")`` leaves them out)."""
        status = self._kernel.get_status(gid)
        pop, _ = self._kernel.node_of(gid)
        status["model_id"] = self._kernel.model_id(status["model"])
        if with_events and pop.element_type == "recorder":
            status["events"] = pop.events
        return status

    def set(self, params=None, **kwargs):
        """Set parameters: a dict (scalars apply to all nodes, lists give one value
        per node), a list of dicts (one per node), or keyword arguments."""
        self.check_valid()
        if params is None:
            params = {}
        if kwargs:
            if not isinstance(params, dict):
                raise BadParameter("keyword arguments can only be combined with a dict of parameters")
            params = {**params, **kwargs}
        self._kernel.set_status(self._gids, params)

    def __getattr__(self, name):
        if name.startswith("_") or name.startswith("__array_"):
            raise AttributeError(name)
        if name == "to_dataset":
            return self._single_recorder(name).to_dataset
        try:
            return self.get(name)
        except KeyError as err:
            raise AttributeError(str(err)) from None

    def __setattr__(self, name, value):
        if name in NodeCollection.__slots__:
            object.__setattr__(self, name, value)
        elif name == "n_events":
            self._kernel.check_idle("setting n_events")
            if value != 0:
                raise BadProperty(f"n_events can only be set to 0 (to clear a recorder), got {value!r}")
            self._single_recorder(name).clear()
        else:
            self.set({name: value})

    def _single_recorder(self, what):
        self.check_valid()
        if len(self) != 1:
            raise BadParameter(f"{what} is available for a single recorder, this collection has {len(self)} nodes")
        pop, _ = self._kernel.node_of(int(self._gids[0]))
        if pop.element_type != "recorder":      # not hasattr(pop, "events"): that would read all events
            raise AttributeError(f"{pop.model_name} has no {what}")
        return pop


def _hierarchical(statuses, outer, inner):
    """PyNEST's ``get(outer, inner)``: `inner` (a name or a list of names) looked up in the dicts ``status[outer]``."""
    names = [inner] if isinstance(inner, str) else list(inner)
    for s in statuses:
        missing = [n for n in names if n not in s[outer]]
        if missing:
            raise KeyError(f"node {s['global_id']} ({s['model']}): {outer!r} has no entry {missing[0]!r}; "
                           f"it has {', '.join(sorted(s[outer]))}")
    if len(statuses) == 1:
        values = {n: statuses[0][outer][n] for n in names}
    else:
        values = {n: [s[outer][n] for s in statuses] for n in names}
    return values[inner] if isinstance(inner, str) else values


def _checked_ids(kernel, ids):
    """Global ids from a list given to ``NodeCollection(ids)``: existing, unique and ascending."""
    arr = np.asarray(ids)
    if arr.size == 0:
        return np.empty(0, dtype=np.int64)
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise TypeError(f"NodeCollection needs a list of integer global ids, got {ids!r}")
    if np.any(np.diff(arr) <= 0):
        raise BadProperty(f"global ids must be unique and sorted in ascending order, got {arr.tolist()}")
    for g in (int(arr[0]), int(arr[-1])):
        kernel.node_of(g)
    return arr.astype(np.int64)


# --- pickling ------------------------------------------------------------------------------
# A kernel cannot travel between processes (it holds a running event loop), so a pickled
# NodeCollection carries only its global ids and a token naming its kernel: the process id and
# a counter.  Unpickled in the same process while that kernel lives, it binds to it again; anywhere
# else it is *detached*: its ids (len, tolist, global_id, iteration, slicing) still work, but any
# use of the nodes raises a KernelException saying so, instead of silently addressing the nodes
# of an unrelated kernel.  ``NodeCollection(kernel, detached.tolist())`` binds the ids explicitly.

_token_counter = itertools.count(1)
_token_of_kernel = weakref.WeakKeyDictionary()
_kernel_of_token = weakref.WeakValueDictionary()
_detached_by_token = weakref.WeakValueDictionary()


def _kernel_token(kernel):
    """A token (pid, counter) naming `kernel` in this process; a detached kernel keeps its own."""
    if isinstance(kernel, DetachedKernel):
        return kernel.token
    token = _token_of_kernel.get(kernel)
    if token is None:
        token = (os.getpid(), next(_token_counter))
        _token_of_kernel[kernel] = token
        _kernel_of_token[token] = kernel
    return token


def _restore_node_collection(token, gids):
    """Unpickle a NodeCollection: bound to its kernel if it lives in this process, else detached."""
    token = tuple(token)
    kernel = _kernel_of_token.get(token) if token[0] == os.getpid() else None
    if kernel is None:
        kernel = _detached_by_token.get(token)
        if kernel is None:
            kernel = DetachedKernel(token)
            _detached_by_token[token] = kernel
    return NodeCollection(kernel, gids)


class DetachedKernel:
    """Stand-in kernel of a NodeCollection unpickled away from the kernel that made it.

    Every attribute access raises :class:`~eventsim.errors.KernelException`
    explaining that the nodes do not exist in this process.  Collections
    unpickled from the same kernel share one DetachedKernel, so they compare
    equal and can be joined.
    """

    __slots__ = ("token", "__weakref__")

    def __init__(self, token):
        self.token = token

    def __getattr__(self, name):
        raise KernelException(
            f"this NodeCollection was unpickled away from the kernel that created it (process {self.token[0]}); "
            "its nodes do not exist here. Its ids are available (tolist()); to use nodes in another process, "
            "send the function that builds the network (see eventsim.sweep), or bind the ids explicitly with "
            "NodeCollection(kernel, ids)")

    def __repr__(self):
        return f"<detached kernel of process {self.token[0]}>"
