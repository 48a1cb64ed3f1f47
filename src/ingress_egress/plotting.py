"""Plotting: one figure style for the whole course.

Every figure has a title, axis labels with units, a white background (readable in a dark theme
too) and colours from the Okabe-Ito palette, which stays distinguishable for the common forms of
colour blindness. Notebooks call :func:`use_course_style` once, in their imports cell.

Figures must stay readable where they are shown: the book's column is ``BOOK_COLUMN_PX`` wide on a
desktop, and a wider PNG is scaled down to it. In Jupyter, the course style stores beside every
figure's PNG the height of its smallest text (``smallest_text_px``, at the PNG's own resolution),
so a test can compute how large that text renders in the column (:func:`rendered_text_px`) without
re-running the notebook.

Figures must also say what they show to a reader who cannot see them. The alt text of a figure is
written once, in its cell's metadata (``mystnb.image.alt``), where the book takes it from.
JupyterLab 4 shows a PNG output as an ``<img>`` without any alt attribute (it reads neither the
output's metadata nor its ``text/plain``), but it keeps the alt of an image in an HTML output. So
the course style gives every figure an HTML form as well, :func:`figure_html`: the same PNG, with
an alt text. A kernel can't see its cell's metadata, so a freshly run figure gets a stand-in alt
made from its titles (:func:`figure_description`); ``tools/figure_alt.py`` then copies each
cell's alt text into its stored outputs (the HTML form and the PNG's ``alt`` metadata, which
nbconvert reads). The book shows the PNG (``nb_mime_priority_overrides`` in ``_config.yml``).

Examples
--------
>>> DIRECTION_COLORS["ingress"], DIRECTION_COLORS["egress"]
('#0072B2', '#D55E00')
>>> human_bytes(1_500_000_000)
'1.50 GB'
>>> human_bytes(512)
'512 B'
>>> rendered_text_px(smallest_px=12.5, png_width_px=1000)   # scaled to the 784 px column
9.8
>>> figure_html("iVBORw0KGgo=", 'Bytes per minute, "in" above "out"')
'<img class="course-figure" alt="Bytes per minute, &quot;in&quot; above &quot;out&quot;" src="data:image/png;base64,iVBORw0KGgo=" />'
"""

from __future__ import annotations

import html
import re

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text

BOOK_COLUMN_PX = 784
"""Width of the book's text column on a desktop screen, in CSS pixels: wider figures shrink to it."""

MIN_TEXT_PX = 9
"""The smallest text any figure may render at the book's column width, in CSS pixels."""

FIGURE_HTML = re.compile(
    r'<img class="course-figure" alt="(?P<alt>[^"]*)" src="data:image/png;base64,(?P<png>[A-Za-z0-9+/=]*)" />'
)
"""The HTML form of a figure, as :func:`figure_html` writes it (the alt is HTML-escaped)."""

OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
"""Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers."""

DIRECTION_COLORS = {
    "ingress": OKABE_ITO[0],
    "egress": OKABE_ITO[1],
    "internal": OKABE_ITO[2],
    "external": OKABE_ITO[3],
}
"""One colour per direction class, the same in every notebook: ingress blue, egress vermillion."""

CATEGORY_COLORS = {
    "internet_in": OKABE_ITO[0],  # blue, as ingress
    "internet_out": OKABE_ITO[1],  # vermillion, as egress
    "inter_zone": OKABE_ITO[2],  # bluish green
    "nat_gateway": OKABE_ITO[3],  # reddish purple: processing and hours, as the bill's class
    "nat_processing": OKABE_ITO[3],
    "nat_hours": OKABE_ITO[3],
    "endpoint_processing": OKABE_ITO[3],  # an interface endpoint: the other managed gateway in the path
    "endpoint_hours": OKABE_ITO[3],
    "inter_region_out": OKABE_ITO[4],  # orange
    "inter_region_in": OKABE_ITO[4],
    "cdn_out": OKABE_ITO[5],  # sky blue
    "origin_to_cdn": OKABE_ITO[6],  # yellow: between the CDN and its origin, either way
    "cdn_to_origin": OKABE_ITO[6],
}
"""One colour per kind of charge, the same in every notebook (cloud price categories and bill classes).

Eight colours for thirteen names: the ends or parts of one kind of transfer share a colour (the
managed gateways in the path, a NAT gateway and an interface endpoint, with their GB and hours;
leaving and arriving in another region; the two directions between a CDN and its origin), and a
figure that shows two of a family draws them apart by line style or hatching. Internet
ingress and egress keep the colours of :data:`DIRECTION_COLORS`; black stays free for totals, marks and
anything that is not a charge.

>>> CATEGORY_COLORS["internet_out"] == DIRECTION_COLORS["egress"], CATEGORY_COLORS["cdn_out"]
(True, '#56B4E9')
"""


def use_course_style() -> None:
    """Set matplotlib's defaults to the course style (white background, Okabe-Ito colours, PNG)."""
    mpl.rcParams.update(
        {
            "figure.facecolor": "white",
            "axes.facecolor": "white",
            "savefig.facecolor": "white",
            "figure.figsize": (8, 4),
            "figure.dpi": 100,
            "axes.prop_cycle": mpl.cycler(color=OKABE_ITO),
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titleweight": "bold",
            "legend.frameon": False,
            "svg.hashsalt": "ingress-egress",
        }
    )
    try:  # inline backend in Jupyter: PNG only (SVG differs between runs)
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("png")
        _store_text_size_with_each_png()
    except ImportError:  # pragma: no cover - outside Jupyter
        pass


def smallest_text_pt(fig: Figure) -> float:
    """The font size, in points, of the smallest text a figure draws (0 when it draws none).

    Counts every visible, non-empty text: titles, labels, legends, annotations, and the tick labels
    that are inside the axes' view; leaves out the axis texts of axes switched off.

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("A title", fontsize=14); _ = ax.tick_params(labelsize=8)
    >>> smallest_text_pt(fig)
    8.0
    >>> _ = ax.axis("off"); _ = ax.text(0.5, 0.5, "a node", fontsize=11)
    >>> smallest_text_pt(fig)
    11.0
    >>> plt.close(fig)
    """
    axis_texts: set[int] = set()
    sizes: list[float] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            axis.get_ticklabels(), axis.get_ticklabels(minor=True)  # places the ticks
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                axis_texts.update((id(tick.label1), id(tick.label2)))
            axis_texts.update((id(axis.label), id(axis.get_offset_text())))
            if ax.axison and ax.get_visible():
                ticks = (axis.get_major_ticks(len(axis.get_majorticklocs()))
                         + axis.get_minor_ticks(len(axis.get_minorticklocs())))
                low, high = sorted(axis.get_view_interval())
                slack = (high - low) * 1e-9
                in_view = [tick for tick in ticks
                           if tick.get_visible() and low - slack <= tick.get_loc() <= high + slack]
                drawn = [label for tick in in_view for label in (tick.label1, tick.label2)]
                drawn += [axis.label, axis.get_offset_text()]
                sizes += [t.get_fontsize() for t in drawn if _drawn(t)]
    sizes += [t.get_fontsize() for t in fig.findobj(Text) if id(t) not in axis_texts and _drawn(t)]
    return float(min(sizes, default=0.0))


def _drawn(text: Text) -> bool:
    return text.get_visible() and bool(text.get_text().strip()) and text.get_alpha() != 0


def smallest_text_px(fig: Figure, dpi: float | None = None) -> float:
    """The height of the figure's smallest text in the pixels of its PNG (points × dpi / 72)."""
    return smallest_text_pt(fig) * (dpi or fig.dpi) / 72


def rendered_text_px(smallest_px: float, png_width_px: int, column_px: int = BOOK_COLUMN_PX) -> float:
    """How tall the smallest text renders when a PNG ``png_width_px`` wide is shown in the column.

    A PNG wider than the column is scaled down to fit it; a narrower one keeps its size.

    >>> rendered_text_px(10.0, png_width_px=600)
    10.0
    >>> rendered_text_px(10.0, png_width_px=1568)
    5.0
    """
    return round(smallest_px * min(1.0, column_px / png_width_px), 2)


def figure_html(png_base64: str, alt: str) -> str:
    """A figure's HTML form: its PNG (base64) in an ``<img>`` with an alt text, for JupyterLab."""
    return (f'<img class="course-figure" alt="{html.escape(alt, quote=True)}" '
            f'src="data:image/png;base64,{png_base64}" />')


def figure_description(fig: Figure) -> str:
    """A stand-in alt text made from a figure's titles, for a figure whose cell the kernel can't see.

    >>> import matplotlib.pyplot as plt
    >>> fig, (left, right) = plt.subplots(1, 2)
    >>> _ = left.set_title("Ingress"); _ = right.set_title("Egress")
    >>> figure_description(fig)
    'Figure: Ingress; Egress'
    >>> _ = fig.suptitle("Bytes per hour")
    >>> figure_description(fig)
    'Figure: Bytes per hour'
    >>> plt.close(fig)
    """
    if fig._suptitle is not None and fig._suptitle.get_text().strip():
        titles = [fig._suptitle.get_text()]
    else:
        titles = [title.get_text() for ax in fig.axes
                  for title in (ax.title, ax._left_title, ax._right_title) if title.get_text().strip()]
    return "Figure: " + "; ".join(" ".join(t.split()) for t in titles) if titles else "Figure"


def _png_with_text_size(fig: Figure):
    """IPython PNG formatter: the figure as PNG, with its smallest text height as metadata."""
    from IPython.core.pylabtools import print_figure

    data = print_figure(fig, fmt="png", base64=True, bbox_inches="tight")
    if data is None:
        return None
    return data, {"smallest_text_px": round(smallest_text_px(fig), 2)}


def _figure_bundle(fig: Figure, include=None, exclude=None):
    """IPython mime-bundle formatter: the PNG with its text size, and its HTML form with an alt text."""
    png = _png_with_text_size(fig)
    if png is None:
        return None
    data, metadata = png
    alt = figure_description(fig)
    return ({"image/png": data, "text/html": figure_html(data, alt)},
            {"image/png": {**metadata, "alt": alt}})


def _store_text_size_with_each_png() -> None:
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        formatters = shell.display_formatter
        # One rendering gives both forms: the PNG formatter that set_matplotlib_formats registered
        # would take precedence over the bundle, so it goes.
        formatters.formatters["image/png"].pop(Figure, None)
        formatters.mimebundle_formatter.for_type(Figure, _figure_bundle)


def human_bytes(n: float) -> str:
    """Format a byte count with decimal units (1 kB = 1000 B, 1 GB = 10**9 B), as bills do."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.2f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
