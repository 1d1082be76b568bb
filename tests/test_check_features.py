"""Typical student mistakes in the features part, planted in a copy of the reference:
`cs231n-lite check` fails the right function with a message that names the
mistake, and the hidden tests (grading/test_features_contracts.py) fail too.

Each plant replaces one solution region (tests/grading_corpus.replace_region)
in a copy of ``cs231n_lite`` that is imported in place of the real one for the
duration of the test.
"""

import contextlib
import importlib
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

import grading_corpus as corpus
from conftest import hidden_contracts
from coursekit.student.checks import checks_for, run_check

ROOT = Path(__file__).resolve().parents[1]
COLOR, HOG = "features/color.py", "features/hog.py"

HUE = "hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0] * xmax\n"
COUNTS = HUE + "hist = np.histogram(hue, bins=edges)[0].astype(np.float64)\n"
GRAD_OK = "gy[1:-1, :] = gray[2:, :] - gray[:-2, :]\n"
THETA = "theta = np.mod(np.arctan2(gy, gx), np.pi)\n"
BINS = "bins = np.minimum((theta / (np.pi / orientations)).astype(int), orientations - 1)\n"
MAG = "mag = np.sqrt(gx ** 2 + gy ** 2)\n"


def cell_means(reduce="mean(axis=(1, 3))"):
    return ("for o in range(orientations):\n"
            "    m = np.where(bins == o, mag, 0.0)\n"
            f"    hist[:, :, o] = m.reshape(n_rows, p, n_cols, p).{reduce}\n")


# name -> (file, function, planted region, function whose check fails, words of its message,
#          hidden tests that must fail)
PLANTS = {
    "histogram not normalized": (
        COLOR, "color_histogram_hsv", COUNTS, "color_histogram_hsv",
        "it sums to the number of pixels: with normalized=True return fractions",
        {"test_color_histogram_normalized_and_counts",
         "test_color_histogram_grey_pixels_and_nothing_counted"}),
    "normalized by all the pixels": (
        COLOR, "color_histogram_hsv", COUNTS + "if normalized:\n    hist = hist / hue.size\n",
        "color_histogram_hsv",
        "right proportions but it sums to 0.75, not 1: divide the counts by the number of pixels counted",
        {"test_color_histogram_nbin_xmin_xmax"}),
    "hue not scaled back to [0, xmax]": (
        COLOR, "color_histogram_hsv",
        "hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0]\n"
        "hist = np.histogram(hue, bins=edges)[0].astype(np.float64)\n"
        "if normalized and hist.sum() > 0:\n    hist = hist / hist.sum()\n",
        "color_histogram_hsv", "every pixel landed in bin 0: rgb_to_hsv gives the hue as a fraction",
        {"test_color_histogram_normalized_and_counts", "test_color_histogram_nbin_xmin_xmax",
         "test_color_histogram_hues_on_bin_edges",
         "test_extract_features_runs_their_functions_on_every_image"}),
    "hue scaled by 255 whatever xmax": (
        COLOR, "color_histogram_hsv",
        "hue = matplotlib.colors.rgb_to_hsv(im / xmax)[..., 0] * 255\n"
        "hist = np.histogram(hue, bins=edges)[0].astype(np.float64)\n"
        "if normalized and hist.sum() > 0:\n    hist = hist / hist.sum()\n",
        "color_histogram_hsv", "multiply the fraction by xmax, not by a fixed 255",
        {"test_color_histogram_nbin_xmin_xmax", "test_color_histogram_hues_on_bin_edges"}),
    "integer counts": (
        COLOR, "color_histogram_hsv",
        HUE + "hist = np.histogram(hue, bins=edges)[0]\n"
        "if normalized and hist.sum() > 0:\n    hist = hist / hist.sum()\n",
        "color_histogram_hsv", "hist should be float64, got dtype int64",
        {"test_color_histogram_normalized_and_counts"}),
    "bins closed on the right": (
        COLOR, "color_histogram_hsv",
        HUE + "idx = np.clip(np.ceil((hue - xmin) / ((xmax - xmin) / nbin)).astype(int) - 1, 0, nbin - 1)\n"
        "ok = (hue >= xmin) & (hue <= xmax)\n"
        "hist = np.bincount(idx[ok], minlength=nbin).astype(np.float64)\n"
        "if normalized and hist.sum() > 0:\n    hist = hist / hist.sum()\n",
        "color_histogram_hsv", "a hue exactly on an edge belongs to the bin that starts there",
        {"test_color_histogram_hues_on_bin_edges"}),
    "image changed in place": (
        COLOR, "color_histogram_hsv",
        "im = np.asarray(im, dtype=np.float64)\nim /= xmax\n"
        "hue = matplotlib.colors.rgb_to_hsv(im)[..., 0] * xmax\n"
        "hist = np.histogram(hue, bins=edges)[0].astype(np.float64)\n"
        "if normalized and hist.sum() > 0:\n    hist = hist / hist.sum()\n",
        "color_histogram_hsv", "color_histogram_hsv(im) modified its input im in place",
        {"test_color_histogram_leaves_the_image_alone"}),
    "halved centred differences": (
        HOG, "image_gradients",
        "gx[:, 1:-1] = (gray[:, 2:] - gray[:, :-2]) / 2\ngy[1:-1, :] = (gray[2:, :] - gray[:-2, :]) / 2\n",
        "image_gradients", "gx is halved: the kit's gradient is the plain difference",
        {"test_image_gradients_non_square", "test_hog_feature_on_their_functions"}),
    "np.gradient": (
        HOG, "image_gradients", "gy, gx = np.gradient(gray)\n",
        "image_gradients", "(np.gradient halves it); and the first and last column must be 0",
        {"test_image_gradients_non_square", "test_hog_feature_on_their_functions"}),
    "swapped gx and gy": (
        HOG, "image_gradients",
        "gy[:, 1:-1] = gray[:, 2:] - gray[:, :-2]\ngx[1:-1, :] = gray[2:, :] - gray[:-2, :]\n",
        "image_gradients", "gx and gy look swapped: gx is the difference along the columns",
        {"test_image_gradients_non_square", "test_hog_feature_on_their_functions"}),
    "border not zero": (
        HOG, "image_gradients",
        "gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]\ngx[:, 0] = gray[:, 1] - gray[:, 0]\n" + GRAD_OK,
        "image_gradients", "gx is right inside but not on the border: the first and last column must be 0",
        {"test_image_gradients_non_square"}),
    "gray changed in place": (
        HOG, "image_gradients",
        "gray -= gray.mean()  # centring does not change differences\n"
        "gx[:, 1:-1] = gray[:, 2:] - gray[:, :-2]\n" + GRAD_OK,
        "image_gradients", "image_gradients(gray) modified its input gray in place",
        {"test_image_gradients_integer_image_and_input_left_alone"}),
    "sum instead of mean per cell": (
        HOG, "orientation_histogram", MAG + THETA + BINS + cell_means("sum(axis=(1, 3))"),
        "orientation_histogram", "it looks like the SUM over each cell: the mean divides by the p*p = 64",
        {"test_orientation_histogram_random_non_square", "test_orientation_histogram_unsigned_and_boundaries",
         "test_orientation_histogram_cell_order_and_inputs_left_alone", "test_hog_feature_on_their_functions",
         "test_extract_features_runs_their_functions_on_every_image"}),
    "signed orientation (mod 2 pi)": (
        HOG, "orientation_histogram",
        MAG + "theta = np.mod(np.arctan2(gy, gx), 2 * np.pi)\n" + BINS + cell_means(),
        "orientation_histogram", "orientations are unsigned, taken mod pi (not 2 pi), so 180 degrees is 0",
        {"test_orientation_histogram_random_non_square", "test_orientation_histogram_unsigned_and_boundaries",
         "test_orientation_histogram_cell_order_and_inputs_left_alone", "test_hog_feature_on_their_functions",
         "test_extract_features_runs_their_functions_on_every_image"}),
    "arctan2(gx, gy)": (
        HOG, "orientation_histogram",
        MAG + "theta = np.mod(np.arctan2(gx, gy), np.pi)\n" + BINS + cell_means(),
        "orientation_histogram", "gx and gy look swapped; the orientation is arctan2(gy, gx)",
        {"test_orientation_histogram_random_non_square", "test_orientation_histogram_unsigned_and_boundaries",
         "test_hog_feature_on_their_functions"}),
    "boundary in the lower bin": (
        HOG, "orientation_histogram",
        MAG + THETA + "bins = np.clip(np.ceil(theta / (np.pi / orientations)).astype(int) - 1, 0, "
        "orientations - 1)\n" + cell_means(),
        "orientation_histogram",
        "45 degrees with 4 orientations is exactly the boundary between bins 0 and 1",
        {"test_orientation_histogram_unsigned_and_boundaries"}),
    "rounded bins": (
        HOG, "orientation_histogram",
        MAG + THETA + "bins = np.minimum(np.round(theta / (np.pi / orientations)).astype(int), "
        "orientations - 1)\n" + cell_means(),
        "orientation_histogram", "the bin is floor(theta / (pi / O)), not rounded",
        {"test_orientation_histogram_random_non_square", "test_hog_feature_on_their_functions"}),
    "mean over the bin's pixels only": (
        HOG, "orientation_histogram",
        MAG + THETA + BINS + "for o in range(orientations):\n"
        "    sel = (bins == o).reshape(n_rows, p, n_cols, p).sum(axis=(1, 3))\n"
        "    tot = np.where(bins == o, mag, 0.0).reshape(n_rows, p, n_cols, p).sum(axis=(1, 3))\n"
        "    hist[:, :, o] = tot / np.maximum(sel, 1)\n",
        "orientation_histogram", "it looks like the mean over the pixels OF EACH BIN",
        {"test_orientation_histogram_random_non_square", "test_hog_feature_on_their_functions"}),
    "cells grouped wrongly": (
        HOG, "orientation_histogram",
        MAG + THETA + BINS + cell_means().replace("reshape(n_rows, p, n_cols, p).mean(axis=(1, 3))",
                                                  "reshape(n_rows, n_cols, p, p).mean(axis=(2, 3))"),
        "orientation_histogram", "cell (i, j) = rows i*p.., columns j*p..",
        {"test_orientation_histogram_random_non_square",
         "test_orientation_histogram_cell_order_and_inputs_left_alone",
         "test_hog_feature_on_their_functions"}),
    "gx changed in place": (
        HOG, "orientation_histogram",
        "gx += 1e-12  # avoid arctan2(0, 0)\n" + MAG + THETA + BINS + cell_means(),
        "orientation_histogram", "modified its input gx in place",
        {"test_orientation_histogram_cell_order_and_inputs_left_alone"}),
}


@contextlib.contextmanager
def planted_package(tmp_path, module, owner, code):
    """Import a copy of cs231n_lite with one region replaced, instead of the real one."""
    shutil.copytree(ROOT / "cs231n_lite", tmp_path / "cs231n_lite",
                    ignore=shutil.ignore_patterns("__pycache__"))
    corpus.replace_region(tmp_path / "cs231n_lite", module, owner, code)
    ours = lambda name: name == "cs231n_lite" or name.startswith("cs231n_lite.")  # noqa: E731
    saved = {name: mod for name, mod in sys.modules.items() if ours(name)}
    for name in saved:
        del sys.modules[name]
    sys.path.insert(0, str(tmp_path))
    importlib.invalidate_caches()
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if ours(n)]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.fixture(scope="module")
def hidden():
    """grading/test_features_contracts.py, imported as a module."""
    return hidden_contracts("test_features_contracts")


def hidden_failures(mod):
    failed = set()
    for name in dir(mod):
        if name.startswith("test_"):
            try:
                getattr(mod, name)()
            except AssertionError:
                failed.add(name)
    return failed


def check_lines():
    return {c.name: run_check(c) for c in checks_for("features")}


def test_reference_passes_checks_and_hidden_tests(hidden):
    assert {n: r.line for n, r in check_lines().items() if r.status != "passed"} == {}
    assert hidden_failures(hidden) == set()


@pytest.mark.parametrize("mistake", PLANTS)
def test_a_planted_mistake_fails_the_right_check_and_the_hidden_tests(mistake, tmp_path, hidden):
    module, owner, code, culprit, words, hidden_failing = PLANTS[mistake]
    with planted_package(tmp_path, module, owner, code):
        results = check_lines()
        failed = hidden_failures(hidden)
    result = results[culprit]
    assert result.status == "wrong", f"{mistake}: {culprit} {result.line}"
    assert words in result.reason, f"{mistake}: {result.reason}"
    assert result.reason.startswith(culprit.split(".")[-1]) or result.reason.startswith(owner), result.reason
    others = {n: r.line for n, r in results.items() if r.status != "passed" and n != culprit}
    callers = {"hog_feature"} if culprit in ("image_gradients", "orientation_histogram") else set()
    assert set(others) <= callers, f"{mistake}: other checks failed too: {others}"
    for caller in set(others):  # the HOG check blames the function it calls
        assert others[caller].endswith(f"-- fix {culprit} first"), others[caller]
    assert hidden_failing <= failed, f"{mistake}: hidden tests that passed: {hidden_failing - failed}"
