"""Handles from before ResetKernel (NodeCollections, connections) raise a clear error when used."""

import pytest

import eventsim as nest


@pytest.fixture
def stale():
    """Nodes (two parrots and a recorder) and connections made, then ResetKernel, then new nodes."""
    p = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(p, sr)
    conns = nest.GetConnections()
    nest.ResetKernel()
    nest.Create("parrot_neuron", 3)  # new nodes reuse the global ids 1..3
    return p, sr, conns


@pytest.mark.parametrize("use", [
    lambda p, sr, c: p.get("global_id"),
    lambda p, sr, c: p.get(),
    lambda p, sr, c: p.set(foo=1.0),
    lambda p, sr, c: nest.GetStatus(p),
    lambda p, sr, c: nest.SetStatus(p, {"foo": 1.0}),
    lambda p, sr, c: sr.events,
    lambda p, sr, c: sr.n_events,
    lambda p, sr, c: nest.Connect(p, p),
    lambda p, sr, c: nest.Connect(nest.Create("parrot_neuron"), p),
])
def test_stale_node_collection_raises(stale, use):
    """Every use of a stale NodeCollection raises KernelException naming ResetKernel."""
    with pytest.raises(nest.KernelException, match="before ResetKernel"):
        use(*stale)


def test_stale_node_collection_still_prints_and_counts(stale):
    """len and repr still work (as in NEST) and the repr says the collection is invalid."""
    p, _, _ = stale
    assert len(p) == 2
    assert "before ResetKernel" in repr(p)
