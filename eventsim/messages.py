"""Timestamped messages between nodes and the inbox that holds them until due.

A source emits a :class:`SpikeBatch` (or a :class:`ConnectionBatch` of events drawn per
connection: Poisson trains, currents): many events at
once, each with its stamp in steps.  The kernel scatters a batch over the
source's outgoing connections with numpy and deposits the weighted events into
each target's :class:`Inbox` at ``stamp + delay``.  One batch with many targets
is therefore one delivery, not one scheduled event per target.  A neuron
population that is observed emits a :class:`SampleBatch` per advance, which
the kernel hands to the samplers (multimeters) attached to it.

User actors (:class:`eventsim.Actor`) receive what arrives for them as
:class:`Spikes`, :class:`Current` and :class:`Samples` messages, each at the
SimPy time of its arrival: one message per node and arrival step.
"""

import mmap
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .array_pool import ArrayPool

__all__ = ["SpikeBatch", "ConnectionBatch", "SampleBatch", "Inbox", "Spikes", "Current", "Samples", "fresh_zeros"]


def fresh_zeros(shape):
    """A float64 array of zeros in memory fresh from the operating system (an anonymous mapping).

    The system hands the memory out zeroed, page by page as it is first written, so a large array costs no
    pass of its own; :func:`numpy.zeros` of the same size may instead get memory marked for transparent huge
    pages and zero it again (measured on a 2-core VM: 15-20 ms instead of about 45 ms per 16 MiB block).
    """
    if any(int(s) < 0 for s in shape):
        raise ValueError(f"an input buffer cannot have a negative size: shape {tuple(shape)}")
    count = int(np.prod(shape))
    if count == 0:
        return np.zeros(shape)
    try:
        memory = mmap.mmap(-1, count * 8)
    except OSError as err:
        raise MemoryError(f"cannot allocate {count * 8} bytes of input buffer {tuple(shape)}: {err}") from None
    return np.frombuffer(memory, dtype=np.float64, count=count).reshape(shape)


@dataclass(frozen=True)
class SpikeBatch:
    """Spikes emitted by one node population.

    Attributes
    ----------
    sources : numpy.ndarray of int64
        Local indices (0-based within the population) of the emitting nodes.
    stamps : numpy.ndarray of int64
        Spike times in steps.
    multiplicities : numpy.ndarray of int64
        Number of spikes each event stands for (NEST's multiplicity).
    weights : numpy.ndarray of float64 or None
        Factor applied to the connection weight of each event (spike_generator's
        ``spike_weights``); None means 1.
    offsets : numpy.ndarray of float64 or None
        How long (ms, in ``[0, h)``) before the end of its step each spike happened
        (NEST's precise spike offsets; spike_generator's ``precise_times``); None
        means 0.  Spike recorders record ``stamp * h - offset``; the neurons here,
        all on-grid models, receive the spike at its step, as in NEST.
    """

    sources: np.ndarray
    stamps: np.ndarray
    multiplicities: np.ndarray
    weights: np.ndarray = None
    offsets: np.ndarray = None

    def __len__(self):
        return len(self.stamps)


@dataclass(frozen=True)
class ConnectionBatch:
    """Events drawn separately for each connection of one projection (independent Poisson trains, noise).

    ``values[k, j]`` belongs to connection ``conns[j]`` (an index into the
    projection's arrays) and is stamped ``first_stamp + k`` (steps): a spike
    count (``kind == "spikes"``, arriving at stamp + delay) or a current in pA
    before the weight (``kind == "current"``, the input from step
    stamp + delay - 1 on: with delay h, a current for the step ending at
    200.0 ms shows at 200.0 ms, NEST's convention).
    """

    projection: object
    conns: np.ndarray
    first_stamp: int
    values: np.ndarray
    kind: str


@dataclass(frozen=True)
class SampleBatch:
    """The recordable values of a population over the steps ``(t_from, t_to]`` of one advance.

    ``read(name, rows, cols)`` returns recordable `name` (in its declared unit)
    at the chunk rows `rows` (int array; row k is the end of step
    ``t_from + 1 + k``) for the nodes `cols` (int array of local indices):
    shape ``(len(rows), len(cols))``, a new array.  Samplers read only the
    rows, nodes and names they record, and the population computes no more.
    """

    t_from: int
    t_to: int
    read: Callable[[str, np.ndarray], np.ndarray]


#: Most emptied blocks an inbox keeps for reuse (fresh memory costs a page fault per 4 KiB on first touch).
MAX_SPARE_BLOCKS = 2
#: Fewest nodes per thread when deferred deposits are applied in several threads.
MIN_NODES_PER_THREAD = 1024


class Inbox:
    """Input buffer of one population: summed input per port, step and node.

    Storage is a dict of dense blocks of ``block_steps`` steps, each of shape
    ``(n_ports, block_steps, n_nodes)``, allocated when first written and
    released once consumed: NEST's ring buffer without a fixed length, so that
    a source may run ahead of its target by more than the maximal delay.

    Deposits may be deferred (:meth:`defer`): they are then applied, in the
    order they arrived, when the population next takes its input, on slices of
    the nodes in the kernel's threads.  Every cell receives its additions in the
    same order as if each had been applied at once, so the sums are identical
    for any thread count; the cache misses of scattered deposits are paid by the
    threads instead of the one thread that delivers the spikes.
    Port 0 is the current port (pA) of neurons; ports 1..n hold spike weights
    (weight x multiplicity, in the unit of the connection weight).

    Parameters
    ----------
    n_ports : int
        Number of ports, including port 0.
    n_nodes : int
        Number of nodes in the population.
    """

    def __init__(self, n_ports, n_nodes):
        self.n_ports = n_ports
        self.n_nodes = n_nodes
        self.block_steps = int(max(8, min(4096, 2 ** 21 // max(1, n_ports * n_nodes))))
        self._blocks = {}
        self._deferred = []
        self._fresh = None             # during a flush: the blocks allocated by it, not yet zeroed
        self._taken = []               # blocks whose last rows the latest take returned (still being read)
        self._spare = []               # blocks taken before that, to be reused (their pages are mapped already)
        self._clearing = True          # every take so far zeroed what it read: emptied blocks are all zero
        self._copies = ArrayPool()     # the input of takes that span two blocks (a copy)

    def defer(self, prepare):
        """Queue a deposit: ``prepare()`` is called when the input is next taken (in the calling thread, so it
        may allocate blocks with :meth:`blocks`) and returns ``apply(lo, hi)``, which adds the deposit's input
        for nodes ``lo .. hi - 1`` only (it may run in a worker thread, beside the other slices)."""
        self._deferred.append(prepare)

    def flush(self, workers=None):
        """Apply the deferred deposits in the order they arrived, on slices of at least MIN_NODES_PER_THREAD
        nodes in `workers`' threads (:class:`~eventsim.workers.Workers`; all in this thread without)."""
        apply = self._prepare_deferred()
        if apply is not None:
            self._run(apply, workers)

    def _run(self, task, workers):
        if workers is None:
            task(0, self.n_nodes)
        else:
            workers.run(task, self.n_nodes, MIN_NODES_PER_THREAD)

    def _prepare_deferred(self):
        """Prepare the deferred deposits (in this thread) and return ``apply(lo, hi)``, which zeroes the new
        blocks and adds the deposits for nodes ``lo .. hi - 1``; None if nothing is deferred."""
        if not self._deferred:
            return None
        deferred, self._deferred = self._deferred, []
        self._fresh = []
        try:
            applies = [prepare() for prepare in deferred]
        finally:
            fresh, self._fresh = self._fresh, None

        def apply(lo, hi):
            for blk in fresh:                 # zeroing 16 MiB blocks is a memset worth sharing
                blk[:, :, lo:hi] = 0.0
            for deposit in applies:
                deposit(lo, hi)
        return apply

    def _block(self, b):
        blk = self._blocks.get(b)
        if blk is None:
            if self._spare:
                blk, zero = self._spare.pop()
            else:
                blk, zero = fresh_zeros((self.n_ports, self.block_steps, self.n_nodes)), True
            if not zero:
                if self._fresh is None:
                    blk.fill(0.0)
                else:                           # during a flush: each thread zeroes its own columns first
                    self._fresh.append(blk)
            self._blocks[b] = blk
        return blk

    def _retire(self, b):
        """Drop block `b` from the held input; its memory is reused once the take after this one has begun."""
        self._taken.append((self._blocks.pop(b), self._clearing))

    def _recycle(self):
        """At a take: the blocks the previous take returned are no longer read; keep a few for reuse."""
        self._spare.extend(self._taken[:max(0, MAX_SPARE_BLOCKS - len(self._spare))])
        self._taken = []

    def blocks(self, first_step, last_step):
        """The blocks holding steps ``first_step .. last_step`` (allocated if new), as a list of
        ``(step of the block's first row, block)``; a writer adds into them in place."""
        B = self.block_steps
        return [(b * B, self._block(b)) for b in range(first_step // B, last_step // B + 1)]

    def add_ports(self, n_new):
        """Append `n_new` empty ports, keeping the input already held."""
        self.flush()
        self._spare, self._taken = [], []
        self.n_ports += n_new
        for b, blk in self._blocks.items():
            self._blocks[b] = np.concatenate([blk, np.zeros((n_new,) + blk.shape[1:])])

    def add_dense(self, first_step, port, nodes, values):
        """Add a dense block, deferred (:meth:`defer`): ``values[k, i]`` at step ``first_step + k`` on `port` of
        node ``nodes[i]`` (repeated nodes receive each of their columns, in order)."""
        nodes = np.asarray(nodes, dtype=np.int64)
        n_steps = values.shape[0]
        contiguous = bool(nodes.size) and nodes[-1] - nodes[0] == nodes.size - 1 and bool(np.all(np.diff(nodes) == 1))
        order = None if contiguous else np.argsort(nodes, kind="stable")
        unique = contiguous or bool(np.all(np.diff(nodes[order]) != 0))

        def prepare():
            B = self.block_steps
            pieces, k = [], 0                                  # (rows of a block on `port`, rows of values)
            while k < n_steps:
                b, off = divmod(first_step + k, B)
                m = min(n_steps - k, B - off)
                pieces.append((self._block(b)[port, off:off + m], values[k:k + m]))
                k += m

            def apply(lo, hi):
                if contiguous:
                    n0, n1 = max(int(nodes[0]), lo), min(int(nodes[-1]) + 1, hi)
                    if n0 < n1:
                        for target, rows in pieces:
                            target[:, n0:n1] += rows[:, n0 - nodes[0]:n1 - nodes[0]]
                    return
                i0, i1 = np.searchsorted(nodes[order], (lo, hi))
                cols = order[i0:i1] if unique else np.sort(order[i0:i1])
                for target, rows in pieces:
                    if unique:
                        target[:, nodes[cols]] += rows[:, cols]
                    else:
                        np.add.at(target, (slice(None), nodes[cols]), rows[:, cols])
            return apply
        self.defer(prepare)

    def take(self, first_step, n_steps, workers=None):
        """Remove and return the input for steps ``first_step .. first_step + n_steps - 1``, after applying the
        deferred deposits (in `workers`' threads, if given).

        Returns an array of shape ``(n_ports, n_steps, n_nodes)``, to be read, not written, and only until the
        next take: when the steps lie in one block it is a view of that block (no copy; the rows of each port
        are contiguous, the ports are not), whose memory the next take may reuse.
        """
        inputs, fill, _ = self.take_in_slices(first_step, n_steps)
        if fill is not None:
            self._run(fill, workers)
        return inputs

    def take_in_slices(self, first_step, n_steps, clear=False):
        """:meth:`take`, with the work on the nodes left to the caller: return ``(inputs, fill, done)``.

        ``fill(lo, hi)`` (None if there is nothing to do) completes columns
        ``lo .. hi - 1`` of `inputs`: a population that works on slices of its
        nodes calls it at the start of each slice's task, so that taking its
        input costs no pass of its own over the threads.  Every column must be
        filled before it is read.

        With `clear`, ``done(lo, hi)`` (None if there is nothing to do) must be
        called once the slice has read its columns: it zeroes them where they
        lie in a block, while they are still in the core's cache, so that an
        emptied block is reused without a pass over all its memory.  `inputs`
        must not be read after that.
        """
        self._clearing = self._clearing and clear
        self._recycle()
        apply = self._prepare_deferred()
        B = self.block_steps
        b, off = divmod(first_step, B)
        blk = self._blocks.get(b)
        if blk is not None and off + n_steps <= B:
            if off + n_steps == B:
                self._retire(b)
            inputs = blk[:, off:off + n_steps]

            def done(lo, hi):
                inputs[:, :, lo:hi] = 0.0
            return inputs, apply, (done if clear else None)
        out = self._copies.empty((self.n_ports, n_steps, self.n_nodes))
        copies, k = [], 0                                   # (rows of out, block or None, its first row)
        while k < n_steps:
            b, off = divmod(first_step + k, B)
            m = min(n_steps - k, B - off)
            blk = self._blocks.get(b)
            copies.append((slice(k, k + m), blk, off))
            if blk is not None and off + m == B:
                self._retire(b)
            k += m

        def fill(lo, hi):
            if apply is not None:
                apply(lo, hi)
            for rows, blk, off in copies:
                if blk is None:
                    out[:, rows, lo:hi] = 0.0
                else:
                    held = blk[:, off:off + rows.stop - rows.start, lo:hi]
                    out[:, rows, lo:hi] = held
                    if clear:
                        held[...] = 0.0
        return out, fill, None


@dataclass(frozen=True)
class Spikes:
    """Spikes arriving at one actor node at one step (a message received by :class:`eventsim.Actor`).

    Attributes
    ----------
    step : int
        Arrival step (stamp + delay); the actor receives the message at SimPy time ``step``.
    time : float
        Arrival time (ms).
    senders : numpy.ndarray of int64
        Global id of the sender of each event, ascending.
    multiplicities : numpy.ndarray of int64
        Spikes each event stands for.
    weights : numpy.ndarray of float64
        Weight of the connection each event travelled (times the sender's spike weight, if any).
    receptors : numpy.ndarray of int64
        Receptor port each event arrived on.
    """

    step: int
    time: float
    senders: np.ndarray
    multiplicities: np.ndarray
    weights: np.ndarray
    receptors: np.ndarray

    def __len__(self):
        return len(self.senders)


@dataclass(frozen=True)
class Current:
    """The input current (pA, summed over the sources and weighted) of one actor node for one step.

    A current device sends a value for every step it is active (as in NEST), so
    an actor connected to one receives one message per step: ``amplitude`` is
    the current from ``time`` (ms; ``step``) to the next step.
    """

    step: int
    time: float
    amplitude: float


@dataclass(frozen=True)
class Samples:
    """Recordable values of observed nodes at one step, asked for with ``observe``.

    Attributes
    ----------
    step : int
        Sample step; the message arrives at SimPy time ``step``.
    time : float
        Sample time (ms).
    senders : numpy.ndarray of int64
        Global ids of the sampled nodes (of one population), ascending.
    values : dict of str to numpy.ndarray
        Recordable name -> value of each sender, in the recordable's unit.
    """

    step: int
    time: float
    senders: np.ndarray
    values: dict
