"""Slides: each notebook as a reveal.js deck for teaching, built offline from a copy of
the notebook.

``python -m ingress_egress.slides notebooks _build/slides`` (``make slides``) writes
``_build/slides/NN-name.slides.html`` for every course notebook, an ``index.html``
listing them, and beside them the copies of reveal.js (from ``node_modules``, installed
by ``npm ci``) and MathJax (from the pinned ``jupyter-server-mathjax``) that the decks
load: nothing comes from another host. The committed notebooks are only read; the
structure is given to a copy in memory.

How a notebook becomes a deck (reveal.js: slides go right, a slide's sub-slides go
down):

- the title cell opens the deck, and every ``##`` section starts a new slide;
- a section longer than a screen continues on sub-slides: cells are added while their
  estimated height (:func:`cell_height`) fits in :data:`SLIDE_ROOM_PX`; the cell that
  would overflow starts the next sub-slide. A code cell taller than a screen shows its
  code, then its outputs (a figure, a table) on the next sub-slide; what is still taller
  than a screen scrolls;
- every exercise starts a slide of its own, with the cells that follow it (the answer
  cell with its self-check); the solutions, from ``solution-start`` to ``solution-end``,
  are left out;
- what the book leaves out, the deck leaves out too: the cells MyST-NB removes by their
  tags (``remove-cell``, and the input or outputs of ``remove-input``,
  ``remove-output``), among them the cells ``make lab-ready`` adds for JupyterLab alone
  (its exercise and solution headings, the notebook's own glossary), and the front
  matter at the top of the first cell;
- outputs stay: figures, tables, printed text. A figure stored in two forms, its PNG and
  an HTML form of the same PNG (for JupyterLab's alt text), is shown once, as the PNG
  with the cell's alt text, as in the book. A widget needs a live kernel, so its output
  is dropped (the notebook's static table beside it stays);
- what only the book understands is written out for nbconvert: an ``exercise`` block
  becomes a heading "Exercise N.k" (numbered as in the book) with its text, a role such
  as ``{term}`egress``` becomes its text, and a link to another notebook goes to that
  notebook's deck.

Examples
--------
>>> plain_markdown(
...     "The {term}`boundary` and {term}`clusters <cluster>`, "
...     "see [next](02-packets.ipynb#flows)."
... )
'The boundary and clusters, see [next](02-packets.slides.html#flows).'
>>> print(
...     plain_markdown(
...         ":::{exercise}\\n:label: ex-01-nat\\nWhere is the boundary?\\n:::", "1.2"
...     )
... )
### Exercise 1.2
<BLANKLINE>
Where is the boundary?
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import math
import re
import shutil
import struct
import sys
import time
from pathlib import Path
from typing import Sequence

import nbformat

from ingress_egress.course import EXERCISE_PATTERN, TITLE_PATTERN
from ingress_egress.lab import split_front_matter

SLIDE_WIDTH, SLIDE_HEIGHT = 1280, 720
"""The deck's size in CSS pixels (16:9); reveal.js scales it to the screen."""
SLIDE_ROOM_PX = 640
"""The height a slide's content may take: the slide less reveal.js's margin and some
air.
"""
IMAGE_MAX_PX = 560
"""The tallest a figure is shown (the template's CSS caps it there)."""
TEXT_LINE_PX, TEXT_LINE_CHARS, PARAGRAPH_GAP_PX = 36, 100, 20
"""Markdown text in 24 px type: the height of a line, the characters it holds, a
paragraph's gap.
"""
HEADING_PX = {1: 90, 2: 70, 3: 56}
CODE_LINE_PX, TABLE_ROW_PX, PRINTED_LINE_PX = 24, 30, 24
"""A line of code (20 px type), a table row (18 px type), a line of printed output."""
CODE_LINE_CHARS = 95
"""Characters of code or printed output on one line of a slide (longer lines wrap)."""
CELL_PAD_PX, BOX_PAD_PX = 16, 24
"""Around every cell; around a code box or an output."""

TEMPLATE_DIR = Path(__file__).resolve().parent / "slide_template"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REMOVE_CELL, REMOVE_INPUT, REMOVE_OUTPUT = (
    "remove-cell",
    "remove-input",
    "remove-output",
)
"""MyST-NB's tags for what the book leaves out of a cell (the deck follows them)."""
ROLE = re.compile(r"\{[\w:.-]+\}`([^`<]*?)\s*(?:<([^`>]+)>)?`")
NOTEBOOK_LINK = re.compile(r"\]\((\d\d-[\w-]+)\.ipynb")
DIRECTIVE_END = re.compile(r"^:{3,}\s*$", re.MULTILINE)


class SlidesError(RuntimeError):
    """A deck could not be made: names the notebook or the file and what went wrong."""


def plain_markdown(source: str, exercise_number: str | None = None) -> str:
    """A markdown cell's text as nbconvert can render it (see the module's description).

    ``exercise_number`` ("1.2") is given for an exercise cell, whose fence becomes a
    heading.
    """
    text = ROLE.sub(lambda m: m.group(1) or m.group(2), source)
    text = NOTEBOOK_LINK.sub(r"](\1.slides.html", text)
    if exercise_number is not None:
        lines = text.splitlines()
        title = re.sub(r"^:{3,}\{exercise(?:-start)?\}", "", lines[0]).strip()
        body = [line for line in lines[1:] if not re.match(r"^\s*:[\w-]+:", line)]
        body_text = DIRECTIVE_END.sub("", "\n".join(body)).strip()
        heading = f"### Exercise {exercise_number}" + (f": {title}" if title else "")
        text = f"{heading}\n\n{body_text}"
    return text


def _png_size(data: str) -> tuple[int, int]:
    """Width and height of a base64 PNG, from its header."""
    head = base64.b64decode(data[:64])
    return struct.unpack(">II", head[16:24])


def _wrapped_lines(text: str) -> int:
    """Lines of code or printed text on a slide, a long line taking as many as it wraps
    to.
    """
    return sum(
        max(1, math.ceil(len(line) / CODE_LINE_CHARS)) for line in text.splitlines()
    )


def markdown_height(source: str) -> float:
    r"""The estimated height of markdown text on a slide, in CSS pixels.

    A paragraph's source lines flow together; a list item, a table row and a heading
    start a new line; a link shows its text, not its address.

    >>> markdown_height(
    ...     "## Why\n\nOne line that\nflows on.\n\n- a\n- b"
    ... )  # 70, 20, 36, 20, 36 + 36
    218.0
    """
    height, paragraph = 0.0, ""

    def flush() -> float:
        return (
            TEXT_LINE_PX * math.ceil(len(paragraph) / TEXT_LINE_CHARS)
            if paragraph
            else 0.0
        )

    for line in source.splitlines():
        line = re.sub(r"\]\([^)]*\)", "]", line).strip()
        heading = re.match(r"(#{1,6}) ", line)
        starts_item = (
            heading
            or not line
            or line.startswith(("|", "- ", "* "))
            or re.match(r"\d+\. ", line)
        )
        if starts_item:
            height, paragraph = height + flush(), ""
        if not line:
            height += PARAGRAPH_GAP_PX
        elif heading:
            height += HEADING_PX.get(len(heading.group(1)), HEADING_PX[3])
        elif line.startswith("|"):
            height += 0 if re.fullmatch(r"[\s|:-]+", line) else TEXT_LINE_PX
        else:
            paragraph += (" " if paragraph else "") + line
    return height + flush()


def cell_height(cell: dict) -> float:
    r"""How tall a cell shows on a slide (its input and its outputs), estimated in CSS
    pixels.

    Markdown: a text line per source line (more when it is longer than a slide's line),
    headings and paragraph gaps apart. Code: a line per source line. Figures: their
    height as shown, at most :data:`IMAGE_MAX_PX`. Tables: a row per ``<tr>``. Printed
    text: a line per line.

    >>> cell_height(
    ...     {"cell_type": "markdown", "source": "## A section\n\nOne short line."}
    ... )  # 70 + 20 + 36 + 16
    142.0
    >>> cell_height(
    ...     {
    ...         "cell_type": "code",
    ...         "source": "a = 1\nb = 2",
    ...         "outputs": [{"output_type": "stream", "name": "stdout", "text": "3\n"}],
    ...     }
    ... )  # 16 + (2 * 24 + 24) + (24 + 24)
    136.0
    """
    source = (
        cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    )
    height = float(CELL_PAD_PX)
    if cell["cell_type"] != "code":
        return height + markdown_height(source)
    if not cell.get("metadata", {}).get("transient", {}).get("remove_source"):
        height += CODE_LINE_PX * _wrapped_lines(source) + BOX_PAD_PX
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data:
            width, tall = _png_size(data["image/png"])
            height += (
                min(tall * min(1.0, (SLIDE_WIDTH - 80) / width), IMAGE_MAX_PX)
                + BOX_PAD_PX
            )
        elif "text/html" in data:
            markup = (
                data["text/html"]
                if isinstance(data["text/html"], str)
                else "".join(data["text/html"])
            )
            height += TABLE_ROW_PX * markup.count("<tr") + BOX_PAD_PX
        else:
            text = output.get("text") or data.get("text/plain") or ""
            text = text if isinstance(text, str) else "".join(text)
            height += PRINTED_LINE_PX * _wrapped_lines(text) + BOX_PAD_PX
    return height


def _tags(cell: dict) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def slide_outputs(outputs: list, alt: str = "") -> list:
    """A code cell's outputs as a deck shows them: each figure once, with its alt text;
    no widget.

    A figure's output holds its PNG and an HTML form of the same PNG
    (``<img ... src="data:...">``, for JupyterLab), which nbconvert would show instead.
    As in the book, the deck shows the PNG, with the alt text stored beside it
    (``metadata["image/png"]["alt"]``) or else ``alt``, the cell's
    (``mystnb.image.alt``). An HTML output that is not the PNG's own form (a table)
    stays.

    >>> figure = {
    ...     "output_type": "display_data",
    ...     "metadata": {},
    ...     "data": {
    ...         "image/png": "iVBO",
    ...         "text/html": '<img alt="A" src="data:image/png;base64,iVBO"/>',
    ...         "text/plain": "<Figure>",
    ...     },
    ... }
    >>> [
    ...     (sorted(o["data"]), o["metadata"])
    ...     for o in slide_outputs([figure], "Bytes per hour")
    ... ]
    [(['image/png', 'text/plain'], {'image/png': {'alt': 'Bytes per hour'}})]
    """
    kept = []
    for output in outputs:
        data = output.get("data", {})
        if WIDGET_VIEW in data:
            continue
        if "image/png" in data:
            output = copy.deepcopy(output)
            markup = output["data"].get("text/html", "")
            markup = markup if isinstance(markup, str) else "".join(markup)
            if f"data:image/png;base64,{output['data']['image/png']}" in markup:
                del output["data"]["text/html"]
            png = output.setdefault("metadata", {}).setdefault("image/png", {})
            if not png.get("alt") and alt:
                png["alt"] = alt
        kept.append(output)
    return kept


def _screen_sized(cell: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """A code cell taller than a slide, as two cells: its code, then its outputs without
    the code.

    So a figure under a long cell of code gets a screen of its own instead of running
    off the slide. Any other cell is returned as it is.
    """
    if (
        cell.cell_type != "code"
        or not cell.outputs
        or cell_height(cell) <= SLIDE_ROOM_PX
    ):
        return [cell]
    code, outputs = copy.deepcopy(cell), copy.deepcopy(cell)
    code.outputs = []
    outputs.metadata["transient"] = {"remove_source": True}
    if "id" in cell:
        outputs.id = f"{cell.id[:56]}-outputs"
    return [code, outputs]


def slide_copy(notebook: nbformat.NotebookNode, number: str) -> nbformat.NotebookNode:
    """A copy of a course notebook with its slide structure set and its solutions left
    out.

    ``number`` is the notebook's two-digit number, the chapter of its exercises ("01"
    gives "Exercise 1.1", "1.2", ...). Each kept cell gets
    ``metadata.slideshow.slide_type``: ``slide``, ``subslide`` or ``-`` (continues the
    current one).
    """
    deck = copy.deepcopy(notebook)
    deck.metadata.pop("widgets", None)
    first_markdown = next(
        (cell for cell in deck.cells if cell.cell_type == "markdown"), None
    )
    if first_markdown is not None:
        # front matter for JupyterLab (the exercises' numbering)
        first_markdown.source = split_front_matter(first_markdown.source)[1]
    cells = [cell for cell in deck.cells if REMOVE_CELL not in _tags(cell)]
    markdown = "\n\n".join(c.source for c in cells if c.cell_type == "markdown")
    title = TITLE_PATTERN.search(markdown)
    if title:
        deck.metadata["title"] = title.group(1)
    exercises = EXERCISE_PATTERN.findall(markdown)
    # used: the height taken on the current (sub-)slide
    kept, in_solution, used = [], False, 0.0
    for cell in cells:
        if cell.cell_type == "markdown" and "{solution-start}" in cell.source:
            in_solution = True
            continue
        if cell.cell_type == "markdown" and "{solution-end}" in cell.source:
            in_solution = False
            continue
        if in_solution:
            continue
        exercise = (
            EXERCISE_PATTERN.match(cell.source)
            if cell.cell_type == "markdown"
            else None
        )
        if cell.cell_type == "markdown":
            chapter = (
                f"{int(number)}.{exercises.index(exercise.group(1)) + 1}"
                if exercise
                else None
            )
            cell.source = plain_markdown(cell.source, chapter)
        if cell.cell_type == "code":
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            cell.outputs = (
                []
                if REMOVE_OUTPUT in _tags(cell)
                else slide_outputs(cell.get("outputs", []), alt)
            )
            if REMOVE_INPUT in _tags(cell):
                cell.metadata["transient"] = {"remove_source": True}
        for part in _screen_sized(cell):
            height = cell_height(part)
            heading = part.cell_type == "markdown" and part.source.startswith(
                ("# ", "## ")
            )
            if not kept or heading or exercise:
                slide_type, used = "slide", height
            elif used + height > SLIDE_ROOM_PX:
                slide_type, used = "subslide", height
            else:
                slide_type, used = "-", used + height
            part.metadata["slideshow"] = {"slide_type": slide_type}
            kept.append(part)
            exercise = None
    if in_solution:
        raise SlidesError(
            "a solution-start has no solution-end: "
            "the rest of the notebook would be left out"
        )
    deck.cells = kept
    return deck


def _exporter(reveal_prefix: str, mathjax_url: str):
    from nbconvert import SlidesExporter

    exporter = SlidesExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name="course_slides",
        reveal_url_prefix=reveal_prefix,
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        mathjax_url=mathjax_url,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    return exporter


def _copy_assets(reveal: Path, output: Path) -> None:
    """reveal.js (its script, style sheet, white theme and licence) and MathJax, beside
    the decks.
    """
    import jupyter_server_mathjax

    needed = ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css", "LICENSE"]
    missing = [name for name in needed if not (reveal / name).exists()]
    if missing:
        raise SlidesError(
            f"{reveal}: reveal.js is not installed there (missing {missing}); "
            "run npm ci"
        )
    for name in needed:
        (output / "reveal.js" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reveal / name, output / "reveal.js" / name)
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (output / "mathjax" / "MathJax.js").exists():
        shutil.copytree(mathjax, output / "mathjax", dirs_exist_ok=True)


def build_slides(
    notebooks: Sequence[str | Path],
    output: str | Path,
    reveal: str | Path = "node_modules/reveal.js",
) -> list[dict]:
    """Write a deck for each notebook into ``output``, with the assets and an index
    page.

    Returns one entry per deck: ``file``, ``title``, ``slides`` (horizontal) and
    ``screens`` (slides and sub-slides).
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    _copy_assets(Path(reveal), output)
    exporter = _exporter(
        "reveal.js", "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    )
    decks = []
    for path in map(Path, notebooks):
        number = path.name[:2]
        if not number.isdigit():
            raise SlidesError(
                f"{path}: a course notebook's name starts with its number "
                "(NN-name.ipynb)"
            )
        try:
            deck = slide_copy(nbformat.read(path, as_version=4), number)
        except SlidesError as error:
            raise SlidesError(f"{path}: {error}") from None
        body, _ = exporter.from_notebook_node(
            deck, resources={"metadata": {"name": path.stem}}
        )
        target = output / f"{path.stem}.slides.html"
        target.write_text(body, encoding="utf-8")
        types = [cell.metadata["slideshow"]["slide_type"] for cell in deck.cells]
        decks.append(
            {
                "file": target.name,
                "title": deck.metadata.get("title", path.stem),
                "number": number,
                "slides": types.count("slide"),
                "screens": types.count("slide") + types.count("subslide"),
            }
        )
    (output / "index.html").write_text(index_page(decks), encoding="utf-8")
    return decks


def index_page(decks: list[dict]) -> str:
    """The page that lists the decks, with how many slides each has.

    >>> page = index_page(
    ...     [
    ...         {
    ...             "file": "01-a.slides.html",
    ...             "title": "A & B",
    ...             "number": "01",
    ...             "slides": 9,
    ...             "screens": 14,
    ...         }
    ...     ]
    ... )
    >>> '<a href="01-a.slides.html">01 · A &amp; B</a>' in page
    True
    >>> "9 slides, 14 screens" in page
    True
    """
    items = "\n".join(
        f'<li><a href="{deck["file"]}">{deck["number"]} \u00b7 '
        f"{html.escape(deck['title'], quote=False)}</a> "
        f'<span class="count">({deck["slides"]} slides, '
        f"{deck['screens']} screens)</span></li>"
        for deck in decks
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slides: ingress and egress</title>
<link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto;
  padding: 0 1rem; line-height: 1.5; color: #111; background: #fff; }}
a {{ color: #0b4f8a; }}
li {{ margin: 0.3rem 0; }}
.count {{ color: #555; font-size: 0.9em; }}
kbd {{ border: 1px solid #999; border-radius: 3px; padding: 0 0.3em;
  font-size: 0.9em; }}
</style>
</head>
<body>
<main>
<h1>Slides: ingress and egress</h1>
<p>One deck per notebook, for teaching: a slide per section (<kbd>→</kbd>), long
sections continue below (<kbd>↓</kbd>; <kbd>Space</kbd> goes through everything in
order), every exercise on a slide of its own, no solutions. <kbd>Esc</kbd> shows the
overview, <kbd>F</kbd> fills the screen.</p>
<ol>
{items}
</ol>
</main>
</body>
</html>
"""


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ingress_egress.slides NOTEBOOKS_DIR OUTPUT_DIR``: a reveal.js deck
    per course notebook.
    """
    parser = argparse.ArgumentParser(
        prog="python -m ingress_egress.slides", description=main.__doc__
    )
    parser.add_argument(
        "notebooks", help="the folder of the course notebooks (NN-name.ipynb)"
    )
    parser.add_argument("output", help="where to write the decks (e.g. _build/slides)")
    parser.add_argument(
        "--reveal",
        default="node_modules/reveal.js",
        help=(
            "the reveal.js package installed by npm ci "
            "(default: node_modules/reveal.js)"
        ),
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    notebooks = sorted(Path(args.notebooks).glob("[0-9][0-9]-*.ipynb"))
    if not notebooks:
        print(
            f"slides: no course notebooks (NN-name.ipynb) in {args.notebooks}",
            file=sys.stderr,
        )
        return 2
    try:
        decks = build_slides(notebooks, args.output, args.reveal)
    except SlidesError as error:
        print(f"slides: {error}", file=sys.stderr)
        return 2
    print(
        f"{len(decks)} decks, {sum(d['screens'] for d in decks)} screens, "
        f"in {args.output}/index.html ({time.perf_counter() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
