"""Multiclass SVM loss: twins agree, gradients are right, lecture numbers hold."""

import numpy as np
import pytest

from cs231n_lite.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from conftest import random_problem
from cs231n_lite.gradient_check import eval_numerical_gradient, rel_error

LOSSES = [svm_loss_naive, svm_loss_vectorized]

# The lecture's three images (rows) and their scores for (cat, car, frog).
LECTURE_SCORES = np.array([
    [3.2, 5.1, -1.7],  # cat image
    [1.3, 4.9, 2.0],   # car image
    [2.2, 2.5, -3.1],  # frog image
])


def lecture_loss(loss_fn, image, W=LECTURE_SCORES, **kw):
    """Loss of one lecture image: X = a one-hot row picks W's row as the scores."""
    X = np.eye(3)[[image]]  # (1, 3)
    return loss_fn(W, X, np.array([image]), 0.0, **kw)[0]


def min_abs_margin(W, X, y):
    scores = X @ W
    margins = scores - scores[np.arange(len(y)), y][:, None] + 1
    margins[np.arange(len(y)), y] = np.inf
    return np.min(np.abs(margins))


@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_naive_and_vectorized_agree(squared, reg):
    W, X, y = random_problem(0)
    loss_n, dW_n = svm_loss_naive(W, X, y, reg, squared=squared)
    loss_v, dW_v = svm_loss_vectorized(W, X, y, reg, squared=squared)
    assert loss_n > 0
    assert rel_error(loss_n, loss_v) < 1e-10
    assert rel_error(dW_n, dW_v) < 1e-10


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("squared", [False, True])
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_gradient_matches_numerical(loss_fn, squared, reg):
    W, X, y = random_problem(1, N=15, D=6, C=4)
    # Away from kinks: no margin within reach of the step h = 1e-5.
    assert min_abs_margin(W, X, y) > 1e-3
    _, dW = loss_fn(W, X, y, reg, squared=squared)
    num = eval_numerical_gradient(lambda w: loss_fn(w, X, y, reg, squared=squared)[0], W.copy())
    assert np.abs(dW).max() > 1e-3  # a non-trivial gradient
    assert rel_error(dW, num) < 1e-7


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_lecture_image_losses(loss_fn):
    losses = [lecture_loss(loss_fn, i) for i in range(3)]
    assert np.round(losses, 2).tolist() == [2.9, 0.0, 12.9]
    # The whole batch: the mean of the three.
    mean = loss_fn(LECTURE_SCORES, np.eye(3), np.arange(3), 0.0)[0]
    assert round(mean, 2) == 5.27
    assert mean == pytest.approx(np.mean(losses), rel=1e-12)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_doubling_W_keeps_car_loss_zero(loss_fn):
    assert lecture_loss(loss_fn, 1, W=2 * LECTURE_SCORES) == 0.0
    # ... while the cat's loss changes: W is not unique, its scale matters elsewhere.
    assert lecture_loss(loss_fn, 0, W=2 * LECTURE_SCORES) != lecture_loss(loss_fn, 0)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_squared_hinge_lecture_values(loss_fn):
    # cat: margins 2.9 and (negative); frog: 6.3 and 6.6 (see module lecture numbers).
    assert lecture_loss(loss_fn, 0, squared=True) == pytest.approx(2.9**2)
    assert lecture_loss(loss_fn, 2, squared=True) == pytest.approx(6.3**2 + 6.6**2)


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("C", [2, 3, 10])
def test_all_zero_scores_give_c_minus_1(loss_fn, C):
    X = np.random.default_rng(C).standard_normal((7, 4))
    loss, _ = loss_fn(np.zeros((4, C)), X, np.arange(7) % C, 0.0)
    assert loss == pytest.approx(C - 1)
