"""Alpha-shaped synaptic currents of the glif_psc models and their exact effect on V, compiled with numba.

A current-based GLIF membrane is linear, so over one step of length h

    V_{j+1} = P33 V_j + P30 (I_j + ASC_j) + sum_c (P31_c y1_c + P32_c y2_c)

exactly, where each synaptic component c is an alpha kernel with state y1
(pA/ms) and y2 (the current, pA).  The synaptic sum is the coefficient Q_j of
:func:`nodes.glif_steps.run_steps`; it does not depend on the neuron's own
spikes, so one pass over the chunk computes it.
"""

import numpy as np
from numba import njit

__all__ = ["alpha_currents", "iaf_alpha_propagators", "last_integrated", "warm_up"]

#: NEST's threshold (IAFPropagator) below which tau_m and tau_syn count as equal: h <= 1e-7 tau_m^2 / |tau_m - tau_syn|.
NUMERICAL_STABILITY_FACTOR = 1e-7


def iaf_alpha_propagators(tau_syn, tau_m, C_m, h):
    """Exact propagators (P31, P32) of an alpha current into a leaky membrane over one step.

    Parameters
    ----------
    tau_syn, tau_m : float64 arrays (broadcastable)
        Synaptic and membrane time constants (ms).
    C_m : float64 array
        Membrane capacitance (pF).
    h : float
        Step (ms).

    Returns
    -------
    P31 : float64 array
        Effect of y1 (pA/ms) on V (mV) over a step, in mV ms/pA.
    P32 : float64 array
        Effect of y2 (pA) on V (mV) over a step, in mV/pA.

    Where tau_syn is (numerically) tau_m the limits ``h^2 exp(-h/tau_m) / (2 C_m)``
    and ``h exp(-h/tau_m) / C_m`` are used, with NEST's criterion.
    """
    tau_syn, tau_m, C_m = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in (tau_syn, tau_m, C_m)))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        beta = tau_syn * tau_m / (tau_m - tau_syn)
        gamma = beta / C_m
        inv_beta = (tau_m - tau_syn) / (tau_syn * tau_m)
        exp_syn = np.exp(-h * (1.0 / tau_syn))
        expm1_h = np.expm1(h * inv_beta)
        P32 = gamma * exp_syn * expm1_h
        exp_m = np.exp(-h * (1.0 / tau_m))
        regular32 = np.isfinite(P32) & (np.abs(P32) >= np.finfo(float).tiny) & (P32 > 0)
        P32 = np.where(regular32, P32, h * (1.0 / C_m) * exp_m)
        h_min_regular = NUMERICAL_STABILITY_FACTOR * tau_m * tau_m / np.abs(tau_m - tau_syn)
        P31 = np.where(h > h_min_regular, gamma * exp_syn * (beta * expm1_h - h), 0.5 * h * h * (1.0 / C_m) * exp_m)
    return P31, P32


@njit(cache=True, nogil=True)
def alpha_currents(y1, y2, weights, port_of_row, scale, p11, p21, p31, p32, Q, I_syn, lo, hi):
    """Advance the alpha components of neurons ``lo .. hi - 1`` by K steps in place; write each step's membrane
    input and current (every neuron on its own: slices may run in parallel threads).

    Parameters
    ----------
    y1, y2 : float64 (C, N)
        Component states (pA/ms, pA); updated in place to the end of the last step.
    weights : float64 (R, K, N)
        Summed spike weights (pA) arriving on each port at the end of each step.
    port_of_row : int64 (C,)
        Port index (0-based) that feeds each component.
    scale : float64 (C, N)
        Jump of y1 per unit weight (e / tau, times amp_slow for slow components).
    p11, p21, p31, p32 : float64 (C, N)
        exp(-h/tau), h exp(-h/tau), and the membrane propagators of each component.
    Q : float64 (K, N)
        Output: sum_c P31 y1 + P32 y2 at the start of each step (mV).
    I_syn : float64 (K, N)
        Output: sum_c y2 at the start of each step (pA).
    lo, hi : int
        The neurons to advance.
    """
    C = y1.shape[0]
    K = Q.shape[0]
    Q[:, lo:hi] = 0.0
    I_syn[:, lo:hi] = 0.0
    for c in range(C):                  # components outermost, neurons innermost (contiguous)
        a, b = y1[c], y2[c]
        e, e_h, q1, q2, s = p11[c], p21[c], p31[c], p32[c], scale[c]
        w = weights[port_of_row[c]]
        for k in range(K):
            for n in range(lo, hi):
                Q[k, n] += q1[n] * a[n] + q2[n] * b[n]
                I_syn[k, n] += b[n]
                b_next = e_h[n] * a[n] + e[n] * b[n]
                a[n] = a[n] * e[n] + s[n] * w[k, n]
                b[n] = b_next


@njit(cache=True, nogil=True)
def last_integrated(values, integrated, before, out, lo, hi):
    """``out[n]`` = `values` (K, N) at the last row where ``integrated[:, n]`` is True, or ``before[n]`` if
    there is none, for neurons ``lo .. hi - 1`` (NEST keeps I_syn, pA, of the last integrated step)."""
    last = values.shape[0] - 1
    for n in range(lo, hi):
        out[n] = before[n]
        for k in range(last, -1, -1):         # usually the last row: a neuron is rarely refractory at a chunk's end
            if integrated[k, n]:
                out[n] = values[k, n]
                break


def warm_up():
    """Compile (or load from numba's cache) the kernels by running them on one component for one step."""
    one = np.ones((1, 1))
    alpha_currents(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1, 1)), np.zeros(1, dtype=np.int64),
                   one, one, one, one, one, np.empty((1, 1)), np.empty((1, 1)), 0, 1)
    last_integrated(one, np.ones((1, 1), dtype=np.bool_), np.zeros(1), np.empty(1), 0, 1)
