"""Turn a failure into a reason a student can read (shared by check and grade).

Kinds: ``not implemented``, ``wrong``, ``crashed``, ``timed out``,
``exceeded memory``. Reasons never hold sandbox paths, memory addresses or
timings, so grading the same work twice gives the same words.

The grader's judge never runs student code: an exception raised there comes
back from the sandbox rebuilt (``coursekit.grader.failures``), carrying where
it was raised (``student_where``, ``student_in_package``), and a sandbox
failure (a hang, a death) carries its whole reason (``grading_kind``,
``grading_reason``). Both classify exactly like local exceptions.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HEX = re.compile(r"0x[0-9a-fA-F]{6,}")
MAX_REASON = 300


def clean(text: str, strip_prefixes=()) -> str:
    """One line, no ANSI colours, no sandbox paths, no addresses, bounded length."""
    text = ANSI.sub("", str(text))
    for prefix in strip_prefixes:
        if prefix:
            text = text.replace(str(prefix).rstrip("/") + "/", "")
    text = HEX.sub("0xADDRESS", text)
    line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    return line if len(line) <= MAX_REASON else line[: MAX_REASON - 3] + "..."


def _inside(path: str, package_dir: Path | None) -> bool:
    if package_dir is None:
        return False
    try:
        return Path(path).resolve().is_relative_to(package_dir)
    except (OSError, ValueError):
        return False


def _show(path: str, package_dir: Path | None) -> str:
    if _inside(path, package_dir):
        return Path(path).resolve().relative_to(package_dir.parent).as_posix()
    return Path(path).name


def locate(exc: BaseException, package_dir: Path | None) -> str:
    """'<file>:<line>' of the innermost frame in the student's package (else the last)."""
    if getattr(exc, "student_where", None):  # rebuilt from the sandbox: it says where
        return clean(exc.student_where)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{_show(exc.filename, package_dir)}:{exc.lineno}"
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    mine = [f for f in frames if _inside(f.filename, package_dir)]
    frame = (mine or frames)[-1]
    return f"{_show(frame.filename, package_dir)}:{frame.lineno}"


def in_student_code(exc: BaseException, package_dir: Path | None) -> bool:
    if hasattr(exc, "student_in_package"):
        return bool(exc.student_in_package)
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and _inside(frames[-1].filename, package_dir)


def describe_crash(exc: BaseException, package_dir: Path | None) -> str:
    msg = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    msg = clean(msg, [package_dir.parent] if package_dir else ())
    return f"{type(exc).__name__}: {msg} at {locate(exc, package_dir)}"


_CELL_OWNER = re.compile(r"^\S+\.ipynb, cell \d+ \(([^()\s]+)\)$")


def _owner(message: str) -> str:
    """The region a student block names: 'svm_loss_naive', or a notebook cell's grade_id
    from 'knn.ipynb, cell 12 (knn-cv)'."""
    owner = message.split(":", 1)[0].strip()
    cell = _CELL_OWNER.match(owner)
    if cell:
        return cell.group(1)
    return owner if owner and " " not in owner and len(owner) < 80 else ""


def needs(exc: NotImplementedError, name: str = "") -> str:
    """' (svm_loss_naive)' -- which region raised, from the student block's message."""
    owner = _owner(str(exc))
    return f" ({owner})" if owner and owner != name else ""


def classify(exc: BaseException, package_dir: Path | None, *, timeout: float,
             memory: int | None) -> tuple[str, str]:
    """(kind, reason) for an exception raised while grading one item."""
    if getattr(exc, "grading_reason", None):  # a sandbox failure knows its reason
        return exc.grading_kind, clean(exc.grading_reason)
    if type(exc).__name__ == "ItemTimeout":
        return "timed out", f"timed out after {timeout:g} s"
    if isinstance(exc, MemoryError):
        limit = f" (limit {memory} MB)" if memory else ""
        return "exceeded memory", f"exceeded memory{limit}"
    if isinstance(exc, NotImplementedError):
        return "not implemented", "not implemented" + needs(exc)
    if isinstance(exc, AssertionError) and not in_student_code(exc, package_dir):
        return "wrong", "wrong: " + clean(str(exc) or "assertion failed")
    return "crashed", "crashed: " + describe_crash(exc, package_dir)


_LAST_EXC = re.compile(r"^([A-Za-z_][\w.]*)(?::\s*(.*))?$")
_FILE = re.compile(r"File \"?([^\s\",]+?)\"?(?::|, line )(\d+)")


def classify_kernel_error(traceback_text: str, *, timeout: float, memory: int | None,
                          strip=()) -> tuple[str, str]:
    """(kind, reason) from a notebook kernel's traceback text (nbval / nbclient)."""
    lines = [ANSI.sub("", ln).strip() for ln in traceback_text.splitlines()]
    lines = [ln for ln in lines if ln and not set(ln) <= set("-^~ ")]
    last = lines[-1] if lines else ""
    m = _LAST_EXC.match(last)
    ename, evalue = (m.group(1), m.group(2) or "") if m else ("Error", last)
    short = ename.rsplit(".", 1)[-1]
    if short in ("MemoryError", "_ArrayMemoryError"):
        return "exceeded memory", "exceeded memory" + (f" (limit {memory} MB)" if memory else "")
    if short == "KeyboardInterrupt":
        return "timed out", f"timed out after {timeout:g} s"
    if short == "NotImplementedError":
        owner = _owner(evalue)
        return "not implemented", "not implemented" + (f" ({owner})" if owner else "")
    where = [f"{_shorten(p)}:{n}" for p, n in _FILE.findall(traceback_text) if "cs231n_lite/" in p]
    at = f" at {where[-1]}" if where else ""
    kind = "wrong" if short == "AssertionError" and not where else "crashed"
    body = clean(evalue, strip)
    if kind == "wrong":
        return kind, "wrong: " + (body or "assertion failed")
    return kind, f"crashed: {short}: {body}{at}"


def _shorten(path: str) -> str:
    return "cs231n_lite/" + ANSI.sub("", path).split("cs231n_lite/", 1)[1]
