"""Cloud: what moving data into, out of and around a cloud costs, from price tables that
cite their sources.

A cloud provider bills the bytes that cross its boundaries, and which boundary decides
the price:

=================== ======================================= ============================
category            what crosses                            typical AWS list price
=================== ======================================= ============================
internet_in         internet -> region (uploads: ingress)   free
internet_out        region -> internet (downloads: egress), 0.09 USD/GB, falling
                    tiered
inter_zone          one availability zone -> another, same  0.01 USD/GB on each side
                    region
inter_region_out    one region -> another (charged at the   0.02 USD/GB and up
                    source)
inter_region_in     arriving from another region            free
nat_processing      every GB through a managed NAT gateway, 0.045 USD/GB
                    either way
nat_hours           each hour a NAT gateway exists          0.045 USD/hour
endpoint_hours      each hour an interface VPC endpoint     0.01 USD/hour
                    exists, per zone
endpoint_processing every GB through an interface VPC       0.01 USD/GB
                    endpoint
cdn_out             CDN edge -> internet, tiered            0.085 USD/GB, falling
origin_to_cdn       origin in the cloud -> CDN edge (origin free from AWS origins
                    fetches)
cdn_to_origin       CDN edge -> origin (uploads, POST/PUT   0.02 USD/GB from US edges
                    forwarded)
=================== ======================================= ============================

Who bills a transfer differs by provider: AWS bills traffic between zones on both sides
(out of one zone and into the other), Google Cloud only on the sending side, Azure not
at all (the ``billed_sides`` column and the rows of each table say which). ``cdn_out``
and ``cdn_to_origin`` are priced by the CDN edge's geography (``north-america``), the
others by region.

The prices live in ``data/prices/<provider>.csv``, one row per price: provider, service,
category, region (or source geography), tier start and end, unit and how many bytes it
means, how many sides of a transfer are billed, USD per unit, the source, the date it
was read and an evidence level (``primary-bill``: a list price carried by the real FOCUS
billing sample, September 2024; ``primary-page``: the provider's own page;
``secondary``: only a third-party source). Nothing in this module knows a price: it
reads the tables.

Volumes are in the provider's billing unit, the unit its bill shows: GB for AWS (2^30
bytes per AWS's own statement for S3 storage; not stated for data transfer, so uncertain
there), GiB (2^30 bytes) for Google Cloud, GB for Azure (definition not found:
:func:`to_billing_units` refuses to guess).

How a month is priced: the free allowance (the first rows at price 0) is taken off
first, then each tier prices only the units that fall inside it, so crossing 10 TB does
not re-price the first 10 TB. A table that stops (no open-ended last tier) covers
volumes up to its last tier end and no further: asking beyond it is an error, not a
guess.

Examples
--------
>>> round(internet_egress_cost(12_000), 2)  # 100 free, 10,240 at 0.09, 1,660 at 0.085
1062.7
>>> internet_egress_cost(80)  # inside the free allowance
0.0
>>> inter_zone_cost(1_000)  # 1,000 GB across zones, 0.01 on each side
20.0
>>> month_cost({"internet_out": 12_000, "inter_zone": 3_000})["usd"].round(2).tolist()
[1062.7, 60.0, 1122.7]
"""

from __future__ import annotations

import csv
import math
import numbers
import reprlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

CATEGORIES = (
    "internet_in",
    "internet_out",
    "inter_zone",
    "inter_region_out",
    "inter_region_in",
    "nat_processing",
    "nat_hours",
    "endpoint_hours",
    "endpoint_processing",
    "cdn_out",
    "origin_to_cdn",
    "cdn_to_origin",
)
"""The price categories, in the order the course shows them."""

RENAMED_CATEGORIES = {
    "cdn_origin": "origin_to_cdn (origin -> CDN, free from AWS origins) "
    "and cdn_to_origin (CDN -> origin, billed)",
}
"""Categories of earlier editions and what replaced them, named in the error for an old
name.
"""

CDN_EDGE_CATEGORIES = ("cdn_out", "cdn_to_origin")
"""Categories priced by the CDN edge's geography rather than by region (CloudFront bills
them).
"""

PRICE_COLUMNS = (
    "provider",
    "service",
    "category",
    "region",
    "tier_start",
    "tier_end",
    "unit",
    "bytes_per_unit",
    "unit_definition",
    "billed_sides",
    "usd_per_unit",
    "source",
    "read_on",
    "evidence",
    "note",
)
"""The columns every price table must have."""

EVIDENCE_LEVELS = ("primary-bill", "primary-page", "secondary")
"""How a price is known: from a real bill's list price, from the provider's own page, or
only second hand.
"""

GB = 10**9
"""A decimal gigabyte, in bytes."""

GIB = 2**30
"""A binary gigabyte (gibibyte), in bytes."""

DEFAULT_PRICES_DIR = Path(__file__).resolve().parents[2] / "data" / "prices"
"""``data/prices`` of the course repository (the package is installed in editable
mode).
"""

PRICES_READ_ON = "2026-11-27"
"""When most prices on provider and third-party pages were read (FOCUS prices: September
2024).

Rows added or re-checked later carry their own date in ``read_on`` (2026-12-02 for the
interface endpoint prices, the Google Standard Tier, traffic between zones at Google and
Azure, CloudFront to the origin, and AWS's free allowance on its EC2 pricing page).
"""


# --------------------------------------------------------------------------------------
# Loading and checking the tables
# --------------------------------------------------------------------------------------


def _number(
    text: str, where: str, column: str, *, blank=None, minimum: float = 0.0
) -> float:
    """Parse one numeric cell, or raise a ValueError naming the file, line and
    column.
    """
    text = text.strip()
    if text == "":
        if blank is None:
            raise ValueError(
                f"{where}: column {column!r}: expected a number, got an empty cell"
            )
        return blank
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{where}: column {column!r}: expected a number, got {text!r}"
        ) from None
    if not math.isfinite(value) or value < minimum:
        raise ValueError(
            f"{where}: column {column!r}: expected a finite "
            f"number >= {minimum:g}, got {text!r}"
        )
    return value


def _read_table(path: Path) -> list[dict]:
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in PRICE_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{path}: line 1: missing column(s) {', '.join(missing)}; expected "
                f"{', '.join(PRICE_COLUMNS)}"
            )
        for record in reader:
            where = f"{path}: line {reader.line_num}"
            if None in record:
                raise ValueError(
                    f"{where}: more cells than the "
                    f"{len(reader.fieldnames)} columns of the header"
                )
            category = record["category"].strip()
            if category not in CATEGORIES:
                raise ValueError(
                    f"{where}: column 'category': expected one of "
                    f"{', '.join(CATEGORIES)}, got {category!r}"
                )
            evidence = record["evidence"].strip()
            if evidence not in EVIDENCE_LEVELS:
                raise ValueError(
                    f"{where}: column 'evidence': expected one of "
                    f"{', '.join(EVIDENCE_LEVELS)}, got {evidence!r}"
                )
            for column in ("provider", "region", "unit", "source", "read_on"):
                if not record[column].strip():
                    raise ValueError(
                        f"{where}: column {column!r}: expected a "
                        "value, got an empty cell"
                    )
            start = _number(record["tier_start"], where, "tier_start")
            end = _number(record["tier_end"], where, "tier_end", blank=math.inf)
            if end <= start:
                raise ValueError(
                    f"{where}: column 'tier_end': expected more than "
                    f"tier_start {start:g}, got {end:g}"
                )
            sides = _number(record["billed_sides"], where, "billed_sides", minimum=1)
            if sides != int(sides):
                raise ValueError(
                    f"{where}: column 'billed_sides': expected a whole "
                    f"number, got {record['billed_sides']!r}"
                )
            rows.append(
                {
                    **{c: record[c].strip() for c in PRICE_COLUMNS},
                    "provider": record["provider"].strip().lower(),
                    "tier_start": start,
                    "tier_end": end,
                    "bytes_per_unit": _number(
                        record["bytes_per_unit"],
                        where,
                        "bytes_per_unit",
                        blank=math.nan,
                        minimum=1,
                    ),
                    "billed_sides": int(sides),
                    "usd_per_unit": _number(
                        record["usd_per_unit"], where, "usd_per_unit"
                    ),
                    "file": path.name,
                    "line": reader.line_num,
                }
            )
    return rows


def _check_tiers(prices: pd.DataFrame) -> None:
    """Each (provider, category, region) must start at 0 and run without gaps or
    overlaps.
    """
    for (provider, category, region), table in prices.groupby(
        ["provider", "category", "region"], sort=True
    ):
        table = table.sort_values("tier_start")
        expected = 0.0
        for row in table.itertuples():
            where = f"{row.file}: line {row.line}"
            if row.tier_start != expected:
                what = (
                    "start at 0"
                    if expected == 0
                    else f"start where the previous tier ends ({expected:g})"
                )
                raise ValueError(
                    f"{where}: column 'tier_start': tiers of {provider} {category} "
                    f"{region} must {what}, got {row.tier_start:g}"
                )
            expected = row.tier_end
        if table["billed_sides"].nunique() != 1 or table["unit"].nunique() != 1:
            row = table.iloc[0]
            raise ValueError(
                f"{row.file}: line {row.line}: the tiers of {provider} "
                f"{category} {region} disagree on unit or billed_sides"
            )


@lru_cache(maxsize=8)
def _load(prices_dir: str) -> pd.DataFrame:
    directory = Path(prices_dir)
    paths = sorted(directory.glob("*.csv"))
    if not paths:
        raise FileNotFoundError(f"{directory}: no price tables (*.csv) found")
    rows = [row for path in paths for row in _read_table(path)]
    prices = pd.DataFrame(rows)
    _check_tiers(prices)
    return prices.sort_values(
        ["provider", "category", "region", "tier_start"], ignore_index=True
    )


def load_prices(prices_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and check every ``*.csv`` price table in ``prices_dir`` (default: the
    course's ``data/prices``).

    Tier bounds are floats in the table's unit, an open last tier ends at ``inf``;
    ``file`` and ``line`` say where each price came from. A malformed table raises a
    ValueError naming the file, line and column.

    >>> prices = load_prices()
    >>> sorted(prices["provider"].unique())
    ['aws', 'azure', 'gcp']
    >>> sorted(prices["evidence"].unique())
    ['primary-bill', 'primary-page', 'secondary']
    """
    directory = Path(prices_dir) if prices_dir is not None else DEFAULT_PRICES_DIR
    return _load(str(directory.resolve())).copy()


def _prices(prices: pd.DataFrame | None) -> pd.DataFrame:
    return load_prices() if prices is None else prices


def _check_category(category) -> None:
    """A ValueError for a name that is not a category, saying what replaced it if it is
    an old one.
    """
    if category in CATEGORIES:
        return
    if category in RENAMED_CATEGORIES:
        raise ValueError(
            f"category {category!r} was split into {RENAMED_CATEGORIES[category]}"
        )
    raise ValueError(
        f"unknown category {category!r}; known categories: {', '.join(CATEGORIES)}"
    )


def price_table(
    provider: str, region: str, category: str, prices: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The tiers of one price, sorted: unknown provider, category or region is an error
    listing what is known.

    >>> price_table("aws", "us-east-1", "internet_out")[
    ...     ["tier_start", "tier_end", "usd_per_unit"]
    ... ].values.tolist()
    [[0.0, 100.0, 0.0], [100.0, 10340.0, 0.09], [10340.0, 51300.0, 0.085],
     [51300.0, 153700.0, 0.07], [153700.0, inf, 0.05]]
    >>> price_table("aws", "mars-north-1", "internet_out")
    Traceback (most recent call last):
    ...
    ValueError: no internet_out price for aws in region 'mars-north-1'; known regions:
        ap-northeast-1, ap-south-1, eu-central-1, us-east-1, us-west-2
    """
    prices = _prices(prices)
    providers = sorted(prices["provider"].unique())
    if not isinstance(provider, str) or provider.lower() not in providers:
        raise ValueError(
            f"unknown provider {provider!r}; known providers: {', '.join(providers)}"
        )
    provider = provider.lower()
    _check_category(category)
    mine = prices[prices["provider"] == provider]
    rows = mine[mine["category"] == category]
    if rows.empty:
        have = [c for c in CATEGORIES if c in set(mine["category"])]
        raise ValueError(
            f"no {category} price for {provider} in the tables; "
            f"{provider} has: {', '.join(have)}"
        )
    table = rows[rows["region"] == region]
    if table.empty:
        regions = sorted(rows["region"].unique())
        raise ValueError(
            f"no {category} price for {provider} in region "
            f"{region!r}; known regions: {', '.join(regions)}"
        )
    return table.sort_values("tier_start").reset_index(drop=True)


def _real(value, name: str) -> float:
    """A real number as a float: TypeError for anything else, ValueError for an int
    beyond any float.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: expected a number of units (int or float), got "
            f"{type(value).__name__} {reprlib.repr(value)}"
        )
    try:
        return float(value)
    except OverflowError:  # an int beyond any float, such as 10**400
        raise ValueError(
            f"{name}: expected a finite number, got an integer "
            f"of {len(str(abs(value)))} digits "
            "(beyond any float)"
        ) from None


def _volume(value, name: str = "gb") -> float:
    """A non-negative, finite real number, or a clear error (TypeError for a non-number,
    else ValueError).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: expected a number of units (int or float), got "
            f"{type(value).__name__} {reprlib.repr(value)}"
        )
    try:
        value = float(value)
    except OverflowError:  # an int beyond any float, such as 10**400
        raise ValueError(
            f"{name}: expected a finite number, got an integer "
            f"of {len(str(abs(value)))} digits "
            "(beyond any float)"
        ) from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name}: expected a volume >= 0, got {value:g}")
    return value


def _billed(billed: float, volume: float) -> float:
    """The billed volume, refused when billing both sides overflows a float (1e308 GB
    and up).
    """
    if not math.isfinite(billed):
        raise ValueError(
            f"volume: {volume:g} billed on both sides overflows a "
            "float; expected a volume a bill can have"
        )
    return billed


def coverage(
    provider: str, region: str, category: str, prices: pd.DataFrame | None = None
) -> float:
    """Up to what billed volume the tables price this category (``inf`` when the last
    tier is open).

    >>> coverage("azure", "eastus", "internet_out")
    10000.0
    >>> coverage("aws", "us-east-1", "internet_out")
    inf
    """
    return float(price_table(provider, region, category, prices)["tier_end"].max())


def tier_breakdown(
    volume: float,
    provider: str = "aws",
    region: str = "us-east-1",
    category: str = "internet_out",
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """How ``volume`` units of one category fall into the tiers, one line per tier
    touched.

    Columns: ``tier_start``, ``tier_end``, ``quantity`` (billed units in the tier),
    ``usd_per_unit``, ``usd``, ``evidence``. A category billed on both sides
    (``billed_sides`` 2, like AWS traffic between zones) bills each unit twice. A volume
    beyond what the table covers is a ValueError.

    >>> tier_breakdown(12_000)[["quantity", "usd_per_unit"]].values.tolist()
    [[100.0, 0.0], [10240.0, 0.09], [1660.0, 0.085]]
    """
    volume = _volume(volume, "volume")
    table = price_table(provider, region, category, prices)
    billed = _billed(volume * int(table["billed_sides"].iloc[0]), volume)
    covered = float(table["tier_end"].max())
    if billed > covered:
        unit = table["unit"].iloc[0]
        raise ValueError(
            f"the {category} price table for {provider} {region} "
            f"covers {covered:,.0f} {unit} a month; "
            f"{billed:,.0f} {unit} asked. Prices beyond it were not "
            "found in the sources (see data/prices)."
        )
    lines = []
    for row in table.itertuples():
        quantity = min(billed, row.tier_end) - row.tier_start
        if quantity <= 0:
            break
        lines.append(
            {
                "tier_start": row.tier_start,
                "tier_end": row.tier_end,
                "quantity": quantity,
                "usd_per_unit": row.usd_per_unit,
                "usd": quantity * row.usd_per_unit,
                "evidence": row.evidence,
            }
        )
    columns = ["tier_start", "tier_end", "quantity", "usd_per_unit", "usd", "evidence"]
    return pd.DataFrame(lines, columns=columns)


def tiered_cost(
    volume: float,
    provider: str = "aws",
    region: str = "us-east-1",
    category: str = "internet_out",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``volume`` units of one category in one month: the sum of
    :func:`tier_breakdown`.

    >>> round(
    ...     tiered_cost(2_000, "aws", "north-america", "cdn_out"), 2
    ... )  # 1,024 free, 976 at 0.085
    82.96
    """
    return float(
        tier_breakdown(volume, provider, region, category, prices)["usd"].sum()
    )


def cost_curve(
    volumes,
    provider: str = "aws",
    region: str = "us-east-1",
    category: str = "internet_out",
    prices: pd.DataFrame | None = None,
) -> np.ndarray:
    """:func:`tiered_cost` for many volumes at once (an array), for plotting cost
    curves.

    >>> cost_curve([0, 100, 12_000]).round(2).tolist()
    [0.0, 0.0, 1062.7]
    """
    raw = (
        volumes
        if isinstance(volumes, np.ndarray)
        else np.asarray(volumes, dtype=object)
    )
    if (
        raw.dtype == object
    ):  # each element must be a number, as for the scalar functions
        values = np.array(
            [_real(v, "volumes") for v in raw.ravel().tolist()], dtype=float
        ).reshape(raw.shape)
    elif raw.dtype.kind in "iuf":
        values = raw.astype(float)
    else:
        raise TypeError(f"volumes: expected numbers, got an array of {raw.dtype}")
    if values.ndim != 1 or not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(
            "volumes: expected a one-dimensional array of finite volumes >= 0"
        )
    table = price_table(provider, region, category, prices)
    billed = values * int(table["billed_sides"].iloc[0])
    if billed.size and not np.all(np.isfinite(billed)):
        raise ValueError(
            "volumes: the billed volume overflows a float; "
            "expected a volume a bill can have"
        )
    covered = float(table["tier_end"].max())
    if billed.size and billed.max() > covered:
        raise ValueError(
            f"the {category} price table for {provider} {region} covers {covered:,.0f} "
            f"{table['unit'].iloc[0]} a month; {billed.max():,.0f} asked"
        )
    total = np.zeros_like(billed)
    for row in table.itertuples():
        total += (
            np.clip(billed - row.tier_start, 0.0, row.tier_end - row.tier_start)
            * row.usd_per_unit
        )
    return total


def marginal_price(
    volume: float,
    provider: str = "aws",
    region: str = "us-east-1",
    category: str = "internet_out",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD per unit for the next unit after ``volume`` units this month (the price of
    the tier it falls in).

    >>> marginal_price(50), marginal_price(100), marginal_price(20_000)
    (0.0, 0.09, 0.085)
    """
    volume = _volume(volume, "volume")
    table = price_table(provider, region, category, prices)
    billed = _billed(volume * int(table["billed_sides"].iloc[0]), volume)
    inside = table[(table["tier_start"] <= billed) & (billed < table["tier_end"])]
    if inside.empty:
        raise ValueError(
            f"the {category} price table for {provider} {region} covers "
            f"{table['tier_end'].max():,.0f} {table['unit'].iloc[0]} a "
            f"month; no price known after {billed:,.0f}"
        )
    return float(inside["usd_per_unit"].iloc[0])


# --------------------------------------------------------------------------------------
# One function per kind of charge
# --------------------------------------------------------------------------------------


def internet_egress_cost(
    gb: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units sent from ``region`` to the internet in one month, free
    allowance and tiers applied.

    The free allowance of AWS (100 GB) and CloudFront is one per account, across
    regions; these functions price one region alone, as if it had the whole allowance.

    >>> round(internet_egress_cost(1_000), 2)  # (1,000 - 100) x 0.09
    81.0
    >>> round(
    ...     internet_egress_cost(1_000, "gcp", "north-america"), 2
    ... )  # Premium Tier: 1 free, 999 GiB x 0.12
    119.88
    >>> round(
    ...     internet_egress_cost(1_000, "gcp", "north-america-standard"), 2
    ... )  # Standard: 200 free, 800 x 0.085
    68.0
    >>> internet_egress_cost(-1)
    Traceback (most recent call last):
    ...
    ValueError: volume: expected a volume >= 0, got -1
    """
    return tiered_cost(gb, provider, region, "internet_out", prices)


def internet_ingress_cost(
    gb: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units arriving from the internet (uploads): free at all three
    providers.

    >>> internet_ingress_cost(50_000)
    0.0
    """
    return tiered_cost(gb, provider, region, "internet_in", prices)


def inter_zone_cost(
    gb: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units sent from one availability zone to another in the same
    region.

    ``gb`` is what crosses; AWS bills it on both sides (out of one zone, into the
    other), so the bill shows twice ``gb`` at 0.01 USD; Google Cloud bills only the
    sending side, Azure nothing.

    >>> (
    ...     inter_zone_cost(500),
    ...     inter_zone_cost(500, "gcp", "north-america"),
    ...     inter_zone_cost(500, "azure", "eastus"),
    ... )
    (10.0, 5.0, 0.0)
    """
    return tiered_cost(gb, provider, region, "inter_zone", prices)


def inter_region_cost(
    gb: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for sending ``gb`` units from ``region`` to another region (charged at the
    source; arriving is free).

    >>> (
    ...     round(inter_region_cost(1_000), 2),
    ...     round(inter_region_cost(1_000, region="ap-northeast-1"), 2),
    ... )
    (20.0, 90.0)
    """
    return tiered_cost(gb, provider, region, "inter_region_out", prices)


def nat_gateway_cost(
    gb: float,
    hours: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for a managed NAT gateway: ``gb`` processed (either direction) plus ``hours``
    provisioned.

    This comes on top of any data transfer charge for the same bytes.

    >>> round(nat_gateway_cost(1_000, 730), 2)  # 1,000 x 0.045 + 730 x 0.045
    77.85
    """
    return tiered_cost(gb, provider, region, "nat_processing", prices) + tiered_cost(
        _volume(hours, "hours"), provider, region, "nat_hours", prices
    )


def interface_endpoint_cost(
    gb: float,
    endpoint_hours: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for interface VPC endpoints (AWS PrivateLink): ``gb`` processed plus
    ``endpoint_hours``.

    An endpoint is billed for each hour in each Availability Zone it is in: two
    endpoints in three zones for a 730-hour month are 2 x 3 x 730 = 4,380 endpoint
    hours. A gateway endpoint (Amazon S3, DynamoDB) has no charge and no price row.

    >>> round(interface_endpoint_cost(100, 2 * 3 * 730), 2)  # 100 x 0.01 + 4,380 x 0.01
    44.8
    """
    return tiered_cost(
        gb, provider, region, "endpoint_processing", prices
    ) + tiered_cost(
        _volume(endpoint_hours, "endpoint_hours"),
        provider,
        region,
        "endpoint_hours",
        prices,
    )


def cdn_egress_cost(
    gb: float,
    provider: str = "aws",
    geography: str = "north-america",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units a CDN (CloudFront) delivers to viewers in ``geography`` in
    one month.

    >>> round(cdn_egress_cost(12_000), 2)  # 1,024 free, 10,240 at 0.085, 736 at 0.080
    929.28
    """
    return tiered_cost(gb, provider, geography, "cdn_out", prices)


def origin_to_cdn_cost(
    gb: float,
    provider: str = "aws",
    region: str = "us-east-1",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units the CDN fetches from an origin in ``region`` (origin
    fetches: free from AWS origins).

    >>> origin_to_cdn_cost(5_000)
    0.0
    """
    return tiered_cost(gb, provider, region, "origin_to_cdn", prices)


def cdn_to_origin_cost(
    gb: float,
    provider: str = "aws",
    geography: str = "north-america",
    prices: pd.DataFrame | None = None,
) -> float:
    """USD for ``gb`` units the CDN sends from its edges in ``geography`` to the origin.

    These are the bytes of requests CloudFront forwards (uploads, ``POST`` and ``PUT``
    bodies), billed by CloudFront as ``DataTransfer-Out-OBytes`` at the "regional data
    transfer out to origin" rate. The origin's region shows the same bytes arriving, at
    no charge.

    >>> round(
    ...     cdn_to_origin_cost(2_000), 2
    ... )  # 2,000 GB of uploads through CloudFront, 0.02 each
    40.0
    """
    return tiered_cost(gb, provider, geography, "cdn_to_origin", prices)


def month_cost(
    volumes: Mapping[str, float],
    provider: str = "aws",
    region: str = "us-east-1",
    cdn_geography: str = "north-america",
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Price a month of mixed traffic: one line per category, in course order, then a
    ``total`` line.

    ``volumes`` maps a category (see :data:`CATEGORIES`) to the month's volume in the
    provider's billing unit (hours for ``nat_hours``). ``cdn_out`` and ``cdn_to_origin``
    are priced in ``cdn_geography``, everything else in ``region``. Columns:
    ``category``, ``region``, ``quantity`` (as given), ``unit``, ``usd``, ``evidence``
    (the weakest evidence level among the tiers used).

    >>> month_cost({"internet_out": 500, "nat_processing": 100, "nat_hours": 730})[
    ...     ["category", "usd"]
    ... ].round(2).values.tolist()
    [['internet_out', 36.0], ['nat_processing', 4.5], ['nat_hours', 32.85],
     ['total', 73.35]]
    >>> month_cost({"internet_egress": 5})
    Traceback (most recent call last):
    ...
    ValueError: unknown category 'internet_egress'; known categories: internet_in,
        internet_out, inter_zone, inter_region_out, inter_region_in, nat_processing,
        nat_hours, endpoint_hours, endpoint_processing, cdn_out, origin_to_cdn,
        cdn_to_origin
    """
    if not isinstance(volumes, Mapping):
        raise TypeError(
            "volumes: expected a mapping of category to "
            f"volume, got {type(volumes).__name__}"
        )
    for category in volumes:
        _check_category(category)
    lines = []
    for category in CATEGORIES:
        if category not in volumes:
            continue
        where = cdn_geography if category in CDN_EDGE_CATEGORIES else region
        quantity = _volume(volumes[category], category)
        tiers = tier_breakdown(quantity, provider, where, category, prices)
        weakest = (
            max(tiers["evidence"], key=EVIDENCE_LEVELS.index) if len(tiers) else ""
        )
        lines.append(
            {
                "category": category,
                "region": where,
                "quantity": quantity,
                "unit": price_table(provider, where, category, prices)["unit"].iloc[0],
                "usd": float(tiers["usd"].sum()),
                "evidence": weakest,
            }
        )
    frame = pd.DataFrame(
        lines, columns=["category", "region", "quantity", "unit", "usd", "evidence"]
    )
    total = pd.DataFrame(
        [
            {
                "category": "total",
                "region": "",
                "quantity": float("nan"),
                "unit": "",
                "usd": frame["usd"].sum(),
                "evidence": "",
            }
        ]
    )
    return pd.concat([frame, total], ignore_index=True)


def billing_unit(
    provider: str, prices: pd.DataFrame | None = None
) -> tuple[str, float]:
    """The unit a provider bills data in and its size in bytes (``nan`` when the
    definition is unknown).

    >>> billing_unit("gcp")
    ('GiB', 1073741824.0)
    """
    prices = _prices(prices)
    rows = prices[
        (prices["provider"] == str(provider).lower()) & (prices["unit"] != "hour")
    ]
    if rows.empty:
        raise ValueError(
            f"unknown provider {provider!r}; known providers: "
            f"{', '.join(sorted(prices['provider'].unique()))}"
        )
    return str(rows["unit"].iloc[0]), float(rows["bytes_per_unit"].iloc[0])


def to_billing_units(
    n_bytes: float, provider: str = "aws", prices: pd.DataFrame | None = None
) -> float:
    """Convert a byte count to the provider's billing unit; refuses when the unit's
    definition is uncertain.

    >>> to_billing_units(3 * 2**30, "aws")
    3.0
    >>> to_billing_units(10**9, "azure")
    Traceback (most recent call last):
    ...
    ValueError: azure bills in GB but its definition (10^9 or 2^30 bytes) was not found;
        convert explicitly with GB or GIB
    """
    n_bytes = _volume(n_bytes, "n_bytes")
    unit, size = billing_unit(provider, prices)
    if math.isnan(size):
        raise ValueError(
            f"{provider} bills in {unit} but its definition (10^9 or 2^30 "
            "bytes) was not found; convert explicitly with GB or GIB"
        )
    return n_bytes / size
