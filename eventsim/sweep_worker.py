"""One run of a parameter sweep, as executed by a worker (see :mod:`eventsim.sweep`).

This module is what travels to workers: :func:`execute_run` takes a
:class:`RunTask` (picklable: the user's function, its parameters, the run's
``rng_seed`` and the output folder) and returns a :class:`RunOutcome`.  It
never raises for an error of the user's function: the error is recorded in
the outcome (and in the run's file), so that one failed run loses no others.
"""

import json
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from eventsim.lazy import lazy_module

xr = lazy_module("xarray")

__all__ = ["RunTask", "RunOutcome", "execute_run", "execute_runs", "warm_up", "run_file_name",
           "recordings_as_groups", "read_run_file", "DEFAULT_GROUP"]

#: Group name of a single Dataset returned by a run.
DEFAULT_GROUP = "recording"

# The module-level PyNEST functions share one default kernel per process: runs that use it take
# turns (threads of one process), runs given their own Kernel do not need to.
_DEFAULT_KERNEL_LOCK = threading.Lock()


@dataclass
class RunTask:
    """Everything a worker needs for one run.

    Attributes
    ----------
    index : int
        Position of the run in the sweep (point-major, seed index fastest).
    point, replicate : int
        Index of the parameter set and of the seed within it.
    params : dict
        Keyword arguments of the user's function (str to int, float, str or bool).
    rng_seed : int
        The kernel's ``rng_seed`` for this run (0 <= seed < 2**32).
    function : callable
        The user's build-and-run function.
    pass_kernel : bool
        Call ``function(**params, kernel=Kernel())`` instead of using the default kernel.
    folder : str or None
        Folder to write the run's netCDF file into, or None.
    """

    index: int
    point: int
    replicate: int
    params: dict
    rng_seed: int
    function: object
    pass_kernel: bool = False
    folder: str | None = None


@dataclass
class RunOutcome:
    """What a run gives back.

    Attributes
    ----------
    index : int
        Position of the run in the sweep.
    status : str
        ``"ok"`` or ``"failed"``.
    error : str
        The formatted traceback of a failed run, ``""`` otherwise.
    wall_time_s : float
        Wall-clock seconds of the call to the user's function (s).
    groups : dict of str to xarray.Dataset
        The run's recordings, one Dataset per group (empty when failed).
    resumed : bool
        True when read back from an earlier run's file instead of run.
    """

    index: int
    status: str
    error: str
    wall_time_s: float
    groups: dict = field(default_factory=dict)
    resumed: bool = False


def run_file_name(index):
    """File name (str) of run `index` in a sweep folder."""
    return f"run-{index:06d}.nc"


def _quiet_report(*_args):
    """A progress report that says nothing: the sweep reports progress over runs instead."""


def execute_run(task):
    """Run `task` on a fresh kernel and return its :class:`RunOutcome` (writing its file if asked).

    The default kernel is reset and given ``task.rng_seed`` before the call
    (or, with ``task.pass_kernel``, a new :class:`~eventsim.kernel.Kernel`
    with that seed is passed as ``kernel=``).  A run whose default kernel
    does not carry the run's seed afterwards (the function called
    ``ResetKernel()`` or set ``rng_seed``) fails rather than silently ignore
    the sweep's seed.
    """
    from eventsim import api
    from eventsim.kernel import Kernel

    start = time.perf_counter()
    try:
        if task.pass_kernel:
            kernel = Kernel()
            kernel.rng_seed = task.rng_seed
            kernel.report = _quiet_report
            returned = task.function(**task.params, kernel=kernel)
        else:
            with _DEFAULT_KERNEL_LOCK:
                api.ResetKernel()
                kernel = api.get_kernel()
                kernel.rng_seed = task.rng_seed
                kernel.report = _quiet_report
                returned = task.function(**task.params)
                if api.get_kernel().rng_seed != task.rng_seed:
                    raise RuntimeError(
                        f"the run ended with rng_seed {api.get_kernel().rng_seed}, not the sweep's {task.rng_seed}: "
                        "the function must not call ResetKernel() or set rng_seed (the sweep does both before "
                        "calling it)")
        groups = recordings_as_groups(returned)
        outcome = RunOutcome(task.index, "ok", "", time.perf_counter() - start, groups)
    except Exception as err:  # recorded, not raised: one failed run must not lose the others
        outcome = RunOutcome(task.index, "failed", "".join(traceback.format_exception(err)),
                             time.perf_counter() - start)
    if task.folder is not None:
        _write_run_file(task, outcome)
    return outcome


def execute_runs(tasks):
    """Run several tasks one after the other (one task of an engine); return their outcomes (list).

    Each run is exactly :func:`execute_run` of its task, so grouping runs
    changes nothing in their results.
    """
    return [execute_run(task) for task in tasks]


#: Simulated time of the warm-up network (ms): one step is enough to load every kernel it uses.
_WARM_UP_TIME = 1.0
_warm_lock = threading.Lock()
_warm_seconds = None


def warm_up():
    """Load, once per process, what every run needs; return the seconds it took then (float, s).

    Imports eventsim's models and recorders and xarray, and simulates a tiny network on a private :class:`~eventsim.kernel.Kernel`
    (one neuron of each GLIF model with Poisson input, multimeter and spike
    recorder, for 1 ms), which loads the compiled numba kernels of those
    models from the on-disk cache.  The default kernel is not touched.
    Engines call it once per worker (the process pool's initializer, a Dask
    worker plugin) so that no run pays it; later calls return at once with
    the first call's duration.
    """
    global _warm_seconds
    with _warm_lock:
        if _warm_seconds is None:
            start = time.perf_counter()
            _warm_up_network()
            _warm_seconds = time.perf_counter() - start
        return _warm_seconds


def _warm_up_network():
    from eventsim import recording
    from eventsim.kernel import Kernel

    kernel = Kernel()
    kernel.report = _quiet_report
    noise = kernel.create("poisson_generator", params={"rate": 1000.0})
    recorder = kernel.create("spike_recorder")
    meter = kernel.create("multimeter", params={"record_from": ["V_m"]})
    for model in ("glif_cond", "glif_psc"):
        neuron = kernel.create(model)
        kernel.connect(noise, neuron, syn_spec={"receptor_type": 1})
        kernel.connect(neuron, recorder)
        kernel.connect(meter, neuron)
    kernel.simulate(_WARM_UP_TIME)
    recording.recordings(kernel)


def recordings_as_groups(returned):
    """The recordings a run returned as a dict of group name to :class:`xarray.Dataset`.

    Accepts an :class:`xarray.DataTree` (one group per child, e.g. from
    :func:`eventsim.recordings`; a root holding variables becomes group
    ``"recording"``), a Dataset (group ``"recording"``), or a dict of
    Datasets or DataArrays.

    Raises
    ------
    TypeError
        For anything else, naming what was returned.
    """
    if isinstance(returned, xr.DataTree):
        groups = {name: child.to_dataset(inherit=False) for name, child in returned.children.items()}
        if returned.to_dataset(inherit=False).data_vars:
            groups[DEFAULT_GROUP] = returned.to_dataset(inherit=False)
        return groups
    if isinstance(returned, xr.Dataset):
        return {DEFAULT_GROUP: returned}
    if isinstance(returned, dict) and returned:
        groups = {}
        for name, value in returned.items():
            if isinstance(value, xr.DataArray):
                value = value.to_dataset(name=value.name or str(name))
            if not isinstance(value, xr.Dataset) or not isinstance(name, str) or "/" in name:
                raise TypeError(f"a sweep run returned a dict whose entry {name!r} is a "
                                f"{type(value).__name__}; entries must be xarray Datasets or DataArrays "
                                "under names without '/'")
            groups[name] = value
        return groups
    raise TypeError(f"a sweep run must return its recordings (eventsim.recordings(), an xarray.Dataset or a dict "
                    f"of Datasets), got {type(returned).__name__}")


def _run_attrs(task, outcome):
    """Root attributes of a run's file: how it was run and how it ended."""
    return {"sweep_run": task.index, "sweep_point": task.point, "sweep_seed_index": task.replicate,
            "rng_seed": task.rng_seed, "parameters_json": json.dumps(task.params, sort_keys=True),
            "status": outcome.status, "error": outcome.error, "wall_time_s": outcome.wall_time_s}


def _write_run_file(task, outcome):
    """Write the run's groups and attributes to its file in ``task.folder``, atomically."""
    from eventsim.recording import write_netcdf_atomic

    tree = xr.DataTree.from_dict({f"/{name}": ds for name, ds in outcome.groups.items()})
    tree.attrs.update(_run_attrs(task, outcome))
    try:
        write_netcdf_atomic(tree, Path(task.folder) / run_file_name(task.index))
    except Exception as err:  # the run counts as failed, and a rerun into the folder repeats it
        outcome.status, outcome.groups = "failed", {}
        outcome.error = "".join(traceback.format_exception(err))


def read_run_file(path):
    """Read a run's file: ``(attrs dict, {group: Dataset})``, loaded into memory and closed."""
    with xr.open_datatree(path, engine="netcdf4") as tree:
        attrs = dict(tree.attrs)
        groups = {name: child.to_dataset(inherit=False).load() for name, child in tree.children.items()}
    return attrs, groups
