"""The course's table formats: what a reader sees in each cell, and HTML that is stable
and id-safe.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ingress_egress.tables import course_table, formatted_cells


@pytest.fixture
def bill() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": ["internet_out", "inter_zone"],
            "bytes": [1_234_567_890, 42],
            "usd": [1_062.7, 0.005],
            "share": [0.12345, 1.0],
            "gb": [1.23456, 1000.0],
        }
    )


def test_each_kind_of_number_reads_as_written_by_hand(bill):
    cells = formatted_cells(
        course_table(
            bill, money=["usd"], percent=["share"], decimals={"gb": 3}, index=False
        )
    )
    assert cells == [
        ["internet_out", "1,234,567,890", "1,062.70", "12.3%", "1.235"],
        ["inter_zone", "42", "0.01", "100.0%", "1,000.000"],
    ]


def test_numbers_and_their_headers_are_right_aligned_text_is_not(bill):
    html = course_table(bill, money=["usd"]).to_html()
    for position in (1, 2, 3, 4):  # bytes, usd, share, gb
        assert re.search(
            rf"th\.col_heading\.col{position}\s*{{\s*text-align: right;", html
        )
        assert re.search(rf"td\.col{position}\s*{{\s*text-align: right;", html)
    assert not re.search(r"td\.col0\s*{\s*text-align: right;", html)


def test_the_html_is_the_same_on_every_run_and_repeats_no_id(bill):
    first, second = course_table(bill).to_html(), course_table(bill.copy()).to_html()
    assert first == second
    other = course_table(bill.assign(usd=[1.0, 2.0])).to_html()
    ids = re.findall(r' id="([^"]+)"', first) + re.findall(r' id="([^"]+)"', other)
    assert len(ids) == 2 and len(set(ids)) == 2


def test_dates_show_the_day_or_the_minute_and_do_not_wrap():
    days = pd.DataFrame({"day": pd.to_datetime(["2026-03-10", "2026-03-11"])})
    times = pd.DataFrame(
        {
            "time": pd.to_datetime(
                ["2026-03-10 09:40:12", "2026-03-10 00:00"], format="ISO8601"
            )
        }
    )
    assert formatted_cells(course_table(days, index=False)) == [
        ["2026-03-10"],
        ["2026-03-11"],
    ]
    assert formatted_cells(course_table(times, index=False)) == [
        ["2026-03-10 09:40"],
        ["2026-03-10 00:00"],
    ]
    assert re.search(
        r"td\.col0\s*{\s*white-space: nowrap;", course_table(days).to_html()
    )


def test_missing_values_are_shown_as_a_dash():
    cells = formatted_cells(
        course_table(pd.DataFrame({"usd": [1.0, None]}), money=["usd"], index=False)
    )
    assert cells == [["1.00"], ["–"]]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            dict(money=["cost"]),
            r"money names columns the table doesn't have: \['cost'\]",
        ),
        (
            dict(money=["usd"], percent=["usd"]),
            r"columns given more than one format: \['usd'\]",
        ),
        (dict(decimals={"nope": 2}), r"decimals names columns"),
    ],
)
def test_a_format_for_a_column_that_is_not_there_is_an_error(bill, kwargs, message):
    with pytest.raises(ValueError, match=message):
        course_table(bill, **kwargs)


def test_a_grouped_table_with_missing_labels_can_be_shown():
    """groupby(..., dropna=False) gives index levels with missing labels, as notebook
    02's summary has.
    """
    packets = pd.DataFrame(
        {
            "direction": ["internal", "not IP", "internal"],
            "protocol": pd.array([17, None, 17], dtype="Int64"),
            "dport": [123.0, float("nan"), 67.0],
            "length": [90, 60, 342],
        }
    )
    summary = packets.groupby(["direction", "protocol", "dport"], dropna=False).agg(
        packets=("length", "size"), bytes=("length", "sum")
    )
    styled = course_table(summary)
    assert formatted_cells(styled) == [["1", "342"], ["1", "90"], ["1", "60"]]
    assert styled.to_html() == course_table(summary.copy()).to_html()
