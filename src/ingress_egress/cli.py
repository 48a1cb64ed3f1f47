"""The command line: ``ingress-egress``, the course's tools for your own files.

``ingress-egress summarize CAPTURE --inside CIDR [--inside CIDR ...] [--json]``
    Read a pcap or pcapng file and count packets and bytes (the sum of each packet's length on the
    wire) by direction relative to the inside you name: ingress, egress, internal, external, plus
    the frames that are not IP (``non_ip``) and those the capture cut short (``truncated``, which
    are also counted in their direction class).

``ingress-egress flows CAPTURE [--inside CIDR ...] [--top N] [--csv]``
    The capture's conversations (see :mod:`ingress_egress.flows`), largest first.

Errors (a file that cannot be read, an inside that is not an address or CIDR) print one line on
standard error naming the problem, and the exit status is 2.

Examples
--------
>>> import tempfile, pathlib
>>> from ingress_egress import packets as pk
>>> from ingress_egress.captures import write_pcap
>>> frame = pk.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", pk.ETHERTYPE_IPV4,
...                     pk.ipv4("192.168.10.11", "192.0.2.53", pk.PROTO_UDP,
...                             pk.udp("192.168.10.11", "192.0.2.53", 50000, 53, pk.dns_query(1, "example.com"))))
>>> path = write_pcap(pathlib.Path(tempfile.mkdtemp()) / "one.pcap", [(0, frame)])
>>> main(["summarize", str(path), "--inside", "192.168.10.0/24", "--json"])   # 14 + 20 + 8 + 29 bytes
{"ingress": {"packets": 0, "bytes": 0}, "egress": {"packets": 1, "bytes": 71}, "internal": {"packets": 0, "bytes": 0}, "external": {"packets": 0, "bytes": 0}, "non_ip": {"packets": 0, "bytes": 0}, "truncated": {"packets": 0, "bytes": 0}}
0
>>> main(["summarize", str(path), "--inside", "192.168.10.0/33"])   # the message goes to standard error
2
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import pandas as pd

from ingress_egress.captures import CaptureError, read_capture
from ingress_egress.direction import DIRECTIONS, parse_inside, summarize
from ingress_egress.flows import flows

PROG = "ingress-egress"
SUMMARY_KEYS = (*DIRECTIONS, "non_ip", "truncated")
"""The keys of ``summarize --json``, in order."""


class _UsageError(Exception):
    """A problem with the user's input: reported on one line, exit status 2."""


def _format_summary(path: str, packets: pd.DataFrame, inside: Sequence[str], summary: dict) -> str:
    lines = [
        f"{path}: {len(packets):,} packets, {int(packets['length'].sum()):,} bytes on the wire",
        f"inside: {', '.join(inside)}",
        "",
        f"{'class':<10} {'packets':>12} {'bytes':>16}",
    ]
    for name in SUMMARY_KEYS:
        row = summary[name]
        note = "  (cut by the snap length; also counted above)" if name == "truncated" else ""
        lines.append(f"{name:<10} {row['packets']:>12,} {row['bytes']:>16,}{note}")
    return "\n".join(lines)


def _read(path: str) -> pd.DataFrame:
    try:
        return read_capture(path)
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
    packets = _read(args.capture)
    summary = summarize(packets, inside)
    if args.json:
        print(json.dumps(summary))
    else:
        print(_format_summary(args.capture, packets, inside, summary))
    return 0


def _cmd_flows(args: argparse.Namespace) -> int:
    inside = _check_inside(args.inside) if args.inside else None
    table = flows(_read(args.capture), inside=inside)
    table = table.sort_values(["bytes", "start"], ascending=[False, True], kind="stable")
    if args.top:
        table = table.head(args.top)
    if args.csv:
        print(table.to_csv(), end="")
    else:
        columns = ["protocol", "initiator", "initiator_port", "responder", "responder_port", "start", "duration",
                   "packets", "bytes_forward", "bytes_reverse"]
        if inside:
            columns += ["connection", "bytes_direction"]
        with pd.option_context("display.width", 250, "display.max_columns", None):
            print(table[columns].to_string())
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per tool."""
    parser = argparse.ArgumentParser(prog=PROG, description="Ingress and egress in your own captures.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarize_parser = commands.add_parser(
        "summarize", help="packets and bytes per direction (ingress, egress, internal, external)",
        description="Count packets and bytes (sum of frame lengths on the wire) per direction class "
                    "relative to the inside you name, plus non-IP and truncated frames.")
    summarize_parser.add_argument("capture", metavar="CAPTURE", help="a pcap or pcapng file")
    summarize_parser.add_argument("--inside", metavar="CIDR", action="append", required=True,
                                  help="an address or network inside the boundary (repeat for several)")
    summarize_parser.add_argument("--json", action="store_true", help="print one JSON object")
    summarize_parser.set_defaults(run=_cmd_summarize)

    flows_parser = commands.add_parser(
        "flows", help="conversations (five-tuples), who started them, bytes each way",
        description="List the capture's bidirectional conversations, largest first.")
    flows_parser.add_argument("capture", metavar="CAPTURE", help="a pcap or pcapng file")
    flows_parser.add_argument("--inside", metavar="CIDR", action="append", default=[],
                              help="an address or network inside the boundary (adds connection direction)")
    flows_parser.add_argument("--top", metavar="N", type=int, default=20, help="show the N largest (0: all)")
    flows_parser.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    flows_parser.set_defaults(run=_cmd_flows)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except _UsageError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
