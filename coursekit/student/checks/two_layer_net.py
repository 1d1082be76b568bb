"""Public checks of the two_layer_net part: the layers, the net assembled from them, the Solver.

References are hand-worked numbers, numerical gradients (the checks' own
``numerical_gradient``) of the student's own forward functions, scipy's
``log_softmax`` for the softmax loss, and stub models whose gradients are
known. A check that calls another student function names it in ``depends``,
so a wrong ``affine_backward`` is blamed, not the ``TwoLayerNet.loss`` that
calls it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_softmax

from .base import (Wrong, check, expect_array, expect_close, expect_gradient, expect_scalar, fmt,
                   numerical_gradient, numerical_gradient_array)

LAYERS = "cs231n_lite.layers"
NET = "cs231n_lite.classifiers.two_layer_net"
SOLVER = "cs231n_lite.solver"
LAYER_CHECKS = ("affine_forward", "affine_backward", "relu_forward", "relu_backward", "softmax_loss")


# ------------------------------------------------------------------ helpers
def unchanged(name, before, after, fn, where, why="the backward pass needs the original"):
    """``fn`` must not have modified its argument ``name`` in place."""
    if not np.array_equal(np.asarray(before), np.asarray(after), equal_nan=True):
        raise Wrong(f"{fn} modified its input {name} in place {where}; leave it as it is and "
                    f"compute a new array ({why})")


def expect_dtype(name, got, dtype, where, fix="do not build it from float64 arrays (np.zeros "
                 "without dtype=..., np.array of Python floats)"):
    if np.asarray(got).dtype != np.dtype(dtype):
        raise Wrong(f"{name} should have dtype {np.dtype(dtype)} {where}, got "
                    f"{np.asarray(got).dtype}; {fix}")


def expect_gradient_n(name, analytic, numeric, where, N, fix):
    """expect_gradient, but first name the classic factor-of-N mistakes."""
    analytic, numeric = np.asarray(analytic, dtype=float), np.asarray(numeric, dtype=float)
    if np.any(np.abs(numeric) > 1e-8):
        if np.allclose(analytic * N, numeric, rtol=1e-5, atol=1e-8):
            raise Wrong(f"{name} is N={N} times too small {where}: {fix[0]}")
        if np.allclose(analytic, numeric * N, rtol=1e-5, atol=1e-8):
            raise Wrong(f"{name} is N={N} times too large {where}: {fix[1]}")
    expect_gradient(name, analytic, numeric, where)


def expect_pair(name, out, where):
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"{name} should return a pair (out, cache) {where}, got {type(out).__name__}")
    return out


# x of shape (2, 2, 2): two examples of D = 4 values, rows [1, 2, 3, 4] and [-1, 0, 0, 1]
X_AFF = np.array([[[1.0, 2.0], [3.0, 4.0]], [[-1.0, 0.0], [0.0, 1.0]]])
W_AFF = np.array([[1.0, 0.0, -1.0], [0.0, 1.0, 0.5], [2.0, 0.0, 0.0], [0.0, -1.0, 1.0]])
B_AFF = np.array([0.5, 0.0, -2.0])
OUT_AFF = np.array([[7.5, -2.0, 2.0], [-0.5, -1.0, 0.0]])
WHERE_AFF = ("for x of shape (2, 2, 2) (examples [1, 2, 3, 4] and [-1, 0, 0, 1]), "
             "w = [[1, 0, -1], [0, 1, 0.5], [2, 0, 0], [0, -1, 1]], b = [0.5, 0, -2]")


@check("two_layer_net", LAYERS, "affine_forward")
def affine_forward(m):
    x, w, b = X_AFF.copy(), W_AFF.copy(), B_AFF.copy()
    try:
        out = expect_pair("affine_forward", m.affine_forward(x, w, b), WHERE_AFF)[0]
    except ValueError as err:
        if "matmul" not in str(err) and "shapes" not in str(err):
            raise
        raise Wrong(f"affine_forward fails {WHERE_AFF}: {err}; treat each example as a row of "
                    f"D = 4 values (reshape x to (N, D)) before the product") from None
    out = expect_array("out", out, (2, 3), WHERE_AFF)
    expect_close("out", out, OUT_AFF, WHERE_AFF + " (each example as a row, times w, plus b)")
    unchanged("x", X_AFF, x, "affine_forward", WHERE_AFF)
    unchanged("w", W_AFF, w, "affine_forward", WHERE_AFF)
    unchanged("b", B_AFF, b, "affine_forward", WHERE_AFF)
    out32 = m.affine_forward(X_AFF.astype(np.float32), W_AFF.astype(np.float32),
                             B_AFF.astype(np.float32))[0]
    expect_dtype("out", out32, np.float32, "for float32 x, w and b")


def _affine_case(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((3, 2, 4)), rng.standard_normal((8, 5)), rng.standard_normal(5),
            rng.standard_normal((3, 5)))


@check("two_layer_net", LAYERS, "affine_backward", depends=("affine_forward",))
def affine_backward(m):
    x, w, b, dout = _affine_case()
    where = "for random x of shape (3, 2, 4), w (8, 5), b (5,) and dout (3, 5)"
    dout_in = dout.copy()
    grads = m.affine_backward(dout_in, (x.copy(), w.copy(), b.copy()))
    if not (isinstance(grads, tuple) and len(grads) == 3):
        raise Wrong(f"affine_backward should return (dx, dw, db) {where}")
    dx, dw, db = grads
    if dx is not None and np.shape(dx) == (3, 8):
        raise Wrong(f"dx should have the shape of x (3, 2, 4) {where}, got (3, 8); reshape it "
                    f"like x")
    dx = expect_array("dx", dx, x.shape, where)
    dw = expect_array("dw", dw, w.shape, where)
    db = expect_array("db", db, b.shape, where)
    unchanged("dout", dout, dout_in, "affine_backward", where, why="the caller still owns dout")
    forward = m.affine_forward
    fix = ("sum the contributions of the N examples, do not average them (the loss layer has "
           "already divided by N)", "do not multiply by N")
    where_num = where + " (numerical gradient of your affine_forward)"
    expect_gradient_n("dx", dx, numerical_gradient_array(lambda v: forward(v, w, b)[0], x, dout),
                      where_num, 3, fix)
    expect_gradient_n("dw", dw, numerical_gradient_array(lambda v: forward(x, v, b)[0], w, dout),
                      where_num, 3, fix)
    expect_gradient_n("db", db, numerical_gradient_array(lambda v: forward(x, w, v)[0], b, dout),
                      where_num, 3, fix)
    f32 = [a.astype(np.float32) for a in (x, w, b, dout)]
    for name, g in zip(("dx", "dw", "db"), m.affine_backward(f32[3], tuple(f32[:3]))):
        expect_dtype(name, g, np.float32, "for float32 inputs")


X_RELU = np.array([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]])
WHERE_RELU = "for x = [[-2, -0.5, 0], [0.25, 1, 3]]"


@check("two_layer_net", LAYERS, "relu_forward")
def relu_forward(m):
    x = X_RELU.copy()
    out = expect_pair("relu_forward", m.relu_forward(x), WHERE_RELU)[0]
    out = expect_array("out", out, (2, 3), WHERE_RELU)
    expect_close("out", out, [[0, 0, 0], [0.25, 1, 3]], WHERE_RELU + " (max(0, x) elementwise)")
    unchanged("x", X_RELU, x, "relu_forward", WHERE_RELU)
    x3 = np.arange(-4.0, 4.0).reshape(2, 2, 2)
    expect_array("out", m.relu_forward(x3)[0], (2, 2, 2), "for x of shape (2, 2, 2)")
    expect_dtype("out", m.relu_forward(X_RELU.astype(np.float32))[0], np.float32,
                 "for float32 x")


@check("two_layer_net", LAYERS, "relu_backward", depends=("relu_forward",))
def relu_backward(m):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 0.1] = 0.5  # no input within reach of the kink for the numerical gradient
    dout = rng.standard_normal((4, 5))
    where = "for random x (4, 5) away from 0 and random dout"
    dout_in = dout.copy()
    dx = expect_array("dx", m.relu_backward(dout_in, x.copy()), x.shape, where)
    unchanged("dout", dout, dout_in, "relu_backward", where, why="the caller still owns dout")
    num = numerical_gradient_array(lambda v: m.relu_forward(v)[0], x, dout)
    expect_gradient("dx", dx, num, where + " (numerical gradient of your relu_forward)")
    zero_where = "at x = 0 exactly (x = [[0, 0]], dout = [[1, -1]])"
    dx0 = expect_array("dx", m.relu_backward(np.array([[1.0, -1.0]]), np.zeros((1, 2))), (1, 2),
                       zero_where)
    if not np.all(dx0 == 0):
        raise Wrong(f"dx should be [[0, 0]] {zero_where}: the kit uses the subgradient 0 where "
                    f"x == 0, got {fmt(dx0)}")
    expect_dtype("dx", m.relu_backward(dout.astype(np.float32), x.astype(np.float32)),
                 np.float32, "for float32 x and dout")


def _reference_softmax(scores, y):
    """scipy's log_softmax: an independent reference for the loss value."""
    return float(-np.mean(log_softmax(scores, axis=1)[np.arange(len(y)), y]))


# The lecture's three examples (cat, car, frog), one row each; classes cat=0, car=1, frog=2.
LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LECTURE_Y = np.array([0, 1, 2])
WHERE_LECTURE = ("for the lecture's scores [[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]] "
                 "and labels [0, 1, 2]")


def _loss_layer(m, name, scores, y, where):
    out = getattr(m, name)(scores, y)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"{name} should return (loss, dscores) {where}")
    loss = expect_scalar("loss", out[0], where)
    return loss, expect_array("dscores", out[1], np.shape(scores), where)


@check("two_layer_net", LAYERS, "softmax_loss")
def softmax_loss(m):
    s = LECTURE_SCORES.copy()
    loss, _ = _loss_layer(m, "softmax_loss", s, LECTURE_Y.copy(), WHERE_LECTURE)
    expect_close("loss", loss, _reference_softmax(LECTURE_SCORES, LECTURE_Y),
                 WHERE_LECTURE + " (mean of -log p[y] over the 3 rows)")
    unchanged("scores", LECTURE_SCORES, s, "softmax_loss", WHERE_LECTURE, why="the caller still owns "
              "the scores")
    rng = np.random.default_rng(2)
    scores, y = rng.standard_normal((5, 4)), rng.integers(0, 4, 5)
    where = "for random scores (5, 4)"
    _, dscores = _loss_layer(m, "softmax_loss", scores.copy(), y, where)
    num = numerical_gradient(lambda v: _reference_softmax(v, y), scores)
    expect_gradient_n("dscores", dscores, num, where + " (numerical gradient of the loss)", 5,
                      ("do not divide by N twice", "the loss is the mean over the N rows: divide "
                       "dscores by N too"))
    big = 1000.0 * rng.standard_normal((4, 3))
    y_big = np.array([0, 1, 2, 0])
    where = "for scores of order 1e3 (exp overflows unless shifted)"
    with np.errstate(all="ignore"):
        loss, dscores = _loss_layer(m, "softmax_loss", big.copy(), y_big, where)
    expect_close("loss", loss, _reference_softmax(big, y_big), where)
    s32 = LECTURE_SCORES.astype(np.float32)
    expect_dtype("dscores", m.softmax_loss(s32, LECTURE_Y)[1], np.float32, "for float32 scores")


@check("two_layer_net", LAYERS, "svm_loss")
def svm_loss(m):
    s = LECTURE_SCORES.copy()
    loss, _ = _loss_layer(m, "svm_loss", s, LECTURE_Y.copy(), WHERE_LECTURE)
    expect_close("loss", loss, (2.9 + 0.0 + 12.9) / 3,
                 WHERE_LECTURE + " (the lecture's 2.9, 0 and 12.9, averaged)")
    unchanged("scores", LECTURE_SCORES, s, "svm_loss", WHERE_LECTURE, why="the caller still owns "
              "the scores")
    where0 = "for scores [[1, 0]] and y [0]: a margin of exactly 0"
    loss0, d0 = _loss_layer(m, "svm_loss", np.array([[1.0, 0.0]]), np.array([0]), where0)
    expect_close("loss", loss0, 0.0, where0)
    if not np.all(d0 == 0):
        raise Wrong(f"dscores should be [[0, 0]] {where0}: a margin of exactly 0 counts as not "
                    f"violated (subgradient 0), got {fmt(d0)}")
    rng = np.random.default_rng(3)
    scores, y = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    margins = scores - scores[np.arange(6), y][:, None] + 1
    scores[np.abs(margins) < 0.05] += 0.2  # keep the numerical gradient away from the kinks
    where = "for random scores (6, 4) away from the kinks"
    _, dscores = _loss_layer(m, "svm_loss", scores.copy(), y, where)
    num = numerical_gradient(lambda v: m.svm_loss(v, y)[0], scores)
    expect_gradient_n("dscores", dscores, num, where + " (numerical gradient of your loss)", 6,
                      ("do not divide by N twice", "the loss is the mean over the N rows: divide "
                       "dscores by N too"))
    s32 = LECTURE_SCORES.astype(np.float32)
    expect_dtype("dscores", m.svm_loss(s32, LECTURE_Y)[1], np.float32, "for float32 scores")


# ------------------------------------------------------------- the net
# D=2, H=3, C=2. Hidden unit 3 is off (negative pre-activation) for both rows.
X_HAND = np.array([[1.0, 2.0], [-1.0, 0.0]])
Y_HAND = np.array([0, 1])
PARAMS_HAND = {
    "W1": np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]]), "b1": np.array([0.0, 0.5, 0.0]),
    "W2": np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]), "b2": np.array([0.1, 0.0]),
}
SCORES_HAND = np.array([[1.1, 3.0], [0.1, 3.0]])
# softmax cross-entropy of those scores: log(1 + e^1.9) and log(1 + e^-2.9), averaged
LOSS_HAND = (np.log1p(np.exp(1.9)) + np.log1p(np.exp(-2.9))) / 2
WHERE_HAND = ("for the hand-sized net X=[[1, 2], [-1, 0]], W1=[[1, -1, 0.5], [0, 1, -1]], "
              "b1=[0, 0.5, 0], W2=[[1, 0], [0, 2], [3, 3]], b2=[0.1, 0]")


def _hand_net(m, reg=0.0, params=PARAMS_HAND):
    net = m.TwoLayerNet(2, 3, 2, reg=reg)
    net.params = {k: v.copy() for k, v in params.items()}
    return net


def _loss_with(net, name, value, X, y):
    """The net's loss with params[name] replaced by ``value`` (then restored)."""
    params = dict(net.params)
    net.params = {**params, name: value}
    try:
        return net.loss(X, y)[0]
    finally:
        net.params = params


def grad_check_model(model, X, y, where, tol=1e-6):
    """Every entry of model.params against the numerical gradient of model.loss."""
    out = model.loss(X, y)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"loss(X, y) should return (loss, grads) {where}")
    loss, grads = out
    expect_scalar("loss", loss, where)
    if not isinstance(grads, dict):
        raise Wrong(f"loss should return (loss, grads dict) {where}, got {type(grads).__name__}")
    missing = [k for k in model.params if k not in grads]
    if missing:
        raise Wrong(f"grads has no {', '.join(repr(k) for k in missing)} {where}: every entry of "
                    f"params needs its gradient (biases too)")
    for name in model.params:
        analytic = expect_array(f"grads[{name!r}]", grads[name], np.shape(model.params[name]), where)
        numeric = numerical_gradient(lambda w: _loss_with(model, name, w, X, y), model.params[name])
        expect_gradient(f"grads[{name!r}]", analytic, numeric, where, tol=tol)


def _kink_free_net(m, reg, seed=0):
    """A random net whose hidden pre-activations stay away from 0 (no ReLU kink
    within reach of the numerical gradient's step) and where some units are off."""
    net = m.TwoLayerNet(5, 7, 3, weight_scale=0.5, reg=reg, seed=seed)
    for s in range(seed, seed + 100):
        rng = np.random.default_rng(s)
        X = rng.standard_normal((6, 5))
        params = {"W1": 0.5 * rng.standard_normal((5, 7)), "b1": 0.1 * rng.standard_normal(7),
                  "W2": 0.5 * rng.standard_normal((7, 3)), "b2": 0.1 * rng.standard_normal(3)}
        pre = X @ params["W1"] + params["b1"]
        if np.abs(pre).min() > 0.02 and 0.2 < np.mean(pre > 0) < 0.8:
            break
    net.params = params
    return net, X, rng.integers(0, 3, 6)


NET_DEPENDS = LAYER_CHECKS


@check("two_layer_net", NET, "TwoLayerNet.loss", depends=NET_DEPENDS)
def two_layer_net_loss(m):
    X = X_HAND.copy()
    scores = _hand_net(m).loss(X)
    if isinstance(scores, tuple):
        raise Wrong(f"loss(X) without y should return the scores only {WHERE_HAND}, got a tuple")
    scores = expect_array("scores", scores, (2, 2), WHERE_HAND)
    expect_close("scores", scores, SCORES_HAND, WHERE_HAND + " (affine - ReLU - affine)")
    loss_, _ = _hand_net(m).loss(X, Y_HAND.copy())
    expect_close("loss", expect_scalar("loss", loss_, WHERE_HAND), LOSS_HAND,
                 WHERE_HAND + ", y=[0, 1], reg=0 (softmax loss of the scores)")
    unchanged("X", X_HAND, X, "TwoLayerNet.loss", WHERE_HAND, why="X is the caller's data")
    reg_loss, _ = _hand_net(m, reg=0.1).loss(X_HAND.copy(), Y_HAND.copy())
    extra = 0.1 * (np.sum(PARAMS_HAND["W1"] ** 2) + np.sum(PARAMS_HAND["W2"] ** 2))
    expect_close("loss", reg_loss, LOSS_HAND + extra,
                 WHERE_HAND + ", reg=0.1 (adds reg * (sum W1**2 + sum W2**2), not the biases)")
    other_reg = _hand_net(m, reg=0.1).loss(X_HAND.copy(), Y_HAND.copy(), reg=0.0)[0]
    expect_close("loss", other_reg, LOSS_HAND,
                 WHERE_HAND + " with self.reg=0.1 but loss(X, y, reg=0.0) (reg overrides self.reg)")
    for reg in (0.0, 0.05):
        net, Xr, yr = _kink_free_net(m, reg)
        grad_check_model(net, Xr, yr, f"for a random net (D=5, H=7, C=3, reg={reg}) on 6 samples")
    where3 = "for X of shape (6, 5, 1) (examples with more than one axis)"
    net, Xr, yr = _kink_free_net(m, 0.0)
    expect_close("loss", net.loss(Xr.reshape(6, 5, 1), yr)[0], net.loss(Xr, yr)[0], where3)
    net32 = m.TwoLayerNet(5, 7, 3, weight_scale=0.5, seed=0, dtype=np.float32)
    _, grads32 = net32.loss(Xr.astype(np.float32), yr)
    for name in ("W1", "b1", "W2", "b2"):
        expect_dtype(f"grads[{name!r}]", grads32[name], np.float32, "for a float32 net and X")


@check("two_layer_net", NET, "TwoLayerNet.predict", depends=("affine_forward", "relu_forward"))
def two_layer_net_predict(m):
    # 4 examples, 3 classes: scores [[2, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0]] (W1 = I, b = 0)
    net = m.TwoLayerNet(3, 3, 3)
    net.params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    X = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 3.0], [0.0, 2.0, 1.0], [1.0, 0.0, 0.0]])
    where = "for a net whose scores are X = [[2, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0]]"
    pred = expect_array("y_pred", net.predict(X), (4,), where)
    expect_close("y_pred", pred, [0, 2, 1, 0], where + " (the highest score of each row)")


# ------------------------------------------------------------- the Solver
class StubModel:
    """params W (2, 3) and b (3,); loss returns fixed gradients (0.5 for W, 1 for b)."""

    def __init__(self):
        self.params = {"W": np.ones((2, 3)), "b": np.zeros(3)}
        self.calls = []

    def loss(self, X, y=None):
        self.calls.append(len(X))
        if y is None:
            return X[:, :3] if X.shape[1] >= 3 else np.zeros((len(X), 3))
        return 1.0, {"W": np.full((2, 3), 0.5), "b": np.ones(3)}


def stub_data(n=12):
    X = np.arange(3.0 * n).reshape(n, 3)
    return {"X_train": X, "y_train": np.arange(n) % 3, "X_val": X[:4], "y_val": np.arange(4) % 3}


def counting_rule(log):
    """An update rule that takes a step of 0.1 * dw and counts its calls in the config."""
    def rule(w, dw, config):
        log.append(id(config))
        config = dict(config or {})
        config["count"] = config.get("count", 0) + 1
        return w - 0.1 * dw, config
    return rule


@check("two_layer_net", SOLVER, "Solver._step", depends=("sample_minibatch", "sgd"))
def solver_step(m):
    model = StubModel()
    log = []
    solver = m.Solver(model, stub_data(), update_rule=counting_rule(log), batch_size=4,
                      verbose=False, progress_bar=False, seed=0)
    where = ("for a model with params W (2, 3) and b (3,) whose gradients are 0.5 and 1, an update "
             "rule w - 0.1 * dw, two steps")
    solver._step()
    solver._step()
    if len(solver.loss_history) != 2:
        raise Wrong(f"loss_history should hold one loss per step {where}, got "
                    f"{len(solver.loss_history)}")
    for name, expected in (("W", np.full((2, 3), 0.9)), ("b", np.full(3, -0.2))):
        got = model.params[name]
        if np.array_equal(got, np.ones((2, 3)) if name == "W" else np.zeros(3)):
            raise Wrong(f"params[{name!r}] was not updated {where}: every parameter, biases too, "
                        f"goes through the update rule")
        expect_close(f"params[{name!r}]", got, expected, where)
    counts = {name: solver.optim_configs[name].get("count") for name in ("W", "b")}
    if counts != {"W": 2, "b": 2}:
        raise Wrong(f"after two steps every optim_configs[name] should be the config the rule "
                    f"returned at the second step (count 2) {where}, got counts {counts}; store "
                    f"the new config (it carries the rule's state, e.g. momentum)")
    if len(set(log[:2])) != 2:
        raise Wrong(f"W and b got the same config object {where}; each parameter has its own "
                    f"config in self.optim_configs[name]")
    model = StubModel()
    solver = m.Solver(model, stub_data(), update_rule="sgd", optim_config={"learning_rate": 0.2},
                      batch_size=4, verbose=False, progress_bar=False, seed=0)
    solver._step()
    expect_close("params['b']", model.params["b"], np.full(3, -0.2),
                 "with update_rule='sgd' and optim_config={'learning_rate': 0.2}, one step "
                 "(b's gradient is 1)")


class ScoreModel:
    """loss(X) returns X itself as the scores (N, 3); records the batch sizes."""

    def __init__(self):
        self.params = {"W": np.zeros(1)}
        self.calls = []

    def loss(self, X, y=None):
        self.calls.append(len(X))
        return np.array(X, dtype=float)


@check("two_layer_net", SOLVER, "Solver.check_accuracy")
def solver_check_accuracy(m):
    # scores = X; predictions [0, 2, 1, 0, 2] (5 examples, 3 classes)
    X = np.array([[2.0, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0], [0, 0, 5]])
    y = np.array([0, 2, 0, 0, 1])  # right on rows 0, 1, 3
    model = ScoreModel()
    solver = m.Solver(model, {"X_train": X, "y_train": y, "X_val": X, "y_val": y},
                      verbose=False, progress_bar=False, seed=0)
    where = ("for a model whose scores are X = [[2, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0], "
             "[0, 0, 5]], y = [0, 2, 0, 0, 1], batch_size=2")
    try:
        acc = solver.check_accuracy(X.copy(), y.copy(), batch_size=2)
    except ValueError as err:
        raise Wrong(f"check_accuracy fails {where}: {err}; predict one class per row of X (the "
                    f"largest score along each row) and compare with y") from None
    acc = expect_scalar("acc", acc, where)
    expect_close("acc", acc, 0.6, where + " (3 of 5 right)")
    if sum(model.calls) != 5 or max(model.calls) > 2:
        raise Wrong(f"model.loss should score every example once, at most batch_size at a time "
                    f"{where}; it was called with batches of {model.calls}")
    model.calls = []
    right = np.array([0, 2, 1, 0, 2])
    where = "for the same model with y its own predictions and num_samples=3"
    acc = solver.check_accuracy(X.copy(), right, num_samples=3)
    expect_close("acc", acc, 1.0, where)
    if sum(model.calls) != 3:
        raise Wrong(f"with num_samples=3 only 3 examples should be scored {where}, "
                    f"got {sum(model.calls)}")
