"""Benchmark: the command line's pipeline on a million packets, as ratios to a plain
``f.read()``.

Writes (once, seeded) a classic pcap of ``--packets`` packets (default 1,000,000): 70 %
IPv4/TCP, 25 % IPv4/UDP, 5 % IPv6/TCP, frames of 60 to 1,514 bytes (about 690 bytes on
average), one inside network (10.0.0.0/8) talking to tens of thousands of outside
addresses (198.18.0.0/15, the benchmarking range of RFC 2544; 2001:db8::/32 for IPv6).
Then, with the file in the page cache, it times in one process, ``--repeats`` times
each:

1. ``f.read()`` of the whole file (the yardstick: what reading the bytes costs on this
   machine);
2. ``read_capture`` of the file;
3. ``direction.classify`` of the rows, one /8 inside;
4. read + classify + summarize of one DataFrame;
5. what ``ingress-egress summarize`` does: pieces of a million packets with categorical
   addresses (:func:`~ingress_egress.captures.iter_capture`), each summarized, the
   counts added.

It prints the best time of each step, the spread (slowest minus fastest) and the best
time as a ratio to the best ``f.read()``. The machine may be shared: compare ratios, and
run it twice.

Run: ``.venv/bin/python benchmarks/bench_pipeline.py [--packets N] [--repeats R] [--keep
FOLDER]``
"""

from __future__ import annotations

import argparse
import shutil
import struct
import tempfile
import time
from pathlib import Path

import numpy as np

from ingress_egress import captures
from ingress_egress.captures import read_capture
from ingress_egress.direction import classify, summarize

INSIDE = "10.0.0.0/8"


def write_capture(path: Path, packets: int, seed: int = 2026) -> Path:
    """The benchmark capture, built with numpy and written as one pcap (nanosecond
    timestamps).
    """
    rng = np.random.default_rng(seed)
    kind = rng.choice(
        3, size=packets, p=[0.70, 0.25, 0.05]
    )  # 0 TCP/IPv4, 1 UDP/IPv4, 2 IPv6
    header = np.where(
        kind == 0, 14 + 20 + 20, np.where(kind == 1, 14 + 20 + 8, 14 + 40 + 20)
    )
    size = np.clip(
        rng.choice(
            [60, 66, 120, 590, 1514], size=packets, p=[0.2, 0.25, 0.1, 0.1, 0.35]
        ),
        header,
        1514,
    )
    outbound = rng.random(packets) < 0.5
    inside = (10 << 24) + rng.integers(1, 4096, packets)
    outside = rng.integers(0, 60_000, packets)  # many distinct outside hosts
    outside4 = 0xC6120000 + outside  # 198.18.0.0/15, the benchmarking range (RFC 2544)
    sport = rng.integers(32768, 61000, packets)
    times = 1_767_225_600 * 10**9 + np.cumsum(
        rng.exponential(50_000, packets).astype(np.int64)
    )
    payload = bytes(1514)
    mac = bytes.fromhex("020000000001020000000002")
    pack_ip4 = struct.Struct(">BBHHHBBH4s4s").pack
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
        rec = struct.Struct("<IIII").pack
        for i in range(packets):
            n = int(size[i])
            k = int(kind[i])
            a = int(inside[i]).to_bytes(4, "big")
            b = int(outside4[i]).to_bytes(4, "big")
            s, d = (a, b) if outbound[i] else (b, a)
            p1, p2 = (int(sport[i]), 443) if outbound[i] else (443, int(sport[i]))
            if k == 2:
                s6 = b"\xfd" + bytes(11) + s
                d6 = b"\x20\x01\x0d\xb8" + bytes(4) + int(outside[i]).to_bytes(8, "big")
                if not outbound[i]:
                    s6, d6 = d6, b"\xfd" + bytes(11) + a
                body = struct.pack(">HHIIBBHHH", p1, p2, 1, 1, 0x50, 0x10, 65535, 0, 0)
                body += payload[: n - 74]
                frame = (
                    mac
                    + b"\x86\xdd"
                    + struct.pack(">IHBB", 6 << 28, len(body), 6, 64)
                    + s6
                    + d6
                    + body
                )
            else:
                if k == 0:
                    body = struct.pack(
                        ">HHIIBBHHH", p1, p2, 1, 1, 0x50, 0x18, 65535, 0, 0
                    )
                else:
                    body = struct.pack(
                        ">HHHH", p1, 53 if outbound[i] else p2, n - 34, 0
                    )
                body += payload[: n - 34 - len(body)]
                frame = (
                    mac
                    + b"\x08\x00"
                    + pack_ip4(
                        0x45,
                        0,
                        20 + len(body),
                        1,
                        0x4000,
                        64,
                        6 if k == 0 else 17,
                        0,
                        s,
                        d,
                    )
                    + body
                )
            t = int(times[i])
            f.write(rec(t // 10**9, t % 10**9, len(frame), len(frame)))
            f.write(frame)
    return path


def best_of(repeats: int, step) -> tuple[float, float, object]:
    """Best and spread (slowest - fastest) of ``repeats`` runs of ``step()``, and its
    last result.

    The best processor time (``time.process_time``) is left in ``best_of.cpu``: on a
    shared machine it varies less than the wall clock."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        result = step()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    best_of.cpu = min(cpu)
    return min(times), max(times) - min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, help="write the capture here and keep it (reused)"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"pipeline-{args.packets}.pcap"
    try:
        if not path.exists():
            t = time.perf_counter()
            write_capture(path, args.packets)
            print(f"wrote {args.packets:,} packets in {time.perf_counter() - t:.1f} s")
        size = path.stat().st_size
        print(f"{path}: {args.packets:,} packets, {size / 1e6:.0f} MB")

        def raw() -> int:
            with open(path, "rb") as f:
                return len(f.read())

        raw()  # into the page cache
        rows = [("f.read()", *best_of(args.repeats, raw)[:2], best_of.cpu)]
        read_best, read_spread, df = best_of(
            args.repeats, lambda: read_capture(path, progress=False)
        )
        rows.append(("read_capture", read_best, read_spread, best_of.cpu))
        n_outside = len(set(df["src"].unique()) | set(df["dst"].unique()))
        rows.append(
            (
                "classify, one /8 inside",
                *best_of(args.repeats, lambda: classify(df, INSIDE))[:2],
                best_of.cpu,
            )
        )
        rows.append(
            (
                "read + classify + summarize",
                *best_of(
                    args.repeats,
                    lambda: summarize(read_capture(path, progress=False), INSIDE),
                )[:2],
                best_of.cpu,
            )
        )

        def cli() -> (
            None
        ):  # what ingress-egress summarize does: pieces with categorical addresses
            for piece in captures.iter_capture(
                path, addresses="category", progress=False
            ):
                summarize(piece, INSIDE)

        if hasattr(captures, "iter_capture"):  # absent before the command line streamed
            rows.append(
                (
                    "CLI summarize (iter_capture)",
                    *best_of(args.repeats, cli)[:2],
                    best_of.cpu,
                )
            )
        print(f"{n_outside:,} distinct addresses; best of {args.repeats} runs each")
        base, base_cpu = rows[0][1], rows[0][3]
        print(
            f"{'step':<30} {'best s':>8} {'spread s':>9} {'x f.read()':>11} "
            f"{'packets/s':>12} {'CPU s':>7} {'x f.read() CPU':>15}"
        )
        for name, best, spread, cpu in rows:
            print(
                f"{name:<30} {best:8.3f} {spread:9.3f} {best / base:11.2f} "
                f"{args.packets / best:12,.0f} {cpu:7.3f} {cpu / base_cpu:15.2f}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
