"""A faster interpreter exit once the compiled models are loaded.

numba's type system and the models' compiled code leave several hundred thousand
Python objects behind; the garbage collections the interpreter runs while it shuts
down then take about 0.3 s, a fifth of a short script's whole run.  :func:`install`
registers an exit handler that moves every object still alive into the collector's
permanent generation (:func:`gc.freeze`), so those collections skip them.  Objects
are still released and closed as their modules are torn down; only reference cycles
left over at exit are not collected, which Python never promised to do at exit
anyway.  Handlers registered after this one (the user's, mpi4py's) run before it.
"""

import atexit
import gc

__all__ = ["install"]

_installed = False


def install():
    """Register the exit handler (once per process)."""
    global _installed
    if not _installed:
        atexit.register(gc.freeze)
        _installed = True
