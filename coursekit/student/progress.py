"""What is still to be written: the student blocks that hold only their stub.

Read from the sources, never by running them: a function is "to do" while
its block in ``cs231n_lite/`` still reads ``raise NotImplementedError("<name>:
implement this region ...")``. Used by ``run`` (which says per notebook what
is left instead of a traceback) and by ``hint``.
"""

from __future__ import annotations

from pathlib import Path

from ..blocks import untouched_blocks
from ..manifest import ORDER, PACKAGE


def unwritten(root: Path) -> set[str]:
    """``"module:qualname"`` of every untouched student block under ``root/cs231n_lite``."""
    package = Path(root) / PACKAGE
    todo = set()
    for path in sorted(package.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        module = ".".join(path.relative_to(package).with_suffix("").parts)
        todo.update(f"{module}:{owner}" for owner in untouched_blocks(source))
    return todo


def to_do_for(notebook: str, root: Path) -> list[str]:
    """Functions notebook ``notebook`` needs (its own and its predecessors') still to write,
    in teaching order."""
    todo = unwritten(root)
    needed = []
    for nb in ORDER:
        needed += [fn for fn in nb.functions if fn in todo]
        if nb.name == notebook:
            return needed
    return needed
