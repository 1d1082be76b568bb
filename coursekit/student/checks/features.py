"""Public checks of the features part: small images and gradients worked out by hand.

Every expected value below is a constant from the definitions in the
docstrings (hue of pure colours, centred differences of a ramp, the mean
magnitude per cell), never computed by code that does what the student
writes. Each case names the input, the expected and the received value, and
what to fix; where a wrong result matches a typical mistake (counts instead
of fractions, a sum instead of a mean, halved or swapped gradients, signed
orientations), the message says so.
"""

from __future__ import annotations

import numpy as np

from .base import Wrong, check, expect_array, fmt

MOD = "cs231n_lite.features"


# ----------------------------------------------------------------- helpers
def _bands(*colours, height=32, width=32):
    """A float64 image split into equal vertical bands of the given RGB colours."""
    im = np.zeros((height, width, 3))
    step = width // len(colours)
    for i, rgb in enumerate(colours):
        im[:, i * step:(i + 1) * step] = rgb
    return im


def _same(got, expected, rtol=1e-6, atol=1e-8) -> bool:
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return got.shape == expected.shape and np.allclose(got, expected, rtol=rtol, atol=atol)


def _wrong(call, where, expected, got, fix):
    return Wrong(f"{call} {where}: expected {fmt(expected)}, got {fmt(got)}; {fix}")


def _expect_float64(name, arr, call, where):
    if arr.dtype != np.float64:
        raise Wrong(f"{call} {where}: {name} should be float64, got dtype {arr.dtype}; "
                    f"return {name}.astype(np.float64)")


def _expect_unchanged(call, named_inputs, before):
    for name, arr in named_inputs.items():
        if not np.array_equal(arr, before[name]):
            raise Wrong(f"{call} modified its input {name} in place (e.g. `{name} /= ...` or "
                        f"`{name}[...] = ...`); compute into a new array instead")


# -------------------------------------------------------- colour histogram
RED, YELLOW, GREEN, BLUE, MAGENTA = ((255, 0, 0), (255, 255, 0), (0, 255, 0), (0, 0, 255),
                                     (255, 0, 255))
# Hues (fraction of the circle): red 0, yellow 1/6, green 1/3, cyan 1/2, blue 2/3,
# magenta 5/6; grey (R = G = B, black and white too) 0. On the [0, 255] scale:
# 0, 42.5, 85, 127.5, 170, 212.5.


def _hist_diagnosis(got, expected, npix, kwargs):
    """A sentence naming the likely mistake behind a wrong histogram, or ''."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    normalized = kwargs.get("normalized", True)
    counted = expected.sum() if not normalized else None
    if normalized and np.isclose(got.sum(), npix) and not np.isclose(npix, 1):
        return ("it sums to the number of pixels: with normalized=True return fractions "
                "(divide the counts by the number of pixels counted)")
    if normalized and got.sum() > 0 and _same(got / got.sum(), expected) and not np.isclose(got.sum(), 1):
        return (f"right proportions but it sums to {got.sum():.6g}, not 1: divide the counts by the "
                f"number of pixels counted (those with hue in [xmin, xmax]), no other number")
    if not normalized and counted and np.isclose(got.sum(), 1) and _same(got * counted, expected):
        return "with normalized=False return the pixel counts, not fractions"
    if got.sum() > 0 and got[0] == got.sum() and expected[0] != expected.sum():
        return ("every pixel landed in bin 0: rgb_to_hsv gives the hue as a fraction in [0, 1); "
                "scale it back to [0, xmax] (multiply by xmax) before binning")
    if not got.any() and expected.any():
        return ("no pixel was counted: are the hues on the scale of the bins, [0, xmax] "
                "(multiply the fraction by xmax, not by a fixed 255)?")
    return ""


def _hist_case(m, label, im, kwargs, expected, fix):
    call = "color_histogram_hsv(im" + "".join(f", {k}={v!r}" for k, v in kwargs.items()) + ")"
    where = f"for {label}"
    expected = np.asarray(expected, dtype=float)
    before = im.copy()
    got = m.color_histogram_hsv(im, **kwargs)
    _expect_unchanged(call, {"im": im}, {"im": before})
    if got is None:
        raise Wrong(f"{call} returned None {where}; return hist")
    arr = np.asarray(got)
    if arr.dtype.kind == "f" and arr.shape == expected.shape and np.isnan(arr).any():
        if not expected.any():
            why = "no pixel is counted here: return zeros, do not divide by 0"
        elif np.isnan(arr).all():
            why = ("every bin is NaN (0 / 0: no pixel was counted): are the hues on the scale "
                   "of the bins, [0, xmax] (multiply the fraction by xmax, not a fixed 255)?")
        else:
            why = "grey pixels (max = min) must get hue 0, not a division by 0"
        raise Wrong(f"{call} {where}: got NaN in {fmt(arr)}; {why}")
    arr = expect_array("hist", got, expected.shape, f"from {call} {where}")
    if not _same(arr, expected):
        hint = _hist_diagnosis(arr, expected, im.shape[0] * im.shape[1], kwargs)
        raise _wrong(call, where, expected, arr, hint or fix)
    _expect_float64("hist", arr, call, where)


@check("features", MOD, "color_histogram_hsv")
def color_histogram_hsv(m):
    e = np.eye(10)
    _hist_case(m, "a 32x32 pure blue image (values 0..255)", _bands(BLUE), {}, e[6],
               "blue has hue 2/3 of the circle: 170 on the [0, 255] scale, in bin 6 of 10 "
               "(bins of width 25.5)")
    _hist_case(m, "a 32x32 pure blue image", _bands(BLUE), {"normalized": False}, 1024 * e[6],
               "with normalized=False return the number of pixels per bin (1024 in bin 6)")
    _hist_case(m, "an image half red (hue 0), half green (hue 85)", _bands(RED, GREEN), {},
               (e[0] + e[3]) / 2, "half the pixels in bin 0, half in bin 3")
    grey = _bands((0, 0, 0), (128, 128, 128), (255, 255, 255), BLUE)
    _hist_case(m, "an image of black, grey, white and blue quarters", grey, {},
               0.75 * e[0] + 0.25 * e[6],
               "grey pixels (R = G = B, black and white included) have hue 0: bin 0")
    edges6 = _bands(YELLOW, GREEN, BLUE, MAGENTA)
    _hist_case(m, "yellow, green, blue and magenta quarters, hues 42.5, 85, 170 and 212.5, "
               "each exactly on an edge of the 6 bins", edges6, {"nbin": 6},
               [0, 0.25, 0.25, 0, 0.25, 0.25],
               "a hue exactly on an edge belongs to the bin that starts there "
               "(bins [lo, hi), the last one closed: np.histogram's rule)")
    _hist_case(m, "the same quarters scaled to [0, 1]", edges6 / 255.0, {"nbin": 6, "xmax": 1.0},
               [0, 0.25, 0.25, 0, 0.25, 0.25],
               "with xmax=1.0 the image is in [0, 1] and the hues and bins are on [0, 1]: "
               "use xmax, never a fixed 255")
    four = _bands(RED, GREEN, BLUE, MAGENTA)
    _hist_case(m, "red, green, blue and magenta quarters (hues 0, 85, 170, 212.5), "
               "bins from 85 to 255", four, {"nbin": 4, "xmin": 85},
               [1 / 3, 0, 1 / 3, 1 / 3],
               "bins are np.linspace(xmin, xmax, nbin + 1) = 85, 127.5, 170, 212.5, 255; the red "
               "pixels (hue 0 < xmin) are not counted, so each counted colour is 1/3")
    _hist_case(m, "the same red, green, blue and magenta quarters, bins from 85 to 255", four,
               {"nbin": 4, "xmin": 85, "normalized": False}, [256, 0, 256, 256],
               "256 pixels per colour; the red ones are outside [xmin, xmax], not counted")
    _hist_case(m, "a pure red image (hue 0) with bins from 85 to 255: no pixel counted",
               _bands(RED), {"nbin": 4, "xmin": 85}, np.zeros(4),
               "no pixel is counted: return zeros")


# ---------------------------------------------------------------- gradients
def _gradients(m, gray, where):
    call = "image_gradients(gray)"
    before = gray.copy()
    out = m.image_gradients(gray)
    _expect_unchanged(call, {"gray": gray}, {"gray": before})
    try:
        gx, gy = out
    except (TypeError, ValueError):
        raise Wrong(f"{call} {where} should return the pair (gx, gy), got "
                    f"{type(out).__name__}") from None
    gx = expect_array("gx", gx, gray.shape, f"from {call} {where}")
    gy = expect_array("gy", gy, gray.shape, f"from {call} {where}")
    _expect_float64("gx", gx, call, where)
    _expect_float64("gy", gy, call, where)
    return call, gx, gy


def _compare_gradients(call: str, where: str, got: tuple, expected: tuple, fix: str) -> None:
    """Wrong for the first of gx, gy that differs, diagnosed, else ``fix``."""
    (gx, gy), (ex, ey) = got, expected
    for name, mine, want, other in (("gx", gx, ex, ey), ("gy", gy, ey, ex)):
        if not _same(mine, want):
            raise _wrong(f"{call}: {name}", where, want, mine,
                         _gradient_diagnosis(name, mine, want, other) or fix)


def _gradient_diagnosis(name, got, expected, other):
    """A sentence naming the likely mistake behind a wrong gx or gy, or ''."""
    # the pixels that have both neighbours along the gradient's axis, and the border
    inner = (slice(None), slice(1, -1)) if name == "gx" else (slice(1, -1), slice(None))
    border = np.ones(got.shape, bool)
    border[inner] = False
    which = "column" if name == "gx" else "row"
    if _same(got, other) or _same(got[inner], other[inner]):
        return ("gx and gy look swapped: gx is the difference along the columns (x, axis 1), "
                "gy along the rows (y, axis 0)")
    if _same(2 * got[inner], expected[inner]):
        extra = (f"; and the first and last {which} must be 0 (np.gradient fills them with "
                 f"one-sided differences)" if got[border].any() else "")
        return (f"{name} is halved: the kit's gradient is the plain difference of the two "
                f"neighbours, not divided by 2 (np.gradient halves it){extra}")
    if _same(-got, expected):
        return f"{name} has the wrong sign: the next pixel minus the previous one"
    if _same(got[inner], expected[inner]):
        return f"{name} is right inside but not on the border: the first and last {which} must be 0"
    return ""


@check("features", MOD, "image_gradients")
def image_gradients(m):
    rows, cols = np.mgrid[0:6, 0:5].astype(float)
    gray = 2.0 * cols + 3.0 * rows  # slope 2 along x (columns), 3 along y (rows)
    where = "for the 6x5 ramp gray[r, c] = 2c + 3r"
    call, gx, gy = _gradients(m, gray, where)
    ex, ey = np.zeros((6, 5)), np.zeros((6, 5))
    ex[:, 1:-1], ey[1:-1, :] = 4.0, 6.0  # 2 * slope inside, 0 on the border
    _compare_gradients(call, where, (gx, gy), (ex, ey),
                       "gx[r, c] = gray[r, c+1] - gray[r, c-1], gy[r, c] = gray[r+1, c] - gray[r-1, c], "
                       "0 on the border")

    gray = np.zeros((4, 6))
    gray[1, 2] = 1.0  # one bright pixel
    where = "for a 4x6 image with one bright pixel gray[1, 2] = 1"
    call, gx, gy = _gradients(m, gray, where)
    ex, ey = np.zeros((4, 6)), np.zeros((4, 6))
    ex[1, 1], ex[1, 3] = 1.0, -1.0  # left neighbour sees +1, right neighbour -1
    ey[2, 2] = -1.0  # the pixel below; the one above is on the border (row 0): 0
    _compare_gradients(call, where, (gx, gy), (ex, ey),
                       "the centred difference at (r, c) is the next pixel minus the previous one; "
                       "the border rows and columns stay 0")


# ------------------------------------------------------ orientation histogram
def _histogram(m, gx, gy, orientations, p, where):
    call = f"orientation_histogram(gx, gy, orientations={orientations}, pixels_per_cell={p})"
    before = {"gx": gx.copy(), "gy": gy.copy()}
    got = m.orientation_histogram(gx, gy, orientations, p)
    _expect_unchanged(call, {"gx": gx, "gy": gy}, before)
    shape = (gx.shape[0] // p, gx.shape[1] // p, orientations)
    arr = expect_array("hist", got, shape, f"from {call} {where} (cell_row, cell_col, orientation)")
    _expect_float64("hist", arr, call, where)
    return call, arr


CELL_RULE = ("hist[i, j, o] is about cell (i, j) = rows i*p.., columns j*p.. of the gradients: "
             "the mean over its p*p pixels of the magnitudes of the pixels in bin o (the pixels "
             "of other bins count as 0)")


def _orientation_diagnosis(got, expected, p, moved, bin_means=None):
    """A sentence naming the likely mistake behind a wrong histogram, or ''."""
    if _same(got, expected * p * p):
        return f"it looks like the SUM over each cell: the mean divides by the p*p = {p * p} pixels"
    if bin_means is not None and _same(got, bin_means):
        return ("it looks like the mean over the pixels OF EACH BIN: average over all p*p pixels "
                "of the cell instead, the pixels of other bins counting as 0")
    for cell, right, wrong_bin, why in moved:
        if got[cell + (right,)] == 0 and (got[cell + (wrong_bin,)] > 0 or not got[cell].any()):
            return why
    return ""


@check("features", MOD, "orientation_histogram")
def orientation_histogram(m):
    gx, gy = np.zeros((16, 16)), np.zeros((16, 16))
    gx[:8, :8] = 2.0  # cell (0, 0): horizontal gradients (0 degrees), magnitude 2 -> bin 0
    gy[:8, 8:] = 1.0  # cell (0, 1): vertical gradients (90 degrees) -> bin 4 of 9
    gx[8:, :8] = gy[8:, :8] = 1.0  # cell (1, 0): 45 degrees, magnitude sqrt 2 -> bin 2
    gx[8:12, 8:] = -3.0  # cell (1, 1): half its pixels at 180 degrees = 0 unsigned -> bin 0
    where = "for 16x16 gradients, a different pattern in each 8x8 cell"
    call, hist = _histogram(m, gx, gy, 9, 8, where)
    expected = np.zeros((2, 2, 9))
    expected[0, 0, 0], expected[0, 1, 4], expected[1, 0, 2] = 2.0, 1.0, np.sqrt(2)
    expected[1, 1, 0] = 1.5  # the mean over the cell: half its pixels have magnitude 3
    moved = (((0, 0), 0, 4, "cell (0, 0) has gx = 2, gy = 0 (0 degrees) but its mass is in bin 4 "
              "(90 degrees): gx and gy look swapped; the orientation is arctan2(gy, gx)"),
             ((1, 1), 0, 8, "cell (1, 1) has gx = -3, gy = 0 (180 degrees): orientations are "
              "unsigned, taken mod pi (not 2 pi), so 180 degrees is 0, bin 0"))
    if not _same(hist, expected):
        raise _wrong(call, where, expected, hist,
                     _orientation_diagnosis(hist, expected, 8, moved) or CELL_RULE)

    # non-square, 4 orientations (boundaries at 45, 90, 135 degrees), 4x4 cells
    gx, gy = np.zeros((8, 12)), np.zeros((8, 12))
    gx[:4, :4] = gy[:4, :4] = 1.0  # cell (0, 0): exactly 45 degrees -> bin 1
    gy[:4, 4:8] = 2.0  # cell (0, 1): exactly 90 degrees -> bin 2
    gx[:2, 8:] = -1.0  # cell (0, 2): top half at 180 degrees -> bin 0, mean 8/16
    gx[4:6, :2], gy[4:6, :2] = 1.0, 3.0  # cell (1, 0): 71.6 degrees, magnitude sqrt 10 -> bin 1
    gx[4:6, 4:6], gy[4:6, 4:6] = 3.0, 4.0  # cell (1, 1): 53.1 degrees, magnitude 5 -> bin 1
    gx[4:6, 8:10], gy[4:6, 8:10] = 1.0, -1.0  # cell (1, 2): -45 = 135 degrees -> bin 3
    where = ("for 8x12 gradients (2x3 cells of 4x4 pixels), 4 orientations, a different pattern "
             "per cell: 45 and 90 degrees exactly on a bin boundary, 71.6, 53.1, -45 and 180 "
             "degrees")
    call, hist = _histogram(m, gx, gy, 4, 4, where)
    expected = np.zeros((2, 3, 4))
    expected[0, 0, 1], expected[0, 1, 2], expected[0, 2, 0] = np.sqrt(2), 2.0, 0.5
    expected[1, 0, 1] = np.sqrt(10) * 4 / 16  # 4 of the cell's 16 pixels
    expected[1, 1, 1], expected[1, 2, 3] = 5 * 4 / 16, np.sqrt(2) * 4 / 16
    moved = (((0, 0), 1, 0, "45 degrees with 4 orientations is exactly the boundary between "
              "bins 0 and 1: it belongs to bin 1 (floor(theta / (pi / O)))"),
             ((0, 2), 0, 3, "180 degrees (gx = -1, gy = 0) is 0 unsigned: bin 0, not the last bin"),
             ((1, 2), 3, 0, "gx = 1, gy = -1 is -45 degrees: unsigned, that is 135 degrees "
              "(arctan2(gy, gx) mod pi), bin 3"),
             ((1, 0), 1, 2, "71.6 degrees is in bin 1 (45 to 90 degrees) of 4: the bin is "
              "floor(theta / (pi / O)), not rounded"))
    # averaged over the pixels of each bin only: the 12 flat pixels of cells (1, *) are in bin 0
    bin_means = expected.copy()
    bin_means[1] *= 4
    if not _same(hist, expected):
        raise _wrong(call, where, expected, hist,
                     _orientation_diagnosis(hist, expected, 4, moved, bin_means) or CELL_RULE)


# ---------------------------------------------------------------- hog_feature
@check("features", MOD, "hog_feature", depends=("image_gradients", "orientation_histogram"))
def hog_feature(m):
    im = np.zeros((16, 24, 3), dtype=np.uint8)
    im[:, 8:16] = 255  # a white band: a dark-to-light edge, then a light-to-dark one
    where = ("for a 16x24 RGB image, black except columns 8-15 white (gray 0 | 255 | 0), "
             "orientations=4, pixels_per_cell=8")
    call = "hog_feature(im, orientations=4, pixels_per_cell=8)"
    feat = expect_array("feat", m.hog_feature(im, orientations=4, pixels_per_cell=8), (24,),
                        f"from {call} {where}")
    # gx = +255 in columns 7 and 8, -255 (180 degrees) in columns 15 and 16, every row: all
    # in bin 0. Per cell of 8x8 pixels: one such column (8 pixels) in cell columns 0 and 2,
    # two (columns 8 and 15) in cell column 1: means 8 * 255 / 64 and 16 * 255 / 64
    expected = np.zeros((2, 3, 4))
    expected[:, :, 0] = np.array([8, 16, 8]) * 255 / 64
    if not _same(feat, expected.ravel(), rtol=1e-6, atol=1e-6):
        raise _wrong(call, where, expected.ravel(), feat,
                     "features ordered (cell_row, cell_col, orientation); fix image_gradients "
                     "and orientation_histogram first if their checks fail")
