"""Public checks of the fc_net part: FullyConnectedNet's initialization and loss.

References: the initialization formulas of the module docstring (checked on
the statistics of large random matrices), hand-worked scores, and numerical
gradients of the student's own loss. ``FullyConnectedNet.loss`` depends on
the layers of the two_layer_net part, which are blamed first when they fail.
"""

from __future__ import annotations

import numpy as np

from .base import Wrong, check, expect_array, expect_close, expect_scalar
from .two_layer_net import LAYER_CHECKS, expect_dtype, grad_check_model, unchanged

MOD = "cs231n_lite.classifiers.fc_net"


def _names(L):
    return [f"{p}{l}" for l in range(1, L + 1) for p in ("W", "b")]


@check("fc_net", MOD, "FullyConnectedNet.__init__")
def fc_init(m):
    where = "for FullyConnectedNet([20, 30], input_dim=15, num_classes=10, seed=0)"
    net = m.FullyConnectedNet([20, 30], input_dim=15, num_classes=10, seed=0)
    params = net.params
    if sorted(params) != sorted(_names(3)):
        raise Wrong(f"params should hold exactly {', '.join(_names(3))} {where}, got "
                    f"{', '.join(sorted(params)) or 'nothing'}")
    for name, shape in (("W1", (15, 20)), ("b1", (20,)), ("W2", (20, 30)), ("b2", (30,)),
                        ("W3", (30, 10)), ("b3", (10,))):
        value = expect_array(f"params[{name!r}]", params[name], shape, where)
        expect_dtype(f"params[{name!r}]", value, np.float32, where + " (default dtype=np.float32)",
                     fix="cast every parameter with .astype(self.dtype)")
        if name[0] == "b" and np.any(value != 0):
            raise Wrong(f"params[{name!r}] should start at 0 {where}, got {value}")
    again = m.FullyConnectedNet([20, 30], input_dim=15, num_classes=10, seed=0).params
    other = m.FullyConnectedNet([20, 30], input_dim=15, num_classes=10, seed=1).params
    if not np.array_equal(again["W2"], params["W2"]) or np.array_equal(other["W2"], params["W2"]):
        raise Wrong(f"the weights must come from np.random.default_rng(seed) {where}: the same "
                    f"seed must give the same W2, another seed another one")
    net64 = m.FullyConnectedNet([20], input_dim=15, num_classes=10, dtype=np.float64, seed=0)
    for name in _names(2):
        expect_dtype(f"params[{name!r}]", net64.params[name], np.float64, "with dtype=np.float64",
                     fix="cast every parameter with .astype(self.dtype)")
    single = m.FullyConnectedNet([], input_dim=15, num_classes=10, seed=0).params
    if sorted(single) != ["W1", "b1"] or np.shape(single["W1"]) != (15, 10):
        raise Wrong("FullyConnectedNet([], input_dim=15, num_classes=10) (no hidden layer) should "
                    f"have only W1 (15, 10) and b1 (10,), got "
                    f"{ {k: np.shape(v) for k, v in single.items()} }")
    # the standard deviations, on matrices large enough to measure them to ~2%
    dims = [400, 900, 100, 10]
    for scale, expected in ((0.05, [0.05, 0.05, 0.05]),
                            ("kaiming", [np.sqrt(2 / d) for d in dims[:3]]),
                            ("xavier", [np.sqrt(1 / d) for d in dims[:3]])):
        where = (f"for FullyConnectedNet([900, 100], input_dim=400, weight_scale={scale!r}) "
                 f"(fan-ins 400, 900, 100)")
        big = m.FullyConnectedNet([900, 100], input_dim=400, num_classes=10,
                                  weight_scale=scale, seed=0).params
        stds = [float(np.std(big[f"W{l}"])) for l in (1, 2, 3)]
        means = [float(np.mean(big[f"W{l}"])) for l in (1, 2, 3)]
        if not np.allclose(stds, expected, rtol=0.06) or not np.allclose(means, 0, atol=0.01):
            raise Wrong(f"the weights' standard deviations should be "
                        f"{[round(float(e), 4) for e in expected]} {where}, got "
                        f"{[round(s, 4) for s in stds]} (means {[round(x, 4) for x in means]}); see "
                        f"the formulas in the fc_net module docstring (fan-in = rows of W)")


def _kink_free(m, hidden_dims, reg, seed=0, D=6, C=4, N=5):
    """A float64 net and data whose ReLU inputs stay away from 0."""
    net = m.FullyConnectedNet(hidden_dims, input_dim=D, num_classes=C, reg=reg,
                              weight_scale=0.5, dtype=np.float64, seed=seed)
    L = len(hidden_dims) + 1
    for s in range(seed, seed + 200):
        rng = np.random.default_rng(s)
        X = rng.standard_normal((N, D))
        dims = [D] + list(hidden_dims) + [C]
        params, h, ok = {}, X, True
        for l in range(1, L + 1):
            params[f"W{l}"] = rng.standard_normal((dims[l - 1], dims[l])) / np.sqrt(dims[l - 1]) * 1.5
            params[f"b{l}"] = 0.1 * rng.standard_normal(dims[l])
            pre = h @ params[f"W{l}"] + params[f"b{l}"]
            if l < L:
                ok = ok and np.abs(pre).min() > 0.02 and 0.1 < np.mean(pre > 0) < 0.9
                h = np.maximum(pre, 0)
        if ok:
            break
    net.params = params
    return net, X, rng.integers(0, C, N)


@check("fc_net", MOD, "FullyConnectedNet.loss", depends=LAYER_CHECKS + ("FullyConnectedNet.__init__",))
def fc_loss(m):
    # hand: one hidden layer, W1 = I (2x2), b1 = [0, -1], W2 = [[1, 0], [0, 1]], b2 = [0, 0.5]
    net = m.FullyConnectedNet([2], input_dim=2, num_classes=2, dtype=np.float64, seed=0)
    net.params = {"W1": np.eye(2), "b1": np.array([0.0, -1.0]),
                  "W2": np.array([[1.0, 2.0], [0.0, 1.0]]), "b2": np.array([0.0, 0.5])}
    X = np.array([[3.0, 0.5], [-1.0, 4.0]])
    where = ("for FullyConnectedNet([2]) with W1 = I, b1 = [0, -1], W2 = [[1, 2], [0, 1]], "
             "b2 = [0, 0.5] on X = [[3, 0.5], [-1, 4]]")
    scores = net.loss(X)
    if isinstance(scores, tuple):
        raise Wrong(f"loss(X) without y should return the scores only {where}, got a tuple")
    scores = expect_array("scores", scores, (2, 2), where)
    # hidden = ReLU([[3, -0.5], [-1, 3]]) = [[3, 0], [0, 3]]; scores = [[3, 6.5], [0, 3.5]]
    expect_close("scores", scores, [[3.0, 6.5], [0.0, 3.5]], where + " (affine - ReLU - affine)")
    unchanged("X", np.array([[3.0, 0.5], [-1.0, 4.0]]), X, "FullyConnectedNet.loss", where,
              why="X is the caller's data")
    for hidden_dims in ([7, 6], [5, 4, 6, 3]):
        for reg in (0.0, 3.14):
            net, Xr, yr = _kink_free(m, hidden_dims, reg)
            L = len(hidden_dims) + 1
            grad_check_model(net, Xr, yr, f"for a float64 FullyConnectedNet({hidden_dims}) ({L} "
                                          f"layers, reg={reg}) on 5 samples", tol=1e-6)
    net, Xr, yr = _kink_free(m, [7, 6], 0.0)
    base = net.loss(Xr, yr)[0]
    net.reg = 0.7
    weights = sum(float(np.sum(v ** 2)) for k, v in net.params.items() if k.startswith("W"))
    expect_close("loss", net.loss(Xr, yr)[0] - base, 0.7 * weights,
                 "for FullyConnectedNet([7, 6]) with reg 0.7 minus reg 0 (reg * sum of W**2 over "
                 "the weight matrices W1, W2, W3, never the biases)")
    net, Xr, yr = _kink_free(m, [], 0.0)
    grad_check_model(net, Xr, yr, "for FullyConnectedNet([]) (one affine layer, no hidden layer)")
    small = m.FullyConnectedNet([20, 20], input_dim=12, num_classes=10, weight_scale=1e-3,
                                dtype=np.float64, seed=0)
    X4 = np.random.default_rng(4).standard_normal((40, 3, 4))
    where = "for weights of scale 1e-3 (10 classes) on X of shape (40, 3, 4)"
    loss = expect_scalar("loss", small.loss(X4, np.arange(40) % 10)[0], where)
    expect_close("loss", loss, np.log(10), where + " (all scores near 0: about log(10))", rtol=1e-3)
    net32 = m.FullyConnectedNet([8, 8], input_dim=6, num_classes=4, weight_scale="kaiming", seed=0)
    _, grads32 = net32.loss(np.ones((3, 6), dtype=np.float32), np.array([0, 1, 2]))
    for name in _names(3):
        expect_dtype(f"grads[{name!r}]", grads32.get(name), np.float32, "for a float32 net and X")
