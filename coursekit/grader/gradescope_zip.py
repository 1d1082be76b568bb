"""`cs231n-lite gradescope OUT.zip`: this repository as a Gradescope autograder.

The zip (files at its root, as Gradescope wants them)::

    setup.sh           run once as root when Gradescope builds the image: Python and
                       bubblewrap from apt, a venv in /opt/cs231n-lite with
                       requirements.txt and the kit, the sample dataset
    run_autograder     run per submission: ``python -m coursekit.grader.gradescope``
                       (:mod:`coursekit.grader.gradescope`); if that cannot even start,
                       a results.json with score 0 that says so
    requirements.txt   pyproject.toml's dependencies as written there, plus pytest
                       (the grader runs the hidden tests under pytest)
    constraints.txt    the exact versions the kit's CI tests on Python 3.10, i.e.
                       pyproject.toml's lower bounds (.ci/floor-constraints.txt);
                       setup.sh applies them on Python 3.10, Ubuntu 22.04's
    kit/               the instructor source the grader needs: pyproject.toml,
                       README.md, MANIFEST.in, cs231n_lite/, coursekit/, grading/
                       (hidden tests + rubric), notebooks/*.ipynb (the references)

The zip is never given to students (it holds the solutions and the hidden
tests). The rubric is checked against the hidden tests and the notebooks
before anything is written; the same files give the same zip, byte for byte.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .._toml import tomllib
from ..errors import CourseKitError
from ..release.build import EXCLUDED_PARTS, EXCLUDED_SUFFIXES, list_files
from ..student.collect import write_zip
from . import rubric as rubric_mod

KIT = "kit"
KIT_FILES = ("pyproject.toml", "README.md", "MANIFEST.in")
KIT_DIRS = ("cs231n_lite", "coursekit", "grading")
FLOOR_CONSTRAINTS = ".ci/floor-constraints.txt"
INSTALL_HOME = "/opt/cs231n-lite"  # setup.sh's venv and data cache (outside /autograder)

SETUP_SH = r"""#!/usr/bin/env bash
# cs231n-lite autograder: Gradescope runs this once, as root, when it builds the image.
# Written by `cs231n-lite gradescope`; docs/instructors.md has the upload steps.
set -euo pipefail
SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
INSTALL="${CS231N_LITE_HOME:-@HOME@}"
export DEBIAN_FRONTEND=noninteractive

apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip >/dev/null
# bubblewrap: the sandbox around student code. If this image cannot have it, the grader
# builds the same namespaces itself as root (`grade --sandbox namespaces`, the floor).
if ! apt-get install -y -qq bubblewrap >/dev/null; then
  echo "setup.sh: note: bubblewrap could not be installed; the grader will use its namespaces mode (root)"
fi

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else
  "setup.sh: Python %s is too old: cs231n-lite needs 3.10 or newer; choose the Ubuntu 22.04 "
  "(or newer) base image in the autograder settings" % sys.version.split()[0])'

python3 -m venv "$INSTALL/venv"
"$INSTALL/venv/bin/python" -m pip install --quiet --upgrade pip
# On Python 3.10 (Ubuntu 22.04, Gradescope's default image) the exact versions the kit's CI
# proves there: pyproject.toml's lower bounds (constraints.txt); elsewhere its ranges.
CONSTRAINTS=()
if "$INSTALL/venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  CONSTRAINTS=(-c "$SOURCE/constraints.txt")
fi
"$INSTALL/venv/bin/python" -m pip install --quiet "${CONSTRAINTS[@]}" -r "$SOURCE/requirements.txt"
# the kit itself from the zip's source copy; not editable: the sandboxes mask installed copies
"$INSTALL/venv/bin/python" -m pip install --quiet --no-deps "$SOURCE/@KIT@"
# the sample dataset, generated once here instead of in every run
CS231N_LITE_CACHE="$INSTALL/cache" "$INSTALL/venv/bin/python" -c \
  'from coursekit.paths import cache_dir; from cs231n_lite.sample import ensure_sample; ensure_sample(cache_dir())'
echo "setup.sh: cs231n-lite installed in $INSTALL"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# cs231n-lite autograder: Gradescope runs this for every submission.
# Grades $ROOT/submission with the kit's grader into $ROOT/results/results.json.
# AUTOGRADER_ROOT (default /autograder) moves the whole layout, e.g. to try it on your
# machine; CS231N_LITE_PYTHON chooses another Python with the kit installed.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
INSTALL="${CS231N_LITE_HOME:-@HOME@}"
PYTHON="${CS231N_LITE_PYTHON:-$INSTALL/venv/bin/python}"
export CS231N_LITE_CACHE="${CS231N_LITE_CACHE:-$INSTALL/cache}" CS231N_LITE_DATA=sample
export MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
unset PYTHONPATH
RESULTS="$ROOT/results"
mkdir -p "$RESULTS"
rm -f "$RESULTS/results.json"   # nothing from before this run counts
cd "$ROOT" || exit 1
"$PYTHON" -I -m coursekit.grader.gradescope --root "$ROOT" --kit "$ROOT/source/@KIT@" --sandbox @SANDBOX@
code=$?
if [ ! -s "$RESULTS/results.json" ]; then
  # the grader could not start (its Python is missing or broken): a valid results.json anyway
  tmp="$RESULTS/.results.json.$$"
  printf '{"score": 0, "output": "The autograder could not run (its Python exited with code %s). This is a problem of the autograder setup, not of your work: tell your instructor.", "stdout_visibility": "hidden", "tests": []}\n' "$code" > "$tmp"
  mv -f "$tmp" "$RESULTS/results.json"
fi
exit 0
"""


def _requirement_name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req.strip(), maxsplit=1)[0].lower()


def requirements(root: Path) -> str:
    """requirements.txt: pyproject.toml's dependencies, plus its pytest (the grader's)."""
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as err:
        raise CourseKitError(f"cannot read [project] of {root / 'pyproject.toml'}: {err}") from None
    pytest = [r for r in project.get("optional-dependencies", {}).get("test", [])
              if _requirement_name(r) == "pytest"]
    if not pytest:
        raise CourseKitError("pyproject.toml's test extras have no pytest requirement; the grader "
                             "runs the hidden tests under pytest: add one (e.g. \"pytest>=8\")")
    lines = ["# cs231n-lite autograder: pyproject.toml's dependencies, as written there,",
             "# plus pytest from its test extras (the grader runs the hidden tests under pytest).",
             *project["dependencies"], *pytest]
    return "\n".join(lines) + "\n"


def constraints(root: Path) -> str:
    """constraints.txt: .ci/floor-constraints.txt, the pins CI proves on Python 3.10."""
    path = root / FLOOR_CONSTRAINTS
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise CourseKitError(f"cannot read {path}: {err.strerror}; the autograder pins the versions "
                             f"CI tests on Python 3.10 from it") from None


def kit_files(root: Path) -> list[str]:
    """The repository files the grader needs, relative POSIX paths."""
    chosen = []
    for rel in list_files(root):
        p = PurePosixPath(rel)
        if set(p.parts) & EXCLUDED_PARTS or rel.endswith(EXCLUDED_SUFFIXES):
            continue
        if any(part.endswith(".egg-info") for part in p.parts) or p.parts[:2] == ("grading", "scale-out"):
            continue  # build debris; the scale-out drivers are for `grade`, not for Gradescope
        if (rel in KIT_FILES or p.parts[0] in KIT_DIRS
                or (len(p.parts) == 2 and p.parts[0] == "notebooks" and p.suffix == ".ipynb")):
            chosen.append(rel)
    return chosen


def _check(root: Path, out: Path) -> None:
    if out.suffix.lower() != ".zip":
        raise CourseKitError(f"{out} must end in .zip (Gradescope takes the autograder as a zip)")
    if out.exists() or out.is_symlink():
        raise CourseKitError(f"{out} already exists; remove it or choose another name")
    if not (root / "grading" / "rubric.toml").is_file():
        raise CourseKitError(f"{root} is not the instructors' repository (no grading/rubric.toml); "
                             f"run this there or pass --root")


def build_zip(root: Path, out: Path, sandbox: str = "auto") -> dict:
    """Write the autograder zip ``out``; returns what it holds (for the summary line)."""
    root, out = Path(root), Path(out)
    _check(root, out)
    rub = rubric_mod.load(root / "grading", root / "notebooks")  # refuse a rubric that disagrees
    files = kit_files(root)
    fill = {"@HOME@": INSTALL_HOME, "@KIT@": KIT, "@SANDBOX@": sandbox}
    scripts = {}
    for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
        for key, value in fill.items():
            text = text.replace(key, value)
        scripts[name] = text
    entries = {name: text.encode() for name, text in scripts.items()}
    entries["requirements.txt"] = requirements(root).encode()
    entries["constraints.txt"] = constraints(root).encode()
    entries.update({f"{KIT}/{rel}": (root / rel).read_bytes() for rel in files})
    write_zip(entries, out, executable=set(scripts))
    return {"files": len(entries), "rubric": rub}


def main(args) -> int:
    report = build_zip(Path(args.root), Path(args.out), args.sandbox)
    rub = report["rubric"]
    auto = [i for i in rub.items if i.kind != "answers"]
    hand = sum(i.points for i in rub.of_kind("answers"))
    print(f"gradescope: wrote {args.out} ({report['files']} files): {rub.auto_points:g} automatic points "
          f"in {len(auto)} items ({len(rub.of_kind('tests'))} hidden tests, {len(rub.of_kind('cells'))} "
          f"check cells); {hand:g} points of written answers to grade by hand in Gradescope. "
          f"Next: upload it as a programming assignment's autograder (docs/instructors.md)")
    return 0
