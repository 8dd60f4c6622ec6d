"""Workload (child process): a closed loop, one PI rate controller per neuron, control every ``--interval`` ms.

``python benchmarks/workload_closed_loop.py --sim nest|eventsim --style loop|actor --n 100 --t 1000``

* ``N`` glif_cond neurons (thresholds spread over 5 mV), resolution 0.1 ms,
  a 3 kHz poisson_generator on receptor 1 of each (independent trains);
* every ``interval`` ms each neuron's spikes of the interval are counted and a
  PI law sets the current injected into it from one step later on:
  ``--style actor``: a controller actor per neuron (``Create("pi_rate_controller", N)``,
  one SimPy process each), spikes to it with delay h, its current to the neuron
  with delay ``--delay`` (default: the interval) -- eventsim only;
  ``--style loop``: PyNEST style, ``Simulate(interval)`` in a Python loop, read
  the spike recorder's ``events``, set one dc_generator per neuron (delay ``--delay``);
* the loop's first step of a call uses the amplitude of the last call (NEST's
  rule), so both styles inject the new current from one step after each interval.

Prints ``@@BENCH {json}`` with ``sim_s`` (all ``Simulate`` calls and, for the
loop, the reading and setting between them), ``sim_cpu_s``, ``build_s``, ``spikes``
and ``rate_hz``, the parameters, and ``t_start``/``t_end``.
"""

import time

_t_start = time.perf_counter()
import argparse  # noqa: E402
import json  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--sim", choices=("nest", "eventsim"), required=True)
parser.add_argument("--style", choices=("loop", "actor"), default="loop")
parser.add_argument("--n", type=int, default=100, help="number of neurons (and controllers)")
parser.add_argument("--t", type=float, default=1000.0, help="simulated time (ms)")
parser.add_argument("--interval", type=float, default=1.0, help="control interval (ms)")
parser.add_argument("--delay", type=float, default=None, help="controller -> neuron delay (ms; default: interval)")
args = parser.parse_args()
if args.style == "actor" and args.sim == "nest":
    parser.error("--style actor needs --sim eventsim (NEST has no user actors)")

if args.sim == "nest":
    import nest
    nest.set_verbosity("M_ERROR")
else:
    import eventsim as nest
import numpy as np  # noqa: E402

GAINS = {"target": 30.0, "Kp": 0.5, "Ki": 20.0, "I0": 150.0}
N, T, INTERVAL = args.n, args.t, args.interval
DELAY = args.delay if args.delay is not None else INTERVAL

t_build = time.perf_counter()
nest.ResetKernel()
nest.resolution = 0.1
nest.rng_seed = 12345
neurons = nest.Create("glif_cond", N, params={"V_th": list(-51.0 + 5.0 * np.arange(N) / N)})
noise = nest.Create("poisson_generator", params={"rate": 3000.0})
nest.Connect(noise, neurons, syn_spec={"weight": 1.0, "receptor_type": 1})
sr = nest.Create("spike_recorder")
nest.Connect(neurons, sr)

if args.style == "actor":
    class PIRateController(nest.Actor, model="pi_rate_controller"):
        """PI control of one neuron's rate from its spike count every `interval` ms (held current, pA)."""

        defaults = {"interval": 1.0, **GAINS}
        emits = "current"

        def run(self):
            p, integral = self.params, 0.0
            dt = p["interval"] / 1000.0
            yield self.timeout(self.kernel.resolution)
            while True:
                yield self.timeout(p["interval"])
                count = sum(int(m.multiplicities.sum()) for m in self.received())
                error = p["target"] - count / dt
                integral += error * dt
                self.send_current(p["I0"] + p["Kp"] * error + p["Ki"] * integral)

    controllers = nest.Create("pi_rate_controller", N, params={"interval": INTERVAL})
    nest.Connect(neurons, controllers, "one_to_one", syn_spec={"delay": 0.1})
    nest.Connect(controllers, neurons, "one_to_one", syn_spec={"delay": DELAY})
else:
    drive = nest.Create("dc_generator", N)
    nest.Connect(drive, neurons, "one_to_one", syn_spec={"delay": DELAY})
t_sim = time.perf_counter()
c_sim = time.process_time()

if args.style == "actor":
    nest.Simulate(T)
else:
    gids = np.asarray(neurons.tolist())
    integral = np.zeros(N)
    dt = INTERVAL / 1000.0
    seen = 0
    for k in range(int(round(T / INTERVAL))):
        nest.Simulate(INTERVAL)
        senders = sr.get("events")["senders"]
        counts = np.bincount(np.searchsorted(gids, senders[seen:]), minlength=N)
        seen = len(senders)
        error = GAINS["target"] - counts / dt
        integral += error * dt
        drive.set([{"amplitude": float(a)} for a in GAINS["I0"] + GAINS["Kp"] * error + GAINS["Ki"] * integral])
sim_s = time.perf_counter() - t_sim
sim_cpu_s = time.process_time() - c_sim

spikes = int(sr.get("n_events"))
print("@@BENCH " + json.dumps({
    "workload": "closed_loop", "style": args.style, "n": N, "t_ms": T, "interval_ms": INTERVAL, "delay_ms": DELAY,
    "build_s": t_sim - t_build, "sim_s": sim_s, "sim_cpu_s": sim_cpu_s, "spikes": spikes,
    "rate_hz": spikes / N / (T / 1000.0), "t_start": _t_start, "t_end": time.perf_counter()}), flush=True)
