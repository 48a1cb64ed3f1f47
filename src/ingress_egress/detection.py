"""Detection: how good is an egress monitor? Precision, recall and false alarms on days
with known truth.

An indicator that fired on the one day it was built for says little: it may fire every
day. The honest test runs the monitor on many days whose truth is known (clean days and
days with a planted leak, :mod:`ingress_egress.datagen.egress_days`) and counts, per
indicator and combined:

==================  ====================================================================
true positive       the monitor flags a host on a day that host leaked
false positive      it flags a host that did not leak that day (an analyst's wasted
                    hour)
false negative      a host leaked and was not flagged (the leak got away)
precision           TP / (TP + FP): of the hosts flagged, the share that leaked
recall              TP / (TP + FN): of the leaks, the share caught (the detection rate)
==================  ====================================================================

The unit is a (day, host) pair: the monitor flags a host if any of its (host,
destination) pairs, or any of the domains it asked about, fires the indicator. The
indicators are those of :func:`ingress_egress.egress_monitor.egress_alerts` (for pairs
that sent at least 1 MB, the monitor's own rule) and the three that notebook 05 adds:
``long_names`` and ``random_names``
(:func:`~ingress_egress.egress_monitor.tunnel_indicators`) and ``above_history``
(:func:`~ingress_egress.egress_monitor.volume_against_history`, for pairs the allow-list
allows, against the same pair's bytes on the history days).

Examples
--------
>>> truth = pd.Series([True, False, False, True])
>>> flagged = pd.Series([True, True, False, False])
>>> counts(flagged, truth)
{'tp': 1, 'fp': 1, 'fn': 1, 'tn': 1, 'precision': 0.5, 'recall': 0.5}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from ingress_egress.direction import is_inside
from ingress_egress.egress_monitor import (
    AllowEntry,
    allowlist_ruleset,
    egress_alerts,
    name_profile,
    names_by_address,
    tunnel_indicators,
    volume_against_history,
)

PAIR_INDICATORS = (
    "lopsided",
    "night",
    "steady",
    "rare",
    "spike",
    "no_dns",
    "not_allowed",
)
"""The indicators of notebook 04, judged on (host, destination) pairs."""
NEW_INDICATORS = ("long_names", "random_names", "above_history")
"""The indicators notebook 05 adds: query names (DNS tunnels) and a pair's volume
against its history.
"""
INDICATORS = PAIR_INDICATORS + NEW_INDICATORS
CANDIDATE_BYTES = 1_000_000
"""``egress_alerts``'s default: a pair must send at least this many bytes to be
judged.
"""


def counts(flagged: pd.Series, truth: pd.Series) -> dict:
    """Confusion counts, precision and recall of boolean ``flagged`` against boolean
    ``truth``.

    Precision is NaN when nothing was flagged, recall when nothing was true.
    """
    flagged = flagged.fillna(False).astype(bool).to_numpy()
    truth = truth.fillna(False).astype(bool).to_numpy()
    tp = int((flagged & truth).sum())
    fp = int((flagged & ~truth).sum())
    fn = int((~flagged & truth).sum())
    tn = int((~flagged & ~truth).sum())
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "tn": tn,
        "precision": tp / (tp + fp) if tp + fp else float("nan"),
        "recall": tp / (tp + fn) if tp + fn else float("nan"),
    }


def pair_table(
    packets: pd.DataFrame,
    answers: pd.DataFrame,
    inside: str | Iterable[str],
    allowlist: Iterable[AllowEntry | str | Mapping],
) -> pd.DataFrame:
    """The (host, destination) pairs of one day that ``egress_alerts`` judges (at least
    :data:`CANDIDATE_BYTES` sent, its own rule), with notebook 04's indicators, their
    ``score`` and ``allowed`` (the allow-list blocked none of the pair's packets)."""
    policy = allowlist_ruleset(allowlist, names_by_address(answers))
    table = egress_alerts(
        packets, inside, dns=answers, allowlist=policy, min_bytes=CANDIDATE_BYTES
    )
    table["score"] = table[list(PAIR_INDICATORS)].sum(axis=1).astype("int64")
    table["allowed"] = ~table["not_allowed"].astype(bool)
    return table


def bytes_out(packets: pd.DataFrame, inside: str | Iterable[str]) -> pd.DataFrame:
    """Bytes (sum of ``length``) each inside host sent to each outside address:
    ``host``, ``destination``, ``bytes_out``, one row per pair that sent anything.

    >>> p = pd.DataFrame(
    ...     {
    ...         "src": ["10.0.0.2", "10.0.0.2", "192.0.2.9"],
    ...         "dst": ["192.0.2.9"] * 2 + ["10.0.0.2"],
    ...         "length": [100, 60, 1500],
    ...     }
    ... )
    >>> bytes_out(p, "10.0.0.0/8").values.tolist()
    [['10.0.0.2', '192.0.2.9', 160]]
    """
    src_in = is_inside(packets["src"], inside).fillna(False).to_numpy(dtype=bool)
    dst_in = is_inside(packets["dst"], inside).fillna(False).to_numpy(dtype=bool)
    out = packets[
        src_in & ~dst_in & (packets["dst"].astype(str) != "").to_numpy(dtype=bool)
    ]
    table = out.groupby([out["src"].astype(str), out["dst"].astype(str)])[
        "length"
    ].sum()
    table.index.names = ["host", "destination"]
    return table.astype("int64").rename("bytes_out").reset_index()


def host_table(
    pairs: pd.DataFrame,
    queries: pd.DataFrame,
    *,
    hosts: Iterable[str],
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per host: each indicator fired for any of its pairs or domains, and its
    best score.

    ``history`` (columns ``day``, ``host``, ``destination``, ``bytes_out``:
    :func:`bytes_out` of past days) enables ``above_history``, judged for today's
    allowed pairs; without it that column is all False.
    """
    hosts = sorted(
        set(hosts),
        key=lambda h: tuple(int(x) for x in h.split(".")) if "." in h else (0,),
    )
    per_pair = pairs.groupby("host")[list(PAIR_INDICATORS)].any()
    score = pairs.groupby("host")["score"].max()
    table = per_pair.reindex(hosts, fill_value=False).astype(bool)
    table["score"] = score.reindex(hosts, fill_value=0).astype("int64")
    names = tunnel_indicators(name_profile(queries))
    for name in ("long_names", "random_names"):
        table[name] = (
            names.groupby("client")[name]
            .any()
            .reindex(hosts, fill_value=False)
            .astype(bool)
            if len(names)
            else False
        )
    if history is not None:
        allowed = pairs[pairs["allowed"]][["host", "destination", "bytes_out"]]
        above = volume_against_history(allowed, history)
        table["above_history"] = (
            above.groupby("host")["above_history"]
            .any()
            .reindex(hosts, fill_value=False)
        )
    else:
        table["above_history"] = False
    table["above_history"] = table["above_history"].astype(bool)
    table.index.name = "host"
    return table.reset_index()


def score_days(
    days: Iterable,
    inside: str | Iterable[str],
    allowlist: Iterable[AllowEntry | str | Mapping],
    *,
    hosts: Iterable[str],
    history_days: Iterable[int],
) -> pd.DataFrame:
    """Run the monitor over generated days
    (:class:`ingress_egress.datagen.egress_days.Day`).

    Days whose number is in ``history_days`` are judged without history and give the
    history of the others. One row per (day, host): ``day``, ``host``, the indicators,
    ``score``, ``leaked`` (the ground truth: this host had a leak planted that day) and
    ``kind`` (of that leak, or ""). Days are scored history first, so each later day is
    judged against all of the history.
    """
    allowlist = list(allowlist)
    hosts = list(hosts)
    history_days = set(history_days)
    scored, history = [], []
    days = sorted(days, key=lambda d: (d.number not in history_days, d.number))
    for d in days:
        pairs = pair_table(d.packets, d.answers, inside, allowlist)
        past = (
            pd.concat(history, ignore_index=True)
            if history and d.number not in history_days
            else None
        )
        table = host_table(pairs, d.queries, hosts=hosts, history=past)
        if d.number in history_days:
            history.append(bytes_out(d.packets, inside).assign(day=d.number))
        kind_of = {leak.host: leak.kind for leak in d.leaks}
        table.insert(0, "day", d.number)
        table["leaked"] = table["host"].isin(list(kind_of))
        table["kind"] = [kind_of.get(host, "") for host in table["host"]]
        scored.append(table)
    return pd.concat(scored, ignore_index=True)


def calibrate(history: pd.DataFrame) -> int:
    """The combined-score threshold that raised no alert on clean days: one above their
    highest score.

    >>> calibrate(pd.DataFrame({"score": [0, 3, 4, 2]}))
    5
    """
    return int(history["score"].max()) + 1


def rules(scores: pd.DataFrame, threshold: int) -> dict[str, pd.Series]:
    """The decision rules to compare: each indicator alone, notebook 04's combined score
    (at least ``threshold`` of its seven indicators), the new indicators together, and
    both combined."""
    decided = {name: scores[name].astype(bool) for name in INDICATORS}
    decided[f"score >= {threshold} (04)"] = scores["score"] >= threshold
    decided["any new indicator"] = scores[list(NEW_INDICATORS)].any(axis=1)
    decided["04 or any new"] = (
        decided[f"score >= {threshold} (04)"] | decided["any new indicator"]
    )
    return decided


def precision_recall(scores: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Precision, recall and confusion counts of every rule of :func:`rules` on
    ``scores``, plus the recall on each leak kind. One row per rule, in the order of
    :func:`rules`."""
    rows = []
    kinds = sorted(k for k in scores["kind"].unique() if k)
    for name, flagged in rules(scores, threshold).items():
        row = {"rule": name, **counts(flagged, scores["leaked"])}
        for kind in kinds:
            mask = scores["kind"] == kind
            row[f"recall {kind}"] = float(flagged[mask].mean())
        rows.append(row)
    return pd.DataFrame(rows).set_index("rule")
