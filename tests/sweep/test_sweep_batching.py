"""Several runs per task, and the workers eventsim starts itself: results, files and progress stay per run."""

import pytest
import xarray as xr

import eventsim as nest
import sweep_models
from eventsim import sweep_worker
from eventsim.sweep_engines import MAX_RUNS_PER_TASK, batch_sizes, runs_per_task
from sweep_models import counted_point, failing_at_300, noisy_point

GRID = {"amplitude": [150.0, 300.0, 450.0], "level": ["lif", "lif_r"], "T": 40.0}


def without_wall_time(tree):
    return tree.copy().assign(wall_time=xr.zeros_like(tree["wall_time"]))


@pytest.fixture(scope="module")
def serial_result():
    return nest.sweep(noisy_point, GRID, seeds=2, seed=31)


@pytest.mark.parametrize("n_runs, workers, expected", [
    (300, 2, MAX_RUNS_PER_TASK), (300, 40, 2), (64, 2, 8), (10, 2, 2), (3, 8, 1), (1, 1, 1)])
def test_runs_per_task_gives_each_worker_about_four_tasks(n_runs, workers, expected):
    assert runs_per_task(n_runs, workers) == expected


@pytest.mark.parametrize("per_task", [None, 1, 5, 12, 50])
def test_batches_of_any_size_on_started_processes_give_the_serial_result(serial_result, per_task):
    """12 runs in tasks of 1, 5 (a short last one), 12 or 50 runs: the same result as serially."""
    result = nest.sweep(noisy_point, GRID, seeds=2, seed=31, engine="processes", workers=2, runs_per_task=per_task)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))


def test_a_failed_run_inside_a_batch_loses_none_of_its_neighbours():
    """One task holds all six runs; the two failing ones are recorded, the four others kept."""
    with pytest.warns(RuntimeWarning, match="2 of 6 sweep runs failed"):
        result = nest.sweep(failing_at_300, {"amplitude": [150.0, 300.0, 450.0], "T": 40.0}, seeds=2, seed=5,
                            engine="processes", workers=2, runs_per_task=6)
    assert result["status"].values.tolist() == [["ok", "ok"], ["failed", "failed"], ["ok", "ok"]]
    assert "amplitude 300 is cursed" in str(result["error"].sel(amplitude=300.0, seed=1).values)
    clean = nest.sweep(noisy_point, {"amplitude": [150.0, 300.0, 450.0], "T": 40.0}, seeds=2, seed=5)
    xr.testing.assert_identical(result["multimeter_1"]["V_m"].sel(amplitude=[150.0, 450.0]),
                                clean["multimeter_1"]["V_m"].sel(amplitude=[150.0, 450.0]))


def test_batched_runs_write_their_files_and_resume_per_run(tmp_path):
    """Batches of 4 on worker processes: one file per run; resuming repeats only the failed runs."""
    grid = {"amplitude": [150.0, 300.0, 450.0], "T": 40.0}
    with pytest.warns(RuntimeWarning):
        nest.sweep(failing_at_300, grid, seeds=2, seed=9, folder=tmp_path, engine="processes", workers=2,
                   runs_per_task=4)
    assert len(list(tmp_path.glob("run-*.nc"))) == 6
    sweep_models.CALLS.clear()
    resumed = nest.sweep(counted_point, grid, seeds=2, seed=9, folder=tmp_path)
    assert sweep_models.CALLS == [(300.0, "lif"), (300.0, "lif")]
    xr.testing.assert_identical(without_wall_time(resumed),
                                without_wall_time(nest.sweep(noisy_point, grid, seeds=2, seed=9)))


def test_progress_counts_runs_not_tasks(capsys):
    """Three runs in one task still count as three on the bar."""
    nest.sweep(noisy_point, {"amplitude": [150.0, 300.0, 450.0], "T": 20.0}, engine="processes", workers=2,
               runs_per_task=3, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_warm_up_loads_once_and_leaves_the_default_kernel_alone():
    """warm_up simulates on a kernel of its own: the default kernel's nodes and seed are untouched."""
    nest.ResetKernel()
    nest.rng_seed = 77
    nest.Create("iaf_psc_alpha" if "iaf_psc_alpha" in nest.node_models else "glif_psc")
    first = sweep_worker.warm_up()
    assert first > 0 and sweep_worker.warm_up() == first
    assert nest.rng_seed == 77 and len(nest.GetNodes()) == 1


def test_dask_started_by_the_sweep_gives_the_serial_result(serial_result, tmp_path):
    """engine='dask' starts a 2-worker LocalCluster, batches 5 runs per task, writes every run's file."""
    pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'eventsim[dask]'")
    result = nest.sweep(noisy_point, GRID, seeds=2, seed=31, engine="dask", workers=2, runs_per_task=5,
                        folder=tmp_path)
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(serial_result))
    assert len(list(tmp_path.glob("run-*.nc"))) == 12


@pytest.mark.parametrize("n_runs, workers", [(300, 2), (300, 40), (64, 2), (10, 2), (3, 8), (1, 1), (0, 2)])
def test_default_tasks_shrink_to_single_runs_at_the_end(n_runs, workers):
    sizes = batch_sizes(n_runs, workers)
    assert sum(sizes) == n_runs and all(s >= 1 for s in sizes)
    assert sizes == sorted(sizes, reverse=True)
    if n_runs:
        assert sizes[0] == runs_per_task(n_runs, workers) and sizes[-1] == 1


def test_a_given_task_size_is_kept_with_a_shorter_last_task():
    assert batch_sizes(12, 2, 5) == [5, 5, 2]


def test_a_function_that_workers_cannot_import_runs_on_started_processes():
    """A closure (like a function defined in a notebook) travels by value to the worker processes, which
    start from a fork server on Linux, and gives the serial result."""
    T = 20.0

    def local_point(amplitude):
        return noisy_point(amplitude, T=T)
    grid = {"amplitude": [150.0, 450.0]}
    result = nest.sweep(local_point, grid, seeds=2, seed=3, engine="processes", workers=2)
    assert result["status"].values.ravel().tolist() == ["ok"] * 4
    xr.testing.assert_identical(without_wall_time(result), without_wall_time(nest.sweep(local_point, grid, seeds=2,
                                                                                         seed=3)))
