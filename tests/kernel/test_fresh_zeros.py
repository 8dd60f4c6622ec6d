"""messages.fresh_zeros: zeroed, writable memory from the system; a size it cannot map is a MemoryError."""

import numpy as np
import pytest

from eventsim.messages import Inbox, fresh_zeros


def test_fresh_zeros_are_zero_writable_and_independent():
    a, b = fresh_zeros((3, 70, 100)), fresh_zeros((3, 70, 100))
    assert a.dtype == np.float64 and a.shape == (3, 70, 100) and a.flags.writeable
    assert not a.any()
    a[1, 5, 7] = 2.5
    assert a[1, 5, 7] == 2.5 and not b.any()
    assert fresh_zeros((0, 4)).shape == (0, 4)


def test_an_impossible_size_is_a_memory_error_naming_it():
    with pytest.raises(MemoryError, match="bytes of input buffer"):
        fresh_zeros((1 << 40, 1 << 12))


def test_a_new_inbox_block_starts_at_zero_and_holds_what_is_added():
    inbox = Inbox(2, 50)
    inbox.add_dense(3, 1, np.arange(50), np.ones((4, 50)))
    taken = inbox.take(1, 8)
    assert taken.shape == (2, 8, 50)
    assert not taken[0].any()
    np.testing.assert_array_equal(taken[1, 2:6], 1.0)
    assert not taken[1, :2].any() and not taken[1, 6:].any()


def test_a_negative_size_is_refused_naming_the_shape():
    with pytest.raises(ValueError, match=r"\(3, -1\)"):
        fresh_zeros((3, -1))
