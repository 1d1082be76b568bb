"""Hidden tests, fc_net part: FullyConnectedNet (points in rubric.toml)."""

import numpy as np
from hidden_helpers import blobs, changed_inputs, num_grad, rel_error, student


def _fc():
    return student("classifiers.fc_net").FullyConnectedNet


def _names(L):
    return sorted(f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b"))


def _reference_loss(params, X, y, reg, L):
    """The grader's own forward pass and loss (never released)."""
    h = X.reshape(len(X), -1)
    for l in range(1, L):
        h = np.maximum(0, h @ params[f"W{l}"] + params[f"b{l}"])
    s = h @ params[f"W{L}"] + params[f"b{L}"]
    z = s - s.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    reg_term = reg * sum(np.sum(params[f"W{l}"] ** 2) for l in range(1, L + 1))
    return s, float(-logp[np.arange(len(y)), y].mean() + reg_term)


def _random_params(rng, dims):
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = rng.standard_normal((dims[l - 1], dims[l])) / np.sqrt(dims[l - 1]) * 1.5
        params[f"b{l}"] = 0.1 * rng.standard_normal(dims[l])
    return params


def test_init_names_shapes_dtype_and_seed():
    net = _fc()([20, 30], input_dim=15, num_classes=10, seed=3)
    params = net.params
    assert sorted(params) == _names(3), f"params {sorted(params)}"
    shapes = {k: np.shape(v) for k, v in params.items()}
    assert shapes == {"W1": (15, 20), "b1": (20,), "W2": (20, 30), "b2": (30,), "W3": (30, 10),
                      "b3": (10,)}, shapes
    assert all(np.asarray(v).dtype == np.float32 for v in params.values()), "default float32"
    assert all(np.all(params[f"b{l}"] == 0) for l in (1, 2, 3)), "biases start at 0"
    again = _fc()([20, 30], input_dim=15, num_classes=10, seed=3).params
    assert all(np.array_equal(params[k], again[k]) for k in params), "same seed, same weights"
    p64 = _fc()([4], input_dim=5, num_classes=3, dtype=np.float64, seed=0).params
    assert all(np.asarray(v).dtype == np.float64 for v in p64.values()), "dtype=np.float64"
    assert sorted(_fc()([], input_dim=5, num_classes=3).params) == ["W1", "b1"], "no hidden layer"


def test_init_scales():
    dims = [500, 800, 200, 10]
    for scale in (0.02, "kaiming", "xavier"):
        params = _fc()(dims[1:3], input_dim=500, num_classes=10, weight_scale=scale, seed=1).params
        for l in (1, 2, 3):
            fan_in = dims[l - 1]
            expected = {"kaiming": np.sqrt(2 / fan_in), "xavier": np.sqrt(1 / fan_in)}.get(scale, scale)
            std = float(np.std(params[f"W{l}"]))
            assert abs(std / expected - 1) < 0.06, f"W{l} std {std:.4f}, expected {expected:.4f} ({scale})"


def test_scores_match_reference_on_images():
    rng = np.random.default_rng(2)
    dims = [12, 7, 6, 4]
    params = _random_params(rng, dims)
    net = _fc()([7, 6], input_dim=12, num_classes=4, dtype=np.float64)
    net.params = params
    X = rng.standard_normal((5, 3, 4))
    scores, changed = changed_inputs(net.loss, X)
    assert changed == [], "loss modified X in place"
    assert np.allclose(scores, _reference_loss(params, X, np.zeros(5, int), 0.0, 3)[0]), "scores"


def test_gradients_reg_zero():
    _gradient_check([9, 7], 0.0, seed=3)


def test_gradients_reg_positive():
    _gradient_check([9, 7], 3.14, seed=4)


def test_gradients_deep_and_shallow():
    _gradient_check([6, 5, 7, 4], 0.5, seed=5)
    _gradient_check([], 0.2, seed=6)


def _gradient_check(hidden, reg, seed):
    rng = np.random.default_rng(seed)
    D, C, N = 6, 4, 5
    dims = [D] + hidden + [C]
    params = _random_params(rng, dims)
    X, y = rng.standard_normal((N, D)), rng.integers(0, C, N)
    net = _fc()(hidden, input_dim=D, num_classes=C, reg=reg, dtype=np.float64)
    net.params = {k: v.copy() for k, v in params.items()}
    L = len(dims) - 1
    loss, grads = net.loss(X, y)
    assert abs(loss - _reference_loss(params, X, y, reg, L)[1]) < 1e-10, f"loss (reg={reg})"
    assert sorted(grads) == _names(L), f"one gradient per parameter: got {sorted(grads)}"
    for name in params:
        def f(value, name=name):
            return _reference_loss({**params, name: value}, X, y, reg, L)[1]
        err = rel_error(grads[name], num_grad(f, params[name].copy()))
        assert err < 1e-6, f"grads[{name!r}] ({L} layers, reg={reg}): rel error {err:.1e}"


def test_float32_gradients():
    net = _fc()([8, 8], input_dim=6, num_classes=4, weight_scale="kaiming", seed=0)
    _, grads = net.loss(np.ones((3, 6), dtype=np.float32), np.array([0, 1, 2]))
    dtypes = {k: str(np.asarray(v).dtype) for k, v in grads.items()}
    assert set(dtypes.values()) == {"float32"}, dtypes


def test_overfits_small_data_with_the_solver():
    X, y = blobs(seed=7, n=50, classes=5, dim=12, spread=1.0, noise=1.0)
    net = _fc()([50, 50], input_dim=12, num_classes=5, weight_scale="kaiming", seed=0)
    solver = student("solver").Solver(net, {"X_train": X, "y_train": y, "X_val": X, "y_val": y},
                                      update_rule="sgd", optim_config={"learning_rate": 0.1},
                                      batch_size=25, num_epochs=60, verbose=False,
                                      progress_bar=False, seed=0)
    solver.train()
    assert max(solver.train_acc_history) == 1.0, f"50 examples not overfit: {solver.train_acc_history[-5:]}"
