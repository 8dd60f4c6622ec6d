"""Spikes of one batch deposited into a target's inbox over the connections of one projection, compiled.

One pass over the events of a :class:`~eventsim.messages.SpikeBatch` and, for each, over its
connections in the projection's CSR order adds weight x multiplicity (x the event's weight factor)
at ``stamp + delay`` on the connection's port of its target: the same additions, in the same order
per inbox cell, as gathering the expanded connections with numpy and adding them with
``np.add.at``, so the sums are the same bit for bit, without the temporaries of the expansion.
"""

import numpy as np
from numba import njit

__all__ = ["deposit_spikes", "warm_up"]


@njit(cache=True, nogil=True)
def deposit_spikes(block, first_step, sources, stamps, multiplicities, factors, ptr, tgt, weight, delay, port,
                   count_mode, lo, hi):
    """Add the events arriving in `block` to it, for the targets ``lo .. hi - 1``.

    Parameters
    ----------
    block : float64 (n_ports, B, n_nodes)
        One inbox block; row k holds step ``first_step + k``.  Events arriving outside it are skipped.
    first_step : int
        Step of the block's first row.
    sources, stamps, multiplicities : int64 (E,)
        The batch: local source index, stamp (steps) and multiplicity of each event.
    factors : float64 (E,) or (0,)
        Weight factor of each event (spike_generator's ``spike_weights``); empty for none.
    ptr, tgt, weight, delay, port : arrays of the projection's CSR form
        ``ptr`` (n_sources + 1) int64, and per connection the local target (int64), weight (float64),
        delay (steps, int64) and port (int64); each source's connections sorted by target, so that a
        slice of the targets is found by bisection instead of a test of every connection.
    count_mode : bool
        Deposit the multiplicity alone (a target with ``input_mode == "count"``) instead of the weight.
    lo, hi : int
        Only targets in ``lo .. hi - 1`` are written, so that slices of the targets may run in parallel
        threads; each cell receives its additions in the batch's order whatever the slicing.
    """
    n_steps = block.shape[1]
    has_factors = factors.shape[0] > 0
    whole = lo <= 0 and hi >= block.shape[2]
    for e in range(sources.shape[0]):
        s = sources[e]
        m = multiplicities[e]
        first, end = ptr[s], ptr[s + 1]
        if not whole:
            first, end = _first_at_least(tgt, first, end, lo), _first_at_least(tgt, first, end, hi)
        for c in range(first, end):
            t = tgt[c]
            row = stamps[e] + delay[c] - first_step
            if row < 0 or row >= n_steps:
                continue
            if count_mode:
                value = float(m)
            else:
                value = weight[c] * float(m)
                if has_factors:
                    value *= factors[e]
            block[port[c], row, t] += value


@njit(cache=True, nogil=True)
def _first_at_least(keys, first, end, value):
    """The first index in ``first .. end - 1`` of the ascending `keys` whose key is >= `value` (`end` if none)."""
    while first < end:
        mid = (first + end) >> 1
        if keys[mid] < value:
            first = mid + 1
        else:
            end = mid
    return first


def warm_up():
    """Compile (or load from numba's cache) the kernel."""
    one = np.zeros(1, dtype=np.int64)
    deposit_spikes(np.zeros((1, 1, 1)), 0, one, one, one + 1, np.zeros(0), np.array([0, 1]), one, np.ones(1), one,
                   one, False, 0, 1)
