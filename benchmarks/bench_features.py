#!/usr/bin/env python
"""Speed and accuracy of cs231n_lite.features (HOG + hue histogram) on CIFAR-10.

Usage::

    .venv/bin/python benchmarks/bench_features.py --data DIR     # DIR holds cifar-10-batches-py
    .venv/bin/python benchmarks/bench_features.py --data DIR --quick   # small sizes, ~1 min
    .venv/bin/python benchmarks/bench_features.py                # speed only, random images

1. Speed: HOG (9 orientations, 8x8 cells) + hue histogram (10 bins) for all
   60000 CIFAR-10 images (train + test), batched and threaded, against
   scikit-image's ``hog`` (orientations=9, pixels_per_cell=(8, 8),
   cells_per_block=(1, 1)) on a subset, and the per-image ``hog_feature``.
2. Accuracy (needs --data): the features standardised (train mean / std) and
   classified by LinearSVM, Softmax (+ bias column) and TwoLayerNet, each with
   a small grid search on the 1000 validation images; raw pixels with the
   same linear search as the baseline. Test accuracy on the 10000 test images.

Prints markdown tables with the goal of each row. Wall-clock times: run it on
a quiet machine. With --strict the exit status is 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from cs231n_lite.fast.features import color_histogram_hsv_batch, hog_features_batch  # noqa: E402
from cs231n_lite.features import color_histogram_hsv, extract_features, hog_feature, rgb_to_gray  # noqa: E402

SIZES = {  # images for: the batched speed runs, skimage and per-image loops, training
    "full": dict(speed=60000, subset=2000, train=49000, net_iters=3000, linear_iters=1500),
    "quick": dict(speed=6000, subset=300, train=4900, net_iters=300, linear_iters=300),
}
NUM_VAL = 1000  # validation rows after the training rows, as in CS231n
GOALS = dict(total_s=6.0, speedup=5.0, linear=0.47, net=0.58)
HOG = dict(orientations=9, pixels_per_cell=8)
NBIN = 10
LINEAR_GRID = dict(learning_rate=[3e-3, 1e-2], reg=[1e-4, 1e-2])  # standardised features
NET_GRID = dict(learning_rate=[0.1, 0.3], reg=[1e-4, 1e-3])
NET = dict(hidden_dim=500, weight_scale=1e-2, learning_rate_decay=0.95, batch_size=200)


# --------------------------------------------------------------------- data
def load_cifar10(root):
    """uint8 (N, 32, 32, 3) images and int64 labels from CIFAR-10's python format."""
    root = Path(root)
    if (root / "cifar-10-batches-py").is_dir():
        root = root / "cifar-10-batches-py"

    def batch(name):
        with open(root / name, "rb") as f:
            d = pickle.load(f, encoding="bytes")
        X = d[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # stored channel-major
        return np.ascontiguousarray(X), np.asarray(d[b"labels"], dtype=np.int64)

    parts = [batch(f"data_batch_{i}") for i in range(1, 6)]
    X_test, y_test = batch("test_batch")
    return (np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
            X_test, y_test)


def timed(fn, *args, **kwargs):
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


# -------------------------------------------------------------------- speed
def speed_rows(X, subset):
    """Rows (what, images, seconds) of the speed table."""
    n, sub = len(X), X[:subset]
    rows = []
    _, t = timed(hog_features_batch, X, **HOG)
    rows.append(("hog_features_batch (all cores)", n, t))
    _, t = timed(hog_features_batch, X, n_jobs=1, **HOG)
    rows.append(("hog_features_batch (1 thread)", n, t))
    _, t = timed(color_histogram_hsv_batch, X, nbin=NBIN)
    rows.append(("color_histogram_hsv_batch", n, t))
    _, t = timed(lambda: (hog_features_batch(X, **HOG), color_histogram_hsv_batch(X, nbin=NBIN)))
    rows.append(("fast twins HOG + hue (total)", n, t))
    _, t = timed(extract_features, sub, [hog_feature, color_histogram_hsv])
    rows.append(("extract_features HOG + hue, image by image", len(sub), t))
    _, t = timed(lambda: [hog_feature(im, **HOG) for im in sub])
    rows.append(("hog_feature, image by image", len(sub), t))
    _, t = timed(lambda: [color_histogram_hsv(im, nbin=NBIN) for im in sub])
    rows.append(("color_histogram_hsv, image by image", len(sub), t))
    try:
        from skimage.feature import hog
    except ImportError:
        print("scikit-image not installed: no peer rows (pip install -e '.[bench]')")
        return rows
    sk = dict(orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1))
    gray = rgb_to_gray(sub)
    _, t = timed(lambda: [hog(g, **sk) for g in gray])
    rows.append(("skimage hog, grayscale input", len(sub), t))
    _, t = timed(lambda: [hog(im, channel_axis=-1, **sk) for im in sub])
    rows.append(("skimage hog, RGB input (channel_axis=-1)", len(sub), t))
    return rows


def speed_table(rows, full):
    ms = {what: 1000 * t / n for what, n, t in rows}
    peer = ms.get("skimage hog, grayscale input")  # the faster peer: conservative ratio
    met = []
    print("| what | images | seconds | ms / image | skimage (gray) / this | goal | met |")
    print("|---|---:|---:|---:|---:|---|---|")
    for what, n, t in rows:
        goal, ok = "", None
        if what.startswith("hog_features_batch (all") and peer:
            goal, ok = f">= {GOALS['speedup']:g}x faster than skimage", peer / ms[what] >= GOALS["speedup"]
        elif what.startswith("fast twins") and full:
            goal, ok = f"<= {GOALS['total_s']:g} s for 60000", t <= GOALS["total_s"]
        ratio = f"{peer / ms[what]:.1f}x" if peer else "-"
        mark = "" if ok is None else ("yes" if ok else "NO")
        print(f"| {what} | {n} | {t:.2f} | {ms[what]:.4f} | {ratio} | {goal} | {mark} |")
        if ok is not None:
            met.append(ok)
    return met


# ----------------------------------------------------------------- accuracy
def standardise(train, *others, bias):
    mu, sd = train.mean(axis=0), train.std(axis=0) + 1e-8
    out = [((A - mu) / sd).astype(np.float32) for A in (train, *others)]
    return [np.hstack([A, np.ones((len(A), 1), np.float32)]) for A in out] if bias else out


def search(make_and_train, grid, X_val, y_val):
    """Best (val accuracy, params, model) over the grid's cartesian product."""
    best = (-1.0, None, None)
    for values in itertools.product(*grid.values()):
        params = dict(zip(grid, values))
        model = make_and_train(**params)
        acc = float(np.mean(model.predict(X_val) == y_val))
        best = max(best, (acc, params, model), key=lambda b: b[0])
    return best


def linear_rows(name, Xtr, ytr, Xval, yval, Xte, yte, iters):
    from cs231n_lite.classifiers.linear_classifier import LinearSVM, Softmax
    rows = []
    for cls in (LinearSVM, Softmax):
        def fit(learning_rate, reg, cls=cls):
            clf = cls()
            clf.train(Xtr, ytr, learning_rate=learning_rate, reg=reg, num_iters=iters,
                      batch_size=200, verbose=False, seed=0)
            return clf
        (acc, params, clf), t = timed(search, fit, LINEAR_GRID, Xval, yval)
        rows.append((name, cls.__name__, params, acc, float(np.mean(clf.predict(Xte) == yte)), t))
    return rows


def net_row(Xtr, ytr, Xval, yval, Xte, yte, iters):
    from cs231n_lite.classifiers.two_layer_net import TwoLayerNet

    def fit(learning_rate, reg):
        net = TwoLayerNet(Xtr.shape[1], NET["hidden_dim"], 10, weight_scale=NET["weight_scale"],
                          reg=reg, seed=0, dtype=np.float32)
        net.train(Xtr, ytr, Xval, yval, learning_rate=learning_rate,
                  learning_rate_decay=NET["learning_rate_decay"], reg=reg, num_iters=iters,
                  batch_size=NET["batch_size"])
        return net
    (acc, params, net), t = timed(search, fit, NET_GRID, Xval, yval)
    return ("HOG + hue", "TwoLayerNet", params, acc, float(np.mean(net.predict(Xte) == yte)), t)


def accuracy_table(data, size):
    X, y, X_test, y_test = data
    n = size["train"]
    Xtr, ytr, Xval, yval = X[:n], y[:n], X[n:n + NUM_VAL], y[n:n + NUM_VAL]
    fns = [hog_feature, color_histogram_hsv]
    F = [extract_features(A, fns) for A in (Xtr, Xval, X_test)]
    raw = [A.reshape(len(A), -1).astype(np.float64) for A in (Xtr, Xval, X_test)]
    lin = lambda feats, name: linear_rows(  # noqa: E731
        name, feats[0], ytr, feats[1], yval, feats[2], y_test, size["linear_iters"])
    rows = lin(standardise(*raw, bias=True), "raw pixels")
    rows += lin(standardise(*F, bias=True), "HOG + hue")
    Fn = standardise(*F, bias=False)
    rows.append(net_row(Fn[0], ytr, Fn[1], yval, Fn[2], y_test, size["net_iters"]))
    met = []
    print(f"\ntrain {len(Xtr)}, val {len(Xval)}, test {len(X_test)}; features: HOG "
          f"{HOG} + hue histogram ({NBIN} bins) = {F[0].shape[1]} numbers")
    print("| features | classifier | best params (val) | val acc | test acc | seconds | goal | met |")
    print("|---|---|---|---:|---:|---:|---|---|")
    for feats, clf, params, val, test, t in rows:
        goal = GOALS["net"] if clf == "TwoLayerNet" else GOALS["linear"]
        graded = feats == "HOG + hue"
        mark = ("yes" if test >= goal else "NO") if graded else ""
        if graded and clf != "Softmax":  # the goal is for the best linear model and the net
            met.append(test >= goal)
        p = ", ".join(f"{k}={v:g}" for k, v in params.items())
        print(f"| {feats} | {clf} | {p} | {val:.3f} | {test:.3f} | {t:.1f} | "
              f"{'>= %.2f' % goal if graded else ''} | {mark} |")
    return met


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", help="folder holding cifar-10-batches-py/ (else: speed only, "
                                  "on random images)")
    p.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    p.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = p.parse_args(argv)
    size = SIZES["quick" if args.quick else "full"]
    data = None
    if args.data:
        root = Path(args.data)
        if not (root / "cifar-10-batches-py").is_dir() and not (root / "data_batch_1").is_file():
            p.error(f"--data {root}: no cifar-10-batches-py/ there; run datasets/get_cifar10.sh")
        data = load_cifar10(root)
        X = np.concatenate([data[0], data[2]])[:size["speed"]]
        source = f"CIFAR-10 from {root}"
    else:
        X = np.random.default_rng(0).integers(0, 256, (size["speed"], 32, 32, 3), dtype=np.uint8)
        source = "random uint8 images (no --data)"
    print(f"# features benchmark: {source}, {os.cpu_count()} cores, numpy {np.__version__}\n")
    met = speed_table(speed_rows(X, size["subset"]), full=len(X) >= 60000)
    if data is not None:
        met += accuracy_table(data, size)
    else:
        print("\n(accuracy skipped: pass --data DIR)")
    return 1 if args.strict and not all(met) else 0


if __name__ == "__main__":
    sys.exit(main())
