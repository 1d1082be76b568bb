"""Public checks of the knn part: distances against scipy, votes by hand."""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from .base import Wrong, check, expect_array, expect_close

MOD = "cs231n_lite.classifiers.k_nearest_neighbor"


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X_train = rng.standard_normal((7, 5))
    X = rng.standard_normal((4, 5))
    X[1] = X_train[2]  # an exact duplicate: its distance must be 0, not NaN
    return X_train, X, rng.integers(0, 3, size=7)


def _distances(m, method: str, metrics=("l2", "l1")) -> None:
    X_train, X, y = _data()
    for metric in metrics:
        model = m.KNearestNeighbor(metric=metric)
        model.train(X_train, y)
        where = (f"for metric {metric!r}, 4 test x 7 training points of dimension 5 "
                 f"(test row 1 duplicates training row 2)")
        got = expect_array("dists", getattr(model, method)(X.copy()), (4, 7), where)
        expected = cdist(X, X_train, "euclidean" if metric == "l2" else "cityblock")
        expect_close("dists", got, expected, where, rtol=1e-7, atol=1e-7)


@check("knn", MOD, "KNearestNeighbor.compute_distances_two_loops")
def two_loops(m):
    _distances(m, "compute_distances_two_loops")


@check("knn", MOD, "KNearestNeighbor.compute_distances_one_loop")
def one_loop(m):
    _distances(m, "compute_distances_one_loop")


@check("knn", MOD, "KNearestNeighbor.compute_distances_no_loops")
def no_loops(m):
    _distances(m, "compute_distances_no_loops", metrics=("l2",))


# Worked example: 6 training points with labels 0, 1, 1, 2, 2, 2.
Y_TRAIN = np.array([0, 1, 1, 2, 2, 2])
DISTS = np.array([
    [0.5, 0.1, 0.2, 0.3, 0.9, 0.8],  # nearest: 1 (y=1), 2 (y=1), 3 (y=2), 0 (y=0), ...
    [0.2, 0.5, 0.9, 0.1, 0.7, 0.8],  # nearest: 3 (y=2), 0 (y=0), 1 (y=1): ties for k=2, 3
])
EXPECTED = {1: [1, 2], 2: [1, 0], 3: [1, 0], 6: [2, 2]}
WHY = {1: "the label of the nearest point", 2: "a tie between labels goes to the smaller label",
       3: "the majority of the 3 nearest, ties to the smaller label", 6: "the majority of all 6"}


@check("knn", MOD, "KNearestNeighbor.predict_labels")
def predict_labels(m):
    model = m.KNearestNeighbor()
    model.train(np.zeros((6, 2)), Y_TRAIN)
    for k, expected in EXPECTED.items():
        where = (f"for k={k}, y_train={Y_TRAIN.tolist()} and dists rows "
                 f"{DISTS.tolist()} ({WHY[k]})")
        got = expect_array("y_pred", model.predict_labels(DISTS.copy(), k=k), (2,), where)
        if not np.array_equal(got, expected):
            raise Wrong(f"y_pred {where}: expected {expected}, got {got.tolist()}")
