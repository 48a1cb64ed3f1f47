"""NetworkPolicy semantics and validation: the Kubernetes documentation's examples, the
API server's errors, and the shop's policies doing what their comments say.

Expected values come from the documentation's own prose about each example
(kubernetes.io, "Network Policies" concept page and the NetworkPolicy API reference,
read 2026-11-27), from the API server's validation code
(``pkg/apis/networking/validation/validation.go``), or from the purpose column of
``data/k8s/connections.csv``, written before the policies were evaluated.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ingress_egress.k8s import Cluster, ManifestError, load_manifests
from ingress_egress.k8s.networkpolicy import (
    IPBlock,
    LabelSelector,
    PortSpec,
    Requirement,
    defaulted_policy_types,
    parse_network_policy,
    validate_network_policy,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "k8s"


def ns(name: str, **labels: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": labels},
    }


def pod(
    namespace: str, name: str, ports: list[tuple[str, int, str]] = (), **labels: str
) -> dict:
    containers = [
        {
            "name": "c",
            "image": "x",
            "ports": [
                {"name": n, "containerPort": p, "protocol": proto}
                for n, p, proto in ports
            ],
        }
    ]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"containers": containers},
    }


def netpol(yaml_text: str) -> list[dict]:
    return list(load_manifests(yaml_text))


# --------------------------------------------------------------------------------------
# (a) The documentation's examples
# --------------------------------------------------------------------------------------

TEST_NETWORK_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
"""


@pytest.fixture
def docs_cluster() -> Cluster:
    objects = [
        ns("default"),
        ns("myproject-ns", project="myproject"),
        ns("other-ns", project="other"),
        pod("default", "db", [("redis", 6379, "TCP")], role="db"),
        pod("default", "frontend", role="frontend"),
        pod("default", "batch", role="batch"),
        pod("myproject-ns", "anything", role="whatever"),
        pod("other-ns", "frontend", role="frontend"),
    ]
    return Cluster(objects + netpol(TEST_NETWORK_POLICY))


def test_docs_example_ingress(docs_cluster):
    # "allows connections to all pods in the default namespace with the label role=db on
    # TCP port 6379 from:
    #  any pod in the default namespace with the label role=frontend; any pod in a
    #  namespace with the label project=myproject; IP addresses in the ranges
    #  172.17.0.0–172.17.0.255 and 172.17.2.0–172.17.255.255"
    c = docs_cluster
    assert c.allows("default/frontend", "default/db", 6379)
    assert c.allows("myproject-ns/anything", "default/db", 6379)
    assert not c.allows(
        "other-ns/frontend", "default/db", 6379
    )  # role=frontend, but not in default
    assert not c.allows("default/batch", "default/db", 6379)
    assert not c.allows("default/frontend", "default/db", 6380)  # only TCP 6379
    assert not c.allows("default/frontend", "default/db", 6379, "UDP")
    for address, allowed in [
        ("172.17.0.0", True),
        ("172.17.0.255", True),
        ("172.17.1.0", False),
        ("172.17.1.255", False),
        ("172.17.2.0", True),
        ("172.17.255.255", True),
        ("172.16.255.255", False),
        ("172.18.0.0", False),
    ]:
        assert c.allows(address, "default/db", 6379) is allowed, address
    # pods the policy does not select are not isolated
    assert c.allows("other-ns/frontend", "default/batch", 6379)


def test_docs_example_egress(docs_cluster):
    # "allows connections from any pod in the default namespace with the label role=db
    # to CIDR 10.0.0.0/24
    #  on TCP port 5978"; the pod is isolated for egress, so nothing else leaves it
    c = docs_cluster
    assert c.allows("default/db", "10.0.0.1", 5978)
    assert c.allows("default/db", "10.0.0.255", 5978)
    assert not c.allows("default/db", "10.0.1.0", 5978)
    assert not c.allows("default/db", "10.0.0.1", 5979)
    assert not c.allows(
        "default/db", "default/frontend", 6379
    )  # pods here live in 10.244.0.0/16
    assert c.allows(
        "default/frontend", "10.0.1.0", 443
    )  # frontend is not isolated for egress


@pytest.fixture
def alice_bob() -> list[dict]:
    return [
        ns("default"),
        ns("alice-ns", user="alice"),
        ns("bob-ns", user="bob"),
        pod("default", "server", role="server"),
        pod("default", "client", role="client"),
        pod("default", "other", role="other"),
        pod("alice-ns", "client", role="client"),
        pod("alice-ns", "other", role="other"),
        pod("bob-ns", "client", role="client"),
    ]


AND_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: and-policy, namespace: default}
spec:
  podSelector: {matchLabels: {role: server}}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          user: alice
      podSelector:
        matchLabels:
          role: client
"""

OR_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: or-policy, namespace: default}
spec:
  podSelector: {matchLabels: {role: server}}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          user: alice
    - podSelector:
        matchLabels:
          role: client
"""


def allowed_sources(cluster: Cluster, dst: str, port: int = 80) -> list[str]:
    return [p for p in cluster.pod_names if p != dst and cluster.allows(p, dst, port)]


def test_docs_and_versus_or(alice_bob):
    # one element with both selectors: "Pods with the label role=client in namespaces
    # with the label user=alice"
    assert allowed_sources(
        Cluster(alice_bob + netpol(AND_POLICY)), "default/server"
    ) == ["alice-ns/client"]
    # two elements: "Pods in the local Namespace with the label role=client, or from any
    # Pod in any namespace with the label user=alice"
    assert allowed_sources(
        Cluster(alice_bob + netpol(OR_POLICY)), "default/server"
    ) == ["alice-ns/client", "alice-ns/other", "default/client"]


DEFAULTS = {
    "default-deny-ingress": "spec: {podSelector: {}, policyTypes: [Ingress]}",
    "allow-all-ingress": "spec: {podSelector: {}, ingress: [{}], "
    "policyTypes: [Ingress]}",
    "default-deny-egress": "spec: {podSelector: {}, policyTypes: [Egress]}",
    "allow-all-egress": "spec: {podSelector: {}, egress: [{}], policyTypes: [Egress]}",
    "default-deny-all": "spec: {podSelector: {}, policyTypes: [Ingress, Egress]}",
}


def default_policy(name: str, namespace: str = "team") -> list[dict]:
    text = (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata: {{name: {name}, namespace: {namespace}}}\n"
    )
    return netpol(text + DEFAULTS[name])


@pytest.fixture
def two_namespaces() -> list[dict]:
    return [
        ns("team"),
        ns("other"),
        pod("team", "a", app="a"),
        pod("team", "b", app="b"),
        pod("other", "c", app="c"),
    ]


def others(matrix: pd.DataFrame) -> pd.DataFrame:
    """The matrix with each pod's cell to itself blanked (False): "a pod cannot block
    access to itself" (concept page, read 2026-12-02), so those cells say nothing about
    the policies under test."""
    out = matrix.copy()
    for ref in out.index.intersection(out.columns):
        out.loc[ref, ref] = False
    return out


def test_docs_default_policies(two_namespaces):
    base = two_namespaces
    # deny ingress: nothing reaches team pods; "does not change the default egress
    # isolation behavior"
    m = Cluster(base + default_policy("default-deny-ingress")).reachability(80)
    assert not others(m).loc[:, ["team/a", "team/b"]].to_numpy().any()
    assert m.loc[["team/a", "team/b"], "other/c"].all()
    # allow all ingress, even next to a deny: "allows all traffic ... even if policies
    # are added that cause some pods to be treated as isolated"
    m = Cluster(
        base
        + default_policy("default-deny-ingress")
        + default_policy("allow-all-ingress")
    ).reachability(80)
    assert m.to_numpy().all()
    # deny egress: nothing leaves team pods, ingress unchanged
    m = Cluster(base + default_policy("default-deny-egress")).reachability(80)
    assert not others(m).loc[["team/a", "team/b"], :].to_numpy().any()
    assert m.loc["other/c", :].all()
    assert Cluster(base + default_policy("default-deny-egress")).allows(
        "other/c", "team/a", 80
    )
    m = Cluster(
        base
        + default_policy("default-deny-egress")
        + default_policy("allow-all-egress")
    ).reachability(80)
    assert m.to_numpy().all()
    # deny all: neither in nor out, and nothing to the outside either
    c = Cluster(base + default_policy("default-deny-all"))
    m = c.reachability(80)
    team = ["team/a", "team/b"]
    assert (
        not others(m).loc[team, :].to_numpy().any()
        and not others(m).loc[:, team].to_numpy().any()
    )
    assert m.loc["other/c", "other/c"]
    assert (
        m.loc["team/a", "team/a"] and m.loc["team/b", "team/b"]
    )  # fenced both ways, yet open to itself
    assert not c.allows("team/a", "198.51.100.1", 443) and not c.allows(
        "198.51.100.1", "team/a", 443
    )
    assert c.allows("other/c", "198.51.100.1", 443)


def test_docs_end_port_example():
    # multi-port-egress: role=db pods may reach 10.0.0.0/24 over TCP "provided the
    # target port is between the range 32000 and 32768" (inclusive)
    policy = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: multi-port-egress
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Egress
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 32000
          endPort: 32768
""")
    c = Cluster([pod("default", "db", role="db")] + policy)
    assert [
        c.allows("default/db", "10.0.0.9", p)
        for p in (31999, 32000, 32400, 32768, 32769)
    ] == [False, True, True, True, False]
    assert not c.allows("default/db", "10.0.0.9", 32000, "UDP")


def test_policy_types_default():
    # "If no policyTypes are specified ... Ingress will always be set and Egress will be
    # set if the NetworkPolicy has any egress rules": an egress-only policy without
    # policyTypes isolates ingress too
    objects = [pod("default", "a", app="a"), pod("default", "b", app="b")]
    egress_only = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-rules-only}
spec:
  podSelector: {matchLabels: {app: a}}
  egress: [{to: [{podSelector: {matchLabels: {app: b}}}]}]
""")
    c = Cluster(objects + egress_only)
    assert sorted(c.policies[0].policy_types) == ["Egress", "Ingress"]
    assert not c.allows(
        "default/b", "default/a", 80
    )  # isolated for ingress with no ingress rules
    assert c.allows("default/a", "default/b", 80)
    # policyTypes given explicitly as [Egress]: the ingress rules don't count and a is
    # not isolated for ingress
    explicit = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress-only-typed}
spec:
  podSelector: {matchLabels: {app: a}}
  policyTypes: [Egress]
  ingress: [{from: [{podSelector: {matchLabels: {app: nobody}}}]}]
  egress: [{}]
""")
    assert Cluster(objects + explicit).allows("default/b", "default/a", 80)
    # an ingress list that is empty and a missing one are the same: deny all ingress to
    # selected pods
    empty = netpol(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: e}\n"
        "spec: {podSelector: {}, ingress: []}"
    )
    assert not Cluster(objects + empty).allows("default/a", "default/b", 80)


# --------------------------------------------------------------------------------------
# Defaulting and "absent versus empty", rule by rule, against the API's own Go source
# (kubernetes/ kubernetes, read 2026-12-02): pkg/apis/networking/v1/defaults.go
# (SetDefaults_NetworkPolicy, SetDefaults_NetworkPolicyPort),
# pkg/apis/networking/validation/validation.go and the field comments of
# staging/src/k8s.io/api/networking/v1/types.go. Each expected value is read off that
# source.
# --------------------------------------------------------------------------------------


def typed_policy(spec: dict | None, name: str = "p", namespace: str = "team") -> dict:
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
    }
    if spec is not None:
        policy["spec"] = spec
    return policy


# SetDefaults_NetworkPolicy:
#     if len(obj.Spec.PolicyTypes) == 0 {
#         obj.Spec.PolicyTypes = []PolicyType{PolicyTypeIngress} if len(obj.Spec.Egress)
#         != 0 { obj.Spec.PolicyTypes = append(..., PolicyTypeEgress) }
#     }
POLICY_TYPES_DEFAULTING = [
    ({"podSelector": {}}, ["Ingress"]),
    ({"podSelector": {}, "egress": []}, ["Ingress"]),  # len(egress) == 0: no Egress
    ({"podSelector": {}, "egress": None}, ["Ingress"]),
    (
        {"podSelector": {}, "egress": [{}]},
        ["Ingress", "Egress"],
    ),  # one rule, even an empty one
    (
        {"podSelector": {}, "egress": [None]},
        ["Ingress", "Egress"],
    ),  # "- " in YAML: a rule
    (
        {"podSelector": {}, "policyTypes": []},
        ["Ingress"],
    ),  # len 0: defaulted like absent
    ({"podSelector": {}, "policyTypes": None, "egress": [{}]}, ["Ingress", "Egress"]),
    ({"podSelector": {}, "policyTypes": [], "egress": [{}]}, ["Ingress", "Egress"]),
    (
        {"podSelector": {}, "policyTypes": ["Egress"]},
        ["Egress"],
    ),  # non-empty: kept as written
    ({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]}, ["Egress"]),
]


@pytest.mark.parametrize("spec, types", POLICY_TYPES_DEFAULTING)
def test_policy_types_defaulting_is_set_defaults_network_policy(spec, types):
    assert defaulted_policy_types(spec) == types
    assert sorted(parse_network_policy(typed_policy(spec)).policy_types) == sorted(
        types
    )


def test_an_empty_egress_list_without_policy_types_denies_no_egress(two_namespaces):
    # The misconception notebook 10 teaches: `egress: []` looks like "no egress
    # allowed", but with no policyTypes the default is [Ingress] only (len(egress) ==
    # 0), so the pods stay open for egress and are isolated for ingress instead.
    looks_like_deny_egress = typed_policy({"podSelector": {}, "egress": []})
    c = Cluster(two_namespaces + [looks_like_deny_egress])
    assert c.allows("team/a", "other/c", 80) and c.allows("team/a", "203.0.113.9", 443)
    assert not c.allows("other/c", "team/a", 80)
    # Written with policyTypes: [Egress], the same empty list does deny every egress
    # connection.
    deny_egress = typed_policy(
        {"podSelector": {}, "policyTypes": ["Egress"], "egress": []}
    )
    c = Cluster(two_namespaces + [deny_egress])
    assert not c.allows("team/a", "other/c", 80) and not c.allows(
        "team/a", "203.0.113.9", 443
    )
    assert c.allows("other/c", "team/a", 80)


@pytest.mark.parametrize(
    "spec",
    [
        None,
        {},
        {"policyTypes": ["Ingress"]},
        {"podSelector": None, "policyTypes": ["Ingress"]},
    ],
)
def test_absent_pod_selector_selects_every_pod_of_the_namespace(two_namespaces, spec):
    # types.go, NetworkPolicySpec.PodSelector: "This field is optional. If it is not
    # specified, it defaults to an empty selector." (a struct, not a pointer; kubernetes
    # PR #131354 made the comment say so). `spec` itself is optional too: with every
    # field defaulted, a policy without a spec selects every pod of its namespace with
    # policyTypes [Ingress]: a default deny for ingress.
    policy = typed_policy(spec)
    assert validate_network_policy(policy) == []
    c = Cluster(two_namespaces + [policy])
    assert c.selected_pods("team/p") == ["team/a", "team/b"]
    assert not c.allows("other/c", "team/a", 80) and c.allows("team/a", "other/c", 80)


def rule_cluster(two_namespaces: list[dict], rule: dict | None) -> Cluster:
    """team/a isolated for ingress by one policy holding just this ingress rule."""
    return Cluster(
        two_namespaces
        + [
            typed_policy(
                {
                    "podSelector": {"matchLabels": {"app": "a"}},
                    "policyTypes": ["Ingress"],
                    "ingress": [rule],
                }
            )
        ]
    )


@pytest.mark.parametrize(
    "rule",
    [
        {},
        None,
        {"ports": []},
        {"ports": None},
        {"from": []},
        {"from": None},
        {"from": [], "ports": []},
    ],
)
def test_ports_and_peers_absent_or_empty_match_everything(two_namespaces, rule):
    # types.go, NetworkPolicyIngressRule: ports "If this field is empty or missing, this
    # rule matches all ports"; from "If this field is empty or missing, this rule
    # matches all sources".
    c = rule_cluster(two_namespaces, rule)
    for src in ("team/b", "other/c", "198.51.100.7"):
        for port, protocol in ((80, "TCP"), (5432, "TCP"), (53, "UDP"), (9, "SCTP")):
            assert c.allows(src, "team/a", port, protocol), (src, port, protocol)


def test_an_empty_peer_is_refused_not_read_as_everyone():
    # validation.go, ValidateNetworkPolicyPeer: numPeers == 0 -> field.Required(...,
    # "must specify a peer")
    errors = validate_network_policy(
        typed_policy({"podSelector": {}, "egress": [{"to": [{}]}]})
    )
    assert [str(e) for e in errors] == [
        "spec.egress[0].to[0]: Required value: must specify a peer"
    ]


@pytest.mark.parametrize(
    "peer, sources",
    [
        # types.go, NetworkPolicyPeer.podSelector: "if present but empty, it selects all
        # pods ... Otherwise [without namespaceSelector] it selects the pods matching
        # podSelector in the policy's own namespace"
        ({"podSelector": {}}, {"team/b"}),
        # namespaceSelector: "if present but empty, it selects all namespaces ...
        # Otherwise [without podSelector] it selects all pods in the namespaces selected
        # by namespaceSelector"
        ({"namespaceSelector": {}}, {"team/b", "other/c"}),
        ({"namespaceSelector": {}, "podSelector": {}}, {"team/b", "other/c"}),
        (
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "other"}
                }
            },
            {"other/c"},
        ),
        # selectors select pods only: no outside address is matched by any of them
    ],
)
def test_empty_selectors_in_a_peer(two_namespaces, peer, sources):
    c = rule_cluster(two_namespaces, {"from": [peer]})
    allowed = {
        s for s in ("team/b", "other/c", "198.51.100.7") if c.allows(s, "team/a", 80)
    }
    assert allowed == sources


@pytest.mark.parametrize("excepts", [None, []])
def test_ip_block_except_absent_or_empty_excepts_nothing(two_namespaces, excepts):
    # types.go, IPBlock.except: "a slice of CIDRs that should not be included"; none
    # listed, none removed
    block = {"cidr": "198.51.100.0/24"} | (
        {} if excepts is None else {"except": excepts}
    )
    c = rule_cluster(two_namespaces, {"from": [{"ipBlock": block}]})
    assert c.allows("198.51.100.1", "team/a", 80) and c.allows(
        "198.51.100.254", "team/a", 80
    )
    assert not c.allows("198.51.101.1", "team/a", 80)


def test_protocol_defaults_to_tcp_and_port_absent_means_every_port(two_namespaces):
    # SetDefaults_NetworkPolicyPort: "Default any undefined Protocol fields to TCP";
    # types.go, port: "If this field is not provided, this matches all port names and
    # numbers."
    policy = parse_network_policy(
        typed_policy({"podSelector": {}, "ingress": [{"ports": [{"port": 53}]}]})
    )
    assert policy.ingress[0].ports[0].protocol == "TCP"
    c = rule_cluster(two_namespaces, {"ports": [{"port": 53}]})
    assert c.allows("other/c", "team/a", 53, "TCP") and not c.allows(
        "other/c", "team/a", 53, "UDP"
    )
    c = rule_cluster(two_namespaces, {"ports": [{"protocol": "UDP"}]})
    assert all(c.allows("other/c", "team/a", port, "UDP") for port in (1, 53, 65535))
    assert not c.allows("other/c", "team/a", 53, "TCP")


# --------------------------------------------------------------------------------------
# A pod cannot block traffic to itself: concept page, "Other pods that are allowed
# (exception: a pod cannot block access to itself)", read 2026-12-02. The e2e suite
# agrees (reachability.go, AllowLoopback: "loopback logic follows no policy").
# --------------------------------------------------------------------------------------


def test_a_pod_cannot_block_traffic_to_itself(two_namespaces):
    deny_all = typed_policy({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})
    c = Cluster(two_namespaces + [deny_all])
    assert c.allows("team/a", "team/a", 80) and c.allows("team/a", "team/a", 53, "UDP")
    a_ip = c.pod("team/a").ips[0]
    assert c.allows(a_ip, "team/a", 80) and c.allows(
        "team/a", a_ip, 80
    )  # by its own address too
    assert not c.allows("team/a", "team/b", 80)  # and nobody else
    matrix = c.reachability(8080)
    assert [bool(matrix.loc[p, p]) for p in c.pod_names] == [True, True, True]
    assert (
        int(matrix.to_numpy().sum()) == 3
    )  # the diagonal only: other/c meets the team's ingress fence
    why = c.explain("team/a", "team/a", 80)
    assert why.allowed and why.egress.isolated and why.ingress.isolated
    assert "cannot block traffic to itself" in why.ingress.reason
    assert "cannot block traffic to itself" in str(why)


def test_namespace_by_name_label_and_empty_namespace_selector():
    objects = [
        ns("prod"),
        ns("dev"),
        pod("prod", "api", app="api"),
        pod("dev", "tool", app="tool"),
        pod("prod", "web", app="web"),
    ]
    by_name = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-dev, namespace: prod}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{namespaceSelector: {matchLabels:
      {kubernetes.io/metadata.name: dev}}}]}]
""")
    c = Cluster(objects + by_name)
    assert c.namespaces["dev"]["kubernetes.io/metadata.name"] == "dev"
    assert c.allows("dev/tool", "prod/api", 80) and not c.allows(
        "prod/web", "prod/api", 80
    )
    every = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-all-namespaces, namespace: prod}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress: [{from: [{namespaceSelector: {}}]}]
""")
    c = Cluster(objects + every)
    assert c.allows("dev/tool", "prod/api", 80) and c.allows("prod/web", "prod/api", 80)
    assert not c.allows(
        "192.0.2.1", "prod/api", 80
    )  # selectors select pods, never outside addresses


def test_selector_expressions_semantics():
    # NotIn and DoesNotExist also match objects that do not have the key at all
    labels = [{"env": "prod"}, {"env": "dev"}, {}]
    assert [Requirement("env", "NotIn", ("prod",)).matches(x) for x in labels] == [
        False,
        True,
        True,
    ]
    assert [Requirement("env", "In", ("prod", "dev")).matches(x) for x in labels] == [
        True,
        True,
        False,
    ]
    assert [Requirement("env", "Exists").matches(x) for x in labels] == [
        True,
        True,
        False,
    ]
    assert [Requirement("env", "DoesNotExist").matches(x) for x in labels] == [
        False,
        False,
        True,
    ]
    assert LabelSelector().matches({}) and LabelSelector().matches({"a": "b"})
    # the vectorised path agrees on the same cases
    objects = [pod("default", f"p{i}", **x) for i, x in enumerate(labels)]
    for operator, values in [
        ("NotIn", ["prod"]),
        ("In", ["prod", "dev"]),
        ("Exists", None),
        ("DoesNotExist", None),
    ]:
        expression = {
            "key": "env",
            "operator": operator,
            **({"values": values} if values else {}),
        }
        policy = {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "p"},
            "spec": {
                "podSelector": {},
                "ingress": [
                    {"from": [{"podSelector": {"matchExpressions": [expression]}}]}
                ],
            },
        }
        c = Cluster(objects + [policy])
        req = Requirement("env", operator, tuple(values or ()))
        want = [req.matches(x) for x in labels]
        want[0] = True  # p0 to itself: a pod cannot block access to itself
        assert c.reachability(80).loc[:, "default/p0"].tolist() == want
        assert [c.allows(f"default/p{i}", "default/p0", 80) for i in range(3)] == want


def test_named_ports_resolve_on_the_destination():
    # "metrics" is 9090 on one pod and 9153 on another: an egress rule naming it follows
    # each destination
    objects = [
        pod("default", "scraper", app="scraper"),
        pod("default", "app", [("metrics", 9090, "TCP")], app="app"),
        pod(
            "default", "dns", [("metrics", 9153, "TCP"), ("dns", 53, "UDP")], app="dns"
        ),
        pod("default", "plain", app="plain"),
    ]
    policy = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: scrape}
spec:
  podSelector: {matchLabels: {app: scraper}}
  policyTypes: [Egress]
  egress: [{ports: [{port: metrics}]}]
""")
    c = Cluster(objects + policy)
    assert c.allows("default/scraper", "default/app", 9090) and not c.allows(
        "default/scraper", "default/app", 9153
    )
    assert c.allows("default/scraper", "default/dns", 9153) and not c.allows(
        "default/scraper", "default/dns", 9090
    )
    assert not c.allows(
        "default/scraper", "default/plain", 9090
    )  # no port of that name there
    assert not c.allows(
        "default/scraper", "198.51.100.7", 9090
    )  # a name means nothing outside the cluster
    assert not c.allows(
        "default/scraper", "default/app", 9090, "UDP"
    )  # the name is TCP on that pod
    text = str(c.explain("default/scraper", "default/plain", 9090))
    assert "default/plain has no port named 'metrics'" in text


def test_union_of_policies_and_rules():
    objects = [
        pod("default", "db", app="db"),
        pod("default", "api", app="api"),
        pod("default", "ops", app="ops"),
    ]
    one = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-api}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: 5432}]}]
""")
    two = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-ops}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: ops}}}]}]
""")
    c = Cluster(objects + one)
    assert c.allows("default/api", "default/db", 5432) and not c.allows(
        "default/ops", "default/db", 5432
    )
    c = Cluster(objects + one + two)
    assert c.allows("default/api", "default/db", 5432) and c.allows(
        "default/ops", "default/db", 22
    )
    assert not c.allows("default/api", "default/db", 22)
    explanation = c.explain("default/ops", "default/db", 22)
    assert explanation.ingress.policies == (
        "default/db-from-api",
        "default/db-from-ops",
    )
    assert [check.where for check in explanation.ingress.checks if check.allowed] == [
        "default/db-from-ops ingress[0]"
    ]


def test_ip_block_semantics_and_pod_addresses():
    block = IPBlock.parse("10.0.0.0/8", ["10.1.0.0/16", "10.2.3.0/24"])
    assert [
        block.contains(a)
        for a in (
            "10.0.0.1",
            "10.1.2.3",
            "10.2.3.4",
            "10.2.4.1",
            "11.0.0.1",
            "2001:db8::1",
        )
    ] == [True, False, False, True, False, False]
    v6 = IPBlock.parse("2001:db8::/32", ["2001:db8:1::/48"])
    assert (
        v6.contains("2001:db8:2::1")
        and not v6.contains("2001:db8:1::1")
        and not v6.contains("10.0.0.1")
    )
    # a pod's address given as src is that pod; an ipBlock covering pod addresses
    # matches the pods
    objects = [pod("default", "a", app="a"), pod("default", "b", app="b")]
    objects[1]["status"] = {"podIP": "10.9.0.2"}
    objects[0]["status"] = {"podIPs": [{"ip": "10.9.0.1"}, {"ip": "fd00::1"}]}
    policy = netpol("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-v6}
spec:
  podSelector: {matchLabels: {app: b}}
  ingress: [{from: [{ipBlock: {cidr: "fd00::/64"}}]}]
""")
    c = Cluster(objects + policy)
    assert c.pod("10.9.0.1").ref == "default/a" and c.pod("fd00::1").ref == "default/a"
    assert c.allows("default/a", "default/b", 80) and c.allows(
        "fd00::1", "default/b", 80
    )
    assert c.allows("fd00::99", "default/b", 80) and not c.allows(
        "fd01::1", "default/b", 80
    )
    assert c.reachability(80).loc["default/a", "default/b"]
    with pytest.raises(ValueError, match="both addresses are outside the cluster"):
        c.allows("192.0.2.1", "198.51.100.1", 80)


def test_port_spec_matching():
    assert PortSpec("UDP", None).matches(5353, "UDP", {}) and not PortSpec(
        "UDP", None
    ).matches(5353, "TCP", {})
    assert PortSpec("SCTP", 80).matches(80, "SCTP", {}) and not PortSpec(
        "SCTP", 80
    ).matches(80, "TCP", {})


def test_explain_structure_and_text(docs_cluster):
    e = docs_cluster.explain("default/batch", "default/db", 6379)
    assert not e.allowed and e.egress.allowed and not e.ingress.allowed
    data = e.to_dict()
    assert data["ingress"]["policies"] == ["default/test-network-policy"]
    assert (
        data["ingress"]["checks"][0]["rule"] == "default/test-network-policy ingress[0]"
    )
    text = str(e)
    assert text.splitlines()[0] == "default/batch -> default/db on 6379/TCP: DENIED"
    assert (
        "source default/batch matches none of from[0] "
        "ipBlock 172.17.0.0/16 except 172.17.1.0/24" in text
    )
    ok = docs_cluster.explain("default/frontend", "default/db", 6379)
    assert (
        ok.allowed
        and ok.ingress.reason == "allowed by default/test-network-policy ingress[0]"
    )
    assert (
        "from[2] podSelector {role=frontend}; ports[0] 6379/TCP"
        in ok.ingress.checks[0].reason
    )
    outside = docs_cluster.explain("172.17.0.9", "default/db", 6379)
    assert not outside.egress.in_cluster and outside.allowed


def test_reachability_with_outside_addresses(docs_cluster):
    m = docs_cluster.reachability(6379, externals=["172.17.0.9", "10.0.0.5"])
    assert str(m.dtypes.iloc[0]) == "boolean"
    assert m.loc["172.17.0.9", "default/db"] and not m.loc["10.0.0.5", "default/db"]
    assert pd.isna(m.loc["172.17.0.9", "10.0.0.5"])
    assert not m.loc[
        "default/db", "10.0.0.5"
    ]  # db's egress allows 10.0.0.0/24 on 5978 only
    assert docs_cluster.reachability(5978, externals=["10.0.0.5"]).loc[
        "default/db", "10.0.0.5"
    ]


def test_query_arguments_are_checked(docs_cluster):
    with pytest.raises(ValueError, match="port"):
        docs_cluster.allows("default/db", "default/batch", 0)
    with pytest.raises(ValueError, match="protocol"):
        docs_cluster.allows("default/db", "default/batch", 80, "ICMP")
    with pytest.raises(KeyError, match="did you mean default/db"):
        docs_cluster.allows("default/dbb", "default/batch", 80)
    assert docs_cluster.allows(
        "default/db", "default/batch", 80, "udp"
    ) == docs_cluster.allows("default/db", "default/batch", 80, "UDP")


def random_cluster(seed: int) -> list[dict]:
    """A small random cluster mixing every kind of selector, peer and port."""
    rng = np.random.default_rng(seed)

    def pick(options: list):
        return options[int(rng.integers(len(options)))]

    names = ["n0", "n1", "n2"]
    objects = [ns(n, env=str(rng.choice(["prod", "dev"]))) for n in names]
    for i in range(24):
        labels = {"app": str(rng.choice(["a", "b", "c"]))}
        if rng.random() < 0.5:
            labels["tier"] = str(rng.choice(["x", "y"]))
        objects.append(
            pod(
                names[i % 3],
                f"p{i}",
                [("web", int(rng.choice([80, 8080])), "TCP"), ("dns", 53, "UDP")],
                **labels,
            )
        )

    def selector():
        return pick(
            [
                {},
                {"matchLabels": {"app": str(rng.choice(["a", "b", "c"]))}},
                {
                    "matchExpressions": [
                        {
                            "key": "tier",
                            "operator": str(rng.choice(["NotIn", "In"])),
                            "values": ["x"],
                        }
                    ]
                },
                {
                    "matchExpressions": [
                        {
                            "key": "tier",
                            "operator": str(rng.choice(["Exists", "DoesNotExist"])),
                        }
                    ]
                },
            ]
        )

    def peer():
        kind = rng.integers(0, 4)
        if kind == 0:
            return {"podSelector": selector()}
        if kind == 1:
            return {
                "namespaceSelector": {
                    "matchLabels": {"env": str(rng.choice(["prod", "dev"]))}
                }
            }
        if kind == 2:
            return {"namespaceSelector": {}, "podSelector": selector()}
        return {"ipBlock": {"cidr": "10.244.0.0/27", "except": ["10.244.0.8/29"]}}

    def ports():
        return pick(
            [
                [],
                [{"port": 80}],
                [{"port": "web"}],
                [{"protocol": "UDP"}],
                [{"port": 8000, "endPort": 8100}],
                [{"port": "dns", "protocol": "UDP"}],
            ]
        )

    for k in range(10):
        spec = {"podSelector": selector()}
        if rng.random() < 0.5:
            spec["egress"] = [
                {"to": [peer() for _ in range(rng.integers(0, 3))], "ports": ports()}
                for _ in range(rng.integers(0, 3))
            ]
        if rng.random() < 0.7:
            spec["ingress"] = [
                {"from": [peer() for _ in range(rng.integers(0, 3))], "ports": ports()}
                for _ in range(rng.integers(0, 3))
            ]
        if rng.random() < 0.3:
            spec["policyTypes"] = pick([["Ingress"], ["Egress"], ["Ingress", "Egress"]])
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"np{k}", "namespace": names[k % 3]},
                "spec": spec,
            }
        )
    return objects


@pytest.mark.parametrize("seed", range(6))
def test_matrix_agrees_with_pair_by_pair_evaluation(seed):
    # two implementations of the same rules (numpy matrices, and the per-pair walk
    # behind explain) must agree on every cell, for several ports and protocols
    c = Cluster(random_cluster(seed))
    for port, protocol in [
        (80, "TCP"),
        (8080, "TCP"),
        (8050, "TCP"),
        (53, "UDP"),
        (80, "SCTP"),
    ]:
        m = c.reachability(port, protocol)
        for s in c.pod_names:
            for d in c.pod_names:
                assert c.allows(s, d, port, protocol) == bool(m.loc[s, d]), (
                    s,
                    d,
                    port,
                    protocol,
                )


# --------------------------------------------------------------------------------------
# (b) Validation: the API server's errors, with the object and the field path
# --------------------------------------------------------------------------------------


def bad_policy(spec_yaml: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: "
        "NetworkPolicy\nmetadata: {name: bad, namespace: shop}\n" + spec_yaml
    )


INVALID = [
    (
        "spec: {podSelector: {}, ingress: [{from: [{podSelector: "
        "{}}, {ipBlock: {cidr: 10.0.0.0/33}}]}]}",
        'spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a '
        "valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
    ),
    (
        "spec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: 10.0.0.5/8}}]}]}",
        'spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.5/8": '
        "must not have bits set beyond the prefix length",
    ),
    (
        "spec: {podSelector: {}, egress: [{to: [{ipBlock: {cidr: not-a-cidr}}]}]}",
        "spec.egress[0].to[0].ipBlock.cidr: Invalid value: "
        '"not-a-cidr": must be a valid CIDR value',
    ),
    (
        "spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: "
        "172.17.0.0/16, except: [172.18.1.0/24]}}]}]}",
        "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "
        '"172.18.1.0/24": must be a strict subset of `cidr`',
    ),
    (
        "spec: {podSelector: {}, ingress: [{from: [{ipBlock: {cidr: "
        "172.17.0.0/16, except: [172.17.0.0/16]}}]}]}",
        "spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "
        '"172.17.0.0/16": must be a strict subset of `cidr`',
    ),
    (
        "spec: {podSelector: {}, ingress: [{from: "
        "[{ipBlock: {except: [10.0.0.0/24]}}]}]}",
        "spec.ingress[0].from[0].ipBlock.cidr: Required value",
    ),
    (
        "spec: {podSelector: {}, egress: [{ports: [{port: 32000, endPort: 31000}]}]}",
        "spec.egress[0].ports[0].endPort: Invalid value: 31000: "
        "must be greater than or equal to `port`",
    ),
    (
        "spec: {podSelector: {}, egress: [{ports: [{port: http, endPort: 9000}]}]}",
        "spec.egress[0].ports[0].endPort: Invalid value: 9000: may "
        "not be specified when `port` is non-numeric",
    ),
    (
        "spec: {podSelector: {}, egress: [{ports: [{protocol: TCP, endPort: 9000}]}]}",
        "spec.egress[0].ports[0].endPort: Invalid value: 9000: may "
        "not be specified when `port` is not specified",
    ),
    (
        "spec: {podSelector: {}, ingress: [{ports: [{protocol: ICMP, port: 8}]}]}",
        "spec.ingress[0].ports[0].protocol: Unsupported value: "
        '"ICMP": supported values: "TCP", "UDP", "SCTP"',
    ),
    (
        "spec: {podSelector: {}, ingress: [{ports: [{protocol: tcp, port: 80}]}]}",
        "spec.ingress[0].ports[0].protocol: Unsupported value: "
        '"tcp": supported values: "TCP", "UDP", "SCTP"',
    ),
    (
        "spec: {podSelector: {}, ingress: [{ports: [{port: 70000}]}]}",
        "spec.ingress[0].ports[0].port: Invalid value: 70000: "
        "must be between 1 and 65535, inclusive",
    ),
    (
        'spec: {podSelector: {}, ingress: [{ports: [{port: "80"}]}]}',
        'spec.ingress[0].ports[0].port: Invalid value: "80": '
        "must contain at least one letter (a-z)",
    ),
    (
        "spec: {podSelector: {}, ingress: [{ports: [{port: http_alt}]}]}",
        'spec.ingress[0].ports[0].port: Invalid value: "http_alt": '
        "must contain only alpha-numeric characters",
    ),
    (
        "spec: {podSelector: {}, ingress: [{from: [{}]}]}",
        "spec.ingress[0].from[0]: Required value: must specify a peer",
    ),
    (
        "spec: {podSelector: {}, ingress: [{from: [{ipBlock: "
        "{cidr: 10.0.0.0/8}, podSelector: {}}]}]}",
        "spec.ingress[0].from[0]: Forbidden: may not "
        "specify both ipBlock and another peer",
    ),
    (
        "spec: {podSelector: {}, policyTypes: [Ingres]}",
        'spec.policyTypes[0]: Unsupported value: "Ingres": '
        'supported values: "Ingress", "Egress"',
    ),
    (
        "spec: {podSelector: {matchExpressions: [{key: "
        "app, operator: Equals, values: [a]}]}}",
        "spec.podSelector.matchExpressions[0].operator: Invalid "
        'value: "Equals": not a valid selector operator',
    ),
    (
        "spec: {podSelector: {matchExpressions: [{key: app, operator: In}]}}",
        "spec.podSelector.matchExpressions[0].values: Required value: "
        "must be specified when `operator` is 'In' or 'NotIn'",
    ),
    (
        "spec: {podSelector: {matchExpressions: [{key: "
        "app, operator: Exists, values: [a]}]}}",
        "spec.podSelector.matchExpressions[0].values: Forbidden: may not be specified "
        "when `operator` is 'Exists' or 'DoesNotExist'",
    ),
    (
        "spec: {podSelector: {matchLabels: {canary: true}}}",
        "spec.podSelector.matchLabels.canary: Invalid value: true: must be a string",
    ),
    (
        "spec: {podSelector: {}, ingress: [{form: [{podSelector: {}}]}]}",
        "spec.ingress[0].form: Invalid value: unknown field; "
        'expected "from" or "ports"',
    ),
]


@pytest.mark.parametrize(
    "spec, message",
    INVALID,
    ids=[m.split(":")[0] + f"-{i}" for i, (_, m) in enumerate(INVALID)],
)
def test_invalid_policy_errors(spec, message):
    with pytest.raises(ManifestError) as caught:
        Cluster(load_manifests(bad_policy(spec)))
    text = str(caught.value)
    assert text.startswith("<text 1>, document 1: NetworkPolicy shop/bad: "), text
    assert message in text, text
    assert caught.value.field == message.split(":")[0]


def test_every_error_is_reported_and_the_file_is_named(tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n"
        + bad_policy(
            "spec: {podSelector: {}, ingress: [{ports: [{protocol: ICMP, "
            "port: 80, endPort: 79}]}], policyTypes: [In]}"
        )
    )
    with pytest.raises(ManifestError) as caught:
        Cluster(load_manifests(path))
    error = caught.value
    assert str(error).startswith(
        f"{path}, document 2: NetworkPolicy shop/bad: spec.ingress[0].ports[0].protocol"
    )
    assert [e.field for e in error.errors] == [
        "spec.ingress[0].ports[0].protocol",
        "spec.ingress[0].ports[0].endPort",
        "spec.policyTypes[0]",
    ]


def test_wrong_api_version_is_rejected():
    text = bad_policy("spec: {podSelector: {}}").replace(
        "networking.k8s.io/v1", "extensions/v1beta1"
    )
    with pytest.raises(
        ManifestError, match='apiVersion: Unsupported value: "extensions/v1beta1"'
    ):
        Cluster(load_manifests(text))


def test_validation_accepts_the_documented_examples():
    for text in (TEST_NETWORK_POLICY, AND_POLICY, OR_POLICY):
        assert validate_network_policy(netpol(text)[0]) == []


# --------------------------------------------------------------------------------------
# The shop's policies do what the manifests' comments and connections.csv say
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shop() -> Cluster:
    return Cluster(load_manifests(DATA))


def test_shop_connections_match_their_purpose(shop):
    connections = pd.read_csv(DATA / "connections.csv")
    assert len(connections) >= 15
    for row in connections.itertuples():
        intended = not row.purpose.startswith("should never happen")
        assert (
            shop.allows(row.source, row.destination, int(row.port), row.protocol)
            is intended
        ), row.purpose


def test_shop_dns_gotcha(shop):
    objects = [
        o
        for o in load_manifests(DATA)
        if not (
            o["kind"] == "NetworkPolicy" and o["metadata"]["name"] == "allow-dns-egress"
        )
    ]
    without_dns = Cluster(objects)
    for protocol in ("UDP", "TCP"):
        assert shop.allows("shop/frontend", "kube-system/coredns", 53, protocol)
        assert not without_dns.allows(
            "shop/frontend", "kube-system/coredns", 53, protocol
        )
    # DNS is allowed to kube-dns only, not to any resolver outside
    assert not shop.allows("shop/api", "192.0.2.53", 53, "UDP")


def test_shop_payment_provider_range(shop):
    # 203.0.113.0/28 is 203.0.113.0-203.0.113.15
    assert shop.allows("payments/payments", "203.0.113.15", 443)
    assert not shop.allows("payments/payments", "203.0.113.16", 443)
    assert not shop.allows("payments/payments", "203.0.113.10", 80)
    assert not shop.allows("shop/api", "203.0.113.10", 443)


def test_shop_everything_else_is_closed(shop):
    # count by hand from policies.yaml: in shop and payments, pod-to-pod TCP 8080 is
    # allowed for exactly controller->frontend, controller->api, frontend->api and
    # api->payments (shop/db and shop/cache listen elsewhere); pods outside shop and
    # payments are not isolated towards each other
    m = shop.reachability(8080)
    fenced = [p for p in shop.pod_names if p.split("/")[0] in ("shop", "payments")]
    allowed = sorted(
        (s, d) for s in shop.pod_names for d in fenced if s != d and m.loc[s, d]
    )
    assert allowed == [
        ("ingress-nginx/ingress-nginx-controller", "shop/api"),
        ("ingress-nginx/ingress-nginx-controller", "shop/frontend"),
        ("shop/api", "payments/payments"),
        ("shop/frontend", "shop/api"),
    ]


# --------------------------------------------------------------------------------------
# The pictures: what they draw is what the model says
# --------------------------------------------------------------------------------------


def test_ingress_routes_of_the_shop(shop):
    from ingress_egress.k8s.picture import ingress_routes

    routes = {
        (r["host"], r["path"]): (r["service"], r["endpoints"])
        for r in ingress_routes(shop)
    }
    # from data/k8s/ingress.yaml: 5 paths and the default backend
    assert routes[("shop.example.com", "/api")] == ("shop/api", [("shop/api", 8080)])
    assert routes[("*", "(default)")] == ("shop/frontend", [("shop/frontend", 8080)])
    assert len(routes) == 6
