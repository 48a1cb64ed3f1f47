"""The book as one PDF: every page of the built book, in reading order, printed by
Chromium.

``python -m ingress_egress.book_pdf _build/html _build/pdf/ingress-egress.pdf`` (``make
pdf``) reads the book's ``_toc.yml`` for the reading order, takes the article of each
built page, and puts them one after the other in a single print document: a title page,
a table of contents with page numbers, then each page of the book starting on a new
sheet. The contents and the outline name the pages as the book's sidebar does ("02
Packets and flows", under its part "Networking"), read from the built front page, so the
paper and the web book can't disagree. Links between pages become links inside the PDF;
the formulas are typeset by the book's own MathJax; figures are scaled to the page; wide
tables are shrunk to fit and long code lines wrap, so nothing is cut off.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) prints it to A4 with the
page number in every page's footer. The contents need the page on which each chapter
starts, which only the printed PDF knows: every heading links to its own section, so
Chromium writes a named destination (section, page) for each; the document is printed
once, the destinations give each chapter's first page, the numbers go into the contents
(which keeps its length, so no page moves) and the document is printed again. pypdf then
adds the outline (the PDF's bookmarks: every page of the book, with its sections below
it) from the same destinations. Everything is served from the book's folder on
127.0.0.1; any request to another host is refused and reported as an error.

The same command prints the classroom edition (``make pdf-classroom``) from
``_build/classroom/html``: the pages it prints have no solutions, so neither has the
PDF.

Examples
--------
>>> toc = {
...     "root": "book/intro",
...     "parts": [
...         {"caption": "Start", "chapters": [{"file": "notebooks/00-start-here"}]},
...         {
...             "caption": "Teaching",
...             "chapters": [
...                 {
...                     "file": "book/instructor/index",
...                     "sections": [{"file": "book/instructor/paths"}],
...                 }
...             ],
...         },
...     ],
... }
>>> [(page.doc, page.part) for page in reading_order(toc)]
[('book/intro', ''), ('notebooks/00-start-here', 'Start'),
 ('book/instructor/index', 'Teaching'), ('book/instructor/paths', 'Teaching')]
>>> anchor("notebooks/01-direction", "overview")
'notebooks-01-direction--overview'
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import html as html_lib
import logging
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, replace
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urljoin, urlsplit

import yaml
from pypdf import PdfReader, PdfWriter

PRINT_PATH = "/__print-edition__.html"
"""Where the composed print document is served, beside the book's own pages."""

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_MARGIN = {"top": "14mm", "bottom": "16mm", "left": "16mm", "right": "16mm"}
PRINT_WIDTH_PX = 673
"""A4's 210 mm less both side margins, in CSS pixels (96 per inch): the width pages are
laid out at.
"""

PRINT_CSS = """
html { font-size: 10.5pt; }
body { background: #fff; color: #111; margin: 0; }
.print-edition { max-width: none; padding: 0; }
.print-chapter { break-before: page; }
.print-chapter .bd-article { padding: 0; }
.print-title-page { height: 240mm; display: flex; flex-direction: column;
  justify-content: center; }
.print-title-page h1 { font-size: 26pt; line-height: 1.2; margin-bottom: 6mm; }
.print-title-page p { font-size: 12pt; color: #333; }
.print-contents { break-before: page; }
.print-contents h1 { font-size: 20pt; }
.print-contents .toc-part { font-weight: 700; margin: 5mm 0 1mm; font-size: 11pt; }
.print-contents ol { list-style: none; padding: 0; margin: 0; }
.print-contents li { margin: 0.6mm 0; }
a.print-heading { color: inherit; text-decoration: none; }
.print-contents a { display: flex; align-items: baseline; color: #111;
  text-decoration: none; }
.print-contents .toc-title { flex: 0 1 auto; }
.print-contents .toc-dots { flex: 1 1 auto; min-width: 4mm;
  border-bottom: 1px dotted #888; margin: 0 1.5mm; }
.print-contents .toc-page { flex: 0 0 2.5em; text-align: right; }
h1, h2, h3, h4 { break-after: avoid; }
.print-chapter h1 { font-size: 20pt; margin-top: 0; }
.print-chapter h2 { font-size: 15pt; margin-top: 7mm; }
.print-chapter h3 { font-size: 12.5pt; }
.print-chapter h4 { font-size: 11pt; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
.cell_output img, figure { break-inside: avoid; }
pre, .highlight pre, .output pre { white-space: pre-wrap; overflow-wrap: anywhere;
  font-size: 8pt; overflow: visible !important; }
.pst-scrollable-table-container, .output_html, .cell_output, div.highlight,
.table-wrapper { overflow: visible !important; }
table { font-size: 9pt; }
tr, .admonition-title { break-inside: avoid; }
.admonition, div.admonition { break-inside: auto; }
a { color: #0b4f8a; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact;
  box-shadow: none !important; }
"""
"""The edition's own rules for paper (the pages' rules for the screen still apply)."""

FIT_WIDE_CONTENT = """() => {
  // A table wider than its column is shrunk to fit
  // (at most to half size, then it wraps).
  for (const table of document.querySelectorAll('.print-chapter table')) {
    const room = table.parentElement.clientWidth, width = table.scrollWidth;
    if (room > 0 && width > room)
      table.style.zoom = Math.max(room / width, 0.5).toFixed(3);
  }
}"""

ALL_READY = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  if (window.MathJax && MathJax.Hub) await new Promise(done => MathJax.Hub.Queue(done));
  const broken = Array.from(document.images)
    .filter(img => !img.naturalWidth).map(img => img.src);
  const errors = document.querySelectorAll('.MathJax_Error, .mjx-merror').length;
  return {broken, errors};
}"""

FOOTER = (
    '<div style="font-size:8pt;color:#444;width:100%;margin:0 16mm;display:flex;'
    'justify-content:space-between;font-family:sans-serif">'
    '<span class="title"></span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


class BookPdfError(RuntimeError):
    """The PDF could not be made: names the page or the step and what went wrong."""


@dataclass(frozen=True)
class TocPage:
    """One page of the book, in reading order: its document name and the part it belongs
    to.
    """

    doc: str
    part: str


def reading_order(toc: dict) -> list[TocPage]:
    """The book's pages in the order of ``_toc.yml`` (a ``jb-book``): the root, then
    each part's chapters.

    Nested ``sections`` follow their chapter.
    """

    def walk(entries: list, part: str) -> Iterator[TocPage]:
        for entry in entries or []:
            if "file" in entry:
                yield TocPage(str(entry["file"]), part)
            yield from walk(entry.get("sections", []), part)

    pages = [TocPage(str(toc["root"]), "")]
    for part in toc.get("parts", []):
        pages.extend(walk(part.get("chapters", []), str(part.get("caption", ""))))
    if not toc.get("parts"):
        pages.extend(walk(toc.get("chapters", []), ""))
    return pages


def anchor(doc: str, element_id: str = "") -> str:
    """The id in the print document of an element ``element_id`` of page ``doc`` (or of
    the page itself).
    """
    page = doc.replace("/", "-")
    return f"{page}--{element_id}" if element_id else page


def _without_paper_rules(css: str) -> str:
    """A page's own style sheet without its ``@page`` and ``@media print`` rules (the
    edition sets those).

    >>> _without_paper_rules(
    ...     "a { x: 1 } @page { size: A4 } @media print { b { y: 2 } } c { z: 3 }"
    ... )
    'a { x: 1 }   c { z: 3 }'
    """
    out, i = [], 0
    for match in re.finditer(r"@page\b|@media\s+print\b", css):
        if match.start() < i:
            continue
        out.append(css[i : match.start()])
        depth, j = 0, css.index("{", match.end())
        while True:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
            if depth == 0:
                break
        i = j
    out.append(css[i:])
    return "".join(out)


def text_of(fragment: str) -> str:
    r"""The text of an HTML fragment: tags dropped, entities decoded, whitespace
    collapsed.

    >>> text_of("Who &amp; <em>why</em>\n  it matters")
    'Who & why it matters'
    """
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


SIDEBAR = re.compile(r'<nav class="bd-links bd-docs-nav"[^>]*>(.*?)</nav>', re.DOTALL)
SIDEBAR_ENTRY = re.compile(
    r'<a class="reference internal" href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL
)


def sidebar_labels(html: str, doc: str) -> dict[str, str]:
    """The name the book's sidebar gives each page, by document name, from the built
    page ``doc``.

    >>> nav = (
    ...     '<nav class="bd-links bd-docs-nav" aria-label="Main">'
    ...     '<a class="reference internal" href="#">Intro</a>'
    ...     '<p class="caption"><span class="caption-text">Networking</span></p>'
    ...     '<a class="reference internal" href="../notebooks/05-today.html">'
    ...     "05 Egress on today&#x27;s internet</a></nav>"
    ... )
    >>> sidebar_labels(nav, "book/intro")
    {'book/intro': 'Intro', 'notebooks/05-today': "05 Egress on today's internet"}
    """
    nav = SIDEBAR.search(html)
    labels: dict[str, str] = {}
    for href, label in SIDEBAR_ENTRY.findall(nav.group(1) if nav else ""):
        target = urlsplit(urljoin(f"/{doc}.html", html_lib.unescape(href))).path
        labels.setdefault(target.lstrip("/").removesuffix(".html"), text_of(label))
    return labels


START_TAG_ATTRIBUTE = r'(<{tag}\b[^<>]*?\s){name}="([^"]*)"'
HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.DOTALL)


def chapter_article(html: str, doc: str, docs: set[str]) -> str:
    """The article of one built page, made to live in the print document beside the
    others.

    Scripts and heading links go; ids get the page's prefix (:func:`anchor`), in the
    page's own style sheets too, so that ids repeated across pages ("overview") stay
    apart; a link to a page of the book becomes a link inside the document; a link to a
    file of the web book (a download) is left as text; images are fetched from the
    book's root.

    >>> page = (
    ...     '<article class="bd-article"><section id="overview"><h2>Overview'
    ...     '<a class="headerlink" href="#overview">#</a></h2>'
    ...     '<p>See <a class="reference" href="02-packets.html#flows">flows</a>, '
    ...     '<a href="../_sources/notebooks/01-x.ipynb">the notebook</a>, '
    ...     '<img src="../_images/f.png"/></p></section></article>'
    ... )
    >>> print(
    ...     chapter_article(
    ...         page, "notebooks/01-x", {"notebooks/01-x", "notebooks/02-packets"}
    ...     )
    ... )
    <article class="bd-article"><section
        id="notebooks-01-x--overview"><h2>Overview</h2><p>See <a class="reference"
        href="#notebooks-02-packets--flows">flows</a>, <a>the notebook</a>, <img
        src="/_images/f.png"/></p></section></article>
    """
    start, end = html.find('<article class="bd-article"'), html.rfind("</article>")
    if not 0 <= start < end:
        raise BookPdfError(
            f'{doc}.html: no <article class="bd-article"> (is '
            "this a built Jupyter Book page?)"
        )
    article = html[start : end + len("</article>")]
    article = re.sub(r"<script\b[^>]*>.*?</script>", "", article, flags=re.DOTALL)
    article = re.sub(
        r'<a class="headerlink"[^>]*>.*?</a>', "", article, flags=re.DOTALL
    )
    here = f"/{doc}.html"
    ids = set(
        re.findall(
            START_TAG_ATTRIBUTE.format(tag="[a-zA-Z][\\w-]*", name="id"), article
        )
    )
    ids = {found for _, found in ids}

    def style(match: re.Match) -> str:
        css = _without_paper_rules(match.group(2))
        css = re.sub(
            r"#([A-Za-z_][\w-]*)",
            lambda m: (
                "#" + anchor(doc, m.group(1)) if m.group(1) in ids else m.group(0)
            ),
            css,
        )
        return f"{match.group(1)}{css}</style>"

    def element_id(match: re.Match) -> str:
        return f'{match.group(1)}id="{anchor(doc, match.group(2))}"'

    def link(match: re.Match) -> str:
        href = html_lib.unescape(match.group(2))
        if href.startswith(("http:", "https:", "mailto:")):
            return match.group(0)
        target = urlsplit(urljoin(here, href))
        target_doc = target.path.lstrip("/").removesuffix(".html")
        if target.path.endswith(".html") and target_doc in docs:
            return f'{match.group(1)}href="#{anchor(target_doc, target.fragment)}"'
        return match.group(
            1
        ).rstrip()  # a file of the web book (a download): not part of the paper

    def image(match: re.Match) -> str:
        src = match.group(2)
        return (
            match.group(0)
            if src.startswith("data:")
            else f'{match.group(1)}src="{urljoin(here, src)}"'
        )

    article = re.sub(r"(<style\b[^>]*>)(.*?)</style>", style, article, flags=re.DOTALL)
    article = re.sub(
        START_TAG_ATTRIBUTE.format(tag="[a-zA-Z][\\w-]*", name="id"),
        element_id,
        article,
    )
    article = re.sub(START_TAG_ATTRIBUTE.format(tag="a", name="href"), link, article)
    return re.sub(START_TAG_ATTRIBUTE.format(tag="img", name="src"), image, article)


@dataclass(frozen=True)
class Heading:
    """A heading of the print document, for the outline: its level (1 for ``h1``), its
    text, the id of its section (``target``) and the page of the book it is the title of
    (``doc``, for an h1)."""

    level: int
    text: str
    target: str
    doc: str = ""


SECTION_HEADING = re.compile(
    r'(<section\b[^>]*\sid="([^"]+)"[^>]*>\s*)<h([1-3])>(.*?)</h\3>', re.DOTALL
)
OUTLINE_DEPTH = 3
"""Headings down to ``h3`` are in the outline."""


def linked_headings(article: str, doc: str) -> tuple[str, list[Heading]]:
    r"""The headings (to ``h3``) of a page, each made a link to its own section, and the
    list of them.

    The link makes Chromium write the section's page into the PDF (a named destination).
    A heading that holds a link already is listed without one (links don't nest); it
    gets no outline item.

    >>> html, found = linked_headings(
    ...     '<section id="p--a">\n<h2>Why <em>this</em></h2><p>...</p></section>', "p"
    ... )
    >>> html == (
    ...     '<section id="p--a">\n<h2><a class="print-heading" href="#p--a">'
    ...     "Why <em>this</em></a></h2><p>...</p></section>"
    ... )
    True
    >>> found
    [Heading(level=2, text='Why this', target='p--a', doc='')]
    """
    found = []

    def link(match: re.Match) -> str:
        before, target, level, inner = match.groups()
        linkable = "<a " not in inner
        found.append(
            Heading(
                int(level),
                text_of(inner),
                target if linkable else "",
                doc if level == "1" else "",
            )
        )
        inner = (
            f'<a class="print-heading" href="#{target}">{inner}</a>'
            if linkable
            else inner
        )
        return f"{before}<h{level}>{inner}</h{level}>"

    return SECTION_HEADING.sub(link, article), found


def compose(html_dir: str | Path, toc: dict) -> tuple[str, list[Heading]]:
    """The print document for a built book, and its headings in document order.

    The contents list shows ``000`` for every page number; :func:`with_page_numbers`
    fills them in.
    """
    html_dir = Path(html_dir)
    pages = reading_order(toc)
    docs = {page.doc for page in pages}
    first = html_dir / f"{pages[0].doc}.html"
    if not first.exists():
        raise BookPdfError(f"{first}: not found; build the book first (make book)")
    missing = [
        page.doc for page in pages if not (html_dir / f"{page.doc}.html").exists()
    ]
    if missing:
        more = (
            f" (nor {len(missing) - 1} more: {', '.join(missing[1:4])})"
            if len(missing) > 1
            else ""
        )
        raise BookPdfError(
            f"{html_dir / missing[0]}.html: the page of {missing[0]!r} (in _toc.yml) "
            f"is not in the built book{more}"
        )
    head = first.read_text(encoding="utf-8")
    labels = sidebar_labels(head, pages[0].doc)
    title = re.search(r"<title>(.*?)</title>", head, flags=re.DOTALL)
    book_title = (
        text_of(title.group(1)).rsplit(" \u2014 ", 1)[-1] if title else "The course"
    )
    version = re.search(r'<p class="course-version">(.*?)</p>', head, flags=re.DOTALL)
    version_text = (
        text_of(version.group(1)).split("\u00b7")[0].strip() if version else ""
    )
    first_url = f"/{pages[0].doc}.html"
    links = re.findall(r'<link\b[^>]*\brel="stylesheet"[^>]*>', head)
    styles = [
        re.sub(
            r'href="([^"]*)"',
            lambda m: f'href="{urljoin(first_url, m.group(1))}"',
            link,
        )
        for link in links
    ]
    mathjax = re.findall(
        r'<script type="text/x-mathjax-config">.*?</script>', head, flags=re.DOTALL
    )
    mathjax += [
        re.sub(
            r'src="([^"]*)"',
            lambda m: f'src="{urljoin(first_url, m.group(1))}"',
            script,
        )
        for script in re.findall(
            r'<script\b[^>]*\bsrc="[^"]*[Mm]ath[Jj]ax[^"]*"[^>]*></script>', head
        )
    ]

    headings = [
        Heading(1, book_title, "print-title"),
        Heading(1, "Contents", "print-contents"),
    ]
    chapters, contents, part = [], [], None
    for page in pages:
        path = html_dir / f"{page.doc}.html"
        article, found = linked_headings(
            chapter_article(path.read_text(encoding="utf-8"), page.doc, docs), page.doc
        )
        titles = [heading.text for heading in found if heading.level == 1]
        h1s = [level for level, _ in HEADING.findall(article) if level == "1"]
        if len(h1s) != 1 or len(titles) != 1 or found[0].level != 1:
            raise BookPdfError(
                f"{path}: a page starts with its title, its one h1, in a section"
            )
        label = labels.get(
            page.doc, titles[0]
        )  # as the sidebar names it: "02 Packets and flows"
        found[0] = replace(found[0], text=label)
        headings += found
        chapters.append(
            '<section class="print-chapter" '
            f'id="{anchor(page.doc)}">{article}</section>'
        )
        if page.part != part:
            contents.append("</ol>" if part is not None else "")
            contents.append(
                f'<p class="toc-part">{page.part}</p><ol>' if page.part else "<ol>"
            )
            part = page.part
        contents.append(
            f'<li><a href="#{anchor(page.doc)}"><span '
            f'class="toc-title">{html_lib.escape(label, quote=False)}</span>'
            '<span class="toc-dots"></span><span '
            f'class="toc-page" data-doc="{page.doc}">000</span>'
            "</a></li>"
        )
    contents.append("</ol>")

    document = f"""<!DOCTYPE html>
<html lang="en" data-theme="light" data-mode="light">
<head>
<meta charset="utf-8">
<title>{html_lib.escape(book_title)}</title>
{"".join(styles)}
<style>{PRINT_CSS}</style>
{"".join(mathjax)}
</head>
<body>
<main class="print-edition">
<section class="print-title-page" id="print-title">
<h1><a class="print-heading" href="#print-title">{html_lib.escape(book_title)}</a></h1>
<p>{html_lib.escape(version_text)}</p>
</section>
<section class="print-contents" id="print-contents">
<h1><a class="print-heading" href="#print-contents">Contents</a></h1>
{"".join(contents)}
</section>
{"".join(chapters)}
</main>
</body>
</html>
"""
    return document, headings


def with_page_numbers(document: str, first_pages: dict[str, int]) -> str:
    """The print document with each chapter's first page written into the contents.

    >>> doc = '<span class="toc-page" data-doc="book/intro">000</span>'
    >>> with_page_numbers(doc, {"book/intro": 3})
    '<span class="toc-page" data-doc="book/intro">3</span>'
    """

    def number(match: re.Match) -> str:
        return f"{match.group(1)}{first_pages[match.group(2)]}</span>"

    return re.sub(
        r'(<span class="toc-page" data-doc="([^"]+)">)[^<]*</span>', number, document
    )


def destination_pages(pdf: str | Path) -> dict[str, int]:
    """The page (1-based) of each named destination Chromium wrote into a PDF, by the
    element's id.
    """
    reader = PdfReader(str(pdf))
    return {
        name.lstrip("/"): reader.get_destination_page_number(destination) + 1
        for name, destination in reader.named_destinations.items()
    }


def with_outline(
    draft: str | Path,
    output: str | Path,
    headings: list[Heading],
    parts: dict[str, str] | None = None,
) -> int:
    """Write ``draft`` to ``output`` with an outline of the headings, as the book's
    sidebar has them.

    The pages of a part of the book (``parts`` gives each page's part, by document name)
    go under an item for the part, each page's sections under the page. Each item goes
    to the page of its heading's section; the PDF opens with the outline shown. Returns
    the number of items.
    """
    parts = parts or {}
    reader = PdfReader(str(draft))
    pages = destination_pages(draft)
    writer = PdfWriter(clone_from=reader)
    parents: dict[int, object] = {}
    part, part_item, items = "", None, 0
    for heading in headings:
        if heading.target not in pages or heading.level > OUTLINE_DEPTH:
            continue
        page_number = pages[heading.target] - 1
        if heading.level == 1:
            caption = parts.get(heading.doc, "")
            if caption and caption != part:
                part_item = writer.add_outline_item(
                    title=caption, page_number=page_number
                )
                items += 1
            part = caption
            parent = part_item if caption else None
        else:
            parent = next(
                (
                    parents[level]
                    for level in range(heading.level - 1, 0, -1)
                    if level in parents
                ),
                None,
            )
        parents[heading.level] = writer.add_outline_item(
            title=heading.text, page_number=page_number, parent=parent
        )
        for deeper in [level for level in parents if level > heading.level]:
            del parents[deeper]
        items += 1
    writer.page_mode = "/UseOutlines"
    writer.write(str(output))
    return items


@contextlib.contextmanager
def _pypdf_quiet() -> Iterator[None]:
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


class _Handler(SimpleHTTPRequestHandler):
    document = b""

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.split("?")[0] == PRINT_PATH:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(self.document)))
            self.end_headers()
            self.wfile.write(self.document)
            return
        super().do_GET()


@contextlib.contextmanager
def _serve(html_dir: Path) -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("PrintHandler", (_Handler,), {})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(html_dir))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def find_chromium() -> str:
    """Debian's Chromium: ``chromium`` on the PATH, or ``/usr/bin/chromium``."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).exists():
        raise BookPdfError(
            "Chromium not found (apt-get install chromium): it prints the PDF"
        )
    return found


def print_book(
    html_dir: str | Path,
    output: str | Path,
    toc_file: str | Path = "_toc.yml",
    chromium: str | None = None,
) -> dict:
    """Print the book built in ``html_dir`` to ``output`` (a PDF); returns what was
    done.

    The result says how many pages the PDF has, on which page each page of the book
    starts (``first_pages``, by document name) and how many prints it took.
    """
    from playwright.sync_api import sync_playwright

    html_dir, output = Path(html_dir), Path(output)
    toc = yaml.safe_load(Path(toc_file).read_text(encoding="utf-8"))
    document, headings = compose(html_dir, toc)
    output.parent.mkdir(parents=True, exist_ok=True)
    draft = output.with_suffix(".draft.pdf")
    refused: list[str] = []
    with _serve(html_dir) as (base, handler), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium or find_chromium(), args=CHROMIUM_FLAGS
        )
        try:
            context = browser.new_context(
                viewport={"width": PRINT_WIDTH_PX, "height": 1000}
            )
            context.route(
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith((base + "/", "data:"))
                    else (refused.append(route.request.url), route.abort())
                ),
            )
            page = context.new_page()
            page.emulate_media(media="print")
            first_pages: dict[str, int] = {}
            chapters = {
                heading.target: heading.doc for heading in headings if heading.doc
            }
            for prints in range(1, 4):
                # The first print only finds the chapters' pages: its footers don't
                # matter.
                final = bool(first_pages)
                handler.document = (
                    with_page_numbers(document, first_pages) if final else document
                ).encode()
                page.goto(base + PRINT_PATH, wait_until="load", timeout=120_000)
                if "MathJax.js" in document:
                    page.wait_for_function(
                        "() => window.MathJax && MathJax.Hub", timeout=60_000
                    )
                state = page.evaluate(ALL_READY)
                if refused:
                    raise BookPdfError(
                        "the print asked for files from elsewhere (refused): "
                        f"{sorted(set(refused))[:5]}"
                    )
                if state["broken"] or state["errors"]:
                    raise BookPdfError(
                        f"images that did not load: {state['broken'][:5]}; "
                        f"formulas MathJax could not typeset: {state['errors']}"
                    )
                page.evaluate(FIT_WIDE_CONTENT)
                page.pdf(
                    path=str(draft),
                    format="A4",
                    margin=PAGE_MARGIN,
                    print_background=True,
                    display_header_footer=final,
                    header_template="<span></span>",
                    footer_template=FOOTER,
                )
                with (
                    _pypdf_quiet()
                ):  # Chromium's PDFs carry a trailer size pypdf warns about
                    found = destination_pages(draft)
                missing = sorted(
                    doc for target, doc in chapters.items() if target not in found
                )
                if missing:
                    raise BookPdfError(
                        f"{draft}: Chromium wrote no destination for "
                        f"the title of {missing[:3]}"
                    )
                found = {doc: found[target] for target, doc in chapters.items()}
                if final and found == first_pages:
                    break
                first_pages = found
            else:
                raise BookPdfError(
                    "the contents' page numbers did not settle after three prints"
                )
            with _pypdf_quiet():
                with_outline(
                    draft,
                    output,
                    headings,
                    {page.doc: page.part for page in reading_order(toc)},
                )
                pages = len(PdfReader(str(output)).pages)
        finally:
            browser.close()
            draft.unlink(missing_ok=True)
    return {"pages": pages, "first_pages": first_pages, "prints": prints}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ingress_egress.book_pdf HTML_DIR OUTPUT.pdf``: print a built book as
    one PDF.
    """
    parser = argparse.ArgumentParser(
        prog="python -m ingress_egress.book_pdf", description=main.__doc__
    )
    parser.add_argument(
        "html", help="the built book's folder (_build/html, or _build/classroom/html)"
    )
    parser.add_argument("output", help="the PDF to write")
    parser.add_argument(
        "--toc",
        default="_toc.yml",
        help="the book's table of contents (default: _toc.yml)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = print_book(args.html, args.output, args.toc)
    except BookPdfError as error:
        print(f"book_pdf: {error}", file=sys.stderr)
        return 2
    print(
        f"{args.output}: {result['pages']} pages, {len(result['first_pages'])} "
        f"chapters, printed {result['prints']} times in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
