"""Offline product recognition: a customer's picture → the shop's product (and colour).

`PhotoMatcher` keeps fingerprints of every shop photo (see fingerprint.py), computed off
the loop in the engine's executor and cached per file (path, size, mtime), so staff can
add photos and only the new ones are described. `match(image_bytes)` decodes the
picture (Pillow), describes it, and ranks products by their closest photo; the
confidence comes from the distance and the margin to the next *product*
(`engine.media.classify_distance`). Thresholds were measured in bench/images.py.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol, Sequence

from ottenok_desktop.engine.media import ImageMatch, MatchConfidence, MediaError, classify_distance

from .base import Photo
import numpy as np

from .fingerprint import Fingerprints, catalog_fingerprints, distances, query_fingerprints, stack

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a decompression bomb guard for customer pictures


class CatalogPhotos(Protocol):
    async def all_photos(self) -> list[Photo]: ...


@dataclass(frozen=True)
class Thresholds:
    confident: float = 13.0  # best distance at or below this, with the margin → confident
    margin: float = 3.0  # the next product must be at least this much further
    unsure: float = 14.0  # best distance at or below this → ask «Это …?»


@dataclass(frozen=True)
class _Entry:
    product: str
    color: str
    stamp: tuple[int, int]
    prints: Fingerprints


def decode(data: bytes) -> "object":
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as error:  # Pillow raises many types for bad input
        raise MediaError(f"the picture cannot be read ({type(error).__name__})") from None
    return image


def describe_file(path: Path) -> Fingerprints:
    stat = path.stat()
    return _describe_cached(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=4096)
def _describe_cached(path: str, _size: int, _mtime_ns: int) -> Fingerprints:
    """One photo's fingerprints, kept per (path, size, mtime) for the process: a rebuilt index
    (new photos dropped in, a restarted engine in the same process) describes only new files."""
    from PIL import Image

    with Image.open(path) as image:
        image.load()
        return catalog_fingerprints(image)


def rank(query: Fingerprints, entries: Sequence[_Entry], stacked: tuple[Fingerprints, np.ndarray] | None = None,
         ) -> list[tuple[float, str, str]]:
    """(distance, product, colour) best first, one row per product (its closest photo)."""
    windows, starts = stacked if stacked is not None else stack([e.prints for e in entries])
    per_photo = np.minimum.reduceat(distances(query, windows), starts)
    best: dict[str, tuple[float, str, str]] = {}
    for entry, score in zip(entries, per_photo.tolist()):
        if entry.product not in best or score < best[entry.product][0]:
            best[entry.product] = (float(score), entry.product, entry.color)
    return sorted(best.values())


class PhotoMatcher:
    def __init__(self, source: CatalogPhotos, executor: Executor, thresholds: Thresholds | None = None,
                 max_age: float = 60.0) -> None:
        self._source = source
        self._executor = executor
        self.thresholds = thresholds or Thresholds()
        self._max_age = max_age
        self._entries: dict[str, _Entry] = {}
        self._stacked: tuple[list[_Entry], tuple[Fingerprints, np.ndarray] | None] = ([], None)
        self._built_at: float | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> int:
        """Describe new or changed shop photos; returns how many photos the index holds."""
        async with self._lock:
            photos = [p for p in await self._source.all_photos() if p.path is not None]
            loop = asyncio.get_running_loop()
            entries: dict[str, _Entry] = {}
            for photo in photos:
                assert photo.path is not None
                try:
                    stat = photo.path.stat()
                except OSError:
                    continue
                stamp = (stat.st_size, stat.st_mtime_ns)
                old = self._entries.get(photo.key)
                if old is not None and old.stamp == stamp:
                    entries[photo.key] = old
                    continue
                try:
                    prints = await loop.run_in_executor(self._executor, describe_file, photo.path)
                except Exception as error:  # one unreadable photo must not stop the others
                    log.warning("photo %s cannot be read for matching: %s", photo.key, type(error).__name__)
                    continue
                entries[photo.key] = _Entry(photo.product, photo.color, stamp, prints)
            self._entries = entries
            listed = list(entries.values())
            self._stacked = (listed, stack([e.prints for e in listed])) if listed else ([], None)
            self._built_at = time.monotonic()
            log.info("photo matcher: %d photos of %d products", len(entries),
                     len({e.product for e in entries.values()}))
            return len(entries)

    async def ranked(self, image: bytes) -> list[tuple[float, str, str]]:
        """Every product with its closest photo's distance and colour, best first."""
        if self._built_at is None or time.monotonic() - self._built_at > self._max_age:
            await self.refresh()
        entries, stacked = self._stacked
        if not entries or stacked is None:
            return []
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._rank_bytes, image, entries, stacked)

    async def match(self, image: bytes) -> ImageMatch:
        ranked = await self.ranked(image)
        if not ranked:
            return ImageMatch()
        best, product, color = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else float("inf")
        t = self.thresholds
        confidence = classify_distance(best, runner_up, t.confident, t.unsure, t.margin)
        log.debug("picture match: %s %s at %.1f (next %.1f) → %s", product, color, best, runner_up, confidence)
        if confidence == MatchConfidence.NONE:
            return ImageMatch(distance=best, source="photos")
        return ImageMatch(product, color, confidence, best, "photos")

    @staticmethod
    def _rank_bytes(data: bytes, entries: Sequence[_Entry], stacked: tuple[Fingerprints, np.ndarray],
                    ) -> list[tuple[float, str, str]]:
        image = decode(data)
        return rank(query_fingerprints(image), entries, stacked)  # type: ignore[arg-type]
