"""Every notebook is executed, follows the course skeleton, is in the book, and is ready
for JupyterLab.

nbval (run on notebooks/ by `make test`) compares stored outputs with fresh ones; these
checks make sure there is something to compare, and that each notebook keeps the shape a
learner relies on. The last checks are what `make lab-ready` gives a notebook for
JupyterLab (exercise numbers, collapsed solutions, the kernel's name), re-derived here
from the notebook itself.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from jupyter_client.kernelspec import KernelSpecManager

from ingress_egress.course import notebook_map
from ingress_egress.glossary import read_glossary
from ingress_egress.lab import is_lab_ready, split_front_matter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SECTIONS = [
    "Overview",
    "Prerequisites",
    "Imports",
    "Exercises",
    "Key points",
    "What's next",
    "Resources",
]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(notebook: dict) -> list[dict]:
    return [
        c
        for c in notebook["cells"]
        if c["cell_type"] == "code" and "".join(c["source"]).strip()
    ]


def markdown(notebook: dict) -> str:
    return "\n\n".join(
        "".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"
    )


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def notebook(request) -> tuple[str, dict]:
    return request.param.name, load(request.param)


def test_every_code_cell_was_executed_in_order(notebook):
    name, nb = notebook
    counts = [cell["execution_count"] for cell in code_cells(nb)]
    assert None not in counts, f"{name}: code cells never executed (run `make execute`)"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{name}: not run top to bottom in one go: {counts}"
    )


def test_no_wall_clock_timings_stored(notebook):
    # nbclient records execution times in cell metadata unless told not to (`make
    # execute` does).
    name, nb = notebook
    timed = [i for i, cell in enumerate(nb["cells"]) if "execution" in cell["metadata"]]
    assert timed == [], f"{name}: cells {timed} carry execution timestamps"


def test_outputs_are_stored(notebook):
    name, nb = notebook
    assert any(cell["outputs"] for cell in code_cells(nb)), (
        f"{name}: no stored outputs, nbval compares nothing"
    )


def test_no_errors_and_no_svg_in_outputs(notebook):
    name, nb = notebook
    for cell in code_cells(nb):
        for output in cell["outputs"]:
            assert output["output_type"] != "error", (
                f"{name}: a cell raised {output.get('ename')}"
            )
            assert "image/svg+xml" not in output.get("data", {}), (
                f"{name}: SVG output (differs between runs)"
            )


def test_every_figure_has_alt_text(notebook):
    name, nb = notebook
    for cell in code_cells(nb):
        if any("image/png" in output.get("data", {}) for output in cell["outputs"]):
            alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
            assert len(alt) > 20, (
                f"{name}: a figure without alt text: {''.join(cell['source'])[:80]!r}"
            )


def test_skeleton_sections_in_order(notebook):
    name, nb = notebook
    headings = re.findall(r"^## (.+?)\s*$", markdown(nb), flags=re.MULTILINE)
    positions = []
    for section in SECTIONS:
        assert section in headings, f"{name}: no '## {section}' section"
        positions.append(headings.index(section))
    assert positions == sorted(positions), (
        f"{name}: skeleton sections out of order: {headings}"
    )


def test_one_title_and_no_skipped_heading_levels(notebook):
    name, nb = notebook
    levels = [len(m) for m in re.findall(r"^(#+) ", markdown(nb), flags=re.MULTILINE)]
    assert levels[0] == 1 and levels.count(1) == 1, (
        f"{name}: needs exactly one '# Title', first"
    )
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (
        f"{name}: a heading level is skipped"
    )


def test_prerequisites_table(notebook):
    name, nb = notebook
    assert "| Concept | Importance | Notebook |" in markdown(nb), (
        f"{name}: no prerequisites table"
    )


def test_at_least_three_exercises_each_with_a_solution(notebook):
    name, nb = notebook
    text = markdown(nb)
    exercises = re.findall(r":::\{exercise\}\n:label: (\S+)", text)
    solutions = re.findall(r":::\{solution(?:-start)?\} (\S+)", text)
    assert len(exercises) >= 3, f"{name}: {len(exercises)} exercises"
    assert sorted(exercises) == sorted(solutions), (
        f"{name}: exercises {exercises} vs solutions {solutions}"
    )
    starts = re.findall(r":::\{solution-start\} \S+\n(:class: dropdown)?", text)
    assert all(starts), (
        f"{name}: a solution without ':class: dropdown' would be shown open in the book"
    )
    number = name[:2]
    assert all(label.startswith(f"ex-{number}-") for label in exercises), (
        f"{name}: labels {exercises}"
    )


def test_exercise_labels_are_unique_across_the_course():
    labels = [
        label
        for path in NOTEBOOKS
        for label in re.findall(r":label: (\S+)", markdown(load(path)))
    ]
    assert len(labels) == len(set(labels))


def test_time_to_learn_stated_in_every_notebook():
    course = notebook_map(ROOT / "notebooks")
    assert list(course["file"]) == [p.name for p in NOTEBOOKS]
    assert (course["teaching_minutes"] > 0).all() and (
        course["exercise_minutes"] > 0
    ).all()


def test_every_notebook_is_in_the_book():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [chapter["file"] for part in toc["parts"] for chapter in part["chapters"]]
    assert [f for f in files if f.startswith("notebooks/")] == [
        f"notebooks/{p.stem}" for p in NOTEBOOKS
    ]


def test_kernelspec_is_python3(notebook):
    name, nb = notebook
    assert nb["metadata"]["kernelspec"]["name"] == "python3", name


# --- ready for JupyterLab (`make lab-ready`) ------------------------------------------


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_exercises_are_numbered_by_chapter_in_jupyterlab(notebook):
    # jupyterlab-myst reads page front matter from the first markdown cell only.
    name, nb = notebook
    first = next(source(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    front_matter, _ = split_front_matter(first)
    enumerator = front_matter.get("numbering", {}).get("exercise", {}).get("enumerator")
    assert enumerator == f"{int(name[:2])}.%s", (
        f"{name}: JupyterLab would number the exercises with "
        f"{enumerator!r}, not as chapter {int(name[:2])} "
        "of the book; run `make lab-ready`"
    )


def test_solutions_are_hidden_in_jupyterlab_under_collapsed_headings(notebook):
    # JupyterLab hides the cells after a collapsed heading up to the next heading of its
    # level or higher: each solution gets a collapsed "#### Solution to Exercise N.k",
    # each exercise a "### Exercise N.k" that ends the previous solution's section. The
    # book leaves both out.
    name, nb = notebook
    chapter = int(name[:2])
    labels = re.findall(r":::\{exercise\}\n:label: (\S+)", markdown(nb))
    cells = nb["cells"]
    headings = [
        (i, re.match(r"^(#+) ", source(c)))
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
    ]
    for index, cell in enumerate(cells):
        text = source(cell)
        exercise = re.match(r":::\{exercise\}\n:label: (\S+)", text)
        start = re.match(r":::\{solution-start\} (\S+)", text)
        if not (exercise or start):
            continue
        label = (exercise or start).group(1)
        number = f"{chapter}.{labels.index(label) + 1}"
        expected = (
            f"### Exercise {number}"
            if exercise
            else f"#### Solution to Exercise {number}"
        )
        before = cells[index - 1]
        assert source(before) == expected, (
            f"{name}: cell {index} ({label}) is not preceded by {expected!r}; "
            "run `make lab-ready`"
        )
        assert "remove-cell" in before["metadata"].get("tags", []), (
            f"{name}: the book would show {expected!r}"
        )
        assert before["metadata"].get("jp-MarkdownHeadingCollapsed", False) is bool(
            start
        ), f"{name}: {expected!r} should {'' if start else 'not '}be stored collapsed"
        if start:
            # The collapsed section ends at the solution's end: the next heading of
            # level 4 or higher comes right after solution-end.
            end = next(
                i
                for i in range(index, len(cells))
                if source(cells[i]).startswith(":::{solution-end}")
            )
            following = next(
                (i, m) for i, m in headings if i > index and m and len(m.group(1)) <= 4
            )
            assert following[0] == end + 1, (
                f"{name}: the collapsed solution of {label} would also "
                f"hide cells {end + 1}..{following[0] - 1}"
            )


def test_opening_in_jupyterlab_does_not_change_the_notebook(notebook):
    # JupyterLab writes the running kernel's display name into the notebook when it
    # opens it; the same name stored means the notebook is not marked as changed (and
    # autosave does not rewrite it).
    name, nb = notebook
    installed = (
        KernelSpecManager()
        .get_kernel_spec(nb["metadata"]["kernelspec"]["name"])
        .display_name
    )
    assert nb["metadata"]["kernelspec"]["display_name"] == installed, (
        f"{name}: run `make lab-ready`"
    )


@pytest.fixture(scope="module")
def glossary_entries():
    return read_glossary(ROOT / "book" / "glossary.md")


def test_the_notebook_is_as_make_lab_ready_leaves_it(notebook, glossary_entries):
    name, nb = notebook
    assert is_lab_ready(nb, name, glossary_entries), (
        f"{name}: not ready for JupyterLab; run `make lab-ready`"
    )
