"""The public checks behind `cs231n-lite check [PART]`, one module per part.

Each check names one student function and compares it with an independent
reference; see :mod:`coursekit.checks.base` for the outcomes.
"""

from __future__ import annotations

from . import fc_net, features, knn, optim, softmax, svm, two_layer_net  # noqa: F401  (register)
from ...manifest import ORDER
from .base import REGISTRY, Check, CheckResult, Wrong, run_check

PARTS = tuple(nb.part for nb in ORDER)  # the notebooks' order


def checks_for(part: str = "all") -> list[Check]:
    """The checks of one part (or all), in the order the notebooks teach them."""
    if part != "all" and part not in PARTS:
        raise KeyError(part)
    chosen = [c for c in REGISTRY if part in ("all", c.part)]
    return sorted(chosen, key=lambda c: PARTS.index(c.part))


__all__ = ["PARTS", "Check", "CheckResult", "Wrong", "checks_for", "run_check"]
