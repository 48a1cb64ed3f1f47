"""The ingress-egress command line: counts worked out by hand, errors with exit status
2, the installed command.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ingress_egress import packets as pk
from ingress_egress.captures import write_pcap
from ingress_egress.cli import main
from ingress_egress.datagen import captures as gen

ROOT = Path(__file__).resolve().parent.parent
OFFICE = ROOT / "data" / "captures" / "office-day.pcap"
KEYS = ["ingress", "egress", "internal", "external", "non_ip"]
MAC_HOST, MAC_ROUTER = "02:00:00:00:00:0b", "02:00:00:00:00:01"


def frame(src: str, dst: str, payload: bytes = b"", *, unseen: int = 0) -> bytes:
    datagram = pk.udp(src, dst, 40000, 9, payload)
    return pk.ethernet(
        MAC_ROUTER,
        MAC_HOST,
        pk.ethertype_of(src),
        pk.ip(src, dst, pk.PROTO_UDP, datagram),
    )


@pytest.fixture
def capture(tmp_path) -> Path:
    """Seven frames whose classes and lengths are known by construction (Ethernet 14,
    IPv4 20 / IPv6 40, UDP 8).
    """
    arp = pk.ethernet(
        "ff:ff:ff:ff:ff:ff",
        MAC_ROUTER,
        pk.ETHERTYPE_ARP,
        pk.arp(1, MAC_ROUTER, "10.1.0.1", "00:00:00:00:00:00", "10.1.0.7"),
    )
    records = [
        (1, frame("10.1.0.7", "192.0.2.1", bytes(100))),  # egress   14+20+8+100 = 142
        (
            2,
            frame("192.0.2.1", "10.1.0.7", bytes(1000)),
            1042,
        ),  # ingress  14+20+8+1000 = 1042
        (3, frame("10.1.0.7", "10.1.0.8")),  # internal 42
        (4, frame("198.51.100.1", "192.0.2.1")),  # external 42
        (5, arp),  # non-IP   42
        (
            6,
            frame("2001:db8::1", "fd00::7", bytes(2000)),
            2062,
        ),  # ingress  14+40+8+2000 = 2062, cut at 100
        (7, frame("fd00::7", "2001:db8::1", bytes(10))),  # egress   14+40+8+10 = 72
    ]
    return write_pcap(tmp_path / "seven.pcap", records, snaplen=100)


def run_json(capsys, *argv: str) -> dict:
    assert main(["summarize", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_counts_by_hand(capture, capsys):
    summary = run_json(
        capsys, str(capture), "--inside", "10.1.0.0/16", "--inside", "fd00::/8"
    )
    assert list(summary)[:5] == KEYS
    assert summary["egress"] == {"packets": 2, "bytes": 142 + 72}
    assert summary["ingress"] == {"packets": 2, "bytes": 1042 + 2062}
    assert summary["internal"] == {"packets": 1, "bytes": 42}
    assert summary["external"] == {"packets": 1, "bytes": 42}
    assert summary["non_ip"] == {"packets": 1, "bytes": 42}
    assert summary["truncated"] == {
        "packets": 3,
        "bytes": 142 + 1042 + 2062,
    }  # the three longer than 100 bytes


def test_the_inside_decides(capture, capsys):
    """Stand at 192.0.2.1 instead: the same packets change class."""
    summary = run_json(capsys, str(capture), "--inside", "192.0.2.1")
    assert summary["ingress"] == {"packets": 2, "bytes": 142 + 42}
    assert summary["egress"] == {"packets": 1, "bytes": 1042}
    assert summary["external"] == {"packets": 3, "bytes": 42 + 2062 + 72}
    assert summary["internal"] == {"packets": 0, "bytes": 0}


def test_text_output(capture, capsys):
    assert main(["summarize", str(capture), "--inside", "10.1.0.0/16"]) == 0
    out = capsys.readouterr().out
    assert "7 packets, 3,444 bytes on the wire" in out  # 142+1042+42+42+42+2062+72
    assert "inside: 10.1.0.0/16" in out
    for key in KEYS + ["truncated"]:
        assert any(line.split()[:1] == [key] for line in out.splitlines()), key


@pytest.mark.parametrize(
    "inside, expected",
    [
        ("10.1.0.0/33", "'10.1.0.0/33' is not a network address or CIDR"),
        ("10.1.0.1/16", "has host bits set"),
        ("office", "'office' is not a network address or CIDR"),
    ],
)
def test_bad_inside_exits_2_with_a_message(capture, capsys, inside, expected):
    assert main(["summarize", str(capture), "--inside", inside]) == 2
    captured = capsys.readouterr()
    assert (
        captured.out == ""
        and expected in captured.err
        and captured.err.startswith("ingress-egress: error:")
    )


def test_bad_files_exit_2_naming_the_file(tmp_path, capsys):
    missing = tmp_path / "missing.pcap"
    assert main(["summarize", str(missing), "--inside", "10.0.0.0/8"]) == 2
    assert "missing.pcap" in capsys.readouterr().err
    text = tmp_path / "notes.pcap"
    text.write_text("these are not packets\n")
    assert main(["summarize", str(text), "--inside", "10.0.0.0/8"]) == 2
    err = capsys.readouterr().err
    assert "notes.pcap" in err and "magic" in err
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    assert main(["summarize", str(empty), "--inside", "10.0.0.0/8"]) == 2
    assert "empty" in capsys.readouterr().err


def test_inside_is_required_and_commands_are_checked(capture, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["summarize", str(capture)])
    assert exit_info.value.code == 2 and "--inside" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["explode", str(capture)])
    assert exit_info.value.code == 2


def test_flows_command_puts_the_exfiltration_first(capsys):
    assert (
        main(
            [
                "flows",
                str(OFFICE),
                "--inside",
                gen.OFFICE_NETWORK,
                "--top",
                "1",
                "--csv",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("flow,protocol,initiator")
    x = gen.EXFILTRATION
    assert (
        f",{x.host}," in lines[1]
        and f",{x.destination},{x.port}," in lines[1]
        and ",outbound," in lines[1]
    )


def installed_command() -> str | None:
    """The ``ingress-egress`` script installed beside this Python (the venv's bin
    folder).
    """
    folders = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
    for folder in folders:
        found = shutil.which("ingress-egress", path=folder)
        if found:
            return found
    return None


def test_the_installed_command(capsys):
    command = installed_command()
    if command is None:
        pytest.skip(
            "the ingress-egress script is not installed "
            "beside this Python (pip install -e .)"
        )
    result = subprocess.run(
        [command, "summarize", str(OFFICE), "--inside", gen.OFFICE_NETWORK, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert run_json(capsys, str(OFFICE), "--inside", gen.OFFICE_NETWORK) == summary
    # What the capture's documentation promises: egress beats ingress (upload, backup,
    # exfiltration), the two DHCP broadcasts are the only external packets, ARP is the
    # only non-IP traffic.
    assert (
        summary["egress"]["bytes"]
        > gen.EXFILTRATION.payload_bytes + gen.CLOUD_UPLOAD.payload_bytes
    )
    assert (
        summary["egress"]["bytes"]
        > summary["ingress"]["bytes"]
        > gen.VIDEO_DOWNLOAD.payload_bytes
    )
    assert summary["external"]["packets"] == 2
    assert summary["non_ip"]["packets"] > 0 and summary["non_ip"][
        "bytes"
    ] == 60 * summary["non_ip"]["packets"] - 18 * (
        summary["non_ip"]["packets"] // 2
    )  # ARP requests from the router 42 bytes, replies padded to 60
    bad = subprocess.run(
        [command, "summarize", str(OFFICE), "--inside", "192.168.10.0/99"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "192.168.10.0/99" in bad.stderr and bad.stdout == ""
