"""Benchmark: routing 10,000 requests through 1,000 HTTPRoutes of 10 rules each (the
Gateway API router).

Run: ``.venv/bin/python benchmarks/bench_gateway.py [ROUTES] [REQUESTS]``. The objects
are generated with a seeded numpy Generator (same every run): one Gateway with an HTTP
listener that takes routes from all namespaces, 20 namespaces, 100 host names (plus a
share of wildcard routes and routes without hostnames), and rules that mix Exact and
PathPrefix paths, header, query parameter and method matches, weighted and
cross-namespace backends (with ReferenceGrants), redirects and rewrites. It prints the
time to validate and build the model, the time to route the requests after that (the
aim: under 1 s for 10,000), the answers by status, and the peak Python memory
(tracemalloc); then it checks a sample of answers against a linear scan of every
attached rule, which does not use the router's indexes.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np

from ingress_egress.k8s import GatewayRouter
from ingress_egress.k8s.gateway import _candidate_key, _matches_rest, hostname_matches
from ingress_egress.k8s.ingress import path_matches

GROUP = "gateway.networking.k8s.io"
WORDS = [
    "api",
    "cart",
    "orders",
    "v1",
    "v2",
    "static",
    "img",
    "search",
    "users",
    "admin",
    "health",
    "docs",
]


def generate(
    routes: int = 1000,
    rules: int = 10,
    hosts: int = 100,
    namespaces: int = 20,
    seed: int = 11,
) -> list[dict]:
    """The Kubernetes objects of a synthetic cluster."""
    rng = np.random.default_rng(seed)
    ns_names = [f"team-{i:02d}" for i in range(namespaces)]
    host_names = [f"h{i:03d}.example.com" for i in range(hosts)]
    objects: list[dict] = [
        {
            "apiVersion": f"{GROUP}/v1",
            "kind": "GatewayClass",
            "metadata": {"name": "bench"},
            "spec": {"controllerName": "example.net/bench"},
        },
        {
            "apiVersion": f"{GROUP}/v1",
            "kind": "Gateway",
            "metadata": {"name": "gw", "namespace": "edge"},
            "spec": {
                "gatewayClassName": "bench",
                "listeners": [
                    {
                        "name": "http",
                        "port": 80,
                        "protocol": "HTTP",
                        "allowedRoutes": {"namespaces": {"from": "All"}},
                    }
                ],
            },
        },
    ]
    for ns in ns_names:
        objects.append(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        )
        for svc in ("web", "api", "canary"):
            objects.append(
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": svc, "namespace": ns},
                    "spec": {"ports": [{"port": 8080}]},
                }
            )
        objects.append(
            {
                "apiVersion": f"{GROUP}/v1beta1",
                "kind": "ReferenceGrant",
                "metadata": {"name": "from-all", "namespace": ns},
                "spec": {
                    "from": [
                        {"group": GROUP, "kind": "HTTPRoute", "namespace": other}
                        for other in ns_names[:16]
                    ],
                    "to": [{"group": "", "kind": "Service", "name": "api"}],
                },
            }
        )
    for r in range(routes):
        ns = ns_names[r % namespaces]
        roll = rng.random()
        hostnames = (
            [host_names[int(rng.integers(hosts))]]
            if roll < 0.8
            else [f"*.z{int(rng.integers(10))}.example.com"]
            if roll < 0.9
            else []
        )
        route_rules = []
        for i in range(rules):
            depth = int(rng.integers(1, 4))
            value = (
                "/" + "/".join(str(w) for w in rng.choice(WORDS, depth)) + f"/r{r}-{i}"
            )
            match: dict = {
                "path": {
                    "type": "Exact" if rng.random() < 0.3 else "PathPrefix",
                    "value": value,
                }
            }
            if rng.random() < 0.2:
                match["headers"] = [
                    {"name": "x-tier", "value": str(rng.choice(["gold", "silver"]))}
                ]
            if rng.random() < 0.1:
                match["queryParams"] = [
                    {"name": "lang", "value": str(rng.choice(["en", "de"]))}
                ]
            if rng.random() < 0.2:
                match["method"] = str(rng.choice(["GET", "POST"]))
            rule: dict = {"matches": [match]}
            kind = rng.random()
            if kind < 0.05:
                rule["filters"] = [
                    {"type": "RequestRedirect", "requestRedirect": {"scheme": "https"}}
                ]
            else:
                rule["backendRefs"] = (
                    [
                        {"name": "web", "port": 8080, "weight": 90},
                        {"name": "canary", "port": 8080, "weight": 10},
                    ]
                    if kind < 0.3
                    else [
                        {
                            "name": "api",
                            "namespace": ns_names[int(rng.integers(namespaces))],
                            "port": 8080,
                        }
                    ]
                )
                if kind > 0.9 and match["path"]["type"] == "PathPrefix":
                    rule["filters"] = [
                        {
                            "type": "URLRewrite",
                            "urlRewrite": {
                                "path": {
                                    "type": "ReplacePrefixMatch",
                                    "replacePrefixMatch": "/",
                                }
                            },
                        }
                    ]
            route_rules.append(rule)
        spec: dict = {
            "parentRefs": [{"name": "gw", "namespace": "edge"}],
            "rules": route_rules,
        }
        if hostnames:
            spec["hostnames"] = hostnames
        objects.append(
            {
                "apiVersion": f"{GROUP}/v1",
                "kind": "HTTPRoute",
                "metadata": {"name": f"r{r:04d}", "namespace": ns},
                "spec": spec,
            }
        )
    return objects


def requests(objects: list[dict], count: int, seed: int = 12) -> list[dict]:
    """Requests aimed at the generated routes: a rule's path (sometimes longer,
    sometimes with a query) on a host the route serves, one time in ten an unknown host;
    random methods and headers."""
    rng = np.random.default_rng(seed)
    routes = [o["spec"] for o in objects if o["kind"] == "HTTPRoute"]
    out = []
    for _ in range(count):
        spec = routes[int(rng.integers(len(routes)))]
        hostname = (spec.get("hostnames") or ["any.example.com"])[0]
        host = (
            hostname.replace("*", "a.b")
            if rng.random() < 0.9
            else "unknown.example.org"
        )
        path = spec["rules"][int(rng.integers(len(spec["rules"])))]["matches"][0][
            "path"
        ]["value"]
        if rng.random() < 0.3:
            path += "/more"
        if rng.random() < 0.2:
            path += "?lang=" + str(rng.choice(["en", "de", "fr"]))
        out.append(
            {
                "host": host,
                "path": path,
                "method": str(rng.choice(["GET", "GET", "POST"])),
                "headers": {"X-Tier": str(rng.choice(["gold", "silver", "bronze"]))},
            }
        )
    return out


def linear_scan(router: GatewayRouter, request: dict) -> tuple[str | None, str | None]:
    """(route, rule) the precedence rules pick, by checking every match of every
    attached route.
    """
    from ingress_egress.k8s.gateway import _parse_request

    path, params, _ = _parse_request(request["path"], None)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    best = None
    for attachment in router._attachments:
        if not attachment.accepted:
            continue
        route = router._routes[attachment.route]
        for hostname in route.hostnames or (None,):
            if not hostname_matches(hostname, request["host"]):
                continue
            for rule in route.rules:
                for match in rule.matches:
                    if match.path_type == "Exact" and path != match.path_value:
                        continue
                    if match.path_type == "PathPrefix" and not path_matches(
                        "Prefix", match.path_value, path
                    ):
                        continue
                    if not _matches_rest(match, request["method"], headers, params):
                        continue
                    key = _candidate_key(route, rule, match, hostname)
                    if best is None or key < best[0]:
                        best = (
                            key,
                            route.ref,
                            f"spec.rules[{rule.index}].matches[{match.index}]",
                        )
    return (None, None) if best is None else (best[1], best[2])


def main(routes: int = 1000, count: int = 10_000) -> None:
    objects = generate(routes)
    todo = requests(objects, count)
    start = time.perf_counter()
    router = GatewayRouter(objects)
    built = time.perf_counter() - start
    start = time.perf_counter()
    answers = [router.route(**r) for r in todo]
    routed = time.perf_counter() - start
    # measured in a second pass: tracing slows Python down several times
    tracemalloc.start()
    GatewayRouter(objects)
    for r in todo:
        router.route(**r)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rules = sum(len(o["spec"]["rules"]) for o in objects if o["kind"] == "HTTPRoute")
    statuses: dict[int, int] = {}
    for a in answers:
        statuses[a.status] = statuses.get(a.status, 0) + 1
    print(
        f"model: {routes:,} HTTPRoutes, {rules:,} rules, {len(objects):,} objects; "
        f"validated and built in {built:.2f} s"
    )
    print(
        f"routed {count:,} requests in {routed:.3f} s "
        f"({routed / count * 1e6:.1f} us each; aim: under 1 s)"
    )
    print(
        "answers by status: "
        + ", ".join(f"{s}: {n:,}" for s, n in sorted(statuses.items()))
    )
    print(f"peak Python memory (tracemalloc, second pass): {peak / 1e6:.1f} MB")
    sample = todo[:: max(1, count // 300)]
    wrong = [
        r
        for r in sample
        if linear_scan(router, r) != (router.route(**r).route, router.route(**r).rule)
    ]
    print(
        f"checked {len(sample)} answers against a linear scan of "
        f"every attached rule: {len(wrong)} differ"
    )
    if wrong:
        raise SystemExit(f"the index and the linear scan disagree, e.g. {wrong[0]}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
