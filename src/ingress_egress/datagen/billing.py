"""Billing dataset: a year (2025) of a fictional company's AWS bill, as a CUR 2.0 and as
a FOCUS 1.0 export.

AnyCompany Photos (fictional; account 111122223333) runs a photo-sharing site in
us-east-1: viewers download photos from an S3 bucket (30,000 GB at the start of the
year) and an API on EC2; users upload new photos; microservices run on EKS across three
availability zones, in private subnets behind three NAT gateways. The bill has one line
per day, usage type and price tier, for the data transfer and for the main non-transfer
charges (EC2 instance hours, the EKS cluster, EBS volumes, S3 storage, CloudFront
requests).

What happens during the year (the ground truth a reader of the bill should find):

1. **Product launch, 2025-04-01.** Internet egress demand is multiplied by 3.5 (March
   9,600 GB, April 33,600 GB) and grows about 3 % a month after; uploads double. The web
   fleet grows from 12 to 30 c5.xlarge instances. Internet egress crosses from the 0.09
   into the 0.085 USD/GB tier.
2. **A chatty service across zones, from 2025-03-12.** A recommendations service spread
   over three zones sends 1,000 GB a day (growing 1 % a month) between zones, billed on
   both sides: from April about 2 x 33,000 GB x 0.01 = 660 USD a month (January: 40
   USD), on 9 more c5.xlarge nodes.
3. **A NAT gateway processing registry pulls, from 2025-06-10.** CI runners in private
   subnets pull container images from a public registry, 850 GB a day (growing 1 % a
   month), through the NAT gateways: free as internet ingress, but 0.045 USD for every
   GB processed: about 27,000 GB and 1,200 USD a month from July (before: about 600 GB
   and 27 USD, plus 100 USD of gateway hours).
4. **A CDN from 2025-08-15.** CloudFront is put in front of the bucket: from then 85 %
   of the downloads are served by CloudFront (``cdn_out``, 0.085 then 0.080 USD/GB after
   1,024 GB free) and only 15 % leave the region directly; CloudFront fetches 12 % of
   what it serves from the bucket (``origin_to_cdn``, free). Internet egress falls from
   36,700 GB (July) to 5,835 GB (September).
5. **A backup copied to another region, from 2025-10-06.** Cross-region replication of
   the bucket to us-west-2 is switched on: the whole bucket (43,761 GB) is copied over
   four days (0.02 USD/GB, 875 USD; 909 USD for October in all), then each day's new
   uploads follow (``inter_region_out`` at the source, ``inter_region_in`` at us-west-2,
   free), and a second copy is stored in us-west-2.

Monthly volumes by category (GB as AWS bills them; ``inter_zone`` is the GB that
crossed, the bill shows twice as much; ``nat_gateway`` is GB processed; rounded to whole
GB, exact values in :func:`monthly_ground_truth`; a test checks that this table and the
function agree; the headers are the category names, ``internet_out`` and so on, cut in
two)::

             internet  internet  inter      nat    cdn  origin  inter_region
    month         out        in   zone  gateway    out  to_cdn           out
    2025-01      9000       800   2016      620      0       0             0
    2025-02      9300       830   1841      560      0       0             0
    2025-03      9600       860  22176      620      0       0             0
    2025-04     33600      1700  32710      600      0       0             0
    2025-05     34600      1750  33751      620      0       0             0
    2025-06     35600     19952  32932    18752      0       0             0
    2025-07     36700     28933  34346    27703      0       0             0
    2025-08     20138     28703  34549    27423  17662    2119             0
    2025-09      5835     28238  34179    26888  33065    3968             0
    2025-10      6015     29125  35365    27745  34085    4090         45440
    2025-11      6195     28700  34390    27250  35105    4213          2050
    2025-12      6375     30389  35710    28909  36125    4335          2100

Prices: every data transfer line is priced from ``data/prices`` through
:mod:`ingress_egress.cloud` (us-east-1; CloudFront North America), tier by tier as the
month's volume accumulates day by day, so a month's lines of one category add up to the
engine's price for the month's volume. Non-transfer lines use list prices seen in the
real FOCUS sample (September 2024; some seen for another region): c5.xlarge 0.17
USD/hour, EKS cluster 0.10 USD/hour, gp3 0.08 USD/GB-month, S3 Standard 0.023
USD/GB-month, CloudFront HTTPS requests 0.01 USD per 10,000.

Files written under ``data/billing/``:

``cur-2025.csv``
    CUR 2.0 columns (snake case, as AWS Data Exports writes them):
    ``identity_line_item_id``, ``bill_billing_period_start_date``,
    ``line_item_usage_account_id``, ``line_item_line_item_type``,
    ``line_item_usage_start_date``, ``line_item_usage_end_date``,
    ``line_item_product_code``, ``line_item_usage_type``, ``line_item_operation``,
    ``line_item_resource_id``, ``line_item_usage_amount``, ``pricing_unit``,
    ``pricing_public_on_demand_rate``, ``line_item_unblended_rate``,
    ``line_item_unblended_cost``, ``line_item_line_item_description``,
    ``product_region_code``.
``focus-2025.csv``
    The same lines in FOCUS 1.0 columns: ``BillingAccountId``, ``BillingPeriodStart``,
    ``BillingPeriodEnd``, ``ChargePeriodStart``, ``ChargePeriodEnd``,
    ``ChargeCategory``, ``ChargeDescription``, ``ProviderName``, ``PublisherName``,
    ``InvoiceIssuerName``, ``ServiceName``, ``ServiceCategory``, ``RegionId``,
    ``ResourceId``, ``ConsumedQuantity``, ``ConsumedUnit``, ``PricingQuantity``,
    ``PricingUnit``, ``ListUnitPrice``, ``ListCost``, ``BilledCost``, ``EffectiveCost``,
    ``BillingCurrency``. Like the real sample, it has no usage type: the class of a line
    must be read from ``ChargeDescription`` and ``ServiceName``.

Examples
--------
>>> lines = bill_lines()
>>> sorted(lines["category"].unique())[:3]
['cdn_out', 'inter_region_in', 'inter_region_out']
>>> truth = monthly_ground_truth()
>>> (
...     round(truth.loc["2025-04", "internet_out"]),
...     round(truth.loc["2025-03", "internet_out"]),
... )
(33600, 9600)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress import cloud

SEED = 20250101
YEAR = 2025
ACCOUNT = "111122223333"
REGION = "us-east-1"
BACKUP_REGION = "us-west-2"
CDN_GEOGRAPHY = "north-america"
BUCKET = "anycompany-photos"

INTERNET_DEMAND_GB = (
    9_000,
    9_300,
    9_600,
    33_600,
    34_600,
    35_600,
    36_700,
    37_800,
    38_900,
    40_100,
    41_300,
    42_500,
)
"""GB viewers download in each month of 2025, before the CDN takes its share."""
UPLOADS_GB = (
    800,
    830,
    860,
    1_700,
    1_750,
    1_800,
    1_850,
    1_900,
    1_950,
    2_000,
    2_050,
    2_100,
)
"""GB users upload in each month (internet ingress into the bucket)."""
BUCKET_START_GB = 30_000
API_SHARE = 0.2
"""Share of direct internet egress served by the API on EC2 (the rest comes straight
from S3).
"""
BASELINE_ZONE_GB_PER_DAY = 65
CHATTY_START = pd.Timestamp("2025-03-12")
CHATTY_GB_PER_DAY = 1_000
BASELINE_NAT_GB_PER_DAY = 20
REGISTRY_START = pd.Timestamp("2025-06-10")
REGISTRY_GB_PER_DAY = 850
CDN_START = pd.Timestamp("2025-08-15")
CDN_SHARE = 0.85
ORIGIN_FETCH_RATIO = 0.12
REQUESTS_PER_GB = 4_000
REPLICATION_START = pd.Timestamp("2025-10-06")
INITIAL_COPY_DAYS = 4
NAT_GATEWAYS = 3
WEB_INSTANCES = (12, 30)  # before and after the launch
CHATTY_NODES = 9
EBS_GB = 6_000

# Non-transfer list prices seen in the real FOCUS sample (September 2024), USD per unit.
C5_XLARGE_HOUR = 0.17
EKS_CLUSTER_HOUR = 0.10
GP3_GB_MONTH = 0.08
S3_STANDARD_GB_MONTH = 0.023
HTTPS_REQUEST = 0.000001

GROUND_TRUTH_COLUMNS = (
    "internet_out",
    "internet_in",
    "inter_zone",
    "nat_gateway",
    "cdn_out",
    "origin_to_cdn",
    "inter_region_out",
)

SERVICE_NAMES = {
    "AmazonEC2": ("Amazon Elastic Compute Cloud", "Compute"),
    "AmazonS3": ("Amazon Simple Storage Service", "Storage"),
    "AmazonCloudFront": ("Amazon CloudFront", "Networking"),
    "AmazonEKS": ("Amazon Elastic Container Service for Kubernetes", "Compute"),
}

_OUT_TIER_TEXT = (
    "data transfer out under the monthly global free tier",
    "first 10 TB / month data transfer out beyond the global free tier",
    "next 40 TB / month data transfer out",
    "next 100 TB / month data transfer out",
    "greater than 150 TB / month data transfer out",
)
_CDN_TIER_TEXT = (
    "data transfer out under the global monthly free tier",
    "first 10 TB / month data transfer out",
    "next 40 TB / month data transfer out",
    "next 100 TB / month data transfer out",
    "next 350 TB / month data transfer out",
    "next 524 TB / month data transfer out",
    "next 4 PB / month data transfer out",
    "greater than 5 PB / month data transfer out",
)


def _days() -> pd.DatetimeIndex:
    return pd.date_range(f"{YEAR}-01-01", f"{YEAR}-12-31", freq="D")


def _spread(
    monthly: tuple[float, ...], days: pd.DatetimeIndex, rng: np.random.Generator
) -> np.ndarray:
    """Spread monthly totals over the days, busier at weekends, with noise; each month
    sums exactly.
    """
    weights = np.where(days.day_of_week >= 5, 1.15, 1.0) * rng.lognormal(
        0.0, 0.08, size=len(days)
    )
    out = np.zeros(len(days))
    for month in range(12):
        inside = days.month == month + 1
        out[inside] = monthly[month] * weights[inside] / weights[inside].sum()
    return out


def daily_volumes() -> pd.DataFrame:
    """The day-by-day volumes of the model (GB; hours for NAT gateways), before
    pricing.
    """
    rng = np.random.default_rng(SEED)
    days = _days()
    months_since = (days.month - 1).to_numpy()
    demand = _spread(INTERNET_DEMAND_GB, days, rng)
    uploads = _spread(UPLOADS_GB, days, rng)
    share = np.where(days >= CDN_START, CDN_SHARE, 0.0)
    noise = rng.lognormal(0.0, 0.05, size=(3, len(days)))
    chatty = (
        np.where(
            days >= CHATTY_START, CHATTY_GB_PER_DAY * 1.01 ** (months_since - 2), 0.0
        )
        * noise[0]
    )
    registry = (
        np.where(
            days >= REGISTRY_START,
            REGISTRY_GB_PER_DAY * 1.01 ** (months_since - 5),
            0.0,
        )
        * noise[1]
    )
    zone = BASELINE_ZONE_GB_PER_DAY * noise[2] + chatty
    nat = BASELINE_NAT_GB_PER_DAY + registry
    stored = BUCKET_START_GB + np.cumsum(uploads)  # at the end of each day
    copy_days = (days >= REPLICATION_START) & (
        days < REPLICATION_START + pd.Timedelta(days=INITIAL_COPY_DAYS)
    )
    bucket_at_start = stored[np.argmax(days >= REPLICATION_START) - 1]
    replicated = np.where(
        copy_days, bucket_at_start / INITIAL_COPY_DAYS, 0.0
    ) + np.where(days >= REPLICATION_START, uploads, 0.0)
    replica = np.where(days >= REPLICATION_START, np.cumsum(replicated), 0.0)
    cdn_out = demand * share
    return pd.DataFrame(
        {
            "day": days,
            "internet_out": demand * (1 - share),
            "internet_in_uploads": uploads,
            "internet_in_registry": registry,
            "inter_zone": zone,
            "nat_gateway": nat,
            "nat_hours": np.full(len(days), NAT_GATEWAYS * 24.0),
            "cdn_out": cdn_out,
            "origin_to_cdn": cdn_out * ORIGIN_FETCH_RATIO,
            "cdn_requests": np.round(cdn_out * REQUESTS_PER_GB),
            "inter_region_out": replicated,
            "bucket_gb": stored,
            "replica_gb": replica,
            "web_instances": np.where(
                days >= pd.Timestamp(f"{YEAR}-04-01"),
                WEB_INSTANCES[1],
                WEB_INSTANCES[0],
            ),
            "chatty_nodes": np.where(days >= CHATTY_START, CHATTY_NODES, 0),
        }
    )


def monthly_ground_truth() -> pd.DataFrame:
    """Monthly GB by category, indexed by ``YYYY-MM``: what a correct reading of the
    bill finds.
    """
    daily = daily_volumes()
    daily["internet_in"] = daily["internet_in_uploads"] + daily["internet_in_registry"]
    daily["month"] = daily["day"].dt.strftime("%Y-%m")
    return daily.groupby("month")[list(GROUND_TRUTH_COLUMNS)].sum()


def _tiers(category: str, region: str) -> pd.DataFrame:
    return cloud.price_table("aws", region, category)


def _tier_segments(
    start: float, end: float, tiers: pd.DataFrame
) -> list[tuple[int, float, float]]:
    """Split the month's running volume (start, end] into (tier index, quantity, USD per
    unit) pieces.
    """
    pieces = []
    for index, row in enumerate(tiers.itertuples()):
        quantity = min(end, row.tier_end) - max(start, row.tier_start)
        if quantity > 0:
            pieces.append((index, quantity, row.usd_per_unit))
    return pieces


def _price_text(price: float) -> str:
    return f"${price:.3f}" if price else "$0.000"


def bill_lines() -> pd.DataFrame:
    """Every line of the year's bill in one frame: the source of both export files.

    Columns: ``day``, ``product_code``, ``usage_type``, ``operation``, ``resource_id``,
    ``quantity``, ``unit``, ``rate``, ``cost``, ``description``, ``region``,
    ``category`` (the true class; not written to the files).
    """
    daily = daily_volumes()
    out_tiers = _tiers("internet_out", REGION)
    cdn_tiers = _tiers("cdn_out", CDN_GEOGRAPHY)
    flat = {
        c: float(_tiers(c, r)["usd_per_unit"].iloc[0])
        for c, r in [
            ("internet_in", REGION),
            ("inter_zone", REGION),
            ("nat_processing", REGION),
            ("nat_hours", REGION),
            ("origin_to_cdn", REGION),
            ("inter_region_out", REGION),
            ("inter_region_in", BACKUP_REGION),
        ]
    }
    zone_sides = int(_tiers("inter_zone", REGION)["billed_sides"].iloc[0])
    rows: list[tuple] = []

    def add(
        day,
        product,
        usage_type,
        operation,
        resource,
        quantity,
        unit,
        rate,
        description,
        region,
        category,
    ):
        if quantity > 0:
            rows.append(
                (
                    day,
                    product,
                    usage_type,
                    operation,
                    resource,
                    quantity,
                    unit,
                    rate,
                    description,
                    region,
                    category,
                )
            )

    running_out = running_cdn = 0.0
    for item in daily.itertuples():
        day = item.day
        if day.day == 1:
            running_out = running_cdn = 0.0
        hours_in_month = day.days_in_month * 24
        # Internet egress: tiers by the month's running total, split between S3 (photos)
        # and EC2 (API).
        for index, quantity, rate in _tier_segments(
            running_out, running_out + item.internet_out, out_tiers
        ):
            text = f"{_price_text(rate)} per GB - {_OUT_TIER_TEXT[index]}"
            add(
                day,
                "AmazonS3",
                "DataTransfer-Out-Bytes",
                "GetObject",
                f"arn:aws:s3:::{BUCKET}",
                quantity * (1 - API_SHARE),
                "GB",
                rate,
                text,
                REGION,
                "internet_out",
            )
            add(
                day,
                "AmazonEC2",
                "DataTransfer-Out-Bytes",
                "RunInstances",
                "",
                quantity * API_SHARE,
                "GB",
                rate,
                text,
                REGION,
                "internet_out",
            )
        running_out += item.internet_out
        text_in = (
            f"{_price_text(flat['internet_in'])} per GB - data transfer in per month"
        )
        add(
            day,
            "AmazonS3",
            "DataTransfer-In-Bytes",
            "PutObject",
            f"arn:aws:s3:::{BUCKET}",
            item.internet_in_uploads,
            "GB",
            flat["internet_in"],
            text_in,
            REGION,
            "internet_in",
        )
        add(
            day,
            "AmazonEC2",
            "DataTransfer-In-Bytes",
            "RunInstances",
            "",
            item.internet_in_registry,
            "GB",
            flat["internet_in"],
            text_in,
            REGION,
            "internet_in",
        )
        add(
            day,
            "AmazonEC2",
            "DataTransfer-Regional-Bytes",
            "InterZone-In",
            "",
            item.inter_zone * zone_sides,
            "GB",
            flat["inter_zone"],
            f"${flat['inter_zone']:.3f} per GB - regional data transfer - "
            "in/out/between EC2 AZs or using elastic IPs or ELB",
            REGION,
            "inter_zone",
        )
        add(
            day,
            "AmazonEC2",
            "NatGateway-Bytes",
            "NatGateway",
            "arn:aws:ec2:us-east-1:111122223333:natgateway/nat-0example",
            item.nat_gateway,
            "GB",
            flat["nat_processing"],
            f"${flat['nat_processing']:.3f} per GB Data Processed by NAT Gateways",
            REGION,
            "nat_gateway",
        )
        add(
            day,
            "AmazonEC2",
            "NatGateway-Hours",
            "NatGateway",
            "arn:aws:ec2:us-east-1:111122223333:natgateway/nat-0example",
            item.nat_hours,
            "Hrs",
            flat["nat_hours"],
            f"${flat['nat_hours']:.3f} per NAT Gateway Hour",
            REGION,
            "nat_gateway",
        )
        # CloudFront: tiers by its own running total; origin fetches from the bucket are
        # free.
        for index, quantity, rate in _tier_segments(
            running_cdn, running_cdn + item.cdn_out, cdn_tiers
        ):
            add(
                day,
                "AmazonCloudFront",
                "US-DataTransfer-Out-Bytes",
                "GET",
                "",
                quantity,
                "GB",
                rate,
                f"{_price_text(rate)} per GB - {_CDN_TIER_TEXT[index]}",
                "global",
                "cdn_out",
            )
        running_cdn += item.cdn_out
        add(
            day,
            "AmazonS3",
            "CloudFront-Out-Bytes",
            "GetObject",
            f"arn:aws:s3:::{BUCKET}",
            item.origin_to_cdn,
            "GB",
            flat["origin_to_cdn"],
            "$0.00 per GB data transfer out of US East "
            "(Northern Virginia) to CloudFront",
            REGION,
            "origin_to_cdn",
        )
        add(
            day,
            "AmazonCloudFront",
            "US-Requests-Tier2-HTTPS",
            "GET",
            "",
            item.cdn_requests,
            "Requests",
            HTTPS_REQUEST,
            "$0.0100 per 10,000 HTTPS Requests",
            "global",
            "not_transfer",
        )
        # Replication to us-west-2: charged leaving us-east-1, free arriving.
        add(
            day,
            "AmazonS3",
            "USE1-USW2-AWS-Out-Bytes",
            "PutObject",
            f"arn:aws:s3:::{BUCKET}",
            item.inter_region_out,
            "GB",
            flat["inter_region_out"],
            f"${flat['inter_region_out']:.2f} per GB - US East (Northern "
            "Virginia) data transfer to US West (Oregon)",
            REGION,
            "inter_region_out",
        )
        add(
            day,
            "AmazonS3",
            "USW2-USE1-AWS-In-Bytes",
            "PutObject",
            f"arn:aws:s3:::{BUCKET}-replica",
            item.inter_region_out,
            "GB",
            flat["inter_region_in"],
            "$0.00 per GB - US West (Oregon) data transfer "
            "from US East (Northern Virginia)",
            BACKUP_REGION,
            "inter_region_in",
        )
        # Not transfer: compute, cluster, volumes, storage.
        add(
            day,
            "AmazonEC2",
            "BoxUsage:c5.xlarge",
            "RunInstances",
            "",
            item.web_instances * 24.0,
            "Hrs",
            C5_XLARGE_HOUR,
            "$0.17 per On Demand Linux c5.xlarge Instance Hour",
            REGION,
            "not_transfer",
        )
        add(
            day,
            "AmazonEC2",
            "BoxUsage:c5.xlarge",
            "RunInstances:eks",
            "",
            item.chatty_nodes * 24.0,
            "Hrs",
            C5_XLARGE_HOUR,
            "$0.17 per On Demand Linux c5.xlarge Instance Hour",
            REGION,
            "not_transfer",
        )
        add(
            day,
            "AmazonEKS",
            "AmazonEKS-Hours:perCluster",
            "CreateOperation",
            "arn:aws:eks:us-east-1:111122223333:cluster/photos",
            24.0,
            "Hrs",
            EKS_CLUSTER_HOUR,
            "Amazon EKS cluster usage in US East (N. Virginia)",
            REGION,
            "not_transfer",
        )
        add(
            day,
            "AmazonEC2",
            "EBS:VolumeUsage.gp3",
            "CreateVolume-Gp3",
            "",
            EBS_GB * 24 / hours_in_month,
            "GB-Mo",
            GP3_GB_MONTH,
            "$0.08 per GB-month of General Purpose (gp3) "
            "provisioned storage - US East (N. Virginia)",
            REGION,
            "not_transfer",
        )
        add(
            day,
            "AmazonS3",
            "TimedStorage-ByteHrs",
            "StandardStorage",
            f"arn:aws:s3:::{BUCKET}",
            item.bucket_gb * 24 / hours_in_month,
            "GB-Mo",
            S3_STANDARD_GB_MONTH,
            "$0.023 per GB - first 50 TB / month of storage used",
            REGION,
            "not_transfer",
        )
        add(
            day,
            "AmazonS3",
            "USW2-TimedStorage-ByteHrs",
            "StandardStorage",
            f"arn:aws:s3:::{BUCKET}-replica",
            item.replica_gb * 24 / hours_in_month,
            "GB-Mo",
            S3_STANDARD_GB_MONTH,
            "$0.023 per GB - first 50 TB / month of storage used",
            BACKUP_REGION,
            "not_transfer",
        )

    lines = pd.DataFrame(
        rows,
        columns=[
            "day",
            "product_code",
            "usage_type",
            "operation",
            "resource_id",
            "quantity",
            "unit",
            "rate",
            "description",
            "region",
            "category",
        ],
    )
    lines["quantity"] = lines["quantity"].round(6)
    lines["cost"] = (lines["quantity"] * lines["rate"]).round(8)
    return lines


def _iso(stamp: pd.Timestamp) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(values: pd.Series, decimals: int) -> pd.Series:
    return values.map(lambda v: f"{v:.{decimals}f}")


def cur_frame(lines: pd.DataFrame) -> pd.DataFrame:
    """The bill lines in CUR 2.0 columns, as strings ready to write."""
    start = lines["day"]
    return pd.DataFrame(
        {
            "identity_line_item_id": [f"li-{i:06d}" for i in range(1, len(lines) + 1)],
            "bill_billing_period_start_date": start.dt.to_period("M").dt.start_time.map(
                _iso
            ),
            "line_item_usage_account_id": ACCOUNT,
            "line_item_line_item_type": "Usage",
            "line_item_usage_start_date": start.map(_iso),
            "line_item_usage_end_date": (start + pd.Timedelta(days=1)).map(_iso),
            "line_item_product_code": lines["product_code"],
            "line_item_usage_type": lines["usage_type"],
            "line_item_operation": lines["operation"],
            "line_item_resource_id": lines["resource_id"],
            "line_item_usage_amount": _number(lines["quantity"], 6),
            "pricing_unit": lines["unit"],
            "pricing_public_on_demand_rate": lines["rate"].map(lambda v: f"{v:.6g}"),
            "line_item_unblended_rate": lines["rate"].map(lambda v: f"{v:.6g}"),
            "line_item_unblended_cost": _number(lines["cost"], 8),
            "line_item_line_item_description": lines["description"],
            "product_region_code": lines["region"],
        }
    )


def focus_frame(lines: pd.DataFrame) -> pd.DataFrame:
    """The bill lines in FOCUS 1.0 columns (no usage type, as in the real sample), as
    strings.
    """
    start = lines["day"]
    period = start.dt.to_period("M")
    service = lines["product_code"].map(lambda code: SERVICE_NAMES[code][0])
    category = lines["product_code"].map(lambda code: SERVICE_NAMES[code][1])
    cost = _number(lines["cost"], 8)
    quantity = _number(lines["quantity"], 6)
    return pd.DataFrame(
        {
            "BillingAccountId": ACCOUNT,
            "BillingPeriodStart": period.dt.start_time.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "BillingPeriodEnd": (period + 1).dt.start_time.dt.strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "ChargePeriodStart": start.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "ChargePeriodEnd": (start + pd.Timedelta(days=1)).dt.strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
            "ChargeCategory": "Usage",
            "ChargeDescription": lines["description"],
            "ProviderName": "AWS",
            "PublisherName": "Amazon Web Services, Inc.",
            "InvoiceIssuerName": "Amazon Web Services, Inc.",
            "ServiceName": service,
            "ServiceCategory": category,
            "RegionId": lines["region"],
            "ResourceId": lines["resource_id"],
            "ConsumedQuantity": quantity,
            "ConsumedUnit": lines["unit"],
            "PricingQuantity": quantity,
            "PricingUnit": lines["unit"],
            "ListUnitPrice": lines["rate"].map(lambda v: f"{v:.6g}"),
            "ListCost": cost,
            "BilledCost": cost,
            "EffectiveCost": cost,
            "BillingCurrency": "USD",
        }
    )


def generate(data_dir: Path) -> list[Path]:
    """Write ``billing/cur-2025.csv`` and ``billing/focus-2025.csv`` under
    ``data_dir``.
    """
    folder = Path(data_dir) / "billing"
    folder.mkdir(parents=True, exist_ok=True)
    lines = bill_lines()
    paths = [folder / "cur-2025.csv", folder / "focus-2025.csv"]
    for frame, path in zip((cur_frame(lines), focus_frame(lines)), paths):
        frame.to_csv(path, index=False, lineterminator="\n")
    return paths


def ground_truth_table() -> str:
    """The monthly table of the module docstring, as text."""
    truth = monthly_ground_truth().round(0).astype(int)
    header = "    month    " + "  ".join(
        f"{c:>{max(len(c), 7)}}" for c in truth.columns
    )
    body = [
        "    "
        + month
        + "  "
        + "  ".join(f"{v:>{max(len(c), 7)}d}" for c, v in zip(truth.columns, row))
        for month, row in zip(truth.index, truth.to_numpy())
    ]
    return "\n".join([header, *body])


if __name__ == "__main__":  # print the ground-truth table for the docstring
    sys.stdout.write(ground_truth_table() + "\n")
