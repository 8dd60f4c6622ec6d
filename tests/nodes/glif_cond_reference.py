"""An independent high-accuracy integration of a sub-threshold glif_cond neuron, for the stiffness tests.

V is integrated by scipy's implicit Radau method with tight tolerances and an
exact Jacobian, one call per step (never read from the dense output);
the alpha conductances ``g_r(t) = (g_r + dg_r t) exp(-t / tau_r)`` are the
textbook closed form.  NEST's order of events: spikes due at step t are added
to dg after the step ending at t, a current due at t is held from t on.  Only
valid while the neuron does not fire (choose V_th far away).
"""

import numpy as np
from scipy.integrate import solve_ivp

__all__ = ["reference_v_m"]


def reference_v_m(params, h, n_steps, spikes, current):
    """V_m (mV) at the end of steps 1..n_steps.

    Parameters
    ----------
    params : dict
        glif_cond parameters (C_m pF, g_m nS, E_L mV, tau_syn ms, E_rev mV; V_m mV initial).
    h : float
        Step (ms).
    n_steps : int
    spikes : dict
        {(step, receptor 1..R): weight nS} of the input due at the end of each step.
    current : numpy.ndarray (n_steps,)
        Input current (pA) due at the end of each step (held during the following steps).
    """
    C, g_m, E_L = params["C_m"], params["g_m"], params["E_L"]
    tau = np.asarray(params["tau_syn"], float)
    E = np.asarray(params["E_rev"], float)
    R = len(tau)
    g, dg = np.zeros(R), np.zeros(R)

    def conductance(t):
        with np.errstate(under="ignore"):
            return (g + dg * t) * np.exp(-t / tau)

    def rhs(t, y, c):
        gt = conductance(t)
        return [(-g_m * (y[0] - E_L) - (gt * (y[0] - E)).sum() + c) / C]

    def jac(t, y, c):
        return [[-(g_m + conductance(t).sum()) / C]]

    v = params.get("V_m", E_L)
    c = 0.0
    out = np.empty(n_steps)
    # the pieces between consecutive input events (spike arrival or current change)
    events = sorted({step for step, _ in spikes} | {j + 1 for j in range(n_steps) if j == 0 or
                                                    current[j] != current[j - 1]})
    events = [e for e in events if e < n_steps] + [n_steps]
    start = 0
    for stop in events:
        if stop > start:
            grid = h * np.arange(stop - start + 1)
            # one call per step, so that each grid value is a step end of the solver, never its dense
            # output: Radau's interpolant is not error-controlled, and while V follows a huge
            # conductance quasi-statically it was 4.5e-5 mV off between the solver's own steps
            for k in range(stop - start):
                sol = solve_ivp(rhs, (grid[k], grid[k + 1]), [v], method="Radau", jac=jac, args=(c,), rtol=1e-10,
                                atol=1e-10, first_step=min(h, tau.min()) / 20)
                assert sol.success, sol.message
                v = sol.y[0, -1]
                out[start + k] = v
            # the conductances at the end of the piece, from the closed form
            t_end = grid[-1]
            with np.errstate(under="ignore"):
                decay = np.exp(-t_end / tau)
            g, dg = (g + dg * t_end) * decay, dg * decay
        for r in range(R):
            dg[r] += spikes.get((stop, r + 1), 0.0) * np.e / tau[r]
        if stop <= n_steps:
            c = current[stop - 1]
        start = stop
    return out
