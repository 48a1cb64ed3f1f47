"""The shipped datasets are exactly what their seeded generators write: regenerate and
compare bytes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ingress_egress.datagen import generate_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HAND_WRITTEN = {"k8s", "prices"}
"""Folders of data/ that people write (manifests, price tables with their sources), not
generators.
"""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("data")
    return {str(path.relative_to(out)): path.read_bytes() for path in generate_all(out)}


def test_generators_write_what_is_committed(regenerated):
    different = [
        name
        for name, content in regenerated.items()
        if not (DATA / name).exists() or (DATA / name).read_bytes() != content
    ]
    assert different == [], f"regenerate with `make data` and commit: {different}"


def test_every_generated_looking_file_has_a_generator(regenerated):
    shipped = {
        str(path.relative_to(DATA))
        for path in DATA.rglob("*")
        if path.is_file()
        and path.name != "README.md"
        and path.relative_to(DATA).parts[0] not in HAND_WRITTEN
    }
    assert shipped - set(regenerated) == set(), (
        "files in data/ that no generator writes"
    )


def test_every_dataset_folder_is_in_the_datasheet():
    datasheet = (DATA / "README.md").read_text()
    folders = {path.name for path in DATA.iterdir() if path.is_dir()}
    assert [folder for folder in sorted(folders) if f"{folder}/" not in datasheet] == []


# --------------------------------------------------------------------------------------
# The home laptop's two conversations (notebook 01): frame sizes, wire overhead, slow
# start. Expected values come from the standards, by hand: Ethernet II header 14 bytes,
# IPv4 20, TCP 20; MTU 1500, so MSS = 1500 - 40 = 1460 without TCP options; minimum
# frame 64 bytes with its 4-byte FCS (60 in a capture); preamble + SFD 8 bytes,
# inter-frame gap 96 bit times = 12 bytes.
# --------------------------------------------------------------------------------------

from ingress_egress.datagen import conversations  # noqa: E402

LAPTOP, SERVER = "192.168.1.20", "192.0.2.80"


@pytest.fixture(scope="module")
def home() -> pd.DataFrame:
    return conversations.conversation_rows()


def test_full_segments_carry_1460_bytes_in_1514_byte_frames(home):
    data = home[home["payload"] > 0]
    assert data["payload"].max() == 1500 - 20 - 20
    assert data["length"].max() == 14 + 20 + 20 + 1460 == 1514
    assert set(data.loc[data["payload"] == 1460, "length"]) == {1514}


def test_every_frame_is_headers_plus_payload_padded_when_received(home):
    options = home["flags"].isin(["S", "SA"]) * 12  # MSS, window scale, SACK permitted
    unpadded = 54 + options + home["payload"]
    sent = home["src"] == LAPTOP
    assert (home.loc[sent, "length"] == unpadded[sent]).all()
    assert (home.loc[~sent, "length"] == unpadded[~sent].clip(lower=60)).all()
    acks_in = home[~sent & (home["payload"] == 0) & (home["flags"] == "A")]
    acks_out = home[sent & (home["payload"] == 0) & (home["flags"] == "A")]
    assert set(acks_in["length"]) == {60} and set(acks_out["length"]) == {54}
    assert set(home.loc[home["flags"].isin(["S", "SA"]), "length"]) == {66}


def test_wire_bytes_add_fcs_preamble_and_gap_to_the_padded_frame():
    assert conversations.wire_bytes(1514) == 1514 + 4 + 8 + 12 == 1538
    assert (
        conversations.wire_bytes(54)
        == conversations.wire_bytes(60)
        == 64 + 8 + 12
        == 84
    )
    assert conversations.wire_bytes(61) == 85


def _rounds(segments: pd.Series, rtt: float = 0.030) -> list[int]:
    """Data segments per round trip, counted from the first one."""
    seconds = (segments - segments.iloc[0]).dt.total_seconds()
    return (seconds // rtt).astype(int).value_counts().sort_index().tolist()


def test_page_fetch_starts_in_slow_start_from_ten_segments(home):
    fetch = home[
        (home["conversation"] == "page fetch")
        & (home["src"] == SERVER)
        & (home["payload"] > 0)
    ]
    # RFC 6928: initial window min(10 * 1460, max(2 * 1460, 14600)) = 14600 bytes = 10
    # segments; each round trip the window doubles until the 50 Mbit/s link is full
    assert _rounds(fetch["time"])[:4] == [10, 20, 40, 80]


def test_upload_starts_in_slow_start_then_fills_the_uplink(home):
    upload = home[
        (home["conversation"] == "upload")
        & (home["src"] == LAPTOP)
        & (home["payload"] > 0)
    ]
    assert _rounds(upload["time"])[:2] == [10, 20]
    # 10 Mbit/s of line time, 1538 bytes each: 10e6 * 0.030 / (8 * 1538) = 24.4 segments
    # a round trip
    assert all(23 <= n <= 26 for n in _rounds(upload["time"])[4:-1])


@pytest.mark.parametrize(
    "name, sender, bits_per_s", [("page fetch", SERVER, 50e6), ("upload", LAPTOP, 10e6)]
)
def test_steady_rate_is_the_link_rate_less_the_unseen_overhead(
    home, name, sender, bits_per_s
):
    data = home[
        (home["conversation"] == name)
        & (home["src"] == sender)
        & (home["payload"] == 1460)
    ]
    steady = data.iloc[
        len(data) // 4 : 3 * len(data) // 4
    ]  # well after slow start, before the end
    seconds = (steady["time"].iloc[-1] - steady["time"].iloc[0]).total_seconds()
    payload_bits_per_s = steady["payload"].iloc[1:].sum() * 8 / seconds
    assert payload_bits_per_s == pytest.approx(bits_per_s * 1460 / 1538, rel=0.005)


def test_one_ack_for_every_two_data_segments(home):
    for name, sender in (("page fetch", SERVER), ("upload", LAPTOP)):
        conv = home[home["conversation"] == name]
        data = conv[(conv["src"] == sender) & (conv["payload"] > 0)]
        first_fin = conv.loc[conv["flags"] == "FA", "time"].min()
        during = (conv["time"] >= data["time"].min()) & (conv["time"] <= first_fin)
        acks = conv[
            during
            & (conv["src"] != sender)
            & (conv["payload"] == 0)
            & (conv["flags"] == "A")
        ]
        # the one-segment request and answer are acknowledged by the answer and by the
        # FIN
        bulk = data[data["payload"].cumsum() > 1000]
        assert len(bulk) > 1000 and len(acks) == -(-len(bulk) // 2)
