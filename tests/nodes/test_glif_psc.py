"""glif_psc and glif_psc_double_alpha: parameters, NEST's validation, closed-form behaviour, state."""

import numpy as np
import pytest

import eventsim as nest
from eventsim.errors import BadProperty, IncompatibleReceptorType
from eventsim.nodes.glif_base import LEVELS
from eventsim.nodes.glif_psc_steps import iaf_alpha_propagators

FLAG_NAMES = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")
LEVEL_FLAGS = {name: dict(zip(FLAG_NAMES, flags)) for flags, name in LEVELS.items()}
MODELS = ("glif_psc", "glif_psc_double_alpha")
TAU_M = 58.72 / 9.43


def record(neuron, names, t_sim, interval=None):
    """Connect a multimeter to `neuron`, simulate `t_sim` ms, return the events dict."""
    mm = nest.Create("multimeter", params={"interval": interval or nest.resolution, "record_from": names})
    nest.Connect(mm, neuron)
    nest.Simulate(t_sim)
    return mm.events


@pytest.mark.parametrize("model", MODELS)
def test_defaults_and_recordables_match_nest(model):
    """GetDefaults gives NEST 3.10's values; the membrane conductance is g (glif_cond: g_m)."""
    d = nest.GetDefaults(model)
    expected = {"C_m": 58.72, "g": 9.43, "E_L": -78.85, "V_th": -51.68, "V_reset": -78.85, "t_ref": 3.75,
                "th_spike_add": 0.37, "th_spike_decay": 0.009, "voltage_reset_fraction": 0.2,
                "voltage_reset_add": 18.51, "th_voltage_index": 0.005, "th_voltage_decay": 0.09, "V_m": -78.85,
                "threshold_spike": 0.0, "threshold_voltage": 0.0}
    for key, value in expected.items():
        assert d[key] == pytest.approx(value), key
    assert "g_m" not in d and "E_rev" not in d
    np.testing.assert_allclose(d["asc_amps"], [-9.18, -198.94])
    np.testing.assert_allclose(d["ASCurrents"], [0.0, 0.0])
    if model == "glif_psc":
        np.testing.assert_allclose(d["tau_syn"], [2.0])
    else:
        np.testing.assert_allclose(d["tau_syn_fast"], [2.0])
        np.testing.assert_allclose(d["tau_syn_slow"], [6.0])
        np.testing.assert_allclose(d["amp_slow"], [0.3])
    assert d["recordables"] == ["ASCurrents_sum", "I", "I_syn", "V_m", "threshold", "threshold_spike",
                                "threshold_voltage"]


@pytest.mark.parametrize("flags", [(False, False, True), (True, False, True), (False, True, True)])
@pytest.mark.parametrize("model", MODELS)
def test_illegal_levels_are_rejected(model, flags):
    """Only the five GLIF levels are legal; the message is NEST's and lists them."""
    with pytest.raises(BadProperty, match="Incorrect model mechanism combination.*lif_r_asc_a"):
        nest.Create(model, params=dict(zip(FLAG_NAMES, flags)))


@pytest.mark.parametrize("params, match", [
    ({"V_reset": -50.0}, "Reset potential must be smaller than threshold: V_reset"),
    ({"C_m": 0.0}, "Capacitance must be strictly positive: C_m"),
    ({"g": -1.0}, "Membrane conductance must be strictly positive: g = -1.0"),
    ({"t_ref": 0.0}, "Refractory time constant must be strictly positive: t_ref"),
    ({"spike_dependent_threshold": True, "th_spike_decay": 0.0}, "th_spike_decay = 0.0"),
    ({"spike_dependent_threshold": True, "voltage_reset_fraction": 1.5}, "voltage_reset_fraction = 1.5"),
    ({**LEVEL_FLAGS["lif_r_asc_a"], "th_voltage_decay": -0.1}, "th_voltage_decay = -0.1"),
    ({"after_spike_currents": True, "asc_r": [1.0, 2.0]}, r"asc_r = \[1.0, 2.0\]"),
    ({"after_spike_currents": True, "asc_decay": [0.1, 0.0]}, "asc_decay"),
    ({"after_spike_currents": True, "asc_amps": [1.0, 2.0, 3.0]}, "asc_amps has 3 entries"),
    ({"g_m": 9.43}, "no parameter 'g_m'"),
    ({"E_rev": [0.0]}, "no parameter 'E_rev'"),
    ({"C_m": "big"}, "C_m must be a number"),
])
@pytest.mark.parametrize("model", MODELS)
def test_illegal_parameters_are_rejected(model, params, match):
    """NEST's validations raise BadProperty with NEST's message, naming the parameter and value."""
    with pytest.raises(BadProperty, match=match):
        nest.Create(model, params=params)


@pytest.mark.parametrize("model", MODELS)
def test_checks_of_switched_off_mechanisms_do_not_apply(model):
    """As in NEST, a mechanism's parameters are only checked when the mechanism is on."""
    n = nest.Create(model, params={"th_spike_decay": -1.0, "voltage_reset_fraction": 2.0,
                                   "th_voltage_decay": -1.0, "asc_decay": [1.0], "asc_r": [5.0, 1.0]})
    assert n.get("th_spike_decay") == -1.0
    ev = record(n, ["V_m"], 5.0)            # and it simulates (at rest)
    np.testing.assert_allclose(ev["V_m"], -78.85, atol=1e-12)


@pytest.mark.parametrize("params, match", [
    ({"tau_syn": [2.0, 0.0]}, "All synaptic time constants must be strictly positive: tau_syn"),
])
def test_glif_psc_synapse_checks(params, match):
    with pytest.raises(BadProperty, match=match):
        nest.Create("glif_psc", params=params)


@pytest.mark.parametrize("params, match", [
    ({"tau_syn_fast": [0.0]}, "All synaptic time constants must be strictly positive: tau_syn_fast"),
    ({"tau_syn_slow": [-1.0]}, "All slow synaptic time constants must be strictly positive"),
    ({"amp_slow": [0.0]}, "All slow synaptic amplitudes must be strictly positive"),
    ({"tau_syn_fast": [1.0, 2.0]}, "tau_syn_slow has 1 entries but tau_syn_fast has 2"),
])
def test_double_alpha_synapse_checks(params, match):
    """NEST's checks, plus equal lengths (NEST reads past the slow arrays otherwise)."""
    with pytest.raises(BadProperty, match=match):
        nest.Create("glif_psc_double_alpha", params=params)


@pytest.mark.parametrize("model", MODELS)
def test_state_is_settable_only_with_its_mechanism(model):
    """threshold_spike, threshold_voltage and ASCurrents need their mechanisms, as in NEST."""
    n = nest.Create(model, params={**LEVEL_FLAGS["lif_r_asc_a"], "threshold_spike": 2.0,
                                   "threshold_voltage": -1.0, "ASCurrents": [3.0, 4.0]})
    assert n.get("threshold_spike") == 2.0 and n.get("threshold_voltage") == -1.0
    np.testing.assert_array_equal(n.get("ASCurrents"), [3.0, 4.0])
    with pytest.raises(BadProperty, match="Threshold spike component is not supported"):
        nest.Create(model, params={"threshold_spike": 1.0})
    with pytest.raises(BadProperty, match="Threshold voltage component is not supported"):
        nest.Create(model, params={**LEVEL_FLAGS["lif_r_asc"], "threshold_voltage": 1.0})
    with pytest.raises(BadProperty, match="ASCurrents can only be set"):
        nest.Create(model, params={"ASCurrents": [1.0, 2.0]})
    m = nest.Create(model, params={"after_spike_currents": True, "asc_init": [1.0, 2.0]})
    np.testing.assert_array_equal(m.get("ASCurrents"), [0.0, 0.0])     # NEST: asc_init does not set the state


def test_receptor_ports():
    """Spikes go to receptors 1..len(tau_syn) (double alpha: len(tau_syn_fast)), currents to 0."""
    a = nest.Create("glif_psc", params={"tau_syn": [1.0, 2.0]})
    b = nest.Create("glif_psc_double_alpha", params={"tau_syn_fast": [1.0, 2.0, 3.0], "tau_syn_slow": [4.0] * 3,
                                                     "amp_slow": [0.5] * 3})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, a, syn_spec={"receptor_type": 2})
    nest.Connect(sg, b, syn_spec={"receptor_type": 3})
    with pytest.raises(IncompatibleReceptorType, match="receptor_type 3"):
        nest.Connect(sg, a, syn_spec={"receptor_type": 3})
    with pytest.raises(IncompatibleReceptorType, match="receptor_type 0"):
        nest.Connect(sg, b, syn_spec={"receptor_type": 0})


@pytest.mark.parametrize("model, key", [("glif_psc", "tau_syn"), ("glif_psc_double_alpha", "tau_syn_fast")])
def test_port_count_is_fixed_once_connected(model, key):
    """As NEST: a neuron with incoming spike connections keeps its number of receptor ports."""
    n = nest.Create(model, 2)
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n[1], syn_spec={"receptor_type": 1})
    n[0].set({key: [1.0, 2.0], **({"tau_syn_slow": [3.0, 4.0], "amp_slow": [0.3, 0.3]} if key != "tau_syn" else {})})
    with pytest.raises(BadProperty, match="has connections, therefore the number of ports cannot be reduced"):
        n[1].set({key: [1.0, 2.0], **({"tau_syn_slow": [3.0, 4.0], "amp_slow": [0.3, 0.3]} if key != "tau_syn" else {})})
    n[1].set({key: [4.0]})                 # same count: allowed


def test_alpha_current_peaks_at_weight_after_tau():
    """A spike of weight w (pA) gives I_syn = w (s / tau) exp(1 - s / tau), peaking at w after tau_syn."""
    nest.resolution = 0.01
    n = nest.Create("glif_psc", params={"tau_syn": [0.5, 2.0], "V_th": 0.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n, syn_spec={"weight": 30.0, "delay": 1.0, "receptor_type": 2})
    ev = record(n, ["I_syn"], 20.0)
    # NEST's I_syn at the sample stamped t is the current at the start of that step, t - h
    s = np.clip(ev["times"] - 0.01 - 2.0, 0, None)
    np.testing.assert_allclose(ev["I_syn"], 30.0 * s / 2.0 * np.exp(1 - s / 2.0), rtol=0, atol=1e-10)


def test_double_alpha_current_is_the_sum_of_two_alphas():
    """Weight w gives w alpha(tau_fast) + w amp_slow alpha(tau_slow), so equal taus and amp 1 double the peak."""
    nest.resolution = 0.01
    n = nest.Create("glif_psc_double_alpha", params={"tau_syn_fast": [2.0, 1.0], "tau_syn_slow": [2.0, 5.0],
                                                     "amp_slow": [1.0, 0.4], "V_th": 0.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 40.0]})
    nest.Connect(sg, n, syn_spec={"weight": 10.0, "delay": 1.0, "receptor_type": 1})
    ev = record(n, ["I_syn"], 30.0)
    s = np.clip(ev["times"] - 0.01 - 2.0, 0, None)
    np.testing.assert_allclose(ev["I_syn"], 20.0 * s / 2.0 * np.exp(1 - s / 2.0), rtol=0, atol=1e-10)
    nest.ResetKernel()
    nest.resolution = 0.01
    n = nest.Create("glif_psc_double_alpha", params={"tau_syn_fast": [2.0, 1.0], "tau_syn_slow": [2.0, 5.0],
                                                     "amp_slow": [1.0, 0.4], "V_th": 0.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n, syn_spec={"weight": 10.0, "delay": 1.0, "receptor_type": 2})
    ev = record(n, ["I_syn"], 30.0)
    s = np.clip(ev["times"] - 0.01 - 2.0, 0, None)
    expected = 10.0 * (s * np.exp(1 - s) + 0.4 * s / 5.0 * np.exp(1 - s / 5.0))
    np.testing.assert_allclose(ev["I_syn"], expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("tau_syn", [0.5, 3.0, TAU_M])
def test_membrane_response_to_an_alpha_current_is_exact(tau_syn):
    """V follows the closed-form response of a leaky membrane to an alpha current, also at tau_syn = tau_m."""
    nest.resolution = 0.1
    n = nest.Create("glif_psc", params={"tau_syn": [tau_syn], "V_th": 0.0})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n, syn_spec={"weight": 50.0, "delay": 1.0, "receptor_type": 1})
    ev = record(n, ["V_m"], 40.0)
    s = np.clip(ev["times"] - 2.0, 0, None)
    a = 50.0 * np.e / tau_syn / 58.72           # alpha current w e s/tau exp(-s/tau), divided by C_m
    if tau_syn == TAU_M:
        expected = a * s ** 2 / 2 * np.exp(-s / TAU_M)
    else:
        k = 1 / tau_syn - 1 / TAU_M
        expected = a * np.exp(-s / TAU_M) * (1 - np.exp(-k * s) * (1 + k * s)) / k ** 2
    np.testing.assert_allclose(ev["V_m"] + 78.85, expected, rtol=1e-9, atol=1e-12)


def test_propagators_are_continuous_through_tau_m():
    """P31 and P32 near tau_syn = tau_m approach their singular limits."""
    h = 0.1
    tau = TAU_M * (1 + np.array([-1e-6, 0.0, 1e-6]))
    P31, P32 = iaf_alpha_propagators(tau, TAU_M, 58.72, h)
    np.testing.assert_allclose(P31, 0.5 * h * h / 58.72 * np.exp(-h / TAU_M), rtol=1e-6)
    np.testing.assert_allclose(P32, h / 58.72 * np.exp(-h / TAU_M), rtol=1e-6)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("level", list(LEVEL_FLAGS))
def test_rest_stays_at_e_l(model, level):
    """Without input every level stays exactly at E_L with threshold V_th."""
    n = nest.Create(model, params=LEVEL_FLAGS[level])
    ev = record(n, ["V_m", "threshold", "ASCurrents_sum", "I_syn"], 30.0)
    np.testing.assert_allclose(ev["V_m"], -78.85, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev["threshold"], -51.68, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ev["I_syn"], 0.0, atol=1e-12)


def test_i_syn_is_held_while_refractory():
    """NEST updates I_syn only in integrated steps: it stays constant during the refractory period."""
    nest.resolution = 0.1
    n = nest.Create("glif_psc", params={"t_ref": 5.0, "tau_syn": [3.0]})
    sg = nest.Create("spike_generator", params={"spike_times": [1.0]})
    nest.Connect(sg, n, syn_spec={"weight": 3000.0, "delay": 0.1, "receptor_type": 1})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    ev = record(n, ["I_syn", "V_m"], 20.0)
    first = sr.events["times"][0]
    k = int(np.flatnonzero(np.isclose(ev["times"], first))[0])
    held = ev["I_syn"][k + 1:k + 50]
    np.testing.assert_array_equal(held, held[0])
    assert ev["I_syn"][k + 51] != held[0]


def test_e_l_change_keeps_absolute_potentials():
    """Changing E_L leaves V_m, V_th and V_reset at their absolute values, as NEST does."""
    n = nest.Create("glif_psc")
    n.set({"E_L": -70.0})
    assert n.get("V_m") == pytest.approx(-78.85)
    assert n.get("V_th") == pytest.approx(-51.68)
    assert n.get("V_reset") == pytest.approx(-78.85)


def test_mixed_models_and_pieces_give_the_same_run():
    """A population split over Create calls and Simulate in pieces equals one call and one piece."""
    def run(pieces, split):
        nest.ResetKernel()
        params = [{**LEVEL_FLAGS[lv], "tau_syn": [1.0, 4.0]} for lv in LEVEL_FLAGS]
        if split:
            n = nest.Create("glif_psc", 2, params=params[:2]) + nest.Create("glif_psc", 3, params=params[2:])
        else:
            n = nest.Create("glif_psc", 5, params=params)
        sg = nest.Create("spike_generator", params={"spike_times": np.arange(1.0, 80.0, 0.7).round(1).tolist()})
        nest.Connect(sg, n[[0, 2, 4]], syn_spec={"weight": 150.0, "receptor_type": 2})
        cg = nest.Create("step_current_generator", params={"amplitude_times": [5.0], "amplitude_values": [200.0]})
        nest.Connect(cg, n)
        mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m", "I_syn", "threshold"]})
        nest.Connect(mm, n)
        for p in pieces:
            nest.Simulate(p)
        return mm.events
    a, b = run([100.0], False), run([12.3, 50.0, 37.7], True)
    for key in ("V_m", "I_syn", "threshold", "senders"):
        np.testing.assert_array_equal(a[key], b[key])
