"""The network benchmark with Brian2 as a third simulator (``bench_network.py --with-brian2``).

For each N, four simulators take turns in fresh processes, the order
rotating every repeat: eventsim and NEST (``workload_network.py``) and Brian2
with its Cython target and its C++ standalone target
(``workload_network_brian2.py``, in ``benchmarks/.venv-brian2``).  Before the
measured runs, each simulator runs once untimed: eventsim and NEST on a tiny
network (numba's cache, file cache), Brian2 on the case itself (so that its
Cython modules are in its cache and its standalone project is compiled; that
build is reported separately).

Writes ``benchmarks/results/network-brian2-<time>.json`` and
``network-brian2-latest.md``: per N one row per simulator with the medians of
the ``Simulate`` time, its CPU time, the whole process, its CPU time, peak RSS,
the C++ compile step, and the spike counts that show equal work.
"""

import statistics

import harness as H
from brian2_env import brian2_versions, ensure_brian2_python

__all__ = ["main_with_brian2", "PEER_SCRIPT", "PEERS"]

PEER_SCRIPT = "workload_network_brian2.py"
#: The Brian2 targets, as passed to ``--sim`` of the Brian2 workload.
PEERS = ("brian2-cython", "brian2-cpp")
_NAMES = {"eventsim": "eventsim", "nest": "NEST", "brian2-cython": "Brian2, Cython target",
          "brian2-cpp": "Brian2, C++ standalone"}


def main_with_brian2(args, sizes, t_ms, repeats):
    """Run the network case for each N with eventsim, NEST and Brian2's two targets, in turns."""
    from bench_network import SCRIPT, WARMUP_ARGS
    if args.model != "glif_cond":
        raise SystemExit("--with-brian2 runs the glif_cond network only")
    brian2_python = ensure_brian2_python()
    info = H.machine_info(args.python)
    info.update(brian2_versions(brian2_python))
    print(f"network benchmark with Brian2 {info.get('brian2')}: N = {sizes}, {t_ms:g} ms, {repeats} repeats; "
          f"{H.host_line(info)}; load {info['loadavg']}", flush=True)
    runners = [("eventsim", args.python, SCRIPT), ("nest", args.python, SCRIPT),
               *[(peer, brian2_python, PEER_SCRIPT) for peer in PEERS]]
    if not args.no_warmup:
        H.warm_up(args.python, SCRIPT, WARMUP_ARGS)
    cases, tables = [], []
    for n in sizes:
        case_args = ["--n", n, "--t", t_ms, "--rate", args.rate]
        cold = {}
        for peer in PEERS:                       # fills the Cython cache and compiles the standalone project
            r = H.run_child(brian2_python, PEER_SCRIPT, peer, case_args)
            cold[peer] = r
            print(f"  warm-up {peer} N={n}: process {r['process_s']:.1f} s, compile {r.get('compile_s', 0):.1f} s "
                  f"(not measured)", flush=True)
        runs = H.measure_many(runners, case_args, repeats, label=f"N={n} ")
        summary = {sim: _medians(rs) for sim, rs in runs.items()}
        cases.append({"n": n, "t_ms": t_ms, "rate": args.rate, "runs": runs, "summary": summary,
                      "warm_up": cold})
        tables.append(_case_table(n, summary, cold))
        print(tables[-1], flush=True)
    load_after = H.load_average()
    changed = H.source_note(info["eventsim_sources"])
    loads = [r["loadavg"] for c in cases for rs in c["runs"].values() for r in rs]
    head = (f"Network of glif_cond (lif_r_asc_a), eventsim, NEST and Brian2, {info['date']}; {H.host_line(info)}; "
            f"Brian2 {info.get('brian2')} with numpy {info.get('brian2_numpy')}, Cython {info.get('brian2_cython')}, "
            f"{info.get('cxx')}. Load average at start {info['loadavg'][0]:.2f}, during runs "
            f"{min(loads):.2f}-{max(loads):.2f} (median {statistics.median(loads):.2f}), at end {load_after[0]:.2f}; "
            f"{t_ms:g} ms simulated, median of {repeats} runs per simulator. {changed}")
    stamp = H.timestamp()
    H.save_json(args.out / f"network-brian2-{stamp}.json",
                {"machine": info, "load_after": load_after, "repeats": repeats, "cases": cases})
    (args.out / "network-brian2-latest.md").write_text(head + "\n\n" + "\n\n".join(tables) + "\n")
    print(f"table: {args.out / 'network-brian2-latest.md'}")


def _medians(runs):
    keys = ("sim_s", "sim_cpu_s", "process_s", "cpu_s", "sys_s", "maxrss_mib", "compile_s", "spikes", "rate_hz",
            "minflt")
    out = {}
    for key in keys:
        vals = [r[key] for r in runs if key in r and r[key] == r[key]]
        if vals:
            out[key] = statistics.median(vals)
            out[key + "_min"], out[key + "_max"] = min(vals), max(vals)
    return out


def _case_table(n, summary, cold):
    ref = summary["eventsim"]
    header = ["N = %d" % n, "Simulate (s)", "Simulate CPU (s)", "whole process (s)", "process CPU (s)",
              "peak RSS (MiB)", "C++ compile in the run (s)", "spikes", "rate (Hz)", "Simulate / eventsim",
              "process / eventsim"]
    rows = []
    for sim, s in summary.items():
        compile_s = s.get("compile_s", float("nan"))
        rows.append([_NAMES[sim], s["sim_s"], s.get("sim_cpu_s", float("nan")), s["process_s"], s["cpu_s"],
                     s["maxrss_mib"], compile_s, int(s["spikes"]), s["rate_hz"],
                     H.ratio(s["sim_s"], ref["sim_s"]), H.ratio(s["process_s"], ref["process_s"])])
    table = H.markdown_table(header, rows)
    cpp = cold.get("brian2-cpp", {})
    return (f"{table}\n\nBuild of the C++ standalone project in the warm-up run (a full compile unless an earlier "
            f"run built this case's folder): {cpp.get('compile_s', float('nan')):.1f} s "
            f"(whole process {cpp.get('process_s', float('nan')):.1f} s, CPU {cpp.get('cpu_s', float('nan')):.1f} s; "
            f"a child's CPU time and peak RSS include the processes it waited for: make, the compiler, the binary).")
