"""NetworkPolicy: which pod may receive from, and send to, whom
(``networking.k8s.io/v1``).

This module reads a NetworkPolicy object into plain, frozen Python values and states the
v1 semantics one small function at a time. :class:`~ingress_egress.k8s.cluster.Cluster`
puts them together for a whole cluster.

Sources, in the order the course trusts them (all read 2026-12-02): the API server's
defaulting code, kubernetes/kubernetes ``pkg/apis/networking/v1/defaults.go``
(``SetDefaults_NetworkPolicy``, ``SetDefaults_NetworkPolicyPort``); its validation,
``pkg/apis/networking/validation/validation.go``; the API's field comments,
``staging/src/k8s.io/api/networking/v1/types.go``; then the concept page
https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the e2e
suite ``test/e2e/network/netpol``. The rules:

1. **Isolation.** A pod is isolated for ingress (egress) only when at least one policy
   *selects* it (``spec.podSelector`` in the pod's namespace; ``{}`` selects every pod
   there) *and* that policy's ``policyTypes`` include ``Ingress`` (``Egress``). A pod
   that no such policy selects accepts (sends) everything.
2. **policyTypes default** (``SetDefaults_NetworkPolicy``, see
   :func:`defaulted_policy_types`): when ``len(spec.policyTypes) == 0`` (absent,
   ``null`` or ``[]``) it becomes ``[Ingress]``, plus ``Egress`` only when
   ``len(spec.egress) != 0``. So a policy with egress rules and no ``policyTypes``
   *also* isolates its pods for ingress, and ``egress: []`` without ``policyTypes``
   isolates nothing for egress: an empty egress list without policyTypes denies no
   egress.
3. **podSelector default.** "This field is optional. If it is not specified, it defaults
   to an empty selector" (``types.go``; the Go field is a struct, not a pointer): absent
   or ``null`` selects every pod of the namespace, like ``{}``. A policy with no
   ``spec`` at all is a default deny for ingress.
4. **Union.** Policies add up: traffic is allowed if *any* rule of *any* policy that
   selects the pod for that direction allows it. Order does not matter; nothing denies
   explicitly.
5. **Both ends.** A connection between two pods needs the source's egress *and* the
   destination's ingress to allow it. Replies of an allowed connection are allowed
   implicitly. **A pod cannot block traffic to itself** (concept page: "a pod cannot
   block access to itself"): a pod's connection to its own address is always allowed,
   whatever selects it.
6. **A rule** allows traffic that matches one of its peers (``from``/``to``) *and* one
   of its ``ports``. ``from``/``to`` absent or empty = every source/destination;
   ``ports`` absent or empty = every port ("If this field is empty or missing, this rule
   matches all ..."). ``ingress: [{}]`` therefore allows everything; ``ingress: []`` (or
   none) nothing.
7. **A peer** is one of: ``podSelector`` (pods in the *policy's* namespace; ``{}`` = all
   of them), ``namespaceSelector`` (all pods in matching namespaces; ``{}`` = every
   namespace), both in *one* peer (AND: matching pods in matching namespaces), or
   ``ipBlock``. Two list items are two peers (OR). A peer must name at least one of
   them: ``from: [{}]`` is refused ("must specify a peer"), and ``ipBlock`` goes alone.
8. **Selectors**: ``matchLabels`` and ``matchExpressions`` (``In``, ``NotIn``,
   ``Exists``, ``DoesNotExist``) all have to hold. ``NotIn`` and ``DoesNotExist`` also
   match objects that lack the key. Every namespace carries the immutable label
   ``kubernetes.io/metadata.name: <name>``.
9. **ipBlock**: ``cidr`` minus the ``except`` ranges (absent or empty: nothing excepted;
   each must be a strict subset of ``cidr``). The documentation says ipBlock is meant
   for cluster-external addresses, "since Pod IPs are ephemeral and unpredictable", and
   that whether address rewriting (Service, load balancer, SNAT) happens before or after
   policy processing is not defined. **Choice made here**: an ipBlock matches any
   address in its range, pod IPs included; this is what the upstream e2e tests
   ``should allow egress access to server in CIDR block`` and
   ``should enforce except clause while egress access to server in CIDR block`` expect
   of a plugin. No address rewriting is modelled: the model sees the pod's own address.
10. **Ports**: ``protocol`` absent defaults to TCP (``SetDefaults_NetworkPolicyPort``;
    TCP, UDP and SCTP exist, case-sensitive); ``port`` absent matches every port of that
    protocol; a numeric ``port`` with an optional ``endPort`` gives an inclusive range
    (``endPort`` only with a numeric ``port``, and not below it); a named ``port`` is
    looked up in the *destination* pod's container ports (for egress rules as well), so
    it never matches an address outside the cluster.

Not modelled: traffic from a pod's own node (always allowed for ingress, per the API
reference), host-network pods, and loopback inside a pod (``localhost``, which no policy
sees).

Invalid policies are rejected with the API server's field paths and words (``Invalid
value``, ``Unsupported value``, ``Required value``, ``Forbidden``), collected by
:func:`validate_network_policy`.

Examples
--------
>>> policy = parse_network_policy(
...     {
...         "apiVersion": "networking.k8s.io/v1",
...         "kind": "NetworkPolicy",
...         "metadata": {"name": "api-allow-frontend", "namespace": "shop"},
...         "spec": {
...             "podSelector": {"matchLabels": {"app": "api"}},
...             "ingress": [
...                 {
...                     "from": [{"podSelector": {"matchLabels": {"app": "frontend"}}}],
...                     "ports": [{"port": 8080}],
...                 }
...             ],
...         },
...     }
... )
>>> sorted(policy.policy_types), len(policy.ingress), policy.ingress[0].ports[0]
(['Ingress'], 1, PortSpec(protocol='TCP', port=8080, end_port=None))
>>> print(policy.ingress[0].describe())
from: podSelector {app=frontend}; ports: 8080/TCP
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .manifests import ManifestError, object_ref

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "PROTOCOLS",
    "FieldError",
    "IPBlock",
    "LabelSelector",
    "NetworkPolicy",
    "Peer",
    "PortSpec",
    "Requirement",
    "Rule",
    "parse_label_selector",
    "defaulted_policy_types",
    "parse_network_policy",
    "validate_network_policy",
]

PROTOCOLS = ("TCP", "UDP", "SCTP")
"""The protocols a NetworkPolicyPort may name (case-sensitive, as the API server
checks).
"""

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""The label every namespace carries automatically, its value the namespace's name."""

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


# --------------------------------------------------------------------------------------
# Field errors, worded as the API server words them
# (k8s.io/apimachinery/pkg/util/validation/field)
# --------------------------------------------------------------------------------------


def _go_value(value: Any) -> str:
    """Render a bad value the way the API server's messages do: strings quoted, numbers
    bare.
    """
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class FieldError:
    """One validation error: a field path, a kind (``Invalid value``, ...), the bad
    value and the detail.

    >>> print(
    ...     FieldError(
    ...         "spec.ingress[0].from[1].ipBlock.cidr",
    ...         "Invalid value",
    ...         "must be a valid CIDR value",
    ...         "10.0.0.0/33",
    ...     )
    ... )
    spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid
        CIDR value
    >>> str(
    ...     FieldError(
    ...         "spec.ingress[0].from[0]", "Required value", "must specify a peer"
    ...     )
    ... )
    'spec.ingress[0].from[0]: Required value: must specify a peer'
    """

    def __init__(
        self, field_path: str, kind: str, detail: str = "", *value: Any
    ) -> None:
        self.field, self.kind, self.detail = field_path, kind, detail
        self.value = value[0] if value else None
        self.has_value = bool(value)

    @property
    def body(self) -> str:
        """The message without the field path (``Invalid value: "x": why``)."""
        parts = [self.kind]
        if self.has_value:
            parts.append(_go_value(self.value))
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)

    def __str__(self) -> str:
        return f"{self.field}: {self.body}"

    def __repr__(self) -> str:
        return f"FieldError({str(self)!r})"


def _invalid(path: str, value: Any, detail: str) -> FieldError:
    return FieldError(path, "Invalid value", detail, value)


def _unsupported(path: str, value: Any, supported: Sequence[str]) -> FieldError:
    return FieldError(
        path,
        "Unsupported value",
        "supported values: " + ", ".join(f'"{s}"' for s in supported),
        value,
    )


# --------------------------------------------------------------------------------------
# Label selectors
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One ``matchExpressions`` item: ``key``, ``operator`` and (for In/NotIn)
    ``values``.
    """

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Does a label set satisfy this requirement? ``NotIn``/``DoesNotExist`` hold
        when the key is absent.

        >>> Requirement("env", "NotIn", ("prod",)).matches({})
        True
        >>> Requirement("env", "In", ("prod", "stage")).matches({"env": "dev"})
        False
        """
        present = self.key in labels
        if self.operator == "In":
            return present and labels[self.key] in self.values
        if self.operator == "NotIn":
            return not present or labels[self.key] not in self.values
        if self.operator == "Exists":
            return present
        return not present  # DoesNotExist

    def describe(self) -> str:
        if self.operator in ("In", "NotIn"):
            word = "in" if self.operator == "In" else "notin"
            return f"{self.key} {word} ({','.join(self.values)})"
        return self.key if self.operator == "Exists" else f"!{self.key}"


@dataclass(frozen=True)
class LabelSelector:
    """A Kubernetes label selector. The empty selector ``{}`` matches everything.

    >>> s = LabelSelector((("app", "api"),), (Requirement("tier", "Exists"),))
    >>> s.matches({"app": "api", "tier": "backend"}), s.matches({"app": "api"})
    (True, False)
    >>> s.describe(), LabelSelector().describe()
    ('{app=api, tier}', '{} (all)')
    """

    match_labels: tuple[tuple[str, str], ...] = ()
    expressions: tuple[Requirement, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.expressions

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.match_labels) and all(
            r.matches(labels) for r in self.expressions
        )

    def describe(self) -> str:
        if self.is_empty:
            return "{} (all)"
        parts = [f"{k}={v}" for k, v in self.match_labels] + [
            r.describe() for r in self.expressions
        ]
        return "{" + ", ".join(parts) + "}"


_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of "
    "alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def _validate_selector(raw: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(raw, Mapping):
        errors.append(
            _invalid(
                path,
                _short(raw),
                "must be a label selector (a mapping with "
                "matchLabels and/or matchExpressions)",
            )
        )
        return
    for key in raw:
        if key not in ("matchLabels", "matchExpressions"):
            errors.append(
                FieldError(
                    f"{path}.{key}",
                    "Invalid value",
                    'unknown field; expected "matchLabels" or "matchExpressions"',
                )
            )
    labels = raw.get("matchLabels")
    if labels is not None:
        if not isinstance(labels, Mapping):
            errors.append(
                _invalid(
                    f"{path}.matchLabels",
                    _short(labels),
                    "must be a map of label keys to string values",
                )
            )
        else:
            for key, value in labels.items():
                if not isinstance(value, str):
                    errors.append(
                        _invalid(
                            f"{path}.matchLabels.{key}",
                            value,
                            "must be a string (quote it in YAML: true, "
                            "1.0 and null are not strings)",
                        )
                    )
                elif len(value) > 63:
                    errors.append(
                        _invalid(
                            f"{path}.matchLabels",
                            value,
                            "must be no more than 63 characters",
                        )
                    )
                elif not _LABEL_VALUE.match(value):
                    errors.append(
                        _invalid(f"{path}.matchLabels", value, _LABEL_VALUE_MSG)
                    )
    expressions = raw.get("matchExpressions")
    if expressions is not None:
        if not isinstance(expressions, list):
            errors.append(
                _invalid(
                    f"{path}.matchExpressions", _short(expressions), "must be a list"
                )
            )
            return
        for i, expr in enumerate(expressions):
            epath = f"{path}.matchExpressions[{i}]"
            if not isinstance(expr, Mapping):
                errors.append(
                    _invalid(
                        epath,
                        _short(expr),
                        "must be a mapping with key, operator and values",
                    )
                )
                continue
            if not isinstance(expr.get("key"), str) or not expr.get("key"):
                errors.append(FieldError(f"{epath}.key", "Required value"))
            operator = expr.get("operator")
            values = expr.get("values")
            if values is not None and (
                not isinstance(values, list)
                or not all(isinstance(v, str) for v in values)
            ):
                errors.append(
                    _invalid(
                        f"{epath}.values", _short(values), "must be a list of strings"
                    )
                )
                continue
            if operator in ("In", "NotIn"):
                if not values:
                    errors.append(
                        FieldError(
                            f"{epath}.values",
                            "Required value",
                            "must be specified when `operator` is 'In' or 'NotIn'",
                        )
                    )
            elif operator in ("Exists", "DoesNotExist"):
                if values:
                    errors.append(
                        FieldError(
                            f"{epath}.values",
                            "Forbidden",
                            "may not be specified when `operator` is "
                            "'Exists' or 'DoesNotExist'",
                        )
                    )
            else:
                errors.append(
                    _invalid(
                        f"{epath}.operator",
                        operator if operator is not None else "",
                        "not a valid selector operator",
                    )
                )


def parse_label_selector(raw: Mapping[str, Any] | None) -> LabelSelector:
    """Turn a (validated) selector mapping into a :class:`LabelSelector`; ``None`` or
    ``{}`` = everything.

    >>> parse_label_selector({"matchLabels": {"b": "2", "a": "1"}})
    LabelSelector(match_labels=(('a', '1'), ('b', '2')), expressions=())
    """
    raw = raw or {}
    labels = tuple(
        sorted((str(k), str(v)) for k, v in (raw.get("matchLabels") or {}).items())
    )
    expressions = tuple(
        Requirement(e["key"], e["operator"], tuple(e.get("values") or ()))
        for e in raw.get("matchExpressions") or ()
    )
    return LabelSelector(labels, expressions)


# --------------------------------------------------------------------------------------
# Peers, ports, rules, policies
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IPBlock:
    """``cidr`` minus the ``except`` ranges.

    >>> block = IPBlock.parse("172.17.0.0/16", ["172.17.1.0/24"])
    >>> [
    ...     block.contains(ip)
    ...     for ip in ("172.17.0.9", "172.17.1.9", "172.17.2.9", "10.0.0.1")
    ... ]
    [True, False, True, False]
    """

    cidr: Network
    excepts: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, cidr: str, excepts: Sequence[str] = ()) -> IPBlock:
        return cls(
            ipaddress.ip_network(cidr), tuple(ipaddress.ip_network(e) for e in excepts)
        )

    def contains(self, address: str | Address) -> bool:
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if ip.version != self.cidr.version or ip not in self.cidr:
            return False
        return not any(ip in e for e in self.excepts if e.version == ip.version)

    def describe(self) -> str:
        text = f"ipBlock {self.cidr}"
        return text + (
            " except " + ", ".join(map(str, self.excepts)) if self.excepts else ""
        )


@dataclass(frozen=True)
class Peer:
    """One ``from``/``to`` item. Exactly one of ``ip_block`` or the selectors is set."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None

    def describe(self) -> str:
        if self.ip_block is not None:
            return self.ip_block.describe()
        parts = []
        if self.namespace_selector is not None:
            parts.append(f"namespaceSelector {self.namespace_selector.describe()}")
        if self.pod_selector is not None:
            parts.append(f"podSelector {self.pod_selector.describe()}")
        return " AND ".join(parts)

    def matches(
        self,
        policy_namespace: str,
        namespace: str | None,
        labels: Mapping[str, str],
        namespace_labels: Mapping[str, str],
        ips: Sequence[str],
    ) -> bool:
        """Does this peer match an endpoint? ``namespace`` is ``None`` for an address
        outside the cluster.

        >>> peer = Peer(
        ...     pod_selector=LabelSelector((("role", "client"),)),
        ...     namespace_selector=LabelSelector((("user", "alice"),)),
        ... )
        >>> peer.matches(
        ...     "default", "team-a", {"role": "client"}, {"user": "alice"}, ["10.0.0.5"]
        ... )
        True
        >>> peer.matches(
        ...     "default", "team-b", {"role": "client"}, {"user": "bob"}, ["10.0.0.6"]
        ... )
        False
        """
        if self.ip_block is not None:
            return any(self.ip_block.contains(ip) for ip in ips)
        if namespace is None:  # selectors select pods only
            return False
        if self.namespace_selector is None:
            in_namespace = namespace == policy_namespace
        else:
            in_namespace = self.namespace_selector.matches(namespace_labels)
        pods_ok = self.pod_selector is None or self.pod_selector.matches(labels)
        return in_namespace and pods_ok


@dataclass(frozen=True)
class PortSpec:
    """One ``ports`` item: ``protocol`` (default TCP), ``port`` (number, name or None =
    all), ``end_port``.
    """

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None

    def matches(
        self,
        port: int,
        protocol: str,
        named_ports: Mapping[tuple[str, str], int] | None,
    ) -> bool:
        """Does traffic to ``port``/``protocol`` match? ``named_ports`` are the
        destination's ``(name, protocol) -> number`` (``None`` for a destination outside
        the cluster).

        >>> PortSpec("TCP", 32000, 32768).matches(32500, "TCP", {})
        True
        >>> PortSpec("TCP", "http").matches(8080, "TCP", {("http", "TCP"): 8080})
        True
        >>> PortSpec("TCP", "http").matches(8080, "TCP", None)
        False
        """
        if protocol != self.protocol:
            return False
        if self.port is None:
            return True
        if isinstance(self.port, int):
            return (
                self.port
                <= port
                <= (self.end_port if self.end_port is not None else self.port)
            )
        return (
            named_ports is not None and named_ports.get((self.port, protocol)) == port
        )

    def describe(self) -> str:
        if self.port is None:
            return f"all {self.protocol} ports"
        if self.end_port is not None:
            return f"{self.port}-{self.end_port}/{self.protocol}"
        return f"{self.port}/{self.protocol}"


@dataclass(frozen=True)
class Rule:
    """One ingress or egress rule: its peers (empty = everyone) and ports (empty = every
    port).
    """

    peers: tuple[Peer, ...] = ()
    ports: tuple[PortSpec, ...] = ()
    direction: str = "ingress"

    @property
    def peer_field(self) -> str:
        return "from" if self.direction == "ingress" else "to"

    def describe(self) -> str:
        """One line: ``from: podSelector {app=web}; ports: 80/TCP``."""
        who = (
            " OR ".join(p.describe() for p in self.peers) if self.peers else "everyone"
        )
        ports = (
            ", ".join(p.describe() for p in self.ports) if self.ports else "all ports"
        )
        return f"{self.peer_field}: {who}; ports: {ports}"


@dataclass(frozen=True)
class NetworkPolicy:
    """A parsed, validated ``networking.k8s.io/v1`` NetworkPolicy."""

    namespace: str
    name: str
    pod_selector: LabelSelector
    policy_types: frozenset[str]
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    origin: str | None = field(default=None, compare=False)

    @property
    def ref(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    def rules(self, direction: str) -> tuple[Rule, ...]:
        """The rules that count for ``direction`` ("ingress"/"egress"): none if the type
        is not set.
        """
        kind = "Ingress" if direction == "ingress" else "Egress"
        if kind not in self.policy_types:
            return ()
        return self.ingress if direction == "ingress" else self.egress

    def applies_to(self, direction: str) -> bool:
        return ("Ingress" if direction == "ingress" else "Egress") in self.policy_types


# --------------------------------------------------------------------------------------
# Validation and parsing
# --------------------------------------------------------------------------------------

_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_HAS_LETTER = re.compile(r"[a-z]")


def _short(value: Any) -> Any:
    """A short stand-in for a structured bad value in a message."""
    if isinstance(value, (Mapping, list)):
        return type(value).__name__.replace("dict", "object").replace("list", "array")
    return value


def _port_name_errors(name: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME) messages, in the API server's words."""
    msgs = []
    if len(name) > 15:
        msgs.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.match(name):
        msgs.append(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        )
    if "--" in name:
        msgs.append("must not contain consecutive hyphens")
    if name and not _HAS_LETTER.search(name):
        msgs.append("must contain at least one letter (a-z)")
    if name.startswith("-") or name.endswith("-"):
        msgs.append("must not begin or end with a hyphen")
    return msgs


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _validate_port(raw: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(raw, Mapping):
        errors.append(
            _invalid(
                path, _short(raw), "must be a mapping with protocol, port and endPort"
            )
        )
        return
    protocol = raw.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        errors.append(_unsupported(f"{path}.protocol", protocol, PROTOCOLS))
    port, end_port = raw.get("port"), raw.get("endPort")
    if end_port is not None and not _is_int(end_port):
        errors.append(
            _invalid(f"{path}.endPort", _short(end_port), "must be an integer")
        )
        end_port = None
    if port is not None:
        if _is_int(port):
            if not 1 <= port <= 65535:
                errors.append(
                    _invalid(
                        f"{path}.port", port, "must be between 1 and 65535, inclusive"
                    )
                )
            if end_port is not None:
                if end_port < port:
                    errors.append(
                        _invalid(
                            f"{path}.endPort",
                            end_port,
                            "must be greater than or equal to `port`",
                        )
                    )
                if not 1 <= end_port <= 65535:
                    errors.append(
                        _invalid(
                            f"{path}.endPort",
                            end_port,
                            "must be between 1 and 65535, inclusive",
                        )
                    )
        elif isinstance(port, str):
            if end_port is not None:
                errors.append(
                    _invalid(
                        f"{path}.endPort",
                        end_port,
                        "may not be specified when `port` is non-numeric",
                    )
                )
            for msg in _port_name_errors(port):
                errors.append(_invalid(f"{path}.port", port, msg))
        else:
            errors.append(
                _invalid(
                    f"{path}.port", _short(port), "must be a port number or a port name"
                )
            )
    elif end_port is not None:
        errors.append(
            _invalid(
                f"{path}.endPort",
                end_port,
                "may not be specified when `port` is not specified",
            )
        )


def _validate_cidr(value: Any, path: str, errors: list[FieldError]) -> Network | None:
    if not isinstance(value, str):
        errors.append(
            _invalid(
                path,
                _short(value),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            )
        )
        return None
    try:
        loose = ipaddress.ip_network(value, strict=False)
    except ValueError:
        errors.append(
            _invalid(
                path,
                value,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            )
        )
        return None
    if "/" not in value:
        errors.append(
            _invalid(
                path,
                value,
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            )
        )
        return None
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        errors.append(
            _invalid(path, value, "must not have bits set beyond the prefix length")
        )
    return loose


def _validate_peer(raw: Any, path: str, errors: list[FieldError]) -> None:
    if not isinstance(raw, Mapping):
        errors.append(
            _invalid(
                path,
                _short(raw),
                "must be a mapping with podSelector, namespaceSelector or ipBlock",
            )
        )
        return
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if raw.get(key) is not None:
            count += 1
            _validate_selector(raw[key], f"{path}.{key}", errors)
    block = raw.get("ipBlock")
    if block is not None:
        count += 1
        bpath = f"{path}.ipBlock"
        if not isinstance(block, Mapping):
            errors.append(
                _invalid(bpath, _short(block), "must be a mapping with cidr and except")
            )
        elif not block.get("cidr"):
            errors.append(FieldError(f"{bpath}.cidr", "Required value"))
        else:
            cidr = _validate_cidr(block["cidr"], f"{bpath}.cidr", errors)
            excepts = block.get("except") or []
            if not isinstance(excepts, list):
                errors.append(
                    _invalid(
                        f"{bpath}.except", _short(excepts), "must be a list of CIDRs"
                    )
                )
                excepts = []
            for i, text in enumerate(excepts):
                epath = f"{bpath}.except[{i}]"
                net = _validate_cidr(text, epath, errors)
                if (
                    cidr is not None
                    and net is not None
                    and (
                        net.version != cidr.version
                        or net.network_address not in cidr
                        or net.prefixlen <= cidr.prefixlen
                    )
                ):
                    errors.append(
                        _invalid(epath, text, "must be a strict subset of `cidr`")
                    )
    for key in raw:
        if key not in ("podSelector", "namespaceSelector", "ipBlock"):
            errors.append(
                FieldError(
                    f"{path}.{key}",
                    "Invalid value",
                    'unknown field; expected "podSelector", '
                    '"namespaceSelector" or "ipBlock"',
                )
            )
    if count == 0:
        errors.append(FieldError(path, "Required value", "must specify a peer"))
    elif count > 1 and block is not None:
        errors.append(
            FieldError(
                path, "Forbidden", "may not specify both ipBlock and another peer"
            )
        )


def validate_network_policy(obj: Mapping[str, Any]) -> list[FieldError]:
    """Every error the API server would report for this NetworkPolicy, in its field
    order.

    >>> errors = validate_network_policy(
    ...     {
    ...         "kind": "NetworkPolicy",
    ...         "metadata": {"name": "p"},
    ...         "spec": {
    ...             "podSelector": {},
    ...             "ingress": [
    ...                 {"ports": [{"protocol": "ICMP", "port": 80, "endPort": 79}]}
    ...             ],
    ...         },
    ...     }
    ... )
    >>> for e in errors:
    ...     print(e)
    spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values:
        "TCP", "UDP", "SCTP"
    spec.ingress[0].ports[0].endPort: Invalid value: 79: must be greater than or equal
        to `port`
    """
    errors: list[FieldError] = []
    spec = obj.get("spec")
    if spec is None:  # optional (types.go): every field takes its default
        spec = {}
    if not isinstance(spec, Mapping):
        return [_invalid("spec", _short(spec), "must be a mapping")]
    if (
        spec.get("podSelector") is not None
    ):  # absent or null: the empty selector (types.go)
        _validate_selector(spec["podSelector"], "spec.podSelector", errors)
    for direction, peer_key in (("ingress", "from"), ("egress", "to")):
        rules = spec.get(direction)
        if rules is None:
            continue
        if not isinstance(rules, list):
            errors.append(
                _invalid(f"spec.{direction}", _short(rules), "must be a list of rules")
            )
            continue
        for i, rule in enumerate(rules):
            rpath = f"spec.{direction}[{i}]"
            if rule is None:
                continue  # "- {}" written as "-": an empty rule
            if not isinstance(rule, Mapping):
                errors.append(
                    _invalid(
                        rpath,
                        _short(rule),
                        "must be a mapping with ports and " + peer_key,
                    )
                )
                continue
            for key in rule:
                if key not in ("ports", peer_key):
                    errors.append(
                        FieldError(
                            f"{rpath}.{key}",
                            "Invalid value",
                            f'unknown field; expected "{peer_key}" or "ports"',
                        )
                    )
            ports = rule.get("ports") or []
            if not isinstance(ports, list):
                errors.append(
                    _invalid(f"{rpath}.ports", _short(ports), "must be a list")
                )
                ports = []
            for j, port in enumerate(ports):
                _validate_port(port, f"{rpath}.ports[{j}]", errors)
            peers = rule.get(peer_key) or []
            if not isinstance(peers, list):
                errors.append(
                    _invalid(f"{rpath}.{peer_key}", _short(peers), "must be a list")
                )
                peers = []
            for j, peer in enumerate(peers):
                _validate_peer(peer, f"{rpath}.{peer_key}[{j}]", errors)
    types = spec.get("policyTypes")
    if types is not None:
        if not isinstance(types, list):
            errors.append(_invalid("spec.policyTypes", _short(types), "must be a list"))
        elif len(types) > 2:
            errors.append(
                _invalid(
                    "spec.policyTypes",
                    types,
                    "may not specify more than two policyTypes",
                )
            )
        else:
            for i, kind in enumerate(types):
                if kind not in ("Ingress", "Egress"):
                    errors.append(
                        _unsupported(
                            f"spec.policyTypes[{i}]", kind, ("Ingress", "Egress")
                        )
                    )
    for key in spec:
        if key not in ("podSelector", "policyTypes", "ingress", "egress"):
            errors.append(
                FieldError(
                    f"spec.{key}",
                    "Invalid value",
                    'unknown field; expected "podSelector", '
                    '"policyTypes", "ingress" or "egress"',
                )
            )
    return errors


def defaulted_policy_types(spec: Mapping[str, Any] | None) -> list[str]:
    """``spec.policyTypes`` after the API server's defaulting, as
    ``SetDefaults_NetworkPolicy`` does it.

    ``len(policyTypes) == 0`` (absent, ``null`` or ``[]``) becomes ``["Ingress"]``, plus
    ``"Egress"`` when ``len(egress) != 0``; a non-empty list is kept as written
    (kubernetes ``pkg/apis/networking/v1/defaults.go``, read 2026-12-02).

    >>> defaulted_policy_types({"podSelector": {}})
    ['Ingress']
    >>> defaulted_policy_types({"egress": [{"to": [{"podSelector": {}}]}]})
    ['Ingress', 'Egress']
    >>> defaulted_policy_types({"egress": []})  # an empty egress list isolates nothing
    ['Ingress']
    >>> defaulted_policy_types({"policyTypes": [], "egress": [{}]})
    ['Ingress', 'Egress']
    >>> defaulted_policy_types({"policyTypes": ["Egress"]})
    ['Egress']
    """
    spec = spec or {}
    types = spec.get("policyTypes")
    if types:
        return list(types)
    return ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _parse_rule(raw: Mapping[str, Any] | None, direction: str) -> Rule:
    raw = raw or {}
    peers = []
    for p in raw.get("from" if direction == "ingress" else "to") or ():
        block = p.get("ipBlock")
        peers.append(
            Peer(
                pod_selector=parse_label_selector(p["podSelector"])
                if p.get("podSelector") is not None
                else None,
                namespace_selector=(
                    parse_label_selector(p["namespaceSelector"])
                    if p.get("namespaceSelector") is not None
                    else None
                ),
                ip_block=IPBlock.parse(block["cidr"], block.get("except") or ())
                if block
                else None,
            )
        )
    ports = tuple(
        PortSpec(p.get("protocol") or "TCP", p.get("port"), p.get("endPort"))
        for p in raw.get("ports") or ()
    )
    return Rule(tuple(peers), ports, direction)


def parse_network_policy(
    obj: Mapping[str, Any],
    origin: str | None = None,
    default_namespace: str = "default",
) -> NetworkPolicy:
    """Validate and parse a NetworkPolicy object; raise :class:`ManifestError` naming
    every bad field.

    ``origin`` (``"file.yaml, document 3"``) goes into the message. A policy without
    ``metadata.namespace`` lands in ``default_namespace``, as ``kubectl apply`` without
    ``-n`` would.

    >>> try:
    ...     parse_network_policy(
    ...         {
    ...             "apiVersion": "networking.k8s.io/v1",
    ...             "kind": "NetworkPolicy",
    ...             "metadata": {"name": "bad", "namespace": "shop"},
    ...             "spec": {
    ...                 "podSelector": {},
    ...                 "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}],
    ...             },
    ...         },
    ...         origin="policies.yaml, document 2",
    ...     )
    ... except ManifestError as error:
    ...     print(error.origin, "|", error.ref, "|", error.field)
    ...     print(error.detail)
    policies.yaml, document 2 | NetworkPolicy shop/bad |
        spec.egress[0].to[0].ipBlock.cidr
    Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or
        2001:db8::/64)
    """
    api = obj.get("apiVersion")
    if api != "networking.k8s.io/v1":
        raise ManifestError(
            f"Unsupported value: {_go_value(api)}: supported "
            'values: "networking.k8s.io/v1"',
            origin=origin,
            ref=object_ref(obj),
            field="apiVersion",
        )
    errors = validate_network_policy(obj)
    if errors:
        error = ManifestError(
            errors[0].body, origin=origin, ref=object_ref(obj), field=errors[0].field
        )
        if len(errors) > 1:
            error = ManifestError(
                errors[0].body + "".join(f"; {e}" for e in errors[1:]),
                origin=origin,
                ref=object_ref(obj),
                field=errors[0].field,
            )
        error.errors = errors  # type: ignore[attr-defined]
        raise error
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    return NetworkPolicy(
        namespace=meta.get("namespace") or default_namespace,
        name=meta["name"],
        pod_selector=parse_label_selector(spec.get("podSelector")),
        policy_types=frozenset(defaulted_policy_types(spec)),
        ingress=tuple(_parse_rule(r, "ingress") for r in spec.get("ingress") or ()),
        egress=tuple(_parse_rule(r, "egress") for r in spec.get("egress") or ()),
        origin=origin,
    )
