# coursekit: instructor-only
"""Fast, memory-bounded k-nearest neighbours for the full CIFAR-10 problem.

:class:`FastKNearestNeighbor` is the students' :class:`KNearestNeighbor` plus
:meth:`~FastKNearestNeighbor.kneighbors` and
:meth:`~FastKNearestNeighbor.predict_chunked`: matrix products over chunks of
test rows (50000 x 10000 CIFAR-10 without a 2 GB distance matrix) screen the
training points, and the few that the screen cannot rule out are ranked by
exact float64 distances. It computes what students write (distances and the
vote), so the release leaves this module out.

Exact by construction (scikit-learn's idea of upcasting where float32 cannot
decide, made rigorous): the screen keeps every training point whose
float32 (or float64) ranking value lies within a proven worst-case rounding
bound of the k-th best, so the true k nearest are always among the kept
points, whatever the BLAS, its blocking or its thread count. Data whose
squared norms would overflow or underflow float32 is screened in float64;
data beyond float64's range is compared pair by pair (plain brute force).

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
# Screening dtypes, cheapest first; a chunk uses the first whose range fits.
SCREEN_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
# Headroom, in factors of two, kept between the data's squared scale and the
# dtype's overflow / underflow limits before a dtype is used for screening.
RANGE_HEADROOM = 2.0**16


def l1_distances(X, X_train, max_bytes=L1_BLOCK_BYTES, dtype=None):
    """L1 distances ``sum_d |X[i, d] - X_train[j, d]|``, broadcast in blocks.

    Parameters
    ----------
    X : ndarray of shape (M, D)
    X_train : ndarray of shape (N, D)
    max_bytes : int
        Bound on the temporary (rows, cols, D) difference block, so memory
        stays bounded however large M and N are.
    dtype : numpy float dtype, optional
        Precision of the differences and sums; default: the inputs' float
        dtype, float64 for integer inputs (uint8 pixels would wrap around).

    Returns
    -------
    dists : ndarray of shape (M, N), of ``dtype``
    """
    num_test, dim = X.shape
    num_train = X_train.shape[0]
    if dtype is None:
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
    """:class:`KNearestNeighbor` with a fast, memory-bounded, exact search (same ``train``).

    What "exact" means here, for every input dtype (uint8, float32, float64):
    the neighbours are those of float64 brute force, i.e. the training
    points ranked by their float64 squared distance ``sum((x - t)**2)`` to
    the test row (L2; the differences and the sum taken in float64, summed
    in ``np.einsum``'s order, which decides last-bit ties), or by
    the float64 :func:`l1_distances` (L1), ties going to the smaller training
    index. Inputs are converted to float64 exactly (uint8 and float32 values
    are float64 values), so float32 data gets float64 answers, not float32
    ones. The float64 squared distances themselves are within about
    ``(D + 2) * 2**-53`` (relative) of the real-number ones.
    """

    def train(self, X, y):
        """Memorise the training data (no copy); see :meth:`KNearestNeighbor.train`."""
        super().train(X, y)
        self._screens = {}  # screening copies per dtype (and the data's scale), built on first use
        return self

    def predict_chunked(self, X, k=1, chunk_size=None):
        """Fast, memory-bounded prediction, exact for every dtype.

        The vote (ties to the smaller label) among exactly the k neighbours
        :meth:`kneighbors` returns, so the predictions equal float64 brute
        force (see the class docstring). They may differ from
        :meth:`predict` where the students' distances are not exact: with
        float32 input, ``predict`` computes in float32 and may swap
        neighbours whose distances differ by less than float32 rounding.
        Only the SET of the k nearest matters for the vote, so rows whose set
        the screen already pins down skip the exact re-ranking.
        Parameters, returns and errors as :meth:`kneighbors` / :meth:`predict`.
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
            Test rows per chunk (speed and memory only: the answer does not
            depend on it); None sizes chunks to about CHUNK_BYTES of working
            memory.

        Returns
        -------
        dist : ndarray of shape (M, k), float64
            The float64 distances (square roots of the float64 squared
            distances; L1 sums for ``metric="l1"``), ascending.
        ind : ndarray of shape (M, k), int64
            Training indices of float64 brute force (class docstring); equal
            distances go to the smaller index.

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
        d = l1_distances(Xc, self.X_train, dtype=np.float64)  # (b, N), float64 brute force
        ind = np.argsort(d, axis=1, kind="stable")[:, :k]  # ties -> smaller index
        return np.take_along_axis(d, ind, axis=1), ind

    def _l2_chunk(self, Xc, k, exact):
        """Screen in the cheapest dtype whose range fits, then rank exactly."""
        screen = self._screen_for(Xc)
        if screen is None:  # beyond float64's range: every pair, in float64
            rows = np.repeat(np.arange(Xc.shape[0]), self.X_train.shape[0])
            cols = np.tile(np.arange(self.X_train.shape[0]), Xc.shape[0])
        else:
            rows, cols = screen.candidates(Xc, k)
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

    def _screen_for(self, Xc):
        """The screen of the first SCREEN_DTYPES entry whose range fits, or None."""
        if "scale" not in self._screens:  # one pass over the training data, once
            self._screens["scale"] = _max_abs(self.X_train)
        scale_train, scale_test = self._screens["scale"], _max_abs(Xc)
        # |a| + T <= sqrt(D) (max|x| + 3 max|t|) (m is a mean of training rows),
        # and every value the screen computes is at most (|a| + T)^2.
        span = scale_test + 3 * scale_train
        top = self.X_train.shape[1] * span * span  # inf, not OverflowError, when huge
        for dtype in SCREEN_DTYPES:
            info = np.finfo(dtype)
            big, tiny = float(info.max), float(info.tiny)  # Python floats: no float32 casts
            if top < big / RANGE_HEADROOM and (top > tiny * RANGE_HEADROOM or top == 0):
                if dtype not in self._screens:
                    self._screens[dtype] = _Screen(self.X_train, dtype)
                return self._screens[dtype]
        return None


def _max_abs(X):
    """max |X| as a Python float (0.0 for empty input)."""
    if X.size == 0:
        return 0.0
    return float(max(abs(float(X.max())), abs(float(X.min()))))


def _gamma(n, u):
    """Higham's gamma_n = n u / (1 - n u): the relative error bound of an n-term sum."""
    return n * u / (1 - n * u)


class _Screen:
    """A training copy in one float dtype and the rigorous candidate bound.

    Ranking value of training point j for a test row x::

        R_j = fl(|t_j|^2 - 2 a.t_j),  a = fl(x - m),  t_j = fl(X_j - m)

    where m is the training mean (or 0 when float32 C-ordered data is used
    as it is). ``|x - X_j|^2 = R_j + |a|^2`` up to the error bound of
    :meth:`bound`; if every R_j is within eps of its exact value, the true k
    nearest all have R_j <= (k-th smallest R) + 2 eps.
    """

    def __init__(self, X_train, dtype):
        self.dtype = np.dtype(dtype)
        if X_train.dtype == self.dtype and X_train.flags.c_contiguous:
            self.X, self.mean = X_train, None  # used as it is: no copy
        else:
            # A centred copy: any shift leaves distances unchanged, and centring
            # makes the numbers, and the rounding errors, smaller.
            self.mean = X_train.mean(axis=0, dtype=np.float64).astype(self.dtype)  # (D,)
            self.X = np.empty(X_train.shape, dtype=self.dtype)
            for s in range(0, X_train.shape[0], 4096):  # row blocks: no big temporaries
                np.subtract(X_train[s:s + 4096], self.mean, out=self.X[s:s + 4096],
                            casting="unsafe")
        self.t_norm2 = np.einsum("ij,ij->i", self.X, self.X)  # (N,) in dtype
        info = np.finfo(self.dtype)
        self.u, self.tiny = float(info.eps) / 2, float(info.tiny)
        dim = X_train.shape[1]
        # Upper bound of the exact max |t_j| from the rounded squared norms.
        self.t_norm_max = float(np.sqrt(float(self.t_norm2.max()) / (1 - _gamma(dim, self.u))))

    def candidates(self, Xc, k):
        """(rows, cols) of every pair that may be among a row's k nearest, row-major."""
        A = np.empty(Xc.shape, dtype=self.dtype)  # (b, D)
        if self.mean is None:
            A[...] = Xc
        else:
            np.subtract(Xc, self.mean, out=A, casting="unsafe")
        a_norm2 = np.einsum("ij,ij->i", A, A).astype(np.float64)  # (b,)
        A *= -2  # exact: a power of two
        R = A @ self.X.T  # (b, N), one gemm in dtype
        R += self.t_norm2
        if k == 1:
            kth = R.min(axis=1)
        else:
            kth = np.partition(R, k - 1, axis=1)[:, k - 1]
        thresh = kth.astype(np.float64) + 2 * self.bound(a_norm2, Xc.shape[1])
        # Round the threshold up into dtype, so the comparison never loses a point.
        thresh_d = thresh.astype(self.dtype)
        low = thresh_d < thresh
        thresh_d[low] = np.nextafter(thresh_d[low], self.dtype.type(np.inf))
        return np.nonzero(R <= thresh_d[:, None])  # >= k per row, row-major

    def bound(self, a_norm2, dim):
        """(b,) upper bound on |R_j + |a|^2 - d64_j| over all j, float64.

        d64_j is float64 brute force's squared distance. Terms (Higham,
        *Accuracy and Stability of Numerical Algorithms*, 2nd ed., ch. 3),
        with u the unit roundoff of the screening dtype and T >= max |t_j|:

        * gemm, |t|^2 and their sum, any summation order and blocking:
          gamma_{D+1} (T^2 + 2 |a| T);
        * underflow (subnormal or flushed-to-zero products): 4 (D + 2) tiny;
        * rounding x - m and X_j - m into the dtype moves each vector by
          at most u times its norm: 3 u (|a| + T)^2;
        * float64 brute force's own rounding: gamma64_{D+2} (|a| + T)^2.

        The sum is doubled to cover the rounding of the bound's own inputs
        (|a| and T come from rounded norms) and of this arithmetic.
        """
        a_norm = np.sqrt(a_norm2 / (1 - _gamma(dim, self.u)))  # >= the exact |a|
        T = self.t_norm_max
        span2 = (a_norm + T) ** 2
        u64 = float(np.finfo(np.float64).eps) / 2
        eps = (_gamma(dim + 1, self.u) * (T * T + 2 * a_norm * T)
               + 4 * (dim + 2) * self.tiny
               + 3 * self.u * span2
               + _gamma(dim + 2, u64) * span2)
        return 2 * eps


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
    """Keep the k smallest d2 per row (ties -> smaller column). (b, k) each.

    Every row must have at least k pairs: the screen guarantees it, and a
    shortfall would silently mix rows, so it is checked.
    """
    counts = np.bincount(rows, minlength=num_rows)
    if counts.min(initial=k) < k:
        raise RuntimeError(f"kNN screen kept fewer than k={k} candidates for a row; "
                           "this is a bug in cs231n_lite.fast.knn")
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
