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

import numpy as np
from numba import njit

__all__ = ["run_steps", "warm_up"]


@njit(cache=True, nogil=True)
def run_steps(P, Q, R, current, V, theta_s, theta_v, S, I, refr, asc,
              has_r, has_asc, has_a, th_inf, V_reset, n_ref, reset_fraction, reset_add,
              th_spike_add, th_spike_decay_h, th_spike_reset_decay,
              asc_decay_h, asc_step_mean, asc_amps, asc_r, asc_reset_decay,
              g_m, tv_membrane, tv_decay, tv_phi, tv_ab,
              rec_V, rec_S, rec_theta_s, rec_theta_v, spiked, asc_first, integrated):
    """Advance N neurons by K steps in place.

    Parameters
    ----------
    P, Q, R : float64 (K, N)
        Membrane coefficients of each step (1, mV, mV/pA).
    current : float64 (K, N)
        Input current (pA) due at the end of each step; it is held during the next step.
    V, theta_s, theta_v, S, I : float64 (N,)
        State: V relative to E_L (mV), threshold components (mV), step-averaged
        after-spike current (pA), held input current (pA); updated in place.
    refr : int64 (N,)
        Remaining refractory steps; updated in place.
    asc : float64 (J, N)
        After-spike currents (pA); updated in place.
    has_r, has_asc, has_a : bool (N,)
        GLIF mechanism switches.
    th_inf, V_reset : float64 (N,)
        V_th and V_reset relative to E_L (mV).
    n_ref : int64 (N,)
        Refractory period in steps.
    reset_fraction, reset_add, th_spike_add : float64 (N,)
    th_spike_decay_h, th_spike_reset_decay : float64 (N,)
        exp(-th_spike_decay h) and exp(-th_spike_decay t_ref).
    asc_decay_h, asc_step_mean, asc_amps, asc_r, asc_reset_decay : float64 (J, N)
        exp(-k h), (1 - exp(-k h)) / (k h), jumps (pA), retained fraction, exp(-k t_ref).
    g_m, tv_membrane, tv_decay, tv_phi, tv_ab : float64 (N,)
        Membrane conductance (nS), exp(-g_m h / C_m), exp(-b h), a / (b - g_m / C_m), a / b.
    rec_V, rec_S, rec_theta_s, rec_theta_v : float64 (K, N)
        Output: state at the end of each step (after reset and input).
    spiked : bool (K, N)
        Output: True where a neuron fired at the end of the step.
    asc_first : bool
        Update the after-spike currents before the membrane (glif_psc) instead of after it (glif_cond).
    integrated : bool (K, N)
        Output: True where the step was integrated (the neuron was not refractory during it).
    """
    K, N = P.shape
    J = asc.shape[0]
    for n in range(N):
        v, ths, thv, s_mean, i_held, r = V[n], theta_s[n], theta_v[n], S[n], I[n], refr[n]
        for j in range(K):
            if r > 0:
                r -= 1
                integrated[j, n] = False
            else:
                integrated[j, n] = True
                v_old = v
                if asc_first and has_asc[n]:
                    s_mean = 0.0
                    for k in range(J):
                        s_mean += asc[k, n] * asc_step_mean[k, n]
                        asc[k, n] *= asc_decay_h[k, n]
                v = P[j, n] * v + Q[j, n] + (i_held + s_mean) * R[j, n]
                if has_r[n]:
                    ths *= th_spike_decay_h[n]
                if has_asc[n] and not asc_first:
                    s_mean = 0.0
                    for k in range(J):
                        s_mean += asc[k, n] * asc_step_mean[k, n]
                        asc[k, n] *= asc_decay_h[k, n]
                if has_a[n]:
                    beta = (i_held + s_mean) / g_m[n]
                    drive = tv_phi[n] * (v_old - beta)
                    thv = drive * tv_membrane[n] + tv_decay[n] * (thv - drive - tv_ab[n] * beta) + tv_ab[n] * beta
                if v > ths + thv + th_inf[n]:
                    spiked[j, n] = True
                    r = n_ref[n]
                    if has_asc[n]:
                        for k in range(J):
                            asc[k, n] = asc_amps[k, n] + asc[k, n] * asc_r[k, n] * asc_reset_decay[k, n]
                    if has_r[n]:
                        v = reset_fraction[n] * v_old + reset_add[n]
                        ths = ths * th_spike_reset_decay[n] + th_spike_add[n]
                    else:
                        v = V_reset[n]
            i_held = current[j, n]
            rec_V[j, n] = v
            rec_S[j, n] = s_mean
            rec_theta_s[j, n] = ths
            rec_theta_v[j, n] = thv
        V[n], theta_s[n], theta_v[n], S[n], I[n], refr[n] = v, ths, thv, s_mean, i_held, r


def warm_up():
    """Compile (or load from numba's cache) the loop by running it on one neuron for one step, both orders."""
    for asc_first in (False, True):
        f1, b1, i1 = np.zeros((1, 1)), np.zeros(1, dtype=np.bool_), np.zeros(1, dtype=np.int64)
        f, fj = np.zeros(1), np.zeros((1, 1))
        run_steps(f1, f1, f1, f1, f.copy(), f.copy(), f.copy(), f.copy(), f.copy(), i1.copy(), fj.copy(),
                  b1, b1, b1, f, f, i1, f, f, f, f, f, fj, fj, fj, fj, fj, f + 1, f, f, f, f,
                  np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1)),
                  np.zeros((1, 1), np.bool_), asc_first, np.zeros((1, 1), np.bool_))
