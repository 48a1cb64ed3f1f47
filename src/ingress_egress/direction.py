"""Direction: where a packet goes relative to a boundary you choose.

"Ingress" and "egress" are not properties of a packet; they depend on where you stand. Name the
inside of the boundary (one or more addresses or CIDR networks, IPv4 or IPv6) and every packet
falls in one of four classes:

========== ================== ==================
class      source             destination
========== ================== ==================
ingress    outside            inside
egress     inside             outside
internal   inside             inside
external   outside            outside
========== ================== ==================

A packet with no IP addresses (ARP, for instance) gets a missing value, not a guess.

Examples
--------
>>> import pandas as pd
>>> packets = pd.DataFrame({"src": ["192.168.1.20", "203.0.113.10", "192.168.1.20", ""],
...                         "dst": ["203.0.113.10", "192.168.1.20", "192.168.1.1", ""]})
>>> classify(packets, inside="192.168.1.0/24").tolist()
['egress', 'ingress', 'internal', <NA>]
>>> classify(packets, inside="203.0.113.10").tolist()
['ingress', 'egress', 'external', <NA>]
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import pandas as pd

DIRECTIONS = ("ingress", "egress", "internal", "external")
"""The four classes, in the order the course shows them."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_inside(inside: str | Iterable[str]) -> list[Network]:
    """Turn one address or network, or several, into a list of networks.

    A bare address means a single host (/32 or /128). Host bits set in a network are an error,
    as they usually mean a typo.

    >>> parse_inside(["10.0.0.0/8", "2001:db8::1"])
    [IPv4Network('10.0.0.0/8'), IPv6Network('2001:db8::1/128')]
    >>> parse_inside("10.0.0.1/8")
    Traceback (most recent call last):
    ...
    ValueError: inside: '10.0.0.1/8' is not a network address or CIDR (10.0.0.1/8 has host bits set)
    """
    items = [inside] if isinstance(inside, str) else list(inside)
    if not items:
        raise ValueError("inside: give at least one address or CIDR network")
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(str(item).strip()))
        except ValueError as error:
            raise ValueError(f"inside: {item!r} is not a network address or CIDR ({error})") from None
    return networks


def is_inside(addresses: pd.Series, inside: str | Iterable[str]) -> pd.Series:
    """For each address string, is it inside the boundary? Missing or empty addresses give <NA>.

    >>> is_inside(pd.Series(["10.1.2.3", "192.0.2.1", ""]), "10.0.0.0/8").tolist()
    [True, False, <NA>]
    """
    networks = parse_inside(inside)
    verdict: dict[str, bool] = {}
    for text in pd.unique(addresses.dropna()):
        if text == "":
            continue
        address = ipaddress.ip_address(text)
        verdict[text] = any(address in network for network in networks)
    return addresses.map(verdict).astype("boolean")


def classify(packets: pd.DataFrame, inside: str | Iterable[str]) -> pd.Series:
    """Classify each packet as ingress, egress, internal or external relative to ``inside``.

    ``packets`` needs string columns ``src`` and ``dst`` (empty or missing for non-IP packets).
    Each distinct address is looked up once, so a million packets between a few thousand hosts
    are classified quickly.
    """
    for column in ("src", "dst"):
        if column not in packets.columns:
            raise KeyError(f"classify: packets need a {column!r} column (have {list(packets.columns)})")
    src_in = is_inside(packets["src"], inside)
    dst_in = is_inside(packets["dst"], inside)
    result = pd.Series(pd.NA, index=packets.index, dtype="string", name="direction")
    known = src_in.notna() & dst_in.notna()
    result[known] = "external"
    result[known & src_in.fillna(False) & ~dst_in.fillna(True)] = "egress"
    result[known & ~src_in.fillna(True) & dst_in.fillna(False)] = "ingress"
    result[known & src_in.fillna(False) & dst_in.fillna(False)] = "internal"
    return result


def summarize(packets: pd.DataFrame, inside: str | Iterable[str]) -> dict[str, dict[str, int]]:
    """Packets and bytes (sum of ``length``) per direction class, non-IP and truncated frames.

    >>> packets = pd.DataFrame({"src": ["10.0.0.5", "192.0.2.9", ""], "dst": ["192.0.2.9", "10.0.0.5", ""],
    ...                         "length": [100, 1500, 60], "captured_length": [100, 256, 60]})
    >>> summary = summarize(packets, "10.0.0.0/8")
    >>> summary["egress"], summary["ingress"], summary["non_ip"], summary["truncated"]
    ({'packets': 1, 'bytes': 100}, {'packets': 1, 'bytes': 1500}, {'packets': 1, 'bytes': 60}, {'packets': 1, 'bytes': 1500})
    """
    direction = classify(packets, inside)
    length = packets["length"].astype("int64")
    masks = {name: (direction == name).fillna(False) for name in DIRECTIONS}
    masks["non_ip"] = direction.isna()
    masks["truncated"] = packets["captured_length"] < packets["length"]
    return {name: {"packets": int(mask.sum()), "bytes": int(length[mask].sum())} for name, mask in masks.items()}
