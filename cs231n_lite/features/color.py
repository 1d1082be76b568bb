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

    The hue of a pixel is the H channel of ``matplotlib.colors.rgb_to_hsv(im
    / xmax)`` (a fraction of the colour circle in ``[0, 1)``) scaled back to
    ``[0, xmax)``, i.e. multiplied by ``xmax``; grey pixels (R = G = B, black
    and white included) have saturation 0 and hue 0. Bins are the ``nbin``
    intervals between ``np.linspace(xmin, xmax, nbin + 1)``, each closed on
    the left and open on the right except the last one, closed on both sides
    (``np.histogram``'s rule): a hue exactly on an edge belongs to the bin
    that starts there. Pixels whose hue lies outside ``[xmin, xmax]`` are not
    counted.

    Parameters
    ----------
    im : ndarray of shape (H, W, 3)
        Values in ``[0, xmax]`` (uint8 or float); not modified.
    nbin : int
        Number of bins.
    xmin, xmax : float
        Range of the bins; ``xmax`` is also the image's maximum value (255
        for 8-bit images, 1.0 for images scaled to [0, 1]).
    normalized : bool
        True: the fraction of the counted pixels in each bin (sums to 1;
        CS231n's ``density=True`` times the bin width), all zeros when no
        pixel is counted. False: the pixel counts, as floats.

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
    # TODO: compute the hue of every pixel on the [0, xmax] scale (see the
    # definition above), count the pixels whose hue falls in each bin of
    # `edges` (bin rule above), and store in `hist` (float64, shape (nbin,))
    # the counts, or with normalized=True the fraction of the COUNTED pixels
    # per bin (zeros if none is counted). Do not modify `im`.
    ### BEGIN SOLUTION
    hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0] * xmax
    hist = np.histogram(hue, bins=edges)[0].astype(np.float64)
    if normalized and hist.sum() > 0:
        hist = hist / hist.sum()
    ### END SOLUTION
    return hist
