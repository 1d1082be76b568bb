"""From phase results to points: one ItemScore per rubric item, with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from .phases import PhaseResult
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
    notebooks: list = field(default_factory=list)  # completion events
    answers: list = field(default_factory=list)  # (Item, text)
    notes: list = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(s.points for s in self.scores if s.points is not None)


def _test_score(item: Item, hidden: PhaseResult) -> ItemScore:
    events = [ev for nodeid, ev in sorted(hidden.results.items())
              if nodeid == item.key or nodeid.startswith(item.key + "[")]
    failed = [ev for ev in events if ev.get("outcome") != "passed"]
    if events and not failed:
        return ItemScore(item, item.points)
    if failed:
        return ItemScore(item, 0.0, failed[0].get("reason") or "failed")
    file_error = hidden.collect_errors.get(item.key.split("::", 1)[0])
    reason = file_error or hidden.error or hidden.stop_reason or "not run"
    return ItemScore(item, 0.0, reason)


def _cell_score(item: Item, code_index, phase: PhaseResult | None) -> ItemScore:
    if phase is None:
        return ItemScore(item, 0.0, "not run")
    for ev in phase.results.values():
        if ev.get("cell") == code_index or ev.get("nodeid", "").endswith(f"::Cell {code_index}"):
            if ev.get("outcome") == "passed":
                return ItemScore(item, item.points)
            return ItemScore(item, 0.0, ev.get("reason") or "failed")
    return ItemScore(item, 0.0, phase.error or phase.stop_reason or "not run")


def score(rubric: Rubric, hidden: PhaseResult, notebook_runs: dict, cell_index: dict) -> list:
    """ItemScores in rubric order.

    ``notebook_runs``: notebook name -> PhaseResult of its nbval run;
    ``cell_index``: (notebook, grade_id) -> code-cell index in that notebook.
    """
    scores = []
    for item in rubric.items:
        if item.kind == "tests":
            scores.append(_test_score(item, hidden))
        elif item.kind == "cells":
            scores.append(_cell_score(item, cell_index.get((item.notebook, item.key)),
                                      notebook_runs.get(item.notebook)))
        else:
            scores.append(ItemScore(item, None, "hand graded"))
    return scores


def zero_scores(rubric: Rubric, reason: str) -> list:
    """Every item at 0 with the same reason (a rejected submission)."""
    return [ItemScore(i, None if i.kind == "answers" else 0.0, reason) for i in rubric.items]
