"""The examples run end to end as a user runs them: in a fresh process, from the command line."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
GLIF_EXAMPLE = EXAMPLES / "glif_cond_neuron.py"
ALLEN_EXAMPLE = EXAMPLES / "allen_cell.py"
LEVELS = ["lif", "lif_r", "lif_asc", "lif_r_asc", "lif_r_asc_a"]


def run_example(script, *args, cwd):
    """Run `script` with `args` in a subprocess with the Agg backend and this checkout's code first on the path."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path}
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def glif_output(tmp_path_factory):
    """Run the glif_cond example once with --out; returns (output folder, completed process, seconds)."""
    out = tmp_path_factory.mktemp("glif") / "results"
    start = time.perf_counter()
    done = run_example(GLIF_EXAMPLE, "--out", str(out), "--rng-seed", "12345", cwd=out.parent)
    return out, done, time.perf_counter() - start


def test_glif_example_writes_figures_and_recordings(glif_output):
    """Five PNG figures and one netCDF file appear in --out, and the output says where."""
    out, done, seconds = glif_output
    assert done.returncode == 0, done.stderr
    assert seconds < 60
    for level in LEVELS:
        png = out / f"glif_cond_{level}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    nc = out / "glif_cond_recordings.nc"
    assert nc.stat().st_size > 0
    assert str(nc) in done.stdout and str(out / "glif_cond_lif.png") in done.stdout
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_glif_example_netcdf_has_the_recorder_groups(glif_output):
    """The netCDF file opens as a tree with the multimeter and spike recorder groups of the seed."""
    out, done, _ = glif_output
    assert done.returncode == 0, done.stderr
    with xr.open_datatree(out / "glif_cond_recordings.nc", engine="netcdf4") as tree:
        assert set(tree.children) == {"multimeter_1", "spike_recorder_1"}
        mm, sr = tree["multimeter_1"], tree["spike_recorder_1"]
        assert dict(mm.sizes) == {"time": 19999, "sender": 5}
        assert mm["level"].values.tolist() == LEVELS
        assert set(mm.data_vars) == {"V_m", "I", "g_1", "g_2", "threshold", "threshold_spike",
                                     "threshold_voltage", "ASCurrents_sum"}
        np.testing.assert_allclose(mm["time"].values[[0, -1]], [0.05, 999.95])
        assert sr["spike_time"].size > 100
        assert tree.attrs["rng_seed"] == 12345 and tree.attrs["simulated_ms"] == 1000.0


@pytest.mark.parametrize("bad", ["afile/results", "afile"])
def test_glif_example_checks_out_before_simulating(bad, tmp_path):
    """An --out that cannot be used fails at once with exit status 2 and a message naming it."""
    (tmp_path / "afile").write_text("not a folder")
    start = time.perf_counter()
    done = run_example(GLIF_EXAMPLE, "--out", bad, cwd=tmp_path)
    assert done.returncode == 2
    assert "afile" in done.stderr and "error:" in done.stderr
    assert time.perf_counter() - start < 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_glif_example_rejects_a_bad_seed(tmp_path):
    """--rng-seed outside NEST's range is refused before anything is written."""
    done = run_example(GLIF_EXAMPLE, "--out", "o", "--rng-seed", "-1", cwd=tmp_path)
    assert done.returncode == 2 and "rng_seed must be an integer" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_allen_example_draws_the_f_i_curves(tmp_path):
    """The Allen example builds the five levels from configs, prints their rates and writes the figure."""
    done = run_example(ALLEN_EXAMPLE, "--out", "fig", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    png = tmp_path / "fig" / "allen_fI.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(png) in done.stdout
    rows = {line.split(":")[0].strip(): [float(x) for x in line.split(":")[1].split()[:-1]]
            for line in done.stdout.splitlines() if line.strip().startswith("lif")}
    assert list(rows) == LEVELS
    for name, rates in rows.items():
        assert len(rates) == 16 and rates[0] == 0 and rates[-1] > 50, name
        assert all(b >= a for a, b in zip(rates, rates[1:])), name    # f-I curves rise


FI_EXAMPLE = EXAMPLES / "sweep_fi_curve.py"


def run_fi_example(*args, cwd, block_dask=False):
    """Run the f-I sweep example on this repository's eventsim (optionally as if Dask were not installed)."""
    root = str(EXAMPLES.parent)
    env = {**os.environ, "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(p for p in [root, os.environ.get("PYTHONPATH")] if p)}
    prelude = "import sys, runpy; "
    if block_dask:
        prelude += "sys.modules['distributed'] = None; "
    code = prelude + f"sys.argv = [{str(FI_EXAMPLE)!r}, *{list(args)!r}]; runpy.run_path(sys.argv[0], run_name='__main__')"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize("block_dask", [False, True], ids=["dask-or-fallback", "without-dask"])
def test_fi_sweep_example_writes_one_netcdf_and_one_figure(tmp_path, block_dask):
    """--small: 5 levels x 4 amplitudes x 2 seeds into one netCDF and one PNG; without Dask it says so and runs serially."""
    done = run_fi_example("--small", "--out", "results", cwd=tmp_path, block_dask=block_dask)
    assert done.returncode == 0, done.stderr
    if block_dask:
        assert "Dask is not installed" in done.stderr and "runs on serial" in done.stdout
    out = tmp_path / "results"
    assert sorted(p.name for p in out.iterdir()) == ["sweep_fi_curve.nc", "sweep_fi_curve.png"]
    assert (out / "sweep_fi_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with xr.open_datatree(out / "sweep_fi_curve.nc", engine="netcdf4") as tree:
        counts = tree["spikes"]["spike_count"].load()
        assert tree["status"].values.ravel().tolist() == ["ok"] * 40
    assert dict(counts.sizes) == {"level": 5, "amplitude": 4, "seed": 2, "sender": 1}
    assert (counts.sel(amplitude=0.0) < counts.sel(amplitude=450.0)).all()


def test_closed_loop_example_holds_the_rate_and_writes_figure_and_recordings(tmp_path):
    """The PI controller actor brings the neuron's mean rate near each target; the netCDF holds the
    recorders and the controller's record, and the figure is a PNG."""
    done = run_example(EXAMPLES / "closed_loop.py", "--out", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rates = [float(x) for x in re.findall(r"mean rate \S+ ms: ([\d.]+) Hz", done.stdout)]
    assert len(rates) == 2 and abs(rates[0] - 20.0) < 4.0 and abs(rates[1] - 40.0) < 6.0
    assert (tmp_path / "closed_loop.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with xr.open_datatree(tmp_path / "closed_loop.nc", engine="netcdf4") as tree:
        assert sorted(tree.children) == ["controller", "neuron", "spikes"]
        ctrl = tree["controller"].to_dataset()
        assert ctrl.sizes["time"] == 79 and ctrl["current"].attrs["units"] == "pA"
        assert set(ctrl["target"].values.tolist()) == {20.0, 40.0}


def test_custom_stimulus_example_matches_its_formula(tmp_path):
    """The sinusoidal current actor's current, as the neuron records it, equals the formula to the bit."""
    done = run_example(EXAMPLES / "custom_stimulus.py", "--out", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "largest deviation of I from the formula: 0 pA over 2995 samples" in done.stdout
    assert (tmp_path / "custom_stimulus.png").stat().st_size > 0
    with xr.open_datatree(tmp_path / "custom_stimulus.nc", engine="netcdf4") as tree:
        assert tree["neuron"]["I"].max() > 200.0
