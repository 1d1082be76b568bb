"""CIFAR-10's on-disk format ("python version"): read it lazily, write it.

One format, two datasets: the real CIFAR-10 and the built-in sample
(:mod:`cs231n_lite.sample` writes it with :func:`write_cifar_batches`), so the
very same reader loads both. Which dataset is active, and the splits, live in
:mod:`cs231n_lite.data`.

The files: ``data_batch_1`` .. ``data_batch_5``, ``test_batch`` and
``batches.meta`` in a ``cifar-10-batches-py`` folder; each a Python-2
protocol-2 pickle of a dict (``data``: uint8 rows of 3072 pixels, the red
plane then green then blue; ``labels``: ints; ``batches.meta`` holds
``label_names``).

Both directions use private pickle internals (``pickle._Unpickler`` to skip
the 30 MB pixel strings while reading, ``pickle._Pickler`` to write Python-2
strings): ``tests/test_cifar_format.py`` pins what they rely on, so a Python
that changes them fails there, by name, rather than deep in a load.

Shapes: N images of 32x32 pixels with 3 colour channels; D = 32*32*3 = 3072.
"""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

import numpy as np

from cs231n_lite.validation import InputError, check_array, check_int, check_labels

__all__ = [
    "DatasetNotFoundError",
    "CorruptDatasetError",
    "CIFAR_DIRNAME",
    "TRAIN_FILES",
    "TEST_FILE",
    "META_FILE",
    "load_cifar10",
    "load_class_names",
    "resolve_root",
    "write_cifar_batches",
]

CIFAR_DIRNAME = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
IMAGE_SHAPE = (32, 32, 3)

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


# ----------------------------------------------------------------- reading
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


def resolve_root(root):
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
    root = resolve_root(root)
    X_train, y_train = _load_batches(root, TRAIN_FILES)
    X_test, y_test = _load_batches(root, (TEST_FILE,))
    return X_train, y_train, X_test, y_test


def load_class_names(root):
    """Class names from ``batches.meta`` (a list of str, index = label)."""
    root = resolve_root(root)
    meta = _read_pickle(root / META_FILE)
    if "label_names" not in meta:
        raise CorruptDatasetError(f"{root / META_FILE} has no 'label_names' entry; {HOW_TO_GET}")
    return [_text(name) for name in meta["label_names"]]


# ----------------------------------------------------------------- writing
class _Py2Pickler(pickle._Pickler):
    """Write pickles the way CIFAR-10's own files were written (Python 2, protocol 2).

    Byte strings become Python-2 ``str`` opcodes (not Python 3's ``_codecs.encode``
    detour, which would inflate the pixels as UTF-8) and arrays refer to
    ``numpy.core.multiarray._reconstruct``, the name every numpy can load.
    """

    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2_str(self, obj):
        n = len(obj)
        if n < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([n]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", n) + obj)
        self.memoize(obj)

    dispatch[bytes] = save_py2_str

    def save_global(self, obj, name=None):
        if getattr(obj, "__name__", None) == "_reconstruct" and "numpy" in obj.__module__:
            self.write(pickle.GLOBAL + b"numpy.core.multiarray\n_reconstruct\n")
            self.memoize(obj)
        else:
            super().save_global(obj, name)


def _dump(obj, path):
    with open(path, "wb") as f:
        _Py2Pickler(f, protocol=2).dump(obj)


def write_cifar_batches(root, X_train, y_train, X_test, y_test, class_names, num_batches=5):
    """Write images in CIFAR-10's python format: ``data_batch_1..k``, ``test_batch``, ``batches.meta``.

    Parameters
    ----------
    root : str or Path
        Folder to write into (created if needed), usually ``.../cifar-10-batches-py``.
    X_train : ndarray of shape (N, 32, 32, 3), uint8
    y_train : ndarray of shape (N,), int
    X_test : ndarray of shape (M, 32, 32, 3), uint8
    y_test : ndarray of shape (M,), int
    class_names : sequence of str
    num_batches : int
        Training batches; CIFAR-10 has 5 (``N`` is split as evenly as possible).

    Returns
    -------
    Path
        ``root``.

    Raises
    ------
    InputError
        Images not of shape (N, 32, 32, 3), or labels not in ``[0, len(class_names))``.
    """
    X_train = check_array(X_train, "X_train", shape=(None, 32, 32, 3), allow_empty=True)
    X_test = check_array(X_test, "X_test", shape=(None, 32, 32, 3), allow_empty=True)
    y_train = check_labels(y_train, "y_train", num_samples=len(X_train), num_classes=len(class_names))
    y_test = check_labels(y_test, "y_test", num_samples=len(X_test), num_classes=len(class_names))
    num_batches = check_int(num_batches, "num_batches", low=1)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    train_parts = zip(np.array_split(X_train, num_batches), np.array_split(y_train, num_batches))
    for i, (X, y) in enumerate(train_parts, start=1):
        _dump(_batch_dict(X, y, class_names, f"training batch {i} of {num_batches}"),
              root / f"data_batch_{i}")
    _dump(_batch_dict(X_test, y_test, class_names, "testing batch 1 of 1"), root / "test_batch")
    meta = {b"num_cases_per_batch": int(-(-len(X_train) // num_batches)),
            b"label_names": [name.encode("ascii") for name in class_names],
            b"num_vis": 32 * 32 * 3}
    _dump(meta, root / "batches.meta")
    return root


def _batch_dict(X, y, class_names, label):
    """One batch as CIFAR-10 stores it: rows of 3072 bytes, red plane then green then blue."""
    data = np.ascontiguousarray(np.asarray(X, dtype=np.uint8).transpose(0, 3, 1, 2)).reshape(len(X), -1)
    names = [f"{class_names[c].replace(' ', '_')}_s_{i:06d}.png".encode("ascii")
             for i, c in enumerate(y)]
    return {b"batch_label": label.encode("ascii"), b"labels": [int(c) for c in y],
            b"data": data, b"filenames": names}
