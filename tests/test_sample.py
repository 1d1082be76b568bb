"""cs231n_lite.sample: the synthetic dataset, its CIFAR-10 files and its cache."""

import os
import pickle
import time

import numpy as np
import pytest

from cs231n_lite import data, sample


@pytest.fixture(scope="module")
def sample_root():
    """The shared sample cache (generated once for every test that needs it)."""
    return sample.ensure_sample()


@pytest.fixture(scope="module")
def loaded(sample_root):
    return data.load_cifar10(sample_root)


def test_generation_is_deterministic():
    X1, y1 = sample.generate_images(60, seed=7)
    X2, y2 = sample.generate_images(60, seed=7)
    X3, _ = sample.generate_images(60, seed=8)
    assert X1.tobytes() == X2.tobytes() and np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    assert np.array_equal(np.bincount(y1), np.full(10, 6))  # balanced classes


def test_written_files_are_byte_identical(tmp_path):
    X, y = sample.generate_images(40, seed=1)
    for name in ("a", "b"):
        sample.write_cifar_batches(tmp_path / name, X[:30], y[:30], X[30:], y[30:], sample.CLASS_NAMES)
    for name in sample.BATCH_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_round_trip_through_the_loader(sample_root, loaded):
    X_train, y_train, X_test, y_test = loaded
    assert X_train.shape == (sample.NUM_TRAIN, 32, 32, 3) and X_train.dtype == np.uint8
    assert X_test.shape == (sample.NUM_TEST, 32, 32, 3) and X_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and y_train.min() == 0 and y_train.max() == 9
    assert np.array_equal(np.bincount(y_test), np.full(10, sample.NUM_TEST // 10))
    assert data.load_class_names(sample_root) == list(sample.CLASS_NAMES)
    X_ref, y_ref = sample.generate_images(sample.NUM_TEST, sample.TEST_SEED)
    assert np.array_equal(X_test, X_ref) and np.array_equal(y_test, y_ref)


def test_files_use_cifar10s_exact_layout(sample_root, loaded):
    raw = (sample_root / "data_batch_1").read_bytes()
    assert raw[:2] == b"\x80\x02" and b"cnumpy.core.multiarray\n_reconstruct\n" in raw
    batch = pickle.loads(raw, encoding="bytes")
    assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
    assert batch[b"batch_label"] == b"training batch 1 of 5"
    assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape == (2000, 3072)
    assert isinstance(batch[b"labels"], list) and isinstance(batch[b"labels"][0], int)
    # channel-major rows: all red pixels, then green, then blue
    X_train = loaded[0]
    np.testing.assert_array_equal(batch[b"data"][5, :1024], X_train[5, :, :, 0].ravel())
    np.testing.assert_array_equal(batch[b"data"][5, 2048:], X_train[5, :, :, 2].ravel())
    meta = pickle.loads((sample_root / "batches.meta").read_bytes(), encoding="latin1")
    assert meta == {"num_cases_per_batch": 2000, "num_vis": 3072,
                    "label_names": list(sample.CLASS_NAMES)}


def test_generation_time_and_cache(tmp_path):
    start = time.process_time()  # CPU time: a busy shared machine must not fail this
    root = sample.ensure_sample(tmp_path)
    elapsed = time.process_time() - start
    assert elapsed <= 5.0, f"generating the sample took {elapsed:.1f} s of CPU"
    assert root == tmp_path / f"sample-v{sample.SAMPLE_VERSION}" / "cifar-10-batches-py"
    assert sorted(os.listdir(tmp_path)) == [f"sample-v{sample.SAMPLE_VERSION}"]  # no temp left
    stamp = (root / "test_batch").stat().st_mtime_ns
    assert sample.ensure_sample(tmp_path) == root
    assert (root / "test_batch").stat().st_mtime_ns == stamp  # not regenerated


def _fake_generate(root):
    X, y = sample.generate_images(20, seed=0)
    sample.write_cifar_batches(root, X[:10], y[:10], X[10:], y[10:], sample.CLASS_NAMES)


def test_missing_file_is_regenerated(tmp_path, monkeypatch):
    monkeypatch.setattr(sample, "_generate_into", _fake_generate)
    root = sample.ensure_sample(tmp_path)
    (root / "data_batch_4").unlink()
    assert sample.ensure_sample(tmp_path) == root
    assert (root / "data_batch_4").is_file()
    assert sorted(os.listdir(tmp_path)) == [f"sample-v{sample.SAMPLE_VERSION}"]


def test_losing_a_race_keeps_the_winners_copy(tmp_path, monkeypatch):
    final = tmp_path / f"sample-v{sample.SAMPLE_VERSION}"

    def racing_generate(root):
        _fake_generate(root)
        _fake_generate(final / "cifar-10-batches-py")  # another process finishes first

    monkeypatch.setattr(sample, "_generate_into", racing_generate)
    root = sample.ensure_sample(tmp_path)
    assert sample._is_complete(root)
    assert sorted(os.listdir(tmp_path)) == [final.name]


def test_cache_location_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CS231N_LITE_CACHE", str(tmp_path / "c"))
    assert sample.sample_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("CS231N_LITE_CACHE")
    assert sample.sample_cache_dir().parts[-2:] == (".cache", "cs231n-lite")


def test_writer_validates_its_inputs(tmp_path):
    X, y = sample.generate_images(10, seed=0)
    with pytest.raises(ValueError, match="y_train holds labels out of range"):
        sample.write_cifar_batches(tmp_path, X, y + 5, X, y, sample.CLASS_NAMES)
    with pytest.raises(ValueError, match="X_test must have shape"):
        sample.write_cifar_batches(tmp_path, X, y, X[:, :16], y, sample.CLASS_NAMES)
    with pytest.raises(ValueError, match="n must be >= 1"):
        sample.generate_images(0, seed=0)


def test_nearest_class_mean_is_above_chance_and_far_from_perfect(loaded):
    # Lesson (e): class means on raw pixels carry some signal, but not much.
    X_train, y_train, X_test, y_test = loaded
    Xtr = X_train.reshape(len(X_train), -1)
    Xte = X_test.reshape(len(X_test), -1).astype(np.float64)
    means = np.stack([Xtr[y_train == c].mean(axis=0, dtype=np.float64) for c in range(10)])  # (10, D)
    # ||x - m||^2 = ||x||^2 - 2 x.m + ||m||^2; ||x||^2 is the same for every class
    scores = -2 * Xte @ means.T + (means ** 2).sum(axis=1)
    acc = np.mean(scores.argmin(axis=1) == y_test)
    assert 0.18 <= acc <= 0.6, acc  # chance is 0.10


def test_portable_sine_matches_numpy():
    # the generator's own sine (plain arithmetic, same bits on every CPU) is a real sine
    x = np.linspace(-40, 40, 20001)
    np.testing.assert_allclose(sample._sin(x), np.sin(x), atol=1e-8)
    np.testing.assert_allclose(sample._cos(x), np.cos(x), atol=1e-8)
    x32 = x.astype(np.float32)
    assert sample._sin(x32).dtype == np.float32
    np.testing.assert_allclose(sample._sin(x32), np.sin(x32), atol=2e-5)
