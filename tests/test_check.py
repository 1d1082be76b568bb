"""`cs231n-lite check`: per-function verdicts against the reference, the release and broken code."""

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import grading_corpus as corpus
from coursekit.student.checks.report import summary
from coursekit.student.checks import PARTS, checks_for, run_check
from coursekit.student.checks.base import CheckResult, expect_close, Wrong
from coursekit.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]


def _check(root: Path, *args):
    """Run the command as a student would, from their kit folder."""
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", *args], cwd=root,
                          capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    """The student release, and the release with broken reference code."""
    base = tmp_path_factory.mktemp("check")
    build_release(ROOT, base / "release")
    broken = base / "broken"
    shutil.copytree(ROOT / "cs231n_lite", broken / "cs231n_lite")
    pkg = broken / "cs231n_lite"
    corpus.replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", "loss = 1.0")
    corpus.replace_region(pkg, "classifiers/softmax.py", "softmax_loss_naive", "loss = 1 / 0")
    corpus.replace_region(pkg, "optim.py", "adam", "next_w = w")
    corpus.replace_region(pkg, "classifiers/k_nearest_neighbor.py",
                          "KNearestNeighbor.compute_distances_no_loops", "dists = np.zeros((2, 2))")
    return base


def test_every_part_has_checks():
    assert {c.part for c in checks_for()} == set(PARTS)
    with pytest.raises(KeyError):
        checks_for("svn")


def test_reference_passes_everything():
    results = [run_check(c) for c in checks_for()]
    assert [r.line for r in results if r.status != "passed"] == []


def test_release_reports_not_implemented_per_function(kits):
    code, out, err = _check(kits / "release")
    lines = [ln for ln in out.splitlines() if ln.startswith("  ")]
    assert code == 1 and err == ""
    assert len(lines) == len(checks_for())
    assert all("not implemented yet" in ln for ln in lines), out
    assert "LinearClassifier.train" in out and "(it needs sample_minibatch first)" in out
    assert f"{len(lines)} checks: {len(lines)} not implemented yet" in out


def test_broken_code_gets_actionable_reasons(kits):
    code, out, _ = _check(kits / "broken")
    line = {ln.split()[0]: ln for ln in out.splitlines() if ln.startswith("  ")}
    assert code == 1
    assert ("wrong: loss on the lecture's cat image alone (scores [3.2, 5.1, -1.7], true class cat, "
            "reg=0): expected 2.9, got 1") in line["svm_loss_naive"]
    assert "crashed: ZeroDivisionError: division by zero at cs231n_lite/classifiers/softmax.py:" \
        in line["softmax_loss_naive"]
    assert "wrong: adam: next_w (the bias-corrected first step" in line["adam"]
    assert "expected [[0.9, -1.9], [0.4, 3.1]], got [[1, -2], [0.5, 3]]" in line["adam"]
    assert "dists should have shape (4, 7)" in line["KNearestNeighbor.compute_distances_no_loops"]
    assert "got (2, 2)" in line["KNearestNeighbor.compute_distances_no_loops"]
    assert line["svm_loss_vectorized"].endswith("passed")


def test_one_part_only_and_exit_code(kits):
    code, out, _ = _check(kits / "broken", "optim")
    assert code == 1 and out.splitlines()[1] == "optim" and "svm" not in out
    code, out, _ = _check(ROOT, "knn")
    assert code == 0 and "4 checks: 4 passed" in out


def test_unknown_part_is_one_line(kits):
    code, out, err = _check(kits / "release", "svn")
    assert code == 1 and out == ""
    assert err.strip() == ("cs231n-lite check: error: unknown part 'svn'; choose one of knn, svm, "
                           "softmax, two_layer_net, features, optim, fc_net or all")


def test_infinite_loop_times_out(tmp_path):
    shutil.copytree(ROOT / "cs231n_lite", tmp_path / "cs231n_lite")
    corpus.replace_region(tmp_path / "cs231n_lite", "optim.py", "adam", "while True:\n    pass")
    code, out, _ = _check(tmp_path, "optim", "--timeout", "1")
    assert code == 1 and "adam" in out and "timed out after 1 s" in out
    assert "sgd_momentum                                   passed" in out


def test_expect_close_reports_error_and_tolerance():
    with pytest.raises(Wrong, match=r"loss for X: expected 1, got 1.1 \(max relative error 4.8e-02 "
                                    r"> tolerance 1e-06\)"):
        expect_close("loss", 1.1, 1.0, "for X")


def test_summary_counts_statuses():
    results = [CheckResult("svm", "a", "passed"), CheckResult("svm", "b", "wrong", "x"),
               CheckResult("svm", "c", "passed")]
    assert summary(results) == "3 checks: 2 passed, 1 wrong"


def test_a_failing_check_blames_the_function_it_calls(monkeypatch):
    """elastic_net_penalty reuses l1_penalty: a wrong l1_penalty is named, not elastic net."""
    from cs231n_lite.classifiers import regularization
    from coursekit.student.checks.base import find_check

    monkeypatch.setattr(regularization, "l1_penalty", lambda W, reg: (0.0, 0.0 * W))
    result = run_check(find_check("elastic_net_penalty"))
    assert result.status == "wrong"
    assert result.reason.startswith("it calls l1_penalty, which is wrong: loss for W = ")
    assert result.reason.endswith("-- fix l1_penalty first")
    assert run_check(find_check("l2_penalty")).status == "passed"


def test_checks_use_their_own_numerical_gradient(monkeypatch):
    """A broken cs231n_lite.gradient_check must not break (or fool) the gradient checks."""
    from cs231n_lite import gradient_check
    from coursekit.student.checks.base import find_check, numerical_gradient, numerical_gradient_array

    monkeypatch.setattr(gradient_check, "eval_numerical_gradient", lambda *a, **k: 1 / 0)
    assert run_check(find_check("svm_loss_naive")).status == "passed"
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert np.allclose(numerical_gradient(lambda v: np.sum(v ** 3), x), 3 * x ** 2, rtol=1e-8)
    dout = np.array([[1.0, 2.0], [-1.0, 0.5]])
    assert np.allclose(numerical_gradient_array(np.sin, x, dout), np.cos(x) * dout, rtol=1e-8)
