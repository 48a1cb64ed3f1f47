"""Tests of the generated year of bills (data/billing): deterministic, priced from the
tables, true to its docstring.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ingress_egress import bills, cloud
from ingress_egress.datagen import billing

DATA = Path(__file__).resolve().parents[1] / "data" / "billing"


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    return billing.generate(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def lines() -> pd.DataFrame:
    frame = billing.bill_lines()
    frame["month"] = frame["day"].dt.strftime("%Y-%m")
    return frame


def test_deterministic_and_equal_to_the_shipped_files(generated, tmp_path):
    again = billing.generate(tmp_path)
    assert [p.name for p in generated] == ["cur-2025.csv", "focus-2025.csv"]
    for first, second in zip(generated, again):
        assert first.read_bytes() == second.read_bytes()
        shipped = DATA / first.name
        assert shipped.exists(), (
            f"{shipped} missing: run python -m ingress_egress.datagen"
        )
        assert shipped.read_bytes() == first.read_bytes()
        assert first.stat().st_size < 3_000_000  # a few MB at most


def test_both_formats_read_back_and_classify_to_the_truth(generated, lines):
    cur, focus = (bills.read_bill(path) for path in generated)
    assert cur.attrs["format"] == "cur" and focus.attrs["format"] == "focus"
    assert len(cur) == len(focus) == len(lines)
    assert cur.attrs["missing"] == focus.attrs["missing"] == {"quantity": 0, "cost": 0}
    # The CUR is classified by usage type, the FOCUS file (no usage type) by its
    # descriptions: both must recover the category each line was generated as.
    assert bills.classify_charges(cur).tolist() == lines["category"].tolist()
    assert bills.classify_charges(focus).tolist() == lines["category"].tolist()
    assert cur["cost"].sum() == pytest.approx(focus["cost"].sum())
    assert sorted(cur["month"].unique()) == [f"2025-{m:02d}" for m in range(1, 13)]


def test_docstring_table_matches_the_ground_truth():
    rows = re.findall(
        r"^    (2025-\d\d)((?:\s+\d+){7})$", billing.__doc__, flags=re.MULTILINE
    )
    assert len(rows) == 12
    table = pd.DataFrame(
        [[int(v) for v in values.split()] for _, values in rows],
        index=[month for month, _ in rows],
        columns=list(billing.GROUND_TRUTH_COLUMNS),
    )
    truth = billing.monthly_ground_truth().round(0).astype(int)
    pd.testing.assert_frame_equal(table, truth, check_names=False)


def test_ground_truth_volumes_are_what_the_lines_carry(lines):
    truth = billing.monthly_ground_truth()
    volume = lines.pivot_table(
        index="month", columns="category", values="quantity", aggfunc="sum"
    ).fillna(0)
    for category in (
        "internet_out",
        "internet_in",
        "cdn_out",
        "origin_to_cdn",
        "inter_region_out",
    ):
        assert volume[category].to_numpy() == pytest.approx(
            truth[category].to_numpy(), abs=0.01
        ), category
    # inter_zone lines bill both sides of each crossing GB; nat_gateway lines include
    # the hours (unit Hrs).
    assert volume["inter_zone"].to_numpy() == pytest.approx(
        2 * truth["inter_zone"].to_numpy(), abs=0.01
    )
    nat_gb = (
        lines[(lines["category"] == "nat_gateway") & (lines["unit"] == "GB")]
        .groupby("month")["quantity"]
        .sum()
    )
    assert nat_gb.to_numpy() == pytest.approx(truth["nat_gateway"].to_numpy(), abs=0.01)


def test_monthly_costs_by_hand(lines):
    cost = lines.pivot_table(
        index="month", columns="category", values="cost", aggfunc="sum"
    ).fillna(0)
    # January: 9,000 GB out, 100 free then 0.09.
    assert cost.loc["2025-01", "internet_out"] == pytest.approx(
        (9_000 - 100) * 0.09, abs=0.01
    )
    # April (launch): 33,600 GB: 100 free, 10,240 at 0.09, the remaining 23,260 at
    # 0.085.
    assert cost.loc["2025-04", "internet_out"] == pytest.approx(
        10_240 * 0.09 + 23_260 * 0.085, abs=0.01
    )
    # September CloudFront: 33,065 GB: 1,024 free, 10,240 at 0.085, 21,801 at 0.080.
    assert cost.loc["2025-09", "cdn_out"] == pytest.approx(
        10_240 * 0.085 + 21_801 * 0.080, abs=0.01
    )
    assert (
        cost["origin_to_cdn"].sum() == 0
        and cost["internet_in"].sum() == 0
        and cost["inter_region_in"].sum() == 0
    )


def test_every_month_priced_like_the_engine(lines):
    """The day-by-day tier split must add up to the engine's price of the month's
    volume.
    """
    truth = billing.monthly_ground_truth()
    cost = lines.pivot_table(
        index="month", columns="category", values="cost", aggfunc="sum"
    ).fillna(0)
    for month, row in truth.iterrows():
        assert cost.loc[month, "internet_out"] == pytest.approx(
            cloud.internet_egress_cost(row["internet_out"]), abs=0.01
        )
        assert cost.loc[month, "cdn_out"] == pytest.approx(
            cloud.cdn_egress_cost(row["cdn_out"]), abs=0.01
        )
        assert cost.loc[month, "inter_zone"] == pytest.approx(
            cloud.inter_zone_cost(row["inter_zone"]), abs=0.01
        )
        assert cost.loc[month, "inter_region_out"] == pytest.approx(
            cloud.inter_region_cost(row["inter_region_out"]), abs=0.01
        )
        hours = pd.Period(month).days_in_month * 24 * billing.NAT_GATEWAYS
        assert cost.loc[month, "nat_gateway"] == pytest.approx(
            cloud.nat_gateway_cost(row["nat_gateway"], hours), abs=0.01
        )


def test_the_five_stories_are_in_the_data():
    truth = billing.monthly_ground_truth()
    assert truth.loc["2025-04", "internet_out"] / truth.loc[
        "2025-03", "internet_out"
    ] == pytest.approx(3.5)
    assert truth.loc["2025-03", "inter_zone"] > 10 * truth.loc["2025-02", "inter_zone"]
    assert (
        truth.loc["2025-07", "nat_gateway"] > 40 * truth.loc["2025-05", "nat_gateway"]
    )
    assert (truth.loc[:"2025-07", "cdn_out"] == 0).all() and (
        truth.loc["2025-09":, "cdn_out"] > 0
    ).all()
    assert truth.loc["2025-09", "internet_out"] == pytest.approx(0.15 * 38_900)
    assert (truth.loc[:"2025-09", "inter_region_out"] == 0).all()
    assert (
        truth.loc["2025-10", "inter_region_out"]
        > 20 * truth.loc["2025-11", "inter_region_out"]
    )
