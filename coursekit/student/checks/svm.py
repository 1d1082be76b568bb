"""Public checks of the svm part: hinge losses, penalties, ``optim.sgd``, the linear classifier.

References are independent of the code they check: the lecture's worked
example (and the same example with the squared hinge, worked by hand below),
centred differences, hand-made constants, and recording stand-ins for the
update rule, the schedule and ``sample_minibatch``. Each failure names the
input, what was expected, what came back and, for the usual mistakes, what
to fix.
"""

from __future__ import annotations

import numpy as np

from . import losses as L
from .base import Wrong, check, expect_array, expect_close, expect_scalar, fmt

SVM = "cs231n_lite.classifiers.linear_svm"
REG = "cs231n_lite.classifiers.regularization"
LIN = "cs231n_lite.classifiers.linear_classifier"
OPTIM = "cs231n_lite.optim"

# Lecture: per-image hinge losses 2.9, 0 and 12.9 (delta = 1), mean 5.27.
LECTURE_LOSSES = (2.9, 0.0, 12.9)
# The same three images with the squared hinge, by hand: cat 2.9**2 = 8.41;
# car 0; frog 6.3**2 + 6.6**2 = 39.69 + 43.56 = 83.25.
LECTURE_SQUARED = (8.41, 0.0, 83.25)


# ------------------------------------------------------------------ losses
def _per_image(fn, kwargs) -> np.ndarray:
    W = L.LECTURE_SCORES.copy()
    out = []
    for i, name in enumerate(L.LECTURE_IMAGES):
        where = (f"on the lecture's {name} image alone (scores {L.LECTURE_SCORES[i].tolist()}, "
                 f"true class {name}, reg=0{_kw(kwargs)})")
        loss, _ = L.call_kw(fn, W, np.eye(3)[i:i + 1], np.array([i]), 0.0, where, **kwargs)
        out.append(loss)
    return np.array(out)


def _kw(kwargs) -> str:
    return "".join(f", {k}={v!r}" for k, v in kwargs.items())


def _check_lecture(fn, expected, **kwargs) -> None:
    """Each lecture image alone, then all three (the mean), with a diagnosis."""
    per, exp = _per_image(fn, kwargs), np.array(expected)
    where = f"on the lecture's cat, car and frog images alone (reg=0{_kw(kwargs)})"
    diff = per - exp
    if np.all(np.abs(diff - diff[0]) < 5e-3) and diff[0] > 0.5:
        raise Wrong(f"loss {where}: expected {fmt(exp)}, got {fmt(per)}: every image's loss is "
                    f"too big by the same amount ({diff[0]:.3g}); the sum runs over the wrong "
                    f"classes j != y[i] only")
    if kwargs.get("squared") and np.allclose(per, LECTURE_LOSSES, atol=5e-3):
        raise Wrong(f"loss {where}: expected {fmt(exp)} (each positive margin squared), got "
                    f"{fmt(per)}, the plain hinge's losses: squared=True was ignored")
    for i, name in enumerate(L.LECTURE_IMAGES):
        expect_close("loss", per[i], exp[i], f"on the lecture's {name} image alone "
                     f"(scores {L.LECTURE_SCORES[i].tolist()}, true class {name}, reg=0{_kw(kwargs)})",
                     rtol=5e-3, atol=5e-3)
    mean = float(np.mean(exp))
    L.check_mean_over_n(fn, L.LECTURE_SCORES.copy(), np.eye(3), np.arange(3), mean,
                        f"on the lecture's three images together (X = identity, W = the scores, "
                        f"reg=0{_kw(kwargs)}), the mean of {', '.join(f'{v:g}' for v in exp)}",
                        **kwargs)


def _svm_checks(fn) -> None:
    _check_lecture(fn, LECTURE_LOSSES)
    L.check_gradient_diagnosed(fn, seed=3, reg=0.0)
    L.check_reg_convention(fn)
    L.check_gradient(fn)
    _check_lecture(fn, LECTURE_SQUARED, squared=True)
    L.check_gradient_diagnosed(fn, seed=6, reg=0.0, squared=True)
    L.check_reg_convention(fn, squared=True)
    L.check_dtype(fn)
    L.check_inputs_untouched(fn)
    L.check_inputs_untouched(fn, squared=True)


@check("svm", SVM, "svm_loss_naive")
def svm_loss_naive(m):
    _svm_checks(m.svm_loss_naive)


@check("svm", SVM, "svm_loss_vectorized")
def svm_loss_vectorized(m):
    _svm_checks(m.svm_loss_vectorized)


# --------------------------------------------------------------- penalties
W_PEN = np.array([[1.5, -2.0, 0.0], [0.5, 0.0, -1.0]])
SIGN_PEN = np.array([[1.0, -1.0, 0.0], [1.0, 0.0, -1.0]])  # sign of W_PEN, by hand
SUM_SQ, SUM_ABS = 7.5, 5.0  # of W_PEN, by hand


def _penalty(fn, where, *args):
    """Call a penalty on a copy of W_PEN; check (float loss, dW of W's shape), W untouched."""
    W = W_PEN.copy()
    out = fn(W, *args)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"should return (loss, dW) {where}, got {type(out).__name__}")
    if not np.array_equal(W, W_PEN):
        raise Wrong(f"it modified its input W in place {where}; return new arrays")
    return expect_scalar("loss", out[0], where), expect_array("dW", out[1], W_PEN.shape, where)


def _float32_kept(fn, *args) -> None:
    W = W_PEN.astype(np.float32)
    dW = np.asarray(fn(W, *args)[1])
    if dW.dtype != np.float32:
        raise Wrong(f"dW has dtype {dW.dtype} for a float32 W (args {args}); it must have W's "
                    f"dtype (float32)")


@check("svm", REG, "l2_penalty")
def l2_penalty(m):
    where = f"for W = {W_PEN.tolist()} and reg = 0.1"
    loss, dW = _penalty(m.l2_penalty, where, 0.1)
    expect_close("loss", loss, 0.1 * SUM_SQ, where + " (0.1 * sum of squares 7.5)")
    if np.allclose(dW, 0.1 * W_PEN):
        raise Wrong(f"dW {where}: expected 2 * reg * W = {fmt(0.2 * W_PEN)}, got reg * W = "
                    f"{fmt(dW)}: the derivative of reg * w**2 is 2 * reg * w")
    expect_close("dW", dW, 0.2 * W_PEN, where + " (2 * reg * W)")
    _float32_kept(m.l2_penalty, 0.1)


@check("svm", REG, "l1_penalty")
def l1_penalty(m):
    where = f"for W = {W_PEN.tolist()} and reg = 0.1"
    loss, dW = _penalty(m.l1_penalty, where, 0.1)
    expect_close("loss", loss, 0.1 * SUM_ABS, where + " (0.1 * sum of |W| = 5)")
    zero = W_PEN == 0
    if not np.allclose(dW[zero], 0.0):
        raise Wrong(f"dW {where}: at the entries where W == 0 it should be 0 (the docstring's "
                    f"convention there), got {fmt(dW[zero])}")
    expect_close("dW", dW, 0.1 * SIGN_PEN, where)
    _float32_kept(m.l1_penalty, 0.1)


@check("svm", REG, "elastic_net_penalty", depends=("l1_penalty", "l2_penalty"))
def elastic_net_penalty(m):
    for r in (0.25, 0.0, 1.0, 0.3):
        where = f"for W = {W_PEN.tolist()}, reg = 0.1 and l1_ratio = {r}"
        loss, dW = _penalty(m.elastic_net_penalty, where, 0.1, r)
        want = 0.1 * (r * SUM_ABS + (1 - r) * SUM_SQ)
        swapped = 0.1 * ((1 - r) * SUM_ABS + r * SUM_SQ)
        if r != 0.5 and not np.isclose(loss, want) and np.isclose(loss, swapped):
            raise Wrong(f"loss {where}: expected {want:.6g}, got {loss:.6g}, the value for "
                        f"l1_ratio = {1 - r:g}: l1_ratio is the L1 share (1 = pure L1, 0 = pure L2)")
        expect_close("loss", loss, want, where + " (reg * (l1_ratio * 5 + (1 - l1_ratio) * 7.5))")
        expect_close("dW", dW, 0.1 * (r * SIGN_PEN + (1 - r) * 2 * W_PEN), where)
    where = f"for W = {W_PEN.tolist()}, reg = 0.1 and l1_ratio left at its default 0.5"
    loss, _ = _penalty(m.elastic_net_penalty, where, 0.1)
    expect_close("loss", loss, 0.1 * (0.5 * SUM_ABS + 0.5 * SUM_SQ), where)
    _float32_kept(m.elastic_net_penalty, 0.1, 0.3)


# ------------------------------------------- helpers of the classifier checks
def _blobs(seed=0, n=60, C=3, D=4):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % C
    centres = 4.0 * rng.standard_normal((C, D))
    return centres[y] + 0.3 * rng.standard_normal((n, D)), y


def _global_state_does_not_matter(fn, seed_a: int, seed_b: int):
    """fn() after np.random.seed(seed_a) and after np.random.seed(seed_b); the global state is restored."""
    saved = np.random.get_state()
    try:
        np.random.seed(seed_a)
        first = fn()
        np.random.seed(seed_b)
        second = fn()
    finally:
        np.random.set_state(saved)
    return first, second


# ----------------------------------------------------------- random_search
@check("svm", LIN, "random_search")
def random_search(m):
    X, y = _blobs(seed=1, n=30)
    calls = []

    def loss_fn(W, X_, y_):
        calls.append(np.array(W, copy=True))
        return float(np.sum(W))  # lowest for the most negative W

    where = "with 20 tries, scale 3, num_classes 5 and a loss that is sum(W)"
    W, loss = m.random_search(loss_fn, X, y, num_tries=20, scale=3.0, seed=0, num_classes=5)
    expect_array("best_W", W, (4, 5), where)
    if len(calls) != 20:
        raise Wrong(f"loss_fn should be called 20 times {where}, it was called {len(calls)} times")
    if any(np.array_equal(calls[0], c) for c in calls[1:]):
        raise Wrong(f"the same W was tried twice {where}: draw a new W for every try")
    std = float(np.std(np.concatenate([c.ravel() for c in calls])))
    if not 2.4 < std < 3.6:
        raise Wrong(f"the tried W have standard deviation {std:.3g} {where}, expected about 3: "
                    f"entries scale * standard normal")
    best = min(calls, key=np.sum)
    expect_close("best_loss", loss, float(np.sum(best)), where + " (the smallest loss seen)")
    expect_close("best_W", W, best, where + " (the W with the smallest loss)")
    run = lambda seed: m.random_search(loss_fn, X, y, num_tries=5, scale=1.0, seed=seed)[0]  # noqa: E731
    first, second = _global_state_does_not_matter(lambda: run(0), 1, 2)
    if not np.array_equal(first, second):
        raise Wrong("with seed=0 twice, random_search returned different W as np.random's global "
                    "seed changed: draw from np.random.default_rng(seed) only")
    if np.array_equal(run(0), run(1)):
        raise Wrong("seed=0 and seed=1 gave the same best W: draw from the seeded rng")


# ------------------------------------------------- LinearClassifier.predict
@check("svm", LIN, "LinearClassifier.predict")
def linear_classifier_predict(m):
    model = m.LinearSVM()
    # D = 4 features, C = 3 classes, N = 5 samples: every axis has its own length.
    model.W = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    X = np.array([[0.1, 0.9, 0.3, 5.0], [2.0, -1.0, 0.0, 5.0], [0.0, 0.2, 0.5, -5.0],
                  [-3.0, -2.0, -1.0, 0.0], [0.4, 0.3, 0.2, 9.0]])
    X0 = X.copy()
    where = "with W (4, 3) whose scores are X's first three columns, for X (5, 4) = " + str(X.tolist())
    pred = np.asarray(model.predict(X))
    if pred.shape != (5,):
        raise Wrong(f"y_pred should have shape (5,), one label per row of X, {where}; got "
                    f"{pred.shape}: take each sample's best class (over the C classes, not the N samples)")
    if pred.dtype.kind not in "iu":
        raise Wrong(f"y_pred should hold integer class labels {where}, got dtype {pred.dtype}")
    if not np.array_equal(X, X0):
        raise Wrong(f"predict modified X in place {where}")
    expect_close("y_pred", pred, [1, 0, 2, 2, 0], where + " (each row's highest score)")


# ------------------------------------------------------- sample_minibatch
@check("svm", LIN, "sample_minibatch")
def sample_minibatch(m):
    X = np.arange(20.0).reshape(10, 2)  # row i is (2i, 2i + 1): the row index is readable
    y = np.arange(10) % 3
    X0, y0 = X.copy(), y.copy()
    where = "for X of shape (10, 2), batch_size 25 (more than N: drawn with replacement)"
    try:
        Xb, yb = m.sample_minibatch(X, y, 25, np.random.default_rng(0))
    except ValueError as err:
        raise Wrong(f"it raised ValueError ({err}) {where}: draw WITH replacement, so that "
                    f"batch_size may exceed N") from None
    if not (np.array_equal(X, X0) and np.array_equal(y, y0)):
        raise Wrong(f"it modified X or y in place {where}")
    Xb = expect_array("X_batch", Xb, (25, 2), where)
    yb = expect_array("y_batch", yb, (25,), where)
    idx = (Xb[:, 0] / 2).astype(int)
    if not (np.array_equal(Xb, X[idx]) and np.array_equal(yb, y[idx])):
        raise Wrong(f"X_batch rows must be rows of X and y_batch their labels, in the same order {where}")
    again = m.sample_minibatch(X, y, 25, np.random.default_rng(0))[0]
    if not np.array_equal(again, Xb):
        raise Wrong("two calls with np.random.default_rng(0) gave different batches; draw with "
                    "the given rng only")
    first, second = _global_state_does_not_matter(
        lambda: m.sample_minibatch(X, y, 25, np.random.default_rng(0))[0], 1, 2)
    if not np.array_equal(first, second):
        raise Wrong("with the same rng, the batch changed with np.random.seed(...): draw with the "
                    "given rng, never np.random's global functions")
    other = m.sample_minibatch(X, y, 25, np.random.default_rng(1))[0]
    if np.array_equal(other, Xb):
        raise Wrong("np.random.default_rng(0) and default_rng(1) gave the same batch: draw from "
                    "the rng argument, not from a generator of your own")
    perms = []
    for seed in (0, 1, 2):
        Xn = np.asarray(m.sample_minibatch(X, y, 10, np.random.default_rng(seed))[0])
        perms.append(sorted((Xn[:, 0] / 2).astype(int).tolist()) == list(range(10)))
    if all(perms):
        raise Wrong("batches of 10 from 10 rows (seeds 0, 1, 2) were all permutations of the rows: "
                    "that is sampling WITHOUT replacement; draw with replacement")


# --------------------------------------------------------------------- sgd
W0 = np.array([1.0, -2.0])
DW = np.array([0.5, -1.0])


@check("svm", OPTIM, "sgd")
def sgd(m):
    config = {"learning_rate": 0.1}
    w, dw, config_in = W0.copy(), DW.copy(), dict(config)
    where = f"for w={W0.tolist()}, dw={DW.tolist()}, config={config}"
    out = m.sgd(w, dw, config_in)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
        raise Wrong(f"should return (next_w, config) {where}")
    w1, config1 = out
    if not np.array_equal(w, W0):
        raise Wrong(f"it modified the caller's w in place {where} (now {fmt(w)}); return a new "
                    f"array: w -= ... changes the caller's weights")
    if not np.array_equal(dw, DW) or config_in != config:
        raise Wrong(f"it modified its dw or config argument in place {where}; leave them as they are")
    w1 = expect_array("next_w", w1, (2,), where)
    if np.shares_memory(w1, w):
        raise Wrong(f"next_w shares memory with w {where}; return a new array")
    expect_close("next_w after one step", w1, [0.95, -1.9], where, rtol=1e-6, atol=1e-6)
    where2 = where + ", then the same dw again with the returned config"
    w2, _ = m.sgd(w1.copy(), DW.copy(), config1)
    expect_close("next_w after two steps", expect_array("next_w", w2, (2,), where2), [0.9, -1.8],
                 where2, rtol=1e-6, atol=1e-6)
    where = f"for w={W0.tolist()}, dw={DW.tolist()} and config=None (learning_rate 1e-2)"
    w1, _ = m.sgd(W0.copy(), DW.copy(), None)
    expect_close("next_w", expect_array("next_w", w1, (2,), where), [0.995, -1.99], where,
                 rtol=1e-6, atol=1e-6)
    W2d = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    where = "for a (3, 2) w of 1..6, dw = ones and learning_rate 0.5"
    w1, _ = m.sgd(W2d.copy(), np.ones((3, 2)), {"learning_rate": 0.5})
    expect_close("next_w", expect_array("next_w", w1, (3, 2), where), W2d - 0.5, where)


# --------------------------------------------------- LinearClassifier.train
class _RecordingRule:
    """An update rule that records what train gives it (its step is not SGD's)."""

    def __init__(self):
        self.calls = []

    def __call__(self, w, dw, config):
        self.calls.append({"w": np.array(w, copy=True), "dw": np.array(dw, copy=True),
                           "config": dict(config)})
        lr = float(config.get("learning_rate", 0.0))
        next_w = np.asarray(w) - lr * np.tanh(dw)
        self.calls[-1]["next_w"] = next_w.copy()
        return next_w, {**config, "steps_seen": len(self.calls)}


def _schedule(t):
    return 0.1 * 0.5 ** t  # a callable lr_schedule: 0.1, 0.05, 0.025, ...


def _check_rule_and_schedule(m) -> None:
    X, y = _blobs(seed=4)
    X0, y0 = X.copy(), y.copy()
    rule, sampled = _RecordingRule(), []
    original = m.sample_minibatch

    def recording_sampler(X_, y_, batch_size, rng):
        sampled.append((batch_size, isinstance(rng, np.random.Generator)))
        return original(X_, y_, batch_size, rng)

    where = ("training LinearSVM for 5 iterations with update_rule=<a recording rule> and "
             "lr_schedule=<t -> 0.1 * 0.5**t>, batch_size 20")
    m.sample_minibatch = recording_sampler
    try:
        model = m.LinearSVM()
        hist = model.train(X, y, learning_rate=0.1, reg=1e-3, num_iters=5, batch_size=20, seed=0,
                           update_rule=rule, lr_schedule=_schedule)
    finally:
        m.sample_minibatch = original
    if not (np.array_equal(X, X0) and np.array_equal(y, y0)):
        raise Wrong(f"train modified X or y in place ({where})")
    if len(sampled) != 5 or not all(bs == 20 and gen for bs, gen in sampled):
        raise Wrong(f"train should draw each minibatch with sample_minibatch(X, y, batch_size, rng) "
                    f"({where}): {len(sampled)} calls for 5 iterations")
    if len(rule.calls) != 5:
        raise Wrong(f"the update rule it was given was called {len(rule.calls)} times ({where}), "
                    f"expected once per iteration (5): step with the rule passed as update_rule, "
                    f"never with a step of your own")
    for t, call in enumerate(rule.calls):
        lr = call["config"].get("learning_rate")
        if lr is None or not np.isclose(lr, _schedule(t)):
            got = [c["config"].get("learning_rate") for c in rule.calls]
            raise Wrong(f"the rule saw learning rates {got} ({where}), expected "
                        f"{[_schedule(k) for k in range(5)]}: set config['learning_rate'] to the "
                        f"schedule's value at every iteration")
        if t and call["config"].get("steps_seen") != t:
            raise Wrong(f"at iteration {t} the rule did not get back the config it returned at "
                        f"iteration {t - 1} ({where}): keep the returned config for the next step")
        if t and not np.allclose(call["w"], rule.calls[t - 1]["next_w"]):
            raise Wrong(f"at iteration {t} the rule got a W that is not the one it returned at "
                        f"iteration {t - 1} ({where}): keep the W the rule returns")
        expect_array("the gradient given to the rule", call["dw"], (4, 3), where)
    if not np.allclose(np.asarray(model.W), rule.calls[-1]["next_w"]):
        raise Wrong(f"after train, model.W is not the W the rule returned last ({where})")
    hist = expect_array("loss_history", hist, (5,), where)


def _check_penalty(m, penalty, l1_ratio, want_grad) -> None:
    """One sample, so every minibatch is that sample repeated: the gradient is known."""
    X, y = np.array([[1.0, -2.0, 0.5]]), np.array([1])
    W = np.array([[0.2, -0.1], [0.0, 0.3], [-0.4, 0.1]])
    rule = _RecordingRule()
    model = m.LinearSVM()
    model.W = W.copy()
    where = (f"training LinearSVM 1 iteration with penalty={penalty!r}, l1_ratio={l1_ratio}, "
             f"reg=0.5, from W = {W.tolist()} on the one sample X = {X.tolist()}, y = [1]")
    model.train(X, y, learning_rate=0.1, reg=0.5, num_iters=1, batch_size=4, seed=0,
                update_rule=rule, penalty=penalty, l1_ratio=l1_ratio)
    if len(rule.calls) != 1:
        raise Wrong(f"the update rule was called {len(rule.calls)} times ({where}), expected 1")
    expect_close("the gradient given to the rule", rule.calls[0]["dw"], want_grad(W, X, y), where
                 + ": the data loss's gradient (reg=0) plus the penalty's")


@check("svm", LIN, "LinearClassifier.train",
       depends=("sample_minibatch", "sgd", "svm_loss_vectorized", "l1_penalty", "elastic_net_penalty"))
def linear_classifier_train(m):
    X, y = _blobs()
    model = m.LinearSVM()
    where = "training LinearSVM on 3 well-separated blobs (60 x 4, lr 1e-2, 50 iterations)"
    hist = model.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=50, batch_size=30, seed=0)
    if not isinstance(hist, list):
        raise Wrong(f"train should return the loss history as a list ({where}), got {type(hist).__name__}")
    hist = expect_array("loss_history", hist, (50,), where)
    expect_array("W", model.W, (4, 3), where)
    if not hist[-1] < 0.5 * hist[0]:
        raise Wrong(f"the loss should at least halve {where}: first {hist[0]:.4f}, last {hist[-1]:.4f}")
    again = m.LinearSVM()
    again.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=50, batch_size=30, seed=0)
    if not np.array_equal(np.asarray(again.W), np.asarray(model.W)):
        raise Wrong(f"two trainings with seed=0 ended with different W ({where}): draw with the "
                    f"seeded rng only")
    _check_rule_and_schedule(m)
    from cs231n_lite.classifiers import linear_svm, regularization  # the student's own functions

    def data(W, X_, y_):
        return linear_svm.svm_loss_vectorized(W, X_, y_, 0.0)[1]

    _check_penalty(m, "l1", 0.5, lambda W, X_, y_: data(W, X_, y_) + regularization.l1_penalty(W, 0.5)[1])
    _check_penalty(m, "elastic_net", 0.3, lambda W, X_, y_: data(W, X_, y_)
                   + regularization.elastic_net_penalty(W, 0.5, 0.3)[1])
