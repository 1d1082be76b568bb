"""One submission, in a process of its own: stage, hidden tests, notebooks (run by `grade`).

    python -I -m coursekit.grader.judge < JOB_JSON

The judge is TRUSTED: it never imports or executes student code. That runs in
sandboxed processes it starts and kills (:mod:`coursekit.grader.sandbox`):
the worker behind the hidden tests (:mod:`coursekit.grader.rpc`) and one
kernel per notebook (:mod:`coursekit.grader.notebook_run`). Order:

1. stage the submission into the box (``submission/``, read-only to the sandbox);
2. read the student's notebooks -- in the worker, with size, cell-count and
   time limits -- for their solution cells and written answers;
3. the hidden tests (pytest here, student code through the worker);
4. each rubric notebook: the reference with the student's solution cells.

The result (JSON) goes to what was stdout; everything printed (pytest's
report) goes to stderr, the grader's log. The judge dies with the grader.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time
from pathlib import Path

from . import hidden_run, notebook_merge
from .boundary import Runtime
from .failures import SandboxFailure
from .limits import Limits
from .rpc import Worker
from .sandbox import Sandbox
from .submissions import Submission, SubmissionError, open_to_sandbox, stage

PARSE_TIMEOUT = 30.0  # seconds to read one student notebook
MAX_SOURCE = 200_000  # characters kept per student cell


def _die_with_parent() -> None:
    parent = os.getppid()
    ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:
        os._exit(1)


def _text_table(value, limit: int) -> dict:
    """{str: str} from the worker's reply, anything else dropped."""
    if not isinstance(value, dict):
        return {}
    return {k[:200]: v[:limit] for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def read_notebooks(worker: Worker, names: list, limits: Limits, deadline: float) -> dict:
    """notebook -> {"code", "answers", "problem"} read by the worker (untrusted, limited)."""
    found = {}
    for name in names:
        worker.set_deadline(PARSE_TIMEOUT, deadline)
        try:
            path = f"{worker.sandbox.paths['submission']}/notebooks/{name}"
            reply = worker.request("parse_notebook", path=path, max_bytes=limits.notebook_size * 2**20,
                                   max_cells=limits.notebook_cells, max_source=MAX_SOURCE)
        except (SandboxFailure, Exception) as err:  # noqa: BLE001 - a reason, never a crash
            reason = getattr(err, "grading_reason", None) or f"{type(err).__name__}: {err}"
            found[name] = {"code": {}, "answers": {}, "problem": f"{name} could not be read: {reason}"}
            continue
        reply = reply if isinstance(reply, dict) else {}
        problem = reply.get("problem")
        found[name] = {"code": _text_table(reply.get("code"), MAX_SOURCE),
                       "answers": _text_table(reply.get("answers"), 20_000),
                       "problem": problem[:300] if isinstance(problem, str) else ""}
    worker.end_test()
    return found


def run_notebook(job: dict, name: str, student: dict, sandbox: Sandbox, limits: Limits,
                 deadline: float) -> dict:
    """The merged notebook's cell results and completion."""
    cells, stubs = notebook_merge.from_plan(job["notebook_plans"][name])
    cells = notebook_merge.needed(cells)  # the rest cannot change a grade
    sources = notebook_merge.merge(cells, student.get("code", {}), stubs)
    from . import notebook_run  # jupyter_client: only when notebooks run

    results = notebook_run.run_cells(sources, sandbox, limits, deadline)
    solutions = [i for i, c in enumerate(cells) if c.solution]
    clean = sum(1 for i in solutions if results[i]["ok"])
    first = next((f"code cell {i + 1}: {results[i]['reason']}" for i in solutions
                  if not results[i]["ok"]), "")
    return {"cells": results, "completion": {"solutions": len(solutions), "clean": clean,
                                             "first_error": first, "problem": student.get("problem", "")}}


def grade(job: dict) -> dict:
    limits, runtime = Limits(**job["limits"]), Runtime.from_json(job["runtime"])
    box, deadline = Path(job["box"]), time.monotonic() + limits.budget
    out = {"status": "graded", "tests": {}, "collect_errors": {}, "stop_reason": "", "notebooks": {},
           "answers": {}}
    left_out: dict = {}
    try:
        names = stage(Submission(job["student"], Path(job["path"]), job.get("problem", "")),
                      box / "upload", box / "submission", limits.notebook_size * 2**20, left_out)
    except SubmissionError as err:
        return {**out, "status": str(err)}
    open_to_sandbox(box / "submission")
    sandbox = Sandbox(runtime, box, job["slot"], limits)
    worker = Worker(sandbox, limits)
    try:
        wanted = [n for n in names if n in job["notebooks"]]
        student = read_notebooks(worker, wanted, limits, deadline) if not job["skip_notebooks"] else {}
        student.update({n: {"code": {}, "answers": {}, "problem": why} for n, why in left_out.items()})
        out["answers"] = {n: s["answers"] for n, s in student.items()}
        if job["has_tests"]:
            hidden = hidden_run.run(Path(job["grading_dir"]), worker, limits, deadline, box / "pytest.ini")
            out.update(tests=hidden.results, collect_errors=hidden.collect_errors,
                       stop_reason=hidden.stop_reason)
            if hidden.error:
                return {**out, "status": hidden.error}
    finally:
        worker.stop()
    if not job["skip_notebooks"]:
        for name in job["notebooks"]:
            mine = student.get(name, {"problem": f"{name} is not in the submission"})
            try:
                out["notebooks"][name] = run_notebook(job, name, mine, sandbox, limits, deadline)
            except Exception as err:  # noqa: BLE001 - this notebook's cells lose, the rest goes on
                out["notebooks"][name] = {"error": f"error: the grader could not run {name} "
                                                   f"({type(err).__name__}: {str(err)[:200]})"}
    if time.monotonic() > deadline:
        out["status"] = "graded (time budget ran out)"
    return out


def main() -> int:
    result_fd = os.dup(1)
    os.dup2(2, 1)  # pytest and friends print: keep the result channel clean
    _die_with_parent()
    job = json.loads(sys.stdin.read())
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    result = grade(job)
    with os.fdopen(result_fd, "w", encoding="utf-8") as channel:
        json.dump(result, channel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
