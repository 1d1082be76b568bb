"""A second line: a write guard for sandboxed Python processes (``sys.addaudithook``).

The boundary is the kernel's (``boot`` runs every sandboxed process as an
unprivileged user in its own namespaces, see coursekit/grader/boundary.py).
This hook, installed by ``boot`` after the privileges are dropped, only turns
naive attempts into clear ``PermissionError``s:

* opening a file for writing, creating, deleting, renaming, linking,
  truncating or chmod-ing a path outside the scratch folder (``/dev/null``
  and ``/dev/shm`` are allowed);
* starting processes (``subprocess``, ``os.system``, ``os.exec*``,
  ``os.spawn*``, ``os.posix_spawn``, ``os.fork``) unless ``allow_spawn``
  (the worker may not; a notebook kernel may).

Code that calls the OS through ``ctypes`` or a C extension bypasses it, and
it does not restrict reading files or the network: it is not the boundary.
With ``--unsafe-no-sandbox`` it is the only line, which is why that flag
says what it says.
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


def install(root: str, allow_spawn: bool = False, protect=()) -> None:
    """Guard this process: writes only below ``root``. Open your own files first."""
    sys.addaudithook(make_hook(root, allow_spawn, protect))
