"""LinearClassifier training loop, penalties and the random-search baseline."""

import functools

import numpy as np
import pytest

from conftest import named

from cs231n_lite import optim
from cs231n_lite.classifiers.linear_classifier import (
    LinearClassifier, LinearSVM, Softmax, random_search, sample_minibatch,
)
from cs231n_lite.classifiers.linear_svm import svm_loss_vectorized
from cs231n_lite.classifiers.regularization import (
    elastic_net_penalty, get_penalty, l1_penalty, l2_penalty,
)
from cs231n_lite.classifiers.softmax import softmax_loss_vectorized
from cs231n_lite.gradient_check import eval_numerical_gradient, rel_error
from cs231n_lite.validation import NotTrainedError

MODELS = {"svm": (LinearSVM, svm_loss_vectorized), "softmax": (Softmax, softmax_loss_vectorized)}


def blobs(seed=0, N=150, D=5, C=3, dtype=np.float64):
    """C well-separated Gaussian clusters, with a bias column."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, C, size=N)
    centres = 3.0 * rng.standard_normal((C, D - 1))
    X = centres[y] + rng.standard_normal((N, D - 1))
    X = np.hstack([X, np.ones((N, 1))])
    return X.astype(dtype), y


def recording_rule(log):
    """A callable update rule: records (lr, step count) and keeps w unchanged."""
    def rule(w, dw, config):
        config = dict(config)
        config["count"] = config.get("count", 0) + 1  # state must persist
        log.append((config["learning_rate"], config["count"], dw.copy()))
        return w, config
    return rule


# ----------------------------------------------------------------- penalties
def test_lecture_l2_prefers_spread_weights():
    x = np.ones(4)
    w1, w2 = np.array([1.0, 0, 0, 0]), np.array([0.25] * 4)
    assert x @ w1 == x @ w2 == 1.0  # the same score ...
    assert l2_penalty(w1[:, None], 1.0)[0] == 1.0  # ... but L2 prefers w2
    assert l2_penalty(w2[:, None], 1.0)[0] == 0.25
    assert l1_penalty(w1[:, None], 1.0)[0] == l1_penalty(w2[:, None], 1.0)[0] == 1.0


@pytest.mark.parametrize("name", ["l2", "l1", "elastic_net"])
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_penalty_gradients_match_numerical(name, reg):
    W = np.random.default_rng(1).standard_normal((4, 3))
    assert np.min(np.abs(W)) > 1e-3  # away from the kink of |w|
    fn = get_penalty(name, l1_ratio=0.3)
    loss, dW = fn(W, reg)
    num = eval_numerical_gradient(lambda w: fn(w, reg)[0], W.copy())
    assert rel_error(dW, num) < 1e-7
    assert (loss > 0) == (reg > 0)


def test_elastic_net_interpolates():
    W = np.random.default_rng(2).standard_normal((5, 2))
    for ratio, ref in [(0.0, l2_penalty), (1.0, l1_penalty)]:
        loss, dW = elastic_net_penalty(W, 0.4, ratio)
        ref_loss, ref_dW = ref(W, 0.4)
        assert loss == pytest.approx(ref_loss) and np.allclose(dW, ref_dW)
    mix = elastic_net_penalty(W, 0.4, 0.25)[0]
    assert mix == pytest.approx(0.4 * (0.25 * np.abs(W).sum() + 0.75 * (W**2).sum()))


@pytest.mark.parametrize("call, name", [
    (lambda: get_penalty("l3"), named("penalty")),
    (lambda: get_penalty("elastic_net", l1_ratio=1.5), named("l1_ratio")),
    (lambda: l1_penalty(np.ones((2, 2)), -1), named("reg")),
    (lambda: l2_penalty(np.full((2, 2), np.nan), 1), named("W")),
])
def test_penalty_bad_input(call, name):
    with pytest.raises(ValueError, match=name):
        call()


# -------------------------------------------------------------- the training loop
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("rule", sorted(optim.UPDATE_RULES))
def test_every_update_rule_learns(model, rule):
    X, y = blobs()
    clf = MODELS[model][0]()
    hist = clf.train(X, y, learning_rate=1e-2, reg=1e-3, num_iters=150, batch_size=50,
                     update_rule=rule)
    assert len(hist) == 150 and all(isinstance(v, float) for v in hist)
    assert np.mean(hist[-20:]) < 0.7 * np.mean(hist[:5])
    assert np.mean(clf.predict(X) == y) > 0.9


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("penalty", ["l2", "l1", "elastic_net"])
def test_first_step_follows_the_contract(model, penalty):
    """W = 0.001 randn from the seeded rng, then a batch drawn with replacement,
    the data loss (with reg only for L2) plus the penalty, and the rule's step."""
    X, y = blobs(N=30)
    cls, loss_fn = MODELS[model]
    log = []
    clf = cls()
    hist = clf.train(X, y, learning_rate=0.5, reg=0.2, num_iters=1, batch_size=64, seed=7,
                     update_rule=recording_rule(log), penalty=penalty, l1_ratio=0.4)
    rng = np.random.default_rng(7)
    W0 = 0.001 * rng.standard_normal((X.shape[1], 3))
    Xb, yb = sample_minibatch(X, y, 64, rng)
    data_reg = 0.2 if penalty == "l2" else 0.0
    loss, dW = loss_fn(W0, Xb, yb, data_reg)
    pen_loss, pen_dW = get_penalty(penalty, 0.4)(W0, 0.2) if penalty != "l2" else (0.0, 0.0)
    np.testing.assert_allclose(clf.W, W0)  # the recording rule does not move W
    assert hist[0] == pytest.approx(loss + pen_loss, rel=1e-12)
    np.testing.assert_allclose(log[0][2], dW + pen_dW, rtol=1e-12)


@pytest.mark.parametrize("schedule", sorted(optim.SCHEDULES))
def test_each_schedule_sets_the_learning_rate(schedule):
    X, y = blobs(N=40)
    log = []
    Softmax().train(X, y, learning_rate=0.1, num_iters=6, batch_size=10,
                    update_rule=recording_rule(log), lr_schedule=schedule)
    expected = optim.make_schedule(schedule, 0.1)
    assert [lr for lr, _, _ in log] == pytest.approx([expected(t) for t in range(6)])
    assert [count for _, count, _ in log] == list(range(1, 7))  # config persists


def test_callable_schedule_and_kwargs():
    X, y = blobs(N=40)
    log = []
    clf = Softmax()
    clf.train(X, y, num_iters=4, update_rule=recording_rule(log), lr_schedule=lambda t: 1.0 / (t + 1))
    assert [lr for lr, _, _ in log] == pytest.approx([1, 1 / 2, 1 / 3, 1 / 4])
    log.clear()
    clf.train(X, y, learning_rate=0.8, num_iters=4, update_rule=recording_rule(log),
              lr_schedule="step", lr_schedule_kwargs={"decay": 0.5, "step_size": 2})
    assert [lr for lr, _, _ in log] == pytest.approx([0.8, 0.8, 0.4, 0.4])


def test_optim_config_is_used_and_not_mutated():
    X, y = blobs()
    cfg = {"momentum": 0.5}
    log = []

    def rule(w, dw, config):
        log.append(config.get("momentum"))
        return optim.sgd(w, dw, {"learning_rate": config["learning_rate"]})[0], config

    Softmax().train(X, y, num_iters=3, update_rule=rule, optim_config=cfg)
    assert log == [0.5, 0.5, 0.5] and cfg == {"momentum": 0.5}


def test_seed_makes_training_deterministic_and_float32_stays():
    X, y = blobs(dtype=np.float32)
    a, b, c = LinearSVM(), LinearSVM(), LinearSVM()
    ha, hb = a.train(X, y, num_iters=20, seed=3), b.train(X, y, num_iters=20, seed=3)
    hc = c.train(X, y, num_iters=20, seed=4)
    assert ha == hb and ha != hc
    assert a.W.dtype == np.float32 and a.W.shape == (5, 3)
    assert a.loss_history == ha


def test_sample_minibatch_draws_with_replacement():
    X, y = np.arange(10.0)[:, None], np.arange(10)
    Xb, yb = sample_minibatch(X, y, 50, np.random.default_rng(0))
    assert Xb.shape == (50, 1) and yb.shape == (50,)
    np.testing.assert_array_equal(Xb[:, 0], yb)  # rows and labels stay paired
    assert len(np.unique(yb)) < 50  # repeats: drawn with replacement


def test_predict_before_train_is_a_clear_error():
    with pytest.raises(NotTrainedError, match="not trained"):
        Softmax().predict(np.ones((2, 3)))
    assert issubclass(NotTrainedError, ValueError)
    with pytest.raises(NotImplementedError, match=r"^LinearClassifier must implement loss\(\)"):
        LinearClassifier().train(*blobs(N=10), num_iters=1)


@pytest.mark.parametrize("kwargs, name", [
    ({"X": np.full((5, 3), np.nan)}, named("X")),
    ({"y": np.zeros((20, 1), dtype=int)}, r"y\.ravel"),
    ({"y": np.arange(19)}, named("y")),
    ({"num_iters": 0}, named("num_iters")),
    ({"batch_size": 0}, named("batch_size")),
    ({"reg": -1.0}, named("reg")),
    ({"penalty": "l0"}, named("penalty")),
    ({"penalty": "elastic_net", "l1_ratio": -0.1}, named("l1_ratio")),
    ({"update_rule": "sgd_turbo"}, named("update_rule")),
    ({"lr_schedule": "cosine"}, named("lr_schedule")),
    ({"learning_rate": -1.0}, named("learning_rate")),
])
def test_train_bad_input(kwargs, name):
    X, y = blobs(N=20)
    args = {"X": X, "y": y, "num_iters": 2, **kwargs}
    with pytest.raises(ValueError, match=name):
        Softmax().train(**args)


def test_retrain_and_predict_must_fit_W():
    X, y = blobs(N=20)
    clf = Softmax()
    clf.train(X, y, num_iters=2)
    with pytest.raises(ValueError, match=named("X")):
        clf.train(X[:, :-1], y, num_iters=2)
    with pytest.raises(ValueError, match=named("y")):
        clf.train(X, y + 5, num_iters=2)
    with pytest.raises(ValueError, match=named("X")):
        clf.predict(X[:, :-1])
    assert clf.predict(X).shape == (20,)


# --------------------------------------------------------------- random search
def test_random_search_keeps_the_best_try():
    X, y = blobs(N=60)
    loss_fn = functools.partial(svm_loss_vectorized, reg=0.0)
    W10, loss10 = random_search(loss_fn, X, y, num_tries=10, scale=1e-2, seed=5)
    W50, loss50 = random_search(loss_fn, X, y, num_tries=50, scale=1e-2, seed=5)
    assert W10.shape == (5, 3)
    assert loss50 <= loss10  # the first 10 draws are the same
    assert loss10 == pytest.approx(loss_fn(W10, X, y)[0])
    # It is the minimum over its own draws: recompute them.
    rng = np.random.default_rng(5)
    tries = [loss_fn(1e-2 * rng.standard_normal((5, 3)), X, y)[0] for _ in range(10)]
    assert loss10 == pytest.approx(min(tries))
    # A plain float loss works too.
    _, loss_f = random_search(lambda W, X, y: loss_fn(W, X, y)[0], X, y, num_tries=10,
                              scale=1e-2, seed=5)
    assert loss_f == loss10


@pytest.mark.parametrize("kwargs, name", [
    ({"num_tries": 0}, "num_tries"), ({"scale": 0.0}, "scale"), ({"num_classes": 1}, named("num_classes")),
])
def test_random_search_bad_input(kwargs, name):
    X, y = blobs(N=10)
    with pytest.raises(ValueError, match=name):
        random_search(functools.partial(svm_loss_vectorized, reg=0.0), X, y, **kwargs)


def test_verbose_shows_a_progress_bar(capsys):
    X, y = blobs(N=40)
    LinearSVM().train(X, y, num_iters=20, verbose=True)
    assert "LinearSVM" in capsys.readouterr().err
    Softmax().train(X, y, num_iters=20)
    assert capsys.readouterr().err == ""
