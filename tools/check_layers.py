"""Check that nothing in eventsim imports upward: core -> models -> recorders -> front end.

The layers are declared in ``pyproject.toml`` (``[tool.importlinter]``) and
checked by import-linter.  The repository keeps ``nodes/`` and ``recorders/``
beside ``eventsim/``, while an installation holds them as ``eventsim.nodes``
and ``eventsim.recorders``; import-linter reads a package's folder, so this
script copies the three folders into the installed layout in a temporary
directory and lints that.  Exit status 0 when every contract holds.

Usage: ``python tools/check_layers.py``
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def installed_layout(into):
    """Copy eventsim/, nodes/ and recorders/ under `into` as the package ``eventsim`` is installed."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "eventsim", into / "eventsim", ignore=ignore)
    for sub in ("nodes", "recorders"):
        shutil.copytree(ROOT / sub, into / "eventsim" / sub, ignore=ignore)


def lint(layout, capture=False):
    """Run import-linter on the package in the folder `layout`; return the finished process."""
    env = {**os.environ, "PYTHONPATH": str(layout)}
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run([sys.executable, "-c", script, str(ROOT / "pyproject.toml"), "--no-cache"],
                          cwd=layout, env=env, capture_output=capture, text=True)


def main():
    """Lint the layers of this checkout; return import-linter's exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        installed_layout(Path(tmp))
        return lint(Path(tmp)).returncode


if __name__ == "__main__":
    sys.exit(main())
