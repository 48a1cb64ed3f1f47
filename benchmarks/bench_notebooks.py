"""Benchmark: how long each notebook takes under nbval, and where the start-up time
goes.

For each notebook (or those named), runs ``pytest --nbval`` on it alone, as
``make test`` does, ``--repeats`` times, and prints the best wall time and the spread.
Then the start-up breakdown, each the best of ``--repeats``:

* ``python -c pass``: the interpreter;
* ``pytest --collect-only`` of one notebook: pytest with its plugins (nbval among them);
* a kernel started and stopped with jupyter_client (what nbval does per notebook);
* ``import pandas, matplotlib.pyplot, ingress_egress...``: the imports every notebook
  makes.

The machine may be shared with others: run it twice and compare ratios rather than
seconds.

Run: ``.venv/bin/python benchmarks/bench_notebooks.py [--repeats 2] [NOTEBOOK ...]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
KERNEL = (
    "from jupyter_client.manager import start_new_kernel\n"
    "km, kc = start_new_kernel(kernel_name='python3')\n"
    "kc.stop_channels(); km.shutdown_kernel(now=True)\n"
)
IMPORTS = (
    "import numpy, pandas, matplotlib.pyplot\n"
    "import ingress_egress.captures, ingress_egress.direction, "
    "ingress_egress.plotting, ingress_egress.selfcheck\n"
)


def timed(command: list[str], repeats: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runs.append(time.perf_counter() - t)
    return min(runs), max(runs) - min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    notebooks = args.notebooks or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")
    )
    print(f"{'notebook':<40} {'best s':>8} {'spread s':>9}")
    total = 0.0
    for nb in notebooks:
        best, spread = timed(PYTEST + [str(nb)], args.repeats)
        total += best
        print(f"{nb.name:<40} {best:8.1f} {spread:9.1f}")
    print(f"{'sum of the best times':<40} {total:8.1f}")
    print("\nstart-up")
    steps = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        (
            "pytest --collect-only (one notebook)",
            PYTEST + ["--collect-only", str(notebooks[0])],
        ),
        ("kernel start and stop", [sys.executable, "-c", KERNEL]),
        ("imports of a notebook", [sys.executable, "-c", IMPORTS]),
    ]
    for label, command in steps:
        best, spread = timed(command, args.repeats)
        print(f"{label:<40} {best:8.1f} {spread:9.1f}")


if __name__ == "__main__":
    main()
