#!/usr/bin/env python
"""Optimizers on softmax CIFAR-10: minibatch update rules, and L-BFGS vs scikit-learn.

Usage::

    .venv/bin/python benchmarks/bench_optim.py --data /path/to/folder-with-cifar-10-batches-py
    .venv/bin/python benchmarks/bench_optim.py --data ... --quick   # tiny sizes, smoke test

Part 1 trains softmax (``softmax_loss_vectorized``) with every rule in
``optim.UPDATE_RULES`` for a fixed budget (default 1500 minibatch iterations
of 200, the same seeded minibatches for every run), at each learning rate of
a small per-rule grid, and reports the full-training-set objective at the end
for the best rate (a best rate at the edge of its grid is flagged).

Part 2 minimises the same objective full-batch with ``optim.lbfgs`` and with
scikit-learn's ``LogisticRegression(solver="lbfgs")`` (multinomial for 10
classes). Our objective is ``mean CE + reg * sum(W**2)`` over bias-trick data
(the bias row is penalised too); sklearn minimises ``0.5 ||W||^2 + C sum CE``,
so ``C = 1 / (2 reg N)`` and ``fit_intercept=False`` on the same bias-trick
data give the same minimiser (sklearn's objective is ours divided by 2 reg).
Both objectives are evaluated with our loss; they must agree within 1e-4
(exit status 1 otherwise). Preprocessing is CS231n's: subtract the training
mean image, append a column of ones. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from cs231n_lite.classifiers.softmax import softmax_loss_vectorized  # noqa: E402
from cs231n_lite.optim import UPDATE_RULES, lbfgs  # noqa: E402

# Learning-rate grids for mean-subtracted raw pixels with reg = 2.5e4
# (CS231n's softmax setting), from a short sweep on 3000 images.
LR_GRIDS = {
    "sgd": (1e-7, 3e-7, 1e-6, 3e-6),
    "sgd_momentum": (1e-8, 3e-8, 1e-7, 3e-7),
    "nesterov": (1e-8, 3e-8, 1e-7, 3e-7),
    "adagrad": (1e-4, 3e-4, 1e-3, 3e-3),
    "rmsprop": (3e-6, 1e-5, 3e-5, 1e-4),
    "adam": (1e-5, 3e-5, 1e-4, 3e-4),
}
SIZES = {  # (num_train, minibatch iterations, batch size)
    "full": (49000, 1500, 200),
    "quick": (1000, 50, 100),
}
LOSS_TOLERANCE = 1e-4  # |our objective - sklearn's| at the L-BFGS optimum


def load_data(data_dir, num_train):
    """Bias-trick float64 rows (num_train, 3073) and labels, CS231n-style."""
    from cs231n_lite.data import load_cifar10  # the kit's loader (contract: design-notes)

    root = Path(data_dir)
    if (root / "cifar-10-batches-py").is_dir():
        root = root / "cifar-10-batches-py"
    X_train, y_train, _, _ = load_cifar10(root)
    X = X_train[:num_train].reshape(num_train, -1).astype(np.float64)
    X -= X.mean(axis=0)  # the mean image
    return np.hstack([X, np.ones((num_train, 1))]), np.asarray(y_train[:num_train])


def train_minibatch(rule, lr, X, y, reg, num_iters, batch_size, seed=0):
    """Minibatch softmax training with one update rule; returns W (D, C)."""
    rng = np.random.default_rng(seed)  # same batches for every rule and rate
    W = 1e-3 * rng.standard_normal((X.shape[1], int(y.max()) + 1))
    update, config = UPDATE_RULES[rule], {}
    for _ in range(num_iters):
        idx = rng.integers(0, X.shape[0], batch_size)
        _, dW = softmax_loss_vectorized(W, X[idx], y[idx], reg)
        config["learning_rate"] = lr
        W, config = update(W, dW, config)
    return W


def bench_rules(X, y, reg, num_iters, batch_size):
    """One row per rule: best rate, its final objective, all rates' objectives."""
    rows = []
    for rule, grid in LR_GRIDS.items():
        start, losses = time.perf_counter(), []
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged rate is just a bad row
            for lr in grid:
                W = train_minibatch(rule, lr, X, y, reg, num_iters, batch_size)
                loss = softmax_loss_vectorized(W, X, y, reg)[0] if np.isfinite(W).all() else np.inf
                losses.append(loss)
        best = int(np.argmin(losses))
        edge = " (grid edge: widen it)" if best in (0, len(grid) - 1) else ""
        rows.append((rule, grid[best], losses[best], losses, edge,
                     (time.perf_counter() - start) / len(grid)))
    return rows


def bench_lbfgs(X, y, reg, max_iter, tol):
    """Full-batch L-BFGS: ours vs sklearn, same objective; returns a dict."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    N, D = X.shape
    C = int(y.max()) + 1
    objective = lambda W: softmax_loss_vectorized(W, X, y, reg)  # noqa: E731
    start = time.perf_counter()
    W_ours, history = lbfgs(objective, np.zeros((D, C)), max_iter=max_iter, tol=tol)
    t_ours = time.perf_counter() - start

    clf = LogisticRegression(C=1.0 / (2 * reg * N), fit_intercept=False, solver="lbfgs",
                             tol=tol, max_iter=max_iter)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        clf.fit(X, y)
    t_sk = time.perf_counter() - start
    W_sk = clf.coef_.T  # (D, C); classes_ are 0..C-1 in order
    return {
        "ours": (objective(W_ours)[0], len(history) - 1, t_ours),
        "sklearn": (objective(W_sk)[0], int(np.max(clf.n_iter_)), t_sk),
        "sklearn_warned": any(issubclass(w.category, ConvergenceWarning) for w in caught),
        "max_abs_dW": float(np.abs(W_ours - W_sk).max()),
    }


def print_rules(rows, num_train, num_iters, batch_size, reg):
    print(f"\n## Minibatch rules: softmax, N={num_train}, {num_iters} iterations "
          f"of {batch_size}, reg={reg:g}\n")
    print("| rule | best learning rate | final objective | objective per rate | s per run |")
    print("|---|---|---|---|---|")
    for rule, lr, loss, losses, edge, secs in rows:
        per_rate = ", ".join(f"{r:g}: {v:.4f}" for r, v in zip(LR_GRIDS[rule], losses))
        print(f"| {rule} | {lr:g}{edge} | {loss:.4f} | {per_rate} | {secs:.1f} |")


def print_lbfgs(res, num_train, reg):
    (l_ours, it_ours, t_ours), (l_sk, it_sk, t_sk) = res["ours"], res["sklearn"]
    diff = abs(l_ours - l_sk)
    print(f"\n## Full-batch L-BFGS: N={num_train}, reg={reg:g}, C=1/(2 reg N)={1 / (2 * reg * num_train):.3g}\n")
    print("| solver | objective | iterations | time (s) |")
    print("|---|---|---|---|")
    print(f"| cs231n_lite.optim.lbfgs | {l_ours:.8f} | {it_ours} | {t_ours:.2f} |")
    warn = " (ConvergenceWarning)" if res["sklearn_warned"] else ""
    print(f"| sklearn LogisticRegression{warn} | {l_sk:.8f} | {it_sk} | {t_sk:.2f} |")
    verdict = "OK" if diff <= LOSS_TOLERANCE else "MISMATCH"
    print(f"\n|objective difference| = {diff:.2e} ({verdict}, tolerance {LOSS_TOLERANCE:g}); "
          f"max |W_ours - W_sklearn| = {res['max_abs_dW']:.2e}; "
          f"time ratio ours / sklearn = {t_ours / t_sk:.2f}")
    return diff <= LOSS_TOLERANCE


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder containing cifar-10-batches-py")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the script runs")
    parser.add_argument("--reg", type=float, default=2.5e4, help="reg in reg * sum(W**2)")
    parser.add_argument("--max-iter", type=int, default=1000, help="L-BFGS iteration budget")
    parser.add_argument("--tol", type=float, default=1e-8, help="L-BFGS gradient tolerance")
    parser.add_argument("--skip-rules", action="store_true", help="run only the L-BFGS part")
    args = parser.parse_args(argv)

    num_train, num_iters, batch_size = SIZES["quick" if args.quick else "full"]
    X, y = load_data(args.data, num_train)
    print(f"CIFAR-10 from {args.data}: X {X.shape}, {len(np.unique(y))} classes")
    if not args.skip_rules:
        print_rules(bench_rules(X, y, args.reg, num_iters, batch_size),
                    num_train, num_iters, batch_size, args.reg)
    ok = print_lbfgs(bench_lbfgs(X, y, args.reg, args.max_iter, args.tol), num_train, args.reg)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
