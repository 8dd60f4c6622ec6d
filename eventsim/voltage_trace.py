"""PyNEST's ``nest.voltage_trace``: membrane potential traces from a multimeter (matplotlib).

:func:`from_device` draws one line per recorded neuron into the current
pyplot figure, as NEST's does.  Unlike NEST, which prints a note and skips
them, ids in `neurons` that the multimeter did not record are an error.
"""

import numpy as np

from .raster_plot import _check_single

__all__ = ["from_device"]


def from_device(detec, neurons=None, title=None, grayscale=False, timeunit="ms"):
    """Plot V_m (mV) against time of the neurons a multimeter recorded.

    Parameters
    ----------
    detec : NodeCollection
        One multimeter recording ``V_m``.
    neurons : list of int, optional
        Global ids to plot (default: every recorded neuron, in order of first sample).
    title : str, optional
        Plot title; default ``"Membrane potential"``.
    grayscale : bool
        Black lines.
    timeunit : {"ms", "s"}
        Unit of the time axis; any other value means ms, as in NEST.

    Returns
    -------
    list of list of matplotlib.lines.Line2D
        One ``plt.plot`` result per neuron.

    Raises
    ------
    TypeError
        If `detec` is not a single multimeter.
    ValueError
        If it does not record V_m, recorded nothing, or `neurons` names an id it did not record.
    """
    import matplotlib.pyplot as plt

    _check_single(detec, ("multimeter", "voltmeter"), "Please provide a 'voltmeter' or a 'multimeter' measuring V_m.")
    if "V_m" not in detec.get("record_from"):
        raise ValueError("Please provide a 'multimeter' measuring 'V_m'.")
    ev = detec.events
    times, senders, v = (np.asarray(ev[k]) for k in ("times", "senders", "V_m"))
    if not len(times):
        raise ValueError("No events recorded.")
    factor = 1000.0 if timeunit == "s" else 1.0
    timeunit = "s" if timeunit == "s" else "ms"
    recorded = list(dict.fromkeys(senders.tolist()))
    neurons = recorded if neurons is None else [int(n) for n in neurons]
    missing = [n for n in neurons if n not in recorded]
    if missing:
        raise ValueError(f"the multimeter recorded no neuron with id {missing[0]}; recorded: {recorded}")
    plotids = []
    for n in neurons:
        mine = senders == n
        plotids.append(plt.plot(times[mine] / factor, v[mine], "k" if grayscale else "", label=f"Neuron {n}"))
    plt.title(title or "Membrane potential")
    plt.ylabel("Membrane potential (mV)")
    plt.xlabel(f"Time ({timeunit})")
    plt.legend(loc="best")
    plt.draw()
    return plotids
