"""Streaming of a recording to a netCDF file while the simulation runs.

A :class:`NetCDFStream` creates its file from a *template*, the recorder's
dataset with no entries along one dimension, which it declares unlimited
(``time`` for a multimeter, ``spike`` for a spike recorder).  The recorder
then appends chunks along that dimension with :meth:`NetCDFStream.append`,
and at the end of every ``Simulate`` call :meth:`NetCDFStream.commit`
updates the attributes and closes the file, so that reading the file gives
the same dataset as a recorder with ``record_to="memory"`` holds.

Atomicity: the first ``Simulate`` call writes to a hidden temporary file
beside the target, which replaces the target when that call ends (completed
or interrupted, with the entries up to the kernel's consistent time); a
process killed during its first call leaves no file under the target's name,
and a file that was already there intact.  Later calls append to the file
itself, which is synchronised to disk after every append: a process killed
then leaves the file as of its last append.

Write failures: before each append the stream checks that the file system
has room for twice the data plus :data:`SPACE_MARGIN_BYTES`, so that a full
disk is reported (``OSError`` naming the file, ``errno.ENOSPC``) before
anything of the chunk is written.  If a write fails nevertheless, the file is
cut back to the entries written before (copied when there is room), or the
error says how many of its entries are valid.  A failed stream is closed
and refuses further appends.
"""

import errno
import os
import shutil
import weakref

from eventsim.lazy import lazy_module

netCDF4 = lazy_module("netCDF4")
import numpy as np

from eventsim.recording import NETCDF_ENGINE, check_writable, temporary_sibling
from eventsim.writer_lock import WriterLock

__all__ = ["NetCDFStream", "CHUNK_BYTES"]

#: Approximate size (bytes) of one HDF5 chunk along the unlimited dimension.
CHUNK_BYTES = 2 ** 16

#: Free bytes the file system must keep beyond twice the appended data (HDF5 metadata, chunk padding).
SPACE_MARGIN_BYTES = 2 ** 16


def _close_and_discard(handle, tmp, lock):
    """Close the open file in `handle` (a one-element list), delete `tmp` if given, release `lock`."""
    if handle and handle[0] is not None:
        try:
            handle[0].close()
        except (RuntimeError, OSError):
            pass
        handle[0] = None
    if tmp is not None and os.path.exists(tmp):
        os.unlink(tmp)
    lock.release()


def _close_lazy_readers(path):
    """Close the handles xarray keeps open on `path` for lazily read datasets (the netCDF library refuses to
    open a file for appending while it is open for reading); xarray reopens them when they are read again."""
    try:
        from xarray.backends.file_manager import FILE_CACHE
    except ImportError:
        return
    for key in list(FILE_CACHE.keys()):
        try:
            if str(path) in key[1]:
                FILE_CACHE.pop(key).close()
        except (IndexError, TypeError, KeyError, RuntimeError, OSError):
            pass


class NetCDFStream:
    """A netCDF file that grows along one unlimited dimension.

    Parameters
    ----------
    path : str or os.PathLike
        The file to produce.
    template : xarray.Dataset
        The dataset with zero entries along `unlimited`; fixes the
        variables, dimensions, coordinates and attributes of the file.
    unlimited : str
        Name of the dimension that grows.

    Raises
    ------
    OSError
        Naming the path, if it cannot be written.
    eventsim.writer_lock.FileInUse
        If another run is writing the file (see :mod:`eventsim.writer_lock`).
    """

    def __init__(self, path, template, unlimited):
        self.path = check_writable(path)
        """Absolute path (pathlib.Path) of the file."""
        self._lock = WriterLock(self.path).acquire()
        self.unlimited = unlimited
        """Name of the dimension that grows (str)."""
        self.size = 0
        """Entries written along :attr:`unlimited` (int)."""
        try:
            self._tmp = temporary_sibling(self.path)
        except BaseException:
            self._lock.release()
            raise
        self._handle = [None]
        self._committed = False
        self.failure = None
        """Message (str) describing a failed write, or None."""
        self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, str(self._tmp), self._lock)
        encoding = {name: {"chunksizes": self._chunks(var)} for name, var in template.variables.items()
                    if unlimited in var.dims and self._chunks(var) is not None}
        try:
            template.to_netcdf(self._tmp, engine=NETCDF_ENGINE, unlimited_dims=[unlimited], encoding=encoding)
        except (RuntimeError, OSError) as err:
            self.abort()
            raise OSError(getattr(err, "errno", None) or errno.EIO,
                          f"cannot create {str(self.path)!r} to stream the recording: {err}") from err
        except BaseException:
            self.abort()
            raise
        self._open(self._tmp)

    def _chunks(self, var):
        """Chunk shape (tuple of int) of a variable with the unlimited dimension, or None."""
        other = [n for dim, n in var.sizes.items() if dim != self.unlimited]
        if any(n == 0 for n in other):
            return None
        rows = max(1, CHUNK_BYTES // (var.dtype.itemsize * int(np.prod(other, dtype=np.int64))))
        return tuple(rows if dim == self.unlimited else n for dim, n in var.sizes.items())

    def _open(self, target):
        _close_lazy_readers(target)
        try:
            nc = netCDF4.Dataset(target, "a")
        except OSError as err:
            raise OSError(f"cannot open {str(self.path)!r} to append the recording (is it open elsewhere?): "
                          f"{err}") from err
        nc.set_auto_maskandscale(False)
        self._handle[0] = nc

    @property
    def is_open(self):
        """True while the file is open for appending."""
        return self._handle[0] is not None

    @property
    def failed(self):
        """True after a write failed; the stream refuses further appends."""
        return self.failure is not None

    @property
    def committed(self):
        """True once the file has been moved to :attr:`path` by a :meth:`commit`."""
        return self._committed

    def reopen(self):
        """Open the committed file again to append during the next ``Simulate`` call."""
        if not self._committed:
            raise RuntimeError(f"the stream to {str(self.path)!r} was never committed")
        if not self.is_open:
            self._lock.acquire()
            self._open(self.path)
            if not self._finalizer.alive:
                self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, None, self._lock)

    def append(self, columns, fixed=None, attrs=None):
        """Append entries along the unlimited dimension, then synchronise the file to disk.

        Parameters
        ----------
        columns : dict of str to numpy.ndarray
            One array per variable that has the unlimited dimension, all with
            the same length along their first axis, in the variable's unit.
        fixed : dict of str to numpy.ndarray, optional
            New values of fixed-size variables (e.g. per-sender counts), so
            that the file is consistent after every append.
        attrs : dict, optional
            Global attributes to update with the append (e.g. the time up to
            which the file is complete).
        """
        lengths = {len(values) for values in columns.values()}
        if len(lengths) != 1:
            raise ValueError(f"appended arrays differ in length: {sorted(lengths)}")
        n = lengths.pop()
        if n == 0:
            return
        if self.failure is not None:
            raise OSError(errno.EIO, f"cannot append to {str(self.path)!r}: {self.failure}")
        self._check_space(sum(np.asarray(v).nbytes for v in columns.values()))
        nc = self._handle[0]
        try:
            for name, values in columns.items():
                nc.variables[name][self.size:self.size + n] = values
            for name, values in (fixed or {}).items():
                nc.variables[name][:] = values
            if attrs:
                nc.setncatts(attrs)
            nc.sync()
        except (RuntimeError, OSError) as err:
            raise self._fail(err) from err
        self.size += n

    def _check_space(self, nbytes):
        """Raise OSError(ENOSPC) naming the file if the file system cannot take `nbytes` more (with margin).

        The file stays open, holding exactly :attr:`size` entries, so that
        :meth:`commit` can still record its final attributes; further appends
        are refused.
        """
        free = shutil.disk_usage(self.path.parent).free
        need = 2 * int(nbytes) + SPACE_MARGIN_BYTES
        if free < need:
            self.failure = (f"no space left to append {nbytes} bytes to {str(self.path)!r} ({free} bytes free, "
                            f"{need} needed with margin); the file holds the {self.size} entries along "
                            f"{self.unlimited!r} written before")
            raise OSError(errno.ENOSPC, self.failure)

    def _fail(self, err):
        """After a failed write: cut the file back to :attr:`size` entries if possible; return an OSError."""
        handle, self._handle[0] = self._handle[0], None
        try:
            handle.close()
        except (RuntimeError, OSError):
            pass
        where = self.path if self._committed else self._tmp
        note = self._truncate(where)
        self.failure = f"writing {str(self.path)!r} failed ({type(err).__name__}: {err}); {note}"
        self._move_into_place()
        code = getattr(err, "errno", None) or errno.EIO
        return OSError(code, self.failure)

    def _truncate(self, where):
        """Rewrite `where` with its first :attr:`size` entries; return a sentence on the outcome."""
        import xarray as xr
        copy = None
        try:
            with xr.open_dataset(where, engine=NETCDF_ENGINE) as ds:
                part = ds.isel({self.unlimited: slice(0, self.size)}).load()
            copy = temporary_sibling(self.path)
            part.to_netcdf(copy, engine=NETCDF_ENGINE, unlimited_dims=[self.unlimited])
            os.replace(copy, where)
            return f"the file holds the {self.size} entries along {self.unlimited!r} written before"
        except Exception as err:  # the disk may be full or the file broken: report, do not hide the first error
            if copy is not None and copy.exists():
                copy.unlink()
            return (f"its first {self.size} entries along {self.unlimited!r} are valid, later ones may not be "
                    f"(cutting it back failed: {err})")

    def _move_into_place(self):
        """Before the first commit: move the temporary file to :attr:`path` (what it holds is valid)."""
        if not self._committed and self._tmp.exists():
            os.replace(self._tmp, self.path)
            self._committed = True
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, None, self._lock)

    def write(self, name, values):
        """Overwrite the fixed-size variable `name` with `values` (numpy.ndarray); nothing if the file is closed."""
        if self._handle[0] is None:
            return
        try:
            self._handle[0].variables[name][:] = values
        except (RuntimeError, OSError) as err:
            raise self._fail(err) from err

    def commit(self, attrs):
        """Set the global attributes `attrs` (dict), close the file and, the first time, move it into place.

        After a failed write that closed the file this does nothing.
        """
        nc = self._handle[0]
        if nc is None:
            return
        try:
            nc.setncatts(attrs)
            nc.close()
        except (RuntimeError, OSError) as err:
            raise self._fail(err) from err
        self._handle[0] = None
        self._move_into_place()

    def release(self):
        """Close the file and let other runs write it (the kernel calls this when it is reset)."""
        self._finalizer()

    def abort(self):
        """Close the file and release it; before the first commit also delete it, leaving any older file at
        the path intact."""
        self._finalizer()
