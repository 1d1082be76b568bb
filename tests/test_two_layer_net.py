"""TwoLayerNet: a forward pass by hand, gradients, training loop, bad input."""

import numpy as np
import pytest

from conftest import named

from cs231n_lite import optim
from cs231n_lite.classifiers.two_layer_net import TwoLayerNet
from cs231n_lite.gradient_check import eval_numerical_gradient, rel_error


def tiny_net(reg=0.0):
    """D = H = C = 2 with hand-chosen weights (see test_forward_pass_by_hand)."""
    net = TwoLayerNet(2, 2, 2, reg=reg)
    net.params = {
        "W1": np.array([[1.0, -1.0], [0.5, 1.0]]), "b1": np.array([0.0, -2.0]),
        "W2": np.array([[1.0, -1.0], [3.0, 2.0]]), "b2": np.array([0.5, 0.0]),
    }
    return net


def test_forward_pass_by_hand():
    # x = [1, 2]
    # x W1      = [1*1 + 2*0.5, 1*(-1) + 2*1] = [2, 1];  + b1 = [2, -1]
    # ReLU      -> h = [2, 0]                  (unit 2 is off)
    # h W2      = [2*1 + 0*3, 2*(-1) + 0*2] = [2, -2]; + b2 = s = [2.5, -2]
    # softmax   p0 = 1 / (1 + e^(s1 - s0)) = 1 / (1 + e^-4.5) = sigmoid(4.5), p1 = 1 - p0
    # loss(y=0) = -log p0 = log(1 + e^-4.5)
    # backward with y = 0: ds = p - [1, 0] = [-p1, p1]
    #   dW2 = h^T ds = [[-2 p1, 2 p1], [0, 0]],  db2 = ds
    #   dh  = ds W2^T = [-p1*1 + p1*(-1), -p1*3 + p1*2] = [-2 p1, -p1]
    #   ReLU: unit 2 was off -> dz = [-2 p1, 0]
    #   dW1 = x^T dz = [[-2 p1, 0], [-4 p1, 0]],  db1 = dz
    # reg = 0.1 adds 0.1 * (sum W1^2 + sum W2^2) = 0.1 * (3.25 + 15) to the loss
    # and 2 * 0.1 * W to dW1, dW2.
    X, y = np.array([[1.0, 2.0]]), np.array([0])
    net = tiny_net()
    np.testing.assert_allclose(net.loss(X), [[2.5, -2.0]])
    p1 = 1.0 - 1.0 / (1.0 + np.exp(-4.5))
    loss, grads = net.loss(X, y)
    assert loss == pytest.approx(np.log1p(np.exp(-4.5)), rel=1e-12)
    np.testing.assert_allclose(grads["W2"], [[-2 * p1, 2 * p1], [0, 0]], rtol=1e-12)
    np.testing.assert_allclose(grads["b2"], [-p1, p1], rtol=1e-12)
    np.testing.assert_allclose(grads["W1"], [[-2 * p1, 0], [-4 * p1, 0]], rtol=1e-12)
    np.testing.assert_allclose(grads["b1"], [-2 * p1, 0], rtol=1e-12)
    assert net.predict(X).tolist() == [0]

    reg_net = tiny_net(reg=0.1)
    loss_r, grads_r = reg_net.loss(X, y)
    assert loss_r - loss == pytest.approx(0.1 * (3.25 + 15.0))
    np.testing.assert_allclose(grads_r["W1"] - grads["W1"], 0.2 * reg_net.params["W1"])
    np.testing.assert_allclose(grads_r["b1"], grads["b1"])  # biases are not regularized


def random_net(reg, seed=0, N=8, D=5, H=6, C=4):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(D, H, C, weight_scale=0.5, reg=reg, seed=seed)
    net.params["b1"] = 0.1 * rng.standard_normal(H)
    net.params["b2"] = 0.1 * rng.standard_normal(C)
    return net, rng.standard_normal((N, D)), rng.integers(0, C, size=N)


@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_gradients_match_numerical(reg):
    net, X, y = random_net(reg)
    pre = X @ net.params["W1"] + net.params["b1"]
    assert np.min(np.abs(pre)) > 1e-3  # away from the ReLU kink
    assert np.mean(pre > 0) < 0.9  # some units are off: the mask is exercised
    _, grads = net.loss(X, y)
    for name, param in net.params.items():
        num = eval_numerical_gradient(lambda _: net.loss(X, y)[0], param)
        assert rel_error(grads[name], num) < 1e-7, name


def test_scores_shape_and_reg_override():
    net, X, y = random_net(0.5)
    assert net.loss(X).shape == (8, 4)
    assert net.loss(X, y, reg=0.0)[0] < net.loss(X, y)[0]
    assert net.predict(X).shape == (8,)


def spirals(seed=0, N=300, C=3):
    """Two-dimensional interleaved spirals: not linearly separable."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(C), N // C)
    r = np.tile(np.linspace(0.1, 1, N // C), C)
    t = y * 2 * np.pi / C + 4 * r + 0.2 * rng.standard_normal(N)
    return np.c_[r * np.sin(t), r * np.cos(t)], y


@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_every_update_rule_learns(rule):
    X, y = spirals()
    net = TwoLayerNet(2, 50, 3, weight_scale=0.5, seed=1)
    lr = 0.5 if rule in ("sgd", "sgd_momentum", "nesterov") else 2e-2
    hist = net.train(X, y, X, y, learning_rate=lr, learning_rate_decay=1.0, num_iters=300,
                     batch_size=50, update_rule=rule)
    assert np.mean(hist["loss_history"][-20:]) < 0.7 * np.mean(hist["loss_history"][:5])
    assert hist["val_acc_history"][-1] > 0.8  # a linear softmax reaches about 0.57 here


def recording_rule(log):
    def rule(w, dw, config):
        config = dict(config)
        log.append(config["learning_rate"])
        return w, config
    return rule


def test_schedule_steps_per_epoch_and_history_lengths():
    X, y = spirals(N=60)  # batch 20 -> 3 iterations per epoch
    log = []
    net = TwoLayerNet(2, 4, 3)
    hist = net.train(X, y, X[:10], y[:10], learning_rate=1.0, learning_rate_decay=0.5,
                     num_iters=7, batch_size=20, update_rule=recording_rule(log))
    # 4 parameter arrays per step; epochs 0, 0, 0, 1, 1, 1, 2
    assert log[::4] == pytest.approx([1, 1, 1, 0.5, 0.5, 0.5, 0.25])
    assert len(hist["loss_history"]) == 7
    assert len(hist["train_acc_history"]) == len(hist["val_acc_history"]) == 3  # 2 + partial
    assert all(0 <= a <= 1 for a in hist["val_acc_history"])


def test_other_schedules_and_kwargs():
    X, y = spirals(N=60)
    log = []
    TwoLayerNet(2, 4, 3).train(X, y, X, y, learning_rate=1.0, num_iters=6, batch_size=30,
                               update_rule=recording_rule(log), lr_schedule="inverse_time",
                               lr_schedule_kwargs={"k": 1.0})
    assert log[::4] == pytest.approx([1, 1, 1 / 2, 1 / 2, 1 / 3, 1 / 3])


def test_float32_stays_float32_and_seed_is_deterministic():
    X, y = spirals(N=60)
    X = X.astype(np.float32)
    nets = [TwoLayerNet(2, 8, 3, weight_scale=0.5, dtype=np.float32) for _ in range(2)]
    hists = [net.train(X, y, X, y, learning_rate=0.5, num_iters=10, seed=2) for net in nets]
    assert hists[0] == hists[1]
    assert all(p.dtype == np.float32 for p in nets[0].params.values())
    assert nets[0].loss(X).dtype == np.float32


@pytest.mark.parametrize("call, name", [
    (lambda net, X, y: net.loss(X[:, :-1], y), named("X")),
    (lambda net, X, y: net.loss(X, y + 4), named("y")),
    (lambda net, X, y: net.loss(X, y[:, None]), r"y\.ravel"),
    (lambda net, X, y: net.loss(np.where(X > 0, np.nan, X), y), named("X")),
    (lambda net, X, y: net.loss(X, y, reg=-1), named("reg")),
    (lambda net, X, y: net.train(X, y, X[:, :2], y), named("X_val")),
    (lambda net, X, y: net.train(X, y, X, y[:-1]), named("y_val")),
    (lambda net, X, y: net.train(X, y, X, y, num_iters=0), named("num_iters")),
    (lambda net, X, y: net.train(X, y, X, y, batch_size=0), named("batch_size")),
    (lambda net, X, y: net.train(X, y, X, y, learning_rate_decay=2.0), named("learning_rate_decay")),
    (lambda net, X, y: net.train(X, y, X, y, update_rule="nope"), named("update_rule")),
    (lambda net, X, y: net.train(X, y, X, y, lr_schedule="nope"), named("lr_schedule")),
    (lambda net, X, y: net.predict(X[:, :-1]), named("X")),
])
def test_bad_input_names_the_argument(call, name):
    net, X, y = random_net(0.1)
    with pytest.raises(ValueError, match=name):
        call(net, X, y)


@pytest.mark.parametrize("kwargs, name", [
    ({"hidden_dim": 0}, "hidden_dim"), ({"input_dim": 2.5}, named("input_dim")),
    ({"weight_scale": 0.0}, "weight_scale"), ({"reg": -0.1}, named("reg")),
])
def test_constructor_bad_input(kwargs, name):
    args = {"input_dim": 3, "hidden_dim": 4, "num_classes": 2, **kwargs}
    with pytest.raises(ValueError, match=name):
        TwoLayerNet(**args)


def test_verbose_shows_a_progress_bar(capsys):
    X, y = spirals(N=60)
    TwoLayerNet(2, 4, 3).train(X, y, X, y, num_iters=6, batch_size=30, verbose=True)
    err = capsys.readouterr().err
    assert "TwoLayerNet" in err and "val_acc" in err
