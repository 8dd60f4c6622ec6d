"""Figures of recorded glif_cond neurons, drawn from recordings alone.

.. autosummary::

   plot_glif_cond
   find_recordings

:func:`plot_glif_cond` draws the four panels of NEST's glif_cond example for
one neuron from a multimeter dataset and a spike dataset, which it takes
from an :class:`xarray.DataTree` (as :func:`eventsim.recordings` returns),
from the netCDF file :func:`eventsim.save_recordings` wrote, or directly.
So a figure can be redone from the file without running the simulation::

    from eventsim.plotting import plot_glif_cond
    fig = plot_glif_cond("out/glif_cond_recordings.nc", sender=3)
    fig.savefig("lif_asc.png")

The title names the neuron's level when the multimeter dataset has a
``level`` coordinate along ``sender`` (the example
``examples/glif_cond_neuron.py`` adds one), otherwise its global id.
Nothing here touches pyplot's global state unless a pyplot figure is passed.
"""

import os

import numpy as np
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.gridspec import GridSpec

__all__ = ["plot_glif_cond", "find_recordings", "PANELS", "SPIKE_MARK_FRACTION"]

#: Panels from top to bottom: (variable, matplotlib format) pairs and the y-axis quantity.
PANELS = (
    ((("V_m", "b"), ("threshold", "g--")), "V"),
    ((("threshold_spike", "y"), ("threshold_voltage", "k--")), "V"),
    ((("I", "--"), ("ASCurrents_sum", "c-.")), "I"),
    ((("g_1", "-"), ("g_2", "--")), "G"),
)

#: Spikes are marked at this fraction of the largest threshold (as NEST's example does).
SPIKE_MARK_FRACTION = 0.95


def find_recordings(recordings, multimeter=None, spike_recorder=None):
    """The multimeter and spike datasets held by `recordings`.

    Parameters
    ----------
    recordings : xarray.DataTree or str or os.PathLike
        A tree with one group per recorder, or the path of a netCDF file
        holding one.
    multimeter, spike_recorder : str, optional
        Group names; needed only when the tree has several of a kind.

    Returns
    -------
    tuple of xarray.Dataset
        ``(multimeter dataset, spike dataset)``.

    Raises
    ------
    ValueError
        If a kind of recording is missing or ambiguous, naming the groups.
    """
    if isinstance(recordings, (str, os.PathLike)):
        with xr.open_datatree(recordings, engine="netcdf4") as tree:
            return find_recordings(tree.load(), multimeter, spike_recorder)
    groups = {node.name: node.to_dataset(inherit=False) for node in recordings.subtree if node.has_data}
    mm = _pick(groups, multimeter, lambda ds: "time" in ds.dims and "sender" in ds.dims, "multimeter")
    sr = _pick(groups, spike_recorder, lambda ds: "spike_time" in ds, "spike recorder")
    return mm, sr


def _pick(groups, name, is_kind, kind):
    if name is not None:
        if name not in groups:
            raise ValueError(f"no group {name!r} in the recordings; groups: {', '.join(groups) or 'none'}")
        return groups[name]
    found = [g for g, ds in groups.items() if is_kind(ds)]
    if len(found) != 1:
        raise ValueError(f"expected one {kind} group in the recordings, found {found or 'none'}; "
                         f"name the one to plot")
    return groups[found[0]]


def plot_glif_cond(recordings, sender, *, spikes=None, multimeter=None, spike_recorder=None, title=None,
                   fig=None):
    """Draw the four panels of NEST's glif_cond example for one neuron.

    Panels: 1 ``V_m`` (blue) and ``threshold`` (green, dashed) with the
    spikes as red dots; 2 ``threshold_spike`` and ``threshold_voltage``;
    3 ``I`` and ``ASCurrents_sum``; 4 ``g_1`` and ``g_2``.  Every line has
    its variable's name as label; the spikes are labelled ``spike``.

    Parameters
    ----------
    recordings : xarray.DataTree or str or os.PathLike or xarray.Dataset
        Recordings (see :func:`find_recordings`), or the multimeter dataset
        itself, in which case `spikes` gives the spike dataset.
    sender : int
        Global id of the neuron.
    spikes : xarray.Dataset, optional
        Spike dataset, when `recordings` is the multimeter dataset; without
        it no spikes are drawn.
    multimeter, spike_recorder : str, optional
        Group names, when the tree holds several recorders of a kind.
    title : str, optional
        Title of the top panel; default
        ``"Simulation of <model> neuron of <level>"``.
    fig : matplotlib.figure.Figure, optional
        Figure to draw into (e.g. ``plt.figure()`` to show it with pyplot);
        default a new, unmanaged Figure.

    Returns
    -------
    matplotlib.figure.Figure
        The figure with four axes, time (ms) on the x axis.

    Raises
    ------
    ValueError
        If `sender` was not recorded or a variable is missing.
    """
    if isinstance(recordings, xr.Dataset):
        mm, sr = recordings, spikes
    else:
        mm, sr = find_recordings(recordings, multimeter, spike_recorder)
    trace = _sender_traces(mm, sender)
    spike_times = _spike_times(sr, sender) if sr is not None else np.empty(0)
    fig = fig if fig is not None else Figure(figsize=(9, 8))
    fig.set_layout_engine("constrained")
    grid = GridSpec(4, 1, figure=fig, height_ratios=[2, 1, 1, 1])
    axes = []
    for row, (lines, quantity) in enumerate(PANELS):
        ax = fig.add_subplot(grid[row], sharex=axes[0] if axes else None)
        for name, fmt in lines:
            ax.plot(trace["time"].values, trace[name].values, fmt, label=name)
        if row == 0:
            mark = SPIKE_MARK_FRACTION * float(trace["threshold"].max())
            ax.plot(spike_times, np.full(len(spike_times), mark), "r.", label="spike")
            ax.set_title(title if title is not None else _default_title(trace))
        ax.set_ylabel(f"{quantity} ({trace[lines[0][0]].attrs.get('units', '1')})")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        ax.tick_params(labelbottom=row == len(PANELS) - 1)
        axes.append(ax)
    axes[-1].set_xlabel(f"t ({trace['time'].attrs.get('units', 'ms')})")
    return fig


def _sender_traces(mm, sender):
    """The multimeter dataset of one sender, checked for the variables of :data:`PANELS`."""
    if sender not in mm["sender"].values:
        raise ValueError(f"sender {sender} was not recorded; recorded senders: {mm['sender'].values.tolist()}")
    missing = [name for lines, _ in PANELS for name, _ in lines if name not in mm]
    if missing:
        raise ValueError(f"the multimeter did not record {', '.join(missing)}; plot_glif_cond needs all of "
                         f"{', '.join(name for lines, _ in PANELS for name, _ in lines)}")
    return mm.sel(sender=sender)


def _spike_times(sr, sender):
    """Spike times (ms) of `sender` in the spike dataset `sr`."""
    return sr["spike_time"].values[sr["spike_sender"].values == sender]


def _default_title(trace):
    model = str(trace["model"].values) if "model" in trace.coords else "glif_cond"
    if "level" in trace.coords:
        return f"Simulation of {model} neuron of {trace['level'].values}"
    return f"Simulation of {model} neuron {int(trace['sender'])}"
