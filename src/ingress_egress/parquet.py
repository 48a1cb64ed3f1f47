"""Parquet: a capture of any size as one table that SQL engines read, on one machine or
many.

:func:`convert` streams a pcap or pcapng file (or standard input) into one Parquet file
with the columns of :func:`ingress_egress.captures.read_capture`, plus ``frame``, the
packet number, first. It holds about ``packets`` rows in memory at a time, never the
whole capture, so a 10 GB capture converts on a laptop. DuckDB then answers questions of
the Parquet file with SQL (bytes in and out per hour, top talkers, flows), and the same
SQL runs unchanged on Spark, Trino or Athena over Parquet in object storage, which is
where people go when one machine is not enough.

Column types in the Parquet file: ``time`` is a timestamp in nanoseconds, in UTC (stored
without a zone, as DuckDB's ``TIMESTAMP_NS``); strings are ``VARCHAR`` (the empty string
for "no address", as in the DataFrame); the nullable integer columns are integers with
NULL; ``length`` and ``captured_length`` are ``BIGINT``.

Why DuckDB writes the Parquet: it is already in the course's environment (the bill
notebook queries with it), it writes Parquet without any other package, and it is the
engine that reads the result. pyarrow, the usual alternative, would add a large package
and change pandas' default string storage for every notebook.

Examples
--------
>>> import tempfile, pathlib, duckdb
>>> from ingress_egress.captures import write_pcap
>>> ip = bytes.fromhex("45000028000140004006 0000 c0000201 c6336402")
>>> frame = bytes(12) + b"\\x08\\x00" + ip + bytes(20)
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = write_pcap(folder / "a.pcap", [(i * 10**9, frame) for i in range(3)])
>>> convert(folder / "a.pcap", folder / "a.parquet")["packets"]
3
>>> duckdb.sql(
...     f"SELECT frame, src, dst, length FROM '{folder / 'a.parquet'}' ORDER BY frame"
... ).fetchall()
[(1, '192.0.2.1', '198.51.100.2', 54), (2, '192.0.2.1', '198.51.100.2', 54),
 (3, '192.0.2.1', '198.51.100.2', 54)]
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ingress_egress.captures import DEFAULT_CHUNK_BYTES, CaptureError, iter_capture

__all__ = ["QUERIES", "convert"]

QUERIES = {
    "bytes_per_hour": """
        SELECT date_trunc('hour', time) AS hour,
               sum(length) FILTER (WHERE {inside_dst} AND NOT {inside_src}) AS bytes_in,
               sum(length) FILTER (WHERE {inside_src} AND NOT {inside_dst}) AS bytes_out
        FROM packets GROUP BY hour ORDER BY hour""",
    "top_talkers": """
        SELECT src, count(*) AS packets, sum(length) AS bytes
        FROM packets WHERE src <> '' GROUP BY src
        ORDER BY bytes DESC, src LIMIT 10""",
    "flows": """
        SELECT protocol, src, sport, dst, dport,
               count(*) AS packets, sum(length) AS bytes,
               min(time) AS first, max(time) AS last
        FROM packets WHERE src <> ''
        GROUP BY ALL ORDER BY bytes DESC, src, dst LIMIT 20""",
}
"""SQL over a table ``packets`` (a Parquet file made by :func:`convert`).
``{inside_src}`` and ``{inside_dst}`` are conditions that say whether an address is
inside, e.g. ``src LIKE '10.%'``. Nothing here is DuckDB-only: Spark SQL, Trino and
Athena run the same text over Parquet."""


def convert(
    capture,
    out: str | Path,
    *,
    packets: int = 500_000,
    progress: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    memory_limit: str = "512MB",
) -> dict:
    """Stream ``capture`` (a path or an open binary file) into the Parquet file ``out``.

    Reads ``packets`` rows at a time (:func:`ingress_egress.captures.iter_capture`),
    appends each piece to an in-memory DuckDB table (beyond ``memory_limit`` DuckDB
    spills it to a temporary folder beside ``out``), then writes the table as one
    Parquet file in packet order (zstd level 1: on the benchmark's capture as small as
    the default level, with less work) and removes the folder. Returns the reader's
    report (``df.attrs`` of :func:`~ingress_egress.captures.read_capture`: ``packets``,
    ``implausible_length``, ...). A capture the reader refuses raises its
    :class:`~ingress_egress.captures.CaptureError`, and no Parquet file is left behind.
    ``progress``: as for ``read_capture``.
    """
    import duckdb

    out = Path(out)
    if out.is_dir():
        raise CaptureError(f"{out}: is a folder; give the Parquet file to write")
    work = Path(
        tempfile.mkdtemp(
            prefix=".convert-", dir=out.parent if out.parent.exists() else None
        )
    )
    report: dict = {}
    try:
        # an in-memory database: what passes memory_limit spills to the temporary
        # folder, and no table is written to disk only to be read back for the Parquet
        # file
        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"SET temp_directory = '{work / 'spill'}'")
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")  # the reader has its own
        created = False
        for piece in iter_capture(
            capture, packets=packets, progress=progress, chunk_bytes=chunk_bytes
        ):
            report = piece.attrs
            table = piece.reset_index()
            table["time"] = table["time"].dt.tz_localize(
                None
            )  # keeps nanoseconds (UTC)
            con.register("piece", table)
            if created:
                con.execute("INSERT INTO packets SELECT * FROM piece")
            else:
                con.execute("CREATE TABLE packets AS SELECT * FROM piece")
                created = True
            con.unregister("piece")
            del table, piece
        partial = out.with_name(out.name + ".partial")
        con.execute(
            "COPY packets TO ? (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)",
            [str(partial)],
        )
        con.close()
        partial.replace(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        leftover = out.with_name(out.name + ".partial")
        if leftover.exists():
            leftover.unlink()
    return dict(report)
