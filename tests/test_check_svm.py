"""`cs231n-lite check svm` against the mistakes students make: each one, planted in a
copy of the reference, fails the RIGHT check with a message that names the fix."""

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from kit_builder import plant

ROOT = Path(__file__).resolve().parents[1]


SVM, REG, LIN, OPT = "classifiers/linear_svm.py", "classifiers/regularization.py", \
    "classifiers/linear_classifier.py", "optim.py"

# (module, owner, reference text, planted mistake). A check that fails while a function it
# calls fails too blames that function, so a kit plants LinearClassifier.train's mistakes only
# where everything train calls is right.
KITS = {
    "one": [
        # forgets to divide by N (loss and dW)
        (SVM, "svm_loss_naive", "loss /= num_train\ndW /= num_train", ""),
        # the penalty's gradient as reg * W
        (SVM, "svm_loss_vectorized", "dW += 2 * reg * W", "dW += reg * W"),
        # sign(0) taken as +1
        (REG, "l1_penalty", "dW = reg * np.sign(W)", "dW = reg * np.where(W >= 0, 1.0, -1.0)"),
        # the in-place step
        (OPT, "sgd", 'next_w = w - config["learning_rate"] * dw',
         'w -= config["learning_rate"] * dw\nnext_w = w'),
        # argmax over the samples
        (LIN, "LinearClassifier.predict", "axis=1", "axis=0"),
        # numpy's global random state instead of rng
        (LIN, "sample_minibatch", "idx = rng.integers(0, X.shape[0], size=batch_size)",
         "idx = np.random.choice(X.shape[0], batch_size)"),
    ],
    "two": [
        # the correct class is not skipped
        (SVM, "svm_loss_naive", "if j == y[i]:\n    continue", ""),
        # squared ignored
        (SVM, "svm_loss_vectorized", "if squared:", "if False:"),
        # reg * W as the L2 gradient
        (REG, "l2_penalty", "dW = (2 * reg) * W", "dW = reg * W"),
        # np.random instead of the seeded rng
        (LIN, "random_search", "W = scale * rng.standard_normal((X.shape[1], num_classes))",
         "W = scale * np.random.randn(X.shape[1], num_classes)"),
    ],
    "three": [
        # dW summed, loss averaged
        (SVM, "svm_loss_naive", "dW /= num_train", ""),
        # dW left in X's dtype
        (SVM, "svm_loss_vectorized", "dW = (X.T @ coeff).astype(W.dtype, copy=False)", "dW = X.T @ coeff"),
        # l1_ratio read as the L2 share
        (REG, "elastic_net_penalty", "loss1, dW1 = l1_penalty(W, reg * l1_ratio)\n"
         "loss2, dW2 = l2_penalty(W, reg * (1.0 - l1_ratio))",
         "loss1, dW1 = l1_penalty(W, reg * (1.0 - l1_ratio))\nloss2, dW2 = l2_penalty(W, reg * l1_ratio)"),
        # without replacement
        (LIN, "sample_minibatch", "idx = rng.integers(0, X.shape[0], size=batch_size)",
         "idx = rng.choice(X.shape[0], size=batch_size, replace=False)"),
        # keeps the last W, not the best
        (LIN, "random_search", "if loss < best_loss:\n    best_W, best_loss = W, loss",
         "best_W, best_loss = W, loss"),
    ],
    "four": [
        # a hand-written SGD step instead of the given rule
        (LIN, "LinearClassifier.train", "self.W, config = update(self.W, grad, config)",
         "self.W = self.W - config['learning_rate'] * grad"),
        # a squared loss with the plain hinge's gradient
        (SVM, "svm_loss_naive", "coeff = 2 * margin if squared else 1.0", "coeff = 1.0"),
    ],
    "five": [
        # the learning rate never follows the schedule
        (LIN, "LinearClassifier.train", 'config["learning_rate"] = schedule(it)',
         'config["learning_rate"] = learning_rate'),
        # the penalty's gradient added to W itself
        (SVM, "svm_loss_naive", "dW += 2 * reg * W", "W *= 2 * reg\ndW += W"),
    ],
    "six": [
        # the rule's config is thrown away
        (LIN, "LinearClassifier.train", "self.W, config = update(self.W, grad, config)",
         "self.W, _ = update(self.W, grad, config)"),
    ],
}

EXPECT = {
    "one": {
        "svm_loss_naive": "wrong: loss on the lecture's three images together (X = identity, W = the "
                          "scores, reg=0), the mean of 2.9, 0, 12.9: expected 5.26667 (the mean over the "
                          "N=3 samples), got 15.8, N times that: divide the summed loss by N",
        "svm_loss_vectorized": "that is reg * W: the derivative of reg * W**2 is 2 * reg * W",
        "l1_penalty": "at the entries where W == 0 it should be 0 (the docstring's convention "
                      "there), got [0.1, 0.1]",
        "sgd": "wrong: it modified the caller's w in place for w=[1.0, -2.0], dw=[0.5, -1.0], "
               "config={'learning_rate': 0.1} (now [0.95, -1.9]); return a new array",
        "LinearClassifier.predict": "y_pred should have shape (5,), one label per row of X",
        "sample_minibatch": "two calls with np.random.default_rng(0) gave different batches",
        "LinearClassifier.train": "it calls sample_minibatch, which is wrong",
        "elastic_net_penalty": "it calls l1_penalty, which is wrong",
    },
    "two": {
        "svm_loss_naive": "every image's loss is too big by the same amount (1); the sum runs over "
                          "the wrong classes j != y[i] only",
        "svm_loss_vectorized": "squared=True was ignored",
        "l2_penalty": "got reg * W = ",
        "random_search": "returned different W as np.random's global seed changed",
        "elastic_net_penalty": "it calls l2_penalty, which is wrong",
    },
    "three": {
        "svm_loss_naive": "dW is N=8 times too large: average dW over the samples too",
        "svm_loss_vectorized": "dW has dtype float64 for float32 W and float64 X",
        "elastic_net_penalty": "l1_ratio is the L1 share (1 = pure L1, 0 = pure L2)",
        "sample_minibatch": "draw WITH replacement, so that batch_size may exceed N",
        "random_search": "best_loss with 20 tries",
        "LinearClassifier.train": "it calls sample_minibatch, which is wrong",
    },
    "four": {
        "LinearClassifier.train": "the update rule it was given was called 0 times",
        "svm_loss_naive": "dW differs from the numerical gradient on a random problem "
                          "(W (6, 4), X (8, 6), seed 6, reg=0.0, squared=True)",
    },
    "five": {
        "LinearClassifier.train": "the rule saw learning rates [0.1, 0.1, 0.1, 0.1, 0.1]",
        "svm_loss_naive": "it modified its input W in place (reg=0.1)",
    },
    "six": {
        "LinearClassifier.train": "did not get back the config it returned",
    },
}


def _run_kit(base: Path, kit: str) -> dict:
    pkg = base / kit / "cs231n_lite"
    shutil.copytree(ROOT / "cs231n_lite", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for module, owner, old, new in KITS[kit]:
        plant(pkg, module, owner, old, new)
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", "svm"], cwd=base / kit,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.startswith("  ")}


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    base = tmp_path_factory.mktemp("svm-mistakes")
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(KITS, pool.map(lambda kit: _run_kit(base, kit), KITS)))


@pytest.mark.parametrize("kit", list(EXPECT))
def test_each_planted_mistake_fails_its_own_check_with_the_fix(reports, kit):
    lines = reports[kit]
    for name, message in EXPECT[kit].items():
        assert message in lines[name], f"{kit}: {name}: {lines[name]}"
    planted = {owner.split(".")[-1] if owner.startswith("LinearClassifier") else owner
               for _, owner, _, _ in KITS[kit]}
    for name, line in lines.items():  # nothing else is blamed
        short = name.split(".")[-1] if name.startswith("LinearClassifier") else name
        if short not in planted and name not in EXPECT[kit]:
            assert line.endswith("passed"), f"{kit}: {line}"


# The hidden tests (grading/test_svm_contracts.py) catch the same planted mistakes.
HIDDEN_EXPECT = {
    "one": {"test_mean_over_samples", "test_reg_convention_in_loss_and_gradient",
            "test_l1_subgradient_is_zero_at_zero", "test_sgd_returns_a_new_array",
            "test_predict_where_the_axis_matters", "test_sample_minibatch_with_replacement_from_the_rng"},
    "two": {"test_tiny_weights_give_C_minus_1", "test_squared_hinge_values_where_it_differs",
            "test_penalties_keep_dtype_and_inputs", "test_random_search_keeps_the_lowest_of_num_tries"},
    "three": {"test_mean_over_samples", "test_dW_keeps_the_dtype_of_W", "test_elastic_net_at_every_l1_ratio",
              "test_sample_minibatch_with_replacement_from_the_rng",
              "test_random_search_keeps_the_lowest_of_num_tries"},
    "four": {"test_train_uses_the_given_update_rule", "test_squared_hinge_gradient"},
    "five": {"test_train_follows_the_lr_schedule_every_iteration", "test_losses_leave_their_inputs_alone"},
    "six": {"test_train_uses_the_given_update_rule"},
}


def _hidden_failures(base: Path, kit: str) -> set:
    folder = base / kit
    pkg = folder / "cs231n_lite"
    shutil.copytree(ROOT / "cs231n_lite", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for module, owner, old, new in KITS[kit]:
        plant(pkg, module, owner, old, new)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           str(ROOT / "grading" / "test_svm_contracts.py")], cwd=folder,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT / 'grading'}"})
    return set(re.findall(r"FAILED \S+::(\w+)", proc.stdout))


def test_hidden_contract_tests_catch_the_same_mistakes(tmp_path):
    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = dict(zip(HIDDEN_EXPECT, pool.map(lambda kit: _hidden_failures(tmp_path, kit), HIDDEN_EXPECT)))
    missed = {kit: sorted(want - failed[kit]) for kit, want in HIDDEN_EXPECT.items() if want - failed[kit]}
    assert missed == {}


def test_hidden_contract_tests_pass_on_the_reference():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           str(ROOT / "grading" / "test_svm_contracts.py")], cwd=ROOT / "grading",
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:]
