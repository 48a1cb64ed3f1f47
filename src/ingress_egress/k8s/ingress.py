"""Ingress: which backend serves an HTTP request that enters the cluster through an
Ingress.

An Ingress (``networking.k8s.io/v1``) is a list of rules: an optional host, then paths,
each with a backend (a Service and port, or a resource). It does nothing by itself: an
Ingress *controller* (ingress-nginx, Traefik, a cloud load balancer, ...) reads all the
Ingresses of its class and routes requests by them. :func:`route` plays that controller
for one request and says which backend serves it, or ``None`` for a 404. :class:`Router`
does the same for many requests (validating the manifests once).

The rules, as the Kubernetes documentation and API reference state them
(https://kubernetes.io/docs/concepts/services-networking/ingress/ and
https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/, both
read 2026-11-27):

Hosts
    A rule's host is *precise* (``foo.bar.com``: the request's host must be equal) or a
    *wildcard* (``*.foo.com``: the ``*`` is the whole first label and stands for exactly
    one label, so it matches ``bar.foo.com`` but neither ``baz.bar.foo.com`` nor
    ``foo.com``). A rule without a host matches every host. The request's ``Host``
    header may carry a port (``shop.example.com:8443``): the port is stripped before
    matching, since rule hosts cannot have one. Host names are compared in lower case
    (DNS names are case-insensitive) and a trailing dot (``shop.example.com.``) is
    dropped.
Paths
    ``Exact``: the whole path, case-sensitive. ``Prefix``: the path split on ``/``,
    compared element by element (``/foo/bar`` matches ``/foo/bar/baz`` but not
    ``/foo/barbaz``); a trailing slash on either side is ignored; ``/`` matches
    everything. Of all matching paths the longest wins; at equal length ``Exact`` beats
    ``Prefix``. The query string (after ``?``) and fragment are not part of the path.
Default backend
    The API reference: ``defaultBackend`` "is the backend that should handle requests
    that don't match any rule", and "If DefaultBackend is not set, the handling of
    requests that do not match any of the rules will be up to the Ingress controller"
    (``IngressSpec`` in kubernetes ``staging/src/k8s.io/api/networking/v1/types.go``,
    read 2026-12-02). By default the router does exactly that
    (``default_backend="catches-all"``): the default backend serves every request no
    rule matches, unknown hosts included (``Backend.rule_matched`` is ``False``); with
    none set, the answer is ``None``, which this module shows as a 404.

What the specification leaves to the controller, and what this module chooses
(documented, so a reader can compare with their controller):

``ImplementationSpecific`` paths
    "Matching is up to the IngressClass". The default here,
    ``implementation_specific="string-prefix"``, is what ingress-nginx does when no
    regex annotation is set: the path becomes a plain nginx ``location /foo`` block, a
    *character* prefix, so ``/foo`` matches ``/foobar`` too (ingress-nginx
    ``internal/ingress/controller/location.go`` leaves these paths as they are;
    ``template.go`` ``buildLocation`` writes them as a plain location). An empty path
    means ``/``. Other controllers treat it as ``Prefix`` (Pomerium) or otherwise: pass
    ``"prefix"`` or ``"exact"`` to model those. **Do not rely on ImplementationSpecific
    in manifests meant to be portable.**
Several Ingresses
    A controller merges the rules of all the Ingresses it serves. Here the request's
    host first picks one group of rules across all Ingresses: the precise rules for that
    host if there are any, else the wildcard rules that match it, else the rules without
    a host (as the API reference says, requests are "first evaluated for a host match").
    Only that group's paths compete; a request does not fall through to a less specific
    host group when no path matches. When paths tie (same length, same type), the older
    Ingress wins (``metadata.creationTimestamp``; Ingresses without one come after those
    with one), then namespace/name in alphabetical order, then the first rule and path
    listed. ingress-nginx documents the same first rule ("If the same path for the same
    host is defined in more than one Ingress, the oldest rule wins",
    ``docs/how-it-works.md``) but breaks equal timestamps by namespace/name in reverse
    order (``sortIngressSlice``).
Which default backend
    The first Ingress (in that order) contributing to the chosen host group that has a
    ``defaultBackend``; otherwise the first Ingress of all that has one.
Default backend as ingress-nginx reads it (``"catches-all-only-without-rules"``)
    With ``default_backend="catches-all-only-without-rules"``: ingress-nginx builds one
    nginx server per host. The first Ingress (in its order) with a rule for a host sets
    up that host's server, and *that* Ingress's ``defaultBackend`` serves the host's
    unmatched paths (none set: the controller's 404). Requests for a host no rule names
    (and the unmatched paths of rules without a host) go to the controller's default
    server ``_``, which answers 404, unless an Ingress has a ``defaultBackend`` *and no
    rules*: the first such Ingress is the catch-all. So in the shop, ``www.example.com``
    gets the frontend under the API reference's reading and a 404 under ingress-nginx's.
    Only Service backends count there (a resource ``defaultBackend`` is skipped).
    Source: kubernetes/ingress-nginx ``internal/ingress/controller/controller.go``,
    ``createServers`` ("Ingress %q defines a backend but no rule. Using it to configure
    the catch-all server"; "defines both a backend and rules. Using its backend as
    default upstream for all its rules"), read 2026-12-02.
Ingress class
    ``ingress_class=None`` routes with every Ingress given (one controller watching
    everything). With ``ingress_class="nginx"`` only Ingresses of that class are used:
    ``spec.ingressClassName``, else the older ``kubernetes.io/ingress.class``
    annotation, else the cluster's default IngressClass (an IngressClass object
    annotated ``ingressclass.kubernetes.io/is-default-class: "true"`` among the
    objects). The others are listed in :attr:`Router.skipped` with the reason.

Validation follows the API server (``pkg/apis/networking/validation/validation.go``): an
invalid Ingress raises :class:`~ingress_egress.k8s.manifests.ManifestError` naming the
object and the field path.

Examples
--------
>>> from ingress_egress.k8s.manifests import load_manifests
>>> shop = load_manifests('''
... apiVersion: networking.k8s.io/v1
... kind: Ingress
... metadata: {name: web, namespace: shop}
... spec:
...   defaultBackend: {service: {name: frontend, port: {number: 80}}}
...   rules:
...   - host: shop.example.com
...     http:
...       paths:
...       - {path: /, pathType: Prefix,
...          backend: {service: {name: frontend, port: {number: 80}}}}
...       - {path: /api, pathType: Prefix,
...          backend: {service: {name: api, port: {number: 8080}}}}
... ''')
>>> route(shop, "shop.example.com", "/api/cart")
Backend(service='api', port=8080, ..., rule_matched=True, ingress='shop/web', ...)
>>> print(route(shop, "shop.example.com:443", "/apiary").explain())
frontend:80 (Ingress shop/web, spec.rules[0].http.paths[0]: Prefix / on host
    shop.example.com)
>>> route(shop, "www.example.com", "/").target  # the API reference: the default backend
'frontend:80'
>>> route(
...     shop, "www.example.com", "/", default_backend="catches-all-only-without-rules"
... ) is None
True
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd

from .manifests import ManifestError, object_ref

__all__ = [
    "DEFAULT_BACKEND_MODES",
    "IMPLEMENTATION_SPECIFIC_MODES",
    "PATH_TYPES",
    "Backend",
    "Router",
    "host_matches",
    "normalize_host",
    "path_matches",
    "route",
    "validate_ingress",
]

API_VERSION = "networking.k8s.io/v1"
PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
"""The ``pathType`` values the API server accepts, sorted as it lists them."""

IMPLEMENTATION_SPECIFIC_MODES = ("string-prefix", "prefix", "exact")
"""How ``ImplementationSpecific`` paths are matched here: as ingress-nginx (character
prefix), as ``Prefix`` or as ``Exact``. See the module docstring."""

DEFAULT_BACKEND_MODES = ("catches-all", "catches-all-only-without-rules")
"""What a ``defaultBackend`` serves: every request no rule matches (the API reference),
or, as ingress-nginx does, the unmatched paths of the hosts its own Ingress sets up, and
other hosts only when that Ingress has no rules. See the module docstring."""

DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class"

# From k8s.io/apimachinery/pkg/util/validation (DNS-1123 subdomain, DNS-1035 label, port
# names).
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_WILDCARD_SUBDOMAIN = re.compile(rf"^\*\.{_LABEL}(\.{_LABEL})*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_PORT_NAME = re.compile(r"^[-a-z0-9]+$")
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'example.com')"
)
_WILDCARD_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', "
    "followed by a valid DNS subdomain, which must "
    "consist of lower case alphanumeric characters, '-' or '.' and end with an "
    "alphanumeric character (e.g. '*.example.com')"
)


@dataclass(frozen=True)
class Backend:
    """The backend that serves a request, and the rule that chose it.

    Attributes
    ----------
    service, port
        The Service name and its port (a number or a port name), or ``None`` for a
        resource backend. The Service lives in the Ingress's namespace.
    resource
        For a resource backend, the ``TypedLocalObjectReference`` dict (``apiGroup``,
        ``kind``, ``name``); else ``None``.
    rule_matched
        ``True`` when a host/path rule matched; ``False`` when ``spec.defaultBackend``
        served it.
    ingress
        The Ingress that routed it, ``namespace/name``.
    rule
        The field path of what matched: ``spec.rules[1].http.paths[0]`` or
        ``spec.defaultBackend``.
    host, path, path_type
        The matched rule's host (``None`` for a rule without host, or the default
        backend), path and pathType (``None`` for the default backend).
    """

    service: str | None
    port: int | str | None
    resource: dict | None = field(default=None, hash=False)
    rule_matched: bool = True
    ingress: str = ""
    rule: str = ""
    host: str | None = None
    path: str | None = None
    path_type: str | None = None

    @property
    def namespace(self) -> str:
        """The namespace of the Ingress, hence of the Service it names."""
        return self.ingress.split("/", 1)[0]

    @property
    def target(self) -> str:
        """``service:port`` or ``Kind name`` for a resource backend.

        >>> (
        ...     Backend("api", 8080).target,
        ...     Backend(None, None, {"kind": "StorageBucket", "name": "icons"}).target,
        ... )
        ('api:8080', 'StorageBucket icons')
        """
        if self.service is not None:
            return f"{self.service}:{self.port}"
        resource = self.resource or {}
        return f"{resource.get('kind')} {resource.get('name')}"

    def explain(self, host: str | None = None, path: str | None = None) -> str:
        """One line: the request (if given), the backend, and the rule that chose it."""
        request = f"{host or ''}{path or ''} -> " if (host or path) else ""
        if not self.rule_matched:
            why = f"Ingress {self.ingress}, spec.defaultBackend: no rule matched"
        else:
            on = f"on host {self.host}" if self.host else "for any host"
            why = (
                f"Ingress {self.ingress}, {self.rule}: "
                f"{self.path_type} {self.path} {on}"
            )
        return f"{request}{self.target} ({why})"


# --------------------------------------------------------------------------------------
# matching


def normalize_host(host: str | None) -> str | None:
    """The host part of a ``Host`` header, as rules are matched against it.

    The port is stripped (also from a bracketed IPv6 literal), the name is lower-cased
    and a trailing dot dropped. An empty or missing header gives ``None`` (only rules
    without a host can match).

    >>> (
    ...     normalize_host("Shop.Example.com:8443"),
    ...     normalize_host("shop.example.com."),
    ...     normalize_host(""),
    ... )
    ('shop.example.com', 'shop.example.com', None)
    >>> normalize_host("[2001:db8::1]:443"), normalize_host("2001:db8::1")
    ('[2001:db8::1]', '2001:db8::1')
    """
    if host is None:
        return None
    host = host.strip().lower()
    if host.startswith("["):  # IPv6 literal, maybe with a port
        end = host.find("]")
        host = host[: end + 1] if end > 0 else host
    elif (
        host.count(":") == 1
    ):  # name:port or IPv4:port (a bare IPv6 address has several colons)
        name, _, port = host.partition(":")
        if port.isdigit() or port == "":
            host = name
    host = host.rstrip(".") if host != "." else ""
    return host or None


def host_matches(rule_host: str | None, host: str | None) -> bool:
    """Does a rule's host match a request host (already normalized)?

    >>> [
    ...     host_matches("*.foo.com", h)
    ...     for h in ("bar.foo.com", "baz.bar.foo.com", "foo.com")
    ... ]
    [True, False, False]
    >>> (
    ...     host_matches(None, "anything.example"),
    ...     host_matches("foo.bar.com", "foo.bar.com"),
    ... )
    (True, True)
    """
    if not rule_host:
        return True
    if host is None:
        return False
    if rule_host.startswith("*."):
        first, dot, rest = host.partition(".")
        return bool(first) and bool(dot) and rest == rule_host[2:]
    return rule_host == host


def _elements(path: str) -> list[str]:
    return [part for part in path.split("/") if part]


def path_matches(
    path_type: str,
    rule_path: str,
    request_path: str,
    implementation_specific: str = "string-prefix",
) -> bool:
    """Does a rule's path (of ``path_type``) match a request path?

    >>> (
    ...     path_matches("Prefix", "/foo/bar", "/foo/bar/baz"),
    ...     path_matches("Prefix", "/foo/bar", "/foo/barbaz"),
    ... )
    (True, False)
    >>> (
    ...     path_matches("Exact", "/foo", "/foo/"),
    ...     path_matches("ImplementationSpecific", "/foo", "/foobar"),
    ... )
    (False, True)
    """
    effective = _effective_type(path_type, implementation_specific)
    if effective == "Exact":
        return request_path == rule_path
    if effective == "Prefix":
        want = _elements(rule_path)
        return _elements(request_path)[: len(want)] == want
    return request_path.startswith(rule_path or "/")


def _effective_type(path_type: str, implementation_specific: str) -> str:
    if path_type != "ImplementationSpecific":
        return path_type
    return {"string-prefix": "string-prefix", "prefix": "Prefix", "exact": "Exact"}[
        implementation_specific
    ]


_TYPE_RANK = {"Exact": 2, "Prefix": 1, "string-prefix": 0}


def _match_length(effective: str, rule_path: str) -> int:
    """'Longest matching path': Prefix ignores a trailing slash, as it does when
    matching.
    """
    if effective == "Prefix":
        return len(rule_path.rstrip("/") or "/")
    return len(rule_path or "/")


# --------------------------------------------------------------------------------------
# validation


def _err(
    ing: Mapping, origin: str | None, fieldpath: str, detail: str
) -> ManifestError:
    return ManifestError(detail, origin=origin, ref=object_ref(ing), field=fieldpath)


def _q(value: Any) -> str:
    """A value quoted the way the API server quotes it in messages."""
    return '"' + str(value).replace('"', '\\"') + '"'


def _check_host(ing: Mapping, origin: str | None, fieldpath: str, host: Any) -> None:
    if not isinstance(host, str):
        raise _err(
            ing, origin, fieldpath, f"Invalid value: {host!r}: expected a string"
        )
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise _err(
            ing,
            origin,
            fieldpath,
            f"Invalid value: {_q(host)}: must be a DNS name, not an IP address",
        )
    if len(host) > 253:
        raise _err(
            ing,
            origin,
            fieldpath,
            f"Invalid value: {_q(host)}: must be no more than 253 characters",
        )
    if "*" in host:
        if not _WILDCARD_SUBDOMAIN.match(host):
            raise _err(
                ing, origin, fieldpath, f"Invalid value: {_q(host)}: {_WILDCARD_MSG}"
            )
    elif not _DNS1123_SUBDOMAIN.match(host):
        raise _err(
            ing, origin, fieldpath, f"Invalid value: {_q(host)}: {_SUBDOMAIN_MSG}"
        )


def _check_backend(
    ing: Mapping, origin: str | None, fieldpath: str, backend: Any
) -> None:
    if not isinstance(backend, Mapping):
        raise _err(
            ing,
            origin,
            fieldpath,
            "Required value: resource or service backend is required",
        )
    service, resource = backend.get("service"), backend.get("resource")
    if service is not None and resource is not None:
        raise _err(
            ing,
            origin,
            fieldpath,
            'Invalid value: "": cannot set both resource and service backends',
        )
    if service is None and resource is None:
        raise _err(
            ing,
            origin,
            fieldpath,
            'Invalid value: "": resource or service backend is required',
        )
    if resource is not None:
        if not isinstance(resource, Mapping):
            raise _err(
                ing,
                origin,
                f"{fieldpath}.resource",
                "Invalid value: expected a mapping",
            )
        for key in ("kind", "name"):
            if not resource.get(key):
                raise _err(ing, origin, f"{fieldpath}.resource.{key}", "Required value")
        return
    if not isinstance(service, Mapping):
        raise _err(
            ing, origin, f"{fieldpath}.service", "Invalid value: expected a mapping"
        )
    name = service.get("name")
    if not name:
        raise _err(ing, origin, f"{fieldpath}.service.name", "Required value")
    if not isinstance(name, str) or len(name) > 63 or not _DNS1035_LABEL.match(name):
        raise _err(
            ing,
            origin,
            f"{fieldpath}.service.name",
            f"Invalid value: {_q(name)}: a DNS-1035 label must "
            "consist of lower case alphanumeric "
            "characters or '-', start with an alphabetic character, "
            "and end with an alphanumeric character",
        )
    port = service.get("port")
    port = port if isinstance(port, Mapping) else {}
    number, port_name = port.get("number"), port.get("name")
    if number and port_name:
        raise _err(
            ing,
            origin,
            fieldpath,
            'Invalid value: "": cannot set both port name & port number',
        )
    if port_name:
        problem = _port_name_problem(port_name)
        if problem:
            raise _err(
                ing,
                origin,
                f"{fieldpath}.service.port.name",
                f"Invalid value: {_q(port_name)}: {problem}",
            )
    elif number:
        if isinstance(number, bool) or not isinstance(number, int):
            raise _err(
                ing,
                origin,
                f"{fieldpath}.service.port.number",
                f"Invalid value: {number!r}: expected an "
                "integer (write it without quotes)",
            )
        if not 1 <= number <= 65535:
            raise _err(
                ing,
                origin,
                f"{fieldpath}.service.port.number",
                f"Invalid value: {number}: must be between 1 and 65535, inclusive",
            )
    else:
        raise _err(
            ing, origin, fieldpath, "Required value: port name or number is required"
        )


def _port_name_problem(name: Any) -> str | None:
    """IsValidPortName: an IANA service name (at most 15 characters, a-z 0-9 '-', at
    least one letter).
    """
    if not isinstance(name, str):
        return "must be a string"
    if len(name) > 15:
        return "must be no more than 15 characters"
    if not _PORT_NAME.match(name):
        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
    if "--" in name:
        return "must not contain consecutive hyphens"
    if not re.search("[a-z]", name):
        return "must contain at least one letter (a-z)"
    if name.startswith("-") or name.endswith("-"):
        return "must not begin or end with a hyphen"
    return None


def _check_path(ing: Mapping, origin: str | None, fieldpath: str, item: Any) -> None:
    if not isinstance(item, Mapping):
        raise _err(
            ing,
            origin,
            fieldpath,
            "Invalid value: expected a mapping with path, pathType and backend",
        )
    path_type = item.get("pathType")
    if path_type is None:
        raise _err(
            ing,
            origin,
            f"{fieldpath}.pathType",
            "Required value: pathType must be specified",
        )
    if path_type not in PATH_TYPES:
        supported = ", ".join(_q(t) for t in PATH_TYPES)
        raise _err(
            ing,
            origin,
            f"{fieldpath}.pathType",
            f"Unsupported value: {_q(path_type)}: supported values: {supported}",
        )
    path = item.get("path", "")
    if path is None:
        path = ""
    if not isinstance(path, str):
        raise _err(
            ing,
            origin,
            f"{fieldpath}.path",
            f"Invalid value: {path!r}: expected a string",
        )
    if path_type in ("Exact", "Prefix"):
        if not path.startswith("/"):
            raise _err(
                ing,
                origin,
                f"{fieldpath}.path",
                f"Invalid value: {_q(path)}: must be an absolute path",
            )
        for seq in _INVALID_PATH_SEQUENCES:
            if seq in path:
                raise _err(
                    ing,
                    origin,
                    f"{fieldpath}.path",
                    f"Invalid value: {_q(path)}: must not contain '{seq}'",
                )
        for suffix in _INVALID_PATH_SUFFIXES:
            if path.endswith(suffix):
                raise _err(
                    ing,
                    origin,
                    f"{fieldpath}.path",
                    f"Invalid value: {_q(path)}: cannot end with '{suffix}'",
                )
    elif path and not path.startswith("/"):
        raise _err(
            ing,
            origin,
            f"{fieldpath}.path",
            f"Invalid value: {_q(path)}: must be an absolute path",
        )
    _check_backend(ing, origin, f"{fieldpath}.backend", item.get("backend"))


def validate_ingress(ing: Mapping[str, Any], origin: str | None = None) -> None:
    """Raise :class:`ManifestError` if the API server would refuse this Ingress; return
    ``None`` if not.

    Checks what routing depends on: the API version, ``rules`` or ``defaultBackend``
    present, hosts (DNS names, a wildcard only as the whole first label, no IP
    addresses, no ports), ``pathType`` present and known, paths absolute for Exact and
    Prefix, backends (service *or* resource; port number *or* name), TLS hosts and
    secret names, and ``ingressClassName``. The first problem found is raised;
    ``origin`` (file and document) is put in front of the message.

    >>> bad = {
    ...     "apiVersion": "networking.k8s.io/v1",
    ...     "kind": "Ingress",
    ...     "metadata": {"name": "web"},
    ...     "spec": {"rules": [{"host": "shop.*.example.com"}]},
    ... }
    >>> validate_ingress(bad)
    Traceback (most recent call last):
    ...
    ingress_egress.k8s.manifests.ManifestError: Ingress web: spec.rules[0].host: Invalid
        value: "shop.*.example.com": a wildcard DNS-1123 subdomain must start with
        '*.', ...
    """
    version = ing.get("apiVersion")
    if version != API_VERSION:
        raise _err(
            ing,
            origin,
            "apiVersion",
            'no matches for kind "Ingress" in version '
            f"{_q(version)}: Ingress is served as "
            f"{API_VERSION} only (extensions/v1beta1 and "
            "networking.k8s.io/v1beta1 were removed in "
            "Kubernetes 1.22); change the apiVersion and use "
            "pathType and backend.service.{name,port}",
        )
    spec = ing.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise _err(ing, origin, "spec", "Invalid value: expected a mapping")
    rules = spec.get("rules") or []
    if not isinstance(rules, list):
        raise _err(ing, origin, "spec.rules", "Invalid value: expected a list")
    if not rules and spec.get("defaultBackend") is None:
        raise _err(
            ing,
            origin,
            "spec",
            "Invalid value: null: either `defaultBackend` or `rules` must be specified",
        )
    if spec.get("defaultBackend") is not None:
        _check_backend(ing, origin, "spec.defaultBackend", spec["defaultBackend"])
    for i, rule in enumerate(rules):
        where = f"spec.rules[{i}]"
        if not isinstance(rule, Mapping):
            raise _err(
                ing,
                origin,
                where,
                "Invalid value: expected a mapping with host and http",
            )
        if rule.get("host"):
            _check_host(ing, origin, f"{where}.host", rule["host"])
        http = rule.get("http")
        if http is None:
            continue
        if not isinstance(http, Mapping):
            raise _err(
                ing,
                origin,
                f"{where}.http",
                "Invalid value: expected a mapping with paths",
            )
        paths = http.get("paths")
        if not paths:
            raise _err(ing, origin, f"{where}.http.paths", "Required value")
        if not isinstance(paths, list):
            raise _err(
                ing, origin, f"{where}.http.paths", "Invalid value: expected a list"
            )
        for j, item in enumerate(paths):
            _check_path(ing, origin, f"{where}.http.paths[{j}]", item)
    tls = spec.get("tls") or []
    if not isinstance(tls, list):
        raise _err(ing, origin, "spec.tls", "Invalid value: expected a list")
    for i, entry in enumerate(tls):
        if not isinstance(entry, Mapping):
            raise _err(
                ing,
                origin,
                f"spec.tls[{i}]",
                "Invalid value: expected a mapping with hosts and secretName",
            )
        for j, host in enumerate(entry.get("hosts") or []):
            _check_host(ing, origin, f"spec.tls[{i}].hosts[{j}]", host)
        secret = entry.get("secretName")
        if secret and (
            not isinstance(secret, str) or not _DNS1123_SUBDOMAIN.match(secret)
        ):
            raise _err(
                ing,
                origin,
                f"spec.tls[{i}].secretName",
                f"Invalid value: {_q(secret)}: {_SUBDOMAIN_MSG}",
            )
    class_name = spec.get("ingressClassName")
    if class_name is not None and (
        not isinstance(class_name, str) or not _DNS1123_SUBDOMAIN.match(class_name)
    ):
        raise _err(
            ing,
            origin,
            "spec.ingressClassName",
            f"Invalid value: {_q(class_name)}: {_SUBDOMAIN_MSG}",
        )


# --------------------------------------------------------------------------------------
# routing


@dataclass(frozen=True)
class _Path:
    order: tuple
    ingress: str
    rule: str
    host: str | None
    path: str
    path_type: str
    backend: Mapping


def _timestamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
    return None


def _make_backend(spec: Mapping, **where: Any) -> Backend:
    service = spec.get("service")
    if service is not None:
        port = service.get("port") or {}
        return Backend(
            service=service["name"],
            port=port.get("number") or port.get("name"),
            **where,
        )
    return Backend(service=None, port=None, resource=dict(spec["resource"]), **where)


class Router:
    """The routing table of a set of Ingresses, validated once; :meth:`route` answers
    requests.

    Parameters
    ----------
    objects
        Manifest dicts (what :func:`~ingress_egress.k8s.manifests.load_manifests`
        returns); objects that are not Ingresses are ignored, except IngressClass
        objects (for the default class).
    ingress_class
        Only use Ingresses of this class (see the module docstring); ``None`` uses them
        all.
    implementation_specific
        How ``ImplementationSpecific`` paths match: ``"string-prefix"`` (ingress-nginx),
        ``"prefix"`` or ``"exact"``.
    default_backend
        What a ``defaultBackend`` serves: ``"catches-all"`` (every request no rule
        matches, as the API reference says) or ``"catches-all-only-without-rules"``
        (ingress-nginx: the unmatched paths of the hosts its Ingress sets up; other
        hosts only when its Ingress has no rules, else the controller's 404).

    Attributes
    ----------
    ingresses : list[str]
        The Ingresses used, ``namespace/name``, in tie-break order (oldest first).
    skipped : dict[str, str]
        Ingresses left out because of their class, with the reason.
    """

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]],
        *,
        ingress_class: str | None = None,
        implementation_specific: str = "string-prefix",
        default_backend: str = "catches-all",
    ):
        if implementation_specific not in IMPLEMENTATION_SPECIFIC_MODES:
            raise ValueError(
                "implementation_specific must be one of "
                f"{IMPLEMENTATION_SPECIFIC_MODES}, got {implementation_specific!r}"
            )
        if default_backend not in DEFAULT_BACKEND_MODES:
            raise ValueError(
                "default_backend must be one of "
                f"{DEFAULT_BACKEND_MODES}, got {default_backend!r}"
            )
        self.ingress_class = ingress_class
        self.implementation_specific = implementation_specific
        self.default_backend = default_backend
        origin_of = getattr(
            objects, "origin", None
        )  # a Manifests knows the file and document of each object
        objects = list(objects)
        default_class = self._default_class(objects)
        chosen: list[tuple[tuple, Mapping]] = []
        self.skipped: dict[str, str] = {}
        for position, obj in enumerate(objects):
            if not isinstance(obj, Mapping) or obj.get("kind") != "Ingress":
                continue
            origin = origin_of(obj) if callable(origin_of) else None
            validate_ingress(obj, origin)
            meta = obj.get("metadata") or {}
            ref = f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
            cls = self._class_of(obj, default_class)
            if ingress_class is not None and cls != ingress_class:
                self.skipped[ref] = (
                    f"class {cls!r} is not {ingress_class!r}"
                    if cls
                    else "no ingress class"
                )
                continue
            stamp = _timestamp(meta.get("creationTimestamp"))
            key = (
                stamp is None,
                stamp or datetime.min.replace(tzinfo=timezone.utc),
                meta.get("namespace") or "default",
                str(meta.get("name")),
                position,
            )
            chosen.append((key, obj))
        chosen.sort(key=lambda pair: pair[0])
        self._objects = [obj for _, obj in chosen]
        self.ingresses = [self._ref(obj) for obj in self._objects]
        self._paths: list[_Path] = []
        self._hosts: dict[
            str | None, list[int]
        ] = {}  # rule host (None: no host) -> owning Ingress ranks
        for rank, obj in enumerate(self._objects):
            ref = self._ref(obj)
            for i, rule in enumerate((obj.get("spec") or {}).get("rules") or []):
                host = rule.get("host") or None
                owners = self._hosts.setdefault(host, [])
                if rank not in owners:
                    owners.append(rank)
                for j, item in enumerate(((rule.get("http") or {}).get("paths")) or []):
                    self._paths.append(
                        _Path(
                            order=(rank, i, j),
                            ingress=ref,
                            rule=f"spec.rules[{i}].http.paths[{j}]",
                            host=host,
                            path=item.get("path")
                            or (
                                "/"
                                if item["pathType"] == "ImplementationSpecific"
                                else ""
                            ),
                            path_type=item["pathType"],
                            backend=item["backend"],
                        )
                    )

    @staticmethod
    def _ref(obj: Mapping) -> str:
        meta = obj.get("metadata") or {}
        return f"{meta.get('namespace') or 'default'}/{meta.get('name')}"

    @staticmethod
    def _default_class(objects: Sequence[Mapping]) -> str | None:
        defaults = sorted(
            str((o.get("metadata") or {}).get("name"))
            for o in objects
            if isinstance(o, Mapping)
            and o.get("kind") == "IngressClass"
            and str(
                ((o.get("metadata") or {}).get("annotations") or {}).get(
                    DEFAULT_CLASS_ANNOTATION, ""
                )
            ).lower()
            == "true"
        )
        # Two defaults: the admission controller refuses class-less Ingresses, so none
        # gets a default.
        return defaults[0] if len(defaults) == 1 else None

    @staticmethod
    def _class_of(obj: Mapping, default_class: str | None) -> str | None:
        spec = obj.get("spec") or {}
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        return (
            spec.get("ingressClassName")
            or annotations.get(LEGACY_CLASS_ANNOTATION)
            or default_class
        )

    # -- the request side

    def _host_group(self, host: str | None) -> str | None | bool:
        """The rule host whose group serves ``host``: precise, else wildcard, else
        ``None`` (no-host rules); ``False`` when no group matches."""
        if host is not None and host in self._hosts:
            return host
        if host is not None and "." in host:
            first, _, rest = host.partition(".")
            wildcard = f"*.{rest}"
            if first and wildcard in self._hosts:
                return wildcard
        if None in self._hosts:
            return None
        return False

    def route(self, host: str | None, path: str) -> Backend | None:
        """The backend for a request to ``host`` (a Host header, port allowed) and
        ``path``; ``None`` is a 404.

        >>> from ingress_egress.k8s.manifests import load_manifests
        >>> router = Router(
        ...     load_manifests('''
        ... apiVersion: networking.k8s.io/v1
        ... kind: Ingress
        ... metadata: {name: fanout}
        ... spec:
        ...   rules:
        ...   - http:
        ...       paths:
        ...       - {path: /foo, pathType: Prefix,
        ...          backend: {service: {name: foo-prefix, port: {number: 8080}}}}
        ...       - {path: /foo, pathType: Exact,
        ...          backend: {service: {name: foo-exact, port: {number: 8080}}}}
        ... ''')
        ... )
        >>> (
        ...     router.route("any.example", "/foo").service,
        ...     router.route(None, "/foo/").service,
        ... )
        ('foo-exact', 'foo-prefix')
        >>> router.route("any.example", "/bar") is None
        True
        """
        request_path = _request_path(path)
        host = normalize_host(host)
        group = self._host_group(host)
        if group is not False:
            best: tuple | None = None
            for candidate in self._paths:
                if candidate.host != group:
                    continue
                if not path_matches(
                    candidate.path_type,
                    candidate.path,
                    request_path,
                    self.implementation_specific,
                ):
                    continue
                effective = _effective_type(
                    candidate.path_type, self.implementation_specific
                )
                key = (
                    -_match_length(effective, candidate.path),
                    -_TYPE_RANK[effective],
                    candidate.order,
                )
                if best is None or key < best[0]:
                    best = (key, candidate)
            if best is not None:
                c = best[1]
                return _make_backend(
                    c.backend,
                    rule_matched=True,
                    ingress=c.ingress,
                    rule=c.rule,
                    host=c.host,
                    path=c.path,
                    path_type=c.path_type,
                )
        return self._default_for(group)

    def _default_for(self, group: str | None | bool) -> Backend | None:
        """The default backend that serves an unmatched request in this host group
        (None: 404).
        """
        if self.default_backend == "catches-all":
            owners = self._hosts.get(group, []) if group is not False else []
            candidates = [*owners, *range(len(self._objects))]
        elif (
            group is not None and group is not False
        ):  # the server of a named host: its first Ingress
            candidates = self._hosts[group][:1]
        # the controller's default server: only an Ingress without rules catches it
        else:
            candidates = [
                rank
                for rank, obj in enumerate(self._objects)
                if not (obj.get("spec") or {}).get("rules")
            ]
        for rank in candidates:
            obj = self._objects[rank]
            default = (obj.get("spec") or {}).get("defaultBackend")
            if self.default_backend != "catches-all":
                if default is None or default.get("service") is None:
                    if group is not None and group is not False:
                        # the host's own Ingress has none: the controller's 404
                        return None
                    continue
            if default is not None:
                return _make_backend(
                    default,
                    rule_matched=False,
                    ingress=self._ref(obj),
                    rule="spec.defaultBackend",
                )
        return None

    def explain(self, host: str | None, path: str) -> str:
        """A sentence saying which backend serves the request and why, or why it is a
        404.
        """
        backend = self.route(host, path)
        if backend is not None and backend.rule_matched:
            return backend.explain(host, path)
        group = self._host_group(normalize_host(host))
        if group is False:
            why = (
                "no rule is for this host (precise or "
                "wildcard) and no rule is for every host"
            )
        else:
            named = (
                "rules without a host" if group is None else f"rules for host {group}"
            )
            why = (
                f"the request's host selects the {named}, and none of "
                f"their paths matches {_request_path(path)}"
            )
        if backend is not None:
            return (
                f"{host or ''}{path} -> {backend.target} (Ingress "
                f"{backend.ingress}, spec.defaultBackend): {why}"
            )
        if self.default_backend == "catches-all":
            return (
                f"{host or ''}{path} -> 404: {why}, and no Ingress has a defaultBackend"
            )
        if group is not None and group is not False:
            owner = self._ref(self._objects[self._hosts[group][0]])
            return (
                f"{host or ''}{path} -> 404: {why}, and Ingress {owner}, which sets up "
                "this host, has no Service defaultBackend"
            )
        return (
            f"{host or ''}{path} -> 404 from the controller's default server: {why}, "
            "and no Ingress without rules has a Service defaultBackend"
        )

    def table(
        self, requests: Iterable[tuple[str | None, str]] | pd.DataFrame
    ) -> pd.DataFrame:
        """Route many requests; one row each, in the order given.

        ``requests`` are ``(host, path)`` pairs or a DataFrame with ``host`` and
        ``path`` columns. Columns: ``host``, ``path``, ``backend`` (``service:port``, a
        resource, or ``404``), ``service``, ``port``, ``rule_matched``, ``ingress``,
        ``rule``, ``rule_host``, ``rule_path``, ``path_type``.
        """
        if isinstance(requests, pd.DataFrame):
            pairs = list(zip(requests["host"], requests["path"]))
        else:
            pairs = [tuple(r) for r in requests]
        rows = []
        for host, path in pairs:
            b = self.route(host, path)
            rows.append(
                {
                    "host": host,
                    "path": path,
                    "backend": "404" if b is None else b.target,
                    "service": None if b is None else b.service,
                    "port": None if b is None else b.port,
                    "rule_matched": False if b is None else b.rule_matched,
                    "ingress": None if b is None else b.ingress,
                    "rule": None if b is None else b.rule,
                    "rule_host": None if b is None else b.host,
                    "rule_path": None if b is None else b.path,
                    "path_type": None if b is None else b.path_type,
                }
            )
        columns = [
            "host",
            "path",
            "backend",
            "service",
            "port",
            "rule_matched",
            "ingress",
            "rule",
            "rule_host",
            "rule_path",
            "path_type",
        ]
        frame = pd.DataFrame(
            rows, columns=columns, dtype=object
        )  # object: missing values stay None
        return frame.astype({"rule_matched": bool})

    def rules(self) -> pd.DataFrame:
        """Every path rule and default backend, one row each, in tie-break order.

        Columns: ``ingress``, ``host`` (``*`` for rules without a host; ``None`` for a
        default backend), ``path``, ``path_type``, ``backend`` (``service:port`` or
        ``Kind name``), ``service``, ``port``, ``field``.
        """
        rows = []
        for rank, obj in enumerate(self._objects):
            default = (obj.get("spec") or {}).get("defaultBackend")
            if default is not None:
                b = _make_backend(
                    default,
                    rule_matched=False,
                    ingress=self._ref(obj),
                    rule="spec.defaultBackend",
                )
                rows.append(
                    {
                        "ingress": b.ingress,
                        "host": None,
                        "path": None,
                        "path_type": None,
                        "backend": b.target,
                        "service": b.service,
                        "port": b.port,
                        "field": "spec.defaultBackend",
                    }
                )
            for c in (p for p in self._paths if p.order[0] == rank):
                b = _make_backend(c.backend)
                rows.append(
                    {
                        "ingress": c.ingress,
                        "host": c.host or "*",
                        "path": c.path,
                        "path_type": c.path_type,
                        "backend": b.target,
                        "service": b.service,
                        "port": b.port,
                        "field": c.rule,
                    }
                )
        columns = [
            "ingress",
            "host",
            "path",
            "path_type",
            "backend",
            "service",
            "port",
            "field",
        ]
        return pd.DataFrame(rows, columns=columns, dtype=object)

    def tls_secret(self, host: str | None) -> str | None:
        """The TLS Secret (``namespace/name``) the controller presents for this SNI
        host, or ``None``.

        The first TLS entry (in tie-break order: the oldest Ingress first, as
        ingress-nginx does) whose hosts include the host (precise, or a single-label
        wildcard) wins; an entry without ``hosts`` covers any host, after the others.
        Without a Secret the controller falls back to its own default certificate.
        """
        host = normalize_host(host)
        fallback = None
        for obj in self._objects:
            namespace = self._ref(obj).split("/", 1)[0]
            for entry in (obj.get("spec") or {}).get("tls") or []:
                secret = entry.get("secretName")
                if not secret:
                    continue
                hosts = entry.get("hosts") or []
                if not hosts and fallback is None:
                    fallback = f"{namespace}/{secret}"
                if any(
                    h == host or (h.startswith("*.") and host_matches(h, host))
                    for h in hosts
                ):
                    return f"{namespace}/{secret}"
        return fallback


def _request_path(path: str) -> str:
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"request path must start with '/', got {path!r}")
    for mark in ("?", "#"):
        path = path.split(mark, 1)[0]
    return path


def route(
    objects: Iterable[Mapping[str, Any]],
    host: str | None,
    path: str,
    *,
    ingress_class: str | None = None,
    implementation_specific: str = "string-prefix",
    default_backend: str = "catches-all",
) -> Backend | None:
    """The backend that serves a request to ``host`` and ``path``, or ``None`` for a
    404.

    ``objects`` are manifest dicts (Ingresses among them, ``networking.k8s.io/v1``).
    ``host`` is the request's Host header (a port in it is ignored; ``None`` or ``""``
    for a request without one). See the module docstring for the rules and the choices
    made where the specification leaves them open; :class:`Router` validates once and
    routes many requests.

    >>> ing = {
    ...     "apiVersion": "networking.k8s.io/v1",
    ...     "kind": "Ingress",
    ...     "metadata": {"name": "w"},
    ...     "spec": {
    ...         "rules": [
    ...             {
    ...                 "host": "*.foo.com",
    ...                 "http": {
    ...                     "paths": [
    ...                         {
    ...                             "path": "/",
    ...                             "pathType": "Prefix",
    ...                             "backend": {
    ...                                 "service": {
    ...                                     "name": "wild",
    ...                                     "port": {"name": "http"},
    ...                                 }
    ...                             },
    ...                         }
    ...                     ]
    ...                 },
    ...             }
    ...         ]
    ...     },
    ... }
    >>> route([ing], "bar.foo.com", "/").target, route([ing], "baz.bar.foo.com", "/")
    ('wild:http', None)
    """
    router = Router(
        objects,
        ingress_class=ingress_class,
        implementation_specific=implementation_specific,
        default_backend=default_backend,
    )
    return router.route(host, path)
