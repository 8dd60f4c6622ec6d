"""pytest plugin: regression tests against stored reference recordings.

The plugin is registered through the ``pytest11`` entry point ``eventsim``
and adds

* the command-line option ``--update-references``, which writes or refreshes
  the reference files instead of comparing with them, and
* the fixture :func:`reference_recording`.

A test passes its recording to the fixture::

    def test_glif_cond_traces(reference_recording):
        recording = simulate()  # an xarray Dataset or DataTree
        reference_recording(recording, atol={"V_m": 1e-6}, spike_time_tol=0.0)

The reference of that test is
``<test directory>/references/<test module>/test_glif_cond_traces.nc``.
Run ``pytest --update-references`` once to create it, review it, and commit
it with the test.

.. autosummary::

   reference_recording
   reference_path
   write_reference
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported where used: loading the plugin must stay cheap for pytest runs that never use it
    import xarray as xr

    from eventsim.testing import Tolerance

__all__ = ["reference_path", "reference_recording", "write_reference"]

UPDATE_OPTION = "--update-references"
"""Command-line option that writes reference files instead of comparing."""

REFERENCE_DIRECTORY = "references"
"""Directory, beside the test file, that holds one subdirectory of references per test module."""

_written_references = pytest.StashKey[list[Path]]()
"""Paths of the reference files written in this session, for the terminal summary."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the ``--update-references`` option."""
    parser.getgroup("eventsim").addoption(
        UPDATE_OPTION,
        action="store_true",
        default=False,
        help="write or refresh the reference recordings of reference_recording instead of comparing with them",
    )


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """List the reference files written in this session."""
    written = config.stash.get(_written_references, [])
    if written:
        terminalreporter.section("eventsim reference recordings")
        for path in written:
            terminalreporter.write_line(f"reference written: {path}")


def reference_path(node: pytest.Item, name: str | None = None) -> Path:
    """Return the reference file of a test.

    Parameters
    ----------
    node : pytest.Item
        The test, usually ``request.node``.
    name : str, optional
        File stem to use instead of the test name.

    Returns
    -------
    pathlib.Path
        ``<dir of test file>/references/<test module stem>/<stem>.nc``. The
        stem is ``name`` or the test name (with its class, if any, and its
        parameters), with every run of characters other than letters, digits,
        ``_``, ``.`` and ``-`` replaced by ``_``: ``test_v[lif-0.5]`` becomes
        ``test_v_lif-0.5``.
    """
    test_file = Path(node.path)
    stem = name if name is not None else ".".join(node.nodeid.split("::")[1:])
    return test_file.parent / REFERENCE_DIRECTORY / test_file.stem / f"{_file_stem(stem)}.nc"


def write_reference(recording: xr.Dataset | xr.DataTree, path: str | os.PathLike) -> Path:
    """Write a recording to a netCDF file atomically.

    The recording goes to a temporary file in the same directory, which then
    replaces ``path``; an interrupted write leaves the old file intact.
    Boolean attributes are stored as integers (0 or 1), since netCDF has no
    boolean attribute type.

    Parameters
    ----------
    recording : xarray.Dataset or xarray.DataTree
        The recording; a DataTree is written with one netCDF group per node.
    path : str or os.PathLike
        The reference file. Missing directories are created.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".nc.tmp")
    os.close(descriptor)
    try:
        _netcdf_safe(recording).to_netcdf(temporary, engine="netcdf4")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@pytest.fixture
def reference_recording(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Compare a recording with the test's reference file, or write it.

    Returns
    -------
    callable
        ``check(recording, *, rtol=0.0, atol=0.0, spike_time_tol=0.0,
        name=None, ignore=(), variables=None, ignore_attrs=())`` compares
        ``recording`` (an xarray Dataset or DataTree) with the file given by
        :func:`reference_path` (see :func:`_assert_matches_reference`):
        values as :func:`eventsim.testing.assert_recordings_close` does,
        plus the global attributes (resolution, seed, recorder settings,
        model parameters a test stores; ``ignore_attrs`` names attributes
        to leave out) and extra or missing variables. ``rtol`` and ``atol``
        (in the unit of each variable, e.g. mV) may be dicts per variable,
        and ``spike_time_tol`` is in ms. With
        ``--update-references`` it writes the file instead, and the session
        summary reports ``reference written: PATH``. It returns the path of
        the reference file. Each call in one test needs its own ``name``.

    Raises
    ------
    pytest.fail.Exception
        If the reference file does not exist (run pytest with
        ``--update-references`` to create it), or one test uses the same
        reference file twice.
    AssertionError
        If the recording differs from the reference.
    """
    update = request.config.getoption("update_references")
    used: set[Path] = set()

    def check(
        recording: xr.Dataset | xr.DataTree,
        *,
        rtol: Tolerance = 0.0,
        atol: Tolerance = 0.0,
        spike_time_tol: float = 0.0,
        name: str | None = None,
        ignore: Iterable[str] = (),
        variables: Iterable[str] | None = None,
        ignore_attrs: Iterable[str] = (),
    ) -> Path:
        __tracebackhide__ = True
        path = reference_path(request.node, name)
        if path in used:
            pytest.fail(
                f"this test already used the reference {path}; pass a different name= to each call",
                pytrace=False,
            )
        used.add(path)
        if update:
            write_reference(recording, path)
            request.config.stash.setdefault(_written_references, []).append(path)
            return path
        if not path.exists():
            pytest.fail(
                f"no reference recording at {path}; run pytest with {UPDATE_OPTION} to create it",
                pytrace=False,
            )
        _assert_matches_reference(
            recording,
            path,
            rtol=rtol,
            atol=atol,
            spike_time_tol=spike_time_tol,
            variables=variables,
            ignore=ignore,
            ignore_attrs=ignore_attrs,
        )
        return path

    return check


def _assert_matches_reference(recording, path: Path, *, ignore_attrs: Iterable[str] = (), **options) -> None:
    """Compare `recording` with the reference file `path`; fail naming the file and how to update it.

    Values are compared by :func:`eventsim.testing.compare_recordings` with
    `options` (tolerances, ``variables``, ``ignore``); global attributes by
    :func:`eventsim.testing.compare_attributes`, leaving out
    :data:`eventsim.testing.DEFAULT_IGNORED_ATTRIBUTES` and `ignore_attrs`;
    variable names by :func:`eventsim.testing.compare_variable_names`
    (extra variables, and missing ones other than traces and spikes),
    leaving out ``options["ignore"]``.

    Raises
    ------
    AssertionError
        Listing every problem, then the reference file and
        ``--update-references``.
    """
    __tracebackhide__ = True
    from eventsim import testing

    expected = testing.load_recording(path)
    problems = testing.compare_recordings(recording, expected, **options)
    problems += testing.compare_variable_names(recording, expected, ignore=options.get("ignore", ()))
    ignored_attrs = set(testing.DEFAULT_IGNORED_ATTRIBUTES) | set(
        [ignore_attrs] if isinstance(ignore_attrs, str) else ignore_attrs
    )
    problems += testing.compare_attributes(recording, expected, ignore=ignored_attrs)
    if problems:
        raise AssertionError(
            testing.format_problems(problems)
            + f"\nreference: {path}\nif the change is intended, rewrite the reference with "
            f"pytest {UPDATE_OPTION} (and review the new file before committing it)"
        )


def _file_stem(name: str) -> str:
    """Replace characters that are awkward in file names by ``_``."""
    stem = re.sub(r"[^\w.-]+", "_", name, flags=re.ASCII).strip("_")
    if not stem:
        raise ValueError(f"cannot make a file name from {name!r}")
    return stem


def _netcdf_safe(recording: xr.Dataset | xr.DataTree) -> xr.Dataset | xr.DataTree:
    """Return the recording with boolean attributes turned into integers."""
    import xarray as xr

    if isinstance(recording, xr.Dataset):
        return _netcdf_safe_dataset(recording)
    return xr.DataTree.from_dict(
        {node.path: _netcdf_safe_dataset(node.to_dataset(inherit=False)) for node in recording.subtree}
    )


def _netcdf_safe_dataset(dataset: xr.Dataset) -> xr.Dataset:
    """Return a shallow copy of ``dataset`` whose attributes netCDF accepts."""
    safe = dataset.copy(deep=False)
    safe.attrs = _netcdf_attrs(dataset.attrs)
    for name, variable in safe.variables.items():
        variable.attrs = _netcdf_attrs(dataset.variables[name].attrs)
    return safe


def _netcdf_attrs(attrs: dict) -> dict:
    """Store booleans, alone or in sequences, as integers."""
    return {key: _netcdf_value(value) for key, value in attrs.items()}


def _netcdf_value(value):
    """Return ``value`` with booleans as integers."""
    import numpy as np

    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value.astype(np.int8)
    if isinstance(value, (list, tuple)) and any(isinstance(item, (bool, np.bool_)) for item in value):
        return [int(item) if isinstance(item, (bool, np.bool_)) else item for item in value]
    return value
