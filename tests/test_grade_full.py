"""A full grade, every phase, of the real course: the reference and the untouched release.

The one test that runs the six real notebooks through the grader (the
reference notebooks with each student's solution cells, in sandboxed
kernels): the reference must get every automatic point, the release none,
each loss with the reason the docs promise. Slow (minutes), so only two
submissions.
"""

import os
import shutil
from pathlib import Path

import pytest

import grading_corpus as corpus
from coursekit.cli import main
from coursekit.grader.outfiles import feedback_name
from coursekit.grader.rubric import load
from coursekit.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                reason="no sandbox here: needs root or bubblewrap")



@pytest.fixture(scope="module")
def full(tmp_path_factory):
    base = tmp_path_factory.mktemp("full")
    build_release(ROOT, base / "kit")
    subs = base / "subs"
    for name, source in (("reference", ROOT), ("release", base / "kit")):
        shutil.copytree(source / "cs231n_lite", subs / name / "cs231n_lite",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(source / "notebooks", subs / name / "notebooks",
                        ignore=shutil.ignore_patterns("*.cfg", ".ipynb_checkpoints"))
    out = base / "out"
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "2",
                 "--workdir", str(base / "work")]) == 0
    rows = corpus.rows(out / "grades.csv")
    return {"out": out, "rows": rows, "rubric": load(ROOT / "grading", ROOT / "notebooks")}


def test_reference_gets_every_automatic_point(full):
    row, rub = full["rows"]["reference"], full["rubric"]
    reasons = corpus.reasons(full["out"] / "feedback" / feedback_name("reference"))
    lost = {k: v for k, v in reasons.items() if v and v != "hand graded"}
    assert lost == {}
    assert row["status"] == "graded" and float(row["total"]) == rub.auto_points
    clean, total = (int(x) for x in row["notebooks"].split("/"))
    assert clean == total >= 6  # every solution cell of every notebook ran


def test_release_gets_nothing_and_says_why(full):
    row, rub = full["rows"]["release"], full["rubric"]
    reasons = corpus.reasons(full["out"] / "feedback" / feedback_name("release"))
    assert row["status"] == "graded" and row["total"] == "0"
    assert all(reasons[i.key].startswith("not implemented (") for i in rub.of_kind("tests"))
    assert all(reasons[i.key] for i in rub.of_kind("cells"))
    clean, total = (int(x) for x in row["notebooks"].split("/"))
    assert clean <= 1 < total  # only optimizers-recorder, a class whose stubbed method is never run
    text = (full["out"] / "feedback" / feedback_name("release")).read_text()
    assert "YOUR ANSWER HERE" in text  # its written answers are copied for hand grading
