"""The photo-source contract, the Photo record, and product ↔ folder / colour ↔ file matching.

A photo library has one folder per product ("Лоферы Chanel") with files named by colour
("бежевый_1.jpg", "черный лак 2.png"). Folders are matched to stock product names with the
stock normalisation (brand aliases, ё→е, word order ignored, fuzzy as a last resort), so a
folder "лоферы шанель" serves the product "Лоферы Chanel".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from ...engine.lexicon.brands import normalize_brands
from ...engine.lexicon.colors import color_key
from ...engine.lexicon.text import normalize, tokens

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
_NUMBER_SUFFIX = re.compile(r"[\s_\-]*\(?\d+\)?$")


@dataclass(frozen=True)
class Photo:
    key: str  # stable id, what PhotoSent rows store ("local:Лоферы Chanel/черный_1.jpg", "drive:<file id>")
    product: str  # the product name asked for (the stock name)
    color: str  # from the file name, as written ("черный"); "" when the name has none
    path: Path | None  # local file ready to upload
    url: str | None  # or a URL (when the source only has one)
    file_name: str


class PhotoSource(Protocol):
    async def photos_for(self, product: str, color: str | None = None) -> list[Photo]: ...

    async def refresh(self) -> None: ...


def color_from_file_name(name: str) -> str:
    """'бежевый_1.jpg' → 'бежевый'; 'Черный лак (2).png' → 'Черный лак'; '3.jpg' → ''."""
    stem = Path(name).stem.strip()
    stem = _NUMBER_SUFFIX.sub("", stem).replace("_", " ").strip()
    return "" if stem.isdigit() else stem


def color_matches(asked: str | None, photo_color: str) -> bool:
    if not asked:
        return True
    want = set(color_key(asked).split())
    return bool(want) and want <= set(color_key(photo_color).split())


def folder_key(name: str) -> str:
    """Order-insensitive key after brand folding: 'шанель лоферы' == 'Лоферы Chanel'."""
    return " ".join(sorted(tokens(normalize_brands(name))))


def match_folder(product: str, folders: Iterable[str], cutoff: float = 88.0) -> str | None:
    """The folder that holds a product's photos, or None."""
    names = list(folders)
    by_exact = {normalize(name): name for name in names}
    if normalize(product) in by_exact:
        return by_exact[normalize(product)]
    wanted = folder_key(product)
    keyed = {folder_key(name): name for name in names}
    if wanted in keyed:
        return keyed[wanted]
    if not keyed or not wanted:
        return None
    from rapidfuzz import fuzz, process

    found = process.extractOne(wanted, list(keyed), scorer=fuzz.token_sort_ratio, score_cutoff=cutoff)
    return keyed[found[0]] if found else None


def sort_photos(photos: Iterable[Photo]) -> list[Photo]:
    """Stable order: by colour as first seen, then by file name (so _1 comes before _2)."""
    def number(photo: Photo) -> tuple[int, str]:
        match = re.search(r"(\d+)\)?$", Path(photo.file_name).stem)
        return (int(match.group(1)) if match else 0, photo.file_name)

    return sorted(photos, key=lambda p: (color_key(p.color), number(p)))
