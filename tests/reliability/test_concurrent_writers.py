"""Two runs writing one file, and runs killed with SIGKILL while they stream."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import xarray as xr

import eventsim as nest
from eventsim.writer_lock import FileInUse, LeftoverFilesRemoved
from fault_network import assert_file_is_a_prefix, build, reference

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def start_child(folder, first_ms=0.0):
    """Start streaming_child.py streaming to `folder`; return it once it streams (its files have grown)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    proc = subprocess.Popen([sys.executable, str(HERE / "streaming_child.py"), str(folder), str(first_ms)],
                            stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    for line in proc.stdout:
        if line.strip() == "running":
            break
    start = sizes(folder)
    deadline = time.monotonic() + 120
    while sizes(folder) <= start + 50_000:          # some appends during the call, synced to disk
        assert proc.poll() is None, "the child process ended early"
        assert time.monotonic() < deadline, "the child process does not stream"
        time.sleep(0.05)
    return proc


def sizes(folder):
    return sum(p.stat().st_size for p in Path(folder).iterdir() if p.name.endswith((".nc", ".tmp")))


def kill(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


@pytest.fixture
def child(tmp_path):
    procs = []

    def start(first_ms=0.0):
        procs.append(start_child(tmp_path, first_ms))
        return procs[-1]
    yield start
    for proc in procs:
        kill(proc)


def test_a_file_another_process_writes_is_refused(tmp_path, child):
    """A second run streaming to the files of a live run gets FileInUse naming the file and the process."""
    proc = child()
    build(tmp_path)
    with pytest.raises(FileInUse, match=rf"{tmp_path / 'mm.nc'}.* process {proc.pid}"):
        nest.Simulate(1.0)
    assert not (tmp_path / "mm.nc").exists()


def test_save_recordings_to_a_file_being_streamed_is_refused(tmp_path, child):
    proc = child(first_ms=10.0)
    build(None)
    nest.Simulate(5.0)
    with pytest.raises(FileInUse, match=f"process {proc.pid}"):
        nest.save_recordings(tmp_path / "mm.nc")


def test_a_file_another_kernel_writes_is_refused(tmp_path):
    """Within one process too; after ResetKernel the file is free again."""
    build(tmp_path)
    nest.Simulate(5.0)
    other = nest.Kernel()
    other.overwrite_files = True         # the file exists (the first run has ended): the lock is what refuses it
    rec = other.create("spike_recorder", params={"record_to": "netcdf", "filename": str(tmp_path / "sr.nc")})
    src = other.create("poisson_generator", params={"rate": 1000.0})
    other.connect(src, rec)
    with pytest.raises(FileInUse, match="this process"):
        other.simulate(5.0)
    nest.ResetKernel()
    build(tmp_path)
    nest.Simulate(5.0)


def test_run_killed_in_its_first_call_leaves_the_old_file(tmp_path, child):
    """kill -9 during the first streaming call: the older file at the path is intact; the next run removes the
    temporary files of the killed one, says so, and writes complete files."""
    (tmp_path / "mm.nc").write_text("older results")
    kill(child())
    assert (tmp_path / "mm.nc").read_text() == "older results"
    assert not (tmp_path / "sr.nc").exists()
    assert [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    build(tmp_path)
    with pytest.warns(LeftoverFilesRemoved) as record:
        nest.Simulate(12.0)
    messages = " ".join(str(w.message) for w in record)
    assert re.search(r"\.mm\.nc\.\w+\.tmp \(\d+\.\d MB\)", messages) and ".sr.nc." in messages
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert_file_is_a_prefix(tmp_path, reference([12.0]))


def test_run_killed_in_a_later_call_leaves_a_readable_file(tmp_path, child):
    """kill -9 during a later call: the files are readable and hold every sample and spike exactly once up to
    the time each states (simulated_ms), as an uninterrupted run."""
    kill(child(first_ms=20.0))
    with xr.open_dataset(tmp_path / "mm.nc") as mm, xr.open_dataset(tmp_path / "sr.nc") as sr:
        until = max(mm.attrs["simulated_ms"], sr.attrs["simulated_ms"])
    assert until > 20.0
    mm_until, sr_until = assert_file_is_a_prefix(tmp_path, reference([20.0, round(until) + 5.0]))
    assert mm_until > 20.0 and sr_until > 20.0


def test_two_runs_started_together_never_share_a_file(tmp_path):
    """Two processes streaming to the same files, started at the same moment: while one writes them, the other
    stops with FileInUse before it runs (or, if they did not overlap, the later one replaces the files); the
    files hold one complete run, every sample once."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(HERE)]))
    procs = [subprocess.Popen([sys.executable, str(HERE / "streaming_child.py"), str(tmp_path), "15.0", "200.0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
             for _ in range(2)]
    try:
        results = [proc.communicate(timeout=300) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                kill(proc)
    finished = [proc.returncode == 0 for proc in procs]
    for ok, (out, err) in zip(finished, results):
        assert ok or ("FileInUse" in err and "committed" not in out), err
    assert any(finished)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mm.nc", "sr.nc"]
    assert_file_is_a_prefix(tmp_path, reference([15.0, 200.0]))
    with xr.open_dataset(tmp_path / "mm.nc") as mm:
        assert mm.attrs["simulated_ms"] == 215.0
