"""What the assignment is: the notebooks in teaching order, and what each one asks for.

One list, read by every room: ``run`` executes the notebooks in this order,
``check`` groups its checks by part in this order, ``collect`` requires these
files, ``hint`` offers hints for these functions, and the tests prove that a
student can work through the notebooks in order (notebook k runs with only
the functions of notebooks 1..k written) and that every function ``check``
or the grader scores is asked for by exactly one notebook.

A function is named ``"module:qualname"`` relative to ``cs231n_lite``, e.g.
``"classifiers.linear_svm:svm_loss_naive"``; the qualname is the one the
release prints in its ``NotImplementedError`` (``KNearestNeighbor.predict_labels``).
"""

from __future__ import annotations

from dataclasses import dataclass

PACKAGE = "cs231n_lite"
NOTEBOOKS_DIR = "notebooks"
# the older name of NOTEBOOKS_DIR, kept for collect
NOTEBOOKS = NOTEBOOKS_DIR


@dataclass(frozen=True)
class Notebook:
    """One notebook of the assignment and the student functions it asks for."""

    name: str  # file stem: notebooks/<name>.ipynb
    part: str  # its part in `check` and in the rubric
    functions: tuple  # "module:qualname", in the order the notebook asks for them

    @property
    def path(self) -> str:
        return f"{NOTEBOOKS_DIR}/{self.name}.ipynb"

    @property
    def files(self) -> tuple:
        """The package files holding its functions (in first-use order)."""
        seen = {}
        for fn in self.functions:
            seen.setdefault(module_file(fn.split(":")[0]), None)
        return tuple(seen)


def module_file(module: str) -> str:
    """``"classifiers.linear_svm"`` -> ``"cs231n_lite/classifiers/linear_svm.py"``."""
    return f"{PACKAGE}/{module.replace('.', '/')}.py"


KNN = "classifiers.k_nearest_neighbor:KNearestNeighbor."
ORDER = (
    Notebook("knn", "knn", (
        KNN + "compute_distances_two_loops", KNN + "predict_labels",
        KNN + "compute_distances_one_loop", KNN + "compute_distances_no_loops")),
    Notebook("svm", "svm", (
        "classifiers.linear_svm:svm_loss_naive", "classifiers.linear_svm:svm_loss_vectorized",
        "classifiers.regularization:l2_penalty", "classifiers.regularization:l1_penalty",
        "classifiers.regularization:elastic_net_penalty",
        "classifiers.linear_classifier:random_search",
        "classifiers.linear_classifier:LinearClassifier.predict",
        "classifiers.linear_classifier:sample_minibatch", "optim:sgd",
        "classifiers.linear_classifier:LinearClassifier.train")),
    Notebook("softmax", "softmax", (
        "classifiers.softmax:softmax_loss_naive", "classifiers.softmax:softmax_loss_vectorized")),
    Notebook("two_layer_net", "two_layer_net", (
        "layers:affine_forward", "layers:affine_backward", "layers:relu_forward",
        "layers:relu_backward", "layers:svm_loss", "layers:softmax_loss",
        "classifiers.two_layer_net:TwoLayerNet.loss", "solver:Solver._step",
        "solver:Solver.check_accuracy", "classifiers.two_layer_net:TwoLayerNet.predict")),
    Notebook("features", "features", (
        "features.color:color_histogram_hsv", "features.hog:image_gradients",
        "features.hog:orientation_histogram")),
    Notebook("optimizers", "optim", (
        "optim:sgd_momentum", "optim:nesterov", "optim:adagrad", "optim:rmsprop", "optim:adam")),
    Notebook("fully_connected_nets", "fc_net", (
        "classifiers.fc_net:FullyConnectedNet.__init__", "classifiers.fc_net:FullyConnectedNet.loss")),
)

# part -> (package files the student edits, notebook), in teaching order
PARTS = {nb.part: (nb.files, nb.path) for nb in ORDER}


def notebook(name: str) -> Notebook:
    """The Notebook called ``name`` (KeyError naming the choices otherwise)."""
    for nb in ORDER:
        if nb.name == name:
            return nb
    raise KeyError(f"no notebook {name!r}; the assignment has {', '.join(n.name for n in ORDER)}")


def all_functions() -> list[str]:
    """Every student function of the package, in teaching order."""
    return [fn for nb in ORDER for fn in nb.functions]


def required_files() -> list[str]:
    """Every file a complete submission holds (package modules, then notebooks)."""
    modules = ["cs231n_lite/__init__.py", "cs231n_lite/classifiers/__init__.py",
               "cs231n_lite/features/__init__.py"]
    for nb in ORDER:
        modules += [f for f in nb.files if f not in modules]
    return modules + [nb.path for nb in ORDER]
