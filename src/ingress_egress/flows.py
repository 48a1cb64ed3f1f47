"""Flows: packets grouped into conversations, with who started each one and the bytes
each way.

A *flow* here is a bidirectional five-tuple conversation: every packet between the same
two endpoints (address and port) over the same protocol, in either direction, is one
row. (For ICMP and other protocols without ports, the two addresses and the protocol.)
This is what Wireshark's *Statistics > Conversations* shows, and what NetFlow/IPFIX
records become once the two directions are joined.

The **initiator** is the host that sent the first SYN without ACK (the first packet of
TCP's three-way handshake); when the capture has no such SYN (it started mid-connection,
or the flow is UDP or ICMP), the sender of the first packet seen. ``initiated_by`` says
which rule decided. *Forward* is initiator to responder, *reverse* the other way.

Two directions that are easy to confuse, and both matter:

- the **direction of the connection**: who opened it, relative to a boundary. An office
  laptop that opens a connection to a video site makes an *outbound* connection;
- the **direction of the bytes**: where most of the data went. That same connection
  brings hundreds of megabytes *in*: it is ingress-heavy.

Firewalls reason about the first (a stateful firewall allows outbound connections and
their replies); bills and exfiltration alarms reason about the second. Give ``inside``
to get both.

A five-tuple that is used again later in the capture (the same client port reused for a
new connection to the same server) stays one row: packets are grouped by their
addresses, ports and protocol only, as Wireshark's conversation table groups them.

Examples
--------
A laptop asks DNS for a name, then downloads from the address it got (sizes in bytes):

>>> import pandas as pd
>>> packets = pd.DataFrame(
...     {
...         "time": pd.to_datetime(
...             [0.0, 0.01, 0.02, 0.05, 0.06, 0.09, 0.10, 0.30], unit="s", utc=True
...         ),
...         "src": [
...             "192.168.10.11",
...             "192.0.2.53",
...             "192.168.10.11",
...             "192.0.2.80",
...             "192.168.10.11",
...             "192.0.2.80",
...             "192.0.2.80",
...             "192.168.10.11",
...         ],
...         "dst": [
...             "192.0.2.53",
...             "192.168.10.11",
...             "192.0.2.80",
...             "192.168.10.11",
...             "192.0.2.80",
...             "192.168.10.11",
...             "192.168.10.11",
...             "192.0.2.80",
...         ],
...         "protocol": ["UDP", "UDP", "TCP", "TCP", "TCP", "TCP", "TCP", "TCP"],
...         "sport": [53000, 53, 50000, 443, 50000, 443, 443, 50000],
...         "dport": [53, 53000, 443, 50000, 443, 50000, 50000, 443],
...         "tcp_flags": [None, None, 0x02, 0x12, 0x10, 0x10, 0x18, 0x10],
...         "length": [75, 91, 66, 66, 60, 1514, 1514, 60],
...     }
... )
>>> f = flows(packets, inside="192.168.10.0/24")
>>> print(f[["protocol", "initiator", "responder", "responder_port"]].to_string())
     protocol      initiator   responder  responder_port
flow
1         UDP  192.168.10.11  192.0.2.53              53
2         TCP  192.168.10.11  192.0.2.80             443
>>> print(f[["packets", "bytes_forward", "bytes_reverse"]].to_string())
      packets  bytes_forward  bytes_reverse
flow
1           2             75             91
2           6            186           3094
>>> print(
...     f[
...         [
...             "initiated_by",
...             "connection",
...             "ingress_bytes",
...             "egress_bytes",
...             "bytes_direction",
...         ]
...     ].to_string()
... )
      initiated_by connection  ingress_bytes  egress_bytes bytes_direction
flow
1     first packet   outbound             91            75         ingress
2              SYN   outbound           3094           186         ingress
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ingress_egress.direction import is_inside

REQUIRED_COLUMNS = ("time", "src", "dst", "protocol", "sport", "dport", "length")
"""Columns :func:`flows` needs; ``tcp_flags`` is optional (without it, the first packet
decides).
"""

CONNECTION_DIRECTIONS = ("outbound", "inbound", "internal", "external")
"""Who opened a flow, relative to the boundary: inside to outside is outbound, and so
on.
"""

_SYN, _ACK = 0x02, 0x10
_PORT_SPAN = 65537  # ports -1 (none) .. 65535, shifted by one


def flows(
    packets: pd.DataFrame, inside: str | Iterable[str] | None = None
) -> pd.DataFrame:
    """Group ``packets`` (one row each, as :func:`ingress_egress.captures.read_capture`
    returns them) into bidirectional conversations, one row per flow.

    Non-IP packets (empty ``src``) belong to no flow; their number is in
    ``result.attrs["non_ip"]``. Rows are in the order the flows started, numbered from 1
    (the index, ``flow``). Columns:

    ======================  ============================================================
    ``protocol``            as in the packets (``TCP``, ``UDP``, ``ICMP``, ...)
    ``initiator``,          the address and port (``<NA>`` without ports) that started
                            the flow
    ``initiator_port``
    ``responder``,          the other end
    ``responder_port``
    ``initiated_by``        ``SYN`` (a SYN without ACK was seen) or ``first packet``
    ``first_packet``        the index label (packet number) of the flow's first packet
    ``start``, ``end``,     times of the first and last packet, and the difference
    ``duration``
    ``packets_forward``,    packets and bytes (sum of ``length``) from initiator to
                            responder
    ``bytes_forward``
    ``packets_reverse``,    and from responder to initiator
    ``bytes_reverse``
    ``packets``, ``bytes``  both directions
    ======================  ============================================================

    With ``inside`` (addresses or CIDR networks, as for
    :func:`ingress_egress.direction.classify`):

    ======================  ============================================================
    ``connection``          ``outbound`` (initiator inside, responder outside),
                            ``inbound``, ``internal`` (both inside) or ``external``
                            (both outside)
    ``ingress_bytes``,      bytes that crossed the boundary inwards and outwards (0 for
                            internal
    ``egress_bytes``        and external flows: they never cross it)
    ``bytes_direction``     ``ingress`` or ``egress``, whichever is larger (``balanced``
                            if equal); ``<NA>`` if nothing crossed
    ======================  ============================================================

    The work is vectorised: endpoints become integer codes, flows are found by hashing,
    and sums are ``numpy.bincount`` calls, so a million packets take about a second.

    >>> flows(pd.DataFrame({"src": ["10.0.0.1"]}))
    Traceback (most recent call last):
    ...
    KeyError: "flows: packets need columns ['time', 'dst', 'protocol', 'sport', 'dport',
        'length'] (have ['src'])"
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in packets.columns]
    if missing:
        raise KeyError(
            f"flows: packets need columns {missing} (have {list(packets.columns)})"
        )

    src_all = packets["src"].fillna("").astype(str).to_numpy()
    is_ip = src_all != ""
    non_ip = int((~is_ip).sum())
    p = packets.loc[is_ip]
    n = len(p)

    # Time order (file order among equal times) decides which packet is "first".
    when = (
        pd.to_datetime(p["time"], utc=True)
        .astype("datetime64[ns, UTC]")
        .dt.tz_convert(None)
        .to_numpy()
    )
    order = np.argsort(when.view(np.int64), kind="stable")
    p = p.iloc[order]
    when = when[order]

    # Integer codes: addresses, then endpoints (address, port), then flows.
    address_codes, addresses = pd.factorize(
        np.concatenate(
            [p["src"].astype(str).to_numpy(), p["dst"].astype(str).to_numpy()]
        )
    )
    src_code = address_codes[:n].astype(np.int64)
    dst_code = address_codes[n:].astype(np.int64)
    sport = pd.to_numeric(p["sport"]).fillna(-1).to_numpy(dtype=np.int64)
    dport = pd.to_numeric(p["dport"]).fillna(-1).to_numpy(dtype=np.int64)
    protocol_text = p["protocol"].astype(str).to_numpy()
    protocol_code, protocols = pd.factorize(protocol_text)

    src_end = src_code * _PORT_SPAN + (sport + 1)
    dst_end = dst_code * _PORT_SPAN + (dport + 1)
    from_low = src_end <= dst_end  # the direction of each packet, in flow terms
    endpoint_codes, endpoints = pd.factorize(
        np.concatenate([np.minimum(src_end, dst_end), np.maximum(src_end, dst_end)])
    )
    key = (
        endpoint_codes[:n].astype(np.int64) * max(len(endpoints), 1)
        + endpoint_codes[n:]
    )
    key = key * max(len(protocols), 1) + protocol_code
    flow, _ = pd.factorize(key)  # numbered in order of first packet
    n_flows = int(flow.max()) + 1 if n else 0

    first = np.unique(flow, return_index=True)[1]
    last = n - 1 - np.unique(flow[::-1], return_index=True)[1]

    # The initiator: the sender of the first SYN without ACK, else of the first packet.
    if "tcp_flags" in p.columns:
        flags = pd.to_numeric(p["tcp_flags"]).fillna(0).to_numpy(dtype=np.int64)
        is_syn = ((flags & (_SYN | _ACK)) == _SYN) & (protocol_text == "TCP")
    else:
        is_syn = np.zeros(n, dtype=bool)
    syn_rows = np.flatnonzero(is_syn)
    syn_flows, syn_first = np.unique(flow[syn_rows], return_index=True)
    decider = first.copy()
    decider[syn_flows] = syn_rows[syn_first]
    by_syn = np.zeros(n_flows, dtype=bool)
    by_syn[syn_flows] = True
    forward = from_low == from_low[decider][flow]  # sent by the initiator?

    length = pd.to_numeric(p["length"]).to_numpy(dtype=np.float64)

    def total(weights: np.ndarray | None) -> np.ndarray:
        return np.rint(np.bincount(flow, weights=weights, minlength=n_flows)).astype(
            np.int64
        )

    packets_forward = total(forward.astype(np.float64))
    bytes_forward = total(length * forward)
    packets_all = total(None)
    bytes_all = total(length)

    address_text = np.asarray(addresses, dtype=object)
    init_port, resp_port = sport[decider], dport[decider]
    result = pd.DataFrame(
        {
            "protocol": pd.array(
                np.asarray(protocols, dtype=object)[protocol_code[first]], dtype="str"
            ),
            "initiator": pd.array(address_text[src_code[decider]], dtype="str"),
            "initiator_port": pd.array(
                np.where(init_port < 0, None, init_port), dtype="Int32"
            ),
            "responder": pd.array(address_text[dst_code[decider]], dtype="str"),
            "responder_port": pd.array(
                np.where(resp_port < 0, None, resp_port), dtype="Int32"
            ),
            "initiated_by": pd.array(
                np.where(by_syn, "SYN", "first packet"), dtype="str"
            ),
            "first_packet": p.index.to_numpy()[first],
            "start": pd.DatetimeIndex(when[first]).tz_localize("UTC"),
            "end": pd.DatetimeIndex(when[last]).tz_localize("UTC"),
        }
    )
    result["duration"] = result["end"] - result["start"]
    result["packets_forward"] = packets_forward
    result["bytes_forward"] = bytes_forward
    result["packets_reverse"] = packets_all - packets_forward
    result["bytes_reverse"] = bytes_all - bytes_forward
    result["packets"] = packets_all
    result["bytes"] = bytes_all
    result.index = pd.RangeIndex(1, n_flows + 1, name="flow")
    if inside is not None:
        _add_boundary_columns(result, inside)
    result.attrs["non_ip"] = non_ip
    return result


def _add_boundary_columns(result: pd.DataFrame, inside: str | Iterable[str]) -> None:
    """Add ``connection``, ``ingress_bytes``, ``egress_bytes`` and ``bytes_direction``
    in place.
    """
    init_in = is_inside(result["initiator"], inside).fillna(False).to_numpy(dtype=bool)
    resp_in = is_inside(result["responder"], inside).fillna(False).to_numpy(dtype=bool)
    connection = np.select(
        [init_in & ~resp_in, ~init_in & resp_in, init_in & resp_in],
        ["outbound", "inbound", "internal"],
        default="external",
    )
    forward = result["bytes_forward"].to_numpy()
    reverse = result["bytes_reverse"].to_numpy()
    outbound = connection == "outbound"
    inbound = connection == "inbound"
    ingress = np.where(outbound, reverse, np.where(inbound, forward, 0))
    egress = np.where(outbound, forward, np.where(inbound, reverse, 0))
    result["connection"] = pd.array(connection, dtype="str")
    result["ingress_bytes"] = ingress.astype(np.int64)
    result["egress_bytes"] = egress.astype(np.int64)
    direction = np.select(
        [ingress > egress, egress > ingress], ["ingress", "egress"], default="balanced"
    )
    result["bytes_direction"] = pd.array(direction, dtype="string")
    result.loc[(ingress == 0) & (egress == 0), "bytes_direction"] = pd.NA


def quic_connections(packets: pd.DataFrame) -> pd.DataFrame:
    """QUIC connections on UDP 443, found by their connection IDs rather than their
    five-tuples.

    A QUIC connection is named by connection IDs (RFC 9000 section 5.1), not by
    addresses and ports: when a NAT forgets a mapping and gives the client a new public
    port (NAT rebinding), or a phone moves from Wi-Fi to mobile data, :func:`flows` sees
    a new five-tuple while QUIC carries on. Long-header packets show both IDs;
    short-header packets show only the destination ID, whose length they do not say, so
    it is learned from the long headers before it.

    ``packets`` must come from ``read_capture(path, keep_bytes=True)``. One row per
    connection, in order of its first packet: ``client``, ``server``, ``server_port``,
    ``client_cid`` and ``server_cid`` (hex), ``paths`` (how many distinct client address
    and port pairs it used), ``first_packet``, ``start``, ``end``, ``packets``,
    ``bytes_up`` (client to server), ``bytes_down``. UDP 443 packets that match no
    connection seen from its handshake are counted in ``attrs["unmatched"]``.
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
        "length",
    ):
        if column not in packets.columns:
            raise KeyError(
                f"quic_connections: packets need a {column!r} column; read the capture "
                "with read_capture(path, keep_bytes=True)"
            )
    sport, dport = packets["sport"].astype("Int64"), packets["dport"].astype("Int64")
    mask = (
        (packets["protocol"] == "UDP")
        & ((sport == 443) | (dport == 443))
        & packets["payload_offset"].notna()
    )
    subset = packets[mask.fillna(False).to_numpy(dtype=bool)]
    subset = subset.iloc[
        np.argsort(pd.to_datetime(subset["time"], utc=True).to_numpy(), kind="stable")
    ]
    owner: dict[bytes, int] = {}
    lengths: set[int] = set()
    conns: list[dict] = []
    unmatched = 0
    for frame_no, time, src, dst, sp, dp, frame, offset, length in zip(
        subset.index,
        subset["time"],
        subset["src"],
        subset["dst"],
        subset["sport"],
        subset["dport"],
        subset["frame"],
        subset["payload_offset"],
        subset["length"],
    ):
        data = bytes(frame)[int(offset) :]
        to_server = int(dp) == 443
        k = None
        if len(data) >= 7 and data[0] & 0xC0 == 0xC0:  # long header
            dlen = data[5]
            dcid = data[6 : 6 + dlen]
            slen = data[6 + dlen] if len(data) > 6 + dlen else 0
            scid = data[7 + dlen : 7 + dlen + slen]
            k = owner.get(dcid)
            if k is None and to_server:  # a client's first Initial
                k = len(conns)
                conns.append(
                    {
                        "client": src,
                        "server": dst,
                        "server_port": 443,
                        "client_cid": scid.hex(),
                        "server_cid": "",
                        "paths": set(),
                        "first_packet": frame_no,
                        "start": time,
                        "end": time,
                        "packets": 0,
                        "bytes_up": 0,
                        "bytes_down": 0,
                    }
                )
                owner[dcid] = k
            if k is not None:
                for cid in (dcid, scid):
                    if cid:
                        owner.setdefault(cid, k)
                        lengths.add(len(cid))
                if not to_server and not conns[k]["server_cid"]:
                    conns[k]["server_cid"] = scid.hex()
        elif len(data) >= 1 and data[0] & 0xC0 == 0x40:  # short header
            k = next(
                (
                    owner[data[1 : 1 + n]]
                    for n in sorted(lengths)
                    if data[1 : 1 + n] in owner
                ),
                None,
            )
        if k is None:
            unmatched += 1
            continue
        c = conns[k]
        c["packets"] += 1
        c["end"] = time
        if to_server:
            c["bytes_up"] += int(length)
            c["paths"].add((src, int(sp)))
        else:
            c["bytes_down"] += int(length)
            c["paths"].add((dst, int(dp)))
    table = pd.DataFrame(
        conns,
        columns=[
            "client",
            "server",
            "server_port",
            "client_cid",
            "server_cid",
            "paths",
            "first_packet",
            "start",
            "end",
            "packets",
            "bytes_up",
            "bytes_down",
        ],
    )
    table["paths"] = table["paths"].map(len).astype("int64")
    table.index = pd.RangeIndex(1, len(table) + 1, name="connection")
    table.attrs["unmatched"] = unmatched
    return table
