"""Writing the gradebook safely: atomic files in a folder opened without following links.

Only the grader writes ``--out`` (no sandbox can see it). Even so, a path
prepared by someone else must not redirect the writes: the folder and its
``feedback/`` are opened with ``O_NOFOLLOW`` (a symlink there is refused),
each file is written to a fresh temporary file in the same folder, flushed to
disk, and renamed over the final name (which replaces a symlink or a stale
file instead of writing through it). A crash leaves the old file or the new
one, never half of one.

Feedback file names: ``<sanitized id, at most 40 characters>-<first 10 hex
digits of the id's sha256>.md`` -- unique for any two ids (``bob smith`` and
``bob_smith`` differ in their hash) and bounded in length (255-character
ids included), and the same on every machine (shards agree).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from ..errors import CourseKitError

PREFIX_CHARS, HASH_DIGITS = 40, 10


def feedback_name(student: str) -> str:
    """``bob_smith-1a2b3c4d5e.md`` for ``bob smith``."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in student)
    cleaned = cleaned.strip("._")[:PREFIX_CHARS] or "student"
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_DIGITS]
    return f"{cleaned}-{digest}.md"


def open_folder(path: Path, parent_fd: int | None = None) -> int:
    """An fd of folder ``path`` (created 0755 if missing); refuses a symlink or a non-folder."""
    name = str(path)
    if parent_fd is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.mkdir(name, 0o755, dir_fd=parent_fd)
    except FileExistsError:
        pass
    except OSError as err:
        raise CourseKitError(f"cannot create the output folder {path}: {err.strerror}") from None
    try:
        return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=parent_fd)
    except OSError as err:
        raise CourseKitError(f"the output folder {path} is not a plain folder ({err.strerror}); "
                             f"remove it or choose another --out") from None


def write_atomic(folder_fd: int, name: str, text: str) -> None:
    """``name`` in the folder gets ``text``: temp file, fsync, rename."""
    tmp = f".{name}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644, dir_fd=folder_fd)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=folder_fd)
        except OSError:
            pass
        raise


def write_tree(out: Path, files: dict[str, str], feedback: dict[str, str]) -> None:
    """``files`` into ``out``, ``feedback`` into ``out/feedback`` (name -> text)."""
    out_fd = open_folder(out.absolute())
    try:
        fb_fd = open_folder(Path("feedback"), parent_fd=out_fd)
        try:
            for name, text in sorted(feedback.items()):
                write_atomic(fb_fd, name, text)
            os.fsync(fb_fd)
        finally:
            os.close(fb_fd)
        for name, text in sorted(files.items()):
            write_atomic(out_fd, name, text)
        os.fsync(out_fd)
    finally:
        os.close(out_fd)
