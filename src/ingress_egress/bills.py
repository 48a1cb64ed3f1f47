"""Bills: read a cloud bill and find every data transfer charge hiding in it.

Two export formats cover most bills people have:

- the **AWS Cost and Usage Report** (CUR). Legacy CUR CSV headers look like
  ``lineItem/UsageType``; the Athena form of legacy CUR and CUR 2.0 (AWS Data Exports)
  use snake case, ``line_item_usage_type``. Both are read: a header is normalised to
  snake case (``lineItem/UsageType`` -> ``line_item_usage_type``, ``product/region`` ->
  ``product_region``) before the columns are looked up.
- **FOCUS 1.x** (FinOps Open Cost and Usage Specification): ``ServiceName``,
  ``ChargeDescription``, ``ConsumedQuantity``, ``PricingUnit``, ``BilledCost``, ...
  exported by AWS, Azure, Google Cloud, Oracle.

The readers return one row per bill line with the same normalised columns whatever the
format, in front of the original columns (kept unchanged):

=================== ====================================================================
``provider``        ``AWS`` for a CUR; ``ProviderName`` for FOCUS
``service``         ``line_item_product_code`` / ``ServiceName``
``usage_type``      ``line_item_usage_type`` (``x_UsageType`` in FOCUS when present,
                    else empty)
``description``     ``line_item_line_item_description`` / ``ChargeDescription``
``region``          ``product_region_code`` or ``product_region`` / ``RegionId``
``month``           ``YYYY-MM`` of ``line_item_usage_start_date`` /
                    ``ChargePeriodStart``
``quantity``        ``line_item_usage_amount`` / ``ConsumedQuantity`` (float)
``unit``            ``pricing_unit`` / ``PricingUnit``
``cost``            ``line_item_unblended_cost`` / ``BilledCost`` (float, USD)
``list_unit_price`` ``pricing_public_on_demand_rate`` / ``ListUnitPrice`` (float)
=================== ====================================================================

Empty cells and the literal ``NULL`` (which FOCUS exports use) become missing values;
the reader counts them in ``frame.attrs["missing"]`` rather than dropping anything.
Anything else in a number column must be a finite number: ``nan``, ``None``, ``inf`` and
``1e309`` are refused. Every problem (a missing required column, a number that does not
parse, text that is not UTF-8, a damaged gzip file, a field longer than
:data:`MAX_FIELD_CHARS`) is a ValueError naming the file, the line and, where there is
one, the column.

:func:`classify_charge` puts one line into one of :data:`CLASSES`;
:func:`classify_charges` does a whole bill at once (it classifies each distinct line
text once, so ten million lines take seconds).

Examples
--------
>>> classify_charge(
...     {
...         "line_item_usage_type": "USE1-USW2-AWS-Out-Bytes",
...         "line_item_product_code": "AmazonS3",
...     }
... )
'inter_region_out'
>>> classify_charge(
...     {
...         "ServiceName": "Amazon CloudFront",
...         "ChargeDescription": "$0.085 per GB - first 10 TB / month "
...         "data transfer out",
...     }
... )
'cdn_out'
>>> classify_charge(
...     {
...         "ServiceName": "Amazon Elastic Compute Cloud",
...         "ChargeDescription": "$0.0416 per On Demand Linux t3.medium Instance Hour",
...     }
... )
'not_transfer'
"""

from __future__ import annotations

import csv
import gzip
import math
import re
import zlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

TRANSFER_CLASSES = (
    "internet_in",
    "internet_out",
    "inter_zone",
    "inter_region_in",
    "inter_region_out",
    "nat_gateway",
    "cdn_out",
    "origin_to_cdn",
    "cdn_to_origin",
)
"""The kinds of data transfer a bill line can be.

Between a CDN and its origin the direction decides the price, so it is in the name:
``origin_to_cdn`` (origin fetches, free from AWS origins) and ``cdn_to_origin`` (what
CloudFront forwards to the origin, such as uploads: billed by CloudFront at its "data
transfer out to origin" rate, shown at no charge on the origin's side). ``inter_zone``
is AWS's "regional data transfer", which also counts traffic to a public or Elastic IP
address inside the region: the bill does not tell the two apart.
"""

CLASSES = TRANSFER_CLASSES + ("not_transfer",)
"""Every class :func:`classify_charge` returns."""

NORMALISED_COLUMNS = (
    "provider",
    "service",
    "usage_type",
    "description",
    "region",
    "month",
    "quantity",
    "unit",
    "cost",
    "list_unit_price",
)
"""The columns both readers put in front of the original ones."""

CUR_REQUIRED = (
    "line_item_usage_type",
    "line_item_usage_amount",
    "line_item_unblended_cost",
)
"""Columns a CUR must have (after normalising the header to snake case)."""

FOCUS_REQUIRED = ("ServiceName", "ChargeDescription", "ConsumedQuantity", "BilledCost")
"""Columns a FOCUS export must have."""

_NULLS = {"", "null"}

MAX_FIELD_CHARS = 131_072
"""The longest CSV field the readers accept (characters; Python's csv module's own
default limit).

Billing exports have short fields (a description is at most a few hundred characters); a
longer one means the file is not the export it claims to be, and refusing it protects
the reader's memory."""


# --------------------------------------------------------------------------------------
# Classifying one line
# --------------------------------------------------------------------------------------

# AWS usage types: an optional billing-region prefix (USE1-, USW2-, EUC1-; CloudFront
# edges US-, EU-, JP-; none at all for many us-east-1 lines), for inter-region types a
# second region, then the kind of bytes.
_PREFIX = r"(?:[A-Z]{2,4}[0-9]?-)"
_USAGE_RULES = (
    (re.compile(rf"^{_PREFIX}?NatGateway-(?:Bytes|Hours)$"), "nat_gateway"),
    (re.compile(rf"^{_PREFIX}?DataTransfer-Regional-Bytes$"), "inter_zone"),
    (re.compile(rf"^{_PREFIX}{{0,2}}AWS-Out-Bytes$"), "inter_region_out"),
    (re.compile(rf"^{_PREFIX}{{0,2}}AWS-In-Bytes$"), "inter_region_in"),
    (
        re.compile(rf"^{_PREFIX}?DataTransfer-Out-OBytes$"),
        "cdn_to_origin",
    ),  # CloudFront edge -> origin (billed)
    (
        re.compile(rf"^{_PREFIX}?CloudFront-Out-Bytes$"),
        "origin_to_cdn",
    ),  # region -> CloudFront (origin fetch)
    (
        re.compile(rf"^{_PREFIX}?CloudFront-In-Bytes$"),
        "cdn_to_origin",
    ),  # CloudFront -> region, the origin's side
    (
        re.compile(rf"^{_PREFIX}?DataTransfer-Out-Bytes$"),
        "internet_out",
    ),  # cdn_out when the service is CloudFront
    (re.compile(rf"^{_PREFIX}?DataTransfer-In-Bytes$"), "internet_in"),
)
# The same kinds of usage type quoted inside a description ("USD 0.02 per GB for
# EUN1-AWS-Out-Bytes in ...").
_USAGE_TOKEN = re.compile(
    rf"(?<![\w-])({_PREFIX}{{0,2}}(?:NatGateway-(?:Bytes|Hours)|DataTransfer-(?:Regional|Out|In)-O?Bytes"
    r"|AWS-(?:Out|In)-Bytes|CloudFront-(?:Out|In)-Bytes))(?![\w-])"
)
_ORIGIN_TO_CDN = re.compile(r"data transfer out of .+ to cloudfront")
_CDN_TO_ORIGIN = re.compile(r"data transfer in to .+ from cloudfront")
_BETWEEN_REGIONS_OUT = re.compile(r" - .+ data transfer to ")
_BETWEEN_REGIONS_IN = re.compile(r" - .+ data transfer from ")
_BLANK_USAGE_TYPE = re.compile(r"per gb for\s+in ")


def _text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in _NULLS else text


def _first(row: Mapping, keys: tuple[str, ...]) -> str:
    for key in keys:
        if key in row:
            text = _text(row[key])
            if text:
                return text
    return ""


def _price(row: Mapping) -> float | None:
    """The line's unit list price, or its cost per unit when no list price is given."""
    text = _first(
        row,
        (
            "list_unit_price",
            "ListUnitPrice",
            "pricing_public_on_demand_rate",
            "pricing/publicOnDemandRate",
        ),
    )
    try:
        if text:
            return float(text)
        cost = float(
            _first(
                row,
                (
                    "cost",
                    "BilledCost",
                    "line_item_unblended_cost",
                    "lineItem/UnblendedCost",
                ),
            )
        )
        quantity = float(
            _first(
                row,
                (
                    "quantity",
                    "ConsumedQuantity",
                    "line_item_usage_amount",
                    "lineItem/UsageAmount",
                ),
            )
        )
        return cost / quantity if quantity else None
    except ValueError:
        return None


def classify_usage_type(usage_type: str, service: str = "") -> str | None:
    """Class of an AWS usage type, or None when it is not a data transfer usage type.

    >>> [
    ...     classify_usage_type(u)
    ...     for u in (
    ...         "USE1-DataTransfer-Out-Bytes",
    ...         "DataTransfer-Out-Bytes",
    ...         "USE1-DataTransfer-Regional-Bytes",
    ...         "USE1-NatGateway-Bytes",
    ...         "BoxUsage:m5.large",
    ...     )
    ... ]
    ['internet_out', 'internet_out', 'inter_zone', 'nat_gateway', None]
    >>> classify_usage_type("US-DataTransfer-Out-Bytes", "AmazonCloudFront")
    'cdn_out'
    """
    usage_type = usage_type.strip()
    for pattern, label in _USAGE_RULES:
        if pattern.match(usage_type):
            if label == "internet_out" and "cloudfront" in service.lower():
                return "cdn_out"
            return label
    return None


def _classify_description(description: str, service: str, row: Mapping) -> str:
    token = _USAGE_TOKEN.search(description)
    if token:
        return classify_usage_type(token.group(1), service) or "not_transfer"
    text = description.lower()
    service = service.lower()
    if "nat gateway" in text:
        return "nat_gateway"
    if _ORIGIN_TO_CDN.search(text):
        return "origin_to_cdn"
    if _CDN_TO_ORIGIN.search(text):
        return "cdn_to_origin"
    if "cloudfront" in service and "data transfer" in text and "to origin" in text:
        return "cdn_to_origin"  # "data transfer out to origin", CloudFront's own line
    if "cloudfront" in service and "data transfer out" in text:
        return "cdn_out"
    if (
        "regional data transfer" in text
        or "between ec2 azs" in text
        or "inter-availability zone" in text
    ):
        return "inter_zone"
    if "inter-region" in text:
        return (
            "inter_region_out"
            if "out" in text.split("inter-region", 1)[1]
            else "inter_region_in"
        )
    if _BETWEEN_REGIONS_OUT.search(text):
        return "inter_region_out"
    if _BETWEEN_REGIONS_IN.search(text):
        return "inter_region_in"
    if _BLANK_USAGE_TYPE.search(text):
        # "USD0.02 per GB for in Middle East (Bahrain)": an AWS line whose usage type is
        # missing from the description. It names another region, so it is transfer
        # between regions; the direction is not in the text, but AWS charges only the
        # sending side, so a priced line is the outgoing one.
        price = _price(row)
        return "inter_region_out" if price else "inter_region_in"
    if "data transfer out" in text or "outbound data transfer" in text:
        return "internet_out"
    if "data transfer in" in text or "inbound data transfer" in text:
        return "internet_in"
    return "not_transfer"


def classify_charge(row: Mapping) -> str:
    """Class of one bill line (a mapping of column to value) in CUR, CUR 2.0, FOCUS or
    normalised form.

    An AWS usage type decides when there is one; otherwise the description and service
    do (FOCUS lines, including Microsoft's and Oracle's, carry no usage type). Traffic
    between an origin and the CDN is ``origin_to_cdn`` or ``cdn_to_origin`` by its
    direction.

    >>> classify_charge({"usage_type": "DataTransfer-Regional-Bytes"})
    'inter_zone'
    >>> classify_charge(
    ...     {
    ...         "ServiceName": "Amazon Elastic Compute Cloud",
    ...         "ChargeDescription": "$0.00 per GB data transfer out of "
    ...         "US East (Northern Virginia) to CloudFront",
    ...     }
    ... )
    'origin_to_cdn'
    >>> classify_charge(
    ...     {"usage_type": "US-DataTransfer-Out-OBytes", "service": "AmazonCloudFront"}
    ... )
    'cdn_to_origin'
    >>> classify_charge(
    ...     {
    ...         "ServiceName": "NETWORK",
    ...         "ChargeDescription": "Outbound Data Transfer Zone 1",
    ...     }
    ... )
    'internet_out'
    """
    if not isinstance(row, Mapping):
        raise TypeError(
            f"row: expected a mapping of column name to value, got {type(row).__name__}"
        )
    service = _first(
        row,
        ("service", "ServiceName", "line_item_product_code", "lineItem/ProductCode"),
    )
    usage_type = _first(
        row, ("usage_type", "line_item_usage_type", "lineItem/UsageType", "x_UsageType")
    )
    if usage_type:
        label = classify_usage_type(usage_type, service)
        if label:
            return label
    description = _first(
        row,
        (
            "description",
            "ChargeDescription",
            "line_item_line_item_description",
            "lineItem/LineItemDescription",
        ),
    )
    return _classify_description(description, service, row)


def classify_charges(bill: pd.DataFrame) -> pd.Series:
    """Class of every line of a bill read by :func:`read_cur`, :func:`read_focus` or
    :func:`read_bill`.

    Each distinct (usage type, service, description, priced or not) combination is
    classified once with :func:`classify_charge` and the answer is spread back, so the
    cost grows with the number of distinct line texts, not lines. Returns a categorical
    Series (categories :data:`CLASSES`) on the bill's index.

    >>> bill = pd.DataFrame(
    ...     {
    ...         "usage_type": ["USE1-NatGateway-Bytes", "", "USE1-NatGateway-Bytes"],
    ...         "service": ["AmazonEC2", "Amazon CloudFront", "AmazonEC2"],
    ...         "description": [
    ...             "",
    ...             "$0.080 per GB - next 40 TB / month data transfer out",
    ...             "",
    ...         ],
    ...         "list_unit_price": [0.045, 0.08, 0.045],
    ...     }
    ... )
    >>> classify_charges(bill).tolist()
    ['nat_gateway', 'cdn_out', 'nat_gateway']
    """
    missing = [
        c for c in ("usage_type", "service", "description") if c not in bill.columns
    ]
    if missing:
        raise ValueError(
            "classify_charges: the bill lacks normalised column(s) "
            f"{', '.join(missing)}; read it with read_cur, "
            "read_focus or read_bill first"
        )
    if len(bill) == 0:
        return pd.Series(
            pd.Categorical([], categories=CLASSES), index=bill.index, name="category"
        )
    if "list_unit_price" in bill.columns:
        priced = bill["list_unit_price"].to_numpy(dtype=float, na_value=np.nan)
    else:
        priced = np.full(len(bill), np.nan)
    if "cost" in bill.columns:
        unpriced = np.isnan(priced)
        priced = np.where(
            unpriced, bill["cost"].to_numpy(dtype=float, na_value=np.nan), priced
        )
    sign = np.nan_to_num(priced, nan=0.0) > 0
    codes = {}
    uniques = {}
    for column in ("usage_type", "service", "description"):
        values = bill[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype(str)
        codes[column], uniques[column] = pd.factorize(values.fillna(""), sort=False)
    codes["priced"] = sign.astype(np.int8)
    sizes = [len(uniques[c]) + 1 for c in ("usage_type", "service", "description")] + [
        2
    ]
    if (
        math.prod(sizes) < 2**62
    ):  # one int64 key per line: mixed-radix digits are the column codes
        key = np.zeros(len(bill), dtype=np.int64)
        for column, size in zip(codes, sizes):
            key = key * size + codes[column].astype(np.int64)
        group, _ = pd.factorize(key, sort=False)
    else:  # pragma: no cover - needs billions of distinct texts
        group = pd.DataFrame(codes).groupby(list(codes), sort=False).ngroup().to_numpy()
    first = np.empty(int(group.max()) + 1, dtype=np.int64)
    first[group[::-1]] = np.arange(
        len(group) - 1, -1, -1
    )  # the last write wins: the first line of each group
    labels = []
    for index in first:
        row = {
            column: uniques[column][codes[column][index]]
            for column in ("usage_type", "service", "description")
        }
        row["list_unit_price"] = 1.0 if sign[index] else 0.0
        labels.append(CLASSES.index(classify_charge(row)))
    label_codes = np.asarray(labels, dtype=np.int8)[group]
    return pd.Series(
        pd.Categorical.from_codes(label_codes, categories=CLASSES),
        index=bill.index,
        name="category",
    )


def transfer_summary(
    bill: pd.DataFrame, by: tuple[str, ...] = ("month", "category")
) -> pd.DataFrame:
    """Cost and quantity summed by ``by`` (default month and category), classifying the
    bill if needed.

    >>> bill = pd.DataFrame(
    ...     {
    ...         "usage_type": [
    ...             "DataTransfer-Out-Bytes",
    ...             "DataTransfer-Out-Bytes",
    ...             "BoxUsage:m5.large",
    ...         ],
    ...         "service": ["AmazonEC2"] * 3,
    ...         "description": [""] * 3,
    ...         "month": ["2025-01"] * 3,
    ...         "quantity": [10.0, 5.0, 744.0],
    ...         "cost": [0.9, 0.45, 71.42],
    ...     }
    ... )
    >>> transfer_summary(bill).round(2).values.tolist()
    [['2025-01', 'internet_out', 15.0, 1.35, 2],
     ['2025-01', 'not_transfer', 744.0, 71.42, 1]]
    """
    frame = (
        bill
        if "category" in bill.columns
        else bill.assign(category=classify_charges(bill))
    )
    summary = (
        frame.groupby(list(by), observed=True, sort=True)
        .agg(quantity=("quantity", "sum"), cost=("cost", "sum"), lines=("cost", "size"))
        .reset_index()
    )
    for column in by:
        if isinstance(summary[column].dtype, pd.CategoricalDtype):
            summary[column] = summary[column].astype(str)
    return summary


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def snake_case(column: str) -> str:
    """A CUR header in snake case, as the Athena form of CUR and CUR 2.0 write it.

    >>> [
    ...     snake_case(c)
    ...     for c in (
    ...         "lineItem/UsageType",
    ...         "product/region",
    ...         "pricing/publicOnDemandRate",
    ...         "line_item_usage_type",
    ...     )
    ... ]
    ['line_item_usage_type', 'product_region', 'pricing_public_on_demand_rate',
     'line_item_usage_type']
    """
    return (
        re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column.strip())
        .replace("/", "_")
        .replace(":", "_")
        .lower()
    )


def _open_text(path: Path):
    """The bill as text (UTF-8), decompressing ``.gz`` files."""
    if path.suffix == ".gz":
        return gzip.open(path, "rt", newline="", encoding="utf-8")
    return open(path, newline="", encoding="utf-8")


def _raw_bytes(path: Path) -> bytes:
    return (
        gzip.decompress(path.read_bytes())
        if path.suffix == ".gz"
        else path.read_bytes()
    )


def _physical_line(path: Path, record: int) -> int:
    """The line number (header = 1) where CSV record ``record`` (0 = first data row)
    starts.
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(
        2**31 - 1
    )  # counting lines: the length limit is checked elsewhere
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            next(reader, None)
            start = reader.line_num + 1
            for index, _ in enumerate(reader):
                if index == record:
                    return start
                start = reader.line_num + 1
    finally:
        csv.field_size_limit(limit)
    return record + 2


def _unreadable(path: Path, error: Exception) -> ValueError:
    """A ValueError naming the file (and the line) for a decoding or decompression
    failure.
    """
    if isinstance(error, UnicodeDecodeError):
        data = _raw_bytes(path)
        try:  # the decoder's own position (pandas reports one relative to its buffer)
            data.decode("utf-8")
            start = error.start
        except UnicodeDecodeError as exact:
            start = exact.start
        line = data.count(b"\n", 0, start) + 1
        return ValueError(
            f"{path}: line {line}: not UTF-8 text (byte "
            f"0x{data[start : start + 1].hex()} at byte offset "
            f"{start}); export or save the bill as UTF-8"
        )
    return ValueError(
        f"{path}: not a readable gzip file ({error}); the download may be cut short"
    )


_DECODING_ERRORS = (UnicodeDecodeError, EOFError, gzip.BadGzipFile, zlib.error)


def _read_raw(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such bill")
    try:
        raw = pd.read_csv(
            path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
        )
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: line 1: empty file, expected a CSV header") from None
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: not a readable CSV ({error})") from None
    except _DECODING_ERRORS as error:
        raise _unreadable(path, error) from None
    _check_field_lengths(raw, path)
    return raw


def _check_field_lengths(raw: pd.DataFrame, path: Path) -> None:
    for column in raw.columns:
        if len(str(column)) > MAX_FIELD_CHARS:
            raise ValueError(
                f"{path}: line 1: a header field of {len(str(column)):,} characters; "
                f"the longest accepted is {MAX_FIELD_CHARS:,}"
            )
    for column in raw.columns:
        lengths = raw[column].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_FIELD_CHARS:
            record = int(np.argmax(lengths > MAX_FIELD_CHARS))
            raise ValueError(
                f"{path}: line {_physical_line(path, record)}: "
                f"column {str(column)[:80]!r}: "
                f"a field of {int(lengths[record]):,} characters; the longest accepted "
                f"is {MAX_FIELD_CHARS:,}"
            )


def _numbers(raw: pd.DataFrame, column: str, path: Path) -> tuple[pd.Series, int]:
    """Parse a numeric column; NULL/empty -> NaN (counted); anything else must be a
    finite number.
    """
    text = raw[column].str.strip()
    empty = text.str.lower().isin(_NULLS)
    values = pd.to_numeric(text.mask(empty), errors="coerce").astype(float)
    bad = (values.isna() | ~np.isfinite(values.fillna(0.0))) & ~empty
    if bad.any():
        record = int(np.flatnonzero(bad.to_numpy())[0])
        line = _physical_line(path, record)
        raise ValueError(
            f"{path}: line {line}: column {column!r}: expected a finite number, got "
            f"{raw[column].iloc[record][:80]!r}"
        )
    with np.errstate(over="ignore"):
        total = values.sum()
    if not np.isfinite(total):
        raise ValueError(
            f"{path}: column {column!r}: the numbers add up to more than a float holds "
            f"({values.abs().max():.3g} at most): not a real bill"
        )
    return values, int(empty.sum())


def _months(raw: pd.DataFrame, column: str | None, path: Path) -> pd.Series:
    if column is None:
        return pd.Series("", index=raw.index, dtype=object)
    text = raw[column].str.strip()
    empty = text.str.lower().isin(_NULLS)
    month = text.str.slice(0, 7)
    bad = ~empty & ~month.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])")
    if bad.any():
        record = int(np.flatnonzero(bad.to_numpy())[0])
        line = _physical_line(path, record)
        raise ValueError(
            f"{path}: line {line}: column {column!r}: expected a date-time "
            f"starting YYYY-MM, got {raw[column].iloc[record]!r}"
        )
    return month.where(~empty, "")


def _pick(columns: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in columns:
            return columns[name]
    return None


def _text_column(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return pd.Series("", index=raw.index, dtype=object)
    text = raw[column].str.strip()
    return text.where(~text.str.lower().isin(_NULLS), "")


def _assemble(
    raw: pd.DataFrame, normalised: dict, path: Path, fmt: str, missing: dict
) -> pd.DataFrame:
    front = pd.DataFrame(normalised, index=raw.index)
    clash = [c for c in raw.columns if c in front.columns]
    original = raw.rename(columns={c: f"original_{c}" for c in clash})
    frame = pd.concat([front, original], axis=1)
    frame.attrs = {
        "source": str(path),
        "format": fmt,
        "lines": len(frame),
        "missing": missing,
    }
    return frame


def read_cur(path: str | Path) -> pd.DataFrame:
    """Read an AWS Cost and Usage Report CSV (legacy ``lineItem/...`` headers, or snake
    case as in CUR 2.0).

    Required (after snake-casing the header): ``line_item_usage_type``,
    ``line_item_usage_amount``, ``line_item_unblended_cost``. Returns the normalised
    columns (see the module docstring) followed by the original columns.
    ``frame.attrs["missing"]`` counts empty quantities and costs.
    """
    path = Path(path)
    raw = _read_raw(path)
    columns = {snake_case(c): c for c in raw.columns}
    missing_columns = [c for c in CUR_REQUIRED if c not in columns]
    if missing_columns:
        raise ValueError(
            f"{path}: line 1: missing required CUR "
            f"column(s) {', '.join(missing_columns)} "
            "(legacy form lineItem/UsageType ... also accepted); "
            f"found: {', '.join(raw.columns[:12])}"
            + (" ..." if len(raw.columns) > 12 else "")
        )
    quantity, missing_quantity = _numbers(raw, columns["line_item_usage_amount"], path)
    cost, missing_cost = _numbers(raw, columns["line_item_unblended_cost"], path)
    rate_column = _pick(columns, "pricing_public_on_demand_rate")
    list_price = (
        _numbers(raw, rate_column, path)[0]
        if rate_column
        else pd.Series(np.nan, index=raw.index)
    )
    normalised = {
        "provider": "AWS",
        "service": _text_column(raw, _pick(columns, "line_item_product_code")),
        "usage_type": _text_column(raw, columns["line_item_usage_type"]),
        "description": _text_column(
            raw, _pick(columns, "line_item_line_item_description")
        ),
        "region": _text_column(
            raw, _pick(columns, "product_region_code", "product_region")
        ),
        "month": _months(
            raw,
            _pick(
                columns, "line_item_usage_start_date", "bill_billing_period_start_date"
            ),
            path,
        ),
        "quantity": quantity,
        "unit": _text_column(raw, _pick(columns, "pricing_unit")),
        "cost": cost,
        "list_unit_price": list_price,
    }
    return _assemble(
        raw,
        normalised,
        path,
        "cur",
        {"quantity": missing_quantity, "cost": missing_cost},
    )


def read_focus(path: str | Path) -> pd.DataFrame:
    """Read a FOCUS 1.x CSV export (any provider).

    Required: ``ServiceName``, ``ChargeDescription``, ``ConsumedQuantity``,
    ``BilledCost``. Credits and purchases have no consumed quantity (``NULL``): they
    stay, with a missing quantity, counted in ``frame.attrs["missing"]``.
    """
    path = Path(path)
    raw = _read_raw(path)
    columns = {c: c for c in raw.columns}
    missing_columns = [c for c in FOCUS_REQUIRED if c not in columns]
    if missing_columns:
        raise ValueError(
            f"{path}: line 1: missing required FOCUS column(s) "
            f"{', '.join(missing_columns)}; found: {', '.join(raw.columns[:12])}"
            + (" ..." if len(raw.columns) > 12 else "")
        )
    quantity, missing_quantity = _numbers(raw, "ConsumedQuantity", path)
    cost, missing_cost = _numbers(raw, "BilledCost", path)
    list_price = (
        _numbers(raw, "ListUnitPrice", path)[0]
        if "ListUnitPrice" in columns
        else pd.Series(np.nan, index=raw.index)
    )
    normalised = {
        "provider": _text_column(raw, _pick(columns, "ProviderName")),
        "service": _text_column(raw, "ServiceName"),
        "usage_type": _text_column(raw, _pick(columns, "x_UsageType")),
        "description": _text_column(raw, "ChargeDescription"),
        "region": _text_column(raw, _pick(columns, "RegionId")),
        "month": _months(
            raw, _pick(columns, "ChargePeriodStart", "BillingPeriodStart"), path
        ),
        "quantity": quantity,
        "unit": _text_column(raw, _pick(columns, "PricingUnit", "ConsumedUnit")),
        "cost": cost,
        "list_unit_price": list_price,
    }
    return _assemble(
        raw,
        normalised,
        path,
        "focus",
        {"quantity": missing_quantity, "cost": missing_cost},
    )


def read_bill(path: str | Path) -> pd.DataFrame:
    """Read a CUR or a FOCUS export (CSV, or CSV compressed with gzip), telling them
    apart by the header.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such bill")
    try:  # exports often come gzipped
        header = list(pd.read_csv(path, nrows=0, dtype=str, encoding="utf-8").columns)
    except pd.errors.EmptyDataError:
        header = []
    except pd.errors.ParserError as error:
        raise ValueError(f"{path}: not a readable CSV ({error})") from None
    except _DECODING_ERRORS as error:
        raise _unreadable(path, error) from None
    if not header:
        raise ValueError(f"{path}: line 1: empty file, expected a CSV header")
    if all(c in header for c in FOCUS_REQUIRED):
        return read_focus(path)
    if all(c in {snake_case(h) for h in header} for c in CUR_REQUIRED):
        return read_cur(path)
    raise ValueError(
        f"{path}: line 1: neither a FOCUS export (needs {', '.join(FOCUS_REQUIRED)}) "
        f"nor a CUR (needs {', '.join(CUR_REQUIRED)})"
    )
