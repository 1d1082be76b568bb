"""The notebooks' lessons hold on the built-in sample dataset.

kNN beats chance, the linear classifiers (SVM and softmax) beat kNN, and the
two-layer net beats the linear classifiers, with the sizes and the CS231n
hyperparameters a notebook would use (raw pixels, mean image subtracted,
bias trick), 500 minibatches each, float32. Measured: kNN (k=10) 0.294,
Softmax 0.398, LinearSVM 0.404, net 0.622 test accuracy.
"""

import numpy as np
import pytest

from cs231n_lite import data
from cs231n_lite.classifiers.k_nearest_neighbor import KNearestNeighbor
from cs231n_lite.classifiers.linear_classifier import LinearSVM, Softmax
from cs231n_lite.classifiers.two_layer_net import TwoLayerNet

SIZES = dict(num_training=5000, num_validation=500, num_test=500, num_dev=100)
KNN_K = 10
NUM_ITERS = 500  # minibatches of 200 for every model
LINEAR = {  # class: (learning_rate, reg)
    Softmax: (5e-7, 5e3),
    LinearSVM: (1e-7, 2.5e4),
}
NET = dict(hidden_dim=50, learning_rate=2e-3, reg=0.25)


@pytest.fixture(scope="module")
def splits():
    ds = data.load_dataset("sample", verbose=False)
    return data.get_splits(ds.X_train, ds.y_train, ds.X_test, ds.y_test, **SIZES,
                           subtract_mean=True, bias_trick=True, dtype=np.float32)


@pytest.fixture(scope="module")
def accuracies(splits):
    s = splits
    X_train, X_test = s["X_train"], s["X_test"]
    acc = {}
    knn = KNearestNeighbor().train(X_train, s["y_train"])
    acc["knn"] = np.mean(knn.predict(X_test, k=KNN_K) == s["y_test"])
    for cls, (lr, reg) in LINEAR.items():
        clf = cls()
        clf.train(X_train, s["y_train"], learning_rate=lr, reg=reg, num_iters=NUM_ITERS, batch_size=200)
        acc[cls.__name__] = np.mean(clf.predict(X_test) == s["y_test"])
    # The net takes the pixels without the bias column (it has its own biases).
    net = TwoLayerNet(X_train.shape[1] - 1, NET["hidden_dim"], 10, reg=NET["reg"], dtype=np.float32)
    net.train(X_train[:, :-1], s["y_train"], s["X_val"][:, :-1], s["y_val"],
              learning_rate=NET["learning_rate"], num_iters=NUM_ITERS, batch_size=200)
    acc["net"] = np.mean(net.predict(X_test[:, :-1]) == s["y_test"])
    print("sample-dataset test accuracies:", {k: round(float(v), 3) for k, v in acc.items()})
    return acc


def test_splits_have_the_requested_sizes(splits):
    assert splits["X_train"].shape == (SIZES["num_training"], 32 * 32 * 3 + 1)
    assert splits["X_test"].shape[0] == SIZES["num_test"]
    np.testing.assert_allclose(splits["X_train"][:, -1], 1.0)  # the bias column


def test_knn_beats_chance(accuracies):
    assert accuracies["knn"] > 0.15  # chance is 0.10


@pytest.mark.parametrize("model", ["Softmax", "LinearSVM"])
def test_linear_classifiers_beat_knn(accuracies, model):
    assert accuracies[model] > accuracies["knn"] + 0.02


def test_two_layer_net_beats_linear(accuracies):
    assert accuracies["net"] > max(accuracies["Softmax"], accuracies["LinearSVM"]) + 0.02
