"""`cs231n-lite release OUT`: build the student kit from this repository.

What happens to each file of the repository (tracked or untracked-but-not-
ignored when it is a git checkout, else every file):

* the students' README: ``docs/README.student.md`` becomes the kit's
  ``README.md`` (the instructors' README is left out);
* left out: ``.git``, ``grading/``, ``benchmarks/``, ``.ci/``, the instructor
  docs (``docs/instructors.md``, ``docs/notebooks.md``,
  ``docs/design-notes.md``), caches and virtual
  environments; every ``.py`` file that carries the line ``# coursekit:
  instructor-only`` in its first five lines, and every package whose
  ``__init__.py`` does (the kit's fast paths, the release and grader rooms of
  coursekit); and every ``tests/`` file that does not carry the line
  ``# coursekit: public`` in its first five lines (the other tests check the
  reference solutions and would fail on the release);
* ``.py``: solution regions -> the student block, hidden-test regions removed;
  the result must still compile;
* ``.ipynb``: the same in code cells, markdown answer cells (nbgrader
  ``solution: true``) -> "YOUR ANSWER HERE", outputs and execution counts
  cleared; the result must be a valid nbformat 4 notebook;
* anything else: copied unchanged.

The kit is built in a temporary sibling folder and renamed into place, so a
failed release leaves nothing behind.
"""

from __future__ import annotations

import ast
import contextlib
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from ..errors import CourseKitError
from .markers import ANSWER_STUB, MarkerError, find_regions, strip_regions, student_block

PUBLIC_TEST_MARK = "# coursekit: public"
INSTRUCTOR_ONLY_MARK = "# coursekit: instructor-only"
EXCLUDED_TOP = {".git", "grading", "benchmarks", ".ci", ".venv", "venv", "build", "dist"}
EXCLUDED_FILES = {"docs/instructors.md", "docs/notebooks.md", "docs/design-notes.md"}
# instructor source -> student kit: the students' README replaces the instructors'
RENAMED = {"docs/README.student.md": "README.md"}
EXCLUDED_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".mypy_cache"}
EXCLUDED_SUFFIXES = (".pyc", ".pyo")


@dataclass
class ReleaseReport:
    """What a release did: files written, regions replaced, files left out."""

    files: list[str] = field(default_factory=list)
    regions: int = 0
    answers: int = 0
    left_out: list[str] = field(default_factory=list)


def list_files(root: Path) -> list[str]:
    """Relative POSIX paths of the repository's files (git-aware)."""
    if (root / ".git").exists() and shutil.which("git"):
        proc = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=False,
        )
        if proc.returncode == 0:
            names = {n for n in proc.stdout.decode().split("\0") if n}
            return sorted(n for n in names if (root / n).is_file())
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDED_PARTS | {".git"}]
        rel = Path(dirpath).relative_to(root)
        found += [(rel / f).as_posix() for f in filenames]
    return sorted(found)


def _has_mark(path: Path, mark: str) -> bool:
    """True when one of the first five lines of ``path`` is exactly ``mark``."""
    try:
        head = path.read_text(encoding="utf-8").splitlines()[:5]
    except (UnicodeDecodeError, OSError):
        return False
    return any(line.strip() == mark for line in head)


def is_public_test(path: Path) -> bool:
    """True when a tests/ file opts into the release with ``# coursekit: public``."""
    return _has_mark(path, PUBLIC_TEST_MARK)


def is_instructor_only(rel: str, root: Path) -> bool:
    """True for a .py file marked ``# coursekit: instructor-only``, or any file of a
    package whose ``__init__.py`` (at any level above it) is marked so."""
    p = PurePosixPath(rel)
    if rel.endswith(".py") and _has_mark(root / rel, INSTRUCTOR_ONLY_MARK):
        return True
    for depth in range(1, len(p.parts)):
        init = root / PurePosixPath(*p.parts[:depth]) / "__init__.py"
        if init.is_file() and _has_mark(init, INSTRUCTOR_ONLY_MARK):
            return True
    return False


def is_released(rel: str, root: Path) -> bool:
    """Whether the repository file ``rel`` belongs in the student kit."""
    p = PurePosixPath(rel)
    if p.parts[0] in EXCLUDED_TOP or rel in EXCLUDED_FILES:
        return False
    if rel in RENAMED.values() and any((root / src).is_file() for src in RENAMED):
        return False  # replaced by its student version
    if set(p.parts) & EXCLUDED_PARTS or rel.endswith(EXCLUDED_SUFFIXES):
        return False
    if any(part.endswith(".egg-info") for part in p.parts):
        return False
    if p.parts[0] == "tests":
        return is_public_test(root / rel)
    return not is_instructor_only(rel, root)


def release_python(text: str, rel: str) -> tuple[str, int]:
    """Student version of a .py source; (text, regions)."""
    new, n = strip_regions(text, rel, fallback_owner=f"{rel} (module level)")
    if n:
        try:
            ast.parse(new, filename=rel)
        except SyntaxError as err:
            raise MarkerError(
                f"{rel}:{err.lineno}: the student version does not compile ({err.msg}); "
                f"check the markers around that line"
            ) from None
    return new, n


def _cell_label(rel: str, index: int, cell) -> str:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    label = f"cell {index + 1}" + (f" ({grade_id})" if grade_id else "")
    return f"{PurePosixPath(rel).name}, {label}"


def _release_code_cell(cell, where: str, owner: str) -> tuple[str, int]:
    """nbgrader's rules: regions only in solution cells, hidden tests only in grade cells;
    a solution cell without a region is replaced whole."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    kinds = {r.kind for r in find_regions(cell.source, where)}
    cell_at = where.split(", line")[0]
    if "solution" in kinds and not meta.get("solution"):
        raise MarkerError(f"{cell_at}: a solution region needs the cell metadata "
                          f"nbgrader.solution = true (nbgrader refuses it otherwise)")
    if "hidden" in kinds and not meta.get("grade"):
        raise MarkerError(f"{cell_at}: hidden tests need the cell metadata nbgrader.grade = true")
    if meta.get("solution") and "solution" not in kinds:
        return "\n".join(student_block("", owner)), 1
    return strip_regions(cell.source, where, owner)


def release_notebook(text: str, rel: str) -> tuple[str, int, int]:
    """Student version of a notebook; (json text, regions, answer cells)."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises several types for bad JSON
        raise MarkerError(f"{rel}: not a valid notebook ({type(err).__name__}: {err})") from None
    regions = answers = 0
    for i, cell in enumerate(nb.cells):
        where, owner = f"{rel}, cell {i + 1}, line {{line}}", _cell_label(rel, i, cell)
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        if cell.cell_type == "code":
            cell.source, n = _release_code_cell(cell, where, owner)
            cell.outputs, cell.execution_count = [], None
            regions += n
        elif cell.cell_type == "markdown" and meta.get("nbgrader", {}).get("solution"):
            cell.source, answers = ANSWER_STUB, answers + 1
        elif cell.cell_type == "markdown":
            cell.source, n = strip_regions(
                cell.source, where, owner, python=False,
                solution_stub=lambda indent, _owner: [indent + ANSWER_STUB])
            regions += n
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n", regions, answers


def _write_one(root: Path, staging: Path, rel: str, report: ReleaseReport) -> None:
    src, rel = root / rel, RENAMED.get(rel, rel)
    dst = staging / rel
    dst.parent.mkdir(parents=True, exist_ok=True)
    if rel.endswith(".py"):
        text, n = release_python(src.read_text(encoding="utf-8"), rel)
        dst.write_text(text, encoding="utf-8")
        report.regions += n
    elif rel.endswith(".ipynb"):
        text, n, a = release_notebook(src.read_text(encoding="utf-8"), rel)
        dst.write_text(text, encoding="utf-8")
        report.regions, report.answers = report.regions + n, report.answers + a
    else:
        shutil.copy2(src, dst)
    report.files.append(rel)


@contextlib.contextmanager
def new_folder(out: Path, root: Path, what: str, prefix: str = ""):
    """Yield a staging folder next to ``out`` that becomes ``out`` when the block succeeds
    (nothing half-written is ever at ``out``) and is removed when it fails. ``out`` must be
    new or empty and outside the repository ``root`` (build/ and dist/ are fine); a
    MarkerError in the block becomes a CourseKitError (``prefix`` + its text)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise CourseKitError(f"{prefix}{out} already exists and is not empty; pick a new folder{what}")
    inside = _relative_or_none(out, root)
    if inside is not None and PurePosixPath(inside).parts[:1] not in {(d,) for d in EXCLUDED_TOP}:
        raise CourseKitError(f"{prefix}{out} is inside the repository; use a folder outside it "
                             f"(or under build/)")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        yield staging
        if out.exists():
            out.rmdir()
        staging.rename(out)
    except MarkerError as err:
        shutil.rmtree(staging, ignore_errors=True)
        raise CourseKitError(f"{prefix}{err}") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build_release(root: Path, out: Path) -> ReleaseReport:
    """Write the student kit of repository ``root`` into the new folder ``out``."""
    root, out = Path(root), Path(out)
    if not (root / "cs231n_lite").is_dir():
        raise CourseKitError(f"release: {root} is not a cs231n-lite repository (no cs231n_lite/); "
                             f"run it in the instructors' checkout or pass --root DIR")
    report = ReleaseReport()
    with new_folder(out, root, "", prefix="release: ") as staging:
        out_rel = _relative_or_none(out, root)
        for rel in list_files(root):
            if out_rel and (rel + "/").startswith(out_rel + "/"):
                continue
            if not is_released(rel, root):
                report.left_out.append(rel)
                continue
            _write_one(root, staging, rel, report)
    return report


def _relative_or_none(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def main(argv) -> int:
    """``release OUT [--root DIR]`` (argv already parsed by the CLI)."""
    report = build_release(Path(argv.root), Path(argv.out))
    print(
        f"release: wrote {len(report.files)} files to {argv.out} "
        f"({report.regions} marked regions replaced, {report.answers} answer cells cleared, "
        f"{len(report.left_out)} instructor files left out)"
    )
    return 0
