"""Test images shared by test_features.py and test_fast_features.py."""

import numpy as np


def random_images(n, seed=0, h=32, w=32):
    """uint8 images: half noise, half smooth ramps (long runs of equal gradients)."""
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 256, (n - n // 2, h, w, 3), dtype=np.uint8)
    r, c = np.mgrid[:h, :w]
    a = rng.integers(-4, 5, (n // 2, 1, 1, 3))
    b = rng.integers(-4, 5, (n // 2, 1, 1, 3))
    smooth = np.clip(128 + a * r[..., None] + b * c[..., None], 0, 255).astype(np.uint8)
    return np.concatenate([noise, smooth])


def tricky_images(n, seed):
    """Random images with grey pixels (saturation 0) and ties between channels."""
    X = random_images(n, seed).copy()
    rng = np.random.default_rng(seed)
    grey = rng.random(X.shape[:3]) < 0.2
    X[grey] = X[grey][:, :1]
    tie = rng.random(X.shape[:3]) < 0.2
    X[tie, 1] = X[tie, 0]
    return X
