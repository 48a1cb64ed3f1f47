"""Benchmark: summarise a bill of ten million lines by category.

Builds a synthetic, already-read bill (the normalised columns
:func:`ingress_egress.bills.read_cur` returns) of N lines drawn from a pool of a few
thousand distinct line texts, as a year of a large account has, then times:

1. ``classify_charges`` over all N lines;
2. ``transfer_summary`` (sum of cost and quantity by month and category);
3. reading a CUR CSV of ``--read-lines`` lines with ``read_cur`` (the reader is the slow
   part of a real run, so it is measured separately, on a smaller file).

Run: ``.venv/bin/python benchmarks/bench_bills.py [--lines 10000000] [--read-lines
1000000]``. Prints lines per second, seconds and the process's peak resident memory.
Deterministic input (seed 2025).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress import bills

REGIONS = [
    ("", "us-east-1"),
    ("USE2-", "us-east-2"),
    ("USW2-", "us-west-2"),
    ("EUC1-", "eu-central-1"),
    ("APN1-", "ap-northeast-1"),
    ("APS3-", "ap-south-1"),
]
KINDS = [
    "DataTransfer-Out-Bytes",
    "DataTransfer-In-Bytes",
    "DataTransfer-Regional-Bytes",
    "NatGateway-Bytes",
    "NatGateway-Hours",
    "CloudFront-Out-Bytes",
    "CloudFront-In-Bytes",
    "BoxUsage:m5.large",
    "BoxUsage:c6g.xlarge",
    "EBS:VolumeUsage.gp3",
    "TimedStorage-ByteHrs",
    "Requests-Tier1",
    "Lambda-GB-Second",
]
SERVICES = ["AmazonEC2", "AmazonS3", "AmazonRDS", "AWSLambda", "AmazonECS", "AmazonEKS"]


def line_pool(rng: np.random.Generator) -> pd.DataFrame:
    """A few thousand distinct (usage type, service, description) lines, like a year of
    a big account.
    """
    rows = []
    for prefix, region in REGIONS:
        for kind in KINDS:
            for service in SERVICES:
                rows.append(
                    (
                        f"{prefix}{kind}",
                        service,
                        f"{kind} in {region} for {service}",
                        region,
                    )
                )
        for other_prefix, other in REGIONS:
            if other != region:
                code, other_code = (
                    prefix.rstrip("-") or "USE1",
                    other_prefix.rstrip("-") or "USE1",
                )
                rows.append(
                    (
                        f"{code}-{other_code}-AWS-Out-Bytes",
                        "AmazonS3",
                        f"to {other}",
                        region,
                    )
                )
                rows.append(
                    (
                        f"{code}-{other_code}-AWS-In-Bytes",
                        "AmazonS3",
                        f"from {other}",
                        region,
                    )
                )
    for edge in ("US", "EU", "JP", "IN", "AU", "SA", "ZA", "ME", "CA", "AP"):
        rows.append(
            (
                f"{edge}-DataTransfer-Out-Bytes",
                "AmazonCloudFront",
                f"CloudFront {edge}",
                "global",
            )
        )
        rows.append(
            (
                f"{edge}-DataTransfer-Out-OBytes",
                "AmazonCloudFront",
                f"CloudFront to origin {edge}",
                "global",
            )
        )
        rows.append(
            (
                f"{edge}-Requests-Tier2-HTTPS",
                "AmazonCloudFront",
                f"CloudFront requests {edge}",
                "global",
            )
        )
    # FOCUS-like lines without usage type: the description decides.
    for i in range(2_000):
        rows.append(
            (
                "",
                "Amazon Elastic Compute Cloud",
                f"$0.{i:04d} per On Demand Linux instance type {i} Instance Hour",
                "us-east-1",
            )
        )
    pool = pd.DataFrame(
        rows, columns=["usage_type", "service", "description", "region"]
    )
    pool["list_unit_price"] = rng.uniform(0, 0.2, size=len(pool)).round(4)
    return pool


def build_bill(lines: int, seed: int = 2025) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pool = line_pool(rng)
    pick = rng.integers(0, len(pool), size=lines)
    bill = pd.DataFrame(
        {
            "provider": "AWS",
            "service": pool["service"].to_numpy(dtype=object)[pick],
            "usage_type": pool["usage_type"].to_numpy(dtype=object)[pick],
            "description": pool["description"].to_numpy(dtype=object)[pick],
            "region": pool["region"].to_numpy(dtype=object)[pick],
            "month": np.array([f"2025-{m:02d}" for m in range(1, 13)], dtype=object)[
                rng.integers(0, 12, size=lines)
            ],
            "quantity": rng.exponential(50.0, size=lines),
            "cost": rng.exponential(2.0, size=lines),
            "list_unit_price": pool["list_unit_price"].to_numpy()[pick],
        }
    )
    for column in (
        "provider",
        "service",
        "usage_type",
        "description",
        "region",
        "month",
    ):
        bill[column] = bill[column].astype("str")  # the string dtype read_csv gives
    return bill, len(pool)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--read-lines", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    bill, distinct = build_bill(args.lines)
    built = time.perf_counter() - start
    print(
        f"bill: {len(bill):,} lines from {distinct:,} distinct line "
        f"texts (built in {built:.1f} s, not counted)"
    )

    start = time.perf_counter()
    bill["category"] = bills.classify_charges(bill)
    classify = time.perf_counter() - start
    start = time.perf_counter()
    summary = bills.transfer_summary(bill)
    summarise = time.perf_counter() - start
    total = classify + summarise
    print(f"classify_charges: {classify:6.2f} s  ({len(bill) / classify:,.0f} lines/s)")
    print(
        f"transfer_summary: {summarise:6.2f} s  ({len(summary)} month x category rows)"
    )
    print(
        f"classify + summarise: {total:.2f} s for {len(bill):,} "
        f"lines ({len(bill) / total:,.0f} lines/s)"
    )
    print(bill["category"].value_counts().sort_index().to_string())

    small = bill.head(args.read_lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cur.csv"
        small.rename(
            columns={
                "service": "line_item_product_code",
                "usage_type": "line_item_usage_type",
                "description": "line_item_line_item_description",
                "region": "product_region_code",
                "quantity": "line_item_usage_amount",
                "cost": "line_item_unblended_cost",
            }
        ).drop(columns=["provider", "category", "month", "list_unit_price"]).to_csv(
            path, index=False
        )
        size = path.stat().st_size
        start = time.perf_counter()
        read = bills.read_cur(path)
        reading = time.perf_counter() - start
    print(
        f"read_cur: {len(read):,} lines ({size / 1e6:.0f} MB) in "
        f"{reading:.2f} s ({len(read) / reading:,.0f} lines/s)"
    )
    print(f"peak resident memory: {peak_mib():,.0f} MiB")
    print(
        f"python {sys.version.split()[0]}, pandas "
        f"{pd.__version__}, numpy {np.__version__}"
    )


if __name__ == "__main__":
    main()
