"""Benchmark: a closed loop with one PI controller per neuron (N = 100, control every 1 ms).

Three ways to run the same control law (``workload_closed_loop.py``), each in a
fresh process, alternately: eventsim with one controller actor per neuron;
eventsim PyNEST style (``Simulate(1)`` in a Python loop, read events, set
dc_generators); NEST 3.10 PyNEST style.  Reports medians of the time of the
simulation (for the loop: the calls and the Python between them), its CPU
time, and the spike counts.  Raw results: ``benchmarks/results/closed_loop-<time>.json``
and ``closed_loop-latest.md``.

    python benchmarks/bench_closed_loop.py              # 3 repeats, 1000 ms (about 2 min)
    python benchmarks/bench_closed_loop.py --quick      # 1 repeat, 200 ms
"""

import argparse
import importlib.util
import statistics

import harness as H

SCRIPT = "workload_closed_loop.py"
CASES = [("eventsim", "actor", "eventsim, one controller actor per neuron"),
         ("eventsim", "loop", "eventsim, PyNEST-style loop"),
         ("nest", "loop", "NEST 3.10, PyNEST-style loop")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    H.add_common_arguments(parser, repeats=3)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--t", type=float, default=1000.0)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    repeats = 1 if args.quick and args.repeats == 3 else args.repeats
    t_ms = 200.0 if args.quick and args.t == 1000.0 else args.t
    cases = [c for c in CASES if c[0] != "nest" or importlib.util.find_spec("nest") is not None]
    common = ["--n", args.n, "--t", t_ms, "--interval", args.interval]

    info = H.machine_info(args.python)
    print(f"closed-loop benchmark: N={args.n}, {t_ms} ms, control every {args.interval} ms, {repeats} repeats; "
          f"load {info['loadavg']}", flush=True)
    if not args.no_warmup:
        for sim, style, _ in cases:
            H.run_child(args.python, SCRIPT, sim, [*common, "--style", style, "--t", 10.0])
    runs = {case: [] for case in cases}
    for k in range(repeats):
        for case in (cases if k % 2 == 0 else cases[::-1]):
            sim, style, label = case
            r = H.run_child(args.python, SCRIPT, sim, [*common, "--style", style])
            runs[case].append(r)
            print(f"  [{k + 1}/{repeats}] {label:45s} sim {r['sim_s']:7.2f} s  cpu {r['sim_cpu_s']:7.2f} s  "
                  f"spikes {r['spikes']}", flush=True)
    rows = []
    for case in cases:
        rs = runs[case]
        rows.append([case[2], statistics.median(r["sim_s"] for r in rs), statistics.median(r["sim_cpu_s"] for r in rs),
                     rs[0]["spikes"], round(rs[0]["rate_hz"], 1)])
    table = H.print_table(f"closed loop, N = {args.n}, {t_ms:g} ms, control every {args.interval:g} ms, "
                          f"median of {repeats}", ["", "simulation (s)", "CPU (s)", "spikes", "rate (Hz)"], rows)
    stamp = H.timestamp()
    args.out.mkdir(parents=True, exist_ok=True)
    H.save_json(args.out / f"closed_loop-{stamp}.json",
                {"machine": info, "runs": {f"{c[0]}-{c[1]}": v for c, v in runs.items()}})
    (args.out / "closed_loop-latest.md").write_text(table + "\n")


if __name__ == "__main__":
    main()
