"""Every notebook stores the kernelspec JupyterLab writes, so opening one does
not rewrite its metadata and mark it changed.

Also a script: ``python tests/test_notebook_metadata.py`` rewrites the
kernelspec of every notebook in ``notebooks/`` (nothing else: the files are
written back byte for byte as nbformat writes them, metadata aside).
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def notebooks():
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


def dump(nb) -> str:
    """nbformat's own layout (1-space indent, sorted keys, UTF-8, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_every_notebook_stores_jupyterlabs_kernelspec():
    wrong = [p.name for p in notebooks()
             if json.loads(p.read_text(encoding="utf-8"))["metadata"].get("kernelspec") != KERNELSPEC]
    assert notebooks() and wrong == [], f"run `python tests/test_notebook_metadata.py` to fix {wrong}"


def test_the_stored_name_is_the_installed_kernels():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert (spec.display_name, spec.language) == (KERNELSPEC["display_name"], KERNELSPEC["language"])


def test_notebooks_are_in_nbformats_layout():
    # the fixer rewrites files with dump(): it must change nothing but the kernelspec
    for path in notebooks():
        raw = path.read_text(encoding="utf-8")
        assert dump(json.loads(raw)) == raw, path.name


def fix() -> list:
    """Store KERNELSPEC in every notebook; returns the names changed."""
    changed = []
    for path in notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        if nb["metadata"].get("kernelspec") != KERNELSPEC:
            nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
            path.write_text(dump(nb), encoding="utf-8")
            changed.append(path.name)
    return changed


if __name__ == "__main__":
    print("kernelspec rewritten in:", ", ".join(fix()) or "nothing (all up to date)")
    sys.exit(0)
