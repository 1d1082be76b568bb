"""Frames and the safe codec between the judge (trusted) and the worker (untrusted).

Runs on both sides: the judge imports it as ``coursekit.grader.inside.wire``,
the worker (inside the sandbox) as ``wire``. Standard library and numpy only.

Frame: a 4-byte big-endian payload length, then the payload. Its first byte
names the format:

* ``P`` (judge -> worker): a pickle. The worker is the untrusted side, so what
  it unpickles cannot hurt the judge; the judge's own objects travel in it as
  persistent ids (handles), never by value.
* ``S`` (worker -> judge): the SAFE format, the only one the judge decodes.
  ``S`` + 4-byte JSON length + JSON + binary blobs. The JSON holds a message
  ``{"op": str, field: value, ...}`` and the blob lengths; a value is JSON
  None/bool/int/float/str or one tagged object::

      {"t": [v...]} tuple   {"l": [v...]} list   {"d": [[k, v]...]} dict
      {"c": [re, im]} complex   {"b": i} bytes (blob i)
      {"a": i} ndarray, {"s": i} numpy scalar (blob i in .npy format, no pickles:
               object dtypes are refused)
      {"h": id, "k": "what"} a worker-side object (the judge gets a proxy)
      {"j": id} a judge-side object the judge handed out earlier

A frame longer than the reader's limit is refused before it is read.
"""

from __future__ import annotations

import io
import json
import os
import select
import struct
import time

import numpy as np

HEADER = struct.Struct("!I")
MAX_DEPTH = 64  # nesting of containers in one value
MAX_NPY_HEADER = 10_000


class ProtocolError(Exception):
    """The other side sent something that is not a valid message."""


class FrameTooLarge(ProtocolError):
    """A frame above the reader's limit (its size is ``.size`` bytes)."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"a message of {size} bytes (limit {limit})")
        self.size, self.limit = size, limit


class Deadline(Exception):
    """Reading a frame did not finish before the deadline."""


class Closed(Exception):
    """The other side closed the channel."""


# ------------------------------------------------------------------ frames
def write_frame(fd: int, payload: bytes) -> None:
    data = memoryview(HEADER.pack(len(payload)) + payload)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, count: int, deadline: float | None) -> bytes:
    chunks, left = [], count
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise Deadline()
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, limit: int, deadline: float | None = None) -> bytes:
    """One payload; ``deadline`` is a time.monotonic() value (None: wait forever)."""
    (size,) = HEADER.unpack(_read_exact(fd, HEADER.size, deadline))
    if size > limit:
        raise FrameTooLarge(size, limit)
    return _read_exact(fd, size, deadline)


# ------------------------------------------------------------ safe: encode
class Encoder:
    """Worker side: a message -> ``S`` payload. Data is copied; any other object
    becomes a handle through ``handle_of(obj) -> (id, what)``."""

    def __init__(self, handle_of, judge_id_of, limit: int):
        self.handle_of, self.judge_id_of, self.limit = handle_of, judge_id_of, limit
        self.blobs, self.size = [], 0

    def _blob(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise FrameTooLarge(self.size, self.limit)
        self.blobs.append(data)
        return len(self.blobs) - 1

    def _npy(self, arr) -> int:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, arr, allow_pickle=False)
        return self._blob(buf.getvalue())

    def value(self, obj, depth: int = 0, seen: frozenset = frozenset()):
        kind = type(obj)
        if obj is None or kind in (bool, float, str):
            return obj
        if kind is int:
            return obj if obj.bit_length() < 4000 else self._handle(obj)
        if kind is complex:
            return {"c": [obj.real, obj.imag]}
        if kind in (bytes, bytearray):
            return {"b": self._blob(bytes(obj))}
        judge = self.judge_id_of(obj)
        if judge is not None:
            return {"j": judge}
        if kind is np.ndarray and not obj.dtype.hasobject:
            return {"a": self._npy(obj)}
        if isinstance(obj, np.generic) and kind is not np.object_:
            return {"s": self._npy(np.asarray(obj))}
        if kind in (tuple, list, dict) and depth < MAX_DEPTH and id(obj) not in seen:
            return self._container(obj, depth + 1, seen | {id(obj)})
        return self._handle(obj)

    def _container(self, obj, depth, seen):
        if type(obj) is dict:
            return {"d": [[self.value(k, depth, seen), self.value(v, depth, seen)] for k, v in obj.items()]}
        items = [self.value(v, depth, seen) for v in obj]
        return {"t": items} if type(obj) is tuple else {"l": items}

    def _handle(self, obj):
        ident, what = self.handle_of(obj)
        return {"h": ident, "k": what}

    def message(self, op: str, **fields) -> bytes:
        doc = {"op": op, **{k: self.value(v) for k, v in fields.items()}}
        text = json.dumps({"m": doc, "blobs": [len(b) for b in self.blobs]}).encode("utf-8")
        self.size += len(text)
        if self.size > self.limit:
            raise FrameTooLarge(self.size, self.limit)
        return b"S" + HEADER.pack(len(text)) + text + b"".join(self.blobs)


# ------------------------------------------------------------ safe: decode
def load_npy(blob: bytes):
    """An ndarray from .npy bytes, refusing pickles and checking sizes first."""
    f = io.BytesIO(blob)
    version = np.lib.format.read_magic(f)
    read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}.get(version)
    if read_header is None:
        raise ProtocolError(f"unknown .npy version {version}")
    shape, fortran, dtype = read_header(f, max_header_size=MAX_NPY_HEADER)
    if dtype.hasobject:
        raise ProtocolError("an array of Python objects (object dtype) is refused")
    count = 1
    for n in shape:
        count *= n
    offset = f.tell()
    if len(blob) - offset != count * dtype.itemsize:
        raise ProtocolError("an array whose data does not match its header")
    if count == 0:
        return np.empty(shape, dtype=dtype)
    flat = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return flat.reshape(shape, order="F" if fortran else "C").copy()


class Decoder:
    """Judge side: ``S`` payload -> message dict. ``worker_handle(id, what)`` and
    ``judge_object(id)`` turn handles into the judge's objects."""

    def __init__(self, worker_handle, judge_object):
        self.worker_handle, self.judge_object = worker_handle, judge_object

    def message(self, payload: bytes) -> dict:
        try:
            return self._message(payload)
        except ProtocolError:
            raise
        except (ValueError, TypeError, KeyError, IndexError, RecursionError, UnicodeDecodeError,
                struct.error, MemoryError, OverflowError) as err:
            raise ProtocolError(f"{type(err).__name__}: {str(err)[:200]}") from None

    def _message(self, payload: bytes) -> dict:
        if payload[:1] != b"S":
            raise ProtocolError("not a safe-format message")
        (jlen,) = HEADER.unpack_from(payload, 1)
        doc = json.loads(payload[5:5 + jlen].decode("utf-8"))
        lengths = doc["blobs"]
        if not isinstance(lengths, list) or not all(type(n) is int and n >= 0 for n in lengths):
            raise ProtocolError("bad blob table")
        self.blobs, at = [], 5 + jlen
        for n in lengths:
            self.blobs.append(payload[at:at + n])
            at += n
        if at != len(payload):
            raise ProtocolError("the blob table does not match the message length")
        msg = doc["m"]
        if type(msg) is not dict or type(msg.get("op")) is not str:
            raise ProtocolError("a message without an op")
        return {k: (v if k == "op" else self.value(v, 0)) for k, v in msg.items()}

    def value(self, node, depth: int):
        if node is None or type(node) in (bool, int, float, str):
            return node
        if depth > MAX_DEPTH + 2 or type(node) is not dict or len(node) not in (1, 2):
            raise ProtocolError("a malformed value")
        tag = next(iter(node))
        body = node[tag]
        if tag in ("t", "l"):
            items = [self.value(v, depth + 1) for v in self._list(body)]
            return tuple(items) if tag == "t" else items
        if tag == "d":
            return {self._key(self.value(k, depth + 1)): self.value(v, depth + 1)
                    for k, v in (self._pair(p) for p in self._list(body))}
        if tag == "c":
            re_, im = self._list(body)
            return complex(float(re_), float(im))
        if tag in ("b", "a", "s"):
            blob = self.blobs[self._index(body)]
            if tag == "b":
                return bytes(blob)
            arr = load_npy(blob)
            return arr if tag == "a" else arr[()]
        if tag == "h" and type(body) is int and type(node.get("k")) is str:
            return self.worker_handle(body, node["k"][:200])
        if tag == "j" and type(body) is int:
            return self.judge_object(body)
        raise ProtocolError(f"unknown value tag {tag!r}")

    @staticmethod
    def _list(body) -> list:
        if type(body) is not list:
            raise ProtocolError("a malformed container")
        return body

    def _pair(self, pair):
        if type(pair) is not list or len(pair) != 2:
            raise ProtocolError("a malformed dict item")
        return pair

    def _index(self, body) -> int:
        if type(body) is not int or not 0 <= body < len(self.blobs):
            raise ProtocolError("a reference to a missing blob")
        return body

    @staticmethod
    def _key(key):
        try:
            hash(key)
        except TypeError:
            raise ProtocolError("an unhashable dict key") from None
        return key
