"""Multiclass SVM (hinge) loss, naive and vectorized.

Shapes used throughout:

* N : number of samples in the minibatch
* D : input dimension (3073 for CIFAR-10 pixels with the bias trick)
* C : number of classes

Loss (Weston-Watkins multiclass SVM, margin ``delta = 1``), averaged over N::

    L = 1/N sum_i sum_{j != y_i} max(0, s_j - s_{y_i} + 1) + reg * sum(W**2)

with scores ``s = x_i W``. The squared hinge variant (``squared=True``) uses
``max(0, s_j - s_{y_i} + 1)**2`` in place of each term. Regularization
convention: ``reg * sum(W**2)`` in the loss, ``2 * reg * W`` in the gradient.
"""

from __future__ import annotations

import numpy as np

from .regularization import check_loss_inputs

__all__ = ["svm_loss_naive", "svm_loss_vectorized"]


def svm_loss_naive(W, X, y, reg, squared=False):
    """Multiclass SVM loss and gradient, with explicit loops.

    Parameters
    ----------
    W : ndarray of shape (D, C)
        Weights.
    X : ndarray of shape (N, D)
        A minibatch of data, one sample per row.
    y : ndarray of shape (N,)
        Integer labels; ``y[i] = c`` means ``X[i]`` has class ``c``, ``0 <= c < C``.
    reg : float
        L2 regularization strength (>= 0): adds ``reg * sum(W**2)``.
    squared : bool
        False (default): the hinge ``max(0, margin)``. True: the squared hinge
        ``max(0, margin)**2`` for every wrong class (loss and gradient).

    Returns
    -------
    loss : float
        Data loss averaged over N, plus the regularization.
    dW : ndarray of shape (D, C), same dtype as ``W``
        Gradient of ``loss`` with respect to ``W`` (float32 ``W`` gives a
        float32 ``dW``, whatever ``X``'s dtype).

    ``W``, ``X`` and ``y`` are not modified.

    Raises
    ------
    ValueError
        Naming the argument: shapes of ``W`` / ``X`` / ``y`` that do not match,
        labels out of range or shaped (N, 1), NaN or inf, negative ``reg``.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    loss, dW = 0.0, np.zeros_like(W)
    num_classes = W.shape[1]
    num_train = X.shape[0]
    # TODO: with explicit loops over the samples i and the classes j != y[i],
    # compute the loss of the module docstring and, in the same loops, its
    # gradient dW with respect to W (derive it from the loss).
    # - loss: the data loss averaged over the N samples, plus reg * sum(W**2);
    # - dW: of W's shape and dtype (accumulate into the dW created above),
    #   averaged over N likewise, plus 2 * reg * W (the penalty's gradient);
    # - squared=True: every term max(0, margin) becomes max(0, margin)**2,
    #   in the loss and hence in its gradient.
    ### BEGIN SOLUTION
    for i in range(num_train):
        scores = X[i].dot(W)  # (C,)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1  # delta = 1
            if margin > 0:
                loss += margin**2 if squared else margin
                coeff = 2 * margin if squared else 1.0
                dW[:, j] += coeff * X[i]
                dW[:, y[i]] -= coeff * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return float(loss), dW


def svm_loss_vectorized(W, X, y, reg, squared=False):
    """Multiclass SVM loss and gradient, without Python loops.

    Inputs (``squared`` included), outputs and errors are the same as
    :func:`svm_loss_naive`: the same loss, and ``dW`` of ``W``'s shape and
    dtype (float32 data and weights stay float32, so training on float32
    runs at single-precision BLAS speed). ``W``, ``X`` and ``y`` are not
    modified.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    loss, dW = 0.0, np.zeros_like(W)
    num_train = X.shape[0]
    rows = np.arange(num_train)
    # TODO: the same loss and dW as svm_loss_naive, without Python loops over
    # samples or classes (whole (N, C) arrays and matrix products).
    # - loss: averaged over N, plus reg * sum(W**2);
    # - dW: of W's shape and dtype (cast it if X's dtype differs from W's),
    #   averaged over N, plus 2 * reg * W;
    # - squared=True: the squared hinge, max(0, margin)**2, as in the naive twin.
    # Do not modify W, X or y in place.
    ### BEGIN SOLUTION
    margins = X @ W  # (N, C) scores; updated in place to save copies
    margins -= margins[rows, y][:, None]
    margins += 1  # delta = 1
    margins[rows, y] = 0
    np.maximum(margins, 0, out=margins)
    if squared:
        loss = np.sum(margins * margins) / num_train
        coeff = margins
        coeff *= 2  # d(m**2)/dm = 2 m
    else:
        loss = np.sum(margins) / num_train
        coeff = (margins > 0).astype(margins.dtype)
    # Each positive margin pulls the correct class's score down once.
    coeff[rows, y] = -np.sum(coeff, axis=1)
    dW = (X.T @ coeff).astype(W.dtype, copy=False)  # (D, C), W's dtype even for float64 X
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return float(loss), dW
