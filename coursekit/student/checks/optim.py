"""Public checks of the optim part: two hand-computed steps per rule, no side effects,
and convergence on a quadratic bowl.

Every rule starts at w = [1, -2] with the constant gradient dw = [0.5, -1]
and learning_rate 0.1 (epsilon 1e-8 is negligible). The expected positions
after one and two steps follow from the formulas in cs231n_lite/optim.py by
hand, e.g. for Adam both bias-corrected steps move each coordinate by exactly
learning_rate against the sign of its gradient.
"""

from __future__ import annotations

import numpy as np

from .base import Wrong, check, expect_array, expect_close

MOD = "cs231n_lite.optim"
W0 = np.array([1.0, -2.0])
DW = np.array([0.5, -1.0])

# rule -> (extra config, w after step 1, w after step 2, state keys)
CASES = {
    "sgd": ({}, [0.95, -1.9], [0.9, -1.8], ()),
    "sgd_momentum": ({"momentum": 0.9}, [0.95, -1.9], [0.855, -1.71], ("velocity",)),
    "nesterov": ({"momentum": 0.9}, [0.905, -1.81], [0.7695, -1.539], ("velocity",)),
    "adagrad": ({}, [0.9, -1.9], [0.9 - 0.05 / np.sqrt(0.5), -1.9 + 0.1 / np.sqrt(2.0)], ("cache",)),
    "rmsprop": ({"decay_rate": 0.99}, [0.0, -1.0],
                [-0.1 / np.sqrt(0.0199), -1.0 + 0.1 / np.sqrt(0.0199)], ("cache",)),
    "adam": ({}, [0.9, -1.9], [0.8, -1.8], ("m", "v", "t")),
}


def _two_steps(rule, name):
    extra, step1, step2, state = CASES[name]
    config = {"learning_rate": 0.1, **extra}
    w, config_in = W0.copy(), dict(config)
    where = f"for w={W0.tolist()}, dw={DW.tolist()}, config={config}"
    out = rule(w, DW.copy(), config_in)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
        raise Wrong(f"should return (next_w, config) {where}")
    w1, config1 = out
    if not np.array_equal(w, W0):
        raise Wrong(f"it modified the caller's w in place {where}; return a new array")
    expect_close("next_w after one step", expect_array("next_w", w1, (2,), where), step1,
                 where, rtol=1e-6, atol=1e-6)
    missing = [k for k in state if k not in config1]
    if missing:
        raise Wrong(f"the returned config lacks the state {missing} {where}")
    where2 = where + ", then the same dw again with the returned config"
    w2, _ = rule(np.asarray(w1).copy(), DW.copy(), config1)
    expect_close("next_w after two steps", expect_array("next_w", w2, (2,), where2), step2,
                 where2, rtol=1e-6, atol=1e-6)


def _converges(rule, name):
    """f(w) = 0.5 |A w|^2 with A = diag(1, 3): 300 steps must shrink f 100-fold."""
    scale = np.array([1.0, 3.0])
    w, config = np.array([1.0, 1.0]), {"learning_rate": 0.05 if name != "adam" else 0.02}
    f0 = 0.5 * np.sum((scale * w) ** 2)
    for _ in range(300):
        w, config = rule(w, scale**2 * w, config)
    f = 0.5 * np.sum((scale * np.asarray(w)) ** 2)
    if not np.isfinite(f) or f > f0 / 100:
        raise Wrong(f"300 steps on the bowl 0.5 * (w0**2 + 9 w1**2) from [1, 1] "
                    f"(lr {config.get('learning_rate')}) should shrink it from {f0:.3g} "
                    f"below {f0 / 100:.3g}, got {f:.3g}")


def _register(name):
    @check("optim", MOD, name)
    def run(m):
        rule = getattr(m, name)
        _two_steps(rule, name)
        _converges(rule, name)
    run.__name__ = name
    return run


for _name in CASES:
    _register(_name)
