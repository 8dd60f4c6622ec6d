"""PyNEST's ``nest.random``: random parameters drawn from the kernel's seeded streams.

Each function returns a :class:`eventsim.parameters.Parameter`, drawn when it
is used (one value per node in ``Create``/``set``, one per connection as a
syn_spec ``weight`` or ``delay``), with NEST's argument names, defaults and
checks.  Arithmetic with numbers and other parameters works as in NEST.
"""

from .errors import BadParameter, BadProperty
from .parameters import Constant, Distribution, _is_number

__all__ = ["uniform", "uniform_int", "normal", "lognormal", "exponential", "create_parameter"]


def _number(name, value, fn):
    if not _is_number(value):
        raise BadProperty(f"{fn}: {name} must be a number, got {value!r}")
    return float(value)


def uniform(min=0.0, max=1.0):
    """Uniform on ``[min, max)`` (units of the parameter it sets); min < max."""
    lo, hi = _number("min", min, "uniform"), _number("max", max, "uniform")
    if not lo < hi:
        raise BadProperty(f"uniform: min < max required, got min={lo}, max={hi}")
    return Distribution("uniform", lambda rng, n: rng.uniform(lo, hi, n), min=lo, max=hi)


def uniform_int(max):
    """Whole numbers uniform on ``0 .. max - 1`` (as floats, like NEST); max > 0."""
    if isinstance(max, bool) or not _is_number(max) or max != int(max):
        raise BadProperty(f"uniform_int: max must be a whole number, got {max!r}")
    hi = int(max)
    if hi <= 0:
        raise BadProperty(f"uniform_int: max > 0 required, got {hi}")
    return Distribution("uniform_int", lambda rng, n: rng.integers(0, hi, n), max=hi)


def normal(mean=0.0, std=1.0):
    """Normal with `mean` and standard deviation `std` > 0."""
    mu, sd = _number("mean", mean, "normal"), _number("std", std, "normal")
    if not sd > 0:
        raise BadProperty(f"normal: std > 0 required, got {sd}")
    return Distribution("normal", lambda rng, n: rng.normal(mu, sd, n), mean=mu, std=sd)


def lognormal(mean=0.0, std=1.0):
    """``exp(X)`` with X normal of `mean` and `std` > 0 (the underlying normal's, as NEST)."""
    mu, sd = _number("mean", mean, "lognormal"), _number("std", std, "lognormal")
    if not sd > 0:
        raise BadProperty(f"lognormal: std > 0 required, got {sd}")
    return Distribution("lognormal", lambda rng, n: rng.lognormal(mu, sd, n), mean=mu, std=sd)


def exponential(beta=1.0):
    """Exponential with scale (mean) `beta`; NEST accepts any beta and so does eventsim (beta < 0 flips the sign)."""
    b = _number("beta", beta, "exponential")
    return Distribution("exponential", lambda rng, n: b * rng.standard_exponential(n), beta=b)


def create_parameter(parametertype, specs=None):
    """PyNEST's ``CreateParameter``: ``"constant"`` (``value``) or a distribution of this module by name.

    Raises
    ------
    BadParameter
        For an unknown or spatial parameter type, or `specs` that are not a dict.
    """
    makers = {"constant": lambda value: Constant(_number("value", value, "constant")), "uniform": uniform,
              "uniform_int": uniform_int, "normal": normal, "lognormal": lognormal, "exponential": exponential}
    if parametertype not in makers:
        raise BadParameter(f"unknown parameter type {parametertype!r}; supported: {', '.join(makers)} "
                           "(spatial parameters are not)")
    if specs is None:
        specs = {}
    if not isinstance(specs, dict):
        raise BadParameter(f"CreateParameter specs must be a dict, got {specs!r}")
    try:
        return makers[parametertype](**specs)
    except TypeError as err:
        raise BadParameter(f"CreateParameter({parametertype!r}): {err}") from None
