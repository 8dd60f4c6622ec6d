"""Recorders against NEST 3.10: sample and spike times, senders and their order, exactly.

NEST runs :mod:`recorder_cases` in a subprocess (skipped when ``nest`` is
not importable); eventsim runs the same code in the test process.
"""

import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim
import recorder_cases


@pytest.fixture(scope="module")
def nest_results():
    """Every case of recorder_cases run by NEST (dict from case name to results)."""
    return run_under_nest(recorder_cases)


@pytest.mark.parametrize("case", list(recorder_cases.CASES))
def test_multimeter_events_equal_nest(case, nest_results):
    """After every Simulate call: the same senders and times (bit for bit), in the same order, as NEST."""
    ours = recorder_cases.run(eventsim, case)["multimeter"]
    theirs = nest_results[case]["multimeter"]
    assert len(ours) == len(theirs)
    for call, (a, b) in enumerate(zip(ours, theirs)):
        assert a["times"] == b["times"], f"times differ after Simulate call {call}"
        assert a["senders"] == b["senders"], f"senders differ after Simulate call {call}"
        assert a["I"] == b["I"]


@pytest.mark.parametrize("case", list(recorder_cases.CASES))
def test_spike_recorder_events_equal_nest(case, nest_results):
    """After every Simulate call: the same spikes (sender, time) in the same order as NEST."""
    ours = recorder_cases.run(eventsim, case)["spikes"]
    theirs = nest_results[case]["spikes"]
    for call, (a, b) in enumerate(zip(ours, theirs)):
        assert (a["senders"], a["times"]) == (b["senders"], b["times"]), f"spikes differ after call {call}"
