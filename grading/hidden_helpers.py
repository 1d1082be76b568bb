"""Shared by the hidden tests (instructor only, never released).

* :func:`student` imports the submission's modules lazily, inside each test,
  so one broken module costs only the tests that use it, and remembers a
  failed import so a module that hangs at import time costs one timeout.
* :func:`num_grad` is the grader's own centred difference: it never trusts
  the submission's copy of ``cs231n_lite.gradient_check``.
"""

import importlib

import numpy as np

_FAILED = {}


def student(module):
    """``student("classifiers.linear_svm")`` -> the submission's module."""
    name = "cs231n_lite." + module
    if name in _FAILED:
        raise _FAILED[name]
    try:
        return importlib.import_module(name)
    except BaseException as err:
        _FAILED[name] = err
        raise


def num_grad(f, x, h=1e-5):
    """Centred-difference gradient of scalar ``f`` at float array ``x`` (restored)."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for ix in np.ndindex(*x.shape):
        old = x[ix]
        x[ix] = old + h
        fp = f(x)
        x[ix] = old - h
        fm = f(x)
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * h)
    return grad


def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def blobs(seed=0, n=90, classes=3, dim=6, spread=4.0, noise=0.4):
    """Well-separated Gaussian blobs: any working classifier gets them right."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    centres = spread * rng.standard_normal((classes, dim))
    return centres[y] + noise * rng.standard_normal((n, dim)), y


def loss_problem(seed, N=10, D=7, C=5, scale=1.0):
    rng = np.random.default_rng(seed)
    return scale * rng.standard_normal((D, C)), rng.standard_normal((N, D)), rng.integers(0, C, N)
