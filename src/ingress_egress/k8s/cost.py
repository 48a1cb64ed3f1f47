"""Cost: what a cluster's traffic costs, and which namespace pays for it.

Kubernetes puts no price on traffic; the cloud under it does, by where the bytes go.
This module joins flow records (such as :func:`ingress_egress.flowlogs.read_flow_logs`
returns) to the cluster's objects and prices them with the course's tables
(:mod:`ingress_egress.cloud`):

- :func:`address_book`: every address of a pod or a node, with its namespace, node and
  zone (the node's label ``topology.kubernetes.io/zone``); :func:`draw_zone_map` draws
  it;
- :func:`network_cost_by_namespace`: bytes and USD per (namespace, category);
- :func:`service_endpoints` and :func:`cross_zone_share`: where a Service's endpoints
  are, and the share of a client's requests that leave its zone with random endpoint
  choice or with ``trafficDistribution: PreferClose``.

The objects are what :func:`~ingress_egress.k8s.manifests.load_manifests` returns for a
cluster's state (``kubectl get nodes,pods,services -A -o yaml``): Nodes with their zone
label and ``status.addresses`` (``InternalIP``), Pods with ``spec.nodeName`` and
``status.podIP``, Services. ``load_manifests`` sets Nodes aside (they do not decide
which traffic is allowed); they are read from its ``ignored_objects`` too. A pod with
``hostNetwork: true`` has its node's address: its traffic counts as the node's.

How a flow is allocated (``src`` sends ``bytes`` to ``dst``):

======================================= ================================================
both ends in the cluster, one zone      ``in_zone`` (0 USD), for the sender's namespace
both ends in the cluster, two zones     ``inter_zone`` twice: out of the sender's zone,
                                        for the sender's namespace, and into the
                                        receiver's zone, for the receiver's (AWS bills
                                        both sides)
a pod and an address outside            the pod's namespace, with the category the
                                        address implies: ``nat_gateway`` when it is in
                                        ``nat_gateways``, ``inter_region_out``/``_in``
                                        when in ``other_regions``, otherwise
                                        ``internet_out`` (from the pod) or
                                        ``internet_in`` (to it)
a node (not a pod) on one side          its side goes to the pod's namespace on the
                                        other side, or to ``"(nodes)"`` when there is
                                        none (the kubelet's image pulls, a load
                                        balancer's health checks)
neither end in the cluster              not allocated: counted in ``attrs``
======================================= ================================================

The categories are those of :data:`ingress_egress.bills.TRANSFER_CLASSES` plus
``in_zone``. The USD of a category is priced on its total as one month's volume (tiers
and free allowance apply to the total) and shared among the rows in proportion to their
bytes; a crossing between zones is priced per side. These are choices, and the notebook
on cluster network costs discusses them: another tool may charge a crossing to the
sender only, or price egress only.

Examples
--------
Two pods in two zones; ``web`` sends 10 GiB to ``db`` and 1 GiB to the internet:

>>> objects = [
...     {
...         "kind": "Node",
...         "metadata": {
...             "name": "n1",
...             "labels": {"topology.kubernetes.io/zone": "us-east-1a"},
...         },
...         "status": {"addresses": [{"type": "InternalIP", "address": "10.0.1.10"}]},
...     },
...     {
...         "kind": "Node",
...         "metadata": {
...             "name": "n2",
...             "labels": {"topology.kubernetes.io/zone": "us-east-1b"},
...         },
...         "status": {"addresses": [{"type": "InternalIP", "address": "10.0.2.10"}]},
...     },
...     {
...         "kind": "Pod",
...         "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
...         "spec": {"nodeName": "n1"},
...         "status": {"podIP": "10.0.1.21"},
...     },
...     {
...         "kind": "Pod",
...         "metadata": {"name": "db", "namespace": "data"},
...         "spec": {"nodeName": "n2"},
...         "status": {"podIP": "10.0.2.31"},
...     },
... ]
>>> flows = pd.DataFrame(
...     {
...         "src": ["10.0.1.21", "10.0.1.21"],
...         "dst": ["10.0.2.31", "198.51.100.7"],
...         "bytes": [10 * 2**30, 2**30],
...     }
... )
>>> network_cost_by_namespace(flows, objects)
  namespace      category        bytes  usd
0      data    inter_zone  10737418240  0.1
1      shop    inter_zone  10737418240  0.1
2      shop  internet_out   1073741824  0.0
>>> cross_zone_share(
...     "shop/web",
...     objects
...     + [
...         {
...             "kind": "Service",
...             "metadata": {"name": "web", "namespace": "shop"},
...             "spec": {"selector": {"app": "web"}},
...         }
...     ],
...     "us-east-1b",
...     "random",
... )
1.0
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import bills, cloud
from .manifests import ManifestError, object_ref
from .networkpolicy import LabelSelector

__all__ = [
    "CATEGORIES",
    "NODES",
    "ZONE_LABEL",
    "address_book",
    "cross_zone_share",
    "draw_zone_map",
    "network_cost_by_namespace",
    "service_endpoints",
]

ZONE_LABEL = "topology.kubernetes.io/zone"
"""The well-known Node label that names its zone."""

NODES = "(nodes)"
"""The namespace name used for traffic of nodes that no pod's namespace can take."""

CATEGORIES = (
    "inter_zone",
    "inter_region_out",
    "inter_region_in",
    "nat_gateway",
    "internet_out",
    "internet_in",
    "in_zone",
)
"""The categories of :func:`network_cost_by_namespace`, in the order it lists them."""

MODES = ("random", "prefer-close")
"""The endpoint choices :func:`cross_zone_share` models."""

_PRICE_CATEGORY = {"nat_gateway": "nat_processing"}
"""The bill's class -> the price table's category, where the names differ."""

assert set(CATEGORIES) - {"in_zone"} <= set(bills.TRANSFER_CLASSES), (
    "a category the bill classes do not know"
)

_OUTSIDE, _POD, _NODE = 0, 1, 2
_INTERNET, _NAT, _REGION = 0, 1, 2


# --------------------------------------------------------------------------------------
# The cluster's addresses
# --------------------------------------------------------------------------------------


def _objects(objects: Iterable[Mapping[str, Any]]) -> tuple[list, Any]:
    """All objects, including those load_manifests set aside, and a function naming
    where each was read.
    """
    items = list(objects) + list(getattr(objects, "ignored_objects", []) or [])
    origin = getattr(objects, "origin", None)
    return items, (origin if callable(origin) else (lambda obj: None))


def _meta(obj: Mapping) -> Mapping:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _address(text: Any, fail, field: str) -> str:
    try:
        return str(ipaddress.ip_address(str(text)))
    except ValueError:
        fail(field, f'Invalid value: "{text}": must be a valid IP address')


def _nodes(items: list, origin) -> dict[str, dict]:
    nodes: dict[str, dict] = {}
    for obj in items:
        if obj.get("kind") != "Node":
            continue
        meta = _meta(obj)

        def fail(field: str, detail: str, _obj=obj) -> None:
            raise ManifestError(
                detail, origin=origin(_obj), ref=object_ref(_obj), field=field
            )

        labels = meta.get("labels") or {}
        zone = labels.get(ZONE_LABEL)
        if not zone:
            fail(
                f"metadata.labels.{ZONE_LABEL}",
                "Required value: the node's zone (a cluster on a cloud sets it)",
            )
        status = obj.get("status") if isinstance(obj.get("status"), Mapping) else {}
        addresses = [
            _address(a.get("address"), fail, "status.addresses")
            for a in status.get("addresses") or []
            if isinstance(a, Mapping) and a.get("type") == "InternalIP"
        ]
        nodes[meta.get("name")] = {
            "zone": str(zone),
            "addresses": addresses,
            "obj": obj,
        }
    return nodes


def _pods(items: list, origin, nodes: dict[str, dict]) -> list[dict]:
    pods = []
    for obj in items:
        if obj.get("kind") != "Pod":
            continue
        meta, spec = _meta(obj), obj.get("spec") or {}
        status = obj.get("status") or {}

        def fail(field: str, detail: str, _obj=obj) -> None:
            raise ManifestError(
                detail, origin=origin(_obj), ref=object_ref(_obj), field=field
            )

        ips = []
        if status.get("podIP"):
            ips.append(_address(status["podIP"], fail, "status.podIP"))
        for i, item in enumerate(status.get("podIPs") or []):
            ip = _address((item or {}).get("ip"), fail, f"status.podIPs[{i}].ip")
            if ip not in ips:
                ips.append(ip)
        node = spec.get("nodeName")
        if ips and not node:
            fail(
                "spec.nodeName", "Required value: a pod with an address runs on a node"
            )
        if node and node not in nodes:
            known = ", ".join(sorted(nodes)) or "none"
            fail(
                "spec.nodeName",
                f'Not found: "{node}" is not among the Nodes given (nodes: {known})',
            )
        conditions = {
            c.get("type"): c.get("status")
            for c in status.get("conditions") or []
            if isinstance(c, Mapping)
        }
        pods.append(
            {
                "namespace": meta.get("namespace") or "default",
                "name": meta.get("name"),
                "labels": {
                    str(k): str(v) for k, v in (meta.get("labels") or {}).items()
                },
                "node": node,
                "zone": nodes[node]["zone"] if node else None,
                "addresses": ips,
                "host_network": bool(spec.get("hostNetwork")),
                "ready": status.get("phase", "Running") == "Running"
                and conditions.get("Ready", "True") == "True",
                "obj": obj,
            }
        )
    return pods


def address_book(objects: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Every address of a pod or a node: ``address`` (index), ``kind``, ``namespace``,
    ``name``, ``node``, ``zone``.

    A node's namespace is ``"(nodes)"``; a pod with ``hostNetwork: true`` shares its
    node's address and is not listed. An address claimed twice, a pod on a node that is
    not given or a node without its zone label is a
    :class:`~ingress_egress.k8s.ManifestError` naming the object and the field.

    >>> book = address_book(
    ...     [
    ...         {
    ...             "kind": "Node",
    ...             "metadata": {
    ...                 "name": "n1",
    ...                 "labels": {"topology.kubernetes.io/zone": "z1"},
    ...             },
    ...             "status": {
    ...                 "addresses": [{"type": "InternalIP", "address": "10.0.1.10"}]
    ...             },
    ...         },
    ...         {
    ...             "kind": "Pod",
    ...             "metadata": {"name": "web", "namespace": "shop"},
    ...             "spec": {"nodeName": "n1"},
    ...             "status": {"podIP": "10.0.1.21"},
    ...         },
    ...     ]
    ... )
    >>> book
              kind namespace name node zone
    address
    10.0.1.10  node   (nodes)   n1   n1   z1
    10.0.1.21   pod      shop  web   n1   z1
    """
    items, origin = _objects(objects)
    nodes = _nodes(items, origin)
    rows, owner = [], {}
    for name, node in nodes.items():
        for address in node["addresses"]:
            rows.append(
                {
                    "address": address,
                    "kind": "node",
                    "namespace": NODES,
                    "name": name,
                    "node": name,
                    "zone": node["zone"],
                }
            )
            owner[address] = node["obj"]
    for pod in _pods(items, origin, nodes):
        for address in pod["addresses"]:
            if pod["host_network"] or (
                address in owner and owner[address].get("kind") == "Node"
            ):
                continue  # hostNetwork: the node's own address
            if address in owner:
                other = owner[address]
                raise ManifestError(
                    f'Duplicate value: "{address}" is also the '
                    f"address of {object_ref(other)}",
                    origin=origin(pod["obj"]),
                    ref=object_ref(pod["obj"]),
                    field="status.podIP",
                )
            owner[address] = pod["obj"]
            rows.append(
                {
                    "address": address,
                    "kind": "pod",
                    "namespace": pod["namespace"],
                    "name": pod["name"],
                    "node": pod["node"],
                    "zone": pod["zone"],
                }
            )
    book = pd.DataFrame(
        rows, columns=["address", "kind", "namespace", "name", "node", "zone"]
    )
    return book.sort_values(
        ["kind", "namespace", "name", "address"], ignore_index=True
    ).set_index("address")


def draw_zone_map(
    objects: Iterable[Mapping[str, Any]],
    *,
    nat_gateways: Mapping[str, str] | None = None,
    zone_ids: Mapping[str, str] | None = None,
    ax=None,
    title: str | None = None,
):
    """Draw the cluster zone by zone: a column per zone, a box per node, its pods'
    workloads coloured by namespace.

    ``nat_gateways`` (address -> zone) adds each zone's NAT gateway above it;
    ``zone_ids`` (zone -> AZ ID) labels each zone with the physical zone it is in this
    account. Returns the Axes.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = draw_zone_map(
    ...     [
    ...         {
    ...             "kind": "Node",
    ...             "metadata": {
    ...                 "name": "n1",
    ...                 "labels": {"topology.kubernetes.io/zone": "z1"},
    ...             },
    ...             "status": {
    ...                 "addresses": [{"type": "InternalIP", "address": "10.0.1.10"}]
    ...             },
    ...         },
    ...         {
    ...             "kind": "Pod",
    ...             "metadata": {"name": "web-5d9c8b7f6d-x2kqp", "namespace": "shop"},
    ...             "spec": {"nodeName": "n1"},
    ...             "status": {"podIP": "10.0.1.21"},
    ...         },
    ...     ],
    ...     zone_ids={"z1": "az-1"},
    ... )
    >>> [t.get_text() for t in ax.texts]
    ['z1 (az-1)', 'node 10.0.1.10', 'web']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    from ..plotting import OKABE_ITO

    book = address_book(objects)
    pods = book[book["kind"] == "pod"]
    nodes = book[book["kind"] == "node"].reset_index()
    nodes = nodes.assign(
        order=[int(ipaddress.ip_address(a)) for a in nodes["address"]]
    ).sort_values(["zone", "order"])
    zones = sorted(set(book["zone"]))
    namespaces = sorted(set(pods["namespace"]))
    colour = {ns: OKABE_ITO[i % len(OKABE_ITO)] for i, ns in enumerate(namespaces)}
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 5.2))
    per_zone = max(nodes.groupby("zone").size())
    rows = max(pods.groupby("node").size())
    node_h = 0.42 + 0.22 * rows
    top = per_zone * (node_h + 0.2) + 0.6
    for i, zone in enumerate(zones):
        ax.add_patch(
            FancyBboxPatch(
                (i * 3.0, 0),
                2.8,
                top,
                boxstyle="round,pad=0.02",
                fc="#f4f6f8",
                ec="#555",
            )
        )
        label = zone + (f" ({zone_ids[zone]})" if zone_ids and zone in zone_ids else "")
        ax.text(
            i * 3.0 + 1.4,
            top - 0.22,
            label,
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
        )
        for j, row in enumerate(nodes[nodes["zone"] == zone].itertuples()):
            y = top - 0.45 - (j + 1) * (node_h + 0.2)
            ax.add_patch(
                FancyBboxPatch(
                    (i * 3.0 + 0.12, y),
                    2.56,
                    node_h,
                    boxstyle="round,pad=0.02",
                    fc="white",
                    ec="#888",
                )
            )
            ax.text(
                i * 3.0 + 0.22,
                y + node_h - 0.17,
                f"node {row.address}",
                fontsize=8,
                va="center",
                color="#333",
            )
            here = pods[pods["node"] == row.name].sort_values(["namespace", "name"])
            for k, (address, pod) in enumerate(here.iterrows()):
                workload = re.sub(
                    r"-[a-z0-9]{6,10}-[a-z0-9]{5}$", "", pod["name"]
                )  # a Deployment's pod
                ax.text(
                    i * 3.0 + 0.24,
                    y + node_h - 0.42 - 0.22 * k,
                    workload,
                    fontsize=8,
                    va="center",
                    color=colour[pod["namespace"]],
                    fontweight="bold",
                )
        for address, nat_zone in (nat_gateways or {}).items():
            if nat_zone == zone:
                ax.add_patch(
                    FancyBboxPatch(
                        (i * 3.0 + 0.5, top + 0.25),
                        1.8,
                        0.42,
                        boxstyle="round,pad=0.02",
                        fc="#fff4e0",
                        ec=OKABE_ITO[4],
                    )
                )
                ax.text(
                    i * 3.0 + 1.4,
                    top + 0.46,
                    f"NAT gateway {address}",
                    ha="center",
                    va="center",
                    fontsize=8,
                )
    from matplotlib.lines import Line2D

    ax.legend(
        handles=[
            Line2D([], [], color=colour[ns], marker="s", linestyle="", label=ns)
            for ns in namespaces
        ],
        title="namespace (text colour)",
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(namespaces),
        fontsize=8,
        title_fontsize=8,
    )
    ax.set_xlim(-0.1, len(zones) * 3.0 - 0.1)
    ax.set_ylim(-0.1, top + (0.8 if nat_gateways else 0.1))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------------------
# Allocation
# --------------------------------------------------------------------------------------


def _networks(mapping, what: str) -> list[tuple[ipaddress._BaseNetwork, str | None]]:
    if mapping is None:
        return []
    pairs = (
        mapping.items()
        if isinstance(mapping, Mapping)
        else ((cidr, None) for cidr in mapping)
    )
    out = []
    for cidr, value in pairs:
        try:
            out.append(
                (
                    ipaddress.ip_network(str(cidr), strict=False),
                    None if value is None else str(value),
                )
            )
        except ValueError:
            raise ValueError(
                f"{what}: {cidr!r} is not an address or a CIDR block"
            ) from None
    return out


def _codes(column: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and the unique addresses of a column (categorical codes when it is
    one).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        uniques = np.asarray(column.cat.categories, dtype=object)
    else:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        uniques = np.asarray(uniques, dtype=object)
    if (codes < 0).any():
        first = int(np.flatnonzero(codes < 0)[0])
        raise ValueError(
            f"flows: column {name!r}: row {column.index[first]!r} has no address "
            f"({int((codes < 0).sum())} rows without one)"
        )
    return codes, uniques


def _classify(
    uniques: np.ndarray,
    name: str,
    book: pd.DataFrame,
    namespaces: list[str],
    zones: list[str],
    nat: list,
    regions: list,
) -> dict[str, np.ndarray]:
    """Per unique address: kind, namespace code, zone code, outside class and (for NAT)
    the NAT's zone.
    """
    n = len(uniques)
    kind = np.zeros(n, np.int8)
    namespace = np.full(n, -1, np.int32)
    zone = np.full(n, -1, np.int16)
    outside = np.zeros(n, np.int8)
    nat_zone = np.full(n, -1, np.int16)
    ns_index = {v: i for i, v in enumerate(namespaces)}
    zone_index = {v: i for i, v in enumerate(zones)}
    rows = book.to_dict("index")
    for i, text in enumerate(uniques):
        try:
            address = ipaddress.ip_address(str(text))
        except ValueError:
            raise ValueError(
                f"flows: column {name!r}: {text!r} is not an IP address"
            ) from None
        row = rows.get(str(address))
        if row is not None:
            kind[i] = _POD if row["kind"] == "pod" else _NODE
            namespace[i] = ns_index[row["namespace"]]
            zone[i] = zone_index[row["zone"]]
            continue
        for network, z in nat:
            if address.version == network.version and address in network:
                outside[i] = _NAT
                nat_zone[i] = zone_index.get(z, -1) if z is not None else -1
                break
        else:
            if any(
                address.version == net.version and address in net for net, _ in regions
            ):
                outside[i] = _REGION
    return {
        "kind": kind,
        "namespace": namespace,
        "zone": zone,
        "outside": outside,
        "nat_zone": nat_zone,
    }


def network_cost_by_namespace(
    flows: pd.DataFrame,
    objects: Iterable[Mapping[str, Any]],
    provider: str = "aws",
    region: str = "us-east-1",
    *,
    nat_gateways: Mapping[str, str | None] | Iterable[str] | None = None,
    other_regions: Mapping[str, str] | Iterable[str] | None = None,
    node_ports: bool = False,
    prices: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Bytes and USD of ``flows`` per (namespace, category), allocated as the module
    docstring says.

    ``flows`` needs ``src``, ``dst`` (addresses; categorical columns are fastest) and
    ``bytes``; other columns are ignored. ``objects`` are the cluster's Nodes, Pods,
    Namespaces and Services. ``nat_gateways`` are the addresses or CIDR blocks of NAT
    gateways, optionally mapped to each one's zone (a pod in another zone also pays the
    crossing, both sides); ``other_regions`` are CIDR blocks of other regions (peered
    VPCs), optionally mapped to the region's name. With ``node_ports=True`` (``flows``
    then need ``sport`` and ``dport``), a node's side of a flow on the ``nodePort`` of a
    Service goes to the Service's namespace, like a pod's: the traffic a ``NodePort`` or
    ``LoadBalancer`` Service brings to the nodes.

    Returns one row per (namespace, category) with bytes, sorted by namespace and
    category: ``namespace``, ``category``, ``bytes``, ``usd``. ``attrs``:
    ``unallocated_bytes`` and ``unallocated_flows`` (neither end in the cluster),
    ``unit`` (the provider's billing unit), ``evidence`` (the weakest evidence level
    behind each category's price).

    >>> network_cost_by_namespace(
    ...     pd.DataFrame({"src": ["10.9.9.9"], "dst": ["10.0.0.1"], "bytes": [5]}), []
    ... )
    Empty DataFrame
    Columns: [namespace, category, bytes, usd]
    Index: []
    """
    missing = [c for c in ("src", "dst", "bytes") if c not in flows.columns]
    if missing:
        raise KeyError(
            f"flows: columns {missing} are needed (have {list(flows.columns)})"
        )
    volume = pd.to_numeric(flows["bytes"], errors="coerce")
    if volume.isna().any() or (volume < 0).any():
        first = flows.index[(volume.isna() | (volume < 0)).to_numpy()][0]
        value = flows["bytes"].loc[first]
        value = value.item() if hasattr(value, "item") else value
        raise ValueError(
            f"flows: column 'bytes': row {first!r}: expected a "
            f"count of bytes >= 0, got {value!r}"
        )
    volume = volume.to_numpy(dtype=np.float64)
    book = address_book(objects)
    ports = _node_ports(objects) if node_ports else {}
    namespaces = sorted(set(book["namespace"]) | {NODES} | set(ports.values()))
    zones = sorted(set(book["zone"]))
    nat = _networks(nat_gateways, "nat_gateways")
    regions = _networks(other_regions, "other_regions")
    unknown_zones = sorted({z for _, z in nat if z is not None and z not in zones})
    if unknown_zones:
        raise ValueError(
            f"nat_gateways: zone {unknown_zones[0]!r} is not a "
            f"zone of the nodes ({', '.join(zones)})"
        )

    sides = {}
    for name in ("src", "dst"):
        codes, uniques = _codes(flows[name], name)
        info = _classify(uniques, name, book, namespaces, zones, nat, regions)
        sides[name] = {key: values[codes] for key, values in info.items()}
    s, d = sides["src"], sides["dst"]
    nodes_code = namespaces.index(NODES)
    owner_s = np.where(s["kind"] == _POD, s["namespace"], np.int32(-1))
    owner_d = np.where(d["kind"] == _POD, d["namespace"], np.int32(-1))
    if node_ports:
        for owner, side, column in ((owner_s, s, "sport"), (owner_d, d, "dport")):
            if column not in flows.columns:
                raise KeyError(f"flows: node_ports=True needs the column {column!r}")
            port = (
                pd.to_numeric(flows[column], errors="coerce")
                .fillna(-1)
                .to_numpy(dtype=np.int64)
            )
            for number, namespace in ports.items():
                owner[(side["kind"] == _NODE) & (port == number)] = namespaces.index(
                    namespace
                )
    n_cat = len(CATEGORIES)
    cat = {c: i for i, c in enumerate(CATEGORIES)}

    # The namespace that takes each side: its owner's (a pod, or a Service's nodePort);
    # a node's side otherwise goes to the owner across, else to (nodes).
    nodes_code = np.int32(nodes_code)
    side_ns_s = np.where(
        owner_s >= 0, owner_s, np.where(owner_d >= 0, owner_d, nodes_code)
    )
    side_ns_d = np.where(
        owner_d >= 0, owner_d, np.where(owner_s >= 0, owner_s, nodes_code)
    )
    del owner_s, owner_d
    in_s, in_d = s["kind"] != _OUTSIDE, d["kind"] != _OUTSIDE

    totals = np.zeros(len(namespaces) * n_cat)

    def add(mask: np.ndarray, namespace: np.ndarray, category: str) -> None:
        if mask.any():
            key = namespace[mask].astype(np.int64) * n_cat + cat[category]
            totals[:] += np.bincount(key, weights=volume[mask], minlength=len(totals))

    both = in_s & in_d
    same = both & (s["zone"] == d["zone"])
    add(same, side_ns_s, "in_zone")
    cross = both & ~same
    add(cross, side_ns_s, "inter_zone")
    add(cross, side_ns_d, "inter_zone")
    # One end in the cluster: (flows, the outside end, the inside end, who pays,
    # internet, region).
    one_end = (
        (in_s & ~in_d, d, s, side_ns_s, "internet_out", "inter_region_out"),
        (~in_s & in_d, s, d, side_ns_d, "internet_in", "inter_region_in"),
    )
    for inside, outside, this, ns, internet, other_region in one_end:
        add(inside & (outside["outside"] == _INTERNET), ns, internet)
        add(inside & (outside["outside"] == _REGION), ns, other_region)
        through_nat = inside & (outside["outside"] == _NAT)
        add(through_nat, ns, "nat_gateway")
        nat_cross = (
            through_nat
            & (outside["nat_zone"] >= 0)
            & (outside["nat_zone"] != this["zone"])
        )
        add(nat_cross, ns, "inter_zone")
        add(nat_cross, ns, "inter_zone")
    unallocated = ~in_s & ~in_d

    found = np.flatnonzero(totals > 0)
    result = pd.DataFrame(
        {
            "namespace": [namespaces[k // n_cat] for k in found],
            "category": [CATEGORIES[k % n_cat] for k in found],
            "bytes": np.rint(totals[found]).astype(np.int64),
        }
    )
    result["usd"] = 0.0
    evidence = {}
    for category, rows in result.groupby("category", sort=False).groups.items():
        if category == "in_zone":
            continue
        side_bytes = float(result.loc[rows, "bytes"].sum())
        priced = _PRICE_CATEGORY.get(category, category)
        table = cloud.price_table(provider, region, priced, prices)
        sides_billed = int(table["billed_sides"].iloc[0])
        units = cloud.to_billing_units(side_bytes, provider, prices) / sides_billed
        usd = cloud.tiered_cost(units, provider, region, priced, prices)
        result.loc[rows, "usd"] = usd * result.loc[rows, "bytes"] / side_bytes
        evidence[category] = max(table["evidence"], key=cloud.EVIDENCE_LEVELS.index)
    result = result.sort_values(
        ["namespace", "category"],
        key=lambda c: (
            c.map({v: i for i, v in enumerate(CATEGORIES)})
            if c.name == "category"
            else c
        ),
        ignore_index=True,
    )
    result.attrs = {
        "unallocated_bytes": int(volume[unallocated].sum()),
        "unallocated_flows": int(unallocated.sum()),
        "unit": cloud.billing_unit(provider, prices)[0],
        "evidence": dict(sorted(evidence.items())),
    }
    return result


def _node_ports(objects) -> dict[int, str]:
    """nodePort (and healthCheckNodePort) -> the namespace of its Service."""
    items, _ = _objects(objects)
    ports: dict[int, int] = {}
    for obj in items:
        if obj.get("kind") != "Service":
            continue
        namespace = _meta(obj).get("namespace") or "default"
        spec = obj.get("spec") or {}
        numbers = [
            p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, Mapping)
        ]
        numbers.append(spec.get("healthCheckNodePort"))
        for number in numbers:
            if isinstance(number, int) and not isinstance(number, bool):
                ports[number] = namespace
    return ports


# --------------------------------------------------------------------------------------
# Services and zones
# --------------------------------------------------------------------------------------


def _service(service: str, items: list, origin) -> Mapping:
    if not isinstance(service, str) or service.count("/") != 1:
        raise ValueError(f"service: expected 'namespace/name', got {service!r}")
    namespace, name = service.split("/")
    for obj in items:
        meta = _meta(obj)
        if (
            obj.get("kind") == "Service"
            and meta.get("name") == name
            and (meta.get("namespace") or "default") == namespace
        ):
            return obj
    known = sorted(
        f"{_meta(o).get('namespace') or 'default'}/{_meta(o).get('name')}"
        for o in items
        if o.get("kind") == "Service"
    )
    raise KeyError(
        f"no Service {service!r} among the objects; "
        f"Services: {', '.join(known) or 'none'}"
    )


def service_endpoints(
    service: str, objects: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """The ready pods behind a Service (``"namespace/name"``), as its EndpointSlices
    would list them.

    Pods of the Service's namespace whose labels match ``spec.selector``, that have an
    address and are ready (phase Running, condition Ready not False). Columns: ``pod``,
    ``address``, ``node``, ``zone``, sorted by pod. A Service without a selector has no
    managed endpoints: an error.

    >>> objects = [
    ...     {
    ...         "kind": "Node",
    ...         "metadata": {
    ...             "name": "n1",
    ...             "labels": {"topology.kubernetes.io/zone": "z1"},
    ...         },
    ...     },
    ...     {
    ...         "kind": "Pod",
    ...         "metadata": {
    ...             "name": "api-1",
    ...             "namespace": "shop",
    ...             "labels": {"app": "api"},
    ...         },
    ...         "spec": {"nodeName": "n1"},
    ...         "status": {"podIP": "10.0.1.5"},
    ...     },
    ...     {
    ...         "kind": "Service",
    ...         "metadata": {"name": "api", "namespace": "shop"},
    ...         "spec": {"selector": {"app": "api"}},
    ...     },
    ... ]
    >>> service_endpoints("shop/api", objects)
         pod   address node zone
    0  api-1  10.0.1.5   n1   z1
    """
    items, origin = _objects(objects)
    svc = _service(service, items, origin)
    selector = (svc.get("spec") or {}).get("selector")
    if not selector:
        raise ValueError(
            f"Service {service}: no spec.selector, so no endpoints are managed for it "
            "(its EndpointSlices are written by hand or by another controller)"
        )
    match = LabelSelector(tuple(sorted((str(k), str(v)) for k, v in selector.items())))
    namespace = service.split("/")[0]
    nodes = _nodes(items, origin)
    rows = [
        {
            "pod": p["name"],
            "address": p["addresses"][0],
            "node": p["node"],
            "zone": p["zone"],
        }
        for p in _pods(items, origin, nodes)
        if p["namespace"] == namespace
        and p["addresses"]
        and p["ready"]
        and match.matches(p["labels"])
    ]
    return pd.DataFrame(rows, columns=["pod", "address", "node", "zone"]).sort_values(
        "pod", ignore_index=True
    )


def cross_zone_share(
    service: str, objects: Iterable[Mapping[str, Any]], client_zone: str, mode: str
) -> float:
    """The expected share of a client's requests to ``service`` that leave the client's
    zone.

    ``mode`` is how kube-proxy picks a ready endpoint for each new connection:

    - ``"random"``: any ready endpoint, with equal chance (the default, no
      ``trafficDistribution``);
    - ``"prefer-close"``: ``trafficDistribution: PreferClose`` (now also spelled
      ``PreferSameZone``): the EndpointSlice controller hints each ready endpoint for
      its own zone, and kube-proxy uses only the endpoints hinted for its node's zone
      when there is at least one, all of them otherwise. So 0.0 when the client's zone
      has an endpoint, else the random share, 1.0.

    >>> objects = [
    ...     {
    ...         "kind": "Node",
    ...         "metadata": {
    ...             "name": f"n{z}",
    ...             "labels": {"topology.kubernetes.io/zone": z},
    ...         },
    ...     }
    ...     for z in ("a", "b", "c")
    ... ]
    >>> objects += [
    ...     {
    ...         "kind": "Pod",
    ...         "metadata": {
    ...             "name": f"api-{i}",
    ...             "namespace": "shop",
    ...             "labels": {"app": "api"},
    ...         },
    ...         "spec": {"nodeName": f"n{z}"},
    ...         "status": {"podIP": f"10.0.0.{i}"},
    ...     }
    ...     for i, z in enumerate("aab", start=1)
    ... ]
    >>> objects.append(
    ...     {
    ...         "kind": "Service",
    ...         "metadata": {"name": "api", "namespace": "shop"},
    ...         "spec": {"selector": {"app": "api"}},
    ...     }
    ... )
    >>> [round(cross_zone_share("shop/api", objects, z, "random"), 3) for z in "abc"]
    [0.333, 0.667, 1.0]
    >>> [cross_zone_share("shop/api", objects, z, "prefer-close") for z in "abc"]
    [0.0, 0.0, 1.0]
    """
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    items, origin = _objects(objects)
    zones = sorted({node["zone"] for node in _nodes(items, origin).values()})
    if client_zone not in zones:
        raise ValueError(
            f"client_zone: {client_zone!r} is not a zone of the "
            f"nodes ({', '.join(zones) or 'none'})"
        )
    endpoints = service_endpoints(service, objects)
    if endpoints.empty:
        raise ValueError(
            f"Service {service} has no ready endpoints: every "
            "request would fail, none would cross"
        )
    local = int((endpoints["zone"] == client_zone).sum())
    if mode == "prefer-close" and local > 0:
        return 0.0
    return (len(endpoints) - local) / len(endpoints)
