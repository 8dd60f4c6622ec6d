"""User actors: node models written as SimPy processes, their causality and their errors."""

import numpy as np
import pytest
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import eventsim as nest
from eventsim.nodes.actor import remove_model


@pytest.fixture(scope="module", autouse=True)
def actor_models():
    """Define the actor models of these tests (module actor_models), and forget them afterwards, so that the
    other test modules see the built-in models only."""
    before = set(nest.node_models)
    import actor_models as models  # noqa: F401  (defining the classes registers the models)
    import closed_loop_models  # noqa: F401
    yield
    for name in set(nest.node_models) - before:
        remove_model(name)


def actors_of(nodes):
    """The Actor instances of `nodes` (one Create call of an actor model)."""
    pop = nest.get_kernel().node_of(nodes[0].global_id)[0]
    return [pop.actors[g - pop.first_gid] for g in nodes.tolist()]


def relay_network(model):
    """Generators -> relays (two Create calls, unsorted and repeated ids) -> a recorder and a neuron."""
    sg = nest.Create("spike_generator", 2, params=[
        {"spike_times": [1.0, 2.0, 2.0, 5.5, 12.3], "spike_multiplicities": [1, 2, 3, 1, 4]},
        {"spike_times": [2.0, 3.1, 15.0]}])
    pg = nest.Create("poisson_generator", params={"rate": 3000.0})
    relays = nest.Create(model, 3) + nest.Create(model, 2)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, relays[0:3], syn_spec={"delay": 0.3})
    nest.Connect(sg[1], relays[4], syn_spec={"delay": 1.7, "receptor_type": 1})      # ignored port
    pg_id = pg.global_id
    nest.Connect([pg_id] * 3, [relays[3].global_id, relays[1].global_id, relays[3].global_id], "one_to_one",
                 syn_spec={"delay": [0.5, 0.2, 0.9]})
    nest.Connect(relays, sr, syn_spec={"delay": 0.7})
    neuron = nest.Create("glif_cond")
    nest.Connect(relays, neuron, syn_spec={"delay": 0.2, "weight": 30.0, "receptor_type": 1})
    sr_neuron = nest.Create("spike_recorder")
    nest.Connect(neuron, sr_neuron)
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m"]})
    nest.Connect(mm, neuron)
    return sr, sr_neuron, mm


def run_relay_network(model, pieces):
    nest.ResetKernel()
    nest.rng_seed = 7
    sr, sr_neuron, mm = relay_network(model)
    for t in pieces:
        nest.Simulate(t)
    return sr.events, sr_neuron.events, mm.events["V_m"]


@pytest.mark.parametrize("pieces", [[20.0], [3.0, 0.1, 9.9, 7.0]])
def test_relay_actor_gives_parrot_neurons_output(pieces):
    """Same spike times, senders, multiplicities (as repeated spikes), delays and downstream V_m as
    parrot_neuron, in one Simulate call or in pieces."""
    parrot, parrot_neuron_spikes, parrot_v = run_relay_network("parrot_neuron", pieces)
    relay, relay_neuron_spikes, relay_v = run_relay_network("test_relay", pieces)
    assert len(parrot["times"]) > 20
    for a, b in ((parrot, relay), (parrot_neuron_spikes, relay_neuron_spikes)):
        np.testing.assert_array_equal(a["times"], b["times"])
        np.testing.assert_array_equal(a["senders"], b["senders"])
    np.testing.assert_array_equal(parrot_v, relay_v)


@pytest.mark.parametrize("interval, delay", [(5.0, 0.5), (2.0, 0.1), (10.0, 1.0)])
def test_closed_loop_actor_equals_pynest_style_loop(interval, delay):
    """A PI controller as an actor gives exactly the spikes and currents of the same law done PyNEST style
    (Simulate in pieces, read events, set a step_current_generator)."""
    from closed_loop_models import run_actor_loop, run_pynest_loop
    actor_spikes, actor_currents = run_actor_loop(3, interval, 200.0, delay)
    loop_spikes, loop_currents = run_pynest_loop(3, interval, 200.0, delay)
    assert len(actor_spikes["times"]) > 10
    np.testing.assert_array_equal(actor_spikes["times"], loop_spikes["times"])
    np.testing.assert_array_equal(actor_spikes["senders"], loop_spikes["senders"])
    for a, b in zip(actor_currents, loop_currents):
        assert a == b[:len(a)] and len(a) >= len(b) - 1
    assert len({tuple(c) for c in actor_currents}) >= 2          # the neurons are controlled each on its own


def test_messages_arrive_at_stamp_plus_delay_with_weights_and_receptors():
    """A Spikes message holds sender, multiplicity, weight and receptor of each event and arrives at
    stamp + delay, batched per node and step."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0], "spike_multiplicities": [2, 1]})
    sg2 = nest.Create("spike_generator", params={"spike_times": [1.5]})
    listener = nest.Create("test_listener", 2)
    nest.Connect(sg, listener[0], syn_spec={"delay": 0.5, "weight": 3.0, "receptor_type": 2})
    nest.Connect(sg2, listener[0], syn_spec={"delay": 1.0, "weight": -1.0, "receptor_type": 1})
    nest.Connect(sg, listener[1], syn_spec={"delay": 0.1})
    nest.Simulate(5.0)
    log0, log1 = (a.log for a in actors_of(listener))
    assert [(step, m.step) for step, m in log0] == [(15, 15), (25, 25)]
    first, second = log0[0][1], log0[1][1]
    assert isinstance(first, nest.Spikes) and first.time == 1.5
    np.testing.assert_array_equal(first.multiplicities, [2])
    assert second.time == 2.5                               # sg's 2.0 + 0.5 and sg2's 1.5 + 1.0: one message
    np.testing.assert_array_equal(second.senders, [sg.global_id, sg2.global_id])
    np.testing.assert_array_equal(second.multiplicities, [1, 1])
    np.testing.assert_array_equal(second.weights, [3.0, -1.0])
    np.testing.assert_array_equal(second.receptors, [2, 1])
    assert [step for step, _ in log1] == [11, 21]


def test_current_device_reaches_an_actor_as_current_messages():
    """A dc_generator's current arrives as one Current message per step, weighted: active for the steps
    beginning in [1.0, 1.5) ms, it is the input from 1.0 + delay to 1.5 + delay (as a neuron's I)."""
    dc = nest.Create("dc_generator", params={"amplitude": 10.0, "start": 1.0, "stop": 1.5})
    listener = nest.Create("test_listener")
    nest.Connect(dc, listener, syn_spec={"receptor_type": 3, "weight": 2.0, "delay": 0.3})
    nest.Simulate(3.0)
    log = actors_of(listener)[0].log
    assert all(isinstance(m, nest.Current) and m.amplitude == 20.0 and m.step == step for step, m in log)
    assert [step for step, _ in log] == [13, 14, 15, 16, 17]


def test_probe_samples_equal_the_multimeter_and_arrive_at_their_time():
    """Samples asked for by a plain SimPy process arrive at their time, with the multimeter's values."""
    neurons = nest.Create("glif_cond", 2, params={"V_th": [-60.0, -55.0]})
    dc = nest.Create("dc_generator", params={"amplitude": 300.0})
    nest.Connect(dc, neurons)
    mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": ["V_m", "threshold"]})
    nest.Connect(mm, neurons)
    kernel = nest.get_kernel()
    probe = kernel.observe(neurons[1], ["V_m"], [0.5, 2.0, 7.5])
    got = []

    def watcher():
        for _ in range(3):
            message = yield probe.get()
            got.append((kernel.env.now, message))
    kernel.env.process(watcher())
    nest.Simulate(20.0)
    assert [now for now, _ in got] == [5, 20, 75] == [m.step for _, m in got]
    ev = mm.events
    for _, message in got:
        row = (ev["times"] == message.time) & (ev["senders"] == neurons[1].global_id)
        assert message.values["V_m"].tolist() == ev["V_m"][row].tolist()
        np.testing.assert_array_equal(message.senders, [neurons[1].global_id])


@pytest.mark.parametrize("pieces", [[10.0], [1.0, 1.5, 0.1, 7.4]])
def test_held_current_equals_a_step_current_generator(pieces):
    """send_current(a) at t holds a from t + delay on, as a step_current_generator with amplitude time t."""
    def run(make_source):
        nest.ResetKernel()
        neuron = nest.Create("glif_cond")
        mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["I", "V_m"]})
        nest.Connect(mm, neuron)
        nest.Connect(make_source(), neuron, syn_spec={"delay": 0.4, "weight": 2.0})
        for t in pieces:
            nest.Simulate(t)
        return mm.events
    actor = run(lambda: nest.Create("test_step_stimulus"))
    scg = run(lambda: nest.Create("step_current_generator", params={"amplitude_times": [1.0, 3.0],
                                                                   "amplitude_values": [100.0, 0.0]}))
    assert actor["I"].max() == 200.0
    for key in ("times", "I"):
        np.testing.assert_array_equal(actor[key], scg[key])
    # the actor's targets advance in chunks of the delay: V_m's last bits follow the chunking
    np.testing.assert_allclose(actor["V_m"], scg["V_m"], rtol=0, atol=1e-9)


# --- causality over random networks -----------------------------------------------------------------
def random_network(draw_delays, n_neurons, relays, observe, seed):
    """Poisson-driven glif_cond neurons coupled by random delays, relay actors in between, optionally
    silent observers on every neuron; returns (spike events, V_m events, observers' logs, delays)."""
    nest.ResetKernel()
    nest.rng_seed = seed
    neurons = nest.Create("glif_cond", n_neurons)
    pg = nest.Create("poisson_generator", params={"rate": 20000.0})
    nest.Connect(pg, neurons, syn_spec={"weight": 2.0, "receptor_type": 1, "delay": draw_delays[0]})
    nest.Connect(neurons, neurons, {"rule": "fixed_indegree", "indegree": 2},
                 syn_spec={"weight": 5.0, "receptor_type": 1, "delay": draw_delays[1]})
    if relays:
        relay = nest.Create("test_relay", n_neurons)
        nest.Connect(neurons, relay, "one_to_one", syn_spec={"delay": draw_delays[2]})
        nest.Connect(relay, neurons, {"rule": "fixed_outdegree", "outdegree": 2},
                     syn_spec={"weight": 4.0, "receptor_type": 1, "delay": draw_delays[3]})
    sr = nest.Create("spike_recorder")
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m"]})
    nest.Connect(neurons, sr)
    nest.Connect(mm, neurons)
    observers = None
    if observe:
        observers = nest.Create("test_observer", n_neurons, params={"watch": neurons.tolist()})
        nest.Connect(neurons, observers, "one_to_one", syn_spec={"delay": draw_delays[4]})
        nest.Connect(neurons, observers, {"rule": "fixed_indegree", "indegree": 1},
                     syn_spec={"delay": draw_delays[0], "receptor_type": 1})
    nest.Simulate(8.0)
    nest.Simulate(12.0)
    logs = [a.log for a in actors_of(observers)] if observers is not None else None
    # NEST orders events by min_delay slice, and shows samples up to the last slice: the observers'
    # connections change min_delay, so compare spikes by (time, sender) and samples as time x sender
    ev = sr.events
    order = np.lexsort((ev["senders"], ev["times"]))
    return {k: v[order] for k, v in ev.items()}, mm.to_dataset()["V_m"].values, logs


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(delays=st.lists(st.sampled_from([0.1, 0.2, 0.3, 0.7, 1.0, 2.5]), min_size=5, max_size=5),
       n=st.integers(2, 5), relays=st.booleans(), seed=st.integers(1, 1000))
def test_no_actor_receives_a_message_before_its_time_and_observers_change_nothing(delays, n, relays, seed):
    """Every message reaches an observer at exactly its step (spikes at stamp + delay, samples at their
    time), and attaching the silent observers leaves spikes and V_m of the network bit for bit unchanged."""
    spikes, v_m, _ = random_network(delays, n, relays, False, seed)
    spikes_obs, v_m_obs, logs = random_network(delays, n, relays, True, seed)
    np.testing.assert_array_equal(spikes["times"], spikes_obs["times"])
    np.testing.assert_array_equal(spikes["senders"], spikes_obs["senders"])
    rows = min(len(v_m), len(v_m_obs))
    assert rows >= 190
    np.testing.assert_array_equal(v_m[:rows], v_m_obs[:rows])
    sample_count = 0
    for log in logs:
        for received_at, message in log:
            assert received_at == message.step
            sample_count += isinstance(message, nest.Samples)
    assert sample_count == 39 * n
    # every spike of the one_to_one observer connection arrived exactly at stamp + delay
    delay_steps = int(round(delays[4] / 0.1))
    for gid, log in zip(range(1, n + 1), logs):
        arrived = [m.step for _, m in log if isinstance(m, nest.Spikes) and gid in m.senders.tolist()
                   and 0 in m.receptors[m.senders == gid].tolist()]
        stamps = np.round(spikes["times"][spikes["senders"] == gid] / 0.1).astype(int)
        expected = sorted(set(s + delay_steps for s in stamps if s + delay_steps <= 200))
        assert arrived == expected


# --- a user's own environment ----------------------------------------------------------------------------
def test_kernel_in_a_users_environment_runs_their_processes_beside_the_network():
    """User processes run beside the network, the clocks agree, and env.run alone is refused at Simulate."""
    env = simpy.Environment()
    kernel = nest.Kernel(env=env)
    kernel.resolution = 0.1
    neuron = kernel.create("glif_cond")
    relay = kernel.create("test_relay")
    sr = kernel.create("spike_recorder")
    sg = kernel.create("spike_generator", params={"spike_times": [2.0, 4.0]})
    kernel.connect(sg, relay, syn_spec={"delay": 0.5})
    kernel.connect(relay, sr)
    kernel.connect(relay, neuron, syn_spec={"weight": 50.0, "receptor_type": 1})
    ticks = []

    def agent():
        while True:
            yield env.timeout(kernel.ms_to_steps(1.0))
            ticks.append((env.now, kernel.biological_time))
    env.process(agent())
    kernel.simulate(5.0)
    assert env.now == kernel.ms_to_steps(5.0) == 50
    assert [t for t, _ in ticks] == [10, 20, 30, 40, 50]
    assert sr.events["times"].tolist() == [2.5, 4.5]
    env.run(until=60)
    with pytest.raises(nest.KernelException, match="not at the network's time"):
        kernel.simulate(1.0)


def test_user_environment_must_start_at_zero():
    env = simpy.Environment(initial_time=5)
    with pytest.raises(nest.BadParameter, match="clock must be at 0"):
        nest.Kernel(env=env)
    with pytest.raises(nest.BadParameter, match="simpy.Environment"):
        nest.Kernel(env="env")


# --- errors ----------------------------------------------------------------------------------------------
def test_model_names_cannot_be_taken_twice():
    with pytest.raises(nest.BadParameter, match="built-in model"):
        class Fake(nest.Actor, model="glif_cond"):
            def run(self):
                yield self.timeout(1.0)
    with pytest.raises(nest.BadParameter, match="replace=True"):
        class Again(nest.Actor, model="test_relay"):
            def run(self):
                yield self.timeout(1.0)


def test_declarations_are_checked_at_class_definition():
    with pytest.raises(nest.BadParameter, match="generator"):
        class NoYield(nest.Actor, model="test_no_yield"):
            def run(self):
                return 1
    with pytest.raises(nest.BadParameter, match="generator"):
        class NoRun(nest.Actor, model="test_no_run"):
            pass
    with pytest.raises(nest.BadParameter, match="emits"):
        class BadEmits(nest.Actor, model="test_bad_emits"):
            emits = "voltage"

            def run(self):
                yield self.timeout(1.0)
    with pytest.raises(nest.BadParameter, match="units given for 'tau'"):
        class BadUnits(nest.Actor, model="test_bad_units"):
            defaults = {"rate": 1.0}
            units = {"tau": "ms"}

            def run(self):
                yield self.timeout(1.0)
    with pytest.raises(nest.BadParameter, match="both spikes and currents"):
        class BadPorts(nest.Actor, model="test_bad_ports"):
            current_ports = (0,)

            def run(self):
                yield self.timeout(1.0)


def test_parameters_are_checked_like_built_in_ones():
    with pytest.raises(nest.BadProperty, match="interval must be a number"):
        nest.Create("test_pi_controller", params={"interval": "fast"})
    with pytest.raises(nest.BadProperty, match="no parameter 'intervall'"):
        nest.Create("test_pi_controller", params={"intervall": 1.0})
    ctrl = nest.Create("test_pi_controller", 2, params={"Kp": [1.0, 3.0]})
    assert ctrl.get("Kp") == [1.0, 3.0] or list(ctrl.get("Kp")) == [1.0, 3.0]


@pytest.mark.parametrize("what, error, match", [("current", nest.BadParameter, "emits='spikes'"),
                                                ("spikes", nest.BadParameter, "multiplicity")])
def test_misused_sends_raise(what, error, match):
    nest.Create("test_wrong_sender", params={"what": what})
    with pytest.raises(error, match=match):
        nest.Simulate(2.0)


def test_sending_outside_a_run_is_refused():
    relay = nest.Create("test_relay")
    nest.Simulate(1.0)
    with pytest.raises(nest.KernelException, match="only possible while Simulate runs"):
        actors_of(relay)[0].send_spikes()


def test_held_current_cannot_go_to_an_actor():
    with pytest.raises(nest.IllegalConnection, match="connect actors by spikes"):
        nest.Connect(nest.Create("test_step_stimulus"), nest.Create("test_listener"),
                     syn_spec={"receptor_type": 3})


def test_stimulator_actor_accepts_no_input():
    with pytest.raises(nest.IllegalConnection, match="does not accept input"):
        nest.Connect(nest.Create("spike_generator"), nest.Create("test_step_stimulus"))


def test_observe_refuses_the_past_unknown_names_and_actors():
    neuron = nest.Create("glif_cond")
    kernel = nest.get_kernel()
    nest.Simulate(5.0)
    with pytest.raises(nest.BadParameter, match="not later than 5.0 ms"):
        kernel.observe(neuron, ["V_m"], [5.0])
    with pytest.raises(nest.BadProperty, match="cannot be observed for 'U_m'"):
        kernel.observe(neuron, ["U_m"], [6.0])
    with pytest.raises(nest.BadParameter, match="no recordables"):
        kernel.observe(nest.Create("test_relay"), ["V_m"], [6.0])
    with pytest.raises(nest.BadProperty, match="not a multiple"):
        kernel.observe(neuron, ["V_m"], [6.05])


def test_interrupted_run_with_actors_cannot_continue():
    class Failing(nest.Actor, model="test_failing", replace=True):
        def run(self):
            yield self.timeout(1.0)
            raise RuntimeError("controller broke")
    nest.Create("test_failing")
    with pytest.raises(RuntimeError, match="controller broke"):
        nest.Simulate(2.0)
    with pytest.raises(nest.KernelException, match="cannot be resumed"):
        nest.Simulate(1.0)


@pytest.mark.parametrize("contract", ["test_defaults_round_trip", "test_unknown_parameter_is_refused_naming_it",
                                      "test_recordables_have_units", "test_model_joins_the_message_path"])
@pytest.mark.parametrize("model", ["test_relay", "test_listener", "test_step_stimulus", "test_pi_controller",
                                   "test_integrator"])
def test_actor_models_keep_the_model_contracts(contract, model):
    """The registry's contract tests hold for actor models too."""
    import test_model_contracts
    getattr(test_model_contracts, contract)(model)


@pytest.mark.parametrize("key", ["Kp", "interval"])
def test_actor_model_refuses_ill_typed_parameters(key):
    import test_model_contracts
    test_model_contracts.test_ill_typed_parameter_is_refused_and_nothing_changes("test_pi_controller", key)


@pytest.mark.parametrize("pieces", [[10.0], [2.5, 0.1, 3.4, 4.0]])
def test_multimeter_records_an_actors_recordables_as_they_were_at_each_sample(pieces):
    """A sample at t is the attribute after the actor's events at t; Simulate in pieces gives the same."""
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 3.0, 3.0, 7.5],
                                                "spike_multiplicities": [1, 2, 1, 3]})
    actor = nest.Create("test_integrator", 2, params=[{"period": 2.0}, {"period": 3.0}])
    nest.Connect(sg, actor, syn_spec={"delay": 0.5})
    mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": ["count", "level"]})
    nest.Connect(mm, actor)
    for t in pieces:
        nest.Simulate(t)
    ds = mm.to_dataset()
    times = ds["time"].values
    count = ds["count"].values[:, 0]
    expected_count = np.select([times >= 8.0, times >= 3.5, times >= 1.5], [7, 4, 1], 0)
    np.testing.assert_array_equal(count, expected_count)
    level = ds["level"].values
    np.testing.assert_array_equal(level[:, 0], 64.0 / 2 ** np.floor(times / 2.0 + 1e-9))
    np.testing.assert_array_equal(level[:, 1], 64.0 / 2 ** np.floor(times / 3.0 + 1e-9))
    assert ds["level"].attrs["units"] == "pA"
    assert times[-1] == 9.5                         # samples visible up to the last min_delay slice, as NEST


def test_recordables_are_checked_at_class_definition():
    with pytest.raises(nest.BadParameter, match="recordable 'send_spikes'"):
        class Clash(nest.Actor, model="test_clash"):
            recordables = {"send_spikes": "1"}

            def run(self):
                yield self.timeout(1.0)
