"""One network over several MPI processes: the same results as one process, bit for bit.

Each test runs ``tests/mpi/mpi_networks.py`` under ``mpiexec -n R`` in a subprocess and compares
what it wrote with the run in one process.  Skipped, with the reason, when mpi4py or an
``mpiexec`` is missing (``pip install 'eventsim[mpi]'`` installs both).
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

REPO = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("mpi_networks.py")


def _mpiexec():
    beside = Path(sys.executable).with_name("mpiexec")
    return str(beside) if beside.exists() else shutil.which("mpiexec")


MPIEXEC = _mpiexec()
pytestmark = pytest.mark.skipif(importlib.util.find_spec("mpi4py") is None or MPIEXEC is None,
                                reason="needs mpi4py and mpiexec: pip install 'eventsim[mpi]'")


def run(network, out, ranks, check=True):
    """Run `network` of mpi_networks.py on `ranks` processes (0: plain python, no mpiexec); return the result."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg"}
    for name in ("PMI_SIZE", "PMI_RANK", "OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS", "EVENTSIM_MPI"):
        env.pop(name, None)
    command = [sys.executable, str(SCRIPT), network, str(out)]
    if ranks:
        command = [MPIEXEC, "-n", str(ranks)] + command
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=out.parent)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def test_recurrent_network_is_identical_on_1_2_and_3_ranks(tmp_path):
    """Spikes and traces of parrots and glif_cond neurons (random initial V_m and weights, delays of 1, 2 and 3
    steps, Simulate in two pieces) equal the one-process run bit for bit; R = 3 splits 20, 61 and 7 unevenly."""
    run("recurrent", tmp_path / "one.nc", 0)
    one = xr.open_datatree(tmp_path / "one.nc")
    assert one["spikes"]["spike_time"].size > 100 and one["traces"]["V_m"].shape == (549, 38)
    for ranks in (1, 2, 3):
        run("recurrent", tmp_path / f"r{ranks}.nc", ranks)
        other = xr.open_datatree(tmp_path / f"r{ranks}.nc")
        for group in ("spikes", "parrot_spikes", "traces"):
            xr.testing.assert_identical(other[group].to_dataset(), one[group].to_dataset())
        assert _same_attrs(other.attrs, one.attrs)


def test_poisson_driven_network_is_identical_on_1_2_and_3_ranks(tmp_path):
    """Poisson and noise generators draw each connection's input from its own stream, on the target's rank."""
    run("poisson", tmp_path / "one.nc", 0)
    one = xr.open_datatree(tmp_path / "one.nc")
    assert one["spikes"]["spike_time"].size > 50
    for ranks in (2, 3):
        run("poisson", tmp_path / f"r{ranks}.nc", ranks)
        other = xr.open_datatree(tmp_path / f"r{ranks}.nc")
        for group in ("spikes", "traces"):
            xr.testing.assert_identical(other[group].to_dataset(), one[group].to_dataset())
        assert _same_attrs(other.attrs, one.attrs)


def _same_attrs(a, b):
    import numpy as np
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_status_events_and_connections_per_rank(tmp_path):
    """Each rank reads its own nodes' status, its recorders' own events and its own connections; ``recordings()``
    gives every rank all spikes, as one process records them."""
    run("status", tmp_path / "one", 0)
    run("status", tmp_path / "two", 2)
    one = json.loads((tmp_path / "one.0.json").read_text())
    r0, r1 = (json.loads((tmp_path / f"two.{r}.json").read_text()) for r in (0, 1))
    assert (r0["rank"], r1["rank"], r0["num_processes"]) == (0, 1, 2)
    assert r1["kernel"] == {"num_processes": 2, "mpi_rank": 1, "network_size": 7}
    # parrots 2..6: ids 2, 3, 4 on rank 0, 5, 6 on rank 1
    assert r0["local"] == [True, True, True, False, False] and r1["local"] == [False, False, False, True, True]
    assert r0["vp"] == r1["vp"] == [0, 0, 0, 1, 1]
    assert set(r0["events_senders"]) == {2, 3, 4} and set(r1["events_senders"]) == {5, 6}
    assert r0["n_events"] + r1["n_events"] == one["n_events"]
    assert sorted(r0["events_senders"] + r1["events_senders"]) == sorted(one["events_senders"])
    assert r0["connection_targets"] == [2, 2, 3, 3, 4, 4] and r1["connection_targets"] == [5, 5, 6, 6]
    assert r0["recorded_senders"] == r1["recorded_senders"] == one["recorded_senders"]
    # pairwise Disconnect is refused (a rank cannot see the others' connections); a SynapseCollection works
    assert r0["disconnect_pairs"] == r1["disconnect_pairs"]
    assert r0["disconnect_pairs"].startswith("KernelException: Disconnect(pre, post) is not supported under MPI")
    assert "disconnect_pairs" not in one and one["connections_after"] == 9
    assert (r0["connections_after"], r1["connections_after"]) == (5, 4)


def test_connect_error_on_one_rank_is_raised_on_all(tmp_path):
    """Only the last rank holds the node that lacks receptor 2; every rank raises its error."""
    run("connect_error", tmp_path / "err", 2)
    messages = [(tmp_path / f"err.{r}.txt").read_text() for r in (0, 1)]
    assert messages[0] == messages[1]
    assert messages[0].startswith("IncompatibleReceptorType: receptor_type 2") and "1..1" in messages[0]


def test_failure_during_a_run_stops_all_ranks(tmp_path):
    """An update failing on rank 1 ends both ranks (no hang) and the error is printed once."""
    done = run("run_error", tmp_path / "failed", 2, check=False)
    assert done.returncode != 0
    assert done.stderr.count("Traceback") == 1
    assert "\nFloatingPointError: the update failed on purpose" in done.stderr
    assert "arose on rank 1 of 2" in done.stderr


def test_uncaught_error_of_the_script_on_one_rank_stops_all(tmp_path):
    done = run("user_error", tmp_path / "user", 2, check=False)
    assert done.returncode != 0
    assert done.stderr.count("ValueError: the script failed on purpose") == 1
    assert "uncaught ValueError on rank 1 of 2" in done.stderr


def test_uncaught_error_raised_on_every_rank_is_shown_once(tmp_path):
    done = run("uncaught_connect_error", tmp_path / "every", 2, check=False)
    assert done.returncode != 0
    assert done.stderr.count("Traceback") == 1
    assert done.stderr.count("IncompatibleReceptorType: receptor_type 2") == 1


def test_streaming_recorder_is_refused_before_the_run(tmp_path):
    """record_to='netcdf' is not supported under MPI: every rank raises before any step, naming the remedy."""
    run("streaming", tmp_path / "stream", 2)
    for r in (0, 1):
        text = (tmp_path / f"stream.{r}.txt").read_text()
        assert text.startswith("KernelException: spike_recorder 5 streams to netCDF") and "save_recordings" in text
        assert text.endswith("(at 0.0 ms)")


def test_seed_example_is_identical_on_2_ranks(tmp_path, seed_example_file):
    """examples/glif_cond_neuron.py (one neuron per level, Poisson input to one neuron) under mpiexec -n 2 writes
    the file of the one-process run."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg"}
    done = subprocess.run([MPIEXEC, "-n", "2", sys.executable, str(REPO / "examples" / "glif_cond_neuron.py"),
                           "--out", str(tmp_path), "--rng-seed", "12345"], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    one = xr.open_datatree(seed_example_file)
    two = xr.open_datatree(tmp_path / "glif_cond_recordings.nc")
    assert list(two.children) == list(one.children)
    for group in one.children:
        xr.testing.assert_identical(two[group].to_dataset(), one[group].to_dataset())
