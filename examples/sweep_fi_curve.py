"""f-I curves of the five GLIF levels of ``glif_cond``, as one parameter sweep on Dask.

Each run simulates one ``glif_cond`` neuron at one GLIF level (lif, lif_r,
lif_asc, lif_r_asc, lif_r_asc_a: the legal combinations of
``spike_dependent_threshold``, ``after_spike_currents`` and
``adapting_threshold``, with the model's default after-spike currents) for
``--duration`` ms, driven by a constant current (0 to 475 pA in 20 steps)
plus excitatory Poisson background noise, so that the seed matters.  The
sweep runs 5 levels x 20 amplitudes x 3 seeds = 300 runs with
:func:`eventsim.sweep` on a Dask ``LocalCluster`` of 2 worker processes
(serially, with a message saying so, if Dask is not installed:
``pip install "eventsim[dask]"``).  ``--small`` runs 5 x 4 x 2 runs of
200 ms, for tests.

Output, in the folder ``--out`` (default ``out/``):

* ``sweep_fi_curve.nc``: the sweep's result as one netCDF file (read it with
  ``xarray.open_datatree``); spike counts are
  ``tree["spikes"]["spike_count"]`` on ``(level, amplitude, seed, sender)``;
* ``sweep_fi_curve.png``: firing rate against current, mean and spread over
  seeds, one line per level.

Run::

    python examples/sweep_fi_curve.py [--out DIR] [--engine dask|processes|serial] [--workers N] [--small]
                                      [--duration MS] [--seed N] [--show]
"""

import argparse
import sys
import time
from pathlib import Path

import eventsim as nest
from eventsim.recording import check_writable, write_netcdf_atomic

#: Parameter flags of each GLIF level.
GLIF_LEVELS = {
    "lif": dict(spike_dependent_threshold=False, after_spike_currents=False, adapting_threshold=False),
    "lif_r": dict(spike_dependent_threshold=True, after_spike_currents=False, adapting_threshold=False),
    "lif_asc": dict(spike_dependent_threshold=False, after_spike_currents=True, adapting_threshold=False),
    "lif_r_asc": dict(spike_dependent_threshold=True, after_spike_currents=True, adapting_threshold=False),
    "lif_r_asc_a": dict(spike_dependent_threshold=True, after_spike_currents=True, adapting_threshold=True),
}
AMPLITUDES = [25.0 * i for i in range(20)]          # pA
SMALL_AMPLITUDES = [0.0, 200.0, 300.0, 450.0]       # pA
NOISE_RATE = 2000.0                                 # Hz, excitatory Poisson background
NOISE_WEIGHT = 2.0                                  # nS
RESULT_FILE = "sweep_fi_curve.nc"
FIGURE_FILE = "sweep_fi_curve.png"


def fi_point(level, amplitude, duration):
    """Build and run one neuron of GLIF `level` with `amplitude` pA for `duration` ms; return its spikes.

    The sweep has reset the default kernel and set its ``rng_seed``.
    """
    neuron = nest.Create("glif_cond", params=GLIF_LEVELS[level])
    drive = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [amplitude]})
    noise = nest.Create("poisson_generator", params={"rate": NOISE_RATE})
    spikes = nest.Create("spike_recorder", params={"label": "spikes"})
    nest.Connect(drive, neuron)
    nest.Connect(noise, neuron, syn_spec={"weight": NOISE_WEIGHT, "receptor_type": 1})
    nest.Connect(neuron, spikes)
    nest.Simulate(duration)
    return nest.recordings()


def make_parser():
    """The command-line parser."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="out/", help="output folder (default: out/)")
    parser.add_argument("--engine", choices=["dask", "processes", "serial"], default="dask",
                        help="a Dask LocalCluster (default), a ProcessPoolExecutor, or this process")
    parser.add_argument("--workers", type=int, default=2, help="Dask workers or processes (default: 2)")
    parser.add_argument("--small", action="store_true", help="5 levels x 4 amplitudes x 2 seeds of 200 ms")
    parser.add_argument("--duration", type=float, default=None, help="ms per run (default: 1000, --small: 200)")
    parser.add_argument("--seed", type=int, default=12345, help="the sweep's seed (default: 12345)")
    parser.add_argument("--show", action="store_true", help="open the figure in a window")
    return parser


def run_sweep(params, seeds, seed, engine, workers):
    """Run the sweep on `engine` ("dask", "processes" or "serial"); return (result, engine actually used).

    eventsim starts the workers of "dask" (a ``LocalCluster``, one thread per
    worker) and "processes" itself, warms them up and stops them at the end.
    """
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("Dask is not installed (pip install \"eventsim[dask]\"): running the sweep serially instead",
                  file=sys.stderr)
            engine = "serial"
    if engine == "serial":
        return nest.sweep(fi_point, params, seeds=seeds, seed=seed), "serial"
    result = nest.sweep(fi_point, params, seeds=seeds, seed=seed, engine=engine, workers=workers)
    return result, (f"{workers} processes" if engine == "processes" else f"dask ({workers} workers)")


def firing_rates(result, duration):
    """Firing rate (Hz) on (level, amplitude, seed) from the result's spike counts."""
    counts = result["spikes"]["spike_count"].squeeze("sender", drop=True)
    rates = counts / (duration / 1000.0)
    rates.attrs = {"units": "Hz", "long_name": "firing rate"}
    return rates


def plot(rates, path, show):
    """Draw the f-I curves (mean and min-max over seeds) and save them to `path`."""
    import matplotlib
    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    amplitudes = rates["amplitude"].values
    for level in rates["level"].values:
        r = rates.sel(level=level)
        ax.plot(amplitudes, r.mean("seed"), marker="o", ms=3, label=str(level))
        ax.fill_between(amplitudes, r.min("seed"), r.max("seed"), alpha=0.2)
    ax.set_xlabel("injected current (pA)")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_title(f"glif_cond f-I curves ({rates.sizes['seed']} seeds, Poisson background)")
    ax.legend(title="GLIF level")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    if show:
        plt.show()
    return fig


def main(argv=None):
    """Run the example; return the exit status."""
    parser = make_parser()
    args = parser.parse_args(argv)
    duration = args.duration if args.duration is not None else (200.0 if args.small else 1000.0)
    folder = Path(args.out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        result_path = check_writable(folder / RESULT_FILE)
        figure_path = check_writable(folder / FIGURE_FILE)
    except OSError as err:
        parser.error(str(err))
    params = {"level": list(GLIF_LEVELS), "amplitude": SMALL_AMPLITUDES if args.small else AMPLITUDES,
              "duration": duration}
    seeds = 2 if args.small else 3
    start = time.perf_counter()
    result, used = run_sweep(params, seeds, args.seed, args.engine, args.workers)
    elapsed = time.perf_counter() - start
    n_runs = result["run"].size
    print(f"{n_runs} runs on {used} in {elapsed:.1f} s "
          f"(mean {float(result['wall_time'].mean()):.3f} s of simulation per run)")
    write_netcdf_atomic(result, result_path)
    rates = firing_rates(result, duration)
    plot(rates, figure_path, args.show)
    top = rates.sel(amplitude=rates["amplitude"].max()).mean("seed")
    print("rate at the largest current: " + ", ".join(f"{lvl} {float(r):.1f} Hz" for lvl, r in
                                                     zip(top["level"].values, top.values)))
    print(f"wrote {result_path}")
    print(f"wrote {figure_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
