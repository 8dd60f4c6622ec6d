"""The README's usage example runs as written (in a fresh process, in a temporary folder)."""

import re
import subprocess
import sys
from pathlib import Path

import xarray as xr

README = Path(__file__).resolve().parents[1] / "README.md"


def usage_example():
    """The first Python block of the README's "Usage" section."""
    section = README.read_text().split("## Usage", 1)[1]
    return re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)


def test_usage_example_runs_and_writes_its_file(tmp_path):
    """It prints the neuron's spike times (the driven neuron fires) and writes run.nc with both recorders."""
    root = README.parent
    done = subprocess.run([sys.executable, "-c", usage_example()], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(root), "MPLBACKEND": "Agg", "PATH": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    times = [float(x) for x in re.findall(r"\d+\.\d+", done.stdout)]
    assert times and all(0.0 < t <= 200.0 for t in times)
    with xr.open_datatree(tmp_path / "run.nc", engine="netcdf4") as tree:
        assert sorted(tree.children) == ["multimeter_1", "spike_recorder_1"]
        # samples up to the last min_delay slice (199.0 ms) are visible after Simulate(200), as in NEST
        assert tree["multimeter_1"]["V_m"].sizes["time"] == 1990


def test_actor_example_runs_as_written(tmp_path):
    """The README's actor example prints the counter's messages at their arrival times and the recorded
    spikes (with their multiplicity, stamped when sent)."""
    section = README.read_text().split("## Event-driven scripts: user actors", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, flags=re.S).group(1)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(README.parent), "MPLBACKEND": "Agg", "PATH": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert lines[:2] == ["11.5 ms: 3 spikes from [1]", "21.5 ms: 3 spikes from [1]"]
    assert lines[-1] == "[10. 10. 10. 20. 20. 20. 30. 30. 30.]"
