"""Compiled 4-point Gauss-Legendre quadrature of the conductance membrane, vectorised across neurons.

The numbers are those of :meth:`nodes.conductance_membrane.MembranePropagator.gauss_legendre`
and ``needs_adaptive`` (the numpy reference, kept for the tests), computed one step at a time
for a slice of neurons without the (Q, R, L, N) temporaries.  Every inner loop runs over
neurons with independent, branch-free arithmetic, so LLVM turns it into SIMD code; for that the
exponential is :func:`exp_small`, a polynomial, instead of libm's scalar ``exp``.
"""

import math

import numpy as np
from numba import njit

__all__ = ["exp_small", "EXP_SMALL_RANGE", "gauss_legendre_steps", "warm_up"]

#: exp_small is accurate to about 2 ulp for |x| <= EXP_SMALL_RANGE.  The quadrature only keeps steps whose
#: exponents are bounded by MAX_STEP_EXPONENT (0.5): the others go to adaptive quadrature.
EXP_SMALL_RANGE = 0.5

_C = tuple(1.0 / math.factorial(k) for k in range(16))


@njit(cache=True, nogil=True, inline="always")
def exp_small(x):
    """exp(x) for |x| <= EXP_SMALL_RANGE (dimensionless), by its Taylor polynomial of degree 15.

    The truncation error there is below 1e-18 relative; evaluated by Estrin's scheme (short dependency
    chains, so SIMD lanes and successive neurons overlap), the result is within 2 ulp of libm's.  Outside
    that range the value is finite but inaccurate: callers must not use it.
    """
    x2 = x * x
    x4 = x2 * x2
    q0 = (_C[0] + _C[1] * x) + (_C[2] + _C[3] * x) * x2
    q1 = (_C[4] + _C[5] * x) + (_C[6] + _C[7] * x) * x2
    q2 = (_C[8] + _C[9] * x) + (_C[10] + _C[11] * x) * x2
    q3 = (_C[12] + _C[13] * x) + (_C[14] + _C[15] * x) * x2
    return (q0 + q1 * x4) + (q2 + q3 * x4) * (x4 * x4)


@njit(cache=True, nogil=True)
def gauss_legendre_steps(g_start, dg_start, steps, lo, hi, a0_h, k_g_h, k_dg_h, a0_s, k_g_s, k_dg_s,
                         d_g_s, d_dg_s, w, fast_reach, has_fast, max_exponent, fast_negligible,
                         reach_g, reach_dg, negligible, P0, R0, P, Q, R, hard):
    """Fill the membrane coefficients P, Q, R (K, N) and the mask `hard` (K, N) at `steps` for neurons
    ``lo .. hi - 1``; return how many (step, neuron) pairs are hard.

    Parameters
    ----------
    g_start, dg_start : float64 (K, n_r, N)
        Conductance (nS) and its derivative (nS/ms) at the start of each step of the chunk.
    steps : int64 (L,)
        The steps to integrate.
    a0_h : float64 (N,)
        g_m h / C_m: the leak's share of the exponent A over a step (1).
    k_g_h, k_dg_h : float64 (n_r, N)
        Integral over the step of exp(-u / tau) and u exp(-u / tau), divided by C_m (ms/pF, ms^2/pF).
    a0_s, k_g_s, k_dg_s : float64 (Q, N), (Q, n_r, N), (Q, n_r, N)
        The same from 0 to each quadrature node s_q.
    d_g_s, d_dg_s : float64 (Q, n_r, N)
        exp(-s_q / tau) dE and s_q exp(-s_q / tau) dE (mV, mV ms): the drive g(s_q) dE per unit g and dg.
    w : float64 (Q, N)
        Quadrature weights h w_q / 2 divided by C_m (ms/pF).
    fast_reach : float64 (n_r, N)
        (|dE| + V_RANGE) / C_m for receptors too fast for the quadrature, 0 for the others (mV/(nS ms)).
    has_fast : bool
        Whether any receptor is too fast.
    max_exponent, fast_negligible : float
        MAX_STEP_EXPONENT (1) and FAST_NEGLIGIBLE_MV (mV).
    reach_g, reach_dg : float64 (n_r, N)
        tau (|dE| + V_RANGE) / C_m and tau^2 (|dE| + V_RANGE) / C_m: bounds of the effect on V (mV) of the
        whole remaining conductance per nS and per nS/ms.
    negligible : float
        Effect on V (mV) below which a step is integrated in closed form, without conductance.
    P0, R0 : float64 (N,)
        The closed form: exp(-g_m h / C_m) (1) and (1 - P0) / g_m (mV/pA).
    P, Q, R : float64 (K, N)
        Output: V_{j+1} = P V_j + Q + c_j R (1, mV, mV/pA).
    hard : bool (K, N)
        Output: the steps 4-point quadrature cannot integrate accurately (their P, Q, R are meaningless).

    Each (step, neuron) pair is computed from its own numbers only, so slices of a population may run in
    parallel threads, and chunks and MPI blocks of any size give identical results.
    """
    n_r = g_start.shape[1]
    n_q = a0_s.shape[0]
    m = hi - lo
    A_h = np.empty(m)
    bound = np.empty(m)
    fast = np.empty(m)
    reach = np.empty(m)
    a_s = np.empty(m)
    drive = np.empty(m)
    q_sum = np.empty(m)
    r_sum = np.empty(m)
    n_hard = 0
    # Every array is sliced to the neurons lo .. hi - 1 before its loop and indexed from 0: contiguous
    # accesses that LLVM vectorises (an index lo + i defeats that).
    for jj in range(steps.shape[0]):
        j = steps[jj]
        A_h[:] = a0_h[lo:hi]
        bound[:] = a0_h[lo:hi]
        fast[:] = 0.0
        reach[:] = 0.0
        q_sum[:] = 0.0
        r_sum[:] = 0.0
        for r in range(n_r):
            g, dg = g_start[j, r, lo:hi], dg_start[j, r, lo:hi]
            kg, kdg, fr = k_g_h[r, lo:hi], k_dg_h[r, lo:hi], fast_reach[r, lo:hi]
            rg, rdg = reach_g[r, lo:hi], reach_dg[r, lo:hi]
            for i in range(m):
                A_h[i] += g[i] * kg[i] + dg[i] * kdg[i]
                x = abs(g[i]) * kg[i] + abs(dg[i]) * kdg[i]
                bound[i] += x
                fast[i] += x * fr[i]
                reach[i] += abs(g[i]) * rg[i] + abs(dg[i]) * rdg[i]
        for q in range(n_q):
            a0 = a0_s[q, lo:hi]
            if n_r == 2:                                      # glif_cond's default: one pass per node
                g0, dg0, g1, dg1 = g_start[j, 0, lo:hi], dg_start[j, 0, lo:hi], g_start[j, 1, lo:hi], dg_start[j, 1, lo:hi]
                kg0, kdg0, kg1, kdg1 = k_g_s[q, 0, lo:hi], k_dg_s[q, 0, lo:hi], k_g_s[q, 1, lo:hi], k_dg_s[q, 1, lo:hi]
                dgs0, ddgs0 = d_g_s[q, 0, lo:hi], d_dg_s[q, 0, lo:hi]
                dgs1, ddgs1 = d_g_s[q, 1, lo:hi], d_dg_s[q, 1, lo:hi]
                for i in range(m):            # the general loop's sums, in its order
                    a_s[i] = (a0[i] + (g0[i] * kg0[i] + dg0[i] * kdg0[i])) + (g1[i] * kg1[i] + dg1[i] * kdg1[i])
                    drive[i] = (0.0 + (g0[i] * dgs0[i] + dg0[i] * ddgs0[i])) + (g1[i] * dgs1[i] + dg1[i] * ddgs1[i])
            else:
                a_s[:] = a0
                drive[:] = 0.0
                for r in range(n_r):
                    g, dg = g_start[j, r, lo:hi], dg_start[j, r, lo:hi]
                    kg, kdg = k_g_s[q, r, lo:hi], k_dg_s[q, r, lo:hi]
                    dgs, ddgs = d_g_s[q, r, lo:hi], d_dg_s[q, r, lo:hi]
                    for i in range(m):
                        a_s[i] += g[i] * kg[i] + dg[i] * kdg[i]
                        drive[i] += g[i] * dgs[i] + dg[i] * ddgs[i]
            wq = w[q, lo:hi]
            for i in range(m):
                weight = exp_small(a_s[i] - A_h[i]) * wq[i]
                q_sum[i] += weight * drive[i]
                r_sum[i] += weight
        Pj, Qj, Rj, hj = P[j, lo:hi], Q[j, lo:hi], R[j, lo:hi], hard[j, lo:hi]
        p0, r0 = P0[lo:hi], R0[lo:hi]
        for i in range(m):
            quiet = reach[i] <= negligible                # the conductance left cannot move V: closed form
            Pj[i] = p0[i] if quiet else exp_small(-A_h[i])
            Qj[i] = 0.0 if quiet else q_sum[i]
            Rj[i] = r0[i] if quiet else r_sum[i]
            flag = ~quiet & ((bound[i] > max_exponent) | (has_fast & (fast[i] > fast_negligible)))
            hj[i] = flag
            n_hard += flag
    return n_hard


def warm_up():
    """Compile (or load from numba's cache) the kernel by running it on one neuron for one step."""
    one, one3 = np.ones((1, 1)), np.ones((1, 1, 1))
    gauss_legendre_steps(np.zeros((1, 1, 1)), np.zeros((1, 1, 1)), np.zeros(1, dtype=np.int64), 0, 1, np.ones(1),
                         one, one, one, one3, one3, one3, one3, one, one, False, 0.5, 1e-7, one, one, 1e-8,
                         np.ones(1), np.ones(1), np.empty((1, 1)), np.empty((1, 1)), np.empty((1, 1)), np.zeros((1, 1), dtype=np.bool_))
