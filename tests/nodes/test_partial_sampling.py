"""A multimeter on part of a population records exactly the columns of one on all of it.

The models compute a recordable only for the steps and nodes a sampler asks for (glif_psc's
I_syn held through refractoriness, glif_cond's conductances at the end of each step), so a
partial recording takes a different path through that code than a full one.
"""

import numpy as np
import pytest

import eventsim as nest

N = 60


MODELS = [("glif_psc", ["I_syn"]), ("glif_cond", ["g_1", "g_2"])]


def _network(model):
    """Two Creates of `model` driven by Poisson input and recurrent connections; returns the neurons."""
    nest.ResetKernel()
    nest.resolution = 0.05
    nest.rng_seed = 3
    syn = {"tau_syn": [0.5, 2.0]}
    neurons = nest.Create(model, N, params={**syn, "t_ref": 4.0})          # long refractory periods: I_syn held
    neurons += nest.Create(model, 5, params=syn)                            # a second Create
    w = 60.0 if model == "glif_psc" else 2.0
    pg = nest.Create("poisson_generator", params={"rate": 20000.0})
    nest.Connect(pg, neurons, syn_spec={"weight": w, "receptor_type": 1})
    nest.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": 5},
                 syn_spec={"weight": w / 4, "delay": 1.5, "receptor_type": 2})
    return neurons


def _record_and_compare(neurons, record, connect_part):
    """Record `record` from all `neurons` and, with ``connect_part(part)``, from some; simulate in two pieces
    and check that the partial recording equals the full one's rows of its nodes."""
    full = nest.Create("multimeter", params={"interval": 0.05, "record_from": record})
    part = nest.Create("multimeter", params={"interval": 0.05, "record_from": record})
    nest.Connect(full, neurons)
    chosen = connect_part(part)
    sr = nest.Create("spike_recorder")
    nest.Connect(neurons, sr)
    for t in (7.3, 12.0):
        nest.Simulate(t)
    assert sr.n_events > 20
    f, p = full.events, part.events
    assert set(p["senders"].tolist()) == set(chosen)
    keep = np.isin(f["senders"], chosen)
    order_f = np.lexsort((f["senders"][keep], f["times"][keep]))
    order_p = np.lexsort((p["senders"], p["times"]))
    assert np.array_equal(f["senders"][keep][order_f], p["senders"][order_p])
    for name in record:
        values = p[name][order_p]
        assert np.array_equal(f[name][keep][order_f], values), name
        assert np.ptp(values) > 0, name


@pytest.mark.parametrize("model, extra", MODELS)
def test_partial_multimeter_equals_the_full_one_on_its_nodes(model, extra):
    neurons = _network(model)

    def connect(part):
        chosen = neurons[1::7] + neurons[N + 2:N + 4]
        nest.Connect(part, chosen)
        return chosen.tolist()
    _record_and_compare(neurons, ["V_m"] + extra, connect)


@pytest.mark.parametrize("model, extra", MODELS)
def test_partial_multimeter_connected_in_pieces_out_of_order(model, extra):
    """Nodes added to the multimeter by several Connect calls, in descending and mixed order, across both
    Creates: the recording holds each node once, with the full recording's values."""
    neurons = _network(model)
    pieces = [neurons[N + 3], neurons[40:43], neurons[2], neurons[N + 1], neurons[9:11]]

    def connect(part):
        for piece in pieces:
            nest.Connect(part, piece)
        return [gid for piece in pieces for gid in piece.tolist()]
    _record_and_compare(neurons, ["V_m"] + extra, connect)
