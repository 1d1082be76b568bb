"""Packaging: environment.yml and pyproject.toml list the same dependencies;
the floor constraints pin every lower bound; imports flow coursekit ->
cs231n_lite only; no Python 2 leftovers."""

import ast
import re
from pathlib import Path

from coursekit._toml import tomllib

ROOT = Path(__file__).resolve().parents[1]
# pip name -> conda-forge name, where the kit wants a slimmer conda package:
# the metapackages matplotlib and nbconvert pull in Qt and pandoc.
CONDA_NAMES = {"matplotlib": "matplotlib-base", "nbconvert": "nbconvert-core"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;\[]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _bound(req: str) -> str:
    """The requirement without its environment marker, spaces removed."""
    return req.split(";")[0].replace(" ", "")


def _pyproject_reqs() -> list:
    proj = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(proj["dependencies"])
    for extra in proj["optional-dependencies"].values():
        reqs += extra
    return reqs


def _pyproject_deps() -> dict:
    return {_name(r): _bound(r) for r in _pyproject_reqs()}


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
    py = {CONDA_NAMES.get(name, name): req.replace(name, CONDA_NAMES.get(name, name), 1)
          for name, req in _pyproject_deps().items()}
    conda = _conda_deps()
    assert set(py) == set(conda), (
        f"only in pyproject: {sorted(set(py) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(py))}"
    )
    for name in py:  # same lower bounds too
        assert py[name] == conda[name], f"{name}: pyproject {py[name]} vs environment.yml {conda[name]}"


def test_conda_uses_the_slim_packages():
    conda = _conda_deps()
    assert {"matplotlib-base", "nbconvert-core"} <= set(conda)
    assert not {"matplotlib", "nbconvert"} & set(conda)  # the Qt / pandoc metapackages


def _floor_pins() -> dict:
    pins = {}
    for line in (ROOT / ".ci" / "floor-constraints.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[_name(name)] = version
    return pins


def test_floor_constraints_pin_every_lower_bound():
    """`make test`'s floor run installs exactly pyproject's lower bounds."""
    bounds = {}
    for req in _pyproject_reqs() + tomllib.loads((ROOT / "pyproject.toml").read_text())[
            "build-system"]["requires"]:
        m = re.search(r">=\s*([0-9][0-9.]*)", _bound(req))
        assert m, f"{req} has no lower bound; give it one (and pin it in .ci/floor-constraints.txt)"
        bounds[_name(req)] = m.group(1)
    bounds.pop("scikit-learn")  # benchmarks only: not installed by `make test`
    pins = _floor_pins()
    assert set(pins) == set(bounds), (sorted(set(pins) ^ set(bounds)))
    for name, low in bounds.items():
        assert pins[name].split(".")[:len(low.split("."))] == low.split(".") and \
            all(p == "0" for p in pins[name].split(".")[len(low.split(".")):]), \
            f"{name}: pyproject says >= {low}, the floor pins {pins[name]}"


def test_requirement_names_parse():
    assert _name("scikit-learn>=1.4") == "scikit-learn"
    assert _name("pytest-xdist >=3.5") == "pytest-xdist"
    assert _name("nbval") == "nbval"
    assert _name("tomli>=1.1; python_version < '3.11'") == "tomli"
    assert _bound("tomli>=1.1; python_version < '3.11'") == "tomli>=1.1"


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
