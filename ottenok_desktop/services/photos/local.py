"""Photos from a local folder (PHOTOS_DIR): one sub-folder per product, files named by colour.

The folder is scanned off the loop and the listing kept for `max_age` seconds, so staff
can drop new pictures in and the bot sees them within that time (or at once after
`refresh()`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import Executor
from pathlib import Path

from .base import IMAGE_SUFFIXES, Photo, color_from_file_name, color_matches, match_folder, sort_photos

log = logging.getLogger(__name__)


def scan_folder(root: Path) -> dict[str, list[tuple[str, Path]]]:
    """{product folder name: [(file name, path), ...]} for image files (blocking)."""
    listing: dict[str, list[tuple[str, Path]]] = {}
    if not root.is_dir():
        return listing
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = [(f.name, f) for f in sorted(folder.iterdir())
                 if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES and not f.name.startswith(".")]
        if files:
            listing[folder.name] = files
    return listing


class LocalPhotoSource:
    def __init__(self, root: Path, executor: Executor, max_age: float = 30.0) -> None:
        self.root = Path(root)
        self._executor = executor
        self._max_age = max_age
        self._listing: dict[str, list[tuple[str, Path]]] = {}
        self._scanned_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            self._listing = await loop.run_in_executor(self._executor, scan_folder, self.root)
            self._scanned_at = time.monotonic()
            log.debug("photo folder %s: %d products", self.root, len(self._listing))

    async def photos_for(self, product: str, color: str | None = None) -> list[Photo]:
        if self._scanned_at is None or time.monotonic() - self._scanned_at > self._max_age:
            await self.refresh()
        folder = match_folder(product, self._listing)
        if folder is None:
            return []
        photos = [
            Photo(f"local:{folder}/{name}", product, color_from_file_name(name), path, None, name)
            for name, path in self._listing[folder]
        ]
        return sort_photos(p for p in photos if color_matches(color, p.color))

    async def all_photos(self) -> list[Photo]:
        """Every photo of every product folder (the product is the folder name)."""
        if self._scanned_at is None or time.monotonic() - self._scanned_at > self._max_age:
            await self.refresh()
        return [Photo(f"local:{folder}/{name}", folder, color_from_file_name(name), path, None, name)
                for folder, files in self._listing.items() for name, path in files]

    @property
    def products(self) -> list[str]:
        return list(self._listing)
