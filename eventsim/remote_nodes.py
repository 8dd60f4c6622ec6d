"""Stand-ins for nodes under MPI (:mod:`eventsim.distributed`): placeholders for the nodes other ranks hold,
and proxies through which the spikes of a ``Create`` call's nodes on all ranks reach this rank's neurons."""

import numpy as np

__all__ = ["RemoteBlock", "GroupProxy", "block_bounds"]


class _Anything:
    """A container that holds every name: the recordables of a node on another rank (that rank checks)."""

    def __contains__(self, item):
        return True

    def __iter__(self):
        return iter(())


class _StandIn:
    """What the kernel reads of every population, for nodes whose state lives on other ranks:
    a spike source with global ids ``first_gid .. first_gid + n - 1``, no inbox, no samplers."""

    samples_targets = False
    emits_spikes = True
    emits = "spikes"
    inbox = None
    clock_driven = False
    lazy_output = False

    def _start_clock(self):
        """Start at the kernel's time, with no connections yet (called by ``__init__``)."""
        self.copy_name = None
        self.t = self.kernel.steps
        self.progressed = self.kernel.env.event()
        self.upstream, self.samplers, self.outgoing = {}, [], []

    @property
    def gids(self):
        """Global ids of the nodes (int64 array)."""
        return np.arange(self.first_gid, self.first_gid + self.n)


class RemoteBlock(_StandIn):
    """Placeholder for the nodes of a ``Create`` call that another rank holds.

    It answers what ``Connect`` and ``GetStatus`` ask of a population without any state:
    its global ids, its model's ports, and a status naming the rank that holds each node
    (``local`` False, ``vp``) with the model's parameters as None.  The rank holding the nodes
    checks connections to them; :meth:`eventsim.distributed.MPIDistribution.agree` makes every rank raise its errors.
    """

    remote = True
    status_version = 0

    def __init__(self, kernel, cls, first_gid, n, owner):
        self.kernel, self.cls, self.first_gid, self.n, self.owner = kernel, cls, first_gid, n, owner
        self.model_name = cls.model_name
        self.element_type = cls.element_type
        self.spike_ports, self.current_ports = cls.spike_ports, cls.current_ports
        self.input_mode = cls.input_mode
        self.array_parameters = cls.array_parameters
        self.recordables = cls.recordables
        self.read_only = cls.read_only
        self._start_clock()

    def initial_state_keys(self):
        """State keys of the model (as the model class)."""
        return self.cls.initial_state_keys()

    def recordable_names(self):
        """Everything: the rank holding the nodes checks what a multimeter records."""
        return _Anything()

    def n_receptors(self, i):
        """No bound here: the rank holding the nodes checks receptor types."""
        return 1 << 30

    def get_status(self, i):
        """Status of node `i`: where it lives, its parameters as None (they live on rank ``vp``)."""
        keys = list(self.cls.defaults) + list(self.cls.initial_state_keys())
        status = dict.fromkeys(keys)
        status.update(model=self.model_name, global_id=self.first_gid + i, element_type=self.element_type,
                      local=False, vp=self.owner, thread=0)
        return status

    def set_status(self, local, updates):
        """Nothing to store here: the rank holding the nodes validates and stores the values."""

    def pre_run(self):
        """No state to prepare."""

    def advance(self, t_from, t_to):
        """No nodes to advance."""

    def max_chunk_steps(self):
        """Any chunk: the placeholder has no state."""
        return 1 << 62

    def can_absorb(self):
        """Placeholders never take in later Create calls."""
        return False


class GroupProxy(_StandIn):
    """All nodes of one distributed ``Create`` call as a source of connections to neurons on this rank.

    Each exchange round hands it the new spikes of the whole group (global order), which it sends
    with ``Kernel.send_spikes``; its time :attr:`t` is the step every block of the group had
    reached at the last round (all their spikes up to it are delivered).
    """

    element_type = "proxy"

    def __init__(self, kernel, cls, first_gid, n, block):
        self.kernel, self.first_gid, self.n = kernel, first_gid, n
        self.model_name = cls.model_name
        self.block = block
        """The population of this rank's nodes of the group, or None if this rank holds none."""
        self._start_clock()


def block_bounds(n, size):
    """Start of each rank's block of `n` nodes and the end (list of size + 1 int): sizes differ by <= 1."""
    base, extra = divmod(n, size)
    bounds = [0]
    for r in range(size):
        bounds.append(bounds[-1] + base + (r < extra))
    return bounds
