"""Small kNN problems shared by test_knn.py and test_fast_knn.py."""

import numpy as np


def float_data(seed=0, N=40, M=9, D=6, C=4):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((N, D)), rng.integers(0, C, size=N),
            rng.standard_normal((M, D)))


def pixel_data(seed=0, N=60, M=15, D=8, C=3):
    """uint8 'images' with few levels: many exact distance ties and duplicates."""
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 4, size=(N + M, D)).astype(np.uint8) * 80
    return X[:N], rng.integers(0, C, size=N), X[N:]


def float32_data(seed=0):
    """float32 input: the fast path uses it without a copy and without centring."""
    X_train, y_train, X = float_data(seed)
    return X_train.astype(np.float32) + 5, y_train, X.astype(np.float32) + 5


def planted_near_ties(seed=0, M=40, D=50, low=-1000, high=1000, S=20):
    """Integer data where float32 cannot rank the neighbours but integers can.

    Each test row q gets training points q + w with w in {-1, 0, 1}^D holding
    exactly S, S, S + 1 or S + 2 nonzero entries: squared distances S, S
    (an exact tie between two different points), S + 1 and S + 2 (near-ties,
    1/S apart, far below float32's rounding of |q|^2), plus an exact duplicate
    of the first point. Labels are all different, so any swap changes a
    1-NN prediction. Returns int64 (X_train, y_train, X); rows are shuffled.
    """
    rng = np.random.default_rng(seed)
    X = rng.integers(low, high + 1, size=(M, D))
    rows = []
    for q in X:
        first = _ones(rng, D, S)
        for w in (first, _ones(rng, D, S), _ones(rng, D, S + 1), _ones(rng, D, S + 2), first):
            rows.append(q + w)
    X_train = np.array(rows)[rng.permutation(len(rows))]
    return X_train, np.arange(len(X_train)), X


def _ones(rng, D, count):
    """A vector of D entries with `count` random entries +-1, the rest 0."""
    w = np.zeros(D, dtype=np.int64)
    w[rng.choice(D, count, replace=False)] = rng.choice([-1, 1], count)
    return w


def exact_neighbors(X_train, X, k, metric="l2"):
    """Brute force in int64 arithmetic (exact for integer data): (M, k) indices,
    nearest first, equal distances -> smaller index."""
    diff = X[:, None, :].astype(np.int64) - X_train[None, :, :].astype(np.int64)
    d = np.abs(diff).sum(-1) if metric == "l1" else (diff * diff).sum(-1)
    return np.argsort(d, axis=1, kind="stable")[:, :k]
