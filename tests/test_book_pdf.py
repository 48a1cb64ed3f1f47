"""The PDF editions (`make pdf`, `make pdf-classroom`): both books printed by Chromium,
read back with pypdf.

What the PDFs should hold is read here from the sources, not from the printing code: the
reading order from `_toc.yml`, the notebooks' titles and figures from the notebooks' own
cells, and the names of the pages as the book's sidebar gives them ("02 Packets and
flows": the notebook's number and title, which `tests/test_book.py` checks in the built
sidebar). The books are the session's strict builds (`built_book`, `classroom_book`);
printing them needs Debian's Chromium, so these tests skip without it (with the reason)
and fail in CI, like the browser tests.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from ingress_egress.book_pdf import BookPdfError, compose, print_book
from ingress_egress.course import notebook_map
from tests.test_browser import CHROMIUM, _require
from tests.test_classroom_book import solution_only_lines

ROOT = Path(__file__).resolve().parent.parent
TOC = ROOT / "_toc.yml"
logging.getLogger("pypdf").setLevel(
    logging.ERROR
)  # Chromium's trailer size draws a warning per read


def toc_docs() -> list[str]:
    toc = yaml.safe_load(TOC.read_text())
    return [toc["root"]] + [
        chapter["file"] for part in toc["parts"] for chapter in part["chapters"]
    ]


def notebook_titles() -> dict[str, str]:
    """Each notebook's title (its H1), by page of the book (``notebooks/NN-name``), in
    reading order.
    """
    titles = {
        f"notebooks/{Path(row.file).stem}": row.title
        for row in notebook_map(ROOT / "notebooks").itertuples()
    }
    return {doc: titles[doc] for doc in toc_docs() if doc in titles}


def sidebar_labels() -> dict[str, str]:
    """Each notebook's name in the book's sidebar, and so in the PDF: "02 Packets and
    flows".
    """
    return {
        doc: f"{doc[len('notebooks/') :][:2]} {title}"
        for doc, title in notebook_titles().items()
    }


def figures(notebook: Path, with_solutions: bool) -> int:
    """The PNG outputs of a notebook, those inside solutions counted only
    ``with_solutions``.
    """
    count, inside = 0, False
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and "{solution-start}" in source:
            inside = True
        elif cell["cell_type"] == "markdown" and "{solution-end}" in source:
            inside = False
        elif cell["cell_type"] == "code" and (with_solutions or not inside):
            count += sum(
                "image/png" in output.get("data", {})
                for output in cell.get("outputs", [])
            )
    return count


def squeeze(text: str) -> str:
    """Whitespace collapsed, ligatures (the "ﬂ" of "ﬂows") taken apart, as text
    extraction needs.

    An apostrophe reads as ' whether typed so (the notebooks' titles) or typeset as ’
    (Sphinx's smartquotes, on by default, does so in the book's headings: "today’s").
    """
    return " ".join(unicodedata.normalize("NFKC", text).replace("\u2019", "'").split())


def toc_parts() -> list[tuple[str, list[str]]]:
    toc = yaml.safe_load(TOC.read_text())
    return [
        (part["caption"], [chapter["file"] for chapter in part["chapters"]])
        for part in toc["parts"]
    ]


class Printed:
    """A printed edition read back: its pages, outline and text (extracted once, on
    demand).
    """

    def __init__(self, path: Path, result: dict):
        self.path, self.result = path, result
        self.reader = PdfReader(str(path))
        self._text: dict[int, str] = {}

    def text(self, page: int) -> str:
        """The text of a page, numbered from 1 as the footer numbers it."""
        if page not in self._text:
            self._text[page] = squeeze(self.reader.pages[page - 1].extract_text())
        return self._text[page]

    def outline(self) -> list[tuple[int, str, int]]:
        """The outline's items, depth first: (depth, title, page)."""
        items = []

        def walk(level: list, depth: int) -> None:
            for item in level:
                if isinstance(item, list):
                    walk(item, depth + 1)
                else:
                    items.append(
                        (
                            depth,
                            item.title,
                            self.reader.get_destination_page_number(item) + 1,
                        )
                    )

        walk(self.reader.outline, 0)
        return items

    def first_page(self, label: str) -> int:
        """The page of a page of the book named so in the outline (an item at depth 0 or
        1).
        """
        found = [
            page
            for depth, text, page in self.outline()
            if depth <= 1 and squeeze(text) == squeeze(label)
        ]
        assert found, f"{label!r} is not in the outline"
        return found[0]

    def chapter_pages(self, doc: str) -> range:
        """The pages of one page of the book: from its title to the page before the next
        one's.
        """
        first = self.first_page(sidebar_labels()[doc])
        later = [
            page for depth, _, page in self.outline() if depth <= 1 and page > first
        ]
        return range(first, min(later) if later else len(self.reader.pages) + 1)

    def images_on(self, pages: range) -> int:
        """Image XObjects drawn on these pages (looking inside form XObjects too), each
        counted once.
        """
        seen: set = set()

        def walk(resources) -> None:
            xobjects = resources.get("/XObject") if resources else None
            if not xobjects:
                return
            xobjects = xobjects.get_object()
            for name in xobjects:
                target = xobjects[name].get_object()
                if target.get("/Subtype") == "/Image":
                    seen.add(xobjects.raw_get(name).idnum)
                elif target.get("/Subtype") == "/Form":
                    walk(target.get("/Resources"))

        for page in pages:
            walk(self.reader.pages[page - 1].get("/Resources"))
        return len(seen)


def printed(html: Path, out: Path) -> Printed:
    _require(
        Path(CHROMIUM).exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    return Printed(out, print_book(html, out, TOC, chromium=CHROMIUM))


@pytest.fixture(scope="module")
def learners_pdf(built_book, tmp_path_factory) -> Printed:
    return printed(built_book, tmp_path_factory.mktemp("pdf") / "ingress-egress.pdf")


@pytest.fixture(scope="module")
def classroom_pdf(classroom_book, tmp_path_factory) -> Printed:
    return printed(
        classroom_book, tmp_path_factory.mktemp("pdf") / "ingress-egress-classroom.pdf"
    )


EDITIONS = ["learners_pdf", "classroom_pdf"]


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_page_count_is_plausible(request, edition):
    pdf = request.getfixturevalue(edition)
    pages, docs = len(pdf.reader.pages), toc_docs()
    # A title page, the contents, then every page of the book on sheets of its own; no
    # page of the book runs to 40 sheets (the longest notebook is about 25).
    assert len(docs) + 2 <= pages <= 40 * len(docs)
    assert pdf.result["pages"] == pages


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_outline_lists_every_page_of_the_book_in_reading_order(request, edition):
    pdf = request.getfixturevalue(edition)
    outline = pdf.outline()
    top = [title for depth, title, _ in outline if depth == 0]
    assert top[1] == "Contents" and top[3:] == [caption for caption, _ in toc_parts()]
    under, part = {}, None
    for depth, title, _ in outline:
        if depth == 0:
            part = title
        elif depth == 1:
            under.setdefault(part, []).append(title)
    labels = sidebar_labels()
    for (
        caption,
        docs,
    ) in (
        toc_parts()
    ):  # under each part, its pages in order; a notebook as the sidebar names it
        assert len(under[caption]) == len(docs), caption
        assert [
            squeeze(title) for doc, title in zip(docs, under[caption]) if doc in labels
        ] == [labels[doc] for doc in docs if doc in labels], caption
    pages = [page for depth, _, page in outline if depth <= 1]
    assert pages == sorted(pages)


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_each_notebook_starts_on_its_page_with_its_title(request, edition):
    pdf = request.getfixturevalue(edition)
    for doc, title in notebook_titles().items():
        page = pdf.first_page(sidebar_labels()[doc])
        assert pdf.text(page).startswith(squeeze(title)), (
            doc,
            page,
            pdf.text(page)[:80],
        )


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_the_contents_give_each_notebook_its_page(request, edition):
    pdf = request.getfixturevalue(edition)
    first_chapter = min(page for depth, _, page in pdf.outline()[2:] if depth == 0)
    contents = " ".join(pdf.text(page) for page in range(2, first_chapter))
    assert contents.startswith("Contents")
    for doc, label in sidebar_labels().items():
        listed = re.search(rf"{re.escape(squeeze(label))} (\d+)", contents)
        assert listed, f"{label!r} is not in the contents"
        assert int(listed.group(1)) == pdf.first_page(label), label


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_page_has_its_number(request, edition):
    pdf = request.getfixturevalue(edition)
    total = len(pdf.reader.pages)
    for page in sorted({1, 2, 3, *range(10, total, 23), total}):
        assert pdf.text(page).endswith(f"{page} / {total}"), (
            page,
            pdf.text(page)[-60:],
        )


@pytest.mark.book
@pytest.mark.browser
@pytest.mark.parametrize("edition", EDITIONS)
def test_every_figure_is_embedded_in_its_chapter(request, edition):
    pdf = request.getfixturevalue(edition)
    for doc in notebook_titles():
        expected = figures(
            ROOT / f"{doc}.ipynb", with_solutions=edition == "learners_pdf"
        )
        assert pdf.images_on(pdf.chapter_pages(doc)) == expected, doc
    assert pdf.images_on(range(1, len(pdf.reader.pages) + 1)) >= 30


@pytest.mark.book
@pytest.mark.browser
def test_formulas_are_typeset(learners_pdf):
    # Notebook 04 states the modified z-score as a display formula (z = 0.6745 (x - x~)
    # / MAD).
    text = " ".join(
        learners_pdf.text(page)
        for page in learners_pdf.chapter_pages("notebooks/04-egress-monitoring")
    )
    assert "0.6745" in text and "MAD" in text
    assert "\\frac" not in text and "\\tilde" not in text and "$$" not in text


@pytest.mark.book
@pytest.mark.browser
def test_the_learners_pdf_has_the_solutions(learners_pdf):
    text = " ".join(
        learners_pdf.text(page)
        for page in learners_pdf.chapter_pages("notebooks/01-direction")
    )
    assert re.findall(r"Solution to Exercise\s?(1\.\d)", text) == ["1.1", "1.2", "1.3"]
    for label, line in solution_only_lines(
        ROOT / "notebooks" / "01-direction.ipynb"
    ).items():
        assert squeeze(line) in text, label


@pytest.mark.book
@pytest.mark.browser
def test_the_classroom_pdf_has_the_exercises_and_no_solution(classroom_pdf):
    text = " ".join(
        classroom_pdf.text(page)
        for page in range(1, len(classroom_pdf.reader.pages) + 1)
    )
    # No solution heading on the notebooks' pages. (The setup pages speak of the
    # collapsed "Solution to Exercise 2.1" headings learners find in JupyterLab: prose
    # about solutions, not one.)
    for doc in notebook_titles():
        chapter = " ".join(
            classroom_pdf.text(page) for page in classroom_pdf.chapter_pages(doc)
        )
        assert "Solution" not in chapter, doc
    assert re.findall(r"Exercise\s?(1\.\d)(?!\d)", text).count("1.1") >= 1
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for label, line in solution_only_lines(notebook).items():
            assert squeeze(line) not in text, (
                f"{label}: its solution is in the classroom PDF"
            )


@pytest.mark.book
def test_every_page_of_the_book_is_composed_in_reading_order(built_book):
    document, headings = compose(built_book, yaml.safe_load(TOC.read_text()))
    assert [h.doc for h in headings if h.doc] == toc_docs()
    # Ids repeated across pages ("overview") are kept apart by the page's prefix: no id
    # is in two pages.
    chapters = document.split('<section class="print-chapter" ')[1:]
    per_chapter = [
        set(re.findall(r'\sid="([^"]+)"', " " + chapter)) for chapter in chapters
    ]
    assert len(chapters) == len(toc_docs()) and sum(map(len, per_chapter)) == len(
        set().union(*per_chapter)
    )
    assert (
        'id="notebooks-01-direction--overview"' in document
        and 'id="notebooks-03-firewalls--overview"' in document
    )
    ids = set(re.findall(r'\sid="([^"]+)"', document))
    # Links between pages stay inside the document, and every target exists.
    targets = set(re.findall(r'href="#([^"]+)"', document))
    assert targets and targets <= ids
    assert not re.search(r'href="[^"#]*_sources/', document)


def test_a_page_missing_from_the_build_is_named(tmp_path):
    (tmp_path / "book").mkdir()
    # As Sphinx writes a page: its title in the section it opens.
    (tmp_path / "book" / "intro.html").write_text(
        '<title>Intro \u2014 A book</title><article class="bd-article">'
        '<section id="intro"><h1>Intro</h1></section></article>'
    )
    toc = {
        "root": "book/intro",
        "parts": [{"caption": "Start", "chapters": [{"file": "notebooks/00-start"}]}],
    }
    with pytest.raises(
        BookPdfError, match=r"notebooks/00-start\.html.*not in the built book"
    ):
        compose(tmp_path, toc)


@pytest.mark.browser
def test_a_file_from_elsewhere_is_refused(tmp_path):
    html = tmp_path / "html"
    (html / "book").mkdir(parents=True)
    (html / "book" / "intro.html").write_text(
        '<title>Intro \u2014 A book</title><article class="bd-article"><section '
        'id="intro"><h1>Intro</h1><img src="https://example.org/logo.png" alt="a '
        'logo"></section></article>'
    )
    toc = tmp_path / "_toc.yml"
    toc.write_text("root: book/intro\n")
    _require(
        Path(CHROMIUM).exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    with pytest.raises(BookPdfError, match=r"from elsewhere.*example\.org"):
        print_book(html, tmp_path / "out.pdf", toc, chromium=CHROMIUM)
    assert not (tmp_path / "out.pdf").exists()


def test_the_makefile_targets_print_both_editions():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(
        r"^pdf: book\n\t\$\(BIN\)/python -m ingress_egress\.book_pdf _build/html "
        r"_build/pdf/ingress-egress\.pdf$",
        makefile,
        flags=re.MULTILINE,
    )
    assert re.search(
        r"^pdf-classroom: book-classroom\n\t\$\(BIN\)/python -m "
        r"ingress_egress\.book_pdf _build/classroom/html "
        r"_build/pdf/ingress-egress-classroom\.pdf$",
        makefile,
        flags=re.MULTILINE,
    )
    assert re.search(
        r"^\.PHONY:.*\bpdf\b.*\bpdf-classroom\b", makefile, flags=re.MULTILINE
    )
