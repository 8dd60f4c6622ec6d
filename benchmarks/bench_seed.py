"""Benchmark 1: the seed example (NEST's glif_cond paradigm), eventsim against NEST.

Five glif_cond neurons (the five GLIF levels), two spike generators, a step
current, a 15 kHz poisson_generator (600-900 ms) through a parrot neuron, a
multimeter on 8 recordables at 0.05 ms and a spike recorder; ``Simulate(1000)``.
The same script text (``workload_seed.py``) runs with ``import nest`` and with
``import eventsim as nest``, each run in a fresh process, alternately.

Reports medians of the ``Simulate`` time, the whole-process time (interpreter
start to exit), peak RSS, and their ratios eventsim/NEST, plus the spike counts
of both.  Raw results: ``benchmarks/results/seed-<time>.json`` and
``seed-latest.md``.

    python benchmarks/bench_seed.py              # 5 repeats (about 20 s)
    python benchmarks/bench_seed.py --quick      # 2 repeats
"""

import argparse
import statistics

import harness as H

SCRIPT = "workload_seed.py"
METRICS = [("sim_s", "Simulate(1000) (s)"), ("process_s", "whole process (s)"),
           ("cpu_s", "whole process CPU time (s)"),
           ("maxrss_mib", "peak RSS (MiB)"),
           ("startup_s", "interpreter start-up (s)"), ("import_s", "import nest / eventsim (s)"),
           ("build_s", "Create + Connect (s)"), ("read_s", "read events (s)"), ("exit_s", "exit (s)")]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    H.add_common_arguments(parser, repeats=5)
    args = parser.parse_args(argv)
    repeats = 2 if args.quick and args.repeats == 5 else args.repeats

    info = H.machine_info(args.python)
    print(f"seed benchmark: {repeats} repeats; {info.get('cpu_count')} cores, load {info['loadavg']}", flush=True)
    if not args.no_warmup:
        H.warm_up(args.python, SCRIPT)
    runs = H.measure_pair(args.python, SCRIPT, [], repeats, label="seed ")
    summary = H.summarize(runs, keys=[k for k, _ in METRICS])
    load_after = H.load_average()
    changed = H.source_note(info["eventsim_sources"])

    rows = [[label, summary["eventsim"][k], summary["nest"][k], summary["ratio"][k]] for k, label in METRICS]
    table = H.print_table(f"seed example, median of {repeats} runs per simulator",
                          ["", "eventsim", "NEST", "ratio eventsim/NEST"], rows)
    spikes = {sim: runs[sim][0]["spikes_per_neuron"] for sim in runs}
    spike_rows = [["spikes per neuron (lif, lif_r, lif_asc, lif_r_asc, lif_r_asc_a)",
                   ", ".join(map(str, spikes["eventsim"])), ", ".join(map(str, spikes["nest"]))],
                  ["total spikes", sum(spikes["eventsim"]), sum(spikes["nest"])],
                  ["multimeter events", runs["eventsim"][0]["mm_events"], runs["nest"][0]["mm_events"]]]
    spike_table = H.print_table("work done (first run of each)", ["", "eventsim", "NEST"], spike_rows)

    loads = [r["loadavg"] for rs in runs.values() for r in rs]
    head = (f"Seed example, {info['date']}; {H.host_line(info)}; "
            f"load average at start {info['loadavg'][0]:.2f}, during runs {min(loads):.2f}-{max(loads):.2f}, "
            f"at end {load_after[0]:.2f}; median of {repeats} runs per simulator; "
            f"NEST {info.get('nest')}, eventsim {info.get('eventsim')} (sources as of "
            f"{info['eventsim_sources']['mtime']}), Python {info.get('python')}. {changed}")
    stamp = H.timestamp()
    H.save_json(args.out / f"seed-{stamp}.json",
                {"machine": info, "load_after": load_after, "repeats": repeats, "runs": runs, "summary": summary})
    (args.out / "seed-latest.md").write_text(f"{head}\n\n{table}\n\n{spike_table}\n")
    print(f"table: {args.out / 'seed-latest.md'}")
    print(f"medians of load during runs: {statistics.median(loads):.2f}")


if __name__ == "__main__":
    main()
