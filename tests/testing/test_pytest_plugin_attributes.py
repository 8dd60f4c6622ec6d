"""The reference_recording fixture checks attributes and variable names, and names the file to update."""

import importlib.metadata
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import xarray as xr

from eventsim.testing import compare_attributes, compare_variable_names

RECORDING_TEST = """
import numpy as np
import xarray as xr


def recording(seed, extra=False, version="0.1.0"):
    ds = xr.Dataset(
        {{"V_m": (("time", "sender"), np.zeros((3, 1)), {{"units": "mV"}}),
          "spike_time": ("spike", [0.25]), "spike_sender": ("spike", np.array([1], dtype="int32"))}},
        coords={{"time": [0.1, 0.2, 0.3], "sender": np.array([1], dtype="int32")}},
        attrs={{"rng_seed": seed, "resolution_ms": 0.1, "eventsim_version": version, "C_m_pF": 58.7}},
    )
    return ds.assign(I=(("time", "sender"), np.ones((3, 1)), {{"units": "pA"}})) if extra else ds


def test_run(reference_recording):
    reference_recording(recording({seed}, extra={extra}, version="{version}"){options})
"""


@pytest.fixture
def plugin_option():
    """``-p eventsim.pytest_plugin`` unless the entry point loads the plugin already."""
    installed = importlib.metadata.entry_points(group="pytest11", name="eventsim")
    autoload = not os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    return () if installed and autoload else ("-p", "eventsim.pytest_plugin")


@pytest.fixture(autouse=True)
def no_bytecode(monkeypatch):
    """Keep pytester from reusing a cached module after a test file is rewritten."""
    monkeypatch.setattr(sys, "dont_write_bytecode", True)


def write_test(pytester, seed=1, extra=False, version="0.1.0", options=""):
    pytester.makepyfile(test_run=RECORDING_TEST.format(seed=seed, extra=extra, version=version, options=options))


def test_changed_seed_fails_naming_the_file_and_the_update_option(pytester, plugin_option):
    """An rng_seed change fails; the message names the attribute, the reference file and --update-references."""
    write_test(pytester, seed=1)
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    write_test(pytester, seed=2)
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*attribute rng_seed differs: actual 2, expected 1*",
                                 "*reference: *references*test_run*test_run.nc*",
                                 "*pytest --update-references*"])


def test_ignored_attributes_and_version_pass(pytester, plugin_option):
    """ignore_attrs leaves chosen attributes out; eventsim_version is left out by default."""
    write_test(pytester, seed=1)
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    write_test(pytester, seed=2, version="9.9", options=', ignore_attrs=["rng_seed"]')
    pytester.runpytest(*plugin_option).assert_outcomes(passed=1)


def test_extra_and_missing_variables_fail(pytester, plugin_option):
    """A variable the reference lacks fails, and so does one the recording lacks."""
    write_test(pytester, extra=False)
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    write_test(pytester, extra=True)
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*variables not in the reference: I*", "*--update-references*"])

    write_test(pytester, extra=True)
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    write_test(pytester, extra=False)
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*variables missing in actual: I*"])


def test_compare_attributes_per_group():
    """Attributes are compared on the root and every group; bool equals the int netCDF stores."""
    def tree(seed, flag):
        return xr.DataTree.from_dict({"/": xr.Dataset(attrs={"rng_seed": seed}),
                                      "/mm": xr.Dataset({"V_m": ("time", [1.0])}, attrs={"flag": flag})})
    assert compare_attributes(tree(1, True), tree(1, np.int8(1))) == []
    assert compare_attributes(tree(2, True), tree(1, False)) == [
        "group '/': attribute rng_seed differs: actual 2, expected 1",
        "group '/mm': attribute flag differs: actual True, expected False"]
    assert compare_attributes(tree(2, True), tree(1, True), ignore=["rng_seed"]) == []


def test_compare_variable_names_leaves_derived_spike_variables_out():
    """The CF layout's spike_sender_index and spike_count are not extra against an older reference."""
    old = xr.Dataset({"spike_time": ("spike", [1.0]), "spike_sender": ("spike", np.int32([3]))})
    new = old.assign(spike_sender_index=("spike", np.int32([0])), spike_count=("sender", np.int32([1])))
    assert compare_variable_names(new, old) == []
    assert compare_variable_names(new.assign(x=("spike", [0.0])), old) == ["variables not in the reference: x"]


def test_importing_the_plugin_is_cheap():
    """Importing the plugin executes none of numpy, simpy, xarray, pandas, netCDF4 and eventsim.testing (no
    timing: what is imported; eventsim registers xarray as a lazy module, so only its submodules show whether
    it was loaded). Measured: python -X importtime -c "import pytest; import eventsim.pytest_plugin"."""
    code = textwrap.dedent("""
        import sys
        import eventsim.pytest_plugin
        print(sorted(m for m in ("numpy", "simpy", "xarray.core.dataset", "pandas.core.frame", "netCDF4._netCDF4",
                                 "eventsim.testing") if m in sys.modules))
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    assert done.stdout.strip() == "[]"


def readme_plugin_example():
    """The README's pytest example (the code block that starts with ``# test_my_model.py``)."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    return re.search(r"```python\n(# test_my_model\.py.*?)```", readme, flags=re.S).group(1)


def test_readme_example_pins_spikes_of_labelled_recorders(pytester, plugin_option):
    """The README's example passes after --update-references, and its reference holds spikes in labelled groups."""
    pytester.makepyfile(test_my_model=readme_plugin_example())
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    pytester.runpytest(*plugin_option).assert_outcomes(passed=1)
    reference = pytester.path / "references" / "test_my_model" / "test_my_neuron_still_behaves.nc"
    with xr.open_datatree(reference) as tree:
        assert set(tree.children) == {"traces", "spikes"}
        assert tree["spikes"]["spike_time"].size == 5


MODEL_TEST = """
import eventsim as nest


def test_neuron(reference_recording):
    nest.ResetKernel()
    n = nest.Create("glif_cond", params={{"C_m": {c_m}}})
    sr = nest.Create("spike_recorder", params={{"label": "spikes"}})
    nest.Connect(n, sr)
    nest.Simulate(5.0)
    reference_recording(nest.recordings(){options})
"""


def test_changed_model_parameter_fails(pytester, plugin_option):
    """A model parameter that changes without changing the recorded data still fails, unless ignored."""
    pytester.makepyfile(test_neuron=MODEL_TEST.format(c_m=58.72, options=""))
    pytester.runpytest(*plugin_option, "--update-references").assert_outcomes(passed=1)
    pytester.makepyfile(test_neuron=MODEL_TEST.format(c_m=60.0, options=""))
    result = pytester.runpytest(*plugin_option)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*attribute glif_cond__C_m differs: actual 60.0, expected 58.72*"])
    pytester.makepyfile(test_neuron=MODEL_TEST.format(c_m=60.0, options=', ignore_attrs=["glif_cond__C_m"]'))
    pytester.runpytest(*plugin_option).assert_outcomes(passed=1)
