"""Status dictionaries as JSON text, as PyNEST's ``nest.to_json`` and ``output="json"``."""

import json

import numpy as np

__all__ = ["to_json"]


def to_json(data, **kwargs):
    """`data` (a status dict, ``kernel_status``, a list of them) as a JSON string.

    numpy arrays become lists and numpy scalars numbers (as PyNEST's encoder);
    infinite values are written as JSON's ``Infinity``.  `kwargs` go to
    :func:`json.dumps` (e.g. ``indent=2``).  Other objects raise TypeError.
    """
    return json.dumps(data, default=_encode, **kwargs)


def _encode(value):
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
