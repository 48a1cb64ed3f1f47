"""Egress monitoring: find data leaving that should not, with statistics you can
explain.

Most firewalls are built to keep things out; data theft and command-and-control traffic
go the other way. This module looks at what leaves the boundary (``egress`` packets,
from :func:`ingress_egress.direction.classify`) with a few simple measures, each of
which a person can check by hand:

* **volume per host and time bin** (:func:`outbound_by_host`) against the host's own
  baseline: the median and the median absolute deviation (MAD), combined in the
  *modified z-score* of Iglewicz and Hoaglin, ``0.6745 * (x - median) / MAD``; values
  above 3.5 are their suggested outliers (:func:`robust_zscore`);
* **per destination** (:func:`destination_profile`): bytes out versus bytes in (uploads
  are lopsided), how much of it left at night, how long and how steadily it flowed (the
  coefficient of variation of the bytes per minute), how many internal hosts talk to
  that destination, and whether it was ever seen before;
* **ranked alerts** (:func:`egress_alerts`): each (host, destination) pair that sent
  enough bytes scores one point per indicator that fires, and says why in words;
* **names** (:func:`dns_answers`): which addresses the capture's DNS answers gave out.
  Ordinary software looks a name up before it connects; a destination that no answer
  named is worth a look;
* **default-deny egress** (:func:`allowlist_ruleset`, :func:`evaluate_allowlist`): an
  allow-list of destination networks, DNS names and ports, replayed over the capture
  with the stateful firewall simulator of :mod:`ingress_egress.firewall`, shows what
  such a policy would have blocked;
* **names asked for** (:func:`dns_queries`, :func:`name_profile`,
  :func:`tunnel_indicators`): a DNS tunnel hides its data in many long, random names
  under one domain (Shannon entropy per character, :func:`shannon_entropy`);
* **volume against its own history** (:func:`volume_against_history`): a leak to a
  destination the office uses every day stands out only against what the same host sent
  there on other days.

Examples
--------
>>> import pandas as pd
>>> robust_zscore(pd.Series([10.0, 11.0, 9.0, 10.0, 100.0])).round(2).tolist()
[0.0, 0.67, -0.67, 0.0, 60.7]
"""

from __future__ import annotations

import ipaddress
import re
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ingress_egress.direction import classify
from ingress_egress.firewall import (
    ANY,
    Rule,
    RuleError,
    RuleSet,
    parse_networks,
    parse_ports,
    parse_protocol,
    replay,
)

MODIFIED_Z_THRESHOLD = 3.5
"""Iglewicz and Hoaglin's suggested cut-off for the modified z-score."""

# the 0.75 quantile of the standard normal: makes MAD comparable to a standard deviation
_MAD_SCALE = 0.6745
_MEANAD_SCALE = (
    0.7979  # sqrt(2/pi): the same for the mean absolute deviation (used when MAD is 0)
)


def _egress_ingress(packets: pd.DataFrame, inside: str | Iterable[str]) -> pd.Series:
    for column in ("src", "dst", "time", "length"):
        if column not in packets.columns:
            raise KeyError(
                f"egress monitor: packets need a {column!r} "
                f"column (have {list(packets.columns)})"
            )
    return classify(packets, inside)


def robust_zscore(values: pd.Series) -> pd.Series:
    """The modified z-score of each value: ``0.6745 * (x - median) / MAD``.

    MAD is the median of ``|x - median|``. When more than half the values are equal the
    MAD is 0; then the mean absolute deviation takes its place (``0.7979 * (x - median)
    / meanAD``), and if that is 0 too every value equals the median and scores 0.

    >>> robust_zscore(pd.Series([0.0, 0.0, 0.0, 0.0, 8.0])).round(2).tolist()
    [0.0, 0.0, 0.0, 0.0, 3.99]
    """
    x = pd.to_numeric(values).astype(float)
    median = x.median()
    deviation = (x - median).abs()
    mad = deviation.median()
    if mad > 0:
        return _MAD_SCALE * (x - median) / mad
    mean_ad = deviation.mean()
    if mean_ad > 0:
        return _MEANAD_SCALE * (x - median) / mean_ad
    return x * 0.0


def outbound_by_host(
    packets: pd.DataFrame, inside: str | Iterable[str], freq: str = "1h"
) -> pd.DataFrame:
    """Bytes (sum of ``length``) and packets each internal host sent out and received,
    per time bin.

    One row per (host, bin) for every bin from the capture's first to its last,
    including bins in which the host sent nothing (they matter for its baseline).
    Columns: ``host``, ``bin`` (bin start, UTC), ``bytes_out``, ``packets_out``,
    ``bytes_in``, ``z_out`` (the modified z-score of ``bytes_out`` among that host's
    bins), sorted by host and bin.

    >>> p = pd.DataFrame(
    ...     {
    ...         "time": pd.to_datetime([0, 1, 3600], unit="s", utc=True),
    ...         "src": ["10.0.0.2", "192.0.2.1", "10.0.0.2"],
    ...         "dst": ["192.0.2.1", "10.0.0.2", "192.0.2.1"],
    ...         "length": [100, 40, 300],
    ...     }
    ... )
    >>> outbound_by_host(p, "10.0.0.0/8")[
    ...     ["host", "bytes_out", "packets_out", "bytes_in"]
    ... ].values.tolist()
    [['10.0.0.2', 100, 1, 40], ['10.0.0.2', 300, 1, 0]]
    """
    direction = _egress_ingress(packets, inside)
    time = pd.to_datetime(packets["time"], utc=True)
    length = pd.to_numeric(packets["length"]).astype("int64")
    out = direction == "egress"
    inn = direction == "ingress"
    frames = [
        pd.DataFrame(
            {
                "host": packets["src"][out],
                "bin": time[out].dt.floor(freq),
                "bytes_out": length[out],
                "packets_out": 1,
                "bytes_in": 0,
            }
        ),
        pd.DataFrame(
            {
                "host": packets["dst"][inn],
                "bin": time[inn].dt.floor(freq),
                "bytes_out": 0,
                "packets_out": 0,
                "bytes_in": length[inn],
            }
        ),
    ]
    both = pd.concat(frames, ignore_index=True)
    columns = ["host", "bin", "bytes_out", "packets_out", "bytes_in", "z_out"]
    if (
        both.empty
    ):  # nothing crossed the boundary: an empty table with the usual column types
        dtypes = {
            "host": "str",
            "bin": "datetime64[ns, UTC]",
            "bytes_out": "int64",
            "packets_out": "int64",
            "bytes_in": "int64",
            "z_out": "float64",
        }
        return pd.DataFrame(
            {column: pd.Series(dtype=dtypes[column]) for column in columns}
        )
    both["host"] = both["host"].astype(str)
    sums = both.groupby(["host", "bin"]).sum()
    bins = pd.date_range(time.min().floor(freq), time.max().floor(freq), freq=freq)
    grid = pd.MultiIndex.from_product(
        [sorted(both["host"].unique()), bins], names=["host", "bin"]
    )
    table = sums.reindex(grid, fill_value=0).reset_index()
    for column in ("bytes_out", "packets_out", "bytes_in"):
        table[column] = table[column].astype("int64")
    table["z_out"] = table.groupby("host")["bytes_out"].transform(robust_zscore)
    return table[columns]


def _night_mask(time: pd.Series, night: tuple[int, int], tz: str) -> pd.Series:
    start, end = night
    if not (0 <= start <= 23 and 0 <= end <= 24):
        raise ValueError(f"night: hours must be 0-24, got {night!r}")
    hour = time.dt.tz_convert(tz).dt.hour
    return (
        (hour >= start) & (hour < end)
        if start < end
        else (hour >= start) | (hour < end)
    )


def destination_profile(
    packets: pd.DataFrame,
    inside: str | Iterable[str],
    *,
    night: tuple[int, int] = (0, 6),
    tz: str = "UTC",
    known_destinations: Iterable[str] | None = None,
) -> pd.DataFrame:
    """One row per (internal host, external destination address) the host sent anything
    to.

    Columns:

    ``host``, ``destination``; ``ports`` (the destination ports of the outbound packets,
    as text); ``packets_out``, ``bytes_out``, ``bytes_in`` (bytes the destination sent
    back to the host); ``out_in_ratio`` (``bytes_out / bytes_in``, infinite when nothing
    came back); ``first_seen``, ``last_seen`` (outbound packets, UTC); ``minutes`` (from
    first to last outbound packet); ``night_share`` (fraction of ``bytes_out`` sent in
    the ``night`` hours ``[start, end)`` of time zone ``tz``); ``cv_per_minute``
    (standard deviation / mean of the bytes sent in each minute from first to last
    outbound packet, counting silent minutes: small for a steady stream, large for
    bursts); ``hosts_for_destination`` (how many internal hosts sent to that
    destination); ``known`` (whether the destination is in ``known_destinations``;
    missing when no list is given). Sorted by ``bytes_out``, largest first.
    """
    direction = _egress_ingress(packets, inside)
    time = pd.to_datetime(packets["time"], utc=True)
    length = pd.to_numeric(packets["length"]).astype("int64")
    out = (direction == "egress").fillna(False).to_numpy()
    inn = (direction == "ingress").fillna(False).to_numpy()
    dport = (
        packets["dport"]
        if "dport" in packets.columns
        else pd.Series(pd.NA, index=packets.index)
    )
    egress = pd.DataFrame(
        {
            "host": packets["src"][out].astype(str),
            "destination": packets["dst"][out].astype(str),
            "time": time[out],
            "length": length[out],
            "dport": dport[out].astype("Int64"),
            "night": _night_mask(time[out], night, tz),
        }
    )
    ingress = pd.DataFrame(
        {
            "host": packets["dst"][inn].astype(str),
            "destination": packets["src"][inn].astype(str),
            "length": length[inn],
        }
    )
    columns = [
        "host",
        "destination",
        "ports",
        "packets_out",
        "bytes_out",
        "bytes_in",
        "out_in_ratio",
        "first_seen",
        "last_seen",
        "minutes",
        "night_share",
        "cv_per_minute",
        "hosts_for_destination",
        "known",
    ]
    if egress.empty:
        return pd.DataFrame(columns=columns)
    egress["night_bytes"] = egress["length"].where(egress["night"], 0)
    keys = ["host", "destination"]
    grouped = egress.groupby(keys)
    table = grouped.agg(
        packets_out=("length", "size"),
        bytes_out=("length", "sum"),
        night_bytes=("night_bytes", "sum"),
        first_seen=("time", "min"),
        last_seen=("time", "max"),
    )
    table["ports"] = grouped["dport"].agg(
        lambda s: ",".join(str(p) for p in sorted(s.dropna().unique()))
    )
    table["bytes_in"] = (
        ingress.groupby(keys)["length"]
        .sum()
        .reindex(table.index, fill_value=0)
        .astype("int64")
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        table["out_in_ratio"] = table["bytes_out"] / table["bytes_in"].replace(
            0, np.nan
        )
    table.loc[table["bytes_in"] == 0, "out_in_ratio"] = np.inf
    table["minutes"] = (
        table["last_seen"] - table["first_seen"]
    ).dt.total_seconds() / 60
    table["night_share"] = table["night_bytes"] / table["bytes_out"]
    table["cv_per_minute"] = _cv_per_minute(egress, keys)
    counts = table.reset_index().groupby("destination")["host"].nunique()
    table = table.reset_index()
    table["hosts_for_destination"] = table["destination"].map(counts).astype("int64")
    if known_destinations is None:
        table["known"] = pd.array([pd.NA] * len(table), dtype="boolean")
    else:
        known = _known_matcher(known_destinations)
        table["known"] = pd.array(
            [known(d) for d in table["destination"]], dtype="boolean"
        )
    table = table.sort_values(
        ["bytes_out", "host", "destination"],
        ascending=[False, True, True],
        kind="stable",
    )
    return table[columns].reset_index(drop=True)


def _cv_per_minute(egress: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Coefficient of variation of bytes per minute, over every minute from first to
    last packet.
    """
    minute = egress["time"].dt.floor("1min")
    per_minute = egress.assign(minute=minute).groupby(keys + ["minute"])["length"].sum()
    span = per_minute.reset_index().groupby(keys)["minute"].agg(["min", "max"])
    n_minutes = ((span["max"] - span["min"]).dt.total_seconds() // 60 + 1).astype(
        "int64"
    )
    total = per_minute.groupby(level=keys).sum().astype(float)
    sum_sq = (per_minute.astype(float) ** 2).groupby(level=keys).sum()
    mean = total / n_minutes
    variance = (sum_sq / n_minutes - mean**2).clip(
        lower=0
    )  # silent minutes count as 0 bytes
    return np.sqrt(variance) / mean


def _known_matcher(known: Iterable[str]):
    known = list(known)
    if not known:
        return lambda address: False
    networks = parse_networks(known, what="known_destinations")
    if networks is None:
        return lambda address: True

    def is_known(address: str) -> bool:
        a = ipaddress.ip_address(address)
        return any(a.version == n.version and a in n for n in networks)

    return is_known


def _format_bytes(n: float) -> str:
    from ingress_egress.plotting import human_bytes

    return human_bytes(n)


def egress_alerts(
    packets: pd.DataFrame,
    inside: str | Iterable[str],
    *,
    min_bytes: int = 1_000_000,
    ratio: float = 10.0,
    night: tuple[int, int] = (0, 6),
    tz: str = "UTC",
    night_share: float = 0.5,
    steady_minutes: float = 30.0,
    steady_cv: float = 0.5,
    z_threshold: float = MODIFIED_Z_THRESHOLD,
    freq: str = "1h",
    known_destinations: Iterable[str] | None = None,
    allowlist: RuleSet | None = None,
    dns: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Ranked alerts: which (host, destination) pairs look like data leaving that should
    not, and why.

    Candidates are pairs that sent at least ``min_bytes`` out (decimal bytes). Each
    scores one point per indicator that fires:

    ``lopsided``: ``out_in_ratio >= ratio`` (much more sent than received, like an
    upload); ``night``: at least ``night_share`` of the bytes left in the ``night``
    hours (time zone ``tz``); ``steady``: flowed for at least ``steady_minutes`` with
    ``cv_per_minute <= steady_cv``; ``rare``: no other internal host sends to this
    destination; ``spike``: while the pair was active, the host's outbound bytes per
    ``freq`` bin reached a modified z-score of at least ``z_threshold`` against the
    host's own bins; ``new``: the destination is not in ``known_destinations`` (only
    when that list is given); ``not_allowed``: the ``allowlist`` rule set (see
    :func:`allowlist_ruleset`) would have blocked some of the pair's outbound packets
    (only when given); ``no_dns``: no DNS answer in ``dns`` (a :func:`dns_answers`
    table) gave out the destination's address before the pair's first packet, and the
    destination is not one of the resolvers that answered (a host's resolver is
    configured, not looked up) (only when given).

    Returns one row per candidate with the :func:`destination_profile` columns, one
    boolean column per indicator, ``score`` and ``reasons`` (the fired indicators in
    words, with their numbers), ranked by score then bytes out.
    """
    profile = destination_profile(
        packets, inside, night=night, tz=tz, known_destinations=known_destinations
    )
    table = profile[profile["bytes_out"] >= min_bytes].copy().reset_index(drop=True)
    binned = outbound_by_host(packets, inside, freq=freq)
    night_text = f"{night[0]:02d}:00-{night[1]:02d}:00 {tz}"

    table["lopsided"] = table["out_in_ratio"] >= ratio
    table["night"] = table["night_share"] >= night_share
    table["steady"] = (table["minutes"] >= steady_minutes) & (
        table["cv_per_minute"] <= steady_cv
    )
    table["rare"] = table["hosts_for_destination"] == 1
    peaks = []
    for row in table.itertuples():
        bins = binned[
            (binned["host"] == row.host)
            & (binned["bin"] >= row.first_seen.floor(freq))
            & (binned["bin"] <= row.last_seen)
        ]
        peaks.append(bins.loc[bins["z_out"].idxmax()] if len(bins) else None)
    table["peak_z"] = [p["z_out"] if p is not None else np.nan for p in peaks]
    table["peak_bytes"] = [p["bytes_out"] if p is not None else 0 for p in peaks]
    table["spike"] = table["peak_z"] >= z_threshold
    indicators = ["lopsided", "night", "steady", "rare", "spike"]
    if known_destinations is not None:
        table["new"] = ~table["known"].astype(bool)
        indicators.append("new")
    if allowlist is not None:
        blocked = _blocked_pairs(packets, inside, allowlist)
        table["blocked_bytes"] = [
            blocked.get((h, d), 0) for h, d in zip(table["host"], table["destination"])
        ]
        table["not_allowed"] = table["blocked_bytes"] > 0
        indicators.append("not_allowed")
    if dns is not None:
        first_named = (
            pd.to_datetime(dns["time"], utc=True)
            .groupby(dns["address"].astype(str))
            .min()
        )
        named = pd.to_datetime(
            table["destination"].map(first_named.to_dict()), utc=True
        )  # NaT: never named
        resolvers = (
            set(dns["resolver"].astype(str)) if "resolver" in dns.columns else set()
        )
        table["no_dns"] = ~(
            (named.notna() & (named <= table["first_seen"]))
            | table["destination"].isin(resolvers)
        )
        indicators.append("no_dns")
    table["score"] = (
        table[indicators].sum(axis=1).astype("int64")
        if len(table)
        else pd.Series(dtype="int64")
    )

    host_median = binned.groupby("host")["bytes_out"].median()
    reasons = []
    for k, row in table.iterrows():
        words = []
        if row["lopsided"]:
            ratio_text = (
                "nothing came back"
                if np.isinf(row["out_in_ratio"])
                else f"{row['out_in_ratio']:.0f} times what came back"
            )
            words.append(
                f"sent {_format_bytes(row['bytes_out'])}, "
                f"{ratio_text} ({_format_bytes(row['bytes_in'])})"
            )
        if row["night"]:
            words.append(f"{row['night_share']:.0%} of it at night ({night_text})")
        if row["steady"]:
            words.append(
                f"a steady stream for {row['minutes']:.0f} minutes (bytes per minute "
                f"vary by {row['cv_per_minute']:.0%})"
            )
        if row["rare"]:
            words.append("no other internal host sends to this destination")
        if row["spike"]:
            words.append(
                f"in its busiest {freq} bin the host sent "
                f"{_format_bytes(row['peak_bytes'])}, a robust z-score of "
                f"{row['peak_z']:.1f} against its usual bin "
                f"({_format_bytes(host_median.get(row['host'], 0))}, the median)"
            )
        if "new" in indicators and row["new"]:
            words.append("destination never seen before")
        if "not_allowed" in indicators and row["not_allowed"]:
            words.append(
                "the egress allow-list would have blocked "
                f"{_format_bytes(row['blocked_bytes'])}"
            )
        if "no_dns" in indicators and row["no_dns"]:
            words.append(
                f"no DNS answer named {row['destination']} before the host connected"
            )
        reasons.append("; ".join(words))
    table["reasons"] = reasons
    table = table.sort_values(
        ["score", "bytes_out", "host", "destination"],
        ascending=[False, False, True, True],
        kind="stable",
    ).reset_index(drop=True)
    return table


# --------------------------------------------------------------------------------------
# Names from DNS answers
# --------------------------------------------------------------------------------------

_DNS_A, _DNS_AAAA = 1, 28


class _Malformed(ValueError):
    pass


def _dns_name(data: bytes, pos: int) -> tuple[str, int]:
    """Read a (possibly compressed) domain name at ``pos``; return it and the position
    after it.
    """
    labels: list[str] = []
    after = None
    for _ in range(128):  # bounds the work on a pointer loop
        if pos >= len(data):
            raise _Malformed("name runs past the end of the captured bytes")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(data):
                raise _Malformed("compression pointer cut off")
            if after is None:
                after = pos + 2
            pos = ((length & 0x3F) << 8) | data[pos + 1]
            continue
        if length & 0xC0:
            raise _Malformed(f"unknown label type 0x{length & 0xC0:02x}")
        pos += 1
        if length == 0:
            return ".".join(labels), after if after is not None else pos
        if pos + length > len(data):
            raise _Malformed("label runs past the end of the captured bytes")
        labels.append(data[pos : pos + length].decode("ascii", "replace").lower())
        pos += length
    raise _Malformed("compression pointers loop")


def _dns_response(data: bytes) -> list[tuple[str, str, int]] | None:
    """(question name, address, ttl) for each A/AAAA answer; None if the message is a
    query.
    """
    if len(data) < 12:
        raise _Malformed(f"{len(data)} bytes, shorter than the 12-byte DNS header")
    _, flags, qdcount, ancount = struct.unpack_from("!HHHH", data)
    if not flags & 0x8000:
        return None
    pos, question = 12, ""
    for k in range(qdcount):
        name, pos = _dns_name(data, pos)
        question = question or name
        pos += 4
    answers = []
    for _ in range(ancount):
        owner, pos = _dns_name(data, pos)
        if pos + 10 > len(data):
            raise _Malformed("answer record header cut off")
        rtype, _, ttl, rdlength = struct.unpack_from("!HHIH", data, pos)
        pos += 10
        if pos + rdlength > len(data):
            raise _Malformed("answer data cut off")
        if (rtype, rdlength) in ((_DNS_A, 4), (_DNS_AAAA, 16)):
            answers.append(
                (
                    question or owner,
                    str(ipaddress.ip_address(data[pos : pos + rdlength])),
                    ttl,
                )
            )
        pos += rdlength
    return answers


def _udp_dns_packets(packets, port_column: str, caller: str):
    """The rows of UDP port 53 (``port_column`` "sport" for answers, "dport" for
    questions) that carry a payload; a KeyError naming ``caller`` when a column the DNS
    readers need is missing."""
    for column in (
        "frame",
        "payload_offset",
        "protocol",
        port_column,
        "src",
        "dst",
        "time",
    ):
        if column not in packets.columns:
            raise KeyError(
                f"{caller}: packets need a {column!r} column; read the capture with "
                f"read_capture(path, keep_bytes=True)"
            )
    port = packets[port_column].astype("Int64")
    mask = (
        (packets["protocol"] == "UDP")
        & (port == 53)
        & packets["payload_offset"].notna()
    ).fillna(False)
    return packets[mask.to_numpy(dtype=bool)]


def dns_answers(packets: pd.DataFrame) -> pd.DataFrame:
    """The A and AAAA answers in a capture's DNS responses (UDP from port 53).

    ``packets`` must come from ``read_capture(path, keep_bytes=True)`` (it needs the
    ``frame`` and ``payload_offset`` columns). One row per answered address: ``time``,
    ``client`` (who asked), ``resolver``, ``name`` (the name asked for, lower case; with
    a CNAME chain, the first name), ``address``, ``ttl`` (seconds); in capture order.
    Responses that cannot be parsed (cut by the snap length, malformed) are skipped and
    counted: ``attrs["responses"]``, ``attrs["skipped"]`` and
    ``attrs["skipped_reasons"]`` ({frame number: reason}).

    >>> from ingress_egress import packets as pk
    >>> payload = pk.dns_response(7, "www.example.com", "A", ["192.0.2.10"])
    >>> frame = b"\\x00" * 42 + payload
    >>> table = pd.DataFrame(
    ...     {
    ...         "time": [pd.Timestamp(0, tz="UTC")],
    ...         "src": ["192.0.2.53"],
    ...         "dst": ["10.0.0.2"],
    ...         "protocol": ["UDP"],
    ...         "sport": [53],
    ...         "frame": [frame],
    ...         "payload_offset": [42],
    ...     }
    ... )
    >>> dns_answers(table)[["client", "name", "address", "ttl"]].values.tolist()
    [['10.0.0.2', 'www.example.com', '192.0.2.10', 300]]
    """
    subset = _udp_dns_packets(packets, "sport", "dns_answers")
    rows, skipped = [], {}
    responses = 0
    for frame_no, time, src, dst, frame, offset in zip(
        subset.index,
        subset["time"],
        subset["src"],
        subset["dst"],
        subset["frame"],
        subset["payload_offset"],
    ):
        try:
            answers = _dns_response(bytes(frame)[int(offset) :])
        except _Malformed as error:
            skipped[frame_no] = str(error)
            continue
        if answers is None:
            continue
        responses += 1
        rows += [(time, dst, src, name, address, ttl) for name, address, ttl in answers]
    table = pd.DataFrame(
        rows, columns=["time", "client", "resolver", "name", "address", "ttl"]
    )
    table["ttl"] = table["ttl"].astype("int64")
    table.attrs = {
        "responses": responses,
        "skipped": len(skipped),
        "skipped_reasons": skipped,
    }
    return table


def names_by_address(answers: pd.DataFrame) -> dict[str, list[str]]:
    """Address -> the sorted names DNS answers gave for it (input for
    :func:`allowlist_ruleset`).

    >>> names_by_address(
    ...     pd.DataFrame(
    ...         {
    ...             "name": ["b.example", "a.example", "a.example"],
    ...             "address": ["192.0.2.1", "192.0.2.1", "192.0.2.2"],
    ...         }
    ...     )
    ... )
    {'192.0.2.1': ['a.example', 'b.example'], '192.0.2.2': ['a.example']}
    """
    grouped = answers.groupby("address")["name"].agg(lambda s: sorted(set(s)))
    return {address: names for address, names in sorted(grouped.items())}


# --------------------------------------------------------------------------------------
# Default-deny egress with an allow-list
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllowEntry:
    """One allowed kind of outbound traffic: a destination (CIDR network, address, or
    DNS name with an optional leading ``*.`` wildcard), destination ports and a
    protocol.

    >>> AllowEntry("*.updates.example", ports=443, protocol="tcp").is_name
    True
    >>> AllowEntry("198.51.100.0/24").is_name
    False
    """

    destination: str
    ports: object = None
    protocol: str = ANY
    note: str = ""

    @property
    def is_name(self) -> bool:
        """Is the destination a DNS name (rather than a network or address)?"""
        try:
            ipaddress.ip_network(self.destination.strip(), strict=False)
            return False
        except ValueError:
            return True

    def label(self) -> str:
        """Short text naming the entry, used as its rule id."""
        port = "" if self.ports is None else f":{self.ports}"
        protocol = (
            ""
            if str(self.protocol).lower() == ANY
            else f" {str(self.protocol).upper()}"
        )
        return f"{self.destination}{port}{protocol}"


_NAME_PATTERN = re.compile(r"^(\*\.)?([A-Za-z0-9_-]+\.)*[A-Za-z0-9_-]+\.?$")


def _entry(entry: AllowEntry | str | Mapping, position: int) -> AllowEntry:
    if isinstance(entry, str):
        entry = AllowEntry(entry)
    elif isinstance(entry, Mapping):
        try:
            entry = AllowEntry(**dict(entry))
        except TypeError as error:
            raise RuleError(f"allow-list entry {position}: {error}") from None
    elif not isinstance(entry, AllowEntry):
        raise RuleError(
            f"allow-list entry {position}: expected an AllowEntry, a string or a dict, "
            f"got {type(entry).__name__}"
        )
    if entry.is_name and (
        not _NAME_PATTERN.match(entry.destination.strip())
        or re.fullmatch(r"[0-9./:]+", entry.destination.strip())
    ):
        raise RuleError(
            f"allow-list entry {position}: destination {entry.destination!r} is "
            "neither a CIDR network nor a DNS name"
        )
    return entry


def _names_match(pattern: str, name: str) -> bool:
    """Does DNS ``name`` match ``pattern`` (exact, case-insensitive; ``*.x`` = any name
    below x)?
    """
    pattern, name = pattern.lower().rstrip("."), name.lower().rstrip(".")
    if pattern.startswith("*."):
        return name.endswith(pattern[1:]) and name != pattern[2:]
    return name == pattern


def allowlist_ruleset(
    allowlist: Iterable[AllowEntry | str | Mapping],
    names: Mapping[str, str | Iterable[str]] | None = None,
    *,
    name: str = "default-deny egress",
) -> RuleSet:
    """A stateful allow-only rule set for a default-deny egress policy.

    Every outbound connection must match an entry of ``allowlist``; replies (and
    connections opened from outside) are left alone by an ``allow all inbound`` rule,
    since this policy is about what leaves. A DNS-name entry matches the addresses that
    ``names`` (address -> name or names, e.g. from the DNS answers in a capture) gives
    for a matching name; entries can be :class:`AllowEntry`, plain strings (a
    destination) or dicts of its fields.

    >>> rs = allowlist_ruleset(
    ...     ["192.0.2.53/32", AllowEntry("*.example.net", 443, "tcp")],
    ...     names={"198.51.100.7": "www.example.net"},
    ... )
    >>> [(r.id, [str(n) for n in r.dst]) for r in rs.rules if r.direction == "egress"]
    [('192.0.2.53/32', ['192.0.2.53/32']),
     ('*.example.net:443 TCP', ['198.51.100.7/32'])]
    """
    names = dict(names or {})
    by_address: dict[str, list[str]] = {
        address: [value] if isinstance(value, str) else list(value)
        for address, value in names.items()
    }
    rules = [
        Rule(
            "inbound (not judged)",
            "ingress",
            "allow",
            name="this policy judges egress only",
        )
    ]
    for position, entry in enumerate(allowlist):
        entry = _entry(entry, position)
        where = f"allow-list entry {position} ({entry.destination!r})"
        protocol = parse_protocol(entry.protocol, f"{where}: protocol")
        parse_ports(entry.ports, f"{where}: ports")
        if entry.is_name:
            addresses = sorted(
                a
                for a, ns in by_address.items()
                if any(_names_match(entry.destination, n) for n in ns)
            )
            if not addresses:
                # a name nothing resolved to allows nothing here; unresolved_names()
                # lists them
                continue
            dst: object = [
                f"{a}/{32 if ipaddress.ip_address(a).version == 4 else 128}"
                for a in addresses
            ]
        else:
            dst = entry.destination
        try:
            rules.append(
                Rule(
                    entry.label(),
                    "egress",
                    "allow",
                    protocol,
                    dst=dst,
                    ports=entry.ports,
                    name=entry.note,
                )
            )
        except RuleError as error:
            raise RuleError(f"{where}: {error}") from None
    return RuleSet(tuple(rules), "allow-only", stateful=True, name=name)


def unresolved_names(
    allowlist: Iterable[AllowEntry | str | Mapping],
    names: Mapping[str, str | Iterable[str]] | None = None,
) -> list[str]:
    """The DNS-name entries of an allow-list that no address in ``names`` matches (they
    allow nothing).

    >>> unresolved_names(
    ...     ["*.example.net", "backup.example.org", "192.0.2.0/24"],
    ...     {"198.51.100.7": "a.example.net"},
    ... )
    ['backup.example.org']
    """
    all_names = [
        n
        for value in (names or {}).values()
        for n in ([value] if isinstance(value, str) else value)
    ]
    entries = [_entry(e, i) for i, e in enumerate(allowlist)]
    return [
        e.destination
        for e in entries
        if e.is_name and not any(_names_match(e.destination, n) for n in all_names)
    ]


def evaluate_allowlist(
    packets: pd.DataFrame, inside: str | Iterable[str], allowlist: RuleSet
) -> pd.DataFrame:
    """Replay the capture through a default-deny egress rule set (see
    :func:`allowlist_ruleset`).

    Returns the :func:`ingress_egress.firewall.replay` result: every egress packet's
    ``verdict`` (``allow`` / ``deny``), the allow-list entry that allowed it (``rule``)
    or ``implicit deny``.
    """
    return replay(packets, allowlist, inside)


def blocked_destinations(result: pd.DataFrame) -> pd.DataFrame:
    """What a default-deny egress policy would have blocked, per (host, destination,
    port).

    Takes an :func:`evaluate_allowlist` result; returns ``host``, ``destination``,
    ``dport``, ``protocol``, ``packets``, ``bytes`` of denied egress packets, largest
    first.
    """
    denied = result[(result["direction"] == "egress") & (result["verdict"] == "deny")]
    table = (
        denied.assign(host=denied["src"], destination=denied["dst"])
        .groupby(["host", "destination", "dport", "protocol"], dropna=False)
        .agg(packets=("length", "size"), bytes=("length", "sum"))
        .reset_index()
    )
    return table.sort_values(
        ["bytes", "host", "destination"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def _blocked_pairs(
    packets: pd.DataFrame, inside, allowlist: RuleSet
) -> dict[tuple[str, str], int]:
    result = evaluate_allowlist(packets, inside, allowlist)
    denied = result[(result["direction"] == "egress") & (result["verdict"] == "deny")]
    sums = denied.groupby([denied["src"].astype(str), denied["dst"].astype(str)])[
        "length"
    ].sum()
    return {key: int(value) for key, value in sums.items()}


# --------------------------------------------------------------------------------------
# Names asked for: DNS tunnels hide data in them
# --------------------------------------------------------------------------------------

_QTYPE_NAMES = {
    1: "A",
    2: "NS",
    5: "CNAME",
    12: "PTR",
    15: "MX",
    16: "TXT",
    28: "AAAA",
    33: "SRV",
    64: "SVCB",
    65: "HTTPS",
}


def dns_queries(packets: pd.DataFrame) -> pd.DataFrame:
    """The questions in a capture's DNS queries (UDP to port 53): who asked which name,
    of which type.

    ``packets`` must come from ``read_capture(path, keep_bytes=True)``. One row per
    query: ``time``, ``client``, ``resolver``, ``name`` (lower case), ``qtype`` (``A``,
    ``AAAA``, ``TXT``, ``HTTPS``, ... or the type number as text); in capture order.
    Queries that cannot be parsed are skipped and counted (``attrs["skipped"]``,
    ``attrs["skipped_reasons"]``).

    >>> from ingress_egress import packets as pk
    >>> frame = b"\\x00" * 42 + pk.dns_query(7, "x.Example.org", "TXT")
    >>> table = pd.DataFrame(
    ...     {
    ...         "time": [pd.Timestamp(0, tz="UTC")],
    ...         "src": ["10.0.0.2"],
    ...         "dst": ["192.0.2.53"],
    ...         "protocol": ["UDP"],
    ...         "dport": [53],
    ...         "frame": [frame],
    ...         "payload_offset": [42],
    ...     }
    ... )
    >>> dns_queries(table)[["client", "name", "qtype"]].values.tolist()
    [['10.0.0.2', 'x.example.org', 'TXT']]
    """
    subset = _udp_dns_packets(packets, "dport", "dns_queries")
    rows, skipped = [], {}
    for frame_no, time, src, dst, frame, offset in zip(
        subset.index,
        subset["time"],
        subset["src"],
        subset["dst"],
        subset["frame"],
        subset["payload_offset"],
    ):
        data = bytes(frame)[int(offset) :]
        try:
            if len(data) < 12:
                raise _Malformed(
                    f"{len(data)} bytes, shorter than the 12-byte DNS header"
                )
            flags, qdcount = struct.unpack_from("!HH", data, 2)
            if flags & 0x8000 or qdcount < 1:
                continue  # a response, or no question
            name, pos = _dns_name(data, 12)
            if pos + 4 > len(data):
                raise _Malformed("question type cut off")
            qtype = struct.unpack_from("!H", data, pos)[0]
        except _Malformed as error:
            skipped[frame_no] = str(error)
            continue
        rows.append((time, src, dst, name, _QTYPE_NAMES.get(qtype, str(qtype))))
    table = pd.DataFrame(rows, columns=["time", "client", "resolver", "name", "qtype"])
    table.attrs = {"skipped": len(skipped), "skipped_reasons": skipped}
    return table


def shannon_entropy(text: str) -> float:
    """Shannon entropy of the characters of ``text``, in bits per character (0 for an
    empty text).

    Random base32 approaches log2(32) = 5 bits, hexadecimal log2(16) = 4; words are
    lower.

    >>> (
    ...     round(shannon_entropy("aaaa"), 2),
    ...     round(shannon_entropy("abcd"), 2),
    ...     shannon_entropy(""),
    ... )
    (0.0, 2.0, 0.0)
    """
    if not text:
        return 0.0
    counts = np.unique(
        np.frombuffer(text.encode("utf-8"), dtype=np.uint8), return_counts=True
    )[1]
    p = counts / counts.sum()
    return (
        float(-(p * np.log2(p)).sum()) + 0.0
    )  # + 0.0: no negative zero for a single character


def base_domain(name: str) -> str:
    """The last two labels of a name: ``news.example.org`` -> ``example.org``.

    A real monitor uses the Public Suffix List (``bbc.co.uk``, not ``co.uk``); the
    course's names all sit under ``example.com``, ``.net`` and ``.org``, where two
    labels are right.

    >>> base_domain("a.b.t.example.org"), base_domain("localhost")
    ('example.org', 'localhost')
    """
    labels = name.rstrip(".").lower().split(".")
    return ".".join(labels[-2:])


def name_profile(queries: pd.DataFrame) -> pd.DataFrame:
    """One row per (client, base domain) of a :func:`dns_queries` table: what the client
    asked under it.

    Columns: ``client``, ``domain``; ``queries``; ``names`` (distinct names);
    ``mean_length`` (mean characters of the part before the domain, dots excluded);
    ``entropy`` (Shannon entropy of all those characters together, bits per character);
    ``txt_share`` (fraction of TXT queries); ``first``, ``last``. A DNS tunnel carries
    its data in that part: thousands of distinct, long, random-looking names under one
    domain. Sorted by ``names``, most first.

    >>> q = pd.DataFrame(
    ...     {
    ...         "time": pd.to_datetime([0, 1, 2], unit="s", utc=True),
    ...         "client": ["10.0.0.2"] * 3,
    ...         "name": ["www.example.com", "mail.example.com", "www.example.com"],
    ...         "qtype": ["A"] * 3,
    ...     }
    ... )
    >>> name_profile(q)[["domain", "queries", "names", "mean_length"]].values.tolist()
    [['example.com', 3, 2, 3.33...]]
    """
    columns = [
        "client",
        "domain",
        "queries",
        "names",
        "mean_length",
        "entropy",
        "txt_share",
        "first",
        "last",
    ]
    if queries.empty:
        return pd.DataFrame(columns=columns)
    q = queries.assign(name=queries["name"].str.lower().str.rstrip("."))
    q["domain"] = q["name"].map(base_domain)
    q["sub"] = [
        n[: -len(d) - 1].replace(".", "") if len(n) > len(d) else ""
        for n, d in zip(q["name"], q["domain"])
    ]
    q["sub_length"] = q["sub"].str.len()
    q["txt"] = (q["qtype"] == "TXT").astype(float)
    grouped = q.groupby(["client", "domain"], sort=True)
    table = grouped.agg(
        queries=("name", "size"),
        names=("name", "nunique"),
        mean_length=("sub_length", "mean"),
        txt_share=("txt", "mean"),
        first=("time", "min"),
        last=("time", "max"),
    ).reset_index()
    table["entropy"] = [
        shannon_entropy("".join(subs)) for subs in grouped["sub"].agg(list)
    ]
    return table.sort_values(
        ["names", "client", "domain"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)[columns]


TUNNEL_MIN_NAMES = 100
TUNNEL_MIN_LENGTH = 40.0
TUNNEL_MIN_ENTROPY = 3.5


def tunnel_indicators(
    profile: pd.DataFrame,
    *,
    min_names: int = TUNNEL_MIN_NAMES,
    min_length: float = TUNNEL_MIN_LENGTH,
    min_entropy: float = TUNNEL_MIN_ENTROPY,
) -> pd.DataFrame:
    """Two indicators of a DNS tunnel on a :func:`name_profile` table, each requiring at
    least ``min_names`` distinct names under the domain (a day of ordinary browsing asks
    a few dozen):

    ``long_names``: their part before the domain averages at least ``min_length``
    characters; ``random_names``: its characters have at least ``min_entropy`` bits of
    Shannon entropy each.

    >>> p = pd.DataFrame(
    ...     {
    ...         "client": ["a", "b"],
    ...         "domain": ["t.example", "example.com"],
    ...         "names": [500, 12],
    ...         "mean_length": [160.0, 4.1],
    ...         "entropy": [4.9, 3.2],
    ...     }
    ... )
    >>> tunnel_indicators(p)[["long_names", "random_names"]].values.tolist()
    [[True, True], [False, False]]
    """
    table = profile.copy()
    many = table["names"] >= min_names
    table["long_names"] = many & (table["mean_length"] >= min_length)
    table["random_names"] = many & (table["entropy"] >= min_entropy)
    return table


def volume_against_history(
    today: pd.DataFrame,
    history: pd.DataFrame,
    *,
    min_bytes: float = 10e6,
    z_threshold: float = MODIFIED_Z_THRESHOLD,
) -> pd.DataFrame:
    """Per (host, destination), today's bytes out against the same pair's own history.

    ``today`` has columns ``host``, ``destination``, ``bytes_out`` (a
    :func:`destination_profile`); ``history`` the same plus ``day``, one row per pair
    and past day it sent anything (a missing day counts as 0 bytes). The modified
    z-score of today's bytes among the past days and today (:func:`robust_zscore`) says
    how unusual today is *for this pair*; ``above_history`` fires when it reaches
    ``z_threshold`` and today's bytes reach ``min_bytes``. This is the indicator for a
    leak to a destination the office is allowed to use and uses every day, such as its
    cloud store (ATT&CK T1567.002), which the per-destination indicators wave through.

    >>> history = pd.DataFrame(
    ...     {
    ...         "day": [1, 2, 3, 4],
    ...         "host": "h",
    ...         "destination": "s",
    ...         "bytes_out": [3e6, 5e6, 2e6, 4e6],
    ...     }
    ... )
    >>> today = pd.DataFrame(
    ...     {"host": ["h"], "destination": ["s"], "bytes_out": [120e6]}
    ... )
    >>> volume_against_history(today, history)[
    ...     ["history_median", "z", "above_history"]
    ... ].round(1).values.tolist()
    [[3500000.0, 78.2, True]]
    """
    days = sorted(history["day"].unique()) if len(history) else []
    past = (
        (
            history.pivot_table(
                index=["host", "destination"],
                columns="day",
                values="bytes_out",
                aggfunc="sum",
            )
            .reindex(columns=days)
            .fillna(0.0)
        )
        if len(history)
        else pd.DataFrame()
    )
    keys = pd.MultiIndex.from_arrays(
        [today["host"].astype(str), today["destination"].astype(str)]
    )
    before = (
        past.reindex(keys).fillna(0.0).to_numpy(dtype=float)
        if days
        else np.zeros((len(today), 0))
    )
    values = np.column_stack([before, today["bytes_out"].to_numpy(dtype=float)])
    table = pd.DataFrame(
        {
            "host": today["host"].astype(str).to_numpy(),
            "destination": today["destination"].astype(str).to_numpy(),
            "bytes_out": today["bytes_out"].to_numpy(dtype=np.int64),
            "history_median": np.median(before, axis=1) if days else np.nan,
            "history_max": before.max(axis=1) if days else np.nan,
            "z": _robust_z_last(values) if days else np.nan,
        }
    )
    table["above_history"] = (table["z"] >= z_threshold) & (
        table["bytes_out"] >= min_bytes
    )
    return table


def _robust_z_last(values: np.ndarray) -> np.ndarray:
    """:func:`robust_zscore` of the last value of each row, among the values of its
    row.
    """
    median = np.median(values, axis=1, keepdims=True)
    deviation = np.abs(values - median)
    mad = np.median(deviation, axis=1)
    mean_ad = deviation.mean(axis=1)
    last = values[:, -1] - median[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(
            mad > 0,
            _MAD_SCALE * last / mad,
            np.where(mean_ad > 0, _MEANAD_SCALE * last / mean_ad, 0.0),
        )
    return z
