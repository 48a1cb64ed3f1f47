"""Tests of the capture reader and writers on captures built here, frame by frame.

Every frame is assembled from its protocol headers in this file, so the expected fields
(addresses, ports, flags, lengths, times) are known by construction, not read back from
the reader.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingress_egress import captures
from ingress_egress.captures import (
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_LINUX_SLL2,
    LINKTYPE_LOOP,
    LINKTYPE_NULL,
    LINKTYPE_RAW,
    TCP_FLAGS,
    Block,
    CaptureError,
    ObsoletePacket,
    Section,
    SimplePacket,
    name_resolution_block,
    read_capture,
    write_pcap,
    write_pcapng,
)

T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in nanoseconds

# ----------------------------------------------------------------------------- frame
# builders


def ip4(text: str) -> bytes:
    return ipaddress.IPv4Address(text).packed


def ip6(text: str) -> bytes:
    return ipaddress.IPv6Address(text).packed


def eth(ethertype: int, payload: bytes, tags: tuple = ()) -> bytes:
    head = bytes.fromhex("02000000000a02000000000b")
    for tpid, vid in tags:
        head += struct.pack(">HH", tpid, vid)
    return head + struct.pack(">H", ethertype) + payload


def ipv4(
    src: str,
    dst: str,
    proto: int,
    payload: bytes,
    *,
    options: bytes = b"",
    frag_offset: int = 0,
    more: bool = False,
) -> bytes:
    assert len(options) % 4 == 0
    ihl = 5 + len(options) // 4
    flags_frag = (0x2000 if more else 0) | frag_offset
    return (
        struct.pack(
            ">BBHHHBBH4s4s",
            0x40 | ihl,
            0,
            ihl * 4 + len(payload),
            7,
            flags_frag,
            64,
            proto,
            0,
            ip4(src),
            ip4(dst),
        )
        + options
        + payload
    )


def ipv6(src: str, dst: str, next_header: int, payload: bytes) -> bytes:
    return (
        struct.pack(
            ">IHBB16s16s", 6 << 28, len(payload), next_header, 64, ip6(src), ip6(dst)
        )
        + payload
    )


def ext(next_header: int, units8: int = 0) -> bytes:
    """A hop-by-hop / routing / destination options header of (units8 + 1) * 8 bytes."""
    return struct.pack(">BB", next_header, units8) + bytes(6 + 8 * units8)


def frag6(next_header: int, offset_units: int, more: bool) -> bytes:
    return struct.pack(">BBHI", next_header, 0, (offset_units << 3) | int(more), 0x1234)


def ah(next_header: int) -> bytes:
    """An Authentication Header with a 12-byte ICV: payload length field (24 / 4) - 2 =
    4.
    """
    return struct.pack(">BBHII", next_header, 4, 0, 0x100, 1) + bytes(12)


def tcp(
    sport: int, dport: int, flags: int, data: bytes = b"", options: bytes = b""
) -> bytes:
    words = 5 + len(options) // 4
    return (
        struct.pack(">HHIIHHHH", sport, dport, 1, 2, (words << 12) | flags, 65535, 0, 0)
        + options
        + data
    )


def udp(sport: int, dport: int, data: bytes = b"") -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def icmp(kind: int, code: int) -> bytes:
    return struct.pack(">BBHHH", kind, code, 0, 1, 1) + bytes(8)


def sll(pkttype: int, protocol: int, payload: bytes) -> bytes:
    return struct.pack(">HHH8sH", pkttype, 1, 6, bytes(8), protocol) + payload


def sll2(pkttype: int, protocol: int, payload: bytes) -> bytes:
    return struct.pack(">HHIHBB8s", protocol, 0, 3, 1, pkttype, 6, bytes(8)) + payload


def null(family: int, payload: bytes, big: bool = False) -> bytes:
    return struct.pack(">I" if big else "<I", family) + payload


def rows(df: pd.DataFrame, *cols: str) -> list[tuple]:
    """Rows as plain tuples, with pandas' missing values as None."""
    return [
        tuple(None if pd.isna(x) else x for x in row)
        for row in df[list(cols)].itertuples(index=False)
    ]


# ----------------------------------------------------------------------------- pcap
# basics


@pytest.mark.parametrize("nanosecond", [True, False])
@pytest.mark.parametrize("big_endian", [False, True])
def test_pcap_times_lengths_both_byte_orders(tmp_path, nanosecond, big_endian):
    frame = eth(0x0800, ipv4("192.0.2.1", "198.51.100.7", 17, udp(5353, 53, b"q" * 10)))
    # a 1,500-byte frame of which only the first 52 bytes were captured
    big = eth(0x0800, ipv4("192.0.2.1", "198.51.100.7", 17, udp(5353, 53, b"q" * 1458)))
    assert len(big) == 1500
    times = [T0 + 123_456_789, T0 + 2_000_000_001]
    path = write_pcap(
        tmp_path / "a.pcap",
        [(times[0], frame), (times[1], big[:52], 1500)],
        nanosecond=nanosecond,
        big_endian=big_endian,
    )
    df = read_capture(path)
    expected = times if nanosecond else [T0 + 123_456_000, T0 + 2_000_000_000]
    assert df["time"].astype("int64").tolist() == expected
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    # 14 Ethernet + 20 IPv4 + 8 UDP + 10 data
    assert df["length"].tolist() == [52, 1500]
    assert df["captured_length"].tolist() == [52, 52]
    assert df.index.tolist() == [1, 2] and df.index.name == "frame"
    assert (
        rows(df, "src", "dst", "protocol", "sport", "dport")
        == [("192.0.2.1", "198.51.100.7", "UDP", 5353, 53)] * 2
    )
    assert df.attrs["format"] == "pcap"
    assert df.attrs["truncated"] == 1


def test_modified_pcap_reads_packet_type(tmp_path):
    frame = eth(0x0800, ipv4("192.0.2.1", "198.51.100.7", 6, tcp(1, 2, 0x02)))
    path = write_pcap(tmp_path / "m.pcap", [(T0 + 1_500_000, frame)], modified=True)
    raw = bytearray(path.read_bytes())
    raw[24 + 22] = 4  # the record's packet type field: outgoing
    path.write_bytes(bytes(raw))
    df = read_capture(path)
    assert rows(df, "src", "sport", "dport", "direction_hint") == [
        ("192.0.2.1", 1, 2, "out")
    ]
    assert df["time"].astype("int64").tolist() == [T0 + 1_500_000]


def test_snaplen_truncation_keeps_what_was_captured(tmp_path):
    frame = eth(
        0x0800, ipv4("192.0.2.1", "203.0.113.9", 6, tcp(40000, 443, 0x18, bytes(1000)))
    )
    # 14 + 20 + 2 bytes: the source port is captured, the destination port is not
    path = write_pcap(tmp_path / "t.pcap", [(T0, frame), (T0, frame[:40])], snaplen=36)
    df = read_capture(path)
    assert df["length"].tolist() == [len(frame), 40]
    assert df["captured_length"].tolist() == [36, 36]
    assert (
        rows(df, "src", "dst", "protocol", "sport", "dport", "tcp_flags")
        == [("192.0.2.1", "203.0.113.9", "TCP", 40000, None, None)] * 2
    )
    assert df.attrs["truncated"] == 2
    # cut inside the IPv4 header: the source address is there, the destination is not
    path = write_pcap(tmp_path / "t2.pcap", [(T0, frame)], snaplen=14 + 16)
    df = read_capture(path)
    assert rows(df, "src", "dst", "ip_version", "protocol", "sport") == [
        ("192.0.2.1", "", 4, "TCP", None)
    ]


def test_empty_capture_has_all_columns(tmp_path):
    df = read_capture(write_pcap(tmp_path / "e.pcap", []))
    assert len(df) == 0
    for col in (
        "time",
        "src",
        "dst",
        "ip_version",
        "protocol",
        "sport",
        "dport",
        "tcp_flags",
        "length",
        "captured_length",
        "interface",
        "direction_hint",
    ):
        assert col in df.columns
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    assert str(df["sport"].dtype) == "Int32"


# ----------------------------------------------------------------------------- link
# types


def test_ethernet_vlan_and_qinq_tags(tmp_path):
    inner = ipv4("10.1.2.3", "192.0.2.50", 17, udp(1111, 2222))
    frames = [
        eth(0x0800, inner),
        eth(0x0800, inner, tags=[(0x8100, 10)]),
        eth(0x0800, inner, tags=[(0x88A8, 100), (0x8100, 10)]),
        eth(0x0800, inner, tags=[(0x9100, 100), (0x8100, 10)]),
        eth(
            0x0806, bytes(28), tags=[(0x88A8, 2001), (0x8100, 2001)]
        ),  # ARP: no IP at all
        eth(
            0x86DD,
            ipv6("2001:db8::1", "2001:db8:0:1::2", 17, udp(1, 2)),
            tags=[(0x8100, 7)],
        ),
    ]
    df = read_capture(
        write_pcap(tmp_path / "v.pcap", [(T0 + i, f) for i, f in enumerate(frames)])
    )
    assert rows(df, "src", "dst", "ip_version", "sport", "dport", "ethertype") == [
        ("10.1.2.3", "192.0.2.50", 4, 1111, 2222, 0x0800),
        ("10.1.2.3", "192.0.2.50", 4, 1111, 2222, 0x0800),
        ("10.1.2.3", "192.0.2.50", 4, 1111, 2222, 0x0800),
        ("10.1.2.3", "192.0.2.50", 4, 1111, 2222, 0x0800),
        ("", "", None, None, None, 0x0806),
        ("2001:db8::1", "2001:db8:0:1::2", 6, 1, 2, 0x86DD),
    ]
    assert df["protocol"].tolist() == ["UDP"] * 4 + ["", "UDP"]
    assert df.attrs["non_ip"] == 1


def test_linux_cooked_v1_and_v2_keep_packet_type(tmp_path):
    inner = ipv4("192.168.1.10", "198.51.100.1", 6, tcp(50000, 80, 0x02))
    names = ["in", "broadcast", "multicast", "otherhost", "out"]
    p1 = write_pcap(
        tmp_path / "sll.pcap",
        [(T0, sll(k, 0x0800, inner)) for k in range(5)],
        linktype=LINKTYPE_LINUX_SLL,
    )
    p2 = write_pcap(
        tmp_path / "sll2.pcap",
        [(T0, sll2(k, 0x0800, inner)) for k in range(5)],
        linktype=LINKTYPE_LINUX_SLL2,
    )
    for path in (p1, p2):
        df = read_capture(path)
        assert df["direction_hint"].tolist() == names
        assert df["sll_pkttype"].tolist() == [0, 1, 2, 3, 4]
        assert rows(df, "src", "dst", "sport", "dport", "tcp_flags")[0] == (
            "192.168.1.10",
            "198.51.100.1",
            50000,
            80,
            TCP_FLAGS["SYN"],
        )
    # an IPv6 frame and a non-IP (ARP) frame in a cooked capture
    df = read_capture(
        write_pcap(
            tmp_path / "sll6.pcap",
            [
                (T0, sll(4, 0x86DD, ipv6("fd00::1", "2001:db8::80", 58, icmp(128, 0)))),
                (T0, sll(0, 0x0806, bytes(28))),
            ],
            linktype=LINKTYPE_LINUX_SLL,
        )
    )
    assert rows(df, "src", "protocol", "icmp_type", "icmp_code", "direction_hint") == [
        ("fd00::1", "ICMPv6", 128, 0, "out"),
        ("", "", None, None, "in"),
    ]


@pytest.mark.parametrize("big", [False, True])
def test_null_loopback_families_in_either_byte_order(tmp_path, big):
    v4 = ipv4("127.0.0.1", "127.0.0.2", 17, udp(9, 10))
    v6 = ipv6("::1", "::1", 6, tcp(11, 12, 0x10))
    frames = [
        null(2, v4, big),
        null(24, v6, big),
        null(28, v6, big),
        null(30, v6, big),
        null(7, b"\x00" * 20, big),
    ]
    df = read_capture(
        write_pcap(
            tmp_path / "n.pcap", [(T0, f) for f in frames], linktype=LINKTYPE_NULL
        )
    )
    assert rows(df, "src", "dst", "ip_version", "sport", "dport") == [
        ("127.0.0.1", "127.0.0.2", 4, 9, 10)
    ] + [("::1", "::1", 6, 11, 12)] * 3 + [("", "", None, None, None)]
    assert df["ethertype"].isna().all()  # loopback headers carry no EtherType
    # OpenBSD's LOOP link type: the family always in network byte order
    df = read_capture(
        write_pcap(
            tmp_path / "l.pcap", [(T0, null(2, v4, True))], linktype=LINKTYPE_LOOP
        )
    )
    assert df["src"].tolist() == ["127.0.0.1"]


@pytest.mark.parametrize("linktype", [LINKTYPE_RAW, 12, 14])
def test_raw_ip_reads_the_version_nibble(tmp_path, linktype):
    frames = [
        ipv4("10.0.0.1", "10.0.0.2", 6, tcp(1000, 22, 0x12)),
        ipv6("2001:db8::a", "2001:db8::b", 17, udp(546, 547)),
        b"\x00" * 20,
    ]
    df = read_capture(
        write_pcap(tmp_path / "r.pcap", [(T0, f) for f in frames], linktype=linktype)
    )
    assert rows(
        df, "src", "dst", "ip_version", "protocol", "sport", "dport", "tcp_flags"
    ) == [
        ("10.0.0.1", "10.0.0.2", 4, "TCP", 1000, 22, 0x12),
        ("2001:db8::a", "2001:db8::b", 6, "UDP", 546, 547, None),
        ("", "", None, "", None, None, None),
    ]


def test_ipv4_only_and_ipv6_only_raw_link_types(tmp_path):
    df = read_capture(
        write_pcap(
            tmp_path / "4.pcap",
            [(T0, ipv4("192.0.2.1", "192.0.2.2", 1, icmp(8, 0)))],
            linktype=LINKTYPE_IPV4,
        )
    )
    assert rows(df, "src", "protocol", "icmp_type") == [("192.0.2.1", "ICMP", 8)]
    df = read_capture(
        write_pcap(
            tmp_path / "6.pcap",
            [(T0, ipv6("2001:db8::1", "2001:db8::2", 58, icmp(135, 0)))],
            linktype=LINKTYPE_IPV6,
        )
    )
    assert rows(df, "src", "protocol", "icmp_type") == [("2001:db8::1", "ICMPv6", 135)]


# ----------------------------------------------------------------------------- network
# layer


def test_ipv4_options_fragments_and_other_protocols(tmp_path):
    frames = [
        # IHL 7 (8 bytes of options): the ports start 28 bytes into the IP header
        ipv4("192.0.2.1", "192.0.2.2", 6, tcp(1234, 80, 0x02), options=bytes([1] * 8)),
        # first fragment carries the UDP header; a later fragment does not
        ipv4("192.0.2.1", "192.0.2.2", 17, udp(4000, 4001, bytes(100)), more=True),
        ipv4("192.0.2.1", "192.0.2.2", 17, bytes(100), frag_offset=14),
        ipv4(
            "192.0.2.1", "192.0.2.2", 47, struct.pack(">HH", 0, 0x0800) + bytes(20)
        ),  # GRE
        ipv4(
            "192.0.2.1",
            "192.0.2.2",
            41,
            ipv6("2001:db8::1", "2001:db8::2", 17, udp(7, 8)),
        ),
        ipv4("192.0.2.1", "192.0.2.2", 1, icmp(3, 3)),
    ]
    df = read_capture(
        write_pcap(
            tmp_path / "f.pcap", [(T0, f) for f in frames], linktype=LINKTYPE_RAW
        )
    )
    assert rows(df, "protocol", "sport", "dport", "icmp_type", "icmp_code") == [
        ("TCP", 1234, 80, None, None),
        ("UDP", 4000, 4001, None, None),
        ("UDP", None, None, None, None),
        ("47", None, None, None, None),
        ("41", None, None, None, None),  # 6in4: the outermost header is what counts
        ("ICMP", None, None, 3, 3),
    ]
    assert (df["src"] == "192.0.2.1").all()


def test_ipv6_extension_headers_are_walked(tmp_path):
    s, d = "2001:db8:1::10", "2001:db8:2::20"
    frames = [
        ipv6(
            s, d, 0, ext(43, 1) + ext(60, 0) + ext(6, 2) + tcp(5000, 443, 0x11)
        ),  # HBH, rt, dst
        ipv6(s, d, 51, ah(17) + udp(500, 4500)),  # AH
        ipv6(
            s, d, 44, frag6(17, 0, True) + udp(53, 33333, bytes(50))
        ),  # first fragment
        ipv6(s, d, 44, frag6(17, 175, False) + bytes(50)),  # later fragment
        ipv6(s, d, 60, ext(58, 0) + icmp(129, 0)),  # dest options then ICMPv6
        ipv6(s, d, 59, b""),  # no next header
        ipv6(s, d, 50, bytes(16)),  # ESP: encrypted
        ipv6("::ffff:192.0.2.1", "fe80::1", 17, udp(1, 2)),  # IPv4-mapped, as tshark
    ]
    df = read_capture(
        write_pcap(tmp_path / "x6.pcap", [(T0, eth(0x86DD, f)) for f in frames])
    )
    assert rows(df, "protocol", "sport", "dport", "tcp_flags", "icmp_type") == [
        ("TCP", 5000, 443, TCP_FLAGS["FIN"] | TCP_FLAGS["ACK"], None),
        ("UDP", 500, 4500, None, None),
        ("UDP", 53, 33333, None, None),
        ("UDP", None, None, None, None),
        ("ICMPv6", None, None, None, 129),
        ("59", None, None, None, None),
        ("50", None, None, None, None),
        ("UDP", 1, 2, None, None),
    ]
    assert df["src"].tolist() == [s] * 7 + ["::ffff:192.0.2.1"]
    assert df["dst"].tolist() == [d] * 7 + ["fe80::1"]
    assert (df["ip_version"] == 6).all()


def test_ipv6_extension_header_cut_by_snaplen(tmp_path):
    frame = eth(
        0x86DD, ipv6("2001:db8::1", "2001:db8::2", 0, ext(6, 0) + tcp(1, 2, 0x02))
    )
    df = read_capture(
        write_pcap(tmp_path / "c.pcap", [(T0, frame)], snaplen=14 + 40 + 4)
    )
    # the hop-by-hop header is captured (its next-header byte says TCP) but not its end
    # or TCP
    assert rows(df, "src", "protocol", "sport") == [("2001:db8::1", "TCP", None)]


def test_tcp_flag_bits(tmp_path):
    all_flags = sum(TCP_FLAGS.values())
    frames = [
        ipv4("192.0.2.1", "192.0.2.2", 6, tcp(1, 2, value))
        for value in (0x02, 0x12, 0x10, 0x04, 0x11, 0xC2, all_flags)
    ]
    df = read_capture(
        write_pcap(
            tmp_path / "flags.pcap", [(T0, f) for f in frames], linktype=LINKTYPE_RAW
        )
    )
    assert df["tcp_flags"].tolist() == [2, 18, 16, 4, 17, 194, 511]
    assert TCP_FLAGS == {
        "FIN": 1,
        "SYN": 2,
        "RST": 4,
        "PSH": 8,
        "ACK": 16,
        "URG": 32,
        "ECE": 64,
        "CWR": 128,
        "AE": 256,
    }


def test_keep_bytes_gives_frames_and_header_offsets(tmp_path):
    payload = b"GET / HTTP/1.1\r\n\r\n"
    frames = [
        eth(
            0x0800,
            ipv4(
                "192.0.2.1",
                "192.0.2.2",
                6,
                tcp(1, 80, 0x18, payload, options=bytes(12)),
            ),
            tags=[(0x8100, 5)],
        ),
        eth(0x86DD, ipv6("2001:db8::1", "2001:db8::2", 0, ext(17) + udp(1, 2, b"hi"))),
        eth(0x0806, bytes(28)),
    ]
    df = read_capture(
        write_pcap(tmp_path / "k.pcap", [(T0, f) for f in frames]), keep_bytes=True
    )
    assert df["frame"].tolist() == frames
    assert rows(df, "network_offset", "transport_offset", "payload_offset") == [
        (18, 38, 70),
        (14, 62, 70),
        (14, None, None),
    ]
    first = df["frame"].iloc[0]
    assert first[70:] == payload
    assert "frame" not in read_capture(tmp_path / "k.pcap").columns


# ----------------------------------------------------------------------------- pcapng


def test_pcapng_interfaces_resolutions_flags_and_skipped_blocks(tmp_path):
    v4 = ipv4("192.0.2.1", "198.51.100.2", 17, udp(1000, 53))
    v6 = ipv6("2001:db8::1", "2001:db8::2", 6, tcp(2000, 443, 0x02))
    big4 = ipv4(
        "192.0.2.1", "198.51.100.2", 17, udp(1000, 53, bytes(1468))
    )  # 1,496 bytes
    t = T0 + 250_000_000  # .25 s: exact in every resolution used here
    path = write_pcapng(
        tmp_path / "m.pcapng",
        [
            (0, t + 123_456_789, eth(0x0800, v4), None, 1),  # ns, inbound
            name_resolution_block(
                [("192.0.2.1", "a.example"), ("2001:db8::1", "b.example")]
            ),
            (1, t + 123_456_789, v6, None, 2),  # us, outbound
            Block(5, struct.pack("<IIIHH", 1, 0, 0, 0, 0)),  # interface statistics
            (2, t, sll(4, 0x0800, v4)),  # 2^-20 s, exact
            (2, t + 1, sll(0, 0x0800, v4)),  # 2^-20 s: 1 ns rounds down
            Block(0x00000BAD, struct.pack("<I", 32473) + b"custom"),
            (3, t + 1_234_567, null(2, big4)[:32], 1500),  # ms, 1500 cut to 32
            (4, t + 42, v6),  # 10^-10 s
        ],
        interfaces=[
            (LINKTYPE_ETHERNET, 9),
            (LINKTYPE_RAW, 6),
            (LINKTYPE_LINUX_SLL, 0x80 | 20),
            (LINKTYPE_NULL, 3),
            (LINKTYPE_RAW, 10),
        ],
    )
    df = read_capture(path)
    assert df["interface"].tolist() == [0, 1, 2, 2, 3, 4]
    assert df["time"].astype("int64").tolist() == [
        t + 123_456_789,
        t + 123_456_000,
        t,
        t,
        t + 1_000_000,
        t + 42,
    ]
    assert df["direction_hint"].tolist()[:4] == ["in", "out", "out", "in"]
    assert df["direction_hint"].iloc[4:].isna().all()
    assert df["src"].tolist() == [
        "192.0.2.1",
        "2001:db8::1",
        "192.0.2.1",
        "192.0.2.1",
        "192.0.2.1",
        "2001:db8::1",
    ]
    assert df["length"].tolist() == [14 + 28, 60, 16 + 28, 16 + 28, 1500, 60]
    assert df["captured_length"].tolist() == [14 + 28, 60, 16 + 28, 16 + 28, 4 + 28, 60]
    assert df.attrs["skipped_blocks"] == 3
    assert df.attrs["skipped_block_types"] == {
        "Custom Block (copiable)": 1,
        "Interface Statistics Block": 1,
        "Name Resolution Block": 1,
    }
    assert [i["linktype"] for i in df.attrs["interfaces"]] == [1, 101, 113, 0, 101]


def test_power_of_two_resolution_rounds_down_like_wireshark(tmp_path):
    # one tick of 2^-10 s is 976,562.5 ns; Wireshark prints ...000976562 (it rounds
    # down)
    path = tmp_path / "p2.pcapng"
    write_pcapng(
        path,
        [(0, 1_700_000_000_000_976_563, b"\x45" + bytes(19))],
        interfaces=[(LINKTYPE_RAW, 0x80 | 10)],
    )
    assert read_capture(path)["time"].astype("int64").tolist() == [
        1_700_000_000_000_976_562
    ]


def test_pcapng_timestamp_offset(tmp_path):
    path = write_pcapng(
        tmp_path / "o.pcapng",
        [(0, 1_700_000_005_000_000_123, b"\x45" + bytes(19))],
        interfaces=[(LINKTYPE_RAW, 9, 262144, 1_700_000_000)],
    )
    # SHB 28 bytes, IDB 44 (if_tsresol and if_tsoffset options): the EPB's timestamp at
    # 72 + 12
    high, low = struct.unpack_from("<II", path.read_bytes(), 72 + 12)
    assert (
        high << 32
    ) | low == 5_000_000_123  # the file stores the time minus the offset
    assert read_capture(path)["time"].astype("int64").tolist() == [
        1_700_000_005_000_000_123
    ]


def test_simple_and_obsolete_packet_blocks_and_sections(tmp_path):
    v4 = ipv4("203.0.113.5", "192.0.2.9", 6, tcp(443, 51000, 0x10))
    v4_200 = ipv4(
        "203.0.113.5", "192.0.2.9", 6, tcp(443, 51000, 0x10, bytes(146))
    )  # 186
    path = write_pcapng(
        tmp_path / "s.pcapng",
        [
            SimplePacket(eth(0x0800, v4)),
            SimplePacket(eth(0x0800, v4_200), original_length=200),  # cut at snaplen 60
            ObsoletePacket(1, T0 + 7_000, v4, flags=2),
            Section(interfaces=((LINKTYPE_RAW, 9),), big_endian=True),
            (0, T0 + 9, v4, 80, 1),
            Section(interfaces=((LINKTYPE_LINUX_SLL2, 6), (LINKTYPE_RAW, 9))),
            (1, T0 + 10, v4),
            (0, T0 + 11_000, sll2(4, 0x0800, v4)),
        ],
        interfaces=[(LINKTYPE_ETHERNET, 6, 60), (LINKTYPE_RAW, 6)],
    )
    df = read_capture(path)
    assert df["time"].iloc[:2].isna().all()  # Simple Packet Blocks carry no time
    assert df["time"].iloc[2:].astype("int64").tolist() == [
        T0 + 7_000,
        T0 + 9,
        T0 + 10,
        T0 + 11_000,
    ]
    assert df["length"].tolist() == [54, 200, 40, 80, 40, 60]
    assert df["captured_length"].tolist() == [54, 60, 40, 40, 40, 60]
    assert df["interface"].tolist() == [0, 0, 1, 0, 1, 0]
    assert [None if pd.isna(x) else x for x in df["direction_hint"]] == [
        None,
        None,
        "out",
        "in",
        None,
        "out",
    ]
    assert (df["src"] == "203.0.113.5").all()
    assert (df["sport"] == 443).all()
    assert len(df.attrs["interfaces"]) == 5


# ----------------------------------------------------------------------------- chunked
# reading


def _mixed_frames(rng: np.random.Generator, n: int) -> list[tuple[int, bytes, int]]:
    out = []
    for i in range(n):
        kind = i % 5
        a = f"10.0.{rng.integers(0, 4)}.{rng.integers(1, 255)}"
        b = f"203.0.113.{rng.integers(1, 255)}"
        sp, dp = (int(x) for x in rng.integers(1, 65536, 2))
        if kind == 0:
            frame = eth(
                0x0800,
                ipv4(
                    a,
                    b,
                    6,
                    tcp(
                        sp,
                        dp,
                        int(rng.integers(0, 256)),
                        bytes(int(rng.integers(0, 1400))),
                    ),
                ),
            )
        elif kind == 1:
            frame = eth(
                0x0800,
                ipv4(a, b, 17, udp(sp, dp, bytes(int(rng.integers(0, 300))))),
                tags=[(0x8100, int(rng.integers(1, 4000)))],
            )
        elif kind == 2:
            frame = eth(
                0x86DD,
                ipv6(
                    f"fd00::{sp:x}",
                    f"2001:db8::{dp:x}",
                    6,
                    tcp(sp, dp, 0x10, bytes(int(rng.integers(0, 200)))),
                ),
            )
        elif kind == 3:
            frame = eth(0x0800, ipv4(a, b, 6, tcp(sp, dp, 0x18, bytes(9000))))  # jumbo
        else:
            frame = eth(0x0806, bytes(28))
        out.append((T0 + i * 1000, frame, len(frame)))
    return out


def test_small_chunks_give_the_same_frame_as_one_chunk(tmp_path):
    records = _mixed_frames(np.random.default_rng(7), 400)
    pcap = write_pcap(tmp_path / "c.pcap", records)
    ng = write_pcapng(
        tmp_path / "c.pcapng",
        [(0, t, f, n, 1 + (t // 1000) % 2) for t, f, n in records],
    )
    sectioned = []  # a new section, in the other byte order, every 50 packets
    for i, (t, f, n) in enumerate(records):
        if i and i % 50 == 0:
            sectioned.append(
                Section(((LINKTYPE_ETHERNET, 9),), big_endian=(i // 50) % 2 == 1)
            )
        sectioned.append((0, t, f, n))
    sections = write_pcapng(tmp_path / "s.pcapng", sectioned)
    for path in (pcap, ng, sections):
        whole = read_capture(path)
        assert len(whole) == 400
        pieces = read_capture(
            path, chunk_bytes=4096
        )  # smaller than a jumbo frame's record
        pd.testing.assert_frame_equal(whole, pieces)
    assert pieces.attrs == whole.attrs
    # the same packets, whatever the container: pcap, or pcapng in 8 sections of both
    # byte orders
    pd.testing.assert_frame_equal(
        read_capture(pcap), read_capture(sections, chunk_bytes=4096)
    )


def test_progress_bar_is_optional(tmp_path, capsys):
    path = write_pcap(
        tmp_path / "p.pcap", [(T0, b"\x45" + bytes(19))], linktype=LINKTYPE_RAW
    )
    read_capture(path, progress=True)
    assert "p.pcap" in capsys.readouterr().err
    read_capture(path)
    assert capsys.readouterr().err == ""


# ----------------------------------------------------------------------------- dpkt as
# an oracle


def test_agrees_with_dpkt_on_a_generated_capture(tmp_path):
    dpkt = pytest.importorskip("dpkt")
    records = _mixed_frames(np.random.default_rng(11), 2000)
    path = write_pcap(tmp_path / "d.pcap", records, snaplen=1600)
    expected = []
    with open(path, "rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            e = dpkt.ethernet.Ethernet(buf)
            ip = e.data
            src = dst = ""
            ports = (None, None)
            if isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)):
                family = (
                    socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
                )
                src, dst = (
                    socket.inet_ntop(family, ip.src),
                    socket.inet_ntop(family, ip.dst),
                )
            if isinstance(getattr(ip, "data", None), (dpkt.tcp.TCP, dpkt.udp.UDP)):
                ports = (ip.data.sport, ip.data.dport)
            expected.append((int(ts * 1_000_000), len(buf), src, dst, *ports))
    df = read_capture(path)
    got = [
        (t // 1000, c, s, d, sp, dp)
        for t, c, s, d, sp, dp in zip(
            df["time"].astype("int64"),
            df["captured_length"],
            df["src"],
            df["dst"],
            [None if pd.isna(x) else int(x) for x in df["sport"]],
            [None if pd.isna(x) else int(x) for x in df["dport"]],
        )
    ]
    assert got == expected
    assert df.attrs["truncated"] == sum(len(f) > 1600 for _, f, _ in records)


# ----------------------------------------------------------------------------- errors


def _error(path: Path, **kwargs) -> str:
    with pytest.raises(CaptureError) as info:
        read_capture(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


def test_error_empty_file(tmp_path):
    (tmp_path / "empty.pcap").write_bytes(b"")
    assert "empty file" in _error(tmp_path / "empty.pcap")


def test_error_missing_file(tmp_path):
    assert "cannot open" in _error(tmp_path / "nope.pcap")


def test_error_wrong_magic(tmp_path):
    (tmp_path / "text.pcap").write_bytes(b"hello, this is not a capture")
    message = _error(tmp_path / "text.pcap")
    assert "not a pcap or pcapng file" in message and "68656c6c" in message
    (tmp_path / "z.pcap.gz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(40))
    assert "gzip" in _error(tmp_path / "z.pcap.gz")


def test_error_truncated_headers(tmp_path):
    good = write_pcap(
        tmp_path / "g.pcap", [(T0, b"\x45" + bytes(19))], linktype=LINKTYPE_RAW
    )
    (tmp_path / "h.pcap").write_bytes(good.read_bytes()[:10])
    message = _error(tmp_path / "h.pcap")
    assert (
        "truncated pcap file header" in message
        and "24 bytes needed, only 10" in message
    )
    (tmp_path / "magic.pcap").write_bytes(good.read_bytes()[:3])
    assert "truncated file header" in _error(tmp_path / "magic.pcap")
    ng = write_pcapng(tmp_path / "g.pcapng", [], interfaces=[(LINKTYPE_RAW, 9)])
    (tmp_path / "h.pcapng").write_bytes(ng.read_bytes()[:20])
    assert "truncated pcapng Section Header Block" in _error(tmp_path / "h.pcapng")


def test_error_truncated_record(tmp_path):
    frames = [(T0, b"\x45" + bytes(19)) for _ in range(3)]
    data = write_pcap(tmp_path / "g.pcap", frames, linktype=LINKTYPE_RAW).read_bytes()
    (tmp_path / "cut.pcap").write_bytes(
        data[:-5]
    )  # the third record's data is 5 bytes short
    message = _error(tmp_path / "cut.pcap")
    assert f"packet 3 at byte offset {24 + 2 * 36}" in message
    assert "says 20 captured bytes, only 15 left" in message
    (tmp_path / "cuth.pcap").write_bytes(
        data[: 24 + 36 + 10]
    )  # the second record header is cut
    message = _error(tmp_path / "cuth.pcap")
    assert (
        "packet 2 at byte offset 60: truncated record header: 16 bytes needed, only 10"
        in message
    )
    # the same through the chunked path
    assert "packet 3" in _error(tmp_path / "cut.pcap", chunk_bytes=4096)


def test_error_unsupported_link_type(tmp_path):
    path = write_pcap(tmp_path / "wifi.pcap", [(T0, bytes(30))], linktype=105)
    message = _error(path)
    assert "unsupported link type 105 (IEEE 802.11 wireless LAN)" in message
    assert "1 (Ethernet)" in message  # and it lists what is supported
    assert "unknown" in _error(write_pcap(tmp_path / "odd.pcap", [], linktype=4242))
    # pcapng: an unsupported interface is fine until a packet uses it
    path = write_pcapng(
        tmp_path / "w.pcapng",
        [(0, T0, b"\x45" + bytes(19))],
        interfaces=[(LINKTYPE_RAW, 9), (127, 6)],
    )
    assert len(read_capture(path)) == 1
    path = write_pcapng(
        tmp_path / "w2.pcapng",
        [(0, T0, b"\x45" + bytes(19)), (1, T0, bytes(30))],
        interfaces=[(LINKTYPE_RAW, 9), (127, 6)],
    )
    message = _error(path)
    assert "block 5" in message and "127 (IEEE 802.11 with radiotap header)" in message


def test_error_huge_record_length_does_not_allocate(tmp_path):
    data = bytearray(
        write_pcap(
            tmp_path / "g.pcap", [(T0, b"\x45" + bytes(19))] * 2, linktype=LINKTYPE_RAW
        ).read_bytes()
    )
    struct.pack_into(
        "<I", data, 24 + 36 + 8, 0xFFFFFFF0
    )  # second record: ~4 GiB captured
    (tmp_path / "huge.pcap").write_bytes(bytes(data))
    tracemalloc.start()
    try:
        message = _error(tmp_path / "huge.pcap")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "packet 2 at byte offset 60" in message and "4294967280" in message
    assert "implausible" in message
    assert peak < 64 * 2**20  # the 8 MiB read buffer and change, not 4 GiB
    struct.pack_into(
        "<I", data, 24 + 36 + 8, 5000
    )  # plausible, but beyond the end of the file
    (tmp_path / "long.pcap").write_bytes(bytes(data))
    assert "says 5000 captured bytes, only 20 left in the file" in _error(
        tmp_path / "long.pcap"
    )


def _pcapng_bytes(tmp_path) -> bytearray:
    path = write_pcapng(
        tmp_path / "g.pcapng",
        [(0, T0, b"\x45" + bytes(19))] * 2,
        interfaces=[(LINKTYPE_RAW, 9)],
    )
    return bytearray(path.read_bytes())


# SHB 28 bytes, IDB 32 bytes (with if_tsresol), then two EPBs of 52 bytes: offsets 60
# and 112.
def test_error_corrupt_pcapng_block_lengths(tmp_path):
    data = _pcapng_bytes(tmp_path)
    assert struct.unpack_from("<II", data, 60) == (6, 52)
    bad = bytearray(data)
    struct.pack_into("<I", bad, 112 + 4, 50)  # not a multiple of 4
    (tmp_path / "a.pcapng").write_bytes(bytes(bad))
    message = _error(tmp_path / "a.pcapng")
    assert (
        "block 4 at byte offset 112 (Enhanced Packet Block): corrupt block length 50"
        in message
    )
    bad = bytearray(data)
    struct.pack_into("<I", bad, 112 + 48, 56)  # trailing length disagrees
    (tmp_path / "b.pcapng").write_bytes(bytes(bad))
    assert (
        "block 4 at byte offset 112 (Enhanced Packet Block): corrupt block: length 52 "
        "at the start but 56 at the end" in _error(tmp_path / "b.pcapng")
    )
    bad = bytearray(data)
    struct.pack_into("<I", bad, 112 + 4, 2**31)  # far beyond the file
    (tmp_path / "c.pcapng").write_bytes(bytes(bad))
    assert "corrupt block length 2147483648" in _error(tmp_path / "c.pcapng")
    (tmp_path / "d.pcapng").write_bytes(bytes(data[:-8]))
    assert (
        "block 4 at byte offset 112 (Enhanced Packet Block): truncated block: its "
        "length field says 52 bytes, only 44 left" in _error(tmp_path / "d.pcapng")
    )
    bad = bytearray(data)
    struct.pack_into(
        "<I", bad, 60 + 20, 40
    )  # captured length larger than the block holds
    (tmp_path / "e.pcapng").write_bytes(bytes(bad))
    assert (
        "block 3 at byte offset 60 (Enhanced Packet "
        "Block): captured length 40 does not fit" in _error(tmp_path / "e.pcapng")
    )


def test_error_pcapng_structure(tmp_path):
    data = _pcapng_bytes(tmp_path)
    bad = bytearray(data)
    struct.pack_into(
        "<I", bad, 60 + 8, 3
    )  # interface 3 of a section with one interface
    (tmp_path / "i.pcapng").write_bytes(bytes(bad))
    assert (
        "block 3 at byte offset 60 (Enhanced Packet Block): interface 3 is not defined"
        in _error(tmp_path / "i.pcapng")
    )
    bad = bytearray(data)
    bad[8:12] = b"\x00\x01\x02\x03"
    (tmp_path / "bom.pcapng").write_bytes(bytes(bad))
    assert "byte-order magic 00010203" in _error(tmp_path / "bom.pcapng")
    bad = bytearray(data)
    struct.pack_into("<H", bad, 12, 2)
    (tmp_path / "v.pcapng").write_bytes(bytes(bad))
    assert "pcapng version 2" in _error(tmp_path / "v.pcapng")


def test_capture_error_is_a_value_error():
    assert issubclass(CaptureError, ValueError)
    assert captures.MAX_RECORD_BYTES == 256 * 2**20


# ----------------------------------------------------------------------------- tshark
# as an oracle


def _tshark_fields(path: Path, fields: list[str]) -> pd.DataFrame:
    import shutil
    import subprocess

    exe = shutil.which("tshark")
    if exe is None:
        pytest.skip(
            "tshark is not installed: the generated "
            "capture is not cross-checked with it"
        )
    cmd = [
        exe,
        "-n",
        "-r",
        str(path),
        "-o",
        "ip.defragment:FALSE",
        "-o",
        "ipv6.defragment:FALSE",
        "-T",
        "fields",
        "-E",
        "header=y",
        "-E",
        "separator=/t",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=,",
    ] + [a for f in fields for a in ("-e", f)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    lines = [line.split("\t") for line in out.splitlines()]
    return pd.DataFrame(lines[1:], columns=lines[0])


def test_agrees_with_tshark_on_every_link_type_and_header_chain(tmp_path):
    v4 = ipv4("192.0.2.1", "198.51.100.2", 6, tcp(40000, 443, 0x12))
    v6 = ipv6(
        "2001:db8::1",
        "2001:db8:0:1::2",
        0,
        ext(44) + frag6(17, 0, True) + udp(53, 5353, bytes(9)),
    )
    frames = [
        (0, eth(0x0800, v4, tags=[(0x88A8, 3), (0x8100, 4)]), 1),
        (0, eth(0x86DD, v6), 2),
        (
            0,
            eth(
                0x0800,
                ipv4(
                    "10.0.0.1", "10.0.0.2", 17, udp(1, 2, bytes(30)), options=bytes(4)
                ),
            ),
        ),
        (0, eth(0x0800, ipv4("10.0.0.1", "10.0.0.2", 17, bytes(64), frag_offset=3)), 1),
        (
            0,
            eth(
                0x0800,
                ipv4(
                    "203.0.113.1",
                    "10.0.0.2",
                    1,
                    icmp(3, 3)[:8] + ipv4("10.0.0.2", "203.0.113.1", 17, udp(7, 8)),
                ),
            ),
        ),
        (
            0,
            eth(
                0x0800,
                ipv4(
                    "203.0.113.1",
                    "10.0.0.2",
                    47,
                    struct.pack(">HH", 0, 0x0800)
                    + ipv4("172.16.0.1", "172.16.0.2", 6, tcp(3, 4, 0x02)),
                ),
            ),
        ),
        (
            0,
            eth(
                0x0800,
                ipv4(
                    "203.0.113.1",
                    "10.0.0.2",
                    41,
                    ipv6("fd00::1", "fd00::2", 6, tcp(5, 6, 0x10)),
                ),
            ),
        ),
        (0, eth(0x86DD, ipv6("2001:db8::5", "ff02::1", 0, ext(58) + icmp(143, 0)))),
        (
            0,
            eth(
                0x86DD, ipv6("2001:db8::5", "2001:db8::6", 51, ah(6) + tcp(7, 8, 0x19))
            ),
        ),
        (0, eth(0x0806, bytes(28))),
        (1, sll(4, 0x0800, v4), None),
        (1, sll(3, 0x86DD, v6), None),
        (2, sll2(0, 0x0800, v4), None),
        (2, sll2(1, 0x0806, bytes(28)), None),
        (3, null(2, v4), None),
        (3, null(30, v6, big=True), None),
        (4, v6, 2),
        (
            4,
            ipv4("192.0.2.1", "198.51.100.2", 6, tcp(40000, 443, 0x12, bytes(2000))),
            1,
        ),
        # ^ 2,040 bytes cut by the interface's 1000-byte snaplen
        (5, v4, None),
        (6, v6, None),
    ]
    path = write_pcapng(
        tmp_path / "all.pcapng",
        [
            (iface, T0 + 1_000_003 * i, frame, None, (rest[0] if rest else None))
            for i, (iface, frame, *rest) in enumerate(frames)
        ],
        interfaces=[
            (LINKTYPE_ETHERNET, 9),
            (LINKTYPE_LINUX_SLL, 6),
            (LINKTYPE_LINUX_SLL2, 9),
            (LINKTYPE_NULL, 0x80 | 24),
            (LINKTYPE_RAW, 9, 1000),
            (LINKTYPE_IPV4, 6),
            (LINKTYPE_IPV6, 9),
        ],
    )
    t = _tshark_fields(
        path,
        [
            "frame.time_epoch",
            "frame.len",
            "frame.cap_len",
            "frame.interface_id",
            "frame.packet_flags_direction",
            "sll.pkttype",
            "ip.src",
            "ip.dst",
            "ipv6.src",
            "ipv6.dst",
            "tcp.srcport",
            "tcp.dstport",
            "udp.srcport",
            "udp.dstport",
            "tcp.flags",
            "ip.proto",
            "frame.protocols",
        ],
    )
    df = read_capture(path)
    assert len(df) == len(t) == len(frames)
    assert df["time"].astype("int64").tolist() == [
        int(x.replace(".", "")) for x in t["frame.time_epoch"]
    ]
    assert df["length"].tolist() == t["frame.len"].astype(int).tolist()
    assert df["captured_length"].tolist() == t["frame.cap_len"].astype(int).tolist()
    assert df["interface"].tolist() == t["frame.interface_id"].astype(int).tolist()
    assert [None if pd.isna(x) else int(x) for x in df["sll_pkttype"]] == [
        int(x) if x else None for x in t["sll.pkttype"]
    ]
    pflags = [
        {1: "in", 2: "out"}.get(int(x, 16) & 3) if x else None
        for x in t["frame.packet_flags_direction"]
    ]
    assert [
        None if pd.isna(x) else x for x in df["direction_hint"].iloc[:10]
    ] == pflags[:10]
    names = {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "ICMPv6"}
    for i, row in t.iterrows():
        got = df.iloc[i]
        layers = row["frame.protocols"].split(":")
        outer = next((x for x in layers if x in ("ip", "ipv6")), None)
        where = f"frame {i + 1}: {row['frame.protocols']}"
        if outer is None:
            assert (got["src"], got["dst"], got["protocol"]) == ("", "", ""), where
            continue
        prefix = "ip" if outer == "ip" else "ipv6"
        assert got["src"] == row[f"{prefix}.src"].split(",")[0], where
        assert got["dst"] == row[f"{prefix}.dst"].split(",")[0], where
        after = [
            x
            for x in layers[layers.index(outer) + 1 :]
            if not x.startswith("ipv6.") and x != "ah"
        ]  # extension headers
        transport = after[0] if after else None
        if (
            outer == "ip"
        ):  # the protocol field itself (a later fragment's shows as "data")
            number = int(row["ip.proto"].split(",")[0])
            expected = {1: "ICMP", 6: "TCP", 17: "UDP"}.get(number, str(number))
            assert got["protocol"] == expected, where
        elif transport in names:
            assert got["protocol"] == names[transport], where
        if transport in ("tcp", "udp"):
            assert got["sport"] == int(row[f"{transport}.srcport"].split(",")[0]), where
            assert got["dport"] == int(row[f"{transport}.dstport"].split(",")[0]), where
        else:
            assert pd.isna(got["sport"]) and pd.isna(got["dport"]), where
        if transport == "tcp":
            assert got["tcp_flags"] == int(row["tcp.flags"].split(",")[0], 16), where
