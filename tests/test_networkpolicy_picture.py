"""The cluster pictures: what the graph says, and that the drawings stay readable in the
book.

The readability rule is the course's (``ingress_egress.plotting``): the smallest text
renders at 9 px or more in the book's 784 px column. The geometry checks read the drawn
artists back (each carries a ``gid`` naming what it is) and compare their boxes on the
rendered canvas: no port label covers a pod's name or shape, and no arrow crosses the
box of a namespace neither of its ends belongs to. The expected verdicts come from
``Cluster.allows``, tested on its own in ``test_networkpolicy*.py``.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from ingress_egress.k8s import Cluster, load_manifests  # noqa: E402
from ingress_egress.k8s.picture import (  # noqa: E402
    INTERNET,
    cluster_figure,
    connection_graph,
    draw_cluster,
    draw_reachability,
    ingress_routes,
)
from ingress_egress.plotting import (
    MIN_TEXT_PX,
    rendered_text_px,
    smallest_text_px,
    use_course_style,
)  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"
CONTROLLER = "ingress-nginx/ingress-nginx-controller"
# The two panels of notebook 10 (the same places as its WAY_IN and AROUND).
WAY_IN = {
    "Internet": (0, 0),
    CONTROLLER: (0, 1.1),
    "shop/frontend": (0, 2.1),
    "shop/api": (1.5, 2.1),
    "shop/db": (0, 3.1),
    "shop/cache": (1.5, 3.1),
    "payments/payments": (3.0, 2.1),
}
AROUND = {
    "monitoring/prometheus": (1.6, 0),
    "shop/frontend": (0, 1.2),
    "shop/api": (1.1, 1.2),
    "payments/payments": (3.2, 1.2),
    "kube-system/coredns": (1.6, 2.4),
    "192.0.2.50": (0, 3.4),
    "203.0.113.10": (3.2, 3.4),
}


@pytest.fixture(scope="module")
def shop() -> Cluster:
    return Cluster(load_manifests(DATA))


@pytest.fixture(scope="module")
def connections() -> pd.DataFrame:
    return pd.read_csv(DATA / "connections.csv")


def png_width(fig) -> int:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return Image.open(buffer).size[0]


def test_ingress_routes_of_the_shop(shop):
    routes = {
        (r["host"], r["path"]): (r["service"], r["endpoints"])
        for r in ingress_routes(shop)
    }
    # from data/k8s/ingress.yaml: 5 paths and the default backend
    assert routes[("shop.example.com", "/api")] == ("shop/api", [("shop/api", 8080)])
    assert routes[("*", "(default)")] == ("shop/frontend", [("shop/frontend", 8080)])
    assert len(routes) == 6


def test_connection_graph_judges_every_edge(shop, connections):
    graph = connection_graph(shop, connections, controller=CONTROLLER)
    for row in connections.itertuples():
        edges = [
            d
            for d in graph.get_edge_data(row.source, row.destination).values()
            if d["port"] == row.port
        ]
        assert edges and edges[0]["allowed"] == shop.allows(
            row.source, row.destination, row.port, row.protocol
        )
    # the controller's forwards to frontend and api carry the Ingress routes
    to_api = list(graph.get_edge_data(CONTROLLER, "shop/api").values())
    assert to_api[0]["kind"] == "route" and "shop.example.com/api" in to_api[0]["paths"]
    # the arrow into the controller names the hosts the Ingress lists, one per line, and
    # no "*"
    into = list(graph.get_edge_data(INTERNET, CONTROLLER).values())[0]
    assert into["label"].split("\n") == ["api.example.com", "shop.example.com"]
    # a policy that cuts the controller off shows the route as denied
    cut = Cluster(
        [
            o
            for o in load_manifests(DATA)
            if not (
                o["kind"] == "NetworkPolicy"
                and o["metadata"]["name"] == "frontend-from-ingress-controller"
            )
        ]
    )
    g2 = connection_graph(cut, [], controller=CONTROLLER)
    assert not list(g2.get_edge_data(CONTROLLER, "shop/frontend").values())[0][
        "allowed"
    ]


def draw_both_panels(shop, connections):
    use_course_style()
    inside = connections[connections["source"] != "198.51.100.23"]
    around = inside["destination"].isin(
        ["kube-system/coredns", "192.0.2.50", "203.0.113.10"]
    ) | (inside["source"] == "monitoring/prometheus")
    fig, (top, bottom) = cluster_figure(WAY_IN, AROUND)
    draw_cluster(
        shop,
        inside[~around],
        controller=CONTROLLER,
        grid=WAY_IN,
        ax=top,
        title="way in",
    )
    draw_cluster(
        shop, inside[around], routes=False, grid=AROUND, ax=bottom, title="around"
    )
    return fig, (top, bottom)


def test_the_panels_are_readable_in_the_book_column(shop, connections):
    fig, _ = draw_both_panels(shop, connections)
    width = png_width(fig)
    assert width <= 784  # not scaled down in the column
    assert rendered_text_px(smallest_text_px(fig), width) >= MIN_TEXT_PX
    plt.close(fig)


def by_gid(ax, prefix):
    return {
        a.get_gid(): a
        for a in ax.get_children()
        if (a.get_gid() or "").startswith(prefix)
    }


def test_no_port_label_covers_a_pod_or_its_name(shop, connections):
    fig, axes = draw_both_panels(shop, connections)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        ports = by_gid(ax, "port:")
        names = by_gid(ax, "name:") | by_gid(ax, "node:")
        assert ports and names
        for pgid, port in ports.items():
            box = port.get_window_extent(renderer)
            covered = [
                g
                for g, n in names.items()
                if box.overlaps(n.get_window_extent(renderer))
            ]
            assert not covered, f"{pgid} covers {covered}"
        boxes = [p.get_window_extent(renderer) for p in ports.values()]
        assert not [
            (i, j)
            for i in range(len(boxes))
            for j in range(i)
            if boxes[i].overlaps(boxes[j])
        ]
    plt.close(fig)


def test_no_arrow_crosses_a_namespace_it_does_not_touch(shop, connections):
    # e.g. payments -> 203.0.113.10 must not run through the ingress-nginx box as if
    # through the controller
    fig, axes = draw_both_panels(shop, connections)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        namespaces = {
            g.split(":", 1)[1]: b.get_window_extent(renderer)
            for g, b in by_gid(ax, "namespace:").items()
        }
        edges = by_gid(ax, "edge:")
        assert edges
        for gid, arrow in edges.items():
            ends = gid.split(":", 1)[1].rsplit(":", 1)[0].split("->")
            own = {end.split("/")[0] for end in ends if "/" in end}
            points = (
                arrow.get_path().vertices
            )  # FancyArrowPatch: already in display coordinates
            for ns, box in namespaces.items():
                if ns in own:
                    continue
                inside = (
                    (points[:, 0] > box.x0)
                    & (points[:, 0] < box.x1)
                    & (points[:, 1] > box.y0)
                    & (points[:, 1] < box.y1)
                )
                assert not inside.any(), f"{gid} crosses the {ns} box"
    plt.close(fig)


def test_denied_arrows_are_dashed_and_marked(shop, connections):
    fig, axes = draw_both_panels(shop, connections)
    denied = {
        (r.source, r.destination)
        for r in connections.itertuples()
        if not shop.allows(r.source, r.destination, r.port, r.protocol)
    }
    assert denied == {
        ("shop/frontend", "shop/db"),
        ("shop/frontend", "192.0.2.50"),
        ("shop/cache", "payments/payments"),
    }
    seen = set()
    for ax in axes:
        for gid, arrow in by_gid(ax, "edge:").items():
            ends = tuple(gid.split(":", 1)[1].rsplit(":", 1)[0].split("->"))
            label = by_gid(ax, "port:" + gid.split(":", 1)[1])
            (text,) = label.values()
            if ends in denied:
                seen.add(ends)
                assert arrow.get_linestyle() in (
                    "--",
                    "dashed",
                ) and text.get_text().startswith("\u2715 ")
            else:
                assert not text.get_text().startswith("\u2715")
    assert seen == denied
    plt.close(fig)


def test_every_node_needs_a_place_in_the_grid(shop, connections):
    with pytest.raises(KeyError, match="grid has no place for shop/db"):
        draw_cluster(
            shop,
            [("shop/api", "shop/db", 5432)],
            routes=False,
            grid={"shop/api": (0, 0)},
        )
    plt.close("all")


def test_reachability_heatmap_marks_and_readability(shop):
    use_course_style()
    matrix = shop.reachability(8080, externals=["203.0.113.10"])
    ax = draw_reachability(matrix, title="8080/TCP")
    marks = [t.get_text() for t in ax.texts]
    assert marks.count("\u2713") == int(matrix.fillna(False).to_numpy().sum())
    assert marks.count("\u2715") == int((matrix == False).sum().sum())  # noqa: E712 - <NA> cells excluded
    assert ax.get_xlabel().startswith("destination") and ax.get_ylabel().startswith(
        "source"
    )
    # the diagonal: one dotted outline per pod, each on an allowed cell (a pod cannot
    # block itself)
    outlines = [p for p in ax.patches if p.get_linestyle() == ":"]
    assert len(outlines) == len(shop.pod_names)
    assert all(matrix.loc[p, p] for p in shop.pod_names)
    width = png_width(ax.figure)
    assert (
        width <= 784
        and rendered_text_px(smallest_text_px(ax.figure), width) >= MIN_TEXT_PX
    )
    plt.close(ax.figure)


def test_large_matrices_drop_labels_rather_than_shrink_them():
    names = [f"ns/pod-{i:02d}" for i in range(60)]
    matrix = pd.DataFrame(np.eye(60, dtype=bool), index=names, columns=names)
    ax = draw_reachability(matrix)
    assert not [t for t in ax.get_xticklabels() if t.get_text()]
    assert not ax.texts  # no marks in cells too small to hold them
    plt.close(ax.figure)
