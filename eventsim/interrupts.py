"""Ctrl-C during ``Simulate``, taken at the next point where the simulation is consistent.

A ``KeyboardInterrupt`` that lands inside a population's update would leave
that population half advanced.  While ``Simulate`` runs in the main thread
with Python's default SIGINT handler, :class:`DeferredInterrupt` replaces the
handler: the first Ctrl-C only sets :attr:`DeferredInterrupt.requested`, and
the kernel raises ``KeyboardInterrupt`` between two updates (at the end of
the update under way, typically milliseconds to a second later).  A second
Ctrl-C before that raises at once, as Python normally does.
"""

import signal
import threading

__all__ = ["DeferredInterrupt"]


class DeferredInterrupt:
    """Context manager deferring SIGINT while a ``Simulate`` call runs.

    Attributes
    ----------
    requested : bool
        True once Ctrl-C was pressed during the call.
    """

    def __init__(self):
        self.requested = False
        self._previous = None

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread() \
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False
