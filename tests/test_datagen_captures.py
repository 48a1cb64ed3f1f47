"""The generated captures: reproducible, small, well formed, and true to their
documented ground truth.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

import dpkt
import numpy as np
import pandas as pd
import pytest

from ingress_egress.captures import read_capture
from ingress_egress.datagen import captures as gen

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "data" / "captures" / "office-day.pcap"
SERVER = ROOT / "data" / "captures" / "web-server.pcapng"
ALLOWED = [
    ipaddress.ip_network(n)
    for n in (
        "192.168.10.0/24",
        "192.0.2.0/24",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "2001:db8::/32",
        "0.0.0.0/32",
        "255.255.255.255/32",
    )
]
needs_tshark = pytest.mark.skipif(
    shutil.which("tshark") is None, reason="tshark not installed: no cross-check"
)


@pytest.fixture(scope="module")
def office() -> pd.DataFrame:
    return read_capture(OFFICE)


@pytest.fixture(scope="module")
def server() -> pd.DataFrame:
    return read_capture(SERVER)


@pytest.fixture(scope="module")
def office_tcp() -> pd.DataFrame:
    """Every TCP packet of the office capture, parsed by dpkt (not by the course's
    reader).
    """
    rows = []
    with open(OFFICE, "rb") as f:
        for number, (ts, buf) in enumerate(dpkt.pcap.Reader(f), start=1):
            ip = dpkt.ethernet.Ethernet(buf).data
            if isinstance(ip, dpkt.ip.IP) and ip.p == dpkt.ip.IP_PROTO_TCP:
                tcp = ip.data
                payload = (
                    ip.len - ip.hl * 4 - tcp.off * 4
                )  # from the headers: the payload may be cut
                rows.append(
                    (
                        number,
                        ts,
                        str(ipaddress.ip_address(ip.src)),
                        str(ipaddress.ip_address(ip.dst)),
                        tcp.sport,
                        tcp.dport,
                        tcp.flags,
                        payload,
                    )
                )
    return pd.DataFrame(
        rows,
        columns=[
            "number",
            "ts",
            "src",
            "dst",
            "sport",
            "dport",
            "tcp_flags",
            "payload",
        ],
    )


def test_regenerating_gives_the_committed_bytes(tmp_path):
    written = gen.generate(tmp_path)
    assert [p.name for p in written] == ["office-day.pcap", "web-server.pcapng"]
    for path in written:
        assert (
            path.read_bytes() == (ROOT / "data" / "captures" / path.name).read_bytes()
        ), path.name


def test_files_stay_small():
    for path in (OFFICE, SERVER):
        assert path.stat().st_size < 8_000_000, (
            f"{path.name}: {path.stat().st_size} bytes"
        )


def test_snap_length_cuts_only_long_frames(office, server):
    for packets in (office, server):
        assert packets["captured_length"].max() == gen.SNAPLEN
        truncated = packets["captured_length"] < packets["length"]
        assert (truncated == (packets["length"] > gen.SNAPLEN)).all()
        assert packets.attrs["truncated"] == int(truncated.sum())


def test_only_documentation_and_private_addresses(office, server):
    for packets in (office, server):
        addresses = set(packets["src"]) | set(packets["dst"])
        addresses.discard("")
        for text in addresses:
            assert any(ipaddress.ip_address(text) in net for net in ALLOWED), text


def test_the_office_day_spans_one_day_in_time_order(office):
    times = office["time"]
    assert times.is_monotonic_increasing
    assert times.min() >= gen.DAY and times.max() < gen.DAY + pd.Timedelta(days=1)


def test_frames_from_the_lan_arrive_padded_to_60_bytes(office):
    from_lan = office["src"].str.startswith("192.168.10.") & (
        office["src"] != gen.ROUTER
    )
    assert office.loc[from_lan, "length"].min() == 60
    assert (
        office.loc[~from_lan & (office["protocol"] == "TCP"), "length"].min() == 54
    )  # sent by the router


def test_exfiltration_ground_truth(office_tcp):
    x = gen.EXFILTRATION
    out = office_tcp[
        (office_tcp.src == x.host)
        & (office_tcp.dst == x.destination)
        & (office_tcp.dport == x.port)
    ]
    back = office_tcp[(office_tcp.src == x.destination) & (office_tcp.dst == x.host)]
    syn = out[out.tcp_flags == dpkt.tcp.TH_SYN]
    assert len(syn) == 1
    start = pd.Timestamp(syn.ts.iloc[0], unit="s", tz="UTC")
    assert x.start <= start < x.start + pd.Timedelta(milliseconds=1)
    assert out.payload.sum() == 240_000_000 == x.payload_bytes
    data = out[out.payload > 0]
    assert len(data) == -(-240_000_000 // 64_240) == 3736
    assert back.payload.sum() == 0  # nothing but ACKs comes back
    # 3,735 gaps of 2.2-2.6 s each: the stream lasts between 2 h 17 min and 2 h 42 min.
    span = out.ts.max() - out.ts.min()
    assert 3735 * 2.2 < span < 3735 * 2.6
    assert (
        3735 * 2.4 - 60 < span < 3735 * 2.4 + 60
    )  # the mean of 3,735 uniform gaps: within a minute


def test_no_dns_answer_points_at_the_exfiltration_destination():
    answers = set()
    with open(OFFICE, "rb") as f:
        for _, buf in dpkt.pcap.Reader(f):
            ip = dpkt.ethernet.Ethernet(buf).data
            if (
                isinstance(ip, dpkt.ip.IP)
                and isinstance(ip.data, dpkt.udp.UDP)
                and ip.data.sport == 53
            ):
                for rr in dpkt.dns.DNS(ip.data.data).an:
                    if rr.type == dpkt.dns.DNS_A:
                        answers.add(str(ipaddress.ip_address(rr.ip)))
    assert "192.0.2.80" in answers and "203.0.113.10" in answers
    assert gen.EXFILTRATION.destination not in answers


def test_every_connection_follows_a_fresh_dns_answer(office_tcp):
    """Each TCP connection to a public address follows, by less than the 300 s TTL, a
    DNS answer to the same host naming that address; the exfiltration (by design) is the
    one exception."""
    answers: dict[tuple[str, str], list[float]] = {}
    with open(OFFICE, "rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            ip = dpkt.ethernet.Ethernet(buf).data
            if (
                isinstance(ip, dpkt.ip.IP)
                and isinstance(ip.data, dpkt.udp.UDP)
                and ip.data.sport == 53
            ):
                host = str(ipaddress.ip_address(ip.dst))
                for rr in dpkt.dns.DNS(ip.data.data).an:
                    if rr.type == dpkt.dns.DNS_A:
                        answers.setdefault(
                            (host, str(ipaddress.ip_address(rr.ip))), []
                        ).append(ts)
    syns = office_tcp[
        (office_tcp.tcp_flags == dpkt.tcp.TH_SYN)
        & office_tcp.src.str.startswith("192.168.10.")
    ]
    unexplained = []
    for syn in syns.itertuples():
        times = answers.get((syn.src, syn.dst), [])
        if not any(0 <= syn.ts - t < 300 for t in times):
            unexplained.append((syn.number, syn.src, syn.dst, syn.dport))
    assert [(src, dst, port) for _, src, dst, port in unexplained] == [
        (gen.EXFILTRATION.host, gen.EXFILTRATION.destination, gen.EXFILTRATION.port)
    ]


def test_night_egress_is_the_exfiltration(office_tcp):
    """Between 02:10 and 04:40, almost every byte leaving the office goes to the
    exfiltration host.
    """
    t0 = (gen.DAY + pd.Timedelta(hours=2, minutes=10)).timestamp()
    t1 = (gen.DAY + pd.Timedelta(hours=4, minutes=40)).timestamp()
    night = office_tcp[
        (office_tcp.ts >= t0)
        & (office_tcp.ts < t1)
        & office_tcp.src.str.startswith("192.168.10.")
    ]
    to_exfil = night.dst == gen.EXFILTRATION.destination
    assert night.loc[to_exfil, "payload"].sum() > 0.99 * night["payload"].sum()


@pytest.mark.parametrize(
    "episode, sender_inside",
    [(gen.VIDEO_DOWNLOAD, False), (gen.CLOUD_UPLOAD, True), (gen.BACKUP, True)],
)
def test_bulk_episodes(office_tcp, episode, sender_inside):
    flow = office_tcp[
        (
            (office_tcp.src == episode.host)
            & (office_tcp.dst == episode.destination)
            & (office_tcp.dport == episode.port)
        )
        | (
            (office_tcp.dst == episode.host)
            & (office_tcp.src == episode.destination)
            & (office_tcp.sport == episode.port)
        )
    ]
    syn = flow[flow.tcp_flags == dpkt.tcp.TH_SYN]
    assert list(syn.src) == [episode.host]  # every one is an outbound connection
    assert abs(syn.ts.iloc[0] - episode.start.timestamp()) < 1.0
    bulk = flow[
        flow.src == (episode.host if sender_inside else episode.destination)
    ].payload.sum()
    assert (
        episode.payload_bytes <= bulk < episode.payload_bytes + 20_000
    )  # plus handshakes and headers


def test_every_tcp_connection_has_its_own_five_tuple(office_tcp):
    syns = office_tcp[office_tcp.tcp_flags == dpkt.tcp.TH_SYN]
    assert not syns.duplicated(["src", "sport", "dst", "dport"]).any()


def test_dhcp_broadcasts_are_the_only_external_packets(office):
    from ingress_egress.direction import classify

    direction = classify(office, gen.OFFICE_NETWORK)
    external = office[direction == "external"]
    assert (
        list(zip(external.src, external.dst, external.dport))
        == [("0.0.0.0", "255.255.255.255", 67)] * 2
    )
    assert (
        office.attrs["non_ip"] == int((office["ethertype"] == 0x0806).sum()) > 0
    )  # the non-IP frames are ARP


def test_web_server_directions_and_ipv6(server):
    mine = server["src"].isin([gen.SERVER_V4, gen.SERVER_V6])
    ip = server["src"] != ""
    assert (server.loc[ip & mine, "direction_hint"] == "out").all()
    assert (server.loc[ip & ~mine, "direction_hint"] == "in").all()
    syn = server[(server["tcp_flags"] == 0x02) & server["dport"].isin([80, 443])]
    share_v6 = (syn["ip_version"] == 6).mean()
    assert 0.2 < share_v6 < 0.5, share_v6


def test_web_server_scan(server):
    probes = server[(server["src"] == gen.SCANNER) & (server["tcp_flags"] == 0x02)]
    assert sorted(probes["dport"]) == sorted(gen.SCANNED_PORTS)
    answers = server[server["dst"] == gen.SCANNER]
    refused = answers[answers["tcp_flags"] == 0x14]  # RST+ACK from a closed port
    accepted = answers[answers["tcp_flags"] == 0x12]  # SYN-ACK from an open one
    assert sorted(accepted["sport"]) == [22, 80, 443]
    assert len(refused) == len(gen.SCANNED_PORTS) - 3


@needs_tshark
@pytest.mark.parametrize("path", [OFFICE, SERVER], ids=["office", "server"])
def test_tshark_finds_good_checksums_and_no_tcp_anomalies(path):
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "udp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
            "-T",
            "fields",
            "-E",
            "occurrence=f",
            "-e",
            "frame.len",
            "-e",
            "frame.cap_len",
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.checksum.status",
            "-e",
            "udp.checksum.status",
            "-e",
            "icmp.checksum.status",
            "-e",
            "icmpv6.checksum.status",
            "-e",
            "tcp.analysis.flags",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == len(read_capture(path))
    for number, row in enumerate(rows, start=1):
        whole = row[0] == row[1]
        statuses = [s for s in row[2:7] if s]
        assert "0" not in statuses, f"packet {number}: a bad checksum {row}"  # 0 = Bad
        if whole:
            assert all(s == "1" for s in statuses), (
                f"packet {number}: {row}"
            )  # 1 = Good
        assert row[7] == "", f"packet {number}: tshark's TCP analysis flags it"


@needs_tshark
@pytest.mark.parametrize("path", [OFFICE, SERVER], ids=["office", "server"])
def test_every_https_connection_shows_its_server_name(path):
    out = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-Y",
            "tls.handshake.type == 1",
            "-T",
            "fields",
            "-e",
            "tls.handshake.extensions_server_name",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    packets = read_capture(path)
    scanner = packets["src"] == gen.SCANNER  # its probe of port 443 says no hello
    https_syns = int(
        ((packets["tcp_flags"] == 0x02) & (packets["dport"] == 443) & ~scanner).sum()
    )
    assert len(out) == https_syns
    names = set(out)
    expected = (
        {gen.SERVER_NAME}
        if path == SERVER
        else {
            n
            for n in gen.SITES
            if n
            not in ("legacy.example.org", "updates.example.net", "backup.example.org")
        }
    )
    assert names == expected


def test_ground_truth_constants_are_documented():
    doc = gen.__doc__
    for text in (
        "192.168.10.23",
        "198.51.100.77",
        "``4444``",
        "240,000,000",
        "02:10:00",
    ):
        assert text in doc
    assert np.isclose(gen.EXFILTRATION.payload_bytes / 1e9, 0.24)
