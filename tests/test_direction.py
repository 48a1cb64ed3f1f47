"""Direction classes checked row by row against the standard library's ipaddress
module.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pandas as pd
import pytest

from ingress_egress.captures import read_capture, write_pcap
from ingress_egress.direction import DIRECTIONS, classify, is_inside, summarize

INSIDE = ["10.0.0.0/8", "fd00::/8", "192.0.2.7"]
NETWORKS = [ipaddress.ip_network(n) for n in INSIDE]


def reference(src, dst) -> list:
    """The class of one packet as the definition says it, one address at a time."""

    def inside(text):
        if not isinstance(text, str) or not text:
            return None
        address = ipaddress.ip_address(text.split("%", 1)[0])
        return any(address in net for net in NETWORKS if net.version == address.version)

    s, d = inside(src), inside(dst)
    if s is None or d is None:
        return pd.NA
    return {
        (False, True): "ingress",
        (True, False): "egress",
        (True, True): "internal",
        (False, False): "external",
    }[(s, d)]


def addresses(seed: int, n: int) -> list:
    """Addresses of every kind: IPv4, IPv6 with and without a scope id, IPv4-mapped,
    edges of the inside networks, empty and missing; the same text both as one shared
    object and as separate equal objects (the reader shares one object per address, a
    user's frame may not)."""
    rng = np.random.default_rng(seed)
    pool = [
        "10.0.0.0",
        "10.255.255.255",
        "11.0.0.0",
        "9.255.255.255",
        "192.0.2.7",
        "192.0.2.8",
        "198.51.100.1",
        "fd00::1",
        "fdff:ffff::ffff",
        "fe00::1",
        "fc00::1",
        "2001:db8::1",
        "fe80::1%eth0",
        "::ffff:10.0.0.1",
        "::",
        "",
        None,
        np.nan,
    ]
    out = []
    for i in rng.integers(0, len(pool), n).tolist():
        text = pool[i]
        if isinstance(text, str) and rng.random() < 0.5:
            text = "".join(list(text))  # an equal string that is another object
        out.append(text)
    return out


@pytest.mark.parametrize("dtype", ["str", object, "string", "category"])
def test_classify_agrees_with_ipaddress_row_by_row(dtype):
    src, dst = addresses(1, 3000), addresses(2, 3000)
    packets = pd.DataFrame(
        {"src": pd.Series(src, dtype=dtype), "dst": pd.Series(dst, dtype=dtype)}
    )
    expected = [reference(s, d) for s, d in zip(src, dst)]
    got = classify(packets, INSIDE).tolist()
    assert got == expected
    assert set(x for x in expected if x is not pd.NA) == set(
        DIRECTIONS
    )  # every class occurs
    flags = is_inside(packets["src"], INSIDE).tolist()
    assert flags == [
        pd.NA
        if not isinstance(s, str) or not s
        else any(
            ipaddress.ip_address(s.split("%")[0]) in net
            for net in NETWORKS
            if net.version == ipaddress.ip_address(s.split("%")[0]).version
        )
        for s in src
    ]


def test_classify_of_a_read_capture_shares_address_objects_and_agrees(tmp_path):
    # the reader's columns hold one string object per distinct address: classify groups
    # rows by object first; the answer must be the one the definition gives
    rng = np.random.default_rng(3)
    frames = []
    for i in range(2000):
        a = (10 << 24) + int(rng.integers(0, 50))
        b = (198 << 24) + (51 << 16) + (100 << 8) + int(rng.integers(0, 50))
        s, d = (a, b) if rng.random() < 0.5 else (b, a)
        ip = bytes.fromhex("4500001c00004000401100000000000000000000")
        ip = ip[:12] + s.to_bytes(4, "big") + d.to_bytes(4, "big")
        frames.append((i, bytes(12) + b"\x08\x00" + ip + bytes(8)))
    df = read_capture(write_pcap(tmp_path / "x.pcap", frames))
    expected = [reference(s, d) for s, d in zip(df["src"], df["dst"])]
    assert classify(df, INSIDE).tolist() == expected
    summary = summarize(df, INSIDE)
    assert summary["egress"]["packets"] == expected.count("egress") > 900
    assert summary["ingress"]["packets"] == expected.count("ingress") > 900


@pytest.mark.parametrize("table_span", [0.0, 1e12])
def test_rows_grouped_by_object_give_the_groups_of_their_values(table_span):
    # _distinct groups rows by object identity, through a table indexed by address
    # (objects close in memory) or by hashing the addresses (objects far apart);
    # either way rows get the same code exactly when their values are equal
    from ingress_egress.direction import _distinct

    src, dst = addresses(4, 2000), addresses(5, 1000)
    arrays = [np.array(src, dtype=object), np.array(dst, dtype=object)]
    codes, uniques = _distinct(arrays, table_span=table_span)
    values = src + dst
    assert len(codes) == len(values)
    missing = [not isinstance(v, str) for v in values]
    assert [c == -1 for c in codes] == missing
    texts = [v for v in values if isinstance(v, str)]
    assert sorted(uniques.tolist()) == sorted(set(texts))
    assert [uniques[c] for c, m in zip(codes, missing) if not m] == texts


@pytest.mark.parametrize(
    "bad", ["10.0.0", "10.0.0.1%eth0", "banana", "2001:db8::g", "1.2.3.4.5"]
)
def test_an_address_that_is_not_one_is_named(bad):
    packets = pd.DataFrame({"src": ["10.0.0.1"] * 3 + [bad], "dst": ["192.0.2.1"] * 4})
    with pytest.raises(
        ValueError, match="does not appear to be an IPv4 or IPv6 address"
    ) as info:
        classify(packets, "10.0.0.0/8")
    assert repr(bad) in str(info.value)


def test_categorical_pieces_list_their_addresses_in_numeric_order(tmp_path):
    from ingress_egress.captures import iter_capture

    def frame(src: str, dst: str) -> bytes:
        a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
        if a.version == 4:
            ip = bytes.fromhex("4500001c000040004011 0000") + a.packed + b.packed
            return bytes(12) + b"\x08\x00" + ip + bytes(8)
        ip = bytes.fromhex("6000000000081140") + a.packed + b.packed
        return bytes(12) + b"\x86\xdd" + ip + bytes(8)

    pairs = [
        ("10.0.0.10", "192.0.2.1"),
        ("2001:db8::2", "2001:db8::10"),
        ("10.0.0.9", "9.0.0.1"),
        ("2001:db8::10", "::1"),
        ("9.0.0.1", "10.0.0.9"),
    ]
    path = write_pcap(
        tmp_path / "mixed.pcap",
        [(i, frame(*p)) for i, p in enumerate(pairs)]
        + [(9, bytes(12) + b"\x08\x06" + bytes(28))],
    )  # ARP: no address
    piece = next(iter_capture(path, addresses="category"))
    texts = {t for pair in pairs for t in pair}
    expected = (
        [""]
        + sorted((t for t in texts if ":" not in t), key=ipaddress.ip_address)
        + sorted((t for t in texts if ":" in t), key=ipaddress.ip_address)
    )
    assert piece["src"].cat.categories.tolist() == expected
    assert piece["src"].astype(str).tolist() == [p[0] for p in pairs] + [""]
    assert piece["dst"].astype(str).tolist() == [p[1] for p in pairs] + [""]
