"""Checks shared by the linear losses: ``loss, dW = fn(W, X, y, reg)``.

References are independent of any implementation: the lecture's worked
examples, the value every loss must take for tiny weights, the exact effect
of ``reg``, and centred-difference gradients.
"""

from __future__ import annotations

import numpy as np

from .base import Wrong, expect_array, expect_close, expect_gradient, expect_scalar, numerical_gradient

# The lecture's three images (rows: cat, car, frog) scored for the classes
# (columns: cat, car, frog). X = identity makes X @ W equal these scores.
LECTURE_SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LECTURE_IMAGES = ("cat", "car", "frog")


def call(fn, W, X, y, reg, where):
    """Call a loss; check it returns (scalar loss, dW shaped like W)."""
    out = fn(W.copy(), X.copy(), y.copy(), reg)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"should return (loss, dW) {where}, got {type(out).__name__}")
    loss = expect_scalar("loss", out[0], where)
    dW = expect_array("dW", out[1], W.shape, where)
    return loss, dW


def small_problem(seed=0, N=8, D=6, C=4, scale=1.0):
    rng = np.random.default_rng(seed)
    W = scale * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    return W, X, y


def check_tiny_weights(fn, expected: float, label: str) -> None:
    """With W ~ 0 every score is ~0, so the loss is known (C - 1 or log C)."""
    W, X, y = small_problem(seed=1, N=50, D=20, C=10, scale=1e-6)
    where = f"for tiny random W (1e-6 scale, C=10, reg=0), where the loss should be {label}"
    loss, _ = call(fn, W, X, y, 0.0, where)
    expect_close("loss", loss, expected, where, rtol=1e-3)


def check_reg(fn) -> None:
    """reg adds exactly reg * sum(W**2) to the loss and 2 * reg * W to dW."""
    W, X, y = small_problem(seed=2)
    reg = 0.3
    loss0, dW0 = call(fn, W, X, y, 0.0, "with reg=0")
    loss1, dW1 = call(fn, W, X, y, reg, f"with reg={reg}")
    expect_close("the loss increase from reg", loss1 - loss0, reg * np.sum(W * W),
                 f"(reg={reg}, loss should grow by reg * sum(W**2))")
    expect_close("the dW change from reg", dW1 - dW0, 2 * reg * W,
                 f"(reg={reg}, dW should grow by 2 * reg * W)")


def check_gradient(fn, seed=3, tol=1e-6) -> None:
    """dW against centred differences of the loss (h = 1e-5)."""
    W, X, y = small_problem(seed=seed)
    reg = 0.05
    where = f"on a random problem (W {W.shape}, X {X.shape}, seed {seed}, reg={reg})"
    _, dW = call(fn, W, X, y, reg, where)
    numeric = numerical_gradient(lambda w: fn(w, X.copy(), y.copy(), reg)[0], W)
    expect_gradient("dW", dW, numeric, where, tol=tol)


def check_per_image(fn, expected_losses) -> None:
    """Each lecture image alone (N=1, reg=0) gives the lecture's loss."""
    W = LECTURE_SCORES.copy()
    for i, (name, expected) in enumerate(zip(LECTURE_IMAGES, expected_losses)):
        X, y = np.eye(3)[i:i + 1], np.array([i])
        where = (f"on the lecture's {name} image alone (scores {LECTURE_SCORES[i].tolist()}, "
                 f"true class {name}, reg=0)")
        loss, _ = call(fn, W, X, y, 0.0, where)
        expect_close("loss", loss, expected, where, rtol=5e-3, atol=5e-3)


def check_does_not_modify(fn) -> None:
    W, X, y = small_problem(seed=4)
    W0, X0 = W.copy(), X.copy()
    fn(W, X, y, 0.1)
    if not (np.array_equal(W, W0) and np.array_equal(X, X0)):
        raise Wrong("it modified its input W or X in place; compute new arrays instead")
