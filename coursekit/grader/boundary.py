"""The boundary around student code: which one this machine gives, and how it is built.

Modes (chosen once per `grade` run, see :func:`choose_mode`):

* ``bwrap`` -- bubblewrap. As root it creates no user namespace (that would
  map the sandbox to uid 0 outside) and ``boot`` drops to the job slot's
  uid inside; as a user it adds ``--unshare-user --disable-userns`` and the
  sandbox keeps the user's uid in namespaces of its own.
* ``namespaces`` -- root without bubblewrap: ``jail.py`` builds the same.
* ``none`` -- ``--unsafe-no-sandbox``: plain child processes with rlimits.

How one sandboxed process is started and killed: :mod:`coursekit.grader.sandbox`.
Every sandboxed process sees only (read-only unless said): the system's
``/usr`` (and its ``/lib``, ``/bin`` links), the Python installation, the
site-packages folders with any installed ``cs231n_lite``/``coursekit``
masked, the runtime folder (``/opt/coursekit``: boot, worker, wire, a
passwd file, a font cache, the guard), the staged submission (``/submission``), the
sample dataset (``/data/cache``), a private size-limited ``/tmp``
(read-write; HOME is ``/tmp/home``), a fresh ``/proc`` and minimal ``/dev``,
and for a kernel its socket folder (``/run/ck``, read-write). Not the
instructor's repository, ``grading/``, the reference notebooks, HOME, other
sandboxes or ``--out``.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import CourseKitError

UID_BASE, SLOTS_PER_RUN = 2_000_000_000, 1024  # sandbox uids: far above any real user's
RUNTIME_FILES = ("boot.py", "worker.py", "wire.py", "guard.py")  # from inside/; jail.py too
MASKED = ("cs231n_lite", "coursekit")  # an installed (non-editable) copy of the reference
MASKED_FILES = ("__editable__*", "*.egg-link")  # editable installs: they name the checkout
JAIL = Path(__file__).with_name("jail.py")
UNSAFE = ("no sandbox is available: student code would run as you, able to read and change "
          "everything you can; install bubblewrap (apt-get install bubblewrap) or run as root, "
          "or pass --unsafe-no-sandbox to accept that risk")


def _bwrap_works(as_root: bool) -> bool:
    if not shutil.which("bwrap"):
        return False
    args = ["bwrap", "--unshare-pid", "--unshare-net", "--ro-bind", "/", "/", "--proc", "/proc"]
    args += [] if as_root else ["--unshare-user"]
    try:
        return subprocess.run(args + ["true"], capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose_mode(requested: str = "auto", unsafe: bool = False) -> str:
    """'bwrap', 'namespaces' or 'none'; CourseKitError when the request cannot be met."""
    root = os.geteuid() == 0
    if unsafe:
        return "none"
    if requested in ("auto", "bwrap") and _bwrap_works(root):
        return "bwrap"
    if requested == "bwrap":
        raise CourseKitError("--sandbox bwrap: bubblewrap is missing or cannot create namespaces "
                             "here (apt-get install bubblewrap; check user namespaces)")
    if root and requested in ("auto", "namespaces"):
        return "namespaces"
    if requested == "namespaces":
        raise CourseKitError("--sandbox namespaces needs root (it sets up namespaces and uids)")
    raise CourseKitError(UNSAFE)


@dataclass(frozen=True)
class Runtime:
    """What every sandbox of one `grade` run shares (JSON-able, handed to each judge)."""

    mode: str
    folder: str  # the runtime folder (host path)
    python: str  # the base interpreter (not the venv's link)
    site_packages: tuple
    masks: tuple  # site-packages subfolders that stay invisible
    system: tuple  # (host path, "ro" | "symlink", link target)
    data: tuple  # (host folder, name under /data/cache)
    uid_base: int

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Runtime":
        return cls(**{k: tuple(tuple(x) if isinstance(x, list) else x for x in v)
                      if isinstance(v, list) else v for k, v in data.items()})

    def uid(self, slot: int) -> int | None:
        return self.uid_base + slot if self.mode != "none" and os.geteuid() == 0 else None


def run_uid_base() -> int:
    """The first sandbox uid of a run in this process: one block of SLOTS_PER_RUN per grader
    pid, so two runs on one machine never share a uid (and stay below 2**31 - 1)."""
    return UID_BASE + (os.getpid() % 100_000) * SLOTS_PER_RUN


def _site_packages() -> tuple:
    found = list(site.getsitepackages()) + [sysconfig.get_paths()[k] for k in ("purelib", "platlib")]
    return tuple(dict.fromkeys(os.path.realpath(p) for p in found if os.path.isdir(p)))


def _system() -> tuple:
    out = []
    for name in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/lib32", "/libx32"):
        if os.path.islink(name):
            out.append((name, "symlink", os.readlink(name)))
        elif os.path.isdir(name):
            out.append((name, "ro", ""))
    return tuple(out)


def prepare_runtime(workdir: Path, mode: str, cache: Path | None, uids: int) -> Runtime:
    """The run's runtime folder: the inside/ files, a passwd for the sandbox uids, a font cache."""
    folder = workdir / "runtime"
    (folder / "etc").mkdir(parents=True)
    for name in RUNTIME_FILES:
        shutil.copyfile(Path(__file__).with_name("inside") / name, folder / name)
    shutil.copyfile(JAIL, folder / "jail.py")  # run from here: pid 1's command line names no checkout
    if uids > SLOTS_PER_RUN:
        raise CourseKitError(f"--jobs must be <= {SLOTS_PER_RUN}, got {uids}")
    base = run_uid_base()
    users = [f"student:x:{base + i}:{base + i}:student:/tmp/home:/bin/false" for i in range(uids)]
    (folder / "etc" / "passwd").write_text("\n".join(["root:x:0:0:root:/root:/bin/false", *users]) + "\n")
    (folder / "etc" / "empty").write_text("")  # what a masked file shows
    (folder / "etc" / "group").write_text("root:x:0:\n" + "".join(
        f"student{i}:x:{base + i}:\n" for i in range(uids)))
    _font_cache(folder / "matplotlib")
    site_packages = _site_packages()
    masks = tuple(os.path.join(sp, m) for sp in site_packages for m in MASKED
                  if os.path.isdir(os.path.join(sp, m)))
    masks += tuple(str(f) for sp in site_packages for pattern in MASKED_FILES
                   for f in sorted(Path(sp).glob(pattern)) if f.is_file())
    data = tuple((str(p), p.name) for p in sorted(cache.glob("sample-v*")) if p.is_dir()) if cache else ()
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    python = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
    return Runtime(mode, str(folder), python, site_packages, masks, _system(), data, base)


def _font_cache(dest: Path) -> None:
    """Build matplotlib's font list once (each fresh sandbox would rebuild it, ~1 s)."""
    dest.mkdir()
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                   env={**os.environ, "MPLCONFIGDIR": str(dest), "MPLBACKEND": "Agg"},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
