"""glif_cond: generalized leaky integrate-and-fire neuron with alpha-shaped conductances.

The five GLIF levels of the Allen Institute (Teeter et al. 2018), with NEST
3.10's parameters, defaults and update order on the grid:

================================  =====  ==========================================
Parameter                         Unit   Meaning
================================  =====  ==========================================
C_m                               pF     membrane capacitance
g_m                               nS     membrane (leak) conductance
E_L                               mV     resting potential
V_th                              mV     instantaneous threshold
V_reset                           mV     reset potential (levels without th_spike)
t_ref                             ms     refractory period (rounded to steps)
th_spike_add                      mV     threshold_spike jump at a spike
th_spike_decay                    1/ms   decay rate of threshold_spike
voltage_reset_fraction            1      V after spike = fraction * V_before + add
voltage_reset_add                 mV
th_voltage_index                  1/ms   adaptation of threshold_voltage to V
th_voltage_decay                  1/ms   decay rate of threshold_voltage
asc_init                          pA     initial after-spike currents
asc_decay                         1/ms   decay rates of the after-spike currents
asc_amps                          pA     after-spike current jumps
asc_r                             1      fraction of an after-spike current kept
tau_syn                           ms     synaptic time constants, one per receptor
E_rev                             mV     reversal potentials, one per receptor
spike_dependent_threshold         bool   level switch (R)
after_spike_currents              bool   level switch (ASC)
adapting_threshold                bool   level switch (A)
================================  =====  ==========================================

Legal levels (spike_dependent_threshold, after_spike_currents,
adapting_threshold): lif (F,F,F), lif_r (T,F,F), lif_asc (F,T,F),
lif_r_asc (T,T,F), lif_r_asc_a (T,T,T).

State: V_m (mV), ASCurrents (pA), threshold_spike, threshold_voltage (mV),
g, dg (per receptor).  Recordables: V_m, I, g_1..g_n, threshold,
threshold_spike, threshold_voltage, ASCurrents_sum.  Spikes arrive on
receptors 1..n (weight in nS: weight 1 gives a 1 nS conductance peak at
tau_syn), currents on receptor 0 (pA).

Update of one step from t to t + h, as NEST: integrate the membrane (V held
while refractory); if not refractory decay threshold_spike, average and decay
the after-spike currents, update threshold_voltage, and spike if V exceeds the
threshold at t + h (then reset); add the spikes due at t + h to the
conductances; take the current due at t + h; record.  The event-driven
implementation advances whole pieces between input spikes at once (see
:mod:`nodes.conductance_membrane`).
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.messages import Inbox, SpikeBatch
from eventsim.registry import register
from .base import Node, as_bool, as_float, as_float_array
from .conductance_membrane import MembranePropagator
from .glif_cond_steps import alpha_conductances, run_steps, warm_up
from .stiff_membrane import adaptive_coefficients

__all__ = ["GlifCond", "LEVELS"]

#: Legal mechanism combinations (spike_dependent_threshold, after_spike_currents, adapting_threshold).
LEVELS = {
    (False, False, False): "lif",
    (True, False, False): "lif_r",
    (False, True, False): "lif_asc",
    (True, True, False): "lif_r_asc",
    (True, True, True): "lif_r_asc_a",
}

_SCALARS = ("C_m", "g_m", "E_L", "V_th", "V_reset", "t_ref", "th_spike_add", "th_spike_decay",
            "voltage_reset_fraction", "voltage_reset_add", "th_voltage_index", "th_voltage_decay")
_FLAGS = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")
_ASC_ARRAYS = ("asc_init", "asc_decay", "asc_amps", "asc_r")

#: Shortest input-free piece (steps) integrated by solve_ivp; input-dense stretches use Gauss-Legendre quadrature.
SOLVER_MIN_STEPS = 40
#: Longest input-free stretch (steps) given to one solve_ivp call (bounds exp(A) in the integrating factor).
MAX_QUIET_STEPS = 2000
#: Conductance effect (mV) on V below which a piece is integrated in closed form.
NEGLIGIBLE_MV = 1e-8


#: NEST measures time in ticks of 1 microsecond.
TICKS_PER_MS = 1000
#: Refractory periods beyond any reachable time (e.g. t_ref = 1e300 ms) are capped here: refractory for ever.
MAX_REFRACTORY_STEPS = 1 << 62


def refractory_steps(t_ref, h):
    """Refractory period in steps as NEST counts it: t_ref rounded to ticks, then up to whole steps."""
    ticks = round(t_ref * TICKS_PER_MS)
    per_step = round(h * TICKS_PER_MS)
    return min(-(-ticks // per_step), MAX_REFRACTORY_STEPS)


@register
class GlifCond(Node):
    """Population of glif_cond neurons (see the module docstring for parameters and units)."""

    model_name = "glif_cond"
    element_type = "neuron"
    defaults = {
        "C_m": 58.72, "g_m": 9.43, "E_L": -78.85, "V_th": -51.68, "V_reset": -78.85, "t_ref": 3.75,
        "th_spike_add": 0.37, "th_spike_decay": 0.009, "voltage_reset_fraction": 0.2, "voltage_reset_add": 18.51,
        "th_voltage_index": 0.005, "th_voltage_decay": 0.09,
        "asc_init": [0.0, 0.0], "asc_decay": [0.003, 0.1], "asc_amps": [-9.18, -198.94], "asc_r": [1.0, 1.0],
        "tau_syn": [0.2, 2.0], "E_rev": [0.0, -85.0],
        "spike_dependent_threshold": False, "after_spike_currents": False, "adapting_threshold": False,
    }
    units = {"C_m": "pF", "g_m": "nS", "E_L": "mV", "V_th": "mV", "V_reset": "mV", "t_ref": "ms",
             "th_spike_add": "mV", "th_spike_decay": "1/ms", "voltage_reset_fraction": "1",
             "voltage_reset_add": "mV", "th_voltage_index": "1/ms", "th_voltage_decay": "1/ms",
             "asc_init": "pA", "asc_decay": "1/ms", "asc_amps": "pA", "asc_r": "1", "tau_syn": "ms",
             "E_rev": "mV", "V_m": "mV", "I": "pA", "threshold": "mV", "threshold_spike": "mV",
             "threshold_voltage": "mV", "ASCurrents_sum": "pA", "ASCurrents": "pA", "g": "nS", "dg": "nS/ms"}
    spike_ports = (1,)
    current_ports = (0,)
    emits_spikes = True
    emits = "spikes"

    #: Membrane potential (mV) of a new neuron; as in NEST it keeps this absolute value when E_L is changed.
    initial_V_m = -78.85
    #: Number of after-spike current state variables of a new neuron (NEST starts with two zeros,
    #: whatever the length of the asc_* arrays, until ASCurrents is set).
    initial_asc_len = 2

    @classmethod
    def initial_state_keys(cls):
        return ("V_m", "ASCurrents")

    _compiled = False

    def __init__(self, kernel, first_gid, n, statuses):
        super().__init__(kernel, first_gid, n, statuses)
        self._allocate_state()
        if not GlifCond._compiled:
            warm_up()
            GlifCond._compiled = True

    def _allocate_state(self, old=None):
        """Allocate the state arrays for all nodes, keeping the values of the first nodes from `old`."""
        n = self.n
        R = max(len(s["tau_syn"]) for s in self._statuses)
        J = max(len(s["asc_decay"]) for s in self._statuses)
        J = max(J, self.initial_asc_len)
        self.V = np.array([self.initial_V_m - s["E_L"] for s in self._statuses])
        self.g = np.zeros((R, n))
        self.dg = np.zeros((R, n))
        self.theta_s = np.zeros(n)
        self.theta_v = np.zeros(n)
        self.asc = np.zeros((J, n))
        self.asc_len = np.full(n, self.initial_asc_len, dtype=np.int64)
        self.S = np.zeros(n)
        self.I = np.zeros(n)
        self.refr = np.zeros(n, dtype=np.int64)
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
        old = {k: getattr(self, k) for k in ("V", "g", "dg", "theta_s", "theta_v", "asc", "asc_len", "S", "I",
                                             "refr")}
        self._statuses += self._validate_all(statuses)
        self.n = len(self._statuses)
        self._allocate_state(old)

    # --- status ------------------------------------------------------------------
    def validate(self, s):
        for k in _SCALARS:
            s[k] = as_float(k, s[k])
        for k in _FLAGS:
            s[k] = as_bool(k, s[k])
        for k in _ASC_ARRAYS + ("tau_syn", "E_rev"):
            s[k] = as_float_array(k, s[k])
        if (s["spike_dependent_threshold"], s["after_spike_currents"], s["adapting_threshold"]) not in LEVELS:
            raise BadProperty(
                "Incorrect model mechanism combination: spike_dependent_threshold="
                f"{s['spike_dependent_threshold']}, after_spike_currents={s['after_spike_currents']}, "
                f"adapting_threshold={s['adapting_threshold']}; legal levels are "
                + ", ".join(f"{name} {flags}" for flags, name in LEVELS.items()))
        if s["V_reset"] >= s["V_th"]:
            raise BadProperty(f"V_reset ({s['V_reset']} mV) must be lower than V_th ({s['V_th']} mV)")
        for k in ("C_m", "g_m", "t_ref", "th_spike_decay", "th_voltage_decay"):
            if s[k] <= 0:
                raise BadProperty(f"{k} must be positive, got {s[k]}")
        if not 0.0 <= s["voltage_reset_fraction"] <= 1.0:
            raise BadProperty(f"voltage_reset_fraction must be in [0, 1], got {s['voltage_reset_fraction']}")
        n_asc = len(s["asc_decay"])
        for k in ("asc_init", "asc_amps", "asc_r"):
            if len(s[k]) != n_asc:
                raise BadProperty(f"{k} has {len(s[k])} entries but asc_decay has {n_asc}; the after-spike "
                                  "current arrays must have equal lengths")
        if np.any(s["asc_decay"] <= 0):
            raise BadProperty(f"asc_decay must be positive, got {s['asc_decay'].tolist()}")
        if np.any((s["asc_r"] < 0) | (s["asc_r"] > 1)):
            raise BadProperty(f"asc_r must be in [0, 1], got {s['asc_r'].tolist()}")
        if len(s["tau_syn"]) == 0:
            raise BadProperty("tau_syn must have at least one entry")
        if np.any(s["tau_syn"] <= 0):
            raise BadProperty(f"tau_syn must be positive, got {s['tau_syn'].tolist()}")
        if len(s["E_rev"]) != len(s["tau_syn"]):
            raise BadProperty(f"E_rev has {len(s['E_rev'])} entries but tau_syn has {len(s['tau_syn'])}; "
                              "they must have equal lengths")
        return s

    def _resize_receptors(self, R):
        """Make room for R receptor ports (state rows and inbox ports), keeping what is there."""
        pad = R - self.g.shape[0]
        self.g = np.vstack([self.g, np.zeros((pad, self.n))])
        self.dg = np.vstack([self.dg, np.zeros((pad, self.n))])
        self.inbox.add_ports(pad)

    def set_status(self, local, updates):
        local = list(local)
        resized = [i for i, upd in zip(local, updates)
                   if any(k in upd and np.size(upd[k]) != len(self._statuses[i][k]) for k in ("tau_syn", "E_rev"))]
        if resized:
            connected = np.asarray(resized)[self.kernel.has_incoming_spikes(self, resized)]
            if connected.size:
                raise BadProperty(f"Setting status of a 'glif_cond' with node ID {self.first_gid + connected[0]}: "
                                  "The neuron has connections, therefore the number of ports cannot be reduced "
                                  "(or changed): tau_syn and E_rev must keep their length once spike connections "
                                  "exist")
        V_m_before = {i: self.V[i] + self._statuses[i]["E_L"] for i in local}
        super().set_status(local, updates)
        for i, upd in zip(local, updates):
            if "E_L" in upd and "V_m" not in upd:
                # NEST keeps V_m's absolute value when E_L changes; V is stored relative to E_L
                self.V[i] = V_m_before[i] - self._statuses[i]["E_L"]

    def _validate_state(self, i, status, state):
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
        n_ports = len(status["tau_syn"])
        if n_ports > self.g.shape[0]:
            self._resize_receptors(n_ports)
        self.g[n_ports:, i] = self.dg[n_ports:, i] = 0.0
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
        return len(self._statuses[i]["tau_syn"])

    def _state_status(self, i):
        s = self._statuses[i]
        R = len(s["tau_syn"])
        return {"V_m": self.V[i] + s["E_L"], "ASCurrents": self.asc[:self.asc_len[i], i].copy(),
                "ASCurrents_sum": self.S[i], "threshold_spike": self.theta_s[i],
                "threshold_voltage": self.theta_v[i],
                "threshold": self.theta_s[i] + self.theta_v[i] + s["V_th"],
                "g": self.g[:R, i].copy(), "dg": self.dg[:R, i].copy(), "I": self.I[i]}

    def recordable_names(self):
        """Names a multimeter can record from every node of this population."""
        R = min(len(s["tau_syn"]) for s in self._statuses)
        return ["V_m", "I"] + [f"g_{r + 1}" for r in range(R)] + ["threshold", "threshold_spike",
                                                                    "threshold_voltage", "ASCurrents_sum"]

    @property
    def recordables(self):
        return tuple(self.recordable_names())

    def recordable_units(self):
        """Unit of each recordable."""
        return {name: ("nS" if name.startswith("g_") else self.units[name]) for name in self.recordable_names()}

    # --- derived constants ----------------------------------------------------------
    def pre_run(self):
        h = self.kernel.resolution
        key = (h, self.n, self.status_version, self.g.shape[0], self.asc.shape[0])
        if getattr(self, "_derived_key", None) == key:
            return                     # nothing changed since the last Simulate: the constants still hold
        st = self._statuses
        col = lambda k: np.array([s[k] for s in st], dtype=float)  # noqa: E731
        self.h = h
        self.C_m, self.g_m, self.E_L = col("C_m"), col("g_m"), col("E_L")
        self.th_inf = col("V_th") - self.E_L
        self.V_reset_rel = col("V_reset") - self.E_L
        self.t_ref = col("t_ref")
        t_refs, where = np.unique(self.t_ref, return_inverse=True)
        self.n_ref = np.array([refractory_steps(float(t), h) for t in t_refs], dtype=np.int64)[where.reshape(-1)]
        self.has_r = np.array([s["spike_dependent_threshold"] for s in st])
        self.has_asc = np.array([s["after_spike_currents"] for s in st])
        self.has_a = np.array([s["adapting_threshold"] for s in st])
        self.reset_fraction, self.reset_add = col("voltage_reset_fraction"), col("voltage_reset_add")
        self.th_spike_add, self.th_spike_decay = col("th_spike_add"), col("th_spike_decay")
        a, b = col("th_voltage_index"), col("th_voltage_decay")
        R, J = self.g.shape[0], self.asc.shape[0]
        self.tau = np.ones((R, self.n))
        self.dE = np.zeros((R, self.n))
        self.k_asc = np.ones((J, self.n))
        self.amps = np.zeros((J, self.n))
        self.asc_r = np.zeros((J, self.n))
        n_syn = np.fromiter((len(s["tau_syn"]) for s in st), np.int64, self.n)
        n_asc = np.minimum(np.fromiter((len(s["asc_decay"]) for s in st), np.int64, self.n), self.asc_len)
        # the usual case, equal lengths: one stacking per array instead of a loop over the nodes
        if np.all(n_syn == R):
            self.tau[:] = np.array([s["tau_syn"] for s in st]).T
            self.dE[:] = np.array([s["E_rev"] for s in st]).T - self.E_L
        else:
            for i, s in enumerate(st):
                self.tau[:n_syn[i], i], self.dE[:n_syn[i], i] = s["tau_syn"], s["E_rev"] - s["E_L"]
        if np.all(n_asc == J):
            self.k_asc[:] = np.array([s["asc_decay"][:J] for s in st]).T
            self.amps[:] = np.array([s["asc_amps"][:J] for s in st]).T
            self.asc_r[:] = np.array([s["asc_r"][:J] for s in st]).T
        else:
            for i, s in enumerate(st):
                j = n_asc[i]
                self.k_asc[:j, i], self.amps[:j, i] = s["asc_decay"][:j], s["asc_amps"][:j]
                self.asc_r[:j, i] = s["asc_r"][:j]
        self.psc_scale = np.e / self.tau
        self.th_spike_decay_h = np.exp(-self.th_spike_decay * h)
        self.asc_decay_h = np.exp(-self.k_asc * h)
        self.asc_step_mean = (1.0 - np.exp(-self.k_asc * h)) / (self.k_asc * h)
        self.asc_reset_decay = np.exp(-self.k_asc * self.t_ref)
        self.th_spike_reset_decay = np.exp(-self.th_spike_decay * self.t_ref)
        # threshold_voltage propagator (exact for V linear within the step)
        self.tv_decay = np.exp(-b * h)
        self.tv_phi = a / (b - self.g_m / self.C_m)
        self.tv_membrane = np.exp(-self.g_m * h / self.C_m)
        self.tv_ab = a / b
        self.membrane = MembranePropagator(self.tau, self.dE, self.g_m, self.C_m, h)
        self._derived_key = key

    def max_chunk_steps(self):
        return max(1, min(1 << 15, (1 << 22) // (self.inbox.n_ports * self.n)))

    # --- simulation -------------------------------------------------------------------
    def advance(self, t_from, t_to):
        """Advance all neurons from step `t_from` to `t_to`.

        Three passes over the chunk: the conductances with their input (closed
        form), the membrane coefficients of every step (closed form, solve_ivp
        or quadrature; they do not depend on the neurons' own spikes), then the
        sequential update of thresholds, spikes and resets (:func:`run_steps`).
        """
        K = t_to - t_from
        inputs = self.inbox.take(t_from + 1, K)               # row k: what is due at step t_from + 1 + k
        current = inputs[0]
        jumps = inputs[1:].transpose(1, 0, 2) * self.psc_scale   # (K, R, N) dg jumps at the end of each step
        g_start, dg_start = self._conductances(jumps)
        P, Q, R = self._coefficients(g_start, dg_start, jumps)
        rec = {name: np.empty((K, self.n)) for name in ("V", "S", "theta_s", "theta_v")}
        spiked = np.zeros((K, self.n), dtype=np.bool_)
        run_steps(P, Q, R, current, self.V, self.theta_s, self.theta_v, self.S, self.I, self.refr, self.asc,
                  self.has_r, self.has_asc, self.has_a, self.th_inf, self.V_reset_rel, self.n_ref,
                  self.reset_fraction, self.reset_add, self.th_spike_add, self.th_spike_decay_h,
                  self.th_spike_reset_decay, self.asc_decay_h, self.asc_step_mean, self.amps, self.asc_r,
                  self.asc_reset_decay, self.g_m, self.tv_membrane, self.tv_decay, self.tv_phi, self.tv_ab,
                  rec["V"], rec["S"], rec["theta_s"], rec["theta_v"], spiked)
        step, idx = np.nonzero(spiked)
        if step.size:
            self.kernel.send_spikes(self, SpikeBatch(idx, step + t_from + 1, np.ones(idx.size, dtype=np.int64)))
        if self.multimeters:
            g_grid = np.concatenate([g_start[1:], self.g[None]])
            self._deliver_samples(rec, g_grid, current, t_from, t_to)

    def _conductances(self, jumps):
        """Conductance (nS) and derivative (nS/ms) at the start of each step, (K, R, N) each.

        `jumps` (K, R, N) are the dg increments of the spikes due at the end of
        each step; ``self.g`` and ``self.dg`` advance to the end of the chunk.
        """
        g_start, dg_start = np.empty(jumps.shape), np.empty(jumps.shape)
        alpha_conductances(self.g, self.dg, jumps, self.membrane.decay_h, self.h, g_start, dg_start)
        return g_start, dg_start

    def _coefficients(self, g_start, dg_start, jumps):
        """Membrane coefficients (P, Q, R), each (K, N), for every step of the chunk.

        Stretches of at least SOLVER_MIN_STEPS steps that no input spike enters
        are integrated in closed form (conductance negligible) or by one
        solve_ivp call; the remaining, input-dense steps by quadrature.
        """
        K, N = g_start.shape[0], self.n
        membrane = self.membrane
        P, Q, R = np.empty((K, N)), np.empty((K, N)), np.empty((K, N))
        arrivals = np.flatnonzero(jumps.any(axis=(1, 2))) + 1           # steps ending with input
        bounds = np.concatenate([[0], arrivals[arrivals < K], [K]])
        dense = np.ones(K, dtype=bool)
        hard_steps, hard_neurons = [], []                                # pairs left to adaptive quadrature
        for a, b in zip(bounds[:-1], bounds[1:]):
            if b - a < SOLVER_MIN_STEPS:
                continue
            dense[a:b] = False
            for lo in range(a, b, MAX_QUIET_STEPS):
                hi = min(b, lo + MAX_QUIET_STEPS)
                g0, dg0 = g_start[lo], dg_start[lo]
                reach = (np.abs(g0) * self.tau + np.abs(dg0) * self.tau ** 2) * (np.abs(self.dE) + 200.0)
                if np.all(reach.sum(axis=0) / self.C_m <= NEGLIGIBLE_MV):
                    P[lo:hi], Q[lo:hi], R[lo:hi] = membrane.closed_form(hi - lo)
                    continue
                unfit = membrane.solver_unfit(hi - lo, g0, dg0)
                if not unfit.any():
                    P[lo:hi], Q[lo:hi], R[lo:hi] = membrane.solver(hi - lo, g0, dg0)
                    continue
                fit = np.flatnonzero(~unfit)
                if fit.size:
                    P[lo:hi, fit], Q[lo:hi, fit], R[lo:hi, fit] = membrane.solver(hi - lo, g0[:, fit], dg0[:, fit],
                                                                                  cols=fit)
                bad = np.flatnonzero(unfit)
                hard_steps.append(np.repeat(np.arange(lo, hi), bad.size))
                hard_neurons.append(np.tile(bad, hi - lo))
        steps = np.flatnonzero(dense)
        block = max(1, (1 << 16) // N)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for lo in range(0, steps.size, block):
                sel = steps[lo:lo + block]
                g_sel, dg_sel = g_start[sel].transpose(1, 0, 2), dg_start[sel].transpose(1, 0, 2)
                P[sel], Q[sel], R[sel] = membrane.gauss_legendre(g_sel, dg_sel)
                rows, cols = np.nonzero(membrane.needs_adaptive(g_sel, dg_sel))
                if rows.size:
                    hard_steps.append(sel[rows])
                    hard_neurons.append(cols)
        if hard_steps:
            failures = adaptive_coefficients(g_start, dg_start, np.concatenate(hard_steps).astype(np.int64),
                                             np.concatenate(hard_neurons).astype(np.int64), self.tau, self.dE,
                                             self.g_m, self.C_m, self.h, P, Q, R)
            if failures:
                raise RuntimeError(f"glif_cond: the membrane quadrature did not converge on {failures} steps")
        return P, Q, R

    def _deliver_samples(self, rec, g_grid, current, t_from, t_to):
        """Hand each multimeter the requested variables at its sample steps in (t_from, t_to]."""
        for mm in self.multimeters:
            steps = mm.sample_steps(t_from, t_to)
            if steps.size == 0:
                continue
            rows = steps - t_from - 1
            local = mm.local_indices(self)
            values = {}
            for name in mm.record_from:
                if name == "V_m":
                    v = rec["V"][rows] + self.E_L
                elif name == "I":
                    v = current[rows]
                elif name == "threshold":
                    v = rec["theta_s"][rows] + rec["theta_v"][rows] + self.th_inf + self.E_L
                elif name == "threshold_spike":
                    v = rec["theta_s"][rows]
                elif name == "threshold_voltage":
                    v = rec["theta_v"][rows]
                elif name == "ASCurrents_sum":
                    v = rec["S"][rows]
                else:
                    v = g_grid[rows, int(name[2:]) - 1]
                values[name] = v[:, local]
            mm.record(self, steps, values)
