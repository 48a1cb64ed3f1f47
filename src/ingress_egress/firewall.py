"""Firewall: rule sets, and a simulator that replays a capture through them.

A firewall at a boundary judges every packet that crosses it. Which side a packet comes
from is not written in the packet; it depends on where the boundary is, so the simulator
asks for the ``inside`` (as :func:`ingress_egress.direction.classify` does) and judges
``ingress`` and ``egress`` packets. Packets that stay on one side (``internal``,
``external``) and non-IP frames never meet this firewall: their verdict is
``not filtered``.

A :class:`Rule` matches a direction, a protocol, source and destination networks (CIDR)
and destination (and optionally source) port ranges, and says ``allow`` or ``deny``. A
:class:`RuleSet` puts rules together in one of two ways, after the two firewalls of an
Amazon VPC:

``first-match`` (a *network ACL*)
    Rules carry numbers and are evaluated lowest number first; the first rule that
    matches decides, whatever higher-numbered rules say. A packet no rule matches is
    denied (AWS shows this as the rule numbered ``*``): the *implicit deny*. Allow and
    deny rules both exist.
``allow-only`` (a *security group*)
    Rules can only allow; a packet is allowed when any rule allows it, otherwise denied.

In AWS a network ACL filters what enters and leaves a subnet, while a security group
sits on each network interface it is attached to, so it also filters traffic between two
instances of the same subnet. The simulator judges packets at whatever boundary you give
``replay``: a security group replayed at an office's edge is a stateful filter *modelled
on* security groups, placed at the edge.

And it is either **stateless** (each packet judged on its own, so the replies of an
outbound connection need their own inbound rule: the "ephemeral ports" rule, TCP
1024-65535 inbound) or **stateful** (connection tracking: once a rule allows the packet
that opens a connection, every later packet of that connection, in either direction, is
allowed as an ``established connection``). AWS network ACLs are stateless and
first-match; security groups are stateful and allow-only; the simulator also lets you
build the other two combinations to see what each property does.

Connection tracking, in this simulator:

* TCP: a connection opens with an allowed SYN (SYN set, ACK clear) and is keyed by its
  five-tuple (either direction). It is forgotten after an RST, after ``tcp_timeout``
  seconds idle, or when a new SYN on the same five-tuple is denied. The default, 432,000
  s (five days), is AWS's default idle timeout for established TCP connections on most
  instance types; on Nitro v6 instance types AWS's default is 350 s, and each network
  interface can set 60 to 432,000 s (EC2 API reference,
  ``ConnectionTrackingConfiguration``, read 2026-12-02). A TCP packet of a connection
  whose SYN was never seen (the capture started mid-way) is judged by the rules alone.
* UDP: any allowed UDP packet opens a flow, keyed by five-tuple; it expires
  ``udp_timeout`` seconds after its last packet (AWS default 30 s).
* ICMP and ICMPv6 (``track_icmp=True``): an allowed echo request (type 8, or 128 for
  ICMPv6; any ICMP packet when the table has no ``icmp_type`` column) opens a flow
  between the two addresses (the capture's columns carry no ICMP identifier), expiring
  after ``icmp_timeout`` seconds. Echo replies and error messages pass only as part of
  such a flow or by a rule.
* Other protocols are never tracked.

Examples
--------
Outbound HTTPS from an office, and the reply, through a stateless ACL that forgot the
ephemeral port return rule and through a stateful security group with the same outbound
rule:

>>> import pandas as pd
>>> packets = pd.DataFrame(
...     {
...         "time": pd.to_datetime([0, 1, 2], unit="s", utc=True),
...         "src": ["192.168.10.5", "198.51.100.7", "192.168.10.5"],
...         "dst": ["198.51.100.7", "192.168.10.5", "198.51.100.7"],
...         "protocol": ["TCP", "TCP", "TCP"],
...         "sport": [50000, 443, 50000],
...         "dport": [443, 50000, 443],
...         "tcp_flags": [0x02, 0x12, 0x10],
...         "length": [74, 74, 66],
...     }
... )
>>> out_https = Rule(100, "egress", "allow", "tcp", dst="0.0.0.0/0", ports=443)
>>> replay(packets, network_acl([out_https]), inside="192.168.10.0/24")[
...     "verdict"
... ].tolist()
['allow', 'deny', 'allow']
>>> sg = replay(packets, security_group([out_https]), inside="192.168.10.0/24")
>>> sg[["verdict", "rule", "reason"]].values.tolist()
[['allow', '100', 'rule'], ['allow', '', 'established connection'],
 ['allow', '', 'established connection']]
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ingress_egress.direction import classify

ANY = "any"
"""Matches every value of a field (every protocol, every address, every port)."""

ACTIONS = ("allow", "deny")
FILTERED_DIRECTIONS = ("ingress", "egress")
EVALUATIONS = ("first-match", "allow-only")
VERDICTS = ("allow", "deny", "not filtered")
REASONS = (
    "rule",
    "implicit deny",
    "established connection",
    "does not cross the boundary",
    "non-IP",
)
"""Values of the ``reason`` column :func:`replay` writes."""

EPHEMERAL_PORTS = (1024, 65535)
"""The port range AWS suggests opening for return traffic to cover every client (NAT
gateways, Elastic Load Balancing and Lambda use 1024-65535; Linux kernels 32768-61000;
Windows 49152-65535)."""

TCP_SYN, TCP_RST, TCP_ACK = 0x02, 0x04, 0x10

_PROTOCOL_NAMES = {
    "tcp": "TCP",
    "6": "TCP",
    "udp": "UDP",
    "17": "UDP",
    "icmp": "ICMP",
    "1": "ICMP",
    "icmpv6": "ICMPv6",
    "ipv6-icmp": "ICMPv6",
    "58": "ICMPv6",
    "any": ANY,
    "all": ANY,
    "-1": ANY,
    "*": ANY,
}
_DIRECTION_NAMES = {
    "ingress": "ingress",
    "inbound": "ingress",
    "in": "ingress",
    "egress": "egress",
    "outbound": "egress",
    "out": "egress",
}

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RuleError(ValueError):
    """A malformed rule or rule set; the message names the rule and the field."""


# --------------------------------------------------------------------------------------
# Fields of a rule
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortRange:
    """An inclusive range of TCP/UDP port numbers, ``low`` to ``high``.

    >>> PortRange(1024, 65535).contains(443), str(PortRange(443, 443))
    (False, '443')
    """

    low: int
    high: int

    def contains(self, port: int) -> bool:
        """Is ``port`` in the range?"""
        return self.low <= port <= self.high

    def __str__(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"


def parse_ports(value: object, what: str = "ports") -> PortRange | None:
    """Read a port or port range: ``443``, ``"443"``, ``"1024-65535"``,
    ``(1024, 65535)``.

    ``None``, ``"any"`` or ``"all"`` mean every port (returned as ``None``).

    >>> parse_ports("1024-65535")
    PortRange(low=1024, high=65535)
    >>> parse_ports("2000-1000", what="rule 7: ports")
    Traceback (most recent call last):
    ...
    ingress_egress.firewall.RuleError: rule 7: ports '2000-1000' is reversed: the range
        must run low-high (1000-2000)
    """
    if value is None or (
        isinstance(value, str) and value.strip().lower() in (ANY, "all", "*")
    ):
        return None
    if isinstance(value, PortRange):
        low, high = value.low, value.high
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        low, high = value
    elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        low = high = int(value)
    elif isinstance(value, str):
        parts = value.strip().split("-")
        if len(parts) not in (1, 2):
            raise RuleError(f"{what} {value!r} is not a port or a range 'low-high'")
        low, high = parts[0], parts[-1]
    else:
        raise RuleError(f"{what} {value!r} is not a port or a range 'low-high'")
    try:
        low, high = int(str(low).strip()), int(str(high).strip())
    except ValueError:
        raise RuleError(
            f"{what} {value!r} is not a port or a range 'low-high'"
        ) from None
    for port in (low, high):
        if not 0 <= port <= 65535:
            raise RuleError(f"{what} {value!r}: port {port} is outside 0-65535")
    if low > high:
        raise RuleError(
            f"{what} {value!r} is reversed: the range must run low-high ({high}-{low})"
        )
    return PortRange(low, high)


def parse_protocol(value: object, what: str = "protocol") -> str:
    """Read a protocol name or IANA number into the names the capture reader uses.

    ``tcp``/``6`` -> ``TCP``, ``udp``/``17`` -> ``UDP``, ``icmp``/``1`` -> ``ICMP``,
    ``icmpv6``/``58`` -> ``ICMPv6``; ``any``/``all``/``-1`` (AWS's "all protocols") ->
    ``any``; any other number 0-255 -> that number as a string (as the reader writes
    it).

    >>> parse_protocol(6), parse_protocol("-1"), parse_protocol(47)
    ('TCP', 'any', '47')
    """
    text = str(value).strip()
    if text.lower() in _PROTOCOL_NAMES:
        return _PROTOCOL_NAMES[text.lower()]
    if text.isdigit() and 0 <= int(text) <= 255:
        return str(int(text))
    raise RuleError(
        f"{what} {value!r} is unknown: expected TCP, UDP, ICMP, "
        "ICMPv6, any (or -1), or a number 0-255"
    )


def parse_networks(value: object, what: str = "network") -> tuple[Network, ...] | None:
    """Read one CIDR network (or address) or several into a tuple; ``any`` means every
    address (None).

    As the AWS API does, a CIDR with host bits set is reduced to its network
    (``10.1.2.3/8`` -> ``10.0.0.0/8``). ``0.0.0.0/0`` is every IPv4 address and ``::/0``
    every IPv6 one; ``any`` covers both.

    >>> parse_networks(["10.1.2.3/8", "2001:db8::/32"])
    (IPv4Network('10.0.0.0/8'), IPv6Network('2001:db8::/32'))
    >>> parse_networks("10.0.0.300/8", what="rule 100: src")
    Traceback (most recent call last):
    ...
    ingress_egress.firewall.RuleError: rule 100: src '10.0.0.300/8' is not a CIDR
        network or address
    """
    if value is None:
        return None
    items = (
        [value]
        if isinstance(value, (str, ipaddress.IPv4Network, ipaddress.IPv6Network))
        else list(value)
    )
    if any(str(item).strip().lower() in (ANY, "all", "*") for item in items):
        return None
    if not items:
        raise RuleError(f"{what}: give at least one CIDR network, or 'any'")
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(str(item).strip(), strict=False))
        except ValueError:
            raise RuleError(
                f"{what} {str(item)!r} is not a CIDR network or address"
            ) from None
    return tuple(networks)


def _text(value: object) -> str:
    if value is None:
        return ANY
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# --------------------------------------------------------------------------------------
# Rules and rule sets
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One firewall rule. Fields are checked and normalised when the rule is made.

    ``id``: the rule number (an integer for a network ACL) or a name. ``direction``:
    ``ingress`` (inbound, into the inside) or ``egress`` (outbound). ``action``:
    ``allow`` or ``deny``. ``protocol``: see :func:`parse_protocol`. ``src``, ``dst``:
    CIDR networks (see :func:`parse_networks`), default ``any``. ``ports``: the
    destination port range (as in AWS rules); ``sport``: an optional source port range.
    Port ranges need protocol TCP or UDP.

    >>> Rule(
    ...     100, "inbound", "allow", "tcp", src="0.0.0.0/0", ports="1024-65535"
    ... ).direction
    'ingress'
    >>> Rule("web", "egress", "permit")
    Traceback (most recent call last):
    ...
    ingress_egress.firewall.RuleError: rule 'web': action 'permit' is unknown: expected
        allow or deny
    """

    id: int | str
    direction: str
    action: str = "allow"
    protocol: str | int = ANY
    src: object = ANY
    dst: object = ANY
    ports: object = None
    sport: object = None
    name: str = ""

    def __post_init__(self) -> None:
        label = f"rule {self.id!r}"
        if self.id is None or (isinstance(self.id, str) and not self.id.strip()):
            raise RuleError("rule: every rule needs an id (a rule number or a name)")
        direction = _DIRECTION_NAMES.get(str(self.direction).strip().lower())
        if direction is None:
            raise RuleError(
                f"{label}: direction {self.direction!r} is unknown: "
                "expected ingress (inbound) or egress (outbound)"
            )
        action = str(self.action).strip().lower()
        if action not in ACTIONS:
            raise RuleError(
                f"{label}: action {self.action!r} is unknown: expected allow or deny"
            )
        protocol = parse_protocol(self.protocol, f"{label}: protocol")
        src = parse_networks(self.src, f"{label}: src")
        dst = parse_networks(self.dst, f"{label}: dst")
        ports = parse_ports(self.ports, f"{label}: ports")
        sport = parse_ports(self.sport, f"{label}: sport")
        if (ports is not None or sport is not None) and protocol not in ("TCP", "UDP"):
            raise RuleError(
                f"{label}: port ranges need protocol TCP or "
                f"UDP (protocol is {protocol})"
            )
        for name, value in (
            ("direction", direction),
            ("action", action),
            ("protocol", protocol),
            ("src", src),
            ("dst", dst),
            ("ports", ports),
            ("sport", sport),
        ):
            object.__setattr__(self, name, value)

    def describe(self) -> dict:
        """The rule as one row of text fields, for tables."""
        return {
            "rule": str(self.id),
            "direction": self.direction,
            "action": self.action,
            "protocol": self.protocol,
            "src": _text(self.src),
            "dst": _text(self.dst),
            "ports": _text(self.ports),
            "sport": _text(self.sport),
            "name": self.name,
        }


def rule_from_mapping(record: Mapping, position: int | None = None) -> Rule:
    """Make a :class:`Rule` from a dict (as read from YAML or JSON); errors name the
    position.

    >>> rule_from_mapping(
    ...     {"id": 120, "direction": "egress", "protocol": "udp", "ports": 53}
    ... ).ports
    PortRange(low=53, high=53)
    >>> rule_from_mapping({"id": 1, "direction": "egress", "colour": "red"}, position=3)
    Traceback (most recent call last):
    ...
    ingress_egress.firewall.RuleError: rule 3 (id 1): unknown field 'colour' (fields:
        id, direction, action, protocol, src, dst, ports, sport, name)
    """
    fields = (
        "id",
        "direction",
        "action",
        "protocol",
        "src",
        "dst",
        "ports",
        "sport",
        "name",
    )
    where = f"rule {position}" if position is not None else "rule"
    if not isinstance(record, Mapping):
        raise RuleError(
            f"{where}: expected a mapping of fields, got {type(record).__name__}"
        )
    where += f" (id {record.get('id')!r})" if "id" in record else ""
    for key in record:
        if key not in fields:
            raise RuleError(
                f"{where}: unknown field {key!r} (fields: {', '.join(fields)})"
            )
    for key in ("id", "direction"):
        if key not in record:
            raise RuleError(f"{where}: missing field {key!r}")
    return Rule(**dict(record))


@dataclass(frozen=True)
class RuleSet:
    """Rules and how they are evaluated: ``first-match`` or ``allow-only``, stateless or
    stateful.

    Prefer the constructors :func:`network_acl` and :func:`security_group`. For
    ``first-match`` every rule id must be an integer rule number, unique within its
    direction, and the rules are evaluated in ascending number whatever order they were
    given in. For ``allow-only`` every rule must be an ``allow`` rule. Timeouts are in
    seconds.
    """

    rules: tuple[Rule, ...]
    evaluation: str = "first-match"
    stateful: bool = False
    name: str = ""
    tcp_timeout: float = 432_000.0
    udp_timeout: float = 30.0
    icmp_timeout: float = 30.0
    track_icmp: bool = True
    _order: tuple[int, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        label = f"rule set {self.name!r}" if self.name else "rule set"
        rules = tuple(self.rules)
        for position, rule in enumerate(rules):
            if not isinstance(rule, Rule):
                raise RuleError(
                    f"{label}: item {position} is a {type(rule).__name__}, not a Rule"
                )
        if self.evaluation not in EVALUATIONS:
            raise RuleError(
                f"{label}: evaluation {self.evaluation!r} is "
                f"unknown: expected one of {EVALUATIONS}"
            )
        for name in ("tcp_timeout", "udp_timeout", "icmp_timeout"):
            if not getattr(self, name) > 0:
                raise RuleError(f"{label}: {name} must be a positive number of seconds")
        if self.evaluation == "first-match":
            seen: set[tuple[str, int]] = set()
            for rule in rules:
                if (
                    isinstance(rule.id, bool)
                    or not isinstance(rule.id, (int, np.integer))
                    or not rule.id >= 1
                ):
                    raise RuleError(
                        f"{label}: rule {rule.id!r}: a first-match (network ACL) rule "
                        "needs a positive integer rule number as its id"
                    )
                if (rule.direction, int(rule.id)) in seen:
                    raise RuleError(
                        f"{label}: rule {rule.id!r}: rule number "
                        f"used twice for {rule.direction}"
                    )
                seen.add((rule.direction, int(rule.id)))
            order = tuple(sorted(range(len(rules)), key=lambda i: int(rules[i].id)))
        else:
            for rule in rules:
                if rule.action != "allow":
                    raise RuleError(
                        f"{label}: rule {rule.id!r}: an allow-only set (security "
                        "group) cannot hold deny rules; use a "
                        "first-match set (network ACL) to deny"
                    )
            order = tuple(range(len(rules)))
        object.__setattr__(self, "rules", rules)
        object.__setattr__(self, "_order", order)

    @property
    def ordered_rules(self) -> tuple[Rule, ...]:
        """The rules in evaluation order (ascending rule number for first-match)."""
        return tuple(self.rules[i] for i in self._order)

    def to_frame(self) -> pd.DataFrame:
        """The rules as a table, in evaluation order per direction, with the implicit
        deny shown as rule ``*`` at the end of each direction (AWS's notation)."""
        rows = []
        for direction in FILTERED_DIRECTIONS:
            rows += [
                r.describe() for r in self.ordered_rules if r.direction == direction
            ]
            rows.append(
                {
                    "rule": "*",
                    "direction": direction,
                    "action": "deny",
                    "protocol": ANY,
                    "src": ANY,
                    "dst": ANY,
                    "ports": ANY,
                    "sport": ANY,
                    "name": "implicit deny",
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "rule",
                "direction",
                "action",
                "protocol",
                "src",
                "dst",
                "ports",
                "sport",
                "name",
            ],
        )


def network_acl(
    rules: Iterable[Rule | Mapping],
    name: str = "network ACL",
    *,
    stateful: bool = False,
) -> RuleSet:
    """A network ACL: numbered allow and deny rules, lowest number first, implicit deny,
    stateless.

    >>> acl = network_acl(
    ...     [
    ...         {"id": 200, "direction": "egress", "action": "deny"},
    ...         {"id": 100, "direction": "egress", "protocol": "tcp", "ports": 443},
    ...     ]
    ... )
    >>> [r.id for r in acl.ordered_rules]
    [100, 200]
    """
    return RuleSet(_as_rules(rules), "first-match", stateful, name)


def security_group(
    rules: Iterable[Rule | Mapping],
    name: str = "security group",
    *,
    stateful: bool = True,
    udp_timeout: float = 30.0,
    tcp_timeout: float = 432_000.0,
) -> RuleSet:
    """A security group: allow rules only, any match allows, otherwise denied; stateful.

    ``tcp_timeout`` is the idle timeout of an established TCP connection: AWS's default
    is 432,000 s on most instance types and 350 s on Nitro v6 instance types (read
    2026-12-02).
    """
    return RuleSet(
        _as_rules(rules),
        "allow-only",
        stateful,
        name,
        tcp_timeout=tcp_timeout,
        udp_timeout=udp_timeout,
    )


def _as_rules(rules: Iterable[Rule | Mapping]) -> tuple[Rule, ...]:
    if isinstance(rules, (Rule, Mapping, str)):
        raise RuleError("rules: give a list of rules, not a single rule")
    return tuple(
        r if isinstance(r, Rule) else rule_from_mapping(r, i)
        for i, r in enumerate(rules)
    )


def ephemeral_return_rule(
    id: int | str,
    direction: str = "ingress",
    protocol: str = "tcp",
    ports: tuple[int, int] = EPHEMERAL_PORTS,
    name: str = "return traffic",
) -> Rule:
    """The rule a stateless set needs for the replies of connections opened from the
    other side: allow ``protocol`` to destination ports 1024-65535 (by default inbound,
    for outbound connections).

    >>> ephemeral_return_rule(140).describe()["ports"]
    '1024-65535'
    """
    return Rule(id, direction, "allow", protocol, ports=ports, name=name)


# --------------------------------------------------------------------------------------
# Replay
# --------------------------------------------------------------------------------------

_REQUIRED = ("src", "dst", "protocol", "sport", "dport")


def _address_codes(packets: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list]:
    """Integer codes for src and dst into one list of parsed addresses (None for
    empty/missing).
    """
    both = (
        pd.concat([packets["src"], packets["dst"]], ignore_index=True)
        .astype("string")
        .fillna("")
    )
    codes, uniques = pd.factorize(both)
    parsed: list = []
    for text in uniques:
        if text == "":
            parsed.append(None)
            continue
        try:
            parsed.append(ipaddress.ip_address(text))
        except ValueError:
            position = int(np.flatnonzero(both.to_numpy() == text)[0])
            column = "src" if position < len(packets) else "dst"
            row = packets.index[position % len(packets)]
            raise ValueError(
                f"packets row {row!r}: {column} {text!r} is not an IP address"
            ) from None
    n = len(packets)
    return codes[:n], codes[n:], parsed


def _network_mask(
    codes: np.ndarray, parsed: list, networks: tuple[Network, ...] | None
) -> np.ndarray:
    if networks is None:
        return np.ones(len(codes), dtype=bool)
    inside = np.array(
        [
            a is not None and any(a.version == n.version and a in n for n in networks)
            for a in parsed
        ]
        + [False],
        dtype=bool,
    )
    return inside[codes]


def _port_mask(ports: np.ndarray, port_range: PortRange | None) -> np.ndarray:
    if port_range is None:
        return np.ones(len(ports), dtype=bool)
    return (ports >= port_range.low) & (ports <= port_range.high)


def match_matrix(
    packets: pd.DataFrame,
    rules: Sequence[Rule],
    direction: pd.Series,
    _codes: tuple | None = None,
) -> np.ndarray:
    """A boolean matrix, one row per rule and one column per packet: does the rule match
    the packet?

    ``direction`` is the packets' direction relative to the boundary (from
    :func:`ingress_egress.direction.classify`). Vectorised: each distinct address is
    tested once.
    """
    src_codes, dst_codes, parsed = (
        _codes if _codes is not None else _address_codes(packets)
    )
    protocol = packets["protocol"].astype("string").fillna("").to_numpy()
    sport = packets["sport"].astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    dport = packets["dport"].astype("Int64").fillna(-1).to_numpy(dtype=np.int64)
    direction_values = direction.astype("string").fillna("").to_numpy()
    is_ip = (src_codes >= 0) & np.array([p is not None for p in parsed] + [False])[
        src_codes
    ]
    matrix = np.zeros((len(rules), len(packets)), dtype=bool)
    for k, rule in enumerate(rules):
        mask = is_ip & (direction_values == rule.direction)
        if rule.protocol != ANY:
            mask &= protocol == rule.protocol
        mask &= _network_mask(src_codes, parsed, rule.src)
        mask &= _network_mask(dst_codes, parsed, rule.dst)
        mask &= _port_mask(dport, rule.ports)
        mask &= _port_mask(sport, rule.sport)
        matrix[k] = mask
    return matrix


def _flow_codes(packets: pd.DataFrame) -> np.ndarray:
    """One integer per conversation: protocol and the two (address, port) ends, in
    either order.
    """
    src = packets["src"].astype("string").fillna("")
    dst = packets["dst"].astype("string").fillna("")
    sport = packets["sport"].astype("Int64").astype("string").fillna("-")
    dport = packets["dport"].astype("Int64").astype("string").fillna("-")
    a = (src + " " + sport).to_numpy(dtype=object)
    b = (dst + " " + dport).to_numpy(dtype=object)
    low = np.where(a <= b, a, b)
    high = np.where(a <= b, b, a)
    key = (
        packets["protocol"].astype("string").fillna("").to_numpy(dtype=object)
        + "|"
        + low
        + "|"
        + high
    )
    return pd.factorize(key)[0]


def _times_ns(packets: pd.DataFrame) -> np.ndarray:
    if "time" not in packets.columns:
        raise KeyError(
            "replay: a stateful rule set needs a 'time' column "
            "(UTC timestamps) to order packets"
        )
    time = packets["time"]
    if pd.api.types.is_datetime64_any_dtype(time):
        return time.dt.as_unit("ns").astype("int64").to_numpy()
    return pd.to_numeric(time).to_numpy(dtype=np.int64)


def replay(
    packets: pd.DataFrame, ruleset: RuleSet, inside: str | Iterable[str]
) -> pd.DataFrame:
    """Replay packets through a rule set at the boundary around ``inside``; one verdict
    per packet.

    ``packets`` needs the capture reader's columns ``src``, ``dst``, ``protocol``,
    ``sport``, ``dport``; a stateful set also needs ``time`` and ``tcp_flags``. Returns
    a copy of ``packets`` with four more columns:

    ``direction``
        ``ingress``, ``egress``, ``internal``, ``external`` or missing (non-IP).
    ``verdict``
        ``allow``, ``deny`` or ``not filtered`` (the packet does not cross this
        boundary, or is not IP).
    ``rule``
        The id of the rule that decided, as text; empty when no rule did.
    ``reason``
        ``rule``, ``implicit deny``, ``established connection``,
        ``does not cross the boundary`` or ``non-IP``.

    A stateful set processes packets in time order (ties keep their row order); the
    result keeps the input's row order and index.
    """
    if not isinstance(ruleset, RuleSet):
        raise TypeError(
            "replay: ruleset must be a RuleSet (see network_acl, "
            f"security_group), got {type(ruleset).__name__}"
        )
    missing = [c for c in _REQUIRED if c not in packets.columns]
    if ruleset.stateful:
        missing += [c for c in ("time", "tcp_flags") if c not in packets.columns]
    if missing:
        raise KeyError(
            f"replay: packets lack column(s) {missing} (have {list(packets.columns)})"
        )
    n = len(packets)
    rules = ruleset.ordered_rules
    codes = _address_codes(packets)  # first, so a bad address is reported with its row
    direction = classify(packets, inside)
    matrix = match_matrix(packets, rules, direction, codes)
    direction_values = direction.astype("string").fillna("").to_numpy()
    crossing = np.isin(direction_values, FILTERED_DIRECTIONS)

    any_match = matrix.any(axis=0) if len(rules) else np.zeros(n, dtype=bool)
    first = matrix.argmax(axis=0) if len(rules) else np.zeros(n, dtype=int)
    actions = np.array([r.action for r in rules] + ["deny"], dtype=object)
    ids = np.array([str(r.id) for r in rules] + [""], dtype=object)
    decided = np.where(any_match, first, len(rules))
    rule_allows = crossing & (actions[decided] == "allow")

    verdict = np.where(direction_values == "", "not filtered", "deny").astype(object)
    reason = np.where(direction_values == "", "non-IP", "").astype(object)
    outside = (direction_values != "") & ~crossing
    verdict[outside] = "not filtered"
    reason[outside] = "does not cross the boundary"
    verdict[crossing] = np.where(rule_allows[crossing], "allow", "deny")
    reason[crossing] = np.where(any_match[crossing], "rule", "implicit deny")
    rule_col = np.where(crossing, ids[decided], "").astype(object)

    if ruleset.stateful:
        established = _track(packets, ruleset, crossing, rule_allows)
        verdict[established] = "allow"
        reason[established] = "established connection"
        rule_col[established] = ""

    result = packets.copy()
    result["direction"] = direction
    result["verdict"] = pd.Series(verdict, index=packets.index, dtype="string")
    result["rule"] = pd.Series(rule_col, index=packets.index, dtype="string")
    result["reason"] = pd.Series(reason, index=packets.index, dtype="string")
    return result


def _track(
    packets: pd.DataFrame,
    ruleset: RuleSet,
    crossing: np.ndarray,
    rule_allows: np.ndarray,
) -> np.ndarray:
    """Connection tracking: which packets pass as part of an established connection."""
    n = len(packets)
    times = _times_ns(packets)
    order = np.argsort(times, kind="stable")
    protocol = packets["protocol"].astype("string").fillna("").to_numpy()
    flags = (
        pd.to_numeric(packets["tcp_flags"], errors="coerce")
        .fillna(0)
        .to_numpy(dtype=np.int64)
    )
    is_tcp = protocol == "TCP"
    is_udp = protocol == "UDP"
    is_icmp = np.isin(protocol, ("ICMP", "ICMPv6")) & ruleset.track_icmp
    syn_only = is_tcp & ((flags & TCP_SYN) != 0) & ((flags & TCP_ACK) == 0)
    rst = is_tcp & ((flags & TCP_RST) != 0)
    trackable = crossing & (is_tcp | is_udp | is_icmp)
    if "icmp_type" in packets.columns:
        icmp_type = (
            pd.to_numeric(packets["icmp_type"], errors="coerce")
            .fillna(-1)
            .to_numpy(dtype=np.int64)
        )
        echo_request = ((protocol == "ICMP") & (icmp_type == 8)) | (
            (protocol == "ICMPv6") & (icmp_type == 128)
        )
    else:
        echo_request = is_icmp
    opens = np.where(is_tcp, syn_only, is_udp | (is_icmp & echo_request))
    timeout = np.select(
        [is_tcp, is_udp],
        [ruleset.tcp_timeout, ruleset.udp_timeout],
        ruleset.icmp_timeout,
    )
    timeout_ns = (timeout * 1e9).astype(np.int64)
    flows = _flow_codes(packets)

    established = np.zeros(n, dtype=bool)
    table: dict[int, int] = {}
    idx = order[trackable[order]]
    for i, flow, t, new, closes, allowed, opener, limit in zip(
        idx.tolist(),
        flows[idx].tolist(),
        times[idx].tolist(),
        syn_only[idx].tolist(),
        rst[idx].tolist(),
        rule_allows[idx].tolist(),
        opens[idx].tolist(),
        timeout_ns[idx].tolist(),
    ):
        last = table.get(flow)
        if last is not None and not new and t - last <= limit:
            established[i] = True
            if closes:
                del table[flow]
            else:
                table[flow] = t
            continue
        if allowed and opener:
            table[flow] = t
        elif last is not None:
            del table[flow]  # expired, or a new SYN the rules deny
    return established


def summarize(
    result: pd.DataFrame, by: Sequence[str] = ("direction", "verdict")
) -> pd.DataFrame:
    """Packets and bytes (sum of ``length``) per group of a :func:`replay` result,
    sorted.

    >>> r = pd.DataFrame(
    ...     {
    ...         "direction": ["egress", "ingress", "ingress"],
    ...         "verdict": ["allow", "deny", "deny"],
    ...         "length": [100, 60, 40],
    ...     }
    ... )
    >>> summarize(r).reset_index().values.tolist()
    [['egress', 'allow', 1, 100], ['ingress', 'deny', 2, 100]]
    """
    by = list(by)
    table = result.groupby(by, dropna=False, observed=True).agg(
        packets=("length", "size"), bytes=("length", "sum")
    )
    return table.sort_index()
