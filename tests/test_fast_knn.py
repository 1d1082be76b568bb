"""The instructors' fast kNN path (cs231n_lite.fast.knn) against plain brute force."""

import numpy as np
import pytest

from cs231n_lite.fast.knn import FastKNearestNeighbor, l1_distances
from knn_data import float32_data, float_data, pixel_data


def test_l1_distances_in_tiny_blocks():
    X_train, _, X = float_data(N=13, M=7)
    ref = np.abs(X[:, None] - X_train[None]).sum(-1)
    for max_bytes in (1, 100, 10**9):  # one pair per block ... everything at once
        np.testing.assert_allclose(l1_distances(X, X_train, max_bytes=max_bytes), ref, rtol=1e-12)


@pytest.mark.parametrize("metric", ["l2", "l1"])
@pytest.mark.parametrize("make", [float_data, pixel_data, float32_data])
@pytest.mark.parametrize("k", [1, 3, 7])
@pytest.mark.parametrize("chunk_size", [1, 4, None])
def test_chunked_path_equals_plain(metric, make, k, chunk_size):
    X_train, y_train, X = make()
    knn = FastKNearestNeighbor(metric).train(X_train, y_train)
    plain = knn.predict(X, k=k)
    np.testing.assert_array_equal(knn.predict_chunked(X, k=k, chunk_size=chunk_size), plain)
    dist, ind = knn.kneighbors(X, k=k, chunk_size=chunk_size)
    ref = knn.compute_distances_two_loops(X)
    order = np.argsort(ref, axis=1, kind="stable")[:, :k]  # ties -> smaller index
    np.testing.assert_array_equal(ind, order)
    np.testing.assert_allclose(dist, np.take_along_axis(ref, order, axis=1), rtol=1e-6)
    if make is not float32_data:  # the reference is float64: exact agreement
        np.testing.assert_allclose(dist, np.take_along_axis(ref, order, axis=1), rtol=1e-12)


def test_exact_rerank_separates_what_float32_cannot():
    # Training points 0 and 1 round to the SAME float32 value, but 1 is nearer
    # to the query 0; point 2 keeps the training mean near 0 (the fast path
    # centres the data, which would otherwise make them separable).
    X_train = np.array([[20000.002], [20000.001], [-40000.003]])
    assert np.float32(X_train[0, 0]) == np.float32(X_train[1, 0])
    knn = FastKNearestNeighbor().train(X_train, np.array([0, 1, 2]))
    X = np.zeros((1, 1))
    assert knn.predict(X, num_loops=2).tolist() == [1]
    assert knn.predict_chunked(X, chunk_size=1).tolist() == [1]
    dist, ind = knn.kneighbors(X, k=2)
    assert ind.tolist() == [[1, 0]]
    np.testing.assert_allclose(dist, [[20000.001, 20000.002]], rtol=1e-14)


def test_fast_path_on_image_sized_data():
    # CIFAR-like scale of values and dimension; float32 sgemm + exact re-ranking
    # must reproduce float64 brute force exactly.
    rng = np.random.default_rng(3)
    base = rng.integers(0, 256, size=(20, 3072))
    X_all = np.clip(base[rng.integers(0, 20, 260)] + rng.integers(-6, 7, (260, 3072)), 0, 255)
    X_all = X_all.astype(np.uint8)
    X_train, X, y_train = X_all[:200], X_all[200:], rng.integers(0, 10, 200)
    knn = FastKNearestNeighbor().train(X_train, y_train)
    for k in (1, 5):
        np.testing.assert_array_equal(knn.predict_chunked(X, k=k, chunk_size=16), knn.predict(X, k=k))


def test_l1_distances_convert_uint8_without_wrapping():
    X_train = np.array([[0, 255], [10, 20]], dtype=np.uint8)
    X = np.array([[255, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(l1_distances(X, X_train, max_bytes=16), [[510.0, 265.0]])
    assert l1_distances(X, X_train).dtype == np.float64


@pytest.mark.parametrize("call, name", [
    (lambda knn, X: knn.predict_chunked(X, k=41, chunk_size=4), "k"),
    (lambda knn, X: knn.predict_chunked(X, chunk_size=0), "chunk_size"),
    (lambda knn, X: knn.kneighbors(X[:, :-1]), "X"),
])
def test_bad_input_names_the_argument(call, name):
    X_train, y_train, X = float_data()
    knn = FastKNearestNeighbor().train(X_train, y_train)
    with pytest.raises(ValueError, match=name):
        call(knn, X)
