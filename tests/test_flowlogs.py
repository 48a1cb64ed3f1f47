"""The VPC Flow Logs reader: AWS's own example records, custom formats, gzip, folders,
and every error.

Expected values come from AWS's documentation ("Flow log record examples" and "Flow log
records", Amazon VPC User Guide, read 2026-12-02): the records are copied from there and
the values checked field by field against what the page says they mean.
"""

from __future__ import annotations

import gzip
import io

import pandas as pd
import pytest

from ingress_egress.flowlogs import (
    DEFAULT_FORMAT,
    FIELD_VERSIONS,
    FlowLogError,
    count_once,
    parse_format,
    read_flow_logs,
)

# Default format (version 2), from "Accepted and rejected traffic" and "No data and
# skipped records".
ACCEPTED = (
    "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 "
    "20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"
)
REJECTED = (
    "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 "
    "49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"
)
NODATA = (
    "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA"
)
SKIPDATA = (
    "2 123456789010 eni-11111111aaaaaaaaa - - - - - - "
    "- 1431280876 1431280934 - SKIPDATA"
)
ICMP = (
    "2 123456789010 eni-1235b8ca123456789 203.0.113.12 "
    "172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK"
)
IPV6 = (
    "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 "
    "2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 "
    "8855 1477913708 1477913820 ACCEPT OK"
)

# "Traffic through a NAT gateway": a custom format, on the NAT gateway's interface and
# on the instance's.
NAT_FORMAT = "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr"
NAT_RECORDS = """\
- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5
- eni-1235b8ca123456789 10.0.0.220 203.0.113.5 10.0.0.220 203.0.113.5
- eni-1235b8ca123456789 203.0.113.5 10.0.0.220 203.0.113.5 10.0.0.220
- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5
i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 203.0.113.5
i-01234567890123456 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 203.0.113.5 10.0.1.5
"""

# "Service name, traffic path, and flow direction": version 5 with a header line as S3
# delivers it.
V5_HEADER = (
    "version srcaddr dstaddr srcport dstport protocol start "
    "end type packets bytes account-id vpc-id "
    "subnet-id instance-id interface-id region az-id "
    "sublocation-type sublocation-id action tcp-flags "
    "pkt-srcaddr pkt-dstaddr pkt-src-aws-service "
    "pkt-dst-aws-service traffic-path flow-direction log-status"
)
V5_RECORDS = (
    "5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 "
    "IPv4 14 15044 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 "
    "apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK\n"
    "5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 "
    "IPv4 7 471 123456789012 vpc-abcdefab012345678 "
    "subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 "
    "apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK\n"
)


def text(*lines: str) -> io.StringIO:
    return io.StringIO("\n".join(lines) + "\n")


# --- what the records mean ------------------------------------------------------------


def test_default_format_fields_are_awss_version_2_fields_in_order():
    assert DEFAULT_FORMAT == (
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
    assert all(FIELD_VERSIONS[f] == 2 for f in DEFAULT_FORMAT)
    assert (
        FIELD_VERSIONS["pkt-srcaddr"] == 3
        and FIELD_VERSIONS["az-id"] == 4
        and FIELD_VERSIONS["flow-direction"] == 5
    )


def test_an_accepted_ssh_record_field_by_field():
    row = read_flow_logs(text(ACCEPTED)).iloc[0]
    # "SSH traffic (destination port 22, TCP protocol) to network interface
    # eni-1235b8ca123456789 ... was allowed"
    assert (row["src"], row["dst"], row["sport"], row["dport"], row["protocol"]) == (
        "172.31.16.139",
        "172.31.16.21",
        20641,
        22,
        "TCP",
    )
    assert (row["packets"], row["bytes"], row["action"], row["log_status"]) == (
        20,
        4249,
        "ACCEPT",
        "OK",
    )
    assert (
        row["interface_id"] == "eni-1235b8ca123456789"
        and row["account_id"] == "123456789010"
    )
    assert row["start"] == pd.Timestamp(1418530010, unit="s", tz="UTC")
    assert row["end"] - row["start"] == pd.Timedelta(seconds=60)


def test_rejected_icmp_and_ipv6_records():
    records = read_flow_logs(text(REJECTED, ICMP, IPV6))
    assert records["action"].tolist() == ["REJECT", "ACCEPT", "ACCEPT"]
    assert records["protocol"].tolist() == ["TCP", "ICMP", "TCP"]  # IANA 6 and 1
    assert records.loc[1, ["sport", "dport"]].tolist() == [
        0,
        0,
    ]  # ICMP: ports 0 in AWS's example
    assert records.loc[2, "src"] == "2001:db8:1234:a100:8d6e:3477:df66:f105"


def test_nodata_and_skipdata_are_skipped_counted_and_skipdata_listed():
    records = read_flow_logs(text(ACCEPTED, NODATA, SKIPDATA, NODATA))
    assert len(records) == 1
    assert records.attrs["skipped"] == {"NODATA": 2, "SKIPDATA": 1, "blank lines": 0}
    assert records.attrs["records"] == 4
    assert records.attrs["skipdata"] == [
        {
            "file": "<text 1>",
            "line": 3,
            "interface_id": "eni-11111111aaaaaaaaa",
            "start": 1431280876,
            "end": 1431280934,
        }
    ]


def test_nat_gateway_example_src_and_dst():
    """On the NAT gateway's interface (instance-id '-') the interface addresses; on the
    instance's, the packet's.
    """
    records = read_flow_logs(io.StringIO(NAT_FORMAT + "\n" + NAT_RECORDS))
    assert records[["src", "dst"]].astype(str).values.tolist() == [
        [
            "10.0.1.5",
            "10.0.0.220",
        ],  # instance -> NAT gateway: the hop that bills processing
        ["10.0.0.220", "203.0.113.5"],  # NAT gateway -> internet host
        ["203.0.113.5", "10.0.0.220"],  # response to the NAT gateway
        [
            "10.0.0.220",
            "10.0.1.5",
        ],  # NAT gateway -> instance (pkt-srcaddr would be the host)
        [
            "10.0.1.5",
            "203.0.113.5",
        ],  # the instance's own interface: the packet's addresses
        ["203.0.113.5", "10.0.1.5"],
    ]
    assert (
        records["pkt_dstaddr"].iloc[0] == "203.0.113.5"
        and records["instance_id"].isna().sum() == 4
    )


def test_pod_behind_a_node_interface_is_the_packet_source():
    # EKS with the VPC CNI: srcaddr is the node's interface, pkt-srcaddr the pod (AWS:
    # pkt-srcaddr).
    log = (
        "instance-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr bytes\ni-0abc "
        "10.0.5.21 10.0.37.161 10.0.5.102 10.0.37.161 99\n"
    )
    assert read_flow_logs(io.StringIO(log))[["src", "dst"]].astype(
        str
    ).values.tolist() == [["10.0.5.102", "10.0.37.161"]]


def test_version_5_example_with_header():
    records = read_flow_logs(io.StringIO(V5_HEADER + "\n" + V5_RECORDS))
    assert records["flow_direction"].tolist() == ["ingress", "egress"]
    assert (
        records["az_id"].tolist() == ["apse2-az3", "apse2-az3"]
        and records["region"].iloc[0] == "ap-southeast-2"
    )
    assert records["pkt_src_aws_service"].iloc[0] == "S3" and pd.isna(
        records["pkt_src_aws_service"].iloc[1]
    )
    assert records["traffic_path"].iloc[1] == 8 and pd.isna(
        records["traffic_path"].iloc[0]
    )
    assert records["tcp_flags"].tolist() == [19, 3] and records["type"].tolist() == [
        "IPv4",
        "IPv4",
    ]
    assert pd.isna(records["sublocation_id"]).all()
    assert records["bytes"].tolist() == [15044, 471] and records["line"].tolist() == [
        2,
        3,
    ]


def test_format_given_in_awss_syntax_for_a_file_without_header():
    fields = (
        "${instance-id} ${interface-id} ${srcaddr} "
        "${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}"
    )
    records = read_flow_logs(io.StringIO(NAT_RECORDS), fields=fields)
    assert len(records) == 6 and records.attrs["formats"]["<text 1>"] == NAT_FORMAT


def test_parse_format_refuses_unknown_and_repeated_fields():
    assert parse_format("${srcaddr} ${bytes}") == ("srcaddr", "bytes")
    with pytest.raises(ValueError, match="unknown flow log field 'pkt-src'"):
        parse_format("srcaddr pkt-src")
    with pytest.raises(ValueError, match="'bytes' appears twice"):
        parse_format("bytes srcaddr bytes")


# --- files, gzip, folders -------------------------------------------------------------


def test_gzip_plain_and_folders_give_the_same_records(tmp_path):
    content = (V5_HEADER + "\n" + V5_RECORDS).encode()
    (tmp_path / "logs" / "2026" / "11").mkdir(parents=True)
    plain = tmp_path / "logs" / "2026" / "11" / "a.log"
    zipped = tmp_path / "logs" / "2026" / "11" / "b.log.gz"
    plain.write_bytes(content)
    zipped.write_bytes(gzip.compress(content, mtime=0))
    (tmp_path / "logs" / "README.md").write_text("not a log")
    one, two = read_flow_logs(plain), read_flow_logs(zipped)
    pd.testing.assert_frame_equal(one.drop(columns="file"), two.drop(columns="file"))
    both = read_flow_logs(tmp_path / "logs")
    assert both.attrs["files"] == [str(plain), str(zipped)]  # sorted, recursive
    assert both.attrs["ignored_files"] == [str(tmp_path / "logs" / "README.md")]
    assert (
        len(both) == 4
        and both["file"].astype(str).tolist() == [str(plain)] * 2 + [str(zipped)] * 2
    )


def test_blank_lines_are_skipped_and_counted_and_line_numbers_stay_true():
    records = read_flow_logs(io.StringIO(ACCEPTED + "\n\n" + REJECTED + "\n   \n"))
    assert records["line"].tolist() == [1, 3]
    assert records.attrs["skipped"]["blank lines"] == 2


def test_a_header_only_file_has_no_records():
    records = read_flow_logs(io.StringIO(" ".join(DEFAULT_FORMAT) + "\n"))
    assert len(records) == 0 and records.attrs["records"] == 0


# --- errors name the file, the line and the field -------------------------------------


@pytest.mark.parametrize(
    "line, field, message",
    [
        (
            ACCEPTED.replace(" 22 6 ", " 22 tcp "),
            "protocol",
            "expected an integer from 0 to 255",
        ),
        (
            ACCEPTED.replace(" 20641 ", " 70000 "),
            "srcport",
            "expected an integer from 0 to 65535",
        ),
        (ACCEPTED.replace(" 4249 ", " 42.5 "), "bytes", "expected an integer"),
        (ACCEPTED.replace(" 4249 ", " -4 "), "bytes", "expected an integer from 0"),
        (
            ACCEPTED.replace("172.31.16.139", "172.31.16.300"),
            "srcaddr",
            "expected an IPv4 or IPv6 address",
        ),
        (
            ACCEPTED.replace("ACCEPT", "ALLOW"),
            "action",
            "expected one of ACCEPT, REJECT",
        ),
        (
            ACCEPTED.replace(" OK", " FINE"),
            "log-status",
            "expected one of OK, NODATA, SKIPDATA",
        ),
        (
            ACCEPTED.replace(" 4249 ", " - "),
            "bytes",
            "expected a value in a record with traffic",
        ),
    ],
)
def test_bad_values_name_file_line_and_field(line, field, message):
    with pytest.raises(FlowLogError, match=message) as error:
        read_flow_logs(text(ACCEPTED, REJECTED, line))
    assert (error.value.file, error.value.line, error.value.field) == (
        "<text 1>",
        3,
        field,
    )
    assert str(error.value).startswith(f"<text 1>: line 3: field {field!r}: ")


def test_a_line_with_too_many_fields():
    with pytest.raises(
        FlowLogError,
        match=r"<text 1>: line 2: expected 14 fields \(version .*\), got 15",
    ):
        read_flow_logs(text(ACCEPTED, ACCEPTED + " EXTRA"))


def test_a_line_with_too_few_fields_names_the_first_missing_one():
    with pytest.raises(FlowLogError) as error:
        read_flow_logs(text(ACCEPTED, ACCEPTED.rsplit(" ", 2)[0]))
    assert (error.value.line, error.value.field) == (2, "action")
    assert "expected 14 fields" in str(error.value) and "got 12" in str(error.value)


def test_an_unknown_header_field_names_it(tmp_path):
    path = tmp_path / "bad.log"
    path.write_text("version srcaddr dstaddr bites\n2 10.0.0.1 10.0.0.2 5\n")
    with pytest.raises(FlowLogError) as error:
        read_flow_logs(path)
    assert (error.value.file, error.value.line, error.value.field) == (
        str(path),
        1,
        "bites",
    )
    assert "did you mean 'bytes'" in str(error.value)


def test_a_header_that_disagrees_with_the_format_given():
    with pytest.raises(
        FlowLogError, match="line 1: the header names the fields srcaddr bytes"
    ):
        read_flow_logs(
            io.StringIO("srcaddr bytes\n10.0.0.1 5\n"), fields="${srcaddr} ${dstaddr}"
        )


def test_corrupt_gzip_and_non_utf8(tmp_path):
    cut = tmp_path / "cut.log.gz"
    cut.write_bytes(gzip.compress(((ACCEPTED + "\n") * 50).encode(), mtime=0)[:40])
    with pytest.raises(
        FlowLogError, match=rf"{cut}: gzip data is corrupt or cut short"
    ):
        read_flow_logs(cut)
    latin = tmp_path / "latin.log"
    latin.write_bytes(
        (ACCEPTED + "\n").encode() + b"2 caf\xe9 eni-1 - - - - - - - 1 2 - NODATA\n"
    )
    with pytest.raises(FlowLogError, match=rf"{latin}: line 2: not UTF-8 text"):
        read_flow_logs(latin)


def test_a_missing_path_and_a_wrong_type():
    with pytest.raises(FileNotFoundError, match="neither a file nor a folder"):
        read_flow_logs("/nonexistent/flow.log")
    with pytest.raises(TypeError, match="cannot read a int"):
        read_flow_logs(42)


# --- one record per transfer ----------------------------------------------------------


def test_count_once_keeps_egress_and_ingress_from_outside():
    records = pd.DataFrame(
        {
            "src": ["10.0.1.7", "10.0.1.7", "10.0.2.8", "203.0.113.9", "10.0.1.7"],
            "dst": ["10.0.2.8", "10.0.2.8", "10.0.1.7", "10.0.2.8", "10.0.2.8"],
            "sport": [40000, 40000, 80, 443, 40000],
            "dport": [80, 80, 40000, 51000, 80],
            "protocol": ["TCP"] * 5,
            "bytes": [900, 900, 70, 5000, 300],
            "flow_direction": ["egress", "ingress", "ingress", "ingress", "ingress"],
        }
    )
    once = count_once(records)
    # Rows 1 and 4 are the receiver's copies of a five-tuple that the sender logged as
    # egress (row 0, another minute for row 4). Row 2 (a reply whose sender's interface
    # is not logged) and row 3 (from the internet) have no egress copy: they stay.
    assert once.index.tolist() == [0, 2, 3]
    assert once.attrs["duplicates"] == 2 and once.attrs["duplicate_bytes"] == 1200


def test_count_once_needs_flow_direction():
    with pytest.raises(KeyError, match="flow-direction"):
        count_once(read_flow_logs(text(ACCEPTED)))
