"""step_current_generator: when a glif_cond sees the current (its recorded I), by hand, and errors.

Rule (NEST's): with delay d the target's I at sample time t is the amplitude
in force at t - d (the last amplitude time <= t - d; 0 before the first),
provided origin + start <= t - d < origin + stop; otherwise 0.  amplitude_times
are not shifted by origin.
"""

import numpy as np
import pytest

import eventsim as nest
from device_helpers import current_trace


def expected_current(t, delay, times, values, origin=0.0, start=0.0, stop=np.inf, h=0.1):
    """I at sample times `t` by the rule of the module docstring (all on the grid, compared in steps)."""
    u = np.round((t - delay) / h).astype(np.int64)
    k = np.searchsorted(np.round(np.asarray(times) / h).astype(np.int64), u, side="right") - 1
    amp = np.where(k >= 0, np.asarray(values, dtype=float)[np.maximum(k, 0)], 0.0)
    lo = round((origin + start) / h)
    hi = np.inf if np.isinf(stop) else round((origin + stop) / h)
    return np.where((u >= lo) & (u < hi), amp, 0.0)


def test_step_at_200_ms_with_delay_h():
    """h = 0.05, delay h, amplitude_times [200], start 200, stop 500: I is 0 up to 200.0 and 400 from 200.05
    to 500.0 inclusive, 0 after."""
    t, current = current_trace({"amplitude_times": [200.0], "amplitude_values": [400.0], "start": 200.0,
                                "stop": 500.0}, resolution=0.05, t_sim=600.0)
    on = current != 0
    assert t[on][0] == 200.05
    assert t[on][-1] == 500.0
    assert on.sum() == 6000
    np.testing.assert_array_equal(current[on], 400.0)
    np.testing.assert_array_equal(current[t <= 200.0], 0.0)
    np.testing.assert_array_equal(current[t > 500.0], 0.0)


@pytest.mark.parametrize("delay", [0.1, 0.3, 1.0, 2.5])
def test_several_steps_follow_the_delay(delay):
    """Several amplitude steps reach the neuron exactly `delay` later."""
    times, values = [1.0, 2.5, 4.0], [10.0, -5.0, 3.0]
    t, current = current_trace({"amplitude_times": times, "amplitude_values": values}, delay=delay, t_sim=10.0)
    np.testing.assert_array_equal(current, expected_current(t, delay, times, values))


@pytest.mark.parametrize("origin, start, stop", [(0.0, 1.5, 2.0), (1.0, 0.5, 3.0), (2.0, 0.0, 1.0),
                                                 (0.0, 0.0, 0.5)])
def test_window_with_origin(origin, start, stop):
    """The current flows for source times in [origin + start, origin + stop); amplitude_times are absolute."""
    times, values = [0.5, 1.7, 2.6], [7.0, 9.0, -2.0]
    params = {"amplitude_times": times, "amplitude_values": values, "origin": origin, "start": start,
              "stop": stop}
    t, current = current_trace(params, delay=0.3, t_sim=8.0)
    np.testing.assert_array_equal(current, expected_current(t, 0.3, times, values, origin, start, stop))


def test_current_is_zero_before_the_first_amplitude_time():
    """Before the first amplitude time the generator sends 0 pA."""
    t, current = current_trace({"amplitude_times": [3.0], "amplitude_values": [50.0]}, t_sim=6.0)
    np.testing.assert_array_equal(current[t <= 3.0], 0.0)
    np.testing.assert_array_equal(current[t >= 3.1], 50.0)


def test_two_generators_add_up():
    """Currents of two generators onto one neuron add up, and weights scale them."""
    sc = nest.Create("step_current_generator", 2, params=[{"amplitude_times": [1.0], "amplitude_values": [10.0]},
                                                          {"amplitude_times": [2.0], "amplitude_values": [5.0]}])
    neuron = nest.Create("glif_cond")
    mm = nest.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    nest.Connect(sc, neuron, syn_spec={"weight": np.array([[1.0, -2.0]]), "delay": 0.1})
    nest.Connect(mm, neuron)
    nest.Simulate(4.0)
    t, current = np.asarray(mm.events["times"]), np.asarray(mm.events["I"])
    expected = np.where(t > 1.0 + 1e-9, 10.0, 0.0) + np.where(t > 2.0 + 1e-9, -10.0, 0.0)
    np.testing.assert_array_equal(current, expected)


def test_amplitude_times_read_back_on_the_grid():
    """amplitude_times read back as NEST's grid values; off-grid ones move to the end of their step."""
    sc = nest.Create("step_current_generator", params={"amplitude_times": [1.0004, 1.25, 2.3],
                                                        "amplitude_values": [1.0, 2.0, 3.0],
                                                        "allow_offgrid_times": True})
    assert sc.amplitude_times.tolist() == [1.0, 1.3, 2.3000000000000003]


@pytest.mark.parametrize("params, match", [
    ({"amplitude_times": [1.0, 2.0], "amplitude_values": [1.0]}, "same length"),
    ({"amplitude_times": [2.0, 1.0], "amplitude_values": [1.0, 2.0]}, "strictly increasing"),
    ({"amplitude_times": [1.0, 1.0], "amplitude_values": [1.0, 2.0]}, "strictly increasing"),
    ({"amplitude_times": [0.0], "amplitude_values": [1.0]}, "positive"),
    ({"amplitude_times": [-1.0], "amplitude_values": [1.0]}, "positive"),
    ({"amplitude_times": [1.05], "amplitude_values": [1.0]}, "not a multiple of the resolution"),
    ({"amplitude_times": [1.04, 1.06], "amplitude_values": [1.0, 2.0], "allow_offgrid_times": True},
     "same step"),
    ({"amplitude_times": [1.0], "amplitude_values": ["high"]}, "list of numbers"),
    ({"amplitude_times": 1.0, "amplitude_values": [1.0]}, "list of numbers"),
    ({"stop": 1.0, "start": 2.0}, "stop"),
])
def test_illegal_parameters(params, match):
    """Illegal step_current_generator parameters raise BadProperty naming the problem."""
    with pytest.raises(nest.BadProperty, match=match):
        nest.Create("step_current_generator", params=params)


def test_cannot_drive_a_parrot_or_a_recorder():
    """Currents go to neurons with a current port only: parrots and spike_recorders refuse them."""
    sc = nest.Create("step_current_generator")
    with pytest.raises(nest.IllegalConnection, match="current"):
        nest.Connect(sc, nest.Create("parrot_neuron"))
    with pytest.raises(nest.IllegalConnection, match="spike_recorder"):
        nest.Connect(sc, nest.Create("spike_recorder"))


def test_current_needs_receptor_0():
    """A current into a glif_cond on a spike receptor is an UnknownReceptorType."""
    sc, neuron = nest.Create("step_current_generator"), nest.Create("glif_cond")
    with pytest.raises(nest.UnknownReceptorType, match="receptor_type 1"):
        nest.Connect(sc, neuron, syn_spec={"receptor_type": 1})
