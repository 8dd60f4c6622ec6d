"""Run the whole benchmark suite: seed, network, scaling, then the eventsim profiles.

    python benchmarks/run_all.py            # full suite as quoted in docs/performance.md (~15 min on 2 cores)
    python benchmarks/run_all.py --quick    # smoke test of every script (~3 min)
    python benchmarks/run_all.py --docs     # also copy the scaling figure to docs/performance_scaling.png

Each step is its own script in a subprocess (see their ``--help``); tables and
raw results land in ``benchmarks/results/`` (``*-latest.md`` are the newest tables).
"""

import argparse
import subprocess
import sys
import time

from harness import BENCH_DIR, load_average


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    parser.add_argument("--docs", action="store_true", help="copy the scaling figure into docs/")
    parser.add_argument("--python", default=sys.executable, help="interpreter (default: this one)")
    args = parser.parse_args(argv)
    quick = ["--quick"] if args.quick else []
    steps = [
        ["bench_seed.py", *quick],
        ["bench_network.py", *quick],
        ["bench_scaling.py", *quick, *(["--docs"] if args.docs else [])],
        ["bench_closed_loop.py", *quick],
        ["profile_eventsim.py", "all", *(["--t", "200"] if args.quick else [])],
    ]
    t0 = time.perf_counter()
    for step in steps:
        print(f"\n=== {' '.join(step)}   (load {load_average()[0]:.2f}, {time.perf_counter() - t0:.0f} s elapsed)",
              flush=True)
        subprocess.run([args.python, str(BENCH_DIR / step[0]), *step[1:], "--python", args.python], check=True)
    print(f"\nsuite done in {time.perf_counter() - t0:.0f} s, load {load_average()}")


if __name__ == "__main__":
    main()
