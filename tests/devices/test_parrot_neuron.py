"""parrot_neuron: relays every spike at its arrival time with its multiplicity; chains of parrots."""

import numpy as np
import pytest

import eventsim as nest
from device_helpers import times_of


def test_stamp_is_arrival_time():
    """The parrot's spike is stamped with the arrival time (generator time + delay), for each delay."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 3.3]})
    parrots = nest.Create("parrot_neuron", 3)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrots, "all_to_all", {"delay": np.array([[0.1], [1.0], [2.2]])})
    nest.Connect(parrots, sr)
    nest.Simulate(10.0)
    ev = sr.events
    for gid, delay in zip(parrots.tolist(), (0.1, 1.0, 2.2)):
        np.testing.assert_allclose(np.sort(ev["times"][ev["senders"] == gid]), [1.0 + delay, 3.3 + delay],
                                   rtol=0, atol=1e-12)


def test_multiplicity_is_kept_and_simultaneous_inputs_add():
    """A spike of multiplicity m comes out with multiplicity m; simultaneous arrivals add their multiplicities."""
    sg = nest.Create("spike_generator", 2, params=[{"spike_times": [1.0, 2.0], "spike_multiplicities": [3, 1]},
                                                   {"spike_times": [1.0], "spike_multiplicities": [2]}])
    parrot = nest.Create("parrot_neuron")
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrot)
    nest.Connect(parrot, sr)
    nest.Simulate(5.0)
    np.testing.assert_allclose(times_of(sr), [2.0] * 5 + [3.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("weight", [0.0, -3.0, 7.5])
def test_weight_is_ignored(weight):
    """The connection weight does not matter to a parrot (0 and negative weights relay too)."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0], "spike_multiplicities": [2]})
    parrot = nest.Create("parrot_neuron")
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrot, syn_spec={"weight": weight})
    nest.Connect(parrot, sr)
    nest.Simulate(5.0)
    np.testing.assert_allclose(times_of(sr), [2.0, 2.0], rtol=0, atol=1e-12)


def test_chain_of_parrots_adds_the_delays():
    """generator -> parrot -> parrot -> parrot: each stage adds its delay; all stages are recorded."""
    sg = nest.Create("spike_generator", params={"spike_times": [0.5, 2.0], "spike_multiplicities": [1, 2]})
    p = nest.Create("parrot_neuron", 3)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, p[0], syn_spec={"delay": 0.2})
    nest.Connect(p[0], p[1], syn_spec={"delay": 1.0})
    nest.Connect(p[1], p[2], syn_spec={"delay": 0.1})
    nest.Connect(p, sr)
    nest.Simulate(10.0)
    ev = sr.events
    expected = {p[0].global_id: [0.7, 2.2, 2.2], p[1].global_id: [1.7, 3.2, 3.2], p[2].global_id: [1.8, 3.3, 3.3]}
    for gid, times in expected.items():
        np.testing.assert_allclose(np.sort(ev["times"][ev["senders"] == gid]), times, rtol=0, atol=1e-12)


def test_receptor_1_is_accepted_and_not_repeated():
    """Spikes to receptor 1 are accepted (NEST's plasticity port) and not relayed."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    p = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, p[0], syn_spec={"receptor_type": 1})
    nest.Connect(sg, p[1])
    nest.Connect(p, sr)
    nest.Simulate(5.0)
    np.testing.assert_array_equal(sr.events["senders"], [p[1].global_id])


def test_receptor_2_is_refused():
    """A parrot has no receptor 2."""
    sg, p = nest.Create("spike_generator"), nest.Create("parrot_neuron")
    with pytest.raises((nest.UnknownReceptorType, nest.IncompatibleReceptorType), match="receptor_type 2"):
        nest.Connect(sg, p, syn_spec={"receptor_type": 2})


def test_parrot_drives_a_neuron_with_weight_times_multiplicity():
    """The parrot's spike of multiplicity m deposits m x weight into a glif_cond's conductance."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0], "spike_multiplicities": [3]})
    parrot = nest.Create("parrot_neuron")
    neuron = nest.Create("glif_cond", params={"tau_syn": [1.0], "E_rev": [0.0]})
    mm = nest.Create("multimeter", params={"record_from": ["g_1"], "interval": 0.1})
    nest.Connect(sg, parrot)
    nest.Connect(parrot, neuron, syn_spec={"weight": 0.5, "receptor_type": 1, "delay": 1.0})
    nest.Connect(mm, neuron)
    nest.Simulate(6.0)
    t, g = np.asarray(mm.events["times"]), np.asarray(mm.events["g_1"])
    np.testing.assert_allclose(g[np.isclose(t, 4.0)], [1.5], rtol=1e-12)  # peak tau_syn after arrival at 3.0


def test_parrot_has_no_parameters():
    """parrot_neuron refuses unknown parameters."""
    with pytest.raises(nest.BadProperty, match="no parameter 'V_m'"):
        nest.Create("parrot_neuron", params={"V_m": -70.0})
