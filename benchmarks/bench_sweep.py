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
    Two tables.  First ``examples/sweep_fi_curve.py`` (300 runs) serially, on 2 worker
    processes and on 2 Dask workers (``engine="processes"``/``"dask"``: eventsim starts and
    warms the workers), in turns, ``--repeats`` times, each in a fresh process; the 1-minute
    load average before each run and the CPU time of the whole process tree (the workers
    included; CPU / wall is the number of cores the sweep really had) beside it.  Then where
    the time goes, each engine in a fresh process (``fi-phases``): starting the workers,
    warming them up, the first task's start on each worker, the sweep on just-warmed
    workers, a second sweep on the same workers, the sum of the runs' own wall times, the
    parent's combining of the results, and the fixed cost per run (the engine's
    worker-seconds of a warm sweep minus the runs' own time, per run).

``python benchmarks/bench_sweep.py pair``
    What two busy processes cost each other: the f-I sweep's 300 runs serially in one
    process alone, then in two processes at once, then alone again; CPU and wall time of
    each (more CPU side by side means the cores share cache or memory bandwidth).

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
        from eventsim.sweep_dask import local_client
    except ImportError:
        print("Dask not installed: skipping it")
    else:
        with local_client(2) as client:
            measure("Dask LocalCluster (2, as engine='dask' starts it)", client)
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
    phases(args)


def fi_phases(args):
    """One engine, in this (fresh) process: timestamps of each phase of two f-I sweeps, as JSON."""
    import json

    sys.path.insert(0, str(ROOT / "examples"))
    import sweep_fi_curve as example

    import eventsim as nest
    from eventsim import sweep_worker
    import importlib
    sweep_module = importlib.import_module("eventsim.sweep")   # eventsim.sweep is also the function

    combine_seconds = []
    combine = sweep_module.combine_outcomes

    def timed_combine(*a, **k):
        start = time.perf_counter()
        out = combine(*a, **k)
        combine_seconds.append(time.perf_counter() - start)
        return out

    sweep_module.combine_outcomes = timed_combine
    params = {"level": list(example.GLIF_LEVELS), "amplitude": example.AMPLITUDES, "duration": 1000.0}
    t = {"t0": time.perf_counter()}
    out = {"engine": args.engine, "load": load(), "cpu": {}}
    cpu_snapshot("t0", out)

    def two_sweeps(engine, workers, first_task=None):
        t["engine_ready"] = time.perf_counter()
        results = []
        cpu_snapshot("ready", out)
        for name in ("sweep1", "sweep2"):
            start = time.perf_counter()
            results.append(nest.sweep(example.fi_point, params, seeds=3, seed=12345, engine=engine, progress=False))
            t[name] = time.perf_counter() - start
            cpu_snapshot(name, out)
            if name == "sweep1" and first_task is not None:
                out["first_task"] = first_task()
        out["runs"] = int(results[1]["run"].size)
        out["run_wall_sum"] = [float(r["wall_time"].sum()) for r in results]
        out["workers"] = workers
        out["combine"] = combine_seconds

    if args.engine == "serial":
        t["up"] = t["warm"] = time.perf_counter()
        two_sweeps(None, 1)
    elif args.engine == "processes":
        with concurrent.futures.ProcessPoolExecutor(2, initializer=sweep_worker.warm_up) as pool:
            t["up"] = time.perf_counter()
            warm = list(pool.map(_warm_seconds_after_start, [0.2, 0.2]))   # both workers started and warm
            t["warm"] = time.perf_counter()
            out["warm_up_s"] = warm
            two_sweeps(pool, 2)
    else:
        import dask
        from distributed import Client, LocalCluster, get_task_stream
        from eventsim.sweep_dask import QUIET_CLUSTER, START_METHOD, warm_workers
        # the cluster eventsim's engine="dask" starts (eventsim.sweep_dask.local_client), in two steps
        start = {} if START_METHOD is None else {"distributed.worker.multiprocessing-method": START_METHOD}
        with dask.config.set({**QUIET_CLUSTER, **start}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
                Client(cluster) as client:
            t["up"] = time.perf_counter()
            warm_workers(client)
            t["warm"] = time.perf_counter()
            out["warm_up_s"] = list(client.run(lambda: sweep_worker._warm_seconds).values())
            stream = get_task_stream(client)
            stream.__enter__()

            def first_task():
                stream.__exit__(None, None, None)
                starts = {}
                for task in stream.data:
                    for ss in task["startstops"]:
                        if ss["action"] == "compute":
                            starts[task["worker"]] = min(starts.get(task["worker"], 1e300), ss["start"])
                now_wall, now = time.time(), time.perf_counter()
                return sorted(now - (now_wall - s) - t["t0"] for s in starts.values())

            two_sweeps(client, 2, first_task)
    out["phases"] = {"engine_start": t["up"] - t["t0"], "warm_up": t["warm"] - t["up"],
                     "sweep1": t["sweep1"], "sweep2": t["sweep2"]}
    out["sweep1_start"] = t["engine_ready"] - t["t0"]
    out["parent_cpu"] = time.process_time()
    print(json.dumps(out))


def cpu_snapshot(name, out):
    """Note the CPU time (s) of this process and of each of its descendants (the workers) as `name`."""
    import psutil
    me = psutil.Process()
    times = {"parent": time.process_time()}
    for child in me.children(recursive=True):
        try:
            c = child.cpu_times()
            times[str(child.pid)] = c.user + c.system
        except psutil.NoSuchProcess:
            pass
    out["cpu"][name] = times


def phase_cpu(out, start, end):
    """CPU seconds between two snapshots: (parent, the busiest other process, all others together)."""
    a, b = out["cpu"][start], out["cpu"][end]
    others = [b[k] - a.get(k, 0.0) for k in b if k != "parent"]
    return b["parent"] - a["parent"], max(others, default=0.0), sum(others)


def _warm_seconds_after_start(pause):
    """In a pool worker: wait `pause` s (so that each worker takes one call), return its warm-up time (s)."""
    from eventsim import sweep_worker
    time.sleep(pause)
    return sweep_worker.warm_up()


def phases(args):
    """Run :func:`fi_phases` for each engine in a fresh process; print where the time goes."""
    import json
    rows = []
    for engine in ["serial", "processes", "dask"]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([sys.executable, __file__, "fi-phases", "--engine", engine], capture_output=True,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = json.loads(done.stdout.strip().splitlines()[-1])
        out["tree_cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        rows.append(out)
    print("\nwhere the time goes (s; each engine in a fresh process; 300 runs per sweep; "
          "sweep 2 repeats sweep 1 on the same, warm workers):")
    print("| engine | workers start | warm-up (per worker, CPU-bound) | first task starts | sweep 1 | sweep 2 "
          "| runs' own time (sweep 2) | combining | fixed cost per run (sweep 2, ms) | CPU of tree | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for o in rows:
        p = o["phases"]
        fixed = (p["sweep2"] * o["workers"] - o["run_wall_sum"][1]) / o["runs"]
        warm = "/".join(f"{w:.2f}" for w in o.get("warm_up_s", [])) or "(in run 1)"
        first = "/".join(f"{f:.2f}" for f in o.get("first_task", [])) or "-"
        print(f"| {o['engine']} | {p['engine_start']:.2f} | {p['warm_up']:.2f} ({warm}) | {first} | "
              f"{p['sweep1']:.2f} | {p['sweep2']:.2f} | {o['run_wall_sum'][1]:.2f} | {o['combine'][1]:.2f} | "
              f"{1000 * fixed:.1f} | {o['tree_cpu']:.1f} | {o['load']:.1f} |", flush=True)
    print("\nCPU seconds per phase (parent = the process that calls sweep; workers: the busiest one / all):")
    print("| engine | start + warm-up: parent | start + warm-up: workers | sweep 2: parent | sweep 2: workers "
          "| sweep 2 on 2 free cores (parent + busiest worker) |")
    print("|---|---|---|---|---|---|")
    for o in rows:
        wp, wmax, wsum = phase_cpu(o, "t0", "ready")
        sp, smax, ssum = phase_cpu(o, "sweep1", "sweep2")
        estimate = sp + smax if o["workers"] > 1 else sp
        print(f"| {o['engine']} | {wp:.2f} | {wmax:.2f} / {wsum:.2f} | {sp:.2f} | {smax:.2f} / {ssum:.2f} "
              f"| {estimate:.2f} |")
    serial = rows[0]["phases"]
    for o in rows[1:]:
        p = o["phases"]
        cold = p["engine_start"] + p["warm_up"] + p["sweep1"]
        print(f"{o['engine']}: from nothing (workers start + warm-up + sweep 1) {cold:.2f} s vs serial sweep 1 "
              f"{serial['sweep1']:.2f} s: {serial['sweep1'] / cold:.2f}x; warm (sweep 2) {p['sweep2']:.2f} s vs serial "
              f"{serial['sweep2']:.2f} s: {serial['sweep2'] / p['sweep2']:.2f}x")


PAIR_RUN = """
import sys, time
sys.path.insert(0, {examples!r})
import eventsim as nest
import sweep_fi_curve as ex
params = {{"level": list(ex.GLIF_LEVELS), "amplitude": ex.AMPLITUDES, "duration": 1000.0}}
nest.sweep(ex.fi_point, {{**params, "amplitude": ex.AMPLITUDES[:2]}}, seeds=1, seed=1, progress=False)  # warm
c, t = time.process_time(), time.perf_counter()
nest.sweep(ex.fi_point, params, seeds=3, seed=1, progress=False)
print(f"{{time.process_time() - c:.2f}} {{time.perf_counter() - t:.2f}}")
"""


def pair(args):
    code = PAIR_RUN.format(examples=str(ROOT / "examples"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def start():
        return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)

    print("| setting | CPU (s) | wall (s) | load before |")
    print("|---|---|---|---|")
    for setting, n in (("alone", 1), ("side by side", 2), ("alone", 1)):
        ld = load()
        for proc in [start() for _ in range(n)]:
            cpu, wall = proc.communicate()[0].split()
            print(f"| {setting} | {cpu} | {wall} | {ld:.1f} |", flush=True)


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
    parser.add_argument("what", choices=["overhead", "fi", "cache", "pair", "fi-phases"])
    parser.add_argument("--engine", choices=["serial", "processes", "dask"], default="serial",
                        help="engine of fi-phases (one engine in this process)")
    parser.add_argument("--runs", type=int, default=100, help="runs per sweep (overhead; default 100)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats (default 3)")
    args = parser.parse_args()
    if args.what == "fi-phases":
        return fi_phases(args)
    import harness
    print(f"load average at start: {load():.2f}; {harness.host_line(harness.machine_info(sys.executable))}")
    {"overhead": overhead, "fi": fi, "cache": cache, "pair": pair}[args.what](args)


if __name__ == "__main__":
    main()
