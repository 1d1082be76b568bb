"""`cs231n-lite run`: dataset summary, notebooks executed, table, failures named."""

import nbformat
import pytest

from coursekit.student import runner


def _notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.fixture
def out(tmp_path, monkeypatch):
    monkeypatch.setenv("CS231N_LITE_DATA", "sample")
    return tmp_path / "build"


def test_run_executes_notebooks_and_reports_headline(tmp_path, out, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "knn.ipynb", "x = 0.25 + 0.03", "print(f'Headline: test accuracy = {x:.3f}')")
    rc = runner.main(["--notebooks", str(nbs), "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "sample" in text and "classes:" in text
    assert (out / "examples_sample.png").stat().st_size > 1000
    assert "knn" in text and "test accuracy 0.280" in text
    executed = nbformat.read(out / "notebooks" / "knn.ipynb", as_version=4)
    assert executed.cells[1].outputs[0]["text"].strip() == "Headline: test accuracy = 0.280"


def test_kernels_talk_over_unix_sockets_without_warnings(tmp_path, out, capfd, monkeypatch):
    # ipykernel warns "Kernel is running over TCP without encryption" once per
    # kernel; the runner's kernels use Unix sockets in a private temporary folder.
    monkeypatch.chdir(tmp_path)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "knn.ipynb", "from ipykernel.kernelapp import IPKernelApp\n"
              "print(IPKernelApp.instance().transport)")
    assert runner.main(["--notebooks", str(nbs), "--out", str(out)]) == 0
    executed = nbformat.read(out / "notebooks" / "knn.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "ipc"
    assert "without encryption" not in capfd.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "nbs"]  # no socket files left


def test_run_fails_naming_notebook_and_cell(tmp_path, out, capsys):
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "svm.ipynb", "a = 1", "assert a == 2, f'loss mismatch {a}'", "print('never')")
    rc = runner.main(["--notebooks", str(nbs), "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 1
    assert "FAILED svm.ipynb: cell 1 (\"assert a == 2, f'loss mismatch {a}'\"): AssertionError: loss mismatch 1" in text


def test_run_unknown_notebook_name(tmp_path, out, capsys):
    _notebook(tmp_path / "knn.ipynb", "x = 1")
    rc = runner.main(["--notebooks", str(tmp_path), "--out", str(out), "--only", "nope"])
    assert rc == 2
    assert "no notebook named nope" in capsys.readouterr().err


def test_run_without_notebooks_fails_before_writing_anything(tmp_path, out, capsys):
    # e.g. installed from a wheel and run outside the kit (tests/test_install.py runs that)
    rc = runner.main(["--notebooks", str(tmp_path / "notebooks"), "--out", str(out)])
    assert rc == 1 and not out.exists()
    assert capsys.readouterr().err.startswith(f"cs231n-lite run: error: no notebooks in {tmp_path}/notebooks;")


def test_kernels_get_one_blas_thread_unless_set(tmp_path, out, capsys, monkeypatch):
    for var in runner.BLAS_THREAD_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "2")  # the caller's choice wins
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    _notebook(nbs / "knn.ipynb", "import os\nprint([os.environ.get(v) for v in "
              "('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS')])")
    assert runner.main(["--notebooks", str(nbs), "--out", str(out)]) == 0
    executed = nbformat.read(out / "notebooks" / "knn.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == "['1', '1', '2']"


def test_to_do_line_names_this_notebooks_functions_and_counts_the_rest():
    knn = ["classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels"]
    svm = ["classifiers.linear_svm:svm_loss_naive", "optim:sgd"]
    assert runner._to_do_line("knn", knn) == "write KNearestNeighbor.predict_labels"
    assert runner._to_do_line("svm", knn + svm) == (
        "write svm_loss_naive, sgd (and 1 function of earlier notebooks first)")
    assert runner._to_do_line("softmax", knn + svm) == (
        "its own functions are written (and 3 functions of earlier notebooks first)")
