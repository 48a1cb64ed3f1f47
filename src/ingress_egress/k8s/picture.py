"""Picture: a cluster drawn as a graph of who may talk to whom, and the reachability heatmap.

:func:`connection_graph` turns a cluster and a list of connection attempts (source, destination, port,
protocol) into a :class:`networkx.MultiDiGraph` whose edges carry the verdict of
:meth:`~ingress_egress.k8s.cluster.Cluster.allows`; the routes of the cluster's Ingress objects are
added as edges from an "Internet" node (or from the Ingress controller's pod, if you name it) to the
pods behind each backend Service. :func:`draw_cluster` draws that graph with the pods (circles) grouped
in a box per namespace and addresses outside the cluster as squares, placed where a ``grid`` says or
in a column per namespace; allowed connections are solid blue arrows and denied ones dashed
vermillion arrows marked with a cross: line style and colour both carry the verdict, so it survives
colour-blindness and grey-scale printing. Arrows bend around the pods, names and namespace boxes
they do not belong to, and port labels sit where they cover no name. :func:`cluster_figure` stacks
several such panels, each as tall as it needs. :func:`draw_reachability` draws the pod-by-pod matrix
as a heatmap. :func:`draw_gateway` draws a Gateway of a
:class:`~ingress_egress.k8s.gateway.GatewayRouter`: its listeners, the HTTPRoutes that attach (or
why not) with their matches, and the Services they send to. Text is 8.5 pt or more, and figures are at most 7.6 inches wide, so at the course's
100 dpi nothing is scaled down in the book's 784 px column.

The Ingress routes are read from the Ingress objects themselves (``spec.rules[].http.paths[]`` and
``spec.defaultBackend``), so the picture does not depend on the routing module.

Examples
--------
>>> from ingress_egress.k8s import Cluster, load_manifests
>>> cluster = Cluster(load_manifests('''
... apiVersion: v1
... kind: Pod
... metadata: {name: web, labels: {app: web}}
... spec: {containers: [{name: c, image: x}]}
... '''))
>>> g = connection_graph(cluster, [("default/web", "203.0.113.5", 443, "TCP"), ("default/web", "default/web", 80)])
>>> sorted(g.nodes)
['203.0.113.5', 'default/web']
>>> [(u, v, d["label"], d["allowed"]) for u, v, d in g.edges(data=True)]
[('default/web', '203.0.113.5', '443/TCP', True), ('default/web', 'default/web', '80/TCP', True)]
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch, Rectangle
from matplotlib.transforms import Bbox

from ..plotting import OKABE_ITO
from .cluster import Cluster

__all__ = ["ALLOWED_COLOR", "DENIED_COLOR", "cluster_figure", "connection_graph", "draw_cluster", "draw_gateway",
           "draw_reachability", "ingress_routes"]

ALLOWED_COLOR = OKABE_ITO[0]  # blue
DENIED_COLOR = OKABE_ITO[1]  # vermillion
ROUTE_COLOR = OKABE_ITO[2]  # bluish green
INTERNET = "Internet"


def ingress_routes(cluster: Cluster) -> list[dict[str, Any]]:
    """Every (host, path) -> Service port of the cluster's Ingresses, with the pods behind it.

    Returns dicts with ``ingress``, ``host`` (``"*"`` for a rule without host), ``path`` (``"(default)"``
    for ``spec.defaultBackend``), ``service`` (``namespace/name``), ``port`` and ``endpoints`` (a list of
    ``(pod, container port)``; empty when the Service or its pods are missing).
    """
    routes = []
    for ing in cluster.ingresses:
        meta = ing.get("metadata") or {}
        namespace = meta.get("namespace") or "default"
        spec = ing.get("spec") or {}
        items: list[tuple[str, str, Mapping]] = []
        if spec.get("defaultBackend"):
            items.append(("*", "(default)", spec["defaultBackend"]))
        for rule in spec.get("rules") or []:
            for path in (rule.get("http") or {}).get("paths") or []:
                items.append((rule.get("host") or "*", path.get("path") or "/", path.get("backend") or {}))
        for host, path, backend in items:
            service = backend.get("service")
            if not service:
                continue  # a resource backend: nothing in the cluster model to point at
            port_spec = service.get("port") or {}
            port = port_spec.get("number", port_spec.get("name"))
            try:
                endpoints = cluster.service_endpoints(namespace, service["name"], port)
            except KeyError:
                endpoints = []
            routes.append({"ingress": f"{namespace}/{meta.get('name')}", "host": host, "path": path,
                           "service": f"{namespace}/{service['name']}", "port": port, "endpoints": endpoints})
    return routes


def connection_graph(cluster: Cluster, connections: Iterable[Sequence[Any]] | pd.DataFrame = (), *,
                     routes: bool = True, controller: str | None = None) -> nx.MultiDiGraph:
    """A graph of connection attempts, each edge judged by the cluster's NetworkPolicies.

    ``connections``: tuples ``(source, destination, port[, protocol])`` or a DataFrame with columns
    ``source``, ``destination``, ``port``, ``protocol``. Nodes get ``namespace`` (``None`` outside the
    cluster); edges get ``port``, ``protocol``, ``allowed``, ``label`` and ``kind`` (``"connection"`` or
    ``"route"``). With ``routes=True`` each Ingress route adds an edge to the pods behind it: from
    ``controller`` (a pod, judged like any connection on the pod's target port; then an ``"Internet"``
    node sends to the controller, labelled with the Ingress hosts) if given, else straight from the
    ``"Internet"`` node (not judged: what reaches the controller is not NetworkPolicy's business). A
    route that coincides with a listed connection marks that edge as a route (``paths`` lists the
    ``host/path`` of every route over it).
    """
    graph = nx.MultiDiGraph()
    if isinstance(connections, pd.DataFrame):
        rows = [(r.source, r.destination, int(r.port), getattr(r, "protocol", "TCP")) for r in connections.itertuples()]
    else:
        rows = [tuple(c) if len(c) == 4 else (*tuple(c), "TCP") for c in connections]

    def add_node(ref: str) -> str:
        pod, label = cluster._endpoint(ref)
        if label not in graph:
            graph.add_node(label, namespace=pod.namespace if pod else None, name=pod.name if pod else label)
        return label

    for src, dst, port, protocol in rows:
        s, d = add_node(src), add_node(dst)
        allowed = cluster.allows(s, d, int(port), protocol)
        graph.add_edge(s, d, port=int(port), protocol=protocol.upper(), allowed=allowed,
                       label=f"{int(port)}/{protocol.upper()}", kind="connection")
    if routes:
        table = ingress_routes(cluster)
        if controller is not None and table:
            c = add_node(controller)
            if INTERNET not in graph:
                graph.add_node(INTERNET, namespace=None, name=INTERNET)
            hosts = sorted({r["host"] for r in table} - {"*"})
            graph.add_edge(INTERNET, c, port=443, protocol="TCP", allowed=True, label="\n".join(hosts),
                           kind="route", paths=[])
        for route in table:
            path = route["path"] if route["path"].startswith("/") else "default backend"
            text = f"{route['host']}{path}" if route["host"] != "*" else path
            for pod_ref, target in route["endpoints"]:
                d = add_node(pod_ref)
                if controller is not None:
                    s = add_node(controller)
                    allowed = cluster.allows(s, d, target)
                else:
                    if INTERNET not in graph:
                        graph.add_node(INTERNET, namespace=None, name=INTERNET)
                    s, allowed = INTERNET, True
                same = [data for _, v, data in graph.out_edges(s, data=True)
                        if v == d and data["port"] == target and data["protocol"] == "TCP"]
                if same:  # the connection is already there (or another path to it): it carries the route
                    same[0]["kind"] = "route"
                    same[0].setdefault("paths", []).append(text)
                    continue
                graph.add_edge(s, d, port=target, protocol="TCP", allowed=allowed, label=f"{target}/TCP",
                               kind="route", paths=[text])
    return graph


_PANELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # figure -> its cluster panels

GRID_STEP = (1.55, 1.0)
"""Distance between automatic layout columns and rows, in the units of ``grid`` (data units)."""
NODE_RADIUS = 0.17
NAME_SIZE = 9.0
PORT_SIZE = 8.5
FIGURE_WIDTH = 7.6
"""Inches: at the course's 100 dpi a figure this wide fits the book's 784 px column unscaled, so text
keeps its size (8.5 pt is 11.8 px there, above the 9 px floor)."""


_NAME_SIDES = [  # (direction in degrees, offset, ha, va): below, above, right, left of the node
    (-90, (0.0, -NODE_RADIUS - 0.05), "center", "top"),
    (90, (0.0, NODE_RADIUS + 0.05), "center", "bottom"),
    (0, (NODE_RADIUS + 0.07, 0.0), "left", "center"),
    (180, (-NODE_RADIUS - 0.07, 0.0), "right", "center"),
]


def _node_label(name: str, limit: int = 14) -> str:
    """A pod or address name, broken after a hyphen when long: ``ingress-nginx-\ncontroller``."""
    if len(name) <= limit or "-" not in name:
        return name
    cut = max((i for i, ch in enumerate(name) if ch == "-" and i < len(name) - 1),
              key=lambda i: -abs(i - len(name) / 2))
    return name[: cut + 1] + "\n" + name[cut + 1:]


def _auto_grid(graph: nx.MultiDiGraph, namespaces: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Columns: outside addresses first, then one column per namespace; pods stacked in each."""
    outside = sorted((n for n, d in graph.nodes(data=True) if d["namespace"] is None),
                     key=lambda n: (n != INTERNET, n))
    columns = [outside] if outside else []
    for ns in namespaces:
        members = sorted(n for n, d in graph.nodes(data=True) if d["namespace"] == ns)
        if members:
            columns.append(members)
    tallest = max((len(c) for c in columns), default=1)
    grid = {}
    for x, members in enumerate(columns):
        top = (tallest - len(members)) / 2
        for i, node in enumerate(members):
            grid[node] = (x * GRID_STEP[0], (top + i) * GRID_STEP[1])
    return grid


def _bezier(p0: np.ndarray, p2: np.ndarray, rad: float, samples: int = 24) -> np.ndarray:
    """Points of matplotlib's ``arc3`` connection (a quadratic Bezier), in the coordinates given."""
    mid = (p0 + p2) / 2
    d = p2 - p0
    control = mid + rad * np.array([d[1], -d[0]])
    t = np.linspace(0, 1, samples)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * control + t ** 2 * p2


def _inside(points: np.ndarray, box) -> np.ndarray:
    return ((points[:, 0] > box.x0) & (points[:, 0] < box.x1) & (points[:, 1] > box.y0)
            & (points[:, 1] < box.y1))


def draw_cluster(cluster: Cluster, connections: Iterable[Sequence[Any]] | pd.DataFrame = (), *,
                 routes: bool = True, controller: str | None = None, ax: plt.Axes | None = None,
                 title: str = "Who may talk to whom", namespaces: Sequence[str] | None = None,
                 grid: Mapping[str, tuple[float, float]] | None = None,
                 width: float = FIGURE_WIDTH) -> plt.Axes:
    """Draw the cluster: namespaces as boxes, pods inside, connections as judged arrows.

    Allowed: solid blue arrow. Denied: dashed vermillion arrow, its label marked with a cross.
    Ingress routes (``routes=True``): bluish-green dotted arrows (dotted vermillion with a cross when a
    policy blocks the controller from the backend); the hosts label the arrow into the controller, and the
    edges' ``paths`` attribute lists the host and path of each route. Pods are circles, addresses
    outside the cluster squares.

    ``grid`` places the nodes: ``{"shop/api": (x, y), ...}`` with ``x`` to the right and ``y`` down
    (one unit is about a pod's width plus its name); every node of the graph needs a place. Without
    it, each namespace gets a column (in the order of ``namespaces``, default: the cluster's, sorted)
    after a column of outside addresses. Each arrow bends just enough to miss the pods, names and
    namespace boxes it does not belong to, and its port label sits where it covers no name. The
    figure is ``width`` inches wide (with ``ax=None``): at the default 7.6 the text stays at 8.5 pt
    or more in the book's column.
    """
    graph = connection_graph(cluster, connections, routes=routes, controller=controller)
    order = list(namespaces) if namespaces is not None else list(cluster.namespaces)
    places = dict(grid) if grid is not None else _auto_grid(graph, order)
    missing = sorted(set(graph.nodes) - set(places))
    if missing:
        raise KeyError(f"grid has no place for {', '.join(missing)}")
    pos = {n: np.array([float(places[n][0]), -float(places[n][1])]) for n in graph.nodes}
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    xlim = (min(xs) - 0.75, max(xs) + 0.75)
    ylim = (min(ys) - 0.72, max(ys) + 0.62)
    if ax is None:
        scale = width / (xlim[1] - xlim[0])
        _, ax = plt.subplots(figsize=(width, (ylim[1] - ylim[0]) * scale + 1.1))
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal", adjustable="box")
    ax.set_facecolor("white")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    renderer = ax.figure.canvas.get_renderer()
    # Draw the nodes and boxes once to measure them, then widen the limits to hold all of it and draw again.
    for final in (False, True):
        ax.apply_aspect()
        obstacles, patches, boxes, artists = _draw_nodes(ax, graph, pos, renderer)
        if final:
            break
        corners = np.vstack([ax.transData.inverted().transform(a.get_window_extent(renderer).corners())
                             for a in artists])
        for artist in artists:
            artist.remove()
        (x0, y0), (x1, y1) = corners.min(axis=0) - 0.12, corners.max(axis=0) + 0.12
        ax.set_xlim(min(x0, xlim[0] + 0.35), max(x1, xlim[1] - 0.35))
        ax.set_ylim(min(y0, ylim[0] + 0.35), max(y1, ylim[1] - 0.35))
    to_display = ax.transData.transform

    # edges: each bends as little as it can to miss foreign nodes, names and namespace boxes
    styles = {"allowed": (ALLOWED_COLOR, "solid"), "denied": (DENIED_COLOR, "dashed"),
              "route": (ROUTE_COLOR, "dotted"), "route-denied": (DENIED_COLOR, "dotted")}
    placed_labels: list = [b for ns_boxes in boxes.values() for b in ns_boxes[1:]]
    node_boxes = [b for node in obstacles for b in obstacles[node]]
    drawn_paths: list[np.ndarray] = []
    groups_used = set()
    for u, v, k, data in sorted(graph.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        if data["kind"] == "route":
            group = "route" if data["allowed"] else "route-denied"
        else:
            group = "allowed" if data["allowed"] else "denied"
        groups_used.add(group)
        colour, style = styles[group]
        text = data["label"] if data["allowed"] else "\u2715 " + data["label"]
        if u == v:
            _self_loop(ax, pos[u], colour, style, text)
            continue
        p0, p2 = to_display(pos[u]), to_display(pos[v])
        own_ns = {graph.nodes[u]["namespace"], graph.nodes[v]["namespace"]}
        foreign = [b for node, bs in obstacles.items() for b in (bs if node not in (u, v) else bs[1:])]
        foreign += [b[1] for b in boxes.values()]  # the namespaces' names
        foreign_boxes = [b[0] for ns, b in boxes.items() if ns not in own_ns]
        best = None
        for rad in (0.0, 0.12, -0.12, 0.22, -0.22, 0.33, -0.33, 0.45, -0.45, 0.6, -0.6):
            curve = _bezier(p0, p2, rad)[2:-2]
            cost = (100 * sum(_inside(curve, b.expanded(1.15, 1.3)).any() for b in foreign)
                    + 30 * sum(_inside(curve, b).any() for b in foreign_boxes)
                    + 3 * sum(_crosses(curve, other) for other in drawn_paths) + 4 * abs(rad))
            if best is None or cost < best[0]:
                best = (cost, rad, curve)
        _, rad, curve = best
        drawn_paths.append(curve)
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], connectionstyle=f"arc3,rad={rad}", arrowstyle="-|>",
                                     mutation_scale=13, color=colour, linestyle=style, lw=1.8,
                                     patchA=patches[u], patchB=patches[v], shrinkA=1, shrinkB=1, zorder=2,
                                     gid=f"edge:{u}->{v}:{data['label']}"))
        _place_label(ax, text, _bezier(p0, p2, rad, samples=21), colour, node_boxes + placed_labels,
                     placed_labels, renderer).set_gid(f"port:{u}->{v}:{data['label']}")

    handles = [Line2D([], [], color=ALLOWED_COLOR, linestyle="solid", lw=2, label="allowed"),
               Line2D([], [], color=DENIED_COLOR, linestyle="dashed", lw=2, label="\u2715 denied")]
    if groups_used & {"route", "route-denied"}:
        handles.append(Line2D([], [], color=ROUTE_COLOR, linestyle="dotted", lw=2, label="Ingress route"))
    handles += [Line2D([], [], marker="o", linestyle="", markerfacecolor="white", markeredgecolor="#333333",
                       markersize=9, label="pod"),
                Line2D([], [], marker="s", linestyle="", markerfacecolor="white", markeredgecolor="#333333",
                       markersize=9, label="outside address")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
              fontsize=NAME_SIZE, handlelength=1.8, columnspacing=1.0)
    if ax.figure in _PANELS:
        _fit_panels(ax.figure)
    return ax


def cluster_figure(*grids: Mapping[str, tuple[float, float]], width: float = FIGURE_WIDTH):
    """A figure with one panel per grid, stacked, each as tall as its grid needs at ``width`` inches;
    draw into the axes with ``draw_cluster(..., grid=grid, ax=ax)``. Returns ``(fig, axes)``."""
    heights = []
    for grid in grids:
        xs = [p[0] for p in grid.values()]
        ys = [p[1] for p in grid.values()]
        span_x, span_y = max(xs) - min(xs) + 1.5, max(ys) - min(ys) + 1.34
        heights.append(span_y * width / span_x + 1.0)
    fig, axes = plt.subplots(len(grids), 1, figsize=(width, sum(heights)), height_ratios=heights,
                             layout="constrained", squeeze=False)
    _PANELS[fig] = list(axes[:, 0])
    return fig, list(axes[:, 0])


def _fit_panels(fig) -> None:
    """Give each panel of a :func:`cluster_figure` the height its drawing needs at the figure's width
    (the width, hence the scale of what is drawn, stays the same)."""
    panels = _PANELS[fig]
    needs = []
    for ax in panels:
        (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
        slot = ax.get_subplotspec().get_position(fig).width * fig.get_figwidth()
        needs.append((y1 - y0) / (x1 - x0) * slot * 1.03 + 1.3)
    panels[0].get_subplotspec().get_gridspec().set_height_ratios(needs)
    fig.set_figheight(sum(needs))


def _draw_nodes(ax: plt.Axes, graph: nx.MultiDiGraph, pos: Mapping[str, np.ndarray], renderer):
    """Pods, addresses, their names and the namespace boxes; returns what edges must avoid."""
    to_display = ax.transData.transform
    artists: list = []

    # nodes, and their names on the side where fewest arrows leave or arrive
    obstacles: dict[str, list] = {}  # node -> display boxes of its shape and its name
    patches = {}
    for node, data in graph.nodes(data=True):
        x, y = pos[node]
        if data["namespace"] is None:
            patch = Rectangle((x - NODE_RADIUS * 0.9, y - NODE_RADIUS * 0.9), 1.8 * NODE_RADIUS,
                              1.8 * NODE_RADIUS, facecolor="white", edgecolor="#333333", lw=1.4, zorder=4)
        else:
            patch = Circle((x, y), NODE_RADIUS, facecolor="white", edgecolor="#333333", lw=1.4, zorder=4)
        patch.set_gid(f"node:{node}")
        ax.add_patch(patch)
        artists.append(patch)
        patches[node] = patch
        others = {b for a, b in graph.out_edges(node)} | {a for a, b in graph.in_edges(node)}
        angles = [np.degrees(np.arctan2(*(pos[o] - pos[node])[::-1])) for o in others - {node}]
        side = max(_NAME_SIDES, key=lambda sd: min((abs((sd[0] - a + 180) % 360 - 180) for a in angles),
                                                    default=360) + (10 if sd[0] == -90 else 0))
        (dx, dy), ha, va = side[1], side[2], side[3]
        name = ax.text(x + dx, y + dy, _node_label(data["name"]), ha=ha, va=va, fontsize=NAME_SIZE,
                       zorder=5, linespacing=1.0,
                       bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.4},
                       gid=f"name:{node}")
        artists.append(name)
        obstacles[node] = [patch.get_window_extent(renderer), name.get_window_extent(renderer)]

    # namespace boxes, around their pods and names
    boxes = {}
    for ns in dict.fromkeys(d["namespace"] for _, d in graph.nodes(data=True)):
        if ns is None:
            continue
        members = [n for n, d in graph.nodes(data=True) if d["namespace"] == ns]
        inverse = ax.transData.inverted()
        extents = [inverse.transform(b.corners()) for n in members for b in obstacles[n]]
        corners = np.vstack(extents)
        x0, y0 = corners.min(axis=0) - (0.12, 0.06)
        x1, y1 = corners.max(axis=0) + (0.12, 0.06)
        # the namespace's name goes on the side (top or bottom) that fewer arrows cross
        middle = (y0 + y1) / 2
        outside = [pos[b if a in members else a][1] for a, b in graph.edges() if (a in members) != (b in members)]
        on_top = sum(y > middle for y in outside) <= sum(y < middle for y in outside)
        if on_top:
            y1 += 0.28
        else:
            y0 -= 0.28
        frame = FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.02,rounding_size=0.1",
                               facecolor="#F2F2F2", edgecolor="#999999", zorder=0, gid=f"namespace:{ns}")
        ax.add_patch(frame)
        label = ax.text((x0 + x1) / 2, y1 - 0.05 if on_top else y0 + 0.05, ns, ha="center",
                        va="top" if on_top else "bottom", fontsize=NAME_SIZE, fontweight="bold", zorder=1,
                        gid=f"namespace-name:{ns}")
        artists += [frame, label]
        boxes[ns] = (Bbox(to_display([(x0, y0), (x1, y1)])), label.get_window_extent(renderer))
    return obstacles, patches, boxes, artists


def _crosses(curve: np.ndarray, other: np.ndarray) -> bool:
    """Do two polylines cross (a proper intersection of any two of their segments)?"""
    def cross(a, b):
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]

    a0, a1 = curve[:-1, None, :], curve[1:, None, :]
    b0, b1 = other[None, :-1, :], other[None, 1:, :]
    d1, d2 = cross(a1 - a0, b0 - a0), cross(a1 - a0, b1 - a0)
    d3, d4 = cross(b1 - b0, a0 - b0), cross(b1 - b0, a1 - b0)
    return bool(((d1 * d2 < 0) & (d3 * d4 < 0)).any())


def _place_label(ax: plt.Axes, text: str, curve: np.ndarray, colour: str, avoid: list, placed: list,
                 renderer):
    """Put an edge's label on the curve where its box overlaps no name, node or other label."""
    inverse = ax.transData.inverted()
    label = ax.text(0, 0, text, ha="center", va="center", fontsize=PORT_SIZE, color=colour, zorder=6,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9, "pad": 0.6})
    size = label.get_window_extent(renderer)
    beside = [(0.0, 0.0), (size.width / 2 + 6, 0.0), (-size.width / 2 - 6, 0.0),
              (0.0, size.height / 2 + 5), (0.0, -size.height / 2 - 5)]
    best = None
    half = np.array([size.width, size.height]) / 2 * (1.04, 1.1)
    for shift in beside:  # on the line if there is room anywhere along it, else just beside it
        for i in (10, 8, 12, 6, 14, 5, 15, 4, 16, 3, 17):
            centre = curve[i] + shift
            box = Bbox([centre - half, centre + half])
            overlap = sum(box.overlaps(other) for other in avoid)
            if best is None or overlap < best[0]:
                best = (overlap, curve[i] + shift, box)
            if overlap == 0:
                break
        if best[0] == 0:
            break
    _, xy, box = best
    label.set_position(inverse.transform(xy))
    placed.append(box)
    return label


def _self_loop(ax: plt.Axes, xy: np.ndarray, colour: str, style: str, text: str) -> None:
    x, y = xy
    ax.annotate("", xy=(x + 0.1, y + NODE_RADIUS), xytext=(x - 0.1, y + NODE_RADIUS),
                arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style,
                            "connectionstyle": "arc3,rad=-2.2"})
    ax.text(x, y + NODE_RADIUS + 0.3, text, ha="center", fontsize=PORT_SIZE, color=colour)


def draw_reachability(matrix: pd.DataFrame, *, ax: plt.Axes | None = None, title: str | None = None,
                      annotate: bool | None = None, width: float = 7.4, legend: bool = True) -> plt.Axes:
    """Draw a reachability matrix (rows: sources, columns: destinations) as a two-colour heatmap.

    Allowed cells are blue, denied cells vermillion, ``<NA>`` (outside to outside) white. With
    ``annotate`` (default: when the cells are big enough) each cell also carries a mark (``✓`` or
    ``✕``), so the picture does not rely on colour alone. Thin lines separate the namespaces, and a
    dotted outline marks each pod's cell to itself, always allowed (a pod cannot block access to
    itself). With ``ax=None`` the figure is ``width`` inches wide and its cells are sized so that
    the labels keep 9 pt; a matrix too large for readable labels is drawn without them.
    """
    values = matrix.astype("boolean")
    missing = values.isna().to_numpy()
    numeric = values.fillna(False).to_numpy(dtype=float)
    numeric[missing] = np.nan
    n_rows, n_cols = numeric.shape
    names = [str(r) for r in matrix.index] + [str(c) for c in matrix.columns]
    label_in = max((len(n) for n in names), default=1) * 0.58 * NAME_SIZE / 72
    if ax is None:
        cell = min(0.42, max(0.08, (width - label_in - 0.5) / max(n_cols, 1)))
        height = cell * n_rows + label_in * 0.87 + 1.5
        _, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ticks = max(n_rows, n_cols) <= 40
    cmap = ListedColormap([DENIED_COLOR, ALLOWED_COLOR]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(numeric), cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    if annotate is None:
        annotate = max(n_rows, n_cols) <= 24
    if annotate:
        for i in range(n_rows):
            for j in range(n_cols):
                if not missing[i, j]:
                    ax.text(j, i, "\u2713" if numeric[i, j] else "\u2715", ha="center", va="center",
                            color="white", fontsize=NAME_SIZE, fontweight="bold")
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    ax.set_xticklabels([str(c) for c in matrix.columns] if ticks else [], rotation=60, ha="right",
                       rotation_mode="anchor", fontsize=NAME_SIZE)
    ax.set_yticklabels([str(r) for r in matrix.index] if ticks else [], fontsize=NAME_SIZE)
    for labels, draw in ((list(matrix.index), ax.axhline), (list(matrix.columns), ax.axvline)):
        spaces = [str(x).split("/")[0] if "/" in str(x) else "outside" for x in labels]
        for k in range(1, len(spaces)):
            if spaces[k] != spaces[k - 1]:
                draw(k - 0.5, color="white", linewidth=2)
    selves = [(i, list(matrix.columns).index(r)) for i, r in enumerate(matrix.index)
              if "/" in str(r) and r in set(matrix.columns)]
    for i, j in selves:
        ax.add_patch(Rectangle((j - 0.42, i - 0.42), 0.84, 0.84, fill=False, edgecolor="black",
                               linestyle=":", linewidth=1.3))
    ax.set_xlabel("destination (namespace/pod or address)")
    ax.set_ylabel("source (namespace/pod or address)")
    ax.grid(False)
    ax.set_title(title or "Reachability", loc="right", pad=30 if legend else None)
    if legend:
        handles = [Line2D([], [], marker="s", linestyle="", color=ALLOWED_COLOR, markersize=10, label="\u2713 allowed"),
                   Line2D([], [], marker="s", linestyle="", color=DENIED_COLOR, markersize=10, label="\u2715 denied")]
        if selves:
            handles.append(Line2D([], [], marker="s", linestyle="", markerfacecolor="white",
                                  markeredgecolor="black", markersize=10,
                                  label="dotted: a pod to itself, always allowed"))
        ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(handles),
                  fontsize=NAME_SIZE, handletextpad=0.3, columnspacing=1.0, borderaxespad=0.2)
    return ax


# ------------------------------------------------------------------------------------------ Gateway API

GATEWAY_TEXT_SIZE = 9.0
"""Points: the text of :func:`draw_gateway` (12.5 px at 100 dpi, unscaled in the book's column)."""
LISTENER_COLOR = OKABE_ITO[0]  # blue
HTTPROUTE_COLOR = OKABE_ITO[2]  # bluish green
BACKEND_COLOR = OKABE_ITO[4]  # orange
ANSWER_COLOR = OKABE_ITO[3]  # reddish purple: the Gateway answers itself (a redirect, a 500)
_COLUMNS = (("listeners", 0.0, 1.75), ("routes", 2.1, 3.3), ("targets", 5.75, 1.85))
"""(column, left edge, width) in inches of a 7.6-inch figure; scaled to other widths."""
_PAD, _GAP, _LINE = 0.07, 0.16, 1.28
"""Inches of padding inside a box and between boxes; line spacing as a multiple of the font size."""


def _fit_lines(text: str, width_in: float, renderer, size: float = GATEWAY_TEXT_SIZE, dpi: float = 100.0,
               indent: str = "   ") -> list[str]:
    """The lines of ``text`` (its ``\\n`` kept), each broken at spaces so that it fits ``width_in``
    inches at ``size`` points; a word too long on its own is cut between characters. Continuation
    lines start with ``indent``. Text is never made smaller to fit."""
    from matplotlib.font_manager import FontProperties

    font = FontProperties(size=size)
    limit = width_in * dpi

    def fits(line: str) -> bool:
        return renderer.get_text_width_height_descent(line, font, ismath=False)[0] <= limit

    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}" if current.strip() else current + word
            if fits(candidate):
                current = candidate
                continue
            if current.strip():
                lines.append(current)
                current = indent + word
            else:
                current = candidate
            while not fits(current):  # longer than a line on its own: cut it
                cut = len(current) - 1
                while cut > len(indent) + 1 and not fits(current[:cut]):
                    cut -= 1
                if cut <= len(indent) + 1:
                    break  # not even one character fits: leave it whole
                lines.append(current[:cut])
                current = indent + current[cut:]
        lines.append(current)
    return lines


def _gateway_parts(router: Any, gateway: str) -> tuple[list, list, list, list]:
    """What :func:`draw_gateway` draws: listeners, routes, targets (Services and the Gateway's own
    answers) and the arrows between them, read from the router."""
    listeners = [li for li in router._listeners[gateway]]
    attachments = [a for a in router._attachments if a.gateway == gateway]
    rules = router.rules()
    rules = rules[rules["gateway"] == gateway]
    attached: dict[str, list[str]] = {}
    refused: dict[str, Any] = {}
    for a in attachments:
        if a.accepted:
            attached.setdefault(a.route, [])
            attached[a.route] += [name for name in a.listeners if name not in attached[a.route]]
        elif a.route not in attached:
            refused.setdefault(a.route, a)
    refused = {ref: a for ref, a in refused.items() if ref not in attached}
    names = [li.name for li in listeners]
    order = {ref: i for i, ref in enumerate(router.routes)}
    routes = sorted(attached, key=lambda ref: (min(names.index(n) for n in attached[ref]), order[ref]))
    route_items, targets, arrows = [], {}, []
    for ref in routes:
        route = router._routes[ref]
        seen, lines = set(), []
        for row in rules[rules["route"] == ref].itertuples():
            if row.rule in seen:
                continue
            seen.add(row.rule)
            rule = route.rules[int(row.rule.split("[")[1].split("]")[0])]
            redirect = rule.filter("RequestRedirect")
            if redirect is not None:
                keys = [("answer", f"{redirect.get('statusCode', 302)} redirect", None)]
                action = keys[0][1]
            elif not rule.backends:
                keys = [("answer", "500: no backendRefs", None)]
                action = keys[0][1]
            else:
                keys = [("service", b.target, b.problem) for b in rule.backends]
                shown = [("\u2715\u00a0" if b.problem else "") + b.target.removeprefix(f"{route.namespace}/")
                         + (f" ({b.weight})" if len(rule.backends) > 1 else "") for b in rule.backends]
                action = ", ".join(shown)
            lines.append(f"{row.match} \u2192 {action}")
            for key in keys:
                targets.setdefault(key[:2], key[2])
                crossing = key[0] == "service" and not key[1].startswith(f"{route.namespace}/") and key[2] is None
                style = "invalid" if key[2] else "crossing" if crossing else "plain"
                if (ref, key[:2], style) not in arrows:
                    arrows.append((ref, key[:2], style))
        route_items.append((ref, f"HTTPRoute {ref}", lines, attached[ref]))
    for ref, a in sorted(refused.items(), key=lambda item: order[item[0]]):
        reason = f"Accepted=False, {a.reason}" if a.reason else "no status"
        route_items.append((ref, f"HTTPRoute {ref}", [f"\u2715 not attached ({reason}): {a.message}"], []))
    return listeners, route_items, targets, arrows


def draw_gateway(router: Any, gateway: str | None = None, *, ax: plt.Axes | None = None, title: str | None = None,
                 width: float = FIGURE_WIDTH, max_routes: int = 12) -> plt.Axes:
    """Draw one Gateway of a :class:`~ingress_egress.k8s.gateway.GatewayRouter`: listeners, routes, Services.

    Three columns, read from left to right as a request crosses them. Left, the Gateway's listeners
    (name, protocol, port, hostname; one a controller would not program is marked with a cross and
    why). Middle, the HTTPRoutes whose ``parentRefs`` name the Gateway: an attached one lists its
    matches in precedence order with what each sends where (weights in brackets, a cross on an
    invalid backend), one that attaches nowhere says why (its ``Accepted`` reason). Right, the
    Services the rules name, and what the Gateway answers itself (a redirect, a 500). Arrows: a
    listener to the routes attached to it; a route to its targets, dashed black into another
    namespace (a ReferenceGrant allows it), dotted vermillion to an invalid backend. Lines too long
    for their box are broken, never shrunk: the text is 9 pt, 12.5 px in the book's column at the
    default ``width`` (7.6 inches at 100 dpi). At most ``max_routes`` routes are drawn; a note counts
    the others. ``gateway`` is ``"namespace/name"`` (``None``: the only one). Returns the Axes; each
    box and arrow carries a ``gid`` (``listener:NAME``, ``route:NS/NAME``, ``target:TEXT``,
    ``arrow:FROM->TO``).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from ingress_egress.k8s import GatewayRouter, load_manifests
    >>> router = GatewayRouter(load_manifests('''
    ... apiVersion: gateway.networking.k8s.io/v1
    ... kind: Gateway
    ... metadata: {name: web, namespace: shop}
    ... spec:
    ...   gatewayClassName: example
    ...   listeners: [{name: http, port: 80, protocol: HTTP}]
    ... ---
    ... apiVersion: gateway.networking.k8s.io/v1
    ... kind: HTTPRoute
    ... metadata: {name: store, namespace: shop}
    ... spec:
    ...   parentRefs: [{name: web}]
    ...   rules: [{backendRefs: [{name: frontend, port: 80}]}]
    ... '''))
    >>> ax = draw_gateway(router)
    >>> sorted(p.get_gid() for p in ax.patches if p.get_gid())
    ['arrow:listener:http->route:shop/store', 'arrow:route:shop/store->target:shop/frontend:80', 'listener:http', 'route:shop/store', 'target:shop/frontend:80']
    """
    gateway = router._gateway(gateway)
    listeners, route_items, targets, arrows = _gateway_parts(router, gateway)
    hidden = max(0, len(route_items) - max_routes)
    route_items = route_items[:max_routes]
    drawn = {ref for ref, *_ in route_items}
    arrows = [a for a in arrows if a[0] in drawn]
    used = {key for _, key, _ in arrows}
    targets = {key: problem for key, problem in targets.items() if key in used}
    scale = width / FIGURE_WIDTH
    column = {name: (left * scale, w * scale) for name, left, w in _COLUMNS}
    own = ax is None
    if own:
        fig = plt.figure(figsize=(width, 4.0))
        ax = fig.add_axes((0, 0, 1, 1))
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    dpi = fig.dpi
    size = GATEWAY_TEXT_SIZE
    line = size * _LINE / 72

    def lines_of(text: str, where: str) -> list[str]:
        return _fit_lines(text, column[where][1] - 2 * _PAD, renderer, size, dpi)

    boxes: dict[str, list[tuple[str, list[str], dict]]] = {"listeners": [], "routes": [], "targets": []}
    for li in listeners:
        host = li.hostname or "any host"
        text = f"{li.name}: {li.protocol} {li.port}\n{host}"
        if li.problem:
            text += f"\n\u2715 not programmed: {li.problem}"
        boxes["listeners"].append((f"listener:{li.name}", lines_of(text, "listeners"),
                                   {"color": DENIED_COLOR if li.problem else LISTENER_COLOR,
                                    "style": "dashed" if li.problem else "solid"}))
    for ref, head, body, _ in route_items:
        problem = bool(body) and body[0].startswith("\u2715 not attached")
        boxes["routes"].append((f"route:{ref}", lines_of("\n".join([head, *body]), "routes"),
                                {"color": DENIED_COLOR if problem else HTTPROUTE_COLOR,
                                 "style": "dashed" if problem else "solid"}))
    for (kind, target), problem in targets.items():
        text = ("\u2715 " + target + f"\n{problem[0]}") if problem else target.replace(":", " port ", 1) \
            if kind == "service" else target
        colour = DENIED_COLOR if problem else BACKEND_COLOR if kind == "service" else ANSWER_COLOR
        boxes["targets"].append((f"target:{target}", lines_of(text, "targets"),
                                 {"color": colour, "style": "dotted" if problem else "solid"}))

    def height(lines: list[str]) -> float:
        return len(lines) * line + 2 * _PAD

    columns_h = {name: sum(height(b[1]) for b in items) + _GAP * max(len(items) - 1, 0)
                 for name, items in boxes.items()}
    content = max(columns_h.values()) if any(boxes.values()) else line
    head_lines = _fit_lines(title or f"Gateway {gateway}: listeners, the routes attached, where they send requests",
                            width - 0.1, renderer, size + 1, dpi, indent="")
    head = len(head_lines) * (size + 1) * _LINE / 72 + 0.1
    captions = line + 0.12
    note = line + 0.05 if hidden else 0.0
    legend = 2 * line + 0.25
    total = head + captions + content + note + legend
    if own:
        fig.set_figheight(total)
    ax.set_xlim(0, width)
    ax.set_ylim(0, total)
    ax.set_axis_off()
    top = total - head - captions
    ax.text(width / 2, total - 0.05, "\n".join(head_lines), ha="center", va="top", fontsize=size + 1,
            fontweight="bold", linespacing=_LINE)
    captions_text = {"listeners": f"Listeners of {gateway}", "routes": "HTTPRoutes: matches, best first",
                     "targets": "Services and answers"}
    centres: dict[str, tuple[float, float, float]] = {}  # gid -> (left x, right x, centre y)
    for name, items in boxes.items():
        left, w = column[name]
        caption = _fit_lines(captions_text[name], w, renderer, size, dpi, indent="")[0]
        ax.text(left + w / 2, top + 0.08, caption, ha="center", va="bottom", fontsize=size, fontweight="bold")
        y = top - (content - columns_h[name]) / 2
        for gid, lines, style in items:
            h = height(lines)
            ax.add_patch(FancyBboxPatch((left, y - h), w, h, boxstyle="round,pad=0,rounding_size=0.05",
                                        facecolor="white", edgecolor=style["color"], linewidth=1.8,
                                        linestyle=style["style"], gid=gid))
            ax.text(left + _PAD, y - _PAD, "\n".join(lines), ha="left", va="top", fontsize=size,
                    linespacing=_LINE, gid=f"text:{gid}")
            centres[gid] = (left, left + w, y - h / 2)
            y -= h + _GAP
    edge_styles = {"plain": ("0.3", "solid"), "crossing": (OKABE_ITO[7], "dashed"),
                   "invalid": (DENIED_COLOR, "dotted")}
    links = [(f"listener:{name}", f"route:{ref}", "plain") for ref, _, _, names in route_items for name in names]
    links += [(f"route:{ref}", f"target:{key[1]}", style) for ref, key, style in arrows]
    for source, target, style in links:
        colour, dash = edge_styles[style]
        (_, x0, y0), (x1, _, y1) = centres[source][:3], centres[target][:3]
        ax.add_patch(FancyArrowPatch((x0 + 0.02, y0), (x1 - 0.02, y1), arrowstyle="-|>", mutation_scale=12,
                                     color=colour, linestyle=dash, linewidth=1.4, shrinkA=0, shrinkB=0,
                                     gid=f"arrow:{source}->{target}"))
    y = top - content - 0.1
    if hidden:
        ax.text(column["routes"][0], y, f"... and {hidden} more HTTPRoute{'s' if hidden > 1 else ''} "
                "(not drawn: see router.attachments())", ha="left", va="top", fontsize=size)
        y -= note
    used = {style for _, _, style in links}
    if any(style["color"] == DENIED_COLOR for items in boxes.values() for _, _, style in items):
        used.add("invalid")
    handles = [Line2D([], [], color="0.3", lw=1.6, label="attached, or sends to")]
    if "crossing" in used:
        handles.append(Line2D([], [], color=OKABE_ITO[7], lw=1.6, linestyle="dashed",
                              label="into another namespace (ReferenceGrant)"))
    if "invalid" in used:
        handles.append(Line2D([], [], color=DENIED_COLOR, lw=1.6, linestyle="dotted",
                              label="\u2715 invalid, refused or not programmed"))
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(width / 2, 0.0), bbox_transform=ax.transData,
              ncol=len(handles), fontsize=size, handlelength=2.2, columnspacing=1.2, borderaxespad=0.1)
    return ax
