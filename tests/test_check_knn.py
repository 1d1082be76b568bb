"""`cs231n-lite check knn` catches the mistakes students make, each with the right message.

Every test plants one typical mistake in a copy of the reference
``k_nearest_neighbor.py`` (one solution region replaced) and runs the knn
checks on it exactly as ``check`` does (``run_check``, ``depends`` blame
included): the function at fault must fail, with a message that names the
input, what was expected, what came out and what to fix.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import grading_corpus as corpus
from coursekit.student.checks import checks_for, run_check
from coursekit.student.checks.knn import MOD, NONE, ONE, TIE_DISTS, TWO, VOTE

ROOT = Path(__file__).resolve().parents[1]
FILE = "classifiers/k_nearest_neighbor.py"


@pytest.fixture
def plant(tmp_path, monkeypatch):
    """plant({owner: code, ...}) -> {check name: result line} of the knn checks on the
    reference with those regions replaced (the module is swapped in as the student's)."""
    def run(regions: dict) -> dict:
        pkg = tmp_path / "pkg"
        (pkg / "classifiers").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "cs231n_lite" / FILE, pkg / FILE)
        for owner, code in regions.items():
            corpus.replace_region(pkg, FILE, f"KNearestNeighbor.{owner}", code)
        spec = importlib.util.spec_from_file_location(MOD, pkg / FILE)
        module = importlib.util.module_from_spec(spec)
        monkeypatch.setitem(sys.modules, MOD, module)
        spec.loader.exec_module(module)
        return {c.name: run_check(c).line for c in checks_for("knn")}
    return run


def _only_wrong(lines: dict, name: str) -> str:
    """The line of ``name``, after asserting that the other checks pass or blame ``name``."""
    others = {n: line for n, line in lines.items() if n != name and line != "passed"
              and not line.startswith((f"wrong: it calls {name}, which is ",
                                       f"crashed: it calls {name}, which is "))}
    assert others == {}, others
    assert lines[name].startswith(("wrong: ", "crashed: ")), lines[name]
    return lines[name]


def test_reference_passes_every_knn_check(plant):
    assert set(plant({}).values()) == {"passed"}


def test_no_clamp_before_sqrt(plant):
    line = _only_wrong(plant({"compute_distances_no_loops": """
        sq = np.sum(X ** 2, axis=1)[:, None] + np.sum(X_train ** 2, axis=1) - 2 * X @ X_train.T
        dists = np.sqrt(sq)
    """}), NONE)
    assert "wrong: dists holds NaN for metric 'l2'" in line
    assert "clamp the squared distances at 0 before the square root" in line


def test_argsort_without_a_stable_tie_rule(plant):
    line = _only_wrong(plant({"predict_labels": """
        for i in range(dists.shape[0]):
            closest_y = self.y_train[np.argsort(dists[i])[:k]]
            y_pred[i] = np.argmax(np.bincount(closest_y))
    """}), VOTE)
    # numpy's default sort reorders the equal distances of this row on every CPU we tried
    # (AVX-512, AVX2, and baseline x86-64 with NPY_DISABLE_CPU_FEATURES)
    assert not np.array_equal(np.argsort(TIE_DISTS[0]), np.argsort(TIE_DISTS[0], kind="stable"))
    assert "24 training points at distances 2, 1, 2, 1, ..." in line
    assert "equal distances must keep the smaller training index first" in line
    assert "see its kind argument" in line


def test_vote_counts_indices_instead_of_labels(plant):
    line = _only_wrong(plant({"predict_labels": """
        for i in range(dists.shape[0]):
            nearest = np.argsort(dists[i], kind="stable")[:k]
            y_pred[i] = np.argmax(np.bincount(nearest))
    """}), VOTE)
    assert ("y_pred for k=1, y_train=[0, 1, 1, 2, 2, 2] and dists rows [[0.5, 0.1, 0.2, 0.3, 0.9, "
            "0.8], [0.2, 0.5, 0.9, 0.1, 0.7, 0.8]] (the label of the nearest point): expected [1, 2], "
            "got [1, 3]: these are the training indices of the nearest points") in line


def test_vote_along_the_wrong_axis(plant):
    line = _only_wrong(plant({"predict_labels": """
        labels = self.y_train[np.argsort(dists, axis=0, kind="stable")[:k]]
        y_pred = np.array([np.argmax(np.bincount(col)) for col in labels.T])
    """}), VOTE)
    assert "y_pred should have shape (2,) (one label per test point, i.e. per row of dists) " \
        "for k=1" in line and line.endswith("got (6,)")


def test_vote_ties_to_the_nearest_label_not_the_smaller(plant):
    line = _only_wrong(plant({"predict_labels": """
        from collections import Counter
        for i in range(dists.shape[0]):
            closest_y = self.y_train[np.argsort(dists[i], kind="stable")[:k]]
            y_pred[i] = Counter(closest_y.tolist()).most_common(1)[0][0]
    """}), VOTE)
    assert "for k=2," in line and "(a tie between labels goes to the smaller label)" in line
    assert "expected [1, 0], got [1, 2]" in line


def test_argpartition_breaks_at_k_equal_n(plant):
    line = _only_wrong(plant({"predict_labels": """
        for i in range(dists.shape[0]):
            closest_y = self.y_train[np.argpartition(dists[i], k)[:k]]
            y_pred[i] = np.argmax(np.bincount(closest_y))
    """}), VOTE)
    assert line.startswith("crashed: ValueError: kth(=6) out of bounds")


def test_predict_labels_sorting_dists_in_place(plant):
    line = _only_wrong(plant({"predict_labels": """
        order = np.argsort(dists, axis=1, kind="stable")
        dists.sort(axis=1)
        for i in range(dists.shape[0]):
            y_pred[i] = np.argmax(np.bincount(self.y_train[order[i, :k]]))
    """}), VOTE)
    assert "predict_labels modified its input dists in place" in line


def test_transposed_dists(plant):
    line = _only_wrong(plant({"compute_distances_two_loops": """
        dists = np.zeros((num_train, num_test), dtype=X.dtype)
        for i in range(num_test):
            for j in range(num_train):
                diff = X[i] - X_train[j]
                dists[j, i] = np.sum(np.abs(diff)) if self.metric == "l1" else np.sqrt(np.sum(diff ** 2))
    """}), TWO)
    assert "dists should have shape (4, 7)" in line and "got (7, 4): rows and columns are swapped" in line


def test_one_loop_forgets_l1(plant):
    line = _only_wrong(plant({"compute_distances_one_loop": """
        for i in range(num_test):
            dists[i] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
    """}), ONE)
    assert "dists for metric 'l1'" in line and "are the L2 distances, not the L1 distances" in line
    assert "read self.metric" in line


def test_no_loops_l1_blames_the_one_loop_version(plant):
    lines = plant({"compute_distances_one_loop": """
        for i in range(num_test):
            dists[i] = np.sqrt(np.sum((X_train - X[i]) ** 2, axis=1))
    """})
    assert lines[NONE].startswith(f"wrong: it calls {ONE}, which is wrong: dists for metric 'l1'")
    assert lines[NONE].endswith(f"fix {ONE} first")


def test_two_loops_forgets_the_square_root(plant):
    line = _only_wrong(plant({"compute_distances_two_loops": """
        for i in range(num_test):
            for j in range(num_train):
                diff = X[i] - X_train[j]
                dists[i, j] = np.sum(np.abs(diff)) if self.metric == "l1" else np.sum(diff * diff)
    """}), TWO)
    assert "are the squared L2 distances, not the L2 distances" in line


def test_uint8_wrap_around_through_self_x_train(plant):
    line = _only_wrong(plant({"compute_distances_no_loops": """
        sq_train = np.sum(self.X_train ** 2, axis=1)  # uint8 when the caller's data is uint8
        sq = np.sum(X ** 2, axis=1)[:, None] + sq_train - 2 * X @ X_train.T
        dists = np.sqrt(np.maximum(sq, 0))
    """}), NONE)
    assert "for metric 'l2' and uint8 pixels X = [[0, 0, 0], [60, 80, 0]]" in line
    assert "expected [[60, 80, 260, 200], [80, 60, 240, 100]]" in line
    assert "uint8 arithmetic wraps around" in line and "never with self.X_train" in line


def test_squares_inputs_in_place(plant):
    line = _only_wrong(plant({"compute_distances_no_loops": """
        dists = -2 * X @ X_train.T
        X **= 2
        X_train **= 2
        dists = np.sqrt(np.maximum(dists + X.sum(axis=1)[:, None] + X_train.sum(axis=1), 0))
    """}), NONE)
    assert "compute_distances_no_loops (metric='l2') modified its input X in place" in line
    assert "never with -=, *=, **= or out= on X or X_train" in line


def test_float32_upcast(plant):
    line = _only_wrong(plant({"compute_distances_no_loops": """
        X, X_train = X.astype(np.float64), X_train.astype(np.float64)
        sq = np.sum(X ** 2, axis=1)[:, None] + np.sum(X_train ** 2, axis=1) - 2 * X @ X_train.T
        dists = np.sqrt(np.maximum(sq, 0))
    """}), NONE)
    assert "dists should be float32 for metric 'l2' and float32 inputs" in line
    assert "got float64" in line


def test_predict_checked_with_every_num_loops(plant):
    # a two-loop version that is right except on the check's predict problem would be odd; a
    # broken vote is caught by predict_labels' own check, and the no-loops check blames it
    lines = plant({"predict_labels": """
        for i in range(dists.shape[0]):
            y_pred[i] = self.y_train[np.argmax(dists[i])]
    """})
    assert lines[VOTE].startswith("wrong: y_pred for k=1")
    assert lines[NONE].startswith(f"wrong: it calls {VOTE}, which is wrong: y_pred for k=1")
