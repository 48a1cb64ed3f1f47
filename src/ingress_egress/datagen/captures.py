"""Captures: the two packet captures of the networking notebooks, generated frame by
frame.

Every frame is built with :mod:`ingress_egress.packets` (real Ethernet, IPv4/IPv6, TCP,
UDP, DNS, DHCP, NTP, TLS and HTTP structure, correct checksums, sequence and
acknowledgement numbers that add up) and written with
:func:`ingress_egress.captures.write_pcap` / ``write_pcapng``. One seeded ``numpy``
generator drives all choices, so the files are the same bytes on every machine.

``captures/office-day.pcap``: a small office's day at its internet router
    The office network is ``192.168.10.0/24``; the capture is taken on the router's LAN
    interface, *inside* the NAT, so the office's private addresses are visible and every
    public host is a documentation address (192.0.2.0/24, 198.51.100.0/24,
    203.0.113.0/24). Microsecond pcap, Ethernet, snap length 256 bytes, Tuesday
    2026-03-10 00:00 to 24:00 UTC (the office keeps UTC). The internet link is 50 Mbit/s
    down and 20 Mbit/s up. Every office host runs Linux (IP TTL 64, client ports
    counting up from a random start in 32768-60999). What happens:

    - DNS: hosts ask the ISP's resolver ``192.0.2.53`` for A and AAAA records before
      connecting, and reuse an answer for its 300 s TTL: every TCP connection to a name
      follows an answer for that name received by the same host less than 300 s before;
    - browsing from nine workstations (``.11``-``.18``, ``.23``) in office hours: HTTPS
      with a TLS ClientHello naming the site (SNI), some plain HTTP to
      ``legacy.example.org`` and ``updates.example.net``; a visitor's laptop joins by
      DHCP at 10:05 and becomes ``.57``;
    - internal traffic: NTP from hosts to the router ``192.168.10.1``, the DHCP offer
      and ack; the laptop's DHCP DISCOVER and REQUEST (``0.0.0.0 -> 255.255.255.255``)
      are *external* to any inside you can name; ARP frames (no IP at all) as the router
      refreshes its cache;
    - a ping from ``.12`` to ``www.example.com`` at 09:40: four ICMP echo requests
      (98-byte frames, as Linux ``ping`` sends them) and their replies, right after
      ``.12``'s DNS lookup of the name;
    - the **video download**: ``.16`` fetches a 150 MB video from ``video.example.net``
      (``192.0.2.80:443``) at 12:20: an *outbound* connection that brings the bytes
      *in*;
    - the **cloud upload**: ``.17`` sends 200 MB to ``storage.example.com``
      (``203.0.113.10:443``) at 15:20, egress-heavy, close to the 20 Mbit/s uplink;
    - the **nightly backup**: the NAS ``192.168.10.5`` sends 100 MB over SSH to
      ``backup.example.org`` (``203.0.113.50:22``) at 01:00;
    - and one **exfiltration episode**, the ground truth of notebook 04
      (:data:`EXFILTRATION`):

      ========================= ========================================================
      host                      ``192.168.10.23`` (a workstation left on overnight)
      destination               ``198.51.100.77``, TCP port ``4444``; no DNS lookup
                                precedes it
      first packet (SYN)        2026-03-10 02:10:00.000336 UTC; last (the final ACK)
                                04:39:32.459
      stream                    a 64,240-byte burst every 2.2 to 2.6 s (mean 2.4 s) for
                                2 h 29 min
      payload sent              240,000,000 bytes (0.24 GB): 3,735 bursts of 64,240
                                bytes and one of 63,600; the destination sends nothing
                                back but one ACK a burst
      in the capture            egress 3,740 packets, 240,201,990 bytes (sum of
                                ``length``); ingress 3,738 packets, 201,864 bytes
      ========================= ========================================================

``captures/web-server.pcapng``: a web server's own view
    ``www.example.org`` at ``203.0.113.80`` and ``2001:db8:80::80``, captured on the
    server itself (pcapng, one Ethernet interface, nanosecond timestamps, snap length
    256, inbound/outbound flags on every packet) from 14:00 to 15:00 UTC on the same
    day. Clients from 192.0.2.0/24, 198.51.100.0/24 and 2001:db8:1::/48 (a third of them
    over IPv6) open HTTPS connections and fetch pages and images; plain HTTP on port 80
    gets a 301 redirect to HTTPS. One client downloads a 20 MB file. A scanner
    (``198.51.100.200``) probes 14 ports at 14:20 (SYN, then RST+ACK from a closed port
    or SYN-ACK from an open one); an administrator logs in over SSH from
    ``192.0.2.250``. The server's own egress: DNS to ``192.0.2.53``, NTP to
    ``192.0.2.123``, a package update over HTTP from ``deb.example.com``
    (``192.0.2.44``). Monitoring pings it every minute over ICMP and ICMPv6.

**Why the files are small.** A day of a real office is gigabytes. Two realistic choices
keep these files at a few MB while every length stays true: a **snap length of 256
bytes** (the file keeps the headers and the start of each payload, enough for the TLS
ClientHello and the HTTP request line; the record's original length keeps the size on
the wire), and **offloaded segments**: like ``tcpdump`` on a Linux host with TCP
segmentation and generic receive offload (TSO/GRO), bulk data appears as super-packets
of up to 64,240 payload bytes (44 segments of 1,460 bytes) with one set of headers, and
the receiver ACKs every second super-packet. Byte counts (the sum of ``length``) are
therefore what the capture point recorded: about 43 x 54 = 2,322 header bytes per full
super-packet (3.6 %) less than the separate frames on the wire. Payload bytes past the
snap length are not stored; checksums are computed as if they were zeros (see
:mod:`ingress_egress.packets`), so every frame stored whole has correct checksums.

Examples
--------
>>> (
...     EXFILTRATION.host,
...     EXFILTRATION.destination,
...     EXFILTRATION.port,
...     EXFILTRATION.payload_bytes,
... )
('192.168.10.23', '198.51.100.77', 4444, 240000000)
>>> str(EXFILTRATION.start)
'2026-03-10 02:10:00+00:00'
"""

from __future__ import annotations

import bisect
import ipaddress
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress import packets as pk
from ingress_egress.captures import LINKTYPE_ETHERNET, write_pcap, write_pcapng

SEED = 20260310
SNAPLEN = 256
DAY = pd.Timestamp("2026-03-10", tz="UTC")
DAY_NS = DAY.value
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
MS = 1_000_000

OFFICE_NETWORK = "192.168.10.0/24"
ROUTER = "192.168.10.1"
NAS = "192.168.10.5"
WORKSTATIONS = tuple(f"192.168.10.{n}" for n in (11, 12, 13, 14, 15, 16, 17, 18, 23))
VISITOR = "192.168.10.57"
RESOLVER = "192.0.2.53"
DOWN_BYTES_PER_S = 50e6 / 8
UP_BYTES_PER_S = 20e6 / 8

SITES = {
    "www.example.com": ("192.0.2.10", "2001:db8:10::10"),
    "cdn.example.net": ("192.0.2.20", "2001:db8:20::20"),
    "news.example.org": ("192.0.2.30", None),
    "mail.example.com": ("192.0.2.40", "2001:db8:40::40"),
    "docs.example.com": ("192.0.2.50", "2001:db8:50::50"),
    "telemetry.example.com": ("192.0.2.60", None),
    "video.example.net": ("192.0.2.80", "2001:db8:80::1"),
    "legacy.example.org": ("192.0.2.90", None),
    "updates.example.net": ("192.0.2.100", None),
    "storage.example.com": ("203.0.113.10", "2001:db8:113::10"),
    "backup.example.org": ("203.0.113.50", None),
}
"""Public names the office uses, with their documentation addresses (IPv4, IPv6 or
None).
"""


@dataclass(frozen=True)
class Episode:
    """The ground truth of one traffic episode in a generated capture."""

    host: str
    destination: str
    port: int
    protocol: str
    start: pd.Timestamp
    payload_bytes: int
    burst_bytes: int
    mean_interval_s: float


EXFILTRATION = Episode(
    host="192.168.10.23",
    destination="198.51.100.77",
    port=4444,
    protocol="TCP",
    start=DAY + pd.Timedelta(hours=2, minutes=10),
    payload_bytes=240_000_000,
    burst_bytes=64_240,
    mean_interval_s=2.4,
)
"""The exfiltration episode in ``office-day.pcap``: what notebook 04 must find."""

VIDEO_DOWNLOAD = Episode(
    "192.168.10.16",
    "192.0.2.80",
    443,
    "TCP",
    DAY + pd.Timedelta(hours=12, minutes=20),
    150_000_000,
    64_240,
    0.0,
)
"""The video download: an outbound HTTPS connection from ``.16`` bringing 150 MB in
(response body).
"""
CLOUD_UPLOAD = Episode(
    "192.168.10.17",
    "203.0.113.10",
    443,
    "TCP",
    DAY + pd.Timedelta(hours=15, minutes=20),
    200_000_000,
    64_240,
    0.0,
)
"""The cloud upload: ``.17`` sends a 200 MB request body to ``storage.example.com``."""
BACKUP = Episode(
    NAS,
    "203.0.113.50",
    22,
    "TCP",
    DAY + pd.Timedelta(hours=1),
    100_000_000,
    64_240,
    0.0,
)
"""The nightly backup: 100 MB from the NAS over SSH to the off-site host."""


def _mac(address: str) -> str:
    """A locally administered MAC address derived from an IPv4 address
    (02:00:c0:a8:0a:0b for 192.168.10.11).
    """
    return "02:00:" + ":".join(
        f"{b:02x}" for b in ipaddress.ip_address(address).packed[-4:]
    )


BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"


class _Capture:
    """Frames collected at one capture point, then sorted by time and written."""

    def __init__(
        self,
        rng: np.random.Generator,
        *,
        local_mac: Callable[[str], str],
        remote_mac: str,
        sent_here: Callable[[str], bool],
    ) -> None:
        self.rng = rng
        self.local_mac = (
            local_mac  # MAC of a host on the captured link, or None if not on it
        )
        self.remote_mac = (
            remote_mac  # the router's MAC: frames to or from elsewhere carry it
        )
        self.sent_here = (
            sent_here  # did the capturing interface send a packet from this source?
        )
        self.frames: list[tuple[int, int, bytes, int, int]] = []
        self.ports: dict[str, int] = {}
        self.ident: dict[str, int] = {}

    def mac_of(self, address: str) -> str:
        return self.local_mac(address) or self.remote_mac

    def add(
        self,
        time_ns: int,
        src: str,
        dst: str,
        packet: bytes,
        unseen: int = 0,
        *,
        ethertype: int | None = None,
        src_mac: str | None = None,
        dst_mac: str | None = None,
    ) -> None:
        sent = self.sent_here(src)
        frame = pk.ethernet(
            dst_mac or self.mac_of(dst),
            src_mac or self.mac_of(src),
            ethertype or pk.ethertype_of(src),
            packet,
            pad=not sent,
        )
        flags = 2 if sent else 1
        self.frames.append(
            (int(time_ns), len(self.frames), frame, len(frame) + unseen, flags)
        )

    def add_segments(self, connection: pk.TcpConnection) -> None:
        for s in connection.segments:
            src, dst = (connection.client.address, connection.server.address)
            if not s.from_client:
                src, dst = dst, src
            self.add(s.time_ns, src, dst, s.packet, s.unseen)

    def next_ident(self, host: str) -> int:
        self.ident[host] = (
            self.ident.get(host, int(self.rng.integers(0, 65536))) + 1
        ) & 0xFFFF
        return self.ident[host]

    def ephemeral_port(self, host: str) -> int:
        """Ports go up from a random start in the Linux range 32768-60999, so no
        five-tuple repeats.
        """
        port = self.ports.get(host, int(self.rng.integers(32768, 45000))) + 1
        self.ports[host] = port
        return port

    def udp(
        self,
        t: int,
        src: str,
        dst: str,
        sport: int,
        dport: int,
        payload: bytes,
        *,
        ttl: int = 64,
        **kw,
    ) -> None:
        self.add(
            t,
            src,
            dst,
            pk.ip(
                src,
                dst,
                pk.PROTO_UDP,
                pk.udp(src, dst, sport, dport, payload),
                ttl=ttl,
                ident=self.next_ident(src),
            ),
            **kw,
        )

    def connection(
        self,
        client: str,
        server: str,
        port: int,
        *,
        client_delay_ns: int,
        server_delay_ns: int,
        client_ttl: int = 64,
        server_ttl: int = 64,
        fill: Callable[[int], bytes] | None = None,
        client_port: int | None = None,
    ) -> pk.TcpConnection:
        v4 = ipaddress.ip_address(client).version == 4
        mss = 1460 if v4 else 1440
        return pk.TcpConnection(
            pk.Endpoint(
                client,
                client_port or self.ephemeral_port(client),
                int(self.rng.integers(0, 2**32)),
                ttl=client_ttl,
                ident=int(self.rng.integers(0, 65536)),
                mss=mss,
            ),
            pk.Endpoint(
                server,
                port,
                int(self.rng.integers(0, 2**32)),
                ttl=server_ttl,
                ident=int(self.rng.integers(0, 65536)),
                mss=mss,
            ),
            client_delay_ns=client_delay_ns,
            server_delay_ns=server_delay_ns,
            max_segment=44 * mss,
            keep=SNAPLEN,
            fill=fill or self.random_bytes,
            stack_delay_ns=int(self.rng.integers(15_000, 60_000)),
        )

    def random_bytes(self, n: int) -> bytes:
        return self.rng.bytes(n)

    def sorted_frames(self) -> list[tuple[int, int, bytes, int, int]]:
        return sorted(self.frames)


def _text_filler(n: int) -> bytes:
    """The start of an HTML page body, as many bytes as asked."""
    line = b"<p>The quick brown fox jumps over the lazy dog.</p>\n"
    return (line * (n // len(line) + 1))[:n]


# --------------------------------------------------------------------------------------
# The office
# --------------------------------------------------------------------------------------


class _Office(_Capture):
    def __init__(self, rng: np.random.Generator) -> None:
        lan = ipaddress.ip_network(OFFICE_NETWORK)

        def local_mac(address: str) -> str | None:
            ip = ipaddress.ip_address(address)
            return _mac(address) if ip in lan else None

        super().__init__(
            rng,
            local_mac=local_mac,
            remote_mac=_mac(ROUTER),
            sent_here=lambda src: not _is_lan_host(src),
        )
        names = sorted(SITES)
        # Round-trip time from the router to each public host (ms), and its hop count
        # (TTL on arrival).
        self.rtt_ms = {
            a: float(rng.uniform(12, 70)) for n in names for a in [SITES[n][0]]
        }
        self.rtt_ms[RESOLVER] = 9.0
        self.rtt_ms[EXFILTRATION.destination] = 84.0
        self.ttl = {a: 64 - int(rng.integers(6, 20)) for a in self.rtt_ms}
        self.dns_lookups: dict[
            tuple[str, str], list[int]
        ] = {}  # when each host looked up each name
        self.host_ttl = {
            h: 64 for h in WORKSTATIONS + (NAS, VISITOR)
        }  # every office host runs Linux

    def lan_delay(self) -> int:
        return int(self.rng.integers(150_000, 400_000))

    def tcp_to(self, client: str, server: str, port: int, **kw) -> pk.TcpConnection:
        rtt = self.rtt_ms[server] * MS
        return self.connection(
            client,
            server,
            port,
            client_delay_ns=self.lan_delay(),
            server_delay_ns=int(rtt / 2),
            client_ttl=self.host_ttl[client],
            server_ttl=self.ttl[server],
            **kw,
        )

    def lookup(self, t: int, host: str, name: str) -> int:
        """Resolve ``name`` (A and AAAA, one socket) unless cached; returns when the A
        answer is in.

        The cache is checked against the lookups made *before* ``t``, whatever order the
        day's events are generated in, so no connection ever uses an answer from its
        future.
        """
        earlier = self.dns_lookups.setdefault((host, name), [])
        k = bisect.bisect_right(earlier, t)
        if k and t < earlier[k - 1] + 300 * SECOND:
            return t
        port = self.ephemeral_port(host)
        v4, v6 = SITES[name]
        ttl = self.ttl[RESOLVER]
        half = int(self.rtt_ms[RESOLVER] * MS / 2)
        done = t
        for k, (qtype, answers) in enumerate(
            (("A", [v4]), ("AAAA", [v6] if v6 else []))
        ):
            ident = int(self.rng.integers(0, 65536))
            tq = t + k * 40_000
            self.udp(
                tq + self.lan_delay(),
                host,
                RESOLVER,
                port,
                53,
                pk.dns_query(ident, name, qtype),
                ttl=self.host_ttl[host],
            )
            ta = tq + 2 * half + int(self.rng.integers(200_000, 3_000_000))
            self.udp(
                ta,
                RESOLVER,
                host,
                53,
                port,
                pk.dns_response(ident, name, qtype, answers),
                ttl=ttl,
            )
            done = max(done, ta + 300_000)
        bisect.insort(earlier, done)
        return done

    def https(
        self,
        t: int,
        host: str,
        name: str,
        exchanges: list[tuple[int, int]],
        *,
        idle_s: float = 20.0,
        request_rate: float | None = None,
        response_rate: float | None = None,
    ) -> int:
        """A DNS lookup, then an HTTPS connection with
        ``(request bytes, response bytes)`` exchanges.
        """
        t = self.lookup(t, host, name)
        server = SITES[name][0]
        c = self.tcp_to(host, server, 443)
        t = c.open(t)
        t = c.send(
            True,
            t,
            pk.tls_client_hello(
                name, random=self.rng.bytes(32), key_share=self.rng.bytes(32)
            ),
            ack_last=False,
        )
        think = lambda: int(self.rng.uniform(0.5, 8) * MS)  # noqa: E731
        flight = int(self.rng.integers(2500, 4500))
        t = c.send(
            False,
            t + think(),
            pk.tls_server_hello(random=self.rng.bytes(32), key_share=self.rng.bytes(32))
            + pk.tls_application_data_header(flight),
            extra=flight,
            ack_last=False,
        )
        for k, (request, response) in enumerate(exchanges):
            head = (
                pk.tls_record(20, b"\x01") + pk.tls_application_data_header(53)
                if k == 0
                else b""
            )
            body = pk.tls_application_data_header(min(request, 16401))
            t = c.send(
                True,
                t + (0 if k == 0 else int(self.rng.uniform(0.2, 20) * SECOND)),
                head + body,
                extra=request,
                rate=request_rate or UP_BYTES_PER_S,
                ack_last=False,
            )
            t = c.send(
                False,
                t + think(),
                pk.tls_application_data_header(min(response, 16401)),
                extra=response,
                rate=response_rate or DOWN_BYTES_PER_S,
            )
        t = c.close(True, t + int(idle_s * SECOND))
        self.add_segments(c)
        return t

    def http(
        self,
        t: int,
        host: str,
        name: str,
        path: str,
        response: int,
        *,
        idle_s: float = 5.0,
    ) -> int:
        """A plain HTTP/1.1 GET: the request line, Host and headers travel in clear
        text.
        """
        t = self.lookup(t, host, name)
        c = self.tcp_to(host, SITES[name][0], 80, fill=_text_filler)
        t = c.open(t)
        request = pk.http_request(
            "GET",
            name,
            path,
            headers=[
                ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64)"),
                ("Accept", "*/*"),
                ("Connection", "keep-alive"),
            ],
        )
        t = c.send(True, t, request, ack_last=False)
        head = pk.http_response(
            200,
            body_length=response,
            headers=[("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx")],
        )
        body = b"<!DOCTYPE html>\n<html><head><title>Example</title></head><body>\n"
        t = c.send(
            False,
            t + int(self.rng.uniform(2, 30) * MS),
            head + body,
            extra=response - len(body),
            rate=DOWN_BYTES_PER_S,
        )
        t = c.close(True, t + int(idle_s * SECOND))
        self.add_segments(c)
        return t

    def ntp_sync(self, t: int, host: str) -> None:
        port = 123
        self.udp(t, host, ROUTER, port, 123, pk.ntp(3, t), ttl=self.host_ttl[host])
        reply = t + int(self.rng.integers(80_000, 400_000))
        self.udp(
            reply,
            ROUTER,
            host,
            123,
            port,
            pk.ntp(
                4,
                reply,
                originate_ns=t,
                receive_ns=reply - 20_000,
                stratum=3,
                reference_id=bytes([192, 0, 2, 123]),
            ),
        )

    def arp_refresh(self, t: int, host: str) -> None:
        request = pk.arp(1, _mac(ROUTER), ROUTER, "00:00:00:00:00:00", host)
        self.add(
            t, ROUTER, host, request, ethertype=pk.ETHERTYPE_ARP, dst_mac=BROADCAST_MAC
        )
        reply = pk.arp(2, _mac(host), host, _mac(ROUTER), ROUTER)
        self.add(
            t + int(self.rng.integers(100_000, 900_000)),
            host,
            ROUTER,
            reply,
            ethertype=pk.ETHERTYPE_ARP,
        )

    def dhcp_join(self, t: int, host: str, hostname: str) -> int:
        xid = int(self.rng.integers(0, 2**32))
        mac = _mac(host)
        steps = [
            (1, "0.0.0.0", "255.255.255.255", dict(hostname=hostname)),
            (
                2,
                ROUTER,
                host,
                dict(yiaddr=host, server=ROUTER, router=ROUTER, dns=RESOLVER),
            ),
            (
                3,
                "0.0.0.0",
                "255.255.255.255",
                dict(hostname=hostname, requested=host, server=ROUTER),
            ),
            (
                5,
                ROUTER,
                host,
                dict(yiaddr=host, server=ROUTER, router=ROUTER, dns=RESOLVER),
            ),
        ]
        for kind, src, dst, options in steps:
            client = src == "0.0.0.0"
            message = pk.dhcp(kind, xid, mac, **options)
            self.udp(
                t,
                src,
                dst,
                68 if client else 67,
                67 if client else 68,
                message,
                ttl=64 if client else 64,
                src_mac=mac if client else None,
                dst_mac=BROADCAST_MAC if client else mac,
            )
            t += (
                int(self.rng.integers(1, 30) * MS)
                if client
                else int(self.rng.integers(300, 900) * MS)
            )
        return t

    def ping(self, t: int, host: str, target: str, count: int = 4) -> None:
        ident = int(self.rng.integers(1, 65536))
        for k in range(count):
            ts = t + k * SECOND
            # Linux ping: 56 data bytes, a timestamp (struct timeval, 16 bytes), then
            # 0x10, 0x11, ... 0x37.
            seconds, nanos = divmod(ts, SECOND)
            payload = struct.pack("<qq", seconds, nanos // 1000) + bytes(
                range(0x10, 0x38)
            )
            request = pk.icmp_echo(host, target, ident, k + 1, payload)
            self.add(
                ts + self.lan_delay(),
                host,
                target,
                pk.ipv4(
                    host,
                    target,
                    pk.PROTO_ICMP,
                    request,
                    ttl=self.host_ttl[host],
                    ident=self.next_ident(host),
                ),
            )
            reply = pk.icmp_echo(target, host, ident, k + 1, payload, reply=True)
            self.add(
                ts + int(self.rtt_ms[target] * MS) + int(self.rng.integers(0, 2 * MS)),
                target,
                host,
                pk.ipv4(
                    target,
                    host,
                    pk.PROTO_ICMP,
                    reply,
                    ttl=self.ttl[target],
                    ident=self.next_ident(target),
                ),
            )


def _is_lan_host(address: str) -> bool:
    """A host on the office LAN other than the router itself (whose frames the capture
    interface sends).
    """
    if address == "0.0.0.0":  # a DHCP client before it has an address
        return True
    return address != ROUTER and ipaddress.ip_address(address) in ipaddress.ip_network(
        OFFICE_NETWORK
    )


BROWSING = [
    # name, weight, connections per visit (site, cdn), exchanges per connection
    ("www.example.com", 3, True),
    ("news.example.org", 3, True),
    ("docs.example.com", 2, True),
    ("mail.example.com", 3, False),
]


def _browse_visit(office: _Office, t: int, host: str) -> None:
    rng = office.rng
    names = [b[0] for b in BROWSING]
    weights = np.array([b[1] for b in BROWSING], dtype=float)
    k = int(rng.choice(len(names), p=weights / weights.sum()))
    name, _, with_cdn = BROWSING[k]
    if rng.random() < 0.08:
        path = str(
            rng.choice(["/", "/forms/timesheet", "/archive/2019/", "/intranet-mirror/"])
        )
        office.http(
            t, host, "legacy.example.org", path, int(rng.integers(4_000, 60_000))
        )
        return
    n = int(rng.integers(1, 3))
    exchanges = [
        (
            int(rng.integers(350, 900)),
            int(min(rng.lognormal(np.log(30_000), 1.0), 2_000_000)),
        )
        for _ in range(n)
    ]
    office.https(t, host, name, exchanges, idle_s=float(rng.uniform(5, 60)))
    if with_cdn:
        m = int(rng.integers(1, 4))
        assets = [
            (
                int(rng.integers(300, 600)),
                int(min(rng.lognormal(np.log(60_000), 1.1), 5_000_000)),
            )
            for _ in range(m)
        ]
        office.https(
            t + int(rng.uniform(0.05, 0.3) * SECOND),
            host,
            "cdn.example.net",
            assets,
            idle_s=float(rng.uniform(5, 60)),
        )


def _office_day(rng: np.random.Generator) -> _Office:
    office = _Office(rng)
    day = DAY_NS

    # Workstations: arrive, sync time, check for updates, browse until they leave.
    for i, host in enumerate(WORKSTATIONS):
        arrive = day + int(rng.uniform(7.75, 9.25) * HOUR)
        leave = day + int(rng.uniform(16.75, 18.5) * HOUR)
        office.ntp_sync(arrive, host)
        office.arp_refresh(arrive - int(rng.integers(1, 5)) * SECOND, host)
        office.http(
            arrive + 20 * SECOND,
            host,
            "updates.example.net",
            "/check?os=desk-os&version=24.2",
            int(rng.integers(600, 1200)),
        )
        office.https(
            arrive + 40 * SECOND,
            host,
            "telemetry.example.com",
            [(int(rng.integers(1500, 4000)), 400)],
            idle_s=2,
        )
        t = arrive + int(rng.uniform(1, 5) * MINUTE)
        while t < leave:
            hour = (t - day) / HOUR
            lunch = 12.0 <= hour < 13.0
            _browse_visit(office, t, host)
            t += int(rng.exponential(30 if lunch else 12) * MINUTE)
        for hour in range(
            int((arrive - day) / HOUR) + 1, int((leave - day) / HOUR) + 1
        ):
            office.ntp_sync(day + hour * HOUR + int(rng.uniform(0, 59)) * SECOND, host)
            office.arp_refresh(
                day + hour * HOUR + int(rng.uniform(20, 40) * MINUTE), host
            )

    # The workstation left on overnight (the exfiltration host) and the NAS: background
    # all day.
    for host in (EXFILTRATION.host, NAS):
        for hour in range(24):
            office.ntp_sync(
                day + hour * HOUR + int(rng.uniform(0, 59)) * SECOND + 17 * SECOND, host
            )
            if host == EXFILTRATION.host and (hour < 8 or hour >= 18):
                office.https(
                    day + hour * HOUR + int(rng.uniform(5, 50) * MINUTE),
                    host,
                    "telemetry.example.com",
                    [(int(rng.integers(1500, 4000)), 400)],
                    idle_s=2,
                )
        for hour in range(0, 24, 4):
            office.arp_refresh(
                day + hour * HOUR + int(rng.uniform(1, 50) * MINUTE), host
            )
    office.http(
        day + int(3.5 * HOUR), NAS, "updates.example.net", "/nas/firmware.json", 3_500
    )

    # A visitor joins at 10:05 by DHCP and browses until 11:30.
    t = office.dhcp_join(day + 10 * HOUR + 5 * MINUTE, VISITOR, "visitor-laptop")
    office.arp_refresh(t + 2 * SECOND, VISITOR)
    office.ntp_sync(t + 3 * SECOND, VISITOR)
    t += 30 * SECOND
    while t < day + int(11.5 * HOUR):
        _browse_visit(office, t, VISITOR)
        t += int(rng.exponential(8) * MINUTE)

    # A ping at 09:40.
    t = office.lookup(day + 9 * HOUR + 40 * MINUTE, "192.168.10.12", "www.example.com")
    office.ping(t + 2 * MS, "192.168.10.12", SITES["www.example.com"][0])

    # The video download: a small request out, 150 MB in.
    v = VIDEO_DOWNLOAD
    office.https(
        v.start.value,
        v.host,
        "video.example.net",
        [(520, v.payload_bytes)],
        idle_s=3,
        response_rate=0.96 * DOWN_BYTES_PER_S,
    )

    # The cloud upload: 200 MB out, a small response in.
    u = CLOUD_UPLOAD
    office.https(
        u.start.value,
        u.host,
        "storage.example.com",
        [(u.payload_bytes, 750)],
        idle_s=3,
        request_rate=0.96 * UP_BYTES_PER_S,
    )

    # The nightly backup over SSH.
    _ssh_backup(office, BACKUP)

    # The exfiltration: a raw TCP stream to an address nobody looked up, in steady
    # bursts.
    _exfiltrate(office, EXFILTRATION)
    return office


def _ssh_backup(office: _Office, b: Episode) -> None:
    t = office.lookup(b.start.value, b.host, "backup.example.org")
    c = office.tcp_to(b.host, b.destination, b.port)
    t = c.open(t)
    t = _ssh_handshake(c, t, office.rng, client_banner=OPENSSH_BANNER, think_ns=2 * MS)
    t = c.send(True, t + 5 * MS, extra=b.payload_bytes, rate=0.96 * UP_BYTES_PER_S)
    t = c.send(False, t + 50 * MS, extra=180)
    t = c.close(True, t + 200 * MS)
    office.add_segments(c)


OPENSSH_BANNER = b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"


def _ssh_handshake(
    c: pk.TcpConnection,
    t: int,
    rng: np.random.Generator,
    *,
    client_banner: bytes,
    think_ns: int,
) -> int:
    """Banners, key exchange in clear (KEXINIT, ECDH, NEWKEYS), then the encrypted user
    authentication.
    """
    t = c.send(False, t, OPENSSH_BANNER, ack_last=False)
    t = c.send(True, t, client_banner, ack_last=False)
    t = c.send(
        True,
        t,
        pk.ssh_packet(pk.ssh_kexinit(rng.bytes(16)), padding=rng.bytes(16)),
        ack_last=False,
    )
    t = c.send(
        False,
        t + think_ns,
        pk.ssh_packet(pk.ssh_kexinit(rng.bytes(16)), padding=rng.bytes(16)),
        ack_last=False,
    )
    t = c.send(
        True,
        t + think_ns,
        pk.ssh_packet(pk.ssh_kex_ecdh_init(rng.bytes(32)), padding=rng.bytes(16)),
        ack_last=False,
    )
    reply = pk.ssh_kex_ecdh_reply(rng.bytes(32), rng.bytes(32), rng.bytes(64))
    t = c.send(
        False, t + think_ns, pk.ssh_packet(reply, padding=rng.bytes(16)), ack_last=False
    )
    t = c.send(
        False,
        t,
        pk.ssh_packet(bytes([pk.SSH_MSG_NEWKEYS]), padding=rng.bytes(16)),
        ack_last=False,
    )
    t = c.send(
        True,
        t + think_ns,
        pk.ssh_packet(bytes([pk.SSH_MSG_NEWKEYS]), padding=rng.bytes(16)),
        extra=44,
        ack_last=False,
    )  # NEWKEYS, then the encrypted service request
    # Encrypted from here: service accept, user authentication, its success, channel
    # open, confirmation.
    for from_client, size in (
        (False, 44),
        (True, 120),
        (False, 52),
        (True, 420),
        (False, 680),
    ):
        t = c.send(from_client, t + think_ns, extra=size, ack_last=False)
    return t


def _exfiltrate(office: _Office, x: Episode) -> None:
    rng = office.rng
    c = office.tcp_to(x.host, x.destination, x.port)
    c.ack_every = 1
    t = c.open(x.start.value)
    sent = 0
    while sent < x.payload_bytes:
        size = min(x.burst_bytes, x.payload_bytes - sent)
        c.send(True, t, extra=size, rate=UP_BYTES_PER_S)
        sent += size
        t += int(rng.uniform(x.mean_interval_s - 0.2, x.mean_interval_s + 0.2) * SECOND)
    c.close(True, t)
    office.add_segments(c)


# --------------------------------------------------------------------------------------
# The web server
# --------------------------------------------------------------------------------------

SERVER_V4 = "203.0.113.80"
SERVER_V6 = "2001:db8:80::80"
SERVER_NAME = "www.example.org"
SERVER_GATEWAY = "203.0.113.1"
WEB_START = DAY + pd.Timedelta(hours=14)
SCANNER = "198.51.100.200"
ADMIN = "192.0.2.250"
MIRROR = "192.0.2.44"
SERVER_RESOLVER = "192.0.2.53"
SERVER_NTP = "192.0.2.123"
MONITOR_V4 = "192.0.2.200"
MONITOR_V6 = "2001:db8:200::200"
SCANNED_PORTS = (21, 22, 23, 25, 80, 110, 143, 443, 445, 3306, 3389, 5432, 8080, 8443)
OPEN_PORTS = (22, 80, 443)

PAGES = [
    ("/", 24_000),
    ("/about", 12_000),
    ("/blog/ingress-and-egress", 38_000),
    ("/docs/", 18_000),
    ("/pricing", 15_000),
]
ASSETS = [
    ("/static/site.css", 22_000),
    ("/static/app.js", 95_000),
    ("/img/hero.jpg", 310_000),
    ("/img/diagram.png", 140_000),
    ("/favicon.ico", 4_300),
]


class _Server(_Capture):
    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__(
            rng,
            local_mac=lambda a: (
                _mac(SERVER_V4) if a in (SERVER_V4, SERVER_V6) else None
            ),
            remote_mac="02:00:cb:00:71:01",
            sent_here=lambda src: src in (SERVER_V4, SERVER_V6),
        )
        self.rtt: dict[str, float] = {}

    def delay(self, client: str) -> int:
        if client not in self.rtt:
            self.rtt[client] = float(self.rng.uniform(15, 160))
        return int(self.rtt[client] * MS / 2)

    def tcp_from(self, client: str, port: int, **kw) -> pk.TcpConnection:
        server = SERVER_V6 if ":" in client else SERVER_V4
        return self.connection(
            client,
            server,
            port,
            client_delay_ns=self.delay(client),
            server_delay_ns=0,
            client_ttl=64 - int(self.rng.integers(8, 24)),
            server_ttl=64,
            **kw,
        )

    def visit(self, t: int, client: str, https: bool) -> None:
        rng = self.rng
        if (
            not https
        ):  # plain HTTP: one request, a redirect to HTTPS, then the HTTPS visit
            c = self.tcp_from(client, 80, fill=_text_filler)
            t = c.open(t)
            path = PAGES[int(rng.integers(len(PAGES)))][0]
            t = c.send(
                True,
                t,
                pk.http_request(
                    "GET",
                    SERVER_NAME,
                    path,
                    headers=[("User-Agent", "curl/8.5.0"), ("Accept", "*/*")],
                ),
            )
            body = b"<html><body>Moved to HTTPS</body></html>\n"
            head = pk.http_response(
                301,
                body_length=len(body),
                headers=[
                    ("Location", f"https://{SERVER_NAME}{path}"),
                    ("Server", "nginx"),
                ],
            )
            t = c.send(False, t + int(rng.uniform(0.2, 1) * MS), head + body)
            t = c.close(True, t + 50 * MS)
            self.add_segments(c)
            t += int(rng.uniform(5, 50) * MS)
        c = self.tcp_from(client, 443)
        t = c.open(t)
        t = c.send(
            True,
            t,
            pk.tls_client_hello(
                SERVER_NAME, random=rng.bytes(32), key_share=rng.bytes(32)
            ),
            ack_last=False,
        )
        flight = int(rng.integers(2800, 3600))
        t = c.send(
            False,
            t + int(rng.uniform(0.3, 2) * MS),
            pk.tls_server_hello(random=rng.bytes(32), key_share=rng.bytes(32))
            + pk.tls_application_data_header(flight),
            extra=flight,
            ack_last=False,
        )
        objects = [PAGES[int(rng.integers(len(PAGES)))]] + [
            ASSETS[i]
            for i in sorted(
                rng.choice(len(ASSETS), size=int(rng.integers(0, 4)), replace=False)
            )
        ]
        if rng.random() < 0.05:
            objects.append(("/wp-login.php", 150))  # 404: not a WordPress site
        for k, (_, size) in enumerate(objects):
            head = (
                pk.tls_record(20, b"\x01") + pk.tls_application_data_header(53)
                if k == 0
                else b""
            )
            request = int(rng.integers(300, 700))
            t = c.send(
                True,
                t + (0 if k == 0 else int(rng.uniform(1, 40) * MS)),
                head + pk.tls_application_data_header(request),
                extra=request,
                ack_last=False,
            )
            size = int(size * rng.uniform(0.97, 1.03))
            t = c.send(
                False,
                t + int(rng.uniform(0.3, 6) * MS),
                pk.tls_application_data_header(min(size, 16401)),
                extra=size,
                rate=float(rng.uniform(1e6, 12e6)),
            )
        t = c.close(
            False, t + int(rng.uniform(5, 65) * SECOND)
        )  # the server closes idle keep-alives
        self.add_segments(c)

    def download(self, t: int, client: str, size: int) -> None:
        c = self.tcp_from(client, 443)
        t = c.open(t)
        t = c.send(
            True,
            t,
            pk.tls_client_hello(
                SERVER_NAME, random=self.rng.bytes(32), key_share=self.rng.bytes(32)
            ),
        )
        t = c.send(
            False,
            t + MS,
            pk.tls_server_hello(random=self.rng.bytes(32), key_share=self.rng.bytes(32))
            + pk.tls_application_data_header(3100),
            extra=3100,
        )
        t = c.send(
            True,
            t,
            pk.tls_record(20, b"\x01") + pk.tls_application_data_header(53),
            extra=480,
        )
        t = c.send(
            False,
            t + 2 * MS,
            pk.tls_application_data_header(16401),
            extra=size,
            rate=4e6,
        )
        t = c.close(True, t + 100 * MS)
        self.add_segments(c)

    def scan(self, t: int) -> None:
        for k, port in enumerate(SCANNED_PORTS):
            c = self.tcp_from(SCANNER, port)
            if port in OPEN_PORTS:
                c.half_open(t + k * 3 * MS)
            else:
                c.refuse(t + k * 3 * MS)
            self.add_segments(c)

    def ssh_session(self, t: int) -> None:
        c = self.tcp_from(ADMIN, 22)
        t = c.open(t)
        t = _ssh_handshake(
            c, t, self.rng, client_banner=b"SSH-2.0-OpenSSH_9.6\r\n", think_ns=MS
        )
        for _ in range(40):  # keystrokes and their echoes, output now and then
            t = c.send(True, t + int(self.rng.exponential(2.5) * SECOND), extra=36)
            t = c.send(
                False, t + MS, extra=int(self.rng.choice([36, 36, 36, 420, 1800]))
            )
        c.close(True, t + 2 * SECOND)
        self.add_segments(c)

    def apt_update(self, t: int) -> None:
        port = self.ephemeral_port(SERVER_V4)
        ident = int(self.rng.integers(0, 65536))
        self.udp(
            t,
            SERVER_V4,
            SERVER_RESOLVER,
            port,
            53,
            pk.dns_query(ident, "deb.example.com"),
        )
        t += 9 * MS
        self.udp(
            t,
            SERVER_RESOLVER,
            SERVER_V4,
            53,
            port,
            pk.dns_response(ident, "deb.example.com", "A", [MIRROR]),
            ttl=57,
        )
        c = self.connection(
            SERVER_V4,
            MIRROR,
            80,
            client_delay_ns=0,
            server_delay_ns=6 * MS,
            server_ttl=58,
            fill=_text_filler,
        )
        t = c.open(t + MS)
        for path, size in (
            ("/debian/dists/bookworm-updates/InRelease", 55_000),
            ("/debian/pool/main/o/openssl/libssl3_3.0.15-1_amd64.deb", 2_300_000),
            ("/debian/pool/main/o/openssl/openssl_3.0.15-1_amd64.deb", 1_400_000),
        ):
            t = c.send(
                True,
                t + MS,
                pk.http_request(
                    "GET",
                    "deb.example.com",
                    path,
                    headers=[("User-Agent", "Debian APT-HTTP/1.3 (2.6.1)")],
                ),
            )
            head = pk.http_response(
                200,
                body_length=size,
                headers=[("Content-Type", "application/octet-stream")],
            )
            t = c.send(False, t + MS, head, extra=size, rate=11e6)
        c.close(True, t + 300 * MS)
        self.add_segments(c)

    def ntp_sync(self, t: int) -> None:
        self.udp(t, SERVER_V4, SERVER_NTP, 123, 123, pk.ntp(3, t))
        reply = t + 18 * MS
        self.udp(
            reply,
            SERVER_NTP,
            SERVER_V4,
            123,
            123,
            pk.ntp(
                4,
                reply - 9 * MS,
                originate_ns=t,
                receive_ns=reply - 9 * MS - 30_000,
                stratum=2,
                reference_id=b"GPS\x00",
            ),
            ttl=59,
        )

    def monitor_ping(self, t: int, k: int) -> None:
        for monitor, server in ((MONITOR_V4, SERVER_V4), (MONITOR_V6, SERVER_V6)):
            d = self.delay(monitor)
            payload = bytes(range(16, 56))
            request = pk.icmp_echo(monitor, server, 0x4D4F, k, payload)
            reply = pk.icmp_echo(server, monitor, 0x4D4F, k, payload, reply=True)
            proto = pk.PROTO_ICMP if ":" not in server else pk.PROTO_ICMPV6
            self.add(
                t,
                monitor,
                server,
                pk.ip(
                    monitor,
                    server,
                    proto,
                    request,
                    ttl=52,
                    ident=self.next_ident(monitor),
                ),
            )
            self.add(
                t + 40_000,
                server,
                monitor,
                pk.ip(
                    server, monitor, proto, reply, ttl=64, ident=self.next_ident(server)
                ),
            )
            t += d // 7


def _web_server(rng: np.random.Generator) -> _Server:
    server = _Server(rng)
    start = WEB_START.value
    v4 = [
        f"192.0.2.{n}" for n in sorted(rng.choice(np.arange(2, 200), 35, replace=False))
    ]
    v4 += [
        f"198.51.100.{n}"
        for n in sorted(rng.choice(np.arange(2, 199), 25, replace=False))
    ]
    v6 = [
        f"2001:db8:1:{int(a):x}::{int(b):x}"
        for a, b in zip(rng.integers(1, 0xFFFF, 30), rng.integers(2, 0xFFFF, 30))
    ]
    clients = v4 + v6
    t = start
    while t < start + HOUR - 2 * MINUTE:
        client = clients[int(rng.integers(len(clients)))]
        server.visit(t, client, https=rng.random() > 0.12)
        t += int(rng.exponential(6.5) * SECOND)
    server.download(start + 31 * MINUTE, v6[3], 20_000_000)
    server.scan(start + 20 * MINUTE)
    server.ssh_session(start + 35 * MINUTE)
    server.apt_update(start + 47 * MINUTE)
    for m in range(60):
        server.monitor_ping(start + m * MINUTE + 5 * SECOND, m + 1)
    for q in range(4):
        server.ntp_sync(start + q * 16 * MINUTE + 33 * SECOND)
    for q in range(0, 60, 15):  # the server refreshes its gateway's ARP entry
        t = start + q * MINUTE + 7 * SECOND
        server.add(
            t,
            SERVER_V4,
            SERVER_GATEWAY,
            pk.arp(1, _mac(SERVER_V4), SERVER_V4, "00:00:00:00:00:00", SERVER_GATEWAY),
            ethertype=pk.ETHERTYPE_ARP,
            dst_mac=BROADCAST_MAC,
        )
        server.add(
            t + 300_000,
            SERVER_GATEWAY,
            SERVER_V4,
            pk.arp(2, server.remote_mac, SERVER_GATEWAY, _mac(SERVER_V4), SERVER_V4),
            ethertype=pk.ETHERTYPE_ARP,
        )
    return server


# --------------------------------------------------------------------------------------


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``captures/office-day.pcap`` and ``captures/web-server.pcapng`` below
    ``data_dir``.
    """
    folder = Path(data_dir) / "captures"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    office = _office_day(rng)
    office_path = write_pcap(
        folder / "office-day.pcap",
        ((t, frame, length) for t, _, frame, length, _ in office.sorted_frames()),
        nanosecond=False,
        snaplen=SNAPLEN,
    )
    server = _web_server(np.random.default_rng(SEED + 1))
    server_path = write_pcapng(
        folder / "web-server.pcapng",
        (
            (0, t, frame, length, flags)
            for t, _, frame, length, flags in server.sorted_frames()
        ),
        interfaces=[(LINKTYPE_ETHERNET, 9, SNAPLEN)],
    )
    return [office_path, server_path]
