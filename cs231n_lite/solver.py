"""A Solver that trains any classification model by minibatch gradient steps.

CS231n's ``Solver``, with the kit's update rules (:mod:`cs231n_lite.optim`).
A *model* is any object with

* ``params`` -- a dict ``name -> ndarray`` of the learnable parameters;
* ``loss(X, y=None)`` -- the scores, shape (N, C), when ``y`` is None; else
  ``(loss, grads)`` with ``grads`` a dict holding, for every key of
  ``params``, the gradient of the loss (same shape).

Example::

    data = {"X_train": X_train, "y_train": y_train, "X_val": X_val, "y_val": y_val}
    model = FullyConnectedNet([100, 100], reg=1e-3, seed=0)
    solver = Solver(model, data, update_rule="adam", optim_config={"learning_rate": 1e-3},
                    lr_decay=0.95, batch_size=100, num_epochs=10, seed=0)
    solver.train()
    solver.loss_history, solver.train_acc_history, solver.val_acc_history, solver.best_val_acc

How it trains (the contract the checks and the grader test):

* One epoch is ``max(N_train // batch_size, 1)`` iterations. Each iteration
  draws a minibatch WITH replacement with
  :func:`cs231n_lite.classifiers.linear_classifier.sample_minibatch` (the
  sampler of the svm notebook, fed the solver's own generator, so one
  ``seed`` decides every draw), computes ``model.loss(X_batch, y_batch)``,
  records the loss and updates EVERY parameter with the update rule, each
  with its own config (:meth:`Solver._step`).
* After the first iteration and after every epoch it records the accuracy
  (:meth:`Solver.check_accuracy`) on ``num_train_samples`` random training
  examples and on ``num_val_samples`` validation examples (None: all), and
  keeps a copy of the parameters with the best validation accuracy so far;
  at the end of :meth:`train` the model gets those best parameters back.
* After every epoch the learning rate of every config is multiplied by
  ``lr_decay``, and with ``checkpoint_name`` the whole training state is
  written to ``<checkpoint_name>_epoch_<e>.npz``; :meth:`load_checkpoint`
  restores it, and :meth:`train` then continues as if never interrupted.
* Under the same ``seed`` two runs are identical (also across a checkpoint).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from tqdm import tqdm

from . import optim
from .classifiers.linear_classifier import sample_minibatch
from .validation import InputError, check_array, check_int, check_labels, check_positive

__all__ = ["Solver"]

CHECKPOINT_VERSION = 1


def _optional_int(value, name):
    return None if value is None else check_int(value, name, low=1)


class Solver:
    """Minibatch training of a classification model, CS231n style.

    Parameters
    ----------
    model : object
        Has ``params`` (dict of arrays) and ``loss(X, y=None)`` (see the module).
    data : dict
        ``X_train`` (N, ...), ``y_train`` (N,), ``X_val`` (N_val, ...), ``y_val`` (N_val,).
    update_rule : str or callable
        A name in ``optim.UPDATE_RULES`` or ``rule(w, dw, config) -> (next_w, config)``.
    optim_config : dict or None
        Hyperparameters of the rule (e.g. ``{"learning_rate": 1e-3}``), copied
        once per parameter: every parameter keeps its own config and state.
    lr_decay : float in (0, 1]
        Every config's ``learning_rate`` is multiplied by it after each epoch.
    batch_size : int
        Examples per minibatch.
    num_epochs : int
        Epochs :meth:`train` runs (in total, across calls and checkpoints).
    num_train_samples : int or None
        Training examples the per-epoch training accuracy is measured on
        (a new random subset each time); None: all of them.
    num_val_samples : int or None
        The same for the validation accuracy (default None: all).
    print_every : int
        With ``verbose``, print the loss every ``print_every`` iterations.
    verbose : bool
        Print the loss and per-epoch accuracies (CS231n's lines).
    seed : int or None
        Seeds the minibatch draws and the accuracy subsets.
    checkpoint_name : str, path or None
        Prefix of the per-epoch checkpoint files.
    progress_bar : bool
        When not ``verbose``, show a tqdm progress bar (on stderr). Pass
        False for silent training (notebooks whose outputs are compared).

    Attributes
    ----------
    loss_history : list of float
        The minibatch loss of every iteration.
    train_acc_history, val_acc_history : list of float
        Accuracies after the first iteration and after every epoch.
    best_val_acc : float
    best_params : dict
        A copy of the parameters with the best validation accuracy.
    optim_configs : dict
        ``name -> config`` of every parameter (hyperparameters and state).
    epoch : int
        Epochs done.

    Raises
    ------
    ValueError
        Naming the argument: a model without ``params``/``loss``, missing or
        malformed ``data`` entries, an unknown update rule, sizes < 1,
        ``lr_decay`` outside (0, 1].
    """

    def __init__(self, model, data, update_rule="sgd", optim_config=None, lr_decay=1.0,
                 batch_size=100, num_epochs=10, num_train_samples=1000, num_val_samples=None,
                 print_every=10, verbose=True, seed=None, checkpoint_name=None,
                 progress_bar=True):
        if not isinstance(getattr(model, "params", None), Mapping) or not callable(
                getattr(model, "loss", None)):
            raise InputError(f"model must have a params dict and a loss(X, y=None) method, got "
                             f"{type(model).__name__}; see the cs231n_lite.solver docstring")
        self.model = model
        self._set_data(data)
        self.update_rule = optim.get_update_rule(update_rule)
        self._rule_name = update_rule if isinstance(update_rule, str) else None
        if optim_config is not None and not isinstance(optim_config, Mapping):
            raise InputError(f"optim_config must be a dict or None, got "
                             f"{type(optim_config).__name__}; e.g. {{'learning_rate': 1e-3}}")
        self.optim_config = dict(optim_config or {})
        self.lr_decay = check_positive(lr_decay, "lr_decay")
        if self.lr_decay > 1:
            raise InputError(f"lr_decay must be in (0, 1], got {lr_decay}; 1.0 keeps the rate, "
                             f"0.95 is CS231n's usual decay")
        self.batch_size = check_int(batch_size, "batch_size", low=1)
        self.num_epochs = check_int(num_epochs, "num_epochs", low=1)
        self.num_train_samples = _optional_int(num_train_samples, "num_train_samples")
        self.num_val_samples = _optional_int(num_val_samples, "num_val_samples")
        self.print_every = check_int(print_every, "print_every", low=1)
        self.verbose = bool(verbose)
        self.progress_bar = bool(progress_bar)
        if seed is not None:
            check_int(seed, "seed", low=0)
        self.seed = seed
        if checkpoint_name is not None and not isinstance(checkpoint_name, (str, os.PathLike)):
            raise InputError(f"checkpoint_name must be a file name prefix (str) or None, got "
                             f"{checkpoint_name!r}")
        self.checkpoint_name = checkpoint_name
        self._reset()

    def _set_data(self, data):
        if not isinstance(data, Mapping):
            raise InputError(f"data must be a dict with X_train, y_train, X_val, y_val, got "
                             f"{type(data).__name__}")
        missing = [k for k in ("X_train", "y_train", "X_val", "y_val") if k not in data]
        if missing:
            raise InputError(f"data must hold X_train, y_train, X_val and y_val; missing "
                             f"{', '.join(missing)}")
        self.X_train = check_array(data["X_train"], "data['X_train']")
        self.y_train = check_labels(data["y_train"], "data['y_train']",
                                    num_samples=self.X_train.shape[0])
        self.X_val = check_array(data["X_val"], "data['X_val']")
        self.y_val = check_labels(data["y_val"], "data['y_val']", num_samples=self.X_val.shape[0])
        if self.X_val.shape[1:] != self.X_train.shape[1:]:
            raise InputError(f"data['X_val'] examples must have the shape of data['X_train']'s "
                             f"{self.X_train.shape[1:]}, got {self.X_val.shape[1:]}")

    def _reset(self):
        """Fresh bookkeeping: nothing trained yet."""
        self.epoch = 0
        self._t = 0  # iterations done
        self.best_val_acc = 0.0
        self.best_params = {}
        self.loss_history = []
        self.train_acc_history = []
        self.val_acc_history = []
        self.optim_configs = {name: dict(self.optim_config) for name in self.model.params}
        self._rng = np.random.default_rng(self.seed)

    # ------------------------------------------------------------- training
    def _check_grads(self, grads):
        """The model's loss must give one gradient per parameter, of its shape."""
        if not isinstance(grads, Mapping):
            raise InputError(f"model.loss(X, y) must return (loss, grads) with grads a dict, got "
                             f"{type(grads).__name__}")
        for name, w in self.model.params.items():
            if name not in grads or grads[name] is None:
                raise InputError(f"model.loss returned no gradient for {name!r}: grads must hold "
                                 f"an array for every entry of params ({', '.join(self.model.params)})")
            if np.shape(grads[name]) != np.shape(w):
                raise InputError(f"grads[{name!r}] has shape {np.shape(grads[name])} but "
                                 f"params[{name!r}] has shape {np.shape(w)}; they must match")

    def _step(self):
        """One iteration: a minibatch, its loss and gradients, and the update of
        every parameter (with its own config)."""
        X_batch, y_batch = sample_minibatch(self.X_train, self.y_train, self.batch_size, self._rng)
        loss, grads = self.model.loss(X_batch, y_batch)
        self._check_grads(grads)
        self.loss_history.append(float(loss))
        # TODO: update every parameter of self.model.params with self.update_rule,
        # each with its own config self.optim_configs[name]. The rule returns the
        # new value and the new config and never modifies its inputs: store both
        # (the next step needs the new config, e.g. its momentum).
        ### BEGIN SOLUTION
        for name in list(self.model.params):
            next_w, next_config = self.update_rule(self.model.params[name], grads[name],
                                                   self.optim_configs[name])
            self.model.params[name] = next_w
            self.optim_configs[name] = next_config
        ### END SOLUTION

    def check_accuracy(self, X, y, num_samples=None, batch_size=100):
        """Fraction of the examples the model classifies right.

        Parameters
        ----------
        X : ndarray of shape (N, ...)
        y : ndarray of shape (N,)
        num_samples : int or None
            If given and smaller than N, measure on that many examples drawn
            at random (without replacement) with the solver's generator.
        batch_size : int
            Examples scored per call of ``model.loss`` (bounds the memory).

        Returns
        -------
        acc : float in [0, 1]
        """
        X = check_array(X, "X", finite=False)
        y = check_labels(y, "y", num_samples=X.shape[0])
        num_samples = _optional_int(num_samples, "num_samples")
        batch_size = check_int(batch_size, "batch_size", low=1)
        if num_samples is not None and X.shape[0] > num_samples:
            idx = self._rng.choice(X.shape[0], size=num_samples, replace=False)
            X, y = X[idx], y[idx]
        acc = 0.0
        # TODO: the predicted class of an example is the one with the highest
        # score. Get the scores with self.model.loss(X_batch) (no labels) for
        # at most batch_size examples at a time, and return the fraction of
        # predictions equal to y, as a float.
        ### BEGIN SOLUTION
        y_pred = np.empty(X.shape[0], dtype=np.int64)
        for start in range(0, X.shape[0], batch_size):
            scores = self.model.loss(X[start:start + batch_size])
            y_pred[start:start + batch_size] = np.argmax(scores, axis=1)
        acc = float(np.mean(y_pred == y))
        ### END SOLUTION
        return float(acc)

    def train(self):
        """Train until ``num_epochs`` epochs are done, then restore the best parameters.

        Continues where the previous :meth:`train` or :meth:`load_checkpoint`
        left off (raise ``num_epochs`` to train longer).
        """
        iters_per_epoch = max(self.X_train.shape[0] // self.batch_size, 1)
        num_iterations = self.num_epochs * iters_per_epoch
        bar = tqdm(total=num_iterations, initial=self._t, desc="Solver",
                   disable=self.verbose or not self.progress_bar)
        try:
            while self._t < num_iterations:
                t = self._t
                self._step()
                self._t += 1
                bar.update(1)
                if self.verbose and t % self.print_every == 0:
                    print(f"(Iteration {t + 1} / {num_iterations}) loss: {self.loss_history[-1]:f}")
                epoch_end = self._t % iters_per_epoch == 0
                if epoch_end:
                    self.epoch += 1
                    for config in self.optim_configs.values():
                        if "learning_rate" in config:
                            config["learning_rate"] *= self.lr_decay
                if t == 0 or epoch_end or self._t == num_iterations:
                    self._record_accuracies()
                    bar.set_postfix(loss=f"{self.loss_history[-1]:.3f}",
                                    val_acc=f"{self.val_acc_history[-1]:.3f}", refresh=False)
                if epoch_end and self.checkpoint_name is not None:
                    self.save_checkpoint()
        finally:
            bar.close()
        if self.best_params:
            self.model.params = {k: v.copy() for k, v in self.best_params.items()}

    def _record_accuracies(self):
        train_acc = self.check_accuracy(self.X_train, self.y_train,
                                        num_samples=self.num_train_samples)
        val_acc = self.check_accuracy(self.X_val, self.y_val, num_samples=self.num_val_samples)
        self.train_acc_history.append(train_acc)
        self.val_acc_history.append(val_acc)
        if self.verbose:
            print(f"(Epoch {self.epoch} / {self.num_epochs}) train acc: {train_acc:f}; "
                  f"val_acc: {val_acc:f}")
        if not self.best_params or val_acc > self.best_val_acc:
            self.best_val_acc = val_acc
            self.best_params = {k: np.array(v, copy=True) for k, v in self.model.params.items()}

    # ----------------------------------------------------------- checkpoints
    def _settings(self):
        """What a checkpoint must agree on to resume the same training run."""
        return {"update_rule": self._rule_name, "batch_size": self.batch_size,
                "num_train": int(self.X_train.shape[0]),
                "params": {k: list(np.shape(v)) for k, v in self.model.params.items()}}

    def save_checkpoint(self, path=None):
        """Write the training state to ``path`` (default
        ``<checkpoint_name>_epoch_<epoch>.npz``) and return the path.

        The state: the model's parameters, every optimizer config, the best
        parameters, the histories, the epoch and iteration counters and the
        generator's state (numpy ``.npz`` + JSON; no pickle).
        """
        if path is None:
            if self.checkpoint_name is None:
                raise InputError("save_checkpoint needs a path, or a Solver(checkpoint_name=...)")
            path = f"{os.fspath(self.checkpoint_name)}_epoch_{self.epoch}.npz"
        arrays, scalars = {}, {}
        for name, value in self.model.params.items():
            arrays[f"params|{name}"] = np.asarray(value)
        for name, value in self.best_params.items():
            arrays[f"best|{name}"] = np.asarray(value)
        for name, config in self.optim_configs.items():
            scalars[name] = {}
            for key, value in config.items():
                if isinstance(value, np.ndarray):
                    arrays[f"optim|{name}|{key}"] = value
                elif isinstance(value, (bool, int, float, str, np.integer, np.floating)) or value is None:
                    scalars[name][key] = value.item() if isinstance(value, np.generic) else value
                else:
                    raise InputError(f"optim config {name!r} holds {key!r} of type "
                                     f"{type(value).__name__}, which a checkpoint cannot store")
        meta = {"version": CHECKPOINT_VERSION, "settings": self._settings(), "epoch": self.epoch,
                "t": self._t, "best_val_acc": self.best_val_acc, "config_scalars": scalars,
                "loss_history": self.loss_history, "train_acc_history": self.train_acc_history,
                "val_acc_history": self.val_acc_history,
                "rng_state": self._rng.bit_generator.state}
        arrays["meta"] = np.array(json.dumps(meta))
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as f:  # a file object: np.savez adds no suffix
            np.savez(f, **arrays)
        os.replace(tmp, path)  # atomic: a crash never leaves half a checkpoint
        if self.verbose:
            print(f"Saving checkpoint to {path}")
        return str(path)

    def load_checkpoint(self, path):
        """Restore the training state written by :meth:`save_checkpoint`.

        The solver must train the same kind of model on the same training set
        with the same update rule and batch size (else ValueError naming what
        differs); :meth:`train` then continues from the checkpoint's epoch.
        """
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"]))
            arrays = {k: f[k] for k in f.files if k != "meta"}
        if meta.get("version") != CHECKPOINT_VERSION:
            raise InputError(f"{path} is a checkpoint of version {meta.get('version')}, this "
                             f"Solver reads version {CHECKPOINT_VERSION}")
        mine = self._settings()
        for key, saved in meta["settings"].items():
            if mine[key] != saved:
                raise InputError(f"{path} was written with {key}={saved}, this Solver has "
                                 f"{key}={mine[key]}; resume with the same settings")
        self.model.params = {name: arrays[f"params|{name}"].copy() for name in self.model.params}
        self.best_params = {k.split("|", 1)[1]: v.copy() for k, v in arrays.items()
                            if k.startswith("best|")}
        configs = {name: dict(meta["config_scalars"][name]) for name in self.model.params}
        for key, value in arrays.items():
            if key.startswith("optim|"):
                _, name, field = key.split("|", 2)
                configs[name][field] = value.copy()
        self.optim_configs = configs
        self.epoch, self._t = int(meta["epoch"]), int(meta["t"])
        self.best_val_acc = float(meta["best_val_acc"])
        self.loss_history = [float(v) for v in meta["loss_history"]]
        self.train_acc_history = [float(v) for v in meta["train_acc_history"]]
        self.val_acc_history = [float(v) for v in meta["val_acc_history"]]
        self._rng.bit_generator.state = meta["rng_state"]
