"""Tests of the bill readers (CUR, CUR 2.0, FOCUS), the charge classifier and their
errors.

The small bills below are written by hand in each format; the expected class of each
line comes from what the usage type or description says (AWS usage type conventions:
<region>-DataTransfer-Out-Bytes is internet egress, -Regional-Bytes is between zones,
<src>-<dst>-AWS-Out-Bytes is between regions, ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ingress_egress import bills

# ---- classify_charge on AWS usage types ----------------------------------------------


@pytest.mark.parametrize(
    ("usage_type", "service", "expected"),
    [
        ("USE1-DataTransfer-Out-Bytes", "AmazonEC2", "internet_out"),
        (
            "DataTransfer-Out-Bytes",
            "AmazonS3",
            "internet_out",
        ),  # us-east-1 types carry no region prefix
        ("USW2-DataTransfer-In-Bytes", "AmazonEC2", "internet_in"),
        ("DataTransfer-In-Bytes", "AmazonEC2", "internet_in"),
        ("USE1-DataTransfer-Regional-Bytes", "AmazonEC2", "inter_zone"),
        ("DataTransfer-Regional-Bytes", "AmazonRDS", "inter_zone"),
        ("USE1-USW2-AWS-Out-Bytes", "AmazonS3", "inter_region_out"),
        ("USW2-USE1-AWS-In-Bytes", "AmazonS3", "inter_region_in"),
        ("EUN1-AWS-Out-Bytes", "AmazonEC2", "inter_region_out"),
        ("USE1-NatGateway-Bytes", "AmazonEC2", "nat_gateway"),
        ("NatGateway-Hours", "AmazonEC2", "nat_gateway"),
        ("US-DataTransfer-Out-Bytes", "AmazonCloudFront", "cdn_out"),
        ("EU-DataTransfer-Out-Bytes", "AmazonCloudFront", "cdn_out"),
        # CloudFront edge -> origin: "bytes transferred from CloudFront edge locations
        # to your origin" (CloudFront Developer Guide, usage types), billed by
        # CloudFront; the origin's region lists the same bytes arriving.
        ("US-DataTransfer-Out-OBytes", "AmazonCloudFront", "cdn_to_origin"),
        ("EU-DataTransfer-Out-OBytes", "AmazonCloudFront", "cdn_to_origin"),
        ("USE1-CloudFront-In-Bytes", "AmazonS3", "cdn_to_origin"),
        # origin -> CloudFront: origin fetches, "Data Transfer OUT From Amazon EC2 To
        # Amazon CloudFront $0.00".
        ("CloudFront-Out-Bytes", "AmazonEC2", "origin_to_cdn"),
        ("USW2-CloudFront-Out-Bytes", "AmazonS3", "origin_to_cdn"),
        ("BoxUsage:m5.large", "AmazonEC2", "not_transfer"),
        ("USE1-TimedStorage-ByteHrs", "AmazonS3", "not_transfer"),
        ("US-Requests-Tier2-HTTPS", "AmazonCloudFront", "not_transfer"),
        (
            "USE1-VpcEndpoint-Bytes",
            "AmazonVPC",
            "not_transfer",
        ),  # endpoint processing is not in the list
    ],
)
def test_usage_types(usage_type, service, expected):
    assert (
        bills.classify_charge(
            {"line_item_usage_type": usage_type, "line_item_product_code": service}
        )
        == expected
    )
    # The legacy CUR header names and the normalised names give the same answer.
    assert (
        bills.classify_charge(
            {"lineItem/UsageType": usage_type, "lineItem/ProductCode": service}
        )
        == expected
    )
    assert (
        bills.classify_charge({"usage_type": usage_type, "service": service})
        == expected
    )


@pytest.mark.parametrize(
    ("service", "description", "price", "expected"),
    [
        (
            "Amazon Elastic Compute Cloud",
            "$0.000 per GB - data transfer in per month",
            "0",
            "internet_in",
        ),
        (
            "Amazon Simple Storage Service",
            "$0.090 per GB - first 10 TB / month data "
            "transfer out beyond the global free tier",
            "0.09",
            "internet_out",
        ),
        (
            "Amazon CloudFront",
            "$0.080 per GB - next 40 TB / month data transfer out",
            "0.08",
            "cdn_out",
        ),
        (
            "Amazon API Gateway",
            "$0.085 per GB - next 40 TB / month data transfer out",
            "0.085",
            "internet_out",
        ),
        (
            "Amazon Elastic Compute Cloud",
            "$0.00 per GB data transfer in to US West (Oregon) from CloudFront",
            "0",
            "cdn_to_origin",
        ),
        (
            "Amazon Simple Storage Service",
            "$0.00 per GB data transfer out of US West (Oregon) to CloudFront",
            "0",
            "origin_to_cdn",
        ),
        (
            "Amazon CloudFront",
            "$0.020 per GB - data transfer out to origin",
            "0.02",
            "cdn_to_origin",
        ),
        (
            "Amazon CloudFront",
            "$0.0075 per 10,000 requests to Origin Shield",
            "0.00000075",
            "not_transfer",
        ),
        (
            "Elastic Load Balancing",
            "$0.010 per GB - regional data transfer - "
            "in/out/between EC2 AZs or using elastic IPs or ELB",
            "0.01",
            "inter_zone",
        ),
        (
            "Amazon Simple Storage Service",
            "$0.02 per GB - US West (Oregon) data transfer to EU (Ireland)",
            "0.02",
            "inter_region_out",
        ),
        (
            "AWS Lambda",
            "$0.00 per GB - US West (Oregon) data transfer from EU (Paris)",
            "0",
            "inter_region_in",
        ),
        (
            "Amazon Elastic Compute Cloud",
            "$0.045 per GB Data Processed by NAT Gateways",
            "0.045",
            "nat_gateway",
        ),
        (
            "Amazon Elastic Compute Cloud",
            "USD 0.147 per GB for USE1-AWS-Out-Bytes in Africa (Cape Town)",
            "0.147",
            "inter_region_out",
        ),
        (
            "Amazon Simple Storage Service",
            "USD0.02 per GB for  in Middle East (Bahrain)",
            "0.02",
            "inter_region_out",
        ),
        (
            "Elastic Load Balancing",
            "USD0.0 per GB for  in Middle East (Bahrain)",
            "0",
            "inter_region_in",
        ),
        (
            "Azure Machine Learning",
            "Bandwidth Inter-Region - Intra Continent Data Transfer Out - "
            "North America",
            "0.02",
            "inter_region_out",
        ),
        (
            "Virtual Machine Scale Sets",
            "Rtn Preference: MGN - Standard Data Transfer Out",
            "0.087",
            "internet_out",
        ),
        ("NETWORK", "Outbound Data Transfer Zone 1", "0", "internet_out"),
        (
            "Azure Machine Learning",
            "Load Balancer - Standard Data Processed",
            "0.005",
            "not_transfer",
        ),
        (
            "AmazonCloudWatch",
            "$0.50 per GB custom log data ingested in "
            "Standard log class - US East (Ohio)",
            "0.5",
            "not_transfer",
        ),
        (
            "Amazon CloudFront",
            "$0.0100 per 10,000 HTTPS Requests",
            "0.000001",
            "not_transfer",
        ),
    ],
)
def test_focus_descriptions(service, description, price, expected):
    row = {
        "ServiceName": service,
        "ChargeDescription": description,
        "ListUnitPrice": price,
    }
    assert bills.classify_charge(row) == expected


def test_usage_type_wins_over_description_and_missing_values_are_empty():
    row = {
        "usage_type": "USE1-NatGateway-Bytes",
        "description": "$0.09 per GB - data transfer out",
        "service": None,
    }
    assert bills.classify_charge(row) == "nat_gateway"
    assert (
        bills.classify_charge({"usage_type": float("nan"), "description": "NULL"})
        == "not_transfer"
    )
    assert bills.classify_charge({}) == "not_transfer"
    with pytest.raises(TypeError, match="mapping"):
        bills.classify_charge(["USE1-NatGateway-Bytes"])


# ---- readers -------------------------------------------------------------------------


# Bills as the providers export them: one CSV record per line, however long, so the
# three tables below are exempt from the line length (noqa: E501 on their last line).
LEGACY_CUR = """identity/LineItemId,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,lineItem/LineItemDescription,lineItem/UsageAmount,pricing/unit,lineItem/UnblendedCost,product/region
a1,2025-03-01T00:00:00Z,AmazonEC2,DataTransfer-Out-Bytes,"$0.090 per GB - first 10 TB / month data transfer out beyond the global free tier",150.5,GB,13.545,us-east-1
a2,2025-03-02T00:00:00Z,AmazonEC2,BoxUsage:m5.large,"$0.096 per On Demand Linux m5.large Instance Hour",24,Hrs,2.304,us-east-1
a3,2025-04-01T00:00:00Z,AmazonEC2,DataTransfer-Regional-Bytes,"$0.010 per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB",1000,GB,10,us-east-1
"""  # noqa: E501

CUR2 = """identity_line_item_id,line_item_usage_start_date,line_item_product_code,line_item_usage_type,line_item_usage_amount,line_item_unblended_cost,product_region_code,pricing_public_on_demand_rate
b1,2025-05-03T00:00:00Z,AmazonS3,USE1-USW2-AWS-Out-Bytes,200,4,us-east-1,0.02
b2,2025-05-03T00:00:00Z,AmazonCloudFront,US-DataTransfer-Out-Bytes,100,8.5,,0.085
"""  # noqa: E501

FOCUS = """BilledCost,ChargeDescription,ChargePeriodStart,ConsumedQuantity,ListUnitPrice,PricingUnit,ProviderName,RegionId,ServiceName
0.45,$0.045 per GB Data Processed by NAT Gateways,2024-09-01 00:00:00,10,0.045,GB,AWS,us-east-1,Amazon Elastic Compute Cloud
-3.0,"AWS Open Source Promotional Credits, credit from account: 000000000000",2024-09-24 03:00:00,NULL,NULL,Hours,AWS,us-east-1,Amazon Elastic Compute Cloud
0.087,Rtn Preference: MGN - Standard Data Transfer Out,2024-09-03 00:00:00,1,0.087,GB,Microsoft,eastus,Virtual Machine Scale Sets
"""  # noqa: E501


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_legacy_cur(tmp_path):
    bill = bills.read_cur(_write(tmp_path, "legacy.csv", LEGACY_CUR))
    assert list(bill.columns[: len(bills.NORMALISED_COLUMNS)]) == list(
        bills.NORMALISED_COLUMNS
    )
    assert "lineItem/UsageType" in bill.columns  # original columns kept
    assert bill["usage_type"].tolist() == [
        "DataTransfer-Out-Bytes",
        "BoxUsage:m5.large",
        "DataTransfer-Regional-Bytes",
    ]
    assert bill["quantity"].tolist() == [150.5, 24.0, 1000.0]
    assert bill["cost"].tolist() == [13.545, 2.304, 10.0]
    assert bill["month"].tolist() == ["2025-03", "2025-03", "2025-04"]
    assert bill["region"].tolist() == ["us-east-1"] * 3
    assert bill["provider"].unique().tolist() == ["AWS"]
    assert bills.classify_charges(bill).tolist() == [
        "internet_out",
        "not_transfer",
        "inter_zone",
    ]
    assert bill.attrs["format"] == "cur" and bill.attrs["lines"] == 3


def test_read_cur2_and_read_bill_detects_format(tmp_path):
    path = _write(tmp_path, "cur2.csv", CUR2)
    bill = bills.read_bill(path)
    assert bill.attrs["format"] == "cur"
    assert bill["region"].tolist() == ["us-east-1", ""]
    assert bill["list_unit_price"].tolist() == [0.02, 0.085]
    assert bills.classify_charges(bill).tolist() == ["inter_region_out", "cdn_out"]


def test_read_focus_keeps_credits_and_counts_nulls(tmp_path):
    bill = bills.read_bill(_write(tmp_path, "focus.csv", FOCUS))
    assert bill.attrs["format"] == "focus"
    assert len(bill) == 3  # nothing dropped
    assert bill.attrs["missing"] == {"quantity": 1, "cost": 0}
    assert np.isnan(bill["quantity"].iloc[1]) and bill["cost"].iloc[1] == -3.0
    assert bill["provider"].tolist() == ["AWS", "AWS", "Microsoft"]
    assert bill["month"].tolist() == ["2024-09"] * 3
    assert bills.classify_charges(bill).tolist() == [
        "nat_gateway",
        "not_transfer",
        "internet_out",
    ]


def test_transfer_summary_by_hand(tmp_path):
    bill = bills.read_cur(_write(tmp_path, "legacy.csv", LEGACY_CUR))
    summary = bills.transfer_summary(bill)
    assert summary[
        ["month", "category", "quantity", "cost", "lines"]
    ].values.tolist() == [
        ["2025-03", "internet_out", 150.5, 13.545, 1],
        ["2025-03", "not_transfer", 24.0, 2.304, 1],
        ["2025-04", "inter_zone", 1000.0, 10.0, 1],
    ]


def test_vectorised_agrees_with_one_by_one():
    rng = np.random.default_rng(7)
    pool = [
        ("DataTransfer-Out-Bytes", "AmazonEC2", "", 0.09),
        ("US-DataTransfer-Out-Bytes", "AmazonCloudFront", "", 0.085),
        (
            "",
            "Amazon Simple Storage Service",
            "USD0.02 per GB for  in Middle East (Bahrain)",
            0.02,
        ),
        (
            "",
            "Amazon Simple Storage Service",
            "USD0.02 per GB for  in Middle East (Bahrain)",
            0.0,
        ),
        ("", "NETWORK", "Outbound Data Transfer Zone 1", 0.0),
        ("BoxUsage:t3.micro", "AmazonEC2", "", 0.0104),
        (
            "",
            "Amazon Elastic Compute Cloud",
            "$0.00 per GB data transfer out of US East "
            "(Northern Virginia) to CloudFront",
            0.0,
        ),
    ]
    picks = rng.integers(0, len(pool), size=500)
    bill = pd.DataFrame(
        [pool[i] for i in picks],
        columns=["usage_type", "service", "description", "list_unit_price"],
    )
    expected = [bills.classify_charge(row) for row in bill.to_dict("records")]
    assert bills.classify_charges(bill).tolist() == expected
    assert bills.classify_charges(bill.iloc[:0]).tolist() == []
    as_categories = bill.astype(
        {"usage_type": "category", "service": "category", "description": "category"}
    )
    assert bills.classify_charges(as_categories).tolist() == expected


# ---- errors --------------------------------------------------------------------------


def test_missing_required_column(tmp_path):
    path = _write(
        tmp_path,
        "bad.csv",
        LEGACY_CUR.replace("lineItem/UnblendedCost", "lineItem/Cost"),
    )
    with pytest.raises(
        ValueError,
        match=r"bad.csv: line 1: missing required CUR "
        r"column\(s\) line_item_unblended_cost",
    ):
        bills.read_cur(path)
    path = _write(tmp_path, "badfocus.csv", FOCUS.replace("BilledCost", "Cost"))
    with pytest.raises(
        ValueError,
        match=r"badfocus.csv: line 1: missing required FOCUS column\(s\) BilledCost",
    ):
        bills.read_focus(path)
    with pytest.raises(ValueError, match=r"neither a FOCUS export .* nor a CUR"):
        bills.read_bill(_write(tmp_path, "other.csv", "a,b\n1,2\n"))


def test_unparsable_number_names_file_line_and_column(tmp_path):
    path = _write(
        tmp_path,
        "cur.csv",
        LEGACY_CUR.replace(",1000,GB,", ",1,000,GB,").replace("1,000,GB", "lots,GB"),
    )
    with pytest.raises(
        ValueError,
        match=r"cur.csv: line 4: column 'lineItem/UsageAmount': "
        r"expected a finite number, got 'lots'",
    ):
        bills.read_cur(path)
    # A quoted description spanning two lines moves the physical line number: the error
    # says where it really is.
    text = FOCUS.replace(
        "$0.045 per GB Data Processed by NAT Gateways",
        '"$0.045 per GB Data Processed\nby NAT Gateways"',
    ).replace("0.087,Rtn", "x0.087,Rtn")
    with pytest.raises(
        ValueError,
        match=r"focus.csv: line 5: column 'BilledCost': "
        r"expected a finite number, got 'x0.087'",
    ):
        bills.read_focus(_write(tmp_path, "focus.csv", text))


def test_bad_date_empty_file_and_missing_file(tmp_path):
    path = _write(
        tmp_path,
        "dates.csv",
        CUR2.replace("2025-05-03T00:00:00Z,AmazonCloud", "May 2025,AmazonCloud"),
    )
    with pytest.raises(
        ValueError,
        match=r"dates.csv: line 3: column 'line_item_usage_start_date': "
        r"expected a date-time starting YYYY-MM, got 'May 2025'",
    ):
        bills.read_cur(path)
    with pytest.raises(ValueError, match="empty file"):
        bills.read_bill(_write(tmp_path, "empty.csv", ""))
    with pytest.raises(ValueError, match="empty file"):
        bills.read_cur(_write(tmp_path, "empty2.csv", ""))
    with pytest.raises(FileNotFoundError, match="no such bill"):
        bills.read_focus(tmp_path / "absent.csv")


def test_classify_charges_needs_normalised_columns():
    with pytest.raises(
        ValueError,
        match=r"lacks normalised column\(s\) usage_type, service, description",
    ):
        bills.classify_charges(pd.DataFrame({"ChargeDescription": ["x"]}))


def test_read_bill_takes_a_gzipped_export(tmp_path):
    # Data Exports and CUR deliver .csv.gz files; the gzipped copy must read like the
    # plain one.
    import gzip

    plain = bills.read_bill(_write(tmp_path, "focus.csv", FOCUS))
    packed = tmp_path / "focus.csv.gz"
    packed.write_bytes(gzip.compress(FOCUS.encode()))
    bill = bills.read_bill(packed)
    assert bill.attrs["format"] == "focus"
    assert bill["BilledCost"].tolist() == plain["BilledCost"].tolist()


def test_cdn_to_origin_is_billed_and_origin_fetches_are_not():
    """The two directions between CloudFront and its origin are priced differently, so
    they are two classes.

    Before the split both were one class that the course called free, which hid a billed
    line."""
    bill = pd.DataFrame(
        {
            "usage_type": [
                "US-DataTransfer-Out-OBytes",
                "USE1-CloudFront-In-Bytes",
                "CloudFront-Out-Bytes",
            ],
            "service": ["AmazonCloudFront", "AmazonS3", "AmazonS3"],
            "description": ["", "", ""],
            "month": ["2025-09"] * 3,
            "quantity": [500.0, 500.0, 3_000.0],
            "cost": [500 * 0.02, 0.0, 0.0],
        }
    )
    summary = bills.transfer_summary(bill).set_index("category")
    assert summary.loc["cdn_to_origin", "cost"] == pytest.approx(
        10.0
    )  # 500 GB x 0.02, CloudFront's line
    assert (
        summary.loc["cdn_to_origin", "lines"] == 2
    )  # and the origin's free arrival line
    assert summary.loc["origin_to_cdn", "cost"] == 0.0
    assert {"origin_to_cdn", "cdn_to_origin"} <= set(bills.TRANSFER_CLASSES)
    assert "cdn_origin" not in bills.CLASSES
