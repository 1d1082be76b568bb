"""Solution and hidden-test markers: find them, check them, replace them.

The markers are nbgrader's. A marker is a comment that stands alone on its
line; like nbgrader we accept any number of leading ``#``, so ``# BEGIN
SOLUTION`` is a marker too (better strip it than leak a solution)::

    ### BEGIN SOLUTION        ->  the student block (see STUDENT_BLOCK)
    ### END SOLUTION
    ### BEGIN HIDDEN TESTS    ->  removed, markers included
    ### END HIDDEN TESTS

A comment that mentions a marker phrase without standing alone (``x = 1  #
BEGIN SOLUTION``) is an error, as are nested or unbalanced markers: the
message names the file and the line. Strings and docstrings are never
markers (``.py`` sources are tokenized).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

from ..blocks import ANSWER_STUB, END_LINE, START_LINE, student_block  # noqa: F401 (re-exported)

# phrase -> (kind, is_begin)
PHRASES = {
    "BEGIN SOLUTION": ("solution", True),
    "END SOLUTION": ("solution", False),
    "BEGIN HIDDEN TESTS": ("hidden", True),
    "END HIDDEN TESTS": ("hidden", False),
}
_MARKER_RE = re.compile(r"^#+\s*(BEGIN SOLUTION|END SOLUTION|BEGIN HIDDEN TESTS|END HIDDEN TESTS)\s*$")
_PHRASE_RE = re.compile("|".join(PHRASES))


class MarkerError(ValueError):
    """Unbalanced, nested or malformed markers; the message names file and line."""


@dataclass(frozen=True)
class Region:
    """One marked region: ``lines[begin]`` and ``lines[end]`` are its markers (0-based)."""

    kind: str  # "solution" or "hidden"
    begin: int
    end: int
    indent: str


def _comment_lines(source: str) -> dict[int, tuple[str, bool]] | None:
    """0-based line -> (comment text, stands alone) for every comment, or None.

    None when the source does not tokenize (e.g. a notebook cell with shell
    escapes); the caller then falls back to plain lines.
    """
    out = {}
    lines = source.splitlines()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                row, col = tok.start
                alone = lines[row - 1][:col].strip() == ""
                out[row - 1] = (tok.string.strip(), alone)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    return out


def _candidates(lines: list[str], comments) -> list[tuple[int, str, bool]]:
    """(line, text, stands alone) for every comment that mentions a marker phrase."""
    if comments is None:  # plain lines: a '#' line is a comment
        comments = {i: (ln.strip(), True) for i, ln in enumerate(lines) if ln.strip().startswith("#")}
    return [(i, text, alone) for i, (text, alone) in sorted(comments.items())
            if _PHRASE_RE.search(text)]


def find_regions(source: str, where: str, *, python: bool = True) -> list[Region]:
    """Return the marked regions of ``source``; raise MarkerError naming ``where:line``.

    ``where`` may hold a ``{line}`` placeholder ("nb.ipynb, cell 3, line {line}").
    ``python=False`` treats every line starting with ``#`` as a comment
    (markdown cells, where ``### BEGIN SOLUTION`` is a heading).
    """
    lines = source.splitlines()
    comments = _comment_lines(source) if python else None
    regions, open_ = [], None  # open_ = (kind, line, indent)
    at = (lambda i: where.format(line=i + 1)) if "{line}" in where else (lambda i: f"{where}:{i + 1}")
    for i, text, alone in _candidates(lines, comments):
        m = _MARKER_RE.match(text)
        if not (m and alone):
            raise MarkerError(
                f"{at(i)}: a marker must stand alone on its line as "
                f"'### {_PHRASE_RE.search(text).group(0)}', got {lines[i].strip()!r}"
            )
        kind, begin = PHRASES[m.group(1)]
        if begin and open_:
            raise MarkerError(
                f"{at(i)}: nested '### {m.group(1)}' inside the region opened at "
                f"line {open_[1] + 1}; close that one first"
            )
        if not begin and (not open_ or open_[0] != kind):
            raise MarkerError(f"{at(i)}: '### {m.group(1)}' without a matching BEGIN")
        if begin:
            open_ = (kind, i, lines[i][: len(lines[i]) - len(lines[i].lstrip())])
        else:
            regions.append(Region(kind, open_[1], i, open_[2]))
            open_ = None
    if open_:
        raise MarkerError(f"{at(open_[1])}: region opened here is never closed")
    return regions


def enclosing_functions(source: str) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, 1-based lines.

    Qualified like ``__qualname__`` without ``<locals>``: ``KNearestNeighbor.predict``.
    Returns [] when the source does not parse (notebook magics).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    found.append((child.lineno, child.end_lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def region_owner(functions, line: int, fallback: str) -> str:
    """Innermost function containing 1-based ``line``, else ``fallback``."""
    inside = [f for f in functions if f[0] <= line <= f[1]]
    return max(inside, key=lambda f: f[0])[2] if inside else fallback


def strip_regions(source: str, where: str, fallback_owner: str, *, python: bool = True,
                  solution_stub=None) -> tuple[str, int]:
    """Replace solution regions and drop hidden-test regions.

    Returns (new source, number of regions replaced or removed).
    ``solution_stub(indent, owner) -> list of lines`` defaults to
    :func:`student_block`.
    """
    regions = find_regions(source, where, python=python)
    if not regions:
        return source, 0
    stub = solution_stub or student_block
    functions = enclosing_functions(source) if python else []
    lines = source.splitlines()
    out, pos = [], 0
    for r in regions:
        out.extend(lines[pos: r.begin])
        if r.kind == "solution":
            out.extend(stub(r.indent, region_owner(functions, r.begin + 1, fallback_owner)))
        pos = r.end + 1
    out.extend(lines[pos:])
    trailing = "\n" if source.endswith("\n") else ""
    return "\n".join(out) + trailing, len(regions)
