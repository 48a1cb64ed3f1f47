"""Benchmark: network cost per namespace for 10 million flow records of the shop
cluster.

Run: ``.venv/bin/python benchmarks/bench_k8s_cost.py [RECORDS] [INTERNET_ADDRESSES]``.
The records are drawn with a seeded numpy Generator from the addresses of
``data/k8s/cluster-state`` (15 pods, 6 nodes), the three NAT gateways, a peered region
and ``INTERNET_ADDRESSES`` addresses in the documentation ranges; ``src`` and ``dst``
are categorical columns, as ``read_flow_logs`` gives them. It prints the time to
allocate (``network_cost_by_namespace``, with ``node_ports`` off and on) and the peak
Python memory of the allocation (tracemalloc), then checks that the bytes add up: every
allocated flow counted once, a crossing between zones twice, the rest unallocated.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress.datagen import flowlogs as plan
from ingress_egress.k8s import load_manifests
from ingress_egress.k8s.cost import address_book, network_cost_by_namespace

STATE = Path(__file__).resolve().parents[1] / "data" / "k8s" / "cluster-state"


def flows(n: int, internet: int, seed: int = 7) -> pd.DataFrame:
    """``n`` random flow records: 60 % between cluster addresses, the rest to or from
    outside.
    """
    rng = np.random.default_rng(seed)
    inside = list(address_book(load_manifests(STATE)).index)
    nats = [nat.address for nat in plan.cluster()[1]]
    outside = (
        nats
        + ["10.1.20.15"]
        + [
            f"{block}.{i % 254 + 1}"
            for i, block in zip(
                range(internet), ["192.0.2", "198.51.100", "203.0.113"] * internet
            )
        ]
    )
    outside = list(dict.fromkeys(outside))
    categories = inside + outside
    pick_inside = rng.random(n) < 0.8
    src = np.where(
        pick_inside,
        rng.integers(0, len(inside), n),
        rng.integers(len(inside), len(categories), n),
    )
    pick_inside = rng.random(n) < 0.75
    dst = np.where(
        pick_inside,
        rng.integers(0, len(inside), n),
        rng.integers(len(inside), len(categories), n),
    )
    return pd.DataFrame(
        {
            "src": pd.Categorical.from_codes(src, categories),
            "dst": pd.Categorical.from_codes(dst, categories),
            "sport": rng.integers(1024, 65536, n).astype(np.int32),
            "dport": rng.choice([443, 8080, 5432, 6379, 31443], n).astype(np.int32),
            "bytes": rng.integers(40, 50_000_000, n),
        }
    )


def main(n: int = 10_000_000, internet: int = 762) -> None:
    t0 = time.perf_counter()
    table = flows(n, internet)
    objects = load_manifests(STATE)
    nat = {nat.address: nat.zone for nat in plan.cluster()[1]}
    print(
        f"{n:,} records generated in {time.perf_counter() - t0:.1f} s "
        f"({table['src'].cat.categories.size:,} distinct addresses, "
        f"{table.memory_usage().sum() / 1e6:,.0f} MB)"
    )
    for node_ports in (False, True):
        tracemalloc.start()
        t0 = time.perf_counter()
        result = network_cost_by_namespace(
            table,
            objects,
            nat_gateways=nat,
            other_regions=["10.1.0.0/16"],
            node_ports=node_ports,
        )
        elapsed = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"node_ports={node_ports!s:5}: allocated in {elapsed:.2f} "
            f"s ({n / elapsed / 1e6:.1f} M records/s), "
            f"peak {peak / 1e6:,.0f} MB, {len(result)} rows, "
            f"{result['usd'].sum():,.2f} USD"
        )
    book = address_book(objects)
    codes = {a: i for i, a in enumerate(table["src"].cat.categories)}
    in_cluster = np.zeros(len(codes), dtype=bool)
    in_cluster[[codes[a] for a in book.index]] = True
    s, d = in_cluster[table["src"].cat.codes], in_cluster[table["dst"].cat.codes]
    zone = np.full(len(codes), "", dtype=object)
    for address, z in book["zone"].items():
        zone[codes[address]] = z
    crossing = s & d & (zone[table["src"].cat.codes] != zone[table["dst"].cat.codes])
    nat_codes = [codes[a] for a in nat]
    nat_zone = {codes[a]: z for a, z in nat.items()}
    to_nat = (s & np.isin(table["dst"].cat.codes, nat_codes)) | (
        d & np.isin(table["src"].cat.codes, nat_codes)
    )
    pod_zone = np.where(s, zone[table["src"].cat.codes], zone[table["dst"].cat.codes])
    other = np.where(s, table["dst"].cat.codes, table["src"].cat.codes)
    nat_crossing = to_nat & (
        pod_zone != np.array([nat_zone.get(c, "") for c in other], dtype=object)
    )
    volume = table["bytes"].to_numpy()
    expected = (
        volume[s | d].sum() + volume[crossing].sum() + 2 * volume[nat_crossing].sum()
    )
    assert int(result["bytes"].sum()) == int(expected), (
        int(result["bytes"].sum()),
        int(expected),
    )
    assert result.attrs["unallocated_bytes"] == int(volume[~s & ~d].sum())
    print(
        "check: allocated bytes add up (each flow once, each "
        "zone crossing twice, NAT crossings x 3)"
    )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
