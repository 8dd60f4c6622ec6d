"""NEST's own test suite run against eventsim (``tools/nest_suite.py``), and the runner's parts.

``test_no_expected_pass_regresses`` runs the whole in-scope suite in check mode: it fails if a
NEST test listed as passing in ``tests/nest_suite/expected.json`` no longer passes.  It is
skipped, with the reason, when NEST (the ``nest`` extra) is not installed.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools"
sys.path.insert(0, str(TOOLS))

import nest_suite  # noqa: E402
import nest_suite_run  # noqa: E402
import nest_suite_scope  # noqa: E402

needs_nest = pytest.mark.skipif(importlib.util.find_spec("nest") is None,
                                reason="NEST (the 'nest' extra) is not installed: its test suite is not available")


@needs_nest
def test_no_expected_pass_regresses(tmp_path):
    """Every NEST test expected to pass under eventsim still passes."""
    assert nest_suite.EXPECTED.exists(), "tests/nest_suite/expected.json is missing: run tools/nest_suite.py --update"
    proc = subprocess.run([sys.executable, str(TOOLS / "nest_suite.py"), "--check", "--quiet",
                           "--results", str(tmp_path / "results.json")],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    summary = json.loads((tmp_path / "results.json").read_text())["summary"]
    assert summary["pass"] >= sum(c == "pass" for c in nest_suite.load_expected(nest_suite.EXPECTED)["eventsim"].values())


def test_shim_makes_nest_eventsim(tmp_path):
    """Under the shim, ``nest`` is eventsim itself, submodules are aliases, and missing names stay missing."""
    code = ("import nest, eventsim, eventsim.api\n"
            "import nest.api\n"
            "from nest.kernel import Kernel\n"
            "assert nest is eventsim and nest.api is eventsim.api and Kernel is eventsim.kernel.Kernel\n"
            "assert nest.api.__spec__.name == 'eventsim.api'\n"
            "nest.resolution = 0.25\n"
            "assert eventsim.resolution == 0.25\n"
            "try:\n"
            "    import nest.no_such_module\n"
            "except ModuleNotFoundError as e:\n"
            "    assert e.name == 'nest.no_such_module'\n"
            "else:\n"
            "    raise AssertionError('nest.no_such_module imported')\n"
            "print('ok')\n")
    env = nest_suite_run._environment("eventsim")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_plugin_records_outcomes_and_stops_a_spinning_test(tmp_path):
    """The plugin logs pass, fail, skip and xfail, and fails a test over its CPU-time limit."""
    suite = tmp_path / "suite" / "unit"
    suite.mkdir(parents=True)
    (suite / "test_sample.py").write_text(
        "import pytest\n"
        "def test_passes(): pass\n"
        "def test_fails(): assert 1 == 2\n"
        "def test_spins():\n"
        "    try:\n"
        "        while True: pass\n"
        "    except Exception:\n"
        "        pass\n"
        "def test_skips(): pytest.skip('no reason')\n"
        "@pytest.mark.xfail\n"
        "def test_expected_failure(): assert False\n"
        "@pytest.mark.skipif_missing_threads\n"
        "def test_marked(): pass\n")
    raw = nest_suite_run.run_suite(tmp_path / "suite", ["unit"], "nest", timeout_s=0.5, unit_timeout_s=600,
                                   progress=lambda line: None)
    outcomes = {nid.split("::")[1]: (rec["outcome"], (rec["exc"] or {}).get("type")) for nid, rec in raw["tests"].items()}
    assert outcomes == {"test_passes": ("passed", None), "test_fails": ("failed", "AssertionError"),
                        "test_spins": ("failed", "NestSuiteTimeout"), "test_skips": ("skipped", None),
                        "test_expected_failure": ("passed", None), "test_marked": ("passed", None)}
    assert raw["collected"]["unit/test_sample.py::test_marked"] == ["skipif_missing_threads"]


def test_code_scan_finds_models_through_helpers_fixtures_and_params(tmp_path):
    """A failing test is out of scope when its code, a helper, a fixture or its parameter names a missing model."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "test_m.py").write_text(
        "import pytest\n"
        "MODEL = 'iaf_psc_alpha'\n"
        "def build():\n"
        "    return nest.Create(MODEL)\n"
        "@pytest.fixture\n"
        "def syn():\n"
        "    return {'synapse_model': 'stdp_synapse'}\n"
        "def test_helper():\n"
        "    build()\n"
        "def test_fixture(syn):\n"
        "    pass\n"
        "@pytest.mark.parametrize('model', ['glif_cond', 'iaf_psc_exp'])\n"
        "def test_param(model):\n"
        "    nest.Create(model)\n"
        "def test_plain():\n"
        "    nest.Create('glif_cond')\n"
        "def test_spatial():\n"
        "    nest.spatial.grid([2, 2])\n"
        "class TestC:\n"
        "    @pytest.mark.skipif_missing_mpi\n"
        "    def test_mpi(self):\n"
        "        pass\n")
    missing_nodes = {"iaf_psc_alpha", "iaf_psc_exp"}
    missing_syns = {"stdp_synapse"}

    def reason(test):
        return nest_suite_scope.code_reason(tmp_path, f"d/test_m.py::{test}", missing_nodes, missing_syns)

    assert reason("test_helper") == "model iaf_psc_alpha"
    assert reason("test_fixture") == "synapse model stdp_synapse"
    assert reason("test_param[iaf_psc_exp]") == "model iaf_psc_exp"
    assert reason("test_param[glif_cond]") is None
    assert reason("test_plain") is None
    assert reason("test_spatial").startswith("spatial")
    assert reason("TestC::test_mpi").startswith("marker skipif_missing_mpi")
    assert nest_suite_scope.directory_reason("spatial/test_x.py::test_y")
    assert nest_suite_scope.directory_reason("mpi_direct/2/test_x.py::test_y")
    assert nest_suite_scope.directory_reason("other/test_x.py::test_y") is None


def test_code_scan_follows_base_classes_and_class_attributes(tmp_path):
    """A test inherited from a base class runs with the subclass's set-up; a class attribute naming a synapse
    model (read as self.x) counts too."""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "test_k.py").write_text(
        "import unittest\n"
        "class Base(unittest.TestCase):\n"
        "    def setUp(self):\n"
        "        self.model = 'stdp_triplet_synapse'\n"
        "    def test_weight(self):\n"
        "        pass\n"
        "class Derived(Base):\n"
        "    def setUp(self):\n"
        "        self.model = 'stdp_triplet_synapse'\n"
        "class Plain(unittest.TestCase):\n"
        "    def test_weight(self):\n"
        "        pass\n"
        "class WithAttribute:\n"
        "    constants = {'synapse_model': 'jonke_synapse'}\n"
        "    def test_drift(self):\n"
        "        nest.Connect(1, 2, syn_spec=self.constants)\n")
    missing = {"stdp_triplet_synapse", "jonke_synapse"}

    def reason(test):
        return nest_suite_scope.code_reason(tmp_path, f"d/test_k.py::{test}", set(), missing)

    assert reason("Derived::test_weight") == "synapse model stdp_triplet_synapse"
    assert reason("Base::test_weight") == "synapse model stdp_triplet_synapse"
    assert reason("Plain::test_weight") is None
    assert reason("WithAttribute::test_drift") == "synapse model jonke_synapse"


def test_deliberate_deviations_are_their_own_class():
    """A failing test listed as a deliberate deviation is classified 'deviation' with its reason, never 'pass'."""
    import nest_suite_deviations

    nid = "other/test_set_tics.py::test_correct_ms_per_tic"
    assert "tics_per_ms" in nest_suite_deviations.deviation_reason(nid)
    assert nest_suite_deviations.deviation_reason("other/test_create.py::test_create_model") is None
    raw = {"tests": {nid: {"outcome": "failed", "exc": {"type": "BadProperty", "when": "call", "message": "x"}},
                     "other/test_x.py::test_y": {"outcome": "failed", "exc": {"type": "E", "when": "call",
                                                                              "message": "m"}}},
           "collected": {nid: [], "other/test_x.py::test_y": []}, "collect_errors": {}, "unit_errors": {}}
    table = nest_suite.classify(REPO, raw, {"outcomes": {nid: "pass"}}, (set(), set()), ["other"])
    assert table[nid]["class"] == "deviation" and "tics_per_ms" in table[nid]["reason"]
    assert table["other/test_x.py::test_y"]["class"] == "fail"
    _, total = nest_suite.summarise(table)
    assert (total["deviation"], total["fail"], total["gap"]) == (1, 1, 0)


def test_check_reports_lost_passes_and_new_passes():
    """A test expected to pass that now fails (or turns out of scope) is a regression; the reverse is a new pass."""
    expected = {"a": "pass", "b": "fail", "c": "pass", "d": "fail", "e": "pass"}
    table = {"a": {"class": "pass"}, "b": {"class": "pass"}, "c": {"class": "fail"},
             "d": {"class": "out_of_scope"}, "e": {"class": "out_of_scope"}, "f": {"class": "pass"}}
    regressions, new_passes, changed = nest_suite.compare(expected, table)
    assert regressions == ["c", "e"]
    assert new_passes == ["b", "f"]
    assert changed == ["d"]


def test_expected_file_round_trip(tmp_path):
    """The expected file stores per-test maps grouped by file and loads them back flat."""
    expected = {"eventsim": {"a/t.py::test_x[1]": "pass", "a/t.py::C::test_y": "fail", "b/u.py": "fail"},
                "nest": {"version": "3.10.0", "outcomes": {"a/t.py::test_x[1]": "pass", "b/u.py::test_z": "skip"}}}
    nest_suite.save_expected(expected, tmp_path / "expected.json")
    stored = json.loads((tmp_path / "expected.json").read_text())
    assert stored["eventsim"]["a/t.py"] == {"C::test_y": "fail", "test_x[1]": "pass"}
    assert nest_suite.load_expected(tmp_path / "expected.json") == expected


def test_runtime_reason_needs_a_model_nest_has_and_eventsim_lacks():
    """UnknownModelName makes a test out of scope only for a real NEST model that eventsim lacks."""
    exc = {"type": "UnknownModelName", "message": "unknown model 'iaf_psc_alpha'; available models: glif_cond"}
    assert nest_suite.runtime_reason(exc, {"iaf_psc_alpha"}).startswith("model iaf_psc_alpha")
    typo = {"type": "UnknownModelName", "message": "unknown model 'iaf_psc_alpah'; available models: glif_cond"}
    assert nest_suite.runtime_reason(typo, {"iaf_psc_alpha"}) is None
    assert nest_suite.runtime_reason({"type": "AssertionError", "message": "1 != 2"}, {"iaf_psc_alpha"}) is None
