"""grades.csv, feedback/<name>.md, and `cs231n-lite merge` for shard CSVs.

grades.csv columns: ``student, status, total, max``, one ``part:<name>``
subtotal per part, one column per rubric item (``<part>/<test or grade_id>``;
hand-graded answers end in `` (hand)`` and are left blank), and
``notebooks``: the student's solution cells that ran without error / all
solution cells of the rubric notebooks. Rows are sorted by student and hold
no timings, so the same submissions give the same file. Feedback goes to
``feedback/<name>`` (:func:`coursekit.grader.outfiles.feedback_name`); every
file is written atomically (:mod:`coursekit.grader.outfiles`).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from ..errors import CourseKitError
from .outfiles import feedback_name, write_atomic, write_tree

FIXED = ["student", "status", "total", "max"]


def _num(x: float) -> str:
    return f"{x:g}"


def columns(rub) -> list[str]:
    return FIXED + [f"part:{p}" for p in rub.parts] + [i.column for i in rub.items] + ["notebooks"]


def _notebooks_cell(result) -> str:
    if not result.notebooks:
        return ""
    clean = sum(c.get("clean", 0) for _, c in result.notebooks)
    return f"{clean}/{sum(c.get('solutions', 0) for _, c in result.notebooks)}"


def row(result, rub) -> dict:
    out = {"student": result.student, "status": result.status, "total": _num(result.total),
           "max": _num(rub.auto_points), "notebooks": _notebooks_cell(result)}
    for part in rub.parts:
        out[f"part:{part}"] = _num(sum(s.points for s in result.scores
                                       if s.item.part == part and s.points is not None))
    for s in result.scores:
        out[s.item.column] = "" if s.points is None else _num(s.points)
    return out


def csv_text(results, rub) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(rub), lineterminator="\n")
    writer.writeheader()
    for result in sorted(results, key=lambda r: r.student):
        writer.writerow(row(result, rub))
    return buf.getvalue()


def feedback(result, rub) -> str:
    lines = [f"# Feedback: {result.student}", "", f"Status: {result.status}",
             f"Score: {_num(result.total)} / {_num(rub.auto_points)} (automatic)", ""]
    for part, points in rub.parts.items():
        mine = [s for s in result.scores if s.item.part == part]
        got = sum(s.points for s in mine if s.points is not None)
        auto = sum(s.item.points for s in mine if s.points is not None)
        lines += [f"## {part}: {_num(got)} / {_num(auto)}", ""]
        for s in mine:
            mark = "hand graded" if s.points is None else f"{_num(s.points)}/{_num(s.item.points)}"
            why = "" if s.points is None or s.points == s.item.points else f" -- {s.reason}"
            lines.append(f"- {s.item.key}: {mark}{why}")
        lines.append("")
    lines += _notebook_lines(result) + _answer_lines(result)
    return "\n".join(lines).rstrip() + "\n"


def _notebook_lines(result) -> list[str]:
    if not result.notebooks:
        return []
    lines = ["## Your notebooks (completion)", ""]
    for name, c in result.notebooks:
        text = f"- {name}: {c.get('clean', 0)}/{c.get('solutions', 0)} solution cells ran without error"
        text += f"; first error in {c['first_error']}" if c.get("first_error") else ""
        text += f"; {c['problem']}" if c.get("problem") else ""
        lines.append(text)
    return lines + [""]


def _answer_lines(result) -> list[str]:
    if not result.answers:
        return []
    lines = ["## Written answers (hand graded)", ""]
    for item, text in result.answers:
        lines += [f"### {item.notebook} {item.key} ({_num(item.points)} points)", ""]
        lines += ["> " + ln for ln in (text.strip() or "(empty)").splitlines()] + [""]
    return lines


def write_all(results, rub, out: Path) -> None:
    """grades.csv and one feedback file per student, each written atomically."""
    feedback_files = {feedback_name(r.student): feedback(r, rub) for r in results}
    write_tree(out, {"grades.csv": csv_text(results, rub)}, feedback_files)


def progress_line(result, rub) -> str:
    return f"{result.student}: {_num(result.total)}/{_num(rub.auto_points)} {result.status}"


def summary_line(results, rub, out: Path, shard=None) -> str:
    graded = [r for r in results if r.status.startswith("graded")]
    mean = sum(r.total for r in graded) / len(graded) if graded else 0.0
    where = f" (shard {shard[0]}/{shard[1]})" if shard else ""
    return (f"grade: {len(results)} submissions{where}: {len(graded)} graded, "
            f"{len(results) - len(graded)} rejected or failed; mean {mean:.1f}/"
            f"{_num(rub.auto_points)}; wrote {out / 'grades.csv'}")


# ------------------------------------------------------------------- merge
def _read(path: Path) -> tuple[list[str], list[dict]]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            return list(reader.fieldnames or []), list(reader)
    except OSError as err:
        raise CourseKitError(f"cannot read {path}: {err.strerror}") from None


def merge(paths: list[Path]) -> tuple[str, int]:
    """Merged CSV text and its number of students; refuses duplicates and column drift."""
    header, seen, rows = None, {}, []
    for path in paths:
        cols, mine = _read(path)
        if "student" not in cols:
            raise CourseKitError(f"{path} is not a grades.csv (no student column)")
        if header is None:
            header = cols
        elif cols != header:
            diff = sorted(set(cols) ^ set(header)) or ["the column order"]
            raise CourseKitError(f"{path} has different columns than {paths[0]}: {', '.join(diff[:5])}")
        for r in mine:
            if r["student"] in seen:
                raise CourseKitError(f"student {r['student']} appears in both {seen[r['student']]} and {path}")
            seen[r["student"]] = path
            rows.append(r)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(sorted(rows, key=lambda r: r["student"]))
    return buf.getvalue(), len(rows)


def main(args) -> int:
    text, count = merge([Path(p) for p in args.csv])
    out = Path(args.out).absolute()
    folder_fd = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        write_atomic(folder_fd, out.name, text)
    finally:
        os.close(folder_fd)
    print(f"merge: {count} students from {len(args.csv)} files -> {args.out}")
    return 0
