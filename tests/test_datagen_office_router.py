"""The office router's captures: reproducible, small, tshark-clean, and true to their
ground truth.

tshark (Wireshark 4.0) is the independent reader here: it recognises QUIC, decrypts the
Initial packets with keys of its own derivation, parses DNS, TLS and ICMPv6, and checks
every checksum. The ground truth is the generator's: its constants and the NAT table it
kept while translating.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import dpkt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingress_egress import conntrack
from ingress_egress.captures import read_capture
from ingress_egress.datagen import office_router as gen
from ingress_egress.flows import flows, quic_connections
from ingress_egress.handshakes import client_hellos

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "data" / "captures"
LAN, WAN, IPV6 = (
    CAPTURES / f"office-router-{side}.pcapng" for side in ("lan", "wan", "ipv6")
)
ALLOWED = [
    ipaddress.ip_network(n)
    for n in (
        "192.168.10.0/24",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
        "fe80::/10",
        "ff02::/16",
    )
]
needs_tshark = pytest.mark.skipif(
    shutil.which("tshark") is None, reason="tshark not installed: no cross-check"
)


@pytest.fixture(scope="module")
def lan() -> pd.DataFrame:
    return read_capture(LAN, keep_bytes=True)


@pytest.fixture(scope="module")
def wan() -> pd.DataFrame:
    return read_capture(WAN, keep_bytes=True)


@pytest.fixture(scope="module")
def v6() -> pd.DataFrame:
    return read_capture(IPV6, keep_bytes=True)


@pytest.fixture(scope="module")
def built():
    return gen.build()


def tshark(
    path: Path, *fields: str, display: str = "", options: tuple = ()
) -> list[list[str]]:
    command = [
        "tshark",
        "-r",
        str(path),
        *options,
        "-T",
        "fields",
        "-E",
        "occurrence=a",
        "-E",
        "aggregator=|",
    ]
    if display:
        command += ["-Y", display]
    for name in fields:
        command += ["-e", name]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def test_regenerating_gives_the_committed_bytes(tmp_path):
    written = gen.generate(tmp_path)
    assert [p.name for p in written] == [LAN.name, WAN.name, IPV6.name]
    for path in written:
        assert path.read_bytes() == (CAPTURES / path.name).read_bytes(), path.name


def test_files_stay_small():
    for path in (LAN, WAN, IPV6):
        assert path.stat().st_size < 1_600_000, (
            f"{path.name}: {path.stat().st_size} bytes"
        )


def test_snap_length_and_pcapng_flags(lan, wan, v6):
    for packets in (lan, wan, v6):
        assert packets.attrs["format"].startswith("pcapng")
        truncated = packets["captured_length"] < packets["length"]
        assert (truncated == (packets["length"] > gen.SNAPLEN)).all()
        assert packets["direction_hint"].isin(["in", "out"]).all()
    assert sorted(v6["interface"].unique()) == [0, 1] and set(lan["interface"]) == {
        0
    } == set(wan["interface"])


def test_only_documentation_private_and_link_local_addresses(lan, wan, v6):
    for packets in (lan, wan, v6):
        for text in (set(packets["src"]) | set(packets["dst"])) - {""}:
            assert any(ipaddress.ip_address(text) in net for net in ALLOWED), text


def test_ten_minutes_in_time_order(lan, wan):
    for packets in (lan, wan):
        assert packets["time"].is_monotonic_increasing
        assert packets["time"].min() >= gen.START and packets[
            "time"
        ].max() < gen.END + pd.Timedelta(seconds=5)


def test_private_addresses_never_reach_the_wan_except_the_spoofed_packet(wan):
    private = [
        a
        for a in set(wan["src"]) | set(wan["dst"])
        if ipaddress.ip_address(a).is_private
        and ipaddress.ip_address(a) in ipaddress.ip_network(gen.OFFICE_NETWORK)
    ]
    assert private == [gen.SPOOFED[0]]
    spoofed = wan[wan["src"] == gen.SPOOFED[0]]
    assert len(spoofed) == 1 and spoofed["direction_hint"].iloc[0] == "in"
    assert (spoofed["dst"].iloc[0], spoofed["dport"].iloc[0]) == (
        gen.PUBLIC,
        gen.SPOOFED[2],
    )


def test_the_nat_table_rebuilt_from_the_captures_is_the_generators(lan, wan, built):
    office, _ = built
    truth = gen.nat_table(office)
    matched = conntrack.match_translation(
        lan, wan, inside=gen.OFFICE_NETWORK, public=gen.PUBLIC
    )
    rebuilt = conntrack.translations(matched)
    keys = ["protocol", "inside", "inside_port", "remote", "remote_port", "public_port"]
    assert sorted(map(tuple, rebuilt[keys].astype(str).values)) == sorted(
        map(tuple, truth[keys].astype(str).values)
    )
    assert (truth["public_port"] >= gen.NAT_PORTS[0]).all() and (
        truth["public_port"] <= gen.NAT_PORTS[1]
    ).all()
    only_wan = matched[matched["lan_frame"].isna()]
    assert len(only_wan) == 10 and set(only_wan["remote"]) == {
        gen.SCANNER,
        gen.SPOOFED[0],
    }
    assert matched["wan_frame"].notna().all()  # every crossing LAN packet left


def test_nat_rebinding_gives_one_lan_flow_two_public_ports(lan, wan, built):
    office, _ = built
    x = gen.REBINDING
    truth = gen.nat_table(office)
    mine = truth[
        (truth["inside"] == x.host)
        & (truth["remote"] == x.server)
        & (truth["protocol"] == "UDP")
    ]
    first_port = mine["inside_port"].iloc[0]
    assert (
        mine["inside_port"] == first_port
    ).sum() == 2  # the same inside port, two mappings
    lan_udp = flows(lan)
    assert (
        (lan_udp["initiator"] == x.host) & (lan_udp["initiator_port"] == first_port)
    ).sum() == 1
    connections = quic_connections(wan)
    assert (
        len(connections) == len(quic_connections(lan))
        and (connections["paths"] > 1).sum() == 1
    )


@needs_tshark
def test_tshark_follows_the_rebound_quic_connection_too():
    rows = tshark(
        WAN, "quic.connection.number", "udp.srcport", "udp.dstport", display="quic"
    )
    ports = {}
    for number, sport, dport in rows:
        ports.setdefault(number, set()).add(sport if dport == "443" else dport)
    assert len(ports) == 13 and sorted(len(p) for p in ports.values())[-2:] == [1, 2]


@needs_tshark
@pytest.mark.parametrize("path", [LAN, WAN], ids=["lan", "wan"])
def test_tshark_checksums_and_the_only_expert_warnings(path):
    rows = tshark(
        path,
        "frame.len",
        "frame.cap_len",
        "ip.checksum.status",
        "tcp.checksum.status",
        "udp.checksum.status",
        "icmp.checksum.status",
        "tcp.analysis.flags",
        "_ws.expert.severity",
        "_ws.expert.message",
        "quic.long.packet_type",
        "quic.header_form",
        options=(
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
        ),
    )
    assert len(rows) == len(read_capture(path))
    for number, row in enumerate(rows, start=1):
        statuses = [s for s in row[2:6] if s]
        assert "0" not in statuses, f"packet {number}: a bad checksum {row}"
        if row[0] == row[1]:
            assert all(s == "1" for s in statuses), f"packet {number}: {row}"
        assert row[6] == "", f"packet {number}: tshark's TCP analysis flags it: {row}"
        warnings = [
            m
            for s, m in zip(row[7].split("|"), row[8].split("|"))
            if s and int(s) >= 0x600000
        ]
        # The one warning intended: Handshake and 1-RTT packets need the TLS secrets,
        # which no observer has (tshark says so on the first of each kind in each
        # direction).
        assert all(
            m == "Failed to create decryption context: Secrets are not available"
            for m in warnings
        ), row
        if warnings:
            assert "2" in row[9].split("|") or row[10].split("|")[-1] == "0", (
                f"packet {number}: {row}"
            )


@needs_tshark
def test_tshark_decrypts_every_quic_initial_to_the_names_we_read(lan):
    rows = tshark(
        LAN,
        "frame.number",
        "tls.handshake.extensions_server_name",
        "quic.version",
        display="quic && tls.handshake.type == 1",
    )
    theirs = Counter(
        (int(n), name)
        for n, name, version in rows
        if version.split("|")[0] == "0x00000001"
    )
    hellos = client_hellos(lan)
    ours = Counter(
        (int(f), n) for f, n in zip(hellos["frame"], hellos["server_name"]) if True
    )
    quic = hellos[hellos["transport"] == "QUIC"]
    assert theirs == Counter(
        (int(f), n) for f, n in zip(quic["frame"], quic["server_name"])
    )
    assert set(quic["server_name"]) == set(gen.HTTP3_SITES)
    tcp = tshark(
        LAN,
        "frame.number",
        "tls.handshake.extensions_server_name",
        display="tcp && tls.handshake.type == 1",
    )
    assert Counter((int(n), name) for n, name in tcp) + theirs == ours


@needs_tshark
def test_ech_hellos_carry_the_extension_and_the_public_name_only():
    rows = tshark(
        LAN,
        "ip.src",
        "tls.handshake.extensions_server_name",
        "tls.handshake.extension.type",
        display="tcp && tls.handshake.type == 1",
    )
    ech = [(src, name) for src, name, types in rows if "65037" in types.split("|")]
    assert {name for _, name in ech} == {gen.ECH_PUBLIC_NAME}
    assert {src for src, _ in ech} == set(gen.EVENTS["ech hosts"])
    assert not any(gen.ECH_SITE in name for _, name, _ in rows)


@needs_tshark
def test_the_dns_tunnel_as_tshark_reads_it():
    queries = tshark(
        LAN,
        "ip.src",
        "dns.qry.name",
        "dns.qry.type",
        display="dns && dns.flags.response == 0",
    )
    answers = tshark(
        LAN,
        "dns.qry.name",
        "dns.txt",
        "dns.resp.ttl",
        display="dns && dns.flags.response == 1 && dns.qry.type == 16",
    )
    x = gen.TUNNEL
    tunnel = [(src, name) for src, name, qtype in queries if qtype == "16"]
    assert len(tunnel) == x.queries and {src for src, _ in tunnel} == {x.host}
    assert all(name.endswith("." + x.domain) and len(name) > 150 for _, name in tunnel)
    assert (
        len({name for _, name in tunnel}) == x.queries
    )  # every name is new: no cache helps
    assert len(answers) == x.queries and all(
        len(text) == 8 and ttl == "0" for _, text, ttl in answers
    )


@needs_tshark
def test_dns_over_https_host_asks_nothing_in_clear_but_its_resolver():
    rows = tshark(
        LAN, "ip.src", "dns.qry.name", display="dns && dns.flags.response == 0"
    )
    doh_host = gen.EVENTS["doh host"]
    assert {name for src, name in rows if src == doh_host} == {gen.DOH[0]}
    https = tshark(
        LAN,
        "ip.src",
        "dns.qry.name",
        "dns.svcb.svcparam.key",
        display="dns.qry.type == 65 && dns.flags.response == 1",
    )
    assert {name for _, name, _ in https} == {gen.ECH_SITE} and all(
        "5" in keys.split("|") for _, _, keys in https
    )


@needs_tshark
@pytest.mark.parametrize("interface", [0, 1], ids=["lan", "wan"])
def test_ipv6_capture_per_interface_is_tshark_clean(tmp_path, interface):
    """Both interfaces in one file show every forwarded packet twice, which tshark's TCP
    and DNS analysis calls a retransmission; each interface alone must be clean."""
    part = tmp_path / f"if{interface}.pcapng"
    subprocess.run(
        [
            "tshark",
            "-r",
            str(IPV6),
            "-Y",
            f"frame.interface_id == {interface}",
            "-w",
            str(part),
        ],
        capture_output=True,
        check=True,
    )
    rows = tshark(
        part,
        "frame.len",
        "frame.cap_len",
        "tcp.checksum.status",
        "udp.checksum.status",
        "icmpv6.checksum.status",
        "tcp.analysis.flags",
        "_ws.expert.severity",
        "_ws.expert.message",
        "icmpv6.type",
        options=("-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"),
    )
    assert rows
    for number, row in enumerate(rows, start=1):
        error = row[8].split("|")[0] in (
            "1",
            "2",
            "3",
            "4",
        )  # its TCP or UDP header is the quoted one,
        statuses = [
            s for s in row[4 if error else 2 : 5] if s
        ]  # cut short: tshark cannot verify it
        assert "0" not in statuses and (
            row[0] != row[1] or all(s == "1" for s in statuses)
        ), row
        assert row[5] == "", row
        warnings = [
            m
            for s, m in zip(row[6].split("|"), row[7].split("|"))
            if s and int(s) >= 0x600000
        ]
        assert all(
            m == "Failed to create decryption context: Secrets are not available"
            for m in warnings
        ), row


def test_ipv6_events_on_the_right_interfaces(v6):
    lan, wan = v6[v6["interface"] == 0], v6[v6["interface"] == 1]
    scanner, victim, port = gen.IPV6_EVENTS["unsolicited SYN"]
    syn = wan[(wan["src"] == scanner) & (wan["dport"] == port)]
    assert len(syn) == 1 and lan[lan["src"] == scanner].empty
    prohibited = wan[
        (wan["src"] == gen.V6_ROUTER_WAN)
        & (wan["icmp_type"] == 1)
        & (wan["icmp_code"] == 1)
    ]
    assert len(prohibited) == 1  # RFC 6092, REC-34: after at least 6 s
    assert (
        pd.Timedelta(seconds=6)
        <= prohibited["time"].iloc[0] - syn["time"].iloc[0]
        < pd.Timedelta(seconds=7)
    )
    spoofed_src = gen.IPV6_EVENTS["spoofed"][0]
    assert len(wan[(wan["src"] == spoofed_src) & (wan["direction_hint"] == "in")]) == 1
    assert lan[
        (lan["src"] == spoofed_src) & (lan["dport"] == gen.IPV6_EVENTS["spoofed"][2])
    ].empty
    too_big = v6[(v6["icmp_type"] == 2)]
    related = too_big[too_big["dst"] == gen.IPV6_EVENTS["packet too big, related"][1]]
    unrelated = too_big[
        too_big["dst"] == gen.IPV6_EVENTS["packet too big, unrelated"][1]
    ]
    assert sorted(related["interface"]) == [0, 1] and list(unrelated["interface"]) == [
        1
    ]
    monitor, pinged = gen.IPV6_EVENTS["echo request"]
    assert set(
        v6.loc[(v6["src"] == monitor) & (v6["icmp_type"] == 128), "interface"]
    ) == {0, 1}


def test_forwarded_ipv6_packets_lose_one_hop(v6):
    """The WAN copy of an outbound packet has a hop limit one lower than the LAN copy
    (read by dpkt).
    """
    hops = {}
    for interface, frame in zip(v6["interface"], v6["frame"]):
        eth = dpkt.ethernet.Ethernet(bytes(frame))
        if isinstance(eth.data, dpkt.ip6.IP6) and isinstance(
            eth.data.data, dpkt.tcp.TCP
        ):
            ip = eth.data
            key = (
                ip.src,
                ip.dst,
                ip.data.sport,
                ip.data.dport,
                ip.data.seq,
                ip.data.ack,
                ip.data.flags,
            )
            hops.setdefault(key, {})[interface] = ip.hlim
    pairs = [h for h in hops.values() if len(h) == 2]
    assert len(pairs) > 50
    inside = ipaddress.ip_network(gen.V6_LAN)
    for key, h in hops.items():
        if len(h) == 2:
            outbound = ipaddress.IPv6Address(key[0]) in inside
            assert h[0] - h[1] == (1 if outbound else -1)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(0, 147), rows=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_tunnel_names_are_tunnel_name_of_each_row(size, rows, seed):
    # the vectorised encoder against the standard library's base32, one row at a time,
    # for every chunk length a name under t.example.org can carry
    chunks = np.random.default_rng(seed).integers(0, 256, (rows, size), dtype=np.uint8)
    names = gen.tunnel_names(chunks)
    assert names == [gen.tunnel_name(bytes(chunk)) for chunk in chunks]
    assert all(len(label) <= 63 for name in names for label in name.split("."))


def test_a_chunk_too_long_for_a_name_is_refused_by_both_encoders():
    with pytest.raises(ValueError, match="148 bytes makes a 254-character name"):
        gen.tunnel_name(bytes(148))
    with pytest.raises(ValueError, match="148 bytes makes a 254-character name"):
        gen.tunnel_names(np.zeros((2, 148), np.uint8))
