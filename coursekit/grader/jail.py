"""The root floor when bubblewrap is missing: namespaces and mounts by hand.

    python -I -S jail.py PLAN_FD -- COMMAND...

Run by the judge (from the run's runtime folder), as root, for one sandboxed process (standard library only,
so it needs nothing but the Python installation). It does what bubblewrap
does with ``--unshare-{pid,net,ipc,uts,cgroup} --die-with-parent``:

1. dies with its parent (``PR_SET_PDEATHSIG``), then unshares the mount, pid,
   network (loopback only, brought up), ipc, uts and cgroup namespaces;
2. forks the new pid namespace's init (pid 1), which also dies with the jail;
3. pid 1 builds the new root on a tmpfs from the plan (read-only binds, sized
   tmpfs folders, masks, symlinks, a minimal /dev, a fresh /proc),
   ``pivot_root``s into it, detaches the old root, remounts ``/`` read-only;
4. pid 1 forks COMMAND (``boot.py``, which drops to the sandbox uid) and reaps;
   when COMMAND exits, pid 1 exits with its status and the kernel kills every
   process left in the namespace (daemons, ``setsid``, double forks included).

Plan: ``{"root": host dir to build on, "hostname": str, "mounts": [...]}`` with
mounts ``{"op": "ro"|"rw", "src", "dest"}``, ``{"op": "tmpfs", "dest", "size",
"mode"}``, ``{"op": "mask", "dest"}``, ``{"op": "mask_file", "dest", "empty"}``,
``{"op": "symlink", "target", "dest"}``
(the same plan :mod:`coursekit.grader.sandbox` turns into bubblewrap options).
"""

import ctypes
import fcntl
import json
import os
import signal
import socket
import struct
import sys

CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS = 0x00020000, 0x02000000, 0x04000000
CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x08000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH, PR_SET_PDEATHSIG = 2, 1
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(os.uname().machine)
DEVICES = ("null", "zero", "full", "random", "urandom")

LIBC = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(src, target, fstype, flags, data=None) -> None:
    enc = (lambda s: s.encode() if s is not None else None)
    _check(LIBC.mount(enc(src), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {src} on {target}")


def die_with_parent() -> None:
    parent = os.getppid()
    _check(LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl(PDEATHSIG)")
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _make_target(target: str, like: str | None) -> None:
    if os.path.lexists(target):  # e.g. a file to mask inside a read-only mount
        return
    if like is not None and not os.path.isdir(like):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    else:
        os.makedirs(target, exist_ok=True)


def bind(src: str, target: str, readonly: bool) -> None:
    _make_target(target, src)
    mount(src, target, None, MS_BIND | MS_REC)
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (MS_RDONLY if readonly else 0)
    mount(None, target, None, flags)


def apply(root: str, entry: dict) -> None:
    target = root + entry["dest"]
    op = entry["op"]
    if op in ("ro", "rw"):
        bind(entry["src"], target, readonly=op == "ro")
    elif op == "tmpfs":
        _make_target(target, None)
        mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV,
              f"mode={entry['mode']:o},size={entry['size']}")
    elif op == "mask":  # an empty read-only folder over what must stay invisible
        mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=555,size=4k")
    elif op == "mask_file":  # an empty file over one that names the instructor's checkout
        bind(entry["empty"], target, readonly=True)
    elif op == "symlink":
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(entry["target"], target)
    else:
        raise ValueError(f"unknown mount op {op!r}")


def make_dev(root: str) -> None:
    dev = root + "/dev"
    _make_target(dev, None)
    mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=755,size=64k")
    for name in DEVICES:
        open(f"{dev}/{name}", "a").close()
        mount(f"/dev/{name}", f"{dev}/{name}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{dev}/{name}")
    os.mkdir(f"{dev}/shm")
    mount("tmpfs", f"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=16m")


def loopback_up() -> None:
    """A new network namespace has only ``lo``, and it is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        ifreq = fcntl.ioctl(s, 0x8913, struct.pack("16sH22x", b"lo", 0))  # SIOCGIFFLAGS
        flags = struct.unpack("16sH22x", ifreq)[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH22x", b"lo", flags | 1))  # SIOCSIFFLAGS: IFF_UP


def build_root(plan: dict) -> None:
    root = plan["root"]
    os.umask(0o022)
    mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing propagates back to the host
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
    for entry in plan["mounts"]:
        apply(root, entry)
    make_dev(root)
    os.mkdir(root + "/proc")
    os.chdir(root)
    if SYS_PIVOT_ROOT is None:
        raise OSError(f"pivot_root: unknown system call number on {os.uname().machine}")
    _check(LIBC.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(LIBC.umount2(b".", MNT_DETACH), "umount the old root")
    os.chdir("/")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    socket.sethostname(plan.get("hostname", "sandbox"))
    loopback_up()


def init(command: list) -> None:
    """pid 1: run COMMAND, reap everything, exit with COMMAND's status."""
    child = os.fork()
    if child == 0:
        os.execve(command[0], command, {"LANG": "C.UTF-8"})
    while True:
        pid, status = os.wait()
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)


def read_plan(fd: int) -> dict:
    """The plan comes through a pipe: pid 1's command line shows no host paths."""
    with os.fdopen(fd, "rb") as f:
        return json.loads(f.read())


def main(argv: list) -> None:
    plan, command = read_plan(int(argv[1])), argv[3:]
    die_with_parent()
    _check(LIBC.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
                        | CLONE_NEWCGROUP), "unshare")
    pid1 = os.fork()
    if pid1 == 0:
        try:
            die_with_parent()
            build_root(plan)
        except Exception as err:  # noqa: BLE001 - one line for the judge's log
            print(f"jail: {err}", file=sys.stderr, flush=True)
            os._exit(126)
        init(command)
    _, status = os.waitpid(pid1, 0)
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main(sys.argv)
