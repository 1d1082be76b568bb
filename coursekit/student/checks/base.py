"""What a public check is, how it runs, and how its outcome is worded.

A check exercises ONE student function against an independent reference
(a lecture worked example, a numerical gradient, a scipy one-liner, a
property that must hold) and raises :class:`Wrong` with a sentence a
learner can act on: which input, expected what, got what.

Outcomes (:class:`CheckResult.status`):

* ``passed``
* ``not implemented yet`` -- the function (or one it calls) still raises
  NotImplementedError;
* ``wrong: <reason>``
* ``crashed: <ExcType>: <msg> at <file>:<line>`` -- any other exception,
  located in the student's code;
* ``timed out after N s``.
"""

from __future__ import annotations

import importlib
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from ...outcomes import describe_crash, needs


class Wrong(AssertionError):
    """The function ran but its result is wrong; the message says how."""


class _Timeout(BaseException):
    """Raised by the alarm; BaseException so student code cannot swallow it."""


@dataclass(frozen=True)
class Check:
    part: str
    module: str  # e.g. "cs231n_lite.classifiers.linear_svm"
    name: str  # the function's qualified name, as in the NotImplementedError
    run: Callable  # run(module) -> None, raises Wrong / whatever the student raises
    depends: tuple = ()  # names of the checks of student functions this one calls


@dataclass(frozen=True)
class CheckResult:
    part: str
    name: str
    status: str  # "passed", "not implemented yet", "wrong", "crashed", "timed out"
    reason: str = ""

    @property
    def line(self) -> str:
        """``wrong: <reason>``, ``not implemented yet (it needs X first)``, ..."""
        sep = ": " if self.status in ("wrong", "crashed") else ""
        return f"{self.status}{sep}{self.reason}"


REGISTRY: list[Check] = []


def check(part: str, module: str, name: str, depends=()):
    """Decorator: register ``fn(module)`` as the check of ``module.name``.

    ``depends`` names the checks of other student functions that ``name``
    calls (``elastic_net_penalty`` calls ``l1_penalty``): when this check
    fails and one of those fails too, the result blames that one.
    """
    def register(fn):
        REGISTRY.append(Check(part, module, name, fn, tuple(depends)))
        return fn
    return register


def find_check(name: str) -> Check:
    for chk in REGISTRY:
        if chk.name == name:
            return chk
    raise KeyError(f"no check named {name!r}")


# ----------------------------------------------------------------- helpers
def fmt(x) -> str:
    """Short, readable rendering of a number or a small array."""
    a = np.asarray(x)
    if a.ndim == 0:
        return f"{float(a):.6g}" if a.dtype.kind in "biuf" else repr(x)
    with np.printoptions(threshold=12, edgeitems=3):
        text = np.array2string(a, separator=", ", formatter={"float_kind": lambda v: f"{v:.6g}"})
    return " ".join(text.split())


def max_rel_error(x, y) -> float:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def expect_array(name: str, got, shape, where: str) -> np.ndarray:
    """Require a finite numeric array of ``shape``; return it as an ndarray."""
    if got is None:
        raise Wrong(f"{name} is None {where}; did you return it / assign it inside your code?")
    arr = np.asarray(got)
    if arr.dtype.kind not in "biuf":
        raise Wrong(f"{name} should be numeric {where}, got dtype {arr.dtype}")
    if tuple(arr.shape) != tuple(shape):
        raise Wrong(f"{name} should have shape {tuple(shape)} {where}, got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise Wrong(f"{name} holds NaN or inf {where}: {fmt(arr)}")
    return arr


def expect_scalar(name: str, got, where: str) -> float:
    arr = expect_array(name, np.asarray(got) if got is not None else None, (), where) \
        if np.ndim(got) == 0 else None
    if arr is None:
        raise Wrong(f"{name} should be a single number {where}, got shape {np.shape(got)}")
    return float(arr)


def expect_close(name: str, got, expected, where: str, *, rtol=1e-6, atol=1e-8) -> None:
    """Compare with ``expected``: report max relative error vs the tolerance."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise Wrong(f"{name} should have shape {expected.shape} {where}, got {got.shape}")
    if not np.allclose(got, expected, rtol=rtol, atol=atol):
        err = max_rel_error(got, expected)
        raise Wrong(f"{name} {where}: expected {fmt(expected)}, got {fmt(got)} "
                    f"(max relative error {err:.1e} > tolerance {rtol:.0e})")


def numerical_gradient(f, x, h=1e-5) -> np.ndarray:
    """Centred differences of scalar ``f`` at a float64 copy of ``x`` (the checks' own:
    never the student's ``cs231n_lite.gradient_check``, which may be the thing that is wrong)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        fp = float(f(x.copy()))
        x[ix] = old - h
        fm = float(f(x.copy()))
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5) -> np.ndarray:
    """Centred differences of array-valued ``f`` contracted with the upstream ``dout``:
    the gradient of ``sum(f(x) * dout)``; the checks' own, like :func:`numerical_gradient`."""
    dout = np.asarray(dout, dtype=np.float64)
    return numerical_gradient(lambda v: np.sum(np.asarray(f(v), dtype=np.float64) * dout), x, h)


def expect_gradient(name: str, analytic, numeric, where: str, *, tol=1e-6) -> None:
    """Analytic vs centred-difference gradient (see cs231n_lite.gradient_check)."""
    err = max_rel_error(analytic, numeric)
    if not err < tol:
        worst = np.unravel_index(np.argmax(np.abs(np.asarray(analytic) - numeric)), np.shape(numeric))
        raise Wrong(f"{name} differs from the numerical gradient {where}: max relative error "
                    f"{err:.1e} > tolerance {tol:.0e} (worst entry {tuple(int(i) for i in worst)}: "
                    f"analytic {float(np.asarray(analytic)[worst]):.6g}, numerical "
                    f"{float(numeric[worst]):.6g})")


# ------------------------------------------------------------------ runner
def _alarm(seconds: float):
    """Context manager: raise _Timeout after ``seconds`` (main thread, POSIX only)."""
    import contextlib
    import threading

    @contextlib.contextmanager
    def ctx():
        usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
        if not usable or not seconds:
            yield
            return

        def fire(signum, frame):
            raise _Timeout()

        old = signal.signal(signal.SIGALRM, fire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return ctx()


def run_check(chk: Check, timeout: float = 60.0, _seen=None) -> CheckResult:
    """Run one check; when it fails because a function it calls fails its own
    check, say so and name that function. Never raises (but Ctrl-C)."""
    result = _run_one(chk, timeout)
    if result.status in ("passed", "not implemented yet", "timed out") or not chk.depends:
        return result
    seen = set() if _seen is None else _seen
    for name in chk.depends:
        if name in seen:
            continue
        seen.add(name)
        dep = run_check(find_check(name), timeout, seen)
        if dep.status != "passed":
            blame = f"{dep.status}{': ' + dep.reason if dep.status in ('wrong', 'crashed') else dep.reason}"
            return CheckResult(chk.part, chk.name, result.status,
                               f"it calls {name}, which is {blame} -- fix {name} first")
    return result


def _run_one(chk: Check, timeout: float) -> CheckResult:
    """Import the student's module and run one check; never raises (but Ctrl-C)."""
    package_dir = None
    try:
        root = importlib.import_module(chk.module.split(".")[0])
        package_dir = Path(root.__file__).resolve().parent
        module = importlib.import_module(chk.module)
        with _alarm(timeout):
            chk.run(module)
    except Wrong as err:
        return CheckResult(chk.part, chk.name, "wrong", str(err))
    except NotImplementedError as err:
        hint = needs(err, chk.name)
        hint = f" (it needs {hint[2:-1]} first)" if hint else ""
        return CheckResult(chk.part, chk.name, "not implemented yet", hint)
    except _Timeout:
        return CheckResult(chk.part, chk.name, "timed out", f" after {timeout:g} s")
    except MemoryError as err:
        return CheckResult(chk.part, chk.name, "crashed", f"MemoryError (out of memory): {err}")
    except Exception as err:  # noqa: BLE001 - any crash of student code is a result
        return CheckResult(chk.part, chk.name, "crashed", describe_crash(err, package_dir))
    return CheckResult(chk.part, chk.name, "passed")
