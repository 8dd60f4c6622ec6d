"""What the GLIF models (glif_cond, glif_psc, glif_psc_double_alpha) share.

The five GLIF levels of the Allen Institute (Teeter et al. 2018) differ from
one another only in three mechanisms, and the three NEST models differ only
in their synapses.  This module holds everything else once:

* the legal levels and NEST's refractory rounding;
* :class:`GlifBase`, a population with the GLIF state (V relative to E_L,
  threshold components, after-spike currents, refractory counter, held
  input current), its parameters and state in NEST's units, the E_L
  convention of NEST (V_m, V_th and V_reset keep their absolute values when
  E_L changes), the constants of the threshold and after-spike current
  updates, and the delivery of the shared recordables to multimeters;
* :func:`check_mechanisms`, NEST's validation of the GLIF parameters (the
  checks of a mechanism apply only when it is switched on, as in NEST).

A subclass supplies its synaptic state (``syn_state``: names of (rows, N)
arrays), the number of receptor ports of a node (``port_count``), the rows a
port count needs (``syn_rows``), its parameter validation and its
``advance``.  The sequential update itself is :func:`nodes.glif_steps.run_steps`.
"""

import operator

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import Inbox, SampleBatch, SpikeBatch
from eventsim.timegrid import TICS_PER_MS, steps_to_ms
from .base import Population, as_bool, as_float, as_float_array
from .glif_steps import GlifConstants, GlifState, StepCoefficients, StepRecord
from .spike_deposit import warm_up as warm_up_deposit

__all__ = ["GlifBase", "LEVELS", "FLAGS", "GLIF_DEFAULTS", "GLIF_UNITS", "refractory_steps",
           "check_mechanisms", "normalise_mechanisms"]

#: Legal mechanism combinations (spike_dependent_threshold, after_spike_currents, adapting_threshold).
LEVELS = {
    (False, False, False): "lif",
    (True, False, False): "lif_r",
    (False, True, False): "lif_asc",
    (True, True, False): "lif_r_asc",
    (True, True, True): "lif_r_asc_a",
}

#: The three mechanism switches, in the order of the LEVELS keys.
FLAGS = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")

_SHARED_SCALARS = ("C_m", "E_L", "V_th", "V_reset", "t_ref", "th_spike_add", "th_spike_decay",
                   "voltage_reset_fraction", "voltage_reset_add", "th_voltage_index", "th_voltage_decay")
_ASC_ARRAYS = ("asc_init", "asc_decay", "asc_amps", "asc_r")

#: Defaults of the parameters all three NEST GLIF models share (NEST 3.10).
GLIF_DEFAULTS = {
    "C_m": 58.72, "E_L": -78.85, "V_th": -51.68, "V_reset": -78.85, "t_ref": 3.75,
    "th_spike_add": 0.37, "th_spike_decay": 0.009, "voltage_reset_fraction": 0.2, "voltage_reset_add": 18.51,
    "th_voltage_index": 0.005, "th_voltage_decay": 0.09,
    "asc_init": [0.0, 0.0], "asc_decay": [0.003, 0.1], "asc_amps": [-9.18, -198.94], "asc_r": [1.0, 1.0],
    "spike_dependent_threshold": False, "after_spike_currents": False, "adapting_threshold": False,
}

#: Units of the shared parameters, state variables and recordables.
GLIF_UNITS = {"C_m": "pF", "E_L": "mV", "V_th": "mV", "V_reset": "mV", "t_ref": "ms",
              "th_spike_add": "mV", "th_spike_decay": "1/ms", "voltage_reset_fraction": "1",
              "voltage_reset_add": "mV", "th_voltage_index": "1/ms", "th_voltage_decay": "1/ms",
              "asc_init": "pA", "asc_decay": "1/ms", "asc_amps": "pA", "asc_r": "1",
              "V_m": "mV", "I": "pA", "threshold": "mV", "threshold_spike": "mV",
              "threshold_voltage": "mV", "ASCurrents_sum": "pA", "ASCurrents": "pA"}


#: Refractory periods beyond any reachable time (e.g. t_ref = 1e300 ms) are capped here: refractory for ever.
MAX_REFRACTORY_STEPS = 1 << 62


def refractory_steps(t_ref, h):
    """Refractory period in steps as NEST counts it: t_ref (ms) rounded to ticks, then up to whole steps of h (ms).

    `t_ref` is a number (gives an int) or an array (gives an int64 array), vectorised.
    """
    ticks = np.round(np.asarray(t_ref, dtype=float) * TICS_PER_MS)
    per_step = round(h * TICS_PER_MS)
    # whole ticks are exact in float64 up to 2**53; beyond, any period is "for ever" anyway
    steps = np.where(ticks < 2.0 ** 53, -np.floor_divide(-ticks, per_step), np.inf)
    steps = np.minimum(steps, float(MAX_REFRACTORY_STEPS)).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps


def normalise_mechanisms(s, leak):
    """Convert the shared GLIF parameters of one node's dict `s` in place (numbers, booleans, arrays).

    `leak` is the name of the membrane conductance parameter (``g_m`` or ``g``).
    Raises BadProperty naming the parameter that is not of the right kind.
    """
    for k in _SHARED_SCALARS + (leak,):
        s[k] = as_float(k, s[k])
    for k in FLAGS:
        s[k] = as_bool(k, s[k])
    for k in _ASC_ARRAYS:
        s[k] = as_float_array(k, s[k])


def check_mechanisms(s, leak):
    """NEST's checks of the GLIF parameters of one node's (normalised) dict `s`; raise BadProperty.

    As in NEST 3.10, the checks of a mechanism apply only when it is switched
    on: after-spike current arrays with after_spike_currents, th_spike_decay
    and voltage_reset_fraction with spike_dependent_threshold,
    th_voltage_decay with adapting_threshold.  Each message starts with NEST's
    and names the parameter and its value.
    """
    flags = tuple(s[k] for k in FLAGS)
    if flags not in LEVELS:
        raise BadProperty(
            "Incorrect model mechanism combination setting: spike_dependent_threshold="
            f"{flags[0]}, after_spike_currents={flags[1]}, adapting_threshold={flags[2]}; the legal levels "
            "(spike_dependent_threshold, after_spike_currents, adapting_threshold) are "
            + ", ".join(f"{name} {lv}" for lv, name in LEVELS.items()))
    if s["after_spike_currents"]:
        n_asc = len(s["asc_decay"])
        for k in ("asc_init", "asc_amps", "asc_r"):
            if len(s[k]) != n_asc:
                raise BadProperty("All after spike current parameters (i.e., asc_init, k, asc_amps, r) must have "
                                  f"the same size: {k} has {len(s[k])} entries, asc_decay {n_asc}")
        if np.any(s["asc_decay"] <= 0):
            raise BadProperty("After-spike current time constant must be strictly positive: asc_decay = "
                              f"{s['asc_decay'].tolist()}")
        if np.any((s["asc_r"] < 0) | (s["asc_r"] > 1)):
            raise BadProperty("After spike current fraction following spike coefficients r must be within "
                              f"[0.0, 1.0]: asc_r = {s['asc_r'].tolist()}")
    if s["V_reset"] >= s["V_th"]:
        raise BadProperty(f"Reset potential must be smaller than threshold: V_reset ({s['V_reset']} mV) >= "
                          f"V_th ({s['V_th']} mV)")
    for k, what in (("C_m", "Capacitance"), (leak, "Membrane conductance"),
                    ("t_ref", "Refractory time constant")):
        if s[k] <= 0:
            raise BadProperty(f"{what} must be strictly positive: {k} = {s[k]}")
    if s["adapting_threshold"] and s["th_voltage_decay"] <= 0:
        raise BadProperty("Voltage-induced threshold time constant must be strictly positive: "
                          f"th_voltage_decay = {s['th_voltage_decay']}")
    if s["spike_dependent_threshold"]:
        if s["th_spike_decay"] <= 0:
            raise BadProperty("Spike induced threshold time constant must be strictly positive: "
                              f"th_spike_decay = {s['th_spike_decay']}")
        if not 0.0 <= s["voltage_reset_fraction"] <= 1.0:
            raise BadProperty("Voltage fraction coefficient following spike must be within [0.0, 1.0]: "
                              f"voltage_reset_fraction = {s['voltage_reset_fraction']}")


class GlifBase(Population):
    """A population of GLIF neurons: shared state, status handling, constants and recording.

    Subclasses set ``model_name``, ``defaults``, ``units``, ``leak`` (name of
    the membrane conductance parameter, nS) and ``syn_state`` and implement
    ``port_count``, ``validate`` and ``advance``.
    """

    element_type = "neuron"
    spike_ports = (1,)
    current_ports = (0,)
    emits_spikes = True
    emits = "spikes"
    array_parameters = frozenset({"asc_init", "asc_decay", "asc_amps", "asc_r", "ASCurrents"})
    leak = "g_m"
    syn_state = ()
    #: Names of further per-node (N,) float state arrays of the model.
    extra_state = ()

    #: Membrane potential (mV) of a new neuron; as in NEST it keeps this absolute value when E_L is changed.
    initial_V_m = -78.85
    #: Number of after-spike current state variables of a new neuron (NEST starts with two zeros,
    #: whatever the length of the asc_* arrays, until ASCurrents is set).
    initial_asc_len = 2

    @classmethod
    def initial_state_keys(cls):
        return ("V_m", "ASCurrents")

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._allocate_state()
        cls = type(self)
        if not cls.__dict__.get("_compiled", False):
            self.warm_up()
            warm_up_deposit()
            cls._compiled = True

    def warm_up(self):
        """Compile (or load from numba's cache) the model's kernels."""

    @staticmethod
    def port_count(status):
        """Number of spike receptor ports of a node with parameter dict `status`."""
        return len(status["tau_syn"])

    @staticmethod
    def syn_rows(n_ports):
        """Rows of each synaptic state array needed for `n_ports` ports."""
        return n_ports

    def _state_names(self):
        return ("V", *self.syn_state, "theta_s", "theta_v", "asc", "asc_len", "S", "I", "refr", "last_spike",
                *self.extra_state)

    def _allocate_state(self, old=None):
        """Allocate the state arrays for all nodes, keeping the values of the first nodes from `old`."""
        n = self.n
        R = max(self.port_count(s) for s in self._params)
        J = max(len(s["asc_decay"]) for s in self._params)
        J = max(J, self.initial_asc_len)
        self.V = np.array([self.initial_V_m - s["E_L"] for s in self._params])
        for name in self.syn_state:
            setattr(self, name, np.zeros((self.syn_rows(R), n)))
        self.theta_s = np.zeros(n)
        self.theta_v = np.zeros(n)
        self.asc = np.zeros((J, n))
        self.asc_len = np.full(n, self.initial_asc_len, dtype=np.int64)
        self.S = np.zeros(n)
        self.I = np.zeros(n)
        self.refr = np.zeros(n, dtype=np.int64)
        self.last_spike = np.full(n, -1, dtype=np.int64)
        """Step of each node's last spike, -1 before the first (NEST's t_spike)."""
        for name in self.extra_state:
            setattr(self, name, np.zeros(n))
        if old is not None:
            m = old["V"].shape[0]
            for name, arr in old.items():
                target = getattr(self, name)
                if arr.ndim == 1:
                    target[:m] = arr
                else:
                    target[:arr.shape[0], :m] = arr
        self.inbox = Inbox(R + 1, n)

    def can_absorb(self):
        return True

    def absorb(self, statuses):
        old = {k: getattr(self, k) for k in self._state_names()}
        self._params += self._validate_all(statuses)
        self.n = len(self._params)
        self._allocate_state(old)

    # --- status ------------------------------------------------------------------
    def _resize_receptors(self, R):
        """Make room for R receptor ports (state rows and inbox ports), keeping what is there."""
        pad = self.syn_rows(R) - getattr(self, self.syn_state[0]).shape[0]
        for name in self.syn_state:
            setattr(self, name, np.vstack([getattr(self, name), np.zeros((pad, self.n))]))
        self.inbox.add_ports(R + 1 - self.inbox.n_ports)

    def set_status(self, local, updates):
        local = list(local)
        V_m_before = {i: self.V[i] + self._params[i]["E_L"] for i in local}
        super().set_status(local, updates)
        for i, upd in zip(local, updates):
            if "E_L" in upd and "V_m" not in upd:
                # NEST keeps V_m's absolute value when E_L changes; V is stored relative to E_L
                self.V[i] = V_m_before[i] - self._params[i]["E_L"]

    def _validate_state(self, i, status, state):
        ports = self.port_count(self._params[i])
        if self.port_count(status) != ports and self.kernel.has_incoming_spikes(self, [i])[0]:
            raise BadProperty(f"Setting status of a {self.model_name!r} with node ID {self.first_gid + i}: The neuron "
                              "has connections, therefore the number of ports cannot be reduced (or changed): it "
                              f"keeps {ports} receptor ports while spike connections exist")
        out = {}
        if "V_m" in state:
            out["V_m"] = as_float("V_m", state["V_m"])
        if "ASCurrents" in state:
            asc = as_float_array("ASCurrents", state["ASCurrents"])
            if not status["after_spike_currents"]:
                raise BadProperty("ASCurrents can only be set when after_spike_currents is True")
            if len(asc) != len(status["asc_decay"]):
                raise BadProperty(f"ASCurrents has {len(asc)} entries but asc_decay has "
                                  f"{len(status['asc_decay'])}; they must have equal lengths")
            out["ASCurrents"] = asc
        return out

    def _commit_state(self, i, status, state):
        n_ports = self.port_count(status)
        if self.syn_rows(n_ports) > getattr(self, self.syn_state[0]).shape[0]:
            self._resize_receptors(n_ports)
        for name in self.syn_state:
            getattr(self, name)[self.syn_rows(n_ports):, i] = 0.0
        if "V_m" in state:
            self.V[i] = state["V_m"] - status["E_L"]
        if "ASCurrents" in state:
            asc = state["ASCurrents"]
            if len(asc) > self.asc.shape[0]:
                self.asc = np.vstack([self.asc, np.zeros((len(asc) - self.asc.shape[0], self.n))])
            self.asc[:, i] = 0.0
            self.asc[:len(asc), i] = asc
            self.asc_len[i] = len(asc)

    def n_receptors(self, i):
        return self.port_count(self._params[i])

    def _glif_state_status(self, i):
        """V_m, ASCurrents and the threshold components of local node `i`."""
        s = self._params[i]
        return {"V_m": float(self.V[i] + s["E_L"]), "ASCurrents": self.asc[:self.asc_len[i], i].copy(),
                "threshold_spike": float(self.theta_s[i]), "threshold_voltage": float(self.theta_v[i]),
                "t_spike": self.t_spike(i)}

    def t_spike(self, i):
        """Time (ms) of the last spike of local node `i`, -1.0 if it has not spiked (NEST's t_spike)."""
        step = int(self.last_spike[i])
        return -1.0 if step < 0 else float(steps_to_ms(step, self.kernel.resolution))

    @property
    def recordables(self):
        return tuple(self.recordable_names())

    # --- derived constants ----------------------------------------------------------
    def constants_current(self):
        """True if the derived constants of the last :meth:`pre_run` still hold (no parameter, node or
        resolution changed since); otherwise False, and the next call returns True until one does."""
        key = (self.status_version, self.n, self.kernel.resolution)
        if getattr(self, "_constants_key", None) == key:
            return True
        self._constants_key = key
        return False

    def _mechanism_constants(self):
        """Derive the vectorised constants of thresholds, after-spike currents and refractoriness.

        Sets ``self.constants`` (:class:`nodes.glif_steps.GlifConstants`, per-node arrays (N,) or (J, N)
        used by :func:`nodes.glif_steps.run_steps`), and ``self.h`` (ms), ``self.C_m`` (pF),
        ``self.g_leak`` (nS) and ``self.E_L`` (mV).
        """
        h = self.kernel.resolution
        st = self._params
        names = ("C_m", self.leak, "E_L", "t_ref", "th_spike_decay", "th_voltage_index", "th_voltage_decay", "V_th",
                 "V_reset", "voltage_reset_fraction", "voltage_reset_add", "th_spike_add",
                 "spike_dependent_threshold", "after_spike_currents", "adapting_threshold")
        table = np.array(list(map(operator.itemgetter(*names), st)), dtype=float).reshape(len(st), len(names))
        columns = dict(zip(names, table.T.copy()))        # one pass over the nodes' dicts, not one per name
        col = columns.__getitem__
        self.h = h
        self.C_m, self.g_leak, self.E_L = col("C_m"), col(self.leak), col("E_L")
        t_ref = col("t_ref")
        th_spike_decay = col("th_spike_decay")
        a, b = col("th_voltage_index"), col("th_voltage_decay")
        J = self.asc.shape[0]
        k_asc = np.ones((J, self.n))
        amps = np.zeros((J, self.n))
        asc_r = np.zeros((J, self.n))
        by_length = {}                    # nodes with after-spike currents, by the number of currents used
        for i, (s, length) in enumerate(zip(st, self.asc_len.tolist())):
            if s["after_spike_currents"]:  # NEST ignores (and does not check) the asc_* arrays otherwise
                by_length.setdefault(min(len(s["asc_decay"]), length), []).append(i)
        for j, nodes in by_length.items():
            if j:
                for name, out in (("asc_decay", k_asc), ("asc_amps", amps), ("asc_r", asc_r)):
                    out[:j, nodes] = np.array([st[i][name][:j] for i in nodes], dtype=float).T
        # threshold_voltage propagator (exact for V linear within the step); only used with adapting_threshold
        with np.errstate(divide="ignore", invalid="ignore"):
            tv = dict(tv_decay=np.exp(-b * h), tv_phi=a / (b - self.g_leak / self.C_m),
                      tv_membrane=np.exp(-self.g_leak * h / self.C_m), tv_ab=a / b)
        self.constants = GlifConstants(
            has_r=col("spike_dependent_threshold") != 0.0,
            has_asc=col("after_spike_currents") != 0.0,
            has_a=col("adapting_threshold") != 0.0,
            th_inf=col("V_th") - self.E_L,
            V_reset=col("V_reset") - self.E_L,
            n_ref=refractory_steps(t_ref, h),
            reset_fraction=col("voltage_reset_fraction"), reset_add=col("voltage_reset_add"),
            th_spike_add=col("th_spike_add"),
            th_spike_decay_h=np.exp(-th_spike_decay * h),
            th_spike_reset_decay=np.exp(-th_spike_decay * t_ref),
            asc_decay_h=np.exp(-k_asc * h),
            asc_step_mean=(1.0 - np.exp(-k_asc * h)) / (k_asc * h),
            asc_amps=amps, asc_r=asc_r,
            asc_reset_decay=np.exp(-k_asc * t_ref),
            g_m=self.g_leak, **tv)

    def glif_state(self):
        """The state arrays as a :class:`nodes.glif_steps.GlifState` (the arrays themselves, not copies)."""
        return GlifState(*(getattr(self, name) for name in GlifState._fields))

    #: Fewest neurons per thread: below this, splitting a population costs more than it saves.
    min_neurons_per_thread = 128

    def run_sliced(self, task):
        """Call ``task(lo, hi)`` on slices of the neurons, in the kernel's threads (see :mod:`eventsim.workers`);
        `task` must compute every neuron on its own."""
        self.kernel.workers.run(task, self.n, self.min_neurons_per_thread)

    def _run_steps(self, run_steps, P, Q, R, current, asc_first):
        """Run the sequential update over a chunk; return (records dict, spiked (K, N), integrated (K, N)).

        `run_steps` is :func:`nodes.glif_steps.run_steps` (passed in so that a
        model module can wrap it); the state arrays are updated in place.
        """
        task, results = self._steps_task(run_steps, P, Q, R, current, asc_first)
        self.run_sliced(task)
        return results

    def _chunk_array(self, name, K, shape=(), dtype=np.float64):
        """An uninitialised array ``(K, *shape, N)`` for a chunk's temporaries, reused from chunk to chunk.

        Fresh memory costs a page fault per 4 KiB page when first written (and,
        with threads, one thread's faults wait for the other's), so a population
        keeps the largest buffer each name has needed and lends its first K
        rows (C-contiguous).  The arrays are valid until the next chunk.
        """
        arrays = self.__dict__.setdefault("_chunk_arrays", {})
        full = (K, *shape, self.n)
        buf = arrays.get(name)
        if buf is None or buf.shape[0] < K or buf.shape[1:] != full[1:] or buf.dtype != dtype:
            buf = arrays[name] = np.empty(full, dtype)
        return buf[:K]

    def _steps_task(self, run_steps, P, Q, R, current, asc_first):
        """The sequential update of :meth:`_run_steps` as ``task(lo, hi)`` for a slice of neurons, and the
        results it fills, ``(records dict, spiked, integrated)``; P, Q, R and current may be filled by an
        earlier part of the same slice's task."""
        K = P.shape[0]
        out = StepRecord(*(self._chunk_array(name, K) for name in ("V", "S", "theta_s", "theta_v")),
                         self._chunk_array("spiked", K, dtype=np.bool_), self._chunk_array("integrated", K, dtype=np.bool_))
        coef, state, const = StepCoefficients(P, Q, R, current), self.glif_state(), self.constants
        rec = {"V": out.V, "S": out.S, "theta_s": out.theta_s, "theta_v": out.theta_v}

        def task(lo, hi):
            run_steps(coef, state, const, out, asc_first, lo, hi)
        return task, (rec, out.spiked, out.integrated)

    def _send_found(self, step, idx, t_from):
        """Send spikes at chunk rows `step` of neurons `idx` (int64, ordered by row, then neuron) as one
        SpikeBatch; the chunk starts at step `t_from`."""
        if step.size:
            self.last_spike[idx] = step + t_from + 1          # in step order: the last spike of each node wins
            self.kernel.send_spikes(self, SpikeBatch(idx, step + t_from + 1, np.ones(idx.size, dtype=np.int64)))

    def _send_samples(self, rec, current, t_from, t_to, extra):
        """Send the recordables of the chunk ``(t_from, t_to]`` as one sample message.

        `rec` holds the chunk's rows of V, theta_s, theta_v and S written by the
        step loop, `current` the input current; `extra(name, rows, cols)` returns
        the (len(rows), len(cols)) values of a model-specific recordable at chunk
        rows `rows` of local nodes `cols`.  Only the rows and nodes a sampler asks
        for are computed (the same values, element by element).
        """
        readers = {
            "V_m": lambda at, cols: rec["V"][at] + self.E_L[cols],
            "I": lambda at, cols: current[at],
            "threshold": lambda at, cols: (rec["theta_s"][at] + rec["theta_v"][at] + self.constants.th_inf[cols]
                                           + self.E_L[cols]),
            "threshold_spike": lambda at, cols: rec["theta_s"][at],
            "threshold_voltage": lambda at, cols: rec["theta_v"][at],
            "ASCurrents_sum": lambda at, cols: rec["S"][at],
        }

        def read(name, rows, cols):
            reader = readers.get(name)
            if reader is None:
                return extra(name, rows, cols)
            return reader((np.asarray(rows)[:, None], cols), cols)

        self.kernel.send_samples(self, SampleBatch(t_from, t_to, read))

