"""poisson_counts (table search, words of a row drawn in one loop) draws the counts of the scalar inversion."""

import numpy as np
import pytest

from eventsim.nodes.counter_rng import _poisson, poisson_counts, stream_keys


def _scalar_reference(keys, counters, streams, rows, lam, out):
    """One count at a time with _poisson, column by column."""
    for c, s in enumerate(streams.tolist()):
        for i, r in enumerate(rows.tolist()):
            out[r, c], counters[s] = _poisson(keys[s, 0], keys[s, 1], counters[s], lam[i], np.exp(-lam[i]))


@pytest.mark.parametrize("mean", [1e-300, 1e-6, 0.05, 0.75, 4.0, 9.999999, 10.0, 25.0])
def test_counts_equal_the_scalar_inversion_for_every_mean_and_slicing(mean):
    n_streams, n_steps = 60, 40
    keys = np.empty((n_streams, 2), dtype=np.uint64)
    ids = np.arange(n_streams, dtype=np.int64)
    stream_keys(np.uint64(12345), ids, ids + 7, ids % 3, keys)
    streams = np.random.default_rng(0).permutation(n_streams)[:50].astype(np.int64)
    rows = np.array([0, 1, 2, 5, 6, 20, 21, 39], dtype=np.int64)
    lam = np.full(len(rows), mean)
    lam[2] = 0.3                                    # rows of one chunk may differ (a rate that changes)
    lam[5] = 12.0                                   # one row by rejection, between inversion rows
    start = np.arange(n_streams, dtype=np.int64) * 3 # streams part-way through their words
    expected, expected_counters = np.full((n_steps, 50), -1.0), start.copy()
    _scalar_reference(keys, expected_counters, streams, rows, lam, expected)
    for cuts in ([0, 50], [0, 17, 50], [0, 1, 2, 49, 50]):
        got, counters = np.full((n_steps, 50), -1.0), start.copy()
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            poisson_counts(keys, counters, streams, rows, lam, got, lo, hi)
        assert np.array_equal(got, expected)
        assert np.array_equal(counters, expected_counters)
    if mean >= 0.05:
        assert np.count_nonzero(expected[rows] > 0) > 10
