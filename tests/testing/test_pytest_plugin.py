"""Tests of eventsim.pytest_plugin: the reference_recording fixture and --update-references."""

import importlib.metadata
import os
import sys

import numpy as np
import pytest
import xarray as xr

from eventsim.pytest_plugin import write_reference
from eventsim.testing import assert_recordings_close

RECORDING_TEST = """
import numpy as np
import xarray as xr

V_REST_MV = {v_rest_mv}


def recording():
    times = np.array([0.1, 0.2, 0.3])
    v_m = np.column_stack([np.full(3, V_REST_MV), np.linspace(V_REST_MV, V_REST_MV + 2.0, 3)])
    return xr.Dataset(
        {{
            "V_m": (("time", "sender"), v_m, {{"units": "mV"}}),
            "spike_time": ("spike", [0.25]),
            "spike_sender": ("spike", np.array([2], dtype="int32")),
        }},
        coords={{"time": ("time", times, {{"units": "ms"}}), "sender": ("sender", np.array([1, 2], dtype="int32"))}},
        attrs={{"precise_times": False}},
    )


def test_rest(reference_recording):
    reference_recording(recording(), atol=1e-9)
"""


@pytest.fixture
def plugin_option():
    """Arguments that load the plugin: none if its entry point loads it, else ``-p``.

    Passing ``-p`` as well as loading the entry point would register the
    plugin twice, which pytest refuses.
    """
    installed = importlib.metadata.entry_points(group="pytest11", name="eventsim")
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return () if installed and autoload else ("-p", "eventsim.pytest_plugin")


@pytest.fixture(autouse=True)
def no_bytecode(monkeypatch):
    """Keep pytester from reusing a cached module after a test file is rewritten."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)


def test_update_then_compare_then_detect_a_change(pytester, plugin_option):
    """--update-references writes the file; later runs pass, and fail once the model changes."""
    pytester.makepyfile(test_model=RECORDING_TEST.format(v_rest_mv=-70.0))
    reference = pytester.path / "references" / "test_model" / "test_rest.nc"

    written = pytester.runpytest(*plugin_option, "--update-references")
    written.assert_outcomes(passed=1)
    written.stdout.fnmatch_lines([f"reference written: {reference}"])
    assert reference.exists()
    assert [path.name for path in reference.parent.iterdir()] == ["test_rest.nc"]

    pytester.runpytest(*plugin_option).assert_outcomes(passed=1)

    pytester.makepyfile(test_model=RECORDING_TEST.format(v_rest_mv=-69.5))
    changed = pytester.runpytest(*plugin_option)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(
        ["*V_m [[]mV[]], sender 1: 3 of 3 samples out of tolerance*first at t = 0.1 ms (actual -69.5, expected -70)*"]
    )
    changed.stdout.no_fnmatch_line("*reference written*")


def test_missing_reference_tells_how_to_create_it(pytester, plugin_option):
    """Without a reference file the test fails and names --update-references."""
    pytester.makepyfile(test_model=RECORDING_TEST.format(v_rest_mv=-70.0))
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no reference recording at *test_rest.nc; run pytest with --update-references*"])


def test_parametrized_names_and_name_override(pytester, plugin_option):
    """Parameters become part of the file name; name= replaces the test name."""
    pytester.makepyfile(
        test_names="""
        import pytest
        import xarray as xr

        @pytest.mark.parametrize("model", ["glif_cond", "iaf psc/alpha"])
        def test_model(reference_recording, model):
            reference_recording(xr.Dataset({"spike_time": ("spike", [1.0])}))
            reference_recording(xr.Dataset({"spike_time": ("spike", [2.0])}), name="second")

        class TestGroup:
            def test_method(self, reference_recording):
                reference_recording(xr.Dataset({"spike_time": ("spike", [3.0])}))
        """
    )
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=3)
    references = pytester.path / "references" / "test_names"
    assert sorted(path.name for path in references.iterdir()) == [
        "TestGroup.test_method.nc",
        "second.nc",
        "test_model[glif_cond].nc",
        "test_model[iaf%20psc%2Falpha].nc",
    ]
    pytester.runpytest(*plugin_option).assert_outcomes(passed=3)


def test_ids_that_differ_only_in_awkward_characters_get_distinct_files(pytester, plugin_option):
    """Parameter ids a/b, a b, a_b, a%2Fb and a:b are five tests with five reference files, each checked
    against its own recording."""
    ids = ["a/b", "a b", "a_b", "a%2Fb", "a:b"]
    pytester.makepyfile(
        test_ids=f"""
        import pytest
        import xarray as xr

        IDS = {ids!r}
        VALUE = {{"a/b": 1.0, "a b": 2.0, "a_b": 3.0, "a%2Fb": 4.0, "a:b": 5.0}}

        @pytest.mark.parametrize("key", IDS, ids=IDS)
        def test_id(reference_recording, key):
            reference_recording(xr.Dataset({{"spike_time": ("spike", [VALUE[key]])}}))
        """
    )
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=5)
    files = sorted(path.name for path in (pytester.path / "references" / "test_ids").iterdir())
    assert len(files) == 5, files
    pytester.runpytest(*plugin_option).assert_outcomes(passed=5)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "values overwritten"])
def test_a_damaged_reference_is_reported_as_unreadable(pytester, plugin_option, damage):
    """A truncated file, 4 kB of garbage, or changed values are reported as a damaged reference with the hint
    to write it again, never as a difference of the model."""
    pytester.makepyfile(test_model=RECORDING_TEST.format(v_rest_mv=-70.0))
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    reference = pytester.path / "references" / "test_model" / "test_rest.nc"
    data = bytearray(reference.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage":
        data = bytearray(np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    else:
        marker = np.float64(-70.0).tobytes()
        at = bytes(data).find(marker)
        assert at > 0
        data[at:at + 8] = np.float64(4.6e306).tobytes()
    reference.write_bytes(bytes(data))
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the reference *test_rest.nc is * run pytest with --update-references to write "
                                 "it again*"])
    assert "4.6e+306" not in result.stdout.str() and "differ" not in result.stdout.str()


def test_same_reference_twice_in_one_test_fails(pytester, plugin_option):
    """Two calls without distinct names would overwrite each other, so the second one fails."""
    pytester.makepyfile(
        test_twice="""
        import xarray as xr

        def test_twice(reference_recording):
            reference_recording(xr.Dataset({"spike_time": ("spike", [1.0])}))
            reference_recording(xr.Dataset({"spike_time": ("spike", [2.0])}))
        """
    )
    result = pytester.runpytest(*plugin_option, "--update-references")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*already used the reference*test_twice.nc; pass a different name= to each call*"])


def test_write_reference_round_trips_a_tree_with_boolean_attributes(tmp_path):
    """Trees are written with their groups, and boolean attributes become integers."""
    multimeter = xr.Dataset(
        {"V_m": (("time", "sender"), np.zeros((2, 1)), {"units": "mV", "clamped": True})},
        coords={"time": ("time", [0.1, 0.2], {"units": "ms"}), "sender": ("sender", np.array([1], "int32"))},
    )
    tree = xr.DataTree.from_dict(
        {"/": xr.Dataset(attrs={"precise_times": np.bool_(False)}), "/multimeter": multimeter}
    )
    path = write_reference(tree, tmp_path / "deep" / "run.nc")

    with xr.open_datatree(path, engine="netcdf4") as stored:
        assert stored.attrs["precise_times"] == 0
        assert stored["multimeter"]["V_m"].attrs["clamped"] == 1
    assert tree["multimeter"]["V_m"].attrs["clamped"] is True
    assert_recordings_close(path, tree)
    assert os.listdir(path.parent) == ["run.nc"]


def test_failed_write_keeps_the_old_reference(tmp_path):
    """A recording netCDF cannot store leaves the previous file and no temporary file behind."""
    path = write_reference(xr.Dataset({"spike_time": ("spike", [1.0])}), tmp_path / "run.nc")
    unstorable = xr.Dataset({"spike_time": ("spike", [2.0])}, attrs={"comment": None})
    with pytest.raises(TypeError):
        write_reference(unstorable, path)
    assert os.listdir(tmp_path) == ["run.nc"]
    assert_recordings_close(path, xr.Dataset({"spike_time": ("spike", [1.0])}))
