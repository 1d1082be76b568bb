"""Find the submissions of a folder and stage one safely into its sandbox.

SUBMISSIONS holds one folder or one ``.zip`` per student; the student id is
the folder name or the zip's stem. Hidden files are ignored; anything else
(a stray PDF) is reported and skipped.

Only ``cs231n_lite/`` and ``notebooks/*.ipynb`` are taken from a submission
(found at its top or one folder down, as when a folder was zipped whole);
grader files a student may have edited or deleted in their copy are never
used. Zips are checked before anything is extracted: absolute or ``..``
paths, symlinks, more than MAX_FILES members or MAX_BYTES uncompressed
refuse the submission with the reason.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_FILES = 2000
MAX_BYTES = 200 * 2**20
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", "__MACOSX"}


class SubmissionError(Exception):
    """The submission cannot be graded; str() is the reason in the gradebook."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    problem: str = ""  # set when the entry cannot be graded at all


def discover(folder: Path) -> tuple[list[Submission], list[str]]:
    """(submissions sorted by student id, names skipped with a note)."""
    by_id: dict[str, list[Path]] = {}
    skipped = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            by_id.setdefault(entry.name, []).append(entry)
        elif entry.is_file() and entry.suffix.lower() == ".zip":
            by_id.setdefault(entry.stem, []).append(entry)
        else:
            skipped.append(entry.name)
    subs = []
    for student, paths in sorted(by_id.items()):
        problem = ""
        if len(paths) > 1:
            problem = "rejected: both a folder and a zip for this student; keep one"
        subs.append(Submission(student, paths[0], problem))
    return subs, skipped


def shard_of(student: str, count: int) -> int:
    """1-based shard of a student: a stable hash, independent of the other students."""
    digest = hashlib.sha256(student.encode("utf-8")).hexdigest()
    return int(digest, 16) % count + 1


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (path.parts and ":" in path.parts[0]) or ".." in path.parts:
        raise SubmissionError(f"rejected: unsafe path {info.filename!r} in the zip")
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise SubmissionError(f"rejected: symbolic link {info.filename!r} in the zip")


def extract_zip(zip_path: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(zip_path) as zf:
            members = zf.infolist()
            if not [m for m in members if not m.is_dir()]:
                raise SubmissionError("rejected: empty zip")
            if len(members) > MAX_FILES:
                raise SubmissionError(f"rejected: more than {MAX_FILES} files in the zip")
            if sum(m.file_size for m in members) > MAX_BYTES:
                raise SubmissionError(f"rejected: more than {MAX_BYTES // 2**20} MB uncompressed")
            for m in members:
                _check_member(m)
            for m in members:
                if not (set(PurePosixPath(m.filename).parts) & SKIP_PARTS):
                    zf.extract(m, dest)
    except zipfile.BadZipFile:
        raise SubmissionError("rejected: not a valid zip file") from None


def copy_folder(src: Path, dest: Path) -> None:
    """Copy regular files only (no symlinks followed), within the size limits."""
    count = size = 0
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if set(rel.parts) & SKIP_PARTS or path.is_symlink() or not path.is_file():
            continue
        count, size = count + 1, size + path.stat().st_size
        if count > MAX_FILES or size > MAX_BYTES:
            raise SubmissionError("rejected: the folder is too large to grade")
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest / rel)
    if count == 0:
        raise SubmissionError("rejected: empty submission folder")


def find_root(upload: Path) -> Path:
    """The folder holding cs231n_lite/__init__.py: the upload itself or one level down."""
    for candidate in [upload, *sorted(p for p in upload.iterdir() if p.is_dir())]:
        if (candidate / "cs231n_lite" / "__init__.py").is_file():
            return candidate
    raise SubmissionError("rejected: no cs231n_lite/ package (with __init__.py) in the submission")


def stage(sub: Submission, upload: Path, student_dir: Path, max_notebook_bytes: int | None = None,
          left_out: dict | None = None) -> list[str]:
    """Unpack ``sub`` into ``upload``, copy its package and notebooks to ``student_dir``.

    Returns the notebooks taken (relative names); raises SubmissionError. A
    notebook over ``max_notebook_bytes`` is not copied: ``left_out[name]`` says why.
    """
    if sub.problem:
        raise SubmissionError(sub.problem)
    if sub.path.is_dir():
        copy_folder(sub.path, upload)
    else:
        extract_zip(sub.path, upload)
    root = find_root(upload)
    shutil.copytree(root / "cs231n_lite", student_dir / "cs231n_lite", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    notebooks = sorted((root / "notebooks").glob("*.ipynb")) if (root / "notebooks").is_dir() else []
    (student_dir / "notebooks").mkdir(exist_ok=True)
    taken = []
    for nb in notebooks:
        size = nb.stat().st_size
        if max_notebook_bytes is not None and size > max_notebook_bytes:
            if left_out is not None:
                left_out[nb.name] = (f"{nb.name} is {size / 2**20:.1f} MB "
                                     f"(limit {max_notebook_bytes / 2**20:g} MB): not read")
            continue
        shutil.copyfile(nb, student_dir / "notebooks" / nb.name)
        taken.append(nb.name)
    return taken


def open_to_sandbox(folder: Path) -> None:
    """Plain permissions on a staged copy (dirs 0755, files 0644): the sandbox user reads it
    through a read-only mount; no set-id or executable bits survive."""
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
