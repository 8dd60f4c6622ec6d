"""The exit handler that freezes the garbage collector once the models are loaded (eventsim.quick_exit)."""

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run_script(code, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code))
    return subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(REPO)})


def test_exit_freezes_the_collector_after_the_users_handlers(tmp_path):
    """After a model is created, exiting runs the user's exit handlers first, then gc.freeze; results that
    scripts write stay whole."""
    marker, saved = tmp_path / "handler_ran", tmp_path / "rec.nc"
    result = run_script(f"""
        import atexit, gc
        import eventsim as nest
        n = nest.Create("glif_cond")
        sr = nest.Create("spike_recorder")
        nest.Connect(n, sr)
        nest.Simulate(20.0)
        nest.save_recordings({str(saved)!r})
        atexit.register(lambda: open({str(marker)!r}, "w").write(str(gc.get_freeze_count())))
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "0"            # the user's handler ran before the collector was frozen
    import xarray as xr
    with xr.open_datatree(saved, engine="netcdf4") as tree:
        assert len(tree.children) >= 1


def test_frozen_at_exit_only_once_models_are_loaded(tmp_path):
    """Loading the models registers the handler; at exit it freezes the collector."""
    result = run_script("""
        import atexit, gc
        import eventsim as nest
        nest.Create("glif_cond")
        print(gc.get_freeze_count() == 0)
        atexit._run_exitfuncs()
        print(gc.get_freeze_count() > 0)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "True"]
