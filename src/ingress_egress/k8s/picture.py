"""Picture: a cluster drawn as a graph of who may talk to whom, and the reachability heatmap.

:func:`connection_graph` turns a cluster and a list of connection attempts (source, destination, port,
protocol) into a :class:`networkx.MultiDiGraph` whose edges carry the verdict of
:meth:`~ingress_egress.k8s.cluster.Cluster.allows`; the routes of the cluster's Ingress objects are
added as edges from an "Internet" node (or from the Ingress controller's pod, if you name it) to the
pods behind each backend Service. :func:`draw_cluster` draws that graph with the pods grouped in a box
per namespace, addresses outside the cluster in a column of their own, allowed connections as solid
blue arrows and denied ones as dashed vermillion arrows marked with a cross: line style and colour
both carry the verdict, so it survives colour-blindness and grey-scale printing.
:func:`draw_reachability` draws the pod-by-pod matrix as a heatmap.

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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

from ..plotting import OKABE_ITO
from .cluster import Cluster

__all__ = ["ALLOWED_COLOR", "DENIED_COLOR", "connection_graph", "draw_cluster", "draw_reachability", "ingress_routes"]

ALLOWED_COLOR = OKABE_ITO[0]  # blue
DENIED_COLOR = OKABE_ITO[1]  # vermillion
ROUTE_COLOR = OKABE_ITO[2]  # bluish green
INTERNET = "Internet"
COLUMN = 2.6  # distance between namespace columns, in data units


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
            hosts = sorted({r["host"] for r in table})
            graph.add_edge(INTERNET, c, port=443, protocol="TCP", allowed=True, label=", ".join(hosts),
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


def _layout(graph: nx.MultiDiGraph, namespaces: Sequence[str]) -> tuple[dict[str, tuple[float, float]], dict]:
    """Columns: outside addresses first, then one column per namespace; pods stacked in each."""
    pos: dict[str, tuple[float, float]] = {}
    boxes = {}
    outside = sorted((n for n, d in graph.nodes(data=True) if d["namespace"] is None),
                     key=lambda n: (n != INTERNET, n))
    columns: list[tuple[str | None, list[str]]] = [(None, outside)] if outside else []
    for ns in namespaces:
        members = sorted(n for n, d in graph.nodes(data=True) if d["namespace"] == ns)
        if members:
            columns.append((ns, members))
    tallest = max((len(m) for _, m in columns), default=1)
    for x, (ns, members) in enumerate(columns):
        zigzag = 0.35 if len(members) > 2 else 0.0  # so that arrows inside a column miss the pods between
        for i, node in enumerate(members):
            pos[node] = (x * COLUMN + (zigzag if i % 2 else -zigzag), tallest - 1 - (tallest - len(members)) / 2 - i)
        ys = [pos[m][1] for m in members]
        boxes[ns] = (x * COLUMN, min(ys), max(ys))
    return pos, boxes


def draw_cluster(cluster: Cluster, connections: Iterable[Sequence[Any]] | pd.DataFrame = (), *,
                 routes: bool = True, controller: str | None = None, ax: plt.Axes | None = None,
                 title: str = "Who may talk to whom", namespaces: Sequence[str] | None = None) -> plt.Axes:
    """Draw the cluster: namespaces as boxes, pods inside, connections as judged arrows.

    Allowed: solid blue arrow. Denied: dashed vermillion arrow, its label marked with a cross.
    Ingress routes (``routes=True``): bluish-green dotted arrows (dotted vermillion with a cross when a
    policy blocks the controller from the backend); the hosts label the arrow into the controller, and the
    edges' ``paths`` attribute lists the host and path of each route.
    ``namespaces`` fixes the column order (default: the cluster's namespaces, sorted, outside first).
    """
    graph = connection_graph(cluster, connections, routes=routes, controller=controller)
    order = list(namespaces) if namespaces is not None else list(cluster.namespaces)
    pos, boxes = _layout(graph, order)
    if ax is None:
        width = max(6.0, 2.4 * len(boxes) + 1)
        height = max(3.5, 1.1 * max((b[2] - b[1] + 1 for b in boxes.values()), default=1) + 1.8)
        _, ax = plt.subplots(figsize=(width, height))
    ax.set_facecolor("white")
    for ns, (x, y0, y1) in boxes.items():
        label = ns if ns is not None else "outside the cluster"
        face = "#F2F2F2" if ns is not None else "#FFFFFF"
        ax.add_patch(FancyBboxPatch((x - 1.0, y0 - 0.6), 2.0, y1 - y0 + 1.15,
                                    boxstyle="round,pad=0.02,rounding_size=0.15",
                                    facecolor=face, edgecolor="#999999", linestyle="-" if ns else ":", zorder=0))
        ax.text(x, y1 + 0.65, label, ha="center", va="bottom", fontsize=9, fontweight="bold")
    pods = [n for n, d in graph.nodes(data=True) if d["namespace"] is not None]
    outside = [n for n, d in graph.nodes(data=True) if d["namespace"] is None]
    nx.draw_networkx_nodes(graph, pos, nodelist=pods, node_color="white", edgecolors="#333333", node_size=520,
                           linewidths=1.4, ax=ax)
    nx.draw_networkx_nodes(graph, pos, nodelist=outside, node_color="white", edgecolors="#333333", node_size=520,
                           node_shape="s", linewidths=1.4, ax=ax)
    for node in graph.nodes:
        name = graph.nodes[node]["name"]
        ax.text(pos[node][0], pos[node][1] - 0.3, name, ha="center", va="top", fontsize=7.5, zorder=5,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5})
    groups = {"allowed": [], "denied": [], "route": [], "route-denied": []}
    labels = {}
    for u, v, k, data in graph.edges(keys=True, data=True):
        if data["kind"] == "route":
            group = "route" if data["allowed"] else "route-denied"
            text = data["label"]
        else:
            group = "allowed" if data["allowed"] else "denied"
            text = data["label"]
        groups[group].append((u, v, k))
        labels[(u, v, k)] = text if data["allowed"] else "\u2715 " + text
    styles = {"allowed": (ALLOWED_COLOR, "solid", 1.8), "denied": (DENIED_COLOR, "dashed", 1.8),
              "route": (ROUTE_COLOR, "dotted", 1.8), "route-denied": (DENIED_COLOR, "dotted", 1.8)}
    for group, edges in groups.items():
        if not edges:
            continue
        colour, style, width = styles[group]
        loops = [e for e in edges if e[0] == e[1]]
        plain = [e for e in edges if e[0] != e[1]]
        if plain:
            nx.draw_networkx_edges(graph, pos, edgelist=plain, edge_color=colour, style=style, width=width,
                                   arrows=True, arrowstyle="-|>", arrowsize=13, node_size=520,
                                   connectionstyle="arc3,rad=0.12", ax=ax)
            texts = nx.draw_networkx_edge_labels(
                graph, pos, edge_labels={e: labels[e] for e in plain}, font_size=6.5, font_color=colour,
                connectionstyle="arc3,rad=0.12", label_pos=0.5,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.3}, ax=ax)
            for text in texts.values():  # verdicts above the pod names
                text.set_zorder(6)
        for u, _, k in loops:
            x, y = pos[u]
            ax.annotate("", xy=(x + 0.12, y + 0.12), xytext=(x - 0.12, y + 0.12),
                        arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": style,
                                    "connectionstyle": "arc3,rad=-2.5"})
            ax.text(x, y + 0.5, labels[(u, u, k)], ha="center", fontsize=6.5, color=colour)
    handles = [Line2D([], [], color=ALLOWED_COLOR, linestyle="solid", lw=2, label="allowed"),
               Line2D([], [], color=DENIED_COLOR, linestyle="dashed", lw=2, label="\u2715 denied")]
    if groups["route"] or groups["route-denied"]:
        handles.append(Line2D([], [], color=ROUTE_COLOR, linestyle="dotted", lw=2, label="Ingress route"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=len(handles), fontsize=8)
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    ax.set_xlim(min(xs) - 1.25, max(xs) + 1.25)
    ax.set_ylim(min(ys) - 0.9, max(ys) + 1.2)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    return ax


def draw_reachability(matrix: pd.DataFrame, *, ax: plt.Axes | None = None, title: str | None = None,
                      annotate: bool | None = None) -> plt.Axes:
    """Draw a reachability matrix (rows: sources, columns: destinations) as a two-colour heatmap.

    Allowed cells are blue, denied cells vermillion, ``<NA>`` (outside to outside) white. With
    ``annotate`` (default: for matrices up to 20 x 20) each cell also carries a mark (``✓`` or ``✕``),
    so the picture does not rely on colour alone. Thin lines separate the namespaces.
    """
    values = matrix.astype("boolean")
    missing = values.isna().to_numpy()
    numeric = values.fillna(False).to_numpy(dtype=float)
    numeric[missing] = np.nan
    n_rows, n_cols = numeric.shape
    if ax is None:
        size = min(11.0, max(4.5, 0.45 * max(n_rows, n_cols) + 2.5))
        _, ax = plt.subplots(figsize=(size, size * 0.85))
    cmap = ListedColormap([DENIED_COLOR, ALLOWED_COLOR]).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(numeric), cmap=cmap, vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    if annotate is None:
        annotate = max(n_rows, n_cols) <= 20
    if annotate:
        for i in range(n_rows):
            for j in range(n_cols):
                if not missing[i, j]:
                    ax.text(j, i, "\u2713" if numeric[i, j] else "\u2715", ha="center", va="center",
                            color="white", fontsize=9, fontweight="bold")
    ax.set_xticks(range(n_cols))
    ax.set_yticks(range(n_rows))
    small = max(n_rows, n_cols) > 40
    ax.set_xticklabels([] if small else [str(c) for c in matrix.columns], rotation=60, ha="right", fontsize=7.5)
    ax.set_yticklabels([] if small else [str(r) for r in matrix.index], fontsize=7.5)
    for labels, draw in ((list(matrix.index), ax.axhline), (list(matrix.columns), ax.axvline)):
        spaces = [str(x).split("/")[0] if "/" in str(x) else "outside" for x in labels]
        for k in range(1, len(spaces)):
            if spaces[k] != spaces[k - 1]:
                draw(k - 0.5, color="white", linewidth=2)
    ax.set_xlabel("destination (namespace/pod or address)")
    ax.set_ylabel("source (namespace/pod or address)")
    ax.grid(False)
    ax.set_title(title or "Reachability")
    handles = [Line2D([], [], marker="s", linestyle="", color=ALLOWED_COLOR, markersize=10, label="\u2713 allowed"),
               Line2D([], [], marker="s", linestyle="", color=DENIED_COLOR, markersize=10, label="\u2715 denied")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return ax
