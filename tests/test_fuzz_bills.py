"""Property-based tests of the bill readers: valid FOCUS and CUR exports, then damaged
ones.

Properties: only ValueError escapes ``read_bill`` (naming the file); a call stays under
the time and memory bounds; a valid export reads back the numbers written, and its cost
total agrees with an independent sum made with the csv module; gzip changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from ingress_egress import bills
from tests.fuzzing import bounded, examples, mutated

FOLDER = Path(tempfile.mkdtemp(prefix="fuzz-bills-"))
FOCUS = [
    "ServiceName",
    "ChargeDescription",
    "ConsumedQuantity",
    "BilledCost",
    "ChargePeriodStart",
    "PricingUnit",
]
CUR = [
    "lineItem/UsageType",
    "lineItem/UsageAmount",
    "lineItem/UnblendedCost",
    "lineItem/ProductCode",
    "lineItem/UsageStartDate",
    "lineItem/LineItemDescription",
]

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
numbers = st.one_of(
    st.integers(-(10**6), 10**9),
    st.floats(-1e9, 1e12, allow_nan=False, allow_infinity=False),
)
months = st.builds(
    lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}T00:00:00Z",
    st.integers(2000, 2099),
    st.integers(1, 12),
    st.integers(1, 28),
)


@st.composite
def exports(draw) -> tuple[str, list[str], list[list]]:
    """(format, header, rows) with numbers as numbers and NULL or empty for some
    quantities.
    """
    fmt = draw(st.sampled_from(["focus", "cur"]))
    rows = []
    for _ in range(draw(st.integers(0, 15))):
        quantity = draw(st.one_of(numbers, st.sampled_from(["", "NULL"])))
        cost = draw(numbers)
        text_a, text_b, month = draw(texts), draw(texts), draw(months)
        if fmt == "focus":
            rows.append([text_a, text_b, quantity, cost, month, "GB"])
        else:
            rows.append([text_a, quantity, cost, "AmazonS3", month, text_b])
    return fmt, (FOCUS if fmt == "focus" else CUR), rows


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends: fields holding \r or \n are quoted
    writer.writerow(header)
    writer.writerows(
        [[repr(v) if isinstance(v, float) else v for v in row] for row in rows]
    )
    return out.getvalue().encode()


def _read(data: bytes, name: str):
    path = FOLDER / name
    path.write_bytes(data)
    try:
        with bounded(64 * 2**20):
            return bills.read_bill(path)
    except ValueError as error:
        assert str(error).startswith(str(path)), error
        return str(error)


def _independent_total(data: bytes, column: str) -> float:
    """The cost column summed with the csv module and float(), the way a person would
    check.
    """
    rows = csv.DictReader(io.StringIO(data.decode(), newline=""))
    return math.fsum(float(row[column]) for row in rows)


@examples(ci=40)
@given(exports(), st.booleans())
def test_valid_exports_read_back_and_add_up(export, compressed):
    fmt, header, rows = export
    data = _csv(header, rows)
    bill = _read(
        gzip.compress(data, mtime=0) if compressed else data,
        "bill.csv.gz" if compressed else "bill.csv",
    )
    assert not isinstance(bill, str), bill
    assert bill.attrs["format"] == fmt and len(bill) == len(rows)
    cost_column = "BilledCost" if fmt == "focus" else "lineItem/UnblendedCost"
    assert math.isclose(
        bill["cost"].sum(),
        _independent_total(data, cost_column),
        rel_tol=1e-12,
        abs_tol=1e-6,
    )
    quantity_index = 2 if fmt == "focus" else 1
    for row, value in zip(rows, bill["quantity"]):
        written = row[quantity_index]
        assert math.isnan(value) if written in ("", "NULL") else value == float(written)


@examples(ci=60)
@given(st.data())
@example(None)  # the reproducers of the fuzzing campaign, replayed every run
def test_damaged_exports_give_only_value_errors(data):
    if data is None:
        for name, damaged in _REPRODUCERS.items():
            assert isinstance(_read(damaged, name), str), name
        return
    fmt, header, rows = data.draw(exports())
    damaged = data.draw(mutated(_csv(header, rows)))
    if data.draw(st.booleans()):
        damaged = data.draw(mutated(gzip.compress(damaged, mtime=0)))
        _read(damaged, "damaged.csv.gz")
    else:
        _read(damaged, "damaged.csv")


_HEADER = (
    "ServiceName,ChargeDescription,ConsumedQuantity,BilledCost,ChargePeriodStart\n"
)
_GOOD = "S3,data transfer out,1,0.09,2025-01-01\n"
_TRUNCATED = gzip.compress((_HEADER + _GOOD * 2000).encode())
_REPRODUCERS = {
    "gz_nonnumeric.csv.gz": gzip.compress(
        (_HEADER + _GOOD + "S3,x,1,abc,2025-01-01\n").encode()
    ),
    "gz_truncated.csv.gz": _TRUNCATED[: len(_TRUNCATED) // 2],
    "latin1.csv": (_HEADER + "S3,Z\xfcrich,1,0.09,2025-01-01\n").encode("latin-1"),
    "hugefield.csv": (
        _HEADER + "S3," + "A" * 200_000 + ",1,0.09,2025-01-01\n"
    ).encode(),
    "inf.csv": (_HEADER + _GOOD + "S3,x,1,inf,2025-01-01\n").encode(),
}
