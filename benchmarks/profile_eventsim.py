"""Where eventsim's time goes: cProfile of a workload, summarised by component.

    python benchmarks/profile_eventsim.py seed                   # the seed example
    python benchmarks/profile_eventsim.py network --n 1000       # the network, N = 1000, 1000 ms
    python benchmarks/profile_eventsim.py imports                # import time per package, eventsim and NEST
    python benchmarks/profile_eventsim.py all                    # all three (what docs/performance.md quotes)

The workload script (``workload_seed.py`` / ``workload_network.py`` with
``--sim eventsim``) runs in a fresh process under :mod:`cProfile`, enabled
before anything is imported, so the profile covers the whole process from the
first import to exit (minus interpreter start-up).  Numba-compiled functions
and numpy's ``Generator`` methods are C calls that cProfile cannot see; in the
profiled process only, ``eventsim.nodes.glif_cond.run_steps`` is wrapped in a
one-line Python function of the same name so the step loop appears as an
entry of its own (one extra Python call per chunk).  Only the main thread is
profiled: run with one thread (the default).  eventsim itself is not modified.

``imports`` runs the seed workload of both simulators with ``python -X importtime``
and sums the modules' own import times per top-level package (importtime
itself inflates them somewhat; compare the two columns, not absolute values).

Prints, and writes to ``benchmarks/results/profile-<case>-latest.md``, a table of
named components (cumulative time and share of the profiled total) and the
top functions by own time; the raw ``.prof`` file is kept beside it for
``python -m pstats`` or snakeviz.  cProfile adds overhead per Python call, so
Python-heavy parts look somewhat larger than in an unprofiled run.
"""

import argparse
import cProfile
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

from harness import checkout_env

REPO = Path(__file__).resolve().parents[1]

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

#: Components: label -> list of (file suffix, function name) whose cumulative times are added.
#: They overlap (e.g. Simulate contains everything below it); the share is of the profiled total.
COMPONENTS = [
    ("imports (all `import` statements: numpy, scipy.integrate, numba, simpy, ...)",
     [("<frozen importlib._bootstrap>", "_find_and_load")]),
    ("  of which scipy.integrate (only with glif_cond.QUIET_INTEGRATOR = 'solve_ivp')",
     [("scipy/integrate/__init__.py", "<module>")]),
    ("  of which numba", [("numba/__init__.py", "<module>")]),
    ("Create + Connect (api)", [("eventsim/api.py", "Create"), ("eventsim/api.py", "Connect")]),
    ("  of which loading numba's cached step loop (glif_cond_steps.warm_up)",
     [("nodes/glif_cond_steps.py", "warm_up")]),
    ("Simulate (api, everything of the run)", [("eventsim/api.py", "Simulate")]),
    ("  SimPy scheduling (env.run minus the population advances)", "simpy"),
    ("  glif_cond advance (all of it)", [("nodes/glif_cond.py", "advance")]),
    ("    one task per neuron slice: input, conductances, coefficients, step loop (_whole_chunk)",
     [("nodes/glif_cond.py", "_whole_chunk")]),
    ("      deposits applied to the inbox (Inbox.take_in_slices's fill)", [("eventsim/messages.py", "fill")]),
    ("      conductances in closed form (alpha_conductances)", [("nodes/glif_cond.py", "_conductance_slice")]),
    ("      quadrature or closed form per step (MembranePropagator.gauss_legendre_into)",
     [("nodes/conductance_membrane.py", "gauss_legendre_into")]),
    ("      adaptive quadrature of stiff steps (_adaptive)", [("nodes/glif_cond.py", "_adaptive")]),
    ("      solve_ivp pieces (MembranePropagator.solver)", [("nodes/conductance_membrane.py", "solver")]),
    ("        of which scipy solve_ivp", [("scipy/integrate/_ivp/ivp.py", "solve_ivp")]),
    ("    numba step loop (glif_cond_steps.run_steps)", [("profile_eventsim.py", "run_steps")]),
    ("    multimeter samples (_send_samples)", [("nodes/glif_base.py", "_send_samples")]),
    ("    send spikes to targets (Kernel.send_spikes)", [("eventsim/kernel.py", "send_spikes")]),
    ("  poisson_generator advance (draws + deposits)", [("nodes/poisson_generator.py", "advance")]),
    ("    Poisson draws (ConnectionStreams.poisson)", [("nodes/connection_streams.py", "poisson")]),
    ("  inbox deposits, all sources (receive_spikes + Inbox.add_dense)",
     [("nodes/base.py", "receive_spikes"), ("eventsim/messages.py", "add_dense")]),
    ("  parrot / spike / current generators advance", [("nodes/parrot_neuron.py", "advance"),
                                                       ("nodes/spike_generator.py", "advance"),
                                                       ("nodes/step_current_generator.py", "advance")]),
    ("read recordings (events)", [("recorders/base.py", "events"), ("recorders/multimeter.py", "events"),
                                  ("recorders/spike_recorder.py", "events"), ("eventsim/nodecollection.py", "events")]),
]


# ----------------------------------------------------------------------------------------------
# child: run the workload under cProfile
# ----------------------------------------------------------------------------------------------
def _child(prof_path, workload_argv):
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    import eventsim.nodes.glif_cond as glif_module           # imported under the profiler: counted with the imports

    compiled = glif_module.run_steps

    def run_steps(*args):                           # visible to cProfile; the name is what the summary looks for
        return compiled(*args)

    glif_module.run_steps = run_steps

    import runpy
    sys.argv = workload_argv
    try:
        runpy.run_path(workload_argv[0], run_name="__main__")
    finally:
        profiler.disable()
        profiler.dump_stats(prof_path)
        print(f"@@PROFILE wall {time.perf_counter() - t0:.3f}", flush=True)


# ----------------------------------------------------------------------------------------------
# parent: summarise
# ----------------------------------------------------------------------------------------------
def _find(stats, file_suffix, func):
    """(cumtime, tottime, calls) summed over entries matching file suffix and function name."""
    cum = tot = calls = 0.0
    for (filename, _line, name), (cc, nc, tt, ct, _callers) in stats.stats.items():
        if name == func and (filename.endswith(file_suffix) or file_suffix == filename):
            cum, tot, calls = cum + ct, tot + tt, calls + nc
    return cum, tot, calls


def _simpy_overhead(stats):
    """Cumulative time of simpy's Environment.run minus the advance() calls of all populations."""
    run_cum = sum(ct for (f, _l, n), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
                  if n == "run" and "simpy" in f and f.endswith("core.py"))
    adv = sum(ct for (f, _l, n), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
              if n == "advance" and ("/nodes/" in f or "/recorders/" in f))
    return max(0.0, run_cum - adv)


def summarize(prof_path, wall, title):
    """Markdown summary of a profile: components and the top functions by own time."""
    stats = pstats.Stats(str(prof_path))
    total = stats.total_tt
    lines = [f"### {title}", "",
             f"Profiled total {total:.2f} s (wall-clock of the profiled process {wall:.2f} s, "
             f"with cProfile overhead).", "",
             "| component | cumulative (s) | share | calls |", "|---|---|---|---|"]
    for label, spec in COMPONENTS:
        if spec == "simpy":
            cum, calls = _simpy_overhead(stats), ""
        else:
            parts = [_find(stats, f, n) for f, n in spec]
            cum = sum(p[0] for p in parts)
            calls = int(sum(p[2] for p in parts))
        lines.append(f"| {label.replace('  ', '&nbsp;&nbsp;')} | {cum:.3f} | {100 * cum / total:.1f} % | {calls} |")
    lines += ["", "Top 15 functions by own time (tottime):", "",
              "| function | own (s) | share | cumulative (s) | calls |", "|---|---|---|---|---|"]
    entries = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    for (filename, line, name), (_cc, nc, tt, ct, _c) in entries:
        where = filename.split("site-packages/")[-1].split(f"{REPO}/")[-1]
        label = f"`{name}` ({where}:{line})" if filename != "~" else f"`{name}`"
        lines.append(f"| {label} | {tt:.3f} | {100 * tt / total:.1f} % | {ct:.3f} | {nc} |")
    return "\n".join(lines) + "\n"


def profile_case(case, workload_argv, python, out):
    out.mkdir(parents=True, exist_ok=True)
    prof = out / f"profile-{case}.prof"
    cmd = [python, str(Path(__file__).resolve()), "--child", str(prof), "--", *workload_argv]
    res = subprocess.run(cmd, capture_output=True, text=True, cwd=BENCH_DIR.parent,
                         env=checkout_env({**os.environ, "PYNEST_QUIET": "1"}))
    if res.returncode != 0:
        raise SystemExit(f"profiled run failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    wall = float([ln for ln in res.stdout.splitlines() if ln.startswith("@@PROFILE")][-1].split()[-1])
    bench = [ln for ln in res.stdout.splitlines() if ln.startswith("@@BENCH")]
    title = f"eventsim, {case}: {' '.join(workload_argv[1:])}"
    text = summarize(prof, wall, title)
    if bench:
        text += f"\nWorkload report: `{bench[-1][len('@@BENCH '):]}`\n"
    print(text)
    (out / f"profile-{case}-latest.md").write_text(text)
    print(f"profile: {prof}  summary: {out / f'profile-{case}-latest.md'}")


def import_breakdown(python, out, top=12):
    """Own import time per top-level package (``-X importtime``) of the seed workload, both simulators."""
    per_sim = {}
    for sim in ("eventsim", "nest"):
        res = subprocess.run([python, "-X", "importtime", str(BENCH_DIR / "workload_seed.py"), "--sim", sim],
                             capture_output=True, text=True, cwd=BENCH_DIR.parent,
                             env=checkout_env({**os.environ, "PYNEST_QUIET": "1"}))
        agg = {}
        for line in res.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
            if m:
                pkg = m[3].split(".")[0]
                agg[pkg] = agg.get(pkg, 0.0) + int(m[1]) * 1e-6
        per_sim[sim] = agg
    names = sorted(set(per_sim["eventsim"]) | set(per_sim["nest"]),
                   key=lambda k: -max(per_sim["eventsim"].get(k, 0), per_sim["nest"].get(k, 0)))[:top]
    lines = ["### Import time per top-level package (seed workload, `python -X importtime`)", "",
             "| package | eventsim (s) | NEST (s) |", "|---|---|---|"]
    lines += [f"| {k} | {per_sim['eventsim'].get(k, 0):.3f} | {per_sim['nest'].get(k, 0):.3f} |" for k in names]
    lines.append(f"| **all modules** | {sum(per_sim['eventsim'].values()):.3f} | {sum(per_sim['nest'].values()):.3f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out.mkdir(parents=True, exist_ok=True)
    (out / "profile-imports-latest.md").write_text(text)
    print(f"summary: {out / 'profile-imports-latest.md'}")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        return _child(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("case", choices=("seed", "network", "imports", "all"))
    parser.add_argument("--n", type=int, default=1000, help="network size (default 1000)")
    parser.add_argument("--t", type=float, default=1000.0, help="network simulated time in ms (default 1000)")
    parser.add_argument("--python", default=sys.executable, help="interpreter (default: this one)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help=f"output folder (default {RESULTS_DIR})")
    args = parser.parse_args(argv)
    # one unprofiled run first, so numba's cache of the step loop is populated (a first-ever run compiles)
    subprocess.run([args.python, str(BENCH_DIR / "workload_network.py"), "--sim", "eventsim", "--n", "10",
                    "--t", "10"], capture_output=True, check=True, cwd=BENCH_DIR.parent, env=checkout_env(os.environ))
    if args.case in ("seed", "all"):
        profile_case("seed", [str(BENCH_DIR / "workload_seed.py"), "--sim", "eventsim"], args.python, args.out)
    if args.case in ("network", "all"):
        profile_case(f"network-N{args.n}", [str(BENCH_DIR / "workload_network.py"), "--sim", "eventsim",
                                            "--n", str(args.n), "--t", f"{args.t:g}"], args.python, args.out)
    if args.case in ("imports", "all"):
        import_breakdown(args.python, args.out)


if __name__ == "__main__":
    main()
