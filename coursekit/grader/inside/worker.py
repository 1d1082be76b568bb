"""The worker: imports the submission's ``cs231n_lite`` and answers the judge (sandbox side).

Started by ``boot`` (privileges already dropped). Requests come pickled from
the judge on the channel, replies go back in the safe format of ``wire``; the
loop is strictly request -> reply, with nested requests in both directions
(student code may call a judge object, whose code may call student code...).

Requests: ``import``, ``getattr``, ``setattr``, ``call`` (``track``: report
which array/container arguments changed in place), ``getitem``, ``setitem``,
``delitem``, ``len``, ``iter``, ``next``, ``contains``, ``bool``, ``release``,
``parse_notebook``. Replies: ``ok`` (``value``, ``changed``) or ``err``
(``error``: type, builtin bases, message, where, in_student).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import json
import os
import pickle
import traceback

import numpy as np

import wire

PACKAGE = "cs231n_lite"


class JudgeError(Exception):
    """A judge-side object raised; only its type name crosses the boundary."""


# errors of the grader's objects that student code may expect (hasattr, dict.get, for loops)
LOOKUP_ERRORS = {"AttributeError": AttributeError, "KeyError": KeyError, "IndexError": IndexError,
                 "TypeError": TypeError, "StopIteration": StopIteration, "ValueError": ValueError}


class JudgeObject:
    """A judge-side object (a test's callback, a model passed to a Solver)."""

    __slots__ = ("_ck_id",)

    def __init__(self, ident):
        object.__setattr__(self, "_ck_id", ident)

    def __call__(self, *args, **kwargs):
        return WORKER.ask("call", self, args=args, kwargs=kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return WORKER.ask("getattr", self, name=name)

    def __setattr__(self, name, value):
        WORKER.ask("setattr", self, name=name, value=value)

    def __getitem__(self, key):
        return WORKER.ask("getitem", self, key=key)

    def __setitem__(self, key, value):
        WORKER.ask("setitem", self, key=key, value=value)

    def __len__(self):
        return WORKER.ask("len", self)

    def __contains__(self, key):
        return WORKER.ask("contains", self, key=key)

    def __iter__(self):
        return iter(WORKER.ask("list", self))

    def __bool__(self):
        return WORKER.ask("bool", self)

    def __repr__(self):
        return f"<grader object {self._ck_id}>"


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid):
        kind, ident = pid
        if kind == "w":
            return WORKER.objects[ident]
        return JudgeObject(ident)


def _what(obj) -> str:
    kind = type(obj)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if callable(obj) and isinstance(name, str):
        return f"{kind.__name__} {name}"[:120]
    return f"{kind.__name__} object"[:120]


# ---------------------------------------------------------- what went wrong
def _inside(path: str, package_dir: str) -> bool:
    return os.path.abspath(path).startswith(package_dir + os.sep)


def describe(exc: BaseException, package_dir: str) -> dict:
    """A safe description of an exception raised by student code."""
    try:
        message = str(exc.msg if isinstance(exc, SyntaxError) else exc)
    except BaseException:  # noqa: BLE001 - a student's __str__ may raise
        message = "(the exception's message could not be shown)"
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if _inside(f.filename, package_dir)]
    where, in_student = "", bool(frames) and _inside(frames[-1].filename, package_dir)
    if isinstance(exc, SyntaxError) and exc.filename:
        where, in_student = f"{exc.filename}:{exc.lineno}", True
    elif frames:
        frame = (mine or frames)[-1]
        where = f"{frame.filename}:{frame.lineno}"
    root = os.path.dirname(package_dir) + os.sep
    where = where[len(root):] if where.startswith(root) else os.path.basename(where)
    bases = [c.__name__ for c in type(exc).__mro__ if c.__module__ == "builtins"]
    return {"type": type(exc).__name__[:80], "bases": bases, "message": message[:2000],
            "where": where[:300], "in_student": in_student}


# ------------------------------------------------- in-place changes of args
def _fingerprint(value, depth=0):
    if isinstance(value, np.ndarray):
        data = value.tobytes() if not value.dtype.hasobject else b""
        return ("a", value.shape, value.dtype.str, hashlib.blake2b(data, digest_size=16).digest())
    if depth < 3 and type(value) is dict:
        return ("d", sorted((repr(k), _fingerprint(v, depth + 1)) for k, v in value.items()))
    if depth < 3 and type(value) is list:
        return ("l", [_fingerprint(v, depth + 1) for v in value])
    if depth < 3 and type(value) is tuple:
        return ("t", [_fingerprint(v, depth + 1) for v in value])
    return None  # scalars cannot change in place; other objects are not compared


def _named_args(fn, args, kwargs) -> dict:
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
        return dict(bound.arguments)
    except (TypeError, ValueError):
        return {**{f"argument {i + 1}": a for i, a in enumerate(args)}, **kwargs}


class Tracker:
    """Which named arguments of a call were changed in place (arrays, containers)."""

    def __init__(self, fn, args, kwargs):
        self.named = {k: v for k, v in _named_args(fn, args, kwargs).items()
                      if isinstance(v, (np.ndarray, dict, list))}
        self.before = {k: _fingerprint(v) for k, v in self.named.items()}

    def changed(self) -> list:
        return [k for k, v in self.named.items() if _fingerprint(v) != self.before[k]]


# ------------------------------------------------------- student notebooks
def _source(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def parse_notebook(path: str, max_bytes: int, max_cells: int, max_source: int) -> dict:
    """The student's solution cells of one notebook: {"code": {grade_id: source},
    "answers": {grade_id: markdown}} or {"problem": why}."""
    name = os.path.basename(path)
    size = os.stat(path).st_size
    if size > max_bytes:
        return {"problem": f"{name} is {size / 2**20:.1f} MB (limit {max_bytes / 2**20:g} MB)"}
    with open(path, "rb") as f:
        try:
            doc = json.loads(f.read(max_bytes + 1))
        except (ValueError, RecursionError):
            return {"problem": f"{name} is not a valid notebook (not JSON)"}
    cells = doc.get("cells") if isinstance(doc, dict) else None
    if not isinstance(cells, list):
        return {"problem": f"{name} is not a valid notebook (no list of cells)"}
    if len(cells) > max_cells:
        return {"problem": f"{name} has {len(cells)} cells (limit {max_cells})"}
    found = {"code": {}, "answers": {}}
    for cell in cells:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
        if not isinstance(nbg, dict) or nbg.get("solution") is not True:
            continue
        grade_id, kind = nbg.get("grade_id"), cell.get("cell_type")
        if isinstance(grade_id, str) and kind in ("code", "markdown"):
            table = found["code" if kind == "code" else "answers"]
            table.setdefault(grade_id[:200], _source(cell)[:max_source])
    return found


# ------------------------------------------------------------------ server
class Worker:
    def __init__(self, rfd: int, wfd: int, package_dir: str, limit: int):
        self.rfd, self.wfd, self.package_dir, self.limit = rfd, wfd, package_dir, limit
        self.objects, self.ids, self.next_id = {}, {}, 1

    # -- tables
    def handle_of(self, obj):
        ident = self.ids.get(id(obj))
        if ident is None or self.objects.get(ident) is not obj:
            ident, self.next_id = self.next_id, self.next_id + 1
            self.objects[ident], self.ids[id(obj)] = obj, ident
        return ident, _what(obj)

    @staticmethod
    def judge_id_of(obj):
        return obj._ck_id if type(obj) is JudgeObject else None

    # -- channel
    def send(self, op: str, **fields) -> None:
        try:
            payload = wire.Encoder(self.handle_of, self.judge_id_of, self.limit).message(op, **fields)
        except wire.FrameTooLarge as err:
            payload = wire.Encoder(self.handle_of, self.judge_id_of, self.limit).message(
                "toobig", size=err.size)
        wire.write_frame(self.wfd, payload)

    def receive(self) -> dict:
        payload = wire.read_frame(self.rfd, 1 << 34)
        return _Unpickler(io.BytesIO(payload[1:])).load()

    def ask(self, op: str, target: JudgeObject, **fields):
        """A request to the judge about one of its objects; serves nested requests."""
        self.send(op, handle=target._ck_id, **fields)
        while True:
            msg = self.receive()
            if msg["op"] == "ok":
                return msg["value"]
            if msg["op"] == "err":
                kind = LOOKUP_ERRORS.get(msg.get("type"), JudgeError)
                raise kind(f"the grader's object raised {msg.get('type')}")
            self.serve_one(msg)

    def serve(self) -> None:
        self.send("ready", pid=os.getpid())
        while True:
            self.serve_one(self.receive())

    def serve_one(self, msg: dict) -> None:
        try:
            value, changed = self.do(msg)
        except BaseException as exc:  # noqa: BLE001 - every student failure is a reply
            self.send("err", error=describe(exc, self.package_dir))
            return
        self.send("ok", value=value, changed=changed)

    # -- requests
    def do(self, msg: dict):
        op = msg["op"]
        if op == "call":
            fn, args, kwargs = msg["target"], msg["args"], msg["kwargs"]
            tracker = Tracker(fn, args, kwargs) if msg.get("track") else None
            value = fn(*args, **kwargs)
            return value, tracker.changed() if tracker else []
        return OPS[op](self, msg), []


def _import(worker, msg):
    name = PACKAGE + ("." + msg["module"] if msg["module"] else "")
    return importlib.import_module(name)


def _release(worker, msg):
    for ident in msg["ids"]:
        obj = worker.objects.pop(ident, None)
        if obj is not None and worker.ids.get(id(obj)) == ident:
            del worker.ids[id(obj)]


def _next(worker, msg):
    return next(msg["target"])


OPS = {
    "import": _import,
    "release": _release,
    "getattr": lambda w, m: getattr(m["target"], m["name"]),
    "setattr": lambda w, m: setattr(m["target"], m["name"], m["value"]),
    "getitem": lambda w, m: m["target"][m["key"]],
    "setitem": lambda w, m: m["target"].__setitem__(m["key"], m["value"]),
    "delitem": lambda w, m: m["target"].__delitem__(m["key"]),
    "len": lambda w, m: len(m["target"]),
    "iter": lambda w, m: iter(m["target"]),
    "next": _next,
    "contains": lambda w, m: m["key"] in m["target"],
    "bool": lambda w, m: bool(m["target"]),
    "parse_notebook": lambda w, m: parse_notebook(m["path"], m["max_bytes"], m["max_cells"],
                                                  m["max_source"]),
    "ping": lambda w, m: "pong",
}

WORKER: Worker | None = None


def main(package_root: str, limit: int) -> None:
    """Serve the judge on the original stdin/stdout; student prints go to stderr."""
    global WORKER
    rfd, wfd = os.dup(0), os.dup(1)  # private copies (not inherited by children)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    WORKER = Worker(rfd, wfd, os.path.join(package_root, PACKAGE), limit)
    try:
        WORKER.serve()
    except (wire.Closed, BrokenPipeError):
        os._exit(0)
