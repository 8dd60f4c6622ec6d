"""spike_recorder in generator -> parrot -> spike_recorder chains: window, senders, times, n_events, clearing."""

import numpy as np
import pytest

import eventsim as nest


def chain(sr_params=None, spike_times=(1.0, 2.0, 3.0, 4.0, 5.0), n_parrots=2):
    """spike_generator -> n parrots (delay 1) -> spike_recorder; return (recorder, parrots)."""
    sg = nest.Create("spike_generator", params={"spike_times": list(spike_times)})
    parrots = nest.Create("parrot_neuron", n_parrots)
    sr = nest.Create("spike_recorder", params=sr_params or {})
    nest.Connect(sg, parrots)
    nest.Connect(parrots, sr)
    return sr, parrots


def test_senders_and_times():
    """Every relayed spike is recorded once with its parrot's id and its time."""
    sr, parrots = chain(spike_times=(1.0, 2.5))
    nest.Simulate(10.0)
    pairs = sorted(zip(np.asarray(sr.events["senders"]).tolist(), np.asarray(sr.events["times"]).tolist()))
    a, b = parrots.tolist()
    assert pairs == [(a, 2.0), (a, 3.5), (b, 2.0), (b, 3.5)]
    assert sr.n_events == 4
    assert sr.get("n_events") == 4


@pytest.mark.parametrize("params, expected", [
    ({"start": 3.0}, [4.0, 5.0, 6.0]),
    ({"stop": 4.0}, [2.0, 3.0, 4.0]),
    ({"start": 2.0, "stop": 5.0}, [3.0, 4.0, 5.0]),
    ({"origin": 1.0, "start": 2.0, "stop": 4.0}, [4.0, 5.0]),
    ({"start": 3.0, "stop": 3.0}, []),
])
def test_window_is_start_exclusive_stop_inclusive(params, expected):
    """Only spikes with origin + start < t <= origin + stop are recorded."""
    sr, _ = chain(params, n_parrots=1)
    nest.Simulate(10.0)
    np.testing.assert_allclose(np.sort(sr.events["times"]), expected, rtol=0, atol=1e-12)


def test_events_order_as_nest():
    """events come in NEST's order: by min_delay slice, then sender, then time."""
    sg = nest.Create("spike_generator", params={"spike_times": [0.2, 0.5, 1.1, 1.4]})
    parrots = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrots, "all_to_all", {"delay": np.array([[1.0], [1.2]])})
    nest.Connect(parrots, sr, syn_spec={"delay": 1.0})
    nest.Simulate(5.0)
    a, b = parrots.tolist()
    # slices of min_delay = 1 ms: (1, 2] then (2, 3]; within a slice by sender, then time (checked against NEST)
    assert np.asarray(sr.events["senders"]).tolist() == [a, a, b, b, a, a, b, b]
    assert np.asarray(sr.events["times"]).tolist() == [1.2, 1.5, 1.4000000000000001, 1.7, 2.1, 2.4,
                                                       2.3000000000000003, 2.6]


def test_n_events_zero_clears_and_recording_goes_on():
    """Setting n_events = 0 forgets the recorded spikes; later spikes are recorded again."""
    sr, _ = chain(n_parrots=1)
    nest.Simulate(3.5)
    assert sr.n_events == 2
    sr.n_events = 0
    assert sr.n_events == 0
    assert len(sr.events["times"]) == len(sr.events["senders"]) == 0
    nest.Simulate(10.0)
    np.testing.assert_allclose(np.sort(sr.events["times"]), [4.0, 5.0, 6.0], rtol=0, atol=1e-12)
    sr.set(n_events=0)
    assert sr.n_events == 0


def test_n_events_can_only_be_set_to_zero():
    """n_events other than 0 is refused."""
    sr, _ = chain()
    with pytest.raises(nest.BadProperty, match="n_events"):
        sr.n_events = 3


def test_spikes_are_visible_after_each_simulate():
    """Spikes stamped up to the end of a Simulate call are in events when it returns."""
    sr, _ = chain(n_parrots=1)
    seen = []
    for _ in range(6):
        nest.Simulate(1.0)
        seen.append(sr.n_events)
    assert seen == [0, 1, 2, 3, 4, 5]


def test_recorder_records_neurons_and_generators():
    """One recorder takes spikes from parrots and straight from a spike_generator (multiplicity repeated)."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0], "spike_multiplicities": [2, 1]})
    parrot = nest.Create("parrot_neuron")
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrot)
    nest.Connect(sg + parrot, sr)
    nest.Simulate(5.0)
    pairs = sorted(zip(np.asarray(sr.events["senders"]).tolist(), np.asarray(sr.events["times"]).tolist()))
    assert pairs == [(1, 1.0), (1, 1.0), (1, 2.0), (2, 2.0), (2, 2.0), (2, 3.0)]


def test_recorder_cannot_send():
    """A spike_recorder is not a source."""
    with pytest.raises(nest.IllegalConnection, match="spike_recorder"):
        nest.Connect(nest.Create("spike_recorder"), nest.Create("parrot_neuron"))
