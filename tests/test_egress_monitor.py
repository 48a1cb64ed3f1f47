"""Tests for ingress_egress.egress_monitor, on packet tables whose answers are known by
construction.
"""

from __future__ import annotations

import math
import struct

import numpy as np
import pandas as pd
import pytest

from ingress_egress import packets as pk
from ingress_egress.captures import read_capture, write_pcap
from ingress_egress.egress_monitor import (
    AllowEntry,
    allowlist_ruleset,
    blocked_destinations,
    destination_profile,
    dns_answers,
    egress_alerts,
    evaluate_allowlist,
    names_by_address,
    outbound_by_host,
    robust_zscore,
    unresolved_names,
)
from ingress_egress.firewall import RuleError

OFFICE = "192.168.10.0/24"
DAY = pd.Timestamp("2025-03-04", tz="UTC")
A, B, C, D = "192.168.10.11", "192.168.10.12", "192.168.10.20", "192.168.10.21"
WEB, EXFIL, BACKUP, RESOLVER = (
    "198.51.100.10",
    "203.0.113.66",
    "192.0.2.80",
    "192.0.2.53",
)


def packets(rows: list[tuple]) -> pd.DataFrame:
    """(seconds after midnight, src, dst, protocol, sport, dport, length) -> a packet
    table.
    """
    frame = pd.DataFrame(
        rows, columns=["s", "src", "dst", "protocol", "sport", "dport", "length"]
    )
    frame.insert(0, "time", DAY + pd.to_timedelta(frame.pop("s"), unit="s"))
    frame["sport"] = frame["sport"].astype("Int32")
    frame["dport"] = frame["dport"].astype("Int32")
    frame["tcp_flags"] = np.where(frame["protocol"] == "TCP", 0x10, 0)
    return frame


def office_day() -> pd.DataFrame:
    """A day built so the answers are known.

    * A and B browse WEB from 09:00 to 17:59: each hour one 10,000-byte request out, one
      200,000-byte response in (with a SYN first, so the stateful replay can track it).
    * 00:00 B asks a time server (NTP, UDP 123): the capture starts there.
    * 01:00-01:39:59 C and D each back up to BACKUP: 1,000 bytes out per second, a
      60-byte ACK back every 10 s.
    * 02:00-03:29:59 A streams 1,400 bytes per second to EXFIL, a 60-byte ACK back every
      10 s.
    * One DNS query and answer by A at 08:59.
    """
    rows = [
        (0, B, "192.0.2.123", "UDP", 123, 123, 76),
        (0.02, "192.0.2.123", B, "UDP", 123, 123, 76),
    ]
    rows += [
        (8 * 3600 + 3540, A, RESOLVER, "UDP", 53000, 53, 80),
        (8 * 3600 + 3540.01, RESOLVER, A, "UDP", 53, 53000, 200),
    ]
    for host, port in ((A, 40001), (B, 40002)):
        for hour in range(9, 18):
            t = hour * 3600 + 60
            rows += [
                (t, host, WEB, "TCP", port + hour, 443, 10_000),
                (t + 0.1, WEB, host, "TCP", 443, port + hour, 200_000),
            ]
    for host, port in ((C, 50001), (D, 50002)):
        for s in range(3600, 3600 + 2400):
            rows.append((s, host, BACKUP, "TCP", port, 443, 1_000))
            if s % 10 == 0:
                rows.append((s + 0.5, BACKUP, host, "TCP", 443, port, 60))
    for s in range(2 * 3600, 2 * 3600 + 5400):
        rows.append((s, A, EXFIL, "TCP", 45000, 8443, 1_400))
        if s % 10 == 0:
            rows.append((s + 0.5, EXFIL, A, "TCP", 8443, 45000, 60))
    frame = packets(sorted(rows, key=lambda r: r[0]))
    # mark connection openers as SYNs: the first packet of each outbound TCP five-tuple
    tcp_out = (frame["protocol"] == "TCP") & frame["src"].str.startswith("192.168.10.")
    first = tcp_out & ~frame[tcp_out].duplicated(
        ["src", "dst", "sport", "dport"]
    ).reindex(frame.index, fill_value=True)
    frame.loc[first, "tcp_flags"] = 0x02
    return frame


# --- robust z-score -------------------------------------------------------------------


def test_robust_zscore_by_hand():
    # median 3, |x - 3| = 2 1 0 1 97 -> MAD 1; z = 0.6745 * (x - 3)
    z = robust_zscore(pd.Series([1, 2, 3, 4, 100]))
    assert z.tolist() == pytest.approx([-1.349, -0.6745, 0.0, 0.6745, 65.4265])


def test_robust_zscore_falls_back_to_mean_absolute_deviation_when_mad_is_zero():
    # median 5, deviations 0 0 0 0 5 -> MAD 0, meanAD 1 -> z = 0.7979 * (x - 5)
    assert robust_zscore(pd.Series([5, 5, 5, 5, 10])).tolist() == pytest.approx(
        [0, 0, 0, 0, 3.9895]
    )
    assert robust_zscore(pd.Series([7, 7, 7])).tolist() == [0.0, 0.0, 0.0]


# --- per host and bin -----------------------------------------------------------------


def test_outbound_by_host_fills_silent_bins_and_scores_each_host_against_itself():
    day = office_day()
    table = outbound_by_host(day, OFFICE)
    bins = pd.date_range(
        DAY, DAY + pd.Timedelta(hours=17), freq="1h"
    )  # 00:00 .. 17:00: 18 bins
    assert sorted(table["host"].unique()) == [A, B, C, D]
    assert (table.groupby("host").size() == len(bins)).all()
    a = table[table["host"] == A].set_index("bin")
    assert a.loc[DAY + pd.Timedelta(hours=2), "bytes_out"] == 3600 * 1400
    assert a.loc[DAY + pd.Timedelta(hours=3), "bytes_out"] == 1800 * 1400
    assert a.loc[DAY + pd.Timedelta(hours=8), "bytes_out"] == 80  # the DNS query
    assert a.loc[DAY + pd.Timedelta(hours=4), "bytes_out"] == 0
    assert a.loc[DAY + pd.Timedelta(hours=9), "bytes_in"] == 200_000
    # A's 18 hourly totals: 0 x6, 80, 10,000 x9, 2.52 MB, 5.04 MB -> median 10,000;
    # |x - median|: 0 x9, 9,920, 10,000 x6, ... -> MAD = (0 + 9,920) / 2 = 4,960
    expected = 0.6745 * (3600 * 1400 - 10_000) / 4_960
    assert a.loc[DAY + pd.Timedelta(hours=2), "z_out"] == pytest.approx(expected)
    assert a["bytes_out"].sum() == 3600 * 1400 + 1800 * 1400 + 9 * 10_000 + 80


# --- per destination ------------------------------------------------------------------


def test_destination_profile_numbers_by_construction():
    profile = destination_profile(office_day(), OFFICE).set_index(
        ["host", "destination"]
    )
    exfil = profile.loc[(A, EXFIL)]
    assert exfil["bytes_out"] == 5400 * 1400 and exfil["packets_out"] == 5400
    assert exfil["bytes_in"] == 540 * 60
    assert exfil["out_in_ratio"] == pytest.approx(5400 * 1400 / (540 * 60))
    assert exfil["minutes"] == pytest.approx(5399 / 60)
    assert exfil["night_share"] == 1.0
    assert exfil["cv_per_minute"] == pytest.approx(
        0.0
    )  # 60 x 1,400 bytes in every minute
    assert exfil["hosts_for_destination"] == 1 and exfil["ports"] == "8443"
    web = profile.loc[(A, WEB)]
    assert web["bytes_out"] == 90_000 and web["bytes_in"] == 9 * 200_000
    assert web["out_in_ratio"] == pytest.approx(0.05)
    assert web["night_share"] == 0.0 and web["hosts_for_destination"] == 2
    assert profile.loc[(C, BACKUP), "hosts_for_destination"] == 2
    # largest first
    assert profile.index[0] == (A, EXFIL)


def test_cv_per_minute_counts_silent_minutes():
    # two bursts of 6,000 bytes nine minutes apart: per-minute bytes x,0,...,0,x over 10
    # minutes mean x/5, variance 2x^2/10 - x^2/25 = 0.16 x^2 -> CV = 0.4 x / (x / 5) = 2
    day = packets(
        [(0, A, WEB, "TCP", 1, 443, 6000), (540, A, WEB, "TCP", 1, 443, 6000)]
    )
    assert destination_profile(day, OFFICE)["cv_per_minute"].item() == pytest.approx(
        2.0
    )


def test_ratio_is_infinite_when_nothing_comes_back_and_known_list_is_used():
    day = packets([(0, A, "192.0.2.9", "UDP", 1, 514, 300)])
    profile = destination_profile(day, OFFICE, known_destinations=["192.0.2.0/24"])
    assert math.isinf(profile["out_in_ratio"].item()) and bool(profile["known"].item())
    assert not destination_profile(day, OFFICE, known_destinations=["198.51.100.0/24"])[
        "known"
    ].item()
    assert destination_profile(day, OFFICE)["known"].isna().all()
    assert not destination_profile(day, OFFICE, known_destinations=[])[
        "known"
    ].item()  # an empty list knows nothing


def test_night_hours_wrap_midnight_and_follow_the_time_zone():
    # 23:30 UTC on 4 March is 00:30 in Berlin (UTC+1 in winter); 05:30 UTC is 06:30
    # there
    day = packets(
        [
            (23 * 3600 + 1800, A, WEB, "TCP", 1, 443, 100),
            (5 * 3600 + 1800, A, WEB, "TCP", 1, 443, 300),
        ]
    )
    utc = destination_profile(day, OFFICE, night=(0, 6))
    assert utc["night_share"].item() == pytest.approx(300 / 400)
    berlin = destination_profile(day, OFFICE, night=(0, 6), tz="Europe/Berlin")
    assert berlin["night_share"].item() == pytest.approx(100 / 400)
    wrap = destination_profile(day, OFFICE, night=(22, 6))
    assert wrap["night_share"].item() == 1.0
    with pytest.raises(ValueError, match="night: hours must be 0-24"):
        destination_profile(day, OFFICE, night=(25, 6))


# --- alerts ---------------------------------------------------------------------------


def test_alerts_rank_the_exfiltration_first_and_say_why():
    day = office_day()
    allow = allowlist_ruleset(
        [
            AllowEntry(RESOLVER, 53, "udp"),
            AllowEntry(WEB, 443, "tcp"),
            AllowEntry(BACKUP, 443, "tcp"),
        ]
    )
    alerts = egress_alerts(
        day, OFFICE, known_destinations=[WEB, BACKUP, RESOLVER], allowlist=allow
    )
    # candidates (>= 1 MB out): A->EXFIL 7.56 MB, C->BACKUP 2.4 MB, D->BACKUP 2.4 MB;
    # browsing sends 90 kB
    assert [(r.host, r.destination) for r in alerts.itertuples()] == [
        (A, EXFIL),
        (C, BACKUP),
        (D, BACKUP),
    ]
    top = alerts.iloc[0]
    # every indicator fires for the exfiltration: 7 points
    assert top["score"] == 7
    for word in (
        "7.56 MB",
        "233 times what came back",
        "100% of it at night",
        "steady stream for 90 minutes",
        "no other internal host",
        "in its busiest 1h bin the host sent 5.04 MB",
        "robust z-score",
        "never seen before",
        "would have blocked 7.56 MB",
    ):
        assert word in top["reasons"], word
    # the backups are lopsided, at night, steady and spike their host's hours, but they
    # go to a known, allowed destination that two hosts use: 4 points
    assert alerts["score"].tolist()[1:] == [4, 4]
    assert (
        not alerts.loc[1, "rare"]
        and not alerts.loc[1, "new"]
        and not alerts.loc[1, "not_allowed"]
    )


def test_alerts_without_lists_use_only_the_traffic():
    alerts = egress_alerts(office_day(), OFFICE)
    assert "new" not in alerts.columns and "not_allowed" not in alerts.columns
    assert alerts.iloc[0][["host", "destination", "score"]].tolist() == [A, EXFIL, 5]


def test_min_bytes_and_thresholds_change_the_candidates():
    day = office_day()
    assert len(egress_alerts(day, OFFICE, min_bytes=5_000_000)) == 1
    everything = egress_alerts(day, OFFICE, min_bytes=0)
    # A->EXFIL, C->BACKUP, D->BACKUP, A->WEB, B->WEB, B->NTP, A->RESOLVER
    assert len(everything) == 7
    web = everything[
        (everything["host"] == A) & (everything["destination"] == WEB)
    ].iloc[0]
    # 5% out/in, all by day, eight bursty hours, two hosts use it, A's daytime hours are
    # its median
    assert web["score"] == 0 and web["reasons"] == ""
    strict = egress_alerts(day, OFFICE, steady_minutes=120)
    assert not strict["steady"].any()  # the 90-minute stream is not "long" any more


# --- default-deny egress --------------------------------------------------------------


def test_allowlist_blocks_exactly_what_is_not_listed():
    day = office_day()
    allow = allowlist_ruleset(
        [
            AllowEntry(RESOLVER, 53, "udp"),
            AllowEntry("*.example.net", 443, "tcp"),
            "backup.example.org",
            AllowEntry("192.0.2.123/32", 123, "udp"),
        ],
        names={
            WEB: ["www.example.net"],
            BACKUP: "backup.example.org",
            EXFIL: "cdn.example.com",
        },
    )
    result = evaluate_allowlist(day, OFFICE, allow)
    egress = result[result["direction"] == "egress"]
    blocked = egress[egress["verdict"] == "deny"]
    assert set(blocked["dst"]) == {EXFIL}
    assert blocked["length"].sum() == 5400 * 1400
    # replies to allowed connections pass; the inbound rule leaves all ingress alone
    # anyway
    assert (result.loc[result["direction"] == "ingress", "verdict"] == "allow").all()
    table = blocked_destinations(result)
    assert table[
        ["host", "destination", "dport", "protocol", "packets", "bytes"]
    ].values.tolist() == [[A, EXFIL, 8443, "TCP", 5400, 7_560_000]]


def test_allowlist_port_and_protocol_are_enforced():
    day = packets(
        [
            (0, A, WEB, "TCP", 4000, 80, 500),
            (1, A, WEB, "TCP", 4001, 443, 700),
            (2, A, WEB, "UDP", 4002, 443, 900),
        ]
    )
    allow = allowlist_ruleset([AllowEntry(f"{WEB}/32", 443, "tcp")])
    result = evaluate_allowlist(day, OFFICE, allow)
    assert result["verdict"].tolist() == ["deny", "allow", "deny"]
    assert result["rule"].tolist() == ["", f"{WEB}/32:443 TCP", ""]


def test_names_match_exactly_or_below_a_wildcard():
    names = {
        "198.51.100.1": "example.net",
        "198.51.100.2": "a.example.net",
        "198.51.100.3": "a.b.example.net",
        "198.51.100.4": "badexample.net",
        "198.51.100.5": "EXAMPLE.org.",
    }
    egress = [
        r
        for r in allowlist_ruleset(["*.example.net", "example.org"], names).rules
        if r.direction == "egress"
    ]
    assert [str(n) for n in egress[0].dst] == ["198.51.100.2/32", "198.51.100.3/32"]
    assert [str(n) for n in egress[1].dst] == ["198.51.100.5/32"]
    assert unresolved_names(["*.example.net", "nothing.example"], names) == [
        "nothing.example"
    ]


@pytest.mark.parametrize(
    "entry, message",
    [
        (
            AllowEntry("192.0.2.0/24", ports="443-80", protocol="tcp"),
            r"allow-list entry 0 \('192.0.2.0/24'\): ports '443-80' is reversed",
        ),
        (
            AllowEntry("192.0.2.0/24", protocol="sctp"),
            r"allow-list entry 0 \('192.0.2.0/24'\): protocol 'sctp' is unknown",
        ),
        (
            "300.1.2.3/8",
            r"allow-list entry 0: destination '300.1.2.3/8' is "
            r"neither a CIDR network nor a DNS name",
        ),
        ("bad name!", r"allow-list entry 0: destination 'bad name!' is neither"),
        (
            {"destination": "192.0.2.1", "port": 443},
            r"allow-list entry 0: .*unexpected keyword argument 'port'",
        ),
        (
            42,
            r"allow-list entry 0: expected an AllowEntry, a string or a dict, got int",
        ),
    ],
)
def test_allowlist_errors_name_the_entry(entry, message):
    with pytest.raises(RuleError, match=message):
        allowlist_ruleset([entry])


def test_missing_columns_are_named():
    with pytest.raises(KeyError, match="packets need a 'length' column"):
        outbound_by_host(office_day().drop(columns="length"), OFFICE)


# --- names from DNS answers -----------------------------------------------------------


def dns_frame(src: str, dst: str, sport: int, dport: int, payload: bytes) -> bytes:
    return pk.ethernet(
        "02:00:00:00:00:01",
        "02:00:00:00:00:02",
        pk.ETHERTYPE_IPV4 if ":" not in src else pk.ETHERTYPE_IPV6,
        pk.ip(src, dst, pk.PROTO_UDP, pk.udp(src, dst, sport, dport, payload)),
    )


def cname_response() -> bytes:
    """www.example.com CNAME edge.cdn.example.net, which has A 192.0.2.20 (RFC 1035
    layout, by hand).
    """
    header = struct.pack("!HHHHHH", 9, 0x8180, 1, 2, 0, 0)
    question = pk.dns_name("www.example.com") + struct.pack(
        "!HH", 1, 1
    )  # 17 + 4 bytes: ends at 33
    target = pk.dns_name("edge.cdn.example.net")
    cname = (
        struct.pack("!HHHIH", 0xC00C, 5, 1, 60, len(target)) + target
    )  # its rdata starts at 45
    a = struct.pack("!HHHIH", 0xC000 | 45, 1, 1, 30, 4) + bytes([192, 0, 2, 20])
    return header + question + cname + a


def test_dns_answers_from_a_written_capture(tmp_path):
    t0 = 1_773_100_800 * 10**9  # 2026-03-10 00:00 UTC
    answer = dns_frame(
        RESOLVER,
        A,
        53,
        50000,
        pk.dns_response(
            1, "Docs.Example.com", "A", ["192.0.2.50", "192.0.2.51"], ttl=120
        ),
    )
    cut = dns_frame(
        RESOLVER,
        B,
        53,
        50001,
        pk.dns_response(2, "cut.example.com", "A", ["192.0.2.99"]),
    )
    records = [
        (
            t0,
            dns_frame(A, RESOLVER, 50000, 53, pk.dns_query(1, "docs.example.com")),
        ),  # a query: ignored
        (t0 + 10**6, answer),
        (
            t0 + 2 * 10**6,
            dns_frame(
                "2001:db8::53",
                "fd00::11",
                53,
                50002,
                pk.dns_response(3, "www.example.com", "AAAA", ["2001:db8:10::10"]),
            ),
        ),
        (t0 + 3 * 10**6, cut[: len(cut) - 6], len(cut)),  # cut by a snap length
        (
            t0 + 4 * 10**6,
            dns_frame(
                RESOLVER,
                A,
                53,
                50003,
                pk.dns_response(4, "nope.example", "A", [], rcode=3),
            ),
        ),
        (t0 + 5 * 10**6, dns_frame(RESOLVER, A, 53, 50004, cname_response())),
    ]
    capture = read_capture(write_pcap(tmp_path / "dns.pcap", records), keep_bytes=True)
    table = dns_answers(capture)
    assert table[["client", "resolver", "name", "address", "ttl"]].values.tolist() == [
        [A, RESOLVER, "docs.example.com", "192.0.2.50", 120],
        [A, RESOLVER, "docs.example.com", "192.0.2.51", 120],
        ["fd00::11", "2001:db8::53", "www.example.com", "2001:db8:10::10", 300],
        [
            A,
            RESOLVER,
            "www.example.com",
            "192.0.2.20",
            30,
        ],  # the CNAME's target address, the asked name
    ]
    assert table["time"].iloc[0] == pd.Timestamp(t0 + 10**6, unit="ns", tz="UTC")
    assert table.attrs["responses"] == 4  # the NXDOMAIN answer counts, with no rows
    assert table.attrs["skipped"] == 1 and list(table.attrs["skipped_reasons"]) == [4]
    assert (
        "cut off" in table.attrs["skipped_reasons"][4]
        or "past the end" in table.attrs["skipped_reasons"][4]
    )
    assert names_by_address(table)["192.0.2.20"] == ["www.example.com"]


def test_dns_answers_needs_the_frame_bytes():
    with pytest.raises(KeyError, match="keep_bytes=True"):
        dns_answers(office_day())


def test_pointer_loops_are_reported_not_followed_forever():
    looping = (
        struct.pack("!HHHHHH", 1, 0x8180, 1, 0, 0, 0) + b"\xc0\x0c"
    )  # the question name points to itself
    table = pd.DataFrame(
        {
            "time": [DAY],
            "src": [RESOLVER],
            "dst": [A],
            "protocol": ["UDP"],
            "sport": [53],
            "frame": [looping],
            "payload_offset": [0],
        }
    )
    result = dns_answers(table)
    assert result.empty and result.attrs["skipped_reasons"] == {
        0: "compression pointers loop"
    }


def test_alerts_flag_destinations_no_dns_answer_named_first():
    day = office_day()
    dns = pd.DataFrame(
        {
            "time": [DAY + pd.Timedelta(hours=h) for h in (0.5, 8.5, 4)],
            "client": [C, A, A],
            "resolver": [RESOLVER] * 3,
            "name": ["backup.example.org", "www.example.net", "late.example.com"],
            "address": [BACKUP, WEB, EXFIL],
            "ttl": [300] * 3,
        }
    )
    # EXFIL is named only at 04:00, two hours after A started sending to it at 02:00
    alerts = egress_alerts(day, OFFICE, dns=dns).set_index(["host", "destination"])
    assert alerts.loc[(A, EXFIL), "no_dns"] and not alerts.loc[(C, BACKUP), "no_dns"]
    assert (
        f"no DNS answer named {EXFIL} before the host connected"
        in alerts.loc[(A, EXFIL), "reasons"]
    )
    assert alerts.loc[(A, EXFIL), "score"] == 6
    # the resolver itself is never named by an answer, but it is the one that answers:
    # not flagged
    everything = egress_alerts(day, OFFICE, dns=dns, min_bytes=0).set_index(
        ["host", "destination"]
    )
    assert (
        not everything.loc[(A, RESOLVER), "no_dns"]
        and everything.loc[(B, "192.0.2.123"), "no_dns"]
    )


def test_nothing_crossing_the_boundary_gives_typed_empty_tables():
    # Only internal traffic: no host sent anything out, and the empty table still sorts
    # by bytes.
    internal = packets(
        [(0, A, B, "TCP", 40000, 22, 100), (1, B, A, "TCP", 22, 40000, 60)]
    )
    table = outbound_by_host(internal, OFFICE)
    assert table.empty and table["bytes_out"].dtype == "int64"
    assert table.nlargest(3, "bytes_out").empty


def test_an_empty_dns_table_marks_every_destination_unnamed():
    # A capture without DNS answers: no destination was ever named, so each alert has
    # no_dns set.
    empty_dns = pd.DataFrame(
        {
            "time": pd.Series(dtype="datetime64[ns, UTC]"),
            "address": pd.Series(dtype=str),
        }
    )
    alerts = egress_alerts(office_day(), OFFICE, min_bytes=1, dns=empty_dns)
    assert len(alerts) > 0 and alerts["no_dns"].all()
