"""Contract tests over the model registry: every registered model, today's and tomorrow's, gets them for free.

Each test is parametrized over ``eventsim.node_models`` and reads only what a
model declares as data (``defaults``, ``units``, ``recordables``, ports,
``array_parameters``, ``element_type``, ``samples_targets``), so a model
added later is covered without writing these tests again.
"""

import numpy as np
import pytest

import eventsim as nest
from eventsim.registry import model_class

MODELS = list(nest.node_models)
#: Status keys every node reports that are not parameters.
DESCRIPTIVE = {"model", "element_type", "recordables", "global_id", "n_events", "events"}


def _settable_defaults(model):
    cls = model_class(model)
    return {k: v for k, v in nest.GetDefaults(model).items()
            if k in cls.defaults and k not in DESCRIPTIVE and k not in cls.read_only}


def _same(a, b):
    if isinstance(a, (list, tuple, np.ndarray)) or isinstance(b, (list, tuple, np.ndarray)):
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b


@pytest.mark.parametrize("model", MODELS)
def test_defaults_round_trip(model):
    """Creating a node with its own defaults gives back exactly those defaults."""
    defaults = _settable_defaults(model)
    node = nest.Create(model, params=defaults)
    status = node.get()
    for key, value in defaults.items():
        assert _same(status[key], value), f"{model}.{key}: set {value!r}, got {status[key]!r}"


@pytest.mark.parametrize("model", MODELS)
def test_unknown_parameter_is_refused_naming_it(model):
    """A misspelt parameter raises BadProperty naming it, at Create, at set and at SetDefaults."""
    with pytest.raises(nest.BadProperty, match="no_such_parameter"):
        nest.Create(model, params={"no_such_parameter": 1.0})
    node = nest.Create(model)
    with pytest.raises(nest.BadProperty, match="no_such_parameter"):
        node.set({"no_such_parameter": 1.0})
    with pytest.raises(nest.BadProperty, match="no_such_parameter"):
        nest.SetDefaults(model, {"no_such_parameter": 1.0})


def _ill_typed_cases():
    for model in MODELS:
        for key, value in _settable_defaults(model).items():
            if isinstance(value, str):
                continue
            yield pytest.param(model, key, id=f"{model}.{key}")


@pytest.mark.parametrize("model, key", list(_ill_typed_cases()))
def test_ill_typed_parameter_is_refused_and_nothing_changes(model, key):
    """A number, flag or list parameter given a word raises BadProperty naming the parameter."""
    node = nest.Create(model)
    before = node.get(key)
    with pytest.raises(nest.BadProperty, match=key):
        node.set({key: "not a value"})
    assert _same(node.get(key), before)
    with pytest.raises(nest.BadProperty, match=key):
        nest.Create(model, params={key: "not a value"})


@pytest.mark.parametrize("model", MODELS)
def test_recordables_have_units(model):
    """Every recordable a model declares has a unit string."""
    node = nest.Create(model)
    pop, _ = nest.get_kernel().node_of(node.global_id)
    units = pop.recordable_units()
    for name in pop.recordable_names():
        assert isinstance(units[name], str) and units[name], f"{model}.{name} has no unit"
    if pop.recordable_names():
        assert list(node.get("recordables")) == list(pop.recordable_names())


def _array_cases():
    for model in MODELS:
        for key in sorted(model_class(model).array_parameters):
            if key in _settable_defaults(model):
                yield pytest.param(model, key, id=f"{model}.{key}")


@pytest.mark.parametrize("model, key", list(_array_cases()))
def test_list_parameter_is_one_value_per_node_only_as_a_list_of_lists(model, key):
    """A list parameter given as a list of lists is split per node; a plain list goes to every node."""
    value = _settable_defaults(model)[key]
    plain = nest.Create(model, 2, params={key: value})
    for status in plain.get(key):
        assert _same(status, value)
    per_node = nest.Create(model, 2, params={key: [value, value]})
    for status in per_node.get(key):
        assert _same(status, value)


def _source_and_port(target):
    """A stimulus for `target` (a neuron model class) and the receptor it connects to, or None."""
    if target.spike_ports:
        return nest.Create("spike_generator", params={"spike_times": [1.0, 2.0]}), min(target.spike_ports)
    if target.current_ports:
        return nest.Create("dc_generator" if "dc_generator" in MODELS else "step_current_generator",
                           params={} if "dc_generator" in MODELS else
                           {"amplitude_times": [0.5], "amplitude_values": [100.0]}), min(target.current_ports)
    return None


@pytest.mark.parametrize("model", MODELS)
def test_model_joins_the_message_path(model):
    """Each model connects and runs in a small network in its role: neuron, stimulator or recorder."""
    cls = model_class(model)
    node = nest.Create(model, 2)
    if cls.element_type == "neuron":
        stimulus = _source_and_port(cls)
        if stimulus:
            nest.Connect(stimulus[0], node, syn_spec={"weight": 5.0, "receptor_type": stimulus[1]})
        if cls.emits_spikes:
            nest.Connect(node, nest.Create("spike_recorder"))
        recordables = nest.get_kernel().node_of(node[0].global_id)[0].recordable_names()
        if recordables:
            mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": list(recordables)})
            nest.Connect(mm, node[1])
            nest.Simulate(5.0)
            assert mm.get("n_events") > 0
            assert set(mm.events["senders"].tolist()) == {node[1].global_id}
            return
    elif cls.element_type == "stimulator":
        if cls.emits_spikes:
            nest.Connect(node[0], nest.Create("parrot_neuron"))
        else:
            neuron = next(m for m in MODELS if model_class(m).current_ports)
            nest.Connect(node[0], nest.Create(neuron), syn_spec={"receptor_type": min(model_class(neuron).current_ports)})
    elif cls.samples_targets:
        nest.Connect(node[0], nest.Create("glif_cond"))
    else:
        parrot = nest.Create("parrot_neuron")
        nest.Connect(nest.Create("spike_generator", params={"spike_times": [1.0]}), parrot)
        nest.Connect(parrot, node[1])
        nest.Simulate(5.0)
        assert node[1].get("n_events") == 1 and node[0].get("n_events") == 0
        return
    nest.Simulate(5.0)
    assert nest.biological_time == 5.0
