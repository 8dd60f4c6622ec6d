"""Set-up cost: Create of N glif_cond, the first Simulate(0.1) and a second one, eventsim or NEST.

The first Simulate derives every neuron's constants; the second, with nothing changed, reuses
them.  Run each simulator in its own process (NEST and eventsim do not share one)::

    python benchmarks/bench_setup.py                 # eventsim, N = 50000
    python benchmarks/bench_setup.py --nest          # NEST 3.10, the same
    python benchmarks/bench_setup.py --n 100000

Prints one line of wall-clock times (s).
"""

import argparse
import time


def main():
    """Time Create, the first and a second Simulate(0.1) of N glif_cond neurons; print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50000, help="number of glif_cond neurons")
    parser.add_argument("--nest", action="store_true", help="run NEST instead of eventsim")
    args = parser.parse_args()
    if args.nest:
        import nest
        nest.set_verbosity("M_ERROR")
        name = "NEST"
    else:
        import eventsim as nest
        name = "eventsim"
    t0 = time.perf_counter()
    nest.Create("glif_cond", args.n)
    t1 = time.perf_counter()
    nest.Simulate(0.1)
    t2 = time.perf_counter()
    nest.Simulate(0.1)
    t3 = time.perf_counter()
    print(f"{name}: N = {args.n}: Create {t1 - t0:.3f} s, first Simulate(0.1) {t2 - t1:.3f} s, "
          f"second {t3 - t2:.3f} s")


if __name__ == "__main__":
    main()
