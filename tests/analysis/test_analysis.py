"""eventsim.analysis on the seed example's file, on small runs and on the older file layout."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import eventsim as nest
from eventsim import analysis

NEST_SEED = Path(__file__).resolve().parents[1] / "reference" / "glif_cond_seed_nest.nc"


@pytest.fixture(scope="module")
def seed(seed_example_file):
    """(path, raw spike dataset as stored) of the seed example's file."""
    with xr.open_datatree(seed_example_file) as tree:
        raw = tree["spike_recorder_1"].to_dataset().load()
    return seed_example_file, raw


def small_run(rng_seed, silent=True, simulate=200.0):
    """Three Poisson-driven neurons (and a silent one) with labelled recorders; return recordings()."""
    nest.ResetKernel()
    nest.rng_seed = rng_seed
    neurons = nest.Create("glif_cond", 3, params={"spike_dependent_threshold": True})
    drive = nest.Create("poisson_generator", params={"rate": 12000.0})
    nest.Connect(drive, neurons, syn_spec={"receptor_type": 1, "weight": 3.0})
    targets = neurons + nest.Create("glif_cond") if silent else neurons
    mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": ["V_m"], "label": "traces"})
    sr = nest.Create("spike_recorder", params={"label": "spikes"})
    nest.Connect(mm, targets)
    nest.Connect(targets, sr)
    nest.Simulate(simulate)
    return nest.recordings()


# --- trains, tables, selection ---------------------------------------------------------------


def test_spike_trains_per_sender(seed):
    """One ascending train per neuron, equal to the stored spikes of that sender."""
    path, raw = seed
    trains = analysis.spike_trains(path)
    assert list(trains) == raw["sender"].values.tolist() == [1, 2, 3, 4, 5]
    for gid, train in trains.items():
        np.testing.assert_array_equal(train, raw["spike_time"].values[raw["spike_sender"].values == gid])
        assert train.size == int(raw["spike_count"].sel(sender=gid)) > 0


def test_silent_senders_have_empty_trains():
    """A connected node without spikes has an empty train, a zero count and rate, NaN ISI statistics."""
    tree = small_run(1)
    trains = analysis.spike_trains(tree)
    assert list(trains) == [1, 2, 3, 5] and trains[5].size == 0 and trains[1].size > 2
    assert analysis.spike_counts(tree).sel(sender=5).item() == 0
    assert analysis.firing_rates(tree).sel(sender=5).item() == 0.0
    assert np.isnan(analysis.isi_statistics(tree)["isi_mean"].sel(sender=5).item())


def test_spike_table(seed):
    """One row per spike, in file order, sender kept as int32."""
    path, raw = seed
    table = analysis.spike_table(path)
    assert list(table.columns) == ["sender", "time_ms"] and table["sender"].dtype == np.int32
    np.testing.assert_array_equal(table["time_ms"].to_numpy(), raw["spike_time"].values)
    np.testing.assert_array_equal(table["sender"].to_numpy(), raw["spike_sender"].values)


def test_sel_by_time_window_like_xarray(seed):
    """sp.sel(spike_time=slice(100, 200)) keeps 100 <= t <= 200 ms, senders as int32."""
    path, raw = seed
    sp = analysis.spikes(path)
    window = sp.sel(spike_time=slice(100.0, 200.0))
    t = raw["spike_time"].values
    expected = (t >= 100.0) & (t <= 200.0)
    assert 0 < window.sizes["spike"] == expected.sum() < t.size
    np.testing.assert_array_equal(window["spike_sender"].values, raw["spike_sender"].values[expected])
    assert window["spike_sender"].dtype == np.int32 and window["spike_sender_index"].dtype == np.int32


def test_select_spikes_by_sender_and_time(seed):
    """select_spikes keeps the spike dimension and int dtypes, reduces sender to those asked for (in order)."""
    path, raw = seed
    one = analysis.select_spikes(path, sender=3, time=slice(0.0, 500.0))
    mask = (raw["spike_sender"].values == 3) & (raw["spike_time"].values <= 500.0)
    np.testing.assert_array_equal(one["spike_time"].values, raw["spike_time"].values[mask])
    assert one["sender"].values.tolist() == [3] and one["spike_sender"].dtype == np.int32
    two = analysis.select_spikes(path, sender=[5, 1])
    assert two["sender"].values.tolist() == [5, 1]
    np.testing.assert_array_equal(two["sender"].values[two["spike_sender_index"].values], two["spike_sender"].values)
    assert set(analysis.spike_trains(two)) == {5, 1}
    with pytest.raises(KeyError, match=r"senders \[42\] are not connected"):
        analysis.select_spikes(path, sender=42)


def test_old_layout_reads_the_same(seed):
    """The NEST reference (spike_time and spike_sender only, traces in the same dataset) gives trains too."""
    trains = analysis.spike_trains(NEST_SEED)
    ref = xr.load_dataset(NEST_SEED)
    assert sum(t.size for t in trains.values()) == ref.sizes["spike"]
    assert list(trains) == sorted(set(ref["spike_sender"].values.tolist()))


# --- rates, ISIs, PSTH -----------------------------------------------------------------------


def test_firing_rates_over_the_simulated_time(seed):
    """Rate = spikes / 1 s for the 1000 ms seed run (window (0, 1000] ms)."""
    path, raw = seed
    rates = analysis.firing_rates(path)
    assert rates.attrs["units"] == "Hz" and rates.dims == ("sender",)
    np.testing.assert_allclose(rates.values, raw["spike_count"].values / 1.0)
    late = analysis.firing_rates(path, t_start=500.0, t_stop=1000.0)
    t = raw["spike_time"].values
    expected = [((t > 500.0) & (raw["spike_sender"].values == g)).sum() / 0.5 for g in range(1, 6)]
    np.testing.assert_allclose(late.values, expected)


def test_isi_statistics(seed):
    """Mean, std and CV of the intervals of each sender, in ms."""
    path, _ = seed
    stats = analysis.isi_statistics(path)
    isi = np.diff(analysis.spike_trains(path)[2])
    assert stats["isi_count"].sel(sender=2).item() == isi.size
    np.testing.assert_allclose([stats["isi_mean"].sel(sender=2), stats["isi_std"].sel(sender=2),
                                stats["isi_cv"].sel(sender=2)], [isi.mean(), isi.std(), isi.std() / isi.mean()])
    assert stats["isi_mean"].attrs["units"] == "ms"


def test_psth_counts_every_spike_once(seed):
    """Rate x senders x bin width gives back every spike in the window; a spike at an edge ends its bin."""
    path, raw = seed
    h = analysis.psth(path, bin_ms=10.0)
    assert h.sizes["time"] == 100 and h["time"].values[0] == 5.0 and h.attrs["units"] == "Hz"
    np.testing.assert_allclose((h * 5 * 0.01).sum().item(), raw.sizes["spike"])
    edge = xr.Dataset({"spike_time": ("spike", [10.0, 10.05]), "spike_sender": ("spike", np.int32([1, 1]))},
                      attrs={"simulated_ms": 20.0})
    np.testing.assert_allclose(analysis.psth(edge, bin_ms=10.0).values, [100.0, 100.0])


def test_psth_of_chosen_senders(seed):
    """sender= restricts the histogram to those senders and divides by their number."""
    path, raw = seed
    h = analysis.psth(path, bin_ms=100.0, sender=[1, 2])
    assert h.attrs["n_senders"] == 2
    np.testing.assert_allclose((h * 2 * 0.1).sum().item(), raw["spike_count"].sel(sender=[1, 2]).sum().item())


# --- Neo -------------------------------------------------------------------------------------


def test_neo_spiketrains(seed):
    """One SpikeTrain per sender in ms, over the simulated time, annotated with its global id."""
    pytest.importorskip("neo", reason="Neo is an optional extra ('neo')")
    path, _ = seed
    trains = analysis.to_neo_spiketrains(path)
    ours = analysis.spike_trains(path)
    assert [st.annotations["sender"] for st in trains] == list(ours)
    for st in trains:
        assert str(st.units.dimensionality) == "ms"
        assert float(st.t_start) == 0.0 and float(st.t_stop) == 1000.0
        np.testing.assert_array_equal(st.magnitude, ours[st.annotations["sender"]])


def test_neo_analogsignals(seed):
    """One AnalogSignal per variable, (time, sender), in the variable's unit, 0.05 ms sampling."""
    pytest.importorskip("neo", reason="Neo is an optional extra ('neo')")
    path, _ = seed
    signals = analysis.to_neo_analogsignals(path, variables=["V_m", "g_1"])
    mm = analysis.traces(path)
    vm = signals["V_m"]
    assert vm.shape == (19999, 5) and str(vm.units.dimensionality) == "mV"
    assert str(signals["g_1"].units.dimensionality) == "nS"
    np.testing.assert_allclose(float(vm.sampling_period.rescale("ms")), 0.05)
    np.testing.assert_allclose(float(vm.t_start.rescale("ms")), 0.05)
    np.testing.assert_array_equal(vm.magnitude, mm["V_m"].values)
    assert vm.array_annotations["sender"].tolist() == [1, 2, 3, 4, 5]


def test_neo_needs_even_sampling():
    """Unevenly spaced samples are refused with the alternative named."""
    pytest.importorskip("neo", reason="Neo is an optional extra ('neo')")
    ds = xr.Dataset({"V_m": (("time", "sender"), np.zeros((3, 1)), {"units": "mV"})},
                    coords={"time": [0.1, 0.2, 0.4], "sender": [1]})
    with pytest.raises(ValueError, match="IrregularlySampledSignal"):
        analysis.to_neo_analogsignals(ds)


# --- combining runs --------------------------------------------------------------------------


def test_combine_runs_stacks_spikes_and_traces():
    """Runs of different seeds stack along 'run': spikes padded (ints stay ints), traces as (run, time, sender);
    per-run analyses equal those of the single runs."""
    runs = [small_run(seed, silent=False) for seed in (1, 2, 3)]
    combined = analysis.combine_runs(runs, values=[10, 20, 30])
    sp = combined["spikes"].to_dataset()
    assert sp["spike_time"].dims == ("run", "spike") and sp["run"].values.tolist() == [10, 20, 30]
    assert sp["spike_sender"].dtype == np.int32 and sp["spike_sender_index"].dtype == np.int32
    assert combined["traces"]["V_m"].dims == ("run", "time", "sender")
    assert "rng_seed" not in combined["traces"].attrs and combined["traces"].attrs["resolution_ms"] == 0.1
    for i, run in enumerate(runs):
        one = analysis.spikes(sp.isel(run=i))
        np.testing.assert_array_equal(one["spike_time"].values, run["spikes"]["spike_time"].values)
        np.testing.assert_array_equal(one["spike_sender"].values, run["spikes"]["spike_sender"].values)
    rates = analysis.firing_rates(sp)
    assert rates.dims == ("run", "sender")
    for i, run in enumerate(runs):
        np.testing.assert_allclose(rates.isel(run=i).values, analysis.firing_rates(run).values)
    assert analysis.isi_statistics(sp)["isi_mean"].dims == ("run", "sender")
    assert analysis.psth(sp, bin_ms=50.0).dims == ("run", "time")


def test_combine_runs_with_different_senders():
    """Spikes of runs with different senders are indexed into the union of the senders."""
    a = small_run(1, silent=False)["spikes"].to_dataset()
    b = a.isel(spike=np.flatnonzero(a["spike_sender"].values != 2))
    b = b.assign_coords(sender=[1, 3, 4]).assign(spike_sender_index=(
        "spike", np.searchsorted([1, 3, 4], b["spike_sender"].values).astype(np.int32)))
    combined = analysis.combine_runs([a, b])
    assert combined["sender"].values.tolist() == [1, 2, 3, 4]
    assert combined["spike_count"].sel(sender=2).values.tolist()[1] == 0
    trains = analysis.spike_trains(combined.isel(run=1))
    assert trains[2].size == 0 and trains[4].size == 0
    np.testing.assert_array_equal(trains[3], analysis.spike_trains(a)[3])


def test_combine_runs_refuses_mixed_kinds():
    """Spikes and traces do not stack with each other."""
    tree = small_run(1)
    with pytest.raises(ValueError, match="cannot combine spike recordings with multimeter"):
        analysis.combine_runs([tree["spikes"].to_dataset(), tree["traces"].to_dataset()])
