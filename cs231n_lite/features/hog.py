"""Histograms of oriented gradients (HOG): gradients, per-cell orientation
histograms, and the feature vector of one image.

Shapes: a grayscale image ``(H, W)`` (or RGB ``(H, W, 3)`` for
:func:`hog_feature`), ``O`` orientation bins, square cells of ``p x p`` pixels.

HOG convention (this kit's, close to CS231n's and skimage's):

* grayscale ``0.299 R + 0.587 G + 0.114 B`` (CS231n's ``rgb2gray`` has a
  typo, 0.144, for blue);
* centred differences ``[-1, 0, 1]`` (not divided by 2), ``gx`` along columns
  (x to the right), ``gy`` along rows (y downwards), 0 on the border pixels;
* unsigned orientation ``theta = arctan2(gy, gx) mod pi`` in ``[0, pi)``, bin
  ``o = floor(theta / (pi / O))`` clipped to ``O - 1``, so bin 0 holds
  horizontal gradients (a vertical edge) and the bin containing 90 degrees
  holds vertical gradients (a horizontal edge);
* per cell the MEAN over its pixels of the magnitude of those pixels whose
  orientation falls in each bin (CS231n's ``uniform_filter``), no block
  normalisation; features ordered ``(cell_row, cell_col, orientation)``.

References
----------
.. [1] N. Dalal and B. Triggs, "Histograms of Oriented Gradients for Human
   Detection", CVPR 2005.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_array, check_int
from ._images import _cell_size, _check_images
from .color import rgb_to_gray

__all__ = ["image_gradients", "orientation_histogram", "hog_feature"]


def image_gradients(gray):
    """Centred-difference gradients ``[-1, 0, 1]`` of a grayscale image.

    Parameters
    ----------
    gray : ndarray of shape (H, W)
        Integer images are converted to float64 first; not modified.

    Returns
    -------
    gx : ndarray of float64, shape (H, W)
        ``gray[r, c + 1] - gray[r, c - 1]`` (x runs along the columns, to the
        right; not divided by 2); 0 in the first and last column.
    gy : ndarray of float64, shape (H, W)
        ``gray[r + 1, c] - gray[r - 1, c]`` (y runs along the rows, downwards;
        not divided by 2); 0 in the first and last row.
    """
    gray = check_array(gray, "gray", ndim=2).astype(np.float64, copy=False)
    gx = np.zeros(gray.shape)
    gy = np.zeros(gray.shape)
    # TODO: fill gx and gy with the centred differences defined above, every
    # pixel that has both neighbours; leave the border pixels at 0. Do not
    # modify `gray`.
    ### BEGIN SOLUTION
    gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]
    gy[1:-1, :] = gray[2:, :] - gray[:-2, :]
    ### END SOLUTION
    return gx, gy


def orientation_histogram(gx, gy, orientations=9, pixels_per_cell=8):
    """Per-cell histogram of unsigned gradient orientations.

    Parameters
    ----------
    gx, gy : ndarray of shape (H, W)
        Gradients from :func:`image_gradients`; H and W divisible by the
        cell (H and W may differ); not modified.
    orientations : int
        O, bins of equal width ``pi / O`` over [0, 180) degrees.
    pixels_per_cell : int
        p, the side of a square cell; cell (i, j) holds the pixels of rows
        ``i*p .. i*p + p - 1`` and columns ``j*p .. j*p + p - 1``.

    Returns
    -------
    hist : ndarray of float64, shape (H // p, W // p, O)
        ``hist[i, j, o]`` = the MEAN over cell (i, j)'s p*p pixels of the
        magnitude ``sqrt(gx**2 + gy**2)`` of the pixels in bin o (the pixels
        of other bins count as 0), where a pixel's bin is
        ``floor(theta / (pi / O))`` clipped to O - 1 and its orientation
        ``theta = arctan2(gy, gx) mod pi`` is unsigned, in [0, pi): a
        gradient and its opposite (0 and 180 degrees) share a bin, and an
        orientation exactly on a boundary ``k pi / O`` is in bin k.
    """
    gx = check_array(gx, "gx", ndim=2)
    gy = check_array(gy, "gy", shape=gx.shape)
    orientations = check_int(orientations, "orientations", low=1)
    p = _cell_size(pixels_per_cell, *gx.shape, name="gx")
    n_rows, n_cols = gx.shape[0] // p, gx.shape[1] // p
    hist = np.zeros((n_rows, n_cols, orientations))
    # TODO: fill hist (shape (H // p, W // p, O), ordered (cell_row, cell_col,
    # orientation)) as defined above: each pixel's magnitude and orientation
    # bin, then per cell and bin the mean over the cell's p*p pixels. Do not
    # modify `gx` or `gy`.
    ### BEGIN SOLUTION
    mag = np.sqrt(gx ** 2 + gy ** 2)
    theta = np.mod(np.arctan2(gy, gx), np.pi)  # [0, pi]; pi only by rounding
    bins = np.minimum((theta / (np.pi / orientations)).astype(int), orientations - 1)
    for o in range(orientations):
        m = np.where(bins == o, mag, 0.0)
        hist[:, :, o] = m.reshape(n_rows, p, n_cols, p).mean(axis=(1, 3))
    ### END SOLUTION
    return hist


def hog_feature(im, orientations=9, pixels_per_cell=8):
    """Histogram of oriented gradients of one image (see the module notes).

    Parameters
    ----------
    im : ndarray of shape (H, W, 3) or (H, W)
        RGB (converted with :data:`GRAY_WEIGHTS`) or grayscale.
    orientations : int
        O, orientation bins over [0, 180) degrees.
    pixels_per_cell : int or (p, p)
        Side of the square cells; H and W must be divisible by it.

    Returns
    -------
    feat : ndarray of float64, shape ((H // p) * (W // p) * O,)
        Ordered (cell_row, cell_col, orientation): 144 numbers for a 32x32
        image with 8x8 cells and 9 orientations.

    Raises
    ------
    ValueError
        Wrong ndim or channel count, NaN, non-square cells, or an image size
        not divisible by the cell.

    References
    ----------
    Dalal & Triggs (2005), see the module references.
    """
    im = _check_images(im, "im", batch=False, allow_gray=True)
    orientations = check_int(orientations, "orientations", low=1)
    p = _cell_size(pixels_per_cell, im.shape[0], im.shape[1])
    gray = rgb_to_gray(im) if im.ndim == 3 else im.astype(np.float64)
    gx, gy = image_gradients(gray)
    return orientation_histogram(gx, gy, orientations, p).ravel()
