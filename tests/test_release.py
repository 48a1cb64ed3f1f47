"""Release metadata: one version everywhere, a dated changelog, and a citation file that validates.

The version lives in ``pyproject.toml``; ``ingress_egress.__version__``, ``CITATION.cff`` and the
newest release heading of ``CHANGELOG.md`` must say the same, and ``CITATION.cff`` must be valid Citation File Format 1.2.0
(checked against the format's own JSON Schema, kept in ``tests/schemas``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RELEASE_HEADING = re.compile(r"^## (\d+\.\d+\.\d+) - (\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


@pytest.fixture(scope="module")
def citation() -> dict:
    # YAML 1.2 as CFF uses it: dates stay strings for the schema, as cffconvert reads them.
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)


def validate_citation(document: dict) -> list[str]:
    schema = json.loads((ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json").read_text())
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return sorted(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in validator.iter_errors(document))


def test_citation_file_is_valid_citation_file_format(citation):
    assert validate_citation(citation) == []


@pytest.mark.parametrize(("change", "complaint"), [
    (lambda d: d.pop("authors"), "'authors' is a required property"),
    (lambda d: d.update({"license": "MIT License"}), "license"),
    (lambda d: d.update({"date-released": "27 November 2026"}), "date-released"),
    (lambda d: d.update({"cff-version": "9.9.9"}), "cff-version"),
])
def test_the_schema_check_would_catch_a_broken_citation(citation, change, complaint):
    broken = json.loads(json.dumps(citation))
    change(broken)
    assert any(complaint in error for error in validate_citation(broken))


def test_one_version_everywhere(citation):
    version = project_version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert citation["version"] == version
    releases = RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert releases, "CHANGELOG.md has no '## X.Y.Z - YYYY-MM-DD' release heading"
    newest, date = releases[0]
    assert newest == version, f"the newest release in CHANGELOG.md is {newest}, the package says {version}"
    assert citation["date-released"] == date


def test_the_package_says_the_same_version():
    from ingress_egress import __version__

    assert __version__ == project_version(), "set __version__ in src/ingress_egress/__init__.py too"


def test_changelog_releases_are_dated_and_in_order():
    releases = RELEASE_HEADING.findall((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    versions = [tuple(map(int, v.split("."))) for v, _ in releases]
    dates = [dt.date.fromisoformat(d) for _, d in releases]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)


def test_readme_says_how_to_cite():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^## How to cite", readme, re.MULTILINE)
    assert "CITATION.cff" in readme
