"""A fully connected network of any depth, assembled from :mod:`cs231n_lite.layers`.

``{affine - ReLU} x (L - 1) - affine - softmax``, with L = len(hidden_dims) + 1
affine layers. Shapes used throughout:

* N : number of examples in a minibatch
* D : input dimension (``input_dim``, 3072 for CIFAR-10); X may have any
  shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
* H_1, ..., H_{L-1} : the hidden sizes (``hidden_dims``)
* C : number of classes

Parameters live in ``self.params`` under CS231n's names: ``W1`` (D, H_1),
``b1`` (H_1,), ``W2`` (H_1, H_2), ..., ``WL`` (H_{L-1}, C), ``bL`` (C,). The
loss is the mean softmax cross-entropy plus ``reg * sum(W_l**2)`` for every
weight matrix (never the biases); its gradient adds ``2 * reg * W_l``
(docs/design-notes.md). Train it with :class:`cs231n_lite.solver.Solver`.

Weight initialization (``weight_scale``), biases always 0:

* a number s: every weight ~ N(0, s**2);
* ``"kaiming"``: the weights of a layer with fan-in n (its number of inputs,
  the rows of its W) ~ N(0, 2 / n) (He et al. 2015, for ReLU layers);
* ``"xavier"``: ~ N(0, 1 / n) (the fan-in form of Glorot & Bengio 2010 that
  the lecture gives).

References
----------
.. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training
   deep feedforward neural networks", AISTATS 2010.
.. [2] K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers:
   surpassing human-level performance on ImageNet classification", ICCV 2015.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..layers import (affine_backward, affine_forward, affine_relu_backward,  # noqa: F401
                      affine_relu_forward, relu_backward, softmax_loss)
from ..validation import InputError, check_int, check_labels, check_positive
from .two_layer_net import check_inputs

__all__ = ["FullyConnectedNet", "INIT_SCHEMES"]

INIT_SCHEMES = ("kaiming", "xavier")


class FullyConnectedNet:
    """``{affine - ReLU} x (L - 1) - affine - softmax`` of any depth.

    Parameters
    ----------
    hidden_dims : list of int
        The hidden layer sizes H_1, ..., H_{L-1} (empty: a linear softmax).
    input_dim : int
        D.
    num_classes : int
        C.
    reg : float
        L2 regularization strength (>= 0).
    weight_scale : float or {"kaiming", "xavier"}
        Standard deviation of the initial weights, or a scheme (module docstring).
    dtype : numpy dtype
        Of every parameter: float32 (default, for speed) or float64 (gradient checks).
    seed : int or None
        Seeds the initialization: ``np.random.default_rng(seed)``.

    Attributes
    ----------
    params : dict
        ``W1, b1, ..., WL, bL``.
    num_layers : int
        L, the number of affine layers.

    Raises
    ------
    ValueError
        Naming the argument: sizes < 1, ``reg`` < 0, ``weight_scale`` neither
        a positive number nor a scheme, a dtype that is not floating.
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32, seed=None):
        if isinstance(hidden_dims, numbers.Integral) or not hasattr(hidden_dims, "__iter__"):
            raise InputError(f"hidden_dims must be a list of hidden layer sizes, got "
                             f"{hidden_dims!r}; e.g. [100] or [100, 50]")
        hidden_dims = [check_int(h, f"hidden_dims[{i}]", low=1) for i, h in enumerate(hidden_dims)]
        self.input_dim = check_int(input_dim, "input_dim", low=1)
        self.num_classes = check_int(num_classes, "num_classes", low=1)
        self.reg = check_positive(reg, "reg", strict=False)
        if isinstance(weight_scale, str):
            if weight_scale not in INIT_SCHEMES:
                raise InputError(f"weight_scale must be a number > 0 or one of {INIT_SCHEMES}, "
                                 f"got {weight_scale!r}")
        else:
            weight_scale = check_positive(weight_scale, "weight_scale")
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise InputError(f"dtype must be a floating type (np.float32 or np.float64), got {dtype}")
        if seed is not None:
            check_int(seed, "seed", low=0)
        self.num_layers = len(hidden_dims) + 1
        self.weight_scale = weight_scale
        dims = [self.input_dim] + hidden_dims + [self.num_classes]  # layer l: dims[l-1] -> dims[l]
        rng = np.random.default_rng(seed)
        self.params = {}
        # TODO: for l = 1, ..., L in this order, draw Wl of shape (dims[l-1], dims[l])
        # as rng.standard_normal((dims[l-1], dims[l])) times its standard deviation
        # (the number weight_scale, or the scheme's formula in the module docstring,
        # whose fan-in is dims[l-1]), and bl = zeros of shape (dims[l],); store them in
        # self.params as "W1", "b1", ..., every array of dtype self.dtype.
        ### BEGIN SOLUTION
        for l in range(1, self.num_layers + 1):
            fan_in, fan_out = dims[l - 1], dims[l]
            if weight_scale == "kaiming":
                std = np.sqrt(2.0 / fan_in)
            elif weight_scale == "xavier":
                std = np.sqrt(1.0 / fan_in)
            else:
                std = weight_scale
            self.params[f"W{l}"] = (std * rng.standard_normal((fan_in, fan_out))).astype(self.dtype)
            self.params[f"b{l}"] = np.zeros(fan_out, dtype=self.dtype)
        ### END SOLUTION

    def loss(self, X, y=None):
        """Scores (if ``y`` is None) or the loss and the gradient of every parameter.

        Parameters
        ----------
        X : ndarray of shape (N, D) or (N, d_1, ..., d_k)
        y : ndarray of shape (N,) or None
            Integer labels in [0, C).

        Returns
        -------
        scores : ndarray of shape (N, C)
            If ``y`` is None.
        loss : float
            Otherwise, with
        grads : dict
            One gradient per entry of ``self.params`` (same key, shape, dtype).

        Raises
        ------
        ValueError
            Naming ``X`` or ``y``: shapes, NaN, labels out of range.
        """
        X = check_inputs(X, "X", self.input_dim)
        if y is not None:
            y = check_labels(y, "y", num_samples=X.shape[0], num_classes=self.num_classes)
        L, reg = self.num_layers, self.reg
        scores, loss, grads = None, 0.0, {}
        # TODO: with the functions of cs231n_lite.layers: the forward pass through
        # L - 1 affine-ReLU layers and a last affine layer gives the scores (N, C),
        # keeping every layer's cache. If y is given, also the loss (the softmax
        # loss of the scores plus reg * sum(Wl**2) over l = 1..L) and grads[name]
        # for EVERY name in self.params, by the backward passes in reverse order
        # (each weight's gradient gets 2 * reg * Wl; biases are not regularized).
        ### BEGIN SOLUTION
        caches = []
        h = X
        for l in range(1, L):
            h, cache = affine_relu_forward(h, self.params[f"W{l}"], self.params[f"b{l}"])
            caches.append(cache)
        scores, last_cache = affine_forward(h, self.params[f"W{L}"], self.params[f"b{L}"])
        if y is not None:
            loss, dout = softmax_loss(scores, y)
            if L == 1:  # a linear softmax: the input needs no gradient
                _, grads["W1"], grads["b1"] = affine_backward(dout, last_cache)
            else:
                dout, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(dout, last_cache)
            for l in range(L - 1, 0, -1):
                if l > 1:
                    dout, grads[f"W{l}"], grads[f"b{l}"] = affine_relu_backward(dout, caches[l - 1])
                else:
                    # affine_relu_backward would do, but it also computes dX, which nothing
                    # needs: skipping it saves about a third of the work on CIFAR-10.
                    da = relu_backward(dout, caches[0][1])
                    grads["W1"] = X.reshape(X.shape[0], -1).T @ da
                    grads["b1"] = da.sum(axis=0)
            if reg:
                for l in range(1, L + 1):
                    W = self.params[f"W{l}"]
                    loss += reg * float(np.sum(W * W))
                    grads[f"W{l}"] += 2 * reg * W
        ### END SOLUTION
        if y is None:
            return scores
        return float(loss), grads
