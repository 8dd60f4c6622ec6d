"""Every file we write passes the CF checker (cfchecks, CF-1.8) for the root and every group."""

import netCDF4
import numpy as np

import eventsim as nest
from cf_check import cf_problems
from recorder_helpers import ALL_GLIF_RECORDABLES, recorder_of, small_network


def test_saved_recordings_are_cf_compliant(tmp_path):
    """save_recordings: root with Conventions, a multimeter and a spike recorder group, a str coordinate."""
    small_network(mm_params={"record_from": ALL_GLIF_RECORDABLES}, sims=[20.0, 30.5])
    tree = nest.recordings()
    tree["multimeter_1"] = tree["multimeter_1"].to_dataset().assign_coords(
        level=("sender", ["a", "bb", "ccc"], {"long_name": "label of the neuron"}))
    path = nest.save_recordings(tmp_path / "rec.nc", tree)
    assert cf_problems(path, tmp_path) == {}
    with netCDF4.Dataset(path) as nc:
        assert nc.Conventions == "CF-1.8"
        assert set(nc.groups) == {"multimeter_1", "spike_recorder_1"}
        assert nc["multimeter_1"]["model"].dtype == "S1" and nc["multimeter_1"]["level"].dtype == "S1"


def test_streamed_files_are_cf_compliant(tmp_path, small_stream_buffer):
    """record_to='netcdf' files of both recorders, appended in many chunks over several Simulate calls."""
    small_network(mm_params={"record_to": "netcdf", "filename": str(tmp_path / "mm.nc")},
                  sr_params={"record_to": "netcdf", "filename": str(tmp_path / "sr.nc")}, sims=[20.0, 40.0])
    for name in ("mm.nc", "sr.nc"):
        assert cf_problems(tmp_path / name, tmp_path) == {}, name


def test_empty_recordings_are_cf_compliant(tmp_path):
    """A spike recorder without spikes and one without sources still write valid files."""
    nest.Create("spike_recorder", params={"label": "unconnected"})
    n = nest.Create("glif_cond")
    sr = nest.Create("spike_recorder", params={"label": "silent"})
    nest.Connect(n, sr)
    nest.Simulate(5.0)
    path = nest.save_recordings(tmp_path / "empty.nc")
    assert cf_problems(path, tmp_path) == {}


def test_streamed_spikes_are_an_indexed_ragged_array(tmp_path, small_stream_buffer):
    """The file holds spike_sender_index with instance_dimension 'sender' along the unlimited spike
    dimension, in time order; sender[index] gives each spike's global id."""
    _, sr = small_network(sr_params={"record_to": "netcdf", "filename": str(tmp_path / "sr.nc")},
                          sims=[20.0, 40.0])
    with netCDF4.Dataset(tmp_path / "sr.nc") as nc:
        assert nc.dimensions["spike"].isunlimited()
        index = nc["spike_sender_index"]
        assert index.instance_dimension == "sender" and index.dimensions == ("spike",)
        senders = nc["sender"][:][index[:]]
        times = nc["spike_time"][:]
        assert len(times) > 10
        assert np.all(np.diff(times) >= 0)
        np.testing.assert_array_equal(senders, nc["spike_sender"][:])
        np.testing.assert_array_equal(np.bincount(index[:], minlength=3), nc["spike_count"][:])
    events = recorder_of(sr).events
    assert sorted(zip(times.tolist(), senders.tolist())) == sorted(zip(events["times"].tolist(),
                                                                     events["senders"].tolist()))


def test_cf_check_catches_a_netcdf4_string_variable(tmp_path):
    """The check can fail: a variable of netCDF-4 type string is an error in CF-1.8."""
    small_network()
    tree = nest.recordings()
    tree["multimeter_1"] = tree["multimeter_1"].to_dataset().assign_coords(level=("sender", ["a", "b", "c"]))
    path = tmp_path / "bad.nc"
    tree.to_netcdf(path, engine="netcdf4")          # level as a netCDF-4 string: no char encoding
    problems = cf_problems(path, tmp_path)
    assert any("(2.2)" in message for message in problems.get("/multimeter_1", [])), problems
