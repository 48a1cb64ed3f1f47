"""The evaluation days and the detection scores: ground truth kept, frames as TCP makes
them, counts by hand.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress import detection
from ingress_egress import packets as pk
from ingress_egress.datagen import egress_days as days
from ingress_egress.egress_monitor import AllowEntry

ROOT = Path(__file__).resolve().parent.parent
ALLOWLIST = [
    AllowEntry("192.0.2.53/32", 53, "udp"),
    AllowEntry("*.example.com", 443, "tcp"),
    AllowEntry("*.example.net", 443, "tcp"),
    AllowEntry("*.example.org", 443, "tcp"),
    AllowEntry("legacy.example.org", 80, "tcp"),
    AllowEntry("updates.example.net", 80, "tcp"),
    AllowEntry("backup.example.org", 22, "tcp"),
]
OFFICE = "192.168.10.0/24"


def test_the_plan():
    assert days.EVALUATION == tuple(range(1, 12))
    leaks = days.planted()
    assert len(leaks) == 15 and sorted({leak.day for leak in leaks}) == [
        7,
        8,
        9,
        10,
        11,
    ]
    for number in range(7, 12):
        mine = days.leaks_of(number)
        assert [leak.kind for leak in mine] == list(days.LEAK_KINDS)
        assert len({leak.host for leak in mine}) == 3 and "192.168.10.23" not in {
            leak.host for leak in mine
        }
    tunnels = [leak for leak in leaks if leak.kind == "dns-tunnel"]
    # rate (queries/s) x 4 h x 100 bytes a query
    assert [t.payload_bytes for t in tunnels] == [
        round(r * 4 * 3600 * 100) for r in days.TUNNEL_RATES
    ]
    assert days.leaks_of(days.CONTROL_DAY) == ()


def test_the_committed_ground_truth_is_the_plan():
    table = pd.read_csv(ROOT / "data" / "egress-days" / "leaks.csv")
    leaks = table[table["role"] == "leaks"]
    assert len(leaks) == 15 and set(
        table.loc[table["role"] == "history", "day"]
    ) == set(days.HISTORY)
    expected = {
        (leak.day, leak.kind, leak.host, leak.payload_bytes) for leak in days.planted()
    }
    assert (
        set(zip(leaks["day"], leaks["kind"], leaks["host"], leaks["payload_bytes"]))
        == expected
    )


def test_a_day_is_the_same_every_time():
    a, b = days.day(3), days.day(3)
    pd.testing.assert_frame_equal(a.packets, b.packets)
    pd.testing.assert_frame_equal(a.queries, b.queries)


def test_a_connection_has_the_frames_tcp_connection_gives():
    """The day's row builder against the frame builder: same frames, flags and lengths
    on the wire.
    """
    rows = days._Rows(np.random.default_rng(0))
    rows.tcp(0, "192.168.10.11", "192.0.2.10", 443, 150_000, 5_000, rtt_ms=20, idle_s=1)
    table = rows.frame()
    ours = sorted(
        zip(
            table["src"] == "192.168.10.11",
            table["tcp_flags"].tolist(),
            table["length"].tolist(),
        )
    )
    c = pk.TcpConnection(
        pk.Endpoint("192.168.10.11", 50000, 1),
        pk.Endpoint("192.0.2.10", 443, 2),
        client_delay_ns=0,
        server_delay_ns=10_000_000,
    )
    t = c.open(0)
    t = c.send(True, t, extra=150_000)
    t = c.send(False, t, extra=5_000)
    c.close(True, t + 1_000_000_000)
    frames = sorted(
        (
            s.from_client,
            s.packet[33],
            max(14 + s.length, 60) if s.from_client else 14 + s.length,
        )
        for s in c.segments
    )
    assert ours == frames


def test_planted_leaks_are_in_the_days_packets():
    d = days.day(9)
    p = d.packets
    raw, cloud, tunnel = d.leaks
    stream = p[
        (p["src"] == raw.host)
        & (p["dst"] == raw.destination)
        & (p["dport"] == raw.port)
    ]
    data = stream["length"] > 66  # not the SYN (options) nor padded ACKs
    assert int((stream.loc[data, "length"] - 54).sum()) == raw.payload_bytes
    assert raw.destination not in set(d.answers["address"])
    assert (stream["time"].min() - raw.start) < pd.Timedelta(seconds=1)
    upload = p[(p["src"] == cloud.host) & (p["dst"] == cloud.destination)]
    assert (
        int((upload.loc[upload["length"] > 66, "length"] - 54).sum())
        >= cloud.payload_bytes
    )
    asked = d.queries[
        (d.queries["client"] == tunnel.host)
        & d.queries["name"].str.endswith(".t.example.org")
    ]
    assert (
        len(asked) == tunnel.payload_bytes // 100
        and asked["name"].is_unique
        and (asked["qtype"] == "TXT").all()
    )


def test_every_connection_of_a_clean_day_follows_a_fresh_answer():
    d = days.day(days.CONTROL_DAY)
    p, answers = d.packets, d.answers
    syns = p[(p["tcp_flags"] == 0x02) & p["src"].str.startswith("192.168.10.")]
    named = answers.groupby(["client", "address"])["time"].apply(list).to_dict()
    late = [
        (s, t)
        for s, dst, t in zip(syns["src"], syns["dst"], syns["time"])
        if not any(
            pd.Timedelta(0) <= t - a < pd.Timedelta(seconds=300)
            for a in named.get((s, dst), [])
        )
    ]
    assert late == []
    public = {a for a in set(p["dst"]) if not ipaddress.ip_address(a).is_private}
    assert all(
        ipaddress.ip_address(a) in ipaddress.ip_network("192.0.2.0/24")
        or ipaddress.ip_address(a) in ipaddress.ip_network("203.0.113.0/24")
        for a in public
    )


def test_counts_precision_recall_by_hand():
    truth = pd.Series([True, True, False, False, False])
    flagged = pd.Series([True, False, True, False, False])
    assert detection.counts(flagged, truth) == {
        "tp": 1,
        "fp": 1,
        "fn": 1,
        "tn": 2,
        "precision": 0.5,
        "recall": 0.5,
    }
    nothing = detection.counts(pd.Series([False] * 5), truth)
    assert np.isnan(nothing["precision"]) and nothing["recall"] == 0.0


def test_precision_recall_table_by_hand():
    indicators = {name: [False] * 4 for name in detection.INDICATORS}
    indicators["not_allowed"] = [True, False, False, False]
    indicators["random_names"] = [False, True, True, False]
    scores = pd.DataFrame(
        {
            "day": [7, 7, 7, 8],
            "host": ["a", "b", "c", "a"],
            **indicators,
            "score": [5, 1, 0, 4],
            "leaked": [True, True, False, False],
            "kind": ["raw-tcp", "dns-tunnel", "", ""],
        }
    )
    table = detection.precision_recall(scores, threshold=5)
    assert table.loc["not_allowed", ["tp", "fp", "fn", "tn"]].tolist() == [1, 0, 1, 2]
    assert (
        table.loc["random_names", "precision"] == 0.5
        and table.loc["random_names", "recall"] == 0.5
    )
    assert (
        table.loc["score >= 5 (04)", "recall raw-tcp"] == 1.0
        and table.loc["score >= 5 (04)", "recall dns-tunnel"] == 0.0
    )
    assert table.loc["04 or any new", ["tp", "fp"]].tolist() == [2, 1]
    assert detection.calibrate(scores[scores["day"] == 8]) == 5


def test_score_days_marks_the_leaking_hosts():
    scored = detection.score_days(
        [days.day(1), days.day(7)],
        OFFICE,
        ALLOWLIST,
        hosts=days.HOSTS,
        history_days=[1],
    )
    assert len(scored) == 2 * len(days.HOSTS)
    seven = scored[scored["day"] == 7]
    truth = {leak.host: leak.kind for leak in days.leaks_of(7)}
    assert (
        dict(
            zip(seven.loc[seven["leaked"], "host"], seven.loc[seven["leaked"], "kind"])
        )
        == truth
    )
    raw_host = next(h for h, k in truth.items() if k == "raw-tcp")
    assert seven.set_index("host").loc[
        raw_host, ["no_dns", "not_allowed"]
    ].tolist() == [True, True]
    assert not scored.loc[scored["day"] == 1, "leaked"].any()
