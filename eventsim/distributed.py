"""One network over several MPI processes (ranks): which rank holds which node, and the spike exchange.

Under ``mpiexec -n R python model.py`` (R > 1) every rank runs the same script.  Each
``Create`` of a neuron model gives every rank a population of its *block* of the new nodes
(consecutive global ids, sizes differing by at most one); the nodes held by the other ranks
are :class:`~eventsim.remote_nodes.RemoteBlock` placeholders, so that global ids, ``NodeCollection`` arithmetic and
the connection rules see the whole network.  Devices (generators, recorders) are replicated:
every rank holds each of them, a generator drives the rank's own targets and a recorder records
the rank's own neurons.

``Connect`` resolves a rule on every rank from the same random stream and keeps only the
connections a rank owns: those to its neurons, those of its neurons to a recorder, and those of
a device to a recorder on rank 0.  A connection from a neuron to a neuron leaves from the
:class:`~eventsim.remote_nodes.GroupProxy` of the source's ``Create`` call (all its nodes, on every rank), so that
spikes of local and remote sources arrive through one path in the same order.

Spikes of neurons are exchanged in rounds.  A proxy's time ``t`` says up to which step all spikes
of its group have been delivered; a local neuron population can therefore advance to
``min(proxy.t + delay)`` over its proxies (its *bound*).  A round begins when every local neuron
population has reached its bound: one ``Iallgather`` carries the spikes the rank's neurons sent
since the last round (global index, stamp, multiplicity) and the time each local block has
reached; every proxy then sends its group's spikes, sorted by stamp and source as one process
emits them, through ``Kernel.send_spikes`` and advances to the time all the group's blocks have
reached.  A population waits on a proxy as on any source, so the kernel's conservative scheme is
unchanged and nothing arrives late.  Every round advances the slowest proxy by at least ``D``
steps, the smallest neuron-to-neuron delay, so a run takes at most one round per ``D`` steps
(fewer where a group's input does not depend on other neurons: a parrot fed by a generator
reports the end of the run in the first round).  All ranks see the same times, so they make the
same rounds.

mpi4py is imported only when the environment says the process runs under MPI with more than one
rank (``PMI_SIZE``, ``OMPI_COMM_WORLD_SIZE``, ``PMIX_SIZE`` or ``MPI_LOCALNRANKS``) or when
``EVENTSIM_MPI=1`` asks for it; ``EVENTSIM_MPI=0`` turns distribution off (every rank then runs
the whole network on its own).
"""

import os
import sys
import time
import traceback

import numpy as np
import simpy

from .errors import KernelException
from .messages import SpikeBatch
from .remote_nodes import GroupProxy, RemoteBlock, block_bounds

__all__ = ["LocalDistribution", "MPIDistribution", "distribution_for", "mpi_world_size"]

#: Environment variables through which launchers tell a process the number of ranks.
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS")


def mpi_world_size(environ=None):
    """Number of ranks (int) the launcher announced in the environment; 1 when not under MPI.

    ``EVENTSIM_MPI=1`` asks for MPI even without such a variable (mpi4py then
    tells the size); ``EVENTSIM_MPI=0`` gives 1.
    """
    environ = os.environ if environ is None else environ
    flag = environ.get("EVENTSIM_MPI", "").strip()
    if flag == "0":
        return 1
    for name in SIZE_VARIABLES:
        value = environ.get(name, "").strip()
        if value.isdigit():
            return int(value)
    if flag == "1":
        return _world().Get_size()
    return 1


def _world():
    """MPI.COMM_WORLD (imports mpi4py; a clear error naming the extra if it is missing)."""
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise KernelException("this process runs under MPI but mpi4py is not installed; install it with "
                              "pip install 'eventsim[mpi]' (or set EVENTSIM_MPI=0 to run the whole network on "
                              "every rank)") from err
    return MPI.COMM_WORLD


def distribution_for(kernel):
    """The distribution of a new kernel: :class:`MPIDistribution` under MPI with R > 1, else local."""
    if mpi_world_size() > 1:
        comm = _world()
        if comm.Get_size() > 1:
            _stop_all_ranks_on_uncaught_errors(comm)
            return MPIDistribution(kernel, comm)
    return LocalDistribution(kernel)


_hook_installed = []


def _stop_all_ranks_on_uncaught_errors(comm):
    """Make an uncaught exception end every rank (the others would wait for this one forever), its traceback
    printed once: by the rank it arose on, or by rank 0 alone if every rank raised it (see ``agree``)."""
    if _hook_installed:
        return
    _hook_installed.append(True)
    previous = sys.excepthook

    def hook(kind, value, tb):
        if getattr(value, "raised_on_every_rank", False):
            if comm.Get_rank() == 0:
                previous(kind, value, tb)
            return
        previous(kind, value, tb)
        sys.stderr.write(f"eventsim: uncaught {kind.__name__} on rank {comm.Get_rank()} of {comm.Get_size()}; "
                         "all ranks are stopped (MPI_Abort)\n")
        sys.stderr.flush()
        time.sleep(1.0)          # let the launcher pass the message on before it ends the processes
        comm.Abort(1)

    sys.excepthook = hook


class LocalDistribution:
    """One process holds the whole network: every hook is a no-op."""

    size = 1
    rank = 0
    active = False

    def __init__(self, kernel):
        self.kernel = kernel

    def distributes(self, cls):
        """Whether nodes of model class `cls` are split over the ranks."""
        return False

    def agree(self, error):
        """Make every rank raise if any rank raised `error` (an exception or None)."""

    def local_plans(self, plans):
        """The connection plans of one ``Connect`` call that this rank stores."""
        return plans

    def describe(self, pop, status):
        """Add to a node's `status` (dict) where it lives: nothing in one process."""

    def prepare(self, t_end):
        """Set up the exchange of a ``Simulate`` call up to step `t_end`."""

    def processes(self, t_end):
        """Generators of the SimPy processes the exchange needs up to step `t_end`."""
        return []

    def allgather(self, obj):
        """`obj` of every rank, as a list in rank order."""
        return [obj]

    def abort(self, err):
        """Stop all ranks after `err` interrupted a run on this one."""

    def barrier(self):
        """Wait until every rank arrives here."""


class MPIDistribution(LocalDistribution):
    """The network split over the ranks of `comm` (an mpi4py communicator with more than one rank)."""

    active = True

    def __init__(self, kernel, comm):
        super().__init__(kernel)
        self.comm = comm
        self.size = comm.Get_size()
        self.rank = comm.Get_rank()
        self.groups = []
        """GroupProxy of every distributed Create call, in creation order."""
        self.interval = None
        """The smallest neuron-to-neuron delay (steps), agreed before each run; None: nothing to exchange."""
        self.exchange_seconds = 0.0
        """Wall-clock time spent in the exchange's collectives (s), summed over the kernel's runs."""
        self.exchanges = 0
        self.capacity = 16
        """Spikes a rank can send per round in the exchange's first collective; grows as needed."""

    # --- nodes -----------------------------------------------------------------------------
    def distributes(self, cls):
        if getattr(cls, "clock_driven", False):
            raise KernelException(f"{cls.model_name}: user actors are not supported under MPI (their SimPy "
                                  "processes would have to run on every rank); run them in one process")
        return cls.element_type == "neuron"

    def create(self, cls, model, statuses, initial):
        """Create this rank's block of a new group of ``len(statuses)`` nodes of `cls`, placeholders for the
        others, and the group's proxy; the caller counts the nodes."""
        kernel = self.kernel
        n, first = len(statuses), kernel.n_nodes + 1
        bounds = block_bounds(n, self.size)
        if self._absorb(cls, model, statuses, initial, bounds):
            return
        block, made = None, []
        lo, hi = bounds[self.rank], bounds[self.rank + 1]
        try:
            if hi > lo:
                block = cls(kernel, first + lo, hi - lo, statuses[lo:hi])
                block.t = kernel.steps
                block.outbox = []
                if any(initial[lo:hi]):
                    block.set_status(range(hi - lo), initial[lo:hi])
        except Exception as err:
            self.agree(err)
            raise
        self.agree(None)
        for owner in range(self.size):
            lo, hi = bounds[owner], bounds[owner + 1]
            if hi == lo:
                continue
            pop = block if owner == self.rank else RemoteBlock(kernel, cls, first + lo, hi - lo, owner)
            pop.copy_name = kernel._copy_name(model)
            kernel.populations.append(pop)
            kernel._first_gids.append(pop.first_gid)
            made.append(pop)
        proxy = GroupProxy(kernel, cls, first, n, block)
        proxy.copy_name = kernel._copy_name(model)
        owners = [pop.owner if getattr(pop, "remote", False) else self.rank for pop in made]
        proxy.single_owner = owners[0] if len(owners) == 1 else None
        for pop in made:
            pop.group = proxy
        self.groups.append(proxy)

    def _absorb(self, cls, model, statuses, initial, bounds):
        """Let the nodes of a Create join the previous group where one process would join them (same model,
        nothing simulated yet) and both live wholly on one rank, so that they stay one population there (and
        are integrated together, as in one process); return whether they did."""
        kernel = self.kernel
        owners = [r for r in range(self.size) if bounds[r + 1] > bounds[r]]
        group = self.groups[-1] if self.groups else None
        last = kernel.populations[-1] if kernel.populations else None
        if group is None or len(owners) != 1 or group.single_owner != owners[0] or kernel.steps != 0 \
                or getattr(last, "group", None) is not group or group.copy_name != kernel._copy_name(model):
            return False
        remote = getattr(last, "remote", False)
        if (last.cls if remote else type(last)) is not cls or not cls.can_absorb(last):
            return False
        error = None
        if not remote:
            try:
                first_local = last.n
                last.absorb(statuses)
                if any(initial):
                    last.set_status(range(first_local, first_local + len(statuses)), initial)
            except Exception as err:
                error = err
        self.agree(error)
        if remote:
            last.n += len(statuses)
        group.n += len(statuses)
        return True

    def describe(self, pop, status):
        """A node of this rank (neuron or replicated device) says so: ``local`` True, ``vp`` this rank."""
        if not getattr(pop, "remote", False):
            status.update(local=True, vp=self.rank, thread=0)

    # --- connections -------------------------------------------------------------------------
    def agree(self, error):
        errors = self.comm.allgather(None if error is None else (type(error), str(error)))
        failed = [(r, e) for r, e in enumerate(errors) if e is not None]
        if not failed:
            return
        if error is not None:
            error.raised_on_every_rank = True
            raise error
        owner, (kind, text) = failed[0]
        try:
            err = kind(text)
        except Exception:
            err = KernelException(text)
        err.add_note(f"raised on rank {owner}, which holds the nodes concerned")
        err.raised_on_every_rank = True
        raise err

    def local_plans(self, plans):
        """Keep the connections this rank owns; sources of neuron-to-neuron connections become proxies.

        A connection lives on the rank of its target neuron; a neuron's connection to a recorder on the
        neuron's rank; a device's connection to a recorder on rank 0.
        """
        kept = []
        for spop, tpop, sl, tl, payload in plans:
            if getattr(tpop, "remote", False):
                continue
            group = getattr(spop, "group", None)
            if tpop.element_type == "recorder":
                if getattr(spop, "remote", False) or (group is None and self.rank != 0):
                    continue
                kept.append((spop, tpop, sl, tl, payload))
            elif group is not None:
                kept.append((group, tpop, sl + (spop.first_gid - group.first_gid), tl, payload))
            else:
                kept.append((spop, tpop, sl, tl, payload))
        return kept

    # --- running -------------------------------------------------------------------------------
    def prepare(self, t_end):
        kernel = self.kernel
        streaming = [pop for pop in kernel.populations
                     if pop.element_type == "recorder" and pop.status.get("record_to") == "netcdf"]
        if streaming:
            raise KernelException(f"{streaming[0].model_name} {streaming[0].first_gid} streams to netCDF "
                                  "(record_to='netcdf'), which is not supported under MPI yet; record to memory "
                                  "and write all recordings with eventsim.save_recordings(path)")
        local_min = min((proj.min_delay for proj in kernel.projections.values() if isinstance(proj.source,
                                                                                              GroupProxy)),
                        default=1 << 62)
        from mpi4py import MPI
        interval = self.comm.allreduce(local_min, op=MPI.MIN)
        self.interval = None if interval >= 1 << 62 else int(interval)
        for proxy in self.groups:
            proxy.t = kernel.steps
            proxy.outgoing = kernel.outgoing(proxy)
            if proxy.block is not None:        # None: no neuron-to-neuron connections, nothing to exchange
                proxy.block.outbox = [] if self.interval is not None else None

    def processes(self, t_end):
        if self.interval is None:
            return []
        return [self._exchange(t_end)]

    def _exchange(self, t_end):
        """SimPy process: rounds of waiting for the local blocks, exchanging their spikes and times, and advancing
        the proxies, until every proxy has reached `t_end` (the same number of rounds on every rank)."""
        env = self.kernel.env
        blocks = [proxy.block for proxy in self.groups if proxy.block is not None]
        while min(proxy.t for proxy in self.groups) < t_end:
            while True:
                lagging = [b.progressed for b in blocks if b.t < self._bound(b, t_end)]
                if not lagging:
                    break
                yield simpy.AnyOf(env, lagging)
            reached = np.full(len(self.groups), t_end, dtype=np.int64)
            for g, proxy in enumerate(self.groups):
                if proxy.block is not None:
                    reached[g] = proxy.block.t
            start = time.perf_counter()
            rows, times = self._allgather(self._collect(), reached)
            self.exchange_seconds += time.perf_counter() - start
            self.exchanges += 1
            self._deliver(rows, times.min(axis=0))

    @staticmethod
    def _bound(block, t_end):
        """How far `block` can advance with the proxies' present times: the end of this round for it."""
        bound = t_end
        for src, d in block.upstream.items():
            if isinstance(src, GroupProxy):
                bound = min(bound, src.t + d)
        return bound

    def _allgather(self, rows, header):
        """Every rank's spike rows (int64, shape (k, 4)) joined in rank order, and every rank's `header` (int64,
        shape (R, len(header))): one ``Iallgather`` of a buffer with room for :attr:`capacity` rows; only when a
        rank sent more, an ``Iallgatherv`` of the rest, after which every rank widens the room alike."""
        width, room, h = rows.shape[1], self.capacity, len(header)
        send = np.zeros(1 + h + width * room, dtype=np.int64)
        send[0] = len(rows)
        send[1:1 + h] = header
        head = rows[:room]
        send[1 + h:1 + h + head.size] = head.ravel()
        recv = np.empty(self.size * send.size, dtype=np.int64)
        self._wait(self.comm.Iallgather(send, recv))
        recv = recv.reshape(self.size, send.size)
        counts = recv[:, 0]
        parts = [recv[r, 1 + h:1 + h + width * min(int(c), room)].reshape(-1, width) for r, c in enumerate(counts)]
        if counts.max() > room:
            sizes = np.maximum(counts - room, 0) * width
            rest = np.empty(int(sizes.sum()), dtype=np.int64)
            self._wait(self.comm.Iallgatherv(np.ascontiguousarray(rows[room:]).ravel(), [rest, sizes]))
            ends = np.cumsum(sizes)
            parts = [np.concatenate([parts[r], rest[ends[r] - sizes[r]:ends[r]].reshape(-1, width)])
                     for r in range(self.size)]
            self.capacity = int(2 ** np.ceil(np.log2(counts.max())))
        return np.concatenate(parts), recv[:, 1:1 + h]

    @staticmethod
    def _wait(request):
        """Complete an MPI request, sleeping between tests: a rank waiting for a slower one leaves the core to
        other work (MPI's blocking calls spin), at the cost of up to 0.1 ms of latency."""
        for _ in range(50):
            if request.Test():
                return
        while not request.Test():
            time.sleep(1e-4)

    def _collect(self):
        """Rows (group, index in the group, stamp, multiplicity) of the spikes local blocks sent since the last
        exchange (int64 array of shape (k, 4))."""
        rows = []
        for g, proxy in enumerate(self.groups):
            block = proxy.block
            if block is None or not block.outbox:
                continue
            offset = block.first_gid - proxy.first_gid
            for batch in block.outbox:
                part = np.empty((len(batch), 4), dtype=np.int64)
                part[:, 0] = g
                part[:, 1] = batch.sources + offset
                part[:, 2] = batch.stamps
                part[:, 3] = batch.multiplicities
                rows.append(part)
            block.outbox = []
        return np.concatenate(rows) if rows else np.empty((0, 4), dtype=np.int64)

    def _deliver(self, rows, reached):
        """Send each group's gathered spikes through its proxy (sorted by stamp, then source) and advance the proxy
        to `reached` (per group: the time all its blocks have reached, int64 array)."""
        order = np.lexsort((rows[:, 1], rows[:, 2], rows[:, 0]))
        rows = rows[order]
        cuts = np.searchsorted(rows[:, 0], np.arange(len(self.groups) + 1))
        for g, proxy in enumerate(self.groups):
            part = rows[cuts[g]:cuts[g + 1]]
            if len(part) and proxy.outgoing:
                self.kernel.send_spikes(proxy, SpikeBatch(part[:, 1].copy(), part[:, 2].copy(), part[:, 3].copy()))
            proxy.t = int(reached[g])
            event, proxy.progressed = proxy.progressed, self.kernel.env.event()
            event.succeed()

    def allgather(self, obj):
        return self.comm.allgather(obj)

    def barrier(self):
        self.comm.Barrier()

    def abort(self, err):
        """Print `err` with its traceback once (from the rank it arose on) and end every rank: the others would
        wait forever for this rank's next exchange."""
        text = "".join(traceback.format_exception(err))
        sys.stderr.write(text + f"eventsim: the error above arose on rank {self.rank} of {self.size} during "
                         "Simulate; all ranks are stopped (MPI_Abort)\n")
        sys.stderr.flush()
        time.sleep(1.0)          # let the launcher pass the message on before it ends the processes
        self.comm.Abort(1)
        os._exit(1)
