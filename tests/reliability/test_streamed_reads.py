"""Reading a streamed recorder's size and dataset does not read its whole file."""

import numpy as np
import pytest

import eventsim as nest
import eventsim.recorders.base
from fault_network import build
from eventsim.recorders.multimeter import Multimeter
from eventsim.recorders.spike_recorder import SpikeRecorder


@pytest.fixture
def streamed(tmp_path, monkeypatch):
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 2000)
    mm, sr = build(tmp_path)
    nest.Simulate(30.0)
    return mm, sr


def test_n_events_comes_from_counters(streamed, monkeypatch):
    """n_events (attribute, get, GetStatus) never builds the events dict."""
    mm, sr = streamed
    expected = (len(mm.events["times"]), len(sr.events["times"]))

    def no_events(self):
        raise AssertionError("events were built")

    for cls in (Multimeter, SpikeRecorder):
        monkeypatch.setattr(cls, "events", property(no_events))
    assert (mm.n_events, sr.n_events) == expected
    assert (mm.get("n_events"), nest.GetStatus(sr, "n_events")[0]) == expected
    ds = mm.to_dataset()
    assert ds.sizes["time"] * ds.sizes["sender"] == expected[0]


def test_to_dataset_of_a_streamed_recorder_is_lazy_and_survives_more_simulation(streamed):
    """to_dataset opens the file lazily; a later Simulate still appends, and the earlier dataset stays readable."""
    mm, sr = streamed
    ds, spikes = mm.to_dataset(), sr.to_dataset()
    assert not ds["V_m"].variable._in_memory and not spikes["spike_time"].variable._in_memory
    first = ds["V_m"].isel(time=slice(0, 5)).values
    nest.Simulate(20.0)
    assert mm.to_dataset().sizes["time"] > ds.sizes["time"]
    np.testing.assert_array_equal(ds["V_m"].isel(time=slice(0, 5)).values, first)
    assert np.all(np.diff(mm.to_dataset()["time"].values) > 0)
