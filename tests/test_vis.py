"""cs231n_lite.vis: grid geometry and values; every plot returns a Figure with
the expected axes and artists (Agg backend, set in conftest.py)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from cs231n_lite import vis


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def stretch(img, ubound):
    return ubound * (img - img.min()) / (img.max() - img.min())


# ----------------------------------------------------------------- visualize_grid
def test_grid_geometry_and_values():
    rng = np.random.default_rng(0)
    Xs = rng.normal(size=(5, 4, 3, 2))  # N=5 -> a 3x3 grid with 4 empty cells
    grid = vis.visualize_grid(Xs, ubound=10.0, padding=1)
    assert grid.shape == (3 * 4 + 2, 3 * 3 + 2, 2)
    np.testing.assert_allclose(grid[0:4, 4:7], stretch(Xs[1], 10.0))  # row 0, column 1
    np.testing.assert_allclose(grid[5:9, 0:3], stretch(Xs[3], 10.0))  # row 1, column 0
    assert np.all(grid[4, :] == 0) and np.all(grid[:, 3] == 0)  # padding lines
    assert np.all(grid[5:9, 8:11] == 0)  # cell after the last image
    assert grid.max() == pytest.approx(10.0) and grid.min() == 0.0


def test_grid_without_padding_and_constant_images():
    Xs = np.zeros((4, 2, 2, 3))
    Xs[1] = np.arange(12).reshape(2, 2, 3)
    grid = vis.visualize_grid(Xs, padding=0)
    assert grid.shape == (4, 4, 3)
    assert np.isfinite(grid).all() and np.all(grid[:2, :2] == 0)  # a constant image is black
    np.testing.assert_allclose(grid[:2, 2:], stretch(Xs[1], 255.0))


def test_grid_rejects_non_4d():
    with pytest.raises(ValueError, match="Xs must be 4-D, got 3-D"):
        vis.visualize_grid(np.zeros((3, 4, 4)))


# ----------------------------------------------------------------- images
def test_class_examples():
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (14, 8, 8, 3), dtype=np.uint8)
    y = np.array([0] * 6 + [1] * 6 + [2] * 2)
    fig = vis.plot_class_examples(X, y, ["a", "b", "c"], samples_per_class=3, seed=3)
    assert isinstance(fig, Figure) and len(fig.axes) == 3 * 3
    drawn = [len(ax.images) for ax in fig.axes]  # row-major: 3 rows of 3 classes
    assert drawn == [1, 1, 1, 1, 1, 1, 1, 1, 0]  # class "c" has only 2 images
    assert [fig.axes[i].get_title() for i in range(3)] == ["a", "b", "c"]
    first = fig.axes[0].images[0].get_array()
    assert any(np.array_equal(first, img) for img in X[:6])  # an image of class 0
    again = vis.plot_class_examples(X, y, ["a", "b", "c"], samples_per_class=3, seed=3)
    np.testing.assert_array_equal(again.axes[0].images[0].get_array(), first)


def test_class_examples_validates_labels():
    with pytest.raises(ValueError, match="y holds labels out of range"):
        vis.plot_class_examples(np.zeros((2, 4, 4, 3)), [0, 5], ["a", "b"])


def test_weight_templates_are_images_of_the_columns():
    rng = np.random.default_rng(2)
    img = rng.normal(size=(32, 32, 3))
    W = rng.normal(size=(3073, 10))
    W[:3072, 4] = img.ravel()  # column 4 is exactly this image
    names = [f"class {i}" for i in range(10)]
    fig = vis.plot_weight_templates(W, names)
    assert isinstance(fig, Figure) and len(fig.axes) == 10
    drawn = fig.axes[4].images[0].get_array()
    np.testing.assert_allclose(drawn, stretch(img, 255.0).astype(np.uint8))
    assert all(ax.images[0].get_array().max() == 255 for ax in fig.axes)  # rescaled per class
    with_mean = vis.plot_weight_templates(W[:3072], names, mean_image=np.full(3072, 128.0))
    assert len(with_mean.axes) == 11 and with_mean.axes[0].get_title() == "mean image"
    assert with_mean.axes[1].get_title() == "class 0"


def test_weight_templates_errors():
    with pytest.raises(ValueError, match="W must have 3072 rows \\(or 3073"):
        vis.plot_weight_templates(np.zeros((100, 2)), ["a", "b"])
    with pytest.raises(ValueError, match="W must have one column per class"):
        vis.plot_weight_templates(np.zeros((3072, 3)), ["a", "b"])
    fig = vis.plot_weight_templates(np.ones((48, 2)), ["a", "b"], mean_image=np.zeros((4, 4, 3)))
    assert len(fig.axes) == 3  # the mean image sets the image shape


# ----------------------------------------------------------------- curves and scatters
def test_curves():
    fig = vis.plot_curves({"train": [3.0, 2.0, 1.5], "val": [3.1, 2.5]}, "epoch", "loss", "Loss")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["train", "val"]
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [3.0, 2.0, 1.5])
    assert ax.get_xlabel() == "epoch" and ax.get_title() == "Loss"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train", "val"]
    with pytest.raises(ValueError, match="histories must be a non-empty dict"):
        vis.plot_curves([1, 2, 3])
    with pytest.raises(ValueError, match="histories\\['a'\\] must be 1-D"):
        vis.plot_curves({"a": np.zeros((2, 2))})


def test_cv_scatter():
    k_to_acc = {5: [0.2, 0.3, 0.25], 1: [0.1, 0.2, 0.15], 10: [0.3, 0.3, 0.3]}
    fig = vis.plot_cv_scatter(k_to_acc)
    (ax,) = fig.axes
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatters) == 3
    np.testing.assert_allclose(scatters[0].get_offsets()[:, 1], [0.1, 0.2, 0.15])  # k=1 first
    mean_line = ax.get_lines()[0]
    np.testing.assert_allclose(np.asarray(mean_line.get_xdata(), dtype=float), [1, 5, 10])
    np.testing.assert_allclose(np.asarray(mean_line.get_ydata(), dtype=float), [0.15, 0.25, 0.3])


def test_hyperparam_scatter():
    results = {(1e-7, 2.5e4): (0.30, 0.28), (1e-7, 5e4): (0.32, 0.31),
               (5e-7, 2.5e4): (0.35, 0.33)}
    fig = vis.plot_hyperparam_scatter(results)
    assert len(fig.axes) == 4  # two panels, two colour bars
    train_ax, val_ax = fig.axes[0], fig.axes[1]
    assert train_ax.get_xscale() == "log" and val_ax.get_yscale() == "log"
    points = val_ax.collections[0]
    np.testing.assert_allclose(points.get_offsets(), list(results))
    np.testing.assert_allclose(points.get_array(), [0.28, 0.31, 0.33])
    with pytest.raises(ValueError, match="must be positive"):
        vis.plot_hyperparam_scatter({(0.0, 1.0): (0.1, 0.1)})


# ----------------------------------------------------------------- confusion
def test_confusion_matrix_counts():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    M = vis.confusion_matrix(y_true, y_pred, 3)
    expected = np.zeros((3, 3), dtype=int)
    for t, p in zip(y_true, y_pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(M, expected)
    with pytest.raises(ValueError, match="y_true and y_pred must have the same number"):
        vis.confusion_matrix(y_true, y_pred[:5], 3)


def test_plot_confusion():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    fig = vis.plot_confusion(y_true, y_pred, ["a", "b", "c"])
    (ax,) = fig.axes
    assert len(ax.texts) == 9 and ax.texts[1].get_text() == "1"  # M[0, 1]
    assert ax.get_title() == "accuracy 0.667"
    with pytest.raises(ValueError, match="y_pred must have shape \\(N,\\)"):
        vis.plot_confusion(y_true, y_pred[:, None], ["a", "b", "c"])
