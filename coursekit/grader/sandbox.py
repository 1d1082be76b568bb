"""Starting and killing sandboxed processes: the mounts, the command, the environment.

One :class:`Sandbox` per submission (one job slot, one uid). :meth:`Sandbox.spawn`
starts a ``worker``, a notebook ``kernel`` or a ``script`` (the boundary's own
tests) through bubblewrap or ``jail.py`` (or plainly, with
``--unsafe-no-sandbox``), always through ``inside/boot.py``;
:meth:`Sandbox.kill` ends it and everything it started. What a sandbox sees is
described in :mod:`coursekit.grader.boundary`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

from .boundary import Runtime

INSIDE = {"runtime": "/opt/coursekit", "submission": "/submission", "tmp": "/tmp",
          "cache": "/data/cache", "ipc": "/run/ck"}


class Tail:
    """Drain a pipe in a thread, keeping the last ``limit`` bytes (a sandbox may print a lot)."""

    def __init__(self, stream, limit: int):
        self.data, self.limit = b"", limit
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self.data = (self.data + chunk)[-self.limit:]

    def last_line(self) -> str:
        self.thread.join(timeout=1)
        lines = self.data.decode("utf-8", "replace").strip().splitlines()
        return lines[-1][:200] if lines else ""


class Sandbox:
    """The sandboxed processes of one submission (one job slot, one uid)."""

    def __init__(self, runtime: Runtime, box: Path, slot: int, limits):
        self.rt, self.box, self.limits = runtime, box, limits
        self.uid = runtime.uid(slot)
        self.tails = {}
        self.paths = dict(INSIDE) if runtime.mode != "none" else {
            "runtime": runtime.folder, "submission": str(box / "submission"), "tmp": str(box / "tmp"),
            "cache": os.path.dirname(runtime.data[0][0]) if runtime.data else str(box / "tmp"),
            "ipc": ""}

    # ----------------------------------------------------- what it sees
    def site_packages(self) -> list:
        """Where the site-packages folders appear: neutral paths (``/opt/site/0``...), so
        nothing inside names the instructor's checkout that may hold the venv."""
        if self.rt.mode == "none":
            return list(self.rt.site_packages)
        return [f"/opt/site/{i}" for i in range(len(self.rt.site_packages))]

    def _mask(self, host_path: str) -> dict:
        for sp, inside in zip(self.rt.site_packages, self.site_packages()):
            if host_path.startswith(sp + "/"):
                dest = inside + host_path[len(sp):]
                if os.path.isdir(host_path):
                    return {"op": "mask", "dest": dest}
                return {"op": "mask_file", "dest": dest, "empty": f"{self.rt.folder}/etc/empty"}
        raise ValueError(f"{host_path} is not in a site-packages folder")

    def mounts(self, ipc: Path | None) -> list:
        """The mount plan (host -> sandbox), for bwrap options or jail.py."""
        plan = []
        for path, kind, target in self.rt.system:
            plan.append({"op": "symlink", "target": target, "dest": path} if kind == "symlink"
                        else {"op": "ro", "src": path, "dest": path})
        prefix = os.path.dirname(os.path.dirname(self.rt.python))
        if not prefix.startswith("/usr/"):
            plan.append({"op": "ro", "src": prefix, "dest": prefix})
        plan += [{"op": "ro", "src": sp, "dest": inside} for sp, inside in
                 zip(self.rt.site_packages, self.site_packages())]
        plan += [self._mask(m) for m in self.rt.masks]
        plan.append({"op": "ro", "src": self.rt.folder, "dest": INSIDE["runtime"]})
        for name in ("passwd", "group"):
            plan.append({"op": "ro", "src": f"{self.rt.folder}/etc/{name}", "dest": f"/etc/{name}"})
        plan.append({"op": "ro", "src": str(self.box / "submission"), "dest": INSIDE["submission"]})
        plan += [{"op": "ro", "src": src, "dest": f"{INSIDE['cache']}/{name}"} for src, name in self.rt.data]
        plan.append({"op": "tmpfs", "dest": "/tmp", "size": self.limits.scratch * 2**20, "mode": 0o1777})
        if ipc is not None:
            plan.append({"op": "rw", "src": str(ipc), "dest": INSIDE["ipc"]})
        return plan

    def boot_spec(self, role: str, connection_file: str = "", script: str = "") -> dict:
        tmp = self.paths["tmp"]
        home, work = f"{tmp}/home", f"{tmp}/work"
        limits = {"memory": self.limits.memory * 2**20, "cpu": int(self.limits.budget) + 30,
                  "file_size": self.limits.file_size * 2**20, "open_files": self.limits.open_files,
                  "core": 0}
        if self.rt.mode != "none":  # as a user without namespaces it would count all your processes
            limits["processes"] = self.limits.processes
        return {"role": role, "uid": self.uid, "gid": self.uid, "limits": limits,
                "scratch": [home, work], "scratch_root": tmp,
                "env": _environment(self.paths, os.path.dirname(self.rt.python)),
                "cwd": home if role == "worker" else work,
                "seed": [[f"{self.paths['runtime']}/matplotlib", f"{home}/.matplotlib"]],
                "package_root": self.paths["submission"], "site_packages": self.site_packages(),
                "reply_limit": self.limits.reply * 2**20, "connection_file": connection_file,
                "script": script}

    # ------------------------------------------------------- commands
    def command(self, role: str, ipc: Path | None = None, connection_file: str = "",
                setup_fd: int = 3, script: str = "") -> tuple:
        """(argv, setup text to read from ``setup_fd`` or None). The setup -- bwrap's options,
        the jail's plan -- goes through a pipe: pid 1's command line inside shows no host path."""
        boot = [self.rt.python, "-I", "-S", "-B", f"{self.paths['runtime']}/boot.py",
                json.dumps(self.boot_spec(role, connection_file, script))]
        if self.rt.mode == "none":
            return boot, None
        plan = self.mounts(ipc)
        if self.rt.mode == "namespaces":
            jail_plan = {"root": str(self.box / "root"), "hostname": "sandbox", "mounts": plan}
            argv = [self.rt.python, "-I", "-S", "-B", f"{self.rt.folder}/jail.py", str(setup_fd), "--"]
            return argv + boot, json.dumps(jail_plan)
        options = bwrap_argv(plan, user_ns=os.geteuid() != 0)[1:]
        return ["bwrap", "--args", str(setup_fd), "--", *boot], "\0".join(options) + "\0"

    def spawn(self, role: str, ipc: Path | None = None, connection_file: str = "", script: str = ""):
        if self.rt.mode == "namespaces":
            (self.box / "root").mkdir(exist_ok=True)
        if self.rt.mode == "none":
            Path(self.paths["tmp"]).mkdir(exist_ok=True)
        read_end, write_end = os.pipe()
        try:
            argv, setup = self.command(role, ipc, connection_file, read_end, script)
            data = (setup or "").encode()
            if len(data) > 60_000:  # written before anyone reads: it must fit in the pipe
                raise RuntimeError(f"sandbox setup of {len(data)} bytes does not fit a pipe")
            os.write(write_end, data)
            os.close(write_end)
            write_end = None
            pipe = subprocess.PIPE if role in ("worker", "script") else subprocess.DEVNULL
            proc = subprocess.Popen(argv, stdin=pipe, stdout=pipe, stderr=subprocess.PIPE,
                                    close_fds=True, start_new_session=True, pass_fds=(read_end,),
                                    env={"LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"})
        finally:
            os.close(read_end)
            if write_end is not None:
                os.close(write_end)
        self.tails[proc.pid] = Tail(proc.stderr, self.limits.output * 2**20)
        return proc

    # ------------------------------------------------------------- end
    def kill(self, proc) -> None:
        """SIGKILL the sandbox; its pid namespace takes every process in it along."""
        for kill in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
            try:
                kill()
            except OSError:
                pass
        proc.wait()
        self.tails.pop(proc.pid, None)  # its last words were read already, if they mattered
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()
        if self.uid is not None:
            reap_uid(self.uid)

    def exit_status(self, proc) -> int | None:
        try:
            return proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return None

    def last_words(self, proc) -> str:
        tail = self.tails.get(proc.pid)
        return tail.last_line() if tail else ""


def _environment(paths: dict, python_bin: str) -> dict:
    home = f"{paths['tmp']}/home"
    return {
        "HOME": home, "TMPDIR": paths["tmp"], "USER": "student", "LOGNAME": "student",
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "CS231N_LITE_DATA": "sample", "CS231N_LITE_CACHE": paths["cache"],
        "JUPYTER_PLATFORM_DIRS": "1", "JUPYTER_CONFIG_DIR": f"{home}/.jupyter",
        "JUPYTER_DATA_DIR": f"{home}/.jupyter-data", "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter-runtime",
        "IPYTHONDIR": f"{home}/.ipython", "PYTHONDONTWRITEBYTECODE": "1",
    }


def bwrap_argv(plan: list, user_ns: bool) -> list:
    argv = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if user_ns:
        argv += ["--unshare-user", "--disable-userns"]
    mounted, made = [], set()
    for m in plan:
        op = m["op"]
        argv += _parents(m["dest"], mounted, made)
        mounted.append(m["dest"])
        if op in ("ro", "rw"):
            argv += ["--ro-bind" if op == "ro" else "--bind", m["src"], m["dest"]]
        elif op == "tmpfs":
            argv += ["--perms", f"{m['mode']:o}", "--size", str(m["size"]), "--tmpfs", m["dest"]]
        elif op == "mask":
            argv += ["--size", "4096", "--tmpfs", m["dest"], "--remount-ro", m["dest"]]
        elif op == "mask_file":
            argv += ["--ro-bind", m["empty"], m["dest"]]
        elif op == "symlink":
            argv += ["--symlink", m["target"], m["dest"]]
    argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(16 * 2**20),
             "--tmpfs", "/dev/shm", "--remount-ro", "/", "--chdir", "/"]
    return argv


def _parents(dest: str, mounted: list, made: set) -> list:
    """``--dir`` for the new parents of ``dest``: bwrap would make them 0700, which the
    sandbox uid could not enter. Folders inside an earlier mount exist already."""
    out, parts = [], dest.strip("/").split("/")[:-1]
    for i in range(1, len(parts) + 1):
        path = "/" + "/".join(parts[:i])
        if path not in made and not any(path == m or path.startswith(m + "/") for m in mounted):
            out += ["--perms", "0755", "--dir", path]
            made.add(path)
    return out


def processes_of(uid: int) -> list[int]:
    """Pids of the processes whose real uid is ``uid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        found.append(int(entry.name))
                    break
        except (OSError, ValueError):
            continue
    return found


def reap_uid(uid: int, patience: float = 5.0) -> None:
    """Kill what is left of a sandbox uid (normally nothing: its pid namespace died)."""
    end = time.monotonic() + patience
    while time.monotonic() < end:
        pids = processes_of(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
