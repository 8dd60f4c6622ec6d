"""Conversion between milliseconds (the API) and integer steps (the kernel).

The kernel counts time in whole steps of the resolution ``h`` so that no
floating-point drift accumulates; only the API boundary speaks ms.

The conversions follow NEST's clock: a time in ms is first rounded to whole
tics of 1 us (NEST's default ``tics_per_ms`` = 1000); it is on the grid if that
number of tics is a multiple of the tics per step, so a time within half a tic
of a grid point counts as on the grid.  Steps are converted back to ms as
``tics * 0.001``, which is how NEST prints times (``steps * h`` differs from
it in the last bit for about one time in six).  For a resolution that is not
a whole number of tics the plain ``t / h`` arithmetic with a relative
tolerance is used.
"""

import numpy as np

from .errors import BadProperty

__all__ = ["TICS_PER_MS", "MS_PER_TIC", "tics_per_step", "ms_to_steps", "steps_to_ms", "is_on_grid",
           "delay_to_steps", "offgrid_to_steps", "grid_ms"]

#: NEST's default number of tics per ms.
TICS_PER_MS = 1000
#: Length of a tic in ms (NEST's ``ms_per_tic``).
MS_PER_TIC = 1.0 / TICS_PER_MS
#: Relative tolerance (in units of one step) for resolutions that are not whole tics.
GRID_TOLERANCE = 1e-9


def tics_per_step(resolution):
    """Tics per step of `resolution` (ms), or None if the resolution is not a whole number of tics."""
    tps = round(resolution * TICS_PER_MS)
    if tps < 1 or abs(tps * MS_PER_TIC - resolution) > 1e-12 * resolution:
        return None
    return int(tps)


def _tics(t_ms):
    """NEST's ``Time::ms``: ms rounded to whole tics, half up (float array)."""
    return np.floor(np.asarray(t_ms, dtype=float) * TICS_PER_MS + 0.5)


def is_on_grid(t_ms, resolution):
    """Return a boolean array: is each time (ms) a whole multiple of `resolution` (ms), as NEST decides?"""
    tps = tics_per_step(resolution)
    if tps is None:
        q = np.asarray(t_ms, dtype=float) / resolution
        return np.abs(q - np.round(q)) <= GRID_TOLERANCE * np.maximum(1.0, np.abs(q))
    return np.mod(_tics(t_ms), tps) == 0


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
        If a time is not finite or not a multiple of the resolution.
    """
    arr = np.asarray(t_ms, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise BadProperty(f"{what} must be finite, got {t_ms!r}")
    ok = is_on_grid(arr, resolution)
    if not np.all(ok):
        bad = arr[~ok].ravel()[0] if arr.ndim else float(arr)
        raise BadProperty(f"{what} {bad!r} ms is not a multiple of the resolution {resolution} ms")
    tps = tics_per_step(resolution)
    if tps is None:
        steps = np.round(arr / resolution).astype(np.int64)
    else:
        steps = (_tics(arr) // tps).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps


def offgrid_to_steps(t_ms, resolution):
    """Steps of times (ms) that may lie off the grid, as NEST's ``allow_offgrid_times``.

    A time on the grid (within half a tic) keeps its step; any other time moves
    to the end of the step it lies in (NEST's ``Time::ms_stamp``).
    """
    arr = np.asarray(t_ms, dtype=float)
    on = is_on_grid(arr, resolution)
    tps = tics_per_step(resolution)
    if tps is None:
        exact = np.round(arr / resolution)
    else:
        exact = _tics(arr) // tps
    up = np.ceil(arr / resolution - GRID_TOLERANCE)
    steps = np.where(on, exact, up).astype(np.int64)
    return int(steps) if steps.ndim == 0 else steps


def delay_to_steps(d_ms, resolution):
    """Delays (ms) as whole steps, rounded half up as NEST's ``Time::delay_ms_to_steps`` (no checks)."""
    tps = tics_per_step(resolution)
    steps_per_ms = TICS_PER_MS / tps if tps is not None else 1.0 / resolution
    return np.floor(np.asarray(d_ms, dtype=float) * steps_per_ms + 0.5).astype(np.int64)


def steps_to_ms(steps, resolution):
    """Convert integer steps to ms (float64) exactly as NEST prints times: ``tics * 0.001``."""
    steps = np.asarray(steps, dtype=np.int64)
    tps = tics_per_step(resolution)
    if tps is None:
        return steps * float(resolution)
    return (steps * tps) * MS_PER_TIC


def grid_ms(t_ms, resolution):
    """The value NEST stores and reports for a time on the grid (float, or array for an array)."""
    out = steps_to_ms(ms_to_steps(t_ms, resolution), resolution)
    return float(out) if np.ndim(out) == 0 else out
