"""`cs231n-lite hint`: the hints files' format, lookup by name, progressive levels."""

import pytest

from coursekit.errors import CourseKitError
from coursekit.student import hint as H

GOOD = """# svm hints

## classifiers.linear_svm:svm_loss_naive

### idea
Think of margins.

### step
Loop over samples.

### formula
dW[:, j] += X[i]

## classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels

### idea
Vote.
### step
Sort.
### formula
np.bincount
"""


@pytest.fixture
def hints(tmp_path):
    (tmp_path / "svm.md").write_text(GOOD)
    return H.load_hints(tmp_path)


def test_sections_and_levels_are_parsed(hints):
    h = hints["classifiers.linear_svm:svm_loss_naive"]
    assert h.levels == ("Think of margins.", "Loop over samples.", "dW[:, j] += X[i]")
    assert hints["classifiers.k_nearest_neighbor:KNearestNeighbor.predict_labels"].levels[2] == "np.bincount"


@pytest.mark.parametrize("name", ["svm_loss_naive", "classifiers.linear_svm:svm_loss_naive",
                                  "linear_svm.svm_loss_naive"])
def test_lookup_by_short_or_full_name(hints, name):
    assert H.find(name, hints).function == "classifiers.linear_svm:svm_loss_naive"
    assert H.find("predict_labels", hints).function.endswith("KNearestNeighbor.predict_labels")


def test_levels_are_progressive(hints):
    h = H.find("svm_loss_naive", hints)
    one, three = H.show(h, 1), H.show(h, 3)
    assert "Think of margins." in one and "Loop over samples." not in one
    assert "(next: cs231n-lite hint svm_loss_naive 2)" in one
    assert all(t in three for t in h.levels) and "next:" not in three


def test_unknown_and_ambiguous_names(hints, tmp_path):
    with pytest.raises(CourseKitError, match="no hints for 'svm_loss_fast'"):
        H.find("svm_loss_fast", hints)
    (tmp_path / "more.md").write_text(GOOD.replace("KNearestNeighbor.predict_labels", "Other.predict_labels")
                                      .replace("svm_loss_naive", "svm_loss_other"))
    with pytest.raises(CourseKitError, match="'predict_labels' is ambiguous"):
        H.find("predict_labels", H.load_hints(tmp_path))


@pytest.mark.parametrize("text, message", [
    (GOOD.replace("### step\nLoop over samples.\n\n", ""), "need the sections ### idea, ### step"),
    (GOOD.replace("Loop over samples.", ""), "each with text"),
    (GOOD + GOOD.split("\n\n", 1)[1], "has hints twice"),
])
def test_malformed_hints_are_refused_naming_the_file(tmp_path, text, message):
    (tmp_path / "svm.md").write_text(text)
    with pytest.raises(CourseKitError, match=message):
        H.load_hints(tmp_path)
