"""Analysis of recordings: spike trains, tables, selection, Neo, rates, ISIs, PSTHs, runs.

Every function takes a recording as eventsim writes it (see
``docs/recording-format.md``): an :class:`xarray.Dataset` of one recorder,
an :class:`xarray.DataTree` of several (:func:`eventsim.recordings`), or the
path of a netCDF file holding either.  Files of the older layout (spikes as
``spike_time``/``spike_sender`` only, such as the NEST references in
``tests/reference``) are read too.  Times are in ms, rates in Hz.

.. autosummary::

   spikes
   traces
   select_spikes
   spike_trains
   spike_table
   spike_counts
   firing_rates
   isi_statistics
   psth
   to_neo_spiketrains
   to_neo_analogsignals
   combine_runs

Example::

    from eventsim import analysis
    sp = analysis.spikes("out/glif_cond_recordings.nc")
    early = sp.sel(spike_time=slice(100.0, 200.0))      # xarray selection, bounds included
    one = analysis.select_spikes(sp, sender=3, time=slice(100.0, 200.0))
    rates = analysis.firing_rates(sp)                   # DataArray over sender, Hz
"""

from os import PathLike

import numpy as np
import xarray as xr

__all__ = ["spikes", "traces", "select_spikes", "spike_trains", "spike_table", "spike_counts", "firing_rates",
           "isi_statistics", "psth", "to_neo_spiketrains", "to_neo_analogsignals", "combine_runs"]

#: Index value that marks padding in the spike arrays of combined runs (see :func:`combine_runs`).
PADDING = -1


# --- finding the recorder ----------------------------------------------------------


def _load(source):
    """A Dataset or DataTree held in memory from `source` (Dataset, DataTree or netCDF path)."""
    if isinstance(source, (xr.Dataset, xr.DataTree)):
        return source
    if not isinstance(source, (str, PathLike)):
        raise TypeError(f"expected an xarray Dataset or DataTree or a netCDF path, got {type(source).__name__}")
    with xr.open_datatree(source, engine="netcdf4") as tree:
        tree = tree.load()
    return tree if tree.children else tree.to_dataset()


def _find_group(source, group, is_kind, kind):
    """The dataset of the one group of `source` that `is_kind`, or of the group named `group`."""
    data = _load(source)
    if isinstance(data, xr.Dataset):
        if group is not None:
            raise ValueError(f"group={group!r} given, but the recording has no groups")
        if not is_kind(data):
            raise ValueError(f"the recording holds no {kind} data")
        return data
    if group is not None:
        if group not in data.children:
            raise KeyError(f"no group {group!r}; the recording has {sorted(data.children)}")
        return data[group].to_dataset()
    found = {name: node.to_dataset() for name, node in data.children.items() if is_kind(node.to_dataset())}
    if len(found) != 1:
        raise ValueError(f"expected one {kind} group, found {sorted(found) or 'none'}; pass group=NAME")
    return next(iter(found.values()))


def _is_spikes(ds):
    return "spike_time" in ds.variables


def _is_traces(ds):
    return "time" in ds.dims


def traces(source, group=None):
    """The multimeter recording of `source` as an :class:`xarray.Dataset`.

    Parameters
    ----------
    source : xarray.Dataset, xarray.DataTree, str or os.PathLike
        A recording or the path of its netCDF file.
    group : str, optional
        Group name; needed only when the recording has several multimeters.

    Returns
    -------
    xarray.Dataset
        Variables on ``time`` (ms) x ``sender`` (global ids).
    """
    return _find_group(source, group, _is_traces, "multimeter")


def spikes(source, group=None):
    """The spikes of `source` as a Dataset indexed for selection by time.

    Parameters
    ----------
    source : xarray.Dataset, xarray.DataTree, str or os.PathLike
        A recording or the path of its netCDF file (either spike layout).
    group : str, optional
        Group name; needed only when the recording has several spike recorders.

    Returns
    -------
    xarray.Dataset
        Coordinates along ``spike``: ``spike_time`` (ms, ascending, with an
        index: ``sp.sel(spike_time=slice(100, 200))`` keeps the spikes with
        100 <= t <= 200 ms), ``spike_sender`` (global ids, int32) and
        ``spike_sender_index`` (position along ``sender``); ``sender`` (int32)
        lists every node connected to the recorder, silent ones included.
        Extra dimensions (``run`` of :func:`combine_runs`, the parameters and
        ``seed`` of a sweep) are kept; padding of combined runs is dropped
        when there is no extra dimension left.
    """
    ds = _find_group(source, group, _is_spikes, "spike recorder")
    ds = _ragged(ds)
    if set(ds["spike_time"].dims) == {"spike"}:
        keep = ds["spike_sender_index"].values != PADDING
        if not keep.all():
            ds = ds.isel(spike=np.flatnonzero(keep))
        if np.any(np.diff(ds["spike_time"].values) < 0):
            ds = ds.isel(spike=np.argsort(ds["spike_time"].values, kind="stable"))
        ds = ds.set_coords(["spike_time", "spike_sender", "spike_sender_index"]).set_xindex("spike_time")
    else:
        ds = ds.set_coords(["spike_time", "spike_sender", "spike_sender_index"])
    return ds.drop_vars("spike_count", errors="ignore")


def _ragged(ds):
    """`ds` with ``sender``, ``spike_sender`` and ``spike_sender_index`` whatever its layout."""
    ds = ds.drop_indexes([n for n in ("spike_time", "spike_sender") if n in ds.xindexes])
    ds = ds.reset_coords([n for n in ("spike_time", "spike_sender", "spike_sender_index") if n in ds.coords])
    has_index = "spike_sender_index" in ds and "sender" in ds.coords
    if "spike_sender" not in ds and not has_index:
        raise ValueError("the spikes have no senders (neither spike_sender nor spike_sender_index)")
    if not has_index:
        senders = ds["spike_sender"].values
        sources = np.unique(senders[senders != PADDING]).astype(np.int32)
        index = np.where(senders == PADDING, PADDING, np.searchsorted(sources, senders)).astype(np.int32)
        ds = ds.assign_coords(sender=("sender", sources, {"long_name": "global id of a spiking node"}))
        ds["spike_sender_index"] = (ds["spike_sender"].dims, index, {"long_name": "index along sender"})
    if "spike_sender" not in ds:
        index = ds["spike_sender_index"].values
        gids = np.where(index == PADDING, PADDING, ds["sender"].values[np.maximum(index, 0)]).astype(np.int32)
        ds["spike_sender"] = (ds["spike_sender_index"].dims, gids, {"long_name": "global id of the spiking node"})
    return ds


# --- selection and plain containers -------------------------------------------------


def select_spikes(source, *, time=None, sender=None):
    """Spikes within a time window and/or of some senders, keeping dtypes and the ``spike`` dimension.

    Parameters
    ----------
    source : recording
        As for :func:`spikes`.
    time : slice, optional
        ``slice(t0, t1)`` in ms, both bounds included (as in xarray); None
        for an open end.
    sender : int or sequence of int, optional
        Global id(s) to keep; the ``sender`` dimension is reduced to them
        (in the order given), and a sender without spikes gives no spikes
        (not a KeyError).

    Returns
    -------
    xarray.Dataset
        As :func:`spikes`; ``spike_sender_index`` refers to the reduced
        ``sender``.

    Raises
    ------
    KeyError
        If a sender is not connected to the recorder.
    """
    sp = spikes(source)
    if set(sp["spike_time"].dims) != {"spike"}:
        raise ValueError("select_spikes takes the spikes of one run; select the run first, "
                         "e.g. combined.isel(run=0)")
    if time is not None:
        if not isinstance(time, slice) or time.step is not None:
            raise TypeError(f"time must be a slice(t0, t1) in ms, got {time!r}")
        t = sp["spike_time"].values
        lo = -np.inf if time.start is None else float(time.start)
        hi = np.inf if time.stop is None else float(time.stop)
        sp = sp.isel(spike=np.flatnonzero((t >= lo) & (t <= hi)))
    if sender is not None:
        wanted = np.array(list(dict.fromkeys(np.atleast_1d(np.asarray(sender)).tolist())), dtype=np.int64)
        known = sp["sender"].values
        unknown = sorted(set(wanted.tolist()) - set(known.tolist()))
        if unknown:
            raise KeyError(f"senders {unknown} are not connected to the recorder; it has {known.tolist()}")
        sp = sp.isel(spike=np.flatnonzero(np.isin(sp["spike_sender"].values, wanted)))
        order = np.argsort(wanted)
        position = order[np.searchsorted(wanted[order], sp["spike_sender"].values)]
        sp = sp.sel(sender=wanted).assign_coords(
            spike_sender_index=("spike", position.astype(np.int32), sp["spike_sender_index"].attrs))
    return sp


def spike_trains(source):
    """Spike times per sender: ``{global id: numpy array of times (ms)}``, silent senders included.

    Parameters
    ----------
    source : recording
        As for :func:`spikes`.

    Returns
    -------
    dict of int to numpy.ndarray
        Keys in ascending global id; each train ascending.
    """
    sp = spikes(source)
    index = sp["spike_sender_index"].values
    order = np.argsort(index, kind="stable")
    counts = np.bincount(index, minlength=sp.sizes["sender"])
    trains = np.split(sp["spike_time"].values[order], np.cumsum(counts)[:-1])
    return {int(g): train for g, train in zip(sp["sender"].values, trains)}


def spike_table(source):
    """The spikes as a :class:`pandas.DataFrame` with columns ``sender`` (int32) and ``time_ms``.

    Parameters
    ----------
    source : recording
        As for :func:`spikes`.

    Returns
    -------
    pandas.DataFrame
        One row per spike, in time order (then by sender).
    """
    import pandas as pd

    sp = spikes(source)
    return pd.DataFrame({"sender": sp["spike_sender"].values, "time_ms": sp["spike_time"].values})


def spike_counts(source):
    """Number of spikes of each sender (int64 DataArray over ``sender``, silent senders 0)."""
    return _per_run(source, _counts)


def _counts(sp):
    counts = np.bincount(sp["spike_sender_index"].values, minlength=sp.sizes["sender"])
    return xr.DataArray(counts, coords={"sender": sp["sender"]}, dims="sender", name="spike_count",
                        attrs={"units": "1", "long_name": "number of spikes"})


def _per_run(source, func, *args):
    """Apply `func` to each run of combined spikes (see :func:`combine_runs`) and stack the results."""
    sp = spikes(source)
    extra = [d for d in sp["spike_time"].dims if d != "spike"]
    if not extra:
        return func(sp, *args)
    if len(extra) > 1:                       # a sweep's (parameter, ..., seed): one run per combination
        along = [name for name, c in sp.coords.items() if c.dims and set(c.dims) <= set(extra)]
        plain = sp.drop_vars(along)
        shape = [sp.sizes[d] for d in extra]
        parts = [func(spikes(plain.isel(dict(zip(extra, idx)))), *args) for idx in np.ndindex(*shape)]
        import pandas as pd
        index = pd.MultiIndex.from_product([np.arange(n) for n in shape], names=extra)
        flat = xr.concat(parts, dim="_runs").assign_coords(xr.Coordinates.from_pandas_multiindex(index, "_runs"))
        out = flat.unstack("_runs").transpose(*extra, ...)
        return out.drop_vars(extra, errors="ignore").assign_coords({name: sp.coords[name] for name in along})
    dim = extra[0]
    parts = [func(spikes(sp.isel({dim: i})), *args) for i in range(sp.sizes[dim])]
    return xr.concat(parts, dim=sp[dim] if dim in sp.coords else dim)


# --- rates, intervals, histograms --------------------------------------------------------


def _window(sp, t_start, t_stop):
    """The analysis window (ms): given bounds, else the recorder's window clipped to the simulated time."""
    attrs = sp.attrs
    if t_start is None:
        t_start = attrs.get("origin_ms", 0.0) + attrs.get("start_ms", 0.0)
    if t_stop is None:
        stop = attrs.get("origin_ms", 0.0) + attrs.get("stop_ms", np.inf)
        t_stop = min(stop, attrs.get("simulated_ms", np.inf))
        if not np.isfinite(t_stop):
            times = sp["spike_time"].values
            t_stop = float(times.max()) if times.size else t_start
    t_start, t_stop = float(t_start), float(t_stop)
    if not t_stop > t_start:
        raise ValueError(f"empty analysis window: t_start={t_start} ms, t_stop={t_stop} ms")
    return t_start, t_stop


def firing_rates(source, t_start=None, t_stop=None):
    """Mean firing rate of each sender in ``(t_start, t_stop]`` (Hz).

    Parameters
    ----------
    source : recording
        As for :func:`spikes`; combined runs give one rate per run and sender.
    t_start, t_stop : float, optional
        Window (ms); default the recorder's window ``(origin + start,
        origin + stop]`` clipped to the simulated time.

    Returns
    -------
    xarray.DataArray
        ``firing_rate`` over ``sender`` (and ``run``), units Hz.
    """
    return _per_run(source, _rates, t_start, t_stop)


def _rates(sp, t_start, t_stop):
    lo, hi = _window(sp, t_start, t_stop)
    t = sp["spike_time"].values
    inside = (t > lo) & (t <= hi)
    counts = np.bincount(sp["spike_sender_index"].values[inside], minlength=sp.sizes["sender"])
    return xr.DataArray(counts / ((hi - lo) * 1e-3), coords={"sender": sp["sender"]}, dims="sender",
                        name="firing_rate", attrs={"units": "Hz", "long_name": "mean firing rate",
                                                   "t_start_ms": lo, "t_stop_ms": hi})


def isi_statistics(source):
    """Inter-spike interval statistics of each sender.

    Parameters
    ----------
    source : recording
        As for :func:`spikes`; combined runs give statistics per run and sender.

    Returns
    -------
    xarray.Dataset
        Over ``sender``: ``isi_count`` (number of intervals), ``isi_mean``
        and ``isi_std`` (ms, population standard deviation) and ``isi_cv``
        (std / mean, dimensionless); NaN where a sender has fewer than two
        spikes.
    """
    return _per_run(source, _isi)


def _isi(sp):
    trains = spike_trains(sp)
    n = len(trains)
    count = np.zeros(n, dtype=np.int64)
    mean, std = np.full(n, np.nan), np.full(n, np.nan)
    for i, train in enumerate(trains.values()):
        isi = np.diff(train)
        count[i] = isi.size
        if isi.size:
            mean[i], std[i] = isi.mean(), isi.std()
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = std / mean
    coords = {"sender": sp["sender"]}
    return xr.Dataset({"isi_count": ("sender", count, {"units": "1", "long_name": "number of intervals"}),
                       "isi_mean": ("sender", mean, {"units": "ms", "long_name": "mean inter-spike interval"}),
                       "isi_std": ("sender", std, {"units": "ms", "long_name": "standard deviation of the ISI"}),
                       "isi_cv": ("sender", cv, {"units": "1", "long_name": "coefficient of variation of the ISI"})},
                      coords=coords)


def psth(source, bin_ms, t_start=None, t_stop=None, sender=None):
    """Peri-stimulus time histogram: the population rate in bins of `bin_ms` (Hz per neuron).

    Parameters
    ----------
    source : recording
        As for :func:`spikes`; combined runs give one histogram per run.
    bin_ms : float
        Bin width (ms); bins are ``(t_start + k * bin_ms, t_start + (k+1) * bin_ms]``
        up to `t_stop` (a last partial bin is dropped).
    t_start, t_stop : float, optional
        Window (ms), as for :func:`firing_rates`.
    sender : int or sequence of int, optional
        Senders to include (default all connected senders, silent ones count).

    Returns
    -------
    xarray.DataArray
        ``rate`` over ``time`` (bin centres, ms) with coordinates
        ``bin_start`` and ``bin_end`` (ms): spikes in the bin / number of
        senders / bin width in s.
    """
    if not bin_ms > 0:
        raise ValueError(f"bin_ms must be positive, got {bin_ms!r}")
    return _per_run(select_spikes(source, sender=sender) if sender is not None else source,
                    _psth, float(bin_ms), t_start, t_stop)


def _psth(sp, bin_ms, t_start, t_stop):
    lo, hi = _window(sp, t_start, t_stop)
    n_bins = int(np.floor((hi - lo) / bin_ms + 1e-9))
    if n_bins < 1:
        raise ValueError(f"bin_ms={bin_ms} ms is longer than the window ({lo}, {hi}] ms")
    edges = lo + bin_ms * np.arange(n_bins + 1)
    t = sp["spike_time"].values
    # bins are closed on the right, as the recording window: a spike at an edge belongs to the bin it ends
    which = np.ceil((t - lo) / bin_ms - 1e-9).astype(np.int64) - 1
    which = which[(t > lo) & (which >= 0) & (which < n_bins)]
    counts = np.bincount(which, minlength=n_bins)
    rate = counts / max(1, sp.sizes["sender"]) / (bin_ms * 1e-3)
    return xr.DataArray(rate, dims="time", name="rate",
                        coords={"time": ("time", (edges[:-1] + edges[1:]) / 2, {"units": "ms"}),
                                "bin_start": ("time", edges[:-1], {"units": "ms"}),
                                "bin_end": ("time", edges[1:], {"units": "ms"})},
                        attrs={"units": "Hz", "long_name": "population rate per neuron", "bin_ms": bin_ms,
                               "n_senders": int(sp.sizes["sender"])})


# --- Neo ---------------------------------------------------------------------------------


def _neo():
    try:
        import neo
        import quantities
    except ImportError as err:
        raise ImportError("Neo conversion needs the optional extra 'neo' (pip install 'eventsim[neo]')") from err
    return neo, quantities


def _neo_units(units):
    """A unit string as quantities understands it (``"1"`` is dimensionless)."""
    return "dimensionless" if units in ("1", "", None) else units


def to_neo_spiketrains(source, t_start=None, t_stop=None):
    """One :class:`neo.SpikeTrain` per sender (silent senders included), in ms.

    Parameters
    ----------
    source : recording
        As for :func:`spikes`.
    t_start, t_stop : float, optional
        Window of the trains (ms), as for :func:`firing_rates`; spikes
        outside it are left out.

    Returns
    -------
    list of neo.SpikeTrain
        In ascending global id; each with ``annotations["sender"]`` (global
        id) and ``name`` ``"sender <id>"``.

    Raises
    ------
    ImportError
        If Neo (optional extra ``neo``) is not installed.
    """
    neo, pq = _neo()
    sp = spikes(source)
    lo, hi = _window(sp, t_start, t_stop)
    out = []
    for gid, train in spike_trains(sp).items():
        train = train[(train >= lo) & (train <= hi)]
        out.append(neo.SpikeTrain(train * pq.ms, t_start=lo * pq.ms, t_stop=hi * pq.ms,
                                  name=f"sender {gid}", sender=gid))
    return out


def to_neo_analogsignals(source, group=None, variables=None):
    """The multimeter traces as :class:`neo.AnalogSignal` objects, one per variable.

    Parameters
    ----------
    source : recording
        As for :func:`traces`.
    group : str, optional
        Multimeter group, when the recording has several.
    variables : sequence of str, optional
        Variables to convert; default all.

    Returns
    -------
    dict of str to neo.AnalogSignal
        Each of shape (time, sender), in the variable's unit, with
        ``sampling_period`` the sampling interval (ms), ``t_start`` the first
        sample time and ``array_annotations["sender"]`` the global ids.

    Raises
    ------
    ValueError
        If the samples are not evenly spaced.
    ImportError
        If Neo (optional extra ``neo``) is not installed.
    """
    neo, pq = _neo()
    ds = traces(source, group)
    times = ds["time"].values
    if times.size == 0:
        raise ValueError("the multimeter recording has no samples")
    interval = float(ds.attrs.get("interval_ms", np.diff(times[:2])[0] if times.size > 1 else 1.0))
    expected = times[0] + interval * np.arange(times.size)
    if not np.allclose(times, expected, rtol=0, atol=1e-9 * max(1.0, abs(times[-1]))):
        raise ValueError("the samples are not evenly spaced; use neo.IrregularlySampledSignal")
    names = list(ds.data_vars) if variables is None else list(variables)
    senders = ds["sender"].values
    return {name: neo.AnalogSignal(ds[name].transpose("time", "sender").values,
                                   units=_neo_units(ds[name].attrs.get("units")),
                                   sampling_period=interval * pq.ms, t_start=float(times[0]) * pq.ms,
                                   name=name, array_annotations={"sender": senders})
            for name in names}


# --- combining runs -------------------------------------------------------------------------


def combine_runs(runs, dim="run", values=None):
    """Stack the recordings of several runs along a new dimension.

    This is how :func:`eventsim.sweep` combines its runs too (then reshaped
    to the sweep's dimensions), so the analysis functions give one result
    per run for both.

    Parameters
    ----------
    runs : sequence of recordings
        Datasets of one recorder each, or DataTrees with the same groups, or
        netCDF paths; all of one kind.
    dim : str, default "run"
        Name of the new dimension.
    values : sequence, optional
        Coordinate of the new dimension (e.g. the swept parameter's values);
        default 0, 1, 2, ...

    Returns
    -------
    xarray.Dataset or xarray.DataTree
        Traces stacked as ``(dim, time, sender)`` (an outer join: senders or
        times missing in a run are NaN).  Spikes stacked as ``(dim, spike)``,
        padded to the longest run with ``spike_time`` NaN and
        ``spike_sender``/``spike_sender_index`` -1 (ints stay ints), over the
        union of the runs' senders; ``spike_count`` as ``(dim, sender)``.
        :func:`spikes` of one run (``combined.isel(run=0)``) drops the
        padding.  Attributes that differ between runs are dropped.
    """
    loaded = [_load(run) for run in runs]
    if not loaded:
        raise ValueError("combine_runs needs at least one run")
    coord = np.arange(len(loaded)) if values is None else np.asarray(values)
    if coord.shape != (len(loaded),):
        raise ValueError(f"values has {coord.size} entries for {len(loaded)} runs")
    if all(isinstance(run, xr.DataTree) for run in loaded):
        names = [sorted(run.children) for run in loaded]
        if any(n != names[0] for n in names):
            raise ValueError(f"the runs have different groups: {names}")
        tree = xr.DataTree.from_dict({f"/{name}": _combine([run[name].to_dataset() for run in loaded], dim, coord)
                                      for name in names[0]})
        tree.attrs.update(_common_attrs([run.attrs for run in loaded]))
        return tree
    if not all(isinstance(run, xr.Dataset) for run in loaded):
        raise TypeError("combine_runs takes runs of one kind: all Datasets or all DataTrees")
    return _combine(loaded, dim, coord)


def _common_attrs(attrs):
    """The attributes equal in all dicts of `attrs`."""
    first = attrs[0]
    return {k: v for k, v in first.items() if all(k in a and np.array_equal(a[k], v) for a in attrs[1:])}


def _combine(datasets, dim, coord):
    if all(_is_spikes(ds) for ds in datasets):
        return _combine_spikes(datasets, dim, coord)
    if any(_is_spikes(ds) for ds in datasets):
        raise ValueError("cannot combine spike recordings with multimeter recordings")
    return xr.concat(datasets, dim=xr.DataArray(coord, dims=dim, name=dim), join="outer",
                     combine_attrs="drop_conflicts")


def _spike_arrays(ds):
    """(spike times, senders, the recorder's senders) of one run, as :func:`spikes` gives them; read straight
    from the arrays for a recorder's own layout (building the indexed Dataset cost 1 ms a run)."""
    if (ds["spike_time"].dims == ("spike",) and "spike_sender" in ds and "spike_sender_index" in ds
            and "sender" in ds.coords):
        times, senders = ds["spike_time"].values, ds["spike_sender"].values
        keep = ds["spike_sender_index"].values != PADDING
        if not keep.all():
            times, senders = times[keep], senders[keep]
        if np.any(np.diff(times) < 0):
            order = np.argsort(times, kind="stable")
            times, senders = times[order], senders[order]
        return times, senders, ds["sender"].values
    sp = spikes(ds)
    return sp["spike_time"].values, sp["spike_sender"].values, sp["sender"].values


def _combine_spikes(datasets, dim, coord):
    runs = [_spike_arrays(ds) for ds in datasets]
    sources = np.unique(np.concatenate([run[2] for run in runs])).astype(np.int32)
    longest = max(run[0].size for run in runs)
    n = len(runs)
    times = np.full((n, longest), np.nan)
    senders = np.full((n, longest), PADDING, dtype=np.int32)
    index = np.full((n, longest), PADDING, dtype=np.int32)
    counts = np.zeros((n, sources.size), dtype=np.int32)
    for i, (run_times, run_senders, _) in enumerate(runs):
        k = run_times.size
        times[i, :k] = run_times
        senders[i, :k] = run_senders
        index[i, :k] = np.searchsorted(sources, senders[i, :k])
        counts[i] = np.bincount(index[i, :k], minlength=sources.size)
    first = spikes(datasets[0])
    attrs = _common_attrs([ds.attrs for ds in datasets])
    return xr.Dataset(
        {"spike_time": ((dim, "spike"), times, first["spike_time"].attrs),
         "spike_sender_index": ((dim, "spike"), index, {**first["spike_sender_index"].attrs,
                                                        "padding": PADDING}),
         "spike_sender": ((dim, "spike"), senders, {**first["spike_sender"].attrs, "padding": PADDING}),
         "spike_count": ((dim, "sender"), counts, {"units": "1", "long_name": "number of spikes of each sender"})},
        coords={dim: (dim, coord), "sender": ("sender", sources, first["sender"].attrs)}, attrs=attrs)
