"""Flow logs: AWS VPC Flow Logs read into one row per record, with what was skipped
counted.

A VPC flow log records, for each network interface, the IP traffic of each five-tuple
(source and destination address and port, protocol) in each aggregation interval (at
most 10 minutes, or 1; on Nitro instances 1 minute or less) as one line of
space-separated fields. The **default format** is version 2, fourteen fields in this
order (one line in a log; two here)::

    version account-id interface-id srcaddr dstaddr srcport dstport protocol packets
    bytes start end action log-status

A **custom format** picks any fields in any order (``vpc-id``, ``instance-id``,
``az-id``, ``pkt-srcaddr``, ``flow-direction``, ... up to version 8); files delivered to
Amazon S3 in text format, gzip-compressed, start with a header line that names the
fields. ``read_flow_logs`` reads both, plain or gzipped, from files or folders, and
returns the records as a DataFrame:

- every field under its own name, ``-`` replaced by ``_`` (``pkt_srcaddr``,
  ``log_status``); a ``-`` *value* (AWS's mark for "not applicable or could not be
  computed") becomes missing;
- numbers as integers, ``start`` and ``end`` (Unix seconds) as UTC timestamps;
- the columns the rest of the course uses, in the shapes
  :func:`ingress_egress.captures.read_capture` gives: ``src``, ``dst``, ``sport``,
  ``dport``, ``protocol`` (``TCP``, ``UDP``, ``ICMP``, ``ICMPv6`` or the protocol
  number), ``packets``, ``bytes``;
- ``file`` and ``line``: where each record was read (its evidence).

Which addresses are ``src`` and ``dst``? On an interface that carries more than its own
traffic, ``srcaddr``/``dstaddr`` show the *interface's* address, and
``pkt-srcaddr``/``pkt-dstaddr`` the packet's (AWS: "Use this field with the srcaddr
field to distinguish between the IP address of an intermediate layer through which
traffic flows, and the original source IP address"). Two cases matter, and they pull
opposite ways:

- a pod on an EKS node with the VPC CNI uses a secondary address of the node's
  interface: there ``srcaddr`` is the node and ``pkt-srcaddr`` the pod;
- a NAT gateway's interface is a hop the bytes are charged for: there ``dstaddr`` is the
  NAT gateway and ``pkt-dstaddr`` the host on the internet.

So ``src``/``dst`` are the packet addresses on an instance's interface and the interface
addresses on a requester-managed one (a NAT gateway, load balancer or endpoint, whose
``instance-id`` is ``-``); without ``instance-id`` in the format, the packet addresses;
without ``pkt-*`` fields, ``srcaddr``/``dstaddr``. The raw fields stay, to choose
otherwise.

Records with ``log-status`` NODATA (no traffic in the interval) or SKIPDATA (records
lost, "because it exceeds internal capacity") carry no traffic: they are skipped and
counted in ``df.attrs["skipped"]``, and the SKIPDATA ones listed in
``df.attrs["skipdata"]``: a day with SKIPDATA undercounts. Blank lines are skipped and
counted. Anything else that does not parse is a :class:`FlowLogError` naming the file,
the line and the field.

A transfer between two logged interfaces is recorded twice, once on each side
(``flow-direction`` egress at the sender, ingress at the receiver): :func:`count_once`
keeps one.

Examples
--------
>>> import io
>>> text = (
...     "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 "
...     "4249 1418530010 1418530070 ACCEPT OK\\n"
...     "2 123456789010 eni-1235b8ca123456789 - - - - - - - "
...     "1431280876 1431280934 - NODATA\\n"
... )
>>> records = read_flow_logs(io.StringIO(text))
>>> records[["src", "dst", "sport", "dport", "protocol", "packets", "bytes", "action"]]
             src           dst  sport  dport protocol  packets  bytes  action
0  172.31.16.139  172.31.16.21  20641     22      TCP       20   4249  ACCEPT
>>> records.attrs["skipped"]
{'NODATA': 1, 'SKIPDATA': 0, 'blank lines': 0}
>>> read_flow_logs(io.StringIO(text.replace(" 22 6 ", " 22 tcp ")))
Traceback (most recent call last):
...
ingress_egress.flowlogs.FlowLogError: <text 1>: line 1: field 'protocol': expected an
    integer from 0 to 255 (the IANA protocol number), got 'tcp'
"""

from __future__ import annotations

import csv
import gzip
import io
import ipaddress
import os
import re
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_FORMAT",
    "FIELD_VERSIONS",
    "FlowLogError",
    "count_once",
    "parse_format",
    "read_flow_logs",
]

DEFAULT_FORMAT = (
    "version",
    "account-id",
    "interface-id",
    "srcaddr",
    "dstaddr",
    "srcport",
    "dstport",
    "protocol",
    "packets",
    "bytes",
    "start",
    "end",
    "action",
    "log-status",
)
"""The fields of the default format (version 2), in order."""

FIELD_VERSIONS = {
    **dict.fromkeys(DEFAULT_FORMAT, 2),
    **dict.fromkeys(
        (
            "vpc-id",
            "subnet-id",
            "instance-id",
            "tcp-flags",
            "type",
            "pkt-srcaddr",
            "pkt-dstaddr",
        ),
        3,
    ),
    **dict.fromkeys(("region", "az-id", "sublocation-type", "sublocation-id"), 4),
    **dict.fromkeys(
        (
            "pkt-src-aws-service",
            "pkt-dst-aws-service",
            "flow-direction",
            "traffic-path",
        ),
        5,
    ),
    **dict.fromkeys(
        (
            "ecs-cluster-arn",
            "ecs-cluster-name",
            "ecs-container-instance-arn",
            "ecs-container-instance-id",
            "ecs-container-id",
            "ecs-second-container-id",
            "ecs-service-name",
            "ecs-task-definition-arn",
            "ecs-task-arn",
            "ecs-task-id",
        ),
        7,
    ),
    "reject-reason": 8,
}
"""Every field a flow log record can have, with the version that introduced it (AWS VPC
user guide).
"""

_INTEGERS = {  # field -> (smallest, largest, what it is)
    "version": (2, 99, "the format version"),
    "srcport": (0, 65535, "a port"),
    "dstport": (0, 65535, "a port"),
    "protocol": (0, 255, "the IANA protocol number"),
    "packets": (0, 2**62, "a count of packets"),
    "bytes": (0, 2**62, "a count of bytes"),
    "start": (0, 2**40, "Unix seconds"),
    "end": (0, 2**40, "Unix seconds"),
    "tcp-flags": (0, 511, "a TCP flag bitmask"),
    "traffic-path": (1, 8, "a traffic path code"),
}
_ADDRESSES = ("srcaddr", "dstaddr", "pkt-srcaddr", "pkt-dstaddr")
_CHOICES = {
    "action": ("ACCEPT", "REJECT"),
    "log-status": ("OK", "NODATA", "SKIPDATA"),
    "flow-direction": ("ingress", "egress"),
    "type": ("IPv4", "IPv6", "EFA"),
}
_NEEDED_IN_TRAFFIC = ("srcaddr", "dstaddr", "packets", "bytes")
"""Fields that a record with traffic (log-status OK) must fill when the format has
them.
"""

_PROTOCOL_NAMES = {1: "ICMP", 6: "TCP", 17: "UDP", 58: "ICMPv6"}
"""The names ``read_capture`` gives; any other protocol keeps its number, as text."""

_LOG_SUFFIXES = (".log", ".log.gz", ".txt", ".txt.gz")


class FlowLogError(ValueError):
    """A flow log that cannot be read: the message names the file, the line and the
    field.

    The parts are also attributes: ``file``, ``line`` (1-based, or None) and ``field``
    (or None).
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        line: int | None = None,
        field: str | None = None,
    ):
        self.file, self.line, self.field = file, line, field
        where = (
            [file]
            + ([f"line {line}"] if line is not None else [])
            + ([f"field {field!r}"] if field else [])
        )
        super().__init__(": ".join([*where, message]))


def parse_format(log_format: str | Iterable[str]) -> tuple[str, ...]:
    """The field names of a log format: AWS's ``${field} ${field}`` syntax, a header
    line, or a list.

    >>> parse_format("${version} ${srcaddr} ${az-id}")
    ('version', 'srcaddr', 'az-id')
    >>> parse_format(["srcaddr", "bytes"])
    ('srcaddr', 'bytes')
    >>> parse_format("srcaddr dstaddr bites")
    Traceback (most recent call last):
    ...
    ValueError: unknown flow log field 'bites' (field 3 of the format); did you mean
        'bytes'?
    """
    if isinstance(log_format, str):
        names = (
            re.findall(r"\$\{([^}]*)\}", log_format)
            if "${" in log_format
            else log_format.split()
        )
    else:
        names = [str(name) for name in log_format]
    if not names:
        raise ValueError("a flow log format needs at least one field")
    for i, name in enumerate(names, start=1):
        if name not in FIELD_VERSIONS:
            import difflib

            close = difflib.get_close_matches(name, list(FIELD_VERSIONS), n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; known fields: {', '.join(FIELD_VERSIONS)}"
            )
            raise ValueError(
                f"unknown flow log field {name!r} (field {i} of the format){hint}"
            )
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(
            f"flow log field {duplicates[0]!r} appears twice in the format"
        )
    return tuple(names)


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _sources(sources) -> tuple[list[tuple[str, object]], list[str]]:
    """(label, file or text handle) for each source, folders expanded; and the files set
    aside.
    """
    found: list[tuple[str, object]] = []
    ignored: list[str] = []
    texts = 0
    for source in sources:
        if isinstance(source, io.IOBase) or hasattr(source, "read"):
            texts += 1
            found.append((f"<text {texts}>", source))
            continue
        if not isinstance(source, (str, os.PathLike)):
            raise TypeError(
                f"read_flow_logs: cannot read a {type(source).__name__}; give a path "
                "or a file object"
            )
        path = Path(source)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.name.endswith(_LOG_SUFFIXES):
                    found.append((str(file), file))
                else:
                    ignored.append(str(file))
        elif path.is_file():
            found.append((str(path), path))
        else:
            raise FileNotFoundError(
                f"read_flow_logs: {str(path)!r} is neither a file nor a folder"
            )
    return found, ignored


def _text(label: str, source) -> str:
    """The whole text of one source: gunzipped when it starts with gzip's magic
    bytes.
    """
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as error:
            raise FlowLogError(
                label, f"cannot open: {error.strerror or error}"
            ) from None
    else:
        data = source.read()
    if isinstance(data, str):
        return data
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise FlowLogError(
                label, f"gzip data is corrupt or cut short ({error})"
            ) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FlowLogError(
            label, f"not UTF-8 text (byte {error.start})", line=line
        ) from None


def _first_line(text: str) -> tuple[int, str]:
    """(1-based number, content) of the first line that is not blank; (0, "") for an
    empty text.
    """
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            return number, line
    return 0, ""


def _header(
    label: str, text: str, fields: tuple[str, ...] | None
) -> tuple[tuple[str, ...], int]:
    """The fields of one file and the number of lines before its records."""
    number, line = _first_line(text)
    tokens = line.split()
    if tokens and tokens[0] in FIELD_VERSIONS:
        try:
            header = parse_format(tokens)
        except ValueError as error:
            bad = next((t for t in tokens if t not in FIELD_VERSIONS), None)
            raise FlowLogError(
                label, f"header line: {error}", line=number, field=bad
            ) from None
        if fields is not None and header != fields:
            raise FlowLogError(
                label,
                f"the header names the fields {' '.join(header)}, but the format given "
                f"is {' '.join(fields)}",
                line=number,
            )
        return header, number
    return (fields if fields is not None else DEFAULT_FORMAT), 0


def _fail(
    label: str, frame: pd.DataFrame, rows: np.ndarray, field: str, message
) -> None:
    """Raise for the first of ``rows`` (a boolean mask) with the value found there."""
    first = int(np.flatnonzero(rows)[0])
    value = frame[field].iat[first]
    raise FlowLogError(
        label,
        f"{message}, got {value!r}",
        line=int(frame["line"].iat[first]),
        field=field,
    )


def _read_one(
    label: str, source, fields: tuple[str, ...] | None
) -> tuple[pd.DataFrame, dict]:
    text = _text(label, source)
    names, header_lines = _header(label, text, fields)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=r"\s+",
            header=None,
            names=list(names),
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            skiprows=header_lines,
            quoting=csv.QUOTE_NONE,
            index_col=False,
            engine="c",
        )
    except pd.errors.ParserError as error:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
        if found:
            raise FlowLogError(
                label,
                f"expected {found.group(1)} fields "
                f"({' '.join(names)}), got {found.group(3)}",
                line=int(found.group(2)),
            ) from None
        raise FlowLogError(label, f"cannot parse: {error}") from None
    except pd.errors.EmptyDataError:
        frame = pd.DataFrame({name: pd.Series(dtype=str) for name in names})
    frame["line"] = np.arange(
        header_lines + 1, header_lines + 1 + len(frame), dtype=np.int64
    )
    empty = frame[list(names)] == ""
    blank = empty.all(axis=1).to_numpy()
    short = empty.any(axis=1).to_numpy() & ~blank
    if short.any():
        row = int(np.flatnonzero(short)[0])
        missing = [n for n in names if empty[n].iat[row]]
        got = len(names) - len(missing)
        raise FlowLogError(
            label,
            f"expected {len(names)} fields ({' '.join(names)}), got {got}",
            line=int(frame["line"].iat[row]),
            field=missing[0],
        )
    frame = frame.loc[~blank].reset_index(drop=True)
    return frame, {
        "names": names,
        "blank": int(blank.sum()),
        "header": header_lines > 0,
    }


def _check_and_convert(
    label: str, frame: pd.DataFrame, names: tuple[str, ...]
) -> pd.DataFrame:
    """Validate every known field (vectorised) and convert it; raise on the first bad
    value.
    """
    dash = {name: (frame[name] == "-").to_numpy() for name in names}
    out: dict[str, object] = {}
    for name, (low, high, what) in _INTEGERS.items():
        if name not in names:
            continue
        text = frame[name].to_numpy(dtype=object)
        try:  # fast: every cell a plain integer
            numbers = np.where(dash[name], str(low), text).astype(np.int64)
            bad = np.zeros(len(text), dtype=bool)
        except (ValueError, OverflowError):  # find the cells that are not
            values = pd.to_numeric(frame[name].where(~dash[name]), errors="coerce")
            bad = ~dash[name] & (
                values.isna().to_numpy()
                | ~np.isfinite(values.fillna(0).to_numpy())
                | (values.fillna(0).to_numpy() % 1 != 0)
                | (values.abs().fillna(0).to_numpy() > 2**62)
            )
            numbers = np.where(bad, low, values.fillna(low).to_numpy()).astype(np.int64)
        bad |= ~dash[name] & ((numbers < low) | (numbers > high))
        if bad.any():
            _fail(
                label,
                frame,
                bad,
                name,
                f"expected an integer from {low} to {high} ({what})",
            )
        out[name] = pd.array(
            np.where(dash[name], 0, numbers).astype(np.int64), dtype="Int64"
        )
        out[name][dash[name]] = pd.NA
    for name in _ADDRESSES:
        if name not in names:
            continue
        column = frame[name]
        uniques = pd.unique(column[~dash[name]])
        invalid = []
        for value in uniques:
            try:
                ipaddress.ip_address(value)
            except ValueError:
                invalid.append(value)
        if invalid:
            _fail(
                label,
                frame,
                column.isin(invalid).to_numpy(),
                name,
                "expected an IPv4 or IPv6 address or '-'",
            )
        out[name] = pd.Categorical(column.where(~dash[name]))
    for name, choices in _CHOICES.items():
        if name not in names:
            continue
        bad = ~dash[name] & ~frame[name].isin(choices).to_numpy()
        if bad.any():
            _fail(
                label, frame, bad, name, f"expected one of {', '.join(choices)} or '-'"
            )
        out[name] = pd.Categorical(
            frame[name].where(~dash[name]), categories=list(choices)
        )
    for name in names:
        if name not in out:
            out[name] = pd.Categorical(frame[name].where(~dash[name]))
    status = out.get("log-status")
    traffic = (
        np.ones(len(frame), dtype=bool)
        if status is None
        else (np.asarray(status) == "OK")
    )
    for name in _NEEDED_IN_TRAFFIC:
        if name in names and (traffic & dash[name]).any():
            _fail(
                label,
                frame,
                traffic & dash[name],
                name,
                "expected a value in a record with traffic (log-status OK)",
            )
    result = pd.DataFrame({name: out[name] for name in names})
    result["line"] = frame["line"].to_numpy()
    return result


def _view(records: pd.DataFrame, side: str) -> pd.Series:
    """``src`` or ``dst``: packet or interface addresses, as the module docstring
    explains.
    """
    interface = records.get(f"{side}addr")
    packet = records.get(f"pkt-{side}addr")
    if packet is None:
        return interface
    if interface is None:
        return packet
    use_packet = packet.notna()
    if "instance-id" in records:
        use_packet &= records["instance-id"].notna()
    values = np.where(use_packet, packet.astype(object), interface.astype(object))
    return pd.Series(pd.Categorical(values), index=records.index)


def read_flow_logs(*sources, fields: str | Iterable[str] | None = None) -> pd.DataFrame:
    """Read VPC flow log records from files, folders or open text/binary handles, in the
    order given.

    A file may be plain text or gzip-compressed (recognised by its first bytes, whatever
    its name); a folder is read recursively, file by file in sorted order, taking
    ``*.log``, ``*.log.gz``, ``*.txt`` and ``*.txt.gz`` (other files are listed in
    ``attrs["ignored_files"]``). A file that starts with a header line is read with its
    fields; one without a header with ``fields`` (AWS's ``${srcaddr} ${dstaddr}``
    syntax, a header-like line or a list), by default the default format. Records with
    traffic (log-status OK) are returned; see the module docstring for the columns and
    for what is skipped and counted.

    ``df.attrs``: ``files`` (read), ``records`` (lines with a record, traffic or not),
    ``skipped`` (NODATA, SKIPDATA and blank lines, counts), ``skipdata`` (the SKIPDATA
    records: file, line, interface, start, end), ``formats`` (the fields of each file),
    ``ignored_files``.

    >>> import io
    >>> header = (
    ...     "version interface-id instance-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr "
    ...     "bytes flow-direction\\n"
    ... )
    >>> nat = "5 eni-0a - 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5 840 ingress\\n"
    >>> pod = "5 eni-0b i-0c 10.0.1.5 203.0.113.5 10.0.1.77 203.0.113.5 840 egress\\n"
    >>> read_flow_logs(io.StringIO(header + nat + pod))[["src", "dst", "bytes", "line"]]
             src          dst  bytes  line
    0   10.0.1.5   10.0.0.220    840     2
    1  10.0.1.77  203.0.113.5    840     3
    """
    given = parse_format(fields) if fields is not None else None
    found, ignored = _sources(sources)
    frames, formats, skipdata = [], {}, []
    counts = {"NODATA": 0, "SKIPDATA": 0, "blank lines": 0}
    for label, source in found:
        raw, info = _read_one(label, source, given)
        formats[label] = " ".join(info["names"])
        counts["blank lines"] += info["blank"]
        records = _check_and_convert(label, raw, info["names"])
        records["file"] = label
        if "log-status" in records:
            status = records["log-status"]
            for name in ("NODATA", "SKIPDATA"):
                counts[name] += int((status == name).sum())
            lost = records[(status == "SKIPDATA").to_numpy()]
            for i in range(len(lost)):
                entry = {"file": label, "line": int(lost["line"].iat[i])}
                for key in ("interface-id", "start", "end"):
                    if key in lost:
                        value = lost[key].iat[i]
                        entry[key.replace("-", "_")] = (
                            None
                            if pd.isna(value)
                            else (int(value) if key != "interface-id" else str(value))
                        )
                skipdata.append(entry)
            records = records[(status == "OK").to_numpy()]
        frames.append(records)
    if frames:
        records = pd.concat(frames, ignore_index=True)
    else:
        records = pd.DataFrame(
            {name: pd.Series(dtype=object) for name in (given or DEFAULT_FORMAT)}
        )
        records["line"] = pd.Series(dtype=np.int64)
        records["file"] = pd.Series(dtype=object)
    result = _tidy(records)
    result.attrs = {
        "files": [label for label, _ in found],
        "records": int(len(result) + counts["NODATA"] + counts["SKIPDATA"]),
        "skipped": counts,
        "skipdata": skipdata,
        "formats": formats,
        "ignored_files": ignored,
    }
    return result


def _tidy(records: pd.DataFrame) -> pd.DataFrame:
    """The course's columns first (src, dst, ports, protocol, counts, times), then every
    field.
    """
    columns: dict[str, object] = {}
    for side in ("src", "dst"):
        view = _view(records, side)
        if view is not None:
            columns[side] = view
    for name, short in (("srcport", "sport"), ("dstport", "dport")):
        if name in records:
            columns[short] = records[name].astype("Int32")
    if "protocol" in records:
        numbers = records["protocol"]
        names = np.array(
            [
                _PROTOCOL_NAMES.get(int(n), str(int(n))) if pd.notna(n) else None
                for n in numbers.unique()
            ],
            dtype=object,
        )
        lookup = dict(zip(numbers.unique(), names))
        columns["protocol"] = pd.Categorical(numbers.map(lookup))
    for name in ("packets", "bytes"):
        if name in records:
            column = records[name]
            columns[name] = (
                column.to_numpy(dtype=np.int64) if not column.isna().any() else column
            )
    for name in ("start", "end"):
        if name in records:
            columns[name] = pd.to_datetime(records[name], unit="s", utc=True)
    for name in records.columns:
        key = name.replace("-", "_")
        if name in (
            "srcport",
            "dstport",
            "protocol",
            "packets",
            "bytes",
            "start",
            "end",
            "line",
            "file",
        ):
            continue
        columns[key] = records[name]
    columns["file"] = (
        pd.Categorical(records["file"]) if len(records) else records["file"]
    )
    columns["line"] = records["line"].to_numpy(dtype=np.int64)
    result = pd.DataFrame(columns)
    result.index = pd.RangeIndex(len(result))
    return result


# --------------------------------------------------------------------------------------
# One record per transfer
# --------------------------------------------------------------------------------------


def count_once(records: pd.DataFrame) -> pd.DataFrame:
    """Keep one record per transfer: drop an ingress record whose transfer was also
    logged as egress.

    When both ends of a flow have logged interfaces (two pods on two nodes), the same
    bytes appear on the sender's interface (``flow_direction`` egress) and on the
    receiver's (ingress), with the same ``src``, ``dst``, ports and protocol. This keeps
    every egress record and every ingress record whose five-tuple has no egress record
    anywhere in ``records`` (its sender is outside the logged interfaces: the internet,
    another VPC, an unlogged subnet). A long-lived connection is one five-tuple over
    many intervals; its ingress records go as a whole.

    ``attrs["duplicates"]`` counts the records dropped and ``attrs["duplicate_bytes"]``
    their bytes.

    >>> records = pd.DataFrame(
    ...     {
    ...         "src": ["10.0.1.7", "10.0.1.7", "203.0.113.9"],
    ...         "dst": ["10.0.2.8"] * 3,
    ...         "sport": [40000, 40000, 443],
    ...         "dport": [80, 80, 51000],
    ...         "protocol": ["TCP"] * 3,
    ...         "bytes": [900, 900, 5000],
    ...         "flow_direction": ["egress", "ingress", "ingress"],
    ...     }
    ... )
    >>> once = count_once(records)
    >>> once["bytes"].tolist(), once.attrs["duplicates"]
    ([900, 5000], 1)
    """
    needed = ["src", "dst", "sport", "dport", "protocol", "flow_direction"]
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise KeyError(
            f"count_once: records need columns {missing}: a log "
            "without flow-direction (a version 5 field) "
            "cannot tell which side recorded a transfer; keep "
            "only the interfaces of one side instead"
        )
    direction = records["flow_direction"].astype(object).to_numpy()
    if pd.isna(direction).any():
        raise ValueError(
            "count_once: some records have no flow_direction "
            "('-'); it must be ingress or egress"
        )
    keys = (
        records.groupby(needed[:5], sort=False, observed=True, dropna=False)
        .ngroup()
        .to_numpy()
    )
    egress = direction == "egress"
    logged_as_egress = (
        np.bincount(
            keys, weights=egress, minlength=int(keys.max()) + 1 if len(keys) else 0
        )
        > 0
    )
    duplicate = (
        ~egress & logged_as_egress[keys] if len(keys) else np.zeros(0, dtype=bool)
    )
    kept = records.loc[~duplicate].copy()
    kept.attrs = dict(records.attrs)
    kept.attrs["duplicates"] = int(duplicate.sum())
    kept.attrs["duplicate_bytes"] = (
        int(records.loc[duplicate, "bytes"].sum()) if "bytes" in records else 0
    )
    return kept
