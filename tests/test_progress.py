"""What is left to write, read from the student blocks (used by `run` and the order test)."""

from pathlib import Path

from coursekit.blocks import END_LINE, START_LINE, student_block, untouched_blocks
from coursekit.student.progress import to_do_for, unwritten


def _module(*owners_done):
    lines = ["def a():"] + student_block("    ", "a") + ["", "class K:", "    def b(self):"]
    lines += student_block("        ", "K.b")
    text = "\n".join(lines) + "\n"
    for owner in owners_done:  # the student replaced the stub of this block
        text = text.replace(f'raise NotImplementedError("{owner}:', f'return 1  # ("{owner}:')
    return text


def test_untouched_blocks_are_found_by_owner():
    assert untouched_blocks(_module()) == ["a", "K.b"]
    assert untouched_blocks(_module("K.b")) == ["a"]
    # a block whose stub line was edited (even to another raise) counts as written
    edited = _module().replace('raise NotImplementedError("a: implement this region (see the TODO above)")',
                               'raise NotImplementedError("later")')
    assert untouched_blocks(edited) == ["K.b"]
    assert untouched_blocks(f"    {START_LINE}\n    x = 1\n    {END_LINE}\n") == []


def test_to_do_lists_this_and_earlier_notebooks_in_order(tmp_path: Path):
    pkg = tmp_path / "cs231n_lite" / "classifiers"
    pkg.mkdir(parents=True)
    knn = ("class KNearestNeighbor:\n    def predict_labels(self):\n"
           + "\n".join(student_block("        ", "KNearestNeighbor.predict_labels")) + "\n")
    (pkg / "k_nearest_neighbor.py").write_text(knn)
    (pkg / "linear_svm.py").write_text("def svm_loss_naive():\n"
                                       + "\n".join(student_block("    ", "svm_loss_naive")) + "\n")
    assert unwritten(tmp_path) == {"classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels",
                                   "classifiers.linear_svm:svm_loss_naive"}
    assert to_do_for("knn", tmp_path) == ["classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels"]
    assert to_do_for("svm", tmp_path) == ["classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels",
                                          "classifiers.linear_svm:svm_loss_naive"]
