"""Shared fixtures: every test starts from a fresh default kernel."""

from pathlib import Path

import pytest

import eventsim

#: The shared folder beside the repository (NEST reference of the seed example, docs).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def reset_kernel():
    """Reset the default kernel before each test."""
    eventsim.ResetKernel()
    yield


@pytest.fixture
def seed_reference():
    """Path of NEST's recording of the seed example; skips if the shared folder is missing."""
    path = SHARED / "reference" / "glif_cond_seed_nest.nc"
    if not path.exists():
        pytest.skip(f"NEST seed reference not found at {path}")
    return path
