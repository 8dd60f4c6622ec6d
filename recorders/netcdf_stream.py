"""Streaming of a recording to a netCDF file while the simulation runs.

A :class:`NetCDFStream` creates its file from a *template*, the recorder's
dataset with no entries along one dimension, which it declares unlimited
(``time`` for a multimeter, ``spike`` for a spike recorder).  The recorder
then appends chunks along that dimension with :meth:`NetCDFStream.append`,
and at the end of every ``Simulate`` call :meth:`NetCDFStream.commit`
updates the attributes and closes the file, so that reading the file gives
the same dataset as a recorder with ``record_to="memory"`` holds.

Atomicity: the first ``Simulate`` call writes to a hidden temporary file
beside the target, which replaces the target only when that call has
completed; a failed or interrupted first call leaves no partial file, and a
file that was already there intact.  Later calls append to the file itself;
if one of them fails, the file keeps what was appended so far.
"""

import os
import weakref

from eventsim.lazy import lazy_module

netCDF4 = lazy_module("netCDF4")
import numpy as np

from eventsim.recording import NETCDF_ENGINE, check_writable, temporary_sibling

__all__ = ["NetCDFStream", "CHUNK_BYTES"]

#: Approximate size (bytes) of one HDF5 chunk along the unlimited dimension.
CHUNK_BYTES = 2 ** 16


def _close_and_discard(handle, tmp):
    """Close the open file in `handle` (a one-element list) and delete `tmp` if given."""
    if handle and handle[0] is not None:
        try:
            handle[0].close()
        except (RuntimeError, OSError):
            pass
        handle[0] = None
    if tmp is not None and os.path.exists(tmp):
        os.unlink(tmp)


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
    """

    def __init__(self, path, template, unlimited):
        self.path = check_writable(path)
        """Absolute path (pathlib.Path) of the file."""
        self.unlimited = unlimited
        """Name of the dimension that grows (str)."""
        self.size = 0
        """Entries written along :attr:`unlimited` (int)."""
        self._tmp = temporary_sibling(self.path)
        self._handle = [None]
        self._committed = False
        self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, str(self._tmp))
        encoding = {name: {"chunksizes": self._chunks(var)} for name, var in template.variables.items()
                    if unlimited in var.dims and self._chunks(var) is not None}
        try:
            template.to_netcdf(self._tmp, engine=NETCDF_ENGINE, unlimited_dims=[unlimited], encoding=encoding)
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
    def committed(self):
        """True once the file has been moved to :attr:`path` by a :meth:`commit`."""
        return self._committed

    def reopen(self):
        """Open the committed file again to append during the next ``Simulate`` call."""
        if not self._committed:
            raise RuntimeError(f"the stream to {str(self.path)!r} was never committed")
        if not self.is_open:
            self._open(self.path)
            if not self._finalizer.alive:
                self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, None)

    def append(self, columns):
        """Append entries along the unlimited dimension.

        Parameters
        ----------
        columns : dict of str to numpy.ndarray
            One array per variable that has the unlimited dimension, all with
            the same length along their first axis, in the variable's unit.
        """
        lengths = {len(values) for values in columns.values()}
        if len(lengths) != 1:
            raise ValueError(f"appended arrays differ in length: {sorted(lengths)}")
        n = lengths.pop()
        if n == 0:
            return
        nc = self._handle[0]
        for name, values in columns.items():
            nc.variables[name][self.size:self.size + n] = values
        self.size += n

    def write(self, name, values):
        """Overwrite the fixed-size variable `name` with `values` (numpy.ndarray)."""
        self._handle[0].variables[name][:] = values

    def commit(self, attrs):
        """Set the global attributes `attrs` (dict), close the file and, the first time, move it into place."""
        nc = self._handle[0]
        nc.setncatts(attrs)
        nc.close()
        self._handle[0] = None
        if not self._committed:
            os.replace(self._tmp, self.path)
            self._committed = True
            self._finalizer.detach()
            self._finalizer = weakref.finalize(self, _close_and_discard, self._handle, None)

    def abort(self):
        """Close the file; before the first commit also delete it, leaving any older file at the path intact."""
        self._finalizer()
