"""Module-level PyNEST API: kernel attributes, ResetKernel, Simulate, defaults, models and argument errors."""

import numpy as np
import pytest

import eventsim as nest
from eventsim.timegrid import is_on_grid, ms_to_steps, offgrid_to_steps, steps_to_ms

MODELS = ("ac_generator", "dc_generator", "glif_cond", "glif_psc", "glif_psc_double_alpha",
          "inhomogeneous_poisson_generator", "multimeter", "noise_generator", "parrot_neuron", "poisson_generator", "spike_generator", "spike_recorder",
          "step_current_generator")


# --- kernel attributes -------------------------------------------------------------------

def test_kernel_defaults():
    """A fresh kernel: resolution 0.1 ms, NEST's seed, time 0, no nodes, min_delay one step."""
    assert (nest.resolution, nest.rng_seed, nest.biological_time) == (0.1, 143202461, 0.0)
    status = nest.GetKernelStatus()
    assert {k: status[k] for k in ("resolution", "rng_seed", "biological_time", "min_delay", "network_size")} == \
        {"resolution": 0.1, "rng_seed": 143202461, "biological_time": 0.0, "min_delay": 0.1, "network_size": 0}


def test_reset_kernel_forgets_everything():
    """ResetKernel drops nodes, connections, time, resolution, seed and model defaults."""
    nest.resolution = 0.05
    nest.rng_seed = 7
    nest.SetDefaults("poisson_generator", {"rate": 3.0})
    a = nest.Create("parrot_neuron", 2)
    nest.Connect(a, a)
    nest.Simulate(1.0)
    nest.ResetKernel()
    assert (nest.resolution, nest.rng_seed, nest.biological_time) == (0.1, 143202461, 0.0)
    assert nest.GetKernelStatus("network_size") == 0
    assert len(nest.GetConnections()) == 0
    assert nest.GetDefaults("poisson_generator", "rate") == 0.0


def test_resolution_is_settable_before_nodes_exist():
    """resolution can be set (also via SetKernelStatus) while no node exists, and grids every time."""
    nest.resolution = 0.05
    assert nest.GetKernelStatus("resolution") == 0.05
    nest.SetKernelStatus({"resolution": 0.025})
    assert nest.resolution == 0.025
    sg = nest.Create("spike_generator", params={"spike_times": [0.025]})
    assert sg.spike_times.tolist() == [0.025]


def test_resolution_cannot_change_after_nodes_exist():
    """Changing the resolution once nodes exist is a KernelException."""
    nest.Create("parrot_neuron")
    with pytest.raises(nest.KernelException, match="after nodes were created"):
        nest.resolution = 0.05
    assert nest.resolution == 0.1


def test_resolution_cannot_change_after_simulate():
    """Changing the resolution after a Simulate is a KernelException, even without nodes."""
    nest.Simulate(1.0)
    with pytest.raises(nest.KernelException, match="simulation has started"):
        nest.resolution = 0.05


@pytest.mark.parametrize("value", [0.0, -0.1, np.inf, "fine", True, None])
def test_illegal_resolution(value):
    """The resolution must be a positive finite number."""
    with pytest.raises(nest.BadProperty, match="resolution must be a positive number"):
        nest.resolution = value


@pytest.mark.parametrize("value, match", [(0.00125, "multiple of the tic length"),
                                          (0.0015, "multiple of the tic length"),
                                          (0.0005, "greater than or equal to one tic"),
                                          (1e-7, "greater than or equal to one tic")])
def test_resolution_off_the_tic_grid_is_refused_as_nest(value, match):
    """NEST measures time in tics of 1 us and refuses other resolutions (KernelException, value unchanged)."""
    nest.resolution = 0.05
    with pytest.raises(nest.KernelException, match=match):
        nest.resolution = value
    assert nest.resolution == 0.05
    nest.resolution = 0.001                                   # one tic is fine
    assert nest.resolution == 0.001


def test_rng_seed_settable_including_zero():
    """rng_seed takes integers in [0, 2**32), also after nodes exist."""
    nest.rng_seed = 0
    assert nest.rng_seed == 0
    nest.Create("parrot_neuron")
    nest.SetKernelStatus({"rng_seed": 2 ** 32 - 1})
    assert nest.GetKernelStatus("rng_seed") == 2 ** 32 - 1


@pytest.mark.parametrize("value", [-1, 2 ** 32, 1.5, True, "3"])
def test_illegal_rng_seed(value):
    """Seeds outside [0, 2**32) or not integers are refused."""
    with pytest.raises(nest.BadProperty, match="rng_seed must be an integer"):
        nest.rng_seed = value


def test_biological_time_counts_simulated_ms_and_is_read_only():
    """biological_time is the sum of the Simulate calls (NEST's float) and cannot be set (except to 0 before
    any Simulate, as NEST)."""
    for t in (0.1, 0.2, 0.3, 1.7):
        nest.Simulate(t)
    assert nest.biological_time == 2.3000000000000003  # 2300 tics x 0.001, as NEST prints it
    assert nest.GetKernelStatus("biological_time") == nest.biological_time
    with pytest.raises(nest.BadProperty, match="biological_time cannot be reset"):
        nest.biological_time = 0.0
    with pytest.raises(nest.BadProperty, match="only be set to 0.0"):
        nest.biological_time = 3.0


def test_simulate_zero_is_a_no_op():
    """Simulate(0) changes nothing."""
    nest.Simulate(0.0)
    assert nest.biological_time == 0.0


@pytest.mark.parametrize("t, error, match", [
    (-1.0, nest.BadParameter, "non-negative"),
    (np.nan, nest.BadParameter, "non-negative"),
    ("10", nest.BadParameter, "non-negative"),
    (True, nest.BadParameter, "non-negative"),
    (1.05, nest.BadParameter, "not a multiple of the resolution"),  # NEST's class
])
def test_illegal_simulation_times(t, error, match):
    """Simulate refuses negative, non-numeric and off-grid times."""
    with pytest.raises(error, match=match):
        nest.Simulate(t)
    assert nest.biological_time == 0.0


def test_kernel_status_min_delay_and_unsettable_keys():
    """min_delay is the smallest delay of all connections; it can be fixed (with max_delay) only before."""
    a = nest.Create("parrot_neuron", 2)
    nest.Connect(a[0], a[1], syn_spec={"delay": 2.0})
    assert nest.GetKernelStatus("min_delay") == 2.0
    nest.Connect(a[1], nest.Create("spike_recorder"), syn_spec={"delay": 0.5})
    assert nest.GetKernelStatus(["min_delay", "network_size"]) == (0.5, 3)
    with pytest.raises(nest.BadProperty, match="both min_delay and max_delay"):
        nest.SetKernelStatus({"min_delay": 1.0})
    with pytest.raises(nest.BadProperty, match="connections exist"):
        nest.SetKernelStatus({"min_delay": 1.0, "max_delay": 2.0})


# --- Simulate in pieces ---------------------------------------------------------------------------

def network_run(pieces):
    """A mixed network (generators, glif_cond neurons with recurrence, parrots), simulated in `pieces`."""
    nest.ResetKernel()
    pg = nest.Create("poisson_generator", params={"rate": 8000.0})
    sg = nest.Create("spike_generator", params={"spike_times": [5.0, 5.1, 40.0], "spike_multiplicities": [2, 1, 3]})
    sc = nest.Create("step_current_generator", params={"amplitude_times": [20.0, 60.0],
                                                        "amplitude_values": [150.0, 0.0]})
    n = nest.Create("glif_cond", 3, params={"spike_dependent_threshold": True, "after_spike_currents": True,
                                            "adapting_threshold": True})
    p = nest.Create("parrot_neuron", 2)
    sr = nest.Create("spike_recorder")
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "g_1", "I", "threshold"], "interval": 0.1})
    nest.Connect(pg, n, syn_spec={"weight": 2.0, "receptor_type": 1, "delay": 0.5})
    nest.Connect(pg + sg, p)
    nest.Connect(sc, n, syn_spec={"delay": 0.1})
    nest.Connect(n, n, {"rule": "fixed_indegree", "indegree": 2}, {"weight": 1.0, "receptor_type": 2, "delay": 1.5})
    nest.Connect(p, n, syn_spec={"weight": 3.0, "receptor_type": 1})
    nest.Connect(n + p, sr)
    nest.Connect(mm, n)
    for t in pieces:
        nest.Simulate(t)
    return {k: np.asarray(v) for k, v in sr.events.items()}, {k: np.asarray(v) for k, v in mm.events.items()}


@pytest.fixture(scope="module")
def one_call():
    """The network simulated in one 100 ms call."""
    return network_run([100.0])


@pytest.mark.parametrize("pieces", [[10.0] * 10, [0.1, 33.3, 66.6], [50.0, 0.0, 50.0]])
def test_simulate_in_pieces_gives_the_same_spikes(one_call, pieces):
    """Spike senders and times of glif_cond neurons and parrots are identical when simulated in pieces."""
    spikes, _ = network_run(pieces)
    assert len(one_call[0]["times"]) > 100
    np.testing.assert_array_equal(spikes["senders"], one_call[0]["senders"])
    np.testing.assert_array_equal(spikes["times"], one_call[0]["times"])


@pytest.mark.parametrize("pieces", [[10.0] * 10, [0.1, 33.3, 66.6]])
def test_simulate_in_pieces_gives_the_same_traces(one_call, pieces):
    """With input at nearly every step (per-step quadrature) the traces in pieces are bit-identical."""
    _, samples = network_run(pieces)
    for key in ("times", "senders", "I", "V_m", "g_1", "threshold"):
        np.testing.assert_array_equal(samples[key], one_call[1][key], err_msg=key)


def sparse_run(pieces):
    """One glif_cond neuron driven by a few input spikes (long input-free stretches), simulated in `pieces`."""
    nest.ResetKernel()
    n = nest.Create("glif_cond", params={"after_spike_currents": True, "spike_dependent_threshold": True})
    sg = nest.Create("spike_generator", params={"spike_times": [5.0, 30.0, 31.0, 60.0]})
    nest.Connect(sg, n, syn_spec={"weight": 60.0, "receptor_type": 1})
    mm = nest.Create("multimeter", params={"record_from": ["V_m", "g_1"], "interval": 0.1})
    sr = nest.Create("spike_recorder")
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    for t in pieces:
        nest.Simulate(t)
    return sr.events["times"], mm.events


def test_simulate_in_pieces_with_sparse_input_is_bit_identical():
    """Input-free stretches too are integrated step by step, so call boundaries change nothing."""
    spikes, samples = sparse_run([100.0])
    spikes_p, samples_p = sparse_run([7.3, 25.0, 30.0, 37.7])
    assert len(spikes) > 0
    np.testing.assert_array_equal(spikes_p, spikes)
    for key in ("times", "g_1", "V_m"):
        np.testing.assert_array_equal(samples_p[key], samples[key], err_msg=key)


def test_solve_ivp_on_quiet_stretches_agrees_with_quadrature(monkeypatch):
    """glif_cond.QUIET_INTEGRATOR = "solve_ivp" integrates input-free stretches by scipy's solver: the same
    spikes, V_m within the solver's tolerance (1e-6 mV), also when a call boundary cuts a stretch."""
    from eventsim.nodes import glif_cond
    spikes, samples = sparse_run([100.0])
    monkeypatch.setattr(glif_cond, "QUIET_INTEGRATOR", "solve_ivp")
    for pieces in ([100.0], [7.3, 25.0, 30.0, 37.7]):
        spikes_s, samples_s = sparse_run(pieces)
        np.testing.assert_array_equal(spikes_s, spikes)
        np.testing.assert_array_equal(samples_s["g_1"], samples["g_1"])
        np.testing.assert_allclose(samples_s["V_m"], samples["V_m"], rtol=0, atol=1e-6)
        assert np.max(np.abs(samples_s["V_m"] - samples["V_m"])) > 0      # the solver really ran


def test_unknown_quiet_integrator_is_refused_before_the_run(monkeypatch):
    """A misspelt QUIET_INTEGRATOR raises BadProperty naming it, before any time passes."""
    from eventsim.nodes import glif_cond
    nest.ResetKernel()
    nest.Create("glif_cond")
    monkeypatch.setattr(glif_cond, "QUIET_INTEGRATOR", "solve-ivp")
    with pytest.raises(nest.BadProperty, match="'solve-ivp'"):
        nest.Simulate(1.0)
    assert nest.biological_time == 0.0


@pytest.mark.parametrize("bad", [0, -5, 2.5, "8192", True])
def test_bad_neurons_per_block_is_refused_before_the_run(monkeypatch, bad):
    """glif_cond.NEURONS_PER_BLOCK must be a positive integer: anything else raises BadProperty naming the value,
    before any time passes."""
    from eventsim.nodes import glif_cond
    nest.ResetKernel()
    nest.Create("glif_cond")
    monkeypatch.setattr(glif_cond, "NEURONS_PER_BLOCK", bad)
    with pytest.raises(nest.BadProperty, match=f"NEURONS_PER_BLOCK must be a positive integer, got {bad!r}"):
        nest.Simulate(1.0)
    assert nest.biological_time == 0.0


# --- models and defaults ------------------------------------------------------------------------------

def test_node_models_lists_the_models_and_is_read_only():
    """node_models names every model (sorted) and cannot be assigned."""
    assert nest.node_models == list(MODELS)
    with pytest.raises(AttributeError, match="read-only"):
        nest.node_models = ()


@pytest.mark.parametrize("call", [lambda: nest.Create("iaf_psc_alpha"), lambda: nest.GetDefaults("iaf_psc_alpha"),
                                  lambda: nest.SetDefaults("iaf_psc_alpha", {"V_m": 0.0})])
def test_unknown_model_lists_known_ones(call):
    """An unknown model name raises UnknownModelName listing the available models."""
    with pytest.raises(nest.UnknownModelName, match="unknown model 'iaf_psc_alpha': iaf_psc_alpha is not a known model name; "
                                                  "available models: ac_generator, dc_generator, glif_cond"):
        call()


def test_get_defaults():
    """GetDefaults gives a dict, one value for a key, a list of values for a list of keys."""
    d = nest.GetDefaults("poisson_generator")
    assert {k: d[k] for k in ("rate", "origin", "start", "stop", "model")} == {
        "rate": 0.0, "origin": 0.0, "start": 0.0, "stop": np.inf, "model": "poisson_generator"}
    assert nest.GetDefaults("poisson_generator", "rate") == 0.0
    assert nest.GetDefaults("poisson_generator", ["rate", "start"]) == [0.0, 0.0]
    with pytest.raises(KeyError, match="colour"):
        nest.GetDefaults("poisson_generator", "colour")


def test_set_defaults_applies_to_later_nodes_only():
    """SetDefaults changes the defaults for nodes created afterwards, not existing ones."""
    before = nest.Create("poisson_generator")
    nest.SetDefaults("poisson_generator", {"rate": 7.0})
    nest.SetDefaults("poisson_generator", "start", 2.0)
    after = nest.Create("poisson_generator")
    assert (before.rate, after.rate, after.start) == (0.0, 7.0, 2.0)
    assert nest.GetDefaults("poisson_generator", ["rate", "start"]) == [7.0, 2.0]
    assert nest.Create("poisson_generator", params={"rate": 1.0}).rate == 1.0


@pytest.mark.parametrize("params, match", [({"colour": 1.0}, "no parameter 'colour'"),
                                           ({"rate": -1.0}, "negative"),
                                           ({"rate": "fast"}, "must be a number")])
def test_set_defaults_errors(params, match):
    """SetDefaults validates names and values like Create, and changes nothing on error."""
    with pytest.raises(nest.BadProperty, match=match):
        nest.SetDefaults("poisson_generator", params)
    assert nest.GetDefaults("poisson_generator", "rate") == 0.0


# --- Create arguments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [0, -1, "3", True, None])
def test_create_needs_a_positive_integer(n):
    """n must be a positive integer."""
    with pytest.raises(nest.BadParameter, match="n must be a positive integer"):
        nest.Create("parrot_neuron", n)


@pytest.mark.parametrize("params, error, match", [
    (5, nest.BadParameter, "params must be a dict"),
    ({"rate": "fast"}, nest.BadProperty, "rate must be a number"),
    ({"rate": None}, nest.BadProperty, "rate must be a number"),
    ({"ratee": 1.0}, nest.BadProperty, "no parameter 'ratee'; known parameters: origin, rate, start, stop"),
])
def test_create_parameter_errors(params, error, match):
    """Wrong types and unknown parameter names are refused at Create, and no node is made."""
    with pytest.raises(error, match=match):
        nest.Create("poisson_generator", params=params)
    assert nest.GetKernelStatus("network_size") == 0


def test_spatial_positions_are_not_supported():
    """positions= raises BadParameter."""
    with pytest.raises(nest.BadParameter, match="positions"):
        nest.Create("parrot_neuron", 2, positions=[(0, 0), (1, 1)])


def test_errors_are_eventsim_errors():
    """Every error class derives from EventSimError, and the value errors from ValueError."""
    for cls in (nest.BadProperty, nest.BadParameter, nest.BadDelay, nest.UnknownReceptorType,
                nest.IncompatibleReceptorType, nest.IllegalConnection):
        assert issubclass(cls, nest.EventSimError) and issubclass(cls, ValueError)
    assert issubclass(nest.BadDelay, nest.BadProperty)
    assert issubclass(nest.UnknownModelName, KeyError)
    assert issubclass(nest.KernelException, RuntimeError)


# --- time grid ---------------------------------------------------------------------------------------------

def test_grid_follows_nest_tics():
    """Times within half a tic (0.5 us) of a step are on the grid; steps print as tics x 0.001 ms."""
    np.testing.assert_array_equal(is_on_grid([1.0, 1.0004, 1.0006, 1.05, 0.30000000000000004], 0.1),
                                  [True, True, False, False, True])
    assert ms_to_steps(1.0004, 0.1) == 10
    np.testing.assert_array_equal(offgrid_to_steps([1.0004, 1.0006, 1.04, 1.1], 0.1), [10, 11, 11, 11])
    assert steps_to_ms(23, 0.1) == 2.3000000000000003
    assert steps_to_ms(48, 0.1) == 4.8
    assert steps_to_ms(3, 0.05) == 0.15
