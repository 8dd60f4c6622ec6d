"""poisson_generator: counts statistics, independence, reproducibility and the activity window.

Each target gets its own train: per step of length h, a Poisson count with mean
rate * h, sent as one spike of that multiplicity (NEST's semantics).  The
statistical bounds below are five standard deviations of the estimators under
that distribution; with the fixed seeds the tests are deterministic.
"""

import numpy as np
import pytest

import eventsim as nest
from device_helpers import relay

N_TARGETS = 100
T_SIM = 200.0
BIN = 1.0
RATE = 10_000.0  # Hz: 10 spikes per 1 ms bin, 1 per 0.1 ms step


def binned_counts(sr, parrots, t_sim=T_SIM, bin_ms=BIN):
    """Spike counts per (target, bin), from the recorder of a generator -> parrots chain (delay 0.1 ms)."""
    ev = sr.events
    senders, times = np.asarray(ev["senders"]), np.asarray(ev["times"]) - 0.1
    first = parrots.tolist()[0]
    n_bins = int(round(t_sim / bin_ms))
    b = np.minimum(np.floor((times - 1e-9) / bin_ms).astype(int), n_bins - 1)
    counts = np.zeros((len(parrots), n_bins))
    np.add.at(counts, (senders - first, b), 1)
    return counts[:, :-1]  # the last bin is cut short by the delay


def train(seed=None, rate=RATE, n=4, t_sim=20.0):
    """(senders, times) of a poisson_generator -> n parrots chain with rng_seed `seed`."""
    if seed is not None:
        nest.rng_seed = seed
    sr, _, _ = relay("poisson_generator", {"rate": rate}, delay=0.1, n_parrots=n, t_sim=t_sim)
    return np.asarray(sr.events["senders"]).tolist(), np.asarray(sr.events["times"]).tolist()


def test_rate_zero_sends_nothing():
    """rate 0 (the default) sends no spike."""
    sr, _, _ = relay("poisson_generator", {"rate": 0.0}, n_parrots=5, t_sim=100.0)
    assert sr.n_events == 0
    sr2, _, _ = relay("poisson_generator", None, n_parrots=2, t_sim=10.0)
    assert sr2.n_events == 0


def test_count_mean_and_variance_match_poisson():
    """Counts per target and 1 ms bin have mean and variance rate * bin within 5 standard errors."""
    nest.rng_seed = 12345
    sr, parrots, _ = relay("poisson_generator", {"rate": RATE}, delay=0.1, n_parrots=N_TARGETS, t_sim=T_SIM)
    counts = binned_counts(sr, parrots).ravel()
    lam = RATE * BIN * 1e-3
    n = counts.size
    se_mean = np.sqrt(lam / n)
    se_var = np.sqrt((lam + 2 * lam ** 2) / n)   # variance of the sample variance of Poisson(lam), large n
    assert abs(counts.mean() - lam) < 5 * se_mean
    assert abs(counts.var(ddof=1) - lam) < 5 * se_var


def test_multiplicities_per_step_match_poisson():
    """The fraction of steps with 0, 1 and 2 spikes per target matches Poisson(rate * h) within 5 s.e."""
    nest.rng_seed = 777
    sr, parrots, _ = relay("poisson_generator", {"rate": RATE}, delay=0.1, n_parrots=N_TARGETS, t_sim=T_SIM)
    counts = binned_counts(sr, parrots, bin_ms=0.1).ravel()
    lam = RATE * 0.1 * 1e-3
    for k, pk in enumerate((np.exp(-lam), lam * np.exp(-lam), lam ** 2 / 2 * np.exp(-lam))):
        frac = np.mean(counts == k)
        assert abs(frac - pk) < 5 * np.sqrt(pk * (1 - pk) / counts.size), k


def test_trains_of_different_targets_are_independent():
    """Binned counts of different targets are uncorrelated (|mean correlation| within 5 s.e.) and not equal."""
    nest.rng_seed = 4242
    sr, parrots, _ = relay("poisson_generator", {"rate": RATE}, delay=0.1, n_parrots=20, t_sim=T_SIM)
    counts = binned_counts(sr, parrots)
    corr = np.corrcoef(counts)
    off = corr[~np.eye(len(corr), dtype=bool)]
    n_pairs, n_bins = len(corr) * (len(corr) - 1) // 2, counts.shape[1]
    assert abs(off.mean()) < 5 / np.sqrt(n_bins * n_pairs)
    assert not any(np.array_equal(counts[i], counts[j]) for i in range(len(counts)) for j in range(i))


def test_reproducible_for_a_seed():
    """The same rng_seed gives the same trains."""
    first = train(seed=99)
    nest.ResetKernel()
    assert train(seed=99) == first


@pytest.mark.parametrize("other", [0, 1, 100])
def test_another_seed_gives_another_train(other):
    """A different rng_seed (0 included) gives different trains."""
    default = train()
    nest.ResetKernel()
    assert train(seed=other) != default


def test_default_seed_after_reset():
    """After ResetKernel the default seed (NEST's 143202461) is back and the trains repeat."""
    nest.rng_seed = 5
    nest.ResetKernel()
    assert nest.rng_seed == 143202461
    first = train()
    nest.ResetKernel()
    assert train() == first


def test_simulate_in_pieces_gives_the_same_trains():
    """Simulate(20) equals 4 x Simulate(5), also with two target populations and a direct recorder."""
    def run(pieces):
        nest.ResetKernel()
        pg = nest.Create("poisson_generator", params={"rate": 20_000.0})
        a, b = nest.Create("parrot_neuron", 3), nest.Create("parrot_neuron", 2)
        sr, direct = nest.Create("spike_recorder"), nest.Create("spike_recorder")
        nest.Connect(pg, a, syn_spec={"delay": 0.1})
        nest.Connect(pg, b, syn_spec={"delay": 1.0})
        nest.Connect(a + b, sr)
        nest.Connect(pg, direct)
        for t in pieces:
            nest.Simulate(t)
        return [(np.asarray(r.events["senders"]).tolist(), np.asarray(r.events["times"]).tolist())
                for r in (sr, direct)]
    assert run([20.0]) == run([5.0] * 4) == run([0.1, 7.3, 12.6])


def test_trains_do_not_depend_on_other_connections():
    """Connecting the generator to another population as well leaves the first population's trains unchanged."""
    def run(extra):
        nest.ResetKernel()
        pg = nest.Create("poisson_generator", params={"rate": 5_000.0})
        a = nest.Create("parrot_neuron", 3)
        sr = nest.Create("spike_recorder")
        nest.Connect(pg, a)
        if extra:
            nest.Connect(pg, nest.Create("parrot_neuron", 4))
        nest.Connect(a, sr)
        nest.Simulate(20.0)
        return np.asarray(sr.events["times"]).tolist()
    assert run(False) == run(True)


@pytest.mark.parametrize("start, stop, origin, delay", [(1.0, 3.0, 0.0, 1.0), (1.0, 3.0, 2.0, 0.5),
                                                        (0.0, 2.0, 0.0, 0.1), (5.0, 5.2, 0.0, 0.2)])
def test_window(start, stop, origin, delay):
    """At a high rate the spikes are stamped exactly on (origin + start + h, origin + stop + h] (as NEST)."""
    h = 0.1
    sr, _, _ = relay("poisson_generator", {"rate": 1e6, "start": start, "stop": stop, "origin": origin},
                     delay=delay, n_parrots=2, t_sim=12.0)
    stamps = np.unique(np.round((np.asarray(sr.events["times"]) - delay) / h).astype(int))
    lo, hi = round((origin + start) / h), round((origin + stop) / h)
    np.testing.assert_array_equal(stamps, np.arange(lo + 2, hi + 2))


def test_recorded_directly():
    """A spike_recorder connected directly records the generator's own stamps with its id, as NEST."""
    nest.rng_seed = 3
    pg = nest.Create("poisson_generator", params={"rate": 1e6, "start": 1.0, "stop": 2.0})
    sr = nest.Create("spike_recorder")
    nest.Connect(pg, sr)
    nest.Simulate(5.0)
    assert set(np.asarray(sr.events["senders"]).tolist()) == {pg.global_id}
    t = np.asarray(sr.events["times"])
    np.testing.assert_allclose([t.min(), t.max()], [1.2, 2.1], rtol=0, atol=1e-12)
    assert sr.n_events == pytest.approx(1e6 * 1e-3 * 1.0, rel=0.05)


def test_weights_scale_the_conductance_input():
    """Into a glif_cond each spike deposits weight x multiplicity: a 0-weight connection leaves g_1 at 0."""
    pg = nest.Create("poisson_generator", params={"rate": 5000.0})
    neurons = nest.Create("glif_cond", 2)
    mm = nest.Create("multimeter", params={"record_from": ["g_1"], "interval": 0.1})
    nest.Connect(pg, neurons, "all_to_all", {"weight": np.array([[0.0], [1.0]]), "receptor_type": 1})
    nest.Connect(mm, neurons)
    nest.Simulate(10.0)
    ev = mm.events
    senders, g = np.asarray(ev["senders"]), np.asarray(ev["g_1"])
    np.testing.assert_array_equal(g[senders == neurons[0].global_id], 0.0)
    assert np.all(g[senders == neurons[1].global_id][-20:] > 0)


@pytest.mark.parametrize("params, match", [
    ({"rate": -1.0}, "negative"),
    ({"rate": "fast"}, "must be a number"),
    ({"rate": np.inf}, "finite"),
    ({"start": 2.0, "stop": 1.0}, "stop"),
    ({"stop": 1.05}, "not a multiple of the resolution"),
])
def test_illegal_parameters(params, match):
    """Illegal poisson_generator parameters raise BadProperty naming the problem."""
    with pytest.raises(nest.BadProperty, match=match):
        nest.Create("poisson_generator", params=params)


def test_start_stop_read_back_as_nest():
    """start, stop and origin read back as the grid values NEST reports."""
    pg = nest.Create("poisson_generator", params={"start": 2.3, "stop": 4.0004, "origin": 0.30000000000000004})
    assert pg.get(["start", "stop", "origin"]) == {"start": 2.3000000000000003, "stop": 4.0, "origin": 0.3}


def _parrot_trains(connect, rate=5_000.0, t_sim=20.0, threads=1):
    """Spike times per parrot (dict gid -> list) of 4 parrots fed by one generator as `connect(pg, parrots)` says."""
    nest.ResetKernel()
    nest.local_num_threads = threads
    pg = nest.Create("poisson_generator", params={"rate": rate})
    parrots = nest.Create("parrot_neuron", 4)
    sr = nest.Create("spike_recorder")
    connect(pg, parrots)
    nest.Connect(parrots, sr)
    nest.Simulate(t_sim)
    senders, times = np.asarray(sr.events["senders"]), np.asarray(sr.events["times"])
    return {int(g): np.sort(times[senders == g]).tolist() for g in parrots.tolist()}


def test_train_of_a_target_depends_only_on_the_pair():
    """A target's train is the same whether the generator also feeds other targets, feeds them first, or not."""
    alone = _parrot_trains(lambda pg, p: nest.Connect(pg, p[3]))
    everyone = _parrot_trains(lambda pg, p: nest.Connect(pg, p))
    reversed_order = _parrot_trains(lambda pg, p: [nest.Connect(pg, p[k]) for k in (3, 0, 2)])
    gid = list(alone)[3]
    assert alone[gid] and alone[gid] == everyone[gid] == reversed_order[gid]
    assert everyone[list(everyone)[0]] != everyone[gid]


def test_multapses_draw_independent_trains_ranked_in_creation_order():
    """The second connection of a pair draws its own train; the first one's is unchanged by it, also when the
    second uses another synapse model (ranks count over all synapse models)."""
    nest.ResetKernel()
    one = _parrot_trains(lambda pg, p: nest.Connect(pg, p[0]))

    def twice(pg, p):
        nest.Connect(pg, p[0])
        nest.CopyModel("static_synapse", "other_static")
        nest.Connect(pg, p[0], syn_spec={"synapse_model": "other_static"})
    two = _parrot_trains(twice)
    two_same_model = _parrot_trains(lambda pg, p: [nest.Connect(pg, p[0]) for _ in range(2)])
    gid = list(one)[0]
    first, both = np.unique(one[gid]), np.unique(two[gid])
    assert len(two[gid]) > len(one[gid]) and set(first) <= set(both)      # rank 0's spikes are all still there
    assert sorted(two[gid]) == sorted(two_same_model[gid])


@pytest.mark.parametrize("threads", [2, 3])
def test_trains_do_not_depend_on_the_thread_count(threads):
    """local_num_threads 2 and 3 give the trains of 1 thread, with more targets than a thread's minimum slice."""
    connect = lambda pg, p: nest.Connect(pg, p + nest.Create("parrot_neuron", 300))  # noqa: E731
    with pytest.warns(RuntimeWarning) if threads > nest_cores() else _no_warning():
        many = _parrot_trains(connect, threads=threads)
    assert many == _parrot_trains(connect, threads=1)


def nest_cores():
    from eventsim.workers import available_cores
    return available_cores()


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("mean", [0.3, 4.0, 25.0, 3000.0])
def test_counts_per_step_follow_the_poisson_distribution(mean):
    """Counts per step (inversion below a mean of 10, rejection above) have Poisson frequencies: chi-square
    over the likely counts, and mean and variance within 5 standard errors."""
    from scipy import stats
    nest.ResetKernel()
    steps = 20_000
    pg = nest.Create("poisson_generator", params={"rate": mean / (0.1 * 1e-3)})
    sr = nest.Create("spike_recorder")
    nest.Connect(pg, sr)
    nest.Simulate(steps * 0.1)
    stamp = np.round(np.asarray(sr.events["times"]) / 0.1).astype(int)
    counts = np.bincount(stamp - 1, minlength=steps)[1:]       # the first step (beginning at 0) draws nothing
    assert counts.size == steps - 1
    steps -= 1
    assert abs(counts.mean() - mean) < 5 * np.sqrt(mean / steps)
    assert abs(counts.var(ddof=1) - mean) < 5 * np.sqrt((mean + 2 * mean ** 2) / steps)
    lo, hi = stats.poisson.ppf([1e-3, 1 - 1e-3], mean).astype(int)
    edges = np.arange(lo, hi + 2)
    observed = np.array([(counts < lo).sum()] + [(counts == k).sum() for k in edges[:-1]] + [(counts > hi).sum()])
    expected = steps * np.concatenate([[stats.poisson.cdf(lo - 1, mean)], stats.poisson.pmf(edges[:-1], mean),
                                       [stats.poisson.sf(hi, mean)]])
    keep = expected > 5
    chi2 = (((observed - expected) ** 2 / expected)[keep]).sum()
    assert stats.chi2.sf(chi2, keep.sum() - 1) > 1e-4


def test_stream_words_are_threefry_2x64_20():
    """The counter-based streams use Threefry-2x64-20: Random123's known answer for key and counter 0."""
    from eventsim.nodes.counter_rng import threefry
    assert [hex(int(x)) for x in threefry(np.uint64(0), np.uint64(0), np.uint64(0), np.uint64(0))] == \
        ["0xc2b6e3a8c2c69865", "0x6f81ed42f350084d"]
