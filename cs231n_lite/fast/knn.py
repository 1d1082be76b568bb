# coursekit: instructor-only
"""Fast, memory-bounded k-nearest neighbours for the full CIFAR-10 problem.

:class:`FastKNearestNeighbor` is the students' :class:`KNearestNeighbor` plus
:meth:`~FastKNearestNeighbor.kneighbors` and
:meth:`~FastKNearestNeighbor.predict_chunked`: float32 matrix products over
chunks of test rows (50000 x 10000 CIFAR-10 without a 2 GB distance matrix),
keeping only the best candidates per row, and an exact float64 re-ranking of
the few candidates float32 cannot separate. It computes what students write
(distances and the vote), so the release leaves this module out.

Shapes: N training samples, M test samples, D input dimension.
"""

from __future__ import annotations

import numpy as np

from ..classifiers.k_nearest_neighbor import KNearestNeighbor
from ..validation import check_int

__all__ = ["FastKNearestNeighbor", "l1_distances"]

# Working memory per chunk of test rows in the fast path. A float32 copy of
# the training data (N x D x 4 bytes) comes on top unless it is float32 already.
CHUNK_BYTES = 160 * 2**20
# Largest (rows, cols, D) difference block l1_distances builds at once.
L1_BLOCK_BYTES = 32 * 2**20
# Safety factor on the float32 rounding-error estimate used to pick the
# candidates that are re-ranked exactly (see _candidate_threshold).
RERANK_SAFETY = 8.0


def l1_distances(X, X_train, max_bytes=L1_BLOCK_BYTES):
    """L1 distances ``sum_d |X[i, d] - X_train[j, d]|``, broadcast in blocks.

    Parameters
    ----------
    X : ndarray of shape (M, D)
    X_train : ndarray of shape (N, D)
    max_bytes : int
        Bound on the temporary (rows, cols, D) difference block, so memory
        stays bounded however large M and N are.

    Returns
    -------
    dists : ndarray of shape (M, N)
        float64 for integer inputs (converted block by block: uint8 pixels
        would wrap around), else the inputs' float dtype.
    """
    num_test, dim = X.shape
    num_train = X_train.shape[0]
    dtype = np.result_type(X, X_train)
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
    dists = np.empty((num_test, num_train), dtype=dtype)
    item = dists.itemsize
    cols = max(1, min(num_train, max_bytes // (dim * item)))
    rows = max(1, max_bytes // (cols * dim * item))
    for i in range(0, num_test, rows):
        for j in range(0, num_train, cols):
            diff = np.subtract(X[i:i + rows, None, :], X_train[None, j:j + cols, :],
                               dtype=dtype)  # (rows, cols, D)
            np.abs(diff, out=diff)
            dists[i:i + rows, j:j + cols] = diff.sum(axis=2)
    return dists


class FastKNearestNeighbor(KNearestNeighbor):
    """:class:`KNearestNeighbor` with a fast, memory-bounded search (same ``train``)."""

    def train(self, X, y):
        """Memorise the training data (no copy); see :meth:`KNearestNeighbor.train`."""
        super().train(X, y)
        self._fast = None  # float32 copy for the fast path, built on first use
        return self

    def predict_chunked(self, X, k=1, chunk_size=None):
        """Fast, memory-bounded prediction; same answers as :meth:`predict`.

        Parameters, returns and errors as :meth:`kneighbors` / :meth:`predict`.
        Only the SET of the k nearest matters for the vote, so rows whose set
        float32 already pins down skip the exact re-ranking.
        """
        _, ind = self._neighbors(X, k, chunk_size, exact=False)
        return _vote(self.y_train[ind])

    def kneighbors(self, X, k=1, chunk_size=None):
        """The k nearest training points of every test row, in chunks.

        Parameters
        ----------
        X : ndarray of shape (M, D)
        k : int, 1 <= k <= N
        chunk_size : int or None
            Test rows per chunk; None sizes chunks to about CHUNK_BYTES of
            working memory.

        Returns
        -------
        dist : ndarray of shape (M, k), float64
            Exact distances, ascending.
        ind : ndarray of shape (M, k), int64
            Training indices; equal distances go to the smaller index.

        Raises
        ------
        NotTrainedError
            Before :meth:`train`.
        ValueError
            Naming ``X``, ``k`` or ``chunk_size``.
        """
        return self._neighbors(X, k, chunk_size, exact=True)

    # ------------------------------------------------------ fast path helpers
    def _neighbors(self, X, k, chunk_size, exact):
        """(dist, ind) of kneighbors; with exact=False dist is None and each
        row of ind is the right set of k indices, in no particular order."""
        X = self._check_test(X)
        k = self._check_k(k)
        num_train = self.X_train.shape[0]
        if chunk_size is None:
            per_row = num_train * (9 if k > 1 else 5)  # bytes: scores, partition, mask
            chunk_size = max(1, CHUNK_BYTES // per_row)
        chunk_size = check_int(chunk_size, "chunk_size", low=1)
        dist = np.empty((X.shape[0], k)) if exact else None
        ind = np.empty((X.shape[0], k), dtype=np.int64)
        for start in range(0, X.shape[0], chunk_size):
            rows = slice(start, start + chunk_size)
            if self.metric == "l1":
                d, ind[rows] = self._l1_chunk(X[rows], k)
            else:
                d, ind[rows] = self._l2_chunk(X[rows], k, exact)
            if exact:
                dist[rows] = d
        return dist, ind

    def _l1_chunk(self, Xc, k):
        d = l1_distances(Xc, self.X_train)  # (b, N), converts block by block
        ind = np.argsort(d, axis=1, kind="stable")[:, :k]  # ties -> smaller index
        return np.take_along_axis(d, ind, axis=1), ind

    def _l2_chunk(self, Xc, k, exact):
        """Float32 candidates by one sgemm, then exact float64 re-ranking."""
        fast = self._fast_data()
        Xtr, mean = fast["X"], fast["mean"]  # (N, D) float32, (D,) float32 or None
        A = np.empty(Xc.shape, dtype=np.float32)  # (b, D)
        if mean is None:
            A[...] = Xc
        else:  # centre like the training copy: smaller numbers, smaller rounding errors
            np.subtract(Xc, mean, out=A, casting="same_kind")
        x_norm = np.sqrt(np.einsum("ij,ij->i", A, A))  # (b,)
        A *= -2
        # Ranking value |t|^2 - 2 x.t of every training point: |x|^2 is the
        # same along a row, so it is not needed to find the nearest.
        R = A @ Xtr.T  # (b, N) float32, one sgemm
        R += fast["t_norm2"]
        thresh = _candidate_threshold(R, k, x_norm, fast["t_norm_max"], A.shape[1])
        rows, cols = np.nonzero(R <= thresh[:, None])  # >= k candidates per row, sorted
        del R
        if exact:
            d2 = _exact_sq_dists(Xc, self.X_train, rows, cols)
            return _k_best(rows, cols, d2, Xc.shape[0], k)
        # A row with exactly k candidates has its set pinned down already.
        sure = np.bincount(rows, minlength=Xc.shape[0]) == k  # (b,)
        ind = np.empty((Xc.shape[0], k), dtype=np.int64)
        ind[sure] = cols[sure[rows]].reshape(-1, k)
        unsure = np.flatnonzero(~sure)
        if unsure.size:
            pairs = ~sure[rows]
            local = np.searchsorted(unsure, rows[pairs])  # row -> position in unsure
            d2 = _exact_sq_dists(Xc, self.X_train, rows[pairs], cols[pairs])
            ind[unsure] = _k_best(local, cols[pairs], d2, unsure.size, k)[1]
        return None, ind

    def _fast_data(self):
        """float32 training data (N, D) and its squared norms, built once.

        float32 C-ordered training data is used as it is (no copy). Anything
        else is converted once to a centred float32 copy (50000 x 3072 CIFAR-10:
        614 MB); any shift leaves distances unchanged, and centring makes the
        numbers, and float32's rounding errors, smaller.
        """
        if self._fast is None:
            X = self.X_train
            if X.dtype == np.float32 and X.flags.c_contiguous:
                Xtr, mean = X, None
            else:
                # float32 sums of uint8 pixels are exact up to 65793 rows; any
                # mean works anyway, as long as test rows get the same shift.
                mean = X.mean(axis=0, dtype=np.float32)  # (D,)
                Xtr = np.empty(X.shape, dtype=np.float32)
                for s in range(0, X.shape[0], 4096):  # row blocks: no float64 temporaries
                    np.subtract(X[s:s + 4096], mean, out=Xtr[s:s + 4096], casting="same_kind")
            t_norm2 = np.einsum("ij,ij->i", Xtr, Xtr)  # (N,) float32
            self._fast = {"X": Xtr, "mean": mean, "t_norm2": t_norm2,
                          "t_norm_max": float(np.sqrt(t_norm2.max()))}
        return self._fast


def _candidate_threshold(R, k, x_norm, t_norm_max, dim):
    """Per-row bound below which a float32 ranking value may be in the true top k.

    If every float32 value is within eps of the exact one, the true k best all
    lie within (k-th smallest float32 value) + 2 eps. eps estimates sgemm's
    rounding error (u = 2^-24 per operation, growing like sqrt(D) as rounding
    errors are random in practice) on values of size 2 |x| |t| + |t|^2; the
    safety factor covers the rest. Returns (b,) float32 thresholds.
    """
    if k == 1:
        kth = R.min(axis=1)
    else:
        kth = np.partition(R, k - 1, axis=1)[:, k - 1]
    u = np.finfo(np.float32).eps / 2
    eps = RERANK_SAFETY * u * np.sqrt(dim + 1) * (2 * x_norm * t_norm_max + t_norm_max**2)
    return (kth + 2 * eps).astype(np.float32)


def _exact_sq_dists(Xc, X_train, rows, cols, max_bytes=32 * 2**20):
    """Float64 squared distances |Xc[rows] - X_train[cols]|^2, pair by pair."""
    d2 = np.empty(rows.shape[0])
    Xc64 = Xc.astype(np.float64)
    step = max(1, max_bytes // (8 * Xc.shape[1]))
    for s in range(0, rows.shape[0], step):
        diff = Xc64[rows[s:s + step]] - X_train[cols[s:s + step]]  # (pairs, D) float64
        d2[s:s + step] = np.einsum("ij,ij->i", diff, diff)
    return d2


def _k_best(rows, cols, d2, num_rows, k):
    """Keep the k smallest d2 per row (ties -> smaller column). (b, k) each."""
    order = np.lexsort((cols, d2, rows))  # by row, then distance, then index
    first = np.searchsorted(rows[order], np.arange(num_rows))  # (b,)
    pick = order[first[:, None] + np.arange(k)]  # (b, k)
    return np.sqrt(d2[pick]), cols[pick]


def _vote(labels):
    """Most common label per row of (M, k) labels; ties -> smaller label."""
    num_rows = labels.shape[0]
    num_classes = int(labels.max()) + 1
    # Offset each row's labels so one bincount counts all rows at once.
    flat = (labels + num_classes * np.arange(num_rows)[:, None]).ravel()
    counts = np.bincount(flat, minlength=num_rows * num_classes).reshape(num_rows, num_classes)
    return np.argmax(counts, axis=1)
