"""Which part of eventsim's network run is serial: CPU time per component, and how much of it runs in slices.

    python benchmarks/profile_serial.py --n 10000 --t 200          # one thread: the share p that threads split
    python benchmarks/profile_serial.py --n 1000 --t 1000

Runs ``workload_network.py --sim eventsim`` in this process with one thread and wraps a few
functions of the kernel and the models with timers of the calling thread's CPU time
(:func:`time.thread_time`): for each, the time inside it, the part of that spent in tasks
handed to :meth:`eventsim.workers.Workers.run` (the work that more threads split), and the
rest (what stays in the main thread whatever the thread count).  The ``Simulate`` row gives
p, the sliced share, and Amdahl's bound ``1 / ((1 - p) + p / 2)`` on the speed-up with two
threads.  The timers cost about a microsecond per call, negligible at these call counts; a
function that a model no longer has is left out.
"""

import argparse
import collections
import importlib
import runpy
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

#: (module, class or None, function, label); indentation of the label shows nesting.
COMPONENTS = [
    ("eventsim.kernel", "Kernel", "simulate", "Simulate"),
    ("eventsim.nodes.glif_cond", "GlifCond", "advance", "  glif_cond advance"),
    ("eventsim.nodes.glif_cond", "GlifCond", "_whole_chunk", "    one task per slice (input, conductances, coefficients, steps)"),
    ("eventsim.messages", "Inbox", "take", "    Inbox.take"),
    ("eventsim.nodes.glif_cond", "GlifCond", "_conductances", "    conductances"),
    ("eventsim.nodes.glif_cond", "GlifCond", "_coefficients", "    membrane coefficients"),
    ("eventsim.nodes.glif_base", "GlifBase", "_run_steps", "    step loop"),
    ("eventsim.nodes.glif_base", "GlifBase", "_send_found", "    spikes out (deliver, record)"),
    ("eventsim.kernel", "Kernel", "send_samples", "    multimeter samples"),
    ("eventsim.nodes.poisson_generator", "PoissonGenerator", "advance", "  poisson_generator advance"),
    ("eventsim.nodes.connection_streams", "ConnectionStreams", "poisson", "    draws"),
    ("eventsim.nodes.base", "Population", "receive_per_connection", "    deposits into the inbox"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="network size (default 10000)")
    parser.add_argument("--t", type=float, default=200.0, help="simulated time in ms (default 200)")
    args = parser.parse_args()

    from eventsim import workers
    sliced = [0.0]
    run = workers.Workers.run

    def timed_run(self, task, n, min_width=1):
        t0 = time.thread_time()
        try:
            return run(self, task, n, min_width)
        finally:
            sliced[0] += time.thread_time() - t0
    workers.Workers.run = timed_run

    totals = collections.OrderedDict()
    for module, cls, name, label in COMPONENTS:
        owner = importlib.import_module(module)
        owner = getattr(owner, cls) if cls else owner
        func = owner.__dict__.get(name)
        if func is None:
            continue
        totals[label] = [0.0, 0.0, 0]

        def timed(*a, _func=func, _entry=totals[label], **k):
            t0, s0 = time.thread_time(), sliced[0]
            try:
                return _func(*a, **k)
            finally:
                _entry[0] += time.thread_time() - t0
                _entry[1] += sliced[0] - s0
                _entry[2] += 1
        setattr(owner, name, timed)

    sys.argv = [str(BENCH_DIR / "workload_network.py"), "--sim", "eventsim", "--n", str(args.n), "--t", f"{args.t:g}",
                "--threads", "1"]
    runpy.run_path(sys.argv[0], run_name="__main__")
    print(f"\n| component (N = {args.n}, {args.t:g} ms, 1 thread) | CPU (s) | in sliced tasks (s) | serial (s) | calls |")
    print("|---|---|---|---|---|")
    for label, (inc, sl, n) in totals.items():
        print(f"| {label.replace('  ', '&nbsp;&nbsp;')} | {inc:.3f} | {sl:.3f} | {inc - sl:.3f} | {n} |")
    inc, sl, _ = totals["Simulate"]
    p = sl / inc
    print(f"\nsliced share p = {p:.3f}; Amdahl's bound with 2 threads 1 / ((1 - p) + p / 2) = {1 / ((1 - p) + p / 2):.2f}x")


if __name__ == "__main__":
    main()
