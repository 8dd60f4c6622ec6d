"""Base class of recording devices and the growable column store they use."""

import numpy as np

from nodes.base import Node, as_float
from eventsim.errors import BadProperty

__all__ = ["RecordingDevice", "GrowableArray"]


class GrowableArray:
    """A numpy array that grows along axis 0 in preallocated blocks.

    Appending costs amortised O(rows); memory is the stored rows plus at most
    the last reserved block.

    Parameters
    ----------
    width : int or None
        Number of columns (None for a 1-D array).
    dtype : numpy dtype
    """

    def __init__(self, width=None, dtype=np.float64):
        shape = (1024,) if width is None else (1024, width)
        self._data = np.empty(shape, dtype=dtype)
        self.size = 0

    def reserve(self, rows):
        """Make room for `rows` more rows without further allocation."""
        need = self.size + rows
        if need > len(self._data):
            new = np.empty((need,) + self._data.shape[1:], dtype=self._data.dtype)
            new[:self.size] = self._data[:self.size]
            self._data = new

    def append(self, rows):
        """Append an array of rows."""
        n = len(rows)
        if self.size + n > len(self._data):
            self.reserve(max(n, len(self._data)))
        self._data[self.size:self.size + n] = rows
        self.size += n

    def view(self):
        """The stored rows (a view, valid until the next append)."""
        return self._data[:self.size]

    def clear(self):
        """Drop all rows."""
        self.size = 0


class RecordingDevice(Node):
    """A recorder: collects data from other nodes within its window ``(origin + start, origin + stop]`` (ms).

    ``record_to`` is ``"memory"`` (default) or ``"netcdf"``, which streams the
    recording to the file named by ``filename`` during the run.
    """

    element_type = "recorder"
    common_defaults = {"origin": 0.0, "start": 0.0, "stop": float("inf"), "label": "", "record_to": "memory",
                       "filename": ""}

    def validate(self, status):
        h = self.kernel.resolution
        for k in ("origin", "start"):
            status[k] = as_float(k, status[k])
            self.kernel.check_on_grid(k, status[k])
        stop = status["stop"]
        status["stop"] = float("inf") if stop is None else as_float("stop", stop) if not (
            isinstance(stop, float) and np.isinf(stop)) else float("inf")
        if np.isfinite(status["stop"]):
            self.kernel.check_on_grid("stop", status["stop"])
        if status["stop"] < status["start"]:
            raise BadProperty(f"{self.model_name}: stop ({status['stop']} ms) must not be before start "
                              f"({status['start']} ms)")
        if status["record_to"] not in ("memory", "netcdf"):
            raise BadProperty(f"record_to must be 'memory' or 'netcdf', got {status['record_to']!r}")
        if not isinstance(status["label"], str):
            raise BadProperty(f"label must be a string, got {status['label']!r}")
        if not isinstance(status["filename"], str):
            raise BadProperty(f"filename must be a string, got {status['filename']!r}")
        if status["record_to"] == "netcdf" and not status["filename"]:
            raise BadProperty("record_to='netcdf' needs a filename")
        del h
        return status

    def window_steps(self):
        """Recording window as integer steps ``(lo, hi]``."""
        s = self._statuses[0]
        h = self.kernel.resolution
        lo = int(round((s["origin"] + s["start"]) / h))
        hi = (1 << 62) if np.isinf(s["stop"]) else int(round((s["origin"] + s["stop"]) / h))
        return lo, hi

    def prepare_recording(self):
        """Called before each Simulate, after pre_run."""

    def after_run(self, t_end):
        """Called after each Simulate with the final step."""

    def clear(self):
        """Forget all recorded events (``n_events = 0``)."""

    @property
    def status(self):
        """Parameters of the (single) recorder node."""
        return self._statuses[0]
