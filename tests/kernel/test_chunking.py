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


def network_recording(n_threads):
    """V_m and I of a small network with spike and current input over many inbox blocks, and its spikes."""
    eventsim.ResetKernel()
    eventsim.SetKernelStatus({"resolution": 0.1, "rng_seed": 7, "local_num_threads": n_threads})
    neurons = eventsim.Create("glif_cond", 1000)            # 699 steps per inbox block: 6 blocks in 420 ms
    noise = eventsim.Create("poisson_generator", params={"rate": 15000.0})
    current = eventsim.Create("noise_generator", params={"mean": 50.0, "std": 200.0, "dt": 0.5})
    eventsim.Connect(noise, neurons, syn_spec={"weight": 1.0, "delay": 0.1, "receptor_type": 1})
    eventsim.Connect(current, neurons[::3])
    eventsim.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": 10},
                     syn_spec={"weight": 0.5, "delay": 1.0, "receptor_type": 2})
    meter = eventsim.Create("multimeter", params={"record_from": ["V_m", "I"], "interval": 0.1})
    eventsim.Connect(meter, neurons[5:1000:97])
    recorder = eventsim.Create("spike_recorder")
    eventsim.Connect(neurons, recorder)
    eventsim.Simulate(250.0)
    eventsim.Simulate(170.0)
    events = meter.get("events")
    return [np.asarray(events[k]) for k in ("V_m", "I", "senders")] + \
        [np.asarray(recorder.get("events")[k]) for k in ("senders", "times")]


@pytest.mark.parametrize("n_threads", [1, 2])
def test_reused_inbox_blocks_give_the_same_run_as_new_ones(monkeypatch, n_threads):
    from eventsim import messages
    reused = network_recording(n_threads)
    monkeypatch.setattr(messages, "MAX_SPARE_BLOCKS", 0)
    fresh = network_recording(n_threads)
    assert reused[3].size > 100 and np.ptp(reused[1]) > 0
    for a, b in zip(reused, fresh):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n_threads", [1, 2])
def test_neuron_blocks_of_any_size_give_the_same_run(monkeypatch, n_threads):
    from eventsim.nodes import glif_cond
    whole = network_recording(n_threads)
    monkeypatch.setattr(glif_cond, "NEURONS_PER_BLOCK", 97)       # 11 blocks of the 1000 neurons, the last short
    blocked = network_recording(n_threads)
    for a, b in zip(whole, blocked):
        np.testing.assert_array_equal(a, b)
