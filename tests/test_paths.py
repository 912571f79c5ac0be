"""Read-only files are found from source and inside the PyInstaller bundle."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from ottenok_desktop import paths

REPO = Path(__file__).resolve().parents[1]


def test_from_source_the_repository_folders_are_used() -> None:
    assert not paths.is_frozen()
    assert paths.sample_data_dir() == REPO / "data"
    assert (paths.sample_data_dir() / "inventory.xlsx").is_file()


def test_frozen_uses_the_bundle_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert paths.is_frozen()
    assert paths.sample_data_dir() == tmp_path / "_internal" / "data"


def test_frozen_without_meipass_falls_back_to_the_onedir_layout(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "Ottenok.exe"))
    assert paths.bundle_root() == tmp_path.resolve() / "_internal"
