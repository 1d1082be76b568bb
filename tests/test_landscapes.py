"""2-D landscapes, optimizer trajectories and their plots."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402

from cs231n_lite.landscapes import (  # noqa: E402
    LANDSCAPES,
    Landscape,
    animate_trajectories,
    plot_trajectories,
    run_optimizer,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def central_diff(fn, w, h=1e-6):
    """Column j = (fn(w + h e_j) - fn(w - h e_j)) / 2h."""
    cols = [(np.asarray(fn(w + h * e)) - np.asarray(fn(w - h * e))) / (2 * h) for e in np.eye(2)]
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_gradient_and_hessian_match_finite_differences(name):
    L = LANDSCAPES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        w = np.array([rng.uniform(*L.xlim), rng.uniform(*L.ylim)]) * 0.5
        np.testing.assert_allclose(L.grad(w), central_diff(L.f, w), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(L.hess(w), central_diff(L.grad, w), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", sorted(LANDSCAPES))
def test_f_accepts_a_grid(name):
    L = LANDSCAPES[name]
    pts = np.random.default_rng(1).normal(size=(3, 4, 2))
    Z = L.f(pts)
    assert Z.shape == (3, 4)
    assert Z[2, 1] == pytest.approx(L.f(pts[2, 1]))


def test_known_minima():
    # Rosenbrock at (1, 1): (1-1)^2 + 100 (1-1)^2 = 0.
    # Beale at (3, 0.5): 1.5-3+1.5 = 0, 2.25-3+0.75 = 0, 2.625-3+0.375 = 0.
    for name in ("rosenbrock", "beale", "long_valley"):
        L = LANDSCAPES[name]
        assert L.f(L.minimum) == pytest.approx(0.0, abs=1e-15)
        np.testing.assert_allclose(L.grad(L.minimum), [0.0, 0.0], atol=1e-12)
    assert LANDSCAPES["saddle"].minimum is None


def test_long_valley_condition_number():
    eig = np.linalg.eigvalsh(LANDSCAPES["long_valley"].hess(np.zeros(2)))
    assert eig.max() / eig.min() == pytest.approx(50.0)  # a * b = 10 * 5


# Rosenbrock settings stated in the landscapes docstring: start (-1.2, 1),
# 2000 steps, end within 1e-3 of (1, 1).
ROSENBROCK_SETTINGS = [
    ("sgd_momentum", {"learning_rate": 1e-3, "momentum": 0.9}),
    ("nesterov", {"learning_rate": 1e-3, "momentum": 0.9}),
    ("adam", {"learning_rate": 5e-3, "beta1": 0.9, "beta2": 0.99}),
]


@pytest.mark.parametrize("rule, config", ROSENBROCK_SETTINGS)
def test_rules_reach_rosenbrock_minimum(rule, config):
    L = LANDSCAPES["rosenbrock"]
    traj = run_optimizer(L, rule, num_steps=2000, config=config)
    assert traj.shape == (2001, 2)
    np.testing.assert_array_equal(traj[0], [-1.2, 1.0])
    assert np.linalg.norm(traj[-1] - [1.0, 1.0]) < 1e-3


def test_plain_sgd_does_not_reach_rosenbrock_minimum_in_the_same_budget():
    traj = run_optimizer(LANDSCAPES["rosenbrock"], "sgd", num_steps=2000, config={"learning_rate": 1e-3})
    assert np.linalg.norm(traj[-1] - [1.0, 1.0]) > 1e-2


def test_newton_trajectories():
    # Rosenbrock: pure Newton within 10 steps; long valley (a quadratic): one step.
    traj = run_optimizer(LANDSCAPES["rosenbrock"], "newton", num_steps=10)
    np.testing.assert_allclose(traj[-1], [1.0, 1.0], atol=1e-10)
    valley = run_optimizer(LANDSCAPES["long_valley"], "newton", num_steps=1)
    np.testing.assert_allclose(valley[1], [0.0, 0.0], atol=1e-12)
    # Saddle: Newton jumps onto the saddle point; momentum slides off along y.
    S = LANDSCAPES["saddle"]
    np.testing.assert_allclose(run_optimizer(S, "newton", num_steps=1)[1], [0.0, 0.0], atol=1e-15)
    escaped = run_optimizer(S, "sgd_momentum", num_steps=50, config={"learning_rate": 0.05})
    assert abs(escaped[-1, 1]) > 1.0 > abs(S.start[1])


def test_run_optimizer_leaves_config_alone_and_custom_rule():
    config = {"learning_rate": 0.01}
    run_optimizer(LANDSCAPES["beale"], "adam", num_steps=5, config=config)
    assert config == {"learning_rate": 0.01}
    half = lambda w, dw, c: (w / 2, c)  # noqa: E731
    traj = run_optimizer(LANDSCAPES["beale"], half, w0=[4.0, -2.0], num_steps=2)
    np.testing.assert_allclose(traj, [[4.0, -2.0], [2.0, -1.0], [1.0, -0.5]])


def test_diverged_run_is_recorded_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run_optimizer(LANDSCAPES["rosenbrock"], "sgd", num_steps=300, config={"learning_rate": 0.1})
    assert not np.isfinite(traj[-1]).all()


def test_run_optimizer_bad_input():
    L = LANDSCAPES["rosenbrock"]
    no_hess = Landscape("flat", L.f, L.grad, None, None, np.zeros(2), (-1, 1), (-1, 1))
    with pytest.raises(ValueError, match="rule='newton' needs a Hessian, and flat has none"):
        run_optimizer(no_hess, "newton", num_steps=1)
    with pytest.raises(ValueError, match=r"w0 must have shape \(2,\), got \(3,\)"):
        run_optimizer(L, "sgd", w0=np.zeros(3))
    with pytest.raises(ValueError, match="num_steps must be >= 0"):
        run_optimizer(L, "sgd", num_steps=-1)
    with pytest.raises(ValueError, match="update_rule must be one of"):
        run_optimizer(L, "lbfgs", num_steps=1)


@pytest.mark.parametrize("name", ["rosenbrock", "saddle"])
def test_plot_trajectories(name):
    L = LANDSCAPES[name]
    trajs = {r: run_optimizer(L, r, num_steps=20, config={"learning_rate": 1e-3}) for r in ("sgd", "adam")}
    fig = plot_trajectories(L, trajs)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == (["minimum"] if L.minimum is not None else []) + ["sgd", "adam"]
    np.testing.assert_array_equal(ax.get_lines()[-1].get_xydata(), trajs["adam"])
    assert ax.get_xlim() == L.xlim and len(ax.collections) > 0  # the contours
    _, own_ax = plt.subplots()
    assert plot_trajectories(L, trajs, ax=own_ax) is own_ax.figure


def test_plot_rejects_bad_trajectory():
    with pytest.raises(ValueError, match=r"trajectories\['x'\] must have shape \(N, 2\)"):
        plot_trajectories(LANDSCAPES["beale"], {"x": np.zeros((4, 3))})


def test_animation_draws_every_step():
    L = LANDSCAPES["long_valley"]
    trajs = {"sgd": run_optimizer(L, "sgd", num_steps=3), "adam": run_optimizer(L, "adam", num_steps=2)}
    anim = animate_trajectories(L, trajs, interval=10)
    assert isinstance(anim, FuncAnimation)
    html = anim.to_jshtml()  # renders all 4 frames
    assert "<script" in html
    lines = plt.gcf().axes[0].get_lines()[-2:]
    np.testing.assert_array_equal(lines[0].get_xydata(), trajs["sgd"])
    np.testing.assert_array_equal(lines[1].get_xydata(), trajs["adam"])
