"""User actors: node models written in a script as SimPy processes.

A user subclasses :class:`Actor`, names the model with the class keyword
``model``, declares parameters, ports and what it emits as class data, and
writes the node's behaviour as the generator method ``run``::

    class Relay(nest.Actor, model="relay"):
        def run(self):
            while True:
                spikes = yield self.receive()
                self.send_spikes(multiplicity=int(spikes.multiplicities.sum()))

``nest.Create("relay", n)`` makes n nodes, each one instance of the class
running its own ``run`` process from the first ``Simulate`` on; they connect,
record and take parameters like the built-in models.  The nodes of one
``Create`` call form one :class:`ActorPopulation`, which the kernel treats as
*clock-driven*: it is not advanced in chunks; its nodes act at the SimPy
clock's time.  Causality (see ``docs/actors.md``):

- what arrives for a node (spikes, currents, samples) is put into its mailbox
  when the clock reaches the arrival step, before the user processes of that
  step run: never earlier;
- what a node sends is stamped with the clock's time ``now`` and arrives at
  ``now + delay``; the targets advance only up to ``now - 1 + delay``.
"""

import inspect
import numbers

import numpy as np
import simpy

from eventsim.errors import BadParameter, BadProperty, KernelException
from eventsim.messages import ConnectionBatch, Current, SampleBatch, SpikeBatch, Spikes
from eventsim.registry import model_class, node_models, register, unregister
from .base import Population, as_bool, as_float, as_float_array

__all__ = ["Actor", "ActorPopulation", "remove_model"]

#: Kinds of output an actor model may declare (``emits``).
EMITS = ("spikes", "current", None)


class Actor:
    """Base class of node models written as SimPy processes: one instance per node.

    Declare in the subclass (class data):

    ``model`` (class keyword)
        The model name for ``Create``; ``replace=True`` (class keyword) replaces an actor model of that name
        defined before (a script run again); built-in names are refused.
    ``defaults`` : dict
        Parameters and their defaults (numbers, booleans, strings or lists of numbers); ``Create``, ``set``
        and ``SetDefaults`` accept these keys only, of the default's type.
    ``units`` : dict
        Unit of each parameter (str), shown by ``GetDefaults`` users and docs.
    ``spike_ports`` : tuple of int
        Receptor types that accept spikes (default ``(0,)``; ``()`` for none).
    ``current_ports`` : tuple of int
        Receptor types that accept currents from current devices (default none).
    ``emits`` : ``"spikes"``, ``"current"`` or None
        What the node sends (default ``"spikes"``): spikes with :meth:`send_spikes`, or a held current with
        :meth:`send_current`.
    ``element_type`` : ``"neuron"`` or ``"stimulator"``
        A stimulator accepts no input (default ``"neuron"``).
    ``recordables`` : dict
        Attributes of the node a multimeter may record, name -> unit (default none).  Assign them in
        ``run`` (``self.rate = ...``); a sample at step s is the value after the node's events at s
        (NaN before the first assignment).  The multimeter receives an actor's samples at the end of each
        ``Simulate`` call.

    and the generator method :meth:`run`.  Inside it, ``self.env`` is the SimPy environment (its time
    counts steps of the resolution), ``self.now`` the time in ms, ``self.params`` the node's parameters.
    """

    model_name = None
    defaults = {}
    units = {}
    spike_ports = (0,)
    current_ports = ()
    emits = "spikes"
    element_type = "neuron"
    recordables = {}

    def __init_subclass__(cls, model=None, replace=False, **kwargs):
        super().__init_subclass__(**kwargs)
        if model is None:
            return
        _check_declarations(cls, model)
        population = type(f"{cls.__name__}Population", (ActorPopulation,), {
            "model_name": model, "actor_class": cls, "defaults": dict(cls.defaults),
            "spike_ports": tuple(cls.spike_ports), "current_ports": tuple(cls.current_ports), "emits": cls.emits,
            "emits_spikes": cls.emits == "spikes", "lazy_output": cls.emits == "current",
            "element_type": cls.element_type, "recordables": tuple(cls.recordables),
            "units": {**cls.units, **cls.recordables},
            "array_parameters": frozenset(k for k, v in cls.defaults.items() if _is_list(v)),
            "__doc__": cls.__doc__ or f"Population of {model} actors."})
        _register(population, model, replace)
        cls.model_name = model

    def __init__(self, population, index):
        self._population = population
        self._index = index
        self._mailbox = None

    def __setattr__(self, name, value):
        if name in type(self).recordables:
            self._population.note_recordable(name, self._index, value)
        object.__setattr__(self, name, value)

    # --- what the node knows ------------------------------------------------------------
    @property
    def env(self):
        """The SimPy environment the node runs in (time in steps of the resolution)."""
        return self._population.kernel.env

    @property
    def kernel(self):
        """The :class:`~eventsim.kernel.Kernel` the node belongs to."""
        return self._population.kernel

    @property
    def gid(self):
        """Global id of the node (int)."""
        return self._population.first_gid + self._index

    @property
    def params(self):
        """The node's parameters (dict, read-only: change them with ``set``/``SetStatus`` between runs)."""
        return self._population._params[self._index]

    @property
    def now(self):
        """The clock's time in ms."""
        return self.kernel.steps_to_ms(self.env.now)

    def timeout(self, ms):
        """SimPy timeout of `ms` ms (a non-negative multiple of the resolution): ``yield self.timeout(1.0)``."""
        return self.env.timeout(self._population.steps_of(ms))

    # --- receiving -------------------------------------------------------------------------
    def receive(self):
        """SimPy event whose value is the next message for this node (:class:`~eventsim.messages.Spikes`,
        :class:`~eventsim.messages.Current` or :class:`~eventsim.messages.Samples`), at its arrival time."""
        return self._mailbox.get()

    def received(self):
        """The messages that have arrived and not been received yet (list, oldest first), without waiting."""
        items = list(self._mailbox.items)
        self._mailbox.items.clear()
        return items

    def observe(self, nodes, record_from, times):
        """Ask for samples of `record_from` (list of recordable names) of `nodes` (a NodeCollection of
        neurons) at `times` (ms, later than the time they have reached); each arrives in this node's mailbox
        as a :class:`~eventsim.messages.Samples` message at its time."""
        return self.kernel.observe(nodes, record_from, times, deliver=self._mailbox.put)

    # --- sending ----------------------------------------------------------------------------
    def send_spikes(self, multiplicity=1):
        """Send a spike (of `multiplicity`, an int >= 1) stamped now: it reaches each target at now + delay
        of the connection, with the connection's weight, as a built-in neuron's spike does."""
        pop = self._population
        pop.check_can_send("send_spikes", "spikes")
        if isinstance(multiplicity, bool) or not isinstance(multiplicity, numbers.Integral) or multiplicity < 1:
            raise BadParameter(f"multiplicity must be an integer >= 1, got {multiplicity!r}")
        now = int(self.env.now)
        pop.kernel.send_spikes(pop, SpikeBatch(np.array([self._index]), np.array([now]),
                                               np.array([int(multiplicity)])))

    def send_current(self, amplitude):
        """Set the node's output current to `amplitude` (pA) from now on: each target receives amplitude x
        weight from now + delay on, until the next call (as a step_current_generator with an amplitude time
        of now and the same delay)."""
        pop = self._population
        pop.check_can_send("send_current", "current")
        pop.set_level(self._index, as_float("amplitude", amplitude))

    def run(self):
        """The node's behaviour: a generator (SimPy process) started at the first ``Simulate``."""
        raise NotImplementedError

    @classmethod
    def validate(cls, params):
        """Check and normalise one node's parameters (dict); return them or raise BadProperty.  The default
        checks each value against the type of its default; override to add checks (call super first)."""
        for key, default in cls.defaults.items():
            value = params[key]
            if isinstance(default, bool):
                params[key] = as_bool(key, value)
            elif isinstance(default, numbers.Real):
                params[key] = as_float(key, value)
            elif isinstance(default, str):
                if not isinstance(value, str):
                    raise BadProperty(f"{key} must be a string, got {value!r}")
            elif _is_list(default):
                params[key] = as_float_array(key, value)
        return params


class ActorPopulation(Population):
    """The nodes of one ``Create`` call of an actor model: one :class:`Actor` instance and process per node.

    The kernel does not advance it; its time is the clock's.  Its bound for the targets (``t``) is the
    clock's time minus one step, since its nodes may still send stamped with the current time.
    """

    clock_driven = True
    actor_class = Actor

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self.actors = [self.actor_class(self, i) for i in range(n)]
        """One :class:`Actor` per node."""
        self._started = False
        self._pending = {}
        """Arrival step -> parts (kind, arrays) of the messages due then."""
        self._level_steps = [-(1 << 62)]
        self._levels = [np.zeros(n)]
        """Held output current (pA) of each node, as set at each clock step (``emits == "current"``)."""
        self._level_arrays = None
        self._supplied = {}
        self._steps_of = {}
        self._send_checks = []
        self._run_start = kernel.steps
        """Step at which the current Simulate call began."""
        self._recorded = {name: (np.full(n, np.nan), []) for name in self.recordables}
        """Recordable -> (values at ``_sampled_to``, changes since: (step, node, value))."""

    @property
    def t(self):
        """Bound for the targets (steps): everything stamped before the clock's time has been sent."""
        return int(self.kernel.env.now) - 1

    @t.setter
    def t(self, value):
        """The clock defines this population's time; the kernel's assignment at ``Create`` is ignored."""

    def validate(self, status):
        return self.actor_class.validate(status)

    def n_receptors(self, i):
        return max(self.spike_ports, default=0)

    def steps_of(self, ms):
        """`ms` (a non-negative multiple of the resolution) in steps; conversions are remembered (the
        resolution cannot change once nodes exist)."""
        steps = self._steps_of.get(ms)
        if steps is None:
            steps = self.kernel.ms_to_steps(ms)
            if steps < 0:
                raise BadParameter(f"timeout must not be negative, got {ms} ms")
            self._steps_of[ms] = steps
        return steps

    def pre_run(self):
        """Note the targets' smallest delays (for the causality check of sends); start the nodes' processes
        at the first ``Simulate`` after their ``Create``."""
        self._run_start = self.kernel.steps
        self._send_checks = [(p.target, p.min_delay) for p in self.outgoing
                             if not p.target.clock_driven and p.target.element_type != "recorder"]
        if self._started:
            return
        self._started = True
        env = self.kernel.env
        for actor in self.actors:
            actor._mailbox = simpy.Store(env)
            process = actor.run()
            if not inspect.isgenerator(process):
                raise BadParameter(f"{self.model_name}: run() must be a generator (use yield), got "
                                   f"{type(process).__name__}")
            env.process(process)

    # --- recordables ------------------------------------------------------------------------
    def note_recordable(self, name, i, value):
        """Node `i` assigned recordable `name` (a number) at the clock's step."""
        value = as_float(name, value)
        self._recorded[name][1].append((int(self.kernel.env.now), i, value))

    def end_run(self, t_end):
        """Hand the samplers (multimeters) the recordables over the steps of this call, up to `t_end`."""
        t_from = self._run_start
        if self.samplers and t_end > t_from:
            self.kernel.send_samples(self, SampleBatch(t_from, t_end, self._reader(t_from)))
        for values, changes in self._recorded.values():
            for _, i, value in changes:
                values[i] = value
            changes.clear()

    def _reader(self, t_from):
        def read(name, rows, cols):
            values, changes = self._recorded[name]
            out = np.repeat(values[None, :], len(rows), axis=0)
            steps = t_from + 1 + np.asarray(rows)
            for step, i, value in changes:          # in the order assigned: the last one of a step wins
                out[steps >= step, i] = value
            return out[:, cols]
        return read

    # --- sending --------------------------------------------------------------------------
    def check_can_send(self, what, kind):
        """Raise unless the model emits `kind` and the network is running (so that the send is on time)."""
        if self.emits != kind:
            raise BadParameter(f"{self.model_name} declares emits={self.emits!r}; {what} needs emits={kind!r}")
        if not self.kernel._running:
            raise KernelException(f"{self.model_name}: {what} is only possible while Simulate runs (the "
                                  "targets advance with the network, not with env.run)")
        now = self.kernel.env.now
        for target, delay in self._send_checks:
            if now + delay <= target.t:
                raise KernelException(f"{self.model_name}: a send at {self.kernel.steps_to_ms(now)} ms would reach "
                                      f"{target.model_name} nodes after they advanced past it")

    def set_level(self, i, amplitude):
        """Set node `i`'s held output current to `amplitude` (pA) from the clock's step on."""
        now = int(self.kernel.env.now)
        if self._level_steps[-1] != now:
            self._level_steps.append(now)
            self._levels.append(self._levels[-1].copy())
        self._levels[-1][i] = amplitude
        self._level_arrays = None

    def supply(self, target, until):
        """Deposit the held currents into `target`'s inbox for its rows up to step `until`, through the
        kernel's per-connection path (weights, delays, ports as a current device's)."""
        if self._level_arrays is None:
            self._level_arrays = np.asarray(self._level_steps), np.asarray(self._levels)
        steps, levels = self._level_arrays
        for proj in self.outgoing:
            if proj.target is not target:
                continue
            start = max(self._supplied.get(id(proj), target.t), target.t)
            if until <= start:
                continue
            rows = np.arange(start + 1, until + 1)
            src, _, _, d, _ = proj.arrays
            single = d.size and d[0] == d[-1] and np.all(d == d[0])
            for delay in ([int(d[0])] if single else np.unique(d).tolist()):
                conns = np.arange(d.size) if single else np.flatnonzero(d == delay)
                k = np.searchsorted(steps, rows - delay, side="right") - 1
                values = levels[k][:, src[conns]]
                if values.any():
                    self.kernel.send_per_connection(self, ConnectionBatch(proj, conns, start + 2 - delay, values,
                                                                          "current"))
            self._supplied[id(proj)] = until
        self._forget_old_levels()

    def _forget_old_levels(self):
        if len(self._level_steps) < 64:
            return
        oldest = min((self._supplied.get(id(p), p.target.t) + 1 - int(p.arrays[3].max()) for p in self.outgoing),
                     default=int(self.kernel.env.now))
        keep = max(0, int(np.searchsorted(self._level_steps, oldest, side="right")) - 1)
        if keep:
            del self._level_steps[:keep], self._levels[:keep]
            self._level_arrays = None

    # --- receiving: the receive step of an actor puts messages into the mailboxes ----------
    def receive_spikes(self, source, projection, batch):
        idx, counts = projection.expand(batch.sources)
        if idx.size == 0:
            return
        _, tgt, w, d, r = projection.csr()
        weights = w[idx] if batch.weights is None else w[idx] * np.repeat(batch.weights, counts)
        self._hold("spikes", np.repeat(batch.stamps, counts) + d[idx], tgt[idx],
                   source.first_gid + np.repeat(batch.sources, counts), np.repeat(batch.multiplicities, counts),
                   weights, r[idx])

    def receive_per_connection(self, source, batch):
        src, tgt, w, d, r = batch.projection.arrays
        c = batch.conns
        step, col = np.nonzero(batch.values)
        conn = c[col]
        if batch.kind == "current":
            self._hold("current", batch.first_stamp + step + d[conn] - 1, tgt[conn],
                       batch.values[step, col] * w[conn])
        else:
            self._hold("spikes", batch.first_stamp + step + d[conn], tgt[conn], source.first_gid + src[conn],
                       batch.values[step, col].astype(np.int64), w[conn], r[conn])

    def _hold(self, kind, arrival, *fields):
        """Keep message parts until their arrival step; schedule one delivery per new arrival step."""
        if arrival.size == 0:
            return
        order = np.argsort(arrival, kind="stable")
        arrival = arrival[order]
        fields = [f[order] for f in fields]
        bounds = np.flatnonzero(np.diff(arrival)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, arrival.size]):
            step = int(arrival[lo])
            parts = self._pending.get(step)
            if parts is None:
                parts = self._pending[step] = []
                self.kernel.deliver_at(step, self._deliver, step)
            parts.append((kind, [f[lo:hi] for f in fields]))

    def _deliver(self, step):
        """Put the messages due at `step` into the mailboxes: per node, one Spikes and one Current message."""
        parts = self._pending.pop(step)
        time = self.kernel.steps_to_ms(step)
        spikes = [p for kind, p in parts if kind == "spikes"]
        if spikes:
            node, senders, mult, weights, receptors = (np.concatenate(x) for x in zip(*spikes))
            order = np.lexsort((senders, node))
            node, senders, mult, weights, receptors = (a[order] for a in (node, senders, mult, weights, receptors))
            bounds = np.flatnonzero(np.diff(node)) + 1
            for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, node.size]):
                self.actors[int(node[lo])]._mailbox.put(
                    Spikes(step, time, senders[lo:hi], mult[lo:hi], weights[lo:hi], receptors[lo:hi]))
        currents = [p for kind, p in parts if kind == "current"]
        if currents:
            node, values = (np.concatenate(x) for x in zip(*currents))
            total = np.bincount(node, weights=values, minlength=self.n)
            for i in np.flatnonzero(total).tolist():
                self.actors[i]._mailbox.put(Current(step, time, float(total[i])))


def _is_list(value):
    return isinstance(value, (list, tuple, np.ndarray))


def _check_declarations(cls, model):
    """Raise at class definition if the actor model `model` declares something the kernel cannot honour."""
    if not isinstance(model, str) or not model:
        raise BadParameter(f"model must be a non-empty string, got {model!r}")
    if cls.run is Actor.run or not inspect.isgeneratorfunction(cls.run):
        raise BadParameter(f"actor model {model!r}: define run(self) as a generator (a SimPy process body "
                           "that yields events)")
    if cls.emits not in EMITS:
        raise BadParameter(f"actor model {model!r}: emits must be one of {EMITS}, got {cls.emits!r}")
    if cls.element_type not in ("neuron", "stimulator"):
        raise BadParameter(f"actor model {model!r}: element_type must be 'neuron' or 'stimulator', got "
                           f"{cls.element_type!r}")
    for name in ("spike_ports", "current_ports"):
        ports = getattr(cls, name)
        if not isinstance(ports, (tuple, list)) or not all(isinstance(p, int) and p >= 0 for p in ports):
            raise BadParameter(f"actor model {model!r}: {name} must be a tuple of non-negative ints, got {ports!r}")
    if set(cls.spike_ports) & set(cls.current_ports):
        raise BadParameter(f"actor model {model!r}: a port cannot take both spikes and currents")
    if not isinstance(cls.defaults, dict) or not all(isinstance(k, str) for k in cls.defaults):
        raise BadParameter(f"actor model {model!r}: defaults must be a dict of parameter names to values")
    reserved = {"model", "global_id", "element_type", "recordables"} & set(cls.defaults)
    if reserved:
        raise BadParameter(f"actor model {model!r}: {sorted(reserved)[0]!r} is a reserved status key")
    if not isinstance(cls.recordables, dict) or not all(isinstance(k, str) and isinstance(u, str)
                                                         for k, u in cls.recordables.items()):
        raise BadParameter(f"actor model {model!r}: recordables must be a dict of names to units")
    clash = set(cls.recordables) & (set(cls.defaults) | set(dir(Actor)))
    if clash:
        raise BadParameter(f"actor model {model!r}: recordable {sorted(clash)[0]!r} is a parameter or an Actor "
                           "attribute")
    unknown = set(cls.units) - set(cls.defaults)
    if unknown:
        raise BadParameter(f"actor model {model!r}: units given for {sorted(unknown)[0]!r}, which is no parameter")


def remove_model(name):
    """Forget the actor model `name` (str), so that ``Create`` no longer knows it; nodes made from it keep
    working.  Raises BadParameter for a built-in model."""
    if not issubclass(model_class(name), ActorPopulation):
        raise BadParameter(f"{name!r} is a built-in model; only actor models can be removed")
    unregister(name)


def _register(population, model, replace):
    if model in node_models():
        existing = model_class(model)
        if not (replace and issubclass(existing, ActorPopulation)):
            kind = "an actor model" if issubclass(existing, ActorPopulation) else "a built-in model"
            hint = " (class keyword replace=True replaces it)" if kind == "an actor model" else ""
            raise BadParameter(f"model name {model!r} is taken by {kind}{hint}; choose another name")
    register(population)
