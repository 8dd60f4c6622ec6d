"""The simulation kernel: owns all state of one simulation.

A :class:`Kernel` holds the SimPy environment (its clock counts integer steps
of the resolution), the node populations in creation order, the connections,
the random number generators and the simulated time.  Several kernels can live
side by side; the module-level PyNEST-style functions use a default one.

Where time advances: :meth:`Kernel.simulate` starts one SimPy process per
population.  A process advances its population from its time ``t`` as far as
its inputs are known -- up to ``min(source.t + delay)`` over its sources -- in
one call to ``advance``, sends the output stamped in that interval, then
sleeps until the SimPy clock reaches its new time.  A process whose sources
lag waits for their ``progressed`` events.  The population with the smallest
time can always advance by its smallest incoming delay, so the run never
deadlocks, and a spike stamped ``s`` with delay ``d`` is always deposited in
the target's inbox before the target advances past ``s + d``.

User actors (:class:`eventsim.Actor`) are clock-driven: they run as SimPy
processes on the clock itself and may send, stamped with the current time
``now``, until the clock moves on, so their targets advance up to
``now - 1 + delay``.  Every wake-up of the kernel's own processes, and every
message handed to an actor, is scheduled with SimPy's URGENT priority: at
each step the built-in populations reach that step, and the messages due then
are in the actors' mailboxes, before any user process (NORMAL priority) runs.
"""

import functools
import numbers
import os

import numpy as np
import simpy
from simpy.events import URGENT

from .connections import Projection, resolve_rule, resolve_syn_spec, syn_array_layout
from .distributed import distribution_for
from .errors import (BadDelay, BadParameter, BadProperty, IllegalConnection, IncompatibleReceptorType,
                     KernelException, OutputFileExists, UnaccessedDictionaryEntry, UnknownNode, UnknownReceptorType,
                     UnknownSynapseType)
from .interrupts import DeferredInterrupt
from .messages import ConnectionBatch, SampleBatch, SpikeBatch
from .probes import Probe
from .nodecollection import NodeCollection
from .parameters import Parameter
from .progress import ProgressReporter
from .synapsecollection import SynapseCollection
from .registry import model_class
from .timegrid import MS_PER_TIC, TICS_PER_MS, is_on_grid, ms_to_steps, steps_to_ms, tics_per_step
from .verbosity_levels import VerbosityLevel, message
from .workers import Workers

__all__ = ["Kernel", "DEFAULT_RNG_SEED", "stream_tag"]

#: NEST's default seed; eventsim uses the same number, not the same stream.
DEFAULT_RNG_SEED = 143202461


class Kernel:
    """All state of one simulation.

    Attributes
    ----------
    env : simpy.Environment
        Event loop; its time unit is one step of :attr:`resolution`: SimPy time ``k`` is ``k * resolution``
        ms (:meth:`ms_to_steps`, :meth:`steps_to_ms`).
    populations : list of eventsim.nodes.base.Population
        One entry per ``Create`` call, in creation order.

    Parameters
    ----------
    env : simpy.Environment or None
        An environment of the user's whose clock is at 0, so that the user's own SimPy processes run beside
        the network; ``simulate`` advances both (``env.run`` alone does not advance the network).  None: the
        kernel makes its own.
    """

    def __init__(self, env=None):
        self._resolution = 0.1
        self._rng_seed = DEFAULT_RNG_SEED
        if env is not None and not isinstance(env, simpy.Environment):
            raise BadParameter(f"env must be a simpy.Environment, got {type(env).__name__}")
        if env is not None and env.now != 0:
            raise BadParameter(f"the environment's clock must be at 0 when the kernel is made (it counts steps "
                               f"from the start of the simulation), got {env.now}")
        self.user_env = env is not None
        """True if the SimPy environment belongs to the user (``Kernel(env=...)``)."""
        self.env = env if env is not None else simpy.Environment(initial_time=0)
        self.populations = []
        self._first_gids = []
        self.n_nodes = 0
        self.steps = 0
        self.projections = {}
        self.model_defaults = {}
        self.model_state_defaults = {}
        """Model name -> initial state of nodes created later (e.g. V_m), set by SetDefaults as in NEST."""
        self.report = None
        self.report_period = 10.0
        self._connections_rng = None
        self._parameter_draws = 0
        self.local_num_threads = 1
        """Threads the models use (see :mod:`eventsim.workers`); results do not depend on it."""
        self._workers = None
        self.rng_type = "PCG64"
        self.use_compressed_spikes = True
        self.overwrite_files = False
        """Whether recorders may replace existing files (NEST's kernel property of that name)."""
        self.wfr = {"use_wfr": True, "wfr_comm_interval": 1.0, "wfr_tol": 1e-4, "wfr_max_iterations": 15,
                    "wfr_interpolation_order": 3}
        """NEST's waveform-relaxation settings (ms for the interval): stored, since no model here has gap junctions."""
        self.delay_extrema = None
        self._delays_seen = None
        """(min_delay, max_delay) in ms if set with SetKernelStatus, else None (they follow the connections)."""
        self.local_spike_counter = 0
        """Spikes emitted by neurons in the last Simulate call (NEST's local_spike_counter)."""
        self.prepared = False
        self.synapse_models = {"static_synapse": {"weight": 1.0, "delay": 1.0}}
        """Synapse model name -> defaults (weight, delay in ms); CopyModel adds names."""
        self.copied_models = {}
        """Node model name made by CopyModel -> name of the model it copies."""
        self.discarded = False
        """True once ResetKernel has replaced this kernel; its handles then refuse to work."""
        self._warned_delay_rounding = False
        self._running = False
        self._advancing = None
        self._failure = None
        self._interrupt = None
        self._streaming = []
        self.distribution = distribution_for(self)
        """Which nodes this process holds and how spikes cross processes (:mod:`eventsim.distributed`)."""

    def __reduce__(self):
        raise TypeError(
            "a Kernel cannot be pickled (it holds a running event loop and its nodes' state). To run models in "
            "other processes, send the function that builds and runs the model and return its recordings "
            "(eventsim.recordings() gives an xarray.DataTree, which pickles); eventsim.sweep does this for you")

    # --- kernel status ---------------------------------------------------------
    @property
    def resolution(self):
        """Step size in ms."""
        return self._resolution

    @resolution.setter
    def resolution(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
            raise BadProperty(f"resolution must be a positive number of ms, got {value!r}")
        self.check_idle("setting the resolution")
        if self.n_nodes > 0:
            raise KernelException(f"cannot change the resolution to {value} ms after nodes were created; "
                                  "call ResetKernel() first")
        if self.steps > 0:
            raise KernelException("cannot change the resolution after the simulation has started")
        # NEST counts time in tics of 1 us: a step must be a whole number of them
        if value * TICS_PER_MS < 1.0 - 1e-9:
            raise KernelException(f"Resolution must be greater than or equal to one tic ({MS_PER_TIC} ms), "
                                  f"got {value!r} ms. Value unchanged.")
        if tics_per_step(value) is None:
            raise KernelException(f"Resolution must be a multiple of the tic length ({MS_PER_TIC} ms), "
                                  f"got {value!r} ms. Value unchanged.")
        self._resolution = float(value)

    @property
    def rng_seed(self):
        """Seed (int, 1 <= seed < 2**32 as NEST, 0 also accepted) of all random number generators."""
        return self._rng_seed

    @rng_seed.setter
    def rng_seed(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value < 2 ** 32:
            raise BadProperty(f"rng_seed must be an integer in [0, 2**32), got {value!r}")
        self.check_idle("setting rng_seed")
        self._rng_seed = int(value)
        self._connections_rng = None

    def ms_to_steps(self, t_ms):
        """Time `t_ms` (ms, a multiple of the resolution) as SimPy time: an integer number of steps."""
        return int(ms_to_steps(t_ms, self._resolution))

    def steps_to_ms(self, steps):
        """SimPy time `steps` (int) in ms, with NEST's tick arithmetic."""
        return float(steps_to_ms(steps, self._resolution))

    @property
    def biological_time(self):
        """Simulated time in ms."""
        return float(steps_to_ms(self.steps, self._resolution))

    def rng_for(self, stream, key=0, *more_keys):
        """An independent numpy Generator for `stream` (str) and the integer keys `key`, `*more_keys`,
        derived from the seed (the SeedSequence entropy is ``[rng_seed, tag of stream, key, *more_keys]``)."""
        entropy = [self._rng_seed, stream_tag(stream), int(key), *(int(k) for k in more_keys)]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))

    @property
    def connections_rng(self):
        """Generator used by the random connection rules."""
        if self._connections_rng is None:
            self._connections_rng = self.rng_for("connect")
        return self._connections_rng

    def draw_parameter(self, param, n):
        """`n` values of a random :class:`~eventsim.parameters.Parameter`, each use from its own seeded stream."""
        self._parameter_draws += 1
        return param.draw(self.rng_for("parameters", self._parameter_draws), n)

    def warn_delay_rounding(self, text, stacklevel=6):
        """Warn (once per kernel, at verbosity WARNING) that off-grid delays were rounded to the grid;
        `stacklevel` counts from :func:`~eventsim.verbosity_levels.message` to the user's call (Connect)."""
        if not self._warned_delay_rounding:
            self._warned_delay_rounding = True
            message(text + " (warned once)", VerbosityLevel.WARNING, stacklevel=stacklevel)

    def check_on_grid(self, name, t_ms):
        """Raise BadProperty unless `t_ms` is a multiple of the resolution."""
        if not np.all(is_on_grid(t_ms, self._resolution)):
            raise BadProperty(f"{name} {t_ms!r} ms is not a multiple of the resolution {self._resolution} ms")

    @property
    def min_delay(self):
        """Smallest delay (steps) ever given to a connection, recorders' included (NEST's min_delay), or the
        lower bound set with ``SetKernelStatus({"min_delay": ..., "max_delay": ...})``."""
        if self.delay_extrema is not None:
            return self._extrema_steps()[0]
        return self._delays_seen[0] if self._delays_seen else 1

    @property
    def max_delay(self):
        """Largest delay (steps) ever given to a connection (NEST's max_delay: it does not shrink when
        connections are removed or their delays lowered), or the upper bound set by the user."""
        if self.delay_extrema is not None:
            return self._extrema_steps()[1]
        return self._delays_seen[1] if self._delays_seen else 1

    def _extrema_steps(self):
        """The user's (min_delay, max_delay) in steps as NEST keeps them: min rounded down to the grid,
        max rounded up (so that a coarser resolution widens the range instead of cutting into it)."""
        tps = tics_per_step(self._resolution)        # resolutions off the tic grid are refused
        lo, hi = (int(round(d * TICS_PER_MS)) for d in self.delay_extrema)
        return lo // tps, -(-hi // tps)

    def note_delays(self, delay_steps):
        """Widen the range of delays seen (steps) by those of new or changed connections, as NEST's
        min_delay and max_delay follow them."""
        if np.size(delay_steps) == 0:
            return
        lo, hi = int(np.min(delay_steps)), int(np.max(delay_steps))
        if self._delays_seen:
            lo, hi = min(lo, self._delays_seen[0]), max(hi, self._delays_seen[1])
        self._delays_seen = (lo, hi)

    def check_delay_extrema(self, delay_steps):
        """Raise BadDelay if a delay (steps, array) lies outside the min_delay/max_delay set by the user."""
        if self.delay_extrema is None or np.size(delay_steps) == 0:
            return
        lo, hi = self._extrema_steps()
        d = np.asarray(delay_steps)
        if d.min() < lo:
            raise BadDelay(f"delay {d.min() * self._resolution:g} ms is below min_delay {self.delay_extrema[0]} ms")
        if d.max() > hi:
            raise BadDelay(f"delay {d.max() * self._resolution:g} ms is above max_delay {self.delay_extrema[1]} ms")

    # --- nodes -------------------------------------------------------------------
    def create(self, model, n=1, params=None, positions=None):
        """Create `n` nodes of `model`; see :func:`eventsim.Create`."""
        self.check_idle("Create")
        if positions is not None:
            raise BadParameter("spatial positions are not supported")
        cls = self.model_class(model)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise BadParameter(f"n must be a positive integer, got {n!r}")
        n = int(n)
        _check_memory(cls, model, n)
        base = {**cls.defaults, **self.model_defaults.get(model, {})}
        per_node = _per_node_params(params, n, model, cls.array_parameters, self.draw_parameter)
        statuses = []
        merged = {}                      # one status dict per distinct params dict: validated once per Create
        for p in per_node:
            status = merged.get(id(p))
            if status is None:
                unknown = [k for k in p if k not in base and k not in cls.initial_state_keys()]
                if unknown:
                    raise BadProperty(f"{model} has no parameter {unknown[0]!r}; known parameters: "
                                      f"{', '.join(sorted(base))}")
                status = merged[id(p)] = {**base, **{k: v for k, v in p.items() if k in base}}
            statuses.append(status)
        state_defaults = self.model_state_defaults.get(model, {})
        initial = [{**state_defaults, **{k: v for k, v in p.items() if k not in base}} for p in per_node]
        gids = np.arange(self.n_nodes + 1, self.n_nodes + 1 + n)
        last = self.populations[-1] if self.populations else None
        if self.distribution.distributes(cls):
            self.distribution.create(cls, model, statuses, initial)
        elif last is not None and type(last) is cls and self.steps == 0 and last.can_absorb() \
                and getattr(last, "copy_name", None) == self._copy_name(model):
            # consecutive Create calls of one vectorised model share a population (and its process)
            first_local = last.n
            last.absorb(statuses)
            if any(initial):
                last.set_status(range(first_local, first_local + n), initial)
        else:
            pop = cls(self, self.n_nodes + 1, n, statuses)
            pop.copy_name = self._copy_name(model)
            pop.t = self.steps
            if any(initial):
                pop.set_status(range(n), initial)
            self.populations.append(pop)
            self._first_gids.append(pop.first_gid)
        self.n_nodes += n
        return NodeCollection(self, gids)

    def node_of(self, gid):
        """Return (population, local index) of global id `gid`."""
        if not 1 <= gid <= self.n_nodes:
            raise UnknownNode(f"Node with id {gid} does not exist. There are {self.n_nodes} nodes.")
        k = int(np.searchsorted(self._first_gids, gid, side="right")) - 1
        pop = self.populations[k]
        return pop, gid - pop.first_gid

    def split_by_population(self, gids):
        """Yield (population, local indices, positions in `gids`) for an array of global ids."""
        gids = np.asarray(gids, dtype=np.int64)
        if gids.size and (gids.min() < 1 or gids.max() > self.n_nodes):
            bad = gids[(gids < 1) | (gids > self.n_nodes)][0]
            raise UnknownNode(f"Node with id {bad} does not exist. There are {self.n_nodes} nodes.")
        which = np.searchsorted(self._first_gids, gids, side="right") - 1
        for k in np.unique(which):
            pos = np.flatnonzero(which == k)
            pop = self.populations[k]
            yield pop, gids[pos] - pop.first_gid, pos

    def get_status(self, gid):
        """Status dict of node `gid`."""
        pop, i = self.node_of(gid)
        status = pop.get_status(i)
        if getattr(pop, "copy_name", None):
            status["model"] = pop.copy_name
        self.distribution.describe(pop, status)
        return status

    def model_class(self, model):
        """The class of node model `model`, a built-in name or a name made by :meth:`copy_model`."""
        return model_class(self.copied_models.get(model, model))

    def model_id(self, model):
        """Number of node model `model`: built-in models in name order, then copies in the order made."""
        from .registry import node_models
        names = list(node_models()) + list(self.copied_models)
        return names.index(model)

    def _copy_name(self, model):
        return model if model in self.copied_models else None

    def copy_model(self, old, new, params=None):
        """Make node model `new` a copy of `old` with the defaults of `old` (updated by `params`)."""
        cls = self.model_class(old)
        self.copied_models[new] = self.copied_models.get(old, old)
        self.model_defaults[new] = dict(self.model_defaults.get(old, {}))
        self.model_state_defaults[new] = dict(self.model_state_defaults.get(old, {}))
        try:
            if params:
                self.set_defaults(new, params)
        except Exception:
            del self.copied_models[new], self.model_defaults[new], self.model_state_defaults[new]
            raise
        return cls

    def set_status(self, gids, params):
        """Set parameters of nodes `gids` from a dict (scalars or per-node lists) or a list of dicts."""
        self.check_idle("SetStatus")
        parts = list(self.split_by_population(gids))
        array_parameters = frozenset().union(*(pop.array_parameters for pop, _, _ in parts))
        per_node = _per_node_params(params, len(gids), "nodes", array_parameters, self.draw_parameter)
        try:
            for pop, local, pos in parts:
                pop.set_status(local, [per_node[p] for p in pos])
        except Exception as err:
            self.distribution.agree(err)
            raise
        self.distribution.agree(None)

    def set_defaults(self, model, params):
        """Change the defaults of `model` for nodes created later (validated on a probe node)."""
        self.check_idle("SetDefaults")
        cls = self.model_class(model)
        if not isinstance(params, dict):
            raise BadParameter(f"SetDefaults needs a dict of parameters, got {params!r}")
        base = {**cls.defaults, **self.model_defaults.get(model, {})}
        unknown = [k for k in params if k not in base and k not in cls.initial_state_keys()]
        if unknown:
            raise UnaccessedDictionaryEntry(f"{model} has no parameter {unknown[0]!r} (Unaccessed elements in "
                                            f"SetDefaults); known parameters: {', '.join(sorted(base))}")
        probe = cls(Kernel._probe_kernel(self), 1, 1, [{**base, **{k: v for k, v in params.items() if k in base}}])
        # initial state (V_m, ...) for nodes created later, validated on the probe node
        state = {**self.model_state_defaults.get(model, {}), **{k: v for k, v in params.items() if k not in base}}
        if state:
            probe.set_status([0], [state])
        self.model_defaults[model] = {**self.model_defaults.get(model, {}), **probe._params[0]}
        self.model_defaults[model] = {k: v for k, v in self.model_defaults[model].items() if k in base}
        self.model_state_defaults[model] = state

    def get_defaults(self, model, keys=None):
        """Defaults of `model` (a dict, or one value for a key, or a dict for several keys)."""
        cls = self.model_class(model)
        probe = cls(Kernel._probe_kernel(self), 1, 1, [{**cls.defaults, **self.model_defaults.get(model, {})}])
        if self.model_state_defaults.get(model):
            probe.set_status([0], [self.model_state_defaults[model]])
        status = probe.get_status(0)
        status.pop("global_id")
        status["model"] = model
        if keys is None:
            return status
        if isinstance(keys, str):
            return status[keys]
        return {k: status[k] for k in keys}

    @staticmethod
    def _probe_kernel(kernel):
        probe = Kernel()
        probe._resolution = kernel._resolution
        return probe

    # --- connections ---------------------------------------------------------------
    def connect(self, pre, post, conn_spec=None, syn_spec=None):
        """Connect `pre` to `post`; see :func:`eventsim.Connect`."""
        self.check_idle("Connect")
        pre_g, post_g = self.node_ids(pre, "pre", "Connect"), self.node_ids(post, "post", "Connect")
        src, tgt = resolve_rule(conn_spec, pre_g, post_g, self.connections_rng)
        self.connect_pairs([(src, tgt, syn_spec, syn_array_layout(conn_spec, pre_g, post_g))])

    def node_ids(self, nodes, name, caller):
        """The global ids (int64 array) of the NodeCollection `nodes` of this kernel, argument `name` of `caller`."""
        if not isinstance(nodes, NodeCollection):
            raise IllegalConnection(f"{caller}: {name} must be a NodeCollection, got {type(nodes).__name__}")
        nodes.check_valid()
        if nodes.kernel is not self:
            raise IllegalConnection(f"{caller}: {name} belongs to another kernel")
        return np.asarray(nodes.tolist(), dtype=np.int64)

    def connect_pairs(self, sets):
        """Make the connections of several sets at once: every set is checked before any is stored.

        Parameters
        ----------
        sets : list of (sources, targets, syn_spec, layout)
            `sources` and `targets` are equal-length global-id arrays, connected pair by pair;
            `syn_spec` as :func:`eventsim.Connect`'s; `layout` the
            :class:`~eventsim.connections.ArrayLayout` that per-connection arrays in `syn_spec`
            must follow (None: one value per pair).
        """
        resolved = []
        for src, tgt, syn_spec, layout in sets:
            weight, delay, receptor = resolve_syn_spec(syn_spec, len(src), layout, self._resolution,
                                                       self.synapse_models, self.warn_delay_rounding,
                                                       self.draw_parameter)
            synapse_model = syn_spec if isinstance(syn_spec, str) else (syn_spec or {}).get("synapse_model",
                                                                                          "static_synapse")
            self.check_delay_extrema(delay)
            resolved.append((src, tgt, weight, delay, receptor, synapse_model))
        # check all pairs before storing anything
        plans = []
        try:
            for src, tgt, weight, delay, receptor, synapse_model in resolved:
                for spop, slocal, spos in list(self.split_by_population(src)):
                    tgt_sub = tgt[spos]
                    for tpop, tlocal, tpos in self.split_by_population(tgt_sub):
                        idx = spos[tpos]
                        if not getattr(tpop, "remote", False):       # the rank holding the targets checks
                            self._check_pair(spop, tpop, tlocal, receptor[idx])
                        # (source, target, local ids, what to store): the distribution reads the first four
                        plans.append((spop, tpop, slocal[tpos], tlocal,
                                      (weight[idx], delay[idx], receptor[idx], synapse_model)))
        except Exception as err:
            self.distribution.agree(err)
            raise
        self.distribution.agree(None)
        for spop, tpop, sl, tl, (weight, delay, receptor, synapse_model) in self.distribution.local_plans(plans):
            if spop.samples_targets:
                spop.add_target(tpop, tl)
                if spop not in tpop.samplers:
                    tpop.samplers.append(spop)
            key = (id(spop), id(tpop), synapse_model)
            if key not in self.projections:
                self.projections[key] = Projection(spop, tpop, synapse_model)
            self.projections[key].add(sl, tl, weight, delay, receptor)
        for resolved_set in resolved:
            self.note_delays(resolved_set[3])

    def _check_pair(self, spop, tpop, tlocal, receptors):
        if spop.samples_targets:
            if tpop.element_type != "neuron":
                raise IllegalConnection(f"a {spop.model_name} records from neurons, not from {tpop.model_name}")
            spop.register_target(tpop, tlocal)
            return
        if tpop.samples_targets:
            raise IllegalConnection(f"connect a {tpop.model_name} to the neurons it records: "
                                    f"Connect({tpop.model_name}, neurons)")
        if spop.element_type == "recorder":
            raise IllegalConnection(f"{spop.model_name} cannot send events")
        if tpop.element_type == "stimulator":
            raise IllegalConnection(f"{tpop.model_name} does not accept input from {spop.model_name}")
        if tpop.element_type == "recorder":
            if not spop.emits_spikes:
                raise IllegalConnection(f"{tpop.model_name} records spikes; {spop.model_name} emits none")
            return
        if spop.emits == "current":
            if spop.lazy_output and tpop.clock_driven:
                raise IllegalConnection(f"{spop.model_name} sends a held current, which goes to neurons, not to "
                                        f"the actor model {tpop.model_name}; connect actors by spikes")
            if not tpop.current_ports:
                raise IllegalConnection(f"{tpop.model_name} does not accept current input")
            bad = [r for r in np.unique(receptors) if r not in tpop.current_ports]
            if bad:
                raise UnknownReceptorType(f"receptor_type {bad[0]} is not available for currents in "
                                          f"{tpop.model_name}; currents go to {list(tpop.current_ports) or 'no port'}")
            return
        if not tpop.spike_ports:
            raise IllegalConnection(f"{tpop.model_name} does not accept spikes")
        low = min(tpop.spike_ports)
        high = min(tpop.n_receptors(i) for i in np.unique(tlocal)) if low > 0 else max(tpop.spike_ports)
        bad = [r for r in np.unique(receptors) if not low <= r <= high]
        if bad:
            raise IncompatibleReceptorType(f"receptor_type {bad[0]} of {tpop.model_name} does not accept spikes; "
                                           f"spike receptors are {low}..{high}")

    def has_incoming_spikes(self, pop, local):
        """Boolean array: does each local node `local` of `pop` receive spike connections (receptor >= 1)?"""
        local = np.asarray(local, dtype=np.int64)
        found = np.zeros(local.size, dtype=bool)
        for proj in self.projections.values():
            if proj.target is pop and len(proj):
                _, tgt, _, _, r = proj.arrays
                found |= np.isin(local, tgt[r >= 1])
        return found

    def get_connections(self, source=None, target=None, synapse_model=None):
        """Connections from `source` and/or to `target` (global-id arrays or None) of `synapse_model` (a name
        or None), as a :class:`~eventsim.synapsecollection.SynapseCollection` in NEST's order: by synapse
        model, then source, then creation."""
        if synapse_model is not None and synapse_model not in self.synapse_models:
            raise UnknownSynapseType(f"unknown synapse_model {synapse_model!r}; available: "
                                     f"{', '.join(sorted(self.synapse_models))}")
        model_rank = {name: i for i, name in enumerate(self.synapse_models)}
        projections, which, index, keys = [], [], [], []
        for proj in self.projections.values():
            if synapse_model is not None and proj.synapse_model != synapse_model:
                continue
            src, tgt = proj.arrays[:2]
            mask = np.ones(len(src), bool)
            if source is not None:
                mask &= np.isin(src + proj.source.first_gid, source)
            if target is not None:
                mask &= np.isin(tgt + proj.target.first_gid, target)
            pos = np.flatnonzero(mask)
            if pos.size == 0:
                continue
            which.append(np.full(pos.size, len(projections)))
            index.append(pos)
            keys.append((np.full(pos.size, model_rank[proj.synapse_model]), src[pos] + proj.source.first_gid,
                         proj.sequence[pos]))
            projections.append(proj)
        if not projections:
            return SynapseCollection(self, [], np.empty(0, np.int64), np.empty(0, np.int64))
        rank, sg, seq = (np.concatenate(x) for x in zip(*keys))
        order = np.lexsort((seq, sg, rank))
        return SynapseCollection(self, projections, np.concatenate(which)[order], np.concatenate(index)[order])

    def remove_connections(self, conns):
        """Delete the connections of SynapseCollection `conns` (multimeter connections cannot be removed)."""
        conns._check_valid()
        for w, proj in enumerate(conns._projections):
            if proj.source.model_name == "multimeter" and np.any(conns._which == w):
                raise IllegalConnection("connections of a multimeter cannot be removed")
        index = conns._index
        for w, proj in enumerate(conns._projections):
            idx = index[conns._which == w]
            if idx.size:
                proj.remove(idx)
        self.projections = {k: p for k, p in self.projections.items() if len(p)}

    # --- delivery ----------------------------------------------------------------------
    def outgoing(self, pop):
        """Projections leaving population `pop`."""
        return [p for p in self.projections.values() if p.source is pop]

    def send_spikes(self, pop, batch: SpikeBatch):
        """Hand a spike batch of `pop` to the receive step of each target population (one call per projection);
        the receiver expands it over the projection's connections (:meth:`Projection.expand`) as it needs."""
        if len(batch) == 0:
            return
        if pop.element_type == "neuron":
            self.local_spike_counter += int(batch.multiplicities.sum())
        outbox = getattr(pop, "outbox", None)
        if outbox is not None:          # a block of a network split over MPI ranks: its spikes go to the exchange
            outbox.append(batch)
        for proj in pop.outgoing:
            proj.target.receive_spikes(pop, proj, batch)

    def send_per_connection(self, pop, batch: ConnectionBatch):
        """Hand events drawn per connection of one projection of `pop` to the target's receive step."""
        batch.projection.target.receive_per_connection(pop, batch)

    def send_samples(self, pop, batch: SampleBatch):
        """Hand the recordables of one advance of `pop` to every sampler (multimeter, probe) attached to it."""
        for sampler in list(pop.samplers):
            sampler.receive_samples(pop, batch)

    def deliver_at(self, step, callback, *args):
        """Call ``callback(*args)`` when the clock reaches `step`, before the user processes of that step.

        Raises KernelException if `step` lies before the clock (a message would reach the past).
        """
        delay = step - self.env.now
        if delay < 0:
            raise KernelException(f"a message due at {self.steps_to_ms(step)} ms would be delivered at "
                                  f"{self.steps_to_ms(self.env.now)} ms, after its time")
        event = _urgent_timeout(self.env, delay)
        event.callbacks.append(lambda _: callback(*args))

    def observe(self, nodes, record_from, times, deliver=None):
        """Ask for samples of recordables of `nodes` at `times`, delivered as messages at their time.

        Parameters
        ----------
        nodes : NodeCollection
            Neurons whose state to sample (models with recordables; not actors).
        record_from : list of str
            Recordable names.
        times : array_like of float
            Sample times (ms), multiples of the resolution, later than the time the nodes have reached.
        deliver : callable or None
            Called with each :class:`~eventsim.messages.Samples` message at its step (an actor passes its
            mailbox); None: the messages go to the probe's own queue (``yield probe.get()``).

        Returns
        -------
        eventsim.probes.Probe
            One :class:`~eventsim.messages.Samples` message per population and sample time.
        """
        if not isinstance(nodes, NodeCollection):
            raise BadParameter(f"observe: nodes must be a NodeCollection, got {type(nodes).__name__}")
        nodes.check_valid()
        if nodes.kernel is not self:
            raise BadParameter("observe: the nodes belong to another kernel")
        steps = np.atleast_1d(ms_to_steps(times, self._resolution, "sample time")).astype(np.int64)
        return Probe(self, list(self.split_by_population(np.asarray(nodes.tolist()))), record_from, steps,
                     deliver)

    # --- running ---------------------------------------------------------------------------
    def _prepare(self, t_end):
        self._check_new_files()
        for pop in self.populations:
            pop.upstream = {}
            pop.lazy_sources = []
            pop.outgoing = self.outgoing(pop)
        for proj in self.projections.values():
            src, tgt = proj.source, proj.target
            if src.samples_targets:
                if not tgt.clock_driven:           # an actor hands its samples over at the end of the run
                    src.upstream[tgt] = 0
                continue
            if src.clock_driven:
                d = _clock_source_delay(proj)
                if d is None:
                    continue
                if src.lazy_output and src not in tgt.lazy_sources:
                    tgt.lazy_sources.append(src)
            else:
                d = 0 if tgt.element_type == "recorder" else proj.min_delay - (getattr(src, "emits", "") == "current")
            tgt.upstream[src] = min(d, tgt.upstream.get(src, d))
        self.distribution.prepare(t_end)
        for pop in self.populations:
            pop.pre_run()
            if pop.element_type == "recorder":
                pop.prepare_recording(t_end)

    def _check_new_files(self):
        """Raise OutputFileExists, before anything runs, if a recorder would replace an existing file while
        ``overwrite_files`` is False (as NEST's recording backends)."""
        if self.overwrite_files:
            return
        for pop in self.populations:
            if pop.element_type != "recorder":
                continue
            for path in pop.files_to_create():
                if os.path.lexists(path):
                    raise OutputFileExists(
                        f"{pop.model_name} {pop.first_gid}: the file {os.fspath(path)!r} already exists and "
                        "overwriting files is disabled; set nest.overwrite_files = True to replace it, or "
                        "choose another filename")

    def simulate(self, t_ms):
        """Advance the simulation by `t_ms` ms; see :func:`eventsim.Simulate`.

        If the call is interrupted (Ctrl-C, an exception from a report
        callback, a failed write of a streaming recorder), the kernel's time
        becomes the time every population has reached, streamed files are
        completed up to it, and the exception is raised with a note saying
        so; the next call continues from there.  Populations that had run
        ahead keep their state and resume from where they stand.  If the
        error arose inside a population's update, or a file could not be
        written, the kernel refuses further ``Simulate`` calls.
        """
        self.check_idle("Simulate")
        if isinstance(t_ms, bool) or not isinstance(t_ms, numbers.Real) or not np.isfinite(t_ms) or t_ms < 0:
            raise BadParameter(f"simulation time must be a non-negative number of ms, got {t_ms!r}")
        if not is_on_grid(t_ms, self._resolution):
            raise BadParameter(f"simulation time {t_ms!r} ms is not a multiple of the resolution "
                               f"{self._resolution} ms")
        n_steps = ms_to_steps(t_ms, self._resolution, "simulation time")
        if self._failure is not None:
            raise KernelException(f"the kernel cannot continue: {self._failure}; call ResetKernel()")
        if n_steps == 0:
            return
        if self.env.now != self.steps:
            raise KernelException(f"the SimPy clock ({self.env.now} steps) is not at the network's time "
                                  f"({self.steps} steps): advance a kernel's environment with Simulate, not "
                                  "env.run")
        self.local_spike_counter = 0
        t_end = self.steps + n_steps
        self._prepare(t_end)
        env = self.env
        recorders = [pop for pop in self.populations if pop.element_type == "recorder"]
        self._streaming = [rec for rec in recorders if rec.streaming]
        reporter = ProgressReporter(self, self.steps, t_end, self.report, self.report_period)
        self._running = True
        try:
            with DeferredInterrupt() as interrupt:
                self._interrupt = interrupt
                for pop in self.populations:
                    if not pop.clock_driven:
                        env.process(self._population_process(pop, t_end))
                for gen in self.distribution.processes(t_end):
                    env.process(gen)
                reporter.start()
                self._run_clock(t_end)
                for pop in self.populations:
                    if pop.clock_driven:
                        pop.end_run(t_end)
        except BaseException as err:
            self._running = False
            self._stop_after(err, recorders)
            reporter.finish(quiet=True)
            self.distribution.abort(err)
            raise
        self._running = False
        self.steps = t_end
        self._finish_recordings(recorders, t_end)
        reporter.finish()
        if interrupt.requested:
            raise KeyboardInterrupt(f"Simulate interrupted; it had completed ({self.biological_time} ms)")

    @property
    def workers(self):
        """The :class:`~eventsim.workers.Workers` of this kernel, with :attr:`local_num_threads` threads."""
        if self._workers is None or self._workers.n_threads != self.local_num_threads:
            if self._workers is not None:
                self._workers.close()
            self._workers = Workers(self.local_num_threads)
        return self._workers

    def _run_clock(self, t_end):
        """Run the SimPy clock to `t_end` (steps), including every event at `t_end` itself."""
        env = self.env
        try:
            env.run(until=t_end)
            while env.peek() == t_end:
                env.step()
        except BaseException as err:
            original = err.__cause__
            if original is not None and type(original) is type(err) and original.args == err.args:
                # SimPy raises a copy of a failed process's exception, caused by it: raise the original
                raise original from None
            raise
        behind = [pop for pop in self.populations if not pop.clock_driven and pop.t < t_end]
        if behind:
            raise KernelException(f"{behind[0].model_name} nodes stopped at step {behind[0].t}, not at the end "
                                  f"of the run ({t_end}): a process of the user's environment held the clock")

    def close(self):
        """Release the files of streaming recorders so that other runs may write them, and stop the worker
        threads (``ResetKernel``)."""
        self.check_idle("ResetKernel")
        self._release_files()
        if self._workers is not None:
            self._workers.close()

    def _release_files(self):
        for pop in self.populations:
            if pop.element_type == "recorder":
                pop.release_files()

    def check_idle(self, what):
        """Raise KernelException naming `what` (str) if a ``Simulate`` call is under way.

        During a run (e.g. in a report callback) the network may be read
        (``GetStatus``, ``GetKernelStatus``, recorders' events), not changed.
        """
        if self._running:
            raise KernelException(f"{what} is not allowed while Simulate is running (e.g. from a report "
                                  "callback): the network can be read but not changed during a run")

    def consistent_steps(self):
        """Time (steps) that every population has reached: all output stamped up to it has been delivered."""
        times = [pop.t for pop in self.populations if pop.element_type != "recorder"]
        if times:
            return min(times)
        return int(self.env.now) if self._running else self.steps

    def _stop_after(self, err, recorders):
        """Bring the kernel to a consistent state after `err` interrupted a run."""
        broken, self._advancing = self._advancing, None
        times = [pop.t for pop in self.populations if pop.element_type != "recorder"]
        self.steps = max(self.steps, min(times) if times else int(self.env.now))
        self._fresh_environment()
        if broken is not None:
            pop, t_from = broken
            self._failure = (f"the update of {pop.model_name} nodes {pop.first_gid}..{pop.first_gid + pop.n - 1} "
                             f"from {float(steps_to_ms(t_from, self._resolution))} ms failed "
                             f"({type(err).__name__}: {err}); their state is undefined")
        for rec in recorders:
            try:
                rec.after_run(self.steps)
            except Exception as write_err:
                err.add_note(f"also: {write_err}")
        failed = [rec for rec in recorders if rec.failed]
        if failed and self._failure is None:
            self._failure = failed[0].failure
        if self._failure is not None:
            self._release_files()
        if self._failure is None:
            err.add_note(f"Simulate stopped at {self.biological_time} ms, the time every population has reached; "
                         "recordings are complete up to it and the next Simulate continues from there")
        else:
            err.add_note(f"Simulate stopped at {self.biological_time} ms and cannot continue: {self._failure}; "
                         "recordings are complete up to the time their files state (attribute simulated_ms)")

    def _finish_recordings(self, recorders, t_end):
        """Let every recorder complete its files at `t_end`; raise the first write error after trying all."""
        first = None
        for rec in recorders:
            try:
                rec.after_run(t_end)
            except Exception as err:
                first = first or err
        failed = [rec for rec in recorders if rec.failed]
        if failed and self._failure is None:
            self._failure = failed[0].failure
        if self._failure is not None:
            self._release_files()
        if first is not None:
            raise first

    def _fresh_environment(self):
        """Replace the SimPy environment after an interrupted run (its queue holds the stopped processes).

        User processes (actors, processes in a user's environment) cannot be resumed: the kernel then
        refuses to continue.
        """
        if self.user_env or any(pop.clock_driven for pop in self.populations):
            self._failure = ("the run was interrupted while user processes (actors, or processes of the user's "
                             "environment) ran; their state cannot be resumed")
            return
        self.env = simpy.Environment(initial_time=self.steps)
        for pop in self.populations:
            pop.progressed = self.env.event()

    def _population_process(self, pop, t_end):
        """SimPy process of one population: advance as far as the inputs are known, then sleep."""
        env = self.env
        interrupt = self._interrupt
        while pop.t < t_end:
            if interrupt.requested:
                raise KeyboardInterrupt("Simulate interrupted")
            horizon = min(t_end, pop.t + pop.max_chunk_steps())
            for src, d in pop.upstream.items():
                horizon = min(horizon, src.t + d)
            if horizon <= pop.t:
                yield self._inputs_progressed(pop)
                continue
            for src in pop.lazy_sources:
                src.supply(pop, horizon)
            start = pop.t
            self._advancing = (pop, start)
            pop.advance(start, horizon)
            pop.t = horizon
            self._advancing = None
            event, pop.progressed = pop.progressed, env.event()
            _succeed_urgently(env, event)
            for rec in self._streaming:
                rec.flush_during_run()
            # A population without inputs (a generator) keeps a chunk ahead of the clock, so that its targets
            # never wait for it in the middle of their own chunks (which would split them).
            wake = start if not pop.upstream and not pop.clock_driven else horizon
            if wake > env.now:
                yield _urgent_timeout(env, wake - env.now)

    def _inputs_progressed(self, pop):
        """An event that fires (URGENT) when a source that holds `pop` back has progressed: a population's
        ``progressed`` event, or the clock reaching the step at which a clock-driven source's bound moves."""
        env = self.env
        events, wake_at = [], None
        for src, d in pop.upstream.items():
            if src.t + d > pop.t:
                continue
            if src.clock_driven:
                at = pop.t + 2 - d            # src.t + d = now - 1 + d exceeds pop.t from this step on
                wake_at = at if wake_at is None else min(wake_at, at)
            else:
                events.append(src.progressed)
        if wake_at is not None:
            events.append(_urgent_timeout(env, wake_at - env.now))
        if len(events) == 1:
            return events[0]
        wake = env.event()

        def trigger(_):
            if not wake.triggered:
                _succeed_urgently(env, wake)
        for event in events:
            event.callbacks.append(trigger)
        return wake


def _succeed_urgently(env, event):
    """Trigger `event` now with URGENT priority (SimPy's ``succeed`` schedules NORMAL)."""
    event._ok, event._value = True, None
    env.schedule(event, URGENT)


def _urgent_timeout(env, delay):
    """A timeout of `delay` steps processed before the NORMAL events (user processes) of its step."""
    event = simpy.Event(env)
    event._ok, event._value = True, None
    env.schedule(event, URGENT, delay)
    return event


def _clock_source_delay(proj):
    """How far a target may run ahead of a clock-driven source's bound (its clock - 1): the projection's
    smallest delay; None for recorders, which need not wait (they record what arrives)."""
    if proj.target.element_type == "recorder" or proj.target.clock_driven:
        return None
    return proj.min_delay


@functools.lru_cache(maxsize=None)
def stream_tag(stream):
    """The integer that stands for stream name `stream` in the seeds of :meth:`Kernel.rng_for`."""
    return sum(ord(c) << (8 * (i % 4)) for i, c in enumerate(stream))


#: Rough memory of one node (bytes): its parameter dict and state; a Create that cannot fit fails at once.
BYTES_PER_NODE = 2000


def _check_memory(cls, model, n):
    """Raise MemoryError if `n` nodes of `cls` clearly cannot fit in this machine's memory."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    need = n * getattr(cls, "bytes_per_node", BYTES_PER_NODE)
    if need > physical:
        raise MemoryError(f"Create({model!r}, {n}) needs about {need / 2 ** 30:.3g} GiB "
                          f"({getattr(cls, 'bytes_per_node', BYTES_PER_NODE)} bytes per node), more than this "
                          f"machine's {physical / 2 ** 30:.3g} GiB of memory; nothing was created")


def _per_node_params(params, n, model, array_parameters, draw=None):
    """Normalise Create/set params into a list of `n` dicts; `array_parameters` take a list per node.

    Random parameters (:class:`~eventsim.parameters.Parameter`) are drawn
    with ``draw(param, n)``, one value per node.
    """
    if params is None:
        return [{}] * n
    if isinstance(params, (list, tuple)):
        if len(params) != n or not all(isinstance(p, dict) for p in params):
            raise BadParameter(f"params for {n} {model} nodes must be a dict or a list of {n} dicts, got {params!r}")
        return [{k: float(draw(v, 1)[0]) if isinstance(v, Parameter) and draw else v for k, v in p.items()}
                for p in params]
    if not isinstance(params, dict):
        raise BadParameter(f"params must be a dict or a list of dicts, got {type(params).__name__}")
    shared = {}                          # the values common to all nodes: one dict, shared
    out = [shared] * n
    for k, v in params.items():
        if isinstance(v, np.ndarray) and v.ndim == 0:
            # as NEST (whose message is "iteration over a 0-d array"), but naming the parameter
            raise TypeError(f"{k}: a 0-d numpy array ({v!r}) is not accepted; pass a number "
                            f"(e.g. {k}={v.item()!r}) or a list")
        if isinstance(v, Parameter) and draw is not None:
            if out[0] is shared:
                out = [dict(shared) for _ in range(n)]
            for i, x in enumerate(draw(v, n)):
                out[i][k] = float(x)
        elif isinstance(v, (list, tuple, np.ndarray)) and _is_per_node(k, v, n, k in array_parameters):
            if out[0] is shared:
                out = [dict(shared) for _ in range(n)]
            for i in range(n):
                out[i][k] = v[i]
        else:
            shared[k] = v
            if out[0] is not shared:
                for i in range(n):
                    out[i][k] = v
    return out


def _is_per_node(key, value, n, is_array_parameter):
    """A list value is per node for scalar parameters; array parameters need a list of lists."""
    if is_array_parameter:
        return len(value) == n and len(value) > 0 and all(isinstance(x, (list, tuple, np.ndarray)) for x in value)
    if len(value) != n:
        raise BadParameter(f"{key}: got {len(value)} values for {n} nodes")
    return True
