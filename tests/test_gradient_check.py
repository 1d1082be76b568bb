"""Numerical gradients against functions with known gradients."""

import numpy as np
import pytest

from cs231n_lite.gradient_check import (
    eval_numerical_gradient,
    eval_numerical_gradient_array,
    grad_check_sparse,
    rel_error,
)


def test_rel_error_values():
    assert rel_error(np.array([1.0]), np.array([1.0])) == 0.0
    # |1-3| / (1+3) = 0.5
    assert rel_error(np.array([1.0, 0.0]), np.array([3.0, 0.0])) == pytest.approx(0.5)
    # both zero: the 1e-8 floor avoids 0/0
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="equal shapes"):
        rel_error(np.zeros(2), np.zeros(3))


def test_numerical_gradient_of_quadratic_and_x_restored():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    x0 = x.copy()
    f = lambda v: float(v @ A @ v)  # grad = (A + A^T) v
    g = eval_numerical_gradient(f, x)
    assert rel_error(g, (A + A.T) @ x0) < 1e-8
    assert np.array_equal(x, x0)


def test_numerical_gradient_matrix_shape():
    x = np.arange(6, dtype=float).reshape(2, 3)
    g = eval_numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    assert g.shape == (2, 3)
    assert rel_error(g, np.cos(x)) < 1e-8


def test_numerical_gradient_array():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 2))
    df = rng.standard_normal((3, 2))
    g = eval_numerical_gradient_array(lambda v: v**3, x, df)  # d/dx = 3x^2 * df
    assert rel_error(g, 3 * x**2 * df) < 1e-7


def test_grad_check_sparse_detects_right_and_wrong():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 4))
    f = lambda v: float(np.sum(v**2))
    good = grad_check_sparse(f, x, 2 * x, num_checks=8, seed=0)
    bad = grad_check_sparse(f, x, 3 * x, num_checks=8, seed=0)
    assert good.shape == (8,) and good.max() < 1e-8
    assert bad.min() > 0.1  # |2-3|/(2+3) = 0.2 everywhere
    # seeded: same entries, same errors
    assert np.array_equal(bad, grad_check_sparse(f, x, 3 * x, num_checks=8, seed=0))


def test_bad_input():
    with pytest.raises(ValueError, match="x must be a float numpy array"):
        eval_numerical_gradient(lambda v: 0.0, np.array([1, 2]))
    with pytest.raises(ValueError, match=r"analytic_grad must have shape \(2,\)"):
        grad_check_sparse(lambda v: 0.0, np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="h must be > 0"):
        eval_numerical_gradient(lambda v: 0.0, np.zeros(2), h=0)
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        eval_numerical_gradient(lambda v: 0.0, np.array([np.nan, 1.0]))


@pytest.mark.parametrize("check", [
    lambda f, x: eval_numerical_gradient(f, x),
    lambda f, x: eval_numerical_gradient_array(f, x, np.ones(())),
    lambda f, x: grad_check_sparse(f, x, np.zeros_like(x), num_checks=3),
])
def test_x_restored_when_f_raises(check):
    # All three share one perturb-and-restore step: x is never left nudged.
    x = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 2:  # fails while x[ix] is old - h
            raise ZeroDivisionError("f failed")
        return float(v.sum())

    with pytest.raises(ZeroDivisionError, match="f failed"):
        check(f, x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])
    assert not np.array_equal(calls[0], x) and not np.array_equal(calls[1], x)  # it did perturb


def test_array_gradient_copies_a_reused_output_buffer():
    # f returns the same buffer each call: without a copy, f(x+h) would be overwritten by f(x-h).
    buf = np.empty(2)

    def f(v):
        np.multiply(v, v, out=buf)
        return buf

    x = np.array([1.0, -2.0])
    g = eval_numerical_gradient_array(f, x, np.ones(2))
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8)
