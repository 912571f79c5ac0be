"""Offline product recognition: a customer's picture → the shop's product (and colour).

`PhotoMatcher` keeps fingerprints of every shop photo (see fingerprint.py), computed off
the loop in the engine's executor and cached per file (path, size, mtime) in memory and on
disk (print_cache.py, in the data dir), so a restart or staff adding photos describes only
the new or changed ones. `match(image_bytes)` decodes the
picture (Pillow), describes it, and ranks products by their closest photo; the
confidence comes from the distance and the margin to the next *product*
(`engine.media.classify_distance`). Two looks: the window hashes shortlist the closest
photos, then `verify.agreement` aligns the picture on each and compares details and the
product's own colours. A loafer the shop does not sell, drawn the shop's way, hashes like
the shop's loafers and its shape correlates as well; its colours seldom agree, so the best
product is named (confidently or as a question) only when they do (`Ranked.agrees`), not
when a good shape outweighs a bad colour in the sum. Thresholds and weights were chosen on
bench/images.py's tuned transforms plus 200 extra lookalikes (another seed) and checked on
its held-out sets.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol, Sequence

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
    # 15/17 before the product-colour evidence: its points (COLOUR_POINTS × ~3.5 for a right match)
    # moved every score up, and the colour gate now turns lookalikes away instead of the thresholds
    confident: float = 19.0  # best score at or below this, with the margin → confident
    margin: float = 2.5  # the next product must be at least this much further (3.0 before locate.py: same wrong-named rate)
    unsure: float = 21.0  # best score at or below this, with `unsure_margin` → ask «Это …?»
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
# detail correlation lost costs STRUCTURE_POINTS/100 points, each unit of the product's RMS colour
# difference (verify.colour_difference) COLOUR_POINTS.
STRUCTURE_POINTS = 25.0
COLOUR_POINTS = 0.6
# Agreement, not only a sum, decides whether a product is named at all: a lookalike the shop does not
# sell can score well on shape alone, so the product's own colours must agree too (a phone's look
# forgiven), whatever the score. Right top-1 matches: p95 10; lookalikes: median 20 (bench/images.py).
COLOUR_AGREES = 10.0


class Ranked(NamedTuple):
    """One product in a ranking: its best photo's score (lower is closer), colour and evidence."""

    score: float
    product: str
    color: str
    evidence: Agreement | None = None

    def agrees(self) -> bool:
        """Do the product's colours agree with the picture's (None: not looked at)?"""
        return self.evidence is None or self.evidence.colour <= COLOUR_AGREES


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
         stacked: tuple[Fingerprints, np.ndarray]) -> list[Ranked]:
    """Best first, one row per shortlisted product (its best photo)."""
    return [Ranked(score, product, color, found) for score, product, color, _, found
            in looks(query, integral, entries, stacked)]


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

    async def ranked(self, image: bytes) -> list[Ranked]:
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

    def decide(self, ranked: Sequence[Ranked]) -> ImageMatch:
        """A ranking → the match and its confidence: the best product's own colours must agree
        with the picture, then its score and the margin to the next product decide."""
        if not ranked:
            return ImageMatch()
        best, product, color = ranked[0].score, ranked[0].product, ranked[0].color
        runner_up = ranked[1].score if len(ranked) > 1 else float("inf")
        t = self.thresholds
        confidence = classify_distance(best, runner_up, t.confident, t.unsure, t.margin, t.unsure_margin)
        if not ranked[0].agrees():
            confidence = MatchConfidence.NONE
        log.debug("picture match: %s %s at %.1f (next %.1f) → %s", product, color, best, runner_up, confidence)
        if confidence == MatchConfidence.NONE:
            return ImageMatch(distance=best, source="photos")
        return ImageMatch(product, color, confidence, best, "photos")

    @staticmethod
    def _rank_bytes(data: bytes, entries: Sequence[_Entry], stacked: tuple[Fingerprints, np.ndarray],
                    ) -> list[Ranked]:
        image = decode(data)
        query, integral = query_fingerprints(image)  # type: ignore[arg-type]
        return rank(query, integral, entries, stacked)
