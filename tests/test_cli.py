"""The `cs231n-lite` command: dispatch, one-line errors, rubric validation, submission safety."""

import stat
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit import cli
from coursekit.grader.rubric import RubricError, load
from coursekit.grader.submissions import SubmissionError, extract_zip, shard_of

ROOT = Path(__file__).resolve().parents[1]


def _one_line(capsys) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


def test_console_script_lists_every_command():
    script = Path(sys.executable).parent / "cs231n-lite"
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for command in ("run", "data", "release", "check", "collect", "grade", "merge"):
        assert command in proc.stdout


def test_usage_errors_are_one_line(capsys):
    assert cli.main(["grade"]) == 2
    assert _one_line(capsys).startswith("cs231n-lite grade: error: the following arguments are required")
    assert cli.main(["frobnicate"]) == 2
    assert "invalid choice: 'frobnicate'" in _one_line(capsys)


def test_run_hands_its_arguments_to_the_runner(monkeypatch):
    seen = []
    fake = types.SimpleNamespace(main=lambda argv: seen.append(argv) or 7)
    monkeypatch.setitem(sys.modules, "coursekit.student.runner", fake)
    assert cli.main(["run", "--data", "sample", "--only", "knn"]) == 7
    assert seen == [["--data", "sample", "--only", "knn"]]


def test_data_download_hands_its_arguments_on(monkeypatch):
    seen = []
    fake = types.SimpleNamespace(main=lambda argv: seen.append(argv) or 0)
    monkeypatch.setitem(sys.modules, "cs231n_lite.download", fake)
    assert cli.main(["data", "download", "--dest", "x"]) == 0
    assert seen == [["--dest", "x"]]


def test_missing_module_is_one_line(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "cs231n_lite.download", None)
    assert cli.main(["data", "download"]) == 1
    assert _one_line(capsys).startswith("cs231n-lite data: error: cs231n_lite.download is not available")


def test_unexpected_errors_are_one_line(monkeypatch, capsys):
    import coursekit.release.build

    monkeypatch.setattr(coursekit.release.build, "main", lambda args: 1 / 0)
    monkeypatch.delenv("COURSEKIT_DEBUG", raising=False)
    assert cli.main(["release", "somewhere"]) == 1
    assert _one_line(capsys) == ("cs231n-lite release: internal error: ZeroDivisionError: division by "
                                 "zero (set COURSEKIT_DEBUG=1 for the traceback)")


@pytest.mark.parametrize("args, message", [
    (["grade", "/nonexistent/subs", "--out", "o"], "/nonexistent/subs is not a folder of submissions"),
    (["grade", ".", "--out", "o", "--shard", "3/2"], "--shard K/N needs 1 <= K <= N, got '3/2'"),
    (["grade", ".", "--out", "o", "--shard", "half"], "--shard must look like K/N"),
    (["grade", ".", "--out", "o", "--jobs", "0"], "--jobs must be >= 1"),
    (["merge", "/nonexistent.csv", "--out", "m.csv"], "cannot read /nonexistent.csv"),
])
def test_grade_and_merge_errors_are_one_line(args, message, capsys):
    assert cli.main(args) == 1
    assert message in _one_line(capsys)


def test_release_command_and_its_refusal(tmp_path, capsys):
    out = tmp_path / "kit"
    assert cli.main(["release", str(out), "--root", str(ROOT)]) == 0
    assert capsys.readouterr().out.startswith("release: wrote ")
    assert cli.main(["release", str(out), "--root", str(ROOT)]) == 1
    assert "already exists and is not empty" in _one_line(capsys)


def _rubric(tmp_path, body, tests="def test_a():\n    pass\n"):
    grading = tmp_path / "grading"
    grading.mkdir(exist_ok=True)
    (grading / "test_x.py").write_text(tests)
    (grading / "rubric.toml").write_text(body)
    return grading


def test_rubric_loads_and_checks_totals(tmp_path):
    ok = '[parts.p]\npoints = 3\n[parts.p.tests]\n"test_x.py::test_a" = 3\n'
    rub = load(_rubric(tmp_path, ok), tmp_path / "none")
    assert rub.auto_points == 3 and rub.limits.timeout == 60
    with pytest.raises(RubricError, match="part p: its items add up to 3 points, but points = 5"):
        load(_rubric(tmp_path, ok.replace("points = 3", "points = 5")), tmp_path)
    with pytest.raises(RubricError, match="hidden test test_x.py::test_b has no points"):
        load(_rubric(tmp_path, ok, "def test_a():\n    pass\ndef test_b():\n    pass\n"), tmp_path)
    with pytest.raises(RubricError, match="test test_x.py::test_a does not exist"):
        load(_rubric(tmp_path, ok, "def test_z():\n    pass\n"), tmp_path)


def test_rubric_must_match_the_reference_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("assert True")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": 2, "grade_id": "c1"}
    nb.cells = [cell]
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, tmp_path / "nbs" / "p.ipynb")
    base = '[parts.p]\npoints = 5\nnotebook = "p.ipynb"\n[parts.p.tests]\n"test_x.py::test_a" = 3\n'
    load(_rubric(tmp_path, base + '[parts.p.cells]\n"c1" = 2\n'), tmp_path / "nbs")
    with pytest.raises(RubricError, match="cell 'c1' has 2 points in its metadata but 1 in the rubric"):
        load(_rubric(tmp_path, base.replace("= 5", "= 4") + '[parts.p.cells]\n"c1" = 1\n'), tmp_path / "nbs")
    with pytest.raises(RubricError, match="graded cell 'c1' of p.ipynb is not in parts.p"):
        load(_rubric(tmp_path, base.replace("= 5", "= 3")), tmp_path / "nbs")


def test_real_rubric_matches_hidden_tests_and_cs231n_weights():
    rub = load(ROOT / "grading", ROOT / "notebooks")
    assert rub.parts == {"knn": 20, "svm": 25, "softmax": 20, "two_layer_net": 25, "optim": 15,
                         "features": 10, "fc_net": 20}


def test_shards_are_stable_and_cover_everyone():
    students = [f"student{i:03d}" for i in range(200)]
    shards = [shard_of(s, 4) for s in students]
    assert set(shards) == {1, 2, 3, 4} and min(shards.count(k) for k in range(1, 5)) > 30
    assert shard_of("alice", 4) == shard_of("alice", 4)


@pytest.mark.parametrize("name, mode, message", [
    ("/etc/evil", 0o644, "unsafe path '/etc/evil'"),
    ("a/../../evil", 0o644, "unsafe path 'a/../../evil'"),
    ("link", stat.S_IFLNK | 0o777, "symbolic link 'link'"),
])
def test_unsafe_zips_are_refused_before_extraction(tmp_path, name, mode, message):
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    with zipfile.ZipFile(tmp_path / "s.zip", "w") as zf:
        zf.writestr("cs231n_lite/__init__.py", "")
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(SubmissionError, match=message):
        extract_zip(tmp_path / "s.zip", tmp_path / "dest")
    assert not (tmp_path / "dest").exists()
