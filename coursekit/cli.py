"""The `cs231n-lite` command: run, data download, check, hint, collect, release, nbgrader, grade, merge, gradescope.

Every subcommand returns an exit code; a command that cannot do its job prints
ONE line (``cs231n-lite <command>: error: ...``) on stderr and returns non-zero.
Set ``COURSEKIT_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .errors import CourseKitError
from .manifest import ORDER

PASSTHROUGH = {"run": "coursekit.student.runner", "download": "cs231n_lite.download"}


# command -> module with main(args), grouped by room: student, release, grader
COMMANDS = {
    "check": "coursekit.student.checks.report",
    "hint": "coursekit.student.hint",
    "collect": "coursekit.student.collect",
    "release": "coursekit.release.build",
    "nbgrader": "coursekit.release.nbgrader",
    "grade": "coursekit.grader.grade",
    "merge": "coursekit.grader.gradebook",
    "gradescope": "coursekit.grader.gradescope_zip",
}


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _add_grade(sub) -> None:
    p = sub.add_parser("grade", help="grade a folder of submissions (instructors)")
    p.add_argument("submissions", help="folder with one folder or one .zip per student")
    p.add_argument("--out", required=True, help="output folder (grades.csv, feedback/)")
    p.add_argument("--jobs", type=int, default=1, help="submissions graded in parallel")
    p.add_argument("--shard", default=None, help="K/N: grade only the K-th of N shares")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds per hidden test (default: rubric)")
    p.add_argument("--cell-timeout", type=float, default=None,
                   help="seconds per notebook cell (default: rubric)")
    p.add_argument("--budget", type=float, default=None,
                   help="seconds per submission overall (default: rubric)")
    p.add_argument("--memory", type=int, default=None, help="MB of address space per process")
    p.add_argument("--grading-dir", default=None, help="hidden tests + rubric (default: grading/)")
    p.add_argument("--notebooks-dir", default=None,
                   help="reference notebooks (default: notebooks/ of the repository)")
    p.add_argument("--root", default=None, help="the instructor repository (default: auto)")
    p.add_argument("--workdir", default=None, help="where sandboxes are created (default: temp)")
    p.add_argument("--skip-notebooks", action="store_true",
                   help="hidden tests only: no notebooks (a quick pass)")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "namespaces"], default="auto",
                   help="the boundary around student code: bubblewrap, or (as root) plain "
                        "namespaces; default: bubblewrap when it works, else namespaces as root")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code WITHOUT a sandbox, as you (only for code you trust)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cs231n-lite", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sub.add_parser("run", help="execute every notebook on the active dataset", add_help=False)
    data = sub.add_parser("data", help="dataset commands")
    data.add_argument("action", choices=["download"], help="download: fetch CIFAR-10")
    p = sub.add_parser("release", help="build the student kit (instructors)")
    p.add_argument("out", help="new folder for the student kit")
    p.add_argument("--root", default=".", help="the instructor repository (default: .)")
    p = sub.add_parser("nbgrader", help="lay out an nbgrader course (instructors)")
    p.add_argument("course_dir", help="new folder for the course (source/NAME/, nbgrader_config.py)")
    p.add_argument("--assignment", default="a1", help="the nbgrader assignment's name (default: a1)")
    p.add_argument("--notebooks", nargs="+", default=None, metavar="NOTEBOOK",
                   help="only these notebooks, e.g. knn svm (default: all of the manifest)")
    p.add_argument("--root", default=".", help="the instructor repository (default: .)")
    p = sub.add_parser("check", help="check your implementation, per function")
    p.add_argument("part", nargs="?", default="all",
                   help="a part (" + ", ".join(nb.part for nb in ORDER) + ") or all")
    p.add_argument("--root", default=".", help="folder holding your cs231n_lite/ (default: .)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per function")
    p = sub.add_parser("hint", help="progressive hints for a function you write")
    p.add_argument("function", nargs="?", default=None,
                   help="e.g. svm_loss_naive or KNearestNeighbor.predict_labels (none: list them)")
    p.add_argument("level", nargs="?", type=int, default=1,
                   help="1 the idea, 2 the steps, 3 the formula (default 1)")
    p = sub.add_parser("collect", help="zip your work for submission")
    p.add_argument("--root", default=".", help="your kit folder (default: .)")
    p.add_argument("--out", default=None, help="zip file (default: ROOT/submission.zip)")
    _add_grade(sub)
    p = sub.add_parser("merge", help="join shard CSVs of `grade --shard`")
    p.add_argument("csv", nargs="+", help="grades.csv files")
    p.add_argument("--out", required=True, help="merged CSV")
    p = sub.add_parser("gradescope", help="build a Gradescope autograder zip (instructors)")
    p.add_argument("out", help="the new autograder zip, e.g. dist/autograder.zip")
    p.add_argument("--root", default=".", help="the instructor repository (default: .)")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "namespaces"], default="auto",
                   help="the boundary around student code on Gradescope (as for `grade`)")
    return parser


def _passthrough(argv: list[str]) -> int | None:
    """`run ...` and `data download ...` hand their remaining arguments on."""
    if argv[:1] == ["run"]:
        module, rest = PASSTHROUGH["run"], argv[1:]
    elif argv[:2] == ["data", "download"]:
        module, rest = PASSTHROUGH["download"], argv[2:]
    else:
        return None
    try:
        mod = importlib.import_module(module)
    except ImportError as err:
        raise CourseKitError(f"{module} is not available ({err})") from None
    return int(mod.main(rest) or 0)


def _dispatch(args) -> int:
    module = COMMANDS[args.command]
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if not (err.name or "").startswith("coursekit"):
            raise
        raise CourseKitError(f"`{args.command}` is an instructors' command; it is not part of "
                             f"the student kit (run it in the instructors' repository)") from None
    return mod.main(args)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "?"
    try:
        code = _passthrough(argv)
        if code is not None:
            return code
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except CourseKitError as err:
        print(f"cs231n-lite {command}: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"cs231n-lite {command}: interrupted", file=sys.stderr)
        return 130
    except SystemExit as exit_:  # argparse usage errors: already one line + usage
        return exit_.code if isinstance(exit_.code, int) else 2
    except Exception as err:  # noqa: BLE001 - the one-line promise
        if os.environ.get("COURSEKIT_DEBUG"):
            raise
        print(f"cs231n-lite {command}: internal error: {type(err).__name__}: {err} "
              f"(set COURSEKIT_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # python -m coursekit.cli
    sys.exit(main())
