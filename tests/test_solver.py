"""Solver: the training contract, determinism, checkpoints, progress, bad input."""

import numpy as np
import pytest

from cs231n_lite.classifiers.fc_net import FullyConnectedNet
from cs231n_lite.classifiers.two_layer_net import TwoLayerNet
from cs231n_lite.solver import Solver


def blobs(seed=0, n=120, C=3, D=6):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % C
    X = 4.0 * rng.standard_normal((C, D))[y] + 0.5 * rng.standard_normal((n, D))
    return {"X_train": X[:90], "y_train": y[:90], "X_val": X[90:], "y_val": y[90:]}


def make_solver(data=None, model=None, **kwargs):
    data = blobs() if data is None else data
    model = model or TwoLayerNet(6, 16, 3, weight_scale=0.1, seed=0)
    args = dict(update_rule="sgd", optim_config={"learning_rate": 0.1}, batch_size=30,
                num_epochs=4, verbose=False, progress_bar=False, seed=1)
    args.update(kwargs)
    return Solver(model, data, **args)


def test_histories_follow_cs231n():
    solver = make_solver(lr_decay=0.5)
    solver.train()
    # 90 examples / 30 = 3 iterations per epoch, 4 epochs
    assert len(solver.loss_history) == 12
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 5  # first + per epoch
    assert solver.epoch == 4
    assert solver.best_val_acc == max(solver.val_acc_history) > 0.9
    assert all(c["learning_rate"] == pytest.approx(0.1 * 0.5 ** 4) for c in solver.optim_configs.values())


def test_restores_the_best_parameters():
    solver = make_solver(num_epochs=6)
    solver.train()
    for name, value in solver.best_params.items():
        assert np.array_equal(solver.model.params[name], value)
        assert solver.model.params[name] is not value  # a copy: more training cannot change best_params
    assert solver.check_accuracy(solver.X_val, solver.y_val) == solver.best_val_acc


def test_same_seed_same_run_other_seed_other_run():
    runs = []
    for seed in (3, 3, 4):
        solver = make_solver(seed=seed)
        solver.train()
        runs.append(solver.loss_history)
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_calling_train_again_continues():
    solver = make_solver(num_epochs=2)
    solver.train()
    solver.num_epochs = 3
    solver.train()
    assert len(solver.loss_history) == 9 and solver.epoch == 3


@pytest.mark.parametrize("rule", ["sgd_momentum", "adam"])
def test_checkpoint_and_resume_equal_an_uninterrupted_run(tmp_path, rule):
    config = {"learning_rate": 0.05 if rule != "adam" else 1e-2}
    whole = make_solver(update_rule=rule, optim_config=config, num_epochs=4, lr_decay=0.9)
    whole.train()

    first = make_solver(update_rule=rule, optim_config=config, num_epochs=2, lr_decay=0.9,
                        checkpoint_name=tmp_path / "run")
    first.train()
    path = tmp_path / "run_epoch_2.npz"
    assert path.is_file() and (tmp_path / "run_epoch_1.npz").is_file()
    fresh_model = TwoLayerNet(6, 16, 3, weight_scale=0.1, seed=99)  # other weights: all restored
    resumed = make_solver(model=fresh_model, update_rule=rule, optim_config=config, num_epochs=4,
                          lr_decay=0.9)
    resumed.load_checkpoint(path)
    assert resumed.epoch == 2 and len(resumed.loss_history) == 6
    resumed.train()
    assert resumed.loss_history == whole.loss_history
    assert resumed.val_acc_history == whole.val_acc_history
    for name in whole.model.params:
        assert np.array_equal(resumed.model.params[name], whole.model.params[name])


def test_checkpoint_refuses_other_settings(tmp_path):
    solver = make_solver(num_epochs=1, checkpoint_name=tmp_path / "c")
    solver.train()
    other = make_solver(batch_size=15)
    with pytest.raises(ValueError, match="batch_size=30, this Solver has batch_size=15"):
        other.load_checkpoint(tmp_path / "c_epoch_1.npz")


def test_any_model_with_params_and_loss():
    class Linear:
        """A linear softmax model, the smallest model the Solver can train."""

        def __init__(self):
            self.params = {"W": np.zeros((6, 3))}

        def loss(self, X, y=None):
            scores = X @ self.params["W"]
            if y is None:
                return scores
            p = np.exp(scores - scores.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            loss = -np.mean(np.log(p[np.arange(len(y)), y]))
            p[np.arange(len(y)), y] -= 1
            return loss, {"W": X.T @ p / len(y)}

    solver = make_solver(model=Linear())
    solver.train()
    assert solver.best_val_acc > 0.9


def test_trains_a_deep_float32_net_on_images():
    rng = np.random.default_rng(2)
    y = np.arange(150) % 3
    X = (2.0 * rng.standard_normal((3, 4, 4, 3))[y] + 0.3 * rng.standard_normal((150, 4, 4, 3)))
    data = {"X_train": X[:120].astype(np.float32), "y_train": y[:120],
            "X_val": X[120:].astype(np.float32), "y_val": y[120:]}
    model = FullyConnectedNet([20, 20, 20], input_dim=48, num_classes=3, weight_scale="kaiming", seed=0)
    solver = make_solver(data=data, model=model, update_rule="adam", optim_config={"learning_rate": 1e-2})
    solver.train()
    assert solver.best_val_acc > 0.9
    assert all(v.dtype == np.float32 for v in model.params.values())


def test_verbose_prints_and_progress_bar(capsys):
    make_solver(verbose=True, print_every=5, num_epochs=2).train()
    out = capsys.readouterr().out
    assert "(Iteration 1 / 6) loss:" in out and "(Iteration 6 / 6)" in out
    assert "(Epoch 2 / 2) train acc:" in out and "val_acc:" in out
    make_solver(progress_bar=True, num_epochs=2).train()
    captured = capsys.readouterr()
    assert captured.out == "" and "Solver" in captured.err and "6/6" in captured.err
    make_solver(progress_bar=False).train()
    assert capsys.readouterr() == ("", "")


def test_check_accuracy_subsets_and_batches():
    solver = make_solver()
    X, y = solver.X_train, solver.y_train
    acc_all = solver.check_accuracy(X, y)
    assert isinstance(acc_all, float) and 0 <= acc_all <= 1
    assert solver.check_accuracy(X, y, batch_size=7) == acc_all
    assert solver.check_accuracy(X, y, num_samples=500) == acc_all  # more than N: all of them


def test_a_model_without_a_gradient_is_named():
    class Forgetful(TwoLayerNet):
        def loss(self, X, y=None, reg=None):
            out = super().loss(X, y, reg)
            if y is None:
                return out
            loss, grads = out
            del grads["b2"]
            return loss, grads

    solver = make_solver(model=Forgetful(6, 4, 3))
    with pytest.raises(ValueError, match="no gradient for 'b2'"):
        solver.train()


@pytest.mark.parametrize("kwargs, name", [
    ({"update_rule": "nope"}, "update_rule"),
    ({"optim_config": 0.1}, "optim_config"),
    ({"lr_decay": 1.5}, "lr_decay"),
    ({"lr_decay": 0}, "lr_decay"),
    ({"batch_size": 0}, "batch_size"),
    ({"num_epochs": 0}, "num_epochs"),
    ({"num_train_samples": 0}, "num_train_samples"),
    ({"print_every": 0}, "print_every"),
    ({"seed": -1}, "seed"),
    ({"checkpoint_name": 3}, "checkpoint_name"),
])
def test_bad_arguments_are_named(kwargs, name):
    with pytest.raises(ValueError, match=name):
        make_solver(**kwargs)


@pytest.mark.parametrize("change, name", [
    (lambda d: d.pop("X_val"), "missing X_val"),
    (lambda d: d.update(y_train=d["y_train"][:, None]), r"data\['y_train'\]"),
    (lambda d: d.update(X_val=d["X_val"][:, :3]), r"data\['X_val'\]"),
    (lambda d: d.update(X_train=np.full_like(d["X_train"], np.nan)), r"data\['X_train'\]"),
])
def test_bad_data_is_named(change, name):
    data = blobs()
    change(data)
    with pytest.raises(ValueError, match=name):
        make_solver(data=data)


def test_not_a_model():
    with pytest.raises(ValueError, match="model must have a params dict and a loss"):
        Solver(object(), blobs())
