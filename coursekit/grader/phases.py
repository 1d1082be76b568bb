"""The three grading phases of one submission, each in watched sandbox processes.

1. hidden tests (pytest on the sandbox's copy of grading/), restarted past a
   test that had to be killed, so one hang costs one test;
2. reference notebooks under ``pytest --nbval`` with the student's package;
3. the student's own notebooks executed with nbclient, for completion.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .sandbox import KERNEL_NAME, Limits, read_events, run_watched

MAX_RUNS = 6  # hidden-test process starts per submission (first + restarts)
STARTUP = 20.0  # seconds a process may take to start before its first event
KERNEL_STARTUP = 60.0


@dataclass
class Context:
    root: Path
    dirs: dict
    env: dict
    limits: Limits
    deadline: float

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


@dataclass
class PhaseResult:
    results: dict = field(default_factory=dict)  # nodeid -> result event
    collect_errors: dict = field(default_factory=dict)  # file nodeid -> reason
    stop_reason: str = ""  # why items without a result were not run
    error: str = ""  # the phase could not run at all


def _runner(ctx: Context, results: Path, extra: list[str], pytest_args: list[str]) -> list[str]:
    return [sys.executable, "-s", "-m", "coursekit.grader.sandbox_pytest", "--results", str(results),
            "--student", str(ctx.dirs["student"]), "--memory", str(ctx.limits.memory), *extra,
            "--", "-q", "-p", "no:cacheprovider", *pytest_args]


def _out_of_budget(limits: Limits) -> str:
    return f"not graded: the submission's time budget ({limits.budget:g} s) ran out"


def _died(outcome, limits: Limits, timeout: float | None = None) -> str:
    if outcome.killed == "no progress":
        return f"timed out after {timeout or limits.timeout:g} s (the process was killed)"
    if outcome.killed == "wall clock":
        return _out_of_budget(limits)
    code = outcome.returncode
    signal_text = f" (signal {-code})" if code is not None and code < 0 else f" (exit code {code})"
    return "crashed: the test process died" + signal_text


def _absorb(phase: PhaseResult, events: list[dict]) -> str | None:
    """Merge a run's events; return the nodeid that started but never finished."""
    started = None
    for ev in events:
        kind = ev.get("event")
        if kind == "start":
            started = ev.get("nodeid")
        elif kind == "result":
            phase.results[ev["nodeid"]] = ev
            started = None if started == ev["nodeid"] else started
        elif kind == "collect_error":
            phase.collect_errors[ev.get("nodeid", "")] = ev.get("reason", "crashed")
        elif kind == "error":
            phase.error = ev.get("reason", "grader error")
    return started


def run_hidden(ctx: Context) -> PhaseResult:
    """Phase 1: the hidden tests, with restarts past killed tests."""
    phase, grading, deselect = PhaseResult(), ctx.dirs["grading"], []
    for attempt in range(MAX_RUNS):
        if ctx.remaining() < 2:
            phase.stop_reason = _out_of_budget(ctx.limits)
            break
        results = ctx.dirs["results"] / f"hidden-{attempt}.jsonl"
        args = ["--rootdir", str(grading), "-c", str(grading / "pytest.ini"), str(grading)]
        args += [f"--deselect={nodeid}" for nodeid in deselect]
        cmd = _runner(ctx, results, ["--item-timeout", str(ctx.limits.timeout)], args)
        outcome = run_watched(cmd, cwd=ctx.dirs["home"], env=ctx.env, progress=results,
                              idle=ctx.limits.timeout + STARTUP, wall=ctx.remaining(),
                              memory_mb=ctx.limits.memory, log=ctx.dirs["results"] / "hidden.log")
        events = read_events(results)
        inflight = _absorb(phase, events)
        if phase.error or any(e.get("event") == "done" for e in events):
            break
        reason = _died(outcome, ctx.limits)
        if inflight is None or outcome.killed == "wall clock":
            phase.stop_reason = reason  # no test to blame: nothing to skip past
            break
        phase.results[inflight] = {"nodeid": inflight, "outcome": "failed", "reason": reason}
        deselect = sorted(phase.results)
    else:
        phase.stop_reason = "not run: the test process had to be restarted too often"
    return phase


def run_reference_notebook(ctx: Context, notebook: Path, sanitize: Path | None) -> PhaseResult:
    """Phase 2: one reference notebook under nbval with the student's package."""
    phase = PhaseResult()
    if ctx.remaining() < 2:
        phase.stop_reason = _out_of_budget(ctx.limits)
        return phase
    results = ctx.dirs["results"] / f"nbval-{notebook.stem}.jsonl"
    args = ["-p", "nbval", "--nbval", f"--nbval-kernel-name={KERNEL_NAME}",
            f"--nbval-cell-timeout={ctx.limits.cell_timeout:g}",
            "--rootdir", str(notebook.parent), "-c", str(notebook.parent / "pytest.ini")]
    if sanitize is not None:
        args += ["--nbval-sanitize-with", str(sanitize)]
    cmd = _runner(ctx, results, ["--cell-timeout", str(ctx.limits.cell_timeout), "--allow-spawn"],
                  args + [str(notebook)])
    outcome = run_watched(cmd, cwd=notebook.parent, env=ctx.env, progress=results,
                          idle=ctx.limits.cell_timeout + KERNEL_STARTUP, wall=ctx.remaining(),
                          memory_mb=ctx.limits.memory, log=ctx.dirs["results"] / "nbval.log")
    events = read_events(results)
    inflight = _absorb(phase, events)
    if not any(e.get("event") == "done" for e in events) and not phase.error:
        reason = _died(outcome, ctx.limits, ctx.limits.cell_timeout)
        if inflight:
            phase.results[inflight] = {"nodeid": inflight, "outcome": "failed", "reason": reason}
        phase.stop_reason = "not run: " + reason if not reason.startswith("not") else reason
    return phase


def run_student_notebooks(ctx: Context, names: list[str]) -> dict[str, dict]:
    """Phase 3: execute the student's notebooks; name -> completion event."""
    if not names:
        return {}
    if ctx.remaining() < 2:
        return {n: {"name": n, "problem": _out_of_budget(ctx.limits)} for n in names}
    results = ctx.dirs["results"] / "student-notebooks.jsonl"
    folder = ctx.dirs["student"] / "notebooks"
    cmd = [sys.executable, "-s", "-m", "coursekit.grader.sandbox_notebooks", "--results", str(results),
           "--timeout", str(ctx.limits.cell_timeout), *[str(folder / n) for n in names]]
    outcome = run_watched(cmd, cwd=folder, env=ctx.env, progress=results,
                          idle=ctx.limits.cell_timeout + KERNEL_STARTUP, wall=ctx.remaining(),
                          memory_mb=ctx.limits.memory, log=ctx.dirs["results"] / "notebooks.log")
    done = {e["name"]: e for e in read_events(results) if e.get("event") == "notebook"}
    for n in names:
        if n not in done:
            done[n] = {"name": n, "problem": "not finished: "
                       + _died(outcome, ctx.limits, ctx.limits.cell_timeout)}
    return done
