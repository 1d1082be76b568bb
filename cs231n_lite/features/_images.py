"""Checks and helpers shared by the feature modules: image arrays, bins, cells, chunks."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from ..validation import InputError, check_array, check_int, check_positive


def _check_images(x, name, *, batch, channels=(3,), allow_gray=False):
    """Validate one image (H, W, C) or a batch (N, H, W, C); return the array."""
    lead = 1 if batch else 0
    ndims = (lead + 2, lead + 3) if allow_gray else (lead + 3,)
    form = ("(N, H, W, 3)" if batch else "(H, W, 3)") + (
        " or grayscale " + ("(N, H, W)" if batch else "(H, W)") if allow_gray else "")
    arr = check_array(x, name, ndim=ndims)
    if arr.ndim == lead + 3 and arr.shape[-1] not in channels:
        raise InputError(
            f"{name} must have {' or '.join(map(str, channels))} colour channels "
            f"in the last axis, {form}, got shape {arr.shape}")
    return arr


def _check_range(im, name, xmax):
    """Pixel values must lie in [0, xmax] (the colour histogram divides by xmax)."""
    lo, hi = float(im.min()), float(im.max())
    if lo < 0 or hi > xmax:
        raise InputError(
            f"{name} values must lie in [0, xmax={xmax}], got min {lo}, max {hi}; "
            f"pass xmax=1 for images scaled to [0, 1]")


def _hue_edges(nbin, xmin, xmax):
    """Bin edges ``np.linspace(xmin, xmax, nbin + 1)`` after checking the arguments."""
    nbin = check_int(nbin, "nbin", low=1)
    if not check_positive(xmax, "xmax") > check_positive(xmin, "xmin", strict=False):
        raise InputError(f"xmin must be < xmax, got xmin={xmin}, xmax={xmax}")
    return np.linspace(xmin, xmax, nbin + 1)


def _cell_size(pixels_per_cell, height, width, name="im"):
    """Validate ``pixels_per_cell`` (int or square (p, p)) against the image size."""
    p = pixels_per_cell
    if isinstance(p, (tuple, list, np.ndarray)):
        if len(p) != 2 or p[0] != p[1]:
            raise InputError(
                f"pixels_per_cell must be an int or a square (p, p) pair, got {tuple(p)}; "
                f"non-square cells are not supported")
        p = p[0]
    p = check_int(p, "pixels_per_cell", low=1)
    if height % p or width % p:
        raise InputError(
            f"{name} size {height}x{width} must be divisible by pixels_per_cell={p}; "
            f"crop or resize the image (e.g. im[:{height // p * p}, :{width // p * p}])")
    return p


def _default_jobs(n_jobs):
    if n_jobs is None:
        return os.cpu_count() or 1
    return check_int(n_jobs, "n_jobs", low=1)


def _map_chunks(fn, imgs, chunk_size, n_jobs):
    """Apply ``fn`` to consecutive chunks of ``imgs``; concatenate the results."""
    chunk_size = check_int(chunk_size, "chunk_size", low=1)
    n_jobs = _default_jobs(n_jobs)
    chunks = [imgs[i:i + chunk_size] for i in range(0, len(imgs), chunk_size)]
    if n_jobs == 1 or len(chunks) == 1:
        return np.concatenate([fn(c) for c in chunks])
    with ThreadPoolExecutor(max_workers=min(n_jobs, len(chunks))) as pool:
        return np.concatenate(list(pool.map(fn, chunks)))
