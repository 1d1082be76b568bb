"""Objects across the boundary: proxies of student objects, and what the worker may
do with the judge's objects.

Judge -> worker (a pickle, see :mod:`coursekit.grader.inside.wire`): data goes
by value (numbers, strings, bytes, tuples/lists/dicts/sets of data, numpy
arrays, scalars, dtypes and random generators, classes and functions of
builtins/numpy/math, which the worker resolves to its OWN copies); a student
object (a :class:`WorkerProxy`) goes as its id; anything else -- a test's
lambda, a ``functools.partial``, a model object -- goes as a HANDLE: the
worker gets a stand-in whose use calls back into the judge.

What the worker may do with a handle (everything else is refused):

* call it;
* get/set public attributes (no leading ``_``) of an instance of a class
  defined in Python code (a test's model object) -- not of functions,
  methods, generators, frames, modules or builtins, so no path leads to a
  test's globals;
* item access, ``len``, ``in``, iteration and the methods ``keys``,
  ``values``, ``items``, ``get`` of dicts and lists;
* an attribute that is a dict or list is shared LIVE (a Solver's
  ``model.params[p] = next_w`` updates the judge's model); modules, frames,
  code and tracebacks are never shared.
"""

from __future__ import annotations

import io
import pickle
import types

import numpy as np

from .failures import StaleObject

BY_VALUE = (type(None), bool, int, float, complex, str, bytes, bytearray, tuple, list, dict, set,
            frozenset, slice, range, type(Ellipsis), np.ndarray, np.generic, np.dtype,
            np.random.Generator, np.random.RandomState, np.random.BitGenerator,
            np.random.SeedSequence, pickle.PickleBuffer)
RESOLVED_BY_NAME = {"builtins", "numpy", "math", "copyreg", "_codecs"}
NEVER_SHARED = (types.ModuleType, types.FrameType, types.CodeType, types.TracebackType)
CONTAINERS = (dict, list, tuple)
CONTAINER_METHODS = {"keys", "values", "items", "get"}
REFLECTIVE = (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.GeneratorType,
              types.CoroutineType, types.AsyncGeneratorType, type, types.ModuleType, property)


def _resolved_by_name(obj) -> bool:
    """Classes and functions the worker imports itself (numpy's, math's, builtins)."""
    function_like = isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, np.ufunc)) \
        or type(obj).__name__ in ("cython_function_or_method", "fused_cython_function")
    if not function_like:
        return False
    module = getattr(obj, "__module__", None) or ""
    return module.split(".")[0] in RESOLVED_BY_NAME


class WorkerProxy:
    """A student object in the worker. Every use is a request; data reads are copies."""

    __slots__ = ("_ck_worker", "_ck_id", "_ck_gen", "_ck_what", "__weakref__")

    def __init__(self, worker, ident: int, what: str):
        for name, value in (("_ck_worker", worker), ("_ck_id", ident),
                            ("_ck_gen", worker.generation), ("_ck_what", what)):
            object.__setattr__(self, name, value)

    def _ck(self, op, **fields):
        return self._ck_worker.request(op, target=self, **fields)

    def __getattr__(self, name):
        if name.startswith("__"):  # numpy and friends probe dunders: never a request
            raise AttributeError(name)
        return self._ck("getattr", name=name)

    def __setattr__(self, name, value):
        self._ck("setattr", name=name, value=value)

    def __call__(self, *args, **kwargs):
        return self._ck("call", args=args, kwargs=kwargs)

    def __getitem__(self, key):
        return self._ck("getitem", key=key)

    def __setitem__(self, key, value):
        self._ck("setitem", key=key, value=value)

    def __delitem__(self, key):
        self._ck("delitem", key=key)

    def __len__(self):
        return self._ck("len")

    def __contains__(self, key):
        return self._ck("contains", key=key)

    def __bool__(self):
        return self._ck("bool")

    def __iter__(self):
        return self._ck("iter")

    def __next__(self):
        return self._ck("next")

    def __repr__(self):
        return f"<student {self._ck_what}>"

    def __del__(self):
        try:
            self._ck_worker.release(self._ck_id, self._ck_gen)
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


class _Method:
    """``live_dict.items`` for the worker: views come back as lists."""

    def __init__(self, container, name):
        self.bound = getattr(container, name)

    def __call__(self, *args, **kwargs):
        value = self.bound(*args, **kwargs)
        return list(value) if isinstance(value, (type({}.keys()), type({}.values()),
                                                 type({}.items()))) else value


def _is_plain_instance(obj) -> bool:
    return hasattr(obj, "__dict__") and not isinstance(obj, REFLECTIVE) \
        and type(obj).__module__ not in ("builtins", "functools", "types")


def public_getattr(obj, name):
    """The worker reads ``obj.name`` (policy in the module docstring)."""
    if not isinstance(name, str) or name.startswith("_"):
        raise AttributeError("only public attributes of the grader's objects are shared")
    if isinstance(obj, (dict, list)) and name in CONTAINER_METHODS:
        return _Method(obj, name)
    if not _is_plain_instance(obj):
        raise AttributeError(f"attributes of a {type(obj).__name__} are not shared")
    value = getattr(obj, name)
    return Live(value) if isinstance(value, (dict, list)) else value


def public_setattr(obj, name, value) -> None:
    if not isinstance(name, str) or name.startswith("_") or not _is_plain_instance(obj):
        raise AttributeError("only public attributes of the grader's objects can be set")
    setattr(obj, name, value)


def item_target(obj):
    if not isinstance(obj, CONTAINERS) and not _is_plain_instance(obj):
        raise TypeError(f"a {type(obj).__name__} of the grader's is not a container")
    return obj


class Live:
    """A dict or list to send as a handle (shared live), not by value."""

    def __init__(self, value):
        self.value = value


class Pickler(pickle.Pickler):
    """Judge -> worker: data by value, student objects by id, the rest as handles."""

    def __init__(self, file, worker):
        super().__init__(file, protocol=5)
        self.worker = worker

    def persistent_id(self, obj):
        if isinstance(obj, WorkerProxy):
            if obj._ck_gen != self.worker.generation:
                raise StaleObject()
            return ("w", obj._ck_id)
        if isinstance(obj, Live):
            return ("j", self.worker.share(obj.value))
        if isinstance(obj, NEVER_SHARED):
            raise TypeError(f"a {type(obj).__name__} is never shared with student code")
        if isinstance(obj, BY_VALUE) or _resolved_by_name(obj):
            return None
        return ("j", self.worker.share(obj))


def dumps(message: dict, worker) -> bytes:
    buf = io.BytesIO()
    buf.write(b"P")
    Pickler(buf, worker).dump(message)
    return buf.getvalue()

