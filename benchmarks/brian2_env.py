"""The virtual environment in which the benchmarks run Brian2 (``benchmarks/.venv-brian2``).

Brian2 2.9 still calls ``numpy.ndarray.ptp``, which numpy 2 removed, so it
cannot share eventsim's environment (numpy 2.x).  :func:`ensure_brian2_python`
creates a separate virtual environment with Brian2, numpy < 2 and Cython from
the package index the first time it is asked (``bench_network.py
--with-brian2``; a minute or two), and returns its interpreter.  The C++
standalone target also needs a C++ compiler and ``make`` on the machine; the
Cython target needs a C compiler.  Never used by the tests or CI.
"""

import subprocess
import sys
import venv
from pathlib import Path

__all__ = ["BRIAN2_VENV", "BRIAN2_REQUIREMENTS", "ensure_brian2_python", "brian2_versions"]

BRIAN2_VENV = Path(__file__).resolve().parent / ".venv-brian2"
#: What the environment gets (Brian2 2.9 needs numpy < 2; Cython for its Cython target).
BRIAN2_REQUIREMENTS = ["brian2>=2.9,<3", "numpy<2", "cython"]


def _python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")


def ensure_brian2_python(folder: Path = BRIAN2_VENV) -> str:
    """The interpreter of the Brian2 environment in `folder`, created and filled first if it has no Brian2."""
    python = _python(folder)
    if python.exists() and subprocess.run([str(python), "-c", "import brian2"], capture_output=True).returncode == 0:
        return str(python)
    print(f"creating {folder} with {' '.join(BRIAN2_REQUIREMENTS)} (once; a minute or two)", flush=True)
    venv.EnvBuilder(with_pip=True, clear=python.exists()).create(folder)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *BRIAN2_REQUIREMENTS], check=True)
    return str(python)


def brian2_versions(python: str) -> dict:
    """Versions of Brian2, numpy and Cython and the C++ compiler in the environment of `python`."""
    code = ("import importlib.metadata as m; "
            "print(m.version('brian2'), m.version('numpy'), m.version('cython'))")
    out = subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.split()
    info = dict(zip(("brian2", "brian2_numpy", "brian2_cython"), out))
    try:
        cxx = subprocess.run(["c++", "--version"], capture_output=True, text=True).stdout.splitlines()
        info["cxx"] = cxx[0] if cxx else "unknown"
    except OSError:
        info["cxx"] = "none"
    return info
