"""Direction by interface, uRPF, the ClientHello walk, QUIC connections and the new
egress indicators.

Expected values come from hand reasoning on small tables, from dpkt and tshark reading
the same captures, and from the generator's documented ground truth.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import dpkt
import pandas as pd
import pytest

from ingress_egress import packets as pk
from ingress_egress.captures import read_capture, write_pcapng
from ingress_egress.datagen import office_router as gen
from ingress_egress.direction import classify, classify_by_interface, reverse_path_check
from ingress_egress.egress_monitor import (
    base_domain,
    dns_queries,
    name_profile,
    shannon_entropy,
    tunnel_indicators,
    volume_against_history,
)
from ingress_egress.flows import quic_connections
from ingress_egress.handshakes import client_hellos, parse_client_hello

ROOT = Path(__file__).resolve().parent.parent
LAN = ROOT / "data" / "captures" / "office-router-lan.pcapng"
OFFICE_DAY = ROOT / "data" / "captures" / "office-day.pcap"
needs_tshark = pytest.mark.skipif(
    shutil.which("tshark") is None, reason="tshark not installed: no cross-check"
)


@pytest.fixture(scope="module")
def lan() -> pd.DataFrame:
    return read_capture(LAN, keep_bytes=True)


# --- direction by interface -----------------------------------------------------------

ROUTER = pd.DataFrame(
    {
        "src": [
            "192.168.10.11",
            "192.0.2.10",
            "198.51.100.2",
            "192.0.2.10",
            "192.168.10.12",
            "192.168.10.11",
            "",
        ],
        "dst": [
            "192.0.2.10",
            "192.168.10.11",
            "192.0.2.10",
            "198.51.100.2",
            "198.51.100.2",
            "192.168.10.1",
            "",
        ],
        "interface": [0, 0, 1, 1, 1, 0, 0],
        "direction_hint": ["in", "out", "out", "in", "in", "in", "in"],
    }
)
SIDES = {0: "inside", 1: "outside"}
INSIDE = ["192.168.10.0/24", "198.51.100.2"]


def test_by_interface_agrees_with_addresses_when_nobody_lies():
    by_address = classify(ROUTER, INSIDE).tolist()
    by_wire = classify_by_interface(ROUTER, INSIDE, SIDES).tolist()
    # rows: LAN in (out to the internet), LAN out (a reply), WAN out, WAN in, the spoof,
    # to the router, ARP
    assert by_address == [
        "egress",
        "ingress",
        "egress",
        "ingress",
        "internal",
        "internal",
        pd.NA,
    ]
    assert by_wire == [
        "egress",
        "ingress",
        "egress",
        "ingress",
        "ingress",
        "internal",
        pd.NA,
    ]


def test_a_packet_without_a_hint_is_not_guessed():
    p = ROUTER.assign(direction_hint=[pd.NA] * len(ROUTER))
    assert classify_by_interface(p, INSIDE, SIDES).isna().all()


def test_reverse_path_check_strict_urpf():
    # received on the WAN claiming an inside source fails; received on the LAN with a
    # source that is not inside fails too (BCP 38: the office must not let its hosts
    # forge sources)
    p = pd.DataFrame(
        {
            "src": ["192.168.10.12", "203.0.113.9", "192.168.10.12", "203.0.113.9"],
            "dst": ["198.51.100.2", "198.51.100.2", "192.0.2.10", "192.0.2.10"],
            "interface": [1, 1, 0, 0],
            "direction_hint": ["in", "in", "in", "in"],
        }
    )
    assert reverse_path_check(p, "192.168.10.0/24", SIDES).tolist() == [
        "fail",
        "pass",
        "pass",
        "fail",
    ]


def test_interface_sides_are_checked():
    with pytest.raises(ValueError, match="no side given for interface"):
        classify_by_interface(ROUTER, INSIDE, {0: "inside"})
    with pytest.raises(ValueError, match="expected 'inside' or 'outside'"):
        reverse_path_check(ROUTER, INSIDE, {0: "inside", 1: "internet"})
    with pytest.raises(KeyError, match="interface"):
        classify_by_interface(ROUTER.drop(columns="interface"), INSIDE, SIDES)


# --- the ClientHello walk -------------------------------------------------------------


@needs_tshark
def test_client_hellos_of_the_office_day_are_tsharks():
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(OFFICE_DAY),
            "-Y",
            "tls.handshake.type == 1",
            "-T",
            "fields",
            "-e",
            "frame.number",
            "-e",
            "tls.handshake.extensions_server_name",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    theirs = Counter(tuple(line.split("\t")) for line in out.splitlines())
    hellos = client_hellos(read_capture(OFFICE_DAY, keep_bytes=True))
    assert (
        Counter((str(f), n) for f, n in zip(hellos["frame"], hellos["server_name"]))
        == theirs
    )
    assert (hellos["transport"] == "TCP").all() and not hellos["ech"].any()


def test_client_hellos_over_tcp_quic_and_with_ech(lan):
    hellos = client_hellos(lan)
    assert hellos.attrs["skipped"] == 0
    quic = hellos[hellos["transport"] == "QUIC"]
    assert (
        set(quic["server_name"]) == set(gen.HTTP3_SITES)
        and (quic["alpn"] == "h3").all()
    )
    ech = hellos[hellos["ech"]]
    assert set(ech["server_name"]) == {gen.ECH_PUBLIC_NAME} and set(
        ech["client"]
    ) == set(gen.EVENTS["ech hosts"])


def test_a_hello_cut_by_the_snap_length_is_counted(tmp_path):
    hello = pk.tls_client_hello("www.example.com", random=bytes(32))
    segment = pk.tcp(
        "192.168.10.11", "192.0.2.10", 50000, 443, seq=1, ack=1, payload=hello
    )
    frame = pk.ethernet(
        "02:00:00:00:00:02",
        "02:00:00:00:00:01",
        pk.ETHERTYPE_IPV4,
        pk.ipv4("192.168.10.11", "192.0.2.10", pk.PROTO_TCP, segment),
    )
    path = write_pcapng(
        tmp_path / "cut.pcapng", [(0, 0, frame)], interfaces=[(1, 9, 100)]
    )
    hellos = client_hellos(read_capture(path, keep_bytes=True))
    assert (
        hellos.empty
        and hellos.attrs["skipped"] == 1
        and "only" in hellos.attrs["skipped_reasons"][1]
    )


def test_parse_client_hello_reads_alpn_and_extensions():
    message = pk.tls_client_hello_message(
        "cdn.example.net",
        random=bytes(32),
        alpn=("h3",),
        more_extensions=[pk.tls_extension(0x39, b"")],
    )
    fields = parse_client_hello(message)
    assert fields == {
        "server_name": "cdn.example.net",
        "alpn": "h3",
        "ech": False,
        "extensions": [0, 10, 13, 16, 43, 51, 0x39],
    }


# --- QUIC connections -----------------------------------------------------------------


@needs_tshark
def test_quic_connections_match_tsharks_connection_numbers(lan):
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(LAN),
            "-Y",
            "quic",
            "-T",
            "fields",
            "-e",
            "quic.connection.number",
            "-e",
            "ip.src",
            "-e",
            "udp.length",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    per = Counter(line.split("\t")[0] for line in out.splitlines())
    ours = quic_connections(lan)
    assert len(ours) == len(per) == 13 and ours.attrs["unmatched"] == 0
    assert sorted(ours["packets"]) == sorted(per.values())


def test_quic_connections_need_the_bytes():
    with pytest.raises(KeyError, match="keep_bytes=True"):
        quic_connections(pd.DataFrame({"src": []}))


# --- names, entropy, history ----------------------------------------------------------


def test_shannon_entropy_by_hand():
    assert shannon_entropy("abcdefghijklmnopqrstuvwxyz234567") == pytest.approx(
        5.0
    )  # 32 symbols, once each
    assert shannon_entropy("aabb") == pytest.approx(1.0)
    p = [3 / 4, 1 / 4]
    assert shannon_entropy("aaab") == pytest.approx(-sum(x * math.log2(x) for x in p))


def test_base_domain():
    assert base_domain("AbC.t.Example.ORG.") == "example.org"


def test_dns_queries_are_dpkts(lan):
    queries = dns_queries(lan)
    theirs = []
    for frame in lan["frame"]:
        ip = dpkt.ethernet.Ethernet(bytes(frame)).data
        if (
            isinstance(ip, dpkt.ip.IP)
            and isinstance(ip.data, dpkt.udp.UDP)
            and ip.data.dport == 53
        ):
            message = dpkt.dns.DNS(ip.data.data)
            theirs.append((message.qd[0].name.lower(), message.qd[0].type))
    types = {"A": 1, "AAAA": 28, "TXT": 16, "HTTPS": 65}
    assert Counter(zip(queries["name"], queries["qtype"].map(types))) == Counter(theirs)
    assert queries.attrs["skipped"] == 0


def test_name_profile_and_tunnel_indicators_on_the_capture(lan):
    profile = tunnel_indicators(name_profile(dns_queries(lan)))
    fired = profile[profile["long_names"] | profile["random_names"]]
    assert fired[["client", "domain", "names"]].values.tolist() == [
        [gen.TUNNEL.host, "example.org", gen.TUNNEL.queries]
    ]
    tunnel = fired.iloc[0]
    assert tunnel["mean_length"] == pytest.approx(
        160 + 1
    )  # 100 bytes: 160 base32 characters, plus "t"
    assert 4.9 < tunnel["entropy"] <= 5.0 + 1e-9 and tunnel["txt_share"] == 1.0


def test_tunnel_thresholds():
    p = pd.DataFrame(
        {
            "client": ["a"] * 3,
            "domain": ["x", "y", "z"],
            "names": [99, 100, 100],
            "mean_length": [50.0, 39.9, 40.0],
            "entropy": [4.0, 3.5, 3.49],
        }
    )
    t = tunnel_indicators(p)
    assert t["long_names"].tolist() == [False, False, True] and t[
        "random_names"
    ].tolist() == [False, True, False]


def test_volume_against_history_by_hand():
    history = pd.DataFrame(
        {
            "day": [1, 2, 3, 4, 1],
            "host": ["h", "h", "h", "h", "g"],
            "destination": ["s", "s", "s", "s", "s"],
            "bytes_out": [3e6, 5e6, 2e6, 4e6, 20e6],
        }
    )
    today = pd.DataFrame(
        {
            "host": ["h", "g", "new"],
            "destination": ["s", "s", "s"],
            "bytes_out": [12e6, 25e6, 9e6],
        }
    )
    table = volume_against_history(today, history).set_index("host")
    # h: values 3, 5, 2, 4, 12 (MB): median 4, deviations 1, 1, 2, 0, 8 -> MAD 1; z =
    # 0.6745 * 8 = 5.40
    assert (
        table.loc["h", "z"] == pytest.approx(0.6745 * 8)
        and table.loc["h", "above_history"]
    )
    # g: 20, 0, 0, 0, 25: median 0, MAD 0, mean |deviation| 9 -> z = 0.7979 * 25 / 9 =
    # 2.22: not above 3.5
    assert (
        table.loc["g", "z"] == pytest.approx(0.7979 * 25 / 9)
        and not table.loc["g", "above_history"]
    )
    # a pair with no history: four zeros and 9 MB, below the 10 MB floor
    assert (
        table.loc["new", "history_max"] == 0 and not table.loc["new", "above_history"]
    )


def test_flows_take_udp_443_as_the_clients_conversation(lan):
    """Each QUIC connection of the LAN side is one flow, opened by the office host that
    sent the first Initial, outbound, and ingress-heavy (a page comes in)."""
    from ingress_egress.flows import flows

    quic = flows(lan, gen.OFFICE_NETWORK)
    quic = quic[(quic["protocol"] == "UDP") & (quic["responder_port"] == 443)]
    assert len(quic) == len(quic_connections(lan)) == 13
    assert (
        quic["initiator"].str.startswith("192.168.10.").all()
        and (quic["connection"] == "outbound").all()
    )
    assert (quic["initiated_by"] == "first packet").all() and (
        quic["bytes_direction"] == "ingress"
    ).all()
