"""Fixtures of the recorder tests."""

import gc

import pytest

import eventsim as nest
import eventsim.recorders.base


@pytest.fixture
def small_stream_buffer(monkeypatch):
    """Make streaming recorders append to their file every few hundred bytes, i.e. many times per run."""
    monkeypatch.setattr(eventsim.recorders.base, "STREAM_BUFFER_BYTES", 400)


@pytest.fixture
def collect_garbage():
    """Run the garbage collector after the test body asks for it (finalizers of dropped kernels)."""
    def collect():
        nest.ResetKernel()
        gc.collect()
    return collect
