"""Features of a whole dataset: every feature function on every image."""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from ..validation import InputError, check_array, check_int

__all__ = ["extract_features"]


def _name(fn):
    """A function's name for messages (lambdas and partials included)."""
    inner = getattr(fn, "func", fn)
    return getattr(inner, "__name__", repr(fn))


def _features_of(fn, im, index):
    """``fn(im)`` as a float64 vector; a clear error naming the function if it is not one."""
    out = fn(im)
    if out is None:
        raise InputError(f"feature function {_name(fn)} returned None for image {index}; "
                         f"it must return its feature vector")
    return np.ravel(np.asarray(out, dtype=np.float64))


def extract_features(imgs, feature_fns, verbose=False, block_size=1000):
    """Concatenate the features of every function for every image.

    Each function is called once per image, image by image: the features are
    exactly what the given functions compute (your own ``hog_feature`` and
    ``color_histogram_hsv`` in the notebook), nothing else.

    Parameters
    ----------
    imgs : ndarray of shape (N, H, W, C)
    feature_fns : list of callable
        Each maps one image (H, W, C) to a feature vector of a fixed length
        (e.g. ``hog_feature``, ``lambda im: color_histogram_hsv(im, nbin=10)``
        or ``functools.partial(bow_feature, codebook=codebook)``).
    verbose : bool
        Show a tqdm progress bar.
    block_size : int
        Images per step of the progress bar.

    Returns
    -------
    feats : ndarray of float64, shape (N, F_total)
        Column blocks in the order of ``feature_fns``.

    Raises
    ------
    ValueError
        Naming ``imgs`` (not 4-D, NaN), ``feature_fns`` (not a non-empty list)
        or ``block_size``; or naming the feature function whose output is None
        or changes length from one image to the next.

    Examples
    --------
    >>> from cs231n_lite.features import color_histogram_hsv, hog_feature
    >>> X = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    >>> extract_features(X, [hog_feature, lambda im: color_histogram_hsv(im, nbin=10)]).shape
    (4, 154)
    """
    imgs = check_array(imgs, "imgs", ndim=4)
    if callable(feature_fns) or len(feature_fns) == 0:
        raise InputError("feature_fns must be a non-empty list of functions, "
                         f"got {feature_fns!r}; wrap a single function as [fn]")
    block_size = check_int(block_size, "block_size", low=1)
    first = [_features_of(fn, imgs[0], 0) for fn in feature_fns]  # sizes of the blocks
    offsets = np.concatenate([[0], np.cumsum([len(f) for f in first])])
    feats = np.empty((len(imgs), offsets[-1]))
    feats[0] = np.concatenate(first)

    with tqdm(total=len(imgs), disable=not verbose, desc="features") as bar:
        for start in range(0, len(imgs), block_size):
            for i in range(max(start, 1), min(start + block_size, len(imgs))):
                for fn, lo, hi in zip(feature_fns, offsets[:-1], offsets[1:]):
                    f = _features_of(fn, imgs[i], i)
                    if f.shape != (hi - lo,):
                        raise InputError(
                            f"feature function {_name(fn)} returned {f.shape[0]} numbers for "
                            f"image {i} but {hi - lo} for image 0; every image must give the "
                            f"same length")
                    feats[i, lo:hi] = f
            bar.update(min(block_size, len(imgs) - start))
    return feats
