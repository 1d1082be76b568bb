"""CIFAR-10 loading, train/val/test/dev splits, and the switch between datasets.

Shapes: N images of 32x32 pixels with 3 colour channels; D = 32*32*3 = 3072.

Two datasets share one on-disk format (CIFAR-10's "python version", read
and written by :mod:`cs231n_lite.cifar_format`): the real CIFAR-10 and the
built-in synthetic sample (:mod:`cs231n_lite.sample`). Which one
the notebooks use is decided by :func:`load_dataset`::

    source argument  >  $CS231N_LITE_DATA  >  CIFAR-10 under datasets/  >  sample

with ``source`` / ``CS231N_LITE_DATA`` one of ``"sample"``, ``"cifar10"`` or a
path to a ``cifar-10-batches-py`` folder (or to the folder that holds it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from cs231n_lite.cifar_format import (  # noqa: F401 - re-exported: the loading API lives here
    CIFAR_DIRNAME,
    HOW_TO_GET,
    META_FILE,
    CorruptDatasetError,
    DatasetNotFoundError,
    load_cifar10,
    load_class_names,
    resolve_root,
)
from cs231n_lite.validation import (
    InputError,
    check_array,
    check_int,
    check_labels,
)

__all__ = [
    "DatasetNotFoundError",
    "CorruptDatasetError",
    "Dataset",
    "load_cifar10",
    "load_class_names",
    "get_splits",
    "load_dataset",
    "find_cifar10",
]

ENV_DATA = "CS231N_LITE_DATA"
# The checkout this package sits in (an editable install): CIFAR-10 goes to its datasets/.
REPO_ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------- splits
def get_splits(X_train, y_train, X_test, y_test, num_training=49000, num_validation=1000,
               num_test=1000, num_dev=500, subtract_mean=True, bias_trick=True,
               flatten=True, dtype=np.float64, seed=0):
    """Split and preprocess a dataset the CS231n way.

    Training images are the first ``num_training``; validation images come
    right after them (the end of the training data for CIFAR-10's defaults);
    test images are the first ``num_test`` of the test set; the dev set is a
    seeded random subset of the training split, for quick experiments. The
    mean image is computed on the training split only (using validation or
    test images would leak them into training).

    Parameters
    ----------
    X_train : ndarray of shape (N, 32, 32, 3) or (N, D)
    y_train : ndarray of shape (N,)
    X_test : ndarray of shape (M, 32, 32, 3) or (M, D)
    y_test : ndarray of shape (M,)
    num_training, num_validation, num_test, num_dev : int
        Split sizes; ``num_training + num_validation <= N``, ``num_test <= M``,
        ``num_dev <= num_training``.
    subtract_mean : bool
        Subtract the training split's mean image from every split.
    bias_trick : bool
        Append a column of ones (after mean subtraction) so a weight row holds
        the bias; needs ``flatten=True``.
    flatten : bool
        Reshape images to rows of D = 32*32*3 values.
    dtype : numpy dtype
        Float type of the returned images (float32 halves memory).
    seed : int
        Seed of the dev subset.

    Returns
    -------
    dict
        ``X_train, y_train, X_val, y_val, X_test, y_test, X_dev, y_dev`` and
        ``mean_image`` (shape (D,) if ``flatten`` else the image shape).
        With ``flatten`` and ``bias_trick``, X arrays have shape (n, D + 1).

    Raises
    ------
    InputError
        Bad arrays, or sizes larger than the dataset (the message gives its size).
    """
    X_train = check_array(X_train, "X_train", ndim=(2, 3, 4))
    X_test = check_array(X_test, "X_test", ndim=X_train.ndim)
    y_train = check_labels(y_train, "y_train", num_samples=len(X_train))
    y_test = check_labels(y_test, "y_test", num_samples=len(X_test))
    if X_test.shape[1:] != X_train.shape[1:]:
        raise InputError(f"X_test images must have shape {X_train.shape[1:]} like X_train's, "
                         f"got {X_test.shape[1:]}")
    sizes = _check_sizes(len(X_train), len(X_test), num_training, num_validation, num_test, num_dev)
    num_training, num_validation, num_test, num_dev = sizes
    if bias_trick and not flatten:
        raise InputError("bias_trick=True needs flatten=True (the bias is an extra column); "
                         "pass flatten=True or bias_trick=False")
    train = slice(0, num_training)
    val = slice(num_training, num_training + num_validation)
    mean_image = X_train[train].mean(axis=0, dtype=np.float64)  # (32, 32, 3) or (D,)
    if flatten:
        mean_image = mean_image.reshape(-1)
    mean_image = mean_image.astype(dtype)
    prep = dict(mean=mean_image if subtract_mean else None, bias=bias_trick, flatten=flatten, dtype=dtype)
    out = {"X_train": _prepare(X_train[train], **prep), "y_train": y_train[train].copy(),
           "X_val": _prepare(X_train[val], **prep), "y_val": y_train[val].copy(),
           "X_test": _prepare(X_test[:num_test], **prep), "y_test": y_test[:num_test].copy()}
    dev = np.random.default_rng(seed).choice(num_training, num_dev, replace=False)
    out["X_dev"], out["y_dev"] = out["X_train"][dev], out["y_train"][dev]
    out["mean_image"] = mean_image
    return out


def _check_sizes(n_train, n_test, num_training, num_validation, num_test, num_dev):
    """Validate split sizes against the dataset; returns them as ints."""
    num_training = check_int(num_training, "num_training", low=1)
    num_validation = check_int(num_validation, "num_validation", low=0)
    num_test = check_int(num_test, "num_test", low=0)
    num_dev = check_int(num_dev, "num_dev", low=0)
    if num_training + num_validation > n_train:
        raise InputError(
            f"num_training + num_validation must be <= {n_train} (the dataset's training images), "
            f"got {num_training} + {num_validation} = {num_training + num_validation}; "
            f"pass smaller sizes, e.g. num_training={n_train - min(num_validation, n_train // 10)}, "
            f"num_validation={min(num_validation, n_train // 10)}"
        )
    if num_test > n_test:
        raise InputError(f"num_test must be <= {n_test} (the dataset's test images), got {num_test}; "
                         f"pass num_test={n_test} or less")
    if num_dev > num_training:
        raise InputError(f"num_dev must be <= num_training ({num_training}), got {num_dev}")
    return num_training, num_validation, num_test, num_dev


def _prepare(X, mean, bias, flatten, dtype):
    """One split as floats: flatten, subtract ``mean``, append ones; one allocation."""
    n = len(X)
    rows = X.reshape(n, -1) if flatten else X
    shape = (n, rows.shape[1] + 1) if bias else rows.shape
    out = np.empty(shape, dtype=dtype)
    body = out[:, :-1] if bias else out
    body[...] = rows
    if mean is not None:
        body -= mean
    if bias:
        out[:, -1] = 1.0
    return out


# ----------------------------------------------------------------- the switch
@dataclass
class Dataset:
    """A loaded dataset: uint8 images, int64 labels, class names, and where it came from.

    Attributes
    ----------
    X_train : ndarray of shape (N, 32, 32, 3), uint8
    y_train : ndarray of shape (N,), int64
    X_test : ndarray of shape (M, 32, 32, 3), uint8
    y_test : ndarray of shape (M,), int64
    class_names : list of str
    name : str
        ``"sample"`` (synthetic, not CIFAR-10), ``"cifar10"`` (also for a path
        holding a full copy of CIFAR-10) or ``"custom"`` (another path).
    root : Path
        The folder the batches were read from.
    """

    X_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    X_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    class_names: list
    name: str
    root: Path

    def summary(self):
        """One line: which dataset, sizes, and where it was read from."""
        what = {"sample": "the built-in sample dataset (synthetic shapes and colours, NOT CIFAR-10)",
                "cifar10": "CIFAR-10"}.get(self.name, "a dataset in CIFAR-10 format")
        h, w, c = self.X_train.shape[1:]
        return (f"Using {what}: {len(self.X_train)} train + {len(self.X_test)} test images "
                f"of {h}x{w}x{c}, {len(self.class_names)} classes; from {self.root}")


def _cifar10_candidates():
    """Where a downloaded CIFAR-10 may live: the repo's datasets/ and ./datasets/."""
    places = [Path(REPO_ROOT) / "datasets" / CIFAR_DIRNAME, Path.cwd() / "datasets" / CIFAR_DIRNAME]
    return list(dict.fromkeys(p.resolve() for p in places))


def find_cifar10():
    """The first CIFAR-10 folder found (see :func:`_cifar10_candidates`), or None."""
    for place in _cifar10_candidates():
        if place.is_dir():
            return place
    return None


def _normalise_source(source):
    """``None`` -> $CS231N_LITE_DATA (or None); keywords lower-cased; paths as Path."""
    if source is None:
        source = os.environ.get(ENV_DATA, "").strip() or None
        if source is None:
            return None
    if not isinstance(source, (str, os.PathLike)):
        raise InputError(f"source must be 'sample', 'cifar10' or a path, got {source!r}")
    key = str(source).strip().lower().replace("-", "").replace("_", "")
    if key in ("sample", "cifar10"):
        return key
    return Path(source).expanduser()


def _load(root, name):
    X_train, y_train, X_test, y_test = load_cifar10(root)
    root = resolve_root(root)
    class_names = load_class_names(root)
    top = max(int(y_train.max(initial=0)), int(y_test.max(initial=0)))
    if top >= len(class_names):
        raise CorruptDatasetError(f"{root}: label {top} but only {len(class_names)} class names "
                                  f"in {META_FILE}; {HOW_TO_GET}")
    return Dataset(X_train, y_train, X_test, y_test, class_names, name, root)


def _load_sample():
    from cs231n_lite import sample  # imported here: only the sample needs the generator

    try:
        return _load(sample.ensure_sample(), "sample")
    except CorruptDatasetError:
        # a damaged cache (disk full, killed process): rebuild it once
        return _load(sample.ensure_sample(force=True), "sample")


CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")


def _looks_like_cifar10(ds):
    """CIFAR-10's class names and its 50000 / 10000 split."""
    return (tuple(ds.class_names) == CIFAR10_CLASSES and len(ds.X_train) == 50000
            and len(ds.X_test) == 10000)


def load_dataset(source=None, verbose=True):
    """Load the active dataset: the one switch the notebooks use.

    Parameters
    ----------
    source : {"sample", "cifar10"} or str or Path, optional
        ``"sample"``: the built-in synthetic dataset (generated once into
        ``$CS231N_LITE_CACHE``, default ``~/.cache/cs231n-lite``).
        ``"cifar10"``: CIFAR-10 under the repository's ``datasets/`` or
        ``./datasets/``. A path: a folder in CIFAR-10's format. ``None``
        reads ``$CS231N_LITE_DATA`` (same values); if that is unset, CIFAR-10
        when it is found, else the sample.
    verbose : bool
        Print one line saying which dataset, its sizes and where it is.

    Returns
    -------
    Dataset

    Raises
    ------
    DatasetNotFoundError
        ``"cifar10"`` was asked for but is not downloaded, or a path does not exist.
    """
    source = _normalise_source(source)
    if source is None:
        found = find_cifar10()
        ds = _load(found, "cifar10") if found else _load_sample()
    elif source == "sample":
        ds = _load_sample()
    elif source == "cifar10":
        found = find_cifar10()
        if found is None:
            places = ", ".join(str(p) for p in _cifar10_candidates())
            raise DatasetNotFoundError(f"CIFAR-10 was requested but not found (looked in {places}); "
                                       f"{HOW_TO_GET}")
        ds = _load(found, "cifar10")
    else:
        ds = _load(source, "custom")
        if _looks_like_cifar10(ds):  # a copy of CIFAR-10 elsewhere is CIFAR-10
            ds.name = "cifar10"
    if verbose:
        print(ds.summary())
    return ds
