"""Second-order and quasi-Newton solvers for full-batch problems.

First-order rules (:mod:`cs231n_lite.optim`) take one small step along the
gradient. Newton's method instead models the loss as a quadratic, using the
Hessian ``H`` (D, D), and jumps to that quadratic's minimum::

    next_w = w - H^{-1} grad        (computed by solving H p = grad)

A Hessian holds D^2 numbers and its solve costs O(D^3) time. L-BFGS keeps
only the last few gradient differences to approximate ``H^{-1} grad``, from
the loss and gradient of the whole objective at each point it visits (here:
scipy's L-BFGS-B). When to prefer which method is a question of the
optimizers notebook.

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
        Whenever scipy does not report success, naming its reason: when
        ``max_iter`` runs out before ``tol`` is met, and when the line search
        fails (scipy's "ABNORMAL"), which a wrong gradient causes: a gradient
        of the wrong sign stops at ``w0`` after zero iterations, which would
        otherwise look like instant convergence.
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
    _warn_unless_converged(res, max_iter, tol)
    return res.x.reshape(w0.shape), history


def _warn_unless_converged(res, max_iter, tol):
    """RuntimeWarning naming scipy's reason whenever L-BFGS-B did not succeed."""
    if res.success:
        return
    reason = str(res.message).strip() or f"status {res.status}"
    if res.status == 1:  # iteration or evaluation budget exhausted
        fix = f"stopped after max_iter={max_iter} iterations before reaching tol={tol}; " \
              "raise max_iter or loosen tol"
    else:
        fix = (f"stopped after {res.nit} iteration(s) without converging; check that "
               "loss_and_grad returns the gradient of the loss (e.g. with "
               "gradient_check.grad_check_sparse): a wrong or sign-flipped gradient "
               "makes the line search fail")
    warnings.warn(f"L-BFGS {fix} (scipy: {reason})", RuntimeWarning, stacklevel=3)


def _cholesky_solve(H, g):
    """``p`` with ``H p = g`` when ``H`` is symmetric positive definite, else None.

    Cholesky is the usual case near a minimum, and it doubles as the test
    for positive definiteness. Never forms ``H^{-1}``.
    """
    if not np.allclose(H, H.T):
        return None
    try:
        p = scipy.linalg.solve(H, g, assume_a="pos")
    except np.linalg.LinAlgError:
        return None
    return p if np.all(np.isfinite(p)) else None


def _lu_solve(H, g, hess, damping):
    """``p`` with ``H p = g`` for any non-singular ``H`` (LU), else InputError.

    Some scipy releases (e.g. 1.15) return inf for an exactly singular
    matrix instead of raising, so the result is checked, not only the call.
    """
    try:
        p = scipy.linalg.solve(H, g)
    except np.linalg.LinAlgError:
        p = None
    if p is None or not np.all(np.isfinite(p)):
        lam = _smallest_eigenvalue(hess)
        raise InputError(
            f"hess + damping * I is singular (damping={damping:g}, smallest eigenvalue of "
            f"hess {lam:.3g}), so the Newton step is undefined; pass damping > "
            f"{max(0.0, -lam):.3g} to make it positive definite"
        )
    return p


def _smallest_eigenvalue(hess):
    """Smallest eigenvalue of the symmetric part of ``hess`` (for messages)."""
    return float(np.linalg.eigvalsh((hess + hess.T) / 2)[0])


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
        Levenberg damping added to the diagonal (>= 0; 0 is pure Newton).
        Once ``hess + damping * I`` is positive definite, i.e. ``damping >
        -(smallest eigenvalue of hess)``, the step is a descent direction and
        shrinks towards ``grad / damping`` as damping grows. Below that,
        damping does NOT make the step shorter: it moves the eigenvalues
        towards 0 and the step grows without bound as damping nears minus an
        eigenvalue; such a damping is refused (see Raises). With
        ``damping=0`` an indefinite ``hess`` is solved as it is (LU): the
        pure Newton step heads for the quadratic model's critical point,
        a saddle rather than a minimum.

    Returns
    -------
    next_w : ndarray of ``w``'s shape (float64)

    Raises
    ------
    InputError
        Mismatched shapes (names ``grad`` or ``hess``), negative damping,
        ``damping > 0`` that leaves ``hess + damping * I`` not positive
        definite, or a singular ``hess + damping * I``; the message gives
        the damping that fixes it.
    """
    w = check_array(w, "w")
    D = w.size
    grad = check_array(grad, "grad")
    if grad.size != D:
        raise InputError(f"grad must have w's {D} entries (shape {w.shape}), got shape {grad.shape}")
    hess = np.asarray(check_array(hess, "hess", shape=(D, D)), dtype=float)
    damping = check_positive(damping, "damping", strict=False)
    H = hess + damping * np.eye(D) if damping else hess
    g = grad.astype(float).ravel()
    p = _cholesky_solve(H, g)
    if p is None and damping > 0:
        lam = _smallest_eigenvalue(hess)
        raise InputError(
            f"damping={damping:g} leaves hess + damping * I not positive definite (smallest "
            f"eigenvalue of hess {lam:.3g}): the damped step is then neither shorter nor a "
            f"descent direction; pass damping > {-lam:.3g}, or damping=0 for the pure "
            f"Newton step towards the critical point"
        )
    if p is None:
        p = _lu_solve(H, g, hess, damping)
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
