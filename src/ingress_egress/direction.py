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


# --------------------------------------------------------------------------------------------------
# Direction by interface: what the wire says, which an address cannot forge
# --------------------------------------------------------------------------------------------------

SIDES = ("inside", "outside")
"""What an interface of a router faces: the networks it protects, or the rest of the world."""


def _interface_sides(packets: pd.DataFrame, sides: dict[int, str]) -> pd.Series:
    bad = {k: v for k, v in sides.items() if v not in SIDES}
    if bad:
        raise ValueError(f"interface sides: {bad} (expected 'inside' or 'outside' for each interface id)")
    for column in ("interface", "direction_hint"):
        if column not in packets.columns:
            raise KeyError(f"direction by interface: packets need a {column!r} column, as read_capture gives them")
    side = packets["interface"].map(sides)
    unknown = sorted(set(packets["interface"][side.isna()]))
    if unknown:
        raise ValueError(f"direction by interface: no side given for interface(s) {unknown}; sides: {sides}")
    return side


def classify_by_interface(packets: pd.DataFrame, inside: str | Iterable[str], sides: dict[int, str]) -> pd.Series:
    """Classify each packet of a router's capture by the interface it crossed, and its address only
    for the end the interface cannot tell.

    A packet *received* ("in", from pcapng flags or Linux cooked capture) on an interface came
    from that interface's side: that is the wire's fact, whatever source address the packet
    claims. A packet *sent* ("out") on it goes to that side. The other end is judged by address
    against ``inside`` (as :func:`classify` does). ``sides`` maps interface ids to ``"inside"``
    or ``"outside"``. Packets without a direction hint, and non-IP packets, get <NA>.

    >>> packets = pd.DataFrame({"src": ["192.168.10.12", "192.168.10.12"], "dst": ["198.51.100.2", "198.51.100.2"],
    ...                         "interface": [1, 0], "direction_hint": ["in", "in"]})
    >>> inside = ["192.168.10.0/24", "198.51.100.2"]
    >>> classify(packets, inside).tolist(), classify_by_interface(packets, inside, {0: "inside", 1: "outside"}).tolist()
    (['internal', 'internal'], ['ingress', 'internal'])

    The first packet claims an office address but arrived on the WAN: a spoofed source.
    """
    side = _interface_sides(packets, sides)
    received = (packets["direction_hint"] == "in").fillna(False)
    sent = (packets["direction_hint"] == "out").fillna(False)
    src_by_address = is_inside(packets["src"], inside)
    dst_by_address = is_inside(packets["dst"], inside)
    src_in = src_by_address.where(~received, side == "inside")
    dst_in = dst_by_address.where(~sent, side == "inside")
    result = pd.Series(pd.NA, index=packets.index, dtype="string", name="direction")
    known = (received | sent) & src_by_address.notna() & dst_by_address.notna()
    src_in, dst_in = src_in.fillna(False).astype(bool), dst_in.fillna(False).astype(bool)
    result[known & ~src_in & ~dst_in] = "external"
    result[known & src_in & ~dst_in] = "egress"
    result[known & ~src_in & dst_in] = "ingress"
    result[known & src_in & dst_in] = "internal"
    return result


def reverse_path_check(packets: pd.DataFrame, inside: str | Iterable[str], sides: dict[int, str]) -> pd.Series:
    """Strict unicast reverse-path forwarding (uRPF, RFC 3704 section 2.2) at a router with one
    inside and one outside: would the route back to a received packet's source leave by the
    interface the packet came in on?

    Routes to ``inside`` leave by the inside interfaces, everything else by the outside ones, so
    a packet received on the outside claiming an inside source fails (a spoofed source, the attack
    of RFC 2827 / BCP 38), and so does a packet received on the inside with a source that is not
    inside (an office host forging its address: BCP 38 asks the office's edge to drop it).
    Returns ``pass``, ``fail`` or <NA> (sent packets, packets without a hint, non-IP).

    >>> packets = pd.DataFrame({"src": ["192.168.10.12", "203.0.113.9", "192.168.10.12"],
    ...                         "dst": ["198.51.100.2", "198.51.100.2", "192.0.2.10"],
    ...                         "interface": [1, 1, 0], "direction_hint": ["in", "in", "in"]})
    >>> reverse_path_check(packets, "192.168.10.0/24", {0: "inside", 1: "outside"}).tolist()
    ['fail', 'pass', 'pass']
    """
    side = _interface_sides(packets, sides)
    received = (packets["direction_hint"] == "in").fillna(False)
    src_in = is_inside(packets["src"], inside)
    expected = side == "inside"
    result = pd.Series(pd.NA, index=packets.index, dtype="string", name="urpf")
    known = received & src_in.notna()
    result[known & (src_in.fillna(False) == expected)] = "pass"
    result[known & (src_in.fillna(False) != expected)] = "fail"
    return result
