"""A student can work through the notebooks in order.

For each notebook k of :data:`coursekit.manifest.ORDER`: the student kit, with
the reference pasted into the functions of notebooks 1..k and into notebook
k's solution cells, and stubs everywhere else, executes notebook k without
an error. The kernel imports the KIT's package only (the instructors'
editable install is taken off the import path in a first cell), so a
notebook that needs a later notebook's function, or anything the release
leaves out, fails here.
"""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from coursekit.manifest import ORDER
from coursekit.release.build import build_release
from kit_builder import ROOT, copy_kit, fill_notebook_cells, fill_package

ISOLATE = """\
import sys
# the instructors' editable install must not supply anything the kit lacks
sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__module__.startswith("__editable__")]
import cs231n_lite
assert cs231n_lite.__file__.startswith({kit!r}), cs231n_lite.__file__
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    out = tmp_path_factory.mktemp("order") / "release"
    build_release(ROOT, out)
    return out


def _execute(kit, name):
    path = kit / "notebooks" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(ISOLATE.format(kit=str(kit))))
    env_backup = dict(os.environ)
    os.environ.update(PYTHONPATH=str(kit), CS231N_LITE_DATA="sample", MPLBACKEND="Agg",
                      OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(env_backup)


@pytest.mark.parametrize("k", range(len(ORDER)), ids=[nb.name for nb in ORDER])
def test_notebook_runs_with_only_its_own_and_earlier_functions(release, tmp_path, k):
    kit = copy_kit(release, tmp_path / "kit")
    allowed = [fn for nb in ORDER[: k + 1] for fn in nb.functions]
    missing = set(allowed) - fill_package(kit, allowed)
    assert not missing, f"manifest functions without a student block: {sorted(missing)}"
    fill_notebook_cells(kit, ORDER[k].name)
    _execute(kit, ORDER[k].name)  # raises CellExecutionError naming the cell on failure
