"""Hidden tests, two_layer_net part: TwoLayerNet built on the layers (25 points in rubric.toml,
with test_layers.py, test_solver.py, the notebook's graded cells and answers)."""

import numpy as np
from hidden_helpers import changed_inputs, num_grad, rel_error, student

PARAMS = {"W1": np.array([[0.5, -1.0], [1.0, 2.0], [-0.5, 0.0]]), "b1": np.array([0.1, -0.2]),
          "W2": np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -1.0]]), "b2": np.array([0.0, 0.3, 0.0])}
X = np.array([[1.0, 0.5, -1.0], [0.0, -1.0, 2.0]])
Y = np.array([2, 1])


def _net(reg=0.0, params=PARAMS, dtype=np.float64):
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 2, 3, reg=reg, dtype=dtype)
    net.params = {k: v.astype(dtype) for k, v in params.items()}
    return net


def _reference(params, X, y, reg):
    """The grader's own forward pass and loss (never released)."""
    X = X.reshape(len(X), -1)
    h = np.maximum(0, X @ params["W1"] + params["b1"])
    s = h @ params["W2"] + params["b2"]
    z = s - s.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    reg_term = reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return s, float(-logp[np.arange(len(y)), y].mean() + reg_term)


def test_scores_without_labels():
    scores, changed = changed_inputs(_net().loss, X)
    assert changed == [], "loss modified X in place"
    assert np.allclose(scores, _reference(PARAMS, X, Y, 0.0)[0]), "loss(X) must return the scores"


def test_loss_value():
    for reg in (0.0, 0.2):
        loss, _ = _net(reg).loss(X.copy(), Y.copy())
        assert abs(loss - _reference(PARAMS, X, Y, reg)[1]) < 1e-10, f"loss with reg={reg}"
    loss, _ = _net(0.2).loss(X.copy(), Y.copy(), reg=0.0)
    assert abs(loss - _reference(PARAMS, X, Y, 0.0)[1]) < 1e-10, "loss(X, y, reg=0.0) overrides self.reg"


def test_gradients():
    rng = np.random.default_rng(21)
    for reg in (0.0, 0.1):
        params = {"W1": rng.standard_normal((3, 5)), "b1": rng.standard_normal(5),
                  "W2": rng.standard_normal((5, 3)), "b2": rng.standard_normal(3)}
        Xr, yr = rng.standard_normal((7, 3)), rng.integers(0, 3, 7)
        net = student("classifiers.two_layer_net").TwoLayerNet(3, 5, 3, reg=reg)
        net.params = {k: v.copy() for k, v in params.items()}
        _, grads = net.loss(Xr, yr)
        for name in params:
            def f(value, name=name):
                return _reference({**params, name: value}, Xr, yr, reg)[1]
            num = num_grad(f, params[name].copy())
            err = rel_error(grads[name], num)
            assert err < 1e-6, f"grads[{name!r}] (reg={reg}) vs numerical gradient: rel error {err:.1e}"


def test_images_with_several_axes_and_float32():
    X3 = X.reshape(2, 3, 1)
    loss, grads = _net(0.1).loss(X3, Y.copy())
    assert abs(loss - _reference(PARAMS, X, Y, 0.1)[1]) < 1e-10, "X of shape (N, 3, 1)"
    assert np.shape(grads["W1"]) == (3, 2), "grads['W1'] keeps W1's shape"
    _, grads32 = _net(0.1, dtype=np.float32).loss(X.astype(np.float32), Y.copy())
    dtypes = {k: str(np.asarray(v).dtype) for k, v in grads32.items()}
    assert set(dtypes.values()) == {"float32"}, f"a float32 net should give float32 grads: {dtypes}"


def test_predict():
    expected = np.argmax(_reference(PARAMS, X, Y, 0.0)[0], axis=1)
    assert np.array_equal(_net().predict(X.copy()), expected), "predict = argmax of the scores"
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 3, 3)
    net.params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    X4 = np.array([[2.0, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0]])
    assert np.array_equal(net.predict(X4), [0, 2, 1, 0]), "the highest score of each row"
