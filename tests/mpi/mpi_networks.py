"""Networks run under ``mpiexec -n R`` by tests/mpi/test_mpi.py (and in one process for comparison).

``python tests/mpi/mpi_networks.py NAME OUT`` builds network NAME, simulates it and writes what the
test compares to OUT (every rank runs the same script, as under mpiexec).
"""

import json
import sys

import numpy as np

import eventsim as nest


def recurrent(out):
    """spike_generator -> parrots -> two glif_cond groups (random V_m and weights, delays of 1 and 2 steps),
    dc input to a strided part, recorded by a spike recorder and a multimeter on a slice; Simulate in pieces."""
    nest.resolution = 0.1
    nest.rng_seed = 11
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 5.0, 7.5, 12.3, 20.0, 33.3]})
    parrots = nest.Create("parrot_neuron", 20)
    exc = nest.Create("glif_cond", 61, params={"V_m": nest.random.uniform(-80.0, -60.0),
                                               "spike_dependent_threshold": True, "after_spike_currents": True})
    inh = nest.Create("glif_cond", 7, params={"tau_syn": [0.2, 2.0, 1.0], "E_rev": [0.0, -80.0, -70.0]})
    nest.Connect(sg, parrots)
    nest.Connect(parrots, exc, conn_spec={"rule": "fixed_indegree", "indegree": 5},
                 syn_spec={"weight": 8.0, "delay": 1.0, "receptor_type": 1})
    nest.Connect(exc, exc, conn_spec={"rule": "fixed_indegree", "indegree": 10},
                 syn_spec={"weight": nest.random.uniform(1.0, 3.0), "delay": 0.2, "receptor_type": 1})
    nest.Connect(exc, inh, conn_spec={"rule": "pairwise_bernoulli", "p": 0.3},
                 syn_spec={"weight": 3.0, "delay": 0.1, "receptor_type": 1})
    nest.Connect(inh, exc, conn_spec={"rule": "fixed_outdegree", "outdegree": 8},
                 syn_spec={"weight": nest.random.uniform(0.5, 2.0), "delay": 0.1, "receptor_type": 2})
    nest.Connect(parrots[:3], inh, syn_spec={"weight": 5.0, "delay": 0.3, "receptor_type": 3})
    dc = nest.Create("dc_generator", params={"amplitude": 300.0})
    nest.Connect(dc, exc[::3])
    sr = nest.Create("spike_recorder", params={"label": "spikes"})
    nest.Connect(exc + inh, sr)
    parrot_sr = nest.Create("spike_recorder", params={"label": "parrot_spikes"})
    nest.Connect(parrots, parrot_sr)
    mm = nest.Create("multimeter", params={"interval": 0.1, "record_from": ["V_m", "g_1", "threshold"],
                                           "label": "traces"})
    nest.Connect(mm, exc[5:40] + inh[2:5])
    nest.Simulate(30.0)
    nest.Simulate(25.0)
    nest.save_recordings(out)


def status(out):
    """What GetStatus, events, GetConnections, GetKernelStatus and recordings() give on each rank."""
    nest.resolution = 0.1
    nest.rng_seed = 3
    sg = nest.Create("spike_generator", params={"spike_times": [1.0, 3.0]})
    parrots = nest.Create("parrot_neuron", 5)
    sr = nest.Create("spike_recorder")
    nest.Connect(sg, parrots)
    nest.Connect(parrots, sr)
    nest.Connect(parrots, parrots, "one_to_one", syn_spec={"delay": 2.0})
    nest.Simulate(10.0)
    conns = nest.GetConnections(target=parrots)
    result = {
        "rank": nest.Rank(), "num_processes": nest.NumProcesses(),
        "kernel": {k: nest.GetKernelStatus(k) for k in ("num_processes", "mpi_rank", "network_size")},
        "local": list(parrots.get("local")) if nest.NumProcesses() > 1 else None,
        "vp": list(parrots.get("vp")) if nest.NumProcesses() > 1 else None,
        "events_senders": sr.events["senders"].tolist(),
        "n_events": int(sr.n_events),
        "connection_targets": sorted(np.atleast_1d(conns.get("target")).tolist()) if len(conns) else [],
        "recorded_senders": nest.recordings()["spike_recorder_1"]["spike_sender"].values.tolist(),
    }
    try:
        nest.Disconnect(parrots[:1], parrots[:1])
    except Exception as err:
        result["disconnect_pairs"] = f"{type(err).__name__}: {err}"
    nest.Disconnect(nest.GetConnections(source=parrots[:1], target=parrots[:1]))
    result["connections_after"] = len(nest.GetConnections(target=parrots))
    with open(f"{out}.{nest.Rank()}.json", "w") as f:
        json.dump(result, f)


def connect_error(out):
    """A receptor that only the nodes on the last rank lack: every rank raises the same error."""
    a = nest.Create("glif_cond", 4)
    b = nest.Create("glif_cond", 4, params={"tau_syn": [[2.0, 1.0]] * 3 + [[2.0]], "E_rev": [[0.0, -80.0]] * 3 + [[0.0]]})
    try:
        nest.Connect(a, b, syn_spec={"receptor_type": 2})
    except Exception as err:
        with open(f"{out}.{nest.Rank()}.txt", "w") as f:
            f.write(f"{type(err).__name__}: {err}")
        return
    with open(f"{out}.{nest.Rank()}.txt", "w") as f:
        f.write("no error")


def run_error(out):
    """A failure inside one rank's update during Simulate: all ranks end, the message appears once."""
    nest.rng_seed = 5
    neurons = nest.Create("glif_cond", 4)
    nest.Connect(neurons, neurons, syn_spec={"delay": 1.0, "receptor_type": 1})
    if nest.Rank() == nest.NumProcesses() - 1:
        pop, _ = nest.get_kernel().node_of(neurons.tolist()[-1])

        def broken(t_from, t_to):
            raise FloatingPointError("the update failed on purpose")
        pop.advance = broken
    nest.Simulate(10.0)


def streaming(out):
    """A recorder streaming to netCDF: refused under MPI before anything runs."""
    neurons = nest.Create("parrot_neuron", 4)
    sr = nest.Create("spike_recorder", params={"record_to": "netcdf", "filename": f"{out}.nc"})
    nest.Connect(neurons, sr)
    try:
        nest.Simulate(5.0)
    except Exception as err:
        text = f"{type(err).__name__}: {err} (at {nest.biological_time} ms)"
    else:
        text = "no error"
    with open(f"{out}.{nest.Rank()}.txt", "w") as f:
        f.write(text)


def poisson(out):
    """Poisson input (a generator to each neuron of two groups, one with multapses) into a recurrent glif_cond
    network, and a noise generator; Simulate in pieces."""
    nest.resolution = 0.1
    nest.rng_seed = 23
    exc = nest.Create("glif_cond", 40, params={"V_m": nest.random.uniform(-75.0, -60.0)})
    inh = nest.Create("glif_cond", 9)
    pg = nest.Create("poisson_generator", 2, params={"rate": [8000.0, 3000.0]})
    noise = nest.Create("noise_generator", params={"mean": 50.0, "std": 100.0, "dt": 0.5})
    nest.Connect(pg[0], exc, syn_spec={"weight": 1.5, "delay": 0.1, "receptor_type": 1})
    nest.Connect(pg[1], inh, conn_spec={"rule": "fixed_outdegree", "outdegree": 20},
                 syn_spec={"weight": 2.0, "delay": 0.2, "receptor_type": 1})
    nest.Connect(noise, exc[::2])
    nest.Connect(exc, exc + inh, conn_spec={"rule": "fixed_indegree", "indegree": 6},
                 syn_spec={"weight": 1.0, "delay": 1.0, "receptor_type": 1})
    nest.Connect(inh, exc, conn_spec={"rule": "fixed_indegree", "indegree": 3},
                 syn_spec={"weight": 4.0, "delay": 1.0, "receptor_type": 2})
    sr = nest.Create("spike_recorder", params={"label": "spikes"})
    nest.Connect(exc + inh, sr)
    mm = nest.Create("multimeter", params={"interval": 0.5, "record_from": ["V_m", "g_1"], "label": "traces"})
    nest.Connect(mm, exc[10:30] + inh)
    nest.Simulate(40.0)
    nest.Simulate(40.0)
    nest.save_recordings(out)


def user_error(out):
    """An exception of the script itself on the last rank only, not caught: all ranks end, no hang."""
    neurons = nest.Create("parrot_neuron", 4)
    nest.Connect(neurons, neurons, "one_to_one")
    if nest.Rank() == nest.NumProcesses() - 1:
        raise ValueError("the script failed on purpose")
    nest.Simulate(10.0)


def uncaught_connect_error(out):
    """An error every rank raises (found on one), not caught: the traceback appears once, all ranks end."""
    a = nest.Create("glif_cond", 4, params={"tau_syn": [[2.0, 1.0]] * 3 + [[2.0]], "E_rev": [[0.0, -80.0]] * 3 + [[0.0]]})
    nest.Connect(a, a, syn_spec={"receptor_type": 2})


if __name__ == "__main__":
    np.seterr(all="ignore")
    {"recurrent": recurrent, "status": status, "connect_error": connect_error,
     "run_error": run_error, "streaming": streaming,
     "poisson": poisson, "user_error": user_error, "uncaught_connect_error": uncaught_connect_error}[sys.argv[1]](sys.argv[2])
