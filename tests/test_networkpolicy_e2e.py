"""The behaviours the upstream NetworkPolicy e2e suite asserts, reproduced on the same
model.

Source: kubernetes/kubernetes ``test/e2e/network/netpol/network_policy.go`` (with
``model.go``, ``policies.go`` and ``reachability.go`` beside it), read 2026-11-27. That
suite creates namespaces ``x``, ``y``, ``z`` (labelled ``ns: <name>``, plus the
automatic ``kubernetes.io/metadata.name``) with pods ``a``, ``b``, ``c`` (labelled
``pod: <name>``), each serving ports 80 and 81 over TCP, UDP and SCTP on container ports
named ``serve-80-tcp``, ``serve-81-udp``, ... It then creates policies and checks the
whole pod-by-pod truth table against an expectation built from "everything allowed" with
a few ``Expect``/``ExpectPeer``/``ExpectAllIngress``/``ExpectAllEgress`` edits. The
tests below build the same policies as manifests and the same expectation with the same
edits, and compare. Each test names the upstream case it reproduces. Newer versions of
the suite create only the pods a case needs; the full 3 x 3 model is used here for every
case (the expectations are written per peer, so they carry over).

A pod's connection to itself is checked apart: the concept page says "a pod cannot block
access to itself" (read 2026-12-02), and upstream's ``Reachability.AllowLoopback``
expects exactly that ("loopback logic follows no policy"), so every diagonal cell must
be allowed. (Upstream's ``ignoreLoopback`` only keeps a plugin's failure there from
failing the suite.)
"""

from __future__ import annotations

import ipaddress

import pytest

from ingress_egress.k8s import Cluster

NAMESPACES = ("x", "y", "z")
PODS = ("a", "b", "c")
ALL = [f"{ns}/{pod}" for ns in NAMESPACES for pod in PODS]
NS_LABEL = "kubernetes.io/metadata.name"


def pod_ip(ref: str) -> str:
    ns, pod = ref.split("/")
    return f"10.0.{NAMESPACES.index(ns) + 1}.{PODS.index(pod) + 1}"


def model_objects() -> list[dict]:
    """Namespaces and pods as the e2e model creates them (model.go)."""
    objects: list[dict] = []
    for ns in NAMESPACES:
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"ns": ns}},
            }
        )
        for pod in PODS:
            containers = [
                {
                    "name": f"cont-{port}-{proto.lower()}",
                    "image": "agnhost",
                    "ports": [
                        {
                            "containerPort": port,
                            "name": f"serve-{port}-{proto.lower()}",
                            "protocol": proto,
                        }
                    ],
                }
                for port in (80, 81)
                for proto in ("TCP", "UDP", "SCTP")
            ]
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": pod, "namespace": ns, "labels": {"pod": pod}},
                    "spec": {"containers": containers},
                    "status": {"podIP": pod_ip(f"{ns}/{pod}")},
                }
            )
    return objects


def policy(
    name: str,
    namespace: str,
    pod_selector: dict | None = None,
    *,
    ingress: list | None = None,
    egress: list | None = None,
    types: list[str] | None = None,
) -> dict:
    """A NetworkPolicy as GenNetworkPolicyWithNameAndPodSelector +
    SetSpecIngressRules/SetSpecEgressRules build it: SetSpecIngressRules adds "Ingress"
    to policyTypes, SetSpecEgressRules adds "Egress"."""
    spec: dict = {"podSelector": pod_selector or {}}
    policy_types = []
    if ingress is not None:
        spec["ingress"] = ingress
        policy_types.append("Ingress")
    if egress is not None:
        spec["egress"] = egress
        policy_types.append("Egress")
    spec["policyTypes"] = types if types is not None else policy_types
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


def pods_labelled(**labels: str) -> dict:
    return {"matchLabels": dict(labels)}


def ns_named(name: str) -> dict:
    return {"matchLabels": {NS_LABEL: name}}


class Reachability:
    """The expectation table of reachability.go: default allowed, then edits."""

    def __init__(self, default: bool = True) -> None:
        self.table = {(s, d): default for s in ALL for d in ALL}

    def expect(self, src: str, dst: str, value: bool) -> None:
        self.table[(src, dst)] = value

    def expect_peer(
        self, src: tuple[str, str], dst: tuple[str, str], value: bool
    ) -> None:
        """ExpectPeer: an empty namespace or pod in a Peer matches every one."""
        for s in ALL:
            for d in ALL:
                if _peer_matches(src, s) and _peer_matches(dst, d):
                    self.table[(s, d)] = value

    def expect_all_ingress(self, pod: str, value: bool) -> None:
        for s in ALL:
            self.table[(s, pod)] = value

    def expect_all_egress(self, pod: str, value: bool) -> None:
        for d in ALL:
            self.table[(pod, d)] = value


def _peer_matches(peer: tuple[str, str], ref: str) -> bool:
    ns, pod = ref.split("/")
    return (peer[0] in ("", ns)) and (peer[1] in ("", pod))


def validate(
    policies: list[dict], expected: Reachability, port: int, protocol: str = "TCP"
) -> None:
    """ValidateOrFail: compare every pair; loopback as AllowLoopback sets it (always
    allowed).
    """
    cluster = Cluster(model_objects() + policies)
    matrix = cluster.reachability(port, protocol)
    for pod in ALL:  # Reachability.AllowLoopback, after the other edits
        expected.expect(pod, pod, True)
    wrong = [
        f"{s} -> {d}: expected {want}, got {bool(matrix.loc[s, d])}"
        for (s, d), want in expected.table.items()
        if bool(matrix.loc[s, d]) != want
    ]
    assert not wrong, f"{len(wrong)} cells differ on {port}/{protocol}:\n" + "\n".join(
        wrong
    )
    # the pair-by-pair evaluator (explain) must agree with the matrix on every cell
    disagree = [
        (s, d)
        for s in ALL
        for d in ALL
        if cluster.allows(s, d, port, protocol) != bool(matrix.loc[s, d])
    ]
    assert not disagree


# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "SCTP"])
def test_default_deny_ingress(protocol):
    # "should support a 'default-deny-ingress' policy" (TCP; and the UDP and SCTP
    # contexts)
    expected = Reachability()
    expected.expect_peer(("", ""), ("x", ""), False)
    validate([policy("deny-ingress", "x", ingress=[])], expected, 80, protocol)


def test_default_deny_all():
    # "should support a 'default-deny-all' policy"
    expected = Reachability()
    expected.expect_peer(("", ""), ("x", ""), False)
    expected.expect_peer(("x", ""), ("", ""), False)
    validate([policy("deny-all", "x", ingress=[], egress=[])], expected, 80)


def test_allow_from_pods_within_server_namespace_by_pod_selector():
    # "should enforce policy to allow traffic from pods within server namespace based on
    # PodSelector"
    p = policy(
        "x-a-allows-x-b",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"podSelector": pods_labelled(pod="b")}]}],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    expected.expect("x/b", "x/a", True)
    validate([p], expected, 80)


def test_allow_ingress_for_a_target():
    # "should enforce policy to allow ingress traffic for a target"
    deny = policy("deny-all", "x", ingress=[])
    allow = policy(
        "allow-all-to-a",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"podSelector": {}, "namespaceSelector": {}}]}],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", True)
    for pod in ("b", "c"):  # the newer suite has only x/b here; x/c behaves the same
        expected.expect_all_ingress(f"x/{pod}", False)
    validate([deny, allow], expected, 80)


def test_allow_ingress_from_pods_in_all_namespaces():
    # "should enforce policy to allow ingress traffic from pods in all namespaces"
    p = policy(
        "allow-from-another-ns",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {}}}]}],
    )
    validate([p], Reachability(), 80)


@pytest.mark.parametrize(
    "selector",
    [
        {
            "matchLabels": {NS_LABEL: "y"}
            # "... based on NamespaceSelector" and "... MatchLabels using default ns
            # label"
        },
        {
            "matchExpressions": [{"key": NS_LABEL, "operator": "In", "values": ["y"]}]
        },  # "... with MatchExpressions"
        {"matchLabels": {"ns": "y"}},  # the suite's own namespace label
    ],
)
def test_allow_only_from_a_different_namespace(selector):
    # "should enforce policy to allow traffic only from a different namespace, based on
    # NamespaceSelector" "should enforce policy based on NamespaceSelector with
    # MatchExpressions" "should enforce policy to allow traffic based on
    # NamespaceSelector with MatchLabels using default ns label"
    p = policy(
        "allow-client-a-via-ns-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"namespaceSelector": selector}]}],
    )
    expected = Reachability()
    expected.expect_peer(("x", ""), ("x", "a"), False)
    expected.expect_peer(("z", ""), ("x", "a"), False)
    validate([p], expected, 80)


def test_pod_selector_with_match_expressions():
    # "should enforce policy based on PodSelector with MatchExpressions"
    p = policy(
        "x-a-allows-x-b",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "pod", "operator": "In", "values": ["b"]}
                            ]
                        }
                    }
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    expected.expect("x/b", "x/a", True)
    validate([p], expected, 80)


def test_pod_selector_or_namespace_selector():
    # "should enforce policy based on PodSelector or NamespaceSelector": two peers = OR
    p = policy(
        "allow-ns-y-match-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchExpressions": [
                                {"key": NS_LABEL, "operator": "NotIn", "values": ["x"]}
                            ]
                        }
                    },
                    {"podSelector": pods_labelled(pod="b")},
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect("x/a", "x/a", False)
    expected.expect("x/c", "x/a", False)
    validate([p], expected, 80)


def test_pod_selector_and_namespace_selector():
    # "should enforce policy based on PodSelector and NamespaceSelector": one peer with
    # both = AND
    p = policy(
        "allow-ns-y-podselector-and-nsselector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchExpressions": [
                                {"key": NS_LABEL, "operator": "NotIn", "values": ["x"]}
                            ]
                        },
                        "podSelector": pods_labelled(pod="b"),
                    },
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    expected.expect("y/b", "x/a", True)
    expected.expect("z/b", "x/a", True)
    validate([p], expected, 80)


def test_multiple_pod_selectors_and_namespace_selectors():
    # "should enforce policy based on Multiple PodSelectors and NamespaceSelectors"
    p = policy(
        "allow-ns-y-z-pod-b-c",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {
                            "matchExpressions": [
                                {"key": NS_LABEL, "operator": "NotIn", "values": ["x"]}
                            ]
                        },
                        "podSelector": {
                            "matchExpressions": [
                                {"key": "pod", "operator": "In", "values": ["b", "c"]}
                            ]
                        },
                    },
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_peer(("x", ""), ("x", "a"), False)
    expected.expect("y/a", "x/a", False)
    expected.expect(
        "z/a", "x/a", False
    )  # the newer suite has no z/a here; z is "not x", pod a is not b or c
    validate([p], expected, 80)


def test_any_pod_selectors():
    # "should enforce policy based on any PodSelectors"
    p = policy(
        "allow-ns-x-pod-b-c",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {"podSelector": pods_labelled(pod="b")},
                    {"podSelector": pods_labelled(pod="c")},
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    expected.expect("x/b", "x/a", True)
    expected.expect("x/c", "x/a", True)
    validate([p], expected, 80)


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "SCTP"])
def test_only_from_a_pod_in_a_different_namespace(protocol):
    # "should enforce policy to allow traffic only from a pod in a different namespace
    # based on PodSelector and NamespaceSelector" (TCP, UDP and SCTP contexts)
    p = policy(
        "allow-ns-y-pod-a-via-namespace-pod-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": ns_named("y"),
                        "podSelector": pods_labelled(pod="a"),
                    }
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    expected.expect("y/a", "x/a", True)
    validate([p], expected, 80, protocol)


@pytest.mark.parametrize("protocol", ["TCP", "UDP", "SCTP"])
def test_policy_based_on_ports(protocol):
    # "should enforce policy based on Ports" (TCP, UDP and SCTP contexts)
    p = policy(
        "allow-client-a-via-ns-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [{"namespaceSelector": ns_named("y")}],
                "ports": [{"port": 81, "protocol": protocol}],
            }
        ],
    )
    expected = Reachability()
    expected.expect_peer(("x", ""), ("x", "a"), False)
    expected.expect_peer(("y", ""), ("x", "a"), True)
    expected.expect_peer(("z", ""), ("x", "a"), False)
    validate([p], expected, 81, protocol)


def test_multiple_stacked_policies_with_overlapping_pod_selectors():
    # "should enforce multiple, stacked policies with overlapping podSelectors"
    allow81 = policy(
        "allow-client-a-via-ns-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [{"namespaceSelector": ns_named("y")}],
                "ports": [{"port": 81, "protocol": "TCP"}],
            }
        ],
    )
    allowed = Reachability()
    allowed.expect_peer(("x", ""), ("x", "a"), False)
    allowed.expect_peer(("y", ""), ("x", "a"), True)
    allowed.expect_peer(("z", ""), ("x", "a"), False)
    validate([allow81], allowed, 81)
    denied = Reachability()
    denied.expect_all_ingress("x/a", False)
    validate([allow81], denied, 80)
    allow80 = policy(
        "allow-client-a-via-ns-selector-80",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [{"namespaceSelector": ns_named("y")}],
                "ports": [{"port": 80, "protocol": "TCP"}],
            }
        ],
    )
    validate([allow81, allow80], allowed, 80)


def test_allow_all_policy():
    # "should support allow-all policy"
    p = policy("allow-all", "x", {"matchLabels": {}}, ingress=[{}])
    validate([p], Reachability(), 80)
    validate([p], Reachability(), 81)


def test_ingress_on_one_named_port():
    # "should allow ingress access on one named port"
    p = policy(
        "allow-all",
        "x",
        {"matchLabels": {}},
        ingress=[{"ports": [{"port": "serve-81-tcp"}]}],
    )
    validate([p], Reachability(), 81)
    expected = Reachability()
    expected.expect_peer(("", ""), ("x", ""), False)
    validate([p], expected, 80)


def test_ingress_from_namespace_on_one_named_port():
    # "should allow ingress access from namespace on one named port"
    p = policy(
        "allow-client-a-via-ns-selector-80",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {
                "from": [{"namespaceSelector": ns_named("y")}],
                "ports": [{"port": "serve-80-tcp", "protocol": "TCP"}],
            }
        ],
    )
    expected = Reachability()
    expected.expect_peer(("x", ""), ("x", "a"), False)
    expected.expect_peer(("z", ""), ("x", "a"), False)
    validate([p], expected, 80)
    blocked = Reachability()
    blocked.expect_all_ingress("x/a", False)
    validate([p], blocked, 81)


def test_egress_on_one_named_port():
    # "should allow egress access on one named port": the name is resolved on the
    # destination pod
    p = policy(
        "allow-egress",
        "x",
        {"matchLabels": {}},
        egress=[{"ports": [{"port": "serve-80-tcp"}]}],
    )
    validate([p], Reachability(), 80)
    expected = Reachability()
    expected.expect_peer(("x", ""), ("", ""), False)
    validate([p], expected, 81)


def test_updated_policy():
    # "should enforce updated policy": allow-all, then the same policy with no ingress
    # rules
    allow = policy(
        "allow-all-mutate-to-deny-all", "x", {"matchLabels": {}}, ingress=[{}]
    )
    validate([allow], Reachability(), 81)
    deny = policy("allow-all-mutate-to-deny-all", "x", {"matchLabels": {}}, ingress=[])
    expected = Reachability()
    expected.expect_peer(("", ""), ("x", ""), False)
    validate([deny], expected, 81)


def test_ingress_from_updated_namespace():
    # "should allow ingress access from updated namespace": a namespace label added
    # later
    p = policy(
        "allow-client-a-via-ns-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[
            {"from": [{"namespaceSelector": {"matchLabels": {"ns2": "updated"}}}]}
        ],
    )
    before = Reachability()
    before.expect_all_ingress("x/a", False)
    validate([p], before, 80)
    objects = model_objects() + [p]
    for obj in objects:
        if obj["kind"] == "Namespace" and obj["metadata"]["name"] == "y":
            obj["metadata"]["labels"]["ns2"] = "updated"
    matrix = Cluster(objects).reachability(80)
    after = Reachability()
    after.expect_all_ingress("x/a", False)
    after.expect_peer(("y", ""), ("", ""), True)
    assert all(
        bool(matrix.loc[s, d]) == want for (s, d), want in after.table.items() if s != d
    )


def test_ingress_from_updated_pod_and_to_updated_pod():
    # "should allow ingress access from updated pod" and "should deny ingress access to
    # updated pod"
    allow_b2 = policy(
        "allow-client-a-via-pod-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"podSelector": pods_labelled(pod="b", pod2="updated")}]}],
    )
    deny_isolated = policy(
        "deny-ingress-via-label-selector",
        "x",
        pods_labelled(target="isolated"),
        ingress=[],
    )
    objects = model_objects()
    pods = {
        f"{o['metadata']['namespace']}/{o['metadata']['name']}": o
        for o in objects
        if o["kind"] == "Pod"
    }
    before = Cluster(objects + [allow_b2])
    assert not before.allows("x/b", "x/a", 80)
    assert Cluster(objects + [deny_isolated]).allows("y/a", "x/a", 80)
    pods["x/b"]["metadata"]["labels"]["pod2"] = "updated"
    pods["x/a"]["metadata"]["labels"]["target"] = "isolated"
    after_allow = Cluster(objects + [allow_b2])
    assert after_allow.allows("x/b", "x/a", 80) and not after_allow.allows(
        "x/c", "x/a", 80
    )
    after_deny = Cluster(objects + [deny_isolated])
    assert not any(after_deny.allows(s, "x/a", 80) for s in ALL if s != "x/a")


def test_deny_ingress_from_pods_on_other_namespaces():
    # "should deny ingress from pods on other namespaces": from: podSelector {} = this
    # namespace only
    p = policy(
        "deny-empty-policy",
        "x",
        ingress=[{"from": [{"podSelector": {"matchLabels": {}}}]}],
    )
    expected = Reachability()
    expected.expect_peer(("y", ""), ("x", ""), False)
    expected.expect_peer(("z", ""), ("x", ""), False)
    validate([p], expected, 80)


def test_deny_egress_from_pod_and_from_namespace():
    # "should deny egress from pods based on PodSelector" and "... from all pods in a
    # namespace"
    one = Reachability()
    one.expect_all_egress("x/a", False)
    validate(
        [policy("deny-egress-pod-a", "x", pods_labelled(pod="a"), egress=[])], one, 80
    )
    all_x = Reachability()
    all_x.expect_peer(("x", ""), ("", ""), False)
    validate([policy("deny-egress-ns-x", "x", egress=[])], all_x, 80)


def test_ingress_and_egress_specified_together():
    # "should work with Ingress, Egress specified together"
    p = policy(
        "allow-client-a-via-pod-selector",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"from": [{"podSelector": pods_labelled(pod="b")}]}],
        egress=[{"ports": [{"port": 80}]}],
        types=["Egress", "Ingress"],
    )
    on80 = Reachability()
    on80.expect_all_ingress("x/a", False)
    on80.expect("x/b", "x/a", True)
    validate([p], on80, 80)
    on81 = Reachability()
    on81.expect_all_ingress("x/a", False)
    on81.expect_all_egress("x/a", False)
    on81.expect("x/b", "x/a", True)
    validate([p], on81, 81)


def test_client_side_egress_denial_wins_over_server_allow():
    # "should support denying of egress traffic on the client side (even if the server
    # explicitly allows this traffic)"
    egress = policy(
        "allow-to-ns-y-pod-a",
        "x",
        pods_labelled(pod="a"),
        egress=[
            {
                "to": [
                    {
                        "namespaceSelector": ns_named("y"),
                        "podSelector": pods_labelled(pod="a"),
                    }
                ]
            }
        ],
    )
    rule = {
        "from": [
            {"namespaceSelector": ns_named("x"), "podSelector": pods_labelled(pod="a")}
        ]
    }
    ingress_a = policy(
        "allow-from-xa-on-ya-match-selector",
        "y",
        pods_labelled(pod="a"),
        ingress=[rule],
    )
    ingress_b = policy(
        "allow-from-xa-on-yb-match-selector",
        "y",
        pods_labelled(pod="b"),
        ingress=[rule],
    )
    expected = Reachability()
    expected.expect_peer(("x", "a"), ("", ""), False)
    expected.expect_peer(("", ""), ("y", "a"), False)
    expected.expect_peer(("x", "a"), ("y", "a"), True)
    expected.expect_peer(("", ""), ("y", "b"), False)
    validate([egress, ingress_a, ingress_b], expected, 80)


def test_egress_to_server_in_different_namespace():
    # "should enforce egress policy allowing traffic to a server in a different
    # namespace based on PodSelector and NamespaceSelector"
    p = policy(
        "allow-to-ns-y-pod-a",
        "x",
        pods_labelled(pod="a"),
        egress=[
            {
                "to": [
                    {
                        "namespaceSelector": ns_named("y"),
                        "podSelector": pods_labelled(pod="a"),
                    }
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_all_egress("x/a", False)
    expected.expect("x/a", "y/a", True)
    validate([p], expected, 80)


def test_ingress_any_port_on_a_specific_protocol():
    # "should enforce ingress policy allowing any port traffic to a server on a specific
    # protocol"
    p = policy(
        "allow-ingress-by-proto",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"ports": [{"protocol": "TCP"}]}],
    )
    validate([p], Reachability(), 80, "TCP")
    udp = Reachability()
    udp.expect_peer(("", ""), ("x", "a"), False)
    validate([p], udp, 80, "UDP")


def test_allow_all_takes_precedence_ingress_and_egress():
    # "should enforce multiple ingress policies with ingress allow-all policy taking
    # precedence" and "should enforce multiple egress policies with egress allow-all
    # policy taking precedence"
    only80 = policy(
        "allow-ingress-port-80",
        "x",
        {"matchLabels": {}},
        ingress=[{"ports": [{"port": 80}]}],
    )
    blocked = Reachability()
    blocked.expect_peer(("", ""), ("x", ""), False)
    validate([only80], blocked, 81)
    validate(
        [only80, policy("allow-ingress", "x", {"matchLabels": {}}, ingress=[{}])],
        Reachability(),
        81,
    )
    eg80 = policy(
        "allow-egress-port-80",
        "x",
        {"matchLabels": {}},
        egress=[{"ports": [{"port": 80}]}],
    )
    blocked_out = Reachability()
    blocked_out.expect_peer(("x", ""), ("", ""), False)
    validate([eg80], blocked_out, 81)
    validate(
        [eg80, policy("allow-egress", "x", {"matchLabels": {}}, egress=[{}])],
        Reachability(),
        81,
    )


def test_stop_enforcing_after_delete():
    # "should stop enforcing policies after they are deleted"
    expected = Reachability()
    expected.expect_peer(("x", ""), ("", ""), False)
    expected.expect_peer(("", ""), ("x", ""), False)
    validate([policy("deny-all", "x", ingress=[], egress=[])], expected, 80)
    validate([], Reachability(), 80)


def large_cidr(ip: str) -> str:
    """makeLargeCIDRForIP: the /4 that contains the IP."""
    return str(ipaddress.ip_network(f"{ip}/4", strict=False))


def test_egress_to_server_in_cidr_block():
    # "should allow egress access to server in CIDR block" (ipBlock with a pod's IP: see
    # the module docstring of ingress_egress.k8s.networkpolicy for why pod IPs match
    # ipBlocks here)
    p = policy(
        "allow-client-a-via-cidr-egress-rule",
        "x",
        pods_labelled(pod="a"),
        egress=[{"to": [{"ipBlock": {"cidr": f"{pod_ip('y/b')}/32"}}]}],
    )
    expected = Reachability()
    expected.expect_all_egress("x/a", False)
    expected.expect("x/a", "y/b", True)
    validate([p], expected, 80)


def test_except_clause_and_overlap_with_a_second_policy():
    # "should enforce except clause while egress access to server in CIDR block" and
    # "should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed"
    assert large_cidr(pod_ip("x/b")) == "0.0.0.0/4"  # 10.x.x.x lies in 0.0.0.0/4
    p = policy(
        "allow-client-a-via-cidr-egress-rule",
        "x",
        pods_labelled(pod="a"),
        egress=[
            {
                "to": [
                    {
                        "ipBlock": {
                            "cidr": large_cidr(pod_ip("x/b")),
                            "except": [f"{pod_ip('x/b')}/32"],
                        }
                    }
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect("x/a", "x/b", False)
    validate([p], expected, 80)
    # the suite then *updates* the policy (same name) to allow exactly x/b's address
    updated = policy(
        "allow-client-a-via-cidr-egress-rule",
        "x",
        pods_labelled(pod="a"),
        egress=[{"to": [{"ipBlock": {"cidr": f"{pod_ip('x/b')}/32"}}]}],
    )
    allow = Reachability()
    allow.expect_all_egress("x/a", False)
    allow.expect("x/a", "x/b", True)
    validate([updated], allow, 80)
    # and with both side by side, the union allows x/b again
    both = dict(updated, metadata={"name": "allow-x-b", "namespace": "x"})
    validate([p, both], Reachability(), 80)


def test_ingress_and_egress_controlled_independently():
    # "should enforce policies to check ingress and egress policies can be controlled
    # independently based on PodSelector"
    allow_egress = policy(
        "allow-egress-for-target", "x", pods_labelled(pod="a"), egress=[{}]
    )
    validate([allow_egress], Reachability(), 80)
    deny_ingress = policy(
        "deny-ingress-via-label-selector", "x", pods_labelled(pod="a"), ingress=[]
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    validate([allow_egress, deny_ingress], expected, 80)


def test_sctp_is_not_tcp():
    # "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the
    # plugin doesn't support SCTP"
    deny = policy("deny-ingress", "x", ingress=[])
    sctp = policy(
        "allow-only-sctp-ingress-on-port-81",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"ports": [{"port": 81, "protocol": "SCTP"}]}],
    )
    expected = Reachability()
    expected.expect_peer(("", ""), ("x", ""), False)
    validate([deny, sctp], expected, 81, "TCP")
    # "should properly isolate pods that are selected by a policy allowing SCTP, even if
    # the plugin doesn't support SCTP"
    sctp80 = policy(
        "allow-only-sctp-ingress-on-port-80",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"ports": [{"port": 80, "protocol": "SCTP"}]}],
    )
    isolated = Reachability()
    isolated.expect_all_ingress("x/a", False)
    validate([sctp80], isolated, 81, "TCP")


def test_udp_only_policy_does_not_allow_tcp():
    # "should not allow access by TCP when a policy specifies only UDP"
    p = policy(
        "allow-only-udp-ingress-on-port-81",
        "x",
        pods_labelled(pod="a"),
        ingress=[{"ports": [{"port": 81, "protocol": "UDP"}]}],
    )
    expected = Reachability()
    expected.expect_all_ingress("x/a", False)
    validate([p], expected, 81, "TCP")


def test_egress_namespace_selector_not_in_with_default_ns_label():
    # "should enforce policy based on NamespaceSelector with MatchExpressions using
    # default ns label"
    p = policy(
        "allow-ns-y-match-selector-for-immutable-ns-label",
        "x",
        pods_labelled(pod="a"),
        egress=[
            {
                "to": [
                    {
                        "namespaceSelector": {
                            "matchExpressions": [
                                {"key": NS_LABEL, "operator": "NotIn", "values": ["y"]}
                            ]
                        }
                    }
                ]
            }
        ],
    )
    expected = Reachability()
    expected.expect_peer(("x", "a"), ("y", ""), False)
    validate([p], expected, 80)
