"""The shipped datasets are exactly what their seeded generators write: regenerate and compare bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingress_egress.datagen import generate_all

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
HAND_WRITTEN = {"k8s", "prices"}
"""Folders of data/ that people write (manifests, price tables with their sources), not generators."""


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("data")
    return {str(path.relative_to(out)): path.read_bytes() for path in generate_all(out)}


def test_generators_write_what_is_committed(regenerated):
    different = [name for name, content in regenerated.items()
                 if not (DATA / name).exists() or (DATA / name).read_bytes() != content]
    assert different == [], f"regenerate with `make data` and commit: {different}"


def test_every_generated_looking_file_has_a_generator(regenerated):
    shipped = {
        str(path.relative_to(DATA)) for path in DATA.rglob("*")
        if path.is_file() and path.name != "README.md" and path.relative_to(DATA).parts[0] not in HAND_WRITTEN
    }
    assert shipped - set(regenerated) == set(), "files in data/ that no generator writes"


def test_every_dataset_folder_is_in_the_datasheet():
    datasheet = (DATA / "README.md").read_text()
    folders = {path.name for path in DATA.iterdir() if path.is_dir()}
    assert [folder for folder in sorted(folders) if f"{folder}/" not in datasheet] == []
