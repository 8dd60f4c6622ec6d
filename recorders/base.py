"""Base class of recording devices and the growable column store they use.

.. autosummary::

   RecordingDevice
   GrowableArray

A recorder is a population of exactly one node.  The kernel calls its hooks
in this order around every ``Simulate``: :meth:`RecordingDevice.prepare_recording`
(after ``pre_run``, before any population advances), the recording calls made
by the populations while they advance, then :meth:`RecordingDevice.after_run`.
"""

from pathlib import Path

import numpy as np

from eventsim.errors import BadParameter, BadProperty
from eventsim.recording import check_writable
from eventsim.nodes.base import Population, activity_window, as_bool, as_float, check_window

__all__ = ["RecordingDevice", "GrowableArray", "RECORD_TO", "STREAM_BUFFER_BYTES"]

#: Values accepted by the ``record_to`` parameter.
RECORD_TO = ("memory", "netcdf")

#: Bytes a streaming recorder buffers before it appends a chunk to its file during a run.
STREAM_BUFFER_BYTES = 64 * 2 ** 20


class GrowableArray:
    """A numpy array that grows along axis 0 into preallocated room.

    :meth:`reserve` allocates exactly the room asked for; :meth:`append` and
    :meth:`resize` beyond the room double it, so appending costs amortised
    O(rows).

    Parameters
    ----------
    width : int or None
        Number of columns (None for a 1-D array).
    dtype : numpy dtype
        Element type.
    capacity : int
        Rows allocated up front.
    """

    def __init__(self, width=None, dtype=np.float64, capacity=0):
        self._shape_tail = () if width is None else (int(width),)
        self._data = np.empty((int(capacity),) + self._shape_tail, dtype=dtype)
        self.size = 0
        """Number of rows in use."""

    @property
    def capacity(self):
        """Number of rows allocated."""
        return len(self._data)

    @property
    def nbytes(self):
        """Bytes allocated (int)."""
        return self._data.nbytes

    def _reallocate(self, rows):
        new = np.empty((rows,) + self._shape_tail, dtype=self._data.dtype)
        new[:self.size] = self._data[:self.size]
        self._data = new

    def reserve(self, rows):
        """Make room for exactly `rows` more rows (int) without further allocation."""
        need = self.size + int(rows)
        if need > self.capacity:
            self._reallocate(need)

    def resize(self, rows):
        """Set the number of rows in use to `rows` (int); new rows are uninitialised."""
        if rows > self.capacity:
            self._reallocate(max(int(rows), 2 * self.capacity))
        self.size = int(rows)

    def append(self, rows):
        """Append an array of rows (shape ``(n,)`` or ``(n, width)``)."""
        n = len(rows)
        start = self.size
        self.resize(start + n)
        self._data[start:start + n] = rows

    def view(self):
        """The rows in use (a view, valid until the next reallocation)."""
        return self._data[:self.size]

    @property
    def buffer(self):
        """All allocated rows, for writing rows below :attr:`size` in place."""
        return self._data

    def drop_front(self, rows):
        """Remove the first `rows` rows (int); the others move to the front."""
        rows = int(rows)
        if rows <= 0:
            return
        keep = self.size - rows
        self._data[:keep] = self._data[rows:self.size]
        self.size = keep

    def clear(self):
        """Drop all rows (the allocation is kept)."""
        self.size = 0


class RecordingDevice(Population):
    """A recorder: collects data within its window ``(origin + start, origin + stop]`` (ms).

    Parameters (``Create``/``set``)
    -------------------------------
    origin, start, stop : float
        Window (ms, multiples of the resolution); ``stop`` may be ``inf``.
    label : str
        Name of the recorder's group in :func:`eventsim.recordings`; must not
        contain ``/``.
    record_to : {"memory", "netcdf"}
        ``"netcdf"`` streams the recording to the file ``filename`` while
        the simulation runs.
    filename : str
        netCDF file for ``record_to="netcdf"``; its directory must exist and
        be writable when the parameter is set.
    n_events : int
        Only 0 may be set: it forgets the recorded events (memory only).
    frozen : bool
        multimeter only: always False, it cannot be frozen (NEST's rule); True raises.
    time_in_steps : bool
        ``events`` gives ``times`` as whole steps (int) and ``offsets`` (ms before
        the end of the step; 0 except for precise spikes), as NEST; the datasets
        keep times in ms.  Cannot change once the kernel has simulated.

    Notes
    -----
    Subclasses implement :meth:`prepare_recording`, :meth:`after_run`,
    :meth:`flush_during_run`, :meth:`clear`, :meth:`to_dataset`, ``events``
    and ``n_events``.
    """

    element_type = "recorder"
    common_defaults = {"origin": 0.0, "start": 0.0, "stop": float("inf"), "label": "", "record_to": "memory",
                       "filename": "", "time_in_steps": False}

    def __init__(self, kernel, first_gid, n, statuses):
        if n != 1:
            raise BadParameter(f"create one {self.model_name} per Create call, got n={n}")
        super().__init__(kernel, first_gid, n, statuses)

    # --- parameters -------------------------------------------------------------
    def validate(self, status):
        check_window(self.model_name, status, self._grid_time)
        self._validate_output(status)
        self._validate_time_in_steps(status)
        if "frozen" in status:                     # the multimeter's: NEST refuses to freeze it
            if as_bool("frozen", status["frozen"]):
                raise BadProperty(f"{self.model_name} cannot be frozen (frozen=True), as in NEST")
            status["frozen"] = False
        return status

    def _validate_time_in_steps(self, status):
        status["time_in_steps"] = as_bool("time_in_steps", status["time_in_steps"])
        old = getattr(self, "_params", None)
        before = old[0]["time_in_steps"] if old else self.common_defaults["time_in_steps"]
        if status["time_in_steps"] != before and self.kernel.steps > 0:
            raise BadProperty(f"{self.model_name}: Property time_in_steps cannot be set after Simulate has been "
                              "called (as in NEST); call ResetKernel() first")

    def _grid_time(self, name, value):
        value = as_float(name, value)
        self.kernel.check_on_grid(name, value)
        return value

    def _validate_output(self, status):
        label, record_to, filename = status["label"], status["record_to"], status["filename"]
        if not isinstance(label, str) or "/" in label:
            raise BadProperty(f"label must be a string without '/' (it names a netCDF group), got {label!r}")
        if record_to not in RECORD_TO:
            raise BadProperty(f"record_to must be one of {', '.join(map(repr, RECORD_TO))}, got {record_to!r}")
        if not isinstance(filename, str):
            raise BadProperty(f"filename must be a string, got {filename!r}")
        old = getattr(self, "_params", None)
        if old and self.has_started() and (old[0]["record_to"], old[0]["filename"]) != (record_to, filename):
            raise BadProperty(f"{self.model_name}: record_to and filename cannot change after the first Simulate")
        if record_to == "netcdf":
            if not filename:
                raise BadProperty(f"{self.model_name}: record_to='netcdf' needs a filename")
            try:
                check_writable(filename)
            except OSError as err:
                raise BadProperty(f"{self.model_name}: filename {filename!r} is not writable: {err}") from None
            self._check_filename_unique(filename)

    def _check_filename_unique(self, filename):
        mine = Path(filename).resolve()
        for pop in self.kernel.populations:
            if pop is not self and pop.element_type == "recorder" and pop.status["record_to"] == "netcdf" \
                    and Path(pop.status["filename"]).resolve() == mine:
                raise BadProperty(f"{self.model_name}: filename {filename!r} is already used by "
                                  f"{pop.model_name} {pop.first_gid}")

    def set_status(self, local, updates):
        """Set parameters; ``n_events=0`` clears the recording, as in NEST."""
        cleaned = []
        for upd in updates:
            upd = dict(upd)
            if "n_events" in upd:
                if upd.pop("n_events") != 0:
                    raise BadProperty("n_events can only be set to 0 (to clear a recorder)")
                self.clear()
            cleaned.append(upd)
        super().set_status(local, cleaned)

    @property
    def status(self):
        """Parameters of the (single) recorder node (dict)."""
        return self._params[0]

    @property
    def streaming(self):
        """True if the recorder writes to a netCDF file while the simulation runs."""
        return self.status["record_to"] == "netcdf"

    def has_started(self):
        """True once the recorder has taken part in a ``Simulate`` call."""
        return False

    def window_steps(self):
        """Recording window as integer steps ``(lo, hi]``; ``hi`` is a large int for ``stop=inf``."""
        return activity_window(self.status, self.kernel.resolution)

    # --- hooks called by the kernel ---------------------------------------------------
    def prepare_recording(self, t_end=None):
        """Called before each Simulate, after ``pre_run``; `t_end` (steps) is where the run will end."""

    def files_to_create(self):
        """Paths of the files the next Simulate creates for this recorder (its netCDF file before the first run
        that streams to it); the kernel refuses to replace existing ones unless ``overwrite_files`` is True."""
        if self.streaming and getattr(self, "_stream", None) is None:
            return [self.status["filename"]]
        return []

    def after_run(self, t_end):
        """Called after each Simulate with the final step `t_end` (also after an interrupted one, with the
        time every population has reached): complete the files up to it."""

    def release_files(self):
        """Close the recorder's file and let other runs write it (the kernel is being reset)."""
        stream = getattr(self, "_stream", None)
        if stream is not None:
            stream.release()

    def flush_during_run(self):
        """Called between two population updates: append full buffers to the file, if streaming."""

    @property
    def failed(self):
        """True if writing the recorder's file failed; the kernel then refuses to continue."""
        stream = getattr(self, "_stream", None)
        return stream is not None and stream.failed

    @property
    def failure(self):
        """Why writing the recorder's file failed (str), or None."""
        stream = getattr(self, "_stream", None)
        return None if stream is None else stream.failure

    def clear(self):
        """Forget all recorded events (``n_events = 0``)."""

    def to_dataset(self):
        """The recording as an :class:`xarray.Dataset`."""
        raise NotImplementedError
