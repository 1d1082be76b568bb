"""Where things are: the instructor repository and the data cache.

One place for the paths every room of coursekit needs (the student commands,
the release and the grader), so none of them imports another to find them.
"""

from __future__ import annotations

from pathlib import Path

#: The folder holding the ``coursekit`` package (a checkout, or site-packages).
HOME = Path(__file__).resolve().parents[1]


def repo_root() -> Path:
    """The kit checkout: the folder holding this coursekit when it is a checkout
    (an editable install: it has ``cs231n_lite/`` and ``pyproject.toml``), else
    the current folder."""
    if (HOME / "cs231n_lite").is_dir() and (HOME / "pyproject.toml").is_file():
        return HOME
    return Path.cwd()


def cache_dir() -> Path:
    """The data cache (``$CS231N_LITE_CACHE`` or ``~/.cache/cs231n-lite``): the
    same folder :mod:`cs231n_lite.sample` generates the sample into."""
    from cs231n_lite.sample import sample_cache_dir

    return sample_cache_dir()
