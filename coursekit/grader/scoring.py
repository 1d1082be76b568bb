"""From a judge's result to points: one ItemScore per rubric item, with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from .rubric import Item, Rubric


@dataclass(frozen=True)
class ItemScore:
    item: Item
    points: float | None  # None: hand graded
    reason: str = ""  # why points were lost ("" when full marks)


@dataclass
class StudentResult:
    student: str
    status: str  # "graded", "graded (...)", "rejected: ...", "error: ..."
    scores: list = field(default_factory=list)
    notebooks: list = field(default_factory=list)  # (notebook, completion dict)
    answers: list = field(default_factory=list)  # (Item, text)

    @property
    def total(self) -> float:
        return sum(s.points for s in self.scores if s.points is not None)


def _test_score(item: Item, judge: dict) -> ItemScore:
    tests = judge.get("tests", {})
    events = [ev for nodeid, ev in sorted(tests.items())
              if nodeid == item.key or nodeid.startswith(item.key + "[")]
    failed = [ev for ev in events if ev.get("outcome") != "passed"]
    if events and not failed:
        return ItemScore(item, item.points)
    if failed:
        return ItemScore(item, 0.0, failed[0].get("reason") or "failed")
    file_error = judge.get("collect_errors", {}).get(item.key.split("::", 1)[0])
    return ItemScore(item, 0.0, file_error or judge.get("stop_reason") or "not run")


def _cell_score(item: Item, code_index, run: dict | None, skipped: str) -> ItemScore:
    if run is None:
        return ItemScore(item, 0.0, skipped or "not run")
    cells = run.get("cells")
    if not cells or code_index is None or code_index >= len(cells):
        return ItemScore(item, 0.0, run.get("error") or "not run")
    cell = cells[code_index]
    if cell.get("ok"):
        return ItemScore(item, item.points)
    return ItemScore(item, 0.0, cell.get("reason") or "failed")


def score(rubric: Rubric, judge: dict, cell_index: dict, skipped: str = "") -> list:
    """ItemScores in rubric order; ``cell_index``: (notebook, grade_id) -> code-cell index."""
    scores = []
    for item in rubric.items:
        if item.kind == "tests":
            scores.append(_test_score(item, judge))
        elif item.kind == "cells":
            run = judge.get("notebooks", {}).get(item.notebook)
            scores.append(_cell_score(item, cell_index.get((item.notebook, item.key)), run, skipped))
        else:
            scores.append(ItemScore(item, None, "hand graded"))
    return scores


def answers(rubric: Rubric, judge: dict) -> list:
    """(Item, the student's text) for every hand-graded answer of the rubric."""
    found = judge.get("answers", {})
    return [(i, found.get(i.notebook, {}).get(i.key, "(no answer cell found)"))
            for i in rubric.of_kind("answers")]


def completion(judge: dict) -> list:
    """(notebook, {"solutions", "clean", "first_error", "problem"}) in name order."""
    runs = judge.get("notebooks", {})
    return [(name, runs[name].get("completion") or {"problem": runs[name].get("error", "not run")})
            for name in sorted(runs)]


def zero_scores(rubric: Rubric, reason: str) -> list:
    """Every item at 0 with the same reason (a rejected submission)."""
    return [ItemScore(i, None if i.kind == "answers" else 0.0, reason) for i in rubric.items]


def result_of(student: str, rubric: Rubric, judge: dict, cell_index: dict,
              skipped: str = "") -> StudentResult:
    status = judge.get("status") or "error: no result"
    if not status.startswith("graded"):
        return StudentResult(student, status, zero_scores(rubric, status))
    return StudentResult(student, status, score(rubric, judge, cell_index, skipped),
                         completion(judge), answers(rubric, judge))
