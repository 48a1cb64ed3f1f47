"""The Gateway picture (``picture.draw_gateway``): what it draws, and that it stays readable in the book.

The expected boxes and arrows are read off the YAML by the Gateway API's rules (a listener without
``allowedRoutes`` takes routes of its own namespace only; a route hostname must intersect the listener's;
a cross-namespace backendRef needs a ReferenceGrant), not from the router's output. Every box, text and
arrow carries a ``gid``; the geometry checks compare their extents on the rendered canvas. The readability
rule is the course's (``ingress_egress.plotting``): the smallest text renders at 9 px or more in the
book's 784 px column.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from ingress_egress.k8s import GatewayRouter, load_manifests  # noqa: E402
from ingress_egress.k8s.picture import DENIED_COLOR, draw_gateway  # noqa: E402
from ingress_egress.plotting import MIN_TEXT_PX, rendered_text_px, smallest_text_px, use_course_style  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"

TROUBLE = """
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  gatewayClassName: example
  listeners:
  - {name: http, port: 80, protocol: HTTP, hostname: "*.example.org"}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: app, namespace: infra}
spec:
  parentRefs: [{name: web}]
  hostnames: [app.example.org]
  rules:
  - backendRefs: [{name: web, port: 80, weight: 3}, {name: db, namespace: data, port: 5432, weight: 1}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: team}
spec:
  parentRefs: [{name: web, namespace: infra}]
  rules: [{backendRefs: [{name: site, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: infra}
spec: {ports: [{port: 80}]}
"""


@pytest.fixture(autouse=True)
def course_style():
    use_course_style()
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def shop() -> GatewayRouter:
    return GatewayRouter(load_manifests(DATA / "namespaces.yaml", DATA / "apps.yaml", DATA / "gateway"))


def by_gid(ax, prefix: str) -> dict:
    return {a.get_gid(): a for a in [*ax.patches, *ax.texts] if a.get_gid() and a.get_gid().startswith(prefix)}


def png_width(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return Image.open(buffer).size[0]


def test_the_shop_listeners_routes_and_targets(shop):
    ax = draw_gateway(shop)
    # data/k8s/gateway: three listeners, each with the one route whose sectionName names it.
    assert set(by_gid(ax, "listener:")) == {"listener:http", "listener:shop", "listener:api"}
    assert set(by_gid(ax, "route:")) == {"route:edge/http-to-https", "route:shop/storefront", "route:shop/public-api"}
    assert set(by_gid(ax, "target:")) == {"target:301 redirect", "target:shop/frontend:80", "target:shop/api:8080",
                                          "target:shop/api-canary:8080", "target:payments/payments:8080"}
    arrows = by_gid(ax, "arrow:")
    assert {"arrow:listener:http->route:edge/http-to-https", "arrow:listener:shop->route:shop/storefront",
            "arrow:listener:api->route:shop/public-api"} <= set(arrows)
    # public-api sends to the frontend (landing), the api and its canary (weights), payments (another namespace).
    sent = {g.split("->target:")[1] for g in arrows if g.startswith("arrow:route:shop/public-api->")}
    assert sent == {"shop/frontend:80", "shop/api:8080", "shop/api-canary:8080", "payments/payments:8080"}
    crossing = arrows["arrow:route:shop/public-api->target:payments/payments:8080"]
    assert crossing.get_linestyle() == "dashed"      # into namespace payments, allowed by its ReferenceGrant
    assert arrows["arrow:route:shop/public-api->target:shop/api:8080"].get_linestyle() == "solid"
    body = by_gid(ax, "text:route:shop/public-api")["text:route:shop/public-api"].get_text()
    assert "api:8080 (90), api-canary:8080" in body.replace("\n   ", " ") and "(10)" in body


def test_every_text_stays_inside_its_box_and_reads_at_9px(shop):
    ax = draw_gateway(shop)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = {gid: patch for gid, patch in by_gid(ax, "").items() if not gid.startswith(("text:", "arrow:"))}
    for gid, patch in boxes.items():
        text = by_gid(ax, f"text:{gid}")[f"text:{gid}"]
        inner, outer = text.get_window_extent(renderer), patch.get_window_extent(renderer)
        assert outer.x0 <= inner.x0 and inner.x1 <= outer.x1 + 0.5, gid
        assert outer.y0 <= inner.y0 + 0.5 and inner.y1 <= outer.y1 + 0.5, gid
    width = png_width(fig)
    assert width <= 784 and rendered_text_px(smallest_text_px(fig), width) >= MIN_TEXT_PX


def test_a_route_that_does_not_attach_and_an_invalid_backend():
    router = GatewayRouter(load_manifests(TROUBLE))
    ax = draw_gateway(router)
    routes = by_gid(ax, "route:")
    # team/other: the listener leaves allowedRoutes out, so only routes of namespace infra may attach.
    refused = routes["route:team/other"]
    assert refused.get_linestyle() == "dashed" and matplotlib.colors.to_hex(refused.get_edgecolor()) == DENIED_COLOR.lower()
    text = by_gid(ax, "text:route:team/other")["text:route:team/other"].get_text()
    assert "not attached (Accepted=False," in text and "NotAllowedByListeners" in text
    assert not [g for g in by_gid(ax, "arrow:") if g.endswith("->route:team/other")]
    # data/db: another namespace, and no ReferenceGrant there: RefNotPermitted, a dotted arrow, a crossed box.
    target = by_gid(ax, "text:target:data/db:5432")["text:target:data/db:5432"].get_text()
    assert target.startswith("\u2715 data/db:5432") and "RefNotPermitted" in target
    assert by_gid(ax, "arrow:")["arrow:route:infra/app->target:data/db:5432"].get_linestyle() == "dotted"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["attached, or sends to", "\u2715 invalid, refused or not programmed"]


def test_long_names_break_into_lines_never_smaller_text():
    long_host = "a-rather-long-service-name.team-with-a-long-name.example-company.internal"
    router = GatewayRouter(load_manifests(f"""
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: web, namespace: infra}}
spec:
  gatewayClassName: example
  listeners: [{{name: http, port: 80, protocol: HTTP, hostname: "{long_host}"}}]
"""))
    ax = draw_gateway(router)
    text = by_gid(ax, "text:listener:http")["text:listener:http"]
    assert text.get_fontsize() == 9 and text.get_text().count("\n") >= 3
    assert text.get_text().replace("\n   ", "").replace("\n", " ").endswith(long_host)


def test_more_routes_than_drawn_are_counted():
    routes = "".join(f"""
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: r{i}, namespace: infra}}
spec:
  parentRefs: [{{name: web}}]
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]""" for i in range(5))
    router = GatewayRouter(load_manifests(TROUBLE.split("---")[0] + routes))
    ax = draw_gateway(router, max_routes=3)
    assert len(by_gid(ax, "route:")) == 3
    assert any(t.get_text().startswith("... and 2 more HTTPRoutes") for t in ax.texts)


def test_a_gateway_must_be_named_when_there_are_several(shop):
    two = GatewayRouter(load_manifests(TROUBLE + "\n---\n" + TROUBLE.split("---")[0].replace("name: web,", "name: b,")))
    with pytest.raises(ValueError, match="several Gateways"):
        draw_gateway(two)
    assert "listener:http" in by_gid(draw_gateway(two, "infra/b"), "listener:")
