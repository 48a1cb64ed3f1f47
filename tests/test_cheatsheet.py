"""The cheat sheet (book/cheatsheet.md): ingress and egress in networking, cloud and Kubernetes side by side.

- The source table has the three settings as columns and the promised rows, and every cell links to a
  notebook of the course, at a section that the notebook really has.
- Its prices are the ones in `data/prices/*.csv`, with the dates and sources its footnote gives.
- In the built book, every link of the page lands on an existing page and, where it names one, an
  existing section.
- Printed by Chromium (A4, landscape), the page is one sheet: the book's navigation is hidden, the
  table spans the width of the paper, its text is at least 7.5 pt, and the page's text reaches at
  least 90 % of the way down the printable area (the space is used). Without Chromium this test
  skips on a workstation and fails in CI, like the other browser tests.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from docutils.nodes import make_id

from tests.test_browser import CHROMIUM, CHROMIUM_FLAGS

ROOT = Path(__file__).resolve().parent.parent
SHEET = ROOT / "book" / "cheatsheet.md"
PRICES = ROOT / "data" / "prices"

COLUMNS = ["Networking", "Cloud", "Kubernetes"]
# Each row's label must name these words (lower case), in this order.
ROWS = [("meaning", "boundary"), ("direction", "ingress", "egress"), ("examples",), ("cost",),
        ("security",), ("kubernetes objects",), ("tools", "observe")]

# A link in the source: raw HTML (the book's section anchors need it) or a Markdown link.
LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]+)"[^>]*>(.*?)</a>|\[([^\]]*)\]\(([^)\s]+)\)')
NOTEBOOK_LINK = re.compile(r"^\.\./notebooks/(\d\d-[a-z0-9-]+)\.(?:html|ipynb)(?:#([A-Za-z0-9_-]+))?$")


def split_row(line: str, number: int) -> list[str]:
    """The cells of one Markdown table line; `|` inside a code span or escaped as `\\|` stays in the cell."""
    if not (line.startswith("|") and line.rstrip().endswith("|")):
        raise ValueError(f"{SHEET}: line {number}: a table row must start and end with '|': {line[:60]!r}")
    cells, current, in_code, i = [], "", False, 1
    body = line.rstrip()[:-1]
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body) and body[i + 1] == "|":
            current += "|"
            i += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append(current.strip())
            current = ""
        else:
            current += char
        i += 1
    cells.append(current.strip())
    return cells


def source_table() -> list[list[str]]:
    """The cheat sheet's table, header first, without the `|---|` separator line."""
    rows = []
    for number, line in enumerate(SHEET.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.startswith("|"):
            continue
        cells = split_row(line, number)
        if all(re.fullmatch(r":?-{3,}:?", cell) for cell in cells):
            continue
        rows.append(cells)
    return rows


def links(cell: str) -> list[str]:
    return [match.group(1) or match.group(4) for match in LINK.finditer(cell)]


def notebook_sections(name: str) -> set[str]:
    """The ids docutils gives the headings of a notebook's Markdown cells (what Sphinx puts in the HTML)."""
    import nbformat

    notebook = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    ids = set()
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", cell.source, flags=re.MULTILINE):
            ids.add(make_id(re.sub(r"[`*_]", "", heading)))
    return ids


def test_split_row_keeps_code_spans_and_escaped_bars_and_names_a_bad_line():
    assert split_row("| a | `x|y` | b \\| c |", 7) == ["a", "`x|y`", "b | c"]
    with pytest.raises(ValueError, match=r"cheatsheet\.md: line 7: a table row must start and end with '\|'"):
        split_row("| a | b", 7)


def test_the_table_puts_the_three_settings_side_by_side_with_every_row():
    header, *body = source_table()
    assert len(header) == 4
    assert [re.sub(r"<[^>]+>", "", cell).split()[0] for cell in header[1:]] == COLUMNS
    assert len(body) == len(ROWS)
    for cells, words in zip(body, ROWS):
        assert len(cells) == 4, cells[0]
        label = re.sub(r"<[^>]+>", "", cells[0]).lower()
        positions = [label.find(word) for word in words]
        assert -1 not in positions and positions == sorted(positions), (label, words)
        assert all(cell.strip() for cell in cells), label


def test_every_cell_links_to_a_notebook_of_the_course():
    missing, unknown = [], []
    for row, cells in enumerate(source_table()):
        for column, cell in enumerate(cells):
            notebooks = [NOTEBOOK_LINK.match(href) for href in links(cell)]
            notebooks = [match.group(1) for match in notebooks if match]
            if not notebooks:
                missing.append((row, column, cell[:50]))
            unknown += [name for name in notebooks if not (ROOT / "notebooks" / f"{name}.ipynb").exists()]
    assert missing == []
    assert unknown == []


def test_every_section_named_in_a_link_is_a_heading_of_that_notebook():
    anchors = [NOTEBOOK_LINK.match(href) for cells in source_table() for cell in cells for href in links(cell)]
    anchors = [(match.group(1), match.group(2)) for match in anchors if match and match.group(2)]
    assert len(anchors) >= 40  # nearly every cell points at a section, not only at a notebook
    sections = {name: notebook_sections(name) for name in {name for name, _ in anchors}}
    assert [(name, anchor) for name, anchor in anchors if anchor not in sections[name]] == []


def prices() -> pd.DataFrame:
    return pd.concat([pd.read_csv(path) for path in sorted(PRICES.glob("*.csv"))], ignore_index=True)


def price_rows(table: pd.DataFrame, provider: str, category: str, region: str) -> pd.DataFrame:
    rows = table[(table.provider == provider) & (table.category == category) & (table.region == region)]
    assert len(rows), f"data/prices has no {provider} {category} price for {region}"
    return rows.sort_values("tier_start")


def test_prices_are_the_price_tables_with_their_dates_and_sources():
    text = " ".join(SHEET.read_text(encoding="utf-8").split())
    footnote = text[text.index("Prices are list prices"):]
    table = prices()

    # Internet ingress is free at all three providers, in every region the tables cover.
    assert "Ingress from the internet: free at AWS, Google Cloud and Azure" in text
    ingress = table[table.category == "internet_in"]
    assert set(ingress.provider) == {"aws", "gcp", "azure"} and (ingress.usd_per_unit == 0).all()

    # AWS us-east-1, internet egress: the free allowance, then the first paid tier, in AWS's "GB".
    egress = price_rows(table, "aws", "internet_out", "us-east-1")
    free, first = egress.iloc[0], egress.iloc[1]
    assert free.usd_per_unit == 0 and first.tier_start == free.tier_end and first.usd_per_unit > 0
    assert f"{free.tier_end:g} GB a month free per account, then {first.usd_per_unit:g} USD/GB" in text
    assert set(egress.unit) == {"GB"} and egress.usd_per_unit.iloc[1:].is_monotonic_decreasing  # "less in higher tiers"

    # Google Cloud, Premium Tier, North America: the first paid tier, per GiB.
    google = price_rows(table, "gcp", "internet_out", "north-america")
    paid = google[google.usd_per_unit > 0].iloc[0]
    assert paid.unit == "GiB" and paid.bytes_per_unit == 2**30
    assert f"North America: {paid.usd_per_unit:g} USD/GiB in the first paid tier" in text
    standard = price_rows(table, "gcp", "internet_out", "north-america-standard")
    standard_paid = standard[standard.usd_per_unit > 0].iloc[0]
    assert f"(Standard Tier {standard_paid.usd_per_unit:g})" in text

    # AWS us-east-1 inside the cloud: zones (both sides billed), regions (the source only), NAT gateways.
    zone = price_rows(table, "aws", "inter_zone", "us-east-1").iloc[0]
    assert zone.billed_sides == 2 and f"between zones {zone.usd_per_unit:g} USD/GB on each side" in text
    fetch = price_rows(table, "aws", "origin_to_cdn", "us-east-1").iloc[0]
    to_origin = price_rows(table, "aws", "cdn_to_origin", "north-america").iloc[0]
    assert fetch.usd_per_unit == 0
    assert (f"CloudFront: fetches from the bucket free, forwarding uploads to it "
            f"{to_origin.usd_per_unit:g} USD/GB") in text
    region_out = price_rows(table, "aws", "inter_region_out", "us-east-1").iloc[0]
    region_in = price_rows(table, "aws", "inter_region_in", "us-east-1").iloc[0]
    assert region_in.usd_per_unit == 0
    assert f"between regions {region_out.usd_per_unit:g} USD/GB at the source" in text
    nat_gb = price_rows(table, "aws", "nat_processing", "us-east-1").iloc[0]
    nat_hour = price_rows(table, "aws", "nat_hours", "us-east-1").iloc[0]
    assert nat_hour.unit == "hour"
    assert (f"NAT gateway {nat_gb.usd_per_unit:g} USD per GB processed (either way) "
            f"plus {nat_hour.usd_per_unit:g} USD an hour") in text

    # The footnote's account of where each figure comes from, checked row by row.
    bill = "rates printed on the FOCUS 1.0 sample bill, billing period September 2024"
    page = "the free 100 GB read on 2026-12-02 from AWS's EC2 pricing page"
    secondary = "NAT gateway hour read on 2026-11-27 from secondary sources"
    later = "the Standard Tier and CloudFront to the origin from secondary sources, read on 2026-12-02"
    claims = [
        (first, bill, ("primary-bill", "2024-09 billing period")),
        (zone, bill, ("primary-bill", "2024-09 billing period")),
        (region_out, bill, ("primary-bill", "2024-09 billing period")),
        (nat_gb, bill, ("primary-bill", "2024-09 billing period")),
        (free, page, ("primary-page", "2026-12-02")),
        (standard_paid, later, ("secondary", "2026-12-02")),
        (to_origin, later, ("secondary", "2026-12-02")),
        (nat_hour, secondary, ("secondary", "2026-11-27")),
        (paid, "Google Cloud per GiB (2^30 bytes), read on 2026-11-27 from its pricing page",
         ("primary-page", "2026-11-27")),
        (price_rows(table, "azure", "internet_in", "eastus").iloc[0],
         "Azure's free ingress from a secondary source, read on 2026-11-27", ("secondary", "2026-11-27")),
    ]
    for row, sentence, (evidence, read_on) in claims:
        assert sentence in footnote
        assert (row.evidence, row.read_on) == (evidence, read_on), (row.provider, row.category, row.tier_start)


class _Page(HTMLParser):
    """The ids of a page, and the links and table cells inside its <article>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.cells: list[list[str]] = []  # the hrefs of each <th>/<td> of table.cheatsheet
        self._article = 0
        self._table = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "article":
            self._article += 1
        if tag == "table" and "cheatsheet" in (attrs.get("class") or "").split():
            self._table = True
        if self._table and tag in ("th", "td"):
            self.cells.append([])
        if tag == "a" and self._article and attrs.get("href"):
            self.hrefs.append(attrs["href"])
            if self._table and self.cells:
                self.cells[-1].append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "article":
            self._article -= 1
        if tag == "table":
            self._table = False


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.mark.book
def test_every_link_of_the_built_cheat_sheet_lands_on_a_page_and_section(built_book):
    sheet = built_book / "book" / "cheatsheet.html"
    page = parse(sheet)

    # Every cell of the table kept its notebook link through the build (raw HTML is passed through).
    source_cells = [cell for cells in source_table() for cell in cells]
    assert len(page.cells) == len(source_cells)
    assert [cell for cell in page.cells if not any(href.startswith("../notebooks/") for href in cell)] == []
    source_links = sum(len(links(cell)) for cell in source_cells)
    assert sum(len(cell) for cell in page.cells) == source_links

    broken, targets = [], {}
    for href in page.hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc:
            continue  # no network here; the cheat sheet itself links only inside the book
        target = sheet if not parts.path else (sheet.parent / unquote(parts.path)).resolve()
        if not target.is_file():
            broken.append(f"{href}: no file {target}")
            continue
        if parts.fragment:
            ids = targets.setdefault(target, parse(target).ids)
            if unquote(parts.fragment) not in ids:
                broken.append(f"{href}: no id {parts.fragment!r} in {target.relative_to(built_book)}")
    assert len(page.hrefs) >= source_links
    assert broken == []


def _require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs what they need)")
        pytest.skip(reason)


MM = 96 / 25.4  # CSS pixels per millimetre


@pytest.mark.book
@pytest.mark.browser
def test_the_cheat_sheet_prints_on_one_a4_landscape_page(built_book):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto((built_book / "book" / "cheatsheet.html").as_uri(), wait_until="load")
            page.emulate_media(media="print")
            # The page's print style is in force: no navigation, and the table as wide as the paper allows.
            for chrome in ("header.bd-header", ".bd-sidebar-primary", ".prev-next-footer", "footer.bd-footer"):
                assert page.locator(chrome).first.is_hidden(), chrome
            table = page.locator("table.cheatsheet")
            assert table.is_visible()
            body_width = page.evaluate("document.body.getBoundingClientRect().width")
            assert table.bounding_box()["width"] > 0.9 * body_width
            pdf = page.pdf(format="A4", landscape=True, print_background=True)
            # Laid out on the printable area of the sheet (A4 landscape less the page's own margins),
            # the text is large enough and fills the sheet.
            margins = page.evaluate("""() => { for (const sheet of document.styleSheets) {
                let rules = []; try { rules = [...sheet.cssRules]; } catch (error) { continue; }  // file: sheets
                for (const rule of rules) if (rule instanceof CSSPageRule) return rule.style.margin; } }""")
            margin = float(re.fullmatch(r"([\d.]+)mm", margins).group(1))
            width, height = (297 - 2 * margin) * MM, (210 - 2 * margin) * MM
            page.set_viewport_size({"width": round(width), "height": round(height)})
            font_pt = page.evaluate("parseFloat(getComputedStyle(document.querySelector('table.cheatsheet')).fontSize)") * 72 / 96
            bottom = page.evaluate("""() => Math.max(...[...document.querySelectorAll('article *')]
                .map(e => e.getBoundingClientRect()).filter(r => r.height > 0).map(r => r.bottom))""")
        finally:
            browser.close()
    assert pdf.startswith(b"%PDF-")
    # One page object: `/Type /Page`, not the `/Type /Pages` tree that holds it.
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    assert len(re.findall(rb"/Type\s*/Pages\b", pdf)) >= 1
    box = [float(v) for v in re.search(rb"/MediaBox\s*\[([\d.\s]+)\]", pdf).group(1).split()]
    assert abs(box[2] - 297 / 25.4 * 72) < 2 and abs(box[3] - 210 / 25.4 * 72) < 2  # A4, landscape, in points
    assert font_pt >= 7.5
    assert 0.9 * height <= bottom <= height
