"""Recorders on parts of populations against NEST 3.10: only the connected nodes, once per connection.

NEST runs :mod:`partial_cases` in a subprocess (skipped when ``nest`` is not
importable); eventsim runs the same code in the test process.  Spike and
sample times and senders must be equal, in NEST's order; sampled values agree
within NEST's own integration error.  The NEST-free tests below check the
same property against eventsim's own full-population recordings.
"""

import numpy as np
import pytest
from nest_subprocess import nest_results as run_under_nest

import eventsim as nest
import partial_cases

#: Largest V_m / threshold difference (mV) accepted against NEST's RKF45 (atol 1e-3).
VALUE_ATOL = 1e-3


@pytest.fixture(scope="module")
def nest_results():
    """Every case of partial_cases run by NEST."""
    return run_under_nest(partial_cases)


@pytest.mark.parametrize("case", list(partial_cases.CASES))
def test_recorders_on_parts_equal_nest(case, nest_results):
    """Same senders and times as NEST after every Simulate call, values within NEST's error."""
    ours, theirs = partial_cases.run(nest, case), nest_results[case]
    assert ours.keys() == theirs.keys(), f"eventsim: {ours}, NEST: {theirs}"
    if "error" in theirs:
        assert ours["error"] == theirs["error"]
        return
    assert theirs["calls"][-1][0]["senders"], "the case records nothing in NEST: it cannot fail"
    for call, (mine, ref) in enumerate(zip(ours["calls"], theirs["calls"], strict=True)):
        for k, (a, b) in enumerate(zip(mine, ref, strict=True)):
            where = f"recorder {k} after Simulate call {call}"
            assert a["senders"] == b["senders"], where
            assert a["times"] == b["times"], where
            for name in set(a) - {"senders", "times"}:
                np.testing.assert_allclose(a[name], b[name], atol=VALUE_ATOL, rtol=0, err_msg=f"{name}, {where}")


def _spikes(recorder):
    ev = recorder.events
    return sorted(zip(ev["senders"].tolist(), ev["times"].tolist()))


@pytest.mark.parametrize("part", [slice(1, 3), slice(None, None, 2), slice(3, 4)])
def test_spike_recorder_on_part_keeps_exactly_its_senders(part):
    """A recorder on a part of a population holds exactly the part's spikes of a recorder on the whole."""
    neurons = nest.Create("parrot_neuron", 5)
    nest.Connect(nest.Create("poisson_generator", params={"rate": 2000.0}), neurons)
    whole, some = nest.Create("spike_recorder"), nest.Create("spike_recorder")
    nest.Connect(neurons, whole)
    nest.Connect(neurons[part], some)
    nest.Simulate(50.0)
    chosen = set(neurons[part].tolist())
    expected = [s for s in _spikes(whole) if s[0] in chosen]
    assert expected, "the part never fired: the test could not fail"
    assert _spikes(some) == expected


def test_repeated_connections_record_each_spike_per_connection():
    """Connected three times over two calls, a node's spikes appear three times; its neighbour's once."""
    parrots = nest.Create("parrot_neuron", 2)
    nest.Connect(nest.Create("spike_generator", params={"spike_times": [1.0, 4.0]}), parrots)
    sr = nest.Create("spike_recorder")
    nest.Connect(parrots[0], sr)
    nest.Connect(parrots, sr)
    nest.Connect(parrots[0], sr)
    nest.Simulate(10.0)
    senders = sr.events["senders"].tolist()
    assert senders.count(parrots[0].global_id) == 6
    assert senders.count(parrots[1].global_id) == 2


def test_later_create_calls_of_a_recorded_model_stay_unrecorded():
    """Nodes created after the recorder's sources, sharing their population, are not recorded."""
    first = nest.Create("glif_cond", 2)
    sr = nest.Create("spike_recorder")
    second = nest.Create("glif_cond", 2)
    nest.Connect(nest.Create("step_current_generator", params=partial_cases.DRIVE), first + second)
    nest.Connect(first[1], sr)
    nest.Simulate(30.0)
    ev = sr.events
    assert ev["senders"].size > 0
    assert set(ev["senders"].tolist()) == {first[1].global_id}


def test_streamed_part_holds_only_connected_senders(tmp_path):
    """The netCDF stream of a recorder on a part holds only the part's spikes and counts."""
    parrots = nest.Create("parrot_neuron", 4)
    nest.Connect(nest.Create("spike_generator", params={"spike_times": [1.0, 2.0, 3.0]}), parrots)
    sr = nest.Create("spike_recorder", params={"record_to": "netcdf", "filename": str(tmp_path / "part.nc")})
    nest.Connect(parrots[1::2], sr)
    nest.Simulate(5.0)
    nest.Simulate(5.0)
    ds = sr.to_dataset()
    assert sorted(set(ds["spike_sender"].values.tolist())) == [2, 4]
    assert ds["spike_time"].size == 6
    assert ds["spike_count"].values.tolist() == [3, 3]


def test_multimeter_twice_to_one_node_is_refused_before_anything_changes():
    """A second connection of a multimeter to a node raises IllegalConnection naming the node; the first stays."""
    neurons = nest.Create("glif_cond", 3)
    mm = nest.Create("multimeter", params={"record_from": ["V_m"], "interval": 1.0})
    nest.Connect(mm, neurons[1])
    with pytest.raises(nest.IllegalConnection, match="node 2"):
        nest.Connect(mm, neurons)
    nest.Simulate(3.0)
    assert set(mm.events["senders"].tolist()) == {neurons[1].global_id}
