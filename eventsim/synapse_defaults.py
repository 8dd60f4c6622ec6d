"""Synapse models of a kernel: ``static_synapse`` and the copies ``CopyModel`` makes of it.

Each kernel keeps ``synapse_models``: name -> defaults (``weight``; ``delay``
in ms, on the grid; ``receptor_type``).  ``Connect`` takes a syn_spec's
missing values from the model's defaults.
"""

import numbers

import numpy as np

from .errors import BadDelay, BadProperty, UnaccessedDictionaryEntry
from .timegrid import delay_to_steps

__all__ = ["SETTABLE", "is_synapse_model", "get_defaults", "set_defaults", "copy"]

#: Synapse defaults a script may set.
SETTABLE = ("weight", "delay", "receptor_type")


def is_synapse_model(kernel, name):
    """True if `name` is a synapse model of `kernel`."""
    return isinstance(name, str) and name in kernel.synapse_models


def get_defaults(kernel, name):
    """Defaults of synapse model `name` as PyNEST's dict (weight, delay in ms, receptor_type, ...)."""
    d = kernel.synapse_models[name]
    n_conn = sum(len(p) for p in kernel.projections.values() if p.synapse_model == name)
    return {"delay": d["delay"], "weight": d["weight"], "receptor_type": d.get("receptor_type", 0),
            "element_type": "synapse", "has_delay": True, "num_connections": n_conn, "requires_symmetric": False,
            "synapse_model": name}


def set_defaults(kernel, name, params):
    """Set defaults of synapse model `name`; delays are rounded to the nearest step as NEST does.

    Raises
    ------
    UnaccessedDictionaryEntry
        A key other than weight, delay and receptor_type.
    BadProperty, BadDelay
        An illegal value (the defaults are left unchanged).
    """
    if not isinstance(params, dict):
        raise BadProperty(f"SetDefaults needs a dict of parameters, got {params!r}")
    unknown = [k for k in params if k not in SETTABLE]
    if unknown:
        raise UnaccessedDictionaryEntry(f"{name} has no settable default {unknown[0]!r}; settable: "
                                        f"{', '.join(SETTABLE)}")
    new = dict(kernel.synapse_models[name])
    for key, value in params.items():
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise BadProperty(f"{name}: {key} must be a finite number, got {value!r}")
        if key == "receptor_type":
            if value != int(value) or value < 0:
                raise BadProperty(f"{name}: receptor_type must be a non-negative integer, got {value!r}")
            new[key] = int(value)
        elif key == "delay":
            steps = int(delay_to_steps(value, kernel.resolution))
            if steps < 1:
                raise BadDelay(f"{name}: delay {value} ms is below the resolution {kernel.resolution} ms once "
                               "rounded to the grid")
            new[key] = steps * kernel.resolution
        else:
            new[key] = float(value)
    kernel.synapse_models[name] = new


def copy(kernel, old, new, params=None):
    """Make synapse model `new` a copy of `old` (with its current defaults, updated by `params`)."""
    kernel.synapse_models[new] = dict(kernel.synapse_models[old])
    try:
        if params:
            set_defaults(kernel, new, params)
    except Exception:
        del kernel.synapse_models[new]
        raise
