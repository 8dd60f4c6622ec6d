"""Counter-based random numbers and Poisson counts for per-connection streams, compiled with numba.

A stream is a 128-bit key; its j-th 64-bit word is Threefry-2x64-20 (Salmon et al. 2011,
"Parallel random numbers: as easy as 1, 2, 3") of the counter (j, 0) under that key.  A
stream's words depend only on its key and j, so streams need no state but a counter, cost
nothing to create, and can be drawn in any order, in parallel, with the same numbers.

Poisson counts follow numpy's algorithms: inversion of the cumulative distribution (one
uniform per count) for means below 10, and Hoermann's transformed rejection (PTRS, 1993)
above.
"""

import math

import numpy as np
from numba import njit

__all__ = ["threefry", "stream_keys", "poisson_counts", "warm_up"]

_PARITY = np.uint64(0x1BD11BDAA9FC1A22)
_MASK = (1 << 64) - 1
#: Mean count per step from which the PTRS rejection method is used instead of inversion.
PTRS_FROM = 10.0


@njit(cache=True, nogil=True)
def threefry(k0, k1, c0, c1):
    """Threefry-2x64 with 20 rounds: the two 64-bit words (uint64) of counter (c0, c1) under key (k0, k1)
    (rotations 16, 42, 12, 31, 16, 32, 24, 21; the key injected every 4 rounds).

    Written out round by round on purpose: a version with a helper per four rounds drew the
    network benchmark's Poisson counts about 1.5x slower under numba."""
    ks2 = k0 ^ k1 ^ _PARITY
    x0 = c0 + k0
    x1 = c1 + k1
    x0 += x1
    x1 = ((x1 << np.uint64(16)) | (x1 >> np.uint64(48))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(42)) | (x1 >> np.uint64(22))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(12)) | (x1 >> np.uint64(52))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(31)) | (x1 >> np.uint64(33))) ^ x0
    x0 += k1
    x1 += ks2 + np.uint64(1)
    x0 += x1
    x1 = ((x1 << np.uint64(16)) | (x1 >> np.uint64(48))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(32)) | (x1 >> np.uint64(32))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(24)) | (x1 >> np.uint64(40))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(21)) | (x1 >> np.uint64(43))) ^ x0
    x0 += ks2
    x1 += k0 + np.uint64(2)
    x0 += x1
    x1 = ((x1 << np.uint64(16)) | (x1 >> np.uint64(48))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(42)) | (x1 >> np.uint64(22))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(12)) | (x1 >> np.uint64(52))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(31)) | (x1 >> np.uint64(33))) ^ x0
    x0 += k0
    x1 += k1 + np.uint64(3)
    x0 += x1
    x1 = ((x1 << np.uint64(16)) | (x1 >> np.uint64(48))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(32)) | (x1 >> np.uint64(32))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(24)) | (x1 >> np.uint64(40))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(21)) | (x1 >> np.uint64(43))) ^ x0
    x0 += k1
    x1 += ks2 + np.uint64(4)
    x0 += x1
    x1 = ((x1 << np.uint64(16)) | (x1 >> np.uint64(48))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(42)) | (x1 >> np.uint64(22))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(12)) | (x1 >> np.uint64(52))) ^ x0
    x0 += x1
    x1 = ((x1 << np.uint64(31)) | (x1 >> np.uint64(33))) ^ x0
    x0 += ks2
    x1 += k0 + np.uint64(5)
    return x0, x1


@njit(cache=True, nogil=True)
def stream_keys(seed_word, source_gid, target_gid, rank, keys):
    """Keys (uint64 (M, 2)) of M streams: Threefry of counter (target_gid, rank) under key (seed_word, source_gid).

    `seed_word` (uint64) packs the kernel's seed and the stream's name; `source_gid`, `target_gid`, `rank`
    are int64 arrays of length M.
    """
    for m in range(keys.shape[0]):
        keys[m, 0], keys[m, 1] = threefry(seed_word, np.uint64(source_gid[m]), np.uint64(target_gid[m]),
                                          np.uint64(rank[m]))


@njit(cache=True, nogil=True, inline="always")
def _uniform(k0, k1, j):
    """The j-th uniform number in [0, 1) of stream (k0, k1): 53 random bits."""
    x0, _ = threefry(k0, k1, np.uint64(j), np.uint64(0))
    return np.int64(x0 >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def _poisson(k0, k1, j, lam, exp_minus_lam):
    """A Poisson count of mean `lam` (``exp(-lam)`` given) from stream (k0, k1) starting at word `j`;
    returns (count, next j)."""
    if lam < PTRS_FROM:
        u = _uniform(k0, k1, j)
        j += 1
        p = exp_minus_lam
        cdf = p
        k = 0
        while u > cdf:
            k += 1
            p *= lam / k
            if cdf + p == cdf:        # the tail no longer adds to the sum (u is within rounding of 1)
                break
            cdf += p
        return k, j
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        U = _uniform(k0, k1, j) - 0.5
        V = _uniform(k0, k1, j + 1)
        j += 2
        us = 0.5 - abs(U)
        k = math.floor((2.0 * a / us + b) * U + lam + 0.43)
        if us >= 0.07 and V <= vr:
            return int(k), j
        if k < 0 or (us < 0.013 and V > us):
            continue
        if math.log(V) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1.0):
            return int(k), j


#: Largest table of the inversion method (entries until the cumulative sum stops growing: about 50 for means
#: just below PTRS_FROM); a row whose table would be longer is drawn one count at a time.
_TABLE_SIZE = 128


@njit(cache=True, nogil=True)
def _inversion_table(lam, exp_minus_lam, table):
    """Fill `table` with the partial sums of the Poisson probabilities that :func:`_poisson`'s inversion
    compares the uniform with, computed by the same operations in the same order, ending with +inf where
    that loop stops (the sum no longer grows); return the number of finite entries, or -1 if they do not fit.

    A count is then the first k with ``u <= table[k]``: the same count as :func:`_poisson`, without its
    division per step of the search."""
    p = exp_minus_lam
    cdf = p
    table[0] = cdf
    k = 0
    while True:
        k += 1
        if k >= table.shape[0]:
            return -1
        p *= lam / k
        if cdf + p == cdf:
            table[k] = np.inf
            return k
        cdf += p
        table[k] = cdf


@njit(cache=True, nogil=True)
def poisson_counts(keys, counters, streams, rows, lam, out, lo, hi):
    """Draw Poisson counts for streams ``streams[lo:hi]`` into columns ``lo:hi`` of `out`.

    Parameters
    ----------
    keys : uint64 (M, 2)
        Stream keys.
    counters : int64 (M,)
        Words each stream has used; advanced in place.
    streams : int64 (C,)
        The stream of each column of `out`.
    rows : int64 (L,)
        Rows of `out` that get a count (the others are left as they are).
    lam : float64 (L,)
        Mean count at each of those rows.
    out : float64 (K, C)
        Output counts.
    lo, hi : int
        The columns to fill (each column on its own: slices may run in parallel threads).

    Row by row: for means below PTRS_FROM every stream uses one word per count, so the words of a row
    are drawn in one branch-free loop over the columns (which the compiler vectorises), and each count
    is found in the row's table of partial sums (:func:`_inversion_table`); larger means draw with
    :func:`_poisson`.  Every count is the one :func:`_poisson` draws from the same word.
    """
    n = hi - lo
    if n <= 0:
        return
    exp_minus_lam = np.exp(-lam)
    k0 = np.empty(n, dtype=np.uint64)
    k1 = np.empty(n, dtype=np.uint64)
    j = np.empty(n, dtype=np.int64)
    for c in range(n):
        s = streams[lo + c]
        k0[c], k1[c], j[c] = keys[s, 0], keys[s, 1], counters[s]
    bits = np.empty(n, dtype=np.uint64)
    u = np.empty(n)
    count = np.empty(n)
    table = np.empty(_TABLE_SIZE)
    for i in range(rows.shape[0]):
        row = out[rows[i]]
        n_table = _inversion_table(lam[i], exp_minus_lam[i], table) if lam[i] < PTRS_FROM else -1
        if n_table < 0:
            for c in range(n):
                k, j[c] = _poisson(k0[c], k1[c], j[c], lam[i], exp_minus_lam[i])
                row[lo + c] = k
            continue
        for c in range(n):                    # no branches: vectorised
            x0, _ = threefry(k0[c], k1[c], np.uint64(j[c]), np.uint64(0))
            bits[c] = x0 >> np.uint64(11)
            j[c] += 1
        for c in range(n):
            u[c] = np.int64(bits[c]) * (1.0 / 9007199254740992.0)      # as _uniform
            count[c] = 0.0
        # The count is the first k with u <= table[k], that is the number of (increasing) finite entries below
        # u: counted by a pass per entry over all columns, without the branch a search per column mispredicts
        # about once per draw (2.3-2.8x faster for means 0.75-10, the same counts).
        for k in range(n_table):
            t = table[k]
            for c in range(n):
                count[c] += 1.0 if u[c] > t else 0.0
        for c in range(n):
            row[lo + c] = count[c]
    for c in range(n):
        counters[streams[lo + c]] = j[c]


def seed_word(seed, tag):
    """The uint64 that packs a kernel seed (< 2**32) and a stream name's tag into the first key word."""
    return np.uint64(((int(seed) << 32) ^ int(tag)) & _MASK)


def warm_up():
    """Compile (or load from numba's cache) the kernels."""
    keys = np.empty((1, 2), dtype=np.uint64)
    one = np.ones(1, dtype=np.int64)
    stream_keys(np.uint64(1), one, one, one, keys)
    poisson_counts(keys, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(2, dtype=np.int64),
                   np.array([0.5, 20.0]), np.zeros((2, 1)), 0, 1)
