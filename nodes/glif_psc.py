"""glif_psc: generalized leaky integrate-and-fire neuron with alpha-shaped synaptic currents.

The five GLIF levels of the Allen Institute (Teeter et al. 2018) with
current-based synapses, as NEST 3.10's ``glif_psc``: its parameters,
defaults, validation and update order on the grid.

================================  =====  ==========================================
Parameter                         Unit   Meaning
================================  =====  ==========================================
C_m                               pF     membrane capacitance
g                                 nS     membrane (leak) conductance (glif_cond: g_m)
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
asc_init                          pA     (kept for NEST; does not set ASCurrents)
asc_decay                         1/ms   decay rates of the after-spike currents
asc_amps                          pA     after-spike current jumps
asc_r                             1      fraction of an after-spike current kept
tau_syn                           ms     synaptic time constants, one per receptor
spike_dependent_threshold         bool   level switch (R)
after_spike_currents              bool   level switch (ASC)
adapting_threshold                bool   level switch (A)
================================  =====  ==========================================

Legal levels (spike_dependent_threshold, after_spike_currents,
adapting_threshold): lif (F,F,F), lif_r (T,F,F), lif_asc (F,T,F),
lif_r_asc (T,T,F), lif_r_asc_a (T,T,T).  As in NEST, the checks of a
mechanism's parameters apply only when the mechanism is on.

State: V_m (mV), ASCurrents (pA), threshold_spike and threshold_voltage (mV,
settable only with their mechanism).  Recordables: ASCurrents_sum, I, I_syn,
V_m, threshold, threshold_spike, threshold_voltage.  Spikes arrive on
receptors 1..n (weight in pA: weight 1 gives a 1 pA current peak at tau_syn),
currents on receptor 0 (pA).

Update of one step from t to t + h, as NEST: if not refractory, decay
threshold_spike, average and decay the after-spike currents, advance V with
the exact propagator (input current, after-spike average and synaptic
currents held as in NEST), record I_syn (the synaptic current at t), update
threshold_voltage, and spike if V exceeds the threshold at t + h (then
reset); while refractory V, the thresholds, the after-spike currents and
I_syn are held.  Then the synaptic currents advance and take the spikes due
at t + h, and the current due at t + h is taken.
"""

import numpy as np

from eventsim.errors import BadProperty
from eventsim.registry import register
from .base import as_float, as_float_array
from .glif_base import GLIF_DEFAULTS, GLIF_UNITS, GlifBase, check_mechanisms, normalise_mechanisms
from .glif_psc_steps import alpha_currents, iaf_alpha_propagators, last_integrated
from .glif_psc_steps import warm_up as warm_up_currents
from .glif_steps import merge_slice_spikes, run_steps, spikes_in_slice
from .glif_steps import warm_up as warm_up_steps

__all__ = ["GlifPsc", "GlifPscDoubleAlpha"]

_RECORDABLES = ("ASCurrents_sum", "I", "I_syn", "V_m", "threshold", "threshold_spike", "threshold_voltage")


def _positive_entries(s, key, message):
    """`s[key]` as a float array whose entries are all > 0, else BadProperty with NEST's `message`."""
    s[key] = as_float_array(key, s[key])
    if np.any(s[key] <= 0):
        raise BadProperty(f"{message}: {key} = {s[key].tolist()}")


@register
class GlifPsc(GlifBase):
    """Population of glif_psc neurons (see the module docstring for parameters and units)."""

    model_name = "glif_psc"
    defaults = {**GLIF_DEFAULTS, "g": 9.43, "tau_syn": [2.0]}
    units = {**GLIF_UNITS, "g": "nS", "tau_syn": "ms", "I_syn": "pA"}
    array_parameters = GlifBase.array_parameters | {"tau_syn"}
    leak = "g"
    syn_state = ("y1", "y2")
    extra_state = ("I_syn",)

    @classmethod
    def initial_state_keys(cls):
        return ("V_m", "ASCurrents", "threshold_spike", "threshold_voltage")

    def warm_up(self):
        warm_up_steps()
        warm_up_currents()

    # --- status ------------------------------------------------------------------
    def validate(self, s):
        normalise_mechanisms(s, self.leak)
        self._validate_synapses(s)
        check_mechanisms(s, self.leak)
        return s

    def _validate_synapses(self, s):
        _positive_entries(s, "tau_syn", "All synaptic time constants must be strictly positive")

    def components(self, s):
        """Synaptic components of a node: (port index from 0, tau_syn in ms, amplitude) per state row."""
        return [(r, tau, 1.0) for r, tau in enumerate(s["tau_syn"])]

    def _validate_state(self, i, status, state):
        out = super()._validate_state(i, status, state)
        for key, flag, what in (("threshold_spike", "spike_dependent_threshold", "Threshold spike component"),
                                ("threshold_voltage", "adapting_threshold", "Threshold voltage component")):
            if key in state:
                out[key] = as_float(key, state[key])
                if not status[flag]:
                    raise BadProperty(f"{what} is not supported or settable in the current model mechanisms: "
                                      f"{key} needs {flag}=True")
        return out

    def _commit_state(self, i, status, state):
        super()._commit_state(i, status, state)
        if "threshold_spike" in state:
            self.theta_s[i] = state["threshold_spike"]
        if "threshold_voltage" in state:
            self.theta_v[i] = state["threshold_voltage"]

    def _state_status(self, i):
        return self._glif_state_status(i)

    def recordable_names(self):
        """Names a multimeter can record (NEST's list)."""
        return list(_RECORDABLES)

    # --- derived constants ----------------------------------------------------------
    def pre_run(self):
        if self.constants_current():
            return
        self._mechanism_constants()
        h = self.h
        tau_m = self.C_m / self.g_leak
        self.P33 = np.exp(-h / tau_m)
        self.P30 = 1.0 / self.C_m * (1.0 - self.P33) * tau_m
        rows = self.y1.shape[0]
        tau = np.ones((rows, self.n))
        self.scale = np.zeros((rows, self.n))
        for i, s in enumerate(self._params):
            for c, (_, tau_c, amplitude) in enumerate(self.components(s)):
                tau[c, i] = tau_c
                self.scale[c, i] = np.e / tau_c * amplitude
        self.port_of_row = np.array([self._row_port(c) for c in range(rows)], dtype=np.int64)
        self.p11 = np.exp(-h / tau)
        self.p21 = h * self.p11
        self.p31, self.p32 = iaf_alpha_propagators(tau, tau_m[None, :], self.C_m[None, :], h)
        used = self.scale != 0.0          # rows a node does not use take no input and act on nothing
        self.p31 = np.where(used, self.p31, 0.0)
        self.p32 = np.where(used, self.p32, 0.0)

    @staticmethod
    def _row_port(c):
        """Port index (from 0) of state row `c`."""
        return c

    def max_chunk_steps(self):
        return max(1, min(1 << 15, (1 << 22) // (self.inbox.n_ports * self.n)))

    # --- simulation -------------------------------------------------------------------
    def advance(self, t_from, t_to):
        """Advance all neurons from step `t_from` to `t_to`.

        Two passes over the chunk: the synaptic currents with their input and
        their exact contribution to V at every step (:func:`alpha_currents`),
        then the sequential update of membrane, thresholds, spikes and resets
        (:func:`nodes.glif_steps.run_steps`).  Taking the input, both passes and
        the search for spikes run as one task per neuron slice: one pass over
        the kernel's threads per chunk.
        """
        K = t_to - t_from
        inputs, fill, _ = self.inbox.take_in_slices(t_from + 1, K)   # row k: what is due at step t_from + 1 + k
        current, spike_input = inputs[0], inputs[1:]
        n_ports = spike_input.shape[0]
        weights = self._chunk_array("weights", n_ports * K).reshape(n_ports, K, self.n)  # C-ordered for the loop
        Q, I_syn, P, R = (self._chunk_array(name, K) for name in ("Q", "I_syn", "P", "R"))
        step_loop, (rec, spiked, integrated) = self._steps_task(run_steps, P, Q, R, current, asc_first=True)
        before, after = self.I_syn, np.empty(self.n)
        found = []                                   # (first neuron of a slice, its spikes)

        def task(lo, hi):
            if fill is not None:
                fill(lo, hi)
            weights[:, :, lo:hi] = spike_input[:, :, lo:hi]
            alpha_currents(self.y1, self.y2, weights, self.port_of_row, self.scale, self.p11, self.p21,
                           self.p31, self.p32, Q, I_syn, lo, hi)
            P[:, lo:hi], R[:, lo:hi] = self.P33[lo:hi], self.P30[lo:hi]
            step_loop(lo, hi)
            last_integrated(I_syn, integrated, before, after, lo, hi)
            found.append((lo, spikes_in_slice(spiked, lo, hi)))
        self.run_sliced(task)
        step, idx = merge_slice_spikes(found)
        self._send_found(step, idx, t_from)
        self.I_syn = after
        if self.samplers:
            self._send_samples(rec, current, t_from, t_to,
                               lambda name, rows, nodes: _held_I_syn(I_syn, integrated, before, rows, nodes))


def _held_I_syn(I_syn, integrated, before, rows, nodes):
    """I_syn (pA) as NEST records it, at chunk `rows` of local `nodes`: the synaptic current of the last
    integrated step up to each row (held while refractory), `before` (the value at the chunk's start) if
    there was none.  `I_syn` and `integrated` are the chunk's (K, N) arrays."""
    K = I_syn.shape[0]
    idx = np.where(integrated[:, nodes], np.arange(K)[:, None], -1)
    np.maximum.accumulate(idx, axis=0, out=idx)
    idx = idx[rows]
    return np.where(idx >= 0, I_syn[np.maximum(idx, 0), nodes], before[nodes])


@register
class GlifPscDoubleAlpha(GlifPsc):
    """Population of glif_psc_double_alpha neurons: glif_psc with two alpha currents per receptor.

    Receptor r (from 1) has a fast component (tau_syn_fast[r], ms) and a slow
    one (tau_syn_slow[r], ms) whose amplitude is amp_slow[r] times the fast
    one's: weight 1 gives a fast current peaking at 1 pA at tau_syn_fast plus a
    slow one peaking at amp_slow pA at tau_syn_slow.  Everything else is glif_psc.
    """

    model_name = "glif_psc_double_alpha"
    defaults = {**GLIF_DEFAULTS, "g": 9.43, "tau_syn_fast": [2.0], "tau_syn_slow": [6.0], "amp_slow": [0.3]}
    units = {**GLIF_UNITS, "g": "nS", "tau_syn_fast": "ms", "tau_syn_slow": "ms", "amp_slow": "1", "I_syn": "pA"}
    array_parameters = GlifBase.array_parameters | {"tau_syn_fast", "tau_syn_slow", "amp_slow"}

    @staticmethod
    def port_count(status):
        return len(status["tau_syn_fast"])

    @staticmethod
    def syn_rows(n_ports):
        return 2 * n_ports

    @staticmethod
    def _row_port(c):
        return c // 2

    def _validate_synapses(self, s):
        _positive_entries(s, "tau_syn_fast", "All synaptic time constants must be strictly positive")
        _positive_entries(s, "tau_syn_slow", "All slow synaptic time constants must be strictly positive")
        _positive_entries(s, "amp_slow", "All slow synaptic amplitudes must be strictly positive")
        n = len(s["tau_syn_fast"])
        for key in ("tau_syn_slow", "amp_slow"):
            if len(s[key]) != n:
                raise BadProperty(f"{key} has {len(s[key])} entries but tau_syn_fast has {n}: every receptor "
                                  "needs a fast and a slow time constant and an amp_slow")

    def components(self, s):
        """Rows 2r (fast) and 2r + 1 (slow) of port r: (port index, tau_syn in ms, amplitude)."""
        out = []
        for r, (fast, slow, amp) in enumerate(zip(s["tau_syn_fast"], s["tau_syn_slow"], s["amp_slow"])):
            out += [(r, fast, 1.0), (r, slow, amp)]
        return out
