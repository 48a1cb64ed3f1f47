"""Datagen: the seeded generators behind every file in ``data/``.

Each submodule of this package makes one dataset and offers
``generate(data_dir) -> list[Path]``, which writes its files below ``data_dir`` and
returns their paths. Same code, same seed, same bytes:
``python -m ingress_egress.datagen`` rebuilds ``data/`` bit for bit, and a test checks
that.

Examples
--------
>>> "conversations" in generator_names()
True
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def generator_names() -> list[str]:
    """The dataset generators in this package, by module name, sorted."""
    return sorted(
        info.name
        for info in pkgutil.iter_modules(__path__)
        if not info.name.startswith("_")
    )


def generate_all(data_dir: str | Path) -> list[Path]:
    """Run every generator into ``data_dir`` and return all the files written,
    sorted.
    """
    data_dir = Path(data_dir)
    written: list[Path] = []
    for name in generator_names():
        module = importlib.import_module(f"{__name__}.{name}")
        written.extend(module.generate(data_dir))
    return sorted(written)
