"""glif_cond: parameters, validation, analytic behaviour and invariants."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import eventsim as nest
from eventsim.errors import BadProperty, IncompatibleReceptorType, UnknownReceptorType
from eventsim.nodes.glif_cond import LEVELS

LEVEL_FLAGS = {name: dict(zip(("spike_dependent_threshold", "after_spike_currents", "adapting_threshold"), flags))
               for flags, name in LEVELS.items()}


def record(neuron, names, t_sim, interval=None, h=None):
    """Connect a multimeter to `neuron`, simulate `t_sim` ms, return the events dict."""
    mm = nest.Create("multimeter", params={"interval": interval or nest.resolution, "record_from": names})
    nest.Connect(mm, neuron)
    nest.Simulate(t_sim)
    return mm.events


def test_defaults_match_nest():
    """GetDefaults gives NEST 3.10's glif_cond defaults."""
    d = nest.GetDefaults("glif_cond")
    expected = {"C_m": 58.72, "g_m": 9.43, "E_L": -78.85, "V_th": -51.68, "V_reset": -78.85, "t_ref": 3.75,
                "th_spike_add": 0.37, "th_spike_decay": 0.009, "voltage_reset_fraction": 0.2,
                "voltage_reset_add": 18.51, "th_voltage_index": 0.005, "th_voltage_decay": 0.09, "V_m": -78.85}
    for key, value in expected.items():
        assert d[key] == pytest.approx(value), key
    np.testing.assert_allclose(d["asc_amps"], [-9.18, -198.94])
    np.testing.assert_allclose(d["asc_decay"], [0.003, 0.1])
    np.testing.assert_allclose(d["tau_syn"], [0.2, 2.0])
    np.testing.assert_allclose(d["E_rev"], [0.0, -85.0])
    assert d["spike_dependent_threshold"] is False
    assert sorted(d["recordables"]) == sorted(["V_m", "I", "g_1", "g_2", "threshold", "threshold_spike",
                                               "threshold_voltage", "ASCurrents_sum"])


@pytest.mark.parametrize("params, match", [
    ({"spike_dependent_threshold": False, "after_spike_currents": False, "adapting_threshold": True},
     "mechanism combination"),
    ({"spike_dependent_threshold": True, "after_spike_currents": False, "adapting_threshold": True},
     "mechanism combination"),
    ({"V_reset": -50.0}, "V_reset"),
    ({"C_m": 0.0}, "C_m must be positive"),
    ({"g_m": -1.0}, "g_m must be positive"),
    ({"t_ref": 0.0}, "t_ref must be positive"),
    ({"th_spike_decay": 0.0}, "th_spike_decay"),
    ({"th_voltage_decay": -0.1}, "th_voltage_decay"),
    ({"voltage_reset_fraction": 1.5}, "voltage_reset_fraction"),
    ({"asc_r": [1.0, 2.0]}, "asc_r"),
    ({"asc_decay": [0.1, 0.0]}, "asc_decay"),
    ({"asc_amps": [1.0, 2.0, 3.0]}, "asc_amps has 3 entries"),
    ({"tau_syn": [0.2, -1.0]}, "tau_syn"),
    ({"E_rev": [0.0]}, "E_rev has 1 entries"),
    ({"tau_syn": []}, "tau_syn must have at least one"),
    ({"C_m": "big"}, "C_m must be a number"),
    ({"adapting_threshold": "yes"}, "adapting_threshold must be a boolean"),
    ({"tau_syn": 0.2}, "tau_syn must be a list"),
    ({"g": 9.43}, "no parameter 'g'"),
])
def test_illegal_parameters_are_rejected(params, match):
    """Every NEST validation raises BadProperty naming the parameter."""
    with pytest.raises(BadProperty, match=match):
        nest.Create("glif_cond", params=params)


def test_failed_set_changes_nothing():
    """A set() with one illegal value leaves all parameters as they were."""
    n = nest.Create("glif_cond")
    with pytest.raises(BadProperty):
        n.set({"C_m": 100.0, "V_reset": 0.0})
    assert n.get("C_m") == pytest.approx(58.72)


def test_changing_e_l_keeps_absolute_potentials():
    """Changing E_L leaves V_m, V_th and V_reset at their absolute values, as NEST does."""
    n = nest.Create("glif_cond")
    n.set({"E_L": -70.0})
    assert n.get("V_m") == pytest.approx(-78.85)
    assert n.get("V_th") == pytest.approx(-51.68)
    assert n.get("V_reset") == pytest.approx(-78.85)
    m = nest.Create("glif_cond", params={"E_L": -60.0, "V_th": -40.0})
    assert m.get("V_m") == pytest.approx(-78.85)
    assert m.get("V_th") == pytest.approx(-40.0)


def test_after_spike_currents_state():
    """ASCurrents starts as two zeros, can be set with after_spike_currents, and must match asc_decay."""
    n = nest.Create("glif_cond", params={"after_spike_currents": True})
    np.testing.assert_array_equal(n.get("ASCurrents"), [0.0, 0.0])
    n.set({"ASCurrents": [-10.0, 5.0]})
    np.testing.assert_array_equal(n.get("ASCurrents"), [-10.0, 5.0])
    with pytest.raises(BadProperty, match="ASCurrents has 3 entries"):
        n.set({"ASCurrents": [1.0, 2.0, 3.0]})
    with pytest.raises(BadProperty, match="after_spike_currents"):
        nest.Create("glif_cond", params={"ASCurrents": [1.0, 2.0]})


@pytest.mark.parametrize("t_ref, steps", [(3.75, 38), (12.33, 124), (12.25, 123), (0.04, 1), (0.15, 2),
                                          (0.0004, 0)])
def test_refractory_steps_round_up_like_nest(t_ref, steps):
    """t_ref is rounded to 1 us ticks, then up to whole steps (h = 0.1 ms)."""
    from eventsim.nodes.glif_cond import refractory_steps
    assert refractory_steps(t_ref, 0.1) == steps


def test_receptor_checks():
    """Spikes go to receptors 1..n, currents to 0; others raise."""
    n = nest.Create("glif_cond", params={"tau_syn": [0.2, 2.0, 5.0], "E_rev": [0.0, -85.0, -20.0]})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    cg = nest.Create("step_current_generator")
    nest.Connect(sg, n, syn_spec={"receptor_type": 3})
    with pytest.raises(IncompatibleReceptorType, match="receptor_type 4 .* 1..3"):
        nest.Connect(sg, n, syn_spec={"receptor_type": 4})
    with pytest.raises(IncompatibleReceptorType, match="receptor_type 0"):
        nest.Connect(sg, n, syn_spec={"receptor_type": 0})
    with pytest.raises(UnknownReceptorType, match="receptor_type 1"):
        nest.Connect(cg, n, syn_spec={"receptor_type": 1})
    assert "g_3" in n.get("recordables")


@pytest.mark.parametrize("level", list(LEVEL_FLAGS))
def test_rest_stays_at_e_l(level):
    """Without input every level stays exactly at E_L with threshold V_th."""
    n = nest.Create("glif_cond", params=LEVEL_FLAGS[level])
    ev = record(n, ["V_m", "threshold", "ASCurrents_sum"], 50.0)
    np.testing.assert_allclose(ev["V_m"], -78.85, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev["threshold"], -51.68, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev["ASCurrents_sum"], 0.0, atol=1e-12)


def test_constant_current_relaxes_with_membrane_time_constant():
    """A subthreshold step current: V - E_L = I/g_m (1 - exp(-(t - t0) g_m / C_m)) from the step on."""
    nest.resolution = 0.1
    n = nest.Create("glif_cond", params={"V_th": 0.0})
    cg = nest.Create("step_current_generator", params={"amplitude_times": [10.0], "amplitude_values": [100.0]})
    nest.Connect(cg, n, syn_spec={"delay": 0.1})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    ev = record(n, ["V_m", "I"], 100.0)
    t = ev["times"]
    # current arrives at 10.1 ms (sent for the step ending at 10.1, delay one step) and drives V from then on
    expected = np.where(t > 10.1, 100.0 / 9.43 * (1 - np.exp(-(t - 10.1) * 9.43 / 58.72)), 0.0)
    np.testing.assert_allclose(ev["V_m"] + 78.85, expected, rtol=0, atol=1e-9)
    assert sr.n_events == 0


def test_alpha_conductance_peaks_at_weight_after_tau():
    """A spike of weight w on a receptor gives g = w at t = tau_syn after arrival (alpha function)."""
    nest.resolution = 0.01
    n = nest.Create("glif_cond", params={"tau_syn": [0.5, 2.0]})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n, syn_spec={"weight": 3.0, "delay": 1.0, "receptor_type": 2})
    ev = record(n, ["g_1", "g_2"], 20.0)
    t = ev["times"]
    s = np.clip(t - 2.0, 0, None)
    np.testing.assert_allclose(ev["g_2"], 3.0 * s / 2.0 * np.exp(1 - s / 2.0), rtol=0, atol=1e-12)
    assert ev["g_2"].max() == pytest.approx(3.0, abs=1e-9)
    np.testing.assert_allclose(ev["g_1"], 0.0)


def test_refractory_period_in_steps():
    """After a spike V stays at the reset value for round(t_ref / h) samples, then moves again."""
    nest.resolution = 0.1
    n = nest.Create("glif_cond", params={"t_ref": 1.96})   # rounds up to 20 steps
    cg = nest.Create("step_current_generator", params={"amplitude_times": [0.1], "amplitude_values": [1000.0]})
    nest.Connect(cg, n, syn_spec={"delay": 0.1})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    ev = record(n, ["V_m"], 40.0)
    first = sr.events["times"][0]
    v = ev["V_m"]
    k = int(np.flatnonzero(np.isclose(ev["times"], first))[0])
    np.testing.assert_allclose(v[k:k + 21], -78.85, atol=1e-12)
    assert v[k + 21] > -78.85 + 1e-6


@settings(max_examples=25, deadline=None)
@given(amplitude=st.floats(-500.0, 0.0), level=st.sampled_from(list(LEVEL_FLAGS)),
       weight=st.floats(0.0, 50.0))
def test_no_spike_without_depolarising_input(amplitude, level, weight):
    """Hyperpolarising current and inhibitory conductance input never make a neuron fire."""
    nest.ResetKernel()
    n = nest.Create("glif_cond", params=LEVEL_FLAGS[level])
    cg = nest.Create("step_current_generator", params={"amplitude_times": [5.0], "amplitude_values": [amplitude]})
    sg = nest.Create("spike_generator", params={"spike_times": [2.0, 7.0, 9.0]})
    nest.Connect(cg, n)
    nest.Connect(sg, n, syn_spec={"weight": weight, "receptor_type": 2})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    nest.Simulate(30.0)
    assert sr.n_events == 0
    assert n.get("V_m") <= -78.85 + 1e-9


@settings(max_examples=15, deadline=None)
@given(v0=st.floats(-120.0, -55.0), level=st.sampled_from(list(LEVEL_FLAGS)))
def test_membrane_relaxes_to_e_l(v0, level):
    """Started anywhere below threshold, V decays monotonically towards E_L without input."""
    nest.ResetKernel()
    n = nest.Create("glif_cond", params={**LEVEL_FLAGS[level], "V_m": v0})
    ev = record(n, ["V_m"], 60.0, interval=1.0)
    dist = np.abs(ev["V_m"] + 78.85)
    assert np.all(np.diff(dist) <= 1e-12)
    np.testing.assert_allclose(dist, abs(v0 + 78.85) * np.exp(-ev["times"] * 9.43 / 58.72), rtol=1e-9,
                               atol=1e-12)


def test_many_receptors_and_per_node_parameters():
    """Nodes of one Create call may have their own receptor counts; each port adds its own conductance."""
    n = nest.Create("glif_cond", 2, params=[{"tau_syn": [0.2, 2.0, 1.0], "E_rev": [0.0, -85.0, -20.0]},
                                            {"tau_syn": [0.5], "E_rev": [0.0]}])
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n[0], syn_spec={"receptor_type": 3, "weight": 2.0})
    nest.Connect(sg, n[1], syn_spec={"receptor_type": 1, "weight": 2.0})
    with pytest.raises(IncompatibleReceptorType, match="receptor_type 2"):
        nest.Connect(sg, n[1], syn_spec={"receptor_type": 2})
    nest.Simulate(5.0)
    g = n.get("g")
    assert len(g[0]) == 3 and len(g[1]) == 1
    assert g[0][2] > 0 and g[0][0] == 0 and g[1][0] > 0


@pytest.mark.parametrize("receptor", [1, 2])
@pytest.mark.parametrize("new", [{"tau_syn": [0.2], "E_rev": [0.0]},
                                 {"tau_syn": [0.2, 2.0, 3.0], "E_rev": [0.0, -85.0, 0.0]}])
def test_number_of_receptors_is_frozen_by_spike_connections(receptor, new):
    """As NEST: once a spike connection targets the neuron (any receptor), tau_syn/E_rev keep their length."""
    n = nest.Create("glif_cond", 3)
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n[1], syn_spec={"receptor_type": receptor})
    with pytest.raises(BadProperty, match="number of ports cannot be reduced"):
        n[1].set(new)
    with pytest.raises(BadProperty, match="node ID 2"):
        n.set(new)
    assert n.get("tau_syn")[1].tolist() == [0.2, 2.0]
    assert n[0].get("tau_syn").tolist() == [0.2, 2.0]          # nothing changed on any node
    n[1].set({"tau_syn": [0.3, 2.5], "E_rev": [0.0, -80.0]})  # same length: allowed
    n[0].set(new)                                              # unconnected neuron: allowed
    assert len(n[0].get("tau_syn")) == len(new["tau_syn"])


def test_number_of_receptors_free_with_only_current_input_or_output():
    """Current input and outgoing connections do not freeze the receptors (NEST's behaviour)."""
    n = nest.Create("glif_cond")
    cg = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [10.0]})
    nest.Connect(cg, n)
    nest.Connect(n, nest.Create("parrot_neuron"))
    n.set({"tau_syn": [0.2], "E_rev": [0.0]})
    assert n.get("tau_syn").tolist() == [0.2]
