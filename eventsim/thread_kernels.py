"""The default kernel of the module-level functions: one per thread.

PyNEST has one kernel per process.  eventsim's kernels are independent
objects, and the module-level functions (``Create``, ``Simulate``, ...) act
on the *calling thread's* default kernel, created on the thread's first use:
two threads building and running networks with the module-level API never
see each other's nodes, and each gets the results it would get alone.  Nodes
belong to the kernel that created them; passing them to another thread's
module-level functions raises ``IllegalConnection`` or ``KernelException``
(see ``Kernel.connect``).  To share one network between threads, pass its
:class:`~eventsim.kernel.Kernel` explicitly (``get_kernel()`` in the thread that
built it) and call its methods from one thread at a time.
"""

import threading

from .kernel import Kernel

__all__ = ["PerThreadKernel"]


class PerThreadKernel:
    """Forwards attribute access to the calling thread's default :class:`Kernel`."""

    def __init__(self):
        object.__setattr__(self, "_local", threading.local())

    @property
    def current(self):
        """The calling thread's default kernel (created on first use)."""
        local = object.__getattribute__(self, "_local")
        kernel = getattr(local, "kernel", None)
        if kernel is None:
            kernel = local.kernel = Kernel()
        return kernel

    def reset(self):
        """Replace the calling thread's default kernel by a fresh one, releasing the old one's files;
        handles (NodeCollections, connections) of the old kernel refuse to work from then on."""
        local = object.__getattribute__(self, "_local")
        old = getattr(local, "kernel", None)
        if old is not None:
            old.close()
            old.discarded = True
        local.kernel = Kernel()

    def __getattr__(self, name):
        return getattr(self.current, name)

    def __setattr__(self, name, value):
        setattr(self.current, name, value)
