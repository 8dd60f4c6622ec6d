"""Workload (child process): the network of ``workload_network.py`` written in Brian2.

``python benchmarks/workload_network_brian2.py --sim brian2-cython|brian2-cpp --n 1000 --t 1000 [--rate 15000]``

Runs in the interpreter of ``benchmarks/.venv-brian2`` (Brian2 2.9 needs numpy < 2;
``bench_network.py --with-brian2`` creates it).  The same network as NEST's and
eventsim's glif_cond at level lif_r_asc_a, with NEST 3.10's default
parameters, written as Brian2 equations:

* membrane ``C_m dV/dt = -g_m (V - E_L) - g_1 (V - E_rev_1) - g_2 (V - E_rev_2) + I_asc1 + I_asc2``,
  held during the refractory period (``unless refractory``), like glif_cond;
* alpha conductances as two linear equations per receptor (``dg/dt = (x - g)/tau``,
  ``dx/dt = -x/tau``; a spike of weight w adds ``e w`` to x, so g peaks at w nS
  after tau_syn, NEST's normalisation);
* after-spike currents ``dI_j/dt = -k_j I_j``, spike-dependent threshold
  ``dth_s/dt = -b_s th_s`` and adapting threshold ``dth_v/dt = a_v (V - E_L) - b_v th_v``,
  all frozen while refractory, as in glif_cond; NEST's closed-form step updates
  of these are the exact solutions of the same equations;
* spike when ``V > V_th + th_s + th_v``; reset ``V = E_L + f (V - E_L) + add``,
  ``th_s = th_s exp(-b_s t_ref) + th_add``, ``I_j = jump_j + I_j r_j exp(-k_j t_ref)``
  (glif_cond resets from V at the start of the step, here from V after it: a
  difference of a fraction of a mV times f = 0.2);
* integration: classical Runge-Kutta (``rk4``) at 0.05 ms (eventsim: Gauss-Legendre
  quadrature; NEST: adaptive Runge-Kutta-Fehlberg 4(5)).  Exponential Euler holds x
  constant over a step, which with tau_1 = 0.2 ms = 4 steps gives every excitatory
  input 13 % more charge (a / (1 - exp(-a)) with a = h / tau_1) and 22 % more spikes;
* input: ``PoissonInput`` with ``N=1000`` sources of ``rate/1000`` each, i.e. a
  Binomial(1000, p) count per step and neuron, which is Poisson to within 0.1 %
  (a single source of 15 kHz would draw at most one spike per 0.05 ms step);
  applied in the step it is drawn (NEST: 0.05 ms delay, one step);
* recurrent ``fixed_indegree`` 50 (autapses and multapses allowed, as in NEST),
  0.5 nS, 1 ms delay, on the inhibitory receptor;
* a SpikeMonitor on all neurons and a StateMonitor on V of 10 neurons.

``--sim brian2-cython`` runs with the Cython runtime target (compiled modules
cached in ``benchmarks/.venv-brian2/cython-cache``, loaded from there after the
warm-up); ``--sim brian2-cpp`` builds a C++ standalone project in a
folder of its own per case (``benchmarks/.venv-brian2/standalone/<case>``): Brian2
rewrites only the files whose code changed, so after the warm-up run ``make -j``
has nothing left to compile and a run pays code generation, the ``make`` check
and the binary (``--fresh-build``: a new temporary folder, a full compile).  Prints one line
``@@BENCH {json}`` as the other workloads do: ``sim_s`` is the ``run`` call
(Cython: including loading the compiled modules) or, for C++ standalone, the
wall time of the binary, whose network loop Brian2 times with ``std::clock``,
CPU time, reported as ``sim_cpu_s``; ``compile_s`` is the rest of ``run``
(code generation and ``make``).
"""

import time

_t_start = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

_t_import = time.perf_counter()
parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--sim", choices=("brian2-cython", "brian2-cpp"), required=True)
parser.add_argument("--n", type=int, default=1000, help="number of neurons")
parser.add_argument("--t", type=float, default=1000.0, help="simulated time (ms)")
parser.add_argument("--rate", type=float, default=15000.0, help="Poisson input rate per neuron (Hz)")
parser.add_argument("--indegree", type=int, default=50, help="recurrent inputs per neuron")
parser.add_argument("--seed", type=int, default=12345, help="seed of Brian2 and of the connectivity")
parser.add_argument("--model", choices=("glif_cond",), default="glif_cond", help="neuron model (glif_cond only)")
parser.add_argument("--fresh-build", action="store_true",
                    help="brian2-cpp: build in a new temporary folder (a full compile) instead of the case's folder")
args = parser.parse_args()

import numpy as np  # noqa: E402
import brian2 as b2  # noqa: E402
from brian2 import Hz, ms, mV, nS, pA, pF  # noqa: E402

build_dir = None
if args.sim == "brian2-cpp":
    if args.fresh_build:
        build_dir = tempfile.mkdtemp(prefix="brian2-standalone-")
    else:
        build_dir = os.path.join(sys.prefix, "standalone",
                                 f"n{args.n}-t{args.t:g}-r{args.rate:g}-k{args.indegree}-s{args.seed}")
    b2.set_device("cpp_standalone", directory=build_dir)
else:
    b2.prefs.codegen.target = "cython"
    b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(sys.prefix, "cython-cache")
_t_build = time.perf_counter()

N, T = args.n, args.t
b2.defaultclock.dt = 0.05 * ms
b2.seed(args.seed)
params = dict(C_m=58.72 * pF, g_m=9.43 * nS, E_L=-78.85 * mV, V_th=-51.68 * mV, t_ref=3.75 * ms,
              th_add=0.37 * mV, b_s=0.009 / ms, f_reset=0.2, a_reset=18.51 * mV,
              a_v=0.005 / ms, b_v=0.09 / ms,
              k1=0.003 / ms, k2=0.1 / ms, jump_1=-9.18 * pA, jump_2=-198.94 * pA, r1=1.0, r2=1.0,
              tau_1=0.2 * ms, tau_2=2.0 * ms, E_1=0.0 * mV, E_2=-85.0 * mV)
eqs = """
dv/dt = (-g_m*(v - E_L) - g_1*(v - E_1) - g_2*(v - E_2) + I_1 + I_2) / C_m : volt (unless refractory)
dI_1/dt = -k1*I_1 : amp (unless refractory)
dI_2/dt = -k2*I_2 : amp (unless refractory)
dth_s/dt = -b_s*th_s : volt (unless refractory)
dth_v/dt = a_v*(v - E_L) - b_v*th_v : volt (unless refractory)
dg_1/dt = (x_1 - g_1)/tau_1 : siemens
dx_1/dt = -x_1/tau_1 : siemens
dg_2/dt = (x_2 - g_2)/tau_2 : siemens
dx_2/dt = -x_2/tau_2 : siemens
"""
reset = """
v = E_L + f_reset*(v - E_L) + a_reset
th_s = th_s*exp(-b_s*t_ref) + th_add
I_1 = jump_1 + I_1*r1*exp(-k1*t_ref)
I_2 = jump_2 + I_2*r2*exp(-k2*t_ref)
"""
neurons = b2.NeuronGroup(N, eqs, threshold="v > V_th + th_s + th_v", reset=reset, refractory=params["t_ref"],
                         method="rk4", namespace=params)
neurons.v = params["E_L"]
sources = 1000
poisson = b2.PoissonInput(neurons, "x_1", N=sources, rate=args.rate / sources * Hz, weight=np.e * 1.0 * nS)
rng = np.random.default_rng(args.seed)
recurrent = b2.Synapses(neurons, neurons, on_pre="x_2_post += w_rec", delay=1.0 * ms,
                        namespace={"w_rec": np.e * 0.5 * nS})
recurrent.connect(i=rng.integers(0, N, size=N * args.indegree), j=np.repeat(np.arange(N), args.indegree))
spikes = b2.SpikeMonitor(neurons)
trace = b2.StateMonitor(neurons, "v", record=np.arange(min(10, N)))

_t_sim, _cpu_sim = time.perf_counter(), time.process_time()
b2.run(T * ms)
_t_done, _cpu_done = time.perf_counter(), time.process_time()

report = {"sim_s": _t_done - _t_sim, "sim_cpu_s": _cpu_done - _cpu_sim}
if build_dir is not None:                 # run() generated the code, compiled it and ran the binary
    device = b2.get_device()
    report["sim_s"] = float(device.timers["run_binary"])      # wall time of the binary (start to exit)
    report["sim_cpu_s"] = float(device._last_run_time)        # its network loop, std::clock: CPU time
    report["compile_s"] = _t_done - _t_sim - report["sim_s"]
spike_count = int(spikes.num_spikes)
mm_events = int(trace.v.size)
if args.fresh_build and build_dir is not None:
    shutil.rmtree(build_dir, ignore_errors=True)
print("@@BENCH " + json.dumps({
    "workload": "network", "model": args.model, "n": N, "t_ms": T, "rate": args.rate, "indegree": args.indegree,
    "seed": args.seed, "brian2": b2.__version__, "numpy": np.__version__,
    "import_s": _t_build - _t_import, "build_s": _t_sim - _t_build, **report,
    "spikes": spike_count, "rate_hz": spike_count / N / (T * 1e-3), "mm_events": mm_events,
    "t_start": _t_start, "t_end": time.perf_counter(),
}), flush=True)
