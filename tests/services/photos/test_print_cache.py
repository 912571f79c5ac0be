"""The shop photos' fingerprints on disk: a second start reads them instead of describing the
photos again, a changed photo is described again, a new fingerprint version invalidates all,
entries of removed photos are pruned, and a torn cache file is not trusted."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ottenok_desktop.services.photos.fingerprint import FINGERPRINT_VERSION
from ottenok_desktop.services.photos.local import LocalPhotoSource
from ottenok_desktop.services.photos.matching import PhotoMatcher
from ottenok_desktop.services.photos.print_cache import (
    PrintCache,
    describe_file,
    describe_photo,
    forget_in_memory,
)
from tests.services.photos.test_matching import product_photo, screenshot


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Two products, three photos (as in test_matching)."""
    shop = tmp_path / "photos"
    for index, (product, colors) in enumerate({"Лоферы Chanel": ["черный", "бежевый"],
                                               "Кроссовки Nike Air Force 1": ["черный"]}.items()):
        (shop / product).mkdir(parents=True)
        for color in colors:
            product_photo(index * 10 + 1, color).save(shop / product / f"{color}_1.jpg", quality=92)
    return shop


@pytest.fixture(autouse=True)
def fresh_process() -> None:
    forget_in_memory()  # each test starts as a newly started program would


def same(a: object, b: object) -> bool:
    return all(np.allclose(getattr(a, f), getattr(b, f), atol=1e-3) for f in ("hashes", "colors", "boxes"))


async def test_a_second_start_reads_the_fingerprints_the_first_one_stored(folder: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "data" / "photo_prints"
    with ThreadPoolExecutor(2) as executor:
        first = PhotoMatcher(LocalPhotoSource(folder, executor), executor, cache_dir=cache_dir)
        assert await first.refresh() == 3
        assert len(list(cache_dir.glob("*.npz"))) == 3
        forget_in_memory()  # the program restarts
        cache = PrintCache(cache_dir)
        photo = folder / "Лоферы Chanel" / "бежевый_1.jpg"
        stat = photo.stat()
        stored = cache.load(photo, stat.st_size, stat.st_mtime_ns)
        assert stored is not None and same(stored, describe_photo(photo))
        second = PhotoMatcher(LocalPhotoSource(folder, executor), executor, cache_dir=cache_dir)
        assert await second.refresh() == 3
        found = await second.match(screenshot(Image.open(photo)))
        assert (found.product, found.color) == ("Лоферы Chanel", "бежевый")


def test_a_changed_photo_is_described_again_and_its_entry_replaced(folder: Path, tmp_path: Path) -> None:
    cache = PrintCache(tmp_path / "prints")
    photo = folder / "Лоферы Chanel" / "черный_1.jpg"
    before = describe_file(photo, cache)
    product_photo(99, "красный").save(photo)  # the manager replaced the picture
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 1_000_000_000))
    stat = photo.stat()
    assert cache.load(photo, stat.st_size, stat.st_mtime_ns) is None  # the old entry no longer fits
    after = describe_file(photo, cache)
    assert not same(before, after) and same(after, describe_photo(photo))
    assert cache.load(photo, stat.st_size, stat.st_mtime_ns) is not None


def test_a_new_fingerprint_version_invalidates_stored_entries(folder: Path, tmp_path: Path) -> None:
    photo = folder / "Лоферы Chanel" / "черный_1.jpg"
    stat = photo.stat()
    describe_file(photo, PrintCache(tmp_path / "prints"))
    assert PrintCache(tmp_path / "prints").load(photo, stat.st_size, stat.st_mtime_ns) is not None
    newer = PrintCache(tmp_path / "prints", version=FINGERPRINT_VERSION + 1)
    assert newer.load(photo, stat.st_size, stat.st_mtime_ns) is None
    describe_file(photo, newer)
    assert newer.load(photo, stat.st_size, stat.st_mtime_ns) is not None


async def test_removed_photos_are_pruned_and_a_torn_file_is_described_again(folder: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "prints"
    cache = PrintCache(cache_dir)
    with ThreadPoolExecutor(2) as executor:
        matcher = PhotoMatcher(LocalPhotoSource(folder, executor, max_age=0), executor, max_age=0, cache_dir=cache_dir)
        await matcher.refresh()
        gone = folder / "Кроссовки Nike Air Force 1" / "черный_1.jpg"
        gone.unlink()
        gone.parent.rmdir()
        assert await matcher.refresh() == 2
        assert not cache.file_for(gone).exists() and len(list(cache_dir.glob("*.npz"))) == 2
    photo = folder / "Лоферы Chanel" / "черный_1.jpg"
    cache.file_for(photo).write_bytes(b"PK\x03\x04 torn")
    stat = photo.stat()
    assert cache.load(photo, stat.st_size, stat.st_mtime_ns) is None
    forget_in_memory()
    assert same(describe_file(photo, cache), describe_photo(photo))
