"""ingress_egress.course on small hand-made notebooks: outlines, learning paths, their
minutes, their errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ingress_egress import course
from ingress_egress.course import (
    PathError,
    classroom_config,
    exercise_labels,
    learning_paths,
    load_learning_paths,
    notebook_outlines,
    paths_overview,
    share_minutes,
    teaching_sections,
)


def write_notebook(
    folder: Path,
    name: str,
    teaching: int,
    exercises: int,
    sections: list[str],
    labels: list[str],
    title: str = "A title",
) -> Path:
    """A notebook with the course skeleton: cells split the way the notebooks split
    them.
    """
    cells = [
        f"# {title}\n\nA promise.",
        f"## Overview\n\n**Time to learn**: {teaching} minutes "
        f"teaching, {exercises} minutes exercises.",
        "## Prerequisites\n\n| Concept | Importance | Notebook |",
        "## Imports",
    ]
    cells += [f"## {s}\n\nText.\n\n```yaml\n## not a section\n```" for s in sections]
    cells += ["## Exercises"]
    cells += [f":::{{exercise}}\n:label: {label}\nA question.\n:::" for label in labels]
    cells += ["## Key points", "## What's next", "## Resources"]
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": c} for c in cells
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / name
    path.write_text(json.dumps(notebook))
    return path


@pytest.fixture
def notebooks(tmp_path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(
        folder,
        "00-start.ipynb",
        15,
        10,
        ["One", "Two", "Three"],
        ["ex-00-a", "ex-00-b"],
        "Start",
    )
    write_notebook(
        folder,
        "01-next.ipynb",
        20,
        30,
        ["A", "B", "C", "D"],
        ["ex-01-a", "ex-01-b", "ex-01-c"],
        "Next",
    )
    write_notebook(
        folder,
        "02-last.ipynb",
        7,
        9,
        ["X", "Y"],
        ["ex-02-a", "ex-02-b", "ex-02-c", "ex-02-d"],
        "Last",
    )
    return folder


def write_paths(folder: Path, paths: list[dict]) -> Path:
    path = folder.parent / "book" / "paths.yml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump({"paths": paths}))
    return path


def a_path(steps: list[dict], **fields) -> dict:
    return {
        "id": "p",
        "title": "A path",
        "summary": "What it is.",
        "budget_minutes": 100,
        "steps": steps,
        **fields,
    }


# Reading the notebooks


def test_share_minutes_rounds_up_and_refuses_impossible_shares():
    assert share_minutes(20, covered=1, of=3) == 7  # 6.67
    assert share_minutes(30, covered=3, of=3) == 30
    assert share_minutes(9, covered=2, of=4) == 5  # 4.5
    assert share_minutes(8, covered=2, of=4) == 4  # exact: not rounded further
    with pytest.raises(ValueError, match="can't cover 4 of 3"):
        share_minutes(10, covered=4, of=3)
    with pytest.raises(ValueError):
        share_minutes(10, covered=0, of=0)


def test_teaching_sections_lie_between_imports_and_exercises():
    text = (
        "# T\n## Overview\n## Imports\n## First\n### A "
        "subsection\n## Second\n## Exercises\n## Key points"
    )
    assert teaching_sections(text) == ["First", "Second"]


def test_teaching_sections_need_both_markers():
    with pytest.raises(ValueError, match=r"x\.ipynb: no '## Exercises' section"):
        teaching_sections("## Imports\n## First", source="x.ipynb")
    with pytest.raises(ValueError, match="no '## Imports' section"):
        teaching_sections("## First\n## Exercises")
    with pytest.raises(ValueError, match="comes before"):
        teaching_sections("## Exercises\n## First\n## Imports")


def test_exercise_labels_in_both_fence_styles_and_after_other_options():
    text = (
        ":::{exercise}\n:label: ex-06-one\nQ\n:::\n\n"
        "```{exercise} A titled one\n:class: note\n:label: ex-06-two\nQ\n```\n\n"
        "::::{exercise-start}\n:label: ex-06-three\n::::\n\n"
        ":::{solution-start} ex-06-one\n:label: not-an-exercise\n:::"
    )
    assert exercise_labels(text) == ["ex-06-one", "ex-06-two", "ex-06-three"]


def test_outlines_of_hand_made_notebooks(notebooks):
    outlines = notebook_outlines(notebooks)
    assert list(outlines) == ["00", "01", "02"]
    first = outlines["01"]
    assert (first.title, first.teaching_minutes, first.exercise_minutes) == (
        "Next",
        20,
        30,
    )
    assert first.sections == (
        "A",
        "B",
        "C",
        "D",
    )  # the "## not a section" in a code block is not one
    assert first.exercises == ("ex-01-a", "ex-01-b", "ex-01-c")
    assert first.doc == "notebooks/01-next"
    assert first.exercise_number("ex-01-c") == "1.3"
    assert outlines["00"].exercise_number("ex-00-a") == "0.1"
    with pytest.raises(KeyError, match="01-next.ipynb: no exercise labelled 'ex-02-a'"):
        first.exercise_number("ex-02-a")


# Learning paths: minutes


def test_whole_notebooks_take_exactly_their_stated_minutes(notebooks):
    write_paths(
        notebooks,
        [a_path([{"notebook": "00"}, {"notebook": "01"}, {"notebook": "02"}])],
    )
    path = learning_paths(notebooks)["p"]
    assert path.steps["teaching_minutes"].tolist() == [15, 20, 7]
    assert path.steps["exercise_minutes"].tolist() == [10, 30, 9]
    assert path.steps["running_minutes"].tolist() == [25, 75, 91]
    assert path.total_minutes == 15 + 10 + 20 + 30 + 7 + 9


def test_partial_steps_share_minutes_and_breaks_count(notebooks):
    paths_file = write_paths(
        notebooks,
        [
            a_path(
                [
                    {
                        "notebook": "00",
                        "sections": ["One"],
                        "exercises": "none",
                    },  # 15 / 3 = 5
                    {"break": 10, "note": "coffee"},
                    {
                        "notebook": "01",
                        "skip": ["B"],
                        "exercises": ["ex-01-b", "ex-01-a"],
                    },  # 20 * 3/4 = 15; 30 * 2/3 = 20
                    {
                        "notebook": "02",
                        "sections": "none",
                        "exercises": ["ex-02-d"],
                    },  # 9 / 4 = 2.25 -> 3
                ]
            )
        ],
    )
    path = load_learning_paths(paths_file, notebooks)["p"]
    steps = path.steps
    assert steps["kind"].tolist() == ["notebook", "break", "notebook", "notebook"]
    assert steps["minutes"].tolist() == [5, 10, 35, 3]
    assert steps["running_minutes"].tolist() == [5, 15, 50, 53]
    assert path.totals() == {"teaching": 20, "exercises": 23, "breaks": 10, "total": 53}
    assert steps.loc[3, "sections"] == ("A", "C", "D") and steps.loc[3, "skipped"] == (
        "B",
    )
    assert steps.loc[3, "exercises"] == (
        "ex-01-a",
        "ex-01-b",
    )  # in the notebook's order
    assert steps.loc[3, "exercise_numbers"] == ("1.1", "1.2") and steps.loc[
        4, "exercise_numbers"
    ] == ("2.4",)
    assert steps.loc[2, "note"] == "coffee"


def test_display_table_and_overview(notebooks):
    write_paths(
        notebooks,
        [
            a_path(
                [
                    {
                        "notebook": "00",
                        "sections": ["One", "Three"],
                        "exercises": "none",
                    },
                    {"break": 5},
                    {"notebook": "02"},
                ]
            ),
            a_path([{"notebook": "01"}], id="q", title="Another", budget_minutes=60),
        ],
    )
    paths = learning_paths(notebooks)
    table = paths["p"].table()
    assert table.columns.tolist() == [
        "notebook",
        "sections",
        "exercises",
        "minutes",
        "running total",
    ]
    assert table.loc[1].tolist() == [
        "00 Start",
        "One; Three (2 of 3)",
        "none",
        "10 + 0",
        "0:10",
    ]
    assert (
        table.loc[2, "notebook"] == "Break" and table.loc[2, "running total"] == "0:15"
    )
    assert table.loc[3].tolist() == [
        "02 Last",
        "all 2",
        "2.1, 2.2, 2.3, 2.4",
        "7 + 9",
        "0:31",
    ]
    overview = paths_overview(paths)
    assert overview.loc["A path"].tolist() == [17, 9, 5, 31, 100]
    assert overview.loc["Another"].tolist() == [20, 30, 0, 50, 60]


# Learning paths: errors that name the file, the path, the step and the field


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"notebook": "07"}], r"path 'p', step 1: no notebook '07'"),
        (
            [{"notebook": "00", "sections": ["Four"]}],
            r"step 1 \(notebook 00\): 'sections' names sections the "
            r"notebook does not have: \['Four'\]",
        ),
        (
            [{"notebook": "00", "skip": ["Zero"]}],
            r"'skip' names sections the notebook does not have",
        ),
        (
            [{"notebook": "01", "exercises": ["ex-00-a"]}],
            r"'exercises' names exercise labels the notebook does not have",
        ),
        (
            [{"notebook": "00", "sections": ["One"], "skip": ["Two"]}],
            r"either 'sections' .* or 'skip'",
        ),
        (
            [{"notebook": "00", "sections": "none", "exercises": "none"}],
            r"selects no section and no exercise",
        ),
        (
            [{"notebook": "00", "sections": "some"}],
            r"'sections' must be 'all', 'none' or a list",
        ),
        (
            [{"notebook": "00", "sections": ["One", "One"]}],
            r"names the same section twice",
        ),
        (
            [{"notebook": "01"}, {"notebook": "00"}],
            r"step 2: notebook 00 comes after notebook 01; .*reading order",
        ),
        (
            [{"notebook": "01"}, {"break": 5}, {"notebook": "01", "exercises": "none"}],
            r"step 3: notebook 01 comes after",
        ),
        ([{"break": 0}], r"step 1: a break is 'break: <minutes>'"),
        ([{"break": 10, "notebook": "00"}], r"a break is"),
        (
            [{"notebook": "00", "minutes": 5}],
            r"unknown or missing fields \['minutes'\]",
        ),
        (["00"], r"a step must be a mapping"),
    ],
)
def test_path_errors(notebooks, steps, message):
    paths_file = write_paths(notebooks, [a_path(steps)])
    with pytest.raises(PathError, match=message) as error:
        load_learning_paths(paths_file, notebooks)
    assert str(error.value).startswith("paths.yml: path 'p', step ")


def test_file_level_errors(notebooks):
    paths_file = write_paths(
        notebooks, [a_path([{"notebook": "00"}]), a_path([{"notebook": "01"}])]
    )
    with pytest.raises(PathError, match="path 'p': the id is used twice"):
        load_learning_paths(paths_file, notebooks)
    paths_file.write_text(yaml.safe_dump({"paths": [{"id": "p", "title": "t"}]}))
    with pytest.raises(
        PathError, match=r"path 1: missing \['summary', 'budget_minutes', 'steps'\]"
    ):
        load_learning_paths(paths_file, notebooks)
    paths_file.write_text("paths: [unclosed")
    with pytest.raises(PathError, match="paths.yml: not valid YAML"):
        load_learning_paths(paths_file, notebooks)
    paths_file.write_text("steps: []")
    with pytest.raises(PathError, match="expected a mapping with a list 'paths'"):
        load_learning_paths(paths_file, notebooks)


def test_a_notebook_without_its_markers_is_an_error(notebooks):
    (notebooks / "03-broken.ipynb").write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "markdown",
                        "metadata": {},
                        "source": "# Broken\n\n**Time to learn**: 5 minutes teaching, "
                        "5 minutes exercises.\n\n## Imports\n\n## Key points",
                    }
                ],
                "metadata": {},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )
    with pytest.raises(
        ValueError, match=r"03-broken\.ipynb: no '## Exercises' section"
    ):
        notebook_outlines(notebooks)


# The classroom edition's configuration


def test_classroom_config_hides_solutions_and_keeps_the_rest(tmp_path):
    (tmp_path / "_config.yml").write_text(
        yaml.safe_dump(
            {
                "title": "A book",
                "execute": {"execute_notebooks": "off"},
                "sphinx": {
                    "extra_extensions": ["sphinx_exercise"],
                    "local_extensions": {"mine": "book/_ext"},
                    "config": {"hide_solutions": False, "nb_ipywidgets_js": {}},
                },
            }
        )
    )
    config = classroom_config(tmp_path / "_config.yml")
    assert config["title"] == "A book (classroom edition)"
    assert config["sphinx"]["config"] == {
        "hide_solutions": True,
        "nb_ipywidgets_js": {},
    }
    assert config["sphinx"]["local_extensions"] == {
        "mine": str(tmp_path.resolve() / "book" / "_ext")
    }
    assert config["execute"] == {"execute_notebooks": "off"} and config["sphinx"][
        "extra_extensions"
    ] == ["sphinx_exercise"]


def test_command_line_writes_the_classroom_config_and_prints_paths(
    tmp_path, notebooks, capsys
):
    (tmp_path / "_config.yml").write_text(
        "title: T\nsphinx:\n  local_extensions: {x: ext}\n"
    )
    assert (
        course.main(
            [
                "classroom-config",
                str(tmp_path / "_config.yml"),
                str(tmp_path / "out" / "c.yml"),
            ]
        )
        == 0
    )
    written = yaml.safe_load((tmp_path / "out" / "c.yml").read_text())
    assert written["sphinx"]["config"]["hide_solutions"] is True
    write_paths(notebooks, [a_path([{"notebook": "02"}])])
    assert course.main(["paths", "--notebooks", str(notebooks)]) == 0
    assert "A path: 16 minutes (budget 100)" in capsys.readouterr().out
