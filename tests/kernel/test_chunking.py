"""How the kernel cuts a run into chunks: generators keep ahead, so their targets advance in whole min-delay
chunks; connections sort by source in the same order as numpy's stable argsort."""

import numpy as np
import pytest

import eventsim
from eventsim.connections import stable_order
from eventsim.nodes.glif_cond import GlifCond
from eventsim.nodes.poisson_generator import PoissonGenerator


@pytest.mark.parametrize("n_keys", [1, 7, 1 << 16, (1 << 16) + 1, 300_000, 1 << 32])
def test_stable_order_is_numpys_stable_argsort(n_keys):
    keys = np.random.default_rng(n_keys % 1000).integers(0, n_keys, 50_000)
    np.testing.assert_array_equal(stable_order(keys, n_keys), np.argsort(keys, kind="stable"))


def chunk_lengths(monkeypatch, rate):
    """Lengths (steps) of the neurons' chunks in a 300 ms run."""
    lengths = []
    advance = GlifCond.advance

    def recording_advance(self, t_from, t_to):
        lengths.append(t_to - t_from)
        return advance(self, t_from, t_to)
    monkeypatch.setattr(GlifCond, "advance", recording_advance)
    monkeypatch.setattr(PoissonGenerator, "max_chunk_steps", lambda self: 37)    # not a multiple of the min delay
    eventsim.ResetKernel()
    eventsim.resolution = 0.1
    neurons = eventsim.Create("glif_cond", 200)
    noise = eventsim.Create("poisson_generator", params={"rate": rate})
    eventsim.Connect(noise, neurons, syn_spec={"weight": 1.0, "delay": 0.1, "receptor_type": 1})
    eventsim.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": 5},
                     syn_spec={"weight": 0.5, "delay": 1.0, "receptor_type": 2})
    eventsim.Simulate(300.0)
    return lengths


def test_a_generator_does_not_split_its_targets_chunks(monkeypatch):
    lengths = chunk_lengths(monkeypatch, 20000.0)
    assert sum(lengths) == 3000
    # the min delay is 10 steps; only the first chunk may be cut by the generator's first step
    assert sorted(set(lengths[1:-1])) == [10], sorted(set(lengths))
