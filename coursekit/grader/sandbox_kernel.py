"""The sandbox's Jupyter kernel: the write guard, then a normal ipykernel.

Its kernelspec ("coursekit-sandbox") is written into each sandbox by
:func:`coursekit.grader.sandbox.write_kernelspec`; the environment (PYTHONPATH with
the student's folder first, HOME, TMPDIR, limits) comes from the grader.
"""

from __future__ import annotations

import os


def main() -> None:
    from . import guard

    guard.install(os.environ.get("COURSEKIT_SANDBOX"), allow_spawn=False)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
