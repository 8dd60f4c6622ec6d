"""eventsim.plotting: the four-panel glif_cond figure, from a tree, a file or datasets."""

import matplotlib
import numpy as np
import pytest
import xarray as xr
from matplotlib.figure import Figure

import eventsim as nest
from eventsim.plotting import find_recordings, plot_glif_cond
from recorder_helpers import ALL_GLIF_RECORDABLES, small_network

matplotlib.use("Agg")

#: Expected (label, color, linestyle, marker) of the lines of each panel.
EXPECTED_LINES = [
    [("V_m", "b", "-", "None"), ("threshold", "g", "--", "None"), ("spike", "r", "None", ".")],
    [("threshold_spike", "y", "-", "None"), ("threshold_voltage", "k", "--", "None")],
    [("I", None, "--", "None"), ("ASCurrents_sum", "c", "-.", "None")],
    [("g_1", None, "-", "None"), ("g_2", None, "--", "None")],
]


@pytest.fixture
def recorded():
    """Recordings of three neurons with every glif_cond recordable; returns the DataTree."""
    small_network(mm_params={"interval": 0.1, "record_from": ALL_GLIF_RECORDABLES}, sims=[80.0])
    tree = nest.recordings()
    assert tree["spike_recorder_1"]["spike_time"].size > 0
    return tree


def check_figure(fig, mm, sr, sender):
    """Assert the panels, lines, labels and data of the figure of `sender`."""
    assert isinstance(fig, Figure)
    axes = fig.axes
    assert len(axes) == 4
    trace = mm.sel(sender=sender)
    for ax, expected in zip(axes, EXPECTED_LINES):
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [e[0] for e in expected]
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [e[0] for e in expected]
        for line, (label, color, style, marker) in zip(lines, expected):
            if color is not None:
                assert matplotlib.colors.same_color(line.get_color(), color), label
            assert (line.get_linestyle(), line.get_marker()) == (style, marker), label
            if label != "spike":
                np.testing.assert_array_equal(line.get_xdata(), trace["time"].values)
                np.testing.assert_array_equal(line.get_ydata(), trace[label].values)
    spikes = axes[0].get_lines()[2]
    expected_times = sr["spike_time"].values[sr["spike_sender"].values == sender]
    assert len(expected_times) > 0
    np.testing.assert_array_equal(spikes.get_xdata(), expected_times)
    np.testing.assert_allclose(spikes.get_ydata(), 0.95 * trace["threshold"].values.max())
    assert [ax.get_ylabel() for ax in axes] == ["V (mV)", "V (mV)", "I (pA)", "G (nS)"]
    assert axes[-1].get_xlabel() == "t (ms)"


def test_figure_from_tree(recorded):
    """From the DataTree: four panels with the expected lines; the title names the neuron."""
    fig = plot_glif_cond(recorded, 2)
    mm, sr = find_recordings(recorded)
    check_figure(fig, mm, sr, 2)
    assert fig.axes[0].get_title() == "Simulation of glif_cond neuron 2"


def test_figure_from_netcdf_file_alone(recorded, tmp_path):
    """From the file save_recordings wrote: the same figure, and the level coordinate titles it."""
    tree = recorded
    tree["multimeter_1"] = tree["multimeter_1"].to_dataset().assign_coords(level=("sender", ["a", "b", "c"]))
    path = nest.save_recordings(tmp_path / "rec.nc", tree)
    nest.ResetKernel()
    fig = plot_glif_cond(path, 3)
    mm, sr = find_recordings(path)
    check_figure(fig, mm, sr, 3)
    assert fig.axes[0].get_title() == "Simulation of glif_cond neuron of c"


def test_figure_from_datasets_into_given_figure(recorded):
    """From the two datasets, drawn into a figure the caller made; title as given."""
    mm, sr = find_recordings(recorded)
    target = Figure()
    fig = plot_glif_cond(mm, 1, spikes=sr, fig=target, title="mine")
    assert fig is target
    check_figure(fig, mm, sr, 1)
    assert fig.axes[0].get_title() == "mine"


def test_unknown_sender_and_missing_variables_are_named(recorded):
    """A sender that was not recorded, or a missing recordable, raises a clear ValueError."""
    with pytest.raises(ValueError, match=r"sender 9 was not recorded; recorded senders: \[1, 2, 3\]"):
        plot_glif_cond(recorded, 9)
    mm, sr = find_recordings(recorded)
    with pytest.raises(ValueError, match="did not record ASCurrents_sum"):
        plot_glif_cond(mm.drop_vars("ASCurrents_sum"), 1, spikes=sr)


def test_ambiguous_groups_must_be_named(recorded):
    """With two multimeter groups the helper asks for a name, and uses the one given."""
    tree = recorded.copy()
    tree["second"] = tree["multimeter_1"].to_dataset()
    with pytest.raises(ValueError, match=r"expected one multimeter group.*\['multimeter_1', 'second'\]"):
        plot_glif_cond(tree, 1)
    with pytest.raises(ValueError, match="no group 'nope'"):
        plot_glif_cond(tree, 1, multimeter="nope")
    fig = plot_glif_cond(tree, 1, multimeter="second")
    assert len(fig.axes) == 4
    assert isinstance(tree, xr.DataTree)
