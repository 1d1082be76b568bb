"""`cs231n-lite release`: markers -> student blocks, a working kit, instructor files left out."""

import subprocess
import sys
from coursekit._toml import tomllib
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit.errors import CourseKitError
from coursekit.release.markers import MarkerError, find_regions
from coursekit.release.build import build_release, release_notebook, release_python

ROOT = Path(__file__).resolve().parents[1]
START = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"

SOURCE = '''"""Docstrings may mention ### BEGIN SOLUTION freely."""


class Model:
    def loss(self, x):
        out = 0
        # TODO: square x.
        ### BEGIN SOLUTION
        out = x * x
        ### END SOLUTION
        return out


def outer():
    def inner():
        ### BEGIN SOLUTION
        return 1
        ### END SOLUTION
    return inner


### BEGIN HIDDEN TESTS
assert Model().loss(2) == 4
### END HIDDEN TESTS
'''


def test_regions_become_student_blocks_named_after_their_function():
    text, n = release_python(SOURCE, "pkg/mod.py")
    assert n == 3
    lines = text.splitlines()
    i = lines.index("        # TODO: square x.")
    assert lines[i + 1: i + 4] == [
        "        " + START,
        '        raise NotImplementedError("Model.loss: implement this region (see the TODO above)")',
        "        " + END]
    assert '        raise NotImplementedError("outer.inner: implement this region' in text
    assert "out = x * x" not in text and "HIDDEN" not in text and "assert Model" not in text
    assert text.startswith('"""Docstrings may mention ### BEGIN SOLUTION freely."""')
    compile(text, "mod.py", "exec")


@pytest.mark.parametrize("source, message", [
    ("x = 1\n### BEGIN SOLUTION\ny = 2\n", "m.py:2: region opened here is never closed"),
    ("### END SOLUTION\n", "m.py:1: '### END SOLUTION' without a matching BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
     "m.py:2: nested '### BEGIN SOLUTION' inside the region opened at line 1"),
    ("### BEGIN HIDDEN TESTS\n### END SOLUTION\n", "m.py:2: '### END SOLUTION' without"),
    ("x = 1  # BEGIN SOLUTION\n", "m.py:1: a marker must stand alone on its line"),
])
def test_bad_markers_name_file_and_line(source, message):
    with pytest.raises(MarkerError, match=message.replace("(", r"\(")):
        find_regions(source, "m.py")


def test_single_hash_markers_count_too():
    # nbgrader strips them, so must we: a solution must never leak
    assert [r.kind for r in find_regions("# BEGIN SOLUTION\nx\n# END SOLUTION\n", "m.py")] == ["solution"]


def _notebook():
    v4 = nbformat.v4
    solution = v4.new_code_cell("k_best = None\n# TODO: cross-validate k.\n### BEGIN SOLUTION\n"
                                "k_best = 7\n### END SOLUTION\nprint(k_best)")
    solution.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "knn-cv"}
    solution.execution_count, solution.outputs = 3, [v4.new_output("stream", text="7\n")]
    in_def = v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    in_def.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "knn-f"}
    answer = v4.new_markdown_cell("**Your answer:** because k = 1 overfits")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 2, "grade_id": "knn-q1"}
    check = v4.new_code_cell("assert k_best > 0\n### BEGIN HIDDEN TESTS\nassert k_best == 7\n"
                             "### END HIDDEN TESTS")
    check.metadata["nbgrader"] = {"solution": False, "grade": True, "points": 1, "grade_id": "knn-k"}
    return v4.new_notebook(cells=[v4.new_markdown_cell("# kNN"), solution, in_def, answer, check])


def test_notebook_release_clears_solutions_answers_hidden_tests_and_outputs():
    text, regions, answers = release_notebook(nbformat.writes(_notebook()), "notebooks/knn.ipynb")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert (regions, answers) == (3, 1)
    cv = nb.cells[1]
    assert cv.source.splitlines()[:3] == ["k_best = None", "# TODO: cross-validate k.", START]
    assert 'NotImplementedError("knn.ipynb, cell 2 (knn-cv): implement this region' in cv.source
    assert cv.outputs == [] and cv.execution_count is None and "k_best = 7" not in cv.source
    assert 'NotImplementedError("f: implement' in nb.cells[2].source
    assert nb.cells[3].source == "YOUR ANSWER HERE" and nb.cells[3].metadata["nbgrader"]["points"] == 2
    assert nb.cells[4].source == "assert k_best > 0"


def test_notebook_marker_errors_name_notebook_cell_and_line():
    nb = _notebook()
    nb.cells[1].source = "x = 1\n### BEGIN SOLUTION\n"
    with pytest.raises(MarkerError, match=r"notebooks/knn.ipynb, cell 2, line 2: region opened"):
        release_notebook(nbformat.writes(nb), "notebooks/knn.ipynb")


@pytest.mark.parametrize("cell, key, message", [
    (2, "solution", r"knn.ipynb, cell 3: a solution region needs the cell metadata nbgrader.solution"),
    (4, "grade", r"knn.ipynb, cell 5: hidden tests need the cell metadata nbgrader.grade"),
])
def test_notebook_regions_follow_nbgrader_cell_rules(cell, key, message):
    nb = _notebook()
    nb.cells[cell].metadata["nbgrader"][key] = False
    with pytest.raises(MarkerError, match=message):
        release_notebook(nbformat.writes(nb), "notebooks/knn.ipynb")


def test_solution_cell_without_region_is_replaced_whole():
    nb = _notebook()
    nb.cells[2].source = "def f():\n    return 1"
    text, _, _ = release_notebook(nbformat.writes(nb), "notebooks/knn.ipynb")
    source = nbformat.reads(text, as_version=4).cells[2].source
    assert source.splitlines() == [START, 'raise NotImplementedError("knn.ipynb, cell 3 (knn-f): '
                                   'implement this region (see the TODO above)")', END]


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("rel") / "kit"
    return out, build_release(ROOT, out)


def test_release_leaves_instructor_files_out(kit):
    out, report = kit
    released = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for gone in ("grading", "benchmarks", ".ci", ".git"):
        assert not (out / gone).exists()
    assert not (out / "docs" / "instructors.md").exists()
    assert {p for p in released if p.startswith("tests/")} == {"tests/test_public_checks.py"}
    assert "tests/test_release.py" in report.left_out
    assert {"pyproject.toml", "README.md", "cs231n_lite/__init__.py", "coursekit/cli.py"} <= released
    # the students' README, nothing about grading or the instructors' tools
    readme = (out / "README.md").read_text()
    assert readme == (ROOT / "docs" / "README.student.md").read_text()
    for word in ("grading", "grade", "benchmarks", "instructors.md", ".ci", "release", "rubric"):
        assert word not in readme.lower(), word
    assert not (out / "docs").exists() or not any((out / "docs").iterdir())
    # the instructors' rooms of coursekit are marked instructor-only as packages
    assert not any(p.startswith(("coursekit/grader/", "coursekit/release/")) for p in released)
    assert "coursekit/grader/boundary.py" in report.left_out


def test_instructor_only_modules_and_packages_are_left_out(tmp_path):
    repo = _fake_repo(tmp_path, "x = 1\n")
    mark = "# coursekit: instructor-only\n"
    (repo / "cs231n_lite" / "fast.py").write_text('"""Fast paths."""\n' + mark + "y = 2\n")
    (repo / "cs231n_lite" / "late.py").write_text("\n" * 5 + mark)  # line 6: not a mark
    (repo / "cs231n_lite" / "tools" / "deep").mkdir(parents=True)
    (repo / "cs231n_lite" / "tools" / "__init__.py").write_text(mark)
    (repo / "cs231n_lite" / "tools" / "deep" / "x.py").write_text("z = 3\n")
    (repo / "cs231n_lite" / "tools" / "data.txt").write_text("z\n")
    report = build_release(repo, tmp_path / "out")
    assert sorted(report.files) == ["cs231n_lite/__init__.py", "cs231n_lite/bad.py", "cs231n_lite/late.py"]
    assert sorted(report.left_out) == ["cs231n_lite/fast.py", "cs231n_lite/tools/__init__.py",
                                       "cs231n_lite/tools/data.txt", "cs231n_lite/tools/deep/x.py"]


def test_release_has_no_solution_left(kit):
    out, report = kit
    expected = sum(len(find_regions(p.read_text(), str(p)))
                   for p in (ROOT / "cs231n_lite").rglob("*.py"))
    assert report.regions >= expected > 0
    for path in list(out.rglob("*.py")) + list(out.rglob("*.ipynb")):
        assert find_regions(path.read_text(), str(path)) == [], path
    for path in out.rglob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb.cells if c.cell_type == "code"), path


def test_released_package_imports_and_public_tests_skip(kit):
    out, _ = kit
    modules = sorted(".".join(p.relative_to(out).with_suffix("").parts)
                     for p in (out / "cs231n_lite").rglob("*.py") if p.name != "__init__.py")
    code = f"import {', '.join(modules)}, cs231n_lite; print(cs231n_lite.__file__)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=out, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out / "cs231n_lite" / "__init__.py")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=out, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                                        "PYTHONPATH": str(out)})
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert " skipped" in proc.stdout and "passed" not in proc.stdout and "failed" not in proc.stdout


def test_released_kit_declares_its_packages_and_command(kit):
    out, _ = kit
    project = tomllib.loads((out / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["cs231n-lite"] == "coursekit.cli:main"
    assert set(project["tool"]["setuptools"]["packages"]["find"]["include"]) >= {"cs231n_lite*", "coursekit*"}
    proc = subprocess.run([sys.executable, "-c", "from coursekit.cli import main; main(['--help'])"],
                          cwd=out, capture_output=True, text=True, env={"PYTHONPATH": str(out)})
    assert proc.returncode == 0 and "release" in proc.stdout and "check" in proc.stdout
    # -S: no site-packages, where this venv's editable install would supply coursekit.grader
    proc = subprocess.run([sys.executable, "-S", "-m", "coursekit.cli", "grade", "subs", "--out", "o"],
                          cwd=out, capture_output=True, text=True, env={"PYTHONPATH": str(out)})
    assert proc.returncode == 1 and proc.stderr.splitlines() == [
        "cs231n-lite grade: error: `grade` is an instructors' command; it is not part of the "
        "student kit (run it in the instructors' repository)"]


def test_released_kit_builds_a_wheel(kit, tmp_path):
    # no `wheel` package needed: setuptools >= 70.1 builds wheels itself (the floor is 77.0.1)
    out, _ = kit
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path), str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "cs231n_lite/classifiers/linear_svm.py" in names and "coursekit/cli.py" in names


def _fake_repo(tmp_path, module_text):
    repo = tmp_path / "repo"
    (repo / "cs231n_lite").mkdir(parents=True)
    (repo / "cs231n_lite" / "__init__.py").write_text("")
    (repo / "cs231n_lite" / "bad.py").write_text(module_text)
    return repo


def test_release_refuses_bad_markers_and_leaves_nothing(tmp_path):
    repo = _fake_repo(tmp_path, "def f():\n    ### BEGIN SOLUTION\n    return 1\n")
    with pytest.raises(CourseKitError, match="cs231n_lite/bad.py:2: region opened here is never closed"):
        build_release(repo, tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo"]


def test_release_refuses_a_non_empty_out_and_the_repo_itself(tmp_path):
    repo = _fake_repo(tmp_path, "x = 1\n")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "f").write_text("")
    with pytest.raises(CourseKitError, match="already exists and is not empty"):
        build_release(repo, tmp_path / "full")
    with pytest.raises(CourseKitError, match="inside the repository"):
        build_release(repo, repo / "student")
    build_release(repo, repo / "build" / "student")
    assert (repo / "build" / "student" / "cs231n_lite" / "bad.py").read_text() == "x = 1\n"


def test_source_notebooks_work_with_nbgrader():
    # nbgrader is a test dependency: a missing one fails here instead of skipping
    # (tests/test_nbgrader.py runs nbgrader itself on the course `cs231n-lite nbgrader` lays out)
    import nbgrader.preprocessors as nbgrader

    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    notebooks = [nbformat.read(p, as_version=4) for p in paths] + [_notebook()]
    for nb in notebooks:
        for pre in (nbgrader.ClearSolutions(), nbgrader.ClearHiddenTests(), nbgrader.ClearOutput()):
            nb, _ = pre.preprocess(nb, {})
        text = nbformat.writes(nb)
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
        assert "k_best = 7" not in text
