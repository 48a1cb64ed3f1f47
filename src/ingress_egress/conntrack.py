"""Connection tracking: the table a stateful router keeps, rebuilt from captures of its
two sides.

A home or office router that translates addresses (NAT) keeps a table of connections:
for each, the five-tuple as the inside host sent it, the public address and port it was
rewritten to, the connection's state and how long the entry lives without traffic. On
Linux that table is *conntrack* (``conntrack -L`` lists it) and NAT is one of its users;
the stateful filter is another. This module rebuilds it from evidence:

* :func:`match_translation` pairs each packet seen on the LAN side with the same packet
  on the WAN side. A NAT rewrites addresses, ports and checksums and lowers the TTL by
  one; it keeps the protocol, the remote end, the length and the IPv4 identification
  field, and forwards within microseconds. Packets without a twin are what only one side
  can show: inbound attempts the router dropped exist only on the WAN, traffic to the
  router itself only on the LAN.
* :func:`translations` turns the pairs into the NAT's mappings (inside endpoint, remote
  endpoint, public port), one per mapping even when a port is reused later or a mapping
  expires and the same inside flow comes back under a new port (NAT rebinding).
* :func:`track` replays one side's packets through the Linux connection-tracking rules:
  the TCP state machine of ``net/netfilter/nf_conntrack_proto_tcp.c`` (its table
  ``tcp_conntracks``) and the UDP rule of ``nf_conntrack_proto_udp.c`` (replied to and
  still active after 2 s: a stream, timeout 120 s, ASSURED; else 30 s), with the
  kernel's default timeouts (``Documentation/networking/nf_conntrack-sysctl.rst``). It
  tells, at any instant, which entries are alive, their state and the seconds they have
  left. Not modelled there: TCP window checks, the shorter timeouts for retransmitted or
  unacknowledged data.
* :func:`rfc6092_verdicts` is the stateful filter an IPv6 router without NAT runs (RFC
  6092): outbound flows and their replies pass, so do ICMPv6 errors about a tracked flow
  (what conntrack calls RELATED, read from the packet the error quotes:
  :func:`quoted_flow`) and echo requests (RFC 4890); the rest of the unsolicited inbound
  traffic, and anything from outside claiming an inside source, is dropped.
  :func:`forwarded` checks such verdicts against a capture of both interfaces.

Examples
--------
A TCP connection's states, packet by packet, from the kernel's transition table:

>>> state = "NONE"
>>> for direction, flags in [
...     (0, SYN),
...     (1, SYN | ACK),
...     (0, ACK),
...     (0, FIN | ACK),
...     (1, FIN | ACK),
...     (0, ACK),
... ]:
...     state = tcp_transition(state, direction, flags)
...     print(state, end=" ")
SYN_SENT SYN_RECV ESTABLISHED FIN_WAIT LAST_ACK TIME_WAIT
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ingress_egress.direction import is_inside

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10

TCP_TIMEOUTS = {
    "SYN_SENT": 120,
    "SYN_RECV": 60,
    "ESTABLISHED": 432_000,
    "FIN_WAIT": 120,
    "CLOSE_WAIT": 60,
    "LAST_ACK": 30,
    "TIME_WAIT": 120,
    "CLOSE": 10,
    "SYN_SENT2": 120,
}
"""Seconds an entry lives without traffic, by TCP state: the defaults of the
``nf_conntrack_tcp_timeout_*`` sysctls (Linux
``Documentation/networking/nf_conntrack-sysctl.rst``; ESTABLISHED is five days)."""
UDP_TIMEOUT = 30
"""``nf_conntrack_udp_timeout``: a UDP entry not (yet) seen as a stream."""
UDP_STREAM_TIMEOUT = 120
"""``nf_conntrack_udp_timeout_stream``: a UDP entry replied to and still active 2 s
after it was made.
"""
OTHER_TIMEOUT = 30
"""``nf_conntrack_icmp_timeout`` (and ICMPv6): ICMP queries and their replies."""

_STATES = (
    "NONE",
    "SYN_SENT",
    "SYN_RECV",
    "ESTABLISHED",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "TIME_WAIT",
    "CLOSE",
    "SYN_SENT2",
)
# The kernel's own abbreviations (nf_conntrack_proto_tcp.c), so that the table below
# reads like the kernel's.
sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 = _STATES
sIV, sIG = _IV, _IG = "INVALID", "IGNORE"
# tcp_conntracks[direction][flag set][state], states in _STATES order.
# fmt: off
_TABLE = {
    0: {  #         sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
        "syn":    (sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2),
        "synack": (sIV, sIV, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR),
        "fin":    (sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV),
        "ack":    (sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV),
        "rst":    (sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
        "none":   (sIV,) * 10,
    },
    1: {  #         sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2
        "syn":    (sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2),
        "synack": (sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR),
        "fin":    (sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV),
        "ack":    (sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG),
        "rst":    (sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL),
        "none":   (sIV,) * 10,
    },
}
# fmt: on


def _flag_set(flags: int) -> str:
    """The kernel's ``get_conntrack_index``: RST first, then SYN (with or without ACK),
    FIN, ACK.
    """
    if flags & RST:
        return "rst"
    if flags & SYN:
        return "synack" if flags & ACK else "syn"
    if flags & FIN:
        return "fin"
    return "ack" if flags & ACK else "none"


def tcp_transition(state: str, direction: int, flags: int) -> str:
    """The TCP state after a segment with ``flags`` in ``direction`` (0 original, 1
    reply).

    Invalid and ignored segments leave the state as it was (the kernel drops or passes
    them without changing the entry).

    >>> tcp_transition("ESTABLISHED", 1, RST | ACK)
    'CLOSE'
    >>> tcp_transition("SYN_SENT", 0, ACK)  # an ACK before any SYN-ACK is invalid
    'SYN_SENT'
    """
    if state not in _STATES:
        raise ValueError(f"TCP conntrack state {state!r}: expected one of {_STATES}")
    new = _TABLE[direction][_flag_set(int(flags))][_STATES.index(state)]
    return state if new in (_IV, _IG) else new


# --------------------------------------------------------------------------------------
# Matching the two sides of a NAT
# --------------------------------------------------------------------------------------


def ip_identification(packets: pd.DataFrame) -> pd.Series:
    """The IPv4 identification field of each packet (<NA> for others); needs
    ``read_capture(..., keep_bytes=True)``.

    >>> from ingress_egress import packets as pk
    >>> frame = bytes(14) + pk.ipv4(
    ...     "192.0.2.1", "192.0.2.2", 17, bytes(8), ident=0xBEEF
    ... )
    >>> ip_identification(
    ...     pd.DataFrame({"frame": [frame], "network_offset": [14], "ip_version": [4]})
    ... ).tolist()
    [48879]
    """
    for column in ("frame", "network_offset", "ip_version"):
        if column not in packets.columns:
            raise KeyError(
                f"ip_identification: packets need a {column!r} column; read the "
                "capture with read_capture(path, keep_bytes=True)"
            )
    values = [
        int.from_bytes(bytes(f)[o + 4 : o + 6], "big")
        if v == 4 and pd.notna(o) and len(f) >= o + 6
        else None
        for f, o, v in zip(
            packets["frame"], packets["network_offset"], packets["ip_version"]
        )
    ]
    return pd.Series(pd.array(values, dtype="Int32"), index=packets.index, name="ip_id")


def _ipv4_total_length(packets: pd.DataFrame) -> np.ndarray:
    """IPv4 total length: unlike the frame length, it does not count the Ethernet
    padding of short frames.
    """
    return np.array(
        [
            int.from_bytes(bytes(f)[o + 2 : o + 4], "big")
            if v == 4 and pd.notna(o)
            else -1
            for f, o, v in zip(
                packets["frame"], packets["network_offset"], packets["ip_version"]
            )
        ],
        dtype=np.int64,
    )


def _side(packets: pd.DataFrame, inside_mask, outside_mask) -> pd.DataFrame:
    """Crossing packets of one capture with the fields a NAT keeps: remote end,
    direction, length, IP id.
    """
    src_in = inside_mask(packets["src"])
    dst_in = inside_mask(packets["dst"])
    src_out = outside_mask(packets["src"])
    dst_out = outside_mask(packets["dst"])
    outbound = (src_in & dst_out).fillna(False).to_numpy(dtype=bool)
    inbound = (src_out & dst_in).fillna(False).to_numpy(dtype=bool)
    keep = outbound | inbound
    p = packets.loc[keep]
    out = outbound[keep]
    table = pd.DataFrame(
        {
            "frame": p.index.to_numpy(),
            "time": p["time"].to_numpy(),
            "protocol": p["protocol"].astype(str).to_numpy(),
            "direction": np.where(out, "outbound", "inbound"),
            "local": np.where(out, p["src"], p["dst"]).astype(str),
            "local_port": np.where(
                out,
                p["sport"].astype("Int64").fillna(-1),
                p["dport"].astype("Int64").fillna(-1),
            ),
            "remote": np.where(out, p["dst"], p["src"]).astype(str),
            "remote_port": np.where(
                out,
                p["dport"].astype("Int64").fillna(-1),
                p["sport"].astype("Int64").fillna(-1),
            ),
            "length": p["length"].to_numpy(),
            "ip_length": _ipv4_total_length(p),
            "ip_id": ip_identification(p).fillna(-1).to_numpy(dtype=np.int64),
        }
    )
    return table


def match_translation(
    lan: pd.DataFrame,
    wan: pd.DataFrame,
    *,
    inside: str | Iterable[str],
    public: str,
    max_delay: str | pd.Timedelta = "1ms",
) -> pd.DataFrame:
    """Pair every packet that crossed the NAT with its twin on the other side.

    ``lan`` and ``wan`` are captures of the router's two interfaces
    (``read_capture(path, keep_bytes=True)``), ``inside`` the private networks behind
    it, ``public`` its public address. Twins agree on protocol, remote address and port,
    direction, IP total length and IPv4 identification (not on frame length: the
    shortest frames are padded to 60 bytes on arrival and not when sent, so the two
    sides differ there), and the WAN copy of an outbound packet follows the LAN copy by
    at most ``max_delay`` (an inbound packet: the other way round).

    One row per packet of either side that crosses (LAN: between ``inside`` and
    elsewhere; WAN: to or from ``public``): ``lan_frame``, ``wan_frame`` (<NA> when that
    side has no twin), ``lan_time``, ``wan_time``, ``protocol``, ``direction``
    (``outbound`` or ``inbound``), ``inside``, ``inside_port`` (the private end),
    ``public_port`` (the port it was translated to), ``remote``, ``remote_port``,
    ``length`` (the LAN frame's, else the WAN's). Sorted by the first time either side
    saw the packet.
    """
    delay = pd.Timedelta(max_delay)
    nets_inside = lambda s: is_inside(s, inside)  # noqa: E731
    not_inside = lambda s: ~is_inside(s, inside)  # noqa: E731
    is_public = lambda s: s == public  # noqa: E731
    not_public = lambda s: s != public  # noqa: E731
    a = _side(lan, nets_inside, lambda s: not_inside(s) & s.ne(public))
    b = _side(wan, is_public, not_public)
    keys = ["protocol", "direction", "remote", "remote_port", "ip_length", "ip_id"]
    pairs = a.merge(b, on=keys, suffixes=("_lan", "_wan"))
    gap = pairs["time_wan"] - pairs["time_lan"]
    gap = gap.where(pairs["direction"] == "outbound", -gap)
    pairs = pairs[(gap >= pd.Timedelta(0)) & (gap <= delay)].assign(gap=gap)
    pairs = (
        pairs.sort_values("gap", kind="stable")
        .drop_duplicates("frame_lan")
        .drop_duplicates("frame_wan")
    )
    lan_only = a[~a["frame"].isin(pairs["frame_lan"])]
    wan_only = b[~b["frame"].isin(pairs["frame_wan"])]
    na = pd.array([pd.NA], dtype="Int64")[0]
    rows = pd.concat(
        [
            pd.DataFrame(
                {
                    "lan_frame": pairs["frame_lan"],
                    "wan_frame": pairs["frame_wan"],
                    "lan_time": pairs["time_lan"],
                    "wan_time": pairs["time_wan"],
                    "protocol": pairs["protocol"],
                    "direction": pairs["direction"],
                    "inside": pairs["local_lan"],
                    "inside_port": pairs["local_port_lan"],
                    "public_port": pairs["local_port_wan"],
                    "remote": pairs["remote"],
                    "remote_port": pairs["remote_port"],
                    "length": pairs["length_lan"],
                }
            ),
            pd.DataFrame(
                {
                    "lan_frame": lan_only["frame"],
                    "wan_frame": na,
                    "lan_time": lan_only["time"],
                    "wan_time": pd.NaT,
                    "protocol": lan_only["protocol"],
                    "direction": lan_only["direction"],
                    "inside": lan_only["local"],
                    "inside_port": lan_only["local_port"],
                    "public_port": -1,
                    "remote": lan_only["remote"],
                    "remote_port": lan_only["remote_port"],
                    "length": lan_only["length"],
                }
            ),
            pd.DataFrame(
                {
                    "lan_frame": na,
                    "wan_frame": wan_only["frame"],
                    "lan_time": pd.NaT,
                    "wan_time": wan_only["time"],
                    "protocol": wan_only["protocol"],
                    "direction": wan_only["direction"],
                    "inside": "",
                    "inside_port": -1,
                    "public_port": wan_only["local_port"],
                    "remote": wan_only["remote"],
                    "remote_port": wan_only["remote_port"],
                    "length": wan_only["length"],
                }
            ),
        ],
        ignore_index=True,
    )
    for column in ("lan_frame", "wan_frame"):
        rows[column] = rows[column].astype("Int64")
    for column in ("inside_port", "public_port", "remote_port"):
        rows[column] = (
            rows[column].astype("Int64").mask(rows[column].astype("Int64") < 0)
        )
    for column in ("lan_time", "wan_time"):
        rows[column] = pd.to_datetime(rows[column], utc=True)
    first = rows["lan_time"].where(rows["lan_time"].notna(), rows["wan_time"])
    first = first.where(
        rows["wan_time"].isna() | (rows["wan_time"] >= first), rows["wan_time"]
    )
    rows = rows.assign(_first=first).sort_values(
        ["_first", "lan_frame", "wan_frame"], kind="stable"
    )
    return rows.drop(columns="_first").reset_index(drop=True)


def translations(matched: pd.DataFrame) -> pd.DataFrame:
    """The NAT's mappings, from a :func:`match_translation` table: one row per (inside
    end, remote end, public port), with the first and last packet and the packets each
    way.

    A flow that outlives its mapping comes back under a new public port (NAT rebinding):
    two rows with the same inside and remote ends. A public port reused for another
    inside host later is two rows with the same public port.
    """
    both = matched[matched["lan_frame"].notna() & matched["wan_frame"].notna()]
    keys = ["protocol", "inside", "inside_port", "remote", "remote_port", "public_port"]
    table = (
        both.groupby(keys, dropna=False)
        .agg(
            first=("lan_time", "min"),
            last=("lan_time", "max"),
            packets_out=("direction", lambda d: int((d == "outbound").sum())),
            packets_in=("direction", lambda d: int((d == "inbound").sum())),
        )
        .reset_index()
    )
    return table.sort_values(
        ["first", "inside", "inside_port"], kind="stable"
    ).reset_index(drop=True)


# --------------------------------------------------------------------------------------
# The connection-tracking table
# --------------------------------------------------------------------------------------


def track(
    packets: pd.DataFrame,
    inside: str | Iterable[str],
    *,
    at: str | pd.Timestamp | None = None,
    matched: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Replay ``packets`` through Linux's connection tracking and return its table at
    time ``at``.

    Every TCP, UDP, ICMP and ICMPv6 packet that has an end in ``inside`` belongs to an
    entry keyed by its five-tuple (ICMP: the two addresses). The first packet of an
    entry sets the *original* direction; an entry whose timeout ran out before the next
    packet is gone, and that packet starts a new entry (as after a NAT mapping expired).
    ``at`` defaults to the last packet.

    One row per entry, in order of creation: ``protocol``, ``state`` (TCP states;
    ``UDP`` and ``ICMP`` entries say ``-``), ``src``, ``sport``, ``dst``, ``dport``
    (original direction), ``unreplied`` (no packet came back yet), ``assured`` (TCP: the
    handshake completed; UDP: a stream), ``first``, ``last`` (times of its first and
    last packet), ``packets``, ``timeout`` (seconds the entry had left at ``at``;
    negative once expired) and ``alive`` (``timeout > 0``). With ``matched`` (a
    :func:`match_translation` table whose LAN side is ``packets``), also
    ``public_port``: the port the entry's packets had on the WAN.
    """
    for column in ("time", "src", "dst", "protocol", "sport", "dport"):
        if column not in packets.columns:
            raise KeyError(
                f"track: packets need a {column!r} column "
                f"(have {list(packets.columns)})"
            )
    p = packets[packets["protocol"].isin(["TCP", "UDP", "ICMP", "ICMPv6"])]
    p = p[
        (is_inside(p["src"], inside) | is_inside(p["dst"], inside))
        .fillna(False)
        .to_numpy(dtype=bool)
    ]
    p = p.sort_values("time", kind="stable")
    times = (
        p["time"].astype("int64").to_numpy()
        if p["time"].dtype.kind == "i"
        else pd.to_datetime(p["time"], utc=True).astype("int64").to_numpy()
    )
    flags = (
        (p["tcp_flags"] if "tcp_flags" in p.columns else pd.Series(0, index=p.index))
        .fillna(0)
        .astype(int)
        .to_numpy()
    )
    sports = p["sport"].astype("Int64").fillna(-1).to_numpy()
    dports = p["dport"].astype("Int64").fillna(-1).to_numpy()
    live: dict[tuple, dict] = {}
    entries: list[dict] = []
    frames_of: list[list] = []
    for frame, t, src, dst, proto, sport, dport, f in zip(
        p.index,
        times,
        p["src"].astype(str),
        p["dst"].astype(str),
        p["protocol"].astype(str),
        sports,
        dports,
        flags,
    ):
        ports = proto in ("TCP", "UDP")
        forward = (proto, src, sport if ports else -1, dst, dport if ports else -1)
        backward = (proto, dst, dport if ports else -1, src, sport if ports else -1)
        entry, direction = live.get(forward), 0
        if entry is None:
            entry, direction = live.get(backward), 1
        if entry is not None and entry["expires"] < t:
            live.pop(entry["key"], None)
            entry = None
        if entry is None:
            direction = 0
            entry = {
                "key": forward,
                "protocol": proto,
                "src": src,
                "sport": int(sport) if ports else -1,
                "dst": dst,
                "dport": int(dport) if ports else -1,
                "state": "NONE" if proto == "TCP" else "-",
                "unreplied": True,
                "assured": False,
                "first": t,
                "last": t,
                "packets": 0,
                "expires": t,
                "n": len(entries),
            }
            live[forward] = entry
            entries.append(entry)
            frames_of.append([])
        entry["packets"] += 1
        entry["last"] = t
        frames_of[entry["n"]].append(frame)
        if direction == 1:
            entry["unreplied"] = False
        if proto == "TCP":
            old = entry["state"]
            new = tcp_transition(old, direction, f)
            if new == "ESTABLISHED" and old in ("SYN_RECV", "ESTABLISHED"):
                entry["assured"] = True
            entry["state"] = new
            timeout = TCP_TIMEOUTS.get(new, TCP_TIMEOUTS["SYN_SENT"])
        elif proto == "UDP":
            stream = not entry["unreplied"] and t - entry["first"] > 2_000_000_000
            entry["assured"] = entry["assured"] or stream
            timeout = UDP_STREAM_TIMEOUT if stream else UDP_TIMEOUT
        else:
            timeout = OTHER_TIMEOUT
        entry["expires"] = t + timeout * 1_000_000_000
    when = (
        pd.Timestamp(at)
        if at is not None
        else pd.Timestamp(int(times.max()) if len(times) else 0, tz="UTC")
    )
    when_ns = (
        when.tz_convert("UTC").value if when.tzinfo else when.tz_localize("UTC").value
    )
    table = pd.DataFrame(
        [{k: v for k, v in e.items() if k not in ("key", "n")} for e in entries],
        columns=[
            "protocol",
            "src",
            "sport",
            "dst",
            "dport",
            "state",
            "unreplied",
            "assured",
            "first",
            "last",
            "packets",
            "expires",
        ],
    )
    table["timeout"] = (table["expires"] - when_ns) / 1e9
    table["alive"] = table["timeout"] > 0
    for column in ("first", "last"):
        table[column] = pd.to_datetime(table[column], utc=True)
    for column in ("sport", "dport"):
        table[column] = table[column].astype("Int64").mask(table[column] < 0)
    table = table.drop(columns="expires")
    if matched is not None:
        port_of = matched.dropna(subset=["lan_frame", "public_port"]).set_index(
            "lan_frame"
        )["public_port"]
        table["public_port"] = pd.array(
            [_one_port(port_of, frames) for frames in frames_of], dtype="Int64"
        )
    return table[
        [
            c
            for c in [
                "protocol",
                "state",
                "src",
                "sport",
                "dst",
                "dport",
                "public_port",
                "unreplied",
                "assured",
                "first",
                "last",
                "packets",
                "timeout",
                "alive",
            ]
            if c in table.columns
        ]
    ]


def _one_port(port_of: pd.Series, frames: list) -> object:
    ports = set(port_of.reindex(frames).dropna().astype(int))
    if len(ports) > 1:
        raise ValueError(
            "a connection-tracking entry's packets left under "
            f"several public ports: {sorted(ports)}"
        )
    return ports.pop() if ports else pd.NA


# --------------------------------------------------------------------------------------
# Stateful filtering without NAT: RFC 6092 for IPv6
# --------------------------------------------------------------------------------------

ICMPV6_ERROR_TYPES = (1, 2, 3, 4)
"""Destination Unreachable, Packet Too Big, Time Exceeded, Parameter Problem (RFC
4443).
"""
ICMPV6_ECHO_REQUEST = 128


def quoted_flow(packets: pd.DataFrame) -> pd.DataFrame:
    """For each ICMPv6 error, the five-tuple of the packet it quotes (RFC 4443 section
    2.4: as much of the invoking packet as fits); <NA> elsewhere. Needs
    ``read_capture(..., keep_bytes=True)``.

    Columns ``quoted_src``, ``quoted_dst``, ``quoted_protocol``, ``quoted_sport``,
    ``quoted_dport``.
    """
    import ipaddress

    names = {6: "TCP", 17: "UDP", 58: "ICMPv6"}
    rows = []
    for proto, kind, frame, offset in zip(
        packets["protocol"],
        packets.get("icmp_type", pd.Series(pd.NA, index=packets.index)),
        packets["frame"],
        packets["transport_offset"],
    ):
        row = (None,) * 5
        if (
            proto == "ICMPv6"
            and pd.notna(kind)
            and int(kind) in ICMPV6_ERROR_TYPES
            and pd.notna(offset)
        ):
            inner = bytes(frame)[int(offset) + 8 :]
            if len(inner) >= 44 and inner[0] >> 4 == 6:
                nh = inner[6]
                src, dst = (
                    str(ipaddress.IPv6Address(inner[8:24])),
                    str(ipaddress.IPv6Address(inner[24:40])),
                )
                ports = (
                    (
                        int.from_bytes(inner[40:42], "big"),
                        int.from_bytes(inner[42:44], "big"),
                    )
                    if nh in (6, 17)
                    else (None, None)
                )
                row = (src, dst, names.get(nh, str(nh)), *ports)
        rows.append(row)
    table = pd.DataFrame(
        rows,
        index=packets.index,
        columns=[
            "quoted_src",
            "quoted_dst",
            "quoted_protocol",
            "quoted_sport",
            "quoted_dport",
        ],
    )
    for column in ("quoted_sport", "quoted_dport"):
        table[column] = table[column].astype("Int64")
    return table


def rfc6092_verdicts(
    packets: pd.DataFrame, inside: str | Iterable[str], *, allow_echo: bool = True
) -> pd.DataFrame:
    """What an IPv6 router filtering as RFC 6092 recommends does with each packet
    crossing it.

    ``packets`` are those seen on the router's outside interface (``read_capture(...,
    keep_bytes=True)``), ``inside`` the office prefix. In time order: an outbound packet
    from ``inside`` is forwarded and opens or refreshes a flow (its five-tuple, with
    conntrack's timeouts); an inbound packet is forwarded when it belongs to a live
    flow; an ICMPv6 Destination Unreachable or Packet Too Big (and Time Exceeded,
    Parameter Problem) when the packet it quotes belongs to one (REC-18, REC-36;
    otherwise dropped, REC-10); an echo request when ``allow_echo`` (RFC 4890 section
    4.3.1, echo is traffic that must not be dropped); any packet from outside whose
    source claims an ``inside`` address is dropped (REC-6), and any other unsolicited
    inbound packet too. Returns ``verdict`` (``forward`` or ``drop``) and ``reason`` per
    packet; packets sent by the router itself get ``own``.
    """
    src_in = is_inside(packets["src"], inside).fillna(False).to_numpy(dtype=bool)
    dst_in = is_inside(packets["dst"], inside).fillna(False).to_numpy(dtype=bool)
    hint = (
        packets["direction_hint"].astype("string").fillna("").to_numpy()
        if "direction_hint" in packets.columns
        else np.full(len(packets), "")
    )
    quoted = quoted_flow(packets)
    order = np.argsort(
        pd.to_datetime(packets["time"], utc=True).to_numpy(), kind="stable"
    )
    live: dict[tuple, int] = {}
    verdict = np.full(len(packets), "", dtype=object)
    reason = np.full(len(packets), "", dtype=object)
    times = pd.to_datetime(packets["time"], utc=True).astype("int64").to_numpy()
    protocol = packets["protocol"].astype(str).to_numpy()
    sport = packets["sport"].astype("Int64").fillna(-1).to_numpy()
    dport = packets["dport"].astype("Int64").fillna(-1).to_numpy()
    icmp = (
        packets["icmp_type"].astype("Int64").fillna(-1).to_numpy()
        if "icmp_type" in packets.columns
        else np.full(len(packets), -1)
    )
    srcs, dsts = (
        packets["src"].astype(str).to_numpy(),
        packets["dst"].astype(str).to_numpy(),
    )
    timeout = {"TCP": TCP_TIMEOUTS["ESTABLISHED"], "UDP": UDP_STREAM_TIMEOUT}
    for i in order:
        key = (protocol[i], srcs[i], sport[i], dsts[i], dport[i])
        if hint[i] == "out" and not src_in[i]:
            verdict[i], reason[i] = "own", "sent by the router"
        elif src_in[i] and not dst_in[i]:
            verdict[i], reason[i] = "forward", "outbound"
            live[key] = (
                times[i] + timeout.get(protocol[i], OTHER_TIMEOUT) * 1_000_000_000
            )
        elif not dst_in[i]:
            verdict[i], reason[i] = "drop", "not for the inside"
        elif src_in[i]:
            verdict[i], reason[i] = "drop", "source claims an inside address (REC-6)"
        elif (
            live.get((protocol[i], dsts[i], dport[i], srcs[i], sport[i]), -1)
            >= times[i]
        ):
            verdict[i], reason[i] = "forward", "reply of a tracked flow"
            live[(protocol[i], dsts[i], dport[i], srcs[i], sport[i])] = (
                times[i] + timeout.get(protocol[i], OTHER_TIMEOUT) * 1_000_000_000
            )
        elif protocol[i] == "ICMPv6" and icmp[i] in ICMPV6_ERROR_TYPES:
            q = quoted.iloc[i]
            qkey = (
                q["quoted_protocol"],
                q["quoted_src"],
                -1 if pd.isna(q["quoted_sport"]) else q["quoted_sport"],
                q["quoted_dst"],
                -1 if pd.isna(q["quoted_dport"]) else q["quoted_dport"],
            )
            if live.get(qkey, -1) >= times[i]:
                verdict[i], reason[i] = (
                    "forward",
                    "error about a tracked flow (REC-18, REC-36)",
                )
            else:
                verdict[i], reason[i] = "drop", "error about no tracked flow (REC-10)"
        elif protocol[i] == "ICMPv6" and icmp[i] == ICMPV6_ECHO_REQUEST and allow_echo:
            verdict[i], reason[i] = "forward", "echo request (RFC 4890)"
            live[(protocol[i], dsts[i], -1, srcs[i], -1)] = (
                times[i] + OTHER_TIMEOUT * 1_000_000_000
            )
        else:
            verdict[i], reason[i] = "drop", "unsolicited inbound"
    return pd.DataFrame({"verdict": verdict, "reason": reason}, index=packets.index)


def forwarded(
    packets: pd.DataFrame,
    *,
    received_on: int,
    sent_on: int,
    max_delay: str | pd.Timedelta = "1ms",
) -> pd.Series:
    """For each packet received on interface ``received_on``, was it sent on ``sent_on``
    within ``max_delay``, that is, forwarded by the router? (A capture of both
    interfaces of a router that does not translate addresses: the forwarded copy has the
    same addresses, ports and length.) <NA> for the packets of other interfaces and
    directions.

    >>> p = pd.DataFrame(
    ...     {
    ...         "time": pd.to_datetime([0, 40_000, 5_000_000], unit="ns", utc=True),
    ...         "src": ["2001:db8::9"] * 3,
    ...         "dst": ["2001:db8:1::1"] * 3,
    ...         "protocol": ["TCP"] * 3,
    ...         "sport": [1, 1, 2],
    ...         "dport": [22, 22, 22],
    ...         "length": [74] * 3,
    ...         "interface": [1, 0, 1],
    ...         "direction_hint": ["in", "out", "in"],
    ...     }
    ... )
    >>> forwarded(p, received_on=1, sent_on=0).tolist()
    [True, <NA>, False]
    """
    delay = pd.Timedelta(max_delay)
    keys = ["src", "dst", "protocol", "sport", "dport", "length"]
    received = packets[
        (packets["interface"] == received_on)
        & (packets["direction_hint"] == "in").fillna(False)
    ]
    sent = packets[
        (packets["interface"] == sent_on)
        & (packets["direction_hint"] == "out").fillna(False)
    ]
    a = (
        received[keys + ["time"]]
        .reset_index()
        .rename(columns={packets.index.name or "index": "row"})
    )
    b = sent[keys + ["time"]].rename(columns={"time": "time_out"})
    pairs = a.merge(b, on=keys, how="inner")
    gap = pairs["time_out"] - pairs["time"]
    hit = set(pairs.loc[(gap >= pd.Timedelta(0)) & (gap <= delay), "row"])
    result = pd.Series(pd.NA, index=packets.index, dtype="boolean", name="forwarded")
    result[received.index] = [row in hit for row in received.index]
    return result
