"""Many submissions at once: one judge process per submission, each in a job slot.

``--jobs N`` judges run at a time; slot k gives its sandboxes the uid
``runtime.uid_base + k`` (root) so two submissions never share a uid. A judge
that dies, hangs past its budget (plus a margin) or returns nothing costs
only its own row, with the reason; its process group is killed and its
sandboxes die with it (they die with their parent). Its stderr (pytest's
report) goes to a bounded log the grader keeps for the error message.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..paths import HOME

MARGIN = 120.0  # seconds a judge may run past the budget (kernel starts, staging) before it is killed
MAX_RESULT = 64 * 2**20  # bytes of a judge's result


def _judge_env() -> dict:
    keep = {k: os.environ[k] for k in ("HOME", "TMPDIR", "LANG") if k in os.environ}
    return {**keep, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(HOME),
            "PYTHONDONTWRITEBYTECODE": "1", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1"}


def _tail(path: Path) -> str:
    try:
        lines = path.read_bytes()[-4000:].decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return lines[-1][:200] if lines else ""


def _kill_group(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass


JUDGE = [sys.executable, "-s", "-m", "coursekit.grader.judge"]


def run_judge(job: dict, log: Path, wall: float, command=JUDGE) -> dict:
    """The judge's result for one job, or {"status": "error: ..."} -- never raises."""
    with open(log, "wb") as err:
        proc = subprocess.Popen(command,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                start_new_session=True, env=_judge_env(), close_fds=True)
        try:
            out, _ = proc.communicate(json.dumps(job).encode(), timeout=wall)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            proc.wait()
            return {"status": f"error: grading this submission took over {wall:g} s and was stopped"}
        finally:
            _kill_group(proc)
    code = proc.returncode
    if code != 0 or not out or len(out) > MAX_RESULT:
        how = f"signal {-code}" if code < 0 else f"exit code {code}"
        detail = _tail(log)
        return {"status": f"error: the grader's judge process failed ({how})"
                          + (f": {detail}" if detail else "")}
    try:
        return json.loads(out)
    except ValueError:
        return {"status": "error: the grader's judge process returned no result"}


def grade_all(jobs: list[dict], width: int, logs: Path, wall: float, done) -> list[dict]:
    """Run every job, ``width`` at a time; ``done(index, result)`` as each finishes."""
    slots: queue.Queue = queue.Queue()
    for slot in range(width):
        slots.put(slot)
    results: list = [None] * len(jobs)
    lock = threading.Lock()

    def one(index: int) -> None:
        slot = slots.get()
        try:
            job = {**jobs[index], "slot": slot}
            results[index] = run_judge(job, logs / f"judge-{index}.log", wall)
        except Exception as err:  # noqa: BLE001 - the grader's own failure on one row
            results[index] = {"status": f"error: the grader failed on this submission "
                                        f"({type(err).__name__}: {err})"}
        finally:
            slots.put(slot)
        with lock:  # progress lines one at a time; the caller's bookkeeping must not stop the batch
            try:
                done(index, results[index])
            except Exception as err:  # noqa: BLE001
                print(f"note: after grading submission {index + 1}: {type(err).__name__}: {err}",
                      file=sys.stderr)

    with ThreadPoolExecutor(max_workers=width) as pool:
        list(pool.map(one, range(len(jobs))))
    return results
