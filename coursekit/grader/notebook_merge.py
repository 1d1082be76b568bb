"""The notebook the grader executes: the instructor's reference, the student's answers.

For each rubric notebook the grader reads the INSTRUCTOR's reference notebook
once, before any student code runs (:func:`plan`; the sandbox never sees
it), and each judge replaces
the source of every solution code cell (``nbgrader.solution: true``, matched
by ``grade_id``) by the student's. A solution cell missing from the student's
notebook (deleted, renamed, or no notebook at all) gets the release's stub,
so it fails clearly ("not implemented (...)"). Every other cell -- setup,
graded check cells with their hidden tests, instructor experiments -- is the
reference's own. Outputs are not used: a graded cell scores when it runs
without error (nbgrader's autograde rule).

The cells after the last solution cell or graded cell with points (plots,
closing experiments, the 0-point hidden proofs of written answers) cannot
change a grade, so they are not run: about a third of the notebooks' run
time (measured on the sample dataset).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path



@dataclass(frozen=True)
class CodeCell:
    source: str
    grade_id: str = ""
    solution: bool = False  # the student writes it
    graded: bool = False  # nbgrader.grade: its points depend on running cleanly
    points: float = 0.0


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def stubs(path: Path) -> dict[str, str]:
    """grade_id -> the release's source of each solution code cell of a reference notebook."""
    import nbformat  # the grader's side only: importing it costs seconds (jsonschema)

    from ..release.build import release_notebook

    text, _, _ = release_notebook(path.read_text(encoding="utf-8"), path.name)
    released = nbformat.reads(text, as_version=4)
    return {_meta(c).get("grade_id", ""): c.source for c in released.cells
            if c.cell_type == "code" and _meta(c).get("solution")}


def plan(path: Path) -> dict:
    """What a judge needs to build the notebook, as JSON: code cells and stubs."""
    return {"cells": [vars(c) for c in reference_cells(path)], "stubs": stubs(path)}


def from_plan(data: dict) -> tuple[list[CodeCell], dict]:
    return [CodeCell(**c) for c in data["cells"]], dict(data["stubs"])


def reference_cells(path: Path) -> list[CodeCell]:
    """The code cells of a reference notebook, in order (its code-cell indices)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = _meta(cell)
        cells.append(CodeCell(cell.source, str(meta.get("grade_id", "")), bool(meta.get("solution")),
                              bool(meta.get("grade")), float(meta.get("points", 0) or 0)))
    return cells


def _missing(cell: CodeCell) -> str:
    # never the reference's source: that would hand out the answer
    return f'raise NotImplementedError("{cell.grade_id}: this solution cell is missing from your notebook")'


def needed(cells: list[CodeCell]) -> list[CodeCell]:
    """The cells up to the last one that can change a grade: a solution cell or a graded
    cell with points. A 0-point graded cell (the hidden proof of a written answer) runs
    only when a later cell needs what it leaves behind."""
    last = max((i for i, c in enumerate(cells) if c.solution or (c.graded and c.points > 0)),
               default=-1)
    return cells[:last + 1]


def merge(cells: list[CodeCell], student_code: dict, stub: dict) -> list[str]:
    """One source per code cell: the student's for solution cells, else the reference's."""
    out = []
    for cell in cells:
        if cell.solution:
            mine = student_code.get(cell.grade_id)
            out.append(mine if isinstance(mine, str) else stub.get(cell.grade_id) or _missing(cell))
        else:
            out.append(cell.source)
    return out
