"""The command line on pipes, on implausible lengths and on Parquet, and its argument
checks.
"""

from __future__ import annotations

import json
import struct
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingress_egress.captures import read_capture
from ingress_egress.cli import main
from ingress_egress.direction import summarize
from ingress_egress.parquet import QUERIES, convert

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "data" / "captures" / "office-day.pcap"
WEB = ROOT / "data" / "captures" / "web-server.pcapng"


def _run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingress_egress.cli", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
    )


def test_summarize_reads_standard_input_like_the_file():
    # tcpdump -w - | ingress-egress summarize - --inside ...: the same numbers as from
    # the file
    from_pipe = _run(
        "summarize",
        "-",
        "--inside",
        "192.168.10.0/24",
        "--json",
        stdin=OFFICE.read_bytes(),
    )
    assert from_pipe.returncode == 0, from_pipe.stderr
    expected = summarize(read_capture(OFFICE), "192.168.10.0/24")
    assert json.loads(from_pipe.stdout) == expected


def test_summarize_a_pcapng_in_pieces_equals_the_whole(capsys):
    assert main(["summarize", str(WEB), "--inside", "10.0.0.0/8", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == summarize(
        read_capture(WEB), "10.0.0.0/8"
    )


def test_bad_input_on_standard_input_is_one_line_and_status_2():
    out = _run(
        "summarize", "-", "--inside", "10.0.0.0/8", stdin=b"not a capture at all"
    )
    assert out.returncode == 2
    assert (
        out.stderr.decode()
        .strip()
        .startswith("ingress-egress: error: <stdin>: not a pcap")
    )


def test_negative_top_is_refused(capsys):
    with pytest.raises(SystemExit) as info:
        main(["flows", str(OFFICE), "--top", "-3"])
    assert info.value.code == 2
    assert "--top: expected 0 (all) or more, got -3" in capsys.readouterr().err


def test_implausible_lengths_are_reported_not_summed(tmp_path, capsys):
    # two 54-byte TCP frames (IPv4 total length 40); the first claims 4,294,967,280 on
    # the wire
    frame = (
        bytes(12)
        + b"\x08\x00"
        + bytes.fromhex("4500002800014000400600000a000001c0000201")
        + bytes(20)
    )
    data = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)
    data += struct.pack("<IIII", 0, 0, 54, 0xFFFFFFF0) + frame
    data += struct.pack("<IIII", 1, 0, 54, 54) + frame
    path = tmp_path / "orig.pcap"
    path.write_bytes(data)
    assert main(["summarize", str(path), "--inside", "10.0.0.0/8"]) == 0
    text = capsys.readouterr().out
    assert "2 packets, 108 bytes on the wire" in text  # 2 x 54, not 4 GB
    assert (
        "note: 1 packet(s) claimed a length on the wire that disagrees with their "
        "headers (packets 1)" in text
    )


def test_convert_writes_the_columns_of_read_capture(tmp_path, capsys):
    out = tmp_path / "office.parquet"
    assert main(["convert", str(OFFICE), str(out)]) == 0
    df = read_capture(OFFICE)
    assert f"{len(df):,} packets" in capsys.readouterr().out
    con = duckdb.connect()
    columns = [
        row[0] for row in con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()
    ]
    assert columns == ["frame", *df.columns]
    back = con.execute(f"SELECT * FROM '{out}' ORDER BY frame").df()
    assert back["frame"].tolist() == df.index.tolist()
    for column in ("src", "dst", "protocol", "length", "captured_length", "interface"):
        assert back[column].tolist() == df[column].tolist(), column
    assert (
        back["sport"].fillna(-1).astype(int).tolist() == df["sport"].fillna(-1).tolist()
    )
    assert (
        back["time"].astype("int64").tolist() == df["time"].astype("int64").tolist()
    )  # ns kept


def test_convert_in_small_pieces_and_the_duckdb_queries(tmp_path):
    out = tmp_path / "web.parquet"
    report = convert(WEB, out, packets=1000, chunk_bytes=4096)
    df = read_capture(WEB)
    assert report["packets"] == len(df)
    con = duckdb.connect()
    con.execute(f"CREATE VIEW packets AS SELECT * FROM '{out}'")
    top = con.execute(QUERIES["top_talkers"]).fetchall()
    by_src = df[df["src"] != ""].groupby("src")["length"].agg(["size", "sum"])
    by_src = by_src.sort_values("sum", ascending=False, kind="stable")
    assert top[0][0] in by_src.index and top[0][2] == by_src["sum"].max()
    inside = "src LIKE '10.%'".replace("src", "{}")
    hourly = con.execute(
        QUERIES["bytes_per_hour"].format(
            inside_src=inside.format("src"), inside_dst=inside.format("dst")
        )
    ).df()
    ingress = df[~df["src"].str.startswith("10.") & df["dst"].str.startswith("10.")]
    assert hourly["bytes_in"].fillna(0).sum() == ingress["length"].sum()


def test_convert_refuses_a_bad_capture_and_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(OFFICE.read_bytes()[:5000])
    out = tmp_path / "bad.parquet"
    assert main(["convert", str(bad), str(out)]) == 2
    assert not out.exists() and list(tmp_path.iterdir()) == [bad]


@pytest.mark.parametrize("capture", [OFFICE, WEB], ids=["pcap", "pcapng"])
def test_categorical_pieces_hold_the_same_packets_and_classes(capture):
    import pandas as pd

    from ingress_egress.captures import iter_capture
    from ingress_egress.direction import classify

    whole = read_capture(capture)
    pieces = list(
        iter_capture(capture, packets=3000, chunk_bytes=65536, addresses="category")
    )
    assert len(pieces) > 1 and all(p["src"].dtype == "category" for p in pieces)
    joined = pd.concat([p.astype({"src": "str", "dst": "str"}) for p in pieces])
    assert joined.equals(whole)
    inside = "192.168.10.0/24"
    assert pd.concat([classify(p, inside) for p in pieces]).equals(
        classify(whole, inside)
    )
