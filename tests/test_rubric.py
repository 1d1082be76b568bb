"""The rubric: 0-point graded cells are experiments, [limits] takes every limit."""

import nbformat
import pytest

from coursekit.grader.rubric import RubricError, load

BASE = '[parts.p]\npoints = 5\nnotebook = "p.ipynb"\n[parts.p.tests]\n"test_x.py::test_a" = 3\n'


def _setup(tmp_path, rubric: str, cells: dict) -> tuple:
    grading, nbs = tmp_path / "grading", tmp_path / "nbs"
    grading.mkdir(parents=True)
    nbs.mkdir()
    (grading / "test_x.py").write_text("def test_a():\n    pass\n")
    (grading / "rubric.toml").write_text(rubric)
    nb = nbformat.v4.new_notebook()
    for grade_id, points in cells.items():
        cell = nbformat.v4.new_code_cell("assert True")
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "points": points, "grade_id": grade_id}
        nb.cells.append(cell)
    nbformat.write(nb, nbs / "p.ipynb")
    return grading, nbs


def test_zero_point_graded_cells_run_but_are_not_in_the_rubric(tmp_path):
    rub = load(*_setup(tmp_path, BASE + '[parts.p.cells]\n"check" = 2\n', {"check": 2, "experiment": 0}))
    assert [i.key for i in rub.of_kind("cells")] == ["check"]


def test_a_zero_point_cell_listed_with_points_is_refused(tmp_path):
    rubric = BASE + '[parts.p.cells]\n"check" = 1\n"experiment" = 1\n'
    with pytest.raises(RubricError, match="'experiment' has 0 points in its metadata: it is an "
                                          "instructor experiment"):
        load(*_setup(tmp_path, rubric, {"check": 1, "experiment": 0}))


def test_limits_take_every_field_and_name_the_unknown(tmp_path):
    rubric = '[limits]\ntimeout = 5\nprocesses = 16\nscratch = 64\nnotebook_cells = 100\n' + \
             BASE.replace("points = 5", "points = 3").replace('notebook = "p.ipynb"\n', "")
    rub = load(*_setup(tmp_path, rubric, {}))
    assert (rub.limits.timeout, rub.limits.processes, rub.limits.scratch, rub.limits.notebook_cells) == \
        (5.0, 16, 64, 100)
    with pytest.raises(RubricError, match=r"unknown \[limits\] \['procs'\]; known: timeout"):
        load(*_setup(tmp_path / "b", rubric.replace("processes", "procs"), {}))
    with pytest.raises(RubricError, match="limit memory must be >= 256 MB, got 10"):
        load(*_setup(tmp_path / "c", "[limits]\nmemory = 10\n" + rubric.split("\n", 1)[1], {}))
