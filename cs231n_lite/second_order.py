"""Second-order and quasi-Newton solvers for full-batch problems.

First-order rules (:mod:`cs231n_lite.optim`) take one small step along the
gradient. Newton's method instead models the loss as a quadratic, using the
Hessian ``H`` (D, D), and jumps to that quadratic's minimum::

    next_w = w - H^{-1} grad        (computed by solving H p = grad)

It needs no learning rate and solves a quadratic in one step, but a Hessian
costs O(D^2) memory and its solve O(D^3) time - hopeless for millions of
weights. L-BFGS keeps only the last few gradient differences to approximate
``H^{-1} grad``; it works well on full-batch, smooth, deterministic problems
(e.g. softmax on a whole dataset) and poorly on noisy minibatches.

Weights may have any shape: the solvers flatten them to D = w.size entries
and hand results back in ``w``'s shape (as float64).

References
----------
.. [1] J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed.,
   Springer, 2006: ch. 3 (Newton's method), ch. 7 (L-BFGS).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg
from scipy.optimize import minimize

from .validation import InputError, check_array, check_int, check_positive

__all__ = ["lbfgs", "newton_step", "newton"]


def _flat_objective(loss_and_grad, shape):
    """Wrap ``w -> (loss, grad)`` so that it takes and returns flat vectors."""
    size = int(np.prod(shape))

    def fun(x):
        loss, grad = loss_and_grad(x.reshape(shape))
        grad = np.asarray(grad, dtype=float)
        if grad.size != size:
            raise InputError(
                f"loss_and_grad must return (loss, grad) with grad of w's shape {shape}, "
                f"got grad of shape {grad.shape}"
            )
        return float(loss), grad.ravel()

    return fun


def lbfgs(loss_and_grad, w0, max_iter=200, tol=1e-9, history_size=10, callback=None):
    """Minimise a smooth full-batch loss with L-BFGS (scipy's L-BFGS-B).

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(w) -> (loss, grad)``: a float and an array of
        ``w``'s shape (e.g. ``lambda W: softmax_loss_vectorized(W, X, y, reg)``).
    w0 : ndarray of any shape
        Starting weights, e.g. (D, C).
    max_iter : int
        At most this many L-BFGS iterations (each one or more loss calls).
    tol : float
        Stop when the largest gradient entry, or the relative decrease of
        the loss, falls below ``tol`` (scipy's ``gtol`` and ``ftol``).
    history_size : int
        Number of gradient differences kept (scipy's ``maxcor``).
    callback : callable, optional
        ``callback(w, loss)`` after each iteration, ``w`` in ``w0``'s shape.

    Returns
    -------
    w : ndarray of ``w0``'s shape (float64)
        The minimiser found.
    loss_history : list of float, length (iterations + 1)
        The loss at ``w0``, then after each iteration.

    Raises
    ------
    InputError
        Bad ``w0``, ``max_iter``, ``tol`` or ``history_size``, or a gradient
        of the wrong size (named ``loss_and_grad``).

    Warns
    -----
    RuntimeWarning
        When ``max_iter`` runs out before ``tol`` is met.
    """
    w0 = check_array(w0, "w0")
    max_iter = check_int(max_iter, "max_iter", low=1)
    tol = check_positive(tol, "tol")
    history_size = check_int(history_size, "history_size", low=1)
    fun = _flat_objective(loss_and_grad, w0.shape)
    x0 = w0.astype(float).ravel()
    history = [fun(x0)[0]]

    def on_iteration(intermediate_result):
        history.append(float(intermediate_result.fun))
        if callback is not None:
            callback(intermediate_result.x.reshape(w0.shape), float(intermediate_result.fun))

    options = {"maxiter": max_iter, "gtol": tol, "ftol": tol, "maxcor": history_size}
    res = minimize(fun, x0, jac=True, method="L-BFGS-B", callback=on_iteration, options=options)
    if res.status == 1:  # iteration or evaluation budget exhausted
        warnings.warn(
            f"L-BFGS stopped after max_iter={max_iter} iterations before reaching "
            f"tol={tol}; raise max_iter or loosen tol",
            RuntimeWarning,
            stacklevel=2,
        )
    return res.x.reshape(w0.shape), history


def _solve_newton_system(H, g):
    """Solve ``H p = g`` without forming ``H^{-1}``.

    Cholesky (``assume_a="pos"``) when ``H`` is symmetric positive definite,
    the usual case near a minimum; a general LU solve otherwise (at a saddle
    or on a non-convex stretch, where Newton heads for the critical point).
    """
    if np.allclose(H, H.T):
        try:
            return scipy.linalg.solve(H, g, assume_a="pos")
        except np.linalg.LinAlgError:
            pass  # not positive definite: fall through to LU
    try:
        return scipy.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        raise InputError(
            "hess is singular, so the Newton step is undefined; "
            "pass damping > 0 to solve (hess + damping * I) p = grad"
        ) from None


def newton_step(w, grad, hess, damping=0.0):
    """One Newton step: ``w - solve(hess + damping * I, grad)``.

    Parameters
    ----------
    w : ndarray of any shape, D = w.size entries
    grad : ndarray of w's shape (or any shape with D entries)
        The gradient at ``w``.
    hess : ndarray of shape (D, D)
        The Hessian at ``w`` (for the flattened ``w``).
    damping : float
        Levenberg-style damping added to the diagonal (>= 0; 0 is pure
        Newton). Makes the step shorter and a singular Hessian solvable.

    Returns
    -------
    next_w : ndarray of ``w``'s shape (float64)

    Raises
    ------
    InputError
        Mismatched shapes (names ``grad`` or ``hess``), negative damping, or
        a singular ``hess``.
    """
    w = check_array(w, "w")
    D = w.size
    grad = check_array(grad, "grad")
    if grad.size != D:
        raise InputError(f"grad must have w's {D} entries (shape {w.shape}), got shape {grad.shape}")
    hess = check_array(hess, "hess", shape=(D, D))
    damping = check_positive(damping, "damping", strict=False)
    H = hess + damping * np.eye(D) if damping else hess
    p = _solve_newton_system(np.asarray(H, dtype=float), grad.astype(float).ravel())
    return w.astype(float) - p.reshape(w.shape)


def newton(f_grad_hess, w0, num_steps=10, damping=0.0):
    """Run ``num_steps`` Newton steps from ``w0``.

    Parameters
    ----------
    f_grad_hess : callable
        ``f_grad_hess(w) -> (loss, grad, hess)`` with ``hess`` of shape (D, D).
    w0 : ndarray of any shape, D = w0.size entries
    num_steps : int
    damping : float
        As in :func:`newton_step`.

    Returns
    -------
    w : ndarray of ``w0``'s shape
    loss_history : list of float, length num_steps + 1
        The loss at ``w0`` and after each step.
    """
    w = check_array(w0, "w0").astype(float)
    num_steps = check_int(num_steps, "num_steps", low=0)
    loss, grad, hess = f_grad_hess(w)
    history = [float(loss)]
    for _ in range(num_steps):
        w = newton_step(w, grad, hess, damping)
        loss, grad, hess = f_grad_hess(w)
        history.append(float(loss))
    return w, history
