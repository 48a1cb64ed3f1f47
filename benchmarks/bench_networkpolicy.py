"""Benchmark: the reachability matrix of a generated cluster (1,000 pods under 200
NetworkPolicies).

Run: ``.venv/bin/python benchmarks/bench_networkpolicy.py [PODS] [POLICIES]``. The
cluster is generated with a seeded numpy Generator (same cluster every run): 20
namespaces, Deployments with 5 label keys, and a mix of policies like real ones (default
deny, podSelector and namespaceSelector peers, both together, matchExpressions, ipBlock
with except, numeric, ranged and named ports, egress rules). It prints the time to build
the model, to compute the first matrix (which includes the per-policy precomputation)
and further matrices, and the peak Python memory (tracemalloc), then checks a sample of
cells against the pair-by-pair evaluator that ``Cluster.explain`` uses.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np

from ingress_egress.k8s import Cluster

APPS = [
    "web",
    "api",
    "db",
    "cache",
    "worker",
    "queue",
    "search",
    "auth",
    "billing",
    "report",
]
TIERS = ["frontend", "backend", "data"]
ENVS = ["prod", "stage", "dev"]


def generate(
    pods: int = 1000, policies: int = 200, namespaces: int = 20, seed: int = 7
) -> list[dict]:
    """Kubernetes objects for a synthetic cluster: Namespaces, Deployments and
    NetworkPolicies.
    """
    rng = np.random.default_rng(seed)
    objects: list[dict] = []
    ns_names = [f"team-{i:02d}" for i in range(namespaces)]
    for name in ns_names:
        objects.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "labels": {"env": str(rng.choice(ENVS)), "team": name},
                },
            }
        )
    for i in range(pods):
        ns = ns_names[i % namespaces]
        labels = {
            "app": str(rng.choice(APPS)),
            "tier": str(rng.choice(TIERS)),
            "id": f"p{i}",
        }
        if rng.random() < 0.5:
            labels["canary"] = "true"
        port = int(rng.choice([80, 443, 5432, 6379, 8080]))
        ports = [
            {"name": "http", "containerPort": port},
            {"name": "metrics", "containerPort": 9090},
        ]
        objects.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"d{i:04d}", "namespace": ns},
                "spec": {
                    "selector": {"matchLabels": {"id": f"p{i}"}},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "containers": [{"name": "c", "image": "x", "ports": ports}]
                        },
                    },
                },
            }
        )

    def selector() -> dict:
        roll = rng.random()
        if roll < 0.2:
            return {}
        if roll < 0.7:
            return {"matchLabels": {"app": str(rng.choice(APPS))}}
        return {
            "matchExpressions": [
                {
                    "key": "tier",
                    "operator": str(rng.choice(["In", "NotIn"])),
                    "values": [str(v) for v in rng.choice(TIERS, 2, replace=False)],
                }
            ]
        }

    def peer() -> dict:
        roll = rng.random()
        if roll < 0.35:
            return {"podSelector": selector()}
        if roll < 0.6:
            return {
                "namespaceSelector": {"matchLabels": {"env": str(rng.choice(ENVS))}}
            }
        if roll < 0.85:
            return {
                "namespaceSelector": {
                    "matchLabels": {"team": str(rng.choice(ns_names))}
                },
                "podSelector": selector(),
            }
        return {
            "ipBlock": {
                "cidr": "10.244.0.0/16",
                "except": [f"10.244.{int(rng.integers(0, 4))}.0/24"],
            }
        }

    def ports() -> list[dict]:
        roll = rng.random()
        if roll < 0.25:
            return []
        if roll < 0.5:
            return [{"port": int(rng.choice([80, 443, 5432, 8080]))}]
        if roll < 0.75:
            return [{"protocol": "TCP", "port": 8000, "endPort": 8999}]
        return [{"port": str(rng.choice(["http", "metrics"]))}]

    for k in range(policies):
        ns = ns_names[k % namespaces]
        spec: dict = {"podSelector": selector()}
        if k % 10 == 0:
            spec["policyTypes"] = ["Ingress", "Egress"]
            spec["egress"] = [
                {"to": [peer()], "ports": ports()}
                for _ in range(int(rng.integers(1, 3)))
            ]
        spec["ingress"] = [
            {"from": [peer() for _ in range(int(rng.integers(1, 3)))], "ports": ports()}
            for _ in range(int(rng.integers(0, 3)))
        ]
        objects.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": f"np{k:03d}", "namespace": ns},
                "spec": spec,
            }
        )
    return objects


def main() -> None:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    policies = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    objects = generate(pods, policies)
    tracemalloc.start()
    t0 = time.perf_counter()
    cluster = Cluster(objects)
    t1 = time.perf_counter()
    first = cluster.reachability(8080)
    t2 = time.perf_counter()
    again = [cluster.reachability(port) for port in (80, 443, 5432)]
    t3 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"cluster: {len(cluster.pods)} pods, {len(cluster.policies)} "
        f"policies, {len(cluster.namespaces)} namespaces"
    )
    print(f"build model:                  {t1 - t0:6.3f} s")
    print(
        f"first matrix (8080/TCP):      {t2 - t1:6.3f} s  "
        "(includes precomputing selections)"
    )
    print(f"next matrices (per port):     {(t3 - t2) / len(again):6.3f} s")
    print(f"peak traced memory:           {peak / 2**20:6.1f} MiB")
    print(
        f"allowed cells at 8080/TCP:    {int(first.to_numpy().sum())} of {first.size}"
    )
    rng = np.random.default_rng(1)
    names = cluster.pod_names
    sample = [
        (names[i], names[j]) for i, j in rng.integers(0, len(names), size=(300, 2))
    ]
    t4 = time.perf_counter()
    mismatches = sum(
        cluster.allows(s, d, 8080) != bool(first.loc[s, d]) for s, d in sample
    )
    t5 = time.perf_counter()
    print(
        f"pair-by-pair check:           {len(sample)} cells, {mismatches} mismatches, "
        f"{(t5 - t4) / len(sample) * 1000:.2f} ms per explain"
    )
    if mismatches:
        raise SystemExit("the matrix and the pair-by-pair evaluator disagree")


if __name__ == "__main__":
    main()
