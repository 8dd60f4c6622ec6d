"""Run NEST's pytest suite (from the installed nest-simulator wheel) in pytest subprocesses.

One subprocess per unit (a top-level directory of the suite; each ``mpi_direct/<n>`` on its
own, since their files share names), under real NEST or under eventsim through the ``nest``
shim in ``tools/nest_shim``.  Each subprocess loads ``tools/nest_suite_plugin.py``, which
writes per-test outcomes as JSON lines; :func:`run_suite` reads them back.
"""

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

__all__ = ["suite_dir", "suite_units", "run_suite", "show_test", "nest_model_lists"]

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
SHIM = TOOLS / "nest_shim"


def suite_dir():
    """Folder of NEST's pytest suite in the installed wheel, found without importing ``nest``.

    Raises FileNotFoundError if NEST is not installed or ships no suite.
    """
    spec = importlib.util.find_spec("nest")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the nest package (nest-simulator, the 'nest' extra) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "share" / "nest" / "testsuite" / "pytests"
    if not path.is_dir():
        raise FileNotFoundError(f"the installed nest package has no test suite at {path}")
    return path


def suite_units(root):
    """Relative directories run as one pytest process each, sorted."""
    units = []
    for child in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in ("utilities", "__pycache__")):
        subdirs = sorted(p for p in child.iterdir() if p.is_dir() and p.name.isdigit())
        units += [f"{child.name}/{p.name}" for p in subdirs] or [child.name]
    return units


def _environment(backend):
    """Environment of the pytest subprocess: which ``nest`` is imported, and our plugin."""
    env = dict(os.environ)
    paths = [str(TOOLS)]
    if backend == "eventsim":
        paths = [str(SHIM), str(REPO)] + paths
    env["PYTHONPATH"] = os.pathsep.join(paths + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # write nothing into the installed wheel
    env["MPLBACKEND"] = "Agg"
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def run_unit(root, targets, backend, timeout_s, unit_timeout_s, workdir, deselect=(), collect_only=False):
    """Run pytest on `targets` (paths relative to `root`); return (records, seconds, note).

    Tests whose node ids are in `deselect` are not run; with `collect_only` none is.

    `records` are the plugin's JSON objects.  `note` says why the process ended early
    (killed after `unit_timeout_s`, or an unexpected exit status), else is empty.
    """
    fd, log = tempfile.mkstemp(suffix=".jsonl", dir=workdir)
    os.close(fd)
    ini = Path(workdir) / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")  # keep any project's pytest settings out
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:eventsim",
           "-p", "nest_suite_plugin", "--tb=no", "-c", str(ini), "--rootdir", str(root),
           "--continue-on-collection-errors", "--nest-suite-log", log, "--nest-suite-timeout", str(timeout_s), "-o", "console_output_style=classic",
           *[str(root / t) for t in targets]]
    if collect_only:
        cmd.append("--collect-only")
    if deselect:
        skip_file = Path(log).with_suffix(".deselect")
        skip_file.write_text("\n".join(sorted(deselect)) + "\n", encoding="utf-8")
        cmd += ["--nest-suite-deselect", str(skip_file)]
    start = time.perf_counter()
    note = ""
    try:
        proc = subprocess.run(cmd, cwd=workdir, env=_environment(backend), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=unit_timeout_s)
        if proc.returncode not in (0, 1, 2, 5):  # 2: interrupted (collection errors); 5: nothing collected
            tail = "\n".join(proc.stdout.strip().splitlines()[-5:])
            note = f"pytest exited with status {proc.returncode}: {tail}"
    except subprocess.TimeoutExpired:
        note = f"pytest killed after {unit_timeout_s:g} s"
    seconds = time.perf_counter() - start
    with open(log, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    os.unlink(log)
    return records, seconds, note


def show_test(root, nodeid, backend="eventsim"):
    """Run one test of the suite (`nodeid` relative to `root`) with pytest's full report; return its status."""
    with tempfile.TemporaryDirectory(prefix="nest_suite_") as workdir:
        ini = Path(workdir) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:eventsim", "-c", str(ini),
               "--rootdir", str(root), "-rA", str(root / nodeid)]
        return subprocess.run(cmd, cwd=workdir, env=_environment(backend)).returncode


def run_suite(root, units, backend, timeout_s=30.0, unit_timeout_s=1800.0, progress=print, collect_only=(), jobs=1):
    """Run every unit under `backend` ("nest" or "eventsim"); return a dict of raw results.

    The units in `collect_only` are only collected (their tests are listed, not run).  Up to
    `jobs` units run at the same time, each in its own pytest process.
    Result: ``{"tests": {nodeid: record}, "collected": {nodeid: markers}, "collect_errors":
    {file nodeid: message}, "unit_errors": {unit: note}, "seconds": {unit: s}}``.
    """
    out = {"tests": {}, "collected": {}, "collect_errors": {}, "unit_errors": {}, "seconds": {}}

    def run_one(unit):
        if unit in collect_only:
            records, seconds, note = run_unit(root, [unit], backend, timeout_s, unit_timeout_s, workdir,
                                              collect_only=True)
            return records, seconds, [note] if note else []
        return _run_unit_restarting(root, unit, backend, timeout_s, unit_timeout_s, workdir)

    with tempfile.TemporaryDirectory(prefix="nest_suite_") as workdir, ThreadPoolExecutor(max(1, jobs)) as pool:
        for unit, (records, seconds, notes) in zip(units, pool.map(run_one, units)):
            out["seconds"][unit] = round(seconds, 1)
            if notes:
                out["unit_errors"][unit] = "; ".join(notes)
            for rec in records:
                if rec["kind"] == "test":
                    out["tests"][rec["nodeid"]] = rec
                elif rec["kind"] == "collected":
                    out["collected"][rec["nodeid"]] = rec["markers"]
                elif rec["kind"] == "collect_error":
                    out["collect_errors"][rec["nodeid"]] = rec["message"]
            note = "; ".join(notes)
            progress(f"  {backend:8s}{' (collected only)' if unit in collect_only else ''} {unit:28s} "
                     f"{len([r for r in records if r['kind'] == 'test']):5d} tests {seconds:7.1f} s"
                     f"{'  ' + note if note else ''}")
    return out


def _run_unit_restarting(root, unit, backend, timeout_s, unit_timeout_s, workdir, max_restarts=5):
    """Run one unit; if its process is killed, fail the test it hung in and run the rest again.

    Returns (records, total seconds, notes).
    """
    records, notes, deselect, seconds = [], [], set(), 0.0
    for _ in range(max_restarts + 1):
        recs, secs, note = run_unit(root, [unit], backend, timeout_s, unit_timeout_s, workdir, deselect)
        records += recs
        seconds += secs
        if not note:
            break
        notes.append(note)
        reported = {r["nodeid"] for r in records if r["kind"] == "test"}
        pending = [r["nodeid"] for r in recs if r["kind"] == "collected" and r["nodeid"] not in reported]
        if not pending or not note.startswith("pytest killed"):
            break
        hung = pending[0]
        records.append({"kind": "test", "nodeid": hung, "outcome": "failed", "skip_reason": None, "xfail": False,
                        "duration_s": None, "exc": {"type": "Hang", "when": "call",
                                                    "message": f"no result before its pytest process was killed "
                                                               f"after {unit_timeout_s:g} s"}})
        deselect = reported | {hung}
    return records, seconds, notes


def nest_model_lists():
    """NEST's ``(node_models, synapse_models)``, read in a NEST subprocess."""
    code = ("import json, nest; print(json.dumps([list(nest.node_models), list(nest.synapse_models), "
            "nest.__version__]))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env=_environment("nest"))
    nodes, synapses, version = json.loads(proc.stdout.strip().splitlines()[-1])
    return sorted(nodes), sorted(synapses), version
