"""Build student kits in a chosen state of completion, for the tests.

A release of the instructor source, then the reference solution pasted back
into some of its student blocks (chosen by function, ``module:qualname`` as
in :mod:`coursekit.manifest`) and into some notebooks' solution cells: what a
student who wrote exactly those functions has.
"""

from __future__ import annotations

import shutil
import textwrap
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


def edit_region(pkg: Path, module: str, owner: str, edit) -> None:
    """Call ``edit(region, lines)`` on the solution region of ``owner`` in ``pkg/module``
    (``lines``: the file's lines, changed in place), then write the file back."""
    path = pkg / module
    text = path.read_text()
    functions, lines = enclosing_functions(text), text.splitlines()
    for r in find_regions(text, str(path)):
        if r.kind == "solution" and region_owner(functions, r.begin + 1, "") == owner:
            edit(r, lines)
            path.write_text("\n".join(lines) + "\n")
            return
    raise LookupError(f"no solution region of {owner} in {module}")


def plant(pkg: Path, module: str, owner: str, old: str, new: str) -> None:
    """A student's mistake: ``old`` replaced (once) by ``new`` inside the solution region
    of ``owner``; a part of one line, or whole lines (given dedented, re-indented where
    they are found). Fails when ``old`` is not there exactly once."""
    def edit(r, lines):
        lines[r.begin + 1: r.end] = _replace(lines[r.begin + 1: r.end], old, new, owner)
    edit_region(pkg, module, owner, edit)


def _replace(body: list, old: str, new: str, owner: str) -> list:
    old_lines = textwrap.dedent(old).strip("\n").split("\n")
    new_lines = textwrap.dedent(new).strip("\n").split("\n") if new.strip() else []
    if len(old_lines) == 1 and len(new_lines) == 1:
        text = "\n".join(body)
        assert text.count(old) == 1, f"{old!r} is not once in the region of {owner}"
        return text.replace(old, new).split("\n")
    for k, line in enumerate(body):
        lead = line[: len(line) - len(line.lstrip())]
        if body[k: k + len(old_lines)] == [lead + o for o in old_lines]:
            return body[:k] + [lead + n for n in new_lines] + body[k + len(old_lines):]
    raise AssertionError(f"{old!r} is not in the region of {owner}")


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
