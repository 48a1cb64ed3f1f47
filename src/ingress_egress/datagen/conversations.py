"""The two conversations of notebook 01: a browser fetching a page, a client uploading a file.

Both are seen from the home client's network card (before the home router translates addresses),
one row per TCP segment, with the frame length on the wire (Ethernet 14 + IPv4 20 + TCP 20 bytes of
headers, plus the payload). The shapes are those of real TCP: a three-way handshake, a request,
data in maximum-size segments (MSS 1448 bytes, as with the TCP timestamp option), an ACK for every
second data segment (delayed ACK, RFC 1122), and a FIN handshake to close.

========================== =================== ===========================================
who                        address             role
========================== =================== ===========================================
home client                192.168.1.20        laptop in the home network 192.168.1.0/24
home router (LAN side)     192.168.1.1         NATs the home network to 198.51.100.23
web server                 192.0.2.80          serves a 2 MB page (HTML and images)
object storage endpoint    203.0.113.10        in the cloud provider's network 203.0.113.0/24
========================== =================== ===========================================

The access link is asymmetric, as most home links are: 50 Mbit/s down, 10 Mbit/s up.

Examples
--------
>>> rows = conversation_rows()
>>> sorted(set(rows["conversation"]))
['page fetch', 'upload']
>>> int(rows.loc[rows["conversation"] == "upload", "payload"].sum())  # request + file + response
5243960
"""

from __future__ import annotations

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
"""Ethernet, IPv4 and TCP headers (no options) in every frame."""
MSS = 1448
DOWN_BITS_PER_S = 50e6
UP_BITS_PER_S = 10e6
RTT_S = 0.030
START = pd.Timestamp("2026-01-15 10:00:00", tz="UTC")

PAGE_BYTES = 2_000_000
UPLOAD_BYTES = 5 * 2**20  # a 5 MiB file
SEED = 20260115


def _segments(total: int) -> list[int]:
    """Split ``total`` payload bytes into MSS-sized segments."""
    full, rest = divmod(total, MSS)
    return [MSS] * full + ([rest] if rest else [])


def _conversation(name, client_port, server, start_s, request, response, rng) -> list[dict]:
    """One TCP conversation from the client: handshake, request, response, close."""
    rows: list[dict] = []
    t = start_s

    def emit(sender_is_client: bool, payload: int, flags: str) -> None:
        src, dst = (CLIENT, server) if sender_is_client else (server, CLIENT)
        sport, dport = (client_port, 443) if sender_is_client else (443, client_port)
        rows.append(dict(conversation=name, time_s=t, src=src, dst=dst, sport=sport, dport=dport,
                         flags=flags, payload=payload, length=HEADER_BYTES + payload))

    half_rtt = RTT_S / 2
    emit(True, 0, "S")
    t += half_rtt
    emit(False, 0, "SA")
    t += half_rtt
    emit(True, 0, "A")

    def send_bulk(sender_is_client: bool, total: int, bits_per_s: float) -> None:
        nonlocal t
        for i, size in enumerate(_segments(total)):
            t += (HEADER_BYTES + size) * 8 / bits_per_s * rng.uniform(0.98, 1.02)
            emit(sender_is_client, size, "PA" if i == 0 else "A")
            if i % 2 == 1:  # delayed ACK: one ACK for every second segment, from the other side
                emit(not sender_is_client, 0, "A")

    send_bulk(True, request, UP_BITS_PER_S)
    t += half_rtt
    send_bulk(False, response, DOWN_BITS_PER_S)
    t += half_rtt
    emit(True, 0, "A")
    emit(True, 0, "FA")
    t += half_rtt
    emit(False, 0, "FA")
    t += half_rtt
    emit(True, 0, "A")
    return rows


def conversation_rows(seed: int = SEED) -> pd.DataFrame:
    """Both conversations as one table, sorted by time, with a UTC ``time`` column."""
    rng = np.random.default_rng(seed)
    rows = _conversation("page fetch", 51514, WEB_SERVER, 0.0, 520, PAGE_BYTES, rng)
    rows += _conversation("upload", 51522, STORAGE, 2.0, UPLOAD_BYTES + 700, 380, rng)
    table = pd.DataFrame(rows).sort_values(["time_s", "conversation"], kind="stable")
    table["time_s"] = table["time_s"].round(6)
    table.insert(0, "time", START + pd.to_timedelta(table["time_s"], unit="s"))
    return table.drop(columns="time_s").reset_index(drop=True)


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``conversations/home-client.csv`` under ``data_dir``."""
    path = Path(data_dir) / "conversations" / "home-client.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    table = conversation_rows()
    table["time"] = table["time"].dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    table.to_csv(path, index=False, lineterminator="\n")
    return [path]
