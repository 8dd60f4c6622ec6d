"""SynapseCollection: a handle to connections, as PyNEST's (what ``GetConnections`` returns).

A collection refers to connections by (projection, position in the
projection), so ``get`` always reads the current values and ``set`` changes
the connections the simulation uses.  It becomes invalid when ``ResetKernel``
discards its kernel or ``Disconnect`` removes connections of one of its
projections; using it then raises :class:`~eventsim.errors.KernelException`.
"""

import numbers

import numpy as np

from .errors import BadDelay, BadParameter, KernelException, UnaccessedDictionaryEntry
from .timegrid import delay_to_steps, is_on_grid

__all__ = ["SynapseCollection", "SETTABLE_KEYS", "ValueCountMismatch"]


class ValueCountMismatch(BadParameter, IndexError):
    """``set`` got a list whose length is not the number of connections (an IndexError, as in NEST)."""


#: Connection properties ``set`` may change.
SETTABLE_KEYS = ("weight", "delay")
#: Properties ``get`` reports, in PyNEST's order of its dict (alphabetical).
KEYS = ("delay", "receptor", "source", "synapse_model", "target", "weight")


class SynapseCollection:
    """Connections selected by ``GetConnections``, in NEST's order.

    ``get()`` gives a dict of lists with keys ``source``, ``target`` (global
    ids), ``weight``, ``delay`` (ms), ``receptor`` and ``synapse_model``;
    ``get(key)`` one list and ``get([keys])`` a dict; a single connection
    gives scalars, an empty collection ``{}`` or ``()``.  ``set(weight=...,
    delay=...)`` takes a scalar, one value per connection, or (``SetStatus``)
    a list of dicts.  Indexing with an int or a slice, iteration (one
    connection at a time), ``len``, ``==``, ``sources()`` and ``targets()``
    work as in PyNEST.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel
    projections : list of eventsim.connections.Projection
        The projections the connections belong to.
    which : numpy.ndarray of int64
        For each connection, its projection (index into `projections`).
    index : numpy.ndarray of int64 or None
        For each connection, its position in that projection's arrays now.
    sequence : numpy.ndarray of int64, optional
        Instead of `index`: each connection's creation number, its identity for the
        collection's lifetime (positions shift when ``Disconnect`` removes others).
    """

    def __init__(self, kernel, projections, which, index, sequence=None):
        object.__setattr__(self, "_kernel", kernel)
        object.__setattr__(self, "_projections", list(projections))
        object.__setattr__(self, "_which", np.asarray(which, dtype=np.int64))
        if sequence is None:   # identify each connection by its creation number, which Disconnect never changes
            sequence = np.empty(len(self._which), np.int64)
            for w, proj in enumerate(self._projections):
                pos = np.flatnonzero(self._which == w)
                sequence[pos] = proj.sequence[np.asarray(index, dtype=np.int64)[pos]]
        object.__setattr__(self, "_sequence", np.asarray(sequence, dtype=np.int64))

    # --- validity -------------------------------------------------------------------
    def _check_valid(self):
        if self._kernel.discarded:
            raise KernelException("these connections were made before ResetKernel and no longer exist")

    @property
    def _index(self):
        """Current position of each connection in its projection's arrays (they move when others are removed).

        Raises KernelException if one of them was removed by ``Disconnect``.
        """
        self._check_valid()
        index = np.empty(len(self._which), np.int64)
        for w, proj in enumerate(self._projections):
            pos = np.flatnonzero(self._which == w)
            if pos.size == 0:
                continue
            seq = proj.sequence   # increasing: connections are appended in creation order and removal keeps it
            wanted = self._sequence[pos]
            found = np.searchsorted(seq, wanted)
            gone = found >= len(seq)
            gone[~gone] = seq[found[~gone]] != wanted[~gone]
            if np.any(gone):
                raise KernelException(f"{int(np.count_nonzero(gone))} connection(s) of this SynapseCollection "
                                      "were removed by Disconnect; call GetConnections again")
            index[pos] = found
        return index

    # --- sequence protocol --------------------------------------------------------------
    def __len__(self):
        return len(self._which)

    def _subset(self, pick):
        return SynapseCollection(self._kernel, self._projections, self._which[pick], None, self._sequence[pick])

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self._subset(key)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if not -len(self) <= key < len(self):
                raise IndexError(f"index {key} out of range for {len(self)} connections")
            return self._subset(slice(key, key + 1 if key != -1 else None))
        raise TypeError(f"connections are indexed by an int or a slice, got {type(key).__name__}")

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other):
        if not isinstance(other, SynapseCollection) or len(other) != len(self):
            return False
        mine = [(id(self._projections[w]), q) for w, q in zip(self._which.tolist(), self._sequence.tolist())]
        theirs = [(id(other._projections[w]), q) for w, q in zip(other._which.tolist(), other._sequence.tolist())]
        return mine == theirs

    def __hash__(self):
        return id(self)

    def __add__(self, other):
        raise TypeError("SynapseCollections cannot be added; use GetConnections with the union of nodes")

    # --- values -----------------------------------------------------------------------
    def _columns(self):
        """Current values: dict of numpy arrays (and a list of synapse model names), one entry per connection."""
        self._check_valid()
        n = len(self)
        h = self._kernel.resolution
        out = {"source": np.empty(n, np.int64), "target": np.empty(n, np.int64), "weight": np.empty(n),
               "delay_steps": np.empty(n, np.int64), "receptor": np.empty(n, np.int64)}
        models = np.empty(n, dtype=object)
        index = self._index
        for w, proj in enumerate(self._projections):
            pos = np.flatnonzero(self._which == w)
            if pos.size == 0:
                continue
            src, tgt, wt, d, r = proj.arrays
            idx = index[pos]
            out["source"][pos] = src[idx] + proj.source.first_gid
            out["target"][pos] = tgt[idx] + proj.target.first_gid
            out["weight"][pos] = wt[idx]
            out["delay_steps"][pos] = d[idx]
            if proj.source.model_name == "multimeter":
                out["receptor"][pos] = self._multimeter_receptors(out["target"][pos], proj.sequence[idx])
            else:
                out["receptor"][pos] = r[idx]
            models[pos] = proj.synapse_model
        out["delay"] = out.pop("delay_steps") * h  # NEST reports delays as steps x resolution
        out["synapse_model"] = models
        return out

    def _multimeter_receptors(self, targets, sequence):
        """NEST's receptor of multimeter connections: the k-th multimeter connected to a node has receptor k."""
        all_t, all_seq = [], []
        for proj in self._kernel.projections.values():
            if proj.source.model_name == "multimeter":
                all_t.append(proj.arrays[1] + proj.target.first_gid)
                all_seq.append(proj.sequence)
        all_t, all_seq = np.concatenate(all_t), np.concatenate(all_seq)
        return np.array([1 + np.count_nonzero((all_t == t) & (all_seq < q)) for t, q in zip(targets, sequence)],
                        dtype=np.int64)

    def get(self, keys=None, output=""):
        """Connection properties: a dict of lists (no key), one list (a key) or a dict (a list of keys).

        Units: ``weight`` as the target expects (nS for conductance receptors,
        pA for currents), ``delay`` in ms.  ``output="pandas"`` gives a
        :class:`pandas.DataFrame` indexed by source (pandas needed).
        """
        if output not in ("", "pandas"):
            raise BadParameter(f"output must be '' or 'pandas', got {output!r}")
        names = KEYS if keys is None else ([keys] if isinstance(keys, str) else list(keys))
        unknown = [k for k in names if k not in KEYS]
        if unknown:
            raise KeyError(f"connections have no property {unknown[0]!r}; they have {', '.join(KEYS)}")
        cols = self._columns()
        if output == "pandas":
            import pandas
            return pandas.DataFrame({k: cols[k] for k in names}, index=pandas.Index(cols["source"], name=None))
        if len(self) == 0:
            return () if isinstance(keys, str) else {}
        data = {k: cols[k].tolist() for k in names}
        if len(self) == 1:
            data = {k: v[0] for k, v in data.items()}
        return data[keys] if isinstance(keys, str) else data

    def sources(self):
        """Iterator over the source global ids (int), one per connection."""
        return iter(self._columns()["source"].tolist())

    def targets(self):
        """Iterator over the target global ids (int), one per connection."""
        return iter(self._columns()["target"].tolist())

    def set(self, params=None, **kwargs):
        """Set ``weight`` and/or ``delay`` (ms) of the connections.

        `params` is a dict (scalars for all connections or lists with one value
        per connection), a list of dicts (one per connection) or keywords.
        Delays are rounded to the nearest step as in ``Connect`` and must come
        to at least one step; other keys raise UnaccessedDictionaryEntry.
        """
        self._check_valid()
        if params is None:
            params = {}
        if isinstance(params, (list, tuple)):
            if kwargs or len(params) != len(self) or not all(isinstance(p, dict) for p in params):
                raise BadParameter(f"set needs a dict or a list of {len(self)} dicts, got {params!r}")
            keys = sorted({k for p in params for k in p})
            for k in keys:
                if any(k not in p for p in params):
                    raise BadParameter(f"every dict of the list must set {k!r}")
            params = {k: [p[k] for p in params] for k in keys}
        elif not isinstance(params, dict):
            raise BadParameter(f"set needs a dict of connection properties, got {params!r}")
        params = {**params, **kwargs}
        unknown = [k for k in params if k not in SETTABLE_KEYS]
        if unknown:
            raise UnaccessedDictionaryEntry(f"connections: {unknown[0]!r} cannot be set; settable: "
                                            f"{', '.join(SETTABLE_KEYS)}")
        h = self._kernel.resolution
        values = {k: self._per_connection(k, v) for k, v in params.items()}
        if "weight" in values and not np.all(np.isfinite(values["weight"])):
            raise BadParameter(f"weights must be finite, got {params['weight']!r}")
        if "delay" in values:
            d_ms = values["delay"]
            if not np.all(np.isfinite(d_ms)):
                raise BadDelay(f"delays must be finite, got {params['delay']!r}")
            steps = delay_to_steps(d_ms, h)
            if np.any(steps < 1):
                raise BadDelay(f"delay {float(d_ms[steps < 1][0])} ms is below the resolution {h} ms once rounded "
                               "to the grid")
            self._kernel.check_delay_extrema(steps)
            off_grid = ~is_on_grid(d_ms, h)
            if np.any(off_grid):
                self._kernel.warn_delay_rounding(f"delay {float(d_ms[off_grid][0])} ms is not a multiple of the "
                                                 f"resolution {h} ms; rounded to "
                                                 f"{int(steps[off_grid][0]) * h:g} ms as NEST does", stacklevel=4)
            values["delay"] = steps
        if "delay" in values:
            self._kernel.note_delays(values["delay"])
        index = self._index
        for key, vals in values.items():
            for w, proj in enumerate(self._projections):
                pos = np.flatnonzero(self._which == w)
                if pos.size:
                    proj.update(key, index[pos], vals[pos])

    def disconnect(self):
        """Remove these connections from the network (``nest.Disconnect(self)``)."""
        self._kernel.remove_connections(self)

    def _per_connection(self, key, value):
        if isinstance(value, (bool, str, dict, np.bool_)) or value is None:
            raise BadParameter(f"{key} must be a number or a list of numbers, got {value!r}")
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise BadParameter(f"{key} must be a number or a list of numbers, got {value!r}") from None
        if arr.ndim == 0:
            return np.full(len(self), float(arr))
        if arr.shape != (len(self),):
            raise ValueCountMismatch(f"{key}: got {arr.size} values for {len(self)} connections")
        return arr

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in KEYS:
            raise AttributeError(f"connections have no property {name!r}; they have {', '.join(KEYS)}")
        return self.get(name)

    def __setattr__(self, name, value):
        self.set({name: value})

    # --- printing ------------------------------------------------------------------------
    def __repr__(self):
        if self._kernel.discarded:
            return f"SynapseCollection(<invalid: from before ResetKernel>, {len(self)} connections)"
        if len(self) == 0:
            return "The synapse collection does not contain any connections."
        cols = self._columns()
        lines = [" source   target   synapse model   weight   delay ",
                 "-------- -------- --------------- -------- -------"]
        for s, t, m, w, d in zip(cols["source"], cols["target"], cols["synapse_model"], cols["weight"],
                                 cols["delay"]):
            lines.append(f"{s:>7d}  {t:>7d}  {m:>14s}  {w:>7.3f}  {d:>6.3f}")
        return "\n".join(lines)
