"""Frames built by ingress_egress.packets, checked by other parsers (dpkt, tshark) and
by the RFCs' arithmetic.
"""

from __future__ import annotations

import shutil
import struct
import subprocess

import dpkt
import pytest

from ingress_egress import packets as pk
from ingress_egress.captures import write_pcap

CLIENT, SERVER = "192.168.10.11", "192.0.2.10"
CLIENT6, SERVER6 = "2001:db8:1::11", "2001:db8:80::80"
MAC_A, MAC_B = "02:00:00:00:00:0a", "02:00:00:00:00:0b"


def frame_of(
    src: str, dst: str, transport: bytes, protocol: int, *, unseen: int = 0
) -> bytes:
    return pk.ethernet(
        MAC_B,
        MAC_A,
        pk.ethertype_of(src),
        pk.ip(src, dst, protocol, transport, unseen=unseen),
    )


def rfc1071(data: bytes) -> int:
    """The checksum exactly as RFC 1071 section 4.1 writes it in C: add 16-bit words,
    fold carries.
    """
    total, count, i = 0, len(data), 0
    while count > 1:
        total += (data[i] << 8) + data[i + 1]
        i += 2
        count -= 2
    if count > 0:
        total += data[i] << 8
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# --------------------------------------------------------------------------------------
# Checksums, recomputed by dpkt (which fills in zeroed checksums when it packs a packet)
# --------------------------------------------------------------------------------------


def recomputed_by_dpkt(frame: bytes) -> tuple[int, int, int, int]:
    """(IP checksum in the frame, dpkt's, transport checksum in the frame, dpkt's)."""
    eth = dpkt.ethernet.Ethernet(frame)
    ip = eth.data
    transport = ip.data
    ip_sum = getattr(ip, "sum", None)
    transport_sum = transport.sum
    if isinstance(ip, dpkt.ip.IP):
        ip.sum = 0
    transport.sum = 0
    repacked = dpkt.ethernet.Ethernet(bytes(eth)).data
    return ip_sum, getattr(repacked, "sum", None), transport_sum, repacked.data.sum


@pytest.mark.parametrize("src, dst", [(CLIENT, SERVER), (CLIENT6, SERVER6)])
def test_tcp_and_ip_checksums_agree_with_dpkt(src, dst):
    segment = pk.tcp(
        src,
        dst,
        50123,
        443,
        seq=0xFFFFFFF0,
        ack=12345,
        flags=pk.PSH | pk.ACK,
        payload=b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n!",
    )  # odd length: padding byte
    ip_sum, ip_dpkt, tcp_sum, tcp_dpkt = recomputed_by_dpkt(
        frame_of(src, dst, segment, pk.PROTO_TCP)
    )
    assert tcp_sum == tcp_dpkt
    assert ip_sum == ip_dpkt


@pytest.mark.parametrize(
    "src, dst", [(CLIENT, "192.0.2.53"), (CLIENT6, "2001:db8::53")]
)
def test_udp_checksum_agrees_with_dpkt(src, dst):
    datagram = pk.udp(
        src, dst, 53000, 53, pk.dns_query(0x1234, "www.example.com", "AAAA")
    )
    ip_sum, ip_dpkt, udp_sum, udp_dpkt = recomputed_by_dpkt(
        frame_of(src, dst, datagram, pk.PROTO_UDP)
    )
    assert (udp_sum, ip_sum) == (udp_dpkt, ip_dpkt)


def test_ipv4_header_checksum_by_the_rfc_1071_loop():
    packet = pk.ipv4(
        "192.168.10.11", "203.0.113.50", pk.PROTO_TCP, bytes(20), ident=0xBEEF, ttl=128
    )
    header = bytearray(packet[:20])
    stored = int.from_bytes(header[10:12], "big")
    header[10:12] = b"\x00\x00"
    assert stored == rfc1071(bytes(header))
    assert pk.internet_checksum(bytes(range(1, 200))) == rfc1071(
        bytes(range(1, 200))
    )  # odd length


def test_icmp_checksums_agree_with_dpkt():
    request = pk.icmp_echo(CLIENT, SERVER, 7, 1, b"abcdefghijklmnopqrstuvwabcdefghi")
    icmp = dpkt.icmp.ICMP(request)
    stored = icmp.sum
    icmp.sum = 0
    assert dpkt.icmp.ICMP(bytes(icmp)).sum == stored
    reply6 = pk.icmp_echo(SERVER6, CLIENT6, 7, 1, b"ping", reply=True)
    _, _, stored6, recomputed6 = recomputed_by_dpkt(
        frame_of(SERVER6, CLIENT6, reply6, pk.PROTO_ICMPV6)
    )
    assert stored6 == recomputed6
    assert reply6[0] == 129  # ICMPv6 echo reply (RFC 4443)


def test_unseen_bytes_count_in_lengths_and_as_zeros_in_the_checksum():
    """A segment with 1000 unseen bytes has the checksum of the same segment with 1000
    zero bytes.
    """
    short = pk.tcp(CLIENT, SERVER, 1, 2, seq=5, payload=b"abc", unseen=1000)
    full = pk.tcp(CLIENT, SERVER, 1, 2, seq=5, payload=b"abc" + bytes(1000))
    assert len(short) == 20 + 3 and short[16:18] == full[16:18]
    packet = pk.ipv4(CLIENT, SERVER, pk.PROTO_TCP, short, unseen=1000)
    assert int.from_bytes(packet[2:4], "big") == 20 + 20 + 3 + 1000  # IPv4 total length


# --------------------------------------------------------------------------------------
# TCP: the handshake, sequence and acknowledgement numbers (RFC 9293)
# --------------------------------------------------------------------------------------


def parsed(connection: pk.TcpConnection) -> list[dpkt.tcp.TCP]:
    out = []
    for segment in connection.segments:
        ip = (
            dpkt.ip.IP(segment.packet)
            if segment.packet[0] >> 4 == 4
            else dpkt.ip6.IP6(segment.packet)
        )
        out.append(ip.data)
    return out


def test_handshake_data_and_teardown_numbers():
    client_isn, server_isn = 4_294_967_000, 777  # the client's numbers wrap past 2**32
    c = pk.TcpConnection(
        pk.Endpoint(CLIENT, 50000, client_isn),
        pk.Endpoint(SERVER, 80, server_isn),
        client_delay_ns=1000,
        server_delay_ns=5000,
    )
    t = c.open(0)
    t = c.send(True, t, b"x" * 500)
    t = c.send(False, t, extra=200_000)
    c.close(True, t)
    segs = parsed(c)
    syn, syn_ack, ack = segs[:3]
    assert (syn.flags, syn.seq) == (dpkt.tcp.TH_SYN, client_isn)
    assert (syn_ack.flags, syn_ack.seq, syn_ack.ack) == (
        dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK,
        server_isn,
        client_isn + 1,
    )
    assert (ack.flags, ack.seq, ack.ack) == (
        dpkt.tcp.TH_ACK,
        client_isn + 1,
        server_isn + 1,
    )
    request = segs[3]
    assert request.seq == client_isn + 1 and len(request.data) == 500
    # 200,000 bytes from the server: 64,240 + 64,240 + 64,240 + 7,280, ACKed after the
    # 2nd and the 4th.
    data = [s for s in segs if s.sport == 80 and s.data]
    assert [s.seq - server_isn - 1 for s in data] == [0, 64240, 128480, 192720]
    client_acks = [
        s.ack - server_isn - 1
        for s in segs[5:]
        if s.sport == 50000 and not s.data and not s.flags & dpkt.tcp.TH_FIN
    ]
    assert client_acks[:2] == [128480, 200000]
    fin, fin_ack, last = segs[-3:]
    end_client = (client_isn + 1 + 500) % 2**32
    assert fin.flags & dpkt.tcp.TH_FIN and fin.seq == end_client
    assert (
        fin_ack.flags & dpkt.tcp.TH_FIN and fin_ack.ack == (end_client + 1) % 2**32
    )  # FIN takes one number
    assert last.ack == server_isn + 1 + 200_000 + 1
    assert c.client.next_seq - client_isn == 1 + 500 + 1  # SYN + data + FIN


def test_every_segment_acknowledges_all_the_peer_has_sent():
    c = pk.TcpConnection(
        pk.Endpoint(CLIENT6, 40000, 10),
        pk.Endpoint(SERVER6, 443, 20),
        client_delay_ns=100,
        server_delay_ns=100,
    )
    t = c.open(0)
    sent = {True: 11, False: 21}  # next sequence number of each side
    t = c.send(True, t, b"hello")
    t = c.send(False, t, extra=100_000)
    for segment, tcp in zip(c.segments[3:], parsed(c)[3:]):
        assert tcp.ack <= sent[not segment.from_client] + (
            100_000 if segment.from_client else 5
        )


def test_ipv6_connection_uses_the_ipv6_mss():
    c = pk.TcpConnection(
        pk.Endpoint(CLIENT6, 40000, 1, mss=1440),
        pk.Endpoint(SERVER6, 443, 2, mss=1440),
        client_delay_ns=0,
        server_delay_ns=0,
        max_segment=44 * 1440,
    )
    c.open(0)
    options = dict(dpkt.tcp.parse_opts(parsed(c)[0].opts))
    assert struct.unpack("!H", options[dpkt.tcp.TCP_OPT_MSS])[0] == 1440


def test_refused_and_half_open_connections():
    c = pk.TcpConnection(
        pk.Endpoint("198.51.100.200", 61000, 99),
        pk.Endpoint(SERVER, 23, 5),
        client_delay_ns=10,
        server_delay_ns=10,
    )
    c.refuse(0)
    syn, rst = parsed(c)
    assert (
        rst.flags == dpkt.tcp.TH_RST | dpkt.tcp.TH_ACK
        and rst.ack == 100
        and rst.seq == 0
    )
    c = pk.TcpConnection(
        pk.Endpoint("198.51.100.200", 61001, 99),
        pk.Endpoint(SERVER, 22, 5),
        client_delay_ns=10,
        server_delay_ns=10,
    )
    c.half_open(0)
    assert [s.flags for s in parsed(c)] == [
        dpkt.tcp.TH_SYN,
        dpkt.tcp.TH_SYN | dpkt.tcp.TH_ACK,
        dpkt.tcp.TH_RST,
    ]


def test_connection_errors():
    with pytest.raises(ValueError, match="nothing to send"):
        pk.TcpConnection(
            pk.Endpoint(CLIENT, 1, 0),
            pk.Endpoint(SERVER, 2, 0),
            client_delay_ns=0,
            server_delay_ns=0,
        ).send(True, 0)
    with pytest.raises(ValueError, match="max_segment 70000 exceeds"):
        pk.TcpConnection(
            pk.Endpoint(CLIENT, 1, 0),
            pk.Endpoint(SERVER, 2, 0),
            client_delay_ns=0,
            server_delay_ns=0,
            max_segment=70000,
        )


# --------------------------------------------------------------------------------------
# Applications, parsed by dpkt
# --------------------------------------------------------------------------------------


def test_dns_query_and_answers_parse():
    query = dpkt.dns.DNS(pk.dns_query(0xABCD, "cdn.example.net", "A"))
    assert (query.id, query.qr, query.rd, query.qd[0].name, query.qd[0].type) == (
        0xABCD,
        0,
        1,
        "cdn.example.net",
        1,
    )
    answer = dpkt.dns.DNS(
        pk.dns_response(
            0xABCD,
            "cdn.example.net",
            "AAAA",
            ["2001:db8:20::20", "2001:db8:20::21"],
            ttl=120,
        )
    )
    assert answer.qr == 1 and answer.rcode == 0 and len(answer.an) == 2
    assert [(rr.name, rr.type, rr.ttl, rr.ip6) for rr in answer.an][0] == (
        "cdn.example.net",
        dpkt.dns.DNS_AAAA,
        120,
        bytes.fromhex("20010db8002000000000000000000020"),
    )
    nx = dpkt.dns.DNS(pk.dns_response(1, "nope.example", "A", [], rcode=3))
    assert nx.rcode == 3 and nx.an == []


def test_dns_errors():
    with pytest.raises(ValueError, match="labels must be 1 to 63 bytes"):
        pk.dns_query(1, "a" * 64 + ".example")
    with pytest.raises(ValueError, match="not an IPv4 address"):
        pk.dns_response(1, "example.com", "A", ["2001:db8::1"])


def test_tls_client_hello_carries_the_server_name():
    hello = pk.tls_client_hello(
        "storage.example.com", random=bytes(range(32)), key_share=bytes(32)
    )
    record = dpkt.ssl.TLSRecord(hello)
    assert (record.type, len(record.data)) == (22, len(hello) - 5)
    handshake = dpkt.ssl.TLSHandshake(record.data)
    client_hello = handshake.data
    assert isinstance(client_hello, dpkt.ssl.TLSClientHello)
    assert client_hello.random == bytes(range(32))
    extensions = dict(client_hello.extensions)
    sni = extensions[
        0
    ]  # RFC 6066: list length (2), name type 0 (1), name length (2), name
    assert sni[2] == 0 and sni[5:].decode() == "storage.example.com"
    assert (
        extensions[43] == b"\x04\x03\x04\x03\x03"
    )  # supported_versions: TLS 1.3, TLS 1.2
    with pytest.raises(ValueError, match="32 bytes"):
        pk.tls_client_hello("x.example", random=b"short")


def test_http_request_and_response_parse():
    request = dpkt.http.Request(
        pk.http_request(
            "GET",
            "legacy.example.org",
            "/forms/timesheet",
            headers=[("User-Agent", "test")],
        )
    )
    assert (request.method, request.uri, request.headers["host"]) == (
        "GET",
        "/forms/timesheet",
        "legacy.example.org",
    )
    head = pk.http_response(
        301, body_length=5, headers=[("Location", "https://www.example.org/")]
    )
    response = dpkt.http.Response(head + b"moved")
    assert (response.status, response.reason, response.body) == (
        "301",
        "Moved Permanently",
        b"moved",
    )


def test_dhcp_ntp_arp_parse():
    offer = dpkt.dhcp.DHCP(
        pk.dhcp(
            2,
            0x11223344,
            "02:00:c0:a8:0a:39",
            yiaddr="192.168.10.57",
            server="192.168.10.1",
            router="192.168.10.1",
            dns="192.0.2.53",
        )
    )
    options = dict(offer.opts)
    assert (offer.op, offer.xid, offer.chaddr[:6]) == (
        dpkt.dhcp.DHCP_OP_REPLY,
        0x11223344,
        bytes.fromhex("0200c0a80a39"),
    )
    assert options[dpkt.dhcp.DHCP_OPT_MSGTYPE] == bytes([dpkt.dhcp.DHCPOFFER])
    assert options[dpkt.dhcp.DHCP_OPT_ROUTER] == bytes([192, 168, 10, 1])
    with pytest.raises(ValueError, match="server identifier"):
        pk.dhcp(5, 1, MAC_A)
    ntp = dpkt.ntp.NTP(pk.ntp(3, 1_773_100_800 * 10**9))  # 2026-03-10 00:00 UTC
    assert (ntp.v, ntp.mode) == (4, dpkt.ntp.CLIENT)
    assert (
        int.from_bytes(ntp.transmit_time[:4], "big") == 1_773_100_800 + 2_208_988_800
    )  # NTP counts from 1900
    arp = dpkt.arp.ARP(pk.arp(2, MAC_A, "192.168.10.11", MAC_B, "192.168.10.1"))
    assert arp.op == dpkt.arp.ARP_OP_REPLY and arp.spa == bytes([192, 168, 10, 11])
    with pytest.raises(ValueError, match="expected 1 \\(request\\) or 2 \\(reply\\)"):
        pk.arp(3, MAC_A, "192.168.10.11", MAC_B, "192.168.10.1")


def test_layer_errors():
    with pytest.raises(ValueError, match="MAC address"):
        pk.mac_bytes("02:00:00:00:00")
    with pytest.raises(ValueError, match="not of the same IP version"):
        pk.udp(CLIENT, SERVER6, 1, 2, b"")
    with pytest.raises(ValueError, match="exceeds 65535"):
        pk.ipv6(CLIENT6, SERVER6, pk.PROTO_TCP, b"", unseen=70_000)
    with pytest.raises(ValueError, match="whole 32-bit words"):
        pk.tcp(CLIENT, SERVER, 1, 2, seq=0, options=b"\x01")
    with pytest.raises(ValueError, match="TLS record length"):
        pk.tls_application_data_header(0)


def test_ethernet_padding_only_when_asked():
    arp = pk.arp(1, MAC_A, "192.168.10.1", "00:00:00:00:00:00", "192.168.10.11")
    sent = pk.ethernet("ff:ff:ff:ff:ff:ff", MAC_A, pk.ETHERTYPE_ARP, arp)
    received = pk.ethernet("ff:ff:ff:ff:ff:ff", MAC_A, pk.ETHERTYPE_ARP, arp, pad=True)
    assert (len(sent), len(received)) == (14 + 28, 60)
    assert received[:42] == sent and received[42:] == bytes(18)


# --------------------------------------------------------------------------------------
# tshark reads a small capture of these frames without complaint
# --------------------------------------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("tshark") is None,
    reason="tshark not installed: cannot cross-check dissection",
)
def test_tshark_dissects_a_connection_without_warnings(tmp_path):
    c = pk.TcpConnection(
        pk.Endpoint(CLIENT, 50000, 1000),
        pk.Endpoint(SERVER, 443, 9000),
        client_delay_ns=200_000,
        server_delay_ns=12_000_000,
        stack_delay_ns=20_000,
    )
    t = c.open(10**9)
    t = c.send(
        True,
        t,
        pk.tls_client_hello("www.example.com", random=bytes(32)),
        ack_last=False,
    )
    t = c.send(False, t, pk.tls_server_hello(random=bytes(32)), ack_last=False)
    t = c.send(True, t, extra=300, ack_last=False)
    t = c.send(False, t, extra=150_000, rate=5e6)
    c.close(True, t + 10**8)
    records = []
    for s in c.segments:
        src_mac, dst_mac = (MAC_A, MAC_B) if s.from_client else (MAC_B, MAC_A)
        records.append(
            (
                s.time_ns,
                pk.ethernet(dst_mac, src_mac, pk.ETHERTYPE_IPV4, s.packet),
                s.length + 14,
            )
        )
    path = write_pcap(tmp_path / "c.pcap", records)
    fields = subprocess.run(
        [
            "tshark",
            "-r",
            str(path),
            "-o",
            "tcp.check_checksum:TRUE",
            "-o",
            "ip.check_checksum:TRUE",
            "-T",
            "fields",
            "-e",
            "ip.checksum.status",
            "-e",
            "tcp.checksum.status",
            "-e",
            "tcp.analysis.flags",
            "-e",
            "tls.handshake.extensions_server_name",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    rows = [line.split("\t") for line in fields]
    assert len(rows) == len(c.segments)
    assert all(r[0] == "1" and r[1] == "1" for r in rows), rows  # 1 = "Good"
    assert all(r[2] == "" for r in rows), "tshark's TCP analysis flagged a segment"
    assert [r[3] for r in rows if r[3]] == ["www.example.com"]
