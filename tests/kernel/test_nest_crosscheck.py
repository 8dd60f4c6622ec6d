"""Devices, connection rules and kernel properties against NEST 3.10, live.

NEST runs every scenario of :mod:`nest_scenarios` once, in a subprocess (NEST
holds global state and prints a banner on import); eventsim runs the same
PyNEST code in the test process.  Spike and sample times are compared bit for
bit: both simulators put them on the same grid and print them as NEST does.
Skipped when NEST is not installed.
"""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim
import nest_scenarios

SCRIPT = Path(nest_scenarios.__file__)


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    return run_under_nest(nest_scenarios, timeout=300)


def ours(name):
    """Result of scenario `name` run by eventsim, through JSON like NEST's."""
    return json.loads(json.dumps(nest_scenarios.SCENARIOS[name](eventsim)))


@pytest.mark.parametrize("case", range(len(nest_scenarios.SG_CASES)))
def test_spike_generator_parrot_times_equal_nest(case, nest_results):
    """spike_generator -> parrots -> spike_recorder: NEST's senders and times, in NEST's order."""
    got = ours("spike_generator_parrot")[case]
    ref = nest_results["spike_generator_parrot"][case]
    assert got["senders"] == ref["senders"]
    assert got["times"] == ref["times"]


def test_spike_generator_into_recorder_equal_nest(nest_results):
    """spike_generators straight into a windowed spike_recorder: NEST's events, multiplicities repeated."""
    assert ours("spike_generator_recorder") == nest_results["spike_generator_recorder"]


def test_spike_times_set_between_simulate_calls_equal_nest(nest_results):
    """spike_times and origin changed between Simulate calls: NEST's spikes (times in the past are skipped)."""
    assert ours("spike_times_after_simulate") == nest_results["spike_times_after_simulate"]


def test_recorder_window_and_clear_equal_nest(nest_results):
    """spike_recorder windows with origin, and n_events = 0 between calls, record NEST's events."""
    assert ours("recorder_window") == nest_results["recorder_window"]


def test_spike_weights_conductance_equal_nest(nest_results):
    """spike_weights x multiplicity x connection weight give NEST's conductance g_1 (alpha peak = weight)."""
    got, ref = ours("spike_weights"), nest_results["spike_weights"]
    assert got["times"] == ref["times"]
    # NEST integrates g with an adaptive ODE solver (error ~1e-9); eventsim evaluates the alpha function exactly
    np.testing.assert_allclose(got["g_1"], ref["g_1"], rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("case", range(len(nest_scenarios.SC_CASES)))
def test_step_current_timing_equal_nest(case, nest_results):
    """The recorded I of a glif_cond under a step_current_generator switches at NEST's sample times."""
    got = ours("step_current")[case]
    ref = nest_results["step_current"][case]
    assert got["n"] == ref["n"]
    assert got["on_times"] == ref["on_times"]
    assert got["on_values"] == ref["on_values"]


@pytest.mark.parametrize("case", range(len(nest_scenarios.PG_CASES)))
def test_poisson_window_equal_nest(case, nest_results):
    """A 1 MHz poisson_generator fires first and last at NEST's times: active stamps (start + h, stop + h]."""
    got = ours("poisson_window")[case]
    ref = nest_results["poisson_window"][case]
    assert got == ref


def test_parrot_receptor_1_is_not_repeated_like_nest(nest_results):
    """Spikes to a parrot's receptor 1 are accepted and not repeated, as in NEST."""
    assert ours("parrot_port1") == nest_results["parrot_port1"]


def test_simulate_in_pieces_equal_nest(nest_results):
    """Parrot chains simulated in seven 1 ms pieces give NEST's spikes."""
    assert ours("pieces") == nest_results["pieces"]


def test_deterministic_rules_equal_nest(nest_results):
    """all_to_all, one_to_one and pairwise_bernoulli with p in {0, 1}: NEST's (source, target) pairs exactly."""
    assert ours("deterministic_rules") == nest_results["deterministic_rules"]


def test_random_rules_structure_equal_nest(nest_results):
    """fixed_indegree/outdegree/total_number: NEST's degrees, counts and autapse/multapse absence."""
    assert ours("random_rules") == nest_results["random_rules"]


def test_syn_spec_arrays_equal_nest(nest_results):
    """Weight and delay arrays (1-D and 2-D) land on NEST's connections; GetConnections filters as NEST."""
    got, ref = ours("syn_arrays"), nest_results["syn_arrays"]
    for key in ref:
        assert got[key] == ref[key], key


def test_get_connections_format_equal_nest(nest_results):
    """GetConnections gives scalars for a single connection and lists for several, as PyNEST."""
    assert ours("get_connections_format") == nest_results["get_connections_format"]


def test_delays_equal_nest(nest_results):
    """Delays read back as NEST's: on the grid, rounded to the nearest step off it, BadDelay below one step."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = ours("delays")
    assert got == nest_results["delays"]


def test_connect_errors_equal_nest(nest_results):
    """Illegal connections fail where NEST's fail, with NEST's error class."""
    got, ref = ours("connect_errors"), nest_results["connect_errors"]
    # parrot receptor 2: NEST says UnknownReceptorType, eventsim IncompatibleReceptorType (both ValueErrors)
    assert got.pop("parrot_receptor_2") in ("UnknownReceptorType", "IncompatibleReceptorType")
    ref.pop("parrot_receptor_2")
    assert got == ref


def test_device_parameter_errors_equal_nest(nest_results):
    """Device parameters are rejected exactly where NEST rejects them."""
    assert ours("generator_errors") == nest_results["generator_errors"]


def test_offgrid_times_rounding_equal_nest(nest_results):
    """allow_offgrid_times moves times to the end of their step, as NEST; they read back as NEST's floats."""
    assert ours("offgrid_rounding") == nest_results["offgrid_rounding"]


def test_kernel_properties_equal_nest(nest_results):
    """Default resolution and seed, min_delay (one step without connections) and biological_time as NEST."""
    assert ours("kernel") == nest_results["kernel"]
