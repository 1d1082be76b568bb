"""The hidden tests, in the judge: pytest on ``grading/``, student code only through the worker.

The judge never imports student code (``import cs231n_lite`` is refused in
this process); ``hidden_helpers.student`` reaches the worker through
:func:`current_worker`. Each test gets the rubric's ``timeout`` (requests
to the worker wait until then; an alarm covers the judge's own code) and
never more than the submission's remaining budget. Result per test id:
``{"outcome": "passed" | "failed", "reason": ...}``.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..outcomes import classify, clean
from .failures import WorkerTimeout

_WORKER = None
GRACE = 2.0  # seconds the judge's alarm waits beyond a test's deadline


def current_worker():
    """The running submission's worker (None outside `grade`)."""
    return _WORKER


class NoStudentImports:
    """A meta-path finder: the judge refuses to import the submission's package."""

    def find_spec(self, name, path=None, target=None):
        if name == "cs231n_lite" or name.startswith("cs231n_lite."):
            raise ImportError("hidden tests must not import cs231n_lite (the judge never runs "
                              "student code); use hidden_helpers.student(...)")
        return None


@dataclass
class HiddenResult:
    results: dict = field(default_factory=dict)  # nodeid -> {"outcome", "reason"}
    collect_errors: dict = field(default_factory=dict)  # file -> reason
    stop_reason: str = ""
    error: str = ""  # pytest itself could not run (a grader problem, not the student's)


def _alarm(signum, frame):
    raise WorkerTimeout(_Recorder.current_seconds)


class _Recorder:
    """pytest plugin: deadlines per test, one result per test."""

    current_seconds = 0.0

    def __init__(self, worker, limits, deadline: float, result: HiddenResult):
        self.worker, self.limits, self.deadline, self.result = worker, limits, deadline, result

    def _budget_text(self) -> str:
        return f"not graded: the submission's time budget ({self.limits.budget:g} s) ran out"

    def pytest_runtest_setup(self, item):
        import pytest

        remaining = self.deadline - time.monotonic()
        if remaining < 0.5:
            self.result.stop_reason = self._budget_text()
            pytest.skip(self._budget_text())
        _Recorder.current_seconds = min(self.limits.timeout, remaining)
        self.worker.set_deadline(self.limits.timeout, self.deadline)
        signal.setitimer(signal.ITIMER_REAL, _Recorder.current_seconds + GRACE)

    def pytest_runtest_teardown(self, item, nextitem):
        signal.setitimer(signal.ITIMER_REAL, 0)
        self.worker.end_test()

    def pytest_runtest_makereport(self, item, call):
        if call.when == "setup" and call.excinfo is None or item.nodeid in self.result.results:
            return
        if call.when == "teardown" and call.excinfo is None:
            return
        signal.setitimer(signal.ITIMER_REAL, 0)
        if call.excinfo is None:
            self.result.results[item.nodeid] = {"outcome": "passed", "reason": ""}
            return
        self.result.results[item.nodeid] = {"outcome": "failed", "reason": self._reason(call.excinfo.value)}

    def _reason(self, exc) -> str:
        if type(exc).__name__ in ("Skipped", "XFailed"):
            text = clean(getattr(exc, "msg", "") or str(exc) or "skipped")
            return text if text == self._budget_text() else "not run: " + text
        _, reason = classify(exc, None, timeout=_Recorder.current_seconds, memory=self.limits.memory)
        return reason

    def pytest_collectreport(self, report):
        if report.failed:
            text = str(report.longrepr)
            lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
            self.result.collect_errors[report.nodeid] = "crashed: " + clean(lines[-1] if lines else text)


def run(grading_dir: Path, worker, limits, deadline: float, ini: Path) -> HiddenResult:
    """Run the hidden tests of ``grading_dir`` in this process against ``worker``."""
    import pytest

    global _WORKER
    _WORKER, result = worker, HiddenResult()
    sys.dont_write_bytecode = True  # no __pycache__ in the instructor's grading/
    sys.meta_path.insert(0, NoStudentImports())
    signal.signal(signal.SIGALRM, _alarm)
    ini.write_text("[pytest]\n")
    args = [str(grading_dir), "-q", "-p", "no:cacheprovider", "-c", str(ini), "--rootdir",
            str(grading_dir), "--confcutdir", str(grading_dir), "-o", "addopts="]
    try:
        code = pytest.main(args, plugins=[_Recorder(worker, limits, deadline, result)])
        if code in (pytest.ExitCode.INTERRUPTED, pytest.ExitCode.INTERNAL_ERROR,
                    pytest.ExitCode.USAGE_ERROR):
            result.error = f"error: the hidden tests could not run (pytest exit code {int(code)})"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _WORKER = None
    return result
