"""`cs231n-lite nbgrader COURSE_DIR`: lay this repository out as an nbgrader course.

nbgrader (0.9) converts notebooks but copies every other file of
``source/NAME/`` unchanged, and at autograde copies them again over the
student's. So the course is built so that nbgrader never sees a solution
outside a notebook, and never overwrites the student's package::

    COURSE_DIR/
      nbgrader_config.py       exclude_overwriting, cell timeout, code stub, feedback
      source/NAME/             (nbgrader's source; NAME defaults to a1)
        README.md              for the students: the package next to the notebooks is theirs
        knn.ipynb ...          the kit's own notebooks (nbgrader handles their markers),
                               each followed by its part's hidden tests (below)
        cs231n_lite/           ALREADY the student version: the same student blocks as
                               `cs231n-lite release`, instructor-only modules left out

* ``nbgrader_config.py`` lists in ``Autograde.exclude_overwriting`` every
  package file that holds a student block: autograde grades the student's own
  copies; every other file (data loading, the sample, plots) is restored from
  ``source/`` as nbgrader always does.
* Hidden tests: each notebook gets, after its last cell, one 0-point graded
  cell that defines a runner and holds the sources of the part's hidden-test
  modules and of ``grading/``'s helper modules (zlib + base64: no nbgrader
  delimiter can occur in it), then one graded cell per hidden test of the
  part (points and order from ``grading/rubric.toml``, ``grade_id``
  ``hidden-<file stem>-<test>``) that runs that test in the notebook's kernel
  against the ``cs231n_lite`` next to the notebook. Every one of these cells
  is a whole ``### BEGIN HIDDEN TESTS`` region: students get empty cells,
  nbgrader's ``generate_assignment`` stores the sources in the gradebook and
  ``autograde`` puts them back; the gradebook carries the rubric's points.
* Points add up to the rubric's: per part, the notebook's graded cells
  (metadata points, proofs at 0) plus its hidden tests equal ``points``;
  anything else is refused before anything is written.

The course is built in a temporary sibling folder and renamed into place: a
failed layout leaves nothing behind.
"""

from __future__ import annotations

import ast
import base64
import inspect
import json
import re
import shutil
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from .. import manifest
from .._toml import tomllib
from ..blocks import END_LINE, START_LINE
from ..errors import CourseKitError
from .build import is_released, list_files, new_folder, release_notebook, release_python

DEFAULT_ASSIGNMENT = "a1"
GRADING = "grading"
RUBRIC = "rubric.toml"
LOADER_ID = "hidden-tests-setup"
GRADE_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
GRADE_ID_MAX = 128  # nbgrader's gradebook column
# every phrase nbgrader's preprocessors look for, anywhere in a line
DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
              "BEGIN MARK SCHEME", "END MARK SCHEME", "AUTOTEST")
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# what nbgrader writes for a notebook solution region: the kit's block, without an owner
CODE_STUB = "\n".join([START_LINE, 'raise NotImplementedError("implement this region (see the TODO above)")',
                       END_LINE])
STUDENT_README = """\
# {name}

Work in the notebooks, in this order: {order}.

The package `cs231n_lite/` next to the notebooks is yours: the notebooks import it
from this folder, and each notebook names the functions you write in it, between
the `START OF YOUR CODE` / `END OF YOUR CODE` lines. Your copies of those files are
graded with the notebooks: submit the whole folder.

Data: the built-in sample dataset (synthetic, NOT CIFAR-10) unless the course sets
`CS231N_LITE_DATA` to a CIFAR-10 folder. The empty cells at the end of each notebook
are filled in when your work is graded.
"""


@dataclass
class CourseReport:
    """What a layout wrote: notebooks, package files, student files, hidden tests, points."""

    notebooks: list[str] = field(default_factory=list)
    package_files: list[str] = field(default_factory=list)
    student_files: list[str] = field(default_factory=list)  # exclude_overwriting
    regions: int = 0
    hidden_tests: int = 0
    points: float = 0.0  # the gradebook's max score (hand-graded answers included)
    hidden_points: float = 0.0
    hand_points: float = 0.0


@dataclass(frozen=True)
class Part:
    """One rubric part carried by one notebook."""

    name: str
    points: float
    tests: dict  # "file::test" -> points (rubric order)
    cells: dict  # grade_id -> points (code cells and written answers)


# ---------------------------------------------------------------- the rubric and the tests
def _load_rubric(grading: Path) -> dict:
    path = grading / RUBRIC
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseKitError(f"no rubric at {path}; the course's points come from it") from None
    except tomllib.TOMLDecodeError as err:
        raise CourseKitError(f"rubric {path}: {err}") from None


def _points(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise CourseKitError(f"rubric: {where} must be points >= 0, got {value!r}")
    return float(value)


def _parts_by_notebook(rubric: dict) -> dict[str, Part]:
    """notebook file name -> its Part (docs/instructors.md section 5)."""
    found = {}
    for name, spec in rubric.get("parts", {}).items():
        if not spec.get("notebook"):
            raise CourseKitError(f"rubric: part {name} has no notebook; in nbgrader its hidden tests "
                                 f"need a notebook to run in (add notebook = \"<name>.ipynb\")")
        tables = {}
        for kind in ("tests", "cells", "answers"):
            table = spec.get(kind, {})
            if not isinstance(table, dict):
                raise CourseKitError(f"rubric: parts.{name}.{kind} must be a table of name = points")
            tables[kind] = {k: _points(v, f"parts.{name}.{kind}.{k!r}") for k, v in table.items()}
        if spec["notebook"] in found:
            raise CourseKitError(f"rubric: parts {found[spec['notebook']].name} and {name} share "
                                 f"{spec['notebook']}; give each notebook one part")
        found[spec["notebook"]] = Part(name, _points(spec.get("points"), f"parts.{name}.points"),
                                       tables["tests"], {**tables["cells"], **tables["answers"]})
    return found


def _graded_cells(nb) -> dict[str, tuple[float, str]]:
    """grade_id -> (points, cell type) of every nbgrader graded cell (code and markdown)."""
    return {c.metadata["nbgrader"].get("grade_id", ""):
            (float(c.metadata["nbgrader"].get("points", 0) or 0), c.cell_type)
            for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}


def _check_points(part: Part, notebook: str, graded: dict) -> None:
    """The gradebook's points for this notebook are the rubric's, item by item."""
    graded = {grade_id: points for grade_id, (points, _) in graded.items()}
    for grade_id, points in part.cells.items():
        if grade_id not in graded:
            raise CourseKitError(f"rubric: parts.{part.name} lists cell {grade_id!r}, which is not a "
                                 f"graded cell of notebooks/{notebook}")
        if graded[grade_id] != points:
            raise CourseKitError(f"notebooks/{notebook}: cell {grade_id!r} has {graded[grade_id]:g} points "
                                 f"in its metadata but {points:g} in the rubric; make them agree")
    for grade_id in sorted(graded.keys() - part.cells.keys()):
        if graded[grade_id] == 0:
            continue  # an instructor's 0-point proof cell: not in the rubric, as for `grade`
        raise CourseKitError(f"notebooks/{notebook}: graded cell {grade_id!r} is not in parts.{part.name} "
                             f"of the rubric; add it (with {graded[grade_id]:g} points)")
    total = sum(graded.values()) + sum(part.tests.values())
    if abs(total - part.points) > 1e-9:
        raise CourseKitError(f"rubric: parts.{part.name}: graded cells ({sum(graded.values()):g}) and hidden "
                             f"tests ({sum(part.tests.values()):g}) add up to {total:g}, expected "
                             f"points = {part.points:g}")


def _test_nodes(tree) -> dict[str, ast.FunctionDef]:
    """"function" and "Class::method" -> the test's AST node."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            found.update({f"{node.name}::{f.name}": f for f in node.body if isinstance(f, ast.FunctionDef)})
    return found


def _parametrized_names(node: ast.FunctionDef, test_id: str) -> set[str]:
    """Argument names its ``@pytest.mark.parametrize`` decorators supply; other marks refused."""
    names = set()
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        dotted = ast.unparse(target)
        if not dotted.endswith("mark.parametrize"):
            raise CourseKitError(f"grading/{test_id}: decorator @{dotted} is not supported in the nbgrader "
                                 f"course (only @pytest.mark.parametrize); drop it or grade with `grade`")
        first = deco.args[0] if isinstance(deco, ast.Call) and deco.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            names |= {n.strip() for n in first.value.split(",") if n.strip()}
        elif isinstance(first, (ast.List, ast.Tuple)):
            names |= {e.value for e in first.elts if isinstance(e, ast.Constant)}
    return names


def _check_test(test_id: str, nodes: dict) -> None:
    file, _, name = test_id.partition("::")
    node = nodes.get(name)
    if node is None:
        raise CourseKitError(f"rubric: hidden test {test_id} does not exist in grading/{file}")
    args = [a.arg for a in node.args.args if a.arg != "self"]
    missing = sorted(set(args) - _parametrized_names(node, test_id))
    if missing:
        raise CourseKitError(f"grading/{test_id}: argument(s) {', '.join(missing)} would be pytest fixtures, "
                             f"which the nbgrader course cannot provide; build them inside the test")


def _grading_sources(grading: Path, tests: list[str]) -> dict[str, str]:
    """The sources each hidden test needs: its module and every helper module of grading/."""
    if (grading / "conftest.py").exists():
        raise CourseKitError(f"{grading / 'conftest.py'}: fixtures and hooks are not carried into the "
                             f"nbgrader course; move what the tests need into a helper module")
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(grading.glob("*.py"))
               if not p.name.startswith("test_")}
    for test_id in tests:
        file = test_id.split("::")[0]
        if file not in sources:
            path = grading / file
            try:
                sources[file] = path.read_text(encoding="utf-8")
            except FileNotFoundError:
                raise CourseKitError(f"rubric: hidden test {test_id}: no file {path}") from None
        try:
            nodes = _test_nodes(ast.parse(sources[file], filename=f"grading/{file}"))
        except SyntaxError as err:
            raise CourseKitError(f"grading/{file}:{err.lineno}: {err.msg}") from None
        _check_test(test_id, nodes)
    return sources


# ---------------------------------------------------------------- the runner in the notebook
def _cs231n_lite_hidden_test(test_id, sources, timeout=None):
    """Run hidden test ``test_id`` ("file::test" or "file::Class::test") of grading/ in this kernel,
    against the cs231n_lite next to this notebook; raise AssertionError saying why it lost its points."""
    import base64
    import importlib.util
    import json
    import os
    import signal
    import sys
    import threading
    import types
    import zlib

    here = os.path.realpath(os.getcwd())
    loaded = sys.modules.get("cs231n_lite")
    spec = loaded.__spec__ if loaded is not None else importlib.util.find_spec("cs231n_lite")
    origin = os.path.realpath(spec.origin) if spec is not None and spec.origin else None
    if origin is None or os.path.commonpath([here, origin]) != here:
        raise AssertionError(f"{test_id}: not graded: cs231n_lite resolves to {origin}, not to the "
                             f"package next to this notebook in {here}")
    files = json.loads(zlib.decompress(base64.b64decode(sources)).decode("utf-8"))
    helpers = {n[:-3]: types.ModuleType(n[:-3]) for n in files if not n.split("/")[-1].startswith("test_")}
    saved = {name: sys.modules.get(name) for name in helpers}
    parts = test_id.split("::")

    def on_alarm(signum, frame):
        raise TimeoutError(f"timed out after {timeout:g} s")

    alarm = bool(timeout) and hasattr(signal, "SIGALRM")
    alarm = alarm and threading.current_thread() is threading.main_thread()
    old_handler = signal.signal(signal.SIGALRM, on_alarm) if alarm else None
    try:
        sys.modules.update(helpers)
        for name, module in helpers.items():
            exec(compile(files[name + ".py"], f"grading/{name}.py", "exec"), module.__dict__)
        module = types.ModuleType(parts[0][:-3])
        exec(compile(files[parts[0]], f"grading/{parts[0]}", "exec"), module.__dict__)
        test = getattr(module, parts[1])
        if len(parts) == 3:
            test = getattr(test(), parts[2])
        cases = [{}]  # one keyword dict per @pytest.mark.parametrize combination
        for mark in [m for m in getattr(test, "pytestmark", []) if m.name == "parametrize"]:
            names = mark.args[0] if mark.args else mark.kwargs["argnames"]
            values = mark.args[1] if len(mark.args) > 1 else mark.kwargs["argvalues"]
            names = names.replace(" ", "").split(",") if isinstance(names, str) else list(names)
            rows = [tuple(v.values) if hasattr(v, "marks") and hasattr(v, "values")  # pytest.param
                    else (v,) if len(names) == 1 else tuple(v) for v in values]
            cases = [dict(case, **dict(zip(names, row))) for case in cases for row in rows]
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, timeout)
        for kwargs in cases:
            test(**kwargs)
    except AssertionError as err:
        raise AssertionError(f"{test_id}: wrong: {err}") from None
    except NotImplementedError as err:
        raise AssertionError(f"{test_id}: not implemented: {err}") from None
    except TimeoutError as err:
        raise AssertionError(f"{test_id}: {err}") from None
    except Exception as err:
        raise AssertionError(f"{test_id}: crashed: {type(err).__name__}: {err}") from None
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    print(f"{test_id}: passed")


def pack_sources(sources: dict[str, str]) -> list[str]:
    """grading sources -> base64 lines of their zlib-compressed JSON (no nbgrader delimiter in them)."""
    blob = base64.b64encode(zlib.compress(json.dumps(sources, sort_keys=True).encode("utf-8"), 9)).decode()
    return [blob[i:i + 76] for i in range(0, len(blob), 76)]


def _hidden(lines: list[str]) -> str:
    return "\n".join([BEGIN_HIDDEN, *lines, END_HIDDEN])


def _check_delimiters(source: str, where: str) -> None:
    """nbgrader matches its delimiters anywhere in a line: only our two marker lines may hold one."""
    for line in source.splitlines():
        if line in (BEGIN_HIDDEN, END_HIDDEN):
            continue
        for phrase in DELIMITERS:
            if phrase in line:
                raise CourseKitError(f"{where}: the generated hidden-test cell holds {phrase!r} outside its "
                                     f"markers, which nbgrader would act on; please report this")


def _grade_meta(grade_id: str, points: float) -> dict:
    if not GRADE_ID_RE.match(grade_id) or len(grade_id) > GRADE_ID_MAX:
        raise CourseKitError(f"hidden-test cell id {grade_id!r} is not a valid nbgrader grade_id (letters, "
                             f"digits, _ and -, at most {GRADE_ID_MAX}); rename the test")
    return {"nbgrader": {"grade": True, "solution": False, "locked": True, "task": False,
                         "points": points, "grade_id": grade_id, "schema_version": 3}}


def hidden_grade_id(test_id: str) -> str:
    """``"test_svm.py::test_naive_gradient"`` -> ``"hidden-test_svm-test_naive_gradient"``."""
    file, _, name = test_id.partition("::")
    name = f"{PurePosixPath(file).stem}-{name.replace('::', '-')}"
    return "hidden-" + re.sub(r"[^A-Za-z0-9_-]+", "-", name)


def hidden_cells(part: Part, sources: dict[str, str], timeout: float, where: str) -> list:
    """The cells appended to a notebook: a note, the 0-point setup cell, one cell per hidden test."""
    v4 = nbformat.v4
    note = v4.new_markdown_cell(
        "## Hidden tests\n\nThe empty cells below are filled in and run when your work is graded: "
        "they test the functions of `cs231n_lite` that this notebook asks for. Leave them as they are.")
    runner = inspect.getsource(_cs231n_lite_hidden_test).rstrip("\n")
    setup_lines = [
        "# cs231n-lite: this notebook's hidden tests, written by `cs231n-lite nbgrader` from grading/.",
        "# _CS231N_LITE_GRADING holds the sources of " + ", ".join(sorted(sources)) + " (zlib + base64).",
        *runner.splitlines(),
        "",
        "",
        "_CS231N_LITE_GRADING = (",
        *[f'    "{line}"' for line in pack_sources(sources)],
        ")",
        "try:  # tracebacks of the cells below: one line, the reason",
        '    get_ipython().run_line_magic("xmode", "Minimal")',
        "except NameError:",
        "    pass",
    ]
    setup = v4.new_code_cell(_hidden(setup_lines), metadata=_grade_meta(LOADER_ID, 0))
    cells = [note, setup]
    for test_id, points in part.tests.items():
        call = f"_cs231n_lite_hidden_test({test_id!r}, _CS231N_LITE_GRADING, timeout={timeout!r})"
        source = _hidden([f"# grading/{test_id} ({points:g} points)", call])
        cells.append(v4.new_code_cell(source, metadata=_grade_meta(hidden_grade_id(test_id), points)))
    for cell in cells:
        if cell.cell_type == "code":
            _check_delimiters(cell.source, where)
    return cells


# ---------------------------------------------------------------- the course
def _select(names) -> list:
    if not names:
        return list(manifest.ORDER)
    known = [nb.name for nb in manifest.ORDER]
    for name in names:
        if name not in known:
            raise CourseKitError(f"--notebooks: no notebook {name!r}; the assignment has {', '.join(known)}")
    return [nb for nb in manifest.ORDER if nb.name in set(names)]


def _write_package(root: Path, dest: Path, report: CourseReport) -> None:
    """The student version of every released file of cs231n_lite/ (what `release` writes)."""
    for rel in list_files(root):
        if not rel.startswith(manifest.PACKAGE + "/") or not is_released(rel, root):
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith(".py"):
            text, n = release_python((root / rel).read_text(encoding="utf-8"), rel)
            out.write_text(text, encoding="utf-8")
            report.regions += n
            if START_LINE in text:
                report.student_files.append(rel)
        else:
            shutil.copy2(root / rel, out)
        report.package_files.append(rel)


def _write_notebook(root: Path, nb_spec, part: Part, grading: Path, timeout: float, dest: Path,
                    report: CourseReport) -> None:
    rel = nb_spec.path
    path = root / rel
    if not path.is_file():
        raise CourseKitError(f"{rel} is listed in coursekit/manifest.py but does not exist")
    text = path.read_text(encoding="utf-8")
    release_notebook(text, rel)  # the kit's marker rules are nbgrader's: one clear error line here
    nb = nbformat.reads(text, as_version=4)
    graded = _graded_cells(nb)
    _check_points(part, PurePosixPath(rel).name, graded)
    taken = set(graded) | {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    sources = _grading_sources(grading, list(part.tests))
    for grade_id in [LOADER_ID] + [hidden_grade_id(t) for t in part.tests]:
        if grade_id in taken:
            raise CourseKitError(f"{rel}: grade_id {grade_id!r} is already used; the nbgrader course needs "
                                 f"it for a hidden-test cell (rename the notebook's cell or the test)")
        taken.add(grade_id)
    if part.tests:
        nb.cells.extend(hidden_cells(part, sources, timeout, rel))
    nbformat.validate(nb)
    nbformat.write(nb, dest / f"{nb_spec.name}.ipynb")
    report.notebooks.append(nb_spec.name)
    report.hidden_tests += len(part.tests)
    report.hidden_points += sum(part.tests.values())
    report.points += part.points
    report.hand_points += sum(points for points, kind in graded.values() if kind == "markdown")


def config_text(assignment: str, student_files: list[str], cell_timeout: float) -> str:
    """The course's nbgrader_config.py."""
    files = "".join(f"        {f!r},\n" for f in student_files)
    return f'''"""nbgrader configuration of the cs231n-lite course (written by `cs231n-lite nbgrader`).

Run nbgrader from this folder: `nbgrader generate_assignment {assignment}`, then
`nbgrader autograde {assignment}` once submissions are in submitted/<student>/{assignment}/.
"""

from nbgrader.preprocessors import ClearHiddenTests, GetGrades
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor

c = get_config()  # noqa: F821 (nbgrader provides it)

c.CourseDirectory.course_id = "cs231n-lite"  # your course's id, for the exchange

# The package files students edit (those with a student block). autograde must
# grade the student's copies: without this it overwrites them with source/'s.
# Every other file of source/{assignment}/ is restored from source/, as usual.
c.Autograde.exclude_overwriting = {{
    {assignment!r}: [
{files}    ],
}}

# Seconds per notebook cell at autograde (the rubric's cell_timeout); each hidden
# test has its own alarm inside its cell (the rubric's timeout).
c.Execute.timeout = {int(cell_timeout)}

# A graded cell a student deleted (hidden tests included) is put back, not lost.
c.OverwriteCells.add_missing_cells = True

# Notebook solution regions become the kit's student block.
c.ClearSolutions.code_stub = {{"python": {CODE_STUB!r}}}

# Feedback shows each hidden test's result line, not the tests' code.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests]
'''


def build_course(root: Path, course: Path, assignment: str = DEFAULT_ASSIGNMENT,
                 notebooks=None) -> CourseReport:
    """Lay out the nbgrader course of repository ``root`` in the new folder ``course``."""
    root, course = Path(root), Path(course)
    if not (root / manifest.PACKAGE).is_dir():
        raise CourseKitError(f"{root} is not a cs231n-lite repository (no {manifest.PACKAGE}/)")
    if not GRADE_ID_RE.match(assignment):
        raise CourseKitError(f"--assignment must be letters, digits, _ or -, got {assignment!r}")
    grading = root / GRADING
    rubric = _load_rubric(grading)
    parts = _parts_by_notebook(rubric)
    limits = rubric.get("limits", {})
    timeout = float(limits.get("timeout", 30))
    cell_timeout = float(limits.get("cell_timeout", 300))
    selected = _select(notebooks)
    for nb_spec in selected:
        if f"{nb_spec.name}.ipynb" not in parts:
            raise CourseKitError(f"rubric: no part has notebook = \"{nb_spec.name}.ipynb\"; nbgrader's "
                                 f"points for that notebook would be unaccounted for")
    report = CourseReport()
    with new_folder(course, root, " for the course") as staging:
        dest = staging / "source" / assignment
        dest.mkdir(parents=True)
        _write_package(root, dest, report)
        for nb_spec in selected:
            _write_notebook(root, nb_spec, parts[f"{nb_spec.name}.ipynb"], grading, timeout, dest, report)
        (dest / "README.md").write_text(STUDENT_README.format(
            name=assignment, order=", ".join(f"{n}.ipynb" for n in report.notebooks)), encoding="utf-8")
        (staging / "nbgrader_config.py").write_text(
            config_text(assignment, report.student_files, cell_timeout), encoding="utf-8")
    return report


def main(argv) -> int:
    """``nbgrader COURSE_DIR [--assignment NAME] [--notebooks ...] [--root DIR]``."""
    report = build_course(Path(argv.root), Path(argv.course_dir), argv.assignment, argv.notebooks)
    name = argv.assignment
    print(f"nbgrader: wrote {argv.course_dir}: source/{name}/ with {len(report.notebooks)} notebooks and "
          f"{len(report.package_files)} package files ({report.regions} regions as student blocks in "
          f"{len(report.student_files)} files kept at autograde), {report.hidden_tests} hidden tests "
          f"({report.hidden_points:g} points); {report.points:g} points in all, {report.hand_points:g} "
          f"graded by hand; next: cd {argv.course_dir} && nbgrader generate_assignment {name}")
    return 0
