"""Lab: the notebooks made ready for JupyterLab, and put back as they were committed.

Authors write a notebook's skeleton as the book needs it (``:::{exercise}``, gated
``solution-start``/``solution-end``, ``{term}`` roles). :func:`make_lab_ready` then adds
what JupyterLab (with jupyterlab-myst) needs to show the notebook as the book does.
Everything it adds for JupyterLab alone is a markdown cell whose id starts with ``lab-``
and which is tagged ``remove-cell``, so the book leaves it out; the tool replaces those
cells on every run.

- **Exercise numbers.** jupyterlab-myst numbers exercises 1, 2, 3 in each notebook; the
  page front matter ``numbering: exercise: enumerator: 2.%s`` at the top of the first
  cell makes them 2.1, 2.2, as in the book. jupyterlab-myst reads front matter only from
  the first markdown cell (not from the notebook's metadata); the book's extension
  ``book/_ext/lab_notebooks.py`` takes it out again.
- **Solutions hidden until asked for.** Before each exercise a heading
  ``### Exercise 2.1``, before its solution a heading ``#### Solution to Exercise 2.1``,
  stored collapsed (``jp-MarkdownHeadingCollapsed``). JupyterLab hides a collapsed
  heading's section, here exactly the solution's cells, code, outputs and prose, and
  shows "N cells hidden": one click shows them. *Run All* and nbval still run them, and
  running does not show them (JupyterLab shows a cell's own collapsed outputs again when
  it runs it, so collapsing the cells one by one would not do on its own). The
  solution's code cells are stored folded as well, input and output (nbformat's
  ``jupyter.source_hidden`` and ``outputs_hidden``): once the heading is open, the
  prose shows and a click on a code cell's bar shows its code or its output, so opening
  a solution to read the explanation does not give away the code at the same glance.
- **Glossary.** A ``{term}`` resolves in JupyterLab only against a glossary in the same
  notebook, so each notebook gets one, made from ``book/glossary.md`` for the terms it
  links (:func:`ingress_egress.glossary.notebook_glossary`), right before
  ``## Resources``: hovering a term shows its definition, clicking it scrolls to the
  entry.
- **Kernel name.** The kernelspec's display name is the one ipykernel installs,
  ``Python 3 (ipykernel)``, so that opening a notebook in JupyterLab does not mark it as
  changed.

The tool is idempotent: run on its own output it changes nothing, and the tests check
that every notebook is such a fixed point. :func:`changed_notebooks` and
:func:`reset_notebook` let a learner see which notebooks they changed and get the
committed version back.

Examples
--------
>>> exercise_enumerator("02-packets-and-flows.ipynb")
'2.%s'
>>> split_front_matter("---\\nnumbering: {}\\n---\\n# Title")
({'numbering': {}}, '# Title')
>>> split_front_matter("# Title")
({}, '# Title')
"""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import yaml

from ingress_egress.course import exercise_labels
from ingress_egress.glossary import (
    Entry,
    notebook_glossary,
    read_glossary,
    role_targets,
)

LAB_CELL_PREFIX = "lab-"
GLOSSARY_CELL_ID = "lab-glossary"
GLOSSARY_LEAD = (
    "**Terms linked in this notebook**, as the course's glossary (`book/glossary.md`) "
    "defines them. Hover over a linked term to read its entry, click it to come here."
)
HEADING_COLLAPSED = (
    "jp-MarkdownHeadingCollapsed"  # JupyterLab's cell metadata for a collapsed heading
)
CELL_COLLAPSED = {"source_hidden": True, "outputs_hidden": True}
"""A code cell's ``jupyter`` metadata when its input and output are folded (nbformat's
names, which JupyterLab reads)."""
KERNEL_DISPLAY_NAME = {"python3": "Python 3 (ipykernel)"}
NOTEBOOK_NAME = re.compile(r"^(\d\d)-[\w-]+\.ipynb$")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
SOLUTION_START = re.compile(r"^:{3,}\{solution-start\}[ \t]+(\S+)")
SOLUTION_END = re.compile(r"^:{3,}\{solution-end\}")


class LabReadyError(ValueError):
    """A notebook the tool cannot make ready: names the notebook, the cell and what was
    expected.
    """


def chapter(name: str) -> int:
    """The notebook's chapter, from its file name ``NN-name.ipynb``: 2 for
    ``02-packets-and-flows.ipynb``.
    """
    match = NOTEBOOK_NAME.match(Path(name).name)
    if match is None:
        raise LabReadyError(f"{name}: a course notebook is named NN-name.ipynb")
    return int(match.group(1))


def exercise_enumerator(name: str) -> str:
    """The MyST enumerator template that numbers the notebook's exercises by chapter."""
    return f"{chapter(name)}.%s"


def split_front_matter(markdown: str) -> tuple[dict, str]:
    """The YAML front matter at the top of a markdown text (``{}`` if none) and the text
    after it.
    """
    match = FRONT_MATTER.match(markdown)
    if match is None:
        return {}, markdown
    data = yaml.safe_load(match.group(1) or "") or {}
    if not isinstance(data, dict):
        raise LabReadyError(f"front matter is not a mapping: {match.group(0)!r}")
    return data, markdown[match.end() :]


def _with_front_matter(markdown: str, name: str) -> str:
    data, body = split_front_matter(markdown)
    numbering = data.setdefault("numbering", {})
    if not isinstance(numbering, dict):
        raise LabReadyError(
            f"{name}: the front matter's 'numbering' is not a mapping: {numbering!r}"
        )
    numbering.setdefault("exercise", {})["enumerator"] = exercise_enumerator(name)
    return "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n" + body


def _text(cell: dict) -> str:
    """A cell's source as one string (nbformat stores it as a string or a list of
    lines).
    """
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def is_lab_cell(cell: dict) -> bool:
    """Whether the cell is one the tool adds for JupyterLab (and the book leaves
    out).
    """
    return str(cell.get("id", "")).startswith(LAB_CELL_PREFIX)


def solution_cells(notebook: dict, name: str) -> dict[int, str]:
    """The cells inside gated solutions, by index, each with its exercise's number
    (``"2.1"``).

    The number is the chapter and the exercise's place among the notebook's
    ``{exercise}`` blocks, as the book counts. A solution whose label is no exercise, or
    one never closed, is an error.
    """
    cells = notebook["cells"]
    labels = exercise_labels(
        "\n\n".join(_text(c) for c in cells if c["cell_type"] == "markdown")
    )
    inside: dict[int, str] = {}
    number, opened_at = None, None
    for index, cell in enumerate(cells):
        source = _text(cell) if cell["cell_type"] == "markdown" else ""
        start, end = SOLUTION_START.match(source), SOLUTION_END.match(source)
        if start:
            if number is not None:
                raise LabReadyError(
                    f"{name}: cell {index}: a solution starts inside "
                    f"the one opened at cell {opened_at}"
                )
            label = start.group(1)
            if label not in labels:
                raise LabReadyError(
                    f"{name}: cell {index}: solution to {label!r}, which is no "
                    f"exercise here (exercises: {', '.join(labels) or 'none'})"
                )
            number, opened_at = f"{chapter(name)}.{labels.index(label) + 1}", index
        elif end:
            if number is None:
                raise LabReadyError(
                    f"{name}: cell {index}: solution-end without a solution-start"
                )
            number = None
        elif number is not None:
            inside[index] = number
    if number is not None:
        raise LabReadyError(
            f"{name}: the solution opened at cell {opened_at} has no solution-end"
        )
    return inside


def _lab_cell(cell_id: str, source: str, **metadata) -> dict:
    cell = nbformat.v4.new_markdown_cell(source)
    cell["id"] = LAB_CELL_PREFIX + re.sub(r"[^A-Za-z0-9_-]", "-", cell_id)[:60]
    cell["metadata"] = {"editable": False, **metadata, "tags": ["remove-cell"]}
    return cell


def _headings(cells: list[dict], name: str) -> list[dict]:
    """The cells with a heading before each exercise and a collapsed one before each
    solution.
    """
    solution_cells({"cells": cells}, name)  # the solutions are well formed
    labels = exercise_labels(
        "\n\n".join(c["source"] for c in cells if c["cell_type"] == "markdown")
    )
    numbers = {
        label: f"{chapter(name)}.{position}"
        for position, label in enumerate(labels, start=1)
    }
    result = []
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for label in exercise_labels(cell["source"]):
                result.append(
                    _lab_cell(f"exercise-{label}", f"### Exercise {numbers[label]}")
                )
            start = SOLUTION_START.match(cell["source"])
            if start:
                label = start.group(1)
                result.append(
                    _lab_cell(
                        f"solution-{label}",
                        f"#### Solution to Exercise {numbers[label]}",
                        **{HEADING_COLLAPSED: True},
                    )
                )
        result.append(cell)
    return result


def _glossary_cell(cells: list[dict], entries: list[Entry]) -> dict | None:
    markdown = "\n\n".join(c["source"] for c in cells if c["cell_type"] == "markdown")
    glossary = notebook_glossary(entries, role_targets(markdown))
    if glossary is None:
        return None
    return _lab_cell("glossary", f"{GLOSSARY_LEAD}\n\n{glossary}")


def make_lab_ready(notebook: dict, name: str, entries: list[Entry]) -> dict:
    """A copy of ``notebook`` (file name ``name``) made ready for JupyterLab; see the
    module's docstring.
    """
    notebook = copy.deepcopy(notebook)
    cells = [c for c in notebook["cells"] if not is_lab_cell(c)]
    for cell in cells:
        cell["source"] = _text(cell)
    first = next((c for c in cells if c["cell_type"] == "markdown"), None)
    if first is None:
        raise LabReadyError(f"{name}: no markdown cell to carry the exercise numbering")
    first["source"] = _with_front_matter(first["source"], name)

    for index in solution_cells({"cells": cells}, name):
        if cells[index]["cell_type"] == "code":
            metadata = cells[index]["metadata"]
            metadata["jupyter"] = {**metadata.get("jupyter", {}), **CELL_COLLAPSED}
    glossary = _glossary_cell(cells, entries)
    cells = _headings(cells, name)
    if glossary is not None:
        resources = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "markdown" and c["source"].startswith("## Resources")
        ]
        cells.insert(resources[-1] if resources else len(cells), glossary)
    notebook["cells"] = cells

    kernelspec = notebook.get("metadata", {}).get("kernelspec", {})
    if kernelspec.get("name") in KERNEL_DISPLAY_NAME:
        kernelspec["display_name"] = KERNEL_DISPLAY_NAME[kernelspec["name"]]
    return notebook


def is_lab_ready(notebook: dict, name: str, entries: list[Entry]) -> bool:
    """Whether the tool would leave ``notebook`` as it is (compared as nbformat writes
    them).
    """
    ready = nbformat.writes(nbformat.from_dict(make_lab_ready(notebook, name, entries)))
    return ready == nbformat.writes(nbformat.from_dict(copy.deepcopy(notebook)))


def lab_ready(
    folder: str | Path, glossary: str | Path, check: bool = False
) -> list[str]:
    """Make every ``NN-name.ipynb`` in ``folder`` ready for JupyterLab; the names of
    those that changed.

    With ``check``, nothing is written: the result lists the notebooks that are not
    ready.
    """
    entries = read_glossary(glossary)
    changed = []
    for path in sorted(Path(folder).glob("[0-9][0-9]-*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        if not is_lab_ready(notebook, path.name, entries):
            changed.append(path.name)
            if not check:
                nbformat.write(
                    nbformat.from_dict(make_lab_ready(notebook, path.name, entries)),
                    path,
                )
    return changed


# Starting over: which notebooks differ from the committed ones, and getting one back.


class ResetError(RuntimeError):
    """A notebook that cannot be put back: says why and what to do instead."""


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        raise ResetError(
            "git is not installed, so the committed notebooks are out of reach"
        )
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, check=False
    )


def changed_notebooks(root: str | Path = ".") -> list[str] | None:
    """The notebooks (``notebooks/*.ipynb``, paths from ``root``) that differ from the
    committed ones, new ones included; None when ``root`` is not a git checkout, so
    there is nothing to compare with."""
    try:
        result = _git(
            Path(root),
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            "notebooks",
        )
    except ResetError:
        return None
    if result.returncode != 0:
        return None
    changed, records = [], iter(result.stdout.decode("utf-8").split("\0"))
    for record in records:
        status, path = record[:2], record[3:]
        if status[:1] in ("R", "C"):
            next(records, None)  # a rename's or copy's former path follows
        if path.endswith(".ipynb") and "/.ipynb_checkpoints/" not in path:
            changed.append(path)
    return sorted(set(changed))


def find_notebook(root: Path, number: str) -> Path:
    """The course notebook numbered ``number`` (``"02"`` or ``"2"``) in
    ``root/notebooks``.
    """
    if not re.fullmatch(r"\d{1,2}", number):
        raise ResetError(f"{number!r} is not a notebook number; give one such as 02")
    found = sorted((root / "notebooks").glob(f"{int(number):02d}-*.ipynb"))
    if len(found) != 1:
        known = sorted(
            p.name[:2] for p in (root / "notebooks").glob("[0-9][0-9]-*.ipynb")
        )
        raise ResetError(
            f"no notebook {int(number):02d}; the course has {', '.join(known)}"
        )
    return found[0]


def reset_notebook(root: str | Path, number: str) -> str:
    """Put notebook ``number`` back as committed, keeping the learner's version in
    ``backups/``.

    Returns what was done, in words. Raises :class:`ResetError` when there is no
    committed version to go back to (no git, not a checkout, a notebook never
    committed).
    """
    root = Path(root)
    path = find_notebook(root, number)
    relative = path.relative_to(root).as_posix()
    committed = _git(root, "show", f"HEAD:{relative}")
    if committed.returncode != 0:
        raise ResetError(
            f"{relative}: no committed version to go back to (this copy of the course "
            "is not a git checkout, or the notebook was never committed): "
            f"{committed.stderr.decode('utf-8', 'replace').strip()}"
        )
    if path.read_bytes() == committed.stdout:
        return f"{relative} is already as committed; nothing to do"
    backups = root / "backups"
    backups.mkdir(exist_ok=True)
    taken = [
        int(m.group(1))
        for p in backups.glob(f"{path.stem}.*.ipynb")
        if (m := re.fullmatch(rf"{re.escape(path.stem)}\.(\d+)\.ipynb", p.name))
    ]
    backup = backups / f"{path.stem}.{max(taken, default=0) + 1}.ipynb"
    shutil.copy2(path, backup)
    path.write_bytes(committed.stdout)
    return (
        f"{relative} is as committed again; your version is in "
        f"{backup.relative_to(root).as_posix()}. "
        "If the notebook is open in JupyterLab, choose "
        "File > Reload Notebook from Disk."
    )
