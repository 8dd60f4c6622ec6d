"""Random streams of a stimulation device, one per connection (poisson and noise generators).

Every connection of a device draws from its own stream, keyed by ``rng_seed``,
the device's model name, the device's global id, the target's global id and
the rank: the rank numbers the connections of one (device node, target node)
pair (multapses) in the order they were made, over all synapse models.
Poisson counts come from counter-based streams (:mod:`nodes.counter_rng`:
Threefry-2x64-20, key = Threefry of (target gid, rank) under (rng_seed and
name, device gid)), drawn by compiled code without the GIL; the noise
generator's normal draws from numpy Generators with SeedSequence entropy
``[rng_seed, tag of the name, device gid, target gid, rank]``.  A connection's draws therefore depend on nothing
but that key and the steps it is active: not on how a run is cut into chunks
or ``Simulate`` calls, not on the number of threads, and not on which other
connections exist (a target on another process, or connected later, changes
nothing here).  The draws of different connections are independent, so they
are split over the kernel's threads (:mod:`eventsim.workers`).
"""

import numpy as np

from eventsim.array_pool import ArrayPool
from eventsim.kernel import stream_tag
from .counter_rng import poisson_counts, seed_word, stream_keys

__all__ = ["ConnectionStreams", "multapse_ranks"]

#: Fewest connections per thread: below this, splitting costs more than it saves.
MIN_CONNECTIONS_PER_THREAD = 64


def multapse_ranks(src, tgt, order):
    """Rank (0, 1, ...) of each connection among those with the same (`src`, `tgt`), in increasing `order`.

    All arguments are int64 arrays of one length; returns an int64 array of it.
    """
    perm = np.lexsort((order, tgt, src))
    s, t = src[perm], tgt[perm]
    first = np.ones(len(perm), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    start = np.maximum.accumulate(np.where(first, np.arange(len(perm)), 0))
    ranks = np.empty(len(perm), dtype=np.int64)
    ranks[perm] = np.arange(len(perm)) - start
    return ranks


class ConnectionStreams:
    """The per-connection streams of one device population, grouped as its advance uses them.

    Each stream has an id (its row in :attr:`keys` and :attr:`counters`): a counter-based stream of
    :mod:`nodes.counter_rng` whose 128-bit key is Threefry of (target gid, rank) under (seed and stream
    name, device gid), drawn by compiled code; :meth:`generators` gives numpy Generators for the same
    connections instead (SeedSequence entropy ``[rng_seed, tag, device gid, target gid, rank]``).

    Parameters
    ----------
    device : eventsim.nodes.base.Population
        The device population (its ``outgoing`` projections are read at :meth:`groups`).
    name : str
        Stream name (the model name), part of every stream's key.
    """

    def __init__(self, device, name):
        self.device = device
        self.name = name
        self._seed = None
        self._layout = None
        self._groups = None
        self._counts = ArrayPool()     # an advance's counts live until its targets have taken them in
        self._reset()

    def _reset(self):
        self._ids = {}
        self._triples = []
        self._generators = []
        self.keys = np.empty((0, 2), dtype=np.uint64)
        """Keys (uint64 (M, 2)) of the counter-based streams."""
        self.counters = np.empty(0, dtype=np.int64)
        """Words each counter-based stream has used so far (int64 (M,)); they continue across Simulate calls."""

    def groups(self):
        """``{projection: [(node index i, connection indices, stream ids of those connections), ...]}``.

        Rebuilt only when the device's outgoing connections or the seed changed; the streams are kept
        across ``Simulate`` calls, so every stream continues where it stopped.
        """
        kernel = self.device.kernel
        if self._seed != kernel.rng_seed:
            self._seed, self._layout = kernel.rng_seed, None
            self._reset()
        layout = tuple((id(p), p.version, len(p)) for p in self.device.outgoing)
        if layout != self._layout:
            self._groups, self._layout = self._build(), layout
        return self._groups

    def _build(self):
        dev = self.device
        by_target = {}
        for proj in dev.outgoing:
            by_target.setdefault(id(proj.target), []).append(proj)
        groups = {}
        for projs in by_target.values():
            src = np.concatenate([p.arrays[0] for p in projs]).astype(np.int64)
            tgt = np.concatenate([p.arrays[1] for p in projs]).astype(np.int64)
            ranks = multapse_ranks(src, tgt, np.concatenate([p.sequence for p in projs]))
            offset = 0
            for proj in projs:
                n = len(proj.arrays[0])
                p_src, p_tgt, p_rank = src[offset:offset + n], tgt[offset:offset + n], ranks[offset:offset + n]
                offset += n
                ids = self._stream_ids(dev.first_gid + p_src, proj.target.first_gid + p_tgt, p_rank)
                groups[proj] = []
                for i in np.unique(p_src):
                    conns = np.flatnonzero(p_src == i)
                    groups[proj].append((int(i), conns, ids[conns]))
        return groups

    def _stream_ids(self, source_gid, target_gid, rank):
        """Ids (int64 array) of the streams of connections (`source_gid`, `target_gid`, `rank`), made if new."""
        triples = list(zip(source_gid.tolist(), target_gid.tolist(), rank.tolist()))
        get = self._ids.get
        known = [get(triple, -1) for triple in triples]
        ids = np.array(known, dtype=np.int64)
        fresh = np.flatnonzero(ids < 0)
        new = [triples[m] for m in fresh.tolist()]
        if len(set(new)) != len(new):
            raise ValueError("connection streams: a (source, target, rank) triple is given twice")
        first = len(self._triples)
        ids[fresh] = np.arange(first, first + len(new))
        self._ids.update(zip(new, range(first, first + len(new))))
        self._triples.extend(new)
        if new:
            s, t, r = (np.array(col, dtype=np.int64) for col in zip(*new))
            keys = np.empty((len(new), 2), dtype=np.uint64)
            stream_keys(seed_word(self.device.kernel.rng_seed, stream_tag(self.name)), s, t, r, keys)
            self.keys = np.concatenate([self.keys, keys])
            self.counters = np.concatenate([self.counters, np.zeros(len(new), dtype=np.int64)])
        return ids

    def generators(self, ids):
        """numpy Generators of the streams `ids` (list), made on first use."""
        kernel = self.device.kernel
        while len(self._generators) < len(self._triples):
            self._generators.append(None)
        out = []
        for sid in ids.tolist():
            gen = self._generators[sid]
            if gen is None:
                gen = self._generators[sid] = kernel.rng_for(self.name, *self._triples[sid])
            out.append(gen)
        return out

    def poisson(self, ids, n_steps, rows, lam):
        """A (n_steps, len(ids)) float array of Poisson counts of streams `ids` with mean `lam` (one per row of
        `rows`, or a number) at `rows` and 0 elsewhere, drawn in the kernel's threads."""
        out = self._counts.empty((n_steps, len(ids)))
        if len(rows) < n_steps:
            out.fill(0.0)
        lam = np.broadcast_to(np.asarray(lam, dtype=float), rows.shape).copy()
        rows = np.asarray(rows, dtype=np.int64)
        self.device.kernel.workers.run(
            lambda lo, hi: poisson_counts(self.keys, self.counters, ids, rows, lam, out, lo, hi),
            len(ids), MIN_CONNECTIONS_PER_THREAD)
        return out

    def draw(self, ids, n_steps, rows, sample):
        """A (n_steps, len(ids)) float array: column c holds ``sample(generator of ids[c])`` (an array of
        ``len(rows)`` values) at `rows` and 0 elsewhere.  Columns are drawn on the kernel's threads."""
        generators = self.generators(ids)
        out = np.zeros((n_steps, len(generators)))
        every_row = len(rows) == n_steps

        def task(lo, hi):
            block = np.empty((hi - lo, len(rows)))
            for c in range(lo, hi):
                block[c - lo] = sample(generators[c])
            if every_row:
                out[:, lo:hi] = block.T
            else:
                out[rows, lo:hi] = block.T

        self.device.kernel.workers.run(task, len(generators), MIN_CONNECTIONS_PER_THREAD)
        return out
