"""The five fixture cells under a current step, runnable with NEST or eventsim (for the live cross-check).

``python allen_cells.py nest`` prints one line ``@@ALLEN <json>``: per level, the glif_psc
spike times (ms) and whether NEST accepted the glif_cond parameters.
"""

import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKER = "@@ALLEN "


def run(sim):
    """Spike times of each level's glif_psc cell (250 pA, 10-110 ms, h = 0.01 ms) and glif_cond acceptance."""
    from eventsim.allen import glif_params
    out = {}
    for level in range(1, 6):
        path = FIXTURES / f"glif{level}_neuron_config.json"
        sim.ResetKernel()
        sim.resolution = 0.01
        cell = sim.Create("glif_psc", params=glif_params(path, tau_syn=[2.0, 5.0]))
        cond = sim.Create("glif_cond", params=glif_params(path, model="glif_cond", tau_syn=[0.2, 2.0],
                                                          E_rev=[0.0, -85.0]))
        cg = sim.Create("step_current_generator", params={"amplitude_times": [10.0, 110.0],
                                                          "amplitude_values": [250.0, 0.0]})
        sim.Connect(cg, cell)
        sr = sim.Create("spike_recorder")
        sim.Connect(cell, sr)
        sim.Simulate(120.0)
        out[str(level)] = {"psc_spikes": [round(float(t), 6) for t in sr.events["times"]],
                           "cond_V_th": round(float(cond.get("V_th")), 9)}
    return out


if __name__ == "__main__":
    if sys.argv[1:] != ["nest"]:
        sys.exit("usage: python allen_cells.py nest")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    import nest
    nest.verbosity = nest.VerbosityLevel.ERROR
    print(MARKER + json.dumps(run(nest)))
