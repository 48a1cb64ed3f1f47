"""Self-checks: the normalisation rules, right and wrong answers, and their wiring into
the notebooks.

The right answers used here come from hand computations and from the documented ground
truth of the generated data, not from the registry (which holds only hashes) nor from
the notebooks' outputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import itertools
import json
import math
import re
from collections import Counter
from pathlib import Path

import dpkt
import numpy as np
import pandas as pd
import pytest

from ingress_egress.datagen import egress_days, office_router
from ingress_egress.datagen.captures import EXFILTRATION
from ingress_egress.lab import is_lab_cell
from ingress_egress.selfcheck import (
    REGISTRY,
    AnswerFormError,
    UnknownExercise,
    check,
    digest,
    normalise,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


# --- normalisation rules --------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (2_074_736, "2074736"),
        (np.int64(7), "7"),
        (2074736.0, "2074736"),
        ("2,074,736", "2074736"),
        (" 1_000 ", "1000"),
        (-3, "-3"),
    ],
)
def test_integer_is_exact(value, expected):
    assert normalise("integer", value) == expected


@pytest.mark.parametrize("value", [2074736.5, True, "twelve", None, [1]])
def test_integer_refuses_what_is_not_a_whole_number(value):
    with pytest.raises(AnswerFormError):
        normalise("integer", value)


def test_decimals_round_to_the_stated_places():
    assert normalise("decimals:1", 18.898) == "18.9"
    assert normalise("decimals:2", 173.41999999999962) == "173.42"
    assert normalise("decimals:0", 14233.33) == "14233"
    assert normalise("decimals:2", "36") == "36.00"
    assert normalise("decimals:2", -0.001) == "0.00"  # no negative zero
    assert normalise("decimals:3", np.float32(0.5)) == "0.500"
    with pytest.raises(AnswerFormError):
        normalise("decimals:2", "a lot")


def test_significant_figures():
    assert normalise("sigfigs:2", 13652.8) == "1.4e+04"
    assert normalise("sigfigs:2", "14000") == normalise("sigfigs:2", 1.4e4)
    assert normalise("sigfigs:3", 0.012345) == "1.23e-02"


def test_text_ignores_case_and_spacing():
    assert (
        normalise("text", "  Gateway   endpoint,\tnot NAT ")
        == "gateway endpoint, not nat"
    )
    assert normalise("text", "Prefix") == normalise("text", "prefix")
    with pytest.raises(AnswerFormError):
        normalise("text", None)


def test_boolean_accepts_python_numpy_and_words():
    assert [
        normalise("boolean", v) for v in (True, np.bool_(False), "Yes", " no ", "TRUE")
    ] == ["true", "false", "true", "false", "true"]
    for value in (1, "maybe", None):
        with pytest.raises(AnswerFormError):
            normalise("boolean", value)


def test_date_from_several_types():
    for value in (
        "2025-10-08",
        "2025-10-08 00:00:00",
        pd.Timestamp("2025-10-08", tz="UTC"),
        dt.date(2025, 10, 8),
        dt.datetime(2025, 10, 8, 13, 5),
        np.datetime64("2025-10-08T00:00"),
    ):
        assert normalise("date", value) == "2025-10-08", value
    with pytest.raises(AnswerFormError):
        normalise("date", "8 October")


def test_sets_ignore_order_and_duplicates_lists_do_not():
    assert (
        normalise("set of integer", [443, 80, 80.0])
        == normalise("set of integer", {80, 443})
        == "80|443"
    )
    assert normalise("set of integer", [1000, 99]) == "99|1000"  # numeric order
    assert normalise("set of text", pd.Index(["steady", "No_DNS"])) == "no_dns|steady"
    assert normalise("list of text", ["b", "a"]) != normalise(
        "list of text", ["a", "b"]
    )
    with pytest.raises(AnswerFormError):
        normalise("set of integer", "80, 443")  # a text is not a list


def test_records_need_their_length_and_each_item_its_rule():
    rule = ("text", "text", "integer")
    assert (
        normalise(rule, ("192.168.10.23", "198.51.100.77", "4444"))
        == "192.168.10.23|198.51.100.77|4444"
    )
    with pytest.raises(AnswerFormError, match="expected 3 values"):
        normalise(rule, ["192.168.10.23", "198.51.100.77"])
    with pytest.raises(AnswerFormError):
        normalise(rule, ["192.168.10.23", "198.51.100.77", "port 4444"])


def test_digest_is_sha256_of_label_and_normalised_answer():
    expected = hashlib.sha256("ex-00-x\n80|443".encode()).hexdigest()
    assert digest("ex-00-x", "set of integer", [443, 80]) == expected
    assert (
        digest("ex-00-y", "set of integer", [443, 80]) != expected
    )  # the label salts the hash


# --- right answers, computed independently --------------------------------------------


def mm1k_loss(rho: float, k: int) -> float:
    return (1 - rho) * rho**k / (1 - rho ** (k + 1))


def mm1k_delay_ms(rho: float, k: int, mu: float = 2500.0) -> float:
    """Mean time in system of the packets that get in (Little's law), for an M/M/1/K
    queue.
    """
    p = [(1 - rho) * rho**n / (1 - rho ** (k + 1)) for n in range(k + 1)]
    number = sum(n * pn for n, pn in enumerate(p))
    return 1000 * number / (rho * mu * (1 - p[-1]))


def doh_entry_seconds_left() -> float:
    """Seconds left at 10:10:00 for the DoH connection's conntrack entry: the kernel's
    432,000 s ESTABLISHED timeout after its last packet, that packet found by dpkt in
    the LAN capture."""
    last = None
    with open(ROOT / "data" / "captures" / "office-router-lan.pcapng", "rb") as f:
        for ts, buf in dpkt.pcapng.Reader(f):
            ip = dpkt.ethernet.Ethernet(buf).data
            if isinstance(ip, dpkt.ip.IP) and isinstance(ip.data, dpkt.tcp.TCP):
                ends = {
                    str(ipaddress.ip_address(ip.src)),
                    str(ipaddress.ip_address(ip.dst)),
                }
                if ends == {office_router.EVENTS["doh host"], office_router.DOH[1]}:
                    last = ts
    return 432_000 - (office_router.END.timestamp() - float(last))


def reputation_false_alarms(min_names: int = 20) -> int:
    """(day, host) pairs after the history with 20 or more distinct names under a domain
    whose characters reach 3.5 bits each, among hosts that did not leak: written out
    with Counter."""
    total = 0
    for number in egress_days.EVALUATION:
        if number in egress_days.HISTORY:
            continue
        d = egress_days.day(number)
        parts: dict[tuple, list[str]] = {}
        for client, name in zip(d.queries["client"], d.queries["name"]):
            labels = name.lower().rstrip(".").split(".")
            parts.setdefault((client, ".".join(labels[-2:])), []).append(name.lower())
        fired = set()
        for (client, _), names in parts.items():
            text = "".join("".join(n.split(".")[:-2]) for n in names)
            counts = Counter(text)
            bits = (
                -sum(c / len(text) * math.log2(c / len(text)) for c in counts.values())
                if text
                else 0.0
            )
            if len(set(names)) >= min_names and bits >= 3.5:
                fired.add(client)
        total += len(fired - {leak.host for leak in d.leaks})
    return total


SMALLEST_K = next(k for k in itertools.count(1) if mm1k_loss(0.9, k) < 0.01)


def sender_pays_ingress_nginx() -> float:
    """ingress-nginx's zone crossings under "the sender pays both sides", from the plan
    of the shipped day (not from its flow log): its requests to frontend and api pods in
    other zones, and the load balancer's hop in both directions (the node's side is the
    controller's) when node and pod are in different zones; 2 x 0.01 USD per GB of 2^30
    bytes, 30 days."""
    from ingress_egress.datagen.flowlogs import day_plan

    day = day_plan()
    streams, sessions = day.streams, day.sessions
    requests = streams[
        streams["pattern"].isin(["pages", "api direct"])
        & (streams["client_zone"] != streams["server_zone"])
    ]["up"].sum()
    hop = sessions[sessions["node_zone"] != sessions["controller_zone"]]
    return float(
        (requests + hop["bytes_in"].sum() + hop["bytes_out"].sum())
        / 2**30
        * 2
        * 0.01
        * 30
    )


RIGHT = {
    # the pod's request leaves every boundary it is inside of
    "ex-00-pod-to-api": ["egress", "egress", "egress"],
    "ex-00-download-bill": "Egress",
    "ex-00-two-pods": ["internal", "egress", "ingress"],
    # 1370 data segments (ceil(2e6 / 1460)) with 54 bytes of headers each, the SYN-ACK
    # (54 + 12 bytes of options) and the FIN (54 bytes, padded to Ethernet's 60-byte
    # minimum)
    "ex-01-server-egress": 2_000_000 + math.ceil(2_000_000 / 1460) * 54 + 66 + 60,
    # the upload from the laptop's capture: 5,243,580 bytes in ceil(/1460) = 3592
    # segments, one ACK (60 bytes, padded) per two; in: SYN-ACK 66, 1796 ACKs, the
    # 380-byte answer + 54, FIN 60; out: SYN 66, handshake ACK 54, 3592 data frames, FIN
    # 54, last ACK 54
    "ex-01-packets-vs-bytes": [
        (1 + 1796 + 1 + 1) / (1 + 1796 + 1 + 1 + 1 + 1 + 3592 + 1 + 1),
        (66 + 1796 * 60 + 434 + 60)
        / (66 + 1796 * 60 + 434 + 60 + 66 + 54 + 5_243_580 + 3592 * 54 + 54 + 54),
    ],
    # the generator's documented exfiltration episode
    "ex-02-night-sender": [
        EXFILTRATION.host,
        EXFILTRATION.destination,
        EXFILTRATION.port,
    ],
    # rules 100 (HTTP) and 110 (HTTPS) come before the deny rule 125
    "ex-03-deny-between": [443, 80],
    "ex-03-ntp-replies": "150",
    "ex-04-daytime-thief": ["night"],
    # ports alone let 443 to anywhere through; no DNS answer named 198.51.100.77
    "ex-04-port-443": "name-based",
    # the notebook's prose: "steady" and "no DNS" fire for one pair only, the
    # exfiltration
    "ex-04-indicator-alone": ["no_dns", "steady"],
    # the module's documented ground truth: the scanner's TCP 22, 23, 80, 443, 445,
    # 3389, 8080 and UDP 1900 (its ping has no port), and the spoofed SYN's port
    "ex-05-wan-only": [
        22,
        23,
        80,
        443,
        445,
        3389,
        8080,
        1900,
        office_router.SPOOFED[2],
    ],
    "ex-05-time-left": doh_entry_seconds_left(),
    "ex-05-names-threshold": reputation_false_alarms(),
    # every packet the office sends out goes to TCP or UDP 443, or to the resolver on
    # UDP 53
    "ex-05-doh-blind": 0,
    # AWS: 100 GB free then 0.09 USD; Google Cloud: 1 GiB free then 0.12 USD
    "ex-06-free-allowance": [100 + 45 / 0.09, 1 + 45 / 0.12],
    "ex-06-average-price": (10_240 * 0.09 - 10_340 * 0.085) / (0.088 - 0.085),
    # Google, 5,000 GiB: Premium 1 free, 1,024 at 0.12, 3,975 at 0.11; Standard 200
    # free, 4,800 at 0.085
    "ex-06-standard-tier": [1_024 * 0.12 + 3_975 * 0.11, 4_800 * 0.085],
    # direct 10,240 x 0.09 + 9,660 x 0.085; CloudFront 10,240 x 0.085 + 8,736 x 0.080;
    # 500 GB: 400 x 0.09
    "ex-06-cdn-or-not": [1_742.70 - 1_569.28, 1_742.70 - 1_569.28, 400 * 0.09],
    "ex-07-nat-hours": 3 * 365 * 24 * 0.045,
    "ex-08-predict-routes": [
        "api:8080",
        "frontend:80",
        "api:8080",
        "frontend:80",
        "api:8080",
    ],
    "ex-08-api-v2": "Prefix",
    "ex-08-city-shops": ["berlin.example.com"],
    # the first path of the first rule carries the pathType; /healthz is that rule's
    # third path
    "ex-08-api-server-says": [
        "spec.rules[0].http.paths[0].pathType",
        "spec.rules[0].http.paths[2].path",
    ],
    # namespace-wide policies cover the new pod; no egress rule selects it for the api
    # paths and header values are case-sensitive; DELETE misses the POST rule;
    # /v1/paymentsx is not below /v1/payments (path elements); on port 80 only the
    # redirect route (statusCode 301) is attached
    "ex-09-predict-routes": [
        "shop/frontend:80",
        "shop/api:8080",
        "shop/api-canary:8080",
        "shop/api:8080",
        "301",
    ],
    "ex-09-city-shops": [
        "berlin.example.com",
        "eu.berlin.example.com",
    ],  # one or more labels, not the apex
    "ex-09-canary-weight": 30,  # w / (90 + w) = 1/4
    "ex-09-not-attached": ["NotAllowedByListeners", "NoMatchingListenerHostname"],
    "ex-10-new-worker": [True, False, True],
    "ex-10-provider-callbacks": [True, True, False],  # endPort is inclusive
    "ex-10-scrape-the-db": "both",
    # whole 5-minute samples only: floor(5 % of 8064) and floor(5 % of 8928)
    "ex-12-free-hours": [
        math.floor(0.05 * 28 * 288) * 5 / 60,
        math.floor(0.05 * 31 * 288) * 5 / 60,
    ],
    # 30 packets from the bucket, the 31st once 20 bytes per 8 us have refilled 1000;
    # bucket = 64 kB minus the tokens earned in the 63 packet times before the last
    # packet
    "ex-12-police-burst": [31_000, 64_000 - 2.5e6 * 63 * 8e-6],
    "ex-12-buffer-size": [SMALLEST_K, mm1k_delay_ms(0.9, SMALLEST_K)],
    # four api pods, one in us-east-1c: 3 of 4 elsewhere; PreferClose keeps it in the
    # zone
    "ex-11-spread-the-api": [3 / 4, 0.0],
    # only the nodes with a controller pod (one in us-east-1a, one in us-east-1b) answer
    # the health check
    "ex-11-local-policy": [2, "client"],
    # 2 endpoints x 3 zones x 730 h x 0.01 USD, over 0.045 - 0.01 USD saved per GB
    "ex-11-endpoint-break-even": 2 * 3 * 730 * 0.01 / (0.045 - 0.01),
    "ex-11-sender-pays": sender_pays_ingress_nginx(),
}

WRONG = {
    "ex-00-pod-to-api": ["egress", "internal", "egress"],
    "ex-00-download-bill": "ingress",
    "ex-00-two-pods": ["internal", "ingress", "egress"],  # order matters
    "ex-01-server-egress": 2_000_000 + 1370 * 54,  # forgot SYN-ACK and FIN
    "ex-01-packets-vs-bytes": [1 / 3, 54 / (54 + 2 * 1514)],  # ACKs counted unpadded
    "ex-02-night-sender": [EXFILTRATION.host, EXFILTRATION.destination, 443],
    "ex-03-deny-between": [22, 80, 443],
    "ex-03-ntp-replies": 130,
    "ex-04-daytime-thief": ["night", "spike"],
    "ex-04-port-443": "both",
    "ex-04-indicator-alone": ["steady"],
    "ex-05-wan-only": [22, 23, 80, 443, 445, 3389, 8080],  # forgot UDP 1900
    "ex-05-time-left": 432_000,  # the full timeout, not what is left
    "ex-05-names-threshold": 0,
    "ex-05-doh-blind": 8,  # the name-based list's QUIC pairs
    "ex-06-free-allowance": [500, 375],  # without the free allowances
    "ex-06-average-price": 14_300,
    "ex-06-standard-tier": [
        1_024 * 0.12 + 3_975 * 0.11,
        5_000 * 0.085,
    ],  # Standard without its free 200
    "ex-06-cdn-or-not": [173.42, 150.00, 36.00],
    "ex-07-nat-hours": 3 * 365 * 24 * 0.045 + 0.01,
    "ex-08-predict-routes": [
        "api:8080",
        "frontend:80",
        "api:8080",
        "api:8080",
        "api:8080",
    ],
    "ex-08-api-v2": "ImplementationSpecific",
    "ex-08-city-shops": ["berlin.example.com", "eu.berlin.example.com"],
    "ex-08-api-server-says": [
        "spec.rules[0].http.paths[2].path",
        "spec.rules[0].http.paths[0].pathType",
    ],
    "ex-09-predict-routes": [
        "shop/api:8080",
        "shop/api-canary:8080",
        "shop/api:8080",
        "payments/payments:8080",
        "shop/api:8080",
    ],  # case-insensitive, characters, no redirect
    "ex-09-city-shops": ["berlin.example.com"],  # the Ingress meaning of the wildcard
    "ex-09-canary-weight": 25,  # a weight is not a percentage
    "ex-09-not-attached": ["NoMatchingListenerHostname", "NotAllowedByListeners"],
    "ex-10-new-worker": [True, True, True],
    "ex-10-provider-callbacks": [True, True, True],
    "ex-10-scrape-the-db": "destination",
    "ex-12-free-hours": [33.6, 37.2],  # 5 % of the hours, not of whole samples
    "ex-12-police-burst": [30_000, 64_000],
    "ex-12-buffer-size": [SMALLEST_K - 1, mm1k_delay_ms(0.9, SMALLEST_K)],
    "ex-11-spread-the-api": [0.75, 0.75],  # PreferClose ignored
    "ex-11-local-policy": [6, "node"],  # Cluster's behaviour
    "ex-11-endpoint-break-even": 2
    * 3
    * 730
    * 0.01
    / 0.045,  # endpoint processing forgotten
    "ex-11-sender-pays": sender_pays_ingress_nginx() / 2,  # one side only
}


def test_smallest_buffer_is_where_the_loss_formula_crosses_one_percent():
    assert mm1k_loss(0.9, SMALLEST_K) < 0.01 <= mm1k_loss(0.9, SMALLEST_K - 1)


@pytest.mark.parametrize("label", sorted(RIGHT))
def test_right_answer_is_correct(label, capsys):
    assert check(label, RIGHT[label]) is True
    assert capsys.readouterr().out == f"{label}: Correct.\n"


@pytest.mark.parametrize("label", sorted(WRONG))
def test_wrong_answer_is_rejected_with_a_hint(label, capsys):
    assert check(label, WRONG[label]) is False
    out = capsys.readouterr().out
    assert out.startswith(f"{label}: Not yet:") and REGISTRY[label].hint in " ".join(
        out.split()
    )


def test_rounding_a_right_answer_to_the_stated_precision_still_counts():
    assert check("ex-06-cdn-or-not", ["173.42", 173.42, 36])
    assert check("ex-12-free-hours", [33.58, 37.17])
    assert not check("ex-12-free-hours", [33.5, 37.1])  # coarser than the hint asks


@pytest.mark.parametrize(
    "label",
    sorted(
        label
        for label, e in REGISTRY.items()
        if isinstance(e.rule, tuple) and set(e.rule) == {"boolean"}
    ),
)
def test_exactly_one_combination_of_booleans_is_right(label, capsys):
    size = len(REGISTRY[label].rule)
    right = [
        combo
        for combo in itertools.product([True, False], repeat=size)
        if check(label, list(combo))
    ]
    capsys.readouterr()
    assert len(right) == 1


def test_every_registered_answer_rejects_an_absurd_value_of_the_right_form(capsys):
    absurd = {"integer": -1, "text": "not an answer", "date": "1970-01-01"}

    def value(rule):
        if rule.startswith(("decimals:", "sigfigs:")):
            return -1.0
        if rule.startswith(("set of ", "list of ")):
            return [value(rule.split(" of ", 1)[1])]
        return absurd[rule]

    for label, expected in REGISTRY.items():
        rule = expected.rule
        candidate = (
            [value(r) if r != "boolean" else True for r in rule]
            if isinstance(rule, tuple)
            else value(rule)
        )
        if isinstance(rule, tuple) and set(rule) == {"boolean"}:
            continue  # covered by the exhaustive test above
        assert check(label, candidate) is False, label
    capsys.readouterr()


def test_none_means_not_answered_yet(capsys):
    assert check("ex-02-backup-throughput", None) is False
    out = capsys.readouterr().out
    assert out.startswith(
        "ex-02-backup-throughput: Not answered yet.\n  Set `answer` to "
    )
    assert "Mbit/s" in out and "1 decimal" in " ".join(out.split())
    assert all(len(line) <= 72 for line in out.splitlines()[1:])


def test_an_answer_of_the_wrong_form_says_what_was_expected(capsys):
    assert check("ex-02-night-sender", ["192.168.10.23", "198.51.100.77"]) is False
    assert "expected 3 values in order, got 2" in capsys.readouterr().out
    assert check("ex-01-server-egress", "about two megabytes") is False
    assert "expected a whole number" in capsys.readouterr().out


def test_unknown_label_lists_the_known_ones():
    with pytest.raises(UnknownExercise) as error:
        check("ex-01-server-egres", 1)
    message = str(error.value)
    assert "'ex-01-server-egres'" in message and "ex-01-server-egress" in message
    assert isinstance(error.value, KeyError)


def test_registry_holds_hashes_rules_and_hints():
    for label, expected in REGISTRY.items():
        assert re.fullmatch(r"ex-\d\d-[a-z0-9]+(?:-[a-z0-9]+)*", label), label
        assert re.fullmatch(r"[0-9a-f]{64}", expected.sha256), label
        assert len(expected.hint) > 20, label


# --- wiring into the notebooks --------------------------------------------------------


def notebook_cells(path: Path) -> list[dict]:
    """The notebook's own cells (without the headings and glossary `make lab-ready` adds
    for JupyterLab).
    """
    return [
        dict(cell, text="".join(cell["source"]))
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
        if not is_lab_cell(cell)
    ]


def check_calls(text: str) -> list[str]:
    return re.findall(r"\bcheck\(\s*[\"']([^\"']+)[\"']", text)


def test_every_registered_label_is_an_exercise_of_a_notebook():
    labels = {
        label
        for path in NOTEBOOKS
        for cell in notebook_cells(path)
        if cell["cell_type"] == "markdown"
        for label in re.findall(r":::\{exercise\}\n:label: (\S+)", cell["text"])
    }
    assert set(REGISTRY) - labels == set()


def test_every_check_call_in_a_notebook_uses_a_registered_label():
    calls = [
        label
        for path in NOTEBOOKS
        for cell in notebook_cells(path)
        if cell["cell_type"] == "code"
        for label in check_calls(cell["text"])
    ]
    assert calls, "no notebook calls check()"
    assert sorted(set(calls) - set(REGISTRY)) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_self_check_has_a_learner_cell_and_a_solution_that_validates_it(path):
    cells = notebook_cells(path)
    for i, cell in enumerate(cells):
        match = (
            re.match(r":::\{exercise\}\n:label: (\S+)", cell["text"])
            if cell["cell_type"] == "markdown"
            else None
        )
        if not match or match.group(1) not in REGISTRY:
            continue
        label = match.group(1)
        learner = cells[i + 1]
        assert learner["cell_type"] == "code", (
            f"{path.name}: no learner cell after the exercise {label}"
        )
        assert re.match(r"answer = None\s+#", learner["text"]), (
            f"{path.name}: {label}: the learner cell starts empty"
        )
        assert check_calls(learner["text"]) == [label] and "answer)" in learner["text"]
        assert cells[i + 2]["text"].startswith(f":::{{solution-start}} {label}")
        end = next(
            j
            for j in range(i + 2, len(cells))
            if cells[j]["text"].startswith(":::{solution-end}")
        )
        solution = "\n".join(
            c["text"] for c in cells[i + 3 : end] if c["cell_type"] == "code"
        )
        assert re.search(
            rf"^assert check\(\"{label}\", ", solution, flags=re.MULTILINE
        ), f"{path.name}: the solution of {label} does not assert its self-check"
        outputs = "".join(
            "".join(o.get("text", ""))
            for c in cells[i + 3 : end]
            if c["cell_type"] == "code"
            for o in c.get("outputs", [])
        )
        assert f"{label}: Correct." in outputs, (
            f"{path.name}: the stored solution output of {label} is not 'Correct.'"
        )


def test_every_packet_the_router_lan_sends_out_goes_to_443_or_the_resolver():
    """The reason given above for ex-05-doh-blind, checked with dpkt."""
    with open(ROOT / "data" / "captures" / "office-router-lan.pcapng", "rb") as f:
        for _, buf in dpkt.pcapng.Reader(f):
            ip = dpkt.ethernet.Ethernet(buf).data
            if not isinstance(ip, dpkt.ip.IP) or not isinstance(
                ip.data, (dpkt.tcp.TCP, dpkt.udp.UDP)
            ):
                continue
            src, dst = ipaddress.ip_address(ip.src), ipaddress.ip_address(ip.dst)
            if src in ipaddress.ip_network(
                "192.168.10.0/24"
            ) and dst not in ipaddress.ip_network("192.168.10.0/24"):
                assert ip.data.dport == 443 or (
                    ip.data.dport == 53 and str(dst) == "192.0.2.53"
                ), (src, dst)
