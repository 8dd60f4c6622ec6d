"""``eventsim.raster_plot`` and ``eventsim.voltage_trace`` draw what NEST 3.10's draw (Agg backend).

NEST runs :mod:`pynest_plot_scenarios` in a subprocess.  Raster markers, bar
positions and heights, ticks, labels, titles and legends must be equal;
voltage traces equal within NEST's float32 storage of V_m and time.
"""

import json
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim as nest
import pynest_plot_scenarios as scenarios

matplotlib.use("Agg")
SCRIPT = Path(scenarios.__file__)


@pytest.fixture(scope="module")
def nest_results():
    """What NEST's plotting functions drew in every scenario."""
    return run_under_nest(scenarios, timeout=300)


def ours(name):
    """What eventsim drew in scenario `name`, through JSON like NEST's."""
    import matplotlib.pyplot as plt
    try:
        return json.loads(json.dumps(scenarios.SCENARIOS[name](nest)))
    finally:
        plt.close("all")


@pytest.mark.parametrize("case", range(4))
def test_raster_plot_equals_nest(case, nest_results):
    """Raster markers, histogram bars and ticks, labels and title as NEST draws them."""
    got, ref = ours("raster")[case], nest_results["raster"][case]
    assert sum(len(ax["lines"]) for ax in ref) == 1
    assert got == ref


@pytest.mark.parametrize("case", range(3))
def test_raster_plot_from_data_equals_nest(case, nest_results):
    """from_data on (sender, time) rows, with a selection of senders: NEST's figure."""
    assert ours("raster_from_data")[case] == nest_results["raster_from_data"][case]


@pytest.mark.parametrize("case", range(3))
def test_voltage_trace_equals_nest(case, nest_results):
    """One line per neuron with NEST's data (NEST keeps float32), labels, legend and title."""
    got, ref = ours("voltage")[case], nest_results["voltage"][case]
    assert len(got) == len(ref) == 1
    g, r = got[0], ref[0]
    assert {k: v for k, v in g.items() if k != "lines"} == {k: v for k, v in r.items() if k != "lines"}
    assert len(g["lines"]) == len(r["lines"]) > 0
    for (gx, gy, gm, gl), (rx, ry, rm, rl) in zip(g["lines"], r["lines"]):
        assert (gm, gl) == (rm, rl)
        np.testing.assert_allclose(gx, rx, rtol=1e-6)
        np.testing.assert_allclose(gy, ry, rtol=0, atol=1e-5)


def test_misuse_raises_as_nest(nest_results):
    """The wrong device, an empty recorder or a multimeter without V_m raise NEST's exception classes."""
    assert ours("errors") == nest_results["errors"]


def test_neurons_not_recorded_are_an_error():
    """Unlike NEST (which prints a note), asking for an id the multimeter did not record raises ValueError."""
    n = nest.Create("glif_cond", 2)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Connect(mm, n[0])
    nest.Simulate(3.0)
    with pytest.raises(ValueError, match="no neuron with id 2"):
        nest.voltage_trace.from_device(mm, neurons=[1, 2])


def test_netcdf_recording_plots_like_memory(tmp_path):
    """A spike_recorder writing to netCDF gives the same raster as one in memory."""
    import matplotlib.pyplot as plt
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 7.5]})
    parrot = nest.Create("parrot_neuron")
    mem = nest.Create("spike_recorder")
    disk = nest.Create("spike_recorder", params={"record_to": "netcdf", "filename": str(tmp_path / "s.nc")})
    nest.Connect(sg, parrot)
    nest.Connect(parrot, mem + disk)
    nest.Simulate(10.0)
    lines = [nest.raster_plot.from_device(sr, hist=False)[0] for sr in (mem, disk)]
    np.testing.assert_array_equal(lines[0].get_xdata(), lines[1].get_xdata())
    assert len(lines[0].get_xdata()) == 3
    plt.close("all")


def test_core_does_not_import_the_plotting_modules():
    """The kernel and models never import the front-end plotting modules."""
    root = Path(nest.__file__).parent
    for path in [*root.glob("*.py"), *(root.parent / "nodes").glob("*.py"), *(root.parent / "recorders").glob("*.py")]:
        if path.name in ("__init__.py", "raster_plot.py", "voltage_trace.py"):
            continue
        text = path.read_text()
        assert "raster_plot" not in text and "voltage_trace" not in text, path
