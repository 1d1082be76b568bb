"""`cs231n-lite check two_layer_net` and `check fc_net` against the mistakes students make:
each one, planted in a copy of the reference, fails the RIGHT check (a wrong layer is named,
not the net that calls it) with a message that says what to fix; the hidden tests catch the
same mistakes."""

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
LAYERS, NET, SOLVER, FC = "layers.py", "classifiers/two_layer_net.py", "solver.py", "classifiers/fc_net.py"


# (module, owner, reference lines, planted mistake). A check that fails while a function it
# calls fails too blames that function: each kit plants mistakes that do not hide each other.
KITS = {
    "one": [
        # no flattening: x of shape (N, d1, d2) times w
        (LAYERS, "affine_forward", "out = x.reshape(x.shape[0], -1) @ w + b", "out = x @ w + b"),
        # ReLU in place
        (LAYERS, "relu_forward", "out = np.maximum(x, 0)", "x[x < 0] = 0\nout = x"),
        # a margin of exactly 0 counted as violated
        (LAYERS, "svm_loss", "positive = margins > 0", "positive = margins >= 0"),
        # the gradient not divided by N
        (LAYERS, "softmax_loss", "dscores /= N", ""),
        # argmax over the examples
        (SOLVER, "Solver.check_accuracy", "y_pred[start:start + batch_size] = np.argmax(scores, axis=1)",
         "y_pred[start:start + batch_size] = np.argmax(scores, axis=0)"),
    ],
    "two": [
        # dx left as (N, D)
        (LAYERS, "affine_backward", "dx = (dout @ w.T).reshape(x.shape)", "dx = dout @ w.T"),
        # the upstream gradient masked in place
        (LAYERS, "relu_backward", "dx = np.where(x > 0, dout, 0).astype(dout.dtype, copy=False)",
         "dout[x <= 0] = 0\ndx = dout"),
        # no max shift: exp overflows on large scores
        (LAYERS, "softmax_loss", "shifted = scores - scores.max(axis=1, keepdims=True)  # <= 0: exp cannot overflow",
         "shifted = scores"),
        # only the weights go through the update rule
        (SOLVER, "Solver._step", "for name in list(self.model.params):",
         "for name in [n for n in self.model.params if n.startswith('W')]:"),
    ],
    "three": [
        # db averaged instead of summed: the typical backward-pass mistake
        (LAYERS, "affine_backward", "db = dout.sum(axis=0)", "db = dout.mean(axis=0)"),
        # the rule's config thrown away
        (SOLVER, "Solver._step", "self.optim_configs[name] = next_config", ""),
        # argmax over the examples
        (NET, "TwoLayerNet.predict", "y_pred = np.argmax(self.loss(X), axis=1)",
         "y_pred = np.argmax(self.loss(X), axis=0)"),
    ],
    "four": [
        # reg * W as the penalty's gradient
        (NET, "TwoLayerNet.loss", 'grads["W1"] += 2 * reg * W1', 'grads["W1"] += reg * W1'),
        # the correct class's own margin counted
        (LAYERS, "svm_loss", "margins[rows, y] = 0", ""),
    ],
    "five": [
        # self.reg instead of the reg argument
        (NET, "TwoLayerNet.loss", "if reg:", "reg = self.reg\nif reg:"),
    ],
    "six": [
        # no bias
        (LAYERS, "affine_forward", "out = x.reshape(x.shape[0], -1) @ w + b",
         "out = x.reshape(x.shape[0], -1) @ w"),
    ],
}

EXPECT = {
    "one": {
        "affine_forward": "wrong: affine_forward fails for x of shape (2, 2, 2)",
        "affine_backward": "it calls affine_forward, which is wrong",
        "relu_forward": "wrong: relu_forward modified its input x in place",
        "svm_loss": "a margin of exactly 0 counts as not violated (subgradient 0)",
        "softmax_loss": "wrong: dscores is N=5 times too large for random scores (5, 4) (numerical "
                        "gradient of the loss): the loss is the mean over the N rows: divide dscores "
                        "by N too",
        "Solver.check_accuracy": "predict one class per row of X (the largest score along each row)",
        "TwoLayerNet.loss": "it calls affine_forward, which is wrong",
    },
    "two": {
        "affine_backward": "dx should have the shape of x (3, 2, 4) for random x of shape (3, 2, 4), "
                           "w (8, 5), b (5,) and dout (3, 5), got (3, 8); reshape it like x",
        "relu_backward": "wrong: relu_backward modified its input dout in place",
        "softmax_loss": "loss holds NaN or inf for scores of order 1e3",
        "Solver._step": "params['b'] was not updated",
    },
    "three": {
        "affine_backward": "wrong: db is N=3 times too small for random x of shape (3, 2, 4), w (8, 5), "
                           "b (5,) and dout (3, 5) (numerical gradient of your affine_forward): sum "
                           "the contributions of the N examples, do not average them",
        "Solver._step": "store the new config (it carries the rule's state, e.g. momentum)",
        "TwoLayerNet.predict": "y_pred should have shape (4,)",
        "TwoLayerNet.loss": "it calls affine_backward, which is wrong: db is N=3 times too small",
    },
    "four": {
        "TwoLayerNet.loss": "wrong: grads['W1'] differs from the numerical gradient for a random net "
                            "(D=5, H=7, C=3, reg=0.05)",
        "svm_loss": "(the lecture's 2.9, 0 and 12.9, averaged): expected 5.26667, got 6.26667",
    },
    "five": {
        "TwoLayerNet.loss": "loss(X, y, reg=0.0) (reg overrides self.reg)",
    },
    "six": {
        "affine_forward": "(each example as a row, times w, plus b): expected [[7.5, -2, 2], [-0.5, -1, 0]]",
        "affine_backward": "it calls affine_forward, which is wrong",
        "TwoLayerNet.loss": "it calls affine_forward, which is wrong",
    },
}

FC_KITS = {
    "fc-one": [
        # kaiming with the fan-out
        (FC, "FullyConnectedNet.__init__", "std = np.sqrt(2.0 / fan_in)", "std = np.sqrt(2.0 / fan_out)"),
    ],
    "fc-two": [
        # the parameters left in float64
        (FC, "FullyConnectedNet.__init__",
         'self.params[f"W{l}"] = (std * rng.standard_normal((fan_in, fan_out))).astype(self.dtype)',
         'self.params[f"W{l}"] = std * rng.standard_normal((fan_in, fan_out))'),
    ],
    "fc-three": [
        # the hidden layers' biases get no gradient
        (FC, "FullyConnectedNet.loss",
         'dout, grads[f"W{l}"], grads[f"b{l}"] = affine_relu_backward(dout, caches[l - 1])',
         'dout, grads[f"W{l}"], _ = affine_relu_backward(dout, caches[l - 1])'),
    ],
    "fc-four": [
        # the last layer's weights are not regularized
        (FC, "FullyConnectedNet.loss", "for l in range(1, L + 1):\n    W = self.params[f\"W{l}\"]",
         "for l in range(1, L):\n    W = self.params[f\"W{l}\"]"),
    ],
    "fc-five": [
        # a backward-pass mistake in a layer (the upstream gradient forgotten): the net is not blamed
        (LAYERS, "relu_backward", "dx = np.where(x > 0, dout, 0).astype(dout.dtype, copy=False)",
         "dx = (x > 0).astype(dout.dtype)"),
    ],
}

FC_EXPECT = {
    "fc-one": {"FullyConnectedNet.__init__": "the weights' standard deviations should be [0.0707, "
                                             "0.0471, 0.1414]"},
    "fc-two": {"FullyConnectedNet.__init__": "params['W1'] should have dtype float32 for "
                                             "FullyConnectedNet([20, 30], input_dim=15, num_classes=10, "
                                             "seed=0) (default dtype=np.float32), got float64; cast "
                                             "every parameter with .astype(self.dtype)",
               "FullyConnectedNet.loss": "it calls FullyConnectedNet.__init__, which is wrong"},
    "fc-three": {"FullyConnectedNet.loss": "grads has no 'b2'"},
    "fc-four": {"FullyConnectedNet.loss": "with reg 0.7 minus reg 0 (reg * sum of W**2 over the "
                                          "weight matrices W1, W2, W3, never the biases)"},
    "fc-five": {"FullyConnectedNet.loss": "it calls relu_backward, which is wrong: dx differs from "
                                          "the numerical gradient"},
}


def _kit(base: Path, kit: str, plants) -> Path:
    folder = base / kit
    pkg = folder / "cs231n_lite"
    shutil.copytree(ROOT / "cs231n_lite", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for module, owner, old, new in plants:
        plant(pkg, module, owner, old, new)
    return folder


def _check(folder: Path, part: str) -> dict:
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", part], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.startswith("  ")}


@pytest.fixture(scope="module")
def kits(tmp_path_factory):
    base = tmp_path_factory.mktemp("two-layer-mistakes")
    folders = {k: _kit(base, k, p) for k, p in {**KITS, **FC_KITS}.items()}
    jobs = [(k, "two_layer_net") for k in KITS] + [(k, "fc_net") for k in FC_KITS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(lambda job: _check(folders[job[0]], job[1]), jobs))
    return folders, {job[0]: r for job, r in zip(jobs, reports)}


@pytest.mark.parametrize("kit", list(EXPECT) + list(FC_EXPECT))
def test_each_planted_mistake_fails_its_own_check_with_the_fix(kits, kit):
    lines = kits[1][kit]
    expect = {**EXPECT, **FC_EXPECT}[kit]
    for name, message in expect.items():
        assert message in lines[name], f"{kit}: {name}: {lines[name]}"
    for name, line in lines.items():  # nothing else is blamed
        if name not in expect:
            assert line.endswith("passed"), f"{kit}: {line}"


# The hidden tests catch the same planted mistakes.
HIDDEN_EXPECT = {
    "one": {"test_affine_forward_flattens_examples", "test_relu_forward",
            "test_svm_loss_value_gradient_and_tie", "test_softmax_loss_value_and_gradient",
            "test_check_accuracy_batches_and_subsets"},
    "two": {"test_affine_backward", "test_relu_backward_and_subgradient_at_zero",
            "test_softmax_loss_large_scores_and_float32", "test_step_updates_every_parameter"},
    "three": {"test_affine_backward", "test_step_keeps_the_configs_the_rule_returns", "test_predict"},
    "four": {"test_gradients", "test_svm_loss_value_gradient_and_tie"},
    "five": {"test_loss_value"},
    "six": {"test_affine_forward_flattens_examples"},
    "fc-one": {"test_init_scales"},
    "fc-two": {"test_init_names_shapes_dtype_and_seed"},
    "fc-three": {"test_gradients_reg_zero", "test_gradients_reg_positive"},
    "fc-four": {"test_gradients_reg_positive"},
    "fc-five": {"test_relu_backward_and_subgradient_at_zero"},
}
HIDDEN_FILES = ("test_layers.py", "test_two_layer_net.py", "test_solver.py", "test_fc_net.py")


def _hidden_failures(folder: Path) -> set:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           *(str(ROOT / "grading" / f) for f in HIDDEN_FILES)], cwd=folder,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT / 'grading'}"})
    return set(re.findall(r"FAILED \S+::(\w+)", proc.stdout))


def test_hidden_tests_catch_the_same_mistakes(kits):
    folders = kits[0]
    with ThreadPoolExecutor(max_workers=2) as pool:
        failed = dict(zip(HIDDEN_EXPECT, pool.map(lambda k: _hidden_failures(folders[k]), HIDDEN_EXPECT)))
    missed = {kit: sorted(want - failed[kit]) for kit, want in HIDDEN_EXPECT.items() if want - failed[kit]}
    assert missed == {}


def test_hidden_tests_pass_on_the_reference():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           *(str(ROOT / "grading" / f) for f in HIDDEN_FILES)], cwd=ROOT / "grading",
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:]
