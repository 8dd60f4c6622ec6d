"""NodeCollections and recordings pickle; a Kernel refuses with a message saying what to send instead."""

import gc
import pickle
import subprocess
import sys

import pytest
import xarray as xr

import eventsim as nest
from eventsim.errors import KernelException


def test_node_collection_round_trip_in_the_same_process_binds_to_its_kernel():
    """Ids, order and kernel survive; the copy reads the same parameters and compares equal."""
    a = nest.Create("glif_cond", 3)
    b = nest.Create("parrot_neuron", 2)
    picked = (a + b)[[0, 2, 4]]
    copy = pickle.loads(pickle.dumps(picked))
    assert copy == picked and copy.kernel is nest.get_kernel()
    assert copy.tolist() == [1, 3, 5]
    copy[0].set(V_th=-40.0)
    assert a[0].get("V_th") == -40.0


def test_node_collection_never_binds_to_the_kernel_after_reset():
    """After ResetKernel it binds to its old kernel while that lives, and is detached once it is gone."""
    data = pickle.dumps(nest.Create("glif_cond", 2))
    old_kernel = nest.get_kernel()
    nest.ResetKernel()
    nest.Create("glif_cond", 2)
    assert pickle.loads(data).kernel is old_kernel
    del old_kernel
    gc.collect()
    old = pickle.loads(data)
    assert old.tolist() == [1, 2] and old.kernel is not nest.get_kernel()
    with pytest.raises(KernelException, match="unpickled away from the kernel"):
        old.get("V_th")


def test_node_collection_unpickled_in_another_process_keeps_ids_but_refuses_use(tmp_path):
    """In a fresh process, ids are readable and using the nodes raises a clear KernelException."""
    path = tmp_path / "nodes.pkl"
    path.write_bytes(pickle.dumps(nest.Create("glif_cond", 4)[1:3]))
    script = (
        "import pickle, sys, eventsim as nest\n"
        f"nc = pickle.loads(open({str(path)!r}, 'rb').read())\n"
        "nest.Create('glif_cond', 4)\n"
        "print(nc.tolist(), len(nc), nc == pickle.loads(pickle.dumps(nc)))\n"
        "try:\n    nc.set(V_th=-40.0)\nexcept nest.KernelException as err:\n    print('refused:', err)\n"
        "print(nest.NodeCollection(nc.tolist()).get('V_th'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "[2, 3] 2 True"
    assert lines[1].startswith("refused:") and "send the function that builds" in lines[1]
    assert lines[2] == "(-51.68, -51.68)"


def test_kernel_refuses_to_pickle_and_says_what_to_send():
    """pickle.dumps(kernel) raises a TypeError pointing to the build function and eventsim.sweep."""
    with pytest.raises(TypeError, match="send the function that builds and runs the model"):
        pickle.dumps(nest.get_kernel())


def test_recordings_pickle():
    """The DataTree of eventsim.recordings() survives pickling unchanged."""
    n = nest.Create("glif_cond")
    cg = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [400.0]})
    mm = nest.Create("multimeter", params={"record_from": ["V_m"]})
    sr = nest.Create("spike_recorder")
    nest.Connect(cg, n)
    nest.Connect(mm, n)
    nest.Connect(n, sr)
    nest.Simulate(100.0)
    tree = nest.recordings()
    copy = pickle.loads(pickle.dumps(tree))
    assert sr.n_events > 0
    xr.testing.assert_identical(copy, tree)


def test_the_eventsim_module_pickles_by_name():
    """A function pickled by value (cloudpickle, as Dask does for a script's functions) may refer to ``nest``."""
    assert pickle.loads(pickle.dumps(nest)) is nest
