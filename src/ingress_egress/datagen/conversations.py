"""The two conversations of notebook 01: a browser fetching a page, a client uploading a
file.

Both are seen from the home laptop's network card (before the home router translates
addresses), one row per TCP segment, as a capture on the laptop records them.

**Frames.** Every segment carries Ethernet (14 bytes), IPv4 (20) and TCP (20) headers.
The two ends do not negotiate the TCP timestamp option (RFC 7323), so a full segment
carries the IPv4 over Ethernet maximum segment size, ``MSS`` = 1500 - 20 - 20 = 1460
bytes of data, in a 1514-byte frame. (Hosts that do use timestamps, as Linux does by
default, put 12 bytes of options in every segment and send 1448 bytes of data in the
same 1514-byte frame.) The SYN and the SYN-ACK carry 12 bytes of options (MSS, window
scale, SACK permitted): 66-byte frames.

**What the capture does not see.** On the wire each frame also has a 4-byte frame check
sequence, an 8-byte preamble and start-of-frame delimiter before it, and at least 12
bytes of idle line (the inter-frame gap) after it: 24 bytes more than the capture
records (:func:`wire_bytes`). Ethernet's shortest frame is 64 bytes with its check
sequence, 60 without: the network card pads a shorter frame before sending it. A capture
on the laptop records its own frames before that padding (a pure ACK is 54 bytes) and
the frames it receives after it (60 bytes).

**Timing.** The access link is asymmetric, as most home links are: 50 Mbit/s down, 10
Mbit/s up; the round trip to either server takes 30 ms; the laptop's own network card
runs at 1 Gbit/s. The bottleneck (the access link) sends one frame after another, each
taking its :func:`wire_bytes` of line time at the link's rate (with ±2 % jitter). Each
bulk transfer starts in TCP slow start: an initial window of 10 segments (RFC 6928),
then the window grows by the number of segments each acknowledgement covers (RFC 5681,
section 3.1, counting bytes as RFC 3465 allows), so it doubles every round trip. The
receiver acknowledges every second segment (delayed ACK, RFC 1122). There is no loss in
this model: once the window holds a round trip's worth of data at the bottleneck rate
(the bandwidth-delay product, plus two segments) it stops growing, and each
acknowledgement releases as many segments as it covers, so the sender runs at the
bottleneck rate.

========================== =================== =========================================
who                        address             role
========================== =================== =========================================
home laptop                192.168.1.20        in the home network 192.168.1.0/24
home router (LAN side)     192.168.1.1         NATs the home network to 198.51.100.23
web server                 192.0.2.80          serves a 2 MB page (HTML and images)
object storage endpoint    203.0.113.10        in the cloud provider's network
                                               203.0.113.0/24
========================== =================== =========================================

Examples
--------
>>> rows = conversation_rows()
>>> sorted(set(rows["conversation"]))
['page fetch', 'upload']
>>> int(
...     rows.loc[rows["conversation"] == "upload", "payload"].sum()
... )  # request + file + response
5243960
>>> int(rows["length"].max()), wire_bytes(1514), wire_bytes(54)
(1514, 1538, 84)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

CLIENT = "192.168.1.20"
ROUTER_LAN = "192.168.1.1"
ROUTER_WAN = "198.51.100.23"
HOME_NETWORK = "192.168.1.0/24"
WEB_SERVER = "192.0.2.80"
STORAGE = "203.0.113.10"
PROVIDER_NETWORK = "203.0.113.0/24"

HEADER_BYTES = 14 + 20 + 20
"""Ethernet, IPv4 and TCP headers (no TCP options) in every frame."""
SYN_OPTION_BYTES = 12
"""TCP options of the SYN and SYN-ACK: MSS (4 bytes), NOP and window scale (4), NOP NOP
SACK-permitted (4).
"""
MSS = 1500 - 20 - 20
"""Maximum segment size of IPv4 over Ethernet without TCP options: 1460 bytes of
data.
"""
MIN_FRAME_BYTES = 60
"""Ethernet's shortest frame without its check sequence (64 with it); shorter frames are
padded.
"""
PREAMBLE_SFD_BYTES = 8
"""Preamble (7 bytes) and start-of-frame delimiter (1) sent before every frame."""
FCS_BYTES = 4
"""The frame check sequence (CRC-32) after every frame; network cards strip it before a
capture.
"""
INTERFRAME_GAP_BYTES = 12
"""The idle line (96 bit times) required between two frames."""

INITIAL_WINDOW = 10
"""TCP's initial congestion window, in segments (RFC 6928: min(10 MSS, max(2 MSS, 14600
bytes))).
"""
DOWN_BITS_PER_S = 50e6
UP_BITS_PER_S = 10e6
LAN_BITS_PER_S = 1e9
RTT_S = 0.030
START = pd.Timestamp("2026-01-15 10:00:00", tz="UTC")

PAGE_BYTES = 2_000_000
UPLOAD_BYTES = 5 * 2**20  # a 5 MiB file
SEED = 20260115


def wire_bytes(length):
    """Line time of a frame, in bytes, given its length as a capture records it (without
    the FCS).

    The frame is padded to 60 bytes if shorter, then the check sequence (4 bytes),
    preamble and start-of-frame delimiter (8) and the inter-frame gap (12) are added.
    Works on a number or on an array or Series of lengths.

    >>> wire_bytes(1514), wire_bytes(60), wire_bytes(54)
    (1538, 84, 84)
    >>> wire_bytes(np.array([1514, 54])).tolist()
    [1538, 84]
    """
    total = (
        np.maximum(length, MIN_FRAME_BYTES)
        + FCS_BYTES
        + PREAMBLE_SFD_BYTES
        + INTERFRAME_GAP_BYTES
    )
    return int(total) if np.ndim(total) == 0 else total


def captured_length(payload: int, *, sent_by_laptop: bool, options: int = 0) -> int:
    """A frame's length in the laptop's capture: headers + options + payload, padded to
    60 bytes when the frame arrives from the network (the laptop's own frames are
    captured before padding).

    >>> (
    ...     captured_length(0, sent_by_laptop=True),
    ...     captured_length(0, sent_by_laptop=False),
    ... )
    (54, 60)
    >>> captured_length(1460, sent_by_laptop=False)
    1514
    """
    length = HEADER_BYTES + options + payload
    return length if sent_by_laptop else max(length, MIN_FRAME_BYTES)


def _segments(total: int) -> list[int]:
    """Split ``total`` payload bytes into MSS-sized segments."""
    full, rest = divmod(total, MSS)
    return [MSS] * full + ([rest] if rest else [])


def _bulk(
    sizes: list[int], start: float, *, from_laptop: bool, rng: np.random.Generator
):
    """One direction's data in slow start then at the bottleneck rate; the receiver's
    ACKs back.

    Returns the laptop-side time of each data segment, the ACKs as (laptop-side time,
    segments covered), and when the last segment reached its receiver.
    """
    rate = UP_BITS_PER_S if from_laptop else DOWN_BITS_PER_S
    half_rtt = RTT_S / 2
    # the bottleneck is the home access link: next to the laptop, half a round trip from
    # the server
    to_bottleneck, to_receiver = (0.0, half_rtt) if from_laptop else (half_rtt, 0.0)
    frame_bits = [8 * wire_bytes(HEADER_BYTES + size) for size in sizes]
    window_limit = math.ceil(rate * RTT_S / (8 * wire_bytes(HEADER_BYTES + MSS))) + 2

    sent, received = (
        [],
        [],
    )  # per segment: when the sender sent it, when the receiver got it
    acks = []  # (sent by the receiver, reaches the sender, segments covered)
    window, acked, next_ack, bottleneck_free, sender_free = (
        INITIAL_WINDOW,
        0,
        0,
        0.0,
        start,
    )
    for i, bits in enumerate(frame_bits):
        while i - acked >= window:  # window full: wait for the next acknowledgement
            _, arrives, covered = acks[next_ack]
            next_ack += 1
            acked += covered
            window = min(window + covered, window_limit)
            sender_free = max(sender_free, arrives)
        send = sender_free
        sender_free = send + bits / LAN_BITS_PER_S
        leave = max(
            bottleneck_free, sender_free + to_bottleneck
        ) + bits / rate * rng.uniform(0.98, 1.02)
        bottleneck_free = leave
        sent.append(send)
        received.append(leave + to_receiver)
        if (
            i % 2 == 1 or i == len(sizes) - 1
        ):  # delayed ACK: every second segment, and the last
            covered = 2 if i % 2 == 1 else 1
            acks.append((received[-1], received[-1] + half_rtt, covered))
    data_times = sent if from_laptop else received
    ack_times = [
        (arrives if from_laptop else leaves, covered)
        for leaves, arrives, covered in acks
    ]
    return data_times, ack_times, received[-1]


def _conversation(
    name, client_port, server, start_s, request, response, rng
) -> list[dict]:
    """One TCP conversation from the laptop: handshake, request, response, close."""
    rows: list[dict] = []

    def emit(
        t: float, from_laptop: bool, payload: int, flags: str, options: int = 0
    ) -> None:
        src, dst = (CLIENT, server) if from_laptop else (server, CLIENT)
        sport, dport = (client_port, 443) if from_laptop else (443, client_port)
        length = captured_length(payload, sent_by_laptop=from_laptop, options=options)
        rows.append(
            dict(
                conversation=name,
                time_s=t,
                src=src,
                dst=dst,
                sport=sport,
                dport=dport,
                flags=flags,
                payload=payload,
                length=length,
            )
        )

    def transfer(t: float, total: int, from_laptop: bool) -> float:
        """Send ``total`` bytes; return when the last of them reached the other end."""
        sizes = _segments(total)
        data_times, ack_times, done = _bulk(sizes, t, from_laptop=from_laptop, rng=rng)
        for i, (when, size) in enumerate(zip(data_times, sizes)):
            emit(when, from_laptop, size, "PA" if i == 0 else "A")
        for when, _ in ack_times:
            if (
                len(sizes) > 1
            ):  # a one-segment message is acknowledged by the answer to it
                emit(when, not from_laptop, 0, "A")
        return done

    t = start_s
    emit(t, True, 0, "S", options=SYN_OPTION_BYTES)
    t += RTT_S
    emit(t, False, 0, "SA", options=SYN_OPTION_BYTES)
    emit(t, True, 0, "A")
    after_ack = t + 8 * wire_bytes(HEADER_BYTES) / LAN_BITS_PER_S
    at_server = transfer(after_ack, request, from_laptop=True)
    t = transfer(at_server, response, from_laptop=False)  # the server answers at once
    emit(t, True, 0, "FA")  # the laptop closes; its FIN also acknowledges the last data
    t += RTT_S
    emit(t, False, 0, "FA")
    emit(t, True, 0, "A")
    return rows


def conversation_rows(seed: int = SEED) -> pd.DataFrame:
    """Both conversations as one table, sorted by time, with a UTC ``time`` column."""
    rng = np.random.default_rng(seed)
    rows = _conversation("page fetch", 51514, WEB_SERVER, 0.0, 520, PAGE_BYTES, rng)
    rows += _conversation("upload", 51522, STORAGE, 2.0, UPLOAD_BYTES + 700, 380, rng)
    table = pd.DataFrame(rows).sort_values(["time_s", "conversation"], kind="stable")
    microseconds = (table["time_s"] * 1e6).round().astype("int64")
    table.insert(0, "time", START + pd.to_timedelta(microseconds, unit="us"))
    return table.drop(columns="time_s").reset_index(drop=True)


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``conversations/home-client.csv`` under ``data_dir``."""
    path = Path(data_dir) / "conversations" / "home-client.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    table = conversation_rows()
    table["time"] = table["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    table.to_csv(path, index=False, lineterminator="\n")
    return [path]
