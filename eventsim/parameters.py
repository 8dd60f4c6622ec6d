"""Random parameters (PyNEST's ``nest.random`` and ``nest.math``) and their arithmetic.

A :class:`Parameter` describes how to draw values; it is drawn when used --
as a ``Create`` or ``set`` parameter (one value per node) or as a syn_spec
``weight`` or ``delay`` (one value per connection) -- from a stream of the
kernel derived from ``rng_seed`` (:meth:`eventsim.kernel.Kernel.draw_parameter`),
so a script draws the same values for the same seed.  Every occurrence of a
random parameter in an expression draws independently, as in NEST
(``p - p`` is not 0).  Comparisons (also ``==`` and ``!=``) give
parameters of 1.0 or 0.0, as NEST's.
"""

import numbers
import operator

import numpy as np

from .default_kernel import default_kernel
from .errors import BadProperty

__all__ = ["Parameter", "Constant", "Distribution", "Compound", "as_parameter"]


class Parameter:
    """A rule for drawing values; combine with numbers and other parameters by ``+ - * / **``."""

    def draw(self, rng, n):
        """`n` values (float64 array) drawn with numpy Generator `rng`."""
        raise NotImplementedError

    def GetValue(self):
        """One value, drawn with the default kernel's parameter streams (as PyNEST's ``GetValue``)."""
        return float(default_kernel().draw_parameter(self, 1)[0])

    def _binary(self, other, op, symbol, reverse=False):
        other = as_parameter(other)
        if other is NotImplemented:
            return NotImplemented
        return Compound(op, symbol, (other, self) if reverse else (self, other))

    def __add__(self, other):
        return self._binary(other, operator.add, "+")

    def __radd__(self, other):
        return self._binary(other, operator.add, "+", True)

    def __sub__(self, other):
        return self._binary(other, operator.sub, "-")

    def __rsub__(self, other):
        return self._binary(other, operator.sub, "-", True)

    def __mul__(self, other):
        return self._binary(other, operator.mul, "*")

    def __rmul__(self, other):
        return self._binary(other, operator.mul, "*", True)

    def __truediv__(self, other):
        return self._binary(other, _divide, "/")

    def __rtruediv__(self, other):
        return self._binary(other, _divide, "/", True)

    def __pow__(self, exponent):
        if isinstance(exponent, Parameter) or not _is_number(exponent):
            return NotImplemented
        return Compound(np.power, "**", (self, Constant(exponent)))

    def __neg__(self):
        return Compound(operator.mul, "*", (Constant(-1.0), self))

    def __pos__(self):
        return self

    def __lt__(self, other):
        return self._binary(other, _compare(operator.lt), "<")

    def __le__(self, other):
        return self._binary(other, _compare(operator.le), "<=")

    def __gt__(self, other):
        return self._binary(other, _compare(operator.gt), ">")

    def __ge__(self, other):
        return self._binary(other, _compare(operator.ge), ">=")

    def __eq__(self, other):
        return self._binary(other, _compare(operator.eq), "==")

    def __ne__(self, other):
        return self._binary(other, _compare(operator.ne), "!=")

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("a random parameter has no truth value; it is drawn when used")

    def __float__(self):
        raise TypeError("a random parameter is drawn when used; call GetValue() for a single value")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


def _divide(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, b)


def _compare(op):
    def compare(a, b):
        return op(a, b).astype(float)
    return compare


def as_parameter(value):
    """`value` as a Parameter (numbers become :class:`Constant`), or NotImplemented."""
    if isinstance(value, Parameter):
        return value
    if _is_number(value):
        return Constant(value)
    return NotImplemented


class Constant(Parameter):
    """A fixed number."""

    def __init__(self, value):
        self.value = float(value)

    def draw(self, rng, n):
        return np.full(n, self.value)

    def __repr__(self):
        return repr(self.value)


class Distribution(Parameter):
    """Values drawn independently from a named distribution of numpy's Generator.

    Parameters
    ----------
    name : str
        NEST's name (``uniform``, ``normal``, ``lognormal``, ``exponential``, ``uniform_int``).
    sampler : callable
        ``sampler(rng, n)`` returning `n` float64 values.
    args : dict
        The distribution's parameters, for the repr.
    """

    def __init__(self, name, sampler, **args):
        self.name, self.sampler, self.args = name, sampler, args

    def draw(self, rng, n):
        return np.asarray(self.sampler(rng, n), dtype=float)

    def __repr__(self):
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.args.items())})"


class Compound(Parameter):
    """The element-wise result of `op` on the values of `operands` (each drawn separately)."""

    def __init__(self, op, symbol, operands):
        self.op, self.symbol, self.operands = op, symbol, tuple(operands)

    def draw(self, rng, n):
        return np.asarray(self.op(*(p.draw(rng, n) for p in self.operands)), dtype=float)

    def __repr__(self):
        if len(self.operands) == 2 and not self.symbol.isidentifier():
            return f"({self.operands[0]!r} {self.symbol} {self.operands[1]!r})"
        return f"{self.symbol}({', '.join(map(repr, self.operands))})"


class Redraw(Parameter):
    """Values of `param` redrawn until they lie in ``[min, max]`` (NEST's ``nest.math.redraw``)."""

    max_rounds = 1000

    def __init__(self, param, min, max):
        self.param, self.min, self.max = param, float(min), float(max)

    def draw(self, rng, n):
        out = self.param.draw(rng, n)
        bad = (out < self.min) | (out > self.max)
        for _ in range(self.max_rounds):
            if not bad.any():
                return out
            out[bad] = self.param.draw(rng, int(bad.sum()))
            bad = (out < self.min) | (out > self.max)
        raise BadProperty(f"redraw: {self.param!r} gave no value in [{self.min}, {self.max}] after "
                          f"{self.max_rounds} attempts")

    def __repr__(self):
        return f"redraw({self.param!r}, min={self.min}, max={self.max})"
