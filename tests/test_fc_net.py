"""FullyConnectedNet: parameters and initialization, gradients at any depth, bad input."""

import numpy as np
import pytest

from cs231n_lite.classifiers.fc_net import FullyConnectedNet
from cs231n_lite.classifiers.two_layer_net import TwoLayerNet
from cs231n_lite.gradient_check import eval_numerical_gradient, rel_error


def test_parameters_cs231n_names_shapes_and_dtype():
    net = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, seed=0)
    assert net.num_layers == 3
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (15, 20), "b1": (20,), "W2": (20, 30), "b2": (30,), "W3": (30, 10), "b3": (10,)}
    assert all(v.dtype == np.float32 for v in net.params.values())
    assert all(np.all(net.params[f"b{l}"] == 0) for l in (1, 2, 3))
    linear = FullyConnectedNet([], input_dim=15, num_classes=10, dtype=np.float64)
    assert sorted(linear.params) == ["W1", "b1"] and linear.params["W1"].dtype == np.float64


@pytest.mark.parametrize("scale, gain", [(0.05, None), ("kaiming", 2.0), ("xavier", 1.0)])
def test_initialization_standard_deviations(scale, gain):
    net = FullyConnectedNet([800, 200], input_dim=500, num_classes=10, weight_scale=scale, seed=1)
    for l, fan_in in ((1, 500), (2, 800), (3, 200)):
        expected = scale if gain is None else np.sqrt(gain / fan_in)
        assert net.params[f"W{l}"].std() == pytest.approx(expected, rel=0.05)
        assert abs(net.params[f"W{l}"].mean()) < 0.1 * expected


def test_seed_decides_the_weights():
    a, b, c = (FullyConnectedNet([10], input_dim=8, num_classes=3, seed=s).params for s in (1, 1, 2))
    assert np.array_equal(a["W1"], b["W1"]) and not np.array_equal(a["W1"], c["W1"])


def _kink_free(hidden, reg, seed=0, D=7, C=4, N=6):
    """A float64 net whose ReLU inputs are at least 1e-3 away from 0 on X."""
    for s in range(seed, seed + 200):
        net = FullyConnectedNet(hidden, input_dim=D, num_classes=C, reg=reg,
                                weight_scale="kaiming", dtype=np.float64, seed=s)
        rng = np.random.default_rng(s)
        net.params = {k: v + 0.1 * rng.standard_normal(v.shape) if k.startswith("b") else v
                      for k, v in net.params.items()}
        X = rng.standard_normal((N, D))
        h, ok = X, True
        for l in range(1, len(hidden) + 1):
            pre = h @ net.params[f"W{l}"] + net.params[f"b{l}"]
            ok &= bool(np.abs(pre).min() > 1e-3)
            h = np.maximum(pre, 0)
        if ok:
            return net, X, rng.integers(0, C, N)
    raise AssertionError("no kink-free net found")


@pytest.mark.parametrize("hidden", [[], [9], [9, 8], [5, 6, 7, 4]])
@pytest.mark.parametrize("reg", [0.0, 3.14])
def test_gradients_match_numerical_at_any_depth(hidden, reg):
    net, X, y = _kink_free(hidden, reg)
    loss, grads = net.loss(X, y)
    assert sorted(grads) == sorted(net.params)
    for name, param in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], param)
        # with reg > 0 the loss is in the hundreds: the difference quotient loses digits
        assert rel_error(grads[name], num) < (1e-7 if reg == 0 else 1e-6), name


def test_regularization_weights_only():
    net, X, y = _kink_free([9, 8], 0.0)
    base = net.loss(X, y)[0]
    net.reg = 0.5
    weights = sum(np.sum(v ** 2) for k, v in net.params.items() if k.startswith("W"))
    assert net.loss(X, y)[0] - base == pytest.approx(0.5 * weights)


def test_one_hidden_layer_equals_two_layer_net():
    fc = FullyConnectedNet([7], input_dim=5, num_classes=3, reg=0.2, dtype=np.float64, seed=0)
    two = TwoLayerNet(5, 7, 3, reg=0.2)
    two.params = {k: v.copy() for k, v in fc.params.items()}
    X, y = np.random.default_rng(0).standard_normal((4, 5)), np.array([0, 1, 2, 1])
    loss_fc, grads_fc = fc.loss(X, y)
    loss_two, grads_two = two.loss(X, y)
    assert loss_fc == pytest.approx(loss_two)
    assert all(np.allclose(grads_fc[k], grads_two[k]) for k in grads_two)


def test_images_and_float32():
    net = FullyConnectedNet([16, 16], input_dim=48, num_classes=5, weight_scale="kaiming", seed=0)
    X = np.random.default_rng(1).standard_normal((4, 4, 4, 3)).astype(np.float32)
    scores = net.loss(X)
    assert scores.shape == (4, 5) and scores.dtype == np.float32
    _, grads = net.loss(X, np.array([0, 1, 2, 3]))
    assert all(g.dtype == np.float32 for g in grads.values())


@pytest.mark.parametrize("kwargs, name", [
    ({"hidden_dims": 10}, "hidden_dims must be a list"),
    ({"hidden_dims": [10, 0]}, r"hidden_dims\[1\]"),
    ({"input_dim": 0}, "input_dim"),
    ({"num_classes": 1.5}, "num_classes"),
    ({"reg": -1.0}, "reg"),
    ({"weight_scale": "he"}, "weight_scale must be a number > 0 or one of"),
    ({"weight_scale": 0.0}, "weight_scale"),
    ({"dtype": np.int32}, "dtype must be a floating type"),
    ({"seed": -2}, "seed"),
])
def test_constructor_bad_input(kwargs, name):
    args = {"hidden_dims": [10], "input_dim": 6, "num_classes": 3, **kwargs}
    with pytest.raises(ValueError, match=name):
        FullyConnectedNet(**args)


@pytest.mark.parametrize("call, name", [
    (lambda net: net.loss(np.ones((3, 5))), "X must have shape"),
    (lambda net: net.loss(np.ones((3, 6)), np.array([0, 1, 3])), "y holds labels out of range"),
    (lambda net: net.loss(np.ones((3, 6)), np.zeros((3, 1), int)), r"y.ravel\(\)"),
    (lambda net: net.loss(np.full((3, 6), np.nan)), "X contains"),
])
def test_loss_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call(FullyConnectedNet([4], input_dim=6, num_classes=3))
