"""The command line: ``ingress-egress``, the course's tools for your own files.

``ingress-egress summarize CAPTURE --inside CIDR [--inside CIDR ...] [--json]``
    Read a pcap or pcapng file and count packets and bytes (the sum of each packet's
    length on the wire) by direction relative to the inside you name: ingress, egress,
    internal, external, plus the frames that are not IP (``non_ip``) and those the
    capture cut short (``truncated``, which are also counted in their direction class).

``ingress-egress flows CAPTURE [--inside CIDR ...] [--top N] [--csv]``
    The capture's conversations (see :mod:`ingress_egress.flows`), largest first.

``ingress-egress convert CAPTURE OUT.parquet``
    Stream a capture of any size into one Parquet file (see
    :mod:`ingress_egress.parquet`) for DuckDB, Spark, Trino or Athena.

``CAPTURE`` may be ``-``, standard input:
``tcpdump -w - | ingress-egress summarize - --inside 10.0.0.0/8``. ``summarize`` and
``convert`` stream (their memory does not grow with the capture); ``flows`` holds the
packets in memory. Original lengths that disagree with the headers are not summed as
they stand (see :func:`ingress_egress.captures.read_capture`): the tools say how many.

Errors (a file that cannot be read, an inside that is not an address or CIDR) print one
line on standard error naming the problem, and the exit status is 2.

Examples
--------
>>> import tempfile, pathlib
>>> from ingress_egress import packets as pk
>>> from ingress_egress.captures import write_pcap
>>> frame = pk.ethernet(
...     "02:00:00:00:00:02",
...     "02:00:00:00:00:01",
...     pk.ETHERTYPE_IPV4,
...     pk.ipv4(
...         "192.168.10.11",
...         "192.0.2.53",
...         pk.PROTO_UDP,
...         pk.udp(
...             "192.168.10.11", "192.0.2.53", 50000, 53, pk.dns_query(1, "example.com")
...         ),
...     ),
... )
>>> path = write_pcap(pathlib.Path(tempfile.mkdtemp()) / "one.pcap", [(0, frame)])
>>> main(
...     ["summarize", str(path), "--inside", "192.168.10.0/24", "--json"]
... )  # 14 + 20 + 8 + 29 bytes
{"ingress": {"packets": 0, "bytes": 0}, "egress": {"packets": 1, "bytes": 71},
 "internal": {"packets": 0, "bytes": 0}, "external": {"packets": 0, "bytes": 0},
 "non_ip": {"packets": 0, "bytes": 0}, "truncated": {"packets": 0, "bytes": 0}}
0
>>> main(
...     ["summarize", str(path), "--inside", "192.168.10.0/33"]
... )  # the message goes to standard error
2
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from ingress_egress.captures import CaptureError, iter_capture, read_capture
from ingress_egress.direction import DIRECTIONS, parse_inside, summarize
from ingress_egress.flows import flows

PROG = "ingress-egress"
SUMMARY_KEYS = (*DIRECTIONS, "non_ip", "truncated")
"""The keys of ``summarize --json``, in order."""


class _UsageError(Exception):
    """A problem with the user's input: reported on one line, exit status 2."""


def _format_summary(
    path: str, inside: Sequence[str], summary: dict, report: dict
) -> str:
    packets = sum(summary[name]["packets"] for name in (*DIRECTIONS, "non_ip"))
    total = sum(summary[name]["bytes"] for name in (*DIRECTIONS, "non_ip"))
    lines = [
        f"{path}: {packets:,} packets, {total:,} bytes on the wire",
        f"inside: {', '.join(inside)}",
        "",
        f"{'class':<10} {'packets':>12} {'bytes':>16}",
    ]
    for name in SUMMARY_KEYS:
        row = summary[name]
        note = (
            "  (cut by the snap length; also counted above)"
            if name == "truncated"
            else ""
        )
        lines.append(f"{name:<10} {row['packets']:>12,} {row['bytes']:>16,}{note}")
    note = _implausible_note(report)
    if note:
        lines += ["", note]
    return "\n".join(lines)


def _implausible_note(report: dict) -> str:
    count = report.get("implausible_length", 0)
    if not count:
        return ""
    frames = ", ".join(str(f) for f in report.get("implausible_length_frames", []))
    more = " ..." if count > len(report.get("implausible_length_frames", [])) else ""
    return (
        f"note: {count:,} packet(s) claimed a length on "
        "the wire that disagrees with their "
        f"headers (packets {frames}{more}); the length the "
        "headers give was counted instead"
    )


def _source(capture: str):
    """The capture argument: ``-`` is standard input (binary), anything else a path."""
    return sys.stdin.buffer if capture == "-" else capture


def _read(capture: str) -> pd.DataFrame:
    try:
        return read_capture(_source(capture))
    except CaptureError as error:
        raise _UsageError(str(error)) from None


def _check_inside(inside: Sequence[str]) -> list[str]:
    try:
        parse_inside(list(inside))
    except ValueError as error:
        raise _UsageError(str(error)) from None
    return list(inside)


def _cmd_summarize(args: argparse.Namespace) -> int:
    inside = _check_inside(args.inside)
    summary = {name: {"packets": 0, "bytes": 0} for name in SUMMARY_KEYS}
    report: dict = {}
    try:  # piece by piece: memory stays bounded however long the capture or the pipe
        for piece in iter_capture(_source(args.capture), addresses="category"):
            report = piece.attrs
            for name, row in summarize(piece, inside).items():
                summary[name]["packets"] += row["packets"]
                summary[name]["bytes"] += row["bytes"]
    except CaptureError as error:
        raise _UsageError(str(error)) from None
    if args.json:
        print(json.dumps(summary))
        note = _implausible_note(report)
        if note:
            print(f"{PROG}: {note}", file=sys.stderr)
    else:
        print(_format_summary(args.capture, inside, summary, report))
    return 0


def _cmd_flows(args: argparse.Namespace) -> int:
    inside = _check_inside(args.inside) if args.inside else None
    packets = _read(args.capture)
    table = flows(packets, inside=inside)
    table = table.sort_values(
        ["bytes", "start"], ascending=[False, True], kind="stable"
    )
    if args.top:
        table = table.head(args.top)
    if args.csv:
        print(table.to_csv(), end="")
    else:
        columns = [
            "protocol",
            "initiator",
            "initiator_port",
            "responder",
            "responder_port",
            "start",
            "duration",
            "packets",
            "bytes_forward",
            "bytes_reverse",
        ]
        if inside:
            columns += ["connection", "bytes_direction"]
        with pd.option_context("display.width", 250, "display.max_columns", None):
            print(table[columns].to_string())
    note = _implausible_note(packets.attrs)
    if note:
        print(f"{PROG}: {note}", file=sys.stderr)
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from ingress_egress.parquet import convert

    try:
        report = convert(_source(args.capture), args.out)
    except CaptureError as error:
        raise _UsageError(str(error)) from None
    print(
        f"{args.out}: {report.get('packets', 0):,} packets from {args.capture} "
        f"({report.get('format', '')})"
    )
    note = _implausible_note(report)
    if note:
        print(note)
    return 0


def _count(text: str) -> int:
    """A whole number >= 0 for ``--top``."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (all) or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per tool."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Ingress and egress in your own captures."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarize_parser = commands.add_parser(
        "summarize",
        help="packets and bytes per direction (ingress, egress, internal, external)",
        description="Count packets and bytes (sum of frame lengths on the wire) per "
        "direction class relative to the inside you name, "
        "plus non-IP and truncated frames.",
    )
    summarize_parser.add_argument(
        "capture",
        metavar="CAPTURE",
        help="a pcap or pcapng file, or - for standard input",
    )
    summarize_parser.add_argument(
        "--inside",
        metavar="CIDR",
        action="append",
        required=True,
        help="an address or network inside the boundary (repeat for several)",
    )
    summarize_parser.add_argument(
        "--json", action="store_true", help="print one JSON object"
    )
    summarize_parser.set_defaults(run=_cmd_summarize)

    flows_parser = commands.add_parser(
        "flows",
        help="conversations (five-tuples), who started them, bytes each way",
        description="List the capture's bidirectional conversations, largest first.",
    )
    flows_parser.add_argument(
        "capture",
        metavar="CAPTURE",
        help="a pcap or pcapng file, or - for standard input",
    )
    flows_parser.add_argument(
        "--inside",
        metavar="CIDR",
        action="append",
        default=[],
        help="an address or network inside the boundary (adds connection direction)",
    )
    flows_parser.add_argument(
        "--top",
        metavar="N",
        type=_count,
        default=20,
        help="show the N largest (0: all)",
    )
    flows_parser.add_argument(
        "--csv", action="store_true", help="print CSV instead of a table"
    )
    flows_parser.set_defaults(run=_cmd_flows)

    convert_parser = commands.add_parser(
        "convert",
        help="stream a capture of any size into one Parquet file (for SQL)",
        description="Write the capture's packets, with the columns read_capture gives, "
        "to a Parquet file, holding only part of it in memory at a time.",
    )
    convert_parser.add_argument(
        "capture",
        metavar="CAPTURE",
        help="a pcap or pcapng file, or - for standard input",
    )
    convert_parser.add_argument(
        "out", metavar="OUT.parquet", help="the Parquet file to write"
    )
    convert_parser.set_defaults(run=_cmd_convert)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the
    exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except _UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
