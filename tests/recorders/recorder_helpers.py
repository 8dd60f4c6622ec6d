"""Helpers of the recorder tests: access to recorder populations and a small network."""

import eventsim as nest

ALL_GLIF_RECORDABLES = ["V_m", "I", "g_1", "g_2", "threshold", "threshold_spike", "threshold_voltage",
                        "ASCurrents_sum"]


def recorder_of(nodes):
    """The recorder population behind a NodeCollection of one recorder."""
    return nodes.kernel.node_of(nodes.global_id)[0]


def small_network(mm_params=None, sr_params=None, sims=(60.0,), n=3, resolution=0.1):
    """Three lif_r neurons driven by Poisson input and a step current; return (multimeter, spike recorder).

    The multimeter records V_m, I, g_1 and threshold every 0.3 ms unless
    `mm_params` says otherwise; `sims` are the Simulate calls (ms).
    """
    nest.resolution = resolution
    neurons = nest.Create("glif_cond", n, params={"spike_dependent_threshold": True})
    drive = nest.Create("poisson_generator", params={"rate": 9000.0})
    current = nest.Create("step_current_generator", params={"amplitude_times": [10.0],
                                                            "amplitude_values": [150.0]})
    nest.Connect(drive, neurons, syn_spec={"delay": 0.5, "receptor_type": 1, "weight": 3.0})
    nest.Connect(current, neurons, syn_spec={"delay": 0.5})
    # weak recurrent inhibition: the neurons advance in pieces of 0.5 ms, so recorders get many calls
    nest.Connect(neurons, neurons, syn_spec={"delay": 0.5, "receptor_type": 2, "weight": 0.5})
    mm = nest.Create("multimeter", params={"interval": 0.3, "record_from": ["V_m", "I", "g_1", "threshold"],
                                           **(mm_params or {})})
    nest.Connect(mm, neurons)
    sr = nest.Create("spike_recorder", params=sr_params or {})
    nest.Connect(neurons, sr)
    for t in sims:
        nest.Simulate(t)
    return mm, sr
