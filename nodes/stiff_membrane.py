"""Membrane coefficients of single steps by adaptive quadrature, for stiff and sharp cases.

The fast paths of :mod:`eventsim.nodes.conductance_membrane` (4-point Gauss-Legendre
within a step, or one ``solve_ivp`` call over an input-free stretch in
integrating-factor form) need a smooth integrand: they lose accuracy or fail
when the membrane relaxes within a fraction of a step (tiny ``C_m``, huge
conductances), when a synaptic time constant is much shorter than the step,
and when ``exp(A)`` over a long stretch overflows.  For those (step, neuron)
pairs :func:`adaptive_coefficients` computes the exact-form coefficients::

    P = exp(-A(h))
    Q = integral_0^h exp(-(A(h) - A(s))) sum_r g_r(s) dE_r / C ds     (mV)
    R = integral_0^h exp(-(A(h) - A(s))) / C ds                       (mV/pA)

with ``A(s) = (g_m s + integral_0^s sum_r g_r) / C`` in closed form (written
so that it stays accurate for any tau_syn, 1e-12 ms or 1e300 ms), and the two
integrals by adaptive Gauss-Legendre quadrature: the step is first cut at
``tau / 4 * 2**k`` for the synaptic time constants shorter than the step (so no
short conductance pulse falls between the nodes), every piece over which A
grows by more than 1 is halved, pieces whose weight ``exp(-(A(h) - A(b)))``
is below 1e-20 are dropped (the membrane has forgotten them by the end of the
step), and the others are halved until 4 nodes and twice 4 nodes agree.
The weight ``exp(-(A(h) - A(s)))`` never exceeds 1 for non-negative
conductances, so nothing overflows, whatever the stiffness.  Differences of A
are computed directly from the conductances at the start of a piece
(``_rise``), never as the difference of two absolute values of A: with A of
order 1e5 (1e5 nS on 1 pF) the rounding of the absolute values alone would
exceed the quadrature's tolerance, and the halving would never end.
"""

import math

import numpy as np
from numba import njit

__all__ = ["adaptive_coefficients", "conductance_integrals"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(4)
#: Largest growth of the exponent A over a piece integrated by 4 nodes.
MAX_PIECE_EXPONENT = 1.0
#: Pieces forgotten by a factor below exp(-46) ~ 1e-20 by the end of the step are dropped.
FORGOTTEN_EXPONENT = 46.0
#: Relative tolerance of the quadrature (Q and R), and absolute tolerance of Q (mV per step).
RTOL = 1e-11
ATOL_Q = 1e-12
_STACK = 512


@njit(cache=True, nogil=True)
def _int_exp(tau, s):
    """Integral of exp(-u / tau) from 0 to s (ms), accurate for any tau > 0."""
    x = s / tau
    if x < 1e-8:
        return s * (1.0 - 0.5 * x)
    return -tau * math.expm1(-x)


@njit(cache=True, nogil=True)
def _int_u_exp(tau, s):
    """Integral of u exp(-u / tau) from 0 to s (ms^2), accurate for any tau > 0."""
    x = s / tau
    if x < 0.1:
        # tau^2 (1 - exp(-x) (1 + x)) = s^2 sum_k>=2 (-1)^k (k - 1) x^(k - 2) / k!
        total, term = 0.0, 1.0
        fact = 2.0
        for k in range(2, 14):
            total += term * (k - 1) / fact
            term *= -x
            fact *= k + 1
        return s * s * total
    return tau * tau * (-math.expm1(-x) - x * math.exp(-x))


@njit(cache=True, nogil=True)
def conductance_integrals(g0, dg0, tau, s):
    """Integral from 0 to `s` (ms) of sum_r (g0_r + dg0_r u) exp(-u / tau_r), in nS ms (1-D arrays over r)."""
    total = 0.0
    for r in range(g0.shape[0]):
        if g0[r] != 0.0:
            total += g0[r] * _int_exp(tau[r], s)
        if dg0[r] != 0.0:
            total += dg0[r] * _int_u_exp(tau[r], s)
    return total


@njit(cache=True, nogil=True)
def _exponent(g0, dg0, tau, g_m, C, s):
    return (g_m * s + conductance_integrals(g0, dg0, tau, s)) / C


@njit(cache=True, nogil=True)
def _rise(g0, dg0, tau, g_m, C, s, t):
    """A(t) - A(s) for s <= t (dimensionless), computed from the conductances at s.

    Not as a difference of the two exponents: A itself reaches 1e6 and more for stiff neurons, and its
    rounding (1e-10 there) would exceed the quadrature's tolerance, which then could never be met.
    """
    total = g_m * (t - s)
    for r in range(g0.shape[0]):
        if g0[r] != 0.0 or dg0[r] != 0.0:
            decay = math.exp(-s / tau[r])
            g_s = (g0[r] + dg0[r] * s) * decay
            dg_s = dg0[r] * decay
            if g_s != 0.0:
                total += g_s * _int_exp(tau[r], t - s)
            if dg_s != 0.0:
                total += dg_s * _int_u_exp(tau[r], t - s)
    return total / C


@njit(cache=True, nogil=True)
def _drive(g0, dg0, tau, dE, s):
    total = 0.0
    total_abs = 0.0
    for r in range(g0.shape[0]):
        if g0[r] != 0.0 or dg0[r] != 0.0:
            term = (g0[r] + dg0[r] * s) * math.exp(-s / tau[r]) * dE[r]
            total += term
            total_abs += abs(term)
    return total, total_abs


@njit(cache=True, nogil=True)
def _gauss(g0, dg0, tau, dE, g_m, C, a, b, nodes, weights):
    """(q, r, |q|) over [a, b] by 4-point Gauss-Legendre, with weights exp(-(A(b) - A(s))).

    |q| integrates the absolute drive of each receptor: the scale against which q's rounding is judged
    (receptors of opposite reversal potentials can cancel to nearly 0).
    """
    half, mid = 0.5 * (b - a), 0.5 * (a + b)
    q = 0.0
    r = 0.0
    q_abs = 0.0
    for k in range(nodes.shape[0]):
        s = mid + half * nodes[k]
        w = weights[k] * half * math.exp(-_rise(g0, dg0, tau, g_m, C, s, b)) / C
        r += w
        drive, drive_abs = _drive(g0, dg0, tau, dE, s)
        q += w * drive
        q_abs += w * drive_abs
    return q, r, q_abs


@njit(cache=True, nogil=True)
def _position_rounding(g0, dg0, tau, g_m, C, a, b, h):
    """Relative error of the weights exp(-(A(b) - A(s))) on [a, b] due to rounding of the times s.

    A node's time is known to about eps * h, so A(b) - A(s) is off by eps * h * dA/ds, whatever the
    piece's width: with dA/ds ~ 1e6 /ms (1e6 nS on 1 pF) that is ~1e-10, above RTOL, and halving
    could never meet RTOL alone.  dA/ds is bounded by its values at both ends and its mean.
    """
    rate = max(_rise(g0, dg0, tau, g_m, C, a, b) / (b - a), _rate(g0, dg0, tau, g_m, C, a),
               _rate(g0, dg0, tau, g_m, C, b))
    return 16.0 * 2.220446049250313e-16 * h * rate


@njit(cache=True, nogil=True)
def _rate(g0, dg0, tau, g_m, C, s):
    """dA/ds at `s` (1/ms): total conductance over capacitance."""
    total = g_m
    for r in range(g0.shape[0]):
        if g0[r] != 0.0 or dg0[r] != 0.0:
            total += abs((g0[r] + dg0[r] * s) * math.exp(-s / tau[r]))
    return total / C


@njit(cache=True, nogil=True)
def _one_step(g0, dg0, tau, dE, g_m, C, h, nodes, weights, stack):
    """(P, Q, R, ok) of one step of one neuron; ok is False if the quadrature did not converge."""
    A_h = _exponent(g0, dg0, tau, g_m, C, h)
    monotone = True
    for r in range(g0.shape[0]):
        if g0[r] < 0.0 or dg0[r] < 0.0:
            monotone = False
    # initial cut points: tau_fast / 4 * 2**k below h, for the shortest relevant synaptic time constant
    tau_fast = h
    for r in range(g0.shape[0]):
        if (g0[r] != 0.0 or dg0[r] != 0.0) and tau[r] < tau_fast:
            tau_fast = tau[r]
    n = 0
    hi = h
    stack[n, 0], stack[n, 1] = 0.0, 0.0
    if tau_fast < 0.5 * h:
        cut = tau_fast * 0.25
        a = 0.0
        while cut < h and n < _STACK // 2:
            stack[n, 0], stack[n, 1] = a, cut
            n += 1
            a = cut
            cut *= 2.0
        stack[n, 0], stack[n, 1] = a, hi
        n += 1
    else:
        stack[0, 0], stack[0, 1] = 0.0, h
        n = 1
    Q = 0.0
    R = 0.0
    ok = True
    while n > 0:
        n -= 1
        a, b = stack[n, 0], stack[n, 1]
        forgotten = _rise(g0, dg0, tau, g_m, C, b, h)
        if monotone and forgotten > FORGOTTEN_EXPONENT:
            continue
        scale = math.exp(-forgotten)
        m = 0.5 * (a + b)
        too_small = (b - a) <= 1e-14 * h or n + 2 > _STACK
        if not too_small and _rise(g0, dg0, tau, g_m, C, a, b) > MAX_PIECE_EXPONENT:
            stack[n, 0], stack[n, 1] = a, m
            stack[n + 1, 0], stack[n + 1, 1] = m, b
            n += 2
            continue
        q0, r0, _ = _gauss(g0, dg0, tau, dE, g_m, C, a, b, nodes, weights)
        q1, r1, qa1 = _gauss(g0, dg0, tau, dE, g_m, C, a, m, nodes, weights)
        q2, r2, qa2 = _gauss(g0, dg0, tau, dE, g_m, C, m, b, nodes, weights)
        f = math.exp(-_rise(g0, dg0, tau, g_m, C, m, b))
        q_fine = f * q1 + q2
        r_fine = f * r1 + r2
        rtol = RTOL + _position_rounding(g0, dg0, tau, g_m, C, a, b, h)
        if (abs(q_fine - q0) * scale <= ATOL_Q * (b - a) / h + rtol * (f * qa1 + qa2) * scale
                and abs(r_fine - r0) * scale <= rtol * (b - a) / C):
            Q += q_fine * scale
            R += r_fine * scale
        elif too_small:
            Q += q_fine * scale
            R += r_fine * scale
            ok = False
        else:
            stack[n, 0], stack[n, 1] = a, m
            stack[n + 1, 0], stack[n + 1, 1] = m, b
            n += 2
    return math.exp(-A_h), Q, R, ok


@njit(cache=True, nogil=True)
def adaptive_coefficients(g_start, dg_start, steps, neurons, tau, dE, g_m, C_m, h, P, Q, R):
    """Fill P, Q, R (K, N) at the (step, neuron) pairs given, by adaptive quadrature.

    Parameters
    ----------
    g_start, dg_start : float64 (K, R, N)
        Conductance (nS) and its derivative (nS/ms) at the start of each step, after its input.
    steps, neurons : int64 (M,)
        The pairs to compute.
    tau, dE : float64 (R, N)
        Synaptic time constants (ms) and reversal potentials relative to E_L (mV).
    g_m, C_m : float64 (N,)
        Membrane conductance (nS) and capacitance (pF).
    h : float
        Step (ms).
    P, Q, R : float64 (K, N)
        Output, written at the given pairs.

    Returns
    -------
    int
        Number of pairs whose quadrature reached the smallest piece without converging (0 normally).
    """
    stack = np.empty((_STACK, 2))
    failures = 0
    for i in range(steps.shape[0]):
        j, n = steps[i], neurons[i]
        p, q, r, ok = _one_step(g_start[j, :, n], dg_start[j, :, n], tau[:, n], dE[:, n], g_m[n], C_m[n], h,
                                _NODES, _WEIGHTS, stack)
        P[j, n], Q[j, n], R[j, n] = p, q, r
        if not ok:
            failures += 1
    return failures
