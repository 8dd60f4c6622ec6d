"""Workload (child process): a recurrent GLIF network driven by Poisson input.

``python benchmarks/workload_network.py --sim nest|eventsim --n 1000 --t 1000 [--rate 15000] [--model glif_psc]
[--threads 2]``

* ``N`` glif_cond (default) or glif_psc neurons at level lif_r_asc_a (``spike_dependent_threshold``,
  ``after_spike_currents`` and ``adapting_threshold`` all True), resolution
  0.05 ms, ``rng_seed`` 12345;
* one poisson_generator of ``--rate`` Hz (default 15 kHz) connected all_to_all to
  the neurons on receptor 1 (weight 1 nS, delay 0.05 ms): both simulators draw
  an independent train per target;
* recurrent ``fixed_indegree`` 50 (``--indegree``) on receptor 2 (weight 0.5 nS,
  delay 1 ms);
* with ``--model glif_psc``: ``tau_syn = [0.2, 2.0]`` ms like glif_cond's, input
  weight 40 pA, recurrent weight -10 pA (about glif_cond's currents near rest);
* a spike_recorder on all neurons, a multimeter on ``V_m`` of the first 10
  neurons (interval 0.05 ms);
* ``local_num_threads`` = ``--threads`` (default 1);
* ``Simulate(T)`` with ``T`` = ``--t`` ms.

Prints one line ``@@BENCH {json}`` with ``sim_s`` (the ``Simulate`` call,
:func:`time.perf_counter`), ``sim_cpu_s`` (its CPU time, :func:`time.process_time`,
less sensitive to a busy machine), ``sim_main_cpu_s`` (the CPU time of the main thread alone,
:func:`time.thread_time`: with threads, about the wall time on free cores), ``build_s`` (``ResetKernel`` .. ``Connect``),
``import_s``, ``spikes`` (total), ``rate_hz`` (mean rate per neuron),
``mm_events``, the parameters, and ``t_start``/``t_end`` (:func:`time.perf_counter`
at the first and last line, from which the harness derives start-up and exit time).
Lean on purpose (no harness import).
"""

import time

_t_start = time.perf_counter()        # CLOCK_MONOTONIC: comparable with the parent's clock
import argparse  # noqa: E402
import json  # noqa: E402

_t_import = time.perf_counter()
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--sim", choices=("nest", "eventsim"), required=True)
parser.add_argument("--n", type=int, default=1000, help="number of neurons")
parser.add_argument("--t", type=float, default=1000.0, help="simulated time (ms)")
parser.add_argument("--rate", type=float, default=15000.0, help="Poisson input rate per neuron (Hz)")
parser.add_argument("--indegree", type=int, default=50, help="recurrent inputs per neuron")
parser.add_argument("--seed", type=int, default=12345, help="rng_seed")
parser.add_argument("--model", choices=("glif_cond", "glif_psc"), default="glif_cond", help="neuron model")
parser.add_argument("--threads", type=int, default=1, help="local_num_threads (both simulators)")
args = parser.parse_args()

if args.sim == "nest":
    import nest
    nest.verbosity = nest.VerbosityLevel.ERROR
else:
    import eventsim as nest
_t_build = time.perf_counter()

N, T = args.n, args.t
nest.ResetKernel()
nest.local_num_threads = args.threads
nest.resolution = 0.05
nest.rng_seed = args.seed
level = {"spike_dependent_threshold": True, "after_spike_currents": True, "adapting_threshold": True}
if args.model == "glif_psc":
    neurons = nest.Create("glif_psc", N, params={**level, "tau_syn": [0.2, 2.0]})
    w_in, w_rec = 40.0, -10.0
else:
    neurons = nest.Create("glif_cond", N, params=level)
    w_in, w_rec = 1.0, 0.5
pg = nest.Create("poisson_generator", params={"rate": args.rate})
nest.Connect(pg, neurons, syn_spec={"weight": w_in, "delay": 0.05, "receptor_type": 1})
nest.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": args.indegree},
             syn_spec={"weight": w_rec, "delay": 1.0, "receptor_type": 2})
sr = nest.Create("spike_recorder")
nest.Connect(neurons, sr)
mm = nest.Create("multimeter", params={"interval": 0.05, "record_from": ["V_m"]})
nest.Connect(mm, neurons[:10])

_t_sim, _cpu_sim, _main_sim = time.perf_counter(), time.process_time(), time.thread_time()
nest.Simulate(T)
_t_done, _cpu_done, _main_done = time.perf_counter(), time.process_time(), time.thread_time()

spikes = int(sr.n_events)
print("@@BENCH " + json.dumps({
    "workload": "network", "model": args.model, "n": N, "t_ms": T, "rate": args.rate, "indegree": args.indegree,
    "seed": args.seed, "threads": args.threads,
    "import_s": _t_build - _t_import, "build_s": _t_sim - _t_build, "sim_s": _t_done - _t_sim, "sim_cpu_s": _cpu_done - _cpu_sim,
    "sim_main_cpu_s": _main_done - _main_sim,
    "spikes": spikes, "rate_hz": spikes / N / (T * 1e-3), "mm_events": int(mm.n_events),
    "t_start": _t_start, "t_end": time.perf_counter(),
}), flush=True)
