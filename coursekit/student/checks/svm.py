"""Public checks of the svm part: hinge losses, penalties, the linear classifier."""

from __future__ import annotations

import numpy as np

from . import losses as L
from .base import Wrong, check, expect_array, expect_close

SVM = "cs231n_lite.classifiers.linear_svm"
REG = "cs231n_lite.classifiers.regularization"
LIN = "cs231n_lite.classifiers.linear_classifier"

# Lecture: per-image hinge losses 2.9, 0 and 12.9 (delta = 1), mean 5.27.
LECTURE_LOSSES = (2.9, 0.0, 12.9)


def _svm_checks(fn) -> None:
    L.check_per_image(fn, LECTURE_LOSSES)
    where = "on the lecture's cat/car/frog example (X = identity, W = the scores, reg=0)"
    loss, _ = L.call(fn, L.LECTURE_SCORES, np.eye(3), np.arange(3), 0.0, where)
    expect_close("loss", loss, sum(LECTURE_LOSSES) / 3, where + ", the mean of 2.9, 0, 12.9",
                 rtol=1e-6)
    L.check_tiny_weights(fn, 9.0, "C - 1 = 9 (every margin is 1)")
    L.check_reg(fn)
    L.check_gradient(fn)
    L.check_does_not_modify(fn)


@check("svm", SVM, "svm_loss_naive")
def svm_loss_naive(m):
    _svm_checks(m.svm_loss_naive)


@check("svm", SVM, "svm_loss_vectorized")
def svm_loss_vectorized(m):
    _svm_checks(m.svm_loss_vectorized)


W_PEN = np.array([[1.5, -2.0, 0.0], [0.5, 0.0, -1.0]])


@check("svm", REG, "l2_penalty")
def l2_penalty(m):
    where = f"for W = {W_PEN.tolist()} and reg = 0.1"
    loss, dW = m.l2_penalty(W_PEN.copy(), 0.1)
    expect_close("loss", loss, 0.1 * 7.5, where + " (0.1 * sum of squares 7.5)")
    expect_close("dW", expect_array("dW", dW, W_PEN.shape, where), 0.2 * W_PEN, where)


@check("svm", REG, "l1_penalty")
def l1_penalty(m):
    where = f"for W = {W_PEN.tolist()} and reg = 0.1"
    loss, dW = m.l1_penalty(W_PEN.copy(), 0.1)
    expect_close("loss", loss, 0.1 * 5.0, where + " (0.1 * sum of |W| = 5)")
    expect_close("dW", expect_array("dW", dW, W_PEN.shape, where),
                 0.1 * np.array([[1, -1, 0], [1, 0, -1]]), where + " (reg * sign(W), 0 at 0)")


@check("svm", REG, "elastic_net_penalty", depends=("l1_penalty", "l2_penalty"))
def elastic_net_penalty(m):
    where = f"for W = {W_PEN.tolist()}, reg = 0.1 and l1_ratio = 0.25"
    loss, dW = m.elastic_net_penalty(W_PEN.copy(), 0.1, 0.25)
    expect_close("loss", loss, 0.1 * (0.25 * 5.0 + 0.75 * 7.5), where)
    sign = np.array([[1, -1, 0], [1, 0, -1]])
    expect_close("dW", expect_array("dW", dW, W_PEN.shape, where),
                 0.1 * (0.25 * sign + 0.75 * 2 * W_PEN), where)


@check("svm", LIN, "sample_minibatch")
def sample_minibatch(m):
    X = np.arange(20.0).reshape(10, 2)  # row i is (2i, 2i + 1): the row index is readable
    y = np.arange(10) % 3
    where = "for X of shape (10, 2), batch_size 25 (more than N: drawn with replacement)"
    Xb, yb = m.sample_minibatch(X, y, 25, np.random.default_rng(0))
    Xb = expect_array("X_batch", Xb, (25, 2), where)
    yb = expect_array("y_batch", yb, (25,), where)
    idx = (Xb[:, 0] / 2).astype(int)
    if not (np.array_equal(Xb, X[idx]) and np.array_equal(yb, y[idx])):
        raise Wrong(f"X_batch rows must be rows of X and y_batch their labels {where}")
    again = m.sample_minibatch(X, y, 25, np.random.default_rng(0))[0]
    if not np.array_equal(again, Xb):
        raise Wrong("two calls with the same seeded rng gave different batches; draw with rng only")


def _blobs(seed=0, n=60, C=3, D=4):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % C
    centres = 4.0 * rng.standard_normal((C, D))
    return centres[y] + 0.3 * rng.standard_normal((n, D)), y


@check("svm", LIN, "LinearClassifier.train")
def linear_classifier_train(m):
    X, y = _blobs()
    model = m.LinearSVM()
    where = "training LinearSVM on 3 well-separated blobs (60 x 4, lr 1e-2, 50 iterations)"
    hist = model.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=50, batch_size=30, seed=0)
    hist = expect_array("loss_history", hist, (50,), where)
    expect_array("W", model.W, (4, 3), where)
    if not hist[-1] < 0.5 * hist[0]:
        raise Wrong(f"the loss should at least halve {where}: first {hist[0]:.4f}, last {hist[-1]:.4f}")


@check("svm", LIN, "LinearClassifier.predict")
def linear_classifier_predict(m):
    model = m.LinearSVM()
    model.W = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    X = np.array([[0.1, 0.9, 0.3], [2.0, -1.0, 0.0], [0.0, 0.2, 0.5]])
    where = "with W = identity (scores = X) for X = " + str(X.tolist())
    pred = expect_array("y_pred", model.predict(X), (3,), where)
    expect_close("y_pred", pred, [1, 0, 2], where + " (the argmax of each row)")


@check("svm", LIN, "random_search")
def random_search(m):
    X, y = _blobs(seed=1, n=30)
    calls = []

    def loss_fn(W, X_, y_):
        calls.append(np.array(W, copy=True))
        return float(np.sum(W))  # lowest for the most negative W

    where = "with 20 tries and a loss that is sum(W)"
    W, loss = m.random_search(loss_fn, X, y, num_tries=20, scale=1.0, seed=0)
    expect_array("best_W", W, (4, 3), where)
    if len(calls) != 20:
        raise Wrong(f"loss_fn should be called 20 times {where}, it was called {len(calls)} times")
    best = min(calls, key=np.sum)
    expect_close("best_loss", loss, float(np.sum(best)), where + " (the smallest loss seen)")
    expect_close("best_W", W, best, where + " (the W with the smallest loss)")
