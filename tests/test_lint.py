"""Code style: ruff's lint rules and formatting hold everywhere, notebooks' code cells
included.

The rules and the line length (the book's 88 columns) live in ``pyproject.toml``;
``make format`` fixes most violations, ``make lint`` runs the same checks as these
tests.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"


def ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the environment's pinned ruff (no cache: a check never writes into the
    course).
    """
    command = [sys.executable, "-m", "ruff", *args, "--no-cache"]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


def reported(result: subprocess.CompletedProcess) -> list[tuple[str, int, str]]:
    """(file name, line, rule) of each violation in ruff's concise output."""
    found = re.findall(r"^(.+?):(\d+):\d+: ([A-Z]+\d+) ", result.stdout, re.MULTILINE)
    return sorted((Path(path).name, int(line), code) for path, line, code in found)


def test_the_course_passes_ruff_check():
    result = ruff("check", ".")
    assert result.returncode == 0, (
        f"ruff check found violations:\n{result.stdout}{result.stderr}"
    )


def test_the_course_is_formatted_as_ruff_format_would():
    result = ruff("format", "--check", "--diff", ".")
    assert result.returncode == 0, (
        f"`make format` would change:\n{result.stdout}{result.stderr}"
    )


def test_the_configuration_catches_unused_imports_long_lines_and_import_order(tmp_path):
    fine = "x = '" + "a" * 82 + "'\n"  # 88 characters: the book's column, allowed
    too_long = "y = '" + "b" * 83 + "'\n"  # 89 characters
    hundred = "z = '" + " ".join(["word"] * 19) + "'\n"  # 100 characters
    assert [len(line) for line in (fine, too_long, hundred)] == [
        89,
        90,
        101,
    ]  # with "\n"
    source = "import sys\nimport os\n\n" + fine + too_long + hundred + "print(os.sep)\n"
    (tmp_path / "sample.py").write_text(source)
    result = ruff(
        "check",
        "--config",
        str(CONFIG),
        "--output-format",
        "concise",
        ".",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported(result) == [
        ("sample.py", 1, "F401"),  # sys is never used
        ("sample.py", 1, "I001"),  # os belongs before sys
        ("sample.py", 5, "E501"),
        ("sample.py", 6, "E501"),
    ], result.stdout


def test_the_configuration_checks_notebooks_code_cells(tmp_path):
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# A title\n"]},
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": ["import json\n", "\n", "print(undefined_name)\n"],
        },
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "lesson.ipynb").write_text(json.dumps(notebook))
    result = ruff(
        "check",
        "--config",
        str(CONFIG),
        "--output-format",
        "concise",
        ".",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    codes = {code for _, _, code in reported(result)}
    assert codes == {"F401", "F821"}, result.stdout


@pytest.mark.parametrize("folder", ["_build", ".venv", "node_modules", "build"])
def test_built_and_installed_files_are_not_checked(tmp_path, folder):
    (tmp_path / folder).mkdir()
    (tmp_path / folder / "generated.py").write_text("import sys\n")
    (tmp_path / "kept.py").write_text("import os\n")
    result = ruff(
        "check",
        "--config",
        str(CONFIG),
        "--output-format",
        "concise",
        ".",
        cwd=tmp_path,
    )
    assert [name for name, _, _ in reported(result)] == ["kept.py"], result.stdout


def test_the_course_package_is_sorted_as_first_party(tmp_path):
    sections = (
        "import os\n\nimport numpy\n\nimport "
        "ingress_egress\n\nprint(os, numpy, ingress_egress)\n"
    )
    (tmp_path / "sections.py").write_text(sections)
    together = (
        "import os\n\nimport ingress_egress\nimport "
        "numpy\n\nprint(os, numpy, ingress_egress)\n"
    )
    (tmp_path / "together.py").write_text(together)
    result = ruff(
        "check",
        "--config",
        str(CONFIG),
        "--output-format",
        "concise",
        ".",
        cwd=tmp_path,
    )
    assert reported(result) == [
        ("together.py", 1, "I001")
    ]  # the block's first line, result.stdout
