"""The instructors' fast kNN path (cs231n_lite.fast.knn): exact by construction.

Every test compares with an independent reference: integer brute force
(exact) on integer data planted with ties, duplicates and near-ties that
float32 cannot separate, at scales inside and far outside float32's range.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cs231n_lite.fast.knn import FastKNearestNeighbor, l1_distances
from knn_data import exact_neighbors, float_data, pixel_data, planted_near_ties

HERE = Path(__file__).resolve().parent


def test_l1_distances_in_tiny_blocks():
    X_train, _, X = float_data(N=13, M=7)
    ref = np.abs(X[:, None] - X_train[None]).sum(-1)
    for max_bytes in (1, 100, 10**9):  # one pair per block ... everything at once
        np.testing.assert_allclose(l1_distances(X, X_train, max_bytes=max_bytes), ref, rtol=1e-12)


def test_planted_data_defeats_float32():
    """The data below is adversarial: float32 brute force gets rows wrong."""
    X_train, _, X = planted_near_ties()
    exact = exact_neighbors(X_train, X, 1)
    A, T = X.astype(np.float32), X_train.astype(np.float32)
    d2 = (T * T).sum(1) - 2 * A @ T.T  # float32 ranking values
    wrong = np.mean(np.argmin(d2, axis=1) != exact[:, 0])
    assert wrong >= 0.05, wrong


# (dtype, scale): a power-of-two scale keeps the integer data exact in float64,
# so integer brute force is the exact answer. 2**66 ~ 7e19 overflows float32
# squares; 2**-72 ~ 2e-22 makes them subnormal.
SCALES = [1.0, 2.0**66, 2.0**-72]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("k", [1, 4])
def test_exact_on_planted_near_ties(dtype, scale, k):
    X_train, y_train, X = planted_near_ties(seed=1)
    knn = FastKNearestNeighbor().train((X_train * scale).astype(dtype), y_train)
    ref = exact_neighbors(X_train, X, k)
    dist, ind = knn.kneighbors((X * scale).astype(dtype), k=k)
    np.testing.assert_array_equal(ind, ref)
    exact_d = np.sqrt(((X[:, None] - X_train[ref]) ** 2).sum(-1)) * scale  # (M, k)
    np.testing.assert_allclose(dist, exact_d, rtol=1e-15)
    if k == 1:  # labels are the indices: the prediction is the neighbour
        np.testing.assert_array_equal(knn.predict_chunked((X * scale).astype(dtype)), ref[:, 0])


def test_issue_probe_random_data_far_from_float32s_range():
    # The probe of issue 11: 300 x 50 random data, k = 5, 40 rows, float64
    # brute force as the reference (random data has no near-ties at 1e-16).
    rng = np.random.default_rng(0)
    base_train, base_test = rng.standard_normal((300, 50)), rng.standard_normal((40, 50))
    for scale in (1e20, 3e-22, 1e-20, 3e20):
        X_train, X = base_train * scale, base_test * scale
        d2 = ((X[:, None] - X_train[None]) ** 2).sum(-1)
        ref = np.argsort(d2, axis=1, kind="stable")[:, :5]
        for dtype in (np.float64, np.float32):
            knn = FastKNearestNeighbor().train(X_train.astype(dtype), rng.integers(0, 3, 300))
            ind = knn.kneighbors(X.astype(dtype), k=5)[1]
            if dtype is np.float32:  # float32 data: its own float64 brute force
                X32, T32 = X.astype(np.float32).astype(float), X_train.astype(np.float32).astype(float)
                ref32 = np.argsort(((X32[:, None] - T32[None]) ** 2).sum(-1), axis=1, kind="stable")
                np.testing.assert_array_equal(ind, ref32[:, :5], err_msg=f"float32 scale {scale}")
            else:
                np.testing.assert_array_equal(ind, ref, err_msg=f"float64 scale {scale}")


def test_which_screen_each_scale_uses():
    X_train, y_train, X = planted_near_ties(M=4)
    expect = {1.0: np.float32, 2.0**66: np.float64, 2.0**-72: np.float64, 2.0**500: None}
    for scale, dtype in expect.items():
        knn = FastKNearestNeighbor().train(X_train * scale, y_train)
        screen = knn._screen_for(X * scale)
        assert (screen and screen.dtype) == (dtype and np.dtype(dtype)), scale
        # beyond the float64 screen's range too (2**500: |t|^2 fits, the bound
        # does not), the answer is float64 brute force's, here exact
        np.testing.assert_array_equal(knn.kneighbors(X * scale, k=3)[1], exact_neighbors(X_train, X, 3))


@pytest.mark.parametrize("dtype", [np.uint8, np.float32])
def test_float32_pixels_with_planted_near_ties(dtype):
    # Pixel values (integers in [2, 253]) in CIFAR's dimension: the fast path
    # is exact; the students' float32 no-loop distances are not (documented).
    X_train, y_train, X = planted_near_ties(seed=2, M=30, D=3072, low=3, high=252, S=1000)
    knn = FastKNearestNeighbor().train(X_train.astype(dtype), y_train)
    ref = exact_neighbors(X_train, X, 3)
    np.testing.assert_array_equal(knn.kneighbors(X.astype(dtype), k=3)[1], ref)
    np.testing.assert_array_equal(knn.predict_chunked(X.astype(dtype)), ref[:, 0])
    if dtype is np.float32:
        student = knn.predict(X.astype(dtype), num_loops=0)
        assert np.mean(student != ref[:, 0]) > 0.1  # why predict_chunked exists


def test_chunk_size_does_not_change_the_answer():
    X_train, y_train, X = planted_near_ties(seed=3)
    knn = FastKNearestNeighbor().train(X_train.astype(np.float32), y_train % 3)
    ref = exact_neighbors(X_train, X, 4)
    for chunk_size in (1, 7, None):
        np.testing.assert_array_equal(knn.kneighbors(X.astype(np.float32), k=4, chunk_size=chunk_size)[1], ref)
    votes = [knn.predict_chunked(X.astype(np.float32), k=4, chunk_size=c) for c in (1, 7, None)]
    ref_vote = np.array([np.argmax(np.bincount(y_train[r] % 3)) for r in ref])
    for v in votes:
        np.testing.assert_array_equal(v, ref_vote)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_l1_is_exact_too(dtype):
    X_train, y_train, X = planted_near_ties(seed=4)
    knn = FastKNearestNeighbor("l1").train(X_train.astype(dtype), y_train)
    np.testing.assert_array_equal(knn.kneighbors(X.astype(dtype), k=3)[1], exact_neighbors(X_train, X, 3, "l1"))


@pytest.mark.parametrize("make", [float_data, pixel_data])
def test_ties_and_duplicates_go_to_the_smaller_index(make):
    X_train, y_train, X = make()
    X_train = np.vstack([X_train, X_train])  # every point twice: exact ties everywhere
    knn = FastKNearestNeighbor().train(X_train, np.concatenate([y_train, y_train]))
    ind = knn.kneighbors(X, k=5)[1]
    d2 = ((X[:, None].astype(float) - X_train[None].astype(float)) ** 2).sum(-1)
    np.testing.assert_array_equal(ind, np.argsort(d2, axis=1, kind="stable")[:, :5])


BLAS_SCRIPT = """
import numpy as np
from cs231n_lite.fast.knn import FastKNearestNeighbor
from knn_data import exact_neighbors, planted_near_ties
X_train, y, X = planted_near_ties(seed=5, M=60, D=400, S=60)
for dtype in (np.float32, np.float64):
    ind = FastKNearestNeighbor().train(X_train.astype(dtype), y).kneighbors(X.astype(dtype), k=3)[1]
    assert (ind == exact_neighbors(X_train, X, 3)).all(), dtype
print("exact")
"""


def test_exact_with_another_blas_thread_count():
    threads = "2" if os.environ.get("OPENBLAS_NUM_THREADS", "1") == "1" else "1"
    env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads, PYTHONPATH=os.pathsep.join([str(HERE), str(HERE.parent)]))
    proc = subprocess.run([sys.executable, "-c", BLAS_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == "exact", proc.stderr


def test_l1_distances_convert_uint8_without_wrapping():
    X_train = np.array([[0, 255], [10, 20]], dtype=np.uint8)
    X = np.array([[255, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(l1_distances(X, X_train, max_bytes=16), [[510.0, 265.0]])
    assert l1_distances(X, X_train).dtype == np.float64


@pytest.mark.parametrize("call, message", [
    (lambda knn, X: knn.predict_chunked(X, k=41, chunk_size=4), "k must be <= 40, got 41"),
    (lambda knn, X: knn.predict_chunked(X, chunk_size=0), "chunk_size must be >= 1, got 0"),
    (lambda knn, X: knn.kneighbors(X[:, :-1]), r"X must have shape \(M, 6\) like the training data"),
])
def test_bad_input_names_the_argument(call, message):
    X_train, y_train, X = float_data()
    knn = FastKNearestNeighbor().train(X_train, y_train)
    with pytest.raises(ValueError, match=message):
        call(knn, X)
