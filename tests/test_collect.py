"""`cs231n-lite collect`: the submission zip, and its refusals."""

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from coursekit.manifest import PARTS, required_files

ROOT = Path(__file__).resolve().parents[1]


def _executed(text="print(1)", output="1\n", run=True):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(text)
    if run:
        cell.execution_count = 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=output)]
    nb.cells = [nbformat.v4.new_markdown_cell("# Part\n\nThe loss $L = \\frac{1}{N} \\sum_i L_i$, and"
                                              "\n\n$$\\nabla_W L = 2 \\lambda W$$"), cell]
    return nb


def _make_kit(root: Path) -> Path:
    shutil.copytree(ROOT / "cs231n_lite", root / "cs231n_lite")
    (root / "cs231n_lite" / "__pycache__").mkdir(exist_ok=True)
    (root / "cs231n_lite" / "__pycache__" / "junk.pyc").write_bytes(b"x")
    (root / "notebooks").mkdir()
    for _, notebook in PARTS.values():
        nbformat.write(_executed(output=f"{notebook}\n"), root / notebook)
    return root


@pytest.fixture
def kit(tmp_path):
    return _make_kit(tmp_path)


def _collect(root: Path, *args):
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "collect", "--root", str(root), *args],
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """One kit collected twice (the expensive part: HTML exports)."""
    root = _make_kit(tmp_path_factory.mktemp("collect"))
    runs = [_collect(root, "--out", str(root / name)) for name in ("a.zip", "b.zip")]
    return root, runs


def test_zip_holds_package_notebooks_and_html(collected):
    root, runs = collected
    code, out, err = runs[0]
    assert code == 0, err
    zf = zipfile.ZipFile(root / "a.zip")
    names = set(zf.namelist())
    assert set(required_files()) <= names
    assert not any("__pycache__" in n for n in names)
    for _, notebook in PARTS.values():
        text = zf.read(f"html/{Path(notebook).stem}.html").decode()
        assert "<html" in text and notebook in text  # the cell's output is in the export
    n_pkg = sum(n.startswith("cs231n_lite/") for n in names)
    n_nb = len(PARTS)  # one notebook per part of the manifest
    assert out.strip() == (f"collect: wrote {root / 'a.zip'} ({n_pkg} package files, {n_nb} notebooks, "
                           f"{n_nb} HTML exports)")


def remote_references(html: str) -> list:
    """Everything in an HTML page that a browser would fetch from the network."""
    found = re.findall(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=[\"']?(?:https?:)?//[^>]*>", html)
    for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S):
        found += re.findall(r"(?:import\(|src\s*=|url\()\s*[\"']?(?:https?:)?//[^\"')]+", body)
    found += re.findall(r"@import\s+(?:url\()?[\"']?(?:https?:)?//[^\"')]+", html)
    return found


def test_html_exports_read_offline(collected):
    """Formulas are MathML (no MathJax), and nothing is loaded from the network."""
    root, _ = collected
    zf = zipfile.ZipFile(root / "a.zip")
    for name in (n for n in zf.namelist() if n.startswith("html/")):
        text = zf.read(name).decode()
        assert remote_references(text) == [], name
        assert "mathjax" not in text.lower()
        assert text.count("<math ") == 2 and "$" not in text.replace("$$", "")  # both formulas


def test_remote_reference_finder_finds_what_nbconvert_loads():
    """The check above can fail: nbconvert's own export loads MathJax and require.js."""
    from nbconvert import HTMLExporter

    text = HTMLExporter().from_notebook_node(_executed())[0]
    assert any("mathjax" in r for r in remote_references(text))
    assert any("require" in r for r in remote_references(text))


def test_every_formula_of_the_notebooks_renders_as_mathml():
    from coursekit.student import html
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    failed = []

    class Recording(html.MathMLRenderer):
        def inline_math(self, body):
            out = html.mathml(body, "inline")
            failed.extend([body] if out is None else [])
            return out or ""

        def block_math(self, body):
            out = html.mathml(body, "block")
            failed.extend([body] if out is None else [])
            return out or ""

        def latex_environment(self, name, body):
            return self.block_math(f"\\begin{{{name}}}{body}\\end{{{name}}}")

    count = 0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                count += MarkdownWithMath(renderer=Recording(escape=False)).render(cell.source).count("<math")
    assert failed == [] and count > 100, (count, failed[:5])


def test_same_work_gives_the_same_zip(collected):
    root, runs = collected
    assert runs[1][0] == 0
    assert (root / "a.zip").read_bytes() == (root / "b.zip").read_bytes()


def test_refuses_when_a_required_file_is_missing(kit):
    (kit / "cs231n_lite" / "features" / "hog.py").unlink()
    (kit / "notebooks" / "svm.ipynb").unlink()
    code, out, err = _collect(kit)
    assert code == 1 and out == "" and not (kit / "submission.zip").exists()
    assert err.strip() == (f"cs231n-lite collect: error: missing cs231n_lite/features/hog.py, "
                           f"notebooks/svm.ipynb under {kit}; restore it from the kit")


def test_refuses_a_notebook_never_executed(kit):
    nbformat.write(_executed(run=False), kit / "notebooks" / "knn.ipynb")
    code, _, err = _collect(kit)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "notebooks/knn.ipynb was never executed; run all its cells, save, and collect again" in err


def test_refuses_a_notebook_that_is_not_json(kit):
    (kit / "notebooks" / "softmax.ipynb").write_text("{ not json")
    code, _, err = _collect(kit)
    assert code == 1 and "notebooks/softmax.ipynb is not a valid notebook" in err
    assert len(err.strip().splitlines()) == 1


def test_notes_unrun_and_failing_cells_without_refusing(kit):
    nb = _executed()
    unrun = nbformat.v4.new_code_cell("x = 2")
    failed = nbformat.v4.new_code_cell("1 / 0")
    failed.execution_count = 2
    failed.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])]
    nb.cells += [unrun, failed]
    nbformat.write(nb, kit / "notebooks" / "features.ipynb")
    code, out, _ = _collect(kit)
    assert code == 0
    assert "note: notebooks/features.ipynb: 1 code cell(s) never ran" in out
    assert "note: notebooks/features.ipynb: 1 cell(s) show an error" in out


def test_collected_zip_grades_like_a_folder(collected, tmp_path):
    """collect's layout is what grade expects (cs231n_lite/ and notebooks/ at the top)."""
    from coursekit.grader.submissions import Submission, stage

    root, _ = collected
    names = stage(Submission("s", root / "a.zip"), tmp_path / "up", tmp_path / "student")
    assert names == sorted(Path(nb).name for _, nb in PARTS.values())
    assert (tmp_path / "student" / "cs231n_lite" / "optim.py").is_file()
