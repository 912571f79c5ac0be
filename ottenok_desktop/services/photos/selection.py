"""Which photos to send: never twice, the asked colour only, one per colour otherwise.

Rules (issue 3): with no colour asked, one photo per colour; with a colour asked, only
that colour; at most 3 photos per message (one bot reply) and 6 per showcase (several
products shown at once); photos a customer already received are skipped.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ...engine.lexicon.colors import color_key
from .base import Photo, color_matches

PER_MESSAGE = 3
PER_SHOWCASE = 6


def select_photos(photos: Iterable[Photo], asked_color: str | None, already_sent: set[str],
                  per_message: int = PER_MESSAGE) -> list[Photo]:
    fresh = [p for p in photos if p.key not in already_sent]
    if asked_color:
        return [p for p in fresh if color_matches(asked_color, p.color)][:per_message]
    chosen: list[Photo] = []
    colors_taken: set[str] = set()
    for photo in fresh:
        key = color_key(photo.color)
        if key in colors_taken:
            continue
        colors_taken.add(key)
        chosen.append(photo)
        if len(chosen) >= per_message:
            break
    return chosen


def select_showcase(photos_by_product: Sequence[Sequence[Photo]], already_sent: set[str],
                    limit: int = PER_SHOWCASE, per_message: int = PER_MESSAGE) -> list[list[Photo]]:
    """Several products at once: round-robin one new colour per product, split into messages."""
    picks = [select_photos(photos, None, already_sent, per_message=limit) for photos in photos_by_product]
    ordered: list[Photo] = []
    depth = 0
    while len(ordered) < limit and any(depth < len(p) for p in picks):
        for product_picks in picks:
            if depth < len(product_picks) and len(ordered) < limit:
                ordered.append(product_picks[depth])
        depth += 1
    return [ordered[i:i + per_message] for i in range(0, len(ordered), per_message)]
