"""A small recurrent network with streamed or in-memory recorders, and checks of what its files hold."""

import numpy as np
import xarray as xr

import eventsim as nest


def build(folder=None, n=4, buffer_small=True):
    """Create glif_cond neurons with Poisson drive and recurrent input, a multimeter (V_m every step) and a
    spike recorder; they stream to `folder` (mm.nc, sr.nc) unless it is None.  Return (multimeter, recorder)."""
    nest.resolution = 0.1
    nest.overwrite_files = True          # the runs replace the files of earlier ones, as the tests require
    neurons = nest.Create("glif_cond", n)
    drive = nest.Create("poisson_generator", params={"rate": 40000.0})
    nest.Connect(drive, neurons, syn_spec={"weight": 3.0, "receptor_type": 1, "delay": 0.5})
    nest.Connect(neurons, neurons, syn_spec={"weight": 0.5, "receptor_type": 1, "delay": 1.0})
    stream = {} if folder is None else {"record_to": "netcdf"}
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m"], **stream,
                                           **({"filename": str(folder / "mm.nc")} if folder else {})})
    sr = nest.Create("spike_recorder", params={**stream, **({"filename": str(folder / "sr.nc")} if folder else {})})
    nest.Connect(mm, neurons)
    nest.Connect(neurons, sr)
    return mm, sr


def interrupt_at(fraction, exc=KeyboardInterrupt):
    """A report callback raising `exc` at the first report past `fraction` of a run (once)."""
    fired = []

    def report(elapsed, completed, start, duration):
        if completed >= fraction and not fired:
            fired.append(start + completed * duration)
            raise exc("stop here")
    return report


def samples(mm):
    """(times, V_m) of a multimeter, from its file or memory."""
    ds = mm.to_dataset()
    return ds["time"].values, ds["V_m"].values


def spikes(sr):
    """(times, senders) of a spike recorder, from its file or memory."""
    ds = sr.to_dataset()
    return ds["spike_time"].values, ds["spike_sender"].values


def reference(pieces, n=4):
    """(samples, spikes) of the same network (`n` neurons) run uninterrupted in `pieces` (ms) in memory."""
    nest.ResetKernel()
    mm, sr = build(n=n)
    for t in pieces:
        nest.Simulate(t)
    out = samples(mm), spikes(sr)
    nest.ResetKernel()
    return out


def assert_same_recording(actual, expected):
    """Every sample and spike exactly once: same times, V_m within 1e-6 mV, identical spikes."""
    (t, v), (st, ss) = actual
    (t0, v0), (st0, ss0) = expected
    assert np.all(np.diff(t) > 0), "sample times repeat or go back"
    np.testing.assert_array_equal(t, t0)
    np.testing.assert_allclose(v, v0, atol=1e-6, rtol=0)
    assert not np.isnan(v).any()
    np.testing.assert_array_equal(st, st0)
    np.testing.assert_array_equal(ss, ss0)


def assert_file_is_a_prefix(path, expected):
    """The files in `path` are readable, hold no NaN, and equal `expected` (samples, spikes of an uninterrupted
    run) up to the time each file states in its attribute ``simulated_ms``; return those two times (ms)."""
    (t0, v0), (st0, ss0) = expected
    with xr.open_dataset(path / "mm.nc") as mm:
        t, v, mm_until = mm["time"].values, mm["V_m"].values, mm.attrs["simulated_ms"]
    with xr.open_dataset(path / "sr.nc") as sr:
        st, ss, counts, sr_until = (sr["spike_time"].values, sr["spike_sender"].values, sr["spike_count"].values,
                                    sr.attrs["simulated_ms"])
    assert not np.isnan(v).any() and len(t) > 0
    assert t[-1] <= mm_until + 1e-9 and np.all(np.diff(t) > 0)
    np.testing.assert_array_equal(t, t0[t0 <= mm_until])
    np.testing.assert_allclose(v, v0[:len(t)], atol=1e-6, rtol=0)
    keep = st0 <= sr_until + 1e-9
    np.testing.assert_array_equal(st, st0[keep])
    np.testing.assert_array_equal(ss, ss0[keep])
    assert counts.sum() == len(st)
    return mm_until, sr_until


def read_file(path):
    """(samples, spikes) as stored in the files of `build`'s folder."""
    with xr.open_dataset(path / "mm.nc") as mm, xr.open_dataset(path / "sr.nc") as sr:
        return ((mm["time"].values, mm["V_m"].values), (sr["spike_time"].values, sr["spike_sender"].values))
