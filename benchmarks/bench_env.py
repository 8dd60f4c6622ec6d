"""The network case under different process environments: where the noise and the host dependence come from.

Runs ``workload_network.py`` (default N = 1000, 200 ms) for several
*variants*, each a simulator plus environment variables, in turns (the order
rotating every repeat), each run a fresh process, and reports per variant the
median and range of the ``Simulate`` wall and CPU time, the system CPU time,
minor/major page faults and involuntary context switches of the whole
process.  Two sets of variants:

``python benchmarks/bench_env.py noise``
    eventsim as is; eventsim with glibc's malloc told to keep freed memory
    (``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``:
    large numpy temporaries are then reused instead of being mapped, faulted in
    page by page and unmapped again for every chunk); eventsim without numpy's
    transparent-huge-page hint (``NUMPY_MADVISE_HUGEPAGE=0``); NEST.

``python benchmarks/bench_env.py host``
    eventsim as is; eventsim with numpy's SIMD kernels limited to its baseline,
    SSE4.2 (``NPY_DISABLE_CPU_FEATURES`` of every dispatch target this CPU has); eventsim
    with numba compiling for a generic x86-64 (``NUMBA_CPU_NAME=generic``,
    SSE2; numba compiles once more for it in the warm-up run); both; NEST.
    This emulates an older or smaller host on this one, to see how much of
    eventsim's speed, and so of the ratio to NEST's scalar C++, rides on
    vector units.

Writes ``benchmarks/results/env-<set>-<time>.json`` and ``env-<set>-latest.md``.
"""

import argparse
import statistics

import harness as H

SCRIPT = "workload_network.py"
#: Keep up to 1 GiB of freed memory in the heap: no mmap for numpy's temporaries, no trimming.
MALLOC_KEEP = {"MALLOC_MMAP_THRESHOLD_": str(1 << 30), "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
               "MALLOC_TOP_PAD_": str(64 << 20)}
def _numpy_dispatch_present(python):
    """numpy's run-time SIMD dispatch targets this CPU has (numpy 2.4 on x86: X86_V3 = AVX2/FMA3, X86_V4, ...).

    Disabling all of them (``NPY_DISABLE_CPU_FEATURES``) leaves numpy its
    compile-time baseline (x86-64-v2: up to SSE4.2), as on an older CPU.
    """
    import subprocess
    code = ("import numpy._core._multiarray_umath as m; f = m.__cpu_features__; "
            "print(' '.join(k for k in m.__cpu_dispatch__ if f.get(k)))")
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def variants(which, python):
    """[(label, sim, extra environment)] of a set."""
    if which == "noise":
        return [("eventsim", "eventsim", {}),
                ("eventsim, malloc keeps freed memory", "eventsim", MALLOC_KEEP),
                ("eventsim, NUMPY_MADVISE_HUGEPAGE=0", "eventsim", {"NUMPY_MADVISE_HUGEPAGE": "0"}),
                ("NEST", "nest", {})]
    avx = " ".join(_numpy_dispatch_present(python))
    return [("eventsim", "eventsim", {}),
            (f"eventsim, numpy without {avx or 'AVX (none here)'}", "eventsim", {"NPY_DISABLE_CPU_FEATURES": avx}),
            ("eventsim, numba for generic x86-64", "eventsim", {"NUMBA_CPU_NAME": "generic"}),
            ("eventsim, both", "eventsim", {"NPY_DISABLE_CPU_FEATURES": avx, "NUMBA_CPU_NAME": "generic"}),
            ("NEST", "nest", {})]


def main(argv=None):
    import os
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("which", choices=("noise", "host"))
    H.add_common_arguments(parser, repeats=5)
    parser.add_argument("--n", type=int, default=1000, help="neurons (default 1000)")
    parser.add_argument("--t", type=float, default=200.0, help="simulated ms (default 200)")
    args = parser.parse_args(argv)
    info = H.machine_info(args.python)
    cases = variants(args.which, args.python)
    wl_args = ["--n", args.n, "--t", args.t]
    print(f"{args.which}: N = {args.n}, {args.t:g} ms, {args.repeats} repeats; {H.host_line(info)}; "
          f"load {info['loadavg']}", flush=True)
    if not args.no_warmup:
        for label, sim, env in cases:
            H.run_child(args.python, SCRIPT, sim, ["--n", 10, "--t", 10], env={**os.environ, **env})
    runs = {label: [] for label, _, _ in cases}
    for k in range(args.repeats):
        order = cases[k % len(cases):] + cases[:k % len(cases)]
        for label, sim, env in order:
            r = H.run_child(args.python, SCRIPT, sim, wl_args, env={**os.environ, **env})
            runs[label].append(r)
            print(f"  [{k + 1}/{args.repeats}] {label:45s} sim {r['sim_s']:6.2f} s  sim CPU {r['sim_cpu_s']:6.2f} s"
                  f"  sys {r['sys_s']:5.2f} s  minflt {r['minflt']:8d}  majflt {r['majflt']:4d}"
                  f"  nivcsw {r['nivcsw']:6d}  load {r['loadavg']:.2f}", flush=True)
    rows = []
    ref = statistics.median(r["sim_cpu_s"] for r in runs[cases[0][0]])
    for label, _, _ in cases:
        rs = runs[label]

        def med(key, rs=rs):
            return statistics.median(r[key] for r in rs)

        def spread(key, rs=rs):
            vals = [r[key] for r in rs]
            return f"{min(vals):.2f}-{max(vals):.2f}"
        rows.append([label, med("sim_s"), spread("sim_s"), med("sim_cpu_s"), spread("sim_cpu_s"), med("sys_s"),
                     spread("sys_s"), int(med("minflt")), int(med("majflt")), int(med("nivcsw")),
                     H.ratio(med("sim_cpu_s"), ref), int(med("spikes"))])
    loads = [r["loadavg"] for rs in runs.values() for r in rs]
    header = ["variant", "Simulate (s)", "range", "Simulate CPU (s)", "range", "process system CPU (s)", "range",
              "minor faults", "major faults", "involuntary switches", "Simulate CPU / eventsim", "spikes"]
    table = H.print_table(f"{args.which}: N = {args.n}, {args.t:g} ms, median of {args.repeats}", header, rows)
    head = (f"bench_env {args.which}, {info['date']}; {H.host_line(info)}; load during runs "
            f"{min(loads):.2f}-{max(loads):.2f} (median {statistics.median(loads):.2f}); N = {args.n}, "
            f"{args.t:g} ms; median of {args.repeats} runs per variant. {H.source_note(info['eventsim_sources'])}")
    stamp = H.timestamp()
    H.save_json(args.out / f"env-{args.which}-{stamp}.json",
                {"machine": info, "variants": [(label, sim, env) for label, sim, env in cases], "runs": runs})
    (args.out / f"env-{args.which}-latest.md").write_text(f"{head}\n\n{table}\n")
    print(f"table: {args.out / f'env-{args.which}-latest.md'}")


if __name__ == "__main__":
    main()
