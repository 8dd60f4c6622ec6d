"""spike_generator: hand-computed spike trains through parrot_neurons, windows, weights and errors."""

import numpy as np
import pytest

import eventsim as nest
from device_helpers import relay, times_of


def test_spike_times_arrive_after_the_delay():
    """A spike at t reaches the parrot at t + delay; the parrot emits it then (stamp = arrival)."""
    sr, parrots, _ = relay("spike_generator", {"spike_times": [1.0, 2.5, 4.0]}, delay=1.0)
    np.testing.assert_array_equal(sr.events["times"], [2.0, 3.5, 5.0])
    np.testing.assert_array_equal(sr.events["senders"], [parrots.global_id] * 3)


@pytest.mark.parametrize("delay, expected", [(0.1, [1.1, 2.6]), (2.3, [3.3, 4.8]), (0.7, [1.7, 3.2])])
def test_delay_shifts_every_spike(delay, expected):
    """Every spike is shifted by exactly the connection delay."""
    sr, _, _ = relay("spike_generator", {"spike_times": [1.0, 2.5]}, delay=delay)
    np.testing.assert_allclose(times_of(sr), expected, rtol=0, atol=1e-12)


def test_window_excludes_start_and_includes_stop():
    """Spikes are sent for origin + start < t <= origin + stop: a spike at start is dropped, one at stop kept."""
    sr, _, _ = relay("spike_generator", {"spike_times": [1.0, 2.5, 4.0, 4.1], "start": 1.0, "stop": 4.0})
    np.testing.assert_allclose(times_of(sr), [3.5, 5.0], rtol=0, atol=1e-12)


def test_origin_shifts_times_and_window():
    """origin shifts the spike times and the window: spike t is sent at origin + t if start < t <= stop."""
    sr, _, _ = relay("spike_generator", {"spike_times": [0.5, 1.0, 2.0, 2.5], "origin": 2.0, "start": 0.5,
                                         "stop": 2.0}, t_sim=10.0)
    np.testing.assert_allclose(times_of(sr), [4.0, 5.0], rtol=0, atol=1e-12)


def test_multiplicities_are_relayed_and_recorded_repeatedly():
    """A spike of multiplicity m leaves the parrot with multiplicity m and is recorded m times."""
    sr, _, _ = relay("spike_generator", {"spike_times": [1.0, 2.0, 3.0], "spike_multiplicities": [1, 3, 2]},
                     n_parrots=2)
    assert sr.n_events == 2 * (1 + 3 + 2)
    times, counts = np.unique(sr.events["times"], return_counts=True)
    np.testing.assert_allclose(times, [2.0, 3.0, 4.0], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(counts, [2, 6, 4])


def test_multiplicity_zero_sends_nothing():
    """A multiplicity of 0 is accepted (as NEST) and sends no spike."""
    sr, _, _ = relay("spike_generator", {"spike_times": [1.0, 2.0], "spike_multiplicities": [0, 2]})
    np.testing.assert_allclose(times_of(sr), [3.0, 3.0], rtol=0, atol=1e-12)


def test_equal_spike_times_give_two_spikes():
    """Repeated spike times are legal and send one spike each."""
    sr, _, _ = relay("spike_generator", {"spike_times": [1.0, 1.0, 2.0]})
    np.testing.assert_allclose(times_of(sr), [2.0, 2.0, 3.0], rtol=0, atol=1e-12)


def test_spikes_before_the_current_time_are_skipped():
    """spike_times set after a Simulate: times not after the current time are skipped, later ones sent."""
    sr, _, sg = relay("spike_generator", {"spike_times": [1.0]}, t_sim=5.0)
    sg.spike_times = [3.0, 5.0, 5.1, 7.0]
    nest.Simulate(5.0)
    np.testing.assert_allclose(times_of(sr), [2.0, 6.1, 8.0], rtol=0, atol=1e-12)


def test_each_generator_of_a_population_has_its_own_times():
    """Per-node spike_times (a list of lists) give each generator its own train."""
    sg = nest.Create("spike_generator", 2, params={"spike_times": [[1.0], [2.0, 3.0]]})
    parrots = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrots, "one_to_one")
    nest.Connect(parrots, sr)
    nest.Simulate(5.0)
    np.testing.assert_array_equal(sr.events["senders"], [3, 4, 4])
    np.testing.assert_allclose(sr.events["times"], [2.0, 3.0, 4.0], rtol=0, atol=1e-12)


def test_spike_weights_scale_the_conductance():
    """weight x spike_weight x multiplicity is the alpha-conductance peak, reached tau_syn after arrival."""
    tau, w = 2.0, 1.5
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 10.0], "spike_weights": [2.0, 0.5],
                                                 "spike_multiplicities": [1, 3]})
    neuron = nest.Create("glif_cond", params={"tau_syn": [tau], "E_rev": [0.0]})
    mm = nest.Create("multimeter", params={"record_from": ["g_1"], "interval": 0.1})
    nest.Connect(sg, neuron, syn_spec={"weight": w, "delay": 1.0, "receptor_type": 1})
    nest.Connect(mm, neuron)
    nest.Simulate(30.0)
    t, g = np.asarray(mm.events["times"]), np.asarray(mm.events["g_1"])
    expected = np.zeros_like(t)
    for arrival, peak in ((2.0, w * 2.0), (11.0, w * 0.5 * 3)):
        s = np.clip(t - arrival, 0.0, None)
        expected += peak * s / tau * np.exp(1.0 - s / tau)
    np.testing.assert_allclose(g, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(g[np.isclose(t, 4.0)], [3.0], rtol=1e-12)


def test_spike_times_read_back_on_the_grid():
    """Times read back as the grid values NEST reports (tics x 0.001 ms)."""
    sg = nest.Create("spike_generator", params={"spike_times": [0.30000000000000004, 2.3]})
    assert sg.spike_times.tolist() == [0.3, 2.3000000000000003]


def test_offgrid_times_move_to_the_end_of_their_step():
    """With allow_offgrid_times an off-grid time moves up to the end of its step; within half a tic it stays."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0004, 1.0006, 1.04, 1.25],
                                                 "allow_offgrid_times": True})
    np.testing.assert_allclose(sg.spike_times, [1.0, 1.1, 1.1, 1.3], rtol=0, atol=1e-12)


def test_defaults():
    """Defaults as NEST: empty arrays, origin = start = 0, stop = inf, allow_offgrid_times False."""
    d = nest.GetDefaults("spike_generator")
    assert len(d["spike_times"]) == len(d["spike_weights"]) == len(d["spike_multiplicities"]) == 0
    assert (d["origin"], d["start"], d["stop"], d["allow_offgrid_times"]) == (0.0, 0.0, np.inf, False)


@pytest.mark.parametrize("params, match", [
    ({"spike_times": [2.0, 1.0]}, "sorted"),
    ({"spike_times": [0.0, 1.0]}, "positive"),
    ({"spike_times": [-1.0]}, "positive"),
    ({"spike_times": [1.05]}, "not a multiple of the resolution"),
    ({"spike_times": [1.0006]}, "not a multiple of the resolution"),
    ({"spike_times": [1.0, 2.0], "spike_weights": [1.0]}, "spike_weights"),
    ({"spike_times": [1.0, 2.0], "spike_multiplicities": [1, 1, 1]}, "spike_multiplicities"),
    ({"spike_times": [1.0], "spike_multiplicities": [-1]}, "non-negative integers"),
    ({"spike_times": [1.0], "spike_multiplicities": [1.5]}, "non-negative integers"),
    ({"spike_times": "soon"}, "list of numbers"),
    ({"spike_times": [1.0, np.nan]}, "finite"),
    ({"start": 5.0, "stop": 2.0}, "stop"),
    ({"start": 0.05}, "not a multiple of the resolution"),
    ({"origin": "now"}, "must be a number"),
    ({"allow_offgrid_times": "yes"}, "boolean"),
])
def test_illegal_parameters(params, match):
    """Illegal spike_generator parameters raise BadProperty naming the problem."""
    with pytest.raises(nest.BadProperty, match=match):
        nest.Create("spike_generator", params=params)


def test_illegal_set_leaves_the_node_unchanged():
    """A rejected set() changes nothing."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0]})
    with pytest.raises(nest.BadProperty, match="spike_weights"):
        sg.set(spike_weights=[1.0, 2.0, 3.0])
    np.testing.assert_array_equal(sg.spike_times, [1.0, 2.0])
    assert len(sg.spike_weights) == 0


def test_unknown_parameter():
    """An unknown parameter name raises BadProperty listing the known ones."""
    with pytest.raises(nest.BadProperty, match="no parameter 'spike_time'.*spike_times"):
        nest.Create("spike_generator", params={"spike_time": [1.0]})
