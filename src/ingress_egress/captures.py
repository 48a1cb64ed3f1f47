"""Captures: read and write packet capture files (pcap and pcapng).

A capture file is the raw evidence of ingress and egress: every frame a network
interface saw, with the time it saw it. :func:`read_capture` turns a capture (yours,
from tcpdump, Wireshark or dumpcap, or one of the course's) into a pandas DataFrame, one
row per packet: time, outermost IP addresses, protocol, ports, TCP flags, lengths on the
wire and in the file, interface and the capture's own hint of direction.
:func:`write_pcap` and :func:`write_pcapng` write captures from frames you build (the
course's datasets and its tests are made with them).

What it reads:

- formats: pcap (microsecond or nanosecond timestamps, either byte order, and
  Kuznetzov's "modified" pcap) and pcapng (any number of sections and interfaces, each
  with its own link type, timestamp resolution and offset; Enhanced, Simple and the
  obsolete Packet Blocks; every other block is skipped and counted);
- link types: Ethernet with any stack of 802.1Q / 802.1ad (QinQ) tags, Linux cooked
  capture v1 and v2 (SLL, SLL2: their packet type is the capturing host's own idea of in
  and out), raw IP (101, 228, 229 and the old 12 and 14), BSD and OpenBSD loopback;
- IPv4 (options, fragments: only the first fragment has ports), IPv6 (hop-by-hop,
  routing, fragment, destination options and authentication headers are walked to the
  transport), TCP, UDP, ICMP, ICMPv6; any other protocol is a row with its number.

It reads paths and open binary streams (standard input, a pipe from ``tcpdump -w -``);
:func:`iter_capture` hands a capture over in pieces of bounded size, for captures bigger
than memory. What it cannot read it refuses the way tshark does, with a
:class:`CaptureError` naming the file, the packet or block and the problem; lengths on
the wire that disagree with the packet's own headers are counted and not summed as they
stand (see :func:`read_capture`).

It is fast because it never loops over packets in Python beyond finding where each
record starts: the header fields of all the packets in a chunk of the file are gathered
at once with numpy (about a million packets a second or better;
``benchmarks/bench_captures.py`` measures it).

Examples
--------
>>> import tempfile, pathlib
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> frame = (
...     bytes(12) + b"\\x08\\x00" + bytes(20)
... )  # Ethernet header, a (zeroed) IPv4 header
>>> write_pcap(tmp / "tiny.pcap", [(1_700_000_000_123_456_789, frame)]).name
'tiny.pcap'
>>> (
...     tmp / "tiny.pcap"
... ).stat().st_size  # 24-byte file header, 16-byte record header, frame
74
>>> read_capture(tmp / "tiny.pcap")[["time", "src", "dst", "protocol", "length"]]
                                     time      src      dst protocol  length
frame
1     2023-11-14 22:13:20.123456789+00:00  0.0.0.0  0.0.0.0        0      34
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import os
import select
import socket
import stat
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

LINKTYPE_NULL = 0
"""BSD loopback: a 4-byte address family in the capturing host's byte order, then IP."""
LINKTYPE_ETHERNET = 1
"""Ethernet II (and 802.3), optionally with 802.1Q / 802.1ad VLAN tags."""
LINKTYPE_RAW = 101
"""Raw IP: the frame starts with an IPv4 or IPv6 header (the version nibble tells
which).
"""
LINKTYPE_LOOP = 108
"""OpenBSD loopback: like NULL, but the address family is in network byte order."""
LINKTYPE_LINUX_SLL = 113
"""Linux cooked capture v1 (``tcpdump -i any``): 16-byte header with a packet type
(in/out).
"""
LINKTYPE_IPV4 = 228
"""Raw IPv4 only."""
LINKTYPE_IPV6 = 229
"""Raw IPv6 only."""
LINKTYPE_LINUX_SLL2 = 276
"""Linux cooked capture v2: 20-byte header with packet type and interface index."""

PCAP_MAGIC_MICRO = 0xA1B2C3D4
PCAP_MAGIC_NANO = 0xA1B23C4D
PCAP_MAGIC_MODIFIED = 0xA1B2CD34
"""Alexey Kuznetzov's modified pcap: 24-byte record headers (ifindex, protocol, packet
type).
"""
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D


class CaptureError(ValueError):
    """A capture that cannot be read: the message names the file, the position and the
    problem.
    """


# --------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------


def _split_record(record: tuple, n_head: int) -> tuple:
    """Pad an optional-field record tuple with ``None`` up to ``n_head + 2`` fields."""
    if not n_head <= len(record) <= n_head + 2:
        raise ValueError(
            f"record {record!r:.80}: expected {n_head} to {n_head + 2} fields"
        )
    return tuple(record) + (None,) * (n_head + 2 - len(record))


def _output(path):
    """An open binary file for ``path``, or ``path`` itself (left open) if it is a file
    object.
    """
    if hasattr(path, "write"):
        return contextlib.nullcontext(path)
    return open(path, "wb")


def write_pcap(
    path,
    records: Iterable[tuple],
    *,
    linktype: int = LINKTYPE_ETHERNET,
    nanosecond: bool = True,
    snaplen: int = 262144,
    big_endian: bool = False,
    modified: bool = False,
) -> Path:
    """Write a classic pcap file and return its path (or write to an open binary file
    object).

    ``records`` yields ``(time_ns, frame)`` or ``(time_ns, frame, original_length)``:
    ``time_ns`` is nanoseconds since 1970-01-01 UTC, ``frame`` the bytes from the
    link-layer header on. ``original_length`` (the length on the wire) defaults to
    ``len(frame)``; frames longer than ``snaplen`` are cut to ``snaplen`` bytes, so
    their captured length is below the original length. With ``nanosecond=False``
    timestamps are stored in microseconds (truncated). ``modified=True`` writes
    Kuznetzov's modified format (magic ``0xa1b2cd34``, 24-byte record headers whose
    extra fields are written as zeros); it is always microsecond.

    >>> import tempfile, pathlib
    >>> p = write_pcap(
    ...     pathlib.Path(tempfile.mkdtemp()) / "x.pcap", [(0, b"abc", 60)], snaplen=2
    ... )
    >>> p.read_bytes()[24:]  # ts_sec, ts_nsec, captured 2, original 60, data
    b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00<\\x00\\x00\\x00ab'
    """
    path = path if hasattr(path, "write") else Path(path)
    e = ">" if big_endian else "<"
    if modified:
        nanosecond = False
        magic = PCAP_MAGIC_MODIFIED
    else:
        magic = PCAP_MAGIC_NANO if nanosecond else PCAP_MAGIC_MICRO
    head = struct.Struct(e + "IIII")
    extra = b"\x00" * 8 if modified else b""
    with _output(path) as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        for record in records:
            time_ns, frame, original = _split_record(record, 2)[:3]
            frame = bytes(frame)
            original = len(frame) if original is None else int(original)
            data = frame[:snaplen]
            sec, frac = divmod(int(time_ns), 1_000_000_000)
            if not nanosecond:
                frac //= 1000
            f.write(head.pack(sec, frac, len(data), original))
            f.write(extra)
            f.write(data)
    return path


@dataclass(frozen=True)
class Block:
    """A raw pcapng block for :func:`write_pcapng`: ``block_type`` and its body (padded
    for you).

    Use it for blocks a reader must skip: Name Resolution (4), Interface Statistics (5),
    Decryption Secrets (10), custom blocks (``0x00000BAD``, ``0x40000BAD``) and so on.
    """

    block_type: int
    body: bytes = b""


@dataclass(frozen=True)
class SimplePacket:
    """A Simple Packet Block (type 3): no timestamp, always interface 0 of its
    section.
    """

    frame: bytes
    original_length: int | None = None


@dataclass(frozen=True)
class ObsoletePacket:
    """The obsolete Packet Block (type 2), as old pcapng writers produced it."""

    interface_id: int
    time_ns: int
    frame: bytes
    original_length: int | None = None
    flags: int | None = None


@dataclass(frozen=True)
class Section:
    """Start a new pcapng section, with its own interfaces and byte order, in the record
    stream.
    """

    interfaces: tuple = ((LINKTYPE_ETHERNET, 9),)
    big_endian: bool = False


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _ticks(time_ns: int, tsresol: int) -> int:
    """Nanoseconds to timestamp units (``if_tsresol`` byte: 10^-n s, or 2^-n s if its
    MSB is 1).
    """
    if tsresol & 0x80:
        return (int(time_ns) << (tsresol & 0x7F)) // 1_000_000_000
    exp = tsresol
    if exp >= 9:
        return int(time_ns) * 10 ** (exp - 9)
    return int(time_ns) // 10 ** (9 - exp)


def name_resolution_block(
    entries: Iterable[tuple[str, str]], *, big_endian: bool = False
) -> Block:
    """A Name Resolution Block (type 4) mapping IP addresses to names: a block a reader
    skips.

    >>> name_resolution_block([("192.0.2.1", "www.example")]).block_type
    4
    """
    e = ">" if big_endian else "<"
    body = b""
    for address, name in entries:
        ip = ipaddress.ip_address(address)
        value = ip.packed + name.encode() + b"\x00"
        body += struct.pack(e + "HH", 1 if ip.version == 4 else 2, len(value)) + _pad4(
            value
        )
    body += struct.pack(e + "HH", 0, 0)
    return Block(4, body)


def write_pcapng(
    path,
    records: Iterable,
    *,
    interfaces: Iterable[tuple] = ((LINKTYPE_ETHERNET, 9),),
    big_endian: bool = False,
) -> Path:
    """Write a pcapng file and return its path (or write to an open binary file object).

    ``interfaces`` lists the first section's interfaces as ``(linktype, tsresol)``,
    ``(linktype, tsresol, snaplen)`` or ``(linktype, tsresol, snaplen, tsoffset)``,
    where ``tsresol`` is the ``if_tsresol`` option byte: ``n`` means units of 10^-n s
    (6 = microseconds, pcapng's default; 9 = nanoseconds), ``0x80 | n`` means 2^-n s;
    ``tsoffset`` is the ``if_tsoffset`` option, whole seconds added to every timestamp
    of the interface (the writer subtracts it, so ``time_ns`` stays the true time).
    ``records`` is a stream of:

    - ``(interface_id, time_ns, frame[, original_length[, flags]])``: an Enhanced Packet
      Block; ``flags`` is the ``epb_flags`` option (low 2 bits: 1 inbound, 2 outbound);
    - :class:`SimplePacket`, :class:`ObsoletePacket`: the other two packet blocks;
    - :class:`Block`: any other block, written as given (readers skip it);
    - :class:`Section`: start a new section, with new interfaces and possibly the other
      byte order.

    Frames longer than the interface's snaplen (default 262144) are truncated.

    >>> import tempfile, pathlib
    >>> p = write_pcapng(
    ...     pathlib.Path(tempfile.mkdtemp()) / "x.pcapng",
    ...     [(0, 1_000_000_000, b"\\x45" + bytes(19)), name_resolution_block([])],
    ...     interfaces=[(LINKTYPE_RAW, 9)],
    ... )
    >>> p.read_bytes()[:4].hex(), p.stat().st_size  # SHB 28 + IDB 32 + EPB 52 + NRB 16
    ('0a0d0d0a', 128)
    """
    path = path if hasattr(path, "write") else Path(path)
    with _output(path) as f:
        state = {}

        def block(block_type: int, body: bytes) -> None:
            e = state["e"]
            body = _pad4(body)
            total = len(body) + 12
            f.write(
                struct.pack(e + "II", block_type, total)
                + body
                + struct.pack(e + "I", total)
            )

        def section(ifaces: Iterable[tuple], big: bool) -> None:
            state["e"] = e = ">" if big else "<"
            state["ifaces"] = []
            block(
                PCAPNG_SHB, struct.pack(e + "IHHq", PCAPNG_BYTE_ORDER_MAGIC, 1, 0, -1)
            )
            for iface in ifaces:
                linktype, tsresol, snaplen, tsoffset = (
                    tuple(iface) + (262144, 0)[len(iface) - 2 :]
                )
                options = b""
                if tsresol != 6:
                    options += struct.pack(e + "HHB3x", 9, 1, tsresol)
                if tsoffset:
                    options += struct.pack(e + "HHq", 14, 8, tsoffset)
                if options:
                    options += struct.pack(e + "HH", 0, 0)
                block(1, struct.pack(e + "HHI", linktype, 0, snaplen) + options)
                state["ifaces"].append((linktype, tsresol, snaplen, tsoffset))

        section(interfaces, big_endian)
        for record in records:
            e = state["e"]
            if isinstance(record, Section):
                section(record.interfaces, record.big_endian)
            elif isinstance(record, Block):
                block(record.block_type, record.body)
            elif isinstance(record, SimplePacket):
                frame = bytes(record.frame)
                original = (
                    len(frame)
                    if record.original_length is None
                    else record.original_length
                )
                data = frame[: state["ifaces"][0][2] or None]
                block(3, struct.pack(e + "I", original) + _pad4(data))
            else:
                if isinstance(record, ObsoletePacket):
                    iface, time_ns, frame, original, flags = (
                        record.interface_id,
                        record.time_ns,
                        record.frame,
                        record.original_length,
                        record.flags,
                    )
                else:
                    iface, time_ns, frame, original, flags = _split_record(record, 3)
                frame = bytes(frame)
                original = len(frame) if original is None else int(original)
                _, tsresol, snaplen, tsoffset = state["ifaces"][iface]
                data = frame[:snaplen]
                ticks = _ticks(int(time_ns) - tsoffset * 1_000_000_000, tsresol)
                options = b""
                if flags is not None:
                    options = struct.pack(e + "HHI", 2, 4, flags) + struct.pack(
                        e + "HH", 0, 0
                    )
                if isinstance(record, ObsoletePacket):
                    head = struct.pack(
                        e + "HHIIII",
                        iface,
                        0,
                        ticks >> 32,
                        ticks & 0xFFFFFFFF,
                        len(data),
                        original,
                    )
                    block(2, head + _pad4(data) + options)
                else:
                    head = struct.pack(
                        e + "IIIII",
                        iface,
                        ticks >> 32,
                        ticks & 0xFFFFFFFF,
                        len(data),
                        original,
                    )
                    block(6, head + _pad4(data) + options)
    return path


# --------------------------------------------------------------------------------------
# Reader
# --------------------------------------------------------------------------------------

MAX_RECORD_BYTES = 256 * 2**20
"""Sanity bound on one record or block (256 MiB): a length field above it means a
corrupt file.
"""

DEFAULT_CHUNK_BYTES = 8 * 2**20
"""How much of the file :func:`read_capture` holds in memory at a time (8 MiB:
cache-friendly).
"""

PROGRESS_MIN_BYTES = 512 * 2**20
"""With ``progress=None``, files at least this big (512 MiB) get a progress bar on a
terminal.
"""

MAX_PLAUSIBLE_WIRE_LENGTH = 2**20
"""Largest original (wire) length believed for a frame whose headers give no length (1
MiB).

Linux hands packet sockets GSO/GRO super-packets of up to 512 KiB (BIG TCP); no link
type this reader knows carries more. See :func:`read_capture` for the whole rule.
"""

TRAILER_ALLOWANCE = 64
"""Bytes a frame may carry after its IP packet: Ethernet padding, FCS and trailers."""

_SUPPORTED_LINKTYPES = {
    LINKTYPE_NULL: "BSD loopback/NULL",
    LINKTYPE_ETHERNET: "Ethernet",
    12: "raw IP, DLT_RAW 12",
    14: "raw IP, DLT_RAW 14",
    LINKTYPE_RAW: "raw IP",
    LINKTYPE_LOOP: "OpenBSD loopback",
    LINKTYPE_LINUX_SLL: "Linux cooked capture v1, SLL",
    LINKTYPE_IPV4: "raw IPv4",
    LINKTYPE_IPV6: "raw IPv6",
    LINKTYPE_LINUX_SLL2: "Linux cooked capture v2, SLL2",
}

_OTHER_LINKTYPE_NAMES = {
    6: "IEEE 802.5 Token Ring",
    9: "PPP",
    10: "FDDI",
    50: "PPP in HDLC framing",
    104: "Cisco HDLC",
    105: "IEEE 802.11 wireless LAN",
    119: "Prism 802.11 header",
    127: "IEEE 802.11 with radiotap header",
    143: "DOCSIS",
    187: "Bluetooth HCI UART (H4)",
    189: "USB with Linux header",
    192: "PPI, 802.11 per-packet information",
    195: "IEEE 802.15.4",
    201: "Bluetooth HCI H4 with pseudo-header",
    220: "USB with Linux mmapped header",
    249: "USBPcap",
    253: "Linux netlink",
}
_OTHER_LINKTYPE_NAMES.update(
    {n: f"user-defined DLT_USER{n - 147}" for n in range(147, 163)}
)

_BLOCK_NAMES = {
    1: "Interface Description Block",
    2: "Packet Block (obsolete)",
    3: "Simple Packet Block",
    4: "Name Resolution Block",
    5: "Interface Statistics Block",
    6: "Enhanced Packet Block",
    7: "IRIG timestamp block",
    8: "ARINC 429 block",
    9: "systemd Journal Export Block",
    10: "Decryption Secrets Block",
    0x00000BAD: "Custom Block (copiable)",
    0x40000BAD: "Custom Block (not copiable)",
    PCAPNG_SHB: "Section Header Block",
}

_PROTOCOL_NAMES = np.array([str(i) for i in range(256)] + [""], dtype=object)
_PROTOCOL_NAMES[[1, 6, 17, 58]] = ["ICMP", "TCP", "UDP", "ICMPv6"]

_HINTS = np.array(
    [
        None,
        "in",
        "out",
        "broadcast",
        "multicast",
        "otherhost",
        "loopback",
        "user",
        "kernel",
    ],
    dtype=object,
)
# Linux packet types (linux/if_packet.h, the SLL pkttype): 0 HOST, 1 BROADCAST, 2
# MULTICAST, 3 OTHERHOST, 4 OUTGOING, 5 LOOPBACK, 6 USER, 7 KERNEL -> index into _HINTS.
_PKTTYPE_HINT = np.array([1, 3, 4, 5, 2, 6, 7, 8], dtype=np.int8)

_ETH_IPV4, _ETH_IPV6 = 0x0800, 0x86DD
_VLAN_TYPES = np.array([0x8100, 0x88A8, 0x9100])
# zero bytes kept after the data in the read buffer, so 8-byte views never run off it
_PAD = 16

_COLUMNS = (
    "time",
    "src",
    "dst",
    "ip_version",
    "protocol",
    "sport",
    "dport",
    "tcp_flags",
    "icmp_type",
    "icmp_code",
    "length",
    "captured_length",
    "interface",
    "direction_hint",
    "sll_pkttype",
    "ethertype",
)
TCP_FLAGS = {
    "FIN": 0x01,
    "SYN": 0x02,
    "RST": 0x04,
    "PSH": 0x08,
    "ACK": 0x10,
    "URG": 0x20,
    "ECE": 0x40,
    "CWR": 0x80,
    "AE": 0x100,
}
"""Bits of the ``tcp_flags`` column (RFC 9293; AE, the old NS bit, is RFC 3540 /
accurate ECN).
"""


def tcp_flag_names(bits) -> str:
    """The TCP flag bits of one ``tcp_flags`` value as names, in bit order; "" for a
    missing value.

    >>> tcp_flag_names(0x12), tcp_flag_names(0x11), tcp_flag_names(pd.NA)
    ('SYN ACK', 'FIN ACK', '')
    """
    if pd.isna(bits):
        return ""
    return " ".join(name for name, bit in TCP_FLAGS.items() if int(bits) & bit)


def _linktype_name(linktype: int) -> str:
    name = _SUPPORTED_LINKTYPES.get(linktype) or _OTHER_LINKTYPE_NAMES.get(
        linktype, "unknown"
    )
    return f"{linktype} ({name})"


def _unsupported(linktype: int) -> str:
    supported = "; ".join(_linktype_name(n) for n in sorted(_SUPPORTED_LINKTYPES))
    return (
        f"unsupported link type {_linktype_name(linktype)}; this reader supports "
        f"{supported}"
    )


class _Views:
    """Unaligned integer views of a byte buffer: ``be16[i]`` is the big-endian u16 at
    byte ``i``.
    """

    def __init__(self, buf: bytearray, size: int):
        self.u8 = np.frombuffer(buf, np.uint8, count=size)
        for name, dt, width in (
            ("be16", ">u2", 2),
            ("le16", "<u2", 2),
            ("be32", ">u4", 4),
            ("le32", "<u4", 4),
            ("be64", ">u8", 8),
        ):
            setattr(self, name, np.ndarray((size - width + 1,), dt, buf, 0, (1,)))


def _field(view: np.ndarray, start: np.ndarray, caplen: np.ndarray, rel, size: int):
    """Read a field at ``rel`` bytes into each frame; ``ok`` is False where it was not
    captured.
    """
    ok = (rel + size <= caplen) & (rel >= 0)
    pos = start + rel
    pos[~ok] = 0
    return view[pos].astype(np.int64), ok


def _decode(
    v: _Views, start: np.ndarray, caplen: np.ndarray, linktype, hint: np.ndarray
) -> dict:
    """Decode link, network and transport headers of many frames at once.

    ``start``/``caplen``: where each frame starts in the buffer and how many bytes were
    captured; ``linktype``: one link type or one per frame; ``hint``: direction-hint
    codes already known (pcapng flags), updated in place from SLL packet types. Returns
    a dict of arrays.
    """
    n = len(start)
    et = np.full(n, -1, np.int64)  # EtherType (for NULL/raw: 0x0800/0x86dd as it means)
    has_et = np.zeros(n, bool)  # whether the frame carries a real EtherType field
    l3 = np.zeros(n, np.int64)  # where the network header starts, relative to the frame
    pkttype = np.full(n, -1, np.int16)
    if np.ndim(linktype) == 0:
        groups = [(int(linktype), slice(None))]
    else:
        groups = [
            (int(lt), np.flatnonzero(linktype == lt)) for lt in np.unique(linktype)
        ]
    for lt, sel in groups:
        s, c = start[sel], caplen[sel]
        if lt == LINKTYPE_ETHERNET:
            e, ok = _field(v.be16, s, c, 12, 2)
            et[sel] = np.where(ok, e, -1)
            has_et[sel] = ok
            l3[sel] = 14
        elif lt == LINKTYPE_LINUX_SLL:
            e, ok = _field(v.be16, s, c, 14, 2)
            et[sel] = np.where(ok, e, -1)
            has_et[sel] = ok
            l3[sel] = 16
            p, ok = _field(v.be16, s, c, 0, 2)
            pkttype[sel] = np.where(ok, p, -1)
        elif lt == LINKTYPE_LINUX_SLL2:
            e, ok = _field(v.be16, s, c, 0, 2)
            et[sel] = np.where(ok, e, -1)
            has_et[sel] = ok
            l3[sel] = 20
            p, ok = _field(v.u8, s, c, 10, 1)
            pkttype[sel] = np.where(ok, p, -1)
        elif lt in (LINKTYPE_NULL, LINKTYPE_LOOP):
            if lt == LINKTYPE_LOOP:
                fam, ok = _field(v.be32, s, c, 0, 4)
            # host byte order of the capturing machine: a family above 0xffff is
            # byte-swapped
            else:
                fam, ok = _field(v.le32, s, c, 0, 4)
                swapped = fam > 0xFFFF
                fam[swapped] = fam[swapped].astype(np.uint32).byteswap()
            fam = np.where(ok, fam, -1)
            et[sel] = np.select(
                [fam == 2, np.isin(fam, (24, 28, 30))], [_ETH_IPV4, _ETH_IPV6], -1
            )
            l3[sel] = 4
        elif lt in (LINKTYPE_RAW, 12, 14):
            b, ok = _field(v.u8, s, c, 0, 1)
            b = np.where(ok, b >> 4, -1)
            et[sel] = np.select([b == 4, b == 6], [_ETH_IPV4, _ETH_IPV6], -1)
        elif lt == LINKTYPE_IPV4:
            et[sel] = _ETH_IPV4
        elif lt == LINKTYPE_IPV6:
            et[sel] = _ETH_IPV6
        else:  # pragma: no cover - callers check link types before decoding
            raise AssertionError(lt)

    # 802.1Q / 802.1ad / QinQ tags: 4 bytes each, the next EtherType in the tag's last
    # two bytes.
    for _ in range(8):
        idx = np.flatnonzero(np.isin(et, _VLAN_TYPES) & has_et)
        if not len(idx):
            break
        l3[idx] += 4
        e, ok = _field(v.be16, start[idx], caplen[idx], l3[idx] - 2, 2)
        et[idx] = np.where(ok, e, -1)
        has_et[idx] = ok

    known = pkttype >= 0
    if known.any():
        p = pkttype[known]
        hint[known] = np.where(
            p < len(_PKTTYPE_HINT), _PKTTYPE_HINT[np.minimum(p, 7)], 0
        )

    out = {
        "ip_version": np.zeros(n, np.int8),
        "proto": np.full(n, -1, np.int16),
        "sport": np.full(n, -1, np.int32),
        "dport": np.full(n, -1, np.int32),
        "tcp_flags": np.full(n, -1, np.int16),
        "icmp_type": np.full(n, -1, np.int16),
        "icmp_code": np.full(n, -1, np.int16),
        "src4": None,
        "dst4": None,
        "src6": None,
        "dst6": None,
        "pkttype": pkttype,
        "ethertype": np.where(has_et, et, -1).astype(np.int32),
        "l3": l3,
        "l4": np.full(n, -1, np.int64),
        "l7": np.full(n, -1, np.int64),
        "ip_len": np.full(n, -1, np.int64),
    }
    l4 = out["l4"]
    proto = np.full(n, -1, np.int64)

    # IPv4: header length from IHL; only the first fragment (offset 0) carries the
    # transport header.
    i4 = np.flatnonzero(et == _ETH_IPV4)
    if len(i4):
        s, c, b = start[i4], caplen[i4], l3[i4]
        vihl, ok_v = _field(v.u8, s, c, b, 1)
        src, ok_s = _field(v.be32, s, c, b + 12, 4)
        dst, ok_d = _field(v.be32, s, c, b + 16, 4)
        p, ok_p = _field(v.u8, s, c, b + 9, 1)
        frag, ok_f = _field(v.be16, s, c, b + 6, 2)
        total, ok_t = _field(v.be16, s, c, b + 2, 2)
        out["ip_len"][i4] = np.where(ok_t & (total >= 20), total, -1)  # 0: TSO/BIG TCP
        ihl = (vihl & 0x0F) * 4
        out["ip_version"][i4] = 4
        proto[i4] = np.where(ok_p, p, -1)
        first = ok_f & ((frag & 0x1FFF) == 0) & ok_v & (ihl >= 20)
        l4[i4] = np.where(first & ok_p, b + ihl, -1)
        out["src4"] = (i4[ok_s], src[ok_s])
        out["dst4"] = (i4[ok_d], dst[ok_d])

    # IPv6: walk the extension headers to the upper-layer protocol.
    i6 = np.flatnonzero(et == _ETH_IPV6)
    if len(i6):
        s, c, b = start[i6], caplen[i6], l3[i6]
        nh, ok_n = _field(v.u8, s, c, b + 6, 1)
        payload, ok_p = _field(v.be16, s, c, b + 4, 2)
        out["ip_len"][i6] = np.where(
            ok_p & (payload > 0), 40 + payload, -1
        )  # 0: jumbogram
        parts = []
        for rel in (8, 16, 24, 32):
            val, ok = _field(v.be64, s, c, b + rel, 8)
            parts.append((val, ok))
        ok_s = parts[0][1] & parts[1][1]
        ok_d = parts[2][1] & parts[3][1]
        out["ip_version"][i6] = 6
        out["src6"] = (i6[ok_s], parts[0][0][ok_s], parts[1][0][ok_s])
        out["dst6"] = (i6[ok_d], parts[2][0][ok_d], parts[3][0][ok_d])
        nh = np.where(ok_n, nh, -1)
        pos = b + 40
        active = ok_n.copy()
        for _ in range(16):
            ext = active & np.isin(nh, (0, 43, 44, 51, 60))
            j = np.flatnonzero(ext)
            if not len(j):
                break
            sj, cj, pj, nj = s[j], c[j], pos[j], nh[j]
            nxt, ok1 = _field(v.u8, sj, cj, pj, 1)
            hl, ok2 = _field(v.u8, sj, cj, pj + 1, 1)
            fo, ok3 = _field(v.be16, sj, cj, pj + 2, 2)
            size = np.where(nj == 51, (hl + 2) * 4, np.where(nj == 44, 8, (hl + 1) * 8))
            ok = ok1 & np.where(nj == 44, ok3, ok2)
            later_fragment = ok & (nj == 44) & ((fo >> 3) != 0)
            # A header not captured stops the walk there (the protocol stays the
            # extension header's number); a later fragment names its protocol but has no
            # transport header.
            nh[j] = np.where(ok, nxt, nj)
            go_on = ok & ~later_fragment
            pos[j] = np.where(go_on, pj + size, -1)
            active[j] = go_on
        proto[i6] = nh
        l4[i6] = np.where(active & (pos >= 0), pos, -1)

    out["proto"][:] = proto
    # Transport: TCP and UDP ports, TCP flags, ICMP and ICMPv6 type and code.
    for number in (6, 17, 1, 58):
        idx = np.flatnonzero((proto == number) & (l4 >= 0))
        if not len(idx):
            continue
        s, c, b = start[idx], caplen[idx], l4[idx]
        if number in (6, 17):
            sp, ok_sp = _field(v.be16, s, c, b, 2)
            dp, ok_dp = _field(v.be16, s, c, b + 2, 2)
            out["sport"][idx] = np.where(ok_sp, sp, -1)
            out["dport"][idx] = np.where(ok_dp, dp, -1)
            if number == 6:
                off_flags, ok_fl = _field(v.be16, s, c, b + 12, 2)
                out["tcp_flags"][idx] = np.where(ok_fl, off_flags & 0x1FF, -1)
                hdr = (off_flags >> 12) * 4
                out["l7"][idx] = np.where(ok_fl & (hdr >= 20), b + hdr, -1)
            else:
                out["l7"][idx] = b + 8
        else:
            t, ok_t = _field(v.u8, s, c, b, 1)
            code, ok_c = _field(v.u8, s, c, b + 1, 1)
            out["icmp_type"][idx] = np.where(ok_t, t, -1)
            out["icmp_code"][idx] = np.where(ok_c, code, -1)
            out["l7"][idx] = b + 8
    return out


_OCTETS = [str(i) for i in range(256)]


def _ipv4_strings(keys: np.ndarray) -> list[str]:
    """Dotted quads for IPv4 addresses given as integers (one string per key)."""
    k = keys.astype(np.uint32)
    octets = [((k >> shift) & 0xFF).tolist() for shift in (24, 16, 8, 0)]
    o = _OCTETS
    return [f"{o[a]}.{o[b]}.{o[c]}.{o[d]}" for a, b, c, d in zip(*octets)]


def _ipv6_string(hi: int, lo: int) -> str:
    """RFC 5952 text, as tshark prints it; IPv4-mapped as ``::ffff:192.0.2.1``."""
    text = socket.inet_ntop(socket.AF_INET6, struct.pack(">QQ", hi, lo))
    if "." in text and not text.startswith(
        "::ffff:"
    ):  # C library's IPv4-compatible form
        return str(ipaddress.IPv6Address((hi << 64) | lo))
    return text


_V6_KEY = 2**32
"""Address keys: -1 no address, an IPv4 address as its integer, an IPv6 one as this plus
its index among the IPv6 addresses the reader has collected since the last piece was
handed over."""


def _address_keys(n: int, decoded: dict, v6_first: int):
    """Integer keys of the source and destination of ``n`` decoded frames, and the IPv6
    addresses (high and low 64 bits) that the keys from ``v6_first`` on refer to."""
    src = np.full(n, -1, np.int64)
    dst = np.full(n, -1, np.int64)
    for keys, name in ((src, "src4"), (dst, "dst4")):
        if decoded[name] is not None:
            where, value = decoded[name]
            keys[where] = value
    hi, lo, count = [], [], v6_first
    for keys, name in ((src, "src6"), (dst, "dst6")):
        if decoded[name] is not None and len(decoded[name][0]):
            where, high, low = decoded[name]
            keys[where] = _V6_KEY + count + np.arange(len(where))
            hi.append(high.astype(np.uint64))
            lo.append(low.astype(np.uint64))
            count += len(where)
    empty = np.zeros(0, np.uint64)
    return (
        src,
        dst,
        (np.concatenate(hi) if hi else empty),
        (np.concatenate(lo) if lo else empty),
    )


def _address_codes(src: np.ndarray, dst: np.ndarray, hi: np.ndarray, lo: np.ndarray):
    """Address keys to codes into a list of strings, each distinct address made text
    once.

    Code 0 is "" (no address); the other strings are in address order: IPv4 numerically,
    then IPv6 numerically. The keys are grouped by hashing (``pd.factorize``); only the
    distinct values are sorted and turned into text, so the cost per packet is a few
    array operations.

    >>> src = np.array([3232235777, -1, _V6_KEY])
    >>> dst = np.array([167772161, 3232235777, _V6_KEY + 1])
    >>> hi = np.array([0x20010DB8 << 32, 0], np.uint64)
    >>> s, d, strings = _address_codes(src, dst, hi, np.array([1, 1], np.uint64))
    >>> strings
    ['', '10.0.0.1', '192.168.1.1', '::1', '2001:db8::1']
    >>> [strings[i] for i in s], [strings[i] for i in d]
    (['192.168.1.1', '', '2001:db8::1'], ['10.0.0.1', '192.168.1.1', '::1'])
    """
    n = len(src)
    keys = np.concatenate([np.array([-1], np.int64), src, dst])
    v6_text: list[str] = []
    if len(hi):
        # distinct IPv6 addresses in numeric order; their keys become _V6_KEY + rank
        k_hi, u_hi = pd.factorize(hi)
        k_lo, u_lo = pd.factorize(lo)
        pair, distinct = pd.factorize(k_hi.astype(np.int64) * len(u_lo) + k_lo)
        d_hi, d_lo = u_hi[distinct // len(u_lo)], u_lo[distinct % len(u_lo)]
        order = np.lexsort((d_lo, d_hi))
        rank = np.empty(len(order), np.int64)
        rank[order] = np.arange(len(order))
        is6 = keys >= _V6_KEY
        keys[is6] = _V6_KEY + rank[pair[keys[is6] - _V6_KEY]]
        v6_text = [
            _ipv6_string(h, lo_)
            for h, lo_ in zip(d_hi[order].tolist(), d_lo[order].tolist())
        ]
    codes, uniques = pd.factorize(keys)
    order = np.argsort(uniques)  # -1 ("") first: code 0
    rank = np.empty(len(order), np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    codes = rank[codes]
    distinct = uniques[order]
    v4 = distinct[(distinct >= 0) & (distinct < _V6_KEY)]
    strings = (
        [""]
        + _ipv4_strings(v4)
        + [v6_text[k - _V6_KEY] for k in distinct[distinct >= _V6_KEY].tolist()]
    )
    return codes[1 : n + 1], codes[n + 1 :], strings


class _Reader:
    """Reads a capture in chunks (from a file or a stream) and collects per-packet
    column arrays.
    """

    def __init__(
        self, source, chunk_bytes: int, progress: bool | None, keep_bytes: bool
    ):
        if hasattr(source, "readinto") or hasattr(source, "read"):
            self.f, self.owns = source, False
            name = getattr(source, "name", None)
            self.path = name if isinstance(name, str) else "<stream>"
        else:
            self.path = Path(source)
            self.f, self.owns = open(self.path, "rb"), True
        try:
            st = os.fstat(self.f.fileno())
            self.size = st.st_size if stat.S_ISREG(st.st_mode) else None
            if (
                self.size is not None and not self.owns
            ):  # an open file, maybe read partly
                self.size -= self.f.tell()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            self.size = None  # a pipe, a socket, an in-memory stream: read to its end
        self.format = ""  # "pcap" or "pcapng", once the magic number is read
        self.chunk_bytes = max(int(chunk_bytes), 4096)
        self.keep_bytes = keep_bytes
        self.v6_count = 0  # IPv6 addresses collected since the last piece was taken
        self.parts: list[dict] = []
        self.packets = 0  # packets read so far
        self.first = 1  # frame number of the first packet in self.parts
        self.skipped: dict[str, int] = {}
        self.implausible = (
            0  # original lengths that disagreed with the headers (replaced)
        )
        self.implausible_frames: list[int] = []
        self.interfaces: list[dict] = []
        self.base = 0  # stream offset of buf[0]
        self.n = 0  # valid bytes in buf
        self.buf = bytearray(self.chunk_bytes + _PAD)
        self.eof = False
        if progress is None:
            show = (
                self.size is not None
                and self.size >= PROGRESS_MIN_BYTES
                and sys.stderr is not None
                and sys.stderr.isatty()
            )
        else:
            show = bool(progress)
        self.bar = None
        if show:
            from tqdm.auto import tqdm

            self.bar = tqdm(
                total=self.size,
                unit="B",
                unit_scale=True,
                desc=Path(str(self.path)).name,
            )

    def error(self, message: str) -> CaptureError:
        return CaptureError(f"{self.path}: {message}")

    def close(self) -> None:
        if self.owns:
            self.f.close()
        if self.bar is not None:
            self.bar.close()

    def left(self, off: int) -> int | None:
        """Bytes from buffer offset ``off`` to the end of the input, when that is
        known.
        """
        if self.size is not None:
            return max(self.size - (self.base + off), 0)
        return self.n - off if self.eof else None

    def fill(self, keep_from: int, need: int = 0) -> None:
        """Drop ``buf[:keep_from]``, read until ``need`` bytes are buffered or the input
        ends.
        """
        rest = self.n - keep_from
        want = max(self.chunk_bytes, need)
        # A stream's length fields cannot be checked against its size: grow the buffer
        # as the bytes arrive (doubling), so a corrupt length costs memory only if the
        # data is there.
        room = (
            want
            if self.size is not None
            else min(want, max(self.chunk_bytes, 2 * rest))
        )
        if room + _PAD > len(self.buf):
            new = bytearray(room + _PAD)
            new[:rest] = self.buf[keep_from : self.n]
            self.buf = new
        elif keep_from:
            self.buf[:rest] = self.buf[keep_from : self.n]
        self.base += keep_from
        self.n = rest
        view = memoryview(self.buf)
        readinto = getattr(self.f, "readinto", None)
        while self.n < want and not self.eof:
            if self.n + _PAD >= len(self.buf):  # a stream: grow towards want
                view.release()
                grown = bytearray(min(want, 2 * self.n) + _PAD)
                grown[: self.n] = self.buf[: self.n]
                self.buf = grown
                view = memoryview(self.buf)
            stop = min(want, len(self.buf) - _PAD)
            if readinto is not None:
                got = readinto(view[self.n : stop])
            else:
                data = self.f.read(stop - self.n)
                got = len(data)
                view[self.n : self.n + got] = data
            if got is None:  # a non-blocking stream with nothing yet: wait for it
                select.select([self.f], [], [])
                continue
            if not got:
                self.eof = True
            else:
                self.n += got
                if self.bar is not None:
                    self.bar.update(got)
        self.buf[self.n : self.n + _PAD] = bytes(_PAD)
        view.release()

    def header(self, size: int, what: str) -> bytes:
        self.fill(0, size)
        if self.n < size:
            raise self.error(
                f"truncated {what}: {size} bytes needed, only {self.n} in the file"
            )
        return bytes(self.buf[:size])

    def add_part(
        self, v: _Views, start, caplen, length, time_ns, interface, linktype, hint
    ):
        decoded = _decode(v, start, caplen, linktype, hint)
        n = len(start)
        length = self._check_lengths(length, caplen, decoded)
        src, dst, v6_hi, v6_lo = _address_keys(n, decoded, self.v6_count)
        self.v6_count += len(v6_hi)
        part = {
            "time": time_ns,
            "length": length.astype(np.uint32),
            "captured_length": caplen.astype(np.uint32),
            "interface": interface,
            "hint": hint,
            "src": src,
            "dst": dst,
            "v6_hi": v6_hi,
            "v6_lo": v6_lo,
        }
        for key in (
            "ip_version",
            "proto",
            "sport",
            "dport",
            "tcp_flags",
            "icmp_type",
            "icmp_code",
            "pkttype",
            "ethertype",
        ):
            part[key] = decoded[key]
        if self.keep_bytes:
            mv = memoryview(self.buf)
            part["frame"] = [
                bytes(mv[a : a + b]) for a, b in zip(start.tolist(), caplen.tolist())
            ]
            mv.release()
            for key in ("l3", "l4", "l7"):
                rel = decoded[key]
                if key != "l3":
                    rel = np.where((rel >= 0) & (rel <= caplen), rel, -1)
                else:
                    rel = np.where(rel <= caplen, rel, -1)
                part[key] = rel
        self.parts.append(part)
        self.packets += n

    def _check_lengths(self, length, caplen, decoded) -> np.ndarray:
        """The original lengths, with those that disagree with the headers replaced
        (counted).
        """
        ip_len = decoded["ip_len"]
        claimed = decoded["l3"] + ip_len
        limit = np.where(
            ip_len >= 0,
            np.maximum(claimed, 60) + TRAILER_ALLOWANCE,
            MAX_PLAUSIBLE_WIRE_LENGTH,
        )
        bad = (length < caplen) | (length > limit)
        if not bad.any():
            return length
        where = np.flatnonzero(bad)
        self.implausible += len(where)
        room = 10 - len(self.implausible_frames)
        if room > 0:
            self.implausible_frames += (where[:room] + self.packets + 1).tolist()
        length = length.copy()
        length[where] = np.maximum(
            caplen[where], np.where(ip_len[where] >= 0, claimed[where], 0)
        )
        return length

    def take(self) -> list[dict]:
        """The parts read so far, handed over (for streaming); the next ones start
        afresh.
        """
        parts, self.parts = self.parts, []
        self.first = self.packets + 1
        self.v6_count = 0
        return parts


def _check_linktype(reader: _Reader, linktype: int, where: str) -> None:
    if linktype not in _SUPPORTED_LINKTYPES:
        raise reader.error(f"{where}: {_unsupported(linktype)}")


def _read_pcap(r: _Reader, head: bytes):
    """Read the records of a pcap file; a generator that yields after each chunk of the
    file.
    """
    magic_le = struct.unpack("<I", head[:4])[0]
    e = (
        "<"
        if magic_le in (PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_MODIFIED)
        else ">"
    )
    magic, major, minor, _zone, _sigfigs, snaplen, network = struct.unpack(
        e + "IHHiIII", head
    )
    H = 24 if magic == PCAP_MAGIC_MODIFIED else 16
    scale = 1 if magic == PCAP_MAGIC_NANO else 1000
    linktype = network & 0xFFFF
    r.format = "pcap"
    if major < 2:
        raise r.error(
            f"file header: pcap version {major}.{minor}: versions before 2.0 are not "
            "known (libpcap and tshark refuse them too)"
        )
    if network & 0x03FF0000:
        raise r.error(
            f"file header: link type field 0x{network:08x} has reserved bits set "
            f"(0x{network & 0x03FF0000:08x}; they must be zero): corrupt header"
        )
    r.interfaces.append(
        {
            "id": 0,
            "linktype": linktype,
            "snaplen": snaplen,
            "resolution": "ns" if scale == 1 else "us",
        }
    )
    _check_linktype(r, linktype, "file header")
    incl_of = struct.Struct(e + "I").unpack_from
    big = e == ">"
    pos, need = 24, 0
    while True:
        r.fill(pos, need)
        buf, n = r.buf, r.n
        offs: list[int] = []
        app = offs.append
        off = 0
        last = n - H
        # Each record's place depends on the length of the one before it: this walk is
        # the one step per packet the format forces; everything else is done on whole
        # arrays.
        while off <= last:
            nxt = off + H + incl_of(buf, off + 8)[0]
            if nxt > n:
                break
            app(off)
            off = nxt
        if offs:
            v = _Views(buf, n + _PAD)
            o = np.array(offs, np.int64)
            u32 = v.be32 if big else v.le32
            sec = u32[o].astype(np.int64)
            frac = u32[o + 4].astype(np.int64)
            incl = u32[o + 8].astype(np.int64)
            orig = u32[o + 12].astype(np.int64)
            hint = np.zeros(len(o), np.int8)
            if (
                H == 24
                # Kuznetzov's extra fields: ifindex, protocol, then the Linux packet
                # type
            ):
                p = v.u8[o + 22].astype(np.int64)
                hint = np.where(p < 8, _PKTTYPE_HINT[np.minimum(p, 7)], 0).astype(
                    np.int8
                )
            r.add_part(
                v,
                o + H,
                incl,
                orig,
                sec * 1_000_000_000 + frac * scale,
                np.zeros(len(o), np.int32),
                linktype,
                hint,
            )
            del v, u32
            yield
        left = n - off
        if left == 0 and r.eof:
            return
        where = f"packet {r.packets + 1} at byte offset {r.base + off}"
        if left >= H:
            incl = incl_of(buf, off + 8)[0]
            if incl > MAX_RECORD_BYTES:
                raise r.error(
                    f"{where}: captured length {incl} bytes in the record header is "
                    f"implausible (more than {MAX_RECORD_BYTES} bytes): corrupt record "
                    "header"
                )
            file_left = r.left(off + H)
            if r.eof or (file_left is not None and incl > file_left):
                raise r.error(
                    f"{where}: truncated record: its header says {incl} captured "
                    "bytes, only "
                    f"{max(file_left if file_left is not None else left - H, 0)} "
                    "left in the file"
                )
            need = H + incl
        elif r.eof:
            raise r.error(
                f"{where}: truncated record header: {H} bytes needed, only {left} "
                "left in the file"
            )
        else:
            need = H
        pos = off


def _u32(view_le, view_be, big: np.ndarray, pos: np.ndarray) -> np.ndarray:
    if not big.any():
        return view_le[pos].astype(np.int64)
    if big.all():
        return view_be[pos].astype(np.int64)
    return np.where(big, view_be[pos], view_le[pos]).astype(np.int64)


_MIN_SECONDS, _MAX_SECONDS = -9_223_372_036, 9_223_372_035
"""Whole seconds the ``time`` column (int64 nanoseconds, 1677-09-21 to 2262-04-11) can
hold.
"""


def _ticks_to_ns(
    ticks: np.ndarray, units: int, offset: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Timestamp units since 1970 (plus ``offset`` seconds) to nanoseconds, rounding
    down as Wireshark does; also where the result is outside the time column's range
    (``bad``).

    >>> t, bad = _ticks_to_ns(np.array([1_500_000, 2**40], np.uint64), 10**6)
    >>> t.tolist(), bad.tolist()
    ([1500000000, 1099511627776000], [False, False])
    >>> _ticks_to_ns(np.array([2**40], np.uint64), 1)[1].tolist()  # 2^40 s: year 36,812
    [True]
    """
    ticks = ticks.astype(np.uint64)
    if units < 2**64:
        secs, frac = ticks // np.uint64(units), ticks % np.uint64(units)
    else:  # finer than 2^-64 s: every 64-bit timestamp is below one second
        secs, frac = np.zeros_like(ticks), ticks
    if units <= 10**9 and 10**9 % units == 0:
        part = frac * np.uint64(10**9 // units)
    elif units % 10**9 == 0 and units // 10**9 < 2**64:
        part = frac // np.uint64(units // 10**9)
    elif units < 2**34:
        part = frac * np.uint64(10**9) // np.uint64(units)
    else:  # exact integer arithmetic, once per distinct value
        values, inverse = np.unique(frac, return_inverse=True)
        part = np.array([int(x) * 10**9 // units for x in values.tolist()], np.uint64)[
            inverse.reshape(-1)
        ]
    hi, lo = _MAX_SECONDS - offset, _MIN_SECONDS - offset
    bad = np.ones(len(ticks), bool) if hi < 0 else secs > np.uint64(min(hi, 2**64 - 1))
    if lo > 0:
        bad |= secs < np.uint64(min(lo, 2**64 - 1))
    whole = (
        np.where(bad, 0, secs).astype(np.int64) + offset
        if not bad.all()
        else np.zeros(len(ticks), np.int64)
    )
    return np.where(bad, 0, whole * 1_000_000_000 + part.astype(np.int64)), bad


def _options(r: _Reader, body: bytes, at: int, e: str, where: str):
    """The ``(code, value)`` options from ``body[at:]`` up to opt_endofopt or the
    end.
    """
    while at + 4 <= len(body):
        code, olen = struct.unpack_from(e + "HH", body, at)
        if code == 0:
            return
        if at + 4 + olen > len(body):
            raise r.error(
                f"{where}: option {code} says {olen} bytes but only "
                f"{len(body) - at - 4} are left in the block: corrupt block"
            )
        yield code, body[at + 4 : at + 4 + olen]
        at += 4 + olen + (-olen % 4)


def _parse_idb(
    r: _Reader, body: bytes, e: str, section: int, local_id: int, where: str
) -> dict:
    where += " (Interface Description Block)"
    if len(body) < 8:
        raise r.error(f"{where}: body of {len(body)} bytes, 8 needed")
    linktype, _reserved, snaplen = struct.unpack_from(e + "HHI", body)
    iface = {
        "section": section,
        "id": local_id,
        "linktype": linktype,
        "snaplen": snaplen,
        "units": 10**6,
        "tsoffset": 0,
        "name": None,
        "tsresol": 6,
    }
    for code, value in _options(r, body, 8, e, where):
        if code == 2:
            iface["name"] = value.decode("utf-8", "replace")
        elif code == 9 and len(value) == 1:  # as tshark: another length is ignored
            res = value[0]
            iface["tsresol"] = res
            iface["units"] = 2 ** (res & 0x7F) if res & 0x80 else 10**res
        elif code == 14 and len(value) == 8:
            iface["tsoffset"] = struct.unpack(e + "q", value)[0]
    iface["resolution"] = f"1/{iface['units']} s"
    return iface


def _read_pcapng(r: _Reader):
    """Read the blocks of a pcapng file; a generator that yields after each chunk of the
    file.
    """
    r.format = "pcapng"
    hdr_le = struct.Struct("<II").unpack_from
    hdr_be = struct.Struct(">II").unpack_from
    sections: list[
        dict
    ] = []  # per section: byte order, first global interface index, count
    pos = 0
    block = 0  # number of blocks read so far
    while True:
        r.fill(pos)
        buf, n = r.buf, r.n
        offs: list[int] = []
        app = offs.append
        # (packet index in this chunk, section index, interfaces the section has by
        # then)
        marks: list[tuple[int, int, int]] = []
        other_marks: list[int] = []  # packet index at which a non-packet block came
        start = (len(sections) - 1, sections[-1]["count"]) if sections else (0, 0)
        off = 0
        hdr = hdr_be if sections and sections[-1]["big"] else hdr_le
        while off + 12 <= n:
            t, length = hdr(buf, off)
            nxt = off + length
            if (
                (t == 6 or t == 3 or t == 2)
                and nxt <= n
                and length >= 16
                and not length & 3
                and sections
            ):
                app(off)
                off = nxt
                continue
            # everything else: section and interface headers, skipped blocks, errors
            number = block + len(offs) + len(other_marks) + 1
            where = f"block {number} at byte offset {r.base + off}"
            if t == PCAPNG_SHB:
                bom = bytes(buf[off + 8 : off + 12])
                if bom == b"\x4d\x3c\x2b\x1a":
                    big = False
                elif bom == b"\x1a\x2b\x3c\x4d":
                    big = True
                else:
                    raise r.error(
                        f"{where} (Section Header Block): byte-order magic "
                        f"{bom.hex()} is neither 1a2b3c4d nor 4d3c2b1a"
                    )
                hdr = hdr_be if big else hdr_le
                length = hdr(buf, off)[1]
                nxt = off + length
            elif not sections:
                raise r.error(
                    f"{where}: block type 0x{t:08x} before the first Section Header "
                    "Block"
                )
            name = _BLOCK_NAMES.get(t, f"block type 0x{t:08x}")
            if length < 12 or length & 3 or length > MAX_RECORD_BYTES:
                raise r.error(
                    f"{where} ({name}): corrupt block length {length} (must be a "
                    f"multiple of 4, at least 12 and at most {MAX_RECORD_BYTES})"
                )
            if nxt > n:
                file_left = r.left(off)
                if r.eof or (file_left is not None and length > file_left):
                    left = file_left if file_left is not None else n - off
                    raise r.error(
                        f"{where} ({name}): truncated block: its length field says "
                        f"{length} bytes, only {left} left in the file"
                    )
                break  # read more
            e = ">" if hdr is hdr_be else "<"
            trailer = struct.unpack_from(e + "I", buf, nxt - 4)[0]
            if trailer != length:
                raise r.error(
                    f"{where} ({name}): corrupt block: length {length} at the start "
                    f"but {trailer} at the end"
                )
            if t in (6, 3, 2):
                raise r.error(
                    f"{where} ({name}): block of {length} bytes is too short for a "
                    "packet block"
                )
            if t == PCAPNG_SHB:
                if length < 28:
                    raise r.error(
                        f"{where} (Section Header Block): block of {length} bytes, at "
                        "least 28 needed"
                    )
                major = struct.unpack_from(e + "H", buf, off + 12)[0]
                if major != 1:
                    raise r.error(
                        f"{where} (Section Header Block): pcapng version {major}, only "
                        "version 1 is known"
                    )
                sections.append(
                    {"big": e == ">", "first": len(r.interfaces), "count": 0}
                )
                marks.append((len(offs), len(sections) - 1, 0))
            elif t == 1:
                sec = sections[-1]
                iface = _parse_idb(
                    r,
                    bytes(buf[off + 8 : nxt - 4]),
                    e,
                    len(sections) - 1,
                    sec["count"],
                    where,
                )
                r.interfaces.append(iface)
                sec["count"] += 1
                marks.append((len(offs), len(sections) - 1, sec["count"]))
            else:
                r.skipped[name] = r.skipped.get(name, 0) + 1
            other_marks.append(len(offs))
            off = nxt
        if offs:
            _pcapng_packets(r, offs, start, marks, other_marks, sections, block)
            yield
        block += len(offs) + len(other_marks)
        left = n - off
        if left == 0 and r.eof:
            return
        if left < 12 and r.eof:
            raise r.error(
                f"block {block + 1} at byte offset {r.base + off}: truncated block "
                f"header: 12 bytes needed, only {left} left in the file"
            )
        need = 12
        if left >= 12:
            t, length = hdr(buf, off)
            need = max(12, min(length, MAX_RECORD_BYTES))
        pos = off
        r.fill(pos, need)
        pos = 0


def _pcapng_packets(
    r: _Reader, offs, start, marks, other_marks, sections, block0
) -> None:
    v = _Views(r.buf, r.n + _PAD)
    o = np.array(offs, np.int64)
    n = len(o)
    # each packet block's section, and how many interfaces that section had defined
    # before it
    sec = np.full(n, start[0], np.int64)
    avail = np.full(n, start[1], np.int64)
    for index, number, count in marks:
        sec[index:] = number
        avail[index:] = count
    big = np.array([s["big"] for s in sections])[sec]
    others = np.array(other_marks, np.int64)

    def where(i: int) -> str:
        number = block0 + i + 1 + int(np.searchsorted(others, i, side="right"))
        t = int(ttype[i])
        return f"block {number} at byte offset {r.base + int(o[i])} ({_BLOCK_NAMES[t]})"

    ttype = _u32(v.le32, v.be32, big, o)
    blen = _u32(v.le32, v.be32, big, o + 4)
    bad = np.flatnonzero(_u32(v.le32, v.be32, big, o + blen - 4) != blen)
    if len(bad):
        i = int(bad[0])
        trailer = int(
            _u32(v.le32, v.be32, big[i : i + 1], o[i : i + 1] + blen[i] - 4)[0]
        )
        raise r.error(
            f"{where(i)}: corrupt block: length {int(blen[i])} at the start but "
            f"{trailer} at the end"
        )
    is_spb = ttype == 3
    is_pb = ttype == 2
    short = np.flatnonzero(~is_spb & (blen < 32))
    if len(short):
        i = int(short[0])
        raise r.error(
            f"{where(i)}: block of {int(blen[i])} bytes is too short (32 needed)"
        )
    iface = _u32(v.le32, v.be32, big, o + 8)
    if is_pb.any():
        iface[is_pb] = np.where(big[is_pb], v.be16[o[is_pb] + 8], v.le16[o[is_pb] + 8])
    iface[is_spb] = 0
    bad = np.flatnonzero(iface >= avail)
    if len(bad):
        i = int(bad[0])
        raise r.error(
            f"{where(i)}: interface {int(iface[i])} is not defined: its section has "
            f"{int(avail[i])} Interface Description Block(s) before this block"
        )
    gi = np.array([s["first"] for s in sections])[sec] + iface
    table = r.interfaces
    lts = np.array([x["linktype"] for x in table])
    for g in np.unique(gi):
        lt = int(lts[g])
        if lt not in _SUPPORTED_LINKTYPES:
            i = int(np.flatnonzero(gi == g)[0])
            raise r.error(
                f"{where(i)}: interface {table[g]['id']} has an {_unsupported(lt)}"
            )
    ts_hi = _u32(v.le32, v.be32, big, o + 12)
    ts_lo = _u32(v.le32, v.be32, big, o + 16)
    caplen = _u32(v.le32, v.be32, big, o + 20)
    orig = _u32(v.le32, v.be32, big, o + 24)
    start = o + 28
    if is_spb.any():
        spb_orig = _u32(v.le32, v.be32, big[is_spb], o[is_spb] + 8)
        snap = np.array([x["snaplen"] for x in table], np.int64)[gi[is_spb]]
        snap = np.where(snap == 0, 2**32, snap)
        orig[is_spb] = spb_orig
        caplen[is_spb] = np.minimum(spb_orig, snap)
        start[is_spb] = o[is_spb] + 12
        small = np.flatnonzero(is_spb & (caplen > blen - 16))
        if len(small):
            i = int(small[0])
            raise r.error(
                f"{where(i)}: a block of {int(blen[i])} bytes is too small for its "
                f"{int(caplen[i])} bytes of packet data (original length "
                f"{int(orig[i])}): corrupt block"
            )
    room = np.where(is_spb, blen - 16, blen - 32)
    bad = np.flatnonzero(caplen > room)
    if len(bad):
        i = int(bad[0])
        raise r.error(
            f"{where(i)}: captured length {int(caplen[i])} does not fit in a block of "
            f"{int(blen[i])} bytes: corrupt block"
        )
    # times: per interface resolution and offset; Simple Packet Blocks have none (NaT)
    time_ns = np.zeros(n, np.int64)
    ticks = (ts_hi.astype(np.uint64) << np.uint64(32)) | ts_lo.astype(np.uint64)
    for g in np.unique(gi[~is_spb]).tolist():
        m = (gi == g) & ~is_spb
        x = table[g]
        time_ns[m], bad = _ticks_to_ns(ticks[m], x["units"], x["tsoffset"])
        if bad.any():
            i = int(np.flatnonzero(m)[np.argmax(bad)])
            seconds = int(ticks[i]) // x["units"] + x["tsoffset"]
            raise r.error(
                f"{where(i)}: timestamp {seconds} s after 1970 "
                f"(interface {x['id']}: units of "
                f"{x['resolution']}, offset {x['tsoffset']} s) "
                "is outside what the time column "
                "holds (1677-09-21 to 2262-04-11): corrupt "
                "timestamp or interface options"
            )
    time_ns[is_spb] = np.iinfo(np.int64).min
    # options: epb_flags / pack_flags (code 2), whose low two bits are the direction
    hint = np.zeros(n, np.int8)
    opt = start + caplen + (-caplen % 4)
    end = o + blen - 4
    active = np.flatnonzero(~is_spb & (opt + 4 <= end))
    for _ in range(64):
        if not len(active):
            break
        bj = big[active]
        code = np.where(bj, v.be16[opt[active]], v.le16[opt[active]]).astype(np.int64)
        olen = np.where(bj, v.be16[opt[active] + 2], v.le16[opt[active] + 2]).astype(
            np.int64
        )
        long = np.flatnonzero((code != 0) & (opt[active] + 4 + olen > end[active]))
        if len(long):
            i = int(active[long[0]])
            raise r.error(
                f"{where(i)}: option {int(code[long[0]])} says {int(olen[long[0]])} "
                f"bytes but only {int(end[i] - opt[i] - 4)} are left in the block: "
                "corrupt block"
            )
        odd = np.flatnonzero((code == 2) & (olen != 4))
        if len(odd):
            i = int(active[odd[0]])
            raise r.error(
                f"{where(i)}: flags option (code 2) of {int(olen[odd[0]])} bytes, "
                "4 expected: corrupt block"
            )
        is_flags = code == 2
        if is_flags.any():
            a = active[is_flags]
            flags = _u32(v.le32, v.be32, big[a], opt[a] + 4)
            d = flags & 3
            hint[a] = np.where(d == 1, 1, np.where(d == 2, 2, 0))
        opt[active] += 4 + olen + (-olen % 4)
        keep = (code != 0) & (opt[active] + 4 <= end[active])
        active = active[keep]
    local = iface.astype(np.int32)
    r.add_part(v, start, caplen, orig, time_ns, local, lts[gi], hint)


def _open(source, chunk_bytes: int, progress: bool | None, keep_bytes: bool):
    """A reader on ``source`` and the generator that reads it (yielding after each
    chunk).
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            if path.is_dir():
                raise CaptureError(f"{path}: is a folder, not a capture file")
            r = _Reader(path, chunk_bytes, progress, keep_bytes)
        except OSError as exc:
            raise CaptureError(f"{path}: cannot open: {exc.strerror or exc}") from exc
    elif hasattr(source, "readinto") or hasattr(source, "read"):
        r = _Reader(source, chunk_bytes, progress, keep_bytes)
    else:
        raise TypeError(
            f"read_capture: expected a path or a binary file object, got "
            f"{type(source).__name__}"
        )

    def body():
        try:
            r.fill(0, 4)
            first = bytes(r.buf[:4])
            if r.n == 0:
                raise r.error("empty file (0 bytes): not a pcap or pcapng capture")
            if r.n < 4:
                raise r.error(
                    f"truncated file header: 4 bytes needed to recognise the format, "
                    f"only {r.n} in the file"
                )
            magic = struct.unpack("<I", first)[0]
            pcap_magics = (PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO, PCAP_MAGIC_MODIFIED)
            if magic in pcap_magics or struct.unpack(">I", first)[0] in pcap_magics:
                yield from _read_pcap(r, r.header(24, "pcap file header"))
            elif magic == PCAPNG_SHB:
                r.header(28, "pcapng Section Header Block")
                yield from _read_pcapng(r)
            else:
                hint = ""
                if first[:2] == b"\x1f\x8b":
                    hint = " (it looks gzip-compressed: decompress it first)"
                elif first[:2] in (b"PK", b"(\xb5"):
                    hint = " (it looks like a zip/zstd archive: extract it first)"
                raise r.error(
                    f"not a pcap or pcapng file: magic number {first.hex()} at byte 0, "
                    "expected a1b2c3d4 or a1b23c4d (pcap, either byte order), a1b2cd34 "
                    f"(modified pcap) or 0a0d0d0a (pcapng){hint}"
                )
        except TypeError as exc:  # a text stream hands str to readinto/read
            if "str" in str(exc) or "bytes-like" in str(exc):
                raise r.error(
                    "not a binary stream: open the capture in binary mode "
                    f"('rb') ({exc})"
                ) from None
            raise
        finally:
            r.close()

    return r, body()


def read_capture(
    source,
    *,
    progress: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    keep_bytes: bool = False,
) -> pd.DataFrame:
    """Read a pcap or pcapng capture into a DataFrame, one row per packet, in file
    order.

    ``source`` is a path, or an open binary file object (``sys.stdin.buffer``, a pipe
    from ``tcpdump -w -``, ``io.BytesIO``, a ``gzip.open(..., "rb")`` file): it is read
    from where it stands to its end, in chunks, and left open. A FIFO (named pipe) is
    opened like any file: opening it waits until a writer opens the other end, as
    ``cat`` and ``tcpdump -r`` do.

    The index is the packet number, counted from 1 like Wireshark's ``No.`` column
    (``frame``). Columns (dtype in brackets):

    - ``time`` [datetime64[ns, UTC]]: capture time; NaT for a Simple Packet Block, which
      has none.
    - ``src``, ``dst`` [str]: the outermost IP addresses, as tshark prints them; "" if
      not IP.
    - ``ip_version`` [Int8]: 4, 6, or <NA> for a non-IP frame (ARP, for instance).
    - ``protocol`` [str]: "TCP", "UDP", "ICMP", "ICMPv6", else the IP protocol number
      ("47" is GRE); for IPv6, the header after the extension headers; "" if not IP.
    - ``sport``, ``dport`` [Int32]: TCP and UDP ports; <NA> for other protocols, for
      fragments after the first, and when the capture was cut before them.
    - ``tcp_flags`` [Int16]: the TCP flag bits, :data:`TCP_FLAGS`: FIN 1, SYN 2, RST 4,
      PSH 8, ACK 16, URG 32, ECE 64, CWR 128, AE 256 (a SYN-ACK is 18).
    - ``icmp_type``, ``icmp_code`` [Int16]: for ICMP and ICMPv6.
    - ``length`` [int64]: bytes on the wire, link-layer header included (tshark's
      ``frame.len``), checked as described below.
    - ``captured_length`` [int64]: bytes in the file (``frame.cap_len``); smaller when
      truncated.
    - ``interface`` [int32]: pcapng interface id, numbered per section as tshark does; 0
      for pcap.
    - ``direction_hint`` [string]: the capture's own idea of direction, or <NA>: "in" or
      "out" from pcapng packet flags or the Linux cooked-capture packet type, which also
      gives "broadcast", "multicast", "otherhost" (to another host, seen in promiscuous
      mode), "loopback", "user", "kernel".
    - ``sll_pkttype`` [Int16]: the Linux cooked-capture packet type itself (0 to us, 1
      broadcast, 2 multicast, 3 to another host, 4 sent by us).
    - ``ethertype`` [Int32]: the EtherType after any VLAN tags, for link types that
      carry one (Ethernet, SLL, SLL2); 0x0806 is ARP.

    ``keep_bytes=True`` adds ``frame`` (the captured bytes) and the offsets into it
    where the network header (``network_offset``), the transport header
    (``transport_offset``) and the payload after it (``payload_offset``) start.

    **Original lengths are checked**, because one corrupt record header would otherwise
    inflate every byte total. The length on the wire a record claims must be at least
    its captured length; for an IP packet whose length field was captured (IPv4 total
    length of 20 or more, IPv6 payload length above 0), at most the link header plus
    that length, after padding to Ethernet's 60 bytes, plus
    :data:`TRAILER_ALLOWANCE` (64) bytes of FCS and trailers; for any other frame, at
    most :data:`MAX_PLAUSIBLE_WIRE_LENGTH` (1 MiB). A length that disagrees is replaced
    by what the headers vouch for (the link header plus the IP length, never less than
    the captured length; the captured length when there is no IP length), counted in
    ``df.attrs["implausible_length"]`` and its first ten packet numbers listed in
    ``df.attrs["implausible_length_frames"]``. tshark shows such a length as it is
    (clamped to 2^31 - 1).

    ``df.attrs`` reports what the reader saw: ``format``, ``packets``, ``truncated``
    (captured length below the wire length), ``non_ip``, ``implausible_length`` and
    ``implausible_length_frames``, ``skipped_blocks`` (pcapng blocks that carry no
    packet: name resolution, statistics, custom...; a count) and ``skipped_block_types``
    (count by block name), and ``interfaces``.

    The input is read ``chunk_bytes`` at a time (at least 4 KiB; a record longer than
    that is read whole), so captures larger than memory work: only the DataFrame, about
    90 bytes a packet, has to fit (:func:`iter_capture` and
    :func:`ingress_egress.parquet.convert` do not even need that). ``progress`` shows a
    progress bar (default: for files of 512 MiB or more, when standard error is a
    terminal). Input that is not a capture, is cut short or is corrupt raises
    :class:`CaptureError` naming the file, the packet or block number and what was
    wrong, the way tshark refuses such files; timestamps the ``time`` column cannot hold
    (before 1677-09-21 or after 2262-04-11) are refused the same way rather than
    wrapped.

    Examples
    --------
    >>> import io, tempfile, pathlib
    >>> ip = bytes.fromhex(
    ...     "45000028000140004006 0000 c0000201 c6336402"
    ... )  # 192.0.2.1 to ...
    >>> tcp = bytes.fromhex(
    ...     "c000 01bb 00000000 00000000 5002 ffff 0000 0000"
    ... )  # SYN, 49152 -> 443
    >>> frame = bytes(12) + b"\\x08\\x00" + ip + tcp
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "syn.pcap"
    >>> p = write_pcap(p, [(1_700_000_000_500_000_000, frame)])
    >>> df = read_capture(p)
    >>> df[["src", "dst", "protocol", "sport", "dport", "tcp_flags", "length"]]
                 src           dst protocol  sport  dport  tcp_flags  length
    frame
    1      192.0.2.1  198.51.100.2      TCP  49152    443          2      54
    >>> df["time"].iloc[0]
    Timestamp('2023-11-14 22:13:20.500000+0000', tz='UTC')
    >>> df.attrs["truncated"], df.attrs["non_ip"], df.attrs["implausible_length"]
    (0, 0, 0)
    >>> len(read_capture(io.BytesIO(p.read_bytes())))  # a stream: the same packet
    1
    """
    r, body = _open(source, chunk_bytes, progress, keep_bytes)
    for _ in body:
        pass
    return _frame(r, r.parts)


def iter_capture(
    source,
    *,
    packets: int = 1_000_000,
    progress: bool | None = None,
    chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    addresses: str = "str",
) -> Iterator[pd.DataFrame]:
    """Read a capture as a sequence of DataFrames of about ``packets`` rows each, in
    file order.

    Each piece has :func:`read_capture`'s columns, dtypes and ``frame`` index (numbers
    go on from one piece to the next); together they are what :func:`read_capture`
    returns, but only one piece is in memory at a time, so a capture of any size can be
    summed or converted. Each piece's ``attrs`` are the running totals of the reader so
    far (``packets``, ``implausible_length``, ...); those of the last piece are the
    file's. Errors are those of :func:`read_capture`, raised when the reader reaches the
    bad place.

    ``addresses="category"`` gives ``src`` and ``dst`` as pandas categoricals instead of
    strings (the same values, each distinct address of the piece stored once; the
    categories are "" then the addresses in numeric order, IPv4 before IPv6): grouping
    and :func:`ingress_egress.direction.classify` then work on the distinct addresses
    only, which is what the command line does.

    >>> import io
    >>> frame = bytes(12) + b"\\x08\\x00" + bytes(20)
    >>> stream = io.BytesIO()
    >>> _ = write_pcap(stream, [(i, frame) for i in range(5)])
    >>> _ = stream.seek(0)
    >>> [len(piece) for piece in iter_capture(stream, packets=2, chunk_bytes=4096)]
    [5]
    """
    if addresses not in ("str", "category"):
        raise ValueError(f"addresses: expected 'str' or 'category', got {addresses!r}")
    r, body = _open(source, chunk_bytes, progress, False)
    pending = 0
    category = addresses == "category"
    for _ in body:
        pending = r.packets - r.first + 1
        if pending >= packets:
            first = r.first
            yield _frame(r, r.take(), first, category)
            pending = 0
    if pending or r.packets == 0 or r.parts:
        first = r.first
        yield _frame(r, r.take(), first, category)


def _frame(
    r: _Reader, parts: list[dict], first: int = 1, category: bool = False
) -> pd.DataFrame:
    count = sum(len(p["time"]) for p in parts)

    def cat(key: str, dtype) -> np.ndarray:
        """One column from all the chunks, freeing the chunks' pieces as it goes
        (memory).
        """
        pieces = [p.pop(key) for p in parts]
        if not pieces:
            return np.zeros(0, dtype)
        if len(pieces) == 1:
            return np.asarray(pieces[0], dtype)
        return np.concatenate(pieces, dtype=dtype)

    def nullable(key: str, dtype: str) -> pd.arrays.IntegerArray:
        values = cat(
            key, dtype.lower()
        )  # -1 marks a missing value in every such column
        mask = values == -1
        values[mask] = 0
        return pd.arrays.IntegerArray(values, mask)

    src, dst, strings = _address_codes(
        cat("src", np.int64),
        cat("dst", np.int64),
        cat("v6_hi", np.uint64),
        cat("v6_lo", np.uint64),
    )
    strings = np.array(strings, dtype=object)

    def address(codes: np.ndarray):
        if category:
            return pd.Categorical.from_codes(
                codes, categories=pd.Index(strings, dtype="str")
            )
        return pd.array(strings[codes], dtype="str")

    proto = cat("proto", np.int16)
    version = cat("ip_version", np.int8)
    protocol = _PROTOCOL_NAMES[np.where(proto >= 0, proto, 256)]
    hint = cat("hint", np.int8)
    columns = {
        "time": pd.Series(
            cat("time", np.int64).view("M8[ns]"), copy=False
        ).dt.tz_localize("UTC"),
        "src": address(src),
        "dst": address(dst),
        "ip_version": pd.arrays.IntegerArray(version, version == 0),
        "protocol": pd.array(protocol, dtype="str"),
        "sport": nullable("sport", "Int32"),
        "dport": nullable("dport", "Int32"),
        "tcp_flags": nullable("tcp_flags", "Int16"),
        "icmp_type": nullable("icmp_type", "Int16"),
        "icmp_code": nullable("icmp_code", "Int16"),
        "length": cat("length", np.int64),
        "captured_length": cat("captured_length", np.int64),
        "interface": cat("interface", np.int32),
        "direction_hint": pd.array(_HINTS[hint], dtype="string"),
        "sll_pkttype": nullable("pkttype", "Int16"),
        "ethertype": nullable("ethertype", "Int32"),
    }
    if r.keep_bytes:
        frames = np.empty(count, dtype=object)
        i = 0
        for piece in (p.pop("frame") for p in parts):
            frames[i : i + len(piece)] = piece
            i += len(piece)
        columns["frame"] = frames
        columns["network_offset"] = nullable("l3", "Int32")
        columns["transport_offset"] = nullable("l4", "Int32")
        columns["payload_offset"] = nullable("l7", "Int32")
    columns["time"] = columns["time"].array
    index = pd.RangeIndex(first, first + count, name="frame")
    df = pd.DataFrame(columns, index=index, copy=False)
    r.truncated = getattr(r, "truncated", 0) + int(
        (columns["captured_length"] < columns["length"]).sum()
    )
    r.non_ip = getattr(r, "non_ip", 0) + int((version == 0).sum())
    df.attrs = {
        "path": str(r.path),
        "format": r.format,
        "packets": int(r.packets),
        "truncated": r.truncated,
        "non_ip": r.non_ip,
        "implausible_length": int(r.implausible),
        "implausible_length_frames": list(r.implausible_frames),
        "skipped_blocks": int(sum(r.skipped.values())),
        "skipped_block_types": dict(sorted(r.skipped.items())),
        "interfaces": [
            {k: x[k] for k in ("id", "linktype", "snaplen", "resolution") if k in x}
            | ({"section": x["section"], "name": x["name"]} if "section" in x else {})
            for x in r.interfaces
        ],
    }
    return df
