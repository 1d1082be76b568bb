"""Public checks of the optim part: every update rule of the optimizers notebook
(``sgd`` is the svm notebook's and is checked there).

Each rule runs two steps from the (2, 2) weight ``W0``: gradient ``G1`` at
learning rate 0.1, then ``G2`` with the returned config and the learning rate
set to 0.05, as a training loop with a schedule does. A rule is run at its
defaults, then with each of its hyperparameters at another value. The
expected positions and states are constants, worked out once from the
formulas in the docstrings of cs231n_lite/optim.py (exact decimals where the
square roots are exact, else 10 significant digits; epsilon 1e-8 is below the
tolerance where it is left at its default): nothing here computes a rule. Around every call the check makes sure the
caller's ``w``, ``dw`` and config (its state arrays included) are unchanged,
and that the returned state has the documented keys and ``w``'s shape. Then
float32 in, float32 out, and convergence on a quadratic bowl.

Where a wrong result is exactly what a typical mistake gives (a keyword
ignored, epsilon inside the square root, AdaGrad's cache in RMSProp, Adam
without bias correction, ...), the message says so.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .base import Wrong, check, fmt

MOD = "cs231n_lite.optim"
W0 = np.array([[1.0, -2.0], [0.5, 3.0]])
G1 = np.array([[0.3, -0.6], [1.2, 0.8]])
G2 = np.array([[0.4, 0.8], [0.5, -0.6]])
LR1, LR2 = 0.1, 0.05
RTOL, ATOL = 1e-6, 1e-6

DEFAULTS = {"momentum": 0.9, "decay_rate": 0.99, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
STATE = {"sgd_momentum": ("velocity",), "nesterov": ("velocity",), "adagrad": ("cache",),
         "rmsprop": ("cache",), "adam": ("m", "v", "t")}

# Shared expected states (they do not depend on the keyword a case changes).
V_09 = ([[-0.03, 0.06], [-0.12, -0.08]], [[-0.047, 0.014], [-0.133, -0.042]])  # momentum 0.9
V_05 = ([[-0.03, 0.06], [-0.12, -0.08]], [[-0.035, -0.01], [-0.085, -0.01]])  # momentum 0.5
C_SUM = ([[0.09, 0.36], [1.44, 0.64]], [[0.25, 1.0], [1.69, 1.0]])  # AdaGrad's cache
C_099 = ([[0.0009, 0.0036], [0.0144, 0.0064]], [[0.002491, 0.009964], [0.016756, 0.009936]])
C_075 = ([[0.0225, 0.09], [0.36, 0.16]], [[0.056875, 0.2275], [0.3325, 0.21]])
M_09 = ([[0.03, -0.06], [0.12, 0.08]], [[0.067, 0.026], [0.158, 0.012]])
M_05 = ([[0.15, -0.3], [0.6, 0.4]], [[0.275, 0.25], [0.55, -0.1]])
V_0999 = ([[9e-05, 0.00036], [0.00144, 0.00064]], [[0.00024991, 0.00099964], [0.00168856, 0.00099936]])
V_075 = ([[0.0225, 0.09], [0.36, 0.16]], [[0.056875, 0.2275], [0.3325, 0.21]])


def _states(**per_key):
    """(state after step 1, state after step 2) from key -> (value 1, value 2)."""
    return tuple({k: v[i] for k, v in per_key.items()} for i in range(2))


def _adam_states(m, v):
    s1, s2 = _states(m=m, v=v)
    return {**s1, "t": 1}, {**s2, "t": 2}


class Case(NamedTuple):
    label: str  # "at the defaults", "with momentum=0.5"
    hyper: dict  # hyperparameters besides learning_rate
    w: tuple  # expected next_w after step 1 and after step 2
    state: tuple  # expected state after step 1 and after step 2
    # typical mistakes: (step, "next_w" or a state key, the value the mistake gives, what to fix)
    wrong: tuple = ()


EPS_OUTSIDE = "add epsilon to sqrt(...) outside the square root, as the docstring writes it"
NOT_BIAS_CORRECTED = ("m and v are not bias-corrected: the step uses m_hat = m / (1 - beta1**t) and "
                      "v_hat = v / (1 - beta2**t), with t = 1 at the first step")
KEEP_AVERAGE = ("that is {0}_hat: keep the moving average {0} itself in the state (the bias "
                "correction is for the step only)")

# rule -> its cases; the first at the defaults, then one per hyperparameter (same inputs).
CASES = {
    "sgd_momentum": [
        Case("at the defaults", {},
             ([[0.97, -1.94], [0.38, 2.92]], [[0.923, -1.926], [0.247, 2.878]]), _states(velocity=V_09)),
        Case("with momentum=0.5", {"momentum": 0.5},
             ([[0.97, -1.94], [0.38, 2.92]], [[0.935, -1.95], [0.295, 2.91]]), _states(velocity=V_05)),
    ],
    "nesterov": [
        Case("at the defaults", {},
             ([[0.943, -1.886], [0.272, 2.848]], [[0.8807, -1.9134], [0.1273, 2.8402]]),
             _states(velocity=V_09),
             [(1, "next_w", [[0.97, -1.94], [0.38, 2.92]],
               "that is plain momentum's step w + v (Sutskever's form, which updates theta): this "
               "rule returns the look-ahead point, next_w = w - momentum * v_prev + (1 + momentum) * v")]),
        Case("with momentum=0.5", {"momentum": 0.5},
             ([[0.955, -1.91], [0.32, 2.88]], [[0.9175, -1.955], [0.2525, 2.905]]), _states(velocity=V_05)),
    ],
    "adagrad": [
        Case("at the defaults", {},
             ([[0.9, -1.9], [0.4, 2.9]], [[0.86, -1.94], [0.3807692308, 2.93]]), _states(cache=C_SUM)),
        Case("with epsilon=0.5", {"epsilon": 0.5},
             ([[0.9625, -1.945454545], [0.4294117647, 2.938461538]],
              [[0.9425, -1.972121212], [0.4155228758, 2.958461538]]), _states(cache=C_SUM),
             [(1, "next_w", [[0.9609433267, -1.935300336], [0.413845021, 2.925073135]],
               "that is dw / sqrt(cache + epsilon): " + EPS_OUTSIDE)]),
    ],
    "rmsprop": [
        Case("at the defaults", {},
             ([[0.0, -1.0], [-0.5, 2.0]], [[-0.4007219499, -1.40072195], [-0.6931322646, 2.300964633]]),
             _states(cache=C_099),
             [(1, "next_w", [[0.9, -1.9], [0.4, 2.9]],
               "that is AdaGrad's step (cache = cache + dw**2): RMSProp's cache is the leaky average "
               "decay_rate * cache + (1 - decay_rate) * dw**2")]),
        Case("with decay_rate=0.75", {"decay_rate": 0.75},
             ([[0.8, -1.8], [0.3, 2.8]], [[0.7161372131, -1.883862787], [0.2566445015, 2.865465367]]),
             _states(cache=C_075)),
        Case("with epsilon=0.5", {"epsilon": 0.5},
             ([[0.9433962264, -1.892857143], [0.3064516129, 2.862068966]],
              [[0.9070266333, -1.959543834], [0.266734082, 2.912095689]]), _states(cache=C_099),
             [(1, "next_w", [[0.9576117254, -1.915451017], [0.332686584, 2.887580115]],
               "that is dw / sqrt(cache + epsilon): " + EPS_OUTSIDE)]),
    ],
    "adam": [
        Case("at the defaults", {},
             ([[0.9, -1.9], [0.4, 2.9]], [[0.8501338561, -1.90967552], [0.3547600997, 2.89553375]]),
             _adam_states(M_09, V_0999),
             [(1, "next_w", [[0.683772234, -1.683772234], [0.183772234, 2.683772234]], NOT_BIAS_CORRECTED),
              (1, "m", G1, KEEP_AVERAGE.format("m")), (1, "v", G1**2, KEEP_AVERAGE.format("v"))]),
        Case("with beta1=0.5", {"beta1": 0.5},
             ([[0.9, -1.9], [0.4, 2.9]], [[0.848149134, -1.923568575], [0.3601048981, 2.909428751]]),
             _adam_states(M_05, V_0999)),
        Case("with beta2=0.75", {"beta2": 0.75},
             ([[0.9, -1.9], [0.4, 2.9]], [[0.8510987985, -1.909488293], [0.3523056764, 2.895441972]]),
             _adam_states(M_09, V_075)),
        Case("with epsilon=0.5", {"epsilon": 0.5},
             ([[0.9625, -1.945454545], [0.4294117647, 2.938461538]],
              [[0.9418439196, -1.951122499], [0.4001117688, 2.935845345]]), _adam_states(M_09, V_0999),
             [(1, "next_w", [[0.9609433267, -1.935300336], [0.413845021, 2.925073135]],
               "that is m_hat / sqrt(v_hat + epsilon): " + EPS_OUTSIDE)]),
    ],
}

# Adam's bias correction on its own: gradients 0.1 to 40 in size, one step at learning_rate 0.1.
G_BIAS = np.array([[0.1, -40.0], [2.5, -0.5]])
BIAS_W1 = [[0.9, -1.9], [0.4, 3.1]]
BIAS_NO_CORRECTION = [[0.683772234, -1.683772234], [0.183772234, 3.316227766]]


def _where(hyper, step):
    config = {"learning_rate": LR1, **hyper}
    if step == 1:
        return f"for w={fmt(W0)}, dw={fmt(G1)}, config={config}"
    return (f"for the second step (first: w={fmt(W0)}, dw={fmt(G1)}, config={config}; then "
            f"dw={fmt(G2)} with the returned config and learning_rate set to {LR2})")


def _snapshot(config):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v) for k, v in config.items()}


def _call(name, rule, w, dw, config, where):
    """One call of the rule; the caller's w, dw and config must come back unchanged."""
    w_before, dw_before, config_before = w.copy(), dw.copy(), _snapshot(config)
    with np.errstate(all="ignore"):  # a NaN step is reported below, in words
        out = rule(w, dw, config)
    if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
        raise Wrong(f"{name} should return (next_w, config) {where}, got {type(out).__name__}")
    fix = "build new arrays (v = ..., never v *= ..., w -= ... or cache += ...)"
    if not np.array_equal(w, w_before):
        raise Wrong(f"{name} modified the caller's w in place {where} (it became {fmt(w)}); "
                    f"return next_w as a new array: {fix}")
    if not np.array_equal(dw, dw_before):
        raise Wrong(f"{name} modified the caller's dw in place {where} (it became {fmt(dw)}); {fix}")
    if set(config) != set(config_before):
        raise Wrong(f"{name} changed the keys of the caller's config dict {where} "
                    f"({sorted(config_before)} -> {sorted(config)}); write into the returned "
                    f"config only")
    for key, old in config_before.items():
        new = config[key]
        same = np.array_equal(new, old) if isinstance(old, np.ndarray) else new == old
        if not same:
            raise Wrong(f"{name} modified the caller's config['{key}'] in place {where} (it was "
                        f"{fmt(old)}, it became {fmt(new)}); the old state belongs to the caller: "
                        f"{fix}")
    return out


def _expect(name, what, got, expected, where, known=(), dtype=None):
    """``got`` must be a finite array of ``expected``'s shape and values; ``known`` lists
    (value, fix) pairs of typical mistakes, named when ``got`` is one of them."""
    expected = np.asarray(expected, dtype=float)
    if got is None:
        raise Wrong(f"{name}: {what} is None {where}; assign it inside your code")
    got_arr = np.asarray(got)
    if got_arr.dtype.kind not in "biuf":
        raise Wrong(f"{name}: {what} should be a float array {where}, got dtype {got_arr.dtype}")
    if got_arr.shape != expected.shape:
        raise Wrong(f"{name}: {what} should have w's shape {expected.shape} {where}, "
                    f"got {got_arr.shape}")
    if not np.all(np.isfinite(got_arr)):
        why = ""
        if name == "adam":
            why = ("; with t = 0 at the first step 1 - beta1**t is 0: increment t before using it, "
                   "so the first step has t = 1")
        raise Wrong(f"{name}: {what} holds NaN or inf {where}: {fmt(got_arr)}{why}")
    if dtype is not None and got_arr.dtype != dtype:
        raise Wrong(f"{name}: {what} has dtype {got_arr.dtype} {where}, expected {np.dtype(dtype)} "
                    f"(float32 w and dw give float32 results): use Python floats for constants; an "
                    f"np.float64 scalar such as np.float64(...) or np.power(beta1, t) turns the array "
                    f"into float64")
    rtol, atol = (1e-5, 1e-5) if dtype == np.float32 else (RTOL, ATOL)
    if not np.allclose(got_arr, expected, rtol=rtol, atol=atol):
        diagnosis = next((f"; {fix}" for value, fix in known
                          if np.allclose(got_arr, value, rtol=rtol, atol=atol)), "")
        if not diagnosis and what.startswith("config[") and not np.any(got_arr):
            var = {"velocity": "v"}.get(what[8:-2], what[8:-2])
            diagnosis = (f"; it is still the zeros it starts from: assign the new state to {var} "
                         f"(the code after your block stores {var} in {what})")
        raise Wrong(f"{name}: {what} {where}: expected {fmt(expected)}, got {fmt(got_arr)}{diagnosis}")


def _check_state(name, config, expected, where, known=(), dtype=None):
    """The returned config holds every state key, of w's shape (t: the int step count);
    ``known`` lists (key, value, fix) of typical mistakes."""
    missing = [k for k in STATE[name] if k not in config]
    if missing:
        raise Wrong(f"{name}: the returned config lacks {missing} {where}; keep the state in it")
    for key, value in expected.items():
        got = config[key]
        if key == "t":
            if isinstance(got, bool) or not isinstance(got, (int, np.integer)) or got != value:
                raise Wrong(f"{name}: config['t'] should be the int {value} (steps taken, this one "
                            f"included) {where}, got {got!r}")
            continue
        _expect(name, f"config['{key}']", got, value, where,
                [(v, fix) for k, v, fix in known if k == key], dtype=dtype)


def _run_case(name, rule, case, default=None):
    """Two steps of ``rule`` with the case's hyperparameters. ``default`` is the first case
    (the defaults): what a rule that ignores the case's keyword returns."""
    config = {"learning_rate": LR1, **case.hyper}
    w = W0.copy()
    for step, grad in ((1, G1), (2, G2)):
        where = f"{case.label}, {_where(case.hyper, step)}"
        known = [(what, value, fix) for s, what, value, fix in case.wrong if s == step]
        if default is not None:
            key = next(iter(case.hyper))
            fix = (f"that is the value for the default {key}={DEFAULTS[key]}: read config['{key}'] "
                   f"instead of a fixed number")
            known += [("next_w", default.w[step - 1], fix)]
            known += [(k, v, fix) for k, v in default.state[step - 1].items() if k != "t"]
        next_w, config = _call(name, rule, w, grad.copy(), config, where)
        _expect(name, "next_w", next_w, case.w[step - 1], where,
                [(v, fix) for what, v, fix in known if what == "next_w"])
        _check_state(name, config, case.state[step - 1], where, [k for k in known if k[0] != "next_w"])
        w = np.array(next_w, dtype=float)
        config = dict(config, learning_rate=LR2)


def _adam_first_step(rule):
    where = f"for w={fmt(W0)}, dw={fmt(G_BIAS)}, config={{'learning_rate': 0.1}} (one step)"
    next_w, config = _call("adam", rule, W0.copy(), G_BIAS.copy(), {"learning_rate": 0.1}, where)
    _expect("adam", "next_w (the bias-corrected first step moves every coordinate by exactly "
            "learning_rate against its gradient's sign, whatever the gradient's size)",
            next_w, BIAS_W1, where, [(BIAS_NO_CORRECTION, NOT_BIAS_CORRECTED)])
    _check_state("adam", config, {"t": 1}, where)


def _float32(name, rule):
    """The defaults case again with float32 w and dw: results and state stay float32."""
    case = CASES[name][0]
    config, w = {"learning_rate": LR1}, W0.astype(np.float32)
    for step, grad in ((1, G1), (2, G2)):
        where = f"with float32 w and dw, {_where({}, step)}"
        next_w, config = _call(name, rule, w, grad.astype(np.float32), config, where)
        _expect(name, "next_w", next_w, case.w[step - 1], where, dtype=np.float32)
        state = {k: v for k, v in case.state[step - 1].items() if k != "t"}
        _check_state(name, config, state, where, dtype=np.float32)
        w, config = np.asarray(next_w), dict(config, learning_rate=LR2)


def _converges(name, rule):
    """f(w) = 0.5 |A w|^2 with A = diag(1, 3): 300 steps at the defaults must shrink f 100-fold."""
    scale = np.array([1.0, 3.0])
    lr = 0.02 if name == "adam" else 0.05
    w, config = np.array([1.0, 1.0]), {"learning_rate": lr}
    f0 = 0.5 * np.sum((scale * w) ** 2)
    for _ in range(300):
        w, config = rule(w, scale**2 * w, config)
    f = 0.5 * np.sum((scale * np.asarray(w, dtype=float)) ** 2)
    if not np.isfinite(f) or f > f0 / 100:
        raise Wrong(f"{name}: 300 steps on the bowl f = 0.5 * (w0**2 + 9 * w1**2) from [1, 1] "
                    f"(learning_rate {lr}, other hyperparameters at their defaults) should shrink f from "
                    f"{f0:.3g} below {f0 / 100:.3g}, got {f:.3g}")


def _register(name):
    @check("optim", MOD, name)
    def run(m):
        rule = getattr(m, name)
        default, *others = CASES[name]
        if name == "adam":
            _adam_first_step(rule)
        _run_case(name, rule, default)
        for case in others:
            _run_case(name, rule, case, default)
        _float32(name, rule)
        _converges(name, rule)
    run.__name__ = name
    return run


for _name in CASES:
    _register(_name)
