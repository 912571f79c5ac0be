"""Which photos to send: never twice, the asked colour only, one per colour otherwise.

Rules (issue 3): with no colour asked, one photo per colour; with a colour asked, only
that colour; at most 3 photos per message (one bot reply) and 6 per showcase (several
products shown at once); photos a customer already received are skipped.
"""

from __future__ import annotations

from typing import Iterable

from ...engine.lexicon.colors import color_key
from .base import Photo, color_matches

PER_MESSAGE = 3


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

