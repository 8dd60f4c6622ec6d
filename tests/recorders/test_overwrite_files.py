"""The kernel property ``overwrite_files``: streaming recorders refuse to replace existing files, as NEST's."""

from pathlib import Path

import pytest
import xarray as xr

import eventsim as nest
from eventsim.errors import OutputFileExists, TypeMismatch
from recorder_helpers import small_network


def _streamed(folder):
    return ({"record_to": "netcdf", "filename": str(folder / "mm.nc")},
            {"record_to": "netcdf", "filename": str(folder / "sr.nc")})


def test_an_existing_file_is_refused_before_anything_runs(tmp_path):
    """The error names the file and the recorder; no time passes, no file is touched or left behind."""
    (tmp_path / "sr.nc").write_text("older results")
    mm_params, sr_params = _streamed(tmp_path)
    with pytest.raises(OutputFileExists, match=r"spike_recorder \d+: the file '.*sr\.nc' already exists.*"
                                               r"nest\.overwrite_files = True"):
        small_network(mm_params=mm_params, sr_params=sr_params, sims=[10.0])
    assert nest.biological_time == 0.0
    assert (tmp_path / "sr.nc").read_text() == "older results"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["sr.nc"]


def test_the_error_is_nests_ioerror():
    """Ported scripts catch it as ``nest.NESTErrors.IOError`` (or as Python's FileExistsError)."""
    assert issubclass(OutputFileExists, nest.NESTErrors.IOError)
    assert issubclass(OutputFileExists, FileExistsError)
    assert issubclass(OutputFileExists, nest.NESTError)


def test_overwrite_files_replaces_and_later_calls_append(tmp_path):
    """With overwrite_files the first run replaces the file; later calls of the same kernel append without it."""
    (tmp_path / "mm.nc").write_text("older results")
    mm_params, sr_params = _streamed(tmp_path)
    nest.overwrite_files = True
    small_network(mm_params=mm_params, sr_params=sr_params, sims=[10.0])
    nest.overwrite_files = False
    nest.Simulate(5.0)
    with xr.open_dataset(tmp_path / "mm.nc") as ds:
        assert ds.attrs["simulated_ms"] == 15.0


def test_a_second_run_of_a_script_needs_overwrite_files(tmp_path):
    """Running the same script again (a new kernel) meets the files of the first run, as in NEST."""
    mm_params, sr_params = _streamed(tmp_path)
    small_network(mm_params=mm_params, sr_params=sr_params, sims=[5.0])
    nest.ResetKernel()
    assert nest.overwrite_files is False
    with pytest.raises(OutputFileExists, match="mm.nc"):
        small_network(mm_params=mm_params, sr_params=sr_params, sims=[5.0])
    nest.ResetKernel()
    nest.SetKernelStatus({"overwrite_files": True})
    small_network(mm_params=mm_params, sr_params=sr_params, sims=[5.0])
    assert Path(tmp_path / "sr.nc").stat().st_size > 0


def test_recorders_in_memory_ignore_it(tmp_path):
    """Only streaming recorders write files; save_recordings writes where it is told, as before."""
    target = tmp_path / "run.nc"
    target.write_text("older results")
    small_network(sims=[5.0])
    nest.save_recordings(target)
    with xr.open_datatree(target) as tree:
        assert tree.children


def test_the_property_is_a_boolean():
    assert nest.get("overwrite_files") is False
    with pytest.raises(TypeMismatch, match="overwrite_files"):
        nest.overwrite_files = 1
