"""Release round trip: release -> the reference solutions pasted back into the
student blocks -> the grader gives full marks on the hidden tests.

This is what a student who writes exactly the reference code gets; it proves
the release keeps everything the solutions need (TODO text, initialised
outputs, imports) and nothing else changed on the way.
"""

import csv
import io
from pathlib import Path

from coursekit.cli import main
from coursekit.release.markers import END_LINE, START_LINE, find_regions
from coursekit.release.build import build_release
from coursekit.grader.rubric import load

ROOT = Path(__file__).resolve().parents[1]


def paste_back(reference: str, released: str) -> str:
    """Fill the student blocks of ``released``, in order, with the bodies of
    the solution regions of ``reference``."""
    ref_lines = reference.splitlines()
    bodies = [ref_lines[r.begin + 1: r.end] for r in find_regions(reference, "ref") if r.kind == "solution"]
    out, it = [], iter(bodies)
    lines = iter(released.splitlines())
    for line in lines:
        if line.strip() == START_LINE:
            for inner in lines:  # skip the stub up to its END line
                if inner.strip() == END_LINE:
                    break
            out.extend(next(it))
        else:
            out.append(line)
    assert next(it, None) is None, "the release has fewer student blocks than the reference has regions"
    return "\n".join(out) + "\n"


def test_paste_back_restores_a_region():
    ref = "def f():\n    x = 0\n    ### BEGIN SOLUTION\n    x = 1\n    ### END SOLUTION\n    return x\n"
    rel = f"def f():\n    x = 0\n    {START_LINE}\n    raise NotImplementedError('f')\n    {END_LINE}\n    return x\n"
    assert paste_back(ref, rel) == "def f():\n    x = 0\n    x = 1\n    return x\n"


def test_release_then_reference_pasted_back_gets_full_marks(tmp_path):
    kit = tmp_path / "kit"
    build_release(ROOT, kit)
    student = tmp_path / "subs" / "pasted"
    pasted = 0
    for kit_file in sorted((kit / "cs231n_lite").rglob("*.py")):  # instructor-only modules are not there
        rel = kit_file.relative_to(kit)
        src = ROOT / rel
        released = kit_file.read_text()
        dest = student / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if START_LINE in released:
            pasted += released.count(START_LINE)
            released = paste_back(src.read_text(), released)
            assert START_LINE not in released
        dest.write_text(released)
    assert pasted >= 20  # every student function of the kit went through the round trip
    out = tmp_path / "out"
    assert main(["grade", str(tmp_path / "subs"), "--out", str(out), "--workdir", str(tmp_path / "work"),
                 "--timeout", "30", "--memory", "3072", "--skip-notebooks"]) == 0
    row = next(csv.DictReader(io.StringIO((out / "grades.csv").read_text())))
    tests = load(ROOT / "grading", ROOT / "notebooks").of_kind("tests")
    missing = {i.key: row[i.column] for i in tests if float(row[i.column]) != i.points}
    assert missing == {}
    assert float(row["total"]) == sum(i.points for i in tests)
