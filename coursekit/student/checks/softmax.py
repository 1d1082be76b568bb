"""Public checks of the softmax part: the cross-entropy losses."""

from __future__ import annotations

import numpy as np

from . import losses as L
from .base import check, expect_close

MOD = "cs231n_lite.classifiers.softmax"

# Lecture: the cat image's scores 3.2, 5.1, -1.7 give probabilities
# 0.13, 0.87, 0.00 and, for the true class cat, the loss -log(0.13) = 2.04.
CAT_PROBS = np.array([0.13, 0.87, 0.00])
CAT_LOSS = 2.04


def check_lecture_cat(fn) -> None:
    X, y, W = np.eye(3)[:1], np.array([0]), L.LECTURE_SCORES.copy()
    where = "on the lecture's cat image (scores 3.2, 5.1, -1.7, true class cat, reg=0)"
    loss, dW = L.call(fn, W, X, y, 0.0, where)
    expect_close("loss", loss, CAT_LOSS, where + ": -log(0.13)", rtol=5e-3, atol=5e-3)
    # With X = [1, 0, 0], dW's first row is (probabilities - one-hot of cat).
    probs = dW[0] + np.array([1.0, 0.0, 0.0])
    expect_close("the probabilities implied by dW", probs, CAT_PROBS,
                 where + " (dW[0] should be p - one_hot(cat))", rtol=5e-3, atol=5e-3)


def check_stable(fn) -> None:
    """Scores of 1000 overflow exp() unless the row maximum is subtracted first."""
    W = np.array([[1000.0, 0.0, 0.0]])
    X, y = np.ones((2, 1)), np.array([0, 1])
    where = "for scores (1000, 0, 0) (subtract each row's max before exp)"
    loss, _ = L.call(fn, W, X, y, 0.0, where)
    # image 0 (class 0): loss ~0; image 1 (class 1): loss ~1000; mean ~500
    expect_close("loss", loss, 500.0, where + ", with true classes 0 and 1", rtol=1e-6)


def _softmax_checks(fn) -> None:
    check_lecture_cat(fn)
    L.check_tiny_weights(fn, float(np.log(10)), "log(10) = 2.3026 (uniform probabilities)")
    check_stable(fn)
    L.check_reg(fn)
    L.check_gradient(fn, tol=1e-7)
    L.check_does_not_modify(fn)


@check("softmax", MOD, "softmax_loss_naive")
def softmax_loss_naive(m):
    _softmax_checks(m.softmax_loss_naive)


@check("softmax", MOD, "softmax_loss_vectorized")
def softmax_loss_vectorized(m):
    _softmax_checks(m.softmax_loss_vectorized)

