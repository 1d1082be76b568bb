"""`cs231n-lite grade` against a hostile corpus built from the reference package.

Every submission gets a row, the grader never hangs or crashes, nothing
outside the sandbox changes, and grading twice (here: as two shards, merged)
gives the same CSV. Limits are small (3 s per test, 2 GB) to keep this fast.
"""

import csv
import io
import re
import time
from pathlib import Path

import pytest

import grading_corpus as corpus
from coursekit.grader import gradebook
from coursekit.cli import main
from coursekit.grader.rubric import load
from coursekit.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]
LIMITS = ["--timeout", "3", "--memory", "2048", "--budget", "60"]


def _rows(path: Path) -> dict:
    return {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}


def _reasons(feedback: Path) -> dict:
    """item key -> 'reason' from the feedback's '- key: 0/2 -- reason' lines."""
    found = {}
    for line in feedback.read_text().splitlines():
        m = re.match(r"- (\S+): [\d.]+/[\d.]+(?: -- (.*))?$", line)
        if m:
            found[m.group(1)] = m.group(2) or ""
    return found


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "kit"
    build_release(ROOT, out)
    return out


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, release):
    base = tmp_path_factory.mktemp("hostile")
    work = base / "work"
    work.mkdir()
    canary = work / "canary.txt"
    canary.write_text("untouched")
    expect = corpus.build(base / "subs", ROOT / "cs231n_lite", release / "cs231n_lite", canary)
    grading = corpus.write_mini_grading(base / "grading", ROOT)
    out = base / "out"
    start = time.monotonic()
    rc = main(["grade", str(base / "subs"), "--out", str(out), "--grading-dir", str(grading),
               "--notebooks-dir", str(base / "no-notebooks"), "--workdir", str(work),
               "--jobs", "2", *LIMITS])
    return {"base": base, "expect": expect, "out": out, "rc": rc, "work": work, "canary": canary,
            "grading": grading, "elapsed": time.monotonic() - start}


def test_every_submission_gets_a_row(hostile):
    assert hostile["rc"] == 0
    assert set(hostile["expect"]) == set(corpus.STUDENTS)
    assert set(_rows(hostile["out"] / "grades.csv")) == set(corpus.STUDENTS)


@pytest.mark.parametrize("student", corpus.STUDENTS)
def test_scores_and_reasons(hostile, student):
    row = _rows(hostile["out"] / "grades.csv")[student]
    reasons = _reasons(hostile["out"] / "feedback" / f"{student}.md")
    for column, want in hostile["expect"][student].items():
        if column == "status":
            assert row["status"].startswith(want), f"{student}: status {row['status']!r}"
            continue
        key = column.split("/", 1)[1]
        if want == "full":
            assert float(row[column]) > 0 and reasons[key] == "", f"{student} {column}: {reasons[key]}"
        else:
            assert float(row[column]) == 0, f"{student} {column} should score 0"
            assert want in reasons[key], f"{student} {column}: {reasons[key]!r} lacks {want!r}"
    assert float(row["total"]) == sum(float(row[c]) for c in corpus.ITEMS)


def test_nothing_outside_the_sandbox_changed(hostile):
    assert hostile["canary"].read_text() == "untouched"
    assert sorted(p.name for p in hostile["work"].iterdir()) == ["canary.txt"]
    assert not list(hostile["base"].rglob("zip-slip-escaped.py"))
    assert not list(hostile["base"].rglob("escaped*.txt"))


def test_feedback_explains_the_bad_notebook(hostile):
    text = (hostile["out"] / "feedback" / "bad_notebook.md").read_text()
    assert "knn.ipynb: not a valid notebook" in text


def test_time_per_submission_is_bounded(hostile):
    # 15 submissions, 2 jobs; the infinite loop costs one 3 s timeout, not the budget
    assert hostile["elapsed"] < 15 * 60 / 2
    assert hostile["elapsed"] < 150


def test_two_shards_merged_equal_one_run(hostile):
    base, parts = hostile["base"], []
    for k in (1, 2):
        out = base / f"shard{k}"
        assert main(["grade", str(base / "subs"), "--out", str(out), "--shard", f"{k}/2",
                     "--grading-dir", str(hostile["grading"]), "--notebooks-dir",
                     str(base / "no-notebooks"), "--workdir", str(hostile["work"]), "--jobs", "2",
                     *LIMITS]) == 0
        parts.append(out / "grades.csv")
    assert all(len(_rows(p)) < len(hostile["expect"]) for p in parts)
    assert main(["merge", *map(str, parts), "--out", str(base / "merged.csv")]) == 0
    assert (base / "merged.csv").read_text() == (hostile["out"] / "grades.csv").read_text()
    for k in (1, 2):
        for fb in (base / f"shard{k}" / "feedback").iterdir():
            assert fb.read_text() == (hostile["out"] / "feedback" / fb.name).read_text()


def test_merge_refuses_duplicates_and_column_drift(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    a.write_text("student,status,total\nann,graded,3\n")
    b.write_text("student,status,total\nann,graded,4\n")
    c.write_text("student,status,total,extra\nbob,graded,4,1\n")
    with pytest.raises(Exception, match="student ann appears in both"):
        gradebook.merge([a, b])
    with pytest.raises(Exception, match="different columns .*extra"):
        gradebook.merge([a, c])


def test_real_hidden_tests_reference_full_marks_release_not_implemented(tmp_path, release):
    subs = tmp_path / "subs"
    corpus._copy(ROOT / "cs231n_lite", subs / "reference")
    corpus._copy(release / "cs231n_lite", subs / "release")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "2", "--workdir",
                 str(tmp_path / "work"), "--timeout", "20", "--memory", "2048",
                 "--skip-notebooks"]) == 0  # the notebooks are the notebook tests' business
    rows = _rows(out / "grades.csv")
    rub = load(ROOT / "grading", ROOT / "notebooks")
    tests = rub.of_kind("tests")
    assert float(rows["reference"]["total"]) == sum(i.points for i in tests) >= 70
    assert all(float(rows["reference"][i.column]) == i.points for i in tests)
    assert rows["release"]["total"] == "0"
    reasons = _reasons(out / "feedback" / "release.md")
    assert all(reasons[i.key].startswith("not implemented") for i in tests)


def test_notebook_phases_score_graded_cells_and_copy_answers(tmp_path, release, monkeypatch):
    import nbformat

    monkeypatch.setenv("CS231N_LITE_CACHE", str(tmp_path / "cache"))  # the grader's sample cache
    grading, notebooks = corpus.write_notebook_fixture(tmp_path, ROOT)
    subs = tmp_path / "subs"
    for name, pkg in (("reference", ROOT), ("release", release), ("wrong", ROOT)):
        corpus._copy(pkg / "cs231n_lite", subs / name)
        if name != "wrong":  # (no notebooks of its own: phase 3 has nothing to run)
            (subs / name / "notebooks").mkdir()
            nbformat.write(corpus.mini_notebook(f"**Your answer:** {name} thinks so"),
                           subs / name / "notebooks" / "mini.ipynb")
    corpus.replace_region(subs / "wrong" / "cs231n_lite", "optim.py", "sgd",
                          'next_w = w - 2 * config["learning_rate"] * dw')
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--grading-dir", str(grading),
                 "--notebooks-dir", str(notebooks), "--workdir", str(tmp_path / "work"),
                 "--jobs", "2"]) == 0
    rows = _rows(out / "grades.csv")
    assert [rows[s]["total"] for s in ("reference", "release", "wrong")] == ["6", "1", "1"]
    assert rows["release"]["optim/mini-data"] == "1"  # the sample dataset was in every sandbox
    assert rows["reference"]["optim/mini-q1 (hand)"] == "" and rows["reference"]["notebooks"] == "1/1"
    assert rows["release"]["notebooks"] == "0/1" and rows["wrong"]["notebooks"] == ""
    release_fb = _reasons(out / "feedback" / "release.md")
    assert release_fb["mini-sgd"] == release_fb["mini-hidden"] == "not implemented (sgd)"
    wrong = _reasons(out / "feedback" / "wrong.md")
    assert wrong["mini-sgd"] == ("wrong: output differs from the reference (stdout): "
                                 "expected '[0.95 1.95]\\n', got '[0.9 1.9]\\n'")
    assert wrong["mini-hidden"] == "wrong: sgd step"
    text = (out / "feedback" / "release.md").read_text()
    assert "> **Your answer:** release thinks so" in text
    assert "mini.ipynb: 4/4 code cells ran, 2 with an error; first error in code cell 3: " \
           "not implemented (sgd)" in text


def test_skip_notebooks_grades_hidden_tests_only(tmp_path):
    grading, notebooks = corpus.write_notebook_fixture(tmp_path, ROOT)
    corpus._copy(ROOT / "cs231n_lite", tmp_path / "subs" / "reference")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--grading-dir", str(grading),
                 "--notebooks-dir", str(notebooks), "--workdir", str(tmp_path / "work"),
                 "--skip-notebooks"]) == 0
    assert _rows(out / "grades.csv")["reference"]["total"] == "2"
    reasons = _reasons(out / "feedback" / "reference.md")
    assert reasons["test_nb.py::test_sgd"] == ""
    assert reasons["mini-sgd"] == "not graded: notebooks skipped (--skip-notebooks)"
