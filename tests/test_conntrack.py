"""Connection tracking rebuilt from captures: the kernel's TCP table, timeouts, NAT
matching, RFC 6092.

The transitions checked below are read off ``tcp_conntracks`` in Linux's
``net/netfilter/nf_conntrack_proto_tcp.c`` (its comments give the reason of each), the
timeouts off ``Documentation/networking/nf_conntrack-sysctl.rst``; the small captures
are built with the frame builders and read back with the course's reader.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingress_egress import conntrack as ct
from ingress_egress import packets as pk
from ingress_egress.captures import read_capture, write_pcapng

SYN, ACK, FIN, RST, PSH = pk.SYN, pk.ACK, pk.FIN, pk.RST, pk.PSH


@pytest.mark.parametrize(
    "state, direction, flags, expected",
    [
        ("NONE", 0, SYN, "SYN_SENT"),  # sNO -> sSS: initialize a new connection
        (
            "SYN_SENT",
            1,
            SYN | ACK,
            "SYN_RECV",
        ),  # REPLY synack sSS -> sSR: standard open
        ("SYN_RECV", 0, ACK, "ESTABLISHED"),  # sSR -> sES: established state is reached
        ("ESTABLISHED", 1, FIN | ACK, "FIN_WAIT"),  # close started (from either side)
        ("FIN_WAIT", 0, ACK, "CLOSE_WAIT"),  # normal close request answered by ACK
        ("FIN_WAIT", 0, FIN | ACK, "LAST_ACK"),  # FIN seen in both directions
        ("LAST_ACK", 1, ACK, "TIME_WAIT"),  # last ACK detected
        ("TIME_WAIT", 0, SYN, "SYN_SENT"),  # reopened connection (RFC 1122)
        ("ESTABLISHED", 0, RST | ACK, "CLOSE"),  # RST closes whatever the state
        ("NONE", 0, ACK, "ESTABLISHED"),  # sNO + ack: a connection picked up mid-way
        ("SYN_SENT", 1, SYN, "SYN_SENT2"),  # simultaneous open
        ("SYN_SENT", 0, ACK, "SYN_SENT"),  # invalid (no SYN/ACK yet): state unchanged
        (
            "ESTABLISHED",
            0,
            SYN,
            "ESTABLISHED",
        ),  # ignored: a SYN in an established connection
    ],
)
def test_tcp_transitions_of_the_kernel_table(state, direction, flags, expected):
    assert ct.tcp_transition(state, direction, flags) == expected


def test_unknown_state_is_an_error():
    with pytest.raises(ValueError, match="conntrack state 'OPEN'"):
        ct.tcp_transition("OPEN", 0, SYN)


def test_kernel_default_timeouts():
    assert ct.TCP_TIMEOUTS["ESTABLISHED"] == 5 * 24 * 3600
    assert (
        ct.TCP_TIMEOUTS["TIME_WAIT"],
        ct.TCP_TIMEOUTS["CLOSE"],
        ct.TCP_TIMEOUTS["SYN_SENT"],
    ) == (120, 10, 120)
    assert (ct.UDP_TIMEOUT, ct.UDP_STREAM_TIMEOUT) == (30, 120)


def table(rows) -> pd.DataFrame:
    """Packets from (seconds, src, sport, dst, dport, protocol, flags)."""
    return pd.DataFrame(
        {
            "time": pd.to_datetime([r[0] for r in rows], unit="s", utc=True),
            "src": [r[1] for r in rows],
            "sport": pd.array([r[2] for r in rows], dtype="Int32"),
            "dst": [r[3] for r in rows],
            "dport": pd.array([r[4] for r in rows], dtype="Int32"),
            "protocol": [r[5] for r in rows],
            "tcp_flags": pd.array([r[6] for r in rows], dtype="Int16"),
            "length": 60,
        }
    )


A, B = "192.168.10.11", "192.0.2.10"


def test_a_closed_tcp_connection_lingers_in_time_wait():
    p = table(
        [
            (0, A, 5000, B, 443, "TCP", SYN),
            (0.02, B, 443, A, 5000, "TCP", SYN | ACK),
            (0.04, A, 5000, B, 443, "TCP", ACK),
            (10, A, 5000, B, 443, "TCP", FIN | ACK),
            (10.02, B, 443, A, 5000, "TCP", FIN | ACK),
            (10.04, A, 5000, B, 443, "TCP", ACK),
        ]
    )
    entry = ct.track(
        p, "192.168.10.0/24", at=pd.Timestamp(60, unit="s", tz="UTC")
    ).iloc[0]
    assert (entry["state"], entry["assured"], entry["unreplied"]) == (
        "TIME_WAIT",
        True,
        False,
    )
    assert entry["timeout"] == pytest.approx(
        120 - (60 - 10.04)
    )  # by hand: 70.04 s left
    later = ct.track(
        p, "192.168.10.0/24", at=pd.Timestamp(131, unit="s", tz="UTC")
    ).iloc[0]
    assert not later["alive"]


def test_udp_entries_30_seconds_or_a_stream_of_120():
    dns = table(
        [
            (0, A, 40000, "192.0.2.53", 53, "UDP", None),
            (0.01, "192.0.2.53", 53, A, 40000, "UDP", None),
        ]
    )
    entry = ct.track(dns, "192.168.10.0/24").iloc[0]
    assert (
        entry["timeout"] == pytest.approx(30) and not entry["assured"]
    )  # at its last packet
    stream = table(
        [
            (0, A, 41000, B, 443, "UDP", None),
            (0.01, B, 443, A, 41000, "UDP", None),
            (3.0, A, 41000, B, 443, "UDP", None),
        ]
    )
    entry = ct.track(stream, "192.168.10.0/24").iloc[0]
    assert entry["assured"] and entry["timeout"] == pytest.approx(120)
    alone = table(
        [(0, A, 42000, B, 443, "UDP", None), (5, A, 42000, B, 443, "UDP", None)]
    )
    entry = ct.track(alone, "192.168.10.0/24").iloc[0]
    assert (
        entry["unreplied"]
        and not entry["assured"]
        and entry["timeout"] == pytest.approx(30)
    )


def test_a_flow_that_outlives_its_entry_starts_a_new_one():
    p = table(
        [
            (0, A, 41000, B, 443, "UDP", None),
            (0.01, B, 443, A, 41000, "UDP", None),
            (3.0, A, 41000, B, 443, "UDP", None),
            (3.0 + 150, A, 41000, B, 443, "UDP", None),
        ]
    )
    entries = ct.track(p, "192.168.10.0/24")
    assert len(entries) == 2 and list(entries["packets"]) == [3, 1]


def lan_and_wan(tmp_path):
    """A NAT'd connection and DNS lookup on both sides, plus a dropped probe on the
    WAN.
    """
    public, remote = "198.51.100.2", "192.0.2.10"
    lan, wan = [], []
    conn = pk.TcpConnection(
        pk.Endpoint(A, 50000, 100, ident=10),
        pk.Endpoint(remote, 443, 900, ident=20),
        client_delay_ns=200_000,
        server_delay_ns=10_000_000,
    )
    t = conn.open(0)
    conn.close(True, conn.send(True, t, b"x" * 300))
    for s in conn.segments:
        src, dst = (A, remote) if s.from_client else (remote, A)
        lan.append(
            (
                s.time_ns,
                pk.ethernet(
                    "02:00:00:00:00:02",
                    "02:00:00:00:00:01",
                    pk.ETHERTYPE_IPV4,
                    s.packet,
                    pad=s.from_client,
                ),
            )
        )
        if s.from_client:
            out = pk.nat_rewrite(s.packet, src=public, sport=61000, ttl_change=-1)
            wan.append(
                (
                    s.time_ns + 30_000,
                    pk.ethernet(
                        "02:00:00:00:00:09", "02:00:00:00:00:08", pk.ETHERTYPE_IPV4, out
                    ),
                )
            )
        else:
            back = pk.nat_rewrite(s.packet, dst=public, dport=61000, ttl_change=+1)
            wan.append(
                (
                    s.time_ns - 30_000,
                    pk.ethernet(
                        "02:00:00:00:00:08",
                        "02:00:00:00:00:09",
                        pk.ETHERTYPE_IPV4,
                        back,
                        pad=True,
                    ),
                )
            )
    probe = pk.ipv4(
        "203.0.113.9",
        public,
        pk.PROTO_TCP,
        pk.tcp("203.0.113.9", public, 4444, 22, seq=1, flags=SYN),
    )
    wan.append(
        (
            5_000_000,
            pk.ethernet(
                "02:00:00:00:00:08",
                "02:00:00:00:00:09",
                pk.ETHERTYPE_IPV4,
                probe,
                pad=True,
            ),
        )
    )
    lan_path = write_pcapng(
        tmp_path / "lan.pcapng", [(0, t, f) for t, f in sorted(lan)]
    )
    wan_path = write_pcapng(
        tmp_path / "wan.pcapng", [(0, t, f) for t, f in sorted(wan)]
    )
    return read_capture(lan_path, keep_bytes=True), read_capture(
        wan_path, keep_bytes=True
    )


def test_match_translation_pairs_every_packet_and_finds_the_dropped_one(tmp_path):
    lan, wan = lan_and_wan(tmp_path)
    matched = ct.match_translation(
        lan, wan, inside="192.168.10.0/24", public="198.51.100.2"
    )
    both = matched.dropna(subset=["lan_frame", "wan_frame"])
    assert (
        len(both) == len(lan)
        and (both["public_port"] == 61000).all()
        and (both["inside_port"] == 50000).all()
    )
    lengths = set(
        zip(lan.loc[both["lan_frame"], "length"], wan.loc[both["wan_frame"], "length"])
    )
    assert (
        60,
        54,
    ) in lengths  # a client's ACK: padded where it arrived, not where it left
    only_wan = matched[matched["lan_frame"].isna()]
    assert list(zip(only_wan["remote"], only_wan["public_port"])) == [
        ("203.0.113.9", 22)
    ]
    mapping = ct.translations(matched)
    assert mapping[
        ["inside", "inside_port", "public_port", "packets_out", "packets_in"]
    ].values.tolist() == [[A, 50000, 61000, 5, 3]]
    entries = ct.track(lan, "192.168.10.0/24", matched=matched)
    assert entries[["state", "public_port"]].values.tolist() == [["TIME_WAIT", 61000]]


def test_ip_identification_needs_the_bytes():
    with pytest.raises(KeyError, match="keep_bytes=True"):
        ct.ip_identification(pd.DataFrame({"src": ["192.0.2.1"]}))


def ipv6_capture(tmp_path):
    """The WAN side of an IPv6 router: an outbound QUIC flow, its reply, and the packets
    RFC 6092 judges.
    """
    inside, server, prober, transit = (
        "2001:db8:100:10::13",
        "2001:db8:20::20",
        "2001:db8:6::9",
        "2001:db8:ff::1",
    )
    frames = []

    def add(t, src, dst, proto, payload, flags):
        frame = pk.ethernet(
            "02:00:00:00:00:09",
            "02:00:00:00:00:08",
            pk.ETHERTYPE_IPV6,
            pk.ipv6(src, dst, proto, payload),
        )
        frames.append((0, t, frame, None, flags))

    up = pk.udp(inside, server, 50000, 443, bytes(1200))
    add(0, inside, server, pk.PROTO_UDP, up, 2)
    add(
        20_000_000,
        server,
        inside,
        pk.PROTO_UDP,
        pk.udp(server, inside, 443, 50000, bytes(1200)),
        1,
    )
    quoted = pk.ipv6(inside, server, pk.PROTO_UDP, up)
    add(
        30_000_000,
        transit,
        inside,
        pk.PROTO_ICMPV6,
        pk.icmpv6_error(transit, inside, "packet too big", quoted, value=1280),
        1,
    )
    stranger = pk.ipv6(
        inside,
        "2001:db8:77::7",
        pk.PROTO_UDP,
        pk.udp(inside, "2001:db8:77::7", 1, 443, bytes(64)),
    )
    add(
        40_000_000,
        transit,
        inside,
        pk.PROTO_ICMPV6,
        pk.icmpv6_error(transit, inside, "packet too big", stranger, value=1280),
        1,
    )
    add(
        50_000_000,
        prober,
        inside,
        pk.PROTO_TCP,
        pk.tcp(prober, inside, 4000, 22, seq=1, flags=SYN),
        1,
    )
    add(
        60_000_000,
        "2001:db8:100:10::5",
        inside,
        pk.PROTO_TCP,
        pk.tcp("2001:db8:100:10::5", inside, 4000, 445, seq=1, flags=SYN),
        1,
    )
    add(
        70_000_000,
        prober,
        inside,
        pk.PROTO_ICMPV6,
        pk.icmp_echo(prober, inside, 1, 1, b"ping"),
        1,
    )
    path = write_pcapng(tmp_path / "v6.pcapng", frames)
    return read_capture(path, keep_bytes=True)


def test_rfc6092_verdicts(tmp_path):
    packets = ipv6_capture(tmp_path)
    verdicts = ct.rfc6092_verdicts(packets, "2001:db8:100::/48")
    assert verdicts["reason"].tolist() == [
        "outbound",
        "reply of a tracked flow",
        "error about a tracked flow (REC-18, REC-36)",
        "error about no tracked flow (REC-10)",
        "unsolicited inbound",
        "source claims an inside address (REC-6)",
        "echo request (RFC 4890)",
    ]
    assert verdicts["verdict"].tolist() == [
        "forward",
        "forward",
        "forward",
        "drop",
        "drop",
        "drop",
        "forward",
    ]
    without_echo = ct.rfc6092_verdicts(packets, "2001:db8:100::/48", allow_echo=False)
    assert without_echo["verdict"].iloc[-1] == "drop"
    quoted = ct.quoted_flow(packets)
    assert quoted.loc[
        3,
        ["quoted_src", "quoted_dst", "quoted_protocol", "quoted_sport", "quoted_dport"],
    ].tolist() == ["2001:db8:100:10::13", "2001:db8:20::20", "UDP", 50000, 443]
