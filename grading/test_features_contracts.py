"""Hidden tests, features part: every contract the docstrings promise (points in rubric.toml).

They mirror the public checks of coursekit/student/checks/features.py with
other inputs and the grader's own references (never released): the hue
histogram with ``normalized`` both ways, non-default ``nbin``/``xmin``/
``xmax``, grey pixels, hues on bin edges, float64, the image left alone;
centred gradients (not halved, 0 on the border, x along the columns) on a
non-square image; the orientation histogram (mean per cell, unsigned,
boundaries, any ``orientations``/``pixels_per_cell``, cell order); the HOG
built on them; and ``extract_features`` computing every image with the
student's functions (a first image that hides a mistake does not hide it
for the others).

Style: see hidden_helpers (student code only through ``student(...)``, plain
data, ``changed_inputs`` for in-place checks).
"""

import math

import matplotlib.colors
import numpy as np
from hidden_helpers import changed_inputs, student


def _feat():
    return student("features")


# ------------------------------------------------------ the grader's references
def _hue_hist(im, nbin=10, xmin=0.0, xmax=255.0, normalized=True):
    """The grader's colour histogram (never released)."""
    hue = matplotlib.colors.rgb_to_hsv(np.asarray(im, dtype=float) / xmax)[..., 0] * xmax
    counts = np.histogram(hue, bins=np.linspace(xmin, xmax, nbin + 1))[0].astype(float)
    if normalized:
        return counts / counts.sum() if counts.sum() else counts
    return counts


def _gradients(gray):
    """The grader's centred differences, pixel by pixel (never released)."""
    gray = np.asarray(gray, dtype=float)
    H, W = gray.shape
    gx, gy = np.zeros((H, W)), np.zeros((H, W))
    for r in range(H):
        for c in range(W):
            if 0 < c < W - 1:
                gx[r, c] = gray[r, c + 1] - gray[r, c - 1]
            if 0 < r < H - 1:
                gy[r, c] = gray[r + 1, c] - gray[r - 1, c]
    return gx, gy


def _orientations(gx, gy, orientations, p):
    """The grader's per-cell histogram, pixel by pixel with the math module (never released)."""
    H, W = gx.shape
    hist = np.zeros((H // p, W // p, orientations))
    for r in range(H):
        for c in range(W):
            theta = math.atan2(gy[r, c], gx[r, c]) % math.pi
            o = min(int(theta / (math.pi / orientations)), orientations - 1)
            hist[r // p, c // p, o] += math.hypot(gx[r, c], gy[r, c]) / (p * p)
    return hist


def _hog(im, orientations=9, p=8):
    im = np.asarray(im, dtype=float)
    gray = 0.299 * im[..., 0] + 0.587 * im[..., 1] + 0.114 * im[..., 2] if im.ndim == 3 else im
    return _orientations(*_gradients(gray), orientations, p).ravel()


def _bands(colours, height=8, width=12):
    im = np.zeros((height, width, 3))
    step = width // len(colours)
    for i, rgb in enumerate(colours):
        im[:, i * step:(i + 1) * step] = rgb
    return im


# -------------------------------------------------------- colour histogram
def test_color_histogram_normalized_and_counts():
    im = np.random.default_rng(41).uniform(0, 255, (12, 10, 3))
    for normalized in (True, False):
        hist = _feat().color_histogram_hsv(im.copy(), nbin=10, normalized=normalized)
        want = _hue_hist(im, 10, normalized=normalized)
        assert np.shape(hist) == (10,), f"color_histogram_hsv: shape {np.shape(hist)}, expected (10,)"
        assert np.asarray(hist).dtype == np.float64, \
            f"color_histogram_hsv(normalized={normalized}) must return float64, got {np.asarray(hist).dtype}"
        assert np.allclose(hist, want), \
            f"color_histogram_hsv(normalized={normalized}) of a random 12x10 image: " \
            f"expected {want}, got {hist}"


def test_color_histogram_nbin_xmin_xmax():
    rng = np.random.default_rng(42)
    im = rng.integers(0, 256, (9, 7, 3)).astype(np.uint8)
    for kwargs in ({"nbin": 7}, {"nbin": 5, "xmin": 60}, {"nbin": 3, "xmin": 100, "normalized": False}):
        hist = _feat().color_histogram_hsv(im.copy(), **kwargs)
        want = _hue_hist(im, **kwargs)
        assert np.allclose(hist, want), f"color_histogram_hsv({kwargs}): expected {want}, got {hist}"
    scaled = im / 255.0  # the same image in [0, 1]: the same fractions with xmax=1.0
    for kwargs in ({"nbin": 8, "xmax": 1.0}, {"nbin": 4, "xmin": 0.25, "xmax": 1.0}):
        hist = _feat().color_histogram_hsv(scaled.copy(), **kwargs)
        want = _hue_hist(scaled, **kwargs)
        assert np.allclose(hist, want), \
            f"color_histogram_hsv({kwargs}) of an image in [0, 1]: expected {want}, got {hist}"


def test_color_histogram_hues_on_bin_edges():
    # cyan 127.5, yellow 42.5, magenta 212.5 on the [0, 255] scale: edges of 6 and of 12 bins
    im = _bands([(0, 255, 255), (255, 255, 0), (255, 0, 255)])
    hist = _feat().color_histogram_hsv(im.copy(), nbin=12, normalized=False)
    want = np.zeros(12)
    want[[2, 6, 10]] = 32  # bins of width 21.25: 42.5, 127.5, 212.5 start bins 2, 6, 10
    assert np.allclose(hist, want), \
        f"hues exactly on bin edges (42.5, 127.5, 212.5; width 21.25) start their bin: " \
        f"expected {want}, got {hist}"
    hist = _feat().color_histogram_hsv(im / 255.0, nbin=6, xmax=1.0)
    assert np.allclose(hist, [0, 1 / 3, 0, 1 / 3, 0, 1 / 3]), \
        f"hues 1/6, 1/2, 5/6 with 6 bins on [0, 1]: expected [0, 1/3, 0, 1/3, 0, 1/3], got {hist}"


def test_color_histogram_grey_pixels_and_nothing_counted():
    im = _bands([(0, 0, 0), (77, 77, 77), (255, 255, 255), (0, 255, 0)])  # 3/4 grey, 1/4 green
    hist = _feat().color_histogram_hsv(im.copy(), nbin=5)
    assert np.allclose(hist, [0.75, 0.25, 0, 0, 0]), \
        f"grey pixels have hue 0 (bin 0), green 85 (bin 1 of 5): expected [0.75, 0.25, 0, 0, 0], got {hist}"
    hist = _feat().color_histogram_hsv(im.copy(), nbin=5, xmin=100)
    assert np.shape(hist) == (5,) and np.all(np.isfinite(hist)) and not np.any(hist), \
        f"no hue in [100, 255]: expected 5 zeros (no division by 0), got {hist}"


def test_color_histogram_leaves_the_image_alone():
    im = np.random.default_rng(43).uniform(0, 255, (6, 6, 3))
    for kwargs in ({}, {"nbin": 4, "xmax": 300.0, "normalized": False}):
        _, changed = changed_inputs(_feat().color_histogram_hsv, im, **kwargs)
        assert changed == [], f"color_histogram_hsv({kwargs}) modified its image in place ({changed})"


# --------------------------------------------------------------- gradients
def test_image_gradients_non_square():
    gray = np.random.default_rng(44).standard_normal((5, 8))
    gx, gy = _feat().image_gradients(gray.copy())
    ex, ey = _gradients(gray)
    assert np.shape(gx) == (5, 8) and np.shape(gy) == (5, 8), \
        f"image_gradients of a 5x8 image: shapes {np.shape(gx)}, {np.shape(gy)}, expected (5, 8)"
    if np.allclose(gx, ey) and np.allclose(gy, ex):
        raise AssertionError("image_gradients: gx and gy are swapped (gx is along the columns)")
    assert np.allclose(gx, ex), \
        f"image_gradients of a 5x8 image: gx[r, c] = gray[r, c+1] - gray[r, c-1] (not halved), " \
        f"0 in the first/last column; expected {ex.round(3)}, got {np.round(gx, 3)}"
    assert np.allclose(gy, ey), \
        f"image_gradients of a 5x8 image: gy[r, c] = gray[r+1, c] - gray[r-1, c] (not halved), " \
        f"0 in the first/last row; expected {ey.round(3)}, got {np.round(gy, 3)}"
    assert np.asarray(gx).dtype == np.float64 and np.asarray(gy).dtype == np.float64, "gx, gy must be float64"


def test_image_gradients_integer_image_and_input_left_alone():
    gray = np.array([[0, 10, 200, 30], [5, 255, 0, 7], [9, 1, 128, 64]], dtype=np.uint8)
    gx, gy = _feat().image_gradients(gray.copy())
    ex, ey = _gradients(gray)  # float differences: 0 - 200 is -200, not 56
    assert np.allclose(gx, ex) and np.allclose(gy, ey), \
        f"image_gradients of a uint8 image: expected gx {ex}, gy {ey}; got {gx}, {gy}"
    grayf = np.random.default_rng(45).uniform(0, 255, (6, 4))
    _, changed = changed_inputs(_feat().image_gradients, grayf)
    assert changed == [], f"image_gradients modified gray in place ({changed})"


# --------------------------------------------------- orientation histogram
def test_orientation_histogram_random_non_square():
    rng = np.random.default_rng(46)
    for (H, W), O, p in (((6, 9), 5, 3), ((8, 4), 9, 2), ((12, 12), 12, 6)):
        gx, gy = rng.standard_normal((H, W)), rng.standard_normal((H, W))
        got = _feat().orientation_histogram(gx.copy(), gy.copy(), orientations=O, pixels_per_cell=p)
        want = _orientations(gx, gy, O, p)
        assert np.shape(got) == want.shape, \
            f"orientation_histogram of {H}x{W} gradients, p={p}, O={O}: " \
            f"shape {np.shape(got)}, expected {want.shape}"
        assert np.asarray(got).dtype == np.float64, "orientation_histogram must return float64"
        if np.allclose(got, want * p * p):
            raise AssertionError("orientation_histogram sums each cell: it must be the mean over p*p pixels")
        assert np.allclose(got, want), \
            f"orientation_histogram of random {H}x{W} gradients (O={O}, p={p}): the mean magnitude " \
            f"per cell and unsigned bin; expected {want.round(3)}, got {np.round(got, 3)}"


def test_orientation_histogram_unsigned_and_boundaries():
    # one 2x2 cell per gradient, 4 orientations: boundaries at 45, 90, 135 degrees
    grads = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (1, -1), (0, -1), (-1, -1), (1, 2), (-1, -2)]
    bins = [0, 1, 2, 3, 0, 3, 2, 1, 1, 1]  # degrees 0 45 90 135 180 -45 -90 -135 63.4 -116.6
    gx, gy = np.zeros((2, 2 * len(grads))), np.zeros((2, 2 * len(grads)))
    want = np.zeros((1, len(grads), 4))
    for j, ((x, y), o) in enumerate(zip(grads, bins)):
        gx[1, 2 * j + 1], gy[1, 2 * j + 1] = x, y  # one pixel per cell
        want[0, j, o] = math.hypot(x, y) / 4
    got = _feat().orientation_histogram(gx.copy(), gy.copy(), orientations=4, pixels_per_cell=2)
    assert np.shape(got) == want.shape, f"shape {np.shape(got)}, expected {want.shape}"
    got_bins = np.asarray(got)[0].argmax(axis=1).tolist()
    assert got_bins == bins, \
        f"orientation_histogram, 4 bins, gradients (gx, gy) = {grads}: unsigned (mod 180 degrees), " \
        f"a boundary starts its bin: expected bins {bins}, got {got_bins}"
    assert np.allclose(got, want), f"mean magnitude per 2x2 cell: expected {want}, got {got}"


def test_orientation_histogram_cell_order_and_inputs_left_alone():
    gx, gy = np.zeros((4, 6)), np.zeros((4, 6))
    gx[0, 0], gy[0, 3], gx[1, 5], gy[1, 5], gx[3, 2], gy[2, 4] = 1, 2, 3, 3, -4, -5
    got, changed = changed_inputs(_feat().orientation_histogram, gx, gy, 4, 2)
    assert changed == [], f"orientation_histogram modified {changed} in place"
    want = np.zeros((2, 3, 4))
    want[0, 0, 0], want[0, 1, 2], want[0, 2, 1] = 1 / 4, 2 / 4, math.hypot(3, 3) / 4
    want[1, 1, 0], want[1, 2, 2] = 4 / 4, 5 / 4
    assert np.allclose(got, want), \
        f"hist[i, j, o] for cell row i, cell column j (2x3 cells of 2x2 pixels): expected {want}, got {got}"


# ------------------------------------------------------------------ HOG
def test_hog_feature_on_their_functions():
    rng = np.random.default_rng(47)
    im = rng.integers(0, 256, (16, 24, 3)).astype(np.uint8)
    for O, p in ((9, 8), (6, 4)):
        got = _feat().hog_feature(im.copy(), orientations=O, pixels_per_cell=p)
        want = _hog(im, O, p)
        assert np.shape(got) == want.shape, \
            f"hog_feature(O={O}, p={p}) of a 16x24 image: shape {np.shape(got)}, expected {want.shape}"
        assert np.allclose(got, want), \
            f"hog_feature of a random 16x24 image (O={O}, p={p}): expected {want.round(3)}, " \
            f"got {np.round(got, 3)} (built on image_gradients and orientation_histogram)"


def test_extract_features_runs_their_functions_on_every_image():
    rng = np.random.default_rng(48)
    imgs = rng.integers(0, 256, (5, 16, 16, 3)).astype(np.uint8)
    imgs[0] = 128  # a flat first image: zero gradients and grey, right even for wrong code
    feat = _feat()
    got = feat.extract_features(imgs.copy(), [feat.hog_feature, feat.color_histogram_hsv])
    want = np.array([np.concatenate([_hog(im), _hue_hist(im)]) for im in imgs])
    assert np.shape(got) == want.shape, f"extract_features: shape {np.shape(got)}, expected {want.shape}"
    bad = [i for i in range(len(imgs)) if not np.allclose(got[i], want[i])]
    assert bad == [], \
        f"extract_features(imgs, [hog_feature, color_histogram_hsv]) of 5 images (the first one " \
        f"flat): wrong features for images {bad}; it runs your functions on every image"
