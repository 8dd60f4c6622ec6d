"""Parameter sweeps: many runs of one build-and-run function, as one xarray result.

.. autosummary::

   sweep
   run_one
   load_sweep
   run_rng_seed

Usage::

    import eventsim as nest

    def fi_point(amplitude, T=1000.0):
        neuron = nest.Create("glif_cond")
        drive = nest.Create("step_current_generator",
                            params={"amplitude_times": [1.0], "amplitude_values": [amplitude]})
        recorder = nest.Create("spike_recorder")
        nest.Connect(drive, neuron)
        nest.Connect(neuron, recorder)
        nest.Simulate(T)
        return nest.recordings()

    result = nest.sweep(fi_point, {"amplitude": [100.0, 200.0, 300.0], "T": 1000.0}, seeds=3, seed=7)
    result["spike_recorder_3"]["spike_count"].sel(amplitude=200.0)     # dims (seed, sender)

How a run gets its kernel
-------------------------
In the process that executes it (the caller's for serial sweeps, a
worker's otherwise), each run starts with ``eventsim.ResetKernel()``
followed by ``eventsim.rng_seed = <the run's seed>``, and then calls
``run(**params)``: the function uses the module-level PyNEST functions as
any script does, but must not call ``ResetKernel()`` or set ``rng_seed``
itself (a run that does is reported as failed).  Runs of one process that
use the default kernel take turns (threads of a thread pool run them one at
a time).  A function with a parameter named ``kernel`` is instead given a
fresh :class:`~eventsim.kernel.Kernel` of its own (seed already set), which
it drives through ``kernel.create``, ``kernel.connect``,
``kernel.simulate`` and ``eventsim.recordings(kernel)``; such runs share
nothing and run concurrently in threads.  After a serial sweep the default
kernel holds the network of the last run.

Seeds
-----
The run of parameter set ``p`` (its position in the grid, in C order) and
seed index ``r`` gets ``rng_seed = run_rng_seed(seed, p, r)``, drawn from
``numpy.random.SeedSequence(seed, spawn_key=(p, r))`` -- the ``r``-th child
of the ``p``-th child of ``SeedSequence(seed)``.  It depends on nothing
else (not the engine, the number of workers or the order in which runs
finish), so any run can be repeated alone with :func:`run_one`; the result
stores every run's ``rng_seed``.

Result layout
-------------
An :class:`xarray.DataTree`.  The root holds one entry per run on the
sweep's dimensions -- each parameter with a list of values (grid) or
``point`` (list of dicts), then ``seed`` (0 .. seeds-1) -- with the
parameter values as coordinates and the variables ``run`` (run index),
``rng_seed``, ``status`` (``"ok"``, ``"failed"``, or ``"missing"`` for a
run not in a folder loaded by :func:`load_sweep`), ``error`` (traceback of
a failed run) and ``wall_time`` (s).  Each group the runs returned (one per
recorder for :func:`eventsim.recordings`) becomes a child group: variables
of a run gain the sweep's dimensions in front (a multimeter's ``V_m`` is
``(*sweep dims, time, sender)``), with NaN for failed runs.  Spikes are
combined by :func:`eventsim.analysis.combine_runs`: ``spike_time``,
``spike_sender`` and ``spike_sender_index`` are ``(*sweep dims, spike)``,
padded to the longest run (``spike_time`` NaN, senders -1), so a run's spikes
are ``sr.spike_time.sel(amplitude=200.0, seed=0)`` and
:func:`eventsim.analysis.firing_rates` and its siblings give one result per
run; ``spike_count`` is ``(*sweep dims, sender)``.  Attributes that differ
between runs are dropped from the groups (the root keeps each run's seed).

Folders
-------
With ``folder=``, each run writes ``run-NNNNNN.nc`` there as it finishes
(atomically; a failed run's file holds its error), and ``sweep.nc``
describes the sweep.  Running the same sweep into the same folder again
reads the runs that succeeded instead of running them (failed ones run
again); :func:`load_sweep` rebuilds the result from the folder alone.
"""

import inspect
import itertools
import json
import numbers
import warnings
from pathlib import Path

import numpy as np

from eventsim.lazy import lazy_module

from .errors import BadParameter, EventSimError
from .sweep_engines import engine_kind, open_engine, progress_bar, run_tasks
from .sweep_worker import RunOutcome, RunTask, execute_run, read_run_file, run_file_name

xr = lazy_module("xarray")

__all__ = ["sweep", "run_one", "load_sweep", "run_rng_seed", "SweepError",
           "SWEEP_FILE"]

#: File describing the sweep in a sweep folder.
SWEEP_FILE = "sweep.nc"
#: Names the sweep uses itself; parameters cannot take them.
_RESERVED = ("seed", "point", "run", "kernel", "spike")


class SweepError(EventSimError):
    """Every run of a sweep failed, or a single run (:func:`run_one`) failed."""


def run_rng_seed(seed, point, replicate):
    """The ``rng_seed`` (int, 0 <= seed < 2**32) of one run of a sweep.

    Parameters
    ----------
    seed : int
        The sweep's seed (``sweep(..., seed=)``).
    point : int
        Position of the parameter set in the sweep (C order over the grid, or
        the index in the list of dicts).
    replicate : int
        Seed index within the parameter set (0 .. seeds-1).
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(int(point), int(replicate)))
    return int(sequence.generate_state(1, dtype=np.uint32)[0])


# --- the sweep's layout ------------------------------------------------------------------------
def _scalar(name, value):
    """`value` as a plain int, float, str or bool; BadParameter naming `name` otherwise."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, str)) or (isinstance(value, numbers.Real)):
        return value
    raise BadParameter(f"sweep parameter {name!r} has the value {value!r}; values must be numbers, strings or bools "
                       "(they become coordinates of the result); build objects inside the run function")


def _check_name(name):
    if not isinstance(name, str) or not name.isidentifier():
        raise BadParameter(f"sweep parameter names must be identifiers (keyword arguments), got {name!r}")
    if name in _RESERVED:
        raise BadParameter(f"{name!r} is reserved by the sweep; rename the parameter")


class SweepLayout:
    """The runs of a sweep: parameter sets times seeds, and how they map to the result's dimensions.

    Parameters
    ----------
    kind : {"grid", "points"}
    grid : dict of str to list
        Dimensions of a grid, in order (empty for points).
    points : list of dict
        The parameter sets of a list of dicts (empty for a grid).
    fixed : dict
        Parameters with one value, passed to every run.
    seeds : int
        Seeds per parameter set.
    seed : int
        The sweep's seed.
    """

    def __init__(self, kind, grid, points, fixed, seeds, seed):
        self.kind, self.grid, self.points, self.fixed = kind, grid, points, fixed
        self.seeds, self.seed = seeds, seed

    @classmethod
    def from_params(cls, params, seeds, seed):
        """Check and normalise ``sweep()``'s `params`, `seeds` and `seed`."""
        if isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral) or seeds < 1:
            raise BadParameter(f"seeds (the number of seeds per parameter set) must be a positive integer, "
                               f"got {seeds!r}")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise BadParameter(f"seed (the sweep's seed) must be a non-negative integer, got {seed!r}")
        if isinstance(params, dict):
            grid, fixed = {}, {}
            for name, values in params.items():
                _check_name(name)
                if isinstance(values, (list, tuple, np.ndarray, range)):
                    if isinstance(values, np.ndarray) and values.ndim != 1:
                        raise BadParameter(f"sweep parameter {name!r} needs a 1-d list of values, got an array of "
                                           f"shape {values.shape}")
                    values = [_scalar(name, v) for v in values]
                    if not values:
                        raise BadParameter(f"sweep parameter {name!r} has no values")
                    if len(set(values)) != len(values):
                        raise BadParameter(f"sweep parameter {name!r} repeats a value: {values!r}")
                    grid[name] = values
                else:
                    fixed[name] = _scalar(name, values)
            return cls("grid", grid, [], fixed, int(seeds), int(seed))
        if isinstance(params, (list, tuple)) and params and all(isinstance(p, dict) for p in params):
            keys = list(params[0])
            for name in keys:
                _check_name(name)
            for i, p in enumerate(params):
                if list(p) != keys:
                    raise BadParameter(f"every parameter set of a sweep needs the same keys in the same order; "
                                       f"set 0 has {keys}, set {i} has {list(p)}")
            points = [{k: _scalar(k, v) for k, v in p.items()} for p in params]
            return cls("points", {}, points, {}, int(seeds), int(seed))
        raise BadParameter("sweep parameters must be a dict (lists of values span a grid, single values are passed "
                           f"to every run) or a non-empty list of dicts, got {type(params).__name__}")

    @property
    def dims(self):
        """Dimension names of the result's root: the grid's parameters (or ``point``), then ``seed``."""
        return (*self.grid, "seed") if self.kind == "grid" else ("point", "seed")

    @property
    def shape(self):
        """Sizes of :attr:`dims`."""
        first = [len(v) for v in self.grid.values()] if self.kind == "grid" else [len(self.points)]
        return (*first, self.seeds)

    @property
    def n_runs(self):
        return int(np.prod(self.shape))

    def parameter_sets(self):
        """Keyword arguments of every parameter set, in point order (list of dict)."""
        if self.kind == "points":
            return [dict(p) for p in self.points]
        names = list(self.grid)
        return [{**dict(zip(names, combo)), **self.fixed} for combo in itertools.product(*self.grid.values())]

    def tasks(self, function, pass_kernel, folder):
        """One :class:`RunTask` per run, in run-index order."""
        tasks = []
        for point, params in enumerate(self.parameter_sets()):
            for replicate in range(self.seeds):
                tasks.append(RunTask(len(tasks), point, replicate, params, run_rng_seed(self.seed, point, replicate),
                                     function, pass_kernel, folder))
        return tasks

    def coords(self):
        """Coordinates of the root (dict for xarray)."""
        coords = {"seed": ("seed", np.arange(self.seeds), {"long_name": "seed index within a parameter set"})}
        if self.kind == "grid":
            for name, values in self.grid.items():
                coords[name] = (name, np.asarray(values))
        else:
            coords["point"] = ("point", np.arange(len(self.points)))
            for name in self.points[0]:
                coords[name] = ("point", np.asarray([p[name] for p in self.points]))
        return coords

    def to_json(self):
        """The layout as a JSON string (stored in the result's and the folder's attributes)."""
        return json.dumps({"kind": self.kind, "grid": self.grid, "points": self.points, "fixed": self.fixed,
                           "seeds": self.seeds, "seed": self.seed})

    @classmethod
    def from_json(cls, text):
        d = json.loads(text)
        return cls(d["kind"], d["grid"], d["points"], d["fixed"], d["seeds"], d["seed"])


# --- the sweep ---------------------------------------------------------------------------------
def sweep(run, params, *, seeds=1, seed=0, engine=None, workers=None, folder=None, progress=None,
          runs_per_task=None):
    """Run `run` for every parameter set of `params` and every seed; return one xarray result.

    Parameters
    ----------
    run : callable
        ``run(**parameter_set)`` builds and simulates one model on the fresh
        default kernel the sweep prepares, and returns its recordings:
        ``eventsim.recordings()`` (an :class:`xarray.DataTree`), a Dataset or
        a dict of Datasets.  With a parameter named ``kernel`` it gets its
        own :class:`~eventsim.kernel.Kernel` instead (see the module
        documentation).  For process pools and Dask it must be picklable: a
        function defined at the top level of a module (Dask also takes
        lambdas and closures).
    params : dict or list of dict
        A dict spans a grid: a list of values makes a dimension of that name
        (in the dict's order); a single value is passed to every run.  A
        list of dicts gives the parameter sets one by one (dimension
        ``point``; all dicts need the same keys).  Values are numbers,
        strings or bools.
    seeds : int, default 1
        Runs per parameter set, each with its own ``rng_seed`` (dimension
        ``seed``).
    seed : int, default 0
        The sweep's seed, from which every run's ``rng_seed`` is derived
        (:func:`run_rng_seed`).
    engine : None, "serial", "processes", "dask", concurrent.futures.Executor or dask.distributed.Client
        Where runs execute: None (or ``"serial"``) runs them one after the
        other in this process; a ``ThreadPoolExecutor``/``ProcessPoolExecutor``
        (or any Executor) or a Dask client spreads them over its workers.
        ``"processes"`` and ``"dask"`` start `workers` worker processes for
        this sweep (a ``ProcessPoolExecutor``, or a Dask ``LocalCluster``
        with one thread per worker) and stop them at the end; their workers,
        and those of a Dask client you give, load eventsim once when they
        start (:func:`eventsim.sweep_worker.warm_up`), not in a run.
    workers : int, optional
        Worker processes of ``engine="processes"`` or ``"dask"`` (default:
        the CPUs this process may use).  Not allowed with other engines.
    folder : str or os.PathLike, optional
        Folder (created if needed) where every run writes its netCDF file
        when it finishes; runs already completed there are read instead of
        run again.  Rebuild the result later with :func:`load_sweep`.
    progress : bool or None
        Show a progress bar over runs (None: on a terminal only).
    runs_per_task : int, optional
        Runs a worker receives as one task.  Default: tasks that shrink
        towards the end of the sweep, from at most 16 runs (about 4 tasks
        per worker) down to single runs, so that no worker waits for another
        at the end (each task costs a round trip to a worker: about a
        millisecond on a process pool, several on Dask).  Results, run files
        and progress are per run whatever the value.

    Returns
    -------
    xarray.DataTree
        See "Result layout" in the module documentation.  The root's
        attributes hold the sweep's ``seed``, ``seeds`` and layout
        (``sweep_layout_json``).

    Raises
    ------
    BadParameter
        Before any run, for malformed parameters, parameters `run` does not
        accept, or a folder holding a different sweep.
    TypeError
        For an engine of an unknown kind.
    SweepError
        If every run failed (with the first error).  When only some fail,
        a warning names them and the result keeps the others.
    """
    layout = SweepLayout.from_params(params, seeds, seed)
    pass_kernel = _check_function(run, layout)
    engine_kind(engine)
    if workers is not None:
        if not isinstance(engine, str) or engine == "serial":
            raise BadParameter(f"workers= sets the size of engine='processes' or 'dask'; with engine={engine!r} "
                               "the engine decides (leave workers out)")
        if isinstance(workers, bool) or not isinstance(workers, numbers.Integral) or workers < 1:
            raise BadParameter(f"workers must be a positive integer, got {workers!r}")
    if runs_per_task is not None and (isinstance(runs_per_task, bool) or not isinstance(runs_per_task, numbers.Integral)
                                      or runs_per_task < 1):
        raise BadParameter(f"runs_per_task must be a positive integer, got {runs_per_task!r}")
    folder = _prepare_folder(folder, layout)
    tasks = layout.tasks(run, pass_kernel, None if folder is None else str(folder))
    outcomes = [None] * layout.n_runs
    if folder is not None:
        for outcome in _completed_runs(folder, tasks):
            outcomes[outcome.index] = outcome
    todo = [t for t in tasks if outcomes[t.index] is None]
    bar = progress_bar(progress, layout.n_runs, layout.n_runs - len(todo))
    n_failed = 0
    try:
        with open_engine(engine if todo else None, workers) as running:
            for outcome in run_tasks(todo, running, runs_per_task):
                outcomes[outcome.index] = outcome
                n_failed += outcome.status != "ok"
                if bar is not None:
                    bar.update(1)
                    if n_failed:
                        bar.set_postfix(failed=n_failed, refresh=False)
    finally:
        if bar is not None:
            bar.close()
    _report_failures(outcomes, tasks)
    return combine_outcomes(layout, outcomes)


def _check_function(run, layout):
    """Check that `run` takes the sweep's parameters; return True if it wants a ``kernel`` argument."""
    if not callable(run):
        raise BadParameter(f"the sweep needs a function that builds and runs a model, got {run!r}")
    signature = inspect.signature(run)
    pass_kernel = "kernel" in signature.parameters
    example = layout.parameter_sets()[0]
    try:
        signature.bind(**example, **({"kernel": None} if pass_kernel else {}))
    except TypeError as err:
        raise BadParameter(f"{getattr(run, '__name__', run)!r} cannot be called with the sweep's parameters "
                           f"{sorted(example)}: {err}") from None
    return pass_kernel


def _prepare_folder(folder, layout):
    """Create `folder` and its ``sweep.nc``, or check that the one there describes the same sweep."""
    if folder is None:
        return None
    from .recording import write_netcdf_atomic

    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(f"cannot create the sweep folder {str(folder)!r}: {err.strerror or err}") from None
    manifest = folder / SWEEP_FILE
    if manifest.exists():
        existing = _read_layout(folder)
        if existing.to_json() != layout.to_json():
            raise BadParameter(f"the folder {str(folder)!r} holds a different sweep ({existing.to_json()}); "
                               "use another folder, or the same parameters, seeds and seed to resume it")
    else:
        write_netcdf_atomic(xr.Dataset(attrs={"sweep_layout_json": layout.to_json(),
                                              "eventsim_version": _version()}), manifest)
    return folder


def _read_layout(folder):
    with xr.open_dataset(Path(folder) / SWEEP_FILE, engine="netcdf4") as ds:
        return SweepLayout.from_json(ds.attrs["sweep_layout_json"])


def _completed_runs(folder, tasks):
    """Outcomes of the runs that already succeeded in `folder` (same parameters and seed)."""
    for task in tasks:
        path = Path(folder) / run_file_name(task.index)
        if not path.exists():
            continue
        attrs, groups = read_run_file(path)
        same = (attrs.get("rng_seed") == task.rng_seed
                and attrs.get("parameters_json") == json.dumps(task.params, sort_keys=True))
        if attrs.get("status") == "ok" and same:
            yield RunOutcome(task.index, "ok", "", float(attrs["wall_time_s"]), groups, resumed=True)


def _report_failures(outcomes, tasks):
    failed = [o for o in outcomes if o is not None and o.status != "ok"]
    if not failed:
        return
    first = failed[0]
    where = ", ".join(f"run {o.index} {tasks[o.index].params} seed {tasks[o.index].replicate}" for o in failed[:3])
    last_line = first.error.strip().splitlines()[-1] if first.error.strip() else "unknown error"
    if len(failed) == len(outcomes):
        raise SweepError(f"all {len(failed)} runs of the sweep failed; the first one with:\n{first.error}")
    warnings.warn(f"{len(failed)} of {len(outcomes)} sweep runs failed ({where}{', ...' if len(failed) > 3 else ''}); "
                  f"first error: {last_line}. The result keeps the other runs; see its 'status' and 'error'.",
                  RuntimeWarning, stacklevel=3)


def run_one(run, params, rng_seed):
    """Run `run` once, exactly as a sweep runs it, and return its recordings.

    Use it to repeat one run of a sweep alone: take its parameters from the
    result's coordinates and its seed from ``result["rng_seed"]``, e.g.
    ``run_one(f, {"amplitude": 200.0}, int(result["rng_seed"].sel(amplitude=200.0, seed=1)))``.

    Parameters
    ----------
    run : callable
        The sweep's build-and-run function.
    params : dict
        Its keyword arguments (fixed parameters included).
    rng_seed : int
        The run's seed.

    Returns
    -------
    xarray.DataTree
        One child per group the function returned.

    Raises
    ------
    SweepError
        With the run's traceback, if it failed.
    """
    layout = SweepLayout.from_params([dict(params)], 1, 0)
    pass_kernel = _check_function(run, layout)
    outcome = execute_run(RunTask(0, 0, 0, layout.parameter_sets()[0], int(rng_seed), run, pass_kernel))
    if outcome.status != "ok":
        raise SweepError(f"the run failed:\n{outcome.error}")
    return xr.DataTree.from_dict({f"/{name}": ds for name, ds in outcome.groups.items()})


def load_sweep(folder):
    """Rebuild a sweep's result from its folder (see ``sweep(..., folder=)``).

    Runs whose file is missing (an interrupted sweep) have status
    ``"missing"``; failed runs keep their error.

    Parameters
    ----------
    folder : str or os.PathLike

    Returns
    -------
    xarray.DataTree
        As returned by :func:`sweep`.
    """
    folder = Path(folder)
    if not (folder / SWEEP_FILE).exists():
        raise FileNotFoundError(f"{str(folder)!r} is not a sweep folder: it has no {SWEEP_FILE}")
    layout = _read_layout(folder)
    outcomes = [None] * layout.n_runs
    for index in range(layout.n_runs):
        path = folder / run_file_name(index)
        if path.exists():
            attrs, groups = read_run_file(path)
            outcomes[index] = RunOutcome(index, attrs["status"], attrs["error"], float(attrs["wall_time_s"]), groups,
                                         resumed=True)
    return combine_outcomes(layout, outcomes)


# --- combining runs ----------------------------------------------------------------------------
def combine_outcomes(layout, outcomes):
    """One :class:`xarray.DataTree` from the outcomes of every run (None for a run without outcome)."""
    from .analysis import combine_runs

    tasks = layout.tasks(None, False, None)
    status = np.array([o.status if o is not None else "missing" for o in outcomes], dtype=object)
    error = np.array([o.error if o is not None else "" for o in outcomes], dtype=object)
    wall = np.array([o.wall_time_s if o is not None else np.nan for o in outcomes], dtype=float)
    per_run = {
        "run": (np.arange(layout.n_runs), {"long_name": "run index"}),
        "rng_seed": (np.array([t.rng_seed for t in tasks], dtype=np.int64), {"long_name": "the run's rng_seed"}),
        "status": (status.astype(str), {"long_name": "ok, failed, or missing (never run)"}),
        "error": (error.astype(str), {"long_name": "traceback of a failed run"}),
        "wall_time": (wall, {"units": "s", "long_name": "wall-clock time of the run"}),
    }
    root = xr.Dataset({name: (layout.dims, values.reshape(layout.shape), attrs)
                       for name, (values, attrs) in per_run.items()}, coords=layout.coords())
    root.attrs.update(seed=layout.seed, seeds=layout.seeds, sweep_layout_json=layout.to_json(),
                      eventsim_version=_version())
    for name, value in layout.fixed.items():
        root.attrs[f"parameter_{name}"] = int(value) if isinstance(value, bool) else value
    ok = [o for o in outcomes if o is not None and o.status == "ok"]
    names = list(dict.fromkeys(name for o in ok for name in o.groups))
    groups = {}
    for name in names:
        runs = [o.index for o in ok if name in o.groups]
        flat = combine_runs([outcomes[i].groups[name] for i in runs], dim="run", values=runs)
        groups[f"/{name}"] = _unflatten_runs(flat, layout)
    tree = xr.DataTree.from_dict({"/": root, **groups})
    return tree


def _unflatten_runs(flat, layout):
    """Replace the ``run`` dimension of `flat` by the sweep's dimensions (NaN for runs not in it)."""
    from .analysis import PADDING

    padding = {name: PADDING for name in ("spike_sender", "spike_sender_index") if name in flat.variables}
    flat = flat.reindex(run=np.arange(layout.n_runs), fill_value={**padding, **{
        name: np.nan for name in flat.data_vars if name not in padding}})
    data_vars, coords = {}, {}
    for name, var in flat.variables.items():
        if name == "run":
            continue
        if "run" in var.dims:
            var = var.transpose("run", ...)
            rest = var.dims[1:]
            new = xr.Variable((*layout.dims, *rest), var.values.reshape(*layout.shape, *var.shape[1:]), var.attrs)
        else:
            new = var
        (coords if name in flat.coords else data_vars)[name] = new
    return xr.Dataset(data_vars, coords=coords, attrs=flat.attrs)


def _version():
    from . import __version__
    return __version__


sweep.run_one = run_one
sweep.load = load_sweep
sweep.rng_seed = run_rng_seed
