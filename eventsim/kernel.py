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
"""

import numbers
import os

import numpy as np
import simpy

from .connections import Projection, resolve_rule, resolve_syn_spec, syn_array_layout
from .errors import (BadParameter, BadProperty, IllegalConnection, IncompatibleReceptorType,
                     KernelException, UnknownReceptorType)
from .messages import CurrentBatch, SpikeBatch
from .nodecollection import NodeCollection
from .progress import ProgressReporter
from .registry import model_class
from .timegrid import MS_PER_TIC, TICS_PER_MS, is_on_grid, ms_to_steps, steps_to_ms, tics_per_step

__all__ = ["Kernel", "DEFAULT_RNG_SEED"]

#: NEST's default seed; eventsim uses the same number, not the same stream.
DEFAULT_RNG_SEED = 143202461


class Kernel:
    """All state of one simulation.

    Attributes
    ----------
    env : simpy.Environment
        Event loop; its time unit is one step of :attr:`resolution`.
    populations : list of nodes.base.Node
        One entry per ``Create`` call, in creation order.
    """

    def __init__(self):
        self._resolution = 0.1
        self._rng_seed = DEFAULT_RNG_SEED
        self.env = simpy.Environment(initial_time=0)
        self.populations = []
        self._first_gids = []
        self.n_nodes = 0
        self.steps = 0
        self.projections = {}
        self.model_defaults = {}
        self.report = None
        self.report_period = 10.0
        self._connections_rng = None

    # --- kernel status ---------------------------------------------------------
    @property
    def resolution(self):
        """Step size in ms."""
        return self._resolution

    @resolution.setter
    def resolution(self, value):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
            raise BadProperty(f"resolution must be a positive number of ms, got {value!r}")
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
        self._rng_seed = int(value)
        self._connections_rng = None

    @property
    def biological_time(self):
        """Simulated time in ms."""
        return float(steps_to_ms(self.steps, self._resolution))

    def rng_for(self, stream, key=0):
        """An independent numpy Generator for `stream` (str) and `key` (int), derived from the seed."""
        tag = sum(ord(c) << (8 * (i % 4)) for i, c in enumerate(stream))
        return np.random.default_rng(np.random.SeedSequence([self._rng_seed, tag, int(key)]))

    @property
    def connections_rng(self):
        """Generator used by the random connection rules."""
        if self._connections_rng is None:
            self._connections_rng = self.rng_for("connect")
        return self._connections_rng

    def check_on_grid(self, name, t_ms):
        """Raise BadProperty unless `t_ms` is a multiple of the resolution."""
        if not np.all(is_on_grid(t_ms, self._resolution)):
            raise BadProperty(f"{name} {t_ms!r} ms is not a multiple of the resolution {self._resolution} ms")

    @property
    def min_delay(self):
        """Smallest delay (steps) of all connections, recorders' included (NEST's min_delay)."""
        delays = [p.min_delay for p in self.projections.values() if len(p)]
        return min(delays) if delays else 1

    # --- nodes -------------------------------------------------------------------
    def create(self, model, n=1, params=None, positions=None):
        """Create `n` nodes of `model`; see :func:`eventsim.Create`."""
        if positions is not None:
            raise BadParameter("spatial positions are not supported")
        cls = model_class(model)
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise BadParameter(f"n must be a positive integer, got {n!r}")
        n = int(n)
        _check_memory(cls, model, n)
        base = {**cls.defaults, **self.model_defaults.get(model, {})}
        per_node = _per_node_params(params, n, model)
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
        initial = [{k: v for k, v in p.items() if k not in base} for p in per_node]
        gids = np.arange(self.n_nodes + 1, self.n_nodes + 1 + n)
        last = self.populations[-1] if self.populations else None
        if last is not None and type(last) is cls and self.steps == 0 and last.can_absorb():
            # consecutive Create calls of one vectorised model share a population (and its process)
            first_local = last.n
            last.absorb(statuses)
            if any(initial):
                last.set_status(range(first_local, first_local + n), initial)
        else:
            pop = cls(self, self.n_nodes + 1, n, statuses)
            if any(initial):
                pop.set_status(range(n), initial)
            self.populations.append(pop)
            self._first_gids.append(pop.first_gid)
        self.n_nodes += n
        return NodeCollection(self, gids)

    def node_of(self, gid):
        """Return (population, local index) of global id `gid`."""
        if not 1 <= gid <= self.n_nodes:
            raise BadParameter(f"node {gid} does not exist (there are {self.n_nodes} nodes)")
        k = int(np.searchsorted(self._first_gids, gid, side="right")) - 1
        pop = self.populations[k]
        return pop, gid - pop.first_gid

    def split_by_population(self, gids):
        """Yield (population, local indices, positions in `gids`) for an array of global ids."""
        gids = np.asarray(gids, dtype=np.int64)
        if gids.size and (gids.min() < 1 or gids.max() > self.n_nodes):
            bad = gids[(gids < 1) | (gids > self.n_nodes)][0]
            raise BadParameter(f"node {bad} does not exist (there are {self.n_nodes} nodes)")
        which = np.searchsorted(self._first_gids, gids, side="right") - 1
        for k in np.unique(which):
            pos = np.flatnonzero(which == k)
            pop = self.populations[k]
            yield pop, gids[pos] - pop.first_gid, pos

    def get_status(self, gid):
        """Status dict of node `gid`."""
        pop, i = self.node_of(gid)
        return pop.get_status(i)

    def set_status(self, gids, params):
        """Set parameters of nodes `gids` from a dict (scalars or per-node lists) or a list of dicts."""
        per_node = _per_node_params(params, len(gids), "nodes")
        for pop, local, pos in self.split_by_population(gids):
            pop.set_status(local, [per_node[p] for p in pos])

    def set_defaults(self, model, params):
        """Change the defaults of `model` for nodes created later (validated on a probe node)."""
        cls = model_class(model)
        if not isinstance(params, dict):
            raise BadParameter(f"SetDefaults needs a dict of parameters, got {params!r}")
        base = {**cls.defaults, **self.model_defaults.get(model, {})}
        unknown = [k for k in params if k not in base]
        if unknown:
            raise BadProperty(f"{model} has no parameter {unknown[0]!r}; known parameters: {', '.join(sorted(base))}")
        probe = cls(Kernel._probe_kernel(self), 1, 1, [{**base, **params}])
        self.model_defaults[model] = {**self.model_defaults.get(model, {}), **probe._statuses[0]}
        self.model_defaults[model] = {k: v for k, v in self.model_defaults[model].items() if k in base}

    def get_defaults(self, model, keys=None):
        """Defaults of `model` (a dict, or one value for a key, or a dict for several keys)."""
        cls = model_class(model)
        probe = cls(Kernel._probe_kernel(self), 1, 1, [{**cls.defaults, **self.model_defaults.get(model, {})}])
        status = probe.get_status(0)
        status.pop("global_id")
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
        for name, nc in (("pre", pre), ("post", post)):
            if not isinstance(nc, NodeCollection):
                raise IllegalConnection(f"Connect: {name} must be a NodeCollection, got {type(nc).__name__}")
            if nc.kernel is not self:
                raise IllegalConnection(f"Connect: {name} belongs to another kernel (was ResetKernel called?)")
        pre_g, post_g = np.asarray(pre.tolist()), np.asarray(post.tolist())
        src, tgt = resolve_rule(conn_spec, pre_g, post_g, self.connections_rng)
        rule_shape = syn_array_layout(conn_spec, pre_g, post_g)
        weight, delay, receptor = resolve_syn_spec(syn_spec, len(src), rule_shape, self._resolution)
        # check all pairs before storing anything
        plans = []
        src_groups = list(self.split_by_population(src))
        for spop, slocal, spos in src_groups:
            tgt_sub = tgt[spos]
            for tpop, tlocal, tpos in self.split_by_population(tgt_sub):
                idx = spos[tpos]
                self._check_pair(spop, tpop, tlocal, receptor[idx])
                plans.append((spop, tpop, slocal[tpos], tlocal, idx))
        for spop, tpop, sl, tl, idx in plans:
            if spop.model_name == "multimeter":
                spop.add_target(tpop, tl)
                if spop not in tpop.multimeters:
                    tpop.multimeters.append(spop)
            key = (id(spop), id(tpop))
            if key not in self.projections:
                self.projections[key] = Projection(spop, tpop)
            self.projections[key].add(sl, tl, weight[idx], delay[idx], receptor[idx])

    def _check_pair(self, spop, tpop, tlocal, receptors):
        if spop.model_name == "multimeter":
            if tpop.element_type != "neuron":
                raise IllegalConnection(f"a multimeter records from neurons, not from {tpop.model_name}")
            spop.register_target(tpop)
            return
        if tpop.model_name == "multimeter":
            raise IllegalConnection("connect a multimeter to the neurons it records: Connect(multimeter, neurons)")
        if spop.element_type == "recorder":
            raise IllegalConnection(f"{spop.model_name} cannot send events")
        if tpop.element_type == "stimulator":
            raise IllegalConnection(f"{tpop.model_name} does not accept input from {spop.model_name}")
        if tpop.element_type == "recorder":
            if not spop.emits_spikes:
                raise IllegalConnection(f"{tpop.model_name} records spikes; {spop.model_name} emits none")
            return
        if spop.emits == "current":
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

    def get_connections(self, source=None, target=None):
        """All connections, optionally filtered by source and/or target NodeCollections, as a dict of arrays."""
        for name, nc in (("source", source), ("target", target)):
            if nc is not None and not isinstance(nc, NodeCollection):
                raise TypeError(f"{name} must be NodeCollection, got {type(nc).__name__} {nc!r}")
        parts = []
        for proj in self.projections.values():
            src, tgt, w, d, r = proj.arrays
            sg, tg = src + proj.source.first_gid, tgt + proj.target.first_gid
            mask = np.ones(len(sg), bool)
            if source is not None:
                mask &= np.isin(sg, source.tolist())
            if target is not None:
                mask &= np.isin(tg, target.tolist())
            parts.append((sg[mask], tg[mask], w[mask], d[mask], r[mask]))
        if not parts:
            return Connections(self, *(np.empty(0, t) for t in (np.int64, np.int64, float, np.int64, np.int64)))
        sg, tg, w, d, r = (np.concatenate(x) for x in zip(*parts))
        order = np.lexsort((tg, sg))
        return Connections(self, sg[order], tg[order], w[order], d[order], r[order])

    # --- delivery ----------------------------------------------------------------------
    def outgoing(self, pop):
        """Projections leaving population `pop`."""
        return [p for p in self.projections.values() if p.source is pop]

    def send_spikes(self, pop, batch: SpikeBatch):
        """Scatter a spike batch of `pop` over its connections into the targets' inboxes."""
        if len(batch) == 0:
            return
        for proj in pop.outgoing:
            target = proj.target
            if target.element_type == "recorder":
                target.record_spikes(pop.first_gid + batch.sources, batch.stamps, batch.multiplicities)
                continue
            idx, counts = proj.expand(batch.sources)
            if idx.size == 0:
                continue
            _, tgt, w, d, r = proj.csr()
            arrival = np.repeat(batch.stamps, counts) + d[idx]
            mult = np.repeat(batch.multiplicities, counts)
            if target.input_mode == "count":
                value = mult.astype(float)
            else:
                value = w[idx] * mult
                if batch.weights is not None:
                    value *= np.repeat(batch.weights, counts)
            target.inbox.add(arrival, r[idx], tgt[idx], value)

    def send_current(self, pop, batch: CurrentBatch):
        """Deliver currents of `pop` (values per stamp and source) to the targets' current port."""
        for proj in pop.outgoing:
            src, tgt, w, d, r = proj.arrays
            col = np.searchsorted(batch.sources, src)
            for delay in np.unique(d):
                m = d == delay
                proj.target.inbox.add_dense(batch.first_stamp + int(delay) - 1, 0, tgt[m],
                                            batch.values[:, col[m]] * w[m])

    # --- running ---------------------------------------------------------------------------
    def _prepare(self, t_end):
        for pop in self.populations:
            pop.upstream = {}
            pop.outgoing = self.outgoing(pop)
        for proj in self.projections.values():
            src, tgt = proj.source, proj.target
            if src.model_name == "multimeter":
                src.upstream[tgt] = 0
                continue
            d = 0 if tgt.element_type == "recorder" else proj.min_delay - (getattr(src, "emits", "") == "current")
            tgt.upstream[src] = min(d, tgt.upstream.get(src, d))
        for pop in self.populations:
            pop.pre_run()
            if pop.element_type == "recorder":
                pop.prepare_recording(t_end)

    def simulate(self, t_ms):
        """Advance the simulation by `t_ms` ms; see :func:`eventsim.Simulate`."""
        if isinstance(t_ms, bool) or not isinstance(t_ms, numbers.Real) or not np.isfinite(t_ms) or t_ms < 0:
            raise BadParameter(f"simulation time must be a non-negative number of ms, got {t_ms!r}")
        n_steps = ms_to_steps(t_ms, self._resolution, "simulation time")
        if n_steps == 0:
            return
        t_end = self.steps + n_steps
        self._prepare(t_end)
        env = self.env
        procs = [env.process(self._population_process(pop, t_end)) for pop in self.populations]
        reporter = ProgressReporter(self, self.steps, t_end, self.report, self.report_period)
        reporter.start()
        recorders = [pop for pop in self.populations if pop.element_type == "recorder"]
        try:
            env.run(until=simpy.AllOf(env, procs) if procs else t_end)
            if env.now < t_end:
                env.run(until=t_end)
        except BaseException:
            for rec in recorders:
                rec.abort_recording()
            raise
        finally:
            reporter.finish()
        self.steps = t_end
        for rec in recorders:
            rec.after_run(t_end)

    def _population_process(self, pop, t_end):
        """SimPy process of one population: advance as far as the inputs are known, then sleep."""
        env = self.env
        while pop.t < t_end:
            horizon = min(t_end, pop.t + pop.max_chunk_steps())
            for src, d in pop.upstream.items():
                horizon = min(horizon, src.t + d)
            if horizon <= pop.t:
                lagging = [src.progressed for src, d in pop.upstream.items() if src.t + d <= pop.t]
                yield simpy.AnyOf(env, lagging)
                continue
            pop.advance(pop.t, horizon)
            pop.t = horizon
            event, pop.progressed = pop.progressed, env.event()
            event.succeed()
            if horizon > env.now:
                yield env.timeout(horizon - env.now)


class Connections:
    """Result of ``GetConnections``: parallel arrays, one entry per connection.

    ``get()`` returns a dict with keys ``source``, ``target``, ``weight``,
    ``delay`` (ms), ``receptor`` and ``synapse_model``; ``get(key)`` one list.
    As in PyNEST, a single connection gives scalars instead of lists.
    """

    def __init__(self, kernel, source, target, weight, delay_steps, receptor):
        self._kernel = kernel
        self._data = {"source": source, "target": target, "weight": weight,
                      "delay": delay_steps * kernel.resolution, "receptor": receptor}

    def __len__(self):
        return len(self._data["source"])

    def get(self, keys=None, output=""):
        """Connection properties as lists (a scalar-free dict, or one list for a single key)."""
        data = {k: v.tolist() for k, v in self._data.items()}
        data["synapse_model"] = ["static_synapse"] * len(self)
        if len(self) == 1:
            data = {k: v[0] for k, v in data.items()}
        if keys is None:
            return data
        if isinstance(keys, str):
            return data[keys]
        return {k: data[k] for k in keys}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            values = self._data[name].tolist()
            return values[0] if len(values) == 1 else values
        except KeyError:
            raise AttributeError(f"connections have no property {name!r}") from None


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


def _per_node_params(params, n, model):
    """Normalise Create/set params into a list of `n` dicts."""
    if params is None:
        return [{}] * n
    if isinstance(params, (list, tuple)):
        if len(params) != n or not all(isinstance(p, dict) for p in params):
            raise BadParameter(f"params for {n} {model} nodes must be a dict or a list of {n} dicts, got {params!r}")
        return [dict(p) for p in params]
    if not isinstance(params, dict):
        raise BadParameter(f"params must be a dict or a list of dicts, got {type(params).__name__}")
    shared = {}                          # the values common to all nodes: one dict, shared
    out = [shared] * n
    for k, v in params.items():
        if isinstance(v, np.ndarray) and v.ndim == 0:
            # as NEST (whose message is "iteration over a 0-d array"), but naming the parameter
            raise TypeError(f"{k}: a 0-d numpy array ({v!r}) is not accepted; pass a number "
                            f"(e.g. {k}={v.item()!r}) or a list")
        if isinstance(v, (list, tuple, np.ndarray)) and _is_per_node(k, v, n):
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


_ARRAY_PARAMS = {"spike_times", "spike_weights", "spike_multiplicities", "amplitude_times", "amplitude_values",
                 "tau_syn", "E_rev", "asc_init", "asc_decay", "asc_amps", "asc_r", "record_from", "ASCurrents"}


def _is_per_node(key, value, n):
    """A list value is per node for scalar parameters; array parameters need a list of lists."""
    if key in _ARRAY_PARAMS:
        return len(value) == n and len(value) > 0 and all(isinstance(x, (list, tuple, np.ndarray)) for x in value)
    if len(value) != n:
        raise BadParameter(f"{key}: got {len(value)} values for {n} nodes")
    return True
