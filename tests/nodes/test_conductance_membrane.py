"""The membrane integrators agree with each other and with closed-form solutions."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from eventsim.nodes.conductance_membrane import MembranePropagator, conductance_integral

H = 0.05
TAU = np.array([[0.2, 0.2, 0.5], [2.0, 2.0, 5.0]])          # (R, N)
DE = np.array([[78.85, 78.85, 60.0], [-6.15, -6.15, 10.0]])
G_M = np.array([9.43, 9.43, 5.0])
C_M = np.array([58.72, 58.72, 100.0])


def trajectory(v0, P, B):
    """V_1..V_L of the recurrence V_{j+1} = P_j V_j + B_j."""
    out, v = [], v0
    for p, b in zip(P, B):
        v = p * v + b
        out.append(v)
    return np.array(out)


def make():
    """A propagator for three neurons with two receptors each."""
    return MembranePropagator(TAU, DE, G_M, C_M, H)


def reference_coefficients(g0, dg0, n_steps, n):
    """P, Q, R of neuron `n` by integrating the membrane ODE directly (two runs: V0 = 1, c = 0 and V0 = 0, c = 1)."""
    def rhs(t, y, c):
        g = (g0[:, n] + dg0[:, n] * t) * np.exp(-t / TAU[:, n])
        return [(-(G_M[n] + g.sum()) * y[0] + (g * DE[:, n]).sum() + c) / C_M[n]]
    t = H * np.arange(n_steps + 1)
    out = []
    for j in range(n_steps):
        span = (t[j], t[j + 1])
        zero = solve_ivp(rhs, span, [0.0], args=(0.0,), rtol=1e-12, atol=1e-14).y[0, -1]
        one = solve_ivp(rhs, span, [1.0], args=(0.0,), rtol=1e-12, atol=1e-14).y[0, -1]
        unit = solve_ivp(rhs, span, [0.0], args=(1.0,), rtol=1e-12, atol=1e-14).y[0, -1]
        out.append((one - zero, zero, unit - zero))
    return np.array(out)


def test_conductance_integral_matches_quadrature():
    """The closed-form integral of an alpha conductance equals numerical quadrature."""
    from scipy.integrate import quad
    value = conductance_integral(3.0, -2.0, 0.7, 1.3)
    expected = quad(lambda u: (3.0 - 2.0 * u) * np.exp(-u / 0.7), 0, 1.3)[0]
    assert value == pytest.approx(expected, rel=1e-12)


def test_closed_form_without_conductance():
    """Without conductance P = exp(-h g_m / C_m), Q = 0 and R = (1 - P) / g_m."""
    P, Q, R = make().closed_form(4)
    np.testing.assert_allclose(P, np.exp(-H * G_M / C_M) * np.ones((4, 3)), rtol=1e-15)
    np.testing.assert_array_equal(Q, 0.0)
    np.testing.assert_allclose(R, (1 - np.exp(-H * G_M / C_M)) / G_M * np.ones((4, 3)), rtol=1e-15)


@pytest.mark.parametrize("method", ["solver", "gauss_legendre"])
def test_coefficients_match_direct_integration(method):
    """Both integrators give the (P, Q, R) of a direct high-accuracy integration of the membrane ODE."""
    g0 = np.array([[20.0, 0.0, 5.0], [3.0, -10.0, 1.0]])
    dg0 = np.array([[50.0, 0.0, 0.0], [0.0, 30.0, 2.0]])
    m = make()
    n_steps = 12
    if method == "solver":
        P, Q, R = m.solver(n_steps, g0, dg0)
    else:
        t = H * np.arange(n_steps)[None, :, None]
        g_start = (g0[:, None] + dg0[:, None] * t) * np.exp(-t / TAU[:, None])
        dg_start = dg0[:, None] * np.exp(-t / TAU[:, None])
        P, Q, R = m.gauss_legendre(g_start, dg_start)
    for n in range(3):
        ref = reference_coefficients(g0, dg0, n_steps, n)
        np.testing.assert_allclose(P[:, n], ref[:, 0], rtol=1e-9)
        np.testing.assert_allclose(Q[:, n], ref[:, 1], rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(R[:, n], ref[:, 2], rtol=1e-8)


def test_gauss_legendre_agrees_with_solver_over_a_long_piece():
    """Quadrature per step and one solver call over 400 steps give the same V trajectory within 1e-7 mV."""
    g0 = np.array([[15.0, 1.0, 0.5], [4.0, 8.0, 2.0]])
    dg0 = np.array([[40.0, 5.0, 1.0], [2.0, 0.0, 0.5]])
    m = make()
    L = 400
    P1, Q1, R1 = m.solver(L, g0, dg0)
    t = H * np.arange(L)[None, :, None]
    P2, Q2, R2 = m.gauss_legendre((g0[:, None] + dg0[:, None] * t) * np.exp(-t / TAU[:, None]),
                                  dg0[:, None] * np.exp(-t / TAU[:, None]))
    current = np.full((L, 3), 120.0)
    v1 = trajectory(np.array([-5.0, 3.0, 0.0]), P1, Q1 + current * R1)
    v2 = trajectory(np.array([-5.0, 3.0, 0.0]), P2, Q2 + current * R2)
    np.testing.assert_allclose(v1, v2, rtol=0, atol=1e-7)
