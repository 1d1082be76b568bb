"""`cs231n-lite grade SUBMISSIONS --out DIR`: hidden tests + notebooks -> gradebook.

The grader (this process) reads the rubric, prepares one runtime folder for
the run (:func:`coursekit.grader.boundary.prepare_runtime`) and hands each
submission to a judge process of its own (:mod:`coursekit.grader.supervise`,
:mod:`coursekit.grader.judge`), ``--jobs N`` at a time; student code only
ever runs in the judges' sandboxes. ``--shard K/N`` grades only the students
whose stable hash falls in shard K. The gradebook is written by this process
alone, atomically (:mod:`coursekit.grader.outfiles`).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import CourseKitError
from ..paths import cache_dir, repo_root
from . import boundary, gradebook, notebook_merge, outfiles, rubric as rubric_mod, supervise
from .limits import Limits
from .scoring import result_of
from .submissions import discover, shard_of


@dataclass(frozen=True)
class Config:
    grading_dir: Path
    notebooks_dir: Path
    limits: Limits
    skip_notebooks: bool = False  # hidden tests only (a quick pass)


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


def _config(args, repo: Path) -> tuple[Config, object]:
    grading_dir = Path(args.grading_dir or repo / "grading").resolve()
    notebooks_dir = Path(args.notebooks_dir or repo / "notebooks").resolve()
    rub = rubric_mod.load(grading_dir, notebooks_dir)
    given = {"timeout": args.timeout, "budget": args.budget, "memory": args.memory,
             "cell_timeout": args.cell_timeout}
    limits = replace(rub.limits, **{k: v for k, v in given.items() if v is not None})
    try:
        limits.check()
    except ValueError as err:
        raise CourseKitError(f"--timeout, --cell-timeout, --budget, --memory: {err}") from None
    return Config(grading_dir, notebooks_dir, limits, args.skip_notebooks), replace(rub, limits=limits)


def _cell_index(cfg: Config, rub) -> dict:
    index = {}
    for name in sorted({i.notebook for i in rub.of_kind("cells")}):
        for grade_id, meta in rubric_mod.graded_cells(cfg.notebooks_dir / name).items():
            index[(name, grade_id)] = meta["code_index"]
    return index


def _jobs(subs, cfg: Config, rub, runtime, workdir: Path) -> list[dict]:
    notebooks = sorted({n for n in rub.notebooks.values() if n and (cfg.notebooks_dir / n).is_file()})
    plans = {} if cfg.skip_notebooks else {n: notebook_merge.plan(cfg.notebooks_dir / n) for n in notebooks}
    common = {"notebook_plans": plans, "limits": vars(cfg.limits), "runtime": runtime.to_json(),
              "grading_dir": str(cfg.grading_dir), "notebooks_dir": str(cfg.notebooks_dir),
              "notebooks": notebooks, "has_tests": bool(rub.of_kind("tests")),
              "skip_notebooks": cfg.skip_notebooks}
    jobs = []
    for i, sub in enumerate(subs):
        box = workdir / f"box-{i}"
        box.mkdir(mode=0o700)
        jobs.append({**common, "student": sub.student, "path": str(sub.path.absolute()),
                     "problem": sub.problem, "box": str(box)})
    return jobs


def _prepare_data(skip_notebooks: bool) -> Path | None:
    """The sample dataset, generated once by the grader (the sandboxes see it read-only)."""
    if skip_notebooks:
        return None
    from cs231n_lite.sample import ensure_sample

    ensure_sample(cache_dir())
    return cache_dir()


def _rmtree(path: Path) -> None:
    def retry(func, p, _exc):
        os.chmod(p, 0o700)
        func(p)
    shutil.rmtree(path, onerror=retry) if path.exists() else None


def grade_all(subs, cfg: Config, rub, jobs: int, mode: str, workroot: str | None, report=print) -> list:
    """StudentResults in the order of ``subs``; a failure costs only its row."""
    workdir = Path(tempfile.mkdtemp(prefix="coursekit-grade-", dir=workroot))
    try:
        runtime = boundary.prepare_runtime(workdir, mode, _prepare_data(cfg.skip_notebooks), jobs)
        (workdir / "logs").mkdir()
        cells, skipped = _cell_index(cfg, rub), ""
        if cfg.skip_notebooks:
            skipped = "not graded: notebooks skipped (--skip-notebooks)"
        results = [None] * len(subs)

        job_list = _jobs(subs, cfg, rub, runtime, workdir)

        def done(index, judged):
            _rmtree(Path(job_list[index]["box"]))  # its copy of the submission, now
            results[index] = result_of(subs[index].student, rub, judged, cells, skipped)
            report(gradebook.progress_line(results[index], rub))

        supervise.grade_all(job_list, jobs, workdir / "logs", cfg.limits.budget + supervise.MARGIN, done)
        return results
    finally:
        _rmtree(workdir)


def main(args) -> int:
    folder = Path(args.submissions)
    if not folder.is_dir():
        raise CourseKitError(f"{folder} is not a folder of submissions")
    if args.jobs < 1:
        raise CourseKitError("--jobs must be >= 1")
    shard = parse_shard(args.shard)
    cfg, rub = _config(args, Path(args.root) if args.root else repo_root())
    mode = boundary.choose_mode(args.sandbox, args.unsafe_no_sandbox)
    if mode == "none":
        print("warning: --unsafe-no-sandbox: student code runs as you, with your files and "
              "network", file=sys.stderr)
    out = Path(args.out)
    os.close(outfiles.open_folder(out.absolute()))  # refuse a bad --out before grading anything
    subs, skipped = discover(folder)
    if shard:
        subs = [s for s in subs if shard_of(s.student, shard[1]) == shard[0]]
    for name in skipped:
        print(f"note: skipped {name} (not a folder or a .zip)")
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
    results = grade_all(subs, cfg, rub, args.jobs, mode, args.workdir)
    gradebook.write_all(results, rub, out)
    print(gradebook.summary_line(results, rub, out, shard))
    return 0
