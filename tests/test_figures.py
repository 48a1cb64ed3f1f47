"""What the notebooks show fits the book's column and says what it is.

- Every stored figure was drawn in the course style, which stores the height of its smallest text
  with its PNG (``smallest_text_px``); that text renders at ``MIN_TEXT_PX`` (9) CSS pixels or more
  when the PNG is shown in the book's ``BOOK_COLUMN_PX`` (784) column: a wider PNG is scaled down
  to the column, so ``smallest_text_px * min(1, 784 / PNG width)``. The PNG's width is read here
  from its own header (the PNG specification's IHDR chunk), not from the code that drew it.
  (tests/test_browser.py measures the same in Chromium, from each figure's displayed width.)
- Every figure carries its cell's alt text into its stored outputs, for JupyterLab, which shows
  alt text only on an image in HTML (``tools/figure_alt.py`` copies it; ``ingress_egress.plotting``
  says why).
- Every line of code in a notebook, solutions included, is at most 88 characters: what fits the
  book's column without a sideways scroll bar.
"""

from __future__ import annotations

import base64
import configparser
import html
import json
import re
import struct
from pathlib import Path

import pytest

from ingress_egress.plotting import BOOK_COLUMN_PX, FIGURE_HTML, MIN_TEXT_PX, figure_html

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
MAX_CODE_LINE = 88


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header: the signature, then the IHDR chunk (length, type, width, height)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", png[16:24])


def figures(notebook: Path) -> list[dict]:
    """Every stored PNG output of a notebook, with its cell's number and alt text."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = []
    for number, cell in enumerate(cells, start=1):
        if cell["cell_type"] != "code":
            continue
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                png = "".join(data["image/png"]).replace("\n", "")
                found.append({"cell": number, "alt": alt, "png": png, "html": "".join(data.get("text/html", "")),
                              "metadata": output.get("metadata", {}).get("image/png", {}),
                              "where": f"{notebook.name} cell {number} ({alt[:60]!r}...)"})
    return found


def test_png_size_reads_the_header():
    header = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 1213, 620)
    assert png_size(header + b"\x08\x06\x00\x00\x00") == (1213, 620)
    with pytest.raises(ValueError):
        png_size(b"GIF89a" + bytes(20))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_was_drawn_in_the_course_style(notebook):
    missing = [figure["where"] for figure in figures(notebook) if "smallest_text_px" not in figure["metadata"]]
    assert missing == [], "figures without their text size (run the notebook with use_course_style()):\n" + "\n".join(missing)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_smallest_text_of_every_figure_renders_at_9_px_in_the_column(notebook):
    small = []
    for figure in figures(notebook):
        if "smallest_text_px" not in figure["metadata"]:
            continue  # the test above names it
        width, _ = png_size(base64.b64decode(figure["png"]))
        rendered = figure["metadata"]["smallest_text_px"] * min(1.0, BOOK_COLUMN_PX / width)
        if rendered < MIN_TEXT_PX:
            small.append(f"{figure['where']}: {rendered:.1f} px (PNG {width} px wide, "
                         f"text {figure['metadata']['smallest_text_px']} px)")
    assert small == [], f"figure text under {MIN_TEXT_PX} px in the {BOOK_COLUMN_PX} px column:\n" + "\n".join(small)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_figure_carries_its_cells_alt_text(notebook):
    stale = []
    for figure in figures(notebook):
        shown = FIGURE_HTML.fullmatch(figure["html"])
        if not figure["alt"]:
            stale.append(f"{figure['where']}: no alt text in the cell's metadata")
        elif shown is None or html.unescape(shown["alt"]) != figure["alt"] or shown["png"] != figure["png"]:
            stale.append(f"{figure['where']}: its HTML form lacks the cell's alt text or its PNG")
        elif figure["metadata"].get("alt") != figure["alt"]:
            stale.append(f"{figure['where']}: the PNG's alt metadata is not the cell's alt text")
    assert stale == [], "run: python tools/figure_alt.py notebooks/*.ipynb\n" + "\n".join(stale)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_code_lines_fit_the_books_column(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    long = [f"{notebook.name} cell {number} line {line_number}: {len(line)} characters: {line[:50]!r}..."
            for number, cell in enumerate(cells, start=1) if cell["cell_type"] == "code"
            for line_number, line in enumerate("".join(cell["source"]).splitlines(), start=1)
            if len(line) > MAX_CODE_LINE]
    assert long == [], f"code lines over {MAX_CODE_LINE} characters:\n" + "\n".join(long)


# The alt text's way into the outputs


@pytest.fixture
def figure_cell():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ingress_egress.plotting import _figure_bundle

    fig, ax = plt.subplots(figsize=(3, 2), dpi=100)
    ax.set_title('Bytes "in" & out')
    data, metadata = _figure_bundle(fig)
    plt.close(fig)
    return data, metadata


def test_the_course_style_gives_a_figure_an_html_form_with_a_stand_in_alt(figure_cell):
    data, metadata = figure_cell
    shown = FIGURE_HTML.fullmatch(data["text/html"])
    assert shown and shown["png"] == data["image/png"]
    assert html.unescape(shown["alt"]) == 'Figure: Bytes "in" & out' == metadata["image/png"]["alt"]
    assert png_size(base64.b64decode(data["image/png"]))[0] <= 300  # a 3-inch figure at 100 dpi
    assert metadata["image/png"]["smallest_text_px"] > 0


def test_the_course_style_replaces_the_inline_png_formatter():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from IPython.core.interactiveshell import InteractiveShell

    from ingress_egress.plotting import use_course_style

    shell = InteractiveShell.instance()
    try:
        use_course_style()
        fig, ax = plt.subplots()
        ax.set_title("Egress")
        data, metadata = shell.display_formatter.format(fig)
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()
    assert {"image/png", "text/html", "text/plain"} <= set(data)
    assert FIGURE_HTML.fullmatch(data["text/html"])["png"] == data["image/png"]
    assert metadata["image/png"]["alt"] == "Figure: Egress" and "smallest_text_px" in metadata["image/png"]


def write_notebook(path: Path, png: str, alt: str | None, html_form: str | None = None) -> None:
    import nbformat

    cell = nbformat.v4.new_code_cell("fig", execution_count=1)
    if alt is not None:
        cell.metadata["mystnb"] = {"image": {"alt": alt}}
    data = {"image/png": png, "text/plain": "<Figure size 300x200 with 1 Axes>"}
    if html_form is not None:
        data["text/html"] = html_form
    cell.outputs = [nbformat.v4.new_output("display_data", data=data,
                                           metadata={"image/png": {"smallest_text_px": 13.89}})]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# A figure"), cell]
    nbformat.write(notebook, path)


def test_the_tool_copies_each_cells_alt_text_once(tmp_path, figure_cell, capsys):
    from tools.figure_alt import main

    data, _ = figure_cell
    path = tmp_path / "nb.ipynb"
    write_notebook(path, data["image/png"], "Two <bars>: ingress & egress", data["text/html"])
    assert main(["--check", str(path)]) == 1
    assert main([str(path)]) == 0
    stored = json.loads(path.read_text())["cells"][1]["outputs"][0]
    shown = FIGURE_HTML.fullmatch("".join(stored["data"]["text/html"]))
    assert html.unescape(shown["alt"]) == "Two <bars>: ingress & egress" and shown["png"] == data["image/png"]
    assert stored["metadata"]["image/png"] == {"smallest_text_px": 13.89, "alt": "Two <bars>: ingress & egress"}
    assert "".join(stored["data"]["text/plain"]) == "<Figure size 300x200 with 1 Axes>"
    written = path.read_bytes()
    assert main([str(path)]) == 0 and main(["--check", str(path)]) == 0
    assert path.read_bytes() == written
    # A notebook executed before the course style made the HTML form gets one from its PNG.
    write_notebook(path, data["image/png"], "A line")
    assert main([str(path)]) == 0
    assert FIGURE_HTML.fullmatch("".join(json.loads(path.read_text())["cells"][1]["outputs"][0]["data"]["text/html"]))


def test_the_tool_names_a_figure_without_alt_text(tmp_path, figure_cell, capsys):
    from tools.figure_alt import main

    path = tmp_path / "nb.ipynb"
    write_notebook(path, figure_cell[0]["image/png"], None)
    assert main([str(path)]) == 2
    assert "nb.ipynb: cell 2 shows a figure but has no alt text in its metadata" in capsys.readouterr().err


def test_nbval_compares_a_figures_html_form_without_its_alt_and_pixels():
    # The sanitizer nbval is given (pyproject.toml) makes a fresh figure (stand-in alt, new pixels)
    # and its stored copy (the cell's alt) compare equal, and leaves other HTML alone.
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "sanitize.cfg")
    rule = config["figure html"]

    def sanitize(text: str) -> str:
        return re.sub(rule["regex"], rule["replace"], text)

    fresh = figure_html("iVBORw0KGgoAAAA+/=", "Figure: Bytes per hour")
    stored = figure_html("iVBORw0KGgoBBBB", 'Bytes per hour, "in" above "out"')
    assert sanitize(fresh) == sanitize(stored) != fresh
    table = '<table class="dataframe"><tr><td>1,062.70</td></tr></table>'
    assert sanitize(table) == table
    assert "--nbval-sanitize-with tests/sanitize.cfg" in (ROOT / "pyproject.toml").read_text()
