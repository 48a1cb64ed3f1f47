"""Benchmark: how fast does ``read_capture`` load a million-packet capture?

Writes a pcap of ``--packets`` packets (default 1,000,000) to a temporary folder with a
realistic mix (Ethernet with IPv4 and IPv6, some 802.1Q tags, TCP handshakes' ACKs, data
frames captured in full or cut by a 128-byte snap length, DNS over UDP, ICMP, ARP), then
times on the same file:

* ``read_capture`` with its default 8 MiB chunks and with small 256 KiB chunks (the path
  that makes files larger than memory work: only one chunk of the file is in memory at a
  time), each in a fresh subprocess, reporting its peak resident memory above the
  interpreter's baseline and the peak of traced allocations;
* ``tshark -T fields`` exporting frame length, IP addresses and ports (skipped if tshark
  is absent);
* a plain dpkt loop extracting the same fields.

It prints packets per second, the ratios, the file size and read_capture's peak memory
against the file size. Targets: at least 20x tshark, 10x dpkt, peak memory below 2x the
file size. It also reads the file in a process whose address space may only grow by 0.8x
the file size (so the file cannot be held in memory whole), and the same packets written
as pcapng.

Run: ``.venv/bin/python benchmarks/bench_captures.py [--packets N] [--keep FOLDER]``
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ingress_egress.captures import DEFAULT_CHUNK_BYTES, write_pcap, write_pcapng

MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def _checksum_free_ipv4(src: bytes, dst: bytes, proto: int, payload: bytes) -> bytes:
    return (
        struct.pack(
            ">BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(payload),
            1,
            0x4000,
            64,
            proto,
            0,
            src,
            dst,
        )
        + payload
    )


def _ipv6(src: bytes, dst: bytes, nh: int, payload: bytes) -> bytes:
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), nh, 64, src, dst) + payload


def _tcp(sport: int, dport: int, flags: int, data: bytes = b"") -> bytes:
    return (
        struct.pack(">HHIIBBHHH", sport, dport, 1000, 2000, 5 << 4, flags, 65535, 0, 0)
        + data
    )


def _udp(sport: int, dport: int, data: bytes) -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(data), 0) + data


def _eth(ethertype: int, payload: bytes, vlan: int | None = None) -> bytes:
    tag = struct.pack(">HH", 0x8100, vlan) if vlan is not None else b""
    return MAC_A + MAC_B + tag + struct.pack(">H", ethertype) + payload


def templates(rng: np.random.Generator, count: int = 4096) -> tuple[list, np.ndarray]:
    """Distinct frames (captured bytes, wire length) and the probability of each."""
    out, weight = [], []
    kinds = [
        ("ack", 0.40),
        ("data_cut", 0.25),
        ("data_full", 0.10),
        ("dns", 0.13),
        ("v6_tcp", 0.07),
        ("icmp", 0.03),
        ("arp", 0.02),
    ]
    for i in range(count):
        kind = kinds[i % len(kinds)]
        inside = bytes([10, 0, (i >> 8) & 0xFF, i & 0xFF])
        outside = (
            bytes([203, 0, 113, i % 250 + 1])
            if i % 3
            else bytes([198, 51, 100, i % 250 + 1])
        )
        sport = 32768 + i % 28000
        swap = i % 2 == 1
        a, b = (outside, inside) if swap else (inside, outside)
        vlan = 100 + i % 4 if i % 10 == 0 else None
        if kind[0] == "ack":
            frame = _eth(
                0x0800, _checksum_free_ipv4(a, b, 6, _tcp(sport, 443, 0x10)), vlan
            )
            wire = len(frame)
        elif kind[0] in ("data_cut", "data_full"):
            frame = _eth(
                0x0800,
                _checksum_free_ipv4(a, b, 6, _tcp(443, sport, 0x18, bytes(1460))),
                vlan,
            )
            wire = len(frame)
            if kind[0] == "data_cut":
                frame = frame[:128]
        elif kind[0] == "dns":
            data = bytes(
                rng.integers(0, 256, int(rng.integers(30, 250)), dtype=np.uint8)
            )
            frame = _eth(
                0x0800, _checksum_free_ipv4(a, b, 17, _udp(sport, 53, data)), vlan
            )
            wire = len(frame)
        elif kind[0] == "v6_tcp":
            s6 = bytes.fromhex("fd000000000000000000000000000000")[:14] + inside[2:]
            d6 = bytes.fromhex("20010db8000000000000000000000000")[:14] + outside[2:]
            data = bytes(int(rng.integers(0, 400)))
            frame = _eth(0x86DD, _ipv6(s6, d6, 6, _tcp(sport, 443, 0x10, data)))
            wire = len(frame)
        elif kind[0] == "icmp":
            frame = _eth(
                0x0800, _checksum_free_ipv4(a, b, 1, b"\x08\x00\x00\x00" + bytes(60))
            )
            wire = len(frame)
        else:
            frame = _eth(0x0806, bytes(28)) + bytes(18)
            wire = len(frame)
        out.append((frame, wire))
        weight.append(kind[1])
    w = np.array(weight)
    return out, w / w.sum()


def write_benchmark_capture(
    path: Path, packets: int, seed: int = 2026, pcapng: bool = False
) -> Path:
    """The benchmark capture: the same packets, as pcap or as pcapng (direction flags
    set).
    """
    rng = np.random.default_rng(seed)
    frames, p = templates(rng)
    choice = rng.choice(len(frames), size=packets, p=p)
    gaps = rng.exponential(200_000, size=packets).astype(np.int64)  # ~5,000 packets/s
    times = 1_767_225_600 * 10**9 + np.cumsum(gaps)
    if pcapng:
        return write_pcapng(
            path,
            (
                (0, t, frames[c][0], frames[c][1], 1 + c % 2)
                for t, c in zip(times.tolist(), choice.tolist())
            ),
        )
    records = (
        (t, frames[c][0], frames[c][1]) for t, c in zip(times.tolist(), choice.tolist())
    )
    return write_pcap(path, records, nanosecond=True)


CHILD = r"""
import json, resource, sys, time
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
import numpy, pandas
from ingress_egress.captures import read_capture
base = status("VmRSS:")
if len(sys.argv) > 3:  # cap the address space: baseline + a fraction of the file size
    limit = status("VmSize:") + int(float(sys.argv[3]))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
t = time.perf_counter()
df = read_capture(sys.argv[1], chunk_bytes=int(sys.argv[2]), progress=False)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "rows": len(df),
                  "peak_above_baseline": peak - base,
                  "df_bytes": int(df.memory_usage(deep=False).sum())}))
"""

TRACEMALLOC = r"""
import json, sys, tracemalloc
from ingress_egress.captures import read_capture
tracemalloc.start()
df = read_capture(sys.argv[1], chunk_bytes=int(sys.argv[2]), progress=False)
print(json.dumps({"traced_peak": tracemalloc.get_traced_memory()[1]}))
"""


def run_limited(path: Path, limit_bytes: int) -> dict:
    """read_capture in a process whose address space may grow by ``limit_bytes``
    only.
    """
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(path),
            str(DEFAULT_CHUNK_BYTES),
            str(limit_bytes),
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    return json.loads(out.stdout)


def run_read_capture(path: Path, chunk_bytes: int, repeats: int = 3) -> dict:
    best = None
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path), str(chunk_bytes)],
            capture_output=True,
            text=True,
            check=True,
        )
        result = json.loads(out.stdout)
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    out = subprocess.run(
        [sys.executable, "-c", TRACEMALLOC, str(path), str(chunk_bytes)],
        capture_output=True,
        text=True,
        check=True,
    )
    best.update(json.loads(out.stdout))
    return best


def run_tshark(path: Path) -> float | None:
    exe = shutil.which("tshark")
    if exe is None:
        return None
    fields = [
        "frame.len",
        "ip.src",
        "ip.dst",
        "ipv6.src",
        "ipv6.dst",
        "tcp.srcport",
        "tcp.dstport",
        "udp.srcport",
        "udp.dstport",
    ]
    cmd = [exe, "-n", "-r", str(path), "-T", "fields"] + [
        a for f in fields for a in ("-e", f)
    ]
    t = time.perf_counter()
    with open("/dev/null", "w") as sink:
        subprocess.run(cmd, stdout=sink, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t


def run_dpkt(path: Path) -> tuple[float, int]:
    import dpkt

    t = time.perf_counter()
    rows = 0
    out = []
    with open(path, "rb") as f:
        for ts, buf in dpkt.pcap.Reader(f):
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            src = dst = ""
            sport = dport = None
            if isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)):
                family = (
                    socket.AF_INET if isinstance(ip, dpkt.ip.IP) else socket.AF_INET6
                )
                src, dst = (
                    socket.inet_ntop(family, ip.src),
                    socket.inet_ntop(family, ip.dst),
                )
                if isinstance(ip.data, (dpkt.tcp.TCP, dpkt.udp.UDP)):
                    sport, dport = ip.data.sport, ip.data.dport
            out.append((len(buf), src, dst, sport, dport))
            rows += 1
    return time.perf_counter() - t, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packets", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the capture here and keep it")
    parser.add_argument("--skip-slow", action="store_true", help="skip tshark and dpkt")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-captures-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.pcap"
    try:
        t = time.perf_counter()
        write_benchmark_capture(path, args.packets)
        size = path.stat().st_size
        print(
            f"wrote {args.packets:,} packets, {size / 1e6:.1f} MB (decimal), in "
            f"{time.perf_counter() - t:.1f} s: {path}"
        )
        n = args.packets
        whole = run_read_capture(path, DEFAULT_CHUNK_BYTES)
        small = run_read_capture(path, 256 * 2**10)
        assert whole["rows"] == small["rows"] == n
        rate = n / whole["seconds"]
        print(
            f"read_capture           {whole['seconds']:7.2f} s  {rate:12,.0f} "
            f"packets/s  (default {DEFAULT_CHUNK_BYTES // 2**20} MiB chunks)"
        )
        print(
            f"read_capture 256 KiB   {small['seconds']:7.2f} s  "
            f"{n / small['seconds']:12,.0f} packets/s  (small chunks)"
        )
        for label, r in (
            (f"{DEFAULT_CHUNK_BYTES // 2**20} MiB chunks", whole),
            ("256 KiB chunks", small),
        ):
            print(
                f"peak memory ({label}): RSS "
                f"+{r['peak_above_baseline'] / 1e6:.0f} MB = "
                f"{r['peak_above_baseline'] / size:.2f}x file size; traced allocations "
                f"peak {r['traced_peak'] / 1e6:.0f} MB = "
                f"{r['traced_peak'] / size:.2f}x; the DataFrame itself "
                f"{r['df_bytes'] / 1e6:.0f} MB (target: below 2x)"
            )
        limit = int(0.8 * size)
        limited = run_limited(path, limit)
        if "error" in limited:
            print(
                f"read_capture with its address space capped at +{limit / 1e6:.0f} MB "
                f"(0.8x the file): failed: {limited['error']}"
            )
        else:
            print(
                f"read_capture with its address space capped at +{limit / 1e6:.0f} MB "
                f"(0.8x the file, RLIMIT_AS): {limited['rows']:,} rows in "
                f"{limited['seconds']:.2f} s: the file never has to fit in memory"
            )
        ng = write_benchmark_capture(folder / "bench.pcapng", n, pcapng=True)
        ng_result = run_read_capture(ng, DEFAULT_CHUNK_BYTES)
        assert ng_result["rows"] == n
        print(
            f"read_capture pcapng    {ng_result['seconds']:7.2f} s  "
            f"{n / ng_result['seconds']:12,.0f} packets/s  (same packets as pcapng, "
            f"{ng.stat().st_size / 1e6:.1f} MB)"
        )
        ng.unlink()
        if args.skip_slow:
            return
        tshark = run_tshark(path)
        if tshark is None:
            print("tshark: not installed, skipped")
        else:
            print(
                f"tshark -T fields       {tshark:7.2f} s  {n / tshark:12,.0f} "
                f"packets/s  read_capture is {tshark / whole['seconds']:.1f}x faster "
                "(target 20x)"
            )
        seconds, rows = run_dpkt(path)
        assert rows == n
        print(
            f"dpkt loop              {seconds:7.2f} s  {n / seconds:12,.0f} packets/s  "
            f"read_capture is {seconds / whole['seconds']:.1f}x faster (target 10x)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
