"""L-BFGS and Newton (cs231n_lite.second_order, re-exported by optim)."""

import warnings

import numpy as np
import pytest
import scipy.linalg
from scipy.optimize import check_grad, minimize

from cs231n_lite.optim import lbfgs, newton, newton_step


def softmax_problem(seed=0, N=150, D=8, C=4, reg=0.05):
    """A test-local regularized softmax: mean cross-entropy + reg * sum(W^2)."""
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.normal(size=(N, D - 1)), np.ones((N, 1))])  # bias trick
    y = rng.integers(0, C, size=N)
    Y = np.eye(C)[y]  # (N, C) one-hot

    def loss_and_grad(W):  # W (D, C)
        S = X @ W
        S = S - S.max(axis=1, keepdims=True)  # exp would overflow
        P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
        loss = -np.log(P[np.arange(N), y]).mean() + reg * np.sum(W**2)
        return loss, X.T @ (P - Y) / N + 2 * reg * W

    return loss_and_grad, (D, C)


def test_softmax_objective_gradient_is_right():
    loss_and_grad, shape = softmax_problem()
    f = lambda x: loss_and_grad(x.reshape(shape))[0]  # noqa: E731
    g = lambda x: loss_and_grad(x.reshape(shape))[1].ravel()  # noqa: E731
    x = np.random.default_rng(1).normal(size=shape).ravel()
    assert check_grad(f, g, x) < 1e-5


def test_lbfgs_matches_direct_scipy_minimize():
    loss_and_grad, shape = softmax_problem()
    W, history = lbfgs(loss_and_grad, np.zeros(shape), max_iter=500, tol=1e-12)

    def flat(x):
        loss, grad = loss_and_grad(x.reshape(shape))
        return loss, grad.ravel()

    # An independent reference: full BFGS, tight gradient tolerance.
    ref = minimize(flat, np.zeros(np.prod(shape)), jac=True, method="BFGS", options={"gtol": 1e-8})
    assert ref.success
    assert W.shape == shape
    assert loss_and_grad(W)[0] == pytest.approx(ref.fun, abs=1e-8)
    np.testing.assert_allclose(W, ref.x.reshape(shape), atol=1e-6)
    # history: loss at W0 = log(C) (uniform scores), then one entry per iteration
    assert history[0] == pytest.approx(np.log(4))
    assert history[-1] == pytest.approx(ref.fun, abs=1e-8)
    assert np.all(np.diff(history) <= 1e-12)


def test_lbfgs_callback_once_per_iteration():
    loss_and_grad, shape = softmax_problem(N=60)
    seen = []
    _, history = lbfgs(loss_and_grad, np.zeros(shape), max_iter=50,
                       callback=lambda w, loss: seen.append((w.shape, loss)))
    assert len(seen) == len(history) - 1 > 0
    assert all(s == shape for s, _ in seen)
    assert [loss for _, loss in seen] == history[1:]


def test_lbfgs_warns_when_the_gradient_is_wrong():
    # A sign-flipped gradient: scipy's line search fails at w0 ("ABNORMAL"),
    # which without a warning looks like convergence in zero iterations.
    loss_and_grad, shape = softmax_problem(N=60)
    flipped = lambda W: (loss_and_grad(W)[0], -loss_and_grad(W)[1])  # noqa: E731
    with pytest.warns(RuntimeWarning, match=r"without converging; check that loss_and_grad .*"
                                            r"\(scipy: ABNORMAL"):
        lbfgs(flipped, np.ones(shape))


def test_lbfgs_is_silent_when_scipy_reports_success():
    loss_and_grad, shape = softmax_problem(N=60)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lbfgs(loss_and_grad, np.zeros(shape), max_iter=500)


def test_lbfgs_warns_on_any_failure_scipy_reports(monkeypatch):
    import cs231n_lite.second_order as so
    from scipy.optimize import OptimizeResult

    fake = OptimizeResult(x=np.zeros(2), success=False, status=3, nit=4, message="SOMETHING NEW")
    monkeypatch.setattr(so, "minimize", lambda *a, **k: fake)
    with pytest.warns(RuntimeWarning, match=r"after 4 iteration\(s\) .*\(scipy: SOMETHING NEW\)"):
        lbfgs(lambda w: (float(w @ w), 2 * w), np.ones(2))


def test_lbfgs_warns_when_budget_runs_out():
    loss_and_grad, shape = softmax_problem(N=60)
    with pytest.warns(RuntimeWarning, match="max_iter=2"):
        _, history = lbfgs(loss_and_grad, np.zeros(shape), max_iter=2, tol=1e-14)
    assert len(history) == 3


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"max_iter": 0}, "max_iter must be >= 1"),
        ({"tol": -1.0}, "tol must be > 0"),
        ({"history_size": 0}, "history_size must be >= 1"),
        ({"w0": np.array([np.nan, 1.0])}, "w0 contains 1 NaN"),
        ({"loss_and_grad": lambda w: (0.0, np.zeros(3))}, r"loss_and_grad must return .* got grad of shape \(3,\)"),
    ],
)
def test_lbfgs_bad_input(kwargs, match):
    args = {"loss_and_grad": lambda w: (float(w @ w), 2 * w), "w0": np.ones(2)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        lbfgs(**args)


def spd_quadratic(seed=0, D=6):
    """f = 0.5 w.A w - b.w with a known minimiser w_star (chosen first)."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(D, D)))
    A = Q @ np.diag(np.linspace(1.0, 50.0, D)) @ Q.T  # condition number 50
    w_star = rng.normal(size=D)
    b = A @ w_star
    return A, b, w_star


def test_newton_solves_quadratic_in_one_step():
    A, b, w_star = spd_quadratic()
    w0 = np.random.default_rng(5).normal(size=(2, 3))  # any shape: D = 6
    w1 = newton_step(w0, A @ w0.ravel() - b, A)
    assert w1.shape == (2, 3)
    np.testing.assert_allclose(w1.ravel(), w_star, atol=1e-10)


def test_newton_never_inverts(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("newton_step inverted the Hessian")

    monkeypatch.setattr(np.linalg, "inv", refuse)
    monkeypatch.setattr(scipy.linalg, "inv", refuse)
    A, b, w_star = spd_quadratic(seed=2)
    np.testing.assert_allclose(newton_step(np.zeros(6), -b, A), w_star, atol=1e-10)


def test_newton_driver_history():
    A, b, w_star = spd_quadratic(seed=3)
    fgh = lambda w: (0.5 * w @ A @ w - b @ w, A @ w - b, A)  # noqa: E731
    w, history = newton(fgh, np.zeros(6), num_steps=3)
    np.testing.assert_allclose(w, w_star, atol=1e-10)
    # f(w_star) = 0.5 w*.A w* - w*.A w* = -0.5 w*.A w*
    assert len(history) == 4 and history[0] == 0.0
    assert history[1] == pytest.approx(-0.5 * w_star @ A @ w_star, rel=1e-12)


def test_newton_on_indefinite_hessian_goes_to_the_saddle():
    # f = x^2 - y^2 at (1, 0.5): grad (2, -1), H = diag(2, -2);
    # p = (2/2, -1/-2) = (1, 0.5), so the step lands on the saddle (0, 0).
    w1 = newton_step(np.array([1.0, 0.5]), np.array([2.0, -1.0]), np.diag([2.0, -2.0]))
    np.testing.assert_allclose(w1, [0.0, 0.0], atol=1e-15)


def test_newton_damping():
    # f = x^2 at x = 2: grad 4, H 2. Pure: 2 - 4/2 = 0. Damping 2: 2 - 4/(2+2) = 1.
    assert newton_step(np.array([2.0]), np.array([4.0]), np.array([[2.0]]))[0] == pytest.approx(0.0)
    assert newton_step(np.array([2.0]), np.array([4.0]), np.array([[2.0]]), damping=2.0)[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "grad, hess, damping, match",
    [
        (np.ones(2), np.zeros((2, 2)), 0.0,
         r"hess \+ damping \* I is singular \(damping=0, smallest eigenvalue of hess 0\).*pass damping > 0 "),
        (np.ones(2), np.diag([2.0, -2.0]), 1.0,
         r"damping=1 leaves hess \+ damping \* I not positive definite .*pass damping > 2,"),
        (np.ones(2), np.diag([1.0, -1.0]), 1.0,  # hess + I = diag(2, 0) is singular
         r"damping=1 leaves .* not positive definite .*pass damping > 1,"),
        (np.ones(2), np.eye(3), 0.0, r"hess must have shape \(2, 2\), got \(3, 3\)"),
        (np.ones(3), np.eye(2), 0.0, "grad must have w's 2 entries"),
        (np.ones(2), np.eye(2), -1.0, "damping must be >= 0"),
    ],
)
def test_newton_bad_input(grad, hess, damping, match):
    with pytest.raises(ValueError, match=match):
        newton_step(np.ones(2), grad, hess, damping)


def test_singular_hessian_detected_when_solve_returns_inf(monkeypatch):
    # scipy 1.15 returns [inf inf] for a singular matrix instead of raising.
    monkeypatch.setattr(scipy.linalg, "solve", lambda a, b, **kw: np.full(np.shape(b), np.inf))
    with pytest.raises(ValueError, match=r"hess \+ damping \* I is singular .*pass damping > 0"):
        newton_step(np.ones(2), np.ones(2), np.zeros((2, 2)))


def test_damping_shortens_the_step_once_positive_definite():
    # hess = diag(2, -2): damping must exceed 2. Beyond it, a descent
    # direction (p . grad > 0) that shrinks as damping grows.
    w, g, H = np.array([1.0, 0.5]), np.array([2.0, -1.0]), np.diag([2.0, -2.0])
    steps = [w - newton_step(w, g, H, damping=d) for d in (2.5, 5.0, 50.0)]
    assert all(p @ g > 0 for p in steps)
    norms = [np.linalg.norm(p) for p in steps]
    assert norms[0] > norms[1] > norms[2]
    np.testing.assert_allclose(steps[2], g / np.array([52.0, 48.0]))


def test_singular_hessian_solvable_with_damping():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w1 = newton_step(np.ones(2), np.ones(2), np.zeros((2, 2)), damping=1.0)
    np.testing.assert_allclose(w1, [0.0, 0.0])  # 1 - 1/(0 + 1) = 0
