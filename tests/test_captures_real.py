"""The capture reader against tshark, on real captures from public test suites.

``../shared/real-captures/`` (beside the repository) holds pcap and pcapng files with
TShark 4.0's per-packet fields (``*.packets.tsv``) and per-flow sums
(``*.directed_flows_exact.tsv``). The expected values here are tshark's, not this
reader's. The files are not part of the project, so these tests skip when the folder is
absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingress_egress.captures import read_capture

SHARED = Path(__file__).resolve().parents[2] / "shared" / "real-captures"
pytestmark = pytest.mark.shared

TSVS = sorted(SHARED.glob("*.packets.tsv")) if SHARED.is_dir() else []


def _captures() -> list:
    if not TSVS:
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason=f"../shared/real-captures not present: {SHARED} is missing, "
                    "so the reader is not checked against tshark here"
                ),
            )
        ]
    return [pytest.param(t, id=t.name.removesuffix(".packets.tsv")) for t in TSVS]


def _first(value: str) -> str:
    """tshark lists repeated fields (tunnels, ICMP errors) with commas: the first is
    outermost.
    """
    return value.split(",")[0]


def _epoch_ns(text: str) -> int:
    """tshark's frame.time_epoch ("1418145369.924505488") to integer nanoseconds,
    exactly.
    """
    seconds, _, fraction = text.partition(".")
    return int(seconds) * 1_000_000_000 + int((fraction + "000000000")[:9])


def _expected(tsv: Path) -> pd.DataFrame:
    t = pd.read_csv(tsv, sep="\t", dtype=str, keep_default_na=False)
    rows = []
    for _, row in t.iterrows():
        layers = row["frame.protocols"].split(":")
        outer = next((x for x in layers if x in ("ip", "ipv6")), None)
        if outer == "ip":
            src, dst, family = _first(row["ip.src"]), _first(row["ip.dst"]), 4
        elif outer == "ipv6":
            src, dst, family = _first(row["ipv6.src"]), _first(row["ipv6.dst"]), 6
        else:
            src, dst, family = "", "", None
        transport = None
        if outer is not None:
            after = [
                x
                for x in layers[layers.index(outer) + 1 :]
                if not x.startswith("ipv6.") and x != "ah"
            ]  # extension headers
            transport = after[0] if after else None
        sport = dport = None
        if transport in ("tcp", "udp"):
            sport = int(_first(row[f"{transport}.srcport"]))
            dport = int(_first(row[f"{transport}.dstport"]))
        flags = row["frame.packet_flags_direction"]
        rows.append(
            {
                "frame": int(row["frame.number"]),
                "time_ns": _epoch_ns(row["frame.time_epoch"])
                if row["frame.time_epoch"]
                else None,
                "length": int(row["frame.len"]),
                "captured_length": int(row["frame.cap_len"]),
                "interface": int(row["frame.interface_id"])
                if row["frame.interface_id"]
                else 0,
                "direction": {1: "in", 2: "out"}.get(int(flags, 16) & 3)
                if flags
                else None,
                "sll_pkttype": int(row["sll.pkttype"]) if row["sll.pkttype"] else None,
                "family": family,
                "src": src,
                "dst": dst,
                "transport": transport,
                "sport": sport,
                "dport": dport,
            }
        )
    return pd.DataFrame(rows).set_index("frame")


@pytest.mark.parametrize("tsv", _captures())
def test_packets_agree_with_tshark(tsv: Path) -> None:
    capture = tsv.with_name(tsv.name.removesuffix(".packets.tsv"))
    want = _expected(tsv)
    got = read_capture(capture)
    assert len(got) == len(want)
    assert got.index.tolist() == want.index.tolist()
    assert got["length"].tolist() == want["length"].tolist()
    assert got["captured_length"].tolist() == want["captured_length"].tolist()
    assert got["interface"].tolist() == want["interface"].tolist()
    assert got["src"].tolist() == want["src"].tolist()
    assert got["dst"].tolist() == want["dst"].tolist()
    assert (
        got["ip_version"].astype("float").fillna(0).tolist()
        == want["family"].astype("float").fillna(0).tolist()
    )
    assert got["time"].astype("int64").tolist() == want["time_ns"].tolist()
    for col in ("sport", "dport", "sll_pkttype"):
        g = [None if pd.isna(x) else int(x) for x in got[col]]
        w = [None if pd.isna(x) else int(x) for x in want[col]]
        assert g == w, col
    # the protocol column names the transport tshark found right after the outermost IP
    # header
    names = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "ICMPv6"}
    has_ip = want["family"].notna()
    assert got.loc[has_ip, "protocol"].tolist() == [
        names[x] for x in want.loc[has_ip, "transport"]
    ]
    assert (got.loc[~has_ip, "protocol"] == "").all()
    # direction: pcapng packet flags where tshark shows them, else the SLL packet type
    sll = {0: "in", 1: "broadcast", 2: "multicast", 3: "otherhost", 4: "out"}
    hint = [
        d if d is not None else sll.get(p) if p is not None and not pd.isna(p) else None
        for d, p in zip(want["direction"], want["sll_pkttype"])
    ]
    assert [None if pd.isna(x) else x for x in got["direction_hint"]] == hint
    assert got.attrs["truncated"] == int(
        (want["captured_length"] < want["length"]).sum()
    )
    assert got.attrs["non_ip"] == int(want["family"].isna().sum())


@pytest.mark.parametrize("tsv", _captures())
def test_directed_flow_sums_agree_with_tshark(tsv: Path) -> None:
    capture = tsv.with_name(tsv.name.removesuffix(".packets.tsv"))
    flows = tsv.with_name(capture.name + ".directed_flows_exact.tsv")
    want = pd.read_csv(flows, sep="\t", dtype={"src": str, "dst": str})
    got = read_capture(capture)
    ip = got[got["ip_version"].notna()]
    sums = (
        ip.assign(family=np.where(ip["ip_version"] == 4, "ipv4", "ipv6"))
        .groupby(["family", "src", "dst"])
        .agg(
            frames=("length", "size"),
            sum_frame_len=("length", "sum"),
            sum_frame_cap_len=("captured_length", "sum"),
        )
        .reset_index()
    )
    key = ["family", "src", "dst"]
    got_rows = sorted(
        map(
            tuple,
            sums[key + ["frames", "sum_frame_len", "sum_frame_cap_len"]]
            .astype(str)
            .values.tolist(),
        )
    )
    want_rows = sorted(
        map(
            tuple,
            want[key + ["frames", "sum_frame_len", "sum_frame_cap_len"]]
            .astype(str)
            .values.tolist(),
        )
    )
    assert got_rows == want_rows
