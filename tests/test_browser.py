"""The built books in a real browser: Playwright driving Debian's Chromium on 127.0.0.1.

Every page opens without a console error, no request leaves 127.0.0.1, the navigation
and the search work (a notebook ranks first for its own topic), formulas are typeset by
the book's own MathJax, and an axe-core audit finds no serious or critical accessibility
violation. Measured on the rendered pages, at a desktop's 1400x1000 and a phone's
390x844: no page scrolls sideways, no code block does at 1400, every figure fills the
book's column and its smallest text renders at 9 px or more there, and opens full size
from the keyboard. The sweeps share one visit of each page per viewport (a survey of
the book), each checking its own part of what that visit saw. Without Chromium these
tests skip (with the reason) on a workstation and fail in CI, where `.ci/run` installs
it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

from ingress_egress.plotting import BOOK_COLUMN_PX, MIN_TEXT_PX

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(
                f"{reason} (CI must run the browser tests: "
                ".ci/run installs what they need)"
            )
        pytest.skip(reason)


@contextlib.contextmanager
def serve(html: Path):
    """Serve a built book on 127.0.0.1; yields the base URL."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(html))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def site(built_book):
    """The learner's book, served on 127.0.0.1."""
    with serve(built_book) as url:
        yield url


@pytest.fixture(scope="module")
def classroom_site(classroom_book):
    """The classroom edition (no solutions), served on 127.0.0.1."""
    with serve(classroom_book) as url:
        yield url


@pytest.fixture(scope="module")
def published_site(published_book):
    """The book built with a repository URL (its buttons and links), served on
    127.0.0.1.
    """
    with serve(published_book) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    _require(
        Path(CHROMIUM).exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    _require(AXE.exists(), f"axe-core not installed at {AXE} (run npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}


@contextlib.contextmanager
def recording_tab(browser, viewport: dict):
    """A fresh page that records every request it makes, every script error it meets
    and every error the console reports (a failed load, a refused font, the theme's
    complaints)."""
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.requests, tab.errors, tab.console_errors = [], [], []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on(
        "console",
        lambda message: (
            message.type == "error" and tab.console_errors.append(message.text)
        ),
    )
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def page(browser, site):
    """A fresh recording page at 1400x1000."""
    with recording_tab(browser, DESKTOP) as tab:
        yield tab


def book_pages(built_book: Path) -> list[str]:
    return sorted(
        str(path.relative_to(built_book))
        for path in built_book.rglob("*.html")
        if not path.relative_to(built_book).parts[0].startswith("_")
    )


MEASURE = """() => {
    const seen = {};
    document.querySelectorAll('[id]').forEach(e => seen[e.id] = (seen[e.id] || 0) + 1);
    return {
      overflow: document.documentElement.scrollWidth
        - document.documentElement.clientWidth,
      repeated_ids: Object.keys(seen).filter(id => seen[id] > 1),
      images: [...document.querySelectorAll('article .cell_output img')].map(img => ({
        file: img.getAttribute('src').split('/').pop(), alt: img.alt.slice(0, 60),
        shown: img.clientWidth, natural: img.naturalWidth})),
      toggles: [...document.querySelectorAll(
          '.solution > .admonition-title button.toggle-button')]
        .map(button => button.getAttribute('aria-label')),
      wrapped_nowrap: [...document.querySelectorAll('.course-nowrap')].filter(cell => {
          const range = document.createRange(); range.selectNodeContents(cell);
          const tops = [...range.getClientRects()].map(r => Math.round(r.top));
          return new Set(tops).size > 1;
        }).map(cell => cell.textContent.trim()),
    }; }"""
"""What the sweeps check on a page as it first shows: how far it scrolls sideways, the
element ids it repeats once its scripts ran, its figures (file, alt text, shown and
natural width), its solution toggles' names, and the cells kept on one line
(``course-nowrap``) that wrap anyway."""

SCROLLING_CODE = """() => {
    document.querySelectorAll('.toggle-hidden')
      .forEach(e => e.classList.remove('toggle-hidden'));
    return [...document.querySelectorAll('article pre')]
      .filter(pre => !pre.closest('.cell_output'))
      .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
      .map(pre => pre.textContent.split('\\n')
        .reduce((a, b) => a.length >= b.length ? a : b)); }"""
"""With every solution shown (their code counts too), the longest line of each code
block that scrolls sideways."""


def survey(browser, site: str, html: Path, viewport: dict, audit: bool = False) -> dict:
    """Visit every page of a built book once at ``viewport``, in a fresh recording tab,
    and keep what the sweeps check: per page its HTTP status, title, script and console
    errors, :data:`MEASURE`'s figures, with ``audit`` the serious accessibility
    problems axe-core finds on the page as it first shows, and :data:`SCROLLING_CODE`;
    and the requests that went anywhere but the book (``data:`` URLs are the book's own
    inline images; nothing else is allowed, not even about:blank)."""
    pages = {}
    with recording_tab(browser, viewport) as tab:
        for path in book_pages(html):
            errors, console = len(tab.errors), len(tab.console_errors)
            response = tab.goto(f"{site}/{path}", wait_until="networkidle")
            pages[path] = {
                "status": response.status if response is not None else None,
                "title": tab.title(),
                "errors": tab.errors[errors:],
                "console_errors": tab.console_errors[console:],
                **tab.evaluate(MEASURE),
                "accessibility": audited(tab, path) if audit else None,
                "scrolling_code": tab.evaluate(SCROLLING_CODE),
            }
        outside = sorted(
            {url for url in tab.requests if not url.startswith((f"{site}/", "data:"))}
        )
    return {"pages": pages, "outside": outside}


@pytest.fixture(scope="module")
def desktop(browser, site, built_book) -> dict:
    """The learner's book surveyed at 1400x1000, with the accessibility audit."""
    return survey(browser, site, built_book, DESKTOP, audit=True)


@pytest.fixture(scope="module")
def classroom_desktop(browser, classroom_site, classroom_book) -> dict:
    """The classroom edition surveyed at 1400x1000, with the accessibility audit."""
    return survey(browser, classroom_site, classroom_book, DESKTOP, audit=True)


@pytest.fixture(scope="module")
def phone(browser, site, built_book) -> dict:
    """The learner's book surveyed at 390x844."""
    return survey(browser, site, built_book, PHONE)


def opened_without_errors(found: dict) -> None:
    pages = found["pages"]
    assert len(pages) >= 5
    for path, seen in pages.items():
        assert seen["status"] == 200, path
        assert seen["title"], f"{path}: no title"
        assert seen["errors"] == [], f"{path}: script errors {seen['errors']}"
        assert seen["console_errors"] == [], (
            f"{path}: console errors {seen['console_errors']}"
        )
    assert found["outside"] == []


def test_every_page_opens_with_nothing_from_elsewhere(desktop):
    opened_without_errors(desktop)


def test_every_classroom_page_opens_with_nothing_from_elsewhere(classroom_desktop):
    opened_without_errors(classroom_desktop)


def test_every_published_page_opens_without_errors(
    browser, published_site, published_book
):
    # The repository and launch buttons are links only: following none of them, the
    # pages fetch nothing from elsewhere either.
    opened_without_errors(survey(browser, published_site, published_book, DESKTOP))


def test_a_survey_sees_what_goes_wrong(browser, tmp_path):
    # the sweeps pass only if the survey can see each fault: a page that scrolls
    # sideways, repeats an id, fails a script, wraps a one-line cell, has a code block
    # wider than its box and a text box without a label, and fetches from elsewhere
    (tmp_path / "bad.html").write_text(
        "<!doctype html><html><head><title>bad</title></head><body>"
        "<div style='width:3000px'>wide</div><p id='x'></p><p id='x'></p>"
        "<article><pre style='width:100px;overflow:auto'>" + "y" * 400 + "</pre>"
        "<span class='course-nowrap' style='display:inline-block;width:20px'>"
        "2026-04-06 to 2026-04-07</span></article>"
        "<input type='text'><script>throw new Error('broken')</script>"
        "<img src='http://127.0.0.2:9/x.png' alt=''></body></html>",
        encoding="utf-8",
    )
    with serve(tmp_path) as url:
        found = survey(browser, url, tmp_path, DESKTOP, audit=True)
    bad = found["pages"]["bad.html"]
    assert any(": label (critical)" in problem for problem in bad["accessibility"])
    assert bad["overflow"] > 0
    assert bad["repeated_ids"] == ["x"]
    assert any("broken" in error for error in bad["errors"])
    assert [len(line) for line in bad["scrolling_code"]] == [400]
    assert bad["wrapped_nowrap"] == ["2026-04-06 to 2026-04-07"]
    assert found["outside"] == ["http://127.0.0.2:9/x.png"]


def test_navigation_from_the_front_page_to_the_notebooks(page, site):
    page.goto(f"{site}/index.html", wait_until="networkidle")
    page.locator("nav.bd-docs-nav a", has_text="00 Start here").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notebooks/00-start-here.html")
    assert page.locator("h1").first.inner_text().startswith("Start here")
    page.locator("a.right-next").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/notebooks/01-direction.html")
    assert (
        page.locator("h1")
        .first.inner_text()
        .startswith("Direction depends on where you stand")
    )


def test_the_search_box_finds_pages(page, site):
    page.goto(f"{site}/notebooks/01-direction.html", wait_until="networkidle")
    page.locator("button.search-button-field:visible").first.click()
    box = page.locator("input[name='q']:visible").first
    box.fill("acknowledgement")
    box.press("Enter")
    page.wait_for_url("**/search.html?q=acknowledgement*")
    results = page.locator("#search-results ul.search li a")
    results.first.wait_for(timeout=15_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("01-direction" in href for href in hrefs), hrefs


def test_formulas_are_typeset_offline(page, site):
    page.goto(f"{site}/notebooks/01-direction.html", wait_until="networkidle")
    page.wait_for_function(
        "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0",
        timeout=15_000,
    )
    # The formula sits in a collapsed solution: typeset, though not yet shown.
    formula = page.wait_for_selector(
        ".MathJax_Display .MathJax", state="attached", timeout=15_000
    )
    assert "<mfrac>" in formula.get_attribute("data-mathml")
    assert all(url.startswith((f"{site}/", "data:", "about:")) for url in page.requests)


def audited(page, path: str) -> list[str]:
    """The serious and critical violations axe-core finds on the page open in ``page``,
    one line each."""
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        "async () => "
        "(await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{[node['target'] for node in violation['nodes']][:3]}"
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


def serious_accessibility_problems(page, site: str, pages: list[str]) -> list[str]:
    problems = []
    for path in pages:
        page.goto(f"{site}/{path}", wait_until="networkidle")
        problems += audited(page, path)
    return problems


def test_no_serious_accessibility_violations(desktop):
    problems = [p for seen in desktop["pages"].values() for p in seen["accessibility"]]
    assert problems == [], "\n".join(problems)


def test_no_serious_accessibility_violations_in_the_classroom_edition(
    classroom_desktop,
):
    problems = [
        p for seen in classroom_desktop["pages"].values() for p in seen["accessibility"]
    ]
    assert problems == [], "\n".join(problems)


def test_no_serious_accessibility_violations_with_the_repository_links(
    page, published_site
):
    page.goto(f"{published_site}/notebooks/01-direction.html", wait_until="networkidle")
    assert page.locator("a.btn-source-repository-button").count() == 1
    assert page.locator("p.course-report a").count() == 1
    problems = serious_accessibility_problems(
        page, published_site, ["notebooks/01-direction.html", "book/intro.html"]
    )
    assert problems == [], "\n".join(problems)


def test_no_serious_accessibility_violations_on_a_phone(page, site):
    page.set_viewport_size(PHONE)
    problems = serious_accessibility_problems(
        page, site, ["book/cheatsheet.html", "notebooks/06-data-transfer-costs.html"]
    )
    assert problems == [], "\n".join(problems)


# Measured on the rendered pages


def notebook_pages(html: Path) -> list[str]:
    return [path for path in book_pages(html) if path.startswith("notebooks/")]


@pytest.mark.parametrize("viewport", ["desktop", "phone"], ids=["1400px", "390px"])
def test_no_page_scrolls_sideways(request, viewport):
    found = request.getfixturevalue(viewport)
    wide = [
        f"{path}: {seen['overflow']} px wider than the window"
        for path, seen in found["pages"].items()
        if seen["overflow"] > 0
    ]
    assert wide == []


def test_no_code_block_scrolls_sideways_at_1400_px(desktop):
    scrolling = [
        f"{path}: {len(line)} characters: {line[:60]!r}"
        for path, seen in desktop["pages"].items()
        for line in seen["scrolling_code"]
    ]
    assert scrolling == [], (
        "code blocks that scroll sideways at 1400 px:\n" + "\n".join(scrolling)
    )


def smallest_text_by_image(built_book: Path) -> dict[str, float | None]:
    """Each figure's PNG file in the book (MyST-NB names it by its SHA-256) -> its
    smallest text, in PNG px.
    """
    import base64

    sizes = {}
    for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    png = base64.b64decode("".join(output["data"]["image/png"]))
                    metadata = output.get("metadata", {}).get("image/png", {})
                    sizes[hashlib.sha256(png).hexdigest() + ".png"] = metadata.get(
                        "smallest_text_px"
                    )
    return sizes


def test_figures_fill_the_column_and_their_text_renders_at_9_px(desktop, built_book):
    text_px = smallest_text_by_image(built_book)
    problems, widths = [], []
    for path in notebook_pages(built_book):
        for image in desktop["pages"][path]["images"]:
            widths.append(image["shown"])
            # A figure is shown at its own size, or shrunk to the column: never wider,
            # never blown up.
            assert image["shown"] == min(image["natural"], BOOK_COLUMN_PX), (
                path,
                image,
            )
            smallest = text_px.get(image["file"])
            if smallest is None:
                problems.append(
                    f"{path}: {image['alt']!r}: no text size stored "
                    "(not drawn with use_course_style())"
                )
            elif image["shown"] / image["natural"] * smallest < MIN_TEXT_PX:
                problems.append(
                    f"{path}: {image['alt']!r}: smallest text "
                    f"{image['shown'] / image['natural'] * smallest:.1f} px"
                )
    assert (
        widths and max(widths) == BOOK_COLUMN_PX
    )  # the column is 784 px wide at 1400 px
    assert problems == [], (
        f"figure text under {MIN_TEXT_PX} px at 1400 px:\n" + "\n".join(problems)
    )


def test_a_figure_opens_full_size_from_the_keyboard(page, site, built_book):
    path = next(
        p
        for p in notebook_pages(built_book)
        if "course-figure-link" in (built_book / p).read_text()
    )
    page.goto(f"{site}/{path}", wait_until="networkidle")
    link = page.locator("a.course-figure-link").first
    natural = link.locator("img").evaluate("img => img.naturalWidth")
    # Tab from the code of the figure's cell to the figure.
    link.evaluate("a => a.closest('.cell').querySelector('.cell_input pre').focus()")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate(
            "() => document.activeElement.classList.contains('course-figure-link')"
        ):
            break
    assert page.evaluate(
        "() => document.activeElement.classList.contains('course-figure-link')"
    )
    assert (
        link.evaluate("a => getComputedStyle(a).outlineStyle") != "none"
    )  # the focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url("**/_images/*.png")
    assert page.evaluate("() => document.images[0].naturalWidth") == natural


def test_each_solution_toggle_is_named_after_its_exercise(
    page, site, built_book, desktop
):
    for path in notebook_pages(built_book):
        names = [
            name.replace("\u00a0", " ") for name in desktop["pages"][path]["toggles"]
        ]
        number = int(path.split("/")[1][:2])
        assert len(names) >= 3, path
        assert names == [
            f"Click to show: Solution to Exercise {number}.{k + 1}"
            for k in range(len(names))
        ], path
    page.goto(f"{site}/{path}", wait_until="networkidle")
    button = page.locator(".solution button.toggle-button").first
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert button.get_attribute("aria-label").startswith(
        "Click to hide: Solution to Exercise"
    )


def test_no_element_id_is_repeated_once_the_scripts_ran(desktop):
    repeated = [
        f"{path}#{i}"
        for path, seen in desktop["pages"].items()
        for i in seen["repeated_ids"]
    ]
    assert repeated == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1400px", "390px"])
def test_one_search_box(page, site, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{site}/notebooks/02-packets-and-flows.html", wait_until="networkidle")
    visible = page.evaluate("""() => [...document.querySelectorAll(
            '.search-button__button, input[type=search]')]
        .filter(e => {
            const r = e.getBoundingClientRect();
            return r.width > 0 && r.height > 0;
        }).length""")
    assert visible == 1


# A query on each notebook's topic, and the notebook that must come first for it.
TOPICS = [
    ("egress cost", "notebooks/06-data-transfer-costs"),
    ("cloud bill", "notebooks/07-reading-a-cloud-bill"),
    ("firewall", "notebooks/03-firewalls"),
    ("packet capture", "notebooks/02-packets-and-flows"),
    ("exfiltration", "notebooks/04-egress-monitoring"),
    ("ingress controller", "notebooks/08-kubernetes-ingress"),
    ("gateway api", "notebooks/09-gateway-api"),
    ("NetworkPolicy", "notebooks/10-network-policy"),
    ("95th percentile", "notebooks/12-capacity"),
]


@pytest.mark.parametrize(
    ("query", "expected"), TOPICS, ids=[query for query, _ in TOPICS]
)
def test_search_ranks_a_notebook_first_for_its_topic(page, site, query, expected):
    page.goto(f"{site}/search.html?q={quote(query)}", wait_until="networkidle")
    results = page.locator("#search-results ul.search > li")
    page.wait_for_function(
        "() => document.querySelector('#search-results .search-summary')?.textContent",
        timeout=15_000,
    )
    first = results.first
    assert first.locator("a").first.get_attribute("href") == f"{expected}.html"
    first.locator("p.context").wait_for(timeout=15_000)
    snippet = first.locator("p.context").inner_text()
    # From the page's text, where the query's words are; not from its contents list or
    # buttons.
    assert any(word.lower()[:5] in snippet.lower() for word in query.split())
    assert (
        not snippet.lstrip(".").lstrip().startswith("Contents")
        and ".ipynb .pdf" not in snippet
    )


def test_dates_in_tables_stay_on_one_line_on_a_phone(phone, built_book):
    nowrap = sum(
        (built_book / path).read_text(encoding="utf-8").count("course-nowrap")
        for path in notebook_pages(built_book)
    )
    assert nowrap > 0  # there are such cells to check
    wrapped = [
        f"{path}: {text}"
        for path, seen in phone["pages"].items()
        for text in seen["wrapped_nowrap"]
    ]
    assert wrapped == []


def test_no_word_of_the_cheat_sheet_breaks_on_a_phone(page, site):
    page.set_viewport_size(PHONE)
    page.goto(f"{site}/book/cheatsheet.html", wait_until="networkidle")
    broken = page.evaluate("""() => {
        const broken = [];
        const walker = document.createTreeWalker(
            document.querySelector('table.cheatsheet'), NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const match of node.textContent.matchAll(/[^\\s]+/g)) {
                const range = document.createRange();
                range.setStart(node, match.index);
                range.setEnd(node, match.index + match[0].length);
                const lines = new Set([...range.getClientRects()]
                    .filter(r => r.width > 0).map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(match[0]);
            }
        }
        return broken; }""")
    assert broken == []
    # And nothing sticks out of the page: the table became one card per row.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
