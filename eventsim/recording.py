"""Recordings as xarray datasets and netCDF files.

.. autosummary::

   multimeter_dataset
   spike_dataset
   recorder_attrs
   recordings
   save_recordings
   write_netcdf_atomic
   check_writable

Layouts
-------
Multimeter (CF ``featureType = "timeSeries"``, orthogonal array): one
variable per recorded quantity on the dimensions ``("time", "sender")`` with
``units`` and ``long_name``; coordinates ``time`` (ms), ``sender`` (int32
global ids, ascending) and ``model`` (per sender).

Spike recorder: ``spike_time`` (ms) and ``spike_sender`` (int32 global ids)
along ``spike``, in NEST's order (by time, then sender), plus
``spike_count`` along ``sender`` for every node connected to the recorder:
a ragged array in the indexed form that NEST's ``senders``/``times`` and
SONATA's ``node_ids``/``timestamps`` use.  ``spike_count`` carries no CF
``sample_dimension``: that attribute declares the contiguous form (spikes
grouped by sender), which a file cannot keep while it grows by appending
(see :mod:`eventsim.recorders.netcdf_stream`).  ``ds.spike_time[ds.spike_sender == g]``
gives the train of node ``g``.

Every dataset carries the attributes of :func:`recorder_attrs`; all values
are strings, ints or floats (netCDF stores no bool or None), and an endless
``stop`` is the float ``inf``, which netCDF stores and reads back as such.
"""

import os
import tempfile
from pathlib import Path

import numpy as np
from eventsim.lazy import lazy_module

xr = lazy_module("xarray")

from ._version import __version__
from .default_kernel import default_kernel
from .errors import BadParameter

__all__ = ["LONG_NAMES", "long_name", "recorder_attrs", "multimeter_dataset", "spike_dataset",
           "recorder_group_name", "recordings", "save_recordings", "write_netcdf_atomic", "check_writable"]

#: ``long_name`` of each recordable; ``g_<i>`` is derived in :func:`long_name`.
LONG_NAMES = {
    "V_m": "membrane potential",
    "I": "external input current",
    "threshold": "total firing threshold",
    "threshold_spike": "spike component of the threshold",
    "threshold_voltage": "voltage component of the threshold",
    "ASCurrents_sum": "sum of after-spike currents (mean over the step)",
}

NETCDF_ENGINE = "netcdf4"


def long_name(name):
    """CF ``long_name`` (str) of the recordable `name`."""
    if name.startswith("g_") and name[2:].isdigit():
        return f"synaptic conductance of receptor {name[2:]}"
    return LONG_NAMES.get(name, name)


def _version():
    return __version__


def kernel_attrs(kernel):
    """Attributes shared by all recordings of `kernel` (dict of str, int, float).

    Keys: ``resolution_ms``, ``rng_seed``, ``simulated_ms`` (the kernel's
    biological time) and ``eventsim_version``.
    """
    return {"resolution_ms": float(kernel.resolution), "rng_seed": int(kernel.rng_seed),
            "simulated_ms": float(kernel.biological_time), "eventsim_version": _version()}


def recorder_attrs(recorder):
    """Global attributes of a recorder's dataset (dict of str, int and float only).

    Parameters
    ----------
    recorder : eventsim.recorders.base.RecordingDevice
        The recorder.

    Returns
    -------
    dict
        :func:`kernel_attrs` plus ``recorder`` (model name),
        ``recorder_global_id``, ``label``, ``origin_ms``, ``start_ms``,
        ``stop_ms`` (``inf`` for no stop) and ``Conventions``.
    """
    s = recorder.status
    attrs = {"recorder": recorder.model_name, "recorder_global_id": int(recorder.first_gid), "label": s["label"]}
    attrs.update(kernel_attrs(recorder.kernel))
    attrs.update(origin_ms=float(s["origin"]), start_ms=float(s["start"]), stop_ms=float(s["stop"]),
                 Conventions="CF-1.8")
    return attrs


def multimeter_dataset(times, senders, data, *, units, models, attrs):
    """Dataset of multimeter samples.

    Parameters
    ----------
    times : array_like of float, shape (T,)
        Sample times (ms).
    senders : array_like of int, shape (S,)
        Global ids of the recorded nodes, ascending.
    data : dict of str to array_like, shape (T, S)
        Samples of each recordable, in its unit.
    units : dict of str to str
        Unit of each recordable (``"1"`` where missing).
    models : sequence of str, length S
        Model name of each sender.
    attrs : dict
        Global attributes (see :func:`recorder_attrs`).

    Returns
    -------
    xarray.Dataset
        Dimensions ``time`` x ``sender``.
    """
    data_vars = {name: (("time", "sender"), np.asarray(arr, dtype=np.float64),
                        {"units": units.get(name, "1"), "long_name": long_name(name)})
                 for name, arr in data.items()}
    coords = {
        "time": ("time", np.asarray(times, dtype=np.float64), {"units": "ms", "long_name": "sample time"}),
        "sender": ("sender", np.asarray(senders, dtype=np.int32),
                   {"long_name": "global id of the recorded node", "cf_role": "timeseries_id"}),
        "model": ("sender", np.asarray(models, dtype=str).reshape(-1), {"long_name": "model of the recorded node"}),
    }
    return xr.Dataset(data_vars, coords=coords, attrs={**attrs, "featureType": "timeSeries"})


def spike_dataset(times, senders, sources, *, attrs, counts=None):
    """Dataset of recorded spikes.

    Parameters
    ----------
    times : array_like of float, shape (K,)
        Spike times (ms), in NEST's order (by time, then sender).
    senders : array_like of int, shape (K,)
        Global id of the sender of each spike.
    sources : array_like of int, shape (S,)
        Global ids of all nodes connected to the recorder, ascending.
    attrs : dict
        Global attributes (see :func:`recorder_attrs`).
    counts : array_like of int, shape (S,), optional
        Spikes per source; computed from `senders` when omitted.

    Returns
    -------
    xarray.Dataset
        ``spike_time`` and ``spike_sender`` along ``spike``, ``spike_count``
        along ``sender``.
    """
    senders = np.asarray(senders, dtype=np.int32)
    sources = np.asarray(sources, dtype=np.int32)
    if counts is None:
        counts = np.zeros(len(sources), dtype=np.int32)
        np.add.at(counts, np.searchsorted(sources, senders), 1)
    data_vars = {
        "spike_time": ("spike", np.asarray(times, dtype=np.float64), {"units": "ms", "long_name": "spike time"}),
        "spike_sender": ("spike", senders, {"long_name": "global id of the spiking node"}),
        "spike_count": ("sender", np.asarray(counts, dtype=np.int32),
                        {"units": "1", "long_name": "number of recorded spikes of each sender"}),
    }
    coords = {"sender": ("sender", sources, {"long_name": "global id of a node connected to the recorder",
                                             "cf_role": "timeseries_id"})}
    return xr.Dataset(data_vars, coords=coords, attrs=dict(attrs))


def recorder_group_name(recorder):
    """Group name (str) of a recorder: its label, or ``<model>_<global id>`` when it has none."""
    return recorder.status["label"] or f"{recorder.model_name}_{recorder.first_gid}"


def recordings(kernel=None):
    """All recorders of `kernel` as one :class:`xarray.DataTree`.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel, optional
        Default: the kernel of the module-level functions.

    Returns
    -------
    xarray.DataTree
        One child group per recorder, in creation order, named by
        :func:`recorder_group_name`; the root carries :func:`kernel_attrs`.
        A recorder streaming to netCDF is read back from its file.

    Raises
    ------
    BadParameter
        If two recorders share a label.
    """
    if kernel is None:
        kernel = default_kernel()
    groups = {}
    for pop in kernel.populations:
        if pop.element_type != "recorder":
            continue
        name = recorder_group_name(pop)
        if name in groups:
            raise BadParameter(f"two recorders share the group name {name!r}; give them distinct labels")
        groups[name] = pop.to_dataset()
    tree = xr.DataTree.from_dict({f"/{name}": ds for name, ds in groups.items()})
    tree.attrs.update(kernel_attrs(kernel))
    return tree


def check_writable(path):
    """Check that a file can be created or replaced at `path`, without creating it.

    Parameters
    ----------
    path : str or os.PathLike
        File to write.

    Returns
    -------
    pathlib.Path
        `path` as an absolute path.

    Raises
    ------
    OSError
        Naming the path, if its directory does not exist, is not a
        directory, or is not writable, or if `path` is a directory.
    """
    path = Path(os.fspath(path)).absolute()
    directory = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a directory")
    if not directory.is_dir():
        blocker = _first_file(directory)
        if blocker is not None:
            raise NotADirectoryError(f"cannot write {str(path)!r}: {str(blocker)!r} is a file, not a directory")
        raise FileNotFoundError(f"cannot write {str(path)!r}: directory {str(directory)!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {str(path)!r}: directory {str(directory)!r} is not writable")
    return path


def _first_file(directory):
    """The first component of `directory` that exists but is not a directory, or None."""
    for part in [*reversed(directory.parents), directory]:
        if part.exists() and not part.is_dir():
            return part
    return None


def temporary_sibling(path):
    """Create an empty temporary file beside `path` (a pathlib.Path) and return its path.

    The file gets the permissions a new file at `path` would get (or those of
    the file it will replace), not :func:`tempfile.mkstemp`'s 0600.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    if path.exists():
        mode = path.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
    return Path(tmp)


def write_netcdf_atomic(obj, path):
    """Write a Dataset or DataTree to `path` (netCDF4) atomically.

    The data go to a temporary file in the same directory, which replaces
    `path` only when complete: a failed or interrupted write leaves no
    partial file, and a file already at `path` intact.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataTree
        What to write.
    path : str or os.PathLike
        Destination file.

    Returns
    -------
    pathlib.Path
        The absolute path written.

    Raises
    ------
    OSError
        Naming the path, if it cannot be written (see :func:`check_writable`)
        or writing fails.  Other errors of the writer carry a note naming
        the path.
    """
    path = check_writable(path)
    tmp = temporary_sibling(path)
    try:
        obj.to_netcdf(tmp, engine=NETCDF_ENGINE)
        os.replace(tmp, path)
    except OSError as err:
        raise OSError(f"writing {str(path)!r} failed, the file was not changed: {err}") from err
    except Exception as err:
        err.add_note(f"while writing {str(path)!r}; the file was not changed")
        raise
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def save_recordings(path, tree=None, *, kernel=None):
    """Write recordings to one netCDF file at `path`, atomically.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file; checked before anything is read or written.
    tree : xarray.DataTree, optional
        What to write; default :func:`recordings` of `kernel`.
    kernel : eventsim.kernel.Kernel, optional
        Default: the kernel of the module-level functions.

    Returns
    -------
    pathlib.Path
        The absolute path written; read it back with
        ``xarray.open_datatree(path)``.

    Raises
    ------
    OSError
        Naming the path, if it cannot be written.
    """
    check_writable(path)
    if tree is None:
        tree = recordings(kernel)
    return write_netcdf_atomic(tree, path)
