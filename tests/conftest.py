"""Shared test set-up: offline kernels, paths, and the ../shared reference data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
OFFLINE = Path(__file__).resolve().parent / "offline"


def pytest_configure(config):
    # Kernels started by nbval (and any subprocess) inherit this: no network but loopback.
    paths = [str(OFFLINE)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    os.environ["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))


@pytest.fixture(scope="session")
def root() -> Path:
    """The course's top folder."""
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared beside the course, or a skip that says why the check could not run."""
    if not SHARED.is_dir():
        pytest.skip(f"reference data not present: {SHARED} (checks against real files need ../shared)")
    return SHARED


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book once per test session, strict (warnings are errors), into a temporary folder.

    Returns the HTML folder. The build log is kept beside it and shown when the build fails.
    """
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "--all",
         "--warningiserror", "--keep-going"],
        capture_output=True, text=True, cwd=ROOT,
    )
    (out / "build.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, "strict book build failed:\n" + (result.stdout + result.stderr)[-6000:]
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def classroom_book(tmp_path_factory) -> Path:
    """Build the classroom edition (no solutions) once per session, strict; returns its HTML folder."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("classroom")
    config = out / "_config.yml"
    steps = [
        [sys.executable, "-m", "ingress_egress.course", "classroom-config", str(ROOT / "_config.yml"), str(config)],
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--config", str(config),
         "--path-output", str(out), "--all", "--warningiserror", "--keep-going"],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, cwd=ROOT)
        assert result.returncode == 0, "classroom build failed:\n" + (result.stdout + result.stderr)[-6000:]
    return out / "_build" / "html"
