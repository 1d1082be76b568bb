"""Softmax loss: twins agree, gradients are right, stable, lecture numbers hold."""

import numpy as np
import pytest

from cs231n_lite.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from conftest import random_problem
from cs231n_lite.gradient_check import eval_numerical_gradient, rel_error

LOSSES = [softmax_loss_naive, softmax_loss_vectorized]
CAT_SCORES = np.array([[3.2, 5.1, -1.7]])  # the lecture's cat image, classes (cat, car, frog)


@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_naive_and_vectorized_agree(reg):
    W, X, y = random_problem(0)
    loss_n, dW_n = softmax_loss_naive(W, X, y, reg)
    loss_v, dW_v = softmax_loss_vectorized(W, X, y, reg)
    assert loss_n > 0
    assert rel_error(loss_n, loss_v) < 1e-10
    assert rel_error(dW_n, dW_v) < 1e-10


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_gradient_matches_numerical(loss_fn, reg):
    W, X, y = random_problem(1, N=15, D=6, C=4)
    _, dW = loss_fn(W, X, y, reg)
    num = eval_numerical_gradient(lambda w: loss_fn(w, X, y, reg)[0], W.copy())
    assert np.abs(dW).max() > 1e-3
    assert rel_error(dW, num) < 1e-7


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_lecture_cat_probabilities_and_loss(loss_fn):
    # X = [[1]] makes the scores equal W's single row. The gradient of the
    # loss with respect to the scores is p - one_hot(y), so p = dW + one_hot.
    loss, dW = loss_fn(CAT_SCORES, np.ones((1, 1)), np.array([0]), 0.0)
    probs = dW[0] + np.array([1.0, 0.0, 0.0])
    assert np.round(probs, 2).tolist() == [0.13, 0.87, 0.0]
    assert probs.sum() == pytest.approx(1.0)
    assert round(loss, 2) == 2.04
    assert loss == pytest.approx(-np.log(probs[0]), rel=1e-12)


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("C", [2, 3, 10])
def test_all_zero_scores_give_log_c(loss_fn, C):
    X = np.random.default_rng(C).standard_normal((7, 4))
    loss, _ = loss_fn(np.zeros((4, C)), X, np.arange(7) % C, 0.0)
    assert loss == pytest.approx(np.log(C))


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_scores_stay_finite(loss_fn, dtype):
    # Scores of +1e4 and -1e4: exp(1e4) overflows without the max shift.
    W = np.array([[1e4, -1e4, 0.0]], dtype=dtype)
    X = np.array([[1.0], [1.0]], dtype=dtype)
    loss, dW = loss_fn(W, X, np.array([0, 1]), 0.0)
    assert np.isfinite(loss) and np.all(np.isfinite(dW))
    # Sample 0 is right with certainty (loss 0), sample 1 off by 2e4.
    assert loss == pytest.approx(2e4 / 2, rel=1e-6)
