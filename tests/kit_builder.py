"""Build student kits in a chosen state of completion, for the tests.

A release of the instructor source, then the reference solution pasted back
into some of its student blocks (chosen by function, ``module:qualname`` as
in :mod:`coursekit.manifest`) and into some notebooks' solution cells: what a
student who wrote exactly those functions has.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from coursekit.blocks import END_LINE, START_LINE
from coursekit.release.markers import enclosing_functions, find_regions, region_owner

ROOT = Path(__file__).resolve().parents[1]


def reference_bodies(source: str, where: str) -> list[tuple[str, list[str]]]:
    """(owner qualname, body lines) of every solution region of ``source``, in order."""
    lines, functions = source.splitlines(), enclosing_functions(source)
    return [(region_owner(functions, r.begin + 1, where), lines[r.begin + 1: r.end])
            for r in find_regions(source, where) if r.kind == "solution"]


def paste(reference: str, released: str, where: str, keep) -> str:
    """Fill the student blocks of ``released`` whose owner satisfies ``keep(owner)`` with
    the matching bodies of ``reference``; other blocks stay stubs."""
    bodies = iter(reference_bodies(reference, where))
    out, lines = [], iter(released.splitlines())
    for line in lines:
        if line.strip() != START_LINE:
            out.append(line)
            continue
        block = [line]
        for inner in lines:  # the stub, up to its END line
            block.append(inner)
            if inner.strip() == END_LINE:
                break
        owner, body = next(bodies)
        out.extend(body if keep(owner) else block)
    assert next(bodies, None) is None, f"{where}: fewer student blocks than solution regions"
    return "\n".join(out) + "\n"


def fill_package(kit: Path, functions) -> set[str]:
    """Paste the reference of ``functions`` ("module:qualname") into the kit's package;
    returns the functions whose blocks were filled."""
    wanted, filled = set(functions), set()
    for path in sorted((kit / "cs231n_lite").rglob("*.py")):
        text = path.read_text()
        if START_LINE not in text:
            continue
        rel = path.relative_to(kit)
        module = ".".join(rel.with_suffix("").parts[1:])

        def keep(owner, module=module):
            if f"{module}:{owner}" in wanted:
                filled.add(f"{module}:{owner}")
                return True
            return False

        path.write_text(paste((ROOT / rel).read_text(), text, str(rel), keep))
    return filled


def fill_notebook_cells(kit: Path, name: str) -> None:
    """Paste the reference's solution cells (by grade_id) into the kit's notebook ``name``."""
    ref = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in ref.cells
                 if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    path = kit / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and grade_id in solutions:
            cell.source = solutions[grade_id]
    nbformat.write(nb, path)


def copy_kit(release: Path, dest: Path) -> Path:
    shutil.copytree(release, dest, ignore=shutil.ignore_patterns("__pycache__"))
    return dest
