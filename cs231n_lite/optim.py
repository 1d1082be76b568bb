"""First-order update rules and learning-rate schedules.

Every update rule has the CS231n signature::

    next_w, config = rule(w, dw, config)

* ``w`` : ndarray of any shape, the current weights.
* ``dw`` : ndarray of the same shape, the gradient of the loss at ``w``.
* ``config`` : dict or None. It holds the hyperparameters (``learning_rate``
  and the rule's own, filled with the documented defaults when missing) AND
  the rule's state. One config per parameter array; pass the returned config
  back on the next step.

Where the state lives
---------------------
In the returned ``config``, always as *new* arrays of ``w``'s shape (``t`` is
an int). Defaults in brackets:

* ``sgd``: learning_rate [1e-2]; no state.
* ``sgd_momentum``, ``nesterov``: learning_rate [1e-2], momentum [0.9];
  state ``velocity``.
* ``adagrad``: learning_rate [1e-2], epsilon [1e-8]; state ``cache``.
* ``rmsprop``: learning_rate [1e-2], decay_rate [0.99], epsilon [1e-8];
  state ``cache``.
* ``adam``: learning_rate [1e-3], beta1 [0.9], beta2 [0.999], epsilon [1e-8];
  state ``m``, ``v`` and the step counter ``t``.

A rule never modifies the caller's ``w`` or the incoming ``config`` dict (nor
the state arrays inside it): it returns a new array and a new dict. A missing
state key means "first step" (zeros, ``t = 0``). The rule reads
``config["learning_rate"]`` on every call, so a training loop can set it from
a schedule before each step (``config["learning_rate"] = schedule(t)``) and
the state carries on. NaN in ``w`` or ``dw`` is not an error here: it
propagates (as in plain numpy) so that a learning-rate sweep can record the
diverged run and move on.

Dtypes: when ``w`` and ``dw`` are both float32, ``next_w`` and every state
array are float32 too (a float32 network stays float32; Python-float
hyperparameters do not promote it); when both are float64, float64.

A training loop looks rules up by name with :func:`get_update_rule` and
learning rates with :func:`make_schedule`, so ``update_rule="adam"`` is all a
notebook changes to swap optimizers. The second-order solvers (L-BFGS,
Newton) live in :mod:`cs231n_lite.second_order` and are re-exported here.

References
----------
.. [1] Y. Nesterov, "A method of solving a convex programming problem with
   convergence rate O(1/k^2)", Soviet Math. Doklady 27, 1983.
.. [2] I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of
   initialization and momentum in deep learning", ICML 2013.
.. [3] J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for
   online learning and stochastic optimization", JMLR 12, 2011.
.. [4] T. Tieleman and G. Hinton, "Lecture 6.5 - RMSProp", COURSERA: Neural
   Networks for Machine Learning, 2012.
.. [5] D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization",
   ICLR 2015.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping

import numpy as np

from .second_order import lbfgs, newton, newton_step
from .validation import InputError, check_array, check_int, check_positive

__all__ = [
    "sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam",
    "UPDATE_RULES", "get_update_rule",
    "SCHEDULES", "constant_lr", "step_decay", "exponential_decay", "inverse_time_decay",
    "make_schedule",
    "lbfgs", "newton", "newton_step",  # from second_order
]

# Hyperparameters that must lie in [0, 1): they weight an old average.
_FRACTIONS = ("momentum", "decay_rate", "beta1", "beta2")


def _config(config, **defaults):
    """Copy ``config`` (or start an empty one) and fill in missing defaults."""
    out = {} if config is None else dict(config)
    for key, value in defaults.items():
        out.setdefault(key, value)
    return out


def _check_fraction(value, name):
    """Require a real number in [0, 1)."""
    value = check_positive(value, name, strict=False)
    if value >= 1.0:
        raise InputError(f"{name} must be in [0, 1), got {value}; typical values are 0.9 to 0.999")
    return value


def _check_state(config, key, shape):
    """A state array carried over from the previous step must match ``w``."""
    if key in config:
        state = check_array(config[key], f"config['{key}']", finite=False)
        if state.shape != shape:
            raise InputError(
                f"config['{key}'] must have the shape of w {shape}, got {state.shape}; "
                f"use one config per parameter array (or drop the key to restart)"
            )


def _check_step(w, dw, config, state=(), **defaults):
    """Validate one update-rule call.

    Returns ``(w, dw, config)`` with ``w`` and ``dw`` as ndarrays and
    ``config`` a new dict holding the defaults for missing hyperparameters.
    Raises :class:`InputError` naming the bad argument or config key.
    """
    if config is not None and not isinstance(config, Mapping):
        raise InputError(
            f"config must be a dict (or None), got {type(config).__name__}; "
            f"pass e.g. {{'learning_rate': 1e-2}}"
        )
    w = check_array(w, "w", finite=False)
    dw = check_array(dw, "dw", finite=False)
    if dw.shape != w.shape:
        raise InputError(
            f"dw must have the same shape as w {w.shape}, got {dw.shape}; "
            f"pass the gradient of the loss with respect to this w"
        )
    config = _config(config, **defaults)
    # >= 0, not > 0: a decaying schedule may underflow to 0.0 late in training
    check_positive(config["learning_rate"], "learning_rate", strict=False)
    if "epsilon" in defaults:
        check_positive(config["epsilon"], "epsilon")
    for key in _FRACTIONS:
        if key in defaults:
            _check_fraction(config[key], key)
    for key in state:
        _check_state(config, key, w.shape)
    if "t" in config:
        check_int(config["t"], "t", low=0)
    return w, dw, config


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
        A new array: ``w``, ``dw`` and the caller's ``config`` are never
        modified.
    config : dict

    Raises
    ------
    InputError
        If ``config`` is not a dict, ``dw``'s shape differs from ``w``'s, or
        ``learning_rate`` is not a number >= 0.
    """
    w, dw, config = _check_step(w, dw, config, learning_rate=1e-2)
    next_w = None
    # TODO: next_w, one step of size config["learning_rate"] against the
    # gradient, as a NEW array (the caller's w must stay as it was).
    ### BEGIN SOLUTION
    next_w = w - config["learning_rate"] * dw
    ### END SOLUTION
    return next_w, config


def sgd_momentum(w, dw, config=None):
    """SGD with momentum: ``v = momentum * v - learning_rate * dw; w + v``.

    The velocity ``v`` is a running sum of past gradients, decayed by
    ``momentum`` each step (CS231n; Sutskever et al. 2013, eq. 1-2).

    Parameters
    ----------
    w : ndarray of any shape
    dw : ndarray of the same shape as ``w``
    config : dict or None
        ``learning_rate`` (default 1e-2), ``momentum`` in [0, 1) (default
        0.9); state ``velocity`` (shape of ``w``, zeros at the first step).

    Returns
    -------
    next_w : ndarray of the same shape as ``w`` (float32 for float32 ``w`` and ``dw``)
    config : dict, with the new ``velocity``

    Raises
    ------
    InputError
        As :func:`sgd`, and if ``momentum`` is outside [0, 1) or
        ``velocity`` has the wrong shape.
    """
    w, dw, config = _check_step(
        w, dw, config, state=("velocity",), learning_rate=1e-2, momentum=0.9
    )
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    # TODO: one step of SGD with momentum, as the docstring defines it: the new
    # velocity v (from the old v, the gradient dw, config["momentum"] and
    # config["learning_rate"], read on every call) and next_w from w and the
    # new v. The code below stores v in config["velocity"]. Build NEW arrays
    # (v = ..., never v *= ... or w += ...): the old v belongs to the caller's
    # config and w to the caller. Use Python floats so float32 stays float32.
    ### BEGIN SOLUTION
    v = config["momentum"] * v - config["learning_rate"] * dw
    next_w = w + v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def nesterov(w, dw, config=None):
    """Nesterov momentum in CS231n's "look-ahead" form, written in terms of w.

    ``v_prev = v; v = momentum * v - learning_rate * dw;
    next_w = w - momentum * v_prev + (1 + momentum) * v``.

    Here ``w`` is the look-ahead point ``theta + momentum * v`` of Sutskever
    et al. (2013, eq. 3-4), so ``dw`` is the gradient at the point the
    optimizer is about to jump to (Nesterov 1983).

    Parameters, Returns and Raises are those of :func:`sgd_momentum` (state
    ``velocity``).
    """
    w, dw, config = _check_step(
        w, dw, config, state=("velocity",), learning_rate=1e-2, momentum=0.9
    )
    v = config.get("velocity", np.zeros_like(w))
    next_w = None
    # TODO: one Nesterov step in the look-ahead form of the docstring: the new
    # velocity v (config["momentum"], config["learning_rate"]) and next_w,
    # the next look-ahead point, which needs the velocity from BEFORE this
    # step as well as the new one. The code below stores v in
    # config["velocity"]. Build new arrays; never modify w, dw or the old v.
    ### BEGIN SOLUTION
    mu = config["momentum"]
    v_prev = v
    v = mu * v - config["learning_rate"] * dw
    next_w = w - mu * v_prev + (1 + mu) * v
    ### END SOLUTION
    config["velocity"] = v
    return next_w, config


def adagrad(w, dw, config=None):
    """AdaGrad: per-coordinate step ``learning_rate / (sqrt(cache) + eps)``.

    ``cache = cache + dw**2; next_w = w - learning_rate * dw / (sqrt(cache) +
    epsilon)`` (Duchi et al. 2011).

    Parameters
    ----------
    w : ndarray of any shape
    dw : ndarray of the same shape as ``w``
    config : dict or None
        ``learning_rate`` (default 1e-2), ``epsilon`` (default 1e-8); state
        ``cache`` (sum of squared gradients, shape of ``w``).

    Returns
    -------
    next_w : ndarray of the same shape as ``w`` (float32 for float32 ``w`` and ``dw``)
    config : dict, with the new ``cache``

    Raises
    ------
    InputError
        As :func:`sgd`; also ``epsilon`` <= 0 or a ``cache`` of the wrong shape.
    """
    w, dw, config = _check_step(
        w, dw, config, state=("cache",), learning_rate=1e-2, epsilon=1e-8
    )
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    # TODO: one AdaGrad step as the docstring defines it: the new cache (this
    # step's gradient included) and next_w, with config["learning_rate"] and
    # config["epsilon"] (added outside the square root). The code below
    # stores cache in config["cache"]. Build a new cache array: cache += ...
    # would change the array the caller's config holds.
    ### BEGIN SOLUTION
    cache = cache + dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    ### END SOLUTION
    config["cache"] = cache
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: AdaGrad with a leaky (moving-average) cache.

    ``cache = decay_rate * cache + (1 - decay_rate) * dw**2;
    next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)``
    (Tieleman & Hinton 2012).

    Parameters
    ----------
    w : ndarray of any shape
    dw : ndarray of the same shape as ``w``
    config : dict or None
        ``learning_rate`` (default 1e-2), ``decay_rate`` in [0, 1) (default
        0.99), ``epsilon`` (default 1e-8); state ``cache``.

    Returns
    -------
    next_w : ndarray of the same shape as ``w`` (float32 for float32 ``w`` and ``dw``)
    config : dict, with the new ``cache``

    Raises
    ------
    InputError
        As :func:`adagrad`; also ``decay_rate`` outside [0, 1).
    """
    w, dw, config = _check_step(
        w, dw, config, state=("cache",), learning_rate=1e-2, decay_rate=0.99, epsilon=1e-8
    )
    cache = config.get("cache", np.zeros_like(w))
    next_w = None
    # TODO: one RMSProp step as the docstring defines it: the new (leaky)
    # cache, weighted by config["decay_rate"], and next_w, with
    # config["learning_rate"] and config["epsilon"] (outside the square root).
    # The code below stores cache in config["cache"]. Build new arrays.
    ### BEGIN SOLUTION
    rho = config["decay_rate"]
    cache = rho * cache + (1 - rho) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    ### END SOLUTION
    config["cache"] = cache
    return next_w, config


def adam(w, dw, config=None):
    """Adam: momentum (first moment) + RMSProp (second moment), bias-corrected.

    ``t = t + 1`` (incremented *before* it is used, so the first step has
    t = 1); ``m = beta1 m + (1 - beta1) dw``; ``v = beta2 v + (1 - beta2)
    dw**2``; ``m_hat = m / (1 - beta1**t)``; ``v_hat = v / (1 - beta2**t)``;
    ``next_w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)``
    (Kingma & Ba 2015, Algorithm 1).

    Parameters
    ----------
    w : ndarray of any shape
    dw : ndarray of the same shape as ``w``
    config : dict or None
        ``learning_rate`` (default 1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
        ``epsilon`` (1e-8); state ``m``, ``v`` (shape of ``w``) and ``t``
        (int, number of steps taken, 0 at the start).

    Returns
    -------
    next_w : ndarray of the same shape as ``w`` (float32 for float32 ``w`` and ``dw``)
    config : dict, with the new ``m``, ``v`` (the moving averages, not their
        bias-corrected versions) and ``t`` (an int)

    Raises
    ------
    InputError
        As :func:`sgd`, and if a beta is outside [0, 1), ``epsilon`` <= 0,
        ``m``/``v`` have the wrong shape or ``t`` is not an int >= 0.
    """
    w, dw, config = _check_step(
        w, dw, config, state=("m", "v"),
        learning_rate=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, t=0,
    )
    m = config.get("m", np.zeros_like(w))
    v = config.get("v", np.zeros_like(w))
    t = config["t"]
    next_w = None
    # TODO: one Adam step as the docstring defines it, with config["beta1"],
    # config["beta2"], config["learning_rate"] and config["epsilon"]. t counts
    # the steps taken, this one included (so the first step uses t = 1). The
    # code below stores m, v (the moving averages themselves) and t (an int)
    # in config. Build new arrays; Python floats keep float32 float32.
    ### BEGIN SOLUTION
    b1, b2 = config["beta1"], config["beta2"]
    t = t + 1
    m = b1 * m + (1 - b1) * dw
    v = b2 * v + (1 - b2) * dw**2
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    next_w = w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])
    ### END SOLUTION
    config.update(m=m, v=v, t=t)
    return next_w, config


# name -> rule: what `update_rule="..."` in the training loops looks up.
UPDATE_RULES = {
    "sgd": sgd,
    "sgd_momentum": sgd_momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
}


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
    learning_rate = check_positive(learning_rate, "learning_rate")
    return lambda t: learning_rate


def step_decay(learning_rate, decay=0.5, step_size=1):
    """``lr(t) = learning_rate * decay ** floor(t / step_size)``, decay in (0, 1]."""
    learning_rate = check_positive(learning_rate, "learning_rate")
    decay = check_positive(decay, "decay")
    if decay > 1:
        raise InputError(f"decay must be in (0, 1], got {decay}; e.g. 0.5 halves the rate")
    step_size = check_int(step_size, "step_size", low=1)
    return lambda t: learning_rate * decay ** math.floor(t / step_size)


def exponential_decay(learning_rate, k=0.1):
    """``lr(t) = learning_rate * exp(-k t)``, k >= 0."""
    learning_rate = check_positive(learning_rate, "learning_rate")
    k = check_positive(k, "k", strict=False)
    return lambda t: learning_rate * math.exp(-k * t)


def inverse_time_decay(learning_rate, k=0.1):
    """``lr(t) = learning_rate / (1 + k t)``, k >= 0."""
    learning_rate = check_positive(learning_rate, "learning_rate")
    k = check_positive(k, "k", strict=False)
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
        The initial learning rate ``a0`` (> 0).
    **kwargs
        The schedule's parameters (``lr_schedule_kwargs`` in the training
        loops).

    Raises
    ------
    InputError
        Unknown schedule name, a keyword the schedule does not take (named
        ``lr_schedule_kwargs``), or a parameter out of range (named).
    """
    if callable(schedule):
        return schedule
    name = "constant" if schedule is None else schedule
    if name not in SCHEDULES:
        raise InputError(
            f"lr_schedule must be one of {sorted(SCHEDULES)}, None or a callable, got {schedule!r}"
        )
    factory = SCHEDULES[name]
    try:
        inspect.signature(factory).bind(learning_rate, **kwargs)
    except TypeError:
        takes = [p for p in inspect.signature(factory).parameters if p != "learning_rate"]
        raise InputError(
            f"lr_schedule_kwargs {sorted(kwargs)} do not fit lr_schedule={name!r}, "
            f"which takes {takes or 'no keywords'}"
        ) from None
    return factory(learning_rate, **kwargs)
