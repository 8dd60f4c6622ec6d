"""Random streams of a stimulation device, one per connection (poisson and noise generators).

Every connection of a device draws from its own numpy Generator whose
SeedSequence entropy is ``[rng_seed, tag of the device's model name, device
global id, target global id, rank]``: the rank numbers the connections of one
(device node, target node) pair (multapses) in the order they were made,
over all synapse models.  A connection's draws therefore depend on nothing
but that key and the steps it is active: not on how a run is cut into chunks
or ``Simulate`` calls, not on the number of threads, and not on which other
connections exist (a target on another process, or connected later, changes
nothing here).  The draws of different connections are independent, so they
are split over the kernel's threads (:mod:`eventsim.workers`).
"""

import numpy as np

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
    """The per-connection Generators of one device population, grouped as its advance uses them.

    Parameters
    ----------
    device : eventsim.nodes.base.Node
        The device population (its ``outgoing`` projections are read at :meth:`groups`).
    name : str
        Stream name (the model name), part of every stream's key.
    """

    def __init__(self, device, name):
        self.device = device
        self.name = name
        self._seed = None
        self._generators = {}
        self._layout = None
        self._groups = None

    def groups(self):
        """``{projection: [(node index i, connection indices, Generators of those connections), ...]}``.

        Rebuilt only when the device's outgoing connections or the seed changed; Generators are kept
        across ``Simulate`` calls, so every stream continues where it stopped.
        """
        kernel = self.device.kernel
        if self._seed != kernel.rng_seed:
            self._seed, self._generators, self._layout = kernel.rng_seed, {}, None
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
                target_first = proj.target.first_gid
                groups[proj] = []
                for i in np.unique(p_src):
                    conns = np.flatnonzero(p_src == i)
                    gens = [self._generator(dev.first_gid + int(i), target_first + int(t), int(r))
                            for t, r in zip(p_tgt[conns], p_rank[conns])]
                    groups[proj].append((int(i), conns, gens))
        return groups

    def _generator(self, source_gid, target_gid, rank):
        key = (source_gid, target_gid, rank)
        gen = self._generators.get(key)
        if gen is None:
            gen = self._generators[key] = self.device.kernel.rng_for(self.name, source_gid, target_gid, rank)
        return gen

    def draw(self, generators, n_steps, rows, sample):
        """A (n_steps, len(generators)) float array: column c holds ``sample(generators[c])`` (an array of
        ``len(rows)`` values) at `rows` and 0 elsewhere.  Columns are drawn on the kernel's threads."""
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
