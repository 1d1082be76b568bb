"""Run one notebook's code cells in a sandboxed kernel, driven from the judge.

The kernel (untrusted: it runs student code) is an ipykernel inside the
sandbox; the client here (trusted) talks to it over ZeroMQ ``ipc`` sockets in
a small folder that is the only thing both sides see (``/run/ck`` inside).
Incoming messages are capped (ZMQ_MAXMSGSIZE) and their content is never
kept, only each cell's status and error. A cell that runs past its timeout,
or a kernel that dies, costs that cell: the kernel (its whole sandbox) is
killed, a fresh one replays the cells before it (at most MAX_REPLAYS times),
and the notebook goes on.

Result per code cell (in notebook order): ``{"ok": bool, "reason": str}``.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from ..outcomes import classify_kernel_error

KERNEL_STARTUP = 60.0
MAX_REPLAYS = 2
PORTS = {"shell_port": 1, "iopub_port": 2, "stdin_port": 3, "control_port": 4, "hb_port": 5}


class KernelLost(Exception):
    """The kernel timed out or died; ``str()`` is the cell's reason."""


class Kernel:
    """One sandboxed ipykernel and its client."""

    def __init__(self, sandbox, limits):
        self.sandbox, self.limits = sandbox, limits
        self.proc = self.client = self.ipc = None

    def start(self) -> None:
        import zmq
        from jupyter_client import BlockingKernelClient

        # AF_UNIX paths are limited to 107 bytes: in the box if its path is short, else /tmp
        parent = self.sandbox.box if len(str(self.sandbox.box)) < 60 else Path(tempfile.gettempdir())
        self.ipc = Path(tempfile.mkdtemp(prefix="ck-", dir=parent))
        inside = self.sandbox.paths["ipc"] or str(self.ipc)
        key = secrets.token_hex(16)
        info = {"transport": "ipc", "key": key, "signature_scheme": "hmac-sha256", **PORTS}
        (self.ipc / "kernel.json").write_text(json.dumps({**info, "ip": f"{inside}/k"}))
        uid = self.sandbox.uid
        if uid is not None:
            os.chown(self.ipc, uid, uid)
            (self.ipc / "kernel.json").chmod(0o644)
        self.proc = self.sandbox.spawn("kernel", ipc=self.ipc, connection_file=f"{inside}/kernel.json")
        context = zmq.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.limits.reply * 2**20)
        context.setsockopt(zmq.LINGER, 0)
        self.client = BlockingKernelClient(context=context)
        self.client.load_connection_info({**info, "ip": str(self.ipc / "k")})
        self.client.start_channels()
        self._wait_ready()
        if uid is not None:  # sockets are bound: the kernel may not add files any more
            os.chown(self.ipc, 0, 0)
            self.ipc.chmod(0o755)

    def _wait_ready(self) -> None:
        end = time.monotonic() + KERNEL_STARTUP
        while time.monotonic() < end:
            self._check_alive()
            msg_id = self.client.kernel_info()
            try:
                while True:
                    reply = self.client.get_shell_msg(timeout=1.0)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        return
            except queue.Empty:
                continue
        raise KernelLost(f"crashed: the kernel did not start within {KERNEL_STARTUP:g} s")

    def _check_alive(self) -> None:
        code = self.proc.poll()
        if code is not None:
            words = self.sandbox.last_words(self.proc)
            how = f"signal {code - 128}" if code > 128 else f"exit code {code}"
            raise KernelLost(f"crashed: the kernel died ({how})" + (f": {words}" if words else ""))

    def execute(self, code: str, timeout: float) -> dict:
        """Run one cell; raises KernelLost when the kernel must be replaced."""
        msg_id = self.client.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise KernelLost(f"timed out after {timeout:g} s")
            self._check_alive()
            try:
                reply = self.client.get_shell_msg(timeout=min(0.5, left))
            except queue.Empty:
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return self._outcome(reply.get("content", {}))

    def _outcome(self, content: dict) -> dict:
        if content.get("status") == "ok":
            return {"ok": True, "reason": ""}
        text = "\n".join(str(t) for t in content.get("traceback", [])[-20:])
        text += f"\n{content.get('ename', 'Error')}: {content.get('evalue', '')}"
        _, reason = classify_kernel_error(text, timeout=self.limits.cell_timeout,
                                          memory=self.limits.memory)
        return {"ok": False, "reason": reason}

    def stop(self) -> None:
        if self.client is not None:
            self.client.stop_channels()
            self.client.context.destroy(linger=0)
        if self.proc is not None:
            self.sandbox.kill(self.proc)
        if self.ipc is not None:
            shutil.rmtree(self.ipc, ignore_errors=True)
        self.proc = self.client = self.ipc = None


def _budget_text(limits) -> str:
    return f"not graded: the submission's time budget ({limits.budget:g} s) ran out"


def run_cells(sources: list, sandbox, limits, deadline: float) -> list:
    """Execute ``sources`` (one per code cell) in order; one result per cell."""
    results, skip, replays = [None] * len(sources), set(), 0
    kernel, index = None, 0
    try:
        while index < len(sources):
            if deadline - time.monotonic() < 1:
                results[index:] = [{"ok": False, "reason": _budget_text(limits)}] * (len(sources) - index)
                break
            try:
                if kernel is None:
                    kernel = Kernel(sandbox, limits)
                    kernel.start()
                    _replay(kernel, sources[:index], skip, limits, deadline)  # may blame this cell
                timeout = min(limits.cell_timeout, deadline - time.monotonic())
                results[index] = kernel.execute(sources[index], timeout)
            except KernelLost as lost:
                kernel.stop()
                kernel = None
                results[index] = {"ok": False, "reason": _lost_reason(str(lost), deadline, limits)}
                skip.add(index)
                replays += 1
                if replays > MAX_REPLAYS:
                    rest = f"not run: the kernel had to be restarted too often ({MAX_REPLAYS} times)"
                    results[index + 1:] = [{"ok": False, "reason": rest}] * (len(sources) - index - 1)
                    break
            index += 1
    finally:
        if kernel is not None:
            kernel.stop()
    return results


def _lost_reason(text: str, deadline: float, limits) -> str:
    if text.startswith("timed out") and deadline - time.monotonic() < 1:
        return _budget_text(limits)
    return text + (" (the kernel was restarted)" if text.startswith("timed out") else "")


def _replay(kernel, earlier: list, skip: set, limits, deadline: float) -> None:
    """Rebuild a fresh kernel's state: the cells before, minus those that killed a kernel."""
    for i, source in enumerate(earlier):
        if i not in skip:
            try:
                kernel.execute(source, min(limits.cell_timeout, deadline - time.monotonic()))
            except KernelLost as lost:
                raise KernelLost(f"{lost} (while replaying code cell {i + 1} after a restart)") from None
