"""Weight penalties for the linear classifiers, and their shared input checks.

Shapes: D = input dimension (3073 for CIFAR-10 with the bias trick),
C = number of classes, N = number of samples.

Convention (the same in every module of the kit, see docs/design-notes.md):

* L2:          ``reg * sum(W**2)``, gradient ``2 * reg * W``;
* L1:          ``reg * sum(|W|)``; its gradient is taken to be 0 wherever
  ``W == 0``;
* elastic net: ``reg * (l1_ratio * sum|W| + (1 - l1_ratio) * sum W**2)``.

Every penalty returns ``(loss, dW)`` so a training loop can add it to a data
loss computed with ``reg=0``; ``dW`` has ``W``'s shape and dtype, and ``W``
is never modified. Penalties apply to weight matrices, never to biases.
"""

from __future__ import annotations

import numpy as np

from ..validation import InputError, check_array, check_labels, check_positive

__all__ = [
    "l2_penalty",
    "l1_penalty",
    "elastic_net_penalty",
    "PENALTIES",
    "get_penalty",
    "check_loss_inputs",
]


def l2_penalty(W, reg):
    """L2 (weight decay) penalty ``reg * sum(W**2)``.

    Parameters
    ----------
    W : ndarray of shape (D, C)
        Weights (any shape works).
    reg : float
        Regularization strength, >= 0.

    Returns
    -------
    loss : float
    dW : ndarray of the same shape and dtype as ``W``
        ``2 * reg * W`` (the kit's convention). ``W`` is not modified.

    Raises
    ------
    ValueError
        If ``W`` is not finite or ``reg`` is negative.
    """
    W = check_array(W, "W")
    reg = check_positive(reg, "reg", strict=False)
    loss, dW = 0.0, np.zeros_like(W)
    # TODO: loss = reg * sum(W**2) as a Python float, and dW = its gradient
    # 2 * reg * W, a new array of W's shape and dtype.
    ### BEGIN SOLUTION
    loss = reg * float(np.sum(W * W))
    dW = (2 * reg) * W
    ### END SOLUTION
    return loss, dW


def l1_penalty(W, reg):
    """L1 (lasso) penalty ``reg * sum(|W|)``.

    Parameters
    ----------
    W : ndarray of shape (D, C)
    reg : float
        Regularization strength, >= 0.

    Returns
    -------
    loss : float
    dW : ndarray of the same shape and dtype as ``W``
        The gradient of the penalty where ``W != 0``; exactly 0 where
        ``W == 0`` (the kit's convention).
        ``W`` is not modified.

    Raises
    ------
    ValueError
        If ``W`` is not finite or ``reg`` is negative.
    """
    W = check_array(W, "W")
    reg = check_positive(reg, "reg", strict=False)
    loss, dW = 0.0, np.zeros_like(W)
    # TODO: loss = reg * sum(|W|) as a Python float, and dW its (sub)gradient:
    # a new array of W's shape and dtype, 0 wherever W == 0.
    ### BEGIN SOLUTION
    loss = reg * float(np.sum(np.abs(W)))
    dW = reg * np.sign(W)
    ### END SOLUTION
    return loss, dW


def elastic_net_penalty(W, reg, l1_ratio=0.5):
    """Elastic net: ``reg * (l1_ratio * sum|W| + (1 - l1_ratio) * sum W**2)``.

    Parameters
    ----------
    W : ndarray of shape (D, C)
    reg : float
        Regularization strength, >= 0.
    l1_ratio : float in [0, 1]
        The L1 share: 1 gives exactly :func:`l1_penalty`, 0 exactly
        :func:`l2_penalty`, 0.3 is 30% L1 and 70% L2.

    Returns
    -------
    loss : float
    dW : ndarray of the same shape and dtype as ``W``
        Its gradient (L1 part: 0 where ``W == 0``). ``W`` is not modified.

    Raises
    ------
    ValueError
        If ``l1_ratio`` is outside [0, 1], or as for :func:`l2_penalty`.
    """
    l1_ratio = _check_l1_ratio(l1_ratio)
    loss, dW = 0.0, np.zeros_like(np.asarray(W))
    # TODO: the loss and dW of the docstring, for any l1_ratio in [0, 1].
    # Reuse l1_penalty and l2_penalty (call them) instead of repeating them.
    ### BEGIN SOLUTION
    loss1, dW1 = l1_penalty(W, reg * l1_ratio)
    loss2, dW2 = l2_penalty(W, reg * (1.0 - l1_ratio))
    loss, dW = loss1 + loss2, dW1 + dW2
    ### END SOLUTION
    return loss, dW


def _check_l1_ratio(l1_ratio):
    l1_ratio = check_positive(l1_ratio, "l1_ratio", strict=False)
    if l1_ratio > 1:
        raise InputError(f"l1_ratio must be in [0, 1], got {l1_ratio}")
    return l1_ratio


PENALTIES = {"l2": l2_penalty, "l1": l1_penalty, "elastic_net": elastic_net_penalty}


def get_penalty(penalty, l1_ratio=0.5):
    """Return ``f(W, reg) -> (loss, dW)`` for a penalty name in :data:`PENALTIES`.

    Raises
    ------
    ValueError
        If ``penalty`` is unknown or ``l1_ratio`` is outside [0, 1].
    """
    if penalty not in PENALTIES:
        raise InputError(f"penalty must be one of {sorted(PENALTIES)}, got {penalty!r}")
    if penalty == "elastic_net":
        l1_ratio = _check_l1_ratio(l1_ratio)
        return lambda W, reg: elastic_net_penalty(W, reg, l1_ratio)
    return PENALTIES[penalty]


def check_loss_inputs(W, X, y, reg):
    """Validate the ``(W, X, y, reg)`` arguments every linear loss takes.

    Parameters
    ----------
    W : ndarray of shape (D, C)
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,), int labels in [0, C)
    reg : float >= 0

    Returns
    -------
    W, X, y, reg
        As arrays / float. Float dtypes are kept (float32 stays float32);
        an integer ``W`` becomes float64.

    Raises
    ------
    ValueError
        Naming ``W``, ``X``, ``y`` or ``reg``: wrong shapes or dimensions,
        NaN or inf, labels out of range or shaped (N, 1), negative ``reg``.
    """
    W = check_array(W, "W", ndim=2)
    if W.dtype.kind != "f":
        W = W.astype(np.float64)  # integer weights would make dW integer too
    X = check_array(X, "X", ndim=2)
    if X.shape[1] != W.shape[0]:
        raise InputError(
            f"X and W do not match: X has shape {X.shape} (D={X.shape[1]}) but W has "
            f"shape {W.shape} (D={W.shape[0]}); W must be (D, C) for X of shape (N, D)"
        )
    y = check_labels(y, "y", num_samples=X.shape[0], num_classes=W.shape[1])
    reg = check_positive(reg, "reg", strict=False)
    return W, X, y, reg
