"""Progress reporting for long runs.

On an interactive terminal ``Simulate`` shows a tqdm progress bar; otherwise it
is silent unless the user asks for reports, in the manner of Brian2's
``report=``: ``"text"`` prints a line per period to stdout, ``"stderr"`` to
stderr, and a callable is called as ``report(elapsed, completed, start,
duration)`` with wall-clock seconds elapsed, the completed fraction (0..1) and
the start and length of the ``Simulate`` call in ms.
"""

import sys
import time

__all__ = ["ProgressReporter"]


class ProgressReporter:
    """Reports the progress of one ``Simulate`` call from a SimPy process.

    Parameters
    ----------
    kernel : eventsim.kernel.Kernel
    t_start, t_end : int
        First and last step of the call.
    report : None, str or callable
        ``None`` (progress bar on a terminal, else nothing), ``"bar"``, ``"text"``,
        ``"stderr"`` or a callable.
    period : float
        Seconds of wall-clock time between reports (text and callables).
    """

    def __init__(self, kernel, t_start, t_end, report, period):
        self.kernel = kernel
        self.t_start, self.t_end = t_start, t_end
        self.report = report
        self.period = period
        self._bar = None
        self._wall0 = None
        self._last = None

    def _mode(self):
        if self.report is None:
            return "bar" if sys.stderr.isatty() else None
        return self.report

    def start(self):
        """Begin reporting (starts a SimPy process waking every 1 % of the run)."""
        mode = self._mode()
        if mode is None:
            return
        self._wall0 = self._last = time.perf_counter()
        if mode == "bar":
            from tqdm import tqdm
            h = self.kernel.resolution
            self._bar = tqdm(total=round((self.t_end - self.t_start) * h, 6), unit="ms", desc="Simulate",
                             leave=False, mininterval=0.5)
        self.kernel.env.process(self._run())

    def _run(self):
        env = self.kernel.env
        n = self.t_end - self.t_start
        tick = max(1, n // 100)
        while env.now < self.t_end:
            yield env.timeout(min(tick, self.t_end - env.now))
            self._emit(final=False)

    def _emit(self, final):
        h = self.kernel.resolution
        done = min(self.kernel.env.now, self.t_end) - self.t_start
        n = self.t_end - self.t_start
        now = time.perf_counter()
        if self._bar is not None:
            self._bar.n = round(done * h, 6)
            self._bar.refresh()
            return
        if not final and now - self._last < self.period:
            return
        self._last = now
        elapsed, frac = now - self._wall0, done / n
        if callable(self.report):
            self.report(elapsed, frac, self.t_start * h, n * h)
        else:
            stream = sys.stderr if self.report == "stderr" else sys.stdout
            print(f"{done * h:.1f} ms ({100 * frac:.0f} %) simulated in {elapsed:.2f} s", file=stream)

    def finish(self, quiet=False):
        """Close the bar or send the final report (none if `quiet`, after an interrupted run)."""
        if self._wall0 is None:
            return
        if self._bar is not None:
            self._bar.close()
        elif not quiet:
            self._emit(final=True)
