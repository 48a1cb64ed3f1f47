"""Ingress -> Gateway API: what ingress_to_gateway translates, what it warns about, and
where the answers differ.

The expected translations follow the field mapping of the Gateway API guide *Migrating
from Ingress*
(https://gateway-api.sigs.k8s.io/guides/getting-started/migrating-from-ingress/, read
2026-12-02): host -> HTTPRoute hostnames, Prefix -> PathPrefix, Exact -> Exact, tls ->
an HTTPS listener with certificateRefs. Where the two APIs differ, the expected answers
are derived by hand from the two specifications: the Ingress side from the Kubernetes
Ingress documentation (a wildcard host is one label; a request's host selects its rules
first; the default backend serves what no rule matches), the Gateway side from
gateway-api ``apis/v1`` (a wildcard is one or more labels; all attached routes compete
by precedence; no Ingress-wide default backend). Each differing request is then traced
to the warning that announced it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingress_egress.k8s import GatewayRouter, load_manifests
from ingress_egress.k8s.gateway import (
    compare_with_ingress,
    ingress_to_gateway,
    validate_gateway_api_object,
)
from ingress_egress.k8s.ingress import Router

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"


@pytest.fixture(scope="module")
def shop():
    return load_manifests(DATA / "ingress.yaml", DATA / "apps.yaml")


def test_the_shop_ingress_translates_to_one_gateway_and_three_routes(shop):
    translated, warnings = ingress_to_gateway(shop)
    assert [
        (o["kind"], o["metadata"]["namespace"], o["metadata"]["name"])
        for o in translated
    ] == [
        ("Gateway", "shop", "nginx"),
        ("HTTPRoute", "shop", "shop-shop-example-com"),
        ("HTTPRoute", "shop", "shop-api-example-com"),
        ("HTTPRoute", "shop", "shop-default-backend"),
    ]
    for obj in translated:  # what kubectl apply would accept
        validate_gateway_api_object(obj)
    gateway = translated[0]["spec"]
    assert gateway["gatewayClassName"] == "nginx"
    assert [
        (li["name"], li.get("hostname"), li["port"], li["protocol"])
        for li in gateway["listeners"]
    ] == [
        ("http", None, 80, "HTTP"),
        ("https-shop-example-com", "shop.example.com", 443, "HTTPS"),
        ("https-api-example-com", "api.example.com", 443, "HTTPS"),
    ]
    assert gateway["listeners"][1]["tls"] == {
        "certificateRefs": [{"kind": "Secret", "name": "shop-tls"}]
    }
    storefront = translated[1]["spec"]
    assert storefront["hostnames"] == ["shop.example.com"]
    assert [
        (
            r["matches"][0]["path"]["type"],
            r["matches"][0]["path"]["value"],
            r["backendRefs"][0]["name"],
        )
        for r in storefront["rules"]
    ] == [
        ("PathPrefix", "/", "frontend"),
        ("PathPrefix", "/api", "api"),
        ("Exact", "/healthz", "api"),
    ]
    default = translated[3]["spec"]
    assert "hostnames" not in default and default["rules"] == [
        {"backendRefs": [{"name": "frontend", "port": 80}]}
    ]
    assert [w.field for w in warnings] == [
        "spec.ingressClassName",
        "spec.tls[0]",
        "spec.defaultBackend",
    ]
    assert "ingress-nginx redirects it to HTTPS (308) by default" in warnings[1].message
    assert "no Ingress-wide default backend" in warnings[2].message


REQUESTS = [
    ("shop.example.com", "/"),
    ("shop.example.com", "/products/42"),
    ("shop.example.com", "/api/cart"),
    ("shop.example.com", "/apiary"),
    ("shop.example.com", "/healthz"),
    ("shop.example.com", "/healthz/"),
    ("SHOP.example.com:443", "/api/orders?page=2"),
    ("api.example.com", "/"),
    ("api.example.com", "/v1/orders/7"),
    ("api.example.com", "/v2/orders"),
    ("www.example.com", "/"),
]


def test_the_shop_answers_the_same_except_over_https_for_unknown_hosts(
    shop,
):
    # Port 80: the catch-all route takes what the default backend took (unknown hosts,
    # unmatched paths).
    http = compare_with_ingress(shop, REQUESTS, port=80)
    assert http["same"].all(), http[~http["same"]]
    # Port 443: only hosts with TLS have a listener; the Ingress serves www.example.com
    # from its default backend (with the controller's default certificate), the Gateway
    # has no listener for it: 404.
    https = compare_with_ingress(shop, REQUESTS, port=443)
    differ = https[~https["same"]]
    assert differ[["host", "path", "ingress", "gateway"]].values.tolist() == [
        ["www.example.com", "/", "shop/frontend:80", "404"]
    ]


DIFFERENT = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m}
spec:
  ingressClassName: nginx
  defaultBackend: {service: {name: frontend, port: {number: 80}}}
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: frontend,
         port: {number: 80}}}}
      - {path: /docs, pathType: ImplementationSpecific, backend: {service: {name: docs,
         port: {name: http}}}}
  - host: "*.example.com"
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: cities,
         port: {number: 80}}}}
  - http:
      paths:
      - {path: /status, pathType: Exact, backend: {service: {name: status,
         port: {number: 80}}}}
""" + "".join(
    f"""---
apiVersion: v1
kind: Service
metadata: {{name: {name}, namespace: shop}}
spec: {{ports: [{{name: http, port: {port}}}]}}
"""
    for name, port in [("frontend", 80), ("docs", 8000), ("cities", 80), ("status", 80)]
)


def test_where_the_translation_differs_and_which_warning_said_so():
    objects = load_manifests(DIFFERENT)
    translated, warnings = ingress_to_gateway(objects)
    fields = {w.field for w in warnings}
    assert fields == {
        "spec.ingressClassName",
        "metadata.annotations[nginx.ingress.kubernetes.io/proxy-body-size]",
        "spec.rules[0].http.paths[1].pathType",
        "spec.rules[1].host",
        "spec.rules[2]",
        "spec.defaultBackend",
    }
    # The named port "http" of Service docs is looked up: 8000.
    docs_rule = translated[1]["spec"]["rules"][1]
    assert docs_rule["backendRefs"] == [{"name": "docs", "port": 8000}]
    requests = [
        ("shop.example.com", "/"),
        ("shop.example.com", "/docs/intro"),
        ("shop.example.com", "/docsearch"),
        ("shop.example.com", "/status"),
        ("berlin.example.com", "/"),
        ("eu.berlin.example.com", "/"),
        ("example.com", "/"),
        ("other.test", "/status"),
        ("other.test", "/x"),
    ]
    table = compare_with_ingress(objects, requests, port=80)
    differ = {
        (row.host, row.path): (row.ingress, row.gateway)
        for row in table.itertuples()
        if not row.same
    }
    expected = {
        # ImplementationSpecific /docs: ingress-nginx's character prefix took
        # /docsearch; PathPrefix does not.
        ("shop.example.com", "/docsearch"): ("shop/docs:8000", "shop/frontend:80"),
        # A host's rules are all an Ingress looks at for that host (Prefix / wins
        # there); in the Gateway API the route without hostnames competes, and Exact
        # /status beats PathPrefix /.
        ("shop.example.com", "/status"): ("shop/frontend:80", "shop/status:80"),
        # *.example.com: one label in an Ingress (so the default backend), one or more
        # in the Gateway API.
        ("eu.berlin.example.com", "/"): ("shop/frontend:80", "shop/cities:80"),
    }
    assert differ == expected
    because = {
        ("shop.example.com", "/docsearch"): "spec.rules[0].http.paths[1].pathType",
        ("shop.example.com", "/status"): "spec.rules[2]",
        ("eu.berlin.example.com", "/"): "spec.rules[1].host",
    }
    assert set(because.values()) <= fields
    # And the Ingress side of each is what the Ingress router says, independently of the
    # comparison.
    ingress = Router(objects)
    assert ingress.route("eu.berlin.example.com", "/").rule_matched is False
    assert ingress.route("shop.example.com", "/docsearch").service == "docs"


def test_left_out_backends_are_warned_about_not_dropped_silently():
    objects = load_manifests("""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: odd, namespace: shop}
spec:
  rules:
  - host: a.example.com
    http:
      paths:
      - {path: /icons, pathType: Prefix, backend: {resource: {apiGroup: k8s.example.com,
         kind: StorageBucket, name: icons}}}
      - {path: /named, pathType: Prefix, backend: {service: {name: nowhere,
         port: {name: http}}}}
      - {path: /ok, pathType: Prefix, backend: {service: {name: api,
         port: {number: 8080}}}}
  tls:
  - hosts: [a.example.com]
""")
    translated, warnings = ingress_to_gateway(objects)
    assert [w.field for w in warnings] == [
        "spec.ingressClassName",
        "spec.tls[0]",
        "spec.rules[0].http.paths[0].backend.resource",
        "spec.rules[0].http.paths[1].backend.service.port.name",
    ]
    route = translated[1]
    assert [r["matches"][0]["path"]["value"] for r in route["spec"]["rules"]] == ["/ok"]
    assert (
        translated[0]["spec"]["gatewayClassName"] == "default"
    )  # no class: the warning says it must exist
    assert [li["name"] for li in translated[0]["spec"]["listeners"]] == [
        "http"
    ]  # no secretName: no HTTPS


def test_more_than_sixteen_paths_for_a_host_are_split_into_several_routes():
    paths = "".join(
        f"      - {{path: /p{i}, pathType: Prefix, backend: "
        "{service: {name: s, port: {number: 80}}}}\n"
        for i in range(20)
    )
    objects = load_manifests(f"""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: many, namespace: shop}}
spec:
  ingressClassName: nginx
  rules:
  - host: a.example.com
    http:
      paths:
{paths}""")
    translated, _ = ingress_to_gateway(objects)
    routes = [o for o in translated if o["kind"] == "HTTPRoute"]
    assert [(r["metadata"]["name"], len(r["spec"]["rules"])) for r in routes] == [
        ("many-a-example-com", 16),
        ("many-a-example-com-2", 4),
    ]
    for route in routes:  # spec.rules has MaxItems 16 in the CRD
        validate_gateway_api_object(route)


def test_identical_paths_in_two_ingresses_are_warned_about():
    objects = load_manifests(
        *[
            f"""
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: {name}, namespace: shop, creationTimestamp: "{stamp}"}}
spec:
  ingressClassName: nginx
  rules:
  - host: a.example.com
    http:
      paths:
      - {{path: /api, pathType: Prefix, backend: {{service: {{name: {name},
         port: {{number: 80}}}}}}}}
"""
            for name, stamp in [
                ("zz-old", "2026-01-01T00:00:00Z"),
                ("aa-new", "2026-06-01T00:00:00Z"),
            ]
        ]
    )
    _, warnings = ingress_to_gateway(objects)
    conflict = [w for w in warnings if w.field == "spec.rules[0].http.paths[0]"]
    assert (
        len(conflict) == 1
        and conflict[0].ingress == "shop/aa-new"
        and "shop/zz-old" in conflict[0].message
    )
    # The Ingress router gives the path to the older Ingress; the translated routes
    # carry no timestamps, so the Gateway API's tie-break falls to namespace/name, and
    # aa-new wins there.
    services = [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": n, "namespace": "shop"},
            "spec": {"ports": [{"port": 80}]},
        }
        for n in ("zz-old", "aa-new")
    ]
    table = compare_with_ingress([*objects, *services], [("a.example.com", "/api")])
    assert table[["ingress", "gateway"]].values.tolist() == [
        ["shop/zz-old:80", "shop/aa-new:80"]
    ]


def test_translated_objects_route_with_the_gateway_router(shop):
    translated, _ = ingress_to_gateway(shop)
    router = GatewayRouter([*translated, *(o for o in shop if o["kind"] == "Service")])
    assert router.notes == [
        'Gateway shop/nginx: GatewayClass "nginx" is not '
        "among the objects; assumed to exist"
    ]
    assert router.attachments()["accepted"].all()
