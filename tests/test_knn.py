"""k-nearest neighbours: distance twins, votes, metrics, errors."""

import numpy as np
import pytest

from conftest import named

from cs231n_lite.classifiers.k_nearest_neighbor import KNearestNeighbor
from cs231n_lite.validation import NotTrainedError
from knn_data import float_data, pixel_data


def all_distances(knn, X):
    return [knn.compute_distances_two_loops(X), knn.compute_distances_one_loop(X),
            knn.compute_distances_no_loops(X)]


@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("make", [float_data, pixel_data])
def test_three_distance_versions_agree(metric, make):
    X_train, y_train, X = make()
    knn = KNearestNeighbor(metric).train(X_train, y_train)
    d2, d1, d0 = all_distances(knn, X)
    assert d2.shape == (len(X), len(X_train)) and d2.dtype == np.float64
    np.testing.assert_allclose(d1, d2, rtol=0, atol=1e-8)
    np.testing.assert_allclose(d0, d2, rtol=0, atol=1e-8)
    # An independent reference (uint8 data must not wrap around).
    diff = X[:, None, :].astype(float) - X_train[None, :, :].astype(float)
    ref = np.abs(diff).sum(-1) if metric == "l1" else np.sqrt((diff**2).sum(-1))
    np.testing.assert_allclose(d2, ref, rtol=1e-12, atol=1e-12)


def test_identical_points_give_zero_not_nan():
    X_train, y_train, _ = float_data()
    X_train = 1e3 * X_train  # large norms: rounding in |x|^2 + |t|^2 - 2 x.t
    dists = KNearestNeighbor().train(X_train, y_train).compute_distances_no_loops(X_train)
    assert not np.isnan(dists).any()
    np.testing.assert_allclose(np.diag(dists), 0.0, atol=1e-4)


def test_no_loops_keeps_float32():
    X_train, y_train, X = float_data()
    knn = KNearestNeighbor().train(X_train.astype(np.float32), y_train)
    dists = knn.compute_distances_no_loops(X.astype(np.float32))
    assert dists.dtype == np.float32
    np.testing.assert_allclose(dists, knn.compute_distances_two_loops(X.astype(np.float32)),
                               rtol=1e-4, atol=1e-4)


def test_vote_ties_go_to_the_smaller_label():
    # Training points at distance 1 (label 2) and 2 (label 0, label 2) and 3 (label 0).
    knn = KNearestNeighbor().train(np.array([[1.0], [2.0], [-2.0], [3.0]]), np.array([2, 0, 2, 0]))
    dists = np.array([[1.0, 2.0, 2.0, 3.0]])
    assert knn.predict_labels(dists, k=1).tolist() == [2]
    assert knn.predict_labels(dists, k=2).tolist() == [0]  # one vote each -> 0
    assert knn.predict_labels(dists, k=3).tolist() == [2]
    assert knn.predict_labels(dists, k=4).tolist() == [0]  # two votes each -> 0
    for k in (1, 2, 3, 4):
        X = np.zeros((1, 1))
        assert knn.predict(X, k=k).tolist() == knn.predict_labels(dists, k=k).tolist()


def test_l1_and_l2_pick_different_neighbours():
    # From the origin: A = (3, 0) has L1 3, L2 3; B = (2, 2) has L1 4, L2 2.83.
    X_train, y_train = np.array([[3.0, 0.0], [2.0, 2.0]]), np.array([0, 1])
    X = np.zeros((1, 2))
    l2 = KNearestNeighbor("l2").train(X_train, y_train)
    l1 = KNearestNeighbor("l1").train(X_train, y_train)
    np.testing.assert_allclose(l2.compute_distances_no_loops(X), [[3.0, np.sqrt(8)]])
    np.testing.assert_allclose(l1.compute_distances_no_loops(X), [[3.0, 4.0]])
    for num_loops in (0, 1, 2):
        assert l2.predict(X, num_loops=num_loops).tolist() == [1]
        assert l1.predict(X, num_loops=num_loops).tolist() == [0]


def test_train_memorises_without_copy():
    X_train, y_train, _ = float_data()
    knn = KNearestNeighbor()
    assert knn.train(X_train, y_train) is knn
    assert knn.X_train is X_train or np.shares_memory(knn.X_train, X_train)
    np.testing.assert_array_equal(knn.y_train, y_train)


@pytest.mark.parametrize("call, name", [
    (lambda knn, X: knn.predict(X, k=0), named("k")),
    (lambda knn, X: knn.predict(X, k=41), named("k")),  # only 40 training points
    (lambda knn, X: knn.predict(X, k=1.5), named("k")),
    (lambda knn, X: knn.predict(X[:, :-1]), named("X")),
    (lambda knn, X: knn.compute_distances_two_loops(X[:, :-1]), named("X")),
    (lambda knn, X: knn.predict(np.where(X > 1, np.nan, X)), named("X")),
    (lambda knn, X: knn.predict(X, num_loops=3), named("num_loops")),
    (lambda knn, X: knn.predict_labels(np.ones((2, 39))), named("dists")),
    (lambda knn, X: knn.predict_labels(np.ones((2, 40)), k=0), named("k")),
    (lambda knn, X: knn.train(X, np.zeros(len(X) - 1, dtype=int)), named("y")),
    (lambda knn, X: knn.train(X, np.zeros((len(X), 1), dtype=int)), r"y\.ravel"),
    (lambda knn, X: knn.train(np.full_like(X, np.nan), np.zeros(len(X), dtype=int)), named("X")),
])
def test_bad_input_names_the_argument(call, name):
    X_train, y_train, X = float_data()
    knn = KNearestNeighbor().train(X_train, y_train)
    with pytest.raises(ValueError, match=name):
        call(knn, X)


def test_predict_before_train_and_unknown_metric():
    X = np.ones((2, 3))
    for call in (lambda knn: knn.predict(X), lambda knn: knn.compute_distances_no_loops(X),
                 lambda knn: knn.predict_labels(X)):
        with pytest.raises(NotTrainedError, match="not trained"):
            call(KNearestNeighbor())
    with pytest.raises(ValueError, match=named("metric")):
        KNearestNeighbor("cosine")
