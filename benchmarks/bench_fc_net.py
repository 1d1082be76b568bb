"""Solver + FullyConnectedNet against scikit-learn's MLPClassifier, same network, one run.

    python benchmarks/bench_fc_net.py --data DIR            # DIR holds cifar-10-batches-py
    python benchmarks/bench_fc_net.py --data DIR --quick    # 2000 images, 1 epoch: the script runs

Both train the same network on the same data in the same dtype, one after the
other in this process (one BLAS thread unless the caller set one):

* data: CIFAR-10's first 49000 training images, the training mean image
  subtracted and everything divided by the training pixels' standard
  deviation, float32; test on all 10000 test images;
* network: ReLU hidden layers ``--hidden`` (default 512 256), softmax output;
* training: ``--epochs`` epochs (default 5) of minibatches of ``--batch-size``
  (200) with Adam (``--rule adam``, lr 1e-3, CS231n's and scikit-learn's default
  betas) or SGD with momentum 0.9 (``--rule sgd_momentum``: scikit-learn's
  ``solver="sgd", nesterovs_momentum=False``, constant learning rate), L2
  strength ``--reg`` on the mean loss (scikit-learn's ``alpha`` is the same
  penalty: ``alpha = 2 * reg * batch_size``, since it adds
  ``0.5 * alpha * sum(W**2) / batch``);
* ours: ``Solver(FullyConnectedNet(hidden, weight_scale="kaiming"), ...)`` --
  minibatches drawn with replacement, an epoch is N // batch_size steps, and
  the Solver's per-epoch accuracy checks (1000 training + 1000 validation
  images) count in its time; the best-validation parameters are used at test;
* scikit-learn: ``MLPClassifier(hidden_layer_sizes=hidden, solver="adam",
  batch_size, max_iter=epochs, shuffle=True)`` with early stopping and the
  tolerance stop disabled, so it runs every epoch.

Reported per side: wall time, CPU time of this process (``time.process_time``:
on a machine shared with other jobs it is the fairer number), seconds per
epoch, test accuracy; then the time ratio ours / scikit-learn. Goal: <= 0.7x
its time at equal or better test accuracy (``--strict`` exits 1 when missed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: both sides get the same BLAS
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from cs231n_lite.classifiers.fc_net import FullyConnectedNet  # noqa: E402
from cs231n_lite.data import load_cifar10  # noqa: E402
from cs231n_lite.solver import Solver  # noqa: E402

GOAL = 0.7


def load(root, quick):
    X, y, X_test, y_test = load_cifar10(root)
    n_train, n_test = (2000, 1000) if quick else (49000, 10000)
    X = X.reshape(len(X), -1).astype(np.float32)
    X_test = X_test[:n_test].reshape(n_test, -1).astype(np.float32)
    mean = X[:n_train].mean(axis=0)
    std = float((X[:n_train] - mean).std())
    X = (X - mean) / std
    X_test = (X_test - mean) / std
    return (X[:n_train], y[:n_train], X[n_train:n_train + 1000], y[n_train:n_train + 1000],
            X_test, y_test[:n_test])


def timed(fn):
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def ours(data, args):
    Xtr, ytr, Xval, yval, Xte, yte = data
    model = FullyConnectedNet(args.hidden, input_dim=Xtr.shape[1], reg=args.reg,
                              weight_scale="kaiming", dtype=np.float32, seed=0)
    solver = Solver(model, {"X_train": Xtr, "y_train": ytr, "X_val": Xval, "y_val": yval},
                    update_rule=args.rule, optim_config={"learning_rate": args.lr},
                    batch_size=args.batch_size, num_epochs=args.epochs, verbose=False,
                    progress_bar=False, seed=0)
    _, wall, cpu = timed(solver.train)
    return wall, cpu, solver.check_accuracy(Xte, yte, batch_size=1000)


def sklearn(data, args):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    Xtr, ytr, _, _, Xte, yte = data
    solver = {"adam": dict(solver="adam"),
              "sgd_momentum": dict(solver="sgd", momentum=0.9, nesterovs_momentum=False,
                                   learning_rate="constant")}[args.rule]
    clf = MLPClassifier(hidden_layer_sizes=tuple(args.hidden), activation="relu", **solver,
                        alpha=2 * args.reg * args.batch_size, batch_size=args.batch_size,
                        learning_rate_init=args.lr, max_iter=args.epochs, shuffle=True,
                        random_state=0, tol=0.0, n_iter_no_change=args.epochs + 1,
                        early_stopping=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter runs out by design
        _, wall, cpu = timed(lambda: clf.fit(Xtr, ytr))
    return wall, cpu, float(np.mean(clf.predict(Xte) == yte))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="folder containing cifar-10-batches-py")
    ap.add_argument("--quick", action="store_true", help="2000 images, 1 epoch: check the script works")
    ap.add_argument("--hidden", type=int, nargs="+", default=[512, 256])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--rule", choices=["adam", "sgd_momentum"], default="adam")
    ap.add_argument("--lr", type=float, default=None, help="default 1e-3 (adam), 1e-2 (sgd_momentum)")
    ap.add_argument("--reg", type=float, default=0.0)
    ap.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = ap.parse_args(argv)
    root = Path(args.data)
    root = root / "cifar-10-batches-py" if (root / "cifar-10-batches-py").is_dir() else root
    if not (root / "data_batch_1").is_file():
        sys.exit(f"error: no cifar-10-batches-py under {args.data}; run datasets/get_cifar10.sh")
    if args.quick:
        args.epochs = 1
    if args.lr is None:
        args.lr = 1e-3 if args.rule == "adam" else 1e-2
    data = load(root, args.quick)
    print(f"{len(data[0])} training images, {len(data[4])} test images, hidden {args.hidden}, "
          f"batch {args.batch_size}, {args.epochs} epochs, {args.rule} lr {args.lr}, reg {args.reg}, "
          f"float32, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}\n")
    rows = {"Solver + FullyConnectedNet": ours(data, args), "sklearn MLPClassifier": sklearn(data, args)}
    print("| what | wall s | CPU s | CPU s / epoch | test acc |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu, acc) in rows.items():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / args.epochs:.2f} | {acc:.3f} |")
    (w_ours, c_ours, a_ours), (w_sk, c_sk, a_sk) = rows.values()
    met = c_ours <= GOAL * c_sk and a_ours >= a_sk
    print(f"\nratio ours / sklearn: CPU {c_ours / c_sk:.2f}x, wall {w_ours / w_sk:.2f}x; "
          f"test accuracy {a_ours:.3f} vs {a_sk:.3f}; goal <= {GOAL}x at equal or better "
          f"accuracy: {'met' if met else 'missed'}")
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
