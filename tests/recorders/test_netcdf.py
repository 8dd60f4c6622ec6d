"""Recordings as netCDF: round trips, streaming, attributes and failed writes."""

import os
from pathlib import Path

import netCDF4
import numpy as np
import pytest
import xarray as xr

import eventsim as nest
from eventsim.recording import check_writable, write_netcdf_atomic
from recorder_helpers import recorder_of, small_network
from eventsim.recorders.netcdf_stream import NetCDFStream

#: Multimeter settings of the round-trip tests: (params, Simulate calls in ms).
SETTINGS = {
    "every_step": ({"interval": 0.1}, [40.0]),
    "interval": ({"interval": 0.7}, [40.0]),
    "start_stop": ({"interval": 0.2, "start": 5.0, "stop": 25.0}, [40.0]),
    "origin_offset": ({"interval": 0.5, "origin": 3.0, "offset": 0.2, "start": 2.0}, [40.0]),
    "stepped": ({"interval": 0.3}, [7.3, 0.2, 12.5, 20.0]),
}


def leftovers(folder):
    """Hidden temporary files left in `folder` (a live kernel's lock files do not count)."""
    return [p.name for p in Path(folder).iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]


def assert_netcdf_safe(attrs):
    """Every attribute value is a str, int, float or non-empty 1-D numeric array (netCDF stores no bool or None)."""
    for key, value in attrs.items():
        if isinstance(value, np.ndarray):
            assert value.ndim == 1 and value.size > 0 and value.dtype.kind in "iuf", (key, value)
            continue
        assert isinstance(value, (str, int, float, np.integer, np.floating)), (key, value)
        assert not isinstance(value, (bool, np.bool_)), key


# --- datasets and the DataTree --------------------------------------------------------------
def test_multimeter_dataset_layout():
    """Dims time x sender; a variable per recordable with units and long_name; sender, model, time coords."""
    mm, _ = small_network()
    ds = recorder_of(mm).to_dataset()
    assert dict(ds.sizes) == {"time": 198, "sender": 3}      # 0.3 ... 59.4 ms: visible up to 59.5 ms
    assert ds["V_m"].dims == ("time", "sender")
    assert {name: ds[name].attrs["units"] for name in ("V_m", "I", "g_1", "threshold")} == \
        {"V_m": "mV", "I": "pA", "g_1": "nS", "threshold": "mV"}
    assert ds["g_1"].attrs["long_name"] == "synaptic conductance of receptor 1"
    assert ds["sender"].dtype == np.int32 and ds["sender"].values.tolist() == [1, 2, 3]
    assert ds["model"].values.tolist() == ["glif_cond"] * 3
    assert ds["time"].attrs["units"] == "ms"
    assert ds.attrs["interval_ms"] == 0.3 and ds.attrs["resolution_ms"] == 0.1
    assert ds.attrs["simulated_ms"] == 60.0 and ds.attrs["rng_seed"] == nest.rng_seed
    assert ds.attrs["eventsim_version"] == nest.__version__ and ds.attrs["stop_ms"] == np.inf
    assert_netcdf_safe(ds.attrs)


def test_recordings_tree_groups_and_attributes():
    """One group per recorder (label, or model_k), kernel attributes and Conventions on the root."""
    small_network(mm_params={"label": "traces"})
    tree = nest.recordings()
    assert set(tree.children) == {"traces", "spike_recorder_1"}
    assert tree.attrs["Conventions"] == "CF-1.8"
    assert tree.attrs["simulated_ms"] == 60.0 and tree.attrs["resolution_ms"] == 0.1
    assert_netcdf_safe(tree.attrs)


def test_group_names_do_not_shift_when_nodes_are_added():
    """Unlabelled recorders are named by model and creation order among recorders of that model, so
    nodes created before them do not rename the groups; a label names the group."""
    nest.Create("parrot_neuron", 5)
    n = nest.Create("glif_cond", 2)
    mm1 = nest.Create("multimeter", params={"record_from": ["V_m"]})
    sr = nest.Create("spike_recorder")
    nest.Create("glif_cond", 3)
    mm2 = nest.Create("multimeter", params={"record_from": ["V_m"]})
    nest.Create("spike_recorder", params={"label": "named"})
    nest.Connect(mm1, n)
    nest.Connect(mm2, n)
    nest.Connect(n, sr)
    nest.Simulate(2.0)
    tree = nest.recordings()
    assert list(tree.children) == ["multimeter_1", "spike_recorder_1", "multimeter_2", "named"]
    assert tree["multimeter_1"].attrs["recorder_global_id"] == mm1.global_id
    assert tree["multimeter_2"].attrs["recorder_global_id"] == mm2.global_id


def test_model_parameters_on_the_root():
    """The root holds <model>__<parameter> per model: the shared value, arrays for vector parameters,
    0/1 for bools, a digest where nodes differ; state (V_m) and recorders are left out."""
    small_network()
    extra = nest.Create("glif_cond", params={"C_m": 70.0, "spike_dependent_threshold": True})
    attrs = nest.recordings().attrs
    assert attrs["glif_cond__g_m"] == 9.43 and attrs["glif_cond__spike_dependent_threshold"] == 1
    np.testing.assert_array_equal(attrs["glif_cond__E_rev"], [0.0, -85.0])
    assert attrs["glif_cond__C_m"].startswith("varies across 4 nodes (digest ")
    assert attrs["poisson_generator__rate"] == 9000.0
    assert attrs["step_current_generator__amplitude_values"] == 150.0       # one value: stored as a scalar
    assert "glif_cond__V_m" not in attrs and not any(k.startswith("multimeter") for k in attrs)
    nest.SetStatus(extra, {"C_m": 71.0})
    assert nest.recordings().attrs["glif_cond__C_m"] != attrs["glif_cond__C_m"]


def test_duplicate_labels_are_refused():
    """Two recorders with one label cannot share a group."""
    small_network(mm_params={"label": "x"}, sr_params={"label": "x"})
    with pytest.raises(nest.BadParameter, match="share the group name 'x'"):
        nest.recordings()


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_save_recordings_round_trip(setting, tmp_path):
    """The file written by save_recordings reads back identical: values, dims, coords and attrs."""
    params, sims = SETTINGS[setting]
    small_network(mm_params=params, sr_params={"start": 3.0, "stop": 30.0}, sims=sims)
    tree = nest.recordings()
    path = nest.save_recordings(tmp_path / "rec.nc")
    assert path == tmp_path / "rec.nc"
    with xr.open_datatree(path, engine="netcdf4") as back:
        xr.testing.assert_identical(back.load(), tree)
    assert leftovers(tmp_path) == []


# --- streaming ------------------------------------------------------------------------------
def run_both(params, sims, folder, label=""):
    """Run the small network with memory and with netCDF recorders; return (memory, streamed) recorders."""
    small_network(mm_params={**params, "label": label}, sims=sims)
    memory = [recorder_of(nodes) for nodes in _recorders()]
    nest.ResetKernel()
    small_network(mm_params={**params, "label": label, "record_to": "netcdf", "filename": str(folder / "mm.nc")},
                  sr_params={"record_to": "netcdf", "filename": str(folder / "sr.nc")}, sims=sims)
    streamed = [recorder_of(nodes) for nodes in _recorders()]
    return memory, streamed


def _recorders():
    kernel = nest.get_kernel()
    gids = [pop.first_gid for pop in kernel.populations if pop.element_type == "recorder"]
    return [nest.NodeCollection(kernel, np.array([g])) for g in gids]


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_streamed_file_equals_memory_recording(setting, tmp_path, small_stream_buffer):
    """The streamed files read back as the in-memory datasets, although appended in many chunks."""
    params, sims = SETTINGS[setting]
    memory, streamed = run_both(params, sims, tmp_path)
    for mem, name in zip(memory, ("mm.nc", "sr.nc")):
        with xr.open_dataset(tmp_path / name, engine="netcdf4") as back:
            xr.testing.assert_identical(back.load(), mem.to_dataset())
    assert streamed[0]._stream.size > 0 and leftovers(tmp_path) == []


def test_streamed_events_and_tree_equal_memory(tmp_path, small_stream_buffer):
    """events, n_events and recordings() of streaming recorders read the files and equal memory's."""
    memory, streamed = run_both(*SETTINGS["stepped"], tmp_path)
    for mem, st in zip(memory, streamed):
        assert st.n_events == mem.n_events > 0
        a, b = mem.events, st.events
        assert a.keys() == b.keys()
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    tree = nest.recordings()
    xr.testing.assert_identical(tree["multimeter_1"].to_dataset(), memory[0].to_dataset())


def test_stream_chunks_appear_during_the_run(tmp_path, small_stream_buffer, monkeypatch):
    """A streaming multimeter appends to its file while Simulate runs, not only at the end."""
    sizes = []
    original = NetCDFStream.append

    def spy(self, columns, **kwargs):
        original(self, columns, **kwargs)
        sizes.append(self.size)

    monkeypatch.setattr(NetCDFStream, "append", spy)
    small_network(mm_params={"interval": 0.1, "record_to": "netcdf", "filename": str(tmp_path / "mm.nc")},
                  sims=[40.0])
    assert len(sizes) > 10 and sizes[-1] == 395


def test_stream_filename_is_checked_at_create_and_set(tmp_path):
    """A filename in a missing directory or inside a file is refused when it is set, naming the path."""
    (tmp_path / "file.txt").write_text("x")
    for bad in (tmp_path / "missing" / "r.nc", tmp_path / "file.txt" / "r.nc", tmp_path):
        with pytest.raises(nest.BadProperty, match="is not writable"):
            nest.Create("multimeter", params={"record_to": "netcdf", "filename": str(bad)})
    with pytest.raises(nest.BadProperty, match="needs a filename"):
        nest.Create("spike_recorder", params={"record_to": "netcdf"})
    sr = nest.Create("spike_recorder")
    with pytest.raises(nest.BadProperty, match=r"does not exist"):
        sr.set(record_to="netcdf", filename=str(tmp_path / "missing" / "r.nc"))
    assert sr.get("record_to") == "memory"
    sr.set(record_to="netcdf", filename=str(tmp_path / "r.nc"))
    with pytest.raises(nest.BadProperty, match="already used by spike_recorder"):
        nest.Create("multimeter", params={"record_to": "netcdf", "filename": str(tmp_path / "r.nc")})


def test_streaming_recorder_keeps_its_file_settings(tmp_path):
    """record_to and filename cannot change after the first Simulate; n_events cannot be reset."""
    _, sr = small_network(sr_params={"record_to": "netcdf", "filename": str(tmp_path / "sr.nc")}, sims=[5.0])
    with pytest.raises(nest.BadProperty, match="cannot change after the first Simulate"):
        sr.set(filename=str(tmp_path / "other.nc"))
    with pytest.raises(nest.BadProperty, match="n_events cannot be reset for record_to='netcdf'"):
        sr.n_events = 0


def test_streaming_spike_recorder_refuses_new_sources(tmp_path):
    """The senders of a streamed spike file are fixed by the first Simulate; a new source is refused."""
    _, sr = small_network(sr_params={"record_to": "netcdf", "filename": str(tmp_path / "sr.nc")}, sims=[5.0])
    extra = nest.Create("parrot_neuron")
    nest.Connect(extra, sr)
    with pytest.raises(nest.KernelException, match="connect all sources before the first Simulate"):
        nest.Simulate(5.0)


def test_interrupted_first_run_keeps_the_samples_up_to_the_stop(tmp_path, small_stream_buffer, monkeypatch):
    """An interrupted first streaming run replaces an older file by one complete up to the stop, no temporary file."""
    target = tmp_path / "mm.nc"
    target.write_text("older results")
    nest.overwrite_files = True
    calls = []

    def interrupting_append(self, columns, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return original(self, columns, **kwargs)

    original = NetCDFStream.append
    monkeypatch.setattr(NetCDFStream, "append", interrupting_append)
    with pytest.raises(KeyboardInterrupt):
        small_network(mm_params={"interval": 0.1, "record_to": "netcdf", "filename": str(target)}, sims=[40.0])
    stopped = nest.biological_time
    assert 0 < stopped < 40.0
    with xr.open_dataset(target) as ds:
        times = ds["time"].values
        assert not np.isnan(ds["V_m"].values).any()
    assert np.allclose(times, np.arange(1, len(times) + 1) * 0.1) and times[-1] <= stopped
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("sims", [[40.0], [10.0, 30.0]], ids=["first call", "later call"])
def test_failed_write_names_the_file_and_stops_the_kernel(tmp_path, small_stream_buffer, monkeypatch, sims):
    """A write error of the netCDF library while streaming is an OSError naming the file; the file is cut back
    to the samples written before (no NaN rows); the kernel refuses to continue."""
    calls = []

    def failing_sync(self):
        calls.append(1)
        if len(calls) == len(sims) * 12:
            self.variables["V_m"][self.dimensions["time"].size:self.dimensions["time"].size + 3] = 0.0
            raise RuntimeError("NetCDF: HDF error")
        return original(self)

    original = netCDF4.Dataset.sync
    monkeypatch.setattr(netCDF4.Dataset, "sync", failing_sync)
    target = tmp_path / "m.nc"
    with pytest.raises(OSError, match=f"{target}.*the file holds the .* entries along 'time' written before"):
        small_network(mm_params={"interval": 0.1, "record_to": "netcdf", "filename": str(target)}, sims=sims)
    with xr.open_dataset(target) as ds:
        times = ds["time"].values
        assert len(times) > 0 and not np.isnan(ds["V_m"].values).any()
        assert np.allclose(times, np.arange(1, len(times) + 1) * 0.1)
    assert leftovers(tmp_path) == []
    with pytest.raises(nest.KernelException, match="cannot continue"):
        nest.Simulate(1.0)


# --- atomic writing ---------------------------------------------------------------------------
@pytest.mark.parametrize("where, error, message", [
    ("missing/rec.nc", FileNotFoundError, "does not exist"),
    ("file.txt/rec.nc", NotADirectoryError, "is a file, not a directory"),
    ("file.txt/deeper/rec.nc", NotADirectoryError, "is a file, not a directory"),
    (".", IsADirectoryError, "is a directory"),
])
def test_unwritable_paths_are_refused_before_anything_is_written(where, error, message, tmp_path):
    """save_recordings names the path and why it cannot be written; nothing is created."""
    (tmp_path / "file.txt").write_text("x")
    small_network(sims=[5.0])
    path = tmp_path / where
    with pytest.raises(error, match=message) as info:
        nest.save_recordings(path)
    assert str(path.absolute()) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can write anywhere")
def test_read_only_directory_is_refused(tmp_path):
    """A directory without write permission is named in the error."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="is not writable"):
            check_writable(folder / "rec.nc")
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("failure", [OSError("No space left on device"), KeyboardInterrupt()])
def test_failed_overwrite_keeps_the_existing_file(failure, tmp_path, monkeypatch):
    """A write that fails halfway (error or interrupt) leaves the old file and no temporary file."""
    small_network(sims=[5.0])
    path = tmp_path / "rec.nc"
    nest.save_recordings(path)
    before = path.read_bytes()

    def half_write(self, target, **kwargs):
        Path(target).write_bytes(b"\x89HDF partial")
        raise failure

    monkeypatch.setattr(xr.DataTree, "to_netcdf", half_write)
    expected = OSError if isinstance(failure, OSError) else KeyboardInterrupt
    with pytest.raises(expected) as info:
        nest.save_recordings(path)
    if expected is OSError:
        assert str(path) in str(info.value) and "No space left" in str(info.value)
    assert path.read_bytes() == before
    assert leftovers(tmp_path) == []


def test_other_write_errors_name_the_path(tmp_path):
    """An attribute netCDF cannot store fails with a note naming the file; nothing is written."""
    ds = xr.Dataset(attrs={"flag": True})
    with pytest.raises(TypeError) as info:
        write_netcdf_atomic(ds, tmp_path / "bad.nc")
    assert any(str(tmp_path / "bad.nc") in note for note in info.value.__notes__)
    assert list(tmp_path.iterdir()) == []


def test_written_file_has_ordinary_permissions(tmp_path):
    """The atomically written file gets the umask's permissions, not the temporary file's 0600."""
    small_network(sims=[5.0])
    umask = os.umask(0)
    os.umask(umask)
    path = nest.save_recordings(tmp_path / "rec.nc")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    with netCDF4.Dataset(path) as nc:
        assert set(nc.groups) == {"multimeter_1", "spike_recorder_1"}


def test_recorder_dataset_from_the_node_collection():
    """``mm.to_dataset()`` on a recorder's NodeCollection gives the recorder's dataset."""
    n = nest.Create("glif_cond", 2)
    mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": ["V_m"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    nest.Simulate(10.0)
    ds = mm.to_dataset()
    assert ds["V_m"].dims == ("time", "sender")
    assert ds["sender"].values.tolist() == [1, 2]
    assert "spike_time" in sr.to_dataset()
    with pytest.raises(nest.BadParameter, match="single recorder"):
        (mm + sr).to_dataset()
