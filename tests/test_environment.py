"""The pinned environment: requirements.txt and environment.yml agree, and the pins fit
together.
"""

from __future__ import annotations

import re
from importlib.metadata import version

import pytest
import yaml

from tools.sync_environment import pinned_requirements


def _pins(lines: list[str]) -> dict[str, str]:
    pins = {}
    for line in lines:
        name, sep, pinned = line.partition("==")
        assert sep, f"not an exact pin: {line!r}"
        pins[re.sub(r"[-_.]+", "-", name).lower()] = pinned
    return pins


@pytest.fixture(scope="module")
def requirements(root) -> dict[str, str]:
    return _pins(pinned_requirements((root / "requirements.txt").read_text()))


@pytest.fixture(scope="module")
def environment(root) -> dict[str, str]:
    spec = yaml.safe_load((root / "environment.yml").read_text())
    pip_section = next(item for item in spec["dependencies"] if isinstance(item, dict))[
        "pip"
    ]
    return _pins(pip_section)


def test_environment_yml_has_the_same_pins_as_requirements(requirements, environment):
    assert environment == requirements


def test_environment_yml_asks_for_python_311(root):
    spec = yaml.safe_load((root / "environment.yml").read_text())
    assert "python=3.11" in spec["dependencies"]


def test_every_direct_dependency_is_pinned(root, requirements):
    direct = pinned_requirements((root / "requirements.in").read_text())
    names = {
        re.sub(r"[-_.]+", "-", re.split(r"[<>=!~ ]", line)[0]).lower()
        for line in direct
    }
    assert names - set(requirements) == set()


def test_jupyter_book_is_1x_which_builds_offline(requirements):
    assert requirements["jupyter-book"].startswith("1.")


def test_pytest_and_nbval_are_a_known_good_pair(requirements):
    # nbval 0.11 runs on pytest 9.0 to 9.2.
    assert requirements["nbval"].startswith("0.11.")
    major, minor = (int(part) for part in requirements["pytest"].split(".")[:2])
    assert (major, minor) in {(9, 0), (9, 1), (9, 2)}


@pytest.mark.parametrize(
    "package", ["pandas", "matplotlib", "networkx", "nbval", "pytest", "jupyter-book"]
)
def test_the_running_environment_is_the_pinned_one(requirements, package):
    assert version(package) == requirements[package]
