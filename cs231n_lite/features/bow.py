"""Bags of visual words: patches, a k-means codebook, and word histograms.

Shapes: ``N`` images ``(H, W, C)``, ``K`` visual words, ``P = patch_size**2 * C``
numbers per patch.

References
----------
.. [1] G. Csurka, C. Dance, L. Fan, J. Willamowski and C. Bray, "Visual
   Categorization with Bags of Keypoints", ECCV Workshop on Statistical
   Learning in Computer Vision, 2004.
"""

from __future__ import annotations

import inspect

import numpy as np
from scipy.cluster.vq import kmeans2
from scipy.spatial.distance import cdist

from ..validation import InputError, check_array, check_int
from ._images import _check_images, _map_chunks

__all__ = ["normalize_patches", "dense_patches", "sample_patches", "build_codebook",
           "nearest_word", "bow_histogram", "bow_feature"]


def normalize_patches(patches, eps=10.0):
    """Contrast-normalise each patch: subtract its mean, divide by ``sqrt(var + eps)``.

    Makes words insensitive to brightness and contrast; ``eps`` (in squared
    pixel units, 10 for [0, 255] images) keeps flat patches from blowing up.

    Parameters
    ----------
    patches : ndarray of shape (..., P)
    eps : float

    Returns
    -------
    ndarray of float64, shape (..., P)
    """
    x = np.asarray(patches, dtype=np.float64)
    x = x - x.mean(axis=-1, keepdims=True)
    return x / np.sqrt((x ** 2).mean(axis=-1, keepdims=True) + eps)


def dense_patches(imgs, patch_size=8, stride=4):
    """All patches on a regular grid, flattened in (row, col, channel) order.

    Parameters
    ----------
    imgs : ndarray of shape (N, H, W, C)
    patch_size : int
    stride : int
        Step between patch corners, from (0, 0).

    Returns
    -------
    patches : ndarray of shape (N, M, P)
        ``M = (1 + (H - patch_size) // stride) * (1 + (W - patch_size) // stride)``.
    """
    n, _, _, c = imgs.shape
    win = np.lib.stride_tricks.sliding_window_view(imgs, (patch_size, patch_size), axis=(1, 2))
    win = win[:, ::stride, ::stride]  # (N, rows, cols, C, p, p)
    return win.transpose(0, 1, 2, 4, 5, 3).reshape(n, -1, patch_size * patch_size * c)


def _check_patch_args(imgs, patch_size, stride):
    imgs = _check_images(imgs, "imgs", batch=True, channels=range(1, 1 << 16))
    patch_size = check_int(patch_size, "patch_size", low=1, high=min(imgs.shape[1:3]))
    return imgs, patch_size, check_int(stride, "stride", low=1)


def sample_patches(imgs, patch_size=8, num_patches=1000, stride=1, seed=0):
    """Random patches from random images (with replacement), seeded.

    Parameters
    ----------
    imgs : ndarray of shape (N, H, W, C)
    patch_size : int
    num_patches : int
    stride : int
        Patch corners are drawn from the grid ``{0, stride, 2 stride, ...}``
        (1: anywhere; use the ``stride`` of :func:`bow_histogram` to sample
        exactly the patches it will see).
    seed : int or numpy.random.Generator

    Returns
    -------
    patches : ndarray of float64, shape (num_patches, P), raw pixel values.
    """
    imgs, p, stride = _check_patch_args(imgs, patch_size, stride)
    num_patches = check_int(num_patches, "num_patches", low=1)
    rng = np.random.default_rng(seed)
    n, h, w, _ = imgs.shape
    i = rng.integers(0, n, num_patches)
    r = rng.integers(0, (h - p) // stride + 1, num_patches) * stride
    c = rng.integers(0, (w - p) // stride + 1, num_patches) * stride
    ar = np.arange(p)
    rows = (r[:, None] + ar)[:, :, None]  # (M, p, 1)
    cols = (c[:, None] + ar)[:, None, :]  # (M, 1, p)
    return imgs[i[:, None, None], rows, cols].reshape(num_patches, -1).astype(np.float64)


def build_codebook(patches, num_words=50, num_iters=20, normalize=True, eps=10.0, seed=0):
    """Learn K visual words with k-means (``scipy.cluster.vq.kmeans2``, k-means++).

    Parameters
    ----------
    patches : ndarray of shape (M, P)
        Raw patches, e.g. from :func:`sample_patches`; M >= num_words.
    num_words : int
        K.
    num_iters : int
        k-means iterations.
    normalize : bool
        Contrast-normalise the patches first (:func:`normalize_patches` with
        ``eps``); pass the same ``normalize``/``eps`` to :func:`bow_histogram`.
        No per-dimension whitening (scipy's ``whiten``): words stay patches.
    seed : int or numpy.random.Generator

    Returns
    -------
    codebook : ndarray of float64, shape (K, P)
    """
    x = check_array(patches, "patches", ndim=2).astype(np.float64)
    k = check_int(num_words, "num_words", low=1, high=len(x))
    iters = check_int(num_iters, "num_iters", low=1)
    if normalize:
        x = normalize_patches(x, eps)
    rng = np.random.default_rng(seed)
    # scipy >= 1.15 calls the generator `rng`; older versions `seed`
    key = "rng" if "rng" in inspect.signature(kmeans2).parameters else "seed"
    codebook, _ = kmeans2(x, k, iter=iters, minit="++", **{key: rng})
    return codebook


def nearest_word(patches, codebook):
    """Index of the nearest word (Euclidean) of each patch, ties to the lower index.

    Squared distances from scipy's ``cdist`` (a library routine: the kNN
    notebook is where students vectorise distances themselves).

    Parameters
    ----------
    patches : ndarray of shape (M, P)
    codebook : ndarray of shape (K, P)

    Returns
    -------
    words : ndarray of int, shape (M,)
    """
    return cdist(patches, codebook, "sqeuclidean").argmin(axis=1)  # (M, K) -> (M,)


def bow_histogram(imgs, codebook, patch_size=8, stride=4, normalize=True, eps=10.0,
                  normalized=True, chunk_size=128, n_jobs=None):
    """Bag-of-visual-words histogram of every image (dense patches, nearest word).

    Parameters
    ----------
    imgs : ndarray of shape (N, H, W, C)
    codebook : ndarray of shape (K, P)
        From :func:`build_codebook`, ``P = patch_size**2 * C``.
    patch_size, stride : int
        Dense grid, see :func:`dense_patches`.
    normalize, eps
        Patch normalisation, the same as for :func:`build_codebook`.
    normalized : bool
        True: fraction of the image's patches per word (rows sum to 1).
    chunk_size, n_jobs
        Images per chunk and threads (None: every core).

    Returns
    -------
    hists : ndarray of float64, shape (N, K)
    """
    imgs, p, stride = _check_patch_args(imgs, patch_size, stride)
    codebook = check_array(codebook, "codebook", ndim=2)
    k = len(codebook)
    if codebook.shape[1] != p * p * imgs.shape[3]:
        raise InputError(
            f"codebook must have shape (K, patch_size**2 * C) = (K, {p * p * imgs.shape[3]}), "
            f"got {codebook.shape}; build it with the same patch_size and images")

    def chunk(x):
        pt = dense_patches(x, p, stride).astype(np.float64)  # (n, M, P)
        n, m, _ = pt.shape
        if normalize:
            pt = normalize_patches(pt, eps)
        words = nearest_word(pt.reshape(n * m, -1), codebook) + np.repeat(np.arange(n) * k, m)
        return np.bincount(words, minlength=n * k).reshape(n, k).astype(np.float64) / (
            m if normalized else 1)

    return _map_chunks(chunk, imgs, chunk_size, n_jobs)


def bow_feature(im, codebook, patch_size=8, stride=4, normalize=True, eps=10.0, normalized=True):
    """:func:`bow_histogram` of one image (H, W, C) -> (K,); for :func:`extract_features`
    use ``functools.partial(bow_feature, codebook=codebook)``."""
    im = check_array(im, "im", ndim=3)
    return bow_histogram(im[None], codebook, patch_size, stride, normalize, eps, normalized,
                         n_jobs=1)[0]
