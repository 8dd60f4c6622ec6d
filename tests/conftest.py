"""Shared fixtures: every test starts from a fresh default kernel."""

import pytest

import eventsim


def _fix_hypothesis_examples():
    """Make derandomized Hypothesis tests draw the same examples in every run.

    Hypothesis (6.131 on) mixes in numbers it finds in the source of the modules loaded so far,
    so a derandomized test's examples would change with every edit of eventsim and with the
    order in which earlier tests import modules: a fuzz that passed could fail on an unrelated
    change.  The fuzz tests must find the same cases every time; new cases come from raising
    their budgets on purpose.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:
        return
    if hasattr(providers, "_get_local_constants"):
        empty = providers.Constants()
        providers._get_local_constants = lambda: empty


_fix_hypothesis_examples()


@pytest.fixture(autouse=True)
def reset_kernel():
    """Reset the default kernel before each test."""
    eventsim.ResetKernel()
    yield


@pytest.fixture(scope="session")
def seed_example_file(tmp_path_factory):
    """Run ``examples/glif_cond_neuron.py`` once (rng seed 12345) and return the path of its netCDF file."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    out = tmp_path_factory.mktemp("seed_example")
    path = os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))
    done = subprocess.run([sys.executable, str(repo / "examples" / "glif_cond_neuron.py"), "--out", str(out),
                           "--rng-seed", "12345"], capture_output=True, text=True, timeout=300, cwd=out,
                          env={**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": path})
    assert done.returncode == 0, done.stderr
    return out / "glif_cond_recordings.nc"
