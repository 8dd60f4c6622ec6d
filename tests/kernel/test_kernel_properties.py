"""Kernel properties as module attributes, GetKernelStatus/SetKernelStatus and nest.get/nest.set."""

import warnings

import pytest

import eventsim as nest


def test_misspelt_attribute_is_refused_and_nothing_is_stored():
    """nest.resolutoin = 0.05 raises AttributeError and leaves no attribute behind."""
    with pytest.raises(AttributeError, match="resolutoin"):
        nest.resolutoin = 0.05
    assert not hasattr(nest, "resolutoin")
    assert nest.resolution == 0.1


def test_module_functions_cannot_be_replaced():
    """As in PyNEST, assigning to a function of the module raises AttributeError and keeps the function."""
    simulate = nest.Simulate
    with pytest.raises(AttributeError, match="'Simulate'"):
        nest.Simulate = lambda t: None
    assert nest.Simulate is simulate


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "2"])
def test_local_num_threads_validated(value):
    """local_num_threads must be a positive integer."""
    with pytest.raises(nest.BadProperty, match="local_num_threads"):
        nest.local_num_threads = value
    assert nest.local_num_threads == 1


def test_local_num_threads_fixed_once_nodes_exist_and_reset_by_reset_kernel():
    """local_num_threads is stored, refused after Create, and back to 1 after ResetKernel."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # 3 may be more than the machine's cores
        nest.SetKernelStatus({"local_num_threads": 3})
    assert nest.GetKernelStatus("local_num_threads") == 3 == nest.total_num_virtual_procs
    nest.Create("parrot_neuron")
    with pytest.raises(nest.BadProperty, match="after nodes were created"):
        nest.local_num_threads = 2
    nest.ResetKernel()
    assert nest.local_num_threads == 1


def test_rng_type_we_cannot_honour_is_refused():
    """Only the generator eventsim really uses is accepted."""
    assert nest.rng_type in nest.rng_types
    with pytest.raises(nest.BadProperty, match="mt19937"):
        nest.rng_type = "mt19937"


def test_print_time_turns_on_the_text_report(capsys):
    """print_time=True prints progress lines during Simulate (the text report)."""
    nest.print_time = True
    assert nest.report == "text" and nest.print_time
    nest.Simulate(1.0)
    assert "ms (100 %) simulated" in capsys.readouterr().out
    nest.print_time = False
    assert nest.report is None


def test_set_and_get():
    """nest.set takes keywords or a dict; nest.get one key, several keys or a list."""
    nest.set(rng_seed=12)
    nest.set({"resolution": 0.05})
    assert nest.get("rng_seed") == 12
    assert nest.get("resolution", "rng_seed") == (0.05, 12)
    assert nest.get(["resolution"]) == (0.05,)
    assert nest.get()["rng_seed"] == 12 == nest.kernel_status["rng_seed"]


def test_unknown_and_read_only_keys_set_nothing():
    """A bad key anywhere in the dict stops SetKernelStatus before any key is set."""
    with pytest.raises(ValueError, match="foo"):
        nest.SetKernelStatus({"rng_seed": 5, "foo": 1})
    with pytest.raises(ValueError, match="readonly"):
        nest.SetKernelStatus({"rng_seed": 5, "network_size": 1})
    assert nest.rng_seed == 143202461


def test_verbosity_levels_and_set_verbosity():
    """verbosity takes VerbosityLevel members; set_verbosity the older M_ names; other values are refused."""
    old = nest.verbosity
    try:
        nest.set_verbosity("M_FATAL")
        assert nest.verbosity is nest.VerbosityLevel.FATAL == nest.get_verbosity()
        with pytest.raises(nest.NESTErrors.TypeMismatch):
            nest.verbosity = 20
        with pytest.raises(nest.BadParameter, match="M_LOUD"):
            nest.set_verbosity("M_LOUD")
    finally:
        nest.verbosity = old


def test_nest_error_names():
    """NESTErrors holds our classes under NEST's names; every one derives from NESTError."""
    assert nest.NESTErrors.BadProperty is nest.BadProperty
    assert nest.NESTErrors.KernelException is nest.NESTError is nest.EventSimError
    with pytest.raises(nest.NESTErrors.KernelException):
        nest.Create("no_such_model")
    assert issubclass(nest.NESTErrors.NumericalInstability, nest.NESTError)


def test_tics_per_ms_only_nest_default():
    """tics_per_ms may be set to NEST's default 1000 (scripts do so); other values are refused."""
    nest.set(tics_per_ms=1000, resolution=0.5)
    assert nest.tics_per_ms == 1000.0 and nest.resolution == 0.5
    with pytest.raises(nest.BadProperty, match="tics_per_ms 1024"):
        nest.tics_per_ms = 1024


def test_use_compressed_spikes_is_a_validated_flag():
    """use_compressed_spikes takes booleans only."""
    assert nest.use_compressed_spikes is True
    nest.use_compressed_spikes = False
    assert nest.GetKernelStatus("use_compressed_spikes") is False
    with pytest.raises(nest.NESTErrors.TypeMismatch):
        nest.use_compressed_spikes = "no"


def test_node_collection_get_pandas():
    """NodeCollection.get(output='pandas') is indexed by global id."""
    pytest.importorskip("pandas")
    p = nest.Create("parrot_neuron", 2)
    df = p.get(["global_id", "model"], output="pandas")
    assert df.index.tolist() == [1, 2] and df["model"].tolist() == ["parrot_neuron"] * 2


def test_local_num_threads_above_the_cores_warns():
    """More threads than cores are accepted with a warning naming the core count; up to the cores, silently."""
    from eventsim.workers import available_cores
    cores = available_cores()
    with pytest.warns(RuntimeWarning, match=f"more than the {cores} cores"):
        nest.local_num_threads = cores + 1
    assert nest.local_num_threads == cores + 1
    nest.ResetKernel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nest.SetKernelStatus({"local_num_threads": cores})
    assert nest.GetKernelStatus("local_num_threads") == cores
