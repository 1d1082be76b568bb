"""First-order update rules, learning-rate schedules and second-order solvers.

Every update rule has the CS231n signature::

    next_w, config = rule(w, dw, config)

* ``w`` : ndarray, the current weights (never modified in place: a rule
  returns a new array, so the caller's ``w`` is safe).
* ``dw`` : ndarray of the same shape, the gradient of the loss at ``w``.
* ``config`` : dict or None. It holds the hyperparameters (``learning_rate``
  and the rule's own, filled with the documented defaults when missing) AND
  the rule's state (``velocity``, ``cache``, ``m``, ``v``, ``t``). The rule
  returns a *new* dict; pass it back on the next step. One config per
  parameter array.

A training loop looks rules up by name with :func:`get_update_rule` and
learning rates with :func:`make_schedule`, so ``update_rule="adam"`` is all a
notebook changes to swap optimizers.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import InputError, check_positive

__all__ = [
    "sgd",
    "UPDATE_RULES",
    "get_update_rule",
    "SCHEDULES",
    "constant_lr",
    "step_decay",
    "exponential_decay",
    "inverse_time_decay",
    "make_schedule",
]


def _config(config, **defaults):
    """Copy ``config`` (or start an empty one) and fill in missing defaults."""
    out = {} if config is None else dict(config)
    for key, value in defaults.items():
        out.setdefault(key, value)
    return out


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``w - learning_rate * dw``.

    Parameters
    ----------
    w : ndarray of any shape
    dw : ndarray of the same shape as ``w``
    config : dict or None
        ``learning_rate`` (default 1e-2). No state.

    Returns
    -------
    next_w : ndarray of the same shape as ``w``
    config : dict
    """
    config = _config(config, learning_rate=1e-2)
    next_w = None
    ### BEGIN SOLUTION
    next_w = w - config["learning_rate"] * dw
    ### END SOLUTION
    return next_w, config


# name -> rule. Further rules register themselves below their definition.
UPDATE_RULES = {"sgd": sgd}


def get_update_rule(rule):
    """Return the update rule named ``rule`` (or ``rule`` itself if callable)."""
    if callable(rule):
        return rule
    if rule not in UPDATE_RULES:
        raise InputError(
            f"update_rule must be one of {sorted(UPDATE_RULES)} or a callable, got {rule!r}"
        )
    return UPDATE_RULES[rule]


# ---------------------------------------------------------------------------
# Learning-rate schedules: callables t -> learning rate, t = 0, 1, 2, ...
# (t counts iterations or epochs, whichever the caller steps them by.)


def constant_lr(learning_rate):
    """``lr(t) = learning_rate``."""
    return lambda t: learning_rate


def step_decay(learning_rate, decay=0.5, step_size=1):
    """``lr(t) = learning_rate * decay ** floor(t / step_size)``."""
    return lambda t: learning_rate * decay ** math.floor(t / step_size)


def exponential_decay(learning_rate, k=0.1):
    """``lr(t) = learning_rate * exp(-k t)``."""
    return lambda t: learning_rate * math.exp(-k * t)


def inverse_time_decay(learning_rate, k=0.1):
    """``lr(t) = learning_rate / (1 + k t)``."""
    return lambda t: learning_rate / (1.0 + k * t)


SCHEDULES = {
    "constant": constant_lr,
    "step": step_decay,
    "exponential": exponential_decay,
    "inverse_time": inverse_time_decay,
}


def make_schedule(schedule, learning_rate, **kwargs):
    """Build a schedule ``t -> lr``.

    Parameters
    ----------
    schedule : None, str or callable
        None or ``"constant"``; ``"step"`` (kwargs ``decay``, ``step_size``);
        ``"exponential"`` or ``"inverse_time"`` (kwarg ``k``); or a callable
        ``t -> lr`` used as it is.
    learning_rate : float
        The initial learning rate ``a0``.
    """
    if callable(schedule):
        return schedule
    learning_rate = check_positive(learning_rate, "learning_rate")
    name = "constant" if schedule is None else schedule
    if name not in SCHEDULES:
        raise InputError(
            f"lr_schedule must be one of {sorted(SCHEDULES)}, None or a callable, got {schedule!r}"
        )
    return SCHEDULES[name](learning_rate, **kwargs)
