"""Stiff and extreme legal glif_cond neurons run and agree with an accurate integration.

Tiny C_m, huge weights, synaptic time constants far below or far above the
step: every legal parameter set must run (no solver failure, no overflow) and
give V_m within 1e-5 mV of an independent implicit (Radau) integration at
tight tolerances (:mod:`glif_cond_reference`).  The neurons are kept below
threshold (V_th far away) so that the reference needs only the membrane.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import eventsim as nest
import subthreshold_paradigm
from glif_cond_reference import reference_v_m

#: Agreement with the reference (mV): 100 times below NEST's own error (RKF45, atol 1e-3); the
#: reference itself is good to about 1e-9 mV.
V_TOL = 1e-5


def run_subthreshold(params, h, n_steps, spike_times, weights, receptors, amplitude_times, amplitudes):
    """Simulate one glif_cond neuron (V_th far above) in eventsim; return V_m and I per step (arrays)."""
    v, i = subthreshold_paradigm.run(nest, params, h, n_steps, spike_times, weights, receptors, amplitude_times,
                                     amplitudes)
    return np.asarray(v), np.asarray(i)


def check_against_reference(params, h, n_steps, spike_times, weights, receptors, amplitude_times=(),
                            amplitudes=()):
    v, current = run_subthreshold(params, h, n_steps, spike_times, weights, receptors, list(amplitude_times),
                                  list(amplitudes))
    full = {**nest.GetDefaults("glif_cond"), **params}
    spikes = {}
    for t, w, r in zip(spike_times, weights, receptors):
        key = (int(round(t / h)) + 1, r)
        spikes[key] = spikes.get(key, 0.0) + w
    # the recorder's I at step j is the current due at the end of step j + 1, held from there on
    ref = reference_v_m(full, h, n_steps, spikes, np.r_[current, current[-1:]])
    assert v.shape == (n_steps - 1,)
    np.testing.assert_allclose(v, ref[:n_steps - 1], rtol=1e-9, atol=V_TOL)


# the cases of issue 10 that failed or went wrong (each with a step current of 300 pA from 1 ms)
@pytest.mark.parametrize("params, weight", [
    ({"C_m": 2.0}, 20.0),                                  # tau_m 0.21 ms
    ({"C_m": 0.05}, 50.0),                                 # tau_m 5 us: relaxes within a fraction of a step
    ({}, 1e6),                                             # one input of 1e6 nS
    ({"tau_syn": [0.003, 2.0]}, 1000.0),                   # tau_syn far below the step
    ({"tau_syn": [1e-9, 2.0]}, 1e6),
    ({"tau_syn": [0.1, 2.0]}, 1e4),                        # tau_syn ~ h, strong
    ({"tau_syn": [1e20, 2.0]}, 20.0),                      # tau_syn far above any time of the run
    ({"C_m": 1.0, "tau_syn": [0.01, 1e6]}, 3e5),
])
def test_extreme_legal_neurons_match_accurate_integration(params, weight):
    """Each runs and stays within 1e-5 mV of the Radau reference, spikes on both receptors."""
    check_against_reference(params, 0.1, 80, spike_times=[0.5, 2.0, 2.1, 6.0], weights=[weight, weight, 10.0, 5.0],
                            receptors=[1, 1, 2, 1], amplitude_times=[1.0], amplitudes=[300.0])


def test_conductance_of_1e5_nS_on_1_pF_converges():
    """Found by the fuzz: g ~ 5e5 nS on C_m 1 pF puts the membrane exponent A at 5e5 within a step.

    The quadrature once formed its weights as exp(A(s) - A(b)) from the two exponents, whose rounding
    (~1e-10) exceeded its tolerance, so it halved its pieces down to 1e-14 ms and never finished.
    """
    check_against_reference({"C_m": 1.0, "g_m": 0.21815165170269676, "E_L": -84.10841213713336,
                             "tau_syn": [27879100552842.188, 12.589254117941675],
                             "E_rev": [-80.18322798040909, -5.95347713394888]}, 1.0, 60,
                            spike_times=[2.0, 3.0, 20.0, 27.0, 31.0],
                            weights=[16331.437318614551, 0.20420241392560476, 1.0, 819703.2253129084, 1.0],
                            receptors=[1, 2, 2, 2, 2], amplitude_times=[5.0], amplitudes=[-1576.2763824138071])


def test_conductance_pulse_much_shorter_than_the_step_is_not_missed():
    """Found by the fuzz: tau_syn 1e-3 ms at h = 1 ms, a 10 nS input moving V by 2.5e-4 mV.

    The quadrature's 4 nodes per step all lie after such a pulse; fast receptors whose effect stayed
    below 1e-2 mV were left to it and the whole effect was lost (1.2e-3 mV from the reference seen).
    """
    check_against_reference({"C_m": 6692.383809042959, "g_m": 0.41168153622783205, "E_L": -78.79240458538838,
                             "tau_syn": [86683.27165047683, 0.0010355874606138296],
                             "E_rev": [8.725514499164476, -18.632587963255546]}, 1.0, 60,
                            spike_times=[12.0, 20.0, 22.0, 23.0, 25.0],
                            weights=[10.0, 1.0, 1.5294069647337118, 301533.3951205083, 0.03595707339387663],
                            receptors=[2, 1, 1, 1, 2], amplitude_times=[5.0], amplitudes=[842.1771677172746])


def test_steep_conductance_rise_converges_despite_rounding_of_times():
    """Found by the fuzz: dg 3.7e6 nS/ms on 1 pF; A grows by ~5e5 /ms at the end of a 1 ms step.

    A node's time is known to ~1e-16 ms, which alone moves its weight by ~5e-11, above the
    quadrature's relative tolerance; the halving went down to 1e-14 ms and Simulate stopped with
    "the membrane quadrature did not converge".
    """
    check_against_reference({"C_m": 1.0, "g_m": 0.4842712594430558, "E_L": -85.0,
                             "tau_syn": [0.4842712594430558, 41465394520099.33], "E_rev": [1e-11, 1.192092896e-07]},
                            1.0, 60, spike_times=[1.0, 7.0, 26.0, 30.0, 35.0, 44.0, 46.0, 46.0],
                            weights=[0.9999997255105045, 654347.6704303389, 0.9999999999747057, 0.9999999999747057,
                                     5885.23129465398, 0.4842712594430558, 1.0, 0.07943282347242814],
                            receptors=[1, 1, 1, 1, 1, 1, 1, 2], amplitude_times=[5.0], amplitudes=[-582.4836992377802])


def test_membrane_following_a_huge_conductance_matches_reference_between_its_steps():
    """Found by the fuzz: 5e5 nS on C_m 0.02 pF (membrane time constant 4e-8 ms), V following it quasi-statically.

    eventsim agreed with the quasi-static limit V_eq - C/g dV_eq/dt to 4e-9 mV, but the reference read V
    from Radau's dense output, whose interpolation between the solver's steps is not error-controlled:
    4.5e-5 mV off at steps 17-19.  The reference now stops the solver at every step.
    """
    check_against_reference({"C_m": 0.020096010650380903, "g_m": 4.632442290282439, "E_L": -72.13245986727966,
                             "tau_syn": [2.6915348039269156, 1.0], "E_rev": [-2.00001, 46.30126188429713]},
                            0.1, 60, spike_times=[0.2, 0.8, 0.8, 1.3, 4.3, 4.9],
                            weights=[51792.12674253882, 0.01, 477783.0688746991, 1.0, 1.0, 1.0],
                            receptors=[1, 1, 2, 1, 1, 1], amplitude_times=[0.5], amplitudes=[0.0])


# Found by the fuzz at 500 examples and still open: |V| of thousands of mV (tiny g_m, large current) off the
# reference (stable to 2e-11 mV between Radau rtol 1e-10 and 1e-12) by 1.5e-5 .. 5.4e-5 mV, 3e-9 .. 9e-9 relative.
# Both run through the input-dense path (no quiet stretch of 40 steps): 4-point Gauss-Legendre for the first,
# with the adaptive quadrature taking steps 4-31 of the second.
@pytest.mark.xfail(strict=True, reason="issue 10: relative error ~1e-8 of the membrane coefficients at |V| ~ 4e3 mV")
@pytest.mark.parametrize("params, h, times, weights, receptors, amplitude", [
    ({"C_m": 5.3265451656484775, "g_m": 0.015757190979532314, "E_L": -69.48829792191073,
      "tau_syn": [1.0, 4.274705163791917e+18], "E_rev": [0.0, 15.693533328714892]},
     1.0, [27.0], [1.0], [1], -1215.5054474819308),
    ({"C_m": 2.1869816528281407, "g_m": 0.0354186515056467, "E_L": -88.24101409783033,
      "tau_syn": [1150935388.7816207, 1.0], "E_rev": [-22.927214952950834, 1.3641380086012925e-142]},
     1.0, [3.0, 7.0, 13.0, 29.0, 42.0, 45.0],
     [55.386349669123376, 1.941272804407505, 475465.8726221226, 1.0, 1.0, 11.529612194360965],
     [2, 1, 2, 2, 2, 1], 1548.8493371436089),
])
def test_far_driven_membrane_matches_reference(params, h, times, weights, receptors, amplitude):
    """V driven to thousands of mV by a current on a tiny g_m stays within 1e-5 mV (+1e-9 relative)."""
    check_against_reference(params, h, 60, times, weights, receptors, amplitude_times=[5 * h],
                            amplitudes=[amplitude])


def test_one_stiff_neuron_does_not_stop_the_others():
    """A population with one 1e6 nS input among ordinary neurons runs; the ordinary ones are unchanged."""
    def run(weights):
        nest.ResetKernel()
        n = nest.Create("glif_cond", 5)
        sg = nest.Create("spike_generator", params={"spike_times": [2.0, 30.0]})
        for i, w in enumerate(weights):
            nest.Connect(sg, n[i], syn_spec={"weight": w, "receptor_type": 1})
        mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m"]})
        nest.Connect(mm, n)
        nest.Simulate(300.0)
        events = mm.events
        order = np.lexsort((events["senders"], events["times"]))
        return np.asarray(events["V_m"])[order].reshape(-1, 5)                # (time, neuron)
    normal = run([20.0] * 5)
    stiff = run([20.0, 20.0, 1e6, 20.0, 20.0])
    np.testing.assert_allclose(np.delete(stiff, 2, axis=1), np.delete(normal, 2, axis=1), rtol=0, atol=1e-9)
    assert np.all(np.isfinite(stiff[:, 2]))


log_uniform = lambda lo, hi: st.floats(np.log10(lo), np.log10(hi)).map(lambda x: float(10.0 ** x))  # noqa: E731


@st.composite
def legal_parameter_sets(draw):
    """Legal glif_cond parameters and input over the extremes of every scale (sub-threshold)."""
    R = draw(st.integers(1, 3))
    params = {"C_m": draw(log_uniform(0.01, 1e4)), "g_m": draw(log_uniform(0.01, 1e3)),
              "E_L": draw(st.floats(-90.0, -50.0)),
              "tau_syn": [draw(log_uniform(1e-4, 1e20)) for _ in range(R)],
              "E_rev": [draw(st.floats(-100.0, 50.0)) for _ in range(R)]}
    h = draw(st.sampled_from([0.1, 0.05, 0.025, 1.0]))
    n_spikes = draw(st.integers(0, 8))
    times = sorted(draw(st.lists(st.integers(1, 50), min_size=n_spikes, max_size=n_spikes)))
    weights = [draw(log_uniform(1e-3, 1e6)) for _ in range(n_spikes)]
    receptors = [draw(st.integers(1, R)) for _ in range(n_spikes)]
    amplitude = draw(st.floats(-2000.0, 2000.0))
    return params, h, [t * h for t in times], weights, receptors, amplitude


#: Fixed, derandomized budgets: 24 sets against the reference, 4 batches of 8 against NEST (56 in all).
FUZZ_EXAMPLES = 24
NEST_FUZZ_BATCHES = 4


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(legal_parameter_sets())
def test_fuzz_legal_parameter_sets_match_accurate_integration(case):
    """Hypothesis over legal parameter sets: every one runs and agrees with the Radau reference."""
    params, h, times, weights, receptors, amplitude = case
    check_against_reference(params, h, 60, times, weights, receptors, amplitude_times=[5 * h],
                            amplitudes=[amplitude])


#: Agreement with NEST (mV): NEST's RKF45 (atol 1e-3 on every state variable) is the larger error.
NEST_V_TOL = 2e-2


@settings(max_examples=NEST_FUZZ_BATCHES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(legal_parameter_sets(), min_size=8, max_size=8))
def test_fuzz_legal_parameter_sets_match_nest(cases):
    """Hypothesis, differential: batches of 8 legal parameter sets run in NEST (one subprocess per batch)."""
    if importlib.util.find_spec("nest") is None:
        pytest.skip("NEST not installed: pip install .[nest]")
    runs = [dict(params=p, h=h, n_steps=60, spike_times=t, weights=w, receptors=r, amplitude_times=[5 * h],
                 amplitudes=[a]) for p, h, t, w, r, a in cases]
    done = subprocess.run([sys.executable, subthreshold_paradigm.__file__], input=json.dumps(runs),
                          capture_output=True, text=True, timeout=300, cwd=str(Path(__file__).parent))
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith(subthreshold_paradigm.MARKER)]
    assert lines, f"NEST produced no result:\n{done.stderr[-2000:]}"
    for case, ref in zip(runs, json.loads(lines[-1][len(subthreshold_paradigm.MARKER):])):
        if ref is None:
            continue                                  # NEST itself refused or failed: nothing to compare
        v, _ = run_subthreshold(**case)
        np.testing.assert_allclose(v, ref[0], rtol=1e-5, atol=NEST_V_TOL, err_msg=repr(case))
