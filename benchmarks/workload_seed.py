"""Workload (child process): the seed example, NEST's glif_cond example paradigm.

Run as ``python benchmarks/workload_seed.py --sim nest|eventsim``; the
harness runs it in a fresh process per measurement.  The script text below the
import switch is the seed example (NEST's
``glif_cond_neuron.py``) verbatim up to and including reading the recordings
after ``Simulate(1000.0)``; the plotting (matplotlib) is left out because it is
not simulator work.  NEST is quietened with ``nest.verbosity``.

It ends with one line ``@@BENCH {json}``: ``sim_s`` (the ``Simulate`` call),
``build_s`` (script start after the import to ``Simulate``), ``import_s``,
``read_s`` (reading ``mm.events`` and ``sr.events``),
``spikes`` (total) and ``spikes_per_neuron``, ``mm_events``, and ``t_start``/``t_end``
(:func:`time.perf_counter` at the first and last line; the harness derives
interpreter start-up and exit time from them).
Kept deliberately lean (no harness import) so the whole-process time is the
example's own.
"""

import time

_t_start = time.perf_counter()        # CLOCK_MONOTONIC: comparable with the parent's clock
import sys  # noqa: E402

_t_import = time.perf_counter()
_sim = sys.argv[sys.argv.index("--sim") + 1] if "--sim" in sys.argv else "eventsim"
if _sim == "nest":
    import nest
    nest.verbosity = nest.VerbosityLevel.ERROR
elif _sim == "eventsim":
    import eventsim as nest
else:
    raise SystemExit(f"--sim must be nest or eventsim, got {_sim!r}")
_t_build = time.perf_counter()

# ---- the seed example (glif_cond_neuron.py), unchanged ------------------------------------------
nest.ResetKernel()
resolution = 0.05
nest.resolution = resolution

n_lif = nest.Create(
    "glif_cond", params={"spike_dependent_threshold": False, "after_spike_currents": False, "adapting_threshold": False}
)
n_lif_r = nest.Create(
    "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": False, "adapting_threshold": False}
)
n_lif_asc = nest.Create(
    "glif_cond", params={"spike_dependent_threshold": False, "after_spike_currents": True, "adapting_threshold": False}
)
n_lif_r_asc = nest.Create(
    "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": True, "adapting_threshold": False}
)
n_lif_r_asc_a = nest.Create(
    "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": True, "adapting_threshold": True}
)

neurons = n_lif + n_lif_r + n_lif_asc + n_lif_r_asc + n_lif_r_asc_a

espikes = nest.Create("spike_generator", params={"spike_times": [10.0, 100.0, 150.0], "spike_weights": [20.0] * 3})
ispikes = nest.Create("spike_generator", params={"spike_times": [15.0, 99.0, 150.0], "spike_weights": [-20.0] * 3})
cg = nest.Create(
    "step_current_generator",
    params={
        "amplitude_values": [
            400.0,
        ],
        "amplitude_times": [
            200.0,
        ],
        "start": 200.0,
        "stop": 500.0,
    },
)
pg = nest.Create("poisson_generator", params={"rate": 15000.0, "start": 600.0, "stop": 900.0})
pn = nest.Create("parrot_neuron")

nest.Connect(cg, neurons, syn_spec={"delay": resolution})
nest.Connect(espikes, neurons, syn_spec={"delay": resolution, "receptor_type": 1})
nest.Connect(ispikes, neurons, syn_spec={"delay": resolution, "receptor_type": 2})
nest.Connect(pg, pn, syn_spec={"delay": resolution})
nest.Connect(pn, neurons, syn_spec={"delay": resolution, "receptor_type": 1})

mm = nest.Create(
    "multimeter",
    params={
        "interval": resolution,
        "record_from": [
            "V_m",
            "I",
            "g_1",
            "g_2",
            "threshold",
            "threshold_spike",
            "threshold_voltage",
            "ASCurrents_sum",
        ],
    },
)
nest.Connect(mm, neurons)

sr = nest.Create("spike_recorder")
nest.Connect(neurons, sr)

_t_sim = time.perf_counter()
nest.Simulate(1000.0)
_t_done = time.perf_counter()

data = mm.events
senders = data["senders"]

spike_data = sr.events
spike_senders = spike_data["senders"]
spikes = spike_data["times"]
_t_read = time.perf_counter()
# ---- end of the example (the plotting is left out) -----------------------------------------------

import json  # noqa: E402  (after the example, so it is not part of its import time)

print("@@BENCH " + json.dumps({
    "workload": "seed",
    "import_s": _t_build - _t_import,
    "build_s": _t_sim - _t_build,
    "sim_s": _t_done - _t_sim,
    "read_s": _t_read - _t_done,
    "spikes": int(len(spikes)),
    "spikes_per_neuron": [int((spike_senders == g).sum()) for g in neurons.tolist()],
    "mm_events": int(len(senders)),
    "t_start": _t_start,
    "t_end": time.perf_counter(),
}), flush=True)
