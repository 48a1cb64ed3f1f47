"""Tests for ingress_egress.firewall: verdicts worked out by hand on small packet
tables.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ingress_egress.firewall import (
    PortRange,
    Rule,
    RuleError,
    RuleSet,
    ephemeral_return_rule,
    network_acl,
    parse_networks,
    parse_ports,
    parse_protocol,
    replay,
    rule_from_mapping,
    security_group,
    summarize,
)

SYN, ACK, PSH, FIN, RST = 0x02, 0x10, 0x08, 0x01, 0x04
OFFICE = "192.168.10.0/24"
PC, WEB = "192.168.10.5", "198.51.100.7"


def table(rows: list[tuple]) -> pd.DataFrame:
    """Packets from (seconds, src, dst, protocol, sport, dport, flags, length)
    tuples.
    """
    frame = pd.DataFrame(
        rows,
        columns=[
            "t",
            "src",
            "dst",
            "protocol",
            "sport",
            "dport",
            "tcp_flags",
            "length",
        ],
    )
    frame.insert(0, "time", pd.to_datetime(frame.pop("t"), unit="s", utc=True))
    frame["sport"] = frame["sport"].astype("Int32")
    frame["dport"] = frame["dport"].astype("Int32")
    return frame


def https_session() -> pd.DataFrame:
    """An office PC opens HTTPS to a web server: handshake, request, response, close."""
    return table(
        [
            (0.00, PC, WEB, "TCP", 50000, 443, SYN, 74),  # 0 out  SYN
            (0.02, WEB, PC, "TCP", 443, 50000, SYN | ACK, 74),  # 1 in   SYN-ACK
            (0.04, PC, WEB, "TCP", 50000, 443, ACK, 66),  # 2 out  ACK
            (
                0.05,
                PC,
                WEB,
                "TCP",
                50000,
                443,
                PSH | ACK,
                583,
            ),  # 3 out  request (ClientHello)
            (0.08, WEB, PC, "TCP", 443, 50000, PSH | ACK, 1514),  # 4 in   response
            (0.09, WEB, PC, "TCP", 443, 50000, PSH | ACK, 1514),  # 5 in   response
            (0.10, PC, WEB, "TCP", 50000, 443, FIN | ACK, 66),  # 6 out  FIN
            (0.12, WEB, PC, "TCP", 443, 50000, FIN | ACK, 66),  # 7 in   FIN
            (0.13, PC, WEB, "TCP", 50000, 443, ACK, 66),  # 8 out  last ACK
        ]
    )


OUT_HTTPS = Rule(
    100, "egress", "allow", "tcp", dst="0.0.0.0/0", ports=443, name="HTTPS out"
)


# --- the classic case -----------------------------------------------------------------


def test_stateless_acl_without_return_rule_drops_the_replies():
    result = replay(https_session(), network_acl([OUT_HTTPS]), inside=OFFICE)
    # outbound packets (rows 0, 2, 3, 6, 8) match rule 100; the four inbound replies
    # match nothing
    assert result["verdict"].tolist() == [
        "allow",
        "deny",
        "allow",
        "allow",
        "deny",
        "deny",
        "allow",
        "deny",
        "allow",
    ]
    assert result.loc[[1, 4, 5, 7], "reason"].tolist() == ["implicit deny"] * 4
    assert result.loc[[0, 2, 3, 6, 8], "rule"].tolist() == ["100"] * 5
    # bytes dropped: 74 + 1514 + 1514 + 66
    assert result.loc[result["verdict"] == "deny", "length"].sum() == 3168


def test_stateless_acl_with_ephemeral_return_rule_passes_the_replies():
    acl = network_acl([OUT_HTTPS, ephemeral_return_rule(140)])
    result = replay(https_session(), acl, inside=OFFICE)
    assert (result["verdict"] == "allow").all()
    assert (
        result.loc[[1, 4, 5, 7], "rule"].tolist() == ["140"] * 4
    )  # dport 50000 is in 1024-65535


def test_return_rule_with_narrow_range_misses_a_low_client_port():
    # Windows-style 49152-65535 return range; a client port of 40000 (Linux range) is
    # outside it
    packets = https_session()
    packets.loc[packets["src"] == PC, "sport"] = 40000
    packets.loc[packets["dst"] == PC, "dport"] = 40000
    acl = network_acl([OUT_HTTPS, ephemeral_return_rule(140, ports=(49152, 65535))])
    result = replay(packets, acl, inside=OFFICE)
    assert result.loc[[1, 4, 5, 7], "verdict"].tolist() == ["deny"] * 4


def test_stateful_security_group_passes_the_replies_without_a_return_rule():
    result = replay(https_session(), security_group([OUT_HTTPS]), inside=OFFICE)
    assert (result["verdict"] == "allow").all()
    # the SYN opens the connection through rule 100; everything after it is the tracked
    # connection
    assert result["reason"].tolist() == ["rule"] + ["established connection"] * 8
    assert result["rule"].tolist() == ["100"] + [""] * 8


def test_stateful_acl_is_also_possible_and_tracks_the_same_way():
    acl = network_acl([OUT_HTTPS], stateful=True)
    assert (replay(https_session(), acl, inside=OFFICE)["verdict"] == "allow").all()


def test_result_keeps_rows_order_index_and_original_columns():
    packets = https_session().iloc[::-1].set_index(pd.Index(list("abcdefghi")))
    result = replay(packets, security_group([OUT_HTTPS]), inside=OFFICE)
    assert list(result.index) == list("abcdefghi")
    assert list(result.columns[: len(packets.columns)]) == list(packets.columns)
    # rows were given newest first; tracking still follows time, so the SYN (row "i") is
    # the rule match
    assert (
        result.loc["i", "reason"] == "rule"
        and (result.drop(index="i")["reason"] == "established connection").all()
    )


# --- security group versus network ACL: a web server ----------------------------------


SERVER_NET = "10.0.1.0/24"
SERVER, CLIENT, ATTACKER, RESOLVER = (
    "10.0.1.10",
    "203.0.113.9",
    "198.51.100.66",
    "192.0.2.53",
)


def web_server_traffic() -> pd.DataFrame:
    return table(
        [
            (
                0.0,
                CLIENT,
                SERVER,
                "TCP",
                49200,
                443,
                SYN,
                74,
            ),  # 0 in  client opens HTTPS
            (0.1, SERVER, CLIENT, "TCP", 443, 49200, SYN | ACK, 74),  # 1 out reply
            (0.2, CLIENT, SERVER, "TCP", 49200, 443, ACK, 66),  # 2 in
            (0.3, SERVER, CLIENT, "TCP", 443, 49200, PSH | ACK, 1400),  # 3 out response
            (1.0, ATTACKER, SERVER, "TCP", 51515, 22, SYN, 74),  # 4 in  SSH attempt
            (2.0, SERVER, RESOLVER, "UDP", 53001, 53, 0, 80),  # 5 out DNS query
            (2.1, RESOLVER, SERVER, "UDP", 53, 53001, 0, 120),  # 6 in  DNS answer
            (
                3.0,
                ATTACKER,
                SERVER,
                "TCP",
                51516,
                443,
                SYN,
                74,
            ),  # 7 in  the attacker tries HTTPS
        ]
    )


def test_security_group_worked_example():
    sg = security_group(
        [
            Rule("https-in", "ingress", "allow", "tcp", src="0.0.0.0/0", ports=443),
            Rule("dns-out", "egress", "allow", "udp", dst=f"{RESOLVER}/32", ports=53),
        ]
    )
    result = replay(web_server_traffic(), sg, inside=SERVER_NET)
    assert result["verdict"].tolist() == [
        "allow",
        "allow",
        "allow",
        "allow",
        "deny",
        "allow",
        "allow",
        "allow",
    ]
    assert result["reason"].tolist() == [
        "rule",
        "established connection",
        "established connection",
        "established connection",
        "implicit deny",
        "rule",
        "established connection",
        "rule",
    ]
    assert result["rule"].tolist() == [
        "https-in",
        "",
        "",
        "",
        "",
        "dns-out",
        "",
        "https-in",
    ]


def test_network_acl_worked_example_can_deny_what_a_security_group_cannot():
    acl = network_acl(
        [
            Rule(
                90,
                "ingress",
                "deny",
                "tcp",
                src="198.51.100.0/24",
                name="block a known bad network",
            ),
            Rule(100, "ingress", "allow", "tcp", src="0.0.0.0/0", ports=443),
            Rule(
                120,
                "ingress",
                "allow",
                "udp",
                src="0.0.0.0/0",
                ports="1024-65535",
                name="DNS replies",
            ),
            Rule(
                100,
                "egress",
                "allow",
                "tcp",
                dst="0.0.0.0/0",
                ports="1024-65535",
                name="replies to clients",
            ),
            Rule(110, "egress", "allow", "udp", dst="192.0.2.53", ports=53),
        ]
    )
    result = replay(web_server_traffic(), acl, inside=SERVER_NET)
    # the attacker's HTTPS SYN (row 7) hits deny rule 90 before allow rule 100
    assert result["verdict"].tolist() == [
        "allow",
        "allow",
        "allow",
        "allow",
        "deny",
        "allow",
        "allow",
        "deny",
    ]
    assert result["rule"].tolist() == [
        "100",
        "100",
        "100",
        "100",
        "90",
        "110",
        "120",
        "90",
    ]


def test_security_group_cannot_hold_deny_rules():
    with pytest.raises(RuleError, match=r"rule 'no-ssh'.*cannot hold deny rules"):
        security_group([Rule("no-ssh", "ingress", "deny", "tcp", ports=22)])


# --- rule order -----------------------------------------------------------------------


def test_rule_order_matters_for_a_network_acl():
    packets = table([(0, ATTACKER, SERVER, "TCP", 40000, 443, SYN, 74)])
    deny_first = network_acl(
        [
            Rule(100, "ingress", "deny", src="198.51.100.0/24"),
            Rule(110, "ingress", "allow", "tcp", ports=443),
        ]
    )
    allow_first = network_acl(
        [
            Rule(110, "ingress", "deny", src="198.51.100.0/24"),
            Rule(100, "ingress", "allow", "tcp", ports=443),
        ]
    )
    assert replay(packets, deny_first, SERVER_NET)[
        ["verdict", "rule"]
    ].values.tolist() == [["deny", "100"]]
    assert replay(packets, allow_first, SERVER_NET)[
        ["verdict", "rule"]
    ].values.tolist() == [["allow", "100"]]


def test_acl_evaluates_by_rule_number_not_list_order():
    acl = network_acl([Rule(300, "egress", "allow"), Rule(5, "egress", "deny", "udp")])
    assert [r.id for r in acl.ordered_rules] == [5, 300]
    packets = table(
        [(0, PC, WEB, "UDP", 5000, 53, 0, 80), (1, PC, WEB, "TCP", 5000, 80, SYN, 74)]
    )
    assert replay(packets, acl, OFFICE)["rule"].tolist() == ["5", "300"]


def test_rules_for_one_direction_do_not_match_the_other():
    acl = network_acl(
        [Rule(100, "ingress", "allow")]
    )  # allows everything inbound, nothing outbound
    result = replay(https_session(), acl, OFFICE)
    assert result.loc[result["direction"] == "egress", "verdict"].eq("deny").all()
    assert result.loc[result["direction"] == "ingress", "verdict"].eq("allow").all()


# --- connection tracking details ------------------------------------------------------


def test_udp_flow_expires_after_its_timeout():
    packets = table(
        [
            (0, PC, RESOLVER, "UDP", 53001, 53, 0, 80),
            (1, RESOLVER, PC, "UDP", 53, 53001, 0, 120),  # 1 s later: tracked
            (
                40,
                RESOLVER,
                PC,
                "UDP",
                53,
                53001,
                0,
                120,
            ),  # 39 s after the last packet: expired (30 s)
        ]
    )
    sg = security_group([Rule("dns", "egress", "allow", "udp", ports=53)])
    assert replay(packets, sg, OFFICE)["verdict"].tolist() == ["allow", "allow", "deny"]
    longer = security_group(
        [Rule("dns", "egress", "allow", "udp", ports=53)], udp_timeout=60
    )
    assert replay(packets, longer, OFFICE)["verdict"].tolist() == [
        "allow",
        "allow",
        "allow",
    ]


def test_each_packet_refreshes_the_udp_timer():
    packets = table(
        [
            (0, PC, RESOLVER, "UDP", 4000, 5000, 0, 80),
            (25, RESOLVER, PC, "UDP", 5000, 4000, 0, 80),
            (50, RESOLVER, PC, "UDP", 5000, 4000, 0, 80),
        ]
    )  # 25 s gaps, each under 30 s
    sg = security_group([Rule("out", "egress", "allow", "udp")])
    assert replay(packets, sg, OFFICE)["verdict"].tolist() == [
        "allow",
        "allow",
        "allow",
    ]


def test_tcp_without_a_seen_syn_is_judged_by_the_rules():
    packets = (
        https_session().iloc[2:].reset_index(drop=True)
    )  # capture starts after the handshake
    result = replay(packets, security_group([OUT_HTTPS]), OFFICE)
    assert result["verdict"].tolist() == [
        "allow",
        "allow",
        "deny",
        "deny",
        "allow",
        "deny",
        "allow",
    ]
    assert set(result.loc[result["verdict"] == "allow", "reason"]) == {"rule"}


def test_rst_ends_the_connection():
    packets = table(
        [
            (0, PC, WEB, "TCP", 50000, 443, SYN, 74),
            (
                1,
                WEB,
                PC,
                "TCP",
                443,
                50000,
                RST | ACK,
                60,
            ),  # refused: the RST itself is part of it
            (
                2,
                WEB,
                PC,
                "TCP",
                443,
                50000,
                ACK,
                60,
            ),  # after the RST nothing is tracked
        ]
    )
    assert replay(packets, security_group([OUT_HTTPS]), OFFICE)["verdict"].tolist() == [
        "allow",
        "allow",
        "deny",
    ]


def test_a_new_syn_is_always_judged_by_the_rules():
    packets = https_session().iloc[:3].copy()
    # an inbound SYN on the same five-tuple: not the tracked connection's, and no rule
    # allows it
    extra = table(
        [
            (0.05, WEB, PC, "TCP", 443, 50000, SYN, 74),
            (0.06, WEB, PC, "TCP", 443, 50000, ACK, 66),
        ]
    )
    packets = pd.concat([packets, extra], ignore_index=True)
    result = replay(packets, security_group([OUT_HTTPS]), OFFICE)
    assert result["verdict"].tolist() == ["allow", "allow", "allow", "deny", "deny"]
    assert result["reason"].tolist()[3:] == ["implicit deny", "implicit deny"]


def test_icmp_echo_reply_is_tracked_unless_switched_off():
    packets = table(
        [
            (0, PC, WEB, "ICMP", None, None, 0, 98),
            (0.01, WEB, PC, "ICMP", None, None, 0, 98),
        ]
    )
    ping = Rule("ping", "egress", "allow", "icmp")
    assert replay(packets, security_group([ping]), OFFICE)["verdict"].tolist() == [
        "allow",
        "allow",
    ]
    untracked = RuleSet((ping,), "allow-only", stateful=True, track_icmp=False)
    assert replay(packets, untracked, OFFICE)["verdict"].tolist() == ["allow", "deny"]


def test_only_an_echo_request_opens_an_icmp_flow_when_types_are_known():
    packets = table(
        [
            (0, WEB, PC, "ICMP", None, None, 0, 98),  # an echo reply nobody asked for
            (1, PC, WEB, "ICMP", None, None, 0, 98),  # then an echo request out
            (2, WEB, PC, "ICMP", None, None, 0, 98),
        ]
    )  # and its reply
    packets["icmp_type"] = pd.array([0, 8, 0], dtype="Int16")
    inbound_only = security_group([Rule("in", "ingress", "allow")])
    # the unsolicited reply is allowed by the rule but opens nothing, so the request
    # finds no flow
    assert replay(packets, inbound_only, OFFICE)["verdict"].tolist() == [
        "allow",
        "deny",
        "allow",
    ]
    outbound = security_group([Rule("ping", "egress", "allow", "icmp")])
    assert replay(packets, outbound, OFFICE)["reason"].tolist() == [
        "implicit deny",
        "rule",
        "established connection",
    ]


def test_traffic_that_does_not_cross_the_boundary_is_not_filtered():
    packets = table(
        [
            (0, PC, "192.168.10.1", "UDP", 5353, 5353, 0, 100),  # internal
            (1, WEB, "203.0.113.5", "TCP", 1, 2, SYN, 60),  # external
            (2, "", "", "0x0806", None, None, 0, 42),  # ARP: not IP
        ]
    )
    result = replay(packets, network_acl([]), OFFICE)
    assert result["verdict"].tolist() == ["not filtered"] * 3
    assert result["reason"].tolist() == [
        "does not cross the boundary",
        "does not cross the boundary",
        "non-IP",
    ]


def test_empty_acl_denies_everything_that_crosses():
    result = replay(https_session(), network_acl([]), OFFICE)
    assert (
        result["verdict"].eq("deny").all()
        and result["reason"].eq("implicit deny").all()
    )


# --- matching fields ------------------------------------------------------------------


def test_ipv4_any_does_not_match_ipv6_but_any_does():
    v6 = table([(0, "fd00::5", "2001:db8::7", "TCP", 50000, 443, SYN, 94)])
    assert replay(v6, network_acl([Rule(1, "egress", dst="0.0.0.0/0")]), "fd00::/8")[
        "verdict"
    ].tolist() == ["deny"]
    assert replay(v6, network_acl([Rule(1, "egress", dst="::/0")]), "fd00::/8")[
        "verdict"
    ].tolist() == ["allow"]
    assert replay(v6, network_acl([Rule(1, "egress")]), "fd00::/8")[
        "verdict"
    ].tolist() == ["allow"]


def test_source_port_and_protocol_number_rules():
    packets = table(
        [
            (0, WEB, PC, "TCP", 443, 50000, ACK, 60),
            (1, WEB, PC, "TCP", 8443, 50000, ACK, 60),
            (2, WEB, PC, "47", None, None, 0, 100),
        ]
    )
    acl = network_acl(
        [
            Rule(10, "ingress", "allow", 6, sport=443, ports="1024-65535"),
            Rule(20, "ingress", "allow", 47),
        ]
    )
    assert replay(packets, acl, OFFICE)["rule"].tolist() == ["10", "", "20"]


def test_several_cidrs_in_one_rule():
    packets = table(
        [
            (0, PC, "198.51.100.7", "TCP", 5, 443, SYN, 60),
            (1, PC, "203.0.113.7", "TCP", 5, 443, SYN, 60),
            (2, PC, "192.0.2.7", "TCP", 5, 443, SYN, 60),
        ]
    )
    acl = network_acl([Rule(1, "egress", dst=["198.51.100.0/24", "203.0.113.0/24"])])
    assert replay(packets, acl, OFFICE)["verdict"].tolist() == [
        "allow",
        "allow",
        "deny",
    ]


def test_summarize_counts_packets_and_bytes():
    result = replay(https_session(), network_acl([OUT_HTTPS]), OFFICE)
    table_ = summarize(result)
    assert table_.loc[("ingress", "deny"), "bytes"] == 74 + 1514 + 1514 + 66
    assert table_.loc[("egress", "allow"), "packets"] == 5


def test_to_frame_shows_the_implicit_deny_last_in_each_direction():
    frame = network_acl(
        [
            Rule(200, "egress", "deny"),
            Rule(100, "egress", "allow", "tcp", ports=443),
            Rule(100, "ingress", "allow", "tcp", ports="1024-65535"),
        ]
    ).to_frame()
    assert frame["rule"].tolist() == ["100", "*", "100", "200", "*"]
    assert frame["direction"].tolist() == [
        "ingress",
        "ingress",
        "egress",
        "egress",
        "egress",
    ]


# --- parsing and errors ---------------------------------------------------------------


def test_parsers():
    assert parse_ports(443) == PortRange(443, 443)
    assert parse_ports((1024, 65535)) == PortRange(1024, 65535)
    assert parse_ports("any") is None
    assert parse_protocol("ICMPv6") == "ICMPv6" and parse_protocol("58") == "ICMPv6"
    assert parse_networks("any") is None
    assert [str(n) for n in parse_networks("192.0.2.77/24")] == [
        "192.0.2.0/24"
    ]  # canonical, as AWS does


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"src": "10.0.0.0/33"}, r"rule 7: src '10.0.0.0/33' is not a CIDR network"),
        ({"dst": "example.com"}, r"rule 7: dst 'example.com' is not a CIDR network"),
        (
            {"protocol": "tcp", "ports": "2000-1000"},
            r"rule 7: ports '2000-1000' is reversed",
        ),
        (
            {"protocol": "tcp", "ports": 70000},
            r"rule 7: ports 70000: port 70000 is outside 0-65535",
        ),
        (
            {"protocol": "tcp", "ports": "80-90-100"},
            r"rule 7: ports '80-90-100' is not a port or a range",
        ),
        (
            {"protocol": "tcp", "ports": "http"},
            r"rule 7: ports 'http' is not a port or a range",
        ),
        (
            {"action": "drop"},
            r"rule 7: action 'drop' is unknown: expected allow or deny",
        ),
        ({"protocol": "gre"}, r"rule 7: protocol 'gre' is unknown"),
        ({"protocol": 300}, r"rule 7: protocol 300 is unknown"),
        (
            {"protocol": "icmp", "ports": 8},
            r"rule 7: port ranges need protocol TCP or UDP",
        ),
        (
            {"ports": 443},
            r"rule 7: port ranges need protocol TCP or UDP \(protocol is any\)",
        ),
    ],
)
def test_malformed_rules_are_named_in_the_error(kwargs, message):
    with pytest.raises(RuleError, match=message):
        Rule(7, "egress", **kwargs)


def test_unknown_direction_is_named():
    with pytest.raises(RuleError, match=r"rule 'x': direction 'sideways' is unknown"):
        Rule("x", "sideways")


def test_acl_rule_numbers_must_be_integers_and_unique_per_direction():
    with pytest.raises(RuleError, match=r"rule 'web'.*positive integer rule number"):
        network_acl([Rule("web", "egress")])
    with pytest.raises(RuleError, match=r"rule 100: rule number used twice for egress"):
        network_acl([Rule(100, "egress"), Rule(100, "egress", "deny")])
    network_acl(
        [Rule(100, "egress"), Rule(100, "ingress")]
    )  # the same number in each direction is fine


def test_rules_from_mappings_name_their_position():
    with pytest.raises(
        RuleError, match=r"rule 1 \(id 110\): missing field 'direction'"
    ):
        network_acl([{"id": 100, "direction": "egress"}, {"id": 110, "action": "deny"}])
    with pytest.raises(
        RuleError,
        match=r"rule 0 \(id 5\): src '300.1.1.1' is not a CIDR|rule 5: src '300.1.1.1'",
    ):
        rule_from_mapping(
            {"id": 5, "direction": "ingress", "src": "300.1.1.1"}, position=0
        )
    with pytest.raises(RuleError, match="give a list of rules"):
        network_acl(Rule(1, "egress"))


def test_ruleset_rejects_bad_settings():
    with pytest.raises(RuleError, match="evaluation 'best-match' is unknown"):
        RuleSet((), "best-match")
    with pytest.raises(RuleError, match="udp_timeout must be a positive number"):
        RuleSet((), "allow-only", True, udp_timeout=0)


def test_replay_names_missing_columns_and_bad_addresses():
    packets = https_session()
    with pytest.raises(KeyError, match=r"lack column\(s\) \['tcp_flags'\]"):
        replay(packets.drop(columns="tcp_flags"), security_group([OUT_HTTPS]), OFFICE)
    replay(
        packets.drop(columns=["tcp_flags", "time"]), network_acl([OUT_HTTPS]), OFFICE
    )  # stateless: not needed
    packets.loc[3, "dst"] = "198.51.100.999"
    with pytest.raises(
        ValueError, match=r"packets row 3: dst '198.51.100.999' is not an IP address"
    ):
        replay(packets, network_acl([OUT_HTTPS]), OFFICE)
    with pytest.raises(TypeError, match="ruleset must be a RuleSet"):
        replay(https_session(), [OUT_HTTPS], OFFICE)
