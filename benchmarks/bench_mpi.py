"""Benchmark: the network benchmark's glif_cond network on 1 and 2 MPI ranks (eventsim only).

Runs ``workload_mpi.py`` in fresh processes, alternating one process (no mpiexec) and
``mpiexec -n 2``, and reports medians of the ``Simulate`` time (wall clock, slowest rank), the
CPU time per rank, the time in the spike exchange (collectives, waiting for the other rank
included), the speed-up and the load average.  Needs the ``mpi`` extra.

    python benchmarks/bench_mpi.py                          # N = 1000, 10000; 1000 ms; 3 repeats
    python benchmarks/bench_mpi.py --sizes 1000 --t 200 --repeats 2
    python benchmarks/bench_mpi.py --input dc               # dc drive: the same spikes on 1 and 2 ranks

Raw results: ``benchmarks/results/mpi-<time>.json`` and ``mpi-latest.md``.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import harness as H

SCRIPT = H.BENCH_DIR / "workload_mpi.py"


def mpiexec(python):
    """The mpiexec beside `python`, or the one on PATH."""
    beside = Path(python).with_name("mpiexec")
    return str(beside) if beside.exists() else shutil.which("mpiexec")


def run(python, ranks, n, t_ms, input_kind):
    """One run of the workload on `ranks` ranks (1: plain python); its report plus process time and load."""
    cmd = [python, str(SCRIPT), "--n", str(n), "--t", str(t_ms), "--input", input_kind]
    if ranks > 1:
        cmd = [mpiexec(python), "-n", str(ranks)] + cmd
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    root = str(H.BENCH_DIR.parent)          # the eventsim of this checkout, not an installed one
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=root, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("@@BENCH ")][-1]
    report = json.loads(line[len("@@BENCH "):])
    report.update(process_s=time.perf_counter() - t0, load_start=load)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of neurons")
    parser.add_argument("--t", type=float, default=1000.0, help="simulated time (ms)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case and rank count (median reported)")
    parser.add_argument("--input", choices=("poisson", "dc"), default="poisson", help="external drive")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the children")
    parser.add_argument("--out", type=Path, default=H.RESULTS_DIR, help="folder for raw results and tables")
    args = parser.parse_args(argv)
    if mpiexec(args.python) is None:
        sys.exit("mpiexec not found: pip install 'eventsim[mpi]'")
    print(f"MPI benchmark: N = {args.sizes}, {args.t:g} ms, input {args.input}, {args.repeats} repeats; "
          f"{os.cpu_count()} cores, load {os.getloadavg()}", flush=True)
    run(args.python, 2, 10, 10.0, args.input)                 # warm-up (numba cache, file cache)
    cases, rows = [], []
    for n in args.sizes:
        runs = {1: [], 2: []}
        for k in range(args.repeats):
            for ranks in ((1, 2) if k % 2 == 0 else (2, 1)):
                r = run(args.python, ranks, n, args.t, args.input)
                runs[ranks].append(r)
                print(f"  N={n} [{k + 1}/{args.repeats}] {ranks} rank(s): sim {r['sim_s']:7.2f} s, cpu/rank "
                      f"{', '.join(f'{c:.2f}' for c in r['sim_cpu_s'])} s, exchange "
                      f"{', '.join(f'{c:.2f}' for c in r['exchange_s'])} s, spikes {r['spikes']}, "
                      f"load {r['load_start']:.2f}", flush=True)
        med = {ranks: {key: statistics.median(max(x[key]) if isinstance(x[key], list) else x[key] for x in rs)
                       for key in ("sim_s", "sim_cpu_s", "exchange_s", "spikes", "load_start")}
               for ranks, rs in runs.items()}
        cases.append({"n": n, "runs": runs, "median": med})
        rows.append([n, f"{med[1]['sim_s']:.2f}", f"{med[2]['sim_s']:.2f}", f"{med[1]['sim_s'] / med[2]['sim_s']:.2f}",
                     f"{med[1]['sim_cpu_s']:.2f}", f"{med[2]['sim_cpu_s']:.2f}", f"{med[2]['exchange_s']:.2f}",
                     runs[2][0]["exchanges"], int(med[1]["spikes"]), int(med[2]["spikes"]),
                     f"{med[1]['load_start']:.1f} / {med[2]['load_start']:.1f}"])
    header = ["N", "1 rank sim (s)", "2 ranks sim (s)", "speed-up", "CPU 1 rank (s)", "CPU per rank, 2 ranks (s)",
              "exchange, 2 ranks (s)", "exchanges", "spikes 1", "spikes 2", "load 1 / 2"]
    table = H.print_table(f"glif_cond network on 1 and 2 ranks ({args.t:g} ms, input {args.input})", header, rows)
    stamp = H.timestamp()
    args.out.mkdir(parents=True, exist_ok=True)
    H.save_json(args.out / f"mpi-{stamp}.json", {"args": vars(args) | {"out": str(args.out)}, "cases": cases})
    (args.out / "mpi-latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
