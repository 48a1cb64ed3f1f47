"""Property-based tests of the capture reader: valid captures, then the same captures
damaged.

Properties: only :class:`CaptureError` escapes; a call stays under the time and memory
bounds of :func:`tests.fuzzing.bounded`; the result does not depend on ``chunk_bytes``
or on reading from a path or a stream; write -> read gives back the times and lengths
written; the byte total agrees with an independent struct-based walk of the records and
with dpkt.
"""

from __future__ import annotations

import io
import struct
import tempfile
from pathlib import Path

import dpkt
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ingress_egress.captures import (
    LINKTYPE_ETHERNET,
    LINKTYPE_RAW,
    CaptureError,
    read_capture,
    write_pcap,
    write_pcapng,
)
from tests.fuzzing import bounded, examples, mutated

T0 = 1_700_000_000 * 10**9
MEMORY = 48 * 2**20  # generous for inputs of a few KB, far below a runaway allocation


def _ipv4(src: int, dst: int, proto: int, payload: bytes) -> bytes:
    return (
        struct.pack(
            ">BBHHHBBH4s4s",
            0x45,
            0,
            20 + len(payload),
            1,
            0,
            64,
            proto,
            0,
            src.to_bytes(4, "big"),
            dst.to_bytes(4, "big"),
        )
        + payload
    )


def _ipv6(src: int, dst: int, nh: int, payload: bytes) -> bytes:
    return (
        struct.pack(
            ">IHBB16s16s",
            6 << 28,
            len(payload),
            nh,
            64,
            src.to_bytes(16, "big"),
            dst.to_bytes(16, "big"),
        )
        + payload
    )


@st.composite
def ip_packets(draw) -> bytes:
    """An IPv4 or IPv6 packet carrying TCP, UDP, ICMP or something else, with a
    payload.
    """
    payload = bytes(draw(st.integers(0, 300)))
    proto = draw(st.sampled_from([6, 17, 1, 47]))
    sport, dport = draw(st.integers(0, 65535)), draw(st.integers(0, 65535))
    if proto == 6:
        body = (
            struct.pack(
                ">HHIIBBHHH",
                sport,
                dport,
                1,
                1,
                0x50,
                draw(st.integers(0, 255)),
                65535,
                0,
                0,
            )
            + payload
        )
    elif proto == 17:
        body = struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload
    else:
        body = bytes([8, 0, 0, 0]) + payload
    if draw(st.booleans()):
        return _ipv4(
            draw(st.integers(0, 2**32 - 1)),
            draw(st.integers(0, 2**32 - 1)),
            proto,
            body,
        )
    return _ipv6(
        draw(st.integers(0, 2**128 - 1)),
        draw(st.integers(0, 2**128 - 1)),
        58 if proto == 1 else proto,
        body,
    )


@st.composite
def records(draw, max_size: int = 12) -> list[tuple[int, bytes, int]]:
    """(time_ns, captured frame, original length) for Ethernet frames, some cut by a
    snap length.
    """
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        packet = draw(ip_packets())
        frame = (
            bytes(12) + (b"\x08\x00" if packet[0] >> 4 == 4 else b"\x86\xdd") + packet
        )
        if len(frame) < 60 and draw(st.booleans()):
            frame += bytes(60 - len(frame))  # Ethernet padding
        cut = draw(st.sampled_from([len(frame), len(frame), 54, 96]))
        time_ns = T0 + draw(st.integers(0, 10**12)) * 1000
        out.append((time_ns, frame[:cut], len(frame)))
    return out


@st.composite
def pcap_bytes(draw) -> bytes:
    stream = io.BytesIO()
    write_pcap(
        stream,
        draw(records()),
        nanosecond=draw(st.booleans()),
        big_endian=draw(st.booleans()),
    )
    return stream.getvalue()


@st.composite
def pcapng_bytes(draw) -> bytes:
    tsresol = draw(st.sampled_from([6, 9, 3, 0x80 | 20, 0x80 | 30]))
    stream = io.BytesIO()
    recs = [
        (0, t, frame, orig, draw(st.sampled_from([None, 1, 2])))
        for t, frame, orig in draw(records())
    ]
    write_pcapng(
        stream,
        recs,
        interfaces=[(LINKTYPE_ETHERNET, tsresol)],
        big_endian=draw(st.booleans()),
    )
    return stream.getvalue()


def _outcome(data: bytes, chunk_bytes: int, stream: bool = False):
    """What read_capture makes of ``data``: a DataFrame or the CaptureError message."""
    try:
        with bounded(MEMORY):
            source = io.BytesIO(data) if stream else _outcome.path
            if not stream:
                _outcome.path.write_bytes(data)
            return read_capture(source, chunk_bytes=chunk_bytes, progress=False)
    except CaptureError as error:
        return str(error).split(": ", 1)[1]  # without the file name


def _same(a, b) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
    else:
        assert (
            a.equals(b)
            and a.attrs["implausible_length"] == b.attrs["implausible_length"]
        )


_outcome.path = Path(tempfile.mkdtemp(prefix="fuzz-captures-")) / "fuzz.cap"


def _struct_walk(data: bytes) -> tuple[int, list[int]]:
    """Independent reading of a valid pcap: (sum of original lengths, captured
    lengths).
    """
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, total, caplens = 24, 0, []
    while off < len(data):
        _, _, incl, orig = struct.unpack_from(e + "IIII", data, off)
        total += orig
        caplens.append(incl)
        off += 16 + incl
    return total, caplens


@examples(ci=40)
@given(pcap_bytes())
def test_valid_pcap_round_trip_and_independent_totals(data):
    df = _outcome(data, 4096)
    assert not isinstance(df, str), df
    total, caplens = _struct_walk(data)
    assert int(df["length"].sum()) == total
    assert df["captured_length"].tolist() == caplens
    assert df.attrs["implausible_length"] == 0
    reader = dpkt.pcap.Reader(io.BytesIO(data))
    assert [len(buf) for _, buf in reader] == caplens
    _same(df, _outcome(data, 1 << 20, stream=True))


@examples(ci=30)
@given(records(), st.sampled_from([6, 9, 0x80 | 20]))
def test_pcapng_write_read_round_trip(recs, tsresol):
    stream = io.BytesIO()
    write_pcapng(
        stream,
        [(0, t, f, o) for t, f, o in recs],
        interfaces=[(LINKTYPE_ETHERNET, tsresol)],
    )
    df = read_capture(io.BytesIO(stream.getvalue()))
    units = {6: 1000, 9: 1}.get(tsresol)
    expected = [t // units * units for t, _, _ in recs] if units else None
    if expected is not None:
        assert df["time"].astype("int64").tolist() == expected
    assert df["length"].tolist() == [o for _, _, o in recs]
    assert df["captured_length"].tolist() == [len(f) for _, f, _ in recs]


@examples(ci=60)
@given(st.data())
def test_damaged_pcap_only_capture_errors_and_chunk_independent(data):
    damaged = data.draw(mutated(data.draw(pcap_bytes())))
    small = _outcome(damaged, 4096)
    _same(small, _outcome(damaged, 1 << 20))
    _same(small, _outcome(damaged, 4096, stream=True))


@examples(ci=60)
@given(st.data())
def test_damaged_pcapng_only_capture_errors_and_chunk_independent(data):
    damaged = data.draw(mutated(data.draw(pcapng_bytes())))
    small = _outcome(damaged, 4096)
    _same(small, _outcome(damaged, 1 << 20))
    _same(small, _outcome(damaged, 4096, stream=True))


@examples(ci=20)
@given(
    st.binary(max_size=200),
    st.sampled_from(
        [b"\xd4\xc3\xb2\xa1", b"\x0a\x0d\x0d\x0a", b"\xa1\xb2\x3c\x4d", b""]
    ),
)
def test_random_bytes_behind_a_magic_number(tail, magic):
    result = _outcome(magic + tail, 4096)
    assert isinstance(result, str) or len(result) >= 0


def test_raw_ip_link_type_round_trip(tmp_path):
    # a fixed case beside the generated ones: raw IPv4 and IPv6 packets, tshark's link
    # type 101
    packets = [_ipv4(0xC0000201, 0xC6336402, 17, bytes(8)), _ipv6(1, 2, 6, bytes(20))]
    path = write_pcapng(
        tmp_path / "raw.pcapng",
        [(0, T0 + i, p) for i, p in enumerate(packets)],
        interfaces=[(LINKTYPE_RAW, 9)],
    )
    df = read_capture(path)
    assert df["src"].tolist() == ["192.0.2.1", "::1"]
    assert np.array_equal(df["length"].to_numpy(), [28, 60])
