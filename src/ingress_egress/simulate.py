"""Simulate: token buckets (policing and shaping) and a bottleneck queue, each checked
against theory.

Capacity questions are questions about time: how many bytes a link lets through per
second, what happens to the bytes that arrive faster than that, and how long they wait.
This module answers them for a stream of packets, given as two arrays: arrival times in
seconds (non-decreasing) and sizes in bytes.

**Token bucket.** A bucket holds at most ``burst_bytes`` tokens and fills at
``rate_bytes_per_s`` tokens per second; it starts full. A packet of ``L`` bytes
*conforms* if the bucket holds at least ``L`` tokens when it is examined; it then takes
``L`` tokens. RFC 2697's single-rate three-colour marker has two buckets, committed
(CBS) and excess (EBS), both filled at its one rate (CIR, the "single rate"); this
bucket is its committed bucket alone, with no excess bucket (a packet is green if
``Tc - L >= 0``, otherwise out of profile), and the algorithm of Linux's ``tbf`` and
``police``. What happens to a packet that does not conform is the difference between:

* :func:`police` -- it is **dropped** (tc's ``police`` action, wherever packets pass:
  often a provider's router where they arrive). A policer has no queue and adds no
  delay.
* :func:`shape` -- it **waits** in a FIFO queue until enough tokens have accumulated
  (tc's ``tbf`` queueing discipline on an interface's egress, or on an IFB device that
  incoming traffic is redirected to, which is how Linux shapes ingress). A shaper adds
  delay; it drops only when its queue, ``queue_limit_bytes``, is full (as tbf's
  ``limit``: the arriving packet counts).

Both keep the same bound on what leaves: in any interval of ``T`` seconds at most
``burst_bytes + rate_bytes_per_s * T`` bytes pass. A packet larger than the bucket can
never conform; both modes drop it, as tbf does, and the result counts such packets
separately (``oversize``).

**Bottleneck queue.** :func:`fifo_queue` sends packets through a link of
``link_bits_per_s`` with a finite buffer of ``buffer_packets``. As in queueing theory's
M/M/1/K, the buffer size is the *system capacity*: it counts the packet being
transmitted. A packet that arrives when ``buffer_packets`` packets are in the system is
lost (tail drop). Its delay is the time in system: waiting plus transmission.
:func:`mm1_mean_delay` and :func:`mm1k` give the formulas the simulation is tested
against.

**Speed.** Without a queue limit, the shaper's and the queue's departure times are
max-plus recursions with closed forms written with cumulative maxima (exact, vectorised
with numpy); with a limit, and for the policer, a plain loop over Python floats does the
sequential part. A million packets take well under a second each
(``benchmarks/bench_simulate.py``).

Examples
--------
Three 1000-byte packets arrive together at a bucket of 1500 bytes that fills at 1000
bytes/s:

>>> arrival, size = [0.0, 0.0, 0.0], [1000, 1000, 1000]
>>> police(arrival, size, rate_bytes_per_s=1000, burst_bytes=1500).passed.tolist()
[True, False, False]
>>> shape(arrival, size, rate_bytes_per_s=1000, burst_bytes=1500).departure_s.tolist()
[0.0, 0.5, 1.5]

The policer passes the first (1500 tokens) and drops the others (500 tokens left). The
shaper sends the first at once, the second when 500 more tokens have arrived, the third
one second after that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "BucketResult",
    "MM1KTheory",
    "QueueResult",
    "batch_means",
    "binned_rate",
    "fifo_queue",
    "mm1_mean_delay",
    "mm1k",
    "on_off_traffic",
    "poisson_traffic",
    "police",
    "shape",
]


# --------------------------------------------------------------------------------------
# Checking what comes in
# --------------------------------------------------------------------------------------


def _positive(name: str, value: float, unit: str) -> float:
    """A positive finite number, or a ValueError that names the parameter."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}: expected a positive number of {unit}, got {value!r}"
        ) from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name}: expected a positive number of {unit}, got {value!r}")
    return number


def _traffic(arrival_s, size_bytes) -> tuple[np.ndarray, np.ndarray]:
    """Two 1-D float arrays of equal, non-zero length; times non-decreasing, sizes
    positive.
    """
    arrival = np.asarray(arrival_s, dtype=float)
    size = np.asarray(size_bytes, dtype=float)
    if arrival.ndim != 1 or size.ndim != 1:
        raise ValueError(
            "arrival_s, size_bytes: expected one-dimensional "
            "sequences, one value per packet"
        )
    if arrival.size == 0:
        raise ValueError("arrival_s: empty traffic; give at least one packet")
    if arrival.size != size.size:
        raise ValueError(
            f"arrival_s, size_bytes: {arrival.size} arrival times but {size.size} "
            "sizes; expected one of each per packet"
        )
    bad = np.flatnonzero(~np.isfinite(arrival))
    if bad.size:
        raise ValueError(
            f"arrival_s: packet {bad[0]} has arrival time "
            f"{float(arrival[bad[0]])!r}; expected a finite number"
        )
    bad = np.flatnonzero(~(np.isfinite(size) & (size > 0)))
    if bad.size:
        raise ValueError(
            f"size_bytes: packet {bad[0]} has size {float(size[bad[0]])!r}; expected a "
            "positive number of bytes"
        )
    back = np.flatnonzero(np.diff(arrival) < 0)
    if back.size:
        k = back[0] + 1
        raise ValueError(
            f"arrival_s: packet {k} arrives at {float(arrival[k])!r} s, "
            f"before packet {k - 1} at {float(arrival[k - 1])!r} s; "
            "expected non-decreasing arrival times (sort the packets by time)"
        )
    return arrival, size


# --------------------------------------------------------------------------------------
# Token bucket: policing and shaping
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BucketResult:
    """What a token bucket did to each packet.

    ``passed[k]`` says whether packet ``k`` got through; ``departure_s[k]`` is when it
    left (its arrival time for a policer, later for a shaper that made it wait) and NaN
    for a dropped packet.
    """

    mode: str
    arrival_s: np.ndarray
    size_bytes: np.ndarray
    passed: np.ndarray
    departure_s: np.ndarray
    rate_bytes_per_s: float
    burst_bytes: float
    queue_limit_bytes: float | None = None

    @property
    def delay_s(self) -> np.ndarray:
        """Time each passed packet spent in the bucket's queue (0 for a policer); NaN if
        dropped.
        """
        return self.departure_s - self.arrival_s

    @property
    def oversize(self) -> np.ndarray:
        """Packets larger than the bucket: they can never conform, whatever the mode."""
        return self.size_bytes > self.burst_bytes

    def summary(self) -> dict[str, float]:
        """Counts and totals: packets and bytes in, passed and dropped (oversize among
        them), delays.
        """
        passed = self.passed
        delay = self.delay_s[passed]
        return {
            "packets_in": int(passed.size),
            "packets_passed": int(passed.sum()),
            "packets_dropped": int((~passed).sum()),
            "packets_dropped_oversize": int(self.oversize.sum()),
            "bytes_in": float(self.size_bytes.sum()),
            "bytes_passed": float(self.size_bytes[passed].sum()),
            "bytes_dropped": float(self.size_bytes[~passed].sum()),
            "mean_delay_s": float(delay.mean()) if delay.size else math.nan,
            "max_delay_s": float(delay.max()) if delay.size else math.nan,
        }

    def to_frame(self) -> pd.DataFrame:
        """One row per packet: ``arrival_s``, ``size_bytes``, ``passed``,
        ``departure_s``, ``delay_s``.
        """
        return pd.DataFrame(
            {
                "arrival_s": self.arrival_s,
                "size_bytes": self.size_bytes,
                "passed": self.passed,
                "departure_s": self.departure_s,
                "delay_s": self.delay_s,
            }
        )


def police(
    arrival_s, size_bytes, *, rate_bytes_per_s: float, burst_bytes: float
) -> BucketResult:
    """Police traffic with a token bucket: conforming packets pass at once, the others
    are dropped.

    The bucket starts full (``burst_bytes`` tokens) and fills at ``rate_bytes_per_s`` up
    to ``burst_bytes``. A packet of ``L`` bytes conforms if the bucket holds at least
    ``L`` tokens on its arrival (RFC 2697's green test with tokens in bytes); a dropped
    packet takes no tokens.

    The bucket is tracked as the time it will next be full (the "theoretical arrival
    time" of ATM's GCRA): a packet of ``L`` bytes arriving at ``t`` conforms if
    ``max(full_at, t) <= t + (burst - L) / rate``, and then ``full_at`` becomes
    ``max(full_at, t) + L / rate``. Each decision depends on the ones before, so this is
    one tight loop over Python floats. Exact ties (a packet finding exactly its size in
    tokens) conform. So that floating-point rounding cannot turn a tie into a drop,
    times within a tolerance count as equal: a billionth of the time to fill the bucket
    (``1e-9 * burst / rate``) or 16 units in the last place of the largest arrival time,
    whichever is larger.

    >>> r = police(
    ...     [0, 0, 0.5, 0.75, 10],
    ...     [1000, 1000, 1000, 250, 1500],
    ...     rate_bytes_per_s=1000,
    ...     burst_bytes=1500,
    ... )
    >>> r.passed.tolist()
    [True, False, True, True, True]
    >>> r.summary()["bytes_dropped"]
    1000.0
    """
    arrival, size = _traffic(arrival_s, size_bytes)
    rate = _positive("rate_bytes_per_s", rate_bytes_per_s, "bytes per second")
    burst = _positive("burst_bytes", burst_bytes, "bytes")
    tie = max(1e-9 * burst / rate, 16 * float(np.spacing(np.abs(arrival).max())))
    latest = (
        (burst - size) / rate + arrival + tie
    ).tolist()  # the bucket must be "full at" no later
    cost = (size / rate).tolist()
    times = arrival.tolist()
    passed = bytearray(len(times))
    full_at = -math.inf
    for k, t in enumerate(times):
        start = (
            full_at if full_at > t + tie else t
        )  # a bucket full within the tolerance is full
        if start <= latest[k]:
            full_at = start + cost[k]
            passed[k] = 1
    ok = np.frombuffer(bytes(passed), dtype=np.uint8).astype(bool)
    departure = np.where(ok, arrival, np.nan)
    return BucketResult("police", arrival, size, ok, departure, rate, burst)


def _shape_unlimited(
    arrival: np.ndarray, size: np.ndarray, rate: float, burst: float
) -> np.ndarray:
    """Departure times of a greedy FIFO token-bucket shaper with no queue limit (all
    sizes <= burst).

    Packet k leaves at the earliest time d_k >= a_k, after packet k-1, when the bucket
    holds its bytes; equivalently, for every earlier packet j, the bytes of packets j..k
    fit in ``burst + rate * (d_k - d_j)``. The least solution of that max-plus recursion
    is

        d_k = max(a_k, (S_k - burst) / rate + max_{j <= k} (a_j - S_{j-1} / rate)),

    with S_k the bytes of packets 0..k: one cumulative maximum, exact.
    """
    cumulative = np.cumsum(size)
    before = cumulative - size
    best = np.maximum.accumulate(arrival - before / rate)
    return np.maximum(arrival, (cumulative - burst) / rate + best)


def _shape_limited(
    arrival: np.ndarray, size: np.ndarray, rate: float, burst: float, limit: float
) -> tuple[np.ndarray, np.ndarray]:
    """The shaper with a queue of ``limit`` bytes, one packet at a time (tail drop on
    overflow).
    """
    times = arrival.tolist()
    sizes = size.tolist()
    departure = [math.nan] * len(times)
    queued_departure: list[float] = []  # FIFO of packets that waited, as parallel lists
    queued_size: list[float] = []
    head = 0
    backlog = 0.0
    last = -math.inf
    full_at = -math.inf
    for k, t in enumerate(times):
        size_k = sizes[k]
        while head < len(queued_departure) and queued_departure[head] <= t:
            backlog -= queued_size[head]
            head += 1
        if size_k > burst or backlog + size_k > limit:
            continue
        ready = full_at + (size_k - burst) / rate  # when the bucket holds size_k tokens
        leave = t
        if last > leave:
            leave = last
        if ready > leave:
            leave = ready
        full_at = (leave if leave > full_at else full_at) + size_k / rate
        departure[k] = leave
        last = leave
        if leave > t:
            queued_departure.append(leave)
            queued_size.append(size_k)
            backlog += size_k
    dep = np.array(departure)
    return ~np.isnan(dep), dep


def shape(
    arrival_s,
    size_bytes,
    *,
    rate_bytes_per_s: float,
    burst_bytes: float,
    queue_limit_bytes: float | None = None,
) -> BucketResult:
    """Shape traffic with a token bucket: packets that do not conform wait, in order,
    for tokens.

    Same bucket as :func:`police` (starts full, ``burst_bytes`` deep, fills at
    ``rate_bytes_per_s``), but a packet that finds too few tokens is queued, and the
    queue is served first in, first out, each packet as soon as the bucket holds its
    size. With ``queue_limit_bytes=None`` the queue is unlimited and nothing that fits
    the bucket is lost. With a limit, a packet is accepted if the bytes already waiting
    plus its own fit the limit (tbf's ``limit``); otherwise it is dropped. Packets that
    leave at the instant another arrives have left before it is counted.

    >>> r = shape(
    ...     [0, 0, 0.5, 0.75, 10],
    ...     [1000, 1000, 1000, 250, 1500],
    ...     rate_bytes_per_s=1000,
    ...     burst_bytes=1500,
    ... )
    >>> r.departure_s.tolist()
    [0.0, 0.5, 1.5, 1.75, 10.0]
    >>> shape(
    ...     [0, 0, 0],
    ...     [1000, 1000, 1000],
    ...     rate_bytes_per_s=1000,
    ...     burst_bytes=1500,
    ...     queue_limit_bytes=1000,
    ... ).passed.tolist()
    [True, True, False]
    """
    arrival, size = _traffic(arrival_s, size_bytes)
    rate = _positive("rate_bytes_per_s", rate_bytes_per_s, "bytes per second")
    burst = _positive("burst_bytes", burst_bytes, "bytes")
    if queue_limit_bytes is None:
        fits = size <= burst
        departure = np.full(arrival.size, np.nan)
        if fits.all():
            departure = _shape_unlimited(arrival, size, rate, burst)
        elif fits.any():
            departure[fits] = _shape_unlimited(arrival[fits], size[fits], rate, burst)
        passed = fits
        limit = None
    else:
        limit = _positive(
            "queue_limit_bytes", queue_limit_bytes, "bytes (or None for no limit)"
        )
        passed, departure = _shape_limited(arrival, size, rate, burst, limit)
    return BucketResult("shape", arrival, size, passed, departure, rate, burst, limit)


# --------------------------------------------------------------------------------------
# The bottleneck link: a FIFO queue with a finite buffer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueResult:
    """What a bottleneck link did to each packet: ``departure_s`` is NaN for a lost
    packet.
    """

    arrival_s: np.ndarray
    size_bytes: np.ndarray
    departure_s: np.ndarray
    link_bits_per_s: float
    buffer_packets: int | None

    @property
    def lost(self) -> np.ndarray:
        """True for each packet that found the buffer full."""
        return np.isnan(self.departure_s)

    @property
    def service_s(self) -> np.ndarray:
        """Transmission time of each packet: its bits over the link rate."""
        return self.size_bytes * 8 / self.link_bits_per_s

    @property
    def delay_s(self) -> np.ndarray:
        """Time in system (waiting plus transmission) of each delivered packet; NaN if
        lost.
        """
        return self.departure_s - self.arrival_s

    def summary(self) -> dict[str, float]:
        """Packets in and lost, loss fraction, mean and 99th-percentile delay,
        throughput, utilisation.
        """
        lost = self.lost
        delay = self.delay_s[~lost]
        span = float(np.nanmax(self.departure_s) - self.arrival_s[0])
        delivered_bits = float(self.size_bytes[~lost].sum() * 8)
        return {
            "packets_in": int(lost.size),
            "packets_lost": int(lost.sum()),
            "loss_fraction": float(lost.mean()),
            "mean_delay_s": float(delay.mean()),
            "p99_delay_s": float(np.quantile(delay, 0.99)),
            "throughput_bits_per_s": delivered_bits / span if span > 0 else math.nan,
            "utilisation": float(self.service_s[~lost].sum()) / span
            if span > 0
            else math.nan,
        }


def _fifo_unlimited(arrival: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Lindley's recursion d_k = max(a_k, d_{k-1}) + s_k in closed form:
    d_k = S_k + max_{j <= k} (a_j - S_{j-1}), S the cumulative service time."""
    cumulative = np.cumsum(service)
    return cumulative + np.maximum.accumulate(arrival - (cumulative - service))


def _fifo_limited(
    arrival: np.ndarray, service: np.ndarray, capacity: int
) -> np.ndarray:
    """The same queue with at most ``capacity`` packets in the system, one arrival at a
    time.
    """
    times = arrival.tolist()
    services = service.tolist()
    departure = [math.nan] * len(times)
    in_system: list[float] = []  # departure times of accepted packets, in order
    head = 0
    last = -math.inf
    for k, t in enumerate(times):
        while head < len(in_system) and in_system[head] <= t:
            head += 1
        if len(in_system) - head < capacity:
            last = (t if t > last else last) + services[k]
            departure[k] = last
            in_system.append(last)
    return np.array(departure)


def fifo_queue(
    arrival_s, size_bytes, *, link_bits_per_s: float, buffer_packets: int | None = None
) -> QueueResult:
    """Send packets through a link of ``link_bits_per_s`` behind a FIFO buffer of
    ``buffer_packets``.

    ``buffer_packets`` is the system capacity K of M/M/1/K: it *includes* the packet
    being transmitted, so ``buffer_packets=1`` means no waiting room at all. A packet
    arriving when K packets are in the system is lost; a packet that finishes at the
    very instant another arrives has left first. ``None`` means an unlimited buffer
    (M/M/1).

    >>> r = fifo_queue(
    ...     [0, 0, 0, 0.001],
    ...     [125, 125, 125, 125],
    ...     link_bits_per_s=1e6,
    ...     buffer_packets=2,
    ... )
    >>> r.departure_s.round(6).tolist()
    [0.001, 0.002, nan, 0.003]
    >>> r.summary()["packets_lost"]
    1
    """
    arrival, size = _traffic(arrival_s, size_bytes)
    link = _positive("link_bits_per_s", link_bits_per_s, "bits per second")
    service = size * 8 / link
    if buffer_packets is None:
        departure = _fifo_unlimited(arrival, service)
        capacity = None
    else:
        if (
            isinstance(buffer_packets, bool)
            or not float(buffer_packets).is_integer()
            or buffer_packets < 1
        ):
            raise ValueError(
                "buffer_packets: expected a whole number of "
                "packets, at least 1 (it counts the packet "
                "being transmitted), or None for an unlimited "
                f"buffer; got {buffer_packets!r}"
            )
        capacity = int(buffer_packets)
        departure = _fifo_limited(arrival, service, capacity)
    return QueueResult(arrival, size, departure, link, capacity)


# --------------------------------------------------------------------------------------
# Theory: M/M/1 and M/M/1/K
# --------------------------------------------------------------------------------------


def mm1_mean_delay(arrival_rate: float, service_rate: float) -> float:
    """Mean time in system of the M/M/1 queue, ``1 / (mu - lambda)``; needs
    ``lambda < mu``.

    >>> mm1_mean_delay(
    ...     800, 1000
    ... )  # packets/s: 80 % load, 1 ms mean transmission -> 5 ms
    0.005
    """
    lam = _positive("arrival_rate", arrival_rate, "packets per second")
    mu = _positive("service_rate", service_rate, "packets per second")
    if lam >= mu:
        raise ValueError(
            f"arrival_rate: {lam} packets/s is not below service_rate {mu} packets/s; "
            "an unlimited queue then grows without bound (use mm1k for a finite buffer)"
        )
    return 1.0 / (mu - lam)


class MM1KTheory(NamedTuple):
    """Steady state of the M/M/1/K queue (K counts the packet in service)."""

    blocking: float
    """Probability an arrival finds K in the system and is lost: (1-rho) rho^K / (1 -
    rho^(K+1)).
    """
    mean_in_system: float
    """Mean number of packets in the system, L."""
    mean_delay_s: float
    """Mean time in system of the packets that get in: L / lambda_eff (Little's law)."""
    throughput: float
    """Effective arrival rate lambda (1 - blocking), in packets per second."""


def mm1k(arrival_rate: float, service_rate: float, capacity: int) -> MM1KTheory:
    """The M/M/1/K formulas, for any load (rho = lambda / mu may be 1 or more).

    The number in system has the truncated geometric distribution p_n proportional to
    rho^n, n = 0..K; by PASTA an arrival sees it, so the blocking probability is p_K.

    >>> t = mm1k(
    ...     1.0, 1.0, 1
    ... )  # K = 1: Erlang's loss formula with one server, rho / (1 + rho)
    >>> t.blocking
    0.5
    >>> round(mm1k(2.0, 1.0, 3).blocking, 4)  # (1 - 2) 2**3 / (1 - 2**4) = 8 / 15
    0.5333
    """
    lam = _positive("arrival_rate", arrival_rate, "packets per second")
    mu = _positive("service_rate", service_rate, "packets per second")
    if isinstance(capacity, bool) or not float(capacity).is_integer() or capacity < 1:
        raise ValueError(
            "capacity: expected a whole number of "
            f"packets, at least 1; got {capacity!r}"
        )
    k = int(capacity)
    rho = lam / mu
    n = np.arange(k + 1)
    # p_n ~ rho^n, computed in logs and normalised, stable for rho far from 1 on either
    # side
    log_weights = n * math.log(rho)
    weights = np.exp(log_weights - log_weights.max())
    p = weights / weights.sum()
    blocking = float(p[-1])
    mean_in_system = float((n * p).sum())
    throughput = lam * (1 - blocking)
    return MM1KTheory(blocking, mean_in_system, mean_in_system / throughput, throughput)


def batch_means(values, n_batches: int = 20) -> tuple[float, float]:
    """Mean of a correlated series and its standard error by the method of batch means.

    Successive delays in a queue are correlated, so ``std / sqrt(n)`` understates the
    error. Cut the series into ``n_batches`` equal consecutive batches (a remainder at
    the end is left out); if the batches are much longer than the correlation time their
    means are nearly independent, and the standard error is
    ``std(batch means) / sqrt(n_batches)``.

    >>> batch_means([1, 2, 3, 4, 5, 6], n_batches=3)  # batch means 1.5, 3.5, 5.5
    (3.5, 1.1547005383792517)
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("values: expected a non-empty one-dimensional sequence")
    if isinstance(n_batches, bool) or int(n_batches) != n_batches or n_batches < 2:
        raise ValueError(
            f"n_batches: expected a whole number, at least 2; got {n_batches!r}"
        )
    size = x.size // n_batches
    if size == 0:
        raise ValueError(
            f"n_batches: {n_batches} batches need at least "
            f"{n_batches} values; got {x.size}"
        )
    means = x[: size * n_batches].reshape(n_batches, size).mean(axis=1)
    return float(means.mean()), float(means.std(ddof=1) / math.sqrt(n_batches))


# --------------------------------------------------------------------------------------
# Traffic to feed them
# --------------------------------------------------------------------------------------


def poisson_traffic(
    n_packets: int, *, rate_pps: float, mean_size_bytes: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson arrivals (exponential gaps, mean ``1 / rate_pps`` s) with exponential
    sizes (bytes).

    Sizes are continuous, not whole bytes, so that transmission times are exactly
    exponential and the M/M/1 formulas apply. Arrival times start after the first gap,
    not at 0.

    >>> arrival, size = poisson_traffic(3, rate_pps=100, mean_size_bytes=1000, seed=1)
    >>> arrival.shape, bool((np.diff(arrival) > 0).all()), bool((size > 0).all())
    ((3,), True, True)
    """
    if isinstance(n_packets, bool) or int(n_packets) != n_packets or n_packets < 1:
        raise ValueError(
            "n_packets: expected a whole number of "
            f"packets, at least 1; got {n_packets!r}"
        )
    rate = _positive("rate_pps", rate_pps, "packets per second")
    mean_size = _positive("mean_size_bytes", mean_size_bytes, "bytes")
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.exponential(1.0 / rate, int(n_packets)))
    size = rng.exponential(mean_size, int(n_packets))
    return arrival, size


def on_off_traffic(
    duration_s: float,
    *,
    peak_bits_per_s: float,
    mean_on_s: float,
    mean_off_s: float,
    packet_bytes: int = 1500,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Bursty traffic: exponential ON periods sending back-to-back packets at
    ``peak_bits_per_s``, separated by exponential OFF periods of silence; the first
    period is ON, starting at 0.

    The long-run mean rate is ``peak * mean_on / (mean_on + mean_off)``. All packets
    have ``packet_bytes`` bytes.

    >>> arrival, size = on_off_traffic(
    ...     1.0, peak_bits_per_s=1.2e6, mean_on_s=0.5, mean_off_s=0.5, seed=3
    ... )
    >>> float(arrival[1] - arrival[0])  # 1500 bytes at 1.2 Mbit/s: 10 ms apart
    0.01
    """
    duration = _positive("duration_s", duration_s, "seconds")
    peak = _positive("peak_bits_per_s", peak_bits_per_s, "bits per second")
    on = _positive("mean_on_s", mean_on_s, "seconds")
    off = _positive("mean_off_s", mean_off_s, "seconds")
    pkt = _positive("packet_bytes", packet_bytes, "bytes")
    rng = np.random.default_rng(seed)
    gap = pkt * 8 / peak
    times = []
    t = 0.0
    while t < duration:
        length = rng.exponential(on)
        count = max(1, int(length / gap))
        times.append(t + gap * np.arange(count))
        t += count * gap + rng.exponential(off)
    arrival = np.concatenate(times)
    arrival = arrival[arrival < duration]
    return arrival, np.full(arrival.size, float(pkt))


def binned_rate(
    time_s,
    size_bytes,
    *,
    bin_s: float,
    start_s: float = 0.0,
    stop_s: float | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Average rate in bits per second in consecutive bins: (bin start times, bits/s per
    bin).

    Each packet counts in the bin of its time; NaN times (dropped packets) are left out.
    Bins cover ``[start_s, stop_s)``; without ``stop_s`` they end with the bin of the
    last time.

    >>> binned_rate([0.1, 0.2, 1.5], [125, 125, 250], bin_s=1.0)
    (array([0., 1.]), array([2000., 2000.]))
    """
    width = _positive("bin_s", bin_s, "seconds")
    t = np.asarray(time_s, dtype=float)
    b = np.asarray(size_bytes, dtype=float)
    keep = ~np.isnan(t)
    t, b = t[keep], b[keep]
    if stop_s is None:
        n_bins = int((t.max() - start_s) // width) + 1 if t.size else 1
    else:
        n_bins = max(1, math.ceil((stop_s - start_s) / width))
    index = np.floor((t - start_s) / width).astype(int)
    inside = (index >= 0) & (index < n_bins)
    totals = np.bincount(index[inside], weights=b[inside], minlength=n_bins)
    return start_s + width * np.arange(n_bins), totals * 8 / width
