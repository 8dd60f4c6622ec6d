"""multimeter: parameters, sample grid, visibility, events and storage."""

import numpy as np
import pytest

import eventsim as nest
from recorder_helpers import recorder_of, small_network


# --- parameters -------------------------------------------------------------------------
@pytest.mark.parametrize("interval", [0.15, 0.05, 1.05])
def test_interval_off_the_grid_is_refused(interval):
    """An interval that is not a multiple of the resolution raises, naming the value."""
    nest.resolution = 0.1
    with pytest.raises(nest.BadProperty, match=rf"interval {interval} ms is not a multiple of the resolution"):
        nest.Create("multimeter", params={"interval": interval})
    mm = nest.Create("multimeter")
    with pytest.raises(nest.BadProperty, match=rf"interval {interval} ms"):
        mm.set(interval=interval)
    assert mm.get("interval") == 1.0


@pytest.mark.parametrize("params, message", [
    ({"interval": 0.0}, "interval must be positive"),
    ({"interval": -0.2}, "interval must be positive"),
    ({"offset": -0.1}, "offset must not be negative"),
    ({"offset": 0.05}, "offset 0.05 ms is not a multiple"),
    ({"start": 0.25}, "start 0.25 ms is not a multiple"),
    ({"record_from": "V_m"}, "record_from must be a list of recordable names, got 'V_m'"),
    ({"record_from": ["V_m", 3]}, "record_from must be a list"),
    ({"record_from": ["V_m", "V_m"]}, "lists a name twice"),
    ({"start": 5.0, "stop": 2.0}, r"stop \(2.0 ms\) must not be before start \(5.0 ms\)"),
    ({"label": "a/b"}, "without '/'"),
    ({"record_to": "ascii"}, "record_to must be one of 'memory', 'netcdf', got 'ascii'"),
])
def test_bad_parameters_are_refused(params, message):
    """Each illegal parameter raises BadProperty with a message naming it."""
    nest.resolution = 0.1
    with pytest.raises(nest.BadProperty, match=message):
        nest.Create("multimeter", params=params)


def test_several_multimeters_per_create_are_independent():
    """Create("multimeter", 2) makes two multimeters with their own parameters and samples, as NEST."""
    mms = nest.Create("multimeter", 2, params={"interval": [1.0, 2.0], "record_from": ["V_m"]})
    a, b = nest.Create("glif_cond", 2)
    nest.Connect(mms[0], a)
    nest.Connect(mms[1], b)
    nest.Simulate(6.0)
    assert mms.interval == (1.0, 2.0)
    assert mms.get("events", "senders")[0].tolist() == [a.global_id] * 5
    assert mms.get("events", "times")[1].tolist() == [2.0, 4.0]


def test_record_from_is_checked_at_connect():
    """Connect names the recordable the target lacks and lists the valid ones; nothing is connected."""
    neurons = nest.Create("glif_cond", 2)
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "g_3", "I"]})
    with pytest.raises(nest.BadProperty, match=r"glif_cond cannot record 'g_3'.*recordables are V_m, I, g_1, g_2"):
        nest.Connect(mm, neurons)
    assert recorder_of(mm).targets == []
    parrots = nest.Create("parrot_neuron")
    mm2 = nest.Create("multimeter", params={"record_from": ["V_m"]})
    with pytest.raises(nest.BadProperty, match="parrot_neuron cannot record 'V_m'"):
        nest.Connect(mm2, parrots)


def test_layout_cannot_change_after_connect_but_window_can():
    """record_from, interval and offset are fixed once connected; origin, start and stop are not."""
    neurons = nest.Create("glif_cond")
    mm = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Connect(mm, neurons)
    for key, value in (("record_from", ["I"]), ("interval", 2.0), ("offset", 1.0)):
        with pytest.raises(nest.BadProperty, match=f"{key} cannot change after the multimeter was connected"):
            mm.set({key: value})
    mm.set(start=5.0, stop=8.0, label="mine")
    assert mm.get("start") == 5.0 and mm.get("label") == "mine"


def test_connect_after_samples_is_refused():
    """A multimeter that holds samples cannot gain senders (its dataset has one column per sender)."""
    a, b = nest.Create("glif_cond"), nest.Create("glif_cond")
    mm = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Connect(mm, a)
    nest.Simulate(5.0)
    with pytest.raises(nest.IllegalConnection, match="has recorded samples"):
        nest.Connect(mm, b)


# --- sample grid and visibility -----------------------------------------------------------
def sample_times(resolution, params, sims, delay=None):
    """Times (ms) of one neuron's samples after the Simulate calls `sims`."""
    nest.resolution = resolution
    neuron = nest.Create("glif_cond")
    if delay is not None:
        generator = nest.Create("spike_generator", params={"spike_times": [1.0]})
        nest.Connect(generator, neuron, syn_spec={"delay": delay, "receptor_type": 1})
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], **params})
    nest.Connect(mm, neuron)
    for t in sims:
        nest.Simulate(t)
    return mm.events["times"]


def test_window_with_origin_start_stop():
    """interval 1, origin 1, start 2, stop 7 at 0.1 ms over 20 ms: NEST records 4, 5, 6, 7, 8 ms."""
    np.testing.assert_array_equal(
        sample_times(0.1, {"interval": 1.0, "origin": 1.0, "start": 2.0, "stop": 7.0}, [20.0]), [4, 5, 6, 7, 8])


def test_seed_grid_has_19999_samples_per_neuron():
    """At 0.05 ms with min_delay 0.05 ms, Simulate(1000) shows samples 0.05 ... 999.95 ms per sender."""
    nest.resolution = 0.05
    neurons = nest.Create("glif_cond", 5)
    generator = nest.Create("spike_generator", params={"spike_times": [10.0]})
    nest.Connect(generator, neurons, syn_spec={"delay": 0.05, "receptor_type": 1})
    mm = nest.Create("multimeter", params={"interval": 0.05, "record_from": ["V_m", "g_1"]})
    nest.Connect(mm, neurons)
    nest.Simulate(1000.0)
    events = mm.events
    assert mm.n_events == 5 * 19999
    for gid in neurons.tolist():
        times = events["times"][events["senders"] == gid]
        assert len(times) == 19999
        np.testing.assert_array_equal(times, np.arange(1, 20000) * 50 * 0.001)
    assert times[0] == 0.05 and times[-1] == 999.95


@pytest.mark.parametrize("sims, delay, last", [
    ([20.0], None, 19.0),          # default min_delay 1 ms: the last 1 ms slice is not shown yet
    ([20.0], 0.5, 19.5),           # min_delay 0.5 ms (the multimeter's own 1 ms connection is larger)
    ([2.1], 0.3, 1.8),             # slices of 0.3 ms: the one ending at 2.1 ms is not handed over yet
    ([2.3], 0.5, 2.0),             # Simulate(2.3) ends inside the slice (2.0, 2.5]
    ([2.0, 0.3], 0.5, 2.0),        # the same in two calls
])
def test_samples_of_the_last_slice_appear_after_the_next_call(sims, delay, last):
    """Samples are visible up to the end of the last complete min_delay slice before the end of the run."""
    times = sample_times(0.1, {"interval": 0.1}, sims, delay)
    assert times[-1] == pytest.approx(last, abs=1e-12)


def test_repeated_simulate_equals_one_long_run():
    """Fifty Simulate(2) calls record the samples of one Simulate(100) (NEST's stepping test)."""
    mm, _ = small_network(sims=[2.0] * 50)
    stepped = recorder_of(mm).to_dataset()
    nest.ResetKernel()
    mm, _ = small_network(sims=[100.0])
    whole = recorder_of(mm).to_dataset()
    assert stepped.sizes == whole.sizes
    np.testing.assert_array_equal(stepped["time"].values, whole["time"].values)
    np.testing.assert_array_equal(stepped["sender"].values, whole["sender"].values)
    for name in ("V_m", "I", "g_1", "threshold"):
        # the neuron integrates in other pieces when stepped: equal to the last bit or two
        np.testing.assert_allclose(stepped[name].values, whole[name].values, rtol=1e-12, atol=1e-12)


# --- events -------------------------------------------------------------------------------
def test_events_are_flat_pynest_arrays():
    """events holds senders, times and one flat array per recordable, all of one length."""
    mm, _ = small_network()
    events = mm.events
    assert set(events) == {"senders", "times", "V_m", "I", "g_1", "threshold"}
    n = mm.n_events
    assert all(arr.shape == (n,) for arr in events.values())
    assert events["senders"].dtype == np.int64 and events["times"].dtype == np.float64
    ds = recorder_of(mm).to_dataset()
    for gid in (1, 2, 3):
        mask = events["senders"] == gid
        np.testing.assert_array_equal(events["times"][mask], ds["time"].values)
        np.testing.assert_array_equal(events["V_m"][mask], ds["V_m"].sel(sender=gid).values)


def test_events_follow_nest_slice_order():
    """With 0.5 ms slices and samples every 0.1 ms, events list each slice sender by sender."""
    nest.resolution = 0.1
    neurons = nest.Create("glif_cond", 2)
    generator = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(generator, neurons, syn_spec={"delay": 0.5, "receptor_type": 1})
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m"]})
    nest.Connect(mm, neurons)
    nest.Simulate(1.5)
    assert mm.events["senders"].tolist() == [1] * 5 + [2] * 5 + [1] * 5 + [2] * 5
    np.testing.assert_allclose(mm.events["times"][:10], [0.1, 0.2, 0.3, 0.4, 0.5] * 2)


def test_n_events_zero_forgets_visible_samples_only():
    """n_events = 0 clears what is visible; the unshown last slice appears after the next call."""
    mm, _ = small_network(mm_params={"interval": 0.1}, sims=[20.0])
    assert mm.events["times"].max() == pytest.approx(19.5)
    mm.n_events = 0
    assert mm.n_events == 0 and len(mm.events["times"]) == 0
    nest.Simulate(10.0)
    times = np.unique(mm.events["times"])
    assert times[0] == pytest.approx(19.6) and times[-1] == pytest.approx(29.5)
    mm.set(n_events=0)
    assert mm.n_events == 0


# --- storage ------------------------------------------------------------------------------
def test_storage_is_reserved_exactly():
    """A recording of N senders, S samples and V variables holds about 8 N S V bytes (no growth slack)."""
    nest.resolution = 0.1
    N, V = 400, 3
    neurons = nest.Create("glif_cond", N)
    mm = nest.Create("multimeter", params={"interval": 0.2, "record_from": ["V_m", "g_1", "threshold"]})
    nest.Connect(mm, neurons)
    for t in (40.0, 30.0, 30.0):
        nest.Simulate(t)
    rec = recorder_of(mm)
    S = rec._steps.size                                  # samples held, including the unshown last slice
    assert S == 500
    assert rec.nbytes == pytest.approx(8 * N * S * V, rel=1e-3)
    assert rec.to_dataset().nbytes == pytest.approx(8 * N * rec.n_events / N * V, rel=1e-2)


def test_unconnected_multimeter_has_empty_events_and_dataset():
    """Without targets: empty flat arrays for senders, times and every record_from name."""
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "I"]})
    nest.Simulate(5.0)
    assert {k: v.size for k, v in mm.events.items()} == {"senders": 0, "times": 0, "V_m": 0, "I": 0}
    assert dict(recorder_of(mm).to_dataset()["V_m"].sizes) == {"time": 0, "sender": 0}
