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

import numbers

import numpy as np

from eventsim.errors import BadProperty
from eventsim.registry import register
from .base import as_float_array
from .conductance_membrane import MembranePropagator
from .glif_base import GLIF_DEFAULTS, GLIF_UNITS, LEVELS, GlifBase, normalise_mechanisms
from .glif_base import refractory_steps  # noqa: F401  (part of this module's interface)
from .glif_cond_steps import alpha_conductances, warm_up
from .glif_steps import merge_slice_spikes, run_steps, spikes_in_slice
from .stiff_membrane import adaptive_coefficients

__all__ = ["GlifCond", "LEVELS"]

#: Shortest input-free piece (steps) given to the solver (with QUIET_INTEGRATOR "solve_ivp").
SOLVER_MIN_STEPS = 40
#: Longest input-free stretch (steps) given to one solve_ivp call (bounds exp(A) in the integrating factor).
MAX_QUIET_STEPS = 2000
#: How input-free stretches with a conductance are integrated: "quadrature" (4-point Gauss-Legendre in each
#: step, compiled; the default) or "solve_ivp" (scipy's DOP853 over the whole stretch, all neurons at once).
#: Both agree within about 1e-7 mV; quadrature was 6-30x faster in every case measured (5 to 10,000
#: neurons, 100 to 2000 steps, tau_syn 0.2 to 20 ms) and gives the same numbers however the population is
#: split over threads or MPI ranks, which the solver's shared step size does not.
QUIET_INTEGRATOR = "quadrature"
_QUIET_INTEGRATORS = ("quadrature", "solve_ivp")
#: Neurons taken through all the passes of a chunk together (about 2.4 KiB each per 20-step chunk), so that a
#: block is still in cache from one pass to the next.  Measured at N = 100,000: 512 to 8192 alike, 25 %
#: faster than no blocks; the largest is taken so that slices up to 8192 neurons stay whole.
NEURONS_PER_BLOCK = 8192
#: Conductance effect (mV) on V below which a step is integrated in closed form.
NEGLIGIBLE_MV = 1e-8


@register
class GlifCond(GlifBase):
    """Population of glif_cond neurons (see the module docstring for parameters and units)."""

    model_name = "glif_cond"
    defaults = {**GLIF_DEFAULTS, "g_m": 9.43, "tau_syn": [0.2, 2.0], "E_rev": [0.0, -85.0]}
    units = {**GLIF_UNITS, "g_m": "nS", "tau_syn": "ms", "E_rev": "mV", "g": "nS", "dg": "nS/ms"}
    array_parameters = GlifBase.array_parameters | {"tau_syn", "E_rev"}
    leak = "g_m"
    syn_state = ("g", "dg")

    def warm_up(self):
        warm_up()

    # --- status ------------------------------------------------------------------
    def validate(self, s):
        normalise_mechanisms(s, "g_m")
        for k in ("tau_syn", "E_rev"):
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

    def _state_status(self, i):
        s = self._params[i]
        n_ports = len(s["tau_syn"])
        return {"V_m": float(self.V[i] + s["E_L"]), "ASCurrents": self.asc[:self.asc_len[i], i].copy(),
                "ASCurrents_sum": float(self.S[i]), "threshold_spike": float(self.theta_s[i]),
                "threshold_voltage": float(self.theta_v[i]),
                "threshold": float(self.theta_s[i] + self.theta_v[i] + s["V_th"]),
                "g": self.g[:n_ports, i].copy(), "dg": self.dg[:n_ports, i].copy(), "I": float(self.I[i]),
                "t_spike": self.t_spike(i)}

    def recordable_names(self):
        """Names a multimeter can record from every node of this population."""
        n_ports = min(len(s["tau_syn"]) for s in self._params)
        return ["V_m", "I"] + [f"g_{r + 1}" for r in range(n_ports)] + ["threshold", "threshold_spike",
                                                                    "threshold_voltage", "ASCurrents_sum"]

    def recordable_units(self):
        """Unit of each recordable."""
        return {name: ("nS" if name.startswith("g_") else self.units[name]) for name in self.recordable_names()}

    # --- derived constants ----------------------------------------------------------
    def pre_run(self):
        if QUIET_INTEGRATOR not in _QUIET_INTEGRATORS:
            raise BadProperty(f"glif_cond.QUIET_INTEGRATOR must be one of {_QUIET_INTEGRATORS}, "
                              f"got {QUIET_INTEGRATOR!r}")
        if isinstance(NEURONS_PER_BLOCK, bool) or not isinstance(NEURONS_PER_BLOCK, numbers.Integral) \
                or NEURONS_PER_BLOCK < 1:
            raise BadProperty(f"glif_cond.NEURONS_PER_BLOCK must be a positive integer, got {NEURONS_PER_BLOCK!r}")
        if self.constants_current():
            return
        self._mechanism_constants()
        self.g_m = self.g_leak
        n_ports = self.g.shape[0]
        self.tau = np.ones((n_ports, self.n))
        self.dE = np.zeros((n_ports, self.n))
        st = self._params
        counts = np.fromiter((len(s["tau_syn"]) for s in st), dtype=np.int64, count=self.n)
        for r in np.unique(counts[counts > 0]).tolist():   # one block per number of receptors
            idx = np.flatnonzero(counts == r)
            self.tau[:r, idx] = np.array([st[i]["tau_syn"] for i in idx.tolist()], dtype=float).T
            self.dE[:r, idx] = np.array([st[i]["E_rev"] for i in idx.tolist()], dtype=float).T - self.E_L[idx]
        self.psc_scale = np.e / self.tau
        self.membrane = MembranePropagator(self.tau, self.dE, self.g_m, self.C_m, self.h)

    def max_chunk_steps(self):
        return max(1, min(1 << 15, (1 << 22) // (self.inbox.n_ports * self.n)))

    # --- simulation -------------------------------------------------------------------
    def advance(self, t_from, t_to):
        """Advance all neurons from step `t_from` to `t_to`.

        Three passes over the chunk: the conductances with their input (closed
        form), the membrane coefficients of every step (closed form, quadrature,
        or with QUIET_INTEGRATOR "solve_ivp" the solver; they do not depend on the
        neurons' own spikes), then the sequential update of thresholds, spikes
        and resets (:func:`run_steps`).  By default the three passes and the
        taking of the input run as one task per neuron slice
        (:meth:`_whole_chunk`).
        """
        K = t_to - t_from
        if QUIET_INTEGRATOR == "solve_ivp":
            inputs = self.inbox.take(t_from + 1, K, self.kernel.workers)           # row k: what is due at step t_from + 1 + k
            current = inputs[0]
            g_start, dg_start = self._conductances(inputs[1:])
            P, Q, R = self._coefficients(g_start, dg_start, inputs[1:])
            rec, spiked, _ = self._run_steps(run_steps, P, Q, R, current, asc_first=False)
            step, idx = np.divmod(np.flatnonzero(spiked), self.n)
        else:
            current, g_start, rec, (step, idx) = self._whole_chunk(t_from, K)
        self._send_found(step, idx, t_from)
        if self.samplers:
            g_end = self.g.copy()

            def g_after(name, rows, cols):                    # g at the end of each step: the next one's start
                r = int(name[2:]) - 1
                nxt = np.asarray(rows) + 1
                out = np.empty((nxt.size, len(cols)))
                inside = nxt < K
                out[inside] = g_start[nxt[inside][:, None], r, cols]
                out[~inside] = g_end[r, cols]
                return out
            self._send_samples(rec, current, t_from, t_to, g_after)

    def _conductances(self, spike_input):
        """Conductance (nS) and derivative (nS/ms) at the start of each step, (K, R, N) each.

        `spike_input` (R, K, N) are the weights (nS) of the spikes due at the end
        of each step; ``self.g`` and ``self.dg`` advance to the end of the chunk.
        """
        R, K, N = spike_input.shape
        g_start, dg_start = np.empty((K, R, N)), np.empty((K, R, N))
        self.run_sliced(lambda lo, hi: self._conductance_slice(spike_input, g_start, dg_start, lo, hi))
        return g_start, dg_start

    def _conductance_slice(self, spike_input, g_start, dg_start, lo, hi):
        """:meth:`_conductances` for neurons ``lo .. hi - 1``."""
        alpha_conductances(self.g, self.dg, spike_input, self.psc_scale, self.membrane.decay_h, self.h,
                           g_start, dg_start, lo, hi)

    def _whole_chunk(self, t_from, K):
        """Take the chunk's input, advance the conductances, compute the membrane coefficients (closed form or
        quadrature) and run the step loop, as one task per neuron slice: one pass over the threads per chunk.
        Within a slice, blocks of NEURONS_PER_BLOCK neurons go through all the passes one after the other, so
        that a block's data are still in the core's cache from one pass to the next.

        Returns the current (K, N), g_start (K, R, N), the step loop's records and the spikes (chunk rows and
        neurons, int64, ordered by row, then neuron), found by each slice.
        """
        inputs, fill, done = self.inbox.take_in_slices(t_from + 1, K, clear=True)  # row k: due at step t_from + 1 + k
        current, spike_input = inputs[0], inputs[1:]
        kept_current = self._chunk_array("current", K) if self.samplers else None   # read after the input is cleared
        R_ = spike_input.shape[0]
        g_start, dg_start = self._chunk_array("g_start", K, (R_,)), self._chunk_array("dg_start", K, (R_,))
        P, Q, R = (self._chunk_array(name, K) for name in ("P", "Q", "R"))
        hard = self._chunk_array("hard", K, dtype=np.bool_)
        steps = np.arange(K)
        failures = []
        step_loop, (rec, spiked, _) = self._steps_task(run_steps, P, Q, R, current, asc_first=False)
        found = []                                   # (first neuron of a slice, its spikes)

        def block_of_chunk(lo, hi):
            self._conductance_slice(spike_input, g_start, dg_start, lo, hi)
            if self.membrane.gauss_legendre_into(g_start, dg_start, steps, lo, hi, P, Q, R, hard, NEGLIGIBLE_MV):
                rows, cols = np.nonzero(hard[:, lo:hi])
                unconverged = self._adaptive(g_start, dg_start, rows, cols + lo, P, Q, R)
                if unconverged:
                    failures.append(unconverged)
                    return
            step_loop(lo, hi)
            found.append((lo, spikes_in_slice(spiked, lo, hi)))
            if kept_current is not None:
                kept_current[:, lo:hi] = current[:, lo:hi]

        def task(lo, hi):
            try:
                if fill is not None:
                    fill(lo, hi)                      # once per slice: a deposit scans all its connections
                for b in range(lo, hi, NEURONS_PER_BLOCK):
                    block_of_chunk(b, min(hi, b + NEURONS_PER_BLOCK))
            finally:                                  # whatever happened, the inbox rows must end up zero
                if done is not None:
                    done(lo, hi)
        self.run_sliced(task)
        self._check_converged(sum(failures))
        return (current if kept_current is None else kept_current), g_start, rec, merge_slice_spikes(found)

    def _adaptive(self, g_start, dg_start, steps, neurons, P, Q, R):
        """Fill P, Q, R at the (step, neuron) pairs given by adaptive quadrature; return the number not converged."""
        return adaptive_coefficients(g_start, dg_start, steps.astype(np.int64), neurons.astype(np.int64),
                                     self.tau, self.dE, self.g_m, self.C_m, self.h, P, Q, R)

    @staticmethod
    def _check_converged(failures):
        if failures:
            raise RuntimeError(f"glif_cond: the membrane quadrature did not converge on {failures} steps")

    def _coefficients(self, g_start, dg_start, spike_input):
        """Membrane coefficients (P, Q, R), each (K, N), for every step of the chunk, with QUIET_INTEGRATOR
        "solve_ivp": input-free stretches of at least SOLVER_MIN_STEPS steps by the solver, the other steps as
        :meth:`_whole_chunk` does."""
        K, N = g_start.shape[0], self.n
        P, Q, R = np.empty((K, N)), np.empty((K, N)), np.empty((K, N))
        hard_steps, hard_neurons = [], []                                # pairs left to adaptive quadrature
        steps = self._solver_stretches(g_start, dg_start, spike_input, P, Q, R, hard_steps, hard_neurons)
        if steps.size:
            hard = np.empty((K, N), dtype=bool)
            counts = []
            self.run_sliced(lambda lo, hi: counts.append(self.membrane.gauss_legendre_into(
                g_start, dg_start, steps, lo, hi, P, Q, R, hard, NEGLIGIBLE_MV)))
            if sum(counts):
                rows, cols = np.nonzero(hard[steps])
                hard_steps.append(steps[rows])
                hard_neurons.append(cols)
        if hard_steps:
            steps_all, neurons_all = np.concatenate(hard_steps), np.concatenate(hard_neurons)
            failures = []

            def adaptive(lo, hi):
                mine = (neurons_all >= lo) & (neurons_all < hi)
                if mine.any():
                    failures.append(self._adaptive(g_start, dg_start, steps_all[mine], neurons_all[mine], P, Q, R))
            self.run_sliced(adaptive)
            self._check_converged(sum(failures))
        return P, Q, R

    def _solver_stretches(self, g_start, dg_start, spike_input, P, Q, R, hard_steps, hard_neurons):
        """Fill P, Q, R on the input-free stretches of at least SOLVER_MIN_STEPS steps by solve_ivp (closed form
        where the conductance is negligible); append the pairs the solver cannot take to `hard_steps` and
        `hard_neurons`; return the other steps (int array)."""
        K = g_start.shape[0]
        membrane = self.membrane
        arrivals = np.flatnonzero(spike_input.any(axis=(0, 2))) + 1     # steps ending with input
        bounds = np.concatenate([[0], arrivals[arrivals < K], [K]])
        dense = np.ones(K, dtype=bool)
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
        return np.flatnonzero(dense)

