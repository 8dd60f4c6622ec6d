"""docs/analysing-recordings.md runs as written: its code blocks on the example's netCDF file."""

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "analysing-recordings.md"

#: Optional modules a block needs, recognised by what it uses.
NEEDS = {"elephant": ("elephant",), "to_neo_": ("neo",)}


def code_blocks(language):
    """The fenced code blocks of the page in `language`, in order (list of str)."""
    return re.findall(rf"^```{language}\n(.*?)^```", PAGE.read_text(), flags=re.S | re.M)


def missing_modules(block):
    """Optional modules the block needs that are not installed (list of str)."""
    needed = {m for marker, modules in NEEDS.items() if marker in block for m in modules}
    return sorted(m for m in needed if importlib.util.find_spec(m) is None)


@pytest.fixture
def in_example_folder(seed_example_file, tmp_path, monkeypatch):
    """Work in a folder whose out/ holds the example's netCDF file, as after running the example."""
    (tmp_path / "out").mkdir()
    shutil.copy(seed_example_file, tmp_path / "out" / seed_example_file.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_page_has_the_promised_sections():
    """The page covers xarray, netCDF4, ncdump, Neo/Elephant and pandas, each with code."""
    text = PAGE.read_text()
    for heading in ("## xarray", "## netCDF4", "## ncdump", "## Neo and Elephant", "## pandas"):
        assert heading in text
    assert len(code_blocks("python")) >= 8


def test_python_blocks_run(in_example_folder):
    """Every python block runs, in order, in one namespace; blocks needing a missing extra are skipped
    (with the reason) after all the others have run."""
    namespace = {"__name__": "analysing_recordings"}
    skipped = []
    for number, block in enumerate(code_blocks("python"), start=1):
        missing = missing_modules(block)
        if missing or (skipped and "spiketrains" in block):
            skipped.append((number, missing or ["an earlier skipped block"]))
            continue
        try:
            exec(compile(block, f"{PAGE.name} python block {number}", "exec"), namespace)
        except Exception as err:
            err.add_note(f"in python block {number} of {PAGE}:\n{block}")
            raise
    if skipped:
        pytest.skip("blocks not run for missing optional extras: "
                    + "; ".join(f"block {n} needs {', '.join(m)}" for n, m in skipped))


def test_ncdump_blocks_run(in_example_folder):
    """The ncdump commands of the page succeed and show the groups and variables they promise."""
    if shutil.which("ncdump") is None:
        pytest.skip("ncdump is not installed (Debian package netcdf-bin)")
    commands = [line for block in code_blocks("bash") for line in block.splitlines() if line.startswith("ncdump")]
    assert len(commands) == 2
    outputs = [subprocess.run(cmd.split(), capture_output=True, text=True, check=True).stdout for cmd in commands]
    assert "group: multimeter_1" in outputs[0] and "spike_sender_index:instance_dimension" in outputs[0]
    assert re.search(r"spike_time = [\d.]+,", outputs[1])
