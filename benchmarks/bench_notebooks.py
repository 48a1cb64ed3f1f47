"""Benchmark: how long each notebook takes under nbval, and where the start-up time
goes.

For each notebook (or those named), runs ``pytest --nbval`` on it alone, as
``make test`` does, ``--repeats`` times, and prints the best wall time, the spread, the
processor time of the run (pytest and the kernel together) and how far the best time is
above the baseline: the same run of a notebook whose one cell only imports what every
notebook imports (target: at most 5 s above). ``--whole`` adds one ``pytest`` run of
every notebook at once (target: under 90 s). Then the start-up breakdown, each the best
of ``--repeats``:

* ``python -c pass``: the interpreter;
* ``pytest --collect-only`` of one notebook: pytest with its plugins (nbval among them);
* a kernel started and stopped with jupyter_client (what nbval does per notebook);
* ``import pandas, matplotlib.pyplot, ingress_egress...``: the imports every notebook
  makes.

The machine may be shared with others: run it twice and compare ratios rather than
seconds.

Run: ``.venv/bin/python benchmarks/bench_notebooks.py [--repeats 2] [--whole] [NOTEBOOK
...]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
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
    "ingress_egress.plotting, ingress_egress.selfcheck, ingress_egress.tables\n"
)


def timed(command: list[str], repeats: int) -> tuple[float, float, float]:
    """Best wall time, spread (slowest - fastest) and the processor time of the best
    run.
    """
    runs = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(
            command,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        runs.append((wall, cpu))
    best = min(runs)
    return best[0], max(runs)[0] - best[0], best[1]


def baseline_notebook(folder: Path) -> Path:
    """A notebook whose one code cell makes the imports every notebook makes, and
    nothing else.
    """
    path = folder / "baseline.ipynb"
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "imports",
        "metadata": {},
        "outputs": [],
        "source": IMPORTS,
    }
    notebook = {
        "cells": [cell],
        "metadata": {
            "kernelspec": {
                "name": "python3",
                "display_name": "Python 3",
                "language": "python",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--whole", action="store_true", help="also run every notebook at once"
    )
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args()
    notebooks = args.notebooks or sorted(
        (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")
    )
    with tempfile.TemporaryDirectory() as folder:
        # the project's settings (nbval, its sanitizer) for a notebook outside the
        # project
        config = ["-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
        base, base_spread, base_cpu = timed(
            PYTEST + config + [str(baseline_notebook(Path(folder)))], args.repeats
        )
    print(
        f"{'notebook':<40} {'best s':>8} {'spread s':>9} "
        f"{'CPU s':>7} {'above baseline s':>17}"
    )
    print(
        f"{'baseline (imports only)':<40} {base:8.1f} "
        f"{base_spread:9.1f} {base_cpu:7.1f}"
    )
    total = 0.0
    for nb in notebooks:
        best, spread, cpu = timed(PYTEST + [str(nb)], args.repeats)
        total += best
        print(f"{nb.name:<40} {best:8.1f} {spread:9.1f} {cpu:7.1f} {best - base:17.1f}")
    print(f"{'sum of the best times':<40} {total:8.1f}")
    if args.whole:
        best, spread, cpu = timed(PYTEST + [str(nb) for nb in notebooks], 1)
        print(f"{'all notebooks in one pytest run':<40} {best:8.1f} {'':>9} {cpu:7.1f}")
    print("\nstart-up")
    steps = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        (
            "pytest --collect-only (one notebook)",
            PYTEST + ["--collect-only", str(notebooks[0])],
        ),
        ("kernel start and stop", [sys.executable, "-c", KERNEL]),
        ("imports of a notebook", [sys.executable, "-c", IMPORTS]),
        (
            "import rfc3987_syntax (via nbformat)",
            [sys.executable, "-c", "import rfc3987_syntax"],
        ),
    ]
    for label, command in steps:
        best, spread, cpu = timed(command, args.repeats)
        print(f"{label:<40} {best:8.1f} {spread:9.1f} {cpu:7.1f}")


if __name__ == "__main__":
    main()
