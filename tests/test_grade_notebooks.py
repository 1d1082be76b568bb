"""The notebook phase: the reference notebook with each student's solution cells, run once.

A tiny reference notebook (tests/grading_corpus.py: a solution cell, graded
cells, hidden tests, a 0-point experiment, a written answer) graded for
students who wrote it right, left the stub, broke the package, renamed or
dropped the cell, sent notebooks over the limits or not JSON at all, hung a
cell or killed their kernel. A full grade of the real notebooks is in
tests/test_grade_full.py.
"""

import os
import shutil
from pathlib import Path

import nbformat
import pytest

import grading_corpus as corpus
from coursekit.cli import main
from coursekit.grader.outfiles import feedback_name
from coursekit.grader.rubric import load
from coursekit.release.build import build_release, release_notebook

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                reason="no sandbox here: needs root or bubblewrap")
HANG = '''def step(w, lr):
    return sgd(w, np.array([0.5, 0.5]), {"learning_rate": lr})[0]
import time
time.sleep(120)'''
SUICIDE = '''import os, signal
os.kill(os.getpid(), signal.SIGKILL)'''




def _student(subs: Path, name: str, package: Path, notebook=None, text: str | None = None) -> None:
    corpus._copy(package / "cs231n_lite", subs / name)
    if notebook is not None or text is not None:
        (subs / name / "notebooks").mkdir()
        path = subs / name / "notebooks" / "mini.ipynb"
        path.write_text(text) if text is not None else nbformat.write(notebook, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("nb")
    kit = base / "kit"
    build_release(ROOT, kit)
    grading, notebooks = corpus.write_notebook_fixture(base, ROOT)
    released = nbformat.reads(release_notebook((notebooks / "mini.ipynb").read_text(), "mini.ipynb")[0], 4)
    subs = base / "subs"
    _student(subs, "reference", ROOT, corpus.mini_notebook("**Your answer:** reference thinks so"))
    _student(subs, "release", kit, released)
    _student(subs, "wrong", ROOT, corpus.mini_notebook("wrong"))
    corpus.replace_region(subs / "wrong" / "cs231n_lite", "optim.py", "sgd",
                          'next_w = w - 2 * config["learning_rate"] * dw')
    _student(subs, "renamed", ROOT, corpus.mini_notebook("x", solution_id="my-own-id"))
    _student(subs, "no_notebook", ROOT)
    huge = corpus.mini_notebook("padding " * 200_000)  # 1.5 MB, the rubric allows 1 MB
    _student(subs, "huge", ROOT, huge)
    many = corpus.mini_notebook("x")
    many.cells += [nbformat.v4.new_markdown_cell("filler") for _ in range(250)]  # limit 200
    _student(subs, "many_cells", ROOT, many)
    _student(subs, "bad_json", ROOT, text="this is { not json")
    _student(subs, "hang_cell", ROOT, corpus.mini_notebook("x", solution=HANG))
    _student(subs, "kernel_suicide", ROOT, corpus.mini_notebook("x", solution=SUICIDE))
    out = base / "out"
    assert main(["grade", str(subs), "--out", str(out), "--grading-dir", str(grading),
                 "--notebooks-dir", str(notebooks), "--workdir", str(base / "work"), "--jobs", "2"]) == 0
    return {"out": out, "rows": corpus.rows(out / "grades.csv"), "grading": grading, "notebooks": notebooks}


def _feedback(graded, student: str) -> str:
    return (graded["out"] / "feedback" / feedback_name(student)).read_text()


def test_rubric_skips_the_zero_point_experiment(graded):
    rub = load(graded["grading"], graded["notebooks"])
    assert "mini-experiment" not in {i.key for i in rub.items}
    assert not [c for c in graded["rows"]["reference"] if "experiment" in c]


def test_reference_scores_every_cell_and_its_answer_is_copied(graded):
    row = graded["rows"]["reference"]
    assert row["total"] == "6" and row["notebooks"] == "2/2" and row["optim/mini-q1 (hand)"] == ""
    text = _feedback(graded, "reference")
    assert "> **Your answer:** reference thinks so" in text
    assert "- mini.ipynb: 2/2 solution cells ran without error" in text


def test_release_stubs_fail_with_what_is_missing(graded):
    row, reasons = graded["rows"]["release"], corpus.reasons(graded["out"] / "feedback" / feedback_name("release"))
    assert row["total"] == "1" and row["optim/mini-data"] == "1"  # the sample dataset is there
    assert row["notebooks"] == "1/2"  # a stubbed def runs cleanly; the experiment cell does not
    assert reasons["mini-sgd"] == "not implemented (step)"
    assert reasons["mini-hidden"] == "not implemented (sgd)"
    assert "first error in code cell 5: not implemented (mini-tune)" in _feedback(graded, "release")


def test_wrong_package_fails_the_cells_that_check_it(graded):
    reasons = corpus.reasons(graded["out"] / "feedback" / feedback_name("wrong"))
    assert graded["rows"]["wrong"]["total"] == "1" and graded["rows"]["wrong"]["notebooks"] == "2/2"
    assert reasons["mini-sgd"] == "wrong: step: expected [0.95 1.95], got [0.9 1.9]"
    assert reasons["mini-hidden"] == "wrong: sgd step"
    assert reasons["test_nb.py::test_sgd"] == "wrong: sgd step"


@pytest.mark.parametrize("student, problem", [
    ("renamed", "first error in code cell 5: not implemented (step)"),
    ("no_notebook", "first error in code cell 5: not implemented (mini-tune); "
                    "mini.ipynb is not in the submission"),
    ("huge", "mini.ipynb is 1.5 MB (limit 1 MB): not read"),
    ("many_cells", f"mini.ipynb has {9 + 250} cells (limit 200)"),
    ("bad_json", "mini.ipynb is not a valid notebook (not JSON)"),
])
def test_missing_or_unreadable_solution_cells_get_the_stub(graded, student, problem):
    row = graded["rows"][student]
    reasons = corpus.reasons(graded["out"] / "feedback" / feedback_name(student))
    assert row["status"] == "graded" and row["total"] == "4"  # test + data + hidden tests
    assert reasons["mini-sgd"] == "not implemented (step)"
    assert "- mini.ipynb: 1/2 solution cells ran without error" in _feedback(graded, student)
    assert problem in _feedback(graded, student)


@pytest.mark.parametrize("student, reason", [
    ("hang_cell", "timed out after 8 s (the kernel was restarted)"),
    ("kernel_suicide", "crashed: the kernel died (signal 9)"),
])
def test_a_hung_or_dead_kernel_costs_only_its_cell(graded, student, reason):
    reasons = corpus.reasons(graded["out"] / "feedback" / feedback_name(student))
    assert graded["rows"][student]["optim/mini-data"] == "1"
    assert graded["rows"][student]["optim/mini-hidden"] == "1"  # after the restart
    assert reasons["mini-sgd"].startswith("crashed: NameError: name 'step' is not defined")
    assert f"- mini.ipynb: 0/2 solution cells ran without error; first error in code cell 3: " \
           f"{reason}" in _feedback(graded, student)


def test_skip_notebooks_grades_hidden_tests_only(tmp_path):
    grading, notebooks = corpus.write_notebook_fixture(tmp_path, ROOT)
    corpus._copy(ROOT / "cs231n_lite", tmp_path / "subs" / "reference")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--grading-dir", str(grading),
                 "--notebooks-dir", str(notebooks), "--workdir", str(tmp_path / "work"),
                 "--skip-notebooks"]) == 0
    assert corpus.rows(out / "grades.csv")["reference"]["total"] == "2"
    reasons = corpus.reasons(out / "feedback" / feedback_name("reference"))
    assert reasons["test_nb.py::test_sgd"] == ""
    assert reasons["mini-sgd"] == "not graded: notebooks skipped (--skip-notebooks)"


def test_cells_that_cannot_change_a_grade_are_not_run(tmp_path):
    from coursekit.grader.notebook_merge import needed, reference_cells

    nb = corpus.mini_notebook("x")
    nbformat.write(nb, tmp_path / "mini.ipynb")
    cells = reference_cells(tmp_path / "mini.ipynb")
    assert cells[-1].grade_id == "mini-experiment" and cells[-1].graded and cells[-1].points == 0
    assert [c.grade_id for c in needed(cells)][-1] == "mini-hidden"  # the trailing 0-point proof goes
    nb.cells.append(corpus._cell("assert True", "mini-late", 1, grade=True))
    nbformat.write(nb, tmp_path / "mini.ipynb")
    kept = [c.grade_id for c in needed(reference_cells(tmp_path / "mini.ipynb"))]
    assert kept[-2:] == ["mini-experiment", "mini-late"]  # one a later graded cell may need stays
