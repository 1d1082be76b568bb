"""The student release is an exam paper: it asks, it never answers.

Proven on a fresh release of this repository:

* every student function of the manifest is a student block in the kit, and
  nothing else is; every public check scores a manifest function;
* nothing in the kit imports what the release leaves out, and none of the
  instructors' fast twins of student functions survive in it;
* with every block a stub, nothing in the kit computes a student function's
  result: every check says "not implemented yet" and ``extract_features``
  stops in the student's own function;
* every written answer is "YOUR ANSWER HERE", and the experiment that proves
  it is hidden (a proof cell whose code is entirely in a hidden-test region);
* every function is asked for, by name, in a markdown cell of its notebook,
  and has its three hints.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from coursekit.blocks import ANSWER_STUB
from coursekit.manifest import ORDER, all_functions
from coursekit.release.build import build_release
from coursekit.student.checks import checks_for
from coursekit.student.hint import load_hints
from coursekit.student.progress import unwritten

ROOT = Path(__file__).resolve().parents[1]
# the instructors' fast twins of student functions (cs231n_lite/fast/): never in the kit
FAST_NAMES = ("_vote", "_hog_chunk", "_hue(", "_bin_index", "hog_features_batch",
              "color_histogram_hsv_batch", "predict_chunked", "kneighbors", "l1_distances",
              ".batched", "cs231n_lite.fast", "from ..fast", "from .fast")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    out = tmp_path_factory.mktemp("integrity") / "kit"
    build_release(ROOT, out)
    return out


def test_student_blocks_are_exactly_the_manifest_functions(kit):
    assert unwritten(kit) == set(all_functions())
    assert len(all_functions()) == len(set(all_functions())), "a function listed twice"


def test_every_check_scores_a_manifest_function():
    """...or given code built on student functions (hog_feature), which names them."""
    functions = set(all_functions())
    names = {c.name for c in checks_for()}
    for chk in checks_for():
        name = f"{chk.module.removeprefix('cs231n_lite.')}:{chk.name}"
        if name in functions or _package_of(name) in functions:
            continue
        assert chk.depends and set(chk.depends) <= names, (
            f"check {chk.name} scores a function no notebook asks for and names no student "
            f"function it is built on")


def _package_of(name: str) -> str:
    """``features:hog_feature`` style names checked through a package re-export."""
    module, qualname = name.split(":")
    for fn in all_functions():
        if fn.startswith(module + ".") and fn.endswith(":" + qualname):
            return fn
    return name


def _released_modules(kit: Path) -> set[str]:
    mods = set()
    for path in kit.rglob("*.py"):
        parts = path.relative_to(kit).with_suffix("").parts
        mods.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return mods


def _imports(path: Path, package: str) -> list[str]:
    """Absolute names of the modules ``path`` imports (relative imports resolved)."""
    tree, names = ast.parse(path.read_text()), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names += [base] + [f"{base}.{a.name}" for a in node.names]
    return names


def test_nothing_released_imports_what_the_release_leaves_out(kit):
    released = _released_modules(kit)
    for path in list((kit / "cs231n_lite").rglob("*.py")) + list((kit / "coursekit").rglob("*.py")):
        rel = path.relative_to(kit).with_suffix("").parts
        package = ".".join(rel[:-1])  # the package a relative import starts from
        for name in _imports(path, package):
            if name.split(".")[0] in ("cs231n_lite", "coursekit"):
                # a released module, or a name defined inside one (from x import y)
                assert name in released or name.rsplit(".", 1)[0] in released, (path, name)


def test_no_fast_twin_of_a_student_function_survives(kit):
    for path in (kit / "cs231n_lite").rglob("*.py"):
        text = path.read_text()
        assert not [n for n in FAST_NAMES if n in text], path


def test_stubs_compute_nothing_extract_features_runs_the_students_code(kit):
    code = (
        "import numpy as np\n"
        "from cs231n_lite.features import extract_features, hog_feature\n"
        "imgs = np.zeros((2, 32, 32, 3), dtype=np.uint8)\n"
        "try:\n"
        "    extract_features(imgs, [hog_feature])\n"
        "except NotImplementedError as err:\n"
        "    print('stopped in', str(err).split(':')[0])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=kit, capture_output=True, text=True,
                          env={"PYTHONPATH": str(kit), "PATH": "/usr/bin:/bin"})
    assert proc.stdout.strip() == "stopped in image_gradients", proc.stdout + proc.stderr


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _is_hidden_only(source: str) -> bool:
    """Code that is entirely comments plus one hidden-test region (or nothing)."""
    inside, code = False, []
    for line in source.splitlines():
        s = line.strip()
        if s.startswith("#") and "BEGIN HIDDEN TESTS" in s:
            inside = True
        elif s.startswith("#") and "END HIDDEN TESTS" in s:
            inside = False
        elif not inside and s and not s.startswith("#"):
            code.append(s)
    return not code


@pytest.mark.parametrize("name", [nb.name for nb in ORDER])
def test_answers_are_blank_and_their_proofs_hidden(kit, name):
    source = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    released = nbformat.read(kit / "notebooks" / f"{name}.ipynb", as_version=4)
    cells = source.cells
    for i, cell in enumerate(cells):
        meta = _nbgrader(cell)
        if cell.cell_type != "markdown" or not meta.get("solution"):
            continue
        assert released.cells[i].source == ANSWER_STUB, (name, meta.get("grade_id"))
        # up to the next markdown cell: only proof cells (hidden) or the student's own cells
        for after in cells[i + 1:]:
            if after.cell_type == "markdown" or after.source.startswith('print(f"Headline:'):
                break  # the next section, or the headline of the notebook
            m = _nbgrader(after)
            proof = m.get("grade") and not m.get("solution") and m.get("points", 0) == 0
            assert m.get("solution") or (proof and _is_hidden_only(after.source)), (
                f"{name}.ipynb: the cell after answer {meta.get('grade_id')} is visible in the "
                f"student kit and may answer it: {after.source[:80]!r}")


@pytest.mark.parametrize("nb", ORDER, ids=[nb.name for nb in ORDER])
def test_every_function_is_asked_for_by_name_in_its_notebook(nb):
    notebook = nbformat.read(ROOT / nb.path, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    missing = [fn for fn in nb.functions if fn.split(":")[1].split(".")[-1] not in prose]
    assert not missing, f"{nb.path} never names {missing} in its markdown"


def test_every_function_has_three_hints():
    hints = load_hints()
    assert sorted(set(all_functions()) - set(hints)) == []
    assert sorted(set(hints) - set(all_functions())) == [], "hints for a function no notebook asks for"
