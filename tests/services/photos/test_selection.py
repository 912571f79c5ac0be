"""Photo selection rules: one per colour, only the asked colour, ≤3 per message, ≤6 per showcase, no repeats."""

from __future__ import annotations

from pathlib import Path

from ottenok_desktop.services.photos.base import Photo
from ottenok_desktop.services.photos.selection import select_photos


def photo(product: str, color: str, n: int) -> Photo:
    name = f"{color}_{n}.jpg"
    return Photo(f"local:{product}/{name}", product, color, Path("/x") / product / name, None, name)


LOAFERS = [photo("Лоферы Chanel", c, n) for c in ("черный", "бежевый", "белый", "красный") for n in (1, 2)]


def test_one_per_colour_when_no_colour_was_asked() -> None:
    chosen = select_photos(LOAFERS, None, set())
    assert [p.color for p in chosen] == ["черный", "бежевый", "белый"]  # at most 3 per message
    assert all(p.file_name.endswith("_1.jpg") for p in chosen)


def test_only_the_asked_colour() -> None:
    chosen = select_photos(LOAFERS, "черные", set())
    assert [p.file_name for p in chosen] == ["черный_1.jpg", "черный_2.jpg"]
    assert [p.color for p in select_photos(LOAFERS, "нюд", set())] == ["бежевый", "бежевый"]  # нюд = бежевый
    assert select_photos(LOAFERS, "зеленые", set()) == []


def test_never_twice() -> None:
    first = select_photos(LOAFERS, None, set())
    sent = {p.key for p in first}
    second = select_photos(LOAFERS, None, sent)
    assert not sent & {p.key for p in second}
    assert [p.color for p in second] == ["черный", "бежевый", "белый"]  # the _2 pictures now
    assert select_photos(LOAFERS, "черный", sent | {p.key for p in second}) == []


def test_per_message_limit() -> None:
    assert len(select_photos(LOAFERS, None, set(), per_message=2)) == 2
