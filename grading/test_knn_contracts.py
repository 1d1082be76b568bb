"""Hidden tests, knn part: every contract the docstrings of KNearestNeighbor promise.

They mirror the public checks (coursekit/student/checks/knn.py) on other data:
the clamp before the square root, duplicates at distance 0, uint8 pixels,
the float32 promise, inputs left unchanged, metric="l1" in every version, the
two tie rules of predict_labels, k = N, and predict with every num_loops on a
problem where M, N and D differ. Points in rubric.toml ([parts.knn]).
"""

import numpy as np
from hidden_helpers import changed_inputs, student
from scipy.spatial.distance import cdist

METHODS = ("compute_distances_two_loops", "compute_distances_one_loop",
           "compute_distances_no_loops")
SCIPY = {"l2": "euclidean", "l1": "cityblock"}


def _knn(metric, X_train, y=None):
    model = student("classifiers.k_nearest_neighbor").KNearestNeighbor(metric=metric)
    model.train(X_train, np.arange(len(X_train)) % 3 if y is None else y)
    return model


def _dists(model, method, X):
    with np.errstate(invalid="ignore"):  # a NaN from a missing clamp is asserted on, not warned
        return getattr(model, method)(X)


def test_no_loops_clamps_before_the_square_root():
    # 10 training and 6 test points within 1e-6 of one point of norm ~2e4: squared distances
    # built from squared norms of ~4e8 come out of rounding with either sign
    rng = np.random.default_rng(11)
    centre = 5e3 * (1 + rng.random(8))
    X_train = centre + 1e-6 * rng.standard_normal((10, 8))
    X = centre + 1e-6 * rng.standard_normal((6, 8))
    X[2] = X_train[5]
    tol = 1e-6 * np.linalg.norm(centre)
    got = np.asarray(_dists(_knn("l2", X_train), "compute_distances_no_loops", X), dtype=float)
    assert got.shape == (6, 10), f"dists shape {got.shape}, expected (6, 10)"
    assert not np.isnan(got).any(), (
        f"dists holds NaN at {np.argwhere(np.isnan(got))[:3].tolist()} for nearly identical "
        f"points of norm {np.linalg.norm(centre):.2g}: no clamp at 0 before the square root")
    assert (got >= 0).all(), f"dists holds negative values, min {got.min():.3g}"
    err = np.max(np.abs(got - cdist(X, X_train)))
    assert err <= tol, f"distances of nearly identical points off by {err:.3g} > {tol:.3g}"


def test_duplicates_are_at_distance_zero():
    rng = np.random.default_rng(12)
    X_train = 100 * rng.random((12, 48))  # norms ~400
    rows = [3, 7, 7, 0]
    X = X_train[rows]
    tol = 1e-6 * np.linalg.norm(X_train, axis=1).max()
    for metric in ("l2", "l1"):
        model = _knn(metric, X_train)
        for method in METHODS:
            got = np.asarray(_dists(model, method, X), dtype=float)
            assert got.shape == (4, 12), f"{method} ({metric}): dists shape {got.shape}, expected (4, 12)"
            dup = got[np.arange(4), rows]
            assert np.all(np.abs(dup) <= tol), (
                f"{method} ({metric}): test rows equal to training rows {rows} must be at distance "
                f"~0, got {dup.tolist()}")


def test_uint8_pixels_do_not_wrap_around():
    rng = np.random.default_rng(13)
    X_train = rng.integers(0, 256, size=(10, 16)).astype(np.uint8)
    X = rng.integers(0, 256, size=(5, 16)).astype(np.uint8)
    for metric in ("l2", "l1"):
        expected = cdist(X.astype(float), X_train.astype(float), SCIPY[metric])
        model = _knn(metric, X_train)
        for method in METHODS:
            got = getattr(model, method)(X)
            assert np.shape(got) == (5, 10), f"{method} ({metric}): dists shape {np.shape(got)}"
            assert np.asarray(got).dtype == np.float64, \
                f"{method} ({metric}): uint8 inputs must give float64 dists, got {np.asarray(got).dtype}"
            assert np.allclose(got, expected, rtol=1e-9, atol=1e-6), (
                f"{method} ({metric}): uint8 pixels give distances off by up to "
                f"{np.max(np.abs(np.asarray(got, dtype=float) - expected)):.3g} (uint8 wrap-around)")


def test_dtype_promise_float32_only_from_float32():
    rng = np.random.default_rng(14)
    X_train, X = rng.standard_normal((9, 4)), rng.standard_normal((3, 4))
    cases = {  # (X_train dtype, X dtype) -> dists dtype
        (np.float32, np.float32): np.float32, (np.float64, np.float32): np.float64,
        (np.float32, np.float64): np.float64, (np.uint8, np.float32): np.float64,
    }
    for (dt_train, dt_x), want in cases.items():
        Xt, Xx = (10 * X_train + 50).astype(dt_train), (10 * X + 50).astype(dt_x)
        for metric in ("l2", "l1"):
            model = _knn(metric, Xt)
            expected = cdist(Xx.astype(float), Xt.astype(float), SCIPY[metric])
            for method in METHODS:
                got = getattr(model, method)(Xx)
                name = f"{method} ({metric}, X_train {np.dtype(dt_train).name}, X {np.dtype(dt_x).name})"
                assert np.asarray(got).dtype == want, \
                    f"{name}: dists must be {np.dtype(want).name}, got {np.asarray(got).dtype}"
                assert np.allclose(got, expected, rtol=1e-4, atol=2e-2), f"{name}: wrong distances"


def test_distance_methods_leave_inputs_unchanged():
    rng = np.random.default_rng(15)
    X_train, X = rng.standard_normal((8, 5)), rng.standard_normal((6, 5))
    for metric in ("l2", "l1"):
        for method in METHODS:
            model = _knn(metric, X_train.copy())
            _, changed = changed_inputs(getattr(model, method), X.copy())
            assert changed == [], f"{method} ({metric}) modified its argument X in place"
            assert np.array_equal(model.X_train, X_train), \
                f"{method} ({metric}) modified the training data X_train in place"


def test_no_loops_with_l1():
    rng = np.random.default_rng(16)
    X_train, X = rng.standard_normal((11, 7)), rng.standard_normal((4, 7))
    got = _knn("l1", X_train).compute_distances_no_loops(X)
    assert np.shape(got) == (4, 11), f"dists shape {np.shape(got)}, expected (4, 11)"
    assert np.allclose(got, cdist(X, X_train, "cityblock"), atol=1e-9), \
        "compute_distances_no_loops with metric='l1' must give the L1 distances"


def test_predict_labels_equal_distances_smaller_index_first():
    # 30 training points; row 0 has distance 0 at j = 0, 3, ..., 27, row 1 at j = 2, 5, ..., 29;
    # labels 9 - j // 3 (one vote each), so the k nearest, taken in index order, vote 10 - k
    j = np.arange(30)
    dists = np.stack([(j % 3).astype(float), ((j + 1) % 3).astype(float)])
    model = _knn("l2", np.zeros((30, 2)), 9 - j // 3)
    for k in (2, 4, 5, 7):
        got = model.predict_labels(dists, k=k)
        assert np.array_equal(got, [10 - k, 10 - k]), (
            f"k={k}: expected {[10 - k] * 2}, got {np.asarray(got).tolist()}: equal distances must "
            f"keep the smaller training index first (a stable sort)")


def test_predict_labels_k_equals_n():
    model = _knn("l2", np.zeros((7, 2)), np.array([3, 1, 1, 0, 2, 2, 2]))
    dists = np.array([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]])
    got = model.predict_labels(dists, k=7)
    assert np.array_equal(got, [2, 2]), f"k=N=7: expected the overall majority [2, 2], got {got}"
    model = _knn("l2", np.zeros((4, 2)), np.array([1, 0, 1, 0]))
    got = model.predict_labels(np.array([[0.4, 0.3, 0.2, 0.1]]), k=4)
    assert np.array_equal(got, [0]), f"k=N=4, two votes each: expected [0] (smaller label), got {got}"


def test_predict_labels_int64_and_dists_unchanged():
    model = _knn("l2", np.zeros((6, 2)), np.array([2, 0, 1, 1, 0, 2]))
    dists = np.array([[0.3, 0.1, 0.6, 0.2, 0.5, 0.4], [0.6, 0.5, 0.1, 0.2, 0.3, 0.4],
                      [0.1, 0.6, 0.5, 0.4, 0.2, 0.3]])
    got, changed = changed_inputs(model.predict_labels, dists, k=3)
    assert changed == [], "predict_labels modified dists in place"
    assert np.asarray(got).dtype == np.int64, f"y_pred must be int64, got {np.asarray(got).dtype}"
    assert np.array_equal(got, [0, 1, 2]), f"k=3: expected [0, 1, 2], got {np.asarray(got).tolist()}"


def test_predict_every_num_loops_where_the_axis_matters():
    # M = 5 test points, N = 8 training points (the corners of a cube of side 10), D = 3:
    # a transposed dists or a vote along the wrong axis cannot give the right labels
    corners = 10.0 * np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)])
    y_train = np.array([0, 1, 2, 3, 3, 2, 1, 0])
    near = [0, 3, 5, 6, 7]
    X = corners[near] + np.array([[1, 0.5, 0], [0, -1, 0.5], [-0.5, 1, 0], [1, 0, -1], [0, -0.5, -1]])
    for metric in ("l2", "l1"):
        model = _knn(metric, corners, y_train)
        for num_loops in (0, 1, 2):
            got = model.predict(X, k=1, num_loops=num_loops)
            assert np.array_equal(got, y_train[near]), (
                f"predict(k=1, num_loops={num_loops}, metric={metric!r}) on 5 test x 8 training "
                f"points of dimension 3: expected {y_train[near].tolist()}, got {np.asarray(got).tolist()}")
