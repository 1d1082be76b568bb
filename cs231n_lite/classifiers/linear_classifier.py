"""Linear classifiers trained with minibatch SGD (or any rule in ``optim``).

Shapes used throughout:

* N : number of training samples (``X``), or of samples to classify
* D : input dimension (3073 for CIFAR-10 pixels with the bias trick)
* C : number of classes (``max(y) + 1`` on the first ``train``)

``LinearSVM`` and ``Softmax`` only differ in their ``loss``. The lecture's
random-search baseline (:func:`random_search`) shows why we follow the
gradient instead of guessing.
"""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from .. import optim
from ..validation import InputError, check_array, check_int, check_labels, check_positive, check_trained
from .linear_svm import svm_loss_vectorized
from .regularization import get_penalty
from .softmax import softmax_loss_vectorized

__all__ = ["LinearClassifier", "LinearSVM", "Softmax", "sample_minibatch", "random_search"]


def sample_minibatch(X, y, batch_size, rng):
    """Draw ``batch_size`` samples WITH replacement (faster than without).

    Parameters
    ----------
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,)
    batch_size : int
        May exceed N (draws are with replacement).
    rng : numpy.random.Generator
        The only source of randomness: the same seeded ``rng`` gives the same
        batch (never ``np.random``'s global state).

    Returns
    -------
    X_batch : ndarray of shape (batch_size, D)
        Rows of ``X``, drawn uniformly at random with replacement.
    y_batch : ndarray of shape (batch_size,)
        Their labels: ``y_batch[k]`` is the label of ``X_batch[k]``.

    ``X`` and ``y`` are not modified.
    """
    X_batch, y_batch = None, None
    # TODO: draw batch_size rows of X uniformly at random WITH replacement,
    # using rng only, and return them with their labels (same order).
    ### BEGIN SOLUTION
    idx = rng.integers(0, X.shape[0], size=batch_size)
    X_batch, y_batch = X[idx], y[idx]
    ### END SOLUTION
    return X_batch, y_batch


class LinearClassifier:
    """A linear score function ``s = X W`` trained by minibatch gradient steps.

    Attributes
    ----------
    W : ndarray of shape (D, C) or None
        Learned weights; None until :meth:`train` is called.
    loss_history : list of float or None
        Minibatch loss of every iteration of the last :meth:`train`.
    """

    def __init__(self):
        self.W = None
        self.loss_history = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              verbose=False, seed=0, update_rule="sgd", optim_config=None,
              lr_schedule=None, lr_schedule_kwargs=None, penalty="l2", l1_ratio=0.5):
        """Train by minibatch gradient steps; returns the loss history.

        Parameters
        ----------
        X : ndarray of shape (N, D)
            Training data (float32 stays float32, for speed).
        y : ndarray of shape (N,)
            Integer labels in [0, C).
        learning_rate : float
            Initial learning rate, fed to ``lr_schedule``.
        reg : float
            Regularization strength (>= 0).
        num_iters, batch_size : int
            Number of steps; samples per minibatch (drawn with replacement).
        verbose : bool
            Show a tqdm progress bar with the current loss.
        seed : int
            Seeds the weight initialisation and the minibatch draws: one
            ``np.random.default_rng(seed)`` feeds both, the batches through
            :func:`sample_minibatch`.
        update_rule : str or callable
            A name in ``optim.UPDATE_RULES`` or ``rule(w, dw, config) ->
            (next_w, config)``; every step goes through it.
        optim_config : dict or None
            Hyperparameters for the rule (copied; its state persists across steps).
        lr_schedule : None, str or callable
            ``optim.make_schedule`` name or ``t -> lr``: iteration ``t``
            (0, 1, ...) steps with learning rate ``schedule(t)``. None keeps
            ``learning_rate`` constant.
        lr_schedule_kwargs : dict or None
            Passed to the schedule (e.g. ``{"decay": 0.5, "step_size": 100}``).
        penalty : {"l2", "l1", "elastic_net"}
            Weight penalty; for "l1" and "elastic_net" the data loss is computed
            with ``reg=0`` and ``regularization.get_penalty`` is added.
        l1_ratio : float in [0, 1]
            L1 share of the elastic-net penalty.

        Returns
        -------
        loss_history : list of float, length num_iters
            The minibatch loss (penalty included) before each step.
            ``X`` and ``y`` are not modified.

        Raises
        ------
        ValueError
            Naming the argument: bad shapes, labels, NaN, non-positive sizes,
            unknown rule / schedule / penalty, or X / y that do not fit a
            previously trained W.
        """
        X = check_array(X, "X", ndim=2)
        y = check_labels(y, "y", num_samples=X.shape[0])
        reg = check_positive(reg, "reg", strict=False)
        num_iters = check_int(num_iters, "num_iters", low=1)
        batch_size = check_int(batch_size, "batch_size", low=1)
        penalty_fn = get_penalty(penalty, l1_ratio)
        data_reg = reg if penalty == "l2" else 0.0  # the data loss adds L2 itself
        update = optim.get_update_rule(update_rule)
        schedule = optim.make_schedule(lr_schedule, learning_rate, **(lr_schedule_kwargs or {}))
        rng = np.random.default_rng(seed)
        self._init_weights(X, y, rng)

        config = dict(optim_config or {})  # per-parameter state, kept across steps
        loss_history = []
        bar = tqdm(range(num_iters), disable=not verbose, desc=type(self).__name__)
        for it in bar:
            X_batch, y_batch = sample_minibatch(X, y, batch_size, rng)
            loss, grad = self.loss(X_batch, y_batch, data_reg)
            if penalty != "l2":
                pen_loss, pen_grad = penalty_fn(self.W, reg)
                loss, grad = loss + pen_loss, grad + pen_grad
            loss_history.append(float(loss))
            # TODO: one step of the update rule `update` (the update_rule
            # argument, never a hand-written step) on self.W with grad. The
            # rule reads its learning rate from config["learning_rate"], which
            # must follow the schedule (`schedule` maps the iteration number
            # to a learning rate) at every iteration. A rule returns the new
            # weights and a config that carries its state to the next step.
            ### BEGIN SOLUTION
            config["learning_rate"] = schedule(it)
            self.W, config = update(self.W, grad, config)
            ### END SOLUTION
            if verbose and it % 10 == 0:
                bar.set_postfix(loss=f"{loss:.4f}")
        self.loss_history = loss_history
        return loss_history

    def _init_weights(self, X, y, rng):
        """Create W (D, C) on the first train; check X / y fit it afterwards."""
        if self.W is None:
            num_classes = int(np.max(y)) + 1
            dtype = X.dtype if X.dtype.kind == "f" else np.float64
            # Small random weights: scores start near 0 (loss near its chance value).
            self.W = (0.001 * rng.standard_normal((X.shape[1], num_classes))).astype(dtype)
            return
        if X.shape[1] != self.W.shape[0]:
            raise InputError(
                f"X must have {self.W.shape[0]} columns like the data W was trained on, "
                f"got shape {X.shape}; set W = None to start over"
            )
        check_labels(y, "y", num_classes=self.W.shape[1])

    def predict(self, X):
        """Predict labels as the highest-scoring class.

        Parameters
        ----------
        X : ndarray of shape (N, D)

        Returns
        -------
        y_pred : ndarray of shape (N,), int64
            ``y_pred[i]`` is the class with the highest score for ``X[i]``.

        Raises
        ------
        NotTrainedError
            (a ValueError) if called before :meth:`train`.
        ValueError
            If ``X`` is not (N, D) or holds NaN.
        """
        check_trained(self, "W")
        X = check_array(X, "X", ndim=2)
        if X.shape[1] != self.W.shape[0]:
            raise InputError(f"X must have shape (N, {self.W.shape[0]}) like W's rows, got {X.shape}")
        y_pred = np.zeros(X.shape[0], dtype=np.int64)
        # TODO: y_pred[i] = the class with the highest score for sample X[i]
        # (scores X @ self.W, shape (N, C)); one label per row of X.
        ### BEGIN SOLUTION
        y_pred = np.argmax(X @ self.W, axis=1)
        ### END SOLUTION
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """Loss and gradient on a minibatch; subclasses implement it.

        Parameters
        ----------
        X_batch : ndarray of shape (N, D)
        y_batch : ndarray of shape (N,)
        reg : float

        Returns
        -------
        loss : float
        dW : ndarray of shape (D, C)
        """
        raise NotImplementedError(f"{type(self).__name__} must implement loss()")


class LinearSVM(LinearClassifier):
    """Linear classifier with the multiclass SVM (hinge) loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """Linear classifier with the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)


def random_search(loss_fn, X, y, num_tries=1000, scale=1e-4, seed=0, num_classes=None):
    """The lecture's strawman: try random weight matrices, keep the best.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(W, X, y)`` returning a loss, or ``(loss, dW)`` like the losses
        in this package (e.g. ``functools.partial(svm_loss_vectorized, reg=0.0)``).
    X : ndarray of shape (N, D)
    y : ndarray of shape (N,)
    num_tries : int
        How many random W to evaluate: ``loss_fn`` is called exactly this often.
    scale : float
        Standard deviation of the random weights.
    seed : int
        Seeds ``np.random.default_rng``, the only source of randomness.
    num_classes : int or None
        C; defaults to ``max(y) + 1``.

    Returns
    -------
    best_W : ndarray of shape (D, C)
        The tried W with the lowest loss.
    best_loss : float
        Its loss.

    Raises
    ------
    ValueError
        Naming the argument: bad X / y, num_tries < 1, scale <= 0.
    """
    X = check_array(X, "X", ndim=2)
    y = check_labels(y, "y", num_samples=X.shape[0])
    num_tries = check_int(num_tries, "num_tries", low=1)
    scale = check_positive(scale, "scale")
    low = int(np.max(y)) + 1
    num_classes = low if num_classes is None else check_int(num_classes, "num_classes", low=low)
    rng = np.random.default_rng(seed)

    def evaluate(W):
        out = loss_fn(W, X, y)
        return float(out[0] if isinstance(out, tuple) else out)

    best_W, best_loss = None, float("inf")
    # TODO: num_tries times, draw a W of shape (D, num_classes) with entries
    # scale * standard normal, from rng; evaluate(W) gives its loss. Return
    # the W with the lowest loss and that loss.
    ### BEGIN SOLUTION
    for _ in range(num_tries):
        W = scale * rng.standard_normal((X.shape[1], num_classes))
        loss = evaluate(W)
        if loss < best_loss:
            best_W, best_loss = W, loss
    ### END SOLUTION
    return best_W, best_loss
