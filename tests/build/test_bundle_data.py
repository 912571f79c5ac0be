"""The sample shop and resources go into the bundle; editor and Office leftovers do not."""

from __future__ import annotations

from pathlib import Path

from tests.build._loader import ROOT, load

bundle_data = load("bundle_data.py")


def test_real_files_are_listed_with_their_folders(tmp_path: Path) -> None:
    (tmp_path / "data" / "photos" / "Лоферы Chanel").mkdir(parents=True)
    (tmp_path / "data" / "photos" / "Лоферы Chanel" / "1.jpg").write_bytes(b"\xff\xd8jpeg")
    (tmp_path / "data" / "inventory.xlsx").write_bytes(b"PK")
    (tmp_path / "data" / "~$inventory.xlsx").write_bytes(b"lock")  # Excel's lock file
    (tmp_path / "data" / "make_sample_shop.py").write_text("print()")
    (tmp_path / "data" / "__pycache__").mkdir()
    (tmp_path / "data" / "__pycache__" / "x.pyc").write_bytes(b"")
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "icon.png").write_bytes(b"\x89PNG")
    (tmp_path / "resources" / ".DS_Store").write_bytes(b"")
    pairs = bundle_data.data_files(tmp_path)
    assert sorted((Path(src).name, dest) for src, dest in pairs) == [
        ("1.jpg", "data/photos/Лоферы Chanel"),
        ("icon.png", "resources"),
        ("inventory.xlsx", "data"),
    ]


def test_a_missing_folder_contributes_nothing(tmp_path: Path) -> None:
    assert bundle_data.data_files(tmp_path) == []


def test_the_repository_sample_shop_is_bundled() -> None:
    dests = {(Path(src).name, dest) for src, dest in bundle_data.data_files(ROOT)}
    assert ("inventory.xlsx", "data") in dests
    assert any(dest.startswith("data/knowledge_base") for _, dest in dests)
    assert any(dest.startswith("data/photos/") for _, dest in dests)
    assert not any(name.endswith(".py") for name, _ in dests)
