"""The judge's side of the RPC against a real sandboxed worker: copies, handles, callbacks,
failures -- what hidden tests can rely on, and what student code cannot reach."""

import functools
import os
import shutil
import time

import numpy as np
import pytest

from coursekit.grader import boundary, failures, sandbox
from coursekit.grader.limits import Limits
from coursekit.grader.rpc import Worker

pytestmark = pytest.mark.skipif(os.geteuid() != 0 and not shutil.which("bwrap"),
                                reason="no sandbox here: needs root or bubblewrap")

PROBE = '''
import ctypes
import numpy as np


def poke(obj):
    """What can student code reach through an object of the grader's?"""
    found = {}
    for name in ("__globals__", "__code__", "__closure__", "__dict__", "func", "gi_frame",
                 "f_globals", "keywords", "args", "__self__", "params"):
        try:
            getattr(obj, name)
            found[name] = "reached"
        except Exception as err:
            found[name] = type(err).__name__
    return found


def call(fn, *args):
    return fn(*args)


def swallow(fn):
    try:
        fn()
    except Exception:
        return "swallowed"


def solver_step(model):
    for p, w in model.params.items():
        model.params[p] = w + 1
    return sorted(model.params.keys())


def scribble(a, config):
    a[0] = 99.0
    config["t"] = 1
    return float(a.sum())


def bad_input(x):
    raise ValueError(f"x must be positive, got {x}")


def hang():
    ctypes.CDLL(None).sleep(600)


class Thing:
    def __init__(self):
        self.data = {"x": np.ones(2)}

    def total(self):
        return float(self.data["x"].sum())
'''


class Model:
    """A hidden test's model, handed to student code (a Solver would get one)."""

    def __init__(self):
        self.params = {"W": np.zeros(2), "b": np.zeros(1)}


def _secret():
    return "expected answer 42"


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    base = tmp_path_factory.mktemp("rpc")
    rt = boundary.prepare_runtime(base / "run", boundary.choose_mode(), None, 1)
    box = base / "box"
    pkg = box / "submission" / "cs231n_lite"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "probe.py").write_text(PROBE)
    w = Worker(sandbox.Sandbox(rt, box, 0, Limits()), Limits(timeout=3))
    w.set_deadline(10, time.monotonic() + 600)
    yield w
    w.stop()


def _fresh(worker, seconds=10):
    worker.set_deadline(seconds, time.monotonic() + 600)
    return worker.import_module("probe")


def test_data_comes_back_as_copies(worker):
    probe = _fresh(worker)
    thing = probe.Thing()
    data = thing.data
    data["x"][0] = 5.0  # a copy: the student's object does not change
    assert thing.total() == 2.0
    thing.data = {"x": np.full(2, 3.0)}  # whole assignment does
    assert thing.total() == 6.0 and isinstance(thing.data["x"], np.ndarray)


def test_student_code_reaches_nothing_but_what_it_is_given(worker):
    probe = _fresh(worker)
    for obj in (lambda: 0, functools.partial(_secret), (i for i in range(3)), _secret):
        found = probe.poke(obj)
        assert "reached" not in found.values(), (obj, found)
    assert probe.poke(Model())["params"] == "reached"  # a public attribute of a test's object
    with pytest.raises(TypeError, match="never shared"):
        probe.call(lambda m: m, os)  # modules never cross


def test_a_models_containers_are_shared_live(worker):
    model = Model()
    assert _fresh(worker).solver_step(model) == ["W", "b"]
    assert np.array_equal(model.params["W"], [1.0, 1.0]) and np.array_equal(model.params["b"], [1.0])


def test_a_failing_callback_fails_the_test_even_when_swallowed(worker):
    def check():
        raise AssertionError("the grader's check")

    with pytest.raises(AssertionError, match="the grader's check"):
        _fresh(worker).swallow(check)


def test_in_place_changes_are_reported_by_the_worker(worker):
    probe = _fresh(worker)
    a, config = np.zeros(3), {"lr": 1.0}
    value, changed = worker.call_tracked(probe.scribble, (a, config), {})
    assert value == 99.0 and changed == ["a", "config"]
    assert a[0] == 0.0 and config == {"lr": 1.0}  # the judge's own objects never change


def test_student_exceptions_keep_their_type_message_and_place(worker):
    with pytest.raises(ValueError, match="x must be positive, got -1") as err:
        _fresh(worker).bad_input(-1)
    assert isinstance(err.value, failures.StudentException)
    assert err.value.student_where.startswith("cs231n_lite/probe.py:")
    assert err.value.student_in_package


def test_a_hang_costs_one_request_and_the_next_gets_a_fresh_sandbox(worker):
    probe = _fresh(worker, seconds=1)
    start = time.monotonic()
    with pytest.raises(failures.WorkerTimeout, match="timed out after 1 s"):
        probe.hang()
    assert time.monotonic() - start < 5
    with pytest.raises(failures.StaleObject):
        probe.call(len, [1])  # the old sandbox, and its objects, are gone
    assert _fresh(worker).call(len, [1, 2]) == 2
