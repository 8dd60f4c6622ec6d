"""Base classes of all node models.

A :class:`Population` holds the nodes made by one ``Create`` call (or consecutive calls), with
consecutive global ids, their own parameters and state, advanced together by
one SimPy process.  Subclasses declare their metadata (``defaults``, ``units``,
``recordables``, ports) and implement :meth:`Population.advance`.
"""

import copy
import math
import numbers

import numpy as np

from eventsim.errors import BadProperty, KernelException, UnaccessedDictionaryEntry
from eventsim.timegrid import grid_ms
from .spike_deposit import deposit_spikes

__all__ = ["Population", "StimulationDevice", "activity_window", "check_window", "as_float", "as_bool", "as_float_array"]

_NO_FACTORS = np.zeros(0)


def as_float(name, value):
    """Return `value` as float, or raise BadProperty naming `name`."""
    if type(value) is float and math.isfinite(value):
        return value
    if isinstance(value, (bool, np.bool_)) or not np.isscalar(value):
        raise BadProperty(f"{name} must be a number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise BadProperty(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(out):
        raise BadProperty(f"{name} must be finite, got {value!r}")
    return out


def as_bool(name, value):
    """Return `value` as bool, or raise BadProperty naming `name`."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise BadProperty(f"{name} must be a boolean, got {value!r}")


def as_float_array(name, value):
    """Return `value` as a 1-D float64 array, or raise BadProperty naming `name`."""
    if isinstance(value, (str, bytes, dict)) or np.isscalar(value):
        raise BadProperty(f"{name} must be a list of numbers, got {value!r}")
    try:
        arr = np.array(value, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise BadProperty(f"{name} must be a list of numbers, got {value!r}") from None
    if np.ndim(value) > 1:
        raise BadProperty(f"{name} must be one-dimensional, got shape {np.shape(value)}")
    if not np.all(np.isfinite(arr)):
        raise BadProperty(f"{name} must contain finite numbers, got {value!r}")
    return arr


class Population:
    """A population of nodes of one model.

    Class attributes declared by subclasses
    ----------------------------------------
    model_name : str
        NEST model name.
    element_type : str
        ``"neuron"``, ``"stimulator"`` or ``"recorder"``.
    defaults : dict
        Parameter and initial-state defaults, NEST names and units.
    units : dict
        Unit string of each parameter, state variable and recordable.
    recordables : tuple of str
        Names a multimeter may record.
    read_only : tuple of str
        Keys returned by ``get`` that ``set`` refuses.
    spike_ports, current_ports : tuple of int
        Receptor numbers accepting spikes and currents.
    input_mode : str
        ``"weight"``: incoming spikes deposit weight x multiplicity;
        ``"count"``: they deposit the multiplicity (parrot neurons).
    samples_targets : bool
        True for a recorder connected to the neurons it observes
        (``Connect(multimeter, neurons)``): the neurons hand it samples.
    array_parameters : frozenset of str
        Parameters whose value is a list for one node (e.g. ``spike_times``);
        ``Create`` and ``set`` split a value per node only when it is a list
        of such lists.
    clock_driven : bool
        True for populations of user actors, which run as SimPy processes on
        the clock instead of being advanced by the kernel (see
        :mod:`eventsim.nodes.actor`).
    lazy_output : bool
        True for a source that hands its output to a target only when the
        target is about to read it (:meth:`supply`).
    independent_parameters : dict
        Parameters whose check depends on nothing but their own value, each
        with its check ``fn(name, value) -> stored value`` (raising
        BadProperty).  A ``set`` that changes only such parameters of a node
        checks just those instead of calling :meth:`validate` on the node's
        whole status; :meth:`validate` must apply the same checks to them.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel
    first_gid : int
        Global id of the first node.
    n : int
        Number of nodes.
    statuses : list of dict
        Per-node parameter dicts, already merged with the model defaults.
    """

    model_name = ""
    element_type = "neuron"
    defaults = {}
    units = {}
    recordables = ()
    read_only = ()
    independent_parameters = {}
    spike_ports = ()
    current_ports = ()
    input_mode = "weight"
    samples_targets = False
    array_parameters = frozenset()
    emits_spikes = False
    emits = None
    clock_driven = False
    lazy_output = False

    @classmethod
    def initial_state_keys(cls):
        """State variables that ``Create``'s params may set (e.g. V_m)."""
        return ()

    def recordable_names(self):
        """Names a multimeter may record from this population."""
        return list(self.recordables)

    def recordable_units(self):
        """Unit of each recordable."""
        return {name: self.units.get(name, "1") for name in self.recordable_names()}

    def __init__(self, kernel, first_gid, n, statuses):
        self.kernel = kernel
        self.first_gid = first_gid
        self.n = n
        self.t = 0
        """Time (steps) up to which this population has been advanced and sent its output."""
        self.progressed = kernel.env.event()
        """SimPy event triggered whenever :attr:`t` advances."""
        self.upstream = {}
        """Source population -> smallest delay (steps) of its connections to this one."""
        self.samplers = []
        """Recorders sampling this population (multimeters), in the order they were connected."""
        self._params = self._validate_all(statuses)
        self.inbox = None
        self.status_version = 0
        """Incremented whenever a parameter or settable state changes (lets pre_run skip unchanged work)."""

    # --- status -------------------------------------------------------------
    @property
    def gids(self):
        """Global ids of the population (int64 array)."""
        return np.arange(self.first_gid, self.first_gid + self.n)

    def validate(self, status):
        """Check and normalise one node's parameter dict; return it. Raise BadProperty."""
        return status

    def _validate_all(self, statuses):
        """Validated copies of `statuses`; a dict passed for several nodes (the same object) is validated once.

        The nodes get shallow copies of one validated dict: its arrays are shared, which is safe because
        parameters are only ever replaced (set_status validates into new objects), never changed in place.
        """
        done = {}
        out = []
        for s in statuses:
            v = done.get(id(s))
            if v is None:
                v = done[id(s)] = self.validate(dict(s))
                out.append(v)
            else:
                out.append(dict(v))
        return out

    def get_status(self, i):
        """Parameters and state of local node `i` as a dict (NEST names and units)."""
        out = copy.deepcopy(self._params[i])
        out.update(self._state_status(i))
        out.update(model=self.model_name, global_id=self.first_gid + i, element_type=self.element_type)
        if self.recordables:
            out["recordables"] = list(self.recordables)
        return out

    def _state_status(self, i):
        return {}

    def set_status(self, local, updates):
        """Set parameters of local nodes `local` from `updates` (one dict per node).

        All values are validated on copies first; nothing changes if any is illegal.
        """
        new = []
        settable_state = self._settable_state()
        independent = self.independent_parameters
        for i, upd in zip(local, updates):
            status = self._params[i]
            if independent and all(k in independent for k in upd):
                merged = {**status, **{k: independent[k](k, v) for k, v in upd.items()}}
                new.append((i, merged, self._validate_state(i, merged, {})))
                continue
            for k in upd:
                if k in self.read_only or k in ("model", "global_id", "element_type", "recordables"):
                    raise BadProperty(f"{k!r} of {self.model_name} is read-only")
                if k not in status and k not in settable_state:
                    raise UnaccessedDictionaryEntry(f"{self.model_name} has no parameter {k!r} that can be set; "
                                                    f"known parameters: {', '.join(sorted(status))}")
            merged = {**status, **{k: v for k, v in upd.items() if k in status}}
            state = {k: v for k, v in upd.items() if k in settable_state}
            new.append((i, self.validate(merged), self._validate_state(i, merged, state)))
        for i, status, state in new:
            self._params[i] = status
            self._commit_state(i, status, state)
        self.status_version += 1

    def _settable_state(self):
        return self.initial_state_keys()

    def _validate_state(self, i, status, state):
        return state

    def _commit_state(self, i, status, state):
        pass

    # --- simulation -----------------------------------------------------------
    def pre_run(self):
        """Derive the vectorised constants from the parameters; called before each Simulate."""

    def advance(self, t_from, t_to):
        """Advance the population from step `t_from` to `t_to` and emit output stamped in (t_from, t_to]."""

    def end_run(self, t_end):
        """Called for clock-driven populations when the clock has run every event up to `t_end` (steps)."""

    def supply(self, target, until):
        """Deliver to `target` the output it reads up to step `until` (only for ``lazy_output`` sources)."""

    # --- the receive step: every message for this population arrives through these ------
    def receive_spikes(self, source, projection, batch):
        """Receive a spike batch of `source` over `projection`: deposit weight x multiplicity (or the
        multiplicity, for ``input_mode == "count"``) at ``stamp + delay`` into the inbox.

        One compiled pass over the events and their connections (:func:`nodes.spike_deposit.deposit_spikes`)
        per inbox block they reach, deferred to the population's next take of its input
        (:meth:`~eventsim.messages.Inbox.defer`), where slices of the targets are filled side by side in the
        kernel's threads (every inbox cell receives its additions in the same order).
        """
        ptr, tgt, w, d, r = projection.csr()
        d_min, d_max, port_max = projection.csr_extent()
        if port_max < 0 or len(batch) == 0:
            return
        if port_max >= self.inbox.n_ports:
            raise KernelException(f"{self.model_name}: a connection targets receptor {port_max}, but the nodes "
                                  f"have {self.inbox.n_ports - 1} receptor ports")
        stamps, sources, multiplicities = (np.ascontiguousarray(x, dtype=np.int64)
                                           for x in (batch.stamps, batch.sources, batch.multiplicities))
        factors = _NO_FACTORS if batch.weights is None else np.ascontiguousarray(batch.weights, dtype=np.float64)
        count_mode = self.input_mode == "count"
        first, last = int(stamps.min()) + d_min, int(stamps.max()) + d_max

        def prepare():
            blocks = self.inbox.blocks(first, last)

            def apply(lo, hi):
                for first_step, block in blocks:
                    deposit_spikes(block, first_step, sources, stamps, multiplicities, factors, ptr, tgt, w, d, r,
                                   count_mode, lo, hi)
            return apply
        self.inbox.defer(prepare)

    def receive_per_connection(self, source, batch):
        """Receive events drawn per connection (a :class:`~eventsim.messages.ConnectionBatch`): one dense
        inbox block per delay and port, weighted (spike counts of ``input_mode == "count"`` targets are not);
        a current for the step ending at stamp s is the input from ``s + delay - 1`` on."""
        src, tgt, w, d, r = batch.projection.arrays
        c = batch.conns
        weighted = batch.kind == "current" or self.input_mode != "count"
        shift = -1 if batch.kind == "current" else 0
        if c.size == 0:
            return
        delays, ports = d[c], r[c]
        if delays.min() == delays.max() and ports.min() == ports.max():     # the usual case: one block
            groups = [(delays[0], ports[0], None)]
        else:
            groups = [(delay, port, (delays == delay) & (ports == port))
                      for delay in np.unique(delays) for port in np.unique(ports)]
        for delay, port, m in groups:
            if m is not None and not m.any():                # no connection has this delay and port
                continue
            conns, values = (c, batch.values) if m is None else (c[m], batch.values[:, m])
            if weighted:
                weights = w[conns]
                if weights.min() != 1.0 or weights.max() != 1.0:
                    values = values * weights
            self.inbox.add_dense(batch.first_stamp + int(delay) + shift, int(port), tgt[conns], values)

    def can_absorb(self):
        """Whether nodes of a following ``Create`` call of the same model may join this population."""
        return False

    def absorb(self, statuses):
        """Append nodes with parameter dicts `statuses` (merged with defaults) to this population."""
        raise NotImplementedError

    def max_chunk_steps(self):
        """Largest number of steps one call of :meth:`advance` may cover (memory bound)."""
        return 1 << 16

    def n_receptors(self, i):
        """Number of spike receptor ports of local node `i` (ports 1..n)."""
        return max(self.spike_ports, default=0)


class StimulationDevice(Population):
    """A device that injects spikes or current, active on ``(origin + start, origin + stop]`` (ms)."""

    element_type = "stimulator"
    common_defaults = {"origin": 0.0, "start": 0.0, "stop": float("inf")}

    def validate(self, status):
        # The window of most nodes is unchanged by a SetStatus: remember accepted (origin, start, stop)
        # triples per resolution and reuse them; anything new goes through check_window.
        raw = tuple((type(status[k]), status[k]) for k in ("origin", "start", "stop"))
        try:
            key = (raw, self.kernel.resolution)
            window = self._windows_accepted[key]
        except (AttributeError, TypeError, KeyError):
            window = None
        if window is not None:
            status["origin"], status["start"], status["stop"] = window
            return status
        status = check_window(self.model_name, status, self._time)
        try:
            memo = self.__dict__.setdefault("_windows_accepted", {})
            if len(memo) < 4096:
                memo[(raw, self.kernel.resolution)] = (status["origin"], status["start"], status["stop"])
        except TypeError:  # unhashable value
            pass
        return status

    def _time(self, name, value):
        """`value` as a time on the grid (ms), in NEST's representation; BadProperty if off the grid.

        Accepted values are remembered per (type, value, resolution): a SetStatus that changes another
        parameter re-checks the unchanged times of every node, and this keeps that cheap.
        """
        try:
            key = (type(value), value, self.kernel.resolution)
            return self._grid_times[key]
        except (AttributeError, TypeError, KeyError):
            pass
        v = as_float(name, value)
        self.kernel.check_on_grid(name, v)
        out = grid_ms(v, self.kernel.resolution)
        try:
            memo = self.__dict__.setdefault("_grid_times", {})
            if len(memo) < 4096:
                memo[(type(value), value, self.kernel.resolution)] = out
        except TypeError:  # unhashable value
            pass
        return out

    def window_steps(self, i):
        """Activity window of node `i` as integer steps ``(lo, hi]``; ``hi`` may be a large int."""
        return activity_window(self._params[i], self.kernel.resolution)


def activity_window(status, resolution):
    """Window ``(lo, hi]`` in integer steps of a device with `status` keys origin, start, stop (ms).

    `resolution` is the step (ms); ``hi`` is a large int for ``stop=inf``.
    """
    lo = int(round((status["origin"] + status["start"]) / resolution))
    hi = (1 << 62) if np.isinf(status["stop"]) else int(round((status["origin"] + status["stop"]) / resolution))
    return lo, hi


def check_window(model_name, status, to_time):
    """Validate a device's ``origin``, ``start`` and ``stop`` (ms) in `status` in place and return it.

    ``to_time(name, value)`` checks one time and returns the value to store;
    ``stop`` None or +inf means no end.  Raises BadProperty if stop < start.
    """
    for key in ("origin", "start"):
        status[key] = to_time(key, status[key])
    stop = status["stop"]
    if stop is None or (isinstance(stop, numbers.Real) and not isinstance(stop, bool) and np.isposinf(stop)):
        status["stop"] = float("inf")
    else:
        status["stop"] = to_time("stop", stop)
    if status["stop"] < status["start"]:
        raise BadProperty(f"{model_name}: stop ({status['stop']} ms) must not be before start "
                          f"({status['start']} ms)")
    return status
