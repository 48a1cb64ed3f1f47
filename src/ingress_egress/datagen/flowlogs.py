"""One day of VPC flow logs of the shop's cluster on three zones, and the cluster state
that explains them.

The shop of ``data/k8s/apps.yaml`` runs on Amazon EKS in us-east-1: six nodes, two in
each of the zones us-east-1a, us-east-1b and us-east-1c, in private subnets of the VPC
10.0.0.0/16, each zone with its own NAT gateway in a public subnet. The AWS VPC CNI
gives each pod a secondary address of its node's network interface, and external SNAT is
on (``AWS_VPC_K8S_CNI_EXTERNALSNAT=true``), so a pod's own address reaches the NAT
gateway and the flow log's ``pkt-srcaddr``. Zone names map to different physical zones
in each AWS account; in this account:

============ ========= ==================== =========================
zone         az-id     private subnet        NAT gateway (public subnet)
============ ========= ==================== =========================
us-east-1a   use1-az4  10.0.0.0/19           10.0.96.10 (10.0.96.0/24)
us-east-1b   use1-az6  10.0.32.0/19          10.0.97.10 (10.0.97.0/24)
us-east-1c   use1-az1  10.0.64.0/19          10.0.98.10 (10.0.98.0/24)
============ ========= ==================== =========================

Two files come out:

- ``k8s/cluster-state/{nodes,pods,services}.yaml``: the cluster's state as
  ``kubectl get -o yaml`` prints it (trimmed): Nodes with
  ``topology.kubernetes.io/zone`` and their InternalIP, the 15 pods of ``apps.yaml``
  with ``spec.nodeName`` and ``status.podIP``, the Services with what the API server
  fills in (cluster IPs, node ports 31080 and 31443,
  ``externalTrafficPolicy: Cluster``).
- ``flowlogs/shop-2026-11-03.log.gz``: the day 2026-11-03 (UTC) of the VPC's flow log on
  the six nodes' and the three NAT gateways' network interfaces, custom format
  (version 5) with a header line, 1-minute aggregation (the nodes are Nitro instances),
  gzip-compressed.

Planted patterns (ground truth; bytes are IP bytes as the log counts them, 1 GB = 10**9
bytes):

1. **Chatty service across zones**: each frontend pod keeps two connections to the
   ``api`` Service, renewed every hour; kube-proxy picks an api pod at random. The api
   pods are in zones a, a and b, the frontends in a, b and c: a request from zone a
   leaves it 1/3 of the time, from b 2/3, from c always. 1,500 GB of responses (api to
   frontend) and 60 GB of requests a day.
2. **Nightly image pulls through the NAT gateways**: at 09:00 UTC (04:00 in New York) a
   rollout of freshly built images; the kubelet of each node pulls the shop images its
   pods run from ``registry.example.com`` (manifests from 203.0.113.50, layers from
   203.0.113.80), through its zone's NAT gateway: :data:`IMAGE_BYTES` per image, 17.7 GB
   in all.
3. **A LoadBalancer with externalTrafficPolicy: Cluster**: 6,000 customer sessions from
   198.51.100.0/24 reach a Network Load Balancer (instance targets, cross-zone load
   balancing off) that spreads them over the zones and over every node on node port
   31443; kube-proxy sends each to either controller pod (zones a and b), SNAT-ed to the
   node's address: a second hop for 5/6 of the sessions, a zone crossing for 2/3. 300 GB
   to customers, 6 GB from them.
4. **Replication to another region**: the database (zone a) streams its WAL to a replica
   in us-west-2 (10.1.20.15, a peered VPC 10.1.0.0/16): 120 GB a day out, 1.2 GB of
   replies in.
5. **Internet egress**: Prometheus (zone c) remote-writes 40 GB a day to a metrics
   service at 192.0.2.60 through the zone's NAT gateway; payments calls its provider at
   203.0.113.10.

Also: the frontend and api pods behind the controllers (250 GB of pages, 50 GB of API
answers), the database (200 GB) and cache (150 GB) answering the api, 300 REJECT records
of scans on the nodes, and NODATA records for the NAT gateway of us-east-1a, idle
outside the pulls. Traffic between two pods on the same node never reaches a network
interface, so it is not in the log.

:func:`ground_truth` gives the bytes each (namespace, category) should get from
:func:`ingress_egress.k8s.cost.network_cost_by_namespace` with the NAT gateways, the
peered region and ``node_ports=True``, computed from the plan (not from the file).

Examples
--------
>>> day = day_plan()
>>> len(day.records), int((day.records["log-status"] == "NODATA").sum())
(152445, 23)
>>> truth = day.truth.set_index(["namespace", "category"])["bytes"]
>>> int(truth["shop", "inter_region_out"]), int(truth["monitoring", "internet_out"])
(120000000000, 40000000000)
"""

from __future__ import annotations

import copy
import gzip
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ingress_egress.k8s.manifests import load_manifests

SEED = 20261103
DAY = pd.Timestamp("2026-11-03", tz="UTC")
MINUTES = 24 * 60
ACCOUNT = "123456789012"
REGION = "us-east-1"
ZONE_IDS = {
    "us-east-1a": "use1-az4",
    "us-east-1b": "use1-az6",
    "us-east-1c": "use1-az1",
}
"""Zone name -> AZ ID in this account (another account may map us-east-1a to another AZ
ID).
"""

VPC_CIDR = "10.0.0.0/16"
PEERED_REGION = ("10.1.0.0/16", "us-west-2")
REPLICA = "10.1.20.15"
PROVIDER = "203.0.113.10"
METRICS_SERVICE = "192.0.2.60"
REGISTRY = "203.0.113.50"
BLOBS = "203.0.113.80"
CUSTOMERS = "198.51.100.0/24"
NODE_PORTS = {"http": 31080, "https": 31443}

FIELDS = (
    "version",
    "account-id",
    "interface-id",
    "instance-id",
    "az-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
    "pkt-srcaddr",
    "pkt-dstaddr",
    "flow-direction",
)
"""The flow log's custom format (version 5, because of flow-direction)."""

GB = 10**9

IMAGE_BYTES = {"frontend": 900_000_000, "api": 4_600_000_000, "payments": 600_000_000}
"""Compressed layers pulled per image each night (the api bundles a recommendation
model).
"""

VOLUMES = {
    "chatty": (1_500 * GB, 60 * GB),  # api -> frontend, frontend -> api
    "pages": (250 * GB, 8 * GB),  # frontend -> controller, controller -> frontend
    "api direct": (50 * GB, 2 * GB),  # api -> controller, controller -> api
    "db": (200 * GB, 20 * GB),  # db -> api, api -> db
    "cache": (150 * GB, 30 * GB),  # cache -> api, api -> cache
    "payments": (1 * GB, GB // 2),  # payments -> api, api -> payments
    "provider": (
        800_000_000,
        400_000_000,
    ),  # provider -> payments, payments -> provider
    "remote write": (40 * GB, 400_000_000),  # prometheus -> metrics service, back
    "replication": (120 * GB, 1_200_000_000),  # db -> replica, replica -> db
    "customers": (300 * GB, 6 * GB),  # nodes -> customers, customers -> nodes
}
"""Bytes a day of each pattern: (the large direction, the other), as the plan above
says.
"""

HOURLY_LOAD = np.array(
    [
        1.5,
        1.4,
        1.2,
        0.9,
        0.7,
        0.5,
        0.4,
        0.35,
        0.3,
        0.3,
        0.35,
        0.45,
        0.6,
        0.8,
        1.0,
        1.15,
        1.3,
        1.4,
        1.5,
        1.55,
        1.6,
        1.6,
        1.6,
        1.55,
    ]
)
"""Relative load by UTC hour: customers in the Americas, busiest in their afternoon and
evening.
"""

# the alphabet Kubernetes uses for generated name suffixes
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True)
class Node:
    name: str
    address: str
    zone: str
    instance: str
    interface: str


@dataclass(frozen=True)
class Nat:
    zone: str
    address: str
    interface: str


@dataclass(frozen=True)
class Pod:
    namespace: str
    workload: str
    name: str
    node: Node
    address: str

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass
class Day:
    """What :func:`day_plan` makes: the records, the ground truth, and the cluster."""

    records: pd.DataFrame
    truth: pd.DataFrame
    nodes: list[Node]
    nats: list[Nat]
    pods: list[Pod]
    unallocated_bytes: int = 0
    sessions: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per customer session: minute, client, node, zones, controller, bytes in
    and out.
    """
    streams: pd.DataFrame = field(default_factory=pd.DataFrame)
    """One row per connection-minute between pods: pattern, client, server, zones, up
    and down bytes.
    """

    @property
    def chatty(self) -> pd.DataFrame:
        """The chatty service's connection-minutes (frontend to api)."""
        return self.streams[self.streams["pattern"] == "chatty"]


# --------------------------------------------------------------------------------------
# The cluster
# --------------------------------------------------------------------------------------

_NODE_PLAN = [  # name suffix, address, zone
    ("10-0-5-21", "10.0.5.21", "us-east-1a"),
    ("10-0-12-88", "10.0.12.88", "us-east-1a"),
    ("10-0-37-140", "10.0.37.140", "us-east-1b"),
    ("10-0-44-9", "10.0.44.9", "us-east-1b"),
    ("10-0-70-33", "10.0.70.33", "us-east-1c"),
    ("10-0-81-201", "10.0.81.201", "us-east-1c"),
]
_NAT_PLAN = [
    ("us-east-1a", "10.0.96.10"),
    ("us-east-1b", "10.0.97.10"),
    ("us-east-1c", "10.0.98.10"),
]
_POD_PLAN = [  # namespace, workload, node index, address
    ("ingress-nginx", "ingress-nginx-controller", 0, "10.0.5.101"),
    ("shop", "api", 0, "10.0.5.102"),
    ("shop", "db", 0, "10.0.5.103"),
    ("kube-system", "coredns", 0, "10.0.5.104"),
    ("shop", "frontend", 1, "10.0.12.131"),
    ("shop", "api", 1, "10.0.12.132"),
    ("ingress-nginx", "ingress-nginx-controller", 2, "10.0.37.161"),
    ("shop", "cache", 2, "10.0.37.162"),
    ("kube-system", "coredns", 2, "10.0.37.163"),
    ("shop", "frontend", 3, "10.0.44.51"),
    ("shop", "api", 3, "10.0.44.52"),
    ("payments", "payments", 3, "10.0.44.53"),
    ("shop", "frontend", 4, "10.0.70.71"),
    ("monitoring", "prometheus", 4, "10.0.70.72"),
    ("payments", "payments", 5, "10.0.81.91"),
]


def _suffix(rng: np.random.Generator, n: int) -> str:
    return "".join(_SAFE[i] for i in rng.integers(0, len(_SAFE), n))


def _hex(rng: np.random.Generator, n: int = 17) -> str:
    return "".join("0123456789abcdef"[i] for i in rng.integers(0, 16, n))


def cluster(
    seed: int = SEED,
) -> tuple[list[Node], list[Nat], list[Pod], dict[str, str]]:
    """The nodes, NAT gateways and pods of the plan, and each workload's ReplicaSet
    hash.
    """
    rng = np.random.default_rng(seed)
    nodes = [
        Node(
            f"ip-{s}.ec2.internal", a, z, f"i-0{_hex(rng, 16)}", f"eni-0{_hex(rng, 16)}"
        )
        for s, a, z in _NODE_PLAN
    ]
    nats = [Nat(z, a, f"eni-0{_hex(rng, 16)}") for z, a in _NAT_PLAN]
    hashes = {w: _suffix(rng, 10) for w in sorted({w for _, w, _, _ in _POD_PLAN})}
    pods = []
    for namespace, workload, node, address in _POD_PLAN:
        name = (
            f"{workload}-0"
            if workload == "db"
            else f"{workload}-{hashes[workload]}-{_suffix(rng, 5)}"
        )
        pods.append(Pod(namespace, workload, name, nodes[node], address))
    return nodes, nats, pods, hashes


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


class _Log:
    """Collects flow log records and the allocation they should get."""

    def __init__(
        self,
        nodes: list[Node],
        nats: list[Nat],
        pods: list[Pod],
        rng: np.random.Generator,
    ):
        self.rng = rng
        self.rows: list[tuple] = []
        self.truth: dict[tuple[str, str], int] = {}
        self.unallocated = 0
        self.node_of = {n.address: n for n in nodes} | {p.address: p.node for p in pods}
        self.namespace_of = {p.address: p.namespace for p in pods}
        self.nat_of = {n.zone: n for n in nats}
        self.zone_of = {a: node.zone for a, node in self.node_of.items()}

    # -- records -----------------------------------------------------------------------

    def _times(self, minute: int) -> tuple[int, int]:
        start = int(DAY.timestamp()) + 60 * minute + int(self.rng.integers(0, 21))
        return start, start + int(self.rng.integers(20, 39))

    def _record(
        self,
        interface: str,
        instance: str,
        zone: str,
        srcaddr: str,
        dstaddr: str,
        sport: int,
        dport: int,
        nbytes: int,
        times: tuple[int, int],
        pkt: tuple[str, str],
        direction: str,
        action: str = "ACCEPT",
        packets: int | None = None,
    ) -> None:
        packets = packets if packets is not None else max(1, math.ceil(nbytes / 1_400))
        self.rows.append(
            (
                "5",
                ACCOUNT,
                interface,
                instance,
                ZONE_IDS[zone],
                srcaddr,
                dstaddr,
                str(sport),
                str(dport),
                "6",
                str(packets),
                str(nbytes),
                str(times[0]),
                str(times[1]),
                action,
                "OK",
                pkt[0],
                pkt[1],
                direction,
            )
        )

    def _out(
        self, node: Node, src: str, dst: str, sport: int, dport: int, nbytes: int, times
    ) -> None:
        """Egress on a node's interface: srcaddr is the interface's primary address (a
        pod's is in pkt-srcaddr).
        """
        self._record(
            node.interface,
            node.instance,
            node.zone,
            node.address,
            dst,
            sport,
            dport,
            nbytes,
            times,
            (src, dst),
            "egress",
        )

    def _in(
        self, node: Node, src: str, dst: str, sport: int, dport: int, nbytes: int, times
    ) -> None:
        """Ingress on a node's interface: dstaddr is the interface's primary address."""
        self._record(
            node.interface,
            node.instance,
            node.zone,
            src,
            node.address,
            sport,
            dport,
            nbytes,
            times,
            (src, dst),
            "ingress",
        )

    # -- what a namespace should pay ---------------------------------------------------

    def _owe(self, namespace: str, category: str, nbytes: int) -> None:
        key = (namespace, category)
        self.truth[key] = self.truth.get(key, 0) + int(nbytes)

    # -- paths -------------------------------------------------------------------------

    def internal(
        self,
        minute: int,
        src: str,
        dst: str,
        sport: int,
        dport: int,
        nbytes: int,
        payer_src: str,
        payer_dst: str,
    ) -> None:
        """Bytes between two cluster addresses: nothing on the wire on one node, else
        egress + ingress.
        """
        a, b = self.node_of[src], self.node_of[dst]
        if a is b or nbytes == 0:
            return
        times = self._times(minute)
        self._out(a, src, dst, sport, dport, nbytes, times)
        self._in(b, src, dst, sport, dport, nbytes, times)
        if a.zone == b.zone:
            self._owe(payer_src, "in_zone", nbytes)
        else:
            self._owe(payer_src, "inter_zone", nbytes)
            self._owe(payer_dst, "inter_zone", nbytes)

    def via_nat(
        self,
        minute: int,
        inside: str,
        host: str,
        inside_port: int,
        host_port: int,
        nat_port: int,
        up: int,
        down: int,
        payer: str,
    ) -> None:
        """A connection from a cluster address to the internet through its zone's NAT
        gateway.
        """
        node = self.node_of[inside]
        nat = self.nat_of[node.zone]
        times = self._times(minute)

        def on_nat(srcaddr, dstaddr, sport, dport, nbytes, pkt, direction):
            self._record(
                nat.interface,
                "-",
                nat.zone,
                srcaddr,
                dstaddr,
                sport,
                dport,
                nbytes,
                times,
                pkt,
                direction,
            )

        if up:
            self._out(node, inside, host, inside_port, host_port, up, times)
            on_nat(
                inside,
                nat.address,
                inside_port,
                host_port,
                up,
                (inside, host),
                "ingress",
            )
            on_nat(
                nat.address,
                host,
                nat_port,
                host_port,
                up,
                (nat.address, host),
                "egress",
            )
            self._owe(payer, "internet_out", up)
            self._owe(payer, "nat_gateway", up)
            self.unallocated += up
        if down:
            on_nat(
                host,
                nat.address,
                host_port,
                nat_port,
                down,
                (host, nat.address),
                "ingress",
            )
            on_nat(
                nat.address,
                inside,
                host_port,
                inside_port,
                down,
                (host, inside),
                "egress",
            )
            self._in(node, host, inside, host_port, inside_port, down, times)
            self._owe(payer, "internet_in", down)
            self._owe(payer, "nat_gateway", down)
            self.unallocated += down

    def peered(
        self,
        minute: int,
        inside: str,
        remote: str,
        inside_port: int,
        remote_port: int,
        out: int,
        back: int,
        payer: str,
    ) -> None:
        """A connection to another region's VPC over peering: the node's interface
        only.
        """
        node = self.node_of[inside]
        times = self._times(minute)
        if out:
            self._out(node, inside, remote, inside_port, remote_port, out, times)
            self._owe(payer, "inter_region_out", out)
        if back:
            self._in(node, remote, inside, remote_port, inside_port, back, times)
            self._owe(payer, "inter_region_in", back)

    def from_internet(
        self,
        minute: int,
        client: str,
        node: Node,
        client_port: int,
        port: int,
        inbound: int,
        outbound: int,
        payer: str,
        action: str = "ACCEPT",
    ) -> None:
        """A connection from the internet to a node (through the load balancer, client
        address kept).
        """
        times = self._times(minute)
        if inbound:
            self._record(
                node.interface,
                node.instance,
                node.zone,
                client,
                node.address,
                client_port,
                port,
                inbound,
                times,
                (client, node.address),
                "ingress",
                action=action,
                packets=1 if action == "REJECT" else None,
            )
            self._owe(payer, "internet_in", inbound)
        if outbound:
            self._out(node, node.address, client, port, client_port, outbound, times)
            self._owe(payer, "internet_out", outbound)

    def nodata(self, nat: Nat, hour: int) -> None:
        start = int(DAY.timestamp()) + 3600 * hour
        self.rows.append(
            (
                "5",
                ACCOUNT,
                nat.interface,
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                "-",
                str(start),
                str(start + 3599),
                "-",
                "NODATA",
                "-",
                "-",
                "-",
            )
        )


# --------------------------------------------------------------------------------------
# The day
# --------------------------------------------------------------------------------------


def _minute_load() -> np.ndarray:
    load = np.repeat(HOURLY_LOAD, 60)
    return load / load.mean()


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` split in proportion to ``weights``, as integers that add up to it
    exactly.
    """
    weights = np.asarray(weights, dtype=np.float64)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    rest = int(total - parts.sum())
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:rest]] += 1
    return parts


def _port(rng: np.random.Generator) -> int:
    return int(rng.integers(32768, 61000))


def _connections(
    rng: np.random.Generator,
    clients: list[Pod],
    targets: list[Pod],
    per_client: int,
    lifetime: int,
    choose: str,
    activity: float,
    load: np.ndarray,
) -> list[dict]:
    """Connection-minutes of clients to targets: ``choose`` "random" (kube-proxy) or
    "each" (one per target).
    """
    minutes = []
    for i, client in enumerate(clients):
        slots = per_client if choose == "random" else len(targets)
        for k in range(slots):
            offset = (17 * i + lifetime * k // max(slots, 1)) % lifetime
            bounds = [0, *range(offset or lifetime, MINUTES, lifetime), MINUTES]
            for begin, end in zip(bounds, bounds[1:]):
                if end <= begin:
                    continue
                target = (
                    targets[int(rng.integers(len(targets)))]
                    if choose == "random"
                    else targets[k]
                )
                port = _port(rng)
                for minute in range(begin, end):
                    if activity < 1 and rng.random() > activity * min(
                        1.0, load[minute]
                    ):
                        continue
                    minutes.append(
                        {
                            "minute": minute,
                            "client": client,
                            "target": target,
                            "port": port,
                            "weight": load[minute] * rng.lognormal(0, 0.25),
                        }
                    )
    return minutes


def _stream(
    log: _Log,
    rng: np.random.Generator,
    minutes: list[dict],
    volume: tuple[int, int],
    server_port: int,
    pattern: str,
) -> pd.DataFrame:
    """Spread a pattern's bytes over its connection-minutes and write them: server ->
    client is the large side.
    """
    big = _split(volume[0], np.array([m["weight"] for m in minutes]))
    small = _split(
        volume[1], np.array([m["weight"] * rng.uniform(0.8, 1.2) for m in minutes])
    )
    rows = []
    for m, down, up in zip(minutes, big, small):
        client, target = m["client"], m["target"]
        log.internal(
            m["minute"],
            client.address,
            target.address,
            m["port"],
            server_port,
            int(up),
            client.namespace,
            target.namespace,
        )
        log.internal(
            m["minute"],
            target.address,
            client.address,
            server_port,
            m["port"],
            int(down),
            target.namespace,
            client.namespace,
        )
        rows.append(
            {
                "pattern": pattern,
                "minute": m["minute"],
                "client": client.ref,
                "server": target.ref,
                "client_zone": client.node.zone,
                "server_zone": target.node.zone,
                "same_node": client.node is target.node,
                "up": int(up),
                "down": int(down),
                "bytes": int(down + up),
            }
        )
    return pd.DataFrame(rows)


def day_plan(seed: int = SEED) -> Day:
    """Make the day: records (one row per flow log line, the file's fields as text) and
    the ground truth.
    """
    nodes, nats, pods, _ = cluster(seed)
    rng = np.random.default_rng(seed + 1)
    log = _Log(nodes, nats, pods, rng)
    load = _minute_load()
    of = {w: [p for p in pods if p.workload == w] for w in {p.workload for p in pods}}
    controllers, frontends, apis = (
        of["ingress-nginx-controller"],
        of["frontend"],
        of["api"],
    )

    # 1. The chatty service: frontend -> api Service, kube-proxy's random choice per
    #    connection.
    streams = [
        _stream(
            log,
            rng,
            _connections(rng, frontends, apis, 2, 60, "random", 1.0, load),
            VOLUMES["chatty"],
            8080,
            "chatty",
        )
    ]
    # The controllers' upstreams: ingress-nginx balances over every endpoint, whatever
    # its zone.
    streams.append(
        _stream(
            log,
            rng,
            _connections(rng, controllers, frontends, 1, 60, "each", 1.0, load),
            VOLUMES["pages"],
            8080,
            "pages",
        )
    )
    streams.append(
        _stream(
            log,
            rng,
            _connections(rng, controllers, apis, 1, 60, "each", 0.5, load),
            VOLUMES["api direct"],
            8080,
            "api direct",
        )
    )
    streams.append(
        _stream(
            log,
            rng,
            _connections(rng, apis, of["db"], 1, MINUTES, "each", 1.0, load),
            VOLUMES["db"],
            5432,
            "db",
        )
    )
    streams.append(
        _stream(
            log,
            rng,
            _connections(rng, apis, of["cache"], 1, MINUTES, "each", 1.0, load),
            VOLUMES["cache"],
            6379,
            "cache",
        )
    )
    streams.append(
        _stream(
            log,
            rng,
            _connections(rng, apis, of["payments"], 1, 60, "random", 0.25, load),
            VOLUMES["payments"],
            8080,
            "payments",
        )
    )

    # 5. Internet egress through the NAT gateways: payments' provider, Prometheus's
    #    remote write.
    calls = [
        (p, minute)
        for p in of["payments"]
        for minute in range(MINUTES)
        if rng.random() < 0.25 * load[minute]
    ]
    down = _split(VOLUMES["provider"][0], rng.uniform(0.5, 1.5, len(calls)))
    up = _split(VOLUMES["provider"][1], rng.uniform(0.5, 1.5, len(calls)))
    for (pod, minute), d, u in zip(calls, down, up):
        log.via_nat(
            minute,
            pod.address,
            PROVIDER,
            _port(rng),
            443,
            int(rng.integers(1024, 65536)),
            int(u),
            int(d),
            pod.namespace,
        )
    prometheus = of["prometheus"][0]
    writes = _split(VOLUMES["remote write"][0], rng.uniform(0.9, 1.1, MINUTES))
    acks = _split(VOLUMES["remote write"][1], rng.uniform(0.9, 1.1, MINUTES))
    port = nat_port = 0
    for minute in range(MINUTES):
        if minute % 360 == 0:
            port, nat_port = _port(rng), int(rng.integers(1024, 65536))
        log.via_nat(
            minute,
            prometheus.address,
            METRICS_SERVICE,
            port,
            443,
            nat_port,
            int(writes[minute]),
            int(acks[minute]),
            prometheus.namespace,
        )

    # 4. Replication to another region: the replica connects to the primary and receives
    #    its WAL.
    db = of["db"][0]
    wal = _split(VOLUMES["replication"][0], load * rng.uniform(0.9, 1.1, MINUTES))
    replies = _split(VOLUMES["replication"][1], rng.uniform(0.9, 1.1, MINUTES))
    replica_port = _port(rng)
    for minute in range(MINUTES):
        log.peered(
            minute,
            db.address,
            REPLICA,
            5432,
            replica_port,
            int(wal[minute]),
            int(replies[minute]),
            db.namespace,
        )

    # 2. Nightly image pulls by each node's kubelet, through the node's zone's NAT
    #    gateway.
    for i, node in enumerate(nodes):
        images = [
            p.workload for p in pods if p.node is node and p.workload in IMAGE_BYTES
        ]
        if not images:
            continue
        start = 9 * 60 + i
        log.via_nat(
            start,
            node.address,
            REGISTRY,
            _port(rng),
            443,
            int(rng.integers(1024, 65536)),
            150_000 * len(images),
            4_000_000 * len(images),
            "(nodes)",
        )
        layers = _split(
            sum(IMAGE_BYTES[w] for w in images), rng.uniform(0.5, 1.5, 4 * 3)
        )
        for c in range(4):
            port, nat_port = _port(rng), int(rng.integers(1024, 65536))
            for k in range(3):
                chunk = int(layers[3 * c + k])
                log.via_nat(
                    start + 1 + k,
                    node.address,
                    BLOBS,
                    port,
                    443,
                    nat_port,
                    chunk // 100,
                    chunk,
                    "(nodes)",
                )

    # 3. Customers through the load balancer, externalTrafficPolicy: Cluster.
    session_minutes = rng.choice(MINUTES, size=6_000, p=load / load.sum())
    sizes = rng.lognormal(0, 1.0, 6_000)
    responses = _split(VOLUMES["customers"][0], sizes)
    requests = _split(VOLUMES["customers"][1], sizes * rng.uniform(0.5, 1.5, 6_000))
    sessions = []
    zones = sorted(ZONE_IDS)
    for minute, down, up in zip(np.sort(session_minutes), responses, requests):
        zone = zones[int(rng.integers(3))]  # the NLB's zonal address the client got
        node = [n for n in nodes if n.zone == zone][int(rng.integers(2))]
        controller = controllers[int(rng.integers(2))]  # kube-proxy: any ready endpoint
        client = f"198.51.100.{int(rng.integers(1, 255))}"
        client_port, snat_port = _port(rng), _port(rng)
        log.from_internet(
            int(minute),
            client,
            node,
            client_port,
            NODE_PORTS["https"],
            int(up),
            int(down),
            "ingress-nginx",
        )
        log.internal(
            int(minute),
            node.address,
            controller.address,
            snat_port,
            443,
            int(up),
            "ingress-nginx",
            "ingress-nginx",
        )
        log.internal(
            int(minute),
            controller.address,
            node.address,
            443,
            snat_port,
            int(down),
            "ingress-nginx",
            "ingress-nginx",
        )
        sessions.append(
            {
                "minute": int(minute),
                "client": client,
                "node": node.name,
                "node_zone": node.zone,
                "controller": controller.ref,
                "controller_zone": controller.node.zone,
                "bytes_in": int(up),
                "bytes_out": int(down),
            }
        )

    # Scans, rejected by the nodes' security groups; NODATA for the NAT gateway that
    # idles.
    for _ in range(300):
        node = nodes[int(rng.integers(len(nodes)))]
        log.from_internet(
            int(rng.integers(MINUTES)),
            f"203.0.113.{int(rng.integers(150, 255))}",
            node,
            _port(rng),
            int(rng.choice([22, 23, 3389, 6443, 10250])),
            60,
            0,
            "(nodes)",
            action="REJECT",
        )
    busy = {9}
    for hour in range(24):
        if hour not in busy:
            log.nodata(nats[0], hour)

    records = pd.DataFrame(log.rows, columns=list(FIELDS))
    order = np.lexsort(
        (
            records["interface-id"].to_numpy(),
            records["start"].astype(np.int64).to_numpy(),
        )
    )
    records = records.iloc[order].reset_index(drop=True)
    truth = pd.DataFrame(
        [(ns, c, b) for (ns, c), b in sorted(log.truth.items())],
        columns=["namespace", "category", "bytes"],
    )
    return Day(
        records,
        truth,
        nodes,
        nats,
        pods,
        log.unallocated,
        pd.DataFrame(sessions),
        pd.concat(streams, ignore_index=True),
    )


def ground_truth(seed: int = SEED) -> pd.DataFrame:
    """Bytes per (namespace, category) that the planted traffic should be allocated (see
    the module docstring).
    """
    return day_plan(seed).truth


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def _kubectl_list(items: list[dict]) -> str:
    document = {
        "apiVersion": "v1",
        "items": items,
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
    return yaml.safe_dump(document, sort_keys=True, default_flow_style=False, width=100)


def cluster_state(data_dir: str | Path, seed: int = SEED) -> dict[str, str]:
    """The YAML texts of ``nodes.yaml``, ``pods.yaml`` and ``services.yaml``, from
    ``data/k8s/apps.yaml``.
    """
    nodes, nats, pods, hashes = cluster(seed)
    apps = load_manifests(Path(data_dir) / "k8s" / "apps.yaml")
    workloads = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o
        for o in apps
        if o["kind"] != "Service"
    }
    services = [o for o in apps if o["kind"] == "Service"]
    node_items = [
        {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": n.name,
                "labels": {
                    "kubernetes.io/hostname": n.name,
                    "kubernetes.io/os": "linux",
                    "node.kubernetes.io/instance-type": "m6i.xlarge",
                    "topology.kubernetes.io/region": REGION,
                    "topology.kubernetes.io/zone": n.zone,
                },
            },
            "spec": {"providerID": f"aws:///{n.zone}/{n.instance}"},
            "status": {
                "addresses": [
                    {"type": "InternalIP", "address": n.address},
                    {"type": "Hostname", "address": n.name},
                ]
            },
        }
        for n in nodes
    ]
    pod_items = []
    for pod in pods:
        owner = workloads[(pod.namespace, pod.workload)]
        template = owner["spec"]["template"]
        labels = dict(template["metadata"].get("labels") or {})
        if owner["kind"] == "StatefulSet":
            labels |= {"statefulset.kubernetes.io/pod-name": pod.name}
            reference = {
                "apiVersion": "apps/v1",
                "kind": "StatefulSet",
                "name": pod.workload,
                "controller": True,
            }
        else:
            labels |= {"pod-template-hash": hashes[pod.workload]}
            reference = {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "controller": True,
                "name": f"{pod.workload}-{hashes[pod.workload]}",
            }
        spec = copy.deepcopy(
            {
                k: v
                for k, v in template["spec"].items()
                if k in ("containers", "serviceAccountName")
            }
        )
        pod_items.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": pod.name,
                    "namespace": pod.namespace,
                    "labels": labels,
                    "ownerReferences": [reference],
                },
                "spec": {**spec, "nodeName": pod.node.name},
                "status": {
                    "phase": "Running",
                    "hostIP": pod.node.address,
                    "podIP": pod.address,
                    "podIPs": [{"ip": pod.address}],
                    "conditions": [{"type": "Ready", "status": "True"}],
                },
            }
        )
    service_items = []
    for i, svc in enumerate(services):
        spec = copy.deepcopy(dict(svc["spec"]))
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("clusterIP", f"10.100.{20 + i}.{(37 * i) % 250 + 2}")
        spec["clusterIPs"] = [spec["clusterIP"]]
        spec |= {
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "sessionAffinity": "None",
        }
        ports = [
            dict(p) | {"protocol": p.get("protocol", "TCP")} for p in spec["ports"]
        ]
        meta = copy.deepcopy(dict(svc["metadata"]))
        if spec["type"] == "LoadBalancer":
            ports = [p | {"nodePort": NODE_PORTS[p["name"]]} for p in ports]
            spec |= {
                "externalTrafficPolicy": "Cluster",
                "allocateLoadBalancerNodePorts": True,
            }
            meta["annotations"] = {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb"
            }
        spec["ports"] = ports
        service_items.append(
            {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}
        )
    head = (
        "# The shop cluster's state on 2026-11-03, as `kubectl get "
        "{kind} -A -o yaml` prints it (trimmed to the\n"
        "# fields the course reads). Written by ingress_egress.datagen.flowlogs from "
        "data/k8s/apps.yaml.\n"
    )
    return {
        "nodes.yaml": head.format(kind="nodes") + _kubectl_list(node_items),
        "pods.yaml": head.format(kind="pods") + _kubectl_list(pod_items),
        "services.yaml": head.format(kind="services") + _kubectl_list(service_items),
    }


def flow_log_bytes(seed: int = SEED) -> bytes:
    """The gzip-compressed flow log file: a header line, then one record a line (no file
    name or time in gzip).
    """
    records = day_plan(seed).records
    text = io.StringIO()
    text.write(" ".join(FIELDS) + "\n")
    for row in records.itertuples(index=False):
        text.write(" ".join(row) + "\n")
    return gzip.compress(text.getvalue().encode("ascii"), compresslevel=9, mtime=0)


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``k8s/cluster-state/*.yaml`` and ``flowlogs/shop-2026-11-03.log.gz`` under
    ``data_dir``.
    """
    data_dir = Path(data_dir)
    written = []
    state = data_dir / "k8s" / "cluster-state"
    state.mkdir(parents=True, exist_ok=True)
    source = (
        data_dir
        if (data_dir / "k8s" / "apps.yaml").exists()
        else Path(__file__).resolve().parents[3] / "data"
    )
    for name, text in cluster_state(source).items():
        path = state / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    logs = data_dir / "flowlogs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / "shop-2026-11-03.log.gz"
    path.write_bytes(flow_log_bytes())
    written.append(path)
    return written
