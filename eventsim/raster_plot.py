"""PyNEST's ``nest.raster_plot``: a raster of recorded spikes with an optional rate histogram (matplotlib).

:func:`from_device` draws into a new pyplot figure, as NEST's does, so that
``plt.show()`` or ``plt.savefig`` follow as in a PyNEST script.  It reads the
recorder's ``events`` (memory or netCDF recording alike).
"""

import numpy as np

__all__ = ["from_device"]


def from_device(detec, hist=True, hist_binwidth=5.0, grayscale=False, title=None):
    """Plot the spikes of a spike_recorder: sender against time (ms), with a rate histogram if `hist`.

    Parameters
    ----------
    detec : NodeCollection
        One spike_recorder.
    hist : bool
        Add a population rate histogram (spikes/s per neuron) below the raster.
    hist_binwidth : float
        Width of the histogram bins (ms).
    grayscale : bool
        Black markers and gray bars instead of colours.
    title : str, optional
        Figure title; default ``"Raster plot from device '<id>'"``.

    Returns
    -------
    list of matplotlib.lines.Line2D
        The raster's markers, as ``plt.plot`` returns them.

    Raises
    ------
    TypeError
        If `detec` is not a single spike_recorder.
    ValueError
        If it recorded no spike, or `hist_binwidth` is not positive.
    """
    import matplotlib.pyplot as plt

    _check_single(detec, ("spike_recorder",), "Please provide a 'spike_recorder'.")
    ev = detec.events
    ts, senders = np.asarray(ev["times"], dtype=float), np.asarray(ev["senders"])
    if not len(ts):
        raise ValueError("No events recorded by 'spike_recorder'.")
    if not hist_binwidth > 0:
        raise ValueError(f"hist_binwidth must be a positive number of ms, got {hist_binwidth!r}")
    if title is None:
        title = f"Raster plot from device '{detec.tolist()[0]}'"
    xlabel = "Time (ms)"
    marker, bar_color = (".k", "gray") if grayscale else (".", "blue")

    plt.figure()
    if hist:
        raster = plt.axes([0.1, 0.3, 0.85, 0.6])
        plotid = plt.plot(ts, senders, marker)
        plt.ylabel("Neuron ID")
        plt.xticks([])
        xlim = plt.xlim()
        plt.axes([0.1, 0.1, 0.85, 0.17])
        edges, counts = _binned(ts, float(hist_binwidth))
        heights = 1000.0 * counts / (hist_binwidth * len(np.unique(senders)))
        plt.bar(edges, heights, width=hist_binwidth, color=bar_color, edgecolor="black")
        plt.yticks([int(x) for x in np.linspace(0.0, int(max(heights) * 1.1) + 5, 4)])
        plt.ylabel("Rate (spks/s)")
        plt.xlabel(xlabel)
        plt.xlim(xlim)
        plt.sca(raster)
    else:
        plotid = plt.plot(ts, senders, marker)
        plt.xlabel(xlabel)
        plt.ylabel("Neuron ID")
    plt.title(title)
    plt.draw()
    return plotid


def _binned(ts, width):
    """Left bin edges from the first spike in steps of `width` (ms) and the spikes per bin; the last bin is open."""
    edges = np.arange(ts.min(), ts.max(), width)
    if edges.size == 0:
        edges = np.array([ts.min()])
    idx = np.searchsorted(np.sort(ts), edges)
    counts = np.diff(np.append(idx, len(ts)))
    return edges, counts


def _check_single(detec, models, message):
    """Raise TypeError with `message` unless `detec` is one node of one of `models`."""
    try:
        gids = detec.tolist()
    except AttributeError:
        raise TypeError(f"{message} Got {detec!r}.") from None
    if len(gids) != 1:
        raise TypeError(f"{message} Got {len(gids)} nodes.")
    if detec.get("model") not in models:
        raise TypeError(f"{message} Got a {detec.get('model')}.")
