"""Benchmark 2: a recurrent glif_cond (or glif_psc) network, eventsim against NEST.

N glif_cond neurons (lif_r_asc_a), 15 kHz independent Poisson input per neuron
on receptor 1, recurrent fixed_indegree 50 on receptor 2, spike recorder on
all, multimeter on V_m of 10 neurons, resolution 0.05 ms (see
``workload_network.py``).  For each N the two simulators run alternately, each
run in a fresh process; medians of the ``Simulate`` time, whole-process time
and peak RSS are reported with the ratios eventsim/NEST, and the spike counts
(total, mean rate) of both show that they did the same work.

    python benchmarks/bench_network.py                       # N = 100, 1000, 10000; 1000 ms; 5 repeats (~12 min)
    python benchmarks/bench_network.py --sizes 1000 --repeats 3
    python benchmarks/bench_network.py --quick               # N = 100, 1000; 200 ms; 2 repeats
    python benchmarks/bench_network.py --model glif_psc      # the same network of glif_psc neurons
    python benchmarks/bench_network.py --with-brian2 --sizes 1000   # eventsim, NEST and Brian2 (Cython, C++ standalone)
    python benchmarks/bench_network.py --threads 2           # both simulators with local_num_threads = 2
    python benchmarks/bench_network.py --thread-ratio --sizes 10000 --t 200 --repeats 3
                                                             # eventsim alone, 1 against 2 threads
    python benchmarks/bench_network.py --thread-ratio --with-nest --sizes 10000 --t 200 --repeats 5
                                                             # the same for eventsim and NEST, taking turns

With ``--with-brian2`` the same network written in Brian2
(``workload_network_brian2.py``) takes turns with eventsim and NEST, with its
Cython target and its C++ standalone target, in the interpreter of
``benchmarks/.venv-brian2`` (created on first use, see ``brian2_env.py``).

Raw results: ``benchmarks/results/network-<time>.json`` and ``network-latest.md``
(``network-glif_psc-...`` for ``--model glif_psc``).
"""

import argparse
import statistics

import harness as H

SCRIPT = "workload_network.py"
WARMUP_ARGS = ["--n", "10", "--t", "10"]


def measure_network(python, n, t_ms, rate, repeats, label=None, model="glif_cond", threads=1):
    """Run the network workload for one case (`model`: glif_cond or glif_psc); return (runs, summary)."""
    args = ["--n", n, "--t", t_ms, "--rate", rate, "--model", model, "--threads", threads]
    runs = H.measure_pair(python, SCRIPT, args, repeats, label=label or f"N={n} ")
    summary = H.summarize(runs, keys=["sim_s", "sim_cpu_s", "process_s", "cpu_s", "maxrss_mib", "build_s", "spikes", "rate_hz"])
    return runs, summary


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    H.add_common_arguments(parser, repeats=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="numbers of neurons (default 100 1000 10000)")
    parser.add_argument("--t", type=float, default=None, help="simulated time in ms (default 1000; --quick 200)")
    parser.add_argument("--rate", type=float, default=15000.0, help="Poisson input rate per neuron (Hz)")
    parser.add_argument("--model", choices=("glif_cond", "glif_psc"), default="glif_cond", help="neuron model")
    parser.add_argument("--with-brian2", action="store_true",
                        help="also run the network in Brian2 (Cython and C++ standalone), glif_cond only")
    parser.add_argument("--threads", type=int, default=1, help="local_num_threads of both simulators (default 1)")
    parser.add_argument("--thread-ratio", action="store_true",
                        help="measure eventsim alone with 1 and 2 threads, alternately, and report the speed-up")
    parser.add_argument("--with-nest", action="store_true",
                        help="with --thread-ratio: NEST's speed-up too, its runs taking turns with eventsim's")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([100, 1000] if args.quick else [100, 1000, 10000])
    t_ms = args.t or (200.0 if args.quick else 1000.0)
    repeats = 2 if args.quick and args.repeats == 5 else args.repeats
    if args.with_brian2:
        from bench_network_peers import main_with_brian2
        return main_with_brian2(args, sizes, t_ms, repeats)

    if args.with_nest and not args.thread_ratio:
        parser.error("--with-nest goes with --thread-ratio (the other modes always run NEST)")
    info = H.machine_info(args.python)
    if args.thread_ratio:
        return thread_ratio(args, sizes, t_ms, repeats, info)
    print(f"network benchmark ({args.model}): N = {sizes}, {t_ms:g} ms, {repeats} repeats; "
          f"{info.get('cpu_count')} cores, "
          f"load {info['loadavg']}", flush=True)
    if not args.no_warmup:
        H.warm_up(args.python, SCRIPT, WARMUP_ARGS + ["--model", args.model])
    cases, rows, work_rows = [], [], []
    for n in sizes:
        runs, s = measure_network(args.python, n, t_ms, args.rate, repeats, model=args.model, threads=args.threads)
        cases.append({"n": n, "t_ms": t_ms, "rate": args.rate, "model": args.model, "runs": runs, "summary": s})
        e, ne, r = s["eventsim"], s["nest"], s["ratio"]
        rows.append([n, e["sim_s"], ne["sim_s"], r["sim_s"], e["process_s"], ne["process_s"], r["process_s"],
                     e["maxrss_mib"], ne["maxrss_mib"], r["maxrss_mib"], e["cpu_s"], ne["cpu_s"], r["cpu_s"],
                     e["sim_cpu_s"], ne["sim_cpu_s"], r["sim_cpu_s"]])
        work_rows.append([n, int(e["spikes"]), int(ne["spikes"]), e["rate_hz"], ne["rate_hz"],
                          f"{100 * (e['spikes'] / ne['spikes'] - 1):+.1f} %"])
        H.print_table(f"N = {n} so far", ["N", "sim eventsim (s)", "sim NEST (s)", "ratio", "process eventsim (s)",
                                          "process NEST (s)", "ratio", "RSS eventsim (MiB)", "RSS NEST (MiB)", "ratio",
                                          "CPU eventsim (s)", "CPU NEST (s)", "ratio", "sim CPU eventsim (s)",
                                          "sim CPU NEST (s)", "ratio"],
                      rows[-1:])
    load_after = H.load_average()
    changed = H.source_note(info["eventsim_sources"])

    header = ["N", "sim eventsim (s)", "sim NEST (s)", "ratio", "process eventsim (s)", "process NEST (s)", "ratio",
              "peak RSS eventsim (MiB)", "peak RSS NEST (MiB)", "ratio", "process CPU eventsim (s)",
              "process CPU NEST (s)", "ratio", "Simulate CPU eventsim (s)", "Simulate CPU NEST (s)", "ratio"]
    table = H.print_table(f"network of {args.model}, {t_ms:g} ms simulated, median of {repeats} runs per simulator",
                          header, rows)
    work = H.print_table("work done (median spike count; rate = spikes / N / T)",
                         ["N", "spikes eventsim", "spikes NEST", "rate eventsim (Hz)", "rate NEST (Hz)",
                          "difference"], work_rows)
    loads = [r["loadavg"] for c in cases for rs in c["runs"].values() for r in rs]
    head = (f"Network of {args.model}, {info['date']}; {H.host_line(info)}; "
            f"load average at start {info['loadavg'][0]:.2f}, during runs {min(loads):.2f}-{max(loads):.2f} "
            f"(median {statistics.median(loads):.2f}), at end {load_after[0]:.2f}; {t_ms:g} ms simulated, "
            f"median of {repeats} runs per simulator; NEST {info.get('nest')}, eventsim {info.get('eventsim')} "
            f"(sources as of {info['eventsim_sources']['mtime']}). {changed}")
    stamp = H.timestamp()
    name = "network" if args.model == "glif_cond" else f"network-{args.model}"
    H.save_json(args.out / f"{name}-{stamp}.json",
                {"machine": info, "load_after": load_after, "repeats": repeats, "cases": cases})
    (args.out / f"{name}-latest.md").write_text(f"{head}\n\n{table}\n\n{work}\n")
    print(f"table: {args.out / f'{name}-latest.md'}")


def thread_ratio(args, sizes, t_ms, repeats, info):
    """eventsim (and, with ``--with-nest``, NEST) with local_num_threads 1 and 2, taking turns, per N; print and
    save the speed-up table."""
    sims = ("eventsim", "nest") if args.with_nest else ("eventsim",)
    print(f"thread ratio ({args.model}): {', '.join(sims)}; N = {sizes}, {t_ms:g} ms, {repeats} repeats; "
          f"{info.get('cpu_count')} cores, load {info['loadavg']}", flush=True)
    if not args.no_warmup:
        for sim in sims:
            for threads in (1, 2):
                H.run_child(args.python, SCRIPT, sim, WARMUP_ARGS + ["--model", args.model, "--threads", threads])
    rows, cases = [], []
    for n in sizes:
        workload = ["--n", n, "--t", t_ms, "--rate", args.rate, "--model", args.model]
        runs = {sim: {1: [], 2: []} for sim in sims}
        for k in range(repeats):                  # every repeat runs each simulator with 1 and 2 threads
            for sim in (sims if k % 2 == 0 else sims[::-1]):
                order = (1, 2) if k % 2 == 0 else (2, 1)
                one = H.measure_threads(args.python, SCRIPT, workload, 1, threads=order, sim=sim, verbose=False)
                for t in order:
                    r = one[t][0]
                    r["repeat"] = k
                    runs[sim][t].append(r)
                    print(f"  N={n} [{k + 1}/{repeats}] {sim} {t} thread(s) sim {r['sim_s']:8.3f} s  "
                          f"CPU {r['sim_cpu_s']:8.3f} s  load {r['loadavg']:.2f}", flush=True)
        for sim in sims:
            med = {t: {key: statistics.median(r[key] for r in rs) for key in ("sim_s", "sim_cpu_s", "spikes")}
                   for t, rs in runs[sim].items()}
            loads = [r["loadavg"] for rs in runs[sim].values() for r in rs]
            if sim == "eventsim" and med[1]["spikes"] != med[2]["spikes"]:
                raise RuntimeError(f"N = {n}: 1 and 2 threads gave different spike counts {med[1]['spikes']}, "
                                   f"{med[2]['spikes']}")
            pairs = sorted(H.ratio(a["sim_s"], b["sim_s"]) for a, b in zip(runs[sim][1], runs[sim][2]))
            rows.append([sim, n, med[1]["sim_s"], med[2]["sim_s"], H.ratio(med[1]["sim_s"], med[2]["sim_s"]),
                         f"{pairs[0]:.2f}-{pairs[-1]:.2f}", med[1]["sim_cpu_s"], med[2]["sim_cpu_s"],
                         H.ratio(med[2]["sim_cpu_s"], med[1]["sim_cpu_s"]),
                         f"{int(med[1]['spikes'])} / {int(med[2]['spikes'])}", f"{min(loads):.2f}-{max(loads):.2f}"])
            cases.append({"sim": sim, "n": n, "t_ms": t_ms, "model": args.model,
                          "runs": {str(t): rs for t, rs in runs[sim].items()}})
    table = H.print_table(f"network of {args.model}, {t_ms:g} ms, 1 against 2 threads, median of {repeats}",
                          ["simulator", "N", "sim 1 thread (s)", "sim 2 threads (s)", "speed-up",
                           "speed-up of each repeat", "sim CPU 1 thread (s)", "sim CPU 2 threads (s)",
                           "CPU 2 / 1 threads", "spikes (1 / 2 threads)", "load during runs"], rows)
    stamp = H.timestamp()
    H.save_json(args.out / f"threads-{args.model}-{stamp}.json", {"machine": info, "repeats": repeats, "cases": cases})
    (args.out / f"threads-{args.model}-latest.md").write_text(
        f"{info['date']}, {info.get('cpu_count')} cores ({info.get('cpu_model')})\n\n{table}\n")
    print(f"table: {args.out / f'threads-{args.model}-latest.md'}")


if __name__ == "__main__":
    main()
