"""The threads of one kernel: elementwise work split into slices and run side by side.

``local_num_threads`` of a kernel sets how many threads its models use.
A model splits work that is independent per element (per neuron, per
connection) into contiguous slices ``[lo, hi)`` and hands them to
:meth:`Workers.run`; numpy's array operations and numba functions compiled
with ``nogil=True`` release the GIL, so the slices run in parallel.  Work
that looks at a whole population at once (which steps are quiet, one solver
call over all neurons) is never split.  Every element is computed by the same
operations in the same order whatever the slicing, so results are identical
for any number of threads, and for any cut between the slices.

That lets the cuts follow the threads: a helper thread starts its slice only
when it has woken up (tens to hundreds of microseconds on a virtual machine),
while the calling thread starts at once.  After each run the slices' widths
are moved towards those at which all of them would have ended together,
measured per kind of work (the same ``n`` and ``min_width``), so the caller
seldom has to sleep until a helper is done.
"""

import os
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

__all__ = ["Workers", "available_cores"]


_ALL_WORKERS = weakref.WeakSet()


def _forget_threads_after_fork():
    """In a child made by ``os.fork`` (a ``multiprocessing`` or ``ProcessPoolExecutor`` worker on Linux) the
    pools' threads do not exist: drop the pools, so that the first run starts new threads instead of
    waiting for ones that will never take the work."""
    for workers in list(_ALL_WORKERS):
        workers._pool = None
        workers._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_threads_after_fork)


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

    #: Weight of one run's measurement in the slices' shares (the rest is the shares so far): small enough
    #: that one run disturbed by the machine moves the cuts little.
    SHARE_LEARNING_RATE = 0.25
    #: Runs whose slices were all shorter than this (s) leave the shares alone: their timing is mostly noise.
    MIN_TIMED_SECONDS = 2e-4

    def __init__(self, n_threads):
        self.n_threads = int(n_threads)
        self._pool = None
        self._lock = threading.Lock()
        self._shares = {}            # (n, min_width) -> fraction of range(n) of each slice, learnt from runs
        _ALL_WORKERS.add(self)

    def slices(self, n, min_width=1):
        """Contiguous slices ``(lo, hi)`` covering ``range(n)``: one per thread, each at least `min_width` long
        (fewer slices if `n` is small); ``[(0, n)]`` with one thread."""
        k = max(1, min(self.n_threads, n // max(1, min_width)))
        return [(n * j // k, n * (j + 1) // k) for j in range(k)]

    def run(self, task, n, min_width=1):
        """Call ``task(lo, hi)`` for contiguous slices covering ``range(n)``, one per thread and each at least
        `min_width` long, in parallel; return when all are done.  The first call for an ``(n, min_width)``
        uses :meth:`slices`; later ones move the cuts so that the slices end together (see the module's
        description).  The first exception of a task is raised after every task has finished."""
        parts = self._balanced(n, min_width)
        if len(parts) == 1:
            task(*parts[0])
            return
        clock = time.perf_counter
        starts, ends = [0.0] * len(parts), [0.0] * len(parts)

        def timed(j, lo, hi):
            starts[j] = clock()
            try:
                task(lo, hi)
            finally:
                ends[j] = clock()
        t0 = clock()
        futures = [self._executor().submit(timed, j, lo, hi) for j, (lo, hi) in enumerate(parts) if j]
        error = None
        try:
            timed(0, *parts[0])
        except BaseException as err:      # wait for the other slices: they write into shared arrays
            error = err
        for future in futures:
            try:
                future.result()
            except BaseException as err:
                error = error or err
        if error is not None:
            raise error
        self._learn((n, min_width), parts, [s - t0 for s in starts], [e - s for s, e in zip(starts, ends)])

    def _balanced(self, n, min_width):
        """The slices of ``range(n)`` by the learnt shares of ``(n, min_width)``; :meth:`slices` if there are
        none yet or they would give a slice narrower than `min_width`."""
        even = self.slices(n, min_width)
        shares = self._shares.get((n, min_width))
        if shares is None or len(shares) != len(even):
            return even
        cuts, acc = [0], 0.0
        for share in shares[:-1]:
            acc += share
            cuts.append(int(round(acc * n)))
        cuts.append(n)
        parts = list(zip(cuts[:-1], cuts[1:]))
        if any(hi - lo < max(1, min_width) for lo, hi in parts):
            return even
        return parts

    def _learn(self, key, parts, offsets, busy):
        """Move the shares of `key` towards the widths at which the slices `parts`, which started `offsets`
        (s) after the run began and worked `busy` (s), would have ended at the same time."""
        if max(busy) < self.MIN_TIMED_SECONDS or min(busy) <= 0.0:
            return
        n = parts[-1][1] - parts[0][0]
        rates = [(hi - lo) / b for (lo, hi), b in zip(parts, busy)]          # elements per second
        end = (n + sum(r * o for r, o in zip(rates, offsets))) / sum(rates)  # when all would end together
        target = [max(0.0, r * (end - o)) / n for r, o in zip(rates, offsets)]
        total = sum(target)
        if total <= 0.0:
            return
        old = [(hi - lo) / n for lo, hi in parts]                           # the shares this run used
        a = self.SHARE_LEARNING_RATE
        mixed = [(1 - a) * f + a * t / total for f, t in zip(old, target)]
        norm = sum(mixed)
        self._shares[key] = [f / norm for f in mixed]

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
