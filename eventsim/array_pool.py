"""Reused memory for large per-chunk arrays.

A population that allocates a fresh array of several MiB every chunk (the
Poisson counts of an advance, for example) makes the process fault in new
pages every chunk: the allocator hands large freed blocks back to the
operating system, and on a virtual machine that returns free memory to its
host, each new page may cost a fault on the host too.  :class:`ArrayPool` keeps
such memory in the process instead.

An array handed out by :meth:`ArrayPool.empty` or :meth:`ArrayPool.zeros` is an
ordinary numpy array, to be used and shared like any other; only its memory is
borrowed.  The pool gets the memory back when the last array or view that uses
it is gone, and hands it out again for the next request of that shape and
dtype.  Nothing is ever handed out twice at once, however long a consumer
holds on to its array.
"""

import numbers
import threading

import numpy as np

__all__ = ["ArrayPool"]


class _Lease:
    """The owner of a borrowed array's memory: the array's ``base``, so it lives as long as any view of it.

    When it is garbage (no array uses the memory any more) it puts the memory back into the pool.
    """

    __slots__ = ("memory", "pool", "__array_interface__", "__weakref__")

    def __init__(self, memory, pool):
        self.memory = memory
        self.pool = pool
        self.__array_interface__ = memory.__array_interface__

    def __del__(self):
        try:
            self.pool._give_back(self.memory)
        except Exception:       # at interpreter exit the pool may be half torn down: the memory is freed anyway
            pass


class ArrayPool:
    """Arrays whose memory is reused once no one holds them.

    Parameters
    ----------
    keep : int, default 2
        Spare arrays kept per (shape, dtype); memory given back beyond that is freed.

    Thread-safe: arrays may be requested in one thread and dropped in another.
    """

    def __init__(self, keep=2):
        if isinstance(keep, bool) or not isinstance(keep, numbers.Integral) or keep < 0:
            raise ValueError(f"ArrayPool keep must be a non-negative integer, got {keep!r}")
        self.keep = int(keep)
        self._spare = {}
        self._lock = threading.Lock()

    def empty(self, shape, dtype=float):
        """An array of `shape` and `dtype` with undefined contents (like :func:`numpy.empty`)."""
        shape = (shape,) if np.isscalar(shape) else tuple(int(s) for s in shape)
        dtype = np.dtype(dtype)
        with self._lock:
            spare = self._spare.get((shape, dtype))
            memory = spare.pop() if spare else None
        if memory is None:
            memory = np.empty(shape, dtype)
        return np.asarray(_Lease(memory, self))

    def zeros(self, shape, dtype=float):
        """An array of `shape` and `dtype` filled with zeros (like :func:`numpy.zeros`)."""
        out = self.empty(shape, dtype)
        out.fill(0)
        return out

    def _give_back(self, memory):
        with self._lock:
            spare = self._spare.setdefault((memory.shape, memory.dtype), [])
            if len(spare) < self.keep:
                spare.append(memory)

    def clear(self):
        """Free the spare memory now."""
        with self._lock:
            self._spare.clear()
