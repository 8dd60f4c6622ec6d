"""Recordings as xarray datasets and netCDF files.

* :func:`multimeter_dataset`: dims ``time`` x ``sender``, one variable per
  recorded quantity with ``units`` and ``long_name``; coordinates ``time`` (ms),
  ``sender`` (global ids) and ``model``.
* :func:`spike_dataset`: a CF indexed ragged array: ``spike_time`` and
  ``spike_sender`` along ``spike`` (sorted by time, then sender), and
  ``spike_count`` along ``sender`` for every node connected to the recorder.
* :func:`recordings`: all recorders of a kernel as one :class:`xarray.DataTree`,
  one group per recorder; :func:`save_recordings` writes it atomically to one
  netCDF file.
"""

import os
import tempfile
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import BadParameter

__all__ = ["multimeter_dataset", "spike_dataset", "recordings", "save_recordings", "write_netcdf_atomic",
           "LONG_NAMES"]

LONG_NAMES = {
    "V_m": "membrane potential",
    "I": "external input current",
    "threshold": "total firing threshold",
    "threshold_spike": "spike component of the threshold",
    "threshold_voltage": "voltage component of the threshold",
    "ASCurrents_sum": "sum of after-spike currents (mean over the step)",
}


def _long_name(name):
    if name.startswith("g_") and name[2:].isdigit():
        return f"synaptic conductance of receptor {name[2:]}"
    return LONG_NAMES.get(name, name)


def _common_attrs(recorder):
    k = recorder.kernel
    from . import __version__
    s = recorder.status
    return {
        "recorder": recorder.model_name,
        "recorder_global_id": int(recorder.first_gid),
        "label": s["label"],
        "resolution_ms": float(k.resolution),
        "rng_seed": int(k.rng_seed),
        "simulated_ms": float(k.biological_time),
        "origin_ms": float(s["origin"]),
        "start_ms": float(s["start"]),
        "stop_ms": float(s["stop"]) if np.isfinite(s["stop"]) else "inf",
        "eventsim_version": __version__,
        "Conventions": "CF-1.8",
    }


def multimeter_dataset(mm):
    """Dataset of a multimeter's samples (dims ``time``, ``sender``)."""
    times, senders, data = mm.table()
    models = [mm.kernel.node_of(int(g))[0].model_name for g in senders]
    units = {}
    for pop in mm.targets:
        units.update(pop.recordable_units())
    data_vars = {name: (("time", "sender"), arr, {"units": units.get(name, "1"), "long_name": _long_name(name)})
                 for name, arr in data.items()}
    coords = {"time": ("time", np.asarray(times, dtype=np.float64), {"units": "ms", "long_name": "sample time"}),
              "sender": ("sender", senders.astype(np.int32), {"long_name": "global id of the recorded node",
                                                              "cf_role": "timeseries_id"}),
              "model": ("sender", np.array(models, dtype=str), {"long_name": "model of the recorded node"})}
    attrs = _common_attrs(mm)
    attrs.update(interval_ms=float(mm.status["interval"]), featureType="timeSeries")
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def spike_dataset(sr):
    """Dataset of a spike recorder's spikes (CF indexed ragged array along ``spike``)."""
    ev = sr.events
    senders = np.asarray(sr.sources, dtype=np.int64)
    counts = np.zeros(len(senders), dtype=np.int32)
    if len(senders):
        idx = np.searchsorted(senders, ev["senders"])
        np.add.at(counts, idx, 1)
    data_vars = {
        "spike_time": ("spike", ev["times"].astype(np.float64), {"units": "ms", "long_name": "spike time"}),
        "spike_sender": ("spike", ev["senders"].astype(np.int32), {"long_name": "global id of the spiking node"}),
        "spike_count": ("sender", counts, {"long_name": "number of spikes per sender",
                                           "sample_dimension": "spike"}),
    }
    coords = {"sender": ("sender", senders.astype(np.int32), {"long_name": "global id of a recorded node",
                                                             "cf_role": "timeseries_id"})}
    attrs = _common_attrs(sr)
    attrs.update(featureType="point")
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def recorder_name(rec):
    """Group name of a recorder: its label, or model name and global id."""
    return rec.status["label"] or f"{rec.model_name}_{rec.first_gid}"


def recordings(kernel=None):
    """All recorders of `kernel` (default: the module's kernel) as an :class:`xarray.DataTree`.

    Each recorder is a child group named by its ``label``, or
    ``<model>_<global id>`` when it has none.
    """
    if kernel is None:
        from .api import get_kernel
        kernel = get_kernel()
    groups = {}
    for pop in kernel.populations:
        if pop.element_type == "recorder":
            name = recorder_name(pop)
            if name in groups:
                raise BadParameter(f"two recorders share the label {name!r}")
            groups[name] = pop.to_dataset()
    from . import __version__
    tree = xr.DataTree.from_dict({f"/{k}": v for k, v in groups.items()})
    tree.attrs.update(resolution_ms=float(kernel.resolution), rng_seed=int(kernel.rng_seed),
                      simulated_ms=float(kernel.biological_time), eventsim_version=__version__)
    return tree


def write_netcdf_atomic(obj, path):
    """Write a Dataset or DataTree to `path` (netCDF4) atomically.

    The data go to a temporary file in the same directory, which replaces
    `path` only when complete, so a failed write leaves no partial file and
    an existing file intact.

    Raises
    ------
    OSError
        With the path in the message, if the directory is missing or not writable.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OSError(f"cannot write {str(path)!r}: directory {str(directory)!r} does not exist")
    if not os.access(directory, os.W_OK):
        raise OSError(f"cannot write {str(path)!r}: directory {str(directory)!r} is not writable")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        obj.to_netcdf(tmp, engine="netcdf4")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def save_recordings(path, kernel=None):
    """Write all recordings of `kernel` to one netCDF file at `path` (atomically); return the path."""
    return write_netcdf_atomic(recordings(kernel), path)
