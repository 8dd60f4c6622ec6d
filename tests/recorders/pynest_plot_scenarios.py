"""``raster_plot.from_device`` and ``voltage_trace.from_device`` drawn by NEST 3.10 and by eventsim.

Each scenario builds a small network, draws with the simulator's plotting
module on the Agg backend and returns what the figure shows: line data, bar
positions and heights, labels, titles and legend texts.
``test_pynest_plots.py`` compares eventsim's with NEST's (run in a
subprocess).  As a script (``python pynest_plot_scenarios.py MODULE``) it
prints one line ``@@JSON@@{...}``.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

MARKER = "@@JSON@@"
SPIKE_TIMES = [[1.0, 4.0, 4.5, 9.0, 17.2], [2.0, 3.1, 14.0], [0.5, 22.0, 22.1, 22.2]]


def _figure_content(fig):
    """Everything drawn in `fig`, axes by axes, as JSON-able data."""
    out = []
    for ax in fig.axes:
        out.append({
            "lines": [[np.asarray(ln.get_xdata(), float).tolist(), np.asarray(ln.get_ydata(), float).tolist(),
                       ln.get_marker(), ln.get_label() if not ln.get_label().startswith("_") else ""]
                      for ln in ax.get_lines()],
            "bars": [[float(p.get_x()), float(p.get_width()), float(p.get_height())] for p in ax.patches],
            "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "legend": [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [],
            "yticks": [float(t) for t in ax.get_yticks()] if ax.patches else [],
        })
    return out


def _spikes(sim):
    sim.ResetKernel()
    sgs = sim.Create("spike_generator", 3, params=[{"spike_times": t} for t in SPIKE_TIMES])
    parrots = sim.Create("parrot_neuron", 3)
    sr = sim.Create("spike_recorder")
    sim.Connect(sgs, parrots, "one_to_one")
    sim.Connect(parrots, sr)
    sim.Simulate(30.0)
    return sr


def scenario_raster(sim):
    """Raster plots with and without histogram, bin widths, grayscale and titles."""
    out = []
    for kwargs in ({}, {"hist": False}, {"hist_binwidth": 2.0, "grayscale": True, "title": "spikes"},
                   {"hist": True, "hist_binwidth": 7.5}):
        sr = _spikes(sim)
        plt.close("all")
        sim.raster_plot.from_device(sr, **kwargs)
        out.append(_figure_content(plt.gcf()))
    return out


def scenario_raster_from_data(sim):
    """raster_plot.from_data on (sender, time) rows, all of them and a selection."""
    rows = np.array([[g + 1, t] for g, times in enumerate(SPIKE_TIMES) for t in times])
    out = []
    for kwargs in ({}, {"sel": [1, 3], "hist_binwidth": 3.0}, {"hist": False, "title": "rows"}):
        plt.close("all")
        sim.raster_plot.from_data(rows, **kwargs)
        out.append(_figure_content(plt.gcf()))
    return out


def scenario_voltage(sim):
    """Voltage traces of three glif_cond (two Create calls) driven by dc_generators, default and selected."""
    out = []
    for kwargs in ({}, {"neurons": [4, 2], "title": "two", "grayscale": True}, {"timeunit": "s"}):
        sim.ResetKernel()
        dc = sim.Create("dc_generator", params={"amplitude": 300.0})
        neurons = sim.Create("glif_cond", 1) + sim.Create("glif_cond", 2)
        mm = sim.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.5})
        sim.Connect(dc, neurons, syn_spec={"weight": np.array([[1.0], [0.5], [0.2]])})
        sim.Connect(mm, neurons)
        sim.Simulate(20.0)
        plt.close("all")
        sim.voltage_trace.from_device(mm, **kwargs)
        out.append(_figure_content(plt.gcf()))
    return out


def _error(fn):
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the class name is the result
        return type(err).__name__
    return None


def scenario_errors(sim):
    """Misuse: the wrong device, nothing recorded, a multimeter without V_m."""
    sim.ResetKernel()
    sr = sim.Create("spike_recorder")
    n = sim.Create("glif_cond")
    mm = sim.Create("multimeter", params={"record_from": ["I"]})
    mm_v = sim.Create("multimeter", params={"record_from": ["V_m"]})
    sim.Connect(mm, n)
    sim.Connect(mm_v, n)
    sim.Connect(n, sr)
    sim.Simulate(5.0)
    return {"raster of a multimeter": _error(lambda: sim.raster_plot.from_device(mm)),
            "empty raster": _error(lambda: sim.raster_plot.from_device(sr)),
            "trace without V_m": _error(lambda: sim.voltage_trace.from_device(mm)),
            "trace of a spike_recorder": _error(lambda: sim.voltage_trace.from_device(sr))}


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


def prepare(sim, module_name):
    """Load NEST's plotting modules, which NEST imports on demand."""
    if module_name == "nest":
        import nest.raster_plot  # noqa: F401
        import nest.voltage_trace  # noqa: F401


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
