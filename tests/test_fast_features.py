"""The instructors' batched feature twins (cs231n_lite.fast.features) against the
per-image reference functions, bit for bit where it matters."""

import matplotlib.colors
import numpy as np
import pytest

from conftest import named

from cs231n_lite.fast import features as fast
from cs231n_lite.fast.features import color_histogram_hsv_batch, hog_features_batch
from cs231n_lite.features import color_histogram_hsv, hog_feature, rgb_to_gray
from feature_images import random_images, tricky_images


@pytest.mark.parametrize("kw", [dict(), dict(orientations=6, pixels_per_cell=4, chunk_size=7,
                                                n_jobs=2), dict(chunk_size=5, n_jobs=1)])
def test_hog_batch_equals_per_image(kw):
    X = random_images(20, seed=1)
    ref = np.array([hog_feature(im, kw.get("orientations", 9), kw.get("pixels_per_cell", 8))
                    for im in X])
    np.testing.assert_allclose(hog_features_batch(X, **kw), ref, rtol=0, atol=1e-10)


def test_fast_mod_pi_equals_np_mod_bit_for_bit():
    tiny = np.nextafter(0.0, 1.0)
    edge = np.array([-np.pi, np.pi, 0.0, -0.0, -tiny, tiny, -1e-17, np.pi / 2, -np.pi / 2,
                     np.nextafter(np.pi, 0), np.nextafter(-np.pi, 0)])
    rng = np.random.default_rng(0)
    g = rng.normal(size=(2, 10000)) * rng.choice([1e-300, 1e-9, 1, 1e9], size=(2, 10000))
    g[0, :100] = 0.0  # exact zeros: angles 0, pi and -pi
    for theta in (edge, np.arctan2(g[0], g[1]), np.arctan2(g[0], -np.abs(g[1]))):
        # (-0.0 stays -0.0 where np.mod gives +0.0: equal, and bin 0 either way)
        np.testing.assert_array_equal(fast._mod_pi(theta), np.mod(theta, np.pi))


def test_hog_batch_grayscale_and_float_input():
    X = random_images(6, seed=2).astype(np.float32)
    gray = rgb_to_gray(X)
    np.testing.assert_allclose(hog_features_batch(gray), [hog_feature(g) for g in gray], atol=1e-10)
    np.testing.assert_allclose(hog_features_batch(X), [hog_feature(x) for x in X], atol=1e-10)
    thin = gray[:, :6, :3]  # a grayscale batch whose width happens to be 3
    np.testing.assert_allclose(hog_features_batch(thin, pixels_per_cell=3),
                               [hog_feature(g, pixels_per_cell=3) for g in thin], atol=1e-10)


@pytest.mark.parametrize("nbin", [10, 255])
def test_hue_batch_equals_per_image_including_grey_pixels(nbin):
    X = tricky_images(12, seed=nbin)
    assert (np.ptp(X, axis=-1) == 0).any()
    for imgs, xmax in [(X, 255), (X.astype(np.float32), 255), (X / 255.0, 1.0)]:
        ref = np.array([color_histogram_hsv(im, nbin=nbin, xmax=xmax) for im in imgs])
        got = color_histogram_hsv_batch(imgs, nbin=nbin, xmax=xmax, chunk_size=5, n_jobs=2)
        np.testing.assert_allclose(got, ref, rtol=0, atol=1e-10)


def test_vectorised_hue_equals_matplotlib_bit_for_bit():
    X = tricky_images(4, seed=7)
    ref = matplotlib.colors.rgb_to_hsv(X / 255)[..., 0] * 255
    np.testing.assert_array_equal(fast._hue(X, 255), ref)




@pytest.mark.parametrize("call, match", [
    (lambda: hog_features_batch(np.zeros((32, 32, 3))), named("imgs")),
    (lambda: hog_features_batch(np.zeros((2, 32, 32, 3)), n_jobs=0), named("n_jobs")),
    (lambda: color_histogram_hsv_batch(np.zeros((2, 4, 4, 2))), named("imgs")),
])
def test_bad_input_raises_value_error_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()
