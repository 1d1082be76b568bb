"""Wall time of a full `cs231n-lite grade` per submission (issue 12, item 3).

    .venv/bin/python benchmarks/bench_grading.py [--copies 4] [--jobs 2] [--keep DIR]

Grades ``--copies`` copies of the reference (this repository's ``cs231n_lite/``
and executed ``notebooks/``, i.e. a student who wrote the reference) with
``--jobs`` submissions in parallel, every phase that counts (hidden tests and
notebooks), on the sample dataset, and prints one markdown table: total wall
time, wall time per submission (total / copies, the issue's measure), CPU
time per submission (every process of the run), and the score. Every copy must get full marks on the automatic items, else exit 1
(a fast grader that loses points is no win).

``--data`` is accepted and ignored (``run_all.py`` passes it to every
benchmark): grading always uses the sample dataset. ``--quick`` grades 2 copies.
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def make_copies(dest: Path, copies: int) -> None:
    """``copies`` submissions, each the reference package and executed notebooks."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for i in range(copies):
        sub = dest / f"reference-{i:02d}"
        shutil.copytree(ROOT / "cs231n_lite", sub / "cs231n_lite", ignore=ignore)
        (sub / "notebooks").mkdir()
        for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
            shutil.copyfile(nb, sub / "notebooks" / nb.name)


class CpuMeter:
    """CPU time of a process and everything it starts, through a cgroup (v1 cpuacct or v2):
    sandboxes are killed with SIGKILL, so their CPU never reaches getrusage. None when no
    cgroup can be made (not root)."""

    def __init__(self):
        self.path = None
        for root, usage in (("/sys/fs/cgroup/cpuacct", "cpuacct.usage"), ("/sys/fs/cgroup", "cpu.stat")):
            folder = Path(root) / f"bench-grading-{os.getpid()}"
            try:
                folder.mkdir()
            except OSError:
                continue
            if (folder / usage).exists():
                self.path, self.usage = folder, usage
                break
            folder.rmdir()

    def join(self) -> None:  # preexec_fn: the child enters before it execs
        if self.path is not None:
            (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self) -> float | None:
        if self.path is None:
            return None
        text = (self.path / self.usage).read_text()
        if self.usage == "cpuacct.usage":
            return int(text) / 1e9
        return int(text.split("usage_usec")[1].split()[0]) / 1e6

    def close(self) -> None:
        if self.path is not None:
            try:
                self.path.rmdir()
            except OSError:  # something the grade started is still running
                print(f"warning: processes left in {self.path}: {(self.path / 'cgroup.procs').read_text()}")


def grade(subs: Path, out: Path, jobs: int, extra: list[str]) -> tuple[float, float | None]:
    cmd = [str(Path(sys.executable).parent / "cs231n-lite"), "grade", str(subs), "--out", str(out),
           "--jobs", str(jobs), *extra]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    meter = CpuMeter()
    try:
        start = time.monotonic()
        done = subprocess.run(cmd, env=env, text=True, capture_output=True, preexec_fn=meter.join)
        elapsed, cpu = time.monotonic() - start, meter.seconds()
    finally:
        meter.close()
    print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "(no output)")
    if done.returncode != 0:
        sys.exit(f"bench_grading: grade failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, cpu


def check_full_marks(out: Path) -> tuple[float, float]:
    rows = list(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    short = [(r["student"], r["total"], r["max"], r["status"]) for r in rows if r["total"] != r["max"]]
    if short:
        for row in short:
            print(f"  not full marks: {row}")
        sys.exit("bench_grading: a reference copy lost points (see the feedback in --keep)")
    return float(rows[0]["total"]), float(rows[0]["max"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--copies", type=int, default=4)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", default=None, help="keep submissions and output in this new folder")
    p.add_argument("--data", default=None, help="ignored (grading uses the sample dataset)")
    p.add_argument("--quick", action="store_true", help="2 copies")
    p.add_argument("grade_args", nargs="*", help="extra options for `grade` (after --)")
    args = p.parse_args(argv)
    copies = 2 if args.quick else args.copies
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-grading-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        make_copies(base / "subs", copies)
        elapsed, cpu = grade(base / "subs", base / "out", args.jobs, args.grade_args)
        total, maximum = check_full_marks(base / "out")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    load = os.getloadavg()[0]
    print("\n| copies | jobs | cores | total wall | wall / submission | CPU / submission | score |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {copies} | {args.jobs} | {os.cpu_count()} | {elapsed:.0f} s | {elapsed / copies:.1f} s "
          f"| {'n/a' if cpu is None else f'{cpu / copies:.1f} s'} | {total:g}/{maximum:g} |")
    print(f"\n(Python {platform.python_version()}, {platform.machine()}, euid {os.geteuid()}, "
          f"load average {load:.1f} at the end: CPU time is the fairer comparison on a busy machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
