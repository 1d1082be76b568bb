"""Hidden tests, two_layer_net part: the Solver's student functions (points in rubric.toml).

Every test builds the student's own TwoLayerNet and Solver with tiny data and
named update rules ("sgd", the svm notebook's), so they also run when the
student's code lives in another process.
"""

import numpy as np
from hidden_helpers import blobs, student

PARAMS = {"W1": np.array([[0.5, -1.0], [1.0, 2.0], [-0.5, 0.0]]), "b1": np.array([0.1, -0.2]),
          "W2": np.array([[1.0, -1.0, 0.5], [2.0, 0.0, -1.0]]), "b2": np.array([0.0, 0.3, 0.0])}


def _reference_grads(params, X, y, reg):
    """The grader's own forward and backward pass of the two-layer net (never released)."""
    z = X @ params["W1"] + params["b1"]
    h = np.maximum(z, 0)
    s = h @ params["W2"] + params["b2"]
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    ds = p / len(y)
    dh = ds @ params["W2"].T * (z > 0)
    return {"W1": X.T @ dh + 2 * reg * params["W1"], "b1": dh.sum(axis=0),
            "W2": h.T @ ds + 2 * reg * params["W2"], "b2": ds.sum(axis=0)}


def _net(reg=0.0):
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 2, 3, reg=reg)
    net.params = {k: v.copy() for k, v in PARAMS.items()}
    return net


def _one_example_data():
    """One training example: every minibatch is made of it, whatever the sampler draws."""
    X = np.array([[1.0, 0.5, -1.0]])
    return {"X_train": X, "y_train": np.array([2]), "X_val": X, "y_val": np.array([2])}, X


def test_step_updates_every_parameter():
    data, X = _one_example_data()
    net = _net(reg=0.1)
    solver = student("solver").Solver(net, data, update_rule="sgd",
                                      optim_config={"learning_rate": 0.5}, batch_size=4,
                                      verbose=False, progress_bar=False, seed=0)
    solver._step()
    Xb, yb = np.repeat(X, 4, axis=0), np.full(4, 2)
    grads = _reference_grads(PARAMS, Xb, yb, 0.1)
    after = net.params
    for name in PARAMS:
        expected = PARAMS[name] - 0.5 * grads[name]
        assert np.allclose(after[name], expected, atol=1e-10), (
            f"params[{name!r}] after one sgd step: expected {expected}, got {after[name]}")
    assert len(solver.loss_history) == 1, "one loss per step"


def test_step_keeps_the_configs_the_rule_returns():
    data, _ = _one_example_data()
    solver = student("solver").Solver(_net(), data, update_rule="sgd", optim_config=None,
                                      batch_size=2, verbose=False, progress_bar=False, seed=0)
    solver._step()
    configs = solver.optim_configs
    assert sorted(configs) == sorted(PARAMS), f"one config per parameter, got {sorted(configs)}"
    for name, config in configs.items():
        # sgd fills in its default learning rate: only the config it returned holds it
        assert config.get("learning_rate") == 1e-2, (
            f"optim_configs[{name!r}] is not the config the rule returned: {config}")


def test_check_accuracy_batches_and_subsets():
    net = student("classifiers.two_layer_net").TwoLayerNet(3, 3, 3)
    net.params = {"W1": np.eye(3), "b1": np.zeros(3), "W2": np.eye(3), "b2": np.zeros(3)}
    X = np.array([[2.0, 0, 0], [0, 1, 3], [0, 2, 1], [1, 0, 0], [0, 0, 5]])  # scores = X
    y = np.array([0, 2, 0, 0, 1])
    solver = student("solver").Solver(net, {"X_train": X, "y_train": y, "X_val": X, "y_val": y},
                                      verbose=False, progress_bar=False, seed=0)
    acc = solver.check_accuracy(X, y, batch_size=2)
    assert isinstance(acc, float) and abs(acc - 0.6) < 1e-12, f"3 of 5 right: expected 0.6, got {acc}"
    assert solver.check_accuracy(X, np.array([0, 2, 1, 0, 2]), num_samples=3) == 1.0
    assert solver.check_accuracy(X, np.array([1, 0, 0, 1, 0]), num_samples=2, batch_size=1) == 0.0


def test_solver_trains_and_restores_best_params():
    X, y = blobs(seed=2, n=120, dim=6)
    data = {"X_train": X[:90], "y_train": y[:90], "X_val": X[90:], "y_val": y[90:]}

    def run():
        net = student("classifiers.two_layer_net").TwoLayerNet(6, 16, 3, weight_scale=0.1, seed=0)
        solver = student("solver").Solver(net, data, update_rule="sgd",
                                          optim_config={"learning_rate": 0.1}, lr_decay=0.9,
                                          batch_size=30, num_epochs=5, verbose=False,
                                          progress_bar=False, seed=4)
        solver.train()
        return solver, net

    solver, net = run()
    assert len(solver.loss_history) == 15, f"5 epochs of 3 steps: {len(solver.loss_history)} losses"
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 6
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.9, solver.val_acc_history
    assert abs(np.mean(net.predict(X[90:]) == y[90:]) - solver.best_val_acc) < 1e-12, (
        "after train the net must have the best parameters back")
    assert abs(solver.optim_configs["b2"]["learning_rate"] - 0.1 * 0.9 ** 5) < 1e-12
    assert run()[0].loss_history == solver.loss_history, "the same seed must give the same run"


def test_two_layer_net_train_uses_the_step():
    X, y = blobs(seed=5, n=120, dim=8)
    net = student("classifiers.two_layer_net").TwoLayerNet(8, 20, 3, weight_scale=0.1, seed=1)
    hist = net.train(X[:90], y[:90], X[90:], y[90:], learning_rate=0.1, num_iters=150,
                     batch_size=30, seed=3)
    assert hist["loss_history"][-1] < hist["loss_history"][0], "the loss should go down"
    assert hist["val_acc_history"][-1] > 0.9, f"validation accuracy {hist['val_acc_history'][-1]}"
