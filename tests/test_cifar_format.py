"""CIFAR-10's on-disk format (cs231n_lite.cifar_format): the private pickle
internals its reader and writer rely on are pinned here, so a Python that
changes them fails in this file, by name, instead of deep inside a load."""

import pickle
import pickletools
import sys
import tracemalloc

import numpy as np
import pytest

from cs231n_lite import cifar_format as cf

PY = f"Python {sys.version.split()[0]}"
FIX = ("adapt cs231n_lite/cifar_format.py, or read with the public pickle.Unpickler "
       "(which holds each 30 MB pixel string in memory while loading)")


def test_unpickler_internals_the_lazy_reader_overrides():
    U = pickle._Unpickler
    assert isinstance(getattr(U, "dispatch", None), dict), f"{PY}: pickle._Unpickler.dispatch is gone; {FIX}"
    for op in ("BINSTRING", "BINBYTES", "BINBYTES8"):
        code = getattr(pickle, op)[0]
        assert code in U.dispatch, f"{PY}: pickle._Unpickler.dispatch has no {op} entry; {FIX}"
    for attr in ("read", "append"):  # bound by load(); the reader calls them
        assert attr in U.load.__code__.co_names, f"{PY}: pickle._Unpickler.load no longer sets {attr}; {FIX}"


def test_lazy_reader_leaves_the_pixels_on_disk(tmp_path):
    """Behaviour, not only names: a big pixel string is skipped, then copied in chunks."""
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, (2000, 32, 32, 3), dtype=np.uint8)  # 1.2 MB a batch >= _BIG_PAYLOAD
    y = rng.integers(0, 3, 2000)
    root = cf.write_cifar_batches(tmp_path / "b", X, y, X[:10], y[:10], ("a", "b", "c"))
    with open(root / "data_batch_1", "rb") as f:
        batch = cf._LazyUnpickler(f).load()
    data = batch[b"data"]
    assert isinstance(data, cf._LazyArray) and isinstance(data.payload, cf._Payload), \
        f"{PY}: the lazy reader read the pixels into memory; {FIX}"
    X_train, y_train, _, _ = cf.load_cifar10(root)
    np.testing.assert_array_equal(X_train, X)
    np.testing.assert_array_equal(y_train, y)


def test_loading_peaks_near_the_size_of_the_result(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.integers(0, 256, (2000, 32, 32, 3), dtype=np.uint8)  # 6 MB
    y = rng.integers(0, 3, 2000)
    root = cf.write_cifar_batches(tmp_path / "b", X, y, X[:500], y[:500], ("a", "b", "c"))
    tracemalloc.start()
    try:
        out = cf.load_cifar10(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    result = sum(a.nbytes for a in out)
    assert peak < result + 4 * 2**20, (peak, result)  # a plain pickle.load needs ~2x


def test_writer_emits_python2_pickles(tmp_path):
    """pickletools (public) reads what the private-Pickler writer produced."""
    X = np.zeros((3, 32, 32, 3), dtype=np.uint8)
    root = cf.write_cifar_batches(tmp_path / "b", X, [0, 1, 2], X[:1], [0], ("a", "b", "c"), num_batches=1)
    ops = list(pickletools.genops((root / "data_batch_1").read_bytes()))
    names = [op.name for op, _, _ in ops]
    assert names[0] == "PROTO" and ops[0][1] == 2
    assert "BINBYTES" not in names and "SHORT_BINBYTES" not in names, f"{PY}: bytes written the Python 3 way"
    assert ("GLOBAL", "numpy.core.multiarray _reconstruct") in [(op.name, arg) for op, arg, _ in ops]
    pixels = [arg for op, arg, _ in ops if op.name == "BINSTRING" and len(arg) == 3 * 3072]
    assert len(pixels) == 1  # the data, one Python-2 str of raw bytes
    meta = pickle.loads((root / "batches.meta").read_bytes(), encoding="bytes")
    assert meta[b"label_names"] == [b"a", b"b", b"c"]


def test_reader_names_what_is_missing(tmp_path):
    with pytest.raises(cf.DatasetNotFoundError, match="dataset folder not found"):
        cf.load_cifar10(tmp_path / "nowhere")
