"""Plotting: one figure style for the whole course.

Every figure has a title, axis labels with units, a white background (readable in a dark theme
too) and colours from the Okabe-Ito palette, which stays distinguishable for the common forms of
colour blindness. Notebooks call :func:`use_course_style` once, in their imports cell.

Examples
--------
>>> DIRECTION_COLORS["ingress"], DIRECTION_COLORS["egress"]
('#0072B2', '#D55E00')
>>> human_bytes(1_500_000_000)
'1.50 GB'
>>> human_bytes(512)
'512 B'
"""

from __future__ import annotations

import matplotlib as mpl

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
    except ImportError:  # pragma: no cover - outside Jupyter
        pass


def human_bytes(n: float) -> str:
    """Format a byte count with decimal units (1 kB = 1000 B, 1 GB = 10**9 B), as bills do."""
    value = float(n)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{int(value)} B" if unit == "B" else f"{value:.2f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
