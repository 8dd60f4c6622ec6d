"""eventsim against NEST 3.10 reference recordings of the GLIF models.

Every paradigm of ``tests/paradigms.py`` is run with ``eventsim`` used as
``nest`` and compared with the NEST recording stored in
``tests/reference/<paradigm>.nc`` (made by ``tools/make_nest_references.py``).
The project's tolerances: every spike on the same grid step (times equal to
1e-9 ms), V_m within 1e-3 mV, g_* within 1e-3 nS, I within 1e-9 pA, and the
threshold variables and ASCurrents_sum within 1e-4 of the reference
variable's range (max - min over the whole file, at least 1e-12).  The
current-based models (``paradigms.EXACT_PARADIGMS``) are integrated exactly by
NEST and by eventsim: there every recorded variable (V_m and the thresholds in
mV, I, I_syn and ASCurrents_sum in pA) must be within 1e-6.

Further tests check the stored files themselves: that they name the NEST
version that made them, that NEST (when installed) still reproduces them from
the current paradigms, and that ``to_dataset`` builds the documented layout.
"""

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

TESTS_DIR = Path(__file__).resolve().parents[1]
REFERENCE_DIR = TESTS_DIR / "reference"
REGENERATE = "python tools/make_nest_references.py {name}   (needs NEST: pip install .[nest])"

SPIKE_TIME_TOL = 1e-9
"""ms; spikes must fall on the identical grid step."""
V_M_ATOL = 1e-3
"""mV."""
G_ATOL = 1e-3
"""nS, for every g_<port>."""
I_ATOL = 1e-9
"""pA; the input current is piecewise constant and must match exactly."""
RANGE_FRACTION = 1e-4
"""Tolerance of threshold*, ASCurrents_sum as a fraction of the reference range."""
RANGE_FLOOR = 1e-12
"""Smallest range used for RANGE_FRACTION (for constant variables)."""
RANGE_VARIABLES = ("threshold", "threshold_spike", "threshold_voltage", "ASCurrents_sum")
EXACT_ATOL = 1e-6
"""mV or pA, for every variable of the current-based models' paradigms."""


def _load_paradigms():
    """Import ``tests/paradigms.py`` by path (``tests`` is not a package)."""
    name = "glif_cond_paradigms"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, TESTS_DIR / "paradigms.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


paradigms = _load_paradigms()
NAMES = list(paradigms.PARADIGMS)


def load_reference(name):
    """Return the stored reference of paradigm ``name``, or skip the test.

    Parameters
    ----------
    name : str
        A key of ``paradigms.PARADIGMS``.

    Returns
    -------
    xarray.Dataset
        The reference, fully loaded (the file is closed again).
    """
    path = REFERENCE_DIR / f"{name}.nc"
    if not path.exists():
        pytest.skip(f"reference {path} is missing; regenerate it with: {REGENERATE.format(name=name)}")
    return xr.load_dataset(path, engine="netcdf4")


def reference_atol(expected, exact=False):
    """Absolute tolerance per recorded variable of a reference.

    Parameters
    ----------
    expected : xarray.Dataset
        A reference recording.
    exact : bool
        A paradigm of the exactly integrated models: EXACT_ATOL for every variable.

    Returns
    -------
    dict
        Variable name -> absolute tolerance, for every (time, sender) variable.

    Raises
    ------
    KeyError
        For a recorded variable without a project tolerance.
    """
    atol = {}
    for var, da in expected.data_vars.items():
        if da.dims != ("time", "sender"):
            continue
        if exact:
            atol[var] = EXACT_ATOL
        elif var == "V_m":
            atol[var] = V_M_ATOL
        elif var == "I":
            atol[var] = I_ATOL
        elif re.fullmatch(r"g_[1-9][0-9]*", var):
            atol[var] = G_ATOL
        elif var in RANGE_VARIABLES:
            span = float(da.max() - da.min()) if da.size else 0.0
            atol[var] = RANGE_FRACTION * max(span, RANGE_FLOOR)
        else:
            raise KeyError(f"no tolerance defined for recorded variable {var!r}")
    return atol


def _version_of(module):
    """Return a module's version string (``__version__`` or package metadata)."""
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            version = importlib.metadata.version(module.__name__)
        except importlib.metadata.PackageNotFoundError:
            version = "unknown"
    return str(version)


@pytest.mark.parametrize("name", NAMES)
def test_eventsim_matches_nest_reference(name):
    """eventsim reproduces NEST's spikes on the same steps and its traces within the project tolerances."""
    expected = load_reference(name)
    import eventsim
    from eventsim.testing import assert_recordings_close

    eventsim.ResetKernel()
    result = paradigms.PARADIGMS[name](eventsim)
    actual = paradigms.to_dataset(result, "eventsim", _version_of(eventsim))
    atol = reference_atol(expected, exact=name in paradigms.EXACT_PARADIGMS)
    assert_recordings_close(actual, expected, atol=atol, spike_time_tol=SPIKE_TIME_TOL)


@pytest.mark.parametrize("name", NAMES)
def test_reference_records_nest_version(name):
    """Each reference file names the NEST 3.10 release that made it and its own settings."""
    ds = load_reference(name)
    assert ds.attrs["simulator"] == "NEST"
    assert re.fullmatch(r"3\.10\.\d+\S*", ds.attrs["simulator_version"]), ds.attrs["simulator_version"]
    assert ds.attrs["source"] == f"NEST {ds.attrs['simulator_version']}"
    assert ds.attrs["paradigm"] == name
    assert ds.attrs["resolution_ms"] > 0
    assert ds.attrs["simulated_ms"] > 0
    assert ds.sizes["time"] > 0 and ds.sizes["spike"] > 0


@pytest.mark.parametrize("name", NAMES)
def test_reference_is_current(name):
    """Rerunning a paradigm in NEST (when installed) reproduces its stored reference.

    Fails when ``tests/paradigms.py`` changed without regenerating the
    references.  Spikes must be identical; traces agree to 1e-9 (NEST is
    deterministic, this only allows for a different libm).
    """
    expected = load_reference(name)
    nest = pytest.importorskip("nest")
    made_by = expected.attrs["simulator_version"]
    release = re.match(r"\d+\.\d+", made_by).group()
    if not nest.__version__.startswith(release + "."):
        pytest.skip(f"NEST {nest.__version__} installed, reference made by NEST {made_by}")
    nest.verbosity = nest.VerbosityLevel.ERROR
    actual = paradigms.to_dataset(paradigms.PARADIGMS[name](nest), "NEST", nest.__version__)

    assert sorted(actual.data_vars) == sorted(expected.data_vars)
    np.testing.assert_array_equal(actual["sender"].values, expected["sender"].values)
    np.testing.assert_array_equal(actual["time"].values, expected["time"].values)
    np.testing.assert_array_equal(actual["spike_sender"].values, expected["spike_sender"].values)
    np.testing.assert_array_equal(actual["spike_time"].values, expected["spike_time"].values)
    for var in reference_atol(expected, exact=name in paradigms.EXACT_PARADIGMS):
        np.testing.assert_allclose(actual[var].values, expected[var].values, rtol=1e-9, atol=1e-9, err_msg=var)
    for key in ("resolution_ms", "simulated_ms", "paradigm"):
        assert actual.attrs[key] == expected.attrs[key]


class _FakeDevice:
    """Stands in for a recording device NodeCollection: only ``events``."""

    def __init__(self, events):
        self.events = {k: np.asarray(v) for k, v in events.items()}


class _FakeNeurons:
    """Stands in for the neurons' NodeCollection: only ``tolist``."""

    def __init__(self, gids):
        self._gids = list(gids)

    def tolist(self):
        return list(self._gids)


def _fake_result(mm_events, spike_events, gids=(3, 5)):
    """A paradigm result built from flat PyNEST-style event dicts."""
    return {
        "paradigm": "fake",
        "resolution_ms": 0.1,
        "multimeter": _FakeDevice(mm_events),
        "spike_recorder": _FakeDevice(spike_events),
        "neurons": _FakeNeurons(gids),
        "record_from": ["V_m", "g_2"],
        "simulated_ms": 1.0,
    }


def test_to_dataset_layout():
    """to_dataset un-interleaves flat multimeter events into (time, sender) and sorts spikes by (time, sender)."""
    mm = {
        "senders": [5, 3, 3, 5],
        "times": [0.1, 0.2, 0.1, 0.20000000000000004],  # float noise as in 2 * 0.1 + ...
        "V_m": [-70.0, -61.0, -60.0, -71.0],
        "g_2": [0.5, 1.1, 1.0, 0.6],
    }
    spikes = {"senders": [5, 3, 5], "times": [0.2, 0.2, 5.1000000000000005]}
    ds = paradigms.to_dataset(_fake_result(mm, spikes), "NEST", "3.10.0")

    assert ds["V_m"].dims == ("time", "sender")
    np.testing.assert_array_equal(ds["time"].values, [0.1, 0.2])
    assert ds["sender"].dtype == np.int32 and ds["sender"].values.tolist() == [3, 5]
    np.testing.assert_array_equal(ds["V_m"].values, [[-60.0, -70.0], [-61.0, -71.0]])
    np.testing.assert_array_equal(ds["g_2"].values, [[1.0, 0.5], [1.1, 0.6]])
    assert ds["V_m"].attrs["units"] == "mV" and ds["g_2"].attrs["units"] == "nS"
    assert ds["time"].attrs["units"] == "ms" and ds["spike_time"].attrs["units"] == "ms"
    np.testing.assert_array_equal(ds["spike_time"].values, [0.2, 0.2, 5.1])
    assert ds["spike_sender"].dtype == np.int32 and ds["spike_sender"].values.tolist() == [3, 5, 5]
    assert ds.attrs["source"] == "NEST 3.10.0" and ds.attrs["paradigm"] == "fake"
    assert ds.attrs["resolution_ms"] == 0.1 and ds.attrs["simulated_ms"] == 1.0


def test_to_dataset_rejects_ragged_samples():
    """to_dataset raises when the multimeter sampled the neurons at different times."""
    mm = {"senders": [3, 5, 3], "times": [0.1, 0.1, 0.2], "V_m": [1.0, 2.0, 3.0], "g_2": [0.0, 0.0, 0.0]}
    with pytest.raises(ValueError, match="common time grid"):
        paradigms.to_dataset(_fake_result(mm, {"senders": [], "times": []}), "NEST", "3.10.0")


def test_to_dataset_rejects_stray_senders():
    """to_dataset raises when the multimeter recorded a node that is not one of the neurons."""
    mm = {"senders": [3, 5, 7], "times": [0.1, 0.1, 0.1], "V_m": [1.0, 2.0, 3.0], "g_2": [0.0, 0.0, 0.0]}
    with pytest.raises(ValueError, match=r"\[7\]"):
        paradigms.to_dataset(_fake_result(mm, {"senders": [], "times": []}), "NEST", "3.10.0")
