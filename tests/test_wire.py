"""The judge/worker wire: the safe codec refuses whatever is not plain data."""

import io
import json
import os
import struct
import threading
import time

import numpy as np
import pytest

from coursekit.grader.inside import wire


class Handles:
    """A stand-in for the worker's object table."""

    def __init__(self):
        self.objects = []

    def handle_of(self, obj):
        self.objects.append(obj)
        return len(self.objects), type(obj).__name__


def _round_trip(value, limit=2**20):
    handles = Handles()
    payload = wire.Encoder(handles.handle_of, lambda o: None, limit).message("ok", value=value)
    decoded = wire.Decoder(lambda i, what: ("proxy", i, what), lambda i: None).message(payload)
    return decoded["value"], handles


def test_data_round_trips_by_value():
    value = {"a": [1, 2.5, None, True, "s"], (1, "k"): (b"\x00\xff", 3 + 4j), 7: float("inf"),
             "arrays": [np.arange(6, dtype=np.int16).reshape(2, 3), np.zeros((0, 4)),
                        np.asfortranarray(np.eye(3)), np.array(2.5), np.float32(1.5), np.int64(3),
                        np.zeros(2, dtype=[("x", "<f8"), ("y", "<i4")])]}
    got, handles = _round_trip(value)
    assert handles.objects == []
    assert got["a"] == value["a"] and got[(1, "k")] == value[(1, "k")] and got[7] == float("inf")
    for mine, theirs in zip(got["arrays"], value["arrays"]):
        assert type(mine) is type(theirs) and np.array_equal(mine, theirs)
        assert getattr(mine, "dtype", None) == getattr(theirs, "dtype", None)
    assert got["arrays"][0].flags.writeable  # the judge owns its copy


def test_anything_else_becomes_a_handle():
    cyclic = [1]
    cyclic.append(cyclic)
    got, handles = _round_trip([object(), np.array([object()]), 10**5000, cyclic, len])
    assert [g[0] for g in got[:3]] == ["proxy"] * 3
    assert got[3][1][0] == "proxy"  # the inner repetition of the cycle
    assert got[4][0] == "proxy"  # even a builtin: the judge never resolves names from the sandbox


def _payload(doc: dict, blobs=b"") -> bytes:
    text = json.dumps(doc).encode()
    return b"S" + struct.pack("!I", len(text)) + text + blobs


def _deep(depth: int):
    value = 1
    for _ in range(depth):
        value = {"l": [value]}
    return value


def _npy(arr, allow_pickle=False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=allow_pickle)
    return buf.getvalue()


@pytest.mark.parametrize("payload, message", [
    (b"P\x80\x04N.", "not a safe-format message"),
    (b"S\x00\x00\x00\x05{bad}", "JSONDecodeError"),
    (_payload({"m": {"value": 1}, "blobs": []}), "a message without an op"),
    (_payload({"m": {"op": "ok", "value": {"zz": 1}}, "blobs": []}), "unknown value tag"),
    (_payload({"m": {"op": "ok", "value": {"a": 0}}, "blobs": []}), "a reference to a missing blob"),
    (_payload({"m": {"op": "ok", "value": {"a": 0}}, "blobs": [5]}, b"abc"), "does not match"),
    (_payload({"m": {"op": "ok", "value": {"d": [[{"l": []}, 1]]}}, "blobs": []}), "unhashable"),
    (_payload({"m": {"op": "ok", "value": _deep(100)}, "blobs": []}), "malformed"),
    (_payload({"m": {"op": "ok", "value": {"a": 0}},
               "blobs": [len(_npy(np.array([None], dtype=object), True))]},
              _npy(np.array([None], dtype=object), True)), "object dtype"),
    (_payload({"m": {"op": "ok", "value": {"a": 0}}, "blobs": [len(_npy(np.zeros(2))) - 8]},
              _npy(np.zeros(2))[:-8]), "does not match its header"),
    (_payload({"m": {"op": "ok", "value": {"j": 3}}, "blobs": []}), "unknown grader object"),
])
def test_the_judge_refuses_malformed_messages(payload, message):
    def judge_object(ident):
        raise wire.ProtocolError(f"unknown grader object {ident}")

    with pytest.raises(wire.ProtocolError, match=message):
        wire.Decoder(lambda i, w: None, judge_object).message(payload)


def test_a_frame_over_the_limit_is_refused_before_it_is_read():
    r, w = os.pipe()
    try:
        os.write(w, struct.pack("!I", 2**31) + b"x" * 100)  # claims 2 GB
        with pytest.raises(wire.FrameTooLarge) as err:
            wire.read_frame(r, limit=2**20, deadline=time.monotonic() + 5)
        assert err.value.size == 2**31 and err.value.limit == 2**20
    finally:
        os.close(r)
        os.close(w)


def test_the_encoder_stops_at_its_limit():
    with pytest.raises(wire.FrameTooLarge):
        wire.Encoder(lambda o: (1, "x"), lambda o: None, 2**20).message("ok", value=np.zeros(2**18))


def test_reading_stops_at_the_deadline_and_at_eof():
    r, w = os.pipe()
    start = time.monotonic()
    with pytest.raises(wire.Deadline):
        wire.read_frame(r, 2**20, deadline=time.monotonic() + 0.2)
    assert time.monotonic() - start < 2
    threading.Thread(target=lambda: (os.write(w, b"\x00\x00"), os.close(w))).start()
    with pytest.raises(wire.Closed):
        wire.read_frame(r, 2**20, deadline=time.monotonic() + 5)
    os.close(r)
