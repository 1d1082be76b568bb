"""Hidden tests, two_layer_net part: the layers of cs231n_lite/layers.py (points in rubric.toml)."""

import numpy as np
from hidden_helpers import changed_inputs, num_grad, rel_error, student


def _affine_case(seed=0, shape=(4, 2, 3), M=5):
    rng = np.random.default_rng(seed)
    D = int(np.prod(shape[1:]))
    return (rng.standard_normal(shape), rng.standard_normal((D, M)), rng.standard_normal(M),
            rng.standard_normal((shape[0], M)))


def _affine_reference(x, w, b, dout):
    """The grader's own affine layer (never released)."""
    rows = x.reshape(x.shape[0], -1)
    return rows @ w + b, (dout @ w.T).reshape(x.shape), rows.T @ dout, dout.sum(axis=0)


def test_affine_forward_flattens_examples():
    for seed, shape in ((0, (4, 6)), (1, (4, 2, 3)), (2, (3, 2, 2, 2))):
        x, w, b, dout = _affine_case(seed, shape)
        out, _ = student("layers").affine_forward(x, w, b)
        assert np.shape(out) == (shape[0], 5), f"out shape {np.shape(out)} for x of shape {shape}"
        assert rel_error(out, _affine_reference(x, w, b, dout)[0]) < 1e-10, f"out for x {shape}"


def test_affine_backward():
    x, w, b, dout = _affine_case(3)
    dx, dw, db = student("layers").affine_backward(dout, (x, w, b))
    _, rdx, rdw, rdb = _affine_reference(x, w, b, dout)
    assert np.shape(dx) == x.shape, f"dx must have x's shape {x.shape}, got {np.shape(dx)}"
    for name, got, ref in (("dx", dx, rdx), ("dw", dw, rdw), ("db", db, rdb)):
        assert rel_error(got, ref) < 1e-10, f"{name}: rel error {rel_error(got, ref):.1e}"
    num = num_grad(lambda v: float(np.sum(_affine_reference(x, v, b, dout)[0] * dout)), w.copy())
    assert rel_error(dw, num) < 1e-7, "dw vs the numerical gradient"


def test_affine_no_in_place_and_dtype():
    x, w, b, dout = (a.astype(np.float32) for a in _affine_case(4))
    layers = student("layers")
    (out, _), changed = changed_inputs(layers.affine_forward, x, w, b)
    assert changed == [], f"affine_forward modified {changed} in place"
    assert np.asarray(out).dtype == np.float32, f"float32 inputs gave {np.asarray(out).dtype}"
    grads, changed = changed_inputs(layers.affine_backward, dout, (x, w, b))
    assert changed == [], "affine_backward modified dout in place"
    assert all(np.asarray(g).dtype == np.float32 for g in grads), "float32 inputs, gradients not"


def test_relu_forward():
    x = np.array([[-2.0, -0.5, 0.0], [0.25, 1.0, 3.0]]).reshape(2, 3, 1)
    (out, _), changed = changed_inputs(student("layers").relu_forward, x)
    assert changed == [], "relu_forward modified x in place"
    assert np.shape(out) == (2, 3, 1) and np.allclose(out, np.maximum(x, 0)), "max(0, x)"
    out32, _ = student("layers").relu_forward(x.astype(np.float32))
    assert np.asarray(out32).dtype == np.float32, "float32 x should give float32 out"


def test_relu_backward_and_subgradient_at_zero():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 6))
    x[0, :3] = 0.0  # exactly at the kink: the kit's subgradient is 0
    dout = rng.standard_normal((4, 6))
    dx, changed = changed_inputs(student("layers").relu_backward, dout, x)
    assert changed == [], "relu_backward modified dout in place"
    assert np.allclose(dx, dout * (x > 0)), "dx = dout where x > 0, 0 elsewhere (also at x == 0)"


def _softmax_reference(scores, y):
    s = scores - scores.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    p = np.exp(logp)
    loss = float(-np.mean(logp[np.arange(len(y)), y]))
    d = p.copy()
    d[np.arange(len(y)), y] -= 1
    return loss, d / len(y)


def test_softmax_loss_value_and_gradient():
    rng = np.random.default_rng(6)
    scores, y = rng.standard_normal((9, 5)), rng.integers(0, 5, 9)
    (loss, dscores), changed = changed_inputs(student("layers").softmax_loss, scores, y)
    assert changed == [], f"softmax_loss modified {changed} in place"
    ref_loss, ref_d = _softmax_reference(scores, y)
    assert abs(loss - ref_loss) < 1e-10, f"loss {loss}, expected {ref_loss}"
    assert rel_error(dscores, ref_d) < 1e-8, "dscores"


def test_softmax_loss_large_scores_and_float32():
    rng = np.random.default_rng(7)
    scores, y = 1000.0 * rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    loss, dscores = student("layers").softmax_loss(scores, y)
    ref_loss, ref_d = _softmax_reference(scores, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dscores)), "scores of 1e3 gave inf/nan"
    assert abs(loss - ref_loss) < 1e-6 * max(1.0, ref_loss), f"loss {loss}, expected {ref_loss}"
    assert np.allclose(dscores, ref_d, atol=1e-10), "dscores for scores of 1e3"
    _, d32 = student("layers").softmax_loss(scores.astype(np.float32) / 100, y)
    assert np.asarray(d32).dtype == np.float32, "float32 scores should give float32 dscores"


def test_svm_loss_value_gradient_and_tie():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    y = np.array([0, 1, 2])
    (loss, dscores), changed = changed_inputs(student("layers").svm_loss, scores, y)
    assert changed == [], f"svm_loss modified {changed} in place"
    assert abs(loss - 15.8 / 3) < 1e-10, f"lecture example: expected 5.2667, got {loss}"
    margins = scores - scores[np.arange(3), y][:, None] + 1
    margins[np.arange(3), y] = 0
    ref = (margins > 0).astype(float)
    ref[np.arange(3), y] = -ref.sum(axis=1)
    assert np.allclose(dscores, ref / 3), "dscores of the lecture example"
    loss0, d0 = student("layers").svm_loss(np.array([[1.0, 0.0, -5.0]]), np.array([0]))
    assert loss0 == 0 and np.all(np.asarray(d0) == 0), "a margin of exactly 0 has subgradient 0"
