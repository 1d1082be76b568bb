"""The shared input-validation helper: every message names the argument."""

import numpy as np
import pytest

from cs231n_lite.validation import (
    InputError,
    NotTrainedError,
    check_array,
    check_int,
    check_labels,
    check_positive,
    check_same_length,
    check_trained,
)


def test_check_array_returns_array():
    out = check_array([[1.0, 2.0]], "X", ndim=2)
    assert isinstance(out, np.ndarray) and out.shape == (1, 2)


def test_wrong_ndim_names_argument():
    with pytest.raises(ValueError, match=r"X must be 2-D, got 1-D with shape \(3,\)"):
        check_array(np.zeros(3), "X", ndim=2)


def test_wrong_shape():
    with pytest.raises(InputError, match=r"W must have shape \(N, 10\), got \(5, 3\)"):
        check_array(np.zeros((5, 3)), "W", shape=(None, 10))


def test_nan_and_inf_rejected():
    X = np.ones((2, 2))
    X[0, 1] = np.nan
    with pytest.raises(ValueError, match="X contains 1 NaN or infinite"):
        check_array(X, "X")
    X[0, 1] = np.inf
    with pytest.raises(ValueError, match="X contains 1 NaN"):
        check_array(X, "X")


def test_non_numeric_and_empty_and_none():
    with pytest.raises(ValueError, match="X must be a real numeric array, got dtype <U1"):
        check_array(np.array(["a"]), "X")
    with pytest.raises(ValueError, match="X is empty"):
        check_array(np.zeros((0, 3)), "X")
    with pytest.raises(ValueError, match="X is None"):
        check_array(None, "X")


def test_labels_n1_rejected_with_fix():
    with pytest.raises(ValueError, match=r"y must have shape \(N,\), got \(500, 1\); use y.ravel\(\)"):
        check_labels(np.zeros((500, 1), dtype=int))


def test_labels_out_of_range_and_count():
    with pytest.raises(ValueError, match=r"y holds labels out of range: expected values in \[0, 2\], got min 0, max 3"):
        check_labels(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match="y holds labels out of range"):
        check_labels(np.array([-1, 0]))
    with pytest.raises(ValueError, match=r"expected shape \(3,\), got \(2,\)"):
        check_labels(np.array([0, 1]), num_samples=3)


def test_labels_float_whole_numbers_accepted_fractions_rejected():
    assert check_labels(np.array([0.0, 2.0])).dtype.kind == "i"
    with pytest.raises(ValueError, match="integer class labels"):
        check_labels(np.array([0.5, 1.0]))


def test_same_length_int_positive():
    with pytest.raises(ValueError, match="X and y must have the same number of samples, got 3 and 2"):
        check_same_length(np.zeros(3), "X", np.zeros(2), "y")
    with pytest.raises(ValueError, match="k must be >= 1, got 0"):
        check_int(0, "k", low=1)
    with pytest.raises(ValueError, match="k must be <= 5, got 6"):
        check_int(6, "k", high=5)
    with pytest.raises(ValueError, match="k must be an integer"):
        check_int(1.5, "k")
    with pytest.raises(ValueError, match="k must be an integer"):
        check_int(True, "k")
    assert check_int(np.int64(3), "k") == 3
    with pytest.raises(ValueError, match="learning_rate must be > 0, got -0.1"):
        check_positive(-0.1, "learning_rate")
    assert check_positive(0, "reg", strict=False) == 0.0


def test_check_trained():
    class Model:
        W = None

    with pytest.raises(NotTrainedError, match=r"Model is not trained yet \(W is None\); call Model.train"):
        check_trained(Model(), "W")
    m = Model()
    m.W = np.zeros(1)
    check_trained(m, "W")  # no error
