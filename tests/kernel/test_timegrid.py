"""The ms <-> steps conversions follow NEST's clock of 1 us tics (properties over many steps)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsim.timegrid import (delay_to_steps, grid_ms, is_on_grid, ms_to_steps, offgrid_to_steps, steps_to_ms,
                               tics_per_step)

RESOLUTIONS = [0.1, 0.05, 0.025, 0.2, 0.3, 1.0, 0.001]


@settings(max_examples=200, deadline=None)
@given(steps=st.integers(min_value=0, max_value=10 ** 9), h=st.sampled_from(RESOLUTIONS))
def test_steps_round_trip(steps, h):
    """Every step printed in ms is on the grid and converts back to the same step (also as a delay)."""
    t = float(steps_to_ms(steps, h))
    assert t == steps * tics_per_step(h) * 0.001
    assert is_on_grid(t, h)
    assert ms_to_steps(t, h) == steps
    assert offgrid_to_steps(t, h) == steps
    if steps > 0:
        assert delay_to_steps(steps * h, h) == steps


@settings(max_examples=200, deadline=None)
@given(steps=st.integers(min_value=0, max_value=10 ** 6), frac=st.floats(min_value=0.05, max_value=0.95),
       h=st.sampled_from([0.1, 0.05, 0.2, 1.0]))
def test_offgrid_times_go_to_the_end_of_their_step(steps, frac, h):
    """A time inside a step (at least 2.5 tics from its ends) is off the grid and moves to the end of the step."""
    t = (steps + frac) * h
    assert not is_on_grid(t, h)
    assert offgrid_to_steps(t, h) == steps + 1
    with pytest.raises(ValueError, match="not a multiple of the resolution"):
        ms_to_steps(t, h)


def test_half_tic_tolerance():
    """Within half a tic (0.5 us) of a step a time counts as on the grid, as NEST's Time::ms."""
    assert ms_to_steps(1.0004, 0.1) == 10
    assert ms_to_steps(0.9996, 0.1) == 10
    assert not is_on_grid(1.0006, 0.1)
    assert grid_ms(1.0004, 0.1) == 1.0
    assert grid_ms(2.3, 0.1) == 2.3000000000000003


def test_delays_round_half_up():
    """Delays round to the nearest step with halves up, as NEST's delay_ms_to_steps."""
    np.testing.assert_array_equal(delay_to_steps([0.04, 0.05, 0.15, 0.25, 1.15, 2.35], 0.1), [0, 1, 2, 3, 12, 24])


def test_resolution_not_in_whole_tics_falls_back_to_plain_arithmetic():
    """A resolution that is not a whole number of tics (NEST refuses those) still converts consistently."""
    h = 0.0001
    assert tics_per_step(h) is None
    assert ms_to_steps(0.5, h) == 5000
    assert float(steps_to_ms(5000, h)) == pytest.approx(0.5, rel=1e-15)
    assert not is_on_grid(0.00015, h)
