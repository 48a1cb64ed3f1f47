"""Every notebook ends with a line that links the previous and the next notebook, in
file order.

A learner working alone in JupyterLab moves on from the last cell. That cell, after
Resources, is a markdown line such as ``← [Start here](00-start-here.ipynb) · [Packets
and flows](02-packets-and-flows.ipynb) →``: the first notebook has no previous one, the
last no next one, and each link's text is the linked notebook's title (its H1).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LINK = r"\[([^\]]+)\]\((\d\d-[\w-]+\.ipynb)\)"
PREVIOUS = re.compile(r"←\s*" + LINK)
NEXT = re.compile(LINK + r"\s*→")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def title(path: Path) -> str:
    first = next(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    return re.search(r"^# (.+?)\s*$", first, flags=re.MULTILINE).group(1)


def navigation(text: str) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    """The (text, file) of the previous and of the next link in a navigation line, or
    None.
    """
    previous, following = PREVIOUS.findall(text), NEXT.findall(text)
    if len(previous) > 1 or len(following) > 1:
        raise ValueError(f"more than one previous or next link in {text!r}")
    return (previous[0] if previous else None), (following[0] if following else None)


def test_navigation_parses_a_line():
    line = (
        "← [Start here](00-start-here.ipynb) · [Packets and "
        "flows](02-packets-and-flows.ipynb) →"
    )
    assert navigation(line) == (
        ("Start here", "00-start-here.ipynb"),
        ("Packets and flows", "02-packets-and-flows.ipynb"),
    )
    assert navigation("[Direction](01-direction.ipynb) →") == (
        None,
        ("Direction", "01-direction.ipynb"),
    )
    assert navigation("← [Capacity](12-capacity.ipynb)") == (
        ("Capacity", "12-capacity.ipynb"),
        None,
    )
    assert navigation("see [Capacity](12-capacity.ipynb)") == (None, None)
    with pytest.raises(ValueError):
        navigation("← [A](00-a.ipynb) ← [B](01-b.ipynb)")


def test_there_is_a_course_to_navigate():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize(
    "index", range(len(NOTEBOOKS)), ids=[p.name for p in NOTEBOOKS]
)
def test_last_cell_links_previous_and_next_notebook(index):
    path = NOTEBOOKS[index]
    notebook = cells(path)
    last = notebook[-1]
    assert not source(last).startswith("## Resources"), (
        f"{path.name}: no navigation line after Resources"
    )
    assert last["cell_type"] == "markdown", (
        f"{path.name}: the last cell is not a navigation line"
    )
    before = source(notebook[-2])
    assert before.startswith("## Resources"), (
        f"{path.name}: the navigation line must come right after Resources"
    )
    text = source(last).strip()
    assert "\n" not in text, f"{path.name}: the navigation is one line: {text!r}"
    previous, following = navigation(text)
    expected_previous = NOTEBOOKS[index - 1] if index > 0 else None
    expected_next = NOTEBOOKS[index + 1] if index + 1 < len(NOTEBOOKS) else None
    for found, expected, way in (
        (previous, expected_previous, "previous"),
        (following, expected_next, "next"),
    ):
        if expected is None:
            assert found is None, (
                f"{path.name}: links a {way} notebook, but there is none: {found}"
            )
        else:
            assert found == (title(expected), expected.name), (
                f"{path.name}: the {way} link should be "
                f"[{title(expected)}]({expected.name}), found {found}"
            )
