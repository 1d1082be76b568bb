"""CIFAR-10 loading, train/val/test/dev splits, and the switch between datasets.

Shapes: N images of 32x32 pixels with 3 colour channels; D = 32*32*3 = 3072.

Two datasets share one on-disk format (CIFAR-10's "python version"): the real
CIFAR-10 and the built-in synthetic sample (:mod:`cs231n_lite.sample`). Which one
the notebooks use is decided by :func:`load_dataset`::

    source argument  >  $CS231N_LITE_DATA  >  CIFAR-10 under datasets/  >  sample

with ``source`` / ``CS231N_LITE_DATA`` one of ``"sample"``, ``"cifar10"`` or a
path to a ``cifar-10-batches-py`` folder (or to the folder that holds it).
"""

from __future__ import annotations

import os
import pickle
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

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

CIFAR_DIRNAME = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
IMAGE_SHAPE = (32, 32, 3)
ENV_DATA = "CS231N_LITE_DATA"
# The checkout this package sits in (an editable install): CIFAR-10 goes to its datasets/.
REPO_ROOT = Path(__file__).resolve().parent.parent

HOW_TO_GET = (
    "get CIFAR-10 with `bash datasets/get_cifar10.sh` or `cs231n-lite data download`, "
    "or use the built-in sample (load_dataset('sample') or CS231N_LITE_DATA=sample)"
)

# Payloads at least this big stay on disk until they are copied into place.
_BIG_PAYLOAD = 1 << 20
_ROWS_PER_READ = 1000  # 3 MB of pixels per read


class DatasetNotFoundError(InputError, FileNotFoundError):
    """A dataset folder or file is missing; the message says how to get it."""


class CorruptDatasetError(InputError):
    """A dataset file exists but cannot be read as a CIFAR-10 batch."""


# ----------------------------------------------------------------- reading batches
class _Payload:
    """A large byte string left on disk: its offset in the file and its length."""

    def __init__(self, offset, length):
        self.offset, self.length = offset, length


class _LazyArray:
    """Stands in for numpy's ``_reconstruct``: records shape, dtype and payload only."""

    def __init__(self, *args):
        self.shape, self.dtype, self.fortran, self.payload = None, None, False, None

    def __setstate__(self, state):
        if len(state) == 5:  # numpy's state is (version, shape, dtype, fortran, data)
            state = state[1:]
        self.shape, self.dtype, self.fortran, self.payload = state


_RECONSTRUCT = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct")}
# Unpickling can run arbitrary code: allow only what array/dict/list pickles need.
_ALLOWED = {("numpy", "ndarray"), ("numpy", "dtype"), ("_codecs", "encode"),
            ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
            ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
            ("builtins", "bytearray"), ("__builtin__", "bytearray")}


class _LazyUnpickler(pickle._Unpickler):
    """Unpickle a CIFAR-10 batch without reading its 30 MB pixel string into memory.

    The pure-Python unpickler lets us intercept the big byte-string opcodes: we
    note where the pixels sit in the file and skip them; :func:`_copy_pixels`
    later reads them straight into the output array, in chunks. This keeps the
    peak memory of loading all of CIFAR-10 near the size of the result (184 MB).
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file):
        super().__init__(file, encoding="bytes")
        self._raw = file

    def _load_sized(self, fmt):
        (n,) = struct.unpack(fmt, self.read(struct.calcsize(fmt)))
        unframed = getattr(getattr(self, "_unframer", None), "current_frame", None) is None
        if n >= _BIG_PAYLOAD and unframed:
            offset = self._raw.tell()
            self._raw.seek(n, os.SEEK_CUR)
            self.append(_Payload(offset, n))
        elif n < 0:
            raise pickle.UnpicklingError("negative byte count")
        else:
            self.append(self.read(n))

    dispatch[pickle.BINSTRING[0]] = lambda self: self._load_sized("<i")
    dispatch[pickle.BINBYTES[0]] = lambda self: self._load_sized("<I")
    dispatch[pickle.BINBYTES8[0]] = lambda self: self._load_sized("<Q")

    def find_class(self, module, name):
        if (module, name) in _RECONSTRUCT:
            return _LazyArray
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unexpected object {module}.{name} in a dataset file")


def _text(s):
    return s.decode("latin1") if isinstance(s, bytes) else str(s)


def _read_pickle(path):
    """Unpickle ``path`` (a dict with bytes or str keys) into a dict with str keys."""
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFoundError(f"dataset file not found: {path}; {HOW_TO_GET}")
    try:
        with open(path, "rb") as f:
            obj = _LazyUnpickler(f).load()
    except Exception as err:  # a damaged pickle fails in many ways (EOF, bad opcode, ...)
        raise CorruptDatasetError(
            f"{path} is not a readable CIFAR-10 file ({type(err).__name__}: {err}); "
            f"delete it and {HOW_TO_GET}"
        ) from err
    if not isinstance(obj, dict):
        raise CorruptDatasetError(f"{path} holds a {type(obj).__name__}, expected a dict; {HOW_TO_GET}")
    return {_text(k): v for k, v in obj.items()}


def _batch_info(path):
    """Parse one batch: (number of rows, pixel source, labels int64 of shape (n,))."""
    batch = _read_pickle(path)
    for key in ("data", "labels"):
        if key not in batch:
            raise CorruptDatasetError(f"{path} has no '{key}' entry (keys: {sorted(batch)}); {HOW_TO_GET}")
    data = batch["data"]
    shape, dtype = tuple(getattr(data, "shape", None) or ()), getattr(data, "dtype", None)
    if len(shape) != 2 or shape[1] != 3072 or dtype != np.uint8 or getattr(data, "fortran", False) \
            or _payload_size(data) not in (None, shape[0] * 3072):
        raise CorruptDatasetError(
            f"{path}: 'data' must be uint8 rows of 3072 pixels, got shape {shape} dtype {dtype}; {HOW_TO_GET}"
        )
    labels = batch["labels"]
    try:
        if isinstance(labels, _LazyArray):  # labels pickled as a (small) numpy array
            labels = np.frombuffer(_raw_bytes(labels.payload), dtype=labels.dtype).reshape(labels.shape)
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError) as err:
        raise CorruptDatasetError(
            f"{path}: 'labels' is not a list of integers ({err}); {HOW_TO_GET}") from err
    if labels.shape != (shape[0],) or (labels.size and labels.min() < 0):
        raise CorruptDatasetError(
            f"{path}: expected {shape[0]} labels >= 0, got shape {labels.shape}; {HOW_TO_GET}"
        )
    return shape[0], data, labels


def _raw_bytes(payload):
    """An in-memory array payload as bytes (a Python-2 str arrives as latin-1 text or bytes)."""
    if isinstance(payload, str):
        return payload.encode("latin1")
    if not isinstance(payload, (bytes, bytearray)):
        raise TypeError(f"array data of type {type(payload).__name__}")
    return payload


def _payload_size(data):
    """Bytes behind a lazily unpickled array (None for a real ndarray)."""
    if isinstance(data, np.ndarray):
        return None
    payload = getattr(data, "payload", None)
    if isinstance(payload, _Payload):
        return payload.length
    return len(payload) if isinstance(payload, (bytes, bytearray, str)) else -1  # -1: not pixels


def _copy_pixels(path, data, out):
    """Copy (n, 3072) CIFAR rows (red, green, blue planes) into ``out`` of shape (n, 32, 32, 3)."""
    n = len(out)
    if isinstance(data, np.ndarray) or not isinstance(data.payload, _Payload):
        rows = data if isinstance(data, np.ndarray) else np.frombuffer(_raw_bytes(data.payload), np.uint8)
        out[...] = rows.reshape(n, 3, 32, 32).transpose(0, 2, 3, 1)
        return
    buf = np.empty((min(n, _ROWS_PER_READ), 3072), dtype=np.uint8)
    with open(path, "rb") as f:
        f.seek(data.payload.offset)
        for start in range(0, n, len(buf)):
            k = min(len(buf), n - start)
            if f.readinto(memoryview(buf[:k]).cast("B")) != k * 3072:
                raise CorruptDatasetError(f"{path} is truncated; delete it and {HOW_TO_GET}")
            out[start:start + k] = buf[:k].reshape(k, 3, 32, 32).transpose(0, 2, 3, 1)


def _load_batches(root, names):
    """Read and stack batches into preallocated arrays (no concatenation copies)."""
    infos = [(root / name, *_batch_info(root / name)) for name in names]
    X = np.empty((sum(i[1] for i in infos),) + IMAGE_SHAPE, dtype=np.uint8)
    y = np.empty(len(X), dtype=np.int64)
    start = 0
    for path, n, data, labels in infos:
        _copy_pixels(path, data, X[start:start + n])
        y[start:start + n] = labels
        start += n
    return X, y


def _resolve_root(root):
    """Accept the batches folder itself or a folder holding ``cifar-10-batches-py``."""
    root = Path(root).expanduser()
    if not (root / TRAIN_FILES[0]).exists() and (root / CIFAR_DIRNAME).is_dir():
        root = root / CIFAR_DIRNAME
    if not root.is_dir():
        raise DatasetNotFoundError(f"dataset folder not found: {root}; {HOW_TO_GET}")
    return root


def load_cifar10(root):
    """Load CIFAR-10 (python version) or any dataset stored in its format.

    Parameters
    ----------
    root : str or Path
        The ``cifar-10-batches-py`` folder (or its parent) holding
        ``data_batch_1`` .. ``data_batch_5`` and ``test_batch``.

    Returns
    -------
    X_train : ndarray of shape (N_train, 32, 32, 3), uint8
    y_train : ndarray of shape (N_train,), int64
    X_test : ndarray of shape (N_test, 32, 32, 3), uint8
    y_test : ndarray of shape (N_test,), int64

    Raises
    ------
    DatasetNotFoundError
        A folder or batch file is missing (the message names it and says how
        to get the data).
    CorruptDatasetError
        A file cannot be read as a CIFAR-10 batch.

    Notes
    -----
    The files are Python-2 pickles; keys may come back as bytes or str and
    both are accepted. Pixels are copied chunk by chunk into preallocated
    arrays, so the whole of CIFAR-10 loads in about its own size (184 MB).
    """
    root = _resolve_root(root)
    X_train, y_train = _load_batches(root, TRAIN_FILES)
    X_test, y_test = _load_batches(root, (TEST_FILE,))
    return X_train, y_train, X_test, y_test


def load_class_names(root):
    """Class names from ``batches.meta`` (a list of str, index = label)."""
    root = _resolve_root(root)
    meta = _read_pickle(root / META_FILE)
    if "label_names" not in meta:
        raise CorruptDatasetError(f"{root / META_FILE} has no 'label_names' entry; {HOW_TO_GET}")
    return [_text(name) for name in meta["label_names"]]


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
    root = _resolve_root(root)
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
