"""Conversion between milliseconds (the API) and integer steps (the kernel).

The kernel counts time in whole steps of the resolution ``h`` so that no
floating-point drift accumulates; only the API boundary speaks ms.
"""

import numpy as np

from .errors import BadProperty

__all__ = ["ms_to_steps", "steps_to_ms", "is_on_grid"]

#: Relative tolerance (in units of one step) for accepting a time as on the grid.
GRID_TOLERANCE = 1e-9


def is_on_grid(t_ms, resolution):
    """Return a boolean array: is each time (ms) a whole multiple of `resolution` (ms)?"""
    q = np.asarray(t_ms, dtype=float) / resolution
    return np.abs(q - np.round(q)) <= GRID_TOLERANCE * np.maximum(1.0, np.abs(q))


def ms_to_steps(t_ms, resolution, what="time"):
    """Convert times in ms to integer steps of `resolution` ms.

    Parameters
    ----------
    t_ms : float or array_like
        Times in ms; must lie on the grid.
    resolution : float
        Step size in ms.
    what : str
        Name of the quantity, used in the error message.

    Returns
    -------
    int or numpy.ndarray of int64

    Raises
    ------
    BadProperty
        If a time is not a multiple of the resolution.
    """
    arr = np.asarray(t_ms, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise BadProperty(f"{what} must be finite, got {t_ms!r}")
    ok = is_on_grid(arr, resolution)
    if not np.all(ok):
        bad = arr[~ok].ravel()[0] if arr.ndim else float(arr)
        raise BadProperty(f"{what} {bad!r} ms is not a multiple of the resolution {resolution} ms")
    steps = np.round(arr / resolution).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps


def steps_to_ms(steps, resolution):
    """Convert integer steps to ms (float64)."""
    return np.asarray(steps, dtype=np.float64) * resolution
