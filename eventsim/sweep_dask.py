"""Dask workers for sweeps: a Dask ``LocalCluster`` set up for eventsim, and warm workers on any cluster.

Imported only when a sweep runs on Dask (it imports ``distributed``, the
optional extra ``pip install "eventsim[dask]"``).

.. autosummary::

   local_client
   warm_workers
   WarmUpPlugin
"""

import asyncio
import contextlib
import sys

import dask
from distributed import Client, LocalCluster, WorkerPlugin

from .sweep_worker import warm_up

__all__ = ["local_client", "warm_workers", "WarmUpPlugin", "PLUGIN_NAME", "QUIET_CLUSTER", "START_METHOD"]

#: Name under which the warm-up plugin is registered with a Dask client (once per cluster).
PLUGIN_NAME = "eventsim-warm-up"

#: Dask settings of the clusters eventsim starts.  Dask's statistical profiler (a stack sample every
#: 10 ms), its event-loop health check (every 20 ms) and its memory and system monitors wake a
#: thread that takes the GIL from the run: measured on the f-I sweep, they cost about a third more
#: CPU per run in the workers and double the scheduler's CPU.  Use them on your own cluster if you
#: want the dashboard's profile.
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "5s",
}

#: How the nannies of eventsim's clusters start worker processes: on Linux from a fork server, a
#: clean single-threaded process that Dask preloads with itself and its dependencies.  Not by
#: forking this process: it has threads (Dask's event loop, the kernel's workers, tqdm's monitor),
#: and a child forked while one of them holds a lock (logging's, an I/O buffer's) hangs at its
#: first use of it; a worker did so in a test run.  Elsewhere Dask's default, spawn.
START_METHOD = "forkserver" if sys.platform == "linux" else None


class WarmUpPlugin(WorkerPlugin):
    """Worker plugin: every worker runs :func:`eventsim.sweep_worker.warm_up` once, when it joins.

    The warm-up (importing eventsim's models and xarray, loading the
    compiled kernels: about 2-3 s of CPU on a small machine) runs in a
    thread, so the worker keeps answering the scheduler; registering the
    plugin returns when every current worker is warm, and a worker that
    joins later warms up before it takes tasks.
    """

    idempotent = True
    name = PLUGIN_NAME

    async def setup(self, worker):
        await asyncio.get_running_loop().run_in_executor(None, warm_up)


def warm_workers(client):
    """Register :class:`WarmUpPlugin` with `client` (does nothing if already registered); wait until warm."""
    client.register_plugin(WarmUpPlugin(), name=PLUGIN_NAME)


@contextlib.contextmanager
def local_client(workers, *, dashboard=False):
    """A Dask ``LocalCluster`` of warm worker processes on this machine and its client (closed on exit).

    One thread per worker, workers started by a nanny each (it restarts a
    worker that dies; the nannies live in this process and cost little) with
    :data:`START_METHOD`, Dask's profiler and monitors slowed down (:data:`QUIET_CLUSTER`), and
    every worker warmed up (:func:`warm_workers`) before the client is yielded.

    Parameters
    ----------
    workers : int
        Worker processes, one thread each (runs on the default kernel of
        one process take turns, so more threads per process would not help).
    dashboard : bool, default False
        Serve Dask's dashboard (on port 8787 if free; needs ``bokeh``);
        ``client.dashboard_link`` says where.

    Yields
    ------
    distributed.Client
    """
    start = {} if START_METHOD is None else {"distributed.worker.multiprocessing-method": START_METHOD}
    with dask.config.set({**QUIET_CLUSTER, **start}), \
            LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                         dashboard_address=":8787" if dashboard else None) as cluster, Client(cluster) as client:
        warm_workers(client)
        yield client
