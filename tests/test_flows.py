"""Flows: hand-built packet tables with answers worked out by hand, and tshark's
conversation table.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from ingress_egress.captures import read_capture
from ingress_egress.datagen import captures as gen
from ingress_egress.flows import flows

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "data" / "captures" / "office-day.pcap"
SERVER = ROOT / "data" / "captures" / "web-server.pcapng"
SYN, SYN_ACK, ACK, PSH_ACK, FIN_ACK, RST_ACK = 0x02, 0x12, 0x10, 0x18, 0x11, 0x14


def table(rows: list[tuple]) -> pd.DataFrame:
    """Packets from (seconds, src, dst, protocol, sport, dport, flags, length) tuples,
    numbered from 1.
    """
    df = pd.DataFrame(
        rows,
        columns=[
            "t",
            "src",
            "dst",
            "protocol",
            "sport",
            "dport",
            "tcp_flags",
            "length",
        ],
    )
    df["time"] = pd.to_datetime(df.pop("t"), unit="s", utc=True)
    df["sport"] = df["sport"].astype("Int32")
    df["dport"] = df["dport"].astype("Int32")
    df["tcp_flags"] = df["tcp_flags"].astype("Int16")
    df.index = pd.RangeIndex(1, len(df) + 1, name="frame")
    return df


A, B, C = "192.168.10.11", "192.0.2.80", "192.168.10.12"


def test_both_directions_are_one_flow_with_counts_each_way():
    packets = table(
        [
            (0.000, A, B, "TCP", 50000, 443, SYN, 66),
            (0.020, B, A, "TCP", 443, 50000, SYN_ACK, 66),
            (0.021, A, B, "TCP", 50000, 443, ACK, 60),
            (0.021, A, B, "TCP", 50000, 443, PSH_ACK, 300),
            (0.050, B, A, "TCP", 443, 50000, PSH_ACK, 64294),
            (0.051, A, B, "TCP", 50000, 443, ACK, 60),
            (0.900, A, B, "TCP", 50000, 443, FIN_ACK, 60),
            (0.920, B, A, "TCP", 443, 50000, FIN_ACK, 54),
            (0.921, A, B, "TCP", 50000, 443, ACK, 60),
        ]
    )
    f = flows(packets)
    assert len(f) == 1
    row = f.iloc[0]
    assert (row.initiator, row.initiator_port, row.responder, row.responder_port) == (
        A,
        50000,
        B,
        443,
    )
    assert (row.packets_forward, row.packets_reverse, row.packets) == (6, 3, 9)
    assert row.bytes_forward == 66 + 60 + 300 + 60 + 60 + 60 == 606
    assert row.bytes_reverse == 66 + 64294 + 54 == 64414
    assert row.initiated_by == "SYN" and row.first_packet == 1
    assert row.duration == pd.Timedelta(milliseconds=921)
    assert f.index.name == "flow" and list(f.index) == [1]


def test_the_syn_sender_initiates_even_when_the_other_side_speaks_first():
    """The capture starts with a stray segment from the server; the SYN says who opened
    the connection.
    """
    packets = table(
        [
            (0.0, B, A, "TCP", 443, 50001, RST_ACK, 54),
            (1.0, A, B, "TCP", 50001, 443, SYN, 66),
            (1.02, B, A, "TCP", 443, 50001, SYN_ACK, 66),
        ]
    )
    row = flows(packets).iloc[0]
    assert (row.initiator, row.responder_port, row.initiated_by, row.first_packet) == (
        A,
        443,
        "SYN",
        1,
    )
    assert (
        row.packets_forward,
        row.bytes_forward,
        row.packets_reverse,
        row.bytes_reverse,
    ) == (1, 66, 2, 120)


def test_a_syn_ack_is_not_a_syn():
    """Mid-connection capture: the first packet seen is the server's SYN-ACK; no SYN, so
    the first packet decides.
    """
    packets = table(
        [
            (0.0, B, A, "TCP", 443, 50002, SYN_ACK, 66),
            (0.001, A, B, "TCP", 50002, 443, ACK, 60),
        ]
    )
    row = flows(packets).iloc[0]
    assert (row.initiator, row.initiator_port, row.initiated_by) == (
        B,
        443,
        "first packet",
    )


def test_udp_icmp_and_non_ip():
    packets = table(
        [
            (0.0, A, "192.0.2.53", "UDP", 53000, 53, None, 75),
            (0.01, "192.0.2.53", A, "UDP", 53, 53000, None, 91),
            (1.0, A, B, "ICMP", None, None, None, 74),
            (1.02, B, A, "ICMP", None, None, None, 74),
            (1.5, "", "", "", None, None, None, 60),  # ARP
            (2.0, A, B, "ICMP", None, None, None, 74),
        ]
    )
    f = flows(packets)
    assert list(f.protocol) == ["UDP", "ICMP"]
    icmp = f.iloc[1]
    assert pd.isna(icmp.initiator_port) and pd.isna(icmp.responder_port)
    assert (icmp.packets_forward, icmp.packets_reverse, icmp.first_packet) == (2, 1, 3)
    assert f.attrs["non_ip"] == 1
    assert f.packets.sum() == len(packets) - 1


def test_ports_and_protocols_separate_flows():
    packets = table(
        [
            (0.0, A, B, "TCP", 50000, 443, SYN, 66),
            (0.1, A, B, "TCP", 50001, 443, SYN, 66),  # another client port
            (
                0.2,
                A,
                B,
                "UDP",
                50000,
                443,
                None,
                1250,
            ),  # QUIC: same numbers, other protocol
            (0.3, C, B, "TCP", 50000, 443, SYN, 66),  # another host
        ]
    )
    f = flows(packets)
    assert len(f) == 4
    assert list(f.first_packet) == [1, 2, 3, 4]


def test_rows_follow_time_not_file_order():
    packets = table(
        [
            (5.0, C, B, "TCP", 40000, 80, SYN, 66),
            (1.0, A, B, "TCP", 50000, 443, SYN, 66),
            (1.1, B, A, "TCP", 443, 50000, SYN_ACK, 66),
        ]
    )
    f = flows(packets)
    assert list(f.initiator) == [A, C]
    assert list(f.first_packet) == [2, 1]
    assert f.start.iloc[0] == pd.Timestamp("1970-01-01 00:00:01", tz="UTC")


def test_without_tcp_flags_the_first_packet_decides():
    packets = table(
        [
            (0.0, B, A, "TCP", 443, 50000, SYN_ACK, 66),
            (0.1, A, B, "TCP", 50000, 443, ACK, 60),
        ]
    )
    f = flows(packets.drop(columns="tcp_flags"))
    assert (f.iloc[0].initiator, f.iloc[0].initiated_by) == (B, "first packet")


def test_connection_direction_and_byte_direction():
    inside = ["192.168.10.0/24", "fd00:10::/64"]
    packets = table(
        [
            # outbound connection, bytes mostly in (a download)
            (0.0, A, B, "TCP", 50000, 443, SYN, 66),
            (0.1, B, A, "TCP", 443, 50000, PSH_ACK, 10_000),
            # inbound connection (someone reaches a port-forwarded service), bytes
            # mostly out
            (1.0, "203.0.113.9", C, "TCP", 61000, 22, SYN, 66),
            (1.1, C, "203.0.113.9", "TCP", 22, 61000, PSH_ACK, 5_000),
            # internal: two inside hosts, IPv6 unique local addresses
            (2.0, "fd00:10::1", "fd00:10::2", "UDP", 5353, 5353, None, 100),
            # external: neither end inside
            (3.0, "0.0.0.0", "255.255.255.255", "UDP", 68, 67, None, 342),
            # balanced: an outbound ping and its same-size reply
            (4.0, A, B, "ICMP", None, None, None, 74),
            (4.1, B, A, "ICMP", None, None, None, 74),
        ]
    )
    f = flows(packets, inside=inside)
    assert list(f.connection) == [
        "outbound",
        "inbound",
        "internal",
        "external",
        "outbound",
    ]
    assert list(f.ingress_bytes) == [10_000, 66, 0, 0, 74]
    assert list(f.egress_bytes) == [66, 5_000, 0, 0, 74]
    assert list(f.bytes_direction.fillna("-")) == [
        "ingress",
        "egress",
        "-",
        "-",
        "balanced",
    ]


def test_errors_and_empty_input():
    with pytest.raises(KeyError, match=r"need columns \['length'\]"):
        flows(table([]).drop(columns="length"))
    empty = flows(table([]), inside="10.0.0.0/8")
    assert len(empty) == 0 and "bytes_direction" in empty.columns
    with pytest.raises(ValueError, match="not a network address or CIDR"):
        flows(table([(0.0, A, B, "TCP", 1, 2, SYN, 60)]), inside="10.0.0.300/8")


def test_office_capture_connection_versus_bytes():
    """The video download is an outbound connection whose bytes come in; the upload's
    bytes go out.
    """
    f = flows(read_capture(OFFICE), inside=gen.OFFICE_NETWORK)
    by_pair = f.set_index(["initiator", "responder", "responder_port"])
    video = by_pair.loc[(gen.VIDEO_DOWNLOAD.host, gen.VIDEO_DOWNLOAD.destination, 443)]
    assert (video.connection, video.bytes_direction) == ("outbound", "ingress")
    assert (
        video.ingress_bytes
        > gen.VIDEO_DOWNLOAD.payload_bytes
        > 1000 * video.egress_bytes
    )
    upload = by_pair.loc[(gen.CLOUD_UPLOAD.host, gen.CLOUD_UPLOAD.destination, 443)]
    assert (upload.connection, upload.bytes_direction) == ("outbound", "egress")
    x = gen.EXFILTRATION
    exfil = by_pair.loc[(x.host, x.destination, x.port)]
    assert exfil.initiated_by == "SYN" and exfil.egress_bytes > x.payload_bytes
    assert (
        f.sort_values("egress_bytes").iloc[-1].responder == x.destination
    )  # the biggest sender of all
    assert (
        f.connection != "inbound"
    ).all()  # behind NAT, nobody from outside opens a connection


def _tshark_conversations(path: Path, proto: str) -> pd.DataFrame:
    out = subprocess.run(
        ["tshark", "-r", str(path), "-q", "-z", f"conv,{proto}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    # "A:port <-> B:port frames_BA bytes_BA unit frames_AB bytes_AB unit total ..."
    # (bytes may carry kB/MB)
    pattern = re.compile(
        r"^(\S+):(\d+)\s+<->\s+(\S+):(\d+)\s+(\d+)\s+([\d,]+ "
        r"?\w*)\s+(\d+)\s+([\d,]+ ?\w*)\s+(\d+)"
    )
    for line in out.splitlines():
        m = pattern.match(line)
        if m:
            a, ap, b, bp, f_ba, _, f_ab, _, total = m.groups()
            rows.append((a, int(ap), b, int(bp), int(f_ab), int(f_ba), int(total)))
    return pd.DataFrame(
        rows, columns=["a", "a_port", "b", "b_port", "frames_ab", "frames_ba", "frames"]
    )


@pytest.mark.skipif(
    shutil.which("tshark") is None,
    reason="tshark not installed: no conversation table to compare",
)
@pytest.mark.parametrize("path", [OFFICE, SERVER], ids=["office", "server"])
def test_packet_counts_each_way_agree_with_tshark(path):
    f = flows(read_capture(path))
    for proto in ("tcp", "udp"):
        conv = _tshark_conversations(path, proto)
        ours = f[f.protocol == proto.upper()]
        assert len(conv) == len(ours) > 0
        mine = {}
        for row in ours.itertuples():
            mine[
                (row.initiator, row.initiator_port, row.responder, row.responder_port)
            ] = (row.packets_forward, row.packets_reverse)
            mine[
                (row.responder, row.responder_port, row.initiator, row.initiator_port)
            ] = (row.packets_reverse, row.packets_forward)
        for row in conv.itertuples():
            a = row.a.strip("[]")
            b = row.b.strip("[]")
            assert mine[(a, row.a_port, b, row.b_port)] == (
                row.frames_ab,
                row.frames_ba,
            ), row
