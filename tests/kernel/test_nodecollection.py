"""NodeCollection: global ids, joining, indexing, iteration and get/set, as in PyNEST 3.10."""

import numpy as np
import pytest

import eventsim as nest


@pytest.fixture
def three_populations():
    """parrots 1-3, poisson_generators 4-5, parrots 6-7."""
    return (nest.Create("parrot_neuron", 3), nest.Create("poisson_generator", 2, params={"rate": [1.0, 2.0]}),
            nest.Create("parrot_neuron", 2))


def test_global_ids_are_one_based_and_continue(three_populations):
    """Global ids start at 1 and continue across Create calls."""
    a, b, c = three_populations
    assert (a.tolist(), b.tolist(), c.tolist()) == ([1, 2, 3], [4, 5], [6, 7])
    assert nest.GetKernelStatus("network_size") == 7


def test_ids_restart_after_reset(three_populations):
    """After ResetKernel the ids start at 1 again."""
    nest.ResetKernel()
    assert nest.Create("parrot_neuron", 2).tolist() == [1, 2]


def test_join_sorts_and_refuses_overlaps(three_populations):
    """a + b joins (sorted, any order, mixed models); overlapping collections are refused."""
    a, b, c = three_populations
    assert (c + a).tolist() == [1, 2, 3, 6, 7]
    assert (a + b).tolist() == [1, 2, 3, 4, 5]
    with pytest.raises(nest.NESTErrors.BadProperty, match="overlap"):
        a + a[0]
    with pytest.raises(TypeError):
        a + 1


def test_sum_of_collections(three_populations):
    """0 + nc is nc, so sum() of collections works."""
    a, b, c = three_populations
    assert (0 + a) == a
    assert sum([a, c]).tolist() == [1, 2, 3, 6, 7]
    assert sum([c, b, a]).tolist() == list(range(1, 8))


def test_indexing(three_populations):
    """Integer indexing (also negative and numpy ints) gives one-node collections; out of range is IndexError."""
    a, _, _ = three_populations
    assert a[0].tolist() == [1]
    assert a[-1].global_id == 3
    assert a[np.int64(1)].global_id == 2
    with pytest.raises(IndexError, match="out of range"):
        a[3]
    with pytest.raises(TypeError, match="indices must be"):
        a[1.0]


def test_slicing(three_populations):
    """Slices with positive steps select; a negative step or a bound outside the collection is IndexError (NEST)."""
    a, _, c = three_populations
    joined = a + c
    assert joined[1:4].tolist() == [2, 3, 6]
    assert joined[::2].tolist() == [1, 3, 7]
    assert joined[-2:].tolist() == [6, 7]
    with pytest.raises(IndexError, match="step"):
        joined[::-1]
    with pytest.raises(IndexError, match="start value 10"):
        joined[10:]
    with pytest.raises(IndexError, match="stop value 9"):
        joined[1:9]


def test_list_and_mask_indexing(three_populations):
    """Lists of ascending indices and boolean masks select nodes; unsorted or repeated indices are refused."""
    a, _, _ = three_populations
    assert a[[0, 2]].tolist() == [1, 3]
    assert a[np.array([True, False, True])].tolist() == [1, 3]
    with pytest.raises(nest.BadProperty, match="ascending"):
        a[[2, 0]]
    with pytest.raises(nest.BadProperty, match="unique"):
        a[[0, 0]]
    with pytest.raises(IndexError, match="boolean index"):
        a[[True, False]]


def test_iteration_len_and_membership(three_populations):
    """Iteration yields one-node collections; len counts nodes; `in` tests membership."""
    a, _, c = three_populations
    joined = a + c
    assert [n.global_id for n in joined] == [1, 2, 3, 6, 7]
    assert all(len(n) == 1 for n in joined)
    assert len(joined) == 5
    assert 6 in joined and 4 not in joined
    assert joined.index(6) == 3


def test_global_id_single_and_several(three_populations):
    """global_id is an int for one node and a tuple of ints for several (PyNEST)."""
    a, _, _ = three_populations
    assert a[1].global_id == 2
    assert a.global_id == (1, 2, 3)


def test_equality_and_hash(three_populations):
    """Collections are equal when they hold the same ids of the same kernel."""
    a, _, _ = three_populations
    assert a[0:2] == a[0:2]
    assert a[0:2] != a[1:3]
    assert len({a[0:2], a[0:2]}) == 1


def test_node_collection_from_ids(three_populations):
    """NodeCollection(ids) makes a collection of existing nodes, as nest.NodeCollection."""
    assert nest.NodeCollection([1, 2, 4]).tolist() == [1, 2, 4]
    assert len(nest.NodeCollection([])) == 0
    with pytest.raises(nest.BadProperty, match="ascending"):
        nest.NodeCollection([3, 1])
    with pytest.raises(nest.BadParameter, match="Node with id 10 does not exist"):
        nest.NodeCollection([1, 10])


def test_get_single_node(three_populations):
    """get on one node: a dict of everything, one value for one key, a dict for several keys."""
    _, b, _ = three_populations
    status = b[0].get()
    assert status["rate"] == 1.0 and status["model"] == "poisson_generator" and status["global_id"] == 4
    assert b[1].get("rate") == 2.0
    assert b[1].get(["rate", "start"]) == {"rate": 2.0, "start": 0.0}
    assert b[1].get("rate", "stop") == {"rate": 2.0, "stop": np.inf}
    assert b[0].rate == 1.0


def test_get_several_nodes_gives_tuples(three_populations):
    """get on several nodes gives tuples of values (PyNEST)."""
    _, b, _ = three_populations
    assert b.get("rate") == (1.0, 2.0)
    assert b.rate == (1.0, 2.0)
    assert b.get(["rate", "global_id"]) == {"rate": (1.0, 2.0), "global_id": (4, 5)}
    assert b.get()["model"] == ("poisson_generator", "poisson_generator")


def test_set_scalar_list_and_list_of_dicts(three_populations):
    """set takes a scalar for all nodes, a list with one value per node, or a list of dicts."""
    _, b, _ = three_populations
    b.set(rate=5.0)
    assert b.rate == (5.0, 5.0)
    b.set({"rate": [6.0, 7.0]})
    assert b.rate == (6.0, 7.0)
    b.set([{"rate": 1.5}, {"rate": 2.5, "start": 1.0}])
    assert b.get(["rate", "start"]) == {"rate": (1.5, 2.5), "start": (0.0, 1.0)}
    b.rate = np.array([3.0, 4.0])
    assert b.rate == (3.0, 4.0)
    b[0].rate = 9.0
    assert b.rate == (9.0, 4.0)


def test_set_on_mixed_collection(three_populations):
    """set on a collection spanning populations reaches every node."""
    _, b, _ = three_populations
    nest.SetStatus(b, {"rate": 3.0})
    assert nest.GetStatus(b, "rate") == (3.0, 3.0)
    assert nest.GetStatus(b, ["rate", "start"]) == ((3.0, 0.0), (3.0, 0.0))
    assert [s["global_id"] for s in nest.GetStatus(b)] == [4, 5]


def test_create_with_per_node_params():
    """Create takes a dict of scalars, a dict of per-node lists, or a list of dicts."""
    a = nest.Create("poisson_generator", 3, params={"rate": [1.0, 2.0, 3.0], "start": 1.0})
    assert a.get(["rate", "start"]) == {"rate": (1.0, 2.0, 3.0), "start": (1.0, 1.0, 1.0)}
    b = nest.Create("poisson_generator", 2, params=[{"rate": 4.0}, {"rate": 5.0}])
    assert b.rate == (4.0, 5.0)
    sg = nest.Create("spike_generator", 2, params={"spike_times": [1.0, 2.0]})
    assert [list(t) for t in sg.spike_times] == [[1.0, 2.0], [1.0, 2.0]]


@pytest.mark.parametrize("params, error, match", [
    ({"rate": [1.0, 2.0, 3.0]}, nest.BadParameter, "3 values for 2 nodes"),
    ([{"rate": 1.0}], nest.BadParameter, "list of 2 dicts"),
    ({"rate": "fast"}, nest.BadProperty, "must be a number"),
    ({"colour": 1}, nest.BadProperty, "no parameter 'colour'"),
])
def test_set_errors(params, error, match):
    """Wrong lengths, types and unknown names raise errors and change nothing."""
    b = nest.Create("poisson_generator", 2, params={"rate": 1.0})
    with pytest.raises(error, match=match):
        b.set(params)
    assert b.rate == (1.0, 1.0)


def test_get_errors(three_populations):
    """Unknown keys raise KeyError (AttributeError for attribute access); read-only keys cannot be set."""
    _, b, _ = three_populations
    with pytest.raises(KeyError, match="colour"):
        b.get("colour")
    with pytest.raises(AttributeError, match="colour"):
        b.colour
    with pytest.raises(nest.BadProperty, match="read-only"):
        b.set(global_id=9)


@pytest.mark.parametrize("indices, error", [([5, 10, 15], IndexError), ([2, 5.5], TypeError),
                                            ([[2, 4], [6, 8]], TypeError), ([2, 2], ValueError),
                                            ([True] * 4, IndexError), ([1, False, 1, False, 1], TypeError)])
def test_erroneous_list_indexing_raises_as_pynest(indices, error):
    """Lists of indices: out of range, floats, 2-D, repeated, wrong-length booleans and mixtures are refused."""
    nc = nest.Create("parrot_neuron", 5)
    with pytest.raises(error):
        nc[indices]


def test_equality_is_by_global_ids_as_pynest():
    """Two collections with the same ids are equal, also across ResetKernel (as PyNEST)."""
    a = nest.Create("parrot_neuron", 3)
    nest.ResetKernel()
    assert a == nest.Create("parrot_neuron", 3)
    assert a != a[:2]
