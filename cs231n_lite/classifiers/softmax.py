"""Softmax (cross-entropy) loss, naive and vectorized.

Shapes used throughout:

* N : number of samples in the minibatch
* D : input dimension (3073 for CIFAR-10 pixels with the bias trick)
* C : number of classes

Loss, averaged over N, with scores ``s = x_i W``::

    L = 1/N sum_i -log( exp(s_{y_i}) / sum_j exp(s_j) ) + reg * sum(W**2)

Requirements both functions share (``cs231n-lite check softmax`` tests each):

* numerical stability: the loss and ``dW`` must be finite and accurate for
  any finite scores, e.g. scores of 1000 or -1000 (``np.exp(1000)`` is inf
  and ``np.exp(-1000)`` is 0 in float64);
* regularization convention: ``reg * sum(W**2)`` in the loss and
  ``2 * reg * W`` in the gradient (docs/design-notes.md);
* ``dW`` has ``W``'s shape and dtype: float32 ``W`` gives a float32 ``dW``,
  also with float64 ``X``;
* ``W``, ``X`` and ``y`` are never modified in place;
* labels may be any integer dtype (int32 as well as int64).
"""

from __future__ import annotations

import numpy as np

from .regularization import check_loss_inputs

__all__ = ["softmax_loss_naive", "softmax_loss_vectorized"]


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss and gradient, with explicit loops.

    Parameters
    ----------
    W : ndarray of shape (D, C)
        Weights.
    X : ndarray of shape (N, D)
        A minibatch of data, one sample per row.
    y : ndarray of shape (N,)
        Integer labels (any integer dtype); ``y[i] = c`` means ``X[i]`` has
        class ``c``, ``0 <= c < C``.
    reg : float
        L2 regularization strength (>= 0): adds ``reg * sum(W**2)``.

    Returns
    -------
    loss : float
        Mean cross-entropy over N, plus the regularization.
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
    # TODO: with explicit loops over the samples (and the classes where it
    # helps), compute
    # * loss: the mean over the N samples of -log(probability of the correct
    #   class), plus reg * sum(W**2);
    # * dW: the gradient of that loss with respect to W -- derive it with the
    #   chain rule through the scores x_i W -- with W's shape and dtype; the
    #   regularization contributes 2 * reg * W.
    # Requirements: loss and dW stay finite and accurate for scores as large
    # as 1000 or as small as -1000 (np.exp(1000) overflows to inf); W, X and
    # y are not modified in place.
    ### BEGIN SOLUTION
    for i in range(num_train):
        scores = X[i].dot(W)  # (C,)
        scores = scores - np.max(scores)  # every exponent <= 0: exp cannot overflow
        exp_scores = np.exp(scores)
        sum_exp = np.sum(exp_scores)  # >= 1: its log is finite
        loss += np.log(sum_exp) - scores[y[i]]
        for j in range(num_classes):
            p_j = exp_scores[j] / sum_exp
            dW[:, j] += (p_j - (j == y[i])) * X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return float(loss), dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient, without Python loops.

    Inputs, outputs and errors are the same as :func:`softmax_loss_naive`:
    ``dW`` has ``W``'s dtype, so float32 weights give a float32 gradient (also
    with float64 ``X``) and training on float32 data runs at single-precision
    BLAS speed.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    loss, dW = 0.0, np.zeros_like(W)
    num_train = X.shape[0]
    # TODO: the same loss and dW as softmax_loss_naive, with no Python loop:
    # all N x C scores from one matrix product, then array operations on them
    # (each sample's probabilities come from its own row of C scores).
    # Same requirements: finite and accurate for scores of +-1000; dW of W's
    # shape and dtype (a float32 W gives a float32 dW even when X is float64);
    # W, X and y are not modified in place.
    ### BEGIN SOLUTION
    rows = np.arange(num_train)
    probs = X @ W  # (N, C) scores; turned into probabilities in place (a new array)
    probs -= np.max(probs, axis=1, keepdims=True)  # every exponent <= 0
    correct = probs[rows, y]  # (N,) shifted correct-class scores (a copy)
    np.exp(probs, out=probs)
    sum_exp = np.sum(probs, axis=1)  # (N,), each >= 1
    loss = np.sum(np.log(sum_exp) - correct) / num_train
    probs /= sum_exp[:, None]
    probs[rows, y] -= 1
    dW = X.T @ probs  # (D, C)
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    dW = dW.astype(W.dtype, copy=False)  # float64 X with float32 W: back to W's dtype
    ### END SOLUTION
    return float(loss), dW
