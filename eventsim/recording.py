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
Every file follows the CF conventions 1.8 (``Conventions`` on the root and
on every group; see ``docs/recording-format.md`` for the choices CF leaves
open).  Time is simulation time in ms, a plain coordinate: it has no
calendar and no reference date, so it carries neither ``axis = "T"`` nor a
``since`` unit.

Multimeter (CF ``featureType = "timeSeries"``, orthogonal array): one
variable per recorded quantity on the dimensions ``("time", "sender")`` with
``units`` and ``long_name``; coordinates ``time`` (ms), ``sender`` (int32
global ids, ascending, ``cf_role = "timeseries_id"``) and ``model`` (per
sender, stored as a netCDF char array).

Spike recorder (CF ``featureType = "timeSeries"``, indexed ragged array):
``spike_time`` (ms) along ``spike``, in NEST's order (by time, then
sender), and ``spike_sender_index``, the position of each spike's sender
along the instance dimension ``sender`` (CF ``instance_dimension``).
``sender`` holds the global ids of every node connected to the recorder
(ascending), ``spike_count`` their number of spikes.  ``spike_sender``
repeats each spike's global id, for readers that do not decode ragged
arrays (NEST's ``senders``).  The indexed form, not the contiguous one, is
used for every file, so that a file grows by appending spikes in time order
while the simulation runs (see :mod:`eventsim.recorders.netcdf_stream`) and a file
written at the end has the same layout.  ``ds.spike_time[ds.spike_sender
== g]`` gives the train of node ``g``; :mod:`eventsim.analysis` has functions for it.

Every dataset carries the attributes of :func:`recorder_attrs`; all values
are strings, ints or floats (netCDF stores no bool or None), and an endless
``stop`` is the float ``inf``, which netCDF stores and reads back as such.
"""

import errno
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from eventsim.lazy import lazy_module

xr = lazy_module("xarray")

from ._version import __version__
from .default_kernel import default_kernel
from .errors import BadParameter
from .writer_lock import WriterLock

__all__ = ["LONG_NAMES", "long_name", "recorder_attrs", "multimeter_dataset", "spike_dataset",
           "recorder_group_name", "recordings", "save_recordings", "write_netcdf_atomic", "check_writable",
           "with_char_strings", "parameter_attrs", "CONVENTIONS"]

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

#: CF version the files follow (root and group attribute ``Conventions``).
CONVENTIONS = "CF-1.8"


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


#: Separates model and parameter in the names of :func:`parameter_attrs` (CF allows letters, digits, ``_``).
PARAMETER_SEPARATOR = "__"


def parameter_attrs(kernel):
    """Model parameters of every node of `kernel` (recorders excepted) as attributes.

    One attribute ``<model>__<parameter>`` per model and parameter (state
    such as ``V_m`` is left out): the value when all nodes of the model
    share it (bools as 0/1, sequences as 1-D arrays, a sequence of one value
    as that value, an empty one as ``"empty"``), else ``"varies across N nodes (digest HEX)"``, a short
    hash of all values that changes when any of them does.

    Returns
    -------
    dict of str to str, int, float or numpy.ndarray
    """
    by_model, state_keys = {}, {}
    for pop in kernel.populations:
        if pop.element_type != "recorder" and not getattr(pop, "remote", False):
            by_model.setdefault(pop.model_name, []).append((pop.first_gid, pop._params))
            state_keys[pop.model_name] = set(pop.initial_state_keys())
    if kernel.distribution.active:
        from .gather import gather_statuses
        all_statuses = gather_statuses(kernel.distribution, by_model)
        state_keys = {model: set(kernel.model_class(model).initial_state_keys()) for model in all_statuses}
    else:
        all_statuses = {model: [s for _, part in parts for s in part] for model, parts in by_model.items()}
    attrs = {}
    for model, statuses in all_statuses.items():
        state = state_keys[model]
        for key in sorted(set().union(*statuses) - state):
            attrs[f"{model}{PARAMETER_SEPARATOR}{key}"] = _parameter_value([s.get(key) for s in statuses])
    return attrs


def _parameter_value(values):
    """One attribute value (see :func:`parameter_attrs`) for the values of a parameter across nodes."""
    import hashlib

    try:
        uniform = len(set(values)) == 1          # scalars, strings, None: hashable
        payload = None
    except TypeError:                            # arrays
        try:
            stacked = np.asarray(values, dtype=np.float64)
        except (ValueError, TypeError):          # sequences of different lengths, or mixed kinds
            stacked = None
        if stacked is not None and stacked.ndim == 2:
            uniform = bool(np.all((stacked == stacked[0]) | (np.isnan(stacked) & np.isnan(stacked[0]))))
            payload = stacked.tobytes()
        else:
            cleaned = [_storable(v) for v in values]
            uniform = all(_equal(cleaned[0], v) for v in cleaned[1:])
            payload = repr([np.asarray(v).tolist() for v in cleaned]).encode()
    if uniform:
        return _storable(values[0])
    if payload is None:
        payload = repr(values).encode()
    return f"varies across {len(values)} nodes (digest {hashlib.blake2b(payload, digest_size=8).hexdigest()})"


def _storable(value):
    """`value` as netCDF stores it in an attribute: str, int, float or a non-empty 1-D array."""
    if value is None:
        return "none"
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, str):
        return value
    arr = np.asarray(value)
    if arr.size == 1:                  # netCDF reads a one-element attribute back as a scalar
        return arr.item()
    if arr.size == 0:
        return "empty"
    return arr.ravel().astype(np.float64 if arr.dtype.kind == "f" else arr.dtype)


def _equal(a, b):
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))


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
                 Conventions=CONVENTIONS)
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
        "time": ("time", np.asarray(times, dtype=np.float64), _time_attrs("simulation time of the sample")),
        "sender": ("sender", np.asarray(senders, dtype=np.int32), _sender_attrs("global id of the recorded node")),
        "model": ("sender", np.asarray(models, dtype=str).reshape(-1), {"long_name": "model of the recorded node"}),
    }
    ds = xr.Dataset(data_vars, coords=coords, attrs={**attrs, "featureType": "timeSeries"})
    return with_char_strings(ds)


def _time_attrs(what):
    """Attributes of a simulation time variable (ms, no calendar: see the module docstring)."""
    return {"units": "ms", "long_name": what}


def _sender_attrs(what):
    """Attributes of the ``sender`` instance coordinate (global ids, dimensionless)."""
    return {"units": "1", "long_name": what, "cf_role": "timeseries_id"}


def with_char_strings(obj):
    """Return `obj` with every string variable encoded as a netCDF char array.

    CF 1.8 knows no netCDF-4 ``string`` type; a char array reads back as
    str in xarray.  Variables whose encoding already fixes a dtype are left
    alone.

    Parameters
    ----------
    obj : xarray.Dataset or xarray.DataTree

    Returns
    -------
    xarray.Dataset or xarray.DataTree
        A shallow copy; the data are not copied.
    """
    if isinstance(obj, xr.DataTree):
        return xr.DataTree.from_dict({node.path: with_char_strings(node.to_dataset(inherit=False))
                                      for node in obj.subtree})
    out = obj.copy(deep=False)
    for var in out.variables.values():
        if var.dtype.kind in "UO" and "dtype" not in var.encoding and _all_str(var):
            var.encoding["dtype"] = "S1"
    return out


def _all_str(var):
    """True if the variable holds str values only (numpy str, or objects that are all str)."""
    if var.dtype.kind == "U":
        return True
    return all(isinstance(v, str) for v in np.asarray(var.values).ravel())


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
        ``spike_time``, ``spike_sender_index`` and ``spike_sender`` along
        ``spike``, ``spike_count`` along ``sender`` (see the module
        docstring).
    """
    senders = np.asarray(senders, dtype=np.int32)
    sources = np.asarray(sources, dtype=np.int32)
    index = np.searchsorted(sources, senders).astype(np.int32)
    if counts is None:
        counts = np.bincount(index, minlength=len(sources))
    data_vars = {
        "spike_time": ("spike", np.asarray(times, dtype=np.float64), _time_attrs("spike time")),
        "spike_sender_index": ("spike", index, SPIKE_SENDER_INDEX_ATTRS),
        "spike_sender": ("spike", senders, {"units": "1", "long_name": "global id of the spiking node"}),
        "spike_count": ("sender", np.asarray(counts, dtype=np.int32),
                        {"units": "1", "long_name": "number of recorded spikes of each sender"}),
    }
    coords = {"sender": ("sender", sources, _sender_attrs("global id of a node connected to the recorder"))}
    return xr.Dataset(data_vars, coords=coords, attrs={**attrs, "featureType": "timeSeries"})


#: Attributes of ``spike_sender_index``, the CF ragged-array index of each spike's sender.
SPIKE_SENDER_INDEX_ATTRS = {"long_name": "index of the spiking node along the sender dimension",
                            "units": "1", "instance_dimension": "sender"}


def recorder_group_name(recorder):
    """Group name (str) of a recorder: its ``label``, or ``<model>_<k>`` when it has none.

    ``k`` counts the recorders of the same model in creation order, from 1
    (``multimeter_1``, ``spike_recorder_2``), so creating other nodes does
    not rename a group; label the recorders whose files tests compare.
    """
    if recorder.status["label"]:
        return recorder.status["label"]
    same_model = [pop for pop in recorder.kernel.populations
                  if pop.element_type == "recorder" and pop.model_name == recorder.model_name]
    return f"{recorder.model_name}_{same_model.index(recorder) + 1}"


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
        :func:`recorder_group_name`; the root carries :func:`kernel_attrs`,
        ``Conventions`` and the model parameters (:func:`parameter_attrs`).
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
    if kernel.distribution.active:
        from .gather import gather_groups
        groups = gather_groups(kernel.distribution, groups)
    tree = xr.DataTree.from_dict({f"/{name}": ds for name, ds in groups.items()})
    tree.attrs.update(kernel_attrs(kernel), Conventions=CONVENTIONS)
    tree.attrs.update(parameter_attrs(kernel))
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
    tmp = None
    lock = WriterLock(path).acquire()
    try:
        tmp = temporary_sibling(path)
        obj.to_netcdf(tmp, engine=NETCDF_ENGINE)
        os.replace(tmp, path)
    except (OSError, RuntimeError) as err:
        # the netCDF library reports a full disk as RuntimeError("NetCDF: HDF error")
        code = getattr(err, "errno", None) or _likely_errno(path)
        raise OSError(code, f"writing {str(path)!r} failed, the file was not changed: {err}") from err
    except Exception as err:
        err.add_note(f"while writing {str(path)!r}; the file was not changed")
        raise
    finally:
        if tmp is not None and tmp.exists():
            tmp.unlink()
        lock.release()
    return path


def _likely_errno(path):
    """ENOSPC if the file system of `path` has (almost) no free space left, else EIO."""
    try:
        return errno.ENOSPC if shutil.disk_usage(path.parent).free < 2 ** 16 else errno.EIO
    except OSError:
        return errno.EIO


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
        Naming the path, if it cannot be written or writing fails (a full
        disk gives ``errno.ENOSPC``); the file at `path` is then unchanged.

    Under MPI every rank must call it: the recordings of all ranks are gathered and rank 0 writes
    the file; an error on rank 0 is raised on every rank.
    """
    distribution = (kernel or default_kernel()).distribution
    if distribution.active:
        return _save_from_rank_0(distribution, path, tree, kernel)
    check_writable(path)
    if tree is None:
        tree = recordings(kernel)
    return write_netcdf_atomic(with_char_strings(tree), path)


def _save_from_rank_0(distribution, path, tree, kernel):
    """:func:`save_recordings` under MPI: gather on every rank, write on rank 0, raise its errors everywhere."""
    error = None
    if distribution.rank == 0:
        try:
            check_writable(path)
        except OSError as err:
            error = err
    distribution.agree(error)
    if tree is None:
        tree = recordings(kernel)
    written = None
    if distribution.rank == 0:
        try:
            written = write_netcdf_atomic(with_char_strings(tree), path)
        except Exception as err:
            error = err
    distribution.agree(error)
    return written if written is not None else Path(os.fspath(path)).absolute()
