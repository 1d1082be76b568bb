"""Input validation shared by every function in the kit.

Every check raises :class:`InputError` (a ``ValueError``) whose message names
the argument, says what was expected, what arrived, and how to fix it, e.g.::

    y must have shape (N,), got (500, 1); use y.ravel()

Functions return the validated array (converted with ``np.asarray``) so a
caller can write ``X = check_array(X, "X", ndim=2)``.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "InputError",
    "NotTrainedError",
    "check_array",
    "check_labels",
    "check_same_length",
    "check_int",
    "check_positive",
    "check_trained",
]


class InputError(ValueError):
    """Bad input to a kit function; the message says what to change."""


class NotTrainedError(InputError):
    """A model was asked to predict before it was trained."""


def _shape_str(shape) -> str:
    parts = ["N" if s is None else str(s) for s in shape]
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def check_array(
    x,
    name: str,
    *,
    ndim: int | tuple[int, ...] | None = None,
    shape: tuple | None = None,
    numeric: bool = True,
    finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """Validate an array argument and return it as an ndarray.

    Parameters
    ----------
    x : array_like
        The argument to check.
    name : str
        The argument's name, used in the error message.
    ndim : int or tuple of int, optional
        Allowed number of dimensions.
    shape : tuple of (int or None), optional
        Expected shape; ``None`` entries match any size. Implies ``ndim``.
    numeric : bool
        Require a real numeric dtype (bool, int, uint or float).
    finite : bool
        Reject NaN and infinity (only checked for float arrays).
    allow_empty : bool
        Accept arrays with zero elements.

    Raises
    ------
    InputError
        When any requirement fails; the message names ``name``.
    """
    if x is None:
        raise InputError(f"{name} is None; pass a numpy array")
    arr = np.asarray(x)
    if numeric and arr.dtype.kind not in "biuf":
        raise InputError(
            f"{name} must be a real numeric array, got dtype {arr.dtype}; "
            f"convert it with np.asarray({name}, dtype=float)"
        )
    if shape is not None:
        ndim = len(shape)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            hint = ""
            if shape is not None and len(shape) == 1 and arr.ndim == 2 and 1 in arr.shape:
                hint = f"; use {name}.ravel()"
            elif shape is not None:
                hint = f"; expected shape {_shape_str(shape)}"
            raise InputError(
                f"{name} must be {want}, got {arr.ndim}-D with shape {arr.shape}{hint}"
            )
    if shape is not None:
        for got, want in zip(arr.shape, shape):
            if want is not None and got != want:
                raise InputError(
                    f"{name} must have shape {_shape_str(shape)}, got {arr.shape}"
                )
    if not allow_empty and arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape}); pass at least one sample")
    if finite and arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise InputError(
            f"{name} contains {bad} NaN or infinite value(s); "
            f"clean the data (e.g. np.nan_to_num) or check the step that produced it"
        )
    return arr


def check_labels(
    y,
    name: str = "y",
    *,
    num_samples: int | None = None,
    num_classes: int | None = None,
) -> np.ndarray:
    """Validate integer class labels of shape (N,) with values in [0, C).

    (N, 1) labels are rejected: broadcast against (N,) predictions they give
    an (N, N) comparison and a silently wrong accuracy.
    """
    if y is None:
        raise InputError(f"{name} is None; pass integer labels of shape (N,)")
    arr = np.asarray(y)
    if arr.ndim != 1:
        fix = f"use {name}.ravel()" if arr.ndim == 2 and 1 in arr.shape else "pass one label per sample"
        raise InputError(f"{name} must have shape (N,), got {arr.shape}; {fix}")
    if arr.size and arr.dtype.kind not in "iu":
        if arr.dtype.kind in "fb" and np.isfinite(arr).all() and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise InputError(
                f"{name} must hold integer class labels, got dtype {arr.dtype}; "
                f"use {name}.astype(int) if the values are whole numbers"
            )
    if num_samples is not None and arr.shape[0] != num_samples:
        raise InputError(
            f"{name} must have one label per sample: expected shape ({num_samples},), "
            f"got {arr.shape}"
        )
    if arr.size:
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or (num_classes is not None and hi >= num_classes):
            rng = f"[0, {num_classes - 1}]" if num_classes is not None else ">= 0"
            raise InputError(
                f"{name} holds labels out of range: expected values in {rng}, "
                f"got min {lo}, max {hi}"
            )
    return arr


def check_same_length(a, a_name: str, b, b_name: str) -> None:
    """Require ``len(a) == len(b)`` (e.g. one label per row of X)."""
    if len(a) != len(b):
        raise InputError(
            f"{a_name} and {b_name} must have the same number of samples, "
            f"got {len(a)} and {len(b)}"
        )


def check_int(value, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """Validate an integer argument within ``[low, high]``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    value = int(value)
    if low is not None and value < low:
        raise InputError(f"{name} must be >= {low}, got {value}")
    if high is not None and value > high:
        raise InputError(f"{name} must be <= {high}, got {value}")
    return value


def check_positive(value, name: str, *, strict: bool = True) -> float:
    """Validate a real number that is > 0 (``strict``) or >= 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or (value <= 0 if strict else value < 0):
        raise InputError(f"{name} must be {'> 0' if strict else '>= 0'}, got {value}")
    return value


def check_trained(model, attr: str) -> None:
    """Raise :class:`NotTrainedError` if ``model.<attr>`` is still None."""
    if getattr(model, attr, None) is None:
        cls = type(model).__name__
        raise NotTrainedError(
            f"{cls} is not trained yet ({attr} is None); call {cls}.train(X, y) before predict"
        )
