"""The features lesson on the built-in sample: HOG + colour histogram features
with a linear SVM beat raw pixels with the same classifier by >= 10 points.

Both representations get the same treatment: standardised with the training
mean and std, a bias column, the same small learning-rate search picked on a
validation split, the same seeded minibatches; then test accuracy.
"""

import functools

import numpy as np
import pytest

from cs231n_lite.classifiers.linear_classifier import LinearSVM
from cs231n_lite.data import load_dataset
from cs231n_lite.features import color_histogram_hsv, extract_features, hog_feature

NUM_VAL = 1000
LEARNING_RATES = (1e-3, 1e-2)
TRAIN = dict(reg=1e-2, num_iters=300, batch_size=200, verbose=False, seed=0)


def standardise(train, *others):
    """(x - train mean) / train std per column, bias column appended, float32."""
    train, *others = [np.asarray(A, dtype=np.float32) for A in (train, *others)]
    mu, sd = train.mean(axis=0), train.std(axis=0) + 1e-6
    return [np.hstack([(A - mu) / sd, np.ones((len(A), 1), np.float32)])
            for A in (train, *others)]


def best_test_accuracy(X_train, y_train, X_val, y_val, X_test, y_test):
    """Test accuracy of the LinearSVM with the best validation accuracy."""
    best_val, best_test = -1.0, None
    for lr in LEARNING_RATES:
        clf = LinearSVM()
        clf.train(X_train, y_train, learning_rate=lr, **TRAIN)
        val = np.mean(clf.predict(X_val) == y_val)
        if val > best_val:
            best_val, best_test = val, np.mean(clf.predict(X_test) == y_test)
    return float(best_test)


@pytest.fixture(scope="module")
def splits():
    ds = load_dataset("sample", verbose=False)
    n = len(ds.X_train) - NUM_VAL
    return (ds.X_train[:n], ds.y_train[:n], ds.X_train[n:], ds.y_train[n:],
            ds.X_test, ds.y_test)


def test_hog_and_colour_features_beat_raw_pixels_by_ten_points(splits):
    X_train, y_train, X_val, y_val, X_test, y_test = splits
    images = (X_train, X_val, X_test)
    raw = standardise(*[X.reshape(len(X), -1) for X in images])
    fns = [hog_feature, functools.partial(color_histogram_hsv, nbin=10)]  # run image by image
    feats = standardise(*[extract_features(X, fns) for X in images])
    assert feats[0].shape[1] == 144 + 10 + 1

    acc = {}
    for name, (A_train, A_val, A_test) in (("raw pixels", raw), ("HOG + hue", feats)):
        acc[name] = best_test_accuracy(A_train, y_train, A_val, y_val, A_test, y_test)
    print(f"test accuracy: {acc}")
    assert acc["HOG + hue"] >= acc["raw pixels"] + 0.10, acc
    assert acc["raw pixels"] > 0.15, acc  # raw pixels learn something: a fair baseline
