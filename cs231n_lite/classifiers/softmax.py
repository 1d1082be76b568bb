"""Softmax (cross-entropy) loss, naive and vectorized.

Shapes used throughout:

* N : number of samples in the minibatch
* D : input dimension (3073 for CIFAR-10 pixels with the bias trick)
* C : number of classes

Loss, averaged over N, with scores ``s = x_i W``::

    L = 1/N sum_i -log( exp(s_{y_i}) / sum_j exp(s_j) ) + reg * sum(W**2)

Numerical stability: ``exp`` overflows for scores above ~709 (float64) or
~88 (float32). Subtracting each row's maximum score changes nothing
mathematically (the factor ``exp(-max)`` cancels) but keeps every exponent
<= 0, and ``log(sum exp)`` is then at least ``log(1) = 0``: the log-sum-exp
trick. Regularization convention: ``reg * sum(W**2)`` in the loss,
``2 * reg * W`` in the gradient (docs/design-notes.md).
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
        Integer labels; ``y[i] = c`` means ``X[i]`` has class ``c``, ``0 <= c < C``.
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
    # TODO: loop over the samples. For each, compute the scores, subtract
    # their maximum (else exp overflows), the probabilities p = exp / sum exp,
    # add -log p[y[i]] to the loss, and add (p[j] - 1{j == y[i]}) * X[i] to
    # column j of dW. Average over the samples, then add reg * sum(W**2) and
    # its gradient 2 * reg * W.
    ### BEGIN SOLUTION
    for i in range(num_train):
        scores = X[i].dot(W)  # (C,)
        scores = scores - np.max(scores)  # log-sum-exp trick
        exp_scores = np.exp(scores)
        sum_exp = np.sum(exp_scores)
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

    Inputs, outputs and errors are the same as :func:`softmax_loss_naive`.
    float32 inputs give a float32 gradient (no upcast), so training on
    float32 data runs at single-precision BLAS speed.
    """
    W, X, y, reg = check_loss_inputs(W, X, y, reg)
    loss, dW = 0.0, np.zeros_like(W)
    num_train = X.shape[0]
    rows = np.arange(num_train)
    # TODO: compute the scores (N, C) with one matrix product, subtract each
    # row's maximum, then the loss from log(sum exp) - correct score, and the
    # gradient dW = X.T @ (probs - one_hot(y)) / N. No Python loops.
    ### BEGIN SOLUTION
    probs = X @ W  # (N, C) scores; turned into probabilities in place
    probs -= np.max(probs, axis=1, keepdims=True)  # every exponent <= 0
    correct = probs[rows, y]  # (N,) shifted correct-class scores (a copy)
    np.exp(probs, out=probs)
    sum_exp = np.sum(probs, axis=1)  # (N,), each >= 1
    loss = np.sum(np.log(sum_exp) - correct) / num_train
    probs /= sum_exp[:, None]
    probs[rows, y] -= 1  # dL_i/ds = p - one_hot(y_i)
    dW = (X.T @ probs).astype(W.dtype, copy=False)  # (D, C), W's dtype even for float64 X
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return float(loss), dW
