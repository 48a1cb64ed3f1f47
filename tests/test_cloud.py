"""Tests of the cost engine against figures computed by hand from data/prices, and of
its errors.

Every expected value below is written as the arithmetic that produces it from the price
rows (read the CSV, not the code), so a wrong tier walk, a double-counted free allowance
or a wrong number of billed sides shows up as a wrong total.
"""

from __future__ import annotations

import math
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from ingress_egress import cloud

SHARED = Path(__file__).resolve().parents[2] / "shared"
FOCUS_SAMPLE = SHARED / "real-billing" / "focus_sample.csv"
PRICES = Path(__file__).resolve().parents[1] / "data" / "prices"


# ---- internet egress: free allowance and tiers (aws us-east-1 rows of
# data/prices/aws.csv) -------------


@pytest.mark.parametrize(
    ("gb", "expected"),
    [
        (0, 0.0),
        (100, 0.0),  # exactly the free allowance
        (101, 1 * 0.09),
        (10_340, 10_240 * 0.09),  # free 100 + the whole first tier
        (12_000, 10_240 * 0.09 + 1_660 * 0.085),
        (51_300, 10_240 * 0.09 + 40_960 * 0.085),
        (60_000, 10_240 * 0.09 + 40_960 * 0.085 + 8_700 * 0.07),
        (200_000, 10_240 * 0.09 + 40_960 * 0.085 + 102_400 * 0.07 + 46_300 * 0.05),
    ],
)
def test_aws_internet_egress_by_hand(gb, expected):
    assert cloud.internet_egress_cost(gb) == pytest.approx(expected)


def test_tiers_price_only_their_own_units():
    # Crossing into the 0.085 tier must not re-price the units below it at 0.085.
    below = cloud.internet_egress_cost(10_340)
    above = cloud.internet_egress_cost(10_341)
    assert above - below == pytest.approx(0.085)
    assert cloud.internet_egress_cost(12_000) != pytest.approx(11_900 * 0.085)


def test_marginal_price_steps():
    assert [
        cloud.marginal_price(v) for v in (0, 99.9, 100, 10_339, 10_340, 60_000, 1e6)
    ] == [
        0.0,
        0.0,
        0.09,
        0.09,
        0.085,
        0.07,
        0.05,
    ]


def test_other_regions_and_providers_by_hand():
    # ap-northeast-1: free 100, then 0.114 (FOCUS list price for Tokyo).
    assert cloud.internet_egress_cost(5_000, "aws", "ap-northeast-1") == pytest.approx(
        4_900 * 0.114
    )
    # Google Cloud, Premium Tier from North America: 1 GiB free, then 0.12 to 1,025,
    # 0.11 to 10,241, 0.08 beyond.
    assert cloud.internet_egress_cost(20_000, "gcp", "north-america") == pytest.approx(
        1_024 * 0.12 + 9_216 * 0.11 + 9_759 * 0.08
    )
    # Azure: first 100 GB free, then 0.087 (FOCUS list price for "Standard Data Transfer
    # Out").
    assert cloud.internet_egress_cost(5_000, "azure", "eastus") == pytest.approx(
        4_900 * 0.087
    )
    assert cloud.internet_ingress_cost(5_000, "gcp", "north-america") == 0.0


def test_table_that_stops_refuses_to_guess_beyond_it():
    assert cloud.coverage("azure", "eastus", "internet_out") == 10_000
    assert cloud.internet_egress_cost(10_000, "azure", "eastus") == pytest.approx(
        9_900 * 0.087
    )
    with pytest.raises(ValueError, match=r"covers 10,000 GB a month; 10,001 GB asked"):
        cloud.internet_egress_cost(10_001, "azure", "eastus")


def test_tier_breakdown_lines():
    lines = cloud.tier_breakdown(60_000)
    assert lines["quantity"].tolist() == [100, 10_240, 40_960, 8_700]
    assert lines["quantity"].sum() == 60_000
    assert lines["evidence"].tolist() == [
        "primary-page",
        "primary-bill",
        "primary-bill",
        "secondary",
    ]


# ---- the other categories ------------------------------------------------------------


def test_inter_zone_is_billed_on_both_sides():
    # 1,500 GB cross: 1,500 out of one zone + 1,500 into the other, each at 0.01.
    assert cloud.inter_zone_cost(1_500) == pytest.approx(2 * 1_500 * 0.01)


def test_inter_region_and_nat_and_cdn_by_hand():
    assert cloud.inter_region_cost(2_500) == pytest.approx(2_500 * 0.02)
    assert cloud.inter_region_cost(2_500, region="ap-northeast-1") == pytest.approx(
        2_500 * 0.09
    )
    assert cloud.tiered_cost(2_500, "aws", "us-west-2", "inter_region_in") == 0.0
    # NAT: 30,000 GB processed + 3 gateways for a 31-day month (3 x 744 hours).
    assert cloud.nat_gateway_cost(30_000, 3 * 744) == pytest.approx(
        30_000 * 0.045 + 2_232 * 0.045
    )
    # CloudFront North America: 1,024 free, then 10,240 at 0.085, 40,960 at 0.080, then
    # 0.060.
    assert cloud.cdn_egress_cost(60_000) == pytest.approx(
        10_240 * 0.085 + 40_960 * 0.080 + 7_776 * 0.060
    )
    assert cloud.cdn_egress_cost(1_024) == 0.0
    assert cloud.origin_to_cdn_cost(9_999) == 0.0


def test_cdn_and_origin_are_priced_by_direction():
    # Origin -> CloudFront is free; CloudFront -> origin (uploads forwarded) is 0.02 per
    # GB from US edges, with no free allowance: 2,000 GB of uploads through CloudFront
    # cost 40 USD.
    assert cloud.origin_to_cdn_cost(2_000) == 0.0
    assert cloud.cdn_to_origin_cost(2_000) == pytest.approx(2_000 * 0.02)
    month = cloud.month_cost(
        {"cdn_out": 5_000, "origin_to_cdn": 500, "cdn_to_origin": 2_000}
    )
    got = dict(zip(month["category"], month["usd"]))
    assert got["cdn_to_origin"] == pytest.approx(40.0) and got["origin_to_cdn"] == 0.0
    where = dict(zip(month["category"], month["region"]))
    assert (
        where["cdn_to_origin"] == "north-america"
        and where["origin_to_cdn"] == "us-east-1"
    )
    assert got["total"] == pytest.approx((5_000 - 1_024) * 0.085 + 40.0)


def test_the_old_cdn_origin_name_says_what_replaced_it():
    with pytest.raises(
        ValueError,
        match="'cdn_origin' was split into origin_to_cdn .* and cdn_to_origin",
    ):
        cloud.month_cost({"cdn_origin": 100})
    with pytest.raises(ValueError, match="was split into"):
        cloud.price_table("aws", "us-east-1", "cdn_origin")


def test_google_standard_tier_by_hand():
    # Standard Tier from North America: 200 GiB free, 0.085 to 10,240 GiB, 0.065 to
    # 153,600, 0.045 to 512,000.
    standard = "north-america-standard"
    assert cloud.internet_egress_cost(200, "gcp", standard) == 0.0
    assert cloud.internet_egress_cost(1_000, "gcp", standard) == pytest.approx(
        800 * 0.085
    )
    assert cloud.internet_egress_cost(10_000, "gcp", standard) == pytest.approx(
        9_800 * 0.085
    )
    assert cloud.internet_egress_cost(20_000, "gcp", standard) == pytest.approx(
        10_040 * 0.085 + 9_760 * 0.065
    )
    assert cloud.coverage("gcp", standard, "internet_out") == 500 * 1_024
    # Premium for the same 10,000 GiB: 1 free, 1,024 at 0.12, 8,975 at 0.11.
    premium = cloud.internet_egress_cost(10_000, "gcp", "north-america")
    assert premium == pytest.approx(1_024 * 0.12 + 8_975 * 0.11)
    assert premium - cloud.internet_egress_cost(
        10_000, "gcp", standard
    ) == pytest.approx(1_024 * 0.12 + 8_975 * 0.11 - 9_800 * 0.085)


def test_traffic_between_zones_by_provider():
    # 1,000 units cross: AWS bills both sides (0.01 + 0.01), Google the sending side
    # (0.01), Azure nothing.
    assert cloud.inter_zone_cost(1_000) == pytest.approx(2 * 1_000 * 0.01)
    assert cloud.inter_zone_cost(1_000, "gcp", "north-america") == pytest.approx(
        1_000 * 0.01
    )
    assert cloud.inter_zone_cost(1_000, "azure", "eastus") == 0.0


def test_month_cost_lines_and_total():
    month = cloud.month_cost(
        {
            "internet_out": 12_000,
            "inter_zone": 3_000,
            "nat_processing": 2_000,
            "nat_hours": 720,
            "cdn_out": 5_000,
            "internet_in": 4_000,
        }
    )
    expected = {
        "internet_in": 0.0,
        "internet_out": 10_240 * 0.09 + 1_660 * 0.085,
        "inter_zone": 2 * 3_000 * 0.01,
        "nat_processing": 2_000 * 0.045,
        "nat_hours": 720 * 0.045,
        "cdn_out": (5_000 - 1_024) * 0.085,
    }
    assert month["category"].tolist() == [
        "internet_in",
        "internet_out",
        "inter_zone",
        "nat_processing",
        "nat_hours",
        "cdn_out",
        "total",
    ]
    got = dict(zip(month["category"], month["usd"]))
    for category, usd in expected.items():
        assert got[category] == pytest.approx(usd), category
    assert got["total"] == pytest.approx(sum(expected.values()))
    assert month.loc[month["category"] == "cdn_out", "region"].item() == "north-america"
    assert month.loc[month["category"] == "nat_hours", "unit"].item() == "hour"


def test_units():
    assert cloud.billing_unit("aws") == ("GB", 2**30)
    assert cloud.billing_unit("gcp") == ("GiB", 2**30)
    unit, size = cloud.billing_unit("azure")
    assert unit == "GB" and math.isnan(size)
    assert cloud.to_billing_units(5 * 2**30, "gcp") == 5.0
    with pytest.raises(ValueError, match="definition"):
        cloud.to_billing_units(1, "azure")


# ---- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: cloud.internet_egress_cost(10, provider="ibm"),
            ValueError,
            r"unknown provider 'ibm'; known providers: aws, azure, gcp",
        ),
        (
            lambda: cloud.internet_egress_cost(10, region="moon-1"),
            ValueError,
            r"known regions: .*us-east-1",
        ),
        (
            lambda: cloud.tiered_cost(10, "aws", "us-east-1", "egress"),
            ValueError,
            r"unknown category 'egress'; known categories: internet_in",
        ),
        (
            lambda: cloud.nat_gateway_cost(10, 5, provider="gcp"),
            ValueError,
            r"no nat_processing price for gcp .* gcp has: internet_in, internet_out",
        ),
        (lambda: cloud.internet_egress_cost(-5), ValueError, r">= 0, got -5"),
        (lambda: cloud.internet_egress_cost(float("nan")), ValueError, r"finite"),
        (lambda: cloud.internet_egress_cost(float("inf")), ValueError, r"finite"),
        (lambda: cloud.internet_egress_cost("12"), TypeError, r"got str '12'"),
        (lambda: cloud.internet_egress_cost(True), TypeError, r"got bool"),
        (lambda: cloud.internet_egress_cost(None), TypeError, r"got NoneType"),
        (
            lambda: cloud.nat_gateway_cost(10, -1),
            ValueError,
            r"hours: expected a volume >= 0",
        ),
        (
            lambda: cloud.month_cost({"inter_zone": "lots"}),
            TypeError,
            r"inter_zone: expected a number",
        ),
        (lambda: cloud.month_cost([("internet_out", 5)]), TypeError, r"mapping"),
    ],
)
def test_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def _copy_prices(tmp_path: Path) -> Path:
    target = tmp_path / "prices"
    shutil.copytree(PRICES, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_malformed_price_tables_name_file_line_and_column(tmp_path):
    prices = _copy_prices(tmp_path)
    gcp = prices / "gcp.csv"
    _edit(gcp, ",0.11,", ",eleven cents,")
    line = next(
        i
        for i, text in enumerate(gcp.read_text().splitlines(), start=1)
        if "eleven cents" in text
    )
    with pytest.raises(
        ValueError,
        match=rf"gcp.csv: line {line}: column 'usd_per_unit': "
        r"expected a number, got 'eleven cents'",
    ):
        cloud.load_prices(prices)


def test_gap_between_tiers_is_an_error(tmp_path):
    prices = _copy_prices(tmp_path)
    _edit(prices / "gcp.csv", "north-america,1025,10241,", "north-america,1030,10241,")
    with pytest.raises(
        ValueError,
        match=r"gcp.csv: line \d+: column 'tier_start': tiers of gcp "
        r"internet_out north-america must start where the "
        r"previous tier ends \(1025\), got 1030",
    ):
        cloud.load_prices(prices)


def test_missing_column_and_bad_category(tmp_path):
    prices = _copy_prices(tmp_path)
    _edit(prices / "azure.csv", ",evidence,", ",proof,")
    with pytest.raises(
        ValueError, match=r"azure.csv: line 1: missing column\(s\) evidence"
    ):
        cloud.load_prices(prices)
    prices = _copy_prices(tmp_path / "again")
    _edit(prices / "azure.csv", ",inter_region_out,", ",between_regions,")
    with pytest.raises(
        ValueError, match=r"column 'category': expected one of .* got 'between_regions'"
    ):
        cloud.load_prices(prices)


def test_empty_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no price tables"):
        cloud.load_prices(tmp_path)


# ---- the tables themselves -----------------------------------------------------------


def test_every_price_says_where_it_came_from():
    prices = cloud.load_prices()
    assert prices["source"].str.len().min() > 10
    # Prices looked up on 2026-11-27; rows added or re-checked later (interface
    # endpoints, Google's Standard Tier and zones, Azure's zones, CloudFront to the
    # origin, AWS's free allowance) on 2026-12-02.
    assert set(prices["read_on"]) == {
        "2026-11-27",
        "2026-12-02",
        "2024-09 billing period",
    }
    # FOCUS evidence carries the billing period, looked-up prices carry the date they
    # were read.
    assert (
        prices.loc[prices["evidence"] == "primary-bill", "read_on"]
        == "2024-09 billing period"
    ).all()
    assert (
        prices.loc[prices["evidence"] != "primary-bill", "read_on"]
        .isin(["2026-11-27", "2026-12-02"])
        .all()
    )
    assert (
        prices.loc[prices["evidence"] == "primary-bill", "source"].str.startswith(
            "FOCUS 1.0 sample"
        )
    ).all()
    # Every data unit names its definition.
    data = prices[prices["unit"] != "hour"]
    assert data["unit_definition"].str.contains("2\\^30|uncertain").all()


def test_the_aws_free_allowance_cites_the_providers_own_page():
    # The 100 GB a month is stated on the EC2 pricing page: primary-page, not second
    # hand.
    free = cloud.load_prices().query(
        "provider == 'aws' and category == 'internet_out' and tier_end == 100"
    )
    assert len(free) >= 2
    assert (free["evidence"] == "primary-page").all()
    assert (
        free["source"]
        .str.startswith("https://aws.amazon.com/ec2/pricing/on-demand/")
        .all()
    )
    assert (
        free["note"]
        .str.contains(
            "AWS customers receive 100GB of data transfer out to the internet free"
        )
        .all()
    )


@pytest.mark.shared
def test_primary_bill_prices_are_in_the_focus_sample():
    """Each price marked primary-bill quotes a ChargeDescription: it must be in the
    sample at that list price.
    """
    if not FOCUS_SAMPLE.exists():
        pytest.skip(
            f"../shared/real-billing not present: {FOCUS_SAMPLE} (the "
            "FOCUS sample lives beside the repository)"
        )
    sample = pd.read_csv(FOCUS_SAMPLE, keep_default_na=False, dtype=str)
    prices = cloud.load_prices()
    checked = 0
    for row in prices[prices["evidence"] == "primary-bill"].itertuples():
        quoted = re.match(r"'([^']+)'", row.note)
        assert quoted, (
            f"{row.file}: line {row.line}: a primary-bill note must "
            "start with the quoted ChargeDescription"
        )
        lines = sample[(sample["ChargeDescription"] == quoted.group(1))]
        region = re.search(r"with RegionId (\S+) \((\d+) lines?\)", row.note)
        if region:
            lines = lines[lines["RegionId"] == region.group(1)]
            assert len(lines) == int(region.group(2)), (
                f"{row.file}: line {row.line}: line count"
            )
        assert len(lines) > 0, (
            f"{row.file}: line {row.line}: {quoted.group(1)!r} not in the sample"
        )
        assert (lines["ListUnitPrice"].astype(float) == row.usd_per_unit).all(), (
            f"{row.file}: line {row.line}"
        )
        checked += 1
    assert checked >= 30


def test_cost_curve_matches_one_by_one_and_checks_input():
    volumes = [0, 50, 100, 5_000, 10_340, 60_000, 200_000]
    assert cloud.cost_curve(volumes).tolist() == pytest.approx(
        [cloud.internet_egress_cost(v) for v in volumes]
    )
    assert cloud.cost_curve([1_500], category="inter_zone").tolist() == pytest.approx(
        [2 * 1_500 * 0.01]
    )
    with pytest.raises(ValueError, match="covers 10,000 GB"):
        cloud.cost_curve([5_000, 20_000], "azure", "eastus")
    with pytest.raises(ValueError, match="finite volumes >= 0"):
        cloud.cost_curve([1, -2])
