"""Public checks of the softmax part: the cross-entropy losses.

Every reference here is independent of any implementation of the loss: the
lecture's worked example (its forward numbers), values worked out by hand
for scores of +-1000, the exact effect of ``reg``, centred-difference
gradients (``base.numerical_gradient``), the fact that the loss of a batch is
the mean of its samples' losses, and, for the vectorized loss, the
student's own naive twin (when it passes its own check). Each contract the docstrings promise has a check:
stability both ways, ``dW`` of ``W``'s dtype, int32 labels, inputs untouched.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from ...outcomes import describe_crash
from . import losses as L
from .base import Wrong, check, expect_close, expect_gradient, fmt, numerical_gradient

MOD = "cs231n_lite.classifiers.softmax"

# Lecture: the cat image's scores 3.2 (cat), 5.1 (car), -1.7 (frog) give
# exp(scores) = 24.5, 164.0, 0.18 (sum 188.7), probabilities 0.13, 0.87,
# 0.00 and, for the true class cat, the loss -ln(0.13) = 2.04. The same
# scores with the true class car or frog: -ln(0.87) = 0.14, -ln(0.18 / 188.7) = 6.94.
CAT_LOSSES = ((0, "cat", 2.04, "-ln(0.13)"), (1, "car", 0.14, "-ln(0.87)"),
              (2, "frog", 6.94, "-ln(0.18 / 188.7)"))

# A problem where the axis matters: N = 5 samples, D = 4 features, C = 3
# classes, all different, so a reduction over the wrong axis of the (N, C)
# scores or a transposed product cannot go unnoticed.
AXIS_W = np.array([[1.0, -0.5, 0.25], [0.5, 2.0, -1.0], [-1.5, 0.0, 1.0], [0.25, 0.75, -0.5]])
AXIS_X = np.array([[1.0, 0.0, 2.0, -1.0], [0.5, 1.0, 0.0, 0.0], [-1.0, 2.0, 1.0, 0.5],
                   [0.0, -0.5, -1.0, 2.0], [2.0, 1.0, -0.5, 1.0]])
AXIS_Y = np.array([2, 0, 1, 1, 0])
AXIS_WHERE = "on a problem with N=5 samples, D=4 features, C=3 classes (reg=0)"

# Scores of +-1000, one sample each (X = [[1]], W = the scores, reg=0), and the
# loss worked out by hand: exp(-1000) is 0 next to 1 in float64.
EXTREME = (
    ((1000.0, 0.0, 0.0), 0, 0.0, "0 (to float64 precision)"),
    ((1000.0, 0.0, 0.0), 1, 1000.0, "1000"),
    ((-1000.0, 0.0, 0.0), 0, 1000.0 + float(np.log(2.0)), "1000 + ln 2 = 1000.6931"),
    ((-1000.0, -1000.0, -1000.0), 2, float(np.log(3.0)), "ln 3 = 1.0986"),
)
STABLE_FIX = ("np.exp(1000) is inf and np.exp(-1000) is 0 in float64: the loss and dW must "
              "stay finite and accurate for scores of any size (cs231n-lite hint {name} 2)")


def _name(fn) -> str:
    return getattr(fn, "__name__", "the loss")


def _package_dir(fn):
    try:
        root = importlib.import_module(fn.__module__.split(".")[0])
        return Path(root.__file__).resolve().parent
    except (AttributeError, ImportError, TypeError):
        return None


def _quiet_call(fn, W, X, y, reg):
    """Call ``fn`` on copies of its inputs, without overflow warnings on the terminal."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return fn(np.array(W, copy=True), np.array(X, copy=True), np.array(y, copy=True), reg)


def _unpack(out, W, where):
    """(loss, dW) as (float, ndarray), checking the types and dW's shape (NaN allowed)."""
    if not (isinstance(out, tuple) and len(out) == 2):
        raise Wrong(f"should return (loss, dW) {where}, got {type(out).__name__}")
    loss, dW = out
    if np.ndim(loss) != 0 or np.asarray(loss).dtype.kind not in "biuf":
        raise Wrong(f"loss should be a single number {where}, got {fmt(loss)} "
                    f"(shape {np.shape(loss)}); average the samples' losses into one float")
    dW = np.asarray(dW)
    if dW.shape != np.shape(W):
        raise Wrong(f"dW should have W's shape {np.shape(W)} {where}, got {dW.shape}")
    return float(loss), dW


# --------------------------------------------------------------- the checks
def check_batch_is_mean_of_samples(fn) -> None:
    """The loss (reg=0) of N samples is the mean of their losses one by one, and so is dW.

    Catches reductions over the wrong axis, a sum instead of a mean, a dW not
    divided by N, and state carried over from one sample to the next.
    """
    N = len(AXIS_Y)
    try:
        loss, dW = L.call(fn, AXIS_W, AXIS_X, AXIS_Y, 0.0, AXIS_WHERE)
    except Wrong:
        raise
    except ValueError as err:
        if type(err).__name__ == "InputError":
            raise
        raise Wrong(f"crashed {AXIS_WHERE}: {describe_crash(err, _package_dir(fn))}. N, D and C "
                    f"differ here: arrays that do not fit usually mean a max or sum over the wrong "
                    f"axis, or a product with a transposed matrix; each sample's probabilities "
                    f"come from its own row of C scores") from None
    singles = [L.call(fn, AXIS_W, AXIS_X[i:i + 1], AXIS_Y[i:i + 1], 0.0,
                      f"for sample {i} alone of the N=5, D=4, C=3 problem (reg=0)") for i in range(N)]
    mean_loss = float(np.mean([s[0] for s in singles]))
    mean_dW = np.mean([s[1] for s in singles], axis=0)
    if np.isclose(loss, N * mean_loss, rtol=1e-6) and not np.isclose(loss, mean_loss, rtol=1e-6):
        raise Wrong(f"loss {AXIS_WHERE} is {loss:.6g}, {N} times the mean {mean_loss:.6g} of the "
                    f"samples' losses one by one: the loss is the MEAN over the N samples, "
                    f"divide the sum by N")
    if not np.isclose(loss, mean_loss, rtol=1e-6, atol=1e-9):
        raise Wrong(f"loss {AXIS_WHERE}: expected {mean_loss:.6g}, the mean of the 5 samples' "
                    f"losses computed one by one (N=1 each), got {loss:.6g}. A sample's loss "
                    f"must depend on its own row of C scores only: is a max or sum taken over the "
                    f"wrong axis (over the samples, axis 0) or a value carried over from one "
                    f"sample to the next?")
    if np.allclose(dW, N * mean_dW, rtol=1e-6, atol=1e-9) and not np.allclose(dW, mean_dW, rtol=1e-6):
        raise Wrong(f"dW {AXIS_WHERE} is {N} times the mean of the samples' dW one by one: "
                    f"the loss is a mean over the N samples, so its gradient is one too; "
                    f"divide dW by N")
    if not np.allclose(dW, mean_dW, rtol=1e-6, atol=1e-9):
        raise Wrong(f"dW {AXIS_WHERE}: expected {fmt(mean_dW)}, the mean of the 5 samples' dW "
                    f"computed one by one, got {fmt(dW)}. A sample's gradient must depend on "
                    f"its own scores only: a reduction over the wrong axis, or a value carried "
                    f"over from one sample to the next?")


def check_lecture_cat(fn) -> None:
    """The lecture's cat image, with each class in turn as the true class; dW numerically."""
    W, X = L.LECTURE_SCORES.copy(), np.eye(3)[:1]  # X W = the cat image's scores
    for label, name, expected, how in CAT_LOSSES:
        where = (f"on the lecture's cat image (scores 3.2, 5.1, -1.7 for cat, car, frog; "
                 f"X = [[1, 0, 0]], W's first row = the scores), true class {name}, reg=0")
        loss, dW = L.call(fn, W, X, np.array([label]), 0.0, where)
        if label == 0 and np.isclose(loss, np.log(3.0), rtol=1e-9):
            raise Wrong(f"loss {where}: expected {how} = {expected}, got {loss:.6g} = ln 3, the loss "
                        f"of three equal scores: is a max or sum over the wrong axis of the "
                        f"(N, C) scores (here N = 1)?")
        expect_close("loss", loss, expected, f"{where}: {how}", rtol=5e-3, atol=5e-3)
        if label == 0:
            numeric = numerical_gradient(lambda w: fn(w, X.copy(), np.array([0]), 0.0)[0], W)
            expect_gradient("dW", dW, numeric, where, tol=1e-7)


def check_stable(fn) -> None:
    """Scores of +1000 and -1000, both ways, and +-100 in float32: finite and right."""
    name = _name(fn)
    X = np.ones((1, 1))
    cases = [(np.array([s]), label, exp, how) for s, label, exp, how in EXTREME]
    cases.append((np.array([[0.0, 100.0, 0.0]], dtype=np.float32), 1, 0.0,
                  "0 (to float32 precision; np.exp(100) is inf in float32)"))
    cases.append((np.array([[0.0, -100.0, 0.0]], dtype=np.float32), 1, 100.0 + float(np.log(2.0)),
                  "100 + ln 2 = 100.6931"))
    for W, label, expected, how in cases:
        Xc = X.astype(W.dtype)
        scores = ", ".join(f"{v:g}" for v in W[0])
        where = (f"for scores ({scores}) ({W.dtype.name} X = [[1]], W = [[{scores}]]), true class "
                 f"{label}, reg=0")
        loss, dW = _unpack(_quiet_call(fn, W, Xc, np.array([label]), 0.0), W, where)
        fix = STABLE_FIX.format(name=name)
        if not np.isfinite(loss):
            raise Wrong(f"loss is {loss} {where}: expected {how}. {fix}")
        if not np.all(np.isfinite(dW)):
            raise Wrong(f"dW holds NaN or inf {where}: {fmt(dW)}. {fix}")
        tol = 1e-4 if W.dtype == np.float32 else 1e-9
        if not np.isclose(loss, expected, rtol=tol, atol=tol):
            raise Wrong(f"loss {where}: expected {how}, got {loss:.10g}. {fix}")
        numeric = numerical_gradient(lambda w: fn(w, X.copy(), np.array([label]), 0.0)[0],
                                     W.astype(np.float64), h=1e-3)
        if not np.allclose(dW, numeric, rtol=1e-3, atol=1e-3):
            raise Wrong(f"dW {where}: expected {fmt(numeric)} (centred differences of the loss), "
                        f"got {fmt(dW)}. {fix}")


def check_reg_exact(fn) -> None:
    """reg adds exactly reg * sum(W**2) to the loss and 2 * reg * W to dW."""
    W, X, y = L.small_problem(seed=2, N=5, D=3, C=2)  # small: the message shows all of dW
    reg = 0.3
    where = f"for W of shape {W.shape}, X {X.shape}, reg={reg} against reg=0"
    loss0, dW0 = L.call(fn, W, X, y, 0.0, "with reg=0")
    loss1, dW1 = L.call(fn, W, X, y, reg, f"with reg={reg}")
    expected = reg * float(np.sum(W * W))
    if not np.isclose(loss1 - loss0, expected, rtol=1e-8, atol=1e-12):
        raise Wrong(f"the loss should grow by exactly reg * sum(W**2) = {expected:.6g} {where}, "
                    f"it grew by {loss1 - loss0:.6g}; add reg * np.sum(W * W) once, after the mean")
    change = dW1 - dW0
    if np.allclose(change, 2 * reg * W, rtol=1e-8, atol=1e-12):
        return
    said = ""
    if np.allclose(change, reg * W, rtol=1e-8, atol=1e-12):
        said = " (that is reg * W)"
    elif np.allclose(change, 0.0, atol=1e-12):
        said = " (dW ignores reg)"
    raise Wrong(f"dW should grow by exactly 2 * reg * W {where}: expected {fmt(2 * reg * W)}, "
                f"got {fmt(change)}{said}; the gradient of reg * sum(W**2) is 2 * reg * W")


def check_dtype(fn) -> None:
    """dW has W's dtype: float32 W gives float32 dW, whatever X's dtype."""
    W, X, y = L.small_problem(seed=5)
    for w_dt, x_dt in ((np.float32, np.float32), (np.float32, np.float64), (np.float64, np.float32)):
        where = f"for {np.dtype(w_dt).name} W and {np.dtype(x_dt).name} X (reg=0.1)"
        Wc, Xc = W.astype(w_dt), X.astype(x_dt)
        loss, dW = L.call(fn, Wc, Xc, y, 0.1, where)
        if dW.dtype != np.dtype(w_dt):
            raise Wrong(f"dW should have W's dtype {np.dtype(w_dt).name} {where}, got "
                        f"{dW.dtype.name}; convert your result at the end (dW.astype(W.dtype))")
        ref, _ = L.call(fn, W, X.astype(x_dt).astype(np.float64), y, 0.1, "in float64")
        expect_close("loss", loss, ref, where + " vs the same problem in float64", rtol=1e-4)


def check_int32_labels(fn) -> None:
    """int32 labels give the same loss and dW as int64 ones."""
    W, X, y = L.small_problem(seed=6)
    loss64, dW64 = L.call(fn, W, X, y.astype(np.int64), 0.1, "with int64 labels")
    where = f"with int32 labels y = {y.tolist()} (the same problem with int64 labels as reference)"
    loss32, dW32 = L.call(fn, W, X, y.astype(np.int32), 0.1, where)
    expect_close("loss", loss32, loss64, where, rtol=1e-12)
    expect_close("dW", dW32, dW64, where, rtol=1e-12, atol=1e-15)


def check_inputs_untouched(fn) -> None:
    """W, X and y keep their values (float64 and float32 inputs, reg > 0)."""
    for dt in (np.float64, np.float32):
        W, X, y = L.small_problem(seed=4)
        W, X, y = W.astype(dt), X.astype(dt), y.astype(np.int32)
        before = {"W": W.copy(), "X": X.copy(), "y": y.copy()}
        with np.errstate(all="ignore"):
            fn(W, X, y, 0.1)
        after = {"W": W, "X": X, "y": y}
        changed = [k for k in before if not np.array_equal(before[k], after[k])]
        if changed:
            k = changed[0]
            at = tuple(int(i) for i in np.argwhere(before[k] != after[k])[0])
            raise Wrong(f"it modified its input {k} in place (called with {np.dtype(dt).name} W "
                        f"{W.shape}, X {X.shape}, int32 y, reg=0.1: {k}[{', '.join(map(str, at))}] "
                        f"was {fmt(before[k][at])}, is now {fmt(after[k][at])}); compute new arrays "
                        f"instead of writing into {k} or into a view of it")


def _base_checks(fn) -> None:
    check_batch_is_mean_of_samples(fn)  # the axis problem: before the N = 1 lecture example
    check_inputs_untouched(fn)  # early: a changed input can spoil what later checks see
    check_lecture_cat(fn)
    L.check_tiny_weights(fn, float(np.log(10)), "ln(10) = 2.3026")
    check_stable(fn)
    check_reg_exact(fn)
    L.check_gradient(fn, tol=1e-7)
    check_dtype(fn)
    check_int32_labels(fn)


NAIVE_TWIN_PROBLEMS = ((1, 3, 2, 0.0), (7, 5, 3, 0.2), (20, 10, 10, 0.05))


def check_matches_naive(m) -> None:
    """The vectorized loss equals the student's naive twin on random problems.

    Only a naive twin that passes its own check is a reference: when it fails
    (its own line says why), the comparison is skipped and the vectorized
    loss stands on its other checks.
    """
    naive, vec = m.softmax_loss_naive, m.softmax_loss_vectorized
    for seed, (N, D, C, reg) in enumerate(NAIVE_TWIN_PROBLEMS):
        W, X, y = L.small_problem(seed=20 + seed, N=N, D=D, C=C)
        where = f"on a random problem (N={N}, D={D}, C={C}, reg={reg}, seed {20 + seed})"
        try:
            ref = L.call(naive, W, X, y, reg, where)
        except NotImplementedError:
            return  # nothing to compare with yet
        except Exception:  # noqa: BLE001 - a crashing twin is no reference
            return
        got = L.call(vec, W, X, y, reg, where)
        if np.isclose(got[0], ref[0], rtol=1e-8) and np.allclose(got[1], ref[1], rtol=1e-6, atol=1e-10):
            continue
        try:
            _base_checks(naive)
        except Exception:  # noqa: BLE001 - Wrong or a crash: the twin is no reference
            return
        expect_close("loss", got[0], ref[0], where + " vs your softmax_loss_naive", rtol=1e-8)
        expect_close("dW", got[1], ref[1], where + " vs your softmax_loss_naive", rtol=1e-6, atol=1e-10)


@check("softmax", MOD, "softmax_loss_naive")
def softmax_loss_naive(m):
    _base_checks(m.softmax_loss_naive)


@check("softmax", MOD, "softmax_loss_vectorized")
def softmax_loss_vectorized(m):
    _base_checks(m.softmax_loss_vectorized)
    check_matches_naive(m)
