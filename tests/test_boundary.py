"""The sandbox as student code sees it, in every mode this machine offers.

A probe script runs inside (boot's ``script`` role, after the privilege drop)
and reports what it can see and do; the tests compare that with what
docs/instructors.md promises. As root both bubblewrap (when installed) and
the namespaces floor are checked.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from coursekit.errors import CourseKitError
from coursekit.grader import boundary, sandbox
from coursekit.grader.limits import Limits

ROOT = Path(__file__).resolve().parents[1]
MODES = [m for m, ok in (("bwrap", shutil.which("bwrap") is not None), ("namespaces", os.geteuid() == 0))
         if ok]

PROBE = r'''
import errno, glob, json, os, resource, socket, sys
def name(err):
    return errno.errorcode.get(err.errno, type(err).__name__)
report = {"uid": os.getresuid(), "groups": os.getgroups(), "root": sorted(os.listdir("/")),
          "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}
status = open("/proc/self/status").read()
report["caps"] = status.split("CapEff:")[1].split()[0]
report["no_new_privs"] = status.split("NoNewPrivs:")[1].split()[0]
report["limits"] = {name: resource.getrlimit(getattr(resource, name))[0]
                    for name in ("RLIMIT_AS", "RLIMIT_NPROC", "RLIMIT_FSIZE", "RLIMIT_CORE", "RLIMIT_NOFILE")}
report["visible"] = {p: os.path.exists(p) for p in sys.argv[1:]}
report["writes"] = {}
import ctypes
libc = ctypes.CDLL(None, use_errno=True)  # the kernel's answer, not the audit hook's
for target in ("/submission/x", "/opt/coursekit/x", "/usr/x", "/x", "/data/cache/x", "/etc/x",
               "/tmp/home/ok"):
    fd = libc.open(target.encode(), os.O_WRONLY | os.O_CREAT, 0o644)
    report["writes"][target] = "ok" if fd >= 0 else errno.errorcode[ctypes.get_errno()]
fd = libc.open(b"/tmp/big", os.O_WRONLY | os.O_CREAT, 0o644)
written = libc.write(fd, b"x" * 6 * 2**20, 6 * 2**20)  # the scratch is 4 MB here
report["scratch"] = "ok" if written == 6 * 2**20 else f"short write {written}"
try:
    socket.create_connection(("1.1.1.1", 53), timeout=2)
    report["network"] = "reached"
except OSError as err:
    report["network"] = name(err)
report["editable"] = [open(f).read() for f in glob.glob("/opt/site/*/__editable__*")]
print(json.dumps(report))
'''

SLEEPERS = r'''
import ctypes, os, sys, time
libc = ctypes.CDLL(None)
if libc.fork() == 0:  # a daemon in a session of its own, and a double fork
    libc.setsid()
    if libc.fork() == 0:
        time.sleep(600)
    libc._exit(0)
print("started", flush=True)
time.sleep(600)
'''


def _sandbox(tmp_path, mode, script: str, limits=Limits()):
    rt = boundary.prepare_runtime(tmp_path / "run", mode, None, 1)
    box = tmp_path / "box"
    (box / "submission").mkdir(parents=True)
    (box / "submission" / "script.py").write_text(script)
    sb = sandbox.Sandbox(rt, box, 0, limits)
    return sb, f"{sb.paths['submission']}/script.py"


@pytest.mark.parametrize("mode", MODES)
def test_the_view_from_inside(tmp_path, mode):
    canary = Path.home() / f".coursekit-probe-{os.getpid()}"
    canary.write_text("HOME is not visible")
    secrets = [str(ROOT), str(ROOT / "grading"), str(canary), str(Path.home() / ".cache"),
               str(tmp_path), "/work", "/home"]
    probe = PROBE.replace("sys.argv[1:]", repr(secrets))
    sb, script = _sandbox(tmp_path, mode, probe, Limits(scratch=4, memory=1024, processes=32))
    try:
        proc = sb.spawn("script", script=script)
    finally:
        canary.unlink()
    proc.stdin.close()
    out = proc.stdout.read().decode()
    proc.wait(timeout=60)
    report = json.loads(out.strip().splitlines()[-1]) if out.strip() else sb.last_words(proc)
    assert isinstance(report, dict), report
    uid = report["uid"][0]
    if os.geteuid() == 0:
        assert report["uid"] == [uid] * 3 and uid == boundary.run_uid_base()
    assert report["groups"] == [] and report["caps"] == "0000000000000000" and report["no_new_privs"] == "1"
    system = {"bin", "lib", "lib64", "sbin", "lib32", "libx32", "root"}  # links to /usr; pyenv's prefix
    assert {"dev", "etc", "opt", "proc", "submission", "tmp", "usr"} <= set(report["root"])
    assert set(report["root"]) <= {"dev", "etc", "opt", "proc", "submission", "tmp", "usr"} | system
    assert report["pids"] == [1, 2]  # pid 1: the sandbox's init, 2: the probe. Nothing else.
    assert not any(report["visible"].values()), report["visible"]
    assert report["limits"]["RLIMIT_AS"] == 1024 * 2**20 and report["limits"]["RLIMIT_CORE"] == 0
    assert report["limits"]["RLIMIT_NPROC"] == 32 and report["limits"]["RLIMIT_NOFILE"] == 256
    writes = report["writes"]
    assert writes.pop("/tmp/home/ok") == "ok"
    assert set(writes.values()) <= {"EROFS", "EACCES", "ENOENT"}, writes
    assert report["scratch"].startswith("short write")
    assert report["network"] == "ENETUNREACH"
    assert report["editable"] in ([], ["", ""], [""])  # editable-install finders are masked


@pytest.mark.parametrize("mode", MODES)
def test_killing_the_sandbox_kills_every_process_in_it(tmp_path, mode):
    sb, script = _sandbox(tmp_path, mode, SLEEPERS)
    proc = sb.spawn("script", script=script)
    try:
        assert proc.stdout.readline() == b"started\n"
        if sb.uid is not None:
            assert len(sandbox.processes_of(sb.uid)) >= 2  # the script, its detached grandchild
    finally:
        sb.kill(proc)
    if sb.uid is not None:
        assert sandbox.processes_of(sb.uid) == []
    assert not [p for p in Path("/proc").glob("[0-9]*/cmdline")
                if str(tmp_path).encode() in _read(p)]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_without_root_or_bubblewrap_grade_refuses_and_names_the_risk(monkeypatch):
    monkeypatch.setattr(boundary.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(boundary.shutil, "which", lambda name: None)
    with pytest.raises(CourseKitError, match="student code would run as you.*--unsafe-no-sandbox"):
        boundary.choose_mode("auto")
    with pytest.raises(CourseKitError, match="--sandbox namespaces needs root"):
        boundary.choose_mode("namespaces")
    with pytest.raises(CourseKitError, match="--sandbox bwrap: bubblewrap is missing"):
        boundary.choose_mode("bwrap")
    assert boundary.choose_mode("auto", unsafe=True) == "none"


def test_feedback_names_are_unique_and_bounded():
    from coursekit.grader.outfiles import feedback_name

    ids = ["bob smith", "bob_smith", "bob/smith", "x" * 255, "ü" * 100, ".hidden", "", "a" * 40 + "b"]
    names = [feedback_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    assert all(len(n) <= 54 and n.endswith(".md") and "/" not in n and not n.startswith(".") for n in names)
    assert feedback_name("bob smith") == feedback_name("bob smith")


USER_DRIVER = r'''
import json, sys, tempfile
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from coursekit.grader import boundary, sandbox
from coursekit.grader.limits import Limits
assert boundary.choose_mode("auto") == "bwrap"
work = Path(tempfile.mkdtemp(dir=sys.argv[2]))
folder = work / "runtime"
(folder / "etc").mkdir(parents=True)
for name in boundary.RUNTIME_FILES:
    (folder / name).write_bytes((Path(sys.argv[1]) / "coursekit/grader/inside" / name).read_bytes())
for name in ("passwd", "group", "empty"):
    (folder / "etc" / name).write_text("")
rt = boundary.Runtime("bwrap", str(folder), sys.executable, (), (), boundary._system(), (), 0)
box = work / "box"
(box / "submission").mkdir(parents=True)
(box / "submission" / "probe.py").write_text(sys.argv[3])
sb = sandbox.Sandbox(rt, box, 0, Limits(processes=20))
proc = sb.spawn("script", script="/submission/probe.py")
out, _ = proc.communicate(timeout=60)
print(out.decode() or sb.last_words(proc))
'''
USER_PROBE = r'''
import ctypes, json, os, resource
status = open("/proc/self/status").read()
print(json.dumps({"uid": os.getuid(), "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
                  "no_new_privs": status.split("NoNewPrivs:")[1].split()[0],
                  "nproc": resource.getrlimit(resource.RLIMIT_NPROC)[0],
                  "nested_userns": ctypes.CDLL(None).unshare(0x10000000),
                  "visible": [p for p in ("/work", "/root", "/home") if os.path.exists(p)]}))
'''


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("bwrap") or not shutil.which("setpriv")
                    or not os.path.exists("/usr/bin/python3"),
                    reason="needs root (to become a normal user), bubblewrap, setpriv, /usr/bin/python3")
def test_as_a_normal_user_bubblewrap_gives_the_same_walls():
    """The mode the docs recommend without root: bwrap in user namespaces of its own."""
    import subprocess
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="coursekit-userns-"))  # pytest's tmp is root-only
    try:
        shutil.copytree(ROOT / "coursekit", shared / "src" / "coursekit",
                        ignore=shutil.ignore_patterns("__pycache__"))
        for path in [shared, *shared.rglob("*")]:
            path.chmod(0o1777 if path == shared else (0o755 if path.is_dir() else 0o644))
        done = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                               "--reset-env", "/usr/bin/python3", "-c", USER_DRIVER, str(shared / "src"),
                               str(shared), USER_PROBE], capture_output=True, text=True, timeout=120, cwd="/")
    finally:
        shutil.rmtree(shared)
    assert done.stdout.strip(), done.stderr[-1000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["uid"] == 65534 and report["pids"] == ["1", "2"]  # its own uid, its own pids
    assert report["no_new_privs"] == "1" and report["nproc"] == 20
    assert report["nested_userns"] == -1  # --disable-userns: no namespaces inside
    assert report["visible"] == []


FORKS = r'''
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
count = 0
while count < 1000:
    pid = libc.fork()
    if pid == 0:
        libc.pause()
        libc._exit(0)
    if pid < 0:
        break
    count += 1
print(count, os.strerror(ctypes.get_errno()), flush=True)
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="RLIMIT_NPROC binds a uid of its own: root gives one")
@pytest.mark.parametrize("mode", MODES)
def test_a_fork_bomb_stops_at_the_process_limit(tmp_path, mode):
    sb, script = _sandbox(tmp_path, mode, FORKS, Limits(processes=16))
    proc = sb.spawn("script", script=script)
    try:
        line = proc.stdout.readline().decode().split(" ", 1)
    finally:
        sb.kill(proc)
    assert int(line[0]) < 16 and line[1].strip() == "Resource temporarily unavailable"
    assert sandbox.processes_of(sb.uid) == []
