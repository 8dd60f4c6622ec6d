"""pytest plugin used by ``tools/nest_suite.py`` inside the pytest run of NEST's test suite.

Loaded with ``-p nest_suite_plugin``; it works the same under real NEST and under eventsim
through the ``nest`` shim.  It adds two options:

``--nest-suite-log PATH``
    Append one JSON object per line to PATH: ``{"kind": "collected", ...}`` for every
    collected test (with its marker names), ``{"kind": "test", ...}`` with the outcome of
    every test once its teardown is over, ``{"kind": "collect_error", ...}`` for every file
    that could not be collected.  Lines are flushed as they are written, so the log survives
    a crash or a kill of the run.
``--nest-suite-timeout SECONDS``
    Per-test limit of CPU time (setup + call + teardown), enforced with ``SIGPROF``: a test
    over it fails with :class:`NestSuiteTimeout`.  CPU time rather than wall-clock time, so
    that a loaded machine does not fail slow tests; a test blocked without using CPU is
    caught by the runner's wall-clock limit on the whole pytest process instead.  0
    disables it.
``--nest-suite-deselect PATH``
    Deselect the tests whose node ids are listed in PATH, one a line (exact match), as the
    runner does when it restarts a pytest process that hung.
"""

import json
import signal
import time

import pytest


class NestSuiteTimeout(BaseException):
    """Raised in a test that ran longer than ``--nest-suite-timeout`` seconds.

    A BaseException, so that a test's own ``except Exception`` cannot swallow it.
    """


_OUTCOME_RANK = {"passed": 0, "skipped": 1, "failed": 2}


def pytest_addoption(parser):
    """Register ``--nest-suite-log`` and ``--nest-suite-timeout``."""
    group = parser.getgroup("nest_suite", "per-test outcomes for tools/nest_suite.py")
    group.addoption("--nest-suite-log", default=None, help="append JSON lines of per-test outcomes here")
    group.addoption("--nest-suite-timeout", type=float, default=0.0,
                    help="per-test CPU-time limit in seconds (0: none)")
    group.addoption("--nest-suite-deselect", default=None, help="file of node ids not to run, one a line")


def pytest_configure(config):
    """Open the log and register the recorder object."""
    path = config.getoption("--nest-suite-log")
    if path:
        config.pluginmanager.register(_Recorder(path, config.getoption("--nest-suite-timeout")), "nest_suite_recorder")


def pytest_collection_modifyitems(config, items):
    """Drop the tests listed in ``--nest-suite-deselect`` (runs before the recorder logs the rest)."""
    path = config.getoption("--nest-suite-deselect")
    if not path:
        return
    with open(path, encoding="utf-8") as f:
        skip = {line.strip() for line in f if line.strip()}
    config.hook.pytest_deselected(items=[item for item in items if item.nodeid in skip])
    items[:] = [item for item in items if item.nodeid not in skip]


def _short(text, limit=300):
    """First line of `text`, cut to `limit` characters."""
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line[:limit]


class _Recorder:
    """Collects the phases of each test and writes one line per test."""

    def __init__(self, path, timeout_s):
        self._file = open(path, "a", encoding="utf-8")
        self._timeout_s = timeout_s
        self._reports = {}

    def _write(self, record):
        self._file.write(json.dumps(record) + "\n")
        self._file.flush()

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items):
        """Log every collected test with the names of its markers."""
        for item in items:
            self._write({"kind": "collected", "nodeid": item.nodeid,
                         "markers": sorted({m.name for m in item.iter_markers()})})

    def pytest_collectreport(self, report):
        """Log files that failed to collect, with the error's last line."""
        if report.failed:
            text = str(report.longrepr).strip().splitlines()
            self._write({"kind": "collect_error", "nodeid": report.nodeid,
                         "message": (text[-1] if text else "")[:300]})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """Arm the per-test CPU-time alarm around setup, call and teardown."""
        armed = self._timeout_s > 0
        if armed:
            def on_alarm(signum, frame):
                raise NestSuiteTimeout(f"test used more than {self._timeout_s:g} s of CPU time")
            previous = signal.signal(signal.SIGPROF, on_alarm)
            signal.setitimer(signal.ITIMER_PROF, self._timeout_s)
        start = time.perf_counter()
        try:
            yield
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_PROF, 0)
                signal.signal(signal.SIGPROF, previous)
        phases = self._reports.pop(item.nodeid, [])
        self._write(self._summarise(item.nodeid, phases, time.perf_counter() - start))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        """Keep the exception type and message of each phase."""
        outcome = yield
        report = outcome.get_result()
        exc = None
        if call.excinfo is not None and not report.skipped:
            exc = {"type": call.excinfo.type.__name__, "message": _short(call.excinfo.value)}
        skip_reason = None
        if report.skipped and isinstance(report.longrepr, tuple):
            skip_reason = _short(report.longrepr[2])
        self._reports.setdefault(item.nodeid, []).append(
            {"when": report.when, "outcome": report.outcome, "exc": exc, "skip_reason": skip_reason,
             "wasxfail": hasattr(report, "wasxfail")})

    @staticmethod
    def _summarise(nodeid, phases, duration_s):
        """One outcome for the test: the worst of its phases (xfail counts as passed)."""
        outcome, exc, skip_reason, xfail = "passed", None, None, False
        for phase in phases:
            xfail = xfail or phase["wasxfail"]
            if phase["wasxfail"]:
                continue  # an expected failure (xfailed) or an unexpected pass: NEST's own verdict holds
            if _OUTCOME_RANK[phase["outcome"]] > _OUTCOME_RANK[outcome]:
                outcome, exc, skip_reason = phase["outcome"], phase["exc"], phase["skip_reason"]
                exc = dict(exc, when=phase["when"]) if exc else None
        if not phases:
            outcome = "failed"
        return {"kind": "test", "nodeid": nodeid, "outcome": outcome, "exc": exc, "skip_reason": skip_reason,
                "xfail": xfail, "duration_s": round(duration_s, 3)}

    def pytest_unconfigure(self, config):
        """Close the log."""
        self._file.close()
