"""Course: the notebooks themselves, as data: their titles, order, sections, exercises and times.

Each notebook states its time once, in its Overview, on a line such as
``**Time to learn**: 25 minutes teaching, 20 minutes exercises.`` This module reads those lines,
so the map of the course and any sum of times come from that one source.

A *learning path* (self-study, a 2-hour class, a 4-hour workshop) is a selection, written in
``book/paths.yml``: which notebooks, in which order, which of their teaching sections and which of
their exercises. The path file holds no minutes, only breaks. A step's minutes are computed here:

- teaching: the notebook's teaching minutes, shared equally among its teaching sections (the ``##``
  sections between ``Imports`` and ``Exercises``), times the number of sections the step covers;
- exercises: the notebook's exercise minutes, shared equally among its exercises, times the number
  the step sets;

each rounded *up* to a whole minute, so a path never promises less time than it takes. A step that
takes a whole notebook gets exactly the minutes the notebook states.

Exercises are numbered by chapter, as the book shows them: the second exercise of notebook 01 is
"Exercise 1.2", the first of notebook 00 is "Exercise 0.1".

Examples
--------
>>> parse_time_to_learn("**Time to learn**: 25 minutes teaching, 20 minutes exercises.")
(25, 20)
>>> parse_time_to_learn("no time here") is None
True
>>> share_minutes(30, covered=4, of=9)   # 30 minutes over 9 sections, 4 covered: 13.3, rounded up
14
>>> share_minutes(25, covered=4, of=4)
25
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pandas as pd
import yaml

TIME_PATTERN = re.compile(
    r"\*\*Time to learn\*\*:\s*(\d+)\s+minutes teaching,\s*(\d+)\s+minutes exercises\."
)
TITLE_PATTERN = re.compile(r"^#\s+(.+?)\s*$", re.MULTILINE)
SECTION_PATTERN = re.compile(r"^##\s+(.+?)\s*$", re.MULTILINE)
EXERCISE_PATTERN = re.compile(
    r"^(?::{3,}|`{3,})\{exercise(?:-start)?\}.*\n(?:[ \t]*:[\w-]+:.*\n)*?[ \t]*:label:[ \t]*(\S+)", re.MULTILINE
)
FENCE_PATTERN = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)

TEACHING_STARTS_AFTER = "Imports"
TEACHING_ENDS_BEFORE = "Exercises"


def parse_time_to_learn(markdown: str) -> tuple[int, int] | None:
    """The (teaching, exercise) minutes stated in a markdown text, or None when it states none."""
    match = TIME_PATTERN.search(markdown)
    return (int(match.group(1)), int(match.group(2))) if match else None


def share_minutes(minutes: int, covered: int, of: int) -> int:
    """``minutes`` shared equally among ``of`` parts, for ``covered`` of them, rounded up to a whole minute.

    >>> share_minutes(15, covered=3, of=5)
    9
    >>> share_minutes(20, covered=1, of=3)   # 6.67 minutes
    7
    >>> share_minutes(20, covered=0, of=3)
    0
    """
    if not 0 <= covered <= of or of <= 0:
        raise ValueError(f"can't cover {covered} of {of} parts")
    return -(-minutes * covered // of)


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


def teaching_sections(markdown: str, source: str = "<markdown>") -> list[str]:
    """The titles of the ``##`` sections between ``## Imports`` and ``## Exercises``, in order.

    Headings inside fenced code blocks are not headings.

    >>> teaching_sections("## Imports\\n\\n## Why\\n```\\n## not a heading\\n```\\n## How\\n## Exercises\\n## Key points")
    ['Why', 'How']
    """
    headings = SECTION_PATTERN.findall(FENCE_PATTERN.sub("", markdown))
    for needed in (TEACHING_STARTS_AFTER, TEACHING_ENDS_BEFORE):
        if needed not in headings:
            raise ValueError(f"{source}: no '## {needed}' section (teaching sections lie between "
                             f"'## {TEACHING_STARTS_AFTER}' and '## {TEACHING_ENDS_BEFORE}')")
    start, end = headings.index(TEACHING_STARTS_AFTER), headings.index(TEACHING_ENDS_BEFORE)
    if end < start:
        raise ValueError(f"{source}: '## {TEACHING_ENDS_BEFORE}' comes before '## {TEACHING_STARTS_AFTER}'")
    return headings[start + 1:end]


def exercise_labels(markdown: str) -> list[str]:
    """The labels of the sphinx-exercise ``exercise`` (or ``exercise-start``) blocks, in order.

    >>> exercise_labels(":::{exercise}\\n:label: ex-01-a\\nWhy?\\n:::\\n\\n:::{exercise}\\n:label: ex-01-b\\n:::")
    ['ex-01-a', 'ex-01-b']
    """
    return EXERCISE_PATTERN.findall(markdown)


@dataclass(frozen=True)
class NotebookOutline:
    """What a learning path can select from one notebook."""

    number: str
    title: str
    file: str
    teaching_minutes: int
    exercise_minutes: int
    sections: tuple[str, ...]
    exercises: tuple[str, ...]

    @property
    def doc(self) -> str:
        """The notebook's page in the book, e.g. ``notebooks/01-direction``."""
        return f"notebooks/{Path(self.file).stem}"

    def exercise_number(self, label: str) -> str:
        """The exercise's number in the book: chapter (the notebook's number) and position.

        >>> outline = NotebookOutline("02", "Packets", "02-packets.ipynb", 30, 25, ("A",), ("ex-02-a", "ex-02-b"))
        >>> outline.exercise_number("ex-02-b")
        '2.2'
        """
        if label not in self.exercises:
            raise KeyError(f"{self.file}: no exercise labelled {label!r} (it has {', '.join(self.exercises)})")
        return f"{int(self.number)}.{self.exercises.index(label) + 1}"


def notebook_outlines(folder: str | Path = ".") -> dict[str, NotebookOutline]:
    """Every course notebook in ``folder``, by number (``"00"``, ``"01"``, ...): title, times, sections, exercises."""
    outlines = {}
    for row in notebook_map(folder).itertuples(index=False):
        path = Path(folder) / row.file
        text = "\n\n".join(_markdown_cells(path))
        outlines[row.number] = NotebookOutline(
            number=row.number, title=row.title, file=row.file,
            teaching_minutes=row.teaching_minutes, exercise_minutes=row.exercise_minutes,
            sections=tuple(teaching_sections(text, source=row.file)),
            exercises=tuple(exercise_labels(text)),
        )
    return outlines


STEP_COLUMNS = ["kind", "number", "title", "doc", "sections", "skipped", "exercises", "exercise_numbers",
                "teaching_minutes", "exercise_minutes", "break_minutes", "minutes", "running_minutes", "note"]


@dataclass(frozen=True)
class LearningPath:
    """One way through the course: its steps, with the minutes computed from the notebooks."""

    id: str
    title: str
    summary: str
    budget_minutes: int
    steps: pd.DataFrame
    """One row per step (columns ``STEP_COLUMNS``); ``running_minutes`` is the total at the step's end."""

    @property
    def total_minutes(self) -> int:
        """Teaching, exercises and breaks, in minutes."""
        return int(self.steps["minutes"].sum())

    def totals(self) -> dict[str, int]:
        """Minutes of teaching, exercises, breaks, and all of them."""
        return {"teaching": int(self.steps["teaching_minutes"].sum()),
                "exercises": int(self.steps["exercise_minutes"].sum()),
                "breaks": int(self.steps["break_minutes"].sum()),
                "total": self.total_minutes}

    def table(self) -> pd.DataFrame:
        """The path as a display-ready table: one row per step, with a running total (``H:MM``).

        Exercises are given by their numbers in the book ("1.2" is the second exercise of notebook 01).
        """
        rows = []
        for step in self.steps.itertuples(index=False):
            if step.kind == "break":
                rows.append({"notebook": "Break", "sections": "", "exercises": "",
                             "minutes": step.minutes, "running total": clock(step.running_minutes)})
                continue
            rows.append({
                "notebook": f"{step.number} {step.title}",
                "sections": describe_selection(step.sections, step.skipped),
                "exercises": ", ".join(step.exercise_numbers) if step.exercises else "none",
                "minutes": f"{step.teaching_minutes} + {step.exercise_minutes}",
                "running total": clock(step.running_minutes),
            })
        table = pd.DataFrame(rows, columns=["notebook", "sections", "exercises", "minutes", "running total"])
        table.index = pd.RangeIndex(1, len(table) + 1, name="step")
        return table


def clock(minutes: int) -> str:
    """Minutes as hours and minutes, ``H:MM``.

    >>> clock(115), clock(7), clock(540)
    ('1:55', '0:07', '9:00')
    """
    return f"{minutes // 60}:{minutes % 60:02d}"


def describe_selection(covered: Sequence[str], skipped: Sequence[str]) -> str:
    """A step's sections in words: all of them, none, or which are covered.

    >>> describe_selection(["A", "B"], [])
    'all 2'
    >>> describe_selection(["A"], ["B", "C"])
    'A (1 of 3)'
    >>> describe_selection([], ["A"])
    'none'
    """
    if not covered:
        return "none"
    if not skipped:
        return f"all {len(covered)}"
    return f"{'; '.join(covered)} ({len(covered)} of {len(covered) + len(skipped)})"


class PathError(ValueError):
    """A learning path that does not fit the notebooks: names the file, the path, the step and the field."""


def _selection(value: Any, options: tuple[str, ...], where: str, field: str, what: str) -> list[str]:
    """Resolve ``all`` / ``none`` / a list of names against ``options``, keeping the notebook's order."""
    if value == "all":
        return list(options)
    if value == "none":
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise PathError(f"{where}: '{field}' must be 'all', 'none' or a list of {what}, not {value!r}")
    unknown = [v for v in value if v not in options]
    if unknown:
        raise PathError(f"{where}: '{field}' names {what} the notebook does not have: {unknown}; "
                        f"it has: {list(options)}")
    if len(set(value)) != len(value):
        raise PathError(f"{where}: '{field}' names the same {what[:-1]} twice: {value}")
    return [o for o in options if o in value]


def _step(raw: Any, outlines: dict[str, NotebookOutline], where: str) -> dict:
    if not isinstance(raw, dict):
        raise PathError(f"{where}: a step must be a mapping with 'notebook' or 'break', not {raw!r}")
    note = str(raw.get("note", "")).strip()
    if "break" in raw:
        extra = set(raw) - {"break", "note"}
        minutes = raw["break"]
        if extra or not isinstance(minutes, int) or isinstance(minutes, bool) or minutes <= 0:
            raise PathError(f"{where}: a break is 'break: <minutes>' (a positive whole number) with an "
                            f"optional 'note', not {raw!r}")
        return dict(kind="break", number="", title="Break", doc="", sections=(), skipped=(), exercises=(),
                    exercise_numbers=(), teaching_minutes=0, exercise_minutes=0, break_minutes=minutes, note=note)
    extra = set(raw) - {"notebook", "sections", "skip", "exercises", "note"}
    if "notebook" not in raw or extra:
        raise PathError(f"{where}: unknown or missing fields {sorted(extra) or ['notebook']} (a notebook step "
                        f"has 'notebook', optional 'sections', 'skip', 'exercises', 'note')")
    number = str(raw["notebook"])
    if number not in outlines:
        raise PathError(f"{where}: no notebook {number!r}; the course has {sorted(outlines)}")
    outline = outlines[number]
    where = f"{where} (notebook {number})"
    sections = _selection(raw.get("sections", "all"), outline.sections, where, "sections", "sections")
    if "skip" in raw:
        if raw.get("sections", "all") != "all":
            raise PathError(f"{where}: give either 'sections' (those to cover) or 'skip' (those to leave out), not both")
        skipped = _selection(raw["skip"], outline.sections, where, "skip", "sections")
        sections = [s for s in sections if s not in skipped]
    skipped = [s for s in outline.sections if s not in sections]
    exercises = _selection(raw.get("exercises", "all"), outline.exercises, where, "exercises", "exercise labels")
    if not sections and not exercises:
        raise PathError(f"{where}: the step selects no section and no exercise")
    return dict(
        kind="notebook", number=number, title=outline.title, doc=outline.doc,
        sections=tuple(sections), skipped=tuple(skipped), exercises=tuple(exercises),
        exercise_numbers=tuple(outline.exercise_number(label) for label in exercises),
        teaching_minutes=share_minutes(outline.teaching_minutes, len(sections), len(outline.sections)),
        exercise_minutes=share_minutes(outline.exercise_minutes, len(exercises), len(outline.exercises)),
        break_minutes=0, note=note,
    )


def load_learning_paths(paths_file: str | Path, folder: str | Path) -> dict[str, LearningPath]:
    """The learning paths of ``paths_file`` (YAML), resolved against the notebooks in ``folder``, by id.

    Each path's notebooks must come in reading order, each at most once; every section title and
    exercise label must exist in its notebook. Anything else is a :class:`PathError` naming the
    file, the path, the step and the field.
    """
    paths_file = Path(paths_file)
    try:
        document = yaml.safe_load(paths_file.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PathError(f"{paths_file}: not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("paths"), list):
        raise PathError(f"{paths_file}: expected a mapping with a list 'paths'")
    outlines = notebook_outlines(folder)
    paths: dict[str, LearningPath] = {}
    for i, raw in enumerate(document["paths"], start=1):
        where = f"{paths_file.name}: path {i}"
        if not isinstance(raw, dict):
            raise PathError(f"{where}: expected a mapping, not {raw!r}")
        missing = [f for f in ("id", "title", "summary", "budget_minutes", "steps") if f not in raw]
        if missing:
            raise PathError(f"{where}: missing {missing}")
        where = f"{paths_file.name}: path {raw['id']!r}"
        if raw["id"] in paths:
            raise PathError(f"{where}: the id is used twice")
        if not isinstance(raw["steps"], list) or not raw["steps"]:
            raise PathError(f"{where}: 'steps' must be a non-empty list")
        steps, last = [], None
        for j, raw_step in enumerate(raw["steps"], start=1):
            step = _step(raw_step, outlines, f"{where}, step {j}")
            if step["kind"] == "notebook":
                if last is not None and step["number"] <= last:
                    raise PathError(f"{where}, step {j}: notebook {step['number']} comes after notebook {last}; "
                                    "notebooks go in reading order, each once")
                last = step["number"]
            steps.append(step)
        frame = pd.DataFrame(steps)
        frame["minutes"] = frame["teaching_minutes"] + frame["exercise_minutes"] + frame["break_minutes"]
        frame["running_minutes"] = frame["minutes"].cumsum()
        frame.index = pd.RangeIndex(1, len(frame) + 1, name="step")
        paths[raw["id"]] = LearningPath(id=raw["id"], title=str(raw["title"]), summary=str(raw["summary"]).strip(),
                                        budget_minutes=int(raw["budget_minutes"]), steps=frame[STEP_COLUMNS])
    return paths


def learning_paths(folder: str | Path = ".", paths_file: str | Path | None = None) -> dict[str, LearningPath]:
    """The course's learning paths, by id, for the notebooks in ``folder``.

    ``paths_file`` defaults to ``book/paths.yml`` beside the notebooks folder, so from a notebook
    ``learning_paths()`` is enough.
    """
    folder = Path(folder)
    if paths_file is None:
        paths_file = folder.resolve().parent / "book" / "paths.yml"
    return load_learning_paths(paths_file, folder)


def paths_overview(paths: dict[str, LearningPath]) -> pd.DataFrame:
    """One row per path: minutes of teaching, exercises and breaks, the total and the budget."""
    rows = [{"path": p.title, **p.totals(), "budget": p.budget_minutes} for p in paths.values()]
    return pd.DataFrame(rows, columns=["path", "teaching", "exercises", "breaks", "total", "budget"]).set_index("path")


# The book's other builds: the classroom edition (without solutions) and a published copy (with the
# repository it is published from). Each is the book's _config.yml with a few values changed.

CLASSROOM_OVERRIDES = {"sphinx": {"config": {"hide_solutions": True}}}
"""What the classroom edition changes: sphinx-exercise leaves the solutions out. (The book's extension
``book/_ext/course_exercises.py`` then also leaves out what would hand out the notebooks, which carry
the solutions: page sources, the download button, the launch buttons.)"""


def _merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        merged[key] = _merge(merged.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


def book_config(config_file: str | Path, *, classroom: bool = False, repository_url: str | None = None) -> dict:
    """The book's ``_config.yml``, changed for another build.

    ``classroom``: solutions are left out (sphinx-exercise's ``hide_solutions``) and the title says
    "classroom edition". ``repository_url``: the repository the book is published from, which turns
    on its repository button, Binder launch buttons and "report a problem" links
    (``book/_ext/course_publishing.py``); it must be an ``https://`` address. Local extension
    folders become absolute paths, so the configuration works from wherever it is written.
    """
    config_file = Path(config_file)
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    if classroom:
        config = _merge(config, CLASSROOM_OVERRIDES)
        config["title"] = f"{config.get('title', 'The course')} (classroom edition)"
    if repository_url is not None:
        if not re.fullmatch(r"https://[^/\s]+/[^/\s]+/[^/\s]+/?", repository_url):
            raise ValueError(f"repository URL {repository_url!r}: expected https://<host>/<owner>/<repository>")
        config = _merge(config, {"repository": {"url": repository_url.rstrip("/")}})
    local = config.get("sphinx", {}).get("local_extensions") or {}
    config.setdefault("sphinx", {})["local_extensions"] = {
        name: str((config_file.resolve().parent / folder).resolve()) for name, folder in local.items()
    }
    return config


def classroom_config(config_file: str | Path) -> dict:
    """The book's ``_config.yml`` turned into the classroom edition's configuration (:func:`book_config`)."""
    return book_config(config_file, classroom=True)


def _write_config(config: dict, source: str, output: Path, command: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(f"# Made by `python -m ingress_egress.course {command}` from "
                      f"{source}: edit that file, not this one.\n"
                      + yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                      encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ingress_egress.course``: the learning paths' times, a book build's configuration
    (the classroom edition, or a copy published from a repository), and the notebooks in JupyterLab
    (made ready for it, compared with and reset to the committed ones)."""
    parser = argparse.ArgumentParser(prog="python -m ingress_egress.course", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("paths", help="print each learning path with its computed times")
    show.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    for name, help_text in [("classroom-config", "write the classroom edition's _config.yml"),
                            ("book-config", "write the book's _config.yml for a build with a repository URL")]:
        command = commands.add_parser(name, help=help_text)
        command.add_argument("config", help="the book's _config.yml")
        command.add_argument("output", help="where to write the new configuration")
        command.add_argument("--repository-url", required=name == "book-config",
                             help="the repository the book is published from (https://<host>/<owner>/<repository>)")
    ready = commands.add_parser("lab-ready", help="make the notebooks ready for JupyterLab (numbering, "
                                "collapsed solutions, glossary); idempotent")
    ready.add_argument("--notebooks", default="notebooks", help="the notebooks folder (default: notebooks)")
    ready.add_argument("--glossary", default="book/glossary.md", help="the glossary (default: book/glossary.md)")
    ready.add_argument("--check", action="store_true", help="change nothing; fail if a notebook is not ready")
    changed = commands.add_parser("changed", help="list the notebooks that differ from the committed ones")
    changed.add_argument("--root", default=".", help="the course folder (default: .)")
    reset = commands.add_parser("reset", help="put a notebook back as committed, keeping your version in backups/")
    reset.add_argument("notebook", help="the notebook's number, such as 02, or 'all' for every changed one")
    reset.add_argument("--root", default=".", help="the course folder (default: .)")
    args = parser.parse_args(argv)
    if args.command == "paths":
        paths = learning_paths(args.notebooks)
        for path in paths.values():
            print(f"{path.title}: {path.total_minutes} minutes (budget {path.budget_minutes})")
            print(path.table().to_string(), end="\n\n")
        return 0
    if args.command in ("classroom-config", "book-config"):
        try:
            config = book_config(args.config, classroom=args.command == "classroom-config",
                                 repository_url=args.repository_url)
        except ValueError as error:
            parser.error(str(error))
        _write_config(config, args.config, Path(args.output), args.command)
        edition = "classroom" if args.command == "classroom-config" else "book"
        print(f"{edition} configuration written to {args.output}")
        return 0
    from ingress_egress import lab     # lab builds on this module

    if args.command == "lab-ready":
        names = lab.lab_ready(args.notebooks, args.glossary, check=args.check)
        if args.check:
            for name in names:
                print(f"{args.notebooks}/{name} is not ready for JupyterLab: run `make lab-ready`")
            return 1 if names else 0
        print("\n".join(f"made ready for JupyterLab: {args.notebooks}/{name}" for name in names)
              or "every notebook was ready for JupyterLab already")
        return 0
    if args.command == "changed":
        paths = lab.changed_notebooks(args.root)
        if paths:
            print("These notebooks differ from the committed ones (failures of their tests may come from "
                  "those changes):")
            print("".join(f"  {path}\n" for path in paths), end="")
            print("`make reset NOTEBOOK=NN` puts notebook NN back as committed (your version is kept in backups/).")
        return 0
    try:
        if args.notebook == "all":
            course_notebooks = [p for p in lab.changed_notebooks(args.root) or []
                                if re.fullmatch(r"notebooks/\d\d-[\w-]+\.ipynb", p)]
            messages = [lab.reset_notebook(args.root, Path(p).name[:2]) for p in course_notebooks]
            print("\n".join(messages) or "every notebook is as committed; nothing to do")
        else:
            print(lab.reset_notebook(args.root, args.notebook))
    except lab.ResetError as error:
        print(f"make reset: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
