"""Hidden tests, svm part: every contract the docstrings promise (points in rubric.toml).

They mirror the public checks of coursekit/student/checks/svm.py with other
inputs and the grader's own references (never released): the squared hinge,
dW's dtype, inputs left alone, the 2 * reg * W convention, the L1
subgradient at 0, elastic net at every l1_ratio, optim.sgd (taught in the
svm notebook), sample_minibatch's rng, train's update rule / schedule /
minibatches / penalties, predict's axis and random_search.

Style: see hidden_helpers (student code only through ``student(...)``, plain
data, ``changed_inputs`` for in-place checks, the grader's own ``num_grad``).
"""

import numpy as np
from hidden_helpers import blobs, changed_inputs, loss_problem, num_grad, rel_error, student

SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LOSSES = ("svm_loss_naive", "svm_loss_vectorized")


def _svm():
    return student("classifiers.linear_svm")


def _hinge(W, X, y, reg, squared=False):
    """The grader's own loss and gradient (never released)."""
    n = len(y)
    s = X @ W
    m = np.maximum(0, s - s[np.arange(n), y][:, None] + 1)
    m[np.arange(n), y] = 0
    coeff = 2 * m if squared else (m > 0).astype(float)
    coeff[np.arange(n), y] = -coeff.sum(axis=1)
    loss = float(np.sum(m**2 if squared else m) / n + reg * np.sum(W * W))
    return loss, X.T @ coeff / n + 2 * reg * W


# ------------------------------------------------------------------ losses
def test_squared_hinge_values_where_it_differs():
    for name in LOSSES:
        fn = getattr(_svm(), name)
        loss, _ = fn(SCORES.copy(), np.eye(3), np.arange(3), 0.0, squared=True)
        # by hand: (2.9**2 + 0 + 6.3**2 + 6.6**2) / 3
        assert abs(loss - 91.66 / 3) < 1e-9, \
            f"{name}(squared=True) on the lecture example: expected 30.5533, got {loss} (hinge: 5.2667)"
        W, X, y = loss_problem(21, scale=0.7)
        want, _ = _hinge(W, X, y, 0.1, squared=True)
        assert abs(want - _hinge(W, X, y, 0.1)[0]) > 0.1  # the two losses differ here
        loss, _ = fn(W, X, y, 0.1, squared=True)
        assert abs(loss - want) < 1e-8, f"{name}(squared=True): loss {loss}, expected {want}"


def test_squared_hinge_gradient():
    for name, seed in zip(LOSSES, (22, 23)):
        fn = getattr(_svm(), name)
        W, X, y = loss_problem(seed, scale=0.7)
        _, dW = fn(W, X, y, 0.05, squared=True)
        num = num_grad(lambda w: _hinge(w, X, y, 0.05, squared=True)[0], W.copy())
        assert rel_error(dW, num) < 1e-6, \
            f"{name}(squared=True): dW vs numerical gradient, rel error {rel_error(dW, num):.1e}"


def test_reg_convention_in_loss_and_gradient():
    for name in LOSSES:
        fn = getattr(_svm(), name)
        for squared in (False, True):
            W, X, y = loss_problem(24)
            l0, d0 = fn(W, X, y, 0.0, squared=squared)
            l1, d1 = fn(W, X, y, 0.4, squared=squared)
            assert abs((l1 - l0) - 0.4 * np.sum(W * W)) < 1e-8, \
                f"{name}(squared={squared}): reg must add reg * sum(W**2) to the loss"
            assert np.allclose(np.asarray(d1) - np.asarray(d0), 0.8 * W, atol=1e-10), \
                f"{name}(squared={squared}): reg must add 2 * reg * W to dW"


def test_mean_over_samples():
    for name in LOSSES:
        fn = getattr(_svm(), name)
        W, X, y = loss_problem(25, N=12)
        want, want_dW = _hinge(W, X, y, 0.0)
        loss, dW = fn(W, X, y, 0.0)
        assert abs(loss - want) < 1e-8, f"{name}: loss {loss}, expected {want} (the mean over N=12)"
        assert np.allclose(dW, want_dW, atol=1e-10), f"{name}: dW must be averaged over N too"


def test_dW_keeps_the_dtype_of_W():
    for name in LOSSES:
        fn = getattr(_svm(), name)
        W, X, y = loss_problem(26)
        for x_dtype in (np.float32, np.float64):
            loss, dW = fn(W.astype(np.float32), X.astype(x_dtype), y, 0.1)
            assert np.asarray(dW).dtype == np.float32, \
                f"{name}: float32 W with {np.dtype(x_dtype).name} X gave dW of dtype {np.asarray(dW).dtype}"
            assert isinstance(loss, float), f"{name}: loss should be a Python float, got {type(loss)}"


def test_losses_leave_their_inputs_alone():
    for name in LOSSES:
        for squared in (False, True):
            W, X, y = loss_problem(27)
            _, changed = changed_inputs(getattr(_svm(), name), W, X, y, 0.2, squared=squared)
            assert changed == [], f"{name}(squared={squared}) modified {changed} in place (W, X, y)"


def test_tiny_weights_give_C_minus_1():
    """Question 3's fact (hidden here; the public checks do not state it)."""
    for name in LOSSES:
        W, X, y = loss_problem(28, N=40, D=9, C=7, scale=1e-7)
        loss, _ = getattr(_svm(), name)(W, X, y, 0.0)
        assert abs(loss - 6.0) < 1e-4, f"{name}: loss {loss} for W ~ 0 and C=7, expected C - 1 = 6"


# --------------------------------------------------------------- penalties
W_PEN = np.array([[0.0, -1.5, 2.0], [0.25, 0.0, -0.5]])


def test_l1_subgradient_is_zero_at_zero():
    reg = student("classifiers.regularization")
    loss, dW = reg.l1_penalty(W_PEN.copy(), 0.2)
    assert abs(loss - 0.2 * 4.25) < 1e-12, f"l1 loss {loss}, expected 0.85"
    assert np.allclose(dW, 0.2 * np.sign(W_PEN)), f"l1 dW {np.asarray(dW).tolist()}: 0.2 * sign(W), 0 at 0"


def test_penalties_keep_dtype_and_inputs():
    reg = student("classifiers.regularization")
    for name, args in (("l2_penalty", (0.3,)), ("l1_penalty", (0.3,)), ("elastic_net_penalty", (0.3, 0.4))):
        (_, dW), changed = changed_inputs(getattr(reg, name), W_PEN.astype(np.float32), *args)
        assert changed == [], f"{name} modified W in place"
        assert np.asarray(dW).dtype == np.float32, f"{name}: float32 W gave dW of dtype {np.asarray(dW).dtype}"
    _, dW = reg.l2_penalty(W_PEN.copy(), 0.3)
    assert np.allclose(dW, 0.6 * W_PEN), "l2 dW must be 2 * reg * W"


def test_elastic_net_at_every_l1_ratio():
    reg = student("classifiers.regularization")
    sq, ab = np.sum(W_PEN**2), np.sum(np.abs(W_PEN))
    for r in (0.0, 1.0, 0.3, 0.8):
        loss, dW = reg.elastic_net_penalty(W_PEN.copy(), 0.2, r)
        want = 0.2 * (r * ab + (1 - r) * sq)
        want_dW = 0.2 * (r * np.sign(W_PEN) + (1 - r) * 2 * W_PEN)
        assert abs(loss - want) < 1e-12, f"elastic net, l1_ratio={r}: loss {loss}, expected {want}"
        assert np.allclose(dW, want_dW), f"elastic net, l1_ratio={r}: wrong dW"
    loss, _ = reg.elastic_net_penalty(W_PEN.copy(), 0.2)
    assert abs(loss - 0.2 * (0.5 * ab + 0.5 * sq)) < 1e-12, "elastic net: l1_ratio defaults to 0.5"


# --------------------------------------------------------------------- sgd
def test_sgd_three_steps():
    W0 = np.array([[0.3, -1.2], [2.0, 0.0]])
    grads = [np.array([[0.1, -0.4], [1.5, 0.2]]), np.array([[-0.3, 0.2], [0.5, 0.0]]),
             np.array([[0.2, 0.1], [-1.0, 0.7]])]
    w, cfg = W0.copy(), {"learning_rate": 0.05}
    for g in grads:
        w, cfg = student("optim").sgd(w, g, cfg)
    want = W0 - 0.05 * sum(grads)
    assert np.allclose(w, want, rtol=1e-7, atol=1e-9), \
        f"sgd after three steps: expected {want.round(6).tolist()}, got {np.asarray(w).round(6).tolist()}"
    w, _ = student("optim").sgd(W0.copy(), grads[0], None)
    assert np.allclose(w, W0 - 1e-2 * grads[0]), "sgd: learning_rate defaults to 1e-2"


def test_sgd_returns_a_new_array():
    w, dw, config = np.array([1.0, -2.0, 0.5]), np.array([0.5, -1.0, 2.0]), {"learning_rate": 0.1}
    (next_w, cfg), changed = changed_inputs(student("optim").sgd, w, dw, config)
    assert changed == [], f"sgd modified {changed} in place (arg0 = w, arg1 = dw)"
    assert np.allclose(next_w, [0.95, -1.9, 0.3]), f"sgd step: got {np.asarray(next_w).tolist()}"
    assert isinstance(cfg, dict) and cfg.get("learning_rate") == 0.1, "sgd returns its config"


# ------------------------------------------------------- sample_minibatch
def test_sample_minibatch_with_replacement_from_the_rng():
    lin = student("classifiers.linear_classifier")
    X, y = np.arange(24.0).reshape(8, 3) * 10, np.arange(8) % 4
    (Xb, yb), changed = changed_inputs(lin.sample_minibatch, X, y, 30, np.random.default_rng(5))
    assert changed == [], f"sample_minibatch modified {changed}"
    Xb, yb = np.asarray(Xb), np.asarray(yb)
    assert Xb.shape == (30, 3) and yb.shape == (30,), f"shapes {Xb.shape}, {yb.shape} for 30 of 8 rows"
    idx = (Xb[:, 0] / 30).astype(int)
    assert np.array_equal(Xb, X[idx]) and np.array_equal(yb, y[idx]), "rows of X with their labels"
    same = np.asarray(lin.sample_minibatch(X, y, 30, np.random.default_rng(5))[0])
    other = np.asarray(lin.sample_minibatch(X, y, 30, np.random.default_rng(6))[0])
    assert np.array_equal(same, Xb), "the same seeded rng must give the same batch (rng only)"
    assert not np.array_equal(other, Xb), "another seed must give another batch (use the rng given)"
    perms = [sorted((np.asarray(lin.sample_minibatch(X, y, 8, np.random.default_rng(s))[0])[:, 0] / 30)
                    .astype(int).tolist()) == list(range(8)) for s in (3, 4, 5)]
    assert not all(perms), "8 of 8 rows were always a permutation: that is without replacement"


# ------------------------------------------------------ LinearClassifier
X1, Y1 = np.array([[1.0, -2.0, 0.5]]), np.array([1])  # one sample: every minibatch is it, repeated
W1 = np.array([[0.2, -0.1], [0.0, 0.3], [-0.4, 0.1]])


def _train_from_W1(X=X1, y=Y1, **kwargs):
    model = student("classifiers.linear_classifier").LinearSVM()
    model.W = W1.copy()
    hist = model.train(X, y, **{"batch_size": 4, "seed": 0, "reg": 0.0, **kwargs})
    return model, hist


def test_train_uses_the_given_update_rule():
    """Replayed with the student's own sgd_momentum: train must step with whatever it does."""
    model, _ = _train_from_W1(learning_rate=0.02, num_iters=3, update_rule="sgd_momentum",
                              optim_config={"momentum": 0.9})
    rule = student("optim").sgd_momentum
    w, cfg = W1.copy(), {"momentum": 0.9}
    for _ in range(3):
        cfg = {**cfg, "learning_rate": 0.02}
        w, cfg = rule(w, _hinge(w, X1, Y1, 0.0)[1], cfg)
    plain = W1.copy()
    for _ in range(3):
        plain = plain - 0.02 * _hinge(plain, X1, Y1, 0.0)[1]
    assert np.allclose(model.W, w, atol=1e-10), \
        f"train(update_rule='sgd_momentum') must step with that rule: W {np.asarray(model.W).round(4).tolist()}, " \
        f"expected {np.asarray(w).round(4).tolist()} (plain SGD would give {plain.round(4).tolist()})"


def test_train_follows_the_lr_schedule_every_iteration():
    # lr 0.02: the margin stays positive for all three steps, so every step counts
    model, _ = _train_from_W1(learning_rate=0.02, num_iters=3, lr_schedule="step",
                              lr_schedule_kwargs={"decay": 0.5, "step_size": 1})
    w, constant = W1.copy(), W1.copy()
    for t in range(3):
        w = w - 0.02 * 0.5**t * _hinge(w, X1, Y1, 0.0)[1]
        constant = constant - 0.02 * _hinge(constant, X1, Y1, 0.0)[1]
    assert not np.allclose(w, constant)
    assert np.allclose(model.W, w, atol=1e-10), \
        "train: iteration t must step with the schedule's lr(t) (0.02, 0.01, 0.005 here)"


def test_train_history_and_seed():
    model, hist = _train_from_W1(learning_rate=0.1, num_iters=4)
    assert isinstance(hist, list) and len(hist) == 4, f"train returns a list of num_iters=4 losses, got {hist!r}"
    assert abs(hist[0] - _hinge(W1, X1, Y1, 0.0)[0]) < 1e-10, "history[0] is the loss before the first step"
    X, y = blobs(seed=30, n=40)
    runs = []
    for seed in (3, 3, 4):
        m = student("classifiers.linear_classifier").LinearSVM()
        m.train(X, y, learning_rate=1e-2, num_iters=5, batch_size=10, seed=seed)
        runs.append(np.asarray(m.W))
    assert np.array_equal(runs[0], runs[1]), "train with the same seed twice must give the same W"
    assert not np.array_equal(runs[0], runs[2]), "train with another seed must give another W"


def test_train_draws_minibatches_with_sample_minibatch():
    X = np.array([[1.0, -2.0, 0.5], [0.0, 1.0, 1.0], [2.0, 0.5, -1.0], [-1.0, -1.0, 0.3]])
    y = np.array([1, 0, 1, 0])
    model, _ = _train_from_W1(X=X, y=y, learning_rate=0.1, num_iters=1, batch_size=3, seed=7)
    Xb, yb = student("classifiers.linear_classifier").sample_minibatch(X, y, 3, np.random.default_rng(7))
    want = W1 - 0.1 * _hinge(W1, np.asarray(Xb), np.asarray(yb), 0.0)[1]
    assert np.allclose(model.W, want, atol=1e-10), \
        "train's first step must use sample_minibatch(X, y, batch_size, np.random.default_rng(seed))"


def test_train_honours_l1_and_elastic_net():
    for penalty, grad in (("l1", lambda W: 0.5 * np.sign(W)),
                          ("elastic_net", lambda W: 0.5 * (0.3 * np.sign(W) + 0.7 * 2 * W))):
        model, hist = _train_from_W1(learning_rate=0.1, num_iters=1, reg=0.5, penalty=penalty, l1_ratio=0.3)
        want = W1 - 0.1 * (_hinge(W1, X1, Y1, 0.0)[1] + grad(W1))
        assert np.allclose(model.W, want, atol=1e-10), f"train(penalty={penalty!r}): wrong step"


def test_predict_where_the_axis_matters():
    model = student("classifiers.linear_classifier").LinearSVM()
    W = np.zeros((6, 4))
    W[[0, 1, 2, 3], [2, 0, 3, 1]] = 1.0  # feature k votes for one class; features 4, 5 for none
    model.W = W
    X = np.array([[1.0, 0, 0, 0, 9, 9], [0, 2.0, 0, 0, 9, 9], [0, 0, 3.0, 0, 9, 9],
                  [0, 0, 0, 4.0, 9, 9], [5.0, 0, 0, 6.0, 9, 9]])  # N=5, D=6, C=4
    pred = np.asarray(model.predict(X))
    assert pred.shape == (5,), f"predict: one label per sample, shape (5,), got {pred.shape}"
    assert pred.tolist() == [2, 0, 3, 1, 1], f"predict: {pred.tolist()}, expected [2, 0, 3, 1, 1]"


# ----------------------------------------------------------- random_search
def _sum_of_weights(W, X, y):
    """A loss whose minimiser is the most negative W (module level: no closure)."""
    return float(np.sum(W))


def test_random_search_keeps_the_lowest_of_num_tries():
    lin = student("classifiers.linear_classifier")
    X, y = blobs(seed=31, n=20, classes=3, dim=4)
    best_W, best = lin.random_search(_sum_of_weights, X, y, num_tries=200, scale=1.0, seed=8)
    assert np.shape(best_W) == (4, 3), f"best_W shape {np.shape(best_W)}"
    assert abs(best - np.sum(best_W)) < 1e-9, "best_loss must be the loss of best_W"
    # sum of 12 standard normals has sd 3.46: the lowest of 200 tries sits near -9
    assert best < -6, f"the lowest of 200 tries should be far below 0, got {best:.2f}: keep the lowest"
    few = lin.random_search(_sum_of_weights, X, y, num_tries=3, scale=1.0, seed=8)[1]
    assert best <= few, "200 tries must do at least as well as 3 from the same seed"
    again = lin.random_search(_sum_of_weights, X, y, num_tries=200, scale=1.0, seed=8)[1]
    other = lin.random_search(_sum_of_weights, X, y, num_tries=200, scale=1.0, seed=9)[1]
    assert again == best and other != best, "random_search draws from np.random.default_rng(seed) only"
