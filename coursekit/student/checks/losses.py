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
    """With W ~ 0 every score is ~0: the loss must be ``expected`` (the caller says why)."""
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


# ------------------------------------------------------------------------
# Contract checks with a diagnosis: they name the typical mistake behind a
# wrong result (a factor N, reg * W instead of 2 * reg * W, a dtype, an
# input changed in place). Shared by the linear losses; the functions above
# keep their behaviour.

def _ratio(got, expected) -> float | None:
    """got / expected where both are (nearly) proportional arrays, else None."""
    got, expected = np.asarray(got, dtype=float).ravel(), np.asarray(expected, dtype=float).ravel()
    scale = float(np.dot(expected, expected))
    if scale == 0.0:
        return None
    r = float(np.dot(got, expected)) / scale
    return r if np.allclose(got, r * expected, rtol=1e-6, atol=1e-10) else None


def check_mean_over_n(fn, W, X, y, expected: float, where: str, **kwargs) -> None:
    """The data loss is a mean over the N samples: name a missing / extra 1/N."""
    n = len(y)
    loss, _ = call_kw(fn, W, X, y, 0.0, where, **kwargs)
    if n > 1 and np.isclose(loss, n * expected, rtol=1e-6):
        raise Wrong(f"loss {where}: expected {expected:.6g} (the mean over the N={n} samples), "
                    f"got {loss:.6g}, N times that: divide the summed loss by N")
    if n > 1 and np.isclose(loss, expected / n, rtol=1e-6):
        raise Wrong(f"loss {where}: expected {expected:.6g}, got {loss:.6g}, 1/N of that: "
                    f"divide by N once only")
    expect_close("loss", loss, expected, where, rtol=1e-6)


def call_kw(fn, W, X, y, reg, where, **kwargs):
    """:func:`call` with keywords (e.g. ``squared=True``)."""
    out = fn(W.copy(), X.copy(), y.copy(), reg, **kwargs)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"should return (loss, dW) {where}, got {type(out).__name__}")
    loss = expect_scalar("loss", out[0], where)
    dW = expect_array("dW", out[1], W.shape, where)
    return loss, dW


def check_reg_convention(fn, **kwargs) -> None:
    """reg adds reg * sum(W**2) to the loss and 2 * reg * W to dW, and says which is off."""
    W, X, y = small_problem(seed=2)
    reg = 0.3
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    loss0, dW0 = call_kw(fn, W, X, y, 0.0, f"with reg=0{extra}", **kwargs)
    loss1, dW1 = call_kw(fn, W, X, y, reg, f"with reg={reg}{extra}", **kwargs)
    where = f"between reg=0 and reg={reg} on a random problem (W {W.shape}){extra}"
    penalty, grad = reg * np.sum(W * W), 2 * reg * W
    if not np.isclose(loss1 - loss0, penalty, rtol=1e-6):
        r = (loss1 - loss0) / penalty
        why = ("reg is missing from the loss" if abs(r) < 1e-9 else
               f"it grew by {r:.3g} x reg * sum(W**2)")
        raise Wrong(f"the loss should grow by reg * sum(W**2) = {penalty:.6g} {where}, got "
                    f"{loss1 - loss0:.6g} ({why}); add reg * sum(W**2) once, after the mean")
    r = _ratio(dW1 - dW0, grad)
    if r is not None and not np.isclose(r, 1.0):
        why = {0.0: "the penalty's gradient is missing from dW",
               0.5: "that is reg * W: the derivative of reg * W**2 is 2 * reg * W"}.get(
            round(r, 6), f"that is {r:.3g} x (2 * reg * W)")
        raise Wrong(f"dW should grow by 2 * reg * W {where}; it grew by {r:.3g} times that: {why}")
    expect_close("the dW change from reg", dW1 - dW0, grad, where + " (should be 2 * reg * W)")


def check_gradient_diagnosed(fn, seed=3, tol=1e-6, reg=0.0, **kwargs) -> None:
    """dW against the checks' own centred differences; names a factor N or a sign."""
    W, X, y = small_problem(seed=seed)
    extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
    where = f"on a random problem (W {W.shape}, X {X.shape}, seed {seed}, reg={reg}{extra})"
    _, dW = call_kw(fn, W, X, y, reg, where, **kwargs)
    numeric = numerical_gradient(lambda w: fn(w, X.copy(), y.copy(), reg, **kwargs)[0], W)
    r = _ratio(dW, numeric)
    n = X.shape[0]
    if r is not None and not np.isclose(r, 1.0, rtol=1e-4):
        why = {float(n): f"dW is N={n} times too large: average dW over the samples too",
               1.0 / n: f"dW is N={n} times too small: divide by N once only",
               -1.0: "dW has the wrong sign: it is the gradient of the loss, not the step"}.get(
            round(r, 6), f"dW is {r:.3g} times the numerical gradient")
        raise Wrong(f"dW differs from the numerical gradient {where}: {why}")
    expect_gradient("dW", dW, numeric, where, tol=tol)


def check_dtype(fn, **kwargs) -> None:
    """dW has W's dtype: float32 W stays float32 with float32 or float64 X."""
    W, X, y = small_problem(seed=5)
    for x_dtype in (np.float32, np.float64):
        where = (f"for float32 W and {np.dtype(x_dtype).name} X (dW must have W's dtype, float32"
                 + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")")
        _, dW = fn(W.astype(np.float32), X.astype(x_dtype), y.copy(), 0.1, **kwargs)
        got = np.asarray(dW).dtype
        if got != np.float32:
            raise Wrong(f"dW has dtype {got} {where}: create dW with W's dtype, or cast it "
                        f"before returning (.astype(W.dtype))")


def check_inputs_untouched(fn, **kwargs) -> None:
    """W, X and y are the caller's: the loss must not change them."""
    W, X, y = small_problem(seed=4)
    W0, X0, y0 = W.copy(), X.copy(), y.copy()
    fn(W, X, y, 0.1, **kwargs)
    changed = [name for name, a, b in (("W", W, W0), ("X", X, X0), ("y", y, y0))
               if not np.array_equal(a, b)]
    if changed:
        extra = "".join(f", {k}={v!r}" for k, v in kwargs.items())
        raise Wrong(f"it modified its input {' and '.join(changed)} in place (reg=0.1{extra}); "
                    f"compute new arrays instead of changing W, X or y")
