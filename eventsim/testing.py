"""Compare simulator recordings with reference recordings.

A recording is what the eventsim recorders produce (see ``recorders/``):

* a multimeter :class:`xarray.Dataset` with trace variables on the dimensions
  ``("time", "sender")`` (``time`` in ms, ``sender`` the int32 global ids);
* a spike recorder :class:`xarray.Dataset` with ``spike_time`` (ms) and
  ``spike_sender`` on the dimension ``spike`` (files written before the
  CF layout), or with ``spike_sender_index`` into ``sender`` as well (the
  CF indexed ragged array of :mod:`eventsim.recording`); either may be
  compared with the other;
* a dataset holding both kinds, such as the NEST reference
  ``tests/reference/glif_cond_seed_nest.nc``;
* an :class:`xarray.DataTree` with one group per recorder;
* the path of a netCDF file holding any of the above.

.. autosummary::

   assert_recordings_close
   compare_recordings
   compare_attributes
   compare_variable_names
   load_recording

Traces are compared elementwise with ``|actual - expected| <= atol + rtol *
|expected|``, after checking that both sample the same times and senders.
Spikes are matched per sender, in time order, within ``spike_time_tol`` ms.
Any other variable (for example ``relayed_input_time`` in the NEST
reference) is compared elementwise with the same tolerances when both
recordings hold it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import numpy as np
import xarray as xr

__all__ = [
    "Recording",
    "Tolerance",
    "assert_recordings_close",
    "compare_recordings",
    "compare_attributes",
    "compare_variable_names",
    "load_recording",
    "DEFAULT_IGNORED_ATTRIBUTES",
]

Recording = Union[xr.Dataset, xr.DataTree, str, os.PathLike]
"""A recording as a Dataset, a DataTree or the path of a netCDF file."""

Tolerance = Union[float, Mapping[str, float]]
"""A tolerance for all variables, or per variable name with default key ``"*"``."""

SPIKE_TIME = "spike_time"
"""Name of the spike time variable (ms, dimension ``spike``)."""

SPIKE_SENDER = "spike_sender"
"""Name of the spike sender variable (global ids, dimension ``spike``)."""

SPIKE_COUNT = "spike_count"
"""Name of the per-sender spike count, derived from the spikes and not compared on its own."""

SPIKE_SENDER_INDEX = "spike_sender_index"
"""Name of the CF ragged-array index of each spike's sender along ``sender``; derived from the
spikes and the recorder's sources, not compared on its own. Files of the older layout lack it."""

DERIVED_SPIKE_VARIABLES = (SPIKE_COUNT, SPIKE_SENDER_INDEX)
"""Spike variables that follow from ``spike_time`` and ``spike_sender`` and are not compared directly."""

SAMPLE_TIME_TOLERANCE_MS = 1e-9
"""Largest difference (ms) between sample times that still counts as the same time."""

MAX_LISTED_ITEMS = 5
"""How many spike times, names or groups one problem lists before it says "... and N more"."""

MAX_REPORTED_PROBLEMS = 30
"""How many problems the assertion message lists before it says "... and N more"."""


@dataclass(frozen=True)
class _Tolerances:
    """The tolerances of one comparison."""

    rtol: Tolerance
    """Relative tolerance (dimensionless), overall or per variable."""
    atol: Tolerance
    """Absolute tolerance (in the unit of each variable), overall or per variable."""
    spike_time_tol: float
    """Largest difference (ms) between matched spike times."""

    def for_variable(self, name: str) -> tuple[float, float]:
        """Return ``(atol, rtol)`` for the variable ``name``."""
        return _tolerance_for(self.atol, name), _tolerance_for(self.rtol, name)


def load_recording(source: Recording) -> xr.Dataset | xr.DataTree:
    """Return a recording held in memory.

    Parameters
    ----------
    source : xarray.Dataset, xarray.DataTree, str or os.PathLike
        A recording, or the path of a netCDF file holding one.

    Returns
    -------
    xarray.Dataset or xarray.DataTree
        ``source`` itself if it is already a Dataset or DataTree. A file with
        groups is returned as a DataTree, a file without groups as a Dataset.
        The file is read completely and closed again.
    """
    if isinstance(source, (xr.Dataset, xr.DataTree)):
        return source
    with xr.open_datatree(Path(source), engine="netcdf4") as tree:
        tree = tree.load()
    return tree if tree.children else tree.to_dataset()


def compare_recordings(
    actual: Recording,
    expected: Recording,
    *,
    rtol: Tolerance = 0.0,
    atol: Tolerance = 0.0,
    spike_time_tol: float = 0.0,
    variables: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> list[str]:
    """List the differences between two recordings.

    Parameters
    ----------
    actual, expected : xarray.Dataset, xarray.DataTree, str or os.PathLike
        The recording under test and the reference recording, or the paths
        of netCDF files holding them. DataTrees are compared group by group
        and must have the same groups.
    rtol : float or dict of str to float, default 0
        Relative tolerance (dimensionless) of traces and other variables. A
        dict gives it per variable name; the key ``"*"`` gives the default for
        the variables it does not name (0 without it).
    atol : float or dict of str to float, default 0
        Absolute tolerance, in the unit of each variable (mV for ``V_m``, pA
        for ``I``, nS for ``g_1`` ...). Given like ``rtol``.
    spike_time_tol : float, default 0
        Largest difference (ms) between an actual and an expected spike time
        that still counts as the same spike.
    variables : iterable of str, optional
        Names of the expected variables to compare; all of them by default.
        ``"spike_time"`` selects the spike comparison.
    ignore : iterable of str, default ()
        Names of expected variables not to compare.

    Returns
    -------
    list of str
        One sentence per problem, prefixed with the group for DataTrees;
        empty if the recordings agree within the tolerances.

    Raises
    ------
    ValueError
        If ``variables`` names a variable that no expected group holds, or a
        tolerance is negative.

    Notes
    -----
    Trace variables are the variables with a ``time`` dimension. Their
    sample times must agree within :data:`SAMPLE_TIME_TOLERANCE_MS` and their
    senders must be the same; values are then compared per sender with
    ``|actual - expected| <= atol + rtol * |expected|``. NaN equals NaN.
    Expected trace and spike variables missing from ``actual`` are reported;
    extra variables in ``actual`` are allowed. Other variables are compared
    only when both recordings hold them, unless ``variables`` names them.
    """
    tolerances = _Tolerances(rtol=rtol, atol=atol, spike_time_tol=spike_time_tol)
    _check_tolerances(tolerances)
    actual_groups = _groups(load_recording(actual))
    expected_groups = _groups(load_recording(expected))
    requested = None if variables is None else _names(variables)
    _check_requested_variables(requested, expected_groups)
    ignored = _names(ignore)

    problems = _compare_group_names(actual_groups, expected_groups)
    show_group = len(expected_groups) > 1 or set(expected_groups) != {"/"}
    for group, expected_group in expected_groups.items():
        if group not in actual_groups:
            continue
        selected = _selected_variables(expected_group, requested, ignored)
        group_problems = _compare_dataset(
            actual_groups[group], expected_group, selected, requested is not None, tolerances
        )
        prefix = f"group {group!r}: " if show_group else ""
        problems.extend(prefix + problem for problem in group_problems)
    return problems


def assert_recordings_close(
    actual: Recording,
    expected: Recording,
    *,
    rtol: Tolerance = 0.0,
    atol: Tolerance = 0.0,
    spike_time_tol: float = 0.0,
    variables: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
) -> None:
    """Assert that a recording matches a reference recording.

    Parameters
    ----------
    actual, expected : xarray.Dataset, xarray.DataTree, str or os.PathLike
        The recording under test and the reference recording, or the paths
        of netCDF files holding them.
    rtol : float or dict of str to float, default 0
        Relative tolerance (dimensionless), overall or per variable name
        (key ``"*"`` is the default).
    atol : float or dict of str to float, default 0
        Absolute tolerance in the unit of each variable (mV, pA, nS ...),
        overall or per variable name (key ``"*"`` is the default).
    spike_time_tol : float, default 0
        Largest difference (ms) between matched spike times.
    variables : iterable of str, optional
        Names of the expected variables to compare; all of them by default.
    ignore : iterable of str, default ()
        Names of expected variables not to compare.

    Raises
    ------
    AssertionError
        If the recordings differ. The message lists every problem found (see
        :func:`compare_recordings`): the group, variable and sender (global
        id), the first time (ms) a trace leaves the tolerance with both
        values, the largest difference and where it occurs, the number of
        samples out of tolerance, and the missing, extra or shifted spike
        times (ms) per sender.
    ValueError
        If ``variables`` names a variable that no expected group holds, or a
        tolerance is negative.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> spikes = xr.Dataset({"spike_time": ("spike", [1.5, 3.0]),
    ...                      "spike_sender": ("spike", np.array([1, 2], "int32"))})
    >>> later = spikes.assign(spike_time=("spike", [1.5, 3.05]))
    >>> assert_recordings_close(later, spikes, spike_time_tol=0.1)
    """
    __tracebackhide__ = True
    problems = compare_recordings(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        spike_time_tol=spike_time_tol,
        variables=variables,
        ignore=ignore,
    )
    if problems:
        raise AssertionError(_report(problems))


# --- attributes and variable names -------------------------------------------

DEFAULT_IGNORED_ATTRIBUTES = ("eventsim_version",)
"""Global attributes :func:`compare_attributes` leaves out unless asked: they change without
changing what was simulated."""


def compare_attributes(
    actual: Recording,
    expected: Recording,
    *,
    ignore: Iterable[str] = DEFAULT_IGNORED_ATTRIBUTES,
) -> list[str]:
    """List the differences between the global attributes of two recordings.

    The attributes record how a recording was made: ``resolution_ms``,
    ``rng_seed``, ``simulated_ms``, the recorder's window and interval, and
    whatever a test adds (such as model parameters).

    Parameters
    ----------
    actual, expected : xarray.Dataset, xarray.DataTree, str or os.PathLike
        The recordings, as for :func:`compare_recordings`. DataTrees are
        compared on the root and on every group both have.
    ignore : iterable of str, default :data:`DEFAULT_IGNORED_ATTRIBUTES`
        Attribute names not to compare, in any group.

    Returns
    -------
    list of str
        One sentence per attribute that is missing, extra or different,
        prefixed with the group for DataTrees. Booleans equal the integers
        netCDF stores them as; NaN equals NaN.
    """
    ignored = _names(ignore)
    actual_groups = _attribute_groups(load_recording(actual))
    expected_groups = _attribute_groups(load_recording(expected))
    problems = []
    for group, expected_attrs in expected_groups.items():
        if group not in actual_groups:
            continue
        prefix = "" if group == "/" and len(expected_groups) == 1 else f"group {group!r}: "
        actual_attrs = actual_groups[group]
        for name in sorted(set(expected_attrs) | set(actual_attrs), key=str):
            if name in ignored:
                continue
            if name not in actual_attrs:
                problems.append(f"{prefix}attribute {name} missing in actual (expected {_value(expected_attrs[name])})")
            elif name not in expected_attrs:
                problems.append(f"{prefix}attribute {name} not in the reference (actual {_value(actual_attrs[name])})")
            elif not _same_attribute(actual_attrs[name], expected_attrs[name]):
                problems.append(
                    f"{prefix}attribute {name} differs: actual {_value(actual_attrs[name])},"
                    f" expected {_value(expected_attrs[name])}"
                )
    return problems


def compare_variable_names(actual: Recording, expected: Recording, *, ignore: Iterable[str] = ()) -> list[str]:
    """List variables that only one of two recordings holds, group by group.

    :func:`compare_recordings` reports missing traces and spikes but lets
    other missing variables and every extra variable pass; this reports
    those. Variables derived from the spikes (``spike_count``,
    ``spike_sender_index``) are left out, so recordings of the older and
    the CF layout compare cleanly.

    Parameters
    ----------
    actual, expected : xarray.Dataset, xarray.DataTree, str or os.PathLike
        The recordings, as for :func:`compare_recordings`.
    ignore : iterable of str, default ()
        Variable names not to report.

    Returns
    -------
    list of str
        At most two sentences per group: variables not in the reference, and
        variables of the reference missing in actual (other than traces and
        spikes, which :func:`compare_recordings` reports).
    """
    ignored = _names(ignore) | set(DERIVED_SPIKE_VARIABLES)
    actual_groups = _groups(load_recording(actual))
    expected_groups = _groups(load_recording(expected))
    show_group = len(expected_groups) > 1 or set(expected_groups) != {"/"}
    problems = []
    for group, expected_group in expected_groups.items():
        if group not in actual_groups:
            continue
        actual_names = {str(n) for n in actual_groups[group].data_vars} - ignored
        expected_names = {str(n) for n in expected_group.data_vars} - ignored
        compared_elsewhere = {str(n) for n in expected_group.data_vars if "time" in expected_group[n].dims}
        compared_elsewhere |= {SPIKE_TIME, SPIKE_SENDER}
        prefix = f"group {group!r}: " if show_group else ""
        extra = sorted(actual_names - expected_names)
        missing = sorted(expected_names - actual_names - compared_elsewhere)
        if extra:
            problems.append(f"{prefix}variables not in the reference: {_listing(extra)}")
        if missing:
            problems.append(f"{prefix}variables missing in actual: {_listing(missing)}")
    return problems


def _attribute_groups(recording: xr.Dataset | xr.DataTree) -> dict[str, dict]:
    """Map group paths (root included) to their own global attributes."""
    if isinstance(recording, xr.Dataset):
        return {"/": dict(recording.attrs)}
    return {node.path: dict(node.attrs) for node in recording.subtree}


def _value(value) -> str:
    """An attribute value as Python shows it, without numpy's type names (``1``, not ``np.int64(1)``)."""
    if isinstance(value, (np.generic, np.ndarray)):
        value = value.tolist()
    return repr(value)


def _same_attribute(actual, expected) -> bool:
    """True if two attribute values are equal (bool as int, NaN as NaN, sequences elementwise)."""
    if isinstance(actual, str) or isinstance(expected, str):
        return isinstance(actual, str) and isinstance(expected, str) and actual == expected
    a, e = np.asarray(actual), np.asarray(expected)
    if a.shape != e.shape and a.size == e.size == 1:
        a, e = a.reshape(()), e.reshape(())
    if a.dtype.kind in "biuf" and e.dtype.kind in "biuf":
        return a.shape == e.shape and bool(np.array_equal(a.astype(float), e.astype(float), equal_nan=True))
    return a.shape == e.shape and bool(np.all(a == e))


# --- inputs ------------------------------------------------------------------


def _groups(recording: xr.Dataset | xr.DataTree) -> dict[str, xr.Dataset]:
    """Map group paths to datasets; a Dataset is the single group ``"/"``.

    The root of a DataTree is left out when it holds no variables but has
    child groups, as in a tree of recorders.
    """
    if isinstance(recording, xr.Dataset):
        return {"/": recording}
    return {
        node.path: node.to_dataset()
        for node in recording.subtree
        if node.data_vars or (node.is_root and not node.children)
    }


def _names(names: Iterable[str]) -> set[str]:
    """Return a set of names; a single string is one name."""
    return {names} if isinstance(names, str) else set(names)


def _tolerance_for(tolerance: Tolerance, name: str) -> float:
    """Return the tolerance of variable ``name`` from a number or a dict."""
    if isinstance(tolerance, Mapping):
        return float(tolerance.get(name, tolerance.get("*", 0.0)))
    return float(tolerance)


def _check_tolerances(tolerances: _Tolerances) -> None:
    """Raise ValueError for a negative tolerance."""
    for label in ("rtol", "atol"):
        given = getattr(tolerances, label)
        values = given.values() if isinstance(given, Mapping) else [given]
        if any(float(value) < 0 for value in values):
            raise ValueError(f"{label} must not be negative, got {given!r}")
    if tolerances.spike_time_tol < 0:
        raise ValueError(f"spike_time_tol must not be negative, got {tolerances.spike_time_tol!r} ms")


def _check_requested_variables(requested: set[str] | None, expected_groups: dict[str, xr.Dataset]) -> None:
    """Raise ValueError if ``variables`` names something no expected group holds."""
    if requested is None:
        return
    known = set().union(*(group.data_vars for group in expected_groups.values()))
    unknown = sorted(requested - known)
    if unknown:
        raise ValueError(
            f"variables not in the expected recording: {_listing(unknown)}; it holds {_listing(sorted(known))}"
        )


def _selected_variables(expected: xr.Dataset, requested: set[str] | None, ignored: set[str]) -> list[str]:
    """Return the names of the expected variables to compare, in dataset order."""
    return [
        str(name)
        for name in expected.data_vars
        if (requested is None or name in requested) and name not in ignored
    ]


# --- structure ---------------------------------------------------------------


def _compare_group_names(actual: dict[str, xr.Dataset], expected: dict[str, xr.Dataset]) -> list[str]:
    """Report groups that only one of the recordings has."""
    missing = sorted(set(expected) - set(actual))
    unexpected = sorted(set(actual) - set(expected))
    if not (missing or unexpected):
        return []
    return [
        f"groups differ: actual has {_listing(sorted(actual))}, expected has {_listing(sorted(expected))}"
        f" (missing in actual: {_listing(missing)}; not expected: {_listing(unexpected)})"
    ]


def _compare_dataset(
    actual: xr.Dataset,
    expected: xr.Dataset,
    selected: list[str],
    explicitly_requested: bool,
    tolerances: _Tolerances,
) -> list[str]:
    """Compare the selected variables of one group."""
    traces = [name for name in selected if "time" in expected[name].dims]
    compare_spikes = SPIKE_TIME in selected
    others = [
        name
        for name in selected
        if name not in traces and name not in (SPIKE_TIME, SPIKE_SENDER, *DERIVED_SPIKE_VARIABLES)
    ]
    required = traces + [name for name in (SPIKE_TIME, SPIKE_SENDER) if compare_spikes and name in expected
                         and not _has_sender_index(actual)]
    if explicitly_requested:
        required += others
    missing = [name for name in required if name not in actual]

    problems = []
    if missing:
        problems.append(f"variables missing in actual: {_listing(missing)}")
    present_traces = [name for name in traces if name in actual]
    if present_traces:
        problems.extend(_compare_traces(actual, expected, present_traces, tolerances))
    if compare_spikes and not any(name in missing for name in (SPIKE_TIME, SPIKE_SENDER)):
        problems.extend(_compare_spikes(actual, expected, tolerances.spike_time_tol))
    for name in others:
        if name in actual:
            problems.extend(_compare_variable(name, actual[name], expected[name], tolerances))
    return problems


# --- traces ------------------------------------------------------------------


def _compare_traces(
    actual: xr.Dataset, expected: xr.Dataset, names: list[str], tolerances: _Tolerances
) -> list[str]:
    """Check sample times and senders, then compare each trace variable."""
    if "time" not in actual.dims:
        return [f"actual has no time dimension; traces {_listing(names)} not compared"]
    time_problem = _compare_sample_times(actual["time"].values, expected["time"].values)
    if time_problem:
        return [time_problem + f"; traces {_listing(names)} not compared"]
    problems = []
    if "sender" in expected.dims:
        sender_problem = _compare_senders(actual, expected)
        if sender_problem:
            problems.append(sender_problem)
    for name in names:
        problems.extend(_compare_variable(name, actual[name], expected[name], tolerances))
    return problems


def _compare_sample_times(actual: np.ndarray, expected: np.ndarray) -> str | None:
    """Describe how the sample times (ms) differ, or return None if they agree."""
    common = min(actual.size, expected.size)
    apart = np.flatnonzero(~(np.abs(actual[:common] - expected[:common]) <= SAMPLE_TIME_TOLERANCE_MS))
    if actual.size == expected.size and apart.size == 0:
        return None
    first = int(apart[0]) if apart.size else common
    return (
        f"sample times differ: actual has {_describe_times(actual)}, expected {_describe_times(expected)};"
        f" first difference at index {first} (actual {_sample_at(actual, first)},"
        f" expected {_sample_at(expected, first)})"
    )


def _describe_times(times: np.ndarray) -> str:
    """Describe sample times (ms) as their number and range."""
    if times.size == 0:
        return "0 samples"
    return f"{times.size} samples {_number(times[0])}..{_number(times[-1])} ms"


def _sample_at(times: np.ndarray, index: int) -> str:
    """Return the sample time at ``index`` in ms, or say there is none."""
    return f"{_number(times[index])} ms" if index < times.size else "no sample"


def _compare_senders(actual: xr.Dataset, expected: xr.Dataset) -> str | None:
    """Describe senders recorded in only one of the datasets."""
    actual_senders = set(actual["sender"].values.tolist()) if "sender" in actual.dims else set()
    expected_senders = set(expected["sender"].values.tolist())
    missing = sorted(expected_senders - actual_senders)
    extra = sorted(actual_senders - expected_senders)
    if not (missing or extra):
        return None
    return f"senders differ: missing in actual {_listing(missing)}; not expected {_listing(extra)}"


# --- variables ---------------------------------------------------------------


@dataclass(frozen=True)
class _Mismatch:
    """Where two aligned arrays differ by more than the tolerance."""

    count: int
    """Number of elements out of tolerance."""
    size: int
    """Number of elements compared."""
    first: int
    """Flat index of the first element out of tolerance."""
    largest: int
    """Flat index of the largest absolute difference."""
    largest_difference: float
    """Largest absolute difference, in the unit of the variable (inf for NaN against a number)."""


def _compare_variable(
    name: str, actual: xr.DataArray, expected: xr.DataArray, tolerances: _Tolerances
) -> list[str]:
    """Compare one variable, per sender if it has a sender dimension."""
    label = _variable_label(name, expected)
    if set(actual.dims) != set(expected.dims):
        return [f"{label}: dimensions differ: actual {actual.dims}, expected {expected.dims}"]
    actual = actual.transpose(*expected.dims)
    if "sender" not in expected.dims:
        return _compare_aligned(label, actual, expected, tolerances.for_variable(name))
    actual_senders = actual["sender"].values.tolist()
    problems = []
    for position, sender in enumerate(expected["sender"].values.tolist()):
        if sender in actual_senders:
            problems.extend(
                _compare_aligned(
                    f"{label}, sender {sender}",
                    actual.isel(sender=actual_senders.index(sender)),
                    expected.isel(sender=position),
                    tolerances.for_variable(name),
                )
            )
    return problems


def _compare_aligned(
    label: str, actual: xr.DataArray, expected: xr.DataArray, tolerance: tuple[float, float]
) -> list[str]:
    """Compare two arrays with the same dimensions, element by element."""
    if actual.shape != expected.shape:
        return [f"{label}: shapes differ: actual {_shape(actual)}, expected {_shape(expected)}"]
    atol, rtol = tolerance
    mismatch = _find_mismatch(actual.values, expected.values, atol, rtol)
    if mismatch is None:
        return []
    units = f" {expected.attrs['units']}" if "units" in expected.attrs else ""
    return [
        f"{label}: {mismatch.count} of {mismatch.size} samples out of tolerance (atol={atol:g}, rtol={rtol:g});"
        f" first at {_where(expected, actual, mismatch.first)};"
        f" largest difference {_number(mismatch.largest_difference)}{units}"
        f" at {_where(expected, actual, mismatch.largest)}"
    ]


def _find_mismatch(actual: np.ndarray, expected: np.ndarray, atol: float, rtol: float) -> _Mismatch | None:
    """Locate elements with ``|actual - expected| > atol + rtol * |expected|``.

    NaN matches NaN and infinities match themselves. Non-numeric arrays must
    be equal.
    """
    if actual.dtype.kind in "biuf" and expected.dtype.kind in "biuf":
        actual = actual.astype(np.float64)
        expected = expected.astype(np.float64)
        with np.errstate(invalid="ignore"):
            difference = np.abs(actual - expected)
            equal = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
            within = equal | (difference <= atol + rtol * np.abs(expected))
        difference = np.where(equal, 0.0, np.where(np.isnan(difference), np.inf, difference))
    else:
        within = actual == expected
        difference = (~within).astype(np.float64)
    outside = np.flatnonzero(~np.asarray(within).ravel())
    if outside.size == 0:
        return None
    largest = int(np.argmax(difference.ravel()))
    return _Mismatch(
        count=int(outside.size),
        size=int(expected.size),
        first=int(outside[0]),
        largest=largest,
        largest_difference=float(difference.ravel()[largest]),
    )


def _where(expected: xr.DataArray, actual: xr.DataArray, flat_index: int) -> str:
    """Describe an element by its coordinates and give both values."""
    index = np.unravel_index(flat_index, expected.shape)
    place = ", ".join(_coordinate_label(expected, dim, i) for dim, i in zip(expected.dims, index))
    return (
        f"{place} (actual {_number(actual.values[index])}, expected {_number(expected.values[index])})"
    )


def _coordinate_label(array: xr.DataArray, dim: str, index: int) -> str:
    """Return e.g. ``t = 12.5 ms`` for a time index or ``input_spike = 3`` for a plain index."""
    if dim not in array.coords:
        return f"{dim} = {index}"
    coordinate = array.coords[dim]
    units = f" {coordinate.attrs.get('units', 'ms' if dim == 'time' else '')}".rstrip()
    name = "t" if dim == "time" else dim
    return f"{name} = {_number(coordinate.values[index])}{units}"


def _variable_label(name: str, expected: xr.DataArray) -> str:
    """Return the variable name with its unit, e.g. ``V_m [mV]``."""
    return f"{name} [{expected.attrs['units']}]" if "units" in expected.attrs else name


def _shape(array: xr.DataArray) -> str:
    """Return e.g. ``(time: 3, sender: 2)``."""
    return "(" + ", ".join(f"{dim}: {size}" for dim, size in zip(array.dims, array.shape)) + ")"


# --- spikes ------------------------------------------------------------------


def _compare_spikes(actual: xr.Dataset, expected: xr.Dataset, tolerance_ms: float) -> list[str]:
    """Match spikes per sender in time order and report the differences."""
    by_sender = SPIKE_SENDER in expected or _has_sender_index(expected)
    actual_spikes = _spikes_by_sender(actual, by_sender)
    expected_spikes = _spikes_by_sender(expected, by_sender)
    empty = np.empty(0)
    problems = []
    for sender in sorted(set(actual_spikes) | set(expected_spikes), key=lambda s: (s is None, s)):
        problem = _compare_spike_train(
            sender, actual_spikes.get(sender, empty), expected_spikes.get(sender, empty), tolerance_ms
        )
        if problem:
            problems.append(problem)
    return problems


def _spikes_by_sender(dataset: xr.Dataset, by_sender: bool) -> dict[int | None, np.ndarray]:
    """Return the sorted spike times (ms) of each sender, or of all under the key None."""
    times = dataset[SPIKE_TIME].values.astype(np.float64).ravel()
    if not by_sender:
        return {None: np.sort(times)}
    senders = _spike_senders(dataset)
    return {int(sender): np.sort(times[senders == sender]) for sender in np.unique(senders)}


def _has_sender_index(dataset: xr.Dataset) -> bool:
    """True if the spikes' senders are given as a CF ragged-array index into ``sender``."""
    return SPIKE_SENDER_INDEX in dataset and "sender" in dataset.coords


def _spike_senders(dataset: xr.Dataset) -> np.ndarray:
    """Global id of each spike's sender: ``spike_sender``, or ``sender`` at ``spike_sender_index``."""
    if SPIKE_SENDER in dataset:
        return dataset[SPIKE_SENDER].values.ravel()
    return dataset["sender"].values[dataset[SPIKE_SENDER_INDEX].values.ravel()]


def _compare_spike_train(
    sender: int | None, actual: np.ndarray, expected: np.ndarray, tolerance_ms: float
) -> str | None:
    """Describe missing, extra or shifted spikes of one sender."""
    missing, extra = _unmatched_spikes(actual, expected, tolerance_ms)
    if not (missing or extra):
        return None
    who = "spikes" if sender is None else f"spikes, sender {sender}"
    counts = f"actual {actual.size}, expected {expected.size} spikes"
    if len(missing) == len(extra):
        shifts = [f"{_number(e)} -> {_number(a)} ms ({a - e:+.6g} ms)" for e, a in zip(missing, extra)]
        return (
            f"{who}: {len(shifts)} shifted by more than {tolerance_ms:g} ms ({counts}),"
            f" expected -> actual: {_listing(shifts)}"
        )
    parts = []
    if missing:
        parts.append(f"missing (expected, not in actual) at {_listing([_number(t) for t in missing])} ms")
    if extra:
        parts.append(f"extra (in actual, not expected) at {_listing([_number(t) for t in extra])} ms")
    return f"{who}: {counts}; " + "; ".join(parts)


def _unmatched_spikes(
    actual: np.ndarray, expected: np.ndarray, tolerance_ms: float
) -> tuple[list[float], list[float]]:
    """Match two sorted spike trains in time order.

    Returns
    -------
    missing : list of float
        Expected spike times (ms) without an actual spike within the tolerance.
    extra : list of float
        Actual spike times (ms) without an expected spike within the tolerance.
    """
    missing: list[float] = []
    extra: list[float] = []
    i = j = 0
    while i < expected.size and j < actual.size:
        if abs(actual[j] - expected[i]) <= tolerance_ms:
            i, j = i + 1, j + 1
        elif actual[j] < expected[i]:
            extra.append(float(actual[j]))
            j += 1
        else:
            missing.append(float(expected[i]))
            i += 1
    missing.extend(float(t) for t in expected[i:])
    extra.extend(float(t) for t in actual[j:])
    return missing, extra


# --- messages ----------------------------------------------------------------


def _number(value: float) -> str:
    """Format a number with up to 10 significant digits."""
    return f"{value:.10g}" if isinstance(value, (float, np.floating)) else str(value)


def _listing(items: list) -> str:
    """Join items with commas, listing at most :data:`MAX_LISTED_ITEMS`."""
    if not items:
        return "none"
    shown = ", ".join(str(item) for item in items[:MAX_LISTED_ITEMS])
    hidden = len(items) - MAX_LISTED_ITEMS
    return shown + (f", ... and {hidden} more" if hidden > 0 else "")


def format_problems(problems: list[str]) -> str:
    """The assertion message of :func:`assert_recordings_close` for a list of problems (str)."""
    return _report(problems)


def _report(problems: list[str]) -> str:
    """Build the assertion message from the problems found."""
    lines = [f"recordings differ ({len(problems)} problem{'s' if len(problems) != 1 else ''}):"]
    lines += [f"  - {problem}" for problem in problems[:MAX_REPORTED_PROBLEMS]]
    hidden = len(problems) - MAX_REPORTED_PROBLEMS
    if hidden > 0:
        lines.append(f"  ... and {hidden} more problems")
    return "\n".join(lines)
