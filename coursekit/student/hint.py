"""`cs231n-lite hint [FUNCTION] [LEVEL]`: progressive hints for self-study.

Every student function has three hints, each a step closer to the answer:

1. ``idea``    -- what the function is for and the concept to think about;
2. ``step``    -- how to break the computation down;
3. ``formula`` -- the formula or the numpy operations themselves.

``hint svm_loss_naive`` prints the idea; ``hint svm_loss_naive 2`` adds the
step, ``hint svm_loss_naive 3`` the formula. Without FUNCTION it lists every
function with hints, in notebook order. The hints live in
``coursekit/student/hints/<notebook>.md`` (one ``## module:qualname``
section per function, with ``### idea`` / ``### step`` / ``### formula``
subsections), written by the instructors and shipped in the student kit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import CourseKitError
from ..manifest import ORDER

HINTS_DIR = Path(__file__).resolve().parent / "hints"
LEVELS = ("idea", "step", "formula")
_SECTION = re.compile(r"^## +(\S+)\s*$", re.M)
_LEVEL = re.compile(r"^### +(\w+)\s*$", re.M)


@dataclass(frozen=True)
class Hint:
    function: str  # "module:qualname"
    levels: tuple  # (idea, step, formula) texts
    source: str  # the hints file, for error messages


def _parse_section(function: str, body: str, source: str) -> Hint:
    parts = _LEVEL.split(body)  # [preamble, name1, text1, name2, text2, ...]
    found = {name: text.strip() for name, text in zip(parts[1::2], parts[2::2])}
    if list(found) != list(LEVELS) or not all(found.values()):
        raise CourseKitError(f"{source}: the hints of {function} need the sections "
                             f"{', '.join('### ' + lv for lv in LEVELS)} in this order, each "
                             f"with text; found {list(found)}")
    return Hint(function, tuple(found[lv] for lv in LEVELS), source)


def load_hints(folder: Path = HINTS_DIR) -> dict[str, Hint]:
    """``"module:qualname"`` -> Hint, from every ``*.md`` file of ``folder``."""
    hints = {}
    for path in sorted(Path(folder).glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts = _SECTION.split(text)
        for function, body in zip(parts[1::2], parts[2::2]):
            if function in hints:
                raise CourseKitError(f"{path.name}: {function} has hints twice "
                                     f"(also in {hints[function].source})")
            hints[function] = _parse_section(function, body, path.name)
    return hints


def find(name: str, hints: dict[str, Hint]) -> Hint:
    """The hint for ``name``: a full ``module:qualname``, a qualname, or its last part."""
    if name in hints:
        return hints[name]
    matches = [h for fn, h in hints.items()
               if fn.split(":")[1] == name or fn.split(":")[1].split(".")[-1] == name
               or fn.replace(":", ".").endswith("." + name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise CourseKitError(f"no hints for {name!r}; run `cs231n-lite hint` for the list")
    names = ", ".join(h.function.split(":")[1] for h in matches)
    raise CourseKitError(f"{name!r} is ambiguous ({names}); give the class too, e.g. "
                         f"{matches[0].function.split(':')[1]}")


def listing(hints: dict[str, Hint]) -> str:
    lines = ["Hints, in notebook order (cs231n-lite hint FUNCTION [1|2|3]):"]
    for nb in ORDER:
        names = [fn.split(":")[1] for fn in nb.functions if fn in hints]
        if names:
            lines.append(f"  {nb.name}: " + ", ".join(names))
    return "\n".join(lines)


def show(hint: Hint, level: int) -> str:
    name = hint.function.split(":")[1]
    out = []
    for i, (label, text) in enumerate(zip(LEVELS, hint.levels[:level]), start=1):
        out += [f"{name} -- hint {i} of {len(LEVELS)} ({label})", text, ""]
    if level < len(LEVELS):
        out.append(f"(next: cs231n-lite hint {name} {level + 1})")
    return "\n".join(out).rstrip()


def main(args) -> int:
    hints = load_hints()
    if not args.function:
        print(listing(hints))
        return 0
    if not 1 <= args.level <= len(LEVELS):
        raise CourseKitError(f"LEVEL must be 1, 2 or 3, got {args.level}")
    print(show(find(args.function, hints), args.level))
    return 0
