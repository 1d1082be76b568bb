"""cs231n_lite.data: the CIFAR-10 loader, the splits, and the dataset switch."""

import pickle
import tracemalloc

import numpy as np
import pytest

from conftest import TINY_CLASSES, make_tiny_arrays
from cs231n_lite import data
from cs231n_lite.sample import write_cifar_batches


def assert_same_arrays(got, want):
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_array_equal(g, w)


# ----------------------------------------------------------------- load_cifar10
def test_round_trip_shapes_dtypes_values(tiny_cifar):
    root, arrays = tiny_cifar
    got = data.load_cifar10(root)
    assert got[0].shape == (10, 32, 32, 3) and got[0].dtype == np.uint8
    assert got[1].shape == (10,) and got[1].dtype == np.int64
    assert_same_arrays(got, arrays)
    assert data.load_class_names(root) == list(TINY_CLASSES)


def test_accepts_the_parent_folder(tiny_cifar):
    root, arrays = tiny_cifar
    assert_same_arrays(data.load_cifar10(root.parent), arrays)


def test_large_batches_stream_from_disk_with_bounded_memory(tmp_path):
    # 400 images = 1.2 MB per batch: above the size that stays on disk until copied
    arrays = make_tiny_arrays(num_train=2000, num_test=400, seed=1)
    root = write_cifar_batches(tmp_path / "c", *arrays, TINY_CLASSES)
    tracemalloc.start()
    got = data.load_cifar10(root)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert_same_arrays(got, arrays)
    result = sum(a.nbytes for a in got)
    assert peak < 1.4 * result  # concatenating a list of batches would need 2x


def _pickle_batch(path, X, y, protocol, str_keys):
    """Write one batch the way a Python 3 user might (str keys, any protocol)."""
    rows = X.transpose(0, 3, 1, 2).reshape(len(X), -1)
    batch = {"data": rows, "labels": list(map(int, y))}
    if not str_keys:
        batch = {k.encode(): v for k, v in batch.items()}
    with open(path, "wb") as f:
        pickle.dump(batch, f, protocol=protocol)


@pytest.mark.parametrize("protocol,str_keys", [(2, True), (2, False), (4, True), (5, False)])
def test_reads_bytes_or_str_keys_and_any_protocol(tiny_cifar, protocol, str_keys):
    root, (X_train, y_train, X_test, y_test) = tiny_cifar
    _pickle_batch(root / "test_batch", X_test, y_test, protocol, str_keys)
    got = data.load_cifar10(root)
    np.testing.assert_array_equal(got[2], X_test)
    np.testing.assert_array_equal(got[3], y_test)


def test_missing_file_names_it_and_says_how_to_get_data(tiny_cifar):
    root, _ = tiny_cifar
    (root / "data_batch_3").unlink()
    with pytest.raises(ValueError, match="data_batch_3.*get_cifar10.sh.*sample") as info:
        data.load_cifar10(root)
    assert isinstance(info.value, FileNotFoundError)


def test_missing_folder(tmp_path):
    with pytest.raises(data.DatasetNotFoundError, match="dataset folder not found.*nowhere"):
        data.load_cifar10(tmp_path / "nowhere")


@pytest.mark.parametrize("keep", [40, 5000])  # cut in the header / in the pixels
def test_truncated_file_is_reported_as_corrupt(tiny_cifar, keep):
    root, _ = tiny_cifar
    path = root / "test_batch"
    path.write_bytes(path.read_bytes()[:keep])
    with pytest.raises(data.CorruptDatasetError, match="test_batch.*not a readable"):
        data.load_cifar10(root)


def test_truncated_large_payload_is_reported(tmp_path):
    arrays = make_tiny_arrays(num_train=2000, num_test=400, seed=2)
    root = write_cifar_batches(tmp_path / "c", *arrays, TINY_CLASSES)
    path = root / "data_batch_2"
    path.write_bytes(path.read_bytes()[:-500_000])
    with pytest.raises(data.CorruptDatasetError, match="data_batch_2"):
        data.load_cifar10(root)


def test_pickles_cannot_run_code(tiny_cifar, tmp_path):
    root, _ = tiny_cifar
    flag = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (open, (str(flag), "w"))

    with open(root / "data_batch_1", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": []}, f, protocol=2)
    with pytest.raises(data.CorruptDatasetError, match="unexpected object"):
        data.load_cifar10(root)
    assert not flag.exists()


def test_wrong_pixel_layout_is_reported(tiny_cifar):
    root, (X, y, _, _) = tiny_cifar
    with open(root / "data_batch_1", "wb") as f:
        pickle.dump({b"data": X[:2].reshape(2, -1)[:, :100], b"labels": [0, 1]}, f, protocol=2)
    with pytest.raises(data.CorruptDatasetError, match="rows of 3072 pixels.*got shape \\(2, 100\\)"):
        data.load_cifar10(root)


def test_labels_may_be_a_numpy_array(tiny_cifar):
    root, (X, y, _, _) = tiny_cifar
    rows = X[:3].transpose(0, 3, 1, 2).reshape(3, -1)
    with open(root / "data_batch_1", "wb") as f:
        pickle.dump({b"data": rows, b"labels": np.array([2, 0, 1], dtype=np.uint8)}, f, protocol=2)
    X_train, y_train, _, _ = data.load_cifar10(root)
    np.testing.assert_array_equal(y_train[:3], [2, 0, 1])
    np.testing.assert_array_equal(X_train[:3], X[:3])


def test_labels_must_match_rows(tiny_cifar):
    root, (X, y, _, _) = tiny_cifar
    _pickle_batch(root / "data_batch_1", X[:2], [0, 1, 2], protocol=2, str_keys=False)
    with pytest.raises(data.CorruptDatasetError, match="expected 2 labels"):
        data.load_cifar10(root)


# ----------------------------------------------------------------- get_splits
@pytest.fixture
def raw():
    return make_tiny_arrays(num_train=60, num_test=20, seed=3)


def test_splits_sizes_order_and_preprocessing(raw):
    X_train, y_train, X_test, y_test = raw
    s = data.get_splits(*raw, num_training=40, num_validation=15, num_test=12, num_dev=8)
    assert s["X_train"].shape == (40, 3073) and s["X_val"].shape == (15, 3073)
    assert s["X_test"].shape == (12, 3073) and s["X_dev"].shape == (8, 3073)
    assert s["X_train"].dtype == np.float64
    mean = X_train[:40].reshape(40, -1).mean(axis=0)  # training split only
    np.testing.assert_allclose(s["mean_image"], mean)
    # validation: the images right after the training split, same preprocessing
    np.testing.assert_allclose(s["X_val"][:, :-1], X_train[40:55].reshape(15, -1) - mean)
    np.testing.assert_array_equal(s["y_val"], y_train[40:55])
    np.testing.assert_allclose(s["X_test"][:, :-1], X_test[:12].reshape(12, -1) - mean)
    np.testing.assert_allclose(s["X_train"][:, :-1].mean(axis=0), 0, atol=1e-9)
    for key in ("X_train", "X_val", "X_test", "X_dev"):
        np.testing.assert_array_equal(s[key][:, -1], 1.0)  # bias column after centring


def test_dev_set_is_a_seeded_subset_of_training(raw):
    a = data.get_splits(*raw, num_training=40, num_validation=10, num_test=5, num_dev=10, seed=1)
    b = data.get_splits(*raw, num_training=40, num_validation=10, num_test=5, num_dev=10, seed=1)
    c = data.get_splits(*raw, num_training=40, num_validation=10, num_test=5, num_dev=10, seed=2)
    np.testing.assert_array_equal(a["X_dev"], b["X_dev"])
    assert not np.array_equal(a["X_dev"], c["X_dev"])
    train_rows = {row.tobytes() for row in a["X_train"]}
    assert all(row.tobytes() in train_rows for row in a["X_dev"])
    assert len({row.tobytes() for row in a["X_dev"]}) == 10  # drawn without replacement


def test_images_kept_as_images_float32(raw):
    s = data.get_splits(*raw, num_training=30, num_validation=10, num_test=5, num_dev=5,
                        subtract_mean=False, bias_trick=False, flatten=False, dtype=np.float32)
    assert s["X_train"].shape == (30, 32, 32, 3) and s["X_train"].dtype == np.float32
    assert s["mean_image"].shape == (32, 32, 3)
    np.testing.assert_array_equal(s["X_val"], raw[0][30:40].astype(np.float32))


def test_too_large_sizes_state_the_dataset_size(raw):
    with pytest.raises(ValueError, match="num_training \\+ num_validation must be <= 60"):
        data.get_splits(*raw)  # CS231n defaults: 49000 + 1000
    with pytest.raises(ValueError, match="num_test must be <= 20"):
        data.get_splits(*raw, num_training=40, num_validation=10, num_test=21, num_dev=5)
    with pytest.raises(ValueError, match="num_dev must be <= num_training \\(40\\)"):
        data.get_splits(*raw, num_training=40, num_validation=10, num_test=5, num_dev=41)


def test_split_argument_errors(raw):
    X_train, y_train, X_test, y_test = raw
    small = dict(num_training=40, num_validation=10, num_test=5, num_dev=5)
    with pytest.raises(ValueError, match="bias_trick=True needs flatten=True"):
        data.get_splits(*raw, **small, flatten=False)
    with pytest.raises(ValueError, match="y_train must have shape \\(N,\\).*ravel"):
        data.get_splits(X_train, y_train[:, None], X_test, y_test, **small)
    with pytest.raises(ValueError, match="num_training must be an integer"):
        data.get_splits(*raw, **{**small, "num_training": 40.0})
    with pytest.raises(ValueError, match="X_test images must have shape"):
        data.get_splits(X_train, y_train, X_test[:, :16], y_test, **small)


# ----------------------------------------------------------------- load_dataset
@pytest.fixture
def no_cifar(monkeypatch, tmp_path):
    """No CIFAR-10 anywhere and no $CS231N_LITE_DATA."""
    monkeypatch.delenv(data.ENV_DATA, raising=False)
    monkeypatch.setattr(data, "REPO_ROOT", tmp_path / "repo")
    monkeypatch.chdir(tmp_path)


def test_sample_dataset_and_its_one_line(no_cifar, capsys):
    ds = data.load_dataset("sample")
    line = capsys.readouterr().out
    assert ds.name == "sample" and ds.root.name == "cifar-10-batches-py"
    assert ds.X_train.shape[1:] == (32, 32, 3) and ds.X_train.dtype == np.uint8
    assert len(ds.class_names) == 10 and "airplane" not in ds.class_names
    assert line.count("\n") == 1
    assert "NOT CIFAR-10" in line and f"{len(ds.X_train)} train + {len(ds.X_test)} test" in line
    assert str(ds.root) in line
    assert "X_train" not in repr(ds)  # the repr stays one short line


def test_default_is_the_sample_without_cifar10(no_cifar):
    assert data.load_dataset(verbose=False).name == "sample"


def test_default_finds_cifar10_under_the_working_folder(no_cifar, tmp_path):
    arrays = make_tiny_arrays(seed=4)
    write_cifar_batches(tmp_path / "datasets" / "cifar-10-batches-py", *arrays, TINY_CLASSES)
    ds = data.load_dataset(verbose=False)
    assert ds.name == "cifar10" and ds.class_names == list(TINY_CLASSES)
    assert_same_arrays((ds.X_train, ds.y_train, ds.X_test, ds.y_test), arrays)
    assert data.load_dataset("CIFAR-10", verbose=False).name == "cifar10"


def test_default_finds_cifar10_in_the_repository(no_cifar, tmp_path):
    arrays = make_tiny_arrays(seed=5)
    write_cifar_batches(tmp_path / "repo" / "datasets" / "cifar-10-batches-py", *arrays, TINY_CLASSES)
    assert data.load_dataset(verbose=False).root == (tmp_path / "repo" / "datasets" / "cifar-10-batches-py")


def test_cifar10_requested_but_absent(no_cifar):
    with pytest.raises(data.DatasetNotFoundError,
                       match="CIFAR-10 was requested but not found.*get_cifar10.sh"):
        data.load_dataset("cifar10")


def test_env_var_and_paths(no_cifar, tiny_cifar, monkeypatch, capsys):
    root, arrays = tiny_cifar
    monkeypatch.setenv(data.ENV_DATA, str(root.parent))
    ds = data.load_dataset()
    assert ds.name == "custom" and ds.root == root
    assert "a dataset in CIFAR-10 format: 10 train + 4 test" in capsys.readouterr().out
    monkeypatch.setenv(data.ENV_DATA, "cifar10")
    with pytest.raises(data.DatasetNotFoundError, match="CIFAR-10 was requested"):
        data.load_dataset()
    with pytest.raises(data.DatasetNotFoundError, match="dataset folder not found"):
        data.load_dataset(root.parent / "missing")
    with pytest.raises(ValueError, match="source must be 'sample', 'cifar10' or a path, got 42"):
        data.load_dataset(42)


def test_labels_beyond_the_class_names_are_reported(tmp_path):
    X, y, X_test, y_test = make_tiny_arrays(seed=6)
    root = write_cifar_batches(tmp_path / "c", X, y, X_test, y_test, TINY_CLASSES)
    _pickle_batch(root / "data_batch_1", X[:2], [0, 4], protocol=2, str_keys=False)  # 4 of 3 names
    with pytest.raises(data.CorruptDatasetError, match="label 4 but only 3 class names"):
        data.load_dataset(root, verbose=False)


def test_damaged_sample_cache_is_rebuilt_once(monkeypatch, tmp_path, tiny_cifar):
    from cs231n_lite import sample

    good, arrays = tiny_cifar
    bad = write_cifar_batches(tmp_path / "bad", *arrays, TINY_CLASSES)
    (bad / "test_batch").write_bytes(b"\x80\x02garbage")
    calls = []
    monkeypatch.setattr(sample, "ensure_sample",
                        lambda force=False: calls.append(force) or (good if force else bad))
    ds = data.load_dataset("sample", verbose=False)
    assert calls == [False, True] and ds.root == good


def test_a_full_cifar10_copy_at_a_path_is_named_cifar10():
    from pathlib import Path

    from cs231n_lite.data import CIFAR10_CLASSES, Dataset, _looks_like_cifar10

    def ds(n_train, n_test, names):
        X = np.zeros((n_train, 0), np.uint8)  # only the counts matter here
        return Dataset(X, np.zeros(n_train, np.int64), np.zeros((n_test, 0), np.uint8),
                       np.zeros(n_test, np.int64), list(names), "custom", Path("."))

    assert _looks_like_cifar10(ds(50000, 10000, CIFAR10_CLASSES))
    assert not _looks_like_cifar10(ds(5000, 10000, CIFAR10_CLASSES))
    assert not _looks_like_cifar10(ds(50000, 10000, ["a"] * 10))
