"""Interrupted Simulate calls: the kernel stops at a consistent time and continues with nothing lost."""

import os
import signal

import numpy as np
import pytest

import eventsim as nest
import eventsim.recorders.base
from fault_network import assert_same_recording, build, interrupt_at, read_file, reference, samples, spikes
import eventsim.nodes.glif_cond


@pytest.fixture(params=["memory", "netcdf"])
def storage(request, tmp_path, monkeypatch):
    """Recorders in memory, or streaming to files in tmp_path with a small buffer (many appends per run)."""
    if request.param == "memory":
        return None
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 2000)
    return tmp_path


@pytest.mark.parametrize("before", [0.0, 10.0])
@pytest.mark.parametrize("exc", [KeyboardInterrupt, ValueError])
def test_interrupted_run_continues_with_nothing_lost(storage, exc, before):
    """Interrupt a call half way (the first one, or one after a completed call); the stop time, the populations
    and the recorders agree, and the recording equals an uninterrupted run of the same pieces, every sample
    and spike exactly once."""
    mm, sr = build(storage)
    if before:
        nest.Simulate(before)
    nest.report = interrupt_at(0.5, exc)
    nest.get_kernel().report_period = 0.0
    with pytest.raises(exc, match="stop here") as info:
        nest.Simulate(60.0)
    stopped = nest.GetKernelStatus("biological_time")
    assert before < stopped < before + 60.0
    times, _ = samples(mm)
    assert mm.n_events == len(times) * 4 and sr.n_events == len(spikes(sr)[0])
    assert any("continues from there" in note for note in info.value.__notes__)
    kernel = nest.get_kernel()
    assert min(p.t for p in kernel.populations if p.element_type != "recorder") == kernel.steps
    if storage is not None:
        (t, _), (st, _) = read_file(storage)      # the file holds what was visible at the stop
        assert t[-1] <= stopped and len(t) == round(stopped // 1.0 * 10) and st.max(initial=0) <= stopped
    got_t, _ = samples(mm)
    assert got_t[-1] <= stopped and spikes(sr)[0].max(initial=0) <= stopped
    nest.report = None
    nest.Simulate(30.0)
    actual = read_file(storage) if storage is not None else (samples(mm), spikes(sr))
    pieces = [before, stopped - before, 30.0] if before else [stopped, 30.0]
    assert_same_recording(actual, reference(pieces))


def test_ctrl_c_is_taken_between_updates():
    """A SIGINT during a run stops it at a consistent time (the signal handler only sets a flag)."""
    mm, sr = build()

    def press_ctrl_c(elapsed, completed, start, duration):
        if completed >= 0.3:
            os.kill(os.getpid(), signal.SIGINT)

    nest.report = press_ctrl_c
    nest.get_kernel().report_period = 0.0
    with pytest.raises(KeyboardInterrupt):
        nest.Simulate(50.0)
    stopped = nest.biological_time
    assert 0.0 < stopped < 50.0
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    nest.report = None
    nest.Simulate(20.0)
    assert_same_recording((samples(mm), spikes(sr)), reference([stopped, 20.0]))


def test_error_inside_an_update_stops_the_kernel(tmp_path, monkeypatch):
    """An exception inside a population's update leaves its state undefined: the kernel refuses to continue,
    and the files are readable, complete up to the stop."""
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 2000)
    build(tmp_path)
    original = eventsim.nodes.glif_cond.GlifCond.advance

    def failing_advance(self, t_from, t_to):
        if t_from >= 300:
            raise FloatingPointError("solver failed")
        return original(self, t_from, t_to)

    monkeypatch.setattr(eventsim.nodes.glif_cond.GlifCond, "advance", failing_advance)
    with pytest.raises(FloatingPointError):
        nest.Simulate(60.0)
    stopped = nest.biological_time
    assert 30.0 <= stopped < 31.0
    with pytest.raises(nest.KernelException, match=f"glif_cond nodes 1..4 from {stopped} ms failed"):
        nest.Simulate(10.0)
    (t, v), (st, _) = read_file(tmp_path)
    assert t[-1] <= stopped and not np.isnan(v).any() and st.max(initial=0) <= stopped
    monkeypatch.setattr(eventsim.nodes.glif_cond.GlifCond, "advance", original)
    ref = reference([stopped])
    np.testing.assert_array_equal(t, ref[0][0][:len(t)])
    np.testing.assert_array_equal(st, ref[1][0])
