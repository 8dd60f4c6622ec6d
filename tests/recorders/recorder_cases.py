"""Small networks whose recordings are compared between eventsim and NEST 3.10.

:func:`run` builds one case with a PyNEST-compatible module (``nest`` or
``eventsim``) and returns, after every ``Simulate`` call, the multimeter's
and the spike recorder's ``events`` as JSON-ready lists.  Run as a script
(``python recorder_cases.py``) it imports NEST and prints all cases as JSON;
the tests run it in a subprocess, so NEST never shares a process with
eventsim.
"""

import json

__all__ = ["CASES", "MARKER", "run"]

#: Prefix of the line with the JSON results when run under NEST.
MARKER = "@@CASES "

#: name -> (resolution ms, multimeter params, Simulate times ms, input delay ms or None, number of neurons)
CASES = {
    "window_origin": (0.1, {"interval": 1.0, "origin": 1.0, "start": 2.0, "stop": 7.0}, [20.0], None, 2),
    "default_min_delay": (0.1, {"interval": 1.0}, [20.0], None, 2),
    "min_delay_0.5": (0.1, {"interval": 1.0}, [20.0], 0.5, 2),
    "interval_0.3_two_runs": (0.1, {"interval": 0.3}, [5.0, 5.0], 0.5, 2),
    "every_step_partial_slices": (0.1, {"interval": 0.1}, [0.7, 0.8, 2.0], 0.5, 2),
    "simulate_not_multiple_of_min_delay": (0.1, {"interval": 0.1}, [2.1], 1.0, 1),
    "origin_off_interval_grid": (0.1, {"interval": 0.2, "origin": 0.1}, [3.0], 0.3, 2),
    "start_stop": (0.1, {"interval": 0.5, "start": 1.0, "stop": 2.5}, [5.0], 0.1, 2),
    "offset": (0.1, {"interval": 0.3, "offset": 0.2, "start": 1.0}, [3.0], 0.1, 2),
    "seed_grid": (0.05, {"interval": 0.05}, [50.0], 0.05, 3),
    "resolution_0.2": (0.2, {"interval": 0.6, "stop": 30.0}, [60.0], 0.2, 2),
}

#: Spike times (ms) of the generator feeding two parrot neurons in every case.
SPIKE_TIMES = [0.3, 1.0, 1.0, 2.5, 4.9, 5.0, 9.0]


def run(nest, case):
    """Build and simulate case `case` (a name of :data:`CASES`) with the module `nest`.

    Returns
    -------
    dict
        ``multimeter`` and ``spikes``: one entry per ``Simulate`` call, each
        a dict of lists (``senders``, ``times`` and, for the multimeter, ``I``).
    """
    resolution, params, sims, delay, n = CASES[case]
    nest.ResetKernel()
    nest.resolution = resolution
    neurons = nest.Create("glif_cond", n)
    times = sorted({round(round(t / resolution) * resolution, 10) for t in SPIKE_TIMES})
    generator = nest.Create("spike_generator", params={"spike_times": times})
    parrots = nest.Create("parrot_neuron", 2)
    if delay is not None:
        nest.Connect(generator, neurons, syn_spec={"delay": delay, "receptor_type": 1})
        nest.Connect(generator, parrots, syn_spec={"delay": delay})
    multimeter = nest.Create("multimeter", params={**params, "record_from": ["V_m", "I"]})
    nest.Connect(multimeter, neurons)
    recorder = nest.Create("spike_recorder", params={k: v for k, v in params.items()
                                                     if k in ("origin", "start", "stop")})
    nest.Connect(parrots, recorder)
    out = {"multimeter": [], "spikes": []}
    for t in sims:
        nest.Simulate(t)
        mm, sr = multimeter.events, recorder.events
        out["multimeter"].append({"senders": [int(s) for s in mm["senders"]],
                                  "times": [float(x) for x in mm["times"]],
                                  "I": [float(x) for x in mm["I"]]})
        out["spikes"].append({"senders": [int(s) for s in sr["senders"]],
                              "times": [float(x) for x in sr["times"]]})
    return out


if __name__ == "__main__":
    import nest as nest_simulator

    nest_simulator.set_verbosity("M_ERROR")
    print(MARKER + json.dumps({case: run(nest_simulator, case) for case in CASES}))
