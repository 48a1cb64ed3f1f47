"""The slide decks (`make slides`): one reveal.js deck per notebook, built offline,
without solutions.

What a deck should hold is read here from the notebooks' own cells (their sections,
exercises, solutions and outputs). The decks are built once for this module into a
temporary folder, with the reveal.js that `npm ci` installs; the browser tests drive one
in Debian's Chromium and measure every screen of every deck.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import re
from pathlib import Path

import nbformat
import pytest

from ingress_egress.slides import SlidesError, build_slides, slide_copy
from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS, _require, serve
from tests.test_classroom_book import labels, page_text, solution_only_lines

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
REVEAL = ROOT / "node_modules" / "reveal.js"
IDS = [path.stem for path in NOTEBOOKS]


FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def kept_cells(notebook: Path) -> list[dict]:
    """The notebook's cells that the book shows, outside its solutions (solution-start
    to solution-end).

    The book shows neither a cell tagged ``remove-cell`` (MyST-NB's tag for a cell left
    out of the page, which the cells added for JupyterLab carry) nor the YAML front
    matter at the top of the first cell, so a deck doesn't either.
    """
    kept, inside = [], False
    for position, cell in enumerate(
        json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    ):
        source = "".join(cell["source"])
        source = FRONT_MATTER.sub("", source) if position == 0 else source
        if "remove-cell" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell["cell_type"] == "markdown" and "{solution-start}" in source:
            inside = True
        elif cell["cell_type"] == "markdown" and "{solution-end}" in source:
            inside = False
        elif not inside:
            kept.append({**cell, "source": source})
    return kept


def fingerprint(paths: list[Path]) -> str:
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> Path:
    _require(
        (REVEAL / "dist" / "reveal.js").exists(),
        f"reveal.js not installed at {REVEAL} (run npm ci)",
    )
    out = tmp_path_factory.mktemp("slides")
    before = fingerprint(NOTEBOOKS)
    build_slides(NOTEBOOKS, out, REVEAL)
    assert fingerprint(NOTEBOOKS) == before, (
        "building the decks changed a committed notebook"
    )
    return out


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_a_slide_for_the_title_each_section_and_each_exercise(notebook):
    expected, exercises = [], labels(notebook)
    for cell in kept_cells(notebook):
        first = cell["source"].split("\n", 1)[0]
        if cell["cell_type"] != "markdown":
            continue
        if first.startswith(("# ", "## ")):
            expected.append(first)
        label = (
            re.search(r":label:\s*(\S+)", cell["source"])
            if "{exercise}" in first
            else None
        )
        if label:
            expected.append(
                "### Exercise "
                f"{int(notebook.name[:2])}.{exercises.index(label.group(1)) + 1}"
            )
    deck = slide_copy(nbformat.read(notebook, as_version=4), notebook.name[:2])
    starts = [
        cell.source.split("\n", 1)[0]
        for cell in deck.cells
        if cell.metadata.slideshow.slide_type == "slide"
    ]
    assert starts == expected
    assert len(expected) == 1 + len([e for e in expected if e.startswith("## ")]) + len(
        exercises
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_no_solution_reaches_a_deck(decks, notebook):
    html = (decks / f"{notebook.stem}.slides.html").read_text(encoding="utf-8")
    text = page_text(decks / f"{notebook.stem}.slides.html")
    assert "solution-start" not in html and "Solution" not in text
    lines = solution_only_lines(notebook)
    assert set(lines) == set(labels(notebook))
    for label, line in lines.items():
        assert " ".join(line.split()) not in text, (
            f"{label}: its solution is in the deck"
        )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_the_outputs_are_kept(decks, notebook):
    html = (decks / f"{notebook.stem}.slides.html").read_text(encoding="utf-8")
    outputs = [
        output for cell in kept_cells(notebook) for output in cell.get("outputs", [])
    ]
    figures = sum("image/png" in output.get("data", {}) for output in outputs)
    tables = sum(
        "".join(output["data"]["text/html"]).count("<table")
        for output in outputs
        if "text/html" in output.get("data", {})
    )
    assert html.count('src="data:image/png;base64,') == figures
    assert html.count("<table") >= tables
    # A figure is stored twice, as its PNG and as an HTML form of the same PNG (for
    # JupyterLab): the deck shows it once, with the alt text its cell gives it, as the
    # book does.
    alts = [
        cell["metadata"]["mystnb"]["image"]["alt"]
        for cell in kept_cells(notebook)
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    shown = [
        html_lib.unescape(alt)
        for alt in re.findall(r'<img\b[^>]*\balt="([^"]*)"', html)
    ]
    assert html.count("<img") == figures and shown == alts


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=IDS)
def test_the_books_own_markup_is_written_out(decks, notebook):
    text = page_text(decks / f"{notebook.stem}.slides.html")
    assert "{term}" not in text and ":::" not in text and ":label:" not in text
    # Neither the front matter nor the notebook's own glossary that `make lab-ready`
    # adds for JupyterLab is the book's.
    assert (
        not re.search(r"enumerator: \d+\.%s", text)
        and "Terms linked in this notebook" not in text
    )
    number = int(notebook.name[:2])
    shown = re.findall(rf"Exercise ({number}\.\d+)", text)
    assert sorted(set(shown)) == [
        f"{number}.{k}" for k in range(1, len(labels(notebook)) + 1)
    ]


def test_links_between_notebooks_go_to_their_decks(decks):
    for path in decks.glob("*.slides.html"):
        html = path.read_text(encoding="utf-8")
        assert not re.search(r'href="[^"]*\.ipynb', html), path.name
        for target in re.findall(r'href="(\d\d-[\w-]+\.slides\.html)', html):
            assert (decks / target).exists(), f"{path.name} links to {target}"
    assert (
        'href="02-packets-and-flows.slides.html"'
        in (decks / "01-direction.slides.html").read_text()
    )


def test_the_index_lists_every_deck_with_its_title(decks):
    html = (decks / "index.html").read_text(encoding="utf-8")
    listed = re.findall(
        r'<a href="(\d\d-[\w-]+\.slides\.html)">(\d\d) · ([^<]+)</a>', html
    )
    titles = {
        path.stem: re.search(
            r"^# (.+)$",
            "".join(json.loads(path.read_text())["cells"][0]["source"]),
            re.MULTILINE,
        ).group(1)
        for path in NOTEBOOKS
    }
    assert [(file, number, title) for file, number, title in listed] == [
        (f"{stem}.slides.html", stem[:2], titles[stem].replace("&", "&amp;"))
        for stem in sorted(titles)
    ]


def test_the_decks_load_everything_from_beside_them(decks):
    for path in decks.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        fetched = re.findall(
            r'<(?:script|img|iframe|source)\b[^>]*\bsrc="([^"]+)"|<link\b[^>]*\bhref="([^"]+)"',
            html,
        )
        for url in filter(None, (a or b for a, b in fetched)):
            assert not re.match(r"^(https?:)?//", url), f"{path.name} fetches {url}"
            assert url.startswith("data:") or (decks / url.split("?")[0]).exists(), (
                f"{path.name}: {url} missing"
            )


def test_an_unclosed_solution_is_an_error():
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# A title"),
            nbformat.v4.new_markdown_cell(
                ":::{solution-start} ex-99-a\n:class: dropdown\n:::"
            ),
            nbformat.v4.new_code_cell("answer = 42"),
        ]
    )
    with pytest.raises(SlidesError, match="solution-start has no solution-end"):
        slide_copy(notebook, "99")


def test_reveal_js_is_pinned_exactly():
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    pinned = package["dependencies"]["reveal.js"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", pinned)
    assert lock["packages"]["node_modules/reveal.js"]["version"] == pinned


def test_the_makefile_target_builds_the_decks():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(
        r"^slides: \$\(STAMP\) \$\(NODE_STAMP\)\n\trm -rf _build/slides\n"
        r"\t\$\(BIN\)/python -m ingress_egress\.slides notebooks _build/slides$",
        makefile,
        re.MULTILINE,
    )
    assert re.search(r"^\.PHONY:.*\bslides\b", makefile, flags=re.MULTILINE)


@pytest.fixture(scope="module")
def browser():
    _require(
        Path(CHROMIUM).exists(),
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


INDICES = "(() => { const at = Reveal.getIndices(); return [at.h, at.v]; })()"
"""Where the deck is: the slide (h, from 0) and the sub-slide within it (v)."""


@pytest.mark.browser
def test_a_deck_moves_with_the_keyboard_shows_its_figures_and_stays_offline(
    browser, decks
):
    notebook = ROOT / "notebooks" / "01-direction.ipynb"
    deck = slide_copy(nbformat.read(notebook, as_version=4), "01")
    types = [cell.metadata.slideshow.slide_type for cell in deck.cells]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    with serve(decks) as site:
        page.goto(f"{site}/{notebook.stem}.slides.html", wait_until="networkidle")
        page.wait_for_function("() => window.Reveal && Reveal.isReady()")
        assert page.evaluate("Reveal.getTotalSlides()") == types.count(
            "slide"
        ) + types.count("subslide")
        assert (
            page.locator("section.present h1")
            .inner_text()
            .startswith("Direction depends on where you stand")
        )

        page.keyboard.press("ArrowRight")
        assert page.evaluate(INDICES) == [1, 0]
        assert page.locator("section.present h2").inner_text().startswith("Overview")

        figure_seen, seen = False, set()
        for _ in range(
            60
        ):  # Space walks every screen in order, down the sub-slides too
            page.keyboard.press("Space")
            page.wait_for_timeout(50)
            seen.add(tuple(page.evaluate(INDICES)))
            figure_seen = figure_seen or page.evaluate("""() => Array.from(
                document.querySelectorAll('section.present img')).some(img => {
                    const box = img.getBoundingClientRect();
                    return img.complete && img.naturalWidth > 0 && box.width > 200
                        && box.top >= 0 && box.bottom <= window.innerHeight; })""")
            if figure_seen and any(v > 0 for _, v in seen):
                break
        assert figure_seen, "no figure came into view"
        assert any(v > 0 for _, v in seen), "Space never went down into a sub-slide"
        page.keyboard.press("Home")
        assert page.evaluate(INDICES) == [0, 0]
    context.close()
    outside = sorted(
        {url for url in requests if not url.startswith((f"{site}/", "data:", "about:"))}
    )
    assert outside == [] and errors == []


MEASURE_SCREENS = """() => Array.from(
  document.querySelectorAll('.reveal .slides > section > section')
).map(screen => {
  screen.style.display = screen.parentElement.style.display = 'block';
  const cells = screen.querySelectorAll('.jp-Cell').length;
  const size = [screen.scrollHeight, screen.clientHeight, cells];
  screen.style.display = screen.parentElement.style.display = '';
  return size; })"""


@pytest.mark.browser
def test_no_screen_of_several_cells_runs_off_the_slide(browser, decks):
    # Cells are put on a screen while their estimated heights fit; measured here, in the
    # browser, a screen holding more than one cell never needs to scroll (a single tall
    # cell may).
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    overflowing, screens = [], 0
    with serve(decks) as site:
        for notebook in NOTEBOOKS:
            page.goto(f"{site}/{notebook.stem}.slides.html", wait_until="networkidle")
            for number, (content, room, cells) in enumerate(
                page.evaluate(MEASURE_SCREENS), start=1
            ):
                screens += 1
                assert room == 720, "a screen is the slide's height"
                if cells > 1 and content > room:
                    overflowing.append(
                        f"{notebook.stem} screen {number}: {content} px, {cells} cells"
                    )
    page.close()
    assert screens > 10 * len(NOTEBOOKS) and overflowing == []
