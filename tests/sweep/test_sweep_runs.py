"""Failed runs, folders and resuming, and the errors a sweep raises before running anything."""

import concurrent.futures

import numpy as np
import pytest
import xarray as xr

import eventsim as nest
import sweep_models
from eventsim.errors import BadParameter
from sweep_models import counted_point, failing_at_300, noisy_point, resetting_point

GRID = {"amplitude": [150.0, 300.0, 450.0], "T": 60.0}


def test_a_failed_run_is_recorded_and_the_others_kept():
    """The failing point has status failed, its traceback and NaN data; the others equal a clean sweep."""
    with pytest.warns(RuntimeWarning, match=r"2 of 6 sweep runs failed .*amplitude 300 is cursed"):
        result = nest.sweep(failing_at_300, GRID, seeds=2, seed=5)
    clean = nest.sweep(noisy_point, GRID, seeds=2, seed=5)
    status = result["status"]
    assert status.sel(amplitude=300.0).values.tolist() == ["failed", "failed"]
    assert (status.sel(amplitude=[150.0, 450.0]) == "ok").all()
    assert "ValueError: amplitude 300 is cursed" in str(result["error"].sel(amplitude=300.0, seed=0).values)
    assert np.isnan(result["multimeter_1"]["V_m"].sel(amplitude=300.0)).all()
    assert np.isnan(result["spike_recorder_1"]["spike_count"].sel(amplitude=300.0)).all()
    for amplitude in (150.0, 450.0):
        xr.testing.assert_identical(result["multimeter_1"]["V_m"].sel(amplitude=amplitude),
                                    clean["multimeter_1"]["V_m"].sel(amplitude=amplitude))
    assert np.isnan(result["spike_recorder_1"]["spike_time"].sel(amplitude=300.0)).all()
    assert (result["spike_recorder_1"]["spike_sender"].sel(amplitude=300.0) == -1).all()


def test_a_failed_run_on_a_process_pool_is_recorded_too():
    """Errors travel back from worker processes with their message."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool, pytest.warns(RuntimeWarning):
        result = nest.sweep(failing_at_300, GRID, seed=5, engine=pool)
    assert result["status"].values.ravel().tolist() == ["ok", "failed", "ok"]
    assert "amplitude 300 is cursed" in str(result["error"].sel(amplitude=300.0, seed=0).values)


def test_every_run_failing_raises_with_the_first_error():
    """A function that always fails (say, a typo) raises SweepError instead of returning only NaN."""
    with pytest.raises(nest.SweepError, match="all 2 runs of the sweep failed(.|\n)*cursed"):
        nest.sweep(failing_at_300, {"amplitude": [300.0]}, seeds=2)


def test_a_run_that_resets_the_kernel_fails_instead_of_ignoring_its_seed():
    """ResetKernel() inside the function would drop the sweep's rng_seed: the run is reported as failed."""
    with pytest.raises(nest.SweepError, match="must not call ResetKernel"):
        nest.sweep(resetting_point, {"amplitude": [300.0]})


def test_folder_keeps_every_run_and_rebuilds_the_result(tmp_path):
    """Each run leaves its file; load_sweep(folder) gives the sweep's result back, failures included."""
    with pytest.warns(RuntimeWarning):
        result = nest.sweep(failing_at_300, GRID, seeds=2, seed=9, folder=tmp_path / "runs")
    names = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert names == ["run-000000.nc", "run-000001.nc", "run-000002.nc", "run-000003.nc", "run-000004.nc",
                     "run-000005.nc", "sweep.nc"]
    loaded = nest.load_sweep(tmp_path / "runs")
    xr.testing.assert_identical(loaded, result)


def test_resume_skips_finished_runs_and_repeats_failed_and_missing_ones(tmp_path):
    """A second sweep into the folder runs only what failed or has no file, and equals a clean sweep."""
    folder = tmp_path / "runs"
    with pytest.warns(RuntimeWarning):
        nest.sweep(failing_at_300, GRID, seeds=2, seed=9, folder=folder)
    (folder / "run-000004.nc").unlink()                                  # amplitude 450, seed 0
    sweep_models.CALLS.clear()
    resumed = nest.sweep(counted_point, GRID, seeds=2, seed=9, folder=folder)
    assert sorted(sweep_models.CALLS) == [(300.0, "lif"), (300.0, "lif"), (450.0, "lif")]
    clean = nest.sweep(noisy_point, GRID, seeds=2, seed=9)
    xr.testing.assert_identical(resumed.assign(wall_time=clean["wall_time"]), clean)
    sweep_models.CALLS.clear()
    nest.sweep(counted_point, GRID, seeds=2, seed=9, folder=folder)
    assert sweep_models.CALLS == []


def test_load_sweep_marks_runs_without_a_file_as_missing(tmp_path):
    """An interrupted sweep (files missing) loads with status missing and NaN for those runs."""
    nest.sweep(noisy_point, GRID, seed=9, folder=tmp_path)
    (tmp_path / "run-000001.nc").unlink()
    loaded = nest.load_sweep(tmp_path)
    assert loaded["status"].values.ravel().tolist() == ["ok", "missing", "ok"]
    assert np.isnan(loaded["multimeter_1"]["V_m"].sel(amplitude=300.0)).all()


def test_a_folder_of_another_sweep_is_refused(tmp_path):
    """Other parameters, seeds or seed into the same folder raise before running anything."""
    nest.sweep(noisy_point, GRID, seed=9, folder=tmp_path)
    for change in ({"seed": 10}, {"seeds": 2}):
        with pytest.raises(BadParameter, match="holds a different sweep"):
            nest.sweep(counted_point, GRID, **{"seed": 9, **change}, folder=tmp_path)
    with pytest.raises(BadParameter, match="holds a different sweep"):
        nest.sweep(counted_point, {**GRID, "T": 50.0}, seed=9, folder=tmp_path)


@pytest.mark.parametrize("params, message", [
    ({"amplitud": [1.0]}, "cannot be called with the sweep's parameters"),
    ({"amplitude": [1.0], "seed": [1, 2]}, "'seed' is reserved"),
    ({"amplitude": []}, "has no values"),
    ({"amplitude": [1.0, 1.0]}, "repeats a value"),
    ({"amplitude": [np.zeros(2)]}, "values must be numbers, strings or bools"),
    ([{"amplitude": 1.0}, {"level": "lif"}], "the same keys"),
    ("amplitude", "must be a dict"),
])
def test_bad_parameters_are_refused_before_any_run(params, message):
    """Typos and values that cannot become coordinates raise BadParameter naming them; nothing runs."""
    sweep_models.CALLS.clear()
    with pytest.raises(BadParameter, match=message):
        nest.sweep(counted_point, params)
    assert sweep_models.CALLS == []


@pytest.mark.parametrize("kwargs, message", [
    ({"seeds": 0}, "seeds"), ({"seed": -1}, "seed"), ({"engine": 42}, "engine must be"),
    ({"engine": "dusk"}, "unknown sweep engine 'dusk'"), ({"runs_per_task": 0}, "runs_per_task"),
    ({"workers": 2}, "workers= sets the size"), ({"engine": "processes", "workers": 0}, "workers must be"),
    ({"engine": concurrent.futures.ThreadPoolExecutor(1), "workers": 2}, "workers= sets the size"),
])
def test_bad_sweep_options_are_refused(kwargs, message):
    with pytest.raises((BadParameter, TypeError), match=message):
        nest.sweep(counted_point, {"amplitude": [1.0]}, **kwargs)
    assert sweep_models.CALLS == []


def test_progress_bar_counts_runs(capsys):
    """progress=True draws a tqdm bar over runs on stderr; progress=False prints nothing."""
    nest.sweep(noisy_point, {"amplitude": [150.0, 300.0]}, progress=True)
    err = capsys.readouterr().err
    assert "sweep" in err and "2/2" in err
    nest.sweep(noisy_point, {"amplitude": [150.0, 300.0]}, progress=False)
    assert capsys.readouterr().err == ""


def test_run_one_raises_with_the_runs_traceback():
    """A failing single run raises SweepError carrying the original error text."""
    with pytest.raises(nest.SweepError, match="amplitude 300 is cursed"):
        nest.sweep.run_one(failing_at_300, {"amplitude": 300.0}, 12)


def test_workers_write_the_run_files(tmp_path):
    """On a process pool each worker writes its runs' files; the folder rebuilds the same result."""
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        result = nest.sweep(noisy_point, GRID, seeds=2, seed=4, engine=pool, folder=tmp_path)
    assert len(list(tmp_path.glob("run-*.nc"))) == 6
    xr.testing.assert_identical(nest.load_sweep(tmp_path), result)
    xr.testing.assert_identical(result.assign(wall_time=result["wall_time"] * 0),
                                nest.sweep(noisy_point, GRID, seeds=2, seed=4).assign(
                                    wall_time=result["wall_time"] * 0))
