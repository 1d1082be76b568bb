"""`cs231n-lite run`: the kit's main job.

1. Resolve the active dataset (the data switch), print it with its sizes and
   class names, and write a picture of example images per class.
2. Execute every notebook in ``notebooks/`` headless against that dataset,
   write the executed copies to ``build/notebooks/`` and print a summary table
   (notebook, status, time, headline accuracy).

A notebook reports its headline number by printing a line
``Headline: <what> = <value>`` (e.g. ``Headline: test accuracy = 0.312``).
A failed cell makes the command exit 1, naming the notebook and the cell --
except while the kit is being worked on: a notebook that stops on a
``NotImplementedError`` while some function it needs (its own or an earlier
notebook's, :mod:`coursekit.manifest`) is still a stub is reported as
``to do`` with the functions left to write, and does not fail the command.
Without notebooks (e.g. installed from a wheel, run outside the kit's
folder) it exits 1 with one line saying where to run it, before writing
anything: the notebooks are the student's working copies, not package data.

Kernels get one BLAS thread unless the caller set ``OPENBLAS_NUM_THREADS`` /
``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS``: the stored notebook outputs are
computed that way (``make test``), float32 training results
change in the last bit with the thread count, and for the notebooks' small
minibatch products one thread is as fast on two cores.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..manifest import ORDER, notebook
from ..paths import repo_root
from .progress import to_do_for

ROOT = repo_root()
BLAS_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
NOTEBOOK_ORDER = [nb.name for nb in ORDER]
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colours in kernel tracebacks
HEADLINE = re.compile(r"^Headline: (.+?) = ([-+0-9.eE]+)\s*$", re.MULTILINE)


@dataclass
class Result:
    name: str
    status: str  # "ok", "to do" (a function it needs is not written yet) or "FAILED"
    seconds: float
    headline: str = ""
    error: str = ""


def _parse_args(argv):
    p = argparse.ArgumentParser(prog="cs231n-lite run", description=__doc__.splitlines()[0])
    p.add_argument("--data", help="dataset: sample, cifar10 or a folder (sets CS231N_LITE_DATA)")
    p.add_argument("--notebooks", default=str(ROOT / "notebooks"), help="folder of notebooks")
    p.add_argument("--only", nargs="*", help="notebook names to run (default: all)")
    p.add_argument("--out", default=str(ROOT / "build"), help="output folder")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per cell")
    return p.parse_args(argv)


def show_dataset(out_dir: Path) -> Path:
    """Print the active dataset and save example images per class."""
    import matplotlib

    matplotlib.use("Agg")
    from cs231n_lite.data import load_dataset
    from cs231n_lite.vis import plot_class_examples

    ds = load_dataset(verbose=True)
    print(f"  train {ds.X_train.shape} {ds.X_train.dtype}, test {ds.X_test.shape}")
    print(f"  classes: {', '.join(ds.class_names)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"examples_{ds.name}.png"
    fig = plot_class_examples(ds.X_train, ds.y_train, ds.class_names)
    fig.savefig(path, dpi=80)
    print(f"  example images per class -> {path}")
    return path


def _cell_error(nb, exc) -> str:
    """Name the failing cell (index and first source line) and the error."""
    idx = getattr(exc, "cell_index", None)
    if idx is None:  # nbclient >= 0.6 records the failing cell on the executor
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    idx = i
    where = ""
    if idx is not None:
        first = (nb.cells[idx].source.strip().splitlines() or [""])[0][:60]
        where = f"cell {idx} ({first!r}): "
    lines = [l for l in ANSI.sub("", str(exc)).strip().splitlines() if l.strip()]
    return where + (lines[-1] if lines else type(exc).__name__)


def run_notebook(path: Path, out_dir: Path, timeout: int) -> Result:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cs231n-lite-kernel-") as sockets:
        km = _kernel_manager(sockets)
        client = NotebookClient(nb, km=km, timeout=timeout,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
            status, error = "ok", ""
        except CellExecutionError as exc:
            status, error = "FAILED", _cell_error(nb, exc)
            todo = to_do_for(path.stem, ROOT) if "NotImplementedError" in str(exc) else []
            if todo:  # the kit as handed out: say what to write, not a traceback
                status, error = "to do", _to_do_line(path.stem, todo)
        except Exception as exc:  # kernel died, timeout, ...
            status, error = "FAILED", f"{type(exc).__name__}: {exc}".splitlines()[0]
        finally:  # nbclient leaves a kernel it was given running: stop it now, not at exit
            if km.has_kernel:
                km.shutdown_kernel(now=True)
    seconds = time.perf_counter() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_dir / path.name)
    return Result(path.stem, status, seconds, _headline(nb), error)


def _to_do_line(name: str, todo: list[str]) -> str:
    """'write f, g' for this notebook's own functions; earlier notebooks' only counted."""
    own = set(notebook(name).functions)
    mine = [fn.split(":")[1] for fn in todo if fn in own]
    earlier = len(todo) - len(mine)
    line = "write " + ", ".join(mine) if mine else "its own functions are written"
    if earlier:
        line += f" (and {earlier} function{'s' * (earlier > 1)} of earlier notebooks first)"
    return line


def _kernel_manager(sockets: str):
    """A python3 kernel talking over Unix sockets in ``sockets`` (a private
    temporary folder), not TCP: the kernel is local, so nothing needs
    encrypting, and ipykernel has no "running over TCP without encryption"
    warning to print. Windows has no Unix sockets: TCP there."""
    from jupyter_client.manager import KernelManager

    if os.name == "nt":
        return KernelManager(kernel_name="python3")
    return KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "kernel"))


def _headline(nb) -> str:
    found = ""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            for what, value in HEADLINE.findall(text):
                found = f"{what} {float(value):.3f}"
    return found


def _order(paths):
    rank = {n: i for i, n in enumerate(NOTEBOOK_ORDER)}
    return sorted(paths, key=lambda p: (rank.get(p.stem, len(rank)), p.stem))


def print_table(results) -> None:
    print(f"\n{'notebook':<22} {'status':<7} {'time (s)':>9}  headline")
    for r in results:
        print(f"{r.name:<22} {r.status:<7} {r.seconds:>9.1f}  {r.headline}")
    for r in results:
        if r.status == "to do":
            print(f"to do {r.name}.ipynb: {r.error}")
        elif r.error:
            print(f"FAILED {r.name}.ipynb: {r.error}")


def main(argv=None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.data:
        os.environ["CS231N_LITE_DATA"] = args.data  # the kernels inherit it
    for var in BLAS_THREAD_VARS:
        os.environ.setdefault(var, "1")
    nb_dir = Path(args.notebooks)
    if not any(nb_dir.glob("*.ipynb")):  # checked first: nothing is written then
        print(f"cs231n-lite run: error: no notebooks in {nb_dir.resolve()}; run it in the kit's "
              f"folder (the one holding notebooks/), or pass --notebooks DIR", file=sys.stderr)
        return 1
    paths = _order(p for p in nb_dir.glob("*.ipynb") if not args.only or p.stem in args.only)
    if args.only and len(paths) != len(args.only):
        missing = sorted(set(args.only) - {p.stem for p in paths})
        print(f"cs231n-lite run: no notebook named {', '.join(missing)} in {nb_dir}", file=sys.stderr)
        return 2
    out = Path(args.out)
    show_dataset(out)
    results = []
    for path in paths:
        print(f"running {path.name} ...", flush=True)
        results.append(run_notebook(path, out / "notebooks", args.timeout))
    print_table(results)
    print(f"executed copies in {out / 'notebooks'}")
    # "to do" is the normal state of a kit being worked on; anything else failed
    return 0 if all(r.status in ("ok", "to do") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
