"""eventsim.allen: Allen Cell Types neuron_config files to glif_psc / glif_cond parameters.

The fixtures in ``fixtures/`` are small configs written for these tests, one
per GLIF level, in the Allen Institute's layout and SI units.  Every converted
value is checked against arithmetic done by hand, and the converted cells are
run against an independent forward-Euler implementation of the GLIF equations.
"""

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

import eventsim as nest
from eventsim.allen import NeuronConfigError, glif_level, glif_params, load_neuron_config

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LEVELS = {1: "lif", 2: "lif_r", 3: "lif_asc", 4: "lif_r_asc", 5: "lif_r_asc_a"}


def config(level):
    """The fixture of GLIF level 1..5 as a dict."""
    return json.loads((FIXTURES / f"glif{level}_neuron_config.json").read_text())


# --- values, by hand ------------------------------------------------------------------------------
# shared by all fixtures: El_reference -0.0725 V, th_inf 0.025 V x coeff 1.2, R_input 2e8 Ohm with
# coeff G 1.1, C 5e-11 F x coeff 1.2, dt 5e-5 s x spike_cut_length 40
COMMON = {"E_L": -72.5, "V_m": -72.5, "V_th": -72.5 + 1.2 * 25.0, "g": 1.1 / 2e8 * 1e9, "C_m": 60.0,
          "t_ref": 2.0, "V_reset": -72.5}
SPIKE_THRESHOLD = {"th_spike_add": 2.0, "th_spike_decay": 50.0 / 1000.0, "voltage_reset_fraction": 0.6,
                   "voltage_reset_add": 4.0}
ASC = {"asc_decay": [1 / 10.0, 1 / 100.0], "asc_amps": [-20.0 * 1.5, -5.0 * 2.0], "asc_init": [0.0, 0.0],
       "ASCurrents": [0.0, 0.0], "asc_r": [1.0, 0.5]}
EXPECTED = {
    1: {**COMMON},
    2: {**COMMON, **SPIKE_THRESHOLD},
    3: {**COMMON, **ASC},
    # El = 1 mV: E_L moves, V_m (init_voltage 0 above El_reference) does not; the reset offset is
    # b + (a - 1) El = 4 - 0.4 mV in NEST's frame (relative to E_L); init_AScurrents -1e-11 and 2e-12 A
    4: {**COMMON, **SPIKE_THRESHOLD, **ASC, "E_L": -71.5, "voltage_reset_add": 3.6, "asc_init": [-10.0, 2.0],
        "ASCurrents": [-10.0, 2.0]},
    5: {**COMMON, **SPIKE_THRESHOLD, **ASC, "th_voltage_index": 2.0 * 1.5 / 1000.0,
        "th_voltage_decay": 40.0 * 0.5 / 1000.0},
}


@pytest.mark.parametrize("level", LEVELS)
def test_level_is_detected(level):
    assert glif_level(config(level)) == LEVELS[level]
    assert glif_level(FIXTURES / f"glif{level}_neuron_config.json") == LEVELS[level]


@pytest.mark.parametrize("level", LEVELS)
def test_converted_values_equal_hand_arithmetic(level):
    """Every parameter of the five levels, in NEST units, equals its value worked out by hand."""
    params = glif_params(FIXTURES / f"glif{level}_neuron_config.json", tau_syn=[5.5, 8.5])
    flags = dict(zip(("spike_dependent_threshold", "after_spike_currents", "adapting_threshold"),
                     {1: (0, 0, 0), 2: (1, 0, 0), 3: (0, 1, 0), 4: (1, 1, 0), 5: (1, 1, 1)}[level]))
    expected = {**EXPECTED[level], **{k: bool(v) for k, v in flags.items()}, "tau_syn": [5.5, 8.5]}
    assert set(params) == set(expected)
    for key, value in expected.items():
        np.testing.assert_allclose(params[key], value, rtol=1e-12, atol=1e-12, err_msg=key)


def test_glif_cond_uses_g_m_and_needs_reversal_potentials():
    """glif_cond's membrane conductance is g_m (glif_psc's is g); E_rev is required and passed through."""
    params = glif_params(config(3), model="glif_cond", tau_syn=[0.2, 2.0], E_rev=[0.0, -85.0])
    assert "g" not in params and params["g_m"] == pytest.approx(5.5)
    assert params["E_rev"] == [0.0, -85.0]
    nest.Create("glif_cond", params=params)      # legal for the model
    with pytest.raises(ValueError, match="E_rev is not part of an Allen neuron_config"):
        glif_params(config(3), model="glif_cond", tau_syn=[0.2, 2.0])
    with pytest.raises(ValueError, match="E_rev needs one"):
        glif_params(config(3), model="glif_cond", tau_syn=[0.2, 2.0], E_rev=[0.0])
    with pytest.raises(ValueError, match="E_rev does not apply"):
        glif_params(config(3), tau_syn=[2.0], E_rev=[0.0])


def test_tau_syn_is_required():
    with pytest.raises(ValueError, match="tau_syn is not part of an Allen neuron_config"):
        glif_params(config(1))
    with pytest.raises(ValueError, match="tau_syn must be"):
        glif_params(config(1), tau_syn=[0.0])
    with pytest.raises(ValueError, match="model must be one of"):
        glif_params(config(1), model="iaf_psc_alpha", tau_syn=[2.0])


def _broken(level, path, value=None, delete=False):
    cfg = copy.deepcopy(config(level))
    *parents, last = path.split(".")
    node = cfg
    for key in parents:
        node = node[key]
    if delete:
        del node[last]
    else:
        node[last] = value
    return cfg


@pytest.mark.parametrize("cfg, match", [
    (_broken(1, "R_input", delete=True), "no field 'R_input'"),
    (_broken(1, "coeffs.G", delete=True), "no field 'coeffs.G'"),
    (_broken(2, "voltage_reset_method.params", delete=True), "no field 'voltage_reset_method.params.a'"),
    (_broken(5, "threshold_dynamics_method.params.b_voltage", delete=True), "b_voltage"),
    (_broken(3, "AScurrent_reset_method.params.r", delete=True), "AScurrent_reset_method.params.r"),
    (_broken(1, "C", float("nan")), "'C' must be a finite number"),
    (_broken(1, "El_reference", float("inf")), "'El_reference' must be a finite number"),
    (_broken(1, "R_input", -1.0), "'R_input' must be positive"),
    (_broken(1, "dt", "0.00005"), "'dt' must be a finite number"),
    (_broken(3, "asc_amp_array", [1e-11]), "'asc_amp_array' has 1 entries"),
    (_broken(3, "asc_tau_array", [0.01, 0.0]), "'asc_tau_array' must hold positive"),
    (_broken(3, "init_AScurrents", [0.0, float("nan")]), "'init_AScurrents' must hold finite"),
    (_broken(1, "th_inf", -0.01), "threshold of"),
    (_broken(1, "voltage_reset_method", {"name": "v_before", "params": {"a": 0.5, "b": 0.0}}),
     "'threshold_dynamics_method.name' \\('inf'\\) and 'voltage_reset_method.name' \\('v_before'\\)"),
    (_broken(2, "threshold_dynamics_method.name", "three_components_exact"),
     "'AScurrent_dynamics_method.name' \\('none'\\) do not form a GLIF level"),
    (_broken(1, "threshold_dynamics_method.name", "adaptive"), "'threshold_dynamics_method.name' is 'adaptive'"),
    (_broken(1, "AScurrent_dynamics_method", delete=True), "no field 'AScurrent_dynamics_method.name'"),
])
def test_bad_configs_are_rejected_naming_the_field(cfg, match):
    with pytest.raises(NeuronConfigError, match=match):
        glif_params(cfg, tau_syn=[2.0])


def test_file_errors(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(NeuronConfigError, match="bad.json is not a JSON file"):
        load_neuron_config(bad)
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(NeuronConfigError, match="does not hold a neuron_config"):
        load_neuron_config(tmp_path / "list.json")


# --- the converted cell against an independent forward-Euler GLIF ---------------------------------

def euler_glif(p, amplitude, t_on, t_off, t_end, dt):
    """Forward-Euler GLIF (Teeter et al. 2018 equations, NEST's reset conventions), step `dt` ms.

    V relative to E_L (mV): C dV/dt = -g V + I + sum_j I_j; dI_j/dt = -k_j I_j;
    d theta_s/dt = -b_s theta_s; d theta_v/dt = a_v V - b_v theta_v.  Spike when
    V > th_inf + theta_s + theta_v; then V is held for t_ref, I_j -> amp_j + r_j I_j
    exp(-k_j t_ref), and with a spike-dependent threshold V -> f V_before + add,
    theta_s -> theta_s exp(-b_s t_ref) + a_s, else V -> V_reset.  Returns (times, V_m, spikes).
    """
    E_L = p["E_L"]
    V, ths, thv = p["V_m"] - E_L, 0.0, 0.0
    th_inf, V_reset = p["V_th"] - E_L, p["V_reset"] - E_L
    asc_on, r_on, a_on = p["after_spike_currents"], p["spike_dependent_threshold"], p["adapting_threshold"]
    asc = list(p["ASCurrents"]) if asc_on else []
    k = list(p.get("asc_decay", []))
    g, C = p["g"], p["C_m"]
    n = int(round(t_end / dt))
    n_ref = int(round(p["t_ref"] / dt))
    refr = 0
    trace, spikes = [], []
    for i in range(n):
        t = i * dt
        if refr > 0:
            refr -= 1
        else:
            current = amplitude if t_on <= t < t_off else 0.0
            V_new = V + dt * (-g * V + current + sum(asc)) / C
            asc = [a - dt * kj * a for a, kj in zip(asc, k)]
            if r_on:
                ths -= dt * p["th_spike_decay"] * ths
            if a_on:
                thv += dt * (p["th_voltage_index"] * V - p["th_voltage_decay"] * thv)
            if V_new > th_inf + ths + thv:
                spikes.append(t + dt)
                refr = n_ref
                asc = [amp + a * r * math.exp(-kj * p["t_ref"])
                       for amp, a, r, kj in zip(p.get("asc_amps", []), asc, p.get("asc_r", []), k)]
                if r_on:
                    V = p["voltage_reset_fraction"] * V + p["voltage_reset_add"]
                    ths = ths * math.exp(-p["th_spike_decay"] * p["t_ref"]) + p["th_spike_add"]
                else:
                    V = V_reset
            else:
                V = V_new
        trace.append(V + E_L)
    times = np.arange(1, n + 1) * dt
    trace = np.array(trace)
    return times, trace, np.array(spikes)


@pytest.mark.parametrize("level", LEVELS)
def test_cell_response_matches_forward_euler(level):
    """A 250 pA step (10-110 ms), both on a 1 us grid: spikes within 0.01 ms of Euler's, V before them within 0.01 mV."""
    params = glif_params(config(level), tau_syn=[2.0])
    h = 0.001
    nest.resolution = h
    n = nest.Create("glif_psc", params=params)
    cg = nest.Create("step_current_generator", params={"amplitude_times": [10.0 - h, 110.0 - h],
                                                        "amplitude_values": [250.0, 0.0]})
    nest.Connect(cg, n, syn_spec={"delay": h})
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    mm = nest.Create("multimeter", params={"interval": 1.0, "record_from": ["V_m"]})
    nest.Connect(mm, n)
    nest.Simulate(120.0)
    times, trace, spikes = euler_glif(params, 250.0, 10.0, 110.0, 120.0, 0.001)
    ours = sr.events["times"]
    assert len(ours) == len(spikes) >= 4
    np.testing.assert_allclose(ours, spikes, rtol=0, atol=0.01)
    before = mm.events["times"] < ours[0] - 1.0
    euler_at = np.interp(mm.events["times"][before], times, trace)
    np.testing.assert_allclose(mm.events["V_m"][before], euler_at, rtol=0, atol=0.01)


def test_converted_cells_equal_nest_live():
    """NEST 3.10 accepts the converted parameters of all five levels and fires on the same steps (live)."""
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("nest") is None:
        pytest.skip("NEST not installed: pip install .[nest]")
    script = Path(__file__).resolve().parent / "allen_cells.py"
    done = subprocess.run([sys.executable, str(script), "nest"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("@@ALLEN ")][-1]
    reference = json.loads(line[len("@@ALLEN "):])
    spec = importlib.util.spec_from_file_location("allen_cells", script)
    cells = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cells)
    ours = json.loads(json.dumps(cells.run(nest)))
    assert ours == reference
    assert all(len(v["psc_spikes"]) >= 4 for v in ours.values())
