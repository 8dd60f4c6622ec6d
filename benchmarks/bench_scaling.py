"""Benchmark 3: how the simulation time scales with network size and input rate.

The network of ``workload_network.py`` (lif_r_asc_a glif_cond, independent
Poisson input per neuron, fixed_indegree 50, 0.05 ms) simulated for a shorter
time (default 200 ms) and reported as wall-clock seconds per simulated second
(``Simulate`` time / T), for both simulators, in two sweeps:

* size: N = 100, 300, 1000, 3000, 10000 at 15 kHz input;
* input rate: 1, 3, 10, 15, 30 kHz at N = 1000.

Each case runs the simulators alternately in fresh processes (median of
``--repeats``).  Writes ``benchmarks/results/scaling-<time>.json``,
``scaling-latest.csv``, ``scaling-latest.md`` and ``scaling-latest.png``;
``--docs`` also copies the figure to ``docs/performance_scaling.png``.

    python benchmarks/bench_scaling.py                 # 5 repeats, 200 ms (~4 min)
    python benchmarks/bench_scaling.py --docs
    python benchmarks/bench_scaling.py --quick         # N <= 1000, 3 rates, 100 ms, 2 repeats
    python benchmarks/bench_scaling.py --sizes 100 1000 10000 30000 100000 --rates 1000 15000 30000 --t 100 --repeats 1
    python benchmarks/bench_scaling.py --metric cpu --replot benchmarks/results/scaling-<time>.json --docs

``--metric cpu`` reports the CPU time of ``Simulate`` instead of its wall-clock time (steadier
when the machine is shared); ``--replot`` rebuilds the tables and the figure from a saved run.
"""

import argparse
import csv
import json
import shutil
import statistics
from pathlib import Path

import harness as H
from bench_network import SCRIPT, WARMUP_ARGS, measure_network

DEFAULT_SIZES = [100, 300, 1000, 3000, 10000]
DEFAULT_RATES = [1000.0, 3000.0, 10000.0, 15000.0, 30000.0]
SUMMARY_KEYS = ["sim_s", "sim_cpu_s", "process_s", "cpu_s", "maxrss_mib", "build_s", "spikes", "rate_hz"]


def plot(rows, path, rate_n=1000, metric="wall"):
    """Two columns (size sweep, rate sweep): seconds per simulated second (top) and ratio (bottom)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter, ScalarFormatter

    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex="col", gridspec_kw={"height_ratios": [2, 1]})
    sweeps = [("size", "n", "neurons N (15 kHz input)"),
              ("rate", "rate_khz", f"Poisson input rate per neuron (kHz, N = {rate_n})")]
    for col, (sweep, key, xlabel) in enumerate(sweeps):
        sel = sorted((r for r in rows if r["sweep"] == sweep), key=lambda r: r[key])
        if not sel:
            continue
        x = [r[key] for r in sel]
        ax = axes[0, col]
        for sim, style in (("eventsim", "o-"), ("nest", "s--")):
            y = [r[f"{sim}_s_per_s"] for r in sel]
            lo = [r[f"{sim}_s_per_s"] - r[f"{sim}_s_per_s_min"] for r in sel]
            hi = [r[f"{sim}_s_per_s_max"] - r[f"{sim}_s_per_s"] for r in sel]
            ax.errorbar(x, y, yerr=[lo, hi], fmt=style, capsize=3, label="NEST 3.10" if sim == "nest" else sim)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_ylabel(("CPU" if metric == "cpu" else "wall-clock") + " s per simulated s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        ax.set_title("size sweep" if sweep == "size" else "input-rate sweep")
        ax = axes[1, col]
        ax.plot(x, [r["ratio"] for r in sel], "k^-")
        ax.axhline(1.0, color="gray", lw=1)
        ax.set_xscale("log")
        ax.set_ylabel("eventsim / NEST")
        ax.set_xlabel(xlabel)
        ax.set_ylim(0, max(1.5, 1.1 * max(r["ratio"] for r in sel)))
        ax.set_xticks(x)
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"Simulate {'CPU' if metric == 'cpu' else 'wall-clock'} time per simulated second "
                 "(median; bars: min-max)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"figure: {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    H.add_common_arguments(parser, repeats=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=None, help=f"size sweep (default {DEFAULT_SIZES})")
    parser.add_argument("--rates", type=float, nargs="*", default=None,
                        help=f"rate sweep in Hz (default {[int(r) for r in DEFAULT_RATES]})")
    parser.add_argument("--rate-n", type=int, default=1000, help="N of the rate sweep (default 1000)")
    parser.add_argument("--t", type=float, default=None, help="simulated time per run in ms (default 200; --quick 100)")
    parser.add_argument("--docs", action="store_true", help="copy the figure to docs/performance_scaling.png")
    parser.add_argument("--metric", choices=("wall", "cpu"), default="wall",
                        help="Simulate wall-clock time (default) or its CPU time, steadier on a busy machine")
    parser.add_argument("--replot", type=Path, default=None,
                        help="rebuild tables and figure from a saved scaling-<time>.json instead of measuring")
    args = parser.parse_args(argv)
    sizes = args.sizes if args.sizes is not None else ([100, 300, 1000] if args.quick else DEFAULT_SIZES)
    rates = args.rates if args.rates is not None else ([1000.0, 15000.0, 30000.0] if args.quick else DEFAULT_RATES)
    t_ms = args.t or (100.0 if args.quick else 200.0)
    repeats = 2 if args.quick and args.repeats == 5 else args.repeats

    info = H.machine_info(args.python)
    print(f"scaling benchmark: N = {sizes}, rates = {rates} Hz at N = {args.rate_n}, {t_ms:g} ms, {repeats} repeats; "
          f"{info.get('cpu_count')} cores, load {info['loadavg']}", flush=True)
    if not args.no_warmup and not args.replot:
        H.warm_up(args.python, SCRIPT, WARMUP_ARGS)

    cases = [("size", n, 15000.0) for n in sizes] + [("rate", args.rate_n, r) for r in rates]
    if args.replot:
        saved = json.loads(args.replot.read_text())
        info, load_after, raw = saved["machine"], saved["load_after"], saved["cases"]
        cases, t_ms, repeats, changed = saved.get("sweeps", cases), raw[0]["t_ms"], saved["repeats"], ""
        done = {(c["n"], c["rate"]): (c["runs"], H.summarize(c["runs"], keys=SUMMARY_KEYS)) for c in raw}
    else:
        done, raw = {}, []
        for sweep, n, rate in cases:
            if (n, rate) not in done:                     # N = 1000 at 15 kHz is in both sweeps: measure once
                done[(n, rate)] = measure_network(args.python, n, t_ms, rate, repeats,
                                                  label=f"N={n} {rate / 1000:g}kHz ")
                raw.append({"n": n, "rate": rate, "t_ms": t_ms, "runs": done[(n, rate)][0]})
        load_after = H.load_average()
        changed = H.source_note(info["eventsim_sources"])
    key = "sim_cpu_s" if args.metric == "cpu" else "sim_s"
    rows = []
    for sweep, n, rate in cases:
        s = done[(n, rate)][1]
        per_s = 1000.0 / t_ms
        row = {"sweep": sweep, "n": n, "rate_khz": rate / 1000.0, "t_ms": t_ms, "metric": args.metric}
        for sim in H.SIMULATORS:
            row[f"{sim}_s_per_s"] = s[sim][key] * per_s
            row[f"{sim}_s_per_s_min"] = s[sim][key + "_min"] * per_s
            row[f"{sim}_s_per_s_max"] = s[sim][key + "_max"] * per_s
            row[f"{sim}_rss_mib"] = s[sim]["maxrss_mib"]
            row[f"{sim}_rate_hz"] = s[sim]["rate_hz"]
        row["ratio"] = s["ratio"][key]
        rows.append(row)

    header = ["sweep", "N", "input (kHz)", "eventsim (s/s)", "NEST (s/s)", "ratio", "rate eventsim (Hz)",
              "rate NEST (Hz)", "RSS eventsim (MiB)", "RSS NEST (MiB)"]
    table_rows = [[r["sweep"], r["n"], r["rate_khz"], r["eventsim_s_per_s"], r["nest_s_per_s"], r["ratio"],
                   r["eventsim_rate_hz"], r["nest_rate_hz"], r["eventsim_rss_mib"], r["nest_rss_mib"]] for r in rows]
    what = "CPU" if args.metric == "cpu" else "wall-clock"
    table = H.print_table(f"Simulate {what} seconds per simulated second ({t_ms:g} ms runs, median of {repeats})",
                          header, table_rows)
    loads = [r["loadavg"] for c in raw for rs in c["runs"].values() for r in rs]
    head = (f"Scaling, {info['date']}; {H.host_line(info)}; "
            f"load average at start {info['loadavg'][0]:.2f}, during runs {min(loads):.2f}-{max(loads):.2f} "
            f"(median {statistics.median(loads):.2f}), at end {load_after[0]:.2f}; {t_ms:g} ms simulated per run, "
            f"median of {repeats} runs per simulator; NEST {info.get('nest')}, eventsim {info.get('eventsim')} "
            f"(sources as of {info['eventsim_sources']['mtime']}). {changed}")

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = H.timestamp()
    if not args.replot:
        H.save_json(args.out / f"scaling-{stamp}.json",
                    {"machine": info, "load_after": load_after, "repeats": repeats, "rows": rows, "cases": raw,
                     "sweeps": cases})
    with open(args.out / "scaling-latest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (args.out / "scaling-latest.md").write_text(f"{head}\n\n{table}\n")
    print(f"tables: {args.out / 'scaling-latest.csv'}, {args.out / 'scaling-latest.md'}")
    png = args.out / "scaling-latest.png"
    plot(rows, png, args.rate_n, args.metric)
    if args.docs:
        target = H.BENCH_DIR.parent / "docs" / "performance_scaling.png"
        shutil.copyfile(png, target)
        print(f"copied figure to {target}")


if __name__ == "__main__":
    main()
