"""The frame builders for today's protocols, read back by an independent parser (dpkt)
or by hand.

QUIC headers and varints come from RFC 9000's own examples; ECH, DNS TXT and HTTPS
records are parsed by dpkt; the NAT rewrite is compared with building the translated
packet from scratch.
"""

from __future__ import annotations

import ipaddress
import struct

import dpkt
import pytest

from ingress_egress import packets as pk


def ones_complement_sum(data: bytes) -> int:
    """RFC 1071's sum, written out here so the check does not lean on the builders' own
    code.
    """
    data += b"\x00" * (len(data) % 2)
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
        total = (total & 0xFFFF) + (total >> 16)
    return total


@pytest.mark.parametrize(
    "value, wire",
    [
        (151_288_809_941_952_652, "c2197c5eff14e88c"),
        (494_878_333, "9d7f3e7d"),
        (15_293, "7bbd"),
        (37, "25"),
    ],
)
def test_quic_varints_of_rfc_9000_appendix_a1(value, wire):
    assert pk.quic_varint(value).hex() == wire


def test_quic_varint_limit():
    with pytest.raises(ValueError, match="2\\*\\*62"):
        pk.quic_varint(2**62)


def test_short_header_layout():
    packet = pk.quic_short(
        bytes.fromhex("0102030405060708"), 20, fill=lambda n: b"\xff" * n, spin=True
    )
    assert (
        packet[0] & 0x80 == 0 and packet[0] & 0x40 and packet[0] & 0x20
    )  # short, fixed bit, spin
    assert packet[1:9].hex() == "0102030405060708" and len(packet) == 29


def test_handshake_packet_layout():
    packet = pk.quic_handshake(
        pk.pp.QUIC_V1, b"\xaa" * 8, b"\xbb" * 4, 100, fill=lambda n: bytes(n)
    )
    assert packet[0] >> 4 == 0b1110  # long header, fixed bit, type 2 (Handshake)
    assert packet[1:5].hex() == "00000001" and packet[5] == 8 and packet[14] == 4
    length = ((packet[19] & 0x3F) << 8) | packet[20]  # a 2-byte varint: 0x4064
    assert length == 100 == len(packet) - 21
    v2 = pk.quic_handshake(
        pk.pp.QUIC_V2, b"\xaa" * 8, b"\xbb" * 4, 100, fill=lambda n: bytes(n)
    )
    assert (v2[0] >> 4) & 0x03 == 3  # RFC 9369: Handshake is type 3


def test_ech_client_hello_as_dpkt_reads_it():
    hello = pk.tls_client_hello_ech(
        "ech.example.net",
        280,
        random=bytes(32),
        key_share=bytes(32),
        enc=bytes(32),
        config_id=7,
        fill=lambda n: b"\x55" * n,
    )
    record = dpkt.ssl.TLSRecord(hello)
    client_hello = dpkt.ssl.TLSHandshake(record.data).data
    extensions = dict(client_hello.extensions)
    assert list(extensions) == [0, 10, 13, 16, 43, 51, 0xFE0D]
    name = extensions[0]
    assert name[5:].decode() == "ech.example.net"  # the public name only
    ech = extensions[0xFE0D]
    assert (
        ech[0] == 0 and struct.unpack("!HH", ech[1:5]) == (1, 1) and ech[5] == 7
    )  # outer, HKDF-SHA256, AES-128-GCM
    enc_length = struct.unpack("!H", ech[6:8])[0]
    payload_length = struct.unpack("!H", ech[8 + enc_length : 10 + enc_length])[0]
    assert (
        enc_length == 32 and payload_length == 288 + 16
    )  # 280 padded to a multiple of 32, plus the tag
    assert b"wiki" not in hello


def test_ech_config_fields():
    config = pk.ech_config(
        "ech.example.net", bytes(range(32)), config_id=0x2A, maximum_name_length=32
    )
    version, length = struct.unpack("!HH", config[:4])
    assert version == 0xFE0D and length == len(config) - 4
    assert (
        config[4] == 0x2A and struct.unpack("!H", config[5:7])[0] == 0x0020
    )  # DHKEM(X25519, HKDF-SHA256)
    assert config[9:41] == bytes(range(32))
    with pytest.raises(ValueError, match="32 bytes"):
        pk.ech_config("x.example", bytes(31))


def test_txt_answer_as_dpkt_reads_it():
    message = dpkt.dns.DNS(
        pk.dns_txt_response(0x1234, "abc.t.example.org", [b"ack", b"0001"], ttl=0)
    )
    assert (
        message.id == 0x1234
        and message.qr == 1
        and message.qd[0].type == dpkt.dns.DNS_TXT
    )
    answer = message.an[0]
    assert (
        answer.type == dpkt.dns.DNS_TXT
        and answer.ttl == 0
        and answer.text == ["ack", "0001"]
    )
    query = dpkt.dns.DNS(pk.dns_query(0x1234, "abc.t.example.org", "TXT"))
    assert query.qd[0].name == "abc.t.example.org" and query.qd[0].type == 16
    with pytest.raises(ValueError, match="255 bytes"):
        pk.dns_txt_response(1, "x.example", [bytes(256)])


def test_https_answer_rdata():
    ech = pk.ech_config("ech.example.net", bytes(32))
    message = pk.dns_https_response(9, "wiki.example.org", alpn=["h3", "h2"], ech=ech)
    # dpkt does not know the HTTPS record (RFC 9460), so read it by hand: header,
    # question, answer.
    assert struct.unpack("!HHHHHH", message[:12]) == (9, 0x8180, 1, 1, 0, 0)
    question_end = 12 + len(b"\x04wiki\x07example\x03org\x00") + 4
    pointer, rtype, rclass, ttl, size = struct.unpack(
        "!HHHIH", message[question_end : question_end + 12]
    )
    assert (pointer, rtype, rclass, ttl) == (0xC00C, 65, 1, 300)
    rdata = message[question_end + 12 :]
    assert len(rdata) == size
    assert (
        struct.unpack("!H", rdata[:2])[0] == 1 and rdata[2] == 0
    )  # priority 1, target "."
    key, length = struct.unpack("!HH", rdata[3:7])
    assert (key, rdata[7 : 7 + length]) == (1, b"\x02h3\x02h2")  # alpn
    key, length = struct.unpack("!HH", rdata[13:17])
    assert (
        key == 5 and rdata[17 : 17 + length] == struct.pack("!H", len(ech)) + ech
    )  # ech


def test_dns_names_longer_than_the_protocol_allows_are_refused():
    assert len(pk.dns_name("a" * 63 + ".b")) == 63 + 1 + 2 + 1
    with pytest.raises(ValueError):
        pk.dns_name("a" * 64 + ".example")


@pytest.mark.parametrize("protocol", [pk.PROTO_TCP, pk.PROTO_UDP])
def test_nat_rewrite_equals_building_the_translated_packet(protocol):
    inside, remote, public = "192.168.10.11", "192.0.2.10", "198.51.100.2"

    def build(
        src: str, sport: int, dst: str, dport: int, ttl: int, unseen: int
    ) -> bytes:
        if protocol == pk.PROTO_TCP:
            segment = pk.tcp(
                src, dst, sport, dport, seq=7, ack=9, payload=b"hello", unseen=unseen
            )
        else:
            segment = pk.udp(src, dst, sport, dport, b"hello")
            unseen = 0
        return pk.ipv4(src, dst, protocol, segment, ident=4242, ttl=ttl, unseen=unseen)

    for unseen in (0, 1000):
        out = build(inside, 50000, remote, 443, 64, unseen)
        assert pk.nat_rewrite(out, src=public, sport=61000, ttl_change=-1) == build(
            public, 61000, remote, 443, 63, unseen
        )
        back = build(remote, 443, public, 61000, 50, unseen)
        assert pk.nat_rewrite(back, dst=inside, dport=50000, ttl_change=+1) == build(
            remote, 443, inside, 50000, 51, unseen
        )


def test_nat_rewrite_keeps_a_missing_udp_checksum_and_refuses_the_rest():
    packet = bytearray(
        pk.ipv4(
            "192.168.10.11",
            "192.0.2.53",
            pk.PROTO_UDP,
            pk.udp("192.168.10.11", "192.0.2.53", 5000, 53, b"q"),
        )
    )
    packet[26:28] = b"\x00\x00"  # UDP over IPv4 may send no checksum
    rewritten = pk.nat_rewrite(bytes(packet), src="198.51.100.2", sport=7000)
    assert rewritten[26:28] == b"\x00\x00" and pk.internet_checksum(rewritten[:20]) == 0
    assert ipaddress.IPv4Address(rewritten[12:16]) == ipaddress.IPv4Address(
        "198.51.100.2"
    )
    with pytest.raises(ValueError, match="only IPv4"):
        pk.nat_rewrite(
            pk.ipv6("2001:db8::1", "2001:db8::2", pk.PROTO_UDP, bytes(8)),
            src="2001:db8::3",
        )
    with pytest.raises(ValueError, match="not TCP"):
        pk.nat_rewrite(
            pk.ipv4("192.0.2.1", "192.0.2.2", pk.PROTO_ICMP, bytes(8)), src="192.0.2.3"
        )


def test_icmpv6_messages_as_dpkt_reads_them():
    quoted = pk.ipv6(
        "2001:db8:100:10::13",
        "2001:db8:20::20",
        pk.PROTO_UDP,
        pk.udp("2001:db8:100:10::13", "2001:db8:20::20", 50000, 443, bytes(1452)),
    )
    src, dst = "2001:db8:ff00:9::1", "2001:db8:100:10::13"
    message = pk.icmpv6_error(src, dst, "packet too big", quoted, value=1480)
    packet = dpkt.ip6.IP6(pk.ipv6(src, dst, pk.PROTO_ICMPV6, message))
    icmp = packet.data
    assert (
        icmp.type == 2 and icmp.code == 0 and len(packet) == 1280
    )  # as much as fits in the minimum MTU
    pseudo = (
        packet.src + packet.dst + struct.pack("!I3xB", len(message), 58)
    )  # RFC 8200, section 8.1
    assert ones_complement_sum(pseudo + message) == 0xFFFF  # a correct checksum
    assert bytes(packet.data)[8:48] == quoted[:40]
    ns = pk.icmpv6_neighbor(
        "fe80::1",
        pk.solicited_node("2001:db8:100:10::11"),
        "2001:db8:100:10::11",
        "02:00:00:00:00:01",
        advertisement=False,
    )
    assert ns[0] == 135 and ipaddress.IPv6Address(ns[8:24]) == ipaddress.IPv6Address(
        "2001:db8:100:10::11"
    )
    with pytest.raises(ValueError, match="expected one of"):
        pk.icmpv6_error(src, dst, "redirect", quoted)
