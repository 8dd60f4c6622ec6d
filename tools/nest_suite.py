"""Run NEST's own pytest suite against eventsim and classify every test.

The suite shipped in the installed nest-simulator wheel runs in pytest subprocesses where
``import nest`` is eventsim (the shim in ``tools/nest_shim``).  Every test of the suite is
classified as

``pass``          it passes under eventsim (an expected failure of NEST's counts as a pass);
``fail``          it fails, errs, times out or cannot be collected under eventsim;
``deviation``     it fails by a deliberate, documented deviation from NEST
                  (:data:`nest_suite_deviations.DEVIATIONS`, with the reason);
``out_of_scope``  it needs something eventsim does not claim: a directory of
                  :data:`nest_suite_scope.OUT_OF_SCOPE_DIRS`, an MPI/threads marker, a node or
                  synapse model eventsim lacks (named in its code or raised as UnknownModelName),
                  ``nest.spatial``; or eventsim's run skips it or does not produce that
                  parametrisation (the suite's parametrisations follow build_info and models).

and carries its outcome under real NEST (``pass``/``fail``/``skip``/``timeout``, ``not_run`` for
the out-of-scope directories, ``unknown`` for tests NEST's run did not have), cached in the expected
file so that NEST need not run each time.  The directories out of scope are not run under
eventsim; their tests are listed from NEST's cached collection.

Usage (from the repository root)::

    python tools/nest_suite.py                  # run, print the table, write out/nest_suite_results.json
    python tools/nest_suite.py --check          # also fail (status 1) if a test expected to pass does not
    python tools/nest_suite.py --update         # accept the current classes into the expected file
    python tools/nest_suite.py --refresh-nest   # rerun the suite under NEST (slow) and cache its outcomes
    python tools/nest_suite.py --show other/test_create.py::test_create_model   # one test, full report
"""

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nest_suite_deviations as deviations  # noqa: E402
import nest_suite_run as runner  # noqa: E402
import nest_suite_scope as scope  # noqa: E402

EXPECTED = runner.REPO / "tests" / "nest_suite" / "expected.json"
RESULTS = Path("out") / "nest_suite_results.json"


def eventsim_model_lists():
    """eventsim's ``(node_models, synapse_models)``, read in a subprocess importing this repository."""
    code = ("import json, eventsim; print(json.dumps([list(eventsim.node_models), "
            "list(getattr(eventsim, 'synapse_models', ['static_synapse']))]))")
    env = runner._environment("eventsim")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    nodes, synapses = json.loads(proc.stdout.strip().splitlines()[-1])
    return set(nodes), set(synapses)


def nest_outcome(record):
    """NEST's outcome of one test record: pass, fail, skip or timeout (over the per-test limit)."""
    if record["outcome"] == "failed" and (record["exc"] or {}).get("type") in ("NestSuiteTimeout", "Hang"):
        return "timeout"
    return {"passed": "pass", "failed": "fail", "skipped": "skip"}[record["outcome"]]


def refresh_nest(expected, root, units, timeout_s, unit_timeout_s, jobs):
    """Run the suite under NEST and store its models and outcomes in `expected` (in place).

    The out-of-scope directories are only collected (outcome ``not_run``).
    """
    nodes, synapses, version = runner.nest_model_lists()
    raw = runner.run_suite(root, units, "nest", timeout_s=timeout_s, unit_timeout_s=unit_timeout_s, jobs=jobs,
                           collect_only=[u for u in units if scope.directory_reason(u)])
    fresh = nest_section(raw, nodes, synapses, version, timeout_s)
    old = expected.get("nest", {})
    for key in ("outcomes", "out_of_scope_markers"):  # keep the cached outcomes of the directories not rerun
        kept = {nid: v for nid, v in old.get(key, {}).items() if not _in_units(nid, units)}
        fresh[key] = dict(sorted({**kept, **fresh[key]}.items()))
    expected["nest"] = fresh


def nest_section(raw, nodes, synapses, version, timeout_s):
    """The expected file's ``nest`` section from a raw NEST run of :func:`runner.run_suite`."""
    outcomes = {nid: nest_outcome(rec) for nid, rec in raw["tests"].items()}
    for nid in raw["collected"]:
        # collected, never reported: not run (out-of-scope directory) or the process died in it
        outcomes.setdefault(nid, "not_run" if scope.directory_reason(nid) else "fail")
    markers = {nid: ",".join(sorted(set(m) & set(scope.OUT_OF_SCOPE_MARKERS))) for nid, m in raw["collected"].items()
               if scope.marker_reason(m)}
    return {"version": version, "per_test_cpu_limit_s": timeout_s, "node_models": nodes, "synapse_models": synapses,
            "outcomes": dict(sorted(outcomes.items())), "out_of_scope_markers": dict(sorted(markers.items())),
            "collect_errors": raw["collect_errors"]}


def runtime_reason(exc, missing):
    """Out-of-scope reason from a test's exception (unknown model, no nest.spatial), else None."""
    if not exc:
        return None
    message = exc["message"]
    if exc["type"] == "UnknownModelName" or "unknown model" in message.lower():
        named = sorted(m for m in missing if f"'{m}'" in message or f'"{m}"' in message or f" {m} " in f" {message} ")
        if named:
            return f"model {', '.join(named)} (UnknownModelName at run time)"
    if "attribute 'spatial'" in message or "nest.spatial" in message:
        return "spatial networks (nest.spatial)"
    return None


def classify(root, raw, nest, eventsim_models, units):
    """Class and reason of every test: ``{nodeid: {"class", "reason", "nest"}}``.

    `units` are the suite directories whose tests are listed: those run under eventsim, and
    the out-of-scope ones listed from NEST's cached collection.
    """
    nest_nodes, nest_syns = set(nest.get("node_models", [])), set(nest.get("synapse_models", []))
    missing_nodes = nest_nodes - eventsim_models[0]
    missing_syns = nest_syns - eventsim_models[1]
    nest_outcomes = nest.get("outcomes", {})
    ids = set(raw["tests"]) | set(raw["collected"])
    # NEST's tests that eventsim did not collect: files in error, parametrisations over NEST's
    # model list, and the out-of-scope directories, which are not run under eventsim at all
    ids |= {nid for nid in nest_outcomes if _in_units(nid, units)}
    ids |= {path for path in raw["collect_errors"] if not any(n.startswith(path + "::") for n in ids)}
    table = {}
    for nid in sorted(ids):
        table[nid] = _classify_one(root, nid, raw, nest, missing_nodes, missing_syns)
        table[nid]["nest"] = nest_outcomes.get(nid, "unknown")
    return table


def _in_units(nodeid, units):
    """True if the test's file lies in one of the suite directories `units`."""
    return any(nodeid.startswith(unit + "/") for unit in units)


def _classify_one(root, nid, raw, nest, missing_nodes, missing_syns):
    """Class and reason of the test `nid` (see :func:`classify`)."""
    reason = scope.directory_reason(nid)
    if reason:
        return {"class": "out_of_scope", "reason": f"directory: {reason}"}
    rec = raw["tests"].get(nid)
    if rec and rec["outcome"] == "passed":
        return {"class": "pass", "reason": "expected failure (xfail)" if rec.get("xfail") else ""}
    if rec and rec["outcome"] == "skipped":
        return {"class": "out_of_scope", "reason": f"skipped: {rec.get('skip_reason') or ''}"}
    markers = raw["collected"].get(nid) or nest.get("out_of_scope_markers", {}).get(nid, "").split(",")
    path = nid.split("::")[0]
    exc = rec["exc"] if rec else ({"type": "", "message": raw["collect_errors"][path]}
                                  if path in raw["collect_errors"] else None)
    reason = (scope.marker_reason(markers) or runtime_reason(exc, missing_nodes | missing_syns)
              or scope.code_reason(root, nid, missing_nodes, missing_syns))
    if reason:
        return {"class": "out_of_scope", "reason": reason}
    deliberate = deviations.deviation_reason(nid)
    if deliberate and rec:
        return {"class": "deviation", "reason": deliberate}
    if rec:
        exc = rec["exc"] or {}
        return {"class": "fail", "reason": f"{exc.get('type', '?')} in {exc.get('when', '?')}: {exc.get('message', '')}"}
    if path in raw["collect_errors"]:
        return {"class": "fail", "reason": f"collection error: {raw['collect_errors'][path]}"}
    unit_note = next((note for unit, note in raw["unit_errors"].items() if nid.startswith(unit + "/")), "")
    if nid not in raw["collected"] and not unit_note:
        # the test's own parametrisation, computed from eventsim's build_info and models, leaves it out
        return {"class": "out_of_scope", "reason": "parametrisation produced under NEST only (threads, a model "
                                                   "or a recordable eventsim lacks)"}
    return {"class": "fail", "reason": f"not run: {unit_note or 'no outcome reported'}"}


def summarise(table):
    """Counts per file and in total: tests, pass, fail, out_of_scope, NEST passes/fails, gap."""
    per_file = defaultdict(Counter)
    for nid, row in table.items():
        counts = per_file[nid.split("::")[0]]
        counts["tests"] += 1
        counts[row["class"]] += 1
        in_scope = row["class"] != "out_of_scope"
        counts["nest_pass"] += in_scope and row["nest"] == "pass"
        counts["nest_fail"] += in_scope and row["nest"] in ("fail", "skip", "timeout")
        counts["gap"] += row["class"] == "fail" and row["nest"] == "pass"
    total = sum(per_file.values(), Counter())
    return per_file, total


_COLUMNS = ("tests", "pass", "fail", "deviation", "out_of_scope", "nest_pass", "nest_fail", "gap")


def format_table(per_file, total):
    """Plain-text table, one row per file then the totals."""
    width = max([len(f) for f in per_file] + [5])
    head = f"{'file':{width}s} " + " ".join(f"{c:>12s}" for c in _COLUMNS)
    lines = [head, "-" * len(head)]
    for name in sorted(per_file):
        lines.append(f"{name:{width}s} " + " ".join(f"{per_file[name][c]:12d}" for c in _COLUMNS))
    lines += ["-" * len(head), f"{'total':{width}s} " + " ".join(f"{total[c]:12d}" for c in _COLUMNS)]
    return "\n".join(lines)


def compare(expected_classes, table):
    """(regressions, new passes, other changes) between the expected classes and `table`."""
    regressions = sorted(n for n, c in expected_classes.items() if c == "pass" and n in table
                         and table[n]["class"] != "pass")
    new_passes = sorted(n for n, row in table.items() if row["class"] == "pass" and expected_classes.get(n) != "pass")
    changed = sorted(n for n, row in table.items() if n in expected_classes and row["class"] != "pass"
                     and expected_classes[n] != "pass" and expected_classes[n] != row["class"])
    return regressions, new_passes, changed


def by_file(flat):
    """``{nodeid: value}`` as ``{file: {rest of nodeid: value}}`` (the stored form, shorter to read)."""
    grouped = defaultdict(dict)
    for nid, value in flat.items():
        path, _, rest = nid.partition("::")
        grouped[path][rest] = value
    return {path: dict(sorted(tests.items())) for path, tests in sorted(grouped.items())}


def flatten(grouped):
    """Inverse of :func:`by_file`."""
    return {f"{path}::{rest}" if rest else path: value for path, tests in grouped.items() for rest, value in tests.items()}


def load_expected(path):
    """The expected file with its per-test maps flattened to ``{nodeid: value}``; {} if it does not exist."""
    if not path.exists():
        return {}
    expected = json.loads(path.read_text(encoding="utf-8"))
    expected["eventsim"] = flatten(expected.get("eventsim", {}))
    for key in ("outcomes", "out_of_scope_markers"):
        if key in expected.get("nest", {}):
            expected["nest"][key] = flatten(expected["nest"][key])
    return expected


def save_expected(expected, path):
    """Write the expected file, per-test maps grouped by file, keys sorted, one test a line."""
    stored = dict(expected, eventsim=by_file(expected.get("eventsim", {})))
    if "nest" in expected:
        stored["nest"] = dict(expected["nest"], **{key: by_file(expected["nest"][key])
                                                   for key in ("outcomes", "out_of_scope_markers")
                                                   if key in expected["nest"]})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv=None):
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if a test expected to pass does not pass")
    parser.add_argument("--update", action="store_true", help="write the current classes into the expected file")
    parser.add_argument("--refresh-nest", action="store_true", help="rerun the suite under NEST and cache its outcomes")
    parser.add_argument("--units", nargs="+", metavar="DIR",
                        help="suite directories to run (default: all but the out-of-scope ones)")
    parser.add_argument("--timeout", type=float, default=20.0, help="per-test limit in seconds (default 20)")
    parser.add_argument("--nest-timeout", type=float, default=120.0, help="per-test limit under NEST (default 120)")
    parser.add_argument("--unit-timeout", type=float, default=1200.0,
                        help="wall-clock limit in seconds of one directory's pytest process (default 1200); "
                             "the test it is killed in fails and the rest of the directory runs again")
    parser.add_argument("--jobs", type=int, default=2, help="directories run at the same time (default 2)")
    parser.add_argument("--expected", type=Path, default=EXPECTED, help="expected-results file")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON results")
    parser.add_argument("--show", metavar="NODEID",
                        help="run only this test (e.g. other/test_create.py::test_create_model) under eventsim "
                             "with pytest's full report, and exit")
    parser.add_argument("--quiet", action="store_true", help="print the totals only, not the table per file")
    args = parser.parse_args(argv)

    root = runner.suite_dir()
    if args.show:
        return runner.show_test(root, args.show)
    all_units = runner.suite_units(root)
    units = args.units or [u for u in all_units if not scope.directory_reason(u)]
    unknown = sorted(set(units) - set(all_units))
    if unknown:
        parser.error(f"unknown suite directories {unknown}; choose from {all_units}")
    expected = load_expected(args.expected)

    start = time.perf_counter()
    if args.refresh_nest:
        print("running the suite under NEST ...")
        refresh_nest(expected, root, args.units or all_units, args.nest_timeout, args.unit_timeout, args.jobs)
    print("running the suite under eventsim ...")
    raw = runner.run_suite(root, units, "eventsim", timeout_s=args.timeout, unit_timeout_s=args.unit_timeout,
                           jobs=args.jobs)
    listed = units if args.units else all_units
    table = classify(root, raw, expected.get("nest", {}), eventsim_model_lists(), listed)
    per_file, total = summarise(table)
    seconds = time.perf_counter() - start

    if not args.quiet:
        print(format_table(per_file, total))
    print(f"tests {total['tests']}; in scope {total['pass'] + total['fail'] + total['deviation']}: "
          f"pass {total['pass']}, fail {total['fail']} ({total['gap']} of these pass under NEST), deliberate "
          f"deviation {total['deviation']}; NEST passes {total['nest_pass']} "
          f"of the in-scope tests; out of scope {total['out_of_scope']}; {seconds:.0f} s")
    reasons = Counter(row["reason"] for row in table.values() if row["class"] == "fail")
    print("most frequent failure reasons:")
    for reason, count in reasons.most_common(8):
        print(f"  {count:5d}  {reason[:150]}")

    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps({"summary": {c: total[c] for c in _COLUMNS}, "seconds": round(seconds, 1),
                                        "unit_seconds": raw["seconds"], "unit_errors": raw["unit_errors"],
                                        "files": {f: {c: n[c] for c in _COLUMNS} for f, n in sorted(per_file.items())},
                                        "tests": table}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"results written to {args.results}")

    expected_classes = expected.get("eventsim", {})
    regressions, new_passes, changed = compare(expected_classes, table)
    for nid in new_passes[:40]:
        print(f"new pass: {nid}")
    if len(new_passes) > 40:
        print(f"... {len(new_passes)} new passes in all (see {args.results})")
    if changed:
        print(f"{len(changed)} tests changed between fail and out_of_scope (accept with --update)")
    for nid in regressions:
        print(f"REGRESSION (expected pass): {nid}: {table[nid]['class']}: {table[nid]['reason']}")
    if args.update or args.refresh_nest:
        expected["eventsim"] = dict(sorted({**expected_classes, **{n: r["class"] for n, r in table.items()}}.items()))
        save_expected(expected, args.expected)
        print(f"expected results written to {args.expected}")
        return 0
    if args.check and regressions:
        print(f"{len(regressions)} tests expected to pass do not pass")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
