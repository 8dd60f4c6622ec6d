"""The compiled spike deposit adds exactly what the expanded connections added with np.add.at, in its order."""

import numpy as np
import pytest

from eventsim.nodes.spike_deposit import deposit_spikes


def _csr(rng, n_src, n_tgt, n_conn, n_ports):
    src = rng.integers(0, n_src, n_conn)
    tgt = rng.integers(0, n_tgt, n_conn)        # repeated (source, target) pairs: multapses
    order = np.lexsort((tgt, src))              # by source, then target, stably: Projection.csr's order
    ptr = np.zeros(n_src + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_src), out=ptr[1:])
    w = rng.normal(0.0, 1.0, n_conn) * 10.0 ** rng.integers(-8, 8, n_conn)   # sums that depend on their order
    d = rng.integers(1, 30, n_conn)
    r = rng.integers(0, n_ports, n_conn)
    return ptr, tgt[order], w[order], d[order], r[order]


def _reference(block, first_step, sources, stamps, mult, factors, csr, count_mode):
    """The former numpy path: expand over the connections, then one np.add.at."""
    ptr, tgt, w, d, r = csr
    counts = ptr[sources + 1] - ptr[sources]
    idx = np.concatenate([np.arange(ptr[s], ptr[s + 1]) for s in sources]).astype(np.int64)
    arrival = np.repeat(stamps, counts) + d[idx]
    m = np.repeat(mult, counts)
    value = m.astype(float) if count_mode else w[idx] * m
    if factors is not None and not count_mode:
        value *= np.repeat(factors, counts)
    inside = (arrival >= first_step) & (arrival < first_step + block.shape[1])
    flat = (r[idx] * block.shape[1] + arrival - first_step) * block.shape[2] + tgt[idx]
    np.add.at(block.reshape(-1), flat[inside], value[inside])


@pytest.mark.parametrize("count_mode", [False, True])
@pytest.mark.parametrize("with_factors", [False, True])
def test_deposit_equals_add_at_bit_for_bit_for_any_target_slicing(count_mode, with_factors):
    rng = np.random.default_rng(3)
    n_src, n_tgt, n_ports = 40, 25, 3
    csr = _csr(rng, n_src, n_tgt, 600, n_ports)
    n_ev = 300
    sources = rng.integers(0, n_src, n_ev)                      # unsorted, repeated sources
    stamps = rng.integers(100, 140, n_ev)
    mult = rng.integers(1, 4, n_ev)
    factors = rng.normal(1.0, 0.5, n_ev) if with_factors else None
    for first_step in (90, 120, 150):                           # blocks that catch part of the arrivals
        start = rng.normal(0.0, 1e-3, (n_ports, 16, n_tgt))     # what the inbox held already
        expected = start.copy()
        _reference(expected, first_step, sources, stamps, mult, factors, csr, count_mode)
        assert np.count_nonzero(expected != start) > 20
        for cuts in ([0, n_tgt], [0, 7, n_tgt], [0, 1, 12, 13, n_tgt]):
            got = start.copy()
            for lo, hi in zip(cuts[:-1], cuts[1:]):
                deposit_spikes(got, first_step, sources, stamps, mult,
                               np.zeros(0) if factors is None else factors, *csr, count_mode, lo, hi)
            assert np.array_equal(got, expected)
