"""`cs231n-lite grade` against the hostile corpus, through the boundary the docs recommend.

The corpus (tests/grading_corpus.py) is graded twice: with the default
boundary (bubblewrap; CI installs it and runs as root) and with the root
floor forced (``--sandbox namespaces``: no bubblewrap). Each time: every
submission gets a row with the reasons the docs promise, nothing outside the
sandboxes changed (the instructor tree, HOME, the other submissions, --out)
and nothing the sandboxes started is still running when `grade` returns.
Limits are small (5 s per test, 2 GB) to keep this fast.
"""

import csv
import os
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

import grading_corpus as corpus
from coursekit.cli import main
from coursekit.grader import boundary, gradebook
from coursekit.grader.outfiles import feedback_name
from coursekit.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTOR = [ROOT / "grading", ROOT / "notebooks", ROOT / "cs231n_lite", ROOT / "coursekit"]
pytestmark = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                reason="no sandbox here: needs root or bubblewrap")




def run_uids() -> range:
    """The sandbox uids of a `grade` run in this process (root only)."""
    base = boundary.run_uid_base()
    return range(base, base + boundary.SLOTS_PER_RUN)


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "kit"
    build_release(ROOT, out)
    return out


def _modes():
    modes = ["auto"]
    if os.geteuid() == 0:
        modes.append("namespaces")  # the floor without bubblewrap
    return modes


@pytest.fixture(scope="module", params=_modes())
def hostile(request, tmp_path_factory, release):
    base = tmp_path_factory.mktemp(f"hostile-{request.param}")
    work, out = base / "work", base / "out"
    work.mkdir()
    canary = Path.home() / f".coursekit-canary-{uuid.uuid4().hex}"
    canary.write_text("untouched")
    home_before = set(os.listdir(Path.home()))
    try:
        expect = corpus.build(base / "subs", ROOT, release / "cs231n_lite", {"canary": canary, "out": out})
        grading = corpus.write_mini_grading(base / "grading", ROOT)
        watched = [*INSTRUCTOR, base / "subs", grading, canary]
        before = corpus.snapshot(*watched)
        start = time.monotonic()
        rc = main(["grade", str(base / "subs"), "--out", str(out), "--grading-dir", str(grading),
                   "--notebooks-dir", str(base / "no-notebooks"), "--workdir", str(work),
                   "--jobs", "2", "--sandbox", request.param])
        elapsed = time.monotonic() - start
        yield {"base": base, "expect": expect, "out": out, "rc": rc, "work": work, "mode": request.param,
               "changed": _changes(before, corpus.snapshot(*watched)), "elapsed": elapsed,
               "home_new": set(os.listdir(Path.home())) - home_before, "grading": grading,
               "leftovers": corpus.leftover_processes([str(base).encode(), b"coursekit-corpus-daemon"],
                                                      run_uids())}
    finally:
        canary.unlink()


def _changes(before: dict, after: dict) -> list:
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def test_every_submission_gets_a_row(hostile):
    assert hostile["rc"] == 0
    assert set(corpus.rows(hostile["out"] / "grades.csv")) == set(hostile["expect"])


@pytest.mark.parametrize("student", sorted(corpus.EXPECTED_STUDENTS))
def test_scores_and_reasons(hostile, student):
    row = corpus.rows(hostile["out"] / "grades.csv")[student]
    reasons = corpus.reasons(hostile["out"] / "feedback" / feedback_name(student))
    for column, want in hostile["expect"][student].items():
        if column == "status":
            assert row["status"].startswith(want), f"{student}: status {row['status']!r}"
            continue
        key = column.split("/", 1)[1]
        if want == "full":
            assert float(row[column]) > 0 and reasons[key] == "", f"{student} {column}: {reasons[key]}"
        else:
            assert float(row[column]) == 0, f"{student} {column} should score 0"
            assert want == "zero" or want in reasons[key], f"{student} {column}: {reasons[key]!r} lacks {want!r}"
    assert float(row["total"]) == sum(float(row[c]) for c in corpus.ITEMS)


def test_nothing_outside_the_sandboxes_changed(hostile):
    assert hostile["changed"] == []  # instructor tree, grading dir, submissions, HOME canary
    assert {n for n in hostile["home_new"] if "escaped" in n or "coursekit" in n} == set()
    assert sorted(p.name for p in hostile["work"].iterdir()) == []  # sandboxes removed
    out = hostile["out"]
    assert sorted(p.name for p in out.iterdir()) == ["feedback", "grades.csv"]
    assert not (out / "grades.csv").is_symlink()
    assert len(list((out / "feedback").iterdir())) == len(hostile["expect"])
    assert not list(hostile["base"].rglob("zip-slip-escaped.py"))
    assert not list(hostile["base"].rglob("escaped*.txt"))
    assert not Path("/tmp/coursekit-corpus-pwned").exists()


def test_nothing_is_left_running(hostile):
    assert hostile["leftovers"] == []


def test_feedback_names_are_distinct_and_bounded(hostile):
    names = sorted(p.name for p in (hostile["out"] / "feedback").iterdir())
    assert feedback_name("bob smith") in names and feedback_name("bob_smith") in names
    assert feedback_name("bob smith") != feedback_name("bob_smith")
    assert max(len(n) for n in names) <= 60
    text = (hostile["out"] / "feedback" / feedback_name(corpus.LONG_ID)).read_text()
    assert text.startswith(f"# Feedback: {corpus.LONG_ID}")


def test_time_per_submission_is_bounded(hostile):
    # hangs cost their own tests' 5 s, never the budget; 2 jobs
    assert hostile["elapsed"] < 8 * len(hostile["expect"])


def test_two_shards_merged_equal_one_run(hostile, tmp_path):
    if hostile["mode"] != "auto":
        pytest.skip("sharding does not depend on the boundary")
    subs = tmp_path / "subs"
    for name in ("correct", "partial", "syntax_error", "bob smith", "bob_smith", "untouched.zip"):
        src = hostile["base"] / "subs" / name
        shutil.copytree(src, subs / name) if src.is_dir() else shutil.copyfile(src, subs / name)
    args = ["--grading-dir", str(hostile["grading"]), "--notebooks-dir", str(tmp_path / "none"),
            "--workdir", str(tmp_path / "work"), "--jobs", "2"]
    assert main(["grade", str(subs), "--out", str(tmp_path / "all"), *args]) == 0
    parts = []
    for k in (1, 2):
        assert main(["grade", str(subs), "--out", str(tmp_path / f"shard{k}"), "--shard", f"{k}/2", *args]) == 0
        parts.append(tmp_path / f"shard{k}" / "grades.csv")
    assert all(0 < len(corpus.rows(p)) < 6 for p in parts)
    assert main(["merge", *map(str, parts), "--out", str(tmp_path / "merged.csv")]) == 0
    assert (tmp_path / "merged.csv").read_text() == (tmp_path / "all" / "grades.csv").read_text()
    assert (tmp_path / "all" / "grades.csv").read_text() == _subset(hostile["out"] / "grades.csv", subs)


def _subset(csv_path: Path, subs: Path) -> str:
    wanted = {p.name[:-4] if p.name.endswith(".zip") else p.name for p in subs.iterdir()}
    lines = csv_path.read_text().splitlines(keepends=True)
    return lines[0] + "".join(ln for ln in lines[1:] if next(csv.reader([ln]))[0] in wanted)


def test_merge_refuses_duplicates_and_column_drift(tmp_path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    a.write_text("student,status,total\nann,graded,3\n")
    b.write_text("student,status,total\nann,graded,4\n")
    c.write_text("student,status,total,extra\nbob,graded,4,1\n")
    with pytest.raises(Exception, match="student ann appears in both"):
        gradebook.merge([a, b])
    with pytest.raises(Exception, match="different columns .*extra"):
        gradebook.merge([a, c])


def test_out_is_written_atomically_never_through_links(tmp_path, release, capsys):
    grading = corpus.write_mini_grading(tmp_path / "grading", ROOT)
    corpus._copy(release / "cs231n_lite", tmp_path / "subs" / "ann")
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "grades.csv").symlink_to(victim)
    (out / "feedback" / feedback_name("ann")).symlink_to(victim)
    args = ["--grading-dir", str(grading), "--notebooks-dir", str(tmp_path / "none"),
            "--workdir", str(tmp_path / "work")]
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), *args]) == 0
    assert victim.read_text() == "untouched"
    assert not (out / "grades.csv").is_symlink() and "ann,graded" in (out / "grades.csv").read_text()
    assert not (out / "feedback" / feedback_name("ann")).is_symlink()
    assert not [p for p in out.rglob("*.tmp")]
    linked = tmp_path / "linked-out"
    linked.symlink_to(out)
    capsys.readouterr()
    assert main(["grade", str(tmp_path / "subs"), "--out", str(linked), *args]) == 1
    assert "is not a plain folder" in capsys.readouterr().err


def test_real_hidden_tests_reference_full_marks_release_not_implemented(tmp_path, release):
    subs = tmp_path / "subs"
    corpus._copy(ROOT / "cs231n_lite", subs / "reference")
    corpus._copy(release / "cs231n_lite", subs / "release")
    out = tmp_path / "out"
    assert main(["grade", str(subs), "--out", str(out), "--jobs", "2", "--workdir",
                 str(tmp_path / "work"), "--timeout", "20", "--memory", "2048",
                 "--skip-notebooks"]) == 0  # the notebooks: tests/test_grade_notebooks.py
    rows = corpus.rows(out / "grades.csv")
    from coursekit.grader.rubric import load

    tests = load(ROOT / "grading", ROOT / "notebooks").of_kind("tests")
    assert float(rows["reference"]["total"]) == sum(i.points for i in tests) >= 70
    assert all(float(rows["reference"][i.column]) == i.points for i in tests)
    assert rows["release"]["total"] == "0"
    reasons = corpus.reasons(out / "feedback" / feedback_name("release"))
    assert all(reasons[i.key].startswith("not implemented (") for i in tests)


def test_a_judge_that_dies_or_hangs_costs_only_its_row(tmp_path):
    from coursekit.grader import supervise

    log = tmp_path / "judge.log"
    dead = supervise.run_judge({}, log, wall=60)  # no job: the judge fails at once
    assert dead["status"].startswith("error: the grader's judge process failed (exit code 1): KeyError")
    start = time.monotonic()
    hung = supervise.run_judge({}, log, wall=1, command=[sys.executable, "-c", "import time; time.sleep(60)"])
    assert hung["status"] == "error: grading this submission took over 1 s and was stopped"
    assert time.monotonic() - start < 10


def test_unsafe_no_sandbox_grades_trusted_code_and_says_so(tmp_path, release, capsys):
    grading = corpus.write_mini_grading(tmp_path / "grading", ROOT)
    corpus._copy(ROOT / "cs231n_lite", tmp_path / "subs" / "reference")
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--grading-dir", str(grading),
                 "--notebooks-dir", str(tmp_path / "none"), "--workdir", str(tmp_path / "work"),
                 "--unsafe-no-sandbox"]) == 0
    assert "--unsafe-no-sandbox: student code runs as you" in capsys.readouterr().err
    assert corpus.rows(out / "grades.csv")["reference"]["total"] == "10"
