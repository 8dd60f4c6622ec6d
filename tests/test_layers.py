"""The package's layers hold, and it imports as eventsim.nodes / eventsim.recorders wherever it runs from."""

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import check_layers  # noqa: E402


def test_nothing_imports_upward():
    """import-linter's layers contract (pyproject.toml) holds for the code as it is."""
    with tempfile.TemporaryDirectory() as tmp:
        check_layers.installed_layout(Path(tmp))
        done = check_layers.lint(Path(tmp), capture=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.parametrize("module, upward", [("nodes/base.py", "import eventsim.recording"),
                                            ("kernel.py", "from eventsim import api"),
                                            ("recorders/base.py", "import eventsim.plotting")])
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    """The check can fail: one upward import added to a copy of the package is reported."""
    check_layers.installed_layout(tmp_path)
    target = tmp_path / "eventsim" / module
    target.write_text(target.read_text() + f"\n{upward}\n")
    done = check_layers.lint(tmp_path, capture=True)
    assert done.returncode != 0
    assert "BROKEN" in done.stdout


def test_a_users_own_nodes_module_does_not_shadow_the_models(tmp_path):
    """A script beside its own nodes.py and recorders.py still creates built-in models."""
    (tmp_path / "nodes.py").write_text("raise ImportError('the user module was imported')\n")
    (tmp_path / "recorders.py").write_text("raise ImportError('the user module was imported')\n")
    script = ("import eventsim as nest, eventsim.nodes\n"
              "n = nest.Create('glif_cond'); sr = nest.Create('spike_recorder'); nest.Connect(n, sr)\n"
              "nest.Simulate(1.0)\n"
              "print(eventsim.nodes.__name__)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("eventsim.nodes")
