"""The shipped day of flow logs and cluster state: read back, allocated, and checked
against the plan.

The plan (``ingress_egress.datagen.flowlogs``) says what each pattern sends and who
should pay; the file is read with the reader, de-duplicated with ``count_once`` and
allocated with ``network_cost_by_namespace``. The two routes share no code: the plan
never parses an address, the reader never sees the plan.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pandas as pd
import pytest

from ingress_egress.datagen import flowlogs as plan
from ingress_egress.flowlogs import count_once, read_flow_logs
from ingress_egress.k8s import load_manifests
from ingress_egress.k8s.cost import (
    address_book,
    cross_zone_share,
    network_cost_by_namespace,
)

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "data" / "flowlogs" / "shop-2026-11-03.log.gz"
STATE = ROOT / "data" / "k8s" / "cluster-state"
DOCUMENTATION = [
    ipaddress.ip_network(n)
    for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]


@pytest.fixture(scope="module")
def day():
    return plan.day_plan()


@pytest.fixture(scope="module")
def records():
    return read_flow_logs(LOG)


@pytest.fixture(scope="module")
def objects():
    return load_manifests(STATE)


def nat_gateways() -> dict[str, str]:
    return {nat.address: nat.zone for nat in plan.cluster()[1]}


def test_the_file_reads_with_its_header(records, day):
    assert records.attrs["formats"] == {str(LOG): " ".join(plan.FIELDS)}
    assert records.attrs["skipped"] == {"NODATA": 23, "SKIPDATA": 0, "blank lines": 0}
    assert len(records) == len(day.records) - 23
    assert records["start"].min() >= plan.DAY and records[
        "end"
    ].max() < plan.DAY + pd.Timedelta(days=1)
    assert (records["end"] - records["start"]).max() < pd.Timedelta(
        minutes=1
    )  # 1-minute aggregation


def test_allocation_of_the_file_is_the_plans_ground_truth(records, objects, day):
    once = count_once(records)
    result = network_cost_by_namespace(
        once,
        objects,
        nat_gateways=nat_gateways(),
        other_regions=[plan.PEERED_REGION[0]],
        node_ports=True,
    )
    got = result.set_index(["namespace", "category"])["bytes"].sort_index()
    expected = day.truth.set_index(["namespace", "category"])["bytes"].sort_index()
    pd.testing.assert_series_equal(got, expected)
    assert result.attrs["unallocated_bytes"] == day.unallocated_bytes


def test_planted_volumes(day):
    truth = day.truth.set_index(["namespace", "category"])["bytes"]
    assert truth[("shop", "inter_region_out")] == 120 * 10**9  # replication, WAL out
    assert truth[("monitoring", "internet_out")] == 40 * 10**9  # remote write
    assert truth[("ingress-nginx", "internet_out")] == 300 * 10**9  # to customers
    pulls = sum(
        plan.IMAGE_BYTES[p.workload] for p in day.pods if p.workload in plan.IMAGE_BYTES
    )
    assert pulls == 17_700_000_000
    images = sum(p.workload in plan.IMAGE_BYTES for p in day.pods)
    assert images == 8
    # layers, 4 MB of manifests per image, and 300 rejected scans of 60 bytes
    assert truth[("(nodes)", "internet_in")] == pulls + 4_000_000 * images + 300 * 60


def test_addresses_are_private_or_documentation_ranges(records):
    for column in ("srcaddr", "dstaddr", "pkt_srcaddr", "pkt_dstaddr"):
        for text in records[column].cat.categories:
            address = ipaddress.ip_address(text)
            assert address.is_private or any(address in n for n in DOCUMENTATION), (
                column,
                text,
            )


def test_each_interface_reports_its_nodes_zone_id(records, objects):
    book = address_book(objects)
    nodes = book[book["kind"] == "node"]
    egress = records[
        (records["flow_direction"] == "egress") & records["instance_id"].notna()
    ]
    seen = egress.groupby("srcaddr", observed=True)["az_id"].agg(
        lambda s: set(s.astype(str))
    )
    for address, ids in seen.items():
        assert ids == {plan.ZONE_IDS[nodes.loc[address, "zone"]]}


def test_cluster_state_matches_the_manifests(objects):
    apps = load_manifests(ROOT / "data" / "k8s" / "apps.yaml")
    replicas = {
        (o["metadata"]["namespace"], o["metadata"]["name"]): o["spec"]["replicas"]
        for o in apps
        if o["kind"] in ("Deployment", "StatefulSet")
    }
    pods = [o for o in objects if o["kind"] == "Pod"]
    counted = pd.Series(
        [
            (
                p["metadata"]["namespace"],
                p["metadata"]["ownerReferences"][0]["name"].rsplit("-", 1)[0]
                if p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
                else p["metadata"]["ownerReferences"][0]["name"],
            )
            for p in pods
        ]
    ).value_counts()
    assert counted.to_dict() == replicas
    lb = next(
        o
        for o in objects
        if o["kind"] == "Service" and o["spec"].get("type") == "LoadBalancer"
    )
    assert lb["spec"]["externalTrafficPolicy"] == "Cluster"
    assert {p["name"]: p["nodePort"] for p in lb["spec"]["ports"]} == plan.NODE_PORTS
    assert objects.ignored == {"Node": 6}
    assert sorted(
        {
            o["metadata"]["labels"]["topology.kubernetes.io/zone"]
            for o in objects.ignored_objects
        }
    ) == sorted(plan.ZONE_IDS)


def test_chatty_service_crosses_zones_about_as_kube_proxys_random_choice_predicts(
    day, objects
):
    chatty = day.chatty.assign(crossing=lambda d: d["client_zone"] != d["server_zone"])
    observed = chatty.groupby("client_zone").apply(
        lambda d: (d["bytes"] * d["crossing"]).sum() / d["bytes"].sum(),
        include_groups=False,
    )
    for zone, share in observed.items():
        expected = cross_zone_share("shop/api", objects, zone, "random")
        # 48 connections a day per zone (2 per frontend, renewed hourly), each to a
        # random endpoint.
        assert share == pytest.approx(expected, abs=0.2), zone
    assert observed["us-east-1c"] == 1.0  # no api pod in us-east-1c


def test_load_balancer_sessions_hop_and_cross_as_planned(day):
    sessions = day.sessions
    local = sessions.apply(
        lambda s: (
            next(p.node.name for p in day.pods if p.ref == s["controller"]) == s["node"]
        ),
        axis=1,
    )
    crossing = sessions["node_zone"] != sessions["controller_zone"]
    # NLB: a zone at random, a node at random; kube-proxy: either controller (zones a
    # and b).
    assert 1 - local.mean() == pytest.approx(5 / 6, abs=0.02)
    assert crossing.mean() == pytest.approx(2 / 3, abs=0.02)


def test_image_pulls_happen_at_nine_through_the_nat_gateways(records):
    nat = records[records["instance_id"].isna()]
    blobs = nat[(nat["src"] == plan.BLOBS)]
    assert blobs["start"].dt.hour.unique().tolist() == [9]
    assert int(blobs["bytes"].sum()) == 17_700_000_000
    assert set(nat["az_id"].astype(str)) == set(plan.ZONE_IDS.values())
    idle = records.attrs["skipped"]["NODATA"]
    assert idle == 23  # us-east-1a's NAT: idle but 09:00
