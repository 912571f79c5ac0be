"""The local photo folder: product ↔ folder matching by the stock normalisation, colours from names."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest

from ottenok_desktop.services.photos.base import color_from_file_name, match_folder
from ottenok_desktop.services.photos.local import LocalPhotoSource

SAMPLE_PHOTOS = Path(__file__).resolve().parents[3] / "data" / "photos"


@pytest.fixture
def executor() -> Iterator[ThreadPoolExecutor]:
    pool = ThreadPoolExecutor(max_workers=1)
    yield pool
    pool.shutdown(wait=True)


@pytest.mark.parametrize(
    ("name", "color"),
    [("бежевый_1.jpg", "бежевый"), ("Черный лак (2).png", "Черный лак"), ("черный-3.jpeg", "черный"),
     ("3.jpg", ""), ("пудровый.webp", "пудровый")],
)
def test_color_from_file_name(name: str, color: str) -> None:
    assert color_from_file_name(name) == color


@pytest.mark.parametrize(
    ("product", "folders", "expected"),
    [
        ("Лоферы Chanel", ["Лоферы Chanel", "Лоферы Gucci Jordaan"], "Лоферы Chanel"),
        ("Лоферы Chanel", ["лоферы шанель"], "лоферы шанель"),
        ("Лоферы Chanel", ["Chanel лоферы"], "Chanel лоферы"),
        ("Кроссовки Balenciaga Triple S", ["кроссовки баленсиага triple s"], "кроссовки баленсиага triple s"),
        ("Туфли Saint Laurent Opyum", ["Туфли YSL Opyum"], "Туфли YSL Opyum"),
        ("Мюли Dior Dway", ["Лоферы Chanel"], None),
    ],
)
def test_match_folder(product: str, folders: list[str], expected: str | None) -> None:
    assert match_folder(product, folders) == expected


async def test_sample_folder(executor: ThreadPoolExecutor) -> None:
    source = LocalPhotoSource(SAMPLE_PHOTOS, executor)
    photos = await source.photos_for("Лоферы Chanel")
    assert {p.color for p in photos} == {"черный", "бежевый"}
    assert all(p.path is not None and p.path.is_file() for p in photos)
    black = await source.photos_for("Лоферы Chanel", "черные")
    assert black and all(p.color == "черный" for p in black)
    assert [p.file_name for p in black] == sorted(p.file_name for p in black)
    assert await source.photos_for("Лоферы Chanel", "красный") == []
    assert await source.photos_for("Сапоги Versace") == []


async def test_new_files_after_refresh(tmp_path: Path, executor: ThreadPoolExecutor) -> None:
    root = tmp_path / "photos"
    shutil.copytree(SAMPLE_PHOTOS / "Мюли Dior Dway", root / "мюли диор dway")
    source = LocalPhotoSource(root, executor, max_age=3600)
    before = await source.photos_for("Мюли Dior Dway")
    (root / "мюли диор dway" / "белый_1.jpg").write_bytes(b"\xff\xd8\xff fake jpeg")
    (root / "мюли диор dway" / "notes.txt").write_text("not a photo", encoding="utf-8")
    assert len(await source.photos_for("Мюли Dior Dway")) == len(before)  # cached listing
    await source.refresh()
    after = await source.photos_for("Мюли Dior Dway")
    assert len(after) == len(before) + 1 and "белый" in {p.color for p in after}
    assert await LocalPhotoSource(tmp_path / "missing", executor).photos_for("Мюли Dior Dway") == []
