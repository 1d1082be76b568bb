"""`cs231n-lite collect`: the submission zip.

The zip holds ``cs231n_lite/`` (sources only), ``notebooks/*.ipynb`` and
``html/<notebook>.html`` (an nbconvert HTML export of each notebook, no
LaTeX needed, readable offline: formulas are MathML, no script is loaded
from the network). It refuses -- one line naming the problem -- when a required
file is missing, a notebook is not valid JSON, or a notebook was never
executed (no code cell has an execution count or an output).
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import nbformat

from ..errors import CourseKitError
from ..manifest import NOTEBOOKS, PACKAGE, required_files

FIXED_TIME = (2000, 1, 1, 0, 0, 0)  # same files -> byte-identical zip


def package_files(root: Path) -> list[str]:
    """Relative paths of the package's sources (no caches)."""
    found = []
    for path in sorted((root / PACKAGE).rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and "__pycache__" not in rel and not rel.endswith((".pyc", ".pyo")):
            found.append(rel)
    return found


def read_notebook(path: Path, rel: str):
    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:  # JSON and schema errors come in several types
        raise CourseKitError(f"{rel} is not a valid notebook ({type(err).__name__}: "
                             f"{str(err).splitlines()[0][:120]}); fix or re-save it") from None


def was_executed(nb) -> bool:
    code = [c for c in nb.cells if c.cell_type == "code"]
    return not code or any(c.get("execution_count") is not None or c.get("outputs") for c in code)


def notes_for(nb, rel: str) -> list[str]:
    """Warnings that do not stop the collection (unrun or failing cells)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    unrun = sum(c.get("execution_count") is None for c in code)
    errors = sum(any(o.get("output_type") == "error" for o in c.get("outputs", [])) for c in code)
    notes = []
    if unrun:
        notes.append(f"note: {rel}: {unrun} code cell(s) never ran")
    if errors:
        notes.append(f"note: {rel}: {errors} cell(s) show an error")
    return notes


def to_html(nb, _cache={}) -> str:
    """An HTML export that reads offline: math as MathML, no remote script
    (see :mod:`.html`). One exporter per process: loading templates is slow."""
    if "exporter" not in _cache:
        from .html import OfflineHTMLExporter

        _cache["exporter"] = OfflineHTMLExporter()
    body, _ = _cache["exporter"].from_notebook_node(nb)
    return body


def gather(root: Path) -> tuple[dict[str, bytes], list[str]]:
    """name in the zip -> bytes, plus notes; raises CourseKitError when incomplete."""
    if not (root / PACKAGE).is_dir() and not (root / NOTEBOOKS).is_dir():
        raise CourseKitError(f"{root} is not a kit folder (no {PACKAGE}/, no {NOTEBOOKS}/); run collect "
                             f"in your kit's folder or pass --root DIR")
    missing = [f for f in required_files() if not (root / f).is_file()]
    if missing:
        raise CourseKitError(f"missing {', '.join(missing)} under {root}; restore it from the kit")
    entries, notes, notebooks = {}, [], []
    for rel in package_files(root):
        entries[rel] = (root / rel).read_bytes()
    for path in sorted((root / NOTEBOOKS).glob("*.ipynb")):  # check them all before exporting
        rel = path.relative_to(root).as_posix()
        nb = read_notebook(path, rel)
        if not was_executed(nb):
            raise CourseKitError(f"{rel} was never executed; run all its cells, save, and collect again")
        notes += notes_for(nb, rel)
        notebooks.append((path, rel, nb))
    for path, rel, nb in notebooks:
        entries[rel] = path.read_bytes()
        entries[f"html/{path.stem}.html"] = to_html(nb).encode("utf-8")
    return entries, notes


def write_zip(entries: dict[str, bytes], out: Path, executable=frozenset()) -> None:
    """Write ``entries`` (name -> bytes) to the zip ``out`` atomically, in name order with a
    fixed time stamp (same entries -> same bytes); names in ``executable`` get mode 755."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, FIXED_TIME)
                mode = 0o100755 if name in executable else 0o100644
                info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, mode << 16
                zf.writestr(info, entries[name])
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(args) -> int:
    root = Path(args.root).resolve()
    if not root.is_dir():
        raise CourseKitError(f"{root} is not a folder")
    out = Path(args.out) if args.out else root / "submission.zip"
    entries, notes = gather(root)
    write_zip(entries, out)
    for note in notes:
        print(note)
    n_nb = sum(name.endswith(".ipynb") for name in entries)
    n_pkg = sum(name.startswith(PACKAGE + "/") for name in entries)
    print(f"collect: wrote {out} ({n_pkg} package files, {n_nb} notebooks, {n_nb} HTML exports)")
    return 0
