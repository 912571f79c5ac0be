"""Offline product recognition: a customer's picture → the shop's product (and colour).

`PhotoMatcher` keeps fingerprints of every shop photo (see fingerprint.py), computed off
the loop in the engine's executor and cached per file (path, size, mtime) in memory and on
disk (print_cache.py, in the data dir), so a restart or staff adding photos describes only
the new or changed ones. `match(image_bytes)` decodes the
picture (Pillow), describes it, and ranks products by their closest photo; the
confidence comes from the distance and the margin to the next *product*
(`engine.media.classify_distance`). Two looks: the window hashes shortlist the closest
photos, then `verify.agreement` aligns the picture on each and compares details and
colours (a loafer the shop does not sell hashes like the shop's loafers; its details do
not agree). Thresholds and weights were chosen on bench/images.py's tuned transforms and
checked on its held-out ones.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Sequence

from ottenok_desktop.engine.media import ImageMatch, MatchConfidence, MediaError, classify_distance

import numpy as np

from .base import Photo
from .fingerprint import Fingerprints, Integral, distances, query_fingerprints, stack
from .print_cache import PrintCache, describe_file
from .verify import Agreement, Probe, agreement, catalog_integral

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000  # a decompression bomb guard for customer pictures


class CatalogPhotos(Protocol):
    async def all_photos(self) -> list[Photo]: ...


@dataclass(frozen=True)
class Thresholds:
    confident: float = 15.0  # best score at or below this, with the margin → confident
    margin: float = 2.5  # the next product must be at least this much further (3.0 before locate.py: same wrong-named rate)
    unsure: float = 17.0  # best score at or below this, with `unsure_margin` → ask «Это …?»
    unsure_margin: float = 2.0


@dataclass(frozen=True)
class _Entry:
    product: str
    color: str
    stamp: tuple[int, int]
    prints: Fingerprints
    path: Path


SHORTLIST = 6  # photos given the second look (verify.py), best hash distance first
# The score (lower is closer) adds the second look to the window hashes' distance: each 0.01 of
# detail correlation lost costs STRUCTURE_POINTS/100 points, each unit of RMS colour COLOUR_POINTS.
STRUCTURE_POINTS = 25.0
COLOUR_POINTS = 0.1


def verified_score(hash_distance: float, found: Agreement) -> float:
    return hash_distance + STRUCTURE_POINTS * (1.0 - found.structure) + COLOUR_POINTS * found.colour


def decode(data: bytes) -> "object":
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Exception as error:  # Pillow raises many types for bad input
        raise MediaError(f"the picture cannot be read ({type(error).__name__})") from None
    return image


@dataclass(frozen=True)
class Candidate:
    distance: float  # the window hashes' distance (first look)
    entry: int  # index into the entries
    window: tuple[float, float, float, float]  # the photo's closest window (fractions)
    query_box: int  # which of the query's boxes matched it


def shortlist(query: Fingerprints, stacked: tuple[Fingerprints, np.ndarray], count: int) -> list[Candidate]:
    """The `count` photos whose closest window is nearest the query (first look)."""
    windows, starts = stacked
    per_window, boxes = distances(query, windows)
    ends = list(starts[1:]) + [len(per_window)]
    best: list[Candidate] = []
    for index, (start, end) in enumerate(zip(starts.tolist(), ends)):
        offset = int(per_window[start:end].argmin())
        at = start + offset
        best.append(Candidate(float(per_window[at]), index, tuple(windows.boxes[at].tolist()), int(boxes[at])))  # type: ignore[arg-type]
    best.sort(key=lambda c: c.distance)
    return best[:count]


def rank(query: Fingerprints, integral: Integral, entries: Sequence[_Entry],
         stacked: tuple[Fingerprints, np.ndarray]) -> list[tuple[float, str, str]]:
    """(score, product, colour) best first, one row per shortlisted product (its best photo)."""
    return [(score, product, color) for score, product, color, _, _ in looks(query, integral, entries, stacked)]


def looks(query: Fingerprints, integral: Integral, entries: Sequence[_Entry],
          stacked: tuple[Fingerprints, np.ndarray]) -> list[tuple[float, str, str, float, Agreement]]:
    """`rank` with both looks of each row: (score, product, colour, hash distance, agreement)."""
    scored: dict[str, tuple[float, str, str, float, Agreement]] = {}
    for candidate in shortlist(query, stacked, SHORTLIST):
        entry = entries[candidate.entry]
        scale = np.array([integral.width, integral.height, integral.width, integral.height], dtype=np.float64)
        box = tuple((query.boxes[candidate.query_box] * scale).tolist())
        probe = Probe.of(integral, box)  # type: ignore[arg-type]
        stat = entry.path.stat()
        photo = catalog_integral(str(entry.path), stat.st_size, stat.st_mtime_ns)
        found = agreement(probe, photo, candidate.window)
        score = verified_score(candidate.distance, found)
        if entry.product not in scored or score < scored[entry.product][0]:
            scored[entry.product] = (score, entry.product, entry.color, candidate.distance, found)
    return sorted(scored.values(), key=lambda row: row[0])


class PhotoMatcher:
    def __init__(self, source: CatalogPhotos, executor: Executor, thresholds: Thresholds | None = None,
                 max_age: float = 60.0, cache_dir: Path | None = None) -> None:
        self._source = source
        self._cache = PrintCache(cache_dir) if cache_dir is not None else None
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
                    prints = await loop.run_in_executor(self._executor, describe_file, photo.path, self._cache)
                except Exception as error:  # one unreadable photo must not stop the others
                    log.warning("photo %s cannot be read for matching: %s", photo.key, type(error).__name__)
                    continue
                entries[photo.key] = _Entry(photo.product, photo.color, stamp, prints, photo.path)
            self._entries = entries
            if self._cache is not None and entries:  # an empty listing (folder offline) keeps the cache
                await loop.run_in_executor(self._executor, self._cache.prune, [e.path for e in entries.values()])
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
        return self.decide(await self.ranked(image))

    def decide(self, ranked: Sequence[tuple[float, str, str]]) -> ImageMatch:
        """A ranking → the match and its confidence (the distance and the margin to the next product)."""
        if not ranked:
            return ImageMatch()
        best, product, color = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else float("inf")
        t = self.thresholds
        confidence = classify_distance(best, runner_up, t.confident, t.unsure, t.margin, t.unsure_margin)
        log.debug("picture match: %s %s at %.1f (next %.1f) → %s", product, color, best, runner_up, confidence)
        if confidence == MatchConfidence.NONE:
            return ImageMatch(distance=best, source="photos")
        return ImageMatch(product, color, confidence, best, "photos")

    @staticmethod
    def _rank_bytes(data: bytes, entries: Sequence[_Entry], stacked: tuple[Fingerprints, np.ndarray],
                    ) -> list[tuple[float, str, str]]:
        image = decode(data)
        query, integral = query_fingerprints(image)  # type: ignore[arg-type]
        return rank(query, integral, entries, stacked)
