"""The package as pip delivers it: an sdist built from the sources, a wheel
built from that sdist, and the CLI run from the wheel outside any checkout
(python -S: this venv's editable install of the checkout is not on the path)."""

import shutil
import site
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "MANIFEST.in", "cs231n_lite", "coursekit")


def _build(kind, source, out):
    code = f"from setuptools import build_meta; print(build_meta.build_{kind}({str(out)!r}))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=source, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return out / proc.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """(sdist, wheel built from the unpacked sdist, the wheel unpacked as site-packages)."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:  # a clean copy: no build/ or egg-info in the checkout
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, src / name)
        else:
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    sdist = _build("sdist", src, tmp)
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp / "unpacked", **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    wheel = _build("wheel", next((tmp / "unpacked").iterdir()), tmp)
    installed = tmp / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    return sdist, wheel, installed


def test_sdist_holds_the_sources_and_no_tests(dists):
    sdist, _, _ = dists
    names = {n.split("/", 1)[1] for n in tarfile.open(sdist).getnames() if "/" in n}
    assert "pyproject.toml" in names and "cs231n_lite/data.py" in names
    assert "coursekit/student/html_templates/offline/index.html.j2" in names
    # the project's tests need notebooks/, grading/ and conftest.py: not shipped, so not shipped either
    assert not {n for n in names if n.startswith(("tests", "notebooks", "grading"))}


def test_wheel_ships_the_html_template(dists):
    _, wheel, _ = dists
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"coursekit/student/html_templates/offline/index.html.j2",
            "coursekit/student/html_templates/offline/conf.json", "coursekit/_toml.py"} <= names


def _cli(installed, cwd, *args):
    path = [str(installed), *site.getsitepackages()]  # the wheel first, then the dependencies
    code = f"import sys; sys.path[:0] = {path!r}; from coursekit.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-S", "-c", code, *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["run"], "cs231n-lite run: error: no notebooks in {cwd}/notebooks; run it in the kit's folder "
              "(the one holding notebooks/), or pass --notebooks DIR"),
    (["collect"], "cs231n-lite collect: error: {cwd} is not a kit folder (no cs231n_lite/, no "
                  "notebooks/); run collect in your kit's folder or pass --root DIR"),
    (["release", "out"], "cs231n-lite release: error: release: . is not a cs231n-lite repository "
                         "(no cs231n_lite/); run it in the instructors' checkout or pass --root DIR"),
    (["grade", ".", "--out", "o"], "cs231n-lite grade: error: no rubric at {cwd}/grading/rubric.toml"),
])
def test_commands_outside_a_checkout_say_what_they_need(dists, tmp_path, args, message):
    _, _, installed = dists
    proc = _cli(installed, tmp_path, *args)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [message.format(cwd=tmp_path)]
    assert list(tmp_path.iterdir()) == []  # nothing written (run used to write build/examples_*.png)


def test_the_wheels_collect_exports_offline_html(dists, tmp_path):
    """The template is found as package data, not through the checkout."""
    _, _, installed = dists
    code = ("import sys, nbformat; from coursekit.student.html import OfflineHTMLExporter, TEMPLATES; "
            "nb = nbformat.v4.new_notebook(); nb.cells = [nbformat.v4.new_markdown_cell('$x^2$')]; "
            "html = OfflineHTMLExporter().from_notebook_node(nb)[0]; print(TEMPLATES); "
            "print('<math' in html and 'mathjax' not in html.lower())")
    path = [str(installed), *site.getsitepackages()]
    # -S also hides the venv's prefix, where nbconvert's own templates live: name it
    env = {"JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-S", "-c", f"import sys; sys.path[:0] = {path!r}; {code}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == [str(installed / "coursekit" / "student" / "html_templates"), "True"]
