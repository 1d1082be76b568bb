"""What can go wrong on the far side of the sandbox, as exceptions the judge raises.

* :class:`SandboxFailure` and its kinds: the sandboxed process hung, died,
  sent too much or broke the protocol. BaseExceptions, so a hidden test's
  ``except Exception`` cannot swallow them; each carries the feedback
  reason (``.grading_kind``, ``.grading_reason``), which
  :func:`coursekit.outcomes.classify` uses as is.
* :func:`student_exception`: an exception raised by student code, rebuilt in
  the judge from the worker's safe description. It subclasses the matching
  builtin exception (``pytest.raises(ValueError)`` works) and carries where
  it was raised (``.student_where``, ``.student_in_package``).
"""

from __future__ import annotations

import builtins
import re

_IDENT = re.compile(r"[^A-Za-z0-9_]")
_NEVER_BASES = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit"}


class SandboxFailure(BaseException):
    grading_kind = "crashed"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.grading_reason = reason


class WorkerTimeout(SandboxFailure):
    grading_kind = "timed out"

    def __init__(self, seconds: float):
        super().__init__(f"timed out after {seconds:g} s")


class WorkerDied(SandboxFailure):
    @classmethod
    def from_status(cls, returncode: int | None, detail: str = "") -> "WorkerDied":
        if returncode is None:
            how = "stopped answering"
        elif returncode > 128:
            how = f"died (signal {returncode - 128})"
        elif returncode < 0:
            how = f"died (signal {-returncode})"
        else:
            how = f"exited (exit code {returncode})"
        return cls(f"crashed: the sandboxed process {how}" + (f": {detail}" if detail else ""))


class TooMuchData(SandboxFailure):
    def __init__(self, size: int, limit: int):
        super().__init__(f"crashed: returned too much data ({size / 2**20:.1f} MB, "
                         f"limit {limit / 2**20:g} MB)")


class ProtocolBroken(SandboxFailure):
    def __init__(self, detail: str):
        super().__init__(f"crashed: the sandboxed process broke the grading protocol ({detail})")


class TooManyRestarts(SandboxFailure):
    grading_kind = "not run"

    def __init__(self, count: int):
        super().__init__(f"not run: the sandbox had to be restarted too often ({count} times)")


class StaleObject(SandboxFailure):
    def __init__(self):
        super().__init__("crashed: a student object from before the sandbox restarted was used")


class StudentException(Exception):
    """Base of every exception rebuilt from student code."""

    student_where = ""
    student_in_package = False
    student_message = ""

    def __str__(self):  # the worker's message, whatever the builtin base's own __str__ wants
        return self.student_message


_CLASSES: dict = {}


def _builtin_base(names) -> type:
    for name in names:
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException) and name not in _NEVER_BASES:
            return cls
    return Exception


def student_exception(error: dict) -> StudentException:
    """The judge's copy of a student exception from the worker's description."""
    name = _IDENT.sub("_", str(error.get("type") or "Error"))[:80] or "Error"
    bases = error.get("bases") if isinstance(error.get("bases"), list) else []
    base = _builtin_base([b for b in bases if isinstance(b, str)])
    cls = _CLASSES.get((name, base))
    if cls is None:  # the builtin first: its __new__ and layout; our __str__ all the same
        bases = (StudentException,) if base is Exception else (base, StudentException)
        cls = type(name, bases, {"__module__": "student", "__str__": StudentException.__str__})
        _CLASSES[(name, base)] = cls
    message = str(error.get("message") or "")
    try:
        exc = cls(message)
    except TypeError:  # e.g. UnicodeDecodeError wants five arguments
        exc = base.__new__(cls)
    exc.student_message, exc.args = message, (message,)
    exc.student_where = str(error.get("where") or "?")
    exc.student_in_package = error.get("in_student") is True
    if issubclass(cls, SyntaxError):  # SyntaxError's str() is its msg attribute
        exc.msg = str(error.get("message") or "")
    return exc
