"""`cs231n-lite nbgrader`: a course nbgrader releases without solutions and grades per student.

The end-to-end test runs nbgrader itself (`generate_assignment`, `autograde`,
`generate_feedback`) on a course laid out in a temporary folder:

* the FULL layout (every notebook of the manifest) goes through
  `generate_assignment`: no release file holds a solution, an instructor-only
  module or a hidden test, and the gradebook's maximum is the rubric's total;
* a course of two notebooks (`--notebooks knn softmax`, to keep the run time
  reasonable: the full notebooks take minutes per submission) is autograded
  for three submissions placed as nbgrader expects
  (`submitted/<student>/a1/`): the release as is, the reference pasted back,
  and the reference with one broken function. Their scores, read from the
  gradebook with nbgrader's API, differ as they must.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from coursekit import manifest
from coursekit.errors import CourseKitError
from coursekit.release import nbgrader as layout
from coursekit.release.build import build_release
from coursekit.release.markers import enclosing_functions, find_regions, region_owner
from kit_builder import ROOT, fill_package, paste

ASSIGNMENT = "a1"
SUBSET = ("knn", "softmax")  # hidden tests, graded check cells, 0-point proofs, written answers
BROKEN = "classifiers.k_nearest_neighbor:KNearestNeighbor.compute_distances_no_loops"
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
BIN = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH


def _env() -> dict:
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), CS231N_LITE_DATA="sample",
               MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("PYTHONPATH", None)
    return env


def _run(args, cwd, timeout=1800) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, \
        f"{' '.join(map(str, args))} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return proc


def _nbgrader(course: Path, *args) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-m", "nbgrader", *args], cwd=course)


def _layout(course: Path, *args) -> str:
    proc = _run([sys.executable, "-m", "coursekit.cli", "nbgrader", str(course), "--root", str(ROOT), *args],
                cwd=course.parent)
    return proc.stdout


# ---------------------------------------------------------------- what must never be released
def _stripped(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if len(line.strip()) >= 12}


def _region_lines(source: str, where: str, kinds, python=True) -> set[str]:
    lines = source.splitlines()
    found = set()
    for r in find_regions(source, where, python=python):
        if r.kind in kinds:
            found |= _stripped("\n".join(lines[r.begin + 1: r.end]))
    return found


def _cell_sources(path: Path) -> list[tuple[str, str]]:
    """(cell type, source) of every cell, plus the text of every output."""
    nb = nbformat.read(path, as_version=4)
    found = []
    for cell in nb.cells:
        found.append((cell.cell_type, cell.source))
        for out in cell.get("outputs", []):
            found.append(("output", str(out.get("text", "")) + str(out.get("data", ""))))
    return found


def secret_lines(source_dir: Path, kit: Path) -> set[str]:
    """Lines a student must never receive: the bodies of every solution region (package and
    notebooks), every hidden-test region of the course's source notebooks (the generated
    hidden-test cells included), the hidden tests of grading/ and the instructor-only modules;
    minus the lines the kit's own student release legitimately holds."""
    secret = set()
    for path in (ROOT / manifest.PACKAGE).rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(ROOT).as_posix()
        secret |= _region_lines(text, rel, {"solution", "hidden"})
        if not (kit / rel).exists():  # instructor-only: fast twins of student functions
            secret |= _stripped(text)
    for path in (ROOT / "grading").glob("*.py"):
        secret |= _stripped(path.read_text())
    for path in source_dir.glob("*.ipynb"):
        for kind, source in _cell_sources(path):
            if kind == "code":
                secret |= _region_lines(source, path.name, {"solution", "hidden"})
    public = set()
    for path in kit.rglob("*"):
        if path.suffix == ".ipynb":
            public |= {line for _, s in _cell_sources(path) for line in _stripped(s)}
        elif path.is_file():
            public |= _stripped(path.read_text(errors="replace"))
    return secret - public


def leaks(release_dir: Path, secret: set[str]) -> list[str]:
    """Every file:line of ``release_dir`` that holds a marker, a secret line or a stored output."""
    found = []
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(release_dir)
        if path.suffix == ".ipynb":
            texts = _cell_sources(path)
            if any(kind == "output" for kind, _ in texts):
                found.append(f"{rel}: stored outputs")
            texts = [s for _, s in texts]
        else:
            texts = [path.read_text(errors="replace")]
        for text in texts:
            for line in text.splitlines():
                if any(m in line for m in MARKERS) or line.strip() in secret:
                    found.append(f"{rel}: {line.strip()[:100]}")
    return found


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("kit") / "kit"
    build_release(ROOT, out)
    return out


# ---------------------------------------------------------------- the layout alone (fast)
def test_layout_points_add_up_and_student_files_are_kept(tmp_path):
    report = layout.build_course(ROOT, tmp_path / "course")
    source = tmp_path / "course" / "source" / ASSIGNMENT
    rubric = layout._load_rubric(ROOT / "grading")
    assert report.points == sum(p["points"] for p in rubric["parts"].values())
    assert report.notebooks == [nb.name for nb in manifest.ORDER]
    assert report.hidden_tests == sum(len(p.get("tests", {})) for p in rubric["parts"].values())
    points = 0.0
    for name in report.notebooks:
        nb = nbformat.read(source / f"{name}.ipynb", as_version=4)
        points += sum(c.metadata["nbgrader"]["points"] for c in nb.cells
                      if c.metadata.get("nbgrader", {}).get("grade"))
    assert points == report.points
    # every file with a student block is the student's at autograde, and only those
    blocks = sorted(p.relative_to(source).as_posix() for p in (source / "cs231n_lite").rglob("*.py")
                    if layout.START_LINE in p.read_text())
    assert blocks and report.student_files == blocks
    config = (tmp_path / "course" / "nbgrader_config.py").read_text()
    for rel in blocks:
        assert repr(rel) in config
    assert not (source / "cs231n_lite" / "fast").exists()
    # the package is the release's, byte for byte
    kit = tmp_path / "kit"
    build_release(ROOT, kit)
    for path in (source / "cs231n_lite").rglob("*"):
        if path.is_file():
            assert path.read_bytes() == (kit / path.relative_to(source)).read_bytes(), path


def test_layout_refusals_are_one_line_and_leave_nothing(tmp_path, monkeypatch):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("")
    with pytest.raises(CourseKitError, match="already exists and is not empty"):
        layout.build_course(ROOT, tmp_path / "full")
    with pytest.raises(CourseKitError, match="no notebook 'nope'; the assignment has knn, svm"):
        layout.build_course(ROOT, tmp_path / "c1", notebooks=["nope"])
    with pytest.raises(CourseKitError, match="is inside the repository; use a folder outside it"):
        layout.build_course(ROOT, ROOT / "course")
    with pytest.raises(CourseKitError, match="--assignment must be letters"):
        layout.build_course(ROOT, tmp_path / "c2", assignment="a/1")
    # points that do not add up: a hidden test gains a point
    real = layout._parts_by_notebook

    def inflated(rubric):
        parts = real(rubric)
        knn = parts["knn.ipynb"]
        test = next(iter(knn.tests))
        parts["knn.ipynb"] = layout.Part(knn.name, knn.points, {**knn.tests, test: knn.tests[test] + 1},
                                         knn.cells)
        return parts

    monkeypatch.setattr(layout, "_parts_by_notebook", inflated)
    knn = inflated(layout._load_rubric(ROOT / "grading"))["knn.ipynb"]
    cells, tests = sum(knn.cells.values()), sum(knn.tests.values())
    with pytest.raises(CourseKitError, match=rf"parts.knn: graded cells \({cells:g}\) and hidden tests "
                                             rf"\({tests:g}\) add up to {cells + tests:g}, "
                                             rf"expected points = {knn.points:g}"):
        layout.build_course(ROOT, tmp_path / "c3", notebooks=["knn"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_cli_lists_the_command_and_its_error_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "nbgrader", "--help"],
                          capture_output=True, text=True, env=_env())
    assert proc.returncode == 0 and "--assignment" in proc.stdout and "--notebooks" in proc.stdout
    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "x").write_text("")
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "nbgrader", str(tmp_path / "course"),
                           "--root", str(ROOT)], capture_output=True, text=True, env=_env())
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"cs231n-lite nbgrader: error: {tmp_path / 'course'} already exists "
                                        f"and is not empty; pick a new folder for the course"]


@pytest.mark.parametrize("decorator, message", [
    ("", "argument\\(s\\) tmp_path would be pytest fixtures"),
    ("@pytest.mark.skip\n", "decorator @pytest.mark.skip is not supported"),
])
def test_hidden_tests_nbgrader_cannot_run_are_refused(tmp_path, decorator, message):
    (tmp_path / "test_x.py").write_text(f"import pytest\n\n\n{decorator}def test_x(tmp_path):\n    pass\n")
    with pytest.raises(CourseKitError, match=message):
        layout._grading_sources(tmp_path, ["test_x.py::test_x"])


# ---------------------------------------------------------------- the runner, in this process
def _sources(tests: str) -> str:
    helpers = (ROOT / "grading" / "hidden_helpers.py").read_text()
    return "".join(layout.pack_sources({"hidden_helpers.py": helpers, "test_fake.py": tests}))


FAKE = '''\
import pytest
from hidden_helpers import student


def test_passes():
    assert student("classifiers.linear_svm").svm_loss_naive is not None


@pytest.mark.parametrize("a, b", [(1, 1), pytest.param(2, 2), (3, 4)])
def test_param(a, b):
    assert a == b, f"{a} != {b}"


@pytest.mark.parametrize("n", [1, 2])
def test_single(n):
    assert n in (1, 2)


def test_not_implemented():
    raise NotImplementedError("svm_loss_naive: implement this region")


def test_crash():
    return 1 / 0


def test_slow():
    while True:
        pass


class TestGroup:
    def test_method(self):
        assert False, "method ran"
'''


@pytest.mark.parametrize("test, outcome", [
    ("test_passes", None),
    ("test_single", None),
    ("test_param", "test_fake.py::test_param: wrong: 3 != 4"),
    ("test_not_implemented", "test_fake.py::test_not_implemented: not implemented: svm_loss_naive: "),
    ("test_crash", "test_fake.py::test_crash: crashed: ZeroDivisionError: division by zero"),
    ("test_slow", "test_fake.py::test_slow: timed out after 0.5 s"),
    ("TestGroup::test_method", "test_fake.py::TestGroup::test_method: wrong: method ran"),
])
def test_runner_reports_each_outcome(monkeypatch, capsys, test, outcome):
    monkeypatch.chdir(ROOT)  # the notebook's folder: the package next to it is the reference here
    run = layout._cs231n_lite_hidden_test
    before = sys.modules.get("hidden_helpers")
    if outcome is None:
        run(f"test_fake.py::{test}", _sources(FAKE), timeout=5)
        assert capsys.readouterr().out == f"test_fake.py::{test}: passed\n"
        assert sys.modules.get("hidden_helpers") is before  # the helpers lived only during the test
    else:
        with pytest.raises(AssertionError) as err:
            run(f"test_fake.py::{test}", _sources(FAKE), timeout=0.5)
        assert str(err.value).startswith(outcome)


def test_runner_refuses_a_package_that_is_not_next_to_the_notebook(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    import cs231n_lite  # noqa: F401 - the reference, as an instructor's editable install supplies it

    with pytest.raises(AssertionError, match="not graded: cs231n_lite resolves to .*, not to the package"):
        layout._cs231n_lite_hidden_test("test_fake.py::test_passes", _sources(FAKE))


def test_runner_passes_every_real_hidden_test_on_the_reference(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    rubric = layout._load_rubric(ROOT / "grading")
    tests = [t for part in rubric["parts"].values() for t in part.get("tests", {})]
    sources = "".join(layout.pack_sources(layout._grading_sources(ROOT / "grading", tests)))
    for test_id in tests:
        layout._cs231n_lite_hidden_test(test_id, sources, timeout=60)
    assert capsys.readouterr().out.count(": passed\n") == len(tests)


def test_leak_check_can_fail(tmp_path, kit):
    course = tmp_path / "course"
    layout.build_course(ROOT, course, notebooks=["knn"])
    source = course / "source" / ASSIGNMENT
    secret = secret_lines(source, kit)
    assert leaks(source / "cs231n_lite", secret) == []  # the source's package is the student version
    # plant the instructor's module and a fast twin: both are found, as are the source notebook's
    # solutions and hidden tests
    knn = "cs231n_lite/classifiers/k_nearest_neighbor.py"
    shutil.copy(ROOT / knn, source / knn)
    shutil.copy(ROOT / "cs231n_lite/fast/knn.py", source / "cs231n_lite/knn_fast.py")
    found = leaks(source, secret)
    for what in (knn, "cs231n_lite/knn_fast.py", "knn.ipynb: ### BEGIN SOLUTION",
                 "knn.ipynb: _CS231N_LITE_GRADING", "knn.ipynb: stored outputs"):
        assert any(f.startswith(what) for f in found), (what, found[:20])


# ---------------------------------------------------------------- nbgrader itself
def _reference_notebook(sub: Path, name: str) -> None:
    """Paste the reference's solution cells (by grade_id, markers dropped) into a submission."""
    ref = nbformat.read(ROOT / manifest.NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in ref.cells
                 if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    nb = nbformat.read(sub / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in solutions:
            cell.source = "\n".join(line for line in solutions[grade_id].splitlines()
                                    if not any(m in line for m in MARKERS))
    nbformat.write(nb, sub / f"{name}.ipynb")


def _break(sub: Path, function: str) -> None:
    """Paste into the student blocks of ``function``'s file the reference, except that
    ``function`` drops its square root (squared distances), or raises if it has none."""
    module, qualname = function.split(":")
    rel = manifest.module_file(module)
    source = (ROOT / rel).read_text()
    lines, functions = source.splitlines(), enclosing_functions(source)
    for r in reversed(find_regions(source, rel)):
        if r.kind == "solution" and region_owner(functions, r.begin + 1, rel) == qualname:
            body = [ln for ln in lines[r.begin + 1: r.end] if "sqrt" not in ln]
            if len(body) == r.end - r.begin - 1:
                body = [f'{r.indent}raise ValueError("broken on purpose")']
            lines[r.begin + 1: r.end] = body
    path = sub / rel
    path.write_text(paste("\n".join(lines) + "\n", path.read_text(), rel, lambda owner: True))


def _submit(course: Path, student: str, release: Path) -> Path:
    """A submission where nbgrader expects it: submitted/<student>/<assignment>/."""
    sub = course / "submitted" / student / ASSIGNMENT
    shutil.copytree(release, sub)
    if student == "broken":
        _break(sub, BROKEN)  # first: fill_package leaves a file without student blocks alone
    if student != "nothing":
        fill_package(sub, manifest.all_functions())
        for nb in sub.glob("*.ipynb"):
            _reference_notebook(sub, nb.stem)
    (sub / "timestamp.txt").write_text("2024-01-01 12:00:00.000000 UTC")
    return sub


def _scores(course: Path) -> tuple[float, dict]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        max_score = gb.find_assignment(ASSIGNMENT).max_score
        result = {}
        for sub in gb.find_assignment(ASSIGNMENT).submissions:
            # (notebook, grade_id) -> (score, max score, graded by hand: a written answer)
            cells = {(nb.name, g.name): (g.score, g.max_score, g.cell.cell_type == "markdown")
                     for nb in sub.notebooks for g in nb.grades}
            result[sub.student.id] = (sub.score, cells)
    return max_score, result


def test_full_course_releases_no_solution_and_keeps_the_rubric_points(tmp_path, kit):
    course = tmp_path / "course"
    _layout(course)
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    release = course / "release" / ASSIGNMENT
    assert sorted(p.stem for p in release.glob("*.ipynb")) == sorted(nb.name for nb in manifest.ORDER)
    assert leaks(release, secret_lines(course / "source" / ASSIGNMENT, kit)) == []
    package = {p.relative_to(release).as_posix() for p in (release / "cs231n_lite").rglob("*") if p.is_file()}
    assert package == {p.relative_to(kit).as_posix() for p in (kit / "cs231n_lite").rglob("*") if p.is_file()}
    max_score, _ = _scores(course)
    rubric = layout._load_rubric(ROOT / "grading")
    assert max_score == sum(p["points"] for p in rubric["parts"].values())


def test_autograde_grades_each_students_own_package(tmp_path, kit):
    t0 = time.monotonic()
    course = tmp_path / "course"
    _layout(course, "--notebooks", *SUBSET)
    _nbgrader(course, "generate_assignment", ASSIGNMENT)
    release = course / "release" / ASSIGNMENT
    assert leaks(release, secret_lines(course / "source" / ASSIGNMENT, kit)) == []
    broken_file = manifest.module_file(BROKEN.split(":")[0])
    subs = {s: _submit(course, s, release) for s in ("nothing", "reference", "broken")}
    _nbgrader(course, "autograde", ASSIGNMENT)
    max_score, scores = _scores(course)
    rubric = layout._load_rubric(ROOT / "grading")
    parts = {p["notebook"]: p for p in rubric["parts"].values()}
    assert max_score == sum(parts[f"{n}.ipynb"]["points"] for n in SUBSET)
    by_hand = sum(mx for _, mx, hand in scores["reference"][1].values() if hand)
    nothing, reference, broken = (scores[s][0] for s in ("nothing", "reference", "broken"))
    print(f"\nnbgrader autograde scores (of {max_score:g}, {by_hand:g} by hand): nothing {nothing:g}, "
          f"broken {broken:g}, reference {reference:g}; {time.monotonic() - t0:.0f} s")
    assert reference == max_score - by_hand, "the reference must earn every automatic point: " + str(
        {k: v for k, v in scores["reference"][1].items() if v[0] != v[1] and not v[2]})
    assert nothing == 0, "an empty submission earned points: " + str(
        {k: v for k, v in scores["nothing"][1].items() if v[0]})
    lost = {k for k, (score, mx, _) in scores["broken"][1].items() if score < mx and mx > 0
            and scores["reference"][1][k][0] == mx}
    assert nothing < broken < reference and lost, (nothing, broken, reference)
    assert {nb for nb, _ in lost} == {"knn"}, lost  # only the broken function's part loses points
    # autograde graded the student's own files, not source/'s
    graded = course / "autograded"
    for student, sub in subs.items():
        assert (graded / student / ASSIGNMENT / broken_file).read_text() == (sub / broken_file).read_text()
    # feedback: the failed hidden test's reason, not the hidden tests' code
    _nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", "broken")
    html = (course / "feedback" / "broken" / ASSIGNMENT / "knn.html").read_text()
    assert ": wrong: " in html and "_CS231N_LITE_GRADING = (" not in html and "def test_" not in html
