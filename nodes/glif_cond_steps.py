"""The alpha-shaped conductances of glif_cond neurons, compiled with numba.

The sequential update (thresholds, after-spike currents, spikes, resets) is
shared with the other GLIF models in :mod:`nodes.glif_steps`.
"""

import numpy as np
from numba import njit

from .glif_steps import warm_up as warm_up_steps
from .membrane_quadrature import warm_up as warm_up_quadrature

__all__ = ["alpha_conductances", "warm_up"]


@njit(cache=True, nogil=True)
def alpha_conductances(g, dg, spike_input, psc_scale, decay_h, h, g_start, dg_start, lo, hi):
    """Advance the alpha-shaped conductances of neurons ``lo .. hi - 1`` by K steps in place, recording each
    step's start values (every neuron on its own: slices may run in parallel threads).

    Parameters
    ----------
    g, dg : float64 (R, N)
        Conductance (nS) and its derivative (nS/ms); updated in place to the end of the last step.
    spike_input : float64 (R, K, N)
        Spike weights (nS) due at the end of each step, per receptor.
    psc_scale : float64 (R, N)
        e / tau_syn (1/ms): the jump of dg per nS of weight, so that weight 1 peaks at 1 nS.
    decay_h : float64 (R, N)
        exp(-h / tau_syn).
    h : float
        Step (ms).
    g_start, dg_start : float64 (K, R, N)
        Output: g and dg at the beginning of each step (after the input due then).
    lo, hi : int
        The neurons to advance.
    """
    K, R = spike_input.shape[1], spike_input.shape[0]
    # Step by step over a contiguous slice of neurons, so that LLVM vectorises the inner loop.
    for r in range(R):
        x, dx, e, scale = g[r, lo:hi], dg[r, lo:hi], decay_h[r, lo:hi], psc_scale[r, lo:hi]
        for k in range(K):
            gs, dgs, w = g_start[k, r, lo:hi], dg_start[k, r, lo:hi], spike_input[r, k, lo:hi]
            for i in range(hi - lo):
                gs[i] = x[i]
                dgs[i] = dx[i]
                x[i] = (x[i] + h * dx[i]) * e[i]
                dx[i] = dx[i] * e[i] + w[i] * scale[i]


def warm_up():
    """Compile (or load from numba's cache) the kernels by running them on one neuron for one step."""
    whole = np.zeros((2, 2, 1))
    for spike_input in (whole[1:], whole[:, :1]):        # the input as a whole array and as a view of an inbox block
        alpha_conductances(np.zeros((1, 1)), np.zeros((1, 1)), spike_input, np.ones((1, 1)), np.ones((1, 1)), 0.1,
                           np.empty((1, 1, 1)), np.empty((1, 1, 1)), 0, 1)
    warm_up_quadrature()
    warm_up_steps()
