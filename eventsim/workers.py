"""The threads of one kernel: elementwise work split into slices and run side by side.

``local_num_threads`` of a kernel sets how many threads its models use.
A model splits work that is independent per element (per neuron, per
connection) into contiguous slices ``[lo, hi)`` and hands them to
:meth:`Workers.run`; numpy's array operations and numba functions compiled
with ``nogil=True`` release the GIL, so the slices run in parallel.  Work
that looks at a whole population at once (which steps are quiet, one solver
call over all neurons) is never split.  Every element is computed by the same
operations in the same order whatever the slicing, so results are identical
for any number of threads.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Workers", "available_cores"]


def available_cores():
    """Number of cores this process may run on (int >= 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


class Workers:
    """Runs a task on slices of ``range(n)`` in `n_threads` threads (the caller's thread is one of them).

    Parameters
    ----------
    n_threads : int
        Number of threads (>= 1); 1 runs every task in the caller's thread.
    """

    def __init__(self, n_threads):
        self.n_threads = int(n_threads)
        self._pool = None
        self._lock = threading.Lock()

    def slices(self, n, min_width=1):
        """Contiguous slices ``(lo, hi)`` covering ``range(n)``: one per thread, each at least `min_width` long
        (fewer slices if `n` is small); ``[(0, n)]`` with one thread."""
        k = max(1, min(self.n_threads, n // max(1, min_width)))
        return [(n * j // k, n * (j + 1) // k) for j in range(k)]

    def run(self, task, n, min_width=1):
        """Call ``task(lo, hi)`` for the slices of ``range(n)`` (see :meth:`slices`), in parallel; return when
        all are done.  The first exception of a task is raised after every task has finished."""
        parts = self.slices(n, min_width)
        if len(parts) == 1:
            task(*parts[0])
            return
        futures = [self._executor().submit(task, lo, hi) for lo, hi in parts[1:]]
        error = None
        try:
            task(*parts[0])
        except BaseException as err:      # wait for the other slices: they write into shared arrays
            error = err
        for future in futures:
            try:
                future.result()
            except BaseException as err:
                error = error or err
        if error is not None:
            raise error

    def _executor(self):
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.n_threads - 1, thread_name_prefix="eventsim-worker")
            return self._pool

    def close(self):
        """Stop the threads (they are started again on the next use)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
