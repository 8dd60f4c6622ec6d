"""spike_recorder: window, multiplicity, events and the spike dataset."""

import numpy as np
import pytest

import eventsim as nest
from recorder_helpers import recorder_of, small_network


def parrot_spikes(times, multiplicities=None, **params):
    """Two parrots relaying a spike_generator's train (delay 0.1 ms) into a spike_recorder; return it."""
    nest.resolution = 0.1
    generator = nest.Create("spike_generator", params={"spike_times": times,
                                                       **({"spike_multiplicities": multiplicities}
                                                          if multiplicities else {})})
    parrots = nest.Create("parrot_neuron", 2)
    nest.Connect(generator, parrots, syn_spec={"delay": 0.1})
    sr = nest.Create("spike_recorder", params=params)
    nest.Connect(parrots, sr)
    nest.Simulate(10.0)
    return sr


def test_events_are_flat_pynest_arrays():
    """events has int64 senders and float64 times (ms) of equal length; spikes of the last step count."""
    sr = parrot_spikes([1.0, 4.0, 9.9])
    events = sr.events
    assert set(events) == {"senders", "times"}
    assert events["senders"].dtype == np.int64 and events["times"].dtype == np.float64
    assert events["senders"].tolist() == [2, 3, 2, 3, 2, 3]
    np.testing.assert_array_equal(events["times"], [1.1, 1.1, 4.1, 4.1, 10.0, 10.0])
    assert sr.n_events == 6


def test_window_and_multiplicity():
    """Spikes in (origin + start, origin + stop] only; multiplicity m is stored m times."""
    sr = parrot_spikes([1.0, 2.0, 3.0, 4.0], multiplicities=[1, 2, 1, 1], origin=1.0, start=0.1, stop=2.1)
    assert sr.events["times"].tolist() == [2.1] * 4 + [3.1] * 2


def test_dataset_layout():
    """A CF indexed ragged array: spike_time, spike_sender_index (into sender) and spike_sender along
    spike (by time, then sender); spike_count per connected node."""
    _, sr = small_network(sims=[80.0])
    ds = recorder_of(sr).to_dataset()
    assert set(ds.data_vars) == {"spike_time", "spike_sender_index", "spike_sender", "spike_count"}
    assert ds["spike_time"].dims == ds["spike_sender"].dims == ds["spike_sender_index"].dims == ("spike",)
    assert ds["spike_sender_index"].attrs["instance_dimension"] == "sender"
    assert ds["spike_sender_index"].dtype == np.int32
    np.testing.assert_array_equal(ds["sender"].values[ds["spike_sender_index"].values], ds["spike_sender"].values)
    assert ds["spike_count"].dims == ("sender",)
    assert ds["sender"].values.tolist() == [1, 2, 3]
    assert ds["spike_time"].attrs["units"] == "ms"
    key = ds["spike_time"].values * 1e4 + ds["spike_sender"].values
    assert np.all(np.diff(key) >= 0)
    assert ds.sizes["spike"] > 10
    for gid, count in zip(ds["sender"].values, ds["spike_count"].values):
        assert count == np.sum(ds["spike_sender"].values == gid)
    events = sr.events
    assert sorted(zip(events["times"], events["senders"])) == sorted(
        zip(ds["spike_time"].values, ds["spike_sender"].values))


def test_silent_sources_have_zero_count():
    """A connected node that never fires has spike_count 0."""
    nest.resolution = 0.1
    quiet = nest.Create("glif_cond", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(quiet, sr)
    nest.Simulate(5.0)
    ds = recorder_of(sr).to_dataset()
    assert ds.sizes["spike"] == 0 and ds["spike_count"].values.tolist() == [0, 0]


def test_n_events_zero_clears():
    """n_events = 0 forgets the recorded spikes."""
    sr = parrot_spikes([1.0, 4.0])
    sr.n_events = 0
    assert sr.n_events == 0 and sr.events["times"].size == 0
    with pytest.raises(nest.BadProperty, match="n_events can only be set to 0"):
        sr.set(n_events=3)
