"""Update rules and learning-rate schedules (cs231n_lite.optim).

Expected values are re-derived here in plain numpy from each paper's formula,
written in a different (closed or unrolled) form from the module's code, or
worked out by hand with the arithmetic in a comment.
"""

import copy
import math

import numpy as np
import pytest

from cs231n_lite import optim
from cs231n_lite.optim import (
    UPDATE_RULES,
    adagrad,
    adam,
    get_update_rule,
    make_schedule,
    nesterov,
    rmsprop,
    sgd,
    sgd_momentum,
)

ALL_RULES = ["sgd", "sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam"]

# Two steps on a (2, 2) weight; the caller changes learning_rate in between,
# as a training loop with a schedule does.
W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
G1 = np.array([[0.1, -0.3], [2.0, 0.5]])
G2 = np.array([[-0.2, 0.4], [1.0, 0.5]])
LR1, LR2 = 0.1, 0.05


def two_steps(rule, **hyper):
    w1, config = rule(W0, G1, dict(hyper, learning_rate=LR1))
    config["learning_rate"] = LR2
    w2, config = rule(w1, G2, config)
    return w1, w2, config


def test_registry_holds_every_rule():
    assert set(UPDATE_RULES) == set(ALL_RULES)
    for name in ALL_RULES:
        assert get_update_rule(name) is getattr(optim, name)
    custom = lambda w, dw, config: (w, config)  # noqa: E731
    assert get_update_rule(custom) is custom


def test_unknown_rule_name():
    with pytest.raises(ValueError, match="update_rule must be one of .*'adamw'"):
        get_update_rule("adamw")


def test_sgd_two_steps():
    w1, w2, _ = two_steps(sgd)
    # by hand, entry [0, 0]: 1.0 - 0.1 * 0.1 = 0.99; then 0.99 - 0.05 * (-0.2) = 1.0
    assert w1[0, 0] == pytest.approx(0.99) and w2[0, 0] == pytest.approx(1.0)
    np.testing.assert_allclose(w2, W0 - LR1 * G1 - LR2 * G2)


def test_momentum_two_steps():
    mu = 0.8
    w1, w2, config = two_steps(sgd_momentum, momentum=mu)
    # unrolled: v1 = -lr1 g1, v2 = mu v1 - lr2 g2 = -mu lr1 g1 - lr2 g2
    np.testing.assert_allclose(w1, W0 - LR1 * G1)
    np.testing.assert_allclose(w2, W0 - LR1 * G1 - mu * LR1 * G1 - LR2 * G2)
    np.testing.assert_allclose(config["velocity"], -mu * LR1 * G1 - LR2 * G2)
    # by hand, entry [1, 0]: 0.5 - 0.2 - 0.8*0.2 - 0.05 = 0.09
    assert w2[1, 0] == pytest.approx(0.09)


def test_nesterov_matches_sutskever_form():
    # Sutskever et al. (2013) eq. 3-4 on f = 0.5 w.A w - b.w, with the gradient
    # taken at the look-ahead theta + mu v. CS231n's w is that look-ahead.
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    b = np.array([1.0, -1.0, 2.0])
    grad = lambda w: A @ w - b  # noqa: E731
    mu, lrs = 0.9, [0.1, 0.05]
    theta, v = np.array([1.0, 2.0, -1.0]), np.zeros(3)
    expected = []
    for lr in lrs:
        v = mu * v - lr * grad(theta + mu * v)
        theta = theta + v
        expected.append(theta + mu * v)
    w, config = np.array([1.0, 2.0, -1.0]), {"momentum": mu}
    for lr, want in zip(lrs, expected):
        config["learning_rate"] = lr
        w, config = nesterov(w, grad(w), config)
        np.testing.assert_allclose(w, want, rtol=1e-12)


def test_adagrad_two_steps():
    eps = 1e-8
    w1, w2, config = two_steps(adagrad)
    # first step: cache = g^2, so the step is lr * g / |g| = lr * sign(g)
    np.testing.assert_allclose(w1, W0 - LR1 * np.sign(G1), atol=1e-8)
    step2 = LR2 * G2 / (np.sqrt(G1**2 + G2**2) + eps)
    np.testing.assert_allclose(w2, w1 - step2)
    np.testing.assert_allclose(config["cache"], G1**2 + G2**2)
    # by hand, entry [0, 0]: cache = 0.01 + 0.04 = 0.05; 0.05*0.2/sqrt(0.05) = 0.0447214
    assert w2[0, 0] - w1[0, 0] == pytest.approx(0.0447214, abs=1e-7)


def test_rmsprop_two_steps():
    rho, eps = 0.99, 1e-8
    w1, w2, config = two_steps(rmsprop)
    # first step: cache = 0.01 g^2, sqrt = 0.1 |g|, so the step is 10 * lr * sign(g)
    np.testing.assert_allclose(w1, W0 - 10 * LR1 * np.sign(G1), atol=1e-6)
    cache2 = rho * (1 - rho) * G1**2 + (1 - rho) * G2**2
    np.testing.assert_allclose(config["cache"], cache2)
    np.testing.assert_allclose(w2, w1 - LR2 * G2 / (np.sqrt(cache2) + eps))


def test_adam_two_steps():
    b1, b2, eps = 0.9, 0.999, 1e-8
    w1, w2, config = two_steps(adam)
    # Kingma & Ba, Algorithm 1. With t = 1, m_hat = g and v_hat = g^2, so the
    # first step is lr * sign(g) (had t started at 0 it would divide by zero).
    np.testing.assert_allclose(w1, W0 - LR1 * np.sign(G1), atol=1e-7)
    m2 = b1 * (1 - b1) * G1 + (1 - b1) * G2
    v2 = b2 * (1 - b2) * G1**2 + (1 - b2) * G2**2
    m_hat, v_hat = m2 / (1 - b1**2), v2 / (1 - b2**2)
    np.testing.assert_allclose(w2, w1 - LR2 * m_hat / (np.sqrt(v_hat) + eps))
    assert config["t"] == 2
    np.testing.assert_allclose(config["m"], m2)
    np.testing.assert_allclose(config["v"], v2)


def test_defaults_filled_in():
    expected = {
        "sgd": {"learning_rate": 1e-2},
        "sgd_momentum": {"learning_rate": 1e-2, "momentum": 0.9},
        "nesterov": {"learning_rate": 1e-2, "momentum": 0.9},
        "adagrad": {"learning_rate": 1e-2, "epsilon": 1e-8},
        "rmsprop": {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8},
        "adam": {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
    }
    for name, defaults in expected.items():
        _, config = UPDATE_RULES[name](W0, G1, None)
        assert {k: config[k] for k in defaults} == defaults, name


@pytest.mark.parametrize("name", ALL_RULES)
def test_learning_rate_key_is_honoured(name):
    # From a fresh state every rule's step is linear in the learning rate.
    rule = UPDATE_RULES[name]
    w_a, _ = rule(W0, G1, {"learning_rate": 1e-3})
    w_b, _ = rule(W0, G1, {"learning_rate": 3e-3})
    np.testing.assert_allclose(w_b - W0, 3 * (w_a - W0), rtol=1e-9, atol=1e-15)
    # A schedule that has decayed to 0.0 is legal and does not move w.
    w_0, _ = rule(W0, G1, {"learning_rate": 0.0})
    np.testing.assert_array_equal(w_0, W0)


@pytest.mark.parametrize("name", ALL_RULES)
def test_rule_lowers_convex_quadratic(name):
    # f = 0.5 w.A w, A = diag(1, 10), from (1, 1) where f = 5.5; default rates.
    # A rule stepping along +grad, or not at all, fails both checks.
    A = np.diag([1.0, 10.0])
    rule, w, config = UPDATE_RULES[name], np.array([1.0, 1.0]), None
    history = [0.5 * w @ A @ w]
    for _ in range(200):
        w, config = rule(w, A @ w, config)
        history.append(0.5 * w @ A @ w)
    assert history[1] < history[0], (name, history[:2])  # the first step goes downhill
    assert history[-1] < 0.75 * history[0], (name, history[-1])


@pytest.mark.parametrize("name", ALL_RULES)
def test_no_mutation_of_w_or_config(name):
    rule = UPDATE_RULES[name]
    _, config = rule(W0, G1, {"learning_rate": 0.1})  # config now holds state
    w, before_w, before = W0.copy(), W0.copy(), copy.deepcopy(config)
    _, out = rule(w, G2, config)
    np.testing.assert_array_equal(w, before_w)
    assert out is not config and config.keys() == before.keys()
    for key, value in before.items():
        np.testing.assert_array_equal(config[key], value, err_msg=f"{name}: config[{key!r}]")
        if isinstance(value, np.ndarray):
            assert out[key] is not config[key], f"{name} reused the state array {key!r}"


def test_adagrad_effective_step_shrinks_rmsprop_does_not():
    # Constant gradient g: AdaGrad's cache after k steps is k g^2, so its
    # step is lr / sqrt(k): steps 1, 4 and 16 are lr, lr/2, lr/4.
    g, lr = np.array([1.0, -0.5]), 0.1
    steps = {}
    for name in ("adagrad", "rmsprop"):
        w, config, sizes = np.zeros(2), {"learning_rate": lr}, []
        for _ in range(1000):
            w_next, config = UPDATE_RULES[name](w, g, config)
            sizes.append(np.abs(w_next - w))
            w = w_next
        steps[name] = np.array(sizes)  # (1000, 2)
    ada = steps["adagrad"]
    assert np.all(np.diff(ada, axis=0) < 0)
    np.testing.assert_allclose(ada[[0, 3, 15]], [[lr, lr], [lr / 2, lr / 2], [lr / 4, lr / 4]], rtol=1e-6)
    # RMSProp forgets: cache -> g^2 and the step tends to lr (0.99^1000 ~ 4e-5).
    np.testing.assert_allclose(steps["rmsprop"][-1], [lr, lr], rtol=1e-3)


def test_nan_propagates_instead_of_raising():
    w, _ = sgd(W0, np.full_like(W0, np.nan), {"learning_rate": 0.1})
    assert np.isnan(w).all()


# --- bad input -------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_RULES)
@pytest.mark.parametrize(
    "w, dw, config, match",
    [
        (W0, G1, [("learning_rate", 0.1)], "config must be a dict"),
        (W0, G1, {"learning_rate": -0.1}, "learning_rate must be >= 0"),
        (W0, G1, {"learning_rate": "0.1"}, "learning_rate must be a number"),
        (W0, G1[0], None, r"dw must have the same shape as w \(2, 2\), got \(2,\)"),
        (np.array(["a", "b"]), np.zeros(2), None, "w must be a real numeric array"),
        (None, G1, None, "w is None"),
    ],
)
def test_bad_input_names_argument(name, w, dw, config, match):
    with pytest.raises(ValueError, match=match):
        UPDATE_RULES[name](w, dw, config)


@pytest.mark.parametrize(
    "name, config, match",
    [
        ("sgd_momentum", {"momentum": 1.0}, r"momentum must be in \[0, 1\)"),
        ("nesterov", {"momentum": -0.1}, "momentum must be >= 0"),
        ("rmsprop", {"decay_rate": 1.5}, "decay_rate must be in"),
        ("adam", {"beta1": 1.2}, "beta1 must be in"),
        ("adam", {"beta2": None}, "beta2 must be a number"),
        ("adagrad", {"epsilon": 0.0}, "epsilon must be > 0"),
        ("adam", {"t": -1}, "t must be >= 0"),
        ("adam", {"t": 1.5}, "t must be an integer"),
        ("sgd_momentum", {"velocity": np.zeros(3)}, r"config\['velocity'\] must have the shape of w"),
        ("rmsprop", {"cache": np.zeros((2, 3))}, r"config\['cache'\] must have the shape"),
        ("adam", {"m": np.zeros(4)}, r"config\['m'\] must have the shape"),
    ],
)
def test_bad_hyperparameter_or_state(name, config, match):
    with pytest.raises(ValueError, match=match):
        UPDATE_RULES[name](W0, G1, config)


# --- learning-rate schedules -----------------------------------------------


def test_schedules_at_chosen_t():
    a0 = 0.1
    const = make_schedule(None, a0)
    assert [const(t) for t in (0, 7)] == [a0, a0]
    # step: halve every 3 steps -> t=0,2: a0; t=3,5: a0/2; t=6,7: a0/4
    step = make_schedule("step", a0, decay=0.5, step_size=3)
    assert [step(t) for t in (0, 2, 3, 5, 6, 7)] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    expo = make_schedule("exponential", a0, k=0.1)
    # t=10: a0 * e^-1 = 0.1 * 0.36787944 = 0.036787944
    assert [expo(0), expo(10)] == pytest.approx([0.1, 0.036787944117144])
    assert expo(5) == pytest.approx(a0 * math.exp(-0.5))
    inv = make_schedule("inverse_time", a0, k=0.5)
    # t=2: 0.1 / (1 + 1) = 0.05; t=6: 0.1 / (1 + 3) = 0.025
    assert [inv(0), inv(2), inv(6)] == pytest.approx([0.1, 0.05, 0.025])
    custom = lambda t: 1.0 / (t + 1)  # noqa: E731
    assert make_schedule(custom, a0) is custom


@pytest.mark.parametrize(
    "schedule, lr, kwargs, match",
    [
        ("cosine", 0.1, {}, "lr_schedule must be one of"),
        ("constant", -0.1, {}, "learning_rate must be > 0"),
        ("step", 0.1, {"decay": -0.5}, "decay must be > 0"),
        ("step", 0.1, {"decay": 1.5}, r"decay must be in \(0, 1\]"),
        ("step", 0.1, {"step_size": 0}, "step_size must be >= 1"),
        ("step", 0.1, {"step_size": 2.5}, "step_size must be an integer"),
        ("exponential", 0.1, {"k": -1.0}, "k must be >= 0"),
        ("inverse_time", 0.1, {"k": "fast"}, "k must be a number"),
        ("step", 0.1, {"k": 0.1}, r"lr_schedule_kwargs \['k'\] do not fit lr_schedule='step'"),
        ("constant", 0.1, {"decay": 0.5}, "which takes no keywords"),
    ],
)
def test_bad_schedule_parameters(schedule, lr, kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_schedule(schedule, lr, **kwargs)


def test_training_loop_hook():
    # What LinearClassifier.train does: config["learning_rate"] = schedule(t).
    sched = make_schedule("step", 0.1, decay=0.5, step_size=1)
    w, config = np.array([1.0]), {}
    for t in range(3):
        config["learning_rate"] = sched(t)
        w, config = get_update_rule("sgd_momentum")(w, np.array([1.0]), config)
    # v: -0.1; 0.9*(-0.1) - 0.05 = -0.14; 0.9*(-0.14) - 0.025 = -0.151
    # w: 1 - 0.1 - 0.14 - 0.151 = 0.609
    assert w[0] == pytest.approx(0.609)


@pytest.mark.parametrize("name", ALL_RULES)
def test_float32_in_float32_out(name):
    """The module docstring's dtype promise: float32 w and dw keep next_w and the state float32."""
    rule = UPDATE_RULES[name]
    w, config = W0.astype(np.float32), {"learning_rate": 0.1}
    for g in (G1, G2):
        w, config = rule(w, g.astype(np.float32), config)
        assert w.dtype == np.float32
        assert all(v.dtype == np.float32 for v in config.values() if isinstance(v, np.ndarray))
    assert rule(W0, G1, {"learning_rate": 0.1})[0].dtype == np.float64
