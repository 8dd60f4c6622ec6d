"""Integration of the conductance-based membrane over event-free pieces.

Between input spikes the membrane equation of a neuron with alpha-shaped
conductances ``g_r(s) = (g_r + dg_r s) exp(-s / tau_r)`` is linear in V::

    C dV/dt = -(g_m + sum_r g_r(s)) V + sum_r g_r(s) dE_r + c_j

with ``dE_r = E_rev_r - E_L`` (V is relative to E_L) and ``c_j`` the current
(pA) held constant during step j.  With ``A(s) = integral_0^s (g_m + sum_r
g_r)/C`` (closed form), one step of length h maps ``V_j`` to::

    V_{j+1} = P_j V_j + Q_j + c_j R_j
    P_j = exp(-(A(t_{j+1}) - A(t_j)))
    Q_j = integral over the step of exp(-(A(t_{j+1}) - A(s))) sum_r g_r(s) dE_r / C
    R_j = integral over the step of exp(-(A(t_{j+1}) - A(s))) / C

so a piece of many steps needs only the per-step coefficients (P, Q, R),
whatever the piecewise-constant currents are.  Three integrators provide them:

* :func:`coefficients_closed_form` -- no conductance left: exact exponentials.
* :func:`coefficients_solve_ivp` -- the membrane equation in integrating-factor
  form, ``d/ds [exp(A) V] = exp(A) (sum_r g_r dE_r + c) / C``, integrated by
  :func:`scipy.integrate.solve_ivp` (DOP853) over the whole piece for all
  neurons at once and read on the grid; used for pieces of several steps.
* :func:`coefficients_gauss_legendre` -- the same integrals by Gauss-Legendre
  quadrature inside each step; used for pieces of one or two steps (dense
  input), where a solver call per step would cost more than the step itself.
  Its agreement with the solver is checked in the tests.
"""

import numpy as np
from scipy.integrate import solve_ivp

__all__ = ["conductance_integral", "coefficients_closed_form", "coefficients_gauss_legendre",
           "coefficients_solve_ivp", "propagate", "RTOL", "ATOL"]

#: Tolerances of the solver (relative, and absolute in the integrating-factor variables).
RTOL = 1e-10
ATOL = 1e-14

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(6)


def conductance_integral(g0, dg0, tau, s):
    """Integral of an alpha conductance from 0 to `s` (ms): nS ms.

    ``g(u) = (g0 + dg0 u) exp(-u / tau)``; all arguments broadcast.
    """
    e = np.exp(-s / tau)
    return g0 * tau * (1.0 - e) + dg0 * tau * (tau * (1.0 - e) - s * e)


def _exponent(g0, dg0, tau, g_m, C_m, s):
    """A(s) = integral_0^s (g_m + sum_r g_r(u)) / C_m du; g0, dg0, tau of shape (R, ..., N)."""
    return (g_m * s + conductance_integral(g0, dg0, tau, s).sum(axis=0)) / C_m


def coefficients_closed_form(n_steps, h, g_m, C_m):
    """(P, Q, R) of shape (n_steps, N) for a membrane without synaptic conductance."""
    P = np.exp(-h * g_m / C_m)
    R = (1.0 - P) / g_m
    shape = (n_steps, len(g_m))
    return np.broadcast_to(P, shape), np.zeros(shape), np.broadcast_to(R, shape)


def coefficients_gauss_legendre(g_start, dg_start, tau, dE, h, g_m, C_m):
    """(P, Q, R) per step by Gauss-Legendre quadrature within each step.

    Parameters
    ----------
    g_start, dg_start : numpy.ndarray, shape (R, L, N)
        Conductance (nS) and its derivative (nS/ms) at the beginning of each step.
    tau, dE : numpy.ndarray, shape (R, 1, N)
        Synaptic time constants (ms) and reversal potentials relative to E_L (mV).
    h : float
        Step (ms).
    g_m, C_m : numpy.ndarray, shape (N,)
        Membrane conductance (nS) and capacitance (pF).
    """
    s = 0.5 * h * (_GL_NODES + 1.0)[:, None, None, None]  # (Q, 1, 1, 1)
    w = (0.5 * h * _GL_WEIGHTS)[:, None, None]              # (Q, 1, 1)
    A_h = _exponent(g_start, dg_start, tau, g_m, C_m, h)   # (L, N)
    A_s = (g_m * s[:, 0] + conductance_integral(g_start, dg_start, tau, s).sum(axis=1)) / C_m  # (Q, L, N)
    weight = np.exp(A_s - A_h) * w / C_m                   # (Q, L, N)
    g_s = (g_start + dg_start * s) * np.exp(-s / tau)      # (Q, R, L, N)
    drive = (g_s * dE).sum(axis=1)                         # (Q, L, N)
    return np.exp(-A_h), (weight * drive).sum(axis=0), weight.sum(axis=0)


def coefficients_solve_ivp(n_steps, g0, dg0, tau, dE, h, g_m, C_m):
    """(P, Q, R) per step from one :func:`scipy.integrate.solve_ivp` call over the piece.

    Parameters
    ----------
    n_steps : int
        Length of the piece in steps; no input arrives inside it.
    g0, dg0 : numpy.ndarray, shape (R, N)
        Conductance (nS) and derivative (nS/ms) at the start of the piece.
    tau, dE : numpy.ndarray, shape (R, N)
    h : float
    g_m, C_m : numpy.ndarray, shape (N,)
    """
    n = g0.shape[1]
    t_grid = h * np.arange(n_steps + 1)

    def rhs(s, y):
        e = np.exp(_exponent(g0, dg0, tau, g_m, C_m, s)) / C_m
        g = (g0 + dg0 * s) * np.exp(-s / tau)
        return np.concatenate([e * (g * dE).sum(axis=0), e])

    sol = solve_ivp(rhs, (0.0, t_grid[-1]), np.zeros(2 * n), method="DOP853", t_eval=t_grid,
                    rtol=RTOL, atol=ATOL)
    if not sol.success:
        raise RuntimeError(f"solve_ivp failed on a piece of {n_steps} steps: {sol.message}")
    X, Y = sol.y[:n].T, sol.y[n:].T                       # (L+1, N)
    A = _exponent(g0[:, None], dg0[:, None], tau[:, None], g_m, C_m, t_grid[:, None])  # (L+1, N)
    scale = np.exp(-A[1:])
    return np.exp(A[:-1] - A[1:]), scale * np.diff(X, axis=0), scale * np.diff(Y, axis=0)


def propagate(V0, P, B):
    """Solve ``V_{j+1} = P_j V_j + B_j`` for j = 0..L-1; return V_1..V_L, shape (L, N).

    Blocks of steps are solved with cumulative products; a block whose
    products under- or overflow is solved step by step.
    """
    L = P.shape[0]
    out = np.empty_like(B)
    v = V0
    block = 64
    for a in range(0, L, block):
        b = min(L, a + block)
        Pb, Bb = P[a:b], B[a:b]
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            phi = np.cumprod(Pb, axis=0)
            acc = np.cumsum(Bb / phi, axis=0)
            vals = phi * (v + acc)
        if not np.all(np.isfinite(vals)):
            vals = np.empty_like(Bb)
            x = v
            for j in range(b - a):
                x = Pb[j] * x + Bb[j]
                vals[j] = x
        out[a:b] = vals
        v = vals[-1]
    return out
