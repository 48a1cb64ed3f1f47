"""Course: the notebooks themselves, as data: their titles, order and stated times.

Each notebook states its time once, in its Overview, on a line such as
``**Time to learn**: 25 minutes teaching, 20 minutes exercises.`` This module reads those lines,
so the map of the course and any sum of times come from that one source.

Examples
--------
>>> parse_time_to_learn("**Time to learn**: 25 minutes teaching, 20 minutes exercises.")
(25, 20)
>>> parse_time_to_learn("no time here") is None
True
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

TIME_PATTERN = re.compile(
    r"\*\*Time to learn\*\*:\s*(\d+)\s+minutes teaching,\s*(\d+)\s+minutes exercises\."
)
TITLE_PATTERN = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)


def parse_time_to_learn(markdown: str) -> tuple[int, int] | None:
    """The (teaching, exercise) minutes stated in a markdown text, or None when it states none."""
    match = TIME_PATTERN.search(markdown)
    return (int(match.group(1)), int(match.group(2))) if match else None


def _markdown_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]


def notebook_map(folder: str | Path = ".") -> pd.DataFrame:
    """One row per course notebook ``NN-name.ipynb`` in ``folder``, in reading order.

    Columns: ``number``, ``title`` (the notebook's H1), ``file``, ``teaching_minutes`` and
    ``exercise_minutes``. A notebook without a title or a time line is an error, so the map
    can't silently lose one.
    """
    rows = []
    for path in sorted(Path(folder).glob("[0-9][0-9]-*.ipynb")):
        text = "\n\n".join(_markdown_cells(path))
        title = TITLE_PATTERN.search(text)
        times = parse_time_to_learn(text)
        if title is None or times is None:
            missing = "a '# Title'" if title is None else "a '**Time to learn**: ...' line"
            raise ValueError(f"{path.name}: the notebook has no {missing} in its markdown cells")
        rows.append(
            dict(number=path.name[:2], title=title.group(1), file=path.name,
                 teaching_minutes=times[0], exercise_minutes=times[1])
        )
    return pd.DataFrame(rows, columns=["number", "title", "file", "teaching_minutes", "exercise_minutes"])
