"""A two-layer fully connected network: affine - ReLU - affine - softmax.

Shapes used throughout:

* N : number of samples in a minibatch
* D : input dimension (3072 for CIFAR-10 pixels)
* H : hidden layer size
* C : number of classes

Parameters live in ``self.params``: ``W1`` (D, H), ``b1`` (H,), ``W2`` (H, C),
``b2`` (C,). The loss is the mean softmax cross-entropy plus
``reg * (sum(W1**2) + sum(W2**2))`` (biases are not regularized), whose
gradient adds ``2 * reg * W`` to each weight matrix (docs/design-notes.md).
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .. import optim
from ..validation import InputError, check_array, check_int, check_labels, check_positive
from .linear_classifier import sample_minibatch

__all__ = ["TwoLayerNet"]

# Training accuracy is measured on a fixed random subset of this many samples.
TRAIN_ACC_SAMPLES = 1000


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

    def forward(self, X):
        """Scores of the network and its hidden activations.

        Parameters
        ----------
        X : ndarray of shape (N, D)

        Returns
        -------
        scores : ndarray of shape (N, C)
        hidden : ndarray of shape (N, H)
            ReLU outputs, kept for the backward pass.
        """
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        scores, hidden = None, None
        # TODO: hidden = ReLU(X W1 + b1), scores = hidden W2 + b2.
        ### BEGIN SOLUTION
        hidden = X @ W1  # (N, H)
        hidden += b1
        np.maximum(hidden, 0, out=hidden)  # ReLU, in place
        scores = hidden @ W2  # (N, C)
        scores += b2
        ### END SOLUTION
        return scores, hidden

    def loss(self, X, y=None, reg=None):
        """Scores (if ``y`` is None) or the loss and its gradients.

        Parameters
        ----------
        X : ndarray of shape (N, D)
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
            Gradients with the same keys and shapes as ``self.params``.

        Raises
        ------
        ValueError
            Naming ``X``, ``y`` or ``reg``: shapes, NaN, labels out of range.
        """
        D, C = self.params["W1"].shape[0], self.params["W2"].shape[1]
        X = check_array(X, "X", shape=(None, D))
        reg = self.reg if reg is None else check_positive(reg, "reg", strict=False)
        scores, hidden = self.forward(X)
        if y is None:
            return scores
        y = check_labels(y, "y", num_samples=X.shape[0], num_classes=C)
        W1, W2 = self.params["W1"], self.params["W2"]
        loss, grads = 0.0, {}
        # TODO: the softmax loss of the scores (subtract each row's max), plus
        # reg * (sum(W1**2) + sum(W2**2)); then backpropagate: dscores =
        # (probs - one_hot(y)) / N through the second affine layer, the ReLU
        # (gradient 0 where the hidden unit was not active) and the first one.
        ### BEGIN SOLUTION
        num_train = X.shape[0]
        rows = np.arange(num_train)
        probs = scores - np.max(scores, axis=1, keepdims=True)  # (N, C)
        correct = probs[rows, y]
        np.exp(probs, out=probs)
        sum_exp = np.sum(probs, axis=1)
        loss = np.sum(np.log(sum_exp) - correct) / num_train
        loss += reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
        dscores = probs / sum_exp[:, None]
        dscores[rows, y] -= 1
        dscores /= num_train
        grads["W2"] = hidden.T @ dscores + 2 * reg * W2  # (H, C)
        grads["b2"] = np.sum(dscores, axis=0)
        dhidden = dscores @ W2.T  # (N, H)
        dhidden[hidden <= 0] = 0  # ReLU passes gradient only where it was active
        grads["W1"] = X.T @ dhidden + 2 * reg * W1  # (D, H)
        grads["b1"] = np.sum(dhidden, axis=0)
        ### END SOLUTION
        return float(loss), grads

    def predict(self, X):
        """Predicted labels, shape (N,), int64, for X of shape (N, D)."""
        X = check_array(X, "X", shape=(None, self.params["W1"].shape[0]))
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # TODO: the class with the highest score (use self.forward).
        ### BEGIN SOLUTION
        y_pred = np.argmax(self.forward(X)[0], axis=1)
        ### END SOLUTION
        return y_pred

    def train(self, X, y, X_val, y_val, learning_rate=1e-3, learning_rate_decay=0.95,
              reg=None, num_iters=100, batch_size=200, verbose=False, seed=0,
              update_rule="sgd", optim_config=None, lr_schedule="step", lr_schedule_kwargs=None):
        """Minibatch training; the learning rate is scheduled per EPOCH.

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
            Regularization strength; None uses ``self.reg``.
        num_iters, batch_size : int
            Steps, and samples per minibatch (drawn with replacement).
        verbose : bool
            tqdm progress bar with the loss and accuracies.
        seed : int
            Seeds the minibatch draws.
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
            is measured on a fixed subset of TRAIN_ACC_SAMPLES samples.

        Raises
        ------
        ValueError
            Naming the argument: shapes, labels, sizes, unknown rule or schedule.
        """
        D, C = self.params["W1"].shape[0], self.params["W2"].shape[1]
        X = check_array(X, "X", shape=(None, D))
        y = check_labels(y, "y", num_samples=X.shape[0], num_classes=C)
        X_val = check_array(X_val, "X_val", shape=(None, D))
        y_val = check_labels(y_val, "y_val", num_samples=X_val.shape[0], num_classes=C)
        reg = self.reg if reg is None else check_positive(reg, "reg", strict=False)
        num_iters = check_int(num_iters, "num_iters", low=1)
        batch_size = check_int(batch_size, "batch_size", low=1)
        schedule = _epoch_schedule(lr_schedule, learning_rate, learning_rate_decay,
                                   lr_schedule_kwargs)
        update = optim.get_update_rule(update_rule)
        configs = {name: dict(optim_config or {}) for name in self.params}
        rng = np.random.default_rng(seed)
        acc_idx = rng.choice(X.shape[0], size=min(X.shape[0], TRAIN_ACC_SAMPLES), replace=False)
        iters_per_epoch = max(X.shape[0] // batch_size, 1)

        history = {"loss_history": [], "train_acc_history": [], "val_acc_history": []}
        bar = tqdm(range(num_iters), disable=not verbose, desc="TwoLayerNet")
        for it in bar:
            X_batch, y_batch = sample_minibatch(X, y, batch_size, rng)
            loss, grads = self.loss(X_batch, y_batch, reg=reg)
            history["loss_history"].append(loss)
            lr = schedule(it // iters_per_epoch)  # constant within an epoch
            # TODO: update every parameter with the rule: for each name, set
            # configs[name]["learning_rate"] = lr and call
            # update(self.params[name], grads[name], configs[name]).
            ### BEGIN SOLUTION
            for name in self.params:
                configs[name]["learning_rate"] = lr
                self.params[name], configs[name] = update(self.params[name], grads[name],
                                                          configs[name])
            ### END SOLUTION
            if (it + 1) % iters_per_epoch == 0 or it == num_iters - 1:
                train_acc = np.mean(self.predict(X[acc_idx]) == y[acc_idx])
                history["train_acc_history"].append(float(train_acc))
                history["val_acc_history"].append(float(np.mean(self.predict(X_val) == y_val)))
                if verbose:
                    bar.set_postfix(loss=f"{loss:.3f}", val_acc=f"{history['val_acc_history'][-1]:.3f}")
        return history


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
