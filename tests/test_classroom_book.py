"""Exercises across the two books: numbered by notebook in both, solutions in the
learners' book only.

The classroom edition is built once for this module, strict, into a temporary folder,
with the same two commands as `make book-classroom`. The learners' book is the session's
`built_book`. Which exercises and solutions there should be is read here from the
notebooks' own cells.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
GUIDE = ROOT / "book" / "instructor"


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def labels(path: Path) -> list[str]:
    text = "\n".join(
        "".join(c["source"]) for c in cells(path) if c["cell_type"] == "markdown"
    )
    return re.findall(
        r"\{exercise(?:-start)?\}[^\n]*\n(?:\s*:\w+:.*\n)*?\s*:label: (\S+)", text
    )


def solution_only_lines(path: Path) -> dict[str, str]:
    """For each exercise, one line of its solution's code that appears nowhere else in
    the notebook.
    """
    inside, solution_code, other_text = None, {}, []
    for cell in cells(path):
        source = "".join(cell["source"])
        start = re.search(r"\{solution-start\} (\S+)", source)
        if cell["cell_type"] == "markdown" and start:
            inside = start.group(1)
        elif cell["cell_type"] == "markdown" and "{solution-end}" in source:
            inside = None
        elif inside and cell["cell_type"] == "code":
            solution_code.setdefault(inside, []).extend(source.splitlines())
        else:
            other_text.append(source)
    elsewhere = "\n".join(other_text)
    found = {}
    for label, lines in solution_code.items():
        candidates = [
            line.strip()
            for line in lines
            if len(line.strip()) > 30
            and not line.strip().startswith("#")
            and line.strip() not in elsewhere
        ]
        if candidates:
            found[label] = candidates[0]
    return found


def page_text(path: Path) -> str:
    """The text of a built page: tags dropped, entities decoded, whitespace
    collapsed.
    """
    text = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))
    return " ".join(html_lib.unescape(text).split())


def page(html: Path, notebook: Path) -> Path:
    return html / "notebooks" / f"{notebook.stem}.html"


def test_the_makefile_target_runs_the_same_commands():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nbook-classroom:") :].split("\n\n")[0]
    assert (
        "-m ingress_egress.course classroom-config "
        "_config.yml _build/classroom/_config.yml" in recipe
    )
    assert (
        "--config _build/classroom/_config.yml --path-output _build/classroom" in recipe
    )
    assert "--warningiserror" in recipe and "_build/classroom/html" in recipe
    assert re.search(r"^\.PHONY:.*\bbook-classroom\b", makefile, flags=re.MULTILINE)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_classroom_edition_has_every_exercise_and_no_solution(classroom_book, notebook):
    html = page(classroom_book, notebook).read_text(encoding="utf-8")
    assert re.findall(r'<div class="exercise admonition" id="([^"]+)"', html) == labels(
        notebook
    )
    assert (
        "solution" not in re.findall(r'class="([^"]*)"', html)
        and 'class="solution' not in html
    )
    assert "Solution to" not in html
    text = page_text(page(classroom_book, notebook))
    lines = solution_only_lines(notebook)
    assert set(lines) == set(labels(notebook)), (
        "every exercise has a solution with code to look for"
    )
    for label, line in lines.items():
        assert " ".join(line.split()) not in text, (
            f"{label}: its solution's code is in the classroom edition"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_learners_book_has_every_solution(built_book, notebook):
    html = page(built_book, notebook).read_text(encoding="utf-8")
    number = int(notebook.name[:2])
    titles = re.findall(r"Solution to<a[^>]*>\s*Exercise[ \u00a0]([\d.]+)</a>", html)
    assert titles == [f"{number}.{k}" for k in range(1, len(labels(notebook)) + 1)]
    text = page_text(page(built_book, notebook))
    for label, line in solution_only_lines(notebook).items():
        assert " ".join(line.split()) in text, (
            f"{label}: solution code missing from the learners' book"
        )


def test_nothing_hands_out_the_notebooks_in_the_classroom_edition(classroom_book):
    assert not (classroom_book / "_sources").exists()
    for path in classroom_book.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert (
            re.findall(r'href="([^"]*\.ipynb)"', html) == []
            and "mybinder.org/v2/" not in html
        ), path
    assert "(classroom edition)" in (
        classroom_book / "notebooks" / "01-direction.html"
    ).read_text(encoding="utf-8")


def index_terms(html: Path) -> set[str]:
    """The words of a built book's search index (stemmed by Sphinx)."""
    script = (html / "searchindex.js").read_text(encoding="utf-8")
    return set(json.loads(script[script.index("(") + 1 : script.rindex(")")])["terms"])


def test_solutions_are_not_searchable_in_the_classroom_edition(
    built_book, classroom_book
):
    # Names that only solutions use (e.g. `server_egress`), against every other cell and
    # page.
    solution_lines, elsewhere = (
        [],
        [p.read_text(encoding="utf-8") for p in (ROOT / "book").rglob("*.md")],
    )
    for notebook in NOTEBOOKS:
        inside = False
        for cell in cells(notebook):
            source = "".join(cell["source"])
            if cell["cell_type"] == "markdown" and "{solution-start}" in source:
                inside = True
            elif cell["cell_type"] == "markdown" and "{solution-end}" in source:
                inside = False
            (
                solution_lines if inside and cell["cell_type"] == "code" else elsewhere
            ).append(source)
    others = set(re.findall(r"\b\w+\b", "\n".join(elsewhere).lower()))
    names = sorted(
        set(re.findall(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", "\n".join(solution_lines)))
        - others
    )
    assert len(names) >= 10

    def indexed(
        terms: set[str], name: str
    ) -> bool:  # Sphinx stems words: allow a few letters off the end
        return any(
            name.startswith(term) and len(name) - len(term) <= 3
            for term in terms
            if "_" in term
        )

    learners, classroom = index_terms(built_book), index_terms(classroom_book)
    assert [n for n in names if indexed(classroom, n)] == []
    assert sum(indexed(learners, n) for n in names) >= len(names) // 2


@pytest.mark.parametrize("edition", ["learners", "classroom"])
def test_exercises_are_numbered_by_notebook(built_book, classroom_book, edition):
    html = built_book if edition == "learners" else classroom_book
    for notebook in NOTEBOOKS:
        numbers = re.findall(
            r'<span class="caption-number">Exercise[ \u00a0]([\d.]+) </span>',
            page(html, notebook).read_text(encoding="utf-8"),
        )
        count = len(labels(notebook))
        assert numbers == [
            f"{int(notebook.name[:2])}.{k}" for k in range(1, count + 1)
        ], notebook.name
    first_of_02 = page(
        html, ROOT / "notebooks" / "02-packets-and-flows.ipynb"
    ).read_text(encoding="utf-8")
    assert re.search(
        r'id="ex-02-dns-before-ping">\s*<p class="admonition-title"><span '
        r'class="caption-number">'
        r"Exercise[ \u00a0]2\.1 </span>",
        first_of_02,
    )


def test_headings_stay_unnumbered(built_book):
    html = (built_book / "notebooks" / "03-firewalls.html").read_text(encoding="utf-8")
    assert "section-number" not in html
    assert re.search(r"<h1>Firewalls: what may come in", html)


def test_every_exercise_is_in_the_instructor_guide_with_its_number(built_book):
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(GUIDE.glob("*.md"))
    )
    html = "\n".join(
        p.read_text(encoding="utf-8")
        for p in sorted((built_book / "book" / "instructor").glob("*.html"))
    )
    for notebook in NOTEBOOKS:
        for k, label in enumerate(labels(notebook), start=1):
            assert f"{{ref}}`{label}`" in sources, (
                f"{label} is not cross-referenced in book/instructor/"
            )
            link = re.search(
                rf'href="\.\./\.\./notebooks/{notebook.stem}\.html#{label}"><span '
                r'class="std std-numref">'
                r"Exercise[ \u00a0]([\d.]+)</span>",
                html,
            )
            assert link and link.group(1) == f"{int(notebook.name[:2])}.{k}", label
