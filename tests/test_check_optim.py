"""The optim part catches what students get wrong: each typical mistake, planted in a copy of
the reference cs231n_lite/optim.py, fails `cs231n-lite check optim` with a message naming it,
and fails the hidden test that mirrors the check (grading/test_optim_contracts.py)."""

import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

import grading_corpus as corpus
from conftest import hidden_contracts
from coursekit.manifest import notebook
from coursekit.student import hint as H
from coursekit.student.checks import checks_for, run_check
from coursekit.student.checks.base import Wrong, find_check

ROOT = Path(__file__).resolve().parents[1]

ADAM = """
b1, b2 = {b1}, {b2}
{t_before}
m = b1 * m + (1 - b1) * dw
v = b2 * v + (1 - b2) * dw**2
m_hat = m / ({c1})
v_hat = v / ({c2})
next_w = w - config["learning_rate"] * m_hat / ({den})
{t_after}
"""


def adam(b1='config["beta1"]', b2='config["beta2"]', t_before="t = t + 1", t_after="",
         c1="1 - b1**t", c2="1 - b2**t", den='np.sqrt(v_hat) + config["epsilon"]'):
    return ADAM.format(b1=b1, b2=b2, t_before=t_before, t_after=t_after, c1=c1, c2=c2, den=den)


LR, MU, EPS = 'config["learning_rate"]', 'config["momentum"]', 'config["epsilon"]'

# id -> (function, planted region code, fragments of check's message, hidden test that must fail)
MISTAKES = {
    "momentum: v *= mu (in place)": (
        "sgd_momentum", f"v *= {MU}\nv -= {LR} * dw\nnext_w = w + v",
        ["modified the caller's config['velocity'] in place", "never v *= ..."],
        "test_rules_leave_inputs_alone"),
    "momentum: w += v (in place)": (
        "sgd_momentum", f"v = {MU} * v - {LR} * dw\nw += v\nnext_w = w",
        ["sgd_momentum modified the caller's w in place", "return next_w as a new array"],
        "test_rules_leave_inputs_alone"),
    "momentum: 0.9 hard-coded": (
        "sgd_momentum", f"v = 0.9 * v - {LR} * dw\nnext_w = w + v",
        ["with momentum=0.5",
         "that is the value for the default momentum=0.9: read config['momentum']"],
        "test_sgd_momentum_keywords_and_schedule"),
    "momentum: new velocity never stored": (
        "sgd_momentum", f"velocity = {MU} * v - {LR} * dw\nnext_w = w + velocity",
        ["config['velocity'] at the defaults",
         "still the zeros it starts from: assign the new state to v"],
        "test_sgd_momentum_keywords_and_schedule"),
    "momentum: learning rate read once": (
        "sgd_momentum",
        f"config.setdefault('lr0', {LR})\nv = {MU} * v - config['lr0'] * dw\nnext_w = w + v",
        ["next_w at the defaults, for the second step", "learning_rate set to 0.05",
         "expected [[0.923, -1.926], [0.247, 2.878]]"],
        "test_sgd_momentum_keywords_and_schedule"),
    "nesterov: Sutskever's theta form": (
        "nesterov", f"v = {MU} * v - {LR} * dw\nnext_w = w + v",
        ["expected [[0.943, -1.886], [0.272, 2.848]], got [[0.97, -1.94], [0.38, 2.92]]",
         "that is plain momentum's step w + v"],
        "test_nesterov_lookahead_form"),
    "adagrad: cache += dw**2 (in place)": (
        "adagrad", f"cache += dw**2\nnext_w = w - {LR} * dw / (np.sqrt(cache) + {EPS})",
        ["adagrad modified the caller's config['cache'] in place", "for the second step"],
        "test_rules_leave_inputs_alone"),
    "adagrad: epsilon inside the sqrt": (
        "adagrad", f"cache = cache + dw**2\nnext_w = w - {LR} * dw / np.sqrt(cache + {EPS})",
        ["with epsilon=0.5", "that is dw / sqrt(cache + epsilon)", "outside the square root"],
        "test_adagrad_keywords_and_schedule"),
    "rmsprop: AdaGrad's cache": (
        "rmsprop", f"cache = cache + dw**2\nnext_w = w - {LR} * dw / (np.sqrt(cache) + {EPS})",
        ["expected [[0, -1], [-0.5, 2]], got [[0.9, -1.9], [0.4, 2.9]]", "that is AdaGrad's step"],
        "test_rmsprop_keywords_and_schedule"),
    "rmsprop: 0.99 hard-coded": (
        "rmsprop",
        f"cache = 0.99 * cache + 0.01 * dw**2\nnext_w = w - {LR} * dw / (np.sqrt(cache) + {EPS})",
        ["with decay_rate=0.75", "the default decay_rate=0.99: read config['decay_rate']"],
        "test_rmsprop_keywords_and_schedule"),
    "adam: no bias correction": (
        "adam", adam(c1="1", c2="1"),
        ["expected [[0.9, -1.9], [0.4, 3.1]], got [[0.683773, -1.68377], [0.183772, 3.31623]]",
         "m and v are not bias-corrected"],
        "test_adam_first_step_is_lr_times_sign"),
    "adam: t incremented after use": (
        "adam", adam(t_before="", t_after="t = t + 1"),
        ["holds NaN or inf", "increment t before using it"],
        "test_adam_first_step_is_lr_times_sign"),
    "adam: epsilon inside the sqrt": (
        "adam", adam(den=f"np.sqrt(v_hat + {EPS})"),
        ["with epsilon=0.5", "that is m_hat / sqrt(v_hat + epsilon)"],
        "test_adam_keywords_and_schedule"),
    "adam: beta2 hard-coded": (
        "adam", adam(b2="0.999"),
        ["config['v'] with beta2=0.75", "the default beta2=0.999: read config['beta2']"],
        "test_adam_keywords_and_schedule"),
    "adam: m_hat kept as the state": (
        "adam", adam().replace("m_hat = m /", "m = m /").replace("m_hat /", "m /"),
        ["config['m'] at the defaults", "that is m_hat: keep the moving average m itself"],
        "test_adam_keywords_and_schedule"),
    "adam: t counted as a float": (
        "adam", adam(t_before="t = t + 1.0"),
        ["config['t'] should be the int 1", "got 1.0"],
        "test_adam_keywords_and_schedule"),
    "adam: np.float64 scalars (float32 becomes float64)": (
        "adam", adam(c1="1 - np.power(b1, t)", c2="1 - np.power(b2, t)"),
        ["next_w has dtype float64 with float32 w and dw", "expected float32"],
        "test_rules_keep_float32"),
}


def _planted(tmp_path, owner, code):
    """The reference optim.py with ``owner``'s region replaced, imported under cs231n_lite."""
    shutil.copy(ROOT / "cs231n_lite" / "optim.py", tmp_path / "optim.py")
    corpus.replace_region(tmp_path, "optim.py", owner, code)
    spec = importlib.util.spec_from_file_location(f"cs231n_lite._planted_{owner}",
                                                  tmp_path / "optim.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def hidden():
    """grading/test_optim_contracts.py, importable here (it imports hidden_helpers)."""
    return hidden_contracts("test_optim_contracts")


# NEP 50 (NumPy >= 2): a float64 scalar turns a float32 array into float64; under NumPy 1.x's
# value-based casting it does not, so that planted "mistake" is no mistake on the floor's numpy.
NUMPY_1 = int(np.__version__.split(".")[0]) < 2
MISTAKE_CASES = [pytest.param(name, marks=pytest.mark.skipif(
    NUMPY_1 and "np.float64 scalars" in name,
    reason="NumPy 1.x keeps float32 arrays float32 next to float64 scalars"))
    for name in MISTAKES]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mistake", MISTAKE_CASES)
def test_check_names_the_mistake(tmp_path, mistake):
    owner, code, fragments, _ = MISTAKES[mistake]
    module = _planted(tmp_path, owner, code)
    with pytest.raises(Wrong) as err:
        find_check(owner).run(module)
    message = str(err.value)
    assert message.startswith(f"{owner}"), message
    for fragment in fragments:
        assert fragment in message, f"{mistake}: {fragment!r} not in {message!r}"


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("mistake", MISTAKE_CASES)
def test_hidden_test_catches_the_mistake(tmp_path, monkeypatch, hidden, mistake):
    owner, code, _, test_name = MISTAKES[mistake]
    module = _planted(tmp_path, owner, code)
    monkeypatch.setattr(hidden, "student", lambda name: module)
    with pytest.raises(AssertionError):
        getattr(hidden, test_name)()


def test_reference_passes_checks_and_hidden_tests(monkeypatch, hidden):
    results = [run_check(c) for c in checks_for("optim")]
    assert [r.line for r in results] == ["passed"] * 5
    asked = [f.split(":")[1] for f in notebook("optimizers").functions]
    assert [c.name for c in checks_for("optim")] == asked
    for name in dir(hidden):
        if name.startswith("test_"):
            getattr(hidden, name)()


def test_sgd_is_not_an_optim_check():
    """sgd is written and checked in the svm notebook's part."""
    assert "sgd" not in [c.name for c in checks_for("optim")]


def test_every_optimizers_function_has_three_hints():
    hints = H.load_hints()
    for function in notebook("optimizers").functions:
        assert function in hints, f"no hints for {function}"
        assert hints[function].source == "optimizers.md"
        assert all(hints[function].levels)
