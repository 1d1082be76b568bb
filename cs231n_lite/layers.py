"""Layers as forward/backward pairs: affine, ReLU, and two loss layers.

A network is a chain of layers. Each layer is two functions::

    out, cache = layer_forward(inputs...)      # cache: what backward needs
    dinputs... = layer_backward(dout, cache)   # dout = dL/dout, same shape as out

so that a model computes its loss by calling the forward functions in order
and its gradients by calling the backward functions in reverse order (the
chain rule, one layer at a time). A loss layer ends the chain: it takes the
scores and the labels and returns the loss and ``dL/dscores`` at once.

Shapes used throughout:

* N : number of examples in a minibatch
* x : the input of a layer, shape (N, d_1, ..., d_k): an affine layer treats
  each example as one row of D = d_1 * ... * d_k values (CIFAR-10 images of
  shape (N, 32, 32, 3) become rows of D = 3072), and its ``dx`` has x's shape
* M : number of outputs of an affine layer
* C : number of classes (columns of the scores)

Conventions (the checks and the grader test every one):

* No layer modifies its inputs (``x``, ``w``, ``b``, ``dout``, ``scores``,
  ``y``): the backward pass needs them as they were. Return new arrays.
* Outputs keep the floating dtype of the inputs (float32 stays float32, so a
  float32 net trains at float32 speed).
* The loss layers average over the N examples and add no regularization (the
  model adds it).
* NaN and inf are not rejected: they propagate, so that a diverged training
  run (a learning rate too large) is recorded instead of crashing.
"""

from __future__ import annotations

import numpy as np

from .validation import InputError, check_array, check_labels

__all__ = [
    "affine_forward", "affine_backward", "relu_forward", "relu_backward",
    "affine_relu_forward", "affine_relu_backward", "softmax_loss", "svm_loss",
]


def _check_input(x, w):
    """x of shape (N, d_1, ..., d_k) whose examples hold D = w.shape[0] values."""
    x = check_array(x, "x", finite=False)
    w = check_array(w, "w", ndim=2, finite=False)
    if x.ndim < 2:
        raise InputError(f"x must have shape (N, d_1, ..., d_k) (one example per row), got "
                         f"{x.shape}; use x.reshape(1, -1) for a single example")
    D = int(np.prod(x.shape[1:]))
    if D != w.shape[0]:
        raise InputError(f"x must hold {w.shape[0]} values per example (w has {w.shape[0]} rows), "
                         f"got shape {x.shape} with {D} values per example; pass the matching w "
                         f"or reshape x")
    return x, w


def _check_dout(dout, shape, layer):
    dout = check_array(dout, "dout", finite=False)
    if dout.shape != tuple(shape):
        raise InputError(f"dout must have the shape of the {layer} output {tuple(shape)}, got "
                         f"{dout.shape}; pass the upstream gradient of this layer's output")
    return dout


def affine_forward(x, w, b):
    """Forward pass of a fully connected (affine) layer.

    Parameters
    ----------
    x : ndarray of shape (N, d_1, ..., d_k)
        N examples of D = d_1 * ... * d_k values each.
    w : ndarray of shape (D, M)
    b : ndarray of shape (M,)

    Returns
    -------
    out : ndarray of shape (N, M)
        Each example, as a row of D values, times ``w`` plus ``b``.
    cache : tuple
        ``(x, w, b)``, for :func:`affine_backward`.

    Raises
    ------
    ValueError
        Naming ``x``, ``w`` or ``b`` when their shapes do not fit.
    """
    x, w = _check_input(x, w)
    b = check_array(b, "b", shape=(w.shape[1],), finite=False)
    out = None
    # TODO: compute out, shape (N, M). View each example as a row of D values
    # (x itself keeps its shape: reshape gives a new view, never write into x).
    ### BEGIN SOLUTION
    out = x.reshape(x.shape[0], -1) @ w + b
    ### END SOLUTION
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """Backward pass of a fully connected (affine) layer.

    Parameters
    ----------
    dout : ndarray of shape (N, M)
        Upstream gradient, dL/dout.
    cache : tuple
        ``(x, w, b)`` from :func:`affine_forward`.

    Returns
    -------
    dx : ndarray of the shape of x, (N, d_1, ..., d_k)
    dw : ndarray of shape (D, M)
    db : ndarray of shape (M,)
        Gradients of the loss with respect to x, w and b.

    Raises
    ------
    ValueError
        Naming ``dout`` when its shape is not (N, M).
    """
    x, w, b = cache
    dout = _check_dout(dout, (x.shape[0], w.shape[1]), "affine")
    dx, dw, db = None, None, None
    # TODO: derive and compute dx (with x's shape, not (N, D)), dw and db.
    # No division by N here: the loss layer has already averaged. Do not
    # modify dout.
    ### BEGIN SOLUTION
    x_rows = x.reshape(x.shape[0], -1)  # (N, D)
    dx = (dout @ w.T).reshape(x.shape)
    dw = x_rows.T @ dout
    db = dout.sum(axis=0)
    ### END SOLUTION
    return dx, dw, db


def relu_forward(x):
    """Forward pass of a layer of rectified linear units, ``max(0, x)`` elementwise.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray of the shape and dtype of x
    cache : ndarray
        ``x``, for :func:`relu_backward`.
    """
    x = check_array(x, "x", finite=False)
    out = None
    # TODO: compute out as a NEW array (x must stay as it is: the backward
    # pass reads it from the cache).
    ### BEGIN SOLUTION
    out = np.maximum(x, 0)
    ### END SOLUTION
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """Backward pass of a layer of rectified linear units.

    ReLU has no derivative at exactly 0; this kit uses the subgradient 0
    there (CS231n's convention): an input of exactly 0 counts as "off".

    Parameters
    ----------
    dout : ndarray of the shape of x
        Upstream gradient, dL/dout.
    cache : ndarray
        ``x`` from :func:`relu_forward`.

    Returns
    -------
    dx : ndarray of the shape of x
        Gradient of the loss with respect to x.
    """
    x = cache
    dout = _check_dout(dout, np.shape(x), "ReLU")
    dx = None
    # TODO: derive and compute dx, as a new array (do not modify dout). At
    # x == 0 exactly, use the subgradient 0.
    ### BEGIN SOLUTION
    dx = np.where(x > 0, dout, 0).astype(dout.dtype, copy=False)
    ### END SOLUTION
    return dx


def affine_relu_forward(x, w, b):
    """An affine layer followed by a ReLU: :func:`affine_forward` then :func:`relu_forward`.

    Parameters are those of :func:`affine_forward`. Returns ``(out, cache)``
    with ``out`` of shape (N, M) and ``cache = (affine cache, relu cache)``.
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass of :func:`affine_relu_forward`: :func:`relu_backward` then
    :func:`affine_backward`. Returns ``(dx, dw, db)``."""
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)


def _check_scores(scores, y):
    scores = check_array(scores, "scores", ndim=2, finite=False)
    y = check_labels(y, "y", num_samples=scores.shape[0], num_classes=scores.shape[1])
    return scores, y


def softmax_loss(scores, y):
    """Softmax (cross-entropy) loss layer.

    ``L = (1/N) sum_i -log p_i[y_i]`` with ``p_i = exp(s_i) / sum_j exp(s_ij)``,
    the softmax of the i-th row of scores. No regularization.

    Parameters
    ----------
    scores : ndarray of shape (N, C)
        Class scores; they may be large (of order 1e3).
    y : ndarray of shape (N,)
        Integer labels in [0, C).

    Returns
    -------
    loss : float
    dscores : ndarray of shape (N, C), the dtype of scores
        Gradient of the loss with respect to the scores.

    Raises
    ------
    ValueError
        Naming ``scores`` or ``y``: shapes, (N, 1) labels, labels out of range.
    """
    scores, y = _check_scores(scores, y)
    loss, dscores = 0.0, None
    # TODO: the mean loss over the N rows, and dscores, its derivative with
    # respect to every score. It must stay finite for scores of order 1e3
    # (exp overflows past ~709 in float64, ~88 in float32). Do not modify scores.
    ### BEGIN SOLUTION
    N = scores.shape[0]
    rows = np.arange(N)
    shifted = scores - scores.max(axis=1, keepdims=True)  # <= 0: exp cannot overflow
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1)
    loss = float(np.mean(np.log(sum_exp) - shifted[rows, y]))
    dscores = exp / sum_exp[:, None]
    dscores[rows, y] -= 1
    dscores /= N
    ### END SOLUTION
    return float(loss), dscores


def svm_loss(scores, y):
    """Multiclass SVM (hinge) loss layer, margin 1.

    ``L = (1/N) sum_i sum_{j != y_i} max(0, s_ij - s_i[y_i] + 1)``. No
    regularization. Where a margin is exactly 0, the subgradient 0 is used.

    Parameters
    ----------
    scores : ndarray of shape (N, C)
    y : ndarray of shape (N,)
        Integer labels in [0, C).

    Returns
    -------
    loss : float
    dscores : ndarray of shape (N, C), the dtype of scores
        (Sub)gradient of the loss with respect to the scores.

    Raises
    ------
    ValueError
        Naming ``scores`` or ``y``.
    """
    scores, y = _check_scores(scores, y)
    loss, dscores = 0.0, None
    # TODO: the mean hinge loss over the N rows, and dscores. The correct
    # class's own term (j == y_i) is not part of the sum. A margin of exactly
    # 0 counts as not violated. Do not modify scores.
    ### BEGIN SOLUTION
    N = scores.shape[0]
    rows = np.arange(N)
    margins = scores - scores[rows, y][:, None] + 1
    margins[rows, y] = 0
    positive = margins > 0
    loss = float(np.sum(margins[positive]) / N)
    dscores = positive.astype(scores.dtype)
    dscores[rows, y] = -positive.sum(axis=1)
    dscores /= N
    ### END SOLUTION
    return float(loss), dscores
