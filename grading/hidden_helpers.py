"""Shared by the hidden tests (instructor only, never released) -- and how to write one.

How hidden tests run
--------------------
`cs231n-lite grade` runs these tests in a TRUSTED judge process that never
imports student code. :func:`student` returns a proxy of a module of the
submission's ``cs231n_lite``; every call, constructor, attribute read or
assignment on it is a request to an UNTRUSTED worker process in the sandbox.
Run outside `grade` (``pytest grading/`` in the instructor repository),
:func:`student` imports the local package instead, so the tests can be
checked against the reference.

The style every hidden test follows
-----------------------------------
1. Get student code only through ``student("classifiers.linear_svm")``, inside
   each test (one broken module costs only its tests). Never ``import
   cs231n_lite`` (the judge refuses it) and never use the submission's own
   helpers (e.g. its ``gradient_check``): use :func:`num_grad` and your own
   reference formulas, written in the test file.
2. What comes back is a COPY: numbers, strings, tuples, lists, dicts and
   numpy arrays. Student objects (models, functions, iterators) come back
   as proxies. So set state by WHOLE ASSIGNMENT -- ``net.params = {...}``;
   ``net.params["W1"][0, 0] = 1.0`` changes a copy and is lost.
3. A gradient check perturbs YOUR array and assigns it::

       def f(w):                               # not: net.params["W1"][ix] += h
           net.params = {**params, "W1": w}
           return net.loss(X, y)[0]
       num = num_grad(f, params["W1"].copy())

4. Pass data by value; pass callables or objects only where the student API
   takes them (a loss function to ``random_search``, a model to a Solver).
   They stay in the judge; student code calls back into it. What it can
   reach: calls, public attributes of instances of your classes (a dict or
   list attribute is shared LIVE, so a Solver's ``model.params[p] = w``
   updates your model), item access. Never pass modules or objects holding
   expected values. If your callback raises, the test fails even when the
   student's code catches the error (it sees only the exception's type).
5. ``isinstance`` and ``type`` do not see through proxies: check returned
   data (``np.shape(x)``, ``np.asarray(x)``), not student objects.
6. "Does not modify its inputs": :func:`unchanged_inputs` calls a student
   function and fails the test if it changed an array/list/dict argument in
   place; :func:`changed_inputs` returns ``(value, names)`` for a test that
   words its own message. This one signal comes from the WORKER (the judge's arrays are never
   modified: the worker works on copies), so it is only as honest as the
   sandbox -- fine for teaching feedback, not a security check.
7. Each test has the rubric's ``timeout`` of wall time, student and judge time
   together; a hang, a crash or a dead sandbox fails only the running test.
"""

import importlib
import inspect

import numpy as np

_FAILED = {}


def _worker():
    try:
        from coursekit.grader.hidden_run import current_worker
    except ImportError:  # the student kit, or no coursekit at all
        return None
    return current_worker()


def student(module):
    """``student("classifiers.linear_svm")`` -> the submission's module (a proxy in `grade`)."""
    if module in _FAILED:  # an import that failed or hung fails every later test at once
        raise _FAILED[module]
    worker = _worker()
    try:
        if worker is None:
            return importlib.import_module("cs231n_lite." + module)
        return worker.import_module(module)
    except BaseException as err:
        if not isinstance(err, KeyboardInterrupt):
            _FAILED[module] = err
        raise


def _arrays(value, name):
    """(path, array) for every ndarray in ``value``, inside dicts, lists and tuples too."""
    if isinstance(value, np.ndarray):
        yield name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _arrays(item, name)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item, name)


def _local_changes(fn, args, kwargs):
    """In-process twin of the worker's tracking: (value, names of the parameters whose
    arrays -- or arrays inside a dict/list/tuple argument -- changed in place)."""
    try:
        named = dict(inspect.signature(fn).bind(*args, **kwargs).arguments)
    except (TypeError, ValueError):  # no signature: positional names
        named = {**{f"arg{i}": a for i, a in enumerate(args)}, **kwargs}
    before = [(name, arr, arr.copy()) for name, value in named.items()
              for _, arr in _arrays(value, name)]
    value = fn(*args, **kwargs)
    changed = []
    for name, arr, old in before:
        if (arr.shape != old.shape or not np.array_equal(arr, old, equal_nan=True)) \
                and name not in changed:
            changed.append(name)
    return value, changed


def changed_inputs(fn, *args, **kwargs):
    """``(fn(*args, **kwargs), names of the arguments it changed in place)``.

    Names are ``fn``'s parameter names (``"config"`` when an array inside the
    ``config`` dict changed). ``fn`` must be a student function (from
    ``student(...)``): in `grade` the check runs in the worker, where the
    call's arguments live.
    """
    worker = _worker()
    if worker is None:
        return _local_changes(fn, args, kwargs)
    return worker.call_tracked(fn, args, kwargs)


def unchanged_inputs(fn, *args, **kwargs):
    """``fn(*args, **kwargs)``; AssertionError if it changed an argument in place."""
    worker = _worker()
    if worker is None:
        value, changed = _local_changes(fn, args, kwargs)
    else:
        value, changed = worker.call_tracked(fn, args, kwargs)
    name = getattr(fn, "_ck_what", "").split(" ")[-1] or getattr(fn, "__name__", "the function")
    assert not changed, (f"{name} changed its input {', '.join(map(repr, changed))} in place; "
                         "work on a copy (callers keep using their arrays)")
    return value


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
