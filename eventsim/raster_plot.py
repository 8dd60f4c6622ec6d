"""PyNEST's ``nest.raster_plot``: a raster of recorded spikes with an optional rate histogram (matplotlib).

:func:`from_device` (a spike_recorder's ``events``, memory or netCDF
recording alike) and :func:`from_data` (rows of sender and time) draw into a
new pyplot figure, as NEST's do, so that ``plt.show()`` or ``plt.savefig``
follow as in a PyNEST script.
"""

import numpy as np

__all__ = ["from_device", "from_data"]


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
    _check_single(detec, ("spike_recorder",), "Please provide a 'spike_recorder'.")
    ev = detec.events
    ts, senders = np.asarray(ev["times"], dtype=float), np.asarray(ev["senders"])
    if not len(ts):
        raise ValueError("No events recorded by 'spike_recorder'.")
    if title is None:
        title = f"Raster plot from device '{detec.tolist()[0]}'"
    return _make_plot(ts, ts, senders, senders, hist, hist_binwidth, grayscale, title)


def from_data(data, sel=None, hist=True, hist_binwidth=5.0, grayscale=False, title=None):
    """Plot spikes given as rows ``(sender, time in ms)``; `sel` keeps only those senders in the raster.

    The histogram counts all rows, per neuron of all senders, as NEST's does.
    Other parameters and the result are those of :func:`from_device`; the
    default title is ``"Raster plot"``.
    """
    data = np.asarray(data, dtype=float)
    if len(data) == 0:
        raise ValueError("No data to plot.")
    if data.ndim != 2 or data.shape[1] < 2:
        raise ValueError(f"data must have one row (sender, time) per spike, got shape {data.shape}")
    kept = data if not sel else data[np.isin(data[:, 0], list(sel))]
    return _make_plot(data[:, 1], kept[:, 1], kept[:, 0], data[:, 0], hist, hist_binwidth, grayscale,
                      "Raster plot" if title is None else title)


def _make_plot(ts, ts1, senders1, senders, hist, hist_binwidth, grayscale, title):
    """Raster of (`ts1`, `senders1`) and histogram of all spike times `ts` over the neurons in `senders`."""
    import matplotlib.pyplot as plt

    if not hist_binwidth > 0:
        raise ValueError(f"hist_binwidth must be a positive number of ms, got {hist_binwidth!r}")
    xlabel = "Time (ms)"
    marker, bar_color = (".k", "gray") if grayscale else (".", "blue")
    plt.figure()
    if hist:
        raster = plt.axes([0.1, 0.3, 0.85, 0.6])
        plotid = plt.plot(ts1, senders1, marker)
        plt.ylabel("Neuron ID")
        plt.xticks([])
        xlim = plt.xlim()
        plt.axes([0.1, 0.1, 0.85, 0.17])
        edges, counts = _binned(np.asarray(ts, dtype=float), float(hist_binwidth))
        heights = 1000.0 * counts / (hist_binwidth * len(np.unique(senders)))
        plt.bar(edges, heights, width=hist_binwidth, color=bar_color, edgecolor="black")
        plt.yticks([int(x) for x in np.linspace(0.0, int(max(heights) * 1.1) + 5, 4)])
        plt.ylabel("Rate (spks/s)")
        plt.xlabel(xlabel)
        plt.xlim(xlim)
        plt.sca(raster)
    else:
        plotid = plt.plot(ts1, senders1, marker)
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
