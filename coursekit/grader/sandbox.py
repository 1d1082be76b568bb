"""One submission's sandbox: its folder, environment, limits and watched processes.

Layout of a sandbox folder (a fresh temporary directory per submission)::

    student/     the submission's cs231n_lite/ and notebooks/ (first on sys.path)
    grading/     a fresh copy of the hidden tests
    reference/   fresh copies of the instructor's reference notebooks
    home/ tmp/   HOME and TMPDIR of every process
    jupyter/     the "coursekit-sandbox" kernelspec (a guarded ipykernel)
    results/     what the runners report back (JSON lines)

Every process runs with cwd inside the sandbox, in its own session (process
group), with RLIMIT_AS (memory), RLIMIT_CPU, RLIMIT_FSIZE and no core dumps,
and is killed -- with all its descendants, kernels included -- when it makes
no progress for too long or exceeds its wall-clock share.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "coursekit-sandbox"
PROTECTED = ("grading", "results", "jupyter")  # read-only for student code
FILE_SIZE_LIMIT = 512 * 2**20  # bytes any one file may grow to


@dataclass(frozen=True)
class Limits:
    timeout: float = 60.0  # seconds per hidden test
    budget: float = 900.0  # seconds per submission, all phases
    memory: int = 4096  # MB of address space per process
    cell_timeout: float = 300.0  # seconds per notebook cell (training cells are slow)


@dataclass
class RunOutcome:
    returncode: int | None
    killed: str = ""  # "", "no progress", "wall clock"
    elapsed: float = 0.0


def make_layout(root: Path) -> dict[str, Path]:
    dirs = {name: root / name for name in
            ("student", "grading", "reference", "home", "tmp", "jupyter", "results", "cache")}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    write_kernelspec(dirs["jupyter"])
    return dirs


def write_kernelspec(jupyter_dir: Path) -> None:
    spec = jupyter_dir / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-s", "-m", "coursekit.grader.sandbox_kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (coursekit sandbox)", "language": "python",
    }))


def sandbox_env(root: Path, marker: str) -> dict[str, str]:
    """A minimal environment: nothing of the grader's leaks in, all paths point inside."""
    home = root / "home"
    bindir = str(Path(sys.executable).parent)
    env = {
        "PATH": bindir + os.pathsep + os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home), "TMPDIR": str(root / "tmp"), "TMP": str(root / "tmp"),
        "TEMP": str(root / "tmp"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "PYTHONPATH": str(root / "student"), "PYTHONNOUSERSITE": "1", "PYTHONSAFEPATH": "1",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(home / ".matplotlib"),
        "JUPYTER_PATH": str(root / "jupyter"), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": str(home / ".jupyter-runtime"), "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "CS231N_LITE_DATA": "sample", "CS231N_LITE_CACHE": str(root / "cache"),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",  # nbval is loaded with -p where needed
        "COURSEKIT_SANDBOX": str(root), "COURSEKIT_MARKER": marker,
        "COURSEKIT_PROTECT": os.pathsep.join(str(root / d) for d in PROTECTED),
    }
    return env


def make_read_only(folder: Path) -> None:
    """chmod a-w below ``folder`` (the guard is the first line; this is the second)."""
    for path in sorted(folder.rglob("*"), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    folder.chmod(0o555)


def new_marker() -> str:
    return uuid.uuid4().hex


def _limit(memory_mb: int, cpu_seconds: float):
    """preexec_fn: runs in the child between fork and exec."""
    def apply():
        import resource

        def cap(kind, soft, hard):  # never above the grader's own hard limit
            _, current = resource.getrlimit(kind)
            if current != resource.RLIM_INFINITY:
                soft, hard = min(soft, current), min(hard, current)
            resource.setrlimit(kind, (soft, hard))

        mem = memory_mb * 2**20
        cap(resource.RLIMIT_AS, mem, mem)
        cpu = max(1, int(cpu_seconds))
        cap(resource.RLIMIT_CPU, cpu, cpu + 5)
        cap(resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT, FILE_SIZE_LIMIT)
        cap(resource.RLIMIT_CORE, 0, 0)
    return apply


def _descendants(pid: int) -> list[int]:
    """All descendants of ``pid`` (Linux /proc), children before grandchildren."""
    parents = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def kill_marked(marker: str) -> int:
    """Kill every process whose environment carries COURSEKIT_MARKER=<marker>."""
    needle, killed = f"COURSEKIT_MARKER={marker}".encode(), 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
        except (OSError, ValueError):
            continue
    return killed


def kill_tree(proc: subprocess.Popen) -> None:
    victims = _descendants(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    proc.wait()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def run_watched(cmd, *, cwd: Path, env: dict, progress: Path, idle: float, wall: float,
                memory_mb: int, log: Path) -> RunOutcome:
    """Run ``cmd``; kill it when ``progress`` stops growing for ``idle`` s or after ``wall`` s."""
    start = time.monotonic()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_limit(memory_mb, wall + 5), close_fds=True,
        )
        last_size, last_change, killed = _size(progress), start, ""
        while proc.poll() is None:
            time.sleep(0.1)
            now, size = time.monotonic(), _size(progress)
            if size != last_size:
                last_size, last_change = size, now
            if now - last_change > idle:
                killed = "no progress"
            elif now - start > wall:
                killed = "wall clock"
            if killed:
                kill_tree(proc)
                break
    kill_marked(env["COURSEKIT_MARKER"])  # strays: kernels, background processes
    return RunOutcome(proc.returncode, killed, time.monotonic() - start)


def read_events(path: Path) -> list[dict]:
    """The JSON lines a runner wrote (a torn last line is ignored)."""
    events = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return events
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict):
            events.append(event)
    return events
