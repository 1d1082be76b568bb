"""Hidden tests, svm part (25 points in rubric.toml)."""

import numpy as np
from hidden_helpers import blobs, loss_problem, num_grad, rel_error, student

SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])


def _svm():
    return student("classifiers.linear_svm")


def _hinge(W, X, y, reg, squared=False):
    """The grader's own reference loss (never released)."""
    s = X @ W
    m = np.maximum(0, s - s[np.arange(len(y)), y][:, None] + 1)
    m[np.arange(len(y)), y] = 0
    return float(np.sum(m**2 if squared else m) / len(y) + reg * np.sum(W * W))


def _lecture(fn):
    loss, _ = fn(SCORES.copy(), np.eye(3), np.arange(3), 0.0)
    assert abs(loss - 15.8 / 3) < 1e-9, f"lecture example: loss {loss}, expected 5.2667"


def _gradient(fn, squared=False, seed=5):
    W, X, y = loss_problem(seed)
    loss, dW = fn(W, X, y, 0.02, squared=squared) if squared else fn(W, X, y, 0.02)
    assert abs(loss - _hinge(W, X, y, 0.02, squared)) < 1e-8, f"loss {loss} is wrong"
    num = num_grad(lambda w: _hinge(w, X, y, 0.02, squared), W.copy())
    assert rel_error(dW, num) < 1e-6, f"dW vs numerical gradient: rel error {rel_error(dW, num):.1e}"


def test_naive_lecture_example():
    _lecture(_svm().svm_loss_naive)


def test_naive_gradient():
    _gradient(_svm().svm_loss_naive)


def test_naive_reg():
    W, X, y = loss_problem(6)
    l0, _ = _svm().svm_loss_naive(W, X, y, 0.0)
    l1, _ = _svm().svm_loss_naive(W, X, y, 0.5)
    assert abs((l1 - l0) - 0.5 * np.sum(W * W)) < 1e-8, "reg must add reg * sum(W**2)"


def test_vectorized_loss_and_gradient():
    _lecture(_svm().svm_loss_vectorized)
    _gradient(_svm().svm_loss_vectorized, seed=7)


def test_squared_hinge():
    _gradient(_svm().svm_loss_vectorized, squared=True, seed=8)
    _gradient(_svm().svm_loss_naive, squared=True, seed=9)


def test_penalties():
    reg = student("classifiers.regularization")
    W = np.array([[2.0, -1.0], [0.0, 3.0]])
    assert np.allclose(reg.l2_penalty(W, 0.5)[0], 7.0), "l2 loss"
    assert np.allclose(reg.l2_penalty(W, 0.5)[1], W), "l2 gradient"
    assert np.allclose(reg.l1_penalty(W, 0.5)[0], 3.0), "l1 loss"
    assert np.allclose(reg.l1_penalty(W, 0.5)[1], 0.5 * np.sign(W)), "l1 gradient"
    loss, dW = reg.elastic_net_penalty(W, 1.0, 0.5)
    assert np.allclose(loss, 0.5 * 6 + 0.5 * 14) and np.allclose(dW, 0.5 * np.sign(W) + W), "elastic net"


def test_sample_minibatch():
    lin = student("classifiers.linear_classifier")
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20)
    Xb, yb = lin.sample_minibatch(X, y, 50, np.random.default_rng(1))
    assert np.shape(Xb) == (50, 2) and np.shape(yb) == (50,), "batch shapes"
    assert np.array_equal(Xb[:, 0] / 2, yb), "X_batch rows must match y_batch labels"


def test_linear_svm_trains_and_predicts():
    X, y = blobs(seed=2)
    model = student("classifiers.linear_classifier").LinearSVM()
    hist = model.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=100, batch_size=40, seed=1)
    assert len(hist) == 100 and hist[-1] < hist[0], "the loss should go down"
    assert np.mean(model.predict(X) == y) > 0.95, "blobs should be classified"


def test_random_search():
    lin = student("classifiers.linear_classifier")
    X, y = blobs(seed=3, n=30)
    W, loss = lin.random_search(lambda W, X_, y_: float(np.abs(W).sum()), X, y, num_tries=15, seed=2)
    assert np.shape(W) == (6, 3) and abs(loss - np.abs(W).sum()) < 1e-12, "best_W and best_loss"
