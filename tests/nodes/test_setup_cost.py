"""Set-up work proportional to what changed: Create validates shared parameters once, Simulate reuses constants."""

import numpy as np
import pytest

import eventsim as nest
from eventsim.nodes.glif_cond import GlifCond
from eventsim.nodes.spike_generator import SpikeGenerator


@pytest.mark.parametrize("cls, model, params", [(GlifCond, "glif_cond", {"C_m": 50.0}),
                                                (SpikeGenerator, "spike_generator", {"spike_times": [1.0, 2.0]})])
def test_create_validates_parameters_common_to_all_nodes_once(monkeypatch, cls, model, params):
    """Create(model, 1000, params=dict of scalars) validates one parameter dict, not 1000."""
    calls = []
    original = cls.validate
    monkeypatch.setattr(cls, "validate", lambda self, s: calls.append(1) or original(self, s))
    nc = nest.Create(model, 1000, params=params)
    assert len(calls) == 1
    key, value = next(iter(params.items()))
    assert np.all(np.asarray(nc.get(key)) == np.asarray([value] * 1000).squeeze())


def test_nodes_created_together_keep_independent_parameters():
    """Shared validation does not share state: setting one node leaves the others alone."""
    n = nest.Create("glif_cond", 3, params={"tau_syn": [0.5, 1.0], "E_rev": [0.0, -80.0]})
    n[1].set({"tau_syn": [0.7, 1.5], "asc_amps": [1.0, 2.0], "C_m": 30.0})
    assert n.get("tau_syn")[0].tolist() == [0.5, 1.0] and n.get("tau_syn")[1].tolist() == [0.7, 1.5]
    assert n.get("C_m") == (58.72, 30.0, 58.72)
    n[0].get("tau_syn")[0] = 99.0                      # a returned array is a copy
    assert n[2].get("tau_syn").tolist() == [0.5, 1.0]


def test_parameters_changed_between_simulate_calls_take_effect():
    """Simulate reuses the derived constants only while nothing changed: a new E_L is honoured."""
    n = nest.Create("glif_cond", 2)
    nest.Simulate(5.0)
    n[0].set(E_L=-60.0)
    nest.Simulate(300.0)
    v = n.get("V_m")
    assert v[0] == pytest.approx(-60.0, abs=1e-3) and v[1] == pytest.approx(-78.85, abs=1e-9)


def test_create_beyond_memory_fails_at_once():
    """Create(..., 10**12) raises MemoryError before allocating anything, naming the size."""
    with pytest.raises(MemoryError, match="nothing was created"):
        nest.Create("glif_cond", 10 ** 12)
    with pytest.raises(MemoryError, match="spike_generator"):
        nest.Create("spike_generator", 10 ** 12)
    assert nest.GetKernelStatus("network_size") == 0
    assert len(nest.Create("glif_cond", 2)) == 2


@pytest.mark.parametrize("model", ["glif_cond", "glif_psc"])
def test_simulate_derives_constants_again_only_after_a_change(monkeypatch, model):
    """A second Simulate reuses the derived constants; a set, a new Create of the model or a new
    resolution makes the next one derive them again (and the change is honoured)."""
    calls = []
    from eventsim.nodes.glif_base import GlifBase
    original = GlifBase._mechanism_constants
    monkeypatch.setattr(GlifBase, "_mechanism_constants", lambda self: calls.append(1) or original(self))
    nest.ResetKernel()
    n = nest.Create(model, 3)
    nest.Simulate(1.0)
    nest.Simulate(1.0)
    assert len(calls) == 1
    n[1].set(t_ref=7.0)
    nest.Simulate(1.0)
    assert len(calls) == 2 and n.get("t_ref") == (3.75, 7.0, 3.75)
    nest.Create(model, 2)                 # joins the population
    nest.Simulate(1.0)
    assert len(calls) == 3


def test_refractory_steps_vectorised_equal_the_scalar_rule():
    """Arrays of t_ref give NEST's steps element by element, huge periods capped, not overflowing."""
    from eventsim.nodes.glif_base import MAX_REFRACTORY_STEPS, refractory_steps
    t_ref = np.array([3.75, 12.33, 12.25, 0.04, 0.15, 0.0004, 1e300, 2.0 ** 60])
    steps = refractory_steps(t_ref, 0.1)
    assert steps.dtype == np.int64
    assert steps.tolist() == [38, 124, 123, 1, 2, 0, MAX_REFRACTORY_STEPS, MAX_REFRACTORY_STEPS]
    assert [refractory_steps(float(t), 0.1) for t in t_ref[:6]] == steps[:6].tolist()
