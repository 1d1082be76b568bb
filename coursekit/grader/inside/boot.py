"""First code of every sandboxed process: limits, an unprivileged user, then the role.

    python -I -S /opt/coursekit/boot.py SPEC_JSON

Runs inside the sandbox's namespaces and mounts (set up by bubblewrap or by
``coursekit/grader/jail.py``), as root when the grader is root. In order:

1. make the writable scratch folders and hand them to the sandbox user;
2. lower the resource limits (memory, CPU, file size, open files,
   processes, no core dumps);
3. drop to the sandbox uid/gid with no supplementary groups (when root),
   then set ``no_new_privs``: nothing exec'd later can regain privileges;
4. a clean environment, the working folder, ``sys.path`` = the submission,
   this folder, the standard library, the site-packages folders (``-I -S``:
   no ``.pth`` files, no ``sitecustomize``, no ``PYTHON*`` variables);
5. the audit-hook guard (:mod:`guard`) as a second line;
6. the role: ``worker`` (the hidden tests' RPC server), ``kernel`` (an
   ipykernel for the notebooks) or ``script`` (a file, for the boundary's tests).
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import sys

PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
LIMITS = {"memory": resource.RLIMIT_AS, "cpu": resource.RLIMIT_CPU,
          "file_size": resource.RLIMIT_FSIZE, "open_files": resource.RLIMIT_NOFILE,
          "processes": resource.RLIMIT_NPROC, "core": resource.RLIMIT_CORE}


def _prctl(option: int, value: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def make_scratch(folders, uid, gid) -> None:
    for folder in folders:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if uid is not None and os.getuid() == 0:
            os.chown(folder, uid, gid)


def set_limits(limits: dict) -> None:
    for name, value in limits.items():
        kind = LIMITS[name]
        _, hard = resource.getrlimit(kind)
        soft = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (soft, soft if name != "cpu" else min(soft + 5, hard)))


def drop_privileges(uid, gid) -> None:
    if os.getuid() == 0 and uid is not None:
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
        if os.getresuid() != (uid, uid, uid) or os.getgroups():
            raise SystemExit("boot: could not drop privileges")
        _prctl(PR_SET_DUMPABLE, 1)  # its own /proc entries stay readable to it
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    if os.getuid() == 0 and uid is not None:
        raise SystemExit("boot: still root after dropping privileges")


def seed(copies) -> None:
    """Copy read-only seeds (a prebuilt matplotlib font cache) into the scratch."""
    for src, dest in copies:
        if os.path.isdir(src):
            shutil.copytree(src, dest, dirs_exist_ok=True)


def run_role(spec: dict) -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:0] = [spec["package_root"], here]
    sys.path += spec["site_packages"]
    import guard  # the second line (the first is the kernel's: uid, namespaces, limits)

    guard.install(spec["scratch_root"], allow_spawn=spec["role"] == "kernel")
    if spec["role"] == "worker":
        import worker

        worker.main(spec["package_root"], spec["reply_limit"])
    elif spec["role"] == "script":  # the grader's own tests of the boundary
        import runpy

        runpy.run_path(spec["script"], run_name="__main__")
    else:
        from ipykernel.kernelapp import launch_new_instance

        sys.argv = ["ipykernel", "-f", spec["connection_file"], "--HistoryManager.enabled=False",
                    "--IPKernelApp.parent_handle=0"]
        launch_new_instance()


def main() -> None:
    spec = json.loads(sys.argv[1])
    uid, gid = spec.get("uid"), spec.get("gid")
    make_scratch(spec["scratch"], uid, gid)
    set_limits(spec["limits"])
    drop_privileges(uid, gid)
    os.umask(0o077)
    os.environ.clear()
    os.environ.update(spec["env"])
    os.chdir(spec["cwd"])
    seed(spec.get("seed", []))
    run_role(spec)


if __name__ == "__main__":
    main()
