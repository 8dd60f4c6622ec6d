"""ArrayPool: memory is reused only once no array or view uses it, and is never handed out twice at once."""

import threading

import numpy as np
import pytest

from eventsim.array_pool import ArrayPool


def _address(a):
    return a.__array_interface__["data"][0]


def test_memory_comes_back_when_the_last_view_is_gone():
    pool = ArrayPool()
    a = pool.empty((4, 5))
    a[:] = 7.0
    address, row = _address(a), a[2]
    del a
    b = pool.empty((4, 5))
    assert _address(b) != address           # a view still uses the memory: not handed out again
    assert np.all(row == 7.0)
    del row
    c = pool.empty((4, 5))
    assert _address(c) == address


def test_zeros_are_zero_after_reuse_and_shapes_and_dtypes_are_kept_apart():
    pool = ArrayPool()
    a = pool.empty((3, 3))
    a[:] = 5.0
    address = _address(a)
    del a
    z = pool.zeros((3, 3))
    assert _address(z) == address and np.all(z == 0.0)
    other = pool.empty((9,))
    ints = pool.empty((3, 3), dtype=np.int64)
    assert _address(other) != address and _address(ints) != address
    assert ints.dtype == np.int64 and other.shape == (9,)


def test_arrays_held_at_once_never_share_memory():
    pool = ArrayPool(keep=1)
    held = [pool.empty(100) for _ in range(5)]
    for i, a in enumerate(held):
        a[:] = i
    assert len({_address(a) for a in held}) == 5
    assert all(np.all(a == i) for i, a in enumerate(held))
    del held
    assert len(pool._spare[((100,), np.dtype(float))]) == 1     # the rest was freed


def test_arrays_may_be_dropped_in_another_thread():
    pool = ArrayPool()
    a = pool.empty(10)
    address = _address(a)
    box = [a]
    del a
    t = threading.Thread(target=box.clear)
    t.start()
    t.join()
    assert _address(pool.empty(10)) == address


@pytest.mark.parametrize("keep", [-1, 1.5, "2", True, None])
def test_a_bad_number_of_spares_is_refused_naming_it(keep):
    with pytest.raises(ValueError, match=repr(keep).replace("(", r"\(")):
        ArrayPool(keep=keep)
