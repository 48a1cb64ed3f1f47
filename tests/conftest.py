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


PUBLISHED_REPOSITORY = "https://github.com/example-org/ingress-egress"
"""The repository the published_book fixture says the book comes from (only a test's address)."""


def _build(out: Path, config_command: list[str] | None) -> Path:
    """Build the book strictly (warnings are errors) into ``out``; returns the HTML folder.

    ``config_command``: the arguments of ``python -m ingress_egress.course`` that write the build's
    configuration to ``out/_config.yml`` first, the way the Makefile does for the classroom edition.
    The build log is kept beside the HTML and shown when the build fails.
    """
    import subprocess
    import sys

    steps = []
    build = [str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "--path-output", str(out),
             "--all", "--warningiserror", "--keep-going"]
    if config_command is not None:
        config = out / "_config.yml"
        steps.append([sys.executable, "-m", "ingress_egress.course", *config_command[:1],
                      str(ROOT / "_config.yml"), str(config), *config_command[1:]])
        build[3:3] = ["--config", str(config)]
    steps.append(build)
    log = []
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, cwd=ROOT)
        log.append(result.stdout + result.stderr)
        (out / "build.log").write_text("\n".join(log))
        assert result.returncode == 0, "strict book build failed:\n" + log[-1][-6000:]
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """The book as `make book` builds it (no repository URL), once per test session."""
    return _build(tmp_path_factory.mktemp("book"), None)


@pytest.fixture(scope="session")
def classroom_book(tmp_path_factory) -> Path:
    """The classroom edition (no solutions), as `make book-classroom` builds it, once per session."""
    return _build(tmp_path_factory.mktemp("classroom"), ["classroom-config"])


@pytest.fixture(scope="session")
def published_book(tmp_path_factory) -> Path:
    """The learners' book built the way a publisher does, with a repository URL, once per session."""
    return _build(tmp_path_factory.mktemp("published"),
                  ["book-config", "--repository-url", PUBLISHED_REPOSITORY])
