"""`cs231n-lite check softmax` against the mistakes students make.

Each case plants one typical mistake in a copy of the reference
``classifiers/softmax.py`` (a textual change of the solution region), loads
the copy as a module and runs the public check on it: the check must fail
with a message that names the input, what was expected, what came out and
what to fix -- and it must be the check for THAT mistake, not a later one.
"""

import importlib.util
import itertools
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import grading_corpus as corpus
from conftest import hidden_contracts
from coursekit.student.checks.base import Wrong, find_check

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "cs231n_lite" / "classifiers" / "softmax.py"
_COUNTER = itertools.count()

# A student's vectorized loss that normalises each class over the samples
# (a sum over axis 0) instead of each sample over its classes.
PER_CLASS_SUM = """
scores = X @ W
scores = scores - np.max(scores, axis=1, keepdims=True)
exp_scores = np.exp(scores)
probs = exp_scores / np.sum(exp_scores, axis=0, keepdims=True)
loss = -np.mean(np.log(probs[np.arange(num_train), y])) + reg * np.sum(W * W)
dscores = probs.copy()
dscores[np.arange(num_train), y] -= 1
dW = X.T @ dscores / num_train + 2 * reg * W
dW = dW.astype(W.dtype, copy=False)
"""

# A student's vectorized loss that takes the log of the normalised probability:
# it underflows to 0 when the correct class is 1000 behind.
LOG_OF_PROBABILITY = """
scores = X @ W
scores = scores - np.max(scores, axis=1, keepdims=True)
probs = np.exp(scores)
probs /= np.sum(probs, axis=1, keepdims=True)
loss = -np.mean(np.log(probs[np.arange(num_train), y])) + reg * np.sum(W * W)
dscores = probs.copy()
dscores[np.arange(num_train), y] -= 1
dW = (X.T @ dscores / num_train + 2 * reg * W).astype(W.dtype, copy=False)
"""

# (name, function, [(old, new) textual changes in the reference], message fragments)
PLANTS = [
    ("naive: no max subtraction (overflow -> inf)", "softmax_loss_naive",
     [("        scores = scores - np.max(scores)  # every exponent <= 0: exp cannot overflow\n", "")],
     ["loss is inf for scores (1000, 0, 0)", "true class 0", "expected 0 (to float64 precision)",
      "np.exp(1000) is inf", "must stay finite"]),
    ("vectorized: no max subtraction (overflow -> nan)", "softmax_loss_vectorized",
     [("    probs -= np.max(probs, axis=1, keepdims=True)  # every exponent <= 0\n", "")],
     ["for scores (1000, 0, 0)", "np.exp(1000) is inf", "must stay finite"]),
    ("vectorized: max over axis 0", "softmax_loss_vectorized",
     [("np.max(probs, axis=1, keepdims=True)", "np.max(probs, axis=0, keepdims=True)")],
     ["loss on a problem with N=5 samples, D=4 features, C=3 classes (reg=0): expected",
      "the mean of the 5 samples' losses computed one by one", "wrong axis"]),
    ("vectorized: max without keepdims (shapes do not fit)", "softmax_loss_vectorized",
     [("np.max(probs, axis=1, keepdims=True)", "np.max(probs, axis=1)")],
     ["crashed on a problem with N=5 samples, D=4 features, C=3 classes (reg=0): ValueError: "
      "operands could not be broadcast", "softmax.py:", "over the wrong axis"]),
    ("vectorized: log of the normalised probability (underflows to 0)", "softmax_loss_vectorized",
     "region:" + LOG_OF_PROBABILITY,
     ["loss is inf for scores (1000, 0, 0)", "true class 1", "expected 1000.",
      "hint softmax_loss_vectorized 2"]),
    ("naive: dW not divided by N", "softmax_loss_naive",
     [("    dW /= num_train\n", "")],
     ["dW on a problem with N=5 samples", "is 5 times the mean of the samples' dW", "divide dW by N"]),
    ("vectorized: dW not divided by N", "softmax_loss_vectorized",
     [("    dW /= num_train\n", "")],
     ["is 5 times the mean of the samples' dW", "divide dW by N"]),
    ("naive: loss not divided by N", "softmax_loss_naive",
     [("    loss /= num_train\n", "")],
     ["5 times the mean", "the loss is the MEAN over the N samples, divide the sum by N"]),
    ("naive: reg * W instead of 2 * reg * W", "softmax_loss_naive",
     [("    dW += 2 * reg * W\n", "    dW += reg * W\n")],
     ["dW should grow by exactly 2 * reg * W for W of shape (3, 2), X (5, 3), reg=0.3 against reg=0",
      "(that is reg * W)"]),
    ("vectorized: reg * W instead of 2 * reg * W", "softmax_loss_vectorized",
     [("    dW += 2 * reg * W\n", "    dW += reg * W\n")],
     ["dW should grow by exactly 2 * reg * W", "(that is reg * W)"]),
    ("vectorized: log of the sum per class (over axis 0)", "softmax_loss_vectorized",
     [("sum_exp = np.sum(probs, axis=1)", "sum_exp = np.sum(probs, axis=0)")],
     ["crashed on a problem with N=5 samples", "ValueError", "over the wrong axis"]),
    ("vectorized: probabilities normalised per class (sum over axis 0, keepdims)",
     "softmax_loss_vectorized", "region:" + PER_CLASS_SUM,
     ["loss on a problem with N=5 samples", "expected", "wrong axis (over the samples, axis 0)"]),
    ("naive: reg gradient computed in W itself (W *= 2 * reg)", "softmax_loss_naive",
     [("    dW += 2 * reg * W\n", "    W *= 2 * reg\n    dW += W\n")],
     ["it modified its input W in place", "compute new arrays instead of writing into W"]),
    ("vectorized: 'stabilised' by shifting the caller's W (the scores array it aliases)",
     "softmax_loss_vectorized",
     [("    rows = np.arange(num_train)\n", "    rows = np.arange(num_train)\n    W -= np.max(W)\n")],
     ["it modified its input W in place"]),
    ("vectorized: float64 dW for float32 W and float64 X", "softmax_loss_vectorized",
     [("    dW = dW.astype(W.dtype, copy=False)  # float64 X with float32 W: back to W's dtype\n", "")],
     ["dW should have W's dtype float32 for float32 W and float64 X (reg=0.1), got float64",
      "dW.astype(W.dtype)"]),
]


# The hidden test (grading/test_softmax_contracts.py) that mirrors the check each mistake fails.
HIDDEN = {
    "naive: no max subtraction (overflow -> inf)": "test_scores_of_1000_both_ways",
    "vectorized: no max subtraction (overflow -> nan)": "test_scores_of_1000_both_ways",
    "vectorized: log of the normalised probability (underflows to 0)": "test_scores_of_1000_both_ways",
    "vectorized: max over axis 0": "test_axis_matters",
    "vectorized: max without keepdims (shapes do not fit)": "test_axis_matters",
    "naive: dW not divided by N": "test_axis_matters",
    "vectorized: dW not divided by N": "test_axis_matters",
    "naive: loss not divided by N": "test_axis_matters",
    "vectorized: log of the sum per class (over axis 0)": "test_axis_matters",
    "vectorized: probabilities normalised per class (sum over axis 0, keepdims)": "test_axis_matters",
    "naive: reg * W instead of 2 * reg * W": "test_reg_is_exactly_reg_sum_w2_and_2_reg_w",
    "vectorized: reg * W instead of 2 * reg * W": "test_reg_is_exactly_reg_sum_w2_and_2_reg_w",
    "naive: reg gradient computed in W itself (W *= 2 * reg)": "test_inputs_are_not_modified",
    "vectorized: 'stabilised' by shifting the caller's W (the scores array it aliases)":
        "test_inputs_are_not_modified",
    "vectorized: float64 dW for float32 W and float64 X": "test_dW_has_W_dtype_and_int32_labels_work",
}


def _contracts():
    """grading/test_softmax_contracts.py as a module (instructor-only; never released)."""
    return hidden_contracts("test_softmax_contracts")


def planted(tmp_path, function, changes):
    """The reference module with ``changes`` applied, loaded under a fresh name."""
    pkg = tmp_path / f"plant{next(_COUNTER)}"
    (pkg / "classifiers").mkdir(parents=True)
    path = pkg / "classifiers" / "softmax.py"
    shutil.copyfile(SOURCE, path)
    if isinstance(changes, str):  # "region:<code>" replaces the whole solution region
        corpus.replace_region(pkg, "classifiers/softmax.py", function, changes[len("region:"):])
    else:
        text = path.read_text()
        start = text.index(f"\ndef {function}(")
        end = text.find("\ndef ", start + 1)
        end = len(text) if end < 0 else end
        body = text[start:end]  # the changes apply to this function only
        for old, new in changes:
            assert body.count(old) == 1, f"the reference changed: {old!r} is not in {function} once"
            body = body.replace(old, new)
        path.write_text(text[:start] + body + text[end:])
    name = f"cs231n_lite.classifiers._planted_{pkg.name}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("label, function, changes, fragments", PLANTS, ids=[p[0] for p in PLANTS])
def test_each_mistake_fails_its_own_check(tmp_path, label, function, changes, fragments):
    module = planted(tmp_path, function, changes)
    with pytest.raises(Wrong) as err:
        find_check(function).run(module)
    message = str(err.value)
    missing = [f for f in fragments if f not in message]
    assert missing == [], f"{label}: {message}"


@pytest.mark.parametrize("function", ["softmax_loss_naive", "softmax_loss_vectorized"])
def test_reference_passes(tmp_path, function):
    find_check(function).run(planted(tmp_path, function, []))


@pytest.mark.parametrize("label, function, changes", [p[:3] for p in PLANTS], ids=[p[0] for p in PLANTS])
def test_the_mirroring_hidden_test_fails_too(tmp_path, monkeypatch, label, function, changes):
    contracts = _contracts()
    monkeypatch.setattr(contracts, "student", lambda name: planted(tmp_path, function, changes))
    with pytest.raises((AssertionError, ValueError)):
        getattr(contracts, HIDDEN[label])()


def test_hidden_contract_tests_pass_on_the_reference(tmp_path, monkeypatch):
    contracts = _contracts()
    monkeypatch.setattr(contracts, "student", lambda name: planted(tmp_path, "softmax_loss_naive", []))
    names = [n for n in dir(contracts) if n.startswith("test_")]
    assert len(names) == 6
    for name in names:
        getattr(contracts, name)()


def test_vectorized_is_compared_with_a_naive_twin_that_passes_its_check(tmp_path):
    """Wrong on N = 7 only, a problem its other checks do not use: the twin catches it."""
    module = planted(tmp_path, "softmax_loss_vectorized",
                     [("    dW += 2 * reg * W\n",
                       "    dW += 2 * reg * W\n    dW[0, 0] += 1e-3 * (X.shape[0] == 7)\n")])
    with pytest.raises(Wrong, match=r"dW on a random problem \(N=7, D=5, C=3, reg=0.2, seed 21\) vs "
                                    r"your softmax_loss_naive: expected .* got"):
        find_check("softmax_loss_vectorized").run(module)


def test_a_wrong_naive_twin_is_no_reference(tmp_path):
    """A correct vectorized loss passes although it disagrees with a wrong naive one,
    which fails its own check."""
    module = planted(tmp_path, "softmax_loss_naive",
                     [("    dW += 2 * reg * W\n",
                       "    dW += 2 * reg * W\n    dW[0, 0] += 1e-3 * (X.shape[0] > 5)\n")])
    find_check("softmax_loss_vectorized").run(module)
    with pytest.raises(Wrong, match="dW differs from the numerical gradient"):
        find_check("softmax_loss_naive").run(module)


def test_vectorized_check_works_before_the_naive_one_is_written(tmp_path):
    module = planted(tmp_path, "softmax_loss_naive", "region:raise NotImplementedError('softmax_loss_naive')")
    find_check("softmax_loss_vectorized").run(module)  # passes: no twin to compare with yet


def test_check_does_not_blame_the_reference_on_extreme_inputs():
    """The hand-worked values of the stability check are what a float64 computation gives."""
    from coursekit.student.checks import softmax as S

    for scores, label, expected, _ in S.EXTREME:
        s = np.array(scores)
        assert np.log(np.sum(np.exp(s - s.max()))) - (s[label] - s.max()) == expected


def test_cli_names_function_input_expected_got_and_fix(tmp_path):
    """As the student sees it: `cs231n-lite check softmax` in a kit with a planted mistake."""
    shutil.copytree(ROOT / "cs231n_lite", tmp_path / "cs231n_lite",
                    ignore=shutil.ignore_patterns("__pycache__"))
    corpus.replace_region(tmp_path / "cs231n_lite", "classifiers/softmax.py", "softmax_loss_naive",
                          "raise NotImplementedError('softmax_loss_naive')")
    path = tmp_path / "cs231n_lite" / "classifiers" / "softmax.py"
    text = path.read_text()
    path.write_text(text.replace("    dW /= num_train\n    loss += reg", "    loss += reg"))
    proc = subprocess.run([sys.executable, "-m", "coursekit.cli", "check", "softmax"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    line = {ln.split()[0]: ln for ln in proc.stdout.splitlines() if ln.startswith("  ")}
    assert proc.returncode == 1
    assert "not implemented yet" in line["softmax_loss_naive"]
    assert "wrong: dW on a problem with N=5 samples, D=4 features, C=3 classes (reg=0) is 5 times" \
        in line["softmax_loss_vectorized"], proc.stdout
