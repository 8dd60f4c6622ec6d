"""The same sweep gives identical results whatever the engine, and every run can be repeated alone."""

import concurrent.futures

import numpy as np
import pytest
import xarray as xr

import eventsim as nest
from sweep_models import noisy_point, noisy_point_own_kernel

GRID = {"amplitude": [150.0, 300.0], "level": ["lif", "lif_r"], "T": 60.0}
SEEDS = 2
SEED = 2026


def without_wall_time(tree):
    """The result minus the only thing that may differ between engines: wall-clock times."""
    return tree.copy().assign(wall_time=xr.zeros_like(tree["wall_time"]))


@pytest.fixture(scope="module")
def serial_result():
    return nest.sweep(noisy_point, GRID, seeds=SEEDS, seed=SEED)


def test_serial_result_has_the_sweep_layout(serial_result):
    """Root: one entry per run on (amplitude, level, seed); groups stacked along them, spikes padded."""
    root = serial_result.to_dataset()
    assert dict(root.sizes) == {"amplitude": 2, "level": 2, "seed": 2}
    assert root["run"].values.ravel().tolist() == list(range(8))
    assert (root["status"] == "ok").all()
    assert root.attrs["seed"] == SEED and root.attrs["parameter_T"] == 60.0
    mm = serial_result["multimeter_1"]
    assert mm["V_m"].dims == ("amplitude", "level", "seed", "time", "sender")
    assert mm["V_m"].sizes["time"] == 118
    sr = serial_result["spike_recorder_1"]
    assert sr["spike_count"].dims == ("amplitude", "level", "seed", "sender")
    assert sr["spike_time"].dims == ("amplitude", "level", "seed", "spike")
    per_run = (~np.isnan(sr["spike_time"].values)).sum(axis=-1)
    np.testing.assert_array_equal(per_run, sr["spike_count"].values.sum(axis=-1))
    assert per_run.sum() > 8 and len(set(per_run.ravel().tolist())) > 1       # some runs are padded
    padded = np.isnan(sr["spike_time"].values)
    assert (sr["spike_sender"].values[padded] == -1).all() and (sr["spike_sender"].values[~padded] > 0).all()


def test_analysis_functions_give_one_result_per_run(serial_result):
    """firing_rates of a sweep's spikes has the sweep's dimensions and equals each run's own rates."""
    from eventsim import analysis
    rates = analysis.firing_rates(serial_result["spike_recorder_1"].to_dataset())
    assert rates.dims == ("amplitude", "level", "seed", "sender")
    slot = dict(amplitude=300.0, level="lif_r", seed=1)
    one = serial_result["spike_recorder_1"].to_dataset().sel(slot)
    np.testing.assert_allclose(rates.sel(slot).values, analysis.firing_rates(one).values)
    assert float(rates.sel(slot).sum()) > 0


def test_seeds_give_different_noise(serial_result):
    """The two seeds of a parameter set differ (otherwise the equality tests below prove little)."""
    v = serial_result["multimeter_1"]["V_m"]
    assert not np.array_equal(v.sel(seed=0).values, v.sel(seed=1).values)
    rng = serial_result["rng_seed"].values.ravel()
    assert len(set(rng.tolist())) == 8


def test_rng_seeds_follow_seed_sequence_spawn(serial_result):
    """Run (point p, seed r) gets the r-th child of the p-th child of SeedSequence(seed)."""
    children = np.random.SeedSequence(SEED).spawn(4)
    expected = [int(grandchild.generate_state(1, np.uint32)[0]) for c in children for grandchild in c.spawn(SEEDS)]
    assert serial_result["rng_seed"].values.ravel().tolist() == expected


@pytest.mark.parametrize("pool", ["thread", "process"])
def test_executors_give_the_serial_result(serial_result, pool):
    """A thread pool and a process pool of 2 workers reproduce the serial sweep exactly."""
    make = concurrent.futures.ThreadPoolExecutor if pool == "thread" else concurrent.futures.ProcessPoolExecutor
    with make(max_workers=2) as executor:
        result = nest.sweep(noisy_point, GRID, seeds=SEEDS, seed=SEED, engine=executor)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))


def test_own_kernel_runs_in_threads_give_the_serial_result(serial_result):
    """Runs given their own Kernel (no shared default kernel) agree with the default-kernel runs."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as executor:
        result = nest.sweep(noisy_point_own_kernel, GRID, seeds=SEEDS, seed=SEED, engine=executor)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))


def test_dask_local_cluster_gives_the_serial_result(serial_result):
    """A Dask LocalCluster of 2 worker processes reproduces the serial sweep exactly."""
    distributed = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'eventsim[dask]'")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        result = nest.sweep(noisy_point, GRID, seeds=SEEDS, seed=SEED, engine=client)
        warm = client.run(lambda: __import__("eventsim.sweep_worker").sweep_worker._warm_seconds)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))
    assert len(warm) == 2 and all(seconds > 0 for seconds in warm.values())       # the plugin warmed each worker


def test_a_run_repeated_alone_equals_its_slot(serial_result):
    """run_one with a run's parameters and rng_seed reproduces its slot, spikes included."""
    slot = dict(amplitude=300.0, level="lif_r", seed=1)
    rng_seed = int(serial_result["rng_seed"].sel(slot))
    alone = nest.sweep.run_one(noisy_point, {"amplitude": 300.0, "level": "lif_r", "T": 60.0}, rng_seed)
    xr.testing.assert_identical(alone["multimeter_1"]["V_m"],
                                serial_result["multimeter_1"]["V_m"].sel(slot, drop=True))
    in_sweep = serial_result["spike_recorder_1"]["spike_time"].sel(slot).values
    assert alone["spike_recorder_1"]["spike_time"].size > 0
    np.testing.assert_array_equal(alone["spike_recorder_1"]["spike_time"].values, in_sweep[~np.isnan(in_sweep)])


def test_list_of_parameter_sets_spans_a_point_dimension():
    """A list of dicts gives dimension point, with each parameter as a coordinate along it."""
    result = nest.sweep(noisy_point, [{"amplitude": 300.0, "level": "lif"}, {"amplitude": 150.0, "level": "lif_r"}],
                        seeds=1, seed=3)
    assert dict(result.to_dataset().sizes) == {"point": 2, "seed": 1}
    assert result["level"].values.tolist() == ["lif", "lif_r"]
    alone = nest.sweep.run_one(noisy_point, {"amplitude": 150.0, "level": "lif_r"}, nest.sweep.rng_seed(3, 1, 0))
    xr.testing.assert_identical(alone["multimeter_1"]["V_m"],
                                result["multimeter_1"]["V_m"].isel(point=1, seed=0, drop=True))


def test_several_runs_per_task_give_the_serial_result(serial_result):
    """Batching runs into one executor task changes nothing in the result."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as executor:
        result = nest.sweep(noisy_point, GRID, seeds=SEEDS, seed=SEED, engine=executor, runs_per_task=3)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))
