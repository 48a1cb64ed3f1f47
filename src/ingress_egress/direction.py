"""Direction: where a packet goes relative to a boundary you choose.

"Ingress" and "egress" are not properties of a packet; they depend on where you stand.
Name the inside of the boundary (one or more addresses or CIDR networks, IPv4 or IPv6)
and every packet falls in one of four classes:

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
>>> packets = pd.DataFrame(
...     {
...         "src": ["192.168.1.20", "203.0.113.10", "192.168.1.20", ""],
...         "dst": ["203.0.113.10", "192.168.1.20", "192.168.1.1", ""],
...     }
... )
>>> classify(packets, inside="192.168.1.0/24").tolist()
['egress', 'ingress', 'internal', <NA>]
>>> classify(packets, inside="203.0.113.10").tolist()
['ingress', 'egress', 'external', <NA>]
"""

from __future__ import annotations

import ctypes
import ipaddress
import operator
import socket
import sys
from collections.abc import Iterable
from functools import partial
from itertools import repeat

import numpy as np
import pandas as pd

DIRECTIONS = ("ingress", "egress", "internal", "external")
"""The four classes, in the order the course shows them."""

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_inside(inside: str | Iterable[str]) -> list[Network]:
    """Turn one address or network, or several, into a list of networks.

    A bare address means a single host (/32 or /128). Host bits set in a network are an
    error, as they usually mean a typo.

    >>> parse_inside(["10.0.0.0/8", "2001:db8::1"])
    [IPv4Network('10.0.0.0/8'), IPv6Network('2001:db8::1/128')]
    >>> parse_inside("10.0.0.1/8")
    Traceback (most recent call last):
    ...
    ValueError: inside: '10.0.0.1/8' is not a network address or CIDR (10.0.0.1/8 has
        host bits set)
    """
    items = [inside] if isinstance(inside, str) else list(inside)
    if not items:
        raise ValueError("inside: give at least one address or CIDR network")
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(str(item).strip()))
        except ValueError as error:
            raise ValueError(
                f"inside: {item!r} is not a network address or CIDR ({error})"
            ) from None
    return networks


def _address_keys(texts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct address strings to integers: (version 0/4/6, high 64 bits, low 64 bits).

    Version 0 marks an empty string (no address). Anything else that is not an address
    is a ValueError naming it, as :func:`ipaddress.ip_address` would raise.

    >>> version, hi, lo = _address_keys(
    ...     np.array(["", "10.0.0.1", "fe80::1%eth0"], dtype=object)
    ... )
    >>> version.tolist(), hex(int(hi[2])), int(lo[1])
    ([0, 4, 6], '0xfe80000000000000', 167772161)
    """
    m = len(texts)
    version = np.zeros(m, np.int8)
    halves = np.zeros((m, 2), np.uint64)
    items = texts.tolist()
    try:  # every address of a kind in one C-level pass; a bad one is reported below
        colon = np.fromiter(map(operator.contains, items, repeat(":")), bool, m)
        empty = np.fromiter(map(operator.not_, items), bool, m)
        v6, v4 = np.flatnonzero(colon), np.flatnonzero(~colon & ~empty)
        if len(v4):
            packed = b"".join(
                map(partial(socket.inet_pton, socket.AF_INET), texts[v4].tolist())
            )
            halves[v4, 1] = np.frombuffer(packed, ">u4")
            version[v4] = 4
        if len(v6):
            # a scope id (fe80::1%eth0) names a link, not part of the address
            texts6 = [text.split("%", 1)[0] for text in texts[v6].tolist()]
            packed = b"".join(map(partial(socket.inet_pton, socket.AF_INET6), texts6))
            halves[v6] = np.frombuffer(packed, ">u8").reshape(len(v6), 2)
            version[v6] = 6
    except (OSError, TypeError, ValueError):
        for text in items:
            try:
                if ":" in text:
                    socket.inet_pton(socket.AF_INET6, text.split("%", 1)[0])
                elif text:
                    socket.inet_pton(socket.AF_INET, text)
            except (OSError, TypeError, ValueError):
                ipaddress.ip_address(
                    text
                )  # raises ValueError with the library's message
                raise ValueError(
                    f"{text!r} does not appear to be an IPv4 or IPv6 address"
                ) from None
        # Each text is parsed on its own above: the failing one has raised already.
        raise  # pragma: no cover
    return version, halves[:, 0], halves[:, 1]


def _inside_flags(texts: np.ndarray, networks: list[Network]) -> np.ndarray:
    """For distinct address strings: 1 inside, 0 outside, -1 no address (vectorised
    masks).
    """
    version, hi, lo = _address_keys(texts)
    inside = np.zeros(len(texts), bool)
    for net in networks:
        value, bits = int(net.network_address), net.prefixlen
        if net.version == 4:
            mask = (0xFFFFFFFF << (32 - bits)) & 0xFFFFFFFF
            inside |= (version == 4) & ((lo & np.uint64(mask)) == np.uint64(value))
        else:
            full = ((1 << 128) - 1) ^ ((1 << (128 - bits)) - 1)
            m_hi, m_lo = np.uint64(full >> 64), np.uint64(full & (2**64 - 1))
            inside |= (
                (version == 6)
                & ((hi & m_hi) == np.uint64(value >> 64))
                & ((lo & m_lo) == np.uint64(value & (2**64 - 1)))
            )
    return np.where(version == 0, -1, inside.astype(np.int8))


def _objects(addresses) -> np.ndarray:
    """The column's values as an object array, without a copy where pandas allows it."""
    if isinstance(addresses, pd.Series):
        addresses = addresses.array
    data = getattr(addresses, "_ndarray", None)  # pandas' python-backed string arrays
    if isinstance(data, np.ndarray) and data.dtype == object:
        return data
    return np.asarray(addresses, dtype=object)


def _object_ids(values: np.ndarray) -> np.ndarray:
    """The identity (``id``) of each object an object array holds, as integers, without
    a loop.

    An object array stores pointers to its objects, which is what CPython's ``id``
    returns; they are read as integers through the array's memory. Rows holding the same
    object, as the rows of :func:`~ingress_egress.captures.read_capture` do for each
    address, share a value.

    >>> a, b = "10.0.0.1", "10.0.0.2"
    >>> _object_ids(np.array([a, b, a], dtype=object)).tolist() == [id(a), id(b), id(a)]
    True
    """
    values = np.ascontiguousarray(values)
    if not len(values) or sys.implementation.name != "cpython":
        return np.fromiter(map(id, values), np.intp, len(values))
    pointers = (ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data)
    return np.frombuffer(pointers, np.intp).copy()


_SINGLETONS = ("", None, np.nan, pd.NA)
"""Objects of which Python or pandas has only one: "" (no address), and missing."""


def _distinct(
    arrays: list[np.ndarray], table_span: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of object arrays end to end (-1 for missing values), fast when
    values repeat.

    Rows are grouped first by object identity (hashing integers, not strings), then the
    one object of each group by value: only the objects, not every row, have their text
    hashed. Every Python object takes at least 16 bytes, so two live objects' addresses
    differ in more than their last 4 bits, which are dropped. When the objects lie close
    together in memory, as a reader's distinct strings do (their addresses span at most
    ``table_span`` times as many 16-byte steps as there are rows), an array indexed by
    address groups them without hashing at all. The codes are those of
    ``pd.factorize``, up to the order of ``uniques``.

    >>> a, b = "10.0.0.1", "10.0.0.2"
    >>> codes, uniques = _distinct([np.array([a, b, a], dtype=object)])
    >>> uniques[codes].tolist()
    ['10.0.0.1', '10.0.0.2', '10.0.0.1']
    """
    ids = np.concatenate([_object_ids(a) for a in arrays]) >> 4
    # the empty string and the missing values are single objects far from a reader's
    # strings (ARP's "" would stretch the table): each gets a slot after the others
    single = [ids == (id(value) >> 4) for value in _SINGLETONS]
    others = ~np.logical_or.reduce(single) if len(ids) else np.ones(0, bool)
    low = int(np.min(ids, where=others, initial=np.iinfo(ids.dtype).max))
    high = int(np.max(ids, where=others, initial=np.iinfo(ids.dtype).min))
    span = max(high - low + 1, 0) + len(_SINGLETONS)
    if span <= table_span * len(ids):  # a table costs about what the rows do
        offset = ids - low
        for k, rows in enumerate(single):
            offset[rows] = span - len(_SINGLETONS) + k
        present = np.zeros(span, bool)
        present[offset] = True
        objects = np.flatnonzero(present)
        slot = np.empty(span, np.intp)
        slot[objects] = np.arange(len(objects))
        by_object = slot[offset]
    else:
        by_object, objects = pd.factorize(ids)
    first = np.empty(len(objects), np.intp)
    first[by_object] = np.arange(len(by_object))  # any row of a group holds its object
    held = np.empty(len(objects), dtype=object)
    start = 0
    for a in arrays:
        mine = (first >= start) & (first < start + len(a))
        held[mine] = a[first[mine] - start]
        start += len(a)
    codes, uniques = pd.factorize(held, use_na_sentinel=True)
    return codes[by_object], uniques


def _flags(columns: list, networks: list[Network]) -> list[np.ndarray]:
    """Per row of each column: 1 inside, 0 outside, -1 missing or empty (categoricals
    too).

    Each distinct string is parsed once (the rows are grouped by value first).
    """
    if all(isinstance(getattr(c, "dtype", None), pd.CategoricalDtype) for c in columns):
        # categoricals: only their distinct values are parsed, the rows are integer
        # codes
        out = []
        for c in columns:
            values = c.array if isinstance(c, pd.Series) else c
            texts = np.array(
                [x if isinstance(x, str) else "" for x in values.categories.tolist()],
                dtype=object,
            )
            out.append(np.append(_inside_flags(texts, networks), -1)[values.codes])
        return out
    arrays = [_objects(c) for c in columns]
    codes, uniques = _distinct(arrays)
    texts = np.array(
        [x if isinstance(x, str) else "" for x in uniques.tolist()], dtype=object
    )
    table = np.append(_inside_flags(texts, networks), -1)[codes]
    out, start = [], 0
    for a in arrays:
        out.append(table[start : start + len(a)])
        start += len(a)
    return out


def is_inside(addresses: pd.Series, inside: str | Iterable[str]) -> pd.Series:
    """For each address string, is it inside the boundary? Missing or empty addresses
    give <NA>.

    Each distinct address is parsed once; the test against the networks is done with
    integer masks over all of them at once (IPv4 and IPv6).

    >>> is_inside(pd.Series(["10.1.2.3", "192.0.2.1", ""]), "10.0.0.0/8").tolist()
    [True, False, <NA>]
    """
    flags = _flags([addresses], parse_inside(inside))[0]
    return pd.Series(
        pd.arrays.BooleanArray(flags == 1, flags < 0),
        index=addresses.index,
        name=getattr(addresses, "name", None),
    )


def _codes(packets: pd.DataFrame, inside: str | Iterable[str]) -> np.ndarray:
    """Direction class per packet as an index into :data:`DIRECTIONS`, -1 when not
    IP.
    """
    for column in ("src", "dst"):
        if column not in packets.columns:
            raise KeyError(
                f"classify: packets need a {column!r} column "
                f"(have {list(packets.columns)})"
            )
    networks = parse_inside(inside)
    s, d = _flags([packets["src"], packets["dst"]], networks)
    return _CLASS_OF[s + 1, d + 1]


_CLASS_OF = np.array([[-1, -1, -1], [-1, 3, 0], [-1, 1, 2]], dtype=np.int8)
"""Index into :data:`DIRECTIONS` by source and destination flag, each plus one (0 no
address, 1 outside, 2 inside): ingress 0 (out -> in), egress 1 (in -> out), internal 2,
external 3, and -1 when either end has no address.
"""


_NAMES = pd.array(DIRECTIONS, dtype="string")


def classify(packets: pd.DataFrame, inside: str | Iterable[str]) -> pd.Series:
    """Classify each packet as ingress, egress, internal or external relative to
    ``inside``.

    ``packets`` needs string columns ``src`` and ``dst`` (empty or missing for non-IP
    packets). Each distinct address is parsed once and tested against the networks with
    integer masks, all addresses at once, so a million packets take a fraction of a
    second.
    """
    code = _codes(packets, inside)
    return pd.Series(
        _NAMES.take(code.astype(np.intp), allow_fill=True),  # -1: <NA>
        index=packets.index,
        name="direction",
    )


def summarize(
    packets: pd.DataFrame, inside: str | Iterable[str]
) -> dict[str, dict[str, int]]:
    """Packets and bytes (sum of ``length``) per direction class, non-IP and truncated
    frames.

    >>> packets = pd.DataFrame(
    ...     {
    ...         "src": ["10.0.0.5", "192.0.2.9", ""],
    ...         "dst": ["192.0.2.9", "10.0.0.5", ""],
    ...         "length": [100, 1500, 60],
    ...         "captured_length": [100, 256, 60],
    ...     }
    ... )
    >>> summary = summarize(packets, "10.0.0.0/8")
    >>> summary["egress"], summary["ingress"], summary["non_ip"], summary["truncated"]
    ({'packets': 1, 'bytes': 100}, {'packets': 1, 'bytes': 1500},
     {'packets': 1, 'bytes': 60}, {'packets': 1, 'bytes': 1500})
    """
    code = _codes(packets, inside)
    length = packets["length"].to_numpy(dtype=np.int64)
    slot = np.where(code >= 0, code, len(DIRECTIONS))  # the last slot: not IP
    count = np.bincount(slot, minlength=len(DIRECTIONS) + 1)
    total = np.bincount(slot, weights=length, minlength=len(DIRECTIONS) + 1)
    exact = (
        [int(length[slot == k].sum()) for k in range(len(DIRECTIONS) + 1)]
        if total.max(initial=0) >= 2**53
        else [int(x) for x in total]
    )
    names = [*DIRECTIONS, "non_ip"]
    out = {
        name: {"packets": int(count[k]), "bytes": exact[k]}
        for k, name in enumerate(names)
    }
    truncated = packets["captured_length"].to_numpy(dtype=np.int64) < length
    out["truncated"] = {
        "packets": int(truncated.sum()),
        "bytes": int(length[truncated].sum()),
    }
    return out


# --------------------------------------------------------------------------------------
# Direction by interface: what the wire says, which an address cannot forge
# --------------------------------------------------------------------------------------

SIDES = ("inside", "outside")
"""What an interface of a router faces: the networks it protects, or the rest of the
world.
"""


def _interface_sides(packets: pd.DataFrame, sides: dict[int, str]) -> pd.Series:
    bad = {k: v for k, v in sides.items() if v not in SIDES}
    if bad:
        raise ValueError(
            f"interface sides: {bad} (expected 'inside' or "
            "'outside' for each interface id)"
        )
    for column in ("interface", "direction_hint"):
        if column not in packets.columns:
            raise KeyError(
                f"direction by interface: packets need a {column!r} "
                "column, as read_capture gives them"
            )
    side = packets["interface"].map(sides)
    unknown = sorted(set(packets["interface"][side.isna()]))
    if unknown:
        raise ValueError(
            "direction by interface: no side given for "
            f"interface(s) {unknown}; sides: {sides}"
        )
    return side


def classify_by_interface(
    packets: pd.DataFrame, inside: str | Iterable[str], sides: dict[int, str]
) -> pd.Series:
    """Classify each packet of a router's capture by the interface it crossed, and its
    address only for the end the interface cannot tell.

    A packet *received* ("in", from pcapng flags or Linux cooked capture) on an
    interface came from that interface's side: that is the wire's fact, whatever source
    address the packet claims. A packet *sent* ("out") on it goes to that side. The
    other end is judged by address against ``inside`` (as :func:`classify` does).
    ``sides`` maps interface ids to ``"inside"`` or ``"outside"``. Packets without a
    direction hint, and non-IP packets, get <NA>.

    >>> packets = pd.DataFrame(
    ...     {
    ...         "src": ["192.168.10.12", "192.168.10.12"],
    ...         "dst": ["198.51.100.2", "198.51.100.2"],
    ...         "interface": [1, 0],
    ...         "direction_hint": ["in", "in"],
    ...     }
    ... )
    >>> inside = ["192.168.10.0/24", "198.51.100.2"]
    >>> (
    ...     classify(packets, inside).tolist(),
    ...     classify_by_interface(
    ...         packets, inside, {0: "inside", 1: "outside"}
    ...     ).tolist(),
    ... )
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
    src_in, dst_in = (
        src_in.fillna(False).astype(bool),
        dst_in.fillna(False).astype(bool),
    )
    result[known & ~src_in & ~dst_in] = "external"
    result[known & src_in & ~dst_in] = "egress"
    result[known & ~src_in & dst_in] = "ingress"
    result[known & src_in & dst_in] = "internal"
    return result


def reverse_path_check(
    packets: pd.DataFrame, inside: str | Iterable[str], sides: dict[int, str]
) -> pd.Series:
    """Strict unicast reverse-path forwarding (uRPF, RFC 3704 section 2.2) at a router
    with one inside and one outside: would the route back to a received packet's source
    leave by the interface the packet came in on?

    Routes to ``inside`` leave by the inside interfaces, everything else by the outside
    ones, so a packet received on the outside claiming an inside source fails (a spoofed
    source, the attack of RFC 2827 / BCP 38), and so does a packet received on the
    inside with a source that is not inside (an office host forging its address: BCP 38
    asks the office's edge to drop it). Returns ``pass``, ``fail`` or <NA> (sent
    packets, packets without a hint, non-IP).

    >>> packets = pd.DataFrame(
    ...     {
    ...         "src": ["192.168.10.12", "203.0.113.9", "192.168.10.12"],
    ...         "dst": ["198.51.100.2", "198.51.100.2", "192.0.2.10"],
    ...         "interface": [1, 1, 0],
    ...         "direction_hint": ["in", "in", "in"],
    ...     }
    ... )
    >>> reverse_path_check(
    ...     packets, "192.168.10.0/24", {0: "inside", 1: "outside"}
    ... ).tolist()
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
