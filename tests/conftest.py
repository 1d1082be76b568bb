"""Shared test setup: a headless matplotlib backend and tiny CIFAR-format datasets.

The sample dataset's cache is deliberately NOT redirected: every test that
needs the sample shares one copy (``$CS231N_LITE_CACHE`` or
``~/.cache/cs231n-lite``), generated once.
"""

import re

import matplotlib

matplotlib.use("Agg")  # before any pyplot import: tests never open windows

import numpy as np  # noqa: E402
import pytest  # noqa: E402

TINY_CLASSES = ("alpha", "beta", "gamma")


def make_tiny_arrays(num_train=10, num_test=4, seed=0, num_classes=len(TINY_CLASSES)):
    """Random uint8 images (N, 32, 32, 3) and labels (N,) for train and test."""
    rng = np.random.default_rng(seed)
    X_train = rng.integers(0, 256, (num_train, 32, 32, 3), dtype=np.uint8)
    X_test = rng.integers(0, 256, (num_test, 32, 32, 3), dtype=np.uint8)
    y_train = rng.integers(0, num_classes, num_train).astype(np.int64)
    y_test = rng.integers(0, num_classes, num_test).astype(np.int64)
    return X_train, y_train, X_test, y_test


@pytest.fixture
def tiny_cifar(tmp_path):
    """A tiny dataset in CIFAR-10's format; returns (batches folder, arrays)."""
    from cs231n_lite.sample import write_cifar_batches  # only the tests that use it import it

    arrays = make_tiny_arrays()
    root = write_cifar_batches(tmp_path / "cifar-10-batches-py", *arrays, TINY_CLASSES)
    return root, arrays


def random_problem(seed, N=40, D=12, C=5, dtype=np.float64):
    """A seeded linear-classifier problem: W (D, C), X (N, D), y (N,)."""
    rng = np.random.default_rng(seed)
    W = 0.3 * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, size=N)
    return W.astype(dtype), X.astype(dtype), y


def named(argument):
    """A ``pytest.raises(match=...)`` pattern for an error about ``argument``.

    Every validation message starts with the argument's name ("y must have
    shape (N,), got ..."). A bare "y" would also match "array" or "y_train",
    so the name must come first and be a whole word.
    """
    return rf"^{re.escape(argument)}\b(?![._])"


def hidden_contracts(name: str):
    """``grading/<name>.py`` (the instructor-only hidden tests), imported as a module with
    grading/ on the path for its ``hidden_helpers`` import: the tests that plant a
    student's mistake also run the hidden test that mirrors the failing check."""
    import importlib.util
    import sys
    from pathlib import Path

    grading = Path(__file__).resolve().parents[1] / "grading"
    sys.path.insert(0, str(grading))
    try:
        spec = importlib.util.spec_from_file_location(f"_hidden_{name}", grading / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(grading))
    return module
