"""Status in other forms: JSON text (to_json, output="json"), get with a dict or set of names, memory_size."""

import json

import numpy as np
import pytest

import eventsim as nest


def test_to_json_and_output_json_give_the_status_as_json_text():
    """nest.to_json, GetDefaults(output="json") and NodeCollection.get(output="json") give strings that
    parse back to the same values (numpy arrays as lists, inf as Infinity)."""
    n = nest.Create("glif_cond", 2, params={"tau_syn": [0.5, 1.0], "E_rev": [0.0, -80.0]})
    back = json.loads(n.get(output="json"))
    assert back["C_m"] == [58.72, 58.72] and back["tau_syn"] == [[0.5, 1.0], [0.5, 1.0]]
    assert json.loads(nest.GetDefaults("spike_recorder", output="json"))["stop"] == float("inf")
    assert json.loads(nest.GetDefaults("static_synapse", output="json"))["weight"] == 1.0
    assert json.loads(nest.to_json(nest.kernel_status))["resolution"] == nest.resolution
    assert json.loads(nest.to_json({"a": np.arange(3), "b": np.float64(2.5)})) == {"a": [0, 1, 2], "b": 2.5}
    with pytest.raises(TypeError, match="not JSON serializable"):
        nest.to_json({"x": object()})
    with pytest.raises(nest.BadParameter, match="output"):
        nest.GetDefaults("glif_cond", output="xml")


def test_get_takes_a_dict_set_or_view_of_names():
    """get({...}) reads the dict's keys (PyNEST iterates it), as does get(d.keys()); a set is read sorted."""
    ng = nest.Create("noise_generator", params={"mean": 10.5, "std": 0.23, "dt": 0.5})
    params = {"mean": 0.0, "std": 0.0}
    assert ng.get(params) == {"mean": 10.5, "std": 0.23}
    assert ng.get(params.keys()) == {"mean": 10.5, "std": 0.23}
    assert list(ng.get({"std", "mean"})) == ["mean", "std"]


def test_memory_size_is_the_resident_memory_in_kB():
    """memory_size grows when the process holds more memory; the spike-buffer log stays empty."""
    import mmap
    before = nest.GetKernelStatus("memory_size")
    # fresh pages from the kernel: a numpy array could reuse memory freed by earlier tests and already resident
    block = mmap.mmap(-1, 50 * 2 ** 20)
    block.write(b"\1" * len(block))                   # 50 MB, touched
    after = nest.GetKernelStatus("memory_size")
    assert isinstance(before, int) and before > 1000
    assert after - before > 40 * 1024
    block.close()
    log = nest.GetKernelStatus("spike_buffer_resize_log")
    assert sorted(log) == ["global_max_spikes_sent", "new_buffer_size", "times"] and all(v.size == 0 for v in log.values())
