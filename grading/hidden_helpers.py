"""Shared by the hidden tests (instructor only, never released).

* :func:`student` imports the submission's modules lazily, inside each test,
  so one broken module costs only the tests that use it, and remembers a
  failed import so a module that hangs at import time costs one timeout.
* :func:`num_grad` is the grader's own centred difference: it never trusts
  the submission's copy of ``cs231n_lite.gradient_check``.
* :func:`changed_inputs` calls a student function and reports which array
  arguments it modified in place.

Style of the hidden tests (so they also work when the student's code runs
in another process and every call is a message): reach student code only
through ``student(...)`` inside each test; pass plain data (numbers, strings,
None, tuples/lists/dicts, numpy arrays, numpy Generators); treat every
attribute read of a student object as a copy and set state by assigning the
whole attribute (``net.params = {...}``, ``model.W = W``), never by mutating
what a read returned; check in-place modification with
:func:`changed_inputs`, never by inspecting your own arrays afterwards.
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


def _arrays(value, name):
    """(path, array) for every ndarray in ``value``, looking inside dicts, lists and tuples:
    ``config['velocity']`` is an argument too."""
    if isinstance(value, np.ndarray):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, f"{name}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _arrays(item, f"{name}[{i}]")


def changed_inputs(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` and the names of the arrays it modified in place.

    Returns ``(result, names)``: positional arguments are named ``"arg0"``,
    ``"arg1"``, ...; keyword arguments by their keyword; arrays inside a dict,
    list or tuple argument by their path (``"arg2['velocity']"``).
    """
    named = [(f"arg{i}", a) for i, a in enumerate(args)] + list(kwargs.items())
    before = [(path, arr, arr.copy()) for name, value in named for path, arr in _arrays(value, name)]
    result = fn(*args, **kwargs)
    changed = [path for path, arr, old in before
               if arr.shape != old.shape or not np.array_equal(arr, old, equal_nan=True)]
    return result, changed
