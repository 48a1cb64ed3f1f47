"""Handshakes: what a TLS or QUIC connection says in clear before it encrypts, and what
it no longer says.

Notebook 02 walks a TLS ClientHello to its ``server_name`` (SNI): the name of the site,
readable by anyone on the path, on which firewalls and egress monitors rely.
:func:`client_hellos` does that walk for a whole capture, for the three ways a
connection starts today:

* **TLS over TCP** (RFC 8446): the ClientHello is the first record the client sends; its
  SNI is in clear text.
* **QUIC** (RFC 9000, HTTP/3 on UDP 443): the ClientHello travels inside the client's
  Initial packet, encrypted with keys derived from the packet's own Destination
  Connection ID and a published salt (RFC 9001 section 5.2). A walk that looks for TLS
  records finds nothing; one that derives the keys, as Wireshark does, reads the name as
  easily as over TCP.
* **Encrypted Client Hello** (RFC 9849): the ClientHello the network sees (the *outer*
  one) names only the client-facing server's public name; the real name, ALPN and the
  rest are in the encrypted ``encrypted_client_hello`` extension (0xfe0d). Its presence
  is visible, its content is not. (Clients also send *GREASE* ECH extensions without a
  real inner hello, RFC 9849 section 6.2, so the extension alone does not prove a hidden
  name.)

Examples
--------
>>> from ingress_egress import packets as pk
>>> hello = pk.tls_client_hello("www.example.com", random=bytes(32))
>>> parse_client_hello(hello[5:])["server_name"]
'www.example.com'
"""

from __future__ import annotations

import struct

import pandas as pd

from ingress_egress.packet_protection import open_initial

ECH_EXTENSION = 0xFE0D
"""The ``encrypted_client_hello`` extension type (RFC 9849 section 5)."""


class _Short(ValueError):
    pass


def parse_client_hello(message: bytes) -> dict:
    """The fields of a ClientHello handshake message (type 1, its 3-byte length, the
    body) that tell where and how a client connects: ``server_name`` (or ""), ``alpn``
    (the offered protocols, comma-separated), ``ech`` (an ``encrypted_client_hello``
    extension is present) and ``extensions`` (their types, in order).

    >>> parse_client_hello(b"\\x02" + bytes(3))
    Traceback (most recent call last):
    ...
    ValueError: not a ClientHello: handshake type 2
    """
    if not message or message[0] != 1:
        raise ValueError(
            f"not a ClientHello: handshake type {message[0] if message else 'missing'}"
        )

    def need(pos: int, size: int) -> None:
        if pos + size > len(message):
            raise _Short(f"ClientHello cut off at byte {pos} (needs {size} more)")

    pos = 4 + 2 + 32  # header, version, random
    need(pos, 1)
    pos += 1 + message[pos]  # session id
    need(pos, 2)
    pos += 2 + int.from_bytes(message[pos : pos + 2], "big")  # cipher suites
    need(pos, 1)
    pos += 1 + message[pos]  # compression methods
    need(pos, 2)
    end = pos + 2 + int.from_bytes(message[pos : pos + 2], "big")
    pos += 2
    name, alpn, types = "", [], []
    while pos + 4 <= end:
        kind, size = struct.unpack_from("!HH", message, pos)
        need(pos + 4, size)
        body = message[pos + 4 : pos + 4 + size]
        types.append(kind)
        if kind == 0 and len(body) >= 5:
            name = body[5 : 5 + int.from_bytes(body[3:5], "big")].decode(
                "ascii", "replace"
            )
        elif kind == 16 and len(body) >= 2:
            i = 2
            while i < len(body):
                alpn.append(body[i + 1 : i + 1 + body[i]].decode("ascii", "replace"))
                i += 1 + body[i]
        pos += 4 + size
    return {
        "server_name": name,
        "alpn": ",".join(alpn),
        "ech": ECH_EXTENSION in types,
        "extensions": types,
    }


def _crypto_data(frames: bytes) -> bytes:
    """The CRYPTO frames' bytes from offset 0 on, skipping PADDING, PING and ACK frames
    (RFC 9000 section 19).
    """
    pos, pieces = 0, {}
    while pos < len(frames):
        kind = frames[pos]
        if kind in (0x00, 0x01):  # PADDING, PING
            pos += 1
        elif kind in (0x02, 0x03):  # ACK
            pos += 1
            values = []
            for _ in range(4):
                value, pos = _varint(frames, pos)
                values.append(value)
            for _ in range(2 * values[2]):
                _, pos = _varint(frames, pos)
            if kind == 0x03:
                for _ in range(3):
                    _, pos = _varint(frames, pos)
        elif kind == 0x06:
            offset, pos = _varint(frames, pos + 1)
            length, pos = _varint(frames, pos)
            pieces[offset] = frames[pos : pos + length]
            pos += length
        else:
            break  # a frame an Initial should not carry
    data, at = b"", 0
    while at in pieces:
        data += pieces[at]
        at += len(pieces[at])
    return data


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    size = 1 << (data[pos] >> 6)
    return int.from_bytes(
        bytes([data[pos] & 0x3F]) + data[pos + 1 : pos + size], "big"
    ), pos + size


def client_hellos(packets: pd.DataFrame) -> pd.DataFrame:
    """Every ClientHello a capture shows: in TLS records over TCP, and in QUIC Initial
    packets.

    ``packets`` must come from ``read_capture(path, keep_bytes=True)``. One row per
    hello: ``frame`` (packet number), ``time``, ``client``, ``client_port``, ``server``,
    ``server_port``, ``transport`` (``TCP`` or ``QUIC``), ``server_name``, ``alpn``,
    ``ech``; in capture order. A QUIC packet counts when it is a client's Initial that
    opens with a ClientHello. Hellos cut by the snap length or malformed are skipped and
    counted: ``attrs["skipped"]`` and ``attrs["skipped_reasons"]`` ({packet number:
    reason}).
    """
    for column in (
        "frame",
        "payload_offset",
        "protocol",
        "sport",
        "dport",
        "src",
        "dst",
        "time",
    ):
        if column not in packets.columns:
            raise KeyError(
                f"client_hellos: packets need a {column!r} column; read the capture "
                "with read_capture(path, keep_bytes=True)"
            )
    rows, skipped, opened = [], {}, set()
    has_payload = packets["payload_offset"].notna().to_numpy(dtype=bool)
    subset = packets[
        has_payload & packets["protocol"].isin(["TCP", "UDP"]).to_numpy(dtype=bool)
    ]
    for number, time, src, dst, proto, sport, dport, frame, offset in zip(
        subset.index,
        subset["time"],
        subset["src"],
        subset["dst"],
        subset["protocol"],
        subset["sport"],
        subset["dport"],
        subset["frame"],
        subset["payload_offset"],
    ):
        data = bytes(frame)[int(offset) :]
        try:
            if proto == "TCP":
                if len(data) < 6 or data[0] != 22 or data[5] != 1:
                    continue
                record = int.from_bytes(data[3:5], "big")
                if len(data) < 5 + record:
                    raise _Short(
                        f"TLS record of {record} bytes, only {len(data) - 5} captured"
                    )
                fields, transport = parse_client_hello(data[5 : 5 + record]), "TCP"
            else:
                if (
                    len(data) < 7
                    or data[0] & 0xC0 != 0xC0
                    or int(dport) != 443
                    or (src, sport, dst) in opened
                ):
                    continue
                try:
                    _, frames = open_initial(data, client=True)
                except ValueError:
                    continue  # not a client's first Initial
                hello = _crypto_data(frames)
                if not hello or hello[0] != 1:
                    continue
                fields, transport = parse_client_hello(hello), "QUIC"
                opened.add((src, sport, dst))
        except (_Short, ValueError, IndexError) as error:
            skipped[number] = str(error)
            continue
        rows.append(
            (
                number,
                time,
                src,
                int(sport),
                dst,
                int(dport),
                transport,
                fields["server_name"],
                fields["alpn"],
                fields["ech"],
            )
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "frame",
            "time",
            "client",
            "client_port",
            "server",
            "server_port",
            "transport",
            "server_name",
            "alpn",
            "ech",
        ],
    )
    table.attrs = {"skipped": len(skipped), "skipped_reasons": skipped}
    return table
