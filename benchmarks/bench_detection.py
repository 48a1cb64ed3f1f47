"""Benchmark: how long do notebook 05's evaluation days take to build and to score?

Builds every day of ``egress_days.EVALUATION`` (five clean history days, a control day,
five days with planted leaks), then scores them with ``detection.score_days`` and
notebook 04's allow-list, and prints, per day, its packets, DNS questions, build time
and score time (CPU seconds of this process, so a busy machine does not inflate them),
and the totals. Notebook 05 runs this work in one cell; the target is a few seconds of
CPU in all.

Run: ``.venv/bin/python benchmarks/bench_detection.py``
"""

from __future__ import annotations

import time

from ingress_egress import detection
from ingress_egress.datagen import egress_days
from ingress_egress.egress_monitor import AllowEntry

ALLOWLIST = [
    AllowEntry("192.0.2.53/32", 53, "udp"),
    AllowEntry("*.example.com", 443, "tcp"),
    AllowEntry("*.example.net", 443, "tcp"),
    AllowEntry("*.example.org", 443, "tcp"),
    AllowEntry("legacy.example.org", 80, "tcp"),
    AllowEntry("updates.example.net", 80, "tcp"),
    AllowEntry("backup.example.org", 22, "tcp"),
]


def main() -> None:
    days, built = [], 0.0
    print(f"{'day':>4} {'packets':>9} {'questions':>10} {'build s':>8}")
    for number in egress_days.EVALUATION:
        start = time.process_time()
        day = egress_days.day(number)
        took = time.process_time() - start
        built += took
        days.append(day)
        print(
            f"{number:>4} {len(day.packets):>9,} {len(day.queries):>10,} {took:>8.2f}"
        )
    start = time.process_time()
    detection.score_days(
        days,
        "192.168.10.0/24",
        ALLOWLIST,
        hosts=egress_days.HOSTS,
        history_days=egress_days.HISTORY,
    )
    scored = time.process_time() - start
    print(
        f"build {built:.2f} s, score {scored:.2f} s, total {built + scored:.2f} s of "
        f"CPU for {len(days)} days"
    )


if __name__ == "__main__":
    main()
