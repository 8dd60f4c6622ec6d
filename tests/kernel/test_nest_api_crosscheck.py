"""The PyNEST API surface against NEST 3.10, live: every scenario of :mod:`nest_api_scenarios` must give
NEST's result.

NEST runs the scenarios once, in a subprocess (it holds global state and prints
a banner on import); eventsim runs the same code in the test process.
Skipped when NEST is not installed.
"""

import json
from pathlib import Path

import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim
import nest_api_scenarios

SCRIPT = Path(nest_api_scenarios.__file__)


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    return run_under_nest(nest_api_scenarios, timeout=300)


@pytest.fixture
def quiet():
    """Run at verbosity ERROR (as the NEST run) and restore the level afterwards."""
    old = eventsim.verbosity
    eventsim.verbosity = eventsim.VerbosityLevel.ERROR
    yield
    eventsim.verbosity = old


@pytest.mark.parametrize("name", sorted(nest_api_scenarios.SCENARIOS))
def test_scenario_equals_nest(name, nest_results, quiet):
    """eventsim's result of the scenario equals NEST's, key by key."""
    got = json.loads(json.dumps(nest_api_scenarios.SCENARIOS[name](eventsim)))
    want = nest_results[name]
    assert set(got) == set(want)
    for key in want:
        assert got[key] == want[key], key
