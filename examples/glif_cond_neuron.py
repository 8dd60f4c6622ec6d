"""Conductance-based generalized leaky integrate and fire (GLIF) neuron example.

NEST's example for the five levels of ``glif_cond`` (lif, lif_r, lif_asc,
lif_r_asc, lif_r_asc_a), run with eventsim: one neuron per level receives
three excitatory and three inhibitory spikes (0-200 ms), a 400 pA step
current (200-500 ms) and a 15 kHz Poisson train through a parrot neuron
(600-900 ms).  A multimeter samples V_m, I, g_1, g_2, the threshold and its
components and ASCurrents_sum every 0.05 ms for 1000 ms; a spike recorder
records the neurons' spikes.

Output, in the folder ``--out`` (default ``out/``, created if needed and
checked before the simulation starts):

* ``glif_cond_recordings.nc``: all recordings as one netCDF file (one group
  per recorder; the multimeter group has a ``level`` coordinate), read it
  with ``xarray.open_datatree``;
* ``glif_cond_<level>.png``: NEST's four-panel figure of each level, drawn
  from that file with :func:`eventsim.plotting.plot_glif_cond`.

Run::

    python examples/glif_cond_neuron.py [--out DIR] [--rng-seed N] [--show]
"""

import argparse
import sys
from pathlib import Path

import eventsim as nest
from eventsim.recording import check_writable

GLIF_MODELS = ["lif", "lif_r", "lif_asc", "lif_r_asc", "lif_r_asc_a"]
RECORDINGS_FILE = "glif_cond_recordings.nc"


def make_parser():
    """The command-line parser (options ``--out``, ``--rng-seed``, ``--show``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/", help="output folder (default: out/)")
    parser.add_argument("--rng-seed", type=int, default=None,
                        help="seed of eventsim's random numbers (default: NEST's default seed)")
    parser.add_argument("--show", action="store_true", help="open the figures in a window")
    return parser


def output_paths(out):
    """Create the folder `out` and check that every output file can be written.

    Returns
    -------
    tuple
        ``(netCDF path, {level: PNG path})``, pathlib.Path objects.

    Raises
    ------
    OSError
        Naming the path that cannot be created or written.
    """
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OSError(f"cannot create the output folder {str(folder)!r}: {err.strerror or err}") from None
    recordings = check_writable(folder / RECORDINGS_FILE)
    figures = {level: check_writable(folder / f"glif_cond_{level}.png") for level in GLIF_MODELS}
    return recordings, figures


def simulate(rng_seed=None):
    """Build and run the network of NEST's glif_cond example; return (neurons, multimeter, spike recorder)."""
    nest.ResetKernel()
    if rng_seed is not None:
        nest.rng_seed = rng_seed
    resolution = 0.05
    nest.resolution = resolution

    n_lif = nest.Create(
        "glif_cond", params={"spike_dependent_threshold": False, "after_spike_currents": False,
                             "adapting_threshold": False}
    )
    n_lif_r = nest.Create(
        "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": False,
                             "adapting_threshold": False}
    )
    n_lif_asc = nest.Create(
        "glif_cond", params={"spike_dependent_threshold": False, "after_spike_currents": True,
                             "adapting_threshold": False}
    )
    n_lif_r_asc = nest.Create(
        "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": True,
                             "adapting_threshold": False}
    )
    n_lif_r_asc_a = nest.Create(
        "glif_cond", params={"spike_dependent_threshold": True, "after_spike_currents": True,
                             "adapting_threshold": True}
    )
    neurons = n_lif + n_lif_r + n_lif_asc + n_lif_r_asc + n_lif_r_asc_a

    espikes = nest.Create("spike_generator", params={"spike_times": [10.0, 100.0, 150.0],
                                                     "spike_weights": [20.0] * 3})
    ispikes = nest.Create("spike_generator", params={"spike_times": [15.0, 99.0, 150.0],
                                                     "spike_weights": [-20.0] * 3})
    cg = nest.Create(
        "step_current_generator",
        params={"amplitude_values": [400.0], "amplitude_times": [200.0], "start": 200.0, "stop": 500.0},
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
            "record_from": ["V_m", "I", "g_1", "g_2", "threshold", "threshold_spike", "threshold_voltage",
                            "ASCurrents_sum"],
        },
    )
    nest.Connect(mm, neurons)

    sr = nest.Create("spike_recorder")
    nest.Connect(neurons, sr)

    nest.Simulate(1000.0)
    return neurons, mm, sr


def save(path, neurons, mm):
    """Write all recordings to `path`, the multimeter group with a ``level`` coordinate; return the path."""
    tree = nest.recordings()
    group = next(name for name, node in tree.children.items() if node.attrs["recorder_global_id"] == mm.global_id)
    level_of = dict(zip(neurons.tolist(), GLIF_MODELS))
    levels = [level_of[int(gid)] for gid in tree[group]["sender"].values]
    tree[group] = tree[group].to_dataset().assign_coords(level=("sender", levels, {"long_name": "GLIF level"}))
    return nest.save_recordings(path, tree)


def draw(recordings_path, neurons, figure_paths, show):
    """Draw and save the figure of every level from the netCDF file; return the figures."""
    from eventsim.plotting import find_recordings, plot_glif_cond

    mm, spikes = find_recordings(recordings_path)
    figures = []
    for level, gid in zip(GLIF_MODELS, neurons.tolist()):
        if show:
            import matplotlib.pyplot as plt
            fig = plt.figure(level, figsize=(9, 8))
        else:
            fig = None
        fig = plot_glif_cond(mm, gid, spikes=spikes, fig=fig)
        fig.savefig(figure_paths[level], dpi=100)
        figures.append(fig)
    return figures


def main(argv=None):
    """Run the example; return the process exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        if args.rng_seed is not None:
            nest.Kernel().rng_seed = args.rng_seed
        recordings_path, figure_paths = output_paths(args.out)
    except (nest.BadProperty, OSError) as err:
        parser.error(str(err))
    import matplotlib
    if not args.show:
        matplotlib.use("Agg")
    neurons, mm, sr = simulate(args.rng_seed)
    written = save(recordings_path, neurons, mm)
    draw(written, neurons, figure_paths, args.show)
    counts = {level: int((sr.events["senders"] == gid).sum()) for level, gid in zip(GLIF_MODELS, neurons.tolist())}
    print(f"spikes per level: {', '.join(f'{level} {n}' for level, n in counts.items())}")
    print(f"recordings: {written}")
    print(f"figures: {', '.join(str(p) for p in figure_paths.values())}")
    if args.show:
        import matplotlib.pyplot as plt
        plt.show()
    return 0


if __name__ == "__main__":
    sys.exit(main())
