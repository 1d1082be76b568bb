"""Execute a student's notebooks inside the sandbox, for completion (run by `grade`).

    python -s -m coursekit.grader.sandbox_notebooks --results FILE --timeout S NB...

Each notebook runs top to bottom in the guarded "coursekit-sandbox" kernel
(errors do not stop it; a cell over the timeout does). One JSON line per
executed cell (progress for the watchdog) and one per notebook:
``{"event": "notebook", "name", "cells", "ran", "errors", "first_error",
"problem"}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _writer(path: Path):
    out = open(path, "a", encoding="utf-8")

    def write(**event):
        out.write(json.dumps(event) + "\n")
        out.flush()
    return write


def _first_error(nb, timeout: float) -> tuple[int, str]:
    from ..outcomes import classify_kernel_error

    errors, first = 0, ""
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors += 1
                if not first:
                    text = "\n".join(out.get("traceback", [])) + f"\n{out.get('ename')}: {out.get('evalue')}"
                    _, reason = classify_kernel_error(text, timeout=timeout, memory=None)
                    first = f"code cell {index + 1}: {reason}"
                break
    return errors, first


def run_one(path: Path, timeout: float, write) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .sandbox import KERNEL_NAME

    event = {"event": "notebook", "name": path.name, "cells": 0, "ran": 0, "errors": 0,
             "first_error": "", "problem": ""}
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as err:  # noqa: BLE001 - bad JSON / schema in many types
        event["problem"] = f"not a valid notebook ({type(err).__name__})"
        write(**event)
        return
    code = [c for c in nb.cells if c.cell_type == "code"]
    event["cells"] = len(code)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL_NAME, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_executed=lambda **kw: write(event="cell", name=path.name))
    try:
        client.execute()
    except CellTimeoutError:
        event["problem"] = f"a cell timed out after {timeout:g} s"
    except DeadKernelError:
        event["problem"] = "the kernel died (out of memory?)"
    except Exception as err:  # noqa: BLE001 - report, never crash the grader
        event["problem"] = f"could not run: {type(err).__name__}"
    event["ran"] = sum(c.get("execution_count") is not None for c in code)
    event["errors"], event["first_error"] = _first_error(nb, timeout)
    write(**event)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="coursekit.grader.sandbox_notebooks")
    p.add_argument("--results", required=True)
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("notebooks", nargs="*")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    from . import guard

    write = _writer(Path(args.results))  # before the guard: results/ is read-only
    guard.install(allow_spawn=True)  # the kernel is a process; student code runs there
    for name in args.notebooks:
        run_one(Path(name), args.timeout, write)
    write(event="done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
