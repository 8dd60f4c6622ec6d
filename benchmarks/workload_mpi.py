"""Workload (child process, run under ``mpiexec -n R``): the network benchmark's network split over R ranks.

``mpiexec -n 2 python benchmarks/workload_mpi.py --n 10000 --t 1000 [--input poisson|dc]``

The network of ``workload_network.py``: N glif_cond neurons (lif_r_asc_a), resolution
0.05 ms, rng_seed 12345, recurrent ``fixed_indegree`` 50 on receptor 2 (0.5 nS, 1 ms), a spike
recorder on all neurons and a multimeter on V_m of the first 10.  Input ``poisson`` (default):
one poisson_generator of 15 kHz per neuron on receptor 1 (1 nS, 0.05 ms), as the network
benchmark; its trains depend on R (see docs/mpi.md), so spike counts agree statistically only.
Input ``dc``: a dc_generator of ``--dc`` pA (default 400) per neuron and random initial V_m, which
gives the same spikes on any R (``--save FILE`` writes the recordings to compare).

Rank 0 prints one line ``@@BENCH {json}``: ``sim_s`` (wall time of ``Simulate``, the slowest
rank), ``sim_cpu_s`` (CPU time of each rank), ``exchange_s`` (time each rank spent in the spike
exchange's collectives, waiting for the slower rank included), ``exchanges``, ``build_s``,
``spikes`` (all ranks), ``ranks``, ``local_neurons`` (per rank) and ``loadavg``.
"""

import time

_t_start = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--n", type=int, default=1000, help="number of neurons")
parser.add_argument("--t", type=float, default=1000.0, help="simulated time (ms)")
parser.add_argument("--input", choices=("poisson", "dc"), default="poisson", help="external drive")
parser.add_argument("--rate", type=float, default=15000.0, help="Poisson input rate per neuron (Hz)")
parser.add_argument("--dc", type=float, default=400.0, help="dc input per neuron (pA) with --input dc")
parser.add_argument("--save", default=None, help="write all recordings to this netCDF file after the run")
parser.add_argument("--indegree", type=int, default=50, help="recurrent inputs per neuron")
args = parser.parse_args()

import eventsim as nest  # noqa: E402

_t_build = time.perf_counter()
N = args.n
nest.ResetKernel()
nest.resolution = 0.05
nest.rng_seed = 12345
level = {"spike_dependent_threshold": True, "after_spike_currents": True, "adapting_threshold": True}
if args.input == "poisson":
    neurons = nest.Create("glif_cond", N, params=level)
    pg = nest.Create("poisson_generator", params={"rate": args.rate})
    nest.Connect(pg, neurons, syn_spec={"weight": 1.0, "delay": 0.05, "receptor_type": 1})
else:
    neurons = nest.Create("glif_cond", N, params={**level, "V_m": nest.random.uniform(-80.0, -55.0)})
    dc = nest.Create("dc_generator", params={"amplitude": args.dc})
    nest.Connect(dc, neurons)
nest.Connect(neurons, neurons, conn_spec={"rule": "fixed_indegree", "indegree": args.indegree},
             syn_spec={"weight": 0.5, "delay": 1.0, "receptor_type": 2})
sr = nest.Create("spike_recorder")
nest.Connect(neurons, sr)
mm = nest.Create("multimeter", params={"interval": 0.05, "record_from": ["V_m"]})
nest.Connect(mm, neurons[:10])

kernel = nest.get_kernel()
dist = kernel.distribution
dist.barrier()
_t_sim, _cpu_sim = time.perf_counter(), time.process_time()
nest.Simulate(args.t)
_t_done, _cpu_done = time.perf_counter(), time.process_time()
local = {"sim_s": _t_done - _t_sim, "sim_cpu_s": _cpu_done - _cpu_sim,
         "exchange_s": getattr(dist, "exchange_seconds", 0.0), "exchanges": getattr(dist, "exchanges", 0),
         "spikes": int(sr.n_events), "build_s": _t_sim - _t_build,
         "local_neurons": sum(p.n for p in kernel.populations
                              if p.element_type == "neuron" and not getattr(p, "remote", False))}
every = dist.allgather(local)
if args.save:
    nest.save_recordings(args.save)
if nest.Rank() == 0:
    print("@@BENCH " + json.dumps({
        "workload": "mpi", "n": N, "t_ms": args.t, "input": args.input, "ranks": nest.NumProcesses(),
        "sim_s": max(r["sim_s"] for r in every), "sim_cpu_s": [r["sim_cpu_s"] for r in every],
        "exchange_s": [r["exchange_s"] for r in every], "exchanges": every[0]["exchanges"],
        "build_s": max(r["build_s"] for r in every), "spikes": sum(r["spikes"] for r in every),
        "local_neurons": [r["local_neurons"] for r in every], "loadavg": os.getloadavg()}), flush=True)
