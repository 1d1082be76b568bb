"""Numerical gradients and the gradient check.

How to read a relative error (``rel_error``) between an analytic and a
numerical gradient, in float64 with ``h = 1e-5``:

* ``< 1e-7``   correct — what you should see for smooth losses;
* ``1e-7 .. 1e-4``  suspicious — fine near kinks (hinge, ReLU), else a bug;
* ``> 1e-4``   wrong — the analytic gradient almost surely has a bug.

The bands assume inputs of order 1. With raw pixel-scale inputs (values in
the tens or hundreds) the centred difference's own truncation error grows:
softmax on mean-subtracted CIFAR pixels shows 1e-8 .. 2e-7 at ``h = 1e-5``
with a correct gradient; use ``h = 1e-6`` there (errors near 1e-9).

Kinks: a centred difference straddling a non-differentiable point (the hinge
``max(0, m)`` at ``m = 0``) disagrees with any one-sided derivative, so a few
large errors there are expected and not a bug.
"""

from __future__ import annotations

import numpy as np

from .validation import check_array, check_int, check_positive

__all__ = [
    "rel_error",
    "eval_numerical_gradient",
    "eval_numerical_gradient_array",
    "grad_check_sparse",
]


def rel_error(x, y) -> float:
    """Maximum relative error ``max|x - y| / max(1e-8, |x| + |y|)``, elementwise.

    Parameters
    ----------
    x, y : array_like of the same shape (scalars allowed)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"rel_error needs equal shapes, got x {x.shape} and y {y.shape}")
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def _check_x(x, h):
    check_array(x, "x", finite=True)
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        raise ValueError(
            f"x must be a float numpy array (it is perturbed in place), got "
            f"{type(x).__name__} of dtype {getattr(x, 'dtype', None)}; use x.astype(float)"
        )
    check_positive(h, "h")


def _f_plus_minus(f, x, ix, h, read=None):
    """``(f(x + h e_ix), f(x - h e_ix))``: entry ``ix`` of ``x`` nudged in place.

    The one perturb-and-restore step every numerical gradient here is made
    of. ``x[ix]`` is restored afterwards, also when ``f`` raises. ``read``
    turns each value into what is kept (a copy, for an ``f`` that returns a
    buffer it reuses or a view of ``x``).
    """
    read = read or (lambda value: value)
    old = x[ix]
    try:
        x[ix] = old + h
        plus = read(f(x))
        x[ix] = old - h
        minus = read(f(x))
    finally:
        x[ix] = old
    return plus, minus


def _copy_float(value):
    return np.array(value, dtype=float, copy=True)


def eval_numerical_gradient(f, x, h=1e-5, verbose=False):
    """Centred-difference gradient of a scalar function at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : ndarray of float, any shape
        The point; perturbed in place one entry at a time and restored
        (also when ``f`` raises).
    h : float
        Step for ``(f(x + h) - f(x - h)) / 2h``.

    Returns
    -------
    grad : ndarray of the same shape as ``x``
    """
    _check_x(x, h)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        fxph, fxmh = _f_plus_minus(f, x, ix, h)
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of an array-valued ``f`` contracted with upstream ``df``.

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray`` of the same shape as ``df``.
    x : ndarray of float, any shape
    df : ndarray
        Upstream gradient dL/df.
    h : float

    Returns
    -------
    grad : ndarray of the same shape as ``x``
        ``sum((f(x+h) - f(x-h)) * df) / 2h`` per entry of ``x``.
    """
    _check_x(x, h)
    df = check_array(df, "df")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        pos, neg = _f_plus_minus(f, x, ix, h, read=_copy_float)
        if pos.shape != df.shape:
            raise ValueError(f"f(x) has shape {pos.shape} but df has shape {df.shape}")
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5, seed=0, verbose=False):
    """Compare an analytic gradient with centred differences at random entries.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    x : ndarray of float, any shape
        Perturbed in place and restored.
    analytic_grad : ndarray of the same shape as ``x``
    num_checks : int
        How many random entries to check (drawn with replacement).
    h : float
    seed : int
        Seed for the entries drawn (numpy's Generator; no Python ``random``).
    verbose : bool
        Print one line per check, CS231n style.

    Returns
    -------
    errors : ndarray of shape (num_checks,)
        Relative error at each checked entry (see the module docstring).
    """
    _check_x(x, h)
    analytic_grad = check_array(analytic_grad, "analytic_grad", shape=x.shape)
    num_checks = check_int(num_checks, "num_checks", low=1)
    rng = np.random.default_rng(seed)
    errors = np.empty(num_checks)
    for i in range(num_checks):
        ix = tuple(int(rng.integers(m)) for m in x.shape)
        fxph, fxmh = _f_plus_minus(f, x, ix, h)
        num = (fxph - fxmh) / (2 * h)
        ana = analytic_grad[ix]
        errors[i] = abs(num - ana) / max(1e-8, abs(num) + abs(ana))
        if verbose:
            print(f"numerical: {num:f} analytic: {ana:f}, relative error: {errors[i]:e}")
    return errors
