"""GLIF cells from Allen Cell Types neuron_config files: the f-I curves of the five levels.

Builds one cell per GLIF level (lif, lif_r, lif_asc, lif_r_asc, lif_r_asc_a)
from a ``neuron_config`` in the Allen Institute's layout and SI units
(:func:`eventsim.allen.glif_params` detects the level and converts to
``glif_psc`` parameters), drives 16 copies of each with constant currents of
100 to 400 pA for one second and plots firing rate against current.

The configs here are written out in full for illustration; a real cell's
config comes from the Allen Cell Types database (pass its JSON file instead).

Output, in the folder ``--out`` (default ``out/``): ``allen_fI.png``.

Run::

    python examples/allen_cell.py [--out DIR] [--show]
"""

import argparse
import copy
import sys
from pathlib import Path

import numpy as np

import eventsim as nest
from eventsim.allen import LEVEL_NAMES, glif_level, glif_params
from eventsim.recording import check_writable

AMPLITUDES = np.linspace(100.0, 400.0, 16)        # pA
ONSET, DURATION = 100.0, 1000.0                   # ms
FIGURE_FILE = "allen_fI.png"

_BASE = {
    "El_reference": -0.0725, "El": 0.0, "init_voltage": 0.0, "th_inf": 0.025, "R_input": 2.0e8, "C": 5.0e-11,
    "dt": 5e-05, "spike_cut_length": 40, "asc_tau_array": [0.01, 0.1], "asc_amp_array": [-2e-11, -5e-12],
    "init_AScurrents": [0.0, 0.0],
    "coeffs": {"th_inf": 1.2, "G": 1.1, "C": 1.2, "a": 1.5, "b": 0.5, "asc_amp_array": [1.5, 2.0]},
    "AScurrent_dynamics_method": {"name": "none", "params": {}},
    "AScurrent_reset_method": {"name": "none", "params": {}},
    "threshold_dynamics_method": {"name": "inf", "params": {}},
    "voltage_reset_method": {"name": "zero", "params": {}},
}
_SPIKE_THRESHOLD = {"a_spike": 0.002, "b_spike": 50.0, "a_voltage": 2.0, "b_voltage": 40.0}


def neuron_config(level):
    """A neuron_config dict (SI units) of GLIF level 1..5, in the Allen Institute's layout."""
    cfg = copy.deepcopy(_BASE)
    if level in (2, 4, 5):
        name = "three_components_exact" if level == 5 else "spike_component"
        cfg["threshold_dynamics_method"] = {"name": name, "params": dict(_SPIKE_THRESHOLD)}
        cfg["voltage_reset_method"] = {"name": "v_before", "params": {"a": 0.6, "b": 0.004}}
    if level in (3, 4, 5):
        cfg["AScurrent_dynamics_method"] = {"name": "exp", "params": {}}
        cfg["AScurrent_reset_method"] = {"name": "sum", "params": {"r": [1.0, 1.0]}}
    return cfg


def f_i_curves():
    """Simulate every level at every amplitude; return {level name: rates (spikes/s) per amplitude}."""
    nest.ResetKernel()
    nest.resolution = 0.1
    drives = nest.Create("step_current_generator", len(AMPLITUDES),
                         params={"amplitude_times": [[ONSET, ONSET + DURATION]] * len(AMPLITUDES),
                                 "amplitude_values": [[a, 0.0] for a in AMPLITUDES]})
    sr = nest.Create("spike_recorder")
    cells = {}
    for level in LEVEL_NAMES:
        config = neuron_config(level)
        cells[glif_level(config)] = cell = nest.Create("glif_psc", len(AMPLITUDES),
                                                       params=glif_params(config, tau_syn=[2.0]))
        nest.Connect(drives, cell, "one_to_one")
        nest.Connect(cell, sr)
    nest.Simulate(ONSET + DURATION + 10.0)
    senders = sr.events["senders"]
    return {name: np.array([(senders == gid).sum() for gid in cell.tolist()]) / (DURATION / 1000.0)
            for name, cell in cells.items()}


def plot(rates, path, show):
    """Draw the f-I curves, save them to `path`; return the figure."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 4.5))
    for name, r in rates.items():
        ax.plot(AMPLITUDES, r, marker="o", ms=3, label=name)
    ax.set_xlabel("input current (pA)")
    ax.set_ylabel("firing rate (spikes/s)")
    ax.set_title("f-I curves of five GLIF levels from neuron_config files")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return fig


def main(argv=None):
    """Run the example; return the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/", help="output folder (default: out/)")
    parser.add_argument("--show", action="store_true", help="open the figure in a window")
    args = parser.parse_args(argv)
    try:
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        figure = check_writable(folder / FIGURE_FILE)
    except OSError as err:
        parser.error(f"cannot use the output folder {args.out!r}: {err.strerror or err}")
    rates = f_i_curves()
    for name, r in rates.items():
        print(f"{name:>12}: " + " ".join(f"{x:5.0f}" for x in r) + "  spikes/s")
    plot(rates, figure, args.show)
    print(f"figure: {figure}")
    if args.show:
        import matplotlib.pyplot as plt
        plt.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
