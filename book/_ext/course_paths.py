"""Sphinx extension: the learning paths, with their times computed from the notebooks.

Two directives, for Markdown pages:

- ```` ```{learning-paths} ```` : one row per path, its minutes of teaching, exercises
  and breaks;
- ```` ```{learning-path} class-2h ```` : one path step by step: each notebook (linked),
  the sections it covers (linked to their headings), the exercises it sets (as
  cross-references, so they show the book's own numbers), the minutes and the running
  total. With ``:notes:``, the instructor's note for each step follows the table.

Both read ``book/paths.yml`` through :mod:`ingress_egress.course`, which takes every
minute from the notebooks' "**Time to learn**" lines: the pages cannot disagree with the
notebooks, and a path that names a section or an exercise a notebook does not have fails
the (strict) build. The page is rebuilt when the paths file or a notebook changes.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from myst_parser.mdit_to_docutils.base import default_slugify
from sphinx.util.docutils import SphinxDirective

from ingress_egress.course import PathError, clock, learning_paths

PATHS_FILE = "book/paths.yml"
NOTEBOOKS = "notebooks"


def heading_anchor(title: str) -> str:
    """The anchor MyST gives a ``##`` heading (``myst_heading_anchors``): its text,
    slugified.
    """
    return default_slugify(title.replace("`", ""))


def minutes(value: int) -> str:
    return f"{value} minute{'s' if value != 1 else ''}"


class _PathsDirective(SphinxDirective):
    def load(self):
        source = Path(self.env.srcdir)
        self.env.note_dependency(str(source / PATHS_FILE))
        for notebook in sorted((source / NOTEBOOKS).glob("[0-9][0-9]-*.ipynb")):
            self.env.note_dependency(str(notebook))
        try:
            return learning_paths(source / NOTEBOOKS, source / PATHS_FILE)
        except (PathError, ValueError) as error:
            raise self.error(f"learning paths: {error}") from error

    def render(self, markdown: list[str], classes: list[str]) -> list[nodes.Node]:
        container = nodes.container(classes=classes)
        self.state.nested_parse(
            StringList(markdown, source=PATHS_FILE), self.content_offset, container
        )
        return [container]


def _list_table(header: list[str], rows: list[list[list[str]]]) -> list[str]:
    """A MyST list-table; each cell is a list of Markdown lines (several lines make a
    bullet list).
    """
    lines = ["````{list-table}", ":header-rows: 1", ":class: learning-path-table", ""]
    for row in [[[h] for h in header]] + rows:
        for i, cell in enumerate(row):
            lead = "* - " if i == 0 else "  - "
            if len(cell) == 1:
                lines.append(lead + (cell[0] or " "))
            else:
                lines.append(lead + "- " + cell[0])
                lines += ["    - " + item for item in cell[1:]]
    return lines + ["````"]


class LearningPathsDirective(_PathsDirective):
    """```{learning-paths}```: the paths side by side, with their totals."""

    def run(self):
        rows = []
        for path in self.load().values():
            totals = path.totals()
            rows.append(
                [
                    [path.title],
                    [str(totals["teaching"])],
                    [str(totals["exercises"])],
                    [str(totals["breaks"])],
                    [f"**{totals['total']}** ({clock(totals['total'])})"],
                ]
            )
        header = [
            "Path",
            "Teaching (minutes)",
            "Exercises (minutes)",
            "Breaks (minutes)",
            "Total (minutes)",
        ]
        return self.render(_list_table(header, rows), ["learning-paths"])


class LearningPathDirective(_PathsDirective):
    """```{learning-path} <id>```: one path, step by step."""

    required_arguments = 1
    option_spec = {"notes": directives.flag}

    def run(self):
        paths = self.load()
        if self.arguments[0] not in paths:
            raise self.error(
                f"learning-path: no path {self.arguments[0]!r} in "
                f"{PATHS_FILE} (it has {list(paths)})"
            )
        path = paths[self.arguments[0]]
        totals = path.totals()
        parts = [
            f"{minutes(totals['teaching'])} of teaching",
            f"{minutes(totals['exercises'])} of exercises",
        ]
        if totals["breaks"]:
            parts.append(f"{minutes(totals['breaks'])} of breaks")
        markdown = [
            path.summary,
            "",
            f"**{minutes(totals['total'])}** "
            f"({clock(totals['total'])}): {', '.join(parts)}.",
            "",
        ]
        rows = []
        for number, step in enumerate(path.steps.itertuples(index=False), start=1):
            if step.kind == "break":
                rows.append(
                    [
                        [str(number)],
                        ["*Break*"],
                        [""],
                        [""],
                        [str(step.minutes)],
                        [clock(step.running_minutes)],
                    ]
                )
                continue
            page = f"/{step.doc}.ipynb"
            notebook = [f"[{step.number} {step.title}]({page})"]
            if not step.skipped:
                sections = [f"all {len(step.sections)} sections"]
            elif not step.sections:
                sections = ["none"]
            else:
                sections = [
                    f"[{title.replace('`', '')}]({page}#{heading_anchor(title)})"
                    for title in step.sections
                ]
            exercises = [f"{{ref}}`{label}`" for label in step.exercises] or ["none"]
            rows.append(
                [
                    [str(number)],
                    notebook,
                    sections,
                    exercises,
                    [f"{step.teaching_minutes} + {step.exercise_minutes}"],
                    [clock(step.running_minutes)],
                ]
            )
        header = [
            "Step",
            "Notebook",
            "Sections",
            "Exercises",
            "Minutes (teaching + exercises)",
            "Running total",
        ]
        markdown += _list_table(header, rows)
        if "notes" in self.options:
            notes = [
                (n, s)
                for n, s in enumerate(path.steps.itertuples(index=False), start=1)
                if s.note
            ]
            if notes:
                markdown += ["", "Notes for the instructor:", ""]
                markdown += [
                    f"- Step {n} "
                    f"({'break' if s.kind == 'break' else s.number}): {s.note}"
                    for n, s in notes
                ]
        return self.render(markdown, ["learning-path"])


def setup(app):
    app.add_directive("learning-paths", LearningPathsDirective)
    app.add_directive("learning-path", LearningPathDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
