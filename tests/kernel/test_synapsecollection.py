"""SynapseCollection: set weights and delays change what the simulation delivers; stale handles raise."""

import numpy as np
import pytest

import eventsim as nest


def relay(delay=1.0):
    """spike_generator -> parrot -> parrot -> recorder; returns (generator, parrots, recorder)."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    p = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, p[0])
    nest.Connect(p[0], p[1], syn_spec={"delay": delay})
    nest.Connect(p[1], sr)
    return sg, p, sr


def test_set_delay_moves_the_spike():
    """A delay set on the connection takes effect in the next Simulate."""
    _, p, sr = relay()
    nest.GetConnections(p[0], p[1]).set(delay=2.5)
    nest.Simulate(10.0)
    # generator spike at 1.0, parrot 0 at 2.0 (delay 1), parrot 1 at 4.5 (delay 2.5)
    ev = sr.events
    assert ev["times"][ev["senders"] == p[1].global_id].tolist() == [4.5]


def test_weight_set_later_acts_as_if_connected_with_it():
    """A weight set through SetStatus gives the trace of a connection made with that weight."""
    def trace(connect_weight, set_weight=None):
        nest.ResetKernel()
        sg = nest.Create("spike_generator", params={"spike_times": [1.0, 3.0]})
        n = nest.Create("glif_cond")
        mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.1})
        nest.Connect(sg, n, syn_spec={"weight": connect_weight, "receptor_type": 1})
        nest.Connect(mm, n)
        if set_weight is not None:
            nest.SetStatus(nest.GetConnections(sg), {"weight": set_weight})
        nest.Simulate(20.0)
        return mm.events["V_m"]
    changed = trace(1.0, 3.0)
    assert np.array_equal(changed, trace(3.0))
    assert not np.allclose(changed, trace(1.0))


def test_get_reads_current_values_and_slices_share_them():
    """get after set through a slice sees the new values in the whole collection."""
    p = nest.Create("parrot_neuron", 3)
    nest.Connect(p, p)
    c = nest.GetConnections()
    c[2:5].set(weight=[5.0, 6.0, 7.0])
    assert c.weight == [1.0, 1.0, 5.0, 6.0, 7.0, 1.0, 1.0, 1.0, 1.0]
    assert nest.GetConnections(p[0]).weight == [1.0, 1.0, 5.0]


def test_connections_from_before_reset_kernel_raise():
    """A SynapseCollection of a discarded kernel refuses get and set."""
    p = nest.Create("parrot_neuron", 2)
    nest.Connect(p, p)
    c = nest.GetConnections()
    nest.ResetKernel()
    with pytest.raises(nest.KernelException, match="before ResetKernel"):
        c.get("weight")
    with pytest.raises(nest.KernelException, match="before ResetKernel"):
        c.set(weight=2.0)


def test_pandas_output():
    """output='pandas' gives a DataFrame indexed by source."""
    pytest.importorskip("pandas")
    p = nest.Create("parrot_neuron", 2)
    nest.Connect(p, p, syn_spec={"weight": np.array([[1.0, 2.0], [3.0, 4.0]])})
    df = nest.GetConnections().get(["target", "weight"], output="pandas")
    assert df.index.tolist() == [1, 1, 2, 2]
    assert df["weight"].tolist() == [1.0, 3.0, 2.0, 4.0]
def test_synapse_model_filter_is_applied():
    """GetConnections(synapse_model=...) keeps only that model's connections."""
    nest.CopyModel("static_synapse", "excitatory", {"weight": 4.0})
    p = nest.Create("parrot_neuron", 3)
    nest.Connect(p[0], p[1])
    nest.Connect(p[1], p[2], syn_spec={"synapse_model": "excitatory"})
    c = nest.GetConnections(synapse_model="excitatory")
    assert (c.source, c.target, c.weight, c.synapse_model) == (2, 3, 4.0, "excitatory")
    assert nest.GetConnections(synapse_model="static_synapse").get(["source", "target"]) == {"source": 1,
                                                                                             "target": 2}


