"""Tests for cs231n_lite.features: known answers, naive references, extract_features."""

import math

import numpy as np
import pytest

from conftest import named

from cs231n_lite import features as F
from cs231n_lite.features import (
    bow_feature, bow_histogram, build_codebook, color_histogram_hsv, dense_patches,
    extract_features, hog_feature, nearest_word, normalize_patches, sample_patches,
)
from feature_images import random_images


def edge_image(size=32):
    """Vertical edge: left half 0, right half 255."""
    im = np.zeros((size, size, 3))
    im[:, size // 2:] = 255.0
    return im


# ------------------------------------------------------------------- HOG
def naive_hog(im, orientations, p):
    """HOG from the definition, pixel by pixel with the math module."""
    im = np.asarray(im, dtype=float)
    gray = im if im.ndim == 2 else 0.299 * im[..., 0] + 0.587 * im[..., 1] + 0.114 * im[..., 2]
    H, W = gray.shape
    hist = np.zeros((H // p, W // p, orientations))
    for r in range(H):
        for c in range(W):
            gx = gray[r, c + 1] - gray[r, c - 1] if 0 < c < W - 1 else 0.0
            gy = gray[r + 1, c] - gray[r - 1, c] if 0 < r < H - 1 else 0.0
            theta = math.atan2(gy, gx) % math.pi
            o = min(int(theta / (math.pi / orientations)), orientations - 1)
            hist[r // p, c // p, o] += math.hypot(gx, gy) / (p * p)
    return hist.ravel()


def test_hog_shape_144_for_cifar_sized_images():
    assert hog_feature(random_images(1)[0]).shape == (144,)
    assert hog_feature(np.zeros((16, 24)), orientations=6, pixels_per_cell=4).shape == (4 * 6 * 6,)


def test_vertical_edge_is_bin_zero_with_known_values():
    h = hog_feature(edge_image(), orientations=9, pixels_per_cell=8).reshape(4, 4, 9)
    expected = np.zeros((4, 4, 9))
    # columns 15 and 16 have gx = 255 in every row: 8 pixels of 64 per cell
    expected[:, 1, 0] = expected[:, 2, 0] = 8 * 255 / 64
    np.testing.assert_allclose(h, expected, atol=1e-12)


@pytest.mark.parametrize("orientations, bin90", [(4, 2), (6, 3), (9, 4), (18, 9)])
def test_rot90_moves_energy_to_the_bin_holding_90_degrees(orientations, bin90):
    im = edge_image()
    for img, b in [(im, 0), (np.rot90(im), bin90)]:
        h = hog_feature(img, orientations=orientations).reshape(-1, orientations)
        assert h.sum() == pytest.approx(2 * 4 * 8 * 255 / 64)
        assert h[:, b].sum() == pytest.approx(h.sum())


@pytest.mark.parametrize("sign, bin_", [(1, 2), (-1, 6)])
def test_diagonal_ramp_lands_in_45_or_135_degree_bin(sign, bin_):
    r, c = np.mgrid[:32, :32]
    im = (100 + c + sign * r).astype(float)  # gx = 2, gy = 2 * sign
    h = hog_feature(im).reshape(4, 4, 9)[1:3, 1:3]  # interior cells: no border pixels
    expected = np.zeros((2, 2, 9))
    expected[..., bin_] = math.sqrt(8)
    np.testing.assert_allclose(h, expected, atol=1e-12)


def test_constant_image_gives_zeros():
    np.testing.assert_array_equal(hog_feature(np.full((32, 32, 3), 77, np.uint8)), 0)


def test_grayscale_equals_rgb_with_equal_channels():
    gray = random_images(1, seed=3)[0, ..., 0]
    rgb = np.repeat(gray[..., None], 3, axis=2)
    np.testing.assert_allclose(hog_feature(gray), hog_feature(rgb), atol=1e-10)


@pytest.mark.parametrize("orientations, p", [(9, 8), (6, 4)])
def test_hog_matches_naive_loop(orientations, p):
    for im in random_images(4, seed=orientations)[[0, 1, 2, 3]]:
        np.testing.assert_allclose(hog_feature(im, orientations, p),
                                   naive_hog(im, orientations, p), rtol=0, atol=1e-10)


def test_hog_matches_skimage_up_to_cell_normalisation():
    skf = pytest.importorskip("skimage.feature")
    gray = F.rgb_to_gray(random_images(2, seed=5)[1])
    ours = hog_feature(gray).reshape(16, 9)
    ref = skf.hog(gray, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1),
                  block_norm="L1").reshape(16, 9)
    # skimage's 'L1' block norm with 1x1 blocks: cell / (sum(cell) + 1e-5)
    # (skimage accumulates in lower precision: agreement to ~1e-7, not 1e-10)
    np.testing.assert_allclose(ours / (ours.sum(1, keepdims=True) + 1e-5), ref, rtol=1e-5, atol=1e-7)


# ------------------------------------------------------ colour histogram
COLOURS = {  # RGB -> hue in degrees
    "red": ((255, 0, 0), 0), "yellow": ((255, 255, 0), 60), "green": ((0, 255, 0), 120),
    "blue": ((0, 0, 255), 240), "magenta": ((255, 0, 255), 300), "grey": ((90, 90, 90), 0),
}


@pytest.mark.parametrize("name", COLOURS)
@pytest.mark.parametrize("nbin", [10, 7])
def test_pure_colours_fall_in_expected_bin(name, nbin):
    rgb, degrees = COLOURS[name]
    im = np.broadcast_to(np.array(rgb, np.uint8), (8, 8, 3))
    hist = color_histogram_hsv(im, nbin=nbin)
    expected = np.zeros(nbin)
    expected[int(degrees / 360 * nbin)] = 1.0
    np.testing.assert_array_equal(hist, expected)
    assert color_histogram_hsv(im, nbin=nbin, normalized=False).sum() == 64


def test_half_red_half_blue():
    im = np.zeros((4, 4, 3), np.uint8)
    im[:2, :, 0] = 255
    im[2:, :, 2] = 255
    np.testing.assert_array_equal(color_histogram_hsv(im), [0.5, 0, 0, 0, 0, 0, 0.5, 0, 0, 0])


# ---------------------------------------------------- bag of visual words
def tiled_images(words, n, tiles, seed):
    """Images tiled with known p x p x 3 patches (+ tiny noise); returns images and word ids."""
    rng = np.random.default_rng(seed)
    k, p = len(words), words.shape[1]
    ids = rng.integers(0, k, (n, tiles, tiles))
    imgs = words[ids].transpose(0, 1, 3, 2, 4, 5).reshape(n, tiles * p, tiles * p, 3)
    return imgs + rng.normal(0, 0.5, imgs.shape), ids.reshape(n, -1)


def test_bow_recovers_known_codebook_and_counts_words():
    rng = np.random.default_rng(0)
    words = rng.uniform(0, 255, (5, 4, 4, 3))
    imgs, ids = tiled_images(words, n=40, tiles=4, seed=1)
    patches = sample_patches(imgs, patch_size=4, num_patches=600, stride=4, seed=2)
    cb = build_codebook(patches, num_words=5, seed=3)
    true = normalize_patches(words.reshape(5, -1))
    d = np.sqrt(((true[:, None] - cb[None]) ** 2).sum(-1))  # (true, learned)
    match = d.argmin(axis=1)
    assert sorted(match) == list(range(5))  # a bijection
    assert d[np.arange(5), match].max() < 0.05 * np.median(d)
    counts = bow_histogram(imgs, cb, patch_size=4, stride=4, normalized=False)
    expected = np.stack([np.bincount(match[row], minlength=5) for row in ids])
    np.testing.assert_array_equal(counts, expected)
    np.testing.assert_allclose(bow_histogram(imgs, cb, 4, 4), expected / 16)


def test_bow_is_seeded_and_deterministic():
    X = random_images(10, seed=4)
    a = build_codebook(sample_patches(X, 8, 300, seed=1), num_words=8, seed=2)
    b = build_codebook(sample_patches(X, 8, 300, seed=1), num_words=8, seed=2)
    np.testing.assert_array_equal(a, b)
    h = bow_histogram(X, a, 8, 4, chunk_size=3, n_jobs=2)
    np.testing.assert_array_equal(h, bow_histogram(X, a, 8, 4, n_jobs=1))
    np.testing.assert_allclose(h.sum(axis=1), 1.0)
    np.testing.assert_allclose(bow_feature(X[3], a), h[3])


def test_dense_patches_and_nearest_word_match_loops():
    X = random_images(2, seed=6, h=12, w=10)
    pt = dense_patches(X, patch_size=4, stride=3)
    loops = [[X[i, r:r + 4, c:c + 4].ravel() for r in range(0, 9, 3) for c in range(0, 7, 3)]
             for i in range(2)]
    np.testing.assert_array_equal(pt, loops)
    cb = np.random.default_rng(0).normal(size=(7, pt.shape[-1]))
    x = pt.reshape(-1, pt.shape[-1]).astype(float)
    brute = ((x[:, None] - cb[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(nearest_word(x, cb), brute)


# ----------------------------------------------------- extract_features
def test_extract_features_cs231n_call_shape():
    X = random_images(7, seed=8)
    fns = [hog_feature, lambda img: color_histogram_hsv(img, nbin=10)]
    got = extract_features(X, fns, verbose=True, block_size=3)
    ref = np.array([np.concatenate([hog_feature(x), color_histogram_hsv(x)]) for x in X])
    assert got.shape == (7, 154)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10)


# -------------------------------------------------------------- errors
@pytest.mark.parametrize("call, match", [
    (lambda: hog_feature(np.zeros(32)), named("im")),
    (lambda: hog_feature(np.zeros((32, 32, 4))), named("im")),
    (lambda: hog_feature(np.full((32, 32), np.nan)), named("im")),
    (lambda: hog_feature(np.zeros((32, 32)), pixels_per_cell=(8, 4)), named("pixels_per_cell")),
    (lambda: hog_feature(np.zeros((30, 32))), "^im size 30x32 must be divisible by pixels_per_cell=8"),
    (lambda: hog_feature(np.zeros((32, 32)), orientations=0), named("orientations")),
    (lambda: F.image_gradients(np.zeros((4, 4, 3))), named("gray")),
    (lambda: F.orientation_histogram(np.zeros((8, 8)), np.zeros((8, 4))), named("gy")),
    (lambda: color_histogram_hsv(np.zeros((32, 32))), named("im")),
    (lambda: color_histogram_hsv(np.full((4, 4, 3), 300.0)), named("im")),
    (lambda: color_histogram_hsv(np.zeros((4, 4, 3)), xmin=255), named("xmin")),
    (lambda: color_histogram_hsv(np.zeros((4, 4, 3)), nbin=0), named("nbin")),
    (lambda: sample_patches(np.zeros((2, 8, 8, 3)), patch_size=9), named("patch_size")),
    (lambda: build_codebook(np.zeros((3, 12)), num_words=4), named("num_words")),
    (lambda: bow_histogram(np.zeros((2, 8, 8, 3)), np.zeros((4, 10)), patch_size=4), named("codebook")),
    (lambda: extract_features(np.zeros((2, 8, 8, 3)), hog_feature), named("feature_fns")),
    (lambda: extract_features(np.zeros((8, 8, 3)), [hog_feature]), named("imgs")),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_extract_features_calls_every_function_on_every_image():
    """Nothing else computes the features: a function that is wrong on most images
    gives wrong features for those images (no substitute for the student's code)."""
    X = random_images(5, seed=12)
    seen = []

    def first_right(im):  # right on image 0 only
        seen.append(im.sum())
        return hog_feature(im) if len(seen) == 1 else np.zeros(144)

    got = extract_features(X, [first_right], block_size=2)
    assert seen == [im.sum() for im in X]
    np.testing.assert_allclose(got[0], hog_feature(X[0]))
    np.testing.assert_array_equal(got[1:], 0.0)


def test_extract_features_names_a_function_whose_length_changes():
    X = random_images(3, seed=13)
    sizes = iter([4, 4, 5])

    def ragged(im):
        return np.zeros(next(sizes))

    with pytest.raises(ValueError, match="ragged returned 5 numbers for image 2 but 4"):
        extract_features(X, [ragged])
    with pytest.raises(ValueError, match="returned None"):
        extract_features(X, [lambda im: None])

