"""What a student kit / a submission must hold, per part."""

from __future__ import annotations

# part -> (package files the student edits, notebook)
PARTS = {
    "knn": (("cs231n_lite/classifiers/k_nearest_neighbor.py",), "notebooks/knn.ipynb"),
    "svm": (("cs231n_lite/classifiers/linear_svm.py", "cs231n_lite/classifiers/linear_classifier.py",
             "cs231n_lite/classifiers/regularization.py"), "notebooks/svm.ipynb"),
    "softmax": (("cs231n_lite/classifiers/softmax.py",), "notebooks/softmax.ipynb"),
    "two_layer_net": (("cs231n_lite/classifiers/two_layer_net.py",), "notebooks/two_layer_net.ipynb"),
    "optim": (("cs231n_lite/optim.py",), "notebooks/optimizers.ipynb"),
    "features": (("cs231n_lite/features/color.py", "cs231n_lite/features/hog.py"),
                 "notebooks/features.ipynb"),
}

PACKAGE = "cs231n_lite"
NOTEBOOKS = "notebooks"


def required_files() -> list[str]:
    """Every file a complete submission holds (package modules, then notebooks)."""
    modules = ["cs231n_lite/__init__.py", "cs231n_lite/classifiers/__init__.py",
               "cs231n_lite/features/__init__.py"]
    modules += [f for files, _ in PARTS.values() for f in files]
    return modules + [nb for _, nb in PARTS.values()]
