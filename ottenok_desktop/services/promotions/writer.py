"""Writing promotions.xlsx back from the console's «Акции» tab (blocking: call it in an executor).

The rows are written as the manager typed them into a new workbook next to the file, that
workbook is read back with the loader (`load_promotions`: the same checks as a dropped file,
the same row/column errors), and only a file that loads cleanly replaces the old one (the old
one is kept as `promotions.xlsx.bak`). So what the tab saves is exactly what the bot will read,
and a bad edit changes nothing. The engine's `WatchedFile` sees the new mtime within seconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ...engine.promotions import Promotion
from .loader import load_promotions
from .validation import COLUMN_RU, ParsedPromotions


@dataclass(frozen=True)
class PromotionRow:
    """One row as the manager edits it (cells as text; dates ДД.ММ.ГГГГ, discount `10%` or `88 200`)."""

    title: str
    description: str
    start: str
    end: str
    applies_to: str
    discount: str

    def cells(self) -> list[str | None]:
        """The cells to write; an empty one stays empty (the loader's "empty" error, not "'' is not a date")."""
        values = [self.title, self.description, self.start, self.end, self.applies_to, self.discount]
        return [v.strip() or None for v in values]


def row_of(promo: Promotion) -> PromotionRow:
    """A loaded promotion as an editable row (loading it again gives the same promotion)."""
    discount = f"{promo.percent}%" if promo.percent is not None else f"{promo.fixed_price or 0:,}".replace(",", " ")
    return PromotionRow(promo.title, promo.description, promo.start.strftime("%d.%m.%Y"),
                        promo.end.strftime("%d.%m.%Y"), ", ".join(promo.applies_to), discount)


def save_promotions(path: Path, rows: Sequence[PromotionRow], catalog: frozenset[str] = frozenset()) -> ParsedPromotions:
    """Validate `rows` as the file they would make; replace `path` only when there is no
    error. Returns what the loader read (its `errors` say why nothing was saved)."""
    import openpyxl

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".promotions-edit-", dir=path.parent) as tmp:
        candidate = Path(tmp) / path.name  # the same name: the errors name the shop's file
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Акции"
        sheet.append(list(COLUMN_RU.values()))  # the file format's column order
        for row in rows:
            sheet.append(row.cells())
        for letter, width in zip("ABCDEF", (34, 40, 14, 14, 30, 12)):
            sheet.column_dimensions[letter].width = width
        workbook.save(candidate)
        parsed = load_promotions(candidate, catalog)
        if parsed.errors:
            return parsed
        if path.exists():
            shutil.copy2(path, path.with_name(path.name + ".bak"))
        os.replace(candidate, path)
    return parsed
