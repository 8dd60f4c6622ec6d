"""Extreme or odd parameter values get NEST's behaviour or a clear error before anything runs."""

import numpy as np
import pytest

import eventsim as nest
from eventsim.errors import BadProperty


@pytest.mark.parametrize("params", [{"C_m": np.array(50.0)}, {"tau_syn": np.array(0.5)}])
def test_zero_d_numpy_parameters_are_refused_naming_the_parameter(params):
    """NEST raises TypeError for 0-d numpy arrays; so do we, naming the parameter, in Create and set."""
    key = next(iter(params))
    with pytest.raises(TypeError, match=f"{key}: a 0-d numpy array"):
        nest.Create("glif_cond", params=params)
    n = nest.Create("glif_cond", 2)
    with pytest.raises(TypeError, match=f"{key}: a 0-d numpy array"):
        n.set(params)
    assert n.get("C_m") == (58.72, 58.72)


def test_numpy_scalars_are_accepted():
    """numpy scalars (np.float64) are numbers, as in NEST."""
    n = nest.Create("glif_cond", params={"t_ref": np.float64(2.0), "C_m": np.float32(50.0)})
    assert n.get("t_ref") == 2.0 and n.get("C_m") == 50.0


def test_huge_refractory_period_means_refractory_for_ever():
    """t_ref = 1e300 ms is legal (NEST runs it): after its first spike the neuron stays refractory."""
    n = nest.Create("glif_cond", params={"t_ref": 1e300})
    cg = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [1000.0]})
    nest.Connect(cg, n)
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    nest.Simulate(100.0)
    assert sr.n_events == 1
    assert n.get("t_ref") == 1e300


@pytest.mark.parametrize("rate", [1e15, 1e20, 1e300])
def test_poisson_rates_beyond_memory_are_refused_before_running(rate):
    """Rates whose counts per step could not be stored are refused at Create/set, naming the limit."""
    with pytest.raises(BadProperty, match="spikes per step"):
        nest.Create("poisson_generator", params={"rate": rate})
    pg = nest.Create("poisson_generator", params={"rate": 1e9})
    with pytest.raises(BadProperty, match="rate"):
        pg.set(rate=rate)
    assert pg.get("rate") == 1e9
    assert nest.biological_time == 0.0


@pytest.mark.parametrize("source", [5, [1, 2], "x"])
def test_get_connections_needs_node_collections(source):
    """GetConnections(source=5) is a TypeError as in NEST ("source must be NodeCollection")."""
    nest.Create("parrot_neuron", 6)
    with pytest.raises(TypeError, match="source must be NodeCollection"):
        nest.GetConnections(source=source)
    with pytest.raises(TypeError, match="target must be NodeCollection"):
        nest.GetConnections(target=source)
