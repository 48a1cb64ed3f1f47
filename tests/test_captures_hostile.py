"""The capture reader on hostile input: one regression test per defect found by fuzzing.

Each input is built here from the description of a reproducer
(``../shared/robustness``); where tshark's behaviour is the reference, the test runs
tshark on the same bytes (skipped without it).
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import threading

import numpy as np
import pytest

from ingress_egress.captures import (
    MAX_PLAUSIBLE_WIRE_LENGTH,
    CaptureError,
    iter_capture,
    read_capture,
    write_pcap,
)

ETH_IP = (
    bytes(12) + b"\x08\x00" + b"\x45" + bytes(19)
)  # Ethernet + an IPv4 header, all zero
SHB = None  # built below


def block(block_type: int, body: bytes) -> bytes:
    body += bytes(-len(body) % 4)
    return (
        struct.pack("<II", block_type, len(body) + 12)
        + body
        + struct.pack("<I", len(body) + 12)
    )


SHB = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
IDB = block(1, struct.pack("<HHI", 1, 0, 0))


def idb(*options: bytes) -> bytes:
    return block(
        1, struct.pack("<HHI", 1, 0, 0) + b"".join(options) + struct.pack("<HH", 0, 0)
    )


def epb(
    frame: bytes = ETH_IP,
    *,
    ticks: int = 0,
    original: int | None = None,
    options: bytes = b"",
) -> bytes:
    original = len(frame) if original is None else original
    head = struct.pack(
        "<IIIII", 0, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), original
    )
    return block(6, head + frame + bytes(-len(frame) % 4) + options)


def tshark_error(path) -> str | None:
    """tshark's complaint about a file (None when it reads it), or a skip without
    tshark.
    """
    exe = shutil.which("tshark")
    if exe is None:
        pytest.skip("tshark is not installed: its verdict on this file is not checked")
    out = subprocess.run([exe, "-r", str(path)], capture_output=True, text=True)
    return out.stderr.strip().splitlines()[-1] if out.returncode else None


def error_of(path) -> str:
    with pytest.raises(CaptureError) as info:
        read_capture(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


# ------------------------------------------------------------------ pcapng interface
# options


def test_tsresol_option_without_its_value_byte(tmp_path):
    # if_tsresol says one byte of value, and the block ends right there (was IndexError)
    path = tmp_path / "idb.pcapng"
    path.write_bytes(
        SHB + block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HH", 9, 1))
    )
    message = error_of(path)
    assert (
        "block 2 at byte offset 28 (Interface Description Block): option 9 says 1 bytes"
        in message
        and "corrupt block" in message
    )
    assert "Not enough data" in tshark_error(path)


def test_idb_option_longer_than_its_block(tmp_path):
    path = tmp_path / "long.pcapng"
    path.write_bytes(
        SHB
        + block(1, struct.pack("<HHI", 1, 0, 0) + struct.pack("<HH", 2, 40) + b"eth0")
        + epb()
    )
    assert "option 2 says 40 bytes but only 4 are left" in error_of(path)
    assert "option of length 40" in tshark_error(path)


@pytest.mark.parametrize(
    "tsresol, ticks, expected_ns",
    [
        (20, 10**19, 100_000_000),  # 10^-20 s units: 0.1 s
        (19, 3 * 10**19 // 2, 1_500_000_000),
        (0x80 | 64, 2**63, 500_000_000),  # 2^-64 s units: half a second
        (0x80 | 63, 2**64 - 1, 1_999_999_999),  # rounds down, as Wireshark does
        (127, 2**64 - 1, 0),  # 10^-127 s: every timestamp is ~0
        (0x80 | 127, 2**64 - 1, 0),
    ],
)
def test_any_timestamp_resolution_is_exact(tmp_path, tsresol, ticks, expected_ns):
    # was OverflowError for 10^-20 s and 2^-64 s; the exact answer is hand arithmetic
    path = tmp_path / "res.pcapng"
    path.write_bytes(SHB + idb(struct.pack("<HHB3x", 9, 1, tsresol)) + epb(ticks=ticks))
    assert read_capture(path)["time"].astype("int64").tolist() == [expected_ns]


def test_a_tsresol_option_of_another_length_is_ignored_as_tshark_does(tmp_path):
    path = tmp_path / "len2.pcapng"
    path.write_bytes(
        SHB + idb(struct.pack("<HHBBxx", 9, 2, 0, 0)) + epb(ticks=1_500_000)
    )
    assert read_capture(path)["time"].astype("int64").tolist() == [
        1_500_000_000
    ]  # still us
    assert tshark_error(path) is None


# ------------------------------------------------------------------ timestamps out of
# range


def test_timestamp_beyond_the_time_column_is_refused_not_wrapped(tmp_path):
    # if_tsresol 0 (seconds) and 2^40 ticks: year 36,812 (came out as 1738)
    path = tmp_path / "far.pcapng"
    path.write_bytes(SHB + idb(struct.pack("<HHB3x", 9, 1, 0)) + epb(ticks=2**40))
    message = error_of(path)
    assert (
        "block 3 at byte offset 60 (Enhanced Packet Block): timestamp 1099511627776 s "
        "after 1970"
        in message
        and "1677-09-21 to 2262-04-11" in message
    )


@pytest.mark.parametrize("offset", [2**62, -(2**62), 2**63 - 1, -(2**63)])
def test_huge_tsoffset_is_refused_not_dropped(tmp_path, offset):
    # an if_tsoffset of 2^62 s used to vanish (the time came out as if it were 0)
    path = tmp_path / "offset.pcapng"
    path.write_bytes(SHB + idb(struct.pack("<HHq", 14, 8, offset)) + epb(ticks=1))
    assert "outside what the time column holds" in error_of(path)


def test_offset_near_the_limits_still_works(tmp_path):
    path = tmp_path / "near.pcapng"
    seconds = 9_223_372_000  # 2262-04-11, inside the range
    path.write_bytes(SHB + idb(struct.pack("<HHq", 14, 8, seconds)) + epb(ticks=5))
    assert read_capture(path)["time"].astype("int64").tolist() == [
        seconds * 10**9 + 5_000
    ]


def test_pcap_fraction_of_a_second_or_more_is_carried(tmp_path):
    # a microsecond field of 4,000,000,000 is 4,000 s: carried, not wrapped (tshark
    # wraps it)
    path = write_pcap(
        tmp_path / "us.pcap", [(1_700_000_000 * 10**9, ETH_IP)], nanosecond=False
    )
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, 24 + 4, 4_000_000_000)
    path.write_bytes(bytes(data))
    assert read_capture(path)["time"].astype("int64").tolist() == [
        1_700_004_000 * 10**9
    ]


# ------------------------------------------------------------------ structure tshark
# refuses


def test_packet_block_before_any_interface_of_its_section(tmp_path):
    path = tmp_path / "first.pcapng"
    path.write_bytes(SHB + epb() + IDB)
    assert (
        "block 2 at byte offset 28 (Enhanced Packet Block): interface 0 is not "
        "defined: its section has 0 Interface Description Block(s) before this block"
        in error_of(path)
    )
    assert (
        "interface index 0 is not less than section interface count 0"
        in tshark_error(path)
    )


def test_packet_block_before_an_interface_defined_later_in_the_same_chunk(tmp_path):
    # two interfaces; a packet on interface 1 comes between them
    path = tmp_path / "between.pcapng"
    path.write_bytes(
        SHB
        + IDB
        + epb()
        + block(6, struct.pack("<IIIII", 1, 0, 0, 34, 34) + ETH_IP + bytes(2))
        + IDB
    )
    assert (
        "interface 1 is not defined: its section has 1 Interface Description Block(s)"
        in error_of(path)
    )


def test_simple_packet_block_too_small_for_its_packet(tmp_path):
    # the SPB says 100 bytes on the wire, the interface has no snap length, the block
    # holds 36
    path = tmp_path / "spb.pcapng"
    path.write_bytes(SHB + IDB + block(3, struct.pack("<I", 100) + ETH_IP + bytes(2)))
    assert (
        "(Simple Packet Block): a block of 52 bytes is too small for its 100 bytes of "
        "packet data" in error_of(path)
    )
    assert "too small for 100 bytes of packet data" in tshark_error(path)


def test_epb_option_past_the_end_and_flags_of_the_wrong_size(tmp_path):
    long = tmp_path / "long.pcapng"
    long.write_bytes(SHB + IDB + epb(options=struct.pack("<HHI", 2, 40, 1)))
    assert "option 2 says 40 bytes but only 4 are left" in error_of(long)
    assert "option of length 40" in tshark_error(long)
    odd = tmp_path / "odd.pcapng"
    odd.write_bytes(SHB + IDB + epb(options=struct.pack("<HHI", 2, 3, 1) + bytes(4)))
    assert "flags option (code 2) of 3 bytes, 4 expected" in error_of(odd)
    assert "flags option length 3 is not 4" in tshark_error(odd)


def pcap_header(major: int = 2, minor: int = 4, network: int = 1) -> bytes:
    return struct.pack("<IHHiIII", 0xA1B2C3D4, major, minor, 0, 0, 262144, network)


def pcap_record(frame: bytes = ETH_IP, original: int | None = None) -> bytes:
    return (
        struct.pack(
            "<IIII", 0, 0, len(frame), len(frame) if original is None else original
        )
        + frame
    )


@pytest.mark.parametrize("major", [0, 1])
def test_pcap_major_version_before_2(tmp_path, major):
    path = tmp_path / f"v{major}.pcap"
    path.write_bytes(pcap_header(major=major) + pcap_record())
    assert (
        f"file header: pcap version {major}.4: versions before 2.0 are not known"
        in error_of(path)
    )
    assert f"major version {major} unsupported" in tshark_error(path)


@pytest.mark.parametrize("network", [0x00010001, 0x02000001])
def test_pcap_reserved_link_type_bits(tmp_path, network):
    path = tmp_path / "lt.pcap"
    path.write_bytes(pcap_header(network=network) + pcap_record())
    assert f"link type field 0x{network:08x} has reserved bits set" in error_of(path)
    assert "reserved field not zero" in tshark_error(path)


@pytest.mark.parametrize("network", [0x04000001, 0x14000001])
def test_pcap_fcs_bits_are_not_reserved(tmp_path, network):
    # the FCS length and its flag (bits 26-31) are allowed, as tshark allows them
    path = tmp_path / "fcs.pcap"
    path.write_bytes(pcap_header(network=network) + pcap_record())
    assert len(read_capture(path)) == 1
    assert tshark_error(path) is None


# ------------------------------------------------------------------ original lengths


def test_huge_original_length_is_reported_not_summed(tmp_path):
    # the reproducer: a 54-byte record claiming 4,294,967,280 bytes on the wire; its
    # IPv4 header says 40 bytes (20 IP + 20 TCP), so the frame was 14 + 40 = 54 bytes
    frame = bytes(12) + b"\x08\x00" + b"\x45\x00\x00\x28" + bytes(36)
    path = tmp_path / "orig.pcap"
    path.write_bytes(
        pcap_header() + pcap_record(frame, 0xFFFFFFF0) + pcap_record(frame)
    )
    df = read_capture(path)
    assert df["length"].tolist() == [54, 54]
    assert df.attrs["implausible_length"] == 1
    assert df.attrs["implausible_length_frames"] == [1]
    assert df.attrs["truncated"] == 0


def test_original_length_below_captured_length(tmp_path):
    path = tmp_path / "small.pcap"
    path.write_bytes(pcap_header() + pcap_record(ETH_IP, 20))
    df = read_capture(path)
    assert df["length"].tolist() == [34]  # at least what is in the file
    assert df.attrs["implausible_length"] == 1


def test_plausible_lengths_are_kept(tmp_path):
    # a snap-length cut (IP says 1,486), Ethernet padding (a 40-byte packet in 60
    # bytes + FCS), TSO with IPv4 total length 0, and a non-IP frame of a jumbo size:
    # all believed
    cut = bytes(12) + b"\x08\x00" + b"\x45\x00\x05\xce" + bytes(36)
    small = bytes(12) + b"\x08\x00" + b"\x45\x00\x00\x28" + bytes(46)
    tso = bytes(12) + b"\x08\x00" + b"\x45\x00\x00\x00" + bytes(36)
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    path = tmp_path / "ok.pcap"
    path.write_bytes(
        pcap_header()
        + pcap_record(cut, 1500)
        + pcap_record(small, 64)
        + pcap_record(tso, 200_000)
        + pcap_record(arp, 9000)
    )
    df = read_capture(path)
    assert df["length"].tolist() == [1500, 64, 200_000, 9000]
    assert df.attrs["implausible_length"] == 0


def test_non_ip_frame_above_the_plausible_maximum(tmp_path):
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    path = tmp_path / "arp.pcap"
    path.write_bytes(pcap_header() + pcap_record(arp, MAX_PLAUSIBLE_WIRE_LENGTH + 1))
    df = read_capture(path)
    assert df["length"].tolist() == [42] and df.attrs["implausible_length"] == 1


def test_pcapng_huge_original_length(tmp_path):
    frame = bytes(12) + b"\x08\x00" + b"\x45\x00\x00\x14" + bytes(16)
    path = tmp_path / "orig.pcapng"
    path.write_bytes(SHB + IDB + epb(frame + bytes(2), original=0xFFFFFFF0))
    df = read_capture(path)
    assert df["length"].tolist() == [36] and df.attrs["implausible_length"] == 1


# ------------------------------------------------------------------ streams and FIFOs


def _capture_bytes(n: int = 50) -> bytes:
    stream = io.BytesIO()
    frame = (
        bytes(12)
        + b"\x08\x00"
        + b"\x45\x00\x00\x14"
        + bytes(8)
        + b"\xc0\x00\x02\x01"
        + b"\xc6\x33\x64\x02"
    )
    write_pcap(stream, [(i * 1000, frame) for i in range(n)])
    return stream.getvalue()


def test_read_capture_takes_an_open_binary_file_object(tmp_path):
    data = _capture_bytes()
    path = tmp_path / "a.pcap"
    path.write_bytes(data)
    from_path = read_capture(path)
    from_stream = read_capture(io.BytesIO(data), chunk_bytes=4096)
    assert from_stream.equals(from_path)
    assert from_stream.attrs["path"] == "<stream>"
    with open(path, "rb") as f:
        assert read_capture(f).equals(from_path)
        assert not f.closed  # the caller's file stays open


def test_a_text_stream_gets_a_clear_error():
    with pytest.raises(
        CaptureError, match="not a binary stream: open the capture in binary"
    ):
        read_capture(io.StringIO("hello"))


def test_an_empty_stream_and_a_truncated_stream(tmp_path):
    with pytest.raises(CaptureError, match="empty file"):
        read_capture(io.BytesIO(b""))
    data = _capture_bytes()
    with pytest.raises(
        CaptureError,
        match="truncated record: its header says 34 captured bytes, only 10 left",
    ):
        read_capture(io.BytesIO(data[:-24]))


def test_fifo_is_read_once_a_writer_comes(tmp_path):
    # Documented behaviour: opening a FIFO waits for a writer, like cat and tcpdump -r.
    # The test supplies the writer from a thread, and never waits more than 30 s for the
    # reader.
    fifo = tmp_path / "capture.fifo"
    os.mkfifo(fifo)
    data = _capture_bytes(2000)
    result: dict = {}

    def reader() -> None:
        try:
            result["df"] = read_capture(fifo, chunk_bytes=4096)
        except Exception as exc:  # pragma: no cover - reported below
            result["error"] = exc

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(0.2)
    assert thread.is_alive()  # waiting in open(): no writer yet
    with open(fifo, "wb") as w:  # the writer comes: tcpdump -w capture.fifo
        for i in range(0, len(data), 1000):
            w.write(data[i : i + 1000])
    thread.join(30)
    assert not thread.is_alive() and "error" not in result
    assert len(result["df"]) == 2000


def test_iter_capture_pieces_add_up_to_read_capture(tmp_path):
    data = _capture_bytes(3000)
    whole = read_capture(io.BytesIO(data))
    pieces = list(iter_capture(io.BytesIO(data), packets=500, chunk_bytes=4096))
    assert len(pieces) > 2
    joined = __import__("pandas").concat(pieces)
    assert joined.equals(whole)
    assert np.array_equal(joined.index.to_numpy(), np.arange(1, 3001))
    assert pieces[-1].attrs["packets"] == 3000


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stderr, shown", [(io.StringIO, False), (_Terminal, True)])
def test_progress_bar_only_on_a_terminal(tmp_path, monkeypatch, stderr, shown):
    from ingress_egress import captures

    path = tmp_path / "a.pcap"
    path.write_bytes(_capture_bytes())
    monkeypatch.setattr(captures, "PROGRESS_MIN_BYTES", 0)  # as if the file were large
    fake = stderr()
    monkeypatch.setattr("sys.stderr", fake)
    read_capture(path)
    assert ("a.pcap" in fake.getvalue()) == shown
