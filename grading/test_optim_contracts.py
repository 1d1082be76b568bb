"""Hidden tests, optim part: every contract the docstrings of the five update rules of the
optimizers notebook promise (``sgd`` is the svm notebook's and is graded there).

Each rule runs three steps on a (3, 4) weight with gradients of different sizes, every
hyperparameter at a non-default value and a learning rate that changes between the steps (as
a schedule does); next_w and the state are compared after every step with the grader's own
implementation of the published formula (Nesterov in Sutskever's theta form, compared at the
look-ahead points). Then: Adam's bias-corrected first step, no input modified in place, float32
kept, convergence on a bowl. Points in rubric.toml under [parts.optim].
"""

import numpy as np
from hidden_helpers import changed_inputs, student

RULES = ("sgd_momentum", "nesterov", "adagrad", "rmsprop", "adam")
_rng = np.random.default_rng(2024)
W = _rng.standard_normal((3, 4))
GRADS = [s * _rng.standard_normal((3, 4)) for s in (1.0, 0.2, 3.0)]
LRS = (0.05, 0.02, 0.01)
STATE_KEYS = {"sgd_momentum": ("velocity",), "nesterov": ("velocity",), "adagrad": ("cache",),
              "rmsprop": ("cache",), "adam": ("m", "v", "t")}


def _reference(name, hp):
    """[(next_w, state)] after each of the three steps, from the papers' formulas."""
    eps = hp.get("epsilon", 1e-8)
    out, w = [], W.copy()
    theta, vel, cache, m, v, t = W.copy(), np.zeros_like(W), np.zeros_like(W), 0.0 * W, 0.0 * W, 0
    for g, lr in zip(GRADS, LRS):
        if name == "sgd_momentum":
            vel = hp["momentum"] * vel - lr * g
            w = w + vel
            state = {"velocity": vel}
        elif name == "nesterov":  # Sutskever et al. (2013): g is taken at theta + mu * v
            vel = hp["momentum"] * vel - lr * g
            theta = theta + vel
            w = theta + hp["momentum"] * vel
            state = {"velocity": vel}
        elif name == "adagrad":
            cache = cache + g * g
            w = w - lr * g / (np.sqrt(cache) + eps)
            state = {"cache": cache}
        elif name == "rmsprop":
            cache = hp["decay_rate"] * cache + (1 - hp["decay_rate"]) * g * g
            w = w - lr * g / (np.sqrt(cache) + eps)
            state = {"cache": cache}
        else:
            t += 1
            m = hp["beta1"] * m + (1 - hp["beta1"]) * g
            v = hp["beta2"] * v + (1 - hp["beta2"]) * g * g
            w = w - lr * (m / (1 - hp["beta1"] ** t)) / (np.sqrt(v / (1 - hp["beta2"] ** t)) + eps)
            state = {"m": m, "v": v, "t": t}
        out.append((w, state))
    return out


def _three_steps(name, hp):
    """Run the student's rule through the three steps and compare with the reference."""
    rule = getattr(student("optim"), name)
    config, w = {"learning_rate": LRS[0], **hp}, W.copy()
    for step, ((exp_w, exp_state), g, lr) in enumerate(zip(_reference(name, hp), GRADS, LRS), start=1):
        config = dict(config, learning_rate=lr)
        w, config = rule(w, g.copy(), config)
        where = f"{name} with {hp}, step {step} (learning_rate {lr})"
        w = np.asarray(w, dtype=float)
        assert w.shape == W.shape, f"{where}: next_w has shape {w.shape}, expected {W.shape}"
        assert np.allclose(w, exp_w, rtol=1e-7, atol=1e-9), \
            f"{where}: next_w expected {exp_w.round(6).tolist()}, got {w.round(6).tolist()}"
        for key, value in exp_state.items():
            assert key in config, f"{where}: the returned config lacks the state {key!r}"
            if key == "t":
                assert isinstance(config["t"], (int, np.integer)) and config["t"] == value, \
                    f"{where}: config['t'] should be the int {value}, got {config['t']!r}"
                continue
            got = np.asarray(config[key], dtype=float)
            assert got.shape == W.shape, \
                f"{where}: config[{key!r}] has shape {got.shape}, expected {W.shape}"
            assert np.allclose(got, value, rtol=1e-7, atol=1e-12), \
                f"{where}: config[{key!r}] expected {value.round(6).tolist()}, " \
                f"got {got.round(6).tolist()}"


def test_sgd_momentum_keywords_and_schedule():
    _three_steps("sgd_momentum", {"momentum": 0.6})


def test_nesterov_lookahead_form():
    _three_steps("nesterov", {"momentum": 0.7})


def test_adagrad_keywords_and_schedule():
    _three_steps("adagrad", {"epsilon": 0.3})


def test_rmsprop_keywords_and_schedule():
    _three_steps("rmsprop", {"decay_rate": 0.8})
    _three_steps("rmsprop", {"decay_rate": 0.9, "epsilon": 0.2})


def test_adam_keywords_and_schedule():
    _three_steps("adam", {"beta1": 0.7, "beta2": 0.9})
    _three_steps("adam", {"beta1": 0.0, "beta2": 0.5, "epsilon": 0.1})


def test_adam_first_step_is_lr_times_sign():
    """Bias correction with t = 1: the first step is learning_rate * sign(dw), whatever |dw|."""
    adam = student("optim").adam
    w0 = np.array([[0.5, -1.0, 2.0], [0.0, 3.0, -4.0]])
    g = np.array([[0.05, -200.0, 3.0], [-0.7, 12.0, 0.5]])
    for hp in ({}, {"beta1": 0.5, "beta2": 0.9}):
        next_w, config = adam(w0.copy(), g.copy(), {"learning_rate": 0.2, **hp})
        expected = w0 - 0.2 * np.sign(g)
        next_w = np.asarray(next_w, dtype=float)
        assert np.allclose(next_w, expected, rtol=1e-6, atol=1e-6), \
            f"adam's first step with {hp}: expected w - 0.2 * sign(dw) = {expected.tolist()}, " \
            f"got {next_w.round(6).tolist()} (bias correction with t = 1?)"
        assert config.get("t") == 1, \
            f"adam: t should be 1 after the first step, got {config.get('t')!r}"
        b1, b2 = hp.get("beta1", 0.9), hp.get("beta2", 0.999)
        assert np.allclose(config["m"], (1 - b1) * g) and np.allclose(config["v"], (1 - b2) * g * g), \
            "adam: the state m, v must hold the moving averages, not their bias-corrected values"


def _step_changes(rule, w, dw, config):
    """One step of ``rule`` and the names of the inputs it modified in place (``config``
    when a state array inside the config dict changed)."""
    return changed_inputs(rule, w, dw, config)


def test_rules_leave_inputs_alone():
    optim = student("optim")
    for name in RULES:
        rule = getattr(optim, name)
        (_, config), changed = _step_changes(rule, W.copy(), GRADS[0].copy(), {"learning_rate": 0.05})
        assert not changed, f"{name} modified {changed} in place on the first step; return new arrays"
        config = {k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in config.items()}
        _, changed = _step_changes(rule, W.copy(), GRADS[1].copy(), config)
        assert not changed, (f"{name} modified {changed} in place on the second step (the state the "
                             f"caller passed in); build new arrays (v = ..., never v *= ...)")


def test_rules_keep_float32():
    optim = student("optim")
    for name in RULES:
        rule = getattr(optim, name)
        w, config = W.astype(np.float32), {"learning_rate": 0.01}
        for g in GRADS[:2]:
            w, config = rule(w, g.astype(np.float32), config)
            assert np.asarray(w).dtype == np.float32, \
                f"{name}: float32 w and dw gave next_w of dtype {np.asarray(w).dtype}"
            for key in STATE_KEYS[name]:
                if key != "t":
                    dtype = np.asarray(config[key]).dtype
                    assert dtype == np.float32, \
                        f"{name}: float32 w and dw gave config[{key!r}] of dtype {dtype}"


def test_rules_converge_on_a_bowl():
    """f(w) = 0.5 * sum(a * w**2), a = (0.5, 4): 400 steps at the defaults shrink f 1000-fold."""
    optim = student("optim")
    a = np.array([0.5, 4.0])
    for name, lr in (("sgd_momentum", 0.05), ("nesterov", 0.05), ("adagrad", 0.5), ("rmsprop", 0.01),
                     ("adam", 0.05)):
        rule = getattr(optim, name)
        w, config = np.array([2.0, -1.0]), {"learning_rate": lr}
        f0 = 0.5 * np.sum(a * w**2)
        for _ in range(400):
            w, config = rule(w, a * np.asarray(w), config)
        f = 0.5 * np.sum(a * np.asarray(w, dtype=float) ** 2)
        assert np.isfinite(f) and f < f0 / 1000, \
            f"{name} (learning_rate {lr}) on the bowl: f went from {f0:.3g} to {f:.3g}, " \
            f"expected below {f0 / 1000:.3g}"
