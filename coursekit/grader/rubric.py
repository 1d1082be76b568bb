"""The grading rubric (``grading/rubric.toml``): points per hidden test and per graded cell.

Format (see docs/instructors.md)::

    [limits]                 # defaults for `grade` (its options override them);
    timeout = 30             # seconds per hidden test      (every field of
    cell_timeout = 300       # seconds per notebook cell     coursekit.grader.limits.Limits
    budget = 600             # seconds per submission        may be set here)
    memory = 4096            # MB of address space per sandboxed process

    [parts.svm]
    points = 25              # the items below must add up to this
    notebook = "svm.ipynb"   # the part's reference notebook in notebooks/

    [parts.svm.tests]        # hidden test (file::function in grading/) -> points
    "test_svm.py::test_naive_loss_lecture_example" = 3

    [parts.svm.cells]        # graded check cell (nbgrader grade_id) -> points
    "svm-loss-check" = 2

    [parts.svm.answers]      # written answer cell (grade_id) -> points, hand graded
    "svm-q1" = 2

Loading checks everything against the files: every hidden test function has
points and every rubric test exists; every graded cell of a reference
notebook is in the rubric with the points of its nbgrader metadata -- except
graded cells with ``points: 0``: instructor experiments that prove a written
answer; they run with the notebook but score nothing, and listing one in the
rubric is an error.

TOML is read here and nowhere else in the grader (one import to change for
Python 3.10, which has ``tomli`` instead of ``tomllib``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .._toml import tomllib
from ..errors import CourseKitError
from .limits import Limits

KINDS = ("tests", "cells", "answers")


class RubricError(CourseKitError):
    """The rubric does not match the hidden tests or the reference notebooks."""


@dataclass(frozen=True)
class Item:
    part: str
    kind: str  # "tests", "cells" or "answers"
    key: str  # "test_svm.py::test_x" or a grade_id
    points: float
    notebook: str = ""

    @property
    def column(self) -> str:
        return f"{self.part}/{self.key}" + (" (hand)" if self.kind == "answers" else "")


@dataclass(frozen=True)
class Rubric:
    parts: dict  # part -> points
    notebooks: dict  # part -> reference notebook file name ("" if none)
    items: tuple
    limits: Limits

    def of_kind(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @property
    def auto_points(self) -> float:
        return sum(i.points for i in self.items if i.kind != "answers")


def test_functions(grading_dir: Path) -> set[str]:
    """``file::function`` (and ``file::Class::method``) of every test in ``grading_dir``."""
    found = set()
    for path in sorted(grading_dir.rglob("test_*.py")):
        rel = path.relative_to(grading_dir).as_posix()
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        except SyntaxError as err:
            raise RubricError(f"grading/{rel}:{err.lineno}: {err.msg}") from None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                found.add(f"{rel}::{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                found |= {f"{rel}::{node.name}::{f.name}" for f in node.body
                          if isinstance(f, ast.FunctionDef) and f.name.startswith("test")}
    return found


def graded_cells(path: Path) -> dict[str, dict]:
    """grade_id -> {"kind": "cells"/"answers", "points", "code_index"} of a reference notebook."""
    nb = nbformat.read(path, as_version=4)
    found, code_index = {}, 0
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade"):
            kind = "answers" if cell.cell_type == "markdown" else "cells"
            found[meta.get("grade_id", "")] = {"kind": kind, "points": meta.get("points", 0),
                                               "code_index": code_index if kind == "cells" else None}
        code_index += cell.cell_type == "code"
    return found


def _items_of(part: str, spec: dict, notebook: str) -> list[Item]:
    items = []
    for kind in KINDS:
        table = spec.get(kind, {})
        if not isinstance(table, dict):
            raise RubricError(f"rubric: parts.{part}.{kind} must be a table of name = points")
        for key, points in table.items():
            if not isinstance(points, (int, float)) or points < 0:
                raise RubricError(f"rubric: parts.{part}.{kind}.{key!r} must be points >= 0, got {points!r}")
            items.append(Item(part, kind, key, float(points), notebook if kind != "tests" else ""))
    total = sum(i.points for i in items)
    if abs(total - float(spec.get("points", -1))) > 1e-9:
        raise RubricError(f"rubric: part {part}: its items add up to {total:g} points, "
                          f"but points = {spec.get('points')}")
    return items


def _check_tests(items: list[Item], grading_dir: Path) -> None:
    existing = test_functions(grading_dir)
    listed = {i.key for i in items if i.kind == "tests"}
    for key in sorted(listed - existing):
        raise RubricError(f"rubric: test {key} does not exist in {grading_dir}")
    for key in sorted(existing - listed):
        raise RubricError(f"rubric: hidden test {key} has no points in the rubric; add it")


def _check_cell(item: Item, name: str, meta: dict | None) -> None:
    if meta is None or meta["kind"] != item.kind:
        raise RubricError(f"rubric: {name} has no graded {item.kind[:-1]} cell {item.key!r}")
    if float(meta["points"]) == 0:
        raise RubricError(f"rubric: {name} cell {item.key!r} has 0 points in its metadata: it is an "
                          f"instructor experiment (it runs, it scores nothing); remove it from "
                          f"the rubric, or give it points in the notebook")
    if float(meta["points"]) != item.points:
        raise RubricError(f"rubric: {name} cell {item.key!r} has {meta['points']} points in "
                          f"its metadata but {item.points:g} in the rubric")


def _check_cells(items: list[Item], notebooks: dict, notebooks_dir: Path) -> None:
    for part, name in notebooks.items():
        mine = [i for i in items if i.part == part and i.kind != "tests"]
        path = notebooks_dir / name if name else None
        if not path or not path.is_file():
            if mine:
                raise RubricError(f"rubric: part {part} lists notebook cells but "
                                  f"{path or 'no notebook'} does not exist")
            continue
        cells = graded_cells(path)
        for item in mine:
            _check_cell(item, name, cells.get(item.key))
        for grade_id in sorted(set(cells) - {i.key for i in mine}):
            meta = cells[grade_id]
            if float(meta["points"] or 0) == 0:
                continue  # an instructor experiment: runs, scores nothing
            raise RubricError(f"rubric: graded cell {grade_id!r} of {name} is not in parts.{part}; "
                              f"add \"{grade_id}\" = {meta['points']} under [parts.{part}.{meta['kind']}] "
                              f"and take those points from the part's tests")


def _limits(table) -> Limits:
    if not isinstance(table, dict) or set(table) - set(Limits.names()):
        unknown = sorted(set(table) - set(Limits.names())) if isinstance(table, dict) else table
        raise RubricError(f"rubric: unknown [limits] {unknown}; known: {', '.join(Limits.names())}")
    defaults = Limits()
    try:
        limits = Limits(**{k: type(getattr(defaults, k))(v) for k, v in table.items()})
        limits.check()
    except (TypeError, ValueError) as err:
        raise RubricError(f"rubric: [limits]: {err}") from None
    return limits


def load(grading_dir: Path, notebooks_dir: Path) -> Rubric:
    path = grading_dir / "rubric.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RubricError(f"no rubric at {path}") from None
    except tomllib.TOMLDecodeError as err:
        raise RubricError(f"rubric {path}: {err}") from None
    parts = data.get("parts", {})
    if not parts:
        raise RubricError(f"rubric {path} has no [parts.*] tables")
    items, notebooks = [], {}
    for part, spec in parts.items():
        notebooks[part] = spec.get("notebook", "")
        items += _items_of(part, spec, notebooks[part])
    _check_tests(items, grading_dir)
    _check_cells(items, notebooks, notebooks_dir)
    limits = _limits(data.get("limits", {}))
    return Rubric({p: float(s.get("points", 0)) for p, s in parts.items()}, notebooks,
                  tuple(items), limits)
