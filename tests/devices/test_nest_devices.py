"""dc_generator, ac_generator, noise_generator and inhomogeneous_poisson_generator against NEST 3.10, live.

NEST runs every scenario of :mod:`nest_device_scenarios` once, in a
subprocess; eventsim runs the same PyNEST code in the test process.  Currents
of the deterministic generators and the timing of every change are compared
bit for bit; the random ones are compared in distribution (means, variances
and correlations within five standard errors of the difference).  Skipped
when NEST is not installed.
"""

import json
from pathlib import Path

import numpy as np
import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim
import nest_device_scenarios as scenarios

SCRIPT = Path(scenarios.__file__)


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    return run_under_nest(scenarios, timeout=300)


def ours(name):
    """Result of scenario `name` run by eventsim, through JSON like NEST's."""
    return json.loads(json.dumps(scenarios.SCENARIOS[name](eventsim)))


def close(a, b, se_a, se_b, k=5.0):
    """Whether two estimates differ by less than `k` standard errors of their difference."""
    return abs(a - b) < k * np.hypot(se_a, se_b)


@pytest.mark.parametrize("case", range(len(scenarios.DC_CASES)))
def test_dc_generator_current_equals_nest(case, nest_results):
    """dc_generator -> glif_cond I: NEST's trace bit for bit (windows, weights, delays, pieces)."""
    assert ours("dc")[case] == nest_results["dc"][case]


@pytest.mark.parametrize("case", range(len(scenarios.AC_CASES)))
def test_ac_generator_current_equals_nest(case, nest_results):
    """ac_generator -> glif_cond I: NEST's recursive values bit for bit, also simulated in pieces."""
    got, ref = ours("ac")[case], nest_results["ac"][case]
    assert any(v != 0 for v in ref["I_0"])
    assert got == ref


def test_noise_generator_changes_when_nest_does(nest_results):
    """noise_generator: each target's current changes at NEST's times and flows over NEST's window."""
    got, ref = ours("noise_timing"), nest_results["noise_timing"]
    assert got["distinct_targets"] and ref["distinct_targets"]
    for k in range(3):
        assert len(ref[f"changes_{k}"]) > 10
        assert got[f"changes_{k}"] == ref[f"changes_{k}"]
        assert got[f"nonzero_{k}"] == ref[f"nonzero_{k}"]


def test_noise_generator_statistics_match_nest(nest_results):
    """Mean and std of the amplitudes match NEST's and the parameters; no correlation in time or across targets."""
    got, ref = ours("noise_statistics"), nest_results["noise_statistics"]
    n, mean, std = got["n"], 25.0, 40.0
    se_mean, se_std = std / np.sqrt(n), std / np.sqrt(2 * n)
    for r in (got, ref):
        assert close(r["mean"], mean, se_mean, 0.0)
        assert close(r["std"], std, se_std, 0.0)
        assert abs(r["lag1"]) < 5 / np.sqrt(n)
        assert abs(r["between_targets"]) < 5 / np.sqrt(n)
    assert close(got["mean"], ref["mean"], se_mean, se_mean)
    assert close(got["std"], ref["std"], se_std, se_std)


def test_noise_generator_modulation_matches_nest(nest_results):
    """With std_mod the variance across targets follows the sine as in NEST: high at its peak, low at its trough."""
    got, ref = ours("noise_modulated"), nest_results["noise_modulated"]
    for key in ("var_peak", "var_trough"):
        se = [r[key] * np.sqrt(2.0 / r[key.replace("var", "n")]) for r in (got, ref)]
        assert close(got[key], ref[key], *se), key
    assert got["var_peak"] > 2 * got["var_trough"]


@pytest.mark.parametrize("case", range(len(scenarios.IPG_CASES)))
def test_inhomogeneous_poisson_rate_changes_when_nest_does(case, nest_results):
    """inhomogeneous_poisson_generator at 1e6 Hz: spikes on exactly NEST's steps, relayed and recorded directly."""
    got, ref = ours("ipg_timing")[case], nest_results["ipg_timing"][case]
    assert ref["relayed"]
    assert got == ref


def test_inhomogeneous_poisson_statistics_match_nest(nest_results):
    """Counts per target in each rate segment: NEST's mean within five standard errors, Poisson variance."""
    got, ref = ours("ipg_statistics"), nest_results["ipg_statistics"]
    for m_got, v_got, m_ref, v_ref in zip(got["mean"], got["var"], ref["mean"], ref["var"]):
        assert close(m_got, m_ref, np.sqrt(max(v_got, 0.01) / 100), np.sqrt(max(v_ref, 0.01) / 100))
        assert v_got == pytest.approx(m_got, rel=0.5, abs=0.05)


def test_illegal_parameters_fail_as_in_nest(nest_results):
    """Every parameter set NEST refuses is refused (BadProperty, StepMultipleRequired where NEST says so), no other."""
    got, ref = ours("errors"), nest_results["errors"]
    for (model, params), g, r in zip(scenarios.ERROR_CASES, got, ref):
        assert (g is None) == (r is None), (model, params, g, r)
        if r in ("BadProperty", "StepMultipleRequired"):
            assert g == r, (model, params)


def test_defaults_equal_nest(nest_results):
    """GetDefaults of the four devices: NEST's values of every parameter eventsim models."""
    assert ours("defaults") == nest_results["defaults"]


def test_parameters_set_between_calls_equal_nest(nest_results):
    """dc and ac generators on parts of a population, changed between calls: NEST's traces bit for bit
    (the first step of a call still uses the parameters the previous call ended with)."""
    got, ref = ours("set_between_calls"), nest_results["set_between_calls"]
    assert got == ref


def test_late_connections_equal_nest(nest_results):
    """Connections made after a first call carry nothing in the first step of the next call, as in NEST."""
    assert ours("late_connection") == nest_results["late_connection"]


def test_noise_generator_first_draw_equals_nest(nest_results):
    """A noise_generator active from 0 draws first one step after it was created, as NEST's."""
    got, ref = ours("noise_first_step"), nest_results["noise_first_step"]
    assert ref["changes_0"][:2] == [0.6, 1.6]
    assert got == ref


def test_rate_times_set_between_calls_equal_nest(nest_results):
    """inhomogeneous_poisson_generator: rate times set after a first call act on NEST's steps."""
    got, ref = ours("ipg_set_between_calls"), nest_results["ipg_set_between_calls"]
    assert len(ref) > 20
    assert got == ref
