"""Public checks of the features part: synthetic images with a known answer."""

from __future__ import annotations

import numpy as np

from .base import check, expect_array, expect_close

MOD = "cs231n_lite.features"


def _image(*colours):
    """A 32x32 RGB image split into equal vertical bands of the given colours."""
    im = np.zeros((32, 32, 3))
    width = 32 // len(colours)
    for i, rgb in enumerate(colours):
        im[:, i * width:(i + 1) * width] = rgb
    return im


@check("features", MOD, "color_histogram_hsv")
def color_histogram_hsv(m):
    # hue 0 (red) -> bin 0; 1/3 (green) -> 85 -> bin 3; 2/3 (blue) -> 170 -> bin 6
    cases = [
        ("a pure blue image", _image((0, 0, 255)), {6: 1.0}),
        ("an image half red, half green", _image((255, 0, 0), (0, 255, 0)), {0: 0.5, 3: 0.5}),
    ]
    for label, im, mass in cases:
        where = f"for {label} (32x32, values 0..255, nbin=10)"
        hist = expect_array("hist", m.color_histogram_hsv(im.copy(), nbin=10), (10,), where)
        expected = np.zeros(10)
        expected[list(mass)] = list(mass.values())
        expect_close("hist", hist, expected, where + " (fractions of pixels per hue bin)")
    where = "for a pure blue image with normalized=False"
    counts = m.color_histogram_hsv(_image((0, 0, 255)), nbin=10, normalized=False)
    expect_close("hist[6]", expect_array("hist", counts, (10,), where)[6], 1024.0,
                 where + " (all 32*32 pixels counted)")


@check("features", MOD, "image_gradients")
def image_gradients(m):
    rows, cols = np.mgrid[0:6, 0:5].astype(float)
    gray = 2.0 * cols + 3.0 * rows  # slope 2 along x (columns), 3 along y (rows)
    where = "for the ramp gray[r, c] = 2c + 3r (6x5)"
    gx, gy = m.image_gradients(gray)
    gx = expect_array("gx", gx, (6, 5), where)
    gy = expect_array("gy", gy, (6, 5), where)
    ex, ey = np.zeros((6, 5)), np.zeros((6, 5))
    ex[:, 1:-1], ey[1:-1, :] = 4.0, 6.0  # centred differences, not halved; 0 on the border
    expect_close("gx", gx, ex, where + " (gray[r, c+1] - gray[r, c-1], 0 in the border columns)")
    expect_close("gy", gy, ey, where + " (gray[r+1, c] - gray[r-1, c], 0 in the border rows)")


@check("features", MOD, "orientation_histogram")
def orientation_histogram(m):
    gx, gy = np.zeros((16, 16)), np.zeros((16, 16))
    gx[:8, :8] = 2.0  # cell (0, 0): horizontal gradients, magnitude 2 -> bin 0
    gy[:8, 8:] = 1.0  # cell (0, 1): vertical gradients (90 degrees) -> bin 4 of 9
    gx[8:, :8] = gy[8:, :8] = 1.0  # cell (1, 0): 45 degrees, magnitude sqrt 2 -> bin 2
    gx[8:12, 8:] = -3.0  # cell (1, 1): half its pixels at 180 = 0 degrees -> bin 0
    where = "for 16x16 gradients in 8x8 cells, 9 orientations (a different pattern per cell)"
    hist = expect_array("hist", m.orientation_histogram(gx, gy, 9, 8), (2, 2, 9), where)
    expected = np.zeros((2, 2, 9))
    expected[0, 0, 0], expected[0, 1, 4], expected[1, 0, 2] = 2.0, 1.0, np.sqrt(2)
    expected[1, 1, 0] = 1.5  # mean over the cell: half the pixels have magnitude 3
    expect_close("hist", hist, expected, where + " (per cell, the MEAN magnitude per bin)")
