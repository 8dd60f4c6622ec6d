"""Integration of the conductance-based membrane over pieces of the time grid.

Between spike arrivals the alpha-shaped conductances are closed-form,
``g_r(s) = (g_r + dg_r s) exp(-s / tau_r)``, and the membrane equation is
linear in V (relative to E_L)::

    C dV/dt = -(g_m + sum_r g_r(s)) V + sum_r g_r(s) dE_r + c_j

with ``dE_r = E_rev_r - E_L`` and ``c_j`` the current (pA) held during step
j (input current plus the step-averaged after-spike currents).  With
``A(s) = integral_0^s (g_m + sum_r g_r) / C`` in closed form, one step maps
``V_j`` to::

    V_{j+1} = P_j V_j + Q_j + c_j R_j
    P_j = exp(-(A(t_{j+1}) - A(t_j)))
    Q_j = integral over the step of exp(-(A(t_{j+1}) - A(s))) sum_r g_r(s) dE_r / C
    R_j = integral over the step of exp(-(A(t_{j+1}) - A(s))) / C

so a piece of many steps needs only per-step coefficients (P, Q, R),
whatever the piecewise-constant currents are.  :class:`MembranePropagator`
provides them three ways:

* :meth:`~MembranePropagator.closed_form` -- no conductance left: exact exponentials.
* :meth:`~MembranePropagator.solver` -- the membrane equation in integrating-factor
  form, ``d/ds [exp(A) V] = exp(A) (sum_r g_r dE_r + c) / C``, integrated by
  :func:`scipy.integrate.solve_ivp` (DOP853, ``rtol`` :data:`RTOL`) over a whole
  input-free piece for all neurons at once and read on the grid.
* :meth:`~MembranePropagator.gauss_legendre_into` -- the same integrals by 4-point
  Gauss-Legendre quadrature inside each step, compiled and vectorised across
  neurons (:mod:`nodes.membrane_quadrature`); :meth:`~MembranePropagator.gauss_legendre`
  is its numpy reference.  glif_cond uses it for every step with a conductance:
  it was 6-30x faster than one solver call over an input-free stretch in every
  case measured, and each neuron's numbers do not depend on the others'.  Its
  agreement with the solver is checked in the tests.
"""

import numpy as np

from .membrane_quadrature import gauss_legendre_steps

__all__ = ["MembranePropagator", "conductance_integral", "RTOL", "ATOL"]

#: Tolerances of the solver (relative, and absolute in the integrating-factor variables).
RTOL = 1e-8
ATOL = 1e-12

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(4)

#: Largest growth of the exponent A (the membrane's relaxation, in e-folds) over a step integrated by
#: 4-point Gauss-Legendre quadrature; beyond it the step goes to :mod:`nodes.stiff_membrane`.
MAX_STEP_EXPONENT = 0.5
#: Largest step / tau_syn for which 4 quadrature nodes resolve a conductance within the step.
MAX_STEPS_PER_TAU = 1.0
#: Largest growth of A over an input-free stretch given to solve_ivp (exp(A) must not overflow).
MAX_SOLVER_EXPONENT = 200.0
#: Conductance effect (mV) on V below which a fast receptor is left to 4-point quadrature.  The
#: quadrature's nodes can miss a conductance much shorter than the step entirely (h / tau_syn = 1000:
#: all of its effect), so this bound is the error accepted, far below the 1e-5 mV of the tests.
FAST_NEGLIGIBLE_MV = 1e-7
#: Conductance effect (mV) beyond which the solver's closed-form integrals lose digits to cancellation.
SOLVER_MAX_REACH_MV = 1e7
#: Range of V (mV) assumed when bounding a conductance's effect on V.
V_RANGE = 200.0


def conductance_integral(g0, dg0, tau, s):
    """Integral of an alpha conductance from 0 to `s` (ms), in nS ms.

    ``g(u) = (g0 + dg0 u) exp(-u / tau)``; all arguments broadcast.
    """
    e = np.exp(-s / tau)
    return g0 * tau * (1.0 - e) + dg0 * tau * (tau * (1.0 - e) - s * e)


def _int_exp(tau, s, decay):
    """Integral of exp(-u / tau) from 0 to s (ms); `decay` is exp(-s / tau).

    ``tau (1 - decay)`` where it is accurate (s / tau >= 1e-3), ``s (1 - x/2 + x^2/6)``
    below, so that a synaptic time constant of 1e20 ms loses nothing to cancellation.
    """
    x = s / tau
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x >= 1e-3, tau * (1.0 - decay), s * (1.0 - x / 2.0 + x * x / 6.0))


def _int_u_exp(tau, s, decay):
    """Integral of u exp(-u / tau) from 0 to s (ms^2), as :func:`_int_exp` (series below s / tau = 1e-3)."""
    x = s / tau
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x >= 1e-3, tau * (tau * (1.0 - decay) - s * decay),
                        s * s * (0.5 - x / 3.0 + x * x / 8.0 - x ** 3 / 30.0))


class MembranePropagator:
    """Per-step membrane coefficients (P, Q, R) for a population of N neurons.

    Parameters
    ----------
    tau : numpy.ndarray, shape (R, N)
        Synaptic time constants (ms).
    dE : numpy.ndarray, shape (R, N)
        Reversal potentials relative to E_L (mV).
    g_m : numpy.ndarray, shape (N,)
        Membrane conductance (nS).
    C_m : numpy.ndarray, shape (N,)
        Membrane capacitance (pF).
    h : float
        Step (ms).
    """

    def __init__(self, tau, dE, g_m, C_m, h):
        self.tau, self.dE, self.g_m, self.C_m, self.h = tau, dE, g_m, C_m, h
        s = 0.5 * h * (_GL_NODES + 1.0)
        self._s = s[:, None, None]                                        # (Q, 1, 1)
        self._w = (0.5 * h * _GL_WEIGHTS)[:, None, None] / C_m           # (Q, 1, N)
        decay_s = np.exp(-s[:, None, None] / tau)                         # (Q, R, N)
        self._decay_s = decay_s[:, :, None, :]                            # (Q, R, 1, N)
        self._int_g_s = _int_exp(tau, s[:, None, None], decay_s)[:, :, None, :]    # integral factor of g0
        self._int_dg_s = _int_u_exp(tau, s[:, None, None], decay_s)[:, :, None, :]
        self._s4 = s[:, None, None, None]
        decay_h = np.exp(-h / tau)
        self.decay_h = decay_h                                            # (R, N)
        self._int_g_h = _int_exp(tau, h, decay_h)[:, None, :]
        self._int_dg_h = _int_u_exp(tau, h, decay_h)[:, None, :]
        self._P0 = np.exp(-h * g_m / C_m)
        #: Receptors whose conductance varies too fast within a step for 4 quadrature nodes.
        self._fast = (h / tau > MAX_STEPS_PER_TAU)[:, None, :]            # (R, 1, N)
        self.has_fast = bool(self._fast.any())
        self._reach_dE = (np.abs(dE) + V_RANGE)[:, None, :] / C_m         # mV per nS ms
        # The compiled quadrature's factors, divided by C_m once (see membrane_quadrature.gauss_legendre_steps).
        c = np.ascontiguousarray
        self._a0_h = c(g_m * h / C_m)
        self._k_g_h, self._k_dg_h = c(self._int_g_h[:, 0] / C_m), c(self._int_dg_h[:, 0] / C_m)
        self._a0_s = c(g_m * s[:, None] / C_m)
        self._k_g_s, self._k_dg_s = c(self._int_g_s[:, :, 0] / C_m), c(self._int_dg_s[:, :, 0] / C_m)
        self._d_g_s = c(decay_s * dE)
        self._d_dg_s = c(s[:, None, None] * decay_s * dE)
        self._w_q = c(self._w[:, 0])
        self._fast_reach = c(np.where(self._fast[:, 0], self._reach_dE[:, 0], 0.0))
        self._reach_g, self._reach_dg = c(tau * self._reach_dE[:, 0]), c(tau ** 2 * self._reach_dE[:, 0])
        self._R0 = (1.0 - self._P0) / g_m

    def closed_form(self, n_steps):
        """(P, Q, R), each (n_steps, N), for a membrane without synaptic conductance."""
        shape = (n_steps, len(self.g_m))
        return (np.broadcast_to(self._P0, shape), np.zeros(shape),
                np.broadcast_to((1.0 - self._P0) / self.g_m, shape))

    def gauss_legendre(self, g_start, dg_start):
        """(P, Q, R), each (L, N), by quadrature within each step.

        `g_start`, `dg_start` (shape (R, L, N)): conductance (nS) and its
        derivative (nS/ms) at the beginning of each step, after that step's input.
        """
        A_h = (self.g_m * self.h + (g_start * self._int_g_h + dg_start * self._int_dg_h).sum(axis=0)) / self.C_m
        A_s = (self.g_m * self._s
               + (g_start * self._int_g_s + dg_start * self._int_dg_s).sum(axis=1)) / self.C_m  # (Q, L, N)
        weight = np.exp(A_s - A_h) * self._w                                                   # (Q, L, N)
        g_s = (g_start + dg_start * self._s4) * self._decay_s                                  # (Q, R, L, N)
        drive = (g_s * self.dE[:, None, :]).sum(axis=1)
        return np.exp(-A_h), (weight * drive).sum(axis=0), weight.sum(axis=0)

    def gauss_legendre_into(self, g_start, dg_start, steps, lo, hi, P, Q, R, hard, negligible_mv=0.0):
        """:meth:`gauss_legendre` and :meth:`needs_adaptive` compiled, at `steps` (int64 array) of a chunk for
        neurons ``lo .. hi - 1``: fill P, Q, R (K, N) and the mask `hard` (K, N) there; return the number of
        hard (step, neuron) pairs.

        `g_start`, `dg_start` (shape (K, R, N), C-contiguous): conductance (nS) and derivative (nS/ms) at the
        start of each step of the chunk.  The numbers equal the numpy methods' within rounding (a few ulp).
        A step whose remaining conductance cannot move V by more than `negligible_mv` (mV) gets the
        closed form instead (:meth:`closed_form`; with the default 0, only steps without conductance).
        """
        return gauss_legendre_steps(g_start, dg_start, steps, lo, hi, self._a0_h, self._k_g_h, self._k_dg_h,
                                    self._a0_s, self._k_g_s, self._k_dg_s, self._d_g_s, self._d_dg_s, self._w_q,
                                    self._fast_reach, self.has_fast, MAX_STEP_EXPONENT, FAST_NEGLIGIBLE_MV,
                                    self._reach_g, self._reach_dg, negligible_mv, self._P0, self._R0,
                                    P, Q, R, hard)

    def needs_adaptive(self, g_start, dg_start):
        """Mask (L, N) of the steps that 4-point quadrature cannot integrate accurately.

        Those where the membrane relaxes by more than MAX_STEP_EXPONENT e-folds within the step
        (tiny C_m, huge conductance), or where a receptor with tau_syn < h / MAX_STEPS_PER_TAU
        carries a conductance that matters.  `g_start`, `dg_start` as :meth:`gauss_legendre`.
        """
        g_abs, dg_abs = np.abs(g_start), np.abs(dg_start)
        integral = g_abs * self._int_g_h + dg_abs * self._int_dg_h                           # (R, L, N)
        hard = (self.g_m * self.h + integral.sum(axis=0)) / self.C_m > MAX_STEP_EXPONENT
        if self.has_fast:
            hard |= (np.where(self._fast, integral, 0.0) * self._reach_dE).sum(axis=0) > FAST_NEGLIGIBLE_MV
        return hard

    def solver_unfit(self, n_steps, g0, dg0):
        """Mask (N,) of neurons whose input-free stretch of `n_steps` the solver cannot take.

        exp(A) would overflow (A growing by more than MAX_SOLVER_EXPONENT), the closed-form
        integrals would cancel (huge tau_syn), or a conductance too fast for the grid matters.
        """
        span = self.h * n_steps
        unfit = self.exponent_rate_bound(g0, dg0) * span > MAX_SOLVER_EXPONENT
        reach = (np.abs(g0) * self.tau + np.abs(dg0) * self.tau ** 2) * self._reach_dE[:, 0]  # (R, N)
        unfit |= reach.sum(axis=0) > SOLVER_MAX_REACH_MV
        if self.has_fast:
            unfit |= np.where(self._fast[:, 0], reach, 0.0).sum(axis=0) > FAST_NEGLIGIBLE_MV
        return unfit

    def solver(self, n_steps, g0, dg0, cols=None):
        """(P, Q, R), each (n_steps, N), from one :func:`scipy.integrate.solve_ivp` call over the piece.

        `g0`, `dg0` (shape (R, N)): conductance and derivative at the start of a
        piece that no input spike enters.  `cols` (index array): integrate only
        these neurons (g0, dg0 then have one column per entry of `cols`).
        """
        from scipy.integrate import solve_ivp     # here, not at the top: importing scipy.integrate takes ~0.3 s

        n = g0.shape[1]
        t_grid = self.h * np.arange(n_steps + 1)
        if cols is None:
            tau, dE, C_m, g_m = self.tau, self.dE, self.C_m, self.g_m
        else:
            tau, dE, C_m, g_m = self.tau[:, cols], self.dE[:, cols], self.C_m[cols], self.g_m[cols]
        inv_C = 1.0 / C_m
        inv_tau = 1.0 / tau
        # integral of g_r from 0 to s: c1 - (c1 + c2 s) exp(-s / tau); the drive: (d1 + d2 s) exp(-s / tau)
        c1 = g0 * tau + dg0 * tau * tau
        offset = np.stack([c1, g0 * dE])                   # (2, R, N)
        slope = np.stack([dg0 * tau, dg0 * dE])
        c1_total = c1.sum(axis=0)

        def rhs(s, y):
            terms = ((offset + slope * s) * np.exp(-s * inv_tau)).sum(axis=1)      # (2, N)
            e = np.exp((g_m * s + c1_total - terms[0]) * inv_C) * inv_C
            return np.concatenate([e * terms[1], e])

        sol = solve_ivp(rhs, (0.0, t_grid[-1]), np.zeros(2 * n), method="DOP853", t_eval=t_grid,
                        rtol=RTOL, atol=ATOL)
        if not sol.success:
            raise RuntimeError(f"solve_ivp failed on a piece of {n_steps} steps: {sol.message}")
        X, Y = sol.y[:n].T, sol.y[n:].T                                             # (L+1, N)
        A = (g_m * t_grid[:, None] + conductance_integral(g0[:, None], dg0[:, None], tau[:, None],
                                                           t_grid[:, None]).sum(axis=0)) / C_m  # (L+1, N)
        scale = np.exp(-A[1:])
        return np.exp(A[:-1] - A[1:]), scale * np.diff(X, axis=0), scale * np.diff(Y, axis=0)

    def exponent_rate_bound(self, g0, dg0):
        """Upper bound of dA/ds (1/ms) over a piece starting with conductances g0, dg0 (no input)."""
        peak = np.abs(g0) + np.abs(dg0) * self.tau / np.e
        return (self.g_m + peak.sum(axis=0)) / self.C_m
