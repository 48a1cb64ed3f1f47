"""Egress days: many days of the office's traffic, some with a leak planted, to score a
monitor on.

A detector tried only on the day it was built to catch has no known false-positive rate.
This module makes as many days of the office of :mod:`ingress_egress.datagen.captures`
as an evaluation needs, each with its ground truth: a clean week to learn from, a clean
control day, and days with one planted leak each, of three kinds at several sizes or
rates.

A day is not a capture file: building and storing packet-level pcaps for every day would
take minutes and megabytes. :func:`day` writes the **packet table** that
:func:`ingress_egress.captures.read_capture` would return for a capture on the router's
LAN interface (columns ``time``, ``src``, ``dst``, ``protocol``, ``sport``, ``dport``,
``tcp_flags``, ``length``; one row per frame, bulk TCP data as offloaded super-packets
of up to 64,240 payload bytes, frames from office hosts padded to 60 bytes), with the
DNS answers and queries a reader would extract
(:func:`ingress_egress.egress_monitor.dns_answers`,
:func:`~ingress_egress.egress_monitor.dns_queries`). The same TCP rules as
:class:`ingress_egress.packets.TcpConnection` make the rows (handshake, data, an ACK
every second segment, FIN teardown), so the byte counts an indicator sees are those of
frames on the wire; the tests check a day's connection against the frame builders.

What a day holds, seeded by its number: nine workstations (``192.168.10.11``-``.18``,
``.23``) arrive between 07:45 and 09:15 UTC and leave between 16:45 and 18:30; they
browse (a DNS lookup, then HTTPS to a site and often its CDN), check for updates over
HTTP, send telemetry, sync one to four files a day to ``storage.example.com``
(lognormal, median 3 MB) and, on 4 % of their days, upload one big file there (median
150 MB); an anti-malware agent on each looks up 5 to 40 file hashes a day as DNS names
(``<sha1>.rep.example.com``), as some products do. The NAS ``192.168.10.5`` backs up
about 100 MB over SSH at 01:00, and ``.23``, left on overnight, sends telemetry every
night hour.

The planted leaks (:class:`Leak`), each from a different workstation (never ``.23``):

``raw-tcp`` (MITRE ATT&CK T1048)
    notebook 04's kind: a steady stream of 64,240-byte bursts every 2.2 to 2.6 s, at
    night, to ``198.51.100.77:4444``, an address no DNS answer names.
``cloud-store`` (T1567.002)
    an upload at the uplink's full rate to ``storage.example.com``, the store the office
    uses every day, looked up in DNS like any other, in office hours.
``dns-tunnel`` (T1048, T1071.004)
    TXT queries at a steady rate through the office's resolver for four hours, 100 bytes
    of data in each name under ``t.example.org``
    (:func:`ingress_egress.datagen.office_router.tunnel_name`), in office hours.

:data:`EVALUATION` is the plan notebook 05 scores: five clean days (a working week, the
history), one clean control day, and five leak days, each with one leak of every kind
from three different workstations, at five levels of size (rate). ``make data`` writes
its ground truth to ``egress-days/leaks.csv``; the days themselves are rebuilt in
memory, in well under a second each.

Examples
--------
>>> d = day(1)
>>> d.leaks, sorted(d.packets.columns)[:4]
((), ['dport', 'dst', 'length', 'protocol'])
>>> [(leak.day, leak.kind) for leak in planted()[:3]]
[(7, 'raw-tcp'), (7, 'cloud-store'), (7, 'dns-tunnel')]
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ingress_egress.datagen.captures import SITES, WORKSTATIONS
from ingress_egress.datagen.office_router import tunnel_names

SEED = 20260406
FIRST_DAY = pd.Timestamp("2026-04-06", tz="UTC")
"""Day 1 is Monday 2026-04-06; days are counted in working days (Monday to Friday)."""
HISTORY = range(1, 6)
"""Days 1-5, a working week: the clean history a per-host baseline learns from."""
CONTROL_DAY = 6
"""Day 6: a clean day, scored like the leak days: every alert on it is a false
positive.
"""
LEVELS = 5
"""Leak days 7-11: on each, one leak of every kind, from three different workstations,
at one size level.
"""

NAS = "192.168.10.5"
HOSTS = tuple(WORKSTATIONS) + (NAS,)
"""The office's hosts that send anything out: nine workstations and the NAS."""
RESOLVER = "192.0.2.53"
STORAGE = SITES["storage.example.com"][0]
BACKUP = SITES["backup.example.org"][0]
EXFIL_DESTINATION = "198.51.100.77"
TUNNEL_DOMAIN = "t.example.org"
REPUTATION_DOMAIN = "rep.example.com"
UP_BYTES_PER_S = 20e6 / 8
DOWN_BYTES_PER_S = 50e6 / 8
SEGMENT = 64_240
HEADERS = 54
SECOND = 1_000_000_000
MS = 1_000_000

LEAK_KINDS = ("raw-tcp", "cloud-store", "dns-tunnel")
SIZES = {
    "raw-tcp": (1_000_000, 4_000_000, 16_000_000, 64_000_000, 256_000_000),
    "cloud-store": (4_000_000, 16_000_000, 64_000_000, 256_000_000, 1_024_000_000),
}
"""Payload bytes of the planted leaks of the two TCP kinds, one per level (a factor of 4
apart).
"""
TUNNEL_RATES = (0.005, 0.02, 0.08, 0.32, 1.28)
"""Queries per second of the planted DNS tunnels, one per level (a factor of 4 apart);
each runs four hours with 100 bytes a query: 72 to 18,432 queries, 7.2 kB to 1.84 MB."""
TUNNEL_HOURS = 4
TUNNEL_BYTES_PER_QUERY = 100


@dataclass(frozen=True)
class Leak:
    """The ground truth of one planted leak."""

    day: int
    kind: str
    host: str
    destination: str
    port: int
    start: pd.Timestamp
    payload_bytes: int
    rate: float
    """Payload bytes per second while it runs."""


@dataclass
class Day:
    """One generated day: its packet table, DNS answers and queries, and the leaks
    planted in it.
    """

    number: int
    date: pd.Timestamp
    packets: pd.DataFrame
    answers: pd.DataFrame
    queries: pd.DataFrame
    leaks: tuple[Leak, ...]


def date_of(number: int) -> pd.Timestamp:
    """The date of working day ``number`` (day 1 is Monday 2026-04-06).

    >>> str(date_of(6).date())
    '2026-04-13'
    """
    return pd.Timestamp(
        pd.bdate_range(FIRST_DAY.tz_localize(None), periods=number)[-1], tz="UTC"
    )


def planted() -> list[Leak]:
    """The leaks of :data:`EVALUATION`: on each of days 7-11, one of every kind at that
    day's level.
    """
    leaks = []
    for level in range(LEVELS):
        number = CONTROL_DAY + 1 + level
        rng = np.random.default_rng([SEED, number, 1])
        hosts = [
            str(h)
            for h in rng.choice(WORKSTATIONS[:-1], size=len(LEAK_KINDS), replace=False)
        ]  # not .23
        date = date_of(number)
        raw, cloud, tunnel = hosts
        start = (date + pd.Timedelta(hours=float(rng.uniform(0.5, 2.5)))).floor("s")
        leaks.append(
            Leak(
                number,
                "raw-tcp",
                raw,
                EXFIL_DESTINATION,
                4444,
                start,
                SIZES["raw-tcp"][level],
                SEGMENT / 2.4,
            )
        )
        start = (date + pd.Timedelta(hours=float(rng.uniform(10, 15)))).floor("s")
        leaks.append(
            Leak(
                number,
                "cloud-store",
                cloud,
                STORAGE,
                443,
                start,
                SIZES["cloud-store"][level],
                0.96 * UP_BYTES_PER_S,
            )
        )
        start = (date + pd.Timedelta(hours=float(rng.uniform(9.5, 12)))).floor("s")
        rate = TUNNEL_RATES[level] * TUNNEL_BYTES_PER_QUERY
        leaks.append(
            Leak(
                number,
                "dns-tunnel",
                tunnel,
                RESOLVER,
                53,
                start,
                int(round(rate * TUNNEL_HOURS * 3600)),
                rate,
            )
        )
    return leaks


EVALUATION = tuple(
    list(HISTORY) + [CONTROL_DAY] + sorted({leak.day for leak in planted()})
)
"""The days notebook 05 scores the monitor on, by number."""


def leaks_of(number: int) -> tuple[Leak, ...]:
    """The leaks planted on day ``number`` of :data:`EVALUATION` (none on days 1-6)."""
    return tuple(leak for leak in planted() if leak.day == number)


# --------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------

KEYS = ("time", "src", "dst", "protocol", "sport", "dport", "tcp_flags", "length")
"""The packet table's columns, in :func:`ingress_egress.captures.read_capture`'s
order."""


@dataclass(frozen=True)
class _Run:
    """One side's data in a TCP connection: its segments and the ACKs they get, made
    all at once in :meth:`_Rows.frame`.

    ``sends`` holds the segments' send times when they are paced; otherwise segment
    ``k`` (from 1) leaves once the ``k - 1`` segments before it have gone out at
    ``rate`` bytes a second from ``start``.
    """

    position: int  # frames added one at a time before it: it goes after them
    start: int
    count: int
    total: int
    rate: float
    sends: np.ndarray | None
    from_client: bool
    client: str
    server: str
    cport: int
    port: int
    rtt: int
    ack_every: int


class _Rows:
    """The frames of a day, as columns, added a connection at a time."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.flat: list[tuple] = []
        """Frames added one at a time, a tuple of :data:`KEYS` each."""
        self.runs: list[_Run] = []
        self.tunnels: list[dict] = []
        """Each tunnel's frames as columns; they go after all the others."""
        self.answers: list[tuple] = []
        self.queries: list[tuple] = []
        self.ports: dict[str, int] = {}
        self.cache: dict[tuple[str, str], list[int]] = {}

    def port(self, host: str) -> int:
        self.ports[host] = (
            self.ports.get(host, int(self.rng.integers(32768, 40000))) + 1
        )
        return self.ports[host]

    def tcp(
        self,
        t: int,
        client: str,
        server: str,
        port: int,
        up: int,
        down: int,
        *,
        rtt_ms: float,
        up_rate: float = UP_BYTES_PER_S,
        down_rate: float = DOWN_BYTES_PER_S,
        idle_s: float = 10.0,
        ack_every: int = 2,
        burst_gap_s: float | None = None,
    ) -> int:
        """One TCP connection's frames: handshake, ``up`` bytes sent, ``down`` received,
        FIN teardown.

        Frames from the office host are padded to 60 bytes. Data goes in segments of
        up to :data:`SEGMENT` bytes at ``up_rate`` or ``down_rate``, and the receiver
        acknowledges every ``ack_every``-th segment and the last. With
        ``burst_gap_s``, the upload goes as one super-packet per gap, each
        acknowledged at once (the raw-tcp leak's pacing). Returns when the connection
        has closed.
        """
        rtt = int(rtt_ms * MS)
        cport = self.port(client)
        frame = self.flat.append

        def emit(time: int, from_client: bool, flags: int, length: int) -> None:
            if from_client:
                frame(
                    (time, client, server, "TCP", cport, port, flags, max(length, 60))
                )
            else:
                frame((time, server, client, "TCP", port, cport, flags, length))

        emit(t, True, 0x02, 66)
        emit(t + rtt, False, 0x12, 66)
        emit(t + rtt + 50_000, True, 0x10, 60)
        t += rtt + 50_000

        def data(from_client: bool, total: int, rate: float, start: int) -> int:
            """Add the run; return when its last segment is acknowledged."""
            if total <= 0:
                return start
            count = -(-total // SEGMENT)
            sends = None
            if burst_gap_s is not None and from_client:
                gaps = self.rng.uniform(burst_gap_s - 0.2, burst_gap_s + 0.2, count - 1)
                sends = start + np.r_[0, np.cumsum((gaps * SECOND).astype(np.int64))]
                last = int(sends[-1])
            else:
                last = start + int((count - 1) * SEGMENT / rate * SECOND)
            self.runs.append(
                _Run(
                    len(self.flat),
                    *(start, count, total, rate, sends, from_client),
                    *(client, server, cport, port, rtt, ack_every),
                )
            )
            return last + rtt

        t = data(True, up, up_rate, t)
        t = data(False, down, down_rate, t + int(self.rng.uniform(1, 8) * MS))
        t += int(idle_s * SECOND)
        emit(t, True, 0x11, 60)
        emit(t + rtt, False, 0x11, 54)
        emit(t + rtt + 50_000, True, 0x10, 60)
        return t + rtt

    def dns(
        self,
        t: int,
        host: str,
        name: str,
        qtypes: tuple[str, ...] = ("A", "AAAA"),
        *,
        answers=None,
        rtt_ms: float = 9.0,
        cache: bool = True,
    ) -> int:
        """A lookup from ``host`` to the resolver: one query and one answer per type,
        frames as built by :func:`ingress_egress.packets.dns_query` and
        ``dns_response``. Returns when it is done."""
        earlier = self.cache.setdefault((host, name), [])
        if cache:  # a fresh answer from before t (its 300 s TTL)
            k = bisect.bisect_right(earlier, t)
            if k and t - earlier[k - 1] < 300 * SECOND:
                return t
        port = self.port(host)
        wire = len(name.rstrip(".")) + 2  # labels and the final zero
        done = t
        for k, qtype in enumerate(qtypes):
            tq = t + k * 40_000
            ta = tq + int(rtt_ms * MS) + int(self.rng.integers(200_000, 3_000_000))
            if answers is not None:
                records = answers
            elif qtype == "A":
                records = [SITES[name][0]]
            elif qtype == "AAAA":
                records = [SITES[name][1]] if SITES[name][1] else []
            else:
                records = []
            rdata = {"A": 4, "AAAA": 16}.get(qtype, 0)
            answer_bytes = (
                sum(12 + rdata for _ in records) if qtype in ("A", "AAAA") else 12 + 9
            )  # TXT: 8 chars
            self.flat.append(
                (tq, host, RESOLVER, "UDP", port, 53, -1, max(60, 42 + 12 + wire + 4))
            )
            self.flat.append(
                (
                    ta,
                    RESOLVER,
                    host,
                    "UDP",
                    53,
                    port,
                    -1,
                    42 + 12 + wire + 4 + answer_bytes,
                )
            )
            self.queries.append((tq, host, RESOLVER, name, qtype))
            for address in records if qtype in ("A", "AAAA") else []:
                self.answers.append((ta, host, RESOLVER, name, address, 300))
            done = max(done, ta + 300_000)
        if cache:
            bisect.insort(earlier, done)
        return done

    def tunnel(self, leak: Leak) -> None:
        """A DNS tunnel's queries and TXT answers, built in one go (a big tunnel sends
        tens of thousands).
        """
        queries = int(round(leak.payload_bytes / TUNNEL_BYTES_PER_QUERY))
        gap = TUNNEL_BYTES_PER_QUERY / leak.rate
        sent = leak.start.value + (
            np.arange(queries) * gap * SECOND
            + self.rng.uniform(0, 0.05 * gap, queries) * SECOND
        ).astype(np.int64)
        back = sent + (self.rng.uniform(60, 120, queries) * MS).astype(np.int64)
        data = self.rng.bytes(queries * (TUNNEL_BYTES_PER_QUERY - 2))
        numbered = np.column_stack(  # each chunk: its number (2 bytes), then data
            [
                np.arange(queries, dtype=">u2").view(np.uint8).reshape(queries, 2),
                np.frombuffer(data, dtype=np.uint8).reshape(queries, 98),
            ]
        )
        names = tunnel_names(numbered, TUNNEL_DOMAIN)
        wire = np.array([len(n) + 2 for n in names])
        start = self.ports.get(leak.host, 40000)
        ports = (
            start + 1 + np.arange(queries)
        ) % 28232 + 32768  # Linux's range, 32768-60999
        self.ports[leak.host] = int(ports[-1])
        query = 42 + 12 + wire + 4
        self.tunnels.append(
            {
                "time": np.r_[sent, back],
                "src": np.r_[
                    np.full(queries, leak.host, dtype=object),
                    np.full(queries, RESOLVER, dtype=object),
                ],
                "dst": np.r_[
                    np.full(queries, RESOLVER, dtype=object),
                    np.full(queries, leak.host, dtype=object),
                ],
                "protocol": "UDP",
                "sport": np.r_[ports, np.full(queries, 53)],
                "dport": np.r_[np.full(queries, 53), ports],
                "tcp_flags": np.full(2 * queries, -1),
                "length": np.r_[np.maximum(query, 60), query + 21],
            }
        )
        self.queries.extend(
            zip(
                sent.tolist(),
                [leak.host] * queries,
                [RESOLVER] * queries,
                names,
                ["TXT"] * queries,
            )
        )

    def _run_frames(self) -> tuple[dict, np.ndarray]:
        """The frames of every :class:`_Run`, as columns in the order they happen
        within each run (a segment, then its ACK), and each frame's run position."""
        runs = self.runs
        count = np.array([r.count for r in runs], dtype=np.int64)
        run = np.repeat(np.arange(len(runs)), count)
        number = np.arange(len(run)) - np.repeat(np.cumsum(count) - count, count) + 1

        def each(field: str, dtype=None) -> np.ndarray:
            return np.array([getattr(r, field) for r in runs], dtype=dtype)[run]

        last = number == count[run]
        sent_before = (number - 1) * SEGMENT
        size = np.minimum(SEGMENT, each("total", np.int64) - sent_before)
        send = each("start", np.int64) + (sent_before / each("rate") * SECOND).astype(
            np.int64
        )
        for r, first in zip(runs, np.cumsum(count) - count):
            if r.sends is not None:
                send[first : first + r.count] = r.sends
        paced = np.array([r.sends is not None for r in runs], dtype=bool)[run]
        acked = paced | (number % each("ack_every", np.int64) == 0) | last
        keep = np.column_stack([np.ones(len(run), bool), acked]).ravel()

        def pair(segment, ack=None) -> np.ndarray:
            """Each segment's value followed by its ACK's (the same value if not
            given), the ACK's only where the segment gets one."""
            ack = segment if ack is None else ack
            return np.column_stack(np.broadcast_arrays(segment, ack)).ravel()[keep]

        from_client = pair(each("from_client", bool), ~each("from_client", bool))
        client, server = pair(each("client", object)), pair(each("server", object))
        cport, port = pair(each("cport", np.int64)), pair(each("port", np.int64))
        length = pair(size + HEADERS, HEADERS)
        columns = {
            "time": pair(send, send + each("rtt", np.int64)),
            "src": np.where(from_client, client, server),
            "dst": np.where(from_client, server, client),
            "protocol": np.full(len(length), "TCP", dtype=object),
            "sport": np.where(from_client, cport, port),
            "dport": np.where(from_client, port, cport),
            "tcp_flags": pair(np.where(last, 0x18, 0x10), 0x10),
            "length": np.where(from_client, np.maximum(length, 60), length),
        }
        position = pair(each("position", np.int64))
        return columns, position

    def frame(self) -> pd.DataFrame:
        flat = list(zip(*self.flat)) if self.flat else [()] * len(KEYS)
        runs, position = self._run_frames()
        # the frames in the order they were made: each run after the frames added one
        # at a time before it, then the tunnels; frames at the same time keep it
        made = np.lexsort(
            (
                np.r_[np.ones(len(self.flat)), np.zeros(len(position))],
                np.r_[np.arange(len(self.flat)), position],
            )
        )
        columns = {}
        for k, key in enumerate(KEYS):
            one = np.asarray(
                flat[k], dtype=object if key in ("src", "dst", "protocol") else np.int64
            )
            pieces = [np.concatenate([one, runs[key]])[made]]
            pieces += [
                np.asarray(tunnel[key])
                if np.ndim(tunnel[key])
                else np.full(len(tunnel["time"]), tunnel[key], dtype=object)
                for tunnel in self.tunnels
            ]
            columns[key] = np.concatenate(pieces)
        order = np.argsort(columns["time"].astype(np.int64), kind="stable")
        flags = columns["tcp_flags"][order].astype(np.int64)
        table = pd.DataFrame(
            {
                "time": pd.to_datetime(
                    columns["time"][order].astype(np.int64), utc=True
                ),
                "src": pd.array(columns["src"][order].astype(str), dtype="str"),
                "dst": pd.array(columns["dst"][order].astype(str), dtype="str"),
                "protocol": pd.array(
                    columns["protocol"][order].astype(str), dtype="str"
                ),
                "sport": pd.array(
                    columns["sport"][order].astype(np.int64), dtype="Int32"
                ),
                "dport": pd.array(
                    columns["dport"][order].astype(np.int64), dtype="Int32"
                ),
                "tcp_flags": pd.arrays.IntegerArray(
                    np.where(flags < 0, 0, flags).astype(np.int16), flags < 0
                ),
                "length": columns["length"][order].astype(np.int64),
            }
        )
        table.index = pd.RangeIndex(1, len(table) + 1, name="frame")
        return table


# --------------------------------------------------------------------------------------
# A day
# --------------------------------------------------------------------------------------

BROWSING = (
    ("www.example.com", 3, True),
    ("news.example.org", 3, True),
    ("docs.example.com", 2, True),
    ("mail.example.com", 3, False),
)


def _rtt(rng: np.random.Generator) -> dict[str, float]:
    return {name: float(rng.uniform(12, 70)) for name in sorted(SITES)}


def _visit(rows: _Rows, t: int, host: str, rtt: dict[str, float]) -> None:
    rng = rows.rng
    weights = np.array([b[1] for b in BROWSING], dtype=float)
    name, _, with_cdn = BROWSING[
        int(rng.choice(len(BROWSING), p=weights / weights.sum()))
    ]
    t = rows.dns(t, host, name)
    rows.tcp(
        t,
        host,
        SITES[name][0],
        443,
        int(rng.integers(700, 1500)),
        int(min(rng.lognormal(np.log(30_000), 1.0), 2_000_000)) + 3500,
        rtt_ms=rtt[name],
        idle_s=float(rng.uniform(5, 60)),
    )
    if with_cdn:
        t = rows.dns(t + int(rng.uniform(0.05, 0.3) * SECOND), host, "cdn.example.net")
        rows.tcp(
            t,
            host,
            SITES["cdn.example.net"][0],
            443,
            int(rng.integers(600, 1200)),
            int(min(rng.lognormal(np.log(60_000), 1.1), 5_000_000))
            * int(rng.integers(1, 4))
            + 3500,
            rtt_ms=rtt["cdn.example.net"],
            idle_s=float(rng.uniform(5, 60)),
        )


def _upload(
    rows: _Rows,
    t: int,
    host: str,
    size: int,
    rtt: dict[str, float],
    *,
    rate: float = 0.96 * UP_BYTES_PER_S,
    burst_gap_s: float | None = None,
) -> int:
    t = rows.dns(t, host, "storage.example.com")
    return rows.tcp(
        t,
        host,
        STORAGE,
        443,
        size + 1200,
        4300,
        rtt_ms=rtt["storage.example.com"],
        up_rate=rate,
        idle_s=3,
        burst_gap_s=burst_gap_s,
    )


def _plant(rows: _Rows, leak: Leak, rtt: dict[str, float]) -> None:
    t = leak.start.value
    if leak.kind == "raw-tcp":
        rows.tcp(
            t,
            leak.host,
            leak.destination,
            leak.port,
            leak.payload_bytes,
            0,
            rtt_ms=84.0,
            idle_s=1,
            burst_gap_s=2.4,
        )
    elif leak.kind == "cloud-store":
        _upload(rows, t, leak.host, leak.payload_bytes, rtt)
    else:
        rows.tunnel(leak)


def day(number: int, leaks: Iterable[Leak] | None = None) -> Day:
    """Build working day ``number``: the office's egress that day and the leaks
    :data:`EVALUATION` plants on it, or ``leaks`` (an empty list for none, or leaks of
    your own)."""
    leaks = leaks_of(number) if leaks is None else tuple(leaks)
    rng = np.random.default_rng([SEED, number])
    rows = _Rows(rng)
    date = date_of(number)
    start = date.value
    rtt = _rtt(rng)
    hour = 3600 * SECOND
    for host in WORKSTATIONS:
        arrive = start + int(rng.uniform(7.75, 9.25) * hour)
        leave = start + int(rng.uniform(16.75, 18.5) * hour)
        t = rows.dns(arrive + 20 * SECOND, host, "updates.example.net", ("A",))
        rows.tcp(
            t,
            host,
            SITES["updates.example.net"][0],
            80,
            180,
            int(rng.integers(600, 1200)),
            rtt_ms=rtt["updates.example.net"],
            idle_s=5,
        )
        t = rows.dns(arrive + 40 * SECOND, host, "telemetry.example.com", ("A",))
        rows.tcp(
            t,
            host,
            SITES["telemetry.example.com"][0],
            443,
            int(rng.integers(1500, 4000)) + 700,
            4000,
            rtt_ms=rtt["telemetry.example.com"],
            idle_s=2,
        )
        t = arrive + int(rng.uniform(1, 5) * 60 * SECOND)
        while t < leave:
            _visit(rows, t, host, rtt)
            lunch = 12 * hour <= t - start < 13 * hour
            t += int(rng.exponential(30 if lunch else 12) * 60 * SECOND)
        for _ in range(int(rng.integers(1, 5))):
            _upload(
                rows,
                int(rng.uniform(arrive, leave)),
                host,
                int(min(rng.lognormal(np.log(3e6), 1.0), 2e8)),
                rtt,
            )
        if rng.random() < 0.04:
            _upload(
                rows,
                int(rng.uniform(arrive, leave)),
                host,
                int(rng.lognormal(np.log(1.5e8), 0.7)),
                rtt,
            )
        for _ in range(int(rng.integers(5, 41))):
            digest = hashlib.sha1(rng.bytes(16)).hexdigest()
            rows.dns(
                int(rng.uniform(arrive, leave)),
                host,
                f"{digest}.{REPUTATION_DOMAIN}",
                ("A",),
                answers=["192.0.2.254"],
                cache=False,
            )
    for h in range(24):  # .23 stays on overnight
        if h < 8 or h >= 18:
            t = rows.dns(
                start + h * hour + int(rng.uniform(5, 50) * 60 * SECOND),
                "192.168.10.23",
                "telemetry.example.com",
                ("A",),
            )
            rows.tcp(
                t,
                "192.168.10.23",
                SITES["telemetry.example.com"][0],
                443,
                int(rng.integers(1500, 4000)) + 700,
                4000,
                rtt_ms=rtt["telemetry.example.com"],
                idle_s=2,
            )
    t = rows.dns(start + hour, NAS, "backup.example.org", ("A",))
    rows.tcp(
        t,
        NAS,
        BACKUP,
        22,
        int(rng.lognormal(np.log(1e8), 0.2)),
        3000,
        rtt_ms=rtt["backup.example.org"],
        idle_s=0.2,
    )
    for leak in leaks:
        _plant(rows, leak, rtt)
    packets = rows.frame()
    answers = pd.DataFrame(
        sorted(rows.answers),
        columns=["time", "client", "resolver", "name", "address", "ttl"],
    )
    answers["time"] = pd.to_datetime(answers["time"], utc=True)
    queries = pd.DataFrame(
        sorted(rows.queries), columns=["time", "client", "resolver", "name", "qtype"]
    )
    queries["time"] = pd.to_datetime(queries["time"], utc=True)
    return Day(number, date, packets, answers, queries, leaks)


def ground_truth() -> pd.DataFrame:
    """:data:`EVALUATION` as a table: one row per day and planted leak (a clean day has
    one row, no leak).
    """
    rows = []
    for number in EVALUATION:
        role = (
            "history"
            if number in HISTORY
            else "control"
            if number == CONTROL_DAY
            else "leaks"
        )
        base = {"day": number, "date": date_of(number).date().isoformat(), "role": role}
        leaks = leaks_of(number)
        if not leaks:
            rows.append(base)
        for leak in leaks:
            rows.append(
                base
                | {
                    "kind": leak.kind,
                    "host": leak.host,
                    "destination": leak.destination,
                    "port": leak.port,
                    "start": leak.start.isoformat(),
                    "payload_bytes": leak.payload_bytes,
                    "rate_bytes_per_s": round(leak.rate, 1),
                }
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "day",
            "date",
            "role",
            "kind",
            "host",
            "destination",
            "port",
            "start",
            "payload_bytes",
            "rate_bytes_per_s",
        ],
    )
    for column in ("port", "payload_bytes"):
        table[column] = table[column].astype("Int64")
    return table.fillna({"kind": "", "host": "", "destination": "", "start": ""})


def generate(data_dir: str | Path) -> list[Path]:
    """Write ``egress-days/leaks.csv``: the ground truth of :data:`EVALUATION`."""
    folder = Path(data_dir) / "egress-days"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "leaks.csv"
    ground_truth().to_csv(path, index=False, lineterminator="\n")
    return [path]
