"""k-nearest-neighbour classifier with L2 (Euclidean) or L1 (Manhattan) distance.

Shapes used throughout:

* N : number of training samples (memorised by ``train``)
* M : number of test samples to classify
* D : input dimension (3072 for CIFAR-10 pixels)
* C : number of classes

Students write the three distance versions (two loops, one loop, no loops)
and the vote. Contracts every version keeps (``cs231n-lite check knn`` tests
them all):

* ``dists[i, j]`` is the distance between test row ``X[i]`` and training row
  ``X_train[j]``: shape (M, N), rows = test points, columns = training points;
* ``dists`` is float32 when ``X`` and ``X_train`` are both float32, float64
  otherwise (integer inputs such as uint8 pixels are converted to float64
  first: uint8 arithmetic wraps around, 200 + 100 == 44);
* ``X`` and ``X_train`` are never modified.
"""

from __future__ import annotations

import numpy as np

from ..validation import InputError, check_array, check_int, check_labels, check_trained

__all__ = ["KNearestNeighbor"]

METRICS = ("l2", "l1")


class KNearestNeighbor:
    """kNN classifier: memorise the training set, vote among the k closest.

    Parameters
    ----------
    metric : {"l2", "l1"}
        Euclidean or Manhattan distance.

    Attributes
    ----------
    X_train : ndarray of shape (N, D) or None
    y_train : ndarray of shape (N,) or None
    """

    def __init__(self, metric="l2"):
        if metric not in METRICS:
            raise InputError(f"metric must be one of {METRICS}, got {metric!r}")
        self.metric = metric
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Memorise the training data (no copy). Returns ``self``.

        Parameters
        ----------
        X : ndarray of shape (N, D)
        y : ndarray of shape (N,), int labels

        Raises
        ------
        ValueError
            Naming ``X`` or ``y``: wrong dimensions, NaN, mismatched lengths.
        """
        X = check_array(X, "X", ndim=2)
        self.y_train = check_labels(y, "y", num_samples=X.shape[0])
        self.X_train = X
        return self

    # ------------------------------------------------------------------ checks
    def _check_test(self, X):
        check_trained(self, "X_train")
        X = check_array(X, "X", ndim=2)
        if X.shape[1] != self.X_train.shape[1]:
            raise InputError(
                f"X must have shape (M, {self.X_train.shape[1]}) like the training "
                f"data, got {X.shape}; flatten images with X.reshape(len(X), -1)"
            )
        return X

    def _check_k(self, k):
        return check_int(k, "k", low=1, high=self.X_train.shape[0])

    def _float_pair(self, X):
        """Test and training data as one float dtype: float32 if both are float32,
        else float64 (uint8 would wrap around). No copy where none is needed, so
        the distance methods must not modify what this returns."""
        both32 = X.dtype == np.float32 and self.X_train.dtype == np.float32
        dtype = np.float32 if both32 else np.float64
        return X.astype(dtype, copy=False), self.X_train.astype(dtype, copy=False)

    # --------------------------------------------------------------- distances
    def compute_distances_two_loops(self, X):
        """Distances between each test and each training point, two loops.

        Parameters
        ----------
        X : ndarray of shape (M, D)

        Returns
        -------
        dists : ndarray of shape (M, N)
            ``dists[i, j]`` is the distance between ``X[i]`` and ``X_train[j]``
            (L2 or L1, as ``metric`` says); float32 if ``X`` and ``X_train``
            are both float32, else float64. Identical points are at distance 0.

        Raises
        ------
        NotTrainedError
            Before :meth:`train`.
        ValueError
            If ``X`` does not have D columns or holds NaN.

        Notes
        -----
        Neither ``X`` nor ``X_train`` is modified.
        """
        X, X_train = self._float_pair(self._check_test(X))
        num_test, num_train = X.shape[0], X_train.shape[0]
        dists = np.zeros((num_test, num_train), dtype=X.dtype)
        # TODO: fill dists[i, j] for every test row i and training row j, one pair
        # at a time (two Python loops):
        #   metric "l2": sqrt(sum over d of (X[i, d] - X_train[j, d])**2)
        #   metric "l1": sum over d of |X[i, d] - X_train[j, d]|
        # Use the X and X_train above (already float: uint8 pixels would wrap
        # around), not self.X_train, and modify neither. No np.linalg.norm.
        ### BEGIN SOLUTION
        for i in range(num_test):
            for j in range(num_train):
                diff = X[i] - X_train[j]  # (D,)
                if self.metric == "l1":
                    dists[i, j] = np.sum(np.abs(diff))
                else:
                    dists[i, j] = np.sqrt(np.sum(diff * diff))
        ### END SOLUTION
        return dists

    def compute_distances_one_loop(self, X):
        """Same as :meth:`compute_distances_two_loops`, one loop over test rows.

        Same parameters, result (both metrics, dtype), errors and promises.
        """
        X, X_train = self._float_pair(self._check_test(X))
        num_test, num_train = X.shape[0], X_train.shape[0]
        dists = np.zeros((num_test, num_train), dtype=X.dtype)
        # TODO: the same dists as compute_distances_two_loops, for metric "l2"
        # AND for metric "l1", with ONE Python loop over the test rows: each step
        # fills a whole row dists[i, :] (N,) at once, from X[i] (D,) and all of
        # X_train (N, D). Use the X and X_train above; modify neither.
        ### BEGIN SOLUTION
        for i in range(num_test):
            diff = X_train - X[i]  # (N, D)
            if self.metric == "l1":
                dists[i] = np.sum(np.abs(diff), axis=1)
            else:
                dists[i] = np.sqrt(np.sum(diff * diff, axis=1))
        ### END SOLUTION
        return dists

    def compute_distances_no_loops(self, X):
        """Same as :meth:`compute_distances_two_loops`, with no Python loops.

        Same parameters, result (dtype included), errors and promises. The L2
        distances take one matrix product and memory for one (M, N) array,
        never an (M, N, D) array of differences (500 x 5000 CIFAR-10 images
        would need 61 GB of them). They are never NaN and never negative, even
        where rounding errors are largest: identical or nearly identical
        points, of any norm, come out at distance ~0.

        With ``metric="l1"`` this returns :meth:`compute_distances_one_loop`
        (your one-loop version): L1 has no matrix-product form, and the
        (M, N, D) array would not fit in memory for real data.
        """
        if self.metric == "l1":
            return self.compute_distances_one_loop(X)
        X, X_train = self._float_pair(self._check_test(X))
        dists = np.zeros((X.shape[0], X_train.shape[0]), dtype=X.dtype)
        # TODO: the L2 dists of compute_distances_two_loops (M, N) without any
        # Python loop (no for, no comprehension, no np.vectorize): work out how
        # to get all M x N squared distances from ONE matrix product plus
        # arrays no bigger than (M, N); no (M, N, D) array. Every entry must be
        # finite and >= 0, also for identical points of large norm, whatever
        # the rounding errors. Keep the dtype (float32 stays float32); use the
        # X and X_train above (already float), modify neither.
        ### BEGIN SOLUTION
        dists = X @ X_train.T  # (M, N); updated in place below, no temporaries
        dists *= -2
        dists += np.einsum("ij,ij->i", X_train, X_train)  # |t|^2, (N,) over rows
        dists += np.einsum("ij,ij->i", X, X)[:, None]  # |x|^2, (M, 1) over columns
        np.maximum(dists, 0, out=dists)
        np.sqrt(dists, out=dists)
        ### END SOLUTION
        return dists

    # -------------------------------------------------------------- prediction
    def predict_labels(self, dists, k=1):
        """Majority vote among the k nearest training points.

        Parameters
        ----------
        dists : ndarray of shape (M, N)
        k : int, 1 <= k <= N

        Returns
        -------
        y_pred : ndarray of shape (M,), int64
            ``y_pred[i]`` is the most common label among the k training points
            nearest to test point i (the k smallest entries of row
            ``dists[i]``). Two tie rules make it unique:

            * equal distances: the training point with the smaller index is
              the nearer one (row ``[2.0, 1.0, 1.0]`` with k=1 picks point 1);
            * equal vote counts: the smaller label wins.

        Raises
        ------
        ValueError
            Naming ``dists`` (not N columns) or ``k`` (out of range).

        Notes
        -----
        ``dists`` is not modified.
        """
        check_trained(self, "y_train")
        dists = check_array(dists, "dists", shape=(None, self.y_train.shape[0]))
        k = self._check_k(k)
        y_pred = np.zeros(dists.shape[0], dtype=np.int64)
        # TODO: for each test point i (row dists[i], one entry per training
        # point), find the labels (self.y_train) of its k nearest training
        # points, then store the most common of those labels in y_pred[i].
        # Tie rules: equal distances -> the smaller training index is nearer;
        # equal counts -> the smaller label. Any 1 <= k <= N. Do not modify dists.
        ### BEGIN SOLUTION
        for i in range(dists.shape[0]):
            closest_y = self.y_train[np.argsort(dists[i], kind="stable")[:k]]
            y_pred[i] = np.argmax(np.bincount(closest_y))
        ### END SOLUTION
        return y_pred

    def predict(self, X, k=1, num_loops=0):
        """Predict labels for test data.

        Parameters
        ----------
        X : ndarray of shape (M, D)
        k : int, 1 <= k <= N
        num_loops : {0, 1, 2}
            Which distance implementation to use (all three give the same
            predictions).

        Returns
        -------
        y_pred : ndarray of shape (M,), int64

        Raises
        ------
        NotTrainedError
            Before :meth:`train`.
        ValueError
            Naming ``X``, ``k`` or ``num_loops``.

        Notes
        -----
        Distances are computed in the inputs' float dtype (float64 for
        integer pixels), with its rounding: neighbours whose distances differ
        by less than about ``D * eps * (|x|^2 + |t|^2)`` (eps = 2**-24 for
        float32, 2**-53 for float64; ``num_loops=0`` rounds the most) may
        swap. float64 makes that negligible; float32 pixels with near-ties
        can change predictions.
        """
        X = self._check_test(X)
        k = self._check_k(k)
        num_loops = check_int(num_loops, "num_loops", low=0, high=2)
        compute = (self.compute_distances_no_loops, self.compute_distances_one_loop,
                   self.compute_distances_two_loops)[num_loops]
        return self.predict_labels(compute(X), k=k)
