"""Builds, at test time, a corpus of submissions from the reference package.

Every entry is the reference ``cs231n_lite`` (or the student release's)
copied to a folder and mutated: a solution region replaced by hostile code, a
syntax error, an exception at import, files outside the folder written, a
zip with ``../`` paths, ... ``EXPECT`` says what the grader must make of each
(checked by tests/test_grade.py against the mini hidden tests in MINI_TESTS).
"""

from __future__ import annotations

import shutil
import textwrap
import zipfile
from pathlib import Path

from coursekit.release.markers import enclosing_functions, find_regions, region_owner

MINI_TESTS = '''
import numpy as np
from hidden_helpers import student


def test_sgd():
    w, _ = student("optim").sgd(np.ones(2), np.ones(2), {"learning_rate": 0.25})
    assert np.allclose(w, 0.75), f"sgd step: expected 0.75, got {w}"


def test_svm_naive():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    loss, _ = student("classifiers.linear_svm").svm_loss_naive(scores, np.eye(3), np.arange(3), 0.0)
    assert abs(loss - 15.8 / 3) < 1e-9, f"lecture example: expected 5.2667, got {loss}"


def test_svm_vectorized():
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), np.arange(5) % 3
    loss, dW = student("classifiers.linear_svm").svm_loss_vectorized(W, X, y, 0.1)
    assert np.shape(dW) == W.shape, f"dW shape {np.shape(dW)}, expected {W.shape}"
    assert np.isfinite(loss), f"loss is {loss}"


def test_softmax_vectorized():
    W = np.array([[3.2, 5.1, -1.7]])
    loss, _ = student("classifiers.softmax").softmax_loss_vectorized(W, np.ones((1, 1)), np.zeros(1, int), 0.0)
    assert abs(loss - 2.0404) < 1e-3, f"lecture cat: expected 2.04, got {loss}"
'''

MINI_RUBRIC = '''
[limits]
timeout = 3
budget = 60
memory = 2048

[parts.optim]
points = 2
[parts.optim.tests]
"test_mini.py::test_sgd" = 2

[parts.svm]
points = 5
[parts.svm.tests]
"test_mini.py::test_svm_naive" = 3
"test_mini.py::test_svm_vectorized" = 2

[parts.softmax]
points = 3
[parts.softmax.tests]
"test_mini.py::test_softmax_vectorized" = 3
'''

ITEMS = ("optim/test_mini.py::test_sgd", "svm/test_mini.py::test_svm_naive",
         "svm/test_mini.py::test_svm_vectorized", "softmax/test_mini.py::test_softmax_vectorized")
FULL = dict.fromkeys(ITEMS, "full")
STUDENTS = ("correct", "untouched", "partial", "syntax_error", "import_error", "infinite_loop",
            "memory_hog", "wrong_shapes", "nan_results", "tamper", "escape", "zip_slip", "empty",
            "bad_notebook", "no_package")


def write_mini_grading(dest: Path, repo: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copyfile(repo / "grading" / "hidden_helpers.py", dest / "hidden_helpers.py")
    (dest / "test_mini.py").write_text(MINI_TESTS)
    (dest / "rubric.toml").write_text(MINI_RUBRIC)
    return dest


def replace_region(pkg: Path, module: str, owner: str, code: str) -> None:
    """Replace the solution region of ``owner`` in ``pkg/module`` by ``code``."""
    path = pkg / module
    text = path.read_text()
    functions = enclosing_functions(text)
    lines = text.splitlines()
    for r in find_regions(text, str(path)):
        if r.kind == "solution" and region_owner(functions, r.begin + 1, "") == owner:
            body = [r.indent + ln for ln in textwrap.dedent(code).strip("\n").splitlines()]
            lines[r.begin: r.end + 1] = body
            path.write_text("\n".join(lines) + "\n")
            return
    raise LookupError(f"no solution region of {owner} in {module}")


def _zip_folder(folder: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(folder).as_posix())


def _copy(src_pkg: Path, dest: Path) -> Path:
    shutil.copytree(src_pkg, dest / "cs231n_lite", ignore=shutil.ignore_patterns("__pycache__"))
    return dest / "cs231n_lite"


ESCAPE = '''
import os as _os
for _target in ({canary!r}, _os.path.expanduser("~/escaped.txt"),
                _os.path.join(_os.getcwd(), "..", "..", "..", "escaped-relative.txt")):
    try:
        with open(_target, "w") as _f:
            _f.write("escaped")
    except OSError:
        pass
'''

TAMPER = '''
import os as _os, signal as _signal
_box = _os.environ.get("COURSEKIT_SANDBOX", "")
for _root, _dirs, _files in _os.walk(_os.path.join(_box, "grading")):
    for _name in _files:
        try:
            with open(_os.path.join(_root, _name), "w") as _f:
                _f.write("def test_sgd():\\n    pass\\n")
        except OSError:
            pass
_flag = _os.path.expanduser("~/tampered")
if not _os.path.exists(_flag):
    open(_flag, "w").close()
    _os.kill(_os.getpid(), _signal.SIGKILL)  # force a restart: would it re-read edited tests?
'''


def build(root: Path, reference: Path, release: Path, canary: Path) -> dict:
    """Write the corpus into ``root``; return {student: {column: "full"/"zero"/reason-substring}}."""
    root.mkdir(parents=True)
    expect = {}

    def folder(name, src=reference):
        return _copy(src, root / name)

    folder("correct")
    expect["correct"] = {"status": "graded", **FULL}

    work = root.parent / "corpus-work"
    untouched = _copy(release, work / "untouched")
    _zip_folder(untouched.parent, root / "untouched.zip")
    expect["untouched"] = {"status": "graded", **dict.fromkeys(ITEMS, "not implemented")}

    pkg = folder("partial", release)
    shutil.copyfile(reference / "optim.py", pkg / "optim.py")
    expect["partial"] = {**dict.fromkeys(ITEMS, "not implemented"), ITEMS[0]: "full"}

    pkg = folder("syntax_error")
    (pkg / "optim.py").write_text((pkg / "optim.py").read_text().replace("def sgd(", "def sgd((", 1))
    expect["syntax_error"] = {**FULL, ITEMS[0]: "crashed: SyntaxError"}

    pkg = folder("import_error")
    svm = pkg / "classifiers" / "linear_svm.py"
    svm.write_text(svm.read_text() + '\nraise ValueError("boom at import")\n')
    expect["import_error"] = {**FULL, ITEMS[1]: "crashed: ValueError: boom at import",
                              ITEMS[2]: "crashed: ValueError: boom at import"}

    pkg = folder("infinite_loop")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", "while True:\n    pass")
    expect["infinite_loop"] = {**FULL, ITEMS[1]: "timed out after 3 s"}

    pkg = folder("memory_hog")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "big = np.ones(int(30e9 / 8))\nloss = float(big.sum())")
    expect["memory_hog"] = {**FULL, ITEMS[2]: "exceeded memory"}

    pkg = folder("wrong_shapes")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "loss, dW = 1.0, np.zeros((3, 3))")
    expect["wrong_shapes"] = {**FULL, ITEMS[2]: "wrong: dW shape (3, 3), expected (4, 3)"}

    pkg = folder("nan_results")
    replace_region(pkg, "classifiers/softmax.py", "softmax_loss_vectorized", 'loss = float("nan")')
    expect["nan_results"] = {**FULL, ITEMS[3]: "wrong: lecture cat: expected 2.04, got nan"}

    pkg = folder("tamper", release)  # not implemented, with "passing" grader files of its own
    (root / "tamper" / "grading").mkdir()
    (root / "tamper" / "grading" / "test_mini.py").write_text("def test_sgd():\n    pass\n")
    (root / "tamper" / "grading" / "rubric.toml").write_text("# everything is worth 0\n")
    (pkg / "__init__.py").write_text((pkg / "__init__.py").read_text() + TAMPER)
    expect["tamper"] = {ITEMS[0]: "crashed: the test process died (signal 9)",
                        **dict.fromkeys(ITEMS[1:], "not implemented")}

    pkg = folder("escape")
    (pkg / "__init__.py").write_text((pkg / "__init__.py").read_text() + ESCAPE.format(canary=str(canary)))
    expect["escape"] = {"status": "graded", **FULL}

    with zipfile.ZipFile(root / "zip_slip.zip", "w") as zf:
        zf.writestr("cs231n_lite/__init__.py", "")
        zf.writestr("../zip-slip-escaped.py", "print('escaped')")
    expect["zip_slip"] = {"status": "rejected: unsafe path '../zip-slip-escaped.py' in the zip",
                          **dict.fromkeys(ITEMS, "rejected")}

    zipfile.ZipFile(root / "empty.zip", "w").close()
    expect["empty"] = {"status": "rejected: empty zip", **dict.fromkeys(ITEMS, "rejected")}

    folder("bad_notebook")
    (root / "bad_notebook" / "notebooks").mkdir()
    (root / "bad_notebook" / "notebooks" / "knn.ipynb").write_text("this is { not json")
    expect["bad_notebook"] = {"status": "graded", **FULL}

    (root / "no_package" / "notebooks").mkdir(parents=True)
    (root / "no_package" / "README.txt").write_text("I forgot my code")
    expect["no_package"] = {"status": "rejected: no cs231n_lite/ package"}
    return expect


# ------------------------------------------------ a tiny reference notebook
NB_RUBRIC = '''
[limits]
timeout = 20
budget = 120
memory = 2048

[parts.optim]
points = 7
notebook = "mini.ipynb"
[parts.optim.tests]
"test_nb.py::test_sgd" = 2
[parts.optim.cells]
"mini-data" = 1
"mini-sgd" = 2
"mini-hidden" = 1
[parts.optim.answers]
"mini-q1" = 1
'''

NB_TESTS = '''
import numpy as np
from hidden_helpers import student


def test_sgd():
    w, _ = student("optim").sgd(np.ones(2), np.ones(2), {"learning_rate": 0.5})
    assert np.allclose(w, 0.5), "sgd step"
'''


def _graded(source, grade_id, points, output=None):
    import nbformat.v4 as v4

    cell = v4.new_code_cell(source)
    cell.execution_count = 1
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "task": False,
                                 "points": points, "grade_id": grade_id, "schema_version": 3}
    if output:
        cell.outputs = [v4.new_output("stream", name="stdout", text=output)]
    return cell


def mini_notebook(answer: str):
    """A reference notebook as the instructor commits it: executed, graded cells, one answer."""
    import nbformat.v4 as v4

    setup = v4.new_code_cell("import numpy as np\nfrom cs231n_lite.optim import sgd")
    setup.execution_count = 1
    question = v4.new_markdown_cell(answer)
    question.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "task": False,
                                     "points": 1, "grade_id": "mini-q1", "schema_version": 3}
    data = _graded("import os, pathlib\nimport matplotlib.pyplot  # no font-cache noise on stderr\n"
                   'cache = pathlib.Path(os.environ["CS231N_LITE_CACHE"])\n'
                   'print(any(cache.glob("sample-v*/cifar-10-batches-py/data_batch_1")))',
                   "mini-data", 1, "True\n")  # the grader seeded the sample dataset
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Mini"), setup, data,
        _graded('w, _ = sgd(np.array([1.0, 2.0]), np.array([0.5, 0.5]), {"learning_rate": 0.1})\n'
                "print(w.round(3))", "mini-sgd", 2, "[0.95 1.95]\n"),
        question,
        _graded("### BEGIN HIDDEN TESTS\n"
                'assert sgd(np.ones(2), np.ones(2), {"learning_rate": 1.0})[0].sum() == 0, "sgd step"\n'
                "### END HIDDEN TESTS", "mini-hidden", 1)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_notebook_fixture(base: Path, repo: Path) -> tuple[Path, Path]:
    """(grading dir, reference notebooks dir) for the notebook phases."""
    import nbformat

    grading, notebooks = base / "nb-grading", base / "nb-reference"
    grading.mkdir(parents=True)
    notebooks.mkdir()
    shutil.copyfile(repo / "grading" / "hidden_helpers.py", grading / "hidden_helpers.py")
    (grading / "test_nb.py").write_text(NB_TESTS)
    (grading / "rubric.toml").write_text(NB_RUBRIC)
    nbformat.write(mini_notebook("**Your answer:** the reference answer"), notebooks / "mini.ipynb")
    return grading, notebooks
