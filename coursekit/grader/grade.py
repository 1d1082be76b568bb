"""`cs231n-lite grade SUBMISSIONS --out DIR`: hidden tests + reference notebooks -> gradebook.

Each submission is graded in its own temporary sandbox folder and processes
(see :mod:`coursekit.grader.sandbox`), phase by phase (:mod:`coursekit.grader.phases`),
within a time budget; ``--jobs N`` grades N submissions at once,
``--shard K/N`` grades only the students whose stable hash falls in shard K.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import nbformat

from ..errors import CourseKitError
from ..paths import cache_dir, repo_root
from . import gradebook, phases, rubric as rubric_mod
from .sandbox import Limits, make_layout, make_read_only, new_marker, sandbox_env
from .scoring import StudentResult, score, zero_scores
from .submissions import Submission, SubmissionError, discover, shard_of, stage


@dataclass(frozen=True)
class Config:
    grading_dir: Path
    notebooks_dir: Path
    limits: Limits
    workdir: Path
    mplconfig: Path | None = None  # a prebuilt matplotlib font cache to copy in
    skip_notebooks: bool = False  # hidden tests only (a quick pass)


def _copy_grading(src: Path, dest: Path) -> None:
    shutil.copytree(src, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "rubric.toml", ".*"))
    if not (dest / "pytest.ini").exists():
        (dest / "pytest.ini").write_text("[pytest]\n")


def _reference(cfg: Config, rub, dest: Path) -> dict[str, Path]:
    """Fresh copies of the reference notebooks that carry graded cells."""
    wanted = sorted({i.notebook for i in rub.of_kind("cells")})
    (dest / "pytest.ini").write_text("[pytest]\n")
    copies = {}
    for name in wanted:
        shutil.copyfile(cfg.notebooks_dir / name, dest / name)
        copies[name] = dest / name
    return copies


def _prepare_shared(rub, workdir: Path) -> Path | None:
    """Once per run, when reference notebooks will run: the sample dataset (reference
    package) and a matplotlib font cache (else every fresh kernel rebuilds it and says
    so on stderr, which nbval would count as a changed output). Returns the font cache."""
    if not rub.of_kind("cells"):
        return None
    try:
        from cs231n_lite.sample import ensure_sample

        ensure_sample(cache_dir())
    except Exception as err:  # noqa: BLE001 - each sandbox can still build its own
        print(f"note: could not prepare the sample dataset ({type(err).__name__}: {err})")
    mpl = workdir / "matplotlib"
    mpl.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                   env={**os.environ, "MPLCONFIGDIR": str(mpl), "MPLBACKEND": "Agg"},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return mpl


def _seed_cache(dirs: dict, mplconfig: Path | None) -> None:
    """Copy the prepared sample dataset and font cache (never shared: a submission may
    write to its copies)."""
    for src in sorted(cache_dir().glob("sample-v*")):
        if src.is_dir():
            shutil.copytree(src, dirs["cache"] / src.name, dirs_exist_ok=True)
    if mplconfig is not None:
        shutil.copytree(mplconfig, dirs["home"] / ".matplotlib", dirs_exist_ok=True)


def _answers(rub, student_nbs: Path) -> list:
    """(Item, the student's text) for every hand-graded answer of the rubric."""
    found = {}
    for path in sorted(student_nbs.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - reported by phase 3 already
            continue
        for cell in nb.cells:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution"):
                found[(path.name, meta.get("grade_id"))] = cell.source
    return [(i, found.get((i.notebook, i.key), "(no answer cell found)"))
            for i in rub.of_kind("answers")]


def _cell_index(cfg: Config, rub) -> dict:
    index = {}
    for name in sorted({i.notebook for i in rub.of_kind("cells")}):
        for grade_id, meta in rubric_mod.graded_cells(cfg.notebooks_dir / name).items():
            index[(name, grade_id)] = meta["code_index"]
    return index


def _grade_in(sub: Submission, cfg: Config, rub, root: Path) -> StudentResult:
    dirs = make_layout(root)
    deadline = time.monotonic() + cfg.limits.budget
    try:
        names = stage(sub, root / "upload", dirs["student"])
    except SubmissionError as err:
        return StudentResult(sub.student, str(err), zero_scores(rub, str(err)))
    shutil.rmtree(root / "upload", ignore_errors=True)
    _copy_grading(cfg.grading_dir, dirs["grading"])
    refs = {} if cfg.skip_notebooks else _reference(cfg, rub, dirs["reference"])
    names = [] if cfg.skip_notebooks else names
    if refs or names:
        _seed_cache(dirs, cfg.mplconfig)
    sanitize = cfg.notebooks_dir / "sanitize.cfg"
    if sanitize.is_file():
        shutil.copyfile(sanitize, dirs["reference"] / "sanitize.cfg")
        sanitize = dirs["reference"] / "sanitize.cfg"
    make_read_only(dirs["grading"])  # re-read on restarts: student code must not edit it
    ctx = phases.Context(root, dirs, sandbox_env(root, new_marker()), cfg.limits, deadline)
    hidden = phases.run_hidden(ctx)
    runs = {name: phases.run_reference_notebook(ctx, path, sanitize if sanitize.is_file() else None)
            for name, path in refs.items()}
    if cfg.skip_notebooks:
        skipped = phases.PhaseResult(stop_reason="not graded: notebooks skipped (--skip-notebooks)")
        runs = {i.notebook: skipped for i in rub.of_kind("cells")}
    completion = phases.run_student_notebooks(ctx, names)
    result = StudentResult(sub.student, "graded", score(rub, hidden, runs, _cell_index(cfg, rub)))
    result.notebooks = [completion[n] for n in names]
    result.answers = _answers(rub, dirs["student"] / "notebooks")
    if hidden.error:
        result.status = f"error: {hidden.error}"
    elif time.monotonic() > deadline:
        result.status = "graded (time budget ran out)"
    return result


def _rmtree(path: Path) -> None:
    def retry(func, p, _exc):
        os.chmod(p, 0o700)
        func(p)
    shutil.rmtree(path, onerror=retry) if path.exists() else None


def grade_one(sub: Submission, cfg: Config, rub) -> StudentResult:
    """Grade one submission; never raises (a grader failure becomes an "error" row)."""
    root = Path(tempfile.mkdtemp(prefix="sandbox-", dir=cfg.workdir))
    try:
        return _grade_in(sub, cfg, rub, root)
    except Exception as err:  # noqa: BLE001 - one bad submission must not stop the batch
        reason = f"error: the grader failed on this submission ({type(err).__name__}: {err})"
        return StudentResult(sub.student, reason, zero_scores(rub, reason))
    finally:
        try:
            _rmtree(root)
        except OSError:
            pass


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise CourseKitError(f"--shard must look like K/N (e.g. 2/4), got {text!r}") from None
    if not (n >= 1 and 1 <= k <= n):
        raise CourseKitError(f"--shard K/N needs 1 <= K <= N, got {text!r}")
    return k, n


def grade_all(subs: list[Submission], cfg: Config, rub, jobs: int, report=print) -> list:
    results = []
    if jobs <= 1:
        for sub in subs:
            results.append(grade_one(sub, cfg, rub))
            report(gradebook.progress_line(results[-1], rub))
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(grade_one, sub, cfg, rub) for sub in subs]
        for sub, fut in zip(subs, futures):
            try:
                results.append(fut.result())
            except Exception as err:  # noqa: BLE001 - a dead worker, not a dead batch
                reason = f"error: grading worker failed ({type(err).__name__})"
                results.append(StudentResult(sub.student, reason, zero_scores(rub, reason)))
            report(gradebook.progress_line(results[-1], rub))
    return results


def _config(args, repo: Path) -> tuple[Config, object]:
    grading_dir = Path(args.grading_dir or repo / "grading").resolve()
    notebooks_dir = Path(args.notebooks_dir or repo / "notebooks").resolve()
    rub = rubric_mod.load(grading_dir, notebooks_dir)
    given = {"timeout": args.timeout, "budget": args.budget, "memory": args.memory,
             "cell_timeout": args.cell_timeout}
    limits = replace(rub.limits, **{k: v for k, v in given.items() if v is not None})
    if min(limits.timeout, limits.budget, limits.cell_timeout) <= 0 or limits.memory < 256:
        raise CourseKitError("--timeout, --cell-timeout and --budget must be > 0, --memory >= 256 MB")
    cfg = Config(grading_dir, notebooks_dir, limits, Path(tempfile.gettempdir()),
                 skip_notebooks=args.skip_notebooks)
    return cfg, replace(rub, limits=limits)


def main(args) -> int:
    folder = Path(args.submissions)
    if not folder.is_dir():
        raise CourseKitError(f"{folder} is not a folder of submissions")
    if args.jobs < 1:
        raise CourseKitError("--jobs must be >= 1")
    shard = parse_shard(args.shard)
    cfg, rub = _config(args, Path(args.root) if args.root else repo_root())
    subs, skipped = discover(folder)
    if shard:
        subs = [s for s in subs if shard_of(s.student, shard[1]) == shard[0]]
    for name in skipped:
        print(f"note: skipped {name} (not a folder or a .zip)")
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="coursekit-grade-", dir=args.workdir))
    try:
        shared = None if cfg.skip_notebooks else _prepare_shared(rub, workdir)
        cfg = replace(cfg, workdir=workdir, mplconfig=shared)
        results = grade_all(subs, cfg, rub, args.jobs)
    finally:
        _rmtree(workdir)
    out = Path(args.out)
    gradebook.write_all(results, rub, out)
    print(gradebook.summary_line(results, rub, out, shard))
    return 0
