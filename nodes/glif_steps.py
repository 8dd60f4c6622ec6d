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

from eventsim.connections import stable_order

__all__ = ["GlifState", "GlifConstants", "StepCoefficients", "StepRecord", "run_steps", "spikes_in_slice",
           "merge_slice_spikes", "warm_up"]

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


@njit(cache=True, nogil=True, error_model="numpy")     # no ZeroDivisionError check: it stops LLVM vectorising
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
    c = const
    K, J, m = coef.P.shape[0], state.asc.shape[0], hi - lo
    V, theta_s, theta_v = state.V[lo:hi], state.theta_s[lo:hi], state.theta_v[lo:hi]
    S, I, refr = state.S[lo:hi], state.I[lo:hi], state.refr[lo:hi]
    has_r, has_asc, has_a = c.has_r[lo:hi], c.has_asc[lo:hi], c.has_a[lo:hi]
    th_inf, V_reset, n_ref = c.th_inf[lo:hi], c.V_reset[lo:hi], c.n_ref[lo:hi]
    reset_fraction, reset_add = c.reset_fraction[lo:hi], c.reset_add[lo:hi]
    th_spike_add, th_spike_decay_h, th_spike_reset_decay = (c.th_spike_add[lo:hi], c.th_spike_decay_h[lo:hi],
                                                            c.th_spike_reset_decay[lo:hi])
    g_m, tv_membrane, tv_decay = c.g_m[lo:hi], c.tv_membrane[lo:hi], c.tv_decay[lo:hi]
    tv_phi, tv_ab = c.tv_phi[lo:hi], c.tv_ab[lo:hi]
    v_old = np.empty(m)
    active = np.empty(m, dtype=np.bool_)
    # Step-major and branch-free: each pass is one loop over a contiguous slice of neurons, writing one array
    # (LLVM vectorises a loop only if it can check cheaply that the arrays it writes overlap no others); a
    # neuron's arithmetic and its order are those of NEST's update.
    for j in range(K):
        P, Q, R, current = coef.P[j, lo:hi], coef.Q[j, lo:hi], coef.R[j, lo:hi], coef.current[j, lo:hi]
        integrated, spiked = rec.integrated[j, lo:hi], rec.spiked[j, lo:hi]
        for i in range(m):
            active[i] = refr[i] <= 0                            # not refractory: integrate this step
        for i in range(m):
            refr[i] = refr[i] if active[i] else refr[i] - 1
        integrated[:] = active
        v_old[:] = V
        if asc_first:
            _after_spike_step(state.asc, c.asc_step_mean, c.asc_decay_h, active, has_asc, S, lo, hi)
        for i in range(m):
            v_new = P[i] * V[i] + Q[i] + (I[i] + S[i]) * R[i]
            V[i] = v_new if active[i] else V[i]
        for i in range(m):
            theta_s[i] = theta_s[i] * th_spike_decay_h[i] if active[i] & has_r[i] else theta_s[i]
        if not asc_first:
            _after_spike_step(state.asc, c.asc_step_mean, c.asc_decay_h, active, has_asc, S, lo, hi)
        for i in range(m):
            beta = (I[i] + S[i]) / g_m[i]
            drive = tv_phi[i] * (v_old[i] - beta)
            thv = drive * tv_membrane[i] + tv_decay[i] * (theta_v[i] - drive - tv_ab[i] * beta) + tv_ab[i] * beta
            theta_v[i] = thv if active[i] & has_a[i] else theta_v[i]
        for i in range(m):
            spiked[i] = active[i] & (V[i] > theta_s[i] + theta_v[i] + th_inf[i])
        for i in range(m):
            refr[i] = n_ref[i] if spiked[i] else refr[i]
        for i in range(m):
            v_spike = reset_fraction[i] * v_old[i] + reset_add[i] if has_r[i] else V_reset[i]
            V[i] = v_spike if spiked[i] else V[i]
        for i in range(m):
            theta_s[i] = (theta_s[i] * th_spike_reset_decay[i] + th_spike_add[i] if spiked[i] & has_r[i]
                          else theta_s[i])
        for k in range(J):
            asc, amps = state.asc[k, lo:hi], c.asc_amps[k, lo:hi]
            keep, reset_decay = c.asc_r[k, lo:hi], c.asc_reset_decay[k, lo:hi]
            for i in range(m):
                asc[i] = amps[i] + asc[i] * keep[i] * reset_decay[i] if spiked[i] & has_asc[i] else asc[i]
        I[:] = current
        rec.V[j, lo:hi] = V
        rec.S[j, lo:hi] = S
        rec.theta_s[j, lo:hi] = theta_s
        rec.theta_v[j, lo:hi] = theta_v


@njit(cache=True, nogil=True, inline="always")
def _after_spike_step(asc_all, step_mean, decay_h, active, has_asc, S, lo, hi):
    """For the integrating neurons with after-spike currents: S = the step-averaged sum of the currents (pA),
    then each current decays by its step factor (in place, neurons ``lo .. hi - 1``)."""
    m = hi - lo
    s_new = np.zeros(m)
    for k in range(asc_all.shape[0]):
        asc, mean, decay = asc_all[k, lo:hi], step_mean[k, lo:hi], decay_h[k, lo:hi]
        for i in range(m):
            s_new[i] += asc[i] * mean[i]
        for i in range(m):
            asc[i] = asc[i] * decay[i] if active[i] & has_asc[i] else asc[i]
    for i in range(m):
        S[i] = s_new[i] if active[i] & has_asc[i] else S[i]


@njit(cache=True, nogil=True)
def spikes_in_slice(spiked, lo, hi):
    """The spikes of neurons ``lo .. hi - 1`` in a chunk's `spiked` (K, N) bool: (rows, neurons), int64 each,
    ordered by row, then neuron (as ``np.nonzero(spiked[:, lo:hi])``, neurons counted from 0 of N)."""
    n = 0
    for k in range(spiked.shape[0]):
        for i in range(lo, hi):
            n += spiked[k, i]
    rows, neurons = np.empty(n, np.int64), np.empty(n, np.int64)
    j = 0
    for k in range(spiked.shape[0]):
        for i in range(lo, hi):
            if spiked[k, i]:
                rows[j], neurons[j] = k, i
                j += 1
    return rows, neurons


def merge_slice_spikes(found):
    """The spikes found by the slices of a chunk, ``[(lo, (rows, neurons)), ...]`` from :func:`spikes_in_slice`,
    as one (rows, neurons) pair ordered by row, then neuron."""
    found.sort(key=lambda item: item[0])
    if len(found) == 1:
        return found[0][1]
    rows = np.concatenate([r for _, (r, _) in found])
    neurons = np.concatenate([n for _, (_, n) in found])
    order = stable_order(rows, int(rows.max(initial=0)) + 1)      # slices ascend in neurons: a stable sort keeps that
    return rows[order], neurons[order]


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
    spikes_in_slice(np.zeros((1, 1), np.bool_), 0, 1)
