"""Write environment.yml from requirements.txt, so conda/Binder users get the same pins.

Run by `make lock`; tests/test_environment.py fails when the two files disagree.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = """\
# Conda / Binder environment for the course. Generated from requirements.txt by
# `python tools/sync_environment.py` (run by `make lock`): do not edit by hand.
name: ingress-egress
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def pinned_requirements(text: str) -> list[str]:
    """The `name==version` lines of a requirements file, comments and blanks dropped."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def main() -> None:
    pins = pinned_requirements((ROOT / "requirements.txt").read_text())
    body = "".join(f"      - {pin}\n" for pin in pins)
    (ROOT / "environment.yml").write_text(HEADER + body)


if __name__ == "__main__":
    main()
