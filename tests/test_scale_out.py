"""Scaling out as docs/instructors.md shows it: the Slurm array and the GitHub
Actions matrix of grading/scale-out/, run here shard by shard, merge into the
gradebook of one unsharded run.

Both drivers run as written. The Slurm script runs under bash once per array
task with the variables Slurm sets, then its merge script. The workflow is
read with PyYAML (a test dependency), its `run:` steps run
under bash as GitHub runs them, once per matrix value, the actions it uses
are simulated (artifacts are folders) and the runner's setup steps (apt,
pip) are recognised by their exact commands and skipped: this test's venv,
whose `cs231n-lite` is on PATH, is the installed kit.

Four students, ids chosen so that every shard of 2, 3 and 4 holds someone and
none holds everyone; graded against the mini hidden tests of
tests/grading_corpus.py (seconds per submission).
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import grading_corpus as corpus
from coursekit.release.build import build_release

ROOT = Path(__file__).resolve().parents[1]
SCALE_OUT = ROOT / "grading" / "scale-out"
SLURM_GRADE = SCALE_OUT / "slurm-grade.sbatch"
SLURM_MERGE = SCALE_OUT / "slurm-merge.sbatch"
WORKFLOW = SCALE_OUT / "github-actions-grade.yml"
BIN = Path(sys.executable).parent  # the venv's bin: its cs231n-lite is the kit under test
# student -> what they hand in
STUDENTS = {"alice": "reference", "dave": "release", "judy": "reference, zipped", "nia": "empty folder"}
# variables of the outer environment that would change what the drivers do
DRIVER_VARS = ("SHARDS", "GRADE_ARGS", "SUBMISSIONS", "OUT")

needs_sandbox = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                   reason="no sandbox here: needs root or bubblewrap")


def shard_of(student: str, count: int) -> int:
    """The documented split, computed independently: sha256 of the id, mod N, 1-based."""
    return int(hashlib.sha256(student.encode("utf-8")).hexdigest(), 16) % count + 1


def base_env(path_first: Path = BIN) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_") and k not in DRIVER_VARS}
    env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}"
    return env


def bash(script: Path, env: dict, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """``script`` as the job's shell runs it; on failure, its output in the assertion."""
    proc = subprocess.run(["bash", "--noprofile", "--norc", str(script)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    if check:
        assert proc.returncode == 0, f"{script.name} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def students_in(grades_csv: Path) -> set:
    with open(grades_csv, newline="", encoding="utf-8") as f:
        return {row["student"] for row in csv.DictReader(f)}


def assert_partition(parts: dict, everyone: set) -> None:
    """Shard k's CSV holds exactly the students that hash to k; none empty, none everyone."""
    n = len(parts)
    for k, path in parts.items():
        want = {s for s in everyone if shard_of(s, n) == k}
        assert 0 < len(want) < len(everyone), f"pick other ids: shard {k}/{n} would hold {sorted(want)}"
        assert students_in(path) == want, f"shard {k}/{n}: {path}"


def assert_same_gradebook(graded: Path, single: Path) -> None:
    """grades.csv byte for byte, and the same feedback files with the same text."""
    assert (graded / "grades.csv").read_bytes() == (single / "grades.csv").read_bytes()
    names = sorted(p.name for p in (single / "feedback").iterdir())
    assert sorted(p.name for p in (graded / "feedback").iterdir()) == names
    for name in names:
        assert (graded / "feedback" / name).read_bytes() == (single / "feedback" / name).read_bytes(), name


# ------------------------------------------------------------ the course
@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "kit"
    build_release(ROOT, out)
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory, release):
    """Submissions, mini hidden tests, the grade options the drivers pass on, one unsharded run."""
    base = tmp_path_factory.mktemp("scale-out")
    subs = base / "subs"
    corpus._copy(ROOT / "cs231n_lite", subs / "alice")
    corpus._copy(release / "cs231n_lite", subs / "dave")  # every function still raises NotImplementedError
    corpus._copy(ROOT / "cs231n_lite", base / "judy")
    shutil.make_archive(str(subs / "judy"), "zip", base / "judy")
    (subs / "nia").mkdir()  # rejected: empty submission folder
    grading = corpus.write_mini_grading(base / "grading", ROOT)
    extra = (f"--grading-dir {grading} --notebooks-dir {base / 'no-notebooks'} "
             f"--workdir {base / 'work'}")
    single = base / "single"
    proc = subprocess.run(["cs231n-lite", "grade", str(subs), "--out", str(single), "--jobs", "2",
                           *extra.split()], env=base_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert students_in(single / "grades.csv") == set(STUDENTS)
    return {"subs": subs, "extra": extra, "single": single}


def test_the_release_leaves_the_drivers_out(release):
    assert not (release / "grading").exists()
    drivers = {SLURM_GRADE.name, SLURM_MERGE.name, WORKFLOW.name, "scale-out"}
    assert not [p for p in release.rglob("*") if p.name in drivers]


def test_the_docs_name_the_drivers_and_this_test():
    docs = (ROOT / "docs" / "instructors.md").read_text()
    for path in (SLURM_GRADE, SLURM_MERGE, WORKFLOW, Path(__file__)):
        assert str(path.relative_to(ROOT)) in docs, path.name
    assert "sbatch --array=1-8 grading/scale-out/slurm-grade.sbatch" in docs
    assert "--dependency=afterok:" in docs


# ------------------------------------------------------------------ Slurm
def sbatch_directives(script: Path) -> dict:
    """``#SBATCH --key=value`` lines; Slurm reads them only before the first command."""
    found, lines = {}, script.read_text().splitlines()
    assert lines[0] == "#!/bin/bash"
    body = next(i for i, ln in enumerate(lines) if ln.strip() and not ln.startswith("#"))
    for i, line in enumerate(lines):
        if line.startswith("#SBATCH"):
            assert i < body, f"{script.name}:{i + 1}: an #SBATCH line after the first command is ignored"
            m = re.fullmatch(r"#SBATCH (--[a-z-]+)=(\S+)", line)
            assert m, f"{script.name}:{i + 1}: write #SBATCH --option=value"
            found[m.group(1)] = m.group(2)
    assert lines[body] == "set -euo pipefail", "the first command fails the job on any error"
    return found


def test_sbatch_scripts_parse_and_ask_for_what_they_use():
    for script in (SLURM_GRADE, SLURM_MERGE):
        subprocess.run(["bash", "-n", str(script)], check=True)
    grade = sbatch_directives(SLURM_GRADE)
    assert re.fullmatch(r"1-[1-9]\d*", grade["--array"])  # task ids are the shard numbers 1..N
    assert {"--cpus-per-task", "--time", "--output"} <= set(grade)
    assert "%a" in grade["--output"]  # one log per task
    merge = sbatch_directives(SLURM_MERGE)
    assert "--array" not in merge and {"--time", "--output"} <= set(merge)


def slurm_task(k: int, n: int, cpus: int = 2) -> dict:
    """What Slurm (>= 18) sets in task k of ``sbatch --array=1-n --cpus-per-task=cpus``."""
    return {"SLURM_JOB_ID": str(4242 + k), "SLURM_ARRAY_JOB_ID": "4242", "SLURM_ARRAY_TASK_ID": str(k),
            "SLURM_ARRAY_TASK_COUNT": str(n), "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": str(n),
            "SLURM_CPUS_PER_TASK": str(cpus)}


@needs_sandbox
def test_slurm_array_then_merge_equals_one_run(course, tmp_path):
    n = 3  # sbatch --array=1-3 (the command line overrides the script's #SBATCH --array)
    out = tmp_path / "graded"
    env = {**base_env(), "SUBMISSIONS": str(course["subs"]), "OUT": str(out), "GRADE_ARGS": course["extra"]}
    for k in range(1, n + 1):
        log = bash(SLURM_GRADE, {**env, **slurm_task(k, n)}, cwd=tmp_path).stdout
        assert f"(shard {k}/{n})" in log
    assert sorted(p.name for p in out.iterdir()) == [f"shard-{k}" for k in range(1, n + 1)]
    assert_partition({k: out / f"shard-{k}" / "grades.csv" for k in range(1, n + 1)}, set(STUDENTS))
    bash(SLURM_MERGE, {**env, "SLURM_JOB_ID": "4243", "SHARDS": str(n)}, cwd=tmp_path)
    assert_same_gradebook(out, course["single"])


@pytest.fixture
def stub(tmp_path):
    """A cs231n-lite that only records its arguments: the scripts' logic, without grading."""
    bin_dir = tmp_path / "stub-bin"
    bin_dir.mkdir()
    (bin_dir / "cs231n-lite").write_text('#!/bin/sh\nprintf \'%s\\n\' "$@" >> "$STUB_ARGS"\n')
    (bin_dir / "cs231n-lite").chmod(0o755)
    args = tmp_path / "args.txt"
    env = {**base_env(bin_dir), "STUB_ARGS": str(args), "SUBMISSIONS": "subs", "GRADE_ARGS": "--budget 60"}
    return env, args


@pytest.mark.parametrize("slurm, shard", [
    (slurm_task(2, 8, cpus=4), "2/8"),
    ({"SLURM_ARRAY_TASK_ID": "2", "SHARDS": "8", "SLURM_CPUS_PER_TASK": "4"}, "2/8"),  # Slurm < 18
    ({**slurm_task(5, 1, cpus=4), "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_MAX": "5",
      "SHARDS": "8"}, "5/8"),  # SHARDS=8 sbatch --array=5: re-running one task
])
def test_slurm_task_grades_its_shard(stub, tmp_path, slurm, shard):
    env, args = stub
    bash(SLURM_GRADE, {**env, **slurm}, cwd=tmp_path)
    k = shard.split("/")[0]
    assert args.read_text().splitlines() == ["grade", "subs", "--out", f"graded/shard-{k}", "--shard", shard,
                                             "--jobs", "4", "--budget", "60"]


@pytest.mark.parametrize("slurm, message", [
    ({}, "not a job-array task"),
    ({"SLURM_ARRAY_TASK_ID": "1"}, r"Slurm < 18\): set SHARDS=N"),
    ({**slurm_task(0, 8), "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "7"}, "not 1-8"),  # 0-7
    ({**slurm_task(3, 4), "SLURM_ARRAY_TASK_MAX": "7"}, "not 1-4"),  # --array=1-8:2
    ({"SLURM_ARRAY_TASK_ID": "9", "SHARDS": "8"}, "task 9 of 8 shards"),
    ({"SLURM_ARRAY_TASK_ID": "1", "SHARDS": "two"}, "task 1 of two shards"),
])
def test_slurm_task_refuses_an_array_that_is_not_1_to_n(stub, tmp_path, slurm, message):
    env, args = stub
    proc = bash(SLURM_GRADE, {**env, **slurm}, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and re.search(message, proc.stderr), proc.stderr
    assert not args.exists()  # nothing graded


def test_slurm_merge_wants_every_shard(stub, tmp_path):
    env, args = stub
    for k in (1, 3):
        (tmp_path / "graded" / f"shard-{k}").mkdir(parents=True)
        (tmp_path / "graded" / f"shard-{k}" / "grades.csv").write_text("student\n")
    proc = bash(SLURM_MERGE, env, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "set SHARDS=N" in proc.stderr
    proc = bash(SLURM_MERGE, {**env, "SHARDS": "3"}, cwd=tmp_path, check=False)
    assert proc.returncode == 2 and "graded/shard-2/grades.csv is missing" in proc.stderr
    assert not args.exists()


# --------------------------------------------------- the workflow, parsed
def workflow() -> dict:
    """The workflow, every scalar a string as GitHub's expressions see it (PyYAML's
    BaseLoader: no YAML 1.1 typing, so the key `on` stays "on" and 4 stays "4")."""
    return yaml.load(WORKFLOW.read_text(), Loader=yaml.BaseLoader)


# The runner's setup, done here by this test's venv. A step is skipped only if
# all its commands are in this list, so no grading command can hide in one.
SETUP_COMMANDS = {
    "sudo apt-get update",
    "sudo apt-get install -y bubblewrap",
    "sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
    "python -m pip install -e .",
}


def is_setup(step: dict) -> bool:
    commands = {ln.strip() for ln in step["run"].splitlines() if ln.strip() and not ln.strip().startswith("#")}
    assert commands <= SETUP_COMMANDS or not commands & SETUP_COMMANDS, f"{step['name']}: setup mixed with work"
    return commands <= SETUP_COMMANDS


def test_workflow_structure():
    wf = workflow()
    assert "workflow_dispatch" in wf["on"] and wf["permissions"] == {"contents": "read"}
    assert wf["defaults"] == {"run": {"shell": "bash"}}
    shards = int(wf["env"]["SHARDS"])
    grade, merge = wf["jobs"]["grade"], wf["jobs"]["merge"]
    assert set(wf["jobs"]) == {"grade", "merge"} and merge["needs"] == "grade"
    assert grade["strategy"]["matrix"] == {"shard": [str(k) for k in range(1, shards + 1)]}, "SHARDS != matrix"
    runs = {name: [s for s in job["steps"] if "run" in s and not is_setup(s)] for name, job in wf["jobs"].items()}
    assert [s["name"] for s in grade["steps"] if "run" in s and is_setup(s)] == ["Install bubblewrap",
                                                                                 "Install the kit"]
    assert [s["name"] for s in merge["steps"] if "run" in s and is_setup(s)] == ["Install the kit"]
    assert len(runs["grade"]) == 1 and "--shard \"${{ matrix.shard }}/$SHARDS\"" in runs["grade"][0]["run"]
    assert len(runs["merge"]) == 1 and "cs231n-lite merge" in runs["merge"][0]["run"]
    for job in wf["jobs"].values():
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step) and "name" in step
            assert "uses" not in step or step["uses"].split("@")[0] in ACTIONS, step["uses"]


# ------------------------------------------------- the workflow, executed
class Runner:
    """Runs the workflow's jobs here, in order, a workspace per job (and matrix value).

    ``run:`` steps: bash --noprofile --norc -eo pipefail, as GitHub runs
    ``shell: bash``; the environment is the workflow's, then the job's and the
    step's, then ``overrides``. Artifacts are folders under ``artifacts``.
    """

    def __init__(self, wf: dict, base: Path, submissions: Path, overrides: dict):
        self.wf, self.base, self.submissions, self.overrides = wf, base, submissions, overrides
        self.artifacts = base / "artifacts"
        self.artifacts.mkdir()
        self.skipped = []

    def run_all(self) -> None:
        done = set()
        for name, job in self.wf["jobs"].items():
            assert set(job.get("needs", "").split()) <= done, f"{name} runs before what it needs"
            for value in job.get("strategy", {}).get("matrix", {}).get("shard", [None]):
                self.job(name, job, value)
            done.add(name)

    def job(self, name: str, job: dict, shard) -> None:
        ws = self.base / (f"{name}-{shard}" if shard else name)
        ws.mkdir()
        for n, step in enumerate(job["steps"]):
            if "uses" in step:
                action = step["uses"].split("@")[0]
                ACTIONS[action](self, {k: expand(v, shard) for k, v in step.get("with", {}).items()}, ws)
            elif is_setup(step):
                self.skipped.append((name, step["name"]))
            else:
                env = {**base_env(), **self.wf.get("env", {}), **job.get("env", {}), **step.get("env", {}),
                       **self.overrides, "CI": "true", "GITHUB_WORKSPACE": str(ws)}
                script = self.base / f"{ws.name}-step{n}.sh"
                script.write_text(expand(step["run"], shard))
                proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                                      env=env, cwd=ws, capture_output=True, text=True, timeout=300)
                assert proc.returncode == 0, f"{name} {shard} {step['name']}:\n{proc.stdout}\n{proc.stderr}"

    def checkout(self, with_: dict, ws: Path) -> None:
        assert set(with_) <= {"repository", "ref", "token", "path", "persist-credentials"}
        if "repository" in with_:  # the submissions' repository
            shutil.copytree(self.submissions, ws / with_["path"])
        # else the course: this checkout, installed editable in the venv on PATH

    def setup_python(self, with_: dict, ws: Path) -> None:
        assert set(with_) == {"python-version"}  # the venv running this test is the Python

    def upload(self, with_: dict, ws: Path) -> None:
        assert set(with_) <= {"name", "path", "if-no-files-found", "retention-days"}
        assert with_["path"].endswith("/"), "this simulation uploads one folder (its contents)"
        name, folder = with_["name"], ws / with_["path"]
        assert not (self.artifacts / name).exists(), f"artifact {name} uploaded twice: names must differ"
        if with_.get("if-no-files-found") == "error":
            assert any(p.is_file() for p in folder.rglob("*")), f"no files in {folder}"
        shutil.copytree(folder, self.artifacts / name)

    def download(self, with_: dict, ws: Path) -> None:
        assert set(with_) == {"pattern", "path"}  # by pattern: each artifact into path/<its name>/
        names = sorted(a.name for a in self.artifacts.iterdir() if fnmatch.fnmatchcase(a.name, with_["pattern"]))
        assert names, f"no artifact matches {with_['pattern']}"
        for name in names:
            shutil.copytree(self.artifacts / name, ws / with_["path"] / name)


ACTIONS = {"actions/checkout": Runner.checkout, "actions/setup-python": Runner.setup_python,
           "actions/upload-artifact": Runner.upload, "actions/download-artifact": Runner.download}


def expand(text, shard):
    """``${{ matrix.shard }}`` in a step; any other expression outside `with:` is not simulated."""
    if shard is None or not isinstance(text, str):
        return text
    return text.replace("${{ matrix.shard }}", shard)


@needs_sandbox
def test_github_actions_matrix_then_merge_equals_one_run(course, tmp_path):
    wf = workflow()
    shards = int(wf["env"]["SHARDS"])
    runner = Runner(wf, tmp_path, course["subs"], {"GRADE_ARGS": course["extra"]})
    for job in wf["jobs"].values():
        for step in job["steps"]:
            assert "run" not in step or "${{" not in expand(step["run"], "1"), "an expression not simulated"
    runner.run_all()
    assert runner.skipped == [*[("grade", "Install bubblewrap"), ("grade", "Install the kit")] * shards,
                              ("merge", "Install the kit")]
    assert sorted(a.name for a in runner.artifacts.iterdir()) == ["grades", *[f"shard-{k}"
                                                                              for k in range(1, shards + 1)]]
    assert_partition({k: runner.artifacts / f"shard-{k}" / "grades.csv" for k in range(1, shards + 1)},
                     set(STUDENTS))
    assert_same_gradebook(runner.artifacts / "grades", course["single"])
