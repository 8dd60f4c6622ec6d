"""The kernel's status dictionary, as PyNEST's ``GetKernelStatus``/``SetKernelStatus`` and ``nest.<key>``.

:data:`READABLE` maps every key eventsim reports to a function of the kernel;
:data:`SETTABLE` maps the keys a script may set to a function
``(kernel, value)``.  A key NEST has but eventsim does not report is unknown
here and raises :class:`~eventsim.errors.BadProperty` naming it; a read-only
key raises ``ValueError`` as in NEST.
"""

import numbers
import os
import sys
import warnings

import numpy as np

from ._version import __version__
from .errors import BadProperty, KernelException, TypeMismatch
from .registry import node_models
from .timegrid import TICS_PER_MS, delay_to_steps, steps_to_ms, tics_per_step
from .verbosity_levels import get_verbosity, set_level
from .workers import available_cores

__all__ = ["READABLE", "SETTABLE", "get_status", "set_status", "RNG_TYPES", "build_info"]

#: Random number generator types (numpy's bit generator used by every stream of eventsim).
RNG_TYPES = ("PCG64",)


def build_info():
    """What this eventsim provides, under the keys of PyNEST's ``nest.build_info`` (dict).

    ``have_gsl`` is True because the models NEST builds only with GSL
    (glif_cond) are available; ``have_threads`` is False because eventsim has
    none of NEST's per-thread structures (virtual processes, ``vp`` of a node,
    ``target_thread``), although ``local_num_threads`` does run the models' work
    on that many threads (:mod:`eventsim.workers`).
    """
    return {"version": __version__, "have_threads": False, "threads_model": "none", "have_mpi": False,
            "have_gsl": True, "have_boost": False, "have_hdf5": False, "have_music": False,
            "have_libneurosim": False, "have_sionlib": False, "ndebug": True}


def _memory_size_kb():
    """Resident memory of this process in kB, as NEST's ``memory_size`` (peak resident size where the
    current one cannot be read)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak // 1024 if sys.platform == "darwin" else peak)


def _ms(k, steps):
    return float(steps_to_ms(steps, k.resolution))


READABLE = {
    "resolution": lambda k: k.resolution,
    "rng_seed": lambda k: k.rng_seed,
    "rng_type": lambda k: k.rng_type,
    "rng_types": lambda k: list(RNG_TYPES),
    "biological_time": lambda k: k.biological_time,
    "min_delay": lambda k: _ms(k, k.min_delay),
    "max_delay": lambda k: _ms(k, k.max_delay),
    "network_size": lambda k: k.n_nodes,
    "num_connections": lambda k: int(sum(len(p) for p in k.projections.values())),
    "node_models": lambda k: list(node_models()) + sorted(k.copied_models),
    "synapse_models": lambda k: sorted(k.synapse_models),
    "local_spike_counter": lambda k: k.local_spike_counter,
    "print_time": lambda k: k.report == "text",
    "local_num_threads": lambda k: k.local_num_threads,
    "total_num_virtual_procs": lambda k: k.local_num_threads,
    "num_processes": lambda k: k.distribution.size,
    "mpi_rank": lambda k: k.distribution.rank,
    "tics_per_ms": lambda k: float(TICS_PER_MS),
    "ms_per_tic": lambda k: 1.0 / TICS_PER_MS,
    "tics_per_step": lambda k: tics_per_step(k.resolution),
    "connection_rules": lambda k: ["all_to_all", "fixed_indegree", "fixed_outdegree", "fixed_total_number",
                                   "one_to_one", "pairwise_bernoulli"],
    "verbosity": lambda k: get_verbosity(),
    "prepared": lambda k: k.prepared,
    "build_info": lambda k: build_info(),
    "dict_miss_is_error": lambda k: True,
    "use_compressed_spikes": lambda k: k.use_compressed_spikes,
    "keep_source_table": lambda k: True,
    "overwrite_files": lambda k: k.overwrite_files,
    "off_grid_spiking": lambda k: False,
    "memory_size": lambda k: _memory_size_kb(),
    # NEST logs the growth of its MPI spike buffers here; eventsim has none, so the log stays empty
    "spike_buffer_resize_log": lambda k: {key: np.empty(0) for key in ("global_max_spikes_sent", "new_buffer_size",
                                                                       "times")},
    "use_wfr": lambda k: k.wfr["use_wfr"],
    # without waveform relaxation the interval follows the resolution, as in NEST
    "wfr_comm_interval": lambda k: k.wfr["wfr_comm_interval"] if k.wfr["use_wfr"] else k.resolution,
    "wfr_tol": lambda k: k.wfr["wfr_tol"],
    "wfr_max_iterations": lambda k: k.wfr["wfr_max_iterations"],
    "wfr_interpolation_order": lambda k: k.wfr["wfr_interpolation_order"],
}


def _set_resolution(k, value):
    k.resolution = value


def _set_rng_seed(k, value):
    k.rng_seed = value


def _set_rng_type(k, value):
    if value not in RNG_TYPES:
        raise BadProperty(f"rng_type {value!r} is not available; eventsim draws every stream from "
                          f"{', '.join(RNG_TYPES)}")
    k.rng_type = value


def _set_print_time(k, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeMismatch(f"print_time must be a boolean, got {value!r}")
    if value:
        k.report = "text"
    elif k.report == "text":
        k.report = None


def _set_local_num_threads(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise BadProperty(f"local_num_threads must be a positive integer, got {value!r}")
    if k.n_nodes > 0:
        raise BadProperty(f"local_num_threads cannot be changed to {value} after nodes were created; "
                          "call ResetKernel() first")
    cores = available_cores()
    if value > cores:
        warnings.warn(f"local_num_threads = {value} is more than the {cores} cores this process may use; the "
                      "threads will share them (results are the same for any number of threads)",
                      RuntimeWarning, stacklevel=4)
    k.local_num_threads = int(value)


def _set_biological_time(k, value):
    if value != 0.0:
        raise BadProperty(f"biological_time can only be set to 0.0 (as in NEST), got {value!r}")
    if k.steps != 0:
        raise BadProperty("biological_time cannot be reset after a Simulate; call ResetKernel() first")


def _set_delay_extrema(k, lo, hi):
    """Fix min_delay and max_delay (ms) before any connection exists, as NEST; delays outside them are refused."""
    for name, value in (("min_delay", lo), ("max_delay", hi)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise BadProperty(f"{name} must be a number of ms, got {value!r}")
    if any(len(p) for p in k.projections.values()) or k._delays_seen:
        raise BadProperty("min_delay and max_delay cannot be set once connections exist; call ResetKernel first")
    if int(delay_to_steps(lo, k.resolution)) < 1:
        raise BadProperty(f"min_delay {lo} ms is below the resolution {k.resolution} ms")
    if lo > hi:
        raise BadProperty(f"min_delay {lo} ms must not exceed max_delay {hi} ms")
    k.delay_extrema = (float(lo), float(hi))


def _set_tics_per_ms(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != TICS_PER_MS:
        raise BadProperty(f"tics_per_ms {value!r} is not supported: eventsim counts time in tics of 1 us "
                          f"(tics_per_ms = {TICS_PER_MS}), NEST's default")


def _set_use_compressed_spikes(k, value):
    # NEST's MPI spike-exchange format: no effect on results, and eventsim exchanges no spikes between processes
    if not isinstance(value, (bool, np.bool_)):
        raise TypeMismatch(f"use_compressed_spikes must be a boolean, got {value!r}")
    k.use_compressed_spikes = bool(value)


def _set_overwrite_files(k, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeMismatch(f"overwrite_files must be a boolean, got {value!r}")
    k.overwrite_files = bool(value)


def _set_use_wfr(k, value):
    # waveform relaxation iterates gap-junction and other instantaneous couplings; eventsim has none, so
    # the settings are validated and stored as NEST does, and change no result (as in NEST without them)
    if not isinstance(value, (bool, np.bool_)):
        raise TypeMismatch(f"use_wfr must be a boolean, got {value!r}")
    if k.n_nodes > 0:
        raise KernelException("use_wfr cannot be changed after nodes were created; call ResetKernel() first")
    k.wfr["use_wfr"] = bool(value)


def _set_wfr_comm_interval(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeMismatch(f"wfr_comm_interval must be a number of ms, got {value!r}")
    if not k.wfr["use_wfr"]:
        raise KernelException("wfr_comm_interval cannot be set while use_wfr is False; set use_wfr to True first")
    if not value >= k.resolution:
        raise KernelException(f"wfr_comm_interval {value} ms must not be below the resolution {k.resolution} ms")
    k.wfr["wfr_comm_interval"] = float(value)


def _set_wfr_tol(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeMismatch(f"wfr_tol must be a number, got {value!r}")
    if not value >= 0.0:
        raise KernelException(f"wfr_tol must be zero or positive, got {value!r}")
    k.wfr["wfr_tol"] = float(value)


def _set_wfr_max_iterations(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeMismatch(f"wfr_max_iterations must be an integer, got {value!r}")
    if value <= 0:
        raise KernelException(f"wfr_max_iterations must be positive (to disable waveform relaxation set use_wfr), "
                              f"got {value!r}")
    k.wfr["wfr_max_iterations"] = int(value)


def _set_wfr_interpolation_order(k, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeMismatch(f"wfr_interpolation_order must be an integer, got {value!r}")
    if value not in (0, 1, 3):
        raise KernelException(f"wfr_interpolation_order must be 0, 1 or 3, got {value!r}")
    k.wfr["wfr_interpolation_order"] = int(value)


def _set_verbosity(k, value):
    set_level(value)


SETTABLE = {
    "resolution": _set_resolution,
    "rng_seed": _set_rng_seed,
    "rng_type": _set_rng_type,
    "print_time": _set_print_time,
    "local_num_threads": _set_local_num_threads,
    "total_num_virtual_procs": _set_local_num_threads,
    "biological_time": _set_biological_time,
    "min_delay": None,  # set together with max_delay, see set_status
    "max_delay": None,
    "verbosity": _set_verbosity,
    "tics_per_ms": _set_tics_per_ms,
    "use_compressed_spikes": _set_use_compressed_spikes,
    "overwrite_files": _set_overwrite_files,
    "use_wfr": _set_use_wfr,
    "wfr_comm_interval": _set_wfr_comm_interval,
    "wfr_tol": _set_wfr_tol,
    "wfr_max_iterations": _set_wfr_max_iterations,
    "wfr_interpolation_order": _set_wfr_interpolation_order,
}


def get_status(kernel, keys=None):
    """The status of `kernel`: a dict (no key), one value (a key), a list (a list) or a tuple (a tuple of keys)."""
    if keys is None:
        return {key: fn(kernel) for key, fn in READABLE.items()}
    if isinstance(keys, str):
        return _get_one(kernel, keys)
    if isinstance(keys, tuple):
        return tuple(_get_one(kernel, key) for key in keys)
    if isinstance(keys, list):
        return [_get_one(kernel, key) for key in keys]
    raise TypeError(f"keys must be a string, a list or a tuple of strings, got {keys!r}")


def _get_one(kernel, key):
    try:
        fn = READABLE[key]
    except (KeyError, TypeError):
        raise KeyError(f"{key!r} is not a kernel property; known: {', '.join(sorted(READABLE))}") from None
    return fn(kernel)


def set_status(kernel, params):
    """Set kernel properties from a dict; every key is checked before any is set.

    Raises
    ------
    ValueError
        A key is unknown or read-only (NEST's ``ValueError``).
    BadProperty, TypeMismatch
        A value is illegal.
    """
    if not isinstance(params, dict):
        raise TypeError(f"SetKernelStatus needs a dict, got {params!r}")
    for key in params:
        if key not in SETTABLE:
            if key in READABLE:
                raise ValueError(f"`{key}` is a readonly kernel parameter")
            raise ValueError(f"`{key}` is not a valid kernel parameter, valid parameters are: "
                             f"{', '.join(sorted(SETTABLE))}")
    extrema = [key for key in ("min_delay", "max_delay") if key in params]
    if len(extrema) == 1:
        raise BadProperty("both min_delay and max_delay have to be specified (in one call)")
    # NEST's order: resolution, then use_wfr, before the settings that depend on them
    first = [key for key in ("resolution", "use_wfr") if key in params]
    for key in first + [key for key in params if key not in first]:
        if key not in ("min_delay", "max_delay"):
            SETTABLE[key](kernel, params[key])
    if extrema:
        _set_delay_extrema(kernel, params["min_delay"], params["max_delay"])
