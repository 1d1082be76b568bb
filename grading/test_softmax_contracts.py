"""Hidden tests, softmax part: every contract the docstrings promise (points in rubric.toml).

They mirror ``cs231n-lite check softmax`` (coursekit/student/checks/softmax.py)
on other inputs: scores of +-1000 both ways, dW in W's dtype and int32
labels, inputs untouched, reg exactly, a problem where the axis matters, and
naive == vectorized on random problems. Each test runs both losses and says
which one failed.
"""

import numpy as np
from hidden_helpers import changed_inputs, num_grad, rel_error, student

NAMES = ("softmax_loss_naive", "softmax_loss_vectorized")


def _losses():
    sm = student("classifiers.softmax")
    return [(name, _on_copies(getattr(sm, name))) for name in NAMES]


def _on_copies(fn):
    """Call ``fn`` on copies, so that a loss that writes into its inputs spoils no later
    reference here (test_inputs_are_not_modified is the test for that)."""
    return lambda W, X, y, reg: fn(np.array(W), np.array(X), np.array(y), reg)


def _xent(W, X, y, reg):
    """The grader's own reference loss (never released)."""
    s = np.asarray(X, dtype=float) @ np.asarray(W, dtype=float)
    s = s - s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean() + reg * np.sum(np.asarray(W, dtype=float) ** 2))


def _problem(seed, N, D, C, scale=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((D, C)), rng.standard_normal((N, D)), rng.integers(0, C, N)


def test_scores_of_1000_both_ways():
    # (scores, true class, loss): far ahead, far behind, all far below (exp underflows to 0)
    cases = [([1000.0, 0.0, 0.0], 0, 0.0), ([1000.0, 0.0, 0.0], 2, 1000.0),
             ([-1000.0, 0.0, 0.0], 0, 1000.0 + np.log(2.0)), ([0.0, -1000.0, 1000.0], 1, 2000.0),
             ([-1000.0, -1000.0, -1000.0], 1, np.log(3.0))]
    for name, fn in _losses():
        for scores, label, expected in cases:
            W, X, y = np.array([scores]), np.ones((1, 1)), np.array([label])
            with np.errstate(all="ignore"):
                loss, dW = fn(W, X, y, 0.0)
            dW = np.asarray(dW, dtype=float)
            assert np.isfinite(loss) and np.all(np.isfinite(dW)), \
                f"{name}: scores {scores}, class {label}: loss {loss}, dW {dW} (must stay finite)"
            where = f"{name}: scores {scores}, true class {label}"
            assert abs(loss - expected) < 1e-9, f"{where}: loss {loss}, expected {expected}"
            num = num_grad(lambda w: _xent(w, X, y, 0.0), W.copy(), h=1e-3)
            assert np.allclose(dW, num, atol=1e-6), f"{where}: dW {dW}, expected {num}"
        W32 = np.array([[95.0, -95.0, 0.0]], dtype=np.float32)  # exp(95) is inf in float32
        with np.errstate(all="ignore"):
            loss, dW = fn(W32, np.ones((2, 1), dtype=np.float32), np.array([1, 0]), 0.0)
        assert np.isfinite(loss) and np.all(np.isfinite(dW)), f"{name}: float32 scores of +-95 overflow"
        assert abs(loss - 95.0) < 1e-3, f"{name}: float32 scores (95, -95, 0): loss {loss}, expected 95"


def test_dW_has_W_dtype_and_int32_labels_work():
    W, X, y = _problem(31, N=12, D=7, C=4)
    for name, fn in _losses():
        for w_dt, x_dt in ((np.float32, np.float32), (np.float32, np.float64), (np.float64, np.float32)):
            loss, dW = fn(W.astype(w_dt), X.astype(x_dt), y, 0.1)
            where = f"{name}: {np.dtype(w_dt)} W, {np.dtype(x_dt)} X"
            assert np.asarray(dW).dtype == np.dtype(w_dt), \
                f"{where}: dW is {np.asarray(dW).dtype}, expected W's dtype"
            ref = _xent(W.astype(w_dt), X.astype(x_dt), y, 0.1)
            assert abs(loss - ref) < 1e-4 * abs(ref), f"{where}: loss {loss}, expected {ref}"
        l64, d64 = fn(W, X, y.astype(np.int64), 0.1)
        l32, d32 = fn(W, X, y.astype(np.int32), 0.1)
        assert abs(l64 - _xent(W, X, y, 0.1)) < 1e-10, f"{name}: loss {l64} is wrong"
        assert abs(l32 - l64) < 1e-12 and np.allclose(d32, d64, rtol=1e-12, atol=1e-15), \
            f"{name}: int32 labels give loss {l32}, int64 labels {l64}"


def test_inputs_are_not_modified():
    sm = student("classifiers.softmax")
    for dt in (np.float64, np.float32):
        W, X, y = _problem(32, N=9, D=6, C=5)
        for name in NAMES:
            fn = getattr(sm, name)
            _, changed = changed_inputs(fn, W.astype(dt), X.astype(dt), y.astype(np.int32), 0.2)
            names = [{"arg0": "W", "arg1": "X", "arg2": "y"}.get(c, c) for c in changed]
            assert names == [], f"{name}: modified its input(s) {names} in place ({np.dtype(dt)} W and X)"


def test_reg_is_exactly_reg_sum_w2_and_2_reg_w():
    W, X, y = _problem(33, N=10, D=5, C=4)
    reg = 0.7
    for name, fn in _losses():
        loss0, dW0 = fn(W, X, y, 0.0)
        loss1, dW1 = fn(W, X, y, reg)
        assert abs((loss1 - loss0) - reg * np.sum(W * W)) < 1e-9, \
            f"{name}: reg={reg} adds {loss1 - loss0}, expected reg * sum(W**2) = {reg * np.sum(W * W)}"
        assert np.allclose(np.asarray(dW1) - dW0, 2 * reg * W, rtol=1e-9, atol=1e-12), \
            f"{name}: reg={reg}: dW should grow by 2 * reg * W"


def test_axis_matters():
    # N, D and C all differ: a max or sum over the wrong axis, a missing 1/N or a
    # transposed product gives a wrong value or a crash.
    for seed, (N, D, C) in enumerate(((5, 4, 3), (7, 3, 5), (3, 8, 2))):
        W, X, y = _problem(40 + seed, N, D, C)
        X = X + np.arange(N)[:, None]  # samples of very different size: their max scores differ
        for name, fn in _losses():
            loss, dW = fn(W, X, y, 0.0)
            ref = _xent(W, X, y, 0.0)
            assert abs(loss - ref) < 1e-9, f"{name}: N={N}, D={D}, C={C}: loss {loss}, expected {ref}"
            num = num_grad(lambda w: _xent(w, X, y, 0.0), W.copy())
            assert rel_error(dW, num) < 1e-7, \
                f"{name}: N={N}, D={D}, C={C}: dW vs numerical gradient: rel error {rel_error(dW, num):.1e}"


def test_naive_matches_vectorized_on_random_problems():
    naive, vectorized = (fn for _, fn in _losses())
    for seed, (N, D, C, reg, scale) in enumerate(((1, 3, 2, 0.0, 1.0), (30, 12, 10, 0.05, 0.1),
                                                  (64, 20, 7, 1.3, 3.0), (8, 2, 6, 0.0, 10.0))):
        W, X, y = _problem(50 + seed, N, D, C, scale)
        ln, dn = naive(W, X, y, reg)
        lv, dv = vectorized(W, X, y, reg)
        ref = _xent(W, X, y, reg)
        where = f"N={N}, D={D}, C={C}, reg={reg}, weights of scale {scale}"
        assert abs(ln - ref) < 1e-8 * max(1.0, abs(ref)), f"naive loss {ln}, expected {ref} ({where})"
        assert abs(lv - ln) < 1e-9 * max(1.0, abs(ln)), f"vectorized loss {lv} vs naive {ln} ({where})"
        assert rel_error(dn, dv) < 1e-8, f"naive and vectorized dW differ ({where}): {rel_error(dn, dv):.1e}"
