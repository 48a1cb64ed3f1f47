"""The figure-size measure behind the rule that figure text renders at 9 px or more in
the book.
"""

from __future__ import annotations

import base64
import struct

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ingress_egress.plotting import (
    _png_with_text_size,
    rendered_text_px,
    smallest_text_pt,
)  # noqa: E402


@pytest.fixture
def figure():
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set(title="Title", xlabel="x (s)", ylabel="y (B)")
    yield fig, ax
    plt.close(fig)


def test_every_kind_of_text_counts(figure):
    fig, ax = figure
    ax.tick_params(labelsize=12)
    ax.title.set_fontsize(12)
    ax.xaxis.label.set_fontsize(12)
    ax.yaxis.label.set_fontsize(12)
    assert smallest_text_pt(fig) == 12
    ax.legend(fontsize=7)
    assert smallest_text_pt(fig) == 7
    ax.annotate("note", (0.5, 0.5), fontsize=6)
    assert smallest_text_pt(fig) == 6


def test_texts_that_are_not_drawn_do_not_count(figure):
    fig, ax = figure
    ax.tick_params(labelsize=12)
    for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
        text.set_fontsize(12)
    ax.text(0.2, 0.2, "hidden", fontsize=4, visible=False)
    ax.text(0.2, 0.2, "   ", fontsize=4)
    ax.set_xticks([0, 0.5, 1, 5], labels=["0", "½", "1", "five"])
    ax.set_xlim(0, 1)  # the tick at 5 is outside the view
    ax.xaxis.get_major_ticks()[3].label1.set_fontsize(3)
    assert smallest_text_pt(fig) == 12


def test_axes_switched_off_keep_only_their_drawn_texts(figure):
    fig, ax = figure
    ax.tick_params(labelsize=5)
    ax.axis("off")
    ax.text(0.5, 0.5, "node", fontsize=11)
    ax.title.set_fontsize(13)
    assert smallest_text_pt(fig) == 11


def test_the_png_carries_its_smallest_text_at_its_own_resolution(figure):
    fig, ax = figure
    ax.tick_params(labelsize=9)
    data, metadata = _png_with_text_size(fig)
    png = base64.b64decode(data)
    width = struct.unpack(">I", png[16:20])[0]
    assert metadata == {"smallest_text_px": 12.5}  # 9 pt at 100 dpi: 9 * 100 / 72
    assert 300 < width <= 600  # a 6-inch figure at 100 dpi, cropped tight
    assert rendered_text_px(metadata["smallest_text_px"], width) == 12.5


def test_rendered_size_shrinks_with_the_picture():
    assert rendered_text_px(12.0, png_width_px=784) == 12.0
    assert rendered_text_px(12.0, png_width_px=1568) == 6.0
    assert rendered_text_px(12.0, png_width_px=1200, column_px=390) == 3.9


def test_every_charge_category_has_one_okabe_ito_colour():
    from ingress_egress import bills, cloud
    from ingress_egress.plotting import CATEGORY_COLORS, OKABE_ITO

    names = set(bills.TRANSFER_CLASSES) | set(cloud.CATEGORIES)
    assert names <= set(CATEGORY_COLORS), names - set(CATEGORY_COLORS)
    assert set(CATEGORY_COLORS.values()) <= set(
        OKABE_ITO[:7]
    )  # black is kept for non-charges
    # The kinds a figure stacks side by side (the bill's paid classes) never share a
    # colour.
    paid = [
        "internet_out",
        "cdn_out",
        "inter_zone",
        "nat_gateway",
        "inter_region_out",
        "cdn_to_origin",
    ]
    assert len({CATEGORY_COLORS[name] for name in paid}) == len(paid)
