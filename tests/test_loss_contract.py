"""The contract every linear loss keeps (SVM and softmax, naive and vectorized):
the regularization convention, float32 in -> float32 out, inputs untouched,
and bad input rejected with the argument's name."""

import numpy as np
import pytest

from conftest import named, random_problem
from cs231n_lite.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cs231n_lite.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from cs231n_lite.gradient_check import rel_error

LOSSES = [svm_loss_naive, svm_loss_vectorized, softmax_loss_naive, softmax_loss_vectorized]
VECTORIZED = [svm_loss_vectorized, softmax_loss_vectorized]


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_regularization_convention(loss_fn):
    W, X, y = random_problem(2)
    reg = 0.25
    loss0, dW0 = loss_fn(W, X, y, 0.0)
    loss1, dW1 = loss_fn(W, X, y, reg)
    assert loss1 - loss0 == pytest.approx(reg * np.sum(W**2), rel=1e-10)
    np.testing.assert_allclose(dW1 - dW0, 2 * reg * W, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("loss_fn", VECTORIZED)
def test_vectorized_keeps_float32_and_inputs(loss_fn):
    W, X, y = random_problem(3, dtype=np.float32)
    W0, X0 = W.copy(), X.copy()
    loss, dW = loss_fn(W, X, y, 0.1)
    assert dW.dtype == np.float32 and isinstance(loss, float)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(X, X0)
    loss64, _ = loss_fn(W.astype(float), X.astype(float), y, 0.1)
    assert rel_error(loss, loss64) < 1e-5


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("w_dtype, x_dtype", [(np.float32, np.float64), (np.float64, np.float32)])
def test_gradient_has_ws_dtype_whatever_xs(loss_fn, w_dtype, x_dtype):
    # The docstring's promise: dW has W's dtype (mixed inputs promote the scores).
    W, X, y = random_problem(6)
    loss, dW = loss_fn(W.astype(w_dtype), X.astype(x_dtype), y, 0.1)
    assert dW.dtype == w_dtype and dW.shape == W.shape
    _, dW64 = loss_fn(W, X, y, 0.1)
    np.testing.assert_allclose(dW, dW64, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("loss_fn", LOSSES)
@pytest.mark.parametrize("change, name", [
    (lambda W, X, y: (W[:-1], X, y), "^X and W do not match"),      # W has D-1 rows
    (lambda W, X, y: (W, X[:, :-1], y), "^X and W do not match"),   # X has D-1 columns
    (lambda W, X, y: (W, X, y[:-1]), named("y")),              # one label short
    (lambda W, X, y: (W, X, y[:, None]), r"y\.ravel"),  # (N, 1) labels
    (lambda W, X, y: (W, X, y + W.shape[1]), named("y")),      # labels >= C
    (lambda W, X, y: (W, X, -y - 1), named("y")),              # negative labels
    (lambda W, X, y: (W, np.where(X > 1, np.nan, X), y), named("X")),
    (lambda W, X, y: (W[:, :, None], X, y), named("W")),       # W is 3-D
    (lambda W, X, y: (W, X, y.astype(float) + 0.5), named("y")),  # non-integer labels
])
def test_bad_input_names_the_argument(loss_fn, change, name):
    W, X, y = change(*random_problem(4))
    with pytest.raises(ValueError, match=name):
        loss_fn(W, X, y, 0.1)


@pytest.mark.parametrize("loss_fn", LOSSES)
def test_negative_reg_is_rejected(loss_fn):
    with pytest.raises(ValueError, match=named("reg")):
        loss_fn(*random_problem(5), -1.0)
