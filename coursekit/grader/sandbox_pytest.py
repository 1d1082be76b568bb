"""pytest inside a sandbox, reporting one JSON line per event (run by `grade`).

    python -s -m coursekit.grader.sandbox_pytest --results FILE --student DIR \
        [--item-timeout S] [--memory MB] [--allow-spawn] -- PYTEST ARGS...

Before any student code loads it installs the write guard
(:mod:`coursekit.grader.guard`), puts the student's folder first on ``sys.path`` and
checks that ``cs231n_lite`` resolves there (never to the instructor's
installed reference). Each test runs under an alarm of ``--item-timeout``
seconds. Events: ``start``, ``result`` (nodeid, outcome, kind, reason, cell),
``collect_error``, ``error``, ``done``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import signal
import sys
from pathlib import Path


class ItemTimeout(BaseException):
    """The per-test alarm; a BaseException so `except Exception` cannot swallow it."""


class Recorder:
    """pytest plugin: alarm per test, one JSON line per event."""

    def __init__(self, results, package_dir: Path, timeout: float, memory: int | None):
        self.out = results  # an open text file
        self.package_dir, self.timeout, self.memory = package_dir, timeout, memory
        self.reported = set()

    def write(self, **event) -> None:
        self.out.write(json.dumps(event) + "\n")
        self.out.flush()

    def _arm(self) -> None:
        if self.timeout:
            signal.setitimer(signal.ITIMER_REAL, self.timeout)

    @staticmethod
    def _disarm() -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)

    # -- hooks ---------------------------------------------------------------
    def pytest_runtest_logstart(self, nodeid, location):
        self.write(event="start", nodeid=nodeid)

    def pytest_runtest_setup(self, item):
        self._arm()

    def pytest_runtest_teardown(self, item):
        self._disarm()

    def pytest_runtest_makereport(self, item, call):
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            self._disarm()
            self._report(item, call)

    def _report(self, item, call) -> None:
        if item.nodeid in self.reported:
            return
        self.reported.add(item.nodeid)
        cell = getattr(item, "cell_num", None)
        if call.excinfo is None:
            self.write(event="result", nodeid=item.nodeid, outcome="passed", kind="", reason="", cell=cell)
            return
        exc = call.excinfo.value
        kind, reason = self._classify(exc)
        outcome = "skipped" if kind == "skipped" else "failed"
        self.write(event="result", nodeid=item.nodeid, outcome=outcome, kind=kind, reason=reason, cell=cell)

    def _classify(self, exc):
        from ..outcomes import classify, classify_kernel_error, clean

        name = type(exc).__name__
        if name in ("Skipped", "XFailed"):
            return "skipped", "not run: " + clean(getattr(exc, "msg", "") or str(exc) or "skipped")
        if name == "NbCellError":
            return self._classify_cell(exc, classify_kernel_error, clean)
        return classify(exc, self.package_dir, timeout=self.timeout, memory=self.memory)

    def _classify_cell(self, exc, classify_kernel_error, clean):
        message, detail = str(exc), getattr(exc, "inner_traceback", "") or ""
        cell_timeout = getattr(self, "cell_timeout", self.timeout)
        if message.startswith("Timeout"):
            return "timed out", f"timed out after {cell_timeout:g} s"
        if message.startswith("Cell outputs differ"):
            return "wrong", "wrong: " + output_diff(detail)
        return classify_kernel_error(detail, timeout=cell_timeout, memory=self.memory,
                                     strip=[self.package_dir.parent.parent])

    def pytest_collectreport(self, report):
        if report.failed:
            from ..outcomes import clean

            text = str(report.longrepr)
            lines = [ln[1:].strip() for ln in text.splitlines() if ln.startswith("E ")]
            reason = clean(lines[-1] if lines else text, [self.package_dir.parent.parent])
            self.write(event="collect_error", nodeid=report.nodeid, reason="crashed: " + reason)


def output_diff(detail: str) -> str:
    """'output differs from the reference (stdout): expected '...', got '...'' from nbval."""
    import re

    from ..outcomes import ANSI

    text = ANSI.sub("", detail)
    kind = re.search(r"mismatch '([^']+)'", text)
    pair = re.search(r"^\s*('.*'|\".*\") == ('.*'|\".*\")\s*$", text, re.M)
    what = f" ({kind.group(1)})" if kind else ""
    if pair:
        return (f"output differs from the reference{what}: expected {pair.group(1)[:120]}, "
                f"got {pair.group(2)[:120]}")
    return f"output differs from the reference{what}"


def _parse(argv):
    p = argparse.ArgumentParser(prog="coursekit.grader.sandbox_pytest")
    p.add_argument("--results", required=True)
    p.add_argument("--student", required=True)
    p.add_argument("--item-timeout", type=float, default=0.0)
    p.add_argument("--cell-timeout", type=float, default=0.0)
    p.add_argument("--memory", type=int, default=None)
    p.add_argument("--allow-spawn", action="store_true")
    p.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = p.parse_args(argv)
    if args.pytest_args[:1] == ["--"]:
        args.pytest_args = args.pytest_args[1:]
    return args


def _fail(results, reason: str) -> int:
    results.write(json.dumps({"event": "error", "reason": reason}) + "\n")
    results.flush()
    return 3


def main(argv=None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    from . import guard

    results = open(args.results, "a", encoding="utf-8")  # before the guard: results/ is read-only
    guard.install(os.environ.get("COURSEKIT_SANDBOX"), allow_spawn=args.allow_spawn)
    student = Path(args.student).resolve()
    sys.path.insert(0, str(student))
    spec = importlib.util.find_spec("cs231n_lite")
    origin = Path(spec.origin).resolve() if spec and spec.origin else None
    if origin is None or not origin.is_relative_to(student):
        return _fail(results, f"cs231n_lite resolves to {origin}, not to the submission")
    import pytest

    recorder = Recorder(results, origin.parent, args.item_timeout, args.memory)
    recorder.cell_timeout = args.cell_timeout or args.item_timeout

    def fire(signum, frame):
        raise ItemTimeout()

    signal.signal(signal.SIGALRM, fire)
    code = pytest.main(args.pytest_args, plugins=[recorder])
    recorder.write(event="done", exitcode=int(code))
    return 0


if __name__ == "__main__":
    sys.exit(main())
