"""Where the runs of a sweep execute: in this process, on a concurrent.futures executor, or on Dask.

:func:`run_tasks` hands every :class:`~eventsim.sweep_worker.RunTask` to the
engine and yields the outcomes as they finish (in completion order; the
caller places them by run index).  Dask is imported only when a Dask client
is given, so the core never needs it.
"""

import concurrent.futures
import sys
import traceback

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


def run_tasks(tasks, engine):
    """Run `tasks` on `engine`; yield a :class:`RunOutcome` per task as each finishes.

    A run whose worker dies (a broken process pool, a killed Dask worker)
    yields a failed outcome naming the cause instead of stopping the sweep.
    """
    kind = engine_kind(engine)
    if kind == "serial":
        for task in tasks:
            yield execute_run(task)
        return
    if kind == "executor":
        futures = {engine.submit(execute_run, task): task for task in tasks}
        done_iter = concurrent.futures.as_completed(futures)
    else:
        from distributed import as_completed
        # pure=False: runs with equal arguments are still distinct runs (and keys must not collide)
        futures = {engine.submit(execute_run, task, pure=False, key=f"eventsim-sweep-run-{task.index}-{id(task)}"):
                   task for task in tasks}
        done_iter = as_completed(list(futures))
    try:
        for future in done_iter:
            task = futures[future]
            try:
                yield future.result()
            except Exception as err:  # the worker itself failed, not the user's function
                yield RunOutcome(task.index, "failed", "".join(traceback.format_exception(err)), float("nan"))
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
