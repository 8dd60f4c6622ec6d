"""local_num_threads: the models' work runs on that many threads, with results identical bit for bit.

The networks have more neurons than two and three threads' minimum slices, parameters that
differ per neuron, partial multimeters whose neurons straddle the slice boundaries, and are
run in several ``Simulate`` pieces; the glif_cond cases cover all four ways of integrating the
membrane (closed form, solver, Gauss-Legendre and adaptive quadrature).
"""

import os
import signal
import warnings

import numpy as np
import pytest

import eventsim as nest
from eventsim.workers import Workers

N = 400
LEVEL = {"spike_dependent_threshold": True, "after_spike_currents": True, "adapting_threshold": True}
SYNAPSES = {"glif_cond": {"tau_syn": [0.2, 2.0]}, "glif_psc": {"tau_syn": [0.2, 2.0]},
            "glif_psc_double_alpha": {"tau_syn_fast": [0.5, 2.0], "tau_syn_slow": [3.0, 6.0], "amp_slow": [0.3, 0.5]}}


def network(model, threads, quiet=False, noise=False):
    """Spikes and traces (dict of arrays) of a recurrent network of `model` run on `threads` threads."""
    nest.ResetKernel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)          # 3 threads may exceed the machine's cores
        nest.local_num_threads = threads
    nest.resolution = 0.05
    nest.rng_seed = 7
    syn = SYNAPSES[model]
    first = nest.Create(model, N // 2, params={**LEVEL, **syn, "C_m": nest.random.uniform(40.0, 80.0)})
    neurons = first + nest.Create(model, N - N // 2, params=syn)
    w_in, w_rec = (1.0, 0.5) if model == "glif_cond" else (40.0, -10.0)
    if quiet:            # input-free stretches (solver, closed form), a stiff neuron and a fast synapse
        neurons[5].set({"C_m": 0.05})
        neurons[N - 3].set({"tau_syn": [0.01, 2.0]})
        sg = nest.Create("spike_generator", params={"spike_times": [2.0, 10.0, 25.0, 40.0, 52.0]})
        nest.Connect(sg, neurons, syn_spec={"weight": 3.0, "delay": 0.05, "receptor_type": 1})
    else:
        pg = nest.Create("poisson_generator", params={"rate": 15000.0})
        nest.Connect(pg, neurons, syn_spec={"weight": w_in, "delay": 0.05, "receptor_type": 1})
    nest.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": 20},
                 syn_spec={"weight": w_rec, "delay": 4.0 if quiet else 1.0, "receptor_type": 2})
    if noise:
        ng = nest.Create("noise_generator", params={"mean": 20.0, "std": 100.0, "dt": 0.5})
        nest.Connect(ng, neurons)
    sc = nest.Create("step_current_generator", params={"amplitude_times": [5.0, 30.0],
                                                       "amplitude_values": [600.0 if quiet else 150.0, 0.0]})
    nest.Connect(sc, neurons[::150] if quiet else neurons[::7])
    sr = nest.Create("spike_recorder")
    nest.Connect(neurons, sr)
    record = ["V_m", "threshold", "ASCurrents_sum", "I", "g_1" if model == "glif_cond" else "I_syn"]
    mm = nest.Create("multimeter", params={"interval": 0.05, "record_from": record})
    nest.Connect(mm, neurons[[0, 5, N // 3, N // 3 + 1, N // 2 - 1, N // 2, N - 3, N - 1]])
    for t in ((20.0, 25.35, 14.65) if quiet else (12.0, 4.35, 3.65)):
        nest.Simulate(t)
    events = mm.events
    return {"senders": np.asarray(sr.events["senders"]), "times": np.asarray(sr.events["times"]),
            **{k: np.asarray(events[k]) for k in record}}


def assert_bitwise_equal(a, b):
    assert a.keys() == b.keys()
    for key in a:
        assert a[key].shape == b[key].shape, key
        assert a[key].tobytes() == b[key].tobytes(), f"{key} differs"


@pytest.mark.parametrize("model, quiet, noise", [("glif_cond", False, False), ("glif_cond", True, False),
                                                 ("glif_psc", False, True), ("glif_psc_double_alpha", False, False)])
def test_results_do_not_depend_on_the_thread_count(model, quiet, noise):
    """Spikes and traces of 1, 2 and 3 threads are identical bit for bit."""
    one = network(model, 1, quiet, noise)
    assert one["times"].size > (0 if quiet else 100)
    for threads in (2, 3):
        assert_bitwise_equal(one, network(model, threads, quiet, noise))


def test_spike_deposits_split_over_threads_give_the_same_results(monkeypatch):
    """With the threshold lowered, recurrent spikes are deposited by slices of the targets in several
    threads (as large networks do), and spikes and traces stay identical bit for bit."""
    import eventsim.messages as messages
    import eventsim.nodes.base as base

    one = network("glif_cond", 1)
    monkeypatch.setattr(messages, "MIN_NODES_PER_THREAD", 32)
    split = []
    deposit = base.deposit_spikes

    def spy(block, first_step, *args):
        split.append(args[-2:])
        deposit(block, first_step, *args)
    monkeypatch.setattr(base, "deposit_spikes", spy)
    for threads in (2, 3):
        assert_bitwise_equal(one, network("glif_cond", threads))
    assert {(0, N // 3), (N // 3, 2 * N // 3), (2 * N // 3, N)} <= set(split)


def test_the_models_work_runs_on_several_threads(monkeypatch):
    """With local_num_threads 2 the glif update is handed out as two slices, run in two threads."""
    import threading

    seen = []
    run = Workers.run

    def spy(self, task, n, min_width=1):
        def wrapped(lo, hi):
            seen.append((lo, hi, threading.get_ident()))
            task(lo, hi)
        run(self, wrapped, n, min_width)
    monkeypatch.setattr(Workers, "run", spy)
    nest.ResetKernel()
    nest.local_num_threads = 2
    nest.Create("glif_cond", N)
    nest.Simulate(1.0)
    runs = [sorted(seen[k:k + 2]) for k in range(0, len(seen), 2)]          # the two slices of each run
    assert [(lo, hi) for lo, hi, _ in runs[0]] == [(0, N // 2), (N // 2, N)]   # the first run splits evenly
    for (lo0, hi0, _), (lo1, hi1, _) in runs:                                  # later cuts may move
        assert lo0 == 0 and hi0 == lo1 and hi1 == N and min(hi0 - lo0, hi1 - lo1) >= 128
    assert len({ident for _, _, ident in seen}) == 2


def test_workers_cover_the_range_and_raise_a_tasks_error_after_all_finish():
    """Slices cover range(n) once, respect the minimum width, and a failing slice's error is raised."""
    workers = Workers(3)
    assert workers.slices(10) == [(0, 3), (3, 6), (6, 10)]
    assert workers.slices(10, min_width=5) == [(0, 5), (5, 10)]
    assert workers.slices(4, min_width=64) == [(0, 4)]
    done = np.zeros(300, dtype=int)

    def task(lo, hi):
        done[lo:hi] += 1
        if lo == 0:
            raise ValueError("first slice failed")
    with pytest.raises(ValueError, match="first slice failed"):
        workers.run(task, 300)
    assert np.all(done == 1)
    workers.close()


def test_slices_move_towards_the_slower_thread_and_keep_covering_the_range():
    """When one slice's elements take three times as long, its share shrinks towards a quarter; every run
    still covers range(n) once, with slices at least min_width wide."""
    import time
    workers = Workers(2)
    n = 4000
    seen = []

    def task(lo, hi):
        seen.append((lo, hi))
        time.sleep((hi - lo) * (6e-7 if lo > 0 else 2e-7))     # sleeping releases the GIL, like compiled code
    for _ in range(25):
        seen.clear()
        workers.run(task, n, 64)
        assert sorted(seen)[0][0] == 0 and sorted(seen)[0][1] == sorted(seen)[1][0] and sorted(seen)[1][1] == n
    (lo, hi), = [s for s in seen if s[0] > 0]
    assert (hi - lo) / n < 0.35
    assert workers.slices(n, 64) == [(0, 2000), (2000, 4000)]   # slices() itself stays the even split
    workers.close()


@pytest.mark.parametrize("value", [0, -2, 2.0, 1.5, True, False, "2", None])
def test_invalid_thread_counts_are_refused_before_anything_runs(value):
    """SetKernelStatus and the module attribute refuse invalid local_num_threads, naming it; 1 stays."""
    with pytest.raises(nest.BadProperty, match="local_num_threads"):
        nest.SetKernelStatus({"local_num_threads": value})
    with pytest.raises(nest.BadProperty, match="local_num_threads"):
        nest.local_num_threads = value
    assert nest.local_num_threads == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_threads():
    """A child forked after the pool ran (a multiprocessing worker on Linux) runs slices in new threads
    instead of waiting for the parent's, which it does not have."""
    workers = Workers(2)
    done = np.zeros(1000, dtype=int)

    def task(lo, hi):
        done[lo:hi] += 1
    workers.run(task, 1000)
    pid = os.fork()
    if pid == 0:                                  # the child: never return into pytest
        code = 4
        try:
            signal.alarm(20)                      # a hang ends the child with SIGALRM
            workers.run(task, 1000)
            code = 0 if np.all(done == 2) else 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    workers.close()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child status {status}"
