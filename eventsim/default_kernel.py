"""The kernel that calls naming no kernel act on.

The front end (:mod:`eventsim.api`) decides which kernel that is and installs
a provider here at import; core code that needs the default kernel (a
``NodeCollection`` built from bare ids, ``recordings()`` without a kernel)
asks this module, so that it never imports the front end.
"""

from .errors import KernelException

__all__ = ["default_kernel", "set_provider"]

_provider = None


def set_provider(provider):
    """Make `provider` (a callable returning a :class:`~eventsim.kernel.Kernel`) the source of the default kernel."""
    global _provider
    _provider = provider


def default_kernel():
    """The default :class:`~eventsim.kernel.Kernel`.

    Raises
    ------
    KernelException
        If no front end installed a provider (the core was imported on its own).
    """
    if _provider is None:
        raise KernelException("there is no default kernel: import eventsim, or pass a Kernel explicitly")
    return _provider()
