"""Copy each figure's alt text from its cell into the cell's stored outputs, for JupyterLab.

A figure's alt text is written once, in its cell's metadata (``mystnb.image.alt``), where the book
reads it. JupyterLab 4 shows a PNG output without any alt text; it keeps the alt of an image in an
HTML output. The course style therefore gives every figure an HTML form beside its PNG
(:func:`ingress_egress.plotting.figure_html`), but the kernel that draws the figure can't see its
cell's metadata, so it writes a stand-in alt made from the figure's titles. This tool replaces the
stand-in in every stored figure output with the cell's own alt text:

- ``text/html``: the figure's HTML form, the same PNG with the cell's alt (written when missing,
  e.g. in a notebook executed before the course style made it);
- ``metadata["image/png"]["alt"]``: the key ``IPython.display.Image(alt=...)`` writes and nbconvert
  reads.

It changes nothing else, and running it twice changes nothing the second time. ``make execute``
runs it after executing the notebooks; ``tests/test_figures.py`` fails when a stored output
disagrees with its cell. nbval compares the HTML form without its alt and pixels
(``tests/sanitize.cfg``), since a fresh run has the stand-in.

Usage::

    python tools/figure_alt.py notebooks/*.ipynb          # update in place
    python tools/figure_alt.py --check notebooks/*.ipynb  # exit 1 if any would change
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from ingress_egress.plotting import figure_html


class MissingAltText(ValueError):
    """A cell shows a figure but has no alt text in its metadata to copy."""


def cell_alt(cell) -> str:
    """The alt text a cell's metadata gives its figures ('' when none)."""
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")


def copy_alt_texts(notebook, name: str = "<notebook>") -> int:
    """Write each figure cell's alt text into its image outputs; returns how many outputs changed.

    A code cell with a PNG output and no alt text is an error naming the notebook and the cell.
    """
    changed = 0
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        figures = [output for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
        if not figures:
            continue
        alt = cell_alt(cell)
        if not alt.strip():
            raise MissingAltText(
                f"{name}: cell {number} shows a figure but has no alt text in its metadata "
                "(mystnb.image.alt)"
            )
        for output in figures:
            html = figure_html(output["data"]["image/png"].replace("\n", ""), alt)
            metadata = output.setdefault("metadata", {}).setdefault("image/png", {})
            if output["data"].get("text/html") != html or metadata.get("alt") != alt:
                output["data"]["text/html"] = html
                metadata["alt"] = alt
                changed += 1
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    stale = []
    for path in args.notebooks:
        notebook = nbformat.read(path, as_version=4)
        try:
            changed = copy_alt_texts(notebook, str(path))
        except MissingAltText as error:
            print(error, file=sys.stderr)
            return 2
        if changed and args.check:
            stale.append(f"{path}: {changed} figure output(s) without their cell's alt text")
        elif changed:
            nbformat.write(notebook, path)
            print(f"{path}: alt text copied into {changed} figure output(s)")
    if stale:
        print("\n".join(stale + ["run: python tools/figure_alt.py notebooks/*.ipynb"]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
