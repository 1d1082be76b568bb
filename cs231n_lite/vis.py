"""Plots for the notebooks: image grids, class examples, weight templates,
learning curves, cross-validation and hyperparameter scatters, confusion matrices.

Shapes: N images of H x W pixels with C channels; K classes; D = H*W*C.

Every ``plot_*`` function draws with pyplot and returns the Figure without
showing it: a notebook cell ends with ``plt.show()``, a script saves it with
``fig.savefig(path)``.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np

from cs231n_lite.validation import InputError, check_array, check_int, check_labels, check_same_length

__all__ = [
    "visualize_grid",
    "plot_class_examples",
    "plot_weight_templates",
    "plot_curves",
    "plot_cv_scatter",
    "plot_hyperparam_scatter",
    "confusion_matrix",
    "plot_confusion",
]


def _rescale(imgs, ubound=1.0):
    """Min-max rescale each image of ``imgs`` (N, ...) to [0, ubound]; constant images -> 0."""
    imgs = np.asarray(imgs, dtype=np.float64)
    axes = tuple(range(1, imgs.ndim))
    low = imgs.min(axis=axes, keepdims=True)
    span = imgs.max(axis=axes, keepdims=True) - low
    # a constant image has no contrast to stretch: draw it black instead of dividing by 0
    return ubound * np.divide(imgs - low, span, out=np.zeros_like(imgs), where=span > 0)


def _displayable(imgs):
    """uint8 images as they are; anything else rescaled per image to [0, 1] for imshow."""
    return imgs if imgs.dtype == np.uint8 else _rescale(imgs)


def _show(ax, img):
    """imshow one (H, W), (H, W, 1) or (H, W, 3) image, without axis ticks."""
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
    ax.axis("off")


def visualize_grid(Xs, ubound=255.0, padding=1):
    """Tile images into one square grid image, each rescaled to [0, ubound].

    Parameters
    ----------
    Xs : ndarray of shape (N, H, W, C)
    ubound : float
        Every image is min-max rescaled to [0, ubound] on its own.
    padding : int
        Blank (zero) pixels between neighbouring images.

    Returns
    -------
    grid : ndarray of shape (G*H + (G-1)*padding, G*W + (G-1)*padding, C), float64
        With G = ceil(sqrt(N)); cells after the N-th image stay 0.
    """
    Xs = check_array(Xs, "Xs", ndim=4)
    padding = check_int(padding, "padding", low=0)
    N, H, W, C = Xs.shape
    G = int(math.ceil(math.sqrt(N)))
    cells = np.zeros((G * G, H + padding, W + padding, C))
    cells[:N, :H, :W] = _rescale(Xs, ubound)
    # (G, G, H+p, W+p, C) -> rows of cells side by side, then drop the last padding
    grid = cells.reshape(G, G, H + padding, W + padding, C).transpose(0, 2, 1, 3, 4)
    grid = grid.reshape(G * (H + padding), G * (W + padding), C)
    return grid[: G * (H + padding) - padding, : G * (W + padding) - padding]


def plot_class_examples(X, y, class_names, samples_per_class=7, seed=0):
    """A column of random examples per class, the class name on top.

    Parameters
    ----------
    X : ndarray of shape (N, H, W, C) or (N, H, W)
        uint8 images are drawn as they are; other dtypes are rescaled per image.
    y : ndarray of shape (N,), int in [0, K)
    class_names : sequence of str, length K
    samples_per_class : int
        Rows; a class with fewer images leaves its remaining cells empty.
    seed : int
        Seed of the random choice of examples.

    Returns
    -------
    matplotlib.figure.Figure
        K * samples_per_class axes.
    """
    X = check_array(X, "X", ndim=(3, 4))
    y = check_labels(y, "y", num_samples=len(X), num_classes=len(class_names))
    rows = check_int(samples_per_class, "samples_per_class", low=1)
    rng = np.random.default_rng(seed)
    K = len(class_names)
    fig, axes = plt.subplots(rows, K, figsize=(1.4 * K, 1.3 * rows), squeeze=False)
    for c, name in enumerate(class_names):
        members = np.flatnonzero(y == c)
        picks = rng.choice(members, min(rows, len(members)), replace=False)
        images = _displayable(X[picks]) if len(picks) else []
        for r in range(rows):
            axes[r, c].axis("off")
            if r < len(picks):
                _show(axes[r, c], images[r])
        axes[0, c].set_title(name, fontsize=8)
    return fig


def plot_weight_templates(W, class_names, mean_image=None):
    """Show each class's column of a linear classifier's W as an image.

    Parameters
    ----------
    W : ndarray of shape (D, K) or (D + 1, K)
        Weights of a linear classifier; a last bias row (bias trick) is dropped.
    class_names : sequence of str, length K
    mean_image : ndarray of shape (H, W, C) or (D,), optional
        Drawn in an extra first panel. Its shape, if 3-D, sets the image shape;
        the default is 32 x 32 x 3.

    Returns
    -------
    matplotlib.figure.Figure
        K axes (K + 1 with ``mean_image``); each template is rescaled to 0..255
        on its own, so colours compare within a class, not across classes.
    """
    W = check_array(W, "W", ndim=2)
    K = len(class_names)
    if W.shape[1] != K:
        raise InputError(f"W must have one column per class: expected shape (D, {K}), got {W.shape}")
    shape = (32, 32, 3)
    if mean_image is not None:
        mean_image = check_array(mean_image, "mean_image", ndim=(1, 3))
        shape = mean_image.shape if mean_image.ndim == 3 else shape
    D = int(np.prod(shape))
    if W.shape[0] not in (D, D + 1):
        raise InputError(f"W must have {D} rows (or {D + 1} with the bias row) for images of shape "
                         f"{shape}, got {W.shape[0]}; pass mean_image to give the image shape")
    templates = W[:D].T.reshape((K,) + shape)  # (K, H, W, C)
    panels = []
    if mean_image is not None:
        mean = mean_image.reshape(shape)
        # pixel means (0..255) are shown as they are, like CS231n; anything else is stretched
        in_range = mean.min() >= 0 and mean.max() <= 255
        panels.append(("mean image", mean.astype(np.uint8) if in_range else _rescale(mean[None])[0]))
    panels += list(zip(class_names, _rescale(templates, 255.0).astype(np.uint8)))
    return _image_panels(panels)


def _image_panels(panels, ncols=5):
    """Figure with one axes per (title, image) panel, ``ncols`` per row."""
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(2 * ncols, 2.2 * nrows), squeeze=False)
    for ax in axes.ravel()[len(panels):]:
        fig.delaxes(ax)
    for ax, (title, img) in zip(axes.ravel(), panels):
        _show(ax, img)
        ax.set_title(title, fontsize=9)
    return fig


def plot_curves(histories, xlabel="iteration", ylabel="loss", title=None):
    """Line plot of one or more histories (loss or accuracy per step or epoch).

    Parameters
    ----------
    histories : dict of str -> sequence of float
        Label -> values; entry ``i`` is drawn at x = i.
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.figure.Figure
        One axes with one line per history and a legend.
    """
    if not isinstance(histories, dict) or not histories:
        raise InputError(f"histories must be a non-empty dict of label -> values, got {histories!r:.60}; "
                         "e.g. {'train': loss_history}")
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values in histories.items():
        values = check_array(values, f"histories[{label!r}]", ndim=1)
        ax.plot(np.arange(len(values)), values, label=str(label))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend()
    return fig


def plot_cv_scatter(k_to_accuracies, xlabel="k", title="Cross-validation on k"):
    """Each fold's accuracy as a dot, and the mean +- std per setting as error bars.

    Parameters
    ----------
    k_to_accuracies : dict of number -> sequence of float
        Hyperparameter value -> one accuracy per fold.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: one scatter per key, one error-bar line through the means.
    """
    if not isinstance(k_to_accuracies, dict) or not k_to_accuracies:
        raise InputError("k_to_accuracies must be a non-empty dict of k -> list of fold accuracies")
    ks = sorted(k_to_accuracies)
    fig, ax = plt.subplots(figsize=(7, 4))
    folds = [check_array(k_to_accuracies[k], f"k_to_accuracies[{k!r}]", ndim=1) for k in ks]
    for k, accs in zip(ks, folds):
        ax.scatter([k] * len(accs), accs, s=12)
    ax.errorbar(ks, [a.mean() for a in folds], yerr=[a.std() for a in folds], color="k", capsize=3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cross-validation accuracy")
    ax.set_title(title)
    return fig


def plot_hyperparam_scatter(results):
    """Training and validation accuracy over (learning rate, regularization), log axes.

    Parameters
    ----------
    results : dict of (float, float) -> (float, float)
        ``(learning_rate, reg) -> (train_accuracy, val_accuracy)``, as in CS231n.

    Returns
    -------
    matplotlib.figure.Figure
        Two scatter panels (training, validation) coloured by accuracy, each
        with its colour bar (4 axes).
    """
    if not isinstance(results, dict) or not results:
        raise InputError("results must be a non-empty dict of (learning_rate, reg) -> (train_acc, val_acc)")
    keys = check_array(list(results), "results keys", shape=(None, 2))
    accs = check_array(list(results.values()), "results values", shape=(None, 2))
    if (keys <= 0).any():
        raise InputError("results keys must be positive (learning_rate, reg) pairs for log axes; "
                         f"got min {keys.min()}")
    # constrained layout is computed when drawn, not here: creating the figure stays fast
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    for ax, col, name in zip(axes, (0, 1), ("training", "validation")):
        points = ax.scatter(keys[:, 0], keys[:, 1], c=accs[:, col], s=80, cmap="viridis")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("regularization strength")
        ax.set_title(f"{name} accuracy")
        fig.colorbar(points, ax=ax)
    return fig


def confusion_matrix(y_true, y_pred, num_classes):
    """Counts ``M[i, j]`` of samples of true class i predicted as j; shape (K, K), int64."""
    y_true = check_labels(y_true, "y_true", num_classes=num_classes)
    y_pred = check_labels(y_pred, "y_pred", num_classes=num_classes)
    check_same_length(y_true, "y_true", y_pred, "y_pred")
    flat = np.bincount(y_true * num_classes + y_pred, minlength=num_classes * num_classes)
    return flat.reshape(num_classes, num_classes)


def plot_confusion(y_true, y_pred, class_names):
    """Confusion matrix: colour = fraction of each true class, text = counts.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,), int in [0, K)
    class_names : sequence of str, length K

    Returns
    -------
    matplotlib.figure.Figure
        One axes, K*K count labels, overall accuracy in the title.
    """
    K = len(class_names)
    M = confusion_matrix(y_true, y_pred, K)
    rates = M / np.maximum(M.sum(axis=1, keepdims=True), 1)  # rows sum to 1 (recall per class)
    fig, ax = plt.subplots(figsize=(0.6 * K + 3, 0.6 * K + 2), layout="constrained")
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    for i in range(K):
        for j in range(K):
            ax.text(j, i, str(M[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if rates[i, j] > 0.5 else "black")
    ax.set_xticks(range(K), class_names, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(K), class_names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(f"accuracy {np.trace(M) / max(M.sum(), 1):.3f}")
    return fig
