"""A full disk while streaming and while saving: errors name the file, files stay readable and complete up to
the time they state, never padded with NaN."""

import errno
import shutil
import subprocess

import pytest
import xarray as xr

import eventsim as nest
import eventsim.recorders.base
import eventsim.recorders.netcdf_stream
from fault_network import assert_file_is_a_prefix, build, reference

N = 20


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs mounted in tmp_path (needs root); skipped where it cannot be mounted."""
    folder = tmp_path / "fs"
    folder.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command to make a small file system")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs: {done.stderr.decode().strip()}")
    yield folder
    nest.ResetKernel()
    subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def tight_disk(monkeypatch):
    """A file system whose free space drops to 100 kB after a few appends (the stream's space check sees it)."""
    calls = []
    real = shutil.disk_usage

    def disk_usage(path):
        calls.append(path)
        usage = real(path)
        return usage._replace(free=100_000) if len(calls) > 6 else usage

    monkeypatch.setattr(eventsim.recorders.netcdf_stream.shutil, "disk_usage", disk_usage)
    return calls


def run_until_full(folder):
    """Stream N neurons to `folder` for 3 s; return the OSError raised."""
    build(folder, n=N)
    with pytest.raises(OSError) as info:
        nest.Simulate(3000.0)
    return info.value


def check_after_failure(folder, err):
    assert err.errno == errno.ENOSPC
    assert str(folder / "mm.nc") in str(err) or str(folder / "sr.nc") in str(err)
    stopped = nest.biological_time
    assert 0 < stopped < 3000.0
    with pytest.raises(nest.KernelException, match="cannot continue"):
        nest.Simulate(1.0)
    recorded = sorted(p.name for p in folder.iterdir())
    assert recorded == ["mm.nc", "sr.nc"], recorded          # no temporary file left behind
    until = assert_file_is_a_prefix(folder, reference([stopped], n=N))
    assert all(0 < t <= stopped for t in until)


def test_disk_full_while_streaming(small_disk, monkeypatch):
    """On a real 2 MB file system."""
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 50_000)
    check_after_failure(small_disk, run_until_full(small_disk))


def test_space_running_out_while_streaming(tmp_path, tight_disk, monkeypatch):
    """Where no small file system can be made: the free space reported drops."""
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 50_000)
    check_after_failure(tmp_path, run_until_full(tmp_path))


def test_save_recordings_on_a_full_disk_raises_oserror(small_disk, tmp_path):
    """save_recordings raises OSError naming the file, and leaves nothing behind."""
    build(None, n=N)
    nest.Simulate(2000.0)
    (small_disk / "filler").write_bytes(b"\0" * 1_500_000)
    with pytest.raises(OSError, match="all.nc"):
        nest.save_recordings(small_disk / "all.nc")
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]


def test_library_write_error_becomes_oserror(tmp_path, monkeypatch):
    """The netCDF library's RuntimeError('NetCDF: HDF error') reaches the user as an OSError naming the file."""
    build(None)
    nest.Simulate(10.0)

    def failing(*args, **kwargs):
        raise RuntimeError("NetCDF: HDF error")

    monkeypatch.setattr(xr.DataTree, "to_netcdf", failing)
    (tmp_path / "all.nc").write_text("older")
    with pytest.raises(OSError, match="all.nc"):
        nest.save_recordings(tmp_path / "all.nc")
    assert (tmp_path / "all.nc").read_text() == "older" and len(list(tmp_path.iterdir())) == 1
