"""Deferred imports of heavy optional dependencies.

xarray (with pandas) and netCDF4 take a few tenths of a second to import and
are needed only when a recording is turned into a dataset or written to a
file; a simulation that only reads ``events`` never pays for them.
"""

import importlib.util
import sys

__all__ = ["lazy_module"]


def lazy_module(name):
    """Return module `name`, imported on first attribute access (``importlib.util.LazyLoader``)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ImportError(f"No module named {name!r}")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
