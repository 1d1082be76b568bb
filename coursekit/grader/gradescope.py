"""Gradescope: grade ``/autograder/submission`` with the kit's own grader, write ``results.json``.

    python -m coursekit.grader.gradescope [--root /autograder] [--kit DIR] [--sandbox auto]

This is what the autograder zip's ``run_autograder`` runs (the zip itself:
:mod:`coursekit.grader.gradescope_zip`). Gradescope's layout, under ROOT
(``/autograder``, or ``$AUTOGRADER_ROOT``):

    ROOT/source/kit/          the kit's source copy from the zip: grading/, notebooks/, ...
    ROOT/submission/          the student's upload: a `cs231n-lite collect` zip, its
                              extracted files, or the package and notebooks uploaded as is
    ROOT/results/results.json written here, in Gradescope's format

Grading is `grade`'s, unchanged: :func:`coursekit.grader.grade.grade_all` with
one submission, i.e. one judge process, student code only in its sandboxes
(bubblewrap, or plain namespaces as root). No sandbox can see ROOT: the
hidden tests, the rubric and ``results/`` are outside every mount.
``run_autograder`` removes an old ``results.json`` before this starts (so a
run that dies leaves none, and the script writes its own); the new one is
written by this process after the judge and every sandbox are gone (a temporary file,
renamed over the name: a symlink there is replaced, never written through).
Whatever happens -- a rejected upload, a judge that dies, no sandbox on this
machine -- a valid ``results.json`` is written, with the reason.

What students see (Gradescope's ``visibility``, decided per kind of item):

* **hidden tests**: ``after_published``. Their names, points and reasons show
  once the instructor publishes grades; until then the student's total is
  hidden too (Gradescope hides the total while any scored test is hidden).
* **graded notebook cells**: ``visible`` -- the student has the same check cell
  in their notebook and sees its assertion there anyway -- except a cell that
  holds a hidden-test region (its failure message could quote a hidden
  check): ``after_published``.
* **written answers**: zero-point items (``visible``) naming the question, with
  the answer text as the grader read it from the student's notebook (so a
  missing answer cell shows before the deadline). Their points are given by
  hand in Gradescope's own manual questions (docs/instructors.md).
* the top-level ``output`` (visible): the status, what to fix when the upload
  was rejected, and how far each of the student's notebooks ran -- never a
  score. The grader's own printout (``stdout``) stays hidden.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path

import nbformat

from ..errors import CourseKitError
from ..release.markers import MarkerError, find_regions
from . import boundary, grade, outfiles, rubric as rubric_mod
from .scoring import StudentResult, zero_scores
from .submissions import Submission, SubmissionError, find_root

STUDENT = "submission"  # the one student id of a Gradescope run (feedback never leaves this process)
RESULTS = "results.json"
HIDDEN_UNTIL_PUBLISHED, VISIBLE = "after_published", "visible"
KIND_TAG = {"tests": "hidden test", "cells": "notebook check cell", "answers": "written answer"}
UPLOAD_HINT = ("Upload the submission.zip that `cs231n-lite collect` writes (or your cs231n_lite/ "
               "and notebooks/ folders), then submit again.")


# ------------------------------------------------------------------ the upload
def locate(upload: Path) -> Submission:
    """The student's upload as a grader Submission: the folder itself when it holds the
    package (at its top or one folder down), else its one zip; staging says what is wrong."""
    if not upload.is_dir():
        return Submission(STUDENT, upload, "rejected: nothing was uploaded")
    try:
        find_root(upload)
        return Submission(STUDENT, upload)
    except SubmissionError:
        pass
    zips = sorted(p for p in upload.iterdir()
                  if p.suffix.lower() == ".zip" and p.is_file() and not p.name.startswith("."))
    if len(zips) == 1:
        return Submission(STUDENT, zips[0])
    if len(zips) > 1:
        names = ", ".join(p.name for p in zips[:5])
        return Submission(STUDENT, upload, f"rejected: {len(zips)} zip files were uploaded ({names}); "
                                           f"upload one")
    return Submission(STUDENT, upload)  # staging refuses it with the reason (empty, no package)


# ------------------------------------------------------------------ visibility
def hidden_check_cells(notebooks_dir: Path, rub) -> set[tuple[str, str]]:
    """(notebook, grade_id) of every rubric check cell whose reference source holds a
    hidden-test region."""
    found = set()
    for name in sorted({i.notebook for i in rub.of_kind("cells")}):
        nb = nbformat.read(notebooks_dir / name, as_version=4)
        for cell in nb.cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if cell.cell_type != "code" or not grade_id:
                continue
            try:
                regions = find_regions(cell.source, f"{name} ({grade_id})")
            except MarkerError:
                regions = [None]  # malformed markers: treat as hidden, never as visible
            if any(r is None or r.kind == "hidden" for r in regions):
                found.add((name, grade_id))
    return found


def visibility(item, hidden_cells: set) -> str:
    if item.kind == "tests" or (item.kind == "cells" and (item.notebook, item.key) in hidden_cells):
        return HIDDEN_UNTIL_PUBLISHED
    return VISIBLE


# ------------------------------------------------------------------ results.json
def _num(x: float):
    return int(x) if float(x).is_integer() else float(x)


def _name(item) -> str:
    if item.kind == "tests":
        return f"{item.part}: hidden test {item.key}"
    if item.kind == "cells":
        return f"{item.part}: {item.notebook} check cell {item.key}"
    number = re.search(r"-q(\d+)$", item.key)  # answer cells are "<notebook>-q<k>"
    question = f" question {number.group(1)}" if number else ""
    return (f"{item.part}: {item.notebook}{question} ({item.key}): written answer, "
            f"{item.points:g} points, graded by hand")


def _entry(score, number: str, answer: str | None, hidden_cells: set) -> dict:
    item = score.item
    if item.kind == "answers":
        points, top, output = 0, 0, answer if answer is not None else f"(not read: {score.reason})"
    else:
        points, top = _num(score.points or 0.0), _num(item.points)
        output = "passed" if score.points == item.points else score.reason or "failed"
    entry = {"name": _name(item), "number": number, "score": points, "max_score": top,
             "output": output, "visibility": visibility(item, hidden_cells),
             "tags": [item.part, KIND_TAG[item.kind]]}
    if item.kind == "answers":
        entry["output_format"] = "md"  # the student's markdown cell, formulas included
    return entry


def tests(result: StudentResult, rub, hidden_cells: set) -> list[dict]:
    """One Gradescope test per rubric item, in rubric order, numbered part.item."""
    answers = {(i.notebook, i.key): text for i, text in result.answers}
    parts = {p: n for n, p in enumerate(rub.parts, start=1)}
    seen: dict[str, int] = {}
    entries = []
    for s in result.scores:
        seen[s.item.part] = seen.get(s.item.part, 0) + 1
        number = f"{parts[s.item.part]}.{seen[s.item.part]}"
        entries.append(_entry(s, number, answers.get((s.item.notebook, s.item.key)), hidden_cells))
    return entries


def _summary(result: StudentResult, rub) -> str:
    status = result.status
    if status.startswith("rejected"):
        lines = [f"Your upload could not be graded: {status}.", UPLOAD_HINT]
    elif status.startswith("error"):
        lines = [f"The grader failed on this submission ({status}). This is not a verdict on "
                 f"your work: your instructor can re-run the autograder."]
    else:
        lines = [f"cs231n-lite autograder: {status}."]
        if status != "graded":
            lines.append(f"Grading stopped when the submission's time budget "
                         f"({rub.limits.budget:g} s) ran out: the items not reached score 0.")
    hand = sum(i.points for i in rub.of_kind("answers"))
    lines += ["", "Hidden tests: their results and your total score appear when grades are published.",
              "Notebook check cells: shown now, except the ones holding hidden checks "
              "(they appear with the hidden tests)."]
    if hand:
        lines.append(f"Written answers: {hand:g} points, graded by hand; below is each answer as "
                     f"the grader read it from your notebook.")
    if result.notebooks:
        lines += ["", "Your notebooks (your solution cells run in the reference notebooks):"]
        for name, c in result.notebooks:
            text = f"- {name}: {c.get('clean', 0)}/{c.get('solutions', 0)} solution cells ran without error"
            text += f"; first error in {c['first_error']}" if c.get("first_error") else ""
            text += f"; {c['problem']}" if c.get("problem") else ""
            lines.append(text)
    return "\n".join(lines)


def document(result: StudentResult, rub, hidden_cells: set, seconds: float) -> dict:
    """results.json for one graded (or rejected) submission."""
    return {"score": _num(result.total), "execution_time": int(round(seconds)),
            "output": _summary(result, rub), "output_format": "text", "test_output_format": "text",
            "test_name_format": "text", "visibility": VISIBLE, "stdout_visibility": "hidden",
            "tests": tests(result, rub, hidden_cells)}


def failure_document(reason: str, rub, seconds: float) -> dict:
    """results.json when grading could not even start (no sandbox, a broken rubric)."""
    entries = []
    if rub is not None:
        result = StudentResult(STUDENT, f"error: {reason}", zero_scores(rub, f"not graded: {reason}"))
        entries = tests(result, rub, set())
    return {"score": 0, "execution_time": int(round(seconds)),
            "output": f"The autograder could not run: {reason}\nThis is a problem of the autograder's "
                      f"setup, not of your work: tell your instructor.",
            "output_format": "text", "test_output_format": "text", "test_name_format": "text",
            "visibility": VISIBLE, "stdout_visibility": "hidden", "tests": entries}


def write_results(results_dir: Path, doc: dict) -> None:
    fd = outfiles.open_folder(results_dir.absolute())
    try:
        outfiles.write_atomic(fd, RESULTS, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    finally:
        os.close(fd)


# ------------------------------------------------------------------ the run
def run(root: Path, kit: Path, sandbox: str = "auto", report=print) -> dict:
    """Grade ``root/submission`` against ``kit``'s grading/ and notebooks/; write and return
    ``root/results/results.json``."""
    start = time.monotonic()
    results_dir = root / "results"
    rub = None
    try:
        grading_dir, notebooks_dir = (kit / "grading").resolve(), (kit / "notebooks").resolve()
        rub = rubric_mod.load(grading_dir, notebooks_dir)
        cfg = grade.Config(grading_dir, notebooks_dir, rub.limits)
        hidden = hidden_check_cells(notebooks_dir, rub)
        mode = boundary.choose_mode(sandbox)
        [result] = grade.grade_all([locate(root / "submission")], cfg, rub, 1, mode, None, report)
        doc = document(result, rub, hidden, time.monotonic() - start)
    except Exception as err:  # noqa: BLE001 - a results.json with the reason, always
        reason = str(err) if isinstance(err, CourseKitError) else f"{type(err).__name__}: {err}"
        traceback.print_exc(file=sys.stdout)  # stdout: the instructors' view only
        doc = failure_document(reason, rub, time.monotonic() - start)
    write_results(results_dir, doc)
    report(f"gradescope: {doc['score']} points; wrote {results_dir / RESULTS}")
    return doc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.grader.gradescope",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get("AUTOGRADER_ROOT") or "/autograder",
                        help="Gradescope's folder (default: $AUTOGRADER_ROOT or /autograder)")
    parser.add_argument("--kit", default=None, help="the kit's source copy (default: ROOT/source/kit)")
    parser.add_argument("--sandbox", choices=["auto", "bwrap", "namespaces"], default="auto",
                        help="the boundary around student code (as for `grade`)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    run(root, Path(args.kit) if args.kit else root / "source" / "kit", args.sandbox)
    return 0


if __name__ == "__main__":
    sys.exit(main())
