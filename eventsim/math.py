"""PyNEST's ``nest.math``: functions of parameters (``exp``, ``sin``, ``cos``, ``min``, ``max``, ``redraw``)."""

import numpy as np

from .errors import BadProperty
from .parameters import Compound, Constant, Parameter, Redraw, _is_number

__all__ = ["exp", "sin", "cos", "min", "max", "redraw"]


def _param(x, fn):
    if isinstance(x, Parameter):
        return x
    if _is_number(x):
        return Constant(x)
    raise BadProperty(f"{fn}: expected a parameter or a number, got {x!r}")


def exp(x):
    """``e ** x`` of each value of `x`."""
    return Compound(np.exp, "exp", (_param(x, "exp"),))


def sin(x):
    """Sine of each value of `x` (radians)."""
    return Compound(np.sin, "sin", (_param(x, "sin"),))


def cos(x):
    """Cosine of each value of `x` (radians)."""
    return Compound(np.cos, "cos", (_param(x, "cos"),))


def min(x, value):
    """The smaller of each value of `x` and the number `value`."""
    if not _is_number(value):
        raise BadProperty(f"min: value must be a number, got {value!r}")
    return Compound(np.minimum, "min", (_param(x, "min"), Constant(value)))


def max(x, value):
    """The larger of each value of `x` and the number `value`."""
    if not _is_number(value):
        raise BadProperty(f"max: value must be a number, got {value!r}")
    return Compound(np.maximum, "max", (_param(x, "max"), Constant(value)))


def redraw(x, min, max):
    """Values of `x`, each drawn again until it lies in ``[min, max]``."""
    if not (_is_number(min) and _is_number(max)) or not min <= max:
        raise BadProperty(f"redraw: min and max must be numbers with min <= max, got {min!r}, {max!r}")
    return Redraw(_param(x, "redraw"), min, max)
