"""Packets: build real frames, layer by layer, with correct lengths and checksums.

A frame on an Ethernet link is a stack of headers, each wrapping the next: Ethernet II
(who on this link), IP (who on the internet, version 4 or 6), TCP or UDP (which program
on that host), then the application's bytes (DNS, a TLS ClientHello, HTTP). This module
writes each layer the way the RFCs lay it out, so tshark reads the course's generated
captures without a malformed packet or a checksum warning (tshark 4.0.17 notes one
expert item in notebook 02's capture: the SSH key exchange reply, whose Ed25519
signature its dissector leaves undecoded), and a learner can read the bytes of one
packet with the RFC beside it.

==================  ========================  ==========================================
layer               function                  reference
==================  ========================  ==========================================
Ethernet II         :func:`ethernet`          IEEE 802.3 (Ethernet II framing)
ARP                 :func:`arp`               RFC 826
IPv4                :func:`ipv4`              RFC 791 (header checksum: RFC 1071)
IPv6                :func:`ipv6`              RFC 8200
TCP                 :func:`tcp`               RFC 9293 (checksum over a pseudo-header)
UDP                 :func:`udp`               RFC 768
ICMP / ICMPv6 echo  :func:`icmp_echo`         RFC 792, RFC 4443
DNS                 :func:`dns_query`,        RFC 1035 (AAAA: RFC 3596)
                    :func:`dns_response`
DHCP                :func:`dhcp`              RFC 2131, RFC 2132
NTP                 :func:`ntp`               RFC 5905
SSH key exchange    :func:`ssh_packet`,       RFC 4253, RFC 5656, RFC 8731
                    :func:`ssh_kexinit`
TLS handshake       :func:`tls_client_hello`, RFC 8446 (SNI: RFC 6066, ALPN: RFC 7301)
                    :func:`tls_server_hello`
HTTP/1.1            :func:`http_request`,     RFC 9112
                    :func:`http_response`
==================  ========================  ==========================================

:class:`TcpConnection` keeps the state of both ends of one TCP connection (the three-way
handshake, sequence and acknowledgement numbers that advance with every byte, ACKs, the
FIN teardown) and emits its segments with the times a capture point between the two
hosts would see them.

**Unseen bytes.** A capture with a small snap length stores only the first bytes of each
frame (the headers and the start of the payload), while the length fields say how long
the frame really was. The builders take an ``unseen`` count: that many payload bytes
exist on the wire but are not materialised. Lengths count them; checksums treat them as
zero bytes (they add nothing to a one's-complement sum), so every checksum is that of
one definite frame. A frame that is stored whole is therefore exactly right, and one cut
by the snap length cannot be checked by anyone.

Examples
--------
A DNS query for ``www.example.com`` from a laptop to its resolver, as one Ethernet
frame:

>>> query = dns_query(0x1234, "www.example.com")
>>> frame = ethernet(
...     "02:00:00:00:00:01",
...     "02:00:00:00:00:02",
...     ETHERTYPE_IPV4,
...     ipv4(
...         "192.168.10.11",
...         "192.0.2.53",
...         PROTO_UDP,
...         udp("192.168.10.11", "192.0.2.53", 50000, 53, query),
...     ),
... )
>>> (
...     len(query),
...     len(frame),
... )  # 12 header + 17 name + 4 type/class; + 8 UDP + 20 IP + 14 Ethernet
(33, 75)
>>> internet_checksum(
...     frame[14:34]
... )  # a correct IPv4 header sums to 0xFFFF, so the check gives 0
0
"""

from __future__ import annotations

import ipaddress
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ingress_egress import packet_protection as pp

ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
ETHERTYPE_IPV6 = 0x86DD

PROTO_ICMP = 1
PROTO_TCP = 6
PROTO_UDP = 17
PROTO_ICMPV6 = 58

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
"""TCP flag bits (RFC 9293, section 3.1)."""

DNS_TYPES = {"A": 1, "NS": 2, "CNAME": 5, "AAAA": 28}
ETHERNET_MIN_FRAME = 60
"""Shortest Ethernet frame without its 4-byte FCS: senders pad shorter frames with
zeros.
"""
IPV4_MAX_TOTAL_LENGTH = 65535


def internet_checksum(data: bytes) -> int:
    """The Internet checksum of RFC 1071: the one's complement of the one's-complement
    sum of 16-bit words.

    An odd final byte is padded with a zero. Summing data that already contains its
    correct checksum gives ``0xFFFF``, so checking it returns ``0``.

    >>> hex(
    ...     internet_checksum(bytes.fromhex("0001f203f4f5f6f7"))
    ... )  # RFC 1071, section 3 example
    '0x220d'
    >>> internet_checksum(b"")
    65535
    """
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def _with_checksum(data: bytes, position: int, checksum: int) -> bytes:
    return data[:position] + struct.pack("!H", checksum) + data[position + 2 :]


def mac_bytes(mac: str) -> bytes:
    """``"02:00:5e:10:00:01"`` to its six bytes.

    >>> mac_bytes("ff:ff:ff:ff:ff:ff").hex()
    'ffffffffffff'
    >>> mac_bytes("02:00")
    Traceback (most recent call last):
    ...
    ValueError: MAC address '02:00': expected six hexadecimal bytes separated by ':'
    """
    parts = mac.split(":")
    if len(parts) != 6 or not all(len(p) == 2 for p in parts):
        raise ValueError(
            f"MAC address {mac!r}: expected six hexadecimal bytes separated by ':'"
        )
    return bytes(int(p, 16) for p in parts)


def ethernet(
    dst: str, src: str, ethertype: int, payload: bytes, *, pad: bool = False
) -> bytes:
    """An Ethernet II frame (without the FCS, as captures store it).

    ``pad=True`` pads the frame to 60 bytes, as a frame arrives from the wire; a capture
    on the sending host sees the frame before its network card pads it, so short frames
    stay short there.

    >>> len(
    ...     ethernet("ff:ff:ff:ff:ff:ff", "02:00:00:00:00:01", ETHERTYPE_ARP, bytes(28))
    ... )
    42
    >>> len(
    ...     ethernet(
    ...         "ff:ff:ff:ff:ff:ff",
    ...         "02:00:00:00:00:01",
    ...         ETHERTYPE_ARP,
    ...         bytes(28),
    ...         pad=True,
    ...     )
    ... )
    60
    """
    frame = mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", ethertype) + payload
    if pad and len(frame) < ETHERNET_MIN_FRAME:
        frame += bytes(ETHERNET_MIN_FRAME - len(frame))
    return frame


def arp(
    operation: int, sender_mac: str, sender_ip: str, target_mac: str, target_ip: str
) -> bytes:
    """An ARP packet for IPv4 over Ethernet (RFC 826): operation 1 is a request, 2 a
    reply.

    >>> packet = arp(
    ...     1, "02:00:00:00:00:01", "192.168.10.1", "00:00:00:00:00:00", "192.168.10.11"
    ... )
    >>> len(packet), packet[6:8].hex()
    (28, '0001')
    """
    if operation not in (1, 2):
        raise ValueError(
            f"ARP operation {operation}: expected 1 (request) or 2 (reply)"
        )
    return (
        struct.pack("!HHBBH", 1, ETHERTYPE_IPV4, 6, 4, operation)
        + mac_bytes(sender_mac)
        + ipaddress.IPv4Address(sender_ip).packed
        + mac_bytes(target_mac)
        + ipaddress.IPv4Address(target_ip).packed
    )


def ipv4(
    src: str,
    dst: str,
    protocol: int,
    payload: bytes,
    *,
    ident: int = 0,
    ttl: int = 64,
    dont_fragment: bool = True,
    dscp: int = 0,
    unseen: int = 0,
) -> bytes:
    """An IPv4 packet (RFC 791) with a 20-byte header and its header checksum.

    ``unseen`` payload bytes are counted in the total length but not included in the
    result.

    >>> packet = ipv4("192.0.2.1", "198.51.100.2", PROTO_UDP, bytes(8))
    >>> (
    ...     packet[0],
    ...     int.from_bytes(packet[2:4], "big"),
    ...     packet[8],
    ...     packet[9],
    ... )  # version/IHL, length, TTL, protocol
    (69, 28, 64, 17)
    >>> internet_checksum(packet[:20])
    0
    >>> ipv4("192.0.2.1", "198.51.100.2", PROTO_TCP, b"", unseen=70000)
    Traceback (most recent call last):
    ...
    ValueError: IPv4 total length 70020 exceeds 65535 bytes
    """
    total_length = 20 + len(payload) + unseen
    if total_length > IPV4_MAX_TOTAL_LENGTH:
        raise ValueError(
            f"IPv4 total length {total_length} exceeds {IPV4_MAX_TOTAL_LENGTH} bytes"
        )
    header = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        dscp << 2,
        total_length,
        ident & 0xFFFF,
        0x4000 if dont_fragment else 0,
        ttl,
        protocol,
        0,
        ipaddress.IPv4Address(src).packed,
        ipaddress.IPv4Address(dst).packed,
    )
    return _with_checksum(header, 10, internet_checksum(header)) + payload


def ipv6(
    src: str,
    dst: str,
    next_header: int,
    payload: bytes,
    *,
    hop_limit: int = 64,
    flow_label: int = 0,
    traffic_class: int = 0,
    unseen: int = 0,
) -> bytes:
    """An IPv6 packet (RFC 8200): a 40-byte fixed header (no checksum of its own), then
    the payload.

    >>> packet = ipv6(
    ...     "2001:db8::1", "2001:db8::2", PROTO_UDP, bytes(8), flow_label=0x12345
    ... )
    >>> packet[:4].hex(), int.from_bytes(packet[4:6], "big"), packet[6], packet[7]
    ('60012345', 8, 17, 64)
    """
    payload_length = len(payload) + unseen
    if payload_length > 0xFFFF:
        raise ValueError(
            f"IPv6 payload length {payload_length} exceeds "
            "65535 bytes (no jumbograms here)"
        )
    first_word = (6 << 28) | (traffic_class << 20) | (flow_label & 0xFFFFF)
    header = struct.pack(
        "!IHBB16s16s",
        first_word,
        payload_length,
        next_header,
        hop_limit,
        ipaddress.IPv6Address(src).packed,
        ipaddress.IPv6Address(dst).packed,
    )
    return header + payload


def ip(
    src: str,
    dst: str,
    protocol: int,
    payload: bytes,
    *,
    ttl: int = 64,
    ident: int = 0,
    unseen: int = 0,
) -> bytes:
    """An IPv4 or IPv6 packet, whichever the addresses are (``ttl`` is the IPv6 hop
    limit).

    >>> ip("2001:db8::1", "2001:db8::2", PROTO_UDP, bytes(8))[0] >> 4
    6
    >>> ip("192.0.2.1", "2001:db8::2", PROTO_UDP, bytes(8))
    Traceback (most recent call last):
    ...
    ValueError: addresses 192.0.2.1 and 2001:db8::2 are not of the same IP version
    """
    version = _version(src, dst)
    if version == 4:
        return ipv4(src, dst, protocol, payload, ident=ident, ttl=ttl, unseen=unseen)
    return ipv6(src, dst, protocol, payload, hop_limit=ttl, unseen=unseen)


def ethertype_of(address: str) -> int:
    """The EtherType that carries packets from ``address``: IPv4 0x0800 or IPv6 0x86DD.

    >>> hex(ethertype_of("2001:db8::1"))
    '0x86dd'
    """
    return (
        ETHERTYPE_IPV4 if ipaddress.ip_address(address).version == 4 else ETHERTYPE_IPV6
    )


def _version(src: str, dst: str) -> int:
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if a.version != b.version:
        raise ValueError(f"addresses {src} and {dst} are not of the same IP version")
    return a.version


def pseudo_header(src: str, dst: str, protocol: int, length: int) -> bytes:
    """The pseudo-header TCP, UDP and ICMPv6 checksums cover: addresses, protocol,
    transport length.

    IPv4 (RFC 9293 section 3.1): 12 bytes; IPv6 (RFC 8200 section 8.1): 40 bytes.

    >>> (
    ...     len(pseudo_header("192.0.2.1", "192.0.2.2", PROTO_TCP, 20)),
    ...     len(pseudo_header("::1", "::2", PROTO_TCP, 20)),
    ... )
    (12, 40)
    """
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    if _version(src, dst) == 4:
        return a.packed + b.packed + struct.pack("!BBH", 0, protocol, length)
    return a.packed + b.packed + struct.pack("!IxxxB", length, protocol)


def tcp_options(
    *,
    mss: int | None = None,
    window_scale: int | None = None,
    sack_permitted: bool = False,
) -> bytes:
    """TCP options as a SYN carries them, in the order Windows sends them, padded with
    NOPs to 32 bits.

    >>> tcp_options(mss=1460, window_scale=8, sack_permitted=True).hex()
    '020405b40103030801010402'
    """
    options = b""
    if mss is not None:
        options += struct.pack("!BBH", 2, 4, mss)
    if window_scale is not None:
        options += b"\x01" + struct.pack("!BBB", 3, 3, window_scale)
    if sack_permitted:
        options += b"\x01\x01" + struct.pack("!BB", 4, 2)
    return options + b"\x01" * (-len(options) % 4)


def tcp(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    *,
    seq: int,
    ack: int = 0,
    flags: int = ACK,
    window: int = 64240,
    options: bytes = b"",
    payload: bytes = b"",
    unseen: int = 0,
) -> bytes:
    """A TCP segment (RFC 9293) with its checksum over the IP pseudo-header, header and
    payload.

    ``seq`` and ``ack`` wrap modulo 2**32. ``unseen`` extra payload bytes count in the
    checksum's length (as zeros) but are not part of the returned bytes.

    >>> seg = tcp(
    ...     "192.168.10.11",
    ...     "192.0.2.10",
    ...     50000,
    ...     443,
    ...     seq=1000,
    ...     flags=SYN,
    ...     options=tcp_options(mss=1460, window_scale=8, sack_permitted=True),
    ... )
    >>> (
    ...     len(seg),
    ...     seg[12] >> 4,
    ...     seg[13],
    ... )  # 32 bytes: data offset 8 words, flags 0x02 (SYN)
    (32, 8, 2)
    >>> internet_checksum(
    ...     pseudo_header("192.168.10.11", "192.0.2.10", PROTO_TCP, 32) + seg
    ... )
    0
    """
    if len(options) % 4:
        raise ValueError(
            f"TCP options must fill whole 32-bit words, got {len(options)} bytes"
        )
    header_length = 20 + len(options)
    header = struct.pack(
        "!HHIIHHHH",
        sport,
        dport,
        seq & 0xFFFFFFFF,
        ack & 0xFFFFFFFF,
        (header_length // 4) << 12 | flags,
        window,
        0,
        0,
    )
    segment = header + options + payload
    checksum = internet_checksum(
        pseudo_header(src, dst, PROTO_TCP, len(segment) + unseen) + segment
    )
    return _with_checksum(segment, 16, checksum)


def udp(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    """A UDP datagram (RFC 768) with its checksum over the pseudo-header (0 is sent as
    0xFFFF).

    >>> datagram = udp("192.0.2.1", "192.0.2.2", 5353, 53, b"hi")
    >>> (
    ...     int.from_bytes(datagram[4:6], "big"),
    ...     internet_checksum(
    ...         pseudo_header("192.0.2.1", "192.0.2.2", PROTO_UDP, 10) + datagram
    ...     ),
    ... )
    (10, 0)
    """
    length = 8 + len(payload)
    datagram = struct.pack("!HHHH", sport, dport, length, 0) + payload
    checksum = (
        internet_checksum(pseudo_header(src, dst, PROTO_UDP, length) + datagram)
        or 0xFFFF
    )
    return _with_checksum(datagram, 6, checksum)


def icmp_echo(
    src: str,
    dst: str,
    ident: int,
    sequence: int,
    payload: bytes,
    *,
    reply: bool = False,
) -> bytes:
    """An ICMP (IPv4, RFC 792) or ICMPv6 (RFC 4443) echo request or reply, with its
    checksum.

    ICMPv4 sums only its own bytes; ICMPv6 also covers the IPv6 pseudo-header.

    >>> (
    ...     icmp_echo("192.0.2.1", "192.0.2.2", 1, 7, b"abcd")[:2].hex(),
    ...     icmp_echo("::1", "::2", 1, 7, b"", reply=True)[0],
    ... )
    ('0800', 129)
    """
    if _version(src, dst) == 4:
        message = (
            struct.pack("!BBHHH", 0 if reply else 8, 0, 0, ident, sequence) + payload
        )
        return _with_checksum(message, 2, internet_checksum(message))
    message = (
        struct.pack("!BBHHH", 129 if reply else 128, 0, 0, ident, sequence) + payload
    )
    checksum = internet_checksum(
        pseudo_header(src, dst, PROTO_ICMPV6, len(message)) + message
    )
    return _with_checksum(message, 2, checksum)


# --------------------------------------------------------------------------------------
# Applications: DNS, DHCP, NTP, TLS, HTTP
# --------------------------------------------------------------------------------------


def dns_name(name: str) -> bytes:
    """A domain name in DNS wire format (RFC 1035 section 3.1): length-prefixed labels,
    then a zero.

    >>> dns_name("www.example.com")
    b'\\x03www\\x07example\\x03com\\x00'
    >>> dns_name("a..b")
    Traceback (most recent call last):
    ...
    ValueError: DNS name 'a..b': labels must be 1 to 63 bytes
    """
    labels = name.rstrip(".").split(".")
    if not all(0 < len(label) < 64 for label in labels):
        raise ValueError(f"DNS name {name!r}: labels must be 1 to 63 bytes")
    return (
        b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels)
        + b"\x00"
    )


def dns_query(ident: int, name: str, qtype: str = "A") -> bytes:
    """A recursive DNS query (RD set) for one name and type (RFC 1035 section 4.1).

    >>> dns_query(0xBEEF, "example.com", "AAAA").hex()
    'beef01000001000000000000076578616d706c6503636f6d00001c0001'
    """
    header = struct.pack("!HHHHHH", ident, 0x0100, 1, 0, 0, 0)
    return header + dns_name(name) + struct.pack("!HH", DNS_TYPES[qtype], 1)


def dns_response(
    ident: int,
    name: str,
    qtype: str,
    addresses: Iterable[str],
    *,
    ttl: int = 300,
    rcode: int = 0,
) -> bytes:
    """The answer to :func:`dns_query`: the question repeated, then one record per
    address.

    Each answer names its owner with a compression pointer to the question (``0xC00C``,
    offset 12). Flags: response, recursion desired and available (``0x8180``), plus
    ``rcode`` (3 = NXDOMAIN).

    >>> answer = dns_response(0xBEEF, "example.com", "A", ["192.0.2.10"], ttl=60)
    >>> answer[2:4].hex(), answer[6:8].hex(), answer[-16:].hex()
    ('8180', '0001', 'c00c000100010000003c0004c000020a')
    """
    addresses = list(addresses)
    header = struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, len(addresses), 0, 0)
    question = dns_name(name) + struct.pack("!HH", DNS_TYPES[qtype], 1)
    answers = b""
    for address in addresses:
        rdata = ipaddress.ip_address(address).packed
        expected = 4 if qtype == "A" else 16
        if len(rdata) != expected:
            raise ValueError(
                f"DNS {qtype} answer for {name}: {address} is not an "
                f"IPv{4 if expected == 4 else 6} address"
            )
        answers += (
            struct.pack("!HHHIH", 0xC00C, DNS_TYPES[qtype], 1, ttl, len(rdata)) + rdata
        )
    return header + question + answers


def dhcp(
    message_type: int,
    xid: int,
    client_mac: str,
    *,
    yiaddr: str = "0.0.0.0",
    server: str | None = None,
    requested: str | None = None,
    router: str | None = None,
    dns: str | None = None,
    lease_seconds: int = 86400,
    hostname: str | None = None,
) -> bytes:
    """A DHCP message (RFC 2131): the 236-byte BOOTP layout, the magic cookie and
    options (RFC 2132).

    ``message_type``: 1 DISCOVER, 2 OFFER, 3 REQUEST, 5 ACK. Client messages (1, 3) are
    BOOTREQUEST with the broadcast flag clear; server messages (2, 5) are BOOTREPLY and
    carry ``server``, the offered ``yiaddr``, a /24 mask, ``router``, ``dns`` and the
    lease time.

    >>> message = dhcp(1, 0x3903F326, "02:00:00:00:10:57", hostname="visitor")
    >>> message[0], message[236:240].hex(), message[240:243].hex()
    (1, '63825363', '350101')
    """
    client = message_type in (1, 3, 4, 7, 8)
    fixed = struct.pack(
        "!BBBBIHH4s4s4s4s16s64s128s",
        1 if client else 2,
        1,
        6,
        0,
        xid,
        0,
        0,
        bytes(4),
        ipaddress.IPv4Address(yiaddr).packed,
        bytes(4),
        bytes(4),
        mac_bytes(client_mac) + bytes(10),
        b"",
        b"",
    )
    options = bytes([53, 1, message_type])
    if client:
        options += bytes([61, 7, 1]) + mac_bytes(client_mac)
        if requested:
            options += bytes([50, 4]) + ipaddress.IPv4Address(requested).packed
        if server and message_type == 3:
            options += bytes([54, 4]) + ipaddress.IPv4Address(server).packed
        if hostname:
            options += bytes([12, len(hostname)]) + hostname.encode("ascii")
        options += bytes(
            [55, 4, 1, 3, 6, 15]
        )  # parameter request list: mask, router, DNS, domain
    else:
        if server is None:
            raise ValueError(
                "DHCP server messages need the server identifier (option 54)"
            )
        options += bytes([54, 4]) + ipaddress.IPv4Address(server).packed
        options += bytes([51, 4]) + struct.pack("!I", lease_seconds)
        options += bytes([1, 4, 255, 255, 255, 0])
        if router:
            options += bytes([3, 4]) + ipaddress.IPv4Address(router).packed
        if dns:
            options += bytes([6, 4]) + ipaddress.IPv4Address(dns).packed
    options += b"\xff"
    return fixed + struct.pack("!I", 0x63825363) + options


NTP_UNIX_OFFSET = 2_208_988_800
"""Seconds from the NTP era (1900-01-01) to the Unix epoch (1970-01-01)."""


def ntp_timestamp(time_ns: int) -> bytes:
    """A 64-bit NTP timestamp (RFC 5905): seconds since 1900 and a 32-bit binary
    fraction.

    >>> ntp_timestamp(0).hex()  # the Unix epoch in NTP time
    '83aa7e8000000000'
    """
    seconds, nanos = divmod(time_ns, 1_000_000_000)
    return struct.pack("!II", seconds + NTP_UNIX_OFFSET, (nanos << 32) // 1_000_000_000)


def ntp(
    mode: int,
    transmit_ns: int,
    *,
    originate_ns: int = 0,
    receive_ns: int = 0,
    stratum: int = 0,
    reference_id: bytes = bytes(4),
) -> bytes:
    """A 48-byte NTPv4 packet: mode 3 from a client, mode 4 from a server (RFC 5905
    section 7.3).

    >>> packet = ntp(3, 1_700_000_000 * 10**9)
    >>> len(packet), packet[0]  # leap 0, version 4, mode 3: 0b00_100_011
    (48, 35)
    """
    first = (4 << 3) | mode
    reference = ntp_timestamp(receive_ns - 60 * 10**9) if mode == 4 else bytes(8)
    return (
        struct.pack("!BBbbII", first, stratum, 6 if mode == 4 else 0, -23, 0, 0)
        + reference_id
        + reference
        + (ntp_timestamp(originate_ns) if originate_ns else bytes(8))
        + (ntp_timestamp(receive_ns) if receive_ns else bytes(8))
        + ntp_timestamp(transmit_ns)
    )


TLS_CIPHER_SUITES = (0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F)
"""TLS 1.3 suites (AES-128-GCM, AES-256-GCM, ChaCha20), then two ECDHE-AES-GCM suites
for TLS 1.2 servers.
"""


def _extension(kind: int, body: bytes) -> bytes:
    return struct.pack("!HH", kind, len(body)) + body


def _vector(body: bytes, length_bytes: int = 2) -> bytes:
    return len(body).to_bytes(length_bytes, "big") + body


def tls_record(content_type: int, body: bytes, *, version: int = 0x0303) -> bytes:
    """A TLS record: content type (20 change cipher spec, 22 handshake, 23 application
    data), version, length.

    >>> tls_record(20, b"\\x01").hex()
    '140303000101'
    """
    return struct.pack("!BHH", content_type, version, len(body)) + body


def tls_client_hello(
    server_name: str,
    *,
    random: bytes,
    session_id: bytes = b"",
    key_share: bytes = bytes(32),
    alpn: Iterable[str] = ("h2", "http/1.1"),
) -> bytes:
    """A TLS 1.3 ClientHello record (RFC 8446 section 4.1.2) that names its server (SNI,
    RFC 6066).

    The server name travels in clear text, before any encryption starts: that is why a
    firewall or a monitor can see which site a TLS connection is for. Extensions,
    server_name first (as curl and OpenSSL send it): supported groups (X25519, P-256),
    signature algorithms, ALPN, supported versions (TLS 1.3 and 1.2) and an X25519 key
    share. This is a compact hello, 160 bytes plus the name; browsers send 500 to 1,800
    bytes (more extensions, padding, post-quantum key shares).

    >>> hello = tls_client_hello("www.example.com", random=bytes(32))
    >>> (
    ...     hello[0],
    ...     hello[5],
    ...     hello[1:3].hex(),
    ...     len(hello),
    ... )  # handshake record, ClientHello, TLS 1.0 record version
    (22, 1, '0301', 175)
    >>> hello.find(
    ...     b"www.example.com"
    ... )  # 5 + 4 + 2 + 32 + 1 + (2 + 10) + 2 + 2 + (4 + 2 + 1 + 2)
    69
    """
    message = tls_client_hello_message(
        server_name,
        random=random,
        session_id=session_id,
        key_share=key_share,
        alpn=alpn,
    )
    return tls_record(22, message, version=0x0301)


def tls_client_hello_message(
    server_name: str,
    *,
    random: bytes,
    session_id: bytes = b"",
    key_share: bytes = bytes(32),
    alpn: Iterable[str] = ("h2", "http/1.1"),
    cipher_suites: Iterable[int] = TLS_CIPHER_SUITES,
    versions: Iterable[int] = (0x0304, 0x0303),
    more_extensions: Iterable[bytes] = (),
) -> bytes:
    """The ClientHello handshake message alone (type 1, 3-byte length, body), without a
    record header.

    :func:`tls_client_hello` puts it in a TLS record; QUIC carries it in CRYPTO frames
    instead (RFC 9001 section 4). ``more_extensions`` (see :func:`tls_extension`) follow
    the usual ones, as QUIC's transport parameters and ECH's ``encrypted_client_hello``
    do.

    >>> message = tls_client_hello_message("www.example.com", random=bytes(32))
    >>> message[0], int.from_bytes(message[1:4], "big") == len(message) - 4
    (1, True)
    """
    if len(random) != 32:
        raise ValueError(f"TLS random must be 32 bytes, got {len(random)}")
    name = server_name.encode("ascii")
    suites = tuple(cipher_suites)
    offered = tuple(versions)
    extensions = b"".join(
        [
            _extension(0, _vector(b"\x00" + _vector(name))),
            _extension(10, _vector(struct.pack("!HH", 0x001D, 0x0017))),
            _extension(13, _vector(struct.pack("!3H", 0x0403, 0x0804, 0x0401))),
            _extension(
                16, _vector(b"".join(_vector(p.encode("ascii"), 1) for p in alpn))
            ),
            _extension(43, _vector(struct.pack(f"!{len(offered)}H", *offered), 1)),
            _extension(
                51, _vector(struct.pack("!HH", 0x001D, len(key_share)) + key_share)
            ),
            *more_extensions,
        ]
    )
    body = (
        struct.pack("!H", 0x0303)
        + random
        + _vector(session_id, 1)
        + _vector(struct.pack(f"!{len(suites)}H", *suites))
        + _vector(b"\x00", 1)
        + _vector(extensions)
    )
    return b"\x01" + _vector(body, 3)


def tls_extension(kind: int, body: bytes) -> bytes:
    """One TLS extension: its 2-byte type, 2-byte length and body (RFC 8446 section
    4.2).

    >>> tls_extension(0x39, b"\x01\x02").hex()
    '003900020102'
    """
    return _extension(kind, body)


def tls_server_hello(
    *,
    random: bytes,
    session_id: bytes = b"",
    key_share: bytes = bytes(32),
    cipher_suite: int = 0x1301,
) -> bytes:
    """A TLS 1.3 ServerHello record followed by the compatibility ChangeCipherSpec
    record.

    Everything the server sends after these two records is encrypted (application data
    records).

    >>> hello = tls_server_hello(random=bytes(32))
    >>> hello[0], hello[5], hello[-6:].hex()
    (22, 2, '140303000101')
    """
    message = tls_server_hello_message(
        random=random,
        session_id=session_id,
        key_share=key_share,
        cipher_suite=cipher_suite,
    )
    return tls_record(22, message) + tls_record(20, b"\x01")


def tls_server_hello_message(
    *,
    random: bytes,
    session_id: bytes = b"",
    key_share: bytes = bytes(32),
    cipher_suite: int = 0x1301,
) -> bytes:
    """The ServerHello handshake message alone (type 2), as QUIC's CRYPTO frames carry
    it.

    >>> tls_server_hello_message(random=bytes(32))[:1].hex()
    '02'
    """
    extensions = _extension(43, struct.pack("!H", 0x0304)) + _extension(
        51, struct.pack("!HH", 0x001D, len(key_share)) + key_share
    )
    body = (
        struct.pack("!H", 0x0303)
        + random
        + _vector(session_id, 1)
        + struct.pack("!HB", cipher_suite, 0)
        + _vector(extensions)
    )
    return b"\x02" + _vector(body, 3)


def tls_application_data_header(length: int) -> bytes:
    """The 5-byte header of an encrypted TLS record (type 23) of ``length`` bytes (at
    most 2**14 + 256).

    >>> tls_application_data_header(1000).hex()
    '17030303e8'
    """
    if not 0 < length <= 2**14 + 256:
        raise ValueError(
            f"TLS record length {length}: expected 1 to {2**14 + 256} bytes"
        )
    return struct.pack("!BHH", 23, 0x0303, length)


def http_request(
    method: str,
    host: str,
    path: str,
    *,
    headers: Iterable[tuple[str, str]] = (),
    body_length: int = 0,
) -> bytes:
    """An HTTP/1.1 request head (RFC 9112): request line, Host, other fields, blank
    line.

    >>> http_request("GET", "legacy.example.org", "/")
    b'GET / HTTP/1.1\\r\\nHost: legacy.example.org\\r\\n\\r\\n'
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in headers]
    if body_length:
        lines.append(f"Content-Length: {body_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


HTTP_REASONS = {
    200: "OK",
    204: "No Content",
    301: "Moved Permanently",
    304: "Not Modified",
    403: "Forbidden",
    404: "Not Found",
}


def http_response(
    status: int, *, body_length: int = 0, headers: Iterable[tuple[str, str]] = ()
) -> bytes:
    """An HTTP/1.1 response head: status line, fields, ``Content-Length``, blank line
    (the body follows).

    >>> head = http_response(
    ...     404, body_length=9, headers=[("Content-Type", "text/plain")]
    ... )
    >>> head.split(b"\\r\\n")
    [b'HTTP/1.1 404 Not Found', b'Content-Type: text/plain', b'Content-Length: 9', b'',
     b'']
    """
    lines = [f"HTTP/1.1 {status} {HTTP_REASONS.get(status, 'Unknown')}"]
    lines += [f"{k}: {v}" for k, v in headers]
    lines.append(f"Content-Length: {body_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


SSH_MSG_KEXINIT, SSH_MSG_NEWKEYS, SSH_MSG_KEX_ECDH_INIT, SSH_MSG_KEX_ECDH_REPLY = (
    20,
    21,
    30,
    31,
)


def _ssh_string(value: bytes) -> bytes:
    return struct.pack("!I", len(value)) + value


def ssh_packet(payload: bytes, *, padding: bytes | None = None) -> bytes:
    """An unencrypted SSH binary packet (RFC 4253 section 6): length, padding length,
    payload, padding.

    The padding (at least 4 bytes) makes the whole packet a multiple of 8 bytes; give
    its bytes (random on the wire) or get zeros.

    >>> packet = ssh_packet(bytes([SSH_MSG_NEWKEYS]))
    >>> packet.hex(), len(packet) % 8
    ('0000000c0a1500000000000000000000', 0)
    """
    size = 4 + 1 + len(payload)
    pad = 8 - size % 8
    if pad < 4:
        pad += 8
    padding = bytes(pad) if padding is None else padding[:pad].ljust(pad, b"\x00")
    return struct.pack("!IB", 1 + len(payload) + pad, pad) + payload + padding


def ssh_kexinit(cookie: bytes) -> bytes:
    """The payload of SSH_MSG_KEXINIT (RFC 4253 section 7.1) offering curve25519,
    Ed25519 and ChaCha20-Poly1305.

    >>> payload = ssh_kexinit(bytes(16))
    >>> payload[0], payload[17:21].hex(), payload[21:38]
    (20, '00000011', b'curve25519-sha256')
    """
    lists = [
        "curve25519-sha256",
        "ssh-ed25519",
        "chacha20-poly1305@openssh.com",
        "chacha20-poly1305@openssh.com",
        "hmac-sha2-256",
        "hmac-sha2-256",
        "none",
        "none",
        "",
        "",
    ]
    return (
        bytes([SSH_MSG_KEXINIT])
        + cookie
        + b"".join(_ssh_string(n.encode("ascii")) for n in lists)
        + b"\x00"
        + bytes(4)
    )


def ssh_kex_ecdh_init(public_key: bytes) -> bytes:
    """The client's SSH_MSG_KEX_ECDH_INIT payload (RFC 5656 section 4): its ephemeral
    public key.

    >>> len(ssh_kex_ecdh_init(bytes(32)))
    37
    """
    return bytes([SSH_MSG_KEX_ECDH_INIT]) + _ssh_string(public_key)


def ssh_kex_ecdh_reply(host_key: bytes, public_key: bytes, signature: bytes) -> bytes:
    """The server's SSH_MSG_KEX_ECDH_REPLY payload: Ed25519 host key, ephemeral key,
    signature (RFC 8709).

    >>> len(
    ...     ssh_kex_ecdh_reply(bytes(32), bytes(32), bytes(64))
    ... )  # 1 + (4 + 51) + (4 + 32) + (4 + 83)
    179
    """
    key_blob = _ssh_string(b"ssh-ed25519") + _ssh_string(host_key)
    signature_blob = _ssh_string(b"ssh-ed25519") + _ssh_string(signature)
    return (
        bytes([SSH_MSG_KEX_ECDH_REPLY])
        + _ssh_string(key_blob)
        + _ssh_string(public_key)
        + _ssh_string(signature_blob)
    )


# --------------------------------------------------------------------------------------
# A TCP connection, both ends
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One TCP segment as the capture point sees it: the IP packet (its materialised
    bytes) and when.
    """

    time_ns: int
    from_client: bool
    packet: bytes
    unseen: int = 0

    @property
    def length(self) -> int:
        """The IP packet's length on the wire, unseen payload included."""
        return len(self.packet) + self.unseen


@dataclass
class Endpoint:
    """One end of a TCP connection: its address and port, and the next sequence number
    it will send.
    """

    address: str
    port: int
    next_seq: int
    ttl: int = 64
    ident: int = 0
    mss: int = 1460
    window: int = 2052
    window_scale: int = 8


@dataclass
class TcpConnection:
    """Both ends of a TCP connection and the capture point between them.

    Times are nanoseconds. A host "sends at t" in its own time; the capture point sees a
    client's segment ``client_delay_ns`` later and a server's segment
    ``server_delay_ns`` later, and the other host receives it after both delays.
    (Capture on the client's LAN: small client delay; capture on the server itself:
    ``server_delay_ns = 0``.)

    Bulk data goes out as super-segments of up to ``max_segment`` payload bytes, as a
    capture on a Linux host with segmentation and receive offload (TSO/GRO) shows them:
    44 full segments of the MSS merged into one packet with one set of headers. The
    receiver acknowledges every ``ack_every``-th super-segment and the last one.

    Only ``keep`` bytes of each segment's payload are materialised (what a snap length
    would keep); ``fill(n)`` makes them when the caller gives no explicit bytes; the
    rest is unseen (see the module docstring). ``stack_delay_ns`` is how long a host's
    TCP stack takes to answer a segment on its own (SYN-ACK, ACK, RST, FIN): a few
    microseconds on a real host.

    Examples
    --------
    A handshake, a 100-byte request, a 3000-byte response and a close, seen 1 ms from
    the client and 10 ms from the server:

    >>> c = TcpConnection(
    ...     Endpoint("192.168.10.11", 50000, 1000),
    ...     Endpoint("192.0.2.10", 80, 5000),
    ...     client_delay_ns=1_000_000,
    ...     server_delay_ns=10_000_000,
    ... )
    >>> t = c.open(0)
    >>> t = c.send(True, t, b"x" * 100)
    >>> t = c.send(False, t, extra=3000)
    >>> t = c.close(True, t)
    >>> [
    ...     (s.from_client, s.packet[33], s.length) for s in c.segments
    ... ]  # client?, TCP flags, IP length
    [(True, 2, 52), (False, 18, 52), (True, 16, 40), (True, 24, 140), (False, 16, 40),
     (False, 24, 3040), (True, 16, 40), (True, 17, 40), (False, 17, 40), (True, 16, 40)]
    >>> [s.time_ns // 1_000_000 for s in c.segments]  # ms at the capture point
    [1, 21, 23, 23, 43, 43, 45, 45, 65, 67]

    (The server gets the SYN at 11 ms and its SYN-ACK is seen 10 ms later, at 21; the
    client gets it at 22 and its ACK is seen at 23; and so on, one 11 ms trip at a
    time.)
    >>> (
    ...     c.client.next_seq - 1000,
    ...     c.server.next_seq - 5000,
    ... )  # SYN + 100 + FIN, SYN + 3000 + FIN
    (102, 3002)
    """

    client: Endpoint
    server: Endpoint
    client_delay_ns: int
    server_delay_ns: int
    max_segment: int = 64240
    ack_every: int = 2
    stack_delay_ns: int = 0
    keep: int | None = None
    fill: Callable[[int], bytes] = bytes
    segments: list[Segment] = field(default_factory=list)
    isn_client: int = field(init=False)
    isn_server: int = field(init=False)

    def __post_init__(self) -> None:
        self.isn_client = self.client.next_seq
        self.isn_server = self.server.next_seq
        limit = 65535 - self.header_bytes() - 20
        if self.max_segment > limit:
            raise ValueError(
                f"max_segment {self.max_segment} exceeds the "
                f"{limit} bytes an IP packet can carry"
            )

    def header_bytes(self) -> int:
        """The IP header length for this connection's address family (20 for IPv4, 40
        for IPv6).
        """
        return 20 if ipaddress.ip_address(self.client.address).version == 4 else 40

    def _ends(self, from_client: bool) -> tuple[Endpoint, Endpoint, int, int]:
        if from_client:
            return self.client, self.server, self.client_delay_ns, self.server_delay_ns
        return self.server, self.client, self.server_delay_ns, self.client_delay_ns

    def one_way_ns(self) -> int:
        """Time from one host to the other."""
        return self.client_delay_ns + self.server_delay_ns

    def _emit(
        self,
        from_client: bool,
        t: int,
        flags: int,
        *,
        payload: bytes = b"",
        unseen: int = 0,
        options: bytes = b"",
        seq: int | None = None,
        ack: int | None = None,
    ) -> None:
        me, peer, my_delay, _ = self._ends(from_client)
        has_ack = flags & ACK
        window = min(me.window, 65535) if not flags & SYN else 65535
        segment = tcp(
            me.address,
            peer.address,
            me.port,
            peer.port,
            seq=me.next_seq if seq is None else seq,
            ack=(peer.next_seq if ack is None else ack) if has_ack else 0,
            flags=flags,
            window=window,
            options=options,
            payload=payload,
            unseen=unseen,
        )
        me.ident = (me.ident + 1) & 0xFFFF
        packet = ip(
            me.address,
            peer.address,
            PROTO_TCP,
            segment,
            ttl=me.ttl,
            ident=me.ident,
            unseen=unseen,
        )
        self.segments.append(Segment(t + my_delay, from_client, packet, unseen))

    def _syn_options(self, end: Endpoint) -> bytes:
        return tcp_options(
            mss=end.mss, window_scale=end.window_scale, sack_permitted=True
        )

    def open(self, t: int, *, server_think_ns: int = 0) -> int:
        """Three-way handshake from time ``t``: SYN, SYN-ACK, ACK. Returns when the
        client's ACK leaves.

        Each SYN consumes one sequence number (RFC 9293 section 3.4), so the first data
        byte of each side is its initial sequence number plus one.
        """
        d = self.one_way_ns()
        self._emit(True, t, SYN, options=self._syn_options(self.client))
        self.client.next_seq += 1
        t_server = t + d + server_think_ns + self.stack_delay_ns
        self._emit(False, t_server, SYN | ACK, options=self._syn_options(self.server))
        self.server.next_seq += 1
        t_client = t_server + d + self.stack_delay_ns
        self._emit(True, t_client, ACK)
        return t_client

    def refuse(self, t: int) -> int:
        """A SYN to a closed port: the server answers RST+ACK (RFC 9293 section
        3.10.7.1).
        """
        d = self.one_way_ns()
        self._emit(True, t, SYN, options=self._syn_options(self.client))
        self.client.next_seq += 1
        self._emit(False, t + d + self.stack_delay_ns, RST | ACK, seq=0)
        return t + 2 * d

    def half_open(self, t: int) -> int:
        """A SYN to an open port answered by SYN-ACK, then reset by the client (a port
        scan's probe).
        """
        d = self.one_way_ns()
        self._emit(True, t, SYN, options=self._syn_options(self.client))
        self.client.next_seq += 1
        self._emit(
            False,
            t + d + self.stack_delay_ns,
            SYN | ACK,
            options=self._syn_options(self.server),
        )
        self.server.next_seq += 1
        self._emit(True, t + 2 * d + 2 * self.stack_delay_ns, RST)
        return t + 2 * d

    def send(
        self,
        from_client: bool,
        t: int,
        data: bytes = b"",
        *,
        extra: int = 0,
        rate: float | None = None,
        push: bool = True,
        ack_last: bool = True,
    ) -> int:
        """Send ``data`` and then ``extra`` more payload bytes, starting at time ``t``.

        ``rate`` (bytes per second) paces the super-segments; without it they leave back
        to back at 10 Gbit/s. The receiver ACKs as described in the class docstring;
        with ``ack_last=False`` it sends no separate ACK for the last segment, because
        its reply (the next :meth:`send` the other way) carries the acknowledgement
        (delayed ACK, RFC 9293 section 3.8.6.3). Returns when the last byte reaches the
        receiver (the time it can answer). The peer must not be sending at the same time
        (request, then response), so every data segment acknowledges all the peer sent.
        """
        total = len(data) + extra
        if total <= 0:
            raise ValueError("send: nothing to send (data is empty and extra is 0)")
        me, peer, my_delay, peer_delay = self._ends(from_client)
        d = self.one_way_ns()
        limit = min(self.max_segment, 65535 - self.header_bytes() - 20)
        per_second = rate if rate else 1.25e9
        offset = 0
        count = 0
        t_send = t
        while offset < total:
            size = min(limit, total - offset)
            explicit = data[offset : offset + size]
            keep = size if self.keep is None else min(size, self.keep)
            if len(explicit) < keep:
                explicit += self.fill(keep - len(explicit))
            last = offset + size >= total
            t_send = t + int(offset / per_second * 1e9)
            self._emit(
                from_client,
                t_send,
                ACK | (PSH if last and push else 0),
                payload=explicit,
                unseen=size - len(explicit),
            )
            me.next_seq += size
            offset += size
            count += 1
            if (last and ack_last) or (not last and count % self.ack_every == 0):
                self._emit(not from_client, t_send + d + self.stack_delay_ns, ACK)
        return t_send + d

    def close(self, from_client: bool, t: int) -> int:
        """FIN teardown started by one side at ``t``: FIN+ACK, the peer's FIN+ACK, the
        last ACK.

        A FIN consumes one sequence number, like a SYN. Returns when the last ACK
        leaves.
        """
        d = self.one_way_ns()
        self._emit(from_client, t, FIN | ACK)
        self._ends(from_client)[0].next_seq += 1
        self._emit(not from_client, t + d + self.stack_delay_ns, FIN | ACK)
        self._ends(not from_client)[0].next_seq += 1
        self._emit(from_client, t + 2 * d + 2 * self.stack_delay_ns, ACK)
        return t + 2 * d + 2 * self.stack_delay_ns


# --------------------------------------------------------------------------------------
# Today's protocols: DNS TXT and HTTPS records, QUIC, Encrypted Client Hello
# --------------------------------------------------------------------------------------

DNS_TYPES.update({"TXT": 16, "HTTPS": 65})
"""TXT (RFC 1035 section 3.3.14) and HTTPS (RFC 9460) join the query types above."""


def dns_txt_response(
    ident: int, name: str, texts: Iterable[bytes], *, ttl: int = 0, rcode: int = 0
) -> bytes:
    """The answer to a TXT query: one TXT record whose data is the given
    character-strings.

    A character-string is a length byte and up to 255 bytes (RFC 1035 sections 3.3 and
    3.3.14). DNS tunnels answer with TTL 0, so that no resolver keeps the answer.

    >>> answer = dns_txt_response(7, "x.example.org", [b"ok"])
    >>> (
    ...     answer[2:4].hex(),
    ...     answer[6:8].hex(),
    ...     answer[-15:].hex(),
    ... )  # pointer, TXT, IN, TTL 0, 3 bytes: "ok"
    ('8180', '0001', 'c00c00100001000000000003026f6b')
    """
    rdata = b""
    for text in texts:
        if len(text) > 255:
            raise ValueError(
                f"DNS TXT answer for {name}: a character-string "
                f"holds at most 255 bytes, got {len(text)}"
            )
        rdata += bytes([len(text)]) + text
    header = struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, 1, 0, 0)
    question = dns_name(name) + struct.pack("!HH", DNS_TYPES["TXT"], 1)
    return (
        header
        + question
        + struct.pack("!HHHIH", 0xC00C, DNS_TYPES["TXT"], 1, ttl, len(rdata))
        + rdata
    )


def dns_https_response(
    ident: int, name: str, *, alpn: Iterable[str], ech: bytes = b"", ttl: int = 300
) -> bytes:
    """The answer to an HTTPS query (RFC 9460): one ServiceMode record for the name
    itself, with its ALPN protocols (key 1) and, if given, an ECHConfigList of ``ech``
    configs (key 5).

    This is how a browser learns that a site speaks HTTP/3 and how to encrypt its
    ClientHello; over plain DNS, the name it asks for is visible to every observer on
    the path.

    >>> answer = dns_https_response(9, "wiki.example.org", alpn=["h3"])
    >>> answer[-10:].hex()  # priority 1, target "." (root), key 1 (alpn), 3 bytes: "h3"
    '00010000010003026833'
    """
    alpn_value = b"".join(_vector(a.encode("ascii"), 1) for a in alpn)
    params = struct.pack("!HH", 1, len(alpn_value)) + alpn_value
    if ech:
        params += struct.pack("!HH", 5, len(ech) + 2) + _vector(ech)
    rdata = struct.pack("!H", 1) + b"\x00" + params
    header = struct.pack("!HHHHHH", ident, 0x8180, 1, 1, 0, 0)
    question = dns_name(name) + struct.pack("!HH", DNS_TYPES["HTTPS"], 1)
    return (
        header
        + question
        + struct.pack("!HHHIH", 0xC00C, DNS_TYPES["HTTPS"], 1, ttl, len(rdata))
        + rdata
    )


def ech_config(
    public_name: str,
    public_key: bytes,
    *,
    config_id: int = 0,
    maximum_name_length: int = 0,
) -> bytes:
    """One ECHConfig (RFC 9849 section 4), version 0xfe0d: DHKEM(X25519) key,
    HKDF-SHA256 with AES-128-GCM.

    ``public_name`` is the client-facing server's name, the only name ECH leaves in
    clear text.

    >>> config = ech_config("ech.example.net", bytes(32))
    >>> config[:2].hex(), int.from_bytes(config[2:4], "big") == len(config) - 4
    ('fe0d', True)
    """
    if len(public_key) != 32:
        raise ValueError(
            f"ECH: an X25519 public key is 32 bytes, got {len(public_key)}"
        )
    key_config = (
        bytes([config_id])
        + struct.pack("!H", 0x0020)
        + _vector(public_key)
        + _vector(struct.pack("!HH", 0x0001, 0x0001))
    )
    contents = (
        key_config
        + bytes([maximum_name_length])
        + _vector(public_name.encode("ascii"), 1)
        + _vector(b"")
    )
    return struct.pack("!H", 0xFE0D) + _vector(contents)


def ech_outer_extension(*, config_id: int, enc: bytes, payload: bytes) -> bytes:
    """The ``encrypted_client_hello`` extension (0xfe0d) of a ClientHelloOuter (RFC 9849
    section 5).

    ``enc`` is the HPKE encapsulated key (32 bytes for X25519); ``payload`` the
    encrypted ClientHelloInner: the real server name, ALPN and the rest, unreadable to
    the network.

    >>> extension = ech_outer_extension(config_id=7, enc=bytes(32), payload=bytes(48))
    >>> extension[:2].hex(), extension[4], extension[5:9].hex(), extension[9]
    ('fe0d', 0, '00010001', 7)
    """
    body = (
        b"\x00"
        + struct.pack("!HH", 0x0001, 0x0001)
        + bytes([config_id])
        + _vector(enc)
        + _vector(payload)
    )
    return _extension(0xFE0D, body)


def tls_client_hello_ech(
    public_name: str,
    inner_length: int,
    *,
    random: bytes,
    key_share: bytes,
    enc: bytes,
    config_id: int,
    fill: Callable[[int], bytes],
) -> bytes:
    """A ClientHelloOuter record: SNI is the ``public_name``; the real name is inside
    the ECH payload.

    The payload is the encrypted EncodedClientHelloInner of ``inner_length`` bytes,
    padded to a multiple of 32 as RFC 9849 section 6.1.3 recommends, plus the 16-byte
    AEAD tag; ``fill(n)`` gives its (random-looking) bytes.

    >>> hello = tls_client_hello_ech(
    ...     "ech.example.net",
    ...     200,
    ...     random=bytes(32),
    ...     key_share=bytes(32),
    ...     enc=bytes(32),
    ...     config_id=1,
    ...     fill=bytes,
    ... )
    >>> b"ech.example.net" in hello, hello.find(bytes.fromhex("fe0d")) > 0
    (True, True)
    """
    payload_length = -(-inner_length // 32) * 32 + 16
    extension = ech_outer_extension(
        config_id=config_id, enc=enc, payload=fill(payload_length)
    )
    message = tls_client_hello_message(
        public_name, random=random, key_share=key_share, more_extensions=[extension]
    )
    return tls_record(22, message, version=0x0301)


def quic_varint(value: int) -> bytes:
    """A QUIC variable-length integer (RFC 9000 section 16): 1, 2, 4 or 8 bytes, length
    in the top 2 bits.

    >>> (
    ...     quic_varint(37).hex(),
    ...     quic_varint(15293).hex(),
    ...     quic_varint(494878333).hex(),
    ... )  # RFC 9000, A.1
    ('25', '7bbd', '9d7f3e7d')
    """
    for size, prefix in ((1, 0), (2, 0x40), (4, 0x80), (8, 0xC0)):
        if value < 1 << (8 * size - 2):
            return (value | prefix << (8 * size - 8)).to_bytes(size, "big")
    raise ValueError(f"QUIC varint: {value} exceeds 2**62 - 1")


QUIC_LONG_TYPES = {
    pp.QUIC_V1: {
        "initial": 0,
        "0-rtt": 1,
        "handshake": 2,
        "retry": 3,
    },  # RFC 9000 section 17.2
    pp.QUIC_V2: {
        "initial": 1,
        "0-rtt": 2,
        "handshake": 3,
        "retry": 0,
    },  # RFC 9369 section 3.2
}
"""The 2-bit long-header packet type of each packet kind, by version (QUIC v2 renumbers
them).
"""


def quic_crypto_frame(offset: int, data: bytes) -> bytes:
    """A CRYPTO frame (type 0x06): TLS handshake bytes at ``offset`` in the stream (RFC
    9000 section 19.6).
    """
    return quic_varint(0x06) + quic_varint(offset) + quic_varint(len(data)) + data


def quic_ack_frame(largest: int, *, delay: int = 0, first_range: int = 0) -> bytes:
    """An ACK frame (type 0x02) acknowledging packets ``largest - first_range`` to
    ``largest``.

    >>> quic_ack_frame(0).hex()
    '0200000000'
    """
    return b"".join(quic_varint(v) for v in (0x02, largest, delay, 0, first_range))


def quic_initial(
    version: int,
    dcid: bytes,
    scid: bytes,
    packet_number: int,
    frames: bytes,
    *,
    client: bool,
    keys_dcid: bytes | None = None,
    token: bytes = b"",
    pad_to: int = 0,
    packet_number_length: int = 4,
) -> bytes:
    """A protected QUIC Initial packet (RFC 9000 section 17.2.2, RFC 9001 section 5).

    ``keys_dcid`` is the Destination Connection ID of the client's first Initial, from
    which both sides' Initial keys come (default ``dcid``). PADDING frames (zero bytes)
    make the packet at least ``pad_to`` bytes: a client pads every datagram that carries
    an Initial to 1,200 bytes (RFC 9000 section 14.1). The packet number is sent in
    ``packet_number_length`` bytes (1 to 4).

    The example is RFC 9001 Appendix A.2: the protected packet starts and ends as the
    RFC prints it.

    >>> crypto = bytes.fromhex(
    ...     "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868"
    ...     "04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b"
    ...     "6578616d706c652e636f6dff0100"
    ...     "0100000a00080006001d00170018001000070005"
    ...     "04616c706e000500050100000000003300260024001d"
    ...     "00209370b2c9caa47fbabaf4559fedba753de171fa71f50f1ce15d43e994ec74d7"
    ...     "48002b000302030400"
    ...     "0d0010000e0403050306030203080408050806002d00020101001c0002400100"
    ...     "3900320408ffffffffffff"
    ...     "ffff05048000ffff07048000ffff0801100104800075300901100f088394c8f03e"
    ...     "51570806048000ffff"
    ... )
    >>> packet = quic_initial(
    ...     1,
    ...     bytes.fromhex("8394c8f03e515708"),
    ...     b"",
    ...     2,
    ...     crypto,
    ...     client=True,
    ...     pad_to=1200,
    ... )
    >>> len(packet), packet[:22].hex(), packet[-16:].hex()
    (1200, 'c000000001088394c8f03e5157080000449e7b9aec34',
     'e221af44860018ab0856972e194cd934')
    """
    types = QUIC_LONG_TYPES.get(version)
    if types is None:
        raise ValueError(f"QUIC version 0x{version:08x}: expected 1 or 0x6b3343cf")
    keys = pp.initial_keys(keys_dcid or dcid, client=client, version=version)
    n = packet_number_length
    if not 1 <= n <= 4:
        raise ValueError(f"QUIC: a packet number takes 1 to 4 bytes, not {n}")
    first = 0xC0 | types["initial"] << 4 | (n - 1)  # long header, fixed bit, PN length
    head = (
        bytes([first])
        + struct.pack("!I", version)
        + _vector(dcid, 1)
        + _vector(scid, 1)
        + quic_varint(len(token))
        + token
    )
    fixed = len(head) + 2 + n + 16  # 2-byte Length, PN, AEAD tag
    frames += bytes(max(0, pad_to - fixed - len(frames)))
    length = n + len(frames) + 16
    if length >= 1 << 14:
        raise ValueError(
            f"QUIC Initial: {length} bytes after the header do not fit a 2-byte Length"
        )
    header = (
        head
        + struct.pack("!H", 0x4000 | length)
        + (packet_number % (1 << 8 * n)).to_bytes(n, "big")
    )
    sealed = pp.aes128_gcm_seal(keys.key, keys.nonce(packet_number), frames, header)
    mask = pp.header_protection_mask(
        keys.hp, sealed[4 - n : 20 - n]
    )  # sample: 4 bytes after the PN start
    protected = bytearray(header)
    protected[0] ^= mask[0] & 0x0F
    for i in range(n):
        protected[len(header) - n + i] ^= mask[1 + i]
    return bytes(protected) + sealed


def quic_handshake(
    version: int,
    dcid: bytes,
    scid: bytes,
    payload_length: int,
    *,
    fill: Callable[[int], bytes],
) -> bytes:
    """A QUIC Handshake packet whose protected part (packet number and payload) is
    ``fill``'s bytes.

    Handshake keys come from the TLS key exchange, which no observer can repeat: its
    packet number and payload are as unreadable as random bytes, and ``payload_length``
    of them follow the header (the AEAD tag included). The low 4 bits of the first byte
    are hidden by header protection too.
    """
    first = 0xC0 | QUIC_LONG_TYPES[version]["handshake"] << 4 | (fill(1)[0] & 0x0F)
    head = (
        bytes([first])
        + struct.pack("!I", version)
        + _vector(dcid, 1)
        + _vector(scid, 1)
    )
    return head + quic_varint(payload_length) + fill(payload_length)


def quic_short(
    dcid: bytes,
    payload_length: int,
    *,
    fill: Callable[[int], bytes],
    spin: bool = False,
) -> bytes:
    """A QUIC 1-RTT packet with a short header (RFC 9000 section 17.3.1): the connection
    ID, then ``payload_length`` protected bytes (packet number and encrypted frames).

    The first byte is 0b01S?????: fixed bit set, the spin bit ``spin``, and five bits
    hidden by header protection. Nothing says how long the connection ID is: a middlebox
    must remember it from the handshake, and only the endpoints can read the rest.

    >>> packet = quic_short(bytes(8), 30, fill=bytes)
    >>> len(packet), packet[0] & 0xC0
    (39, 64)
    """
    first = 0x40 | (0x20 if spin else 0) | (fill(1)[0] & 0x1F)
    return bytes([first]) + dcid + fill(payload_length)


ICMPV6_ERRORS = {
    "destination unreachable": 1,
    "packet too big": 2,
    "time exceeded": 3,
    "parameter problem": 4,
}
"""The ICMPv6 error types (RFC 4443 section 2.1) that RFC 4890 section 4.3.1 says a
firewall must not drop.
"""


def icmpv6_error(
    src: str, dst: str, kind: str, invoking: bytes, *, code: int = 0, value: int = 0
) -> bytes:
    """An ICMPv6 error message (RFC 4443 section 3) quoting the packet that caused it.

    ``value`` is the 4-byte field after the checksum: the MTU of a Packet Too Big, the
    pointer of a Parameter Problem, unused (0) otherwise. As much of the invoking packet
    is quoted as fits in the IPv6 minimum MTU of 1,280 bytes, so the receiver (and a
    stateful firewall) can tell which flow the error belongs to.

    >>> quoted = ipv6("2001:db8:100:10::13", "2001:db8:10::10", PROTO_TCP, bytes(1460))
    >>> message = icmpv6_error(
    ...     "2001:db8:ff00:9::1",
    ...     "2001:db8:100:10::13",
    ...     "packet too big",
    ...     quoted,
    ...     value=1480,
    ... )
    >>> (
    ...     message[0],
    ...     int.from_bytes(message[4:8], "big"),
    ...     len(message),
    ... )  # 1280 - 40-byte IPv6 header
    (2, 1480, 1240)
    """
    if kind not in ICMPV6_ERRORS:
        raise ValueError(
            f"ICMPv6 error {kind!r}: expected one of {sorted(ICMPV6_ERRORS)}"
        )
    quoted = invoking[: 1280 - 40 - 8]
    message = struct.pack("!BBHI", ICMPV6_ERRORS[kind], code, 0, value) + quoted
    checksum = internet_checksum(
        pseudo_header(src, dst, PROTO_ICMPV6, len(message)) + message
    )
    return _with_checksum(message, 2, checksum)


def solicited_node(address: str) -> str:
    """The solicited-node multicast address of an IPv6 address (RFC 4291 section 2.7.1):
    ff02::1:ffXX:XXXX.

    >>> solicited_node("2001:db8:100:10::11")
    'ff02::1:ff00:11'
    """
    low = ipaddress.IPv6Address(address).packed[-3:]
    return str(ipaddress.IPv6Address(bytes.fromhex("ff0200000000000000000001ff") + low))


def icmpv6_neighbor(
    src: str, dst: str, target: str, mac: str, *, advertisement: bool, flags: int = 0x60
) -> bytes:
    """A Neighbor Solicitation (type 135) or Advertisement (type 136) with its
    link-layer address option (RFC 4861 sections 4.3, 4.4): IPv6's ARP. ``flags`` of an
    advertisement: 0x80 router, 0x40 solicited, 0x20 override. Sent with hop limit 255,
    which receivers check.

    >>> ns = icmpv6_neighbor(
    ...     "fe80::1",
    ...     "ff02::1:ff00:11",
    ...     "2001:db8:100:10::11",
    ...     "02:00:00:00:00:01",
    ...     advertisement=False,
    ... )
    >>> (
    ...     ns[0],
    ...     len(ns),
    ...     ns[24:26].hex(),
    ... )  # type, 24 bytes + 8-byte option, option 1 (source link-layer)
    (135, 32, '0101')
    """
    kind, option = (136, 2) if advertisement else (135, 1)
    message = (
        struct.pack("!BBHI", kind, 0, 0, (flags << 24) if advertisement else 0)
        + ipaddress.IPv6Address(target).packed
        + bytes([option, 1])
        + mac_bytes(mac)
    )
    checksum = internet_checksum(
        pseudo_header(src, dst, PROTO_ICMPV6, len(message)) + message
    )
    return _with_checksum(message, 2, checksum)


# --------------------------------------------------------------------------------------
# Address translation, as a NAT rewrites a packet
# --------------------------------------------------------------------------------------


def _checksum_update(checksum: int, old: bytes, new: bytes) -> int:
    """RFC 1624 equation 3: HC' = ~(~HC + ~m + m') over 16-bit words, for a field that
    changed.
    """
    total = ~checksum & 0xFFFF
    for i in range(0, len(old), 2):
        total += (~int.from_bytes(old[i : i + 2], "big") & 0xFFFF) + int.from_bytes(
            new[i : i + 2], "big"
        )
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def nat_rewrite(
    packet: bytes,
    *,
    src: str | None = None,
    sport: int | None = None,
    dst: str | None = None,
    dport: int | None = None,
    ttl_change: int = 0,
) -> bytes:
    """An IPv4 TCP or UDP packet with its source or destination address and port
    replaced, as a NAT rewrites it (RFC 3022), and its TTL changed by ``ttl_change``.

    The checksums are updated from the changed fields alone (RFC 1624), the way routers
    do it, so a packet whose payload was cut by the snap length is rewritten exactly
    too; a UDP checksum of 0 (none) stays 0.

    >>> seg = tcp("192.168.10.11", "192.0.2.10", 50000, 443, seq=1, flags=SYN)
    >>> inside = ipv4("192.168.10.11", "192.0.2.10", PROTO_TCP, seg)
    >>> outside = nat_rewrite(inside, src="198.51.100.2", sport=61000, ttl_change=-1)
    >>> outside == ipv4(
    ...     "198.51.100.2",
    ...     "192.0.2.10",
    ...     PROTO_TCP,
    ...     tcp("198.51.100.2", "192.0.2.10", 61000, 443, seq=1, flags=SYN),
    ...     ttl=63,
    ... )
    True
    """
    if packet[0] >> 4 != 4:
        raise ValueError(
            "nat_rewrite: only IPv4 packets are translated (IPv6 needs no NAT)"
        )
    ihl = (packet[0] & 0x0F) * 4
    protocol = packet[9]
    if protocol not in (PROTO_TCP, PROTO_UDP):
        raise ValueError(
            f"nat_rewrite: IP protocol {protocol} is not TCP (6) or UDP (17)"
        )
    data = bytearray(packet)
    l4_sum_at = ihl + (16 if protocol == PROTO_TCP else 6)
    l4_sum = int.from_bytes(data[l4_sum_at : l4_sum_at + 2], "big")
    udp_without_checksum = protocol == PROTO_UDP and l4_sum == 0
    ip_sum = int.from_bytes(data[10:12], "big")

    def replace(at: int, new: bytes, *, pseudo: bool) -> None:
        nonlocal ip_sum, l4_sum
        old = bytes(data[at : at + len(new)])
        data[at : at + len(new)] = new
        if at < ihl:
            ip_sum = _checksum_update(ip_sum, old, new)
        if pseudo or at >= ihl:
            l4_sum = _checksum_update(l4_sum, old, new)

    if ttl_change:
        ttl = data[8] + ttl_change
        if not 0 < ttl < 256:
            raise ValueError(
                f"nat_rewrite: TTL {data[8]} changed by {ttl_change} leaves 1-255"
            )
        replace(
            8, bytes([ttl, protocol]), pseudo=False
        )  # TTL shares a word with protocol
    if src is not None:
        replace(12, ipaddress.IPv4Address(src).packed, pseudo=True)
    if dst is not None:
        replace(16, ipaddress.IPv4Address(dst).packed, pseudo=True)
    if sport is not None:
        replace(ihl, struct.pack("!H", sport), pseudo=False)
    if dport is not None:
        replace(ihl + 2, struct.pack("!H", dport), pseudo=False)
    data[10:12] = struct.pack("!H", ip_sum)
    if not udp_without_checksum:
        data[l4_sum_at : l4_sum_at + 2] = struct.pack(
            "!H", l4_sum or (0xFFFF if protocol == PROTO_UDP else 0)
        )
    return bytes(data)
