"""Packaging: environment.yml and pyproject.toml list the same dependencies;
imports flow coursekit -> cs231n_lite only; no Python 2 leftovers."""

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_deps() -> dict:
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(proj["dependencies"])
    for extra in proj["optional-dependencies"].values():
        reqs += extra
    return {_name(r): r.replace(" ", "") for r in reqs}


def _conda_deps() -> dict:
    deps = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        if line.startswith("dependencies:"):
            in_deps = True
            continue
        m = re.match(r"\s+-\s+([^#\s]+)", line)
        if in_deps and m:
            deps[_name(m.group(1))] = m.group(1)
    deps.pop("python", None)
    deps.pop("pip", None)
    return deps


def test_environment_yml_matches_pyproject():
    py, conda = _pyproject_deps(), _conda_deps()
    assert set(py) == set(conda), (
        f"only in pyproject: {sorted(set(py) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(py))}"
    )
    for name in py:  # same lower bounds too
        assert py[name] == conda[name], f"{name}: pyproject {py[name]} vs environment.yml {conda[name]}"


def test_requirement_names_parse():
    assert _name("scikit-learn>=1.4") == "scikit-learn"
    assert _name("pytest-xdist >=3.5") == "pytest-xdist"
    assert _name("nbval") == "nbval"


def _imports(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_cs231n_lite_never_imports_coursekit():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "cs231n_lite").rglob("*.py")
        if any(m.split(".")[0] == "coursekit" for m in _imports(p))
    ]
    assert offenders == []


def test_no_python2_leftovers():
    for p in (ROOT / "cs231n_lite").rglob("*.py"):
        mods = {m.split(".")[0] for m in _imports(p)}
        assert not (mods & {"past", "six", "future"}), f"{p} imports a Python 2 shim"
    assert not {"six", "future", "past"} & set(_pyproject_deps())
