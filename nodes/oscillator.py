"""The rotation recursion NEST's ac_generator and noise_generator use for their sine, compiled with numba.

NEST does not evaluate ``sin(omega t + phi)`` at every step: at the start of
each ``Simulate`` call it sets ``(y_0, y_1) = A (cos, sin)(omega t + phi)``
and then rotates the pair by ``omega h`` once per step.  Reproducing the
recursion (and the restart at every call) with the C library's sin and cos
gives NEST's values to the last bit.
"""

import math

from numba import njit

__all__ = ["initial_phase", "rotation", "rotate"]


def initial_phase(amplitude, frequency_hz, phase_deg, t_ms):
    """``(y_0, y_1)`` at time `t_ms` as NEST's pre-run hook computes them."""
    omega = 2.0 * math.pi * frequency_hz / 1000.0
    phi_rad = phase_deg * 2.0 * math.pi / 360.0
    return amplitude * math.cos(omega * t_ms + phi_rad), amplitude * math.sin(omega * t_ms + phi_rad)


def rotation(frequency_hz, h):
    """Rotation matrix ``(A_00, A_01, A_10, A_11)`` of one step `h` (ms) at `frequency_hz` (Hz)."""
    omega = 2.0 * math.pi * frequency_hz / 1000.0
    return math.cos(omega * h), -math.sin(omega * h), math.sin(omega * h), math.cos(omega * h)


@njit(cache=True, nogil=True)
def rotate(y, a, steps_mask, out, before):
    """Rotate ``y = [y_0, y_1]`` in place once for every True entry of `steps_mask`.

    ``out[k]`` receives ``y_1`` of step k: before its rotation if `before`
    (ac_generator), after it otherwise (noise_generator).  `a` holds
    ``(A_00, A_01, A_10, A_11)``.
    """
    for k in range(steps_mask.shape[0]):
        if before:
            out[k] = y[1]
        if steps_mask[k]:
            y0 = y[0]
            y[0] = a[0] * y0 + a[1] * y[1]
            y[1] = a[2] * y0 + a[3] * y[1]
        if not before:
            out[k] = y[1]
