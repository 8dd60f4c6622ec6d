"""The alpha-shaped conductances of glif_cond neurons, compiled with numba.

The sequential update (thresholds, after-spike currents, spikes, resets) is
shared with the other GLIF models in :mod:`nodes.glif_steps`.
"""

import math

import numpy as np
from numba import njit

from .glif_steps import warm_up as warm_up_steps

__all__ = ["alpha_conductances", "gauss_legendre_steps", "warm_up"]


@njit(cache=True, nogil=True)
def alpha_conductances(g, dg, jumps, decay_h, h, g_start, dg_start, lo, hi):
    """Advance the alpha-shaped conductances of neurons ``lo .. hi - 1`` by K steps in place, recording each
    step's start values (every neuron on its own: slices may run in parallel threads).

    Parameters
    ----------
    g, dg : float64 (R, N)
        Conductance (nS) and its derivative (nS/ms); updated in place to the end of the last step.
    jumps : float64 (K, R, N)
        Increments of dg (nS/ms) of the spikes due at the end of each step.
    decay_h : float64 (R, N)
        exp(-h / tau_syn).
    h : float
        Step (ms).
    g_start, dg_start : float64 (K, R, N)
        Output: g and dg at the beginning of each step (after the input due then).
    lo, hi : int
        The neurons to advance.
    """
    K, R = jumps.shape[0], jumps.shape[1]
    for r in range(R):
        for n in range(lo, hi):
            e, x, dx = decay_h[r, n], g[r, n], dg[r, n]
            for k in range(K):
                g_start[k, r, n] = x
                dg_start[k, r, n] = dx
                x = (x + h * dx) * e
                dx = dx * e + jumps[k, r, n]
            g[r, n], dg[r, n] = x, dx


@njit(cache=True, nogil=True)
def gauss_legendre_steps(g_start, dg_start, steps, lo, hi, g_m, C_m, h, int_g_h, int_dg_h, s_nodes, w, int_g_s,
                         int_dg_s, decay_s, dE, fast, has_fast, reach_dE, max_exponent, fast_negligible,
                         P, Q, R, hard):
    """Membrane coefficients P, Q, R (K, N) by 4-point Gauss-Legendre quadrature, and the mask `hard` (K, N)
    of the steps it cannot integrate accurately, at `steps` for neurons ``lo .. hi - 1``.

    The compiled form of :meth:`nodes.conductance_membrane.MembranePropagator.gauss_legendre` and
    ``needs_adaptive``, operation for operation (the same products, sums in the same order, libm's exp),
    without their (Q, R, L, N) temporaries; the arrays are the propagator's (see
    ``MembranePropagator.gauss_legendre_into``).  Every neuron on its own: slices may run in parallel.
    """
    n_r = g_start.shape[1]
    n_q = s_nodes.shape[0]
    A_s = np.empty(n_q)
    wq = np.empty(n_q)
    for jj in range(steps.shape[0]):
        j = steps[jj]
        for n in range(lo, hi):
            # A_h = (g_m h + sum_r (g int_g_h + dg int_dg_h)) / C_m
            acc = g_start[j, 0, n] * int_g_h[0, n] + dg_start[j, 0, n] * int_dg_h[0, n]
            for r in range(1, n_r):
                acc += g_start[j, r, n] * int_g_h[r, n] + dg_start[j, r, n] * int_dg_h[r, n]
            A_h = (g_m[n] * h + acc) / C_m[n]
            qsum = 0.0
            rsum = 0.0
            for q in range(n_q):
                acc = g_start[j, 0, n] * int_g_s[q, 0, n] + dg_start[j, 0, n] * int_dg_s[q, 0, n]
                for r in range(1, n_r):
                    acc += g_start[j, r, n] * int_g_s[q, r, n] + dg_start[j, r, n] * int_dg_s[q, r, n]
                a_s = (g_m[n] * s_nodes[q] + acc) / C_m[n]
                weight = math.exp(a_s - A_h) * w[q, n]
                drive = ((g_start[j, 0, n] + dg_start[j, 0, n] * s_nodes[q]) * decay_s[q, 0, n]) * dE[0, n]
                for r in range(1, n_r):
                    drive += ((g_start[j, r, n] + dg_start[j, r, n] * s_nodes[q]) * decay_s[q, r, n]) * dE[r, n]
                if q == 0:
                    qsum = weight * drive
                    rsum = weight
                else:
                    qsum += weight * drive
                    rsum += weight
            P[j, n] = math.exp(-A_h)
            Q[j, n] = qsum
            R[j, n] = rsum
            # needs_adaptive
            acc = abs(g_start[j, 0, n]) * int_g_h[0, n] + abs(dg_start[j, 0, n]) * int_dg_h[0, n]
            for r in range(1, n_r):
                acc += abs(g_start[j, r, n]) * int_g_h[r, n] + abs(dg_start[j, r, n]) * int_dg_h[r, n]
            flag = (g_m[n] * h + acc) / C_m[n] > max_exponent
            if has_fast:
                x0 = abs(g_start[j, 0, n]) * int_g_h[0, n] + abs(dg_start[j, 0, n]) * int_dg_h[0, n]
                f = (x0 if fast[0, n] else 0.0) * reach_dE[0, n]
                for r in range(1, n_r):
                    x = abs(g_start[j, r, n]) * int_g_h[r, n] + abs(dg_start[j, r, n]) * int_dg_h[r, n]
                    f += (x if fast[r, n] else 0.0) * reach_dE[r, n]
                flag = flag or f > fast_negligible
            hard[j, n] = flag


def warm_up():
    """Compile (or load from numba's cache) the kernels by running them on one neuron for one step."""
    alpha_conductances(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1, 1)), np.ones((1, 1)), 0.1,
                       np.empty((1, 1, 1)), np.empty((1, 1, 1)), 0, 1)
    one, one3 = np.ones((1, 1)), np.ones((1, 1, 1))
    gauss_legendre_steps(np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), np.zeros(1, dtype=np.int64), 0, 1, np.ones(1),
                         np.ones(1), 0.1, one, one, np.ones(1), one, one3, one3, one3, one,
                         np.zeros((1, 1), dtype=np.bool_), False, one, 0.5, 1e-2, np.empty((1, 1)), np.empty((1, 1)),
                         np.empty((1, 1)), np.zeros((1, 1), dtype=np.bool_))
    warm_up_steps()
