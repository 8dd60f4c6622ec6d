"""PyNEST API scenarios run unchanged by NEST 3.10 and by eventsim (``import eventsim as nest``).

Each ``scenario_*`` function takes the simulator module and returns JSON-able
results of the PyNEST API surface: kernel properties, error classes, recorder
``events`` shapes, SynapseCollection handling, CopyModel, Disconnect, lists
of ids in Connect and off-grid delays.  ``test_nest_api_crosscheck.py`` runs
them all with NEST once, in a subprocess, and requires eventsim's results to
be equal.

Run as a script (``python nest_api_scenarios.py MODULE``) it prints one line
``@@JSON@@{...}`` with the results of every scenario.
"""

import sys
import warnings

import numpy as np

MARKER = "@@JSON@@"


def _error(fn, *classes):
    """Run `fn`; None if it succeeds, else whether the exception is an instance of each of `classes` (list)."""
    try:
        fn()
    except Exception as err:  # noqa: BLE001 - the classes are the result
        return [isinstance(err, c) for c in classes]
    return None


def _plain(x):
    """`x` with numpy arrays and tuples turned into lists and numbers into Python floats/ints (JSON-able)."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in sorted(x.items())}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_plain(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (int, np.integer)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return float(x)
    return x


# --- module names and kernel properties ----------------------------------------------

def scenario_module_names(sim):
    """Names used at import time: build_info keys, verbosity, the error classes."""
    sim.ResetKernel()
    old = sim.verbosity
    sim.verbosity = sim.VerbosityLevel.FATAL
    out = {"verbosity_fatal": int(sim.verbosity), "levels": [lvl.name for lvl in sim.VerbosityLevel]}
    sim.ResetKernel()
    out["verbosity_survives_reset"] = int(sim.verbosity)
    out["verbosity_int"] = _error(lambda: setattr(sim, "verbosity", 30), sim.NESTError)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.set_verbosity("M_ERROR")
    out["set_verbosity"] = int(sim.verbosity)
    sim.verbosity = old
    out["build_info_keys"] = all(k in sim.build_info for k in ("version", "have_threads", "have_mpi", "have_gsl"))
    errors = sim.NESTErrors
    out["hierarchy"] = {name: issubclass(getattr(errors, name), sim.NESTError)
                        for name in ("BadProperty", "BadParameter", "BadDelay", "IllegalConnection",
                                     "UnknownReceptorType", "IncompatibleReceptorType", "UnknownModelName",
                                     "UnknownNode", "UnknownSynapseType", "NewModelNameExists", "KernelException",
                                     "InexistentConnection", "UnaccessedDictionaryEntry", "TypeMismatch",
                                     "NotImplemented", "StepMultipleRequired")}
    out["kernel_exception_is_base"] = errors.KernelException is sim.NESTError
    out["bad_property_caught_as_kernel_exception"] = _error(lambda: sim.SetKernelStatus({"biological_time": 3.0}),
                                                            errors.BadProperty, errors.KernelException)
    return out


def scenario_kernel_properties(sim):
    """Kernel properties read as attributes, with GetKernelStatus and nest.get; settable ones set."""
    sim.ResetKernel()
    out = {}
    for key in ("min_delay", "max_delay", "num_connections", "network_size", "tics_per_ms", "ms_per_tic",
                "biological_time", "local_num_threads", "print_time"):
        out[key] = _plain(getattr(sim, key))
    out["static_synapse_listed"] = "static_synapse" in sim.synapse_models
    out["parrot_listed"] = "parrot_neuron" in sim.node_models
    out["types"] = [type(sim.synapse_models).__name__, type(sim.node_models).__name__,
                    type(sim.kernel_status).__name__, type(sim.GetKernelStatus()).__name__]
    sim.local_num_threads = 2
    out["threads_set"] = sim.local_num_threads
    sim.SetKernelStatus({"local_num_threads": 1, "print_time": True})
    out["print_time_set"] = sim.print_time
    sim.print_time = False
    sim.set(resolution=0.05)
    out["resolution_set"] = sim.resolution
    out["key_tuple"] = [type(sim.GetKernelStatus(("resolution", "min_delay"))).__name__,
                        _plain(sim.GetKernelStatus(("resolution", "min_delay")))]
    out["key_list"] = [type(sim.GetKernelStatus(["resolution", "min_delay"])).__name__,
                       _plain(sim.GetKernelStatus(["resolution", "min_delay"]))]
    out["get"] = [_plain(sim.get("resolution")), _plain(sim.get("resolution", "min_delay")),
                  type(sim.get("resolution", "min_delay")).__name__, type(sim.get(["resolution"])).__name__]
    a = sim.Create("parrot_neuron", 3)
    sim.Connect(a[0], a[1], syn_spec={"delay": 2.0})
    sim.Connect(a[1], a[2], syn_spec={"delay": 0.5})
    sim.Connect(a[2], a[0], syn_spec={"delay": 3.5})
    out["after_connect"] = [sim.min_delay, sim.max_delay, sim.num_connections, sim.network_size]
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.0, 7.0], "spike_multiplicities": [3, 1, 1]})
    p = sim.Create("parrot_neuron", 2)
    sim.Connect(sg, p)
    counts = []
    for t in (5.0, 0.0, 5.0, 5.0):
        sim.Simulate(t)
        counts.append(sim.local_spike_counter)
    out["local_spike_counter"] = counts
    return out


def scenario_kernel_property_errors(sim):
    """Unknown, misspelt and read-only kernel keys are errors."""
    sim.ResetKernel()
    out = {
        "misspelt_attribute": _error(lambda: setattr(sim, "resolutoin", 0.05), AttributeError),
        "unknown_set": _error(lambda: sim.SetKernelStatus({"foo": 1}), ValueError),
        "unknown_get": _error(lambda: sim.GetKernelStatus("foo"), KeyError),
        "unknown_set_kwarg": _error(lambda: sim.set(foo=1), ValueError),
        "read_only_num_connections": _error(lambda: sim.SetKernelStatus({"num_connections": 3}), ValueError),
        "read_only_network_size": _error(lambda: sim.SetKernelStatus({"network_size": 3}), ValueError),
        "biological_time_3": _error(lambda: sim.SetKernelStatus({"biological_time": 3.0}), sim.NESTErrors.BadProperty),
        "biological_time_0": _error(lambda: sim.SetKernelStatus({"biological_time": 0.0}), Exception),
    }
    out["resolution_unchanged"] = sim.resolution
    return out


def scenario_overwrite_files(sim):
    """overwrite_files: False by default and after ResetKernel, settable as attribute and with SetKernelStatus."""
    sim.ResetKernel()
    out = {"default": sim.overwrite_files, "get": sim.get("overwrite_files")}
    sim.overwrite_files = True
    out["set"] = sim.GetKernelStatus("overwrite_files")
    sim.ResetKernel()
    out["after_reset"] = sim.overwrite_files
    sim.SetKernelStatus({"overwrite_files": True})
    out["set_status"] = sim.overwrite_files
    out["not_a_bool"] = _error(lambda: setattr(sim, "overwrite_files", "yes"), sim.NESTErrors.TypeMismatch)
    sim.ResetKernel()
    return out


def scenario_waveform_relaxation_settings(sim):
    """use_wfr and the wfr_* keys: defaults, checks, order within one set call, interval following resolution."""
    sim.ResetKernel()
    keys = ("use_wfr", "wfr_comm_interval", "wfr_tol", "wfr_max_iterations", "wfr_interpolation_order")
    out = {"defaults": list(sim.get(*keys))}
    out["interval_without_wfr"] = _error(lambda: sim.set(use_wfr=False, wfr_comm_interval=0.5),
                                         sim.NESTErrors.KernelException)
    sim.set(resolution=0.2)
    out["follows_resolution"] = [sim.wfr_comm_interval, sim.resolution]
    sim.set(wfr_comm_interval=2.0, use_wfr=True)
    sim.set(resolution=0.1)
    out["kept_with_wfr"] = sim.wfr_comm_interval
    out["below_resolution"] = _error(lambda: sim.set(wfr_comm_interval=0.05), sim.NESTErrors.KernelException)
    out["negative_tol"] = _error(lambda: sim.set(wfr_tol=-1.0), sim.NESTErrors.KernelException)
    out["zero_iterations"] = _error(lambda: sim.set(wfr_max_iterations=0), sim.NESTErrors.KernelException)
    out["order_2"] = _error(lambda: sim.set(wfr_interpolation_order=2), sim.NESTErrors.KernelException)
    out["use_wfr_int"] = _error(lambda: sim.set(use_wfr=1), sim.NESTErrors.TypeMismatch)
    sim.set(wfr_tol=0.5, wfr_max_iterations=3, wfr_interpolation_order=1)
    out["set"] = list(sim.get(*keys))
    sim.Create("parrot_neuron")
    out["use_wfr_after_create"] = _error(lambda: sim.set(use_wfr=False), sim.NESTErrors.KernelException)
    sim.set(wfr_comm_interval=1.5)
    out["interval_after_create"] = sim.wfr_comm_interval
    sim.ResetKernel()
    out["after_reset"] = list(sim.get(*keys))
    return out


def scenario_state_defaults(sim):
    """SetDefaults of initial state (V_m): later Creates, CopyModel, GetDefaults, an E_L default, errors."""
    out = {}
    for model in ("glif_cond", "glif_psc"):
        sim.ResetKernel()
        r = {"default": sim.GetDefaults(model, "V_m")}
        sim.SetDefaults(model, {"V_m": -60.5})
        r["created"] = [list(sim.Create(model, 2).V_m), sim.GetDefaults(model, "V_m")]
        sim.SetDefaults(model, {"E_L": -50.0})
        r["with_E_L"] = _plain(sim.Create(model).get(["V_m", "E_L"]))
        sim.CopyModel(model, "copy_" + model, {"C_m": 99.0})
        r["copy"] = [sim.Create("copy_" + model, params={"V_m": -55.0}).V_m, sim.Create("copy_" + model).V_m]
        sim.SetDefaults(model, "V_m", -70.0)
        r["after"] = [sim.GetDefaults(model, "V_m"), sim.GetDefaults("copy_" + model, "V_m")]
        r["unknown"] = _error(lambda: sim.SetDefaults(model, {"V_mm": 1.0}), sim.NESTErrors.UnaccessedDictionaryEntry)
        sim.ResetKernel()
        r["after_reset"] = sim.GetDefaults(model, "V_m")
        out[model] = r
    return out


def scenario_t_spike(sim):
    """t_spike of GLIF neurons: -1 before a spike, then the last spike's time; read-only (unknown key to set)."""
    out = {}
    for model in ("glif_cond", "glif_psc", "glif_psc_double_alpha"):
        sim.ResetKernel()
        sim.resolution = 0.125
        n = sim.Create(model, 3)
        r = [list(n.t_spike)]
        n[1].V_m = n[1].V_th + 15
        cg = sim.Create("dc_generator", params={"amplitude": 2000.0})
        sim.Connect(cg, n[2])
        sim.Simulate(0.125)
        r.append(list(n.t_spike))
        sim.Simulate(30.0)
        r.append(list(n.t_spike))
        r.append(_error(lambda: n.set(t_spike=3.0), sim.NESTErrors.UnaccessedDictionaryEntry))
        out[model] = r
    return out


# --- recorders ---------------------------------------------------------------------------

def scenario_recorder_events(sim):
    """Several recorders of one Create call; events through get, GetStatus and get("events", key); clearing."""
    sim.ResetKernel()
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.0, 4.0]})
    p = sim.Create("parrot_neuron", 2)
    srs = sim.Create("spike_recorder", 3, params={"start": [0.0, 2.5, 0.0], "stop": [10.0, 10.0, 3.0]})
    sim.Connect(sg, p)
    sim.Connect(p, srs)
    mm = sim.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    n = sim.Create("glif_cond", 2)
    sim.Connect(mm, n)
    sim.Simulate(6.0)
    out = {"n_recorders": len(srs), "starts": _plain(srs.start)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_getstatus = sim.GetStatus(srs, "events")
        one_getstatus = sim.GetStatus(srs[1], "events")
    out["getstatus"] = [type(by_getstatus).__name__, _plain(by_getstatus), type(one_getstatus).__name__]
    out["get_events_one"] = [type(srs[0].get("events")).__name__, _plain(srs[0].get("events"))]
    out["get_events_all"] = [type(srs.get("events")).__name__, len(srs.get("events"))]
    out["get_dict_events"] = _plain(srs[2].get()["events"])
    senders = srs.get("events", "senders")
    out["hierarchical_all"] = [type(senders).__name__, _plain(senders)]
    times = srs[0].get("events", "times")
    out["hierarchical_one"] = [type(times).__name__, _plain(times)]
    out["hierarchical_list"] = sorted(srs[0].get("events", ["times", "senders"]))
    vm = mm.get("events", "V_m")
    out["mm_v_m"] = [type(vm).__name__, len(vm), _plain(mm.get("events", "times")), _plain(mm.get("events", "senders"))]
    out["n_events"] = _plain(srs.n_events)
    srs[0].n_events = 0
    out["cleared_one"] = _plain(srs.n_events)
    srs.set(n_events=0)
    out["cleared_all"] = _plain(srs.n_events)
    out["set_n_events_1"] = _error(lambda: srs[1].set(n_events=1), sim.NESTErrors.BadProperty)
    sim.Simulate(2.0)
    out["after_more"] = _plain(srs.get("events", "times"))
    return out


# --- connections (SynapseCollection) --------------------------------------------------------

def scenario_synapse_collection(sim):
    """GetConnections' SynapseCollection: order, sources/targets, indexing, iteration, ==, get/set, pandas."""
    sim.ResetKernel()
    p = sim.Create("parrot_neuron", 4)
    sim.Connect(p[:2], p[2:], syn_spec={"weight": 2.0, "delay": 1.5})
    sim.Connect(p[3], p[0])
    sim.Connect(p[0], p[1], syn_spec={"delay": 3.0})
    c = sim.GetConnections()
    out = {"len": len(c), "sources": list(c.sources()), "targets": list(c.targets()),
           "sources_type_iterable": hasattr(c.sources(), "__next__")}
    out["index"] = [c[1].get(["source", "target"]), c[-1].source, c[1:3].get(["source", "target"]),
                    c[::2].source]
    out["iteration"] = [x.target for x in c]
    out["equal"] = [c == sim.GetConnections(), c[0] == c[1], c[0:2] == c[0:2]]
    out["synapse_model"] = c.synapse_model
    out["get"] = [c.weight, c.get("delay"), c.get(["weight", "delay"]), sorted(c[0].get())[:1]]
    out["single_scalars"] = [c[0].weight, c[0].get(["weight"]), list(c[0].sources())]
    c.set(weight=3.0)
    out["set_scalar"] = c.weight
    c.set({"weight": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    out["set_list"] = c.weight
    c[1:3].set(delay=2.0)
    out["set_slice_delay"] = c.delay
    c.weight = 7.0
    out["attribute_set"] = c.weight
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim.SetStatus(c, {"weight": 9.0})
        out["setstatus_dict"] = c.weight
        sim.SetStatus(c, "weight", 8.0)
        out["setstatus_key"] = c.weight
        sim.SetStatus(c, [{"weight": float(i)} for i in range(len(c))])
        out["setstatus_list"] = c.weight
        out["getstatus_key"] = sim.GetStatus(c, "weight")
        out["getstatus_one"] = [type(sim.GetStatus(c[0])).__name__, len(sim.GetStatus(c[0])),
                                sim.GetStatus(c[0])[0]["weight"]]
    out["errors"] = {
        "wrong_length": _error(lambda: c.set(weight=[1.0]), IndexError),
        "unknown_key": _error(lambda: c.set(foo=1.0), sim.NESTErrors.UnaccessedDictionaryEntry),
        "synapse_model": _error(lambda: c.set(synapse_model="static_synapse"),
                                sim.NESTErrors.UnaccessedDictionaryEntry),
        "delay_below_step": _error(lambda: c.set(delay=0.04), sim.NESTErrors.BadDelay),
        "list_index": _error(lambda: c[[0, 2]], TypeError),
        "out_of_range": _error(lambda: c[10], IndexError),
        "add": _error(lambda: c + c, TypeError),
    }
    out["delay_rounded_by_set"] = [c[0].set(delay=1.33), c[0].delay][1]
    empty = sim.GetConnections(source=p[1], target=p[0])
    out["empty"] = [len(empty), empty.get(), empty.get("weight"), empty.weight]
    return out


def scenario_get_connections_filters(sim):
    """GetConnections by source, target and synapse_model; its argument errors; pandas output."""
    sim.ResetKernel()
    p = sim.Create("parrot_neuron", 4)
    sim.Connect(p[:2], p[2:], syn_spec={"weight": 2.0})
    sim.Connect(p[3], p[0])
    out = {"by_source": sim.GetConnections(source=p[0]).target,
           "by_target": sim.GetConnections(target=p[2:]).source,
           "by_both": sim.GetConnections(source=p[1], target=p[3]).get(["source", "target"]),
           "by_model": len(sim.GetConnections(synapse_model="static_synapse")),
           "source_list": _error(lambda: sim.GetConnections(source=[1, 2]), TypeError),
           "target_list": _error(lambda: sim.GetConnections(target=[1, 2]), TypeError),
           "unknown_model": _error(lambda: sim.GetConnections(synapse_model="foo_synapse"),
                                   sim.NESTErrors.UnknownSynapseType)}
    try:
        import pandas  # noqa: F401
    except ImportError:
        return out
    c = sim.GetConnections()
    df = c.get("weight", output="pandas")
    out["pandas_one"] = [list(df.columns), df.index.tolist(), df["weight"].tolist()]
    full = c.get(output="pandas")
    out["pandas_all"] = [all(k in full.columns for k in ("source", "target", "weight", "delay", "synapse_model")),
                         full.index.tolist(), full["target"].tolist()]
    return out


# --- models, Disconnect, GetNodes, Run ------------------------------------------------------

SYNAPSE_KEYS = ("delay", "weight", "receptor_type", "element_type", "has_delay", "num_connections",
                "requires_symmetric", "synapse_model")


def scenario_synapse_defaults_and_copies(sim):
    """GetDefaults/SetDefaults of static_synapse; CopyModel of synapse, neuron and device models."""
    sim.ResetKernel()
    d = sim.GetDefaults("static_synapse")
    out = {"defaults": {k: d[k] for k in SYNAPSE_KEYS}}
    sim.SetDefaults("static_synapse", {"weight": 2.5, "delay": 1.56})
    out["after_set"] = [sim.GetDefaults("static_synapse", "weight"), sim.GetDefaults("static_synapse",
                                                                                      ["weight", "delay"])]
    out["set_unknown"] = _error(lambda: sim.SetDefaults("static_synapse", {"foo": 2.5}),
                                sim.NESTErrors.UnaccessedDictionaryEntry)
    p = sim.Create("parrot_neuron", 2)
    sim.Connect(p[0], p[1])
    out["connection_uses_defaults"] = sim.GetConnections().get(["weight", "delay"])
    sim.ResetKernel()
    out["reset"] = sim.GetDefaults("static_synapse", "weight")
    sim.CopyModel("static_synapse", "syn_ex", {"weight": 3.0, "delay": 2.0})
    out["copy_exists"] = _error(lambda: sim.CopyModel("static_synapse", "syn_ex"),
                                sim.NESTErrors.NewModelNameExists)
    out["copy_exists_node"] = _error(lambda: sim.CopyModel("parrot_neuron", "spike_recorder"),
                                     sim.NESTErrors.NewModelNameExists)
    sim.CopyModel("glif_cond", "my_glif", {"V_th": -50.0})
    sim.CopyModel("spike_recorder", "my_sr", {"start": 1.0})
    out["copied_defaults"] = [sim.GetDefaults("my_glif", "V_th"), sim.GetDefaults("my_sr", "start"),
                              {k: sim.GetDefaults("syn_ex")[k] for k in SYNAPSE_KEYS}]
    a = sim.Create("my_glif")
    srs = sim.Create("my_sr", 2)
    out["created"] = [a.get("model"), a.V_th, srs.get("model"), srs.start]
    p = sim.Create("parrot_neuron", 2)
    sim.Connect(p[0], p[1], syn_spec="syn_ex")
    sim.Connect(p[1], p[0], syn_spec={"synapse_model": "syn_ex", "weight": 5.0})
    sim.Connect(p[0], p[0])
    out["connections"] = sim.GetConnections().get(["source", "synapse_model", "weight", "delay"])
    out["listed"] = ["syn_ex" in sim.synapse_models, "my_glif" in sim.node_models, "my_sr" in sim.node_models]
    out["filter"] = [sim.GetConnections(synapse_model="syn_ex").source,
                     sim.GetConnections(synapse_model="static_synapse").source]
    out["defaults_count"] = sim.GetDefaults("syn_ex", "num_connections")
    return out


def scenario_disconnect(sim):
    """Disconnect pairs (one_to_one and all_to_all), a SynapseCollection, and pairs that are not connected."""
    sim.ResetKernel()
    sim.CopyModel("static_synapse", "syn_ex")
    p = sim.Create("parrot_neuron", 3)
    sim.Connect(p[0], p[1], syn_spec="syn_ex")
    sim.Connect(p[0], p[1], syn_spec={"weight": 2.0})
    sim.Connect(p[0], p[1], syn_spec={"weight": 3.0})
    sim.Connect(p, p[2])
    out = {"start": sim.num_connections}
    out["missing_model"] = _error(lambda: sim.Disconnect(p[1], p[0]), sim.NESTErrors.InexistentConnection)
    out["after_missing"] = sim.num_connections
    sim.Disconnect(p[0], p[1])
    out["one_removed"] = sim.GetConnections(p[0], p[1]).get(["synapse_model", "weight"])
    sim.Disconnect(p[0], p[1], syn_spec={"synapse_model": "syn_ex"})
    out["syn_ex_removed"] = sim.GetConnections(p[0], p[1]).get(["synapse_model", "weight"])
    sim.Disconnect(p[:2], p[2], conn_spec="all_to_all")
    out["all_to_all"] = sim.GetConnections(target=p[2]).source
    sim.Disconnect(sim.GetConnections(target=p[2]))
    out["collection"] = [sim.num_connections, sim.GetConnections().get(["source", "target"])]
    return out


def scenario_nodes_and_run(sim):
    """GetNodes with and without properties; Prepare/Run/Cleanup, RunManager and their errors."""
    sim.ResetKernel()
    sim.Create("glif_cond", params={"V_th": -50.0})
    sim.Create("parrot_neuron", 2)
    sim.Create("glif_cond")
    out = {"all": sim.GetNodes().tolist(), "parrots": sim.GetNodes({"model": "parrot_neuron"}).tolist(),
           "v_th": sim.GetNodes({"V_th": -50.0}).tolist(), "none": len(sim.GetNodes({"model": "spike_recorder"}))}
    sim.Prepare()
    sim.Run(2.0)
    sim.Run(1.0)
    sim.Cleanup()
    with sim.RunManager():
        sim.Run(1.0)
        sim.Run(0.5)
    out["time"] = sim.biological_time
    kernel_exc = sim.NESTErrors.KernelException
    out["run_unprepared"] = _error(lambda: sim.Run(1.0), kernel_exc)
    out["cleanup_unprepared"] = _error(lambda: sim.Cleanup(), kernel_exc)
    sim.Prepare()
    out["prepare_twice"] = _error(lambda: sim.Prepare(), kernel_exc)
    out["simulate_prepared"] = _error(lambda: sim.Simulate(1.0), kernel_exc)
    sim.Cleanup()
    out["run_off_grid"] = _error(lambda: (sim.Prepare(), sim.Run(0.15)), sim.NESTErrors.BadParameter)
    sim.Cleanup()
    out["final_time"] = sim.biological_time
    return out


# --- Connect with id lists, off-grid delays ------------------------------------------------------

def scenario_connect_id_lists(sim):
    """Connect with plain lists and arrays of ids: unsorted and repeated (one_to_one), sorted unique (others)."""
    out = {}

    def run(key, pre, post, conn_spec=None, syn_spec=None, partial=False):
        sim.ResetKernel()
        sim.Create("parrot_neuron", 5)
        kwargs = {} if syn_spec is None else {"syn_spec": syn_spec}
        err = _error(lambda: sim.Connect(pre, post, conn_spec, **kwargs) if conn_spec else
                     sim.Connect(pre, post, **kwargs), (sim.NESTError, ValueError), TypeError)
        c = sim.GetConnections()
        got = c.get(["source", "target", "weight"]) if len(c) else {}
        # partial: NEST keeps the pairs made before the error; eventsim checks all pairs first and makes none
        out[key] = [err] if partial else [err, _plain(got)]

    run("unsorted_repeated_one_to_one", [3, 1, 4, 1], [5, 2, 2, 5], "one_to_one")
    run("arrays_one_to_one", np.array([4, 4, 2]), np.array([1, 3, 1]), "one_to_one",
        {"weight": np.array([1.0, 2.0, 3.0])})
    run("list_one_to_one", [1, 2], [2, 1], "one_to_one")
    run("sorted_unique_all_to_all", [1, 3], [2, 4, 5])
    run("unsorted_unique_all_to_all", [3, 1], [2])
    run("repeated_all_to_all", [1, 1], [2, 3])
    run("repeated_different_lengths", [1, 1, 2], [2, 3], "one_to_one")
    run("unknown_id", [9], [2])
    run("unknown_id_one_to_one", [1, 9], [2, 3], "one_to_one", partial=True)
    run("float_ids_one_to_one", [1.0, 2.0], [2, 3], "one_to_one")
    run("tuple_ids", (1, 2), (3,))
    return out


def scenario_offgrid_delays(sim):
    """Off-grid delays in Connect (scalar and arrays), SetDefaults and SynapseCollection.set are rounded."""
    out = {}
    for h in (0.1, 0.25):
        for d in (0.05, 0.04, 0.124, 0.125, 0.126, 0.375, 0.6, 1.04, 1.05, 1.06, 1.25, 1.35, 0.96):
            sim.ResetKernel()
            sim.resolution = h
            p = sim.Create("parrot_neuron", 2)
            err = _error(lambda: sim.Connect(p[0], p[1], syn_spec={"delay": d}), sim.NESTErrors.BadDelay)
            c = sim.GetConnections()
            out[f"{h}_{d}"] = [err, c.delay if len(c) else None, sim.min_delay if len(c) else None]
    sim.ResetKernel()
    p = sim.Create("parrot_neuron", 2)
    sim.Connect(p, p, syn_spec={"delay": np.array([[1.04, 1.06], [1.15, 2.0]])})
    out["array"] = sim.GetConnections().delay
    sim.SetDefaults("static_synapse", {"delay": 1.06})
    out["defaults"] = sim.GetDefaults("static_synapse", "delay")
    c = sim.GetConnections(p[0], p[1])
    c.set(delay=1.33)
    out["set"] = [c.delay, _error(lambda: c.set(delay=0.04), sim.NESTErrors.BadDelay), c.delay]
    sg = sim.Create("spike_generator", params={"spike_times": [1.0]})
    a, b = sim.Create("parrot_neuron", 2)
    sr = sim.Create("spike_recorder")
    sim.Connect(sg, a)
    sim.Connect(a, b, syn_spec={"delay": 2.26})
    sim.Connect(b, sr)
    sim.Simulate(10.0)
    ev = sr.events
    out["spike_after_rounded_delay"] = _plain(ev["times"][ev["senders"] == b.global_id])
    return out


# --- spike_generator flags, multimeter connections ---------------------------------------------

SG_FLAG_CASES = {
    # name: (params, spike_times, pre-simulated ms before the times are set, record the generator directly)
    "precise_false": ({"precise_times": False}, [1.0, 2.0], 0.0, True),
    "precise_on_grid": ({"precise_times": True}, [1.0, 2.0, 3.0], 0.0, True),
    "precise_off_grid": ({"precise_times": True}, [1.0, 1.23, 2.05, 3.0], 0.0, True),
    "precise_within_a_tic": ({"precise_times": True}, [1.0001, 2.9999, 3.0000001], 0.0, True),
    "precise_after_simulate": ({"precise_times": True}, [2.0001, 4.55], 2.0, True),
    "precise_and_offgrid": ({"precise_times": True, "allow_offgrid_times": True}, [1.23], 0.0, False),
    "precise_and_shift": ({"precise_times": True, "shift_now_spikes": True}, [1.0], 0.0, False),
    "zero_without_shift": ({}, [0.0], 0.0, True),
    "zero_with_shift": ({"shift_now_spikes": True}, [0.0, 1.0], 0.0, True),
    "now_with_shift": ({"shift_now_spikes": True}, [2.0, 3.0], 2.0, True),
    "now_without_shift": ({}, [2.0, 3.0], 2.0, True),
    "precise_unsorted": ({"precise_times": True}, [1.2, 1.11], 0.0, False),
}


def scenario_spike_generator_flags(sim):
    """precise_times and shift_now_spikes: read-back spike_times, the spikes a parrot relays, and the
    spikes recorded directly (in ms, and with time_in_steps as steps and offsets)."""
    out = {"defaults": [sim.GetDefaults("spike_generator", "precise_times"),
                        sim.GetDefaults("spike_generator", "shift_now_spikes")]}
    for name, (params, times, pre, record_generator) in SG_FLAG_CASES.items():
        sim.ResetKernel()
        sg = sim.Create("spike_generator")
        p = sim.Create("parrot_neuron")
        sr_p = sim.Create("spike_recorder")
        sim.Connect(sg, p)
        sim.Connect(p, sr_p)
        sr_sg = sim.Create("spike_recorder")
        sr_steps = sim.Create("spike_recorder", params={"time_in_steps": True})
        if record_generator:
            sim.Connect(sg, sr_sg)
            sim.Connect(sg, sr_steps)
        if pre:
            sim.Simulate(pre)
        err = _error(lambda: sg.set({**params, "spike_times": times}), sim.NESTErrors.BadProperty)
        if err is not None:
            out[name] = err
            continue
        sim.Simulate(6.0)
        steps = sr_steps.events
        out[name] = [_plain(sg.spike_times), _plain(sr_p.events["times"]), _plain(sr_sg.events["times"]),
                     _plain(steps["times"]), np.round(steps["offsets"], 12).tolist()]
    return out


def scenario_time_in_steps(sim):
    """time_in_steps: multimeter and spike_recorder events as steps and offsets; not settable after Simulate."""
    sim.ResetKernel()
    sim.resolution = 0.25
    n = sim.Create("parrot_neuron", 2)
    sg = sim.Create("spike_generator", params={"spike_times": [1.0, 2.5]})
    mm = sim.Create("multimeter", params={"time_in_steps": True, "interval": 0.5, "record_from": []})
    sr = sim.Create("spike_recorder", params={"time_in_steps": True})
    sim.Connect(sg, n)
    sim.Connect(n, sr)
    out = {"default": sim.GetDefaults("spike_recorder", "time_in_steps")}
    sim.Simulate(4.0)
    ev = sr.events
    out["spikes"] = [_plain(ev["senders"]), _plain(ev["times"]), _plain(ev["offsets"]), str(ev["times"].dtype)]
    out["multimeter_keys"] = sorted(mm.events)
    out["set_after"] = _error(lambda: sr.set(time_in_steps=False), sim.NESTErrors.BadProperty)
    out["create_after"] = _error(lambda: sim.Create("spike_recorder", params={"time_in_steps": True}),
                                 sim.NESTErrors.BadProperty)
    out["frozen_false"] = _error(lambda: sim.Create("multimeter", params={"frozen": False}), Exception)
    out["frozen_true"] = _error(lambda: sim.Create("multimeter", params={"frozen": True}), sim.NESTError)
    return out


def scenario_multimeter_connections(sim):
    """Multimeter connections as GetConnections reports them."""
    sim.ResetKernel()
    mm = sim.Create("multimeter", params={"record_from": ["V_m"]})
    n = sim.Create("glif_cond", 2)
    sim.Connect(mm, n)
    c = sim.GetConnections(mm)
    out = {"connections": c.get(["source", "target", "receptor", "weight", "delay", "synapse_model"]),
           "by_target": len(sim.GetConnections(target=n))}
    mm2 = sim.Create("multimeter", params={"record_from": ["V_m"]})
    mm3 = sim.Create("multimeter", params={"record_from": ["V_m"]})
    sim.Connect(mm2, n[1])
    sim.Connect(mm3, n)
    out["receptors"] = [sim.GetConnections(m).get(["target", "receptor"]) for m in (mm, mm2, mm3)]
    return out


def scenario_delay_extrema(sim):
    """min_delay and max_delay set before connecting: reported, enforced, and fixed once connections exist."""
    sim.ResetKernel()
    sim.set(min_delay=0.5, max_delay=2.0)
    out = {"set": [sim.min_delay, sim.max_delay]}
    p = sim.Create("parrot_neuron", 2)
    out["inside"] = [_error(lambda: sim.Connect(p[0], p[1], syn_spec={"delay": 1.0})), sim.min_delay, sim.max_delay]
    out["below"] = _error(lambda: sim.Connect(p[0], p[1], syn_spec={"delay": 0.2}), sim.NESTErrors.BadDelay)
    out["above"] = _error(lambda: sim.Connect(p[0], p[1], syn_spec={"delay": 3.0}), sim.NESTErrors.BadDelay)
    out["set_above"] = _error(lambda: sim.GetConnections().set(delay=2.5), sim.NESTErrors.BadDelay)
    out["only_one"] = _error(lambda: sim.set(min_delay=0.3), sim.NESTErrors.BadProperty)
    out["after_connect"] = _error(lambda: sim.set(min_delay=0.2, max_delay=1.0), sim.NESTErrors.BadProperty)
    out["count"] = sim.num_connections
    sim.ResetKernel()
    out["reset"] = [sim.min_delay, sim.max_delay]
    sim.SetKernelStatus({"resolution": 0.25, "min_delay": 0.5, "max_delay": 1.5})
    out["with_resolution"] = [sim.resolution, sim.min_delay, sim.max_delay]
    mm = sim.Create("multimeter", params={"record_from": ["V_m"], "interval": 0.25})
    n = sim.Create("glif_cond")
    sim.Connect(mm, n)
    sim.Simulate(2.0)
    out["multimeter_times_min_delay_0.5"] = _plain(mm.events["times"])
    return out


def scenario_delay_extrema_on_the_grid(sim):
    """min_delay and max_delay set off the grid or kept over a resolution change: min rounds down, max up."""
    out = {}
    for r0, lo, hi, r1 in [(0.1, 2.14, 12.36, None), (0.1, 2.16, 12.34, None), (0.1, 2.1, 12.3, 1.0),
                           (0.1, 2.1, 12.3, 0.5), (0.1, 2.0, 12.0, 0.3)]:
        sim.ResetKernel()
        sim.SetKernelStatus({"resolution": r0, "min_delay": lo, "max_delay": hi})
        if r1:
            sim.resolution = r1
        sim.SetDefaults("static_synapse", {"delay": 3.5})
        out[f"{lo}-{hi}-{r1}"] = [sim.min_delay, sim.max_delay, sim.GetDefaults("static_synapse")["delay"]]
    return out


def scenario_delay_extrema_follow_connections(sim):
    """min_delay and max_delay follow the delays given to connections and never shrink (Disconnect, set)."""
    sim.ResetKernel()
    n1, n2 = sim.Create("parrot_neuron", 2)
    sim.SetDefaults("static_synapse", {"delay": 2.0})
    sim.Connect(n1, n2)
    out = {"connect": [sim.min_delay, sim.max_delay]}
    sim.SetDefaults("static_synapse", {"delay": 10.0})
    out["defaults_only"] = [sim.min_delay, sim.max_delay]
    sim.Connect(n2, n1, syn_spec={"delay": 6.0})
    out["larger"] = [sim.min_delay, sim.max_delay]
    sim.GetConnections(source=n1).set({"delay": 0.1})
    out["set_lower"] = [sim.min_delay, sim.max_delay]
    sim.GetConnections(source=n2).set({"delay": 1.0})
    out["set_max_lower"] = [sim.min_delay, sim.max_delay]
    sim.Disconnect(n2, n1)
    out["after_disconnect"] = [sim.min_delay, sim.max_delay, sim.num_connections]
    return out


SCENARIOS = {name[len("scenario_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("scenario_")}


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))  # tests/, for the helper
    from nest_subprocess import scenario_main

    scenario_main(sys.modules[__name__])
