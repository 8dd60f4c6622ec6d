"""Progress reports of Simulate: Brian2-style callables, text lines, and silence off a terminal."""

import pytest

import eventsim as nest


def small_network():
    """A generator driving parrots, so that Simulate has populations to advance."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 5.0]})
    p = nest.Create("parrot_neuron", 2)
    nest.Connect(sg, p)


def test_callable_gets_brian2_arguments_and_reaches_one():
    """report(elapsed, completed, start, duration): completed rises to 1.0; start and duration in ms."""
    calls = []
    nest.report = lambda *args: calls.append(args)
    nest.get_kernel().report_period = 0.0  # report at every tick
    small_network()
    nest.Simulate(10.0)
    assert len(calls) > 2
    elapsed, completed, start, duration = zip(*calls)
    assert completed[-1] == 1.0
    assert all(0.0 <= c <= 1.0 for c in completed)
    assert list(completed) == sorted(completed)
    assert list(elapsed) == sorted(elapsed) and elapsed[0] >= 0.0
    assert set(start) == {0.0} and set(duration) == {10.0}
    calls.clear()
    nest.Simulate(5.0)
    assert calls[-1][1:] == (1.0, 10.0, 5.0)
    assert all(c[2:] == (10.0, 5.0) for c in calls)


def test_callable_is_called_at_the_end_even_without_populations():
    """With the default period the callable gets at least the final report (completed 1.0)."""
    calls = []
    nest.report = lambda *args: calls.append(args)
    nest.Simulate(3.0)
    assert [c[1:] for c in calls][-1] == (1.0, 0.0, 3.0)


def test_text_prints_to_stdout(capsys):
    """report = "text" prints progress lines to stdout ending at 100 %."""
    nest.report = "text"
    small_network()
    nest.Simulate(10.0)
    out, err = capsys.readouterr()
    assert out.strip().splitlines()[-1].startswith("10.0 ms (100 %) simulated in")
    assert err == ""


def test_stderr_prints_to_stderr(capsys):
    """report = "stderr" prints the same lines to stderr."""
    nest.report = "stderr"
    nest.Simulate(2.0)
    out, err = capsys.readouterr()
    assert out == "" and "(100 %) simulated" in err


def test_default_is_silent_off_a_terminal(capsys):
    """Without report, Simulate prints nothing when stderr is not a terminal."""
    assert nest.report is None
    small_network()
    nest.Simulate(10.0)
    assert capsys.readouterr() == ("", "")


def test_report_resets_with_the_kernel():
    """ResetKernel forgets the report setting."""
    nest.report = "text"
    nest.ResetKernel()
    assert nest.report is None


@pytest.mark.parametrize("value", ["verbose", 3, ["text"]])
def test_illegal_report(value):
    """report must be None, a callable, "bar", "text" or "stderr"."""
    with pytest.raises(nest.BadParameter, match="eventsim.report must be"):
        nest.report = value
