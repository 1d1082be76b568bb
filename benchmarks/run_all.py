"""Run every benchmark in this folder, one after another, on one dataset.

    python benchmarks/run_all.py --data DIR [--quick]

DIR holds `cifar-10-batches-py/` (real CIFAR-10; see the README). Each
benchmark prints its own markdown table; this script runs them in sequence so
that no two compete for the 2 cores, and stops with a non-zero exit if one fails.
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", required=True, help="folder holding cifar-10-batches-py/")
    p.add_argument("--quick", action="store_true", help="tiny sizes, to check the scripts run")
    args = p.parse_args(argv)
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        cmd = [sys.executable, str(script), "--data", args.data] + (["--quick"] if args.quick else [])
        print(f"\n## {script.name}\n", flush=True)
        if subprocess.call(cmd) != 0:
            failed.append(script.name)
    if failed:
        print(f"benchmarks failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
