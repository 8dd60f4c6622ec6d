"""Where the runs of a sweep execute: in this process, on a concurrent.futures executor, or on Dask.

:func:`run_tasks` hands every :class:`~eventsim.sweep_worker.RunTask` to the
engine and yields the outcomes as they finish (in completion order; the
caller places them by run index).  Dask is imported only when a Dask client
is given, so the core never needs it.
"""

import concurrent.futures
import sys
import traceback
import uuid

from .sweep_worker import RunOutcome, execute_run

__all__ = ["engine_kind", "run_tasks", "progress_bar"]


def engine_kind(engine):
    """``"serial"``, ``"executor"`` or ``"dask"`` for `engine`; TypeError for anything else."""
    if engine is None:
        return "serial"
    if isinstance(engine, concurrent.futures.Executor):
        return "executor"
    if type(engine).__module__.split(".")[0] == "distributed" and hasattr(engine, "submit"):
        return "dask"
    raise TypeError(f"engine must be None (serial), a concurrent.futures.Executor or a dask.distributed.Client, "
                    f"got {type(engine).__name__}")


def run_tasks(tasks, engine, runs_per_task=None):
    """Run `tasks` on `engine`; yield a :class:`RunOutcome` per run as each finishes.

    Parameters
    ----------
    tasks : list of RunTask
    engine : None, concurrent.futures.Executor or dask.distributed.Client
    runs_per_task : int, optional
        Runs sent to a worker as one task (their outcomes arrive together).
        Default: 1 for executors; for Dask, enough to give each worker thread
        about 4 tasks (at most 16 runs per task), because each Dask task
        costs milliseconds of scheduling.

    A run whose worker dies (a broken process pool, a killed Dask worker)
    yields a failed outcome naming the cause instead of stopping the sweep.
    """
    kind = engine_kind(engine)
    if kind == "serial":
        for task in tasks:
            yield execute_run(task)
        return
    if runs_per_task is None:
        runs_per_task = 1 if kind == "executor" else _dask_runs_per_task(engine, len(tasks))
    batches = [tasks[i:i + runs_per_task] for i in range(0, len(tasks), runs_per_task)]
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


def execute_runs(tasks):
    """Run several tasks one after the other in a worker; return their outcomes (list)."""
    return [execute_run(task) for task in tasks]


def _dask_runs_per_task(client, n_runs):
    threads = max(1, sum(client.nthreads().values()))
    return max(1, min(16, n_runs // (4 * threads)))


def progress_bar(show, total, initial):
    """A tqdm bar over runs (``show``: True, False or None for "on a terminal"), or None."""
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        return None
    from tqdm import tqdm
    return tqdm(total=total, initial=initial, unit="run", desc="sweep", mininterval=0.5)
