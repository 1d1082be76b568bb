"""Hidden tests, optim part (15 points in rubric.toml): three steps with changing gradients,
against the grader's own implementations of the published formulas (never released)."""

import numpy as np
from hidden_helpers import student

W0 = np.array([[0.3, -1.2], [2.0, 0.0]])
GRADS = [np.array([[0.1, -0.4], [1.5, 0.2]]), np.array([[-0.3, 0.2], [0.5, 0.0]]),
         np.array([[0.2, 0.1], [-1.0, 0.7]])]


def _run(name, config):
    rule = getattr(student("optim"), name)
    w, cfg = W0.copy(), dict(config)
    for g in GRADS:
        before = w.copy()
        w, cfg = rule(w, g.copy(), cfg)
        assert np.array_equal(before, w) is False or np.all(g == 0), f"{name} did not move"
    return np.asarray(w), cfg


def _reference(name, lr, **hp):
    w, v, c, m, t = W0.copy(), np.zeros_like(W0), np.zeros_like(W0), np.zeros_like(W0), 0
    for g in GRADS:
        if name == "sgd":
            w = w - lr * g
        elif name == "sgd_momentum":
            v = hp["momentum"] * v - lr * g
            w = w + v
        elif name == "nesterov":
            v_prev, v = v, hp["momentum"] * v - lr * g
            w = w - hp["momentum"] * v_prev + (1 + hp["momentum"]) * v
        elif name == "adagrad":
            c = c + g**2
            w = w - lr * g / (np.sqrt(c) + 1e-8)
        elif name == "rmsprop":
            c = hp["decay_rate"] * c + (1 - hp["decay_rate"]) * g**2
            w = w - lr * g / (np.sqrt(c) + 1e-8)
        elif name == "adam":
            t += 1
            m = hp["beta1"] * m + (1 - hp["beta1"]) * g
            v = hp["beta2"] * v + (1 - hp["beta2"]) * g**2
            mh, vh = m / (1 - hp["beta1"] ** t), v / (1 - hp["beta2"] ** t)
            w = w - lr * mh / (np.sqrt(vh) + 1e-8)
    return w


def _check(name, **hp):
    w, _ = _run(name, {"learning_rate": 0.05, **hp})
    expected = _reference(name, 0.05, **hp)
    assert np.allclose(w, expected, rtol=1e-7, atol=1e-9), \
        f"{name} after three steps: expected {expected.round(6).tolist()}, got {w.round(6).tolist()}"


def test_sgd_momentum():
    _check("sgd_momentum", momentum=0.8)


def test_nesterov():
    _check("nesterov", momentum=0.8)


def test_adagrad():
    _check("adagrad")


def test_rmsprop():
    _check("rmsprop", decay_rate=0.9)


def test_adam():
    _check("adam", beta1=0.8, beta2=0.95)
    _, cfg = _run("adam", {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.95})
    assert cfg.get("t") == 3, f"adam's t should count 3 steps, got {cfg.get('t')}"
