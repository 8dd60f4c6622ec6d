"""The sequential per-step update shared by the GLIF models, compiled with numba.

Given the membrane coefficients of every step (``V_{j+1} = P_j V_j + Q_j +
(I_j + ASC_j) R_j``), what is left of an update is sequential and cheap:
threshold components, after-spike currents, the spike test, reset and
refractoriness, in NEST's order.  The coefficients depend on the synaptic
input only, never on the neuron's own spikes, so the models compute them once
per chunk (glif_cond: :mod:`nodes.conductance_membrane`; glif_psc: exact
propagators) and this loop never has to go back.

The two families differ in one place: glif_cond integrates the membrane with
the step-averaged after-spike current of the previous step and updates the
currents afterwards, glif_psc updates the currents first and integrates with
the new average (``asc_first``).
"""

from collections import namedtuple

import numpy as np
from numba import njit

__all__ = ["GlifState", "GlifConstants", "StepCoefficients", "StepRecord", "run_steps", "warm_up"]

#: State of N neurons, updated in place: V relative to E_L (mV), threshold components (mV), step-averaged
#: after-spike current (pA), held input current (pA), remaining refractory steps (int64), and the after-spike
#: currents asc (pA, shape (J, N)).
GlifState = namedtuple("GlifState", "V theta_s theta_v S I refr asc")

#: Per-neuron constants (N,) or (J, N) of the update, derived from the parameters before a run:
#: mechanism switches (bool); th_inf, V_reset: V_th and V_reset relative to E_L (mV); n_ref: refractory
#: steps (int64); reset_fraction (1), reset_add, th_spike_add (mV); th_spike_decay_h, th_spike_reset_decay:
#: exp(-th_spike_decay h), exp(-th_spike_decay t_ref); asc_decay_h, asc_step_mean, asc_amps, asc_r,
#: asc_reset_decay (J, N): exp(-k h), (1 - exp(-k h)) / (k h), jumps (pA), retained fraction, exp(-k t_ref);
#: g_m (nS), tv_membrane, tv_decay, tv_phi, tv_ab: exp(-g_m h / C_m), exp(-b h), a / (b - g_m / C_m), a / b.
GlifConstants = namedtuple("GlifConstants", "has_r has_asc has_a th_inf V_reset n_ref reset_fraction reset_add "
                                            "th_spike_add th_spike_decay_h th_spike_reset_decay asc_decay_h "
                                            "asc_step_mean asc_amps asc_r asc_reset_decay g_m tv_membrane "
                                            "tv_decay tv_phi tv_ab")

#: Membrane coefficients of each step, (K, N) each: V_{j+1} = P V_j + Q + (I + ASC) R (1, mV, mV/pA), and the
#: input current (pA) due at the end of each step (held during the next one).
StepCoefficients = namedtuple("StepCoefficients", "P Q R current")

#: Output of a chunk, (K, N) each: V, S, theta_s, theta_v at the end of each step (after reset and input),
#: spiked (bool, fired at the end of the step), integrated (bool, the neuron was not refractory during it).
StepRecord = namedtuple("StepRecord", "V S theta_s theta_v spiked integrated")


@njit(cache=True, nogil=True)
def run_steps(coef, state, const, rec, asc_first, lo, hi):
    """Advance neurons ``lo .. hi - 1`` of N by K steps in place.

    Parameters
    ----------
    coef : StepCoefficients
        Membrane coefficients and input current of each step, (K, N).
    state : GlifState
        State of the neurons, updated in place.
    const : GlifConstants
        Per-neuron constants.
    rec : StepRecord
        Output arrays (K, N), written at every step.
    asc_first : bool
        Update the after-spike currents before the membrane (glif_psc) instead of after it (glif_cond).
    lo, hi : int
        The neurons to advance.  Every neuron is computed on its own, so slices of the population may run
        in parallel threads (the function releases the GIL) with results identical to one call.
    """
    P, Q, R, current = coef.P, coef.Q, coef.R, coef.current
    asc = state.asc
    c = const
    K = P.shape[0]
    J = asc.shape[0]
    for n in range(lo, hi):
        v, ths, thv = state.V[n], state.theta_s[n], state.theta_v[n]
        s_mean, i_held, r = state.S[n], state.I[n], state.refr[n]
        for j in range(K):
            if r > 0:
                r -= 1
                rec.integrated[j, n] = False
            else:
                rec.integrated[j, n] = True
                v_old = v
                if asc_first and c.has_asc[n]:
                    s_mean = 0.0
                    for k in range(J):
                        s_mean += asc[k, n] * c.asc_step_mean[k, n]
                        asc[k, n] *= c.asc_decay_h[k, n]
                v = P[j, n] * v + Q[j, n] + (i_held + s_mean) * R[j, n]
                if c.has_r[n]:
                    ths *= c.th_spike_decay_h[n]
                if c.has_asc[n] and not asc_first:
                    s_mean = 0.0
                    for k in range(J):
                        s_mean += asc[k, n] * c.asc_step_mean[k, n]
                        asc[k, n] *= c.asc_decay_h[k, n]
                if c.has_a[n]:
                    beta = (i_held + s_mean) / c.g_m[n]
                    drive = c.tv_phi[n] * (v_old - beta)
                    thv = (drive * c.tv_membrane[n] + c.tv_decay[n] * (thv - drive - c.tv_ab[n] * beta)
                           + c.tv_ab[n] * beta)
                if v > ths + thv + c.th_inf[n]:
                    rec.spiked[j, n] = True
                    r = c.n_ref[n]
                    if c.has_asc[n]:
                        for k in range(J):
                            asc[k, n] = c.asc_amps[k, n] + asc[k, n] * c.asc_r[k, n] * c.asc_reset_decay[k, n]
                    if c.has_r[n]:
                        v = c.reset_fraction[n] * v_old + c.reset_add[n]
                        ths = ths * c.th_spike_reset_decay[n] + c.th_spike_add[n]
                    else:
                        v = c.V_reset[n]
            i_held = current[j, n]
            rec.V[j, n] = v
            rec.S[j, n] = s_mean
            rec.theta_s[j, n] = ths
            rec.theta_v[j, n] = thv
        state.V[n], state.theta_s[n], state.theta_v[n] = v, ths, thv
        state.S[n], state.I[n], state.refr[n] = s_mean, i_held, r


def warm_up():
    """Compile (or load from numba's cache) the loop by running it on one neuron for one step, both orders."""
    f2 = lambda: np.zeros((1, 1))  # noqa: E731
    f1 = lambda: np.zeros(1)  # noqa: E731
    b1, i1 = np.zeros(1, dtype=np.bool_), np.zeros(1, dtype=np.int64)
    for asc_first in (False, True):
        coef = StepCoefficients(f2(), f2(), f2(), f2())
        state = GlifState(f1(), f1(), f1(), f1(), f1(), i1.copy(), f2())
        const = GlifConstants(b1, b1, b1, f1(), f1(), i1, f1(), f1(), f1(), f1(), f1(), f2(), f2(), f2(), f2(),
                              f2(), f1() + 1, f1(), f1(), f1(), f1())
        rec = StepRecord(f2(), f2(), f2(), f2(), np.zeros((1, 1), np.bool_), np.zeros((1, 1), np.bool_))
        run_steps(coef, state, const, rec, asc_first, 0, 1)
