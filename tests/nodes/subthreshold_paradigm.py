"""One glif_cond neuron kept below threshold, driven by spikes and a step current: PyNEST code for both simulators.

``python subthreshold_paradigm.py`` runs a JSON list of cases (from stdin) in NEST
and prints one line ``@@RESULT [...]`` with V_m and I of each (``null`` where NEST
raised), so that a batch of cases costs one NEST start.
"""

import json
import sys

MARKER = "@@RESULT "


def run(nest, params, h, n_steps, spike_times, weights, receptors, amplitude_times, amplitudes):
    """Simulate `n_steps` steps of `h` ms; return (V_m, I) lists (mV, pA) sampled every step.

    params: glif_cond parameters (V_th is set far above); spikes at `spike_times` (ms) with
    `weights` (nS) on `receptors`, delay h; a step current (pA) from `amplitude_times` (ms), delay h.
    """
    nest.ResetKernel()
    nest.resolution = h
    neuron = nest.Create("glif_cond", params={**params, "V_th": 1e9})
    for t, w, r in zip(spike_times, weights, receptors):
        sg = nest.Create("spike_generator", params={"spike_times": [t]})
        nest.Connect(sg, neuron, syn_spec={"weight": w, "receptor_type": r, "delay": h})
    if amplitudes:
        cg = nest.Create("step_current_generator", params={"amplitude_times": list(amplitude_times),
                                                           "amplitude_values": list(amplitudes)})
        nest.Connect(cg, neuron, syn_spec={"delay": h})
    mm = nest.Create("multimeter", params={"interval": h, "record_from": ["V_m", "I"]})
    nest.Connect(mm, neuron)
    nest.Simulate(n_steps * h)
    events = mm.events
    return [float(v) for v in events["V_m"]], [float(i) for i in events["I"]]


if __name__ == "__main__":
    import nest
    nest.set_verbosity("M_ERROR")
    results = []
    for case in json.load(sys.stdin):
        try:
            results.append(run(nest, **case))
        except Exception:          # noqa: BLE001 -- reported as null, the test names the case
            results.append(None)
    print(MARKER + json.dumps(results))
