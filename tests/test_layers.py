"""cs231n_lite.layers: known answers, numerical gradients, shapes, dtypes, no in-place, errors.

Also tests gradient_check.eval_numerical_gradient_array against gradients known in
closed form, since every layer check in the notebooks relies on it.
"""

import numpy as np
import pytest

from cs231n_lite import layers as L
from cs231n_lite.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array, rel_error


# ------------------------------------------------ eval_numerical_gradient_array
def test_numerical_gradient_array_of_known_functions():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4))
    df = rng.standard_normal((3, 4))
    # elementwise x**3: the gradient of sum(x**3 * df) is 3 x**2 df
    num = eval_numerical_gradient_array(lambda v: v ** 3, x, df)
    assert rel_error(num, 3 * x ** 2 * df) < 1e-8
    # a matrix product A @ x with A fixed: the gradient of sum((A x) * df) is A^T df
    A = rng.standard_normal((5, 3))
    df5 = rng.standard_normal((5, 4))
    assert rel_error(eval_numerical_gradient_array(lambda v: A @ v, x, df5), A.T @ df5) < 1e-8
    # x is restored after every perturbation
    x_before = x.copy()
    eval_numerical_gradient_array(np.sin, x, df)
    assert np.array_equal(x, x_before)


# ------------------------------------------------------------------ affine
def test_affine_forward_cs231n_example():
    x = np.linspace(-0.1, 0.5, num=240).reshape(2, 4, 5, 6)
    w = np.linspace(-0.2, 0.3, num=360).reshape(120, 3)
    b = np.linspace(-0.3, 0.1, num=3)
    out, cache = L.affine_forward(x, w, b)
    expected = [[1.49834967, 1.70660132, 1.91485297], [3.25553199, 3.5141327, 3.77273342]]
    assert rel_error(out, expected) < 1e-8
    assert cache[0] is x and cache[1] is w and cache[2] is b


@pytest.mark.parametrize("shape", [(4, 6), (4, 2, 3), (3, 2, 1, 3)])
def test_affine_backward_matches_numerical_gradients(shape):
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    w = rng.standard_normal((6, 5))
    b = rng.standard_normal(5)
    dout = rng.standard_normal((shape[0], 5))
    dx, dw, db = L.affine_backward(dout, L.affine_forward(x, w, b)[1])
    assert dx.shape == x.shape
    assert rel_error(dx, eval_numerical_gradient_array(lambda v: L.affine_forward(v, w, b)[0], x, dout)) < 1e-8
    assert rel_error(dw, eval_numerical_gradient_array(lambda v: L.affine_forward(x, v, b)[0], w, dout)) < 1e-8
    assert rel_error(db, eval_numerical_gradient_array(lambda v: L.affine_forward(x, w, v)[0], b, dout)) < 1e-8


def test_affine_keeps_float32_and_its_inputs():
    rng = np.random.default_rng(2)
    x, w, b, dout = (rng.standard_normal(s).astype(np.float32) for s in ((3, 2, 2), (4, 5), (5,), (3, 5)))
    copies = [a.copy() for a in (x, w, b, dout)]
    out, cache = L.affine_forward(x, w, b)
    grads = L.affine_backward(dout, cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    assert all(np.array_equal(a, c) for a, c in zip((x, w, b, dout), copies))


@pytest.mark.parametrize("call, name", [
    (lambda: L.affine_forward(np.ones((2, 3, 2)), np.ones((5, 4)), np.ones(4)), "x must hold 5 values"),
    (lambda: L.affine_forward(np.ones(6), np.ones((6, 4)), np.ones(4)), "x must have shape"),
    (lambda: L.affine_forward(np.ones((2, 6)), np.ones(6), np.ones(4)), "w must be 2-D"),
    (lambda: L.affine_forward(np.ones((2, 6)), np.ones((6, 4)), np.ones(3)), "b must have shape"),
    (lambda: L.affine_backward(np.ones((2, 3)), (np.ones((2, 6)), np.ones((6, 4)), np.ones(4))),
     "dout must have the shape of the affine output"),
    (lambda: L.relu_backward(np.ones((2, 3)), np.ones((3, 2))), "dout must have the shape of the ReLU"),
    (lambda: L.softmax_loss(np.ones((3, 4)), np.zeros((3, 1), int)), r"y.ravel\(\)"),
    (lambda: L.svm_loss(np.ones((3, 4)), np.array([0, 1, 4])), "y holds labels out of range"),
    (lambda: L.softmax_loss(np.ones(4), np.array([0])), "scores must be 2-D"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# -------------------------------------------------------------------- ReLU
def test_relu_known_values_subgradient_and_no_in_place():
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.1, 0.0]])
    x_before = x.copy()
    out, cache = L.relu_forward(x)
    assert np.array_equal(out, [[0, 0, 3], [0.5, 0, 0]]) and np.array_equal(x, x_before)
    dout = np.arange(1.0, 7.0).reshape(2, 3)
    dout_before = dout.copy()
    dx = L.relu_backward(dout, cache)
    assert np.array_equal(dx, [[0, 0, 3], [4, 0, 0]])  # x == 0 exactly: subgradient 0
    assert np.array_equal(dout, dout_before)
    out32, cache32 = L.relu_forward(x.astype(np.float32))
    assert out32.dtype == np.float32
    assert L.relu_backward(dout.astype(np.float32), cache32).dtype == np.float32


def test_relu_backward_matches_numerical_gradient_on_images():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 4, 4, 3))
    x[np.abs(x) < 1e-3] = 0.5  # no kink within the step
    dout = rng.standard_normal(x.shape)
    num = eval_numerical_gradient_array(lambda v: L.relu_forward(v)[0], x, dout)
    assert rel_error(L.relu_backward(dout, L.relu_forward(x)[1]), num) < 1e-9


def test_sandwich_is_built_on_the_two_layers():
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((3, 2, 2)), rng.standard_normal((4, 6)), rng.standard_normal(6)
    out, cache = L.affine_relu_forward(x, w, b)
    assert np.array_equal(out, L.relu_forward(L.affine_forward(x, w, b)[0])[0])
    dout = rng.standard_normal((3, 6))
    dx, dw, db = L.affine_relu_backward(dout, cache)
    num = eval_numerical_gradient_array(lambda v: L.affine_relu_forward(x, v, b)[0], w, dout)
    assert dx.shape == x.shape and rel_error(dw, num) < 1e-8


# -------------------------------------------------------------- loss layers
LECTURE = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])


def test_svm_loss_lecture_example_and_tie():
    loss, dscores = L.svm_loss(LECTURE, np.array([0, 1, 2]))
    assert loss == pytest.approx(15.8 / 3)
    # cat: margins car 2.9 > 0, frog -3.9; car: none; frog: cat 5.3, car 5.6
    expected = np.array([[-1, 1, 0], [0, 0, 0], [1, 1, -2]]) / 3
    assert np.allclose(dscores, expected)
    loss0, d0 = L.svm_loss(np.array([[1.0, 0.0]]), np.array([0]))  # margin exactly 0
    assert loss0 == 0.0 and np.all(d0 == 0)


def test_softmax_loss_lecture_cat():
    loss, dscores = L.softmax_loss(LECTURE[:1], np.array([0]))
    assert loss == pytest.approx(2.0404, abs=1e-4)  # the lecture's 2.04
    assert dscores.sum() == pytest.approx(0.0, abs=1e-12)  # probabilities minus a one-hot row


@pytest.mark.parametrize("layer", [L.svm_loss, L.softmax_loss])
def test_loss_layers_match_numerical_gradients_and_keep_scores(layer):
    rng = np.random.default_rng(5)
    scores, y = rng.standard_normal((8, 5)), rng.integers(0, 5, 8)
    before = scores.copy()
    _, dscores = layer(scores, y)
    assert np.array_equal(scores, before)
    assert rel_error(dscores, eval_numerical_gradient(lambda s: layer(s, y)[0], scores)) < 1e-7
    _, d32 = layer(scores.astype(np.float32), y)
    assert d32.dtype == np.float32


def test_softmax_loss_is_stable_for_large_scores():
    scores = np.array([[1000.0, 0.0, -1000.0], [-500.0, 800.0, 799.0]])
    loss, dscores = L.softmax_loss(scores, np.array([0, 2]))
    assert loss == pytest.approx((0.0 + np.log1p(np.exp(1.0))) / 2)  # row 2: log(1 + e^(800 - 799))
    assert np.all(np.isfinite(dscores))


def test_nan_propagates_instead_of_raising():
    """A diverged training run must be recorded, not crash the sweep."""
    x = np.array([[np.nan, 1.0]])
    out, _ = L.affine_forward(x, np.ones((2, 2)), np.zeros(2))
    assert np.isnan(out).all()
    with np.errstate(invalid="ignore"):
        loss, _ = L.softmax_loss(np.array([[np.inf, 0.0]]), np.array([1]))
    assert not np.isfinite(loss)
