"""Multiclass SVM (hinge) loss, naive and vectorized.

Shapes used throughout:

* N : number of samples in the minibatch
* D : input dimension (3073 for CIFAR-10 pixels with the bias trick)
* C : number of classes

Loss (Weston-Watkins multiclass SVM, margin ``delta = 1``), averaged over N::

    L = 1/N sum_i sum_{j != y_i} max(0, s_j - s_{y_i} + 1) + reg * sum(W**2)

with scores ``s = x_i W``. The squared hinge variant (``squared=True``) uses
``max(0, .)**2`` instead; it punishes large violations harder and is smooth
at the kink. Regularization convention: ``reg * sum(W**2)`` in the loss,
``2 * reg * W`` in the gradient (docs/design-notes.md).
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
        Use the squared hinge ``max(0, margin)**2``.

    Returns
    -------
    loss : float
        Data loss averaged over N, plus the regularization.
    dW : ndarray of shape (D, C), same dtype as ``W``
        Gradient of ``loss`` with respect to ``W``.

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
    # TODO: loop over the samples i and the wrong classes j != y[i]. Each
    # positive margin s_j - s_{y_i} + 1 adds to the loss, and its gradient
    # adds X[i] to column j of dW and subtracts X[i] from column y[i]
    # (for the squared hinge both are scaled by 2 * margin). Average loss and
    # dW over the samples, then add reg * sum(W**2) and its gradient 2 * reg * W.
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

    Inputs, outputs and errors are the same as :func:`svm_loss_naive`.
    float32 inputs give a float32 gradient (no upcast), so training on
    float32 data runs at single-precision BLAS speed.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    loss, dW = 0.0, np.zeros_like(W)
    num_train = X.shape[0]
    rows = np.arange(num_train)
    # TODO: compute all scores with one matrix product, then the margins
    # matrix (N, C) with zeros in the correct-class entries, the loss from it,
    # and dW = X.T @ coeff where coeff (N, C) holds 1 for each positive margin
    # and minus the row's count of positive margins in the correct column.
    # Hint: index the correct scores with scores[np.arange(N), y].
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
