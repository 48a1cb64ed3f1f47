"""Tests of ingress_egress.simulate: token buckets and the bottleneck queue against hand
computations, exact reference implementations and queueing theory.

Where the expected value comes from:
- hand-computed token counts (RFC 2697's committed bucket alone, no excess bucket: green
  if it holds the packet's bytes);
- reference implementations written here, event by event in exact rational arithmetic
  (``fractions.Fraction``), not by the package's formulation (which tracks when the
  bucket is full);
- bounds derived in the docstrings (long-run rate, largest burst);
- the M/M/1 and M/M/1/K formulas, written out here from the textbook expressions.
"""

from __future__ import annotations

import math
from collections import deque
from fractions import Fraction

import numpy as np
import pytest

from ingress_egress.simulate import (
    batch_means,
    binned_rate,
    fifo_queue,
    mm1_mean_delay,
    mm1k,
    on_off_traffic,
    poisson_traffic,
    police,
    shape,
)

# --------------------------------------------------------------------------------------
# Reference implementations, in exact arithmetic, with the bucket counted in bytes
# --------------------------------------------------------------------------------------


def reference_police(arrival, size, rate, burst):
    """RFC 2697's committed bucket (no excess bucket): tokens += rate * dt up to burst;
    green if >= L.
    """
    tokens, last, out = Fraction(burst), None, []
    for t, length in zip(arrival, size):
        t, length = Fraction(t), Fraction(length)
        if last is not None:
            tokens = min(Fraction(burst), tokens + Fraction(rate) * (t - last))
        last = t
        if tokens >= length:
            tokens -= length
            out.append(True)
        else:
            out.append(False)
    return out


def reference_shape(arrival, size, rate, burst, limit=None):
    """FIFO shaper, event by event: a packet starts when it arrives and its predecessor
    has left, waits for the tokens it lacks, leaves; the queue (bytes of packets
    waiting) is checked on arrival."""
    rate, burst = Fraction(rate), Fraction(burst)
    tokens, clock, prev_departure = burst, Fraction(0), None
    waiting = (
        deque()
    )  # (departure, size) of accepted packets that had to wait, in FIFO order
    departures = []
    for t, length in zip(arrival, size):
        t, length = Fraction(t), Fraction(length)
        while waiting and waiting[0][0] <= t:
            waiting.popleft()
        backlog = sum(s for _, s in waiting)
        if length > burst or (limit is not None and backlog + length > limit):
            departures.append(None)
            continue
        start = t if prev_departure is None else max(t, prev_departure)
        tokens = min(burst, tokens + rate * (start - clock))
        clock = start
        if (
            tokens < length
        ):  # wait for the missing tokens; the bucket cannot overflow meanwhile
            clock = start + (length - tokens) / rate
            tokens = length
        tokens -= length
        prev_departure = clock
        departures.append(clock)
        if clock > t:
            waiting.append((clock, length))
    return departures


def dyadic_traffic(n, seed, sizes=(64, 576, 1500)):
    """Arrival times on a grid of 1/1024 s and whole-byte sizes: with a power-of-two
    token rate every quantity is exact in binary floating point, so exact ties are
    decided the same way."""
    rng = np.random.default_rng(seed)
    arrival = np.cumsum(rng.integers(0, 40, n)) / 1024
    size = rng.choice(sizes, n).astype(float)
    return arrival, size


# --------------------------------------------------------------------------------------
# Token bucket: hand-computed cases
# --------------------------------------------------------------------------------------


def test_police_hand_case():
    # rate 1000 B/s, bucket 1500 B, full at t=0. Tokens before -> after each packet:
    # t=0    1000 B: 1500 -> 500  green
    # t=0    1000 B:  500        red (500 < 1000), tokens untouched
    # t=0.5  1000 B:  500 + 500 = 1000 -> 0   green (exactly enough: RFC 2697 uses >=)
    # t=0.75  500 B:  250        red
    # t=1.0   250 B:  250 + 250 = 500 -> 250  green
    # t=10   1500 B:  capped at 1500 -> 0     green
    r = police(
        [0, 0, 0.5, 0.75, 1.0, 10],
        [1000, 1000, 1000, 500, 250, 1500],
        rate_bytes_per_s=1000,
        burst_bytes=1500,
    )
    assert r.passed.tolist() == [True, False, True, False, True, True]
    assert np.isnan(r.departure_s[[1, 3]]).all()
    assert r.delay_s[r.passed].tolist() == [0, 0, 0, 0]  # a policer never delays
    s = r.summary()
    assert (s["packets_passed"], s["packets_dropped"], s["bytes_dropped"]) == (
        4,
        2,
        1500.0,
    )


def test_shape_hand_case():
    # Same packets through a shaper (no queue limit). Departures, FIFO:
    # p0 t=0:    1500 tokens -> leaves at 0, 500 left
    # p1 t=0:    needs 1000, has 500 -> waits 0.5 s -> 0.5, 0 left
    # p2 t=0.5:  behind p1 (0.5); 0 tokens -> needs 1 s -> 1.5
    # p3 t=0.75: behind p2 (1.5); needs 500 -> 0.5 s -> 2.0
    # p4 t=1.0:  behind p3 (2.0); needs 250 -> 2.25
    # p5 t=10:   bucket full again (1500) -> leaves at once, 10
    r = shape(
        [0, 0, 0.5, 0.75, 1.0, 10],
        [1000, 1000, 1000, 500, 250, 1500],
        rate_bytes_per_s=1000,
        burst_bytes=1500,
    )
    assert r.departure_s.tolist() == [0.0, 0.5, 1.5, 2.0, 2.25, 10.0]
    assert r.passed.all()
    assert r.delay_s.tolist() == [0.0, 0.5, 1.0, 1.25, 1.25, 0.0]


def test_shape_with_queue_limit_hand_case():
    # Queue limit 1500 B (the arriving packet counts, as tbf's limit). Three 1000-byte
    # packets at t=0: p0 finds 1500 tokens and leaves at once (never queued); p1 waits
    # (queue 1000 B); p2 would make the queue 2000 B > 1500: dropped. At t=0.5 p1
    # leaves; p3 (t=0.5) finds an empty queue, 0 tokens, waits 1 s.
    r = shape(
        [0, 0, 0, 0.5],
        [1000, 1000, 1000, 1000],
        rate_bytes_per_s=1000,
        burst_bytes=1500,
        queue_limit_bytes=1500,
    )
    assert r.passed.tolist() == [True, True, False, True]
    assert r.departure_s[[0, 1, 3]].tolist() == [0.0, 0.5, 1.5]


def test_oversize_packets_never_conform():
    # A 2000-byte packet can never find 2000 tokens in a 1500-byte bucket: dropped in
    # both modes.
    for result in (
        police([0, 5], [2000, 100], rate_bytes_per_s=1000, burst_bytes=1500),
        shape([0, 5], [2000, 100], rate_bytes_per_s=1000, burst_bytes=1500),
        shape(
            [0, 5],
            [2000, 100],
            rate_bytes_per_s=1000,
            burst_bytes=1500,
            queue_limit_bytes=10_000,
        ),
    ):
        assert result.passed.tolist() == [False, True]
        assert result.summary()["packets_dropped_oversize"] == 1


# --------------------------------------------------------------------------------------
# Token bucket: against the exact event-by-event references
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_police_matches_rfc2697_reference(seed):
    arrival, size = dyadic_traffic(3000, seed)
    rate, burst = (
        2**15,
        4096,
    )  # 32 KiB/s against an offered ~37 kB/s in bursts: drops and exact ties
    got = police(
        arrival, size, rate_bytes_per_s=rate, burst_bytes=burst
    ).passed.tolist()
    want = reference_police(arrival.tolist(), size.tolist(), rate, burst)
    assert 0.05 < np.mean(want) < 0.95  # both outcomes are exercised
    assert got == want


@pytest.mark.parametrize("limit", [None, 3000, 20_000])
def test_shape_matches_reference(limit):
    arrival, size = dyadic_traffic(1500, seed=7)
    rate, burst = 2**15, 4096
    got = shape(
        arrival, size, rate_bytes_per_s=rate, burst_bytes=burst, queue_limit_bytes=limit
    )
    want = reference_shape(arrival.tolist(), size.tolist(), rate, burst, limit)
    assert got.passed.tolist() == [d is not None for d in want]
    expected = np.array([np.nan if d is None else float(d) for d in want])
    np.testing.assert_allclose(
        got.departure_s, expected, rtol=0, atol=1e-9, equal_nan=True
    )
    if limit is not None:
        assert (
            0 < (~got.passed).sum() < len(want)
        )  # the limit really drops some, not all


# --------------------------------------------------------------------------------------
# Token bucket: properties with derived bounds
# --------------------------------------------------------------------------------------


def test_largest_back_to_back_burst_equals_bucket_size():
    # 100 packets of 100 B arrive at the same instant: a full 1500-byte bucket lets
    # exactly 1500 B through, then nothing; after a long idle period the bucket is full
    # again, and only full.
    arrival = np.r_[np.zeros(100), np.full(100, 1000.0)]
    size = np.full(200, 100.0)
    r = police(arrival, size, rate_bytes_per_s=10, burst_bytes=1500)
    assert r.size_bytes[r.passed & (arrival == 0)].sum() == 1500
    assert r.size_bytes[r.passed & (arrival == 1000)].sum() == 1500
    # the shaper sends the same 1500 bytes at once and makes the rest wait
    s = shape(arrival[:100], size[:100], rate_bytes_per_s=10, burst_bytes=1500)
    assert (s.delay_s == 0).sum() == 15


def test_burst_at_line_rate_passes_until_tokens_run_out():
    # Packets of L = 1500 B back to back at line rate C = 2r into a full bucket B =
    # 15000 B. Packet k (k = 0, 1, ...) arrives at k L / C and finds B + r k L / C - k L
    # tokens; it conforms while that is >= L, i.e. k <= (B - L) / (L (1 - r / C)) =
    # 13500 / 750 = 18: 19 packets, 28500 B, within one packet of the maximum burst size
    # B C / (C - r) = 30000 B. (0.135 s and 0.015 s are not exact in binary: packet 18
    # is a tie only up to rounding, which the policer must not turn into a drop)
    rate, line = 100_000.0, 200_000.0
    k = np.arange(40)
    r = police(
        k * 1500 / line, np.full(40, 1500.0), rate_bytes_per_s=rate, burst_bytes=15000
    )
    first_drop = int(np.argmin(r.passed))
    assert first_drop == 19
    assert abs(19 * 1500 - 15000 * line / (line - rate)) <= 1500


def test_constant_rate_at_exactly_the_token_rate_is_never_dropped():
    # 1500-byte packets every 1.5 ms against 1 MB/s of tokens and a 1500-byte bucket:
    # each packet finds exactly 1500 tokens, a tie every time (RFC 2697: >=, so green).
    # 1.5 ms is not exact in binary, and 200,000 packets accumulate rounding: none of it
    # may turn a tie into a drop.
    n = 200_000
    arrival = np.arange(n) * 0.0015
    r = police(arrival, np.full(n, 1500.0), rate_bytes_per_s=1e6, burst_bytes=1500)
    assert r.passed.all()
    # one byte fewer of tokens per gap: packet 1 finds 1499 tokens and is dropped,
    # packet 2 finds min(1500, 1499 + 1499) = 1500 and passes, and so on: every other
    # packet is dropped
    r = police(
        arrival, np.full(n, 1500.0), rate_bytes_per_s=1499 / 0.0015, burst_bytes=1500
    )
    assert r.passed.tolist() == [True, False] * (n // 2)


def test_long_run_policed_rate_tends_to_token_rate():
    # Packets of 64..1500 B arrive back to back at line rate C = 3r. Derivation of the
    # bound: tokens are wasted only if the bucket reaches B between arrivals. Just after
    # packet k-1 the bucket holds <= B - L (it passed) or < L (it was dropped), and
    # gains r L / C = L / 3 before packet k arrives; with B >= 2 max L neither reaches
    # B. So no token is wasted after t = 0 and
    #   bytes passed = B + r T - (tokens left at T),  0 <= tokens left <= B,
    # hence r T <= passed <= r T + B, and the passed rate is within B / T of r.
    rng = np.random.default_rng(5)
    size = rng.integers(64, 1501, 300_000).astype(float)
    rate, burst = 1e6, 3000.0
    arrival = np.r_[0.0, np.cumsum(size[:-1]) / (3 * rate)]
    r = police(arrival, size, rate_bytes_per_s=rate, burst_bytes=burst)
    horizon = arrival[-1]  # about 75 s
    passed = r.size_bytes[r.passed].sum()
    assert rate * horizon - 1e-6 <= passed <= rate * horizon + burst + 1e-6
    assert abs(passed / horizon - rate) <= burst / horizon  # 0.004 % of the rate here


def test_backlogged_shaper_sends_at_token_rate():
    # A shaper with a permanent backlog sends exactly B + r d bytes by the time d its
    # last packet leaves (a full bucket at the start, then r bytes of tokens per second,
    # all used).
    rng = np.random.default_rng(6)
    size = rng.integers(64, 1501, 100_000).astype(float)
    arrival = np.r_[0.0, np.cumsum(size[:-1]) / 3e6]  # offered 3 MB/s against 1 MB/s
    r = shape(arrival, size, rate_bytes_per_s=1e6, burst_bytes=3000)
    assert r.passed.all()
    assert math.isclose(size.sum(), 3000 + 1e6 * r.departure_s[-1], rel_tol=1e-12)


def test_shaper_output_respects_the_token_bucket_bound():
    # For every pair j <= k of passed packets: bytes of j..k <= B + r (d_k - d_j). Also
    # FIFO order, nothing leaves before it arrives, and nothing that fits the bucket is
    # lost without a limit.
    arrival, size = on_off_traffic(
        2.0, peak_bits_per_s=40e6, mean_on_s=0.05, mean_off_s=0.1, seed=4
    )
    rate, burst = 1e6, 6000.0
    r = shape(arrival, size, rate_bytes_per_s=rate, burst_bytes=burst)
    assert r.passed.all()
    d = r.departure_s
    assert (np.diff(d) >= 0).all() and (d >= arrival).all()
    cum = np.r_[0.0, np.cumsum(size)]
    sent = cum[1:][None, :] - cum[:-1][:, None]  # bytes of packets j..k, for j <= k
    allowed = burst + rate * (d[None, :] - d[:, None])
    upper = np.triu(np.ones_like(sent, dtype=bool))
    assert (sent[upper] <= allowed[upper] + 1e-6).all()


def test_shaper_loses_nothing_that_fits_the_queue():
    # A burst of 20 packets (30000 B) at t=0 into a queue of 30000 B: all of it fits,
    # none is lost.
    arrival, size = np.zeros(20), np.full(20, 1500.0)
    r = shape(
        arrival, size, rate_bytes_per_s=15000, burst_bytes=1500, queue_limit_bytes=30000
    )
    assert r.passed.all()
    # 21 packets: the first leaves at once (never queued), the next 19 queue 28500 B,
    # and the 21st needs 30000 B of queue: a limit of 29999 B drops it, and only it.
    r = shape(
        np.zeros(21),
        np.full(21, 1500.0),
        rate_bytes_per_s=15000,
        burst_bytes=1500,
        queue_limit_bytes=29999,
    )
    assert r.passed.sum() == 20 and not r.passed[-1]


def test_shaper_drops_exactly_when_the_queue_overflows():
    # Recompute the queue at each arrival from the result itself: a packet is dropped
    # iff the bytes waiting (accepted, arrived earlier, leaving later) plus its own
    # exceed the limit.
    arrival, size = on_off_traffic(
        3.0, peak_bits_per_s=20e6, mean_on_s=0.05, mean_off_s=0.1, seed=8
    )
    limit = 12_000.0
    r = shape(
        arrival, size, rate_bytes_per_s=2e5, burst_bytes=3000, queue_limit_bytes=limit
    )
    waited = r.passed & (r.departure_s > r.arrival_s)
    for k in range(size.size):
        earlier = waited[:k] & (r.departure_s[:k] > arrival[k])
        backlog = size[:k][earlier].sum()
        assert r.passed[k] == (backlog + size[k] <= limit)
    assert (~r.passed).sum() > 0


# --------------------------------------------------------------------------------------
# Bottleneck queue: hand cases and a reference
# --------------------------------------------------------------------------------------


def test_fifo_hand_case():
    # 1 Mbit/s link, 125-byte packets: 1 ms each. K = 2 counts the packet in
    # transmission. t=0: p0 starts (leaves 1 ms), p1 waits (leaves 2 ms), p2 finds 2 in
    # the system: lost. t=1 ms: p0 leaves as p3 arrives; p3 finds one in the system,
    # leaves at 3 ms.
    r = fifo_queue(
        [0, 0, 0, 0.001], [125, 125, 125, 125], link_bits_per_s=1e6, buffer_packets=2
    )
    assert r.lost.tolist() == [False, False, True, False]
    np.testing.assert_allclose(r.departure_s[~r.lost], [0.001, 0.002, 0.003])
    # K = 1: no waiting room at all; only p0 and p3 get through
    r1 = fifo_queue([0, 0, 0, 0.001], [125] * 4, link_bits_per_s=1e6, buffer_packets=1)
    assert r1.lost.tolist() == [False, True, True, False]


def test_fifo_unlimited_matches_lindley_loop():
    arrival, size = poisson_traffic(5000, rate_pps=900, mean_size_bytes=1000, seed=3)
    r = fifo_queue(arrival, size, link_bits_per_s=8e6)
    departure, last = [], -math.inf
    for t, s in zip(arrival, size * 8 / 8e6):
        last = max(t, last) + s
        departure.append(last)
    np.testing.assert_allclose(r.departure_s, departure, rtol=1e-12)
    # and the limited code with a buffer no run can fill agrees too
    big = fifo_queue(arrival, size, link_bits_per_s=8e6, buffer_packets=10**9)
    np.testing.assert_allclose(big.departure_s, departure, rtol=1e-12)


# --------------------------------------------------------------------------------------
# Bottleneck queue against M/M/1 and M/M/1/K
# --------------------------------------------------------------------------------------
# Tolerance: successive delays are correlated, so the standard error (SE) of a simulated
# mean is estimated by batch means (20 consecutive batches; each batch holds >= 10,000
# packets, far longer than the queue's relaxation time, about 1 / (mu (1 -
# sqrt(rho))^2) = 90 service times at rho = 0.8). We require |simulated - theory| <= 4
# SE (a false alarm about once in 10^4 for a normal error; seeds are fixed, so the test
# is deterministic) and, so that 4 SE cannot hide a real error, the SE itself below 3 %
# of the theoretical mean delay. The first 1 % of packets is discarded as warm-up (the
# queue starts empty). mu = 1000 packets/s: 1000-byte mean size on an 8 Mbit/s link.

MU = 1000.0


def mm1k_formulas(rho, k):
    """Blocking probability and mean number in system of M/M/1/K, K counting the one in
    service.
    """
    if rho == 1:
        return 1 / (k + 1), k / 2
    blocking = (1 - rho) * rho**k / (1 - rho ** (k + 1))
    in_system = rho / (1 - rho) - (k + 1) * rho ** (k + 1) / (1 - rho ** (k + 1))
    return blocking, in_system


@pytest.mark.parametrize("rho, n", [(0.3, 200_000), (0.5, 200_000), (0.8, 400_000)])
def test_mm1_mean_delay(rho, n):
    arrival, size = poisson_traffic(n, rate_pps=rho * MU, mean_size_bytes=1000, seed=11)
    r = fifo_queue(arrival, size, link_bits_per_s=8e6)
    mean, se = batch_means(r.delay_s[n // 100 :], n_batches=20)
    theory = 1 / (MU - rho * MU)
    assert se < 0.03 * theory
    assert abs(mean - theory) <= 4 * se
    assert mm1_mean_delay(rho * MU, MU) == pytest.approx(theory)


@pytest.mark.parametrize("rho", [0.5, 0.8, 1.0, 1.5])
@pytest.mark.parametrize("k", [1, 10])
def test_mm1k_loss_and_delay(rho, k):
    n = 1_000_000
    arrival, size = poisson_traffic(n, rate_pps=rho * MU, mean_size_bytes=1000, seed=12)
    r = fifo_queue(arrival, size, link_bits_per_s=8e6, buffer_packets=k)
    lost = r.lost[n // 100 :]
    blocking, in_system = mm1k_formulas(rho, k)
    mean_delay = in_system / (
        rho * MU * (1 - blocking)
    )  # Little's law with the effective arrival rate

    loss, loss_se = batch_means(lost.astype(float), n_batches=20)
    assert loss_se < max(0.03 * blocking, 1e-4)
    assert abs(loss - blocking) <= 4 * loss_se

    delay, delay_se = batch_means(r.delay_s[n // 100 :][~lost], n_batches=20)
    assert delay_se < 0.03 * mean_delay
    assert abs(delay - mean_delay) <= 4 * delay_se


def test_mm1k_theory_function_matches_closed_forms():
    for rho in (0.2, 0.9, 1.0, 1.3, 4.0):
        for k in (1, 2, 10, 50):
            t = mm1k(rho * MU, MU, k)
            blocking, in_system = mm1k_formulas(rho, k)
            assert t.blocking == pytest.approx(blocking, rel=1e-9)
            assert t.mean_in_system == pytest.approx(in_system, rel=1e-9)
            assert t.throughput == pytest.approx(rho * MU * (1 - blocking), rel=1e-9)
            assert t.mean_delay_s == pytest.approx(in_system / t.throughput, rel=1e-9)
    # K = 1 is Erlang's loss formula with one server: rho / (1 + rho)
    assert mm1k(800, 1000, 1).blocking == pytest.approx(0.8 / 1.8)
    # a large buffer at rho < 1 approaches M/M/1
    assert mm1k(500, 1000, 200).mean_delay_s == pytest.approx(1 / 500)


def test_batch_means_by_hand():
    mean, se = batch_means(
        [1, 2, 3, 4, 5, 6, 7], n_batches=3
    )  # the 7th value is left over
    assert mean == 3.5  # batch means 1.5, 3.5, 5.5: sample std 2
    assert se == pytest.approx(2 / math.sqrt(3))


# --------------------------------------------------------------------------------------
# Traffic generators and binning
# --------------------------------------------------------------------------------------


def test_poisson_traffic_is_seeded_and_has_the_right_rates():
    a1, s1 = poisson_traffic(100_000, rate_pps=500, mean_size_bytes=800, seed=9)
    a2, s2 = poisson_traffic(100_000, rate_pps=500, mean_size_bytes=800, seed=9)
    assert np.array_equal(a1, a2) and np.array_equal(s1, s2)
    # exponential with n = 1e5: relative SE of a mean = 1 / sqrt(n) = 0.3 %; allow 4 SE
    assert abs(np.diff(a1).mean() * 500 - 1) < 0.013
    assert abs(s1.mean() / 800 - 1) < 0.013


def test_on_off_traffic_mean_rate():
    # long-run mean = peak * on / (on + off) = 10 Mbit/s * 0.2 / 1.0 = 2 Mbit/s; with
    # 1000 s of ~830 on/off cycles the relative error of the sum of on-times is about
    # 1/sqrt(830) * sqrt(2) = 5 %
    arrival, size = on_off_traffic(
        1000.0, peak_bits_per_s=10e6, mean_on_s=0.2, mean_off_s=0.8, seed=2
    )
    mean_rate = size.sum() * 8 / 1000.0
    assert abs(mean_rate / 2e6 - 1) < 0.2
    assert (
        np.diff(arrival) >= 1500 * 8 / 10e6 - 1e-12
    ).all()  # never faster than the peak rate


def test_binned_rate():
    start, rate = binned_rate([0.0, 0.5, 2.2, np.nan], [100, 150, 50, 999], bin_s=1.0)
    assert start.tolist() == [0.0, 1.0, 2.0]
    assert rate.tolist() == [
        2000.0,
        0.0,
        400.0,
    ]  # (100 + 150) * 8 bits in 1 s; the NaN is left out
    start, rate = binned_rate([0.5], [10], bin_s=0.5, start_s=0.0, stop_s=2.0)
    assert rate.tolist() == [0.0, 160.0, 0.0, 0.0]


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf"), "fast"])
def test_bad_rates_are_named(bad):
    with pytest.raises(ValueError, match="rate_bytes_per_s"):
        police([0], [100], rate_bytes_per_s=bad, burst_bytes=1500)
    with pytest.raises(ValueError, match="rate_bytes_per_s"):
        shape([0], [100], rate_bytes_per_s=bad, burst_bytes=1500)
    with pytest.raises(ValueError, match="link_bits_per_s"):
        fifo_queue([0], [100], link_bits_per_s=bad)


def test_bad_sizes_of_buckets_and_buffers():
    with pytest.raises(ValueError, match="burst_bytes"):
        police([0], [100], rate_bytes_per_s=1000, burst_bytes=0)
    with pytest.raises(ValueError, match="queue_limit_bytes"):
        shape([0], [100], rate_bytes_per_s=1000, burst_bytes=1500, queue_limit_bytes=0)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="buffer_packets"):
            fifo_queue([0], [100], link_bits_per_s=1e6, buffer_packets=bad)
    with pytest.raises(ValueError, match="capacity"):
        mm1k(1, 2, 0)


def test_empty_and_malformed_traffic():
    with pytest.raises(ValueError, match="arrival_s: empty traffic"):
        police([], [], rate_bytes_per_s=1000, burst_bytes=1500)
    with pytest.raises(ValueError, match="arrival_s: empty traffic"):
        fifo_queue([], [], link_bits_per_s=1e6)
    with pytest.raises(ValueError, match="3 arrival times but 2 sizes"):
        shape([0, 1, 2], [100, 100], rate_bytes_per_s=1000, burst_bytes=1500)
    with pytest.raises(ValueError, match="size_bytes: packet 1 has size -5"):
        police([0, 1], [100, -5], rate_bytes_per_s=1000, burst_bytes=1500)
    with pytest.raises(
        ValueError, match="arrival_s: packet 2 arrives at 1.0 s, before packet 1"
    ):
        fifo_queue([0, 2, 1], [100, 100, 100], link_bits_per_s=1e6)
    with pytest.raises(ValueError, match="arrival_s: packet 0"):
        police([float("nan")], [100], rate_bytes_per_s=1000, burst_bytes=1500)


def test_theory_and_generator_errors():
    with pytest.raises(ValueError, match="arrival_rate.*not below service_rate"):
        mm1_mean_delay(1000, 1000)
    with pytest.raises(ValueError, match="arrival_rate"):
        mm1_mean_delay(-1, 1000)
    with pytest.raises(ValueError, match="n_batches"):
        batch_means([1, 2, 3], n_batches=1)
    with pytest.raises(ValueError, match="values"):
        batch_means([], n_batches=2)
    with pytest.raises(ValueError, match="n_packets"):
        poisson_traffic(0, rate_pps=1, mean_size_bytes=1, seed=0)
    with pytest.raises(ValueError, match="mean_on_s"):
        on_off_traffic(1.0, peak_bits_per_s=1e6, mean_on_s=0, mean_off_s=1, seed=0)
    with pytest.raises(ValueError, match="bin_s"):
        binned_rate([0], [1], bin_s=-1)
