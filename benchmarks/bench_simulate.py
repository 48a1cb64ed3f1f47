"""Benchmark: a million packets through the token bucket (policing, shaping) and the
bottleneck queue.

Run: ``.venv/bin/python benchmarks/bench_simulate.py [N_PACKETS]`` (default 1,000,000).

Prints, for each simulation, the best of three wall-clock times, packets per second and
the process's peak resident memory so far. Traffic: Poisson arrivals at 80 % of the link
or token rate, exponential sizes with a mean of 1000 bytes (seeded, so every run
simulates the same packets). The target is a couple of seconds per million packets. The
two "as an event loop" rows run the unlimited cases through the one-packet-at-a-time
code (a limit no run can reach), to show what the closed forms with cumulative maxima
save.
"""

from __future__ import annotations

import resource
import sys
import time

from ingress_egress.simulate import fifo_queue, poisson_traffic, police, shape


def best_of(repeats, function, *args, **kwargs):
    """Best wall-clock time of ``repeats`` calls, and the last result."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports
    kilobytes).
    """
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1000


def main(n: int = 1_000_000) -> None:
    rate_bytes_per_s = 1.25e6  # 10 Mbit/s
    arrival, size = poisson_traffic(
        n, rate_pps=0.8 * rate_bytes_per_s / 1000, mean_size_bytes=1000, seed=1
    )
    link_bits_per_s = rate_bytes_per_s * 8
    cases = [
        (
            "police (token bucket, drop)",
            police,
            dict(rate_bytes_per_s=rate_bytes_per_s, burst_bytes=15_000),
        ),
        (
            "shape, unlimited queue (max-plus)",
            shape,
            dict(rate_bytes_per_s=rate_bytes_per_s, burst_bytes=15_000),
        ),
        (
            "shape, same, as an event loop",
            shape,
            dict(
                rate_bytes_per_s=rate_bytes_per_s,
                burst_bytes=15_000,
                queue_limit_bytes=1e18,
            ),
        ),
        (
            "shape, queue limit 64 kB (loop)",
            shape,
            dict(
                rate_bytes_per_s=rate_bytes_per_s,
                burst_bytes=15_000,
                queue_limit_bytes=64_000,
            ),
        ),
        (
            "FIFO queue, unlimited buffer (Lindley)",
            fifo_queue,
            dict(link_bits_per_s=link_bits_per_s),
        ),
        (
            "FIFO queue, same, as an event loop",
            fifo_queue,
            dict(link_bits_per_s=link_bits_per_s, buffer_packets=10**12),
        ),
        (
            "FIFO queue, 50-packet buffer (loop)",
            fifo_queue,
            dict(link_bits_per_s=link_bits_per_s, buffer_packets=50),
        ),
    ]
    print(f"{n:,} packets, Poisson at 80 % load, mean 1000 bytes; best of 3 runs")
    print(f"{'simulation':40s} {'seconds':>8s} {'packets/s':>14s} {'peak MB':>8s}")
    for name, function, kwargs in cases:
        seconds, result = best_of(3, function, arrival, size, **kwargs)
        print(f"{name:40s} {seconds:8.3f} {n / seconds:14,.0f} {peak_memory_mb():8.0f}")
        assert len(result.departure_s) == n


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
