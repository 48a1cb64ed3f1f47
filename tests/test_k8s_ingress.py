"""Tests for ingress_egress.k8s.ingress: the Ingress router, checked against the
upstream specification.

Expected values come from three independent sources, never from the router's own output:

- the Kubernetes documentation, "Ingress"
  (https://kubernetes.io/docs/concepts/services-networking/ingress/, read 2026-11-27):
  the "Examples" table of path types and the "Hostname wildcards" table, reproduced row
  by row, plus its example manifests (ingress-resource-backend.yaml,
  name-virtual-host-ingress-no-third-host.yaml, ingress-wildcard-host.yaml from
  kubernetes/website content/en/examples/service/networking/);
- the kubernetes-sigs/ingress-controller-conformance features
  (features/path_rules.feature, features/host_rules.feature,
  features/default_backend.feature, read 2026-11-27): each scenario is a case;
- the API server's validation (kubernetes/kubernetes
  pkg/apis/networking/validation/validation.go, read 2026-11-27) for the error messages
  and field paths.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ingress_egress.k8s.ingress import (
    DEFAULT_BACKEND_MODES,
    Backend,
    Router,
    host_matches,
    normalize_host,
    path_matches,
    route,
    validate_ingress,
)
from ingress_egress.k8s.manifests import ManifestError, load_manifests

REPO = Path(__file__).resolve().parents[1]
SHOP_INGRESS = REPO / "data" / "k8s" / "ingress.yaml"


def backend(name: str, port: int | str = 80) -> dict:
    key = "number" if isinstance(port, int) else "name"
    return {"service": {"name": name, "port": {key: port}}}


def ingress(
    paths=(),
    *,
    host=None,
    name="test",
    namespace=None,
    default=None,
    rules=None,
    **spec_extra,
) -> dict:
    """An Ingress dict: one rule with ``paths`` [(path, pathType, service)], or explicit
    ``rules``.
    """
    if rules is None:
        rule = {
            "http": {
                "paths": [
                    {"path": p, "pathType": t, "backend": backend(s)}
                    for p, t, s in paths
                ]
            }
        }
        if host:
            rule["host"] = host
        rules = [rule] if paths or host else []
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    spec = {**({"rules": rules} if rules else {}), **spec_extra}
    if default:
        spec["defaultBackend"] = backend(default)
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta,
        "spec": spec,
    }


# --------------------------------------------------------------------------------------
# The "Examples" table of
# https://kubernetes.io/docs/concepts/services-networking/ingress/#examples (read
# 2026-11-27), every row. Columns: Kind | Path(s) | Request path(s) | Matches? Each path
# gets its own Service (svc-0, svc-1, ...) so the test can tell which one matched; the
# expected column is the index of the path that must serve the request, or None for
# "No". "(all paths)" is expanded to a few sample request paths.

ALL_PATHS = ["/", "/foo", "/foo/", "/aaa/bbb/ccc", "/FOO", "/a-b_c.d~e"]
DOCS_EXAMPLES = [
    # kind, paths [(path, type)], request paths, matches (index)
    ("Prefix", [("/", "Prefix")], ALL_PATHS, 0),  # Yes
    ("Exact", [("/foo", "Exact")], ["/foo"], 0),  # Yes
    ("Exact", [("/foo", "Exact")], ["/bar"], None),  # No
    ("Exact", [("/foo", "Exact")], ["/foo/"], None),  # No
    ("Exact", [("/foo/", "Exact")], ["/foo"], None),  # No
    ("Prefix", [("/foo", "Prefix")], ["/foo", "/foo/"], 0),  # Yes
    ("Prefix", [("/foo/", "Prefix")], ["/foo", "/foo/"], 0),  # Yes
    ("Prefix", [("/aaa/bb", "Prefix")], ["/aaa/bbb"], None),  # No
    ("Prefix", [("/aaa/bbb", "Prefix")], ["/aaa/bbb"], 0),  # Yes
    (
        "Prefix",
        [("/aaa/bbb/", "Prefix")],
        ["/aaa/bbb"],
        0,
    ),  # Yes, ignores trailing slash
    (
        "Prefix",
        [("/aaa/bbb", "Prefix")],
        ["/aaa/bbb/"],
        0,
    ),  # Yes, matches trailing slash
    ("Prefix", [("/aaa/bbb", "Prefix")], ["/aaa/bbb/ccc"], 0),  # Yes, matches subpath
    (
        "Prefix",
        [("/aaa/bbb", "Prefix")],
        ["/aaa/bbbxyz"],
        None,
    ),  # No, does not match string prefix
    (
        "Prefix",
        [("/", "Prefix"), ("/aaa", "Prefix")],
        ["/aaa/ccc"],
        1,
    ),  # Yes, matches /aaa prefix
    (
        "Prefix",
        [("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")],
        ["/aaa/bbb"],
        2,
    ),  # Yes, matches /aaa/bbb prefix
    (
        "Prefix",
        [("/", "Prefix"), ("/aaa", "Prefix"), ("/aaa/bbb", "Prefix")],
        ["/ccc"],
        0,
    ),  # Yes, matches / prefix
    ("Prefix", [("/aaa", "Prefix")], ["/ccc"], "default"),  # No, uses default backend
    (
        "Mixed",
        [("/foo", "Prefix"), ("/foo", "Exact")],
        ["/foo"],
        1,
    ),  # Yes, prefers Exact
]


@pytest.mark.parametrize(
    ("kind", "paths", "request_path", "expected"),
    [
        (kind, paths, request, expected)
        for kind, paths, requests, expected in DOCS_EXAMPLES
        for request in requests
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_documentation_examples_table(kind, paths, request_path, expected):
    with_default = expected == "default"
    ing = ingress(
        [(p, t, f"svc-{i}") for i, (p, t) in enumerate(paths)],
        default="default-svc" if with_default else None,
    )
    got = route([ing], "any.example.com", request_path)
    if expected is None:
        assert got is None
    elif expected == "default":
        assert (
            got is not None
            and got.service == "default-svc"
            and got.rule_matched is False
        )
    else:
        assert got is not None and got.rule_matched
        assert got.service == f"svc-{expected}"
        assert (got.path, got.path_type) == paths[expected]


def test_documentation_mixed_row_does_not_depend_on_listing_order():
    # "Mixed | /foo (Prefix), /foo (Exact) | /foo | Yes, prefers Exact": list Exact
    # first, then Prefix.
    ing = ingress([("/foo", "Exact", "exact"), ("/foo", "Prefix", "prefix")])
    assert route([ing], None, "/foo").service == "exact"
    assert route([ing], None, "/foo/").service == "prefix"


# --------------------------------------------------------------------------------------
# "Hostname wildcards" table (same page, read 2026-11-27): Host | Host header | Match?


@pytest.mark.parametrize(
    ("rule_host", "host_header", "matches"),
    [
        ("*.foo.com", "bar.foo.com", True),  # Matches based on shared suffix
        (
            "*.foo.com",
            "baz.bar.foo.com",
            False,
        ),  # No match, wildcard only covers a single DNS label
        (
            "*.foo.com",
            "foo.com",
            False,
        ),  # No match, wildcard only covers a single DNS label
    ],
)
def test_documentation_hostname_wildcards_table(rule_host, host_header, matches):
    assert host_matches(rule_host, host_header) is matches
    got = route([ingress([("/", "Prefix", "wild")], host=rule_host)], host_header, "/")
    assert (got is not None) is matches


def test_documentation_wildcard_host_example():
    # service/networking/ingress-wildcard-host.yaml: foo.bar.com /bar -> service1,
    # *.foo.com /foo -> service2.
    ing = ingress(
        rules=[
            {
                "host": "foo.bar.com",
                "http": {
                    "paths": [
                        {
                            "pathType": "Prefix",
                            "path": "/bar",
                            "backend": backend("service1"),
                        }
                    ]
                },
            },
            {
                "host": "*.foo.com",
                "http": {
                    "paths": [
                        {
                            "pathType": "Prefix",
                            "path": "/foo",
                            "backend": backend("service2"),
                        }
                    ]
                },
            },
        ]
    )
    assert route([ing], "foo.bar.com", "/bar/x").service == "service1"
    assert route([ing], "app.foo.com", "/foo").service == "service2"
    assert (
        route([ing], "foo.bar.com", "/foo") is None
    )  # the host picks the rule; its path does not match
    assert route([ing], "foo.com", "/foo") is None  # wildcard needs one more label


def test_documentation_virtual_hosts_with_catch_all():
    # service/networking/name-virtual-host-ingress-no-third-host.yaml: "routes traffic
    # requested for first.bar.com to service1, second.bar.com to service2, and any
    # traffic whose request host header doesn't match first.bar.com and second.bar.com
    # to service3".
    text = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: name-virtual-host-ingress-no-third-host}
spec:
  rules:
  - host: first.bar.com
    http: {paths: [{pathType: Prefix, path: /, backend: {service: {name: service1,
           port: {number: 80}}}}]}
  - host: second.bar.com
    http: {paths: [{pathType: Prefix, path: /, backend: {service: {name: service2,
           port: {number: 80}}}}]}
  - http: {paths: [{pathType: Prefix, path: /, backend: {service: {name: service3,
           port: {number: 80}}}}]}
"""
    objects = load_manifests(text)
    assert route(objects, "first.bar.com", "/").service == "service1"
    assert route(objects, "second.bar.com", "/x").service == "service2"
    assert route(objects, "third.bar.com", "/").service == "service3"
    assert route(objects, None, "/").service == "service3"  # no Host header at all


def test_documentation_resource_backend_example():
    # service/networking/ingress-resource-backend.yaml (the page's "Resource backends"
    # section).
    text = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ingress-resource-backend}
spec:
  defaultBackend:
    resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static-assets}
  rules:
  - http:
      paths:
      - path: /icons
        pathType: ImplementationSpecific
        backend:
          resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: icon-assets}
"""
    objects = load_manifests(text)
    icons = route(objects, "x.example", "/icons/cart.svg")
    assert icons.service is None and icons.port is None and icons.rule_matched
    assert icons.resource == {
        "apiGroup": "k8s.example.com",
        "kind": "StorageBucket",
        "name": "icon-assets",
    }
    other = route(objects, "x.example", "/index.html")
    assert other.rule_matched is False and other.resource["name"] == "static-assets"
    assert other.target == "StorageBucket static-assets"


# --------------------------------------------------------------------------------------
# kubernetes-sigs/ingress-controller-conformance, features/path_rules.feature (read
# 2026-11-27). The Background Ingress, verbatim in substance; then one case per Scenario
# (host, path, service or 404).

PATH_RULES_BACKGROUND = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: path-rules
spec:
  rules:
    - host: "exact-path-rules"
      http:
        paths:
          - {path: /foo, pathType: Exact, backend: {service: {name: foo-exact,
             port: {number: 8080}}}}
    - host: "prefix-path-rules"
      http:
        paths:
          - {path: /foo, pathType: Prefix, backend: {service: {name: foo-prefix,
             port: {number: 8080}}}}
          - {path: /aaa/bbb, pathType: Prefix,
             backend: {service: {name: aaa-slash-bbb-prefix, port: {number: 8080}}}}
          - {path: /aaa, pathType: Prefix, backend: {service: {name: aaa-prefix,
             port: {number: 8080}}}}
    - host: "mixed-path-rules"
      http:
        paths:
          - {path: /foo, pathType: Prefix, backend: {service: {name: foo-prefix,
             port: {number: 8080}}}}
          - {path: /foo, pathType: Exact, backend: {service: {name: foo-exact,
             port: {number: 8080}}}}
    - host: "trailing-slash-path-rules"
      http:
        paths:
          - {path: /aaa/bbb/, pathType: Prefix,
             backend: {service: {name: aaa-slash-bbb-slash-prefix,
             port: {number: 8080}}}}
          - {path: /foo/, pathType: Exact, backend: {service: {name: foo-slash-exact,
             port: {number: 8080}}}}
"""

PATH_RULES_SCENARIOS = [
    ("exact-path-rules", "/foo", "foo-exact"),  # exact /foo matches request /foo
    ("exact-path-rules", "/foo/", None),  # exact /foo does not match request /foo/
    ("exact-path-rules", "/FOO", None),  # exact rules are case sensitive
    ("exact-path-rules", "/bar", None),  # exact /foo does not match request /bar
    ("prefix-path-rules", "/foo", "foo-prefix"),  # prefix /foo matches request /foo
    ("prefix-path-rules", "/foo/", "foo-prefix"),  # prefix /foo matches request /foo/
    ("prefix-path-rules", "/FOO", None),  # prefix rules are case sensitive
    ("prefix-path-rules", "/aaa/bbb", "aaa-slash-bbb-prefix"),  # longest path wins
    (
        "prefix-path-rules",
        "/aaa/bbb/ccc",
        "aaa-slash-bbb-prefix",
    ),  # longest path wins, subpaths
    (
        "prefix-path-rules",
        "/aaa/ccc",
        "aaa-prefix",
    ),  # prefix /aaa matches request /aaa/ccc
    ("prefix-path-rules", "/aaaccc", None),  # prefix /aaa does not match /aaaccc
    ("mixed-path-rules", "/foo", "foo-exact"),  # Exact is preferred
    (
        "trailing-slash-path-rules",
        "/aaa/bbb",
        "aaa-slash-bbb-slash-prefix",
    ),  # prefix /aaa/bbb/ matches /aaa/bbb
    (
        "trailing-slash-path-rules",
        "/aaa/bbb/",
        "aaa-slash-bbb-slash-prefix",
    ),  # prefix /aaa/bbb/ matches /aaa/bbb/
    ("trailing-slash-path-rules", "/foo", None),  # exact /foo/ does not match /foo
]


@pytest.mark.parametrize(("host", "path", "service"), PATH_RULES_SCENARIOS)
def test_conformance_path_rules(host, path, service):
    got = route(load_manifests(PATH_RULES_BACKGROUND), host, path)
    if service is None:
        assert got is None  # "the response status-code must be 404"
    else:
        assert got is not None and got.service == service and got.port == 8080


# features/host_rules.feature (read 2026-11-27).
HOST_RULES_BACKGROUND = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: host-rules
spec:
  tls:
    - hosts:
        - foo.bar.com
      secretName: conformance-tls
  rules:
    - host: "*.foo.com"
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: wildcard-foo-com,
             port: {number: 8080}}}}
    - host: foo.bar.com
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: foo-bar-com,
             port: {name: http}}}}
"""


@pytest.mark.parametrize(
    ("host", "service", "port"),
    [
        (
            "foo.bar.com",
            "foo-bar-com",
            "http",
        ),  # https://foo.bar.com and http://foo.bar.com
        (
            "subdomain.bar.com",
            None,
            None,
        ),  # host foo.bar.com does not match subdomain.bar.com
        (
            "bar.foo.com",
            "wildcard-foo-com",
            8080,
        ),  # wildcard: matches based on shared suffix
        ("baz.bar.foo.com", None, None),  # wildcard covers a single DNS label only
        ("foo.com", None, None),  # wildcard does not match no label
    ],
)
def test_conformance_host_rules(host, service, port):
    got = route(load_manifests(HOST_RULES_BACKGROUND), host, "/")
    if service is None:
        assert got is None
    else:
        assert (got.service, got.port) == (service, port)


def test_conformance_host_rules_tls_secret():
    # "the secure connection must verify the foo.bar.com hostname": the controller
    # presents conformance-tls.
    router = Router(load_manifests(HOST_RULES_BACKGROUND))
    assert router.tls_secret("foo.bar.com") == "default/conformance-tls"
    assert (
        router.tls_secret("bar.foo.com") is None
    )  # routed, but no certificate named for it


def test_tls_secret_wildcard_hosts_and_fallback_entry():
    # IngressTLS.hosts follow the host rules' wildcard form (one label); an entry
    # without hosts covers any host.
    older = ingress(
        name="a",
        default="web",
        tls=[{"hosts": ["*.example.com"], "secretName": "wild-tls"}],
    )
    older["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z"
    newer = ingress(
        name="b",
        default="web",
        tls=[
            {"hosts": ["shop.example.com"], "secretName": "shop-tls"},
            {"secretName": "any-tls"},
        ],
    )
    router = Router([newer, older])
    assert router.tls_secret("berlin.example.com:443") == "default/wild-tls"
    assert (
        router.tls_secret("shop.example.com") == "default/wild-tls"
    )  # the older Ingress's entry comes first
    assert router.tls_secret("eu.berlin.example.com") == "default/any-tls"
    assert Router([older]).tls_secret("example.com") is None


# features/default_backend.feature (read 2026-11-27): "An Ingress with no rules sends
# all traffic to the single default backend". Scenario Outline examples: | method |
# host | path | (the method does not route).
DEFAULT_BACKEND_SPEC = (
    "defaultBackend:\n  service:\n    name: "
    "echo-service\n    port:\n      number: 8080\n"
)


@pytest.mark.parametrize(
    ("method", "host", "path"),
    [
        ("GET", "my-host", ""),
        ("GET", "my-host", "sub-path"),
        ("POST", "some-host", ""),
        ("PUT", "", "resource"),
        ("DELETE", "some-host", "resource"),
        ("PATCH", "my-host", "resource"),
    ],
)
def test_conformance_default_backend(method, host, path):
    ing = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "default-backend"},
        "spec": yaml.safe_load(DEFAULT_BACKEND_SPEC),
    }
    for mode in (
        DEFAULT_BACKEND_MODES
    ):  # an Ingress without rules is the catch-all in both readings
        got = route([ing], host, "/" + path, default_backend=mode)
        assert (got.service, got.port, got.rule_matched) == (
            "echo-service",
            8080,
            False,
        )
        assert got.rule == "spec.defaultBackend"


# --------------------------------------------------------------------------------------
# Requests: Host header normalization, query strings, bad input.


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("shop.example.com:8443", "shop.example.com"),
        ("SHOP.Example.COM", "shop.example.com"),
        ("shop.example.com.", "shop.example.com"),
        ("shop.example.com:", "shop.example.com"),
        ("[2001:db8::7]:443", "[2001:db8::7]"),
        ("192.0.2.10:80", "192.0.2.10"),
        ("", None),
        (None, None),
    ],
)
def test_normalize_host(header, expected):
    assert normalize_host(header) == expected


def test_port_in_host_header_is_ignored_and_query_is_not_part_of_the_path():
    ing = ingress([("/cart", "Exact", "cart")], host="shop.example.com")
    assert route([ing], "shop.example.com:443", "/cart?item=42#top").service == "cart"


def test_request_to_an_ip_address_only_matches_rules_without_host():
    objects = [
        ingress([("/", "Prefix", "named")], host="shop.example.com", name="a"),
        ingress([("/", "Prefix", "any")], name="b"),
    ]
    assert route(objects, "203.0.113.7", "/").service == "any"


@pytest.mark.parametrize("bad", ["cart", "", None])
def test_request_path_must_be_absolute(bad):
    with pytest.raises(ValueError, match="request path must start with '/'"):
        route([ingress([("/", "Prefix", "x")])], "h.example", bad)


def test_no_ingress_at_all_is_a_404():
    assert route([], "shop.example.com", "/") is None
    assert (
        route(
            [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"}}],
            "h",
            "/",
        )
        is None
    )


# --------------------------------------------------------------------------------------
# Choices the specification leaves to the controller (documented in the module
# docstring).


def test_implementation_specific_modes():
    # ingress-nginx writes an ImplementationSpecific path as a plain nginx `location
    # /foo`: a character prefix.
    ing = ingress([("/foo", "ImplementationSpecific", "impl")])
    assert route([ing], None, "/foobar").service == "impl"
    assert route([ing], None, "/foobar", implementation_specific="prefix") is None
    assert (
        route([ing], None, "/foo/bar", implementation_specific="prefix").service
        == "impl"
    )
    assert route([ing], None, "/foo/bar", implementation_specific="exact") is None
    assert route([ing], None, "/foo", implementation_specific="exact").service == "impl"
    with pytest.raises(ValueError, match="implementation_specific must be one of"):
        route([ing], None, "/", implementation_specific="regex")


def test_implementation_specific_empty_path_means_everything():
    ing = ingress(
        rules=[
            {
                "http": {
                    "paths": [
                        {
                            "pathType": "ImplementationSpecific",
                            "backend": backend("all"),
                        }
                    ]
                }
            }
        ]
    )
    assert route([ing], None, "/anything/at/all").service == "all"


def test_exact_beats_implementation_specific_and_prefix_at_equal_length():
    ing = ingress(
        [
            ("/foo", "ImplementationSpecific", "impl"),
            ("/foo", "Prefix", "prefix"),
            ("/foo", "Exact", "exact"),
        ]
    )
    assert route([ing], None, "/foo").service == "exact"
    assert (
        route([ing], None, "/foo/x").service == "prefix"
    )  # Prefix ranks above a character prefix at equal length
    assert route([ing], None, "/foox").service == "impl"


def test_longest_path_is_measured_without_prefix_trailing_slash():
    # Prefix /foo/ means the same as Prefix /foo, so it does not out-rank Exact /foo for
    # the request /foo.
    ing = ingress([("/foo/", "Prefix", "prefix"), ("/foo", "Exact", "exact")])
    assert route([ing], None, "/foo").service == "exact"


def test_host_groups_precise_then_wildcard_then_no_host_without_fall_through():
    objects = [
        ingress(
            [("/api", "Prefix", "precise")], host="shop.example.com", name="precise"
        ),
        ingress([("/", "Prefix", "wildcard")], host="*.example.com", name="wildcard"),
        ingress([("/", "Prefix", "catch-all")], name="catch-all"),
    ]
    assert route(objects, "shop.example.com", "/api/x").service == "precise"
    # The precise host owns the request: its paths do not match and there is no default
    # backend, so 404 (the wildcard's and the catch-all's "/" are not consulted).
    assert route(objects, "shop.example.com", "/cart") is None
    assert route(objects, "blog.example.com", "/cart").service == "wildcard"
    assert route(objects, "example.com", "/").service == "catch-all"
    assert route(objects, "other.test", "/").service == "catch-all"


def test_rules_of_several_ingresses_for_one_host_are_merged():
    objects = [
        ingress([("/", "Prefix", "frontend")], host="shop.example.com", name="web"),
        ingress([("/api", "Prefix", "api")], host="shop.example.com", name="api"),
    ]
    assert route(objects, "shop.example.com", "/api/v1").service == "api"
    assert route(objects, "shop.example.com", "/api/v1").ingress == "default/api"
    assert route(objects, "shop.example.com", "/").ingress == "default/web"


def test_conflicting_rules_oldest_ingress_wins_then_namespace_and_name():
    def make(name, namespace, stamp=None):
        ing = ingress(
            [("/", "Prefix", f"from-{name}")],
            host="shop.example.com",
            name=name,
            namespace=namespace,
        )
        if stamp:
            ing["metadata"]["creationTimestamp"] = stamp
        return ing

    newer = make("a-newer", "shop", "2026-03-02T10:00:00Z")
    older = make("z-older", "shop", "2026-03-01T10:00:00Z")
    unstamped = make("a-unstamped", "aaa")
    assert (
        route([newer, older, unstamped], "shop.example.com", "/").service
        == "from-z-older"
    )
    assert Router([newer, older, unstamped]).ingresses == [
        "shop/z-older",
        "shop/a-newer",
        "aaa/a-unstamped",
    ]
    # Without timestamps: namespace, then name, alphabetical, whatever the listing
    # order.
    assert (
        route(
            [make("b", "shop"), make("a", "shop"), make("c", "prod")],
            "shop.example.com",
            "/",
        ).service
        == "from-c"
    )
    # Timestamps as YAML writes them unquoted (PyYAML gives datetime objects) compare
    # the same way.
    objects = load_manifests(
        yaml.safe_dump_all([newer, older]).replace("'2026", "2026").replace("Z'", "Z")
    )
    assert route(objects, "shop.example.com", "/").service == "from-z-older"


def test_default_backend_of_the_host_owner_first_then_any():
    objects = [
        ingress(
            [("/", "Exact", "root")],
            host="a.example.com",
            name="a",
            default="a-default",
        ),
        ingress([("/", "Exact", "root")], host="b.example.com", name="b"),
        ingress(name="c-catch-all", default="c-default"),
    ]
    assert route(objects, "a.example.com", "/missing").service == "a-default"
    assert (
        route(objects, "b.example.com", "/missing").service == "a-default"
    )  # b has none: first of all
    assert route(objects, "c.example.com", "/").service == "a-default"
    only_catch_all = [objects[1], objects[2]]
    assert route(only_catch_all, "b.example.com", "/missing").service == "c-default"
    # When the host's own Ingress has a default backend, it wins over an older
    # Ingress's.
    objects[1] = ingress(
        [("/", "Exact", "root")], host="b.example.com", name="b", default="b-default"
    )
    assert route(objects, "b.example.com", "/missing").service == "b-default"
    assert route(objects, "c.example.com", "/").service == "a-default"


# --------------------------------------------------------------------------------------
# The default backend as ingress-nginx reads it
# (default_backend="catches-all-only-without-rules"). Source: kubernetes/ingress-nginx
# internal/ingress/controller/controller.go, createServers (read 2026-12-02). The
# default server "_" starts with the controller's own default backend (a 404); an
# Ingress with a Service defaultBackend "but no rule" becomes "the catch-all server"; an
# Ingress with "both a backend and rules" uses its backend "as default upstream for all
# its rules", i.e. as the root location of each host server it creates; a host's server
# is created by the first Ingress (in the controller's order) with a rule for it
# ("server already configured" for later ones).

NGINX = "catches-all-only-without-rules"


def test_the_shop_under_the_api_reference_and_under_ingress_nginx():
    objects = load_manifests(SHOP_INGRESS)
    spec, nginx = Router(objects), Router(objects, default_backend=NGINX)
    # A host no rule names: the API reference's default backend, ingress-nginx's default
    # server (404).
    assert spec.route("www.example.com", "/").target == "frontend:80"
    assert nginx.route("www.example.com", "/") is None
    assert "404 from the controller's default server" in nginx.explain(
        "www.example.com", "/"
    )
    # A host the shop's Ingress sets up, no path matching: its defaultBackend in both
    # readings.
    for router in (spec, nginx):
        got = router.route("api.example.com", "/v2/orders")
        assert (got.target, got.rule_matched, got.rule) == (
            "frontend:80",
            False,
            "spec.defaultBackend",
        )
    # Requests a rule matches do not depend on the reading.
    requests = [
        ("shop.example.com", p) for p in ("/", "/api/cart", "/healthz", "/healthz/")
    ]
    assert spec.table(requests).equals(nginx.table(requests))


def test_ingress_nginx_catch_all_comes_only_from_an_ingress_without_rules():
    with_rules = ingress(
        [("/", "Exact", "root")], host="a.example.com", name="a", default="a-default"
    )
    catch_all = ingress(name="z-catch-all", default="z-default")
    assert (
        route(
            [with_rules, catch_all], "b.example.com", "/", default_backend=NGINX
        ).service
        == "z-default"
    )
    assert route([with_rules], "b.example.com", "/", default_backend=NGINX) is None
    assert (
        route([with_rules], "b.example.com", "/").service == "a-default"
    )  # the API reference
    # The host a.example.com is set up by Ingress a: its unmatched paths get a's
    # default, not z's.
    assert (
        route(
            [with_rules, catch_all], "a.example.com", "/missing", default_backend=NGINX
        ).service
        == "a-default"
    )
    # Rules without a host share the default server: their unmatched paths get the
    # catch-all or a 404.
    no_host = ingress(
        [("/api", "Prefix", "api")], name="m-no-host", default="m-default"
    )
    assert route([no_host], "any.example.com", "/other", default_backend=NGINX) is None
    assert (
        route(
            [no_host, catch_all], "any.example.com", "/other", default_backend=NGINX
        ).service
        == "z-default"
    )
    assert (
        route([no_host], "any.example.com", "/other").service == "m-default"
    )  # the API reference


def test_ingress_nginx_the_first_ingress_of_a_host_decides_its_default():
    # b1 comes first (no timestamps: namespace/name order) and has no defaultBackend:
    # b.example.com's server keeps the controller's 404 as its root location, even
    # though b2 has a default backend.
    b1 = ingress([("/x", "Exact", "x")], host="b.example.com", name="b1")
    b2 = ingress(
        [("/y", "Exact", "y")], host="b.example.com", name="b2", default="b2-default"
    )
    nginx = Router([b2, b1], default_backend=NGINX)
    assert nginx.route("b.example.com", "/y").service == "y"  # b2's paths still serve
    assert nginx.route("b.example.com", "/missing") is None
    assert (
        "Ingress default/b1, which sets up this host, has no Service defaultBackend"
        in nginx.explain("b.example.com", "/missing")
    )
    assert (
        route([b2, b1], "b.example.com", "/missing").service == "b2-default"
    )  # the API reference


def test_ingress_nginx_skips_a_resource_default_backend():
    # createServers only looks at ing.Spec.DefaultBackend.Service: a resource backend is
    # not a catch-all.
    resource = {
        "resource": {
            "apiGroup": "k8s.example.com",
            "kind": "StorageBucket",
            "name": "static",
        }
    }
    bucket = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "bucket"},
        "spec": {"defaultBackend": resource},
    }
    assert route([bucket], "any.example.com", "/").target == "StorageBucket static"
    assert route([bucket], "any.example.com", "/", default_backend=NGINX) is None


def test_default_backend_mode_is_checked():
    with pytest.raises(ValueError, match="default_backend must be one of"):
        Router([], default_backend="nginx")


def test_rule_with_host_but_no_http_owns_the_host():
    # The API reference: an IngressRule without http "defaults to a http catch-all"
    # whose handling is left to the controller. Here the host is owned, no path matches,
    # the default backend serves it.
    objects = [
        ingress(rules=[{"host": "quiet.example.com"}], default="fallback", name="q"),
        ingress([("/", "Prefix", "everyone")], name="z"),
    ]
    got = route(objects, "quiet.example.com", "/")
    assert got.service == "fallback" and got.rule_matched is False


def test_ingress_class_selection():
    text = """
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: public, namespace: shop}
spec:
  ingressClassName: nginx
  rules: [{host: shop.example.com, http: {paths: [{path: /, pathType: Prefix,
          backend: {service: {name: frontend, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: internal, namespace: shop}
spec:
  ingressClassName: internal-lb
  rules: [{host: shop.example.com, http: {paths: [{path: /admin, pathType: Prefix,
          backend: {service: {name: admin, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: shop
  annotations: {kubernetes.io/ingress.class: internal-lb}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /old, pathType: Prefix,
          backend: {service: {name: old, port: {number: 80}}}}]}}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: classless, namespace: shop}
spec:
  rules: [{host: shop.example.com, http: {paths: [{path: /new, pathType: Prefix,
          backend: {service: {name: new, port: {number: 80}}}}]}}]
"""
    objects = load_manifests(text)
    assert (
        route(objects, "shop.example.com", "/admin").service == "admin"
    )  # no class filter
    assert (
        route(objects, "shop.example.com", "/admin", ingress_class="nginx").service
        == "frontend"
    )
    assert (
        route(objects, "shop.example.com", "/new", ingress_class="nginx").service
        == "new"
    )  # default class
    assert (
        route(objects, "shop.example.com", "/old", ingress_class="internal-lb").service
        == "old"
    )
    router = Router(objects, ingress_class="nginx")
    assert router.ingresses == ["shop/classless", "shop/public"]
    assert router.skipped == {
        "shop/internal": "class 'internal-lb' is not 'nginx'",
        "shop/legacy": "class 'internal-lb' is not 'nginx'",
    }
    # Two IngressClasses marked default: no Ingress gets a default class (the admission
    # controller refuses them).
    second = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "IngressClass",
        "metadata": {
            "name": "other",
            "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"},
        },
        "spec": {"controller": "example.com/other"},
    }
    router = Router([*objects, second], ingress_class="nginx")
    assert router.skipped["shop/classless"] == "no ingress class"


# --------------------------------------------------------------------------------------
# The Backend value and the tables.


def test_backend_is_frozen_hashable_and_explains_itself():
    got = route(
        [
            ingress(
                [("/api", "Prefix", "api")], host="shop.example.com", namespace="shop"
            )
        ],
        "shop.example.com",
        "/api/cart",
    )
    with pytest.raises(AttributeError):
        got.service = "other"
    assert hash(got) == hash(
        Backend(
            "api",
            80,
            None,
            True,
            "shop/test",
            "spec.rules[0].http.paths[0]",
            "shop.example.com",
            "/api",
            "Prefix",
        )
    )
    assert got.namespace == "shop"
    assert got.explain() == (
        "api:80 (Ingress shop/test, spec.rules[0].http.paths[0]: Prefix /api on host "
        "shop.example.com)"
    )


def test_router_table_and_rules():
    router = Router(
        [
            ingress(
                [("/api", "Prefix", "api")], host="shop.example.com", default="frontend"
            )
        ]
    )
    table = router.table(
        [("shop.example.com", "/api"), ("shop.example.com", "/"), ("x.example", "/")]
    )
    assert list(table["backend"]) == ["api:80", "frontend:80", "frontend:80"]
    assert list(table["rule_matched"]) == [True, False, False]
    assert table["rule_path"].tolist() == ["/api", None, None]
    rules = router.rules()
    assert rules["field"].tolist() == [
        "spec.defaultBackend",
        "spec.rules[0].http.paths[0]",
    ]
    assert rules["backend"].tolist() == ["frontend:80", "api:80"]
    router404 = Router([ingress([("/api", "Prefix", "api")], host="shop.example.com")])
    assert router404.table([("shop.example.com", "/")])["backend"].tolist() == ["404"]
    assert "404" in router404.explain(
        "shop.example.com", "/"
    ) and "no Ingress has a defaultBackend" in router404.explain(
        "shop.example.com", "/"
    )


def test_path_matches_helper_agrees_with_the_spec_note():
    # "/foo/bar matches /foo/bar/baz, but does not match /foo/barbaz" (API reference,
    # HTTPIngressPath.pathType)
    assert path_matches("Prefix", "/foo/bar", "/foo/bar/baz")
    assert not path_matches("Prefix", "/foo/bar", "/foo/barbaz")


# --------------------------------------------------------------------------------------
# Validation: the API server's messages and field paths (validation.go), with file and
# document.


def invalid(spec_yaml: str, api_version: str = "networking.k8s.io/v1") -> str:
    """A two-document text whose second document is an Ingress with ``spec_yaml``."""
    header = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
    return (
        header + f"apiVersion: {api_version}\nkind: Ingress\nmetadata: {{name: web, "
        "namespace: shop}\n"
        + "spec:\n"
        + "\n".join("  " + line for line in spec_yaml.strip("\n").splitlines())
        + "\n"
    )


def svc(name="api", port="number: 8080"):
    return f"{{service: {{name: {name}, port: {{{port}}}}}}}"


ERROR_CASES = [
    (
        "unknown pathType",
        "rules: [{http: {paths: [{path: /x, pathType: "
        f"Regex, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].pathType",
        'Unsupported value: "Regex": supported values: '
        '"Exact", "ImplementationSpecific", "Prefix"',
    ),
    (
        "missing pathType (required in v1)",
        f"rules: [{{http: {{paths: [{{path: /x, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].pathType",
        "Required value: pathType must be specified",
    ),
    (
        "relative Prefix path",
        "rules: [{http: {paths: [{path: api, pathType: "
        f"Prefix, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].path",
        'Invalid value: "api": must be an absolute path',
    ),
    (
        "missing Exact path",
        f"rules: [{{http: {{paths: [{{pathType: Exact, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].path",
        'Invalid value: "": must be an absolute path',
    ),
    (
        "relative ImplementationSpecific path",
        "rules: [{http: {paths: [{path: 'x/y', pathType: "
        f"ImplementationSpecific, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].path",
        'Invalid value: "x/y": must be an absolute path',
    ),
    (
        "double slash in path",
        "rules: [{http: {paths: [{path: /a//b, "
        f"pathType: Prefix, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].path",
        "Invalid value: \"/a//b\": must not contain '//'",
    ),
    (
        "path ending in /..",
        "rules: [{http: {paths: [{path: /a/.., "
        f"pathType: Exact, backend: {svc()}}}]}}}}]",
        "spec.rules[0].http.paths[0].path",
        "Invalid value: \"/a/..\": cannot end with '/..'",
    ),
    (
        "service and resource backend",
        "rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: "
        "api, port: {number: 80}}, resource: {kind: StorageBucket, name: b}}}]}}]",
        "spec.rules[0].http.paths[0].backend",
        'Invalid value: "": cannot set both resource and service backends',
    ),
    (
        "no backend",
        "rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {}}]}}]",
        "spec.rules[0].http.paths[0].backend",
        'Invalid value: "": resource or service backend is required',
    ),
    (
        "port number and name",
        "rules: [{http: {paths: [{path: /, pathType: Prefix, "
        f"backend: {svc(port='number: 80, name: http')}}}]}}}}]",
        "spec.rules[0].http.paths[0].backend",
        'Invalid value: "": cannot set both port name & port number',
    ),
    (
        "no port",
        "defaultBackend: {service: {name: api}}",
        "spec.defaultBackend",
        "Required value: port name or number is required",
    ),
    (
        "port out of range",
        f"defaultBackend: {svc(port='number: 70000')}",
        "spec.defaultBackend.service.port.number",
        "Invalid value: 70000: must be between 1 and 65535, inclusive",
    ),
    (
        "port number as a string",
        "defaultBackend: "
        f"{svc(port=chr(34) + 'number' + chr(34) + ': ' + chr(34) + '80' + chr(34))}",
        "spec.defaultBackend.service.port.number",
        "Invalid value: '80': expected an integer",
    ),
    (
        "bad port name",
        f"defaultBackend: {svc(port='name: HTTP')}",
        "spec.defaultBackend.service.port.name",
        'Invalid value: "HTTP": must contain only alpha-numeric',
    ),
    (
        "service name not a DNS-1035 label",
        f"defaultBackend: {svc(name='9api')}",
        "spec.defaultBackend.service.name",
        'Invalid value: "9api": a DNS-1035 label',
    ),
    (
        "wildcard not the first label",
        "rules: [{host: 'foo.*.com', http: {paths: [{path: /, "
        f"pathType: Prefix, backend: {svc()}}}]}}}}]",
        "spec.rules[0].host",
        'Invalid value: "foo.*.com": a wildcard '
        "DNS-1123 subdomain must start with '*.'",
    ),
    (
        "wildcard glued to a label",
        "rules: [{host: '*foo.com'}]",
        "spec.rules[0].host",
        'Invalid value: "*foo.com": a wildcard '
        "DNS-1123 subdomain must start with '*.'",
    ),
    (
        "wildcard alone",
        "rules: [{host: '*'}]",
        "spec.rules[0].host",
        'Invalid value: "*": a wildcard DNS-1123 subdomain',
    ),
    (
        "IP address as host",
        "rules: [{host: 192.0.2.10}]",
        "spec.rules[0].host",
        'Invalid value: "192.0.2.10": must be a DNS name, not an IP address',
    ),
    (
        "host with a port",
        "rules: [{host: 'shop.example.com:443'}]",
        "spec.rules[0].host",
        'Invalid value: "shop.example.com:443": a lowercase RFC 1123 subdomain',
    ),
    (
        "host in capitals",
        "rules: [{host: Shop.Example.com}]",
        "spec.rules[0].host",
        'Invalid value: "Shop.Example.com": a lowercase RFC 1123 subdomain',
    ),
    (
        "neither rules nor defaultBackend",
        "ingressClassName: nginx",
        "spec",
        "either `defaultBackend` or `rules` must be specified",
    ),
    (
        "http without paths",
        "rules: [{host: shop.example.com, http: {paths: []}}]",
        "spec.rules[0].http.paths",
        "Required value",
    ),
    (
        "TLS host wildcard in the middle",
        f"defaultBackend: {svc()}\ntls: [{{hosts: [shop.example.com, "
        "'a.*.example.com'], secretName: shop-tls}]",
        "spec.tls[0].hosts[1]",
        "a wildcard DNS-1123 subdomain must start with '*.'",
    ),
    (
        "TLS secret name",
        f"defaultBackend: {svc()}\ntls: [{{hosts: "
        "[shop.example.com], secretName: Shop_TLS}]",
        "spec.tls[0].secretName",
        'Invalid value: "Shop_TLS": a lowercase RFC 1123 subdomain',
    ),
    (
        "ingressClassName",
        f"defaultBackend: {svc()}\ningressClassName: Nginx",
        "spec.ingressClassName",
        'Invalid value: "Nginx": a lowercase RFC 1123 subdomain',
    ),
]


@pytest.mark.parametrize(
    ("case", "spec", "field", "message"), ERROR_CASES, ids=[c[0] for c in ERROR_CASES]
)
def test_invalid_ingress_is_refused_with_object_field_and_place(
    case, spec, field, message
):
    objects = load_manifests(invalid(spec))
    with pytest.raises(ManifestError) as caught:
        route(objects, "shop.example.com", "/")
    error = caught.value
    assert error.origin == "<text 1>, document 2"
    assert error.ref == "Ingress shop/web"
    assert error.field == field
    assert message in error.detail
    assert str(error).startswith(f"<text 1>, document 2: Ingress shop/web: {field}: ")


@pytest.mark.parametrize("version", ["networking.k8s.io/v1beta1", "extensions/v1beta1"])
def test_old_ingress_api_versions_are_refused(version):
    objects = load_manifests(invalid(f"defaultBackend: {svc()}", api_version=version))
    with pytest.raises(
        ManifestError,
        match=f'apiVersion: no matches for kind "Ingress" in version "{version}"',
    ):
        Router(objects)


def test_validate_ingress_accepts_the_documentation_examples():
    for text in (PATH_RULES_BACKGROUND, HOST_RULES_BACKGROUND):
        for obj in load_manifests(text):
            assert validate_ingress(obj) is None


def test_error_names_the_file(tmp_path):
    path = tmp_path / "ingress.yaml"
    path.write_text(
        invalid(
            "rules: [{http: {paths: [{path: /x, pathType: "
            f"Regex, backend: {svc()}}}]}}}}]"
        )
    )
    with pytest.raises(
        ManifestError,
        match=r"ingress\.yaml, document 2: Ingress shop/web: spec\.rules\[0\]",
    ):
        Router(load_manifests(path))


# --------------------------------------------------------------------------------------
# The shop's Ingress shipped in data/k8s/ingress.yaml. Expected backends worked out by
# hand from the file's rules and the documented semantics.

SHOP_REQUESTS = [
    ("shop.example.com", "/", "frontend", 80, True),
    ("shop.example.com", "/products/42", "frontend", 80, True),
    ("shop.example.com", "/api/cart", "api", 8080, True),  # Prefix /api
    ("shop.example.com", "/api", "api", 8080, True),
    (
        "shop.example.com",
        "/apiary",
        "frontend",
        80,
        True,
    ),  # /api is not an element prefix of /apiary
    ("shop.example.com", "/healthz", "api", 8080, True),  # Exact /healthz
    (
        "shop.example.com",
        "/healthz/",
        "frontend",
        80,
        True,
    ),  # Exact does not take the trailing slash
    ("SHOP.EXAMPLE.COM:443", "/api/orders?page=2", "api", 8080, True),
    ("api.example.com", "/v1/orders", "api", 8080, True),
    ("api.example.com", "/", "frontend", 80, True),  # Exact / on the api host
    (
        "api.example.com",
        "/v2/orders",
        "frontend",
        80,
        False,
    ),  # no path matches: defaultBackend
    ("www.example.com", "/", "frontend", 80, False),  # unknown host: defaultBackend
]


@pytest.mark.parametrize(
    ("host", "path", "service", "port", "rule_matched"), SHOP_REQUESTS
)
def test_shop_ingress_routes(host, path, service, port, rule_matched):
    got = route(load_manifests(SHOP_INGRESS), host, path, ingress_class="nginx")
    assert (got.service, got.port, got.rule_matched, got.namespace) == (
        service,
        port,
        rule_matched,
        "shop",
    )


def test_shop_ingress_shape_and_tls():
    objects = load_manifests(SHOP_INGRESS)
    (ing,) = [o for o in objects if o["kind"] == "Ingress"]
    spec = ing["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert sorted(r["host"] for r in spec["rules"]) == [
        "api.example.com",
        "shop.example.com",
    ]
    types = {p["pathType"] for r in spec["rules"] for p in r["http"]["paths"]}
    assert types == {"Exact", "Prefix"}
    router = Router(objects)
    assert (
        router.tls_secret("shop.example.com")
        == router.tls_secret("api.example.com")
        == "shop/shop-tls"
    )
    targets = set(router.rules()["backend"])
    assert targets == {"frontend:80", "api:8080"}


def test_shop_ingress_backends_exist_as_service_ports():
    """Every backend names a Service of the shop manifests, on a port that Service
    exposes.
    """
    services = [
        o for o in load_manifests(SHOP_INGRESS.parent) if o["kind"] == "Service"
    ]
    if not services:
        pytest.skip("data/k8s has no Service manifests yet")
    ports = {
        (
            s["metadata"].get("namespace", "default"),
            s["metadata"]["name"],
            p.get("port"),
        )
        for s in services
        for p in s["spec"].get("ports", [])
    }
    names = {
        (
            s["metadata"].get("namespace", "default"),
            s["metadata"]["name"],
            p.get("name"),
        )
        for s in services
        for p in s["spec"].get("ports", [])
        if p.get("name")
    }
    rules = Router(load_manifests(SHOP_INGRESS)).rules()
    for row in rules.itertuples():
        key = ("shop", row.service, row.port)
        assert key in (ports if isinstance(row.port, int) else names), (
            f"{row.field}: no Service port {key}"
        )
