"""The charge classifier against the real FOCUS 1.0 sample
(../shared/real-billing/focus_sample.csv).

The expected class of each of the 1,000 lines is derived here, independently of the
package, from an explicit table of the description templates the sample uses (read from
the file by eye: 1,000 lines, about 90 distinct data transfer descriptions). A template
is a full-match regular expression over ChargeDescription, optionally restricted to a
ServiceName; a line no template matches is expected to be ``not_transfer``. Each line
may match at most one template, so the table cannot hide an ambiguity.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from ingress_egress import bills

SAMPLE = (
    Path(__file__).resolve().parents[2] / "shared" / "real-billing" / "focus_sample.csv"
)

REGION = r"[A-Za-z ]+ \([A-Za-z ]+\)"  # "US West (Oregon)", "Asia Pacific (Tokyo)"
ANY = r".*"

# (ServiceName full match, ChargeDescription full match, expected class, why)
TEMPLATES = [
    (
        ANY,
        r"\$0\.000 per GB - data transfer in per month",
        "internet_in",
        "data coming in from the internet, free",
    ),
    (
        ANY,
        r"\$0\.000 per GB - data transfer out under the monthly global free tier",
        "internet_out",
        "internet egress inside the 100 GB free allowance",
    ),
    (
        r"(?!Amazon CloudFront$).*",
        r"\$0\.\d+ per GB - first 10 TB / month data "
        r"transfer out beyond the global free tier",
        "internet_out",
        "first paid tier of internet egress from a region",
    ),
    (
        r"(?!Amazon CloudFront$).*",
        r"\$0\.085 per GB - next 40 TB / month data transfer out",
        "internet_out",
        "second tier of internet egress from a region",
    ),
    (
        r"Amazon CloudFront",
        r"\$0\.\d+ per GB - (first 10|next 40) TB / month data transfer out",
        "cdn_out",
        "CloudFront delivering to viewers",
    ),
    (
        ANY,
        rf"\$0\.00 per GB data transfer out of {REGION} to CloudFront",
        "origin_to_cdn",
        "origin in a region sending to CloudFront (origin fetch)",
    ),
    (
        ANY,
        rf"\$0\.00 per GB data transfer in to {REGION} from CloudFront",
        "cdn_to_origin",
        "CloudFront forwarding to the origin, seen arriving "
        "at the origin's region (free there)",
    ),
    (
        ANY,
        r"\$0\.010 per GB - regional data transfer - "
        r"in/out/between EC2 AZs or using elastic IPs or ELB",
        "inter_zone",
        "between availability zones",
    ),
    (
        ANY,
        rf"\$0\.0\d per GB - {REGION} data transfer to {REGION}",
        "inter_region_out",
        "one region to another, charged at the source",
    ),
    (
        ANY,
        rf"\$0\.00 per GB - {REGION} data transfer from {REGION}",
        "inter_region_in",
        "arriving from another region, free",
    ),
    (
        ANY,
        r"USD ?0\.\d+ per GB for [A-Z0-9]+-AWS-Out-Bytes in .+",
        "inter_region_out",
        "usage type <region>-AWS-Out-Bytes quoted in the description",
    ),
    (
        ANY,
        r"USD ?0\.\d+ per GB for [A-Z0-9]+-AWS-In-Bytes in .+",
        "inter_region_in",
        "usage type <region>-AWS-In-Bytes quoted in the description",
    ),
    (
        ANY,
        r"USD ?0\.\d+ per GB for DataTransfer-Out-Bytes (usage )?in .+",
        "internet_out",
        "usage type DataTransfer-Out-Bytes quoted in the description",
    ),
    # The usage type is missing from these two descriptions ("for in"). They name a
    # region other than the line's own (RegionId us-east-1 and us-west-2), so the bytes
    # moved between regions; the text does not say which way, so the list price decides:
    # AWS charges the sending side (0.02) and not the receiving one (0).
    (
        ANY,
        r"USD0\.02 per GB for  in Middle East \(Bahrain\)",
        "inter_region_out",
        "priced: the sending side",
    ),
    (
        ANY,
        r"USD0\.0 per GB for  in Middle East \(Bahrain\)",
        "inter_region_in",
        "free: the receiving side",
    ),
    (
        ANY,
        r"\$0\.045 per GB Data Processed by NAT Gateways",
        "nat_gateway",
        "NAT gateway processing",
    ),
    (ANY, r"\$0\.0\d+ per NAT Gateway Hour", "nat_gateway", "NAT gateway hours"),
    # Microsoft and Oracle lines of the sample.
    (
        ANY,
        r"Rtn Preference: MGN - Standard Data Transfer Out",
        "internet_out",
        "Azure internet egress routed over the Microsoft global network",
    ),
    (
        ANY,
        r"Bandwidth Inter-Region - Intra Continent Data Transfer Out - North America",
        "inter_region_out",
        "Azure transfer between regions of one continent",
    ),
    (ANY, r"Outbound Data Transfer Zone 1", "internet_out", "Oracle internet egress"),
]


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    if not SAMPLE.exists():
        pytest.skip(
            f"../shared/real-billing not present: {SAMPLE} (the real "
            "FOCUS sample lives beside the repository)"
        )
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


def expected_class(service: str, description: str) -> str:
    matches = [
        label
        for service_pattern, pattern, label, _ in TEMPLATES
        if re.fullmatch(service_pattern, service) and re.fullmatch(pattern, description)
    ]
    assert len(matches) <= 1, (
        f"ambiguous templates for {service!r} / {description!r}: {matches}"
    )
    return matches[0] if matches else "not_transfer"


pytestmark = pytest.mark.shared


def test_every_line_agrees_with_the_descriptions(sample):
    disagreements = []
    for number, row in enumerate(
        sample.to_dict("records"), start=2
    ):  # line 1 is the header
        expected = expected_class(row["ServiceName"], row["ChargeDescription"])
        got = bills.classify_charge(row)
        if got != expected:
            disagreements.append(
                (number, row["ServiceName"], row["ChargeDescription"], expected, got)
            )
    assert disagreements == []


def test_vectorised_reader_path_agrees(sample):
    bill = bills.read_focus(SAMPLE)
    assert len(bill) == len(sample) == 1000
    expected = [
        expected_class(s, d)
        for s, d in zip(sample["ServiceName"], sample["ChargeDescription"])
    ]
    assert bills.classify_charges(bill).tolist() == expected


def test_every_template_is_used_and_every_class_occurs(sample):
    used = set()
    for service, description in zip(sample["ServiceName"], sample["ChargeDescription"]):
        for index, (service_pattern, pattern, _, _) in enumerate(TEMPLATES):
            if re.fullmatch(service_pattern, service) and re.fullmatch(
                pattern, description
            ):
                used.add(index)
    assert used == set(range(len(TEMPLATES)))
    classes = {
        expected_class(s, d)
        for s, d in zip(sample["ServiceName"], sample["ChargeDescription"])
    }
    assert classes == set(bills.CLASSES)


def test_transfer_lines_are_priced_per_gb(sample):
    """An independent signal: every transfer line except NAT gateway hours is priced per
    GB.
    """
    labels = pd.Series(
        [
            expected_class(s, d)
            for s, d in zip(sample["ServiceName"], sample["ChargeDescription"])
        ]
    )
    transfer = sample[
        labels.ne("not_transfer").to_numpy()
        & ~sample["ChargeDescription"].str.contains("NAT Gateway Hour")
    ]
    assert transfer.loc[
        transfer["ProviderName"] != "Oracle", "PricingUnit"
    ].unique().tolist() == ["GB"]
    # Oracle's one transfer line says "GB Months" for its pricing unit; it is still a
    # per-GB price.
    assert transfer.loc[
        transfer["ProviderName"] == "Oracle", "PricingUnit"
    ].tolist() == ["GB Months"]
    # The sample's README says about 570 of its lines are data transfer of some kind.
    assert 560 <= int(labels.ne("not_transfer").sum()) <= 580
    # Microsoft (3 transfer lines) and Oracle (1) are covered, not only AWS.
    by_provider = (
        sample.assign(label=labels.to_numpy())
        .query("label != 'not_transfer'")["ProviderName"]
        .value_counts()
    )
    assert by_provider["Microsoft"] == 5 and by_provider["Oracle"] == 1


def test_cost_columns_of_the_transfer_lines(sample):
    """What notebook 07 says of the sample: its transfer lines are billed at list price,
    and which cost column a reader sums matters, since the AWS lines leave
    ContractedCost and EffectiveCost at 0."""
    labels = [
        expected_class(s, d)
        for s, d in zip(sample["ServiceName"], sample["ChargeDescription"])
    ]
    transfer = sample[[label != "not_transfer" for label in labels]]
    aws = transfer[transfer["ProviderName"] == "AWS"]
    assert len(aws) == 564
    assert (aws["BilledCost"].astype(float) == aws["ListCost"].astype(float)).all()
    assert (aws["ListCost"].astype(float) > 0).sum() == 277
    assert (aws["ContractedCost"].astype(float) == 0).all() and (
        aws["EffectiveCost"].astype(float) == 0
    ).all()
