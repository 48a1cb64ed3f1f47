"""Tables: the course's formats for numbers in a table, one helper for every notebook.

Money has two decimals and thousands separators, percentages read as percentages, byte
and other counts have thousands separators, numbers are right-aligned under
right-aligned headers, and dates don't wrap. :func:`course_table` returns a pandas
``Styler`` (pandas' own formatting), which JupyterLab and the book both show as an HTML
table; the data underneath is left untouched.

The HTML is the same on every run (the table's id comes from its content, not from a
random number), so nbval can compare it, and no table cell carries an id of its own, so
two tables on one page never repeat an id.

Examples
--------
>>> import pandas as pd
>>> bill = pd.DataFrame(
...     {
...         "category": ["internet_out", "nat_gateway"],
...         "gb": [12_000, 950],
...         "usd": [1062.7, 42.75],
...         "share": [0.9613, 0.0387],
...     }
... )
>>> styled = course_table(bill, money=["usd"], percent=["share"], index=False)
>>> formatted_cells(styled)
[['internet_out', '12,000', '1,062.70', '96.1%'],
 ['nat_gateway', '950', '42.75', '3.9%']]
>>> days = pd.DataFrame(
...     {"day": pd.to_datetime(["2026-03-10", "2026-03-11"]), "bytes": [1e6, None]}
... )
>>> formatted_cells(course_table(days))
[['2026-03-10', '1,000,000'], ['2026-03-11', '–']]
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

import pandas as pd
from pandas.io.formats.style import Styler

MONEY = "{:,.2f}"
PERCENT = "{:.1%}"
COUNT = "{:,.0f}"
MISSING = "–"

RIGHT = [("text-align", "right")]
NO_WRAP = [("white-space", "nowrap")]


def course_table(
    df: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    percent: Iterable[str] = (),
    decimals: Mapping[str, int] | None = None,
    caption: str | None = None,
    index: bool = True,
) -> Styler:
    """``df`` styled in the course's formats, ready to be the last expression of a cell.

    - ``money``: columns of amounts, shown with two decimals (``1,062.70``);
    - ``percent``: columns of fractions, shown as percentages with one decimal
      (``0.9613`` is ``96.1%``);
    - ``decimals``: other float columns and how many decimals each shows (``{"gb":
      3}``);
    - every other numeric column (counts, bytes, floats not named) gets thousands
      separators and no decimals, booleans stay as they are, dates are shown without
      wrapping.

    A column named twice, or a name that is not a column, is an error: a format silently
    applied to nothing is a format nobody checked.

    >>> course_table(pd.DataFrame({"a": [1]}), money=["b"])
    Traceback (most recent call last):
    ...
    ValueError: course_table: money names columns the table doesn't have: ['b']
        (columns: ['a'])
    """
    decimals = dict(decimals or {})
    groups = {
        "money": list(money),
        "percent": list(percent),
        "decimals": list(decimals),
    }
    columns = [str(c) for c in df.columns]
    for name, names in groups.items():
        unknown = [c for c in names if c not in columns]
        if unknown:
            raise ValueError(
                f"course_table: {name} names columns the table doesn't have: "
                f"{unknown} (columns: {columns})"
            )
    named = [c for names in groups.values() for c in names]
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise ValueError(f"course_table: columns given more than one format: {twice}")

    formats: dict[str, str] = {}
    for column in df.columns:
        key = str(column)
        if key in groups["money"]:
            formats[column] = MONEY
        elif key in groups["percent"]:
            formats[column] = PERCENT
        elif key in decimals:
            formats[column] = f"{{:,.{decimals[key]}f}}"
        elif pd.api.types.is_numeric_dtype(
            df[column]
        ) and not pd.api.types.is_bool_dtype(df[column]):
            formats[column] = COUNT

    numeric = [c for c in df.columns if c in formats]
    dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
    formats.update({c: _date_format(df[c]) for c in dates})
    styler = Styler(df, uuid=_content_id(df, caption), cell_ids=False, caption=caption)
    styler = styler.format(formats, na_rep=MISSING)
    if pd.api.types.is_numeric_dtype(df.index) and not pd.api.types.is_bool_dtype(
        df.index
    ):
        styler = styler.format_index(COUNT, axis=0, na_rep=MISSING)
    position = {c: df.columns.get_loc(c) for c in df.columns}
    styles = [
        {
            "selector": f"th.col_heading.col{position[c]}, td.col{position[c]}",
            "props": RIGHT,
        }
        for c in numeric
    ]
    styles += [{"selector": f"td.col{position[c]}", "props": NO_WRAP} for c in dates]
    styler = styler.set_table_styles(styles, overwrite=False)
    if not index:
        styler = styler.hide(axis="index")
    return styler


def _date_format(values: pd.Series):
    """Days as ``2026-03-10``; times to the minute (``2026-03-10 09:40``) when any has
    one.
    """
    dated = values.dropna()
    has_time = bool(len(dated)) and not (dated == dated.dt.normalize()).all()
    pattern = "%Y-%m-%d %H:%M" if has_time else "%Y-%m-%d"
    return lambda value: value.strftime(pattern)


def formatted_cells(styler: Styler) -> list[list[str]]:
    """The body cells as the reader sees them (index left out), row by row: for tests
    and checks.
    """
    translated = styler._translate(sparse_index=False, sparse_cols=False)
    return [
        [cell["display_value"] for cell in row if cell["type"] == "td"]
        for row in translated["body"]
    ]


def _content_id(df: pd.DataFrame, caption: str | None) -> str:
    digest = hashlib.sha256()
    digest.update(repr((caption, list(map(str, df.columns)), df.shape)).encode())
    try:
        digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    except (
        TypeError,
        ValueError,
    ):  # a MultiIndex with a missing label: hash index and values apart
        for part in (df.index.to_frame(index=False), df):
            digest.update(
                pd.util.hash_pandas_object(part, index=False).to_numpy().tobytes()
            )
    return "course_" + digest.hexdigest()[:12]
