"""CopyModel, synapse defaults, Disconnect, GetNodes, PrintNodes and Prepare/Run/Cleanup in simulations."""

import numpy as np
import pytest

import eventsim as nest


def chain(syn_spec=None):
    """spike_generator -> parrot a -> parrot b, both parrots recorded; returns (a, b, recorder)."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 5.0]})
    a, b = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, a)
    nest.Connect(a, b, syn_spec=syn_spec)
    nest.Connect(a + b, sr)
    return a, b, sr


def times_of(sr, node):
    ev = sr.events
    return ev["times"][ev["senders"] == node.global_id].tolist()


def test_copied_synapse_delay_default_is_used():
    """A copy of static_synapse with delay 3 ms delays the relayed spikes by 3 ms."""
    nest.CopyModel("static_synapse", "slow", {"delay": 3.0})
    a, b, sr = chain({"synapse_model": "slow"})
    nest.Simulate(12.0)
    assert times_of(sr, a) == [2.0, 6.0]
    assert times_of(sr, b) == [5.0, 9.0]


def test_static_synapse_defaults_apply_to_later_connections_only():
    """SetDefaults on static_synapse changes connections made afterwards, with the delay rounded to the grid."""
    p = nest.Create("parrot_neuron", 3)
    nest.Connect(p[0], p[1])
    nest.SetDefaults("static_synapse", {"weight": 2.0, "delay": 2.04})
    nest.Connect(p[1], p[2])
    assert nest.GetConnections().get(["weight", "delay"]) == {"weight": [1.0, 2.0], "delay": [1.0, 2.0]}


def test_disconnect_stops_delivery_between_simulate_calls():
    """After Disconnect the second spike no longer reaches b."""
    a, b, sr = chain()
    nest.Simulate(4.0)
    nest.Disconnect(a, b)
    nest.Simulate(8.0)
    assert times_of(sr, a) == [2.0, 6.0]
    assert times_of(sr, b) == [3.0]


def test_disconnect_refuses_missing_pairs_before_removing_anything():
    """If one pair of a one_to_one Disconnect is not connected, no connection is removed."""
    p = nest.Create("parrot_neuron", 4)
    nest.Connect(p[0], p[2])
    with pytest.raises(nest.NESTErrors.InexistentConnection, match="node 2 to node 4"):
        nest.Disconnect(p[:2], p[2:])
    assert nest.num_connections == 1


def test_connections_of_a_collection_stay_themselves_after_others_are_disconnected():
    """c[i].disconnect() one by one in random order removes exactly connection i (NEST: every pair once).

    Positions shift when connections are removed; the collection must follow its connections, not
    positions (it once removed or reported the wrong connections, or raised IndexError).
    """
    p = nest.Create("parrot_neuron", 4)
    nest.Connect(p, p)
    c = nest.GetConnections()
    pairs = list(zip(c.sources(), c.targets()))
    order = np.random.default_rng(3).permutation(len(c))
    for k, i in enumerate(order[:6]):
        assert c[int(i)].get(["source", "target"]) == dict(zip(["source", "target"], pairs[i]))
        c[int(i)].disconnect()
        left = set(zip(nest.GetConnections().sources(), nest.GetConnections().targets()))
        assert left == set(pairs) - {pairs[j] for j in order[:k + 1]}
    kept = int(order[6])
    c[kept].set(weight=3.0)
    weights = dict(zip(zip(nest.GetConnections().sources(), nest.GetConnections().targets()),
                       nest.GetConnections().get("weight")))
    assert weights[pairs[kept]] == 3.0 and sorted(weights.values())[:-1] == [1.0] * (len(weights) - 1)
    with pytest.raises(nest.NESTErrors.KernelException, match="removed by Disconnect"):
        c[int(order[0])].get("weight")
    with pytest.raises(nest.NESTErrors.KernelException, match="removed by Disconnect"):
        c.get("weight")


def test_copied_neuron_model_keeps_its_name_and_its_own_population():
    """Create of a copy after the original: separate defaults and model names per node."""
    nest.CopyModel("glif_cond", "high_threshold", {"V_th": -40.0})
    n = nest.Create("glif_cond", 2) + nest.Create("high_threshold", 2)
    assert n.get("model") == ("glif_cond", "glif_cond", "high_threshold", "high_threshold")
    assert n.V_th == (nest.GetDefaults("glif_cond", "V_th"),) * 2 + (-40.0, -40.0)
    assert nest.GetNodes({"model": "high_threshold"}).tolist() == [3, 4]


def test_print_nodes(capsys):
    """PrintNodes prints one line per run of ids of one model."""
    nest.Create("glif_cond")
    nest.Create("parrot_neuron", 2)
    nest.PrintNodes()
    assert capsys.readouterr().out.splitlines() == ["1      glif_cond", "2 .. 3 parrot_neuron"]


def test_run_manager_equals_simulate():
    """Runs inside a RunManager give the spikes of one Simulate call."""
    def spikes(pieces):
        nest.ResetKernel()
        pg = nest.Create("poisson_generator", params={"rate": 2000.0})
        p = nest.Create("parrot_neuron", 3)
        sr = nest.Create("spike_recorder")
        nest.Connect(pg, p)
        nest.Connect(p, sr)
        if pieces:
            with nest.RunManager():
                for t in pieces:
                    nest.Run(t)
        else:
            nest.Simulate(20.0)
        return sr.events["times"]
    whole = spikes(None)
    assert whole.size > 10
    assert np.array_equal(spikes([5.0, 0.1, 14.9]), whole)


def test_precise_off_grid_times_are_recorded_exactly():
    """A recorder fed directly by precise times records them exactly (NEST: step and offset), with repeats."""
    sg = nest.Create("spike_generator", params={"precise_times": True, "spike_times": [1.23, 3.0001, 4.0],
                                                "spike_multiplicities": [2, 1, 1]})
    sr = nest.Create("spike_recorder")
    steps = nest.Create("spike_recorder", params={"time_in_steps": True})
    nest.Connect(sg, sr)
    nest.Connect(sg, steps)
    nest.Simulate(5.0)
    np.testing.assert_allclose(sr.events["times"], [1.23, 1.23, 3.0001, 4.0], rtol=0, atol=1e-12)
    assert steps.events["times"].tolist() == [13, 13, 31, 40]
    np.testing.assert_allclose(steps.events["offsets"], [0.07, 0.07, 0.0999, 0.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(sr.to_dataset()["spike_time"].values, [1.23, 1.23, 3.0001, 4.0], rtol=0, atol=1e-12)


def test_precise_times_reach_neurons_at_the_end_of_their_step():
    """precise_times keeps 1.23 ms as given; a parrot relays it as a spike of step 1.3 ms (+ 1 ms delay)."""
    sg = nest.Create("spike_generator", params={"precise_times": True, "spike_times": [1.23, 2.0]})
    p = nest.Create("parrot_neuron")
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, p)
    nest.Connect(p, sr)
    nest.Simulate(5.0)
    assert sg.spike_times.tolist() == [1.23, 2.0]
    assert sr.events["times"].tolist() == [2.3000000000000003, 3.0]


def test_shift_now_spikes_after_a_simulate():
    """A spike at the current time is shifted one step with shift_now_spikes, lost without it (as NEST)."""
    sg = nest.Create("spike_generator", 2)
    sr = nest.Create("spike_recorder")
    p = nest.Create("parrot_neuron", 2)
    nest.Connect(sg, p, "one_to_one")
    nest.Connect(p, sr)
    nest.Simulate(2.0)
    sg.set([{"spike_times": [2.0], "shift_now_spikes": True}, {"spike_times": [2.0]}])
    nest.Simulate(5.0)
    assert sg.spike_times[0].tolist() == [2.1]
    assert sr.events["senders"].tolist() == [p[0].global_id]
