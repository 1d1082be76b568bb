"""Hidden tests, two_layer_net part (25 points in rubric.toml)."""

import numpy as np
from hidden_helpers import blobs, num_grad, rel_error, student

PARAMS = {"W1": np.array([[0.5, -1.0], [1.0, 2.0], [-0.5, 0.0]]), "b1": np.array([0.1, -0.2]),
          "W2": np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -1.0]]), "b2": np.array([0.0, 0.3, 0.0])}
X = np.array([[1.0, 0.5, -1.0], [0.0, -1.0, 2.0]])
Y = np.array([2, 1])


def _net(reg=0.0, params=PARAMS):
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 2, 3, reg=reg)
    net.params = {k: v.copy() for k, v in params.items()}
    return net


def _reference(params, X, y, reg):
    """The grader's own forward pass and loss (never released)."""
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    s = h @ params["W2"] + params["b2"]
    s = s - s.max(axis=1, keepdims=True)
    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    reg_term = reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return h, h @ params["W2"] + params["b2"], float(-logp[np.arange(len(y)), y].mean() + reg_term)


def test_forward():
    h, s, _ = _reference(PARAMS, X, Y, 0.0)
    scores, hidden = _net().forward(X.copy())
    assert np.allclose(hidden, h), "hidden = ReLU(X W1 + b1)"
    assert np.allclose(scores, s), "scores = hidden W2 + b2"


def test_loss_value():
    for reg in (0.0, 0.2):
        loss, _ = _net(reg).loss(X.copy(), Y.copy())
        assert abs(loss - _reference(PARAMS, X, Y, reg)[2]) < 1e-10, f"loss with reg={reg}"


def test_gradients():
    rng = np.random.default_rng(21)
    params = {"W1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
              "W2": rng.standard_normal((5, 3)), "b2": rng.standard_normal(3)}
    Xr, yr = rng.standard_normal((7, 3)), rng.integers(0, 3, 7)
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 5, 3, reg=0.1)
    net.params = {k: v.copy() for k, v in params.items()}
    _, grads = net.loss(Xr, yr)
    for name in params:
        def f(value, name=name):
            return _reference({**params, name: value}, Xr, yr, 0.1)[2]
        num = num_grad(f, params[name].copy())
        err = rel_error(grads[name], num)
        assert err < 1e-6, f"grads[{name!r}] vs numerical gradient: rel error {err:.1e}"


def test_scores_without_labels():
    scores = _net().loss(X.copy())
    assert np.allclose(scores, _reference(PARAMS, X, Y, 0.0)[1]), "loss(X) must return the scores"


def test_predict():
    expected = np.argmax(_reference(PARAMS, X, Y, 0.0)[1], axis=1)
    assert np.array_equal(_net().predict(X.copy()), expected), "predict = argmax of the scores"


def test_train_learns_blobs():
    Xb, yb = blobs(seed=5, n=120, dim=8)
    net = student("classifiers.two_layer_net").TwoLayerNet(8, 20, 3, weight_scale=0.1, seed=1)
    hist = net.train(Xb[:90], yb[:90], Xb[90:], yb[90:], learning_rate=0.1, num_iters=150,
                     batch_size=30, seed=3)
    assert hist["loss_history"][-1] < hist["loss_history"][0], "the loss should go down"
    assert hist["val_acc_history"][-1] > 0.9, f"validation accuracy {hist['val_acc_history'][-1]}"
