"""Threads using the module-level API each get their own default kernel."""

import threading

import numpy as np

import eventsim as nest
from fault_network import build, samples, spikes


def run_network(seed):
    """Build and run the fault network with `seed` through the module-level API; return (samples, spikes)."""
    nest.ResetKernel()
    nest.rng_seed = seed
    mm, sr = build()
    for t in (7.0, 13.0):
        nest.Simulate(t)
    return samples(mm), spikes(sr), nest.GetKernelStatus("network_size")


def test_threads_running_networks_get_the_results_of_one_thread_alone():
    """Four threads build and run networks at the same time (interleaved at a barrier): each result equals
    the result of the same run in the main thread."""
    seeds = [11, 12, 13, 14]
    expected = {seed: run_network(seed) for seed in seeds}
    results, errors = {}, []
    barrier = threading.Barrier(len(seeds))

    def work(seed):
        try:
            barrier.wait()
            for _ in range(2):
                results.setdefault(seed, []).append(run_network(seed))
        except Exception as err:  # reported below with the seed
            errors.append((seed, err))

    threads = [threading.Thread(target=work, args=(s,)) for s in seeds]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    for seed in seeds:
        for (t, v), (st, ss), size in results[seed]:
            (t0, v0), (st0, ss0), size0 = expected[seed]
            assert size == size0
            np.testing.assert_array_equal(t, t0)
            np.testing.assert_array_equal(v, v0)
            np.testing.assert_array_equal(st, st0)
            np.testing.assert_array_equal(ss, ss0)


def test_a_thread_starts_with_a_fresh_kernel_and_reset_is_per_thread():
    nest.Create("glif_cond", 3)
    nest.Simulate(5.0)
    seen = {}

    def other():
        seen["size"] = nest.GetKernelStatus("network_size")
        nest.Create("parrot_neuron", 2)
        nest.ResetKernel()
        seen["kernel"] = nest.get_kernel()

    th = threading.Thread(target=other)
    th.start()
    th.join()
    assert seen["size"] == 0 and seen["kernel"] is not nest.get_kernel()
    assert nest.GetKernelStatus("network_size") == 3 and nest.biological_time == 5.0
