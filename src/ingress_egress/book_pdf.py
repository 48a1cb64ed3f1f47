"""The book as one PDF: every page of the built book, in reading order, printed by Chromium.

``python -m ingress_egress.book_pdf _build/html _build/pdf/ingress-egress.pdf`` (``make pdf``)
reads the book's ``_toc.yml`` for the reading order, takes the article of each built page, and
puts them one after the other in a single print document: a title page, a table of contents with
page numbers, then each page of the book starting on a new sheet. Links between pages become links
inside the PDF; the formulas are typeset by the book's own MathJax; figures are scaled to the
page; wide tables are shrunk to fit and long code lines wrap, so nothing is cut off.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) prints it to A4 with the page
number in every page's footer and an outline (the PDF's bookmarks) made from the headings. The
table of contents needs the page on which each chapter starts, which only the printed PDF knows:
the document is printed once, the outline of that print gives each chapter's first page, the
numbers go into the contents (which keeps its length, so no page moves) and the document is
printed again. Everything is served from the book's folder on 127.0.0.1; any request to another
host is refused and reported as an error.

The same command prints the classroom edition (``make pdf-classroom``) from
``_build/classroom/html``: the pages it prints have no solutions, so neither has the PDF.

Examples
--------
>>> toc = {"root": "book/intro", "parts": [
...     {"caption": "Start", "chapters": [{"file": "notebooks/00-start-here"}]},
...     {"caption": "Teaching", "chapters": [{"file": "book/instructor/index",
...                                           "sections": [{"file": "book/instructor/paths"}]}]}]}
>>> [(page.doc, page.part) for page in reading_order(toc)]
[('book/intro', ''), ('notebooks/00-start-here', 'Start'), ('book/instructor/index', 'Teaching'), ('book/instructor/paths', 'Teaching')]
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
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, Sequence
from urllib.parse import urljoin, urlsplit

import yaml
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

PRINT_PATH = "/__print-edition__.html"
"""Where the composed print document is served, beside the book's own pages."""

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PAGE_MARGIN = {"top": "14mm", "bottom": "16mm", "left": "16mm", "right": "16mm"}
PRINT_WIDTH_PX = 673
"""A4's 210 mm less both side margins, in CSS pixels (96 per inch): the width pages are laid out at."""

PRINT_CSS = """
html { font-size: 10.5pt; }
body { background: #fff; color: #111; margin: 0; }
.print-edition { max-width: none; padding: 0; }
.print-chapter { break-before: page; }
.print-chapter .bd-article { padding: 0; }
.print-title-page { height: 240mm; display: flex; flex-direction: column; justify-content: center; }
.print-title-page h1 { font-size: 26pt; line-height: 1.2; margin-bottom: 6mm; }
.print-title-page p { font-size: 12pt; color: #333; }
.print-contents { break-before: page; }
.print-contents h1 { font-size: 20pt; }
.print-contents .toc-part { font-weight: 700; margin: 5mm 0 1mm; font-size: 11pt; }
.print-contents ol { list-style: none; padding: 0; margin: 0; }
.print-contents li { margin: 0.6mm 0; }
.print-contents a { display: flex; align-items: baseline; color: #111; text-decoration: none; }
.print-contents .toc-title { flex: 0 1 auto; }
.print-contents .toc-dots { flex: 1 1 auto; min-width: 4mm; border-bottom: 1px dotted #888; margin: 0 1.5mm; }
.print-contents .toc-page { flex: 0 0 2.5em; text-align: right; }
h1, h2, h3, h4 { break-after: avoid; }
.print-chapter h1 { font-size: 20pt; margin-top: 0; }
.print-chapter h2 { font-size: 15pt; margin-top: 7mm; }
.print-chapter h3 { font-size: 12.5pt; }
.print-chapter h4 { font-size: 11pt; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
.cell_output img, figure { break-inside: avoid; }
pre, .highlight pre, .output pre { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 8pt;
  overflow: visible !important; }
.pst-scrollable-table-container, .output_html, .cell_output, div.highlight, .table-wrapper {
  overflow: visible !important; }
table { font-size: 9pt; }
tr, .admonition-title { break-inside: avoid; }
.admonition, div.admonition { break-inside: auto; }
a { color: #0b4f8a; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; box-shadow: none !important; }
"""
"""The edition's own rules for paper (the pages' rules for the screen still apply)."""

FIT_WIDE_CONTENT = """() => {
  // A table wider than its column is shrunk to fit (at most to half size, then it wraps).
  for (const table of document.querySelectorAll('.print-chapter table')) {
    const room = table.parentElement.clientWidth, width = table.scrollWidth;
    if (room > 0 && width > room) table.style.zoom = Math.max(room / width, 0.5).toFixed(3);
  }
}"""

ALL_READY = """async () => {
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(img => img.complete ? null :
    new Promise(done => { img.onload = img.onerror = done; })));
  if (window.MathJax && MathJax.Hub) await new Promise(done => MathJax.Hub.Queue(done));
  const broken = Array.from(document.images).filter(img => !img.naturalWidth).map(img => img.src);
  const errors = document.querySelectorAll('.MathJax_Error, .mjx-merror').length;
  return {broken, errors};
}"""

FOOTER = ('<div style="font-size:8pt;color:#444;width:100%;margin:0 16mm;display:flex;'
          'justify-content:space-between;font-family:sans-serif">'
          '<span class="title"></span><span><span class="pageNumber"></span> / '
          '<span class="totalPages"></span></span></div>')


class BookPdfError(RuntimeError):
    """The PDF could not be made: names the page or the step and what went wrong."""


@dataclass(frozen=True)
class TocPage:
    """One page of the book, in reading order: its document name and the part it belongs to."""

    doc: str
    part: str


def reading_order(toc: dict) -> list[TocPage]:
    """The book's pages in the order of ``_toc.yml`` (a ``jb-book``): the root, then each part's chapters.

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
    """The id in the print document of an element ``element_id`` of page ``doc`` (or of the page itself)."""
    page = doc.replace("/", "-")
    return f"{page}--{element_id}" if element_id else page


def _without_paper_rules(css: str) -> str:
    """A page's own style sheet without its ``@page`` and ``@media print`` rules (the edition sets those).

    >>> _without_paper_rules("a { x: 1 } @page { size: A4 } @media print { b { y: 2 } } c { z: 3 }")
    'a { x: 1 }   c { z: 3 }'
    """
    out, i = [], 0
    for match in re.finditer(r"@page\b|@media\s+print\b", css):
        if match.start() < i:
            continue
        out.append(css[i:match.start()])
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
    r"""The text of an HTML fragment: tags dropped, entities decoded, whitespace collapsed.

    >>> text_of("Who &amp; <em>why</em>\n  it matters")
    'Who & why it matters'
    """
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


START_TAG_ATTRIBUTE = r'(<{tag}\b[^<>]*?\s){name}="([^"]*)"'
HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.DOTALL)


def chapter_article(html: str, doc: str, docs: set[str]) -> str:
    """The article of one built page, made to live in the print document beside the others.

    Scripts and heading links go; ids get the page's prefix (:func:`anchor`), in the page's own
    style sheets too, so that ids repeated across pages ("overview") stay apart; a link to a page of
    the book becomes a link inside the document; a link to a file of the web book (a download) is
    left as text; images are fetched from the book's root.

    >>> page = ('<article class="bd-article"><section id="overview"><h2>Overview'
    ...         '<a class="headerlink" href="#overview">#</a></h2>'
    ...         '<p>See <a class="reference" href="02-packets.html#flows">flows</a>, '
    ...         '<a href="../_sources/notebooks/01-x.ipynb">the notebook</a>, '
    ...         '<img src="../_images/f.png"/></p></section></article>')
    >>> print(chapter_article(page, "notebooks/01-x", {"notebooks/01-x", "notebooks/02-packets"}))
    <article class="bd-article"><section id="notebooks-01-x--overview"><h2>Overview</h2><p>See <a class="reference" href="#notebooks-02-packets--flows">flows</a>, <a>the notebook</a>, <img src="/_images/f.png"/></p></section></article>
    """
    start, end = html.find('<article class="bd-article"'), html.rfind("</article>")
    if not 0 <= start < end:
        raise BookPdfError(f"{doc}.html: no <article class=\"bd-article\"> (is this a built Jupyter Book page?)")
    article = html[start:end + len("</article>")]
    article = re.sub(r"<script\b[^>]*>.*?</script>", "", article, flags=re.DOTALL)
    article = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", article, flags=re.DOTALL)
    here = f"/{doc}.html"
    ids = set(re.findall(START_TAG_ATTRIBUTE.format(tag="[a-zA-Z][\\w-]*", name="id"), article))
    ids = {found for _, found in ids}

    def style(match: re.Match) -> str:
        css = _without_paper_rules(match.group(2))
        css = re.sub(r"#([A-Za-z_][\w-]*)", lambda m: "#" + anchor(doc, m.group(1)) if m.group(1) in ids
                     else m.group(0), css)
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
        return match.group(1).rstrip()  # a file of the web book (a download): not part of the paper

    def image(match: re.Match) -> str:
        src = match.group(2)
        return match.group(0) if src.startswith("data:") else f'{match.group(1)}src="{urljoin(here, src)}"'

    article = re.sub(r"(<style\b[^>]*>)(.*?)</style>", style, article, flags=re.DOTALL)
    article = re.sub(START_TAG_ATTRIBUTE.format(tag="[a-zA-Z][\\w-]*", name="id"), element_id, article)
    article = re.sub(START_TAG_ATTRIBUTE.format(tag="a", name="href"), link, article)
    return re.sub(START_TAG_ATTRIBUTE.format(tag="img", name="src"), image, article)


@dataclass(frozen=True)
class Heading:
    """A heading of the print document: its level (1 for ``h1``), its text, and the page of the book
    it is the title of (``doc``, empty for other headings)."""

    level: int
    text: str
    doc: str = ""


def compose(html_dir: str | Path, toc: dict) -> tuple[str, list[Heading]]:
    """The print document for a built book, and its headings in document order.

    The contents list shows ``000`` for every page number; :func:`with_page_numbers` fills them in.
    """
    html_dir = Path(html_dir)
    pages = reading_order(toc)
    docs = {page.doc for page in pages}
    first = html_dir / f"{pages[0].doc}.html"
    if not first.exists():
        raise BookPdfError(f"{first}: not found; build the book first (make book)")
    head = first.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", head, flags=re.DOTALL)
    book_title = text_of(title.group(1)).rsplit(" \u2014 ", 1)[-1] if title else "The course"
    version = re.search(r'<p class="course-version">(.*?)</p>', head, flags=re.DOTALL)
    version_text = text_of(version.group(1)).split("\u00b7")[0].strip() if version else ""
    first_url = f"/{pages[0].doc}.html"
    links = re.findall(r'<link\b[^>]*\brel="stylesheet"[^>]*>', head)
    styles = [re.sub(r'href="([^"]*)"', lambda m: f'href="{urljoin(first_url, m.group(1))}"', link)
              for link in links]
    mathjax = re.findall(r'<script type="text/x-mathjax-config">.*?</script>', head, flags=re.DOTALL)
    mathjax += [re.sub(r'src="([^"]*)"', lambda m: f'src="{urljoin(first_url, m.group(1))}"', script)
                for script in re.findall(r'<script\b[^>]*\bsrc="[^"]*[Mm]ath[Jj]ax[^"]*"[^>]*></script>', head)]

    headings = [Heading(1, book_title), Heading(1, "Contents")]
    chapters, contents, part = [], [], None
    for page in pages:
        path = html_dir / f"{page.doc}.html"
        if not path.exists():
            raise BookPdfError(f"{path}: the page of {page.doc!r} (in _toc.yml) is not in the built book")
        article = chapter_article(path.read_text(encoding="utf-8"), page.doc, docs)
        found = [(int(level), text_of(inner)) for level, inner in HEADING.findall(article)]
        titles = [text for level, text in found if level == 1]
        if len(titles) != 1 or found[0][0] != 1:
            raise BookPdfError(f"{path}: a page starts with its title, its one h1; this one has {len(titles)}")
        headings += [Heading(level, text, page.doc if level == 1 else "") for level, text in found]
        chapters.append(f'<section class="print-chapter" id="{anchor(page.doc)}">{article}</section>')
        if page.part != part:
            contents.append("</ol>" if part is not None else "")
            contents.append(f'<p class="toc-part">{page.part}</p><ol>' if page.part else "<ol>")
            part = page.part
        number = re.match(r"notebooks/(\d\d)-", page.doc)
        label = html_lib.escape(titles[0])
        if number and not titles[0].startswith(number.group(1)):
            label = f"{number.group(1)} \u00b7 {label}"
        contents.append(f'<li><a href="#{anchor(page.doc)}"><span class="toc-title">{label}</span>'
                        f'<span class="toc-dots"></span><span class="toc-page" data-doc="{page.doc}">000</span>'
                        "</a></li>")
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
<section class="print-title-page">
<h1>{html_lib.escape(book_title)}</h1>
<p>{html_lib.escape(version_text)}</p>
</section>
<section class="print-contents"><h1>Contents</h1>
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

    return re.sub(r'(<span class="toc-page" data-doc="([^"]+)">)[^<]*</span>', number, document)


def _outline_items(outline: DictionaryObject) -> Iterator[DictionaryObject]:
    """The items of a PDF outline, depth first (the order of the headings they were made from)."""
    item = outline.get("/First")
    while item is not None:
        item = item.get_object()
        yield item
        if "/First" in item:
            yield from _outline_items(item)
        item = item.get("/Next")


def outline_with_headings(draft: str | Path, output: str | Path, headings: list[Heading]) -> dict[str, int]:
    """Copy the printed ``draft`` to ``output`` with the outline's titles set to the headings' own text.

    Chromium makes one outline item per heading, in document order, but its titles may repeat or
    run words together ("ContentsContents"); the items' targets are right, so only the titles are
    replaced. Returns the first page (1-based) of each page of the book, by document name.
    """
    reader = PdfReader(str(draft))
    writer = PdfWriter(clone_from=reader)
    root = writer.root_object
    items = list(_outline_items(root["/Outlines"].get_object())) if "/Outlines" in root else []
    if len(items) != len(headings):
        raise BookPdfError(f"{draft}: the PDF's outline has {len(items)} items for {len(headings)} headings; "
                           "is this Chromium too old to write an outline (Playwright's outline=True)?")
    first_pages = {}
    page_numbers = {page.indirect_reference.idnum: n for n, page in enumerate(writer.pages, start=1)}
    for item, heading in zip(items, headings):
        squeezed = "".join(str(item["/Title"]).split())
        if not squeezed.startswith("".join(heading.text.split())[:20]):
            raise BookPdfError(f"{draft}: outline item {str(item['/Title'])!r} is not heading {heading.text!r}")
        item[NameObject("/Title")] = TextStringObject(heading.text)
        if heading.doc:
            first_pages[heading.doc] = page_numbers[item["/Dest"][0].idnum]
    writer.write(str(output))
    return first_pages


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
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(html_dir)))
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
        raise BookPdfError("Chromium not found (apt-get install chromium): it prints the PDF")
    return found


def print_book(html_dir: str | Path, output: str | Path, toc_file: str | Path = "_toc.yml",
               chromium: str | None = None) -> dict:
    """Print the book built in ``html_dir`` to ``output`` (a PDF); returns what was done.

    The result says how many pages the PDF has, on which page each page of the book starts
    (``first_pages``, by document name) and how many prints it took.
    """
    from playwright.sync_api import sync_playwright

    html_dir, output = Path(html_dir), Path(output)
    toc = yaml.safe_load(Path(toc_file).read_text(encoding="utf-8"))
    document, headings = compose(html_dir, toc)
    output.parent.mkdir(parents=True, exist_ok=True)
    draft = output.with_suffix(".draft.pdf")
    refused: list[str] = []
    with _serve(html_dir) as (base, handler), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium or find_chromium(), args=CHROMIUM_FLAGS)
        try:
            context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
                (base + "/", "data:")) else (refused.append(route.request.url), route.abort()))
            page = context.new_page()
            page.emulate_media(media="print")
            first_pages: dict[str, int] = {}
            for prints in range(1, 4):
                handler.document = with_page_numbers(document, first_pages).encode() if first_pages \
                    else document.encode()
                page.goto(base + PRINT_PATH, wait_until="load", timeout=120_000)
                page.wait_for_function("() => window.MathJax && MathJax.Hub", timeout=60_000)
                state = page.evaluate(ALL_READY)
                if state["broken"] or state["errors"]:
                    raise BookPdfError(f"images that did not load: {state['broken'][:5]}; "
                                       f"formulas MathJax could not typeset: {state['errors']}")
                page.evaluate(FIT_WIDE_CONTENT)
                page.pdf(path=str(draft), format="A4", margin=PAGE_MARGIN, print_background=True,
                         display_header_footer=True, header_template="<span></span>",
                         footer_template=FOOTER, outline=True, tagged=True)
                with _pypdf_quiet():  # Chromium's PDFs carry a trailer size pypdf warns about
                    found = outline_with_headings(draft, output, headings)
                if found == first_pages:
                    break
                first_pages = found
            else:
                raise BookPdfError("the contents' page numbers did not settle after three prints")
        finally:
            browser.close()
            draft.unlink(missing_ok=True)
    if refused:
        output.unlink(missing_ok=True)
        raise BookPdfError(f"the print asked for files from elsewhere (refused): {sorted(set(refused))[:5]}")
    with _pypdf_quiet():
        pages = len(PdfReader(str(output)).pages)
    return {"pages": pages, "first_pages": first_pages, "prints": prints}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ingress_egress.book_pdf HTML_DIR OUTPUT.pdf``: print a built book as one PDF."""
    parser = argparse.ArgumentParser(prog="python -m ingress_egress.book_pdf", description=main.__doc__)
    parser.add_argument("html", help="the built book's folder (_build/html, or _build/classroom/html)")
    parser.add_argument("output", help="the PDF to write")
    parser.add_argument("--toc", default="_toc.yml", help="the book's table of contents (default: _toc.yml)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        result = print_book(args.html, args.output, args.toc)
    except BookPdfError as error:
        print(f"book_pdf: {error}", file=sys.stderr)
        return 2
    print(f"{args.output}: {result['pages']} pages, {len(result['first_pages'])} chapters, "
          f"printed {result['prints']} times in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
