"""Benchmark: convert a 20-million-packet capture to Parquet, with the peak memory it
takes.

Writes (once, seeded, with numpy) a classic pcap of ``--packets`` packets (default
20,000,000) as a busy link is usually captured for accounting, headers only: every frame
cut to a 96-byte snap length (``tcpdump -s 96``), its length on the wire 60 to 1,514
bytes and agreeing with its IPv4 total length; 70 % TCP, 30 % UDP, inside 10.0.0.0/8,
outside hosts drawn from the 131,072 addresses of 198.18.0.0/15 (RFC 2544's benchmarking
range). About 2.2 GB.

Then, each in a fresh process, ``--repeats`` times: ``f.read()`` of the file in 8 MiB
pieces (the yardstick), :func:`ingress_egress.captures.iter_capture` summing lengths
(reading alone), and :func:`ingress_egress.parquet.convert` to Parquet. It prints the
best and the spread of the seconds, packets per second (of the wall clock and of
processor time: on a shared machine the latter varies less) and each process's peak
resident memory (targets for convert: at least 1,000,000 packets/s, at most 1 GiB).

Run: ``.venv/bin/python benchmarks/bench_convert.py [--packets N] [--keep FOLDER]``"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SNAP = 96


def write_capture(
    path: Path, packets: int, seed: int = 2026, block: int = 1_000_000
) -> Path:
    rng = np.random.default_rng(seed)
    record = np.dtype(
        [
            ("sec", "<u4"),
            ("nsec", "<u4"),
            ("incl", "<u4"),
            ("orig", "<u4"),
            ("frame", "u1", SNAP),
        ]
    )
    t = 1_767_225_600 * 10**9
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, SNAP, 1))
        for start in range(0, packets, block):
            n = min(block, packets - start)
            rec = np.zeros(n, record)
            wire = rng.choice(
                [60, 66, 120, 590, 1514], size=n, p=[0.2, 0.25, 0.1, 0.1, 0.35]
            )
            times = t + np.cumsum(rng.exponential(20_000, n).astype(np.int64))
            t = int(times[-1])
            rec["sec"], rec["nsec"] = times // 10**9, times % 10**9
            rec["incl"], rec["orig"] = SNAP, wire
            frm = rec["frame"]
            frm[:, 12:14] = [0x08, 0x00]
            udp = rng.random(n) < 0.3
            ip_len = wire - 14
            frm[:, 14] = 0x45
            frm[:, 16], frm[:, 17] = ip_len >> 8, ip_len & 0xFF
            frm[:, 22] = 64
            frm[:, 23] = np.where(udp, 17, 6)
            inside = (10 << 24) + rng.integers(1, 4096, n)
            outside = 0xC6120000 + rng.integers(0, 131072, n)
            out = rng.random(n) < 0.5
            src, dst = np.where(out, inside, outside), np.where(out, outside, inside)
            for base, value in ((26, src), (30, dst)):
                for k in range(4):
                    frm[:, base + k] = (value >> (24 - 8 * k)) & 0xFF
            sport = rng.integers(32768, 61000, n)
            p1, p2 = np.where(out, sport, 443), np.where(out, 443, sport)
            frm[:, 34], frm[:, 35], frm[:, 36], frm[:, 37] = (
                p1 >> 8,
                p1 & 0xFF,
                p2 >> 8,
                p2 & 0xFF,
            )
            frm[:, 46] = np.where(udp, 0, 0x50)
            frm[:, 47] = np.where(udp, 0, 0x18)
            short = wire < SNAP  # frames shorter than the snap length: captured whole
            rec["incl"][short] = wire[short]
            if short.any():  # write those records one by one (their length differs)
                for i in range(n):
                    f.write(rec[i : i + 1].tobytes()[: 16 + int(rec["incl"][i])])
            else:
                f.write(rec.tobytes())
    return path


CHILD = r"""
import json, resource, sys, time
step, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
t = time.perf_counter()
if step == "read":
    with open(path, "rb") as f:
        while f.read(8 * 2**20):
            pass
    packets = 0
elif step == "iter":
    from ingress_egress.captures import iter_capture
    total = packets = 0
    for piece in iter_capture(path, progress=False):
        total += int(piece["length"].sum())
        packets = piece.attrs["packets"]
else:
    from ingress_egress.parquet import convert
    packets = convert(path, out, progress=False)["packets"]
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "packets": packets,
                  "peak_rss": usage.ru_maxrss * 1024,
                  "cpu": usage.ru_utime + usage.ru_stime}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=20_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument(
        "--keep", type=Path, help="write the capture here and keep it (reused)"
    )
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-convert-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"convert-{args.packets}.pcap"
    out = folder / f"convert-{args.packets}.parquet"
    try:
        if not path.exists():
            t = time.perf_counter()
            write_capture(path, args.packets)
            print(f"wrote {args.packets:,} packets in {time.perf_counter() - t:.0f} s")
        print(f"{path}: {path.stat().st_size / 1e9:.2f} GB")
        print(
            f"{'step':<28} {'best s':>8} {'spread s':>9} {'packets/s':>12} "
            f"{'peak RSS MiB':>13} "
            f"{'CPU s':>7} {'packets/CPU s':>14}"
        )
        for step, label in (
            ("read", "f.read() in 8 MiB pieces"),
            ("iter", "iter_capture (read only)"),
            ("convert", "convert to Parquet"),
        ):
            runs = []
            for _ in range(args.repeats):
                done = subprocess.run(
                    [sys.executable, "-c", CHILD, step, str(path), str(out)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(done.stdout))
            best = min(runs, key=lambda r: r["seconds"])
            spread = max(r["seconds"] for r in runs) - best["seconds"]
            rate = args.packets / best["seconds"]
            print(
                f"{label:<28} {best['seconds']:8.1f} {spread:9.1f} {rate:12,.0f} "
                f"{max(r['peak_rss'] for r in runs) / 2**20:13.0f} "
                f"{min(r['cpu'] for r in runs):7.1f} "
                f"{args.packets / min(r['cpu'] for r in runs):14,.0f}"
            )
        if out.exists():
            print(f"Parquet: {out.stat().st_size / 1e9:.2f} GB")
    finally:
        if args.keep is None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
