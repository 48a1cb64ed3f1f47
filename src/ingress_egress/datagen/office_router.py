"""Office router: both sides of the NAT, today's protocols, and the same office over
IPv6.

The office of :mod:`ingress_egress.datagen.captures`, the next morning, seen by its
router rather than inside it. Every frame is built with :mod:`ingress_egress.packets`
(correct checksums, TCP sequence numbers that add up, QUIC Initial packets protected as
RFC 9001 says, so Wireshark decrypts them) and written as pcapng with per-packet
direction flags (``epb_flags``: in or out of the interface that captured it), nanosecond
timestamps and a snap length of 1,514 bytes, one whole Ethernet frame: QUIC, DNS and TLS
handshakes are stored whole, offloaded TCP super-packets are cut after their first 1,460
payload bytes.

``captures/office-router-{lan,wan}.pcapng``: one NAT, two sides
    The same ten minutes, Wednesday 2026-03-11 10:00:00 to 10:10:00 UTC, captured on the
    router's LAN interface (``192.168.10.1``, the office ``192.168.10.0/24``) and on its
    WAN interface (public address ``198.51.100.2``, ISP gateway ``198.51.100.1``). The
    router is Linux with nftables: ``masquerade fully-random`` on the WAN (every new
    connection gets a random public source port from 1024-65535, nf_nat's range for
    ports of 1024 and above), connection tracking with the kernel's default timeouts,
    input and forward policy *drop* for anything new from the WAN, and strict
    reverse-path filtering (``rp_filter=1``). Forwarded packets leave 20-60 µs after
    they arrive, with their TTL one lower. What happens (ground truth, :data:`EVENTS`):

    - ``.11``-``.16`` browse. Sites that offer HTTP/3 (:data:`HTTP3_SITES`) are fetched
      over QUIC on UDP 443, the others over TCP with TLS; each TLS or QUIC ClientHello
      names its site.
    - ``.14`` visits ``wiki.example.org`` with **Encrypted Client Hello**: its DNS asks
      for the site's A and HTTPS records (the HTTPS record carries the ECH
      configuration), and the ClientHello names only the public name ``ech.example.net``
      of the CDN ``192.0.2.20``.
    - ``.15`` uses **DNS over HTTPS** to ``dns.example.net`` (``198.51.100.53:443``),
      resolved once over plain DNS at the start, over one TCP connection that is still
      open at 10:10; none of its other lookups is visible, and it visits
      ``wiki.example.org`` with ECH too.
    - ``.16`` runs a **DNS tunnel** (:data:`TUNNEL`): one TXT query a second under
      ``t.example.org`` through the ISP's resolver, each name carrying 100 bytes in
      base32.
    - ``.13`` uploads 10,000,000 bytes to ``storage.example.com`` (:data:`CLOUD_LEAK`),
      a destination the office uses every day (``.12`` syncs 3 MB there too).
    - ``.11``'s QUIC connection to ``cdn.example.net`` idles for 150 s, longer than the
      router's 120 s timeout for a UDP stream; its next packet gets a new public port
      (**NAT rebinding**), and the connection carries on under the same connection IDs
      (:data:`REBINDING`).
    - Only on the WAN: a scanner ``198.51.100.200`` probes the public address (TCP 22,
      23, 80, 443, 445, 3389, 8080, UDP 1900, an ICMP echo) and gets no answer; and one
      **spoofed** SYN from the internet claims the inside source ``192.168.10.12``
      (:data:`SPOOFED`). The router drops them all.
    - Only on the LAN: ARP, NTP from the hosts to the router, and ``.12`` opening the
      router's own web page (HTTPS to ``192.168.10.1``). (Traffic between two office
      hosts never reaches the router: the switch delivers it directly.)

``captures/office-router-ipv6.pcapng``: the same office over IPv6, without NAT
    Five minutes, 11:00:00 to 11:05:00 UTC, captured on both router interfaces in one
    file (interface 0 the LAN, interface 1 the WAN). The office has the prefix
    ``2001:db8:100::/48``; its LAN is ``2001:db8:100:10::/64`` (hosts ``::11`` to
    ``::16``, the router ``::1``), the router's WAN address ``2001:db8:ff00:1::2``.
    Addresses are global, so a forwarded packet appears on both interfaces unchanged but
    for its hop limit. The router filters statefully as RFC 6092 recommends
    (:data:`IPV6_EVENTS`): outbound flows and their replies pass; unsolicited inbound
    TCP is dropped and answered after 6 s with an ICMPv6 "administratively prohibited"
    (REC-34); an echo request from a monitor passes (RFC 4890); a Packet Too Big from a
    router on the path passes because it quotes a packet of a tracked flow (REC-36), one
    quoting no known flow does not (REC-10); a packet from the internet with a source
    inside the office prefix is dropped (REC-6). Neighbor Discovery runs on the LAN.

Examples
--------
>>> TUNNEL.host, TUNNEL.domain, TUNNEL.queries * TUNNEL.bytes_per_query
('192.168.10.16', 't.example.org', 57000)
>>> CLOUD_LEAK.destination, CLOUD_LEAK.payload_bytes
('203.0.113.10', 10000000)
"""

from __future__ import annotations

import base64
import ipaddress
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress import packets as pk
from ingress_egress.captures import LINKTYPE_ETHERNET, write_pcapng
from ingress_egress.datagen.captures import SITES, Episode, _Capture, _mac
from ingress_egress.packet_protection import QUIC_V1

SEED = 20260311
SNAPLEN = 1514
START = pd.Timestamp("2026-03-11 10:00", tz="UTC")
END = START + pd.Timedelta(minutes=10)
SECOND = 1_000_000_000
MS = 1_000_000
US = 1_000

OFFICE_NETWORK = "192.168.10.0/24"
ROUTER_LAN = "192.168.10.1"
NAS = "192.168.10.5"
PUBLIC = "198.51.100.2"
ISP_GATEWAY = "198.51.100.1"
ROUTER_WAN_MAC = "02:00:c6:33:64:02"
ISP_MAC = "02:00:c6:33:64:01"
RESOLVER = "192.0.2.53"
SCANNER = "198.51.100.200"
ADMIN = "192.168.10.12"
WORKSTATIONS = tuple(f"192.168.10.{n}" for n in range(11, 17))
UP_BYTES_PER_S = 20e6 / 8
DOWN_BYTES_PER_S = 50e6 / 8

DOH = ("dns.example.net", "198.51.100.53")
ECH_PUBLIC_NAME = "ech.example.net"
ECH_SITE = "wiki.example.org"
TODAY_SITES = {
    **SITES,
    ECH_SITE: ("192.0.2.20", None),
    ECH_PUBLIC_NAME: ("192.0.2.20", None),
    DOH[0]: (DOH[1], None),
}
"""The names of :data:`ingress_egress.datagen.captures.SITES`, plus a site behind the
CDN that offers ECH, the CDN's ECH public name and a public DNS-over-HTTPS resolver."""
HTTP3_SITES = ("www.example.com", "cdn.example.net")
"""Sites that offer HTTP/3: browsers reach them over QUIC."""

NAT_PORTS = (1024, 65535)
"""The public source ports ``masquerade fully-random`` chooses from (nf_nat, original
port >= 1024).
"""
UDP_TIMEOUT_S, UDP_STREAM_TIMEOUT_S = 30, 120
"""Linux conntrack UDP timeouts (nf_conntrack_udp_timeout, _stream), the router's NAT
mappings.
"""


@dataclass(frozen=True)
class DnsTunnel:
    """The ground truth of a DNS tunnel: who, through which resolver, under which
    domain, how much.
    """

    host: str
    resolver: str
    domain: str
    start: pd.Timestamp
    queries: int
    bytes_per_query: int
    interval_s: float


TUNNEL = DnsTunnel(
    "192.168.10.16",
    RESOLVER,
    "t.example.org",
    START + pd.Timedelta(seconds=20),
    570,
    100,
    1.0,
)
"""The DNS tunnel in the NAT pair: 570 TXT queries, one a second (plus 0-50 ms), from
10:00:20, each name carrying 100 bytes of a file in base32 (three labels of at most 63
characters); the answers are TXT records of 8 base32 characters with TTL 0."""

CLOUD_LEAK = Episode(
    "192.168.10.13",
    "203.0.113.10",
    443,
    "TCP",
    START + pd.Timedelta(minutes=6),
    10_000_000,
    64_240,
    0.0,
)
"""The leak to an allowed cloud store (MITRE ATT&CK T1567.002): 10,000,000 bytes over
HTTPS to ``storage.example.com``, looked up in DNS, at the uplink's full rate, from
10:06:00."""


@dataclass(frozen=True)
class Rebinding:
    """The QUIC connection that outlives its NAT mapping."""

    host: str
    server: str
    start: pd.Timestamp
    idle_s: float


REBINDING = Rebinding(
    "192.168.10.11", "192.0.2.20", START + pd.Timedelta(minutes=1), 150.0
)
"""``.11``'s QUIC connection to ``cdn.example.net``: opened at 10:01:00, two fetches 3 s
apart (its NAT mapping becomes a UDP stream, timeout 120 s), then silent for 150 s, then
two more fetches from the same LAN port, which the WAN shows from a new public port."""

SPOOFED = ("192.168.10.12", PUBLIC, 22, START + pd.Timedelta(minutes=4, seconds=30))
"""The spoofed SYN seen on the WAN: (claimed source, destination, port, time)."""

EVENTS = {
    "tunnel": TUNNEL,
    "cloud leak": CLOUD_LEAK,
    "rebinding": REBINDING,
    "spoofed": SPOOFED,
    "scanner": SCANNER,
    "doh host": "192.168.10.15",
    "ech hosts": ("192.168.10.14", "192.168.10.15"),
}
"""The NAT pair's planted events, by name."""

# IPv6 office --------------------------------------------------------------------------
V6_START = pd.Timestamp("2026-03-11 11:00", tz="UTC")
V6_PREFIX = "2001:db8:100::/48"
V6_LAN = "2001:db8:100:10::/64"
V6_ROUTER_LAN = "2001:db8:100:10::1"
V6_ROUTER_LINK_LOCAL = "fe80::1"
V6_ROUTER_WAN = "2001:db8:ff00:1::2"
V6_ISP_GATEWAY = "2001:db8:ff00:1::1"
V6_RESOLVER = "2001:db8:53::53"
V6_SCANNER = "2001:db8:6::200"
V6_MONITOR = "2001:db8:200::200"
V6_TRANSIT_ROUTER = "2001:db8:ff00:9::1"
V6_PATH_MTU = 1480
V6_HOSTS = tuple(f"2001:db8:100:10::{n}" for n in range(11, 17))
WAN_V6_MAC, ISP_V6_MAC = "02:00:20:01:ff:02", "02:00:20:01:ff:01"

IPV6_EVENTS = {
    "unsolicited SYN": (V6_SCANNER, "2001:db8:100:10::13", 22),
    "echo request": (V6_MONITOR, "2001:db8:100:10::12"),
    "packet too big, related": (V6_TRANSIT_ROUTER, "2001:db8:100:10::13", V6_PATH_MTU),
    "packet too big, unrelated": (V6_TRANSIT_ROUTER, "2001:db8:100:10::14"),
    "spoofed": ("2001:db8:100:10::12", "2001:db8:100:10::5", 445),
}
"""The IPv6 capture's events: who sent what to whom (see the module docstring for the
verdicts).
"""


def _base32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def tunnel_name(chunk: bytes, domain: str = TUNNEL.domain) -> str:
    """The query name that carries ``chunk``: base32 in labels of up to 63 characters,
    under ``domain``. A name has at most 253 characters, so a chunk at most 147 bytes
    under ``t.example.org``; a longer one is a ``ValueError``.

    >>> tunnel_name(b"hello")
    'nbswy3dp.t.example.org'
    """
    text = _base32(chunk)
    labels = [text[i : i + 63] for i in range(0, len(text), 63)]
    name = ".".join(labels + [domain])
    if len(name) > 253:
        raise ValueError(
            f"tunnel chunk of {len(chunk)} bytes makes a "
            f"{len(name)}-character name (253 at most)"
        )
    return name


_BASE32 = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def tunnel_names(chunks: np.ndarray, domain: str = TUNNEL.domain) -> list[str]:
    """:func:`tunnel_name` of every row of ``chunks`` (a 2-D ``uint8`` array, one chunk
    of equal length a row), with numpy instead of one base32 encoding a chunk.

    >>> tunnel_names(np.frombuffer(b"hellohello", dtype=np.uint8).reshape(2, 5))
    ['nbswy3dp.t.example.org', 'nbswy3dp.t.example.org']
    """
    chunks = np.asarray(chunks, dtype=np.uint8)
    if chunks.ndim != 2:
        raise ValueError(
            f"chunks must be a 2-D array, one chunk a row, not {chunks.ndim}-D"
        )
    rows, size = chunks.shape
    characters = -(-size * 8 // 5)  # base32 without its "=" padding
    bits = np.zeros((rows, characters * 5), dtype=np.uint8)
    bits[:, : size * 8] = np.unpackbits(chunks, axis=1)
    digits = bits.reshape(rows, characters, 5) @ np.array([16, 8, 4, 2, 1], np.uint8)
    text = _BASE32[digits]
    labels = [text[:, i : i + 63] for i in range(0, characters, 63)]
    dot = np.full((rows, 1), ord("."), dtype=np.uint8)
    tail = np.frombuffer(domain.encode("ascii"), dtype=np.uint8)
    pieces = [p for label in labels for p in (label, dot)]
    pieces.append(np.broadcast_to(tail, (rows, len(tail))))
    table = np.concatenate(pieces, axis=1)
    width = table.shape[1]
    if width > 253:
        raise ValueError(
            f"tunnel chunk of {size} bytes makes a {width}-character name (253 at most)"
        )
    whole = table.tobytes().decode("ascii")
    return [whole[i : i + width] for i in range(0, rows * width, width)]


# --------------------------------------------------------------------------------------
# A router with two capture points and a NAT between them
# --------------------------------------------------------------------------------------


@dataclass
class _Crossing:
    """A packet that crosses the router, as the LAN interface sees it."""

    time_ns: int
    outbound: bool
    packet: bytes
    unseen: int


@dataclass
class NatMapping:
    """One entry of the generator's NAT table: the ground truth that the captures are
    checked against.
    """

    protocol: str
    inside: str
    inside_port: int
    remote: str
    remote_port: int
    public_port: int
    created_ns: int
    expires_ns: int = 0
    replied: bool = False
    closing: bool = False


class _Router:
    """Frames on the LAN and WAN interfaces of the office router, and the NAT between
    them.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        lan = ipaddress.ip_network(OFFICE_NETWORK)

        def lan_host(address: str) -> bool:
            return address != ROUTER_LAN and ipaddress.ip_address(address) in lan

        self.lan_host = lan_host
        self.on_lan = lambda address: ipaddress.ip_address(address) in lan
        self.lan = _Capture(
            rng,
            local_mac=lambda a: _mac(a) if ipaddress.ip_address(a) in lan else None,
            remote_mac=_mac(ROUTER_LAN),
            sent_here=lambda src: not lan_host(src),
        )
        self.wan = _Capture(
            rng,
            local_mac=lambda a: ROUTER_WAN_MAC if a == PUBLIC else None,
            remote_mac=ISP_MAC,
            sent_here=lambda src: src == PUBLIC,
        )
        self.crossing: list[_Crossing] = []
        self.mappings: list[NatMapping] = []
        self.rtt_ms = {
            address: float(rng.uniform(12, 70))
            for name in sorted(TODAY_SITES)
            for address in [TODAY_SITES[name][0]]
        }
        self.rtt_ms[RESOLVER] = 9.0
        self.ttl = {
            address: 64 - int(rng.integers(6, 20)) for address in sorted(self.rtt_ms)
        }
        self.dns_cache: dict[tuple[str, str, str], int] = {}

    # -- packets -----------------------------------------------------------------------

    def lan_delay(self) -> int:
        return int(self.rng.integers(150 * US, 400 * US))

    def cross(self, t: int, src: str, dst: str, packet: bytes, unseen: int = 0) -> None:
        """A packet between an office host and the internet, as the LAN sees it."""
        outbound = self.lan_host(src)
        self.lan.add(t, src, dst, packet, unseen)
        self.crossing.append(_Crossing(int(t), outbound, packet, unseen))

    def udp(
        self, t: int, src: str, dst: str, sport: int, dport: int, payload: bytes
    ) -> None:
        ttl = 64 if self.on_lan(src) else self.ttl.get(src, 52)
        packet = pk.ip(
            src,
            dst,
            pk.PROTO_UDP,
            pk.udp(src, dst, sport, dport, payload),
            ttl=ttl,
            ident=self.lan.next_ident(src),
        )
        self.emit(t, src, dst, packet)

    def emit(self, t: int, src: str, dst: str, packet: bytes, unseen: int = 0) -> None:
        """A packet on the LAN: between the router and a host it stays there; else it
        crosses.
        """
        if self.on_lan(src) and self.on_lan(dst):
            self.lan.add(t, src, dst, packet, unseen)
        else:
            self.cross(t, src, dst, packet, unseen)

    def tcp(
        self,
        client: str,
        server: str,
        port: int,
        *,
        rtt_ms: float | None = None,
        fill: Callable[[int], bytes] | None = None,
    ) -> pk.TcpConnection:
        rtt = (self.rtt_ms[server] if rtt_ms is None else rtt_ms) * MS
        return pk.TcpConnection(
            pk.Endpoint(
                client,
                self.lan.ephemeral_port(client),
                int(self.rng.integers(0, 2**32)),
                ttl=64,
                ident=int(self.rng.integers(0, 65536)),
            ),
            pk.Endpoint(
                server,
                port,
                int(self.rng.integers(0, 2**32)),
                ttl=64 if self.on_lan(server) else self.ttl.get(server, 60),
                ident=int(self.rng.integers(0, 65536)),
            ),
            client_delay_ns=self.lan_delay(),
            server_delay_ns=int(rtt / 2),
            max_segment=44 * 1460,
            keep=SNAPLEN - 54,
            fill=fill or self.rng.bytes,
            stack_delay_ns=int(self.rng.integers(15 * US, 60 * US)),
        )

    def finish(self, c: pk.TcpConnection) -> None:
        for s in c.segments:
            src, dst = (
                (c.client.address, c.server.address)
                if s.from_client
                else (c.server.address, c.client.address)
            )
            self.emit(s.time_ns, src, dst, s.packet, s.unseen)

    # -- the NAT -----------------------------------------------------------------------

    def _new_port(self, protocol: str, t: int) -> int:
        busy = {
            m.public_port
            for m in self.mappings
            if m.protocol == protocol and m.expires_ns >= t
        }
        while True:
            port = int(self.rng.integers(NAT_PORTS[0], NAT_PORTS[1] + 1))
            if port not in busy:
                return port

    def translate(self) -> None:
        """Send every crossing packet through the NAT, in time order, onto the WAN."""
        live: dict[tuple, NatMapping] = {}
        for c in sorted(self.crossing, key=lambda c: c.time_ns):
            version, protocol = c.packet[0] >> 4, c.packet[9]
            if version != 4 or protocol not in (pk.PROTO_TCP, pk.PROTO_UDP):
                raise ValueError("the office router translates only IPv4 TCP and UDP")
            ihl = (c.packet[0] & 0x0F) * 4
            src, dst = (
                str(ipaddress.IPv4Address(c.packet[12:16])),
                str(ipaddress.IPv4Address(c.packet[16:20])),
            )
            sport, dport = struct.unpack("!HH", c.packet[ihl : ihl + 4])
            name = "TCP" if protocol == pk.PROTO_TCP else "UDP"
            key = (
                (name, src, sport, dst, dport)
                if c.outbound
                else (name, dst, dport, src, sport)
            )
            mapping = live.get(key)
            if mapping is not None and mapping.expires_ns < c.time_ns:
                mapping = None  # timed out: the next packet starts afresh
            forward = int(self.rng.integers(20 * US, 60 * US))
            if c.outbound:
                if mapping is None:
                    mapping = NatMapping(
                        name,
                        src,
                        sport,
                        dst,
                        dport,
                        self._new_port(name, c.time_ns),
                        c.time_ns,
                    )
                    self.mappings.append(mapping)
                    live[key] = mapping
                packet = pk.nat_rewrite(
                    c.packet, src=PUBLIC, sport=mapping.public_port, ttl_change=-1
                )
                self.wan.add(c.time_ns + forward, PUBLIC, dst, packet, c.unseen)
            else:
                if mapping is None:
                    raise ValueError(
                        f"an inbound packet at {c.time_ns} has no NAT mapping: {key}"
                    )
                mapping.replied = True
                packet = pk.nat_rewrite(
                    c.packet, dst=PUBLIC, dport=mapping.public_port, ttl_change=+1
                )
                self.wan.add(c.time_ns - forward, src, PUBLIC, packet, c.unseen)
            self._refresh(mapping, c, protocol, ihl)

    @staticmethod
    def _refresh(m: NatMapping, c: _Crossing, protocol: int, ihl: int) -> None:
        if protocol == pk.PROTO_UDP:
            stream = m.replied and c.time_ns - m.created_ns > 2 * SECOND
            m.expires_ns = (
                c.time_ns + (UDP_STREAM_TIMEOUT_S if stream else UDP_TIMEOUT_S) * SECOND
            )
            return
        flags = c.packet[ihl + 13]
        m.closing = m.closing or bool(flags & (pk.FIN | pk.RST))
        m.expires_ns = c.time_ns + (120 if m.closing else 432_000) * SECOND

    # -- the WAN's own traffic ---------------------------------------------------------

    def from_internet(
        self, t: int, src: str, packet: bytes, *, dst: str = PUBLIC
    ) -> None:
        """A packet that reaches the WAN interface and is dropped there: nothing on the
        LAN.
        """
        self.wan.add(t, src, dst, packet)


# --------------------------------------------------------------------------------------
# The office's morning
# --------------------------------------------------------------------------------------


class _Office:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.router = _Router(rng)
        self.doh: pk.TcpConnection | None = None
        self.doh_ready = 0

    # -- names -------------------------------------------------------------------------

    def lookup(
        self, t: int, host: str, name: str, qtypes: tuple[str, ...] = ("A", "AAAA")
    ) -> int:
        """Resolve ``name`` over plain DNS (one socket per lookup), unless a fresh
        answer is cached.
        """
        r = self.router
        if host == EVENTS["doh host"] and name != DOH[0]:
            return self.doh_lookup(t, host, qtypes)
        cached = r.dns_cache.get((host, name, qtypes[0]))
        if cached is not None and t - cached < 300 * SECOND:
            return t
        port = r.lan.ephemeral_port(host)
        v4, v6 = TODAY_SITES[name]
        done = t
        for k, qtype in enumerate(qtypes):
            ident = int(self.rng.integers(0, 65536))
            tq = t + k * 40 * US + r.lan_delay()
            r.udp(tq, host, RESOLVER, port, 53, pk.dns_query(ident, name, qtype))
            ta = (
                tq
                + int(r.rtt_ms[RESOLVER] * MS)
                + int(self.rng.integers(200 * US, 3 * MS))
            )
            if qtype == "HTTPS":
                answer = pk.dns_https_response(
                    ident, name, alpn=["h2"], ech=self.ech_config()
                )
            else:
                answers = [v4] if qtype == "A" else ([v6] if v6 else [])
                answer = pk.dns_response(ident, name, qtype, answers)
            r.udp(ta, RESOLVER, host, 53, port, answer)
            done = max(done, ta + 300 * US)
        r.dns_cache[(host, name, qtypes[0])] = done
        return done

    def ech_config(self) -> bytes:
        return pk.ech_config(
            ECH_PUBLIC_NAME,
            bytes(range(32, 64)),
            config_id=0x2A,
            maximum_name_length=32,
        )

    def doh_lookup(self, t: int, host: str, qtypes: tuple[str, ...]) -> int:
        """Resolve over the DNS-over-HTTPS connection: two TLS records a question,
        nothing in clear.
        """
        if self.doh is None:
            raise ValueError("DNS over HTTPS used before its connection was opened")
        c = self.doh
        t = max(t, self.doh_ready)
        for _ in qtypes:
            request = int(
                self.rng.integers(190, 230)
            )  # 128-byte padded query + HTTP/2 framing
            t = c.send(
                True,
                t,
                pk.tls_application_data_header(request),
                extra=request,
                ack_last=False,
            )
            response = int(
                self.rng.integers(520, 560)
            )  # 468-byte padded answer + framing
            t = c.send(
                False,
                t + int(self.rng.uniform(1, 4) * MS),
                pk.tls_application_data_header(response),
                extra=response,
            )
        self.doh_ready = t + MS
        return t

    def open_doh(self, t: int, host: str) -> int:
        t = self.lookup(t, host, DOH[0], ("A",))
        c = self.router.tcp(host, DOH[1], 443)
        t = c.open(t)
        t = self.tls_handshake(c, t, DOH[0])
        self.doh = c
        self.doh_ready = t
        return t

    # -- TLS over TCP ------------------------------------------------------------------

    def tls_handshake(
        self, c: pk.TcpConnection, t: int, name: str, *, ech: bool = False
    ) -> int:
        rng = self.rng
        if ech:
            hello = pk.tls_client_hello_ech(
                ECH_PUBLIC_NAME,
                int(rng.integers(260, 300)),
                random=rng.bytes(32),
                key_share=rng.bytes(32),
                enc=rng.bytes(32),
                config_id=0x2A,
                fill=rng.bytes,
            )
        else:
            hello = pk.tls_client_hello(
                name, random=rng.bytes(32), key_share=rng.bytes(32)
            )
        t = c.send(True, t, hello, ack_last=False)
        flight = int(rng.integers(2500, 4500))
        t = c.send(
            False,
            t + int(rng.uniform(0.5, 8) * MS),
            pk.tls_server_hello(random=rng.bytes(32), key_share=rng.bytes(32))
            + pk.tls_application_data_header(flight),
            extra=flight,
            ack_last=False,
        )
        t = c.send(
            True,
            t,
            pk.tls_record(20, b"\x01") + pk.tls_application_data_header(53),
            extra=53,
            ack_last=False,
        )
        return t

    def https(
        self,
        t: int,
        host: str,
        name: str,
        exchanges: list[tuple[int, int]],
        *,
        idle_s: float = 20.0,
        ech: bool = False,
        request_rate: float = UP_BYTES_PER_S,
        qtypes: tuple[str, ...] = ("A", "AAAA"),
    ) -> int:
        r = self.router
        t = self.lookup(t, host, name, qtypes)
        c = r.tcp(host, TODAY_SITES[name][0], 443)
        t = c.open(t)
        t = self.tls_handshake(c, t, name, ech=ech)
        for k, (request, response) in enumerate(exchanges):
            gap = 0 if k == 0 else int(self.rng.uniform(0.2, 20) * SECOND)
            t = c.send(
                True,
                t + gap,
                pk.tls_application_data_header(min(request, 16401)),
                extra=request,
                rate=request_rate,
                ack_last=False,
            )
            t = c.send(
                False,
                t + int(self.rng.uniform(0.5, 8) * MS),
                pk.tls_application_data_header(min(response, 16401)),
                extra=response,
                rate=DOWN_BYTES_PER_S,
            )
        t = c.close(True, t + int(idle_s * SECOND))
        r.finish(c)
        return t

    # -- QUIC --------------------------------------------------------------------------

    def quic(
        self,
        t: int,
        host: str,
        name: str,
        responses: list[int],
        *,
        gaps_s: list[float] | None = None,
        idle_s: float = 10.0,
    ) -> int:
        """An HTTP/3 connection over QUIC, after a DNS lookup (see
        :func:`_quic_connection`).
        """
        r = self.router
        t = self.lookup(t, host, name)
        server = TODAY_SITES[name][0]
        port = r.lan.ephemeral_port(host)
        return _quic_connection(
            self.rng,
            lambda ts, data: r.udp(ts, host, server, port, 443, data),
            lambda ts, data: r.udp(ts, server, host, 443, port, data),
            t,
            name,
            responses,
            rtt_ns=int(r.rtt_ms[server] * MS),
            lan_delay=r.lan_delay,
            gaps_s=gaps_s,
            idle_s=idle_s,
        )

    # -- planted episodes --------------------------------------------------------------

    def dns_tunnel(self, x: DnsTunnel) -> None:
        r, rng = self.router, self.rng
        t = x.start.value
        for sequence in range(x.queries):
            chunk = struct.pack("!H", sequence) + rng.bytes(x.bytes_per_query - 2)
            name = tunnel_name(chunk, x.domain)
            port = r.lan.ephemeral_port(x.host)
            ident = int(rng.integers(0, 65536))
            r.udp(t, x.host, x.resolver, port, 53, pk.dns_query(ident, name, "TXT"))
            back = t + int(
                rng.uniform(60, 120) * MS
            )  # resolver -> the tunnel's own name server
            r.udp(
                back,
                x.resolver,
                x.host,
                53,
                port,
                pk.dns_txt_response(ident, name, [_base32(rng.bytes(5)).encode()]),
            )
            t += int((x.interval_s + rng.uniform(0, 0.05)) * SECOND)

    def scan(self, t: int) -> None:
        r, rng = self.router, self.rng
        for k, port in enumerate((22, 23, 80, 443, 445, 3389, 8080)):
            segment = pk.tcp(
                SCANNER,
                PUBLIC,
                40000 + k,
                port,
                seq=int(rng.integers(0, 2**32)),
                flags=pk.SYN,
                window=1024,
                options=pk.tcp_options(mss=1460),
            )
            r.from_internet(
                t + k * 3 * MS,
                SCANNER,
                pk.ip(
                    SCANNER,
                    PUBLIC,
                    pk.PROTO_TCP,
                    segment,
                    ttl=47,
                    ident=int(rng.integers(0, 65536)),
                ),
            )
        ssdp = (
            b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "
            b'"ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n'
        )
        r.from_internet(
            t + 40 * MS,
            SCANNER,
            pk.ip(
                SCANNER,
                PUBLIC,
                pk.PROTO_UDP,
                pk.udp(SCANNER, PUBLIC, 40100, 1900, ssdp),
                ttl=47,
            ),
        )
        r.from_internet(
            t + 60 * MS,
            SCANNER,
            pk.ip(
                SCANNER,
                PUBLIC,
                pk.PROTO_ICMP,
                pk.icmp_echo(SCANNER, PUBLIC, 0x5CA1, 1, bytes(32)),
                ttl=47,
            ),
        )

    def spoofed(self) -> None:
        src, dst, port, when = SPOOFED
        segment = pk.tcp(
            src,
            dst,
            51515,
            port,
            seq=int(self.rng.integers(0, 2**32)),
            flags=pk.SYN,
            options=pk.tcp_options(mss=1460, window_scale=7, sack_permitted=True),
        )
        self.router.from_internet(
            when.value,
            src,
            pk.ip(src, dst, pk.PROTO_TCP, segment, ttl=51, ident=4242),
            dst=dst,
        )

    def lan_only(self, t: int) -> None:
        """Traffic between the hosts and the router itself: ARP, NTP, the router's web
        page.
        """
        r, rng = self.router, self.rng
        for k, host in enumerate(WORKSTATIONS + (NAS,)):
            ts = t + k * 7 * SECOND
            r.lan.add(
                ts,
                ROUTER_LAN,
                host,
                pk.arp(1, _mac(ROUTER_LAN), ROUTER_LAN, "00:00:00:00:00:00", host),
                ethertype=pk.ETHERTYPE_ARP,
                dst_mac="ff:ff:ff:ff:ff:ff",
            )
            r.lan.add(
                ts + int(rng.integers(100 * US, 900 * US)),
                host,
                ROUTER_LAN,
                pk.arp(2, _mac(host), host, _mac(ROUTER_LAN), ROUTER_LAN),
                ethertype=pk.ETHERTYPE_ARP,
            )
            tn = ts + 30 * SECOND
            r.udp(tn, host, ROUTER_LAN, 123, 123, pk.ntp(3, tn))
            reply = tn + int(rng.integers(80 * US, 400 * US))
            r.udp(
                reply,
                ROUTER_LAN,
                host,
                123,
                123,
                pk.ntp(
                    4,
                    reply,
                    originate_ns=tn,
                    receive_ns=reply - 20 * US,
                    stratum=3,
                    reference_id=bytes([192, 0, 2, 123]),
                ),
            )
        c = r.tcp(ADMIN, ROUTER_LAN, 443, rtt_ms=0.3)  # the router's own web page
        ts = c.open(t + 200 * SECOND)
        ts = self.tls_handshake(c, ts, "router.office.example")
        ts = c.send(
            True, ts, pk.tls_application_data_header(420), extra=420, ack_last=False
        )
        ts = c.send(
            False, ts + 2 * MS, pk.tls_application_data_header(16401), extra=38_000
        )
        c.close(True, ts + 8 * SECOND)
        r.finish(c)


def _quic_connection(
    rng: np.random.Generator,
    up: Callable[[int, bytes], None],
    down: Callable[[int, bytes], None],
    t: int,
    name: str,
    responses: list[int],
    *,
    rtt_ns: int,
    lan_delay: Callable[[], int],
    gaps_s: list[float] | None = None,
    idle_s: float = 10.0,
    probe: Callable[[int, bytes], None] | None = None,
) -> int:
    """An HTTP/3 connection: QUIC handshake, one request and response per item of
    ``responses`` (bytes), then the client's CONNECTION_CLOSE after ``idle_s``. ``up``
    and ``down`` emit a UDP payload from the client and from the server at a time (ns,
    at the capture point).

    The client's Initial is protected with the keys of RFC 9001 (anyone can read its
    ClientHello); the Handshake and 1-RTT packets are random bytes, as unreadable as the
    real ones. ``probe``, if given, receives a 1,452-byte path MTU probe (RFC 9000
    section 14.3) sent after the handshake.
    """
    dcid, cscid, sscid = rng.bytes(8), rng.bytes(8), rng.bytes(8)
    params = b"".join(
        [
            pk.quic_varint(0x01)
            + pk.quic_varint(4)
            + pk.quic_varint(600_000),  # max_idle_timeout
            pk.quic_varint(0x04) + pk.quic_varint(4) + pk.quic_varint(15_728_640),
            pk.quic_varint(0x0F) + pk.quic_varint(8) + cscid,
        ]
    )  # initial_source_cid
    hello = pk.tls_client_hello_message(
        name,
        random=rng.bytes(32),
        key_share=rng.bytes(32),
        alpn=("h3",),
        cipher_suites=(0x1301, 0x1302, 0x1303),
        versions=(0x0304,),
        more_extensions=[pk.tls_extension(0x39, params)],
    )
    up(
        t,
        pk.quic_initial(
            QUIC_V1,
            dcid,
            cscid,
            0,
            pk.quic_crypto_frame(0, hello),
            client=True,
            pad_to=1200,
        ),
    )
    t += rtt_ns + int(rng.uniform(0.3, 3) * MS)
    server_hello = pk.tls_server_hello_message(
        random=rng.bytes(32), key_share=rng.bytes(32)
    )
    initial = pk.quic_initial(
        QUIC_V1,
        cscid,
        sscid,
        0,
        pk.quic_ack_frame(0) + pk.quic_crypto_frame(0, server_hello),
        client=False,
        keys_dcid=dcid,
    )
    down(
        t,
        initial
        + pk.quic_handshake(
            QUIC_V1, cscid, sscid, 1200 - len(initial) - 25, fill=rng.bytes
        ),
    )
    down(
        t + 60 * US,
        pk.quic_handshake(
            QUIC_V1, cscid, sscid, int(rng.integers(700, 1100)), fill=rng.bytes
        ),
    )
    t += 2 * lan_delay() + int(rng.uniform(0.1, 1) * MS)
    handshake = pk.quic_handshake(QUIC_V1, sscid, cscid, 58, fill=rng.bytes)
    ack = pk.quic_initial(
        QUIC_V1,
        sscid,
        cscid,
        1,
        pk.quic_ack_frame(0),
        client=True,
        keys_dcid=dcid,
        pad_to=1200 - len(handshake),
    )
    up(t, ack + handshake)
    if probe is not None:
        probe(t + MS, pk.quic_short(sscid, 1452 - 9, fill=rng.bytes))
    gaps = gaps_s or [float(rng.uniform(0.5, 15)) for _ in responses]
    for k, size in enumerate(responses):
        if k:
            t += int(gaps[k] * SECOND)
        up(
            t + 50 * US,
            pk.quic_short(sscid, int(rng.integers(80, 400)), fill=rng.bytes),
        )  # HEADERS request
        t += rtt_ns + int(rng.uniform(1, 8) * MS)
        sent, n = 0, 0
        while sent < size:
            chunk = min(1350 - 9 - 1, size - sent)  # 1,350-byte datagrams
            down(t, pk.quic_short(cscid, chunk + 1, fill=rng.bytes))
            sent += chunk
            n += 1
            if n % 2 == 0 or sent >= size:  # an ACK every second packet
                up(
                    t + 2 * lan_delay(),
                    pk.quic_short(sscid, int(rng.integers(24, 34)), fill=rng.bytes),
                )
            t += int(1350 / DOWN_BYTES_PER_S * SECOND)
    t += int(idle_s * SECOND)
    up(
        t, pk.quic_short(sscid, int(rng.integers(24, 40)), fill=rng.bytes)
    )  # CONNECTION_CLOSE
    return t


def _browse(office: _Office, t: int, host: str, *, ech_ok: bool) -> None:
    rng = office.rng
    choice = str(
        rng.choice(
            [
                "www.example.com",
                "news.example.org",
                "docs.example.com",
                "mail.example.com",
            ],
            p=[0.35, 0.25, 0.2, 0.2],
        )
    )
    if ech_ok and rng.random() < 0.3:
        choice = ECH_SITE
    if choice in HTTP3_SITES:
        office.quic(
            t, host, choice, [int(min(rng.lognormal(np.log(12_000), 0.7), 60_000))]
        )
        office.quic(
            t + int(rng.uniform(0.05, 0.3) * SECOND),
            host,
            "cdn.example.net",
            [int(min(rng.lognormal(np.log(18_000), 0.7), 80_000))],
        )
    elif choice == ECH_SITE:
        office.https(
            t,
            host,
            ECH_SITE,
            [(int(rng.integers(350, 900)), int(rng.lognormal(np.log(30_000), 0.8)))],
            ech=True,
            qtypes=("A", "HTTPS"),
            idle_s=float(rng.uniform(5, 30)),
        )
    else:
        office.https(
            t,
            host,
            choice,
            [
                (
                    int(rng.integers(350, 900)),
                    int(min(rng.lognormal(np.log(30_000), 1.0), 400_000)),
                )
            ],
            idle_s=float(rng.uniform(5, 30)),
        )


def _morning(rng: np.random.Generator) -> _Office:
    office = _Office(rng)
    start = START.value
    office.open_doh(start + 2 * SECOND, EVENTS["doh host"])
    for host in WORKSTATIONS:
        t = start + int(rng.uniform(5, 40) * SECOND)
        ech_ok = host in EVENTS["ech hosts"]
        if host == TUNNEL.host:
            office.https(
                t,
                host,
                "telemetry.example.com",
                [(int(rng.integers(1500, 4000)), 400)],
                idle_s=2,
            )
            continue
        while t < END.value - 60 * SECOND:
            _browse(office, t, host, ech_ok=ech_ok)
            t += int(rng.exponential(110) * SECOND)
    # .11's long-lived QUIC connection, silent longer than the UDP stream timeout.
    x = REBINDING
    office.quic(
        x.start.value,
        x.host,
        "cdn.example.net",
        [40_000, 20_000, 30_000, 20_000],
        gaps_s=[0, 3.0, x.idle_s, 4.0],
        idle_s=5,
    )
    # .12 syncs to the cloud store; .13 leaks to it.
    office.https(
        start + int(3.2 * 60 * SECOND),
        "192.168.10.12",
        "storage.example.com",
        [(3_000_000, 600)],
        idle_s=3,
    )
    leak = CLOUD_LEAK
    office.https(
        leak.start.value,
        leak.host,
        "storage.example.com",
        [(leak.payload_bytes, 750)],
        idle_s=3,
        request_rate=0.96 * UP_BYTES_PER_S,
    )
    office.dns_tunnel(TUNNEL)
    office.scan(start + int(3.5 * 60 * SECOND))
    office.spoofed()
    office.lan_only(start + 10 * SECOND)
    if office.doh is not None:  # still open when the capture ends
        office.router.finish(office.doh)
    office.router.translate()
    return office


# --------------------------------------------------------------------------------------
# The IPv6 office
# --------------------------------------------------------------------------------------


class _V6Router:
    """Both interfaces of the IPv6 router in one capture: no NAT, a stateful filter (RFC
    6092).
    """

    LAN_IFACE, WAN_IFACE = 0, 1

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        lan = ipaddress.ip_network(V6_LAN)

        def lan_host(address: str) -> bool:
            a = ipaddress.ip_address(address)
            return a in lan and address != V6_ROUTER_LAN

        self.lan_host = lan_host
        router_mac = "02:00:20:01:0d:01"
        self.router_mac = router_mac
        self.host_mac = {
            h: "02:00:20:01:0d:" + h.rsplit(":", 1)[1].zfill(2)
            for h in V6_HOSTS + ("2001:db8:100:10::5",)
        }
        self.lan = _Capture(
            rng,
            local_mac=lambda a: self.host_mac.get(a),
            remote_mac=router_mac,
            sent_here=lambda src: not lan_host(src),
        )
        prefix = ipaddress.ip_network(V6_PREFIX)
        ours = lambda a: a == V6_ROUTER_WAN or ipaddress.ip_address(a) in prefix  # noqa: E731
        self.wan = _Capture(
            rng,
            local_mac=lambda a: WAN_V6_MAC if ours(a) else None,
            remote_mac=ISP_V6_MAC,
            sent_here=ours,
        )
        self.rtt_ms: dict[str, float] = {}

    def rtt(self, address: str) -> int:
        if address not in self.rtt_ms:
            self.rtt_ms[address] = float(self.rng.uniform(15, 60))
        return int(self.rtt_ms[address] * MS)

    def forwarded(
        self, t: int, src: str, dst: str, packet: bytes, unseen: int = 0
    ) -> None:
        """A packet the router forwards, seen on the LAN and on the WAN with the hop
        limit one apart.
        """
        delay = int(self.rng.integers(20 * US, 60 * US))
        if self.lan_host(src):
            self.lan.add(t, src, dst, packet, unseen)
            self.wan.add(t + delay, src, dst, _hop(packet, -1), unseen)
        else:
            self.wan.add(t - delay, src, dst, _hop(packet, +1), unseen)
            self.lan.add(t, src, dst, packet, unseen)

    def dropped(self, t: int, src: str, dst: str, packet: bytes) -> None:
        """A packet from the internet that the router drops: it exists on the WAN only,
        received.
        """
        frame = pk.ethernet(WAN_V6_MAC, ISP_V6_MAC, pk.ETHERTYPE_IPV6, packet, pad=True)
        self.wan.frames.append((int(t), len(self.wan.frames), frame, len(frame), 1))

    def tcp(self, client: str, server: str, port: int, **kw) -> pk.TcpConnection:
        return pk.TcpConnection(
            pk.Endpoint(
                client,
                self.lan.ephemeral_port(client),
                int(self.rng.integers(0, 2**32)),
                ttl=64,
                mss=1440,
            ),
            pk.Endpoint(
                server, port, int(self.rng.integers(0, 2**32)), ttl=52, mss=1440
            ),
            client_delay_ns=int(self.rng.integers(150 * US, 400 * US)),
            server_delay_ns=self.rtt(server) // 2,
            max_segment=kw.pop("max_segment", 44 * 1440),
            keep=SNAPLEN - 74,
            fill=self.rng.bytes,
            stack_delay_ns=int(self.rng.integers(15 * US, 60 * US)),
            **kw,
        )

    def finish(self, c: pk.TcpConnection) -> None:
        for s in c.segments:
            src, dst = (
                (c.client.address, c.server.address)
                if s.from_client
                else (c.server.address, c.client.address)
            )
            self.forwarded(s.time_ns, src, dst, s.packet, s.unseen)


def _hop(packet: bytes, change: int) -> bytes:
    """An IPv6 packet with its hop limit changed (IPv6 has no header checksum to
    update).
    """
    return packet[:7] + bytes([packet[7] + change]) + packet[8:]


def _ipv6_morning(rng: np.random.Generator) -> _V6Router:
    r = _V6Router(rng)
    start = V6_START.value
    # Neighbor Discovery on the LAN: the router asks for each host's link-layer address.
    for k, host in enumerate(V6_HOSTS):
        t = start + (2 + k) * SECOND
        target = pk.solicited_node(host)
        r.lan.add(
            t,
            V6_ROUTER_LINK_LOCAL,
            target,
            pk.ipv6(
                V6_ROUTER_LINK_LOCAL,
                target,
                pk.PROTO_ICMPV6,
                pk.icmpv6_neighbor(
                    V6_ROUTER_LINK_LOCAL,
                    target,
                    host,
                    r.router_mac,
                    advertisement=False,
                ),
                hop_limit=255,
            ),
            dst_mac="33:33:"
            + ":".join(f"{b:02x}" for b in ipaddress.IPv6Address(target).packed[-4:]),
        )
        reply = pk.icmpv6_neighbor(
            host, V6_ROUTER_LINK_LOCAL, host, r.host_mac[host], advertisement=True
        )
        r.lan.add(
            t + int(rng.integers(100 * US, 500 * US)),
            host,
            V6_ROUTER_LINK_LOCAL,
            pk.ipv6(host, V6_ROUTER_LINK_LOCAL, pk.PROTO_ICMPV6, reply, hop_limit=255),
        )
    # Outbound: DNS over IPv6, then HTTPS from each host.
    for k, host in enumerate(V6_HOSTS[:4]):
        t = start + (10 + 25 * k) * SECOND
        for name in ("www.example.com", "docs.example.com"):
            port = r.lan.ephemeral_port(host)
            ident = int(rng.integers(0, 65536))
            r.forwarded(
                t,
                host,
                V6_RESOLVER,
                pk.ipv6(
                    host,
                    V6_RESOLVER,
                    pk.PROTO_UDP,
                    pk.udp(
                        host, V6_RESOLVER, port, 53, pk.dns_query(ident, name, "AAAA")
                    ),
                ),
            )
            t += r.rtt(V6_RESOLVER) + int(rng.integers(200 * US, 2 * MS))
            r.forwarded(
                t,
                V6_RESOLVER,
                host,
                pk.ipv6(
                    V6_RESOLVER,
                    host,
                    pk.PROTO_UDP,
                    pk.udp(
                        V6_RESOLVER,
                        host,
                        53,
                        port,
                        pk.dns_response(ident, name, "AAAA", [SITES[name][1]]),
                    ),
                    hop_limit=55,
                ),
            )
            c = r.tcp(host, SITES[name][1], 443)
            t = c.open(t + MS)
            t = c.send(
                True,
                t,
                pk.tls_client_hello(
                    name, random=rng.bytes(32), key_share=rng.bytes(32)
                ),
                ack_last=False,
            )
            flight = int(rng.integers(2500, 4000))
            t = c.send(
                False,
                t + 2 * MS,
                pk.tls_server_hello(random=rng.bytes(32), key_share=rng.bytes(32))
                + pk.tls_application_data_header(flight),
                extra=flight,
                ack_last=False,
            )
            t = c.send(
                True, t, pk.tls_application_data_header(400), extra=400, ack_last=False
            )
            t = c.send(
                False,
                t + 3 * MS,
                pk.tls_application_data_header(16401),
                extra=int(rng.integers(20_000, 120_000)),
                rate=DOWN_BYTES_PER_S,
            )
            t = c.close(True, t + 5 * SECOND)
            r.finish(c)
            t += 3 * SECOND
    # A QUIC connection probes the path MTU: a router on the path answers Packet Too
    # Big, which quotes the probe, a packet of a tracked flow (RFC 6092, REC-18), and so
    # passes.
    host, server = (
        IPV6_EVENTS["packet too big, related"][1],
        SITES["cdn.example.net"][1],
    )
    port = r.lan.ephemeral_port(host)
    rtt = r.rtt(server)

    def probe(ts: int, payload: bytes) -> None:
        packet = pk.ipv6(
            host, server, pk.PROTO_UDP, pk.udp(host, server, port, 443, payload)
        )
        r.forwarded(ts, host, server, packet)
        too_big = pk.icmpv6_error(
            V6_TRANSIT_ROUTER,
            host,
            "packet too big",
            _hop(packet, -3),
            value=V6_PATH_MTU,
        )
        r.forwarded(
            ts + rtt // 3,
            V6_TRANSIT_ROUTER,
            host,
            pk.ipv6(V6_TRANSIT_ROUTER, host, pk.PROTO_ICMPV6, too_big, hop_limit=61),
        )

    _quic_connection(
        rng,
        lambda ts, data: r.forwarded(
            ts,
            host,
            server,
            pk.ipv6(host, server, pk.PROTO_UDP, pk.udp(host, server, port, 443, data)),
        ),
        lambda ts, data: r.forwarded(
            ts,
            server,
            host,
            pk.ipv6(
                server,
                host,
                pk.PROTO_UDP,
                pk.udp(server, host, 443, port, data),
                hop_limit=52,
            ),
        ),
        start + 150 * SECOND,
        "cdn.example.net",
        [80_000],
        rtt_ns=rtt,
        lan_delay=lambda: int(rng.integers(150 * US, 400 * US)),
        idle_s=5,
        probe=probe,
    )
    # A Packet Too Big that quotes no flow the router knows: dropped (RFC 6092, REC-10).
    stranger, target = (
        "2001:db8:100:10::14",
        IPV6_EVENTS["packet too big, unrelated"][1],
    )
    fake = pk.ipv6(
        target,
        "2001:db8:77::7",
        pk.PROTO_UDP,
        pk.udp(target, "2001:db8:77::7", 40404, 443, bytes(1452)),
        hop_limit=61,
    )
    assert stranger == target
    r.dropped(
        start + 200 * SECOND,
        V6_TRANSIT_ROUTER,
        target,
        pk.ipv6(
            V6_TRANSIT_ROUTER,
            target,
            pk.PROTO_ICMPV6,
            pk.icmpv6_error(
                V6_TRANSIT_ROUTER, target, "packet too big", fake, value=1280
            ),
            hop_limit=61,
        ),
    )
    # Unsolicited inbound SYN: dropped, then answered "administratively prohibited"
    # after 6 s (REC-34).
    scanner, victim, port = IPV6_EVENTS["unsolicited SYN"]
    syn = pk.ipv6(
        scanner,
        victim,
        pk.PROTO_TCP,
        pk.tcp(
            scanner,
            victim,
            50123,
            port,
            seq=int(rng.integers(0, 2**32)),
            flags=pk.SYN,
            options=pk.tcp_options(mss=1440),
        ),
        hop_limit=50,
    )
    t = start + 90 * SECOND
    r.dropped(t, scanner, victim, syn)
    prohibited = pk.icmpv6_error(
        V6_ROUTER_WAN, scanner, "destination unreachable", syn, code=1
    )
    r.wan.add(
        t + 6 * SECOND + 1 * MS,
        V6_ROUTER_WAN,
        scanner,
        pk.ipv6(V6_ROUTER_WAN, scanner, pk.PROTO_ICMPV6, prohibited, hop_limit=64),
    )
    # A monitor pings a workstation: RFC 4890 says echo requests and replies must pass.
    monitor, pinged = IPV6_EVENTS["echo request"]
    for k in range(3):
        t = start + (120 + k) * SECOND
        payload = bytes(range(16, 56))
        r.forwarded(
            t,
            monitor,
            pinged,
            pk.ipv6(
                monitor,
                pinged,
                pk.PROTO_ICMPV6,
                pk.icmp_echo(monitor, pinged, 0x4D4F, k + 1, payload),
                hop_limit=55,
            ),
        )
        r.forwarded(
            t + 300 * US,
            pinged,
            monitor,
            pk.ipv6(
                pinged,
                monitor,
                pk.PROTO_ICMPV6,
                pk.icmp_echo(pinged, monitor, 0x4D4F, k + 1, payload, reply=True),
            ),
        )
    # A packet from the internet claiming an inside source: dropped (RFC 6092, REC-6;
    # uRPF).
    src, dst, port = IPV6_EVENTS["spoofed"]
    r.dropped(
        start + 240 * SECOND,
        src,
        dst,
        pk.ipv6(
            src,
            dst,
            pk.PROTO_TCP,
            pk.tcp(
                src,
                dst,
                51515,
                port,
                seq=int(rng.integers(0, 2**32)),
                flags=pk.SYN,
                options=pk.tcp_options(mss=1440),
            ),
            hop_limit=49,
        ),
    )
    return r


# --------------------------------------------------------------------------------------


def build() -> tuple[_Office, _V6Router]:
    """Generate the office router's morning in memory: the NAT pair's office and the
    IPv6 router.
    """
    return _morning(np.random.default_rng(SEED)), _ipv6_morning(
        np.random.default_rng(SEED + 1)
    )


def nat_table(office: _Office) -> pd.DataFrame:
    """The generator's NAT mappings (ground truth), one row per mapping, in order of
    creation.
    """
    rows = [
        (
            m.protocol,
            m.inside,
            m.inside_port,
            m.remote,
            m.remote_port,
            m.public_port,
            pd.Timestamp(m.created_ns, tz="UTC"),
        )
        for m in office.router.mappings
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "protocol",
            "inside",
            "inside_port",
            "remote",
            "remote_port",
            "public_port",
            "created",
        ],
    )


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``captures/office-router-lan.pcapng``, ``-wan.pcapng`` and ``-ipv6.pcapng``
    below ``data_dir``.
    """
    folder = Path(data_dir) / "captures"
    folder.mkdir(parents=True, exist_ok=True)
    office, v6 = build()
    iface = [(LINKTYPE_ETHERNET, 9, SNAPLEN)]
    written = []
    for name, capture in (
        ("office-router-lan.pcapng", office.router.lan),
        ("office-router-wan.pcapng", office.router.wan),
    ):
        records = (
            (0, t, frame, length, flags)
            for t, _, frame, length, flags in capture.sorted_frames()
        )
        written.append(write_pcapng(folder / name, records, interfaces=iface))
    both = sorted(
        [
            (t, 0, k, frame, length, flags)
            for t, k, frame, length, flags in v6.lan.frames
        ]
        + [
            (t, 1, k, frame, length, flags)
            for t, k, frame, length, flags in v6.wan.frames
        ]
    )
    written.append(
        write_pcapng(
            folder / "office-router-ipv6.pcapng",
            ((i, t, frame, length, flags) for t, i, _, frame, length, flags in both),
            interfaces=iface * 2,
        )
    )
    return written
