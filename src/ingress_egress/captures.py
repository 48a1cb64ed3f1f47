"""Captures: read and write packet capture files (pcap and pcapng).

A capture file is the raw evidence of ingress and egress: every frame a network interface saw,
with the time it saw it. This module writes small captures (the course's datasets and its tests
are made with :func:`write_pcap` and :func:`write_pcapng`) and reads them back as one pandas row
per packet with :func:`read_capture`.

Examples
--------
>>> import tempfile, pathlib
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> frame = bytes(12) + b"\\x08\\x00" + bytes(20)        # Ethernet header, then a (zeroed) IPv4 header
>>> write_pcap(tmp / "tiny.pcap", [(1_700_000_000_123_456_789, frame)]).name
'tiny.pcap'
>>> (tmp / "tiny.pcap").stat().st_size                 # 24-byte file header + 16-byte record header + frame
74
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LINKTYPE_NULL = 0
"""BSD loopback: a 4-byte address family in the capturing host's byte order, then IP."""
LINKTYPE_ETHERNET = 1
"""Ethernet II (and 802.3), optionally with 802.1Q / 802.1ad VLAN tags."""
LINKTYPE_RAW = 101
"""Raw IP: the frame starts with an IPv4 or IPv6 header (the version nibble tells which)."""
LINKTYPE_LOOP = 108
"""OpenBSD loopback: like NULL, but the address family is in network byte order."""
LINKTYPE_LINUX_SLL = 113
"""Linux cooked capture v1 (``tcpdump -i any``): 16-byte header with a packet type (in/out)."""
LINKTYPE_IPV4 = 228
"""Raw IPv4 only."""
LINKTYPE_IPV6 = 229
"""Raw IPv6 only."""
LINKTYPE_LINUX_SLL2 = 276
"""Linux cooked capture v2: 20-byte header with packet type and interface index."""

PCAP_MAGIC_MICRO = 0xA1B2C3D4
PCAP_MAGIC_NANO = 0xA1B23C4D
PCAP_MAGIC_MODIFIED = 0xA1B2CD34
"""Alexey Kuznetzov's modified pcap: 24-byte record headers (ifindex, protocol, packet type)."""
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D


class CaptureError(ValueError):
    """A capture file that cannot be read: the message names the file, the position and the problem."""


# --------------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------------


def _split_record(record: tuple, n_head: int) -> tuple:
    """Pad an optional-field record tuple with ``None`` up to ``n_head + 2`` fields."""
    if not n_head <= len(record) <= n_head + 2:
        raise ValueError(f"record {record!r:.80}: expected {n_head} to {n_head + 2} fields")
    return tuple(record) + (None,) * (n_head + 2 - len(record))


def write_pcap(
    path: str | Path,
    records: Iterable[tuple],
    *,
    linktype: int = LINKTYPE_ETHERNET,
    nanosecond: bool = True,
    snaplen: int = 262144,
    big_endian: bool = False,
    modified: bool = False,
) -> Path:
    """Write a classic pcap file and return its path.

    ``records`` yields ``(time_ns, frame)`` or ``(time_ns, frame, original_length)``: ``time_ns`` is
    nanoseconds since 1970-01-01 UTC, ``frame`` the bytes from the link-layer header on.
    ``original_length`` (the length on the wire) defaults to ``len(frame)``; frames longer than
    ``snaplen`` are cut to ``snaplen`` bytes, so their captured length is below the original length.
    With ``nanosecond=False`` timestamps are stored in microseconds (truncated). ``modified=True``
    writes Kuznetzov's modified format (magic ``0xa1b2cd34``, 24-byte record headers whose extra
    fields are written as zeros); it is always microsecond.

    >>> import tempfile, pathlib
    >>> p = write_pcap(pathlib.Path(tempfile.mkdtemp()) / "x.pcap", [(0, b"abc", 60)], snaplen=2)
    >>> p.read_bytes()[24:]                             # ts_sec, ts_nsec, captured 2, original 60, data
    b'\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x00\\x00<\\x00\\x00\\x00ab'
    """
    path = Path(path)
    e = ">" if big_endian else "<"
    if modified:
        nanosecond = False
        magic = PCAP_MAGIC_MODIFIED
    else:
        magic = PCAP_MAGIC_NANO if nanosecond else PCAP_MAGIC_MICRO
    head = struct.Struct(e + "IIII")
    extra = b"\x00" * 8 if modified else b""
    with open(path, "wb") as f:
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
    """A raw pcapng block for :func:`write_pcapng`: ``block_type`` and its body (padded for you).

    Use it for blocks a reader must skip: Name Resolution (4), Interface Statistics (5),
    Decryption Secrets (10), custom blocks (``0x00000BAD``, ``0x40000BAD``) and so on.
    """

    block_type: int
    body: bytes = b""


@dataclass(frozen=True)
class SimplePacket:
    """A Simple Packet Block (type 3): no timestamp, always interface 0 of its section."""

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
    """Start a new pcapng section with its own interfaces (and byte order) inside the record stream."""

    interfaces: tuple = ((LINKTYPE_ETHERNET, 9),)
    big_endian: bool = False


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _ticks(time_ns: int, tsresol: int) -> int:
    """Nanoseconds to the interface's timestamp units (``if_tsresol`` byte: 10^-n, or 2^-n if MSB set)."""
    if tsresol & 0x80:
        return (int(time_ns) << (tsresol & 0x7F)) // 1_000_000_000
    exp = tsresol
    if exp >= 9:
        return int(time_ns) * 10 ** (exp - 9)
    return int(time_ns) // 10 ** (9 - exp)


def name_resolution_block(entries: Iterable[tuple[str, str]], *, big_endian: bool = False) -> Block:
    """A Name Resolution Block (type 4) mapping IP addresses to names: a block a reader skips.

    >>> name_resolution_block([("192.0.2.1", "www.example")]).block_type
    4
    """
    import ipaddress

    e = ">" if big_endian else "<"
    body = b""
    for address, name in entries:
        ip = ipaddress.ip_address(address)
        value = ip.packed + name.encode() + b"\x00"
        body += struct.pack(e + "HH", 1 if ip.version == 4 else 2, len(value)) + _pad4(value)
    body += struct.pack(e + "HH", 0, 0)
    return Block(4, body)


def write_pcapng(
    path: str | Path,
    records: Iterable,
    *,
    interfaces: Iterable[tuple] = ((LINKTYPE_ETHERNET, 9),),
    big_endian: bool = False,
) -> Path:
    """Write a pcapng file and return its path.

    ``interfaces`` lists the first section's interfaces as ``(linktype, tsresol)`` or
    ``(linktype, tsresol, snaplen)``, where ``tsresol`` is the ``if_tsresol`` option byte: ``n``
    means units of 10^-n s (6 = microseconds, pcapng's default; 9 = nanoseconds), ``0x80 | n`` means
    2^-n s. ``records`` is a stream of:

    - ``(interface_id, time_ns, frame[, original_length[, flags]])``: an Enhanced Packet Block;
      ``flags`` is the ``epb_flags`` option (low 2 bits: 1 inbound, 2 outbound);
    - :class:`SimplePacket`, :class:`ObsoletePacket`: the other two packet blocks;
    - :class:`Block`: any other block, written as given (readers skip it);
    - :class:`Section`: start a new section, with new interfaces and possibly the other byte order.

    Frames longer than the interface's snaplen (default 262144) are truncated.

    >>> import tempfile, pathlib
    >>> p = write_pcapng(pathlib.Path(tempfile.mkdtemp()) / "x.pcapng",
    ...                  [(0, 1_000_000_000, b"\\x45" + bytes(19)), name_resolution_block([])],
    ...                  interfaces=[(LINKTYPE_RAW, 9)])
    >>> p.read_bytes()[:4].hex(), p.stat().st_size     # SHB 28 + IDB 32 + EPB 52 + NRB 16
    ('0a0d0d0a', 128)
    """
    path = Path(path)
    with open(path, "wb") as f:
        state = {}

        def block(block_type: int, body: bytes) -> None:
            e = state["e"]
            body = _pad4(body)
            total = len(body) + 12
            f.write(struct.pack(e + "II", block_type, total) + body + struct.pack(e + "I", total))

        def section(ifaces: Iterable[tuple], big: bool) -> None:
            state["e"] = e = ">" if big else "<"
            state["ifaces"] = []
            block(PCAPNG_SHB, struct.pack(e + "IHHq", PCAPNG_BYTE_ORDER_MAGIC, 1, 0, -1))
            for iface in ifaces:
                linktype, tsresol, snaplen = (tuple(iface) + (262144,))[:3]
                options = b""
                if tsresol != 6:
                    options += struct.pack(e + "HHB3x", 9, 1, tsresol)
                if options:
                    options += struct.pack(e + "HH", 0, 0)
                block(1, struct.pack(e + "HHI", linktype, 0, snaplen) + options)
                state["ifaces"].append((linktype, tsresol, snaplen))

        section(interfaces, big_endian)
        for record in records:
            e = state["e"]
            if isinstance(record, Section):
                section(record.interfaces, record.big_endian)
            elif isinstance(record, Block):
                block(record.block_type, record.body)
            elif isinstance(record, SimplePacket):
                frame = bytes(record.frame)
                original = len(frame) if record.original_length is None else record.original_length
                data = frame[: state["ifaces"][0][2]]
                block(3, struct.pack(e + "I", original) + _pad4(data))
            else:
                if isinstance(record, ObsoletePacket):
                    iface, time_ns, frame, original, flags = (
                        record.interface_id, record.time_ns, record.frame,
                        record.original_length, record.flags,
                    )
                else:
                    iface, time_ns, frame, original, flags = _split_record(record, 3)
                frame = bytes(frame)
                original = len(frame) if original is None else int(original)
                _, tsresol, snaplen = state["ifaces"][iface]
                data = frame[:snaplen]
                ticks = _ticks(time_ns, tsresol)
                options = b""
                if flags is not None:
                    options = struct.pack(e + "HHI", 2, 4, flags) + struct.pack(e + "HH", 0, 0)
                if isinstance(record, ObsoletePacket):
                    head = struct.pack(e + "HHIIII", iface, 0, ticks >> 32, ticks & 0xFFFFFFFF,
                                       len(data), original)
                    block(2, head + _pad4(data) + options)
                else:
                    head = struct.pack(e + "IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF,
                                       len(data), original)
                    block(6, head + _pad4(data) + options)
    return path
