"""Public checks of the two_layer_net part: a net small enough to run by hand."""

from __future__ import annotations

import numpy as np

from .base import (Wrong, check, expect_array, expect_close, expect_gradient, expect_scalar,
                   numerical_gradient)

MOD = "cs231n_lite.classifiers.two_layer_net"

# D=2, H=3, C=2. Hidden unit 3 is off (negative pre-activation) for both rows.
X_HAND = np.array([[1.0, 2.0], [-1.0, 0.0]])
Y_HAND = np.array([0, 1])
PARAMS_HAND = {
    "W1": np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0]]), "b1": np.array([0.0, 0.5, 0.0]),
    "W2": np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]), "b2": np.array([0.1, 0.0]),
}
HIDDEN_HAND = np.array([[1.0, 1.5, 0.0], [0.0, 1.5, 0.0]])
SCORES_HAND = np.array([[1.1, 3.0], [0.1, 3.0]])
# softmax cross-entropy of those scores: log(1 + e^1.9) and log(1 + e^-2.9), averaged
LOSS_HAND = (np.log1p(np.exp(1.9)) + np.log1p(np.exp(-2.9))) / 2
WHERE_HAND = ("for the hand-sized net X=[[1, 2], [-1, 0]], W1=[[1, -1, 0.5], [0, 1, -1]], "
              "b1=[0, 0.5, 0], W2=[[1, 0], [0, 2], [3, 3]], b2=[0.1, 0]")


def _hand_net(m, reg=0.0):
    net = m.TwoLayerNet(2, 3, 2, reg=reg)
    net.params = {k: v.copy() for k, v in PARAMS_HAND.items()}
    return net


@check("two_layer_net", MOD, "TwoLayerNet.forward")
def forward(m):
    out = _hand_net(m).forward(X_HAND.copy())
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"forward should return (scores, hidden) {WHERE_HAND}")
    hidden = expect_array("hidden", out[1], (2, 3), WHERE_HAND)
    expect_close("hidden", hidden, HIDDEN_HAND, WHERE_HAND + " (ReLU(X W1 + b1))")
    scores = expect_array("scores", out[0], (2, 2), WHERE_HAND)
    expect_close("scores", scores, SCORES_HAND, WHERE_HAND + " (hidden W2 + b2)")


def _loss_with(net, name, value, X, y):
    """The net's loss with params[name] replaced by ``value`` (then restored)."""
    old = net.params[name]
    net.params[name] = value
    try:
        return net.loss(X, y)[0]
    finally:
        net.params[name] = old


def _grad_check(m, seed=0):
    rng = np.random.default_rng(seed)
    net = m.TwoLayerNet(5, 7, 3, weight_scale=0.5, reg=0.05, seed=seed)
    X, y = rng.standard_normal((6, 5)), rng.integers(0, 3, size=6)
    where = f"for a random net (D=5, H=7, C=3, seed {seed}, reg=0.05) on 6 samples"
    loss, grads = net.loss(X, y)
    if not isinstance(grads, dict):
        raise Wrong(f"loss should return (loss, grads dict) {where}, got {type(grads).__name__}")
    for name in ("W1", "b1", "W2", "b2"):
        analytic = expect_array(f"grads[{name!r}]", grads.get(name), net.params[name].shape, where)
        numeric = numerical_gradient(lambda w: _loss_with(net, name, w, X, y), net.params[name])
        expect_gradient(f"grads[{name!r}]", analytic, numeric, where, tol=1e-6)


@check("two_layer_net", MOD, "TwoLayerNet.loss")
def loss(m):
    loss_, _ = _hand_net(m).loss(X_HAND.copy(), Y_HAND.copy())
    expect_close("loss", expect_scalar("loss", loss_, WHERE_HAND), LOSS_HAND,
                 WHERE_HAND + ", y=[0, 1], reg=0 (softmax cross-entropy of the scores)")
    reg_loss, _ = _hand_net(m, reg=0.1).loss(X_HAND.copy(), Y_HAND.copy())
    extra = 0.1 * (np.sum(PARAMS_HAND["W1"] ** 2) + np.sum(PARAMS_HAND["W2"] ** 2))
    expect_close("loss", reg_loss, LOSS_HAND + extra,
                 WHERE_HAND + ", reg=0.1 (adds reg * (sum W1**2 + sum W2**2), not the biases)")
    tiny = m.TwoLayerNet(20, 10, 10, weight_scale=1e-6, seed=1)
    X = np.random.default_rng(1).standard_normal((30, 20))
    where = "for tiny weights (1e-6 scale, C=10), where the loss should be log(10) = 2.3026"
    expect_close("loss", tiny.loss(X, np.arange(30) % 10)[0], np.log(10), where, rtol=1e-3)
    _grad_check(m)


@check("two_layer_net", MOD, "TwoLayerNet.predict")
def predict(m):
    pred = expect_array("y_pred", _hand_net(m).predict(X_HAND.copy()), (2,), WHERE_HAND)
    expect_close("y_pred", pred, [1, 1], WHERE_HAND + " (the argmax of the scores)")


@check("two_layer_net", MOD, "TwoLayerNet.train")
def train(m):
    rng = np.random.default_rng(0)
    y = np.arange(90) % 3
    X = 3.0 * rng.standard_normal((3, 4))[y] + 0.3 * rng.standard_normal((90, 4))
    net = m.TwoLayerNet(4, 16, 3, weight_scale=0.1, seed=0)
    where = "training on 3 well-separated blobs (90 x 4, lr 0.1, 60 iterations)"
    hist = net.train(X, y, X, y, learning_rate=0.1, learning_rate_decay=1.0, reg=1e-4,
                     num_iters=60, batch_size=30, seed=0)
    losses = expect_array("loss_history", hist["loss_history"], (60,), where)
    if not losses[-1] < 0.5 * losses[0]:
        raise Wrong(f"the loss should at least halve {where}: first {losses[0]:.4f}, "
                    f"last {losses[-1]:.4f}")
