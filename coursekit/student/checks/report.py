"""`cs231n-lite check [PART]`: run the public checks against the student's code.

The student's ``cs231n_lite`` is the one in ``--root`` (default: the current
folder) when it holds one, else the installed package. Prints one line per
function and a summary; exit code 0 only when every selected check passed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ...errors import CourseKitError

WIDTH = 46


def use_package_from(root: Path) -> str:
    """Put ``root`` first on sys.path if it holds cs231n_lite/; return where it comes from."""
    root = Path(root).resolve()
    if (root / "cs231n_lite" / "__init__.py").is_file():
        sys.path.insert(0, str(root))
        for name in [m for m in sys.modules if m == "cs231n_lite" or m.startswith("cs231n_lite.")]:
            del sys.modules[name]  # an already-imported copy from elsewhere
    import importlib.util

    spec = importlib.util.find_spec("cs231n_lite")
    if spec is None or spec.origin is None:
        raise CourseKitError(
            f"no cs231n_lite package in {root} and none installed; run this from your kit folder")
    return str(Path(spec.origin).parent)


def run_part(part: str, timeout: float, out=print) -> list:
    """Run the checks of ``part`` (or "all"), printing as they finish."""
    from . import PARTS, checks_for, run_check

    try:
        selected = checks_for(part)
    except KeyError:
        raise CourseKitError(f"unknown part {part!r}; choose one of {', '.join(PARTS)} or all") from None
    results, current = [], None
    for chk in selected:
        if chk.part != current:
            current = chk.part
            out(current)
        result = run_check(chk, timeout=timeout)
        out(f"  {chk.name:<{WIDTH}} {result.line}")
        results.append(result)
    return results


def summary(results) -> str:
    counts = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    order = ["passed", "not implemented yet", "wrong", "crashed", "timed out"]
    parts = [f"{counts[s]} {s}" for s in order if counts.get(s)]
    return f"{len(results)} checks: " + ", ".join(parts)


def main(args) -> int:
    from . import PARTS

    if args.part != "all" and args.part not in PARTS:
        raise CourseKitError(f"unknown part {args.part!r}; choose one of {', '.join(PARTS)} or all")
    where = use_package_from(Path(args.root))
    print(f"checking {where}")
    results = run_part(args.part, args.timeout)
    print(summary(results))
    return 0 if results and all(r.status == "passed" for r in results) else 1
