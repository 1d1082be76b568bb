"""Download CIFAR-10 (python version): the Python twin of ``datasets/get_cifar10.sh``.

Both do the same, step by step:

1. skip everything if ``DEST/cifar-10-batches-py`` holds a verified copy (a
   ``.md5`` marker file written after a successful install);
2. download to ``cifar-10-python.tar.gz.part`` (a leftover ``.part`` from an
   interrupted run is discarded), with retries and a short back-off;
3. verify the md5, then rename ``.part`` to the tarball;
4. check every tarball member (no absolute paths, no ``..``, no links),
   extract into a temporary folder, check the batch files are all there, and
   only then move ``cifar-10-batches-py`` into place.

A mirror is used with ``CIFAR10_URL`` and ``CIFAR10_MD5``; ``CIFAR10_RETRIES``
and ``CIFAR10_RETRY_DELAY`` (seconds, multiplied by the attempt number) tune the
retries. Every failure raises :class:`DownloadError` with one line saying what
went wrong; :func:`main` prints that line and returns 1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

__all__ = ["DownloadError", "DEFAULT_URL", "DEFAULT_MD5", "download_cifar10", "main"]

DEFAULT_URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
DEFAULT_MD5 = "c58f30108f718f92721af3b95e74349a"
FOLDER = "cifar-10-batches-py"
TARBALL = "cifar-10-python.tar.gz"
MARKER = ".md5"
EXPECTED_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch", "batches.meta")


class DownloadError(RuntimeError):
    """Downloading or installing CIFAR-10 failed; the message is one line.

    ``permanent`` marks failures a retry cannot fix (HTTP 4xx such as 404).
    """

    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def default_dest() -> Path:
    """``datasets/`` of the repository this package sits in, else ``./datasets``."""
    repo_datasets = Path(__file__).resolve().parent.parent / "datasets"
    return repo_datasets if repo_datasets.is_dir() else Path.cwd() / "datasets"


def md5sum(path, chunk=1 << 20) -> str:
    """Hex md5 of a file, read in 1 MB chunks."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def is_installed(dest, md5) -> bool:
    """True when ``dest/cifar-10-batches-py`` is complete and its marker records ``md5``."""
    folder = Path(dest) / FOLDER
    marker = folder / MARKER
    if not marker.is_file() or marker.read_text().strip() != md5:
        return False
    return all((folder / name).is_file() for name in EXPECTED_FILES)


def _fetch(url, part, timeout=60.0):
    """Stream ``url`` into ``part``; raise DownloadError on any network or HTTP error."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as out:
            shutil.copyfileobj(resp, out, length=1 << 20)
    except urllib.error.HTTPError as err:
        raise DownloadError(f"download failed: {url} returned HTTP {err.code} {err.reason}",
                            permanent=400 <= err.code < 500) from err
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise DownloadError(f"download failed: {url}: {reason}") from err


def _download_verified(url, md5, dest, retries, delay):
    """Download to ``.part``, check the md5, rename to the tarball; retry on failure."""
    tarball, part = dest / TARBALL, dest / (TARBALL + ".part")
    if tarball.is_file() and md5sum(tarball) == md5:
        return tarball  # verified earlier, extraction did not finish: reuse it
    last = None
    for attempt in range(1, retries + 1):
        part.unlink(missing_ok=True)  # never resume onto an unknown leftover
        try:
            _fetch(url, part)
            got = md5sum(part)
            if got != md5:
                raise DownloadError(
                    f"md5 mismatch for {url}: expected {md5}, got {got} "
                    f"(a mirror with another file needs CIFAR10_MD5)")
            os.replace(part, tarball)
            return tarball
        except DownloadError as err:
            last = err
            if err.permanent:
                break
            if attempt < retries:
                time.sleep(delay * attempt)
    part.unlink(missing_ok=True)
    raise DownloadError(f"{last} (after {_tries(attempt)})")


def _tries(n):
    return "1 try" if n == 1 else f"{n} tries"


def _check_members(tar, tarball):
    """Refuse members that could land outside the extraction folder, and links."""
    for m in tar.getmembers():
        path = PurePosixPath(m.name)
        if path.is_absolute() or ".." in path.parts:
            raise DownloadError(f"unsafe path {m.name!r} in {tarball}; refusing to extract it")
        if not (m.isfile() or m.isdir()):
            raise DownloadError(f"unexpected link or device {m.name!r} in {tarball}; refusing to extract it")


def _extract(tarball, dest, md5):
    """Extract into a temporary folder next to ``dest`` and move the result into place."""
    tmp = Path(tempfile.mkdtemp(prefix=".cifar10-extract-", dir=dest))
    try:
        try:
            with tarfile.open(tarball, "r:gz") as tar:
                _check_members(tar, tarball)
                # members are checked above; the "data" filter (Python >= 3.11.4) checks again
                kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                tar.extractall(tmp, **kwargs)
        except (tarfile.TarError, OSError, EOFError) as err:
            raise DownloadError(f"bad tarball {tarball}: {err}") from err
        new = tmp / FOLDER
        missing = [n for n in EXPECTED_FILES if not (new / n).is_file()]
        if missing:
            raise DownloadError(f"{tarball} does not contain {FOLDER}/{missing[0]}; "
                                f"is CIFAR10_URL the python version of CIFAR-10?")
        (new / MARKER).write_text(md5 + "\n")
        final = dest / FOLDER
        if final.exists():  # an unverified or older copy: replace it
            os.replace(final, tmp / "old")
        os.replace(new, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest / FOLDER


def download_cifar10(dest=None, url=None, md5=None, retries=3):
    """Download, verify and extract CIFAR-10 into ``dest/cifar-10-batches-py``.

    Parameters
    ----------
    dest : str or Path, optional
        Destination folder (created if needed); default the repository's
        ``datasets/``.
    url, md5 : str, optional
        Source and its md5; default ``$CIFAR10_URL`` / ``$CIFAR10_MD5``, else
        the official Toronto URL and its md5.
    retries : int
        Download attempts; the delay between them is ``$CIFAR10_RETRY_DELAY``
        (default 2 s) times the attempt number.

    Returns
    -------
    Path
        The ``cifar-10-batches-py`` folder.

    Raises
    ------
    DownloadError
        On any failure, with a one-line message; nothing half-extracted is left.
    """
    dest = Path(dest).expanduser() if dest is not None else default_dest()
    url = url or os.environ.get("CIFAR10_URL") or DEFAULT_URL
    md5 = (md5 or os.environ.get("CIFAR10_MD5") or DEFAULT_MD5).strip().lower()
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 1:
        raise DownloadError(f"retries must be an integer >= 1, got {retries!r}")
    delay = _env_float("CIFAR10_RETRY_DELAY", 2.0)
    if is_installed(dest, md5):
        return dest / FOLDER
    dest.mkdir(parents=True, exist_ok=True)
    tarball = _download_verified(url, md5, dest, retries, delay)
    try:
        folder = _extract(tarball, dest, md5)
    except DownloadError:
        tarball.unlink(missing_ok=True)  # passed md5 but would not extract: never reuse it
        raise
    tarball.unlink(missing_ok=True)  # 163 MB we no longer need
    return folder


def _env_float(name, default):
    raw = os.environ.get(name)
    try:
        return default if raw in (None, "") else max(0.0, float(raw))
    except ValueError:
        raise DownloadError(f"{name} must be a number of seconds, got {raw!r}") from None


def _env_int(name, default):
    raw = os.environ.get(name)
    try:
        return default if raw in (None, "") else int(raw)
    except ValueError:
        raise DownloadError(f"{name} must be an integer, got {raw!r}") from None


def main(argv=None) -> int:
    """Command line: ``cs231n-lite data download [--dest DIR] [--url URL] [--md5 MD5]``."""
    p = argparse.ArgumentParser(prog="cs231n-lite data download",
                                description="Download and verify CIFAR-10 (python version).")
    p.add_argument("--dest", default=None, help="destination folder (default: the repo's datasets/)")
    p.add_argument("--url", default=None, help="mirror URL (default: $CIFAR10_URL or the official one)")
    p.add_argument("--md5", default=None, help="md5 of the mirror's file (default: $CIFAR10_MD5)")
    p.add_argument("--retries", type=int, default=None,
                   help="download attempts (default: $CIFAR10_RETRIES or 3)")
    args = p.parse_args(argv)
    dest = Path(args.dest).expanduser() if args.dest else default_dest()
    try:
        retries = args.retries if args.retries is not None else _env_int("CIFAR10_RETRIES", 3)
        already = is_installed(dest, (args.md5 or os.environ.get("CIFAR10_MD5") or DEFAULT_MD5).lower())
        if not already:
            print(f"Downloading CIFAR-10 (163 MB) into {dest} ...", flush=True)
        folder = download_cifar10(dest, args.url, args.md5, retries)
    except (DownloadError, OSError) as err:
        print(f"{p.prog}: error: {err}", file=sys.stderr)
        return 1
    print(f"CIFAR-10 {'already present' if already else 'ready'} in {folder}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
