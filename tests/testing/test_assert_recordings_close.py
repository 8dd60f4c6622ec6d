"""Tests of eventsim.testing: comparing recordings with reference recordings."""

import re
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsim.testing import assert_recordings_close, compare_recordings, load_recording

#: NEST 3.10's recording of the seed example, in the layout before CF ragged arrays (one flat dataset).
NEST_REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "glif_cond_seed_nest.nc"
SAMPLE_TIMES_MS = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
SENDERS = np.array([3, 7], dtype="int32")


def make_multimeter(v_m_offset_mv=0.0, times_ms=SAMPLE_TIMES_MS):
    """Return a multimeter recording of V_m (mV) and I (pA) for senders 3 and 7."""
    shape = (len(times_ms), SENDERS.size)
    v_m = -70.0 + np.arange(np.prod(shape), dtype=float).reshape(shape) + v_m_offset_mv
    current = np.full(shape, 100.0)
    return xr.Dataset(
        {
            "V_m": (("time", "sender"), v_m, {"units": "mV", "long_name": "membrane potential"}),
            "I": (("time", "sender"), current, {"units": "pA", "long_name": "input current"}),
        },
        coords={
            "time": ("time", np.asarray(times_ms, dtype=float), {"units": "ms"}),
            "sender": ("sender", SENDERS),
            "model": ("sender", ["glif_cond", "glif_cond"]),
        },
    )


def make_spikes(times_ms=(10.0, 20.0, 30.0), senders=(3, 7, 7)):
    """Return a spike recorder recording with the given spike times (ms) and senders."""
    return xr.Dataset(
        {
            "spike_time": ("spike", np.asarray(times_ms, dtype=float), {"units": "ms"}),
            "spike_sender": ("spike", np.asarray(senders, dtype="int32")),
        }
    )


def make_tree(multimeter=None, spikes=None):
    """Return a DataTree with one group per recorder."""
    return xr.DataTree.from_dict(
        {
            "/multimeter": make_multimeter() if multimeter is None else multimeter,
            "/spike_recorder": make_spikes() if spikes is None else spikes,
        }
    )


def with_value(dataset, variable, time_index, sender_index, value):
    """Return a copy of ``dataset`` with one sample of ``variable`` replaced."""
    changed = dataset.copy(deep=True)
    changed[variable][time_index, sender_index] = value
    return changed


@pytest.fixture
def nest_reference():
    """The NEST glif_cond reference recording, held in memory."""
    return load_recording(NEST_REFERENCE)


@pytest.mark.parametrize(
    "recording",
    [make_multimeter(), make_spikes(), make_multimeter().merge(make_spikes()), make_tree()],
    ids=["multimeter", "spikes", "both", "tree"],
)
def test_equal_recordings_pass(recording):
    """A recording matches a deep copy of itself with zero tolerances."""
    assert compare_recordings(recording, recording.copy(deep=True)) == []
    assert_recordings_close(recording, recording.copy(deep=True))


def test_traces_within_tolerance_pass():
    """Trace differences up to atol + rtol * |expected| are accepted."""
    expected = make_multimeter()
    assert_recordings_close(make_multimeter(v_m_offset_mv=0.9e-3), expected, atol=1e-3)
    assert_recordings_close(make_multimeter(v_m_offset_mv=0.5), expected, rtol=0.01)


def test_spikes_within_tolerance_pass():
    """Spikes shifted by no more than spike_time_tol (ms) are accepted."""
    assert_recordings_close(make_spikes((10.05, 19.95, 30.0)), make_spikes(), spike_time_tol=0.05 + 1e-12)


def test_per_variable_tolerances():
    """A tolerance dict applies per variable, with "*" as the default for the others."""
    expected = make_multimeter()
    actual = make_multimeter(v_m_offset_mv=0.5).assign(I=expected["I"] + 2.0)
    assert_recordings_close(actual, expected, atol={"V_m": 0.6, "*": 2.5})
    with pytest.raises(AssertionError, match=r"I \[pA\], sender 3: 5 of 5 samples out of tolerance") as info:
        assert_recordings_close(actual, expected, atol={"V_m": 0.6})
    assert "V_m" not in str(info.value)


def test_nan_matches_nan_but_not_a_number():
    """NaN equals NaN; NaN against a number is a difference."""
    expected = with_value(make_multimeter(), "V_m", 1, 0, np.nan)
    assert_recordings_close(expected.copy(deep=True), expected)
    with pytest.raises(AssertionError, match=r"V_m \[mV\], sender 3: 1 of 5 samples.*actual -68, expected nan"):
        assert_recordings_close(make_multimeter(), expected, atol=1.0)


def test_trace_off_by_more_than_tolerance():
    """The message names variable, sender, first time, largest difference and the count."""
    expected = make_multimeter()
    actual = with_value(with_value(expected, "V_m", 2, 1, -65.0 + 0.002), "V_m", 4, 1, -61.0 + 0.01)
    with pytest.raises(AssertionError) as info:
        assert_recordings_close(actual, expected, atol=1e-3)
    message = str(info.value)
    assert "recordings differ (1 problem)" in message
    assert "V_m [mV], sender 7: 2 of 5 samples out of tolerance (atol=0.001, rtol=0)" in message
    assert "first at t = 0.3 ms (actual -64.998, expected -65)" in message
    assert "largest difference 0.01 mV at t = 0.5 ms (actual -60.99, expected -61)" in message
    assert "sender 3" not in message


def test_shifted_spike_is_reported():
    """A spike moved by more than spike_time_tol is reported as shifted, with both times."""
    actual = make_spikes((10.0, 20.2, 30.0))
    with pytest.raises(
        AssertionError,
        match=re.escape(
            "spikes, sender 7: 1 shifted by more than 0.1 ms (actual 2, expected 2 spikes),"
            " expected -> actual: 20 -> 20.2 ms (+0.2 ms)"
        ),
    ):
        assert_recordings_close(actual, make_spikes(), spike_time_tol=0.1)


def test_missing_spike_is_reported():
    """An expected spike without an actual one is reported as missing, with its time and sender."""
    actual = make_spikes((10.0, 30.0), (3, 7))
    with pytest.raises(
        AssertionError,
        match=re.escape("spikes, sender 7: actual 1, expected 2 spikes; missing (expected, not in actual) at 20 ms"),
    ):
        assert_recordings_close(actual, make_spikes())


def test_extra_spike_is_reported():
    """An actual spike without an expected one is reported as extra, with its time and sender."""
    actual = make_spikes((10.0, 20.0, 25.5, 30.0), (3, 7, 3, 7))
    with pytest.raises(
        AssertionError,
        match=re.escape("spikes, sender 3: actual 2, expected 1 spikes; extra (in actual, not expected) at 25.5 ms"),
    ):
        assert_recordings_close(actual, make_spikes())


def test_spikes_of_an_unexpected_sender_are_extra():
    """Spikes from a sender that the reference never saw fire are all extra."""
    actual = make_spikes((10.0, 20.0, 30.0, 40.0), (3, 7, 7, 9))
    with pytest.raises(AssertionError, match=r"spikes, sender 9: actual 1, expected 0 spikes; extra .* at 40 ms"):
        assert_recordings_close(actual, make_spikes())


def test_different_sample_times_are_reported():
    """Different sample grids are named with counts, ranges and the first differing index."""
    actual = make_multimeter(times_ms=SAMPLE_TIMES_MS[:-1])
    with pytest.raises(
        AssertionError,
        match=re.escape(
            "sample times differ: actual has 4 samples 0.1..0.4 ms, expected 5 samples 0.1..0.5 ms;"
            " first difference at index 4 (actual no sample, expected 0.5 ms)"
        ),
    ):
        assert_recordings_close(actual, make_multimeter())
    shifted = make_multimeter(times_ms=SAMPLE_TIMES_MS + np.array([0, 0, 0.05, 0, 0]))
    first_difference = "first difference at index 2 (actual 0.35 ms, expected 0.3 ms)"
    with pytest.raises(AssertionError, match=re.escape(first_difference)):
        assert_recordings_close(shifted, make_multimeter())


def test_sample_times_within_a_nanosecond_fraction_agree():
    """Sample times that differ by rounding only (well below 1e-9 ms) count as equal."""
    assert_recordings_close(make_multimeter(times_ms=SAMPLE_TIMES_MS + 1e-12), make_multimeter())


def test_different_senders_are_reported():
    """Senders recorded in only one recording are listed; the common ones are still compared."""
    actual = make_multimeter().assign_coords(sender=("sender", np.array([3, 8], dtype="int32")))
    with pytest.raises(AssertionError, match=re.escape("senders differ: missing in actual 7; not expected 8")):
        assert_recordings_close(actual, make_multimeter())


def test_missing_variables_are_reported():
    """Expected trace and spike variables absent from the actual recording are listed by name."""
    expected = make_multimeter().merge(make_spikes())
    actual = make_multimeter().drop_vars("I")
    with pytest.raises(AssertionError, match=re.escape("variables missing in actual: I, spike_time, spike_sender")):
        assert_recordings_close(actual, expected)


def test_extra_variables_in_actual_are_allowed():
    """Variables only the actual recording holds are not compared."""
    actual = make_multimeter().assign(g_1=(("time", "sender"), np.zeros((5, 2)), {"units": "nS"}))
    assert_recordings_close(actual, make_multimeter())


def test_variables_and_ignore_select_what_is_compared():
    """``variables`` restricts the comparison and ``ignore`` removes variables from it."""
    expected = make_multimeter()
    actual = expected.assign(I=expected["I"] + 1.0)
    assert_recordings_close(actual, expected, variables=["V_m"])
    assert_recordings_close(actual, expected, ignore=("I",))
    with pytest.raises(AssertionError, match=r"I \[pA\], sender 7"):
        assert_recordings_close(actual, expected, variables=["I"])


def test_unknown_variable_name_is_an_error():
    """Naming a variable the reference does not hold is a mistake in the test, not a difference."""
    with pytest.raises(ValueError, match="variables not in the expected recording: V_n"):
        compare_recordings(make_multimeter(), make_multimeter(), variables=["V_n"])


def test_negative_tolerance_is_an_error():
    """Negative tolerances are rejected with the offending value."""
    with pytest.raises(ValueError, match=r"atol must not be negative, got \{'V_m': -1.0\}"):
        compare_recordings(make_multimeter(), make_multimeter(), atol={"V_m": -1.0})


def test_datatree_group_mismatch_is_reported():
    """Trees with different group names are reported with both group lists."""
    expected = make_tree()
    actual = xr.DataTree.from_dict({"/multimeter": make_multimeter(), "/spikes": make_spikes()})
    with pytest.raises(
        AssertionError,
        match=re.escape(
            "groups differ: actual has /multimeter, /spikes, expected has /multimeter, /spike_recorder"
            " (missing in actual: /spike_recorder; not expected: /spikes)"
        ),
    ):
        assert_recordings_close(actual, expected)


def test_datatree_differences_name_the_group():
    """Each problem inside a tree names its group."""
    actual = make_tree(spikes=make_spikes((10.0, 30.0), (3, 7)))
    with pytest.raises(AssertionError, match=re.escape("group '/spike_recorder': spikes, sender 7")):
        assert_recordings_close(actual, make_tree())


def test_dataset_against_tree_is_a_group_mismatch():
    """A plain Dataset does not match a tree of recorder groups."""
    with pytest.raises(AssertionError, match="groups differ: actual has /, expected has /multimeter"):
        assert_recordings_close(make_multimeter(), make_tree())


@pytest.mark.parametrize("recording", [make_multimeter().merge(make_spikes()), make_tree()], ids=["dataset", "tree"])
def test_path_inputs_round_trip(tmp_path, recording):
    """Recordings written to netCDF compare by path, as Dataset or as tree with groups."""
    path = tmp_path / "recording.nc"
    recording.to_netcdf(path, engine="netcdf4")
    assert type(load_recording(path)) is type(recording)
    assert_recordings_close(path, recording)
    assert_recordings_close(recording, str(path))
    shifted = make_multimeter(v_m_offset_mv=1.0)
    changed = shifted.merge(make_spikes()) if isinstance(recording, xr.Dataset) else make_tree(multimeter=shifted)
    with pytest.raises(AssertionError, match=r"V_m \[mV\], sender 3: 5 of 5 samples"):
        assert_recordings_close(changed, path)


def test_long_problem_lists_are_truncated():
    """Long lists of spike times and of problems end with '... and N more'."""
    expected = make_spikes(np.arange(1.0, 41.0), np.repeat([3, 7], 20))
    actual = make_spikes((), ())
    with pytest.raises(AssertionError, match=r"at 1, 2, 3, 4, 5, \.\.\. and 15 more ms"):
        assert_recordings_close(actual, expected)

    senders = np.arange(1, 51, dtype="int32")
    many = make_spikes(np.full(50, 5.0), senders)
    with pytest.raises(AssertionError, match=r"recordings differ \(50 problems\)(.|\n)*\.\.\. and 20 more problems"):
        assert_recordings_close(make_spikes((), ()), many)


@settings(max_examples=50, deadline=None)
@given(
    offsets=st.lists(st.floats(-1.0, 1.0), min_size=10, max_size=10),
    atol=st.floats(1e-6, 1.0),
)
def test_tolerance_boundary(offsets, atol):
    """Samples pass exactly when |actual - expected| <= atol, and the count of failures is right."""
    expected = make_multimeter()
    actual = expected.assign(V_m=expected["V_m"] + np.reshape(offsets, (5, 2)))
    difference = np.abs(actual["V_m"].values - expected["V_m"].values)
    problems = compare_recordings(actual, expected, atol=atol)
    for position, sender in enumerate(SENDERS):
        failing = int(np.sum(difference[:, position] > atol))
        matching = [problem for problem in problems if f"sender {sender}:" in problem]
        if failing:
            assert matching and matching[0].split(": ", 1)[1].startswith(f"{failing} of 5 samples")
        else:
            assert not matching


def test_nest_reference_matches_itself(nest_reference):
    """The NEST reference file equals itself, compared by path and in memory."""
    assert compare_recordings(NEST_REFERENCE, NEST_REFERENCE) == []
    assert_recordings_close(nest_reference.copy(deep=True), NEST_REFERENCE)


def test_perturbed_nest_reference_names_sender_and_time(nest_reference):
    """One V_m sample off by 0.01 mV fails with atol 1e-3 mV and is located exactly."""
    time_index, sender_index = 4000, 3
    sample_time = float(nest_reference["time"][time_index])
    sender = int(nest_reference["sender"][sender_index])
    original = float(nest_reference["V_m"][time_index, sender_index])
    perturbed = with_value(nest_reference, "V_m", time_index, sender_index, original + 0.01)
    with pytest.raises(AssertionError) as info:
        assert_recordings_close(perturbed, nest_reference, atol=1e-3)
    message = str(info.value)
    assert "recordings differ (1 problem)" in message
    assert f"V_m [mV], sender {sender}: 1 of {nest_reference.sizes['time']} samples out of tolerance" in message
    assert f"first at t = {sample_time:.10g} ms (actual {original + 0.01:.10g}, expected {original:.10g})" in message


def test_nest_reference_variables_can_be_ignored(nest_reference):
    """The relayed Poisson input is compared when present in both, and can be ignored."""
    relayed = nest_reference["relayed_input_time"].values.copy()
    relayed[0] += 1.0
    actual = nest_reference.assign(relayed_input_time=("input_spike", relayed))
    with pytest.raises(AssertionError, match=r"relayed_input_time \[ms\]: 1 of \d+ samples.*input_spike = 0"):
        assert_recordings_close(actual, nest_reference)
    assert_recordings_close(actual, nest_reference, ignore=["relayed_input_time"])
    assert_recordings_close(nest_reference.drop_vars("relayed_input_time"), nest_reference)


# --- old and new spike layouts --------------------------------------------------


def make_ragged_spikes(times_ms=(10.0, 20.0, 30.0), senders=(3, 7, 7), sources=(3, 5, 7)):
    """Return spikes in the CF indexed ragged-array layout that the recorders write now."""
    from eventsim.recording import spike_dataset

    return spike_dataset(times_ms, senders, sources, attrs={"Conventions": "CF-1.8"})


def test_new_spike_layout_compares_with_the_old_one():
    """Spikes with spike_sender_index match the same spikes without it, both ways round."""
    assert compare_recordings(make_ragged_spikes(), make_spikes()) == []
    assert compare_recordings(make_spikes(), make_ragged_spikes()) == []


def test_new_spike_layout_differences_are_found_against_the_old_one():
    """A shifted spike of sender 7 is reported with its global id, not its index."""
    problems = compare_recordings(make_ragged_spikes(times_ms=(10.0, 20.0, 31.0)), make_spikes())
    assert len(problems) == 1 and problems[0].startswith("spikes, sender 7: 1 shifted")


def test_spike_senders_are_decoded_from_the_index_alone():
    """A file that holds only the ragged-array index is compared by global id."""
    index_only = make_ragged_spikes(times_ms=(10.0, 21.0, 30.0)).drop_vars("spike_sender")
    problems = compare_recordings(index_only, make_spikes())
    assert len(problems) == 1 and problems[0].startswith("spikes, sender 7:")
    assert compare_recordings(make_ragged_spikes().drop_vars("spike_sender"), make_spikes()) == []


def test_recorder_file_compares_with_the_nest_reference_layout(tmp_path):
    """A saved recording of the new layout compares with an old-layout file of the same data."""
    new = make_tree(spikes=make_ragged_spikes())
    old_path = tmp_path / "old.nc"
    make_tree().to_netcdf(old_path)
    new_path = tmp_path / "new.nc"
    new.to_netcdf(new_path)
    assert compare_recordings(new_path, old_path) == []
    assert compare_recordings(old_path, new_path) == []
