"""Shared harness of the eventsim-versus-NEST benchmarks.

Every measured run is a fresh Python subprocess executing a *workload* script
(``workload_seed.py`` or ``workload_network.py`` in this folder) with
``--sim nest`` or ``--sim eventsim``.  For each run the harness records

* ``sim_s``: the ``Simulate`` calls, timed inside the child with
  :func:`time.perf_counter`;
* ``build_s``: ``Create`` and ``Connect`` (and kernel setup), timed inside the child;
* ``process_s``: the whole process, interpreter start to exit, timed by the
  parent with :func:`time.perf_counter` around spawning and reaping the child;
* ``maxrss_mib``: the child's peak resident set size, from the resource usage
  that :func:`os.wait4` returns for exactly that child (``ru_maxrss``, KiB on
  Linux), so a large earlier child cannot mask a smaller later one as the
  cumulative ``RUSAGE_CHILDREN`` maximum would;
* ``startup_s`` and ``exit_s``: from spawning to the workload's first line
  (interpreter start-up) and from its report to the reaped exit (teardown),
  from :func:`time.perf_counter` stamps of the child (CLOCK_MONOTONIC on
  Linux, the same clock in both processes);
* ``cpu_s``: the child's user + system CPU time (same source), a cross-check
  that is less sensitive than wall-clock time to other processes on the machine;
* ``minflt``, ``majflt``, ``nvcsw``, ``nivcsw``: the child's minor and major page
  faults and voluntary and involuntary context switches (same source);
* whatever else the child reports (spike counts, ...).

A child reports by printing one line ``@@BENCH <json>`` to stdout; all other
output (NEST's messages) is kept in the raw log only.  The simulators are run
alternately (the order flips every repeat), after one untimed warm-up run of
each, so that numba's compiled-code cache of eventsim (``nodes/__pycache__``)
and the file-system cache are warm for both.  Summaries are medians.

The drivers (``bench_seed.py``, ``bench_network.py``, ``bench_scaling.py``)
build on :func:`measure_pair`, :func:`summarize` and the table helpers here;
raw outputs go to ``benchmarks/results/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["BENCH_DIR", "RESULTS_DIR", "SIMULATORS", "add_common_arguments", "machine_info", "load_average",
           "source_stamp", "source_note", "checkout_env", "run_child", "warm_up", "measure_pair", "measure_many",
           "measure_threads", "summarize", "ratio", "cpu_vector_extensions", "host_line", "markdown_table",
           "print_table", "save_json", "timestamp"]

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
SIMULATORS = ("eventsim", "nest")
_MARK = "@@BENCH "


# ----------------------------------------------------------------------------------------------
# command line and machine
# ----------------------------------------------------------------------------------------------
def add_common_arguments(parser: argparse.ArgumentParser, repeats: int) -> None:
    """Add ``--repeats``, ``--quick``, ``--python``, ``--out`` and ``--no-warmup`` to `parser`."""
    parser.add_argument("--repeats", type=int, default=repeats,
                        help=f"measured runs per simulator and case (median reported; default {repeats})")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke test: fewer repeats and smaller/shorter cases")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter of the children (needs eventsim and nest; default: this one)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR,
                        help=f"folder for raw results and tables (default {RESULTS_DIR})")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed warm-up run of each simulator")


def load_average() -> tuple[float, float, float]:
    """The 1, 5 and 15 minute load averages."""
    return os.getloadavg()


def source_stamp() -> dict:
    """Newest modification time (ISO) and file among eventsim's sources (eventsim/, nodes/, recorders/).

    Other people may edit eventsim while a benchmark runs; the drivers record
    this at start and end and warn when it changed.
    """
    files = [p for d in ("eventsim", "nodes", "recorders") for p in (BENCH_DIR.parent / d).glob("*.py")]
    if not files:
        return {"mtime": None, "file": None}
    newest = max(files, key=lambda p: p.stat().st_mtime)
    return {"mtime": _dt.datetime.fromtimestamp(newest.stat().st_mtime).isoformat(timespec="seconds"),
            "file": str(newest.relative_to(BENCH_DIR.parent))}


def source_note(before: dict) -> str:
    """'' if eventsim's sources are unchanged since `before`, else a warning sentence (also printed)."""
    after = source_stamp()
    if after == before:
        return ""
    note = (f"WARNING: eventsim sources changed during the benchmark ({after['file']} at {after['mtime']}; "
            f"newest at start: {before['file']} at {before['mtime']}); runs may mix versions.")
    print(note, flush=True)
    return note


def timestamp() -> str:
    """Local time as ``YYYYmmdd-HHMMSS`` for file names."""
    return _dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def machine_info(python: str) -> dict:
    """Date, host, cores, memory, load and versions of the interpreter, NEST and eventsim."""
    info = {
        "date": _dt.datetime.now().isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "cpu_vector_extensions": cpu_vector_extensions(),
        "mem_total_gib": _mem_total_gib(),
        "loadavg": load_average(),
        "platform": platform.platform(),
        "eventsim_sources": source_stamp(),
    }
    code = ("import sys, importlib.metadata as m; print(sys.version.split()[0]); "
            "print(m.version('nest-simulator') if any(d.metadata['Name']=='nest-simulator' "
            "for d in m.distributions()) else 'n/a'); print(m.version('eventsim')); "
            "print(m.version('numpy')); print(m.version('scipy')); print(m.version('numba'))")
    try:
        out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        info.update(python=out[0], nest=out[1], eventsim=out[2], numpy=out[3], scipy=out[4], numba=out[5])
    except (subprocess.CalledProcessError, IndexError):
        pass
    return info


#: The /proc/cpuinfo flags that say how wide the CPU's vector units are (what numpy and numba can use).
VECTOR_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512dq", "avx512bw", "avx512vl", "avx512_bf16",
                "amx_tile")


def cpu_vector_extensions() -> list[str]:
    """The vector extensions of this CPU among :data:`VECTOR_FLAGS` (from /proc/cpuinfo; [] elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                return [f for f in VECTOR_FLAGS if f in flags]
    except OSError:
        pass
    return []


def host_line(info: dict) -> str:
    """One sentence for a table header: CPU model, cores, vector extensions, load and library versions."""
    ext = ", ".join(info.get("cpu_vector_extensions") or []) or "unknown"
    return (f"{info.get('cpu_count')} cores of {info.get('cpu_model')} (vector extensions: {ext}), "
            f"{info.get('mem_total_gib')} GiB; {info.get('platform')}; Python {info.get('python')}, "
            f"numpy {info.get('numpy')}, numba {info.get('numba')}, scipy {info.get('scipy')}, "
            f"NEST {info.get('nest')}, eventsim {info.get('eventsim')}")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


# ----------------------------------------------------------------------------------------------
# running children
# ----------------------------------------------------------------------------------------------
def checkout_env(env) -> dict:
    """A copy of `env` whose PYTHONPATH starts with this checkout, so children import its eventsim.

    A child runs ``benchmarks/workload_*.py``: Python puts ``benchmarks/``, not the
    repository, on ``sys.path``, so without this the child would import whichever
    eventsim the interpreter has installed, possibly another checkout's.
    """
    env = dict(env)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(BENCH_DIR.parent), env.get("PYTHONPATH")) if p)
    return env


def run_child(python: str, script: str, sim: str, args: list[str] | tuple = (), env: dict | None = None,
              timeout: float | None = None) -> dict:
    """Run ``python benchmarks/<script> --sim <sim> <args>`` in a fresh process and measure it.

    Returns the child's ``@@BENCH`` report extended by ``process_s``,
    ``maxrss_mib``, ``user_s``, ``sys_s``, ``cpu_s`` (their sum: the child's CPU
    time, less sensitive to other load than wall-clock time), ``loadavg`` (1 min, at the start),
    the page faults and context switches (``minflt``, ``majflt``, ``nvcsw``, ``nivcsw``)
    and ``sim``.  Raises :class:`RuntimeError` with the child's output if it fails.
    """
    cmd = [python, str(BENCH_DIR / script), "--sim", sim, *map(str, args)]
    child_env = checkout_env(os.environ if env is None else env)
    child_env.setdefault("PYNEST_QUIET", "1")          # no NEST banner; eventsim ignores it
    load1 = load_average()[0]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=child_env, cwd=BENCH_DIR.parent)
        deadline = None if timeout is None else t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG if deadline else 0)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        t1 = time.perf_counter()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {proc.returncode}:\n"
                           f"--- stdout ---\n{stdout[-4000:]}\n--- stderr ---\n{stderr[-4000:]}")
    reports = [line[len(_MARK):] for line in stdout.splitlines() if line.startswith(_MARK)]
    if not reports:
        raise RuntimeError(f"{' '.join(cmd)} printed no {_MARK.strip()} line:\n{stdout[-4000:]}\n{stderr[-4000:]}")
    result = json.loads(reports[-1])
    if "t_start" in result:                    # perf_counter is CLOCK_MONOTONIC, shared by parent and child
        result["startup_s"] = result["t_start"] - t0
        result["exit_s"] = t1 - result.pop("t_end")
        del result["t_start"]
    result.update(sim=sim, process_s=t1 - t0, maxrss_mib=usage.ru_maxrss / 1024.0,
                  user_s=usage.ru_utime, sys_s=usage.ru_stime, cpu_s=usage.ru_utime + usage.ru_stime,
                  loadavg=load1, minflt=usage.ru_minflt, majflt=usage.ru_majflt,
                  nvcsw=usage.ru_nvcsw, nivcsw=usage.ru_nivcsw)
    return result


def warm_up(python: str, script: str, args: list[str] | tuple = (), sims=SIMULATORS) -> None:
    """One untimed run of each simulator (loads numba's cache of eventsim, warms the file cache)."""
    for sim in sims:
        t0 = time.perf_counter()
        run_child(python, script, sim, args)
        print(f"  warm-up {sim:8s} {time.perf_counter() - t0:6.1f} s (not measured)", flush=True)


def measure_pair(python: str, script: str, args: list[str] | tuple, repeats: int, label: str = "",
                 verbose: bool = True) -> dict[str, list[dict]]:
    """Run `script` `repeats` times per simulator, alternating them; return the runs per simulator.

    The order flips every repeat (eventsim first, then NEST first, ...), so a
    slow drift of the machine's load affects both alike.
    """
    runs: dict[str, list[dict]] = {sim: [] for sim in SIMULATORS}
    for k in range(repeats):
        order = SIMULATORS if k % 2 == 0 else SIMULATORS[::-1]
        for sim in order:
            r = run_child(python, script, sim, args)
            r["repeat"] = k
            runs[sim].append(r)
            if verbose:
                extra = f" spikes {r['spikes']}" if "spikes" in r else ""
                print(f"  {label}[{k + 1}/{repeats}] {sim:8s} sim {r['sim_s']:8.3f} s  process {r['process_s']:8.3f} s"
                      f"  maxrss {r['maxrss_mib']:8.1f} MiB  load {r['loadavg']:.2f}{extra}", flush=True)
    return runs


def measure_many(runners: list[tuple[str, str, str]], args: list[str] | tuple, repeats: int, label: str = "",
                 verbose: bool = True) -> dict[str, list[dict]]:
    """Like :func:`measure_pair` for any simulators: `runners` lists (sim, interpreter, workload script).

    The simulators take turns; the order rotates by one every repeat, so
    each one runs in every position of the cycle as often as the others.
    """
    runs: dict[str, list[dict]] = {sim: [] for sim, _, _ in runners}
    for k in range(repeats):
        order = runners[k % len(runners):] + runners[:k % len(runners)]
        for sim, python, script in order:
            r = run_child(python, script, sim, args)
            r["repeat"] = k
            runs[sim].append(r)
            if verbose:
                extra = f" spikes {r['spikes']}" if "spikes" in r else ""
                print(f"  {label}[{k + 1}/{repeats}] {sim:14s} sim {r['sim_s']:8.3f} s  process {r['process_s']:8.3f} s"
                      f"  maxrss {r['maxrss_mib']:8.1f} MiB  load {r['loadavg']:.2f}{extra}", flush=True)
    return runs


def measure_threads(python: str, script: str, args: list[str] | tuple, repeats: int, threads=(1, 2),
                    sim: str = "eventsim", label: str = "", verbose: bool = True) -> dict[int, list[dict]]:
    """Run `script` of `sim` with each ``--threads`` value of `threads`, `repeats` times, alternating them
    (the order flips every repeat); return the runs per thread count."""
    runs: dict[int, list[dict]] = {t: [] for t in threads}
    for k in range(repeats):
        for t in (threads if k % 2 == 0 else threads[::-1]):
            r = run_child(python, script, sim, [*args, "--threads", t])
            r["repeat"] = k
            runs[t].append(r)
            if verbose:
                print(f"  {label}[{k + 1}/{repeats}] {sim} {t} thread(s) sim {r['sim_s']:8.3f} s  "
                      f"CPU {r['sim_cpu_s']:8.3f} s  load {r['loadavg']:.2f}", flush=True)
    return runs


# ----------------------------------------------------------------------------------------------
# summaries and tables
# ----------------------------------------------------------------------------------------------
def ratio(a: float, b: float) -> float:
    """a / b, or nan when b is 0."""
    return a / b if b else float("nan")


def summarize(runs: dict[str, list[dict]], keys=("sim_s", "process_s", "cpu_s", "maxrss_mib", "build_s")) -> dict:
    """Medians per simulator of `keys` (and min/max), plus ratios eventsim/NEST of the medians."""
    summary: dict = {}
    for sim, rs in runs.items():
        summary[sim] = {}
        for key in keys:
            vals = [r[key] for r in rs if key in r]
            if vals:
                summary[sim][key] = statistics.median(vals)
                summary[sim][key + "_min"] = min(vals)
                summary[sim][key + "_max"] = max(vals)
                summary[sim][key + "_all"] = vals
    summary["ratio"] = {key: ratio(summary["eventsim"].get(key, 0), summary["nest"].get(key, 0))
                        for key in keys if key in summary["eventsim"] and key in summary["nest"]}
    return summary


def markdown_table(header: list[str], rows: list[list]) -> str:
    """A GitHub markdown table; floats are printed with 3 significant digits (at least 2 decimals below 10)."""
    def fmt(v):
        if isinstance(v, float):
            if v != v:
                return "n/a"
            if abs(v) >= 100:
                return f"{v:.0f}"
            if abs(v) >= 10:
                return f"{v:.1f}"
            return f"{v:.2f}" if abs(v) >= 0.1 else f"{v:.3f}"
        return str(v)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def print_table(title: str, header: list[str], rows: list[list]) -> str:
    """Print `title` and the markdown table; return the table."""
    table = markdown_table(header, rows)
    print(f"\n{title}\n{table}\n", flush=True)
    return table


def save_json(path: Path, payload: dict) -> None:
    """Write `payload` as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1, default=float))
    print(f"raw results: {path}")

