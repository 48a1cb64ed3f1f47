"""Gateway API: which backend serves an HTTP request that enters the cluster through a
Gateway.

The Gateway API (group ``gateway.networking.k8s.io``) splits what an Ingress holds in
one object between the people who own each part:

- a **GatewayClass** names the controller that implements it (``spec.controllerName``);
- a **Gateway**, owned by the cluster operator, has *listeners*: a port, a protocol
  (HTTP, HTTPS), an optional hostname, the TLS certificate, and ``allowedRoutes`` (which
  namespaces and kinds of route may attach);
- an **HTTPRoute**, owned by an application team, attaches to a Gateway
  (``spec.parentRefs``), names hostnames and has rules: matches (path, headers, query
  parameters, method), filters (redirect, rewrite, ...) and ``backendRefs`` (Services,
  with weights);
- a **ReferenceGrant** in a namespace lets objects of another namespace refer to its
  Services (or Secrets): without one, a cross-namespace ``backendRef`` is refused.

:class:`GatewayRouter` plays a conformant implementation for one request at a time:
``route(host, path, ...)`` returns a :class:`Response` (status, backend, the weighted
candidates, the route, a redirect's ``Location``, the path after a rewrite) and
``explain(...)`` says why. :func:`ingress_to_gateway` translates Ingresses into a
Gateway and HTTPRoutes, with a warning for everything that does not carry over as it is.

Semantics follow, in this order, ``apis/v1`` of kubernetes-sigs/gateway-api
(``httproute_types.go``, ``gateway_types.go``, ``shared_types.go``,
``object_reference_types.go``, ``referencegrant_types.go``: field comments, kubebuilder
defaults and validation markers, CEL rules), the concept page *Hostnames*
(``site-src/concepts/hostnames.md``) and the conformance tests
(``conformance/tests/httproute-*.go``), all read 2026-12-02:

Listeners (``gateway_types.go``, Listener and GatewaySpec.Listeners)
    A listener's hostname is precise (``shop.example.com``), a wildcard
    (``*.example.com``) or absent (any host). **A wildcard matches one or more DNS
    labels** (``foo.example.com`` and ``a.b.example.com``) but not the apex
    ``example.com``: unlike an Ingress host, whose ``*`` is exactly one label. Of the
    listeners on the request's port that match its host, the most specific takes it: a
    precise hostname, then the wildcard with the most labels after the ``*``, then a
    listener without hostname; the request is then routed only with the routes attached
    to that listener ("listener isolation": a *should* in the API, tested as the
    extended feature ``GatewayHTTPListenerIsolation``). No listener for the host: 404.
    An HTTPS request is taken to name the same host in its SNI and its ``Host`` header.
Attachment (``shared_types.go``, ParentReference; ``gateway_types.go``, AllowedRoutes)
    Each ``parentRefs`` entry names a Gateway (``sectionName``: one listener by name;
    ``port``: the listeners on that port). A listener accepts the route if its
    ``allowedRoutes.namespaces.from`` allows the route's namespace (``Same``, the
    default; ``All``; ``Selector`` on the namespace's labels) and its kinds include
    HTTPRoute (by default HTTP and HTTPS listeners take HTTPRoutes), and if the
    hostnames intersect: the route's hostnames that do not match the listener's are
    ignored, and a route none of whose hostnames intersects is not accepted. A route
    that attaches nowhere gets ``Accepted=False`` with the reason upstream defines:
    ``NoMatchingParent`` (no listener with that sectionName/port),
    ``NotAllowedByListeners`` (namespace or kind), or ``NoMatchingListenerHostname``.
Matching (``httproute_types.go``, HTTPRouteMatch and friends)
    A rule matches if *any* of its matches does; a match is the AND of its path,
    headers, query parameters and method. No matches means ``PathPrefix /`` (the CRD
    default), and so does a match without path. ``Exact`` compares the whole path;
    ``PathPrefix`` compares ``/``-separated elements and ignores a trailing slash,
    exactly as the Ingress ``Prefix`` (the same element splitting as
    :func:`~ingress_egress.k8s.ingress.path_matches`, against which the benchmark checks
    the router's path index); ``RegularExpression`` is *implementation-specific*: here
    Python's :mod:`re`, matched against the whole path. Header names are
    case-insensitive, values case-sensitive; query parameter names and values are
    case-sensitive, and of a repeated parameter the first value counts (the recommended
    behaviour). The request's ``Host`` may carry a port, which is ignored.
Precedence (``httproute_types.go``, the comment on HTTPRouteRule.Matches)
    Across all rules of the routes that match the request's host: an ``Exact`` path
    match, then the ``PathPrefix`` with the most characters, then a method match, the
    most header matches, the most query parameter matches; then the route with the more
    specific matching hostname (most characters in a matching precise hostname, then in
    a matching hostname; the HTTPRoute.Hostnames comment), then the oldest route
    (``metadata.creationTimestamp``; routes without one come last), then
    ``namespace/name`` in alphabetical order, then the first rule and match. The
    Hostnames comment lists the hostname criterion without saying where it sits; the
    conformance test ``HTTPRouteMatchingAcrossRoutes`` (``example.com/v2`` goes to the
    ``*.com`` route's ``/v2``, not to the ``example.com`` route's ``/``) shows the match
    criteria come first, so the hostname only breaks their ties. ``RegularExpression``
    matches rank after every Exact and PathPrefix match here (their precedence is
    implementation-specific).
Backends (``httproute_types.go``, HTTPRouteRule.BackendRefs and HTTPBackendRef)
    ``weight`` defaults to 1; 0 means no traffic. A backendRef is invalid if its kind is
    not a core Service (``InvalidKind``), if it crosses namespaces without a
    ReferenceGrant (``RefNotPermitted``), or if the Service (or its port) is not among
    the objects (``BackendNotFound``; the port check is what implementations such as
    kgateway and Kuma do, the specification does not name that case). Requests the
    weights send to an invalid backend get 500; if no valid backend has a weight above 0
    (all invalid, all weights 0, or no backendRefs at all), every request matching the
    rule gets 500 (conformance ``HTTPRouteAllBackendsWeightZero``).
    :attr:`Response.backend` is the valid backend with the highest weight (ties: the
    first listed).
Filters (``httproute_types.go``: the filter types and HTTPPathModifier)
    ``RequestRedirect`` answers 3xx (``statusCode`` 302 by default) with a ``Location``
    made of the scheme (the request's unless set), the hostname (the request's unless
    set), the port (set; else 80 or 443 when the scheme is set; else the listener's
    port; 80 with http and 443 with https are left out) and the path
    (``ReplaceFullPath`` or ``ReplacePrefixMatch``; the query string is kept, which the
    specification does not address). ``URLRewrite`` changes the path (and ``Host``) sent
    to the backend. Other filters (header modifiers, mirrors, CORS) are accepted and
    listed by :meth:`GatewayRouter.explain` but do not change the routing; an
    ``ExtensionRef`` filter cannot be resolved here, so its requests get 500, as the
    specification requires for an unresolved filter.

Validation follows the CRDs (OpenAPI schema, defaults and CEL rules): an invalid object
raises :class:`~ingress_egress.k8s.manifests.ManifestError` naming the file, document,
object and field path, worded as the API server words it. What the API server accepts
but a controller would not program (an HTTPS listener without certificate, a certificate
in another namespace without a ReferenceGrant) leaves that listener out of the routing,
and :meth:`GatewayRouter.listeners` says why.

Examples
--------
>>> from ingress_egress.k8s.manifests import load_manifests
>>> objects = load_manifests('''
... apiVersion: gateway.networking.k8s.io/v1
... kind: Gateway
... metadata: {name: web, namespace: shop}
... spec:
...   gatewayClassName: example
...   listeners:
...   - {name: http, port: 80, protocol: HTTP, hostname: "*.example.com"}
... ---
... apiVersion: gateway.networking.k8s.io/v1
... kind: HTTPRoute
... metadata: {name: store, namespace: shop}
... spec:
...   parentRefs: [{name: web}]
...   rules:
...   - backendRefs: [{name: frontend, port: 80}]
...   - matches: [{path: {type: PathPrefix, value: /api}}]
...     backendRefs: [{name: api, port: 8080}]
... ---
... apiVersion: v1
... kind: Service
... metadata: {name: frontend, namespace: shop}
... spec: {ports: [{port: 80}]}
... ''')
>>> router = GatewayRouter(objects)
>>> response = router.route("eu.shop.example.com", "/api/cart")
>>> response.status, response.route, response.backends
(500, 'shop/store', [('shop/api:8080', 1)])
>>> router.route("shop.example.com", "/apiary").backend
'shop/frontend:80'
>>> router.route("example.com", "/").status
404
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from .ingress import (
    LEGACY_CLASS_ANNOTATION,
    _elements,
    _timestamp,
    normalize_host,
    validate_ingress,
)
from .manifests import GATEWAY_API_KINDS, ManifestError, object_ref
from .networkpolicy import (
    NAMESPACE_NAME_LABEL,
    _go_value,
    _validate_selector,
    parse_label_selector,
)

__all__ = [
    "GROUP",
    "Attachment",
    "GatewayRouter",
    "Listener",
    "MigrationWarning",
    "Response",
    "compare_with_ingress",
    "hostname_matches",
    "hostnames_intersect",
    "ingress_to_gateway",
    "replace_prefix",
    "validate_gateway_api_object",
]

GROUP = "gateway.networking.k8s.io"
SERVED_VERSIONS = (f"{GROUP}/v1", f"{GROUP}/v1beta1")
"""The versions read here for GatewayClass, Gateway and HTTPRoute (v1beta1 is deprecated
upstream).
"""
REFERENCE_GRANT_VERSIONS = (f"{GROUP}/v1beta1", f"{GROUP}/v1")
"""ReferenceGrant is served as v1beta1 (standard channel since v0.6.0); newer releases
add v1.
"""

PATH_MATCH_TYPES = ("Exact", "PathPrefix", "RegularExpression")
VALUE_MATCH_TYPES = ("Exact", "RegularExpression")
METHODS = (
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "CONNECT",
    "OPTIONS",
    "TRACE",
    "PATCH",
)
FILTER_TYPES = (
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestMirror",
    "RequestRedirect",
    "URLRewrite",
    "ExtensionRef",
    "CORS",
)
_FILTER_FIELDS = {
    "RequestHeaderModifier": "requestHeaderModifier",
    "ResponseHeaderModifier": "responseHeaderModifier",
    "RequestMirror": "requestMirror",
    "RequestRedirect": "requestRedirect",
    "URLRewrite": "urlRewrite",
    "ExtensionRef": "extensionRef",
    "CORS": "cors",
}
_NOT_REPEATED = (
    "CORS",
    "RequestHeaderModifier",
    "ResponseHeaderModifier",
    "RequestRedirect",
    "URLRewrite",
)
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_WEIGHT = 1_000_000
WELL_KNOWN_PORTS = {"http": 80, "https": 443}

# Patterns of the CRD schema (shared_types.go, gateway_types.go, httproute_types.go).
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(\*\.)?{_LABEL}(\.{_LABEL})*$")
_PRECISE_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
_SECTION_NAME = _PRECISE_HOSTNAME
_NAMESPACE = re.compile(rf"^{_LABEL}$")
_GROUP = re.compile(rf"^$|^{_LABEL}(\.{_LABEL})*$")
_KIND = re.compile(r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$")
_PATH_CHARS = re.compile(r"^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$")
_PROTOCOL = re.compile(
    rf"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|{_LABEL}(\.{_LABEL})*\/[A-Za-z0-9]+$"
)
_CONTROLLER = re.compile(rf"^{_LABEL}(\.{_LABEL})*\/[A-Za-z0-9\/\-._~%!$&'()*+,;=:]+$")
_HOSTNAME_PATTERN = (
    r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_PRECISE_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_PATH_ONLY = ("Exact", "PathPrefix")
_TYPES_MSG = "when type one of ['Exact', 'PathPrefix']"

# Accepted-condition reasons (shared_types.go) and ResolvedRefs reasons for backendRefs.
ACCEPTED = "Accepted"
NOT_ALLOWED_BY_LISTENERS = "NotAllowedByListeners"
NO_MATCHING_LISTENER_HOSTNAME = "NoMatchingListenerHostname"
NO_MATCHING_PARENT = "NoMatchingParent"
INVALID_KIND = "InvalidKind"
REF_NOT_PERMITTED = "RefNotPermitted"
BACKEND_NOT_FOUND = "BackendNotFound"


# --------------------------------------------------------------------------------------
# hostnames


def hostname_matches(pattern: str | None, host: str | None) -> bool:
    """Does a Gateway API hostname (precise, ``*.`` wildcard, or ``None`` for any) match
    a request host?

    The wildcard stands for *one or more* labels (``site-src/concepts/hostnames.md``),
    not exactly one as in an Ingress; it never matches the apex.

    >>> [
    ...     hostname_matches("*.example.com", h)
    ...     for h in ("foo.example.com", "a.b.example.com", "example.com")
    ... ]
    [True, True, False]
    >>> (
    ...     hostname_matches(None, "anything.example"),
    ...     hostname_matches("shop.example.com", "shop.example.com"),
    ... )
    (True, True)
    """
    if pattern is None:
        return True
    if host is None:
        return False
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return pattern == host


def hostnames_intersect(first: str | None, second: str | None) -> bool:
    """Do a listener's and a route's hostnames intersect (``None`` is ``*``, any host)?

    The table of ``site-src/concepts/hostnames.md``: two precise names must be equal, a
    wildcard intersects the names it matches, two wildcards intersect when one's suffix
    ends the other's.

    >>> (
    ...     hostnames_intersect("*.example.com", "sub.domain.example.com"),
    ...     hostnames_intersect("*.com", "*.example.com"),
    ... )
    (True, True)
    >>> (
    ...     hostnames_intersect("www.example.com", "*.example.net"),
    ...     hostnames_intersect(None, "www.example.com"),
    ... )
    (False, True)
    """
    if first is None or second is None or first == second:
        return True
    first_wild, second_wild = first.startswith("*."), second.startswith("*.")
    if first_wild and second_wild:
        return first[1:].endswith(second[1:]) or second[1:].endswith(first[1:])
    if first_wild:
        return hostname_matches(first, second)
    return second_wild and hostname_matches(second, first)


def _listener_rank(hostname: str | None) -> tuple[int, int]:
    """Smaller is more specific: precise, then wildcards by labels after the ``*``, then
    no hostname.
    """
    if hostname is None:
        return (2, 0)
    if hostname.startswith("*."):
        return (1, -hostname.count("."))
    return (0, 0)


def _hostname_key(pattern: str | None) -> tuple[int, int]:
    """Route precedence by hostname (HTTPRoute.Hostnames): characters of a matching
    precise name, then of a matching name; negated so that smaller sorts first."""
    if pattern is None:
        return (0, 0)
    return (0 if pattern.startswith("*.") else -len(pattern), -len(pattern))


def replace_prefix(path: str, prefix: str, replacement: str) -> str:
    """``ReplacePrefixMatch``: swap the matched ``PathPrefix`` for ``replacement``,
    element-wise.

    Reproduces the table in the HTTPPathModifier.ReplacePrefixMatch comment
    (``httproute_types.go``).

    >>> (
    ...     replace_prefix("/foo/bar", "/foo/", "/xyz/"),
    ...     replace_prefix("/foo/", "/foo", "/xyz"),
    ... )
    ('/xyz/bar', '/xyz/')
    >>> replace_prefix("/foo/bar", "/foo", ""), replace_prefix("/foo", "/foo", "/")
    ('/bar', '/')
    """
    stem = prefix.rstrip("/")
    rest = path[len(stem) :] if path.startswith(stem) else path
    result = replacement.rstrip("/") + rest
    return result or "/"


# --------------------------------------------------------------------------------------
# validation


class _Check:
    """Raise a :class:`ManifestError` for one object, in the API server's words."""

    def __init__(self, obj: Mapping[str, Any], origin: str | None):
        self.obj, self.origin = obj, origin

    def fail(self, field_path: str, detail: str) -> None:
        raise ManifestError(
            detail, origin=self.origin, ref=object_ref(self.obj), field=field_path
        )

    def required(self, field_path: str) -> None:
        self.fail(field_path, "Required value")

    def invalid(self, field_path: str, value: Any, detail: str) -> None:
        self.fail(field_path, f"Invalid value: {_go_value(_short(value))}: {detail}")

    def cel(self, field_path: str, message: str) -> None:
        """A CEL rule's refusal: the API server names the object as "object" and quotes
        the rule's message.
        """
        self.fail(field_path, f'Invalid value: "object": {message}')

    def unsupported(
        self, field_path: str, value: Any, supported: Sequence[Any]
    ) -> None:
        values = ", ".join(_go_value(s) for s in supported)
        self.fail(
            field_path,
            f"Unsupported value: {_go_value(_short(value))}: "
            f"supported values: {values}",
        )

    def mapping(
        self, field_path: str, value: Any, *, required: bool = False
    ) -> Mapping:
        if value is None:
            if required:
                self.required(field_path)
            return {}
        if not isinstance(value, Mapping):
            self.invalid(field_path, value, "expected a mapping")
        return value

    def array(
        self,
        field_path: str,
        value: Any,
        *,
        min_items: int = 0,
        max_items: int | None = None,
        required: bool = False,
    ) -> list:
        if value is None:
            if required:
                self.required(field_path)
            return []
        if not isinstance(value, list):
            self.invalid(field_path, value, "expected a list")
        if len(value) < min_items:
            self.invalid(
                field_path,
                len(value),
                f"{field_path} in body should have at least {min_items} items",
            )
        if max_items is not None and len(value) > max_items:
            self.fail(
                field_path,
                f"Too many: {len(value)}: must have at most {max_items} items",
            )
        return value

    def string(
        self,
        field_path: str,
        value: Any,
        *,
        pattern: re.Pattern | None = None,
        pattern_text: str = "",
        min_length: int = 1,
        max_length: int | None = None,
        required: bool = False,
    ) -> str | None:
        if value is None:
            if required:
                self.required(field_path)
            return None
        if not isinstance(value, str):
            self.invalid(field_path, value, "expected a string")
        if len(value) < min_length:
            if required and not value:
                self.required(field_path)
            self.invalid(
                field_path,
                value,
                f"{field_path} in body should be at least {min_length} chars long",
            )
        if max_length is not None and len(value) > max_length:
            self.fail(field_path, f"Too long: may not be more than {max_length} bytes")
        if pattern is not None and not pattern.search(value):
            self.invalid(
                field_path,
                value,
                f"{field_path} in body should match "
                f"'{pattern_text or pattern.pattern}'",
            )
        return value

    def integer(
        self,
        field_path: str,
        value: Any,
        low: int,
        high: int,
        *,
        required: bool = False,
    ) -> int | None:
        if value is None:
            if required:
                self.required(field_path)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.invalid(
                field_path, value, "expected an integer (write it without quotes)"
            )
        if value < low:
            self.invalid(
                field_path,
                value,
                f"{field_path} in body should be greater than or equal to {low}",
            )
        if value > high:
            self.invalid(
                field_path,
                value,
                f"{field_path} in body should be less than or equal to {high}",
            )
        return value

    def enum(self, field_path: str, value: Any, allowed: Sequence[Any]) -> Any:
        if value is not None and (value not in allowed or isinstance(value, bool)):
            self.unsupported(field_path, value, allowed)
        return value


def _short(value: Any) -> Any:
    """A value as an error message may show it: containers are summarised."""
    if isinstance(value, (Mapping, list)):
        return "object" if isinstance(value, Mapping) else "array"
    return value


def _check_version(check: _Check, kind: str, versions: Sequence[str]) -> None:
    version = check.obj.get("apiVersion")
    if version not in versions:
        check.fail(
            "apiVersion",
            f'no matches for kind "{kind}" in version "{version}": '
            f"this model reads {' and '.join(versions)}",
        )


def _check_object_reference(
    check: _Check, path: str, ref: Any, *, name_required: bool = True
) -> Mapping:
    ref = check.mapping(path, ref, required=True)
    check.string(
        f"{path}.group", ref.get("group"), pattern=_GROUP, min_length=0, max_length=253
    )
    check.string(f"{path}.kind", ref.get("kind"), pattern=_KIND, max_length=63)
    check.string(
        f"{path}.namespace", ref.get("namespace"), pattern=_NAMESPACE, max_length=63
    )
    check.string(
        f"{path}.name", ref.get("name"), max_length=253, required=name_required
    )
    return ref


def _validate_gateway_class(check: _Check) -> None:
    _check_version(check, "GatewayClass", SERVED_VERSIONS)
    spec = check.mapping("spec", check.obj.get("spec"), required=True)
    check.string(
        "spec.controllerName",
        spec.get("controllerName"),
        pattern=_CONTROLLER,
        max_length=253,
        required=True,
    )


def _validate_gateway(check: _Check) -> None:
    _check_version(check, "Gateway", SERVED_VERSIONS)
    spec = check.mapping("spec", check.obj.get("spec"), required=True)
    check.string(
        "spec.gatewayClassName",
        spec.get("gatewayClassName"),
        max_length=253,
        required=True,
    )
    listeners = check.array(
        "spec.listeners",
        spec.get("listeners"),
        min_items=1,
        max_items=64,
        required=True,
    )
    for i, listener in enumerate(listeners):
        path = f"spec.listeners[{i}]"
        listener = check.mapping(path, listener, required=True)
        check.string(
            f"{path}.name",
            listener.get("name"),
            pattern=_SECTION_NAME,
            max_length=253,
            required=True,
        )
        check.string(
            f"{path}.hostname",
            listener.get("hostname"),
            pattern=_HOSTNAME,
            pattern_text=_HOSTNAME_PATTERN,
            max_length=253,
        )
        check.integer(f"{path}.port", listener.get("port"), 1, 65535, required=True)
        check.string(
            f"{path}.protocol",
            listener.get("protocol"),
            pattern=_PROTOCOL,
            max_length=255,
            required=True,
        )
        tls = check.mapping(f"{path}.tls", listener.get("tls"))
        if tls:
            check.enum(
                f"{path}.tls.mode", tls.get("mode"), ("Terminate", "Passthrough")
            )
            refs = check.array(
                f"{path}.tls.certificateRefs", tls.get("certificateRefs"), max_items=64
            )
            for j, ref in enumerate(refs):
                _check_object_reference(check, f"{path}.tls.certificateRefs[{j}]", ref)
            if (
                (tls.get("mode") or "Terminate") == "Terminate"
                and not refs
                and not tls.get("options")
            ):
                check.cel(
                    f"{path}.tls",
                    "certificateRefs or options must be "
                    "specified when mode is Terminate",
                )
        allowed = check.mapping(f"{path}.allowedRoutes", listener.get("allowedRoutes"))
        namespaces = check.mapping(
            f"{path}.allowedRoutes.namespaces", allowed.get("namespaces")
        )
        check.enum(
            f"{path}.allowedRoutes.namespaces.from",
            namespaces.get("from"),
            ("All", "Selector", "Same"),
        )
        if namespaces.get("selector") is not None:
            errors: list = []
            _validate_selector(
                namespaces["selector"],
                f"{path}.allowedRoutes.namespaces.selector",
                errors,
            )
            if errors:
                check.fail(errors[0].field, errors[0].body)
        kinds = check.array(
            f"{path}.allowedRoutes.kinds", allowed.get("kinds"), max_items=8
        )
        for j, kind in enumerate(kinds):
            kind = check.mapping(
                f"{path}.allowedRoutes.kinds[{j}]", kind, required=True
            )
            check.string(
                f"{path}.allowedRoutes.kinds[{j}].group",
                kind.get("group"),
                pattern=_GROUP,
                min_length=0,
            )
            check.string(
                f"{path}.allowedRoutes.kinds[{j}].kind",
                kind.get("kind"),
                pattern=_KIND,
                max_length=63,
                required=True,
            )
    # The CEL rules on spec.listeners, in the order gateway_types.go lists them.
    protocols = [str(listener.get("protocol")).upper() for listener in listeners]
    for listener, protocol in zip(listeners, protocols):
        if protocol in ("HTTP", "TCP", "UDP") and "tls" in listener:
            check.cel(
                "spec.listeners",
                "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']",
            )
        if (
            protocol == "HTTPS"
            and listener.get("tls")
            and (listener["tls"].get("mode") or "Terminate") != "Terminate"
        ):
            check.cel("spec.listeners", "tls mode must be Terminate for protocol HTTPS")
        if protocol == "TLS" and not (listener.get("tls") or {}).get("mode"):
            check.cel("spec.listeners", "tls mode must be set for protocol TLS")
        if protocol in ("TCP", "UDP") and listener.get("hostname"):
            check.cel(
                "spec.listeners",
                "hostname must not be specified for protocols ['TCP', 'UDP']",
            )
    names = [listener.get("name") for listener in listeners]
    if len(set(names)) != len(names):
        check.cel("spec.listeners", "Listener name must be unique within the Gateway")
    combos = [
        (listener.get("port"), listener.get("protocol"), listener.get("hostname"))
        for listener in listeners
    ]
    if len(set(combos)) != len(combos):
        check.cel(
            "spec.listeners",
            "Combination of port, protocol and hostname "
            "must be unique for each listener",
        )


def _validate_path_modifier(check: _Check, path: str, modifier: Any) -> None:
    modifier = check.mapping(path, modifier)
    if not modifier:
        return
    kind = modifier.get("type")
    if kind is None:
        check.required(f"{path}.type")
    check.enum(f"{path}.type", kind, ("ReplaceFullPath", "ReplacePrefixMatch"))
    for value_field, name in (
        ("replaceFullPath", "ReplaceFullPath"),
        ("replacePrefixMatch", "ReplacePrefixMatch"),
    ):
        check.string(
            f"{path}.{value_field}",
            modifier.get(value_field),
            min_length=0,
            max_length=1024,
        )
        if kind == name and value_field not in modifier:
            check.cel(
                path, f"{value_field} must be specified when type is set to '{name}'"
            )
        if value_field in modifier and kind != name:
            check.cel(path, f"type must be '{name}' when {value_field} is set")


def _validate_filters(check: _Check, path: str, filters: Any) -> list:
    filters = check.array(path, filters, max_items=16)
    for i, item in enumerate(filters):
        fpath = f"{path}[{i}]"
        item = check.mapping(fpath, item, required=True)
        kind = item.get("type")
        if kind is None:
            check.required(f"{fpath}.type")
        check.enum(f"{fpath}.type", kind, FILTER_TYPES)
        for name, field_name in _FILTER_FIELDS.items():
            if field_name in item and kind != name:
                check.cel(
                    fpath,
                    f"filter.{field_name} must be nil if the filter.type is not {name}",
                )
            if field_name not in item and kind == name:
                check.cel(
                    fpath,
                    f"filter.{field_name} must be specified for {name} filter.type",
                )
        if kind == "RequestRedirect":
            redirect = check.mapping(
                f"{fpath}.requestRedirect", item["requestRedirect"], required=True
            )
            check.enum(
                f"{fpath}.requestRedirect.scheme",
                redirect.get("scheme"),
                ("http", "https"),
            )
            check.string(
                f"{fpath}.requestRedirect.hostname",
                redirect.get("hostname"),
                pattern=_PRECISE_HOSTNAME,
                pattern_text=_PRECISE_PATTERN,
                max_length=253,
            )
            _validate_path_modifier(
                check, f"{fpath}.requestRedirect.path", redirect.get("path")
            )
            check.integer(
                f"{fpath}.requestRedirect.port", redirect.get("port"), 1, 65535
            )
            check.enum(
                f"{fpath}.requestRedirect.statusCode",
                redirect.get("statusCode"),
                REDIRECT_CODES,
            )
        elif kind == "URLRewrite":
            rewrite = check.mapping(
                f"{fpath}.urlRewrite", item["urlRewrite"], required=True
            )
            check.string(
                f"{fpath}.urlRewrite.hostname",
                rewrite.get("hostname"),
                pattern=_PRECISE_HOSTNAME,
                pattern_text=_PRECISE_PATTERN,
                max_length=253,
            )
            _validate_path_modifier(
                check, f"{fpath}.urlRewrite.path", rewrite.get("path")
            )
        elif kind == "ExtensionRef":
            ref = check.mapping(
                f"{fpath}.extensionRef", item["extensionRef"], required=True
            )
            check.string(
                f"{fpath}.extensionRef.kind",
                ref.get("kind"),
                pattern=_KIND,
                required=True,
            )
            check.string(f"{fpath}.extensionRef.name", ref.get("name"), required=True)
    kinds = [item.get("type") for item in filters]
    if "RequestRedirect" in kinds and "URLRewrite" in kinds:
        check.cel(
            path,
            "May specify either httpRouteFilterRequestRedirect or "
            "httpRouteFilterRequestRewrite, but not both",
        )
    for name in _NOT_REPEATED:
        if kinds.count(name) > 1:
            check.cel(path, f"{name} filter cannot be repeated")
    return filters


def _replaces_prefix(filters: Sequence[Mapping], filter_field: str) -> bool:
    for item in filters:
        modifier = (item.get(filter_field) or {}).get("path") or {}
        if (
            modifier.get("type") == "ReplacePrefixMatch"
            and "replacePrefixMatch" in modifier
        ):
            return True
    return False


def _validate_value_matches(
    check: _Check, path: str, items: Any, max_value: int
) -> None:
    items = check.array(path, items, max_items=16)
    seen: set[str] = set()
    for i, item in enumerate(items):
        ipath = f"{path}[{i}]"
        item = check.mapping(ipath, item, required=True)
        name = check.string(
            f"{ipath}.name",
            item.get("name"),
            pattern=_HEADER_NAME,
            max_length=256,
            required=True,
        )
        check.string(
            f"{ipath}.value", item.get("value"), max_length=max_value, required=True
        )
        check.enum(f"{ipath}.type", item.get("type"), VALUE_MATCH_TYPES)
        if (
            name in seen
            # listType=map, listMapKey=name: the API server refuses an exact duplicate
            # key
        ):
            check.fail(
                f"{ipath}",
                "Duplicate value: map[string]interface "
                f'{{}}{{"name":{_go_value(name)}}}',
            )
        seen.add(name)
        if item.get("type") == "RegularExpression":
            _compile(check, f"{ipath}.value", item["value"])


def _compile(check: _Check, path: str, pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as error:
        check.invalid(
            path,
            pattern,
            f"not a regular expression this model can read (Python re: {error})",
        )
        raise AssertionError("unreachable") from None


def _validate_match(check: _Check, path: str, match: Any) -> None:
    match = check.mapping(path, match, required=True)
    path_match = check.mapping(f"{path}.path", match.get("path"))
    if path_match:
        kind = path_match.get("type", "PathPrefix")
        value = path_match.get("value", "/")
        ppath = f"{path}.path"
        check.enum(f"{ppath}.type", kind, PATH_MATCH_TYPES)
        check.string(f"{ppath}.value", value, min_length=0, max_length=1024)
        if kind in _PATH_ONLY:
            if not value.startswith("/"):
                check.cel(
                    ppath,
                    f"value must be an absolute path and start with '/' {_TYPES_MSG}",
                )
            for bad in ("//", "/./", "/../", "%2f", "%2F", "#"):
                if bad in value:
                    check.cel(ppath, f"must not contain '{bad}' {_TYPES_MSG}")
            for bad in ("/..", "/."):
                if value.endswith(bad):
                    check.cel(ppath, f"must not end with '{bad}' {_TYPES_MSG}")
            if not _PATH_CHARS.match(value):
                check.cel(
                    ppath,
                    "must only contain valid characters (matching "
                    "^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types "
                    "['Exact', 'PathPrefix']",
                )
        else:
            _compile(check, f"{ppath}.value", value)
    _validate_value_matches(check, f"{path}.headers", match.get("headers"), 4096)
    _validate_value_matches(
        check, f"{path}.queryParams", match.get("queryParams"), 1024
    )
    check.enum(f"{path}.method", match.get("method"), METHODS)


def _validate_httproute(check: _Check) -> None:
    _check_version(check, "HTTPRoute", SERVED_VERSIONS)
    spec = check.mapping("spec", check.obj.get("spec"), required=True)
    parents = check.array("spec.parentRefs", spec.get("parentRefs"), max_items=32)
    for i, ref in enumerate(parents):
        path = f"spec.parentRefs[{i}]"
        ref = _check_object_reference(check, path, ref)
        check.string(
            f"{path}.sectionName",
            ref.get("sectionName"),
            pattern=_SECTION_NAME,
            max_length=253,
        )
        check.integer(f"{path}.port", ref.get("port"), 1, 65535)
    same_parent: dict[tuple, list[Any]] = {}
    for ref in parents:
        key = (
            ref.get("group", GROUP),
            ref.get("kind", "Gateway"),
            ref.get("namespace") or "",
            ref.get("name"),
        )
        same_parent.setdefault(key, []).append(ref.get("sectionName") or "")
    for sections in same_parent.values():
        if len(sections) > 1 and "" in sections:
            check.cel(
                "spec.parentRefs",
                "sectionName must be specified when parentRefs includes 2 or more "
                "references to the same parent",
            )
        if len(set(sections)) != len(sections):
            check.cel(
                "spec.parentRefs",
                "sectionName must be unique when parentRefs includes 2 or more "
                "references to the same parent",
            )
    hostnames = check.array("spec.hostnames", spec.get("hostnames"), max_items=16)
    for i, host in enumerate(hostnames):
        check.string(
            f"spec.hostnames[{i}]",
            host,
            pattern=_HOSTNAME,
            pattern_text=_HOSTNAME_PATTERN,
            max_length=253,
            required=True,
        )
    if "rules" in spec:
        rules = check.array(
            "spec.rules", spec.get("rules"), min_items=1, max_items=16, required=True
        )
    else:
        rules = []
    names = [
        rule.get("name")
        for rule in rules
        if isinstance(rule, Mapping) and rule.get("name") is not None
    ]
    if len(set(names)) != len(names):
        check.cel("spec.rules", "Rule name must be unique within the route")
    total_matches = 0
    for i, rule in enumerate(rules):
        path = f"spec.rules[{i}]"
        rule = check.mapping(path, rule, required=True)
        check.string(
            f"{path}.name", rule.get("name"), pattern=_SECTION_NAME, max_length=253
        )
        matches = check.array(f"{path}.matches", rule.get("matches"), max_items=64)
        total_matches += len(matches)
        for j, match in enumerate(matches):
            _validate_match(check, f"{path}.matches[{j}]", match)
        filters = _validate_filters(check, f"{path}.filters", rule.get("filters"))
        backends = check.array(
            f"{path}.backendRefs", rule.get("backendRefs"), max_items=16
        )
        for j, ref in enumerate(backends):
            bpath = f"{path}.backendRefs[{j}]"
            ref = _check_object_reference(check, bpath, ref)
            check.integer(f"{bpath}.port", ref.get("port"), 1, 65535)
            check.integer(f"{bpath}.weight", ref.get("weight"), 0, MAX_WEIGHT)
            if (
                ref.get("group", "") == ""
                and ref.get("kind", "Service") == "Service"
                and "port" not in ref
            ):
                check.cel(bpath, "Must have port for Service reference")
            _validate_filters(check, f"{bpath}.filters", ref.get("filters"))
        # The CEL rules on HTTPRouteRule.
        if backends and any(item.get("type") == "RequestRedirect" for item in filters):
            check.cel(
                path,
                "RequestRedirect filter must not be used together with backendRefs",
            )
        defaulted = matches or [
            {}
        ]  # the CRD defaults an absent list to one PathPrefix / match
        one_prefix = (
            len(defaulted) == 1
            and (defaulted[0].get("path") or {}).get("type", "PathPrefix")
            == "PathPrefix"
        )
        for where, items in (
            ("", filters),
            (
                "Within backendRefs, ",
                [f for b in backends for f in b.get("filters") or []],
            ),
        ):
            for filter_field, label in (
                ("requestRedirect", "RequestRedirect"),
                ("urlRewrite", "URLRewrite"),
            ):
                if _replaces_prefix(items, filter_field) and not one_prefix:
                    using = "When" if not where or label == "URLRewrite" else "when"
                    check.cel(
                        path,
                        f"{where}{using} using {label} filter with "
                        "path.replacePrefixMatch, exactly one "
                        "PathPrefix match must be specified",
                    )
    if total_matches > 128:
        check.cel(
            "spec.rules",
            "While 16 rules and 64 matches per rule are allowed, the total number of "
            "matches across all rules in a route must be less than 128",
        )


def _validate_reference_grant(check: _Check) -> None:
    _check_version(check, "ReferenceGrant", REFERENCE_GRANT_VERSIONS)
    spec = check.mapping("spec", check.obj.get("spec"), required=True)
    for side, required in (
        ("from", ("group", "kind", "namespace")),
        ("to", ("group", "kind")),
    ):
        items = check.array(
            f"spec.{side}", spec.get(side), min_items=1, max_items=16, required=True
        )
        for i, item in enumerate(items):
            path = f"spec.{side}[{i}]"
            item = check.mapping(path, item, required=True)
            for key in required:
                if key not in item or item[key] is None:
                    check.required(f"{path}.{key}")
            check.string(
                f"{path}.group",
                item.get("group"),
                pattern=_GROUP,
                min_length=0,
                max_length=253,
            )
            check.string(f"{path}.kind", item.get("kind"), pattern=_KIND, max_length=63)
            if side == "from":
                check.string(
                    f"{path}.namespace",
                    item.get("namespace"),
                    pattern=_NAMESPACE,
                    max_length=63,
                )
            else:
                check.string(f"{path}.name", item.get("name"), max_length=253)


_VALIDATORS = {
    "GatewayClass": _validate_gateway_class,
    "Gateway": _validate_gateway,
    "HTTPRoute": _validate_httproute,
    "ReferenceGrant": _validate_reference_grant,
}


def validate_gateway_api_object(
    obj: Mapping[str, Any], origin: str | None = None
) -> None:
    """Raise :class:`ManifestError` if the API server would refuse this Gateway API
    object.

    Checks the CRD schema (required fields, patterns, enums, bounds, list lengths) and
    the CEL rules that matter to routing, with the messages the CRDs define. ``origin``
    (file and document) is put in front of the message.

    >>> validate_gateway_api_object(
    ...     {
    ...         "apiVersion": "gateway.networking.k8s.io/v1",
    ...         "kind": "HTTPRoute",
    ...         "metadata": {"name": "r", "namespace": "shop"},
    ...         "spec": {
    ...             "rules": [
    ...                 {"matches": [{"path": {"type": "PathPrefix", "value": "api"}}]}
    ...             ]
    ...         },
    ...     }
    ... )
    Traceback (most recent call last):
    ...
    ingress_egress.k8s.manifests.ManifestError: HTTPRoute shop/r:
        spec.rules[0].matches[0].path: Invalid value: "object": value must be an
        absolute path and start with '/' when type one of ['Exact', 'PathPrefix']
    """
    kind = obj.get("kind")
    if kind not in _VALIDATORS:
        raise ValueError(
            f"not a Gateway API kind read here: {kind!r} (expected "
            f"one of {', '.join(GATEWAY_API_KINDS)})"
        )
    _VALIDATORS[kind](_Check(obj, origin))


# --------------------------------------------------------------------------------------
# the model


@dataclass(frozen=True)
class Listener:
    """One listener of a Gateway, with the defaults the CRD sets.

    ``problem`` says why a controller would not program it (``None``: it serves
    requests).
    """

    gateway: str
    name: str
    port: int
    protocol: str
    hostname: str | None = None
    allowed_from: str = "Same"
    selector: Any = None
    kinds: tuple[tuple[str, str], ...] = ()
    problem: str | None = None
    field: str = ""

    @property
    def scheme(self) -> str:
        return "https" if self.protocol.upper() == "HTTPS" else "http"

    @property
    def takes_httproutes(self) -> bool:
        """HTTP and HTTPS listeners take HTTPRoutes, unless ``allowedRoutes.kinds``
        leaves them out.
        """
        if self.protocol.upper() not in ("HTTP", "HTTPS"):
            return False
        return not self.kinds or (GROUP, "HTTPRoute") in self.kinds

    def describe(self) -> str:
        host = (
            f"hostname {self.hostname}" if self.hostname else "no hostname (any host)"
        )
        return f"{self.name} ({self.protocol} {self.port}, {host})"


@dataclass(frozen=True)
class Attachment:
    """What one ``spec.parentRefs`` entry of an HTTPRoute came to: the listeners it
    attached to, or why not.

    ``reason`` is the ``Accepted`` condition's reason as upstream defines it
    (``Accepted``, ``NotAllowedByListeners``, ``NoMatchingListenerHostname``,
    ``NoMatchingParent``), or ``None`` when no controller would write a status (the
    Gateway does not exist, or is not a Gateway).
    """

    route: str
    parent: str
    gateway: str
    listeners: tuple[str, ...]
    accepted: bool
    reason: str | None
    message: str


@dataclass(frozen=True)
class _Backend:
    target: str
    weight: int
    problem: tuple[str, str] | None  # (ResolvedRefs reason, message) when invalid
    field: str


@dataclass(frozen=True)
class _Match:
    index: int
    path_type: str
    path_value: str
    headers: tuple[tuple[str, str, str], ...]  # (lower-case name, type, value)
    query: tuple[tuple[str, str, str], ...]
    method: str | None
    regex: re.Pattern | None = field(default=None, compare=False)
    header_regex: tuple = field(default=(), compare=False)
    query_regex: tuple = field(default=(), compare=False)

    def describe(self) -> str:
        parts = [f"{self.path_type} {self.path_value}"]
        if self.method:
            parts.append(f"method {self.method}")
        parts += [
            f"header {n}{'~' if t != 'Exact' else '='}{v}" for n, t, v in self.headers
        ]
        parts += [
            f"query {n}{'~' if t != 'Exact' else '='}{v}" for n, t, v in self.query
        ]
        return ", ".join(parts)


@dataclass
class _Rule:
    index: int
    name: str | None
    matches: list[_Match]
    backends: list[_Backend]
    filters: list[Mapping]

    def filter(self, kind: str) -> Mapping | None:
        return next(
            (f[_FILTER_FIELDS[kind]] for f in self.filters if f.get("type") == kind),
            None,
        )


@dataclass
class _Route:
    ref: str
    namespace: str
    hostnames: tuple[str, ...]
    rules: list[_Rule]
    order: tuple
    parent_refs: list[Mapping]


class _Candidate(NamedTuple):
    key: tuple
    route: _Route
    rule: _Rule
    match: _Match
    hostname: (
        str | None
    )  # the route hostname the request matched (None: the route has none)


@dataclass
class _PathIndex:
    exact: dict[str, list[_Candidate]] = field(default_factory=dict)
    prefix: dict[tuple[str, ...], list[_Candidate]] = field(default_factory=dict)
    regex: list[_Candidate] = field(default_factory=list)

    def add(self, candidate: _Candidate) -> None:
        match = candidate.match
        if match.path_type == "Exact":
            self.exact.setdefault(match.path_value, []).append(candidate)
        elif match.path_type == "PathPrefix":
            self.prefix.setdefault(tuple(_elements(match.path_value)), []).append(
                candidate
            )
        else:
            self.regex.append(candidate)

    def lookup(self, path: str, elements: tuple[str, ...]) -> Iterable[_Candidate]:
        yield from self.exact.get(path, ())
        for k in range(len(elements) + 1):
            yield from self.prefix.get(elements[:k], ())
        for candidate in self.regex:
            if candidate.match.regex.fullmatch(path):
                yield candidate


@dataclass
class _Table:
    """The routing table of one listener: path indexes by route hostname."""

    exact: dict[str, _PathIndex] = field(default_factory=dict)
    wildcard: dict[str, _PathIndex] = field(
        default_factory=dict
    )  # suffix after "*." -> index
    any_host: _PathIndex = field(default_factory=_PathIndex)

    def index_for(self, hostname: str | None) -> _PathIndex:
        if hostname is None:
            return self.any_host
        if hostname.startswith("*."):
            return self.wildcard.setdefault(hostname[2:], _PathIndex())
        return self.exact.setdefault(hostname, _PathIndex())

    def indexes(self, host: str | None) -> list[_PathIndex]:
        found = []
        if host is not None:
            if host in self.exact:
                found.append(self.exact[host])
            labels = host.split(".")
            for i in range(1, len(labels)):
                suffix = ".".join(labels[i:])
                if suffix in self.wildcard:
                    found.append(self.wildcard[suffix])
        found.append(self.any_host)
        return found


@dataclass(frozen=True)
class Response:
    """What a Gateway answers to one request.

    Attributes
    ----------
    status
        200 (a backend was chosen), 404 (no listener or no route matched), 500 (the
        matched rule has no valid backend with a weight above 0, or an unresolvable
        filter), or the 3xx of a RequestRedirect filter.
    backend
        ``namespace/service:port`` for a 200: the valid backend with the highest weight
        (ties: the first listed); else ``None``.
    backends
        ``[(backend, weight), ...]``: every backendRef of the matched rule, valid or
        not, with its weight (default 1).
    route
        ``namespace/name`` of the HTTPRoute whose rule matched, else ``None``.
    location
        The redirect URL for a 3xx, else ``None``.
    path
        The path sent to the backend (after a URLRewrite filter), else the request's
        path (without the query string).
    host
        The ``Host`` sent to the backend (after a URLRewrite hostname), without port.
    gateway, listener
        The Gateway (``namespace/name``) and the name of the listener that took the
        request.
    rule
        Where the winning match sits: ``spec.rules[1].matches[0]``.
    invalid
        ``[(backend, "Reason: message"), ...]`` for the matched rule's invalid
        backendRefs.
    reason
        One sentence: why this status.
    """

    status: int
    backend: str | None = None
    backends: list[tuple[str, int]] = field(default_factory=list)
    route: str | None = None
    location: str | None = None
    path: str | None = None
    host: str | None = None
    gateway: str | None = None
    listener: str | None = None
    rule: str | None = None
    invalid: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""

    @property
    def shares(self) -> dict[str, float]:
        """The share of requests each backend gets (weight / sum of weights); invalid
        ones add to ``"500"``.

        >>> Response(200, "a/x:80", [("a/x:80", 90), ("a/y:80", 10)]).shares
        {'a/x:80': 0.9, 'a/y:80': 0.1}
        >>> Response(500, None, [("a/x:80", 0)]).shares
        {'500': 1.0}
        """
        if self.status != 200 and not self.backends:
            return {str(self.status): 1.0}
        total = sum(weight for _, weight in self.backends)
        if total == 0:
            return {"500": 1.0}
        bad = {target for target, _ in self.invalid}
        shares: dict[str, float] = {}
        for target, weight in self.backends:
            if weight == 0:
                continue
            key = "500" if target in bad else target
            shares[key] = shares.get(key, 0.0) + weight / total
        return shares


_DECIDERS = (
    "the path match type (Exact, then PathPrefix, then RegularExpression)",
    "the longer path prefix",
    "a method match",
    "more header matches",
    "more query parameter matches",
    "a longer matching precise hostname",
    "a longer matching hostname",
    "the route with a creationTimestamp (routes without one come last)",
    "the older route",
    "the route first in namespace/name order",
    "the earlier rule of the route",
    "the earlier match of the rule",
)
"""What each position of a flattened precedence key (:func:`_candidate_key`) stands
for.
"""


def _decider(winner: tuple, runner_up: tuple) -> str:
    """The precedence criterion that puts ``winner`` before ``runner_up`` (two candidate
    keys).
    """
    for label, a, b in zip(_DECIDERS, _flatten(winner), _flatten(runner_up)):
        if a != b:
            return label
    return "nothing: they are the same match"


def _flatten(key: tuple) -> tuple:
    return (*key[:7], *key[7], key[8], key[9])


def _candidate_key(
    route: _Route, rule: _Rule, match: _Match, hostname: str | None
) -> tuple:
    """The precedence key of one match (smaller wins); the order of httproute_types.go
    (see module docstring).
    """
    path_rank = {"Exact": 0, "PathPrefix": 1}.get(match.path_type, 2)
    prefix = len(match.path_value) if match.path_type == "PathPrefix" else 0
    return (
        path_rank,
        -prefix,
        0 if match.method else 1,
        -len(match.headers),
        -len(match.query),
        *_hostname_key(hostname),
        route.order,
        rule.index,
        match.index,
    )


def _parse_request(
    path: str, query: Mapping[str, str] | None
) -> tuple[str, dict[str, str], str]:
    """(path without query and fragment, query parameters, the raw query string for a
    redirect).
    """
    if not isinstance(path, str) or not path.startswith("/"):
        raise ValueError(f"request path must start with '/', got {path!r}")
    path = path.split("#", 1)[0]
    path, _, raw_query = path.partition("?")
    params: dict[str, str] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        params.setdefault(
            name, value
        )  # the first value of a repeated parameter (the recommended behaviour)
    if query:
        params.update({str(k): str(v) for k, v in query.items()})
        raw_query = urlencode(params)
    return path, params, raw_query


class GatewayRouter:
    """The Gateways and HTTPRoutes of a set of objects, validated once; :meth:`route`
    answers requests.

    Parameters
    ----------
    objects
        Manifest dicts (what :func:`~ingress_egress.k8s.manifests.load_manifests`
        returns). Read: GatewayClass, Gateway, HTTPRoute, ReferenceGrant, Service,
        Namespace; other kinds are set aside and counted in :attr:`skipped`.

    Attributes
    ----------
    gateways : list[str]
        The Gateways, ``namespace/name``, sorted.
    routes : list[str]
        The HTTPRoutes, ``namespace/name``, in precedence order (oldest first).
    skipped : dict[str, int]
        Objects of kinds the router does not use, counted by kind (including what the
        reader set aside).
    notes : list[str]
        Assumptions made while reading (a GatewayClass that is not among the objects,
        ...).
    """

    def __init__(self, objects: Iterable[Mapping[str, Any]]):
        origin_of = getattr(objects, "origin", None)
        skipped = Counter(getattr(objects, "ignored", {}) or {})
        self.notes: list[str] = []
        by_kind: dict[str, list[Mapping]] = {}
        seen: dict[tuple, str | None] = {}
        self._origins: dict[int, str | None] = {}
        for obj in objects:
            if not isinstance(obj, Mapping):
                raise TypeError(
                    "GatewayRouter: expected Kubernetes object "
                    f"dicts, got {type(obj).__name__}"
                )
            kind = obj.get("kind")
            if kind not in (*GATEWAY_API_KINDS, "Service", "Namespace"):
                skipped[str(kind)] += 1
                continue
            origin = origin_of(obj) if callable(origin_of) else None
            self._origins[id(obj)] = origin
            meta = obj.get("metadata") or {}
            cluster_scoped = kind in ("GatewayClass", "Namespace")
            key = (
                kind,
                None if cluster_scoped else meta.get("namespace") or "default",
                meta.get("name"),
            )
            if key in seen:
                where = f" (first in {seen[key]})" if seen[key] else ""
                raise ManifestError(
                    f"Duplicate value: a second {kind} with this name{where}",
                    origin=origin,
                    ref=object_ref(obj),
                    field="metadata.name",
                )
            seen[key] = origin
            if kind in _VALIDATORS:
                validate_gateway_api_object(obj, origin)
            by_kind.setdefault(kind, []).append(obj)
        self.skipped = dict(sorted(skipped.items()))
        self._namespaces = self._read_namespaces(by_kind)
        self._services = {
            (_ns(o), _name(o)): {
                p.get("port")
                for p in ((o.get("spec") or {}).get("ports") or [])
                if isinstance(p, Mapping)
            }
            for o in by_kind.get("Service", [])
        }
        self._grants = [self._read_grant(o) for o in by_kind.get("ReferenceGrant", [])]
        classes = {_name(o): o for o in by_kind.get("GatewayClass", [])}
        self._gateway_problems: dict[str, str] = {}
        self._listeners: dict[str, list[Listener]] = {}
        for gateway in sorted(
            by_kind.get("Gateway", []), key=lambda o: (_ns(o), _name(o))
        ):
            ref = f"{_ns(gateway)}/{_name(gateway)}"
            class_name = gateway["spec"]["gatewayClassName"]
            if classes and class_name not in classes:
                self._gateway_problems[ref] = (
                    f'GatewayClass "{class_name}" is not among the objects: '
                    "no controller programs this Gateway"
                )
            elif not classes:
                self.notes.append(
                    f'Gateway {ref}: GatewayClass "{class_name}" is not among the '
                    "objects; assumed to exist"
                )
            self._listeners[ref] = self._read_listeners(gateway)
        self.gateways = sorted(self._listeners)
        routes = [self._read_route(o) for o in by_kind.get("HTTPRoute", [])]
        routes.sort(key=lambda r: r.order)
        self._routes = {r.ref: r for r in routes}
        self.routes = [r.ref for r in routes]
        self._attachments: list[Attachment] = []
        self._tables: dict[tuple[str, str], _Table] = {}
        for route in routes:
            self._attach(route)

    # -- reading

    @staticmethod
    def _read_namespaces(
        by_kind: Mapping[str, list[Mapping]],
    ) -> dict[str, dict[str, str]]:
        labels = {}
        for obj in by_kind.get("Namespace", []):
            labels[_name(obj)] = {
                **((obj.get("metadata") or {}).get("labels") or {}),
                NAMESPACE_NAME_LABEL: _name(obj),
            }
        return labels

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """The labels of a namespace: declared ones, plus
        ``kubernetes.io/metadata.name`` (set by the API server).
        """
        return self._namespaces.get(namespace, {NAMESPACE_NAME_LABEL: namespace})

    @staticmethod
    def _read_grant(obj: Mapping) -> tuple[str, list[tuple], list[tuple]]:
        spec = obj["spec"]
        froms = [
            (f.get("group"), f.get("kind"), f.get("namespace")) for f in spec["from"]
        ]
        tos = [(t.get("group"), t.get("kind"), t.get("name")) for t in spec["to"]]
        return _ns(obj), froms, tos

    def _granted(
        self,
        from_kind: str,
        from_namespace: str,
        to_kind: str,
        to_namespace: str,
        to_name: str,
    ) -> bool:
        """Is a reference from ``from_kind`` objects of ``from_namespace`` to
        ``to_namespace/to_name`` allowed?
        """
        from_group = GROUP
        for namespace, froms, tos in self._grants:
            if namespace != to_namespace:
                continue
            if (from_group, from_kind, from_namespace) not in froms:
                continue
            if any(
                group == "" and kind == to_kind and name in (None, to_name)
                for group, kind, name in tos
            ):
                return True
        return False

    def _read_listeners(self, gateway: Mapping) -> list[Listener]:
        ref = f"{_ns(gateway)}/{_name(gateway)}"
        listeners = []
        for i, raw in enumerate(gateway["spec"]["listeners"]):
            allowed = raw.get("allowedRoutes") or {}
            namespaces = allowed.get("namespaces") or {}
            selector = namespaces.get("selector")
            kinds = tuple(
                (k.get("group", GROUP), k["kind"]) for k in allowed.get("kinds") or []
            )
            problem = self._gateway_problems.get(ref)
            protocol = str(raw["protocol"])
            if problem is None and protocol.upper() == "HTTPS":
                problem = self._certificate_problem(gateway, raw)
            listeners.append(
                Listener(
                    gateway=ref,
                    name=raw["name"],
                    port=raw["port"],
                    protocol=protocol,
                    hostname=raw.get("hostname"),
                    allowed_from=namespaces.get("from") or "Same",
                    selector=parse_label_selector(selector)
                    if selector is not None
                    else None,
                    kinds=kinds,
                    problem=problem,
                    field=f"spec.listeners[{i}]",
                )
            )
        return listeners

    def _certificate_problem(self, gateway: Mapping, listener: Mapping) -> str | None:
        tls = listener.get("tls")
        if not tls:
            return (
                "an HTTPS listener needs tls.certificateRefs "
                "(Accepted=False): nothing to terminate TLS with"
            )
        for ref in tls.get("certificateRefs") or []:
            group, kind = ref.get("group", ""), ref.get("kind", "Secret")
            if (group, kind) != ("", "Secret"):
                return (
                    "ResolvedRefs=False, InvalidCertificateRef: "
                    f"{kind} is not a core Secret"
                )
            namespace = ref.get("namespace") or _ns(gateway)
            if namespace != _ns(gateway) and not self._granted(
                "Gateway", _ns(gateway), "Secret", namespace, ref["name"]
            ):
                return (
                    "ResolvedRefs=False, RefNotPermitted: Secret "
                    f"{namespace}/{ref['name']} is in another "
                    f"namespace and no ReferenceGrant in {namespace} "
                    f"allows Gateways from {_ns(gateway)}"
                )
        return None

    def _read_route(self, obj: Mapping) -> _Route:
        namespace, spec = _ns(obj), obj["spec"]
        rules = []
        raw_rules = spec.get("rules") or [
            {}
        ]  # the CRD default: one rule matching PathPrefix /
        for i, raw in enumerate(raw_rules):
            matches = [
                self._read_match(j, m) for j, m in enumerate(raw.get("matches") or [{}])
            ]
            backends = [
                self._read_backend(namespace, f"spec.rules[{i}].backendRefs[{j}]", b)
                for j, b in enumerate(raw.get("backendRefs") or [])
            ]
            rules.append(
                _Rule(
                    i,
                    raw.get("name"),
                    matches,
                    backends,
                    list(raw.get("filters") or []),
                )
            )
        meta = obj.get("metadata") or {}
        stamp = _timestamp(meta.get("creationTimestamp"))
        ref = f"{namespace}/{_name(obj)}"
        order = (stamp is None, stamp or datetime.min.replace(tzinfo=timezone.utc), ref)
        return _Route(
            ref,
            namespace,
            tuple(spec.get("hostnames") or ()),
            rules,
            order,
            list(spec.get("parentRefs") or []),
        )

    @staticmethod
    def _read_match(index: int, raw: Mapping) -> _Match:
        path = raw.get("path") or {}
        path_type, value = path.get("type", "PathPrefix"), path.get("value", "/")
        headers, seen = [], set()
        for h in raw.get("headers") or []:
            name = h["name"].lower()
            if (
                name not in seen
                # of names equal but for case, only the first counts
                # (HTTPHeaderMatch.Name)
            ):
                seen.add(name)
                headers.append((name, h.get("type", "Exact"), h["value"]))
        query = tuple(
            (q["name"], q.get("type", "Exact"), q["value"])
            for q in raw.get("queryParams") or []
        )
        return _Match(
            index,
            path_type,
            value,
            tuple(headers),
            query,
            raw.get("method"),
            re.compile(value) if path_type == "RegularExpression" else None,
            tuple(
                re.compile(v) if t == "RegularExpression" else None
                for _, t, v in headers
            ),
            tuple(
                re.compile(v) if t == "RegularExpression" else None for _, t, v in query
            ),
        )

    def _read_backend(self, namespace: str, where: str, raw: Mapping) -> _Backend:
        group, kind = raw.get("group", ""), raw.get("kind", "Service")
        target_ns, name, port = (
            raw.get("namespace") or namespace,
            raw["name"],
            raw.get("port"),
        )
        weight = raw.get("weight", 1)
        if (group, kind) != ("", "Service"):
            target = f"{kind} {target_ns}/{name}" + (f":{port}" if port else "")
            return _Backend(
                target,
                weight,
                (
                    INVALID_KIND,
                    f"{group + '/' if group else ''}{kind} is not a core "
                    "Service, the only backend kind modelled here",
                ),
                where,
            )
        target = f"{target_ns}/{name}:{port}"
        if target_ns != namespace and not self._granted(
            "HTTPRoute", namespace, "Service", target_ns, name
        ):
            return _Backend(
                target,
                weight,
                (
                    REF_NOT_PERMITTED,
                    f"Service {target_ns}/{name} is in another namespace "
                    f"and no ReferenceGrant in {target_ns} allows HTTPRoutes from "
                    f"{namespace}",
                ),
                where,
            )
        ports = self._services.get((target_ns, name))
        if ports is None:
            return _Backend(
                target,
                weight,
                (BACKEND_NOT_FOUND, f"Service {target_ns}/{name} not found"),
                where,
            )
        if port not in ports:
            listed = (
                ", ".join(
                    str(p) for p in sorted(p for p in ports if isinstance(p, int))
                )
                or "none"
            )
            return _Backend(
                target,
                weight,
                (
                    BACKEND_NOT_FOUND,
                    f"Service {target_ns}/{name} has no port {port} "
                    f"(its ports: {listed})",
                ),
                where,
            )
        return _Backend(target, weight, None, where)

    # -- attachment

    def _attach(self, route: _Route) -> None:
        attached_to: set[tuple[str, str]] = set()
        for i, parent in enumerate(route.parent_refs):
            attachment = self._attach_one(route, i, parent)
            self._attachments.append(attachment)
            for name in attachment.listeners:
                key = (attachment.gateway, name)
                if key in attached_to:
                    continue
                attached_to.add(key)
                listener = next(
                    li for li in self._listeners[attachment.gateway] if li.name == name
                )
                table = self._tables.setdefault(key, _Table())
                hostnames = [
                    h
                    for h in route.hostnames
                    if hostnames_intersect(listener.hostname, h)
                ] or [None]
                for hostname in hostnames:
                    index = table.index_for(hostname)
                    for rule in route.rules:
                        for match in rule.matches:
                            index.add(
                                _Candidate(
                                    _candidate_key(route, rule, match, hostname),
                                    route,
                                    rule,
                                    match,
                                    hostname,
                                )
                            )

    def _attach_one(self, route: _Route, index: int, parent: Mapping) -> Attachment:
        where = f"spec.parentRefs[{index}]"
        group, kind = parent.get("group", GROUP), parent.get("kind", "Gateway")
        gateway = f"{parent.get('namespace') or route.namespace}/{parent['name']}"

        def result(listeners=(), reason=None, message=""):
            return Attachment(
                route.ref,
                where,
                gateway,
                tuple(listeners),
                bool(listeners),
                reason,
                message,
            )

        if (group, kind) != (GROUP, "Gateway"):
            return result(
                message=f"the parent is a {kind} of group {group!r}: "
                "only Gateways are modelled here"
            )
        if gateway not in self._listeners:
            return result(
                message=f"no Gateway {gateway} among the objects: no "
                "controller writes a status"
            )
        if gateway in self._gateway_problems:
            return result(message=self._gateway_problems[gateway])
        listeners = self._listeners[gateway]
        section, port = parent.get("sectionName"), parent.get("port")
        if section is not None:
            listeners = [li for li in listeners if li.name == section]
        if port is not None:
            listeners = [li for li in listeners if li.port == port]
        if not listeners:
            wanted = " and ".join(
                x
                for x in (
                    f"named {section}" if section else "",
                    f"on port {port}" if port else "",
                )
                if x
            )
            return result(
                reason=NO_MATCHING_PARENT,
                message=f"Gateway {gateway} has no listener {wanted}",
            )
        allowed, refusals = [], []
        for listener in listeners:
            why = self._refusal(listener, route.namespace)
            if why:
                refusals.append(f"listener {listener.name}: {why}")
            else:
                allowed.append(listener)
        if not allowed:
            return result(reason=NOT_ALLOWED_BY_LISTENERS, message="; ".join(refusals))
        matching = [
            li
            for li in allowed
            if not route.hostnames
            or any(hostnames_intersect(li.hostname, h) for h in route.hostnames)
        ]
        if not matching:
            hosts = ", ".join(f"{li.name} ({li.hostname})" for li in allowed)
            return result(
                reason=NO_MATCHING_LISTENER_HOSTNAME,
                message=f"hostnames {', '.join(route.hostnames)} "
                f"intersect none of the listeners {hosts}",
            )
        names = [li.name for li in matching]
        return result(
            names,
            ACCEPTED,
            f"attached to listener{'s' if len(names) > 1 else ''} {', '.join(names)}",
        )

    def _refusal(self, listener: Listener, namespace: str) -> str | None:
        """Why a listener does not take HTTPRoutes from ``namespace`` (``None``: it
        does).
        """
        if not listener.takes_httproutes:
            if listener.protocol.upper() not in ("HTTP", "HTTPS"):
                return f"a {listener.protocol} listener does not take HTTPRoutes"
            kinds = ", ".join(k for _, k in listener.kinds)
            return f"allowedRoutes.kinds is {kinds}, not HTTPRoute"
        gateway_ns = listener.gateway.split("/", 1)[0]
        if listener.allowed_from == "Same" and namespace != gateway_ns:
            return f"allowedRoutes.namespaces.from is Same: only routes in {gateway_ns}"
        if listener.allowed_from == "Selector":
            if listener.selector is None:
                return "allowedRoutes.namespaces.from is Selector, without a selector"
            if not listener.selector.matches(self.namespace_labels(namespace)):
                return (
                    f"namespace {namespace} does not match the "
                    f"selector {listener.selector.describe()}"
                )
        return None

    # -- the request side

    def _gateway(self, gateway: str | None) -> str:
        if gateway is None:
            if len(self.gateways) == 1:
                return self.gateways[0]
            if not self.gateways:
                raise ValueError("no Gateway among the objects")
            raise ValueError(
                "several Gateways: say which with gateway=, "
                f"one of {', '.join(self.gateways)}"
            )
        if gateway in self._listeners:
            return gateway
        named = [g for g in self.gateways if g.split("/", 1)[1] == gateway]
        if len(named) == 1:
            return named[0]
        raise ValueError(
            f"no Gateway {gateway!r}; the Gateways are "
            f"{', '.join(self.gateways) or 'none'}"
        )

    def _listener(
        self, gateway: str, host: str | None, port: int | None
    ) -> tuple[Listener | None, list[Listener]]:
        """The listener that takes a request (listener isolation), and every listener
        that matched its host.
        """
        listeners = self._listeners[gateway]
        if port is not None and not any(li.port == port for li in listeners):
            ports = ", ".join(str(p) for p in sorted({li.port for li in listeners}))
            raise ValueError(
                f"Gateway {gateway} has no listener on port {port}; its ports: {ports}"
            )
        matching = [
            li
            for li in listeners
            if (port is None or li.port == port)
            and li.problem is None
            and li.protocol.upper() in ("HTTP", "HTTPS")
            and hostname_matches(li.hostname, host)
        ]
        if not matching:
            return None, []
        ports = sorted({li.port for li in matching})
        if len(ports) > 1:
            raise ValueError(
                f"listeners on ports {', '.join(map(str, ports))} of Gateway {gateway} "
                f"accept host {host}: say which with port="
            )
        best = min(matching, key=lambda li: _listener_rank(li.hostname))
        return best, sorted(matching, key=lambda li: _listener_rank(li.hostname))

    def _matching(
        self,
        gateway: str,
        listener: Listener,
        host: str | None,
        path: str,
        method: str,
        headers: Mapping[str, str],
        params: Mapping[str, str],
    ) -> list[_Candidate]:
        table = self._tables.get((gateway, listener.name))
        if table is None:
            return []
        elements = tuple(_elements(path))
        found = []
        for index in table.indexes(host):
            for candidate in index.lookup(path, elements):
                if _matches_rest(candidate.match, method, headers, params):
                    found.append(candidate)
        return found

    def route(
        self,
        host: str | None,
        path: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        gateway: str | None = None,
        port: int | None = None,
    ) -> Response:
        """The response to one request.

        ``host`` is the ``Host`` header (a port in it is ignored), ``path`` may carry a
        query string, ``query`` adds parameters, ``gateway`` is ``namespace/name``
        (``None``: the only Gateway) and ``port`` the listener port (``None``: any; an
        error if listeners on several ports take the host).
        """
        return self._route(host, path, method, headers, query, gateway, port)[0]

    def _route(
        self,
        host,
        path,
        method="GET",
        headers=None,
        query=None,
        gateway=None,
        port=None,
    ):
        gateway = self._gateway(gateway)
        request_path, params, raw_query = _parse_request(path, query)
        host_name = normalize_host(host)
        lowered = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        listener, considered = self._listener(gateway, host_name, port)
        context = {
            "listener": listener,
            "considered": considered,
            "candidates": [],
            "path": request_path,
        }
        if listener is None:
            return Response(
                404,
                path=request_path,
                host=host_name,
                gateway=gateway,
                reason=f"no listener of Gateway {gateway} takes host {host_name}"
                + (f" on port {port}" if port else ""),
            ), context
        candidates, seen = [], set()
        for candidate in sorted(
            self._matching(
                gateway, listener, host_name, request_path, method, lowered, params
            ),
            key=lambda c: c.key,
        ):
            identity = (
                candidate.route.ref,
                candidate.rule.index,
                candidate.match.index,
            )
            if (
                identity not in seen
                # a route found under two of its hostnames counts once, with the better
                # one
            ):
                seen.add(identity)
                candidates.append(candidate)
        context["candidates"] = candidates
        common = {"gateway": gateway, "listener": listener.name}
        if not candidates:
            return Response(
                404,
                path=request_path,
                host=host_name,
                reason="no rule of the routes attached to "
                f"listener {listener.name} matches",
                **common,
            ), context
        best = candidates[0]
        rule, where = (
            best.rule,
            f"spec.rules[{best.rule.index}].matches[{best.match.index}]",
        )
        common.update(route=best.route.ref, rule=where)
        redirect = rule.filter("RequestRedirect")
        if redirect is not None:
            location = _location(
                redirect, listener, host_name, request_path, raw_query, best.match
            )
            code = redirect.get("statusCode", 302)
            return Response(
                code,
                location=location,
                path=request_path,
                host=host_name,
                reason=f"a RequestRedirect filter answers {code}",
                **common,
            ), context
        backends = [(b.target, b.weight) for b in rule.backends]
        invalid = [
            (b.target, f"{b.problem[0]}: {b.problem[1]}")
            for b in rule.backends
            if b.problem
        ]
        forwarded_path, forwarded_host = request_path, host_name
        rewrite = rule.filter("URLRewrite")
        if rewrite is not None:
            forwarded_path = _modified_path(
                rewrite.get("path"), request_path, best.match
            )
            forwarded_host = rewrite.get("hostname") or host_name
        details = {
            "backends": backends,
            "invalid": invalid,
            "path": forwarded_path,
            "host": forwarded_host,
            **common,
        }
        if rule.filter("ExtensionRef") is not None:
            return Response(
                500,
                reason="an ExtensionRef filter cannot be resolved in this model; the "
                "specification requires an error rather than skipping it",
                **details,
            ), context
        live = [b for b in rule.backends if b.problem is None and b.weight > 0]
        if not live:
            if not rule.backends:
                why = "the rule has no backendRefs"
            elif not invalid:
                why = "every backendRef has weight 0"
            else:
                why = "no valid backendRef has a weight above 0"
            return Response(500, reason=why, **details), context
        chosen = max(
            live, key=lambda b: b.weight
        )  # max() keeps the first of equal weights
        return Response(
            200,
            backend=chosen.target,
            reason="a rule matched and a valid backend was chosen",
            **details,
        ), context

    def explain(
        self,
        host: str | None,
        path: str,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        gateway: str | None = None,
        port: int | None = None,
    ) -> str:
        """Which listener took the request, which routes are attached (and why not),
        which rules matched, which precedence criterion decided, and the answer: a few
        lines of text."""
        response, context = self._route(
            host, path, method, headers, query, gateway, port
        )
        gateway = response.gateway
        host_name = normalize_host(host)
        request = f"{method} {host_name or '(no host)'}{context['path']}"
        extras = [f"{k}: {v}" for k, v in (headers or {}).items()] + [
            f"{k}={v}" for k, v in (query or {}).items()
        ]
        if extras:
            request += f" ({', '.join(extras)})"
        lines = [f"{request} at Gateway {gateway}" + (f", port {port}" if port else "")]
        listener = context["listener"]
        if listener is None:
            options = ", ".join(
                li.describe()
                + (f" [not programmed: {li.problem}]" if li.problem else "")
                for li in self._listeners[gateway]
                if port is None or li.port == port
            )
            lines.append(
                f"  listener: none takes host {host_name} (listeners: {options})"
            )
            lines.append(f"  -> 404: {response.reason}")
            return "\n".join(lines)
        others = [li.describe() for li in context["considered"] if li is not listener]
        line = f"  listener: {listener.describe()}"
        if others:
            line += (
                f"; it is more specific than {', '.join(others)}, which also "
                "match the host"
            )
        lines.append(line)
        here, elsewhere = [], []
        for attachment in self._attachments:
            if attachment.gateway != gateway:
                continue
            route = self._routes[attachment.route]
            if listener.name in attachment.listeners:
                hosts = [
                    h
                    for h in route.hostnames
                    if hostnames_intersect(listener.hostname, h)
                ]
                serves = (
                    any(hostname_matches(h, host_name) for h in hosts)
                    if hosts
                    else True
                )
                here.append(
                    f"{route.ref} (hostnames {', '.join(hosts) or 'any'}"
                    + (")" if serves else f"; none matches {host_name})")
                )
            elif attachment.accepted:
                elsewhere.append(f"{route.ref} (on {', '.join(attachment.listeners)})")
            else:
                reason = (
                    f"Accepted=False, {attachment.reason}"
                    if attachment.reason
                    else "no status"
                )
                lines.append(
                    f"  not attached: {route.ref} ({attachment.parent}): {reason}: "
                    f"{attachment.message}"
                )
        lines.append(f"  routes on this listener: {', '.join(here) or 'none'}")
        if elsewhere:
            lines.append(f"  routes on other listeners: {', '.join(elsewhere)}")
        candidates = context["candidates"]
        if candidates:
            lines.append("  matching rules, best first:")
            for n, c in enumerate(candidates[:8], start=1):
                lines.append(
                    f"    {n}. {c.route.ref} "
                    f"spec.rules[{c.rule.index}].matches[{c.match.index}]: "
                    f"{c.match.describe()}"
                )
            if len(candidates) > 8:
                lines.append(f"    ... and {len(candidates) - 8} more")
            if len(candidates) > 1:
                lines.append(
                    f"  decided by: {_decider(candidates[0].key, candidates[1].key)}"
                )
        result = f"  -> {response.status}"
        if response.status == 200:
            result += f" {response.backend}"
            if len(response.backends) > 1:
                shares = ", ".join(f"{k} {v:.0%}" for k, v in response.shares.items())
                result += f" (weights: {shares})"
        elif response.location:
            result += f" Location: {response.location}"
        else:
            result += f": {response.reason}"
        if response.path != context["path"] or response.host != host_name:
            result += f"; forwarded as Host {response.host}, path {response.path}"
        for target, why in response.invalid:
            result += f"; invalid backend {target}: {why}"
        lines.append(result)
        return "\n".join(lines)

    # -- tables

    def table(self, requests: Iterable[Any] | pd.DataFrame) -> pd.DataFrame:
        """Route many requests: one row each, in the order given.

        ``requests`` are ``(host, path)`` or ``(host, path, method)`` tuples, dicts with
        the keyword arguments of :meth:`route`, or a DataFrame with ``host`` and
        ``path`` columns (and any of ``method``, ``headers``, ``query``, ``gateway``,
        ``port``). Columns: ``host``, ``path``, ``method``, ``status``, ``backend``,
        ``route``, ``rule``, ``listener``, ``location``, ``forwarded_path``.
        """
        if isinstance(requests, pd.DataFrame):
            items = requests.to_dict("records")
        else:
            items = list(requests)
        rows = []
        for item in items:
            if isinstance(item, Mapping):
                kwargs = {
                    k: v
                    for k, v in item.items()
                    if not (isinstance(v, float) and pd.isna(v))
                }
            else:
                kwargs = dict(zip(("host", "path", "method"), item))
            r = self.route(**kwargs)
            rows.append(
                {
                    "host": kwargs.get("host"),
                    "path": kwargs["path"],
                    "method": kwargs.get("method", "GET"),
                    "status": r.status,
                    "backend": r.backend,
                    "route": r.route,
                    "rule": r.rule,
                    "listener": r.listener,
                    "location": r.location,
                    "forwarded_path": r.path,
                }
            )
        columns = [
            "host",
            "path",
            "method",
            "status",
            "backend",
            "route",
            "rule",
            "listener",
            "location",
            "forwarded_path",
        ]
        return pd.DataFrame(rows, columns=columns, dtype=object).astype({"status": int})

    def attachments(self) -> pd.DataFrame:
        """Every parentRef of every HTTPRoute: the listeners it attached to, or the
        reason it did not.

        Columns: ``route``, ``parent`` (field path), ``gateway``, ``listeners``,
        ``accepted``, ``reason`` (the Accepted condition's reason), ``message``.
        """
        rows = [
            {
                "route": a.route,
                "parent": a.parent,
                "gateway": a.gateway,
                "listeners": ", ".join(a.listeners),
                "accepted": a.accepted,
                "reason": a.reason,
                "message": a.message,
            }
            for a in self._attachments
        ]
        columns = [
            "route",
            "parent",
            "gateway",
            "listeners",
            "accepted",
            "reason",
            "message",
        ]
        return pd.DataFrame(rows, columns=columns, dtype=object).astype(
            {"accepted": bool}
        )

    def listeners(self) -> pd.DataFrame:
        """Every listener of every Gateway, with its defaults filled in and whether it
        is programmed.

        Columns: ``gateway``, ``listener``, ``port``, ``protocol``, ``hostname``,
        ``allowed_from``, ``routes`` (how many HTTPRoutes are attached), ``problem``
        (``None``: programmed).
        """
        counts = Counter(
            (a.gateway, name) for a in self._attachments for name in a.listeners
        )
        rows = [
            {
                "gateway": li.gateway,
                "listener": li.name,
                "port": li.port,
                "protocol": li.protocol,
                "hostname": li.hostname,
                "allowed_from": li.allowed_from,
                "routes": counts[(li.gateway, li.name)],
                "problem": li.problem,
            }
            for g in self.gateways
            for li in self._listeners[g]
        ]
        columns = [
            "gateway",
            "listener",
            "port",
            "protocol",
            "hostname",
            "allowed_from",
            "routes",
            "problem",
        ]
        return pd.DataFrame(rows, columns=columns, dtype=object).astype(
            {"port": int, "routes": int}
        )

    def rules(self) -> pd.DataFrame:
        """Every match of every attached rule, one row per (listener, route hostname,
        match), in precedence order.

        Columns: ``gateway``, ``listener``, ``hostname`` (the route hostname, ``*`` for
        none), ``route``, ``rule``, ``match`` (a description), ``backends`` or the
        filter that answers.
        """
        rows = []
        for (gateway, listener), table in sorted(self._tables.items()):
            indexes = [*table.exact.values(), *table.wildcard.values(), table.any_host]
            candidates = [
                c
                for index in indexes
                for c in (
                    *[x for v in index.exact.values() for x in v],
                    *[x for v in index.prefix.values() for x in v],
                    *index.regex,
                )
            ]
            for c in sorted(candidates, key=lambda c: c.key):
                redirect = c.rule.filter("RequestRedirect")
                action = (
                    f"redirect {redirect.get('statusCode', 302)}"
                    if redirect is not None
                    else ", ".join(f"{b.target} ({b.weight})" for b in c.rule.backends)
                    or "(none)"
                )
                rows.append(
                    {
                        "gateway": gateway,
                        "listener": listener,
                        "hostname": c.hostname or "*",
                        "route": c.route.ref,
                        "rule": f"spec.rules[{c.rule.index}].matches[{c.match.index}]",
                        "match": c.match.describe(),
                        "action": action,
                    }
                )
        columns = [
            "gateway",
            "listener",
            "hostname",
            "route",
            "rule",
            "match",
            "action",
        ]
        return pd.DataFrame(rows, columns=columns)

    def __repr__(self) -> str:
        listeners = sum(len(v) for v in self._listeners.values())
        attached = sum(1 for a in self._attachments if a.accepted)
        return (
            f"<GatewayRouter: {len(self.gateways)} gateways, {listeners} listeners, "
            f"{len(self.routes)} HTTPRoutes ({attached} parentRefs accepted)>"
        )


def _matches_rest(
    match: _Match, method: str, headers: Mapping[str, str], params: Mapping[str, str]
) -> bool:
    """Method, headers and query parameters of a match whose path already matched."""
    if match.method is not None and match.method != method:
        return False
    for (name, kind, value), regex in zip(match.headers, match.header_regex):
        got = headers.get(name)
        if got is None or (got != value if regex is None else not regex.fullmatch(got)):
            return False
    for (name, kind, value), regex in zip(match.query, match.query_regex):
        got = params.get(name)
        if got is None or (got != value if regex is None else not regex.fullmatch(got)):
            return False
    return True


def _modified_path(modifier: Mapping | None, path: str, match: _Match) -> str:
    if not modifier:
        return path
    if modifier["type"] == "ReplaceFullPath":
        return modifier["replaceFullPath"]
    return replace_prefix(path, match.path_value, modifier["replacePrefixMatch"])


def _location(
    redirect: Mapping,
    listener: Listener,
    host: str | None,
    path: str,
    raw_query: str,
    match: _Match,
) -> str:
    """The ``Location`` of a RequestRedirect, by the port rules of
    HTTPRequestRedirectFilter.Port.
    """
    scheme = redirect.get("scheme") or listener.scheme
    hostname = redirect.get("hostname") or host or ""
    if redirect.get("port") is not None:
        port = redirect["port"]
    elif redirect.get("scheme"):
        port = WELL_KNOWN_PORTS[scheme]
    else:
        port = listener.port
    authority = (
        hostname if WELL_KNOWN_PORTS.get(scheme) == port else f"{hostname}:{port}"
    )
    new_path = _modified_path(redirect.get("path"), path, match)
    return f"{scheme}://{authority}{new_path}" + (f"?{raw_query}" if raw_query else "")


def _ns(obj: Mapping) -> str:
    return (obj.get("metadata") or {}).get("namespace") or "default"


def _name(obj: Mapping) -> str:
    return str((obj.get("metadata") or {}).get("name"))


# --------------------------------------------------------------------------------------
# migration


@dataclass(frozen=True)
class MigrationWarning:
    """Something of an Ingress that does not carry over to the Gateway API as it is.

    >>> str(
    ...     MigrationWarning(
    ...         "shop/web", "spec.defaultBackend", "no Ingress-wide default backend"
    ...     )
    ... )
    'Ingress shop/web, spec.defaultBackend: no Ingress-wide default backend'
    """

    ingress: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"Ingress {self.ingress}, {self.field}: {self.message}"


_KEPT_ANNOTATIONS = {
    "kubectl.kubernetes.io/last-applied-configuration",
    LEGACY_CLASS_ANNOTATION,
}
_ROUTE_RULES = 16  # HTTPRoute spec.rules MaxItems


def _slug(host: str | None) -> str:
    return (
        "all-hosts" if host is None else host.replace("*", "wildcard").replace(".", "-")
    )


def ingress_to_gateway(
    objects: Iterable[Mapping[str, Any]],
) -> tuple[list[dict], list[MigrationWarning]]:
    """Translate Ingresses into a Gateway per (namespace, ingress class) and HTTPRoutes,
    with warnings.

    The common subset carries over: hosts become HTTPRoute ``hostnames``, ``Exact`` and
    ``Prefix`` paths become ``Exact`` and ``PathPrefix`` matches, backends become
    ``backendRefs`` (a port name is looked up in the Service), TLS hosts become HTTPS
    listeners (port 443) with the Secret in ``certificateRefs``, next to one HTTP
    listener (port 80) without hostname, and the class becomes ``gatewayClassName``. A
    :class:`MigrationWarning` names every place where the meaning changes or something
    is left out: ``ImplementationSpecific`` paths (translated as ``PathPrefix``),
    wildcard hosts (one label in an Ingress, one or more in the Gateway API), the
    Ingress-wide ``defaultBackend`` (translated as a catch-all HTTPRoute; the Gateway
    API has no such field), rules without host next to rules with hosts (an Ingress
    never falls back from a host's rules to them; in the Gateway API all attached routes
    compete), TLS (ingress-nginx redirects HTTP to HTTPS by default; the Gateway serves
    both until you add a redirect), controller annotations (not translated), resource
    backends and unknown port names (left out), and identical paths in two Ingresses
    (the tie-break changes). The objects returned are Kubernetes dicts, as
    ``kubectl apply`` takes them; route them together with the Services.

    Examples
    --------
    >>> ing = {
    ...     "apiVersion": "networking.k8s.io/v1",
    ...     "kind": "Ingress",
    ...     "metadata": {"name": "web", "namespace": "shop"},
    ...     "spec": {
    ...         "ingressClassName": "nginx",
    ...         "rules": [
    ...             {
    ...                 "host": "*.example.com",
    ...                 "http": {
    ...                     "paths": [
    ...                         {
    ...                             "path": "/",
    ...                             "pathType": "Prefix",
    ...                             "backend": {
    ...                                 "service": {
    ...                                     "name": "frontend",
    ...                                     "port": {"number": 80},
    ...                                 }
    ...                             },
    ...                         }
    ...                     ]
    ...                 },
    ...             }
    ...         ],
    ...     },
    ... }
    >>> translated, warnings = ingress_to_gateway([ing])
    >>> [(o["kind"], o["metadata"]["name"]) for o in translated]
    [('Gateway', 'nginx'), ('HTTPRoute', 'web-wildcard-example-com')]
    >>> [w.field for w in warnings]
    ['spec.ingressClassName', 'spec.rules[0].host']
    """
    from .ingress import (
        Router as IngressRouter,
    )  # the Ingress side: validation, class and tie-break order

    objects = list(objects)
    origin_of = getattr(objects, "origin", None)
    for obj in objects:
        if isinstance(obj, Mapping) and obj.get("kind") == "Ingress":
            validate_ingress(obj, origin_of(obj) if callable(origin_of) else None)
    ingress_router = IngressRouter(objects)
    by_ref = {
        IngressRouter._ref(o): o
        for o in objects
        if isinstance(o, Mapping) and o.get("kind") == "Ingress"
    }
    default_class = IngressRouter._default_class(objects)
    named_ports = {}
    for obj in objects:
        if isinstance(obj, Mapping) and obj.get("kind") == "Service":
            for port in (obj.get("spec") or {}).get("ports") or []:
                if isinstance(port, Mapping) and port.get("name"):
                    named_ports[(_ns(obj), _name(obj), port["name"])] = port.get("port")
    groups: dict[tuple[str, str | None], list[str]] = {}
    for (
        ref
    ) in ingress_router.ingresses:  # oldest first, as the Ingress router orders them
        obj = by_ref[ref]
        groups.setdefault(
            (_ns(obj), IngressRouter._class_of(obj, default_class)), []
        ).append(ref)

    gateways: list[dict] = []
    routes: list[dict] = []
    warnings: list[MigrationWarning] = []
    for (namespace, ingress_class), refs in groups.items():
        gateway_name = ingress_class or "default"
        listeners: list[dict] = [{"name": "http", "port": 80, "protocol": "HTTP"}]
        tls_hosts: dict[str | None, str] = {}
        claimed: dict[tuple, str] = {}
        for ref in refs:
            ing, say = (
                by_ref[ref],
                (lambda f, m, r=ref: warnings.append(MigrationWarning(r, f, m))),
            )
            spec, meta = ing.get("spec") or {}, ing.get("metadata") or {}
            if ref == refs[0]:
                if ingress_class:
                    say(
                        "spec.ingressClassName"
                        if spec.get("ingressClassName")
                        else "metadata.annotations",
                        f'the Gateway names GatewayClass "{gateway_name}": a '
                        "GatewayClass of that name must exist, "
                        "implemented by a Gateway API controller "
                        "(ingress-nginx does not implement the Gateway API)",
                    )
                else:
                    say(
                        "spec.ingressClassName",
                        'no ingress class: the Gateway names GatewayClass "default", '
                        "which must exist",
                    )
            for key in sorted((meta.get("annotations") or {})):
                if key not in _KEPT_ANNOTATIONS:
                    say(
                        f"metadata.annotations[{key}]",
                        "a controller annotation is not translated: express it "
                        "with an HTTPRoute filter or the "
                        "implementation's own policy, or leave it out",
                    )
            for i, entry in enumerate(spec.get("tls") or []):
                secret = entry.get("secretName")
                if not secret:
                    say(
                        f"spec.tls[{i}]",
                        "no secretName: the controller's default certificate has no "
                        "Gateway API equivalent; no HTTPS listener made",
                    )
                    continue
                for host in entry.get("hosts") or [None]:
                    if host in tls_hosts:
                        continue
                    tls_hosts[host] = secret
                    listener: dict[str, Any] = {
                        "name": f"https-{_slug(host)}" if host else "https"
                    }
                    if host:
                        listener["hostname"] = host
                    listener.update(
                        {
                            "port": 443,
                            "protocol": "HTTPS",
                            "tls": {
                                "certificateRefs": [{"kind": "Secret", "name": secret}]
                            },
                        }
                    )
                    listeners.append(listener)
                entry_hosts = entry.get("hosts") or [None]
                say(
                    f"spec.tls[{i}]",
                    f"HTTPS listeners with Secret {secret} for "
                    f"{', '.join(h or 'any host' for h in entry_hosts)}"
                    "; plain HTTP is still served "
                    "on port 80, whereas ingress-nginx redirects it to "
                    "HTTPS (308) by default: add an HTTPRoute "
                    "with a RequestRedirect filter on the http listener "
                    "to keep that; hosts without TLS get no "
                    "HTTPS listener (ingress-nginx serves them "
                    "with its default certificate)",
                )
            hosts: dict[str | None, list[dict]] = {}
            rule_hosts = [rule.get("host") or None for rule in spec.get("rules") or []]
            for i, rule in enumerate(spec.get("rules") or []):
                host = rule.get("host") or None
                if host and host.startswith("*."):
                    say(
                        f"spec.rules[{i}].host",
                        f"{host}: in an Ingress the * stands for exactly one label; as "
                        "an HTTPRoute hostname it matches one or "
                        f"more (a.b{host[1:]} too)",
                    )
                if host is None and any(h is not None for h in rule_hosts):
                    say(
                        f"spec.rules[{i}]",
                        "a rule without host becomes a route "
                        "without hostnames: in an Ingress, "
                        "a request whose host has rules never falls back to it; in the "
                        "Gateway API its paths compete with every host's",
                    )
                for j, item in enumerate((rule.get("http") or {}).get("paths") or []):
                    where = f"spec.rules[{i}].http.paths[{j}]"
                    backend = _translated_backend(
                        item["backend"], namespace, named_ports, f"{where}.backend", say
                    )
                    if backend is None:
                        continue
                    path_type, value = item["pathType"], item.get("path") or "/"
                    if path_type == "ImplementationSpecific":
                        say(
                            f"{where}.pathType",
                            f"ImplementationSpecific {value} translated as PathPrefix: "
                            "ingress-nginx matched it as a character prefix "
                            "(every path that starts with those "
                            "characters), other controllers as they "
                            "document; check every such path",
                        )
                    gateway_type = "Exact" if path_type == "Exact" else "PathPrefix"
                    key = (host, gateway_type, value)
                    if key in claimed:
                        say(
                            where,
                            f"the same {path_type} path {value} for "
                            f"{host or 'any host'} is in Ingress "
                            f"{claimed[key]}: the Ingress router gives it to "
                            "the older Ingress; the translated "
                            "HTTPRoutes get new creation timestamps, so "
                            "the tie goes by namespace/name",
                        )
                    claimed.setdefault(key, ref)
                    hosts.setdefault(host, []).append(
                        {
                            "matches": [
                                {"path": {"type": gateway_type, "value": value}}
                            ],
                            "backendRefs": [backend],
                        }
                    )
            name = str(meta.get("name"))
            for host, rules in hosts.items():
                for part in range(0, len(rules), _ROUTE_RULES):
                    suffix = "" if part == 0 else f"-{part // _ROUTE_RULES + 1}"
                    route_spec: dict[str, Any] = {
                        "parentRefs": [{"name": gateway_name}]
                    }
                    if host:
                        route_spec["hostnames"] = [host]
                    route_spec["rules"] = rules[part : part + _ROUTE_RULES]
                    routes.append(
                        {
                            "apiVersion": f"{GROUP}/v1",
                            "kind": "HTTPRoute",
                            "metadata": {
                                "name": f"{name}-{_slug(host)}{suffix}",
                                "namespace": namespace,
                            },
                            "spec": route_spec,
                        }
                    )
            if spec.get("defaultBackend") is not None:
                backend = _translated_backend(
                    spec["defaultBackend"],
                    namespace,
                    named_ports,
                    "spec.defaultBackend",
                    say,
                )
                if backend is not None:
                    routes.append(
                        {
                            "apiVersion": f"{GROUP}/v1",
                            "kind": "HTTPRoute",
                            "metadata": {
                                "name": f"{name}-default-backend",
                                "namespace": namespace,
                            },
                            "spec": {
                                "parentRefs": [{"name": gateway_name}],
                                "rules": [{"backendRefs": [backend]}],
                            },
                        }
                    )
                    say(
                        "spec.defaultBackend",
                        "the Gateway API has no Ingress-wide "
                        "default backend: translated as "
                        f"HTTPRoute {name}-default-backend, without hostnames "
                        "and with the default match PathPrefix /, "
                        "which takes what no more specific rule matches on "
                        "every listener it attaches to (an HTTPS "
                        "listener only serves its own hostname); ingress-nginx, for "
                        "its part, uses an Ingress's default backend "
                        "only when that Ingress has no rules",
                    )
        gateways.append(
            {
                "apiVersion": f"{GROUP}/v1",
                "kind": "Gateway",
                "metadata": {"name": gateway_name, "namespace": namespace},
                "spec": {"gatewayClassName": gateway_name, "listeners": listeners},
            }
        )
    return [*gateways, *routes], warnings


def _translated_backend(
    backend: Mapping, namespace: str, named_ports: Mapping, where: str, say
) -> dict | None:
    service = backend.get("service")
    if service is None:
        say(
            f"{where}.resource",
            "a resource backend has no HTTPRoute equivalent in the core API; left out",
        )
        return None
    port = service.get("port") or {}
    number = port.get("number")
    if number is None:
        number = named_ports.get((namespace, service["name"], port.get("name")))
        if number is None:
            say(
                f"{where}.service.port.name",
                f"port name {port.get('name')} is not a port of a Service "
                f"{namespace}/{service['name']} among the objects: a "
                "backendRef needs the number; left out",
            )
            return None
    return {"name": service["name"], "port": number}


def compare_with_ingress(
    objects: Iterable[Mapping[str, Any]],
    requests: Iterable[tuple[str | None, str]],
    *,
    port: int | None = 80,
) -> pd.DataFrame:
    """Route the same requests through the Ingresses and through their translation; one
    row each.

    The Ingresses are routed by :class:`~ingress_egress.k8s.ingress.Router` (the
    specification's default backend), their translation (:func:`ingress_to_gateway`) by
    :class:`GatewayRouter` together with the other objects (Services, Namespaces) on the
    listener ``port``. Columns: ``host``, ``path``, ``ingress`` and ``gateway``
    (``namespace/service:port``, or the status code when no backend serves the request)
    and ``same``.

    >>> ing = {
    ...     "apiVersion": "networking.k8s.io/v1",
    ...     "kind": "Ingress",
    ...     "metadata": {"name": "w", "namespace": "s"},
    ...     "spec": {
    ...         "rules": [
    ...             {
    ...                 "host": "*.example.com",
    ...                 "http": {
    ...                     "paths": [
    ...                         {
    ...                             "path": "/",
    ...                             "pathType": "Prefix",
    ...                             "backend": {
    ...                                 "service": {
    ...                                     "name": "web",
    ...                                     "port": {"number": 80},
    ...                                 }
    ...                             },
    ...                         }
    ...                     ]
    ...                 },
    ...             }
    ...         ]
    ...     },
    ... }
    >>> svc = {
    ...     "apiVersion": "v1",
    ...     "kind": "Service",
    ...     "metadata": {"name": "web", "namespace": "s"},
    ...     "spec": {"ports": [{"port": 80}]},
    ... }
    >>> compare_with_ingress(
    ...     [ing, svc], [("a.example.com", "/"), ("a.b.example.com", "/")]
    ... )["gateway"].tolist()
    ['s/web:80', 's/web:80']
    """
    from .ingress import Router as IngressRouter

    objects = list(objects)
    translated, _ = ingress_to_gateway(objects)
    ingress_router = IngressRouter(objects)
    gateway_router = GatewayRouter(
        [*(o for o in objects if o.get("kind") != "Ingress"), *translated]
    )
    named = {
        (_ns(o), _name(o), p.get("name")): p.get("port")
        for o in objects
        if o.get("kind") == "Service"
        for p in (o.get("spec") or {}).get("ports") or []
        if isinstance(p, Mapping)
    }
    rows = []
    for host, path in requests:
        backend = ingress_router.route(host, path)
        if backend is None or backend.service is None:
            ingress_answer = "404" if backend is None else backend.target
        else:
            number = (
                backend.port
                if isinstance(backend.port, int)
                else named.get(
                    (backend.namespace, backend.service, backend.port), backend.port
                )
            )
            ingress_answer = f"{backend.namespace}/{backend.service}:{number}"
        response = gateway_router.route(host, path, port=port)
        gateway_answer = (
            response.backend if response.status == 200 else str(response.status)
        )
        rows.append(
            {
                "host": host,
                "path": path,
                "ingress": ingress_answer,
                "gateway": gateway_answer,
                "same": ingress_answer == gateway_answer,
            }
        )
    return pd.DataFrame(rows, columns=["host", "path", "ingress", "gateway", "same"])
