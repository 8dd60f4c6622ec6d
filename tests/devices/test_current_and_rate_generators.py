"""dc_generator, ac_generator, noise_generator and inhomogeneous_poisson_generator without NEST.

Their traces are compared with NEST in ``test_nest_devices.py``; these tests
pin down what needs no oracle: which targets they reach, reproducibility from
``rng_seed`` and across ``Simulate`` pieces, and the errors they raise.
"""

import numpy as np
import pytest

import eventsim as nest


def currents(model, params, pieces=(20.0,), n=3, seed=None):
    """I (pA) of `n` glif_cond driven by `model`, shape (samples, n)."""
    nest.ResetKernel()
    if seed is not None:
        nest.rng_seed = seed
    gen = nest.Create(model, params=params)
    neurons = nest.Create("glif_cond", n)
    mm = nest.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    nest.Connect(gen, neurons, syn_spec={"delay": 0.5})
    nest.Connect(mm, neurons)
    for t in pieces:
        nest.Simulate(t)
    ev = mm.events
    order = np.lexsort((np.asarray(ev["senders"]), np.asarray(ev["times"])))
    return np.asarray(ev["I"])[order].reshape(-1, n)


def test_dc_generator_drives_glif_cond():
    """A dc_generator's amplitude reaches the neuron's I, from start + delay + h (NEST's first-step rule)."""
    current = currents("dc_generator", {"amplitude": 120.0, "start": 0.0})
    np.testing.assert_array_equal(current[:5], 0.0)
    np.testing.assert_array_equal(current[5:], 120.0)


def test_ac_generator_follows_the_sine():
    """ac_generator: offset + amplitude sin(2 pi f t + phase), t the beginning of the step seen delay earlier."""
    p = {"amplitude": 30.0, "offset": 5.0, "frequency": 50.0, "phase": 90.0, "start": 1.0}
    current = currents("ac_generator", p, n=1)[:, 0]
    t = np.arange(1, len(current) + 1) * 0.1 - 0.5
    expected = np.where(t >= 1.0 - 1e-9, 5.0 + 30.0 * np.sin(2 * np.pi * 50.0 * t / 1000.0 + np.pi / 2), 0.0)
    np.testing.assert_allclose(current, expected, atol=1e-9)
    y = nest.GetStatus(nest.NodeCollection([1]))[0]
    assert set(y) >= {"y_0", "y_1", "amplitude", "offset", "frequency", "phase"}


@pytest.mark.parametrize("model, params", [
    ("noise_generator", {"mean": 3.0, "std": 20.0, "dt": 0.3}),
    ("noise_generator", {"std": 20.0, "std_mod": 10.0, "frequency": 70.0}),
])
def test_noise_is_reproducible_and_independent_of_pieces(model, params):
    """The same seed gives the same noise, in one call or in pieces; another seed another; targets differ."""
    one = currents(model, params, seed=7)
    assert not np.array_equal(one[:, 0], one[:, 1])
    pieces = currents(model, params, pieces=(0.7, 6.1, 13.2), seed=7)
    if params.get("std_mod"):
        # NEST restarts the sine at every call: the std differs in the last bits
        np.testing.assert_allclose(pieces, one, rtol=1e-12)
    else:
        np.testing.assert_array_equal(pieces, one)
    assert not np.array_equal(currents(model, params, seed=8), one)


def test_noise_changes_every_dt():
    """Each target's current is piecewise constant over dt = 1 ms, and redrawn at every dt."""
    current = currents("noise_generator", {"std": 10.0, "dt": 1.0})[:, 0]
    changes = np.flatnonzero(np.diff(current) != 0) + 1
    assert len(changes) > 10 and np.all(np.diff(changes[1:]) == 10)   # the first is the dropped first step


def test_inhomogeneous_poisson_into_parrots_and_recorder():
    """Per-target trains through parrots; a direct spike_recorder records the generator; pieces give the same."""
    def run(pieces):
        nest.ResetKernel()
        gen = nest.Create("inhomogeneous_poisson_generator",
                          params={"rate_times": [1.0, 5.0], "rate_values": [20_000.0, 0.0]})
        parrots = nest.Create("parrot_neuron", 3)
        sr, direct = nest.Create("spike_recorder"), nest.Create("spike_recorder")
        nest.Connect(gen, parrots, syn_spec={"delay": 0.2})
        nest.Connect(parrots, sr)
        nest.Connect(gen, direct)
        for t in pieces:
            nest.Simulate(t)
        return [(np.asarray(r.events["senders"]).tolist(), np.asarray(r.events["times"]).tolist())
                for r in (sr, direct)]
    relayed, direct = run([10.0])
    assert run([2.3, 7.7]) == [relayed, direct]
    times = np.asarray(relayed[1]) - 0.2
    assert times.min() >= 1.0 - 1e-9 and times.max() <= 4.9 + 1e-9
    assert set(direct[0]) == {1}
    assert len(set(relayed[0])) == 3


def test_inhomogeneous_poisson_rate_times_read_back_on_the_grid():
    """Off-grid rate_times move to the end of their step, as NEST reports them."""
    gen = nest.Create("inhomogeneous_poisson_generator",
                      params={"rate_times": [1.03, 2.0], "rate_values": [5.0, 0.0], "allow_offgrid_times": True})
    assert gen.get("rate_times").tolist() == [1.1, 2.0]


@pytest.mark.parametrize("model, params, match", [
    ("dc_generator", {"amplitude": "x"}, "amplitude"),
    ("dc_generator", {"amplitde": 1.0}, "amplitde"),
    ("ac_generator", {"frequency": "fast"}, "frequency"),
    ("noise_generator", {"std": -1.0}, "negative"),
    ("noise_generator", {"std": 1.0, "std_mod": 2.0}, "std_mod"),
    ("noise_generator", {"dt": 0.25}, "multiple of the resolution"),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.0], "rate_values": []}, "same size"),
    ("inhomogeneous_poisson_generator", {"rate_times": [2.0, 1.0], "rate_values": [1.0, 1.0]}, "increasing"),
    ("inhomogeneous_poisson_generator", {"rate_times": [0.0], "rate_values": [1.0]}, "future"),
    ("inhomogeneous_poisson_generator", {"rate_times": [1.05], "rate_values": [1.0]}, "resolution"),
])
def test_illegal_parameters(model, params, match):
    """Illegal parameters raise BadProperty naming the parameter or the problem."""
    with pytest.raises(nest.BadProperty, match=match):
        nest.Create(model, params=params)


def test_inhomogeneous_poisson_set_rules_as_nest():
    """rate_times and rate_values are set together; allow_offgrid_times only with rate_times or before any."""
    gen = nest.Create("inhomogeneous_poisson_generator")
    with pytest.raises(nest.BadProperty, match="Rate times and values must be reset together"):
        gen.set(rate_values=[10.0])
    gen.set(allow_offgrid_times=True)
    gen.set(rate_times=[1.23], rate_values=[10.0])
    assert gen.get("rate_times").tolist() == [1.3]
    with pytest.raises(nest.BadProperty, match="Option can only be set together with rate times"):
        gen.set(allow_offgrid_times=False)
    with pytest.raises(nest.BadProperty, match="Time point 1.25 is not representable in current resolution"):
        gen.set(allow_offgrid_times=False, rate_times=[1.25], rate_values=[10.0])
    nest.Simulate(2.0)
    with pytest.raises(nest.BadProperty, match="Time points must lie strictly in the future"):
        gen.set(rate_times=[2.0], rate_values=[10.0])


def test_noise_dt_off_the_grid_is_step_multiple_required():
    """A dt that is not a multiple of the resolution raises StepMultipleRequired (a BadProperty), as NEST."""
    with pytest.raises(nest.errors.StepMultipleRequired, match="0.25"):
        nest.Create("noise_generator", params={"dt": 0.25})


@pytest.mark.parametrize("model", ["dc_generator", "ac_generator", "noise_generator"])
def test_currents_do_not_go_to_parrots_or_recorders(model):
    """Current devices refuse parrots and spike recorders, and spike receptors of glif_cond."""
    gen = nest.Create(model)
    with pytest.raises(nest.IllegalConnection):
        nest.Connect(gen, nest.Create("parrot_neuron"))
    with pytest.raises(nest.IllegalConnection):
        nest.Connect(gen, nest.Create("spike_recorder"))
    with pytest.raises(nest.UnknownReceptorType):
        nest.Connect(gen, nest.Create("glif_cond"), syn_spec={"receptor_type": 1})


def _noise_current_of_last(connect_all, threads=1):
    """I (pA) of the last of 3 glif_psc fed by one noise_generator; all 3 connected or only the last."""
    nest.ResetKernel()
    nest.local_num_threads = threads
    noise = nest.Create("noise_generator", params={"mean": 10.0, "std": 50.0, "dt": 0.5})
    neurons = nest.Create("glif_psc", 3)
    mm = nest.Create("multimeter", params={"record_from": ["I"], "interval": 0.1})
    nest.Connect(noise, neurons if connect_all else neurons[2])
    nest.Connect(mm, neurons[2])
    nest.Simulate(20.0)
    return np.asarray(mm.events["I"]).tolist()


def test_noise_of_a_target_depends_only_on_the_pair():
    """A noise_generator's current into one neuron is the same whether it also feeds others or not."""
    alone = _noise_current_of_last(False)
    assert np.std(alone) > 10.0
    assert alone == _noise_current_of_last(True)
