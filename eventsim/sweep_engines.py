"""Where the runs of a sweep execute: in this process, on a concurrent.futures executor, or on Dask.

:func:`run_tasks` hands the :class:`~eventsim.sweep_worker.RunTask` objects
to the engine, several runs per task (:func:`runs_per_task`), and yields the
outcomes run by run as they finish (in completion order; the caller places
them by run index).  :func:`open_engine` starts the workers eventsim manages
itself (``engine="processes"`` or ``engine="dask"``).  Dask is imported only
when a Dask client is given or asked for, so the core never needs it.
"""

import concurrent.futures
import contextlib
import dataclasses
import functools
import math
import multiprocessing
import os
import sys
import traceback
import uuid

from .errors import BadParameter
from .sweep_worker import RunOutcome, execute_run, execute_runs, warm_up

__all__ = ["engine_kind", "open_engine", "run_tasks", "runs_per_task", "batch_sizes", "engine_workers", "progress_bar",
           "TASKS_PER_WORKER", "MAX_RUNS_PER_TASK", "ENGINE_NAMES", "PROCESS_START_METHOD", "SentByValue"]

#: How ``engine="processes"`` starts its workers: on Linux from a fork server (a clean process), never by
#: forking the caller, whose threads (a kernel's workers, tqdm's monitor, an event loop left by Dask) may
#: hold a lock at that instant that the child then waits for forever; elsewhere the platform's default.
#: The user's function travels by value where it cannot be imported (:class:`SentByValue`), so functions
#: of a notebook or an interactive session work as they did with fork.  Measured on the f-I sweep,
#: starting and warming two workers costs what forking did (1.9-2.2 s against 2.2-2.3 s).
PROCESS_START_METHOD = "forkserver" if sys.platform == "linux" else None


class SentByValue:
    """A sweep's function, pickled for a process pool with cloudpickle: by reference if a worker can import
    it, otherwise by value (a function of ``__main__`` in a notebook, a lambda, a closure), as Dask sends it.

    Calling it calls the function.  The pickled bytes are made once, however many tasks carry it.
    """

    def __init__(self, function):
        self.function = function
        self._payload = None

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __reduce__(self):
        if self._payload is None:
            import cloudpickle
            self._payload = cloudpickle.dumps(self.function)
        return _function_from_payload, (self._payload,)


@functools.lru_cache(maxsize=8)
def _function_from_payload(payload):
    """The function pickled in `payload` (bytes), unpickled once per worker and sweep."""
    import cloudpickle
    return cloudpickle.loads(payload)

#: Engines eventsim starts (and stops) itself, by name.
ENGINE_NAMES = ("serial", "processes", "dask")
#: Tasks each worker receives on average when eventsim chooses the runs per task: enough for workers
#: that finish early to take over the work of slower ones.
TASKS_PER_WORKER = 4
#: At most this many runs per task when eventsim chooses (a progress bar and a dying worker lose at
#: most this many runs at once).
MAX_RUNS_PER_TASK = 16


def engine_kind(engine):
    """``"serial"``, ``"executor"`` or ``"dask"`` for `engine`; TypeError for anything else."""
    if engine is None or engine == "serial":
        return "serial"
    if isinstance(engine, str):
        if engine == "processes":
            return "executor"
        if engine == "dask":
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise ImportError("engine='dask' needs Dask's distributed scheduler: "
                                  "pip install \"eventsim[dask]\"") from None
            return "dask"
        raise BadParameter(f"unknown sweep engine {engine!r}; the names eventsim knows are {list(ENGINE_NAMES)} "
                           "(or give a concurrent.futures.Executor or a dask.distributed.Client)")
    if isinstance(engine, concurrent.futures.Executor):
        return "executor"
    if type(engine).__module__.split(".")[0] == "distributed" and hasattr(engine, "submit"):
        return "dask"
    raise TypeError(f"engine must be None (serial), 'processes', 'dask', a concurrent.futures.Executor or a "
                    f"dask.distributed.Client, got {type(engine).__name__}")


@contextlib.contextmanager
def open_engine(engine, workers=None):
    """The engine to run on: `engine` itself, or the workers its name asks for (closed on exit).

    Parameters
    ----------
    engine : None, str, concurrent.futures.Executor or dask.distributed.Client
        ``"processes"`` starts a ``ProcessPoolExecutor`` whose workers warm up
        (:func:`~eventsim.sweep_worker.warm_up`) when they start; ``"dask"``
        starts a Dask ``LocalCluster`` (:func:`eventsim.sweep_dask.local_client`).
        A Dask client given by the caller gets the warm-up plugin.
    workers : int, optional
        Worker processes of a named engine (default: the CPUs this process
        may use).
    """
    if not isinstance(engine, str) or engine == "serial":
        if engine_kind(engine) == "dask":
            from .sweep_dask import warm_workers
            warm_workers(engine)
        yield None if engine == "serial" else engine
        return
    n = default_workers() if workers is None else workers
    if engine == "processes":
        with concurrent.futures.ProcessPoolExecutor(n, mp_context=multiprocessing.get_context(PROCESS_START_METHOD),
                                                    initializer=warm_up) as pool:
            yield pool
    else:
        from .sweep_dask import local_client
        with local_client(n) as client:
            yield client


def default_workers():
    """Worker processes a named engine starts by default: the CPUs this process may use (int)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def engine_workers(engine):
    """How many runs `engine` executes at once (int; 1 for serial)."""
    kind = engine_kind(engine)
    if kind == "serial":
        return 1
    if kind == "dask":
        return max(1, sum(engine.nthreads().values()))
    return max(1, getattr(engine, "_max_workers", None) or default_workers())


def runs_per_task(n_runs, workers):
    """Runs per task eventsim chooses: about :data:`TASKS_PER_WORKER` tasks per worker, at most
    :data:`MAX_RUNS_PER_TASK` runs each, at least 1 (int)."""
    return max(1, min(MAX_RUNS_PER_TASK, math.ceil(n_runs / (TASKS_PER_WORKER * max(1, workers)))))


def batch_sizes(n_runs, workers, per_task=None):
    """Runs in each task, in the order they are sent (list of int adding up to `n_runs`).

    With `per_task`, tasks of that many runs (the last one shorter).  Otherwise
    the sizes shrink towards the end (guided self-scheduling): each task takes
    a ``1 / (2 workers)`` share of the runs still to send, at most
    :func:`runs_per_task`, at least one, so that the few big tasks at the
    start cost few round trips and the last ones, a run or two each, leave no
    worker idle while another finishes a long task.
    """
    if per_task is not None:
        return [min(per_task, n_runs - i) for i in range(0, n_runs, per_task)]
    largest = runs_per_task(n_runs, workers)
    sizes, left = [], n_runs
    while left > 0:
        size = max(1, min(largest, math.ceil(left / (2 * max(1, workers)))))
        sizes.append(size)
        left -= size
    return sizes


def run_tasks(tasks, engine, per_task=None):
    """Run `tasks` on `engine`; yield a :class:`RunOutcome` per run as each finishes.

    Parameters
    ----------
    tasks : list of RunTask
    engine : None, concurrent.futures.Executor or dask.distributed.Client
    per_task : int, optional
        Runs sent to a worker as one task (their outcomes arrive together;
        each run still writes its own file as soon as it finishes).
        Default: :func:`batch_sizes` for the engine's number of workers (big
        tasks first, single runs at the end).
        Each task costs a round trip to the worker (about a millisecond on
        a process pool, several on Dask, where the scheduler also records it).

    A run whose worker dies (a broken process pool, a killed Dask worker)
    yields a failed outcome naming the cause instead of stopping the sweep.
    """
    kind = engine_kind(engine)
    if kind == "serial":
        for task in tasks:
            yield execute_run(task)
        return
    if kind == "executor" and tasks:
        sent = {id(task.function): SentByValue(task.function) for task in tasks}   # each pickled once
        tasks = [dataclasses.replace(task, function=sent[id(task.function)]) for task in tasks]
    batches, start = [], 0
    for size in batch_sizes(len(tasks), engine_workers(engine), per_task):
        batches.append(tasks[start:start + size])
        start += size
    if kind == "executor":
        futures = {engine.submit(execute_runs, batch): batch for batch in batches}
        done_iter = concurrent.futures.as_completed(futures)
    else:
        from distributed import as_completed
        # pure=False and unique keys: equal arguments are still distinct runs
        sweep_id = uuid.uuid4().hex
        futures = {engine.submit(execute_runs, batch, pure=False,
                                 key=f"eventsim-sweep-{sweep_id}-runs-{batch[0].index}-{batch[-1].index}"): batch
                   for batch in batches}
        done_iter = as_completed(list(futures))
    try:
        for future in done_iter:
            batch = futures[future]
            try:
                outcomes = future.result()
            except Exception as err:  # the worker itself failed, not the user's function
                error = "".join(traceback.format_exception(err))
                outcomes = [RunOutcome(task.index, "failed", error, float("nan")) for task in batch]
            yield from outcomes
    finally:
        for future in futures:
            future.cancel()


def progress_bar(show, total, initial):
    """A tqdm bar over runs (``show``: True, False or None for "on a terminal"), or None."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, unit="run", desc="sweep", mininterval=0.5)
