"""Colour: grayscale conversion and the HSV hue histogram.

Shapes: one image ``(H, W, 3)`` with values in ``[0, xmax]``.
"""

from __future__ import annotations

import matplotlib.colors
import numpy as np

from ..validation import InputError, check_array
from ._images import _check_images, _check_range, _hue_edges

__all__ = ["GRAY_WEIGHTS", "rgb_to_gray", "color_histogram_hsv"]

GRAY_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma


def rgb_to_gray(im, weights=GRAY_WEIGHTS):
    """Luma ``w0 R + w1 G + w2 B`` in float64.

    Parameters
    ----------
    im : ndarray of shape (..., 3)
        One RGB image (H, W, 3) or a batch (N, H, W, 3).
    weights : tuple of 3 float

    Returns
    -------
    gray : ndarray of float64, shape (...)
    """
    x = check_array(im, "im", ndim=range(1, 33))
    if x.shape[-1] != 3:
        raise InputError(f"im must have 3 colour channels in the last axis, got shape {x.shape}")
    # contiguous channel planes: strided x[..., 0] access is several times slower
    r, g, b = np.ascontiguousarray(np.moveaxis(x, -1, 0)).astype(np.float64)
    return weights[0] * r + weights[1] * g + weights[2] * b


def color_histogram_hsv(im, nbin=10, xmin=0, xmax=255, normalized=True):
    """Histogram of the hue of an RGB image.

    Hue comes from ``matplotlib.colors.rgb_to_hsv(im / xmax)`` scaled to
    ``[0, xmax)``; grey pixels (saturation 0) get hue 0. Bins are
    ``np.linspace(xmin, xmax, nbin + 1)``, the last one closed.

    Parameters
    ----------
    im : ndarray of shape (H, W, 3)
        Values in ``[0, xmax]``.
    nbin : int
        Number of bins.
    xmin, xmax : float
        Range of the bins; ``xmax`` is also the image's maximum value.
    normalized : bool
        True: fraction of pixels per bin (sums to 1, CS231n's
        ``density=True`` times the bin width). False: pixel counts.

    Returns
    -------
    hist : ndarray of float64, shape (nbin,)

    Raises
    ------
    ValueError
        If ``im`` is not (H, W, 3), holds NaN, or has values outside [0, xmax].
    """
    im = _check_images(im, "im", batch=False)
    edges = _hue_edges(nbin, xmin, xmax)
    _check_range(im, "im", xmax)
    hist = np.zeros(nbin)
    # TODO: convert im / xmax to HSV with matplotlib.colors.rgb_to_hsv, scale
    # the hue channel back to [0, xmax], histogram it into `edges`
    # (np.histogram) and, if normalized, divide by the number of counted pixels.
    ### BEGIN SOLUTION
    hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0] * xmax
    hist = np.histogram(hue, bins=edges)[0].astype(np.float64)
    if normalized and hist.sum() > 0:
        hist = hist / hist.sum()
    ### END SOLUTION
    return hist
