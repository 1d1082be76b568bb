"""Public checks of the knn part: every contract the docstrings of
``KNearestNeighbor`` promise, against hand-worked constants and scipy.

Distances: scipy's ``cdist`` and 3-4-5 style integer examples (both metrics),
the (M, N) orientation, the dtype (float32 in, float32 out), uint8 pixels
(no wrap-around), inputs left unchanged, duplicates at distance 0 and nearly
identical points of large norm (finite, >= 0). Votes: a worked example, the
two tie rules, k = N, int64 labels, dists left unchanged. ``predict`` with
every ``num_loops`` on a problem where M, N and D differ.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from .base import Wrong, check, expect_array, expect_close, fmt

MOD = "cs231n_lite.classifiers.k_nearest_neighbor"
TWO = "KNearestNeighbor.compute_distances_two_loops"
ONE = "KNearestNeighbor.compute_distances_one_loop"
NONE = "KNearestNeighbor.compute_distances_no_loops"
VOTE = "KNearestNeighbor.predict_labels"
SCIPY = {"l2": "euclidean", "l1": "cityblock"}


def _trained(m, metric, X_train, y=None):
    model = m.KNearestNeighbor(metric=metric)
    model.train(X_train, np.zeros(len(X_train), dtype=np.int64) if y is None else y)
    return model


def _call(m, method, metric, X_train, X):
    """``dists`` of ``method`` on copies of the inputs; Wrong if it changed them."""
    X_train_arg, X_arg = X_train.copy(), X.copy()
    model = _trained(m, metric, X_train_arg)
    with np.errstate(invalid="ignore"):  # a missing clamp is reported below, not warned
        got = getattr(model, method)(X_arg)
    for name, arg, orig in (("X", X_arg, X), ("X_train", X_train_arg, X_train)):
        if not np.array_equal(arg, orig):
            where = tuple(int(i) for i in np.argwhere(arg != orig)[0])
            raise Wrong(f"{method} (metric={metric!r}) modified its input {name} in place "
                        f"(entry {where} was {fmt(orig[where])}, is now {fmt(arg[where])}); "
                        f"compute on new arrays (a - b, x ** 2), never with -=, *=, **= or out= "
                        f"on X or X_train")
    return got


def _expect_dists(method, metric, got, expected, where, *, rtol=1e-7, atol=1e-7, raw=None):
    """``got`` against ``expected`` with a diagnosis of the usual mistakes."""
    shape = expected.shape
    if got is not None and np.shape(got) == shape[::-1] and shape[0] != shape[1]:
        raise Wrong(f"dists should have shape {shape} {where}, got {np.shape(got)}: rows and "
                    f"columns are swapped; dists[i, j] pairs test row X[i] with training row "
                    f"X_train[j]")
    if got is not None and np.ndim(got) == 2 and np.isnan(np.asarray(got, dtype=float)).any():
        i, j = (int(v) for v in np.argwhere(np.isnan(np.asarray(got, dtype=float)))[0])
        fix = ("rounding made a squared distance slightly negative and its square root NaN: "
               "clamp the squared distances at 0 before the square root"
               if metric == "l2" else "look for a 0 / 0 or a square root of a negative number")
        raise Wrong(f"dists holds NaN {where}, e.g. at ({i}, {j}) where the distance is "
                    f"{fmt(expected[i, j])}; {fix}")
    got = expect_array("dists", got, shape, where)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return got
    pts = raw if raw is not None else None
    if pts is not None:
        X_train, X = pts
        for other, said in (("cityblock", "the L1 distances"), ("euclidean", "the L2 distances"),
                            ("sqeuclidean", "the squared L2 distances")):
            if other != SCIPY[metric] and np.allclose(got, cdist(X, X_train, other), rtol=1e-6,
                                                      atol=1e-6):
                fix = {"l1": "with metric=\"l1\", dists[i, j] is the sum over d of "
                             "|X[i, d] - X_train[j, d]| (read self.metric)",
                       "l2": "with metric=\"l2\", dists[i, j] is the square root of the sum "
                             "over d of (X[i, d] - X_train[j, d])**2"}[metric]
                raise Wrong(f"dists {where} are {said}, not the {metric.upper()} distances: "
                            f"expected {fmt(expected)}, got {fmt(got)}; {fix}")
    expect_close("dists", got, expected, where, rtol=rtol, atol=atol)
    return got


def _expect_dtype(got, dtype, where):
    if np.asarray(got).dtype != dtype:
        raise Wrong(f"dists should be {np.dtype(dtype).name} {where}, got "
                    f"{np.asarray(got).dtype}: float32 inputs give float32 distances, anything "
                    f"else float64; fill the preallocated dists, or keep the dtype of X and "
                    f"X_train (no astype, no np.float64 arrays of your own)")


# ----------------------------------------------------------------- data
def _random_problem(seed=0):
    """4 test x 7 training points of dimension 5; test row 1 duplicates training row 2."""
    rng = np.random.default_rng(seed)
    X_train, X = rng.standard_normal((7, 5)), rng.standard_normal((4, 5))
    X[1] = X_train[2]
    return X_train, X


# Hand-worked: test points 0 and (3, 4, 0); training points on 3-4-5 and 3-4-12-13 triangles.
HAND_X = np.array([[0, 0, 0], [3, 4, 0]])
HAND_X_TRAIN = np.array([[3, 0, 0], [0, 4, 0], [3, 4, 12], [6, 8, 0]])
HAND = {"l2": np.array([[3, 4, 13, 10], [4, 3, 12, 5]]),  # sqrt(9+16+144) = 13, sqrt(36+64) = 10
        "l1": np.array([[3, 4, 19, 14], [4, 3, 12, 7]])}
PIXELS = 20  # the same points times 20 as uint8 pixels: 0 - 60 and 240 * 240 wrap around in uint8


def _near_identical(seed=0):
    """8 training and 5 test points all within 1e-6 of one point of norm ~3.7e4
    (test row 0 duplicates training row 3): mathematically every distance is
    below 1e-5, but rounding errors of size ~1e-7 in squared distances built
    from squared norms of ~1e9 are of either sign."""
    rng = np.random.default_rng(seed)
    centre = 1e4 * (1 + rng.random(6))
    X_train = centre + 1e-6 * rng.standard_normal((8, 6))
    X = centre + 1e-6 * rng.standard_normal((5, 6))
    X[0] = X_train[3]
    return X_train, X


def _distances(m, method, metrics=("l2", "l1")) -> None:
    for metric in metrics:
        X_train, X = _random_problem()
        where = (f"for metric {metric!r}, 4 test x 7 training points of dimension 5 "
                 f"(test row 1 duplicates training row 2)")
        got = _expect_dists(method, metric, _call(m, method, metric, X_train, X),
                            cdist(X, X_train, SCIPY[metric]), where, raw=(X_train, X))
        if not abs(got[1, 2]) <= 1e-7:
            raise Wrong(f"dists[1, 2] {where} should be 0 (the same point twice), got {got[1, 2]:.3g}")
        _expect_dtype(got, np.float64, where + " (float64 inputs)")

        where = (f"for metric {metric!r}, X = {HAND_X.tolist()} and X_train = "
                 f"{HAND_X_TRAIN.tolist()} (float64)")
        got = _expect_dists(method, metric, _call(m, method, metric, HAND_X_TRAIN.astype(float),
                                                  HAND_X.astype(float)),
                            HAND[metric].astype(float), where, raw=(HAND_X_TRAIN, HAND_X))

        X8, X_train8 = (PIXELS * HAND_X).astype(np.uint8), (PIXELS * HAND_X_TRAIN).astype(np.uint8)
        where = (f"for metric {metric!r} and uint8 pixels X = {X8.tolist()}, "
                 f"X_train = {X_train8.tolist()}")
        got = _call(m, method, metric, X_train8, X8)
        expected = (PIXELS * HAND[metric]).astype(float)
        if got is not None and np.shape(got) == expected.shape and not np.allclose(got, expected):
            raise Wrong(f"dists {where}: expected {fmt(expected)}, got {fmt(got)}; uint8 arithmetic "
                        f"wraps around (0 - 60 == 196 and 240 * 240 == 0 in uint8): compute with "
                        f"the float X and X_train the method converts for you, never with "
                        f"self.X_train or the caller's arrays")
        _expect_dists(method, metric, got, expected, where)
        _expect_dtype(got, np.float64, where)

        X_train32, X32 = (a.astype(np.float32) for a in _random_problem(1))
        where = f"for metric {metric!r} and float32 inputs (4 test x 7 training points, one duplicate)"
        got = _call(m, method, metric, X_train32, X32)
        # float32 rounding: ~1e-3 near the duplicate (test row 1, training row 2) in L2
        _expect_dists(method, metric, got, cdist(X32, X_train32, SCIPY[metric]), where,
                      rtol=1e-4, atol=1e-2, raw=(X_train32, X32))
        _expect_dtype(got, np.float32, where)

    if "l2" in metrics:
        X_train, X = _near_identical()
        norm = float(np.linalg.norm(X_train[0]))
        tol = 1e-6 * norm
        where = (f"for metric 'l2', 5 test and 8 training points all within 1e-6 of one point "
                 f"of norm {norm:.2g} (test row 0 duplicates training row 3)")
        got = _expect_dists(method, "l2", _call(m, method, "l2", X_train, X),
                            cdist(X, X_train), where, rtol=0, atol=tol)
        if (got < 0).any():
            raise Wrong(f"dists {where} holds negative values ({fmt(got.min())}); a distance is "
                        f">= 0: clamp the squared distances at 0, before the square root")


@check("knn", MOD, TWO)
def two_loops(m):
    _distances(m, "compute_distances_two_loops")


# Worked example: 6 training points with labels 0, 1, 1, 2, 2, 2; dists has 2 rows (test points).
Y_TRAIN = np.array([0, 1, 1, 2, 2, 2])
DISTS = np.array([
    [0.5, 0.1, 0.2, 0.3, 0.9, 0.8],  # nearest: 1 (y=1), 2 (y=1), 3 (y=2), 0 (y=0), ...
    [0.2, 0.5, 0.9, 0.1, 0.7, 0.8],  # nearest: 3 (y=2), 0 (y=0), 1 (y=1): ties for k=2, 3
])
EXPECTED = {1: [1, 2], 2: [1, 0], 3: [1, 0], 6: [2, 2]}
WHY = {1: "the label of the nearest point", 2: "a tie between labels goes to the smaller label",
       3: "the majority of the 3 nearest, ties to the smaller label",
       6: "k = N: the majority of all 6"}
NEAREST_INDEX = [1, 3]  # k = 1: the indices, not the labels, of the nearest points

# Equal distances: 24 training points, distance 1 at the odd indices 1, 3, ..., 23 (labels
# 11, 10, ..., 0: one vote each) and 2 at the even ones. The k nearest are points 1, 3, ...,
# 2k - 1 (smaller index first), so the smallest of their labels, 12 - k, wins.
TIE_INDEX = np.arange(24)
TIE_DISTS = np.where(TIE_INDEX % 2 == 1, 1.0, 2.0)[None, :]  # (1, 24)
TIE_Y = np.where(TIE_INDEX % 2 == 1, 11 - TIE_INDEX // 2, 12)
TIE_EXPECTED = {k: [12 - k] for k in (1, 3, 5, 8)}


def _vote(m, y_train, dists, k, where):
    model = m.KNearestNeighbor()
    model.train(np.zeros((len(y_train), 2)), y_train)
    arg = dists.copy()
    got = model.predict_labels(arg, k=k)
    if not np.array_equal(arg, dists):
        i, j = (int(v) for v in np.argwhere(arg != dists)[0])
        raise Wrong(f"predict_labels modified its input dists in place {where} (entry ({i}, {j}) "
                    f"was {fmt(dists[i, j])}, is now {fmt(arg[i, j])}); sort or partition a copy "
                    f"(np.argsort returns new arrays), not dists itself")
    return expect_array("y_pred", got, (dists.shape[0],),
                        "(one label per test point, i.e. per row of dists) " + where)


@check("knn", MOD, VOTE)
def predict_labels(m):
    for k, expected in EXPECTED.items():
        where = (f"for k={k}, y_train={Y_TRAIN.tolist()} and dists rows "
                 f"{DISTS.tolist()} ({WHY[k]})")
        got = _vote(m, Y_TRAIN, DISTS, k, where)
        if k == 1 and got.tolist() == NEAREST_INDEX:
            raise Wrong(f"y_pred {where}: expected {expected}, got {got.tolist()}: these are the "
                        f"training indices of the nearest points; predict their labels "
                        f"(self.y_train[j])")
        if not np.array_equal(got, expected):
            raise Wrong(f"y_pred {where}: expected {expected}, got {got.tolist()}")
        if got.dtype != np.int64:
            raise Wrong(f"y_pred should be int64 {where}, got {got.dtype}; fill the "
                        f"preallocated y_pred, or return an int64 array")
    for k, expected in TIE_EXPECTED.items():
        where = (f"for k={k}, 24 training points at distances 2, 1, 2, 1, ... (1 at the odd "
                 f"indices 1, 3, ..., 23, whose labels are 11, 10, ..., 0)")
        got = _vote(m, TIE_Y, TIE_DISTS, k, where)
        if not np.array_equal(got, expected):
            nearest = ", ".join(str(j) for j in range(1, 2 * k, 2))
            raise Wrong(f"y_pred {where}: expected {expected}, got {got.tolist()}; equal distances "
                        f"must keep the smaller training index first, so the {k} nearest are "
                        f"points {nearest} (one vote each: the smallest label, {12 - k}, wins). "
                        f"np.argsort's default sort may reorder equal values: see its kind argument")


@check("knn", MOD, ONE)
def one_loop(m):
    _distances(m, "compute_distances_one_loop")


# predict on a problem where M (4), N (6) and D (3) differ; L2 and L1 agree on it, and no two
# distances of a test point are within 0.5 of each other around the k-th nearest.
PRED_X_TRAIN = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10], [10, 10, 0], [10, 0, 10]],
                        dtype=float)
PRED_Y = np.array([0, 1, 2, 3, 1, 2])
PRED_X = np.array([[6, 1, 0], [6, 8, 6], [8, 5, 6], [2, 6, 10]], dtype=float)
PRED_EXPECTED = {1: [1, 1, 2, 3], 3: [1, 2, 1, 2]}


@check("knn", MOD, NONE, depends=(TWO, ONE, VOTE))
def no_loops(m):
    _distances(m, "compute_distances_no_loops")
    for metric in ("l2", "l1"):
        for k, expected in PRED_EXPECTED.items():
            model = _trained(m, metric, PRED_X_TRAIN.copy(), PRED_Y.copy())
            for num_loops in (0, 1, 2):
                where = (f"for predict(X, k={k}, num_loops={num_loops}) with metric {metric!r}, "
                         f"X = {PRED_X.tolist()} (4 test points), X_train = "
                         f"{PRED_X_TRAIN.tolist()} (6 points), y_train = {PRED_Y.tolist()}")
                got = expect_array("y_pred", model.predict(PRED_X.copy(), k=k, num_loops=num_loops),
                                   (4,), "(one label per test point) " + where)
                if not np.array_equal(got, expected):
                    raise Wrong(f"y_pred {where}: expected {expected}, got {got.tolist()}; all "
                                f"three distance versions must give the same predictions")
