"""Run a scenario module under NEST in a subprocess, for the live cross-checks.

A scenario module defines ``SCENARIOS`` (name -> function of a PyNEST-like
module returning JSON-ready data), ``MARKER`` and optionally
``prepare(sim, module_name)``; its ``__main__`` block calls
:func:`scenario_main`, so that ``python module.py nest`` prints
``MARKER + json`` of every scenario run by NEST.  NEST holds global state and prints a banner on import, so it never
shares a process with eventsim in the tests.
"""

import importlib
import importlib.util
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest


def nest_results(scenarios, timeout=300):
    """Results of every scenario of module `scenarios` run by NEST (dict from name to JSON data).

    Skips the calling test when NEST is not installed; fails it, with NEST's
    error output, when the run fails.
    """
    if importlib.util.find_spec("nest") is None:
        pytest.skip("NEST not installed: pip install .[nest]")
    script = Path(scenarios.__file__)
    done = subprocess.run([sys.executable, str(script), "nest"], capture_output=True, text=True, timeout=timeout,
                          cwd=str(script.parent))
    if done.returncode != 0:
        pytest.fail(f"the NEST scenarios of {script.name} failed:\n{done.stderr[-3000:]}")
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(scenarios.MARKER)]
    assert lines, f"no result line in NEST's output:\n{done.stdout[-2000:]}"
    return json.loads(lines[-1][len(scenarios.MARKER):])


def run_scenarios(scenarios, module_name):
    """Run every scenario of module `scenarios` with the simulator `module_name`; return {name: result}.

    Under NEST the verbosity is ERROR; warnings are silenced (they do not change results).
    """
    sim = importlib.import_module(module_name)
    if module_name == "nest":
        sim.verbosity = sim.VerbosityLevel.ERROR
    prepare = getattr(scenarios, "prepare", None)
    if prepare is not None:
        prepare(sim, module_name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {name: fn(sim) for name, fn in scenarios.SCENARIOS.items()}


def scenario_main(scenarios):
    """The ``__main__`` of a scenario module: print ``MARKER + json`` of every scenario, run with the simulator
    named by the first argument (default ``nest``)."""
    print(scenarios.MARKER + json.dumps(run_scenarios(scenarios, sys.argv[1] if len(sys.argv) > 1 else "nest")))
