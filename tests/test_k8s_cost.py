"""Network cost per namespace and a Service's zone share, against costs worked out by
hand.

Prices used in the hand computations (data/prices/aws.csv, us-east-1, AWS GB = 2^30
bytes): inter_zone 0.01 USD/GB on each side; internet_out 100 GB a month free, then
0.09; internet_in 0; inter_region_out 0.02; inter_region_in 0; NAT gateway processing
0.045.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ingress_egress import bills
from ingress_egress.k8s import ManifestError, load_manifests
from ingress_egress.k8s.cost import (
    CATEGORIES,
    NODES,
    address_book,
    cross_zone_share,
    network_cost_by_namespace,
    service_endpoints,
)

GIB = 2**30


def node(name, zone, address):
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"topology.kubernetes.io/zone": zone}},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": address},
                {"type": "Hostname", "address": name},
            ]
        },
    }


def pod(namespace, name, node_name, address, labels=None, **status):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
        "spec": {"nodeName": node_name, "containers": [{"name": "c", "image": "x"}]},
        "status": {"phase": "Running", "podIP": address, **status},
    }


# Two zones, two nodes, four pods:
#   n1 zone a 10.0.1.10: shop/web 10.0.1.21, data/db 10.0.1.31
#   n2 zone b 10.0.2.10: shop/api 10.0.2.22, batch/job 10.0.2.41
# A NAT gateway in zone a (10.0.96.10), another region at 10.1.0.0/16.
CLUSTER = [
    node("n1", "a", "10.0.1.10"),
    node("n2", "b", "10.0.2.10"),
    pod("shop", "web", "n1", "10.0.1.21", {"app": "web"}),
    pod("data", "db", "n1", "10.0.1.31"),
    pod("shop", "api", "n2", "10.0.2.22", {"app": "api"}),
    pod("batch", "job", "n2", "10.0.2.41"),
]
FLOWS = pd.DataFrame(
    [
        (
            "10.0.1.21",
            "10.0.2.22",
            100,
        ),  # web -> api, a -> b: shop pays out 100 and in 100: 2 x 1.00 USD
        (
            "10.0.2.22",
            "10.0.1.31",
            50,
        ),  # api -> db, b -> a: shop pays out 0.50, data pays in 0.50
        ("10.0.1.21", "10.0.1.31", 30),  # web -> db, same zone: shop in_zone, 0 USD
        ("10.0.2.41", "203.0.113.9", 300),  # job -> internet: batch internet_out
        ("203.0.113.9", "10.0.1.21", 20),  # internet -> web: shop internet_in, free
        (
            "10.0.1.31",
            "10.1.0.5",
            40,
        ),  # db -> other region: data inter_region_out, 40 x 0.02 = 0.80
        ("10.1.0.5", "10.0.1.31", 2),  # other region -> db: data inter_region_in, free
        (
            "10.0.2.41",
            "10.0.96.10",
            10,
        ),  # job (zone b) -> NAT gateway (zone a): batch 10 x 0.045 = 0.45,
        #   and the crossing, both sides to batch: 20 GB x 0.01 = 0.20
        (
            "198.51.100.1",
            "198.51.100.2",
            7,
        ),  # neither end in the cluster: not allocated
        (
            "10.0.1.10",
            "203.0.113.50",
            5,
        ),  # node n1 -> internet (the kubelet): (nodes) internet_out
        (
            "10.0.2.10",
            "10.0.1.21",
            4,
        ),  # node n2 (b) -> web (a): both sides to shop (the pod across)
    ],
    columns=["src", "dst", "gib"],
)
FLOWS["bytes"] = FLOWS.pop("gib") * GIB

# internet_out: batch 300 + (nodes) 5 = 305 GB; the month's first 100 GB are free, 205 x
# 0.09 = 18.45 USD, shared in proportion: batch 300/305 x 18.45, (nodes) 5/305 x 18.45.
EXPECTED = pd.DataFrame(
    [
        (NODES, "internet_out", 5, 18.45 * 5 / 305),
        ("batch", "inter_zone", 20, 0.20),
        ("batch", "nat_gateway", 10, 0.45),
        ("batch", "internet_out", 300, 18.45 * 300 / 305),
        ("data", "inter_zone", 50, 0.50),
        ("data", "inter_region_out", 40, 0.80),
        ("data", "inter_region_in", 2, 0.0),
        ("shop", "inter_zone", 100 + 100 + 50 + 4 + 4, 2.58),
        ("shop", "internet_in", 20, 0.0),
        ("shop", "in_zone", 30, 0.0),
    ],
    columns=["namespace", "category", "gib", "usd"],
)


def allocate(flows=FLOWS, objects=CLUSTER, **kwargs):
    kwargs.setdefault("nat_gateways", {"10.0.96.10": "a"})
    kwargs.setdefault("other_regions", {"10.1.0.0/16": "us-west-2"})
    return network_cost_by_namespace(flows, objects, **kwargs)


def test_categories_are_the_bills_transfer_classes_plus_in_zone():
    assert set(CATEGORIES) - {"in_zone"} <= set(bills.TRANSFER_CLASSES)
    assert "in_zone" not in bills.TRANSFER_CLASSES


def test_hand_computed_cluster():
    result = allocate()
    assert list(result.columns) == ["namespace", "category", "bytes", "usd"]
    assert (
        result[["namespace", "category"]].values.tolist()
        == EXPECTED[["namespace", "category"]].values.tolist()
    )
    assert result["bytes"].tolist() == (EXPECTED["gib"] * GIB).tolist()
    assert result["usd"].tolist() == pytest.approx(EXPECTED["usd"].tolist())
    assert (
        result.attrs["unallocated_bytes"] == 7 * GIB
        and result.attrs["unallocated_flows"] == 1
    )
    assert result.attrs["unit"] == "GB"
    # The crossing's total is what cloud's inter_zone price gives for the 164 GB that
    # crossed (x 2 sides).
    assert result.loc[result["category"] == "inter_zone", "usd"].sum() == pytest.approx(
        164 * 2 * 0.01
    )


def test_categorical_columns_give_the_same_result():
    flows = FLOWS.astype({"src": "category", "dst": "category"})
    pd.testing.assert_frame_equal(allocate(flows), allocate())


def test_without_the_nat_and_region_mappings_those_addresses_are_the_internet():
    result = network_cost_by_namespace(FLOWS, CLUSTER)
    got = result.set_index(["namespace", "category"])["bytes"] // GIB
    assert (
        got[("batch", "internet_out")] == 300 + 10
    )  # the NAT gateway's address counted as internet
    assert got[("data", "internet_out")] == 40 and got[("data", "internet_in")] == 2
    assert ("batch", "nat_gateway") not in got.index


def test_a_nat_gateway_without_a_zone_adds_no_crossing():
    got = (
        allocate(nat_gateways=["10.0.96.10/32"]).set_index(["namespace", "category"])[
            "bytes"
        ]
        // GIB
    )
    assert (
        got[("batch", "nat_gateway")] == 10 and ("batch", "inter_zone") not in got.index
    )


def test_node_ports_charge_a_services_traffic_to_its_namespace():
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb", "namespace": "edge"},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": "web"},
            "ports": [{"port": 443, "nodePort": 31443}],
        },
    }
    flows = pd.DataFrame(
        {
            "src": ["198.51.100.9", "10.0.1.10", "10.0.1.10"],
            "dst": ["10.0.1.10", "198.51.100.9", "10.0.2.22"],
            "sport": [50000, 31443, 40000],
            "dport": [31443, 50000, 8080],
            "bytes": [1 * GIB, 9 * GIB, 2 * GIB],
        }
    )
    plain = network_cost_by_namespace(flows, CLUSTER + [service]).set_index(
        ["namespace", "category"]
    )["bytes"]
    assert (
        plain[(NODES, "internet_in")] == GIB
        and plain[(NODES, "internet_out")] == 9 * GIB
    )
    ports = network_cost_by_namespace(flows, CLUSTER + [service], node_ports=True)
    got = ports.set_index(["namespace", "category"])["bytes"] // GIB
    assert got[("edge", "internet_in")] == 1 and got[("edge", "internet_out")] == 9
    assert (
        got[("shop", "inter_zone")] == 4
    )  # node -> api on a port that is no nodePort: as before
    with pytest.raises(KeyError, match="'sport'"):
        network_cost_by_namespace(
            flows.drop(columns="sport"), CLUSTER + [service], node_ports=True
        )


def test_host_network_pods_count_as_their_node():
    objects = CLUSTER + [pod("kube-system", "proxy", "n1", "10.0.1.10")]
    objects[-1]["spec"]["hostNetwork"] = True
    book = address_book(objects)
    assert book.loc["10.0.1.10", "kind"] == "node" and "proxy" not in set(book["name"])
    pd.testing.assert_frame_equal(allocate(objects=objects), allocate())


def test_nodes_set_aside_by_load_manifests_are_read():
    text = "\n---\n".join(__import__("yaml").safe_dump(o) for o in CLUSTER)
    objects = load_manifests(text)
    assert objects.ignored == {"Node": 2}
    pd.testing.assert_frame_equal(allocate(objects=objects), allocate())


def test_address_book():
    book = address_book(CLUSTER)
    assert book.loc["10.0.2.41"].tolist() == ["pod", "batch", "job", "n2", "b"]
    assert book.loc["10.0.1.10"].tolist() == ["node", NODES, "n1", "n1", "a"]
    assert len(book) == 6


# --- a slow, plain reference implementation of the same rules, on random flows --------


def reference(flows: pd.DataFrame, objects, nat: dict, regions: list[str]) -> dict:
    """Row by row, straight from the rules in the module docstring: (namespace,
    category) -> bytes.
    """
    import ipaddress

    where = {}
    for o in objects:
        if o["kind"] == "Node":
            where[o["status"]["addresses"][0]["address"]] = (
                "node",
                NODES,
                o["metadata"]["labels"]["topology.kubernetes.io/zone"],
            )
    zones = {
        o["metadata"]["name"]: o["metadata"]["labels"]["topology.kubernetes.io/zone"]
        for o in objects
        if o["kind"] == "Node"
    }
    for o in objects:
        if o["kind"] == "Pod":
            where[o["status"]["podIP"]] = (
                "pod",
                o["metadata"]["namespace"],
                zones[o["spec"]["nodeName"]],
            )
    totals: dict = {}

    def add(namespace, category, n):
        totals[(namespace, category)] = totals.get((namespace, category), 0) + n

    for src, dst, n in flows[["src", "dst", "bytes"]].itertuples(index=False):
        s, d = where.get(src), where.get(dst)
        if s and d:
            s_ns = s[1] if s[0] == "pod" else (d[1] if d[0] == "pod" else NODES)
            d_ns = d[1] if d[0] == "pod" else (s[1] if s[0] == "pod" else NODES)
            if s[2] == d[2]:
                add(s_ns, "in_zone", n)
            else:
                add(s_ns, "inter_zone", n)
                add(d_ns, "inter_zone", n)
        elif s or d:
            inside, other, out = (s, dst, True) if s else (d, src, False)
            if other in nat:
                add(inside[1], "nat_gateway", n)
                if nat[other] != inside[2]:
                    add(inside[1], "inter_zone", 2 * n)
            elif any(
                ipaddress.ip_address(other) in ipaddress.ip_network(r) for r in regions
            ):
                add(inside[1], "inter_region_out" if out else "inter_region_in", n)
            else:
                add(inside[1], "internet_out" if out else "internet_in", n)
    return totals


def test_random_flows_agree_with_the_reference():
    rng = np.random.default_rng(11)
    objects = CLUSTER + [
        node("n3", "c", "10.0.3.10"),
        pod("shop", "web-2", "n3", "10.0.3.21"),
        pod("batch", "job-2", "n3", "10.0.3.41"),
    ]
    addresses = [
        "10.0.1.21",
        "10.0.1.31",
        "10.0.2.22",
        "10.0.2.41",
        "10.0.3.21",
        "10.0.3.41",
        "10.0.1.10",
        "10.0.2.10",
        "10.0.3.10",
        "10.0.96.10",
        "10.0.97.10",
        "10.1.7.7",
        "203.0.113.9",
        "198.51.100.4",
    ]
    nat = {"10.0.96.10": "a", "10.0.97.10": "b"}
    flows = pd.DataFrame(
        {
            "src": rng.choice(addresses, 5_000),
            "dst": rng.choice(addresses, 5_000),
            "bytes": rng.integers(1, 10**9, 5_000),
        }
    )
    result = network_cost_by_namespace(
        flows, objects, nat_gateways=nat, other_regions=["10.1.0.0/16"]
    )
    got = {(r.namespace, r.category): r.bytes for r in result.itertuples()}
    assert got == reference(flows, objects, nat, ["10.1.0.0/16"])


# --- errors ---------------------------------------------------------------------------


def test_a_pod_on_a_node_not_given():
    objects = load_manifests(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n"
        "spec: {nodeName: ghost, containers: [{name: c, "
        "image: x}]}\nstatus: {podIP: 10.0.1.21}\n"
    )
    with pytest.raises(
        ManifestError,
        match=r'<text 1>, document 1: Pod shop/web: spec.nodeName: Not found: "ghost"',
    ):
        address_book(objects)


def test_a_node_without_zone_label():
    bare = node("n9", "a", "10.0.9.10")
    del bare["metadata"]["labels"]["topology.kubernetes.io/zone"]
    with pytest.raises(
        ManifestError,
        match="Node n9: metadata.labels.topology.kubernetes.io/zone: Required value",
    ):
        address_book([bare])


def test_an_address_claimed_twice():
    with pytest.raises(
        ManifestError, match='Pod shop/twin: status.podIP: Duplicate value: "10.0.1.21"'
    ):
        address_book(CLUSTER + [pod("shop", "twin", "n1", "10.0.1.21")])


def test_bad_flows():
    with pytest.raises(KeyError, match=r"columns \['bytes'\] are needed"):
        network_cost_by_namespace(FLOWS.drop(columns="bytes"), CLUSTER)
    with pytest.raises(
        ValueError, match=r"column 'src': '10.0.1.999' is not an IP address"
    ):
        network_cost_by_namespace(FLOWS.assign(src="10.0.1.999"), CLUSTER)
    with pytest.raises(
        ValueError,
        match=r"column 'bytes': row 2: expected a count of bytes >= 0, got -1",
    ):
        network_cost_by_namespace(FLOWS.assign(bytes=[1, 1, -1] + [1] * 8), CLUSTER)
    with pytest.raises(ValueError, match=r"column 'dst': row 0 has no address"):
        network_cost_by_namespace(
            FLOWS.assign(dst=[None] + ["10.0.1.21"] * 10), CLUSTER
        )
    with pytest.raises(
        ValueError, match="nat_gateways: zone 'z' is not a zone of the nodes"
    ):
        allocate(nat_gateways={"10.0.96.10": "z"})


# --- a Service's endpoints and its zone share -----------------------------------------

THREE_ZONES = [
    node("na", "a", "10.0.1.10"),
    node("nb", "b", "10.0.2.10"),
    node("nc", "c", "10.0.3.10"),
    pod("shop", "api-1", "na", "10.0.1.5", {"app": "api"}),
    pod("shop", "api-2", "na", "10.0.1.6", {"app": "api"}),
    pod("shop", "api-3", "nb", "10.0.2.5", {"app": "api"}),
    pod(
        "shop",
        "api-4",
        "nc",
        "10.0.3.5",
        {"app": "api"},
        conditions=[{"type": "Ready", "status": "False"}],
    ),
    pod("other", "api-5", "nc", "10.0.3.6", {"app": "api"}),
    {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {"selector": {"app": "api"}, "ports": [{"port": 8080}]},
    },
]


def test_service_endpoints_are_ready_pods_of_its_namespace():
    endpoints = service_endpoints("shop/api", THREE_ZONES)
    assert endpoints["pod"].tolist() == [
        "api-1",
        "api-2",
        "api-3",
    ]  # api-4 not ready, api-5 elsewhere
    assert endpoints["zone"].tolist() == ["a", "a", "b"]


@pytest.mark.parametrize(
    "zone, random, close",
    [
        (
            "a",
            1 / 3,
            0.0,
            # 1 of the 3 endpoints is elsewhere; with PreferClose the two in zone a
            # serve
        ),
        ("b", 2 / 3, 0.0),  # 2 of 3 elsewhere; the one in b serves
        (
            "c",
            1.0,
            1.0,
        ),  # no ready endpoint in c: every request leaves, whatever the mode
    ],
)
def test_cross_zone_share_worked_by_hand(zone, random, close):
    assert cross_zone_share("shop/api", THREE_ZONES, zone, "random") == pytest.approx(
        random
    )
    assert cross_zone_share("shop/api", THREE_ZONES, zone, "prefer-close") == close


def test_cross_zone_share_matches_a_simulated_kube_proxy():
    # kube-proxy with PreferClose: endpoints hinted for the node's zone if any, else
    # all; uniform choice.
    rng = np.random.default_rng(3)
    endpoints = ["a", "a", "b"]
    for zone in "abc":
        for mode in ("random", "prefer-close"):
            local = [z for z in endpoints if z == zone]
            pool = local if mode == "prefer-close" and local else endpoints
            picks = rng.choice(pool, 20_000)
            assert (picks != zone).mean() == pytest.approx(
                cross_zone_share("shop/api", THREE_ZONES, zone, mode), abs=0.015
            )


def test_cross_zone_share_errors():
    with pytest.raises(
        ValueError,
        match=r"mode: expected one of random, prefer-close, got 'PreferClose'",
    ):
        cross_zone_share("shop/api", THREE_ZONES, "a", "PreferClose")
    with pytest.raises(
        ValueError, match=r"client_zone: 'd' is not a zone of the nodes \(a, b, c\)"
    ):
        cross_zone_share("shop/api", THREE_ZONES, "d", "random")
    with pytest.raises(KeyError, match="no Service 'shop/web'"):
        cross_zone_share("shop/web", THREE_ZONES, "a", "random")
    with pytest.raises(ValueError, match="expected 'namespace/name'"):
        cross_zone_share("api", THREE_ZONES, "a", "random")
    no_selector = THREE_ZONES[:-1] + [
        {
            "kind": "Service",
            "metadata": {"name": "api", "namespace": "shop"},
            "spec": {},
        }
    ]
    with pytest.raises(ValueError, match="no spec.selector"):
        cross_zone_share("shop/api", no_selector, "a", "random")
    nobody = THREE_ZONES[:3] + THREE_ZONES[-1:]
    with pytest.raises(ValueError, match="no ready endpoints"):
        cross_zone_share("shop/api", nobody, "a", "random")
