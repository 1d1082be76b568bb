"""datasets/get_cifar10.sh and its Python twin, against a local HTTP server.

Every case runs for both: the shell script (bash, curl or wget) in a
subprocess and ``cs231n_lite.download.main`` in-process. The tarballs are
tiny CIFAR-format datasets built here; the server listens on 127.0.0.1 only.
"""

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from conftest import TINY_CLASSES, make_tiny_arrays
from cs231n_lite import data, download
from cs231n_lite.sample import write_cifar_batches

SCRIPT = Path(__file__).resolve().parent.parent / "datasets" / "get_cifar10.sh"
FOLDER = "cifar-10-batches-py"


def md5(blob):
    return hashlib.md5(blob).hexdigest()


def tarball(members):
    """gzip'd tar from {name: bytes, or a TarInfo-tweaking callable}."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            if callable(content):
                content(info)
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


@pytest.fixture(scope="module")
def arrays():
    return make_tiny_arrays(num_train=10, num_test=4, seed=11)


@pytest.fixture(scope="module")
def good(arrays, tmp_path_factory):
    root = write_cifar_batches(tmp_path_factory.mktemp("src") / FOLDER, *arrays, TINY_CLASSES)
    return tarball({f"{FOLDER}/{p.name}": p.read_bytes() for p in sorted(root.iterdir())})


def _symlink(info):
    info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"


@pytest.fixture(scope="module")
def server(good):
    """Serve fixed routes; counts requests per path. Yields (base URL, routes, counts)."""
    routes = {
        "/cifar.tar.gz": good,
        "/truncated.tar.gz": good[: len(good) // 2],
        "/corrupt.tar.gz": bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8)),
        "/unsafe.tar.gz": tarball({f"{FOLDER}/../../evil.txt": b"x"}),
        "/absolute.tar.gz": tarball({"/tmp/cs231n-lite-evil.txt": b"x"}),
        "/link.tar.gz": tarball({f"{FOLDER}/data_batch_1": _symlink}),
        "/wrong-folder.tar.gz": tarball({"cifar-100-python/train": b"x"}),
    }
    counts = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            counts[self.path] = counts.get(self.path, 0) + 1
            if self.path == "/flaky.tar.gz" and counts[self.path] < 3:
                self.send_error(503)  # fails twice, then works
                return
            body = routes.get(self.path.replace("/flaky", "/cifar"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # keep test output quiet
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", routes, counts
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture(params=["sh", "py"])
def run(request, monkeypatch, capsys):
    """run(dest, url, md5, **env) -> (exit status, stdout, stderr) for either twin."""
    monkeypatch.setenv("CIFAR10_RETRY_DELAY", "0.01")
    for var in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(var, "127.0.0.1,localhost")

    def sh(dest, url, md5, **env):
        full = {**os.environ, "CIFAR10_URL": url, "CIFAR10_MD5": md5, **env}
        p = subprocess.run(["bash", str(SCRIPT), str(dest)], env=full, capture_output=True,
                           text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def py(dest, url, md5, **env):
        for key, value in {"CIFAR10_URL": url, "CIFAR10_MD5": md5, **env}.items():
            monkeypatch.setenv(key, value)
        status = download.main(["--dest", str(dest)])
        out, err = capsys.readouterr()
        return status, out, err

    return sh if request.param == "sh" else py


def assert_one_line_failure(status, err, pattern):
    assert status != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert pattern in lines[0], lines[0]


def assert_empty(dest):
    assert not dest.exists() or sorted(os.listdir(dest)) == []


# ----------------------------------------------------------------- cases
def test_success_installs_a_verified_copy(run, server, tmp_path, arrays):
    base, routes, counts = server
    before = counts.get("/cifar.tar.gz", 0)
    status, out, err = run(tmp_path / "d", base + "/cifar.tar.gz", md5(routes["/cifar.tar.gz"]))
    assert status == 0, err
    assert "ready in" in out
    assert sorted(os.listdir(tmp_path / "d")) == [FOLDER]  # no tarball, .part or temp left
    loaded = data.load_cifar10(tmp_path / "d" / FOLDER)
    for got, want in zip(loaded, arrays):
        np.testing.assert_array_equal(got, want)
    assert (tmp_path / "d" / FOLDER / ".md5").read_text().strip() == md5(routes["/cifar.tar.gz"])
    assert counts["/cifar.tar.gz"] == before + 1


def test_already_present_makes_no_request(run, server, tmp_path):
    base, routes, counts = server
    args = (tmp_path / "d", base + "/cifar.tar.gz", md5(routes["/cifar.tar.gz"]))
    assert run(*args)[0] == 0
    before = dict(counts)
    status, out, _ = run(*args)
    assert status == 0 and "already present" in out
    assert counts == before


def test_rerun_after_an_interrupted_download(run, server, tmp_path):
    base, routes, _ = server
    dest = tmp_path / "d"
    dest.mkdir()
    (dest / "cifar-10-python.tar.gz.part").write_bytes(b"half a download")
    status, _, err = run(dest, base + "/cifar.tar.gz", md5(routes["/cifar.tar.gz"]))
    assert status == 0, err
    assert sorted(os.listdir(dest)) == [FOLDER]


def test_an_unverified_copy_is_replaced(run, server, tmp_path):
    base, routes, _ = server
    old = tmp_path / "d" / FOLDER
    old.mkdir(parents=True)
    (old / "stale.txt").write_text("from an older, unchecked download")
    assert run(tmp_path / "d", base + "/cifar.tar.gz", md5(routes["/cifar.tar.gz"]))[0] == 0
    assert not (old / "stale.txt").exists() and (old / "data_batch_5").is_file()


def test_retries_then_succeeds(run, server, tmp_path):
    base, routes, counts = server
    counts.pop("/flaky.tar.gz", None)
    status, _, err = run(tmp_path / "d", base + "/flaky.tar.gz", md5(routes["/cifar.tar.gz"]))
    assert status == 0, err
    assert counts["/flaky.tar.gz"] == 3


def test_truncated_download_fails_md5_after_three_tries(run, server, tmp_path):
    base, routes, counts = server
    counts.pop("/truncated.tar.gz", None)
    status, _, err = run(tmp_path / "d", base + "/truncated.tar.gz", md5(routes["/cifar.tar.gz"]))
    assert_one_line_failure(status, err, "md5 mismatch")
    assert "after 3 tries" in err
    assert counts["/truncated.tar.gz"] == 3
    assert_empty(tmp_path / "d")


@pytest.mark.parametrize("path", ["/corrupt.tar.gz", "/truncated.tar.gz"])
def test_bad_tarball_with_matching_md5(run, server, tmp_path, path):
    base, routes, _ = server  # a mirror's md5 can vouch for a broken file
    status, _, err = run(tmp_path / "d", base + path, md5(routes[path]))
    assert_one_line_failure(status, err, "bad tarball")
    assert_empty(tmp_path / "d")


def test_404_fails_at_once(run, server, tmp_path):
    base, _, counts = server
    counts.pop("/missing.tar.gz", None)
    status, _, err = run(tmp_path / "d", base + "/missing.tar.gz", "0" * 32)
    assert_one_line_failure(status, err, "404")
    assert counts["/missing.tar.gz"] == 1  # a wrong URL does not fix itself: no retries
    assert_empty(tmp_path / "d")


def test_unreachable_server(run, tmp_path):
    status, _, err = run(tmp_path / "d", "http://127.0.0.1:1/cifar.tar.gz", "0" * 32, CIFAR10_RETRIES="2")
    assert_one_line_failure(status, err, "download failed: http://127.0.0.1:1/cifar.tar.gz")
    assert "after 2 tries" in err
    assert_empty(tmp_path / "d")


@pytest.mark.parametrize("path,message", [("/unsafe.tar.gz", "unsafe path"),
                                          ("/absolute.tar.gz", "unsafe path"),
                                          ("/link.tar.gz", "link")])
def test_unsafe_members_are_refused(run, server, tmp_path, path, message):
    base, routes, _ = server
    status, _, err = run(tmp_path / "a" / "d", base + path, md5(routes[path]))
    assert_one_line_failure(status, err, message)
    assert sorted(os.listdir(tmp_path)) == ["a"] and sorted(os.listdir(tmp_path / "a")) == ["d"]
    assert_empty(tmp_path / "a" / "d")
    assert not Path("/tmp/cs231n-lite-evil.txt").exists()


def test_tarball_without_the_expected_folder(run, server, tmp_path):
    base, routes, _ = server
    status, _, err = run(tmp_path / "d", base + "/wrong-folder.tar.gz", md5(routes["/wrong-folder.tar.gz"]))
    assert_one_line_failure(status, err, f"does not contain {FOLDER}/data_batch_1")
    assert_empty(tmp_path / "d")


def test_no_download_tool(server, tmp_path):
    base, routes, _ = server
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("dirname", "tr", "mkdir", "tar", "gzip", "md5sum", "cut", "mktemp", "rm", "mv",
                 "grep", "awk", "tail", "sleep", "cat"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    env = {"PATH": str(bin_dir), "CIFAR10_URL": base + "/cifar.tar.gz", "CIFAR10_RETRY_DELAY": "0"}
    p = subprocess.run([shutil.which("bash"), str(SCRIPT), str(tmp_path / "d")], env=env,
                       capture_output=True, text=True, timeout=60)
    assert_one_line_failure(p.returncode, p.stderr, "neither curl nor wget is installed")


def test_python_twin_api(server, tmp_path, monkeypatch):
    base, routes, _ = server
    monkeypatch.setenv("CIFAR10_RETRY_DELAY", "0")
    folder = download.download_cifar10(tmp_path, url=base + "/cifar.tar.gz",
                                       md5=md5(routes["/cifar.tar.gz"]).upper(), retries=1)
    assert folder == tmp_path / FOLDER and download.is_installed(tmp_path, md5(routes["/cifar.tar.gz"]))
    with pytest.raises(download.DownloadError, match="retries must be an integer >= 1, got 0"):
        download.download_cifar10(tmp_path / "x", url=base + "/cifar.tar.gz", retries=0)
