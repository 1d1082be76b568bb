"""2-D test functions and optimizer trajectories on them.

Each landscape is a :class:`Landscape`: a value ``f`` that accepts points of
shape (..., 2) (so a whole plotting grid at once), a gradient and, where
Newton's method needs it, a Hessian for one point of shape (2,).

* ``long_valley``: ``f = 0.5 * (x**2 / a + b * y**2)``, condition number
  ``a * b`` (default 50): steep across, flat along - the lecture's "taco
  shell".
* ``rosenbrock``: ``f = (a - x)**2 + b * (y - x**2)**2`` with a=1, b=100,
  minimum (1, 1) at the end of a curved, flat-bottomed valley. Settings that
  reach the minimum from the default start (-1.2, 1) to within a distance
  of 1e-3 in 2000 steps (checked in ``tests/test_landscapes.py``):
  ``sgd_momentum`` and ``nesterov`` with learning_rate=1e-3, momentum=0.9
  (about 1600 steps needed); ``adam`` with learning_rate=5e-3, beta1=0.9,
  beta2=0.99 (about 1650; with the default beta2=0.999 it takes about 6200).
  Pure Newton gets there in 6 steps.
* ``saddle``: ``f = x**2 - y**2``; no minimum, a saddle point at (0, 0). The
  gradient vanishes near it, so SGD stalls; Newton jumps straight onto it.
* ``beale``: Beale's function, minimum (3, 0.5), flat plateaus and steep
  walls (a classic for comparing adaptive methods).

:func:`run_optimizer` records a trajectory with any rule from
:data:`cs231n_lite.optim.UPDATE_RULES` (or ``"newton"``);
:func:`plot_trajectories` draws trajectories over log-spaced contours and
:func:`animate_trajectories` animates them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .optim import get_update_rule
from .second_order import newton_step
from .validation import InputError, check_array, check_int

__all__ = [
    "Landscape",
    "long_valley",
    "rosenbrock",
    "saddle",
    "beale",
    "LANDSCAPES",
    "run_optimizer",
    "plot_trajectories",
    "animate_trajectories",
]


@dataclass(frozen=True)
class Landscape:
    """A 2-D test function.

    Attributes
    ----------
    name : str
    f : callable, ndarray of shape (..., 2) -> ndarray of shape (...)
    grad : callable, ndarray (2,) -> ndarray (2,)
    hess : callable, ndarray (2,) -> ndarray (2, 2), or None
    minimum : ndarray of shape (2,), or None if f is unbounded below
    start : ndarray of shape (2,), a good default starting point
    xlim, ylim : tuple of float, the plotting range
    """

    name: str
    f: Callable
    grad: Callable
    hess: Callable | None
    minimum: np.ndarray | None
    start: np.ndarray
    xlim: tuple
    ylim: tuple


def _xy(w):
    w = np.asarray(w, dtype=float)
    return w[..., 0], w[..., 1]


def long_valley(a=10.0, b=5.0):
    """``f = 0.5 * (x**2 / a + b * y**2)``: condition number ``a * b``."""
    H = np.diag([1.0 / a, b])
    return Landscape(
        name="long valley",
        f=lambda w: 0.5 * (_xy(w)[0] ** 2 / a + b * _xy(w)[1] ** 2),
        grad=lambda w: H @ np.asarray(w, dtype=float),
        hess=lambda w: H.copy(),
        minimum=np.zeros(2),
        start=np.array([-9.0, 1.5]),
        xlim=(-10.0, 10.0),
        ylim=(-3.0, 3.0),
    )


def rosenbrock(a=1.0, b=100.0):
    """``f = (a - x)**2 + b * (y - x**2)**2``, minimum ``(a, a**2)``."""

    def f(w):
        x, y = _xy(w)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def grad(w):
        x, y = _xy(w)
        return np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])

    def hess(w):
        x, y = _xy(w)
        return np.array([[2 - 4 * b * y + 12 * b * x**2, -4 * b * x], [-4 * b * x, 2 * b]])

    return Landscape("Rosenbrock", f, grad, hess, np.array([a, a * a]),
                     np.array([-1.2, 1.0]), (-2.0, 2.0), (-1.0, 3.0))


def saddle():
    """``f = x**2 - y**2``: a saddle point at (0, 0), no minimum."""
    return Landscape(
        name="saddle",
        f=lambda w: _xy(w)[0] ** 2 - _xy(w)[1] ** 2,
        grad=lambda w: np.array([2.0, -2.0]) * np.asarray(w, dtype=float),
        hess=lambda w: np.diag([2.0, -2.0]),
        minimum=None,
        start=np.array([1.0, 1e-3]),
        xlim=(-1.5, 1.5),
        ylim=(-1.5, 1.5),
    )


_BEALE = (1.5, 2.25, 2.625)  # f = sum_i (c_i - x + x y^i)^2, i = 1, 2, 3


def _beale_f(w):
    x, y = _xy(w)
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(_BEALE, start=1))


def _beale_grad(w):
    x, y = _xy(w)
    g = np.zeros(2)
    for i, c in enumerate(_BEALE, start=1):
        r = c - x + x * y**i  # residual; dr/dx = y^i - 1, dr/dy = i x y^(i-1)
        g += 2 * r * np.array([y**i - 1, i * x * y ** (i - 1)])
    return g


def _beale_hess(w):
    x, y = _xy(w)
    H = np.zeros((2, 2))
    for i, c in enumerate(_BEALE, start=1):
        r = c - x + x * y**i
        J = np.array([y**i - 1, i * x * y ** (i - 1)])  # gradient of r
        d2r = np.array([[0.0, i * y ** (i - 1)],
                        [i * y ** (i - 1), i * (i - 1) * x * y ** max(i - 2, 0)]])
        H += 2 * (np.outer(J, J) + r * d2r)
    return H


def beale():
    """Beale's function, minimum (3, 0.5) where f = 0."""
    return Landscape("Beale", _beale_f, _beale_grad, _beale_hess, np.array([3.0, 0.5]),
                     np.array([1.0, 1.5]), (-4.5, 4.5), (-4.5, 4.5))


LANDSCAPES = {
    "long_valley": long_valley(),
    "rosenbrock": rosenbrock(),
    "saddle": saddle(),
    "beale": beale(),
}


def _newton_rule(landscape):
    """Newton as an update rule (config may hold ``damping``)."""
    if landscape.hess is None:
        raise InputError(f"rule='newton' needs a Hessian, and {landscape.name} has none")

    def rule(w, dw, config):
        return newton_step(w, dw, landscape.hess(w), config.get("damping", 0.0)), config

    return rule


def run_optimizer(landscape, rule, w0=None, num_steps=100, config=None):
    """Run an update rule on a landscape and record where it goes.

    Parameters
    ----------
    landscape : Landscape
    rule : str or callable
        A name from ``optim.UPDATE_RULES``, ``"newton"``, or a callable
        ``next_w, config = rule(w, dw, config)``.
    w0 : array_like of shape (2,), optional
        Start point; default ``landscape.start``.
    num_steps : int
    config : dict, optional
        The rule's hyperparameters (e.g. ``{"learning_rate": 1e-3}``); not
        modified.

    Returns
    -------
    trajectory : ndarray of shape (num_steps + 1, 2)
        Row 0 is ``w0``, row k the point after k steps. A diverged run shows
        as inf/NaN rows (numpy's overflow warnings are silenced here).
    """
    w = check_array(landscape.start if w0 is None else w0, "w0", shape=(2,)).astype(float)
    num_steps = check_int(num_steps, "num_steps", low=0)
    step = _newton_rule(landscape) if rule == "newton" else get_update_rule(rule)
    config = dict(config or {})
    trajectory = np.empty((num_steps + 1, 2))
    trajectory[0] = w
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(1, num_steps + 1):
            w, config = step(w, landscape.grad(w), config)
            trajectory[k] = w
    return trajectory


def _contour(landscape, ax, num_levels=30, resolution=200):
    """Draw f on a grid: log-spaced levels of f - f(min), linear if no minimum."""
    from matplotlib.colors import LogNorm

    xs = np.linspace(*landscape.xlim, resolution)
    ys = np.linspace(*landscape.ylim, resolution)
    X, Y = np.meshgrid(xs, ys)
    Z = landscape.f(np.stack([X, Y], axis=-1))  # (resolution, resolution)
    if landscape.minimum is None:
        ax.contour(X, Y, Z, levels=num_levels, cmap="viridis", linewidths=0.7)
        return
    Z = Z - landscape.f(landscape.minimum)
    hi = Z.max()
    lo = max(Z[Z > 0].min(), hi * 1e-6)  # log levels need a floor above 0
    levels = np.logspace(np.log10(lo), np.log10(hi), num_levels)
    ax.contour(X, Y, Z, levels=levels, norm=LogNorm(), cmap="viridis", linewidths=0.7)
    ax.plot(*landscape.minimum, "k*", markersize=12, label="minimum")


def plot_trajectories(landscape, trajectories, ax=None):
    """Draw trajectories over the contours of a landscape.

    Parameters
    ----------
    landscape : Landscape
    trajectories : dict of str -> ndarray of shape (T, 2)
        Legend label -> path, e.g. from :func:`run_optimizer`.
    ax : matplotlib Axes, optional
        Drawn into if given; otherwise a new figure is made.

    Returns
    -------
    fig : matplotlib Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4.5))
    _contour(landscape, ax)
    for label, traj in trajectories.items():
        traj = check_array(traj, f"trajectories[{label!r}]", shape=(None, 2), finite=False)
        ax.plot(traj[:, 0], traj[:, 1], ".-", markersize=3, linewidth=1, label=label)
    ax.set(xlim=landscape.xlim, ylim=landscape.ylim, xlabel="x", ylabel="y",
           title=landscape.name)
    ax.legend(loc="best", fontsize="small")
    return ax.figure


def animate_trajectories(landscape, trajectories, interval=50):
    """Animate trajectories growing step by step over the contours.

    Parameters are as in :func:`plot_trajectories`; ``interval`` is the time
    between frames in ms. Show it in a notebook with
    ``IPython.display.HTML(anim.to_jshtml())``.

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation
        One frame per step of the longest trajectory.
    """
    from matplotlib.animation import FuncAnimation

    fig = plot_trajectories(landscape, trajectories)
    lines = fig.axes[0].get_lines()[-len(trajectories):]
    paths = [np.asarray(t) for t in trajectories.values()]

    def update(frame):
        for line, traj in zip(lines, paths):
            line.set_data(traj[: frame + 1, 0], traj[: frame + 1, 1])
        return lines

    num_frames = max(len(t) for t in paths)
    return FuncAnimation(fig, update, frames=num_frames, interval=interval, blit=True)
