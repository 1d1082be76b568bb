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
