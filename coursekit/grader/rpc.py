"""The judge's connection to the worker: start, ask, time out, restart.

One worker per submission, started lazily in the sandbox and reused from test
to test. A request waits for its reply until the current deadline (the
running hidden test's); a worker that hangs (even in C code), dies, sends too
much or breaks the protocol is killed -- its whole sandbox with it -- and the
request raises a :mod:`coursekit.grader.failures` exception with the reason.
The next request starts a fresh sandbox, so a hang costs only the test that
hung. While waiting, the judge serves the worker's requests about the judge's
own objects (callbacks), within the policy of :mod:`coursekit.grader.proxies`.
"""

from __future__ import annotations

import time

from .failures import (ProtocolBroken, StudentException, TooManyRestarts, TooMuchData,
                       WorkerDied, WorkerTimeout, student_exception)
from .inside import wire
from .proxies import WorkerProxy, dumps, item_target, public_getattr, public_setattr

STARTUP = 30.0  # seconds for a fresh worker to say "ready" (no student code runs before)
MAX_STARTS = 40  # fresh sandboxes per submission; then every request fails at once


class Worker:
    def __init__(self, sandbox, limits):
        self.sandbox, self.limits = sandbox, limits
        self.proc = None
        self.generation, self.starts = 0, 0
        self.deadline, self.seconds = None, 0.0  # the running test's deadline and its length
        self.shared, self.next_shared = {}, 1  # judge objects handed to the worker
        self.released = []  # ids of proxies the judge dropped, sent with the next request
        self.callback_errors = []  # exceptions raised by judge objects during a request
        self.changed = []  # arguments the last tracked call changed in place

    # ------------------------------------------------------------ lifetime
    def set_deadline(self, seconds: float | None, budget_deadline: float) -> None:
        """Requests until the next call wait at most ``seconds`` (and never past the budget)."""
        now = time.monotonic()
        self.seconds = seconds if seconds is not None else budget_deadline - now
        self.deadline = min(now + self.seconds, budget_deadline)

    def end_test(self) -> None:
        self.shared.clear()
        self.callback_errors.clear()

    def start(self) -> None:
        if self.starts >= MAX_STARTS:
            raise TooManyRestarts(self.starts)
        self.starts += 1
        self.proc = self.sandbox.spawn("worker")
        try:
            msg = self._receive(time.monotonic() + STARTUP)
        except BaseException:
            self.stop()
            raise
        if msg.get("op") != "ready":
            self.stop()
            raise ProtocolBroken("no ready message")

    def stop(self) -> None:
        """Kill the worker and everything in its sandbox; proxies of it go stale."""
        if self.proc is not None:
            self.sandbox.kill(self.proc)
            self.proc = None
        self.generation += 1
        self.released.clear()

    def release(self, ident: int, generation: int) -> None:
        if generation == self.generation and self.proc is not None:
            self.released.append(ident)

    def share(self, obj) -> int:
        ident, self.next_shared = self.next_shared, self.next_shared + 1
        self.shared[ident] = obj
        return ident

    # ------------------------------------------------------------ requests
    def request(self, op: str, **fields):
        """One request and its reply; student exceptions come back as StudentException."""
        if self.proc is None:
            self.start()
        fields["release"], self.released = self.released, []
        payload = dumps({"op": op, **fields}, self)  # may refuse an argument: nothing sent yet
        try:
            self._send(payload)
            value = self._wait_reply()
        except StudentException:
            raise
        except BaseException:
            self.stop()  # mid-exchange: the channel cannot be trusted any more
            raise
        if self.callback_errors:  # a judge callback failed: the test fails, whatever the student did
            raise self.callback_errors.pop(0)
        return value

    def _send(self, payload: bytes) -> None:
        try:
            wire.write_frame(self.proc.stdin.fileno(), payload)
        except OSError:  # the worker is gone (a broken pipe)
            code = self.sandbox.exit_status(self.proc)
            raise WorkerDied.from_status(code, self.sandbox.last_words(self.proc)) from None

    def import_module(self, module: str):
        return self.request("import", module=module)

    def call_tracked(self, fn, args, kwargs):
        """(value, names of arguments changed in place), the check done by the worker."""
        if not isinstance(fn, WorkerProxy):
            raise TypeError("call_tracked needs a student function (from student(...))")
        value = self.request("call", target=fn, args=args, kwargs=kwargs, track=True)
        return value, list(self.changed)

    def _wait_reply(self):
        while True:
            msg = self._receive(self.deadline)
            op = msg["op"]
            if op == "ok":
                changed = msg.get("changed")
                self.changed = [str(c)[:80] for c in changed] if isinstance(changed, list) else []
                return msg.get("value")
            if op == "err":
                error = msg.get("error")
                raise student_exception(error if isinstance(error, dict) else {})
            if op == "toobig":
                size = msg.get("size")
                raise TooMuchData(size if isinstance(size, int) else 0, self._reply_limit())
            self._serve(msg)

    def _reply_limit(self) -> int:
        return self.limits.reply * 2**20

    def _receive(self, deadline) -> dict:
        try:
            payload = wire.read_frame(self.proc.stdout.fileno(), self._reply_limit(), deadline)
            return wire.Decoder(self._proxy, self._shared_object).message(payload)
        except wire.Deadline:
            raise WorkerTimeout(self.seconds if deadline == self.deadline else STARTUP) from None
        except wire.FrameTooLarge as err:
            raise TooMuchData(err.size, err.limit) from None
        except wire.ProtocolError as err:
            raise ProtocolBroken(str(err)[:200]) from None
        except (wire.Closed, OSError):
            code = self.sandbox.exit_status(self.proc)
            raise WorkerDied.from_status(code, self.sandbox.last_words(self.proc)) from None

    def _proxy(self, ident: int, what: str) -> WorkerProxy:
        return WorkerProxy(self, ident, what)

    def _shared_object(self, ident: int):
        if ident not in self.shared:
            raise wire.ProtocolError(f"unknown grader object {ident}")
        return self.shared[ident]

    # ------------------------------------------- the worker asks the judge
    def _serve(self, msg: dict) -> None:
        op, obj = msg["op"], self.shared.get(msg.get("handle"), _MISSING)
        try:
            if obj is _MISSING or op not in JUDGE_OPS:
                raise LookupError(f"no grader object or operation for {op!r}")
            payload = dumps({"op": "ok", "value": JUDGE_OPS[op](obj, msg)}, self)
        except Exception as exc:  # noqa: BLE001 - the worker gets the type name only
            if op == "call":  # a test's callback failed: the test fails after the request
                self.callback_errors.append(exc)
            payload = dumps({"op": "err", "type": type(exc).__name__}, self)
        self._send(payload)


_MISSING = object()


def _call(obj, msg):
    args, kwargs = msg.get("args", ()), msg.get("kwargs", {})
    if not isinstance(args, (tuple, list)) or not isinstance(kwargs, dict) \
            or not all(isinstance(k, str) for k in kwargs):
        raise TypeError("malformed call from the sandbox")
    return obj(*args, **kwargs)


JUDGE_OPS = {
    "call": _call,
    "getattr": lambda obj, m: public_getattr(obj, m.get("name")),
    "setattr": lambda obj, m: public_setattr(obj, m.get("name"), m.get("value")),
    "getitem": lambda obj, m: item_target(obj)[m.get("key")],
    "setitem": lambda obj, m: item_target(obj).__setitem__(m.get("key"), m.get("value")),
    "len": lambda obj, m: len(item_target(obj)),
    "contains": lambda obj, m: m.get("key") in item_target(obj),
    "list": lambda obj, m: list(item_target(obj)),
    "bool": lambda obj, m: bool(obj),
}
