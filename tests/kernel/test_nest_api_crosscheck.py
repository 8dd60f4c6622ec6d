"""The PyNEST API surface against NEST 3.10, live: every scenario of :mod:`nest_api_scenarios` must give
NEST's result.

NEST runs the scenarios once, in a subprocess (it holds global state and prints
a banner on import); eventsim runs the same code in the test process.
Skipped when NEST is not installed.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

import eventsim
import nest_api_scenarios

SCRIPT = Path(nest_api_scenarios.__file__)


@pytest.fixture(scope="module")
def nest_results():
    """Results of every scenario run by NEST (dict from scenario name to JSON data)."""
    if importlib.util.find_spec("nest") is None:
        pytest.skip("NEST not installed: pip install .[nest]")
    done = subprocess.run([sys.executable, str(SCRIPT), "nest"], capture_output=True, text=True, timeout=300,
                          cwd=str(SCRIPT.parent))
    if done.returncode != 0:
        pytest.fail(f"the NEST scenarios failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(nest_api_scenarios.MARKER)]
    assert lines, f"no result line in NEST's output:\n{done.stdout[-2000:]}"
    return json.loads(lines[-1][len(nest_api_scenarios.MARKER):])


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
