"""Costs of parameter sweeps: per-run overhead of each engine, the f-I sweep, and numba's cache.

Three measurements, each printed as a table (run from the repository root):

``python benchmarks/bench_sweep.py overhead``
    A tiny run (one ``glif_cond`` and a spike recorder, 1 ms) repeated
    ``--runs`` times per sweep, on each engine: serial, a
    ``ProcessPoolExecutor`` and a Dask ``LocalCluster`` (2 workers each).
    For each engine: the first sweep (workers start, import eventsim and load
    the compiled kernels) and the median of ``--repeats`` further sweeps on
    the warm pool, as wall time per run, next to the run function's own time.

``python benchmarks/bench_sweep.py fi``
    ``examples/sweep_fi_curve.py`` (300 runs) serially, on 2 worker
    processes and on 2 Dask workers, in turns, ``--repeats`` times, each in a fresh process; the
    1-minute load average before each run and the CPU time of the whole process tree (the
    workers included; CPU / wall is the number of cores the sweep really had) beside it.

``python benchmarks/bench_sweep.py cache``
    Time of the first ``glif_cond`` simulation in fresh processes, with
    numba's on-disk cache of ``nodes/`` removed first (the first process
    compiles, the next ones load), for the source tree and for a
    non-editable copy installed with ``pip install --no-deps --target``;
    and the same in a spawned worker process (a ``spawn`` ProcessPoolExecutor).
"""

import argparse
import concurrent.futures
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIRST_RUN = """
import time
t0 = time.perf_counter()
import eventsim as nest
t1 = time.perf_counter()
n = nest.Create("glif_cond", params={"after_spike_currents": True})
cg = nest.Create("step_current_generator", params={"amplitude_times": [1.0], "amplitude_values": [300.0]})
nest.Connect(cg, n)
nest.Simulate(10.0)
t2 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {nest.__file__}")
"""


def tiny_run(i):
    """One glif_cond and a spike recorder for 1 ms (the sweep's parameter `i` is unused)."""
    import eventsim as nest
    n = nest.Create("glif_cond")
    sr = nest.Create("spike_recorder")
    nest.Connect(n, sr)
    nest.Simulate(1.0)
    return nest.recordings()


def load():
    return os.getloadavg()[0]


def time_sweep(engine, runs):
    import eventsim as nest
    start = time.perf_counter()
    result = nest.sweep(tiny_run, {"i": list(range(runs))}, engine=engine, progress=False)
    wall = time.perf_counter() - start
    return wall / runs, float(result["wall_time"].median())


def overhead(args):
    rows = []

    def measure(name, engine):
        first = time_sweep(engine, args.runs)
        warm = [time_sweep(engine, args.runs) for _ in range(args.repeats)]
        rows.append((name, first[0], statistics.median(w[0] for w in warm), statistics.median(w[1] for w in warm),
                     load()))

    measure("serial", None)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        measure("process pool (2, spawn)", pool)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        measure("process pool (2, fork)", pool)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print("Dask not installed: skipping it")
    else:
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            measure("Dask LocalCluster (2)", client)
    print(f"tiny run x {args.runs} per sweep; ms per run (wall time of the sweep / runs)")
    print("| engine | first sweep | warm sweeps (median) | run function alone (median) | load |")
    print("|---|---|---|---|---|")
    for name, first, warm, alone, ld in rows:
        print(f"| {name} | {1000 * first:.1f} | {1000 * warm:.1f} | {1000 * alone:.1f} | {ld:.1f} |")


def fi(args):
    script = ROOT / "examples" / "sweep_fi_curve.py"
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    engines = ["serial", "processes", "dask"]
    times = {engine: [] for engine in engines}
    print("| repeat | engine | wall time of the sweep (s) | CPU time of the process tree (s) | CPU / wall "
          "| load before |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            order = engines if repeat % 2 == 0 else engines[::-1]
            for engine in order:
                ld = load()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                done = subprocess.run([sys.executable, str(script), "--engine", engine, "--out", tmp],
                                      capture_output=True, text=True, env=env, check=True)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
                line = next(x for x in done.stdout.splitlines() if " runs on " in x)
                seconds = float(line.split(" in ")[1].split(" s")[0])
                times[engine].append(seconds)
                print(f"| {repeat} | {engine} | {seconds:.1f} | {cpu:.1f} | {cpu / seconds:.2f} | {ld:.1f} |",
                      flush=True)
    s = statistics.median(times["serial"])
    for engine in engines[1:]:
        t = statistics.median(times[engine])
        print(f"median: serial {s:.1f} s, {engine} (2 workers) {t:.1f} s, speed-up {s / t:.2f}x")


def first_runs(python_path, tree, n, cwd):
    """Delete numba's cache files of glif_cond under `tree`, then time `n` fresh processes."""
    for f in Path(tree).rglob("__pycache__/glif_cond_steps.*.nb[ci]"):
        f.unlink()
    env = {**os.environ, "PYTHONPATH": str(python_path)}
    out = []
    for _ in range(n):
        line = subprocess.run([sys.executable, "-c", FIRST_RUN], capture_output=True, text=True, env=env,
                              check=True, cwd=cwd).stdout.split()
        out.append((float(line[0]), float(line[1]), line[2]))
    return out


def spawned_first_run():
    start = time.perf_counter()
    exec(compile(FIRST_RUN, "<first run>", "exec"), {})
    return time.perf_counter() - start


def cache(args):
    print("| tree | process | import eventsim (s) | first glif_cond run (s) |")
    print("|---|---|---|---|")
    for i, (imp, first, where) in enumerate(first_runs(ROOT, ROOT, 3, ROOT)):
        print(f"| source | {i + 1} | {imp:.2f} | {first:.2f} |")
    with tempfile.TemporaryDirectory() as site:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                        "--target", site, str(ROOT)], check=True, capture_output=True)
        with tempfile.TemporaryDirectory() as elsewhere:
            for i, (imp, first, where) in enumerate(first_runs(site, site, 3, elsewhere)):
                assert where.startswith(site), where
                print(f"| installed copy | {i + 1} | {imp:.2f} | {first:.2f} |")
    for i in range(2):
        ctx = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(1, mp_context=ctx) as pool:
            print(f"| spawned worker | {i + 1} | (included) | {pool.submit(spawned_first_run).result():.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["overhead", "fi", "cache"])
    parser.add_argument("--runs", type=int, default=100, help="runs per sweep (overhead; default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (default 3)")
    args = parser.parse_args()
    import harness
    print(f"load average at start: {load():.2f}; {harness.host_line(harness.machine_info(sys.executable))}")
    {"overhead": overhead, "fi": fi, "cache": cache}[args.what](args)


if __name__ == "__main__":
    main()
