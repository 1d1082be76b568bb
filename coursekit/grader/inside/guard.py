"""A write guard for sandboxed Python processes (a ``sys.addaudithook``).

Installed first thing in every process that runs student code (the hidden-test
runner, the notebook kernels), it turns these into ``PermissionError``:

* opening a file for writing, creating, deleting, renaming, linking,
  truncating or chmod-ing a path outside the sandbox folder (``/dev/null``
  and ``/dev/shm`` are allowed) or inside one of its protected folders (the
  grader's copies of the hidden tests and reference notebooks, the results);
* starting processes (``subprocess``, ``os.system``, ``os.exec*``,
  ``os.spawn*``, ``os.posix_spawn``, ``os.fork``) unless ``allow_spawn``.

Limits, stated plainly: an audit hook cannot be removed from Python, but code
that uses ``ctypes`` or a C extension to call the OS directly bypasses it,
and it does not restrict reading files or the network. It stops accidents
and naive attempts; it is not a security boundary (see docs/instructors.md).
"""

from __future__ import annotations

import os
import sys
import threading

ALLOWED_DEVICES = ("/dev/null", "/dev/shm")
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
# event -> indices of the path arguments it writes to
PATH_EVENTS = {
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1),
    "os.symlink": (1,), "os.link": (1,), "os.truncate": (0,), "os.chmod": (0,),
    "os.chown": (0,), "os.utime": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (1,),
    "os.removexattr": (0,), "os.setxattr": (0,),
}
SPAWN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork",
                "os.forkpty", "pty.spawn"}


def _resolve(path, dir_fd=None) -> str | None:
    """Absolute, symlink-resolved path; None for things that are not paths (fds)."""
    if isinstance(path, int):
        return None
    path = os.fsdecode(os.fspath(path))
    if not os.path.isabs(path):
        base = os.getcwd()
        if isinstance(dir_fd, int):
            base = os.readlink(f"/proc/self/fd/{dir_fd}")
        path = os.path.join(base, path)
    return os.path.realpath(path)


def _writes(mode, flags) -> bool:
    if isinstance(mode, str) and mode:
        return any(ch in mode for ch in "wax+")
    return isinstance(flags, int) and bool(flags & WRITE_FLAGS)


def make_hook(root: str, allow_spawn: bool, protect=()):
    root = os.path.realpath(root)
    inside = (root + os.sep, *(d + os.sep for d in ALLOWED_DEVICES))
    protected = tuple(os.path.realpath(p) for p in protect)
    local = threading.local()  # re-entrancy guard: the hook's own calls raise events too

    def allowed(path) -> bool:
        if path is None:
            return True
        if any(path == p or path.startswith(p + os.sep) for p in protected):
            return False
        return path == root or path in ALLOWED_DEVICES or path.startswith(inside)

    def hook(event, args):
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            if event == "open" and len(args) >= 3 and _writes(args[1], args[2]):
                targets = [_resolve(args[0])]
            elif event in PATH_EVENTS:
                dir_fd = args[-1] if event in ("os.remove", "os.rmdir", "os.mkdir") else None
                targets = [_resolve(args[i], dir_fd) for i in PATH_EVENTS[event] if i < len(args)]
            elif event in SPAWN_EVENTS and not allow_spawn:
                raise PermissionError(f"coursekit sandbox: starting processes ({event}) is not allowed")
            else:
                return
            for target in targets:
                if not allowed(target):
                    raise PermissionError(
                        f"coursekit sandbox: writing to {target} is not allowed (outside the "
                        f"sandbox or in the grader's files)")
        finally:
            local.busy = False

    return hook


def install(root: str | None = None, allow_spawn: bool = False) -> None:
    """Guard this process; ``root`` defaults to $COURSEKIT_SANDBOX (no-op when unset).

    Folders listed in $COURSEKIT_PROTECT (os.pathsep-separated) are read-only.
    Open your own output files before calling this.
    """
    root = root or os.environ.get("COURSEKIT_SANDBOX")
    protect = [p for p in os.environ.get("COURSEKIT_PROTECT", "").split(os.pathsep) if p]
    if root:
        sys.addaudithook(make_hook(root, allow_spawn, protect))
