"""`cs231n-lite gradescope`: the autograder zip, run as Gradescope runs it, on this machine.

The zip is unpacked into ``ROOT/source`` of a temporary ``AUTOGRADER_ROOT``
(Gradescope's ``/autograder``), a submission is placed in ``ROOT/submission``
and the zip's own ``run_autograder`` is run with bash, as Gradescope does.
Every ``results.json`` is validated against the JSON schema of Gradescope's
format kept in the repo (coursekit/grader/gradescope_results.schema.json).

Three submissions, as the issue asks: the reference (uploaded as the zip
`cs231n-lite collect` writes), an untouched release (its package and
notebooks uploaded as they are) and a hostile one (the release plus code that
forges results.json, reads the hidden tests and writes into the autograder's
folders). ``setup.sh`` itself is run once, with ``apt-get`` replaced by a stub
and the oldest Python the kit supports (Gradescope's default Ubuntu 22.04 has
3.10), and the reference is graded with the venv it made.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import grading_corpus as corpus
from coursekit.cli import main
from coursekit.grader import gradescope, rubric
from coursekit.release.build import build_release

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "coursekit" / "grader" / "gradescope_results.schema.json").read_text())
RUBRIC = rubric.load(ROOT / "grading", ROOT / "notebooks")
FLOOR_PYTHON = Path(os.environ.get("FLOOR_PYTHON", Path.home() / ".pyenv/versions/3.10.13/bin/python"))
needs_sandbox = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                   reason="no sandbox here: needs root or bubblewrap")


def validate(doc: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory):
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    assert main(["gradescope", str(out), "--root", str(ROOT)]) == 0
    return out


def layout(base: Path, autograder_zip: Path) -> Path:
    """A fresh AUTOGRADER_ROOT: the zip unpacked into source/ (modes kept), an empty submission/."""
    root = base / "autograder"
    with zipfile.ZipFile(autograder_zip) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():
            mode = info.external_attr >> 16
            if mode:
                os.chmod(root / "source" / info.filename, stat.S_IMODE(mode))
    (root / "submission").mkdir()
    return root


def run_autograder(root: Path, python: str = sys.executable, home: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CS231N_LITE_", "PYTHON"))}
    env.update(AUTOGRADER_ROOT=str(root), CS231N_LITE_HOME=str(home or root.parent / "install"))
    if python:
        env["CS231N_LITE_PYTHON"] = python
    if not home:  # the sample is already in this machine's cache: no need to make it again
        from coursekit.paths import cache_dir
        env["CS231N_LITE_CACHE"] = str(cache_dir())
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    doc = json.loads((root / "results" / "results.json").read_text())
    validate(doc)
    return doc


def by_kind(doc: dict) -> dict:
    kinds = {"hidden test": [], "notebook check cell": [], "written answer": []}
    for t in doc["tests"]:
        kinds[t["tags"][1]].append(t)
    return kinds


# ------------------------------------------------------------------ the zip
def test_zip_holds_what_gradescope_runs_and_is_reproducible(autograder_zip, tmp_path):
    with zipfile.ZipFile(autograder_zip) as zf:
        names = zf.namelist()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        requirements = zf.read("requirements.txt").decode()
        constraints = zf.read("constraints.txt").decode()
    assert {"setup.sh", "run_autograder", "requirements.txt", "constraints.txt"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    for rel in ("kit/grading/rubric.toml", "kit/pyproject.toml", "kit/cs231n_lite/optim.py",
                "kit/coursekit/grader/gradescope.py", "kit/notebooks/knn.ipynb"):
        assert rel in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or ".egg-info" in n
                or n.startswith("kit/grading/scale-out/")]
    from coursekit._toml import tomllib
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = [ln for ln in requirements.splitlines() if ln and not ln.startswith("#")]
    assert lines[:-1] == deps and lines[-1].startswith("pytest")
    assert constraints == (ROOT / ".ci" / "floor-constraints.txt").read_text()
    again = tmp_path / "again.zip"
    assert main(["gradescope", str(again), "--root", str(ROOT)]) == 0
    assert again.read_bytes() == autograder_zip.read_bytes()
    for script in ("setup.sh", "run_autograder"):
        text = zipfile.ZipFile(autograder_zip).read(script).decode()
        check = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert check.returncode == 0, f"{script}: {check.stderr}"


def test_zip_refuses_to_overwrite_or_to_leave_the_instructor_tree(autograder_zip, tmp_path, capsys):
    assert main(["gradescope", str(autograder_zip), "--root", str(ROOT)]) == 1
    assert "already exists" in capsys.readouterr().err
    release = tmp_path / "kit"
    build_release(ROOT, release)
    assert main(["gradescope", str(tmp_path / "a.zip"), "--root", str(release)]) == 1
    assert "not the instructors' repository" in capsys.readouterr().err
    assert main(["gradescope", str(tmp_path / "a.tar"), "--root", str(ROOT)]) == 1
    assert "must end in .zip" in capsys.readouterr().err


def test_the_student_release_has_no_gradescope_builder(release):
    assert not (release / "coursekit" / "grader").exists()
    assert not list(release.rglob("gradescope*"))


# ------------------------------------------------------------------ results.json, unit level
def test_schema_refuses_what_gradescope_would_not_read():
    validate({"score": 1, "tests": [{"name": "a", "score": 1, "max_score": 1, "visibility": "visible"}]})
    for bad in ({"tests": [{"name": "no score anywhere"}]},
                {"score": 1, "tests": [{"name": "a", "visibility": "later"}]},
                {"score": 1, "visibilty": "visible"},  # a misspelt key
                {"score": "ten"}):
        with pytest.raises(jsonschema.ValidationError):
            validate(bad)


def test_a_rubric_that_cannot_load_still_writes_valid_results(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "results" / "results.json").write_text('{"score": 999}')
    doc = gradescope.run(root, tmp_path / "no-kit", report=lambda *a: None)
    validate(doc)
    assert doc["score"] == 0 and "could not run" in doc["output"]
    assert json.loads((root / "results" / "results.json").read_text()) == doc


# ------------------------------------------------------------------ run_autograder, end to end
@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "kit"
    build_release(ROOT, out)
    return out


@needs_sandbox
def test_reference_as_a_collect_zip_gets_every_automatic_point(autograder_zip, tmp_path):
    root = layout(tmp_path, autograder_zip)
    assert main(["collect", "--root", str(ROOT), "--out", str(root / "submission" / "submission.zip")]) == 0
    doc = run_autograder(root)
    kinds = by_kind(doc)
    assert doc["score"] == RUBRIC.auto_points == sum(t["score"] for t in doc["tests"])
    assert [t["output"] for t in kinds["hidden test"] if t["output"] != "passed"] == []
    assert len(kinds["hidden test"]) == len(RUBRIC.of_kind("tests"))
    assert len(kinds["notebook check cell"]) == len(RUBRIC.of_kind("cells"))
    # hidden tests stay hidden until grades are published; written answers are 0-point items
    assert {t["visibility"] for t in kinds["hidden test"]} == {"after_published"}
    answers = kinds["written answer"]
    assert len(answers) == len(RUBRIC.of_kind("answers"))
    assert all(t["max_score"] == 0 and "graded by hand" in t["name"] for t in answers)
    assert answers[0]["name"] == "knn: knn.ipynb question 1 (knn-q1): written answer, 2 points, graded by hand"
    assert all("YOUR ANSWER HERE" not in t["output"] and t["output"] for t in answers)
    assert doc["stdout_visibility"] == "hidden" and "graded" in doc["output"]
    print(json.dumps({**doc, "tests": doc["tests"][:3] + answers[:1]}, indent=1))  # for the docs


@needs_sandbox
def test_untouched_release_uploaded_as_folders_scores_zero(autograder_zip, tmp_path, release):
    root = layout(tmp_path, autograder_zip)
    for folder in ("cs231n_lite", "notebooks"):
        shutil.copytree(release / folder, root / "submission" / folder)
    doc = run_autograder(root)
    kinds = by_kind(doc)
    assert doc["score"] == 0 and len(doc["tests"]) == len(RUBRIC.items)
    assert all(t["output"].startswith("not implemented (") for t in kinds["hidden test"])
    assert all(t["score"] == 0 for t in doc["tests"])


@needs_sandbox
def test_an_empty_or_ambiguous_upload_is_rejected_with_what_to_do(autograder_zip, tmp_path):
    root = layout(tmp_path, autograder_zip)
    doc = run_autograder(root)
    assert doc["score"] == 0 and "could not be graded" in doc["output"]
    assert "cs231n-lite collect" in doc["output"]
    (root / "submission" / "a.zip").write_bytes(b"x")
    (root / "submission" / "b.zip").write_bytes(b"x")
    doc = run_autograder(root)
    assert "2 zip files were uploaded" in doc["output"]


HOSTILE = '''
import os as _os
_root = {root!r}
_found = []
for _path in ("/autograder/source/kit/grading/rubric.toml", _root + "/source/kit/grading/rubric.toml",
              _root + "/source/kit/grading/test_knn.py", _root + "/source/run_autograder"):
    try:
        with open(_path) as _f:
            _found.append("LEAKED " + _f.read(200))
    except OSError:
        pass
_forged = '{{"score": 999, "output": "FORGED", "tests": []}}'
for _path in ("/autograder/results/results.json", _root + "/results/results.json",
              _root + "/results/forged.txt", _root + "/source/kit/grading/rubric.toml",
              _root + "/source/run_autograder"):
    try:
        with open(_path, "w") as _f:
            _f.write(_forged)
        _found.append("WROTE " + _path)
    except OSError:
        pass
for _name in ("results", "source"):
    try:
        _os.symlink("/tmp", _root + "/" + _name + "-link")
        _found.append("LINKED " + _name)
    except OSError:
        pass
if _found:
    raise ImportError("ESCAPED: " + " | ".join(_found))
'''


@needs_sandbox
def test_hostile_upload_cannot_forge_results_read_hidden_tests_or_write_outside(autograder_zip, tmp_path,
                                                                                release):
    root = layout(tmp_path, autograder_zip)
    sub = root / "submission" / "my-work"  # one folder down, as a student's zip often is
    shutil.copytree(release / "cs231n_lite", sub / "cs231n_lite")
    shutil.copytree(release / "notebooks", sub / "notebooks")
    corpus._append(sub / "cs231n_lite", HOSTILE.format(root=str(root)))
    before = corpus.snapshot(root / "source")
    doc = run_autograder(root)
    text = (root / "results" / "results.json").read_text()
    assert "ESCAPED" not in text and "LEAKED" not in text and "FORGED" not in text
    assert doc["score"] == 0 and doc["output"].startswith("cs231n-lite autograder: graded")
    assert corpus.snapshot(root / "source") == before
    assert sorted(p.name for p in (root / "results").iterdir()) == ["results.json"]
    assert not [p for p in root.iterdir() if p.name.endswith("-link")]


@needs_sandbox
@pytest.mark.skipif(os.geteuid() != 0 or not FLOOR_PYTHON.exists(),
                    reason="setup.sh runs as root (as on Gradescope) with Python 3.10")
@pytest.mark.skipif(sys.version_info[:2] == (3, 10),
                    reason="setup.sh uses Python 3.10 whatever Python runs the tests: the main run covers it")
def test_setup_sh_installs_a_python_that_grades(autograder_zip, tmp_path):
    """setup.sh as Gradescope runs it once per image: apt-get is a stub here (it logs what it
    would install); `python3` is the oldest Python the kit supports, like Ubuntu 22.04's."""
    root = layout(tmp_path, autograder_zip)
    stubs = tmp_path / "bin"
    stubs.mkdir()
    (stubs / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/apt.log\n')
    (stubs / "apt-get").chmod(0o755)
    (stubs / "python3").symlink_to(FLOOR_PYTHON)
    home = tmp_path / "install"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CS231N_LITE_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(AUTOGRADER_ROOT=str(root), CS231N_LITE_HOME=str(home),
               PATH=f"{stubs}:{env.get('PATH', '/usr/bin:/bin')}")
    proc = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, capture_output=True,
                          text=True, timeout=1500)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "bubblewrap" in (tmp_path / "apt.log").read_text()
    venv_python = home / "venv" / "bin" / "python"
    pins = dict(ln.split("==") for ln in (ROOT / ".ci" / "floor-constraints.txt").read_text().splitlines()
                if "==" in ln and not ln.startswith("#"))
    versions = subprocess.run([str(venv_python), "-c", "import numpy, scipy; print(numpy.__version__, "
                               "scipy.__version__)"], capture_output=True, text=True).stdout.split()
    assert versions == [pins["numpy"], pins["scipy"]]  # CI's floor pins on Python 3.10
    assert list((home / "cache").iterdir())  # the sample, made once at setup
    for folder in ("cs231n_lite", "notebooks"):
        shutil.copytree(ROOT / folder, root / "submission" / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    doc = run_autograder(root, python="", home=home)  # run_autograder's own default Python
    assert doc["score"] == RUBRIC.auto_points, doc["output"]
